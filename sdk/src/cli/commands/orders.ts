/** `perpool orders list | place | cancel`: trigger orders (take-profit, stop-loss, limit). */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { Order, fetchAllOrders, fetchOrder, fetchPosition } from "../../accounts";
import { cancelOrderIx, placeOrderIx } from "../../instructions";
import { findTokenAccount, tokenAccountOrCreate } from "../../keeper/chain";
import { orderPda } from "../../pda";
import { orderTriggered, pricedCustody } from "../../position";
import { MAX_ORDERS, MIN_EXECUTION_REWARD, OrderKind } from "../../types";
import { UsageError } from "../args";
import { Cli, Command } from "../cli";
import { asPublicKey, assetLabel } from "../context";
import { Json } from "../output";
import { AmountError, formatPrice, formatUnits, formatUsd, parseUnits } from "../units";
import { positionOptions, positionRef } from "./trade";

const KINDS = {
  "take-profit": OrderKind.TAKE_PROFIT,
  "stop-loss": OrderKind.STOP_LOSS,
  limit: OrderKind.LIMIT,
} as const;
const KIND_NAMES: Record<number, string> = {
  [OrderKind.TAKE_PROFIT]: "take-profit",
  [OrderKind.STOP_LOSS]: "stop-loss",
  [OrderKind.LIMIT]: "limit",
};
/** Default execution reward: ten times the minimum. */
const DEFAULT_REWARD = new BN(MIN_EXECUTION_REWARD * 10);

export const ordersList: Command = {
  name: "orders list",
  summary: "the pool's trigger orders (all, or one owner's), and whether each is triggered now",
  options: [
    { name: "owner", value: "ADDRESS", help: "only this owner's orders" },
    { name: "mine", flag: true, help: "only the wallet's orders" },
  ],
  async run(cli: Cli) {
    const ownerText = cli.args.str("owner");
    let owner: PublicKey | null = null;
    if (ownerText !== undefined) {
      owner = asPublicKey(ownerText);
      if (!owner) throw new UsageError(`--owner ${ownerText}: not a base58 address`);
    } else if (cli.args.flag("mine")) owner = cli.wallet().publicKey;
    const state = await cli.state();
    const now = await cli.now();
    const orders = (await fetchAllOrders(cli.program())).filter(
      (o) => o.account.pool.equals(cli.pool) && (!owner || o.account.owner.equals(owner)),
    );
    orders.sort((a, b) => a.account.createdTime.cmp(b.account.createdTime));
    const rows = orders.map(({ address, account: o }) => {
      let triggered: boolean | null = null;
      try {
        triggered = orderTriggered(o, pricedCustody(state, o.custody, now).price.spot);
      } catch {
        triggered = null; // no usable price
      }
      const coll = state.custodies.find((c) => c.address.equals(o.collateralCustody))!.account;
      return {
        order: address.toBase58(),
        owner: o.owner.toBase58(),
        position: o.position.toBase58(),
        slot: o.slot,
        kind: KIND_NAMES[o.kind] ?? String(o.kind),
        side: o.side === 1 ? "long" : "short",
        market: assetLabel(state, o.custody, cli.deployment),
        collateral: assetLabel(state, o.collateralCustody, cli.deployment),
        triggerPrice: formatPrice(o.triggerPrice),
        acceptablePrice: o.acceptablePrice.isZero() ? null : formatPrice(o.acceptablePrice),
        sizeUsd: o.sizeUsd.isZero() ? "all" : formatUsd(o.sizeUsd),
        collateralAmount: formatUnits(o.collateralAmount, coll.decimals),
        rewardSol: formatUnits(o.executionReward, 9),
        triggered,
      };
    });
    if (rows.length === 0) cli.out.line("(no orders)");
    else
      cli.out.table(
        ["ORDER", "OWNER", "KIND", "SIDE", "MARKET", "TRIGGER", "SIZE", "REWARD SOL", "TRIGGERED"],
        rows.map((r) => [
          r.order,
          r.owner,
          r.kind,
          r.side,
          `${r.market}/${r.collateral}`,
          `$${r.triggerPrice}`,
          r.sizeUsd === "all" ? "all" : `$${r.sizeUsd}`,
          r.rewardSol,
          r.triggered === null ? "?" : r.triggered ? "yes" : "no",
        ]),
      );
    cli.out.result({ pool: cli.pool.toBase58(), orders: rows as unknown as Json[] });
  },
};

export const ordersPlace: Command = {
  name: "orders place",
  summary: "place a take-profit, stop-loss or limit order on a position (a limit order may open it)",
  options: [
    ...positionOptions,
    { name: "kind", value: "take-profit|stop-loss|limit", help: "the order kind" },
    { name: "trigger-price", value: "USD", help: "oracle price that triggers it" },
    { name: "acceptable-price", value: "USD", help: "worst execution price (required for limit orders; default any)" },
    { name: "size-usd", value: "N", help: "size to close (default all) or, for a limit order, to open" },
    { name: "amount", value: "N", help: "limit orders: collateral to escrow, whole tokens" },
    {
      name: "reward-sol",
      value: "N",
      help: `lamports prepaid to the executing keeper, in SOL (default ${formatUnits(DEFAULT_REWARD, 9)})`,
    },
    { name: "slot", value: "0-7", help: "the position's order slot (default: the first free one)" },
  ],
  async run(cli: Cli) {
    const kindName = cli.args.choice("kind", Object.keys(KINDS) as (keyof typeof KINDS)[]);
    const kind = KINDS[kindName];
    const ref = await positionRef(cli);
    const c = ref.collateral.custody.account;
    const triggerPrice = parseUnits(cli.args.required("trigger-price"), 9, "--trigger-price", { unit: "USD" });
    const acceptable = cli.optionalAmount("acceptable-price", 9, { unit: "USD" });
    const size = cli.optionalAmount("size-usd", 6, { unit: "USD" });
    const collateralAmount = cli.optionalAmount("amount", c.decimals, { unit: ref.collateral.symbol }) ?? new BN(0);
    const reward = cli.optionalAmount("reward-sol", 9, { unit: "SOL" }) ?? DEFAULT_REWARD;
    if (reward.ltn(MIN_EXECUTION_REWARD))
      throw new AmountError(`--reward-sol: at least ${formatUnits(new BN(MIN_EXECUTION_REWARD), 9)} SOL`);
    if (kind === OrderKind.LIMIT) {
      if (!size) throw new UsageError("a limit order needs --size-usd");
      if (!acceptable) throw new UsageError("a limit order needs --acceptable-price");
    } else if (!collateralAmount.isZero()) throw new UsageError("--amount applies to limit orders only");
    const state = await cli.state();
    const now = await cli.now();
    const position = await fetchPosition(cli.program(), ref.address);
    if (kind !== OrderKind.LIMIT && (!position || position.sizeUsd.isZero()))
      throw new Error(`a ${kindName} order needs an open position (${ref.address.toBase58()})`);
    let slot: number;
    if (cli.args.has("slot")) {
      slot = cli.args.int("slot", 0);
      if (slot >= MAX_ORDERS) throw new UsageError(`--slot must be 0 to ${MAX_ORDERS - 1}`);
    } else {
      const taken = await cli.connection.getMultipleAccountsInfo(
        Array.from({ length: MAX_ORDERS }, (_, i) => orderPda(ref.address, i, cli.programId)[0]),
      );
      slot = taken.findIndex((a) => a === null);
      if (slot < 0) throw new Error(`all ${MAX_ORDERS} order slots of position ${ref.address.toBase58()} are taken`);
    }
    const wallet = cli.wallet();
    const funding = await findTokenAccount(cli.connection, wallet.publicKey, c.mint);
    if (!funding || funding.amount.lt(collateralAmount)) {
      throw new Error(
        funding
          ? `insufficient ${ref.collateral.symbol}: the wallet holds ${formatUnits(funding.amount, c.decimals)}, the escrow is ${formatUnits(collateralAmount, c.decimals)}`
          : `the wallet has no ${ref.collateral.symbol} token account (needed to receive the order's proceeds)`,
      );
    }
    const order = orderPda(ref.address, slot, cli.programId)[0];
    let triggeredNow: boolean | null = null;
    try {
      triggeredNow = orderTriggered(
        { kind, side: ref.side, triggerPrice },
        pricedCustody(state, ref.market.custody.address, now).price.spot,
      );
    } catch {
      triggeredNow = null;
    }
    cli.out.fields(
      `Place a ${kindName} order on ${ref.sideName} ${ref.market.symbol}/${ref.collateral.symbol} (order ${order.toBase58()}, slot ${slot})`,
      [
        [
          "Trigger",
          `$${formatPrice(triggerPrice)}${triggeredNow ? " (already crossed: a keeper may execute it at once)" : ""}`,
        ],
        ["Worst price", acceptable ? `$${formatPrice(acceptable)}` : "any"],
        ["Size", size ? `$${formatUsd(size)}` : "all"],
        ...(kind === OrderKind.LIMIT
          ? ([["Escrow", `${formatUnits(collateralAmount, c.decimals)} ${ref.collateral.symbol}`]] as [
              string,
              string,
            ][])
          : []),
        ["Keeper reward", `${formatUnits(reward, 9)} SOL (prepaid; refunded on cancel)`],
      ],
    );
    const ix = await placeOrderIx(cli.program(), state, {
      owner: wallet.publicKey,
      side: ref.side,
      custody: ref.market.custody.address,
      collateralCustody: ref.collateral.custody.address,
      fundingAccount: funding.address,
      slot,
      kind,
      triggerPrice,
      acceptablePrice: acceptable ?? new BN(0),
      sizeUsd: size ?? new BN(0),
      collateralAmount,
      executionReward: reward,
    });
    await cli.send([ix], {
      command: "orders place",
      order: order.toBase58(),
      position: ref.address.toBase58(),
      slot,
      kind: kindName,
      triggerPrice: formatPrice(triggerPrice),
      triggeredNow,
      rewardSol: formatUnits(reward, 9),
    });
  },
};

export const ordersCancel: Command = {
  name: "orders cancel",
  summary: "cancel one of the wallet's orders: the escrow, the reward and the rent come back",
  options: [{ name: "order", value: "ADDRESS", help: "the order" }],
  async run(cli: Cli) {
    const text = cli.args.required("order");
    const address = asPublicKey(text);
    if (!address) throw new UsageError(`--order ${text}: not a base58 address`);
    const state = await cli.state();
    const order: Order | null = await fetchOrder(cli.program(), address);
    if (!order) throw new Error(`order ${text} not found`);
    const wallet = cli.wallet();
    if (!order.owner.equals(wallet.publicKey))
      throw new Error(
        `order ${text} belongs to ${order.owner.toBase58()}, not to the wallet ${wallet.publicKey.toBase58()}`,
      );
    const coll = state.custodies.find((c) => c.address.equals(order.collateralCustody))!.account;
    const receiving = await tokenAccountOrCreate(cli.connection, wallet.publicKey, wallet.publicKey, coll.mint);
    cli.out.fields(`Cancel ${KIND_NAMES[order.kind] ?? order.kind} order ${text}`, [
      [
        "Refund",
        `${formatUnits(order.executionReward, 9)} SOL reward${order.collateralAmount.isZero() ? "" : ` and ${formatUnits(order.collateralAmount, coll.decimals)} ${assetLabel(state, order.collateralCustody, cli.deployment)} escrow`}, plus the rent`,
      ],
    ]);
    const ix = await cancelOrderIx(cli.program(), state, {
      order: address,
      account: order,
      receivingAccount: receiving.address,
    });
    await cli.send(receiving.create ? [receiving.create, ix] : [ix], {
      command: "orders cancel",
      order: text,
      refundSol: formatUnits(order.executionReward, 9),
      refundCollateral: formatUnits(order.collateralAmount, coll.decimals),
    });
  },
};
