/** The keeper bot (liquidations, trigger orders, auto-deleveraging, loan liquidations) and its chain helpers. */
export { Keeper } from "./keeper";
export type { KeeperAction, KeeperActionKind, KeeperOptions, KeeperSkip, KeeperSummary } from "./keeper";
export {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  associatedTokenAddress,
  clusterTime,
  createAssociatedTokenAccountIx,
  describeError,
  findTokenAccount,
  sendInstructions,
  tokenAccountOrCreate,
} from "./chain";
export type { FoundTokenAccount, Sent } from "./chain";
