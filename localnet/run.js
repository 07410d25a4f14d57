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

/**
 * When the last compile finished (the stamp's mtime), or 0. tsc (incremental) leaves an output
 * untouched when its content would not change, so outputs' own times cannot tell a touched source
 * from an edited one: a source newer than the stamp is recompiled once, then the stamp moves on.
 */
const STAMP = path.join(DIST, "localnet.built");
function builtAt() {
  const stat = fs.statSync(STAMP, { throwIfNoEntry: false });
  return stat ? stat.mtimeMs : 0;
}

/** True when every compiled file exists and no TypeScript source it comes from changed since the last compile. */
function fresh() {
  if (!fs.existsSync(path.join(DIST, "localnet", "cli.js"))) return false;
  const built = builtAt();
  if (built === 0) return false;
  const stack = [DIST];
  while (stack.length) {
    const dir = stack.pop();
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(file);
      else if (entry.name.endsWith(".js")) {
        const source = path.join(ROOT, path.relative(DIST, file)).replace(/\.js$/, ".ts");
        // (An output whose source is gone is no longer imported: whoever imported it changed.)
        if (fs.existsSync(source) && fs.statSync(source).mtimeMs > built) return false;
      }
    }
  }
  return true;
}

/** Compiles localnet/ (and what it imports) to dist/, then moves the stamp. */
function compile() {
  const started = Date.now();
  execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.localnet.json")],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  // The compile started at `started`: a source saved while it ran is seen as newer next time.
  fs.mkdirSync(DIST, { recursive: true });
  fs.writeFileSync(STAMP, "");
  fs.utimesSync(STAMP, new Date(started), new Date(started));
}

if (process.argv[2] === "--build") {
  compile();
  process.exit(0);
}

if (!fresh()) compile();
require(path.join(DIST, "localnet", "cli.js"));
