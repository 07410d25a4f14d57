/**
 * Trade: a market's candles with the order's or position's price lines; a
 * market or limit order (long / short, collateral, leverage) with optional
 * take-profit and stop-loss placed in the same transaction; the SDK quote
 * before signing; and the Positions / Orders / History tabs.
 */
import { useWallet } from "@solana/wallet-adapter-react";
import BN from "bn.js";
import { useMemo, useState } from "react";

import {
  MAX_ORDERS,
  MIN_EXECUTION_REWARD,
  OrderKind,
  Side,
  custodyFunding,
  custodyRates,
  increasePositionIx,
  liquidationPrice,
  math,
  orderTriggered,
  placeOrderIx,
  positionAfterIncrease,
  positionPda,
  pricedCustody,
  quoteIncreasePosition,
} from "@perpool/sdk";
import { AmountInput } from "../components/AmountInput";
import { HistoryList } from "../components/HistoryList";
import { OrdersList } from "../components/OrdersList";
import { PositionsPanel } from "../components/Positions";
import { PriceChart, type PriceLine } from "../components/PriceChart";
import { AssetSelect, Card, Notice, Rows, Segmented, SlippageSetting } from "../components/ui";
import { ConnectButton } from "../components/WalletButton";
import { usePositions } from "../hooks/usePositions";
import { usePriceTicks } from "../hooks/usePriceTicks";
import { leverageText, lessSlippage, parseAmount, parseLeverage, plusSlippage } from "../lib/amount";
import { explainError, quoteErrorCode } from "../lib/errors";
import {
  formatBps,
  formatLeverage,
  formatPrice,
  formatRate,
  formatSignedUsd,
  formatUnits,
  formatUsd,
} from "../lib/format";
import { ensureAccountIxs } from "../lib/tokens";
import { useAccount } from "../state/account";
import { useHistory } from "../state/history";
import { usePool, type Asset } from "../state/pool";
import { useTx } from "../state/tx";

type SideName = "long" | "short";
type OrderType = "market" | "limit";
type Tab = "positions" | "orders" | "history";

const COLORS = { entry: "#5b8cff", liq: "#ff5b6e", tp: "#2fbf71", sl: "#e0b34a", limit: "#b48cff" };

export function TradePage() {
  const { program, state, assets, now, loadError } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const history = useHistory();
  const tx = useTx();
  const { positions, orders, reload } = usePositions(publicKey);
  const markets = assets.filter((a) => !a.isStable);
  const stables = assets.filter((a) => a.isStable);

  const [marketKey, setMarketKey] = useState("");
  const [sideName, setSideName] = useState<SideName>("long");
  const [orderType, setOrderType] = useState<OrderType>("market");
  const [collKey, setCollKey] = useState("");
  const [text, setText] = useState("");
  const [levText, setLevText] = useState("5");
  const [limitText, setLimitText] = useState("");
  const [tpText, setTpText] = useState("");
  const [slText, setSlText] = useState("");
  const [slippageBps, setSlippageBps] = useState(50);
  const [focus, setFocus] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>("positions");

  const market = markets.find((a) => a.custody.toBase58() === marketKey) ?? markets[0];
  const side = sideName === "long" ? Side.LONG : Side.SHORT;
  const collOptions: Asset[] = market ? (side === Side.LONG ? [...stables, market] : stables) : [];
  const coll = collOptions.find((a) => a.custody.toBase58() === collKey) ?? collOptions[0];
  const { ticks, loading: ticksLoading } = usePriceTicks(market?.custody ?? null);

  const collHolding = coll ? account.holding(coll.mint) : null;
  const parsed = parseAmount(text, {
    decimals: coll?.decimals ?? 0,
    symbol: coll?.symbol ?? "",
    max: publicKey && account.loaded ? (collHolding?.amount ?? new BN(0)) : undefined,
    maxLabel: "your balance",
  });
  const maxLeverageBps = market && state ? state.custodies[market.index].account.maxLeverageBps : 500_000;
  const lev = parseLeverage(levText, maxLeverageBps);
  const leverageBps = lev.kind === "ok" ? lev.bps : null;
  const limitPrice =
    orderType === "limit" ? parseAmount(limitText, { decimals: 9, symbol: "USD" }) : ({ kind: "empty" } as const);
  const tp =
    orderType === "market" ? parseAmount(tpText, { decimals: 9, symbol: "USD" }) : ({ kind: "empty" } as const);
  const sl =
    orderType === "market" ? parseAmount(slText, { decimals: 9, symbol: "USD" }) : ({ kind: "empty" } as const);

  const spot = useMemo(() => {
    if (!state || !market) return null;
    try {
      return pricedCustody(state, market.custody, now).price.spot;
    } catch {
      return null;
    }
  }, [state, market, now]);

  const positionAddress = useMemo(
    () =>
      market && coll && publicKey && state
        ? positionPda(publicKey, state.address, market.custody, coll.custody, side, program.programId)[0]
        : null,
    [market, coll, publicKey, state, side, program],
  );
  const existing = positionAddress ? (positions.find((p) => p.address.equals(positionAddress)) ?? null) : null;
  const positionOrders = positionAddress ? orders.filter((o) => o.account.position.equals(positionAddress)) : [];
  const freeSlots = Array.from({ length: MAX_ORDERS }, (_, i) => i).filter(
    (i) => !positionOrders.some((o) => o.account.slot === i),
  );

  const quote = useMemo(() => {
    if (!state || !market || !coll || parsed.kind !== "ok" || leverageBps === null) return null;
    try {
      const collPrice = pricedCustody(state, coll.custody, now).price;
      const collUsd = math.tokenToUsdFloor(parsed.value, collPrice.min, coll.decimals);
      const sizeUsd = collUsd.muln(leverageBps).divn(10_000);
      const q = quoteIncreasePosition(
        state,
        {
          position: existing?.account ?? null,
          side,
          custody: market.custody,
          collateralCustody: coll.custody,
          sizeUsd,
          collateralAmount: parsed.value,
        },
        now,
      );
      const owner = publicKey ?? state.address;
      let liq: BN | null = null;
      try {
        liq = liquidationPrice(
          state,
          positionAfterIncrease(
            state,
            now,
            existing?.account ?? null,
            { owner, side, custody: market.custody, collateralCustody: coll.custody },
            q,
          ),
          now,
        );
      } catch {
        liq = null;
      }
      const acceptable =
        side === Side.LONG ? plusSlippage(q.entryPrice, slippageBps) : lessSlippage(q.entryPrice, slippageBps);
      return { ok: true as const, q, sizeUsd, collUsd, liq, acceptable };
    } catch (e) {
      const code = quoteErrorCode(e);
      if (code === "CollateralTooSmall" && state && market) {
        return {
          ok: false as const,
          error: `The collateral must be worth at least ${formatUsd(state.custodies[market.index].account.minCollateralUsd)} (the market's minimum).`,
        };
      }
      return { ok: false as const, error: explainError(e) };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the amount's value (a BN compares by reference)
  }, [
    state,
    market,
    coll,
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the amount's value, as above
    parsed.kind === "ok" ? parsed.value.toString() : "",
    leverageBps,
    side,
    existing,
    now,
    slippageBps,
    publicKey,
  ]);

  const rates = useMemo(() => {
    if (!state || !market || !coll) return null;
    try {
      return {
        borrowApy: custodyRates(state.custodies[coll.index].account, now).borrowApy,
        funding: custodyFunding(state.custodies[market.index].account),
      };
    } catch {
      return null;
    }
  }, [state, market, coll, now]);

  if (loadError) return <Notice kind="error">{loadError}</Notice>;
  if (!state || !market || !coll) return <p className="muted">Loading the pool…</p>;

  // Warnings: an order whose trigger is already crossed executes at once.
  const immediate = (kind: number, price: BN) =>
    spot !== null && orderTriggered({ kind, side, triggerPrice: price }, spot);
  const tpWarn =
    tp.kind === "ok" && immediate(OrderKind.TAKE_PROFIT, tp.value)
      ? "The price is already past this take-profit: it would close the position right after opening."
      : null;
  const slWarn =
    sl.kind === "ok" && immediate(OrderKind.STOP_LOSS, sl.value)
      ? "The price is already past this stop-loss: it would close the position right after opening."
      : null;
  const limitWarn =
    limitPrice.kind === "ok" && immediate(OrderKind.LIMIT, limitPrice.value)
      ? `The price is already ${side === Side.LONG ? "at or below" : "at or above"} this limit: a keeper fills it right away.`
      : null;
  const ordersNeeded = (orderType === "limit" ? 1 : 0) + (tp.kind === "ok" ? 1 : 0) + (sl.kind === "ok" ? 1 : 0);
  const slotsError =
    ordersNeeded > freeSlots.length
      ? `This position has ${freeSlots.length} free order slot(s) of ${MAX_ORDERS}; cancel an order first.`
      : null;

  const focused = positions.find((p) => p.address.toBase58() === focus && p.market.custody.equals(market.custody));
  const lines: PriceLine[] = [];
  if (quote?.ok && orderType === "market") {
    lines.push({ label: "entry", color: COLORS.entry, price: quote.q.entryPrice });
    if (quote.liq) lines.push({ label: "liq.", color: COLORS.liq, price: quote.liq });
    if (tp.kind === "ok") lines.push({ label: "TP", color: COLORS.tp, price: tp.value });
    if (sl.kind === "ok") lines.push({ label: "SL", color: COLORS.sl, price: sl.value });
  } else if (orderType === "limit" && limitPrice.kind === "ok") {
    lines.push({ label: "limit", color: COLORS.limit, price: limitPrice.value });
  } else if (focused) {
    lines.push({ label: "entry", color: COLORS.entry, price: focused.account.entryPrice });
    try {
      const liq = liquidationPrice(state, focused.account, now);
      if (liq) lines.push({ label: "liq.", color: COLORS.liq, price: liq });
    } catch {
      // no line
    }
    for (const o of orders.filter((x) => x.account.position.equals(focused.address))) {
      lines.push({
        label:
          o.account.kind === OrderKind.TAKE_PROFIT ? "TP" : o.account.kind === OrderKind.STOP_LOSS ? "SL" : "limit",
        color: o.account.kind === OrderKind.TAKE_PROFIT ? COLORS.tp : COLORS.sl,
        price: o.account.triggerPrice,
      });
    }
  }

  const inputError = parsed.kind === "error" ? parsed.error : quote && !quote.ok ? quote.error : null;
  const orderInputsOk =
    lev.kind === "ok" &&
    (orderType === "market" || limitPrice.kind === "ok") &&
    tp.kind !== "error" &&
    sl.kind !== "error" &&
    !slotsError;
  const canSend = !!publicKey && parsed.kind === "ok" && !!quote?.ok && orderInputsOk && !tx.busy;
  const impact = quote?.ok ? quote.q.priceImpactUsd : undefined;
  const fundingDue = quote?.ok ? quote.q.fundingUsd : undefined;

  const submit = async () => {
    if (!publicKey || parsed.kind !== "ok" || !quote?.ok || !collHolding || leverageBps === null) return;
    const snapshot = state;
    const q = quote;
    const label =
      orderType === "limit" && limitPrice.kind === "ok"
        ? `Limit ${sideName} ${market.symbol} at ${formatPrice(limitPrice.value)}`
        : `Open ${formatLeverage(leverageBps)} ${sideName} ${market.symbol}`;
    const slots = [...freeSlots];
    const trigger = (kind: number, price: BN, extra: Partial<Parameters<typeof placeOrderIx>[2]> = {}) =>
      placeOrderIx(program, snapshot, {
        owner: publicKey,
        side,
        custody: market.custody,
        collateralCustody: coll.custody,
        fundingAccount: collHolding.account,
        slot: slots.shift()!,
        kind,
        triggerPrice: price,
        acceptablePrice: new BN(0),
        sizeUsd: new BN(0),
        collateralAmount: new BN(0),
        executionReward: new BN(MIN_EXECUTION_REWARD),
        ...extra,
      });
    const ok = await tx.send(label, async () => {
      if (orderType === "limit" && limitPrice.kind === "ok") {
        const acceptable =
          side === Side.LONG
            ? plusSlippage(limitPrice.value, slippageBps)
            : lessSlippage(limitPrice.value, slippageBps);
        return [
          await trigger(OrderKind.LIMIT, limitPrice.value, {
            acceptablePrice: acceptable,
            sizeUsd: q.sizeUsd,
            collateralAmount: parsed.value,
          }),
        ];
      }
      const ixs = [
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
      ];
      // Take-profit and stop-loss in the same transaction: placed once the position exists.
      if (tp.kind === "ok") ixs.push(await trigger(OrderKind.TAKE_PROFIT, tp.value));
      if (sl.kind === "ok") ixs.push(await trigger(OrderKind.STOP_LOSS, sl.value));
      return ixs;
    });
    if (ok) {
      setText("");
      setTpText("");
      setSlText("");
      setLimitText("");
      reload();
      history.reload();
      if (orderType === "limit") setTab("orders");
    }
  };

  const submitText =
    orderType === "limit"
      ? `Place limit ${sideName}`
      : `${existing ? "Increase" : "Open"} ${sideName} ${market.symbol}`;

  return (
    <div className="page trade" data-testid="trade-page">
      <div className="trade-grid">
        <div className="trade-main">
          <Card
            title={
              <span>
                {market.symbol}/USD <span className="muted">{spot ? formatPrice(spot) : ""}</span>
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
            <PriceChart testId="price-chart" ticks={ticks} lines={lines} loading={ticksLoading} />
            <p className="muted small">
              Candles of the oracle price: past updates read from the oracle's transactions, then every update this page
              sees. Lines: entry, liquidation, take-profit and stop-loss of the order being prepared or of the selected
              position.
            </p>
          </Card>
          <Card
            className="trade-tabs"
            title={
              <Segmented<Tab>
                testId="trade-tabs"
                value={tab}
                onChange={setTab}
                options={[
                  ["positions", `Positions (${positions.length})`],
                  ["orders", `Orders (${orders.length})`],
                  ["history", "History"],
                ]}
              />
            }
          >
            {tab === "positions" && (
              <PositionsPanel
                positions={positions}
                orders={orders}
                focus={focus}
                onFocus={setFocus}
                onChanged={reload}
              />
            )}
            {tab === "orders" && <OrdersList orders={orders} onChanged={reload} />}
            {tab === "history" && <HistoryList filter="trading" />}
          </Card>
        </div>

        <Card title="Trade" className="trade-form">
          <Segmented<SideName>
            testId="trade-side"
            value={sideName}
            options={[
              ["long", "Long"],
              ["short", "Short"],
            ]}
            onChange={setSideName}
          />
          <Segmented<OrderType>
            testId="order-type"
            value={orderType}
            options={[
              ["market", "Market"],
              ["limit", "Limit"],
            ]}
            onChange={setOrderType}
          />
          <div className="pair">
            <AssetSelect
              id="trade-market"
              label="Market"
              assets={markets}
              value={market.custody.toBase58()}
              onChange={setMarketKey}
            />
            <AssetSelect
              id="trade-collateral"
              label="Pay with"
              assets={collOptions}
              value={coll.custody.toBase58()}
              onChange={setCollKey}
            />
          </div>
          {orderType === "limit" && (
            <AmountInput
              id="limit-price"
              label={`Limit price (fills when the oracle is ${side === Side.LONG ? "at or below" : "at or above"})`}
              value={limitText}
              onChange={setLimitText}
              symbol="USD"
              decimals={9}
              error={limitPrice.kind === "error" ? limitPrice.error : null}
              warning={limitWarn}
            />
          )}
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
              <label htmlFor="trade-leverage-input">Leverage</label>
              <span className="lev-box">
                <input
                  id="trade-leverage-input"
                  className="chip-input"
                  inputMode="decimal"
                  autoComplete="off"
                  aria-invalid={lev.kind === "error" ? true : undefined}
                  data-testid="trade-leverage-input"
                  value={levText}
                  onChange={(e) => setLevText(e.target.value)}
                />
                x
              </span>
            </div>
            <input
              data-testid="trade-leverage"
              aria-label="Leverage slider"
              type="range"
              min={1.1}
              max={maxLeverageBps / 10_000}
              step={0.1}
              value={leverageBps !== null ? leverageBps / 10_000 : 1.1}
              onChange={(e) => setLevText(leverageText(Math.round(Number(e.target.value) * 10) * 1_000))}
            />
            {lev.kind === "error" && (
              <div className="error-text" role="alert" data-testid="trade-leverage-error">
                {lev.error}
              </div>
            )}
            {lev.kind === "empty" && (
              <div className="muted small">Enter a leverage between 1.1x and {maxLeverageBps / 10_000}x.</div>
            )}
          </div>
          {orderType === "market" ? (
            <details className="tpsl" open={tpText !== "" || slText !== ""}>
              <summary>Take-profit / stop-loss (optional)</summary>
              <div className="pair">
                <AmountInput
                  id="open-tp"
                  label="Take-profit"
                  value={tpText}
                  onChange={setTpText}
                  symbol="USD"
                  decimals={9}
                  error={tp.kind === "error" ? tp.error : null}
                  warning={tpWarn}
                />
                <AmountInput
                  id="open-sl"
                  label="Stop-loss"
                  value={slText}
                  onChange={setSlText}
                  symbol="USD"
                  decimals={9}
                  error={sl.kind === "error" ? sl.error : null}
                  warning={slWarn}
                />
              </div>
              <p className="muted small">
                Placed with the position in one transaction; a keeper closes the whole position when the oracle price
                crosses them.
              </p>
            </details>
          ) : (
            <p className="muted small">
              Take-profit and stop-loss can be added once the limit order has opened the position.
            </p>
          )}
          {slotsError && <Notice kind="warn">{slotsError}</Notice>}
          <SlippageSetting bps={slippageBps} onChange={setSlippageBps} />
          {quote?.ok && orderType === "market" && (
            <Rows
              testId="trade-quote"
              rows={[
                [
                  "Size",
                  `${formatUsd(quote.sizeUsd)} (${formatUnits(quote.q.sizeTokensDelta, market.decimals, 6)} ${market.symbol})`,
                  "quote-size",
                ],
                ["Entry price", formatPrice(quote.q.entryPrice), "quote-entry"],
                [
                  side === Side.LONG ? "Worst accepted (slippage)" : "Lowest accepted (slippage)",
                  formatPrice(quote.acceptable),
                ],
                ["Leverage after", formatLeverage(quote.q.leverageBpsAfter)],
                ["Liquidation price", quote.liq ? formatPrice(quote.liq) : "none", "quote-liq"],
                ["Open fee", formatUsd(quote.q.feeUsd)],
                ["Price impact", impact && !impact.isZero() ? formatSignedUsd(impact) : "none"],
                ...(existing && fundingDue && !fundingDue.isZero()
                  ? [["Funding settled first", formatSignedUsd(fundingDue)] as [string, string]]
                  : []),
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
                ...(existing
                  ? [["Adds to your position", formatUsd(existing.account.sizeUsd)] as [string, string]]
                  : []),
              ]}
            />
          )}
          {quote?.ok && orderType === "limit" && limitPrice.kind === "ok" && (
            <Rows
              testId="limit-quote"
              rows={[
                ["Size", formatUsd(quote.sizeUsd), "limit-size"],
                ["Fills when", `${market.symbol} ${side === Side.LONG ? "≤" : "≥"} ${formatPrice(limitPrice.value)}`],
                [
                  "Worst accepted fill",
                  formatPrice(
                    side === Side.LONG
                      ? plusSlippage(limitPrice.value, slippageBps)
                      : lessSlippage(limitPrice.value, slippageBps),
                  ),
                ],
                [
                  "Collateral held by the order",
                  `${formatUnits(parsed.kind === "ok" ? parsed.value : new BN(0), coll.decimals)} ${coll.symbol}`,
                ],
                [
                  "Keeper reward (prepaid)",
                  `${formatUnits(new BN(MIN_EXECUTION_REWARD), 9, 9)} SOL, and the position's rent`,
                ],
              ]}
            />
          )}
          {publicKey ? (
            <button
              type="button"
              className={`button wide ${sideName}`}
              disabled={!canSend}
              onClick={() => void submit()}
              data-testid="trade-submit"
            >
              {submitText}
            </button>
          ) : (
            <ConnectButton testId="trade-connect" />
          )}
          <p className="muted small">
            Longs post the market asset or a stable coin, shorts a stable coin. Profits are paid in the collateral asset
            from tokens the pool reserves at open; the reserve pays the borrow rate. Idle collateral earns the pool's
            supply rate.
          </p>
        </Card>
      </div>
    </div>
  );
}
