/** `perpool deposit` and `perpool redeem`: LP deposits and redemptions, quoted first. */
import BN from "bn.js";

import { LP_DECIMALS } from "../../constants";
import { fetchLpAccount } from "../../accounts";
import { addLiquidityIx, claimLpIx, removeLiquidityIx } from "../../instructions";
import { findTokenAccount, tokenAccountOrCreate } from "../../keeper/chain";
import { lpAccountPda } from "../../pda";
import { lpEscrowStatus, quoteDeposit, quoteRedeem } from "../../pool";
import { Cli, Command } from "../cli";
import { formatBps, formatUnits, formatUsd } from "../units";

const slippageOption = {
  name: "slippage-bps",
  value: "N",
  help: "accepted shortfall from the quote, bps (default 100)",
};

/** `amount × (10,000 − bps) / 10,000`, rounded down: the least accepted out of a quote. */
export const withSlippage = (amount: BN, bps: number) => amount.muln(10_000 - bps).divn(10_000);

export const deposit: Command = {
  name: "deposit",
  summary: "add liquidity: deposit an asset for LP tokens",
  options: [
    { name: "asset", value: "SYMBOL|MINT", help: "the asset to deposit" },
    { name: "amount", value: "N", help: "amount in whole tokens, e.g. 1.5" },
    { name: "min-lp", value: "N", help: "least LP tokens accepted (default: the quote less the slippage)" },
    slippageOption,
  ],
  async run(cli: Cli) {
    const asset = await cli.asset("asset");
    const c = asset.custody.account;
    const amount = cli.amount("amount", c.decimals, { unit: asset.symbol });
    const minLp = cli.optionalAmount("min-lp", LP_DECIMALS, { allowZero: true, unit: "LP" });
    const slippage = cli.slippageBps();
    const state = await cli.state();
    const wallet = cli.wallet();
    const funding = await findTokenAccount(cli.connection, wallet.publicKey, c.mint);
    if (!funding || funding.amount.lt(amount)) {
      throw new Error(
        `insufficient ${asset.symbol}: the wallet holds ${formatUnits(funding?.amount ?? new BN(0), c.decimals)}, the deposit needs ${formatUnits(amount, c.decimals)}`,
      );
    }
    const lp = await tokenAccountOrCreate(cli.connection, wallet.publicKey, wallet.publicKey, state.pool.lpMint);
    const q = quoteDeposit(state, asset.custody.address, amount, await cli.now());
    const minLpOut = minLp ?? withSlippage(q.lpOut, slippage);
    const cooldown = state.pool.lpCooldownSecs;
    cli.out.fields(`Deposit ${formatUnits(amount, c.decimals)} ${asset.symbol}`, [
      ["Value", `$${formatUsd(q.valueInUsd)}`],
      ["Fee", `${formatUnits(q.fee, c.decimals)} ${asset.symbol} (${formatBps(q.feeBps)})`],
      ["LP out", formatUnits(q.lpOut, LP_DECIMALS)],
      ["Least LP out", formatUnits(minLpOut, LP_DECIMALS)],
      ...(cooldown > 0
        ? ([
            [
              "Cooldown",
              `${cooldown} s in the pool's escrow, then \`perpool claim\` (or your next deposit) moves them to your wallet`,
            ],
          ] as [string, string][])
        : []),
    ]);
    const ix = await addLiquidityIx(cli.program(), state, {
      owner: wallet.publicKey,
      custody: asset.custody.address,
      fundingAccount: funding.address,
      lpTokenAccount: lp.address,
      amountIn: amount,
      minLpOut,
    });
    await cli.send(lp.create ? [lp.create, ix] : [ix], {
      command: "deposit",
      asset: asset.symbol,
      amount: formatUnits(amount, c.decimals),
      quote: {
        valueUsd: formatUsd(q.valueInUsd),
        fee: formatUnits(q.fee, c.decimals),
        feeBps: q.feeBps.toNumber(),
        lpOut: formatUnits(q.lpOut, LP_DECIMALS),
        minLpOut: formatUnits(minLpOut, LP_DECIMALS),
        cooldownSecs: cooldown,
      },
    });
  },
};

/** The wallet's LP escrow (tokens in their cooldown) as the record says, and the cluster's clock. */
async function escrowOf(cli: Cli) {
  const state = await cli.state();
  const wallet = cli.wallet();
  const record = await fetchLpAccount(
    cli.program(),
    lpAccountPda(state.address, wallet.publicKey, cli.program().programId)[0],
  );
  return { state, wallet, escrow: lpEscrowStatus(record, await cli.now()) };
}

const when = (unix: BN) => new Date(unix.toNumber() * 1000).toISOString();

export const claim: Command = {
  name: "claim",
  summary: "move LP tokens out of the pool's escrow once their cooldown is over",
  options: [],
  async run(cli: Cli) {
    const { state, wallet, escrow } = await escrowOf(cli);
    if (escrow.escrowedLp.isZero()) throw new Error("no LP tokens are waiting in the pool's escrow for this wallet");
    if (!escrow.claimable) {
      throw new Error(
        `${formatUnits(escrow.escrowedLp, LP_DECIMALS)} LP tokens are in their cooldown until ${when(escrow.unlockTime)} (${escrow.secondsLeft} s); nothing was sent`,
      );
    }
    const lp = await tokenAccountOrCreate(cli.connection, wallet.publicKey, wallet.publicKey, state.pool.lpMint);
    cli.out.fields("Claim LP tokens", [["LP", formatUnits(escrow.escrowedLp, LP_DECIMALS)]]);
    const ix = await claimLpIx(cli.program(), state, { owner: wallet.publicKey, lpTokenAccount: lp.address });
    await cli.send(lp.create ? [lp.create, ix] : [ix], {
      command: "claim",
      lp: formatUnits(escrow.escrowedLp, LP_DECIMALS),
    });
  },
};

export const redeem: Command = {
  name: "redeem",
  summary: "remove liquidity: redeem LP tokens for an asset",
  options: [
    { name: "asset", value: "SYMBOL|MINT", help: "the asset to receive" },
    { name: "lp", value: "N", help: "LP tokens to redeem, e.g. 100" },
    { name: "min-out", value: "N", help: "least amount of the asset accepted (default: the quote less the slippage)" },
    slippageOption,
  ],
  async run(cli: Cli) {
    const asset = await cli.asset("asset");
    const c = asset.custody.account;
    const lpIn = cli.amount("lp", LP_DECIMALS, { unit: "LP" });
    const minOut = cli.optionalAmount("min-out", c.decimals, { allowZero: true, unit: asset.symbol });
    const slippage = cli.slippageBps();
    const state = await cli.state();
    const wallet = cli.wallet();
    const lp = await findTokenAccount(cli.connection, wallet.publicKey, state.pool.lpMint);
    if (!lp || lp.amount.lt(lpIn)) {
      const { escrow } = await escrowOf(cli);
      const waiting = escrow.escrowedLp.isZero()
        ? ""
        : escrow.claimable
          ? `; ${formatUnits(escrow.escrowedLp, LP_DECIMALS)} more are claimable: run \`perpool claim\` first`
          : `; ${formatUnits(escrow.escrowedLp, LP_DECIMALS)} more are in their cooldown until ${when(escrow.unlockTime)}`;
      throw new Error(
        `insufficient LP tokens: the wallet holds ${formatUnits(lp?.amount ?? new BN(0), LP_DECIMALS)}, the redemption needs ${formatUnits(lpIn, LP_DECIMALS)}${waiting}; nothing was sent`,
      );
    }
    const receiving = await tokenAccountOrCreate(cli.connection, wallet.publicKey, wallet.publicKey, c.mint);
    const q = quoteRedeem(state, asset.custody.address, lpIn, await cli.now());
    const minAmountOut = minOut ?? withSlippage(q.amountOut, slippage);
    cli.out.fields(`Redeem ${formatUnits(lpIn, LP_DECIMALS)} LP for ${asset.symbol}`, [
      ["Value", `$${formatUsd(q.valueUsd)}`],
      ["Fee", `${formatUnits(q.fee, c.decimals)} ${asset.symbol} (${formatBps(q.feeBps)})`],
      ["Out", `${formatUnits(q.amountOut, c.decimals)} ${asset.symbol}`],
      ["Least out", `${formatUnits(minAmountOut, c.decimals)} ${asset.symbol}`],
    ]);
    const ix = await removeLiquidityIx(cli.program(), state, {
      owner: wallet.publicKey,
      custody: asset.custody.address,
      receivingAccount: receiving.address,
      lpTokenAccount: lp.address,
      lpIn,
      minAmountOut,
    });
    await cli.send(receiving.create ? [receiving.create, ix] : [ix], {
      command: "redeem",
      asset: asset.symbol,
      lp: formatUnits(lpIn, LP_DECIMALS),
      quote: {
        valueUsd: formatUsd(q.valueUsd),
        fee: formatUnits(q.fee, c.decimals),
        feeBps: q.feeBps.toNumber(),
        amountOut: formatUnits(q.amountOut, c.decimals),
        minAmountOut: formatUnits(minAmountOut, c.decimals),
      },
    });
  },
};
