/**
 * Portfolio: everything the user holds in the pool on one page — the LP
 * position (value, deposited vs now, APY earned), positions (equity, PnL),
 * loans (net of debt, health) and open orders — with totals.
 */
import { useWallet } from "@solana/wallet-adapter-react";
import BN from "bn.js";
import { useEffect, useMemo, useState } from "react";

import {
  fetchLpAccount,
  healthBand,
  healthFactor,
  loanInfo,
  lpAccountPda,
  lpPriceUsd,
  math,
  positionInfo,
  pricedCustody,
  withLastPrices,
  type LpAccount,
} from "@perpool/sdk";
import { Health } from "../components/Health";
import { HistoryList } from "../components/HistoryList";
import { LpPositionRows } from "../components/LpPosition";
import { OrdersList } from "../components/OrdersList";
import { Card, Notice, Stat } from "../components/ui";
import { ConnectButton } from "../components/WalletButton";
import { useLoans } from "../hooks/useLoans";
import { usePositions } from "../hooks/usePositions";
import { formatBps, formatLeverage, formatPrice, formatSignedUsd, formatUnits, formatUsd } from "../lib/format";
import { useAccount } from "../state/account";
import { usePool } from "../state/pool";

export function PortfolioPage() {
  const { program, state: liveState, now, loadError } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const { positions, orders, reload } = usePositions(publicKey);
  const { loans } = useLoans();
  const [lpAccount, setLpAccount] = useState<LpAccount | null>(null);
  // Values at the last prices even while an oracle is stale (a portfolio is a read-out, not a quote).
  const state = useMemo(() => (liveState ? withLastPrices(liveState) : null), [liveState]);
  const lpHolding = state ? account.holding(state.pool.lpMint) : null;

  useEffect(() => {
    if (!publicKey || !state) return setLpAccount(null);
    let stopped = false;
    fetchLpAccount(program, lpAccountPda(state.address, publicKey, program.programId)[0])
      .then((a) => !stopped && setLpAccount(a))
      .catch(() => {});
    return () => {
      stopped = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [program, state?.address.toBase58(), publicKey, lpHolding?.amount.toString()]);

  const view = useMemo(() => {
    if (!state) return null;
    const zero = new BN(0);
    let lpPrice: BN | null = null;
    try {
      lpPrice = lpPriceUsd(state, "min", now);
    } catch {
      lpPrice = null;
    }
    const lpValue = lpPrice && lpHolding ? lpHolding.amount.mul(lpPrice).divn(1_000_000) : zero;
    const pos = positions.map((p) => {
      try {
        const i = positionInfo(state, p.account, now);
        const cp = pricedCustody(state, p.collateral.custody, now).price;
        const collUsd = math.tokenToUsdFloor(p.account.collateralAmount, cp.min, p.collateral.decimals);
        return { p, i, collUsd, equity: collUsd.add(i.pnlUsd) };
      } catch {
        return { p, i: null, collUsd: zero, equity: zero };
      }
    });
    const ln = loans.map((l) => {
      try {
        const i = loanInfo(state, l.account, now);
        const h = healthFactor(i.ltvBps, state.custodies[l.collateral.index].account.liquidationLtvBps);
        return { l, i, net: i.collateralUsd.sub(i.debtUsd), h };
      } catch {
        return { l, i: null, net: zero, h: null };
      }
    });
    const positionsEquity = pos.reduce((s, x) => s.add(x.equity), zero);
    const pnl = pos.reduce((s, x) => s.add(x.i?.pnlUsd ?? zero), zero);
    const loansNet = ln.reduce((s, x) => s.add(x.net), zero);
    return {
      lpPrice,
      lpValue,
      pos,
      ln,
      positionsEquity,
      pnl,
      loansNet,
      total: lpValue.add(positionsEquity).add(loansNet),
    };
  }, [state, now, positions, loans, lpHolding]);

  if (loadError) return <Notice kind="error">{loadError}</Notice>;
  if (!publicKey) {
    return (
      <div className="page" data-testid="portfolio-page">
        <Card title="Portfolio">
          <p className="muted">Connect a wallet to see your liquidity, positions, loans and orders in one place.</p>
          <ConnectButton testId="portfolio-connect" />
        </Card>
      </div>
    );
  }
  if (!state || !view) return <p className="muted">Loading the pool…</p>;

  return (
    <div className="page" data-testid="portfolio-page">
      <div className="stats">
        <Stat
          label="Total in Perpool"
          value={formatUsd(view.total)}
          sub="liquidity + position equity + loans net of debt"
          testId="portfolio-total"
        />
        <Stat
          label="Liquidity"
          value={formatUsd(view.lpValue)}
          sub={lpHolding ? `${formatUnits(lpHolding.amount, 6)} LP` : undefined}
          testId="portfolio-lp"
        />
        <Stat
          label="Positions (equity)"
          value={formatUsd(view.positionsEquity)}
          sub={`unrealized ${formatSignedUsd(view.pnl)}`}
          testId="portfolio-positions"
        />
        <Stat
          label="Loans (net)"
          value={formatUsd(view.loansNet)}
          sub={`${loans.length} loan(s)`}
          testId="portfolio-loans"
        />
      </div>
      <div className="grid2">
        <Card title="Liquidity">
          {lpAccount && view.lpPrice ? (
            <LpPositionRows lpAccount={lpAccount} lpBalance={lpHolding?.amount ?? new BN(0)} lpPrice={view.lpPrice} />
          ) : (
            <p className="muted">
              No liquidity yet. <a href="#/earn">Deposit on Earn</a>.
            </p>
          )}
        </Card>
        <Card title={`Loans (${loans.length})`}>
          {view.ln.length === 0 ? (
            <p className="muted">
              No loans. <a href="#/borrow">Borrow</a> against any pool asset.
            </p>
          ) : (
            <ul className="plain-list" data-testid="portfolio-loan-list">
              {view.ln.map(({ l, i, h }) => (
                <li key={l.address.toBase58()}>
                  <strong>
                    {l.borrow.symbol} against {l.collateral.symbol}
                  </strong>{" "}
                  <Health value={h} band={healthBand(h)} />
                  <div className="muted small">
                    {formatUnits(l.account.collateralAmount, l.collateral.decimals, 6)} {l.collateral.symbol} collateral
                    · debt {i ? `${formatUnits(i.debt, l.borrow.decimals, 6)} ${l.borrow.symbol}` : "–"} · LTV{" "}
                    {i ? formatBps(i.ltvBps) : "–"}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <Card title={`Positions (${positions.length})`}>
        {view.pos.length === 0 ? (
          <p className="muted">
            No open positions. <a href="#/trade">Trade</a>.
          </p>
        ) : (
          <ul className="plain-list" data-testid="portfolio-position-list">
            {view.pos.map(({ p, i, collUsd, equity }) => (
              <li key={p.address.toBase58()}>
                <strong>{p.market.symbol}</strong>{" "}
                <span className={p.account.side === 1 ? "long-text" : "short-text"}>
                  {p.account.side === 1 ? "Long" : "Short"}
                </span>{" "}
                {!collUsd.isZero() && (
                  <span className="muted">{formatLeverage(p.account.sizeUsd.muln(10_000).div(collUsd))}</span>
                )}{" "}
                · {formatUsd(p.account.sizeUsd)}
                <div className="muted small">
                  entry {formatPrice(p.account.entryPrice)} · PnL {i ? formatSignedUsd(i.pnlUsd) : "–"} · equity{" "}
                  {formatUsd(equity)} · liq. {i?.liquidationPrice ? formatPrice(i.liquidationPrice) : "none"}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={`Open orders (${orders.length})`}>
        <OrdersList orders={orders} onChanged={reload} />
      </Card>
      <Card title="History">
        <HistoryList />
      </Card>
    </div>
  );
}
