/**
 * BPF Loader Upgradeable's accounts, as the loader lays them out (bincode):
 * the program account `Program { programdata_address }` (tag 2) and its
 * ProgramData account `ProgramData { slot, upgrade_authority_address }`
 * (tag 3, a 45-byte header) followed by the ELF (layouts in loader-layout.ts). `init_config` accepts only
 * the upgrade authority recorded there; the LiteSVM provider and the local
 * validator write these accounts to deploy Perpool upgradeable.
 */
import { AccountInfo, PublicKey } from "@solana/web3.js";

import { BPF_LOADER_UPGRADEABLE_PROGRAM_ID } from "./constants";
import { PROGRAM_DATA_HEADER_LEN, upgradeableProgramAccountData } from "./loader-layout";
import { programDataPda } from "./pda";

export const BPF_LOADER_UPGRADEABLE = BPF_LOADER_UPGRADEABLE_PROGRAM_ID;
export { PROGRAM_DATA_HEADER_LEN };

/** The program and ProgramData accounts of `elf` deployed at `programId` (authority null: immutable). */
export function upgradeableProgramAccounts(
  programId: PublicKey,
  elf: Uint8Array,
  upgradeAuthority: PublicKey | null,
  slot: bigint = 0n,
): {
  program: { address: PublicKey; data: Buffer; executable: true };
  programData: { address: PublicKey; data: Buffer; executable: false };
} {
  const [programData] = programDataPda(programId);
  const data = upgradeableProgramAccountData(programData.toBytes(), elf, upgradeAuthority?.toBytes() ?? null, slot);
  return {
    program: { address: programId, data: data.program, executable: true },
    programData: { address: programData, data: data.programData, executable: false },
  };
}

/** What a deployed program is: upgradeable with an authority, immutable, or not upgradeable-loader at all. */
export type ProgramDeployment =
  | { kind: "absent" }
  | { kind: "other-loader"; owner: PublicKey }
  | { kind: "upgradeable"; programData: PublicKey; upgradeAuthority: PublicKey | null };

/** Reads a program's deployment from its program account and ProgramData account (null when absent). */
export function decodeProgramDeployment(
  program: AccountInfo<Buffer> | null,
  programData: (address: PublicKey) => AccountInfo<Buffer> | null,
): ProgramDeployment {
  if (!program?.executable) return { kind: "absent" };
  if (!program.owner.equals(BPF_LOADER_UPGRADEABLE)) return { kind: "other-loader", owner: program.owner };
  if (program.data.length < 36 || program.data.readUInt32LE(0) !== 2)
    throw new Error("not an upgradeable program account");
  const address = new PublicKey(program.data.subarray(4, 36));
  const pd = programData(address);
  if (
    !pd ||
    !pd.owner.equals(BPF_LOADER_UPGRADEABLE) ||
    pd.data.length < PROGRAM_DATA_HEADER_LEN ||
    pd.data.readUInt32LE(0) !== 3
  ) {
    throw new Error(`ProgramData account ${address.toBase58()} is missing or malformed`);
  }
  return {
    kind: "upgradeable",
    programData: address,
    upgradeAuthority: pd.data[12] === 1 ? new PublicKey(pd.data.subarray(13, 45)) : null,
  };
}
