import { PublicKey } from "@solana/web3.js";

import idl from "./idl/perpool.json";

/** The Perpool program's address. */
export const PERPOOL_PROGRAM_ID = new PublicKey(idl.address);
export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
/** Owner of Pyth pull-oracle `PriceUpdateV2` accounts. */
export const PYTH_RECEIVER_PROGRAM_ID = new PublicKey("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");

/** Pause flags of `set_pause` (combine with `|`). */
export const PauseFlags = {
  NONE: 0,
  LIQUIDITY: 1,
  TRADING: 2,
  LENDING: 4,
  LISTING: 8,
  ALL: 15,
} as const;

/** Settings timelock of a new pool, and the config minimum on public clusters: 24 h. */
export const DEFAULT_TIMELOCK_SECS = 86_400;
/** Longest settings timelock the program accepts: 30 days. */
export const MAX_TIMELOCK_SECS = 30 * 86_400;
/** What a settings proposal changes (`Proposal.kind`). */
export const ProposalKind = { POOL: 1, CUSTODY: 2 } as const;

/** Oracle kinds of a custody. */
export const OracleKind = { PYTH: 0, TEST: 1 } as const;

export const MAX_CUSTODIES = 8;
export const LP_DECIMALS = 6;
/** USD amounts carry 6 decimals. */
export const USD_DECIMALS = 6;
/** Interest indexes start at 1.0 with 12 decimals. */
export const INDEX_ONE = "1000000000000";
