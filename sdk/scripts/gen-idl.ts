/**
 * Writes `sdk/src/idl/perpool.json`, the program's IDL in Anchor's format.
 *
 * The program's Rust sources are the single source of truth: the instructions
 * (docs, accounts, arguments) and the events (fields) come from their declarations
 * in `programs/perpool-interface/src/instruction.rs` and `src/event.rs`, written as
 * JSON by `cargo run -p perpool-interface --example idl`; account and parameter
 * layouts are read from the `#[repr(C)]` structs in `programs/perpool-interface/src/state`,
 * errors from `error.rs`. Discriminators are computed as Anchor does. `npm run idl`
 * writes the files; `sdk/tests/idl.test.ts` fails when a committed file is stale,
 * and the Rust test `idl_layout` checks every offset against the compiled structs
 * and the instructions and events against the declarations.
 *
 * Usage: ts-node sdk/scripts/gen-idl.ts [--check]
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const SRC = path.join(ROOT, "programs", "perpool-interface", "src");
export const IDL_PATH = path.join(ROOT, "sdk", "src", "idl", "perpool.json");
export const TYPES_PATH = path.join(ROOT, "sdk", "src", "idl", "types.ts");
/** The IDL as a TypeScript value (consumers need no `resolveJsonModule`). */
export const IDL_TS_PATH = path.join(ROOT, "sdk", "src", "idl", "idl.ts");
/** The `Perpool` type: the IDL in camelCase, as `anchor build` writes `target/types/perpool.ts`. */
export const PERPOOL_TYPE_PATH = path.join(ROOT, "sdk", "src", "idl", "perpool.ts");
/** The program's error codes as a constant object (names as in `error.rs`). */
export const ERRORS_PATH = path.join(ROOT, "sdk", "src", "idl", "errors.ts");
/** The program's Anchor-format error log lines (Rust), generated from the same `error.rs`. */
export const ERROR_LOG_PATH = path.join(SRC, "error_log.rs");

export const PROGRAM_ID = "Huuufy2ycrhXVytHV8GRH7yJCbCMnq4zsU2KAqY68dTD";

type IdlType = string | { array: [IdlType, number] } | { option: IdlType } | { defined: { name: string } };
interface Field {
  name: string;
  type: IdlType;
}

function disc(prefix: string, name: string): number[] {
  return Array.from(createHash("sha256").update(`${prefix}:${name}`).digest().subarray(0, 8));
}

/** Rust constants used as array lengths in state structs. */
const CONSTS: Record<string, number> = { MAX_CUSTODIES: 8, PAYLOAD_CAPACITY: 512 };
/** Parameter structs that other structs embed (borsh, by name). */
const DEFINED = ["PoolParams", "CustodyParams", "RiskParams"];

function rustType(t: string): IdlType {
  t = t.trim();
  const arr = /^\[(.+);\s*([A-Za-z0-9_]+)\]$/.exec(t);
  if (arr) {
    const n = /^\d+$/.test(arr[2]) ? Number(arr[2]) : CONSTS[arr[2]];
    if (n === undefined) throw new Error(`unknown array length ${arr[2]}`);
    return { array: [rustType(arr[1]), n] };
  }
  if (t === "Address") return "pubkey";
  if (DEFINED.includes(t)) return { defined: { name: t } };
  if (["u8", "u16", "u32", "u64", "i32", "i64", "bool"].includes(t)) return t;
  throw new Error(`unsupported field type ${t}`);
}

/** Reads the named-field struct `name` from a Rust source file. */
function rustStruct(file: string, name: string, skip: string[] = []): Field[] {
  const src = fs.readFileSync(path.join(SRC, file), "utf8");
  const m = new RegExp(`pub struct ${name} \\{([\\s\\S]*?)\\n\\}`).exec(src);
  if (!m) throw new Error(`struct ${name} not found in ${file}`);
  const fields: Field[] = [];
  for (const line of m[1].split("\n")) {
    const f = /^\s*pub (\w+): (.+),\s*$/.exec(line);
    if (f && !skip.includes(f[1])) fields.push({ name: f[1], type: rustType(f[2]) });
  }
  return fields;
}

function rustErrors(): { code: number; name: string; msg: string }[] {
  const src = fs.readFileSync(path.join(SRC, "error.rs"), "utf8");
  const out: { code: number; name: string; msg: string }[] = [];
  const re = /((?:\s*\/\/\/.*\n)+)\s*(\w+) = (\d+),/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    const msg = m[1]
      .split("\n")
      .map((l) => l.replace(/^\s*\/\/\/\s?/, "").trim())
      .filter(Boolean)
      .join(" ")
      .replace(/`/g, "");
    out.push({ code: Number(m[3]), name: m[2], msg });
  }
  return out;
}

/**
 * What the interface crate declares: the IDL's instructions (`programs/perpool-interface/src/instruction.rs`)
 * and events with their fields (`src/event.rs`), written by its `idl` example; discriminators are computed
 * there by a const fn SHA-256 and checked here against node's. Asked once per run.
 */
interface Declared {
  instructions: { name: string; discriminator: number[] }[];
  events: { name: string; discriminator: number[]; fields: Field[] }[];
  /** The settings structs (from their `settings!` declarations) and the events' `Settlement`. */
  types: { name: string; fields: Field[] }[];
}
let declared: Declared | undefined;
function declarations(): Declared {
  if (!declared) {
    const json = execFileSync("cargo", ["run", "--quiet", "--package", "perpool-interface", "--example", "idl"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    declared = JSON.parse(json) as Declared;
    const check = (prefix: string, items: { name: string; discriminator: number[] }[]) => {
      for (const x of items) {
        if (x.discriminator.join() !== disc(prefix, x.name).join()) {
          throw new Error(`${x.name}: the declared discriminator is not sha256("${prefix}:${x.name}")[..8]`);
        }
      }
    };
    check("global", declared.instructions);
    check("event", declared.events);
  }
  return declared;
}

/**
 * Array fields the IDL lists as one field per entry, `<prefix>_<i>`: anchor's account resolution
 * reads an account from a field of another by name (`relations`), so a deposit's custody list
 * resolves from the pool's `custody_0` … `custody_7`. Same bytes as the array.
 */
const SPLIT: Record<string, Record<string, string>> = { Pool: { custodies: "custody" } };

function splitArrays(name: string, fields: Field[]): Field[] {
  const split = SPLIT[name] ?? {};
  return fields.flatMap((f) => {
    const prefix = split[f.name];
    if (prefix === undefined) return [f];
    if (typeof f.type !== "object" || !("array" in f.type)) throw new Error(`${name}.${f.name} is not an array`);
    const [item, n] = f.type.array;
    return Array.from({ length: n }, (_, i) => ({ name: `${prefix}_${i}`, type: item }));
  });
}

const accounts: { name: string; file: string }[] = [
  { name: "Config", file: "state/config.rs" },
  { name: "Pool", file: "state/pool.rs" },
  { name: "Custody", file: "state/custody.rs" },
  { name: "LpAccount", file: "state/lp_account.rs" },
  { name: "Position", file: "state/position.rs" },
  { name: "Loan", file: "state/loan.rs" },
  { name: "Order", file: "state/order.rs" },
  { name: "Proposal", file: "state/proposal.rs" },
];

export function buildIdl(): object {
  const struct = (name: string, fields: Field[]) => ({ name, type: { kind: "struct", fields } });
  return {
    address: PROGRAM_ID,
    metadata: {
      name: "perpool",
      version: "0.1.0",
      spec: "0.1.0",
      description: "Perpool: GMX-style perpetuals with an interest-bearing liquidity pool",
    },
    instructions: declarations().instructions,
    accounts: accounts.map((a) => ({ name: a.name, discriminator: disc("account", a.name) })),
    events: declarations().events.map((e) => ({ name: e.name, discriminator: e.discriminator })),
    errors: rustErrors(),
    types: [
      ...accounts.map((a) => struct(a.name, splitArrays(a.name, rustStruct(a.file, a.name, ["discriminator"])))),
      ...declarations().events.map((e) => struct(e.name, e.fields)),
      ...declarations().types.map((t) => struct(t.name, t.fields)),
      struct("CustodySettings", rustStruct("state/custody.rs", "CustodySettings")),
    ],
  };
}

export function renderIdl(): string {
  return JSON.stringify(buildIdl(), null, 2) + "\n";
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function tsType(t: IdlType): string {
  if (typeof t === "string") {
    return (
      {
        u8: "number",
        u16: "number",
        u32: "number",
        i32: "number",
        u64: "BN",
        i64: "BN",
        bool: "boolean",
        pubkey: "PublicKey",
        string: "string",
      } as Record<string, string>
    )[t];
  }
  if ("array" in t) return `${tsType(t.array[0])}[]`;
  if ("option" in t) return `${tsType(t.option)} | null`;
  return t.defined.name;
}

/** TypeScript interfaces of every account, event and parameter type, as anchor decodes them. */
export function renderTypes(): string {
  const idl = buildIdl() as { types: { name: string; type: { fields: Field[] } }[] };
  const out = [
    "// Generated by sdk/scripts/gen-idl.ts from the program's Rust sources (`npm run idl`). Do not edit.",
    "// The shapes anchor's coder produces: camelCase names, u64/i64 as BN, pubkeys as PublicKey.",
    'import type { PublicKey } from "@solana/web3.js";',
    'import type BN from "bn.js";',
    "",
  ];
  for (const ty of idl.types) {
    out.push(`export interface ${ty.name} {`);
    for (const f of ty.type.fields) out.push(`  ${camel(f.name)}: ${tsType(f.type)};`);
    out.push("}", "");
  }
  return out.join("\n");
}

const GENERATED =
  "// Generated by sdk/scripts/gen-idl.ts from the program's Rust sources (`npm run idl`). Do not edit.";

/** `sdk/src/idl/idl.ts`: the IDL JSON as a typed constant. */
export function renderIdlModule(): string {
  return [
    GENERATED,
    'import type { Idl } from "@coral-xyz/anchor";',
    "",
    "/** The program's IDL (Anchor 0.30+ format, snake_case names as on chain); `perpool.json` holds the same. */",
    `export const IDL: Idl = ${JSON.stringify(buildIdl(), null, 2)};`,
    "",
  ].join("\n");
}

/**
 * `sdk/src/idl/perpool.ts`: the IDL after anchor's own camelCase conversion (the one `new Program`
 * applies), as a type. `Program<Perpool>` then checks instruction names, arguments, accounts,
 * `program.account.*` and events.
 */
export function renderPerpoolType(): string {
  // anchor's root does not export its converter; its compiled module does (no `exports` map).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deep path, loaded only here
  const { convertIdlToCamelCase } = require("@coral-xyz/anchor/dist/cjs/idl") as {
    convertIdlToCamelCase: (idl: object) => object;
  };
  const camel = convertIdlToCamelCase(buildIdl());
  return [
    GENERATED,
    "/**",
    " * The Perpool IDL in camelCase, the shape `new Program(IDL)` works with: a type only, for",
    " * `Program<Perpool>`. The IDL itself is `IDL` (`./idl`), snake_case as the program declares it.",
    " */",
    `export type Perpool = ${JSON.stringify(camel, null, 2)};`,
    "",
  ].join("\n");
}

/** `sdk/src/idl/errors.ts`: `PerpoolErrorCode` (name → number) and each error's message. */
export function renderErrors(): string {
  const errors = rustErrors();
  return [
    GENERATED,
    "/** The program's custom error numbers by name, as `error.rs` declares them (append-only). */",
    "export const PerpoolErrorCode = {",
    ...errors.map((e) => `  ${e.name}: ${e.code},`),
    "} as const;",
    "",
    "/** The name of a Perpool program error. */",
    "export type PerpoolErrorName = keyof typeof PerpoolErrorCode;",
    "",
    "/** Each error's message (its doc comment in `error.rs`). */",
    "export const PERPOOL_ERROR_MESSAGES: Readonly<Record<PerpoolErrorName, string>> = {",
    ...errors.map((e) => `  ${e.name}: ${JSON.stringify(e.msg)},`),
    "};",
    "",
  ].join("\n");
}

/**
 * `programs/perpool-interface/src/error_log.rs`: each error's log line in the format `@coral-xyz/anchor`'s
 * `AnchorError.parse` reads (`AnchorError occurred. Error Code: <Name>. Error Number: <n>. Error
 * Message: <msg>.`), as one static string, so the error path costs one `sol_log_` and no formatting.
 */
export function renderErrorLog(): string {
  const line = (e: { code: number; name: string; msg: string }) =>
    `AnchorError occurred. Error Code: ${e.name}. Error Number: ${e.code}. Error Message: ${e.msg.replace(/\.$/, "")}.`;
  const errors = rustErrors();
  const first = errors[0]?.code ?? 6000;
  const last = errors[errors.length - 1]?.code ?? first;
  // One string and the end offset of each code's line (numbers without an error: an empty line).
  // No `match` and no table of pointers: a jump table is an instruction SBPF v0 does not have.
  const lines: string[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (let code = first; code <= last; code++) {
    const e = errors.find((x) => x.code === code);
    const text = e ? line(e) : "";
    if (text.includes('"') || text.includes("\\"))
      throw new Error(`error ${code}: a quote or backslash in its message`);
    lines.push(text);
    offset += Buffer.byteLength(text, "utf8");
    ends.push(offset);
  }
  if (offset > 0xffff) throw new Error("error log lines exceed u16 offsets");
  const literal = lines
    .filter((l) => l.length > 0)
    .map((l) => `    ${l}\\`)
    .join("\n");
  return [
    "//! Generated by sdk/scripts/gen-idl.ts from error.rs (`npm run idl`). Do not edit.",
    "//!",
    "//! Anchor's error log line of every program error, so `@coral-xyz/anchor` names a failure on",
    "//! any RPC. Logged by the entrypoint on the error path only.",
    "",
    `const FIRST: u32 = ${first};`,
    "",
    "/// Every line, one after another.",
    `const LINES: &str = "\\`,
    literal,
    '";',
    "",
    "/// Where the line of error `FIRST + i` ends in `LINES` (it starts where the previous one ends).",
    `const ENDS: [u16; ${ends.length}] = [${ends.join(", ")}];`,
    "",
    "/// The `AnchorError occurred. …` line of custom error `code`, if it is one of Perpool's.",
    "pub fn anchor_error_line(code: u32) -> Option<&'static str> {",
    "    let i = code.checked_sub(FIRST)? as usize;",
    "    let end = *ENDS.get(i)? as usize;",
    "    let start = match i.checked_sub(1) {",
    "        Some(previous) => *ENDS.get(previous)? as usize,",
    "        None => 0,",
    "    };",
    "    LINES.get(start..end).filter(|line| !line.is_empty())",
    "}",
    "",
    "#[cfg(test)]",
    "mod tests {",
    "    use super::*;",
    "",
    "    #[test]",
    "    fn every_line_names_its_own_error() {",
    ...errors.map(
      (e) =>
        `        assert!(anchor_error_line(${e.code}).is_some_and(|l| l.contains("Error Code: ${e.name}. Error Number: ${e.code}.")));`,
    ),
    `        assert_eq!(anchor_error_line(${first - 1}), None);`,
    `        assert_eq!(anchor_error_line(${last + 1}), None);`,
    "    }",
    "}",
    "",
  ].join("\n");
}

if (require.main === module) {
  const outputs: [string, string][] = [
    [IDL_PATH, renderIdl()],
    [TYPES_PATH, renderTypes()],
    [IDL_TS_PATH, renderIdlModule()],
    [PERPOOL_TYPE_PATH, renderPerpoolType()],
    [ERRORS_PATH, renderErrors()],
    [ERROR_LOG_PATH, renderErrorLog()],
  ];
  for (const [file, text] of outputs) {
    if (process.argv.includes("--check")) {
      const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      if (current !== text) {
        console.error(`${path.relative(ROOT, file)} is stale: run \`npm run idl\``);
        process.exitCode = 1;
      }
    } else {
      fs.writeFileSync(file, text);
      console.log(`wrote ${path.relative(ROOT, file)}`);
    }
  }
}
