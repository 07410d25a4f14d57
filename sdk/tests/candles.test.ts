import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import { buildCandles, mergeTicks, testPriceTick, type PriceTick } from "../src/candles";

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
    const candles = buildCandles([tick(10, 2), tick(10, 3), tick(10, 1), { time: 11, price: new BN(0) }, tick(100, 5)], 15).map(plain);
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

  it("reads a test oracle update as a tick at its publish time, scaled to 9 decimals, for its custody only", () => {
    const custody = PublicKey.unique();
    const event = { name: "testPriceSet", data: { custody, price: new BN("15012345678"), emaPrice: new BN(1), conf: new BN(0), expo: -8, publishTime: new BN(1_700_000_000) } };
    const t = testPriceTick(event, custody)!;
    expect(t.time).to.equal(1_700_000_000);
    expect(t.price.toString()).to.equal("150123456780");
    expect(testPriceTick(event, PublicKey.unique())).to.equal(null);
    expect(testPriceTick({ name: "liquidityAdded", data: {} }, custody)).to.equal(null);
  });
});
