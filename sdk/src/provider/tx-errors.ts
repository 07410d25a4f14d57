/**
 * Transaction errors as a Solana RPC node encodes them (`{"InstructionError":
 * [0, {"Custom": 1}]}`), from litesvm's native error objects, and their
 * one-line description in the runtime's own wording ("Error processing
 * Instruction 0: custom program error: 0x1"). Free of any client library, so
 * the local validator can use it without loading one.
 */

/** An instruction error as encoded by the JSON RPC. */
export type InstructionErrorJson = string | { Custom: number } | { BorshIoError: string };

/** A transaction error as encoded by the JSON RPC (`meta.err`, `value.err`). */
export type TransactionErrorJson =
  | string
  | { InstructionError: [number, InstructionErrorJson] }
  | { DuplicateInstruction: number }
  | { InsufficientFundsForRent: { account_index: number } }
  | { ProgramExecutionTemporarilyRestricted: { account_index: number } };

// Variant names of solana's `TransactionError`, in declaration order. litesvm
// hands out field-less variants as their numeric discriminant.
const TX_ERROR_NAMES = [
  "AccountInUse",
  "AccountLoadedTwice",
  "AccountNotFound",
  "ProgramAccountNotFound",
  "InsufficientFundsForFee",
  "InvalidAccountForFee",
  "AlreadyProcessed",
  "BlockhashNotFound",
  "CallChainTooDeep",
  "MissingSignatureForFee",
  "InvalidAccountIndex",
  "SignatureFailure",
  "InvalidProgramForExecution",
  "SanitizeFailure",
  "ClusterMaintenance",
  "AccountBorrowOutstanding",
  "WouldExceedMaxBlockCostLimit",
  "UnsupportedVersion",
  "InvalidWritableAccount",
  "WouldExceedMaxAccountCostLimit",
  "WouldExceedAccountDataBlockLimit",
  "TooManyAccountLocks",
  "AddressLookupTableNotFound",
  "InvalidAddressLookupTableOwner",
  "InvalidAddressLookupTableData",
  "InvalidAddressLookupTableIndex",
  "InvalidRentPayingAccount",
  "WouldExceedMaxVoteCostLimit",
  "WouldExceedAccountDataTotalLimit",
  "MaxLoadedAccountsDataSizeExceeded",
  "ResanitizationNeeded",
  "InvalidLoadedAccountsDataSizeLimit",
  "UnbalancedTransaction",
  "ProgramCacheHitMaxLimit",
  "CommitCancelled",
];

// Variant names of solana's `InstructionError` (the field-less ones), in order.
const IX_ERROR_NAMES = [
  "GenericError",
  "InvalidArgument",
  "InvalidInstructionData",
  "InvalidAccountData",
  "AccountDataTooSmall",
  "InsufficientFunds",
  "IncorrectProgramId",
  "MissingRequiredSignature",
  "AccountAlreadyInitialized",
  "UninitializedAccount",
  "UnbalancedInstruction",
  "ModifiedProgramId",
  "ExternalAccountLamportSpend",
  "ExternalAccountDataModified",
  "ReadonlyLamportChange",
  "ReadonlyDataModified",
  "DuplicateAccountIndex",
  "ExecutableModified",
  "RentEpochModified",
  "NotEnoughAccountKeys",
  "AccountDataSizeChanged",
  "AccountNotExecutable",
  "AccountBorrowFailed",
  "AccountBorrowOutstanding",
  "DuplicateAccountOutOfSync",
  "InvalidError",
  "ExecutableDataModified",
  "ExecutableLamportChange",
  "ExecutableAccountNotRentExempt",
  "UnsupportedProgramId",
  "CallDepth",
  "MissingAccount",
  "ReentrancyNotAllowed",
  "MaxSeedLengthExceeded",
  "InvalidSeeds",
  "InvalidRealloc",
  "ComputationalBudgetExceeded",
  "PrivilegeEscalation",
  "ProgramEnvironmentSetupFailure",
  "ProgramFailedToComplete",
  "ProgramFailedToCompile",
  "Immutable",
  "IncorrectAuthority",
  "AccountNotRentExempt",
  "InvalidAccountOwner",
  "ArithmeticOverflow",
  "UnsupportedSysvar",
  "IllegalOwner",
  "MaxAccountsDataAllocationsExceeded",
  "MaxAccountsExceeded",
  "MaxInstructionTraceLengthExceeded",
  "BuiltinProgramsMustConsumeComputeUnits",
  "BorshIoError",
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
