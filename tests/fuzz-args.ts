/**
 * The command line of the two long fuzz runs (`npm run fuzz`, `npm run fuzz:adversarial`):
 * `--seed N` (replay one seed), `--seeds A-B` (a range), `--steps N` (per seed), `--help`.
 * Anything else, or a value that is not a whole number, is refused with the usage.
 */
export interface FuzzArgs {
  seeds: number[];
  steps: number;
}

export class FuzzUsageError extends Error {}

/** Reads `argv` (the arguments after the script); `null` when `--help` was asked for. */
export function parseFuzzArgs(argv: string[], defaults: { seeds: [number, number]; steps: number }): FuzzArgs | null {
  const usage = (why: string) => new FuzzUsageError(`${why}\n${usageLine(defaults)}`);
  const whole = (flag: string, text: string | undefined, min: number): number => {
    if (text === undefined || !/^\d+$/.test(text) || Number(text) < min)
      throw usage(`${said(flag, text)}: expected a whole number${min > 0 ? ` of at least ${min}` : ""}`);
    return Number(text);
  };
  let seeds: number[] | undefined;
  let steps = defaults.steps;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--help" || flag === "-h") return null;
    if (flag === "--steps") steps = whole(flag, argv[++i], 1);
    else if (flag === "--seed") {
      if (seeds) throw usage("give one of --seed and --seeds, once");
      seeds = [whole(flag, argv[++i], 0)];
    } else if (flag === "--seeds") {
      if (seeds) throw usage("give one of --seed and --seeds, once");
      const text = argv[++i];
      const m = /^(\d+)-(\d+)$/.exec(text ?? "");
      if (!m || Number(m[1]) > Number(m[2])) throw usage(`${said(flag, text)}: expected a range A-B with A <= B`);
      seeds = range(Number(m[1]), Number(m[2]));
    } else throw usage(`unknown argument ${flag}`);
  }
  return { seeds: seeds ?? range(...defaults.seeds), steps };
}

function usageLine(defaults: { seeds: [number, number]; steps: number }): string {
  const [lo, hi] = defaults.seeds;
  return `usage: [--seed N | --seeds A-B] [--steps N]  (default: seeds ${lo}-${hi}, ${defaults.steps} steps each)`;
}

/** A flag as given, with its value when there was one. */
function said(flag: string, text: string | undefined): string {
  return text === undefined ? flag : `${flag} ${text}`;
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/** Parses `process.argv` for a fuzz script; prints the usage and exits (0 for `--help`, 2 for bad input). */
export function fuzzArgsOrExit(defaults: { seeds: [number, number]; steps: number }): FuzzArgs {
  try {
    const args = parseFuzzArgs(process.argv.slice(2), defaults);
    if (args) return args;
    console.log(usageLine(defaults));
    process.exit(0);
  } catch (e) {
    if (!(e instanceof FuzzUsageError)) throw e;
    console.error(e.message);
    process.exit(2);
  }
}
