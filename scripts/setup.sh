#!/usr/bin/env bash
# Installs what a new machine lacks; safe to run again.
#   scripts/setup.sh            toolchain + npm packages
#   scripts/setup.sh toolchain  Debian Rust/LLVM packages and sbpf-linker only
set -euo pipefail
cd "$(dirname "$0")/.."

SBPF_LINKER_VERSION=0.1.9
APT_PACKAGES=(rustc-web cargo-web rust-web-src rustfmt-web rust-web-clippy llvm-22 llvm-22-dev chromium)

sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export PATH="$HOME/.cargo/bin:$PATH"
# (`sbpf-linker --version` prints the version, then exits non-zero.)
installed=$(sbpf-linker --version 2>/dev/null || true)
if [[ "$installed" != *"$SBPF_LINKER_VERSION"* ]]; then
  echo "setup: building sbpf-linker $SBPF_LINKER_VERSION (LLVM 22)"
  # Built against Debian's LLVM 22, the same LLVM as the Debian rustc.
  LLVM_PREFIX=/usr/lib/llvm-22 cargo install sbpf-linker --version "$SBPF_LINKER_VERSION" \
    --locked --no-default-features --features upstream-gallery-22 --quiet
fi

if [[ "${1:-}" != toolchain ]]; then
  if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
