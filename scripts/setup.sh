#!/usr/bin/env bash
# Installs what a new machine lacks; safe to run again.
#   scripts/setup.sh            toolchain + npm packages
#   scripts/setup.sh toolchain  Debian Rust/LLVM packages and sbpf-linker only
#   scripts/setup.sh sbpf-v3    the toolchain and the SBPF v3 linker (`npm run build -- --sbpf v3`)
#   scripts/setup.sh --print-sbpf-v3-linker   where that linker is (installs nothing)
set -euo pipefail
cd "$(dirname "$0")/.."

SBPF_LINKER_VERSION=0.1.9
# sbpf-linker 0.2.x emits SBPF v3 (and v0). It is kept in a root of its own so
# that it never replaces the 0.1.x on PATH, which v0 builds use.
SBPF_V3_LINKER_VERSION=0.2.6
SBPF_V3_ROOT="${CARGO_HOME:-$HOME/.cargo}/sbpf-linker-$SBPF_V3_LINKER_VERSION"
if [[ "${1:-}" == --print-sbpf-v3-linker ]]; then
  echo "$SBPF_V3_ROOT/bin/sbpf-linker"
  exit 0
fi
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

if [[ "${1:-}" == sbpf-v3 ]]; then
  installed=$("$SBPF_V3_ROOT/bin/sbpf-linker" --version 2>/dev/null || true)
  if [[ "$installed" != *"sbpf-linker $SBPF_V3_LINKER_VERSION"* || "$installed" != *"LLVM 22."* ]]; then
    echo "setup: building sbpf-linker $SBPF_V3_LINKER_VERSION (SBPF v3, LLVM 22)"
    # Its default feature (rust-llvm) loads rustc's own LLVM at run time and
    # asks for LLVM 23 (bpf-linker/llvm-23); Debian's rustc and LLVM are 22.
    # Without it, bpf-linker 0.13's llvm-22 feature links Debian's LLVM 22, as
    # 0.1.x's upstream-gallery-22 feature does. No patch to the crate is needed.
    LLVM_PREFIX=/usr/lib/llvm-22 cargo install sbpf-linker --version "$SBPF_V3_LINKER_VERSION" \
      --locked --no-default-features --features bpf-linker/llvm-22 --root "$SBPF_V3_ROOT" --quiet
  fi
fi

if [[ "${1:-}" != toolchain && "${1:-}" != sbpf-v3 ]]; then
  if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
