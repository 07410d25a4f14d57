/**
 * The web app in a real browser (Debian's chromium, headless, driven by
 * playwright-core) against the local stack: validator, deployed pool, price
 * feed, token faucet and the app's dev server, all started here on free
 * loopback ports and stopped in `after`.
 *
 * One user's session, step by step: connect the dev wallet and fund it;
 * refused inputs show why and send nothing; deposit and see the LP balance
 * change; a transaction the program refuses shows why in plain words and
 * lands nothing; open a long and find it in the positions table with a liquidation
 * price; close half of it; place and cancel a take-profit; redeem LP tokens; deposit loan collateral and
 * borrow. A screenshot of each page goes to test-results/app/.
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Browser, Page, chromium } from "playwright-core";

import { PauseFlags, perpoolProgram, setPauseIx } from "../../sdk/src";
import { Stack, startStack } from "./stack";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = path.resolve(__dirname, "..", "..", "test-results", "app");
/** Upper bound of any one wait; a step that takes longer is a failure. */
const STEP_MS = 30_000;

describe("web app in a browser", function () {
  this.timeout(240_000);

  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let connection: Connection;
  let wallet: PublicKey;
  const pageErrors: string[] = [];

  /** Base units of the wallet's token accounts of `mint`, summed. */
  async function tokenBalance(mint: string): Promise<BN> {
    const res = await connection.getTokenAccountsByOwner(wallet, { mint: new PublicKey(mint) }, "confirmed");
    let total = new BN(0);
    for (const a of res.value) total = total.add(new BN(Buffer.from(a.account.data).readBigUInt64LE(64).toString()));
    return total;
  }

  const mintOf = (symbol: string) => stack.deployment.assets.find((a) => a.symbol === symbol)!.mint;
  const signatureCount = async () => (await connection.getSignaturesForAddress(wallet, { limit: 1000 }, "confirmed")).length;

  async function goto(pageId: string, ready: string): Promise<void> {
    await page.click(`[data-testid=nav-${pageId}]`);
    await page.waitForSelector(ready, { timeout: STEP_MS });
  }

  /** Waits until the text of `selector` (thousands separators dropped) is `text`. */
  async function waitForText(selector: string, text: string): Promise<void> {
    await page.waitForFunction(
      ([sel, want]) => (globalThis as unknown as BrowserGlobals).document.querySelector(sel)?.textContent?.replace(/,/g, "") === want,
      [selector, text] as const,
      { timeout: STEP_MS },
    );
  }

  /** Waits for the newest transaction toast with `label` to be confirmed; fails with its error when it failed. */
  async function confirmed(label: string): Promise<string> {
    const settled = `[data-testid=tx][data-label^="${label}"]:is([data-status=confirmed], [data-status=failed])`;
    await page.waitForSelector(settled, { timeout: STEP_MS });
    const toast = page.locator(settled).first();
    const status = await toast.getAttribute("data-status");
    if (status !== "confirmed") throw new Error(`${label}: ${await toast.locator("[data-testid=tx-error]").textContent()}`);
    const signature = await toast.locator("[data-testid=tx-signature]").getAttribute("data-signature");
    expect(signature, "the toast links the signature").to.be.a("string");
    await toast.getByRole("button", { name: "Dismiss" }).click();
    return signature!;
  }

  const adminKey = () => Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(path.join(stack.dir, "admin.json"), "utf8")) as number[]));
  const adminProgram = () => perpoolProgram(new anchor.AnchorProvider(connection, new anchor.Wallet(adminKey()), { commitment: "confirmed" }));
  /** Sends one instruction signed by the pool's admin. */
  async function admin(ix: TransactionInstruction): Promise<void> {
    await adminProgram().provider.sendAndConfirm!(new Transaction().add(ix));
  }

  async function screenshot(name: string): Promise<void> {
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  before(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startStack();
    connection = new Connection(stack.rpcUrl, "confirmed");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${stack.appUrl}#/pool`);
    await page.waitForSelector("[data-testid=pool-aum]", { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("connects the dev wallet and funds it with SOL and test tokens", async () => {
    await page.click("[data-testid=connect-wallet]");
    await page.getByRole("menuitem", { name: "Dev wallet (localnet)" }).click();
    const address = page.locator("[data-testid=wallet-address]");
    await address.waitFor({ timeout: STEP_MS });
    wallet = new PublicKey((await address.getAttribute("title"))!);

    await page.click("[data-testid=fund-wallet]");
    await page.waitForSelector("[data-testid=fund-status][data-state=done]", { timeout: STEP_MS });
    expect((await connection.getBalance(wallet)) / 1e9).to.be.at.least(5);
    expect((await tokenBalance(mintOf("USDC"))).toString()).to.equal(new BN(100_000).mul(new BN(1e6)).toString());
  });

  it("refuses bad amounts with a reason, before anything is signed", async () => {
    await goto("earn", "[data-testid=earn-amount]");
    await page.selectOption("[data-testid=earn-asset]", { label: "USDC" });
    await page.locator("[data-testid=earn-amount-balance]").filter({ hasText: "100,000" }).waitFor({ timeout: STEP_MS });
    const signaturesBefore = await signatureCount();
    const usdcBefore = await tokenBalance(mintOf("USDC"));
    const cases: [string, RegExp][] = [
      ["abc", /Enter a number/],
      ["-5", /must be positive/],
      ["1.1234567", /at most 6 decimal places/],
      ["0", /above zero/],
      ["250000", /More than your balance/],
    ];
    for (const [text, why] of cases) {
      await page.fill("[data-testid=earn-amount]", text);
      expect(await page.locator("[data-testid=earn-amount-error]").textContent()).to.match(why);
      expect(await page.locator("[data-testid=earn-submit]").isDisabled(), `submit disabled for ${text}`).to.equal(true);
      // A click on the disabled button does nothing.
      await page.locator("[data-testid=earn-submit]").click({ force: true });
    }
    expect(await page.locator("[data-testid=tx]").count(), "no transaction started").to.equal(0);
    expect(await signatureCount(), "no transaction landed").to.equal(signaturesBefore);
    expect((await tokenBalance(mintOf("USDC"))).toString()).to.equal(usdcBefore.toString());
  });

  it("deposits USDC and shows the LP balance grow by the quoted amount", async () => {
    const lpMint = stack.deployment.pool.lpMint;
    expect((await tokenBalance(lpMint)).toString()).to.equal("0");
    await page.fill("[data-testid=earn-amount]", "20000");
    const quoted = await page.locator("[data-testid=quote-out]").textContent({ timeout: STEP_MS });
    expect(quoted).to.match(/LP$/);
    await screenshot("earn");
    await page.click("[data-testid=earn-submit]");
    await confirmed("Deposit 20000 USDC");
    await page.locator("[data-testid=lp-balance]").filter({ hasNotText: /^0$/ }).waitFor({ timeout: STEP_MS });
    const onChain = await tokenBalance(lpMint);
    expect(onChain.gtn(0)).to.equal(true);
    // The page shows what the chain holds.
    await waitForText("[data-testid=lp-balance]", formatLp(onChain));
    // The quote (made a moment before, the USDC price moves by basis points) is what was minted, within the slippage bound.
    const quotedLp = Number(quoted!.replace(/,/g, "").replace(" LP", ""));
    expect(Math.abs(quotedLp - Number(formatLp(onChain))) / quotedLp).to.be.below(0.005);
  });

  it("shows a program error in plain words when the program refuses, and nothing lands", async () => {
    // The admin pauses liquidity: quotes cannot know, the program refuses in simulation.
    await admin(await setPauseIx(adminProgram(), adminKey().publicKey, PauseFlags.LIQUIDITY));
    try {
      const signaturesBefore = await signatureCount();
      const usdcBefore = await tokenBalance(mintOf("USDC"));
      await page.fill("[data-testid=earn-amount]", "10");
      await page.waitForSelector("[data-testid=quote-out]", { timeout: STEP_MS });
      await page.click("[data-testid=earn-submit]");
      const failed = '[data-testid=tx][data-label^="Deposit 10 USDC"][data-status=failed]';
      await page.waitForSelector(failed, { timeout: STEP_MS });
      expect(await page.locator(`${failed} [data-testid=tx-error]`).textContent()).to.equal("This part of the pool is paused by the admin.");
      await page.locator(failed).getByRole("button", { name: "Dismiss" }).click();
      expect(await signatureCount(), "nothing landed").to.equal(signaturesBefore);
      expect((await tokenBalance(mintOf("USDC"))).toString()).to.equal(usdcBefore.toString());
    } finally {
      await admin(await setPauseIx(adminProgram(), adminKey().publicKey, PauseFlags.NONE));
    }
    await page.fill("[data-testid=earn-amount]", "");
  });

  it("opens a 5x SOL long and lists it with a liquidation price", async () => {
    await goto("trade", "[data-testid=trade-amount]");
    await page.click("[data-testid=market-SOL]");
    await page.getByRole("tab", { name: "Long" }).click();
    await page.selectOption("[data-testid=trade-collateral]", { label: "USDC" });
    await page.fill("[data-testid=trade-amount]", "100");
    await page.fill("[data-testid=trade-leverage-input]", "5");
    await page.waitForSelector("[data-testid=quote-liq]", { timeout: STEP_MS });
    const quotedLiq = (await page.locator("[data-testid=quote-liq]").textContent())!;
    expect(quotedLiq).to.match(/^\$\d/);
    await page.click("[data-testid=trade-submit]");
    await confirmed("Open 5.00x long SOL");

    const row = page.locator("[data-testid=position-row][data-market=SOL][data-side=long]");
    await row.waitFor({ timeout: STEP_MS });
    const size = new BN((await row.locator("[data-testid=pos-size]").getAttribute("data-usd"))!);
    // 100 USDC at its oracle price (within basis points of $1), times 5.
    expect(Number(size.toString()) / 1e6).to.be.within(495, 505);
    const liq = (await row.locator("[data-testid=pos-liq]").textContent())!;
    expect(liq).to.match(/^\$\d/);
    // A 5x long liquidates somewhere below the entry, well above zero.
    const liqUsd = Number(liq.replace(/[$,]/g, ""));
    expect(liqUsd).to.be.within(100, 150);
  });

  it("closes half of the long, keeping its leverage", async () => {
    const row = page.locator("[data-testid=position-row][data-market=SOL][data-side=long]");
    const before = new BN((await row.locator("[data-testid=pos-size]").getAttribute("data-usd"))!);
    const usdcBefore = await tokenBalance(mintOf("USDC"));
    await row.locator("[data-testid=pos-close]").click();
    await page.click("[data-testid=close-pct-50]");
    await page.check("[data-testid=close-keep-leverage]");
    await page.waitForSelector("[data-testid=close-quote]", { timeout: STEP_MS });
    await screenshot("trade");
    await page.click("[data-testid=close-submit]");
    await confirmed("Reduce SOL long");
    const half = before.sub(before.divn(2));
    await row.locator(`[data-testid=pos-size][data-usd="${half.toString()}"]`).waitFor({ timeout: STEP_MS });
    expect((await row.locator("[data-testid=pos-liq]").textContent())!).to.match(/^\$\d/);
    // About half of the 100 USDC collateral came back (less the close fee and the price's small move).
    const back = Number((await tokenBalance(mintOf("USDC"))).sub(usdcBefore).toString()) / 1e6;
    expect(back).to.be.within(45, 50);
  });

  it("places a take-profit order on the long, refusing one on the wrong side of the entry, and cancels it", async () => {
    const row = page.locator("[data-testid=position-row][data-market=SOL][data-side=long]");
    await row.locator("[data-testid=pos-orders]").click();
    await page.getByRole("tab", { name: "Take-profit" }).click();
    await page.fill("[data-testid=order-price]", "100");
    expect(await page.locator("[data-testid=order-price-error]").textContent()).to.match(/triggers above the entry price/);
    expect(await page.locator("[data-testid=order-submit]").isDisabled()).to.equal(true);
    await page.fill("[data-testid=order-price]", "200");
    await page.click("[data-testid=order-submit]");
    await confirmed("Place take-profit at $200");
    await page.locator("[data-testid=order-row]").filter({ hasText: "Take-profit" }).waitFor({ timeout: STEP_MS });
    await page.click("[data-testid=order-cancel]");
    await confirmed("Cancel order at $200");
    await page.locator("[data-testid=order-row]").waitFor({ state: "detached", timeout: STEP_MS });
  });

  it("redeems LP tokens for USDC", async () => {
    await goto("earn", "[data-testid=earn-amount]");
    const lpMint = stack.deployment.pool.lpMint;
    const lpBefore = await tokenBalance(lpMint);
    const usdcBefore = await tokenBalance(mintOf("USDC"));
    await page.getByRole("tab", { name: "Redeem" }).click();
    await page.selectOption("[data-testid=earn-asset]", { label: "USDC" });
    await page.fill("[data-testid=earn-amount]", "5000");
    await page.waitForSelector("[data-testid=quote-out]", { timeout: STEP_MS });
    await page.click("[data-testid=earn-submit]");
    await confirmed("Redeem 5000 LP for USDC");
    const expected = lpBefore.sub(new BN(5_000_000_000));
    await waitForText("[data-testid=lp-balance]", formatLp(expected));
    expect((await tokenBalance(lpMint)).toString()).to.equal(expected.toString());
    expect((await tokenBalance(mintOf("USDC"))).gt(usdcBefore)).to.equal(true);
  });

  it("deposits SOL as loan collateral and borrows USDC against it", async () => {
    await goto("borrow", "[data-testid=borrow-amount]");
    await page.selectOption("[data-testid=borrow-collateral]", { label: "SOL" });
    await page.selectOption("[data-testid=borrow-asset]", { label: "USDC" });
    await page.fill("[data-testid=borrow-amount]", "2");
    await page.waitForSelector("[data-testid=borrow-quote]", { timeout: STEP_MS });
    await page.click("[data-testid=borrow-submit]");
    await confirmed("Deposit collateral: 2 SOL");
    await page.locator("[data-testid=loan-collateral]").filter({ hasText: "2 SOL" }).waitFor({ timeout: STEP_MS });

    await page.getByRole("tab", { name: "Borrow" }).click();
    await page.fill("[data-testid=borrow-amount]", "50");
    await page.waitForSelector("[data-testid=borrow-quote]", { timeout: STEP_MS });
    await page.click("[data-testid=borrow-submit]");
    await confirmed("Borrow: 50 USDC");
    await page.locator("[data-testid=loan-debt]").filter({ hasText: /^50(\.\d+)? USDC$/ }).waitFor({ timeout: STEP_MS });
    expect((await page.locator("[data-testid=loan-liq]").textContent())!).to.match(/^\$\d/);
    await screenshot("borrow");
  });

  it("shows the pool with the new liquidity, and no page errors happened", async () => {
    await goto("pool", "[data-testid=pool-aum]");
    await page.locator("[data-testid=pool-aum]").filter({ hasNotText: "$0.00" }).waitFor({ timeout: STEP_MS });
    await screenshot("pool");
    expect(pageErrors, "uncaught errors in the page").to.deep.equal([]);
  });
});

/** What the page functions above touch (the test itself compiles without the DOM types). */
interface BrowserGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null };
}

/** LP base units (6 decimals) as the app prints them, without grouping. */
function formatLp(v: BN): string {
  const s = v.toString().padStart(7, "0");
  const frac = s.slice(-6).replace(/0+$/, "");
  return frac ? `${s.slice(0, -6)}.${frac}` : s.slice(0, -6);
}
