/**
 * Transaction fees as the runtime charges them: 5,000 lamports per signature
 * (the transaction's and those its signature-verification precompile
 * instructions check) plus the priority fee, ceil(price × limit / 10^6), where
 * the limit is the requested compute-unit limit or the default one.
 */
import { SYSTEM_PROGRAM } from "./encoding";
import { ParsedMessage } from "./wire";

export const LAMPORTS_PER_SIGNATURE = 5000n;
const COMPUTE_BUDGET_PROGRAM = "ComputeBudget111111111111111111111111111111";
const DEFAULT_IX_COMPUTE_UNITS = 200_000n;
const MAX_COMPUTE_UNITS = 1_400_000n;

/** Signature-verification precompiles: each signature they check is paid like a transaction signature. */
const PRECOMPILES = new Set([
  "Ed25519SigVerify111111111111111111111111111",
  "KeccakSecp256k11111111111111111111111111111",
  "Secp256r1SigVerify1111111111111111111111111",
]);

/**
 * Builtin programs: without an explicit compute-unit limit, each of their
 * instructions reserves 3,000 CU, any other instruction 200,000 (the runtime's
 * default limit, which prices priority fees). Stake, Config and Address
 * Lookup Table now run as ordinary programs.
 */
const BUILTINS = new Set([
  SYSTEM_PROGRAM,
  COMPUTE_BUDGET_PROGRAM,
  "BPFLoader1111111111111111111111111111111111",
  "BPFLoader2111111111111111111111111111111111",
  "BPFLoaderUpgradeab1e11111111111111111111111",
  "LoaderV411111111111111111111111111111111111",
  ...PRECOMPILES,
]);
const BUILTIN_IX_COMPUTE_UNITS = 3_000n;

/** Compute-unit limit and price (micro-lamports per CU) a message asks for. */
export function computeBudget(message: ParsedMessage): { limit: bigint; price: bigint } {
  let limit: bigint | null = null;
  let price = 0n;
  let reserved = 0n;
  for (const ix of message.instructions) {
    const program = message.staticAccountKeys[ix.programIdIndex];
    reserved += BUILTINS.has(program) ? BUILTIN_IX_COMPUTE_UNITS : DEFAULT_IX_COMPUTE_UNITS;
    if (program !== COMPUTE_BUDGET_PROGRAM) continue;
    const d = Buffer.from(ix.data);
    if (d[0] === 2 && d.length >= 5) limit = BigInt(d.readUInt32LE(1));
    if (d[0] === 3 && d.length >= 9) price = d.readBigUInt64LE(1);
  }
  const requested = limit ?? reserved;
  return { limit: requested < MAX_COMPUTE_UNITS ? requested : MAX_COMPUTE_UNITS, price };
}

/** The fee a message pays. */
export function transactionFee(message: ParsedMessage): bigint {
  const { limit, price } = computeBudget(message);
  let signatures = BigInt(message.header.numRequiredSignatures);
  for (const ix of message.instructions) {
    if (PRECOMPILES.has(message.staticAccountKeys[ix.programIdIndex]) && ix.data.length > 0) {
      signatures += BigInt(ix.data[0]);
    }
  }
  const priority = (price * limit + 999_999n) / 1_000_000n;
  return LAMPORTS_PER_SIGNATURE * signatures + priority;
}
