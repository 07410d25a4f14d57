/**
 * `jsonParsed` instructions: the programs Agave's RPC parses (System, SPL
 * Token, Associated Token Account, Memo) in its shape
 *
 *   { program: "spl-token", programId, parsed: { type: "transferChecked", info: {…} }, stackHeight }
 *
 * (a memo's `parsed` is its text). Anything else, or an instruction of these
 * programs that does not decode, stays partially decoded, as on Agave:
 * `{ programId, accounts, data (base58), stackHeight }`. Compute Budget is one
 * of those: Agave has no parser for it, so its instructions come back
 * partially decoded there too.
 */
import { b58encode } from "../encoding";
import { parseAssociatedToken } from "./associated-token";
import { NotParsable, ParsedInfo } from "./reader";
import { parseSystem } from "./system";
import { parseToken } from "./token";

export const ASSOCIATED_TOKEN_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
export const MEMO_V1_PROGRAM = "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo";
export const MEMO_PROGRAM = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr";
export const COMPUTE_BUDGET_PROGRAM = "ComputeBudget111111111111111111111111111111";

type Parser = (data: Uint8Array, accounts: string[]) => ParsedInfo | string;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function parseMemo(data: Uint8Array): string {
  try {
    return utf8.decode(data);
  } catch {
    throw new NotParsable();
  }
}

/** Program id → its name in `program` and its parser. */
const PARSERS = new Map<string, { name: string; parse: Parser }>([
  ["11111111111111111111111111111111", { name: "system", parse: parseSystem }],
  ["TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", { name: "spl-token", parse: parseToken }],
  ["TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", { name: "spl-token", parse: parseToken }],
  [ASSOCIATED_TOKEN_PROGRAM, { name: "spl-associated-token-account", parse: parseAssociatedToken }],
  [MEMO_V1_PROGRAM, { name: "spl-memo", parse: parseMemo }],
  [MEMO_PROGRAM, { name: "spl-memo", parse: parseMemo }],
]);

/** An instruction as `jsonParsed` shows it; `accountKeys` resolves its indexes. */
export function parseInstruction(
  programId: string,
  accountIndexes: readonly number[],
  data: Uint8Array,
  accountKeys: readonly string[],
  stackHeight: number | null,
): Record<string, unknown> {
  const parser = PARSERS.get(programId);
  // Agave parses only when every index points at a key (the runtime guarantees it for landed transactions).
  if (parser && accountIndexes.every((i) => i < accountKeys.length)) {
    try {
      const parsed = parser.parse(
        data,
        accountIndexes.map((i) => accountKeys[i]),
      );
      return { program: parser.name, programId, parsed, stackHeight };
    } catch (e) {
      if (!(e instanceof NotParsable)) throw e;
    }
  }
  return { programId, accounts: accountIndexes.map((i) => accountKeys[i]), data: b58encode(data), stackHeight };
}
