#!/usr/bin/env node
/**
 * Runs the local validator from compiled JavaScript (`dist/localnet/cli.js`,
 * built by `npm run build` with tsconfig.localnet.json), so it starts in a
 * fraction of a second instead of compiling TypeScript first. When a source
 * file is newer than its output (or there is no output yet) it compiles first.
 * Arguments are localnet/cli.ts's.
 */
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");

/** True when every compiled file exists and is newer than its TypeScript source. */
function fresh() {
  if (!fs.existsSync(path.join(DIST, "localnet", "cli.js"))) return false;
  const stack = [DIST];
  while (stack.length) {
    const dir = stack.pop();
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(file);
      else if (entry.name.endsWith(".js")) {
        const source = path.join(ROOT, path.relative(DIST, file)).replace(/\.js$/, ".ts");
        // (An output whose source is gone is no longer imported: whoever imported it changed.)
        if (fs.existsSync(source) && fs.statSync(source).mtimeMs > fs.statSync(file).mtimeMs) return false;
      }
    }
  }
  return true;
}

if (!fresh()) {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.localnet.json")], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
}
require(path.join(DIST, "localnet", "cli.js"));
