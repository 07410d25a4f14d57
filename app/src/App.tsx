/** Providers (cluster → connection → wallets → pool → balances → transactions) and the page frame. */
import { ConnectionProvider, WalletProvider, useConnection } from "@solana/wallet-adapter-react";
import type { Adapter } from "@solana/wallet-adapter-base";
import { Suspense, lazy, useEffect, useMemo, useState } from "react";

import { ClusterSelect } from "./components/ClusterSelect";
import { DevWalletPanel } from "./components/DevWalletPanel";
import { TxToasts } from "./components/TxToasts";
import { WalletButton } from "./components/WalletButton";
import { AccountProvider } from "./state/account";
import { ClusterProvider, useCluster } from "./state/cluster";
import { HistoryProvider } from "./state/history";
import { PoolProvider } from "./state/pool";
import { TxProvider } from "./state/tx";
import { DevWalletAdapter } from "./wallet/devWallet";

// One chunk per page: a visitor of the Pool page does not download the chart library or the trade forms.
const PAGES = {
  pool: { title: "Pool", Component: lazy(() => import("./pages/PoolPage").then((m) => ({ default: m.PoolPage }))) },
  earn: { title: "Earn", Component: lazy(() => import("./pages/EarnPage").then((m) => ({ default: m.EarnPage }))) },
  trade: { title: "Trade", Component: lazy(() => import("./pages/TradePage").then((m) => ({ default: m.TradePage }))) },
  borrow: {
    title: "Borrow",
    Component: lazy(() => import("./pages/BorrowPage").then((m) => ({ default: m.BorrowPage }))),
  },
  portfolio: {
    title: "Portfolio",
    Component: lazy(() => import("./pages/PortfolioPage").then((m) => ({ default: m.PortfolioPage }))),
  },
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
              <HistoryProvider>
                <Frame />
              </HistoryProvider>
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
        <nav aria-label="Pages">
          {(Object.keys(PAGES) as PageId[]).map((id) => (
            <a
              key={id}
              href={`#/${id}`}
              className={id === page ? "active" : ""}
              aria-current={id === page ? "page" : undefined}
              data-testid={`nav-${id}`}
            >
              {PAGES[id].title}
            </a>
          ))}
        </nav>
        <div className="top-right">
          <RpcHealth />
          <ClusterSelect />
          <WalletButton />
        </div>
      </header>
      <DevWalletPanel />
      <main>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Component />
        </Suspense>
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
