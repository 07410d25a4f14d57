/**
 * The position instructions share one checked context for their first nine accounts
 * (`TradeAccounts` in programs/perpool/src/processor/trade.rs). A list shorter than the
 * instruction's is refused with NotEnoughAccounts before any other check, as when each
 * instruction destructured its whole list first: a short list that is also wrong in one of the
 * shared accounts (a paused market, a read-only owner, a custody in the pool's place) reports
 * the missing accounts, and nothing moves.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import {
  PauseFlags,
  Side,
  decreasePositionIx,
  fetchPosition,
  increasePositionIx,
  liquidatePositionIx,
  positionPda,
  setPauseIx,
} from "../sdk/src";
import { AssetSpec, fundedPool, units } from "./fixtures";
import { expectProgramError, send, withAccount, withoutAccounts } from "./helpers";

const USD = (n: number) => units(n, 6);
const USDC = (n: number) => units(n, 6);
const SOL = (n: number) => units(n, 9);
const MAX = new BN("18446744073709551615");
const ZERO = new BN(0);

const ASSETS: AssetSpec[] = [
  { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000, spreadBps: 10, maxLeverageBps: 500_000 } },
  { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5000 } },
];

async function openShort() {
  const { f } = await fundedPool(ASSETS);
  const trader = await f.user({ SOL: SOL(100), USDC: USDC(100_000) });
  const open = await increasePositionIx(f.ctx.program, await f.state(), {
    owner: trader.kp.publicKey,
    side: Side.SHORT,
    custody: f.assets.SOL.custody,
    collateralCustody: f.assets.USDC.custody,
    fundingAccount: trader.tokens.USDC,
    sizeUsd: USD(2_000),
    collateralAmount: USDC(500),
    acceptablePrice: ZERO,
  });
  await send(f.ctx, [open], [trader.kp]);
  const key = positionPda(trader.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.USDC.custody, Side.SHORT)[0];
  const s = await f.state();
  const watch: PublicKey[] = [key, ...s.custodies.flatMap((c) => [c.address, c.account.vault]), trader.tokens.USDC];
  return { f, trader, key, watch };
}

describe("position instructions: a short account list is answered with NotEnoughAccounts first", () => {
  it("increase_position: 11 of 12 accounts while trading is paused", async () => {
    const { f, trader, watch } = await openShort();
    const ix = await increasePositionIx(f.ctx.program, await f.state(), {
      owner: trader.kp.publicKey,
      side: Side.LONG,
      custody: f.assets.SOL.custody,
      collateralCustody: f.assets.USDC.custody,
      fundingAccount: trader.tokens.USDC,
      sizeUsd: USD(1_000),
      collateralAmount: USDC(300),
      acceptablePrice: MAX,
    });
    await send(f.ctx, [await setPauseIx(f.ctx.program, f.ctx.admin.publicKey, PauseFlags.TRADING)]);
    await expectProgramError(f.ctx, [withoutAccounts(ix, 11)], "NotEnoughAccounts", watch, [trader.kp]);
  });

  it("decrease_position: 10 of 11 accounts with a read-only owner", async () => {
    const { f, trader, key, watch } = await openShort();
    const p = (await fetchPosition(f.ctx.program, key))!;
    const ix = await decreasePositionIx(f.ctx.program, await f.state(), {
      position: p,
      receivingAccount: trader.tokens.USDC,
      sizeUsd: USD(2_000),
      collateralOut: ZERO,
      acceptablePrice: MAX,
    });
    const short = withAccount(withoutAccounts(ix, 10), 0, { isWritable: false });
    await expectProgramError(f.ctx, [short], "NotEnoughAccounts", watch, [trader.kp]);
  });

  it("liquidate_position: 12 of 13 accounts with a custody in the pool's place", async () => {
    const { f, trader, key, watch } = await openShort();
    const keeper = await f.user({ USDC: USDC(1) });
    const p = (await fetchPosition(f.ctx.program, key))!;
    const ix = await liquidatePositionIx(f.ctx.program, await f.state(), {
      keeper: keeper.kp.publicKey,
      position: p,
      keeperAccount: keeper.tokens.USDC,
      ownerAccount: trader.tokens.USDC,
    });
    const short = withAccount(withoutAccounts(ix, 12), 2, { pubkey: f.assets.SOL.custody });
    await expectProgramError(f.ctx, [short], "NotEnoughAccounts", watch, [keeper.kp]);
  });
});
