/** A loan's health factor in its colour band; "before → after" when both are given. */
import type { HealthBand } from "@perpool/sdk";

export function Health({ value, band, testId }: { value: number | null; band: HealthBand; testId?: string }) {
  return (
    <span className={`health-badge ${band}`} data-testid={testId} data-band={band}>
      {value === null ? "no debt" : value >= 100 ? "> 100" : value.toFixed(2)}
    </span>
  );
}

export function HealthChange({
  before,
  after,
  testId,
}: {
  before: { health: number | null; band: HealthBand } | null;
  after: { health: number | null; band: HealthBand };
  testId?: string;
}) {
  return (
    <span className="health-change" data-testid={testId}>
      {before ? <Health value={before.health} band={before.band} /> : <span className="muted">new</span>} →{" "}
      <Health value={after.health} band={after.band} testId={testId ? `${testId}-after` : undefined} />
    </span>
  );
}
