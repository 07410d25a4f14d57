/**
 * `npm run fuzz:adversarial`: the long run of the adversarial fuzzer (adversarial.ts). By default
 * seeds 1–100 × 10,000 steps (10⁶ steps); `-- --seeds A-B`, `--steps N`, `--seed N` to replay one,
 * `--help`; anything else is refused.
 * Prints each seed's result and the steps per second.
 */
import { fuzzArgsOrExit } from "../fuzz-args";
import { describeResult, runAdversarial } from "./adversarial";
import { USD27 } from "./books";

async function main(): Promise<void> {
  const { seeds, steps } = fuzzArgsOrExit({ seeds: [1, 100], steps: 10_000 });
  const t0 = Date.now();
  let total = 0;
  const failed: number[] = [];
  for (const seed of seeds) {
    const r = await runAdversarial(seed, steps);
    total += r.steps;
    const bad = r.failure !== undefined || r.excess.gt(USD27.muln(1_000_000));
    console.log(`${describeResult(r)}${bad ? "  FAILED" : ""}`);
    if (r.failure)
      console.log(
        `  step ${r.failure.step} (${r.failure.action}): ${r.failure.message}\n    ${r.failure.trace.join("\n    ")}`,
      );
    if (bad) failed.push(seed);
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`\n${total} steps in ${secs.toFixed(0)} s (${(total / secs).toFixed(0)} steps/s, setup included)`);
  if (failed.length > 0) {
    console.log(`failing seeds: ${failed.join(", ")} (replay: npm run fuzz:adversarial -- --seed N --steps ${steps})`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
