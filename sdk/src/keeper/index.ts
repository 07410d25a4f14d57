/** The keeper bot (liquidations, trigger orders, auto-deleveraging, loan liquidations) and its chain helpers. */
export { Keeper } from "./keeper";
export type { KeeperAction, KeeperActionKind, KeeperOptions, KeeperSkip, KeeperSummary } from "./keeper";
export { clusterTime, describeError, findTokenAccount, sendInstructions, tokenAccountOrCreate } from "./chain";
export type { FoundTokenAccount, Sent } from "./chain";
