/**
 * Trade: pick a market, long or short, the collateral asset and leverage;
 * the SDK quote (entry price, fees, price impact, borrow and funding rates,
 * liquidation price) is shown before signing. A price chart carries the
 * entry and liquidation lines; the positions table below manages what is open.
 */
import { useWallet } from "@solana/wallet-adapter-react";
import BN from "bn.js";
import { useEffect, useMemo, useState } from "react";

import {
  Side,
  custodyFunding,
  custodyRates,
  increasePositionIx,
  liquidationPrice,
  math,
  positionAfterIncrease,
  positionPda,
  pricedCustody,
  quoteIncreasePosition,
} from "@perpool/sdk";
import { AmountInput } from "../components/AmountInput";
import { LineChart, type RefLine } from "../components/Charts";
import { PositionsPanel } from "../components/Positions";
import { AssetSelect, Card, Notice, Rows, Segmented, SlippageSetting } from "../components/ui";
import { useSampled } from "../hooks/history";
import { usePositions } from "../hooks/usePositions";
import { lessSlippage, parseAmount, plusSlippage } from "../lib/amount";
import { explainError } from "../lib/errors";
import { formatBps, formatLeverage, formatPrice, formatRate, formatSignedUsd, formatUnits, formatUsd, toFloat } from "../lib/format";
import { ensureAccountIxs } from "../lib/tokens";
import { useAccount } from "../state/account";
import { usePool, type Asset } from "../state/pool";
import { useTx } from "../state/tx";

type SideName = "long" | "short";

export function TradePage() {
  const { program, state, assets, now, loadError } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const tx = useTx();
  const { positions, orders, reload } = usePositions(publicKey);
  const markets = assets.filter((a) => !a.isStable);
  const stables = assets.filter((a) => a.isStable);

  const [marketKey, setMarketKey] = useState("");
  const [sideName, setSideName] = useState<SideName>("long");
  const [collKey, setCollKey] = useState("");
  const [text, setText] = useState("");
  const [leverage, setLeverage] = useState(5);
  const [slippageBps, setSlippageBps] = useState(50);
  const [focus, setFocus] = useState<string | null>(null);

  const market = markets.find((a) => a.custody.toBase58() === marketKey) ?? markets[0];
  const side = sideName === "long" ? Side.LONG : Side.SHORT;
  const collOptions: Asset[] = market ? (side === Side.LONG ? [...stables, market] : stables) : [];
  const coll = collOptions.find((a) => a.custody.toBase58() === collKey) ?? collOptions[0];
  useEffect(() => {
    if (market && marketKey !== market.custody.toBase58()) setMarketKey(market.custody.toBase58());
  }, [market, marketKey]);

  const collHolding = coll ? account.holding(coll.mint) : null;
  const parsed = parseAmount(text, {
    decimals: coll?.decimals ?? 0,
    symbol: coll?.symbol ?? "",
    max: publicKey && account.loaded ? (collHolding?.amount ?? new BN(0)) : undefined,
    maxLabel: "your balance",
  });
  const maxLeverage = market && state ? state.custodies[market.index].account.maxLeverageBps / 10_000 : 50;
  const leverageBps = Math.round(leverage * 10_000);

  const existing = useMemo(() => {
    if (!market || !coll || !publicKey || !state) return null;
    const address = positionPda(publicKey, state.address, market.custody, coll.custody, side, program.programId)[0];
    return positions.find((p) => p.address.equals(address)) ?? null;
  }, [positions, market, coll, publicKey, state, side, program]);

  const quote = useMemo(() => {
    if (!state || !market || !coll || parsed.kind !== "ok") return null;
    try {
      const collPrice = pricedCustody(state, coll.custody, now).price;
      const collUsd = math.tokenToUsdFloor(parsed.value, collPrice.min, coll.decimals);
      const sizeUsd = collUsd.muln(leverageBps).divn(10_000);
      const q = quoteIncreasePosition(
        state,
        { position: existing?.account ?? null, side, custody: market.custody, collateralCustody: coll.custody, sizeUsd, collateralAmount: parsed.value },
        now,
      );
      const owner = publicKey ?? state.address;
      let liq: BN | null = null;
      try {
        liq = liquidationPrice(state, positionAfterIncrease(state, now, existing?.account ?? null, { owner, side, custody: market.custody, collateralCustody: coll.custody }, q), now);
      } catch {
        liq = null;
      }
      const acceptable = side === Side.LONG ? plusSlippage(q.entryPrice, slippageBps) : lessSlippage(q.entryPrice, slippageBps);
      return { ok: true as const, q, sizeUsd, collUsd, liq, acceptable };
    } catch (e) {
      return { ok: false as const, error: explainError(e) };
    }
  }, [state, market, coll, parsed.kind === "ok" ? parsed.value.toString() : "", leverageBps, side, existing, now, slippageBps, publicKey]);

  const rates = useMemo(() => {
    if (!state || !market || !coll) return null;
    try {
      const m = state.custodies[market.index].account;
      const c = state.custodies[coll.index].account;
      return { borrowApy: custodyRates(c, now).borrowApy, funding: custodyFunding(m), price: pricedCustody(state, market.custody, now).price };
    } catch {
      return null;
    }
  }, [state, market, coll, now]);

  const sampled = useSampled(rates ? toFloat(rates.price.spot, 9) : null, market?.custody.toBase58() ?? "", 1);

  if (loadError) return <Notice kind="error">{loadError}</Notice>;
  if (!state || !market || !coll) return <p className="muted">Loading the pool…</p>;

  const focused = positions.find((p) => p.address.toBase58() === focus && p.market.custody.equals(market.custody));
  const lines: RefLine[] = [];
  if (quote?.ok) {
    lines.push({ label: "entry", color: "#5b8cff", v: toFloat(quote.q.entryPrice, 9) });
    if (quote.liq) lines.push({ label: "liq.", color: "#ff5b6e", v: toFloat(quote.liq, 9) });
  } else if (focused) {
    lines.push({ label: "entry", color: "#5b8cff", v: toFloat(focused.account.entryPrice, 9) });
    try {
      const liq = liquidationPrice(state, focused.account, now);
      if (liq) lines.push({ label: "liq.", color: "#ff5b6e", v: toFloat(liq, 9) });
    } catch {
      // no line
    }
  }

  const inputError = parsed.kind === "error" ? parsed.error : quote && !quote.ok ? quote.error : null;
  const canSend = !!publicKey && parsed.kind === "ok" && !!quote?.ok && !tx.busy;
  const impact = quote?.ok ? (quote.q as { priceImpactUsd?: BN }).priceImpactUsd : undefined;
  const fundingDue = quote?.ok ? (quote.q as { fundingUsd?: BN }).fundingUsd : undefined;

  const submit = async () => {
    if (!publicKey || parsed.kind !== "ok" || !quote?.ok || !collHolding) return;
    const snapshot = state;
    const q = quote;
    const ok = await tx.send(`Open ${formatLeverage(leverageBps)} ${sideName} ${market.symbol}`, async () => [
      ...ensureAccountIxs(publicKey, publicKey, collHolding),
      await increasePositionIx(program, snapshot, {
        owner: publicKey,
        side,
        custody: market.custody,
        collateralCustody: coll.custody,
        fundingAccount: collHolding.account,
        sizeUsd: q.sizeUsd,
        collateralAmount: parsed.value,
        acceptablePrice: q.acceptable,
      }),
    ]);
    if (ok) {
      setText("");
      reload();
    }
  };

  return (
    <div className="page trade" data-testid="trade-page">
      <div className="trade-grid">
        <div className="trade-main">
          <Card
            title={
              <span>
                {market.symbol}/USD <span className="muted">{rates ? formatPrice(rates.price.spot) : ""}</span>
              </span>
            }
            actions={
              <div className="tabs">
                {markets.map((m) => (
                  <button
                    key={m.custody.toBase58()}
                    type="button"
                    className={`chip ${m.custody.equals(market.custody) ? "active" : ""}`}
                    onClick={() => setMarketKey(m.custody.toBase58())}
                    data-testid={`market-${m.symbol}`}
                  >
                    {m.symbol}
                  </button>
                ))}
              </div>
            }
          >
            <LineChart
              testId="price-chart"
              series={[{ label: "sampled", color: "#e0b34a", points: sampled, dashed: true }]}
              lines={lines}
              format={(v) => "$" + (v >= 1000 ? v.toFixed(0) : v.toFixed(2))}
              empty="No prices yet."
            />
            <p className="muted small">
              The oracle spot price, sampled while this page is open.{" "}
              Lines: entry and liquidation price of the order being prepared, or of the selected position.
            </p>
          </Card>
          <PositionsPanel positions={positions} orders={orders} focus={focus} onFocus={setFocus} onChanged={reload} />
        </div>

        <Card title="Open a position" className="trade-form">
          <Segmented<SideName>
            testId="trade-side"
            value={sideName}
            options={[
              ["long", "Long"],
              ["short", "Short"],
            ]}
            onChange={setSideName}
          />
          <AssetSelect id="trade-market" label="Market" assets={markets} value={market.custody.toBase58()} onChange={setMarketKey} />
          <AssetSelect id="trade-collateral" label="Pay with (collateral)" assets={collOptions} value={coll.custody.toBase58()} onChange={setCollKey} />
          <AmountInput
            id="trade-amount"
            label="Collateral"
            value={text}
            onChange={setText}
            symbol={coll.symbol}
            decimals={coll.decimals}
            balance={publicKey ? (collHolding?.amount ?? null) : null}
            error={inputError}
          />
          <div className="field">
            <div className="field-head">
              <label htmlFor="trade-leverage">Leverage</label>
              <span>
                <input
                  className="chip-input"
                  type="number"
                  min={1.1}
                  max={maxLeverage}
                  step={0.1}
                  aria-label="Leverage"
                  data-testid="trade-leverage-input"
                  value={leverage}
                  onChange={(e) => {
                    const v = Number(e.target.value);
                    if (Number.isFinite(v) && v >= 1 && v <= maxLeverage) setLeverage(v);
                  }}
                />
                x
              </span>
            </div>
            <input
              id="trade-leverage"
              data-testid="trade-leverage"
              type="range"
              min={1.1}
              max={maxLeverage}
              step={0.1}
              value={leverage}
              onChange={(e) => setLeverage(Number(e.target.value))}
            />
          </div>
          <SlippageSetting bps={slippageBps} onChange={setSlippageBps} />
          {quote?.ok && (
            <Rows
              testId="trade-quote"
              rows={[
                ["Size", `${formatUsd(quote.sizeUsd)} (${formatUnits(quote.q.sizeTokensDelta, market.decimals, 6)} ${market.symbol})`, "quote-size"],
                ["Entry price", formatPrice(quote.q.entryPrice), "quote-entry"],
                [side === Side.LONG ? "Worst accepted (slippage)" : "Lowest accepted (slippage)", formatPrice(quote.acceptable)],
                ["Leverage after", formatLeverage(quote.q.leverageBpsAfter)],
                ["Liquidation price", quote.liq ? formatPrice(quote.liq) : "none", "quote-liq"],
                ["Open fee", formatUsd(quote.q.feeUsd)],
                ["Price impact", impact ? formatSignedUsd(impact) : "none"],
                ...(existing && fundingDue && !fundingDue.isZero() ? [["Funding settled first", formatSignedUsd(fundingDue)] as [string, string]] : []),
                ["Reserved from the pool", `${formatUnits(quote.q.lockedDelta, coll.decimals)} ${coll.symbol}`],
                ["Borrow rate (on the reserve)", rates ? `${formatRate(rates.borrowApy)} / year` : "–"],
                [
                  "Funding",
                  rates
                    ? rates.funding.ratePerSecond.isZero()
                      ? "none (open interest balanced)"
                      : `${rates.funding.longsPay ? "longs pay shorts" : "shorts pay longs"} ${formatBps(rates.funding.hourlyBps, 4)} / hour`
                    : "–",
                ],
                ...(existing ? [["Adds to your position", formatUsd(existing.account.sizeUsd)] as [string, string]] : []),
              ]}
            />
          )}
          <button type="button" className={`button wide ${sideName}`} disabled={!canSend} onClick={() => void submit()} data-testid="trade-submit">
            {!publicKey ? "Connect a wallet" : `${existing ? "Increase" : "Open"} ${sideName} ${market.symbol}`}
          </button>
          <p className="muted small">
            Longs post the market asset or a stable coin, shorts a stable coin. Profits are paid in the collateral asset from tokens the pool reserves at open; the
            reserve pays the borrow rate.
          </p>
        </Card>
      </div>
    </div>
  );
}
