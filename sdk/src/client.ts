/**
 * `PerpoolClient`: one pool's actions and reads over a `Connection` and any wallet-adapter-style
 * signer (`{ publicKey, signTransaction }`). Every action quotes first with the SDK's math (what
 * the program will do at the cluster's clock) and turns the quote into the program's bound
 * (minimum out, worst price) with the caller's slippage. Transactions are v0 messages with a
 * compute-unit limit from simulation and a priority fee from recent fees, sent again until
 * confirmed or their blockhash expires.
 */
import * as anchor from "@coral-xyz/anchor";
import {
  AddressLookupTableAccount,
  ComputeBudgetProgram,
  Connection,
  PublicKey,
  Transaction,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import BN from "bn.js";

import {
  Listed,
  Loan,
  LpAccount,
  Order,
  Position,
  fetchLoan,
  fetchLpAccount,
  fetchOwnerOrders,
  fetchPoolLoans,
  fetchPoolPositions,
  fetchPosition,
} from "./accounts";
import { clusterTime, findTokenAccount, tokenAccountOrCreate } from "./keeper/chain";
import {
  addLiquidityIx,
  borrowIx,
  decreasePositionIx,
  depositLoanCollateralIx,
  increasePositionIx,
  removeLiquidityIx,
  repayIx,
  swapIx,
} from "./instructions";
import { quoteLoanBorrow, quoteLoanRepay } from "./loan";
import { Side, loanPda, lpAccountPda, positionPda } from "./pda";
import { PoolState, fetchPoolState, findCustody, quoteDeposit, quoteRedeem, quoteSwapExact } from "./pool";
import { tokenToUsdFloor } from "./math/units";
import { pricedCustody, quoteDecreasePosition, quoteIncreasePosition } from "./position";
import { PerpoolEvent, PerpoolProgram, parsePerpoolEvents, perpoolProgram } from "./program";
import { fetchLookupTable } from "./lookup-table";
import { ChainWatcher } from "./watch";

/** What the client needs of a wallet: the shape wallet adapters and `anchor.Wallet` both have. */
export interface WalletSigner {
  publicKey: PublicKey;
  signTransaction<T extends Transaction | VersionedTransaction>(tx: T): Promise<T>;
}

export interface PerpoolClientOptions {
  pool: PublicKey;
  programId?: PublicKey;
  /** Default slippage of every action, in bps of the quote (default 50: 0.5 %). */
  slippageBps?: number;
  /** Priority fee in micro-lamports per compute unit; `"auto"` (default) reads recent fees. */
  priorityFee?: number | "auto";
  /** Compute-unit limit as a multiple of the simulated units, in bps (default 12_000: +20 %). */
  computeMarginBps?: number;
  /**
   * Compute units added to the limit on top of the margin (default 3_000). A simulation in the
   * same second as a position's or custody's last update skips the interest and funding accrual
   * that the transaction, landing a second later, runs: on Agave a close simulated at 7,600 CU
   * ran out at 9,437.
   */
  computeHeadroom?: number;
  /** How long to keep resending before the blockhash expires, between tries (default 2_000 ms). */
  resendMs?: number;
  /** The pool's address lookup table (`poolLookupTableIxs`): messages index its accounts. */
  lookupTable?: PublicKey;
}

/** A sent transaction: its signature and the quote its bound came from. */
export interface SentAction<Q> {
  signature: string;
  quote: Q;
}

const BPS = 10_000;
const minus = (x: BN, bps: number) => x.muln(BPS - bps).divn(BPS);
const plus = (x: BN, bps: number) => x.muln(BPS + bps).divn(BPS);

export class PerpoolClient {
  readonly program: PerpoolProgram;
  readonly pool: PublicKey;
  private readonly slippageBps: number;
  private readonly priorityFee: number | "auto";
  private readonly computeMarginBps: number;
  private readonly computeHeadroom: number;
  private readonly resendMs: number;
  private readonly lookupTableAddress: PublicKey | null;
  private lookupTable: AddressLookupTableAccount | null = null;

  constructor(
    readonly connection: Connection,
    readonly wallet: WalletSigner,
    opts: PerpoolClientOptions,
  ) {
    this.pool = opts.pool;
    this.slippageBps = opts.slippageBps ?? 50;
    this.priorityFee = opts.priorityFee ?? "auto";
    this.computeMarginBps = opts.computeMarginBps ?? 12_000;
    this.computeHeadroom = opts.computeHeadroom ?? 3_000;
    this.resendMs = opts.resendMs ?? 2_000;
    this.lookupTableAddress = opts.lookupTable ?? null;
    if (!Number.isInteger(this.slippageBps) || this.slippageBps < 0 || this.slippageBps >= BPS)
      throw new Error(`slippageBps must be an integer in [0, 10000), not ${this.slippageBps}`);
    // The builders only read the provider's connection; signing goes through `send`.
    const readOnly = {
      publicKey: wallet.publicKey,
      signTransaction: wallet.signTransaction.bind(wallet),
      signAllTransactions: async <T extends Transaction | VersionedTransaction>(txs: T[]) =>
        Promise.all(txs.map((t) => wallet.signTransaction(t))),
    };
    this.program = perpoolProgram(
      new anchor.AnchorProvider(connection, readOnly, { commitment: "confirmed" }),
      opts.programId,
    );
  }

  /** The cluster's clock (unix seconds), the time the quotes are made at. */
  clusterTime(): Promise<BN> {
    return clusterTime(this.connection);
  }

  state(): Promise<PoolState> {
    return fetchPoolState(this.program, this.pool);
  }

  // ---------------------------------------------------------------------------
  // Reads
  // ---------------------------------------------------------------------------

  async getPositions(owner: PublicKey = this.wallet.publicKey): Promise<Listed<Position>[]> {
    return (await fetchPoolPositions(this.program, this.pool)).filter((p) => p.account.owner.equals(owner));
  }

  async getLoans(owner: PublicKey = this.wallet.publicKey): Promise<Listed<Loan>[]> {
    return (await fetchPoolLoans(this.program, this.pool)).filter((l) => l.account.owner.equals(owner));
  }

  getLpAccount(owner: PublicKey = this.wallet.publicKey): Promise<LpAccount | null> {
    return fetchLpAccount(this.program, lpAccountPda(this.pool, owner, this.program.programId)[0]);
  }

  async getOrders(owner: PublicKey = this.wallet.publicKey): Promise<Listed<Order>[]> {
    return (await fetchOwnerOrders(this.program, owner)).filter((o) => o.account.pool.equals(this.pool));
  }

  // ---------------------------------------------------------------------------
  // Subscriptions
  // ---------------------------------------------------------------------------

  /**
   * Calls `onPool` with the pool's state and `onPositions` with `owner`'s positions now and after
   * every burst of changes to the program's accounts or the pool's oracles (WebSocket), polling
   * every `pollIntervalMs` as a fallback. `await watcher.stop()` ends it.
   */
  watch(h: {
    onPool?: (state: PoolState) => void;
    onPositions?: (positions: Listed<Position>[]) => void;
    owner?: PublicKey;
    pollIntervalMs?: number;
    debounceMs?: number;
    /** Where failures of a refresh are reported (default: nowhere; the next change retries). */
    log?: (line: string) => void;
  }): ChainWatcher {
    const watcher: ChainWatcher = new ChainWatcher({
      connection: this.connection,
      programId: this.program.programId,
      ...(h.pollIntervalMs === undefined ? {} : { pollIntervalMs: h.pollIntervalMs }),
      ...(h.debounceMs === undefined ? {} : { debounceMs: h.debounceMs }),
      ...(h.log ? { log: h.log } : {}),
      onChange: async () => {
        const state = await this.state();
        for (const c of state.custodies) watcher.watchAccount(c.account.oracle, "oracle");
        h.onPool?.(state);
        if (h.onPositions) h.onPositions(await this.getPositions(h.owner));
      },
    });
    watcher.start();
    return watcher;
  }

  /**
   * Calls `onEvents` with the Perpool events of every confirmed transaction that has them (logs
   * over WebSocket). The returned function unsubscribes, waiting at most `timeoutMs` for the RPC.
   */
  onEvents(onEvents: (events: PerpoolEvent[], signature: string) => void, timeoutMs = 2_000): () => Promise<void> {
    const id = this.connection.onLogs(
      this.program.programId,
      (l) => {
        if (l.err) return;
        const events = parsePerpoolEvents(this.program, l.logs);
        if (events.length > 0) onEvents(events, l.signature);
      },
      "confirmed",
    );
    return async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.connection.removeOnLogsListener(id).catch(() => undefined),
        new Promise((r) => (timer = setTimeout(r, timeoutMs))),
      ]);
      clearTimeout(timer);
    };
  }

  // ---------------------------------------------------------------------------
  // Actions: quote, bound, send
  // ---------------------------------------------------------------------------

  /** Deposits `amount` (base units) of `custody`'s asset for LP tokens, at least the quote less slippage. */
  async deposit(a: { custody: PublicKey; amount: BN; slippageBps?: number }) {
    const [state, now] = await Promise.all([this.state(), this.clusterTime()]);
    const quote = quoteDeposit(state, a.custody, a.amount, now);
    const owner = this.wallet.publicKey;
    const funding = await this.tokenAccount(findCustody(state, a.custody).account.mint);
    const lp = await tokenAccountOrCreate(this.connection, owner, owner, state.pool.lpMint);
    const ix = await addLiquidityIx(this.program, state, {
      owner,
      custody: a.custody,
      fundingAccount: funding,
      lpTokenAccount: lp.address,
      amountIn: a.amount,
      minLpOut: minus(quote.lpOut, this.slip(a)),
    });
    return this.sent(quote, [...(lp.create ? [lp.create] : []), ix]);
  }

  /** Redeems `lpIn` LP tokens for `custody`'s asset, at least the quote less slippage. */
  async redeem(a: { custody: PublicKey; lpIn: BN; slippageBps?: number }) {
    const [state, now] = await Promise.all([this.state(), this.clusterTime()]);
    const quote = quoteRedeem(state, a.custody, a.lpIn, now);
    const owner = this.wallet.publicKey;
    const receiving = await tokenAccountOrCreate(
      this.connection,
      owner,
      owner,
      findCustody(state, a.custody).account.mint,
    );
    const lp = await this.tokenAccount(state.pool.lpMint);
    const ix = await removeLiquidityIx(this.program, state, {
      owner,
      custody: a.custody,
      receivingAccount: receiving.address,
      lpTokenAccount: lp,
      lpIn: a.lpIn,
      minAmountOut: minus(quote.amountOut, this.slip(a)),
    });
    return this.sent(quote, [...(receiving.create ? [receiving.create] : []), ix]);
  }

  /** Swaps `amountIn` of `custodyIn`'s asset for `custodyOut`'s, at least the quote less slippage. */
  async swap(a: { custodyIn: PublicKey; custodyOut: PublicKey; amountIn: BN; slippageBps?: number }) {
    const [state, now] = await Promise.all([this.state(), this.clusterTime()]);
    const quote = quoteSwapExact(state, a.custodyIn, a.custodyOut, a.amountIn, now);
    const owner = this.wallet.publicKey;
    const funding = await this.tokenAccount(findCustody(state, a.custodyIn).account.mint);
    const receiving = await tokenAccountOrCreate(
      this.connection,
      owner,
      owner,
      findCustody(state, a.custodyOut).account.mint,
    );
    const ix = await swapIx(this.program, state, {
      owner,
      custodyIn: a.custodyIn,
      custodyOut: a.custodyOut,
      fundingAccount: funding,
      receivingAccount: receiving.address,
      amountIn: a.amountIn,
      minAmountOut: minus(quote.amountOut, this.slip(a)),
    });
    return this.sent(quote, [...(receiving.create ? [receiving.create] : []), ix]);
  }

  /**
   * Opens or increases a position. Size is `sizeUsd` (USD, 6 decimals) or `leverage` (× the
   * collateral's value at the quote's price); the entry price is bounded by the quote ± slippage.
   */
  async openPosition(
    a: { market: PublicKey; side: Side; collateral: PublicKey; collateralAmount: BN; slippageBps?: number } & (
      { sizeUsd: BN } | { leverage: number }
    ),
  ) {
    const [state, now] = await Promise.all([this.state(), this.clusterTime()]);
    const owner = this.wallet.publicKey;
    const [address] = positionPda(owner, this.pool, a.market, a.collateral, a.side, this.program.programId);
    const position = await fetchPosition(this.program, address);
    const base = {
      position,
      side: a.side,
      custody: a.market,
      collateralCustody: a.collateral,
      collateralAmount: a.collateralAmount,
    };
    let sizeUsd: BN;
    if ("sizeUsd" in a) sizeUsd = a.sizeUsd;
    else {
      if (!(a.leverage > 0) || !Number.isFinite(a.leverage))
        throw new Error(`leverage must be a positive number, not ${a.leverage}`);
      // The collateral's value at the price the pool takes it in (min of spot and EMA), times the
      // leverage in hundredths.
      const { account, price } = pricedCustody(state, a.collateral, now);
      sizeUsd = tokenToUsdFloor(a.collateralAmount, price.min, account.decimals)
        .muln(Math.round(a.leverage * 100))
        .divn(100);
    }
    const quote = quoteIncreasePosition(state, { ...base, sizeUsd }, now);
    const slip = this.slip(a);
    const acceptablePrice = a.side === Side.LONG ? plus(quote.entryPrice, slip) : minus(quote.entryPrice, slip);
    const funding = await this.tokenAccount(findCustody(state, a.collateral).account.mint);
    const ix = await increasePositionIx(this.program, state, {
      owner,
      side: a.side,
      custody: a.market,
      collateralCustody: a.collateral,
      fundingAccount: funding,
      sizeUsd,
      collateralAmount: a.collateralAmount,
      acceptablePrice,
    });
    return this.sent(quote, [ix]);
  }

  /** Closes `sizeUsd` of a position (default: all of it), the exit price bounded by the quote ∓ slippage. */
  async closePosition(a: { position: PublicKey; sizeUsd?: BN; collateralOut?: BN; slippageBps?: number }) {
    const [state, now, position] = await Promise.all([
      this.state(),
      this.clusterTime(),
      fetchPosition(this.program, a.position),
    ]);
    if (!position) throw new Error(`no position at ${a.position.toBase58()}`);
    const sizeUsd = a.sizeUsd ?? position.sizeUsd;
    const collateralOut = a.collateralOut ?? new BN(0);
    const quote = quoteDecreasePosition(state, position, sizeUsd, collateralOut, now);
    const slip = this.slip(a);
    const acceptablePrice = position.side === Side.LONG ? minus(quote.exitPrice, slip) : plus(quote.exitPrice, slip);
    const owner = this.wallet.publicKey;
    const receiving = await tokenAccountOrCreate(
      this.connection,
      owner,
      owner,
      findCustody(state, position.collateralCustody).account.mint,
    );
    const ix = await decreasePositionIx(this.program, state, {
      position,
      receivingAccount: receiving.address,
      sizeUsd,
      collateralOut,
      acceptablePrice,
    });
    return this.sent(quote, [...(receiving.create ? [receiving.create] : []), ix]);
  }

  /** Deposits loan collateral (opening the loan) and borrows `amount`, refused by the quote first if over the LTV. */
  async borrow(a: { collateralCustody: PublicKey; borrowCustody: PublicKey; amount: BN; depositCollateral?: BN }) {
    const [state, now] = await Promise.all([this.state(), this.clusterTime()]);
    const owner = this.wallet.publicKey;
    const ref = { owner, collateralCustody: a.collateralCustody, borrowCustody: a.borrowCustody };
    const ixs: TransactionInstruction[] = [];
    const [loanAddress] = loanPda(owner, this.pool, a.collateralCustody, a.borrowCustody, this.program.programId);
    let loan = await fetchLoan(this.program, loanAddress);
    if (a.depositCollateral && !a.depositCollateral.isZero()) {
      const funding = await this.tokenAccount(findCustody(state, a.collateralCustody).account.mint);
      ixs.push(
        await depositLoanCollateralIx(this.program, state, {
          ...ref,
          fundingAccount: funding,
          amount: a.depositCollateral,
        }),
      );
      loan = loan ? { ...loan, collateralAmount: loan.collateralAmount.add(a.depositCollateral) } : null;
    }
    const receiving = await tokenAccountOrCreate(
      this.connection,
      owner,
      owner,
      findCustody(state, a.borrowCustody).account.mint,
    );
    if (receiving.create) ixs.push(receiving.create);
    ixs.push(await borrowIx(this.program, state, { ...ref, receivingAccount: receiving.address, amount: a.amount }));
    // A loan opened in this transaction is quoted by the program alone (nothing to settle yet).
    const quote = loan ? quoteLoanBorrow(state, loan, a.amount, now) : null;
    return this.sent(quote, ixs);
  }

  /** Repays `amount` of a loan's debt (more than the debt repays the debt). */
  async repay(a: { collateralCustody: PublicKey; borrowCustody: PublicKey; amount: BN; owner?: PublicKey }) {
    const [state, now] = await Promise.all([this.state(), this.clusterTime()]);
    const owner = a.owner ?? this.wallet.publicKey;
    const [loanAddress] = loanPda(owner, this.pool, a.collateralCustody, a.borrowCustody, this.program.programId);
    const loan = await fetchLoan(this.program, loanAddress);
    if (!loan) throw new Error(`no loan at ${loanAddress.toBase58()}`);
    const quote = quoteLoanRepay(state, loan, a.amount, now);
    const funding = await this.tokenAccount(findCustody(state, a.borrowCustody).account.mint);
    const ix = await repayIx(this.program, state, {
      owner,
      collateralCustody: a.collateralCustody,
      borrowCustody: a.borrowCustody,
      payer: this.wallet.publicKey,
      fundingAccount: funding,
      amount: a.amount,
    });
    return this.sent(quote, [ix]);
  }

  // ---------------------------------------------------------------------------
  // Sending
  // ---------------------------------------------------------------------------

  /**
   * Sends `ixs` as a v0 transaction signed by the wallet: compute-unit limit from a simulation
   * (plus the margin and the headroom), priority fee from recent fees of the written accounts, resent every
   * `resendMs` until confirmed; throws when the transaction fails or its blockhash expires.
   */
  async send(ixs: TransactionInstruction[]): Promise<string> {
    const payer = this.wallet.publicKey;
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash("confirmed");
    if (this.lookupTableAddress && !this.lookupTable) {
      this.lookupTable = await fetchLookupTable(this.connection, this.lookupTableAddress);
      if (!this.lookupTable) throw new Error(`no address lookup table at ${this.lookupTableAddress.toBase58()}`);
    }
    const tables = this.lookupTable ? [this.lookupTable] : [];
    const message = (extra: TransactionInstruction[]) =>
      new VersionedTransaction(
        new TransactionMessage({
          payerKey: payer,
          recentBlockhash: blockhash,
          instructions: [...extra, ...ixs],
        }).compileToV0Message(tables),
      );
    const simulated = await this.connection.simulateTransaction(
      message([ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 })]),
      { sigVerify: false, replaceRecentBlockhash: false },
    );
    if (simulated.value.err) {
      throw Object.assign(new Error(`simulation failed: ${JSON.stringify(simulated.value.err)}`), {
        logs: simulated.value.logs ?? [],
        err: simulated.value.err,
      });
    }
    const units = Math.min(
      1_400_000,
      Math.ceil(((simulated.value.unitsConsumed ?? 200_000) * this.computeMarginBps) / BPS) + this.computeHeadroom,
    );
    const budget = [ComputeBudgetProgram.setComputeUnitLimit({ units })];
    const fee = await this.priorityFeeFor(ixs);
    if (fee > 0) budget.push(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: fee }));
    const signed = await this.wallet.signTransaction(message(budget));
    const raw = signed.serialize();
    const signature = await this.connection.sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 });
    let settled = false;
    // Confirmation over the WebSocket (signatureSubscribe); a status poll beside it resends the
    // transaction and decides when the socket is unavailable or says nothing definite.
    const overSocket = new Promise<string>((resolve, reject) => {
      if (typeof (this.connection as Partial<Connection>).onSignature !== "function") return;
      this.connection
        .confirmTransaction({ signature, blockhash, lastValidBlockHeight }, "confirmed")
        .then((r) => {
          if (r.value.err)
            reject(
              Object.assign(new Error(`transaction ${signature} failed: ${JSON.stringify(r.value.err)}`), {
                err: r.value.err,
                signature,
              }),
            );
          else resolve(signature);
        })
        .catch(() => undefined);
    });
    const byPolling = (async (): Promise<string> => {
      for (;;) {
        const status = (await this.connection.getSignatureStatuses([signature])).value[0];
        if (status?.err)
          throw Object.assign(new Error(`transaction ${signature} failed: ${JSON.stringify(status.err)}`), {
            err: status.err,
            signature,
          });
        if (status && (status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized"))
          return signature;
        if ((await this.connection.getBlockHeight("confirmed")) > lastValidBlockHeight)
          throw new Error(`transaction ${signature} expired before it was confirmed (blockhash ${blockhash})`);
        await new Promise((r) => setTimeout(r, this.resendMs));
        if (settled) return signature;
        await this.connection.sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 }).catch(() => undefined);
      }
    })();
    try {
      return await Promise.race([overSocket, byPolling]);
    } finally {
      settled = true;
      byPolling.catch(() => undefined);
    }
  }

  /** Micro-lamports per compute unit: the option, or the median of recent non-zero fees (0 when none). */
  private async priorityFeeFor(ixs: TransactionInstruction[]): Promise<number> {
    if (this.priorityFee !== "auto") return this.priorityFee;
    const written = [
      ...new Map(
        ixs.flatMap((ix) => ix.keys.filter((k) => k.isWritable).map((k) => [k.pubkey.toBase58(), k.pubkey] as const)),
      ).values(),
    ].slice(0, 128);
    let recent: { prioritizationFee: number }[] = [];
    try {
      recent = await this.connection.getRecentPrioritizationFees({ lockedWritableAccounts: written });
    } catch {
      // An RPC (or test connection) without the method: no fee.
    }
    const fees = recent
      .map((f) => f.prioritizationFee)
      .filter((f) => f > 0)
      .sort((x, y) => x - y);
    return fees.length === 0 ? 0 : (fees[Math.floor(fees.length / 2)] ?? 0);
  }

  private slip(a: { slippageBps?: number }): number {
    const bps = a.slippageBps ?? this.slippageBps;
    if (!Number.isInteger(bps) || bps < 0 || bps >= BPS)
      throw new Error(`slippageBps must be an integer in [0, 10000), not ${bps}`);
    return bps;
  }

  private async tokenAccount(mint: PublicKey): Promise<PublicKey> {
    const found = await findTokenAccount(this.connection, this.wallet.publicKey, mint);
    if (!found) throw new Error(`${this.wallet.publicKey.toBase58()} has no token account of ${mint.toBase58()}`);
    return found.address;
  }

  private async sent<Q>(quote: Q, ixs: TransactionInstruction[]): Promise<SentAction<Q>> {
    return { signature: await this.send(ixs), quote };
  }
}
