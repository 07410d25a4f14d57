#!/usr/bin/env node
// `perpool-keeper`: runs the keeper's command line (sdk/src/keeper/cli.ts) through ts-node, transpile-only,
// with the repository's tsconfig.
"use strict";
const path = require("path");

require("ts-node").register({ transpileOnly: true, project: path.resolve(__dirname, "..", "..", "tsconfig.json") });
require("../src/keeper/cli").run();
