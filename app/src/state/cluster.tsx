/** The cluster the app talks to (localnet, devnet or a custom RPC URL), kept across visits. */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

import { type ClusterId, explorerTxUrl, isLoopback, rpcUrlOf } from "../lib/config";

const STORAGE_KEY = "perpool.cluster";

interface Stored {
  cluster: ClusterId;
  customUrl: string;
}

export interface ClusterState extends Stored {
  rpcUrl: string;
  /** A cluster on this machine: the dev wallet and the token faucet are offered. */
  isLocal: boolean;
  setCluster(cluster: ClusterId, customUrl?: string): void;
  explorerTx(signature: string): string;
}

const ClusterContext = createContext<ClusterState | null>(null);

function load(): Stored {
  try {
    const s = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Stored | null;
    if (s && (s.cluster === "localnet" || s.cluster === "devnet" || s.cluster === "custom"))
      return { cluster: s.cluster, customUrl: s.customUrl ?? "" };
  } catch {
    // fall through to the default
  }
  return { cluster: "localnet", customUrl: "" };
}

export function ClusterProvider({ children }: { children: ReactNode }) {
  const [stored, setStored] = useState<Stored>(load);
  const setCluster = useCallback((cluster: ClusterId, customUrl?: string) => {
    setStored((prev) => {
      const next = { cluster, customUrl: customUrl ?? prev.customUrl };
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      return next;
    });
  }, []);
  const value = useMemo<ClusterState>(() => {
    const rpcUrl = rpcUrlOf(stored.cluster, stored.customUrl);
    return {
      ...stored,
      rpcUrl,
      isLocal: isLoopback(rpcUrl),
      setCluster,
      explorerTx: (signature: string) => explorerTxUrl(signature, stored.cluster, rpcUrl),
    };
  }, [stored, setCluster]);
  return <ClusterContext.Provider value={value}>{children}</ClusterContext.Provider>;
}

export function useCluster(): ClusterState {
  const c = useContext(ClusterContext);
  if (!c) throw new Error("useCluster outside ClusterProvider");
  return c;
}
