/**
 * Chart data. `useEventHistory` reads the program events of the recent
 * transactions that mention an account (getSignaturesForAddress +
 * getTransactions, decoded with the SDK's `parseEvents`) and keeps adding the
 * new ones from a logs subscription. `useSampled` records a value while the
 * page is open: the charts label which is which.
 */
import { useConnection } from "@solana/wallet-adapter-react";
import type { PublicKey } from "@solana/web3.js";
import { useEffect, useRef, useState } from "react";

import { type PerpoolProgram, parseEvents } from "@perpool/sdk";
import type { Point } from "../components/Charts";

export type EventPoint = (name: string, data: Record<string, unknown>, time: number) => Point | null;

const MAX_POINTS = 300;

export function useEventHistory(
  program: PerpoolProgram,
  address: PublicKey | null,
  toPoint: EventPoint,
  limit = 100,
): { points: Point[]; loading: boolean } {
  const { connection } = useConnection();
  const [points, setPoints] = useState<Point[]>([]);
  const [loading, setLoading] = useState(true);
  const toPointRef = useRef(toPoint);
  toPointRef.current = toPoint;
  const key = address?.toBase58() ?? "";

  useEffect(() => {
    setPoints([]);
    setLoading(true);
    if (!address) return;
    let stopped = false;
    const seen = new Set<string>();
    const decode = (logs: string[], time: number): Point[] => {
      try {
        return parseEvents(program, logs)
          .map((e) => toPointRef.current(e.name, e.data as Record<string, unknown>, time))
          .filter((p): p is Point => p !== null);
      } catch {
        return [];
      }
    };
    const add = (more: Point[]) => {
      if (more.length === 0) return;
      setPoints((prev) => [...prev, ...more].sort((a, b) => a.t - b.t).slice(-MAX_POINTS));
    };
    const sub = connection.onLogs(
      address,
      (l) => {
        if (l.err || seen.has(l.signature)) return;
        seen.add(l.signature);
        add(decode(l.logs, Date.now() / 1000));
      },
      "confirmed",
    );
    void (async () => {
      try {
        const sigs = await connection.getSignaturesForAddress(address, { limit }, "confirmed");
        const ok = sigs.filter((s) => !s.err && !seen.has(s.signature));
        const txs = ok.length
          ? await connection.getTransactions(
              ok.map((s) => s.signature),
              { commitment: "confirmed", maxSupportedTransactionVersion: 0 },
            )
          : [];
        if (stopped) return;
        const past: Point[] = [];
        txs.forEach((tx, i) => {
          if (!tx?.meta?.logMessages) return;
          seen.add(ok[i].signature);
          past.push(...decode(tx.meta.logMessages, tx.blockTime ?? ok[i].blockTime ?? Date.now() / 1000));
        });
        add(past);
      } catch {
        // History is a nicety; the live part still works.
      } finally {
        if (!stopped) setLoading(false);
      }
    })();
    return () => {
      stopped = true;
      void connection.removeOnLogsListener(sub);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the address's base58 (key)
  }, [connection, program, key, limit]);

  return { points, loading };
}

/** Records `value` when it changes (at most one point per `minGapSec`), from the moment the page opens. */
export function useSampled(value: number | null, resetKey: string, minGapSec = 3): Point[] {
  const [points, setPoints] = useState<Point[]>([]);
  useEffect(() => setPoints([]), [resetKey]);
  useEffect(() => {
    if (value === null || !Number.isFinite(value)) return;
    const t = Date.now() / 1000;
    setPoints((prev) => {
      const last = prev[prev.length - 1];
      if (last && (last.v === value || t - last.t < minGapSec)) return prev;
      return [...prev, { t, v: value }].slice(-MAX_POINTS);
    });
  }, [value, minGapSec]);
  return points;
}
