/**
 * The adversarial fuzzer's short run inside `npm test` (see adversarial.ts): colluding wallets,
 * the books after every step, and at the end no gain beyond what the group's exposure explains.
 * The long run: `npm run fuzz:adversarial` (`-- --steps N --seeds A-B`).
 */
import { expect } from "chai";

import { USD27 } from "./books";
import { describeResult, runAdversarial } from "./adversarial";

const SEEDS = [11, 22];
const STEPS = Number(process.env.ADVERSARIAL_STEPS ?? 5_000);

describe("economics: adversarial fuzzer (short run)", function () {
  this.timeout(600_000);

  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} steps keep the books and earn nothing beyond exposure`, async () => {
      const t0 = Date.now();
      const r = await runAdversarial(seed, STEPS);
      const secs = (Date.now() - t0) / 1000;
      console.log(`      ${describeResult(r)}; ${(r.steps / secs).toFixed(0)} steps/s`);
      if (r.failure)
        console.log(
          `      failure at step ${r.failure.step} (${r.failure.action}): ${r.failure.message}\n        ${r.failure.trace.slice(-12).join("\n        ")}`,
        );
      expect(r.failure, r.failure?.message).to.equal(undefined);
      expect(r.steps).to.equal(STEPS);
      // Rounding only: a dollar over the whole run.
      expect(r.excess.lte(USD27.muln(1_000_000)), `excess ${r.excess.toString()}`).to.equal(true);
    });
  }
});
