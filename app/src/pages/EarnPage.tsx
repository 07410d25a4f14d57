/**
 * Earn: deposit any pool asset for LP tokens, or redeem LP tokens for any
 * asset, with the SDK's quote (LP or tokens out, fee, the weight-based fee
 * adjustment) before signing, a slippage bound, and balances after.
 */
import { useWallet } from "@solana/wallet-adapter-react";
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import React, { useEffect, useMemo, useState } from "react";

import {
  LP_DECIMALS,
  addLiquidityIx,
  claimLpIx,
  fetchLpAccount,
  lpAccountPda,
  lpEscrowStatus,
  lpPriceUsd,
  oracleAges,
  poolLifetimeApy,
  quoteDeposit,
  quoteRedeem,
  removeLiquidityIx,
  type LpAccount,
} from "@perpool/sdk";
import { LpPositionRows } from "../components/LpPosition";
import { ConnectButton } from "../components/WalletButton";
import { AmountInput } from "../components/AmountInput";
import { AssetSelect, Card, Notice, Rows, Segmented, SlippageSetting, Stat } from "../components/ui";
import { lessSlippage, parseAmount } from "../lib/amount";
import { explainError } from "../lib/errors";
import { formatBps, formatDuration, formatPercent, formatUnits, formatUsd } from "../lib/format";
import { ensureAccountIxs } from "../lib/tokens";
import { useAccount } from "../state/account";
import { usePool } from "../state/pool";
import { useTx } from "../state/tx";

type Mode = "deposit" | "redeem";

export function EarnPage() {
  const { program, state, assets, now, loadError } = usePool();
  const account = useAccount();
  const { publicKey } = useWallet();
  const tx = useTx();
  const [mode, setMode] = useState<Mode>("deposit");
  const [custodyKey, setCustodyKey] = useState("");
  const [text, setText] = useState("");
  const [slippageBps, setSlippageBps] = useState(50);
  const [lpAccount, setLpAccount] = useState<LpAccount | null>(null);

  useEffect(() => {
    if (!custodyKey && assets.length)
      setCustodyKey(assets.find((a) => a.isStable)?.custody.toBase58() ?? assets[0].custody.toBase58());
  }, [assets, custodyKey]);

  // The LP's own record (deposited and redeemed USD), refreshed with the LP balance.
  const lpHolding = state ? account.holding(state.pool.lpMint) : null;
  useEffect(() => {
    if (!publicKey || !state) return setLpAccount(null);
    let stopped = false;
    fetchLpAccount(program, lpAccountPda(state.address, publicKey, program.programId)[0])
      .then((a) => !stopped && setLpAccount(a))
      .catch(() => {});
    return () => {
      stopped = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- refetched when the LP balance or tx.busy changes
  }, [program, state, publicKey, lpHolding?.amount.toString(), tx.busy]);

  const asset = assets.find((a) => a.custody.toBase58() === custodyKey);
  const assetHolding = asset ? account.holding(asset.mint) : null;
  const lpPrice = useMemo(() => {
    try {
      return state ? lpPriceUsd(state, "min", now) : null;
    } catch {
      return null;
    }
  }, [state, now]);
  const apy = useMemo(() => {
    try {
      return state ? poolLifetimeApy(state, now) : null;
    } catch {
      return null;
    }
  }, [state, now]);
  const staleSymbols = state
    ? oracleAges(state, now)
        .filter((a) => a.stale)
        .map((a) => assets.find((x) => x.custody.equals(a.custody))?.symbol ?? "?")
    : [];

  const inDecimals = mode === "deposit" ? (asset?.decimals ?? 0) : LP_DECIMALS;
  const inSymbol = mode === "deposit" ? (asset?.symbol ?? "") : "LP";
  const inBalance = mode === "deposit" ? (assetHolding?.amount ?? null) : (lpHolding?.amount ?? null);
  const parsed = parseAmount(text, {
    decimals: inDecimals,
    symbol: inSymbol,
    max: publicKey && account.loaded ? (inBalance ?? new BN(0)) : undefined,
    maxLabel: "your balance",
  });

  const quote = useMemo(() => {
    if (!state || !asset || parsed.kind !== "ok") return null;
    try {
      if (mode === "deposit") {
        const q = quoteDeposit(state, asset.custody, parsed.value, now);
        return { kind: "deposit" as const, q, min: lessSlippage(q.lpOut, slippageBps) };
      }
      const q = quoteRedeem(state, asset.custody, parsed.value, now);
      return { kind: "redeem" as const, q, min: lessSlippage(q.amountOut, slippageBps) };
    } catch (e) {
      return { kind: "error" as const, error: explainError(e) };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the amount's value (a BN compares by reference)
  }, [state, asset, parsed.kind === "ok" ? parsed.value.toString() : "", mode, now, slippageBps]);

  if (loadError) return <Notice kind="error">{loadError}</Notice>;
  if (!state || !asset) return <p className="muted">Loading the pool…</p>;

  const inputError = parsed.kind === "error" ? parsed.error : quote?.kind === "error" ? quote.error : null;
  const custody = state.custodies[asset.index].account;
  const canSend = !!publicKey && parsed.kind === "ok" && !!quote && quote.kind !== "error" && !tx.busy;

  const submit = async () => {
    if (!publicKey || parsed.kind !== "ok" || !quote || quote.kind === "error" || !lpHolding || !assetHolding) return;
    const snapshot = state;
    const ok =
      quote.kind === "deposit"
        ? await tx.send(`Deposit ${text} ${asset.symbol}`, async () => [
            ...ensureAccountIxs(publicKey, publicKey, lpHolding),
            await addLiquidityIx(program, snapshot, {
              owner: publicKey,
              custody: asset.custody,
              fundingAccount: assetHolding.account,
              lpTokenAccount: lpHolding.account,
              amountIn: parsed.value,
              minLpOut: quote.min,
            }),
          ])
        : await tx.send(`Redeem ${text} LP for ${asset.symbol}`, async () => [
            ...ensureAccountIxs(publicKey, publicKey, assetHolding),
            await removeLiquidityIx(program, snapshot, {
              owner: publicKey,
              custody: asset.custody,
              receivingAccount: assetHolding.account,
              lpTokenAccount: lpHolding.account,
              lpIn: parsed.value,
              minAmountOut: quote.min,
            }),
          ]);
    if (ok) setText("");
  };

  const feeAdjust = quote && quote.kind !== "error" ? Number(quote.q.feeBps.toString()) - custody.baseFeeBps : 0;
  const lpBal = lpHolding?.amount ?? new BN(0);
  const cooldown = state.pool.lpCooldownSecs;
  const escrow = lpEscrowStatus(lpAccount, now);
  const claim = async () => {
    if (!publicKey || !lpHolding) return;
    const snapshot = state;
    await tx.send("Claim LP tokens", async () => [
      ...ensureAccountIxs(publicKey, publicKey, lpHolding),
      await claimLpIx(program, snapshot, { owner: publicKey, lpTokenAccount: lpHolding.account }),
    ]);
  };
  const escrowRows: [React.ReactNode, React.ReactNode, string?][] = escrow.escrowedLp.isZero()
    ? []
    : [
        ["In cooldown", `${formatUnits(escrow.escrowedLp, LP_DECIMALS)} LP`, "lp-escrowed"],
        [
          "Redeemable",
          escrow.claimable
            ? "now: claim them first"
            : `${new Date(escrow.unlockTime.toNumber() * 1000).toLocaleTimeString()} (in ${formatDuration(escrow.secondsLeft)})`,
          "lp-unlock",
        ],
      ];
  const assetBal = assetHolding?.amount ?? new BN(0);

  return (
    <div className="page earn" data-testid="earn-page">
      <div className="stats">
        <Stat
          label={apy ? `APY (trailing, pool's ${formatDuration(apy.seconds)})` : "APY"}
          value={apy ? <span className="long-text">{formatPercent(apy.apy)}</span> : "–"}
          sub={
            apy
              ? `fees ${formatPercent(apy.apr.tradingFees)} · borrow fees ${formatPercent(apy.apr.borrowFees)} · lending ${formatPercent(apy.apr.lendingInterest)}`
              : "prices unavailable"
          }
          testId="earn-apy"
        />
        <Stat label="LP price" value={lpPrice ? `$${formatUnits(lpPrice, 6, 6)}` : "–"} sub="at the redeem price" />
      </div>
      <p className="lend-line">
        Idle pool assets are lent to borrowers: LPs earn trading fees, borrow fees and that interest. The Pool page
        shows each asset's utilization.
      </p>
      {staleSymbols.length > 0 && (
        <Notice kind="warn">
          Stale price: {staleSymbols.join(", ")}. Deposits and redemptions wait for the oracle to update.
        </Notice>
      )}
      <div className="grid2">
        <Card title="Provide liquidity">
          <Segmented<Mode>
            testId="earn-mode"
            value={mode}
            options={[
              ["deposit", "Deposit"],
              ["redeem", "Redeem"],
            ]}
            onChange={(m) => {
              setMode(m);
              setText("");
            }}
          />
          <AssetSelect
            id="earn-asset"
            label={mode === "deposit" ? "Asset to deposit" : "Asset to receive"}
            assets={assets}
            value={custodyKey}
            onChange={setCustodyKey}
          />
          <AmountInput
            id="earn-amount"
            label={mode === "deposit" ? "Amount" : "LP tokens to redeem"}
            value={text}
            onChange={setText}
            symbol={inSymbol}
            decimals={inDecimals}
            balance={publicKey ? inBalance : null}
            error={inputError}
          />
          <SlippageSetting bps={slippageBps} onChange={setSlippageBps} />
          {quote && quote.kind === "deposit" && (
            <Rows
              testId="earn-quote"
              rows={[
                ["You receive", `${formatUnits(quote.q.lpOut, LP_DECIMALS)} LP`, "quote-out"],
                ["Minimum after slippage", `${formatUnits(quote.min, LP_DECIMALS)} LP`],
                ["Deposit value", formatUsd(quote.q.valueInUsd)],
                ["Fee", `${formatUnits(quote.q.fee, asset.decimals)} ${asset.symbol} (${formatBps(quote.q.feeBps)})`],
                ["Weight adjustment of the fee", weightText(feeAdjust)],
                ...(cooldown > 0
                  ? ([
                      [
                        "Redeemable",
                        `after a ${formatDuration(cooldown)} cooldown in the pool's escrow`,
                        "quote-cooldown",
                      ],
                    ] as [string, string, string][])
                  : []),
                [
                  "Balances after",
                  `${formatUnits(assetBal.sub(parsed.kind === "ok" ? parsed.value : new BN(0)), asset.decimals)} ${asset.symbol} · ${formatUnits(cooldown > 0 ? lpBal : lpBal.add(quote.q.lpOut), LP_DECIMALS)} LP${cooldown > 0 ? ` + ${formatUnits(quote.q.lpOut, LP_DECIMALS)} in cooldown` : ""}`,
                ],
              ]}
            />
          )}
          {quote && quote.kind === "redeem" && (
            <Rows
              testId="earn-quote"
              rows={[
                ["You receive", `${formatUnits(quote.q.amountOut, asset.decimals)} ${asset.symbol}`, "quote-out"],
                ["Minimum after slippage", `${formatUnits(quote.min, asset.decimals)} ${asset.symbol}`],
                ["Redemption value", formatUsd(quote.q.valueUsd)],
                ["Fee", `${formatUnits(quote.q.fee, asset.decimals)} ${asset.symbol} (${formatBps(quote.q.feeBps)})`],
                ["Weight adjustment of the fee", weightText(feeAdjust)],
                [
                  "Balances after",
                  `${formatUnits(lpBal.sub(parsed.kind === "ok" ? parsed.value : new BN(0)), LP_DECIMALS)} LP · ${formatUnits(assetBal.add(quote.q.amountOut), asset.decimals)} ${asset.symbol}`,
                ],
              ]}
            />
          )}
          {publicKey ? (
            <button
              type="button"
              className="button wide"
              disabled={!canSend}
              onClick={() => void submit()}
              data-testid="earn-submit"
            >
              {mode === "deposit" ? `Deposit ${asset.symbol}` : `Redeem for ${asset.symbol}`}
            </button>
          ) : (
            <ConnectButton testId="earn-connect" />
          )}
        </Card>
        <Card title="Your liquidity">
          <div className="stats">
            <Stat label="LP balance" value={publicKey ? formatUnits(lpBal, LP_DECIMALS) : "–"} testId="lp-balance" />
            <Stat
              label="Value"
              value={publicKey && lpPrice ? formatUsd(lpBal.mul(lpPrice).divn(1_000_000)) : "–"}
              sub="at the redeem price"
            />
          </div>
          {lpAccount && lpPrice && (
            <LpPositionRows lpAccount={lpAccount} lpBalance={lpBal} lpPrice={lpPrice} extra={escrowRows} />
          )}
          {escrow.claimable && (
            <button
              type="button"
              className="button wide"
              disabled={tx.busy}
              onClick={() => void claim()}
              data-testid="lp-claim"
            >
              Claim {formatUnits(escrow.escrowedLp, LP_DECIMALS)} LP
            </button>
          )}
          <p className="muted small">
            LP tokens are a share of the whole pool. Their price grows with trading fees, borrow fees and the interest
            the pool earns on lent assets, and moves with traders' profits and losses. Fees are lower for deposits that
            bring an asset toward its target weight.
          </p>
          <p className="muted small">
            {cooldown > 0
              ? `New LP tokens wait ${formatDuration(cooldown)} in the pool's escrow before they can be claimed, moved or redeemed (a later deposit restarts the wait for what is still waiting). Nobody can deposit ahead of a price they already know and redeem after it.`
              : "LP tokens can be redeemed as soon as they are minted."}
          </p>
        </Card>
      </div>
      <HoldingsNote mint={state.pool.lpMint} />
    </div>
  );
}

function weightText(adjBps: number): string {
  if (adjBps === 0) return "none";
  return adjBps > 0
    ? `+${formatBps(adjBps)} (moves the asset away from its target weight)`
    : `${formatBps(adjBps)} (moves it toward its target weight)`;
}

function HoldingsNote({ mint }: { mint: PublicKey }) {
  return (
    <p className="muted small">
      LP mint <code>{mint.toBase58()}</code>
    </p>
  );
}
