/** The user's history (newest first), from the program's events; keeper actions marked. */
import { useWallet } from "@solana/wallet-adapter-react";
import { useState } from "react";

import type { HistoryItem } from "@perpool/sdk";
import { describeHistoryItem, historyTitle } from "../lib/history";
import { formatTime, shortAddress } from "../lib/format";
import { useCluster } from "../state/cluster";
import { useHistory } from "../state/history";

const TRADING = new Set<HistoryItem["kind"]>([
  "position_open",
  "position_increase",
  "position_decrease",
  "position_close",
  "collateral_add",
  "collateral_remove",
  "liquidation",
  "deleverage",
  "order_placed",
  "order_cancelled",
  "order_executed",
]);
const LIQUIDITY = new Set<HistoryItem["kind"]>(["deposit", "redeem", "swap"]);
const PAGE = 25;

export function HistoryList({ filter = "all" }: { filter?: "all" | "trading" | "liquidity" | "loans" }) {
  const { publicKey } = useWallet();
  const { items, loading, names } = useHistory();
  const { explorerTx } = useCluster();
  const [shown, setShown] = useState(PAGE);
  if (!publicKey) return <p className="muted">Connect a wallet to see your history.</p>;
  const list = items.filter(
    (i) =>
      filter === "all" ||
      (filter === "trading"
        ? TRADING.has(i.kind)
        : filter === "liquidity"
          ? LIQUIDITY.has(i.kind)
          : !TRADING.has(i.kind) && !LIQUIDITY.has(i.kind)),
  );
  if (list.length === 0)
    return (
      <p className="muted" data-testid="no-history">
        {loading ? "Reading your transactions…" : "Nothing yet."}
      </p>
    );
  return (
    <div className="history" data-testid="history">
      <ul className="history-list">
        {list.slice(0, shown).map((i) => (
          <li
            key={`${i.signature}:${i.index}`}
            data-testid="history-item"
            data-kind={i.kind}
            className={i.byKeeper ? "by-keeper" : ""}
          >
            <div className="history-head">
              <strong>{historyTitle(i)}</strong>
              {i.byKeeper && <span className="badge">keeper</span>}
              <span className="muted small">{formatTime(i.time)}</span>
            </div>
            <div className="history-text">
              {describeHistoryItem(
                i,
                names,
                items.filter((x) => x.signature === i.signature && x !== i),
              )}
            </div>
            <a className="small" href={explorerTx(i.signature)} target="_blank" rel="noreferrer">
              {shortAddress(i.signature)} ↗
            </a>
          </li>
        ))}
      </ul>
      {list.length > shown && (
        <button type="button" className="button secondary small" onClick={() => setShown(shown + PAGE)}>
          Show more
        </button>
      )}
    </div>
  );
}
