/**
 * The pool as the app sees it: the SDK's `PoolState` (pool, custodies, their
 * oracles, LP supply), kept live through account subscriptions on every one
 * of those accounts, plus the assets' symbols and a one-second clock for the
 * quotes (on-chain time is wall-clock time).
 */
import { AnchorProvider, type Wallet } from "@coral-xyz/anchor";
import { useConnection } from "@solana/wallet-adapter-react";
import { Keypair, PublicKey, type Transaction, type VersionedTransaction } from "@solana/web3.js";
import BN from "bn.js";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import { type PerpoolProgram, type PoolState, fetchPoolState, perpoolProgram, poolPda } from "@perpool/sdk";
import { POOL_NAME, configuredSymbols, faucetUrl } from "../lib/config";
import { explainError } from "../lib/errors";
import { shortAddress } from "../lib/format";
import { useCluster } from "./cluster";

export interface Asset {
  custody: PublicKey;
  mint: PublicKey;
  decimals: number;
  isStable: boolean;
  symbol: string;
  /** Position in the pool's custody list. */
  index: number;
}

export interface PoolData {
  program: PerpoolProgram;
  poolAddress: PublicKey;
  poolName: string;
  state: PoolState | null;
  loadError: string | null;
  assets: Asset[];
  assetOf(custody: PublicKey): Asset | undefined;
  /** Unix seconds, ticking every second. */
  now: BN;
  /** Reads everything again (after the user's own transaction, for instance). */
  refresh(): void;
}

const PoolContext = createContext<PoolData | null>(null);

/** anchor wants a wallet for its provider; the app only builds instructions with it. */
const READ_ONLY_WALLET: Wallet = {
  publicKey: Keypair.generate().publicKey,
  payer: undefined as unknown as Keypair,
  signTransaction: async <T extends Transaction | VersionedTransaction>(_tx: T): Promise<T> => {
    throw new Error("the app signs through the connected wallet");
  },
  signAllTransactions: async <T extends Transaction | VersionedTransaction>(_txs: T[]): Promise<T[]> => {
    throw new Error("the app signs through the connected wallet");
  },
};

export function useNow(): BN {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(t);
  }, []);
  return useMemo(() => new BN(now), [now]);
}

export function PoolProvider({ children }: { children: ReactNode }) {
  const { connection } = useConnection();
  const { rpcUrl, isLocal } = useCluster();
  const program = useMemo(
    () => perpoolProgram(new AnchorProvider(connection, READ_ONLY_WALLET, { commitment: "confirmed" })),
    [connection],
  );
  const poolAddress = useMemo(() => poolPda(POOL_NAME)[0], []);
  const [state, setState] = useState<PoolState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [symbols, setSymbols] = useState<Map<string, string>>(configuredSymbols);
  const reload = useRef<() => void>(() => {});
  const now = useNow();

  useEffect(() => {
    setState(null);
    setLoadError(null);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let subscribed = "";
    let subs: number[] = [];
    const unsubscribe = () => {
      for (const id of subs) void connection.removeAccountChangeListener(id);
      subs = [];
    };
    const subscribe = (keys: PublicKey[]) => {
      const key = keys.map((k) => k.toBase58()).join(",");
      if (key === subscribed) return;
      unsubscribe();
      subscribed = key;
      subs = keys.map((k) => connection.onAccountChange(k, schedule, { commitment: "confirmed" }));
    };
    const load = async () => {
      try {
        const s = await fetchPoolState(program, poolAddress);
        if (stopped) return;
        setState(s);
        setLoadError(null);
        subscribe([s.address, s.pool.lpMint, ...s.custodies.flatMap((c) => [c.address, c.account.oracle])]);
      } catch (e) {
        if (stopped) return;
        const missing = /does not exist|has no data|not found/i.test(String((e as Error)?.message));
        setLoadError(
          missing
            ? `There is no pool "${POOL_NAME}" (${shortAddress(poolAddress.toBase58())}) on this cluster. Start the local stack with npm start, or choose another cluster.`
            : explainError(e),
        );
        // Hear about the pool's creation.
        if (!subscribed) subscribe([poolAddress]);
      }
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 100);
    };
    reload.current = schedule;
    void load();
    // A slow poll in case the RPC node's WebSocket is unavailable.
    const poll = setInterval(() => void load(), 30_000);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(poll);
      unsubscribe();
    };
  }, [connection, program, poolAddress]);

  // Symbols: the local faucet knows the test mints; elsewhere the build's VITE_ASSET_SYMBOLS.
  useEffect(() => {
    if (!isLocal) return;
    let stopped = false;
    fetch(`${faucetUrl(rpcUrl)}/assets`)
      .then((r) => (r.ok ? r.json() : null))
      .then((body: { assets?: { symbol: string; mint: string }[] } | null) => {
        if (stopped || !body?.assets) return;
        setSymbols((prev) => {
          const next = new Map(prev);
          for (const a of body.assets!) next.set(a.mint, a.symbol);
          return next;
        });
      })
      .catch(() => {});
    return () => {
      stopped = true;
    };
  }, [rpcUrl, isLocal]);

  const assets = useMemo<Asset[]>(
    () =>
      (state?.custodies ?? []).map((c, index) => ({
        custody: c.address,
        mint: c.account.mint,
        decimals: c.account.decimals,
        isStable: c.account.isStable !== 0,
        symbol: symbols.get(c.account.mint.toBase58()) ?? shortAddress(c.account.mint.toBase58()),
        index,
      })),
    [state, symbols],
  );
  const assetOf = useCallback((custody: PublicKey) => assets.find((a) => a.custody.equals(custody)), [assets]);
  const refresh = useCallback(() => reload.current(), []);

  const value = useMemo<PoolData>(
    () => ({ program, poolAddress, poolName: POOL_NAME, state, loadError, assets, assetOf, now, refresh }),
    [program, poolAddress, state, loadError, assets, assetOf, now, refresh],
  );
  return <PoolContext.Provider value={value}>{children}</PoolContext.Provider>;
}

export function usePool(): PoolData {
  const p = useContext(PoolContext);
  if (!p) throw new Error("usePool outside PoolProvider");
  return p;
}
