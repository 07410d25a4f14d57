/**
 * In-process test provider: an anchor `Provider` over LiteSVM, its
 * `Connection` look-alike, result/error types and SPL Token helpers.
 */
export {
  LiteSvmProvider,
  LiteSvmProviderOptions,
  LamportsLike,
  RawAccount,
  SuccessfulTxSimulationResponse,
  SLOT_DURATION_MS,
  toAddress,
} from "./litesvm";
export { LiteSvmConnection, LiteSvmTransactionResponse, ProgramAccount, ProgramAccountsConfig } from "./connection";
export {
  InstructionErrorJson,
  LiteSvmSendTransactionError,
  SimulateError,
  TransactionErrorJson,
  TxResult,
  describeTransactionError,
  transactionErrorToJson,
} from "./errors";
// TOKEN_PROGRAM_ID lives under `token` only: the SDK root already exports it.
export * as token from "./token";
export {
  createMint,
  createTokenAccount,
  mintTo,
  getTokenBalance,
  decodeMint,
  decodeTokenAccount,
  ASSOCIATED_TOKEN_PROGRAM_ID,
  associatedTokenAddress,
  createAssociatedTokenAccountIx,
} from "./token";
