/**
 * Shown while the dev wallet is connected on localnet: its SOL, and a button
 * that airdrops SOL and asks the local token faucet for test tokens.
 */
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { LAMPORTS_PER_SOL } from "@solana/web3.js";
import BN from "bn.js";
import { useState } from "react";

import { faucetUrl } from "../lib/config";
import { explainError } from "../lib/errors";
import { formatUnits } from "../lib/format";
import { useAccount } from "../state/account";
import { useCluster } from "../state/cluster";
import { DEV_WALLET_NAME, forgetDevKeypair } from "../wallet/devWallet";

const AIRDROP_SOL = 10;

export function DevWalletPanel() {
  const { connection } = useConnection();
  const { wallet, publicKey, disconnect } = useWallet();
  const { rpcUrl, isLocal } = useCluster();
  const { sol, refresh } = useAccount();
  const [status, setStatus] = useState<{ kind: "busy" | "done" | "error"; text: string } | null>(null);
  if (!isLocal || !publicKey || wallet?.adapter.name !== DEV_WALLET_NAME) return null;

  const fund = async () => {
    setStatus({ kind: "busy", text: "Funding…" });
    try {
      if (!sol || sol.lt(new BN((AIRDROP_SOL / 2) * LAMPORTS_PER_SOL))) {
        const signature = await connection.requestAirdrop(publicKey, AIRDROP_SOL * LAMPORTS_PER_SOL);
        const latest = await connection.getLatestBlockhash("confirmed");
        await connection.confirmTransaction({ signature, ...latest }, "confirmed");
      }
      const url = `${faucetUrl(rpcUrl)}/mint`;
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ wallet: publicKey.toBase58() }),
        });
      } catch {
        throw new Error(
          `The token faucet at ${faucetUrl(rpcUrl)} is not reachable (npm start runs it; alone: npm run faucet).`,
        );
      }
      const body = (await res.json()) as { error?: string; minted?: { symbol: string; amount: string }[] };
      if (!res.ok) throw new Error(body.error ?? `faucet answered ${res.status}`);
      const minted = (body.minted ?? []).map((m) => `${m.amount} ${m.symbol}`).join(", ");
      setStatus({
        kind: "done",
        text: minted ? `Received ${minted}.` : "Already funded: balances are at the faucet's limit.",
      });
      refresh();
    } catch (e) {
      setStatus({
        kind: "error",
        text: e instanceof Error && e.message.startsWith("The token faucet") ? e.message : explainError(e),
      });
    }
  };

  return (
    <div className="devwallet" data-testid="dev-wallet-panel">
      <span>
        <strong>Dev wallet</strong> <span className="muted">(kept in this browser; localnet only)</span>
      </span>
      <span data-testid="sol-balance">{sol ? `${formatUnits(sol, 9, 4)} SOL` : "…"}</span>
      <button
        type="button"
        className="button small"
        onClick={() => void fund()}
        disabled={status?.kind === "busy"}
        data-testid="fund-wallet"
      >
        Get test SOL and tokens
      </button>
      <button
        type="button"
        className="button secondary small"
        onClick={() => {
          forgetDevKeypair();
          void disconnect();
        }}
      >
        New keypair
      </button>
      {status && (
        <span
          className={status.kind === "error" ? "error-text" : "muted"}
          data-testid="fund-status"
          data-state={status.kind}
        >
          {status.text}
        </span>
      )}
    </div>
  );
}
