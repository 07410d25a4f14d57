/** Providers (cluster → connection → wallets → pool → balances → transactions) and the page frame. */
import { ConnectionProvider, WalletProvider, useConnection } from "@solana/wallet-adapter-react";
import type { Adapter } from "@solana/wallet-adapter-base";
import { useEffect, useMemo, useState } from "react";

import { ClusterSelect } from "./components/ClusterSelect";
import { DevWalletPanel } from "./components/DevWalletPanel";
import { TxToasts } from "./components/TxToasts";
import { WalletButton } from "./components/WalletButton";
import { BorrowPage } from "./pages/BorrowPage";
import { EarnPage } from "./pages/EarnPage";
import { PoolPage } from "./pages/PoolPage";
import { TradePage } from "./pages/TradePage";
import { AccountProvider } from "./state/account";
import { ClusterProvider, useCluster } from "./state/cluster";
import { PoolProvider } from "./state/pool";
import { TxProvider } from "./state/tx";
import { DevWalletAdapter } from "./wallet/devWallet";

const PAGES = {
  pool: { title: "Pool", Component: PoolPage },
  earn: { title: "Earn", Component: EarnPage },
  trade: { title: "Trade", Component: TradePage },
  borrow: { title: "Borrow", Component: BorrowPage },
} as const;
type PageId = keyof typeof PAGES;

function pageFromHash(): PageId {
  const id = window.location.hash.replace(/^#\/?/, "");
  return id in PAGES ? (id as PageId) : "pool";
}

export function App() {
  return (
    <ClusterProvider>
      <Connected />
    </ClusterProvider>
  );
}

function Connected() {
  const { rpcUrl, isLocal } = useCluster();
  // Wallet Standard wallets (Phantom, Backpack, Solflare…) are found by the provider itself;
  // the dev wallet is added on a cluster on this machine only.
  const wallets = useMemo<Adapter[]>(() => (isLocal ? [new DevWalletAdapter()] : []), [isLocal]);
  return (
    <ConnectionProvider endpoint={rpcUrl} config={{ commitment: "confirmed" }} key={rpcUrl}>
      <WalletProvider wallets={wallets} autoConnect localStorageKey="perpool.walletName">
        <PoolProvider>
          <AccountProvider>
            <TxProvider>
              <Frame />
            </TxProvider>
          </AccountProvider>
        </PoolProvider>
      </WalletProvider>
    </ConnectionProvider>
  );
}

function Frame() {
  const [page, setPage] = useState<PageId>(pageFromHash);
  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const { Component } = PAGES[page];
  return (
    <div className="app">
      <header className="top">
        <a className="brand" href="#/pool">
          Perpool
        </a>
        <nav>
          {(Object.keys(PAGES) as PageId[]).map((id) => (
            <a key={id} href={`#/${id}`} className={id === page ? "active" : ""} data-testid={`nav-${id}`}>
              {PAGES[id].title}
            </a>
          ))}
        </nav>
        <div className="spacer" />
        <RpcHealth />
        <ClusterSelect />
        <WalletButton />
      </header>
      <DevWalletPanel />
      <main>
        <Component />
      </main>
      <TxToasts />
    </div>
  );
}

/** The current slot, or why the RPC node does not answer. */
function RpcHealth() {
  const { connection } = useConnection();
  const [slot, setSlot] = useState<number | null>(null);
  const [down, setDown] = useState(false);
  useEffect(() => {
    let stopped = false;
    const tick = () =>
      connection.getSlot("confirmed").then(
        (s) => !stopped && (setSlot(s), setDown(false)),
        () => !stopped && setDown(true),
      );
    void tick();
    const t = setInterval(() => void tick(), 5_000);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [connection]);
  return (
    <span className={`health ${down ? "down" : ""}`} title={connection.rpcEndpoint} data-testid="rpc-health">
      {down ? "RPC unreachable" : slot === null ? "…" : `slot ${slot.toLocaleString("en-US")}`}
    </span>
  );
}
