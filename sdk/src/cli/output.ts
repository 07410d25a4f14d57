/**
 * What a command prints: aligned "label  value" lines and tables for people,
 * or one JSON document for scripts (`--json`). Values are strings already
 * formatted in human units, so JSON never carries a float.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export class Output {
  constructor(
    readonly json: boolean,
    private readonly write: (text: string) => void = (t) => process.stdout.write(t),
  ) {}

  /** A line for people (nothing in JSON mode). */
  line(text = ""): void {
    if (!this.json) this.write(`${text}\n`);
  }

  /** Aligned `label  value` lines under an optional title (nothing in JSON mode). */
  fields(title: string | null, rows: [string, string][]): void {
    if (this.json) return;
    if (title) this.line(title);
    const width = Math.max(0, ...rows.map(([k]) => k.length)) + 2;
    for (const [k, v] of rows) this.line(`  ${k.padEnd(width)}${v}`);
  }

  /** A table with a header row (nothing in JSON mode). */
  table(header: string[], rows: string[][]): void {
    if (this.json) return;
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const fmt = (r: string[]) =>
      r
        .map((c, i) => (c ?? "").padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd();
    this.line(fmt(header));
    for (const r of rows) this.line(fmt(r));
  }

  /** The command's result document (JSON mode only). */
  result(doc: { [key: string]: Json }): void {
    if (this.json) this.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
}
