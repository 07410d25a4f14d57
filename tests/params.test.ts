/**
 * Operators change settings, slowly (SPEC §4 `set_pool_params` / `set_custody_params`):
 * every pool and custody setting — risk parameters and the oracle account included — is
 * proposed, announced by an event, and executable only once the pool's timelock has
 * passed (LiteSVM's clock is warped, never waited for). Each refusal asserts its exact
 * error and that nothing changed.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  CustodyParams,
  CustodySettings,
  DEFAULT_TIMELOCK_SECS,
  IDL,
  OracleKind,
  PYTH_PUSH_ORACLE_PROGRAM_ID,
  PYTH_RECEIVER_PROGRAM_ID,
  priceFeedPda,
  PauseFlags,
  Side,
  addCustodyIx,
  cancelProposalIx,
  createMint,
  createPoolIx,
  custodyAddresses,
  custodySettingsOf,
  defaultCustodyParams,
  defaultPoolParams,
  defaultRiskParams,
  executeCustodyParamsIx,
  executePoolParamsIx,
  fetchConfig,
  fetchCustody,
  fetchPool,
  fetchPoolProposals,
  fetchProposal,
  findCustody,
  increasePositionIx,
  initConfigIx,
  nextProposalAddress,
  poolParamsOf,
  poolPda,
  proposalIsDue,
  proposalSettings,
  proposeAndExecuteCustodyParamsIxs,
  proposeCustodyParamsIx,
  proposePoolParamsIx,
  ProposalLayoutError,
  raiseTimelockIx,
  setPauseIx,
  settingsChanges,
  withSettings,
} from "../sdk/src";
import { syncSettings } from "../migrations/deploy";
import { AssetSpec, PoolFixture, fundedPool, now, units } from "./fixtures";
import { Ctx, expectProgramError, freshCtx, fundedKeypair, send, withAccount } from "./helpers";
import { pythData } from "./world";

const DAY = DEFAULT_TIMELOCK_SECS;
const USD = (n: number) => units(n, 6);
const MAX = new BN("18446744073709551615");

/** SOL and USDC at 40 % / 50 % targets (room for one custody to grow), a 24 h timelock, a 24 h config minimum. */
const ASSETS: AssetSpec[] = [
  { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 4000 } },
  { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5000 } },
];

async function timelocked(timelockSecs = DAY) {
  return fundedPool(ASSETS, { minTimelockSecs: DAY, poolParams: { timelockSecs } });
}

/** Moves the clock and republishes the prices (test oracles go stale after 60 s). */
async function warp(f: PoolFixture, secs: number): Promise<void> {
  f.ctx.provider.warpSeconds(secs);
  for (const a of Object.values(f.assets)) await f.setPrice(a.symbol, a.price);
}

const admin = (f: PoolFixture) => f.ctx.admin.publicKey;

/** Current settings of `symbol` with `change` applied. */
async function settings(
  f: PoolFixture,
  symbol: string,
  change: Parameters<typeof withSettings>[1],
): Promise<CustodySettings> {
  const state = await f.state();
  return withSettings(custodySettingsOf(findCustody(state, f.assets[symbol].custody).account), change);
}

/** Proposes new settings for `symbol`; returns the proposal's address and the event. */
async function propose(f: PoolFixture, symbol: string, change: Parameters<typeof withSettings>[1]) {
  const state = await f.state();
  const custody = f.assets[symbol].custody;
  const proposal = nextProposalAddress(state, custody, f.ctx.program.programId);
  const s = await settings(f, symbol, change);
  const { events } = await send(f.ctx, [
    await proposeCustodyParamsIx(f.ctx.program, state, { admin: admin(f), custody, settings: s }),
  ]);
  return { proposal, settings: s, events };
}

async function executeIx(f: PoolFixture, symbol: string, proposal: PublicKey, signer = admin(f)) {
  const s = (await fetchProposal(f.ctx.program, proposal))!;
  const held = proposalSettings(f.ctx.program, s);
  const oracle = held.kind === "custody" ? held.settings.oracle : PublicKey.default;
  return executeCustodyParamsIx(f.ctx.program, await f.state(), {
    admin: signer,
    proposal,
    custody: f.assets[symbol].custody,
    oracle,
  });
}

/** Opens a $1,000 SOL long on USDC and returns the fee it paid (USD, 6 decimals). */
async function openFee(f: PoolFixture, trader: Awaited<ReturnType<PoolFixture["user"]>>): Promise<BN> {
  const ix = await increasePositionIx(f.ctx.program, await f.state(), {
    owner: trader.kp.publicKey,
    side: Side.LONG,
    custody: f.assets.SOL.custody,
    collateralCustody: f.assets.USDC.custody,
    fundingAccount: trader.tokens.USDC,
    sizeUsd: USD(1_000),
    collateralAmount: units(200, 6),
    acceptablePrice: MAX,
  });
  const { events } = await send(f.ctx, [ix], [trader.kp]);
  return events.find((e) => e.name === "positionIncreased")!.data.feeUsd as BN;
}

describe("settings: custody changes wait out the pool's timelock", () => {
  it("a fee change executed early fails and changes nothing; on time it applies, and the next trade pays the new fee", async () => {
    // Given a pool with a 24 h timelock and a trader who pays 6 bps to open
    const { f } = await timelocked();
    const trader = await f.user({ USDC: units(10_000, 6) });
    expect((await openFee(f, trader)).toString()).to.equal(USD(0.6).toString());
    const custody = f.assets.SOL.custody;

    // When the admin proposes a 20 bps open fee
    const t0 = now(f);
    const { proposal, settings: proposed, events } = await propose(f, "SOL", { params: { openFeeBps: 20 } });

    // Then the proposal and its event carry the new settings and the eta
    expect(events.map((e) => e.name)).to.deep.equal(["custodyParamsProposed"]);
    const ev = events[0].data;
    expect([ev.proposal.toBase58(), ev.pool.toBase58(), ev.target.toBase58()]).to.deep.equal([
      proposal.toBase58(),
      f.pool.toBase58(),
      custody.toBase58(),
    ]);
    expect(ev.eta.toString()).to.equal(t0.addn(DAY).toString());
    expect(ev.settings.params.openFeeBps).to.equal(20);
    expect(settingsChanges(proposed, ev.settings)).to.deep.equal([]);
    const account = (await fetchProposal(f.ctx.program, proposal))!;
    expect([
      account.kind,
      account.nonce.toNumber(),
      account.proposedAt.toString(),
      account.proposer.toBase58(),
    ]).to.deep.equal([2, 0, t0.toString(), admin(f).toBase58()]);
    expect(
      settingsChanges(proposed, (proposalSettings(f.ctx.program, account) as { settings: CustodySettings }).settings),
    ).to.deep.equal([]);
    const pool = await fetchPool(f.ctx.program, f.pool);
    expect([pool.pendingProposals, pool.proposalNonce.toNumber()]).to.deep.equal([1, 1]);
    expect((await fetchPoolProposals(f.ctx.program, f.pool)).map((p) => p.address.toBase58())).to.deep.equal([
      proposal.toBase58(),
    ]);
    // ...and nothing changed yet: the next trade still pays 6 bps
    expect((await fetchCustody(f.ctx.program, custody)).openFeeBps).to.equal(6);

    // When it is executed at once, or one second before its eta: refused, nothing changes
    const watch = [f.pool, custody, proposal];
    await expectProgramError(f.ctx, [await executeIx(f, "SOL", proposal)], "TimelockNotElapsed", watch);
    await warp(f, DAY - 1);
    expect(proposalIsDue(account, pool, now(f))).to.equal(false);
    await expectProgramError(f.ctx, [await executeIx(f, "SOL", proposal)], "TimelockNotElapsed", watch);
    expect((await openFee(f, trader)).toString()).to.equal(USD(0.6).toString());

    // When it is executed at its eta
    await warp(f, 1);
    expect(proposalIsDue(account, pool, now(f))).to.equal(true);
    const rent = f.ctx.provider.getAccount(proposal)!.lamports;
    const adminBefore = f.ctx.provider.getAccount(admin(f))!.lamports;
    const executed = await send(f.ctx, [await executeIx(f, "SOL", proposal)]);

    // Then the new fee is in effect, the proposal is closed and its rent is back with the admin
    expect(executed.events.map((e) => e.name)).to.deep.equal(["custodyParamsExecuted"]);
    expect(executed.events[0].data.settings.params.openFeeBps).to.equal(20);
    const c = await fetchCustody(f.ctx.program, custody);
    expect(c.openFeeBps).to.equal(20);
    expect(settingsChanges(custodySettingsOf(c), proposed)).to.deep.equal([]);
    expect(f.ctx.provider.getAccount(proposal)).to.equal(null);
    expect(f.ctx.provider.getAccount(admin(f))!.lamports - adminBefore).to.equal(rent - 5_000);
    expect((await fetchPool(f.ctx.program, f.pool)).pendingProposals).to.equal(0);
    expect((await openFee(f, trader)).toString()).to.equal(USD(2).toString());
  });

  it("puts risk parameters under the timelock too (there is no set_risk_params), accruing funding under the old ones first", async () => {
    const { f } = await timelocked();
    expect(IDL.instructions.map((i) => i.name)).to.not.include("set_risk_params");
    const custody = f.assets.SOL.custody;
    const risk = defaultRiskParams({
      fundingFactor: new BN(1_000_000_000),
      adlThresholdBps: 9_000,
      adlFloorBps: 8_000,
    });
    const { proposal } = await propose(f, "SOL", { risk });
    await expectProgramError(f.ctx, [await executeIx(f, "SOL", proposal)], "TimelockNotElapsed", [
      f.pool,
      custody,
      proposal,
    ]);
    expect((await fetchCustody(f.ctx.program, custody)).fundingFactor.toString()).to.equal("0");
    await warp(f, DAY);
    await send(f.ctx, [await executeIx(f, "SOL", proposal)]);
    const c = await fetchCustody(f.ctx.program, custody);
    expect(settingsChanges(custodySettingsOf(c).risk, risk)).to.deep.equal([]);
    expect(c.lastFundingUpdate.toString()).to.equal(now(f).toString());
    expect(c.lastAccrual.toString()).to.equal(now(f).toString());
  });

  it("refuses every out-of-bounds setting when proposed, each with its own error, changing nothing", async () => {
    const { f } = await timelocked();
    const custody = f.assets.SOL.custody;
    const state = await f.state();
    const watch = [f.pool, custody, nextProposalAddress(state, custody, f.ctx.program.programId)];
    const cases: [Parameters<typeof withSettings>[1], string][] = [
      [{ params: { openFeeBps: 1_001 } }, "FeeAboveCap"],
      [{ params: { taxFeeBps: 1_001 } }, "FeeAboveCap"],
      [{ params: { minWeightBps: 4_001 } }, "InvalidWeights"],
      [{ params: { maxWeightBps: 3_999 } }, "InvalidWeights"],
      [{ params: { targetWeightBps: 5_001 } }, "TargetWeightsAbove100"],
      [{ params: { maintenanceMarginBps: 0 } }, "LeverageBeyondMargin"],
      [{ params: { maxLeverageBps: 2_000_000 } }, "LeverageBeyondMargin"],
      [{ params: { liquidationRewardBps: 44 } }, "LiquidationFeesAboveMargin"],
      [{ params: { oracleMaxAgeSecs: 0 } }, "InvalidOracleLimits"],
      [{ params: { oracleMaxAgeSecs: 3_601 } }, "InvalidOracleLimits"],
      [{ params: { oracleMaxConfBps: 1_001 } }, "InvalidOracleLimits"],
      [{ params: { slope1: new BN("100000000001") } }, "InvalidRateCurve"],
      [{ params: { optimalUtilizationBps: 0 } }, "InvalidRateCurve"],
      [{ params: { bufferBps: 10_001 } }, "InvalidRateCurve"],
      [{ params: { liquidationLtvBps: 7_500 } }, "InvalidCustodyParams"],
      [{ risk: { impactExponent: 4 } }, "InvalidRiskParams"],
      [{ risk: { maxPositiveImpactBps: 101, maxNegativeImpactBps: 100 } }, "InvalidRiskParams"],
      [{ params: { isStable: true } }, "SettingFixedAtListing"],
      [{ params: { oracleKind: 1 as 0 } }, "UnsupportedOracleKind"],
      // Another feed's oracle account is not this custody's price.
      [{ oracle: f.assets.USDC.oracle }, "OracleFeedMismatch"],
    ];
    for (const [change, error] of cases) {
      const ix = await proposeCustodyParamsIx(f.ctx.program, state, {
        admin: admin(f),
        custody,
        settings: await settings(f, "SOL", change),
      });
      await expectProgramError(f.ctx, [ix], error, watch);
    }
    // 40 % + 50 % + 10 % = 100 % is within bounds.
    await propose(f, "SOL", { params: { targetWeightBps: 5_000 } });
  });

  it("checks the bounds again when executing: two target raises that each fit alone cannot both pass", async () => {
    // Given SOL at 40 % and USDC at 50 %, proposals raising SOL to 50 % and USDC to 60 % (each fits today)
    const { f } = await timelocked();
    const sol = await propose(f, "SOL", { params: { targetWeightBps: 5_000 } });
    const usdc = await propose(f, "USDC", { params: { targetWeightBps: 6_000, maxWeightBps: 10_000 } });
    await warp(f, DAY);
    // When SOL's executes first, USDC's would take the targets to 110 %: refused, nothing changes
    await send(f.ctx, [await executeIx(f, "SOL", sol.proposal)]);
    await expectProgramError(f.ctx, [await executeIx(f, "USDC", usdc.proposal)], "TargetWeightsAbove100", [
      f.pool,
      f.assets.USDC.custody,
      usdc.proposal,
    ]);
    expect((await fetchCustody(f.ctx.program, f.assets.USDC.custody)).targetWeightBps).to.equal(5_000);
  });

  it("lets the admin cancel a proposal at any time: the event carries what was withdrawn, the rent comes back, it can no longer execute", async () => {
    const { f } = await timelocked();
    const { proposal } = await propose(f, "SOL", { params: { spreadBps: 25 } });
    const rent = f.ctx.provider.getAccount(proposal)!.lamports;
    const before = f.ctx.provider.getAccount(admin(f))!.lamports;
    const stale = await executeIx(f, "SOL", proposal);
    const { events } = await send(f.ctx, [
      await cancelProposalIx(f.ctx.program, { admin: admin(f), pool: f.pool, proposal }),
    ]);
    expect(events.map((e) => e.name)).to.deep.equal(["custodyParamsCancelled"]);
    expect(events[0].data.settings.params.spreadBps).to.equal(25);
    expect(f.ctx.provider.getAccount(proposal)).to.equal(null);
    expect(f.ctx.provider.getAccount(admin(f))!.lamports - before).to.equal(rent - 5_000);
    expect((await fetchPool(f.ctx.program, f.pool)).pendingProposals).to.equal(0);
    await warp(f, DAY);
    await expectProgramError(f.ctx, [stale], "InvalidAccountOwner", [f.pool, f.assets.SOL.custody]);
    expect((await fetchCustody(f.ctx.program, f.assets.SOL.custody)).spreadBps).to.equal(0);
  });

  it("names a proposal made under another settings layout (an older program's) instead of misreading it", async () => {
    const { f } = await timelocked();
    const { proposal, settings: proposed } = await propose(f, "SOL", { params: { spreadBps: 25 } });
    const state = await f.state();
    const poolProposal = nextProposalAddress(state, f.pool, f.ctx.program.programId);
    const params = { ...poolParamsOf(state.pool), lpFeeShareBps: 6_000, protocolFeeShareBps: 3_000 };
    await send(f.ctx, [await proposePoolParamsIx(f.ctx.program, state, { admin: admin(f), params })]);
    const custodyHeld = (await fetchProposal(f.ctx.program, proposal))!;
    const poolHeld = (await fetchProposal(f.ctx.program, poolProposal))!;
    // As made: read back whole.
    const read = proposalSettings(f.ctx.program, custodyHeld);
    expect(read.kind === "custody" && settingsChanges(proposed, read.settings)).to.deep.equal([]);
    expect(proposalSettings(f.ctx.program, poolHeld)).to.deep.equal({ kind: "pool", params });
    // The custody settings before the two oracle settings were 34 bytes shorter; a longer payload is a newer layout.
    for (const [held, kind, delta] of [
      [custodyHeld, "custody", -34],
      [poolHeld, "pool", 1],
    ] as const) {
      const other = { ...held, payloadLen: held.payloadLen + delta };
      let thrown: unknown;
      try {
        proposalSettings(f.ctx.program, other);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(ProposalLayoutError);
      const e = thrown as ProposalLayoutError;
      expect([e.kind, e.payloadLen, e.expectedLen]).to.deep.equal([kind, held.payloadLen + delta, held.payloadLen]);
      expect(e.message).to.match(new RegExp(`the ${kind} settings proposal holds ${held.payloadLen + delta} bytes`));
      expect(e.message).to.match(/cannot execute; cancel it and propose again/);
    }
  });

  it("is the admin's alone: a stranger cannot propose, execute or cancel, signed or not", async () => {
    const { f } = await timelocked();
    const stranger = fundedKeypair(f.ctx);
    const custody = f.assets.SOL.custody;
    const state = await f.state();
    const s = await settings(f, "SOL", { params: { openFeeBps: 9 } });
    const next = nextProposalAddress(state, custody, f.ctx.program.programId);
    const theirs = await proposeCustodyParamsIx(f.ctx.program, state, {
      admin: stranger.publicKey,
      custody,
      settings: s,
    });
    await expectProgramError(f.ctx, [theirs], "Unauthorized", [f.pool, custody, next], [stranger]);
    await expectProgramError(
      f.ctx,
      [
        await proposePoolParamsIx(f.ctx.program, state, {
          admin: stranger.publicKey,
          params: poolParamsOf(state.pool),
        }),
      ],
      "Unauthorized",
      [f.pool],
      [stranger],
    );
    const { proposal } = await propose(f, "SOL", { params: { openFeeBps: 9 } });
    await warp(f, DAY);
    const watch = [f.pool, custody, proposal];
    await expectProgramError(f.ctx, [await executeIx(f, "SOL", proposal, stranger.publicKey)], "Unauthorized", watch, [
      stranger,
    ]);
    await expectProgramError(
      f.ctx,
      [await cancelProposalIx(f.ctx.program, { admin: stranger.publicKey, pool: f.pool, proposal })],
      "Unauthorized",
      watch,
      [stranger],
    );
    await expectProgramError(
      f.ctx,
      [withAccount(await executeIx(f, "SOL", proposal, stranger.publicKey), 0, { isSigner: false })],
      "MissingSigner",
      watch,
    );
    await expectProgramError(
      f.ctx,
      [await raiseTimelockIx(f.ctx.program, { admin: stranger.publicKey, pool: f.pool, timelockSecs: 2 * DAY })],
      "Unauthorized",
      [f.pool],
      [stranger],
    );
    // A proposal executes only as what it is: not for another custody, not as pool settings.
    await expectProgramError(
      f.ctx,
      [
        await executeCustodyParamsIx(f.ctx.program, await f.state(), {
          admin: admin(f),
          proposal,
          custody: f.assets.USDC.custody,
          oracle: f.assets.USDC.oracle,
        }),
      ],
      "ProposalMismatch",
      watch,
    );
    await expectProgramError(
      f.ctx,
      [await executePoolParamsIx(f.ctx.program, { admin: admin(f), pool: f.pool, proposal })],
      "ProposalMismatch",
      watch,
    );
    await send(f.ctx, [await executeIx(f, "SOL", proposal)]);
    expect((await fetchCustody(f.ctx.program, custody)).openFeeBps).to.equal(9);
  });

  it("moves a Pyth custody to its feed's account of another shard; another feed, owner or address is refused", async () => {
    const { f } = await timelocked();
    const feed = Buffer.alloc(32, 0xe7);
    /** A price account at `key`, default the publisher's account of `feedId` in `shard`. */
    const pyth = (o: { owner?: PublicKey; feedId?: Buffer; shard?: number; key?: PublicKey } = {}) => {
      const key = o.key ?? priceFeedPda(feed, o.shard ?? 0)[0];
      f.ctx.provider.setAccount(key, {
        lamports: 10_000_000,
        data: pythData(o.feedId ?? feed, 3_000, now(f)),
        owner: o.owner ?? PYTH_RECEIVER_PROGRAM_ID,
      });
      return key;
    };
    // An ETH custody priced by Pyth (2 % target: the targets stay within 100 %).
    const mint = await createMint(f.ctx.provider, 8, admin(f));
    const first = pyth();
    const params = defaultCustodyParams({
      oracleKind: OracleKind.PYTH,
      feedId: Array.from(feed),
      targetWeightBps: 200,
    });
    await send(f.ctx, [await addCustodyIx(f.ctx.program, { admin: admin(f), pool: f.pool, mint, params })]);
    const { custody } = custodyAddresses(f.pool, mint, f.ctx.program.programId);
    expect((await fetchCustody(f.ctx.program, custody)).oracle.toBase58()).to.equal(first.toBase58());
    const state = await f.state();
    const current = custodySettingsOf(findCustody(state, custody).account);
    const proposeOracle = async (oracle: PublicKey, params: Partial<CustodyParams> = {}) =>
      proposeCustodyParamsIx(f.ctx.program, state, {
        admin: admin(f),
        custody,
        settings: withSettings(current, { oracle, params }),
      });
    const watch = [f.pool, custody, nextProposalAddress(state, custody, f.ctx.program.programId)];
    const shard1 = { oracleShard: 1 };
    await expectProgramError(
      f.ctx,
      [await proposeOracle(pyth({ owner: PublicKey.default, shard: 1 }), shard1)],
      "InvalidOracleAccount",
      watch,
    );
    await expectProgramError(
      f.ctx,
      [await proposeOracle(pyth({ feedId: Buffer.alloc(32, 0x99), shard: 1 }), shard1)],
      "OracleFeedMismatch",
      watch,
    );
    await expectProgramError(
      f.ctx,
      [await proposeOracle(first, { feedId: Array.from(Buffer.alloc(32, 0x99)) })],
      "OracleFeedMismatch",
      watch,
    );
    // A good price account of the feed, but not the one the settings name.
    for (const [oracle, change] of [
      [pyth({ shard: 1 }), {}],
      [first, shard1],
      [pyth({ key: Keypair.generate().publicKey }), {}],
      [pyth({ shard: 1 }), { oracleShard: 1, oracleProgram: PYTH_PUSH_ORACLE_PROGRAM_ID }],
    ] as const) {
      await expectProgramError(f.ctx, [await proposeOracle(oracle, change)], "OracleNotFeedAccount", watch);
    }
    const second = pyth({ shard: 1 });
    const proposal = watch[2];
    await send(f.ctx, [await proposeOracle(second, shard1)]);
    await warp(f, DAY);
    // The proposal executes with the account it names, and no other.
    const ix = (oracle: PublicKey) =>
      executeCustodyParamsIx(f.ctx.program, state, { admin: admin(f), proposal, custody, oracle });
    await expectProgramError(f.ctx, [await ix(first)], "InvalidOracleAccount", [f.pool, custody, proposal]);
    await send(f.ctx, [await ix(second)]);
    const after = await fetchCustody(f.ctx.program, custody);
    expect([after.oracle.toBase58(), after.oracleShard]).to.deep.equal([second.toBase58(), 1]);
  });
});

describe("settings: the pool's own settings and its timelock", () => {
  it("raises a timelock at once, never lowers it that way, and bounds it at 30 days", async () => {
    const { f } = await timelocked();
    const { events } = await send(f.ctx, [
      await raiseTimelockIx(f.ctx.program, { admin: admin(f), pool: f.pool, timelockSecs: 2 * DAY }),
    ]);
    expect(events.map((e) => [e.name, e.data.oldSecs, e.data.newSecs])).to.deep.equal([
      ["timelockRaised", DAY, 2 * DAY],
    ]);
    expect((await fetchPool(f.ctx.program, f.pool)).timelockSecs).to.equal(2 * DAY);
    const raise = (secs: number) =>
      raiseTimelockIx(f.ctx.program, { admin: admin(f), pool: f.pool, timelockSecs: secs });
    await expectProgramError(f.ctx, [await raise(2 * DAY)], "TimelockNotRaised", [f.pool]);
    await expectProgramError(f.ctx, [await raise(DAY)], "TimelockNotRaised", [f.pool]);
    await expectProgramError(f.ctx, [await raise(30 * DAY + 1)], "TimelockTooLong", [f.pool]);
    await send(f.ctx, [await raise(30 * DAY)]);
  });

  it("lowers a timelock only through a proposal that waits out the current delay, and never below the config's minimum", async () => {
    const { f } = await timelocked(2 * DAY);
    const state = await f.state();
    const proposal = nextProposalAddress(state, f.pool, f.ctx.program.programId);
    const lower = (timelockSecs: number) =>
      proposePoolParamsIx(f.ctx.program, state, {
        admin: admin(f),
        params: { ...poolParamsOf(state.pool), timelockSecs },
      });
    await expectProgramError(f.ctx, [await lower(DAY - 1)], "TimelockTooShort", [f.pool, proposal]);
    await expectProgramError(f.ctx, [await lower(0)], "TimelockTooShort", [f.pool, proposal]);
    const { events } = await send(f.ctx, [await lower(DAY)]);
    expect(events[0].name).to.equal("poolParamsProposed");
    expect(events[0].data.params.timelockSecs).to.equal(DAY);
    expect(events[0].data.eta.toString()).to.equal(
      now(f)
        .addn(2 * DAY)
        .toString(),
    );
    const execute = await executePoolParamsIx(f.ctx.program, { admin: admin(f), pool: f.pool, proposal });
    await warp(f, DAY);
    await expectProgramError(f.ctx, [execute], "TimelockNotElapsed", [f.pool, proposal]);
    await warp(f, DAY);
    const done = await send(f.ctx, [execute]);
    expect(done.events.map((e) => e.name)).to.deep.equal(["poolParamsExecuted"]);
    expect((await fetchPool(f.ctx.program, f.pool)).timelockSecs).to.equal(DAY);
  });

  it("makes pending proposals wait a timelock raised after them, and never lets one made before a raise undo it", async () => {
    // Given a custody proposal and a pool proposal made under the 24 h timelock, then a raise to 72 h
    const { f } = await timelocked();
    const fee = await propose(f, "SOL", { params: { openFeeBps: 9 } });
    const state = await f.state();
    const poolProposal = nextProposalAddress(state, f.pool, f.ctx.program.programId);
    const params = { ...poolParamsOf(state.pool), lpFeeShareBps: 6_000, protocolFeeShareBps: 3_000 };
    await send(f.ctx, [await proposePoolParamsIx(f.ctx.program, state, { admin: admin(f), params })]);
    await send(f.ctx, [await raiseTimelockIx(f.ctx.program, { admin: admin(f), pool: f.pool, timelockSecs: 3 * DAY })]);
    const executePool = await executePoolParamsIx(f.ctx.program, {
      admin: admin(f),
      pool: f.pool,
      proposal: poolProposal,
    });

    // Then at their eta both still wait: the raised delay counts from when they were proposed
    await warp(f, DAY);
    await expectProgramError(f.ctx, [await executeIx(f, "SOL", fee.proposal)], "TimelockNotElapsed", [
      f.pool,
      f.assets.SOL.custody,
      fee.proposal,
    ]);
    await expectProgramError(f.ctx, [executePool], "TimelockNotElapsed", [f.pool, poolProposal]);
    // And 72 h after, the fee change applies...
    await warp(f, 2 * DAY);
    await send(f.ctx, [await executeIx(f, "SOL", fee.proposal)]);
    expect((await fetchCustody(f.ctx.program, f.assets.SOL.custody)).openFeeBps).to.equal(9);
    // ...but the pool proposal, which holds the old 24 h timelock without having proposed a lowering, would revert the raise
    await expectProgramError(f.ctx, [executePool], "TimelockRaisedSince", [f.pool, poolProposal]);
    await send(f.ctx, [
      await cancelProposalIx(f.ctx.program, { admin: admin(f), pool: f.pool, proposal: poolProposal }),
    ]);
    const p = await fetchPool(f.ctx.program, f.pool);
    expect([p.lpFeeShareBps, p.timelockSecs, p.pendingProposals]).to.deep.equal([7_000, 3 * DAY, 0]);
  });

  it("keeps pauses immediate while changes wait", async () => {
    const { f } = await timelocked();
    await propose(f, "SOL", { params: { openFeeBps: 9 } });
    await send(f.ctx, [await setPauseIx(f.ctx.program, admin(f), PauseFlags.TRADING)]);
    expect((await fetchConfig(f.ctx.program)).pauseFlags).to.equal(PauseFlags.TRADING);
  });
});

describe("settings: the timelock's floor is the config's, set once by init_config", () => {
  async function config(minTimelockSecs: number): Promise<Ctx> {
    const ctx = freshCtx();
    await send(ctx, [await initConfigIx(ctx.program, ctx.admin.publicKey, { minTimelockSecs })]);
    return ctx;
  }

  it("on a public cluster's config (24 h): a new pool gets 24 h by default and cannot have less", async () => {
    const ctx = await config(DAY);
    expect((await fetchConfig(ctx.program)).minTimelockSecs).to.equal(DAY);
    const a = ctx.admin.publicKey;
    const create = (name: string, timelockSecs?: number) =>
      createPoolIx(ctx.program, {
        admin: a,
        name,
        params: defaultPoolParams(timelockSecs === undefined ? {} : { timelockSecs }),
      });
    await expectProgramError(ctx, [await create("zero", 0)], "TimelockTooShort", [poolPda("zero")[0]]);
    await expectProgramError(ctx, [await create("long", 30 * DAY + 1)], "TimelockTooLong", [poolPda("long")[0]]);
    await send(ctx, [await create("main")]);
    expect((await fetchPool(ctx.program, poolPda("main")[0])).timelockSecs).to.equal(DAY);
  });

  it("refuses a config minimum above 30 days", async () => {
    const ctx = freshCtx();
    const ix = await initConfigIx(ctx.program, ctx.admin.publicKey, { minTimelockSecs: 30 * DAY + 1 });
    await expectProgramError(ctx, [ix], "TimelockTooLong", [
      PublicKey.findProgramAddressSync([Buffer.from("config")], ctx.program.programId)[0],
    ]);
  });

  it("on a local cluster's config (0): a zero-timelock pool changes settings at once, proposed and executed in one transaction", async () => {
    const { f } = await fundedPool(ASSETS);
    expect((await fetchPool(f.ctx.program, f.pool)).timelockSecs).to.equal(0);
    const state = await f.state();
    const s = await settings(f, "SOL", { params: { closeFeeBps: 8 } });
    const { events } = await send(
      f.ctx,
      await proposeAndExecuteCustodyParamsIxs(f.ctx.program, state, {
        admin: admin(f),
        custody: f.assets.SOL.custody,
        settings: s,
      }),
    );
    expect(events.map((e) => e.name)).to.deep.equal(["custodyParamsProposed", "custodyParamsExecuted"]);
    expect((await fetchCustody(f.ctx.program, f.assets.SOL.custody)).closeFeeBps).to.equal(8);
  });
});

// (deploy() itself runs over RPC against the local validator in tests/localnet.test.ts.)
describe("settings: migrations/deploy.ts brings chain settings to the config file's through the timelock", () => {
  it("proposes a changed custody, reports it waiting, executes it when due, then has nothing to do", async () => {
    const { f } = await timelocked();
    const log: string[] = [];
    const actions: string[] = [];
    const ctx = {
      program: f.ctx.program,
      admin: admin(f),
      send: (ixs: Parameters<typeof send>[1]) => send(f.ctx, ixs),
      log: (l: string) => log.push(l),
      did: (a: string) => actions.push(a),
    };
    const custody = f.assets.SOL.custody;
    const desired = await settings(f, "SOL", { params: { openFeeBps: 12 }, risk: defaultRiskParams() });
    const run = () => syncSettings(ctx, f.pool, { what: "SOL custody", custody, desired });

    expect(await run()).to.equal("proposed");
    expect(actions).to.have.length(1);
    expect(actions[0]).to.match(/^proposed SOL custody settings \(params\.openFeeBps 6 → 12, risk\./);
    expect(await run()).to.equal("waiting");
    expect(actions).to.have.length(1);
    expect(log[log.length - 1]).to.match(/executable at/);
    expect(await fetchPoolProposals(f.ctx.program, f.pool)).to.have.length(1);

    await warp(f, DAY);
    expect(await run()).to.equal("executed");
    expect((await fetchCustody(f.ctx.program, custody)).openFeeBps).to.equal(12);
    expect(await run()).to.equal("same");
    expect(actions).to.have.length(2);
    expect(await fetchPoolProposals(f.ctx.program, f.pool)).to.deep.equal([]);
  });

  it("raises a pool timelock at once and proposes the rest", async () => {
    const { f } = await timelocked();
    const actions: string[] = [];
    const ctx = {
      program: f.ctx.program,
      admin: admin(f),
      send: (ixs: Parameters<typeof send>[1]) => send(f.ctx, ixs),
      log: () => {},
      did: (a: string) => actions.push(a),
    };
    const desired = { ...poolParamsOf((await f.state()).pool), timelockSecs: 2 * DAY };
    expect(await syncSettings(ctx, f.pool, { what: "pool", desired })).to.equal("raised");
    expect((await fetchPool(f.ctx.program, f.pool)).timelockSecs).to.equal(2 * DAY);
    expect(
      await syncSettings(ctx, f.pool, { what: "pool", desired: { ...desired, maxAumUsd: USD(1_000_000) } }),
    ).to.equal("proposed");
    await warp(f, 2 * DAY);
    expect(
      await syncSettings(ctx, f.pool, { what: "pool", desired: { ...desired, maxAumUsd: USD(1_000_000) } }),
    ).to.equal("executed");
    expect((await fetchPool(f.ctx.program, f.pool)).maxAumUsd.toString()).to.equal(USD(1_000_000).toString());
    expect(actions).to.have.length(3);
  });
});
