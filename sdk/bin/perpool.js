#!/usr/bin/env node
// `perpool`: the compiled command line (dist/cjs/cli/main.js); plain Node, no TypeScript tooling.
"use strict";
let cli;
try {
  cli = require("../dist/cjs/cli/main.js");
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).includes("dist/cjs/cli/main")) {
    console.error("perpool: the SDK is not built; run `npm run build:sdk` at the repository root");
    process.exit(1);
  }
  throw e;
}
cli.run();
