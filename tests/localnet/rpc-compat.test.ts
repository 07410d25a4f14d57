/**
 * The local validator answering as Agave's RPC does where clients look:
 * `jsonParsed` instructions (System, SPL Token, Associated Token, Memo
 * parsed; Compute Budget and anything else partially decoded), simulation of a
 * transaction that already landed, `getTransaction` refusing `processed`, u64
 * parameters read exactly, and error messages that say what was wrong once.
 */
import {
  ComputeBudgetProgram,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { Localnet, startLocalnet } from "../../localnet";
import { b58encode, parseJson } from "../../localnet/encoding";
import { MEMO_PROGRAM, parseInstruction } from "../../localnet/parse";
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
  associatedTokenAddress,
  createAssociatedTokenAccountIx,
  createInitializeMint2Instruction,
  createMintToInstruction,
  createTokenProgramAccountInstruction,
  createTransferInstruction,
} from "../../sdk/src/provider/token";
import { rpcCall } from "./harness";

const SYSTEM = SystemProgram.programId.toBase58();
const TOKEN = TOKEN_PROGRAM_ID.toBase58();

function transferCheckedIx(
  source: PublicKey,
  mint: PublicKey,
  destination: PublicKey,
  owner: PublicKey,
  amount: bigint,
  decimals: number,
) {
  const data = Buffer.alloc(10);
  data[0] = 12;
  data.writeBigUInt64LE(amount, 1);
  data[9] = decimals;
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: source, isSigner: false, isWritable: true },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: destination, isSigner: false, isWritable: true },
      { pubkey: owner, isSigner: true, isWritable: false },
    ],
    data,
  });
}

function memoIx(text: string | Buffer) {
  return new TransactionInstruction({ programId: new PublicKey(MEMO_PROGRAM), keys: [], data: Buffer.from(text) });
}

describe("localnet RPC compatibility with Agave", function () {
  this.timeout(60_000);

  let dir: string;
  let net: Localnet;
  let connection: Connection;
  let payer: Keypair;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-rpc-compat-"));
    net = await startLocalnet({ port: 0, ledger: dir, quiet: true, slotMs: 100, perpool: false, publisher: false });
    connection = new Connection(net.rpcUrl, "confirmed");
    payer = Keypair.generate();
    await connection.requestAirdrop(payer.publicKey, 10 * LAMPORTS_PER_SOL);
  });

  after(async () => {
    await net?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const send = async (tx: Transaction, signers: Keypair[]) => {
    const signature = await connection.sendTransaction(tx, signers);
    const reply = await rpcCall(net.rpcUrl, "getTransaction", [
      signature,
      { encoding: "jsonParsed", commitment: "confirmed", maxSupportedTransactionVersion: 0 },
    ]);
    expect(reply.error).to.equal(undefined);
    return { signature, result: reply.result };
  };

  describe("jsonParsed instructions", () => {
    it("parses System and Memo, and leaves Compute Budget partially decoded as Agave does", async () => {
      // Given a transaction with a compute budget, a transfer, a seeded account and a memo
      const to = Keypair.generate().publicKey;
      const seeded = await PublicKey.createWithSeed(payer.publicKey, "perpool", SystemProgram.programId);
      const tx = new Transaction().add(
        ComputeBudgetProgram.setComputeUnitLimit({ units: 300_000 }),
        SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_234_567 }),
        SystemProgram.createAccountWithSeed({
          fromPubkey: payer.publicKey,
          newAccountPubkey: seeded,
          basePubkey: payer.publicKey,
          seed: "perpool",
          lamports: 2_000_000,
          space: 16,
          programId: SystemProgram.programId,
        }),
        memoIx("héllo 🦖"),
      );
      // When it lands and is read back as jsonParsed
      const { result } = await send(tx, [payer]);
      const [budget, transfer, create, memo] = result.transaction.message.instructions;
      // Then each instruction has Agave's shape
      expect(budget).to.deep.equal({
        programId: ComputeBudgetProgram.programId.toBase58(),
        accounts: [],
        data: b58encode(tx.instructions[0].data),
        stackHeight: null,
      });
      expect(transfer).to.deep.equal({
        program: "system",
        programId: SYSTEM,
        parsed: {
          type: "transfer",
          info: { source: payer.publicKey.toBase58(), destination: to.toBase58(), lamports: 1_234_567 },
        },
        stackHeight: null,
      });
      expect(create).to.deep.equal({
        program: "system",
        programId: SYSTEM,
        parsed: {
          type: "createAccountWithSeed",
          info: {
            source: payer.publicKey.toBase58(),
            newAccount: seeded.toBase58(),
            base: payer.publicKey.toBase58(),
            seed: "perpool",
            lamports: 2_000_000,
            space: 16,
            owner: SYSTEM,
          },
        },
        stackHeight: null,
      });
      expect(memo).to.deep.equal({
        program: "spl-memo",
        programId: MEMO_PROGRAM,
        parsed: "héllo 🦖",
        stackHeight: null,
      });
    });

    it("parses SPL Token and Associated Token instructions, inner ones with their stack height", async () => {
      // Given a mint, two associated token accounts, a mint-to, a transfer and a transferChecked
      const mint = Keypair.generate();
      const alice = Keypair.generate().publicKey;
      const rent = await connection.getMinimumBalanceForRentExemption(MINT_SIZE);
      const { result: mintTx } = await send(
        new Transaction().add(
          createTokenProgramAccountInstruction(payer.publicKey, mint.publicKey, MINT_SIZE, rent),
          createInitializeMint2Instruction(mint.publicKey, 6, payer.publicKey, null),
        ),
        [payer, mint],
      );
      expect(mintTx.transaction.message.instructions[1]).to.deep.equal({
        program: "spl-token",
        programId: TOKEN,
        parsed: {
          type: "initializeMint2",
          info: { mint: mint.publicKey.toBase58(), decimals: 6, mintAuthority: payer.publicKey.toBase58() },
        },
        stackHeight: null,
      });

      const payerAta = associatedTokenAddress(payer.publicKey, mint.publicKey);
      const aliceAta = associatedTokenAddress(alice, mint.publicKey);
      const { result } = await send(
        new Transaction().add(
          createAssociatedTokenAccountIx(payer.publicKey, payer.publicKey, mint.publicKey),
          createAssociatedTokenAccountIx(payer.publicKey, alice, mint.publicKey),
          createMintToInstruction(mint.publicKey, payerAta, payer.publicKey, 5_000_000n),
          createTransferInstruction(payerAta, aliceAta, payer.publicKey, 1_000_000n),
          transferCheckedIx(payerAta, mint.publicKey, aliceAta, payer.publicKey, 1_500_000n, 6),
        ),
        [payer],
      );
      const [ata, , mintTo, transfer, checked] = result.transaction.message.instructions;
      expect(ata).to.deep.equal({
        program: "spl-associated-token-account",
        programId: ASSOCIATED_TOKEN_PROGRAM_ID.toBase58(),
        parsed: {
          type: "createIdempotent",
          info: {
            source: payer.publicKey.toBase58(),
            account: payerAta.toBase58(),
            wallet: payer.publicKey.toBase58(),
            mint: mint.publicKey.toBase58(),
            systemProgram: SYSTEM,
            tokenProgram: TOKEN,
          },
        },
        stackHeight: null,
      });
      expect(mintTo.parsed).to.deep.equal({
        type: "mintTo",
        info: {
          mint: mint.publicKey.toBase58(),
          account: payerAta.toBase58(),
          amount: "5000000",
          mintAuthority: payer.publicKey.toBase58(),
        },
      });
      expect(transfer.parsed).to.deep.equal({
        type: "transfer",
        info: {
          source: payerAta.toBase58(),
          destination: aliceAta.toBase58(),
          amount: "1000000",
          authority: payer.publicKey.toBase58(),
        },
      });
      expect(checked.parsed).to.deep.equal({
        type: "transferChecked",
        info: {
          source: payerAta.toBase58(),
          mint: mint.publicKey.toBase58(),
          destination: aliceAta.toBase58(),
          tokenAmount: { amount: "1500000", decimals: 6, uiAmount: 1.5, uiAmountString: "1.5" },
          authority: payer.publicKey.toBase58(),
        },
      });
      // The associated token program's CPIs are parsed too, at stack height 2.
      const inner = result.meta.innerInstructions.find((i: any) => i.index === 0).instructions;
      const init = inner.find((ix: any) => ix.parsed?.type === "initializeAccount3");
      expect(init).to.deep.equal({
        program: "spl-token",
        programId: TOKEN,
        parsed: {
          type: "initializeAccount3",
          info: { account: payerAta.toBase58(), mint: mint.publicKey.toBase58(), owner: payer.publicKey.toBase58() },
        },
        stackHeight: 2,
      });
      expect(inner.some((ix: any) => ix.program === "system" && ix.stackHeight === 2)).to.equal(true);
    });

    it("reports a multisig authority with its signers, and decodes setAuthority", () => {
      const keys = Array.from({ length: 5 }, () => Keypair.generate().publicKey.toBase58());
      const data = Buffer.alloc(9);
      data[0] = 3;
      data.writeBigUInt64LE(18446744073709551615n, 1);
      expect(parseInstruction(TOKEN, [0, 1, 2, 3, 4], data, keys, 1)).to.deep.equal({
        program: "spl-token",
        programId: TOKEN,
        parsed: {
          type: "transfer",
          info: {
            source: keys[0],
            destination: keys[1],
            amount: "18446744073709551615",
            multisigAuthority: keys[2],
            signers: [keys[3], keys[4]],
          },
        },
        stackHeight: 1,
      });
      const setAuthority = Buffer.concat([Buffer.from([6, 2, 1]), new PublicKey(keys[4]).toBuffer()]);
      expect(parseInstruction(TOKEN, [0, 1], setAuthority, keys, null).parsed).to.deep.equal({
        type: "setAuthority",
        info: { account: keys[0], authorityType: "accountOwner", newAuthority: keys[4], authority: keys[1] },
      });
      const revokeMint = Buffer.from([6, 0, 0]);
      expect(parseInstruction(TOKEN, [0, 1], revokeMint, keys, null).parsed).to.deep.equal({
        type: "setAuthority",
        info: { mint: keys[0], authorityType: "mintTokens", newAuthority: null, authority: keys[1] },
      });
    });

    it("leaves instructions that do not decode partially decoded", () => {
      const keys = [Keypair.generate().publicKey.toBase58(), Keypair.generate().publicKey.toBase58()];
      const partial = (programId: string, accounts: number[], data: Buffer) => ({
        programId,
        accounts: accounts.map((i) => keys[i]),
        data: b58encode(data),
        stackHeight: null,
      });
      const cases: [string, number[], Buffer][] = [
        [TOKEN, [0, 1], Buffer.from([3, 1, 2])], // transfer with a truncated amount
        [TOKEN, [0], Buffer.concat([Buffer.from([3]), Buffer.alloc(8)])], // transfer missing accounts
        [TOKEN, [0, 1], Buffer.from([99])], // no such instruction
        [SYSTEM, [0, 1], Buffer.from([2, 0, 0, 0, 1])], // transfer with a truncated amount
        [SYSTEM, [0, 1], Buffer.from([200, 0, 0, 0])],
        [MEMO_PROGRAM, [], Buffer.from([0xc3, 0x28])], // not UTF-8
        [ASSOCIATED_TOKEN_PROGRAM_ID.toBase58(), [0, 1], Buffer.from([1])], // too few accounts
      ];
      for (const [programId, accounts, data] of cases) {
        expect(
          parseInstruction(programId, accounts, data, keys, null),
          `${programId} ${data.toString("hex")}`,
        ).to.deep.equal(partial(programId, accounts, data));
      }
    });
  });

  it("reports AlreadyProcessed when simulating a transaction that landed", async () => {
    // Given a landed transfer
    const tx = new Transaction().add(
      SystemProgram.transfer({
        fromPubkey: payer.publicKey,
        toPubkey: Keypair.generate().publicKey,
        lamports: LAMPORTS_PER_SOL / 100,
      }),
    );
    const signature = await connection.sendTransaction(tx, [payer]);
    const wire = tx.serialize().toString("base64");
    // When it is simulated again, with or without signature checks
    for (const cfg of [{ encoding: "base64" }, { encoding: "base64", sigVerify: true }]) {
      const reply = await rpcCall(net.rpcUrl, "simulateTransaction", [wire, cfg]);
      // Then the simulation reports AlreadyProcessed and runs nothing
      expect(reply.result.value.err).to.equal("AlreadyProcessed");
      expect(reply.result.value.logs).to.deep.equal([]);
    }
    // With a replaced blockhash it is another message, simulated as usual.
    const replaced = await rpcCall(net.rpcUrl, "simulateTransaction", [
      wire,
      { encoding: "base64", replaceRecentBlockhash: true },
    ]);
    expect(replaced.result.value.err).to.equal(null);
    expect((await connection.getSignatureStatus(signature)).value?.err).to.equal(null);
  });

  it("refuses getTransaction at processed commitment, as Agave does", async () => {
    const signature = await connection.requestAirdrop(Keypair.generate().publicKey, LAMPORTS_PER_SOL);
    for (const commitment of ["processed", "recent"]) {
      const reply = await rpcCall(net.rpcUrl, "getTransaction", [signature, { commitment }]);
      expect(reply.error).to.deep.equal({
        code: -32602,
        message: "Method does not support commitment below `confirmed`",
      });
    }
    for (const commitment of ["confirmed", "finalized"]) {
      const reply = await rpcCall(net.rpcUrl, "getTransaction", [signature, { commitment }]);
      expect(reply.result.transaction.signatures[0]).to.equal(signature);
    }
  });

  describe("u64 parameters", () => {
    const raw = async (body: string) => {
      const res = await fetch(net.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
      return (await res.json()) as any;
    };

    it("reads integers above 2^53 exactly", async () => {
      // 2^53 + 1 would round to 2^53 as a double.
      const reply = await raw('{"jsonrpc":"2.0","id":1,"method":"getBlockTime","params":[9007199254740993]}');
      expect(reply.error).to.deep.equal({ code: -32004, message: "Block not available for slot 9007199254740993" });
      const max = await raw('{"jsonrpc":"2.0","id":1,"method":"getBlockTime","params":[18446744073709551615]}');
      expect(max.error.message).to.equal("Block not available for slot 18446744073709551615");
      expect(parseJson("[9007199254740993,-9007199254740993,1.5,1e3,2]")).to.deep.equal([
        9007199254740993n,
        -9007199254740993n,
        1.5,
        1000,
        2,
      ]);
    });

    it("refuses out-of-range, negative and fractional values with -32602 saying which", async () => {
      const cases: [string, string][] = [
        [
          "18446744073709551616",
          "Invalid params: invalid value: integer `18446744073709551616`, expected u64 (0 to 18446744073709551615).",
        ],
        ["-1", "Invalid params: invalid value: integer `-1`, expected u64 (0 to 18446744073709551615)."],
        [
          "-99999999999999999999",
          "Invalid params: invalid value: integer `-99999999999999999999`, expected u64 (0 to 18446744073709551615).",
        ],
        ["1.5", "Invalid params: invalid type: floating point `1.5`, expected u64."],
        ["1e20", "Invalid params: invalid type: floating point `100000000000000000000`, expected u64."],
        ['"7"', 'Invalid params: invalid type: string "7", expected u64.'],
      ];
      for (const [value, message] of cases) {
        const reply = await raw(
          `{"jsonrpc":"2.0","id":1,"method":"requestAirdrop","params":["${payer.publicKey.toBase58()}",${value}]}`,
        );
        expect(reply.error, value).to.deep.equal({ code: -32602, message });
      }
    });
  });

  it("says what was wrong once in -32602 messages", async () => {
    const cases: [string, unknown, string][] = [
      ["getBalance", ["bad"], "Invalid param: WrongSize"],
      ["getBalance", ["0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl"], "Invalid param: Invalid"],
      ["getBalance", "x", 'Invalid params: invalid type: string "x", expected a sequence.'],
      ["getBalance", [], "Invalid params: invalid length 0, expected at least 1 parameter(s)."],
      ["getAccountInfo", [SYSTEM, 7], "Invalid params: invalid type: integer `7`, expected a config object."],
      ["getSignatureStatuses", [[1]], "Invalid param: WrongSize"],
      ["getMultipleAccounts", [Array(101).fill(SYSTEM)], "Too many inputs provided; max 100"],
    ];
    for (const [method, params, message] of cases) {
      const reply = await rpcCall(net.rpcUrl, method, params as unknown[]);
      expect(reply.error, `${method} ${JSON.stringify(params)}`).to.deep.equal({ code: -32602, message });
    }
  });
});
