#!/usr/bin/env node
// `perpool-keeper`: the compiled command line (dist/cjs/keeper/cli.js); plain Node, no TypeScript tooling.
"use strict";
let cli;
try {
  cli = require("../dist/cjs/keeper/cli.js");
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).includes("dist/cjs/keeper/cli")) {
    console.error("perpool-keeper: the SDK is not built; run `npm run build:sdk` at the repository root");
    process.exit(1);
  }
  throw e;
}
cli.run();
