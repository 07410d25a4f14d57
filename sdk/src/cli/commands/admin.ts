/** `perpool set-price`: sets a test oracle's price (pools that allow test oracles; the config admin signs). */
import BN from "bn.js";

import { fetchConfig } from "../../accounts";
import { OracleKind } from "../../constants";
import { setTestPriceIx } from "../../instructions";
import { Cli, Command } from "../cli";
import { formatUnits } from "../units";

/** Test prices carry 8 decimals (Pyth's usual exponent). */
const EXPO = -8;

export const setPrice: Command = {
  name: "set-price",
  summary: "set a test oracle's price (localnet and test pools only; signed by the admin)",
  defaultKeypair: "admin.json",
  options: [
    { name: "asset", value: "SYMBOL|MINT", help: "the asset whose test oracle to set" },
    { name: "price", value: "USD", help: "spot price, e.g. 151.25 (at most 8 decimals)" },
    { name: "ema", value: "USD", help: "EMA price (default: the spot price)" },
    { name: "conf", value: "USD", help: "confidence interval (default 0)" },
  ],
  async run(cli: Cli) {
    const asset = await cli.asset("asset");
    const price = cli.amount("price", 8, { unit: "USD" });
    const ema = cli.optionalAmount("ema", 8, { unit: "USD" }) ?? price;
    const conf = cli.optionalAmount("conf", 8, { allowZero: true, unit: "USD" }) ?? new BN(0);
    const state = await cli.state();
    if (asset.custody.account.oracleKind !== OracleKind.TEST) throw new Error(`${asset.symbol} is priced by Pyth, not by a test oracle`);
    if (state.pool.allowTestOracles === 0) throw new Error(`pool ${cli.pool.toBase58()} does not allow test oracles`);
    const admin = cli.wallet();
    const config = await fetchConfig(cli.program());
    if (!config.admin.equals(admin.publicKey)) throw new Error(`the signer ${admin.publicKey.toBase58()} is not the admin ${config.admin.toBase58()} (give --keypair with the admin's key)`);
    cli.out.fields(`Set the ${asset.symbol} test price`, [
      ["Price", `$${formatUnits(price, 8)}`],
      ["EMA", `$${formatUnits(ema, 8)}`],
      ["Confidence", `$${formatUnits(conf, 8)}`],
      ["Oracle", asset.custody.account.oracle.toBase58()],
    ]);
    const ix = await setTestPriceIx(cli.program(), { admin: admin.publicKey, pool: cli.pool, custody: asset.custody.address, price, emaPrice: ema, conf, expo: EXPO });
    await cli.send([ix], { command: "set-price", asset: asset.symbol, price: formatUnits(price, 8), ema: formatUnits(ema, 8), conf: formatUnits(conf, 8) });
  },
};
