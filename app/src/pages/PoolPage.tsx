/**
 * The pool at a glance: value, LP price and its history, composition against
 * target weights, the LPs' income split, utilization and rates per asset,
 * open interest and the insurance fund.
 */
import BN from "bn.js";
import { useCallback, useMemo } from "react";

import { lpIncomeSplit, lpPriceUsd, math, valuePool, custodyRates, type PoolState } from "@perpool/sdk";
import { LineChart, WeightsChart, type Point } from "../components/Charts";
import { Card, Notice, Stat } from "../components/ui";
import { useEventHistory, useSampled } from "../hooks/history";
import { explainError } from "../lib/errors";
import { formatBps, formatFixed, formatPercent, formatPrice, formatRate, formatUnits, formatUsd, toFloat } from "../lib/format";
import { useAccount } from "../state/account";
import { usePool } from "../state/pool";

/** The LP price just before a deposit or redemption, from its event (value before ÷ supply before). */
function lpPricePoint(name: string, d: Record<string, unknown>, t: number): Point | null {
  if (name !== "liquidityAdded" && name !== "liquidityRemoved") return null;
  const aum = d.aumUsd as BN;
  const after = d.lpSupply as BN;
  const before = name === "liquidityAdded" ? after.sub(d.lpOut as BN) : after.add(d.lpIn as BN);
  if (before.isZero()) return { t, v: 1 };
  return { t, v: toFloat(aum, 6) / toFloat(before, 6) };
}

export function PoolPage() {
  const { program, state, now, assets, loadError, poolName } = usePool();
  const account = useAccount();

  const view = useMemo(() => {
    if (!state) return null;
    try {
      const min = valuePool(state, "min", now);
      const max = valuePool(state, "max", now);
      return { min, max, lpMin: lpPriceUsd(state, "min", now), lpMax: lpPriceUsd(state, "max", now), error: null as string | null };
    } catch (e) {
      return { error: explainError(e) };
    }
  }, [state, now]);

  const history = useEventHistory(program, state?.pool.lpMint ?? null, useCallback(lpPricePoint, []));
  const sampled = useSampled(view && "lpMin" in view && view.lpMin ? toFloat(view.lpMin, 6) : null, state?.address.toBase58() ?? "");

  if (loadError) return <Notice kind="error" testId="pool-error">{loadError}</Notice>;
  if (!state || !view) return <p className="muted">Loading the pool…</p>;
  if (view.error || !("min" in view) || !view.min || !view.max || !view.lpMin || !view.lpMax) {
    return <Notice kind="warn">The pool cannot be valued right now: {view.error}</Notice>;
  }

  const lpHolding = account.holding(state.pool.lpMint);
  const share = lpHolding && !state.lpSupply.isZero() ? Number(lpHolding.amount.muln(1_000_000).div(state.lpSupply).toString()) / 1_000_000 : 0;
  const bars = assets.map((a, i) => {
    const c = state.custodies[i].account;
    const w = view.min.aumUsd.isZero() ? 0 : Number(view.min.custodies[i].valueUsd.muln(10_000).div(view.min.aumUsd).toString());
    return { label: a.symbol, weight: w, target: c.targetWeightBps, min: c.minWeightBps, max: c.maxWeightBps };
  });

  return (
    <div className="page" data-testid="pool-page">
      <div className="stats">
        <Stat label={`Pool value (${poolName})`} value={formatUsd(view.min.aumUsd)} sub={`${formatUsd(view.min.aumUsd)} – ${formatUsd(view.max.aumUsd)} (min–max prices)`} testId="pool-aum" />
        <Stat label="LP price" value={formatFixed(view.lpMin, 6, 6)} sub={`redeem ${formatFixed(view.lpMin, 6, 6)} · mint ${formatFixed(view.lpMax, 6, 6)} USD`} testId="lp-price" />
        <Stat label="LP supply" value={formatUnits(state.lpSupply, 6, 2)} testId="lp-supply" />
        {account.owner && <Stat label="Your share" value={formatPercent(share, 4)} sub={lpHolding ? `${formatUnits(lpHolding.amount, 6)} LP` : undefined} />}
      </div>

      <div className="grid2">
        <Card title="LP price history">
          <LineChart
            testId="lp-chart"
            series={[
              { label: "events", color: "#5b8cff", points: history.points },
              { label: "sampled", color: "#e0b34a", points: sampled, dashed: true },
            ]}
            format={(v) => v.toFixed(4)}
            empty={history.loading ? "Reading events…" : "No deposits or redemptions yet."}
          />
          <p className="muted small">
            Solid: the LP price just before each of the last 100 deposits (mint price) and redemptions (redeem price), read from the program's LiquidityAdded /
            LiquidityRemoved events. Dashed: the redeem price sampled while this page is open.
          </p>
        </Card>
        <Card title="Composition vs target weights">
          <WeightsChart bars={bars} testId="weights-chart" />
          <p className="muted small">Bar: share of pool value; shaded: allowed band (min–max weight); tick: target. Deposits toward the target pay lower fees.</p>
        </Card>
      </div>

      <IncomeCard state={state} now={now} prices={view.min.custodies.map((c) => c.price.min)} aum={view.min.aumUsd} />

      <Card title="Assets: utilization, rates, open interest, insurance fund">
        <div className="table-wrap">
          <table data-testid="assets-table">
            <thead>
              <tr>
                <th>Asset</th>
                <th>Price</th>
                <th>Pool holds</th>
                <th>Value</th>
                <th>Reserved for traders</th>
                <th>Lent</th>
                <th>Utilization</th>
                <th>Borrow APY</th>
                <th>Supply APY</th>
                <th>Open interest (long / short)</th>
                <th>Insurance fund</th>
              </tr>
            </thead>
            <tbody>
              {assets.map((a, i) => {
                const c = state.custodies[i].account;
                const r = custodyRates(c, now);
                const price = view.min.custodies[i].price;
                return (
                  <tr key={a.custody.toBase58()}>
                    <td>{a.symbol}</td>
                    <td>{formatPrice(price.spot)}</td>
                    <td>{formatUnits(c.owned, a.decimals, 4)}</td>
                    <td>{formatUsd(view.min.custodies[i].valueUsd)}</td>
                    <td>{formatUnits(c.locked, a.decimals, 4)}</td>
                    <td>{formatUnits(c.lent, a.decimals, 4)}</td>
                    <td>{formatBps(r.utilizationBps)}</td>
                    <td>{formatRate(r.borrowApy)}</td>
                    <td>{formatRate(r.supplyApy)}</td>
                    <td>
                      {formatUsd(c.longOiUsd, 0)} / {formatUsd(c.shortOiUsd, 0)}
                    </td>
                    <td>
                      {formatUnits(c.insurance, a.decimals, 4)} {a.symbol}
                      <span className="muted"> ({formatUsd(math.tokenToUsdFloor(c.insurance, price.min, a.decimals))})</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="muted small">
          The insurance fund of each asset takes a share of fees and of the lending reserve; it pays a position's losses beyond its collateral before the pool does.
        </p>
      </Card>
    </div>
  );
}

/** The LPs' income since the pool's inception, by source, annualised against today's pool value. */
function IncomeCard({ state, now, prices, aum }: { state: PoolState; now: BN; prices: BN[]; aum: BN }) {
  const seconds = Number(now.sub(state.pool.inceptionTime).toString());
  const zero = new BN(0);
  const start: PoolState = {
    ...state,
    custodies: state.custodies.map((c) => ({
      ...c,
      account: { ...c.account, cumulativeTradingFees: zero, cumulativeBorrowFees: zero, cumulativeLendingInterest: zero },
    })),
  };
  const priceMap = new Map(state.custodies.map((c, i) => [c.address.toBase58(), prices[i]]));
  const split = lpIncomeSplit(start, state, priceMap, seconds, aum);
  const total = split.apr.tradingFees + split.apr.borrowFees + split.apr.lendingInterest;
  const totalUsd = split.tradingFeesUsd.add(split.borrowFeesUsd).add(split.lendingInterestUsd);
  const days = Math.max(seconds / 86_400, 0);
  // Annualising a few minutes of income gives meaningless numbers: a day is the least shown as a rate.
  const annualised = days >= 1;
  const rate = (x: number) => (annualised ? formatPercent(x) : "–");
  return (
    <Card title="LP income by source">
      <div className="stats" data-testid="apy-split">
        <Stat label="Trading fees" value={rate(split.apr.tradingFees)} sub={formatUsd(split.tradingFeesUsd)} />
        <Stat label="Borrow fees" value={rate(split.apr.borrowFees)} sub={formatUsd(split.borrowFeesUsd)} />
        <Stat label="Lending interest" value={rate(split.apr.lendingInterest)} sub={formatUsd(split.lendingInterestUsd)} />
        <Stat label="Total APR" value={rate(total)} sub={formatUsd(totalUsd)} />
      </div>
      <p className="muted small">
        What the pool has credited to LPs since it was created{" "}
        {days < 1 ? `${Math.max(Math.round(seconds / 60), 0)} minutes` : `${days.toFixed(1)} days`} ago, valued at today's prices
        {annualised ? ", annualised against today's pool value" : "; rates appear once the pool is a day old"}.
      </p>
    </Card>
  );
}
