/** Words for history items (the SDK decodes them; this only says them). */
import type { PublicKey } from "@solana/web3.js";

import { OrderKind, type HistoryItem } from "@perpool/sdk";
import type { Asset } from "../state/pool";
import { formatPrice, formatSignedUsd, formatUnits, formatUsd } from "./format";

export const ORDER_KIND_NAMES: Record<number, string> = {
  [OrderKind.TAKE_PROFIT]: "Take-profit",
  [OrderKind.STOP_LOSS]: "Stop-loss",
  [OrderKind.LIMIT]: "Limit",
};

const TITLES: Record<HistoryItem["kind"], string> = {
  position_open: "Opened",
  position_increase: "Increased",
  position_decrease: "Reduced",
  position_close: "Closed",
  collateral_add: "Collateral added",
  collateral_remove: "Collateral withdrawn",
  liquidation: "Liquidated",
  deleverage: "Auto-deleveraged",
  order_placed: "Order placed",
  order_cancelled: "Order cancelled",
  order_executed: "Order executed",
  deposit: "Deposited",
  redeem: "Redeemed",
  swap: "Swapped",
  loan_collateral_deposit: "Loan collateral deposited",
  loan_collateral_withdraw: "Loan collateral withdrawn",
  borrow: "Borrowed",
  repay: "Repaid",
  loan_liquidation: "Loan liquidated",
};

export function historyTitle(i: HistoryItem): string {
  if (i.kind === "order_executed" && i.orderKind) return `${ORDER_KIND_NAMES[i.orderKind]} executed`;
  if (i.kind === "order_placed" && i.orderKind) return `${ORDER_KIND_NAMES[i.orderKind]} order placed`;
  if (i.kind === "order_cancelled" && i.byKeeper) return "Order cleared";
  return TITLES[i.kind];
}

export interface Names {
  assetOf(custody: PublicKey): Asset | undefined;
  /** The collateral and borrowed assets of one of the user's loans. */
  loanOf(loan: PublicKey): { collateral: Asset; borrow: Asset } | undefined;
}
const side = (s?: number) => (s === 1 ? "long" : s === 2 ? "short" : "");

/** One line of what happened. `related`: the other items of the same transaction (an executed order's trade). */
export function describeHistoryItem(i: HistoryItem, names: Names, related: HistoryItem[] = []): string {
  const { assetOf } = names;
  const loan = i.loan ? names.loanOf(i.loan) : undefined;
  const loanAmount = (v: { toString(): string } | undefined, a?: Asset) =>
    v && a ? `${formatUnits(v as never, a.decimals, 6)} ${a.symbol}` : "";
  const sym = (k?: PublicKey) => (k ? (assetOf(k)?.symbol ?? "?") : "");
  const tokens = (v: { toString(): string } | undefined, k?: PublicKey) => {
    const a = k ? assetOf(k) : undefined;
    return v && a ? `${formatUnits(v as never, a.decimals, 6)} ${a.symbol}` : "";
  };
  const market = `${sym(i.custody)} ${side(i.side)}`.trim();
  switch (i.kind) {
    case "position_open":
    case "position_increase":
      return `${market} +${formatUsd(i.sizeDeltaUsd!)} at ${formatPrice(i.price!)} · fee ${formatUsd(i.feeUsd!)}${i.byKeeper ? " · by a keeper" : ""}`;
    case "position_decrease":
    case "position_close":
      return `${market} −${formatUsd(i.sizeDeltaUsd!)} at ${formatPrice(i.price!)} · PnL ${formatSignedUsd(i.pnlUsd!)} · fee ${formatUsd(i.feeUsd!)} · received ${tokens(i.amountOut, i.collateralCustody)}${i.byKeeper ? " · by a keeper" : ""}`;
    case "collateral_add":
      return `${market} +${tokens(i.amountIn, i.collateralCustody) || "collateral"}`.trim();
    case "collateral_remove":
      return `${market} −${tokens(i.amountOut, i.collateralCustody)}`;
    case "liquidation":
      return `${formatUsd(i.sizeDeltaUsd!)} closed at ${formatPrice(i.price!)} · PnL ${formatSignedUsd(i.pnlUsd!)}`;
    case "deleverage":
      return `${formatUsd(i.sizeDeltaUsd!)} closed at ${formatPrice(i.price!)} to protect the pool · PnL ${formatSignedUsd(i.pnlUsd!)}`;
    case "order_placed":
      return `${ORDER_KIND_NAMES[i.orderKind ?? 0] ?? "Order"} ${side(i.side)} at ${formatPrice(i.price!)}${i.sizeDeltaUsd && !i.sizeDeltaUsd.isZero() ? ` · ${formatUsd(i.sizeDeltaUsd)}` : " · whole position"}`;
    case "order_cancelled":
      return i.byKeeper
        ? "Its position was closed, so a keeper cleared it; the deposit came back."
        : "Cancelled; the deposit came back.";
    case "order_executed": {
      const trade = related.find((r) => r.kind.startsWith("position_"));
      const what = trade ? describeHistoryItem({ ...trade, byKeeper: false }, names) : "";
      return `A keeper executed your ${(ORDER_KIND_NAMES[i.orderKind ?? 0] ?? "order").toLowerCase()} at ${formatPrice(i.price!)}${what ? `: ${what}` : "."}`;
    }
    case "deposit":
      return `${tokens(i.amountIn, i.custody)} → ${formatUnits(i.amountOut!, 6)} LP (${formatUsd(i.valueUsd!)})`;
    case "redeem":
      return `${formatUnits(i.amountIn!, 6)} LP → ${tokens(i.amountOut, i.custody)} (${formatUsd(i.valueUsd!)})`;
    case "swap":
      return `${tokens(i.amountIn, i.custody)} → ${tokens(i.amountOut, i.collateralCustody)}`;
    case "loan_collateral_deposit":
      return `+${loanAmount(i.amountIn, loan?.collateral)}${loan ? ` (loan against ${loan.borrow.symbol})` : ""}`;
    case "loan_collateral_withdraw":
      return `−${loanAmount(i.amountOut, loan?.collateral)}${loan ? ` (loan against ${loan.borrow.symbol})` : ""}`;
    case "borrow":
      return `${loanAmount(i.amountOut, loan?.borrow)}${loan ? ` against ${loan.collateral.symbol}` : ""}`;
    case "repay":
      return `${loanAmount(i.amountIn, loan?.borrow)}${loan ? ` (loan against ${loan.collateral.symbol})` : ""}`;
    case "loan_liquidation":
      return `A liquidator repaid ${loanAmount(i.amountIn, loan?.borrow)} of the loan and took ${loanAmount(i.amountOut, loan?.collateral)} of collateral.`;
  }
}
