/** Every open order of the user (limit, take-profit, stop-loss), with a cancel button each. */
import { useWallet } from "@solana/wallet-adapter-react";
import BN from "bn.js";

import { OrderKind, cancelOrderIx, orderTriggered, pricedCustody } from "@perpool/sdk";
import type { OwnedOrder } from "../hooks/usePositions";
import { ORDER_KIND_NAMES } from "../lib/history";
import { formatPrice, formatUnits, formatUsd } from "../lib/format";
import { ensureAccountIxs } from "../lib/tokens";
import { useAccount } from "../state/account";
import { useHistory } from "../state/history";
import { usePool } from "../state/pool";
import { useTx } from "../state/tx";

export function OrdersList({ orders, onChanged }: { orders: OwnedOrder[]; onChanged(): void }) {
  const { program, state, now, assetOf } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const history = useHistory();
  const tx = useTx();
  if (!publicKey) return <p className="muted">Connect a wallet to see your orders.</p>;
  if (!state) return null;
  if (orders.length === 0)
    return (
      <p className="muted" data-testid="no-orders">
        No open orders.
      </p>
    );

  const cancel = async (o: OwnedOrder) => {
    const coll = assetOf(o.account.collateralCustody);
    const holding = coll ? account.holding(coll.mint) : null;
    if (!holding) return;
    const snapshot = state;
    const ok = await tx.send(`Cancel order at ${formatPrice(o.account.triggerPrice)}`, async () => [
      ...ensureAccountIxs(publicKey, publicKey, holding),
      await cancelOrderIx(program, snapshot, {
        order: o.address,
        account: o.account,
        receivingAccount: holding.account,
      }),
    ]);
    if (ok) {
      onChanged();
      history.reload();
    }
  };

  return (
    <div className="table-wrap">
      <table className="cards" data-testid="all-orders">
        <thead>
          <tr>
            <th>Order</th>
            <th>Trigger</th>
            <th>Size</th>
            <th>Held collateral</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => {
            const a = o.account;
            const market = assetOf(a.custody);
            const coll = assetOf(a.collateralCustody);
            let spot: BN | null = null;
            try {
              spot = pricedCustody(state, a.custody, now).price.spot;
            } catch {
              spot = null;
            }
            const ready = spot !== null && orderTriggered(a, spot);
            const long = a.side === 1;
            return (
              <tr key={o.address.toBase58()} data-testid="all-orders-row" data-kind={ORDER_KIND_NAMES[a.kind]}>
                <td data-label="Order">
                  <strong>{market?.symbol}</strong>{" "}
                  <span className={long ? "long-text" : "short-text"}>{long ? "Long" : "Short"}</span> ·{" "}
                  {ORDER_KIND_NAMES[a.kind] ?? "Order"}
                </td>
                <td data-label="Trigger">
                  {a.kind === OrderKind.TAKE_PROFIT
                    ? long
                      ? "≥ "
                      : "≤ "
                    : a.kind === OrderKind.STOP_LOSS
                      ? long
                        ? "≤ "
                        : "≥ "
                      : long
                        ? "≤ "
                        : "≥ "}
                  {formatPrice(a.triggerPrice)}
                </td>
                <td data-label="Size">{a.sizeUsd.isZero() ? "whole position" : formatUsd(a.sizeUsd)}</td>
                <td data-label="Held collateral">
                  {a.collateralAmount.isZero()
                    ? "–"
                    : `${formatUnits(a.collateralAmount, coll?.decimals ?? 0)} ${coll?.symbol ?? ""}`}
                </td>
                <td data-label="Status">
                  {ready ? (
                    <span className="warn-text">triggered: waiting for a keeper</span>
                  ) : (
                    <span className="muted">waiting for the price</span>
                  )}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="button small secondary"
                    onClick={() => void cancel(o)}
                    disabled={tx.busy}
                    data-testid="all-orders-cancel"
                  >
                    Cancel
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
