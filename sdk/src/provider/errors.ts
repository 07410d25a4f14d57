/**
 * Transaction results and errors of the in-process LiteSVM provider.
 *
 * litesvm reports failures as native (napi) objects. This module turns them
 * into the JSON shape a Solana RPC node would return (`{"InstructionError":
 * [0, {"Custom": 1}]}`), plus a human readable message in the runtime's own
 * wording ("Error processing Instruction 0: custom program error: 0x1"), so
 * callers and anchor's error translation see the same things they would see
 * against a real cluster.
 */
import { PublicKey, SendTransactionError, SimulatedTransactionResponse } from "@solana/web3.js";

/** An instruction error as encoded by the JSON RPC. */
export type InstructionErrorJson = string | { Custom: number } | { BorshIoError: string };

/** A transaction error as encoded by the JSON RPC (`meta.err`, `value.err`). */
export type TransactionErrorJson =
  | string
  | { InstructionError: [number, InstructionErrorJson] }
  | { DuplicateInstruction: number }
  | { InsufficientFundsForRent: { account_index: number } }
  | { ProgramExecutionTemporarilyRestricted: { account_index: number } };

/** What the provider remembers about every transaction it executed. */
export interface TxResult {
  /** base58 signature of the transaction (its first signature). */
  signature: string;
  /** Program logs, exactly as the runtime emitted them. */
  logs: string[];
  /** Compute units consumed by the whole transaction. */
  computeUnits: number;
  /** `null` on success, otherwise the RPC-style error. */
  err: TransactionErrorJson | null;
  /** `null` on success, otherwise e.g. "Error processing Instruction 0: custom program error: 0x1". */
  errorMessage: string | null;
  /** The custom program error code when the failure is an `InstructionError::Custom`. */
  customErrorCode: number | null;
  /** Index of the failing instruction, for instruction errors. */
  failedInstruction: number | null;
  /** Data set with `sol_set_return_data`, or `null` when none was set. */
  returnData: { programId: PublicKey; data: Buffer } | null;
}

// Variant names of solana's `TransactionError`, in declaration order. litesvm
// hands out field-less variants as their numeric discriminant.
const TX_ERROR_NAMES = [
  "AccountInUse", "AccountLoadedTwice", "AccountNotFound", "ProgramAccountNotFound",
  "InsufficientFundsForFee", "InvalidAccountForFee", "AlreadyProcessed", "BlockhashNotFound",
  "CallChainTooDeep", "MissingSignatureForFee", "InvalidAccountIndex", "SignatureFailure",
  "InvalidProgramForExecution", "SanitizeFailure", "ClusterMaintenance", "AccountBorrowOutstanding",
  "WouldExceedMaxBlockCostLimit", "UnsupportedVersion", "InvalidWritableAccount",
  "WouldExceedMaxAccountCostLimit", "WouldExceedAccountDataBlockLimit", "TooManyAccountLocks",
  "AddressLookupTableNotFound", "InvalidAddressLookupTableOwner", "InvalidAddressLookupTableData",
  "InvalidAddressLookupTableIndex", "InvalidRentPayingAccount", "WouldExceedMaxVoteCostLimit",
  "WouldExceedAccountDataTotalLimit", "MaxLoadedAccountsDataSizeExceeded", "ResanitizationNeeded",
  "InvalidLoadedAccountsDataSizeLimit", "UnbalancedTransaction", "ProgramCacheHitMaxLimit",
  "CommitCancelled",
];

// Variant names of solana's `InstructionError` (the field-less ones), in order.
const IX_ERROR_NAMES = [
  "GenericError", "InvalidArgument", "InvalidInstructionData", "InvalidAccountData",
  "AccountDataTooSmall", "InsufficientFunds", "IncorrectProgramId", "MissingRequiredSignature",
  "AccountAlreadyInitialized", "UninitializedAccount", "UnbalancedInstruction", "ModifiedProgramId",
  "ExternalAccountLamportSpend", "ExternalAccountDataModified", "ReadonlyLamportChange",
  "ReadonlyDataModified", "DuplicateAccountIndex", "ExecutableModified", "RentEpochModified",
  "NotEnoughAccountKeys", "AccountDataSizeChanged", "AccountNotExecutable", "AccountBorrowFailed",
  "AccountBorrowOutstanding", "DuplicateAccountOutOfSync", "InvalidError", "ExecutableDataModified",
  "ExecutableLamportChange", "ExecutableAccountNotRentExempt", "UnsupportedProgramId", "CallDepth",
  "MissingAccount", "ReentrancyNotAllowed", "MaxSeedLengthExceeded", "InvalidSeeds", "InvalidRealloc",
  "ComputationalBudgetExceeded", "PrivilegeEscalation", "ProgramEnvironmentSetupFailure",
  "ProgramFailedToComplete", "ProgramFailedToCompile", "Immutable", "IncorrectAuthority",
  "AccountNotRentExempt", "InvalidAccountOwner", "ArithmeticOverflow", "UnsupportedSysvar",
  "IllegalOwner", "MaxAccountsDataAllocationsExceeded", "MaxAccountsExceeded",
  "MaxInstructionTraceLengthExceeded", "BuiltinProgramsMustConsumeComputeUnits", "BorshIoError",
];

/** Converts litesvm's instruction error object/discriminant to the RPC JSON shape. */
function instructionErrorToJson(e: unknown): InstructionErrorJson {
  if (typeof e === "number") return IX_ERROR_NAMES[e] ?? `InstructionError(${e})`;
  const obj = e as { code?: unknown; msg?: unknown };
  if (typeof obj.code === "number") return { Custom: obj.code };
  if (typeof obj.msg === "string") return { BorshIoError: obj.msg };
  return String(e);
}

/** Converts litesvm's `FailedTransactionMetadata.err()` value to the RPC JSON shape. */
export function transactionErrorToJson(e: unknown): TransactionErrorJson {
  if (typeof e === "number") return TX_ERROR_NAMES[e] ?? `TransactionError(${e})`;
  const obj = e as { index?: unknown; accountIndex?: unknown; err?: unknown };
  if (typeof obj.index === "number" && typeof obj.err === "function") {
    return { InstructionError: [obj.index, instructionErrorToJson((obj.err as () => unknown).call(e))] };
  }
  if (typeof obj.accountIndex === "number") {
    // Both remaining account-indexed variants share the field name; the napi
    // class name tells them apart.
    const restricted = /Restricted/.test((e as object).constructor?.name ?? "");
    return restricted
      ? { ProgramExecutionTemporarilyRestricted: { account_index: obj.accountIndex } }
      : { InsufficientFundsForRent: { account_index: obj.accountIndex } };
  }
  if (typeof obj.index === "number") return { DuplicateInstruction: obj.index };
  return String(e);
}

/** A one-line description in the runtime's wording, e.g. for `SendTransactionError`. */
export function describeTransactionError(err: TransactionErrorJson): string {
  if (typeof err === "string") return err;
  if ("InstructionError" in err) {
    const [index, ixErr] = err.InstructionError;
    let what: string;
    if (typeof ixErr === "string") what = ixErr;
    else if ("Custom" in ixErr) what = `custom program error: 0x${ixErr.Custom.toString(16)}`;
    else what = `BorshIoError: ${ixErr.BorshIoError}`;
    return `Error processing Instruction ${index}: ${what}`;
  }
  if ("DuplicateInstruction" in err) return `DuplicateInstruction(${err.DuplicateInstruction})`;
  if ("InsufficientFundsForRent" in err) {
    return `InsufficientFundsForRent { account_index: ${err.InsufficientFundsForRent.account_index} }`;
  }
  return `ProgramExecutionTemporarilyRestricted { account_index: ${err.ProgramExecutionTemporarilyRestricted.account_index} }`;
}

/** The custom error code and failing instruction of an error, when applicable. */
export function instructionFailure(err: TransactionErrorJson | null): {
  customErrorCode: number | null;
  failedInstruction: number | null;
} {
  if (err === null || typeof err === "string" || !("InstructionError" in err)) {
    return { customErrorCode: null, failedInstruction: null };
  }
  const [index, ixErr] = err.InstructionError;
  const customErrorCode = typeof ixErr === "object" && "Custom" in ixErr ? ixErr.Custom : null;
  return { customErrorCode, failedInstruction: index };
}

/**
 * Thrown by `LiteSvmProvider.sendAndConfirm` (and friends) when a transaction
 * fails. It is a genuine `web3.SendTransactionError` (logs available through
 * `.logs` / `getLogs()`), with the structured result attached.
 *
 * Why `toString` is overridden: anchor's `ProgramError.parse` looks for the
 * text "custom program error: " in `err.toString()` and gives up unless it
 * occurs exactly once. web3.js embeds the last ten log lines in the message,
 * and those repeat the error (once per program on the failing CPI chain), so
 * the inherited `toString` would defeat anchor. Ours names the error once.
 */
export class LiteSvmSendTransactionError extends SendTransactionError {
  /** Everything known about the failed transaction. */
  readonly result: TxResult;
  /** Shortcut for `result.customErrorCode`. */
  readonly customErrorCode: number | null;

  constructor(result: TxResult) {
    super({
      action: "send",
      signature: result.signature,
      transactionMessage: result.errorMessage ?? "unknown error",
      logs: result.logs,
    });
    this.name = "SendTransactionError";
    this.result = result;
    this.customErrorCode = result.customErrorCode;
  }

  override toString(): string {
    return `${this.name}: transaction ${this.result.signature} failed: ${this.result.errorMessage}`;
  }
}

/**
 * Thrown by `LiteSvmProvider.simulate` when the simulated transaction fails;
 * the counterpart of the (unexported) `SimulateError` of anchor's
 * `AnchorProvider`, but carrying the logs so that anchor's `translateError`
 * can map custom errors to the IDL. `toString` is kept to one mention of the
 * error for the same reason as in `LiteSvmSendTransactionError`.
 */
export class SimulateError extends Error {
  readonly simulationResponse: SimulatedTransactionResponse;
  readonly result: TxResult;
  readonly logs: string[];
  readonly customErrorCode: number | null;

  constructor(result: TxResult, simulationResponse: SimulatedTransactionResponse) {
    const logTail = result.logs.length ? `\nLogs:\n  ${result.logs.slice(-10).join("\n  ")}` : "";
    super(`Simulation failed: ${result.errorMessage}${logTail}`);
    this.name = "SimulateError";
    this.result = result;
    this.simulationResponse = simulationResponse;
    this.logs = result.logs;
    this.customErrorCode = result.customErrorCode;
  }

  override toString(): string {
    return `${this.name}: simulation failed: ${this.result.errorMessage}`;
  }
}
