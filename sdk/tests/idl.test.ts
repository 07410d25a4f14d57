import * as anchor from "@coral-xyz/anchor";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import * as fs from "fs";

import {
  ERRORS_PATH,
  ERROR_LOG_PATH,
  IDL_PATH,
  IDL_TS_PATH,
  PERPOOL_TYPE_PATH,
  TYPES_PATH,
  renderErrorLog,
  renderErrors,
  renderIdl,
  renderIdlModule,
  renderPerpoolType,
  renderTypes,
} from "../scripts/gen-idl";
import { LiteSvmProvider, perpoolProgram } from "../src";

describe("IDL", () => {
  it("is up to date with the program's Rust sources (run `npm run idl` after changing them)", () => {
    expect(fs.readFileSync(IDL_PATH, "utf8")).to.equal(renderIdl());
    expect(fs.readFileSync(TYPES_PATH, "utf8")).to.equal(renderTypes());
    expect(fs.readFileSync(IDL_TS_PATH, "utf8")).to.equal(renderIdlModule());
    expect(fs.readFileSync(PERPOOL_TYPE_PATH, "utf8")).to.equal(renderPerpoolType());
    expect(fs.readFileSync(ERRORS_PATH, "utf8")).to.equal(renderErrors());
    expect(fs.readFileSync(ERROR_LOG_PATH, "utf8")).to.equal(renderErrorLog());
  });

  it("gives anchor account sizes equal to the program's layouts", () => {
    const program = perpoolProgram(new LiteSvmProvider(undefined, new anchor.Wallet(Keypair.generate())));
    // Sizes pinned by const assertions in programs/perpool-interface/src/state.
    const account = program.account as Record<string, { size: number }>;
    expect(account.config.size).to.equal(144);
    expect(account.pool.size).to.equal(496);
    expect(account.custody.size).to.equal(1280);
    expect(account.position.size).to.equal(376);
    // No test oracle in the deployed program (local clusters publish real Pyth accounts).
    expect(account.testOracle).to.equal(undefined);
    expect((program.idl.instructions as { name: string }[]).map((i) => i.name)).to.not.include("setTestPrice");
  });
});
