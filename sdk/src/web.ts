/**
 * The browser-safe SDK: everything `index.ts` exports except `./provider`,
 * whose LiteSVM provider loads a native Node module. The web app imports the
 * SDK through this file only.
 */
export * from "./constants";
export * from "./pda";
export * from "./program";
export * from "./types";
export * from "./accounts";
export * from "./oracle";
export * from "./publisher";
export * from "./pool";
export * from "./position";
export * from "./projection";
export * from "./loan";
export * from "./params";
export * from "./candles";
export * from "./history";
export * from "./portfolio";
export * from "./borrowing";
export * from "./instructions";
export * from "./errors";
export * from "./client";
export * from "./units";
export * from "./watch";
export * from "./lookup-table";
export * as math from "./math";
// Token-account helpers (no test provider: `./provider/token` only imports its type).
export {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  associatedTokenAddress,
  createAssociatedTokenAccountIx,
  decodeMint,
  decodeTokenAccount,
} from "./provider/token";
export { IDL } from "./idl/idl";
export type { Perpool } from "./idl/perpool";
