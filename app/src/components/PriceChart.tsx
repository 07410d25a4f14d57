/**
 * Candles of a market's oracle price (TradingView's lightweight-charts):
 * timeframes, a crosshair, and entry / liquidation / take-profit / stop-loss
 * as price lines. Price lines are left out of the autoscale, so a far-away
 * liquidation price never squashes the candles; its label stays on the axis.
 */
import BN from "bn.js";
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  LineStyle,
  createChart,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useMemo, useRef, useState } from "react";

import { CANDLE_TIMEFRAMES, buildCandles, type PriceTick } from "@perpool/sdk";
import { toFloat } from "../lib/format";

export interface PriceLine {
  label: string;
  color: string;
  /** 9-decimal price. */
  price: BN;
}

const localTime = (t: number) =>
  new Date(t * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function PriceChart({
  ticks,
  lines,
  loading,
  testId,
}: {
  ticks: PriceTick[];
  lines: PriceLine[];
  loading: boolean;
  testId?: string;
}) {
  const [frame, setFrame] = useState(CANDLE_TIMEFRAMES[0].seconds);
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const priceLines = useRef<IPriceLine[]>([]);
  const candles = useMemo(() => buildCandles(ticks, frame), [ticks, frame]);

  useEffect(() => {
    if (!box.current) return;
    const c = createChart(box.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "#171c2c" }, textColor: "#c3cad9", fontSize: 12 },
      grid: { vertLines: { color: "#232a3d" }, horzLines: { color: "#232a3d" } },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: "#2a3147", scaleMargins: { top: 0.12, bottom: 0.12 } },
      timeScale: { borderColor: "#2a3147", timeVisible: true, secondsVisible: true, rightOffset: 3 },
      localization: {
        timeFormatter: (t: number) => localTime(t),
        priceFormatter: (p: number) => "$" + (p >= 1000 ? p.toFixed(2) : p >= 1 ? p.toFixed(3) : p.toFixed(5)),
      },
    });
    c.applyOptions({ timeScale: { tickMarkFormatter: (t: number) => localTime(t).slice(0, 5) } });
    series.current = c.addSeries(CandlestickSeries, {
      upColor: "#2fbf71",
      downColor: "#ff5b6e",
      borderVisible: false,
      wickUpColor: "#2fbf71",
      wickDownColor: "#ff5b6e",
      priceFormat: { type: "price", precision: 3, minMove: 0.001 },
    });
    chart.current = c;
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
      priceLines.current = [];
    };
  }, []);

  useEffect(() => {
    series.current?.setData(
      candles.map((k) => ({
        time: k.time as UTCTimestamp,
        open: toFloat(k.open, 9),
        high: toFloat(k.high, 9),
        low: toFloat(k.low, 9),
        close: toFloat(k.close, 9),
      })),
    );
  }, [candles]);

  const linesKey = lines.map((l) => `${l.label}:${l.price.toString()}`).join(",");
  useEffect(() => {
    const s = series.current;
    if (!s) return;
    for (const l of priceLines.current) s.removePriceLine(l);
    priceLines.current = lines.map((l) =>
      s.createPriceLine({
        price: toFloat(l.price, 9),
        color: l.color,
        lineWidth: 1,
        lineStyle: LineStyle.Dashed,
        axisLabelVisible: true,
        title: l.label,
      }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [linesKey]);

  return (
    <div
      className="price-chart"
      data-testid={testId}
      data-candles={candles.length}
      data-lines={lines.map((l) => l.label).join(",")}
    >
      <div className="chips" role="tablist" aria-label="Timeframe">
        {CANDLE_TIMEFRAMES.map((t) => (
          <button
            key={t.seconds}
            type="button"
            role="tab"
            aria-selected={t.seconds === frame}
            className={`chip ${t.seconds === frame ? "active" : ""}`}
            onClick={() => setFrame(t.seconds)}
          >
            {t.label}
          </button>
        ))}
        {loading && <span className="muted small">Reading past prices…</span>}
      </div>
      <div className="chart-box" ref={box} />
    </div>
  );
}
