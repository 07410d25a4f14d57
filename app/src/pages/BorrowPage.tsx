/**
 * Borrow: deposit collateral, borrow another pool asset against it, repay,
 * withdraw; with the loan's health (LTV against the maximum and the
 * liquidation threshold) and the collateral price at which it liquidates,
 * before and after each action.
 */
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import BN from "bn.js";
import { useEffect, useMemo, useRef, useState } from "react";

import {
  borrowIx,
  custodyRates,
  depositLoanCollateralIx,
  fetchLoan,
  loanInfo,
  loanPda,
  quoteLoanBorrow,
  quoteLoanRepay,
  quoteLoanWithdraw,
  repayIx,
  withdrawLoanCollateralIx,
  type Loan,
} from "@perpool/sdk";
import { AmountInput } from "../components/AmountInput";
import { AssetSelect, Card, Notice, Rows, Segmented, Stat } from "../components/ui";
import { parseAmount } from "../lib/amount";
import { explainError } from "../lib/errors";
import { formatBps, formatPrice, formatRate, formatUnits, formatUsd } from "../lib/format";
import { ensureAccountIxs } from "../lib/tokens";
import { useAccount } from "../state/account";
import { usePool } from "../state/pool";
import { useTx } from "../state/tx";

type Action = "deposit" | "borrow" | "repay" | "withdraw";

export function BorrowPage() {
  const { connection } = useConnection();
  const { program, state, assets, now, loadError } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const tx = useTx();
  const [collKey, setCollKey] = useState("");
  const [borrowKey, setBorrowKey] = useState("");
  const [action, setAction] = useState<Action>("deposit");
  const [text, setText] = useState("");
  const [loan, setLoan] = useState<Loan | null>(null);
  const reloadLoan = useRef<() => void>(() => {});

  useEffect(() => {
    if (assets.length < 2) return;
    if (!collKey) setCollKey((assets.find((a) => !a.isStable) ?? assets[0]).custody.toBase58());
    if (!borrowKey) setBorrowKey((assets.find((a) => a.isStable) ?? assets[1]).custody.toBase58());
  }, [assets, collKey, borrowKey]);

  const coll = assets.find((a) => a.custody.toBase58() === collKey);
  const borrow = assets.find((a) => a.custody.toBase58() === borrowKey);
  const same = !!coll && !!borrow && coll.custody.equals(borrow.custody);
  const loanAddress = useMemo(
    () => (publicKey && state && coll && borrow && !same ? loanPda(publicKey, state.address, coll.custody, borrow.custody, program.programId)[0] : null),
    [publicKey, state?.address.toBase58(), coll, borrow, same, program],
  );

  // The loan account, live.
  useEffect(() => {
    setLoan(null);
    if (!loanAddress) return;
    let stopped = false;
    const load = () =>
      fetchLoan(program, loanAddress)
        .then((l) => !stopped && setLoan(l))
        .catch(() => {});
    reloadLoan.current = () => void load();
    void load();
    const sub = connection.onAccountChange(loanAddress, () => void load(), { commitment: "confirmed" });
    return () => {
      stopped = true;
      void connection.removeAccountChangeListener(sub);
    };
  }, [connection, program, loanAddress?.toBase58()]);

  const info = useMemo(() => {
    if (!state || !loan) return null;
    try {
      return loanInfo(state, loan, now);
    } catch {
      return null;
    }
  }, [state, loan, now]);

  const collHolding = coll ? account.holding(coll.mint) : null;
  const borrowHolding = borrow ? account.holding(borrow.mint) : null;
  const inAsset = action === "deposit" || action === "withdraw" ? coll : borrow;
  const max =
    action === "deposit"
      ? collHolding?.amount
      : action === "repay"
        ? borrowHolding?.amount
        : action === "withdraw"
          ? (loan?.collateralAmount ?? new BN(0))
          : undefined;
  const maxLabel = action === "withdraw" ? "the loan's collateral" : "your balance";
  const parsed = parseAmount(text, {
    decimals: inAsset?.decimals ?? 0,
    symbol: inAsset?.symbol ?? "",
    max: publicKey && (account.loaded || action === "withdraw") ? (max ?? undefined) : undefined,
    maxLabel,
  });

  const quote = useMemo(() => {
    if (!state || !coll || !borrow || same || parsed.kind !== "ok") return null;
    try {
      const v = parsed.value;
      if (action === "deposit") {
        const after = loan ? { ...loan, collateralAmount: loan.collateralAmount.add(v) } : null;
        const i = after ? loanInfo(state, after, now) : null;
        return { ok: true as const, rows: [["Collateral after", `${formatUnits((loan?.collateralAmount ?? new BN(0)).add(v), coll.decimals, 6)} ${coll.symbol}`], ...(i ? ltvRows(i.ltvBps, i.liquidationPrice) : [])] };
      }
      if (!loan) return { ok: false as const, error: "Deposit collateral first." };
      if (action === "borrow") {
        const q = quoteLoanBorrow(state, loan, v, now);
        return { ok: true as const, rows: [["Debt after", `${formatUnits(q.debtAfter, borrow.decimals, 6)} ${borrow.symbol} (${formatUsd(q.debtUsdAfter)})`], ["LTV after", formatBps(q.ltvBpsAfter)]] };
      }
      if (action === "repay") {
        const q = quoteLoanRepay(state, loan, v, now);
        return { ok: true as const, rows: [["Repaid", `${formatUnits(q.repaid, borrow.decimals, 6)} ${borrow.symbol}`], ["Debt left", q.scaledAfter.isZero() ? "none" : "some"]] };
      }
      const q = quoteLoanWithdraw(state, loan, v, now);
      return { ok: true as const, rows: [["Collateral after", `${formatUnits(q.collateralAfter, coll.decimals, 6)} ${coll.symbol}`], ["LTV after", formatBps(q.ltvBpsAfter)]] };
    } catch (e) {
      return { ok: false as const, error: explainError(e) };
    }
  }, [state, coll, borrow, same, loan, action, parsed.kind === "ok" ? parsed.value.toString() : "", now]);

  if (loadError) return <Notice kind="error">{loadError}</Notice>;
  if (!state || !coll || !borrow) return <p className="muted">Loading the pool…</p>;

  const collCustody = state.custodies[coll.index].account;
  const rates = (() => {
    try {
      return custodyRates(state.custodies[borrow.index].account, now);
    } catch {
      return null;
    }
  })();
  const inputError = same ? "Choose two different assets." : parsed.kind === "error" ? parsed.error : quote && !quote.ok ? quote.error : null;
  const canSend = !!publicKey && !same && parsed.kind === "ok" && !!quote?.ok && !tx.busy;

  const submit = async () => {
    if (!publicKey || parsed.kind !== "ok" || !quote?.ok || !collHolding || !borrowHolding) return;
    const snapshot = state;
    const ref = { owner: publicKey, collateralCustody: coll.custody, borrowCustody: borrow.custody };
    const amount = parsed.value;
    const label = { deposit: "Deposit collateral", borrow: "Borrow", repay: "Repay", withdraw: "Withdraw collateral" }[action];
    const ok = await tx.send(`${label}: ${text} ${inAsset?.symbol ?? ""}`, async () => {
      switch (action) {
        case "deposit":
          return [await depositLoanCollateralIx(program, snapshot, { ...ref, fundingAccount: collHolding.account, amount })];
        case "borrow":
          return [...ensureAccountIxs(publicKey, publicKey, borrowHolding), await borrowIx(program, snapshot, { ...ref, receivingAccount: borrowHolding.account, amount })];
        case "repay":
          return [await repayIx(program, snapshot, { ...ref, payer: publicKey, fundingAccount: borrowHolding.account, amount })];
        case "withdraw":
          return [...ensureAccountIxs(publicKey, publicKey, collHolding), await withdrawLoanCollateralIx(program, snapshot, { ...ref, receivingAccount: collHolding.account, amount })];
      }
    });
    if (ok) {
      setText("");
      reloadLoan.current();
    }
  };

  const ltv = info ? Number(info.ltvBps.toString()) : 0;
  const health = info && ltv > 0 ? collCustody.liquidationLtvBps / ltv : null;

  return (
    <div className="page borrow" data-testid="borrow-page">
      <div className="grid2">
        <Card title="Your loan">
          <div className="pair">
            <AssetSelect id="borrow-collateral" label="Collateral" assets={assets} value={collKey} onChange={setCollKey} />
            <AssetSelect id="borrow-asset" label="Borrow" assets={assets} value={borrowKey} onChange={setBorrowKey} />
          </div>
          {same ? (
            <Notice kind="warn">Choose two different assets.</Notice>
          ) : !loan ? (
            <p className="muted" data-testid="no-loan">
              No loan with {coll.symbol} collateral and {borrow.symbol} debt yet. Deposit collateral to start.
            </p>
          ) : (
            <>
              <div className="stats" data-testid="loan-stats">
                <Stat label="Collateral" value={`${formatUnits(loan.collateralAmount, coll.decimals, 6)} ${coll.symbol}`} sub={info ? formatUsd(info.collateralUsd) : undefined} testId="loan-collateral" />
                <Stat label="Debt" value={info ? `${formatUnits(info.debt, borrow.decimals, 6)} ${borrow.symbol}` : "–"} sub={info ? formatUsd(info.debtUsd) : undefined} testId="loan-debt" />
                <Stat label="Loan-to-value" value={info ? formatBps(info.ltvBps) : "–"} sub={`max ${formatBps(collCustody.maxLtvBps)} · liquidation ${formatBps(collCustody.liquidationLtvBps)}`} />
                <Stat
                  label="Health"
                  value={health === null ? "no debt" : health.toFixed(2)}
                  sub={info?.liquidatable ? "liquidatable" : "liquidation below 1.00"}
                  testId="loan-health"
                />
              </div>
              <Rows
                rows={[
                  [`Liquidation price of ${coll.symbol}`, info?.liquidationPrice ? formatPrice(info.liquidationPrice) : "none", "loan-liq"],
                  ["Interest earned by the collateral", `${formatUnits(loan.collateralInterest, coll.decimals, 6)} ${coll.symbol}`],
                ]}
              />
            </>
          )}
          <Rows
            rows={[
              [`${borrow.symbol} borrow APY`, rates ? formatRate(rates.borrowApy) : "–"],
              [`${borrow.symbol} utilization`, rates ? formatBps(rates.utilizationBps) : "–"],
              [`Liquidation bonus (${coll.symbol})`, formatBps(collCustody.liquidationBonusBps)],
            ]}
          />
        </Card>
        <Card title="Manage">
          <Segmented<Action>
            testId="borrow-action"
            value={action}
            onChange={(a) => {
              setAction(a);
              setText("");
            }}
            options={[
              ["deposit", "Deposit"],
              ["borrow", "Borrow"],
              ["repay", "Repay"],
              ["withdraw", "Withdraw"],
            ]}
          />
          <AmountInput
            id="borrow-amount"
            label={{ deposit: "Collateral to deposit", borrow: "Amount to borrow", repay: "Amount to repay", withdraw: "Collateral to withdraw" }[action]}
            value={text}
            onChange={setText}
            symbol={inAsset?.symbol ?? ""}
            decimals={inAsset?.decimals ?? 0}
            balance={publicKey ? (action === "withdraw" ? (loan?.collateralAmount ?? new BN(0)) : action === "borrow" ? (borrowHolding?.amount ?? null) : (max ?? null)) : null}
            balanceLabel={action === "withdraw" ? "In the loan" : "Balance"}
            max={action === "borrow" ? new BN(0) : action === "repay" && info ? BN.min(max ?? new BN(0), info.debt.muln(1001).divn(1000).addn(1)) : undefined}
            error={inputError}
          />
          {action === "repay" && <p className="muted small">Paying more than the debt repays exactly the debt; the rest stays in your wallet.</p>}
          {quote?.ok && <Rows testId="borrow-quote" rows={quote.rows as [string, string][]} />}
          <button type="button" className="button wide" disabled={!canSend} onClick={() => void submit()} data-testid="borrow-submit">
            {!publicKey ? "Connect a wallet" : { deposit: "Deposit collateral", borrow: `Borrow ${borrow.symbol}`, repay: `Repay ${borrow.symbol}`, withdraw: "Withdraw collateral" }[action]}
          </button>
        </Card>
      </div>
    </div>
  );
}

function ltvRows(ltvBps: BN, liq: BN | null): [string, string][] {
  return [
    ["LTV after", formatBps(ltvBps)],
    ["Liquidation price after", liq ? formatPrice(liq) : "none"],
  ];
}
