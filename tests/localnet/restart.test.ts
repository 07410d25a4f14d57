/**
 * `npm start` is restartable from anything (issue 16, item 1): scripts/start.sh
 * on a data directory of its own and free ports is interrupted at each stage —
 * before the deploy, after it, in the middle of seeding — by SIGINT to its
 * process group (Ctrl-C) and by SIGKILL, on one ledger; then started again,
 * it deploys what is missing, publishes fresh prices before anything reads
 * them, completes the seeding (if the interrupted starts left any) without
 * depositing an asset twice, and a trade goes through. The run ends with Ctrl-C, every process gone within 5 s.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { StartFlow, checkDeployedSeededTrading, rpcUrlOf } from "./start-flow";

/** Where each interruption happens: the line start.sh (or a step) prints on reaching the stage. */
const STAGES: { stage: string; line: RegExp }[] = [
  { stage: "before the deploy", line: /^validator: Ready in/m },
  { stage: "after the deploy", line: /^Addresses: /m },
  // The first deposit of this start: each interruption leaves one or more assets deposited (the
  // signal may land after the next deposit too), so a later start may find none left to deposit,
  // and then it is stopped at the seeding step's report of that.
  { stage: "during seeding", line: /^(seed: deposited |Pool already has liquidity: not seeded again)/m },
];

describe("npm start: restartable from anything", function () {
  this.timeout(900_000);

  let dir: string;
  let flow: StartFlow | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-restart-"));
  });

  afterEach(async () => {
    await flow?.kill();
    flow = undefined;
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const { stage, line } of STAGES) {
    for (const signal of ["SIGINT", "SIGKILL"] as const) {
      it(`stops on ${signal} ${stage}, leaving no process behind`, async () => {
        // Given a start (on whatever an earlier interruption left) that reaches the stage.
        flow = StartFlow.spawn(dir);
        await flow.waitForOutput(line, stage);
        // When the group gets the signal, then every process of it is gone within 5 s.
        const sent = Date.now();
        flow.signal(signal);
        const ms = await flow.waitGone(5_000, sent);
        expect(ms).to.be.below(5_000);
        if (signal === "SIGINT") expect(flow.child.exitCode, flow.text()).to.equal(130);
        flow = undefined;
      });
    }
  }

  it("then starts: the pool is deployed, seeded once and trading; Ctrl-C stops everything within 5 s", async () => {
    flow = StartFlow.spawn(dir);
    await flow.waitForOutput(/^Perpool localnet is running/m, "the running summary");
    // The deploy found everything in place; the seeding finished what was cut short, and nothing twice.
    expect(flow.text()).to.match(/deploy: nothing to do, everything is already deployed/);
    // Prices were published before the seeding step read them (they may be minutes old after a pause).
    // What that step had left depends on how far the interrupted starts got: a signal sent on a line
    // may land after more deposits than the one the line announced, so the interrupted starts may
    // have deposited every asset. Either way the step runs after the prices.
    const published = flow.text().search(/^price feed: set /m);
    expect(published, "fresh prices published").to.be.at.least(0);
    const seedStep = flow.text().search(/^(seed: deposited |Pool already has liquidity: not seeded again)/m);
    expect(seedStep, "the seeding step (the rest of the seeding, or nothing left), after the prices").to.be.above(
      published,
    );
    await checkDeployedSeededTrading(rpcUrlOf(flow), dir);

    const sent = Date.now();
    flow.signal("SIGINT");
    expect(await flow.waitGone(5_000, sent)).to.be.below(5_000);
    expect(flow.child.exitCode).to.equal(130);
    flow = undefined;
  });
});
