/** Connect / disconnect: every wallet found through the Wallet Standard, plus the dev wallet on localnet. */
import { WalletReadyState, type WalletName } from "@solana/wallet-adapter-base";
import { useWallet } from "@solana/wallet-adapter-react";
import { useState } from "react";

import { shortAddress } from "../lib/format";

export function WalletButton() {
  const { wallets, wallet, publicKey, connected, connecting, select, connect, disconnect } = useWallet();
  const [open, setOpen] = useState(false);
  const usable = wallets.filter((w) => w.readyState === WalletReadyState.Installed || w.readyState === WalletReadyState.Loadable);

  if (connected && publicKey) {
    return (
      <div className="wallet">
        <button type="button" className="button secondary" onClick={() => setOpen(!open)} data-testid="wallet-address" title={publicKey.toBase58()}>
          {wallet && <img src={wallet.adapter.icon} alt="" width={18} height={18} />}
          {shortAddress(publicKey.toBase58())}
        </button>
        {open && (
          <div className="menu" role="menu">
            <button type="button" role="menuitem" onClick={() => void navigator.clipboard?.writeText(publicKey.toBase58()).then(() => setOpen(false))}>
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

  const choose = (name: WalletName) => {
    setOpen(false);
    if (wallet?.adapter.name === name) void connect().catch(() => {});
    else select(name);
  };

  return (
    <div className="wallet">
      <button type="button" className="button" onClick={() => setOpen(!open)} disabled={connecting} data-testid="connect-wallet">
        {connecting ? "Connecting…" : "Connect wallet"}
      </button>
      {open && (
        <div className="menu" role="menu" data-testid="wallet-menu">
          {usable.length === 0 && <p className="muted small">No wallet found in this browser. Install Phantom, Backpack or Solflare, then reload.</p>}
          {usable.map((w) => (
            <button type="button" role="menuitem" key={w.adapter.name} onClick={() => choose(w.adapter.name)}>
              <img src={w.adapter.icon} alt="" width={20} height={20} />
              {w.adapter.name}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
