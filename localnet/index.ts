/**
 * A local Solana cluster for clients: JSON-RPC and WebSocket pub-sub over an
 * in-process LiteSVM, with a durable ledger. See README.md.
 */
export {
  DEFAULT_DATA_DIR,
  DEFAULT_RPC_PORT,
  HOST,
  dataDirAdmin,
  defaultProgram,
  publisherProgram,
  startLocalnet,
} from "./server";
export type { Localnet, LocalnetOptions } from "./server";
export { Chain, FAUCET_LAMPORTS, MAX_PROCESSING_AGE } from "./chain";
export type { ChainOptions, ProgramSpec, TxRecord } from "./chain";
export { Ledger } from "./ledger";
export { FileLock, LockError } from "./lock";
export { RpcMethods, SOLANA_VERSION } from "./rpc";
export { PubSub } from "./pubsub";
export { ErrorCode, RpcError } from "./errors";
export { startPriceFeed, nextPrice, publishIxs } from "./price-feed";
export type { PriceFeed, PriceFeedOptions } from "./price-feed";
export { fundDemoWallet, DEMO_AMOUNTS, DEMO_SOL, DEMO_WALLET_FILE } from "./demo-wallet";
export type { DemoWallet, DemoWalletOptions } from "./demo-wallet";
