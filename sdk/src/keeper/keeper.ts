/**
 * The keeper bot: defends one pool. Each scan reads the pool (custodies and
 * oracles), its positions, trigger orders and loans at the cluster's clock,
 * and sends what the SDK quotes say is due:
 *
 *  1. `liquidate_position` for every position `quoteLiquidatePosition` accepts;
 *  2. `execute_order` for every order whose trigger the oracle spot price has crossed;
 *  3. `auto_deleverage` while a market side's profit is above its ADL threshold,
 *     the most profitable and leveraged positions first (`adlScore`), each by
 *     `adlCloseSize`, re-evaluated after every step;
 *  4. `liquidate_loan` for unhealthy loans of an asset the keeper holds, and for
 *     healthy ones while their custody is over-lent (the recall path), repaying
 *     what `quoteLoanLiquidation` allows.
 *
 * One failing action is logged and the scan goes on. In dry-run nothing is
 * sent: the scan reports what it would do. `start()` watches the program's
 * accounts and the oracles over WebSocket (scans are debounced, so a burst of
 * changes costs one scan) and polls every `pollIntervalMs` as a fallback.
 */
import { Connection, Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import { fetchAllOrders, fetchPoolLoans, fetchPoolPositions, fetchPosition, Loan, Order, Position } from "../accounts";
import { OrderKind } from "../types";
import { autoDeleverageIx, executeOrderIx, liquidateLoanIx, liquidatePositionIx } from "../instructions";
import { loanInfo, quoteLoanLiquidation } from "../loan";
import { PoolState, fetchPoolState, findCustody } from "../pool";
import { PerpoolProgram } from "../program";
import {
  accrueCustody,
  adlCloseSize,
  adlScore,
  adlStatus,
  orderStale,
  orderTriggered,
  overLent,
  poolShares,
  positionInfo,
  pricedCustody,
  quoteLiquidatePosition,
} from "../position";
import { formatPrice, formatUnits, formatUsd } from "../cli/units";
import { Sent, clusterTime, describeError, findTokenAccount, sendInstructions, tokenAccountOrCreate } from "./chain";
import { at } from "../util";
import { ChainWatcher } from "../watch";

export type KeeperActionKind = "liquidate_position" | "execute_order" | "auto_deleverage" | "liquidate_loan";

export interface KeeperAction {
  kind: KeeperActionKind;
  /** The position, order or loan acted on. */
  target: PublicKey;
  owner: PublicKey;
  /** `planned` in dry-run; `sent` once confirmed; `failed` with `error`. */
  status: "planned" | "sent" | "failed";
  signature?: string;
  error?: string;
  /** What the quote said (human units), e.g. `{ size_usd: "1000", reward: "0.01" }`. */
  details: Record<string, string>;
  /** The transaction's Perpool events (sent actions). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parseEvents' untyped data (a published type)
  events: { name: string; data: any }[];
}

export interface KeeperSkip {
  target: PublicKey;
  reason: string;
}

export interface KeeperSummary {
  /** Cluster time the scan quoted at (unix seconds). */
  now: BN;
  dryRun: boolean;
  positions: number;
  orders: number;
  loans: number;
  actions: KeeperAction[];
  /** Targets that were due but could not be acted on, and why. */
  skipped: KeeperSkip[];
  durationMs: number;
}

export interface KeeperOptions {
  /** The Perpool program, with any provider (an RPC `Connection` or the in-process `LiteSvmProvider`). */
  program: PerpoolProgram;
  pool: PublicKey;
  /** Signs and pays for every transaction; receives rewards. */
  keeper: Keypair;
  /** Report, send nothing. */
  dryRun?: boolean;
  /** One line per event (already timestamped). Default: `console.log`. */
  log?: (line: string) => void;
  /** Scan at least this often while started. Default 10,000 ms. */
  pollIntervalMs?: number;
  /** Quiet time before a scan after a change notification. Default 250 ms. */
  debounceMs?: number;
  /** Most `auto_deleverage` steps per market side and scan. Default 8. */
  maxAdlSteps?: number;
  /** Log a line for every scan, not only those that act. */
  verbose?: boolean;
}

const KIND_NAMES: Record<number, string> = {
  [OrderKind.TAKE_PROFIT]: "take_profit",
  [OrderKind.STOP_LOSS]: "stop_loss",
  [OrderKind.LIMIT]: "limit",
};
const sideName = (side: number) => (side === 1 ? "long" : "short");
const errorCode = (e: unknown): string | undefined => (e as { code?: string })?.code;

type Listed<A> = { address: PublicKey; account: A };

export class Keeper {
  readonly program: PerpoolProgram;
  readonly pool: PublicKey;
  readonly keeper: Keypair;
  readonly dryRun: boolean;
  readonly pollIntervalMs: number;
  readonly debounceMs: number;
  readonly maxAdlSteps: number;
  readonly verbose: boolean;
  private readonly out: (line: string) => void;

  /** The last reason each target was skipped or failed, so a standing reason is logged once. */
  private readonly lastSkip = new Map<string, string>();
  /** Token accounts already found, by owner and mint. */
  private readonly tokenAccounts = new Map<string, PublicKey>();

  /** Subscriptions, polling and debouncing (the SDK's `ChainWatcher`); set by `start()`. */
  private watcher: ChainWatcher | null = null;
  /** The summary of the most recent scan. */
  lastSummary: KeeperSummary | null = null;
  private lastState: PoolState | null = null;

  constructor(opts: KeeperOptions) {
    this.program = opts.program;
    this.pool = opts.pool;
    this.keeper = opts.keeper;
    this.dryRun = opts.dryRun ?? false;
    this.pollIntervalMs = opts.pollIntervalMs ?? 10_000;
    this.debounceMs = opts.debounceMs ?? 250;
    this.maxAdlSteps = opts.maxAdlSteps ?? 8;
    this.verbose = opts.verbose ?? false;
    this.out = opts.log ?? ((line) => console.log(line));
  }

  get connection(): Connection {
    return this.program.provider.connection;
  }

  /** One timestamped log line. */
  log(message: string): void {
    this.out(`${new Date().toISOString()} ${message}`);
  }

  // -------------------------------------------------------------------------
  // One scan
  // -------------------------------------------------------------------------

  /** One full scan: liquidations, orders, auto-deleveraging, loans. */
  async runOnce(): Promise<KeeperSummary> {
    const started = Date.now();
    let state = await fetchPoolState(this.program, this.pool);
    let now = await clusterTime(this.connection);
    const [positions, allOrders, loans] = await Promise.all([
      fetchPoolPositions(this.program, this.pool),
      fetchAllOrders(this.program),
      fetchPoolLoans(this.program, this.pool),
    ]);
    const orders = allOrders.filter((o) => o.account.pool.equals(this.pool));
    const summary: KeeperSummary = {
      now,
      dryRun: this.dryRun,
      positions: positions.length,
      orders: orders.length,
      loans: loans.length,
      actions: [],
      skipped: [],
      durationMs: 0,
    };
    const seen = new Set<string>();

    // 1. Liquidations.
    let acted = false;
    for (const p of positions) {
      if (p.account.sizeUsd.isZero()) continue;
      const a = await this.tryLiquidatePosition(state, p, now, summary, seen);
      acted = acted || a;
    }

    // 2. Trigger orders (at fresh state when liquidations changed it).
    if (acted && !this.dryRun) ({ state, now } = await this.refresh());
    for (const o of orders) await this.tryExecuteOrder(state, o, now, summary, seen);

    // 3. Auto-deleveraging, market side by market side (positions read again if anything changed them).
    const changed = !this.dryRun && summary.actions.some((x) => x.status === "sent");
    if (changed) ({ state, now } = await this.refresh());
    await this.deleverage(
      state,
      now,
      changed ? await fetchPoolPositions(this.program, this.pool) : positions,
      summary,
      seen,
    );

    // 4. Loans.
    if (!this.dryRun && summary.actions.some((x) => x.status === "sent")) ({ state, now } = await this.refresh());
    for (const l of loans) await this.tryLiquidateLoan(state, l, now, summary, seen);

    // Targets no longer skipped may be logged again if they come back.
    for (const key of Array.from(this.lastSkip.keys())) if (!seen.has(key)) this.lastSkip.delete(key);

    summary.durationMs = Date.now() - started;
    this.lastSummary = summary;
    this.lastState = state;
    if (this.verbose || summary.actions.length > 0) {
      const sent = summary.actions.filter((a) => a.status === "sent").length;
      const failed = summary.actions.filter((a) => a.status === "failed").length;
      const planned = summary.actions.filter((a) => a.status === "planned").length;
      this.log(
        `scan pool ${this.pool.toBase58()} positions=${summary.positions} orders=${summary.orders} loans=${summary.loans} ` +
          `${this.dryRun ? `planned=${planned}` : `sent=${sent} failed=${failed}`} skipped=${summary.skipped.length} ms=${summary.durationMs}`,
      );
    }
    return summary;
  }

  private async refresh(): Promise<{ state: PoolState; now: BN }> {
    const [state, now] = await Promise.all([fetchPoolState(this.program, this.pool), clusterTime(this.connection)]);
    return { state, now };
  }

  /** Records a skip; logs it unless the same target was skipped for the same reason last time. */
  private recordSkip(
    summary: KeeperSummary,
    seen: Set<string>,
    what: string,
    target: PublicKey,
    reason: string,
    key = target.toBase58(),
  ): void {
    seen.add(key);
    summary.skipped.push({ target, reason });
    if (this.lastSkip.get(key) !== reason) {
      this.lastSkip.set(key, reason);
      this.log(`skipped ${what} ${target.toBase58()}: ${reason}`);
    }
  }

  /** Sends (or, in dry-run, plans) one action and logs it. */
  private async act(
    summary: KeeperSummary,
    a: {
      kind: KeeperActionKind;
      target: PublicKey;
      owner: PublicKey;
      details: Record<string, string>;
      past: string;
      future: string;
    },
    build: () => Promise<TransactionInstruction[]>,
  ): Promise<KeeperAction> {
    const action: KeeperAction = {
      kind: a.kind,
      target: a.target,
      owner: a.owner,
      status: "planned",
      details: a.details,
      events: [],
    };
    summary.actions.push(action);
    const detail = Object.entries(a.details)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    const target = `${a.target.toBase58()} owner ${a.owner.toBase58()}`;
    const key = a.target.toBase58();
    if (this.dryRun) {
      // While watching in dry-run, a standing plan is logged once.
      if (this.lastSkip.get(key) !== `planned ${a.kind}`)
        this.log(`would ${a.future} ${target}${detail ? ` ${detail}` : ""}`);
      this.lastSkip.set(key, `planned ${a.kind}`);
      return action;
    }
    let sent: Sent;
    try {
      sent = await sendInstructions(this.program, this.keeper, await build());
    } catch (e) {
      action.status = "failed";
      action.error = describeError(e);
      // Retried every scan (a refused transaction costs nothing); the same failure is logged once.
      if (this.lastSkip.get(key) !== `failed ${action.error}`)
        this.log(`failed to ${a.future} ${target}: ${action.error}`);
      this.lastSkip.set(key, `failed ${action.error}`);
      return action;
    }
    this.lastSkip.delete(key);
    action.status = "sent";
    action.signature = sent.signature;
    action.events = sent.events;
    this.log(`${a.past} ${target} tx ${sent.signature}${detail ? ` ${detail}` : ""}`);
    return action;
  }

  /** The keeper's token account of `mint` (created with the action when missing). */
  private async keeperAccount(mint: PublicKey): Promise<{ address: PublicKey; create: TransactionInstruction | null }> {
    return (await this.ownerAccount(this.keeper.publicKey, mint, true))!;
  }

  /**
   * `owner`'s token account of `mint`; when there is none: the associated
   * address and its creation (paid by the keeper) if `create`, else null.
   */
  private async ownerAccount(
    owner: PublicKey,
    mint: PublicKey,
    create: boolean,
  ): Promise<{ address: PublicKey; create: TransactionInstruction | null } | null> {
    const key = `${owner.toBase58()}:${mint.toBase58()}`;
    const cached = this.tokenAccounts.get(key);
    if (cached) return { address: cached, create: null };
    if (!create) {
      const found = await findTokenAccount(this.connection, owner, mint);
      if (!found) return null;
      this.tokenAccounts.set(key, found.address);
      return { address: found.address, create: null };
    }
    const r = await tokenAccountOrCreate(this.connection, this.keeper.publicKey, owner, mint);
    if (!r.create) this.tokenAccounts.set(key, r.address);
    return { address: r.address, create: r.create };
  }

  /** Forgets cached token accounts of an owner (after a failed action, in case one was closed). */
  private forgetAccounts(...owners: PublicKey[]): void {
    for (const owner of owners) {
      const prefix = `${owner.toBase58()}:`;
      for (const key of Array.from(this.tokenAccounts.keys()))
        if (key.startsWith(prefix)) this.tokenAccounts.delete(key);
    }
  }

  // -------------------------------------------------------------------------
  // Liquidations
  // -------------------------------------------------------------------------

  private async tryLiquidatePosition(
    state: PoolState,
    p: Listed<Position>,
    now: BN,
    summary: KeeperSummary,
    seen: Set<string>,
  ): Promise<boolean> {
    let q;
    try {
      q = quoteLiquidatePosition(state, p.account, now);
    } catch (e) {
      if (errorCode(e) === "NotLiquidatable") return false;
      this.recordSkip(
        summary,
        seen,
        "position",
        p.address,
        `cannot quote its liquidation: ${errorCode(e) ?? describeError(e)}`,
      );
      return false;
    }
    seen.add(p.address.toBase58());
    const position = p.account;
    const mint = findCustody(state, position.collateralCustody).account.mint;
    const decimals = findCustody(state, position.collateralCustody).account.decimals;
    const action = await this.act(
      summary,
      {
        kind: "liquidate_position",
        target: p.address,
        owner: position.owner,
        past: "liquidated position",
        future: "liquidate position",
        details: {
          side: sideName(position.side),
          full: String(q.full),
          size_usd: formatUsd(q.sizeDeltaUsd),
          exit_price: formatPrice(q.exitPrice),
          reward: formatUnits(q.rewardTokens, decimals),
        },
      },
      async () => {
        const keeperAccount = await this.keeperAccount(mint);
        // The owner's leftovers need a token account: create the associated one if the owner has none.
        const ownerAccount = (await this.ownerAccount(position.owner, mint, true))!;
        const ix = await liquidatePositionIx(this.program, state, {
          keeper: this.keeper.publicKey,
          position: position,
          keeperAccount: keeperAccount.address,
          ownerAccount: ownerAccount.address,
        });
        return [keeperAccount.create, ownerAccount.create, ix].filter((x): x is TransactionInstruction => x !== null);
      },
    );
    if (action.status === "failed") this.forgetAccounts(position.owner, this.keeper.publicKey);
    return action.status === "sent";
  }

  // -------------------------------------------------------------------------
  // Trigger orders
  // -------------------------------------------------------------------------

  private async tryExecuteOrder(
    state: PoolState,
    o: Listed<Order>,
    now: BN,
    summary: KeeperSummary,
    seen: Set<string>,
  ): Promise<boolean> {
    const order = o.account;
    const kind = KIND_NAMES[order.kind] ?? `kind_${order.kind}`;
    let spot: BN;
    try {
      spot = pricedCustody(state, order.custody, now).price.spot;
    } catch (e) {
      this.recordSkip(
        summary,
        seen,
        "order",
        o.address,
        `no usable price for its market: ${errorCode(e) ?? describeError(e)}`,
      );
      return false;
    }
    const collateral = findCustody(state, order.collateralCustody).account;
    // Take-profit and stop-loss need their position (read now: this scan may have closed it).
    // One whose position was closed (or reopened since) is cleared by execute_order, for the reward.
    if (order.kind !== OrderKind.LIMIT && orderStale(order, await fetchPosition(this.program, order.position))) {
      seen.add(o.address.toBase58());
      const account = await this.ownerAccount(order.owner, collateral.mint, false);
      const action = await this.act(
        summary,
        {
          kind: "execute_order",
          target: o.address,
          owner: order.owner,
          past: "cleared stale order",
          future: "clear stale order",
          details: { kind, position: order.position.toBase58(), reward_lamports: order.executionReward.toString() },
        },
        async () => [
          await executeOrderIx(this.program, state, {
            keeper: this.keeper.publicKey,
            order: o.address,
            account: order,
            ownerAccount: account?.address ?? order.owner,
          }),
        ],
      );
      return action.status === "sent";
    }
    if (!orderTriggered(order, spot)) return false;
    seen.add(o.address.toBase58());
    const ownerAccount = await this.ownerAccount(order.owner, collateral.mint, false);
    if (!ownerAccount) {
      this.recordSkip(
        summary,
        seen,
        "order",
        o.address,
        `owner ${order.owner.toBase58()} has no token account of mint ${collateral.mint.toBase58()}`,
      );
      return false;
    }
    const details: Record<string, string> = {
      kind,
      side: sideName(order.side),
      position: order.position.toBase58(),
      trigger: formatPrice(order.triggerPrice),
      spot: formatPrice(spot),
      size_usd: order.sizeUsd.isZero() ? "all" : formatUsd(order.sizeUsd),
      reward_lamports: order.executionReward.toString(),
    };
    const action = await this.act(
      summary,
      {
        kind: "execute_order",
        target: o.address,
        owner: order.owner,
        past: "executed order",
        future: "execute order",
        details,
      },
      async () => [
        await executeOrderIx(this.program, state, {
          keeper: this.keeper.publicKey,
          order: o.address,
          account: order,
          ownerAccount: ownerAccount.address,
        }),
      ],
    );
    if (action.status === "failed") this.forgetAccounts(order.owner);
    return action.status === "sent";
  }

  // -------------------------------------------------------------------------
  // Auto-deleveraging
  // -------------------------------------------------------------------------

  private async deleverage(
    initial: PoolState,
    initialNow: BN,
    initialPositions: Listed<Position>[],
    summary: KeeperSummary,
    seen: Set<string>,
  ): Promise<void> {
    let state = initial;
    let now = initialNow;
    let positions = initialPositions;
    const groupKey = (p: Position) => `${p.custody.toBase58()}:${p.collateralCustody.toBase58()}:${p.side}`;
    const groups = Array.from(
      new Set(positions.filter((p) => !p.account.sizeUsd.isZero()).map((p) => groupKey(p.account))),
    );
    for (const group of groups) {
      const failed = new Set<string>();
      for (let step = 0; step < this.maxAdlSteps; step++) {
        const members = positions.filter((p) => !p.account.sizeUsd.isZero() && groupKey(p.account) === group);
        if (members.length === 0) break;
        let status;
        try {
          status = adlStatus(state, at(members, 0).account, now);
        } catch {
          break; // no usable prices: the liquidation pass has already said so
        }
        if (!status.allowed) break;
        const ranked: { p: Listed<Position>; score: number; size: BN }[] = [];
        for (const p of members) {
          if (failed.has(p.address.toBase58())) continue;
          try {
            if (!positionInfo(state, p.account, now).spotPnlUsd.gtn(0)) continue;
            const size = adlCloseSize(state, p.account, now);
            if (size && !size.isZero()) ranked.push({ p, score: adlScore(state, p.account, now), size });
          } catch {
            continue;
          }
        }
        ranked.sort((a, b) => b.score - a.score);
        const best = ranked[0];
        const m = at(members, 0).account;
        if (!best) {
          const reason = `${sideName(m.side)} ADL ratio ${status.ratioBps.toString()} bps above threshold ${status.thresholdBps} but no position can be reduced`;
          this.recordSkip(summary, seen, "market", m.custody, reason, `adl:${group}`);
          break;
        }
        seen.add(best.p.address.toBase58());
        const position = best.p.account;
        const mint = findCustody(state, position.collateralCustody).account.mint;
        const action = await this.act(
          summary,
          {
            kind: "auto_deleverage",
            target: best.p.address,
            owner: position.owner,
            past: "deleveraged position",
            future: "deleverage position",
            details: {
              side: sideName(position.side),
              size_usd: formatUsd(best.size),
              of_usd: formatUsd(position.sizeUsd),
              score: best.score.toFixed(4),
              ratio_bps: status.ratioBps.toString(),
              threshold_bps: String(status.thresholdBps),
            },
          },
          async () => {
            const ownerAccount = (await this.ownerAccount(position.owner, mint, true))!;
            const ix = await autoDeleverageIx(this.program, state, {
              keeper: this.keeper.publicKey,
              position,
              ownerAccount: ownerAccount.address,
              sizeUsd: best.size,
            });
            return [ownerAccount.create, ix].filter((x): x is TransactionInstruction => x !== null);
          },
        );
        // Dry-run cannot see the effect of a step: one planned step per side.
        if (this.dryRun) break;
        if (action.status === "failed") {
          failed.add(best.p.address.toBase58());
          this.forgetAccounts(position.owner);
          continue;
        }
        ({ state, now } = await this.refresh());
        positions = await fetchPoolPositions(this.program, this.pool);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Loans
  // -------------------------------------------------------------------------

  private async tryLiquidateLoan(
    state: PoolState,
    l: Listed<Loan>,
    now: BN,
    summary: KeeperSummary,
    seen: Set<string>,
  ): Promise<void> {
    const loan = l.account;
    if (loan.scaledDebt.isZero()) return;
    try {
      // Unhealthy, or the borrowed custody has lent more than it now may (the recall path:
      // interest-bearing collateral was withdrawn after it was lent out).
      const over = overLent(accrueCustody(findCustody(state, loan.borrowCustody).account, now, poolShares(state)));
      if (!loanInfo(state, loan, now).liquidatable && over.isZero()) return;
    } catch (e) {
      this.recordSkip(summary, seen, "loan", l.address, `cannot value it: ${errorCode(e) ?? describeError(e)}`);
      return;
    }
    seen.add(l.address.toBase58());
    const borrow = findCustody(state, loan.borrowCustody).account;
    const collateral = findCustody(state, loan.collateralCustody).account;
    const funding = await findTokenAccount(this.connection, this.keeper.publicKey, borrow.mint);
    if (!funding || funding.amount.isZero()) {
      this.recordSkip(
        summary,
        seen,
        "loan",
        l.address,
        `unhealthy, but the keeper holds none of the borrowed mint ${borrow.mint.toBase58()}`,
      );
      return;
    }
    let q;
    try {
      q = quoteLoanLiquidation(state, loan, funding.amount, now);
    } catch (e) {
      this.recordSkip(
        summary,
        seen,
        "loan",
        l.address,
        `cannot quote its liquidation: ${errorCode(e) ?? describeError(e)}`,
      );
      return;
    }
    const action = await this.act(
      summary,
      {
        kind: "liquidate_loan",
        target: l.address,
        owner: loan.owner,
        past: "liquidated loan",
        future: "liquidate loan",
        details: {
          repay: formatUnits(q.repaid, borrow.decimals),
          seize: formatUnits(q.collateralSeized, collateral.decimals),
          ltv_bps: q.ltvBpsBefore.toString(),
        },
      },
      async () => {
        const receiving = await this.keeperAccount(collateral.mint);
        const ix = await liquidateLoanIx(this.program, state, {
          owner: loan.owner,
          collateralCustody: loan.collateralCustody,
          borrowCustody: loan.borrowCustody,
          liquidator: this.keeper.publicKey,
          liquidatorFunding: funding.address,
          liquidatorReceiving: receiving.address,
          repayAmount: q.repaid,
        });
        return [receiving.create, ix].filter((x): x is TransactionInstruction => x !== null);
      },
    );
    if (action.status === "failed") this.forgetAccounts(this.keeper.publicKey);
  }

  // -------------------------------------------------------------------------
  // Watching
  // -------------------------------------------------------------------------

  /** Scans completed since `start()` (tests wait on it). */
  get scans(): number {
    return this.watcher?.runs ?? 0;
  }

  /**
   * Starts watching: a scan now, then one after every burst of changes to the
   * program's accounts or the oracles (WebSocket), and at least every
   * `pollIntervalMs`. Resolves once the subscriptions are set up.
   */
  async start(): Promise<void> {
    if (this.watcher?.isRunning) return;
    let balance = "unknown";
    try {
      balance = formatUnits(new BN(await this.connection.getBalance(this.keeper.publicKey)), 9);
    } catch (e) {
      balance = `unknown (${describeError(e)})`;
    }
    this.log(
      `keeper ${this.keeper.publicKey.toBase58()} watching pool ${this.pool.toBase58()} program ${this.program.programId.toBase58()}` +
        `${this.dryRun ? " (dry-run)" : ""} poll_ms=${this.pollIntervalMs} balance_sol=${balance}`,
    );
    const watcher = new ChainWatcher({
      connection: this.connection,
      programId: this.program.programId,
      pollIntervalMs: this.pollIntervalMs,
      debounceMs: this.debounceMs,
      // 1 s for the unsubscribes and 1 s for a scan in progress: start.sh stops everything within 5 s.
      unsubscribeTimeoutMs: 1_000,
      log: (line) => this.log(line),
      onChange: async (reasons) => {
        if (this.verbose)
          this.log(
            `scan triggered by ${reasons.slice(0, 3).join(", ")}${reasons.length > 3 ? ` (+${reasons.length - 3})` : ""}`,
          );
        try {
          await this.runOnce();
        } catch (e) {
          this.log(`scan failed: ${describeError(e)}`);
        }
        await this.subscribeOracles(this.lastState ?? undefined);
      },
    });
    this.watcher = watcher;
    watcher.start();
    await this.subscribeOracles();
  }

  /** Stops watching (unsubscribes without waiting on a dead socket) and waits for a scan in progress to finish. */
  async stop(): Promise<void> {
    if (!this.watcher?.isRunning) return;
    await this.watcher.stop();
    this.log(`keeper stopped after ${this.scans} scans`);
  }

  get isRunning(): boolean {
    return this.watcher?.isRunning ?? false;
  }

  /** Subscribes to every custody's oracle not yet watched (custodies may be added while running). */
  private async subscribeOracles(state?: PoolState): Promise<void> {
    const watcher = this.watcher;
    if (!watcher?.isRunning || !watcher.subscriptionsSupported) return;
    let s = state;
    if (!s) {
      try {
        s = await fetchPoolState(this.program, this.pool);
      } catch (e) {
        this.log(`cannot read pool ${this.pool.toBase58()} yet: ${describeError(e)}`);
        return;
      }
    }
    for (const c of s.custodies) watcher.watchAccount(c.account.oracle, "oracle");
  }
}
