/** `perpool pool info`: the pool, its value and LP price, and every asset's books, rates and open interest. */
import BN from "bn.js";

import { poolName } from "../../accounts";
import { custodyRates } from "../../loan";
import { lpPriceUsd, valuePool } from "../../pool";
import { custodyFunding } from "../../position";
import { readOraclePrice } from "../../oracle";
import { Cli, Command } from "../cli";
import { assetLabel } from "../context";
import { Json } from "../output";
import { formatBps, formatPrice, formatUnits, formatUsd } from "../units";
import { at } from "../../util";

/** A per-year rate (1e9 = 100 %) as a percentage with two decimals. */
const formatRate = (rate: BN) => `${formatUnits(rate, 7, { maxDecimals: 2 })}%`;
const reason = (e: unknown) => (e as { code?: string }).code ?? (e as Error).message;

export const poolInfo: Command = {
  name: "pool info",
  summary: "the pool: value, LP price, and each asset's price, books, weights, rates, open interest and insurance",
  options: [],
  async run(cli: Cli) {
    const state = await cli.state();
    const now = await cli.now();
    const p = state.pool;
    let aum: { min: string; max: string } | null = null;
    let lpPrice: string | null = null;
    let valueError: string | null = null;
    let weights: BN[] | null = null;
    try {
      const min = valuePool(state, "min", now);
      const max = valuePool(state, "max", now);
      aum = { min: formatUsd(min.aumUsd), max: formatUsd(max.aumUsd) };
      lpPrice = formatUnits(lpPriceUsd(state, "min", now), 6);
      weights = min.custodies.map((c) => (min.aumUsd.isZero() ? new BN(0) : c.valueUsd.muln(10_000).div(min.aumUsd)));
    } catch (e) {
      valueError = reason(e);
    }

    const assets = state.custodies.map((c, i) => {
      const a = c.account;
      let price: Json = null;
      let ema: Json = null;
      let priceError: Json = null;
      try {
        const o = readOraclePrice(a, a.oracle, c.oracle, now);
        price = formatPrice(o.spot);
        ema = formatPrice(o.ema);
      } catch (e) {
        priceError = reason(e);
      }
      const rates = custodyRates(a, now);
      const funding = custodyFunding(a);
      const tokens = (x: BN) => formatUnits(x, a.decimals);
      return {
        symbol: assetLabel(state, c.address, cli.deployment),
        mint: a.mint.toBase58(),
        custody: c.address.toBase58(),
        oracle: a.oracle.toBase58(),
        feedId: Buffer.from(a.feedId).toString("hex"),
        decimals: a.decimals,
        priceUsd: price,
        emaPriceUsd: ema,
        priceError,
        owned: tokens(a.owned),
        locked: tokens(a.locked),
        lent: tokens(a.lent),
        traderCollateral: tokens(a.collateral),
        loanCollateral: tokens(a.loanCollateral),
        insurance: tokens(a.insurance),
        protocolFees: tokens(a.protocolFees),
        weight: weights ? formatBps(at(weights, i)) : null,
        targetWeight: formatBps(a.targetWeightBps),
        utilization: formatBps(rates.utilizationBps),
        borrowApr: formatRate(rates.borrowRate),
        supplyApr: formatRate(rates.supplyRate),
        longOiUsd: formatUsd(a.longOiUsd),
        shortOiUsd: formatUsd(a.shortOiUsd),
        fundingPerHour: formatBps(funding.hourlyBps),
        fundingPaidBy: a.longOiUsd.eq(a.shortOiUsd) ? "none" : funding.longsPay ? "longs" : "shorts",
        adlThreshold: formatBps(a.adlThresholdBps),
        adlFloor: formatBps(a.adlFloorBps),
      };
    });

    const name = poolName(p);
    const lpSupply = formatUnits(state.lpSupply, 6);
    cli.out.fields(`Pool "${name}" ${state.address.toBase58()}`, [
      ["LP mint", p.lpMint.toBase58()],
      ["LP supply", lpSupply],
      ["Pool value", aum ? `$${aum.min} (min prices) – $${aum.max} (max prices)` : `unavailable: ${valueError}`],
      ["LP price", lpPrice ? `$${lpPrice}` : "unavailable"],
      ["Cluster time", new Date(now.toNumber() * 1000).toISOString()],
    ]);
    cli.out.line();
    cli.out.table(
      [
        "ASSET",
        "PRICE",
        "OWNED",
        "LOCKED",
        "LENT",
        "WEIGHT/TARGET",
        "UTIL",
        "BORROW",
        "SUPPLY",
        "LONG OI",
        "SHORT OI",
        "FUNDING/H",
        "INSURANCE",
      ],
      assets.map((a) => [
        a.symbol,
        a.priceUsd ? `$${a.priceUsd}` : `(${a.priceError})`,
        a.owned,
        a.locked,
        a.lent,
        `${a.weight ?? "?"}/${a.targetWeight}`,
        a.utilization,
        a.borrowApr,
        a.supplyApr,
        `$${a.longOiUsd}`,
        `$${a.shortOiUsd}`,
        a.fundingPaidBy === "none" ? "0" : `${a.fundingPerHour} ${a.fundingPaidBy} pay`,
        a.insurance,
      ]),
    );
    cli.out.result({
      pool: {
        name,
        address: state.address.toBase58(),
        programId: state.programId.toBase58(),
        lpMint: p.lpMint.toBase58(),
        lpSupply,
        aumUsd: aum,
        aumError: valueError,
        lpPriceUsd: lpPrice,
      },
      now: now.toNumber(),
      assets,
    });
  },
};
