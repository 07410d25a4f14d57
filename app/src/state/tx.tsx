/**
 * Sending a transaction and following it: waiting for the wallet, sent and
 * confirming (with its signature), confirmed (with an explorer link), or
 * failed with the reason in plain words. Every page sends through `send`.
 */
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { Transaction, type TransactionInstruction } from "@solana/web3.js";
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";

import { explainError } from "../lib/errors";
import { useAccount } from "./account";
import { usePool } from "./pool";

export type TxStatus = "approving" | "confirming" | "confirmed" | "failed" | "notice";

/** How long a confirmed transaction's toast stays (errors and notices stay until dismissed). */
export const CONFIRMED_TOAST_MS = 8_000;

export interface TxEntry {
  id: number;
  label: string;
  status: TxStatus;
  signature?: string;
  error?: string;
  /** Notices: what happened, in words. */
  text?: string;
}

export interface TxApi {
  entries: TxEntry[];
  /** A transaction is waiting for the wallet or for confirmation. */
  busy: boolean;
  /** Builds, signs, sends and confirms; resolves to the signature, or null when it failed (the entry says why). */
  send(label: string, build: () => Promise<TransactionInstruction[]>): Promise<string | null>;
  dismiss(id: number): void;
  /** A notice that stays until dismissed (e.g. a keeper acted on the user's position). */
  notify(label: string, text: string, signature?: string): void;
}

const TxContext = createContext<TxApi | null>(null);

export function TxProvider({ children }: { children: ReactNode }) {
  const { connection } = useConnection();
  const { publicKey, sendTransaction } = useWallet();
  const pool = usePool();
  const account = useAccount();
  const [entries, setEntries] = useState<TxEntry[]>([]);
  const nextId = useRef(1);

  const update = useCallback((id: number, patch: Partial<TxEntry>) => {
    setEntries((list) => list.map((e) => (e.id === id ? { ...e, ...patch } : e)));
  }, []);

  const send = useCallback(
    async (label: string, build: () => Promise<TransactionInstruction[]>): Promise<string | null> => {
      const id = nextId.current++;
      setEntries((list) => [{ id, label, status: "approving" as TxStatus }, ...list].slice(0, 6));
      try {
        if (!publicKey) throw new Error("WalletNotConnected");
        const ixs = await build();
        const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
        const tx = new Transaction({ feePayer: publicKey, blockhash, lastValidBlockHeight }).add(...ixs);
        const signature = await sendTransaction(tx, connection, { preflightCommitment: "confirmed" });
        update(id, { status: "confirming", signature });
        const res = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, "confirmed");
        if (res.value.err) {
          const landed = await connection.getTransaction(signature, {
            commitment: "confirmed",
            maxSupportedTransactionVersion: 0,
          });
          update(id, {
            status: "failed",
            error: explainError({ err: res.value.err, logs: landed?.meta?.logMessages ?? [] }),
          });
          return null;
        }
        update(id, { status: "confirmed" });
        setTimeout(() => setEntries((list) => list.filter((e) => e.id !== id)), CONFIRMED_TOAST_MS);
        pool.refresh();
        account.refresh();
        return signature;
      } catch (e) {
        update(id, { status: "failed", error: explainError(e) });
        return null;
      }
    },
    [connection, publicKey, sendTransaction, update, pool, account],
  );

  const dismiss = useCallback((id: number) => setEntries((list) => list.filter((e) => e.id !== id)), []);
  const notify = useCallback((label: string, text: string, signature?: string) => {
    const id = nextId.current++;
    setEntries((list) => [{ id, label, status: "notice" as TxStatus, text, signature }, ...list].slice(0, 6));
  }, []);
  const busy = entries.some((e) => e.status === "approving" || e.status === "confirming");
  const value = useMemo<TxApi>(
    () => ({ entries, busy, send, dismiss, notify }),
    [entries, busy, send, dismiss, notify],
  );
  return <TxContext.Provider value={value}>{children}</TxContext.Provider>;
}

export function useTx(): TxApi {
  const t = useContext(TxContext);
  if (!t) throw new Error("useTx outside TxProvider");
  return t;
}
