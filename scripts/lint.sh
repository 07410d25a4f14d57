#!/usr/bin/env bash
# The house format and lints, as CI holds them (`npm run lint`; `.ci/run` runs it before the tests).
#   Rust: rustfmt (rustfmt.toml); clippy with warnings as errors, on the host (every crate and its tests)
#   and on the SBF target (the program's processors compile only there).
#   TypeScript and JSON: prettier (.prettierrc.json; generated files are listed in .prettierignore).
#   TypeScript: eslint with typescript-eslint (eslint.config.mjs), no warnings allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Debian toolchain's cargo (scripts/setup.sh installs its rustfmt), whatever else is on PATH.
CARGO=/usr/bin/cargo
[[ -x $CARGO ]] || CARGO=cargo
echo "lint: rustfmt"
$CARGO fmt --all -- --check
echo "lint: clippy (host)"
# Debian's cargo-clippy first on PATH, so clippy uses the same toolchain as the build.
PATH=/usr/bin:$PATH $CARGO clippy --workspace --all-targets --quiet -- -D warnings
echo "lint: clippy (SBF)"
PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 $CARGO clippy -Zbuild-std=core,alloc --release \
  --target bpfel-unknown-none -p perpool -p pyth-publisher --quiet -- -D warnings
echo "lint: clippy (SBF, the cu-profile build)"
PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 $CARGO clippy -Zbuild-std=core,alloc --release \
  --target bpfel-unknown-none -p perpool --features cu-profile --quiet -- -D warnings
echo "lint: prettier"
npx --no-install prettier --check . --log-level warn
echo "lint: eslint"
npx --no-install eslint . --max-warnings 0
echo "lint: clean"
