/** A token amount field: balance, a Max button, and the reason a typed amount is refused. */
import type BN from "bn.js";

import { toInputText } from "../lib/amount";
import { formatUnits } from "../lib/format";

export interface AmountInputProps {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  symbol: string;
  decimals: number;
  /** Shown beside the label and used by Max. */
  balance?: BN | null;
  balanceLabel?: string;
  /** What Max fills in (default: the balance). */
  max?: BN | null;
  error?: string | null;
  /** Shown when the amount is accepted but worth a second look. */
  warning?: string | null;
}

export function AmountInput(p: AmountInputProps) {
  const max = p.max ?? p.balance ?? null;
  return (
    <div className="field">
      <div className="field-head">
        <label htmlFor={p.id}>{p.label}</label>
        {p.balance != null && (
          <span className="muted" data-testid={`${p.id}-balance`}>
            {p.balanceLabel ?? "Balance"}: {formatUnits(p.balance, p.decimals)} {p.symbol}
          </span>
        )}
      </div>
      <div className={`amount ${p.error ? "invalid" : ""}`}>
        <input
          id={p.id}
          data-testid={p.id}
          inputMode="decimal"
          autoComplete="off"
          placeholder="0.0"
          value={p.value}
          onChange={(e) => p.onChange(e.target.value)}
          aria-invalid={p.error ? true : undefined}
          aria-describedby={p.error ? `${p.id}-error` : undefined}
        />
        <span className="unit">{p.symbol}</span>
        {max && !max.isZero() && (
          <button type="button" className="link" onClick={() => p.onChange(toInputText(max, p.decimals))}>
            Max
          </button>
        )}
      </div>
      {p.error && (
        <div className="error-text" id={`${p.id}-error`} data-testid={`${p.id}-error`} role="alert">
          {p.error}
        </div>
      )}
      {!p.error && p.warning && (
        <div className="warn-text" data-testid={`${p.id}-warning`}>
          {p.warning}
        </div>
      )}
    </div>
  );
}
