/**
 * The trader's open positions (size, collateral, entry and mark, PnL, interest,
 * liquidation price) with their management: partial or full close, collateral
 * in and out, and take-profit / stop-loss orders.
 */
import { useWallet } from "@solana/wallet-adapter-react";
import BN from "bn.js";
import { useMemo, useState } from "react";

import {
  MAX_ORDERS,
  MIN_EXECUTION_REWARD,
  OrderKind,
  Side,
  addCollateralIx,
  cancelOrderIx,
  decreasePositionIx,
  liquidationPrice,
  math,
  placeOrderIx,
  positionAfterDecrease,
  orderTriggered,
  positionInfo,
  positionInterest,
  pricedCustody,
  quoteDecreasePosition,
  removeCollateralIx,
} from "@perpool/sdk";
import type { OwnedOrder, OwnedPosition } from "../hooks/usePositions";
import { lessSlippage, parseAmount, plusSlippage, toInputText } from "../lib/amount";
import { explainError } from "../lib/errors";
import { formatLeverage, formatPrice, formatSignedUsd, formatUnits, formatUsd } from "../lib/format";
import { ensureAccountIxs } from "../lib/tokens";
import { useAccount } from "../state/account";
import { usePool } from "../state/pool";
import { useTx } from "../state/tx";
import { AmountInput } from "./AmountInput";
import { Rows, Segmented, SlippageSetting } from "./ui";

type Action = "close" | "collateral" | "orders";

export function PositionsPanel({
  positions,
  orders,
  focus,
  onFocus,
  onChanged,
}: {
  positions: OwnedPosition[];
  orders: OwnedOrder[];
  focus: string | null;
  onFocus(address: string | null): void;
  onChanged(): void;
}) {
  const { state, now } = usePool();
  const { publicKey } = useWallet();
  const [action, setAction] = useState<Action>("close");
  const selected = positions.find((p) => p.address.toBase58() === focus) ?? null;

  if (!publicKey) return <p className="muted">Connect a wallet to see your positions.</p>;
  if (!state) return null;

  return (
    <div className="positions">
      {positions.length === 0 ? (
        <p className="muted" data-testid="no-positions">
          No open positions.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="cards" data-testid="positions-table">
            <thead>
              <tr>
                <th>Position</th>
                <th>Size</th>
                <th>Collateral</th>
                <th>Entry / mark</th>
                <th>PnL</th>
                <th>Interest</th>
                <th>Liq. price</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {positions.map((p) => (
                <PositionRow
                  key={p.address.toBase58()}
                  p={p}
                  orders={orders.filter((o) => o.account.position.equals(p.address)).length}
                  selected={p.address.toBase58() === focus}
                  onAction={(a) => {
                    setAction(a);
                    onFocus(p.address.toBase58());
                  }}
                  now={now}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && (
        <div className="manage" data-testid="manage-panel">
          <div className="manage-head">
            <strong>
              {selected.market.symbol} {selected.account.side === Side.LONG ? "long" : "short"} ·{" "}
              {selected.collateral.symbol} collateral
            </strong>
            <Segmented<Action>
              value={action}
              onChange={setAction}
              testId="manage-action"
              options={[
                ["close", "Close"],
                ["collateral", "Collateral"],
                ["orders", "TP / SL"],
              ]}
            />
            <button type="button" className="link" onClick={() => onFocus(null)}>
              Done
            </button>
          </div>
          {action === "close" && <ClosePanel key={`c${focus}`} p={selected} onChanged={onChanged} />}
          {action === "collateral" && <CollateralPanel key={`k${focus}`} p={selected} onChanged={onChanged} />}
          {action === "orders" && (
            <OrdersPanel
              key={`o${focus}`}
              p={selected}
              orders={orders.filter((o) => o.account.position.equals(selected.address))}
              onChanged={onChanged}
            />
          )}
        </div>
      )}
    </div>
  );
}

function PositionRow({
  p,
  orders,
  selected,
  onAction,
  now,
}: {
  p: OwnedPosition;
  orders: number;
  selected: boolean;
  onAction(a: Action): void;
  now: BN;
}) {
  const { state } = usePool();
  const info = useMemo(() => {
    if (!state) return null;
    try {
      const i = positionInfo(state, p.account, now);
      const collPrice = pricedCustody(state, p.collateral.custody, now).price;
      const collUsd = math.tokenToUsdFloor(p.account.collateralAmount, collPrice.min, p.collateral.decimals);
      const leverageBps = collUsd.isZero() ? null : p.account.sizeUsd.muln(10_000).div(collUsd);
      const interest = positionInterest(state, p.account, now);
      return { ...i, collUsd, leverageBps, interest, error: null as string | null };
    } catch (e) {
      return { error: explainError(e) };
    }
  }, [state, p, now]);
  const long = p.account.side === Side.LONG;
  const a = p.account;
  const interestTokens = a.interestSettled;
  return (
    <tr
      data-testid="position-row"
      data-market={p.market.symbol}
      data-side={long ? "long" : "short"}
      className={selected ? "selected" : ""}
    >
      <td data-label="Position">
        <strong>{p.market.symbol}</strong>{" "}
        <span className={long ? "long-text" : "short-text"}>{long ? "Long" : "Short"}</span>
        {info && "leverageBps" in info && info.leverageBps && (
          <span className="muted"> {formatLeverage(info.leverageBps)}</span>
        )}
        {orders > 0 && <div className="muted small">{orders} order(s)</div>}
      </td>
      <td data-label="Size" data-testid="pos-size" data-usd={a.sizeUsd.toString()}>
        {formatUsd(a.sizeUsd)}
        <div className="muted small">
          {formatUnits(a.sizeTokens, p.market.decimals, 6)} {p.market.symbol}
        </div>
      </td>
      <td data-label="Collateral">
        {formatUnits(a.collateralAmount, p.collateral.decimals, 4)} {p.collateral.symbol}
        {info && "collUsd" in info && info.collUsd && <div className="muted small">{formatUsd(info.collUsd)}</div>}
      </td>
      <td data-label="Entry / mark">
        {formatPrice(a.entryPrice)}
        {info && "exitPrice" in info && info.exitPrice && (
          <div className="muted small">{formatPrice(info.exitPrice)}</div>
        )}
      </td>
      <td data-label="PnL" data-testid="pos-pnl">
        {info && "pnlUsd" in info && info.pnlUsd ? (
          <span className={info.pnlUsd.isNeg() ? "short-text" : "long-text"}>{formatSignedUsd(info.pnlUsd)}</span>
        ) : (
          "–"
        )}
        {!a.realizedPnlUsd.isZero() && <div className="muted small">realized {formatSignedUsd(a.realizedPnlUsd)}</div>}
      </td>
      <td data-label="Interest" data-testid="pos-interest">
        <span title="Interest settled into the collateral so far: earned on collateral and on unrealized profit, paid on unrealized loss">
          {interestTokens.isNeg() ? "paid " : "earned "}
          {formatUnits(interestTokens.abs(), p.collateral.decimals, 6)} {p.collateral.symbol}
        </span>
        {info && "interest" in info && info.interest && (
          <div className="muted small">
            pending: {formatUnits(info.interest.pendingOnCollateral, p.collateral.decimals, 6)} on collateral,{" "}
            {info.interest.pendingOnPnl.isNeg() ? "−" : "+"}
            {formatUnits(info.interest.pendingOnPnl.abs(), p.collateral.decimals, 6)} on PnL
          </div>
        )}
        {info && "borrowFeeTokens" in info && info.borrowFeeTokens && (
          <div className="muted small">
            borrow fee due {formatUnits(info.borrowFeeTokens, p.collateral.decimals, 6)} {p.collateral.symbol}
          </div>
        )}
        {info && "pendingFundingUsd" in info && info.pendingFundingUsd && !info.pendingFundingUsd.isZero() && (
          <div className="muted small">funding due {formatSignedUsd(info.pendingFundingUsd)}</div>
        )}
      </td>
      <td data-label="Liq. price" data-testid="pos-liq">
        {info && "liquidationPrice" in info
          ? info.liquidationPrice
            ? formatPrice(info.liquidationPrice)
            : "none"
          : info?.error}
      </td>
      <td className="actions">
        <button
          type="button"
          className="button small secondary"
          onClick={() => onAction("close")}
          data-testid="pos-close"
        >
          Close
        </button>
        <button
          type="button"
          className="button small secondary"
          onClick={() => onAction("collateral")}
          data-testid="pos-collateral"
        >
          Collateral
        </button>
        <button
          type="button"
          className="button small secondary"
          onClick={() => onAction("orders")}
          data-testid="pos-orders"
        >
          TP/SL
        </button>
      </td>
    </tr>
  );
}

function ClosePanel({ p, onChanged }: { p: OwnedPosition; onChanged(): void }) {
  const { program, state, now } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const tx = useTx();
  const [text, setText] = useState("");
  const [slippageBps, setSlippageBps] = useState(50);
  // Like GMX: a partial close keeps the leverage unless the trader says otherwise.
  const [keepLeverage, setKeepLeverage] = useState(true);
  const a = p.account;
  const parsed = parseAmount(text, { decimals: 6, symbol: "USD", max: a.sizeUsd, maxLabel: "the position's size" });
  const holding = account.holding(p.collateral.mint);
  // Keeping the leverage withdraws the same fraction of the collateral as of the size (a full close returns everything anyway).
  const collateralOut =
    keepLeverage && parsed.kind === "ok" && parsed.value.lt(a.sizeUsd)
      ? a.collateralAmount.mul(parsed.value).div(a.sizeUsd)
      : new BN(0);

  const quote = useMemo(() => {
    if (!state || parsed.kind !== "ok") return null;
    try {
      const q = quoteDecreasePosition(state, a, parsed.value, collateralOut, now);
      const liq = q.fullClose ? null : liquidationPrice(state, positionAfterDecrease(state, now, a, q), now);
      const acceptable =
        a.side === Side.LONG ? lessSlippage(q.exitPrice, slippageBps) : plusSlippage(q.exitPrice, slippageBps);
      return { ok: true as const, q, liq, acceptable };
    } catch (e) {
      return { ok: false as const, error: explainError(e) };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the amounts' values (a BN compares by reference)
  }, [state, a, parsed.kind === "ok" ? parsed.value.toString() : "", collateralOut.toString(), now, slippageBps]);

  const pct = (n: number) => setText(toInputText(a.sizeUsd.muln(n).divn(100), 6));
  const submit = async () => {
    if (!publicKey || !state || !quote?.ok || parsed.kind !== "ok" || !holding) return;
    const snapshot = state;
    const q = quote;
    const ok = await tx.send(
      `${q.q.fullClose ? "Close" : "Reduce"} ${p.market.symbol} ${a.side === Side.LONG ? "long" : "short"} by ${formatUsd(parsed.value)}`,
      async () => [
        ...ensureAccountIxs(publicKey, publicKey, holding),
        await decreasePositionIx(program, snapshot, {
          position: a,
          receivingAccount: holding.account,
          sizeUsd: parsed.value,
          collateralOut,
          acceptablePrice: q.acceptable,
        }),
      ],
    );
    if (ok) {
      setText("");
      onChanged();
    }
  };

  return (
    <div className="panel">
      <div className="chips">
        {[25, 50, 75, 100].map((n) => (
          <button key={n} type="button" className="chip" onClick={() => pct(n)} data-testid={`close-pct-${n}`}>
            {n}%
          </button>
        ))}
      </div>
      <AmountInput
        id="close-size"
        label="Size to close"
        value={text}
        onChange={setText}
        symbol="USD"
        decimals={6}
        balance={a.sizeUsd}
        balanceLabel="Position size"
        error={parsed.kind === "error" ? parsed.error : quote && !quote.ok ? quote.error : null}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={keepLeverage}
          onChange={(e) => setKeepLeverage(e.target.checked)}
          data-testid="close-keep-leverage"
        />
        Keep leverage: also withdraw{" "}
        {collateralOut.isZero()
          ? "collateral"
          : `${formatUnits(collateralOut, p.collateral.decimals, 6)} ${p.collateral.symbol}`}{" "}
        in proportion
      </label>
      <SlippageSetting bps={slippageBps} onChange={setSlippageBps} />
      {quote?.ok && (
        <Rows
          testId="close-quote"
          rows={[
            [
              "You receive",
              <strong key="out">{`${formatUnits(quote.q.amountOut, p.collateral.decimals, 6)} ${p.collateral.symbol}`}</strong>,
              "close-out",
            ],
            ["Exit price", formatPrice(quote.q.exitPrice)],
            ["Realized PnL", formatSignedUsd(quote.q.pnlProfit ? quote.q.pnlUsd : quote.q.pnlUsd.neg())],
            ["Close fee", formatUsd(quote.q.feeUsd)],
            ["Borrow fee", `${formatUnits(quote.q.borrowFeeTokens, p.collateral.decimals, 6)} ${p.collateral.symbol}`],
            ["Size after", quote.q.fullClose ? "closed" : formatUsd(quote.q.sizeUsdAfter)],
            [
              "Collateral after",
              quote.q.fullClose
                ? "–"
                : `${formatUnits(quote.q.collateralAfter, p.collateral.decimals, 6)} ${p.collateral.symbol}`,
            ],
            ["Liquidation price after", quote.q.fullClose ? "–" : quote.liq ? formatPrice(quote.liq) : "none"],
          ]}
        />
      )}
      <button
        type="button"
        className="button"
        disabled={!quote?.ok || tx.busy}
        onClick={() => void submit()}
        data-testid="close-submit"
      >
        {quote?.ok && quote.q.fullClose ? "Close position" : "Reduce position"}
      </button>
    </div>
  );
}

function CollateralPanel({ p, onChanged }: { p: OwnedPosition; onChanged(): void }) {
  const { program, state, now } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const tx = useTx();
  const [mode, setMode] = useState<"add" | "remove">("add");
  const [text, setText] = useState("");
  const a = p.account;
  const holding = account.holding(p.collateral.mint);
  const parsed = parseAmount(text, {
    decimals: p.collateral.decimals,
    symbol: p.collateral.symbol,
    max: mode === "add" ? (holding?.amount ?? new BN(0)) : a.collateralAmount,
    maxLabel: mode === "add" ? "your balance" : "the position's collateral",
  });

  const quote = useMemo(() => {
    if (!state || parsed.kind !== "ok") return null;
    try {
      if (mode === "remove") {
        const q = quoteDecreasePosition(state, a, new BN(0), parsed.value, now);
        return {
          ok: true as const,
          collateralAfter: q.collateralAfter,
          liq: liquidationPrice(state, positionAfterDecrease(state, now, a, q), now),
        };
      }
      const after = { ...a, collateralAmount: a.collateralAmount.add(parsed.value) };
      return { ok: true as const, collateralAfter: after.collateralAmount, liq: liquidationPrice(state, after, now) };
    } catch (e) {
      return { ok: false as const, error: explainError(e) };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the amount's value (a BN compares by reference)
  }, [state, a, mode, parsed.kind === "ok" ? parsed.value.toString() : "", now]);

  const submit = async () => {
    if (!publicKey || !state || parsed.kind !== "ok" || !quote?.ok || !holding) return;
    const snapshot = state;
    const ok = await tx.send(
      `${mode === "add" ? "Add" : "Remove"} ${text} ${p.collateral.symbol} collateral`,
      async () =>
        mode === "add"
          ? [
              await addCollateralIx(program, snapshot, {
                position: a,
                fundingAccount: holding.account,
                amount: parsed.value,
              }),
            ]
          : [
              ...ensureAccountIxs(publicKey, publicKey, holding),
              await removeCollateralIx(program, snapshot, {
                position: a,
                receivingAccount: holding.account,
                amount: parsed.value,
              }),
            ],
    );
    if (ok) {
      setText("");
      onChanged();
    }
  };

  return (
    <div className="panel">
      <Segmented<"add" | "remove">
        value={mode}
        onChange={(m) => {
          setMode(m);
          setText("");
        }}
        options={[
          ["add", "Add"],
          ["remove", "Remove"],
        ]}
      />
      <AmountInput
        id="collateral-amount"
        label={mode === "add" ? "Add collateral" : "Withdraw collateral"}
        value={text}
        onChange={setText}
        symbol={p.collateral.symbol}
        decimals={p.collateral.decimals}
        balance={mode === "add" ? (holding?.amount ?? null) : a.collateralAmount}
        balanceLabel={mode === "add" ? "Balance" : "In the position"}
        error={parsed.kind === "error" ? parsed.error : quote && !quote.ok ? quote.error : null}
      />
      {quote?.ok && (
        <Rows
          rows={[
            [
              "Collateral after",
              `${formatUnits(quote.collateralAfter, p.collateral.decimals, 6)} ${p.collateral.symbol}`,
            ],
            ["Liquidation price after", quote.liq ? formatPrice(quote.liq) : "none"],
          ]}
        />
      )}
      {mode === "add" && (
        <p className="muted small">Interest and the borrow fee due are settled first, as the program does.</p>
      )}
      <button
        type="button"
        className="button"
        disabled={!quote?.ok || tx.busy}
        onClick={() => void submit()}
        data-testid="collateral-submit"
      >
        {mode === "add" ? "Add collateral" : "Withdraw collateral"}
      </button>
    </div>
  );
}

function OrdersPanel({ p, orders, onChanged }: { p: OwnedPosition; orders: OwnedOrder[]; onChanged(): void }) {
  const { program, state, now } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const tx = useTx();
  const [kind, setKind] = useState<"tp" | "sl">("tp");
  const [priceText, setPriceText] = useState("");
  const [sizeText, setSizeText] = useState("");
  const long = p.account.side === Side.LONG;
  const holding = account.holding(p.collateral.mint);
  const price = parseAmount(priceText, { decimals: 9, symbol: "USD" });
  const size =
    sizeText.trim() === ""
      ? ({ kind: "ok", value: new BN(0) } as const)
      : parseAmount(sizeText, { decimals: 6, symbol: "USD", max: p.account.sizeUsd, maxLabel: "the position's size" });
  const usedSlots = new Set(orders.map((o) => o.account.slot));
  const freeSlot = Array.from({ length: MAX_ORDERS }, (_, i) => i).find((i) => !usedSlots.has(i));

  // As the program: any positive trigger is accepted. One the oracle price has already crossed executes at once: say so.
  const priceError: string | null = price.kind === "error" ? price.error : null;
  let spot: BN | null = null;
  try {
    spot = state ? pricedCustody(state, p.account.custody, now).price.spot : null;
  } catch {
    spot = null;
  }
  const orderKind = kind === "tp" ? OrderKind.TAKE_PROFIT : OrderKind.STOP_LOSS;
  const priceWarning =
    price.kind === "ok" &&
    spot !== null &&
    orderTriggered({ kind: orderKind, side: p.account.side, triggerPrice: price.value }, spot)
      ? `The oracle price (${formatPrice(spot)}) is already ${(kind === "tp") === long ? "at or above" : "at or below"} this trigger: a keeper would execute it right away.`
      : null;

  const submit = async () => {
    if (
      !publicKey ||
      !state ||
      price.kind !== "ok" ||
      size.kind !== "ok" ||
      priceError ||
      freeSlot === undefined ||
      !holding
    )
      return;
    const snapshot = state;
    const ok = await tx.send(
      `Place ${kind === "tp" ? "take-profit" : "stop-loss"} at ${formatPrice(price.value)}`,
      async () => [
        await placeOrderIx(program, snapshot, {
          owner: publicKey,
          side: p.account.side,
          custody: p.account.custody,
          collateralCustody: p.account.collateralCustody,
          fundingAccount: holding.account,
          slot: freeSlot,
          kind: kind === "tp" ? OrderKind.TAKE_PROFIT : OrderKind.STOP_LOSS,
          triggerPrice: price.value,
          acceptablePrice: new BN(0),
          sizeUsd: size.value,
          collateralAmount: new BN(0),
          executionReward: new BN(MIN_EXECUTION_REWARD),
        }),
      ],
    );
    if (ok) {
      setPriceText("");
      setSizeText("");
      onChanged();
    }
  };

  const cancel = async (o: OwnedOrder) => {
    if (!publicKey || !state || !holding) return;
    const snapshot = state;
    const ok = await tx.send(`Cancel order at ${formatPrice(o.account.triggerPrice)}`, async () => [
      ...ensureAccountIxs(publicKey, publicKey, holding),
      await cancelOrderIx(program, snapshot, {
        order: o.address,
        account: o.account,
        receivingAccount: holding.account,
      }),
    ]);
    if (ok) onChanged();
  };

  return (
    <div className="panel">
      {orders.length > 0 && (
        <table className="compact cards" data-testid="orders-table">
          <tbody>
            {orders.map((o) => (
              <tr key={o.address.toBase58()} data-testid="order-row">
                <td data-label="Kind">
                  {o.account.kind === OrderKind.TAKE_PROFIT
                    ? "Take-profit"
                    : o.account.kind === OrderKind.STOP_LOSS
                      ? "Stop-loss"
                      : "Limit"}
                </td>
                <td data-label="Trigger">at {formatPrice(o.account.triggerPrice)}</td>
                <td data-label="Size">
                  {o.account.sizeUsd.isZero() ? "whole position" : formatUsd(o.account.sizeUsd)}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="button small secondary"
                    onClick={() => void cancel(o)}
                    disabled={tx.busy}
                    data-testid="order-cancel"
                  >
                    Cancel
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Segmented<"tp" | "sl">
        value={kind}
        onChange={setKind}
        options={[
          ["tp", "Take-profit"],
          ["sl", "Stop-loss"],
        ]}
      />
      <AmountInput
        id="order-price"
        label="Trigger price (oracle)"
        value={priceText}
        onChange={setPriceText}
        symbol="USD"
        decimals={9}
        error={priceError}
        warning={priceWarning}
      />
      {spot && (
        <p className="muted small">
          Now {formatPrice(spot)} · entry {formatPrice(p.account.entryPrice)}. A {long ? "long" : "short"}'s take-profit
          fires at or {long ? "above" : "below"} its trigger, its stop-loss at or {long ? "below" : "above"} (a stop
          above the entry locks in profit).
        </p>
      )}
      <AmountInput
        id="order-size"
        label="Size to close (empty: all)"
        value={sizeText}
        onChange={setSizeText}
        symbol="USD"
        decimals={6}
        balance={p.account.sizeUsd}
        balanceLabel="Position size"
        error={size.kind === "error" ? size.error : null}
      />
      <p className="muted small">
        A keeper executes the order when the oracle price crosses the trigger;{" "}
        {formatUnits(new BN(MIN_EXECUTION_REWARD), 9, 9)} SOL is prepaid as its reward and returned if you cancel.
      </p>
      <button
        type="button"
        className="button"
        disabled={
          !publicKey || price.kind !== "ok" || size.kind !== "ok" || !!priceError || freeSlot === undefined || tx.busy
        }
        onClick={() => void submit()}
        data-testid="order-submit"
      >
        {freeSlot === undefined ? "All order slots are used" : `Place ${kind === "tp" ? "take-profit" : "stop-loss"}`}
      </button>
    </div>
  );
}
