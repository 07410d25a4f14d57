/**
 * A market's oracle price ticks for the chart: past updates read back from the
 * oracle account's transactions (the SDK's `publishedPriceTicks` decodes the
 * local price publisher's updates), then every update the app observes on the
 * oracle account (the pool state is re-read on each; `oracleTick`).
 */
import { useConnection } from "@solana/wallet-adapter-react";
import type { PublicKey } from "@solana/web3.js";
import { useEffect, useState } from "react";

import { type PriceTick, landedInstructions, mergeTicks, oracleTick, publishedPriceTicks } from "@perpool/sdk";
import { usePool } from "../state/pool";

const MAX_TICKS = 5_000;

export function usePriceTicks(custody: PublicKey | null): { ticks: PriceTick[]; loading: boolean } {
  const { connection } = useConnection();
  const { state } = usePool();
  const [ticks, setTicks] = useState<PriceTick[]>([]);
  const [loading, setLoading] = useState(true);
  const key = custody?.toBase58() ?? "";
  const oracle = custody && state ? state.custodies.find((c) => c.address.equals(custody))?.account.oracle : undefined;
  const oracleKey = oracle?.toBase58() ?? "";

  // Past updates.
  useEffect(() => {
    setTicks([]);
    setLoading(true);
    if (!custody || !oracle) return;
    let stopped = false;
    void (async () => {
      try {
        const sigs = (await connection.getSignaturesForAddress(oracle, { limit: 500 }, "confirmed")).filter(
          (s) => !s.err,
        );
        const past: PriceTick[] = [];
        for (let i = 0; i < sigs.length; i += 100) {
          const txs = await connection.getTransactions(
            sigs.slice(i, i + 100).map((s) => s.signature),
            { commitment: "confirmed", maxSupportedTransactionVersion: 0 },
          );
          for (const tx of txs) {
            if (!tx?.meta) continue;
            past.push(...publishedPriceTicks(landedInstructions(tx), oracle, tx.blockTime ?? null));
          }
          if (stopped) return;
        }
        setTicks((live) => mergeTicks(past, live).slice(-MAX_TICKS));
      } catch {
        // Past prices are a nicety; live ones still come.
      } finally {
        if (!stopped) setLoading(false);
      }
    })();
    return () => {
      stopped = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connection, key, oracleKey]);

  // Live updates: each new reading of the oracle account.
  useEffect(() => {
    if (!custody || !state) return;
    const t = oracleTick(state, custody);
    if (!t) return;
    setTicks((prev) => {
      const last = prev[prev.length - 1];
      if (last && last.time === t.time && last.price.eq(t.price)) return prev;
      if (last && last.time > t.time) return mergeTicks(prev, [t]).slice(-MAX_TICKS);
      return [...prev, t].slice(-MAX_TICKS);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state, key]);

  return { ticks, loading };
}
