/** The status of the last transactions: waiting for the wallet, pending, confirmed (with a link) or failed (why). */
import { shortAddress } from "../lib/format";
import { useCluster } from "../state/cluster";
import { useTx } from "../state/tx";

const STATUS_TEXT = {
  approving: "Waiting for your wallet…",
  confirming: "Pending: sent, waiting for confirmation",
  confirmed: "Confirmed",
  failed: "Failed",
  notice: "",
} as const;

export function TxToasts() {
  const { entries, dismiss } = useTx();
  const { explorerTx } = useCluster();
  if (entries.length === 0) return null;
  return (
    <div className="toasts" aria-live="polite">
      {entries.map((e) => (
        <div key={e.id} className={`toast ${e.status}`} data-testid="tx" data-status={e.status} data-label={e.label}>
          <div className="toast-head">
            <strong>{e.label}</strong>
            {(e.status === "confirmed" || e.status === "failed" || e.status === "notice") && (
              <button type="button" className="link" aria-label="Dismiss" onClick={() => dismiss(e.id)}>
                ×
              </button>
            )}
          </div>
          {e.status === "notice" ? (
            <div data-testid="notice-text">{e.text}</div>
          ) : (
            <div className="toast-status">
              {e.status === "approving" || e.status === "confirming" ? <span className="spinner" aria-hidden /> : null}
              {STATUS_TEXT[e.status]}
            </div>
          )}
          {e.signature && (
            <a
              href={explorerTx(e.signature)}
              target="_blank"
              rel="noreferrer"
              data-testid="tx-signature"
              data-signature={e.signature}
            >
              {shortAddress(e.signature)} ↗
            </a>
          )}
          {e.error && (
            <div className="error-text" data-testid="tx-error">
              {e.error}
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
