/**
 * Issue 9, part 1: the adversarial matrix over every instruction of the IDL (see
 * matrix-engine.ts for how cases are derived and matrix-specs.ts for what each
 * account must be). Every case must fail with its exact error and leave every
 * account of the instruction byte-for-byte unchanged; look-alikes a rule
 * accepts (e.g. any token account may receive a payout) must simulate cleanly.
 */
import { expect } from "chai";

import { IDL, configPda } from "../../sdk/src";
import { CaseResult, enablePauseCases, runSpec } from "./matrix-engine";
import { buildSpecs, zoo } from "./matrix-specs";
import { buildWorld } from "./world";

describe("security: adversarial matrix", function () {
  this.timeout(300_000);

  it("refuses every look-alike account, forged oracle, bad amount and malformed payload with its own error, changing nothing", async () => {
    const started = Date.now();
    const { w, k } = await buildWorld();
    const specs = await buildSpecs(w, k);
    const z = zoo(w, k);
    enablePauseCases(w, configPda()[0]);
    const results: CaseResult[] = [];
    const perInstruction = new Map<string, number>();
    for (const spec of specs) {
      const r = await runSpec(w, spec, z);
      results.push(...r);
      const name = spec.label.split(" ")[0];
      perInstruction.set(name, (perInstruction.get(name) ?? 0) + r.length);
    }
    const failures = results.filter((r) => r.expected !== r.actual || r.changed.length > 0);
    const refusals = results.filter((r) => r.expected !== "ok").length;
    const oracle = results.filter((r) => r.label.includes("forged oracle")).length;
    const data = results.filter((r) => r.label.startsWith("data:")).length;
    console.log(
      `      matrix: ${results.length} cases over ${perInstruction.size} instructions (${specs.length} baselines): ` +
        `${refusals} refusals (${oracle} forged oracles, ${data} amounts and payloads), ` +
        `${results.length - refusals} accepted look-alikes; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect([...perInstruction.keys()].sort(), "every instruction is in the matrix").to.deep.equal(
      IDL.instructions.map((i) => i.name).sort(),
    );
    expect(
      failures.map(
        (f) =>
          `${f.spec} / ${f.label}: expected ${f.expected}, got ${f.actual}${f.changed.length ? `, changed ${f.changed.join(", ")}` : ""}`,
      ),
    ).to.deep.equal([]);
  });
});
