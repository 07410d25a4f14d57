/**
 * Issue 9, part 2, the short run: a few seeds of the invariant fuzzer (see
 * fuzzer.ts) inside `npm test`. The long run is `npm run fuzz`; a failing seed
 * replays with `npm run fuzz -- --seed N`.
 */
import { expect } from "chai";

import { fuzzSeed } from "./fuzzer";

const SEEDS = [101, 202, 303];
const STEPS = 120;

describe("security: invariant fuzzing (short run)", function () {
  this.timeout(180_000);

  it(`keeps SPEC §6 after every step of ${SEEDS.length} seeds × ${STEPS} random actions`, async () => {
    let actions = 0;
    let transactions = 0;
    const failures: string[] = [];
    for (const seed of SEEDS) {
      const r = await fuzzSeed(seed, STEPS);
      actions += r.steps;
      transactions += r.transactions;
      if (r.failure) {
        failures.push(
          `seed ${seed}, step ${r.failure.step} (${r.failure.op}): ${r.failure.message}\n  last: ${r.failure.trace.slice(-8).join("\n        ")}\n  replay: npm run fuzz -- --seed ${seed} --steps ${STEPS}`,
        );
      }
    }
    console.log(`      fuzz: ${SEEDS.length} seeds, ${actions} actions, ${transactions} transactions`);
    expect(failures).to.deep.equal([]);
  });
});
