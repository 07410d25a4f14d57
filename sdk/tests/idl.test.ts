import * as anchor from "@coral-xyz/anchor";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

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
import { IDL, LiteSvmProvider, perpoolProgram } from "../src";

/** An account as a processor's doc comment lists it: `N. \`[writable, signer]\` name — note`. */
interface DocAccount {
  name: string;
  writable: boolean;
  signer: boolean;
}

/**
 * The account lists of the processors' doc comments (programs/perpool/src/processor), by
 * instruction: a block starts at "Accounts of `name(...)`" (a header may name several
 * instructions and run over lines) and lists the accounts as numbered lines; a line indented
 * under an account continues its note.
 */
function processorDocs(): Map<string, { file: string; accounts: DocAccount[] }> {
  const dir = path.join(__dirname, "..", "..", "programs", "perpool", "src", "processor");
  const known = new Set(IDL.instructions.map((i) => i.name));
  const out = new Map<string, { file: string; accounts: DocAccount[] }>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".rs"))) {
    const lines = fs.readFileSync(path.join(dir, file), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (!/^\/\/\/ Accounts of /.test(lines[i])) continue;
      let header = "";
      let j = i;
      for (; j < lines.length && /^\/\/\/ (?!\d+\. )/.test(lines[j]); j++) header += ` ${lines[j].slice(4)}`;
      // The instructions the block is for: "Accounts of `a(...)`", "… and `b`", "… and of `c(...)`";
      // instructions named later in the header are only mentioned.
      const names: string[] = [];
      let rest = header.replace(/^ Accounts of/, "");
      for (let m; (m = /^\s*(?:,|and(?: of)?)?\s*`(\w+)(?:\([^`]*\))?`/.exec(rest)); rest = rest.slice(m[0].length))
        if (known.has(m[1])) names.push(m[1]);
      const accounts: DocAccount[] = [];
      for (; j < lines.length; j++) {
        const m = /^\/\/\/ (\d+)\. `\[([a-z, ]*)\]` ([\w ]+?)(?: \([^)]*\))?(?: —.*)?$/.exec(lines[j]);
        if (!m) {
          if (/^\/\/\/ {3,}\S/.test(lines[j])) continue; // a note's continuation
          break;
        }
        if (Number(m[1]) !== accounts.length)
          throw new Error(`${file}:${j + 1}: account numbered ${m[1]}, expected ${accounts.length}`);
        const flags = m[2].split(",").map((f) => f.trim());
        accounts.push({
          name: m[3].trim().replace(/ /g, "_"),
          writable: flags.includes("writable"),
          signer: flags.includes("signer"),
        });
      }
      for (const n of names) out.set(n, { file, accounts });
    }
  }
  return out;
}

describe("IDL", () => {
  it("is up to date with the program's Rust sources (run `npm run idl` after changing them)", () => {
    expect(fs.readFileSync(IDL_PATH, "utf8")).to.equal(renderIdl());
    expect(fs.readFileSync(TYPES_PATH, "utf8")).to.equal(renderTypes());
    expect(fs.readFileSync(IDL_TS_PATH, "utf8")).to.equal(renderIdlModule());
    expect(fs.readFileSync(PERPOOL_TYPE_PATH, "utf8")).to.equal(renderPerpoolType());
    expect(fs.readFileSync(ERRORS_PATH, "utf8")).to.equal(renderErrors());
    expect(fs.readFileSync(ERROR_LOG_PATH, "utf8")).to.equal(renderErrorLog());
  });

  it("matches every processor's doc-comment account list to the declaration the IDL comes from", () => {
    const docs = processorDocs();
    const problems: string[] = [];
    for (const ix of IDL.instructions) {
      const doc = docs.get(ix.name);
      if (!doc) {
        problems.push(`${ix.name}: no "Accounts of \`${ix.name}(...)\`" list in processor/`);
        continue;
      }
      const declared = (ix.accounts as { name: string; writable?: boolean; signer?: boolean }[]).map((a) => ({
        name: a.name,
        writable: !!a.writable,
        signer: !!a.signer,
      }));
      if (doc.accounts.length !== declared.length)
        problems.push(`${ix.name} (${doc.file}): ${doc.accounts.length} accounts listed, ${declared.length} declared`);
      declared.forEach((d, k) => {
        const a = doc.accounts[k];
        if (a && (a.name !== d.name || a.writable !== d.writable || a.signer !== d.signer))
          problems.push(`${ix.name} (${doc.file}) #${k}: listed ${JSON.stringify(a)}, declared ${JSON.stringify(d)}`);
      });
    }
    expect(problems, problems.join("\n")).to.deep.equal([]);
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

  it("declares every price feed account as the PDA its custody's settings name, so anchor derives it", () => {
    type Seed = { kind: string; path?: string; account?: string };
    type Account = { name: string; pda?: { seeds: Seed[]; program?: Seed } };
    const feeds: string[] = [];
    const problems: string[] = [];
    for (const ix of IDL.instructions as unknown as { name: string; accounts: Account[] }[]) {
      for (const a of ix.accounts.filter((a) => /oracle$/i.test(a.name))) {
        feeds.push(`${ix.name}.${a.name}`);
        // The proposal's oracle is whatever the proposal names (checked when it was proposed).
        if (ix.name === "execute_custody_params") {
          if (a.pda) problems.push(`${ix.name}.${a.name}: declared derivable`);
          continue;
        }
        const paths = [...(a.pda?.seeds ?? []), ...(a.pda?.program ? [a.pda.program] : [])].map((s) => s.path ?? "");
        const owner = paths[0]?.split(".")[0];
        const expected = ["oracle_shard", "feed_id", "oracle_program"].map((f) => `${owner}.${f}`);
        if (JSON.stringify(paths) !== JSON.stringify(expected))
          problems.push(`${ix.name}.${a.name}: ${paths.join(", ")}`);
      }
    }
    expect(problems, problems.join("\n")).to.deep.equal([]);
    // Trades, orders, loans, liquidations, ADL, listing and proposals all take one.
    expect(feeds.length).to.be.greaterThan(20);
  });
});

describe("math error locations", () => {
  const programs = path.resolve(__dirname, "..", "..", "programs");
  const rustFiles = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? rustFiles(path.join(dir, e.name)) : e.name.endsWith(".rs") ? [path.join(dir, e.name)] : [],
      );
  /** A call that can raise a math error: a checked helper, a conversion, or `raise` itself. */
  const RAISES =
    /(?<![.\w])(checked_(add|sub|mul)|mul_div_(floor|ceil)(_i64)?|token_to_usd_(floor|ceil)|usd_to_token_(floor|ceil)|apply_(bps|rate)_(floor|ceil)|fail|raised)\(|\.raise\(\)/;
  const sources = ["perpool-core", "perpool"].flatMap((crate) =>
    rustFiles(path.join(programs, crate, "src")).map((file) => {
      const text = fs.readFileSync(file, "utf8");
      const code = text.split("#[cfg(test)]")[0]!;
      return { file: path.relative(path.dirname(programs), file).split(path.sep).join("/"), code, text };
    }),
  );

  it("has every file that raises one declare itself, and the program list exactly those (else the log says `an unlisted file`)", () => {
    const raising = sources.filter((s) => !s.file.endsWith("math/error.rs") && RAISES.test(s.code)).map((s) => s.file);
    const declared = sources
      .filter((s) => /^(crate|perpool_core)::source_file!\(\);$/m.test(s.text))
      .map((s) => s.file);
    expect(
      raising.filter((f) => !declared.includes(f)),
      "raise math errors without `source_file!()`",
    ).to.deep.equal([]);
    const entry = fs.readFileSync(path.join(programs, "perpool", "src", "entrypoint.rs"), "utf8");
    const listed = Array.from(entry.matchAll(/^\s+\d+ => (perpool_core|crate)::([\w:]+)::source_file\(\),$/gm)).map(
      (m) => `programs/${m[1] === "crate" ? "perpool" : "perpool-core"}/src/${m[2]!.replace(/::/g, "/")}.rs`,
    );
    expect([...listed].sort()).to.deep.equal([...declared].sort());
    // The indexes run 0, 1, 2, … so the program's walk reaches every entry.
    const indexes = Array.from(entry.matchAll(/^\s+(\d+) => (?:perpool_core|crate)::[\w:]+::source_file\(\),$/gm)).map(
      (m) => Number(m[1]),
    );
    expect(indexes).to.deep.equal(indexes.map((_, i) => i));
  });
});
