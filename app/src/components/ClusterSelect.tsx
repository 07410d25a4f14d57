/** Chooses the cluster: localnet (this machine), devnet, or any RPC URL. */
import { useState } from "react";

import type { ClusterId } from "../lib/config";
import { useCluster } from "../state/cluster";

export function ClusterSelect() {
  const { cluster, customUrl, rpcUrl, setCluster } = useCluster();
  const [draft, setDraft] = useState(customUrl);
  const [error, setError] = useState<string | null>(null);
  const apply = () => {
    try {
      const u = new URL(draft.trim());
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
      setError(null);
      setCluster("custom", u.toString().replace(/\/$/, ""));
    } catch {
      setError("Enter an http(s) URL.");
    }
  };
  return (
    <div className="cluster">
      <select
        aria-label="Cluster"
        data-testid="cluster"
        value={cluster}
        onChange={(e) => setCluster(e.target.value as ClusterId)}
        title={rpcUrl}
      >
        <option value="localnet">Localnet</option>
        <option value="devnet">Devnet</option>
        <option value="custom">Custom RPC</option>
      </select>
      {cluster === "custom" && (
        <form
          className="custom-rpc"
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <input
            aria-label="RPC URL"
            placeholder="http://127.0.0.1:8899"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" className="button secondary small">
            Use
          </button>
          {error && <span className="error-text">{error}</span>}
        </form>
      )}
    </div>
  );
}
