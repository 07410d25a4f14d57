/**
 * The adversarial matrix, instruction by instruction: a valid baseline in the
 * security world, and for every account the rule that says which error a
 * look-alike must raise (see matrix-engine.ts). Reading a rule is reading the
 * instruction's account validation: what is compared by address, what is
 * loaded and must belong to which pool, owner or position.
 */
import { Keypair, PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import {
  BPF_LOADER_UPGRADEABLE_PROGRAM_ID,
  OracleKind,
  PERPOOL_PROGRAM_ID,
  PYTH_PUSH_ORACLE_PROGRAM_ID,
  PYTH_RECEIVER_PROGRAM_ID,
  Side,
  TOKEN_PROGRAM_ID,
  acceptAdminIx,
  addCollateralIx,
  addCustodyIx,
  addLiquidityIx,
  autoDeleverageIx,
  borrowIx,
  cancelOrderIx,
  claimLpIx,
  configPda,
  createMint,
  createPoolIx,
  decreasePositionIx,
  defaultCustodyParams,
  defaultPoolParams,
  depositLoanCollateralIx,
  executeOrderIx,
  fetchCustody,
  fetchLoan,
  fetchOrder,
  fetchPosition,
  getTokenBalance,
  increasePositionIx,
  initConfigIx,
  liquidateLoanIx,
  liquidatePositionIx,
  lpAccountPda,
  lpEscrowPda,
  placeOrderIx,
  priceFeedPda,
  programDataPda,
  proposeAdminIx,
  refreshCustodyIx,
  removeCollateralIx,
  removeLiquidityIx,
  repayIx,
  setPauseIx,
  ProposalKind,
  custodySettingsOf,
  executeCustodyParamsIx,
  executePoolParamsIx,
  cancelProposalIx,
  findCustody,
  poolParamsOf,
  proposeCustodyParamsIx,
  proposePoolParamsIx,
  raiseTimelockIx,
  withSettings,
  swapIx,
  topUpInsuranceIx,
  withdrawLoanCollateralIx,
  withdrawProtocolFeesIx,
} from "../../sdk/src";
import { ArgCase, Cand, Kind, Rule, Rules, Spec, amountCases, withByte, withU64 } from "./matrix-engine";
import { units } from "../fixtures";
import { U64_MAX, Wallet, World, ZERO, price9, pythData, pythPrice, usd } from "../world";
import { WorldKeys } from "./world";

const eq = (a: PublicKey | undefined, b: PublicKey) => a !== undefined && a.equals(b);
/** One more than a token account's balance, read when the case runs. */
const plus1 = (w: World, account: PublicKey) => async () => getTokenBalance(w.provider, account).addn(1);
const ONE = new BN(1);

/** The accounts a look-alike may be drawn from. */
export function zoo(w: World, k: WorldKeys): Map<string, PublicKey> {
  const z = new Map<string, PublicKey>();
  const M = w.main.assets;
  const A = w.pools.alt.assets;
  z.set("config", configPda()[0]);
  z.set("main pool", w.main.pool);
  z.set("alt pool", w.pools.alt.pool);
  for (const [s, a] of Object.entries(M)) {
    z.set(`main ${s} custody`, a.custody);
    z.set(`main ${s} vault`, a.vault);
    z.set(`main ${s} oracle`, a.oracle);
  }
  for (const [s, a] of Object.entries(A)) {
    z.set(`alt ${s} custody`, a.custody);
    z.set(`alt ${s} vault`, a.vault);
    z.set(`alt ${s} oracle`, a.oracle);
  }
  for (const [name, key] of Object.entries(k)) z.set(name, key);
  const { alice, bob, stranger } = w.wallets;
  z.set("alice lp record", lpAccountPda(w.main.pool, alice.kp.publicKey)[0]);
  z.set("bob lp record", lpAccountPda(w.main.pool, bob.kp.publicKey)[0]);
  z.set("alice alt lp record", lpAccountPda(w.pools.alt.pool, alice.kp.publicKey)[0]);
  z.set("bob alt lp record", lpAccountPda(w.pools.alt.pool, bob.kp.publicKey)[0]);
  z.set("main lp escrow", lpEscrowPda(w.main.pool)[0]);
  z.set("alt lp escrow", lpEscrowPda(w.pools.alt.pool)[0]);
  for (const u of [alice, bob]) {
    for (const [s, t] of Object.entries(u.tokens)) z.set(`${u.name} ${s} account`, t);
    z.set(`${u.name} LP account`, u.lp.main);
  }
  z.set("alice alt LP account", alice.lp.alt);
  z.set("SOL mint", M.SOL.mint);
  z.set("ETH mint", M.ETH.mint);
  z.set("USDC mint", M.USDC.mint);
  z.set("main LP mint", w.main.lpMint);
  z.set("alt LP mint", w.pools.alt.lpMint);
  z.set("token program", TOKEN_PROGRAM_ID);
  z.set("system program", SystemProgram.programId);
  z.set("perpool program", PERPOOL_PROGRAM_ID);
  z.set("perpool program data", programDataPda()[0]);
  z.set("alice wallet", alice.kp.publicKey);
  z.set("bob wallet", bob.kp.publicKey);
  z.set("stranger wallet", stranger.kp.publicKey);
  z.set("admin wallet", w.admin.publicKey);
  return z;
}

// --- shared rules ------------------------------------------------------------------------------

const R = Rules;

/** A signer that must be `who`; another key that signs raises `otherwise`. */
const signerIs =
  (who: PublicKey, otherwise: string): Rule =>
  (_k, c) =>
    eq(c.pubkey, who) ? "ok" : otherwise;

/** A custody of `pool`; another custody of the same pool raises what `sameSlot` says. */
const custodyOf = (pool: PublicKey, samePool: (d: any, k: Kind) => string): Rule =>
  R.account("Custody", (d, k) => (!d.pool.equals(pool) ? "CustodyMismatch" : samePool(d, k)));

/** A pool slot whose custodies are checked against it: another pool raises `other`. */
const poolSlot = (other: string): Rule => R.account("Pool", () => other);

/** The remaining accounts: every custody of the pool with its oracle, compared by address. */
function listRules(count: number): Rule[] {
  const out: Rule[] = [];
  for (let i = 0; i < count; i++) out.push(R.fixed("CustodyListMismatch"), R.fixed("InvalidOracleAccount"));
  return out;
}

/** Account creation (`check_uninitialized` then the PDA): anything that exists is refused. */
const creates =
  (pdaError = "InvalidPda"): Rule =>
  (k) =>
    k.t === "absent" || k.t === "wallet" ? pdaError : "AlreadyInitialized";

/** The oracle forgeries of one Pyth account, each with its error; the account is restored afterwards. */
export function oracleForgeries(w: World, symbol: string): Cand[] {
  const a = w.main.assets[symbol];
  const write =
    (data: Buffer, owner = PYTH_RECEIVER_PROGRAM_ID) =>
    () =>
      w.provider.setAccount(a.oracle, { lamports: 10_000_000, data, owner });
  const restore = () => w.writePyth(symbol);
  const p = w.prices[symbol];
  const now = w.now();
  const forged = (label: string, expect: string, data: Buffer, owner?: PublicKey): Cand => ({
    label: `forged oracle: ${label}`,
    setup: write(data, owner),
    teardown: restore,
    expect,
  });
  const base = (o = {}) => pythData(a.feedId, p, now, o);
  const wrongDisc = base();
  wrongDisc[0] ^= 0xff;
  const price = pythPrice(p);
  return [
    forged("owned by the system program", "InvalidOracleAccount", base(), SystemProgram.programId),
    forged("owned by another program", "InvalidOracleAccount", base(), Keypair.generate().publicKey),
    forged("wrong discriminator", "InvalidOracleAccount", wrongDisc),
    forged("truncated", "InvalidOracleAccount", base().subarray(0, 100)),
    forged("another feed", "OracleFeedMismatch", base({ feed: Buffer.alloc(32, 0x99) })),
    forged("partially verified", "OracleNotFullyVerified", base({ partial: true })),
    forged("stale by one second", "StaleOraclePrice", base({ publishTime: now.subn(61) })),
    forged("confidence too wide", "OracleConfidenceTooWide", base({ conf: price.divn(100).addn(1) })),
    forged("zero price", "InvalidPrice", base({ price: ZERO })),
    forged("negative price", "InvalidPrice", base({ price: price.neg() })),
    forged("zero EMA", "InvalidPrice", base({ ema: ZERO })),
    forged("negative EMA", "InvalidPrice", base({ ema: price.neg() })),
    forged("exponent +19", "InvalidPrice", base({ expo: 19 })),
    forged("exponent -19", "InvalidPrice", base({ expo: -19 })),
    forged("price rounds to zero at expo -18", "InvalidPrice", base({ price: ONE, ema: ONE, expo: -18 })),
  ];
}

/** Indexes of the Pyth oracles among an instruction's accounts, with their symbols. */
function oracleSlots(w: World, ix: TransactionInstruction): [number, string][] {
  const out: [number, string][] = [];
  ix.keys.forEach((m, i) => {
    for (const [s, a] of Object.entries(w.main.assets)) if (m.pubkey.equals(a.oracle)) out.push([i, s]);
  });
  return out;
}

/** Adds the oracle forgeries to the first slot of every oracle of the instruction. */
function withForgeries(w: World, spec: Spec): Spec {
  const extra = { ...(spec.extra ?? {}) };
  const done = new Set<string>();
  for (const [i, s] of oracleSlots(w, spec.ix)) {
    if (done.has(s)) continue;
    done.add(s);
    extra[i] = [...(extra[i] ?? []), ...oracleForgeries(w, s)];
  }
  return { ...spec, extra };
}

// --- the specifications -------------------------------------------------------------------------

export async function buildSpecs(w: World, k: WorldKeys): Promise<Spec[]> {
  const P = w.program;
  const M = w.main.assets;
  const { alice, lp } = w.wallets;
  const admin = w.admin.publicKey;
  const main = w.state();
  const mainList = listRules(main.custodies.length);
  const specs: Spec[] = [];
  const push = (s: Spec) => specs.push(withForgeries(w, s));
  const adminRule = signerIs(admin, "Unauthorized");
  const usdc = (n: number | string) => units(n, 6);

  // --- admin ---------------------------------------------------------------------------------

  // init_config: the signer must be the upgrade authority the program's ProgramData records
  // (checked before the config, so each of these refusals is its own even though the config exists).
  const [programData] = programDataPda();
  const realProgramData = w.provider.getAccount(programData)!;
  const withAuthority = (authority: PublicKey | null) => () => {
    const data = Buffer.from(realProgramData.data);
    data[12] = authority ? 1 : 0;
    (authority ? authority.toBuffer() : Buffer.alloc(32)).copy(data, 13);
    w.provider.setAccount(programData, {
      lamports: realProgramData.lamports,
      data,
      owner: BPF_LOADER_UPGRADEABLE_PROGRAM_ID,
    });
  };
  const restoreProgramData = withAuthority(admin);
  // A loader-owned copy of the ProgramData at another address (what no one but the loader could create).
  const lookAlikeProgramData = Keypair.generate().publicKey;
  w.provider.setAccount(lookAlikeProgramData, {
    lamports: realProgramData.lamports,
    data: Buffer.from(realProgramData.data),
    owner: BPF_LOADER_UPGRADEABLE_PROGRAM_ID,
  });
  push({
    label: "init_config",
    ix: await initConfigIx(P, admin),
    baseline: "AlreadyInitialized",
    rules: [
      signerIs(admin, "NotUpgradeAuthority"),
      creates(),
      R.fixed("InvalidProgramData"),
      R.fixed("InvalidProgramData"),
      R.systemProgram(),
    ],
    demoted: { 1: "AlreadyInitialized", 2: "InvalidProgramData", 3: "InvalidProgramData" },
    extra: {
      1: [{ label: "read-only", isWritable: false, expect: "AlreadyInitialized" }],
      3: [
        {
          label: "loader-owned look-alike ProgramData naming the admin",
          pubkey: lookAlikeProgramData,
          expect: "InvalidProgramData",
        },
        {
          label: "the program made immutable (upgrade authority None)",
          setup: withAuthority(null),
          teardown: restoreProgramData,
          expect: "ProgramNotUpgradeable",
        },
        {
          label: "upgrade authority handed to a stranger",
          setup: withAuthority(w.wallets.stranger.kp.publicKey),
          teardown: restoreProgramData,
          expect: "NotUpgradeAuthority",
        },
      ],
    },
  });

  const freshPool = await createPoolIx(P, { admin, name: "fresh", params: defaultPoolParams() });
  push({
    label: "create_pool",
    paused: "Paused",
    ix: freshPool,
    rules: [adminRule, R.config(), creates(), creates(), creates(), R.tokenProgram(), R.systemProgram()],
    demoted: { 2: "AlreadyInitialized", 3: "AlreadyInitialized", 4: "AlreadyInitialized" },
    args: createPoolArgs(freshPool.data),
  });

  // add_custody: the oracle is the new feed's price account (the publisher's PDA its settings name).
  const newMint = await createMint(w.provider, 6, admin);
  const newFeed = Buffer.alloc(32, 0x77);
  w.publish(newFeed, 1);
  const [pythOracle] = priceFeedPda(newFeed);
  const mainCustodyIx = await addCustodyIx(P, {
    admin,
    pool: w.main.pool,
    mint: newMint,
    params: defaultCustodyParams({ oracleKind: OracleKind.PYTH, feedId: Array.from(newFeed) }),
    pythOracle,
  });
  push({
    label: "add_custody",
    paused: "Paused",
    ix: mainCustodyIx,
    rules: [
      adminRule,
      R.config(),
      // alt: its custody PDA differs from the one passed.
      R.account("Pool", () => "InvalidPda"),
      creates(),
      addCustodyMintRule(w.main.lpMint, newMint),
      creates(),
      // Only the feed's own account (the PDA its settings name): any other PriceUpdateV2 is refused.
      (kk) => (kk.t === "pyth" ? "OracleNotFeedAccount" : "InvalidOracleAccount"),
      R.tokenProgram(),
      R.systemProgram(),
    ],
    demoted: { 3: "AlreadyInitialized", 5: "AlreadyInitialized", 6: "InvalidOracleAccount" },
    args: addCustodyArgs(mainCustodyIx.data),
  });

  push({ label: "propose_admin", ix: await proposeAdminIx(P, admin, admin), rules: [adminRule, R.config()] });
  const nextAdmin = w.register(Keypair.generate());
  w.provider.airdrop(nextAdmin.publicKey, 1_000_000_000n);
  push({
    label: "accept_admin",
    ix: await acceptAdminIx(P, nextAdmin.publicKey),
    rules: [signerIs(nextAdmin.publicKey, "Unauthorized"), R.config()],
    before: async () => void w.ok([await proposeAdminIx(P, admin, nextAdmin.publicKey)]),
    after: async () => void w.ok([await proposeAdminIx(P, admin, PublicKey.default)]),
  });
  push({
    label: "accept_admin (none pending)",
    ix: await acceptAdminIx(P, nextAdmin.publicKey),
    baseline: "NoPendingAdmin",
    rules: [R.fixed("NoPendingAdmin"), R.config()],
    extra: { 1: [{ label: "read-only", isWritable: false, expect: "AccountNotWritable" }] },
  });
  const pause = await setPauseIx(P, admin, 0);
  push({
    label: "set_pause",
    ix: pause,
    rules: [adminRule, R.config()],
    args: [
      { label: "flags = 16 (unknown)", data: withByte(pause.data, 0, 16), expect: "InvalidPauseFlags" },
      { label: "flags = 255", data: withByte(pause.data, 0, 255), expect: "InvalidPauseFlags" },
    ],
  });
  specs.push(...(await settingsSpecs(w, k)));

  // --- liquidity --------------------------------------------------------------------------------

  const deposit = await addLiquidityIx(P, main, {
    owner: alice.kp.publicKey,
    custody: M.USDC.custody,
    fundingAccount: alice.tokens.USDC,
    lpTokenAccount: alice.lp.main,
    amountIn: usdc(100),
    minLpOut: ZERO,
  });
  push({
    label: "add_liquidity",
    paused: "Paused",
    ix: deposit,
    rules: [
      signerIs(alice.kp.publicKey, "InvalidTokenAccount"),
      R.config(),
      poolSlot("CustodyMismatch"),
      custodyOf(w.main.pool, () => "InvalidTokenAccount"),
      R.address("InvalidTokenAccount"),
      R.token(M.USDC.mint, (o) => (o.equals(alice.kp.publicKey) ? "ok" : "InvalidTokenAccount")),
      R.address("InvalidMint"),
      R.token(w.main.lpMint),
      lpRecordRule(false),
      R.address("InvalidTokenAccount"), // the pool's LP escrow
      R.tokenProgram(),
      R.systemProgram(),
      ...mainList,
    ],
    readonlyOk: mainList.map((_, i) => 12 + i),
    demoted: { 8: "AlreadyInitialized" },
    shapes: listShapes(deposit, 12),
    args: [
      ...amountCases({ ix: deposit }, "amount_in", 0, {
        zero: "ZeroAmount",
        one: "ZeroAmount",
        max: "MathOverflow",
        over: ["balance + 1", plus1(w, alice.tokens.USDC), "InsufficientFunds"],
      }),
      { label: "min_lp_out = u64::MAX", data: withU64(deposit.data, 8, U64_MAX), expect: "SlippageExceeded" },
    ],
  });

  const redeem = await removeLiquidityIx(P, main, {
    owner: alice.kp.publicKey,
    custody: M.USDC.custody,
    receivingAccount: alice.tokens.USDC,
    lpTokenAccount: alice.lp.main,
    lpIn: usd(50),
    minAmountOut: ZERO,
  });
  push({
    label: "remove_liquidity",
    paused: "Paused",
    ix: redeem,
    rules: [
      signerIs(alice.kp.publicKey, "InvalidTokenAccount"),
      R.config(),
      poolSlot("CustodyMismatch"),
      custodyOf(w.main.pool, () => "InvalidTokenAccount"),
      R.address("InvalidTokenAccount"),
      receivingRule(M.USDC),
      R.address("InvalidMint"),
      R.token(w.main.lpMint, (o) => (o.equals(alice.kp.publicKey) ? "ok" : "InvalidTokenAccount")),
      lpRecordRule(true),
      R.tokenProgram(),
      ...mainList,
    ],
    readonlyOk: mainList.map((_, i) => 10 + i),
    demoted: { 8: "InvalidPda" },
    shapes: listShapes(redeem, 10),
    args: [
      ...amountCases({ ix: redeem }, "lp_in", 0, {
        zero: "ZeroAmount",
        one: "ZeroAmount",
        max: "InsufficientLpSupply",
        over: ["LP balance + 1", plus1(w, alice.lp.main), "InsufficientFunds"],
      }),
      { label: "min_amount_out = u64::MAX", data: withU64(redeem.data, 8, U64_MAX), expect: "SlippageExceeded" },
    ],
  });

  const claim = await claimLpIx(P, w.state(w.pools.alt), { owner: alice.kp.publicKey, lpTokenAccount: alice.lp.alt });
  push({
    label: "claim_lp",
    ix: claim,
    rules: [
      signerIs(alice.kp.publicKey, "InvalidPda"), // another signer's record is not this one
      R.account("Pool", () => "InvalidPda"), // the record belongs to the alt pool
      R.account("LpAccount", () => "InvalidPda"),
      R.address("InvalidTokenAccount"), // the pool's LP escrow
      R.token(w.pools.alt.lpMint),
      R.tokenProgram(),
    ],
  });

  const swap = await swapIx(P, main, {
    owner: alice.kp.publicKey,
    custodyIn: M.USDC.custody,
    custodyOut: M.SOL.custody,
    fundingAccount: alice.tokens.USDC,
    receivingAccount: alice.tokens.SOL,
    amountIn: usdc(100),
    minAmountOut: ZERO,
  });
  push({
    label: "swap",
    paused: "Paused",
    ix: swap,
    rules: [
      signerIs(alice.kp.publicKey, "InvalidTokenAccount"),
      R.config(),
      poolSlot("CustodyMismatch"),
      custodyOf(w.main.pool, (_d, kk) =>
        eq((kk as any).key, M.SOL.custody) ? "DuplicateAccount" : "InvalidTokenAccount",
      ),
      R.address("InvalidTokenAccount"),
      custodyOf(w.main.pool, (_d, kk) =>
        eq((kk as any).key, M.USDC.custody) ? "DuplicateAccount" : "InvalidTokenAccount",
      ),
      R.address("InvalidTokenAccount"),
      R.token(M.USDC.mint, (o) => (o.equals(alice.kp.publicKey) ? "ok" : "InvalidTokenAccount")),
      receivingRule(M.SOL),
      R.tokenProgram(),
      ...mainList,
    ],
    readonlyOk: mainList.map((_, i) => 10 + i),
    shapes: listShapes(swap, 10),
    args: [
      ...amountCases({ ix: swap }, "amount_in", 0, {
        zero: "ZeroAmount",
        one: "ok",
        max: "MathOverflow",
        over: ["balance + 1", plus1(w, alice.tokens.USDC), "InsufficientFunds"],
      }),
      { label: "min_amount_out = u64::MAX", data: withU64(swap.data, 8, U64_MAX), expect: "SlippageExceeded" },
    ],
  });

  const fees = await withdrawProtocolFeesIx(P, main, {
    admin,
    custody: M.USDC.custody,
    receivingAccount: lp.tokens.USDC,
    amount: ONE,
  });
  push({
    label: "withdraw_protocol_fees",
    ix: fees,
    rules: [
      adminRule,
      R.config(),
      poolSlot("CustodyMismatch"),
      custodyOf(w.main.pool, () => "InvalidTokenAccount"),
      R.address("InvalidTokenAccount"),
      receivingRule(M.USDC),
      R.tokenProgram(),
    ],
    args: amountCases({ ix: fees }, "amount", 0, {
      zero: "ZeroAmount",
      one: "ok",
      max: "InsufficientProtocolFees",
      over: [
        "protocol fees + 1",
        async () => (await fetchCustody(P, M.USDC.custody)).protocolFees.addn(1),
        "InsufficientProtocolFees",
      ],
    }),
  });

  const topUp = await topUpInsuranceIx(P, main, {
    payer: alice.kp.publicKey,
    custody: M.USDC.custody,
    fundingAccount: alice.tokens.USDC,
    amount: usdc(1),
  });
  push({
    label: "top_up_insurance",
    ix: topUp,
    rules: [
      signerIs(alice.kp.publicKey, "InvalidTokenAccount"),
      R.config(),
      poolSlot("CustodyMismatch"),
      custodyOf(w.main.pool, () => "InvalidTokenAccount"),
      R.address("InvalidTokenAccount"),
      R.token(M.USDC.mint, (o) => (o.equals(alice.kp.publicKey) ? "ok" : "InvalidTokenAccount")),
      R.tokenProgram(),
    ],
    args: amountCases({ ix: topUp }, "amount", 0, {
      zero: "ZeroAmount",
      one: "ok",
      max: "MathOverflow",
      over: ["balance + 1", plus1(w, alice.tokens.USDC), "InsufficientFunds"],
    }),
  });

  push({
    label: "refresh_custody",
    ix: await refreshCustodyIx(P, w.main.pool, M.SOL.custody),
    rules: [poolSlot("CustodyMismatch"), custodyOf(w.main.pool, () => "ok")],
  });

  // --- trading -----------------------------------------------------------------------------------

  specs.push(...(await tradeSpecs(w, k)).map((s) => withForgeries(w, s)));

  // --- lending -----------------------------------------------------------------------------------

  specs.push(...(await loanSpecs(w, k)).map((s) => withForgeries(w, s)));

  // --- orders ------------------------------------------------------------------------------------

  specs.push(...(await orderSpecs(w, k)).map((s) => withForgeries(w, s)));

  return specs;
}

/** The mint of `add_custody`: an initialized SPL mint other than the pool's LP mint, matching the custody PDA. */
function addCustodyMintRule(poolLpMint: PublicKey, mint: PublicKey): Rule {
  return (k) => {
    if (k.t !== "mint") return "InvalidMint";
    if (k.key.equals(poolLpMint)) return "InvalidMint";
    return k.key.equals(mint) ? "ok" : "InvalidPda";
  };
}

/** The LP record `["lp_account", pool, owner]`; `existingOnly`: remove_liquidity (never created there). */
function lpRecordRule(existingOnly: boolean): Rule {
  return (k) => {
    if (k.t === "perpool") return k.type !== "LpAccount" ? "InvalidAccountData" : "InvalidPda";
    if (existingOnly) return "InvalidPda";
    return k.t === "absent" || k.t === "wallet" ? "InvalidPda" : "AlreadyInitialized";
  };
}

/** A token account receiving tokens from `asset`'s vault: any owner's, of the asset's mint, but not a vault. */
function receivingRule(asset: { mint: PublicKey; vault: PublicKey }): Rule {
  return R.token(asset.mint, (_o, key) => (key.equals(asset.vault) ? "InvalidTokenAccount" : "ok"));
}

/** Valuation lists with a pair missing, one pair too many, or two pairs swapped. */
function listShapes(ix: TransactionInstruction, start: number): NonNullable<Spec["shapes"]> {
  const fixed = ix.keys.slice(0, start).map((k) => ({ ...k }));
  const list = ix.keys.slice(start).map((k) => ({ ...k }));
  const pairs: (typeof list)[] = [];
  for (let i = 0; i < list.length; i += 2) pairs.push(list.slice(i, i + 2));
  const swapped = [pairs[1], pairs[0], ...pairs.slice(2)].flat();
  return [
    {
      label: "valuation list without its last custody",
      keys: [...fixed, ...list.slice(0, -2)],
      expect: "CustodyListMismatch",
    },
    {
      label: "valuation list with a custody twice",
      keys: [...fixed, ...list, ...list.slice(0, 2)],
      expect: "CustodyListMismatch",
    },
    { label: "valuation list out of pool order", keys: [...fixed, ...swapped], expect: "CustodyListMismatch" },
    {
      label: "valuation list with an odd account",
      keys: [...fixed, ...list.slice(0, -1)],
      expect: "CustodyListMismatch",
    },
  ];
}

function createPoolArgs(data: Buffer): ArgCase[] {
  // name: u32 length + bytes; then PoolParams.
  const len = data.readUInt32LE(8);
  const head = data.subarray(0, 8);
  const tail = data.subarray(12 + len);
  const withName = (name: Buffer) => {
    const l = Buffer.alloc(4);
    l.writeUInt32LE(name.length);
    return Buffer.concat([head, l, name, tail]);
  };
  const params = 12 + len;
  const setU16 = (at: number, v: number) => {
    const d = Buffer.from(data);
    d.writeUInt16LE(v, at);
    return d;
  };
  return [
    { label: "empty name", data: withName(Buffer.alloc(0)), expect: "InvalidPoolName" },
    { label: "33-byte name", data: withName(Buffer.alloc(33, 0x61)), expect: "InvalidPoolName" },
    {
      label: "name length past the data",
      data: (() => {
        const d = Buffer.from(data);
        d.writeUInt32LE(0xffffffff, 8);
        return d;
      })(),
      expect: "InvalidInstructionData",
    },
    { label: "fee split 10,001 bps", data: setU16(params, 7_001), expect: "InvalidPoolParams" },
    { label: "ADL threshold 0", data: setU16(params + 6, 0), expect: "InvalidPoolParams" },
    { label: "ADL floor = threshold", data: setU16(params + 8, 8_500), expect: "InvalidPoolParams" },
    {
      label: "timelock 30 days + 1 s",
      data: (() => {
        const d = Buffer.from(data);
        d.writeUInt32LE(30 * 86_400 + 1, d.length - 4);
        return d;
      })(),
      expect: "TimelockTooLong",
    },
  ];
}

function addCustodyArgs(data: Buffer): ArgCase[] {
  // CustodyParams: is_stable bool, oracle_kind u8, interest_on_pnl bool, feed_id [32], oracle_shard u16,
  // oracle_program [32], max_age u32, max_conf u16,
  // max_leverage u32, spread u16, target u16, min u16, max u16, base u16, tax u16, open u16, close u16, mm u16, reward u16, ...
  const at = (field: number) => 8 + field;
  const set = (write: (d: Buffer) => void) => {
    const d = Buffer.from(data);
    write(d);
    return d;
  };
  const shard = at(35);
  const oracleProgram = shard + 2;
  const maxAge = oracleProgram + 32;
  const maxConf = maxAge + 4;
  const leverage = maxConf + 2;
  const spread = leverage + 4;
  const target = spread + 2;
  const maxWeight = target + 4;
  const mm = maxWeight + 2 + 2 + 2 + 2 + 2;
  return [
    { label: "is_stable = 2", data: set((d) => (d[at(0)] = 2)), expect: "InvalidInstructionData" },
    {
      label: "oracle kind 1 (the removed test oracle)",
      data: set((d) => (d[at(1)] = 1)),
      expect: "UnsupportedOracleKind",
    },
    { label: "oracle kind 2", data: set((d) => (d[at(1)] = 2)), expect: "UnsupportedOracleKind" },
    { label: "oracle shard 1", data: set((d) => d.writeUInt16LE(1, shard)), expect: "OracleNotFeedAccount" },
    {
      label: "oracle program: the push oracle",
      data: set((d) => PYTH_PUSH_ORACLE_PROGRAM_ID.toBuffer().copy(d, oracleProgram)),
      expect: "OracleNotFeedAccount",
    },
    { label: "oracle max age 0", data: set((d) => d.writeUInt32LE(0, maxAge)), expect: "InvalidOracleLimits" },
    {
      label: "oracle max age 1 hour + 1 s",
      data: set((d) => d.writeUInt32LE(3_601, maxAge)),
      expect: "InvalidOracleLimits",
    },
    { label: "confidence 1,001 bps", data: set((d) => d.writeUInt16LE(1_001, maxConf)), expect: "InvalidOracleLimits" },
    { label: "leverage below 1x", data: set((d) => d.writeUInt32LE(9_999, leverage)), expect: "LeverageBeyondMargin" },
    { label: "spread 1,001 bps", data: set((d) => d.writeUInt16LE(1_001, spread)), expect: "FeeAboveCap" },
    { label: "target above max weight", data: set((d) => d.writeUInt16LE(100, maxWeight)), expect: "InvalidWeights" },
    { label: "maintenance margin 0", data: set((d) => d.writeUInt16LE(0, mm)), expect: "LeverageBeyondMargin" },
    {
      label: "liquidation reward + close fee = maintenance margin",
      data: set((d) => d.writeUInt16LE(44, mm + 2)),
      expect: "LiquidationFeesAboveMargin",
    },
  ];
}

// --- settings under the timelock -------------------------------------------------------------

/**
 * The settings instructions. The world holds four pending proposals: main's pool and
 * ETH proposals (main's timelock is 0: due) and alt's pool and SOL proposals (24 h:
 * not due). Proposing checks an oracle account's identity (owner, type, verification,
 * feed), not its price: a stale or zero price is accepted there and refused when read.
 */
async function settingsSpecs(w: World, k: WorldKeys): Promise<Spec[]> {
  const P = w.program;
  const M = w.main.assets;
  const admin = w.admin.publicKey;
  const adminRule = signerIs(admin, "Unauthorized");
  const main = w.state();
  const specs: Spec[] = [];
  const proposalOf = (pool: PublicKey, accept: (d: any) => boolean): Rule =>
    R.account("Proposal", (d) => (d.pool.equals(pool) && accept(d) ? "ok" : "ProposalMismatch"));
  // The ETH oracle rewritten: what a proposal refuses, and what it leaves to the reads.
  const identity = new Set(["InvalidOracleAccount", "OracleFeedMismatch", "OracleNotFullyVerified"]);
  const ethOracleForgeries = oracleForgeries(w, "ETH").map((c) => ({
    ...c,
    expect: identity.has(c.expect!) ? c.expect : "ok",
  }));
  const others = (custody: PublicKey) => main.custodies.filter((c) => !c.address.equals(custody)).map((c) => c.address);
  const otherShapes = (ix: TransactionInstruction, fixed: number, custody: PublicKey): NonNullable<Spec["shapes"]> => {
    const head = ix.keys.slice(0, fixed);
    const list = ix.keys.slice(fixed);
    const meta = (pubkey: PublicKey) => ({ pubkey, isSigner: false, isWritable: false });
    return [
      {
        label: "other custodies without the last",
        keys: [...head, ...list.slice(0, -1)],
        expect: "CustodyListMismatch",
      },
      {
        label: "other custodies out of pool order",
        keys: [...head, ...[...list].reverse()],
        expect: "CustodyListMismatch",
      },
      {
        label: "other custodies with the target among them",
        keys: [...head, meta(custody), ...list],
        expect: "CustodyListMismatch",
      },
      {
        label: "other custodies with one more account",
        keys: [...head, ...list, meta(custody)],
        expect: "CustodyListMismatch",
      },
    ];
  };

  // propose_pool_params
  const poolParams = { ...poolParamsOf(main.pool), maxAumUsd: usd(800_000_000) };
  const proposePool = (o: Partial<typeof poolParams> = {}) =>
    proposePoolParamsIx(P, main, { admin, params: { ...poolParams, ...o } });
  const pp = await proposePool();
  specs.push({
    label: "propose_pool_params",
    ix: pp,
    rules: [adminRule, R.config(), R.account("Pool", () => "InvalidPda"), creates(), R.systemProgram()],
    demoted: { 3: "AlreadyInitialized" },
    args: [
      {
        label: "fee split 10,001 bps",
        data: (await proposePool({ lpFeeShareBps: poolParams.lpFeeShareBps + 1 })).data,
        expect: "InvalidPoolParams",
      },
      {
        label: "ADL floor = threshold",
        data: (await proposePool({ adlFloorBps: poolParams.adlThresholdBps })).data,
        expect: "InvalidPoolParams",
      },
      {
        label: "timelock 30 days + 1 s",
        data: (await proposePool({ timelockSecs: 30 * 86_400 + 1 })).data,
        expect: "TimelockTooLong",
      },
      { label: "timelock 30 days", data: (await proposePool({ timelockSecs: 30 * 86_400 })).data, expect: "ok" },
    ],
  });

  // propose_custody_params (ETH of main)
  const eth = custodySettingsOf(findCustody(main, M.ETH.custody).account);
  // The baseline raises ETH's open fee to 8 bps; each case changes one more thing.
  const proposeEth = (change: Parameters<typeof withSettings>[1] = {}) =>
    proposeCustodyParamsIx(P, main, {
      admin,
      custody: M.ETH.custody,
      settings: withSettings(withSettings(eth, { params: { openFeeBps: 8 } }), change),
    });
  const pc = await proposeEth();
  const bad = async (label: string, change: Parameters<typeof withSettings>[1], expect: string): Promise<ArgCase> => ({
    label,
    data: (await proposeEth(change)).data,
    expect,
  });
  const cp = (params: Partial<typeof eth.params>) => ({ params });
  const rp = (risk: Partial<typeof eth.risk>) => ({ risk });
  specs.push({
    label: "propose_custody_params",
    ix: pc,
    rules: [
      adminRule,
      R.config(),
      R.account("Pool", () => "CustodyMismatch"),
      creates(),
      // Another custody of main: a stablecoin cannot become a market; SOL gets the wrong list of others.
      custodyOf(w.main.pool, (d) => (d.isStable ? "SettingFixedAtListing" : "CustodyListMismatch")),
      // Every other Pyth account of the world carries another feed.
      (kk) => (kk.t === "pyth" ? "OracleFeedMismatch" : "InvalidOracleAccount"),
      R.systemProgram(),
      ...others(M.ETH.custody).map(() => R.fixed("CustodyListMismatch")),
    ],
    demoted: { 3: "AlreadyInitialized" },
    extra: { 5: ethOracleForgeries },
    shapes: otherShapes(pc, 7, M.ETH.custody),
    args: [
      await bad("open fee 1,001 bps", cp({ openFeeBps: 1_001 }), "FeeAboveCap"),
      await bad("spread 1,001 bps", cp({ spreadBps: 1_001 }), "FeeAboveCap"),
      await bad("min weight above target", cp({ minWeightBps: eth.params.targetWeightBps + 1 }), "InvalidWeights"),
      await bad("max weight 10,001 bps", cp({ maxWeightBps: 10_001 }), "InvalidWeights"),
      await bad("targets summing to 100.01 %", cp({ targetWeightBps: 2_001 }), "TargetWeightsAbove100"),
      await bad("maintenance margin 0", cp({ maintenanceMarginBps: 0 }), "LeverageBeyondMargin"),
      await bad(
        "margin × max leverage = 100 %",
        cp({ maintenanceMarginBps: 200, maxLeverageBps: 500_000 }),
        "LeverageBeyondMargin",
      ),
      await bad("max leverage above 1,000x", cp({ maxLeverageBps: 10_000_001 }), "LeverageBeyondMargin"),
      await bad(
        "liquidation reward + close fee = margin",
        cp({ liquidationRewardBps: 42, closeFeeBps: 8 }),
        "LiquidationFeesAboveMargin",
      ),
      await bad("oracle max age 0", cp({ oracleMaxAgeSecs: 0 }), "InvalidOracleLimits"),
      await bad("oracle max age 1 hour + 1 s", cp({ oracleMaxAgeSecs: 3_601 }), "InvalidOracleLimits"),
      await bad("confidence 1,001 bps", cp({ oracleMaxConfBps: 1_001 }), "InvalidOracleLimits"),
      await bad("slope1 above 10,000 %", cp({ slope1: new BN("100000000001") }), "InvalidRateCurve"),
      await bad("optimal utilization 100 %", cp({ optimalUtilizationBps: 10_000 }), "InvalidRateCurve"),
      await bad("liquidation LTV = max LTV", cp({ liquidationLtvBps: eth.params.maxLtvBps }), "InvalidCustodyParams"),
      await bad("impact exponent 0", rp({ impactExponent: 0 }), "InvalidRiskParams"),
      await bad(
        "positive impact above negative",
        rp({ impactPositiveFactor: eth.risk.impactNegativeFactor.addn(1) }),
        "InvalidRiskParams",
      ),
      await bad("ADL floor = threshold", rp({ adlThresholdBps: 100, adlFloorBps: 100 }), "InvalidRiskParams"),
      await bad("becomes a stablecoin", cp({ isStable: true }), "SettingFixedAtListing"),
      await bad("oracle kind 1 (the removed test oracle)", cp({ oracleKind: 1 as any }), "UnsupportedOracleKind"),
      await bad("another feed id", cp({ feedId: Array.from(Buffer.alloc(32, 0x99)) }), "OracleFeedMismatch"),
      await bad("another shard", cp({ oracleShard: 1 }), "OracleNotFeedAccount"),
      await bad("another oracle program", cp({ oracleProgram: PYTH_PUSH_ORACLE_PROGRAM_ID }), "OracleNotFeedAccount"),
      { label: "is_stable = 2", data: withByte(pc.data, 0, 2), expect: "InvalidInstructionData" },
    ],
  });

  // execute_custody_params: main's ETH proposal (due), alt's SOL proposal (not due).
  const ec = await executeCustodyParamsIx(P, main, {
    admin,
    proposal: k.mainEthProposal,
    custody: M.ETH.custody,
    oracle: M.ETH.oracle,
  });
  specs.push({
    label: "execute_custody_params",
    ix: ec,
    rules: [
      adminRule,
      R.config(),
      R.account("Pool", () => "CustodyMismatch"),
      proposalOf(w.main.pool, (d) => d.kind === ProposalKind.CUSTODY && d.target.equals(M.ETH.custody)),
      custodyOf(w.main.pool, () => "ProposalMismatch"),
      R.address("InvalidOracleAccount"),
      ...others(M.ETH.custody).map(() => R.fixed("CustodyListMismatch")),
    ],
    extra: { 5: ethOracleForgeries },
    shapes: otherShapes(ec, 6, M.ETH.custody),
  });
  const alt = w.state(w.pools.alt);
  specs.push({
    label: "execute_custody_params (timelock not elapsed)",
    ix: await executeCustodyParamsIx(P, alt, {
      admin,
      proposal: k.altSolProposal,
      custody: w.pools.alt.assets.SOL.custody,
      oracle: w.pools.alt.assets.SOL.oracle,
    }),
    baseline: "TimelockNotElapsed",
    baselineOnly: true,
  });

  // execute_pool_params
  specs.push({
    label: "execute_pool_params",
    ix: await executePoolParamsIx(P, { admin, pool: w.main.pool, proposal: k.mainPoolProposal }),
    rules: [
      adminRule,
      R.config(),
      R.account("Pool", () => "ProposalMismatch"),
      proposalOf(w.main.pool, (d) => d.kind === ProposalKind.POOL),
    ],
  });
  specs.push({
    label: "execute_pool_params (timelock not elapsed)",
    ix: await executePoolParamsIx(P, { admin, pool: w.pools.alt.pool, proposal: k.altPoolProposal }),
    baseline: "TimelockNotElapsed",
    baselineOnly: true,
  });

  // cancel_proposal: any proposal of the pool, at any time.
  specs.push({
    label: "cancel_proposal",
    ix: await cancelProposalIx(P, { admin, pool: w.main.pool, proposal: k.mainEthProposal }),
    rules: [adminRule, R.config(), R.account("Pool", () => "ProposalMismatch"), proposalOf(w.main.pool, () => true)],
  });
  specs.push({
    label: "cancel_proposal (timelock not elapsed)",
    ix: await cancelProposalIx(P, { admin, pool: w.pools.alt.pool, proposal: k.altSolProposal }),
    baselineOnly: true,
  });

  // raise_timelock: main's is 0, alt's 24 h.
  const raise = (secs: number) => raiseTimelockIx(P, { admin, pool: w.main.pool, timelockSecs: secs });
  const rt = await raise(3_600);
  specs.push({
    label: "raise_timelock",
    ix: rt,
    rules: [adminRule, R.config(), R.account("Pool", () => "TimelockNotRaised")],
    args: [
      { label: "timelock 0 (not raised)", data: (await raise(0)).data, expect: "TimelockNotRaised" },
      { label: "timelock 30 days", data: (await raise(30 * 86_400)).data, expect: "ok" },
      { label: "timelock 30 days + 1 s", data: (await raise(30 * 86_400 + 1)).data, expect: "TimelockTooLong" },
      { label: "timelock u32::MAX", data: (await raise(0xffffffff)).data, expect: "TimelockTooLong" },
    ],
  });
  return specs;
}

// --- trading ---------------------------------------------------------------------------------------

interface TradeRef {
  label: string;
  owner: Wallet;
  position: PublicKey;
  side: number;
  market: string;
  collateral: string;
}

async function tradeSpecs(w: World, k: WorldKeys): Promise<Spec[]> {
  const P = w.program;
  const M = w.main.assets;
  const { alice } = w.wallets;
  const state = w.state();
  const out: Spec[] = [];
  const refs: TradeRef[] = [
    {
      label: "long, SOL collateral",
      owner: alice,
      position: k.aliceLong,
      side: Side.LONG,
      market: "SOL",
      collateral: "SOL",
    },
    {
      label: "short, USDC collateral",
      owner: alice,
      position: k.aliceShort,
      side: Side.SHORT,
      market: "SOL",
      collateral: "USDC",
    },
  ];
  for (const t of refs) {
    const pos = (await fetchPosition(P, t.position))!;
    const coll = M[t.collateral];
    const same = t.market === t.collateral;
    const owner = t.owner.kp.publicKey;
    const decimals = coll.decimals;
    const ownerFunding = R.token(coll.mint, (o) => (o.equals(owner) ? "ok" : "InvalidTokenAccount"));

    // increase_position: custodies are checked before the oracles, the position after the prices.
    const inc = await increasePositionIx(P, state, {
      owner,
      side: t.side,
      custody: M[t.market].custody,
      collateralCustody: coll.custody,
      fundingAccount: t.owner.tokens[t.collateral],
      sizeUsd: usd(100),
      collateralAmount: units(same ? 1 : 100, decimals),
      acceptablePrice: t.side === Side.LONG ? U64_MAX : ZERO,
    });
    const marketRule = custodyOf(w.main.pool, (_d, kk) => {
      const key = (kk as any).key as PublicKey;
      if (key.equals(M.USDC.custody)) return "InvalidCollateralCustody";
      // ETH: a long on SOL collateral is not allowed; a short on USDC is, and then the SOL oracle is the wrong one.
      return same ? "InvalidCollateralCustody" : "InvalidOracleAccount";
    });
    const collateralRule = custodyOf(w.main.pool, (_d, kk) => {
      const key = (kk as any).key as PublicKey;
      if (same) return key.equals(M.USDC.custody) ? "InvalidTokenAccount" : "InvalidCollateralCustody";
      return "InvalidCollateralCustody";
    });
    const positionRule: Rule = (kk) => {
      if (kk.t === "perpool") return kk.type !== "Position" ? "InvalidAccountData" : "PositionMismatch";
      return kk.t === "absent" || kk.t === "wallet" ? "InvalidPda" : "AlreadyInitialized";
    };
    out.push({
      label: `increase_position (${t.label})`,
      paused: "Paused",
      ix: inc,
      rules: [
        signerIs(owner, "InvalidTokenAccount"),
        R.config(),
        poolSlot("CustodyMismatch"),
        positionRule,
        marketRule,
        R.address("InvalidOracleAccount"),
        collateralRule,
        R.address("InvalidOracleAccount"),
        R.address("InvalidTokenAccount"),
        ownerFunding,
        R.tokenProgram(),
        R.systemProgram(),
      ],
      args: [
        { label: "side 0", data: withByte(inc.data, 0, 0), expect: "InvalidSide" },
        { label: "side 3", data: withByte(inc.data, 0, 3), expect: "InvalidSide" },
        // A short on SOL collateral is refused; a long on USDC is a valid pair but another position.
        {
          label: "the other side",
          data: withByte(inc.data, 0, t.side === Side.LONG ? Side.SHORT : Side.LONG),
          expect: same ? "InvalidCollateralCustody" : "PositionMismatch",
        },
        ...amountCases({ ix: inc }, "size_usd", 1, {
          zero: "ZeroAmount",
          one: "ok",
          max: "MathOverflow",
          over: [
            "maximum position + 1",
            async () =>
              usd(1_000_000)
                .sub((await fetchPosition(P, t.position))!.sizeUsd)
                .addn(1),
            "PositionTooLarge",
          ],
        }),
        ...amountCases({ ix: inc }, "collateral_amount", 9, {
          zero: "ok",
          one: "ok",
          max: "MathOverflow",
          over: ["balance + 1", plus1(w, t.owner.tokens[t.collateral]), "InsufficientFunds"],
        }),
        {
          label: "acceptable price one tick past the entry",
          data: withU64(inc.data, 17, t.side === Side.LONG ? ONE : U64_MAX),
          expect: "SlippageExceeded",
        },
      ],
    });

    // decrease_position / remove_collateral / add_collateral: the position is checked against the
    // owner, pool and both custody addresses before anything else, so every look-alike custody is a
    // position mismatch.
    const decreaseRules = (valueSlot: Rule): Rule[] => [
      signerIs(owner, "PositionMismatch"),
      R.config(),
      R.account("Pool", () => "PositionMismatch"),
      R.account("Position", () => "PositionMismatch"),
      R.fixed("PositionMismatch"),
      R.address("InvalidOracleAccount"),
      R.fixed("PositionMismatch"),
      R.address("InvalidOracleAccount"),
      R.address("InvalidTokenAccount"),
      valueSlot,
      R.tokenProgram(),
    ];
    const dec = await decreasePositionIx(P, state, {
      position: pos,
      receivingAccount: t.owner.tokens[t.collateral],
      sizeUsd: usd(100),
      collateralOut: ZERO,
      acceptablePrice: t.side === Side.LONG ? ZERO : U64_MAX,
    });
    out.push({
      label: `decrease_position (${t.label})`,
      ix: dec,
      rules: decreaseRules(receivingRule(coll)),
      demoted: { 4: "PositionMismatch", 6: "PositionMismatch" },
      args: [
        ...amountCases({ ix: dec }, "size_usd", 0, {
          zero: "ZeroAmount",
          one: "ok",
          max: "SizeTooLarge",
          over: ["size + 1", async () => (await fetchPosition(P, t.position))!.sizeUsd.addn(1), "SizeTooLarge"],
        }),
        ...amountCases({ ix: dec }, "collateral_out", 8, {
          zero: "ok",
          one: "ok",
          max: "InsufficientCollateral",
          over: [
            "twice the collateral",
            async () => (await fetchPosition(P, t.position))!.collateralAmount.muln(2),
            "InsufficientCollateral",
          ],
        }),
        { label: "size 0, collateral 1", data: withU64(withU64(dec.data, 0, ZERO), 8, ONE), expect: "ok" },
        {
          label: "acceptable price one tick past the exit",
          data: withU64(dec.data, 16, t.side === Side.LONG ? U64_MAX : ZERO),
          expect: "SlippageExceeded",
        },
      ],
    });
    const rem = await removeCollateralIx(P, state, {
      position: pos,
      receivingAccount: t.owner.tokens[t.collateral],
      amount: units(same ? 0.1 : 10, decimals),
    });
    out.push({
      label: `remove_collateral (${t.label})`,
      ix: rem,
      rules: decreaseRules(receivingRule(coll)),
      demoted: { 4: "PositionMismatch", 6: "PositionMismatch" },
      args: amountCases({ ix: rem }, "amount", 0, {
        zero: "ZeroAmount",
        one: "ok",
        max: "InsufficientCollateral",
        over: [
          "twice the collateral",
          async () => (await fetchPosition(P, t.position))!.collateralAmount.muln(2),
          "InsufficientCollateral",
        ],
      }),
    });
    const add = await addCollateralIx(P, state, {
      position: pos,
      fundingAccount: t.owner.tokens[t.collateral],
      amount: units(same ? 0.1 : 10, decimals),
    });
    out.push({
      label: `add_collateral (${t.label})`,
      ix: add,
      rules: decreaseRules(ownerFunding),
      // The owner only signs: nothing is paid to or from its wallet.
      readonlyOk: [0],
      demoted: { 4: "PositionMismatch", 6: "PositionMismatch" },
      args: amountCases({ ix: add }, "amount", 0, {
        zero: "ZeroAmount",
        one: "ok",
        max: "MathOverflow",
        over: ["balance + 1", plus1(w, t.owner.tokens[t.collateral]), "InsufficientFunds"],
      }),
    });
  }

  // liquidate_position: carol's 35x long.
  const carol = w.wallets.carol;
  const carolPos = (await fetchPosition(P, k.carolLong))!;
  const liq = await liquidatePositionIx(P, state, {
    keeper: w.wallets.keeper.kp.publicKey,
    position: carolPos,
    keeperAccount: w.wallets.keeper.tokens.SOL,
    ownerAccount: carol.tokens.SOL,
  });
  out.push({
    label: "liquidate_position",
    ix: liq,
    rules: [
      R.anySigner(),
      R.config(),
      R.account("Pool", () => "PositionMismatch"),
      R.account("Position", () => "PositionMismatch"),
      R.fixed("PositionMismatch"),
      R.address("InvalidOracleAccount"),
      R.fixed("PositionMismatch"),
      R.address("InvalidOracleAccount"),
      R.address("InvalidTokenAccount"),
      receivingRule(M.SOL),
      R.token(M.SOL.mint, (o) => (o.equals(carol.kp.publicKey) ? "ok" : "InvalidTokenAccount")),
      R.fixed("PositionMismatch"),
      R.tokenProgram(),
    ],
    demoted: { 4: "PositionMismatch", 6: "PositionMismatch", 11: "PositionMismatch" },
  });
  // A healthy position cannot be liquidated.
  const alicePos = (await fetchPosition(P, k.aliceLong))!;
  const healthy = await liquidatePositionIx(P, state, {
    keeper: w.wallets.keeper.kp.publicKey,
    position: alicePos,
    keeperAccount: w.wallets.keeper.tokens.SOL,
    ownerAccount: alice.tokens.SOL,
  });
  out.push({ label: "liquidate_position (healthy)", ix: healthy, baseline: "NotLiquidatable", baselineOnly: true });

  // auto_deleverage: dave's ETH long on USDC.
  const dave = w.wallets.dave;
  const davePos = (await fetchPosition(P, k.daveLong))!;
  const adl = await autoDeleverageIx(P, state, {
    keeper: w.wallets.keeper.kp.publicKey,
    position: davePos,
    ownerAccount: dave.tokens.USDC,
    sizeUsd: usd(10_000),
  });
  out.push({
    label: "auto_deleverage",
    ix: adl,
    rules: [
      R.anySigner(),
      R.fixed("PositionMismatch"),
      R.config(),
      R.account("Pool", () => "PositionMismatch"),
      R.account("Position", () => "PositionMismatch"),
      R.fixed("PositionMismatch"),
      R.address("InvalidOracleAccount"),
      R.fixed("PositionMismatch"),
      R.address("InvalidOracleAccount"),
      R.address("InvalidTokenAccount"),
      R.token(M.USDC.mint, (o) => (o.equals(dave.kp.publicKey) ? "ok" : "InvalidTokenAccount")),
      R.tokenProgram(),
    ],
    demoted: { 5: "PositionMismatch", 7: "PositionMismatch" },
    // One micro-dollar does not lower the ratio by a whole bps.
    args: amountCases({ ix: adl }, "size_usd", 0, { zero: "ZeroAmount", one: "AdlTooLarge", max: "ok" }),
  });
  return out;
}

// --- lending -----------------------------------------------------------------------------------

async function loanSpecs(w: World, k: WorldKeys): Promise<Spec[]> {
  const P = w.program;
  const M = w.main.assets;
  const { alice, carol, keeper } = w.wallets;
  const state = w.state();
  const out: Spec[] = [];
  const owner = alice.kp.publicKey;
  const ref = { owner, collateralCustody: M.SOL.custody, borrowCustody: M.USDC.custody };
  const sol = (n: number | string) => units(n, 9);
  const usdc = (n: number | string) => units(n, 6);

  const loanRule =
    (mismatch: string): Rule =>
    (kk) => {
      if (kk.t === "perpool") return kk.type !== "Loan" ? "InvalidAccountData" : mismatch;
      return "InvalidAccountOwner";
    };
  // The shared context: collateral, then borrow custody, are loaded and paired before the loan.
  const collateralRule = custodyOf(w.main.pool, (_d, kk) =>
    (kk as any).key.equals(M.USDC.custody) ? "LendingNotEnabled" : "LoanMismatch",
  );
  const borrowRule = custodyOf(w.main.pool, (_d, kk) =>
    (kk as any).key.equals(M.SOL.custody) ? "LendingNotEnabled" : "LoanMismatch",
  );

  const dep = await depositLoanCollateralIx(P, state, { ...ref, fundingAccount: alice.tokens.SOL, amount: sol(1) });
  out.push({
    label: "deposit_loan_collateral",
    ix: dep,
    rules: [
      signerIs(owner, "InvalidTokenAccount"),
      R.config(),
      poolSlot("CustodyMismatch"),
      (kk) => {
        if (kk.t === "perpool") return kk.type !== "Loan" ? "InvalidAccountData" : "LoanMismatch";
        return kk.t === "absent" || kk.t === "wallet" ? "InvalidPda" : "AlreadyInitialized";
      },
      // ETH as collateral (against USDC) is a valid pair, but the vault is SOL's.
      custodyOf(w.main.pool, (_d, kk) =>
        (kk as any).key.equals(M.USDC.custody) ? "LendingNotEnabled" : "InvalidTokenAccount",
      ),
      custodyOf(w.main.pool, (_d, kk) =>
        (kk as any).key.equals(M.SOL.custody) ? "LendingNotEnabled" : "LoanMismatch",
      ),
      R.address("InvalidTokenAccount"),
      R.token(M.SOL.mint, (o) => (o.equals(owner) ? "ok" : "InvalidTokenAccount")),
      R.tokenProgram(),
      R.systemProgram(),
    ],
    demoted: { 3: "AlreadyInitialized" },
    args: amountCases({ ix: dep }, "amount", 0, {
      zero: "ZeroAmount",
      one: "ok",
      max: "MathOverflow",
      over: ["balance + 1", plus1(w, alice.tokens.SOL), "InsufficientFunds"],
    }),
  });

  const contextRules = (signer: Rule, loanMismatch: string): Rule[] => [
    signer,
    R.config(),
    poolSlot("CustodyMismatch"),
    loanRule(loanMismatch),
    collateralRule,
    R.address("InvalidOracleAccount"),
    borrowRule,
    R.address("InvalidOracleAccount"),
  ];
  const wd = await withdrawLoanCollateralIx(P, state, { ...ref, receivingAccount: alice.tokens.SOL, amount: sol(1) });
  out.push({
    label: "withdraw_loan_collateral",
    ix: wd,
    rules: [
      ...contextRules(signerIs(owner, "LoanMismatch"), "LoanMismatch"),
      R.address("InvalidTokenAccount"),
      receivingRule(M.SOL),
      R.tokenProgram(),
    ],
    args: amountCases({ ix: wd }, "amount", 0, {
      zero: "ZeroAmount",
      one: "ok",
      max: "InsufficientCollateral",
      over: [
        "twice the collateral",
        async () => (await fetchLoan(P, k.aliceLoan))!.collateralAmount.muln(2),
        "InsufficientCollateral",
      ],
    }),
  });
  const br = await borrowIx(P, state, { ...ref, receivingAccount: alice.tokens.USDC, amount: usdc(10) });
  out.push({
    label: "borrow",
    paused: "Paused",
    ix: br,
    rules: [
      ...contextRules(signerIs(owner, "LoanMismatch"), "LoanMismatch"),
      R.address("InvalidTokenAccount"),
      receivingRule(M.USDC),
      R.tokenProgram(),
    ],
    args: amountCases({ ix: br }, "amount", 0, { zero: "ZeroAmount", one: "ok", max: "InsufficientLiquidity" }),
  });
  const rp = await repayIx(P, state, { ...ref, payer: owner, fundingAccount: alice.tokens.USDC, amount: usdc(10) });
  out.push({
    label: "repay",
    ix: rp,
    rules: [
      signerIs(owner, "InvalidTokenAccount"),
      R.config(),
      R.account("Pool", () => "LoanMismatch"),
      // Anyone may repay any loan of the custody.
      R.account("Loan", (d) =>
        d.borrowCustody.equals(M.USDC.custody) && d.pool.equals(w.main.pool) ? "ok" : "LoanMismatch",
      ),
      R.account("Custody", () => "LoanMismatch"),
      R.address("InvalidTokenAccount"),
      R.token(M.USDC.mint, (o) => (o.equals(owner) ? "ok" : "InvalidTokenAccount")),
      R.tokenProgram(),
    ],
    args: amountCases({ ix: rp }, "amount", 0, {
      zero: "ZeroAmount",
      one: "ok",
      max: "ok",
      over: ["balance + 1 (the debt is less)", plus1(w, alice.tokens.USDC), "ok"],
    }),
  });

  const lq = await liquidateLoanIx(P, state, {
    owner: carol.kp.publicKey,
    collateralCustody: M.SOL.custody,
    borrowCustody: M.USDC.custody,
    liquidator: keeper.kp.publicKey,
    liquidatorFunding: keeper.tokens.USDC,
    liquidatorReceiving: keeper.tokens.SOL,
    repayAmount: usdc(100),
  });
  out.push({
    label: "liquidate_loan",
    ix: lq,
    rules: [
      // Anyone may liquidate, paying from their own token account (the keeper's here).
      ...contextRules(signerIs(keeper.kp.publicKey, "InvalidTokenAccount"), "NotLiquidatable"),
      R.address("InvalidTokenAccount"),
      R.address("InvalidTokenAccount"),
      R.token(M.USDC.mint, (o) => (o.equals(keeper.kp.publicKey) ? "ok" : "InvalidTokenAccount")),
      receivingRule(M.SOL),
      R.tokenProgram(),
    ],
    args: amountCases({ ix: lq }, "repay_amount", 0, { zero: "ZeroAmount", one: "ok", max: "ok" }),
  });
  return out;
}

// --- orders ------------------------------------------------------------------------------------

async function orderSpecs(w: World, k: WorldKeys): Promise<Spec[]> {
  const P = w.program;
  const M = w.main.assets;
  const { alice, keeper } = w.wallets;
  const state = w.state();
  const out: Spec[] = [];
  const owner = alice.kp.publicKey;

  const place = await placeOrderIx(P, state, {
    owner,
    side: Side.LONG,
    custody: M.SOL.custody,
    collateralCustody: M.SOL.custody,
    fundingAccount: alice.tokens.SOL,
    slot: 2,
    kind: 1,
    triggerPrice: price9(200),
    acceptablePrice: ZERO,
    sizeUsd: ZERO,
    collateralAmount: ZERO,
    executionReward: new BN(10_000),
  });
  // data: slot u8, kind u8, side u8, trigger u64, acceptable u64, size u64, collateral u64, reward u64.
  out.push({
    label: "place_order (take-profit)",
    paused: "Paused",
    ix: place,
    rules: [
      signerIs(owner, "InvalidTokenAccount"),
      R.config(),
      poolSlot("CustodyMismatch"),
      (kk) =>
        kk.t === "perpool" ? (kk.type !== "Position" ? "InvalidAccountData" : "PositionMismatch") : "InvalidOrder",
      (kk) => (kk.t === "absent" || kk.t === "wallet" ? "InvalidPda" : "AlreadyInitialized"),
      custodyOf(w.main.pool, () => "InvalidCollateralCustody"),
      custodyOf(w.main.pool, (_d, kk) =>
        (kk as any).key.equals(M.USDC.custody) ? "InvalidTokenAccount" : "InvalidCollateralCustody",
      ),
      R.address("InvalidTokenAccount"),
      R.token(M.SOL.mint, (o) => (o.equals(owner) ? "ok" : "InvalidTokenAccount")),
      R.tokenProgram(),
      R.systemProgram(),
    ],
    demoted: { 4: "AlreadyInitialized" },
    args: [
      { label: "slot 8", data: withByte(place.data, 0, 8), expect: "InvalidOrder" },
      { label: "kind 0", data: withByte(place.data, 1, 0), expect: "InvalidOrder" },
      { label: "kind 4", data: withByte(place.data, 1, 4), expect: "InvalidOrder" },
      { label: "side 0", data: withByte(place.data, 2, 0), expect: "InvalidSide" },
      { label: "trigger 0", data: withU64(place.data, 3, ZERO), expect: "InvalidOrder" },
      { label: "take-profit with collateral", data: withU64(place.data, 27, ONE), expect: "InvalidOrder" },
      {
        label: "execution reward 9,999 lamports",
        data: withU64(place.data, 35, new BN(9_999)),
        expect: "ExecutionRewardTooSmall",
      },
      { label: "execution reward u64::MAX", data: withU64(place.data, 35, U64_MAX), expect: "InsufficientLamports" },
      { label: "occupied slot 0", data: withByte(place.data, 0, 0), expect: "InvalidPda" },
    ],
  });

  const orderRule = (ok: PublicKey[]): Rule =>
    R.account("Order", (_d, kk) => (ok.some((x) => x.equals((kk as any).key)) ? "ok" : "OrderMismatch"));
  const sl = (await fetchOrder(P, k.aliceSl))!;
  const cancel = await cancelOrderIx(P, state, { order: k.aliceSl, account: sl, receivingAccount: alice.tokens.SOL });
  out.push({
    label: "cancel_order (stop-loss)",
    ix: cancel,
    rules: [
      signerIs(owner, "OrderMismatch"),
      R.account("Pool", () => "OrderMismatch"),
      orderRule([k.aliceTp]),
      R.fixed("OrderMismatch"),
      R.address("InvalidTokenAccount"),
      receivingRule(M.SOL),
      R.tokenProgram(),
    ],
    demoted: { 3: "OrderMismatch" },
  });
  const lim = (await fetchOrder(P, k.aliceLimit))!;
  const cancelLimit = await cancelOrderIx(P, state, {
    order: k.aliceLimit,
    account: lim,
    receivingAccount: alice.tokens.ETH,
  });
  out.push({
    label: "cancel_order (limit, escrowed)",
    ix: cancelLimit,
    rules: [
      signerIs(owner, "OrderMismatch"),
      R.account("Pool", () => "OrderMismatch"),
      orderRule([]),
      R.fixed("OrderMismatch"),
      R.address("InvalidTokenAccount"),
      receivingRule(M.ETH),
      R.tokenProgram(),
    ],
    demoted: { 3: "OrderMismatch" },
  });

  const tpOrder = (await fetchOrder(P, k.aliceTp))!;
  const exec = await executeOrderIx(P, state, {
    keeper: keeper.kp.publicKey,
    order: k.aliceTp,
    account: tpOrder,
    ownerAccount: alice.tokens.SOL,
  });
  out.push({
    label: "execute_order (take-profit)",
    ix: exec,
    rules: [
      R.anySigner(),
      orderRule([k.aliceSl]),
      R.fixed("OrderMismatch"),
      R.config(),
      R.fixed("OrderMismatch"),
      R.fixed("OrderMismatch"),
      R.fixed("PositionMismatch"),
      R.address("InvalidOracleAccount"),
      R.fixed("PositionMismatch"),
      R.address("InvalidOracleAccount"),
      R.address("InvalidTokenAccount"),
      R.token(M.SOL.mint, (o) => (o.equals(owner) ? "ok" : "InvalidTokenAccount")),
      R.tokenProgram(),
      R.systemProgram(),
    ],
    demoted: { 2: "OrderMismatch", 5: "OrderMismatch", 6: "PositionMismatch", 8: "PositionMismatch" },
  });
  const execLimit = await executeOrderIx(P, state, {
    keeper: keeper.kp.publicKey,
    order: k.aliceLimit,
    account: lim,
    ownerAccount: alice.tokens.ETH,
  });
  out.push({
    label: "execute_order (limit, opens the position)",
    paused: "Paused",
    ix: execLimit,
    rules: [
      R.anySigner(),
      orderRule([]),
      R.fixed("OrderMismatch"),
      R.config(),
      R.fixed("OrderMismatch"),
      R.fixed("OrderMismatch"),
      custodyOf(w.main.pool, () => "InvalidCollateralCustody"),
      R.address("InvalidOracleAccount"),
      // USDC is a valid collateral for an ETH long, but the vault passed is ETH's.
      custodyOf(w.main.pool, (_d, kk) =>
        (kk as any).key.equals(M.USDC.custody) ? "InvalidTokenAccount" : "InvalidCollateralCustody",
      ),
      R.address("InvalidOracleAccount"),
      R.address("InvalidTokenAccount"),
      R.token(M.ETH.mint),
      R.tokenProgram(),
      R.systemProgram(),
    ],
    demoted: { 2: "OrderMismatch", 5: "OrderMismatch" },
  });
  return out;
}
