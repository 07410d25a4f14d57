/**
 * Foundation instructions end to end: SDK builder → transaction → program on
 * LiteSVM. Each success path checks the resulting accounts and event; each
 * validation has a negative test asserting the exact error and that every
 * touched account is byte-for-byte unchanged.
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  BPF_LOADER_UPGRADEABLE_PROGRAM_ID,
  OracleKind,
  PERPOOL_PROGRAM_ID,
  PauseFlags,
  PYTH_PUSH_ORACLE_PROGRAM_ID,
  PYTH_RECEIVER_PROGRAM_ID,
  custodyOracleAddress,
  acceptAdminIx,
  addCustodyIx,
  configPda,
  createMint,
  fetchConfig,
  fetchCustody,
  fetchPool,
  poolCustodies,
  poolCustodySlots,
  createPoolIx,
  custodyAddresses,
  defaultCustodyParams,
  defaultPoolParams,
  initConfigIx,
  lpMintPda,
  poolPda,
  priceFeedPda,
  programDataPda,
  proposeAdminIx,
  setPauseIx,
  lpEscrowPda,
} from "../sdk/src";
import { publishPrice, testFeedId } from "./fixtures";
import { pythData } from "./world";
import {
  Ctx,
  expectAnchorError,
  expectProgramError,
  freshCtx,
  fundedKeypair,
  send,
  withAccount,
  withData,
  withoutAccounts,
  nonCanonical,
} from "./helpers";

const ZERO = PublicKey.default;

async function withConfig(): Promise<Ctx> {
  const ctx = freshCtx();
  await send(ctx, [await initConfigIx(ctx.program, ctx.admin.publicKey)]);
  return ctx;
}

async function withPool(name = "main") {
  const ctx = await withConfig();
  const [pool] = poolPda(name);
  await send(ctx, [await createPoolIx(ctx.program, { admin: ctx.admin.publicKey, name, params: defaultPoolParams() })]);
  return { ctx, pool };
}

/** A published price feed (the publisher's PDA of the feed), and custody parameters naming its feed. */
async function publishedFeed(ctx: Ctx, symbol = "SOL", price = 150) {
  const feedId = testFeedId(symbol);
  await publishPrice(ctx, feedId, price);
  return {
    oracle: priceFeedPda(feedId)[0],
    params: (o: object = {}) => defaultCustodyParams({ feedId: Array.from(feedId), ...o }),
  };
}

async function newMint(ctx: Ctx, decimals = 9): Promise<PublicKey> {
  return createMint(ctx.provider, decimals, ctx.admin.publicKey);
}

/** A `PriceUpdateV2`-sized account owned by the Pyth receiver (content is checked when prices are read). */
function fakePythAccount(ctx: Ctx, owner = PYTH_RECEIVER_PROGRAM_ID): PublicKey {
  const key = Keypair.generate().publicKey;
  ctx.provider.setAccount(key, { lamports: 10_000_000, data: Buffer.alloc(134), owner, executable: false });
  return key;
}

describe("init_config", () => {
  it("creates the config with the upgrade authority as admin and emits ConfigInitialized", async () => {
    const ctx = freshCtx();
    const ix = await initConfigIx(ctx.program, ctx.admin.publicKey);
    // The program and its ProgramData account are passed, as the loader laid them out.
    expect(ix.keys.map((k) => k.pubkey.toBase58())).to.deep.equal(
      [ctx.admin.publicKey, configPda()[0], PERPOOL_PROGRAM_ID, programDataPda()[0], SystemProgram.programId].map((k) =>
        k.toBase58(),
      ),
    );
    const { events } = await send(ctx, [ix]);
    const [, bump] = configPda();
    const cfg = await fetchConfig(ctx.program);
    expect(cfg.version).to.equal(1);
    expect(cfg.bump).to.equal(bump);
    expect(cfg.admin.toBase58()).to.equal(ctx.admin.publicKey.toBase58());
    expect(cfg.pendingAdmin.toBase58()).to.equal(ZERO.toBase58());
    expect(cfg.pauseFlags).to.equal(0);
    expect(events.map((e) => e.name)).to.deep.equal(["configInitialized"]);
    expect(events[0].data.admin.toBase58()).to.equal(ctx.admin.publicKey.toBase58());
  });

  it("refuses a signer that is not the program's upgrade authority, and follows the authority when it changes", async () => {
    const ctx = freshCtx();
    const other = fundedKeypair(ctx);
    const watch = [configPda()[0], other.publicKey, programDataPda()[0]];
    await expectProgramError(ctx, [await initConfigIx(ctx.program, other.publicKey)], "NotUpgradeAuthority", watch, [
      other,
    ]);
    // The loader's set-upgrade-authority rewrites the ProgramData header: now `other` may, the admin may not.
    setUpgradeAuthority(ctx, other.publicKey);
    await expectProgramError(ctx, [await initConfigIx(ctx.program, ctx.admin.publicKey)], "NotUpgradeAuthority", watch);
    await send(ctx, [await initConfigIx(ctx.program, other.publicKey)], [other]);
    expect((await fetchConfig(ctx.program)).admin.toBase58()).to.equal(other.publicKey.toBase58());
  });

  it("refuses an immutable program (no upgrade authority): nobody can initialize it", async () => {
    const ctx = freshCtx({ upgradeAuthority: null });
    // (The admin pays the fee, so its lamports are not watched.)
    const watch = [configPda()[0], programDataPda()[0]];
    await expectProgramError(
      ctx,
      [await initConfigIx(ctx.program, ctx.admin.publicKey)],
      "ProgramNotUpgradeable",
      watch,
    );
    expect(ctx.provider.getAccount(configPda()[0])).to.equal(null);
  });

  it("refuses a ProgramData account other than the one the program names, and another program's account", async () => {
    const ctx = freshCtx();
    const admin = ctx.admin.publicKey;
    const base = await initConfigIx(ctx.program, admin);
    // A loader-owned look-alike whose header names the signer: refused, the program account names another.
    const real = ctx.provider.getAccount(programDataPda()[0])!;
    const lookAlike = Keypair.generate().publicKey;
    ctx.provider.setAccount(lookAlike, {
      lamports: real.lamports,
      data: Buffer.from(real.data),
      owner: BPF_LOADER_UPGRADEABLE_PROGRAM_ID,
    });
    const copyElsewhere = Keypair.generate().publicKey;
    ctx.provider.setAccount(copyElsewhere, {
      lamports: real.lamports,
      data: Buffer.from(real.data),
      owner: SystemProgram.programId,
    });
    const watch = [configPda()[0], lookAlike, copyElsewhere, programDataPda()[0]];
    await expectProgramError(ctx, [withAccount(base, 3, { pubkey: lookAlike })], "InvalidProgramData", watch);
    await expectProgramError(ctx, [withAccount(base, 3, { pubkey: copyElsewhere })], "InvalidProgramData", watch);
    // The publisher is an upgradeable program too, with its own ProgramData: not this program.
    const publisherData = programDataPda(PYTH_RECEIVER_PROGRAM_ID)[0];
    const other = withAccount(withAccount(base, 2, { pubkey: PYTH_RECEIVER_PROGRAM_ID }), 3, { pubkey: publisherData });
    await expectProgramError(ctx, [other], "InvalidProgramData", [...watch, publisherData]);
    // The ProgramData account in the program's slot.
    await expectProgramError(ctx, [withAccount(base, 2, { pubkey: programDataPda()[0] })], "InvalidProgramData", watch);
  });

  it("refuses re-initialisation", async () => {
    const ctx = await withConfig();
    const ix = await initConfigIx(ctx.program, ctx.admin.publicKey);
    await expectProgramError(ctx, [ix], "AlreadyInitialized", [configPda()[0]]);
  });

  it("refuses a config address that is not the PDA", async () => {
    const ctx = freshCtx();
    const fake = Keypair.generate();
    const ix = withAccount(await initConfigIx(ctx.program, ctx.admin.publicKey), 1, { pubkey: fake.publicKey });
    await expectProgramError(ctx, [ix], "InvalidPda", [fake.publicKey, configPda()[0]]);
  });

  it("refuses an admin that did not sign", async () => {
    const ctx = freshCtx();
    const other = fundedKeypair(ctx);
    const ix = withAccount(await initConfigIx(ctx.program, other.publicKey), 0, { isSigner: false });
    await expectProgramError(ctx, [ix], "MissingSigner", [configPda()[0], other.publicKey]);
  });

  it("refuses a read-only config and a fake system program", async () => {
    const ctx = freshCtx();
    const base = await initConfigIx(ctx.program, ctx.admin.publicKey);
    await expectProgramError(ctx, [withAccount(base, 1, { isWritable: false })], "AccountNotWritable", [
      configPda()[0],
    ]);
    const fakeSystem = withAccount(base, 4, { pubkey: PYTH_RECEIVER_PROGRAM_ID });
    await expectProgramError(ctx, [fakeSystem], "InvalidSystemProgram", [configPda()[0]]);
  });

  it("refuses missing accounts, trailing data, short data and unknown instructions", async () => {
    const ctx = freshCtx();
    const base = await initConfigIx(ctx.program, ctx.admin.publicKey);
    const watch = [configPda()[0]];
    await expectProgramError(ctx, [withoutAccounts(base, 4)], "NotEnoughAccounts", watch);
    await expectProgramError(
      ctx,
      [withData(base, Buffer.concat([base.data, Buffer.from([0])]))],
      "InvalidInstructionData",
      watch,
    );
    await expectProgramError(ctx, [withData(base, base.data.subarray(0, 5))], "InvalidInstructionData", watch);
    await expectProgramError(ctx, [withData(base, Buffer.alloc(8, 7))], "InvalidInstructionData", watch);
  });
});

/** What the loader's set-upgrade-authority does to the ProgramData header (bytes 12..45). */
function setUpgradeAuthority(ctx: Ctx, authority: PublicKey | null): void {
  const [address] = programDataPda();
  const a = ctx.provider.getAccount(address)!;
  const data = Buffer.from(a.data);
  data[12] = authority ? 1 : 0;
  (authority ? authority.toBuffer() : Buffer.alloc(32)).copy(data, 13);
  ctx.provider.setAccount(address, { lamports: a.lamports, data, owner: a.owner });
}

describe("create_pool", () => {
  it("creates the pool and its LP mint with the pool as mint authority", async () => {
    const ctx = await withConfig();
    const name = "main";
    const params = defaultPoolParams({ maxAumUsd: new BN("5000000000000") });
    const ix = await createPoolIx(ctx.program, { admin: ctx.admin.publicKey, name, params });
    const { events } = await send(ctx, [ix]);
    const [pool, bump] = poolPda(name);
    const [lpMint, lpBump] = lpMintPda(pool);
    const p = await fetchPool(ctx.program, pool);
    expect(p.version).to.equal(1);
    expect(p.bump).to.equal(bump);
    expect(p.lpMintBump).to.equal(lpBump);
    expect(p.reserved0).to.equal(0);
    expect(Buffer.from(p.name.slice(0, p.nameLen)).toString()).to.equal(name);
    expect(p.lpMint.toBase58()).to.equal(lpMint.toBase58());
    expect(p.custodyCount).to.equal(0);
    expect([p.lpFeeShareBps, p.protocolFeeShareBps, p.insuranceFeeShareBps]).to.deep.equal([7000, 2000, 1000]);
    expect([p.adlThresholdBps, p.adlFloorBps]).to.deep.equal([8500, 7700]);
    expect(p.maxAumUsd.toString()).to.equal("5000000000000");
    expect(p.inceptionTime.toString()).to.equal(ctx.provider.getClock().unixTimestamp.toString());

    const mint = decodeMint(ctx.provider.getAccountRaw(lpMint)!);
    expect(mint).to.deep.equal({
      authority: pool.toBase58(),
      supply: 0n,
      decimals: 6,
      initialized: true,
      freeze: false,
    });

    expect(events.map((e) => e.name)).to.deep.equal(["poolCreated"]);
    expect(events[0].data.pool.toBase58()).to.equal(pool.toBase58());
    expect(events[0].data.name).to.equal(name);
    expect(events[0].data.lpMint.toBase58()).to.equal(lpMint.toBase58());
    expect(Object.keys(events[0].data).sort()).to.deep.equal(["lpMint", "name", "pool", "time"]);
  });

  it("is admin only", async () => {
    const ctx = await withConfig();
    const other = fundedKeypair(ctx);
    const ix = await createPoolIx(ctx.program, { admin: other.publicKey, name: "x", params: defaultPoolParams() });
    const [pool] = poolPda("x");
    await expectProgramError(ctx, [ix], "Unauthorized", [pool, lpMintPda(pool)[0], configPda()[0]], [other]);
    // The same refusal through anchor's .rpc() path, translated from the IDL's errors.
    await expectAnchorError(
      ctx.program.methods
        .createPool("x", defaultPoolParams())
        .accountsStrict({
          admin: other.publicKey,
          config: configPda()[0],
          pool,
          lpMint: lpMintPda(pool)[0],
          lpEscrow: lpEscrowPda(pool)[0],
          tokenProgram: new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"),
          systemProgram: SystemProgram.programId,
        })
        .signers([other])
        .rpc(),
      "Unauthorized",
    );
  });

  it("refuses an unsigned admin, wrong PDAs, a duplicate name and a bad token program", async () => {
    const { ctx, pool } = await withPool("main");
    const base = await createPoolIx(ctx.program, {
      admin: ctx.admin.publicKey,
      name: "two",
      params: defaultPoolParams(),
    });
    const [pool2] = poolPda("two");
    const watch = [pool, pool2, lpMintPda(pool2)[0], configPda()[0]];
    const other = fundedKeypair(ctx);
    const unsigned = withAccount(
      await createPoolIx(ctx.program, { admin: other.publicKey, name: "two", params: defaultPoolParams() }),
      0,
      { isSigner: false },
    );
    await expectProgramError(ctx, [unsigned], "MissingSigner", watch);
    const wrongPool = Keypair.generate();
    await expectProgramError(ctx, [withAccount(base, 2, { pubkey: wrongPool.publicKey })], "InvalidPda", [
      ...watch,
      wrongPool.publicKey,
    ]);
    const wrongMint = Keypair.generate();
    await expectProgramError(ctx, [withAccount(base, 3, { pubkey: wrongMint.publicKey })], "InvalidPda", [
      ...watch,
      wrongMint.publicKey,
    ]);
    const wrongEscrow = Keypair.generate();
    await expectProgramError(ctx, [withAccount(base, 4, { pubkey: wrongEscrow.publicKey })], "InvalidPda", [
      ...watch,
      wrongEscrow.publicKey,
    ]);
    await expectProgramError(
      ctx,
      [withAccount(base, 5, { pubkey: SystemProgram.programId })],
      "InvalidTokenProgram",
      watch,
    );
    await expectProgramError(
      ctx,
      [withAccount(base, 6, { pubkey: ctx.admin.publicKey })],
      "InvalidSystemProgram",
      watch,
    );
    const dup = await createPoolIx(ctx.program, {
      admin: ctx.admin.publicKey,
      name: "main",
      params: defaultPoolParams(),
    });
    await expectProgramError(ctx, [dup], "AlreadyInitialized", watch);
  });

  it("refuses a forged config (not owned by the program)", async () => {
    const ctx = await withConfig();
    const forged = Keypair.generate().publicKey;
    const real = ctx.provider.getAccount(configPda()[0])!;
    ctx.provider.setAccount(forged, {
      lamports: real.lamports,
      data: Buffer.from(real.data),
      owner: SystemProgram.programId,
      executable: false,
    });
    const ix = withAccount(
      await createPoolIx(ctx.program, { admin: ctx.admin.publicKey, name: "f", params: defaultPoolParams() }),
      1,
      { pubkey: forged },
    );
    await expectProgramError(ctx, [ix], "InvalidAccountOwner", [forged, poolPda("f")[0]]);
  });

  it("refuses bad names and parameters", async () => {
    const ctx = await withConfig();
    const admin = ctx.admin.publicKey;
    const [pool] = poolPda("p");
    const watch = [pool, lpMintPda(pool)[0]];
    const bad = (o: object) => createPoolIx(ctx.program, { admin, name: "p", params: defaultPoolParams(o) });
    await expectProgramError(ctx, [await bad({ lpFeeShareBps: 7001 })], "InvalidPoolParams", watch);
    await expectProgramError(ctx, [await bad({ adlFloorBps: 8500 })], "InvalidPoolParams", watch);
    await expectProgramError(
      ctx,
      [await bad({ adlThresholdBps: 10001, adlFloorBps: 100 })],
      "InvalidPoolParams",
      watch,
    );
    // Names are 1..=32 bytes: encode them by hand, the SDK refuses to derive such PDAs.
    const good = await bad({});
    const encoded = (name: string) =>
      withData(
        good,
        Buffer.from(ctx.program.coder.instruction.encode("createPool", { name, params: defaultPoolParams() })),
      );
    await expectProgramError(ctx, [encoded("")], "InvalidPoolName", watch);
    await expectProgramError(ctx, [encoded("x".repeat(33))], "InvalidPoolName", watch);
  });

  it("refuses new pools while listing is paused", async () => {
    const ctx = await withConfig();
    await send(ctx, [await setPauseIx(ctx.program, ctx.admin.publicKey, PauseFlags.LISTING)]);
    const ix = await createPoolIx(ctx.program, { admin: ctx.admin.publicKey, name: "p", params: defaultPoolParams() });
    const [pool] = poolPda("p");
    await expectProgramError(ctx, [ix], "Paused", [pool, lpMintPda(pool)[0]]);
    await send(ctx, [await setPauseIx(ctx.program, ctx.admin.publicKey, PauseFlags.NONE)]);
    await send(ctx, [ix]);
    expect(ctx.provider.getAccount(pool)).to.not.equal(null);
  });
});

describe("add_custody", () => {
  it("adds a custody priced by a published PriceUpdateV2: custody, vault owned by the pool, pool slot, event", async () => {
    const { ctx, pool } = await withPool();
    const mint = await newMint(ctx, 9);
    const feed = await publishedFeed(ctx);
    const params = feed.params({ spreadBps: 5, targetWeightBps: 4000, minWeightBps: 1000, maxWeightBps: 6000 });
    const { events } = await send(ctx, [
      await addCustodyIx(ctx.program, { admin: ctx.admin.publicKey, pool, mint, params, pythOracle: feed.oracle }),
    ]);
    const { custody, vault } = custodyAddresses(pool, mint, ctx.program.programId);

    const c: Record<string, any> = await fetchCustody(ctx.program, custody);
    expect(c.version).to.equal(1);
    expect(c.pool.toBase58()).to.equal(pool.toBase58());
    expect(c.mint.toBase58()).to.equal(mint.toBase58());
    expect(c.vault.toBase58()).to.equal(vault.toBase58());
    expect(c.oracle.toBase58()).to.equal(feed.oracle.toBase58());
    expect(c.feedId).to.deep.equal(params.feedId);
    expect(c.decimals).to.equal(9);
    expect(c.oracleKind).to.equal(OracleKind.PYTH);
    expect([c.spreadBps, c.targetWeightBps, c.minWeightBps, c.maxWeightBps]).to.deep.equal([5, 4000, 1000, 6000]);
    expect([c.baseFeeBps, c.taxFeeBps, c.openFeeBps, c.closeFeeBps]).to.deep.equal([25, 50, 6, 6]);
    expect(c.maxLeverageBps).to.equal(500_000);
    expect(c.slope1.toString()).to.equal(params.slope1.toString());
    expect(c.minCollateralUsd.toString()).to.equal("10000000");
    expect(c.borrowIndex.toString()).to.equal("1000000000000");
    expect(c.supplyIndex.toString()).to.equal("1000000000000");
    expect(c.lastAccrual.toString()).to.equal(ctx.provider.getClock().unixTimestamp.toString());
    for (const f of [
      "owned",
      "locked",
      "collateral",
      "loanCollateral",
      "lent",
      "protocolFees",
      "insurance",
      "longOiUsd",
      "shortOiUsd",
    ]) {
      expect(c[f].toString(), f).to.equal("0");
    }

    const v = decodeTokenAccount(ctx.provider.getAccountRaw(vault)!);
    expect(v).to.deep.equal({ mint: mint.toBase58(), owner: pool.toBase58(), amount: 0n });

    const p = await fetchPool(ctx.program, pool);
    expect(p.custodyCount).to.equal(1);
    expect(poolCustodies(p).map((k) => k.toBase58())).to.deep.equal([custody.toBase58()]);
    // The first custody also fills the unused slots, where an IDL client resolves a custody list.
    expect(poolCustodySlots(p).map((k) => k.toBase58())).to.deep.equal(Array(8).fill(custody.toBase58()));

    expect(events.map((e) => e.name)).to.deep.equal(["custodyAdded"]);
    const ev = events[0].data;
    expect([ev.pool, ev.custody, ev.mint, ev.vault, ev.oracle].map((k: PublicKey) => k.toBase58())).to.deep.equal(
      [pool, custody, mint, vault, feed.oracle].map((k) => k.toBase58()),
    );
    expect([ev.oracleKind, ev.isStable, ev.decimals]).to.deep.equal([OracleKind.PYTH, false, 9]);
  });

  it("lists with the feed account its settings name (any shard, any deriving program), refusing any other", async () => {
    const { ctx, pool } = await withPool("prod");
    const mint = await newMint(ctx, 6);
    const feedId = Array.from({ length: 32 }, (_, i) => i + 1);
    // Shard 3 of Pyth's push oracle: the account a public cluster would name.
    const params = defaultCustodyParams({
      oracleKind: OracleKind.PYTH,
      isStable: true,
      feedId,
      oracleShard: 3,
      oracleProgram: PYTH_PUSH_ORACLE_PROGRAM_ID,
    });
    const oracle = custodyOracleAddress(params);
    const [, bump] = priceFeedPda(feedId, 3, PYTH_PUSH_ORACLE_PROGRAM_ID);
    const clock = new BN(ctx.provider.getClock().unixTimestamp.toString());
    /** A fully verified price of the feed at `key` (unless `o` says otherwise). */
    const at = (key: PublicKey, o: { data?: Buffer; partial?: boolean } = {}) => {
      ctx.provider.setAccount(key, {
        lamports: 10_000_000,
        data: o.data ?? pythData(Buffer.from(feedId), 1, clock, { partial: o.partial }),
        owner: PYTH_RECEIVER_PROGRAM_ID,
        executable: false,
      });
      return key;
    };
    const { custody, vault } = custodyAddresses(pool, mint, ctx.program.programId);
    const shardBytes = Buffer.from([3, 0]);
    // Receiver accounts at every other address: a key of no seeds, the feed's other shard, the same seeds
    // of the receiver, another feed, and the same seeds at a lower (non-canonical) bump.
    const others = [
      Keypair.generate().publicKey,
      priceFeedPda(feedId, 0, PYTH_PUSH_ORACLE_PROGRAM_ID)[0],
      priceFeedPda(feedId, 3, PYTH_RECEIVER_PROGRAM_ID)[0],
      priceFeedPda(
        feedId.map((b) => b ^ 1),
        3,
        PYTH_PUSH_ORACLE_PROGRAM_ID,
      )[0],
      nonCanonical([shardBytes, Buffer.from(feedId)], bump, PYTH_PUSH_ORACLE_PROGRAM_ID).address,
    ].map((key) => at(key));
    for (const other of others) {
      const ix = await addCustodyIx(ctx.program, { admin: ctx.admin.publicKey, pool, mint, params, pythOracle: other });
      await expectProgramError(ctx, [ix], "OracleNotFeedAccount", [pool, custody, vault, other]);
    }
    // The right address, but not a fully verified price of the feed.
    const list = async () => addCustodyIx(ctx.program, { admin: ctx.admin.publicKey, pool, mint, params });
    at(oracle, { data: Buffer.alloc(134) });
    await expectProgramError(ctx, [await list()], "InvalidOracleAccount", [pool, custody, vault, oracle]);
    at(oracle, { partial: true });
    await expectProgramError(ctx, [await list()], "OracleNotFullyVerified", [pool, custody, vault, oracle]);
    at(oracle);
    await send(ctx, [await list()]);
    const c: Record<string, any> = await fetchCustody(ctx.program, custody);
    expect(c.oracle.toBase58()).to.equal(oracle.toBase58());
    expect([c.oracleShard, c.oracleProgram.toBase58()]).to.deep.equal([3, PYTH_PUSH_ORACLE_PROGRAM_ID.toBase58()]);
    expect(c.feedId).to.deep.equal(feedId);
    expect(c.isStable).to.equal(1);
    expect(c.decimals).to.equal(6);
  });

  it("refuses every oracle kind but Pyth, and an oracle account with another owner", async () => {
    const { ctx, pool } = await withPool("prod");
    const mint = await newMint(ctx);
    const feed = await publishedFeed(ctx);
    const { custody, vault } = custodyAddresses(pool, mint, ctx.program.programId);
    const watch = [pool, custody, vault, feed.oracle];
    // Kind 1 was the removed test oracle; no kind but 0 (Pyth) exists.
    for (const oracleKind of [1, 2, 255]) {
      const ix = await addCustodyIx(ctx.program, {
        admin: ctx.admin.publicKey,
        pool,
        mint,
        params: feed.params({ oracleKind }),
        pythOracle: feed.oracle,
      });
      await expectProgramError(ctx, [ix], "UnsupportedOracleKind", watch);
    }
    const forged = fakePythAccount(ctx, SystemProgram.programId);
    const perpoolOwned = fakePythAccount(ctx, PERPOOL_PROGRAM_ID);
    for (const oracle of [forged, perpoolOwned, Keypair.generate().publicKey]) {
      const pythIx = await addCustodyIx(ctx.program, {
        admin: ctx.admin.publicKey,
        pool,
        mint,
        params: feed.params(),
        pythOracle: oracle,
      });
      await expectProgramError(ctx, [pythIx], "InvalidOracleAccount", [...watch, oracle]);
    }
  });

  it("is admin only and needs the admin's signature", async () => {
    const { ctx, pool } = await withPool();
    const mint = await newMint(ctx);
    const feed = await publishedFeed(ctx);
    const other = fundedKeypair(ctx);
    const { custody, vault } = custodyAddresses(pool, mint, ctx.program.programId);
    const watch = [pool, custody, vault, feed.oracle];
    const ix = await addCustodyIx(ctx.program, {
      admin: other.publicKey,
      pool,
      mint,
      params: feed.params(),
      pythOracle: feed.oracle,
    });
    await expectProgramError(ctx, [ix], "Unauthorized", watch, [other]);
    await expectProgramError(ctx, [withAccount(ix, 0, { isSigner: false })], "MissingSigner", watch);
  });

  it("refuses wrong PDAs for custody and vault, and an oracle that is not the receiver's", async () => {
    const { ctx, pool } = await withPool();
    const mint = await newMint(ctx);
    const feed = await publishedFeed(ctx);
    const { custody, vault } = custodyAddresses(pool, mint, ctx.program.programId);
    const base = await addCustodyIx(ctx.program, {
      admin: ctx.admin.publicKey,
      pool,
      mint,
      params: feed.params(),
      pythOracle: feed.oracle,
    });
    const watch = [pool, custody, vault, feed.oracle];
    for (const [index, error] of [
      [3, "InvalidPda"],
      [5, "InvalidPda"],
      [6, "InvalidOracleAccount"],
    ] as const) {
      const fake = Keypair.generate();
      await expectProgramError(ctx, [withAccount(base, index, { pubkey: fake.publicKey })], error, [
        ...watch,
        fake.publicKey,
      ]);
    }
  });

  it("refuses a mint that is not an SPL mint, the pool's LP mint, and a repeated mint", async () => {
    const { ctx, pool } = await withPool();
    const feed = await publishedFeed(ctx);
    const notMint = Keypair.generate().publicKey;
    ctx.provider.setAccount(notMint, {
      lamports: 10_000_000,
      data: Buffer.alloc(82),
      owner: SystemProgram.programId,
      executable: false,
    });
    const lpMint = lpMintPda(pool)[0];
    for (const mint of [notMint, lpMint]) {
      const { custody, vault } = custodyAddresses(pool, mint, ctx.program.programId);
      const ix = await addCustodyIx(ctx.program, {
        admin: ctx.admin.publicKey,
        pool,
        mint,
        params: feed.params(),
        pythOracle: feed.oracle,
      });
      await expectProgramError(ctx, [ix], "InvalidMint", [pool, custody, vault]);
    }
    const mint = await newMint(ctx);
    const ix = await addCustodyIx(ctx.program, {
      admin: ctx.admin.publicKey,
      pool,
      mint,
      params: feed.params(),
      pythOracle: feed.oracle,
    });
    await send(ctx, [ix]);
    const { custody } = custodyAddresses(pool, mint, ctx.program.programId);
    await expectProgramError(ctx, [ix], "AlreadyInitialized", [pool, custody]);
  });

  it("refuses invalid parameters, a read-only pool, a config passed as pool, and listing while paused", async () => {
    const { ctx, pool } = await withPool();
    const mint = await newMint(ctx);
    const feed = await publishedFeed(ctx);
    const { custody, vault } = custodyAddresses(pool, mint, ctx.program.programId);
    const watch = [pool, custody, vault, feed.oracle];
    const admin = ctx.admin.publicKey;
    // Each bound with its own error (the same bounds hold for settings proposals: tests/params.test.ts).
    const badParams: [object, string][] = [
      [{ minWeightBps: 3000, targetWeightBps: 2500 }, "InvalidWeights"],
      [{ maxWeightBps: 10_001 }, "InvalidWeights"],
      [{ baseFeeBps: 1001 }, "FeeAboveCap"],
      [{ maxLeverageBps: 9_999 }, "LeverageBeyondMargin"],
      [{ maintenanceMarginBps: 0 }, "LeverageBeyondMargin"],
      [{ maintenanceMarginBps: 200, maxLeverageBps: 500_000 }, "LeverageBeyondMargin"],
      [{ liquidationRewardBps: 44, closeFeeBps: 6 }, "LiquidationFeesAboveMargin"],
      [{ optimalUtilizationBps: 10_000 }, "InvalidRateCurve"],
      [{ slope2: new BN("100000000001") }, "InvalidRateCurve"],
      [{ oracleMaxAgeSecs: 0 }, "InvalidOracleLimits"],
      [{ oracleMaxAgeSecs: 3_601 }, "InvalidOracleLimits"],
      [{ oracleMaxConfBps: 1_001 }, "InvalidOracleLimits"],
      [{ oracleKind: 1 }, "UnsupportedOracleKind"],
      [{ closeFactorBps: 0 }, "InvalidCustodyParams"],
    ];
    for (const [o, error] of badParams) {
      const ix = await addCustodyIx(ctx.program, {
        admin,
        pool,
        mint,
        params: feed.params(o as any),
        pythOracle: feed.oracle,
      });
      await expectProgramError(ctx, [ix], error, watch);
    }
    const base = await addCustodyIx(ctx.program, { admin, pool, mint, params: feed.params(), pythOracle: feed.oracle });
    await expectProgramError(ctx, [withAccount(base, 2, { isWritable: false })], "AccountNotWritable", watch);
    await expectProgramError(ctx, [withAccount(base, 2, { pubkey: configPda()[0] })], "InvalidAccountData", watch);
    await send(ctx, [await setPauseIx(ctx.program, admin, PauseFlags.LISTING)]);
    await expectProgramError(ctx, [base], "Paused", watch);
  });

  it("holds at most 8 custodies", async () => {
    const { ctx, pool } = await withPool();
    const feed = await publishedFeed(ctx);
    for (let i = 0; i < 8; i++) {
      const mint = await newMint(ctx);
      await send(ctx, [
        await addCustodyIx(ctx.program, {
          admin: ctx.admin.publicKey,
          pool,
          mint,
          params: feed.params(),
          pythOracle: feed.oracle,
        }),
      ]);
    }
    const p = await fetchPool(ctx.program, pool);
    expect(p.custodyCount).to.equal(8);
    const mint = await newMint(ctx);
    const { custody } = custodyAddresses(pool, mint, ctx.program.programId);
    const ix = await addCustodyIx(ctx.program, {
      admin: ctx.admin.publicKey,
      pool,
      mint,
      params: feed.params(),
      pythOracle: feed.oracle,
    });
    await expectProgramError(ctx, [ix], "PoolFull", [pool, custody]);
  });
});

describe("propose_admin / accept_admin", () => {
  it("hands the admin role over in two steps", async () => {
    const ctx = await withConfig();
    const next = fundedKeypair(ctx);
    const [config] = configPda();
    const proposed = await send(ctx, [await proposeAdminIx(ctx.program, ctx.admin.publicKey, next.publicKey)]);
    let cfg = await fetchConfig(ctx.program);
    expect(cfg.pendingAdmin.toBase58()).to.equal(next.publicKey.toBase58());
    expect(cfg.admin.toBase58()).to.equal(ctx.admin.publicKey.toBase58());
    expect(proposed.events[0].name).to.equal("adminProposed");
    expect(proposed.events[0].data.pendingAdmin.toBase58()).to.equal(next.publicKey.toBase58());

    const accepted = await send(ctx, [await acceptAdminIx(ctx.program, next.publicKey)], [next]);
    cfg = await fetchConfig(ctx.program);
    expect(cfg.admin.toBase58()).to.equal(next.publicKey.toBase58());
    expect(cfg.pendingAdmin.toBase58()).to.equal(ZERO.toBase58());
    expect(accepted.events[0].name).to.equal("adminChanged");
    expect(accepted.events[0].data.oldAdmin.toBase58()).to.equal(ctx.admin.publicKey.toBase58());
    expect(accepted.events[0].data.newAdmin.toBase58()).to.equal(next.publicKey.toBase58());

    // The old admin has lost the role.
    const ix = await setPauseIx(ctx.program, ctx.admin.publicKey, PauseFlags.ALL);
    await expectProgramError(ctx, [ix], "Unauthorized", [config]);
  });

  it("refuses proposals by others, acceptance by others or with nothing pending", async () => {
    const ctx = await withConfig();
    const [config] = configPda();
    const other = fundedKeypair(ctx);
    const next = fundedKeypair(ctx);
    await expectProgramError(
      ctx,
      [await proposeAdminIx(ctx.program, other.publicKey, other.publicKey)],
      "Unauthorized",
      [config],
      [other],
    );
    await expectProgramError(
      ctx,
      [await acceptAdminIx(ctx.program, next.publicKey)],
      "NoPendingAdmin",
      [config],
      [next],
    );
    await send(ctx, [await proposeAdminIx(ctx.program, ctx.admin.publicKey, next.publicKey)]);
    await expectProgramError(
      ctx,
      [await acceptAdminIx(ctx.program, other.publicKey)],
      "Unauthorized",
      [config],
      [other],
    );
    const unsigned = withAccount(await acceptAdminIx(ctx.program, next.publicKey), 0, { isSigner: false });
    await expectProgramError(ctx, [unsigned], "MissingSigner", [config]);
    const readOnly = withAccount(await acceptAdminIx(ctx.program, next.publicKey), 1, { isWritable: false });
    await expectProgramError(ctx, [readOnly], "AccountNotWritable", [config], [next]);
  });
});

describe("set_pause", () => {
  it("sets and clears pause flags with an event", async () => {
    const ctx = await withConfig();
    const { events } = await send(ctx, [
      await setPauseIx(ctx.program, ctx.admin.publicKey, PauseFlags.TRADING | PauseFlags.LENDING),
    ]);
    expect((await fetchConfig(ctx.program)).pauseFlags).to.equal(6);
    expect(events[0].name).to.equal("pauseSet");
    expect(events[0].data.flags).to.equal(6);
    await send(ctx, [await setPauseIx(ctx.program, ctx.admin.publicKey, PauseFlags.NONE)]);
    expect((await fetchConfig(ctx.program)).pauseFlags).to.equal(0);
  });

  it("refuses unknown flags, other signers and a read-only config", async () => {
    const ctx = await withConfig();
    const [config] = configPda();
    const other = fundedKeypair(ctx);
    await expectProgramError(ctx, [await setPauseIx(ctx.program, ctx.admin.publicKey, 16)], "InvalidPauseFlags", [
      config,
    ]);
    await expectProgramError(
      ctx,
      [await setPauseIx(ctx.program, other.publicKey, 1)],
      "Unauthorized",
      [config],
      [other],
    );
    const ix = await setPauseIx(ctx.program, ctx.admin.publicKey, 1);
    await expectProgramError(ctx, [withAccount(ix, 1, { isWritable: false })], "AccountNotWritable", [config]);
  });
});

// --- SPL Token layouts (mint: 82 bytes, account: 165 bytes) ---

function decodeMint(d: Buffer) {
  return {
    authority: d.readUInt32LE(0) === 1 ? new PublicKey(d.subarray(4, 36)).toBase58() : null,
    supply: d.readBigUInt64LE(36),
    decimals: d[44],
    initialized: d[45] === 1,
    freeze: d.readUInt32LE(46) === 1,
  };
}

function decodeTokenAccount(d: Buffer) {
  return {
    mint: new PublicKey(d.subarray(0, 32)).toBase58(),
    owner: new PublicKey(d.subarray(32, 64)).toBase58(),
    amount: d.readBigUInt64LE(64),
  };
}

void anchor;
