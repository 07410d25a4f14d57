/**
 * The local price publisher (programs/pyth-publisher) at the Pyth receiver's
 * address, driven through the SDK on LiteSVM: the accounts it writes are
 * Pyth `PriceUpdateV2` accounts Perpool accepts; only the first writer updates
 * them; publish time never goes backwards; every refusal names its error and
 * changes nothing.
 */
import { Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  LiteSvmProvider,
  PRICE_PUBLISHER_PROGRAM_ID,
  PRICE_UPDATE_V2_DISCRIMINATOR,
  PRICE_UPDATE_V2_SIZE,
  PUBLISHER_ERRORS,
  PYTH_PUSH_ORACLE_PROGRAM_ID,
  PYTH_RECEIVER_PROGRAM_ID,
  decodePriceUpdateV2,
  feedIdFromHex,
  isPricePublisher,
  priceFeedPda,
  publishPriceIx,
  pythPushFeedAccount,
} from "../sdk/src";
import { testFeedId } from "./fixtures";
import { Ctx, PROGRAM_SO, freshCtx, fundedKeypair, send, snapshot, withAccount, withData } from "./helpers";

const FEED = testFeedId("SOL");
const e8 = (usd: number) => new BN(Math.round(usd * 1e8));
const now = (ctx: Ctx) => new BN(ctx.provider.getClock().unixTimestamp.toString());

const PUBLISHER_CODES = new Map(Object.entries(PUBLISHER_ERRORS).map(([code, name]) => [name, Number(code)]));

/** Sends, expects the publisher's named error, and checks that `watch` did not change. */
async function expectPublisherError(
  ctx: Ctx,
  ixs: TransactionInstruction[],
  name: string,
  watch: PublicKey[],
  signers: Keypair[] = [],
) {
  const code = PUBLISHER_CODES.get(name);
  if (code === undefined) throw new Error(`no publisher error named ${name}`);
  const before = snapshot(ctx, watch);
  let err: any;
  try {
    await ctx.provider.sendAndConfirm(new Transaction().add(...ixs), signers);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name} but the transaction succeeded`).to.not.equal(undefined);
  const logs: string[] = err.logs ?? [];
  expect(logs.join("\n"), `expected ${name}; logs:\n${logs.join("\n")}`).to.contain(
    `Program ${PRICE_PUBLISHER_PROGRAM_ID.toBase58()} failed: custom program error: 0x${code.toString(16)}`,
  );
  expect(snapshot(ctx, watch), "accounts changed by a failed instruction").to.deep.equal(before);
}

function publish(
  authority: PublicKey,
  usd: number,
  o: { publishTime?: BN; ema?: number; conf?: number; feedId?: Buffer; shard?: number } = {},
) {
  return publishPriceIx({
    authority,
    feedId: o.feedId ?? FEED,
    shard: o.shard,
    price: e8(usd),
    emaPrice: e8(o.ema ?? usd),
    conf: e8(o.conf ?? 0),
    exponent: -8,
    publishTime: o.publishTime,
  });
}

describe("price publisher (local clusters, at the Pyth receiver's address)", () => {
  it("creates a fully verified PriceUpdateV2 at the feed's PDA, owned by the receiver's address, the signer its write authority", async () => {
    const ctx = freshCtx();
    ctx.provider.warpSlots(5);
    const [account] = priceFeedPda(FEED);
    await send(ctx, [publish(ctx.admin.publicKey, 150.25, { ema: 149.5, conf: 0.1 })]);
    const a = ctx.provider.getAccount(account)!;
    expect(a.owner.toBase58()).to.equal(PYTH_RECEIVER_PROGRAM_ID.toBase58());
    expect(a.data.length).to.equal(PRICE_UPDATE_V2_SIZE);
    expect(a.data.subarray(0, 8).equals(PRICE_UPDATE_V2_DISCRIMINATOR)).to.equal(true);
    expect(a.lamports).to.equal(Number(ctx.provider.svm.minimumBalanceForRentExemption(BigInt(PRICE_UPDATE_V2_SIZE))));
    const u = decodePriceUpdateV2(a.data);
    expect(u.writeAuthority.toBase58()).to.equal(ctx.admin.publicKey.toBase58());
    expect(u.verification).to.equal("full");
    expect(u.feedId.equals(FEED)).to.equal(true);
    expect([u.price, u.emaPrice, u.conf, u.emaConf].map(String)).to.deep.equal([
      "15025000000",
      "14950000000",
      "10000000",
      "10000000",
    ]);
    expect(u.exponent).to.equal(-8);
    expect(u.publishTime.toString()).to.equal(now(ctx).toString());
    expect(u.prevPublishTime.toString()).to.equal(now(ctx).toString());
    expect(u.postedSlot.toString()).to.equal(ctx.provider.getClock().slot.toString());
  });

  it("lets only the write authority update, with prev_publish_time following and time never going back", async () => {
    const ctx = freshCtx();
    const [account] = priceFeedPda(FEED);
    const t0 = now(ctx);
    await send(ctx, [publish(ctx.admin.publicKey, 100, { publishTime: t0 })]);
    ctx.provider.warpSeconds(10);
    await send(ctx, [publish(ctx.admin.publicKey, 101)]);
    let u = decodePriceUpdateV2(ctx.provider.getAccount(account)!.data);
    expect([u.price.toString(), u.publishTime.toString(), u.prevPublishTime.toString()]).to.deep.equal([
      "10100000000",
      t0.addn(10).toString(),
      t0.toString(),
    ]);

    const stranger = fundedKeypair(ctx);
    await expectPublisherError(
      ctx,
      [publish(stranger.publicKey, 1)],
      "NotWriteAuthority",
      [account, stranger.publicKey],
      [stranger],
    );
    await expectPublisherError(
      ctx,
      [publish(ctx.admin.publicKey, 1, { publishTime: t0.addn(9) })],
      "PublishTimeWentBackwards",
      [account],
    );
    // The same second again is a correction: accepted.
    await send(ctx, [publish(ctx.admin.publicKey, 102, { publishTime: t0.addn(10) })]);
    u = decodePriceUpdateV2(ctx.provider.getAccount(account)!.data);
    expect([u.price.toString(), u.prevPublishTime.toString()]).to.deep.equal(["10200000000", t0.addn(10).toString()]);
    // Another signer may start its own account of the same feed under another shard.
    await send(ctx, [publish(stranger.publicKey, 5, { shard: 1 })], [stranger]);
    expect(
      decodePriceUpdateV2(ctx.provider.getAccount(priceFeedPda(FEED, 1)[0])!.data).writeAuthority.toBase58(),
    ).to.equal(stranger.publicKey.toBase58());
  });

  it("refuses a wrong address, another feed's account, a foreign account, missing signature or writability, and bad data", async () => {
    const ctx = freshCtx();
    const admin = ctx.admin.publicKey;
    const [account] = priceFeedPda(FEED);
    const other = testFeedId("ETH");
    await send(ctx, [publish(admin, 100), publish(admin, 3000, { feedId: other })]);
    const base = publish(admin, 101);
    const [otherAccount] = priceFeedPda(other);
    const random = Keypair.generate().publicKey;
    const foreign = Keypair.generate().publicKey;
    ctx.provider.setAccount(foreign, {
      lamports: 10_000_000,
      data: Buffer.from(ctx.provider.getAccount(account)!.data),
      owner: SystemProgram.programId,
    });
    const watch = [account, otherAccount, random, foreign];
    await expectPublisherError(ctx, [withAccount(base, 1, { pubkey: random })], "InvalidPda", watch);
    await expectPublisherError(ctx, [withAccount(base, 1, { pubkey: otherAccount })], "InvalidPda", watch);
    await expectPublisherError(ctx, [withAccount(base, 1, { isWritable: false })], "AccountNotWritable", watch);
    await expectPublisherError(
      ctx,
      [withAccount(base, 2, { pubkey: PYTH_RECEIVER_PROGRAM_ID })],
      "InvalidSystemProgram",
      watch,
    );
    const signer = fundedKeypair(ctx);
    await expectPublisherError(
      ctx,
      [withAccount(publish(signer.publicKey, 1), 0, { isSigner: false })],
      "MissingSigner",
      watch,
    );
    await expectPublisherError(
      ctx,
      [new TransactionInstruction({ programId: base.programId, keys: base.keys.slice(0, 2), data: base.data })],
      "NotEnoughAccounts",
      watch,
    );
    await expectPublisherError(
      ctx,
      [withData(base, base.data.subarray(0, base.data.length - 1))],
      "InvalidInstructionData",
      watch,
    );
    await expectPublisherError(
      ctx,
      [withData(base, Buffer.concat([base.data, Buffer.from([0])]))],
      "InvalidInstructionData",
      watch,
    );
    await expectPublisherError(ctx, [withData(base, Buffer.alloc(8, 9))], "InvalidInstructionData", watch);
    // A system account already at a feed's PDA with data (cannot happen through the publisher) is refused.
    const [third] = priceFeedPda(testFeedId("BTC"));
    ctx.provider.setAccount(third, { lamports: 10_000_000, data: Buffer.alloc(10), owner: SystemProgram.programId });
    await expectPublisherError(ctx, [publish(admin, 1, { feedId: testFeedId("BTC") })], "InvalidPriceAccount", [third]);
  });

  it("creates an account someone pre-funded (a known way to block account creation)", async () => {
    const ctx = freshCtx();
    const [account] = priceFeedPda(FEED);
    ctx.provider.airdrop(account, 1_000_000n); // less than the rent of 134 bytes: the publisher tops it up
    await send(ctx, [publish(ctx.admin.publicKey, 42)]);
    const a = ctx.provider.getAccount(account)!;
    expect(a.owner.toBase58()).to.equal(PYTH_RECEIVER_PROGRAM_ID.toBase58());
    expect(decodePriceUpdateV2(a.data).price.toString()).to.equal("4200000000");
  });

  it("answers identify, so clients tell it from the real Pyth receiver", async () => {
    const ctx = freshCtx();
    expect(await isPricePublisher(ctx.provider.connection, ctx.admin.publicKey)).to.equal(true);
    // Without it (a cluster with the real receiver, or none) the answer is no.
    const bare = new LiteSvmProvider();
    expect(await isPricePublisher(bare.connection, bare.publicKey)).to.equal(false);
    const impostor = new LiteSvmProvider();
    impostor.addProgram(PYTH_RECEIVER_PROGRAM_ID, PROGRAM_SO);
    expect(await isPricePublisher(impostor.connection, impostor.publicKey)).to.equal(false);
  });

  it("derives accounts with the seeds of Pyth's sponsored feeds (push oracle on real clusters)", () => {
    const feed = feedIdFromHex("0xef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d");
    const shard = Buffer.alloc(2);
    expect(pythPushFeedAccount(feed).toBase58()).to.equal(
      PublicKey.findProgramAddressSync([shard, feed], PYTH_PUSH_ORACLE_PROGRAM_ID)[0].toBase58(),
    );
    expect(priceFeedPda(feed)[0].toBase58()).to.equal(
      PublicKey.findProgramAddressSync([shard, feed], PYTH_RECEIVER_PROGRAM_ID)[0].toBase58(),
    );
    expect(() => feedIdFromHex("abcd")).to.throw("32 bytes");
    expect(() => priceFeedPda(feed, 70_000)).to.throw("u16");
  });
});
