#!/usr/bin/env node
/**
 * Builds the package into `sdk/dist` (git-ignored):
 *   dist/cjs       CommonJS, `.d.ts` and source maps of every module (Node's `import` and `require`)
 *   dist/esm       ES modules of the browser-safe entry and the IDL (the `browser` condition)
 *   dist/idl       the IDL JSON
 *   dist/programs  the program binaries `./testing` deploys into LiteSVM (copied from target/deploy)
 * `--require-programs` (used by `prepack`) fails when the program binaries are not built.
 *
 * Plain Node on purpose: the build must not depend on ts-node or the repository's tsconfig.
 */
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const SDK = path.resolve(__dirname, "..");
const DIST = path.join(SDK, "dist");
// PERPOOL_SBPF=v3 packs the SBPF v3 build (`npm run build -- --sbpf v3`) instead of v0.
const SBPF = process.env.PERPOOL_SBPF || "v0";
if (SBPF !== "v0" && SBPF !== "v3") throw new Error(`PERPOOL_SBPF must be v0 or v3, not ${SBPF}`);
const DEPLOY = path.resolve(SDK, "..", "target", SBPF === "v3" ? "deploy-v3" : "deploy");
const PROGRAMS = ["perpool.so", "pyth_publisher.so"];

function tsc(project) {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(SDK, project)], {
    stdio: "inherit",
  });
}

/** Node's ESM loader needs full specifiers: `./x` becomes `./x.js` or `./x/index.js`. */
function addExtensions(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      addExtensions(file);
      continue;
    }
    if (!entry.name.endsWith(".js")) continue;
    const text = fs.readFileSync(file, "utf8");
    const fixed = text.replace(
      /(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}\/[^"']*)\2/g,
      (whole, head, quote, spec) => {
        if (/\.(c|m)?js$|\.json$/.test(spec)) return whole;
        const base = path.resolve(path.dirname(file), spec);
        if (fs.existsSync(`${base}.js`)) return `${head}${quote}${spec}.js${quote}`;
        if (fs.existsSync(path.join(base, "index.js"))) return `${head}${quote}${spec}/index.js${quote}`;
        throw new Error(`${path.relative(SDK, file)}: cannot resolve ${spec}`);
      },
    );
    if (fixed !== text) fs.writeFileSync(file, fixed);
  }
}

fs.rmSync(DIST, { recursive: true, force: true });
tsc("tsconfig.json");
tsc("tsconfig.esm.json");
addExtensions(path.join(DIST, "esm"));
fs.writeFileSync(path.join(DIST, "cjs", "package.json"), '{ "type": "commonjs" }\n');
fs.writeFileSync(path.join(DIST, "esm", "package.json"), '{ "type": "module", "sideEffects": false }\n');
fs.mkdirSync(path.join(DIST, "idl"), { recursive: true });
fs.copyFileSync(path.join(SDK, "src", "idl", "perpool.json"), path.join(DIST, "idl", "perpool.json"));

const missing = PROGRAMS.filter((p) => !fs.existsSync(path.join(DEPLOY, p)));
if (missing.length === 0) {
  fs.mkdirSync(path.join(DIST, "programs"), { recursive: true });
  for (const p of PROGRAMS) fs.copyFileSync(path.join(DEPLOY, p), path.join(DIST, "programs", p));
} else if (process.argv.includes("--require-programs")) {
  console.error(`sdk build: ${missing.join(", ")} not built; run \`npm run build\` at the repository root first`);
  process.exit(1);
} else {
  console.warn(`sdk build: ${missing.join(", ")} not built; \`@perpool/sdk/testing\` will need the binaries passed in`);
}
