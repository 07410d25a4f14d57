/**
 * A user's history from the program's events: opens, increases, decreases
 * and closes (realized PnL, fees), collateral changes, liquidations,
 * auto-deleveraging, orders placed / cancelled / executed, deposits,
 * redemptions, swaps and loan actions. Read from the user's transactions
 * (`getSignaturesForAddress` + `getTransaction`), decoded with the IDL's
 * events, newest first. Items a keeper caused (an executed order, a
 * liquidation, an auto-deleverage) are marked `byKeeper`.
 */
import { Connection, PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import type { Settlement } from "./idl/types";
import { PerpoolProgram, parseEvents } from "./program";
import { at } from "./util";

export type HistoryKind =
  | "position_open"
  | "position_increase"
  | "position_decrease"
  | "position_close"
  | "collateral_add"
  | "collateral_remove"
  | "liquidation"
  | "deleverage"
  | "order_placed"
  | "order_cancelled"
  | "order_executed"
  | "deposit"
  | "redeem"
  | "swap"
  | "loan_collateral_deposit"
  | "loan_collateral_withdraw"
  | "borrow"
  | "repay"
  | "loan_liquidation";

export interface HistoryItem {
  kind: HistoryKind;
  signature: string;
  /** Block time (unix seconds), null when the node does not know it. */
  time: number | null;
  slot: number;
  /** Order of the event within its transaction. */
  index: number;
  /** A keeper's transaction: an order it executed, a liquidation, an auto-deleverage. */
  byKeeper: boolean;
  /** The keeper, for items a keeper caused. */
  keeper?: PublicKey;
  position?: PublicKey;
  order?: PublicKey;
  loan?: PublicKey;
  /** Market custody (positions, orders), or the custody of a deposit / redemption. */
  custody?: PublicKey;
  collateralCustody?: PublicKey;
  /** 1 long, 2 short. */
  side?: number;
  /** `OrderKind` of an order, when known. */
  orderKind?: number;
  /** USD, 6 decimals. */
  sizeDeltaUsd?: BN;
  sizeUsdAfter?: BN;
  /** Execution, exit, trigger or oracle price (9 decimals). */
  price?: BN;
  /** Realized PnL, USD (signed). */
  pnlUsd?: BN;
  feeUsd?: BN;
  /** Price impact, USD (signed: positive when the trader gained). */
  impactUsd?: BN;
  /** Borrow fee paid, collateral tokens: what the change settled first (`settled.borrowFee`). */
  borrowFee?: BN;
  /**
   * What the position paid and earned since its last change, settled first (borrow fee, funding,
   * interest, what it owed after): position changes, collateral added and liquidations, when
   * anything was.
   */
  settled?: Settlement;
  /** Tokens in (deposit, collateral, repay) or the LP tokens redeemed. */
  amountIn?: BN;
  /** Tokens out (redeem, close, withdraw, borrow) or LP tokens minted. */
  amountOut?: BN;
  /** Fee in tokens (deposits, redemptions, swaps). */
  fee?: BN;
  /** USD value (deposits, redemptions, swaps). */
  valueUsd?: BN;
  /** Collateral (tokens) after the change. */
  collateralAfter?: BN;
}

/** A transaction as the history needs it. */
export interface HistoryTx {
  signature: string;
  time: number | null;
  slot: number;
  logs: string[];
  /**
   * Its place in the address's signature list, newest first (`getSignaturesForAddress` order): tells
   * apart transactions of one slot, where a keeper may execute an order placed just before.
   */
  rank?: number;
}

/** Whose history: the owner, and the addresses of their loans and orders (events of those name no owner). */
export interface HistoryOwner {
  owner: PublicKey;
  loans?: PublicKey[];
  orders?: PublicKey[];
}

const lower = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const KEEPER_EVENTS = new Set(["orderExecuted", "positionLiquidated", "positionDeleveraged"]);

/** The user's items from transactions (any order); newest first. */
export function decodeHistory(program: PerpoolProgram, txs: HistoryTx[], who: HistoryOwner): HistoryItem[] {
  const me = who.owner;
  const loans = new Set((who.loans ?? []).map((k) => k.toBase58()));
  const orders = new Map<string, number | undefined>((who.orders ?? []).map((k) => [k.toBase58(), undefined]));
  const mine = (k: PublicKey | undefined) => !!k && k.equals(me);
  const out: HistoryItem[] = [];
  // Oldest first, so an order's placement is known before its execution (in one slot: the larger
  // rank, further down a newest-first list, is the older).
  const sorted = [...txs].sort(
    (a, b) => a.slot - b.slot || (a.time ?? 0) - (b.time ?? 0) || (b.rank ?? 0) - (a.rank ?? 0),
  );
  for (const tx of sorted) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parseEvents' untyped data, told apart by name below
    let events: { name: string; data: any }[];
    try {
      events = parseEvents(program, tx.logs).map((e) => ({ name: lower(e.name), data: e.data }));
    } catch {
      continue;
    }
    const keeperEvent = events.find((e) => KEEPER_EVENTS.has(e.name));
    const byKeeper = !!keeperEvent;
    const keeper: PublicKey | undefined = keeperEvent?.data.keeper;
    const deleveraged = new Set(
      events.filter((e) => e.name === "positionDeleveraged").map((e) => (e.data.position as PublicKey).toBase58()),
    );
    const executed = events.find((e) => e.name === "orderExecuted");
    const base = (index: number) => ({ signature: tx.signature, time: tx.time, slot: tx.slot, index });
    events.forEach((e, index) => {
      const d = e.data;
      // `more` may name a field with `undefined` (an increase has no amountOut): kept as it was.
      const item = (
        kind: HistoryKind,
        more: { [K in keyof HistoryItem]?: HistoryItem[K] | undefined },
        keeperItem = false,
      ): void => {
        out.push({
          ...base(index),
          kind,
          byKeeper: keeperItem,
          ...(keeperItem && keeper ? { keeper } : {}),
          ...more,
        } as HistoryItem);
      };
      switch (e.name) {
        case "liquidityAdded":
          if (mine(d.owner))
            item("deposit", {
              custody: d.custody,
              amountIn: d.amountIn,
              amountOut: d.lpOut,
              fee: d.fee,
              valueUsd: d.valueUsd,
              price: d.price,
            });
          break;
        case "liquidityRemoved":
          if (mine(d.owner))
            item("redeem", {
              custody: d.custody,
              amountIn: d.lpIn,
              amountOut: d.amountOut,
              fee: d.fee,
              valueUsd: d.valueUsd,
              price: d.price,
            });
          break;
        case "swapped":
          if (mine(d.owner))
            item("swap", {
              custody: d.custodyIn,
              collateralCustody: d.custodyOut,
              amountIn: d.amountIn,
              amountOut: d.amountOut,
              fee: d.fee,
              valueUsd: d.valueUsd,
            });
          break;
        case "positionIncreased":
        case "positionDecreased": {
          if (!mine(d.owner)) break;
          if (e.name === "positionDecreased" && deleveraged.has((d.position as PublicKey).toBase58())) break;
          const inc = e.name === "positionIncreased";
          const sizeDelta = d.sizeDeltaUsd as BN;
          const sizeAfter = d.sizeUsd as BN;
          const kind: HistoryKind = inc
            ? sizeDelta.isZero()
              ? "collateral_add"
              : sizeAfter.eq(sizeDelta)
                ? "position_open"
                : "position_increase"
            : sizeAfter.isZero()
              ? "position_close"
              : sizeDelta.isZero()
                ? "collateral_remove"
                : "position_decrease";
          item(
            kind,
            {
              position: d.position,
              custody: d.custody,
              collateralCustody: d.collateralCustody,
              side: d.side,
              sizeDeltaUsd: sizeDelta,
              sizeUsdAfter: sizeAfter,
              price: d.price,
              pnlUsd: d.pnlUsd,
              feeUsd: d.feeUsd,
              impactUsd: d.impactUsd,
              borrowFee: d.settled?.borrowFee,
              settled: d.settled ?? undefined,
              amountIn: inc ? d.collateralDelta : undefined,
              amountOut: inc ? undefined : d.amountOut,
              collateralAfter: d.collateral,
              ...(executed
                ? { order: executed.data.order, orderKind: orders.get((executed.data.order as PublicKey).toBase58()) }
                : {}),
            },
            byKeeper,
          );
          break;
        }
        case "collateralAdded":
          if (mine(d.owner))
            item("collateral_add", {
              position: d.position,
              amountIn: d.amount,
              settled: d.settled ?? undefined,
              collateralAfter: d.collateral,
            });
          break;
        case "positionLiquidated":
          if (mine(d.owner))
            item(
              "liquidation",
              {
                position: d.position,
                sizeDeltaUsd: d.sizeDeltaUsd,
                price: d.price,
                pnlUsd: d.pnlUsd,
                amountOut: d.ownerOut,
                settled: d.settled ?? undefined,
              },
              true,
            );
          break;
        case "positionDeleveraged":
          if (mine(d.owner))
            item(
              "deleverage",
              { position: d.position, sizeDeltaUsd: d.sizeDeltaUsd, price: d.price, pnlUsd: d.pnlUsd },
              true,
            );
          break;
        case "orderPlaced":
          if (mine(d.owner)) {
            orders.set((d.order as PublicKey).toBase58(), d.kind);
            item("order_placed", {
              order: d.order,
              position: d.position,
              orderKind: d.kind,
              side: d.side,
              price: d.triggerPrice,
              sizeDeltaUsd: d.sizeUsd,
              amountIn: d.collateralAmount,
            });
          }
          break;
        case "orderCancelled": {
          const key = (d.order as PublicKey).toBase58();
          if (mine(d.owner) || orders.has(key)) {
            // A keeper clearing an order whose position is gone names itself as `owner`.
            item(
              "order_cancelled",
              { order: d.order, orderKind: orders.get(key), amountOut: d.refunded },
              !mine(d.owner),
            );
          }
          break;
        }
        case "orderExecuted": {
          const key = (d.order as PublicKey).toBase58();
          const ownsPosition = events.some(
            (x) => (x.name === "positionIncreased" || x.name === "positionDecreased") && mine(x.data.owner),
          );
          if (orders.has(key) || ownsPosition)
            item("order_executed", { order: d.order, orderKind: orders.get(key), price: d.price }, true);
          break;
        }
        case "loanCollateralDeposited":
        case "loanCollateralWithdrawn":
        case "borrowed":
        case "repaid": {
          const loan = d.loan as PublicKey;
          if (!mine(d.actor) && !loans.has(loan.toBase58())) break;
          const kind: HistoryKind =
            e.name === "loanCollateralDeposited"
              ? "loan_collateral_deposit"
              : e.name === "loanCollateralWithdrawn"
                ? "loan_collateral_withdraw"
                : e.name === "borrowed"
                  ? "borrow"
                  : "repay";
          const into = kind === "loan_collateral_deposit" || kind === "repay";
          item(kind, {
            loan,
            ...(into ? { amountIn: d.amount } : { amountOut: d.amount }),
            collateralAfter: d.collateral,
          });
          break;
        }
        case "loanLiquidated":
          if (loans.has((d.loan as PublicKey).toBase58()))
            item(
              "loan_liquidation",
              { loan: d.loan, amountIn: d.repaid, amountOut: d.collateralSeized, keeper: d.liquidator },
              true,
            );
          break;
      }
    });
  }
  return out.sort(
    (a, b) => b.slot - a.slot || (b.time ?? 0) - (a.time ?? 0) || (a.signature === b.signature ? b.index - a.index : 0),
  );
}

/** Items a keeper caused: what a user should be told about. */
export function keeperItems(items: HistoryItem[]): HistoryItem[] {
  return items.filter(
    (i) =>
      i.byKeeper &&
      (i.kind === "order_executed" ||
        i.kind === "liquidation" ||
        i.kind === "deleverage" ||
        i.kind === "loan_liquidation" ||
        i.kind === "order_cancelled"),
  );
}

/**
 * Reads the transactions of the owner (and of their loans, which a loan
 * liquidation names instead of the owner), most recent `limit` of each, and
 * decodes the owner's history from them. Failed transactions are left out.
 */
export async function fetchHistory(
  connection: Connection,
  program: PerpoolProgram,
  who: HistoryOwner,
  opts: { limit?: number; before?: string } = {},
): Promise<HistoryItem[]> {
  const limit = opts.limit ?? 100;
  const addresses = [who.owner, ...(who.loans ?? [])];
  const lists = await Promise.all(
    addresses.map((a, i) =>
      connection
        .getSignaturesForAddress(
          a,
          { limit: i === 0 ? limit : Math.min(limit, 25), ...(i === 0 && opts.before ? { before: opts.before } : {}) },
          "confirmed",
        )
        .catch(() => []),
    ),
  );
  const sigs = new Map<string, { slot: number; blockTime: number | null | undefined; rank: number }>();
  for (const list of lists)
    list.forEach((s, rank) => {
      if (!s.err && !sigs.has(s.signature)) sigs.set(s.signature, { slot: s.slot, blockTime: s.blockTime, rank });
    });
  const signatures = Array.from(sigs.keys());
  const txs: HistoryTx[] = [];
  for (let i = 0; i < signatures.length; i += 50) {
    const chunk = signatures.slice(i, i + 50);
    const got = await connection.getTransactions(chunk, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    got.forEach((tx, j) => {
      if (!tx?.meta?.logMessages || tx.meta.err) return;
      const signature = at(chunk, j);
      const s = sigs.get(signature)!;
      txs.push({
        signature,
        slot: tx.slot ?? s.slot,
        time: tx.blockTime ?? s.blockTime ?? null,
        logs: tx.meta.logMessages,
        rank: s.rank,
      });
    });
  }
  return decodeHistory(program, txs, who);
}
