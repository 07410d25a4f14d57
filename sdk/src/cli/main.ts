/**
 * `perpool`: the command line for operators and integrators.
 *
 *   perpool pool info [--json]
 *   perpool deposit --asset SOL --amount 1.5
 *   perpool redeem --asset USDC --lp 100
 *   perpool open --market SOL --side long --collateral USDC --amount 100 --size-usd 1000
 *   perpool close --market SOL --side long --collateral USDC [--size-usd 500]
 *   perpool borrow --asset USDC --amount 500 --collateral SOL [--collateral-amount 10]
 *   perpool repay --asset USDC --collateral SOL (--amount 100 | --all)
 *   perpool orders list | place | cancel
 *   perpool set-price --asset SOL --price 151.25        (test oracles; admin keypair)
 *   perpool params list | propose-pool | propose-custody | execute | cancel | raise-timelock
 *                                                       (settings under the timelock; admin keypair)
 *
 * Every command that sends prints its quote first; `--dry-run` stops there.
 * Amounts are in whole tokens (or USD) and are checked before anything is
 * sent. Exit codes: 0 done, 1 refused or failed, 2 bad arguments or amounts.
 */
import { Args, OptionSpec, UsageError, optionsHelp, parseArgs } from "./args";
import { Cli, Command, GLOBAL_OPTIONS } from "./cli";
import { setPrice } from "./commands/admin";
import { borrow, repay } from "./commands/lending";
import { claim, deposit, redeem } from "./commands/liquidity";
import { ordersCancel, ordersList, ordersPlace } from "./commands/orders";
import {
  paramsCancel,
  paramsExecute,
  paramsList,
  paramsProposeCustody,
  paramsProposePool,
  paramsRaiseTimelock,
} from "./commands/params";
import { poolInfo } from "./commands/pool";
import { close, open } from "./commands/trade";
import { describeError } from "../keeper/chain";
import { AmountError } from "./units";

export const COMMANDS: Command[] = [
  poolInfo,
  deposit,
  claim,
  redeem,
  open,
  close,
  borrow,
  repay,
  ordersList,
  ordersPlace,
  ordersCancel,
  setPrice,
  paramsList,
  paramsProposePool,
  paramsProposeCustody,
  paramsExecute,
  paramsCancel,
  paramsRaiseTimelock,
];

const USAGE = `perpool: Perpool from the command line

usage: perpool <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(23)}${c.summary}`).join("\n")}

options of every command:
${optionsHelp(GLOBAL_OPTIONS)}

perpool <command> --help shows the command's own options.`;

function commandUsage(c: Command): string {
  return `perpool ${c.name}: ${c.summary}\n\nusage: perpool ${c.name} [options]\n\n${c.options.length ? `options:\n${optionsHelp(c.options as OptionSpec[])}\n\n` : ""}options of every command:\n${optionsHelp(GLOBAL_OPTIONS)}`;
}

/** Every option any command knows, to find the command words wherever the options are. */
const ALL_OPTIONS: OptionSpec[] = (() => {
  const byName = new Map<string, OptionSpec>();
  for (const o of [...GLOBAL_OPTIONS, ...COMMANDS.flatMap((c) => c.options as OptionSpec[])]) byName.set(o.name, o);
  return Array.from(byName.values());
})();

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** Runs one command; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let json = false;
  try {
    const first = parseArgs(argv, ALL_OPTIONS);
    json = first.options.get("json") === true;
    const words = first.positionals;
    if (words.length === 0) {
      if (first.options.get("help") === true) {
        io.stdout(`${USAGE}\n`);
        return 0;
      }
      throw new UsageError("a command is required");
    }
    const command = COMMANDS.find((c) => c.name === words.slice(0, c.name.split(" ").length).join(" "));
    if (!command) {
      const group = COMMANDS.filter((c) => c.name.startsWith(`${words[0]} `)).map((c) => c.name);
      throw new UsageError(
        group.length ? `${words.join(" ")}: expected one of ${group.join(", ")}` : `unknown command ${words[0]}`,
      );
    }
    const extra = words.slice(command.name.split(" ").length);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    const args = new Args(parseArgs(argv, [...GLOBAL_OPTIONS, ...(command.options as OptionSpec[])]));
    if (args.flag("help")) {
      io.stdout(`${commandUsage(command)}\n`);
      return 0;
    }
    await command.run(new Cli(args, command, io.stdout));
    return 0;
  } catch (e) {
    const usage = e instanceof UsageError || e instanceof AmountError;
    const message = e instanceof UsageError || e instanceof AmountError ? e.message : describeError(e);
    io.stderr(
      `perpool: error: ${message}${e instanceof UsageError ? "\n(perpool --help lists the commands; perpool <command> --help their options)" : ""}\n`,
    );
    if (json) io.stdout(`${JSON.stringify({ error: message }, null, 2)}\n`);
    return usage ? 2 : 1;
  }
}

/** Entry point of the `perpool` executable. */
export function run(): void {
  const exit = (code: number) => process.stdout.write("", () => process.exit(code));
  main(process.argv.slice(2)).then(exit, (e) => {
    process.stderr.write(`perpool: ${String(e)}\n`);
    exit(1);
  });
}

if (require.main === module) run();
