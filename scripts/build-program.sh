#!/usr/bin/env bash
# Builds the on-chain programs: target/deploy/perpool.so (Perpool) and
# target/deploy/pyth_publisher.so (the price publisher deployed only on local
# clusters, at the Pyth receiver's address; see programs/pyth-publisher).
#
# Solana's platform tools cannot be installed here, so the program is compiled
# with the Debian Rust toolchain (1.96, LLVM 22) for the upstream
# `bpfel-unknown-none` target with -Zbuild-std, and relinked into an SBPF v0
# shared object by `sbpf-linker` (see .cargo/config.toml for its flags).
# `scripts/setup.sh` installs both.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/cargo || ! -x /usr/bin/rustc ]] || ! command -v sbpf-linker >/dev/null 2>&1; then
  echo "build: toolchain missing, running scripts/setup.sh" >&2
  bash scripts/setup.sh toolchain
fi
export PATH="$HOME/.cargo/bin:$PATH"

# rustup's cargo comes first on PATH but has no rust-src; -Zbuild-std needs
# the Debian toolchain, called explicitly. RUSTC_BOOTSTRAP enables -Z flags on
# this stable compiler.
build() {
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build \
    -Zbuild-std=core,alloc --release --target bpfel-unknown-none --quiet "$@"
}

# `--profile`: the compute-unit profile build only (feature `cu-profile`,
# programs/perpool/src/profile.rs), written to target/deploy/perpool-profile.so
# for `npm run bench`; never deployed. Cargo keeps both builds' artifacts apart.
if [[ "${1:-}" == "--profile" ]]; then
  build -p perpool --features cu-profile
  mkdir -p target/deploy
  cp target/bpfel-unknown-none/release/libperpool.so target/deploy/perpool-profile.so
  echo "build: target/deploy/perpool-profile.so ($(stat -c %s target/deploy/perpool-profile.so) bytes)"
  # The plain build is relinked to the same file name: put it back.
  build -p perpool -p pyth-publisher
  cp target/bpfel-unknown-none/release/libperpool.so target/deploy/perpool.so
  exit 0
fi
build -p perpool -p pyth-publisher

mkdir -p target/deploy
for name in perpool pyth_publisher; do
  so=target/deploy/$name.so
  cp "target/bpfel-unknown-none/release/lib$name.so" "$so"
  # An SBF program is an ELF64 shared object (e_type ET_DYN = 3) for EM_BPF (247).
  read -r etype emachine < <(od -An -j16 -N4 -tu2 "$so")
  if [[ "$etype" != 3 || "$emachine" != 247 ]]; then
    echo "build: $so is not an SBF shared object (type $etype, machine $emachine)" >&2
    exit 1
  fi
  echo "build: $so ($(stat -c %s "$so") bytes)"
done
