/**
 * The `perpool` and `perpool-keeper` command lines, run as child processes
 * (through their `sdk/bin` shims) against a local validator in this process:
 * pool info as JSON, a test price, a deposit and a redemption, a position opened and closed,
 * bad amounts refused with a clear message and exit code 2 before anything
 * is sent, a dry-run that sends nothing, and one keeper scan.
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import {
  LiteSvmProvider,
  PerpoolProgram,
  Side,
  createTokenAccount,
  fetchCustody,
  fetchPosition,
  mintTo,
  perpoolProgram,
  positionPda,
  priceFeedPda,
  publishPriceIx,
  fetchLpAccount,
  lpAccountPda,
} from "../sdk/src";
import { AmountError, formatUnits, parseUnits } from "../sdk/src/cli/units";
import { UsageError, parseArgs } from "../sdk/src/cli/args";
import { main } from "../sdk/src/cli/main";
import { Deployment, deploy, loadConfig } from "../migrations/deploy";
import { TestCluster, distinctIx, testCluster, waitFor } from "./localnet/harness";

const REPO_ROOT = path.resolve(__dirname, "..");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bin shim with `args`; never throws for a non-zero exit. */
function runBin(bin: "perpool" | "perpool-keeper", args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    // The commands must use exactly what the test passes.
    delete env.ANCHOR_PROVIDER_URL;
    delete env.ANCHOR_WALLET;
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "sdk", "bin", `${bin}.js`), ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("perpool CLI: amounts and arguments", () => {
  it("reads human amounts exactly, in base units, and refuses what is not one", () => {
    expect(parseUnits("1.5", 9, "--amount").toString()).to.equal("1500000000");
    expect(parseUnits(".5", 6, "--amount").toString()).to.equal("500000");
    expect(parseUnits("2.", 6, "--amount").toString()).to.equal("2000000");
    expect(parseUnits("0.100000000", 1, "--amount").toString(), "trailing zeros are not decimals").to.equal("1");
    expect(parseUnits("18446744073709551615", 0, "--amount").toString()).to.equal("18446744073709551615");
    expect(parseUnits("0", 6, "--min-lp", { allowZero: true }).toString()).to.equal("0");
    const refused: [string, number, RegExp][] = [
      ["-1", 6, /must not be negative/],
      ["1,5", 6, /is not a number/],
      ["1e3", 6, /is not a number/],
      ["", 6, /a number is required/],
      [".", 6, /is not a number/],
      ["0x10", 6, /is not a number/],
      ["1.0000001", 6, /at most 6 decimals/],
      ["1.5", 0, /must be a whole number/],
      ["18446744073709551616", 0, /too large/],
      ["0.000", 6, /must be greater than 0/],
    ];
    for (const [text, decimals, message] of refused) {
      expect(() => parseUnits(text, decimals, "--amount"), text).to.throw(AmountError, message);
    }
    expect(formatUnits(new BN("1500000000"), 9)).to.equal("1.5");
    expect(formatUnits(new BN("-250"), 2)).to.equal("-2.5");
    expect(formatUnits(new BN("123456789"), 6, { maxDecimals: 2 })).to.equal("123.45");
  });

  it("parses options in either form and refuses unknown or incomplete ones", () => {
    const specs = [
      { name: "amount", help: "" },
      { name: "json", flag: true, help: "" },
    ];
    const p = parseArgs(["deposit", "--amount=1.5", "--json", "--", "--not-an-option"], specs);
    expect(p.positionals).to.deep.equal(["deposit", "--not-an-option"]);
    expect(p.options.get("amount")).to.equal("1.5");
    expect(p.options.get("json")).to.equal(true);
    expect(
      parseArgs(["--amount", "-3"], specs).options.get("amount"),
      "a negative number is a value (refused later)",
    ).to.equal("-3");
    expect(() => parseArgs(["--amonut", "1"], specs)).to.throw(UsageError, /unknown option --amonut/);
    expect(() => parseArgs(["--amount"], specs)).to.throw(UsageError, /--amount needs a value/);
    expect(() => parseArgs(["--amount", "--json"], specs)).to.throw(UsageError, /--amount needs a value/);
    expect(() => parseArgs(["--json=yes"], specs)).to.throw(UsageError, /--json takes no value/);
  });
});

describe("perpool CLI against a local validator", function () {
  this.timeout(180_000);

  let dir: string;
  let cluster: TestCluster;
  let deployment: Deployment;
  let connection: Connection;
  let program: PerpoolProgram;
  let admin: Keypair;
  const user = Keypair.generate();
  let userFile: string;
  let adminFile: string;
  const tokens: Record<string, PublicKey> = {};

  const pool = () => new PublicKey(deployment.pool.address);
  const asset = (s: string) => deployment.assets.find((a) => a.symbol === s)!;
  const custody = (s: string) => new PublicKey(asset(s).custody);
  const tokenBalance = async (account: PublicKey) =>
    new BN((await connection.getTokenAccountBalance(account)).value.amount);
  /** Common options: this cluster, this deployment, this signer. */
  const common = (keypair = userFile) => ["--url", cluster.url, "--data-dir", dir, "--keypair", keypair];
  const perpool = (...args: string[]) => runBin("perpool", [...args, ...common()]);
  const signatures = async (key: PublicKey) =>
    (await connection.getSignaturesForAddress(key, { limit: 1000 }, "confirmed")).map((s) => s.signature);

  /**
   * Fresh prices (they go stale after 60 s), published in process through the local price publisher:
   * SOL at `sol`, every other asset at its configured price (a deposit values the whole pool, so
   * every price must be fresh, however long the tests before took).
   */
  async function setPrices(sol = 150) {
    const ixs: TransactionInstruction[] = [];
    for (const [s, usd] of deployment.assets.map(
      (a) =>
        [
          a.symbol,
          a.symbol === "SOL" ? sol : Number(loadConfig().assets.find((c) => c.symbol === a.symbol)!.price),
        ] as const,
    )) {
      ixs.push(
        publishPriceIx({
          authority: admin.publicKey,
          feedId: Buffer.from(asset(s).feedId, "hex"),
          shard: asset(s).shard,
          price: new BN(Math.round(usd * 1e8)),
          exponent: -8,
        }),
      );
    }
    // Called before every test with the same prices: each call must be a transaction of its own.
    await program.provider.sendAndConfirm!(new Transaction().add(distinctIx(), ...ixs), []);
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-cli-"));
    cluster = await testCluster(dir);
    const config = loadConfig();
    // A 5-second LP cooldown: short enough to wait out in the test.
    config.pool = {
      ...config.pool,
      name: `cli-${Math.random().toString(36).slice(2, 10)}`,
      params: { ...(config.pool.params ?? {}), lpCooldownSecs: 5 },
    };
    // Price accounts of its own (a random shard of the feeds): nothing else on the cluster moves them.
    const shard = 1 + Math.floor(Math.random() * 65_535);
    config.assets = config.assets.map((a) => ({ ...a, pyth: { ...a.pyth, shard } }));
    // On a cluster of its own the deploy creates the admin; on ANCHOR_PROVIDER_URL it must be ANCHOR_WALLET.
    adminFile = process.env.ANCHOR_WALLET ?? path.join(dir, "admin.json");
    ({ deployment } = await deploy(config, { url: cluster.url, dataDir: dir, keypair: adminFile, log: () => {} }));
    admin = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(adminFile, "utf8"))));
    connection = new Connection(cluster.url, "confirmed");
    const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });
    program = perpoolProgram(provider);
    // A user with SOL for fees and some SOL and USDC test tokens, in a keypair file.
    userFile = path.join(dir, "user.json");
    fs.writeFileSync(userFile, JSON.stringify(Array.from(user.secretKey)));
    const sig = await connection.requestAirdrop(user.publicKey, 10 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction({ signature: sig, ...(await connection.getLatestBlockhash()) }, "confirmed");
    const tokenProvider = provider as unknown as LiteSvmProvider; // the token helpers use connection + sendAndConfirm only
    for (const [s, amount] of [
      ["SOL", new BN(100).mul(new BN(10).pow(new BN(9)))],
      ["USDC", new BN(200_000_000_000)],
    ] as const) {
      tokens[s] = await createTokenAccount(tokenProvider, new PublicKey(asset(s).mint), user.publicKey);
      await mintTo(tokenProvider, new PublicKey(asset(s).mint), tokens[s], admin.publicKey, amount);
    }
  });

  after(async () => {
    await cluster?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => setPrices());

  it("pool info --json describes the deployed pool and its assets", async () => {
    const r = await perpool("pool", "info", "--json");
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.pool.name).to.equal(deployment.pool.name);
    expect(doc.pool.address).to.equal(deployment.pool.address);
    expect(doc.pool.lpMint).to.equal(deployment.pool.lpMint);
    expect(doc.assets.map((a: { symbol: string }) => a.symbol)).to.deep.equal(deployment.assets.map((a) => a.symbol));
    const sol = doc.assets.find((a: { symbol: string }) => a.symbol === "SOL");
    expect(sol.priceUsd).to.equal("150");
    expect(sol.custody).to.equal(asset("SOL").custody);
    expect(sol.feedId).to.equal(asset("SOL").feedId);
    expect(sol.oracle).to.equal(asset("SOL").oracle);
  });

  it("set-price with the feed's write authority publishes a price; another signer is refused", async () => {
    const shard = ["--shard", String(asset("SOL").shard)];
    const ok = await runBin("perpool", [
      "set-price",
      "--asset",
      "SOL",
      "--price",
      "151.25",
      ...shard,
      "--json",
      ...common(adminFile),
    ]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(JSON.parse(ok.stdout).signature).to.be.a("string");
    const info = JSON.parse((await perpool("pool", "info", "--json")).stdout);
    expect(info.assets.find((a: { symbol: string }) => a.symbol === "SOL").priceUsd).to.equal("151.25");
    const refused = await perpool("set-price", "--asset", "SOL", "--price", "1", ...shard);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/is not the write authority/);
    const wrongShard = await runBin("perpool", [
      "set-price",
      "--asset",
      "SOL",
      "--price",
      "1",
      "--shard",
      String((asset("SOL").shard + 1) % 65_536),
      ...common(adminFile),
    ]);
    expect(wrongShard.code).to.equal(1);
    expect(wrongShard.stderr).to.match(/is not the publisher's account of its feed/);
  });

  it("set-price refuses a cluster where the Pyth receiver's address is not the local price publisher", async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-cli-nopub-"));
    const { startLocalnet } = await import("../localnet");
    const other = await startLocalnet({ port: 0, ledger: otherDir, quiet: true, slotMs: 100, publisher: false });
    try {
      const r = await runBin("perpool", [
        "set-price",
        "--asset",
        "SOL",
        "--price",
        "1",
        "--url",
        other.rpcUrl,
        "--data-dir",
        dir,
        "--keypair",
        adminFile,
      ]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(
        /does not run the local price publisher at the Pyth receiver's address: set-price works on local clusters only/,
      );
    } finally {
      await other.close();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("deposits USDC for LP tokens, waits out the cooldown, claims them and redeems some, exactly as quoted", async () => {
    const r = await perpool("deposit", "--asset", "USDC", "--amount", "50000", "--json");
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.signature).to.be.a("string");
    expect(doc.events).to.deep.equal(["liquidityAdded"]);
    expect(doc.quote.cooldownSecs).to.equal(5);
    expect((await tokenBalance(tokens.USDC)).toString()).to.equal(new BN(150_000_000_000).toString());
    // The LP tokens wait in the pool's escrow: the wallet's (new, associated) LP account is empty.
    const lp = await connection.getTokenAccountsByOwner(user.publicKey, {
      mint: new PublicKey(deployment.pool.lpMint),
    });
    expect(lp.value).to.have.length(1);
    const lpOut = parseUnits(doc.quote.lpOut, 6, "lpOut");
    expect((await tokenBalance(lp.value[0].pubkey)).toString()).to.equal("0");
    // Redeeming before claiming is refused with what to do: wait (in cooldown) or claim (after it).
    const record = (await fetchLpAccount(program, lpAccountPda(pool(), user.publicKey, program.programId)[0]))!;
    const early = await perpool("redeem", "--asset", "USDC", "--lp", "1");
    expect(early.code).to.equal(1);
    const clock = new BN((await connection.getBlockTime(await connection.getSlot("confirmed"))) ?? 0);
    expect(early.stderr).to.match(
      clock.lt(record.unlockTime)
        ? /in their cooldown until .*nothing was sent/
        : /claimable: run `perpool claim` first; nothing was sent/,
    );
    // Once the cluster's clock passes the unlock time, `claim` moves them to the wallet.
    await waitFor(
      async () =>
        new BN((await connection.getBlockTime(await connection.getSlot("confirmed"))) ?? 0).gte(
          record.unlockTime.addn(1),
        ),
      "the LP cooldown",
      20_000,
    );
    await setPrices();
    const claimed = await perpool("claim", "--json");
    expect(claimed.code, claimed.stderr).to.equal(0);
    expect(JSON.parse(claimed.stdout).events).to.deep.equal(["lpClaimed"]);
    expect((await tokenBalance(lp.value[0].pubkey)).toString()).to.equal(lpOut.toString());

    // And redeems a tenth of them for USDC, as quoted.
    const usdcBefore = await tokenBalance(tokens.USDC);
    const lpIn = lpOut.divn(10);
    const redeemed = await perpool("redeem", "--asset", "USDC", "--lp", formatUnits(lpIn, 6), "--json");
    expect(redeemed.code, redeemed.stderr).to.equal(0);
    const rdoc = JSON.parse(redeemed.stdout);
    expect(rdoc.events).to.deep.equal(["liquidityRemoved"]);
    expect((await tokenBalance(tokens.USDC)).sub(usdcBefore).toString()).to.equal(
      parseUnits(rdoc.quote.amountOut, 6, "amountOut").toString(),
    );
    expect((await tokenBalance(lp.value[0].pubkey)).toString()).to.equal(lpOut.sub(lpIn).toString());
  });

  it("opens a long and closes it, printing the quotes first", async () => {
    const key = positionPda(user.publicKey, pool(), custody("SOL"), custody("USDC"), Side.LONG, program.programId)[0];
    const args = ["--market", "SOL", "--side", "long", "--collateral", "USDC"];
    const opened = await perpool("open", ...args, "--amount", "1000", "--size-usd", "5000");
    expect(opened.code, opened.stderr).to.equal(0);
    expect(opened.stdout).to.match(/Open long SOL on USDC collateral/);
    expect(opened.stdout).to.match(/Entry price\s+\$150\.\d+ \(worst accepted \$151\.\d+\)/);
    expect(opened.stdout).to.match(/Leverage\s+5\.\d+x/);
    expect(opened.stdout).to.match(/sent: \S+\nevents: positionIncreased/);
    const p = (await fetchPosition(program, key))!;
    expect(p.sizeUsd.toString()).to.equal("5000000000");

    const before = await tokenBalance(tokens.USDC);
    const closed = await perpool("close", ...args, "--json");
    expect(closed.code, closed.stderr).to.equal(0);
    const doc = JSON.parse(closed.stdout);
    expect(doc.quote.fullClose).to.equal(true);
    expect(doc.events).to.deep.equal(["positionDecreased"]);
    expect(await fetchPosition(program, key)).to.equal(null);
    const out = (await tokenBalance(tokens.USDC)).sub(before);
    const quoted = parseUnits(doc.quote.amountOut, 6, "amountOut");
    // Quoted at the cluster clock; it may land a second later (borrow fee and funding to the second).
    expect(out.sub(quoted).abs().lte(quoted.divn(1_000)), `out ${out} quoted ${quoted}`).to.equal(true);
  });

  it("refuses bad amounts with a clear message and exit code 2, sending nothing", async () => {
    const sent = await signatures(user.publicKey);
    const usdc = await tokenBalance(tokens.USDC);
    const cases: [string[], RegExp][] = [
      [["deposit", "--asset", "USDC", "--amount", "-5"], /--amount -5: must not be negative/],
      [["deposit", "--asset", "USDC", "--amount", "12.3456789"], /--amount 12\.3456789: at most 6 decimals for USDC/],
      [["deposit", "--asset", "USDC", "--amount", "ten"], /--amount "ten" is not a number/],
      [["deposit", "--asset", "USDC", "--amount", "0"], /--amount 0: must be greater than 0/],
      [
        ["open", "--market", "SOL", "--side", "long", "--amount", "1", "--size-usd", "1e3"],
        /--size-usd "1e3" is not a number/,
      ],
      [
        ["deposit", "--asset", "DOGE", "--amount", "1"],
        /--asset DOGE: not an asset of this pool \(known: SOL, BTC, ETH, USDC\)/,
      ],
      [
        ["open", "--market", "SOL", "--side", "sideways", "--amount", "1", "--size-usd", "10"],
        /--side must be one of long, short/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await perpool(...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).to.equal(2);
      expect(r.stderr, args.join(" ")).to.match(message);
      expect(r.stdout, "no quote printed for a refused amount").to.not.match(/sent:/);
    }
    expect(await signatures(user.publicKey), "nothing was sent").to.deep.equal(sent);
    expect((await tokenBalance(tokens.USDC)).toString()).to.equal(usdc.toString());
  });

  it("--dry-run prints the quote and sends nothing", async () => {
    const sent = await signatures(user.publicKey);
    const r = await perpool(
      "open",
      "--market",
      "SOL",
      "--side",
      "short",
      "--collateral",
      "USDC",
      "--amount",
      "500",
      "--size-usd",
      "2000",
      "--dry-run",
      "--json",
    );
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.dryRun).to.equal(true);
    expect(doc.signature).to.equal(null);
    expect(doc.quote.sizeUsdAfter).to.equal("2000");
    const key = positionPda(user.publicKey, pool(), custody("SOL"), custody("USDC"), Side.SHORT, program.programId)[0];
    expect(await fetchPosition(program, key)).to.equal(null);
    expect(await signatures(user.publicKey)).to.deep.equal(sent);
  });

  it("perpool-keeper --once --json scans the deployment's pool by name", async () => {
    const keeperFile = path.join(dir, "keeper.json");
    const r = await runBin("perpool-keeper", [
      "--url",
      cluster.url,
      "--data-dir",
      dir,
      "--pool",
      deployment.pool.name,
      "--keypair",
      keeperFile,
      "--create-keypair",
      "--airdrop-sol",
      "1",
      "--once",
      "--json",
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const jsonStart = r.stdout.indexOf("{");
    const doc = JSON.parse(r.stdout.slice(jsonStart));
    expect(doc.dryRun).to.equal(false);
    expect(doc.actions).to.deep.equal([]);
    expect(r.stdout).to.match(/airdropped 1 SOL to keeper \S+/);
    expect(r.stdout).to.match(new RegExp(`scan pool ${deployment.pool.address} positions=\\d+ orders=\\d+ loans=\\d+`));
    expect(fs.existsSync(keeperFile)).to.equal(true);
    const bad = await runBin("perpool-keeper", [
      "--url",
      cluster.url,
      "--pool",
      deployment.pool.address,
      "--keypair",
      keeperFile,
      "--interval-ms",
      "fast",
    ]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--interval-ms must be a whole number/);
  });

  it("params: proposes, lists and executes a custody change (the local pool's timelock is 0); after a raise a pool change waits, and is cancelled", async () => {
    // In process (the bin shims are exercised above): the same `main`, without a process per command.
    const run = async (args: string[]): Promise<Run> => {
      let stdout = "";
      let stderr = "";
      const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      return { code, stdout, stderr };
    };
    const perpool = (...args: string[]) => run([...args, ...common()]);
    const asAdmin = (...args: string[]) => run([...args, ...common(adminFile)]);
    const json = (r: Run) => {
      expect(r.code, r.stderr).to.equal(0);
      return JSON.parse(r.stdout);
    };
    // Refused before anything is sent: a non-admin, an unknown setting, nothing to change.
    const stranger = await perpool("params", "propose-custody", "--asset", "SOL", "--set", "openFeeBps=9");
    expect([stranger.code, stranger.stderr]).to.satisfy(
      ([c, e]: [number, string]) => c === 1 && /is not the admin/.test(e),
    );
    const unknown = await asAdmin("params", "propose-custody", "--asset", "SOL", "--set", "noSuchSetting=1");
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/noSuchSetting: not a setting of CustodyParams or RiskParams/);
    // Out of bounds: the program's named error.
    const oob = await asAdmin("params", "propose-custody", "--asset", "SOL", "--set", "openFeeBps=1001");
    expect(oob.code).to.equal(1);
    expect(oob.stderr).to.match(/FeeAboveCap \(6129\)/);

    // Propose a fee and a funding change, see it listed as due, execute it.
    const proposed = json(
      await asAdmin(
        "params",
        "propose-custody",
        "--asset",
        "SOL",
        "--set",
        "openFeeBps=9,fundingFactor=1000",
        "--json",
      ),
    );
    expect(proposed.events).to.deep.equal(["custodyParamsProposed"]);
    expect(proposed.changes.map((c: { field: string; to: string }) => `${c.field}=${c.to}`)).to.deep.equal([
      "params.openFeeBps=9",
      "risk.fundingFactor=1000",
    ]);
    const listed = json(await perpool("params", "list", "--json"));
    expect(listed.timelockSecs).to.equal(0);
    expect(
      listed.proposals.map((p: { proposal: string; target: string; due: boolean }) => [p.proposal, p.target, p.due]),
    ).to.deep.equal([[proposed.proposal, "SOL", true]]);
    const executed = json(await asAdmin("params", "execute", "--proposal", proposed.proposal, "--json"));
    expect(executed.events).to.deep.equal(["custodyParamsExecuted"]);
    const sol = await fetchCustody(program, custody("SOL"));
    expect([sol.openFeeBps, sol.fundingFactor.toString()]).to.deep.equal([9, "1000"]);

    // Move SOL to its feed's account of another shard: the proposal names the account the new shard
    // derives (no --oracle), and the custody reads it once executed; then back, so later tests' prices land.
    const feedId = Buffer.from(asset("SOL").feedId, "hex");
    const moveTo = async (shard: number) => {
      const moved = json(
        await asAdmin("params", "propose-custody", "--asset", "SOL", "--set", `oracleShard=${shard}`, "--json"),
      );
      const [account] = priceFeedPda(feedId, shard);
      expect(moved.changes.map((c: { field: string; to: string }) => `${c.field}=${c.to}`)).to.deep.equal([
        `oracle=${account.toBase58()}`,
        `params.oracleShard=${shard}`,
      ]);
      json(await asAdmin("params", "execute", "--proposal", moved.proposal, "--json"));
      const c = await fetchCustody(program, custody("SOL"));
      expect([c.oracle.toBase58(), c.oracleShard]).to.deep.equal([account.toBase58(), shard]);
    };
    const home = asset("SOL").shard;
    // A shard of its own, never 0 (where a running price feed publishes).
    const away = home === 65_535 ? home - 1 : home + 1;
    await program.provider.sendAndConfirm!(
      new Transaction().add(
        distinctIx(),
        publishPriceIx({ authority: admin.publicKey, feedId, shard: away, price: new BN(150e8), exponent: -8 }),
      ),
      [],
    );
    await moveTo(away);
    await moveTo(home);

    // Raise the timelock to an hour: a pool change now waits, and is cancelled.
    json(await asAdmin("params", "raise-timelock", "--seconds", "3600", "--json"));
    const pool = json(await asAdmin("params", "propose-pool", "--set", "maxAumUsd=5000000000000", "--json"));
    const early = await asAdmin("params", "execute", "--proposal", pool.proposal);
    expect(early.code).to.equal(1);
    expect(early.stderr).to.match(/is executable at \S+, not yet/);
    expect(json(await asAdmin("params", "cancel", "--proposal", pool.proposal, "--json")).events).to.deep.equal([
      "poolParamsCancelled",
    ]);
    const after = json(await perpool("params", "list", "--json"));
    expect([after.timelockSecs, after.proposals]).to.deep.equal([3600, []]);
  });
});
