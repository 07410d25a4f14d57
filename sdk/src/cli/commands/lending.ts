/** `perpool borrow` and `perpool repay`: loans against collateral, quoted first. */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { Loan, fetchLoan } from "../../accounts";
import { borrowIx, depositLoanCollateralIx, repayIx } from "../../instructions";
import { findTokenAccount, tokenAccountOrCreate } from "../../keeper/chain";
import { loanInfo, quoteLoanBorrow, quoteLoanRepay, settleLoanInterest } from "../../loan";
import { loanPda } from "../../pda";
import { pricedCustody } from "../../position";
import { UsageError } from "../args";
import { Cli, Command } from "../cli";
import { formatBps, formatUnits, formatUsd } from "../units";
import { U64_MAX } from "../../constants";

async function loanRef(cli: Cli) {
  const borrow = await cli.asset("asset");
  const collateral = await cli.asset("collateral");
  if (borrow.custody.address.equals(collateral.custody.address))
    throw new UsageError("--asset and --collateral must differ");
  const owner = cli.wallet().publicKey;
  const ref = { owner, collateralCustody: collateral.custody.address, borrowCustody: borrow.custody.address };
  const [address] = loanPda(owner, cli.pool, ref.collateralCustody, ref.borrowCustody, cli.programId);
  return { borrow, collateral, ref, address };
}

/** The loan as the program will see it after `deposit` more collateral (interest settled first, as the program does). */
function withDeposit(
  existing: Loan | null,
  owner: PublicKey,
  pool: PublicKey,
  ref: { collateralCustody: PublicKey; borrowCustody: PublicKey },
  collateral: Parameters<typeof settleLoanInterest>[1],
  deposit: BN,
): Loan {
  if (existing) {
    const settled = settleLoanInterest(existing, collateral);
    return { ...settled, collateralAmount: settled.collateralAmount.add(deposit) };
  }
  const zero = new BN(0);
  return {
    version: 0,
    bump: 0,
    padding0: [],
    owner,
    pool,
    collateralCustody: ref.collateralCustody,
    borrowCustody: ref.borrowCustody,
    collateralAmount: deposit,
    scaledDebt: zero,
    collateralIndexSnapshot: zero,
    openTime: zero,
    updateTime: zero,
    collateralInterest: zero,
    reserved: [],
  };
}

export const borrow: Command = {
  name: "borrow",
  summary: "borrow an asset against collateral (depositing more collateral first if asked)",
  options: [
    { name: "asset", value: "SYMBOL|MINT", help: "the asset to borrow" },
    { name: "amount", value: "N", help: "amount to borrow, whole tokens" },
    { name: "collateral", value: "SYMBOL|MINT", help: "the collateral asset" },
    {
      name: "collateral-amount",
      value: "N",
      help: "collateral to deposit first, whole tokens (required for a new loan)",
    },
  ],
  async run(cli: Cli) {
    const { borrow: b, collateral: c, ref, address } = await loanRef(cli);
    const amount = cli.amount("amount", b.custody.account.decimals, { unit: b.symbol });
    const deposit =
      cli.optionalAmount("collateral-amount", c.custody.account.decimals, { unit: c.symbol }) ?? new BN(0);
    const state = await cli.state();
    const now = await cli.now();
    const existing = await fetchLoan(cli.program(), address);
    if (!existing && deposit.isZero())
      throw new UsageError("no loan yet for this pair: --collateral-amount is required");
    const wallet = cli.wallet();
    const ixs = [];
    if (!deposit.isZero()) {
      const funding = await findTokenAccount(cli.connection, wallet.publicKey, c.custody.account.mint);
      if (!funding || funding.amount.lt(deposit)) {
        throw new Error(
          `insufficient ${c.symbol}: the wallet holds ${formatUnits(funding?.amount ?? new BN(0), c.custody.account.decimals)}, the deposit is ${formatUnits(deposit, c.custody.account.decimals)}`,
        );
      }
      ixs.push(
        await depositLoanCollateralIx(cli.program(), state, {
          ...ref,
          fundingAccount: funding.address,
          amount: deposit,
        }),
      );
    }
    const loan = withDeposit(
      existing,
      wallet.publicKey,
      cli.pool,
      ref,
      pricedCustody(state, ref.collateralCustody, now).account,
      deposit,
    );
    const q = quoteLoanBorrow(state, loan, amount, now);
    const receiving = await tokenAccountOrCreate(
      cli.connection,
      wallet.publicKey,
      wallet.publicKey,
      b.custody.account.mint,
    );
    if (receiving.create) ixs.push(receiving.create);
    ixs.push(await borrowIx(cli.program(), state, { ...ref, receivingAccount: receiving.address, amount }));
    const bd = b.custody.account.decimals;
    cli.out.fields(`Borrow ${formatUnits(amount, bd)} ${b.symbol} against ${c.symbol} (loan ${address.toBase58()})`, [
      [
        "Collateral",
        `${formatUnits(loan.collateralAmount, c.custody.account.decimals)} ${c.symbol} ($${formatUsd(q.collateralUsd)})${deposit.isZero() ? "" : ` incl. ${formatUnits(deposit, c.custody.account.decimals)} deposited now`}`,
      ],
      ["Debt after", `${formatUnits(q.debtAfter, bd)} ${b.symbol} ($${formatUsd(q.debtUsdAfter)})`],
      [
        "LTV after",
        `${formatBps(q.ltvBpsAfter)} (max ${formatBps(c.custody.account.maxLtvBps)}, liquidation above ${formatBps(c.custody.account.liquidationLtvBps)})`,
      ],
    ]);
    await cli.send(ixs, {
      command: "borrow",
      loan: address.toBase58(),
      asset: b.symbol,
      amount: formatUnits(amount, bd),
      collateral: c.symbol,
      collateralDeposited: formatUnits(deposit, c.custody.account.decimals),
      quote: {
        debtAfter: formatUnits(q.debtAfter, bd),
        debtUsdAfter: formatUsd(q.debtUsdAfter),
        ltvBpsAfter: q.ltvBpsAfter.toNumber(),
      },
    });
  },
};

export const repay: Command = {
  name: "repay",
  summary: "repay a loan, in part or in full",
  options: [
    { name: "asset", value: "SYMBOL|MINT", help: "the borrowed asset" },
    { name: "collateral", value: "SYMBOL|MINT", help: "the loan's collateral asset" },
    { name: "amount", value: "N", help: "amount to repay, whole tokens" },
    { name: "all", flag: true, help: "repay the whole debt (interest to the second)" },
  ],
  async run(cli: Cli) {
    const { borrow: b, ref, address } = await loanRef(cli);
    const bd = b.custody.account.decimals;
    const all = cli.args.flag("all");
    if (all === cli.args.has("amount")) throw new UsageError("give exactly one of --amount N and --all");
    const amount = all ? U64_MAX : cli.amount("amount", bd, { unit: b.symbol });
    const state = await cli.state();
    const now = await cli.now();
    const loan = await fetchLoan(cli.program(), address);
    if (!loan || loan.scaledDebt.isZero()) throw new Error(`no debt to repay on loan ${address.toBase58()}`);
    const q = quoteLoanRepay(state, loan, amount, now);
    const debt = loanInfo(state, loan, now).debt;
    const wallet = cli.wallet();
    const funding = await findTokenAccount(cli.connection, wallet.publicKey, b.custody.account.mint);
    if (!funding || funding.amount.lt(q.repaid)) {
      throw new Error(
        `insufficient ${b.symbol}: the wallet holds ${formatUnits(funding?.amount ?? new BN(0), bd)}, the repayment is ${formatUnits(q.repaid, bd)}`,
      );
    }
    cli.out.fields(`Repay ${all ? "all" : formatUnits(amount, bd)} ${b.symbol} (loan ${address.toBase58()})`, [
      ["Debt", `${formatUnits(debt, bd)} ${b.symbol}`],
      ["Repaid", `${formatUnits(q.repaid, bd)} ${b.symbol}`],
      ["Debt after", `${formatUnits(debt.sub(q.repaid), bd)} ${b.symbol}`],
    ]);
    const ix = await repayIx(cli.program(), state, {
      ...ref,
      payer: wallet.publicKey,
      fundingAccount: funding.address,
      amount,
    });
    await cli.send([ix], {
      command: "repay",
      loan: address.toBase58(),
      asset: b.symbol,
      quote: {
        debt: formatUnits(debt, bd),
        repaid: formatUnits(q.repaid, bd),
        debtAfter: formatUnits(debt.sub(q.repaid), bd),
      },
    });
  },
};
