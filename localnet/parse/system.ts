/** System program instructions (bincode: u32 variant, then the fields), named and laid out as Agave's RPC shows them. */
import { NotParsable, ParsedInfo, Reader, needAccounts } from "./reader";

export function parseSystem(data: Uint8Array, a: string[]): ParsedInfo {
  const r = new Reader(data);
  const variant = r.u32();
  switch (variant) {
    case 0: {
      const lamports = r.u64();
      const space = r.u64();
      const owner = r.pubkey();
      needAccounts(a, 2);
      return { type: "createAccount", info: { source: a[0], newAccount: a[1], lamports, space, owner } };
    }
    case 1: {
      const owner = r.pubkey();
      needAccounts(a, 1);
      return { type: "assign", info: { account: a[0], owner } };
    }
    case 2: {
      const lamports = r.u64();
      needAccounts(a, 2);
      return { type: "transfer", info: { source: a[0], destination: a[1], lamports } };
    }
    case 3: {
      const base = r.pubkey();
      const seed = r.bincodeString();
      const lamports = r.u64();
      const space = r.u64();
      const owner = r.pubkey();
      needAccounts(a, 2);
      return {
        type: "createAccountWithSeed",
        info: { source: a[0], newAccount: a[1], base, seed, lamports, space, owner },
      };
    }
    case 4:
      needAccounts(a, 3);
      return {
        type: "advanceNonce",
        info: { nonceAccount: a[0], recentBlockhashesSysvar: a[1], nonceAuthority: a[2] },
      };
    case 5: {
      const lamports = r.u64();
      needAccounts(a, 5);
      return {
        type: "withdrawFromNonce",
        info: {
          nonceAccount: a[0],
          destination: a[1],
          recentBlockhashesSysvar: a[2],
          rentSysvar: a[3],
          nonceAuthority: a[4],
          lamports,
        },
      };
    }
    case 6: {
      const authority = r.pubkey();
      needAccounts(a, 3);
      return {
        type: "initializeNonce",
        info: { nonceAccount: a[0], recentBlockhashesSysvar: a[1], rentSysvar: a[2], nonceAuthority: authority },
      };
    }
    case 7: {
      const authority = r.pubkey();
      needAccounts(a, 2);
      return { type: "authorizeNonce", info: { nonceAccount: a[0], nonceAuthority: a[1], newAuthorized: authority } };
    }
    case 8: {
      const space = r.u64();
      needAccounts(a, 1);
      return { type: "allocate", info: { account: a[0], space } };
    }
    case 9: {
      const base = r.pubkey();
      const seed = r.bincodeString();
      const space = r.u64();
      const owner = r.pubkey();
      needAccounts(a, 2);
      return { type: "allocateWithSeed", info: { account: a[0], base, seed, space, owner } };
    }
    case 10: {
      const base = r.pubkey();
      const seed = r.bincodeString();
      const owner = r.pubkey();
      needAccounts(a, 2);
      return { type: "assignWithSeed", info: { account: a[0], base, seed, owner } };
    }
    case 11: {
      const lamports = r.u64();
      const sourceSeed = r.bincodeString();
      const sourceOwner = r.pubkey();
      needAccounts(a, 3);
      return {
        type: "transferWithSeed",
        info: { source: a[0], sourceBase: a[1], destination: a[2], lamports, sourceSeed, sourceOwner },
      };
    }
    case 12:
      needAccounts(a, 1);
      return { type: "upgradeNonce", info: { nonceAccount: a[0] } };
    default:
      throw new NotParsable();
  }
}
