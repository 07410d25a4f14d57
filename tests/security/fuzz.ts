/**
 * `npm run fuzz`: the long invariant-fuzzing run (issue 9). By default 40 seeds
 * × 300 actions (12,000 actions, more transactions); `-- --seed N` replays one
 * seed (its failing step and the last transactions are printed), `--seeds A-B`
 * picks a range, `--steps M` the actions per seed, `--help` says so; anything else is refused.
 */
import { fuzzArgsOrExit } from "../fuzz-args";
import { FuzzResult, fuzzSeed } from "./fuzzer";

async function main(): Promise<void> {
  const { seeds, steps } = fuzzArgsOrExit({ seeds: [1, 40], steps: 300 });
  const started = Date.now();
  let actions = 0;
  let transactions = 0;
  const failures: FuzzResult[] = [];
  const totals: Record<string, { ok: number; failed: number; errors: Record<string, number> }> = {};
  for (const seed of seeds) {
    const t0 = Date.now();
    const r = await fuzzSeed(seed, steps);
    actions += r.steps;
    transactions += r.transactions;
    for (const [op, s] of Object.entries(r.stats)) {
      const t = (totals[op] ??= { ok: 0, failed: 0, errors: {} });
      t.ok += s.ok;
      t.failed += s.failed;
      for (const [e, n] of Object.entries(s.errors)) t.errors[e] = (t.errors[e] ?? 0) + n;
    }
    const status = r.failure ? `FAILED at step ${r.failure.step} (${r.failure.op})` : "ok";
    console.log(
      `seed ${seed}: ${r.steps} actions, ${r.transactions} transactions, ${((Date.now() - t0) / 1000).toFixed(1)} s: ${status}`,
    );
    if (r.failure) {
      failures.push(r);
      console.log(`  ${r.failure.message}\n  last transactions:\n    ${r.failure.trace.join("\n    ")}`);
      console.log(`  replay: npm run fuzz -- --seed ${seed}${steps !== 300 ? ` --steps ${steps}` : ""}`);
    }
  }
  console.log(
    `\n${seeds.length} seeds, ${actions} actions, ${transactions} transactions in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const [op, t] of Object.entries(totals).sort()) {
    const top = Object.entries(t.errors)
      .sort((a, b) => b[1] - a[1])
      .map(([e, n]) => `${e} ${n}`)
      .join(", ");
    console.log(
      `  ${op.padEnd(20)} ${String(t.ok).padStart(6)} ok ${String(t.failed).padStart(6)} refused${top ? ` (${top})` : ""}`,
    );
  }
  if (failures.length > 0) {
    console.log(`\n${failures.length} failing seed(s): ${failures.map((f) => f.seed).join(", ")}`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
