/**
 * The local dev wallet: a keypair kept in this browser's localStorage, offered
 * only when the app talks to a cluster on this machine (localnet), so the app
 * can be used and tested without a browser extension. It signs whatever the
 * app asks, without a prompt: never put real funds in it.
 */
import {
  BaseSignerWalletAdapter,
  WalletNotConnectedError,
  WalletReadyState,
  isVersionedTransaction,
  type TransactionOrVersionedTransaction,
  type WalletName,
} from "@solana/wallet-adapter-base";
import { Keypair, PublicKey, type TransactionVersion } from "@solana/web3.js";

export const DEV_WALLET_NAME = "Dev wallet (localnet)" as WalletName<"Dev wallet (localnet)">;
const STORAGE_KEY = "perpool.devWallet.secretKey";

const ICON =
  "data:image/svg+xml;base64," +
  btoa(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#2a3350"/><path d="M9 11h14v10H9z" fill="none" stroke="#8fb0ff" stroke-width="2"/><circle cx="20" cy="16" r="1.8" fill="#8fb0ff"/></svg>`,
  );

/** The stored keypair, created on first use. */
export function loadDevKeypair(): Keypair {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored) {
    try {
      return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(stored) as number[]));
    } catch {
      // A corrupt entry is replaced below.
    }
  }
  const kp = Keypair.generate();
  localStorage.setItem(STORAGE_KEY, JSON.stringify(Array.from(kp.secretKey)));
  return kp;
}

/** Forgets the stored keypair; the next connection creates a new one. */
export function forgetDevKeypair(): void {
  localStorage.removeItem(STORAGE_KEY);
}

export class DevWalletAdapter extends BaseSignerWalletAdapter<"Dev wallet (localnet)"> {
  name = DEV_WALLET_NAME;
  url = "#dev-wallet";
  icon = ICON;
  readyState = WalletReadyState.Loadable;
  supportedTransactionVersions: ReadonlySet<TransactionVersion> = new Set<TransactionVersion>(["legacy", 0]);
  private keypair: Keypair | null = null;

  get publicKey(): PublicKey | null {
    return this.keypair?.publicKey ?? null;
  }

  get connecting(): boolean {
    return false;
  }

  /**
   * Announces the connection every time, even when the keypair is already
   * loaded: after a reload the wallet provider may have missed the first
   * announcement (it subscribes after an auto-connect began), and a connect
   * that stays silent then leaves it thinking no wallet is connected.
   */
  async connect(): Promise<void> {
    if (!this.keypair) this.keypair = loadDevKeypair();
    this.emit("connect", this.keypair.publicKey);
  }

  async disconnect(): Promise<void> {
    if (!this.keypair) return;
    this.keypair = null;
    this.emit("disconnect");
  }

  async signTransaction<T extends TransactionOrVersionedTransaction<this["supportedTransactionVersions"]>>(
    tx: T,
  ): Promise<T> {
    const kp = this.keypair;
    if (!kp) throw new WalletNotConnectedError();
    if (isVersionedTransaction(tx)) tx.sign([kp]);
    else tx.partialSign(kp);
    return tx;
  }
}
