/** Plain SVG charts: a time series with reference lines, and weights against targets. */
export interface Point {
  /** Unix seconds. */
  t: number;
  v: number;
}

export interface Series {
  label: string;
  color: string;
  points: Point[];
  dashed?: boolean;
}

export interface RefLine {
  label: string;
  color: string;
  v: number;
}

const W = 640;
const H = 220;
const PAD = { l: 64, r: 96, t: 12, b: 26 };

const clock = (t: number) =>
  new Date(t * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function LineChart({
  series,
  lines = [],
  format,
  testId,
  empty = "No data yet.",
}: {
  series: Series[];
  lines?: RefLine[];
  format(v: number): string;
  testId?: string;
  empty?: string;
}) {
  const pts = series.flatMap((s) => s.points);
  if (pts.length === 0) {
    return (
      <div className="chart-empty" data-testid={testId}>
        {empty}
      </div>
    );
  }
  const ts = pts.map((p) => p.t);
  let t0 = Math.min(...ts);
  let t1 = Math.max(...ts);
  if (t1 === t0) {
    t0 -= 30;
    t1 += 30;
  }
  const vs = [...pts.map((p) => p.v), ...lines.map((l) => l.v)];
  let v0 = Math.min(...vs);
  let v1 = Math.max(...vs);
  const padV = (v1 - v0) * 0.08 || Math.abs(v1) * 0.01 || 1;
  v0 -= padV;
  v1 += padV;
  const x = (t: number) => PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v: number) => PAD.t + (1 - (v - v0) / (v1 - v0)) * (H - PAD.t - PAD.b);
  const ticks = [v1 - padV, (v0 + v1) / 2, v0 + padV];
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" data-testid={testId}>
      {ticks.map((v, i) => (
        <g key={i}>
          <line x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} className="grid" />
          <text x={PAD.l - 6} y={y(v) + 4} textAnchor="end" className="axis">
            {format(v)}
          </text>
        </g>
      ))}
      <text x={PAD.l} y={H - 6} className="axis">
        {clock(t0)}
      </text>
      <text x={W - PAD.r} y={H - 6} textAnchor="end" className="axis">
        {clock(t1)}
      </text>
      {lines.map((l) => (
        <g key={l.label}>
          <line
            x1={PAD.l}
            x2={W - PAD.r}
            y1={y(l.v)}
            y2={y(l.v)}
            stroke={l.color}
            strokeDasharray="5 4"
            strokeWidth={1.5}
          />
          <text x={W - PAD.r + 4} y={y(l.v) + 4} fill={l.color} className="axis">
            {l.label}
          </text>
        </g>
      ))}
      {series.map((s) =>
        s.points.length === 1 ? (
          <circle key={s.label} cx={x(s.points[0].t)} cy={y(s.points[0].v)} r={3.5} fill={s.color} />
        ) : (
          <polyline
            key={s.label}
            fill="none"
            stroke={s.color}
            strokeWidth={2}
            strokeDasharray={s.dashed ? "4 3" : undefined}
            points={s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ")}
          />
        ),
      )}
      {series.flatMap((s) =>
        s.points.map((p, i) => <circle key={`${s.label}-${i}`} cx={x(p.t)} cy={y(p.v)} r={2} fill={s.color} />),
      )}
    </svg>
  );
}

export interface WeightBar {
  label: string;
  /** All in bps. */
  weight: number;
  target: number;
  min: number;
  max: number;
}

/** One row per asset: the current weight as a bar, the allowed band shaded, the target as a tick. */
export function WeightsChart({ bars, testId }: { bars: WeightBar[]; testId?: string }) {
  const rowH = 34;
  const h = bars.length * rowH + 24;
  const left = 70;
  const right = 140;
  const x = (bps: number) => left + (Math.min(Math.max(bps, 0), 10_000) / 10_000) * (W - left - right);
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${h}`} role="img" data-testid={testId}>
      {[0, 2_500, 5_000, 7_500, 10_000].map((b) => (
        <g key={b}>
          <line x1={x(b)} x2={x(b)} y1={4} y2={h - 18} className="grid" />
          <text x={x(b)} y={h - 4} textAnchor="middle" className="axis">
            {b / 100}%
          </text>
        </g>
      ))}
      {bars.map((b, i) => {
        const top = 6 + i * rowH;
        return (
          <g key={b.label}>
            <text x={left - 8} y={top + 17} textAnchor="end" className="axis strong">
              {b.label}
            </text>
            <rect x={x(b.min)} y={top + 2} width={Math.max(x(b.max) - x(b.min), 1)} height={22} className="band" />
            <rect x={x(0)} y={top + 7} width={Math.max(x(b.weight) - x(0), 1)} height={12} className="bar" />
            <line x1={x(b.target)} x2={x(b.target)} y1={top} y2={top + 26} className="target" />
            <text x={W - right + 8} y={top + 17} className="axis">
              {(b.weight / 100).toFixed(1)}% / target {(b.target / 100).toFixed(0)}%
            </text>
          </g>
        );
      })}
    </svg>
  );
}
