/**
 * BPF Loader Upgradeable's account layouts (bincode), over raw bytes and
 * free of any client library, so the local validator can write them without
 * loading one: the program account `Program { programdata_address }` (tag 2)
 * and its ProgramData account `ProgramData { slot, upgrade_authority_address }`
 * (tag 3, a 45-byte header) followed by the ELF.
 */

/** BPF Loader Upgradeable's address (base58). */
export const BPF_LOADER_UPGRADEABLE_ADDRESS = "BPFLoaderUpgradeab1e11111111111111111111111";
/** ProgramData header: u32 tag, u64 slot, Option<Pubkey> (1 + 32 bytes). */
export const PROGRAM_DATA_HEADER_LEN = 45;

/**
 * The data of a program account pointing at `programDataAddress` and of that
 * ProgramData account holding `elf` (authority null: immutable).
 */
export function upgradeableProgramAccountData(
  programDataAddress: Uint8Array,
  elf: Uint8Array,
  upgradeAuthority: Uint8Array | null,
  slot: bigint = 0n,
): { program: Buffer; programData: Buffer } {
  if (programDataAddress.length !== 32 || (upgradeAuthority && upgradeAuthority.length !== 32)) {
    throw new Error("addresses are 32 bytes");
  }
  const program = Buffer.alloc(36);
  program.writeUInt32LE(2, 0);
  program.set(programDataAddress, 4);
  const header = Buffer.alloc(PROGRAM_DATA_HEADER_LEN);
  header.writeUInt32LE(3, 0);
  header.writeBigUInt64LE(slot, 4);
  if (upgradeAuthority) {
    header[12] = 1;
    header.set(upgradeAuthority, 13);
  }
  return { program, programData: Buffer.concat([header, elf]) };
}
