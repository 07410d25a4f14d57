/**
 * The SDK as an integrator gets it: `npm pack` of `sdk/` (built by `npm run build:sdk`), installed
 * from the tarball into an empty project outside the repository, then used from plain Node
 * (`require` and `import`), compiled by the strictest TypeScript settings with `skipLibCheck: false`,
 * the README quickstart run against LiteSVM through `@perpool/sdk/testing`, and the `perpool` bin
 * run with plain `node`.
 *
 * Dependencies come from the npm cache the repository's `npm ci` filled (`--prefer-offline`).
 */
import { spawn } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO_ROOT = path.resolve(__dirname, "..");
const SDK = path.join(REPO_ROOT, "sdk");
const LOCK = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string }>;
};
/** The version the repository itself uses, so the install is served from its cache. */
const locked = (name: string): string => {
  const version = LOCK.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return `${name}@${version}`;
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`); never throws for a non-zero exit. */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): Promise<Run> {
  // npm passes its own settings to scripts as npm_config_*; the consumer's npm must not inherit the repo's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const ok = (r: Run, what: string): Run => {
  expect(r.code, `${what} failed:\n${r.stdout}\n${r.stderr}`).to.equal(0);
  return r;
};

/** The README's quickstart, exactly as written between its markers. */
function quickstart(): string {
  const readme = fs.readFileSync(path.join(SDK, "README.md"), "utf8");
  const m = /<!-- quickstart:start -->\n```ts\n([\s\S]*?)```\n<!-- quickstart:end -->/.exec(readme);
  if (!m?.[1]) throw new Error("sdk/README.md has no quickstart block");
  return m[1];
}

/** Exercises the typed program: each `@ts-expect-error` fails the compile if the typing is lost. */
const TYPED = `
import type { Program } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { IDL, type Perpool } from "@perpool/sdk/idl";
import { PERPOOL_PROGRAM_ID, Side, type PerpoolProgram } from "@perpool/sdk";

export function build(program: PerpoolProgram, owner: PublicKey) {
  const p: Program<Perpool> = program;
  const methods = p.methods.increasePosition(Side.LONG, new BN(1), new BN(1), new BN(1), 255);
  // @ts-expect-error: no such instruction
  p.methods.openPositionNow();
  // @ts-expect-error: an argument missing
  p.methods.increasePosition(Side.LONG, new BN(1));
  const position: Promise<{ owner: PublicKey; sizeUsd: BN }> = p.account.position.fetch(owner);
  // @ts-expect-error: no such account type
  p.account.positions;
  return { methods, position, address: IDL.address === PERPOOL_PROGRAM_ID.toBase58() };
}
`;

describe("SDK package: installed from its tarball into an empty project", function () {
  // Packing, installing ~170 packages from the cache and two strict compiles on a shared machine.
  this.timeout(900_000);

  let work: string;
  let app: string;
  let tarball: string;
  let packed: { size: number; unpackedSize: number; files: { path: string; size: number }[] };

  before(async () => {
    for (const built of ["dist/cjs/node.js", "dist/esm/web.js", "dist/programs/perpool.so"]) {
      if (!fs.existsSync(path.join(SDK, built)))
        throw new Error(`sdk/${built} is missing: run \`npm run build && npm run build:sdk\` first`);
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-sdk-consumer-"));
    // Scripts off: the test packs what `npm run build:sdk` built (prepack would rebuild it).
    const pack = ok(
      await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], SDK),
      "npm pack",
    );
    const info = (
      JSON.parse(pack.stdout) as {
        filename: string;
        size: number;
        unpackedSize: number;
        files: { path: string; size: number }[];
      }[]
    )[0]!;
    packed = info;
    tarball = path.join(work, info.filename);
    app = path.join(work, "app");
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
    );
    const deps = [tarball, locked("litesvm"), locked("@solana/kit"), locked("typescript"), locked("@types/node")];
    ok(
      await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...deps], app),
      "npm install",
    );
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("packs built output, bins and program binaries only: no sources, tests or scripts", () => {
    const files = packed.files.map((f) => f.path).sort();
    console.log(
      `      tarball ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked, ${files.length} files`,
    );
    for (const f of [
      "package.json",
      "README.md",
      "CHANGELOG.md",
      "bin/perpool.js",
      "bin/perpool-keeper.js",
      "dist/cjs/node.js",
      "dist/cjs/node.d.ts",
      "dist/cjs/node.js.map",
      "dist/esm/web.js",
      "dist/idl/perpool.json",
      "dist/programs/perpool.so",
      "dist/programs/pyth_publisher.so",
    ]) {
      expect(files, f).to.include(f);
    }
    expect(
      files.filter((f) => !/^(dist\/|bin\/|package\.json$|README\.md$|CHANGELOG\.md$)/.test(f)),
      "only the whitelist",
    ).to.deep.equal([]);
    expect(files.filter((f) => /\.test\.|tsbuildinfo|(^|\/)src\//.test(f))).to.deep.equal([]);
    // The program binaries are most of it; the code itself is small.
    expect(packed.size).to.be.below(3 * 1024 * 1024);
  });

  it("(a) requires from plain Node, without loading litesvm", async () => {
    const script = `
      const sdk = require("@perpool/sdk");
      const { IDL } = require("@perpool/sdk/idl");
      if (typeof sdk.perpoolProgram !== "function" || typeof sdk.increasePositionIx !== "function") throw new Error("exports missing");
      if (IDL.address !== sdk.PERPOOL_PROGRAM_ID.toBase58()) throw new Error("IDL address");
      if (Object.keys(require.cache).some((k) => k.includes("litesvm"))) throw new Error("litesvm loaded from the root");
      if (require("@perpool/sdk/idl.json").address !== IDL.address) throw new Error("idl.json");
      console.log("required " + Object.keys(sdk).length + " exports");`;
    const r = ok(await run(process.execPath, ["-e", script], app), "require");
    expect(r.stdout).to.match(/^required \d+ exports/);
  });

  it("(b) imports as an ES module, and the browser build loads as one", async () => {
    const script = `
      import { perpoolProgram, Side, IDL } from "@perpool/sdk";
      import { LiteSvmProvider } from "@perpool/sdk/testing";
      import * as web from "@perpool/sdk/dist/esm/web.js";
      if (typeof perpoolProgram !== "function" || Side.LONG !== 1 || typeof LiteSvmProvider !== "function") throw new Error("exports");
      if (web.IDL.address !== IDL.address || "LiteSvmProvider" in web) throw new Error("browser build");
      console.log("imported");`;
    // The browser build is not in the exports map for Node; read it by path to check it is valid ESM.
    fs.writeFileSync(
      path.join(app, "esm-check.mjs"),
      script.replace("@perpool/sdk/dist/esm/web.js", "./node_modules/@perpool/sdk/dist/esm/web.js"),
    );
    const r = ok(await run(process.execPath, ["esm-check.mjs"], app), "import");
    expect(r.stdout.trim()).to.equal("imported");
  });

  it("(c) compiles under strict, nodenext, noUncheckedIndexedAccess, exactOptionalPropertyTypes and skipLibCheck: false; (d) the README quickstart runs against LiteSVM", async () => {
    fs.writeFileSync(path.join(app, "quickstart.ts"), quickstart());
    fs.writeFileSync(path.join(app, "typed.ts"), TYPED);
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        types: ["node"],
        outDir: "out",
      },
      files: ["quickstart.ts", "typed.ts"],
    };
    fs.writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    ok(
      await run(
        process.execPath,
        [path.join(app, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
        app,
      ),
      "tsc",
    );

    const r = ok(await run(process.execPath, ["out/quickstart.js"], app), "quickstart");
    const opened = /opened: size (\d+) USD/.exec(r.stdout);
    const closed = /closed: the trader holds (\d+) USDC/.exec(r.stdout);
    expect(opened?.[1], r.stdout).to.equal("5000000000");
    // SOL rose 10 % on a 5,000 USD long: about 500 USD profit less fees, on 1,000 USDC collateral.
    const held = Number(closed?.[1]) / 1e6;
    expect(held, r.stdout).to.be.within(1_400, 1_500);
  });

  it("(e) runs the perpool bin with plain node: --help, and a bad argument is a usage error (exit code 2)", async () => {
    const bin = path.join(app, "node_modules", "@perpool", "sdk", "bin", "perpool.js");
    const help = ok(await run(process.execPath, [bin, "--help"], app), "perpool --help");
    expect(help.stdout).to.match(/deposit/);
    // Refused before any RPC call (nothing listens on port 9). Bad amounts need the pool's decimals,
    // so tests/cli.test.ts checks them against a local validator, through the same compiled bin.
    const bad = await run(
      process.execPath,
      [
        bin,
        "open",
        "--pool",
        "main",
        "--market",
        "SOL",
        "--side",
        "sideways",
        "--amount",
        "1",
        "--size-usd",
        "10",
        "--url",
        "http://127.0.0.1:9",
      ],
      app,
      60_000,
    );
    expect(bad.code, bad.stderr).to.equal(2);
    expect(bad.stderr).to.match(/--side must be one of long, short, not "sideways"/);
    const keeper = ok(
      await run(
        process.execPath,
        [path.join(app, "node_modules", "@perpool", "sdk", "bin", "perpool-keeper.js"), "--help"],
        app,
      ),
      "perpool-keeper --help",
    );
    expect(keeper.stdout).to.match(/--pool/);
  });
});
