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

import { TransactionErrorJson } from "./tx-errors";

export type { InstructionErrorJson, TransactionErrorJson } from "./tx-errors";
export { describeTransactionError, instructionFailure, transactionErrorToJson } from "./tx-errors";

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
