/**
 * Borrow: all the user's loans in one list; for the chosen pair, what can be
 * borrowed (with Max), the loan's health in colour bands, and every action
 * (deposit, borrow, repay, withdraw) previewed before signing: health, LTV,
 * debt and collateral before → after, the exact debt left after a repay and
 * the most collateral that can be withdrawn.
 */
import { useWallet } from "@solana/wallet-adapter-react";
import BN from "bn.js";
import { useEffect, useMemo, useState } from "react";

import {
  borrowIx,
  custodyRates,
  depositLoanCollateralIx,
  emptyLoan,
  healthBand,
  healthFactor,
  loanInfo,
  loanPda,
  maxBorrow,
  maxWithdraw,
  previewLoanAction,
  repayIx,
  withdrawLoanCollateralIx,
  type LoanAction,
} from "@perpool/sdk";
import { AmountInput } from "../components/AmountInput";
import { Health, HealthChange } from "../components/Health";
import { AssetSelect, Card, Notice, Rows, Segmented, Stat } from "../components/ui";
import { ConnectButton } from "../components/WalletButton";
import { useLoans, type OwnedLoan } from "../hooks/useLoans";
import { parseAmount } from "../lib/amount";
import { explainError } from "../lib/errors";
import { formatBps, formatPrice, formatRate, formatUnits, formatUsd } from "../lib/format";
import { ensureAccountIxs } from "../lib/tokens";
import { useAccount } from "../state/account";
import { useHistory } from "../state/history";
import { usePool } from "../state/pool";
import { useTx } from "../state/tx";

const LABELS: Record<LoanAction, string> = {
  deposit: "Collateral to deposit",
  borrow: "Amount to borrow",
  repay: "Amount to repay",
  withdraw: "Collateral to withdraw",
};

export function BorrowPage() {
  const { program, state, assets, now, loadError } = usePool();
  const { publicKey } = useWallet();
  const account = useAccount();
  const history = useHistory();
  const tx = useTx();
  const { loans, reload } = useLoans();
  const [collKey, setCollKey] = useState("");
  const [borrowKey, setBorrowKey] = useState("");
  const [action, setAction] = useState<LoanAction>("deposit");
  const [text, setText] = useState("");

  useEffect(() => {
    if (assets.length < 2) return;
    if (!collKey) setCollKey((assets.find((a) => !a.isStable) ?? assets[0]).custody.toBase58());
    if (!borrowKey) setBorrowKey((assets.find((a) => a.isStable) ?? assets[1]).custody.toBase58());
  }, [assets, collKey, borrowKey]);

  const coll = assets.find((a) => a.custody.toBase58() === collKey);
  const borrow = assets.find((a) => a.custody.toBase58() === borrowKey);
  const same = !!coll && !!borrow && coll.custody.equals(borrow.custody);
  const loanAddress =
    publicKey && state && coll && borrow && !same
      ? loanPda(publicKey, state.address, coll.custody, borrow.custody, program.programId)[0]
      : null;
  const owned = loanAddress ? (loans.find((l) => l.address.equals(loanAddress)) ?? null) : null;
  const loan = useMemo(
    () =>
      owned?.account ??
      (publicKey && state && coll && borrow && !same
        ? emptyLoan(
            { owner: publicKey, pool: state.address, collateralCustody: coll.custody, borrowCustody: borrow.custody },
            now,
          )
        : null),
    [owned, publicKey, state, coll, borrow, same, now],
  );

  const limits = useMemo(() => {
    if (!state || !loan) return null;
    try {
      return { borrow: maxBorrow(state, loan, now), withdraw: maxWithdraw(state, loan, now) };
    } catch {
      return null;
    }
  }, [state, loan, now]);

  const collHolding = coll ? account.holding(coll.mint) : null;
  const borrowHolding = borrow ? account.holding(borrow.mint) : null;
  const inAsset = action === "deposit" || action === "withdraw" ? coll : borrow;
  const info = useMemo(() => {
    if (!state || !owned) return null;
    try {
      return loanInfo(state, owned.account, now);
    } catch {
      return null;
    }
  }, [state, owned, now]);
  const max =
    action === "deposit"
      ? collHolding?.amount
      : action === "repay"
        ? borrowHolding?.amount
        : action === "withdraw"
          ? (limits?.withdraw ?? new BN(0))
          : (limits?.borrow ?? new BN(0));
  const maxLabel = {
    deposit: "your balance",
    repay: "your balance",
    withdraw: "what can be withdrawn now",
    borrow: "what you can borrow now",
  }[action];
  const parsed = parseAmount(text, {
    decimals: inAsset?.decimals ?? 0,
    symbol: inAsset?.symbol ?? "",
    max: publicKey && (account.loaded || action === "withdraw" || action === "borrow") ? (max ?? undefined) : undefined,
    maxLabel,
  });

  const preview = useMemo(() => {
    if (!state || !loan || same || parsed.kind !== "ok") return null;
    if (action !== "deposit" && !owned) return { ok: false as const, error: "Deposit collateral first." };
    try {
      return { ok: true as const, p: previewLoanAction(state, loan, action, parsed.value, now) };
    } catch (e) {
      return { ok: false as const, error: explainError(e) };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the amount's value (a BN compares by reference)
  }, [state, loan, owned, same, action, parsed.kind === "ok" ? parsed.value.toString() : "", now]);

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
  const inputError = same
    ? "Choose two different assets."
    : parsed.kind === "error"
      ? parsed.error
      : preview && !preview.ok
        ? preview.error
        : null;
  const canSend = !!publicKey && !same && parsed.kind === "ok" && !!preview?.ok && !tx.busy;
  const health = info ? healthFactor(info.ltvBps, collCustody.liquidationLtvBps) : null;

  const submit = async () => {
    if (!publicKey || parsed.kind !== "ok" || !preview?.ok || !collHolding || !borrowHolding) return;
    const snapshot = state;
    const ref = { owner: publicKey, collateralCustody: coll.custody, borrowCustody: borrow.custody };
    const amount = parsed.value;
    const label = { deposit: "Deposit collateral", borrow: "Borrow", repay: "Repay", withdraw: "Withdraw collateral" }[
      action
    ];
    const ok = await tx.send(`${label}: ${text} ${inAsset?.symbol ?? ""}`, async () => {
      switch (action) {
        case "deposit":
          return [
            await depositLoanCollateralIx(program, snapshot, { ...ref, fundingAccount: collHolding.account, amount }),
          ];
        case "borrow":
          return [
            ...ensureAccountIxs(publicKey, publicKey, borrowHolding),
            await borrowIx(program, snapshot, { ...ref, receivingAccount: borrowHolding.account, amount }),
          ];
        case "repay":
          return [
            await repayIx(program, snapshot, {
              ...ref,
              payer: publicKey,
              fundingAccount: borrowHolding.account,
              amount,
            }),
          ];
        case "withdraw":
          return [
            ...ensureAccountIxs(publicKey, publicKey, collHolding),
            await withdrawLoanCollateralIx(program, snapshot, {
              ...ref,
              receivingAccount: collHolding.account,
              amount,
            }),
          ];
      }
    });
    if (ok) {
      setText("");
      reload();
      history.reload();
    }
  };

  const p = preview?.ok ? preview.p : null;
  const tok = (v: BN, a: typeof coll) => `${formatUnits(v, a.decimals, 6)} ${a.symbol}`;

  return (
    <div className="page borrow" data-testid="borrow-page">
      <LoansList
        loans={loans}
        onPick={(l) => (setCollKey(l.collateral.custody.toBase58()), setBorrowKey(l.borrow.custody.toBase58()))}
      />
      <div className="grid2">
        <Card title="Your loan">
          <div className="pair">
            <AssetSelect
              id="borrow-collateral"
              label="Collateral"
              assets={assets}
              value={collKey}
              onChange={setCollKey}
            />
            <AssetSelect id="borrow-asset" label="Borrow" assets={assets} value={borrowKey} onChange={setBorrowKey} />
          </div>
          {same ? (
            <Notice kind="warn">Choose two different assets.</Notice>
          ) : !owned ? (
            <p className="muted" data-testid="no-loan">
              No loan with {coll.symbol} collateral and {borrow.symbol} debt yet. Deposit collateral to start.
            </p>
          ) : (
            <div className="stats" data-testid="loan-stats">
              <Stat
                label="Collateral"
                value={tok(owned.account.collateralAmount, coll)}
                sub={info ? formatUsd(info.collateralUsd) : undefined}
                testId="loan-collateral"
              />
              <Stat
                label="Debt"
                value={info ? tok(info.debt, borrow) : "–"}
                sub={info ? formatUsd(info.debtUsd) : undefined}
                testId="loan-debt"
              />
              <Stat
                label="Loan-to-value"
                value={info ? formatBps(info.ltvBps) : "–"}
                sub={`max ${formatBps(collCustody.maxLtvBps)} · liquidation ${formatBps(collCustody.liquidationLtvBps)}`}
              />
              <Stat
                label="Health factor"
                value={<Health value={health} band={healthBand(health)} testId="loan-health" />}
                sub="liquidation at 1.00 · safe ≥ 1.5"
              />
            </div>
          )}
          <Rows
            rows={[
              [`Available to borrow`, limits ? tok(limits.borrow, borrow) : "–", "available-borrow"],
              [`Most ${coll.symbol} you can withdraw now`, limits ? tok(limits.withdraw, coll) : "–", "max-withdraw"],
              ...(owned && info?.liquidationPrice
                ? [
                    [`Liquidation price of ${coll.symbol}`, formatPrice(info.liquidationPrice), "loan-liq"] as [
                      string,
                      string,
                      string,
                    ],
                  ]
                : []),
              ...(owned
                ? [
                    ["Interest earned by the collateral", tok(owned.account.collateralInterest, coll)] as [
                      string,
                      string,
                    ],
                  ]
                : []),
              [`${borrow.symbol} borrow APY`, rates ? formatRate(rates.borrowApy) : "–"],
              [`${borrow.symbol} utilization`, rates ? formatBps(rates.utilizationBps) : "–"],
              [`Liquidation bonus (${coll.symbol})`, formatBps(collCustody.liquidationBonusBps)],
            ]}
          />
        </Card>
        <Card title="Manage">
          <Segmented<LoanAction>
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
            label={LABELS[action]}
            value={text}
            onChange={setText}
            symbol={inAsset?.symbol ?? ""}
            decimals={inAsset?.decimals ?? 0}
            balance={
              publicKey
                ? action === "withdraw"
                  ? (limits?.withdraw ?? null)
                  : action === "borrow"
                    ? (limits?.borrow ?? null)
                    : (max ?? null)
                : null
            }
            balanceLabel={
              { deposit: "Balance", repay: "Balance", withdraw: "Can withdraw", borrow: "Available" }[action]
            }
            max={action === "repay" && info ? BN.min(max ?? new BN(0), info.debt) : undefined}
            error={inputError}
          />
          {action === "repay" && (
            <p className="muted small">
              Max repays the whole debt (what your balance allows). Paying more than the debt repays exactly the debt.
            </p>
          )}
          {p && (
            <Rows
              testId="borrow-quote"
              rows={[
                ["Health factor", <HealthChange key="h" before={p.before} after={p.after} testId="preview-health" />],
                ["Loan-to-value", `${p.before ? formatBps(p.before.ltvBps) : "–"} → ${formatBps(p.after.ltvBps)}`],
                [
                  action === "repay" ? "Debt left" : "Debt",
                  `${p.before ? tok(p.before.debt, borrow) + " → " : ""}${tok(p.after.debt, borrow)}`,
                  "preview-debt",
                ],
                [
                  "Collateral",
                  `${p.before ? tok(p.before.collateral, coll) + " → " : ""}${tok(p.after.collateral, coll)}`,
                ],
                ...(p.repaid ? [["Repaid", tok(p.repaid, borrow)] as [string, string]] : []),
                ["Liquidation price after", p.after.liquidationPrice ? formatPrice(p.after.liquidationPrice) : "none"],
              ]}
            />
          )}
          {publicKey ? (
            <button
              type="button"
              className="button wide"
              disabled={!canSend}
              onClick={() => void submit()}
              data-testid="borrow-submit"
            >
              {
                {
                  deposit: "Deposit collateral",
                  borrow: `Borrow ${borrow.symbol}`,
                  repay: `Repay ${borrow.symbol}`,
                  withdraw: "Withdraw collateral",
                }[action]
              }
            </button>
          ) : (
            <ConnectButton testId="borrow-connect" />
          )}
        </Card>
      </div>
    </div>
  );
}

function LoansList({ loans, onPick }: { loans: OwnedLoan[]; onPick(l: OwnedLoan): void }) {
  const { state, now } = usePool();
  if (!state || loans.length === 0) return null;
  return (
    <Card title={`Your loans (${loans.length})`}>
      <div className="table-wrap">
        <table className="cards" data-testid="loans-table">
          <thead>
            <tr>
              <th>Loan</th>
              <th>Collateral</th>
              <th>Debt</th>
              <th>LTV</th>
              <th>Health</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {loans.map((l) => {
              let i: ReturnType<typeof loanInfo> | null = null;
              try {
                i = loanInfo(state, l.account, now);
              } catch {
                i = null;
              }
              const h = i
                ? healthFactor(i.ltvBps, state.custodies[l.collateral.index].account.liquidationLtvBps)
                : null;
              return (
                <tr key={l.address.toBase58()} data-testid="loan-row">
                  <td data-label="Loan">
                    <strong>
                      {l.borrow.symbol} against {l.collateral.symbol}
                    </strong>
                  </td>
                  <td data-label="Collateral">
                    {formatUnits(l.account.collateralAmount, l.collateral.decimals, 6)} {l.collateral.symbol}
                  </td>
                  <td data-label="Debt">
                    {i ? `${formatUnits(i.debt, l.borrow.decimals, 6)} ${l.borrow.symbol}` : "–"}
                  </td>
                  <td data-label="LTV">{i ? formatBps(i.ltvBps) : "–"}</td>
                  <td data-label="Health">
                    <Health value={h} band={healthBand(h)} />
                  </td>
                  <td className="actions">
                    <button type="button" className="button small secondary" onClick={() => onPick(l)}>
                      Manage
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
