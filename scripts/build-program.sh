#!/usr/bin/env bash
# Builds the on-chain programs: target/deploy/perpool.so (Perpool) and
# target/deploy/pyth_publisher.so (the price publisher deployed only on local
# clusters, at the Pyth receiver's address; see programs/pyth-publisher).
#
#   scripts/build-program.sh              SBPF v0, into target/deploy (the default)
#   scripts/build-program.sh --sbpf v3    SBPF v3, into target/deploy-v3 (tests and the
#                                         bench load it with PERPOOL_SBPF=v3)
#   scripts/build-program.sh --profile    also the compute-unit profile build (feature
#                                         `cu-profile`, programs/perpool/src/profile.rs),
#                                         perpool-profile.so beside perpool.so, for
#                                         `npm run bench`; never deployed
#
# Solana's platform tools cannot be installed here, so the program is compiled
# with the Debian Rust toolchain (1.96, LLVM 22) for the upstream
# `bpfel-unknown-none` target with -Zbuild-std, and relinked into an SBPF
# shared object by `sbpf-linker`: 0.1.x for v0 (see .cargo/config.toml for its
# flags), 0.2.x for v3 (flags below). `scripts/setup.sh` installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

# PERPOOL_SBPF (v0 or v3) picks the default, as it picks the build tests load.
sbpf=${PERPOOL_SBPF:-v0}
profile=0
while (($#)); do
  case "$1" in
    --profile) profile=1; shift ;;
    --sbpf) sbpf=${2:-}; shift 2 || { echo "build: --sbpf needs v0 or v3" >&2; exit 2; } ;;
    --sbpf=*) sbpf=${1#--sbpf=}; shift ;;
    *) echo "build: unknown argument $1 (usage: build-program.sh [--sbpf v0|v3] [--profile])" >&2; exit 2 ;;
  esac
done
case "$sbpf" in
  v0) deploy=target/deploy ;;
  v3) deploy=target/deploy-v3 ;;
  *) echo "build: --sbpf must be v0 or v3, not '$sbpf'" >&2; exit 2 ;;
esac

if [[ ! -x /usr/bin/cargo || ! -x /usr/bin/rustc ]] || ! command -v sbpf-linker >/dev/null 2>&1; then
  echo "build: toolchain missing, running scripts/setup.sh" >&2
  bash scripts/setup.sh toolchain
fi
export PATH="$HOME/.cargo/bin:$PATH"

cargo_args=()
if [[ "$sbpf" == v3 ]]; then
  # sbpf-linker 0.2.x (emits v0 and v3) sits in a root of its own, beside the
  # 0.1.x that v0 builds use; setup.sh builds it against Debian's LLVM 22.
  bash scripts/setup.sh sbpf-v3
  linker=$(bash scripts/setup.sh --print-sbpf-v3-linker)
  # These flags replace .cargo/config.toml's (an explicit RUSTFLAGS wins over
  # it), so they repeat panic=abort and the static relocation model. The v3
  # output has its own target dir so the two builds never overwrite each
  # other's artifacts. The linker's flags:
  #   target-cpu=v4, +allows-misaligned-mem-access, --disable-movsx/ldsx:
  #     what sbpf-linker's own v3 test harness compiles with (SBPF v3 has no
  #     sign-extending moves or loads).
  #   --disable-gotol: SBPF v3 has no 32-bit-offset jump; with it on, the
  #     linker refuses perpool ("invalid opcode: 0x06").
  #   --bpf-min-jump-table-entries: LLVM 22 lowers big `match`es for cpu v4 to
  #     jump tables with indirect `gotox`, which SBPF lacks ("invalid opcode:
  #     0x0d"); this keeps them as branches, as the v0 build has them.
  #   --disable-math-builtins: 0.2.x exports compiler-builtins' u128 and f64
  #     helpers (__multi3, __udivti3, ...) by default, and LLVM 22's BPF backend
  #     cannot compile them; the program needs none (see TOOLCHAIN.md).
  #   -inline-threshold=1000: the same as .cargo/config.toml (the reason is given there).
  #   --deploy=false: 0.2.x otherwise also writes ./target/deploy/<name>.so,
  #     over the v0 build.
  flags=(
    -C "linker=$linker" -C panic=abort -C relocation-model=static
    -C target-cpu=v4 -C target-feature=+allows-misaligned-mem-access
    -C link-arg=--arch=v3 -C link-arg=--deploy=false -C link-arg=--disable-math-builtins
    -C link-arg=--llvm-args=-bpf-stack-size=4096
    -C link-arg=--llvm-args=-inline-threshold=1000
    -C link-arg=--llvm-args=--disable-movsx -C link-arg=--llvm-args=--disable-ldsx
    -C link-arg=--llvm-args=--disable-gotol
    -C link-arg=--llvm-args=--bpf-min-jump-table-entries=2147483647
  )
  CARGO_ENCODED_RUSTFLAGS=$(IFS=$'\x1f'; echo "${flags[*]}")
  export CARGO_ENCODED_RUSTFLAGS
  cargo_args+=(--target-dir target/sbpf-v3)
  out=target/sbpf-v3/bpfel-unknown-none/release
else
  out=target/bpfel-unknown-none/release
fi

# rustup's cargo comes first on PATH but has no rust-src; -Zbuild-std needs
# the Debian toolchain, called explicitly. RUSTC_BOOTSTRAP enables -Z flags on
# this stable compiler.
build() {
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build "${cargo_args[@]}" \
    -Zbuild-std=core,alloc --release --target bpfel-unknown-none --quiet "$@"
}

mkdir -p "$deploy"
if ((profile)); then
  # The profile build relinks to the same file name as the plain one, so it goes
  # first and is copied aside; cargo keeps both builds' artifacts apart.
  build -p perpool --features cu-profile
  cp "$out/libperpool.so" "$deploy/perpool-profile.so"
  echo "build: $deploy/perpool-profile.so ($(stat -c %s "$deploy/perpool-profile.so") bytes)"
fi
build -p perpool -p pyth-publisher

for name in perpool pyth_publisher; do
  so=$deploy/$name.so
  cp "$out/lib$name.so" "$so"
  # An SBF program is an ELF64 shared object (e_type ET_DYN = 3) for EM_BPF (247).
  read -r etype emachine < <(od -An -j16 -N4 -tu2 "$so")
  if [[ "$etype" != 3 || "$emachine" != 247 ]]; then
    echo "build: $so is not an SBF shared object (type $etype, machine $emachine)" >&2
    exit 1
  fi
  # e_flags holds the SBPF version: 0 for v0, 3 for v3.
  read -r eflags < <(od -An -j48 -N4 -tu4 "$so")
  if [[ "$eflags" != "${sbpf#v}" ]]; then
    echo "build: $so has SBPF version $eflags in e_flags, expected ${sbpf#v}" >&2
    exit 1
  fi
  echo "build: $so (SBPF $sbpf, $(stat -c %s "$so") bytes)"
done
