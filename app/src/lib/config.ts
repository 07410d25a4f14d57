/** Clusters the app can talk to, and the settings that come from the build environment. */
import { clusterApiUrl } from "@solana/web3.js";

export type ClusterId = "localnet" | "devnet" | "custom";

export const LOCALNET_RPC_URL: string = import.meta.env.VITE_RPC_URL || "http://127.0.0.1:8899";
export const POOL_NAME: string = import.meta.env.VITE_POOL_NAME || "main";
export const DEVNET_RPC_URL: string = clusterApiUrl("devnet");

/** The local token faucet: VITE_FAUCET_URL, else the RPC host at the RPC port + 2 (as `npm start` runs it). */
export function faucetUrl(rpcUrl: string): string {
  if (import.meta.env.VITE_FAUCET_URL) return import.meta.env.VITE_FAUCET_URL.replace(/\/$/, "");
  const u = new URL(rpcUrl);
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  return `${u.protocol}//${u.hostname}:${port + 2}`;
}

/** Whether an RPC URL points at this machine (the dev wallet and faucet exist only there). */
export function isLoopback(rpcUrl: string): boolean {
  try {
    const host = new URL(rpcUrl).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}

export function rpcUrlOf(cluster: ClusterId, customUrl: string): string {
  if (cluster === "devnet") return DEVNET_RPC_URL;
  if (cluster === "custom") return customUrl;
  return LOCALNET_RPC_URL;
}

/** A block-explorer link for a transaction on the given cluster. */
export function explorerTxUrl(signature: string, cluster: ClusterId, rpcUrl: string): string {
  const base = `https://explorer.solana.com/tx/${signature}`;
  if (cluster === "devnet") return `${base}?cluster=devnet`;
  return `${base}?cluster=custom&customUrl=${encodeURIComponent(rpcUrl)}`;
}

/** Symbols given at build time ("mint:SYMBOL,…"), for clusters without a faucet to ask. */
export function configuredSymbols(): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of (import.meta.env.VITE_ASSET_SYMBOLS ?? "").split(",")) {
    const [mint, symbol] = pair.split(":").map((s) => s.trim());
    if (mint && symbol) out.set(mint, symbol);
  }
  return out;
}
