/**
 * LP yield with and without parked collateral (issue 14, item 3): a year of the same USDC loans
 * against the same pool, once with nobody else in it and once with 3,000,000 USDC parked as
 * debt-free loan collateral (interest-bearing). Parking must not lower the LPs' yield by more than
 * rounding: interest-bearing collateral is lent only once the pool's own room is used, and earns
 * only what the loans it funds pay. A third run borrows beyond the pool's room, so the parked
 * collateral is lent and earns.
 *
 * Run by `npm run bench` (its lines go into bench/RESULTS.md); LiteSVM, real program.
 */
import BN from "bn.js";

import { borrowIx, depositLoanCollateralIx, fetchCustody, lpPriceUsd, refreshCustodyIx } from "../sdk/src";
import { AssetSpec, PoolFixture, fundedPool, units } from "../tests/fixtures";
import { send } from "../tests/helpers";

const USDC = (n: number) => units(n, 6);
const SOL = (n: number) => units(n, 9);
const DAY = 86_400;

const ASSETS: AssetSpec[] = [
  {
    symbol: "SOL",
    decimals: 9,
    price: 150,
    params: { targetWeightBps: 5000, maxLtvBps: 7_500, liquidationLtvBps: 8_000 },
  },
  {
    symbol: "USDC",
    decimals: 6,
    price: 1,
    params: {
      isStable: true,
      targetWeightBps: 5000,
      collateralEarnsInterest: true,
      bufferBps: 1_000,
      collateralBufferBps: 5_000,
      maxUtilizationBps: 9_500,
    },
  },
];

interface Run {
  lpYield: number;
  parkerYield: number | null;
  borrowed: BN;
  fromCollateral: BN;
}

async function run(parked: BN, borrowUsdc: BN): Promise<Run> {
  const { f } = await fundedPool(ASSETS);
  const borrower = await f.user({ SOL: SOL(20_000) });
  const loanRef = {
    owner: borrower.kp.publicKey,
    collateralCustody: f.assets.SOL.custody,
    borrowCustody: f.assets.USDC.custody,
  };
  let parker = null;
  if (!parked.isZero()) {
    parker = await f.user({ USDC: parked });
    const ref = {
      owner: parker.kp.publicKey,
      collateralCustody: f.assets.USDC.custody,
      borrowCustody: f.assets.SOL.custody,
    };
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: parker.tokens.USDC,
          amount: parked,
        }),
      ],
      [parker.kp],
    );
  }
  await send(
    f.ctx,
    [
      await depositLoanCollateralIx(f.ctx.program, await f.state(), {
        ...loanRef,
        fundingAccount: borrower.tokens.SOL,
        amount: SOL(20_000),
      }),
    ],
    [borrower.kp],
  );
  await send(
    f.ctx,
    [
      await borrowIx(f.ctx.program, await f.state(), {
        ...loanRef,
        receivingAccount: borrower.tokens.USDC,
        amount: borrowUsdc,
      }),
    ],
    [borrower.kp],
  );
  const start = lpPriceUsd(await f.state(), "min", now(f));
  const usdc0 = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
  for (let d = 0; d < 365; d += 5) {
    f.ctx.provider.warpSeconds(5 * DAY);
    await f.setPrice("SOL", 150);
    await f.setPrice("USDC", 1);
    await send(f.ctx, [await refreshCustodyIx(f.ctx.program, f.pool, f.assets.USDC.custody)]);
  }
  const end = lpPriceUsd(await f.state(), "min", now(f));
  const usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
  const room = BN.max(usdc0.owned.sub(usdc0.owned.muln(usdc0.bufferBps).divn(10_000)).sub(usdc0.locked), new BN(0));
  return {
    lpYield: Number(end.sub(start).toString()) / Number(start.toString()),
    // What a unit of parked collateral earned over the year (the collateral index is per token, 12 decimals).
    parkerYield: parker ? Number(usdc.collateralIndex.toString()) / 1e12 : null,
    borrowed: borrowUsdc,
    fromCollateral: BN.max(borrowUsdc.sub(room), new BN(0)),
  };
}

const now = (f: PoolFixture) => new BN(f.ctx.provider.getClock().unixTimestamp.toString());
const pct = (x: number) => `${(x * 100).toFixed(4)} %`;

export async function parkingBench(): Promise<string[]> {
  const borrow = USDC(60_000); // within the pool's own room (≈ 90,000 USDC of 100,000)
  const alone = await run(new BN(0), borrow);
  const parked = await run(USDC(3_000_000), borrow);
  const beyond = await run(USDC(3_000_000), USDC(300_000)); // 300,000 borrowed: about 210,000 from the parked collateral
  const diff = Math.abs(alone.lpYield - parked.lpYield);
  return [
    "## LP yield with and without parked collateral",
    "",
    "A year of USDC loans against a pool holding 100,000 USDC and 600 SOL of LP capital (bench/parking.ts).",
    "Interest-bearing collateral is lent only after the pool's own room and earns only what those loans pay,",
    "so parking 3,000,000 USDC of debt-free collateral leaves the LPs' yield unchanged.",
    "",
    "| run | borrowed | funded by collateral | LP price change over the year | parked collateral earned |",
    "|---|---:|---:|---:|---:|",
    `| no parked collateral | ${alone.borrowed.divn(1e6).toString()} USDC | 0 | ${pct(alone.lpYield)} | – |`,
    `| 3,000,000 USDC parked | ${parked.borrowed.divn(1e6).toString()} USDC | ${parked.fromCollateral.divn(1e6).toString()} USDC | ${pct(parked.lpYield)} | ${pct(parked.parkerYield ?? 0)} |`,
    `| 3,000,000 USDC parked, borrowing beyond the pool's room | ${beyond.borrowed.divn(1e6).toString()} USDC | ${beyond.fromCollateral.divn(1e6).toString()} USDC | ${pct(beyond.lpYield)} | ${pct(beyond.parkerYield ?? 0)} |`,
    "",
    `Difference in LP yield made by parking: ${pct(diff)} (rounding).`,
  ];
}

if (require.main === module) {
  void parkingBench().then((lines) => console.log(lines.join("\n")));
}
