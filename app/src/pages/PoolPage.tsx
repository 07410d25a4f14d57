/**
 * The pool at a glance: value, LP price and its history, composition against
 * target weights, the LPs' income split, utilization and rates per asset,
 * open interest and the insurance fund.
 */
import BN from "bn.js";
import { useCallback, useMemo } from "react";

import {
  lpPriceUsd,
  math,
  oracleAges,
  poolLifetimeApy,
  valuePool,
  withLastPrices,
  custodyRates,
  type PoolApy,
} from "@perpool/sdk";
import { LineChart, WeightsChart, type Point } from "../components/Charts";
import { Card, Notice, Stat } from "../components/ui";
import { useEventHistory, useSampled } from "../hooks/history";
import { explainError } from "../lib/errors";
import {
  formatBps,
  formatDuration,
  formatFixed,
  formatPercent,
  formatPrice,
  formatRate,
  formatUnits,
  formatUsd,
  toFloat,
} from "../lib/format";
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
  const { program, state: liveState, now, assets, loadError, poolName } = usePool();
  const account = useAccount();
  // A stale oracle does not blank the page: the last values are shown, marked stale.
  const ages = useMemo(() => (liveState ? oracleAges(liveState, now) : []), [liveState, now]);
  const staleAges = ages.filter((a) => a.stale);
  const state = useMemo(
    () => (liveState && staleAges.length > 0 ? withLastPrices(liveState) : liveState),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- recomputed only when prices turn stale or fresh
    [liveState, staleAges.length > 0],
  );

  const view = useMemo(() => {
    if (!state) return null;
    try {
      const min = valuePool(state, "min", now);
      const max = valuePool(state, "max", now);
      return {
        min,
        max,
        lpMin: lpPriceUsd(state, "min", now),
        lpMax: lpPriceUsd(state, "max", now),
        apy: poolLifetimeApy(state, now),
        error: null as string | null,
      };
    } catch (e) {
      return { error: explainError(e) };
    }
  }, [state, now]);

  const history = useEventHistory(program, state?.pool.lpMint ?? null, useCallback(lpPricePoint, []));
  const sampled = useSampled(
    view && "lpMin" in view && view.lpMin ? toFloat(view.lpMin, 6) : null,
    state?.address.toBase58() ?? "",
  );

  if (loadError)
    return (
      <Notice kind="error" testId="pool-error">
        {loadError}
      </Notice>
    );
  if (!state || !view) return <p className="muted">Loading the pool…</p>;
  if (view.error || !("min" in view) || !view.min || !view.max || !view.lpMin || !view.lpMax || !view.apy) {
    return <Notice kind="warn">The pool cannot be valued right now: {view.error}</Notice>;
  }
  const symbolOf = (k: { equals(x: unknown): boolean }) => assets.find((a) => k.equals(a.custody))?.symbol ?? "?";
  const utilizationLine = assets
    .map((a, i) => {
      try {
        return `${a.symbol} ${formatBps(custodyRates(state.custodies[i].account, now).utilizationBps)}`;
      } catch {
        return null;
      }
    })
    .filter(Boolean)
    .join(" · ");

  const lpHolding = account.holding(state.pool.lpMint);
  const share =
    lpHolding && !state.lpSupply.isZero()
      ? Number(lpHolding.amount.muln(1_000_000).div(state.lpSupply).toString()) / 1_000_000
      : 0;
  const bars = assets.map((a, i) => {
    const c = state.custodies[i].account;
    const w = view.min.aumUsd.isZero()
      ? 0
      : Number(view.min.custodies[i].valueUsd.muln(10_000).div(view.min.aumUsd).toString());
    return { label: a.symbol, weight: w, target: c.targetWeightBps, min: c.minWeightBps, max: c.maxWeightBps };
  });

  return (
    <div className="page" data-testid="pool-page">
      {staleAges.length > 0 && (
        <Notice kind="warn" testId="stale-notice">
          {staleAges.map((a) => (
            <span
              key={a.custody.toBase58()}
              className="badge stale"
              data-testid="stale-badge"
              data-asset={symbolOf(a.custody)}
            >
              stale: {symbolOf(a.custody)} price {a.ageSec === null ? "unreadable" : `${formatDuration(a.ageSec)} old`}{" "}
              (max {a.maxAgeSec} s)
            </span>
          ))}{" "}
          The values below use the last prices. The pool refuses trades, deposits and redemptions that need a stale
          price until the oracle updates.
        </Notice>
      )}
      <div className="stats">
        <Stat
          label={`APY (trailing, pool's ${formatDuration(view.apy.seconds)})`}
          value={<span className="long-text">{formatPercent(view.apy.apy)}</span>}
          sub={`fees ${formatPercent(view.apy.apr.tradingFees)} · borrow fees ${formatPercent(view.apy.apr.borrowFees)} · lending ${formatPercent(view.apy.apr.lendingInterest)}`}
          testId="pool-apy"
        />
        <Stat
          label={`Pool value (${poolName})`}
          value={formatUsd(view.min.aumUsd)}
          sub={`${formatUsd(view.min.aumUsd)} – ${formatUsd(view.max.aumUsd)} (min–max prices)`}
          testId="pool-aum"
        />
        <Stat
          label="LP price"
          value={formatFixed(view.lpMin, 6, 6)}
          sub={`redeem ${formatFixed(view.lpMin, 6, 6)} · mint ${formatFixed(view.lpMax, 6, 6)} USD`}
          testId="lp-price"
        />
        <Stat label="LP supply" value={formatUnits(state.lpSupply, 6, 2)} testId="lp-supply" />
        {account.owner && (
          <Stat
            label="Your share"
            value={formatPercent(share, 4)}
            sub={lpHolding ? `${formatUnits(lpHolding.amount, 6)} LP` : undefined}
          />
        )}
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
            Solid: the LP price just before each of the last 100 deposits (mint price) and redemptions (redeem price),
            read from the program's LiquidityAdded / LiquidityRemoved events. Dashed: the redeem price sampled while
            this page is open.
          </p>
        </Card>
        <Card title="Composition vs target weights">
          <WeightsChart bars={bars} testId="weights-chart" />
          <p className="muted small">
            Bar: share of pool value; shaded: allowed band (min–max weight); tick: target. Deposits toward the target
            pay lower fees.
          </p>
        </Card>
      </div>

      <p className="lend-line" data-testid="lend-line">
        Idle pool assets are lent out to borrowers and earn interest for LPs. Utilization now: {utilizationLine}.
      </p>
      <IncomeCard apy={view.apy} />

      <Card title="Assets: utilization, rates, open interest, insurance fund">
        <div className="table-wrap">
          <table className="cards" data-testid="assets-table">
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
                const age = ages[i];
                return (
                  <tr key={a.custody.toBase58()}>
                    <td data-label="Asset">
                      <strong>{a.symbol}</strong>
                    </td>
                    <td data-label="Price">
                      {formatPrice(price.spot)}
                      {age?.stale && (
                        <span className="badge stale">
                          stale {age.ageSec === null ? "" : formatDuration(age.ageSec)}
                        </span>
                      )}
                    </td>
                    <td data-label="Pool holds">{formatUnits(c.owned, a.decimals, 4)}</td>
                    <td data-label="Value">{formatUsd(view.min.custodies[i].valueUsd)}</td>
                    <td data-label="Reserved for traders">{formatUnits(c.locked, a.decimals, 4)}</td>
                    <td data-label="Lent">{formatUnits(c.lent, a.decimals, 4)}</td>
                    <td data-label="Utilization">{formatBps(r.utilizationBps)}</td>
                    <td data-label="Borrow APY">{formatRate(r.borrowApy)}</td>
                    <td data-label="Supply APY">{formatRate(r.supplyApy)}</td>
                    <td data-label="Open interest (L / S)">
                      {formatUsd(c.longOiUsd, 0)} / {formatUsd(c.shortOiUsd, 0)}
                    </td>
                    <td data-label="Insurance fund">
                      {formatUnits(c.insurance, a.decimals, 4)} {a.symbol}
                      <span className="muted">
                        {" "}
                        ({formatUsd(math.tokenToUsdFloor(c.insurance, price.min, a.decimals))})
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="muted small">
          The insurance fund of each asset takes a share of fees and of the lending reserve; it pays a position's losses
          beyond its collateral before the pool does.
        </p>
      </Card>
    </div>
  );
}

/** The LPs' income since the pool's inception, by source, annualised over the pool's life against today's pool value. */
function IncomeCard({ apy }: { apy: PoolApy }) {
  return (
    <Card title="LP income by source (since inception)">
      <div className="stats" data-testid="apy-split">
        <Stat label="Trading fees" value={formatPercent(apy.apr.tradingFees)} sub={formatUsd(apy.tradingFeesUsd)} />
        <Stat label="Borrow fees" value={formatPercent(apy.apr.borrowFees)} sub={formatUsd(apy.borrowFeesUsd)} />
        <Stat
          label="Lending interest"
          value={formatPercent(apy.apr.lendingInterest)}
          sub={formatUsd(apy.lendingInterestUsd)}
        />
        <Stat
          label="Total APR"
          value={formatPercent(apy.apr.total)}
          sub={`${formatUsd(apy.totalUsd)} · APY ${formatPercent(apy.apy)}`}
        />
      </div>
      <p className="muted small">
        Trailing over the pool's whole life ({formatDuration(apy.seconds)}): what the pool has credited to LPs, valued
        at today's prices and annualised against today's pool value. While the pool is young a single trade moves it a
        lot.
      </p>
    </Card>
  );
}
