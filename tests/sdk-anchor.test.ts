/**
 * Raw `@coral-xyz/anchor` over the IDL alone (`new Program(IDL, provider)`, no SDK builder): the
 * IDL's PDA seeds let anchor derive config, LP mint, LP account, escrow, vaults, position and loan,
 * and every price feed account (the PDA a custody's settings name: anchor reads the custody to
 * derive it), so a caller names only its own accounts and its choice of pool and markets.
 * A deposit's, redemption's or swap's custody list (every custody and its oracle, to value the
 * pool) anchor reads from the pool's `custody_<i>` fields and their custodies. Opening a position takes a bump argument that saves the
 * program a search; a raw caller that does not compute it passes any byte and the program searches.
 */
import * as anchor from "@coral-xyz/anchor";
import BN from "bn.js";
import { expect } from "chai";

import { IDL, type Perpool, Side, fetchLoan, fetchPosition, loanPda, poolCustodySlots, positionPda } from "../sdk/src";
import { TestPool, TestUser, createTestPool } from "../sdk/src/testing";

describe("SDK IDL: raw anchor Program resolves the program's accounts from the IDL's seeds", () => {
  let t: TestPool;
  let program: anchor.Program<Perpool>;
  let lp: TestUser;
  let trader: TestUser;

  before(async () => {
    t = await createTestPool();
    // The IDL as any anchor client loads it, typed as anchor's generated types are used.
    program = new anchor.Program(IDL as unknown as Perpool, t.provider);
    lp = await t.user({ SOL: "1000", USDC: "200000" });
    trader = await t.user({ SOL: "10", USDC: "10000" });
  });

  it("deposits with only the owner's accounts, the pool and the custody: anchor reads the pool's custody list", async () => {
    // The pool's unused slots repeat its first custody, so every slot of the list resolves.
    const pool = await program.account.pool.fetch(t.pool);
    const slots = poolCustodySlots(pool);
    expect(pool.custodyCount).to.be.within(2, 7);
    for (const k of slots.slice(pool.custodyCount)) expect(k.toBase58()).to.equal(pool.custody0.toBase58());
    for (const [symbol, amount] of [
      ["SOL", new BN("1000000000000")],
      ["USDC", new BN("200000000000")],
    ] as const) {
      const before = t.balance(lp.lp);
      await program.methods
        .addLiquidity(amount, new BN(1))
        .accounts({
          owner: lp.keypair.publicKey,
          pool: t.pool,
          custody: t.asset(symbol).custody,
          fundingAccount: lp.token(symbol),
          lpTokenAccount: lp.lp,
        })
        .signers([lp.keypair])
        .rpc();
      expect(t.balance(lp.lp).gt(before), `${symbol} deposit minted LP`).to.equal(true);
      expect(t.balance(lp.token(symbol)).toString(), "the whole balance was deposited").to.equal("0");
    }
  });

  it("swaps and redeems with only the owner's accounts, the pool and the custodies", async () => {
    const sol = t.asset("SOL");
    const usdc = t.asset("USDC");
    const solBefore = t.balance(trader.token("SOL"));
    const usdcBefore = t.balance(trader.token("USDC"));
    await program.methods
      .swap(new BN(100_000_000), new BN(1))
      .accounts({
        owner: trader.keypair.publicKey,
        pool: t.pool,
        custodyIn: usdc.custody,
        custodyOut: sol.custody,
        fundingAccount: trader.token("USDC"),
        receivingAccount: trader.token("SOL"),
      })
      .signers([trader.keypair])
      .rpc();
    expect(usdcBefore.sub(t.balance(trader.token("USDC"))).toString(), "USDC paid").to.equal("100000000");
    expect(t.balance(trader.token("SOL")).gt(solBefore), "SOL received").to.equal(true);

    const lpBefore = t.balance(lp.lp);
    const lpIn = lpBefore.divn(100);
    await program.methods
      .removeLiquidity(lpIn, new BN(1))
      .accounts({
        owner: lp.keypair.publicKey,
        pool: t.pool,
        custody: usdc.custody,
        receivingAccount: lp.token("USDC"),
        lpTokenAccount: lp.lp,
      })
      .signers([lp.keypair])
      .rpc();
    expect(lpBefore.sub(t.balance(lp.lp)).toString(), "LP burned").to.equal(lpIn.toString());
    expect(t.balance(lp.token("USDC")).gtn(0), "USDC paid out").to.equal(true);
  });

  it("opens a long and closes it, anchor deriving the position, the vault and both price feeds", async () => {
    const sol = t.asset("SOL");
    const usdc = t.asset("USDC");
    const market = { pool: t.pool, custody: sol.custody, collateralCustody: usdc.custody };
    // No bump computed: 0 is passed and the program searches for the position's.
    await program.methods
      .increasePosition(Side.LONG, new BN(1_000_000_000), new BN(200_000_000), new BN(200_000_000_000), 0)
      .accounts({ owner: trader.keypair.publicKey, fundingAccount: trader.token("USDC"), ...market })
      .signers([trader.keypair])
      .rpc();
    // (Checked against the SDK's derivation, not used to build the call.)
    const [address, bump] = positionPda(trader.keypair.publicKey, t.pool, sol.custody, usdc.custody, Side.LONG);
    const position = await fetchPosition(t.program, address);
    expect(position?.sizeUsd.toString()).to.equal("1000000000");
    expect(position?.bump).to.equal(bump);

    await program.methods
      .decreasePosition(new BN(1_000_000_000), new BN(0), new BN(1))
      .accounts({
        owner: trader.keypair.publicKey,
        position: address,
        receivingAccount: trader.token("USDC"),
        ...market,
      })
      .signers([trader.keypair])
      .rpc();
    expect(await fetchPosition(t.program, address)).to.equal(null);
  });

  it("borrows against deposited collateral, anchor deriving the loan, both vaults and both price feeds", async () => {
    const sol = t.asset("SOL");
    const usdc = t.asset("USDC");
    const owner = trader.keypair.publicKey;
    await program.methods
      .depositLoanCollateral(new BN(5_000_000_000))
      .accounts({
        owner,
        pool: t.pool,
        collateralCustody: sol.custody,
        borrowCustody: usdc.custody,
        fundingAccount: trader.token("SOL"),
      })
      .signers([trader.keypair])
      .rpc();
    const usdcBefore = t.balance(trader.token("USDC"));
    await program.methods
      .borrow(new BN(100_000_000))
      .accounts({
        owner,
        pool: t.pool,
        collateralCustody: sol.custody,
        borrowCustody: usdc.custody,
        receivingAccount: trader.token("USDC"),
      })
      .signers([trader.keypair])
      .rpc();
    expect(t.balance(trader.token("USDC")).sub(usdcBefore).toString()).to.equal("100000000");
    const [loan] = loanPda(owner, t.pool, sol.custody, usdc.custody);
    expect((await fetchLoan(t.program, loan))?.collateralAmount.toString()).to.equal("5000000000");
  });
});
