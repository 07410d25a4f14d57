/** Associated Token Account program instructions (empty data or a 1-byte variant). */
import { NotParsable, ParsedInfo, needAccounts } from "./reader";

const CREATE_TYPES = ["create", "createIdempotent"];

export function parseAssociatedToken(data: Uint8Array, a: string[]): ParsedInfo {
  const variant = data.length === 0 ? 0 : data[0];
  if (data.length > 1) throw new NotParsable();
  if (variant === 0 || variant === 1) {
    needAccounts(a, 6);
    return {
      type: CREATE_TYPES[variant],
      info: { source: a[0], account: a[1], wallet: a[2], mint: a[3], systemProgram: a[4], tokenProgram: a[5] },
    };
  }
  if (variant === 2) {
    needAccounts(a, 7);
    return {
      type: "recoverNested",
      info: {
        nestedSource: a[0],
        nestedMint: a[1],
        destination: a[2],
        nestedOwner: a[3],
        ownerMint: a[4],
        wallet: a[5],
        tokenProgram: a[6],
      },
    };
  }
  throw new NotParsable();
}
