/**
 * The connected wallet's SOL and token balances (every pool asset and the LP
 * token), kept live through an account subscription on the wallet and a
 * program subscription on its token accounts.
 */
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import { TOKEN_PROGRAM_ID } from "@perpool/sdk";

import { type TokenHolding, holdingsByMint } from "../lib/tokens";
import { usePool } from "./pool";

export interface AccountData {
  owner: PublicKey | null;
  /** Lamports; null until read. */
  sol: BN | null;
  loaded: boolean;
  holding(mint: PublicKey): TokenHolding | null;
  refresh(): void;
}

const AccountContext = createContext<AccountData | null>(null);

export function AccountProvider({ children }: { children: ReactNode }) {
  const { connection } = useConnection();
  const { publicKey } = useWallet();
  const { state, assets } = usePool();
  const [sol, setSol] = useState<BN | null>(null);
  const [holdings, setHoldings] = useState<Map<string, TokenHolding>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const reload = useRef<() => void>(() => {});

  const mintsKey = useMemo(
    () => [...assets.map((a) => a.mint.toBase58()), ...(state ? [state.pool.lpMint.toBase58()] : [])].join(","),
    [assets, state],
  );

  useEffect(() => {
    setSol(null);
    setHoldings(new Map());
    setLoaded(false);
    if (!publicKey) return;
    const mints = mintsKey ? mintsKey.split(",").map((m) => new PublicKey(m)) : [];
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const [lamports, tokens] = await Promise.all([
          connection.getBalance(publicKey, "confirmed"),
          connection.getTokenAccountsByOwner(publicKey, { programId: TOKEN_PROGRAM_ID }, "confirmed"),
        ]);
        if (stopped) return;
        setSol(new BN(lamports));
        setHoldings(
          holdingsByMint(
            publicKey,
            mints,
            tokens.value.map((t) => ({ pubkey: t.pubkey, data: t.account.data })),
          ),
        );
        setLoaded(true);
      } catch {
        // Kept as is; the next notification or poll tries again.
      }
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 100);
    };
    reload.current = schedule;
    void load();
    const subs = [
      connection.onAccountChange(publicKey, schedule, { commitment: "confirmed" }),
      connection.onProgramAccountChange(TOKEN_PROGRAM_ID, schedule, {
        commitment: "confirmed",
        filters: [{ dataSize: 165 }, { memcmp: { offset: 32, bytes: publicKey.toBase58() } }],
      }),
    ];
    const poll = setInterval(() => void load(), 30_000);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(poll);
      void connection.removeAccountChangeListener(subs[0]);
      void connection.removeProgramAccountChangeListener(subs[1]);
    };
  }, [connection, publicKey, mintsKey]);

  const holding = useCallback((mint: PublicKey) => holdings.get(mint.toBase58()) ?? null, [holdings]);
  const refresh = useCallback(() => reload.current(), []);
  const value = useMemo<AccountData>(
    () => ({ owner: publicKey, sol, loaded, holding, refresh }),
    [publicKey, sol, loaded, holding, refresh],
  );
  return <AccountContext.Provider value={value}>{children}</AccountContext.Provider>;
}

export function useAccount(): AccountData {
  const a = useContext(AccountContext);
  if (!a) throw new Error("useAccount outside AccountProvider");
  return a;
}
