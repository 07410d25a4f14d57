/**
 * The validator's own key helpers (localnet/wire.ts), which let it start
 * without loading a client library, against @solana/web3.js: program
 * addresses, the curve check behind them, and keypair files.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import { createHash } from "crypto";

import { findProgramAddress, generateSecretKey, isOnCurve, publicKeyOfSecretKey } from "../../localnet/wire";

/** Deterministic 32-byte values (the same cases every run). */
const bytes = (label: string, i: number) => createHash("sha256").update(`${label}:${i}`).digest();

describe("localnet key helpers", () => {
  it("finds the same program address and bump as web3.js for 300 seed sets", () => {
    for (let i = 0; i < 300; i++) {
      const programId = bytes("program", i);
      const seeds =
        i % 3 === 0 ? [bytes("seed", i)] : [Buffer.from("pool"), bytes("seed", i).subarray(0, 1 + (i % 32))];
      const [expected, expectedBump] = PublicKey.findProgramAddressSync(seeds, new PublicKey(programId));
      const [address, bump] = findProgramAddress(seeds, programId);
      expect(new PublicKey(address).toBase58(), `case ${i}`).to.equal(expected.toBase58());
      expect(bump, `case ${i}`).to.equal(expectedBump);
    }
  });

  it("decides on-curve as web3.js does, for points, non-points and the edge values", () => {
    // A y at or above p (2^255 - 19) is where the two differ: the runtime's
    // curve25519-dalek reduces it (0xff…ff is y = 18, a point), web3.js's noble
    // refuses it. No hash lands there in practice; the validator follows the runtime.
    expect(isOnCurve(new Uint8Array(32).fill(0xff))).to.equal(true);
    const cases: Uint8Array[] = [new Uint8Array(32), Uint8Array.from([1, ...new Array(31).fill(0)])];
    for (let i = 0; i < 400; i++)
      cases.push(i % 2 ? bytes("any", i) : Keypair.fromSeed(bytes("key", i)).publicKey.toBytes());
    let on = 0;
    for (const c of cases) {
      expect(isOnCurve(c), Buffer.from(c).toString("hex")).to.equal(PublicKey.isOnCurve(c));
      if (isOnCurve(c)) on++;
    }
    expect(on, "both kinds are covered").to.be.within(50, cases.length - 50);
  });

  it("reads keypair files as web3.js does and refuses a secret key whose halves do not match", () => {
    const secret = generateSecretKey();
    expect(publicKeyOfSecretKey(secret)).to.equal(Keypair.fromSecretKey(secret).publicKey.toBase58());
    const other = Keypair.generate();
    expect(publicKeyOfSecretKey(other.secretKey)).to.equal(other.publicKey.toBase58());
    const mismatched = Uint8Array.from([...secret.subarray(0, 32), ...other.publicKey.toBytes()]);
    expect(() => publicKeyOfSecretKey(mismatched)).to.throw("the secret key's public half does not match its seed");
    expect(() => publicKeyOfSecretKey(secret.subarray(0, 63))).to.throw("a secret key is 64 bytes, not 63");
  });
});
