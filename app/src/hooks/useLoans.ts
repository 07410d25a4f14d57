/** Every loan of the connected wallet in the pool (one read of all its loan addresses, re-read when any changes). */
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import type { PublicKey } from "@solana/web3.js";
import { useEffect, useRef, useState } from "react";

import type { Loan } from "@perpool/sdk";
import { useHistory } from "../state/history";
import { usePool, type Asset } from "../state/pool";

export interface OwnedLoan {
  address: PublicKey;
  account: Loan;
  collateral: Asset;
  borrow: Asset;
}

export function useLoans(): { loans: OwnedLoan[]; loaded: boolean; reload(): void } {
  const { connection } = useConnection();
  const { publicKey } = useWallet();
  const { program } = usePool();
  const { loans: addresses, names } = useHistory();
  const [loans, setLoans] = useState<OwnedLoan[]>([]);
  const [loaded, setLoaded] = useState(false);
  const reload = useRef<() => void>(() => {});
  const key = addresses.map((a) => a.toBase58()).join(",");

  useEffect(() => {
    setLoans([]);
    setLoaded(false);
    if (!publicKey || addresses.length === 0) return;
    let stopped = false;
    const load = async () => {
      try {
        const infos = await connection.getMultipleAccountsInfo(addresses, "confirmed");
        if (stopped) return;
        const out: OwnedLoan[] = [];
        infos.forEach((info, i) => {
          if (!info || !info.owner.equals(program.programId) || info.data.length === 0) return;
          const account = program.coder.accounts.decode<Loan>("loan", info.data);
          const pair = names.loanOf(addresses[i]);
          if (!pair || (account.collateralAmount.isZero() && account.scaledDebt.isZero())) return;
          out.push({ address: addresses[i], account, ...pair });
        });
        setLoans(out);
        setLoaded(true);
      } catch {
        // Kept until the next change.
      }
    };
    reload.current = () => void load();
    void load();
    const subs = addresses.map((a) => connection.onAccountChange(a, () => void load(), { commitment: "confirmed" }));
    return () => {
      stopped = true;
      for (const s of subs) void connection.removeAccountChangeListener(s);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connection, program, publicKey?.toBase58(), key]);

  return { loans, loaded, reload: () => reload.current() };
}
