/**
 * A small command-line parser shared by `perpool` and `perpool-keeper`:
 * `--name value`, `--name=value`, boolean `--flag`, positionals, `--` ends
 * the options. Unknown options and missing values are usage errors.
 */
import { at } from "../util";

/** A command-line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface OptionSpec {
  /** Without the leading dashes, e.g. "dry-run". */
  name: string;
  /** A flag takes no value. */
  flag?: boolean;
  /** Shown by `--help`. */
  help: string;
  /** Value placeholder in `--help`, e.g. "N". */
  value?: string;
}

export interface ParsedArgs {
  options: Map<string, string | true>;
  positionals: string[];
}

export function parseArgs(argv: string[], specs: OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = at(argv, i);
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h") {
      options.set("help", true);
      continue;
    }
    if (!arg.startsWith("--")) {
      // "-x" is a mistyped option; "-5" stays a value so that it is refused with a clear message later.
      if (/^-[a-zA-Z]/.test(arg)) throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (spec.flag) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      // A following option is not a value (a negative number is, and is refused later with a clear message).
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
      i++;
    }
    options.set(name, value);
  }
  return { options, positionals };
}

/** Typed access to parsed options. */
export class Args {
  constructor(readonly parsed: ParsedArgs) {}

  has(name: string): boolean {
    return this.parsed.options.has(name);
  }

  flag(name: string): boolean {
    return this.parsed.options.get(name) === true;
  }

  str(name: string): string | undefined {
    const v = this.parsed.options.get(name);
    return typeof v === "string" ? v : undefined;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v.trim() === "") throw new UsageError(`--${name} is required`);
    return v;
  }

  /** A non-negative integer option (e.g. milliseconds). */
  int(name: string, fallback: number, min = 0): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${name} must be a whole number, not "${v}"`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be at least ${min}`);
    return n;
  }

  /** One of `choices` (case-insensitive). */
  choice<T extends string>(name: string, choices: readonly T[], fallback?: T): T {
    const v = this.str(name);
    if (v === undefined) {
      if (fallback === undefined) throw new UsageError(`--${name} is required (${choices.join(" | ")})`);
      return fallback;
    }
    const found = choices.find((c) => c === v.toLowerCase());
    if (!found) throw new UsageError(`--${name} must be one of ${choices.join(", ")}, not "${v}"`);
    return found;
  }
}

/** `--help` text of a list of options. */
export function optionsHelp(specs: OptionSpec[]): string {
  const left = specs.map((s) => `--${s.name}${s.flag ? "" : ` ${s.value ?? "VALUE"}`}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs.map((s, i) => `  ${at(left, i).padEnd(width)}${s.help}`).join("\n");
}
