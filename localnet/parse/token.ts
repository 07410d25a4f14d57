/**
 * SPL Token (and Token-2022's base) instructions: a 1-byte variant, then the
 * fields. Amounts are strings, `*Checked` amounts a `UiTokenAmount`, and a
 * multisig authority is reported with its signers, as Agave's RPC does.
 * Token-2022 extension instructions (variant 25 and up) are not parsed here.
 */
import { uiTokenAmount } from "../encoding";
import { NotParsable, ParsedInfo, Reader, needAccounts } from "./reader";

const AUTHORITY_TYPES = [
  "mintTokens",
  "freezeAccount",
  "accountOwner",
  "closeAccount",
  "transferFeeConfig",
  "withheldWithdraw",
  "closeMint",
  "interestRate",
  "permanentDelegate",
  "confidentialTransferMint",
  "transferHookProgramId",
  "confidentialTransferFeeConfig",
  "metadataPointer",
  "groupPointer",
  "groupMemberPointer",
  "scaledUiAmount",
  "pause",
];
/** Authority types set on an account; the others are set on a mint. */
const ACCOUNT_AUTHORITIES = new Set(["accountOwner", "closeAccount"]);

/**
 * The authority at `index`: alone it is `single`; followed by more accounts it
 * is a multisig (`multi`) and they are its `signers`.
 */
function withAuthority(info: Record<string, unknown>, a: string[], index: number, single: string, multi: string) {
  if (a.length > index + 1) {
    info[multi] = a[index];
    info.signers = a.slice(index + 1);
  } else if (a.length > index) {
    info[single] = a[index];
  }
  return info;
}

export function parseToken(data: Uint8Array, a: string[]): ParsedInfo {
  const r = new Reader(data);
  const variant = r.u8();
  switch (variant) {
    case 0:
    case 20: {
      const decimals = r.u8();
      const mintAuthority = r.pubkey();
      const freezeAuthority = r.tokenOptionalPubkey();
      needAccounts(a, variant === 0 ? 2 : 1);
      const info: Record<string, unknown> = { mint: a[0], decimals, mintAuthority };
      if (variant === 0) info.rentSysvar = a[1];
      if (freezeAuthority) info.freezeAuthority = freezeAuthority;
      return { type: variant === 0 ? "initializeMint" : "initializeMint2", info };
    }
    case 1:
      needAccounts(a, 4);
      return { type: "initializeAccount", info: { account: a[0], mint: a[1], owner: a[2], rentSysvar: a[3] } };
    case 16: {
      const owner = r.pubkey();
      needAccounts(a, 3);
      return { type: "initializeAccount2", info: { account: a[0], mint: a[1], owner, rentSysvar: a[2] } };
    }
    case 18: {
      const owner = r.pubkey();
      needAccounts(a, 2);
      return { type: "initializeAccount3", info: { account: a[0], mint: a[1], owner } };
    }
    case 2: {
      const m = r.u8();
      needAccounts(a, 3);
      return { type: "initializeMultisig", info: { multisig: a[0], rentSysvar: a[1], signers: a.slice(2), m } };
    }
    case 19: {
      const m = r.u8();
      needAccounts(a, 2);
      return { type: "initializeMultisig2", info: { multisig: a[0], signers: a.slice(1), m } };
    }
    case 3: {
      const amount = r.u64().toString();
      needAccounts(a, 3);
      return {
        type: "transfer",
        info: withAuthority({ source: a[0], destination: a[1], amount }, a, 2, "authority", "multisigAuthority"),
      };
    }
    case 4: {
      const amount = r.u64().toString();
      needAccounts(a, 3);
      return {
        type: "approve",
        info: withAuthority({ source: a[0], delegate: a[1], amount }, a, 2, "owner", "multisigOwner"),
      };
    }
    case 5:
      needAccounts(a, 2);
      return { type: "revoke", info: withAuthority({ source: a[0] }, a, 1, "owner", "multisigOwner") };
    case 6: {
      const kind = r.u8();
      const authorityType = AUTHORITY_TYPES[kind];
      if (authorityType === undefined) throw new NotParsable();
      const newAuthority = r.tokenOptionalPubkey();
      needAccounts(a, 2);
      const owned = ACCOUNT_AUTHORITIES.has(authorityType) ? "account" : "mint";
      const info = { [owned]: a[0], authorityType, newAuthority };
      return { type: "setAuthority", info: withAuthority(info, a, 1, "authority", "multisigAuthority") };
    }
    case 7: {
      const amount = r.u64().toString();
      needAccounts(a, 3);
      return {
        type: "mintTo",
        info: withAuthority({ mint: a[0], account: a[1], amount }, a, 2, "mintAuthority", "multisigMintAuthority"),
      };
    }
    case 8: {
      const amount = r.u64().toString();
      needAccounts(a, 3);
      return {
        type: "burn",
        info: withAuthority({ account: a[0], mint: a[1], amount }, a, 2, "authority", "multisigAuthority"),
      };
    }
    case 9:
      needAccounts(a, 3);
      return {
        type: "closeAccount",
        info: withAuthority({ account: a[0], destination: a[1] }, a, 2, "owner", "multisigOwner"),
      };
    case 10:
    case 11:
      needAccounts(a, 3);
      return {
        type: variant === 10 ? "freezeAccount" : "thawAccount",
        info: withAuthority({ account: a[0], mint: a[1] }, a, 2, "freezeAuthority", "multisigFreezeAuthority"),
      };
    case 12:
    case 13: {
      const tokenAmount = uiTokenAmount(r.u64(), r.u8());
      needAccounts(a, 4);
      if (variant === 12) {
        const info = { source: a[0], mint: a[1], destination: a[2], tokenAmount };
        return { type: "transferChecked", info: withAuthority(info, a, 3, "authority", "multisigAuthority") };
      }
      const info = { source: a[0], mint: a[1], delegate: a[2], tokenAmount };
      return { type: "approveChecked", info: withAuthority(info, a, 3, "owner", "multisigOwner") };
    }
    case 14: {
      const tokenAmount = uiTokenAmount(r.u64(), r.u8());
      needAccounts(a, 3);
      const info = { mint: a[0], account: a[1], tokenAmount };
      return { type: "mintToChecked", info: withAuthority(info, a, 2, "mintAuthority", "multisigMintAuthority") };
    }
    case 15: {
      const tokenAmount = uiTokenAmount(r.u64(), r.u8());
      needAccounts(a, 3);
      const info = { account: a[0], mint: a[1], tokenAmount };
      return { type: "burnChecked", info: withAuthority(info, a, 2, "authority", "multisigAuthority") };
    }
    case 17:
      needAccounts(a, 1);
      return { type: "syncNative", info: { account: a[0] } };
    case 21:
      // With extension types (Token-2022) the list would need Token-2022's names: left partially decoded.
      if (r.remaining > 0) throw new NotParsable();
      needAccounts(a, 1);
      return { type: "getAccountDataSize", info: { mint: a[0] } };
    case 22:
      needAccounts(a, 1);
      return { type: "initializeImmutableOwner", info: { account: a[0] } };
    case 23: {
      const amount = r.u64().toString();
      needAccounts(a, 1);
      return { type: "amountToUiAmount", info: { mint: a[0], amount } };
    }
    case 24: {
      const uiAmount = r.restUtf8();
      needAccounts(a, 1);
      return { type: "uiAmountToAmount", info: { mint: a[0], uiAmount } };
    }
    default:
      throw new NotParsable();
  }
}
