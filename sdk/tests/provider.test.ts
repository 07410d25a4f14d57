import * as anchor from "@coral-xyz/anchor";
import {
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SendTransactionError,
  SystemProgram,
  Transaction,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import {
  LiteSvmProvider,
  LiteSvmSendTransactionError,
  SimulateError,
  createMint,
  createTokenAccount,
  decodeMint,
  decodeTokenAccount,
  getTokenBalance,
  mintTo,
  token,
} from "../src/provider";

const TOKEN_PROGRAM_ID = token.TOKEN_PROGRAM_ID;

/** Awaits `promise` and returns what it rejected with; fails the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  expect.fail("expected the promise to reject");
}

/**
 * A minimal anchor IDL for the SPL Token program itself. SPL Token encodes
 * Transfer as `[3, amount u64 LE]`, which is what anchor produces for an
 * instruction with the 1-byte discriminator `[3]` and one `u64` argument.
 * Token accounts and mints carry no discriminator, so their account types
 * declare an empty one; the `COption` fields are spelled out as u32 tags.
 */
const SPL_TOKEN_IDL: anchor.Idl = {
  address: TOKEN_PROGRAM_ID.toBase58(),
  metadata: { name: "splTokenMinimal", version: "0.1.0", spec: "0.1.0" },
  instructions: [
    {
      name: "transfer",
      discriminator: [3],
      accounts: [
        { name: "source", writable: true },
        { name: "destination", writable: true },
        { name: "authority", signer: true },
      ],
      args: [{ name: "amount", type: "u64" }],
    },
  ],
  accounts: [
    { name: "TokenAccount", discriminator: [] },
    { name: "Mint", discriminator: [] },
  ],
  types: [
    {
      name: "TokenAccount",
      type: {
        kind: "struct",
        fields: [
          { name: "mint", type: "pubkey" },
          { name: "owner", type: "pubkey" },
          { name: "amount", type: "u64" },
        ],
      },
    },
    {
      name: "Mint",
      type: {
        kind: "struct",
        fields: [
          { name: "mintAuthorityTag", type: "u32" },
          { name: "mintAuthority", type: "pubkey" },
          { name: "supply", type: "u64" },
          { name: "decimals", type: "u8" },
          { name: "isInitialized", type: "bool" },
        ],
      },
    },
  ],
  errors: [{ code: 1, name: "InsufficientFunds", msg: "Insufficient funds" }],
};

/** A funded keypair. */
function funded(provider: LiteSvmProvider, sol = 10): Keypair {
  const kp = Keypair.generate();
  provider.airdrop(kp.publicKey, BigInt(sol) * BigInt(LAMPORTS_PER_SOL));
  return kp;
}

describe("LiteSvmProvider", () => {
  describe("construction and connection", () => {
    const provider = new LiteSvmProvider();

    it("funds the default wallet and answers like a Connection", async () => {
      const conn = provider.connection;
      expect(await conn.getBalance(provider.publicKey)).to.equal(1_000 * LAMPORTS_PER_SOL);
      expect(provider.wallet.publicKey.equals(provider.publicKey)).to.equal(true);

      const { blockhash, lastValidBlockHeight } = await conn.getLatestBlockhash();
      expect(blockhash).to.equal(provider.svm.latestBlockhash());
      expect(lastValidBlockHeight).to.be.greaterThan(await conn.getSlot());

      expect(await conn.getMinimumBalanceForRentExemption(165)).to.be.greaterThan(
        await conn.getMinimumBalanceForRentExemption(0),
      );

      const info = await conn.getAccountInfoAndContext(provider.publicKey);
      expect(info.context.slot).to.equal(await conn.getSlot());
      expect(info.value!.owner.equals(SystemProgram.programId)).to.equal(true);

      const missing = Keypair.generate().publicKey;
      expect(await conn.getAccountInfo(missing)).to.equal(null);
      const many = await conn.getMultipleAccountsInfo([provider.publicKey, missing]);
      expect(many[0]!.lamports).to.equal(1_000 * LAMPORTS_PER_SOL);
      expect(many[1]).to.equal(null);
      const manyCtx = await conn.getMultipleAccountsInfoAndContext([missing]);
      expect(manyCtx.value).to.deep.equal([null]);

      // A fresh VM gets a realistic clock instead of litesvm's unix_timestamp 0. (A VM of its own:
      // the suite's is made when the file loads, which on a busy machine is minutes before this runs.)
      const before = Math.floor(Date.now() / 1000);
      const fresh = new LiteSvmProvider();
      const after = Math.floor(Date.now() / 1000);
      expect(Number(fresh.getClock().unixTimestamp)).to.be.within(before, after);
    });

    it("reuses a given VM and wallet, funding the wallet only when empty", () => {
      const wallet = new anchor.Wallet(Keypair.generate());
      const second = new LiteSvmProvider(provider.svm, wallet, { walletLamports: 5n * BigInt(LAMPORTS_PER_SOL) });
      expect(second.svm).to.equal(provider.svm);
      expect(second.balance(wallet.publicKey)).to.equal(5n * BigInt(LAMPORTS_PER_SOL));
      const third = new LiteSvmProvider(provider.svm, wallet);
      expect(third.balance(wallet.publicKey)).to.equal(5n * BigInt(LAMPORTS_PER_SOL));
    });

    it("writes and reads raw accounts", async () => {
      const key = Keypair.generate().publicKey;
      const owner = Keypair.generate().publicKey;
      provider.setAccount(key, { lamports: 1_000_000, data: Buffer.from([1, 2, 3]), owner });
      expect(provider.getAccountRaw(key)).to.deep.equal(Buffer.from([1, 2, 3]));
      const info = await provider.connection.getAccountInfo(key);
      expect(info!.owner.equals(owner)).to.equal(true);
      expect(info!.lamports).to.equal(1_000_000);
      expect(provider.getAccountRaw(Keypair.generate().publicKey)).to.equal(null);
    });
  });

  describe("sending transactions", () => {
    const provider = new LiteSvmProvider();
    const recipient = Keypair.generate().publicKey;
    const transferIx = () =>
      SystemProgram.transfer({ fromPubkey: provider.publicKey, toPubkey: recipient, lamports: LAMPORTS_PER_SOL });

    it("executes a system transfer and records logs and compute units", async () => {
      const before = await provider.connection.getBalance(provider.publicKey);
      const sig = await provider.sendAndConfirm(new Transaction().add(transferIx()));

      expect(await provider.connection.getBalance(recipient)).to.equal(LAMPORTS_PER_SOL);
      // The sender also pays the 5000-lamport signature fee.
      expect(await provider.connection.getBalance(provider.publicKey)).to.equal(before - LAMPORTS_PER_SOL - 5000);

      const result = provider.getTxResult(sig)!;
      expect(result.signature).to.equal(sig);
      expect(result.err).to.equal(null);
      expect(result.logs).to.include("Program 11111111111111111111111111111111 success");
      expect(result.computeUnits).to.be.greaterThan(0);
      expect(provider.lastResult).to.equal(result);

      const status = await provider.connection.getSignatureStatus(sig);
      expect(status.value!.err).to.equal(null);
      const fetched = await provider.connection.getTransaction(sig);
      expect(fetched!.meta!.logMessages).to.deep.equal(result.logs);
    });

    it("sends identical transactions twice without a duplicate collision", async () => {
      const a = await provider.sendAndConfirm(new Transaction().add(transferIx()));
      const b = await provider.sendAndConfirm(new Transaction().add(transferIx()));
      expect(a).to.not.equal(b);
      expect(await provider.connection.getBalance(recipient)).to.equal(3 * LAMPORTS_PER_SOL);
    });

    it("sends a VersionedTransaction, re-stamping a stale blockhash", async () => {
      const extraSigner = funded(provider);
      const { blockhash } = await provider.connection.getLatestBlockhash();
      const message = new TransactionMessage({
        payerKey: provider.publicKey,
        recentBlockhash: blockhash,
        instructions: [
          transferIx(),
          SystemProgram.transfer({ fromPubkey: extraSigner.publicKey, toPubkey: recipient, lamports: 1000 }),
        ],
      }).compileToV0Message();
      const tx = new VersionedTransaction(message);
      // Another transaction lands first: `blockhash` is no longer litesvm's latest.
      await provider.sendAndConfirm(new Transaction().add(transferIx()));

      const sig = await provider.sendAndConfirm(tx, [extraSigner]);
      expect(provider.getTxResult(sig)!.err).to.equal(null);
      expect(await provider.connection.getBalance(recipient)).to.equal(5 * LAMPORTS_PER_SOL + 1000);
    });

    it("sendAll sends in order; simulate changes nothing", async () => {
      const sigs = await provider.sendAll([
        { tx: new Transaction().add(transferIx()) },
        { tx: new Transaction().add(transferIx()) },
      ]);
      expect(sigs).to.have.length(2);
      expect(await provider.connection.getBalance(recipient)).to.equal(7 * LAMPORTS_PER_SOL + 1000);

      const sim = await provider.simulate(new Transaction().add(transferIx()));
      expect(sim.logs).to.include("Program 11111111111111111111111111111111 success");
      expect(sim.unitsConsumed).to.be.greaterThan(0);
      expect(await provider.connection.getBalance(recipient)).to.equal(7 * LAMPORTS_PER_SOL + 1000);

      // Post-simulation state of chosen accounts, as the RPC's `accounts` option returns it.
      const withAccounts = await provider.simulate(new Transaction().add(transferIx()), [], undefined, [recipient]);
      expect(withAccounts.accounts![0]!.lamports).to.equal(8 * LAMPORTS_PER_SOL + 1000);
    });

    it("serves web3's sendAndConfirmTransaction through the connection", async () => {
      const payer = Keypair.generate();
      await provider.connection.requestAirdrop(payer.publicKey, 2 * LAMPORTS_PER_SOL);
      const tx = new Transaction().add(
        SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports: 1000 }),
      );
      const sig = await sendAndConfirmTransaction(provider.connection, tx, [payer]);
      expect(provider.getTxResult(sig)!.err).to.equal(null);
      expect(await provider.connection.getBalance(recipient)).to.equal(7 * LAMPORTS_PER_SOL + 2000);
    });
  });

  describe("SPL Token helpers", () => {
    const provider = new LiteSvmProvider();
    const mintAuthority = Keypair.generate();
    const alice = Keypair.generate();
    const bob = Keypair.generate();
    let mint: PublicKey;
    let aliceAccount: PublicKey;
    let bobAccount: PublicKey;

    it("creates a mint and token accounts, mints and transfers", async () => {
      mint = await createMint(provider, 6, mintAuthority.publicKey);
      const mintState = decodeMint(provider.getAccountRaw(mint)!);
      expect(mintState.decimals).to.equal(6);
      expect(mintState.supply.toNumber()).to.equal(0);
      expect(mintState.isInitialized).to.equal(true);
      expect(mintState.mintAuthority!.equals(mintAuthority.publicKey)).to.equal(true);
      expect(mintState.freezeAuthority).to.equal(null);

      aliceAccount = await createTokenAccount(provider, mint, alice.publicKey);
      bobAccount = await createTokenAccount(provider, mint, bob.publicKey);
      const aliceState = decodeTokenAccount(provider.getAccountRaw(aliceAccount)!);
      expect(aliceState.mint.equals(mint)).to.equal(true);
      expect(aliceState.owner.equals(alice.publicKey)).to.equal(true);
      expect(aliceState.amount.toNumber()).to.equal(0);
      expect(aliceState.state).to.equal(1);

      await mintTo(provider, mint, aliceAccount, mintAuthority, new BN(1_000_000));
      await provider.sendAndConfirm(
        new Transaction().add(token.createTransferInstruction(aliceAccount, bobAccount, alice.publicKey, 250_000)),
        [alice],
      );

      expect(getTokenBalance(provider, aliceAccount).toNumber()).to.equal(750_000);
      expect(getTokenBalance(provider, bobAccount).toNumber()).to.equal(250_000);
      expect(token.getMint(provider, mint).supply.toNumber()).to.equal(1_000_000);

      const balance = await provider.connection.getTokenAccountBalance(aliceAccount);
      expect(balance.value).to.deep.include({ amount: "750000", decimals: 6, uiAmountString: "0.75", uiAmount: 0.75 });
    });

    it("mints with the wallet as authority and transfers with the helper", async () => {
      const walletMint = await createMint(provider, 0, provider.publicKey);
      const account = await createTokenAccount(provider, walletMint, alice.publicKey);
      const other = await createTokenAccount(provider, walletMint, bob.publicKey);
      await mintTo(provider, walletMint, account, provider.publicKey, 5n);
      await token.transfer(provider, account, other, alice, 2);
      expect(getTokenBalance(provider, account).toNumber()).to.equal(3);
      expect(getTokenBalance(provider, other).toNumber()).to.equal(2);
    });

    it("filters getProgramAccounts by dataSize and memcmp", async () => {
      const ofMint = await provider.connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
        filters: [{ dataSize: token.TOKEN_ACCOUNT_SIZE }, { memcmp: { offset: 0, bytes: mint.toBase58() } }],
      });
      expect(ofMint.map((a) => a.pubkey.toBase58()).sort()).to.deep.equal(
        [aliceAccount.toBase58(), bobAccount.toBase58()].sort(),
      );
      const ofAlice = await provider.connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
        filters: [
          { memcmp: { offset: 0, bytes: mint.toBase58() } },
          { memcmp: { offset: 32, bytes: alice.publicKey.toBase58() } },
        ],
      });
      expect(ofAlice).to.have.length(1);
      expect(ofAlice[0].pubkey.equals(aliceAccount)).to.equal(true);
      expect(ofAlice[0].account.data.length).to.equal(token.TOKEN_ACCOUNT_SIZE);

      // dataSlice and withContext, through the typed connection.
      const sliced = await provider.liteConnection.getProgramAccounts(TOKEN_PROGRAM_ID, {
        filters: [{ memcmp: { offset: 32, bytes: alice.publicKey.toBase58() } }],
        dataSlice: { offset: 64, length: 8 },
        withContext: true,
      });
      expect(sliced.context.slot).to.equal(await provider.connection.getSlot());
      // Alice owns two token accounts: 750_000 of `mint` and 3 of the wallet's mint.
      const amounts = sliced.value.map((a) => a.account.data.readBigUInt64LE(0));
      expect(amounts.sort((x, y) => Number(x - y))).to.deep.equal([3n, 750_000n]);
    });
  });

  describe("failures and anchor error translation", () => {
    const provider = new LiteSvmProvider();
    const program = new anchor.Program(SPL_TOKEN_IDL, provider);
    // The IDL is typed as the generic `Idl`, whose account namespace has no
    // named members; index it by name instead.
    const accounts = program.account as unknown as Record<string, anchor.AccountClient>;
    const mintAuthority = Keypair.generate();
    const alice = Keypair.generate();
    const bob = Keypair.generate();
    let mint: PublicKey;
    let aliceAccount: PublicKey;
    let bobAccount: PublicKey;

    before(async () => {
      mint = await createMint(provider, 6, mintAuthority.publicKey);
      aliceAccount = await createTokenAccount(provider, mint, alice.publicKey);
      bobAccount = await createTokenAccount(provider, mint, bob.publicKey);
      await mintTo(provider, mint, aliceAccount, mintAuthority, 100);
    });

    it("throws SendTransactionError with the runtime's logs", async () => {
      const overdraw = new Transaction().add(
        token.createTransferInstruction(aliceAccount, bobAccount, alice.publicKey, 1_000),
      );
      const err = await rejection(provider.sendAndConfirm(overdraw, [alice]));
      expect(err).to.be.instanceOf(SendTransactionError);
      expect(err).to.be.instanceOf(LiteSvmSendTransactionError);
      expect(err.logs.some((l: string) => l.endsWith("failed: custom program error: 0x1"))).to.equal(true);
      expect(err.customErrorCode).to.equal(1);
      expect(err.result.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
      expect(provider.lastResult).to.equal(err.result);
      expect(provider.getTxResult(err.result.signature)).to.equal(err.result);
      expect((await provider.connection.confirmTransaction(err.result.signature)).value.err).to.deep.equal({
        InstructionError: [0, { Custom: 1 }],
      });
      // Nothing moved.
      expect(getTokenBalance(provider, aliceAccount).toNumber()).to.equal(100);

      // A built-in instruction error is named like the RPC names it.
      const tooFewAccounts = new Transaction().add(
        new TransactionInstruction({
          programId: TOKEN_PROGRAM_ID,
          keys: [],
          data: Buffer.from([3, 1, 0, 0, 0, 0, 0, 0, 0]),
        }),
      );
      const err2 = await rejection(provider.sendAndConfirm(tooFewAccounts));
      expect(err2.result.err).to.deep.equal({ InstructionError: [0, "NotEnoughAccountKeys"] });
      expect(err2.customErrorCode).to.equal(null);
    });

    it("builds instructions through anchor that match SPL Token's encoding", async () => {
      const ix = await program.methods
        .transfer(new BN(7))
        .accounts({ source: aliceAccount, destination: bobAccount, authority: alice.publicKey })
        .instruction();
      const reference = token.createTransferInstruction(aliceAccount, bobAccount, alice.publicKey, 7);
      expect(ix.data).to.deep.equal(reference.data);
      expect(ix.keys).to.deep.equal(reference.keys);
    });

    it("rpc() succeeds, and a custom error becomes an anchor ProgramError", async () => {
      await program.methods
        .transfer(new BN(40))
        .accounts({ source: aliceAccount, destination: bobAccount, authority: alice.publicKey })
        .signers([alice])
        .rpc();
      expect(getTokenBalance(provider, aliceAccount).toNumber()).to.equal(60);
      expect(getTokenBalance(provider, bobAccount).toNumber()).to.equal(40);

      const err = await rejection(
        program.methods
          .transfer(new BN(1_000))
          .accounts({ source: aliceAccount, destination: bobAccount, authority: alice.publicKey })
          .signers([alice])
          .rpc(),
      );
      expect(err).to.be.instanceOf(anchor.ProgramError);
      expect(err.code).to.equal(1);
      expect(err.msg).to.equal("Insufficient funds");
      expect(err.logs.some((l: string) => l.includes("custom program error: 0x1"))).to.equal(true);
      expect(err.program.equals(TOKEN_PROGRAM_ID)).to.equal(true);
    });

    it("a custom code missing from the IDL stays a SendTransactionError with the code", async () => {
      // Bob signs for Alice's account: spl-token's OwnerMismatch (4).
      const err = await rejection(
        program.methods
          .transfer(new BN(1))
          .accounts({ source: aliceAccount, destination: bobAccount, authority: bob.publicKey })
          .signers([bob])
          .rpc(),
      );
      expect(err).to.not.be.instanceOf(anchor.ProgramError);
      expect(err).to.be.instanceOf(SendTransactionError);
      expect(err.customErrorCode).to.equal(4);
      expect(err.logs.some((l: string) => l.includes("custom program error: 0x4"))).to.equal(true);
    });

    it("simulate() returns logs, and translates a failing simulation", async () => {
      const ok = await program.methods
        .transfer(new BN(1))
        .accounts({ source: aliceAccount, destination: bobAccount, authority: alice.publicKey })
        .signers([alice])
        .simulate();
      expect(ok.raw.some((l) => l.startsWith(`Program ${TOKEN_PROGRAM_ID.toBase58()} success`))).to.equal(true);
      expect(getTokenBalance(provider, aliceAccount).toNumber()).to.equal(60);

      // No signer given: simulated without signature verification, like the RPC.
      const err = await rejection(
        program.methods
          .transfer(new BN(1_000))
          .accounts({ source: aliceAccount, destination: bobAccount, authority: alice.publicKey })
          .simulate(),
      );
      expect(err).to.be.instanceOf(anchor.ProgramError);
      expect(err.code).to.equal(1);

      const direct = await rejection(
        provider.simulate(
          new Transaction().add(token.createTransferInstruction(aliceAccount, bobAccount, alice.publicKey, 1_000)),
        ),
      );
      expect(direct).to.be.instanceOf(SimulateError);
      expect(direct.customErrorCode).to.equal(1);
      expect(direct.simulationResponse.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
    });

    it("fetches discriminator-less accounts through program.account", async () => {
      const acc: any = await accounts.tokenAccount.fetch(aliceAccount);
      expect(acc.mint.equals(mint)).to.equal(true);
      expect(acc.owner.equals(alice.publicKey)).to.equal(true);
      expect(acc.amount.toNumber()).to.equal(60);

      const mintAcc: any = await accounts.mint.fetch(mint);
      expect(mintAcc.mintAuthority.equals(mintAuthority.publicKey)).to.equal(true);
      expect(mintAcc.supply.toNumber()).to.equal(100);
      expect(mintAcc.decimals).to.equal(6);

      expect(await accounts.tokenAccount.fetchNullable(Keypair.generate().publicKey)).to.equal(null);
      const [a, missing] = await accounts.tokenAccount.fetchMultiple([bobAccount, Keypair.generate().publicKey]);
      expect((a as any).amount.toNumber()).to.equal(40);
      expect(missing).to.equal(null);

      const all = await accounts.tokenAccount.all([{ dataSize: token.TOKEN_ACCOUNT_SIZE }]);
      expect(all.map((x) => x.publicKey.toBase58()).sort()).to.deep.equal(
        [aliceAccount.toBase58(), bobAccount.toBase58()].sort(),
      );

      // An account planted with setAccount reads back the same way.
      const planted = Keypair.generate().publicKey;
      const data = Buffer.alloc(token.TOKEN_ACCOUNT_SIZE);
      mint.toBuffer().copy(data, 0);
      bob.publicKey.toBuffer().copy(data, 32);
      new BN(123).toArrayLike(Buffer, "le", 8).copy(data, 64);
      data[108] = 1;
      provider.setAccount(planted, { lamports: LAMPORTS_PER_SOL, data, owner: TOKEN_PROGRAM_ID });
      const plantedAcc: any = await accounts.tokenAccount.fetch(planted);
      expect(plantedAcc.amount.toNumber()).to.equal(123);
      expect(getTokenBalance(provider, planted).toNumber()).to.equal(123);
    });
  });

  describe("clock", () => {
    const provider = new LiteSvmProvider(undefined, undefined, { unixTimestamp: 1_700_000_000 });
    const CLOCK_SYSVAR = new PublicKey("SysvarC1ock11111111111111111111111111111111");

    it("starts from the requested timestamp", () => {
      expect(provider.svm.getClock().unixTimestamp).to.equal(1_700_000_000n);
    });

    it("warps seconds, timestamps and slots", async () => {
      const start = provider.getClock();
      provider.warpSeconds(3_600);
      const later = provider.svm.getClock();
      expect(later.unixTimestamp).to.equal(start.unixTimestamp + 3_600n);
      // 400 ms slots: an hour is 9_000 slots.
      expect(later.slot).to.equal(start.slot + 9_000n);

      provider.setUnixTimestamp(1_800_000_000);
      expect(provider.getClock().unixTimestamp).to.equal(1_800_000_000n);
      expect(await provider.connection.getBlockTime(0)).to.equal(1_800_000_000);

      const slot = provider.getClock().slot;
      provider.warpSlots(5);
      expect(provider.getClock().slot).to.equal(slot + 5n);
      expect(provider.getClock().unixTimestamp).to.equal(1_800_000_000n);
      expect(await provider.connection.getSlot()).to.equal(Number(slot + 5n));
    });

    it("is what programs read from the Clock sysvar", async () => {
      provider.setUnixTimestamp(1_900_000_000);
      // Clock layout: slot u64, epoch_start_timestamp i64, epoch u64,
      // leader_schedule_epoch u64, unix_timestamp i64.
      const data = provider.getAccountRaw(CLOCK_SYSVAR)!;
      expect(data.readBigUInt64LE(0)).to.equal(provider.getClock().slot);
      expect(data.readBigInt64LE(32)).to.equal(1_900_000_000n);
    });
  });
});
