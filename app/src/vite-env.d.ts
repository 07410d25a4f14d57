/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** RPC URL of the localnet cluster (default http://127.0.0.1:8899). */
  readonly VITE_RPC_URL?: string;
  /** The local token faucet (default: RPC port + 2 on the same host). */
  readonly VITE_FAUCET_URL?: string;
  /** Pool name (default "main"). */
  readonly VITE_POOL_NAME?: string;
  /** Symbols of mints the app cannot learn from a faucet: "mint:SYMBOL,mint:SYMBOL". */
  readonly VITE_ASSET_SYMBOLS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
