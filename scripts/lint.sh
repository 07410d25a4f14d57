#!/usr/bin/env bash
# The house format and lints, as CI holds them (`npm run lint`; `.ci/run` runs it before the tests).
#   Rust: rustfmt (rustfmt.toml).
#   TypeScript and JSON: prettier (.prettierrc.json; generated files are listed in .prettierignore).
#   TypeScript: eslint with typescript-eslint (eslint.config.mjs), no warnings allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Debian toolchain's cargo (scripts/setup.sh installs its rustfmt), whatever else is on PATH.
CARGO=/usr/bin/cargo
[[ -x $CARGO ]] || CARGO=cargo
echo "lint: rustfmt"
$CARGO fmt --all -- --check
echo "lint: prettier"
npx --no-install prettier --check . --log-level warn
echo "lint: eslint"
npx --no-install eslint . --max-warnings 0
echo "lint: clean"
