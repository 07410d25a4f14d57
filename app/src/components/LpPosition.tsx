/**
 * An LP's position in rows: value now, deposited vs redeemed, earned and the
 * return annualised over their capital's time in the pool (the SDK's
 * `lpReturn`, with deposit and redemption times from the history).
 *
 * Further rows (e.g. LP tokens still in their cooldown and when they become
 * redeemable) go in `extra`, between the value and the all-time figures.
 */
import type BN from "bn.js";
import type { ReactNode } from "react";

import { LP_DECIMALS, lpReturn, type LpAccount } from "@perpool/sdk";
import { formatPercent, formatSignedUsd, formatUnits, formatUsd } from "../lib/format";
import { useHistory } from "../state/history";
import { usePool } from "../state/pool";
import { Rows } from "./ui";

export function LpPositionRows({
  lpAccount,
  lpBalance,
  lpPrice,
  extra = [],
}: {
  lpAccount: LpAccount;
  lpBalance: BN;
  lpPrice: BN;
  extra?: [ReactNode, ReactNode, string?][];
}) {
  const { items } = useHistory();
  const { now } = usePool();
  const flows = items
    .filter((i) => (i.kind === "deposit" || i.kind === "redeem") && i.time !== null && i.valueUsd)
    .map((i) => ({ time: i.time!, usd: i.kind === "deposit" ? i.valueUsd! : i.valueUsd!.neg() }));
  const r = lpReturn({
    lpBalance,
    lpPriceUsd: lpPrice,
    depositedUsd: lpAccount.depositedUsd,
    redeemedUsd: lpAccount.redeemedUsd,
    flows,
    now: Number(now.toString()),
  });
  return (
    <Rows
      testId="lp-position"
      rows={[
        ["Value now", formatUsd(r.valueUsd), "lp-value"],
        ...extra,
        ["Deposited (all time)", formatUsd(lpAccount.depositedUsd)],
        ["Redeemed (all time)", formatUsd(lpAccount.redeemedUsd)],
        [
          "Earned (value + redeemed − deposited)",
          <span key="e" className={r.earnedUsd.isNeg() ? "short-text" : "long-text"}>
            {formatSignedUsd(r.earnedUsd)}
          </span>,
          "lp-earned",
        ],
        [
          "Your APY (over your capital's time in)",
          // Annualising minutes of price moves gives meaningless figures: shown once the first deposit is a day old.
          r.apy === null ||
          flows.length === 0 ||
          Number(now.toString()) - Math.min(...flows.map((f) => f.time)) < 86_400
            ? "after a day in the pool"
            : formatPercent(r.apy),
          "lp-apy",
        ],
        [
          "LP minted / burned",
          `${formatUnits(lpAccount.lpMinted, LP_DECIMALS)} / ${formatUnits(lpAccount.lpBurned, LP_DECIMALS)}`,
        ],
      ]}
    />
  );
}
