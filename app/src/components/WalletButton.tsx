/**
 * Connect / disconnect: every wallet found through the Wallet Standard, plus
 * the dev wallet on localnet. `ConnectButton` is the same menu behind any
 * button of a page (where a signed action waits for a wallet).
 */
import { WalletReadyState, type WalletName } from "@solana/wallet-adapter-base";
import { useWallet } from "@solana/wallet-adapter-react";
import { useEffect, useRef, useState } from "react";

import { shortAddress } from "../lib/format";

/** Opens a menu of the usable wallets; picking one connects it. */
function useConnectMenu() {
  const { wallets, wallet, connected, select, connect } = useWallet();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const usable = wallets.filter(
    (w) => w.readyState === WalletReadyState.Installed || w.readyState === WalletReadyState.Loadable,
  );
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  const choose = (name: WalletName) => {
    setOpen(false);
    const w = wallets.find((x) => x.adapter.name === name);
    if (w && w.adapter.connected && !connected) {
      // The adapter is connected but the provider missed it (e.g. after a reload): ask it to announce itself again.
      void w.adapter.connect().catch(() => {});
    } else if (wallet?.adapter.name === name) {
      void connect().catch(() => {});
    } else {
      select(name);
    }
  };
  const menu = open ? (
    <div className="menu" role="menu" data-testid="wallet-menu">
      {usable.length === 0 && (
        <p className="muted small">
          No wallet found in this browser. Install Phantom, Backpack or Solflare, then reload.
        </p>
      )}
      {usable.map((w) => (
        <button type="button" role="menuitem" key={w.adapter.name} onClick={() => choose(w.adapter.name)}>
          <img src={w.adapter.icon} alt="" width={20} height={20} />
          {w.adapter.name}
        </button>
      ))}
    </div>
  ) : null;
  return { open, setOpen, ref, menu };
}

/** A page's "Connect a wallet" button: opens the wallet menu right there. */
export function ConnectButton({ className = "button wide", testId }: { className?: string; testId?: string }) {
  const { connecting } = useWallet();
  const m = useConnectMenu();
  return (
    <div className="wallet inline" ref={m.ref}>
      <button
        type="button"
        className={className}
        onClick={() => m.setOpen(!m.open)}
        disabled={connecting}
        data-testid={testId}
      >
        {connecting ? "Connecting…" : "Connect a wallet"}
      </button>
      {m.menu}
    </div>
  );
}

export function WalletButton() {
  const { wallet, publicKey, connected, connecting, disconnect } = useWallet();
  const m = useConnectMenu();
  const [open, setOpen] = useState(false);

  if (connected && publicKey) {
    return (
      <div className="wallet">
        <button
          type="button"
          className="button secondary"
          onClick={() => setOpen(!open)}
          data-testid="wallet-address"
          title={publicKey.toBase58()}
        >
          {wallet && <img src={wallet.adapter.icon} alt="" width={18} height={18} />}
          {shortAddress(publicKey.toBase58())}
        </button>
        {open && (
          <div className="menu" role="menu">
            <button
              type="button"
              role="menuitem"
              onClick={() => void navigator.clipboard?.writeText(publicKey.toBase58()).then(() => setOpen(false))}
            >
              Copy address
            </button>
            <button
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                void disconnect();
              }}
            >
              Disconnect
            </button>
          </div>
        )}
      </div>
    );
  }

  return (
    <div className="wallet" ref={m.ref}>
      <button
        type="button"
        className="button"
        onClick={() => m.setOpen(!m.open)}
        disabled={connecting}
        data-testid="connect-wallet"
      >
        {connecting ? "Connecting…" : "Connect"}
      </button>
      {m.menu}
    </div>
  );
}
