/**
 * The connected wallet's history (the SDK's `fetchHistory`: its transactions'
 * program events), read again whenever a transaction mentions the wallet
 * (logs subscription, slow poll as a backup). What a keeper does to the
 * user's positions, orders or loans is announced as a notice.
 */
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import type { PublicKey } from "@solana/web3.js";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import { type HistoryItem, fetchHistory, keeperItems, loanPda } from "@perpool/sdk";
import { type Names, describeHistoryItem, historyTitle } from "../lib/history";
import type { Asset } from "./pool";
import { usePool } from "./pool";
import { useTx } from "./tx";

export interface HistoryData {
  items: HistoryItem[];
  loading: boolean;
  /** The user's loan addresses (every collateral × borrowed pair). */
  loans: PublicKey[];
  /** Asset and loan names for `describeHistoryItem`. */
  names: Names;
  reload(): void;
}

const HistoryContext = createContext<HistoryData | null>(null);
const itemKey = (i: HistoryItem) => `${i.signature}:${i.index}`;

export function HistoryProvider({ children }: { children: ReactNode }) {
  const { connection } = useConnection();
  const { publicKey } = useWallet();
  const { program, poolAddress, assets, assetOf } = usePool();
  const { notify } = useTx();
  const [items, setItems] = useState<HistoryItem[]>([]);
  const [loading, setLoading] = useState(false);
  const reload = useRef<() => void>(() => {});
  const pairs = useMemo(
    () =>
      publicKey
        ? assets.flatMap((c) =>
            assets
              .filter((b) => !b.custody.equals(c.custody))
              .map((b) => ({
                address: loanPda(publicKey, poolAddress, c.custody, b.custody, program.programId)[0],
                collateral: c,
                borrow: b,
              })),
          )
        : [],
    [publicKey, assets, poolAddress, program],
  );
  const loans = useMemo(() => pairs.map((p) => p.address), [pairs]);
  const names = useMemo<Names>(() => {
    const byLoan = new Map<string, { collateral: Asset; borrow: Asset }>(pairs.map((p) => [p.address.toBase58(), p]));
    return { assetOf, loanOf: (loan) => byLoan.get(loan.toBase58()) };
  }, [pairs, assetOf]);
  const describe = useRef({ names, notify });
  describe.current = { names, notify };
  const loansKey = loans.map((l) => l.toBase58()).join(",");
  // What has been announced, kept per wallet across re-subscriptions: a restart of the effect
  // below (a new program or loan list) must not take a keeper action done meanwhile for old.
  const announced = useRef<{ owner: string; keys: Set<string> } | null>(null);

  useEffect(() => {
    setItems([]);
    if (!publicKey) return;
    setLoading(true);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const owner = publicKey.toBase58();
    let seen: Set<string> | null = announced.current?.owner === owner ? announced.current.keys : null;
    const load = async () => {
      try {
        const list = await fetchHistory(connection, program, { owner: publicKey, loans }, { limit: 150 });
        if (stopped) return;
        setItems(list);
        const keeperDone = keeperItems(list);
        if (seen === null) {
          // What happened before the page opened is in the history, not announced.
          seen = new Set(keeperDone.map(itemKey));
          announced.current = { owner, keys: seen };
        } else {
          for (const i of keeperDone) {
            if (seen.has(itemKey(i))) continue;
            seen.add(itemKey(i));
            const related = list.filter((x) => x.signature === i.signature && x !== i);
            describe.current.notify(
              historyTitle(i),
              describeHistoryItem(i, describe.current.names, related),
              i.signature,
            );
          }
        }
      } catch {
        // Kept as is; the next notification or poll tries again.
      } finally {
        if (!stopped) setLoading(false);
      }
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 300);
    };
    reload.current = schedule;
    void load();
    const sub = connection.onLogs(publicKey, schedule, "confirmed");
    const poll = setInterval(() => void load(), 20_000);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(poll);
      void connection.removeOnLogsListener(sub);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connection, program, publicKey?.toBase58(), loansKey]);

  const doReload = useCallback(() => reload.current(), []);
  const value = useMemo<HistoryData>(
    () => ({ items, loading, loans, names, reload: doReload }),
    [items, loading, loans, names, doReload],
  );
  return <HistoryContext.Provider value={value}>{children}</HistoryContext.Provider>;
}

export function useHistory(): HistoryData {
  const h = useContext(HistoryContext);
  if (!h) throw new Error("useHistory outside HistoryProvider");
  return h;
}
