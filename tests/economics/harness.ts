/**
 * The economics suites' configuration of the one test world (`World`, tests/world.ts): a single
 * pool (the world's main pool) on a fresh LiteSVM at a fixed clock, test oracles (EMA = spot, no
 * confidence, so one oracle price per asset), wallets funded with `FUNDS`, and the books
 * (`books.ts`) the attack checks read through the world.
 */
import { Keypair } from "@solana/web3.js";
import { CustodyParams, PoolParams, RiskParams, defaultPoolParams, defaultRiskParams } from "../../sdk/src";
import { testFeedId, units } from "../fixtures";
import { World, price9 } from "../world";

export type Sym = "SOL" | "ETH" | "USDC";
export const DECIMALS: Record<Sym, number> = { SOL: 9, ETH: 8, USDC: 6 };
export const START_PRICE: Record<Sym, number> = { SOL: 150, ETH: 3_000, USDC: 1 };
export const START_TIME = 1_750_000_000;

export const tok = (sym: Sym, n: number | string) => units(n, DECIMALS[sym]);

export interface EconOptions {
  symbols?: Sym[];
  pool?: Partial<PoolParams>;
  custody?: Partial<Record<Sym, Partial<CustodyParams>>>;
  risk?: Partial<Record<Sym, Partial<RiskParams>>>;
  /** Deterministic keys (the fuzzers); random otherwise. */
  keys?: () => Keypair;
}

/** Whole tokens every wallet starts with. */
export const FUNDS: Record<Sym, number> = { SOL: 200_000, ETH: 10_000, USDC: 30_000_000 };

/**
 * A world with one pool, "main" (on chain "econ"), of `symbols` (SOL and USDC by default) at their
 * start prices, settings that change at once, and risk parameters `risk` over the defaults.
 */
export async function econWorld(o: EconOptions = {}): Promise<World> {
  const w = await World.create({ keys: o.keys, unixTimestamp: START_TIME, funds: FUNDS });
  const symbols = o.symbols ?? ["SOL", "USDC"];
  for (const sym of symbols) w.prices[sym] = price9(START_PRICE[sym]);
  const keys = o.keys ?? (() => Keypair.generate());
  await w.addPool(
    "main",
    defaultPoolParams({ timelockSecs: 0, ...o.pool }),
    symbols.map((sym) => ({
      symbol: sym,
      decimals: DECIMALS[sym],
      feedId: testFeedId(sym),
      mintKeypair: keys(),
      params: {
        isStable: sym === "USDC",
        targetWeightBps: Math.floor(10_000 / symbols.length),
        oracleMaxAgeSecs: 3_600,
        ...o.custody?.[sym],
      },
    })),
    "econ",
  );
  for (const sym of symbols) {
    if (sym === "USDC") continue;
    await w.setRisk(sym, defaultRiskParams({ ...o.risk?.[sym] }));
  }
  return w;
}
