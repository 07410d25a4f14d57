/**
 * The connected wallet's positions in the pool and their trigger orders.
 * Position addresses are derived (every market × collateral × side the
 * program accepts), read in one request, and each watched with an account
 * subscription; orders are listed with the SDK and re-read when any account
 * of the owner's changes (program subscription filtered on the owner field).
 */
import { useConnection } from "@solana/wallet-adapter-react";
import type { PublicKey } from "@solana/web3.js";
import { useEffect, useMemo, useRef, useState } from "react";

import { Side, fetchOwnerOrders, positionPda, type Order, type Position } from "@perpool/sdk";
import { usePool, type Asset } from "../state/pool";

export interface OwnedPosition {
  address: PublicKey;
  account: Position;
  market: Asset;
  collateral: Asset;
}

export interface OwnedOrder {
  address: PublicKey;
  account: Order;
}

/** The (market, collateral, side) triples the program accepts: longs post the market asset or a stable, shorts a stable. */
export function tradePairs(assets: Asset[]): { market: Asset; collateral: Asset; side: number }[] {
  const stables = assets.filter((a) => a.isStable);
  return assets
    .filter((a) => !a.isStable)
    .flatMap((market) => [
      ...[market, ...stables].map((collateral) => ({ market, collateral, side: Side.LONG as number })),
      ...stables.map((collateral) => ({ market, collateral, side: Side.SHORT as number })),
    ]);
}

/** Owner field offset in positions, loans and orders (after the discriminator, version, bump and padding). */
const OWNER_OFFSET = 16;

export function usePositions(owner: PublicKey | null): {
  positions: OwnedPosition[];
  orders: OwnedOrder[];
  loaded: boolean;
  reload(): void;
} {
  const { connection } = useConnection();
  const { program, poolAddress, assets } = usePool();
  const [positions, setPositions] = useState<OwnedPosition[]>([]);
  const [orders, setOrders] = useState<OwnedOrder[]>([]);
  const [loaded, setLoaded] = useState(false);
  const reload = useRef<() => void>(() => {});

  const candidates = useMemo(
    () =>
      owner
        ? tradePairs(assets).map((p) => ({
            ...p,
            address: positionPda(
              owner,
              poolAddress,
              p.market.custody,
              p.collateral.custody,
              p.side,
              program.programId,
            )[0],
          }))
        : [],
    [owner, assets, poolAddress, program],
  );
  const key = candidates.map((c) => c.address.toBase58()).join(",");

  useEffect(() => {
    setPositions([]);
    setOrders([]);
    setLoaded(false);
    if (!owner || candidates.length === 0) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const [infos, owned] = await Promise.all([
          connection.getMultipleAccountsInfo(
            candidates.map((c) => c.address),
            "confirmed",
          ),
          fetchOwnerOrders(program, owner).catch(() => [] as OwnedOrder[]),
        ]);
        if (stopped) return;
        const found: OwnedPosition[] = [];
        infos.forEach((info, i) => {
          if (!info || !info.owner.equals(program.programId) || info.data.length === 0) return;
          const account = program.coder.accounts.decode<Position>("position", info.data);
          if (account.sizeUsd.isZero()) return;
          found.push({
            address: candidates[i].address,
            account,
            market: candidates[i].market,
            collateral: candidates[i].collateral,
          });
        });
        setPositions(found);
        setOrders(owned.filter((o) => o.account.pool.equals(poolAddress)));
        setLoaded(true);
      } catch {
        // Kept as is until the next notification.
      }
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 100);
    };
    reload.current = schedule;
    void load();
    const subs = candidates.map((c) => connection.onAccountChange(c.address, schedule, { commitment: "confirmed" }));
    const ownerSub = connection.onProgramAccountChange(program.programId, schedule, {
      commitment: "confirmed",
      filters: [{ memcmp: { offset: OWNER_OFFSET, bytes: owner.toBase58() } }],
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
      for (const s of subs) void connection.removeAccountChangeListener(s);
      void connection.removeProgramAccountChangeListener(ownerSub);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the owner's and the candidates' base58 (key)
  }, [connection, program, owner?.toBase58(), key, poolAddress]);

  return { positions, orders, loaded, reload: () => reload.current() };
}
