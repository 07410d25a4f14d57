/** Small building blocks shared by the pages. */
import type { ReactNode } from "react";

import type { Asset } from "../state/pool";

export function Stat({
  label,
  value,
  sub,
  testId,
}: {
  label: string;
  value: ReactNode;
  sub?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId}>
        {value}
      </div>
      {sub != null && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

/** Label / value rows, e.g. a quote. */
export function Rows({ rows, testId }: { rows: [ReactNode, ReactNode, string?][]; testId?: string }) {
  return (
    <dl className="rows" data-testid={testId}>
      {rows.map(([k, v, id], i) => (
        <div className="row" key={i}>
          <dt>{k}</dt>
          <dd data-testid={id}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function AssetSelect({
  id,
  label,
  assets,
  value,
  onChange,
}: {
  id: string;
  label: string;
  assets: Asset[];
  value: string;
  onChange(custody: string): void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {assets.map((a) => (
          <option key={a.custody.toBase58()} value={a.custody.toBase58()}>
            {a.symbol}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Segmented<T extends string>({
  value,
  options,
  onChange,
  testId,
}: {
  value: T;
  options: [T, string][];
  onChange(v: T): void;
  testId?: string;
}) {
  return (
    <div className="segmented" role="tablist" data-testid={testId}>
      {options.map(([v, text]) => (
        <button
          key={v}
          type="button"
          role="tab"
          aria-selected={v === value}
          className={v === value ? "active" : ""}
          onClick={() => onChange(v)}
        >
          {text}
        </button>
      ))}
    </div>
  );
}

export function Notice({
  kind = "info",
  children,
  testId,
}: {
  kind?: "info" | "warn" | "error";
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className={`notice ${kind}`} data-testid={testId} role={kind === "error" ? "alert" : undefined}>
      {children}
    </div>
  );
}

export function Card({
  title,
  children,
  actions,
  className,
}: {
  title?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${className ?? ""}`}>
      {(title || actions) && (
        <header className="card-head">
          {title && <h2>{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

/** Slippage tolerance in bps, chosen from presets or typed. */
export function SlippageSetting({ bps, onChange }: { bps: number; onChange(bps: number): void }) {
  const presets = [10, 50, 100];
  return (
    <div className="slippage">
      <span className="muted">Slippage</span>
      {presets.map((p) => (
        <button key={p} type="button" className={`chip ${p === bps ? "active" : ""}`} onClick={() => onChange(p)}>
          {(p / 100).toFixed(p < 100 ? 1 : 0)}%
        </button>
      ))}
      <input
        className="chip-input"
        aria-label="Slippage in percent"
        type="number"
        min={0}
        max={50}
        step={0.1}
        value={bps / 100}
        onChange={(e) => {
          const v = Math.round(Number(e.target.value) * 100);
          if (Number.isFinite(v) && v >= 0 && v <= 5_000) onChange(v);
        }}
      />
      <span className="muted">%</span>
      {bps > 500 && (
        <span className="warn-text" data-testid="slippage-warning">
          Above 5 %: the price may move far against you before the transaction lands.
        </span>
      )}
    </div>
  );
}
