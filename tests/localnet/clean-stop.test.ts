/**
 * `npm start` stops cleanly (issue 16, item 8): every process it runs — the
 * validator, the price feed, the keeper, the token faucet, the web app — is
 * gone within 5 s of Ctrl-C (SIGINT to the process group) or of SIGTERM to
 * start.sh, whatever state its peers are in (the validator killed first: the
 * keeper must not wait on its dead socket, start.sh must not wait on a child).
 *
 * On the local validator always; on Agave's `solana-test-validator` too when
 * `PERPOOL_TEST_AGAVE` holds the path of that binary (e.g.
 * `PERPOOL_TEST_AGAVE=$HOME/agave/bin/solana-test-validator npm run test:ts`).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

import { StartFlow, StartOptions, agaveBinary, groupPids, pidOf } from "./start-flow";
import { waitFor } from "./harness";

/** A free loopback port (optionally with the next one free too: Agave's WebSocket is RPC + 1). */
async function freePort(withNext = false): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (!withNext || port >= 65_535) {
      if (!withNext) return port;
      continue;
    }
    const nextFree = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port + 1, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (nextFree) return port;
    if (attempt > 50) throw new Error("no pair of free ports");
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const VALIDATORS: ("localnet" | "agave")[] = ["localnet", ...(agaveBinary() ? (["agave"] as const) : [])];

for (const validator of VALIDATORS) {
  describe(`npm start stops cleanly (${validator} validator)`, function () {
    this.timeout(600_000);

    let dir: string;
    let flow: StartFlow | undefined;

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `perpool-stop-${validator}-`));
    });

    afterEach(async () => {
      await flow?.kill();
      flow = undefined;
    });

    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The whole stack running (the web app too when `app`), on free ports and this test's data directory. */
    async function running(app: boolean): Promise<StartFlow> {
      const opts: StartOptions = { validator };
      if (validator === "agave")
        opts.ports = { rpc: await freePort(true), faucet: await freePort(), agaveFaucet: await freePort() };
      if (app) opts.appPort = await freePort();
      const started = StartFlow.spawn(dir, opts);
      flow = started;
      await started.waitForOutput(/^Perpool localnet is running/m, "the running summary", 300_000);
      for (const label of ["Validator", "Keeper", "Token faucet", "Price feed", ...(app ? ["Web app"] : [])]) {
        expect(alive(pidOf(started, label)), `${label} running`).to.equal(true);
      }
      return started;
    }

    it("Ctrl-C (SIGINT to the group): every process, the web app included, is gone within 5 s", async () => {
      const stack = await running(true);
      expect(groupPids(stack.pgid).length).to.be.at.least(6);
      const sent = Date.now();
      stack.signal("SIGINT");
      const ms = await stack.waitGone(5_000, sent);
      console.log(`      every process gone ${ms} ms after the signal`);
      expect(ms).to.be.below(5_000);
      expect(stack.child.exitCode).to.equal(130);
    });

    it("SIGTERM to start.sh alone: it stops every process it started within 5 s", async () => {
      const stack = await running(false);
      const sent = Date.now();
      process.kill(stack.pgid, "SIGTERM");
      const ms = await stack.waitGone(5_000, sent);
      console.log(`      every process gone ${ms} ms after the signal`);
      expect(ms).to.be.below(5_000);
      expect(stack.child.exitCode).to.equal(143);
    });

    it("the validator killed first, then Ctrl-C: the keeper and the rest are gone within 5 s", async () => {
      const stack = await running(false);
      const validatorPid = pidOf(stack, "Validator");
      process.kill(validatorPid, "SIGKILL");
      await waitFor(() => !groupPids(stack.pgid).includes(validatorPid), "the validator's end");
      const sent = Date.now();
      stack.signal("SIGINT");
      const ms = await stack.waitGone(5_000, sent);
      console.log(`      every process gone ${ms} ms after the signal`);
      expect(ms).to.be.below(5_000);
    });
  });
}
