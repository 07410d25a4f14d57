import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { IDL as idl } from "./idl/idl";

/** The Perpool program's address. */
export const PERPOOL_PROGRAM_ID = new PublicKey(idl.address);
export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
/**
 * Owner of Pyth pull-oracle `PriceUpdateV2` accounts. On local clusters the
 * price publisher (programs/pyth-publisher, see `publisher.ts`) is deployed here.
 */
export const PYTH_RECEIVER_PROGRAM_ID = new PublicKey("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");
/**
 * Pyth's push oracle: its PDAs `[shard (u16 LE), feed_id]` are the sponsored,
 * continuously updated `PriceUpdateV2` accounts on real clusters.
 */
export const PYTH_PUSH_ORACLE_PROGRAM_ID = new PublicKey("pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT");
/** Owner of upgradeable programs and their ProgramData accounts. */
export const BPF_LOADER_UPGRADEABLE_PROGRAM_ID = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

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

/** Oracle kinds of a custody: Pyth `PriceUpdateV2` is the only one. */
export const OracleKind = { PYTH: 0 } as const;

/** The largest u64 (an acceptable price that accepts any price, "all" of an amount). Never mutate it. */
export const U64_MAX = new BN("18446744073709551615");

export const MAX_CUSTODIES = 8;
export const LP_DECIMALS = 6;
/** USD amounts carry 6 decimals. */
export const USD_DECIMALS = 6;
/** Interest indexes start at 1.0 with 12 decimals. */
export const INDEX_ONE = "1000000000000";
