#!/usr/bin/env node
// `perpool`: runs the TypeScript command line (sdk/src/cli/main.ts) through ts-node, transpile-only,
// with the repository's tsconfig.
"use strict";
const path = require("path");

require("ts-node").register({ transpileOnly: true, project: path.resolve(__dirname, "..", "..", "tsconfig.json") });
require("../src/cli/main").run();
