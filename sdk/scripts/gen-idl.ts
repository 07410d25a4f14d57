/**
 * Writes `sdk/src/idl/perpool.json`, the program's IDL in Anchor's format.
 *
 * The program's Rust sources are the single source of truth: account and
 * parameter layouts are read from the `#[repr(C)]` structs in
 * `programs/perpool-interface/src/state`, errors from `error.rs`. Instruction account
 * lists and arguments are declared below, beside each processor's doc
 * comment. Discriminators are computed as Anchor does. `npm run idl` writes
 * the file; `sdk/tests/idl.test.ts` fails when the committed file is stale,
 * and the Rust test `idl_layout` checks every offset against the compiled structs.
 *
 * Usage: ts-node sdk/scripts/gen-idl.ts [--check]
 */
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
const SYSTEM_PROGRAM = "11111111111111111111111111111111";
const TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

type IdlType = string | { array: [IdlType, number] } | { defined: { name: string } };
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

/** An account seed of anchor's IDL: constant bytes, another account's address, or an argument. */
type Seed = { kind: "const"; value: number[] } | { kind: "account"; path: string } | { kind: "arg"; path: string };
const c = (text: string): Seed => ({ kind: "const", value: Array.from(Buffer.from(text, "utf8")) });
const a = (path: string): Seed => ({ kind: "account", path });
const arg = (path: string): Seed => ({ kind: "arg", path });
/** The PDA of this program with `seeds` (bump canonical), so anchor derives the account itself. */
const pda = (...seeds: Seed[]) => ({ seeds });
const BPF_LOADER_UPGRADEABLE = "BPFLoaderUpgradeab1e11111111111111111111111";
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/** A base58 address as its 32 bytes (no dependency for one constant). */
function bytes58(text: string): number[] {
  let n = 0n;
  for (const ch of text) {
    const d = BASE58.indexOf(ch);
    if (d < 0) throw new Error(`not base58: ${text}`);
    n = n * 58n + BigInt(d);
  }
  const out: number[] = [];
  for (let i = 0; i < 32; i++, n >>= 8n) out.unshift(Number(n & 0xffn));
  return out;
}

const acc = (
  name: string,
  opts: {
    writable?: boolean;
    signer?: boolean;
    address?: string;
    docs?: string;
    pda?: { seeds: Seed[]; program?: Seed };
    relations?: string[];
  } = {},
) => ({
  name,
  ...(opts.docs ? { docs: [opts.docs] } : {}),
  ...(opts.writable ? { writable: true } : {}),
  ...(opts.signer ? { signer: true } : {}),
  ...(opts.address ? { address: opts.address } : {}),
  ...(opts.pda ? { pda: opts.pda } : {}),
  ...(opts.relations ? { relations: opts.relations } : {}),
});
const systemProgram = acc("system_program", { address: SYSTEM_PROGRAM });
const tokenProgram = acc("token_program", { address: TOKEN_PROGRAM });
const defined = (name: string): IdlType => ({ defined: { name } });

const instructions: { name: string; docs: string; accounts: object[]; args: Field[] }[] = [
  {
    name: "init_config",
    docs: "Creates the global config; the signer, who must be the program's upgrade authority, becomes the admin. min_timelock_secs: the shortest settings timelock any pool may have (24 h on public clusters, 0 on local ones), fixed for good.",
    accounts: [
      acc("admin", { writable: true, signer: true, docs: "The program's upgrade authority" }),
      acc("config", { writable: true, pda: pda(c("config")), docs: 'PDA ["config"]' }),
      acc("program", { address: PROGRAM_ID, docs: "This program's account (BPF Loader Upgradeable)" }),
      acc("program_data", {
        pda: { seeds: [a("program")], program: { kind: "const", value: bytes58(BPF_LOADER_UPGRADEABLE) } },
        docs: "The ProgramData account the program account names: PDA [program] of BPF Loader Upgradeable",
      }),
      systemProgram,
    ],
    args: [{ name: "min_timelock_secs", type: "u32" }],
  },
  {
    name: "create_pool",
    docs: "Creates a pool, its LP mint (mint authority: the pool) and its LP escrow.",
    accounts: [
      acc("admin", { writable: true, signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool", { writable: true, pda: pda(c("pool"), arg("name")), docs: 'PDA ["pool", name]' }),
      acc("lp_mint", { writable: true, pda: pda(c("lp_mint"), a("pool")), docs: 'PDA ["lp_mint", pool]' }),
      acc("lp_escrow", {
        writable: true,
        pda: pda(c("lp_escrow"), a("pool")),
        docs: 'PDA ["lp_escrow", pool]: LP tokens in their cooldown and the dead LP units',
      }),
      tokenProgram,
      systemProgram,
    ],
    args: [
      { name: "name", type: "string" },
      { name: "params", type: defined("PoolParams") },
    ],
  },
  {
    name: "add_custody",
    docs: "Adds an asset to a pool: custody and vault token account, priced by a Pyth PriceUpdateV2 account.",
    accounts: [
      acc("admin", { writable: true, signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool", { writable: true }),
      acc("custody", {
        writable: true,
        pda: pda(c("custody"), a("pool"), a("mint")),
        docs: 'PDA ["custody", pool, mint]',
      }),
      acc("mint"),
      acc("vault", { writable: true, pda: pda(c("vault"), a("custody")), docs: 'PDA ["vault", custody]' }),
      acc("oracle", { docs: "A PriceUpdateV2 account owned by the Pyth receiver" }),
      tokenProgram,
      systemProgram,
    ],
    args: [{ name: "params", type: defined("CustodyParams") }],
  },
  {
    name: "propose_admin",
    docs: "Proposes a new admin (all zeroes cancels); it takes effect when accepted.",
    accounts: [acc("admin", { signer: true }), acc("config", { writable: true, pda: pda(c("config")) })],
    args: [{ name: "new_admin", type: "pubkey" }],
  },
  {
    name: "accept_admin",
    docs: "The pending admin accepts the role.",
    accounts: [acc("new_admin", { signer: true }), acc("config", { writable: true, pda: pda(c("config")) })],
    args: [],
  },
  {
    name: "set_pause",
    docs: "Sets the pause flags (1 liquidity, 2 trading, 4 lending, 8 listing).",
    accounts: [acc("admin", { signer: true }), acc("config", { writable: true, pda: pda(c("config")) })],
    args: [{ name: "flags", type: "u8" }],
  },
];

instructions.push(
  {
    name: "add_liquidity",
    docs: "Deposits an asset for LP tokens (pool valued at max prices, deposit at min price). Remaining accounts: every custody with its oracle, in pool order.",
    accounts: [
      acc("owner", { writable: true, signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("custody", { writable: true }),
      acc("vault", { writable: true, pda: pda(c("vault"), a("custody")) }),
      acc("funding_account", { writable: true }),
      acc("lp_mint", { writable: true, pda: pda(c("lp_mint"), a("pool")) }),
      acc("lp_token_account", { writable: true, docs: "receives the owner's LP tokens whose cooldown is over" }),
      acc("lp_account", {
        writable: true,
        pda: pda(c("lp_account"), a("pool"), a("owner")),
        docs: 'PDA ["lp_account", pool, owner], created on first deposit',
      }),
      acc("lp_escrow", {
        writable: true,
        pda: pda(c("lp_escrow"), a("pool")),
        docs: "the pool's LP escrow: new LP tokens wait out the cooldown here",
      }),
      tokenProgram,
      systemProgram,
    ],
    args: [
      { name: "amount_in", type: "u64" },
      { name: "min_lp_out", type: "u64" },
    ],
  },
  {
    name: "claim_lp",
    docs: "Takes the owner's LP tokens out of the pool's escrow once their cooldown is over.",
    accounts: [
      acc("owner", { signer: true }),
      acc("pool"),
      acc("lp_account", {
        writable: true,
        pda: pda(c("lp_account"), a("pool"), a("owner")),
        docs: 'PDA ["lp_account", pool, owner]',
      }),
      acc("lp_escrow", { writable: true, pda: pda(c("lp_escrow"), a("pool")) }),
      acc("lp_token_account", { writable: true }),
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "remove_liquidity",
    docs: "Redeems LP tokens for an asset (pool valued at min prices, asset at max price). Remaining accounts: every custody with its oracle, in pool order.",
    accounts: [
      acc("owner", { signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("custody", { writable: true }),
      acc("vault", { writable: true, pda: pda(c("vault"), a("custody")) }),
      acc("receiving_account", { writable: true }),
      acc("lp_mint", { writable: true, pda: pda(c("lp_mint"), a("pool")) }),
      acc("lp_token_account", { writable: true }),
      acc("lp_account", {
        writable: true,
        pda: pda(c("lp_account"), a("pool"), a("owner")),
        docs: 'PDA ["lp_account", pool, owner]; may not exist',
      }),
      tokenProgram,
    ],
    args: [
      { name: "lp_in", type: "u64" },
      { name: "min_amount_out", type: "u64" },
    ],
  },
  {
    name: "swap",
    docs: "Swaps one pool asset for another at oracle prices, paying the higher of the two dynamic fees. Remaining accounts: every custody with its oracle, in pool order.",
    accounts: [
      acc("owner", { signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("custody_in", { writable: true }),
      acc("vault_in", { writable: true, pda: pda(c("vault"), a("custody_in")) }),
      acc("custody_out", { writable: true }),
      acc("vault_out", { writable: true, pda: pda(c("vault"), a("custody_out")) }),
      acc("funding_account", { writable: true }),
      acc("receiving_account", { writable: true }),
      tokenProgram,
    ],
    args: [
      { name: "amount_in", type: "u64" },
      { name: "min_amount_out", type: "u64" },
    ],
  },
  {
    name: "withdraw_protocol_fees",
    docs: "Sends accrued protocol fees of a custody to a token account of the admin's choice.",
    accounts: [
      acc("admin", { signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("custody", { writable: true }),
      acc("vault", { writable: true, pda: pda(c("vault"), a("custody")) }),
      acc("receiving_account", { writable: true }),
      tokenProgram,
    ],
    args: [{ name: "amount", type: "u64" }],
  },
);

/** `sideArg`: the instruction takes the side as an argument, so anchor can derive the position. */
const tradeAccounts = (ownerDocs: string, last: object[], sideArg = false) => [
  acc("owner", { writable: true, signer: true, docs: ownerDocs }),
  acc("config", { pda: pda(c("config")) }),
  acc("pool"),
  acc("position", {
    writable: true,
    ...(sideArg
      ? { pda: pda(c("position"), a("owner"), a("pool"), a("custody"), a("collateral_custody"), arg("side")) }
      : {}),
    docs: 'PDA ["position", owner, pool, custody, collateral_custody, [side]]',
  }),
  acc("custody", { writable: true, docs: "the market" }),
  acc("custody_oracle"),
  acc("collateral_custody", { writable: true, docs: "the market custody itself for a long posting the asset" }),
  acc("collateral_oracle"),
  acc("vault", {
    writable: true,
    pda: pda(c("vault"), a("collateral_custody")),
    docs: "the collateral custody's vault",
  }),
  ...last,
];

instructions.push(
  {
    name: "increase_position",
    docs: "Opens or increases a position at the oracle price plus spread; settles accrued borrow fees first.",
    accounts: tradeAccounts(
      "pays rent when the position is opened",
      [acc("funding_account", { writable: true }), tokenProgram, systemProgram],
      true,
    ),
    args: [
      { name: "side", type: "u8" },
      { name: "size_usd", type: "u64" },
      { name: "collateral_amount", type: "u64" },
      { name: "acceptable_price", type: "u64" },
      { name: "position_bump", type: "u8" },
    ],
  },
  {
    name: "decrease_position",
    docs: "Closes part or all of a position; pays out collateral_out (partial) or everything (full) plus profit.",
    accounts: tradeAccounts("receives the rent when the position closes", [
      acc("receiving_account", { writable: true }),
      tokenProgram,
    ]),
    args: [
      { name: "size_usd", type: "u64" },
      { name: "collateral_out", type: "u64" },
      { name: "acceptable_price", type: "u64" },
    ],
  },
  {
    name: "add_collateral",
    docs: "Adds collateral to a position (settles interest and borrow fees first).",
    accounts: tradeAccounts("the position owner", [acc("funding_account", { writable: true }), tokenProgram]),
    args: [{ name: "amount", type: "u64" }],
  },
  {
    name: "remove_collateral",
    docs: "Withdraws collateral from a position within the leverage and margin limits.",
    accounts: tradeAccounts("the position owner", [acc("receiving_account", { writable: true }), tokenProgram]),
    args: [{ name: "amount", type: "u64" }],
  },
  {
    name: "liquidate_position",
    docs: "Permissionless: reduces (tiered) or closes a position below maintenance margin; the keeper earns a reward.",
    accounts: [
      acc("keeper", { signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("position", { writable: true }),
      acc("custody", { writable: true }),
      acc("custody_oracle"),
      acc("collateral_custody", { writable: true }),
      acc("collateral_oracle"),
      acc("vault", { writable: true, pda: pda(c("vault"), a("custody")) }),
      acc("keeper_account", { writable: true, docs: "receives the reward" }),
      acc("owner_account", { writable: true, docs: "the owner's collateral token account, receives what is left" }),
      acc("owner", { writable: true, docs: "the position owner, receives the rent on a full liquidation" }),
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "refresh_custody",
    docs: "Permissionless: accrues the custody's borrow and supply indexes (loan interest credited to suppliers).",
    accounts: [acc("pool"), acc("custody", { writable: true })],
    args: [],
  },
);

const loanAccounts = (signerDocs: string) => [
  acc("owner", { signer: true, docs: signerDocs }),
  acc("config", { pda: pda(c("config")) }),
  acc("pool"),
  acc("loan", {
    writable: true,
    pda: pda(c("loan"), a("owner"), a("pool"), a("collateral_custody"), a("borrow_custody")),
    docs: 'PDA ["loan", owner, pool, collateral_custody, borrow_custody]',
  }),
  acc("collateral_custody", { writable: true }),
  acc("collateral_oracle"),
  acc("borrow_custody", { writable: true }),
  acc("borrow_oracle"),
];

instructions.push(
  {
    name: "deposit_loan_collateral",
    docs: "Deposits collateral into a loan, opening it on first use.",
    accounts: [
      acc("owner", { writable: true, signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("loan", {
        writable: true,
        pda: pda(c("loan"), a("owner"), a("pool"), a("collateral_custody"), a("borrow_custody")),
        docs: 'PDA ["loan", owner, pool, collateral_custody, borrow_custody]',
      }),
      acc("collateral_custody", { writable: true }),
      acc("borrow_custody"),
      acc("vault", {
        writable: true,
        pda: pda(c("vault"), a("collateral_custody")),
        docs: "the collateral custody's vault",
      }),
      acc("funding_account", { writable: true }),
      tokenProgram,
      systemProgram,
    ],
    args: [{ name: "amount", type: "u64" }],
  },
  {
    name: "withdraw_loan_collateral",
    docs: "Withdraws loan collateral while the loan stays within its maximum loan-to-value.",
    accounts: [
      ...loanAccounts("the loan owner"),
      acc("vault", {
        writable: true,
        pda: pda(c("vault"), a("collateral_custody")),
        docs: "the collateral custody's vault",
      }),
      acc("receiving_account", { writable: true }),
      tokenProgram,
    ],
    args: [{ name: "amount", type: "u64" }],
  },
  {
    name: "borrow",
    docs: "Borrows a pool asset against the loan's collateral, at the custody's borrow rate.",
    accounts: [
      ...loanAccounts("the loan owner"),
      acc("borrow_vault", { writable: true, pda: pda(c("vault"), a("borrow_custody")) }),
      acc("receiving_account", { writable: true }),
      tokenProgram,
    ],
    args: [{ name: "amount", type: "u64" }],
  },
  {
    name: "repay",
    docs: "Repays a loan's debt (anyone may repay; more than the debt repays the debt).",
    accounts: [
      acc("payer", { signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("loan", { writable: true }),
      acc("borrow_custody", { writable: true }),
      acc("borrow_vault", { writable: true, pda: pda(c("vault"), a("borrow_custody")) }),
      acc("funding_account", { writable: true }),
      tokenProgram,
    ],
    args: [{ name: "amount", type: "u64" }],
  },
  {
    name: "liquidate_loan",
    docs: "Permissionless: repays part of an unhealthy loan for its collateral plus a bonus; bad debt goes to insurance, then suppliers.",
    accounts: [
      ...loanAccounts("the liquidator").map((a) => (a.name === "owner" ? { ...a, name: "liquidator" } : a)),
      acc("collateral_vault", { writable: true, pda: pda(c("vault"), a("collateral_custody")) }),
      acc("borrow_vault", { writable: true, pda: pda(c("vault"), a("borrow_custody")) }),
      acc("liquidator_funding", { writable: true }),
      acc("liquidator_receiving", { writable: true }),
      tokenProgram,
    ],
    args: [{ name: "repay_amount", type: "u64" }],
  },
  {
    name: "top_up_insurance",
    docs: "Adds tokens to a custody's insurance fund (anyone may).",
    accounts: [
      acc("payer", { signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("custody", { writable: true }),
      acc("vault", { writable: true, pda: pda(c("vault"), a("custody")) }),
      acc("funding_account", { writable: true }),
      tokenProgram,
    ],
    args: [{ name: "amount", type: "u64" }],
  },
);

const keeperTradeAccounts = (first: object[]) => [
  ...first,
  acc("owner", { writable: true, docs: "the position's owner (does not sign)" }),
  acc("config", { pda: pda(c("config")) }),
  acc("pool"),
  acc("position", { writable: true }),
  acc("custody", { writable: true, docs: "the market" }),
  acc("custody_oracle"),
  acc("collateral_custody", { writable: true }),
  acc("collateral_oracle"),
  acc("vault", {
    writable: true,
    pda: pda(c("vault"), a("collateral_custody")),
    docs: "the collateral custody's vault",
  }),
  acc("owner_account", { writable: true, docs: "the owner's token account of the collateral" }),
  tokenProgram,
];

instructions.push(
  {
    name: "place_order",
    docs: "Places a take-profit (1), stop-loss (2) or limit (3) order in one of a position's slots, prepaying the keeper's execution reward (lamports); limit orders escrow their collateral.",
    accounts: [
      acc("owner", {
        writable: true,
        signer: true,
        docs: "pays the order's rent and reward (and a limit order's position rent)",
      }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool"),
      acc("position", {
        pda: pda(c("position"), a("owner"), a("pool"), a("custody"), a("collateral_custody"), arg("side")),
        docs: 'PDA ["position", owner, pool, custody, collateral_custody, [side]]; open for take-profit / stop-loss',
      }),
      acc("order", {
        writable: true,
        pda: pda(c("order"), a("position"), arg("slot")),
        docs: 'PDA ["order", position, [slot]]',
      }),
      acc("custody", { writable: true, docs: "the market" }),
      acc("collateral_custody", { writable: true }),
      acc("vault", {
        writable: true,
        pda: pda(c("vault"), a("collateral_custody")),
        docs: "the collateral custody's vault",
      }),
      acc("funding_account", { writable: true }),
      tokenProgram,
      systemProgram,
    ],
    args: [
      { name: "slot", type: "u8" },
      { name: "kind", type: "u8" },
      { name: "side", type: "u8" },
      { name: "trigger_price", type: "u64" },
      { name: "acceptable_price", type: "u64" },
      { name: "size_usd", type: "u64" },
      { name: "collateral_amount", type: "u64" },
      { name: "execution_reward", type: "u64" },
    ],
  },
  {
    name: "cancel_order",
    docs: "Cancels an order: the escrowed collateral, the reward and the rent go back to the owner.",
    accounts: [
      acc("owner", { writable: true, signer: true }),
      acc("pool"),
      acc("order", { writable: true }),
      acc("collateral_custody", { writable: true }),
      acc("vault", {
        writable: true,
        pda: pda(c("vault"), a("collateral_custody")),
        docs: "the collateral custody's vault",
      }),
      acc("receiving_account", { writable: true }),
      tokenProgram,
    ],
    args: [],
  },
  {
    name: "execute_order",
    docs: "Permissionless: executes an order once the oracle price has crossed its trigger; the keeper earns the prepaid reward.",
    accounts: [
      ...keeperTradeAccounts([
        acc("keeper", {
          writable: true,
          signer: true,
          docs: "receives the reward; pays a limit order's new position rent (repaid)",
        }),
        acc("order", { writable: true }),
      ]),
      systemProgram,
    ],
    args: [],
  },
  {
    name: "auto_deleverage",
    docs: "Permissionless: reduces a profitable position while the profit its collateral custody owes the position's group (market, side, collateral) exceeds the market's ADL threshold of that custody's tokens (the larger of owned and its hourly average); must lower the ratio, not below the floor.",
    accounts: keeperTradeAccounts([acc("keeper", { signer: true })]),
    args: [{ name: "size_usd", type: "u64" }],
  },
);

/** Settings under the pool's timelock: the admin, the config and the pool come first. */
const adminPool = () => [
  acc("admin", { writable: true, signer: true, docs: "pays a proposal's rent and receives it back" }),
  acc("config", { pda: pda(c("config")) }),
  acc("pool", { writable: true }),
];
const otherCustodies = "Remaining accounts: the pool's other custodies, in pool order (their target weights).";

instructions.push(
  {
    name: "propose_pool_params",
    docs: "Admin: proposes the pool's complete new settings (a lower timelock included), executable after the pool's timelock.",
    accounts: [
      ...adminPool(),
      acc("proposal", { writable: true, docs: 'PDA ["proposal", pool, pool, pool.proposal_nonce (u64 LE)]' }),
      systemProgram,
    ],
    args: [{ name: "params", type: defined("PoolParams") }],
  },
  {
    name: "propose_custody_params",
    docs: `Admin: proposes a custody's complete new settings (oracle account, parameters, risk parameters), executable after the pool's timelock. ${otherCustodies}`,
    accounts: [
      ...adminPool(),
      acc("proposal", { writable: true, docs: 'PDA ["proposal", pool, custody, pool.proposal_nonce (u64 LE)]' }),
      acc("custody"),
      acc("oracle", { docs: "the new oracle: a PriceUpdateV2 of the new feed id, or the custody's test oracle" }),
      systemProgram,
    ],
    args: [
      { name: "params", type: defined("CustodyParams") },
      { name: "risk", type: defined("RiskParams") },
    ],
  },
  {
    name: "execute_pool_params",
    docs: "Admin: applies a pool settings proposal once its timelock has passed (validated again) and closes it.",
    accounts: [...adminPool(), acc("proposal", { writable: true })],
    args: [],
  },
  {
    name: "execute_custody_params",
    docs: `Admin: applies a custody settings proposal once its timelock has passed (validated again; interest and funding accrue under the old settings first) and closes it. ${otherCustodies}`,
    accounts: [
      ...adminPool(),
      acc("proposal", { writable: true }),
      acc("custody", { writable: true }),
      acc("oracle", { docs: "the proposal's oracle account" }),
    ],
    args: [],
  },
  {
    name: "cancel_proposal",
    docs: "Admin: withdraws a pending settings proposal; its rent goes back to the admin.",
    accounts: [...adminPool(), acc("proposal", { writable: true })],
    args: [],
  },
  {
    name: "raise_timelock",
    docs: "Admin: raises the pool's settings timelock at once (lowering it is a pool settings proposal).",
    accounts: [
      acc("admin", { signer: true }),
      acc("config", { pda: pda(c("config")) }),
      acc("pool", { writable: true }),
    ],
    args: [{ name: "timelock_secs", type: "u32" }],
  },
);

/** The fields every settings proposal event starts with (`events::proposal_event`). */
const proposalHeader: Field[] = [
  { name: "proposal", type: "pubkey" },
  { name: "pool", type: "pubkey" },
  { name: "target", type: "pubkey" },
  { name: "nonce", type: "u64" },
  { name: "eta", type: "i64" },
];
const proposalEvents = (prefix: string, settings: Field) =>
  ["Proposed", "Executed", "Cancelled"].map((what) => ({
    name: `${prefix}${what}`,
    fields: [...proposalHeader, settings],
  }));

const events: { name: string; fields: Field[] }[] = [
  ...proposalEvents("PoolParams", { name: "params", type: defined("PoolParams") }),
  ...proposalEvents("CustodyParams", { name: "settings", type: defined("CustodySettings") }),
  {
    name: "TimelockRaised",
    fields: [
      { name: "pool", type: "pubkey" },
      { name: "old_secs", type: "u32" },
      { name: "new_secs", type: "u32" },
    ],
  },
  {
    name: "OrderPlaced",
    fields: [
      { name: "order", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "position", type: "pubkey" },
      { name: "kind", type: "u8" },
      { name: "side", type: "u8" },
      { name: "slot", type: "u8" },
      { name: "trigger_price", type: "u64" },
      { name: "acceptable_price", type: "u64" },
      { name: "size_usd", type: "u64" },
      { name: "collateral_amount", type: "u64" },
      { name: "execution_reward", type: "u64" },
    ],
  },
  {
    name: "OrderCancelled",
    fields: [
      { name: "order", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "refunded", type: "u64" },
    ],
  },
  {
    name: "OrderExecuted",
    fields: [
      { name: "order", type: "pubkey" },
      { name: "keeper", type: "pubkey" },
      { name: "price", type: "u64" },
      { name: "reward", type: "u64" },
    ],
  },
  {
    name: "PositionDeleveraged",
    fields: [
      { name: "position", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "keeper", type: "pubkey" },
      { name: "size_delta_usd", type: "u64" },
      { name: "price", type: "u64" },
      { name: "pnl_usd", type: "i64" },
      { name: "ratio_before_bps", type: "u64" },
      { name: "ratio_after_bps", type: "u64" },
    ],
  },
  { name: "ConfigInitialized", fields: [{ name: "admin", type: "pubkey" }] },
  {
    name: "PoolCreated",
    fields: [
      { name: "pool", type: "pubkey" },
      { name: "name", type: "string" },
      { name: "lp_mint", type: "pubkey" },
      { name: "time", type: "i64" },
    ],
  },
  {
    name: "CustodyAdded",
    fields: [
      { name: "pool", type: "pubkey" },
      { name: "custody", type: "pubkey" },
      { name: "mint", type: "pubkey" },
      { name: "vault", type: "pubkey" },
      { name: "oracle", type: "pubkey" },
      { name: "oracle_kind", type: "u8" },
      { name: "is_stable", type: "bool" },
      { name: "decimals", type: "u8" },
    ],
  },
  {
    name: "AdminProposed",
    fields: [
      { name: "admin", type: "pubkey" },
      { name: "pending_admin", type: "pubkey" },
    ],
  },
  {
    name: "AdminChanged",
    fields: [
      { name: "old_admin", type: "pubkey" },
      { name: "new_admin", type: "pubkey" },
    ],
  },
  {
    name: "PauseSet",
    fields: [
      { name: "admin", type: "pubkey" },
      { name: "flags", type: "u8" },
    ],
  },
  {
    name: "LiquidityAdded",
    fields: [
      { name: "pool", type: "pubkey" },
      { name: "custody", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "amount_in", type: "u64" },
      { name: "fee", type: "u64" },
      { name: "fee_bps", type: "u64" },
      { name: "lp_out", type: "u64" },
      { name: "value_usd", type: "u64" },
      { name: "aum_usd", type: "u64" },
      { name: "lp_supply", type: "u64" },
      { name: "price", type: "u64" },
      { name: "escrowed_lp", type: "u64" },
      { name: "unlock_time", type: "i64" },
    ],
  },
  {
    name: "LpClaimed",
    fields: [
      { name: "pool", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "amount", type: "u64" },
    ],
  },
  {
    name: "PositionSettled",
    fields: [
      { name: "position", type: "pubkey" },
      { name: "borrow_fee", type: "u64" },
      { name: "funding_usd", type: "i64" },
      { name: "interest", type: "i64" },
      { name: "owed", type: "u64" },
    ],
  },
  {
    name: "LiquidityRemoved",
    fields: [
      { name: "pool", type: "pubkey" },
      { name: "custody", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "lp_in", type: "u64" },
      { name: "fee", type: "u64" },
      { name: "fee_bps", type: "u64" },
      { name: "amount_out", type: "u64" },
      { name: "value_usd", type: "u64" },
      { name: "aum_usd", type: "u64" },
      { name: "lp_supply", type: "u64" },
      { name: "price", type: "u64" },
    ],
  },
  {
    name: "Swapped",
    fields: [
      { name: "pool", type: "pubkey" },
      { name: "custody_in", type: "pubkey" },
      { name: "custody_out", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "amount_in", type: "u64" },
      { name: "amount_out", type: "u64" },
      { name: "fee", type: "u64" },
      { name: "fee_bps", type: "u64" },
      { name: "value_usd", type: "u64" },
    ],
  },
  {
    name: "ProtocolFeesWithdrawn",
    fields: [
      { name: "custody", type: "pubkey" },
      { name: "admin", type: "pubkey" },
      { name: "receiving_account", type: "pubkey" },
      { name: "amount", type: "u64" },
      { name: "remaining", type: "u64" },
    ],
  },
  {
    name: "PositionIncreased",
    fields: [
      { name: "position", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "custody", type: "pubkey" },
      { name: "collateral_custody", type: "pubkey" },
      { name: "side", type: "u8" },
      { name: "size_delta_usd", type: "u64" },
      { name: "collateral_delta", type: "u64" },
      { name: "price", type: "u64" },
      { name: "fee_usd", type: "u64" },
      { name: "borrow_fee", type: "u64" },
      { name: "pnl_usd", type: "i64" },
      { name: "size_usd", type: "u64" },
      { name: "collateral", type: "u64" },
      { name: "amount_out", type: "u64" },
      { name: "impact_usd", type: "i64" },
    ],
  },
  {
    name: "PositionDecreased",
    fields: [
      { name: "position", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "custody", type: "pubkey" },
      { name: "collateral_custody", type: "pubkey" },
      { name: "side", type: "u8" },
      { name: "size_delta_usd", type: "u64" },
      { name: "collateral_delta", type: "u64" },
      { name: "price", type: "u64" },
      { name: "fee_usd", type: "u64" },
      { name: "borrow_fee", type: "u64" },
      { name: "pnl_usd", type: "i64" },
      { name: "size_usd", type: "u64" },
      { name: "collateral", type: "u64" },
      { name: "amount_out", type: "u64" },
      { name: "impact_usd", type: "i64" },
    ],
  },
  {
    name: "CollateralAdded",
    fields: [
      { name: "position", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "amount", type: "u64" },
      { name: "owed_paid", type: "u64" },
      { name: "collateral", type: "u64" },
    ],
  },
  {
    name: "PositionLiquidated",
    fields: [
      { name: "position", type: "pubkey" },
      { name: "owner", type: "pubkey" },
      { name: "keeper", type: "pubkey" },
      { name: "full", type: "bool" },
      { name: "size_delta_usd", type: "u64" },
      { name: "price", type: "u64" },
      { name: "pnl_usd", type: "i64" },
      { name: "reward", type: "u64" },
      { name: "bad_debt", type: "u64" },
      { name: "insurance_used", type: "u64" },
      { name: "owner_out", type: "u64" },
    ],
  },
  {
    name: "LoanCollateralDeposited",
    fields: [
      { name: "loan", type: "pubkey" },
      { name: "actor", type: "pubkey" },
      { name: "amount", type: "u64" },
      { name: "collateral", type: "u64" },
      { name: "scaled_debt", type: "u64" },
    ],
  },
  {
    name: "LoanCollateralWithdrawn",
    fields: [
      { name: "loan", type: "pubkey" },
      { name: "actor", type: "pubkey" },
      { name: "amount", type: "u64" },
      { name: "collateral", type: "u64" },
      { name: "scaled_debt", type: "u64" },
    ],
  },
  {
    name: "Borrowed",
    fields: [
      { name: "loan", type: "pubkey" },
      { name: "actor", type: "pubkey" },
      { name: "amount", type: "u64" },
      { name: "collateral", type: "u64" },
      { name: "scaled_debt", type: "u64" },
    ],
  },
  {
    name: "Repaid",
    fields: [
      { name: "loan", type: "pubkey" },
      { name: "actor", type: "pubkey" },
      { name: "amount", type: "u64" },
      { name: "collateral", type: "u64" },
      { name: "scaled_debt", type: "u64" },
    ],
  },
  {
    name: "LoanLiquidated",
    fields: [
      { name: "loan", type: "pubkey" },
      { name: "liquidator", type: "pubkey" },
      { name: "repaid", type: "u64" },
      { name: "collateral_seized", type: "u64" },
      { name: "bad_debt", type: "u64" },
    ],
  },
  {
    name: "InsuranceToppedUp",
    fields: [
      { name: "custody", type: "pubkey" },
      { name: "payer", type: "pubkey" },
      { name: "amount", type: "u64" },
      { name: "insurance", type: "u64" },
    ],
  },
  {
    name: "CustodyRefreshed",
    fields: [
      { name: "custody", type: "pubkey" },
      { name: "borrow_index", type: "u64" },
      { name: "supply_index", type: "u64" },
      { name: "time", type: "i64" },
    ],
  },
];

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
    instructions: instructions.map((ix) => ({
      name: ix.name,
      docs: [ix.docs],
      discriminator: disc("global", ix.name),
      accounts: ix.accounts,
      args: ix.args,
    })),
    accounts: accounts.map((a) => ({ name: a.name, discriminator: disc("account", a.name) })),
    events: events.map((e) => ({ name: e.name, discriminator: disc("event", e.name) })),
    errors: rustErrors(),
    types: [
      ...accounts.map((a) => struct(a.name, rustStruct(a.file, a.name, ["discriminator"]))),
      ...events.map((e) => struct(e.name, e.fields)),
      struct("PoolParams", rustStruct("state/pool.rs", "PoolParams")),
      struct("CustodyParams", rustStruct("state/custody.rs", "CustodyParams")),
      struct("RiskParams", rustStruct("state/custody.rs", "RiskParams")),
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
