import BN from "bn.js";
import { expect } from "chai";

import {
  AmountError,
  BPS_DENOM,
  INDEX_ONE,
  LP_DECIMALS,
  PRICE_DECIMALS,
  RATE_ONE,
  USD_DECIMALS,
  formatPrice,
  formatUsd,
  parsePrice,
  parseUsd,
} from "../src";

describe("SDK units: constants and exact parse / format", () => {
  it("states the program's precisions", () => {
    expect([USD_DECIMALS, PRICE_DECIMALS, LP_DECIMALS]).to.deep.equal([6, 9, 6]);
    expect(BPS_DENOM.toString()).to.equal("10000");
    expect(RATE_ONE.toString()).to.equal("1000000000");
    expect(INDEX_ONE).to.equal("1000000000000");
  });

  it("parses dollars and prices exactly and formats them back", () => {
    expect(parseUsd("1234.5").toString()).to.equal("1234500000");
    expect(parsePrice("150.123456789").toString()).to.equal("150123456789");
    expect(formatUsd(new BN("1234500000"))).to.equal("1234.5");
    expect(formatPrice(parsePrice("150.25"))).to.equal("150.25");
    // Beyond u53: no float on the way.
    expect(parseUsd("18446744073709.551615").toString()).to.equal("18446744073709551615");
  });

  it("refuses what is not an exact amount, with the value named", () => {
    expect(() => parseUsd("1.0000001")).to.throw(AmountError, /USD amount 1.0000001: at most 6 decimals/);
    expect(() => parsePrice("1e3")).to.throw(AmountError, /price "1e3" is not a number/);
    expect(() => parseUsd("-1")).to.throw(AmountError, /must not be negative/);
  });
});
