import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import { buildCandles, mergeTicks, publishedPriceTicks, type PriceTick } from "../src/candles";
import { priceFeedPda, publishPriceIx } from "../src/publisher";

const p = (usd: number) => new BN(Math.round(usd * 1e9).toString());
const tick = (time: number, usd: number): PriceTick => ({ time, price: p(usd) });
const plain = (c: { time: number; open: BN; high: BN; low: BN; close: BN; ticks: number }) => ({
  time: c.time,
  o: c.open.toString(),
  h: c.high.toString(),
  l: c.low.toString(),
  c: c.close.toString(),
  n: c.ticks,
});

describe("candles", () => {
  it("buckets ticks into OHLC candles by interval start, in time order", () => {
    // Given ticks out of order over three minutes with a gap in the second
    const ticks = [tick(125, 151), tick(60, 150), tick(61, 152), tick(119, 149), tick(180, 148), tick(130, 153)];
    // When built into 1-minute candles
    const candles = buildCandles(ticks, 60).map(plain);
    // Then each minute has its first, highest, lowest and last price
    expect(candles).to.deep.equal([
      { time: 60, o: p(150).toString(), h: p(152).toString(), l: p(149).toString(), c: p(149).toString(), n: 3 },
      { time: 120, o: p(151).toString(), h: p(153).toString(), l: p(151).toString(), c: p(153).toString(), n: 2 },
      { time: 180, o: p(148).toString(), h: p(148).toString(), l: p(148).toString(), c: p(148).toString(), n: 1 },
    ]);
  });

  it("keeps the given order of ticks at the same second, skips non-positive prices, and leaves empty intervals out", () => {
    const candles = buildCandles(
      [tick(10, 2), tick(10, 3), tick(10, 1), { time: 11, price: new BN(0) }, tick(100, 5)],
      15,
    ).map(plain);
    expect(candles).to.deep.equal([
      { time: 0, o: p(2).toString(), h: p(3).toString(), l: p(1).toString(), c: p(1).toString(), n: 3 },
      { time: 90, o: p(5).toString(), h: p(5).toString(), l: p(5).toString(), c: p(5).toString(), n: 1 },
    ]);
  });

  it("refuses an interval that is not a positive whole number of seconds", () => {
    expect(() => buildCandles([], 0)).to.throw(/positive whole number/);
    expect(() => buildCandles([], 1.5)).to.throw(/positive whole number/);
  });

  it("merges live and past ticks without duplicates", () => {
    const merged = mergeTicks([tick(3, 1), tick(1, 1)], [tick(1, 1), tick(2, 2)]);
    expect(merged.map((t) => [t.time, t.price.toString()])).to.deep.equal([
      [1, p(1).toString()],
      [2, p(2).toString()],
      [3, p(1).toString()],
    ]);
  });

  it("reads the publisher's updates of an oracle as ticks at their publish time, scaled to 9 decimals, for that oracle only", () => {
    const authority = PublicKey.unique();
    const feedId = Buffer.alloc(32, 7);
    const oracle = priceFeedPda(feedId)[0];
    const landed = (ix: TransactionInstruction) => ({
      programId: ix.programId,
      keys: ix.keys.map((k) => k.pubkey),
      data: ix.data,
    });
    const signed = publishPriceIx({
      authority,
      feedId,
      price: new BN("15012345678"),
      exponent: -8,
      publishTime: new BN(1_700_000_000),
    });
    const clock = publishPriceIx({ authority, feedId, price: new BN("14900000000"), exponent: -8 });
    const other = publishPriceIx({
      authority,
      feedId: Buffer.alloc(32, 8),
      price: new BN(1),
      exponent: -8,
      publishTime: new BN(1),
    });
    const transfer = SystemProgram.transfer({ fromPubkey: authority, toPubkey: oracle, lamports: 1 });
    const ticks = publishedPriceTicks([signed, clock, other, transfer].map(landed), oracle, 1_700_000_005);
    expect(ticks.map((t) => [t.time, t.price.toString()])).to.deep.equal([
      [1_700_000_000, "150123456780"],
      [1_700_000_005, "149000000000"],
    ]);
    // Without a block time, an update that let the clock choose has no known time.
    expect(publishedPriceTicks([clock].map(landed), oracle, null)).to.deep.equal([]);
    // Truncated data is not an update.
    expect(publishedPriceTicks([{ ...landed(signed), data: signed.data.subarray(0, 40) }], oracle, 0)).to.deep.equal(
      [],
    );
  });
});
