/**
 * `perpool set-price`: publishes an asset's price through the local price
 * publisher (programs/pyth-publisher). Local clusters only: refused where the
 * Pyth receiver's address holds anything but the publisher.
 */
import BN from "bn.js";

import { decodePriceUpdateV2 } from "../../oracle";
import { isPricePublisher, priceFeedPda, publishPriceIx } from "../../publisher";
import { Cli, Command } from "../cli";
import { formatUnits } from "../units";

/** Published prices carry 8 decimals (Pyth's usual exponent for USD feeds). */
const EXPO = -8;

export const setPrice: Command = {
  name: "set-price",
  summary:
    "publish an asset's price through the local price publisher (local clusters only; signed by the feed's write authority)",
  defaultKeypair: "admin.json",
  options: [
    { name: "asset", value: "SYMBOL|MINT", help: "the asset whose price to publish" },
    { name: "price", value: "USD", help: "spot price, e.g. 151.25 (at most 8 decimals)" },
    { name: "ema", value: "USD", help: "EMA price (default: the spot price)" },
    { name: "conf", value: "USD", help: "confidence interval (default 0)" },
    { name: "shard", value: "N", help: "the price account's shard (default: the custody's)" },
  ],
  async run(cli: Cli) {
    const price = cli.amount("price", 8, { unit: "USD" });
    const ema = cli.optionalAmount("ema", 8, { unit: "USD" }) ?? price;
    const conf = cli.optionalAmount("conf", 8, { allowZero: true, unit: "USD" }) ?? new BN(0);
    const authority = cli.wallet();
    // First of all: a real cluster's Pyth receiver is never written to.
    if (!(await isPricePublisher(cli.connection, authority.publicKey))) {
      throw new Error(
        `${cli.url} does not run the local price publisher at the Pyth receiver's address: set-price works on local clusters only`,
      );
    }
    const asset = await cli.asset("asset");
    const custody = asset.custody.account;
    const feedId = Buffer.from(custody.feedId);
    const shard = cli.args.int("shard", custody.oracleShard);
    const [account] = priceFeedPda(feedId, shard);
    if (!account.equals(custody.oracle)) {
      throw new Error(
        `${asset.symbol}'s oracle ${custody.oracle.toBase58()} is not the publisher's account of its feed (shard ${shard}: ${account.toBase58()})`,
      );
    }
    const current = await cli.connection.getAccountInfo(account);
    if (current) {
      const writer = decodePriceUpdateV2(current.data).writeAuthority;
      if (!writer.equals(authority.publicKey)) {
        throw new Error(
          `the signer ${authority.publicKey.toBase58()} is not the write authority ${writer.toBase58()} of ${asset.symbol}'s price (give --keypair with its key)`,
        );
      }
    }
    cli.out.fields(`Publish the ${asset.symbol} price`, [
      ["Price", `$${formatUnits(price, 8)}`],
      ["EMA", `$${formatUnits(ema, 8)}`],
      ["Confidence", `$${formatUnits(conf, 8)}`],
      ["Feed", feedId.toString("hex")],
      ["Oracle", account.toBase58()],
    ]);
    const ix = publishPriceIx({
      authority: authority.publicKey,
      feedId,
      shard,
      price,
      conf,
      exponent: EXPO,
      emaPrice: ema,
    });
    await cli.send([ix], {
      command: "set-price",
      asset: asset.symbol,
      price: formatUnits(price, 8),
      ema: formatUnits(ema, 8),
      conf: formatUnits(conf, 8),
    });
  },
};
