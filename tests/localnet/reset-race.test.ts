/**
 * `--reset` never destroys a running chain (issue 16, item 5): the ledger's
 * lock (localnet/lock.ts) is taken first, with O_EXCL, before anything is
 * deleted; a stale lock — dead PID, or a PID now used by another process
 * (another start time) — is taken over; a live one is refused.
 */
import { Connection, Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { startLocalnet } from "../../localnet";
import { FileLock, LockError, processStartTime } from "../../localnet/lock";
import { ValidatorProcess, waitFor } from "./harness";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The PID of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

describe("localnet: the ledger lock and --reset", function () {
  this.timeout(120_000);

  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-lock-"));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a second validator with --reset while one runs: the running chain keeps its genesis, accounts and files", async () => {
    // Given a running validator with an account and a deployment description.
    const running = await ValidatorProcess.start(dir);
    try {
      const connection = new Connection(running.url, "confirmed");
      const genesis = await connection.getGenesisHash();
      const holder = Keypair.generate().publicKey;
      const signature = await connection.requestAirdrop(holder, 3 * LAMPORTS_PER_SOL);
      await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) });
      fs.writeFileSync(path.join(dir, "deployment.json"), "{}\n");
      const files = fs.readdirSync(path.join(dir, "ledger")).sort();

      // When a second one starts on the same ledger with --reset.
      let refusal = "";
      try {
        const second = await ValidatorProcess.start(dir, ["--reset"]);
        await second.stop("SIGKILL");
      } catch (e) {
        refusal = (e as Error).message;
      }

      // Then it is refused, naming the running one, and nothing was deleted.
      expect(refusal).to.match(new RegExp(`validator exited \\(1\\).*is in use by process ${running.child.pid}`, "s"));
      expect(refusal).to.match(/stop that validator first/);
      expect(await connection.getGenesisHash()).to.equal(genesis);
      expect(await connection.getBalance(holder)).to.equal(3 * LAMPORTS_PER_SOL);
      expect(fs.existsSync(path.join(dir, "deployment.json"))).to.equal(true);
      expect(fs.readdirSync(path.join(dir, "ledger")).sort()).to.include.members(
        files.filter((f) => !f.endsWith(".tmp")),
      );
      expect(fs.readFileSync(path.join(dir, "ledger", "LOCK"), "utf8")).to.match(
        new RegExp(`^${running.child.pid} \\d+\\n$`),
      );

      // And after it stops, the same chain comes back.
      expect(await running.stop("SIGTERM")).to.equal(0);
      const again = await ValidatorProcess.start(dir);
      try {
        const c2 = new Connection(again.url, "confirmed");
        expect(await c2.getGenesisHash()).to.equal(genesis);
        expect(await c2.getBalance(holder)).to.equal(3 * LAMPORTS_PER_SOL);
      } finally {
        await again.stop("SIGTERM");
      }
    } finally {
      await running.stop("SIGKILL");
    }
  });

  it("--reset over a lock left by a killed validator (dead PID) starts a new chain", async () => {
    const first = await ValidatorProcess.start(dir);
    const genesis = await new Connection(first.url).getGenesisHash();
    await first.stop("SIGKILL");
    expect(fs.readFileSync(path.join(dir, "ledger", "LOCK"), "utf8")).to.match(new RegExp(`^${first.child.pid} `));

    const net = await startLocalnet({ port: 0, ledger: dir, quiet: true, reset: true });
    try {
      expect(await new Connection(net.rpcUrl).getGenesisHash()).to.not.equal(genesis);
      expect(fs.readFileSync(path.join(dir, "ledger", "LOCK"), "utf8")).to.equal(
        `${process.pid} ${processStartTime(process.pid)}\n`,
      );
    } finally {
      await net.close();
    }
    expect(fs.existsSync(path.join(dir, "ledger", "LOCK")), "released on close").to.equal(false);
  });

  it("takes over a lock whose PID is dead, or alive but another process (another start time); refuses a live owner", async () => {
    const file = path.join(dir, "ledger", "LOCK");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      await waitFor(() => processStartTime(sleeper.pid!) !== null, "the sleeper's /proc entry");
      const started = processStartTime(sleeper.pid!)!;
      const cases: { what: string; text: string; taken: boolean }[] = [
        { what: "dead PID", text: `${deadPid()} 12345\n`, taken: true },
        { what: "dead PID, older format", text: `${deadPid()}\n`, taken: true },
        { what: "PID reused by another process", text: `${sleeper.pid} ${BigInt(started) + 1n}\n`, taken: true },
        { what: "live owner", text: `${sleeper.pid} ${started}\n`, taken: false },
        { what: "live owner, older format", text: `${sleeper.pid}\n`, taken: false },
      ];
      for (const c of cases) {
        fs.writeFileSync(file, c.text);
        if (c.taken) {
          const lock = FileLock.acquire(file);
          expect(fs.readFileSync(file, "utf8"), c.what).to.equal(`${process.pid} ${processStartTime(process.pid)}\n`);
          lock.release();
          expect(fs.existsSync(file), `${c.what}: released`).to.equal(false);
        } else {
          expect(() => FileLock.acquire(file, "ledger X"), c.what).to.throw(
            LockError,
            `ledger X is in use by process ${sleeper.pid}`,
          );
          expect(fs.readFileSync(file, "utf8"), `${c.what}: left alone`).to.equal(c.text);
        }
      }
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it("takes over a lock whose owner exited but was never reaped (a zombie, as under a container's PID 1)", async () => {
    const file = path.join(dir, "ledger", "LOCK");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // `sleep 0` exits at once; its parent becomes `sleep 30`, which never reaps it.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const zombie = await new Promise<number>((resolve) =>
        parent.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      const state = () => {
        try {
          const stat = fs.readFileSync(`/proc/${zombie}/stat`, "utf8");
          return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
        } catch {
          return "gone";
        }
      };
      await waitFor(() => state() === "Z", "the unreaped child to become a zombie");
      fs.writeFileSync(file, `${zombie} ${processStartTime(zombie)}\n`);
      const lock = FileLock.acquire(file);
      expect(fs.readFileSync(file, "utf8")).to.equal(`${process.pid} ${processStartTime(process.pid)}\n`);
      lock.release();
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("of processes racing for one lock (a stale one in place), exactly one gets it", async () => {
    const file = path.join(dir, "ledger", "LOCK");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${deadPid()} 1\n`);
    const go = Date.now() + 1_500;
    // Each racer waits for the same instant, tries once, and holds what it got until told to exit.
    const script = `
      const { FileLock } = require("./localnet/lock");
      while (Date.now() < ${go}) {}
      let line;
      try { FileLock.acquire(${JSON.stringify(file)}); line = "won"; } catch (e) { line = /in use by process/.test(e.message) ? "refused" : "error " + e.message; }
      console.log(line);
      process.stdin.on("data", () => process.exit(0));`;
    const racers = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: REPO_ROOT,
        stdio: ["pipe", "pipe", "pipe"],
      }),
    );
    try {
      const lines = await Promise.all(
        racers.map(
          (r) =>
            new Promise<string>((resolve, reject) => {
              let out = "";
              r.stdout!.on("data", (c: Buffer) => {
                out += c.toString();
                if (out.includes("\n")) resolve(out.trim());
              });
              r.stderr!.on("data", (c: Buffer) => (out += c.toString()));
              r.once("exit", (code) => reject(new Error(`racer exited (${code}): ${out}`)));
            }),
        ),
      );
      expect(
        lines.filter((l) => l === "won"),
        lines.join(", "),
      ).to.have.length(1);
      expect(
        lines.filter((l) => l === "refused"),
        lines.join(", "),
      ).to.have.length(racers.length - 1);
    } finally {
      for (const r of racers) r.stdin!.end("exit\n");
      await Promise.all(
        racers.map((r) => (r.exitCode === null ? new Promise((res) => r.once("exit", res)) : undefined)),
      );
    }
  });
});
