/** `perpool open` and `perpool close`: positions, quoted first, with a worst acceptable price. */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { fetchPosition } from "../../accounts";
import { decreasePositionIx, increasePositionIx } from "../../instructions";
import { findTokenAccount, tokenAccountOrCreate } from "../../keeper/chain";
import { Side, positionPda } from "../../pda";
import { quoteDecreasePosition, quoteIncreasePosition } from "../../position";
import { UsageError } from "../args";
import { Cli, Command } from "../cli";
import { AssetRef } from "../context";
import { AmountError, formatPrice, formatUnits, formatUsd } from "../units";

export const positionOptions = [
  { name: "market", value: "SYMBOL|MINT", help: "the market (the asset traded)" },
  { name: "side", value: "long|short", help: "the side" },
  { name: "collateral", value: "SYMBOL|MINT", help: "the collateral asset (default: the market asset)" },
];

const slippageOption = {
  name: "slippage-bps",
  value: "N",
  help: "worst price accepted, bps from the quoted price (default 100)",
};

/** The position an order or trade refers to: market, side and collateral from the options. */
export async function positionRef(
  cli: Cli,
): Promise<{ market: AssetRef; collateral: AssetRef; side: number; sideName: string; address: PublicKey }> {
  const sideName = cli.args.choice("side", ["long", "short"] as const);
  const side = sideName === "long" ? Side.LONG : Side.SHORT;
  const market = await cli.asset("market");
  const collateral = await cli.asset("collateral", cli.args.required("market"));
  const owner = cli.wallet().publicKey;
  const [address] = positionPda(
    owner,
    cli.pool,
    market.custody.address,
    collateral.custody.address,
    side,
    cli.programId,
  );
  return { market, collateral, side, sideName, address };
}

const ceilDiv = (a: BN, b: BN) => a.add(b).subn(1).div(b);
/** The quoted price moved against the trader by `bps`: up for a buyer, down for a seller. */
export const worstPrice = (price: BN, bps: number, up: boolean) =>
  up ? ceilDiv(price.muln(10_000 + bps), new BN(10_000)) : price.muln(10_000 - bps).divn(10_000);
const leverage = (bps: BN) => `${formatUnits(bps, 4, { maxDecimals: 2 })}x`;
const signedUsd = (usd: BN) => {
  const text = formatUsd(usd.abs());
  return usd.isNeg() && text !== "0" ? `-$${text}` : `$${text}`;
};

export const open: Command = {
  name: "open",
  summary: "open or increase a position",
  options: [
    ...positionOptions,
    { name: "size-usd", value: "N", help: "size to add, USD" },
    { name: "amount", value: "N", help: "collateral to add, in whole tokens of the collateral (required to open)" },
    slippageOption,
  ],
  async run(cli: Cli) {
    const ref = await positionRef(cli);
    const m = ref.market.custody.account;
    const c = ref.collateral.custody.account;
    const sizeUsd = cli.amount("size-usd", 6, { unit: "USD" });
    const amount =
      cli.optionalAmount("amount", c.decimals, { allowZero: true, unit: ref.collateral.symbol }) ?? new BN(0);
    const slippage = cli.slippageBps();
    const state = await cli.state();
    const existing = await fetchPosition(cli.program(), ref.address);
    if (!existing && amount.isZero()) throw new UsageError("--amount (collateral) is required to open a position");
    const wallet = cli.wallet();
    const funding = await findTokenAccount(cli.connection, wallet.publicKey, c.mint);
    if (!funding || funding.amount.lt(amount)) {
      throw new Error(
        `insufficient ${ref.collateral.symbol}: the wallet holds ${formatUnits(funding?.amount ?? new BN(0), c.decimals)}, the collateral is ${formatUnits(amount, c.decimals)}`,
      );
    }
    const q = quoteIncreasePosition(
      state,
      {
        position: existing,
        side: ref.side,
        custody: ref.market.custody.address,
        collateralCustody: ref.collateral.custody.address,
        sizeUsd,
        collateralAmount: amount,
      },
      await cli.now(),
    );
    const acceptablePrice = worstPrice(q.entryPrice, slippage, ref.side === Side.LONG);
    cli.out.fields(
      `${existing ? "Increase" : "Open"} ${ref.sideName} ${ref.market.symbol} on ${ref.collateral.symbol} collateral (${ref.address.toBase58()})`,
      [
        ["Size", `+$${formatUsd(sizeUsd)} → $${formatUsd(q.sizeUsdAfter)}`],
        [
          "Collateral",
          `+${formatUnits(amount, c.decimals)} → ${formatUnits(q.collateralAfter, c.decimals)} ${ref.collateral.symbol}`,
        ],
        ["Entry price", `$${formatPrice(q.entryPrice)} (worst accepted $${formatPrice(acceptablePrice)})`],
        ["Price impact", signedUsd(q.priceImpactUsd)],
        ["Open fee", `$${formatUsd(q.feeUsd)} (${formatUnits(q.feeTokens, c.decimals)} ${ref.collateral.symbol})`],
        ["Leverage", leverage(q.leverageBpsAfter)],
        ["Size in tokens", `${formatUnits(q.sizeTokensAfter, m.decimals)} ${ref.market.symbol}`],
      ],
    );
    const ix = await increasePositionIx(cli.program(), state, {
      owner: wallet.publicKey,
      side: ref.side,
      custody: ref.market.custody.address,
      collateralCustody: ref.collateral.custody.address,
      fundingAccount: funding.address,
      sizeUsd,
      collateralAmount: amount,
      acceptablePrice,
    });
    await cli.send([ix], {
      command: "open",
      position: ref.address.toBase58(),
      market: ref.market.symbol,
      side: ref.sideName,
      collateral: ref.collateral.symbol,
      quote: {
        entryPrice: formatPrice(q.entryPrice),
        acceptablePrice: formatPrice(acceptablePrice),
        sizeUsdAfter: formatUsd(q.sizeUsdAfter),
        collateralAfter: formatUnits(q.collateralAfter, c.decimals),
        feeUsd: formatUsd(q.feeUsd),
        priceImpactUsd: formatUsd(q.priceImpactUsd),
        leverage: formatUnits(q.leverageBpsAfter, 4),
      },
    });
  },
};

export const close: Command = {
  name: "close",
  summary: "close a position, or part of it",
  options: [
    ...positionOptions,
    { name: "size-usd", value: "N", help: "size to close, USD (default: all)" },
    slippageOption,
  ],
  async run(cli: Cli) {
    const ref = await positionRef(cli);
    const c = ref.collateral.custody.account;
    const requested = cli.optionalAmount("size-usd", 6, { unit: "USD" });
    const slippage = cli.slippageBps();
    const state = await cli.state();
    const position = await fetchPosition(cli.program(), ref.address);
    if (!position || position.sizeUsd.isZero())
      throw new Error(
        `no open ${ref.sideName} ${ref.market.symbol} position on ${ref.collateral.symbol} collateral (${ref.address.toBase58()})`,
      );
    const sizeUsd = requested ?? position.sizeUsd;
    if (sizeUsd.gt(position.sizeUsd))
      throw new AmountError(`--size-usd ${formatUsd(sizeUsd)}: the position is only $${formatUsd(position.sizeUsd)}`);
    const q = quoteDecreasePosition(state, position, sizeUsd, new BN(0), await cli.now());
    const acceptablePrice = worstPrice(q.exitPrice, slippage, ref.side !== Side.LONG);
    const wallet = cli.wallet();
    const receiving = await tokenAccountOrCreate(cli.connection, wallet.publicKey, wallet.publicKey, c.mint);
    const pnl = q.pnlProfit ? q.pnlUsd : q.pnlUsd.neg();
    cli.out.fields(
      `Close $${formatUsd(sizeUsd)} of ${ref.sideName} ${ref.market.symbol} on ${ref.collateral.symbol} (${ref.address.toBase58()})`,
      [
        ["Exit price", `$${formatPrice(q.exitPrice)} (worst accepted $${formatPrice(acceptablePrice)})`],
        ["PnL", signedUsd(pnl)],
        ["Price impact", signedUsd(q.priceImpactUsd)],
        ["Close fee", `$${formatUsd(q.feeUsd)}`],
        ["Borrow fee", `${formatUnits(q.borrowFeeTokens, c.decimals)} ${ref.collateral.symbol}`],
        ["Out", `${formatUnits(q.amountOut, c.decimals)} ${ref.collateral.symbol}`],
        [
          "Left",
          q.fullClose
            ? "nothing (closed)"
            : `$${formatUsd(q.sizeUsdAfter)} with ${formatUnits(q.collateralAfter, c.decimals)} ${ref.collateral.symbol}`,
        ],
      ],
    );
    const ix = await decreasePositionIx(cli.program(), state, {
      position,
      receivingAccount: receiving.address,
      sizeUsd,
      collateralOut: new BN(0),
      acceptablePrice,
    });
    await cli.send(receiving.create ? [receiving.create, ix] : [ix], {
      command: "close",
      position: ref.address.toBase58(),
      quote: {
        exitPrice: formatPrice(q.exitPrice),
        acceptablePrice: formatPrice(acceptablePrice),
        sizeUsd: formatUsd(sizeUsd),
        pnlUsd: formatUsd(pnl),
        feeUsd: formatUsd(q.feeUsd),
        amountOut: formatUnits(q.amountOut, c.decimals),
        fullClose: q.fullClose,
      },
    });
  },
};
