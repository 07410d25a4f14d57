#!/usr/bin/env bash
# `npm start`: the product on this machine in one command.
#
#   bash scripts/start.sh [--reset] [--port N] [--ledger DIR] [--slot-ms N]
#                         [--validator localnet|agave] [--no-price-feed]
#                         [--price-interval-ms N] [--faucet-port N]
#                         [--app-port N] [--no-app] [--no-build]
#   npm start -- --validator agave        (arguments after `--`)
#
# --port 0 (local validator only) picks free ports; the faucet then takes any
# free port too (default: RPC port + 2). --no-build skips setup and build (the
# programs must be built). --ledger DIR (or --data-dir DIR) holds everything.
# Environment: APP_PORT (default 5173), AGAVE_FAUCET_PORT (Agave's airdrop
# faucet, default 9900).
#
# 1. installs what is missing (scripts/setup.sh) and builds the program;
# 2. starts the validator in the background, on 127.0.0.1: the local one
#    (localnet/, default) or, with --validator agave, Agave's
#    solana-test-validator (it must be on PATH), loading the same .so at the
#    same program id, upgradeable with the admin (DIR/admin.json, created
#    once) as upgrade authority (init_config accepts no one else), and the
#    price publisher (target/deploy/pyth_publisher.so) at the Pyth receiver's
#    address, so every price is a real Pyth PriceUpdateV2 account;
# 3. waits until it answers getHealth, then creates the pool and its custodies
#    (migrations/deploy.ts with migrations/localnet.json; idempotent);
# 4. publishes fresh prices (localnet/price-feed.ts --once) before anything
#    reads them, funds the demo wallet (DIR/demo-wallet.json, created once)
#    with SOL and every test token, deposits each asset the pool holds none
#    of from it, and starts the price feed, the keeper, the token faucet and
#    the web app;
# 5. prints the URLs, and runs until Ctrl-C, SIGTERM or the validator's end;
#    then it stops every process it started, by PID, within 5 s (SIGTERM,
#    SIGKILL for what is still running after 4 s); the local validator saves
#    its ledger first.
#
# Every step is safe to repeat: stopped at any point (even by SIGKILL), the
# next `npm start` completes what is missing.
#
# The ledger lives in the data directory (default .localnet/; Agave's in
# DIR/agave-ledger) and survives restarts; --reset starts a new chain.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=8899
DATA_DIR=.localnet
VALIDATOR=localnet
PRICE_FEED=1
PRICE_INTERVAL_MS=3000
RESET=0
SLOT_MS=
BUILD=1
APP=1
FAUCET_PORT=
APP_PORT=${APP_PORT:-5173}
while (($#)); do
  case "$1" in
    --reset) RESET=1 ;;
    --port) PORT="$2"; shift ;;
    --ledger | --data-dir) DATA_DIR="$2"; shift ;;
    --slot-ms) SLOT_MS="$2"; shift ;;
    --validator) VALIDATOR="$2"; shift ;;
    --validator=*) VALIDATOR="${1#*=}" ;;
    --no-price-feed) PRICE_FEED=0 ;;
    --price-interval-ms) PRICE_INTERVAL_MS="$2"; shift ;;
    --faucet-port) FAUCET_PORT="$2"; shift ;;
    --app-port) APP_PORT="$2"; shift ;;
    --no-app) APP=0 ;;
    --no-build) BUILD=0 ;;
    -h | --help)
      sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) echo "start: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$VALIDATOR" in
  localnet | agave) ;;
  *) echo "start: --validator must be localnet or agave, not $VALIDATOR" >&2; exit 2 ;;
esac
for n in "$PORT" "$APP_PORT" ${FAUCET_PORT:+"$FAUCET_PORT"}; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "start: ports are numbers, not '$n'" >&2; exit 2; }
done
if [[ $VALIDATOR == agave ]] && ! command -v solana-test-validator >/dev/null; then
  echo "start: --validator agave needs Agave's solana-test-validator on PATH (see localnet/README.md)" >&2
  exit 2
fi
if [[ $VALIDATOR == agave && $PORT == 0 ]]; then
  echo "start: --port 0 works with the local validator only; give Agave a port" >&2
  exit 2
fi
# The faucet's port: RPC port + 2, or any free one when the RPC port is.
[[ -z $FAUCET_PORT ]] && FAUCET_PORT=$((PORT == 0 ? 0 : PORT + 2))
TS_NODE=(node_modules/.bin/ts-node -P tsconfig.json --transpile-only)

# Every process this script starts, by PID, and the step running in the foreground.
VALIDATOR_PID=
PRICE_FEED_PID=
FAUCET_PID=
APP_PID=
KEEPER_PID=
STEP_PID=

alive() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null; }

# Sends SIGTERM to the given "name:pid" pairs, waits up to $1 seconds (N.N) for them,
# then SIGKILLs what is left. Never waits on a child without a bound.
stop_all() {
  local grace=$1 entry pid
  shift
  local pids=()
  for entry in "$@"; do
    pid=${entry##*:}
    alive "$pid" || continue
    echo "start: stopping ${entry%:*} (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$entry")
  done
  # (Microseconds: $EPOCHREALTIME without its dot; the grace may have one decimal.)
  local deadline=$((${EPOCHREALTIME/./} + ${grace%.*} * 1000000 + ${grace#*.} * 100000))
  while ((${EPOCHREALTIME/./} < deadline)); do
    local running=0
    for entry in "${pids[@]}"; do alive "${entry##*:}" && running=1; done
    ((running)) || break
    sleep 0.05
  done
  for entry in "${pids[@]}"; do
    pid=${entry##*:}
    if alive "$pid"; then
      echo "start: ${entry%:*} (pid $pid) did not stop within $grace s; killed" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

stop() {
  # Once: a second Ctrl-C does not cut the stop short.
  trap - EXIT
  trap '' INT TERM
  # All at once (a Ctrl-C reaches them all at once anyway): the keeper finishes
  # its scan, the feed its update, the validator saves its ledger. What still
  # runs after 3.5 s is killed, so everything is gone within 5 s.
  stop_all 3.5 "the step in progress:$STEP_PID" "the keeper:$KEEPER_PID" "the web app:$APP_PID" \
    "the token faucet:$FAUCET_PID" "the price feed:$PRICE_FEED_PID" "the validator:$VALIDATOR_PID"
}
trap stop EXIT
trap 'echo; exit 130' INT
trap 'exit 143' TERM

# Runs one step in the background (so that a signal stops it at once) and
# waits for it; on failure says what failed and what to do, and exits.
step() {
  local what=$1 advice=$2 status=0
  shift 2
  "$@" &
  STEP_PID=$!
  wait "$STEP_PID" || status=$?
  STEP_PID=
  if ((status != 0)); then
    echo "start: $what failed (exit status $status). $advice" >&2
    exit 1
  fi
}

if ((BUILD)); then
  step "setting up the toolchain and npm packages" "Fix the cause shown above (network, disk space, permissions), then run npm start again." \
    bash scripts/setup.sh
  step "building the programs" "Fix the error shown above, then run npm start again." npm run build
fi
for so in target/deploy/perpool.so target/deploy/pyth_publisher.so; do
  [[ -f $so ]] || { echo "start: $so is missing: run npm run build (or npm start without --no-build)" >&2; exit 1; }
done

mkdir -p "$DATA_DIR"
VALIDATOR_LOG="$DATA_DIR/validator.log"
PROGRAM_SO=target/deploy/perpool.so
PROGRAM_ID=$(node -p 'require("./sdk/src/idl/perpool.json").address')
# The price publisher, at the Pyth receiver's address (local clusters only).
PUBLISHER_SO=target/deploy/pyth_publisher.so
PUBLISHER_ID=rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ
# The admin: the program's upgrade authority and the protocol admin (created once, kept across resets).
# Written to a temporary file and renamed, so a kill cannot leave half a keypair.
ADMIN_KEYPAIR="$DATA_DIR/admin.json"
ADMIN=$(node -e '
  const fs = require("fs");
  const { Keypair } = require("@solana/web3.js");
  const file = process.argv[1];
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file + ".tmp", JSON.stringify(Array.from(Keypair.generate().secretKey)), { mode: 0o600 });
    fs.renameSync(file + ".tmp", file);
  }
  console.log(Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8")))).publicKey.toBase58());
' "$ADMIN_KEYPAIR") || { echo "start: cannot read the admin keypair $ADMIN_KEYPAIR; move it away to create a new one (the chain then needs --reset)" >&2; exit 1; }

if [[ $VALIDATOR == agave ]]; then
  # Agave: the same .so at the same program id, upgradeable with the admin as
  # upgrade authority, the price publisher at the Pyth receiver's address, a
  # ledger of its own in the data directory, RPC on $PORT and its WebSocket on
  # $PORT + 1 (Agave's layout), the faucet (for airdrops) on
  # $AGAVE_FAUCET_PORT (default 9900), everything bound to loopback.
  AGAVE_ARGS=(
    --ledger "$DATA_DIR/agave-ledger"
    --upgradeable-program "$PROGRAM_ID" "$PROGRAM_SO" "$ADMIN"
    --bpf-program "$PUBLISHER_ID" "$PUBLISHER_SO"
    --rpc-port "$PORT"
    --bind-address 127.0.0.1
    --faucet-port "${AGAVE_FAUCET_PORT:-9900}"
    --log
  )
  ((RESET)) && AGAVE_ARGS+=(--reset)
  # The tower records this node's last votes so that a restarted validator never
  # votes against them; on a one-node chain restarted from its ledger it instead
  # stalls ("Waiting to switch vote") and no transaction confirms. With no other
  # voter to be consistent with, it is safe to drop.
  ((RESET)) || rm -f "$DATA_DIR"/agave-ledger/tower-*.bin
  [[ -n $SLOT_MS ]] && echo "start: --slot-ms applies to the local validator only; ignored" >&2
  solana-test-validator "${AGAVE_ARGS[@]}" >"$VALIDATOR_LOG" 2>&1 &
else
  VALIDATOR_ARGS=(--port "$PORT" --ledger "$DATA_DIR" --upgrade-authority "$ADMIN")
  ((RESET)) && VALIDATOR_ARGS+=(--reset)
  [[ -n $SLOT_MS ]] && VALIDATOR_ARGS+=(--slot-ms "$SLOT_MS")
  node localnet/run.js "${VALIDATOR_ARGS[@]}" >"$VALIDATOR_LOG" 2>&1 &
fi
VALIDATOR_PID=$!

# Wait for the validator to answer getHealth (it prints why if it cannot start).
healthy() {
  node -e '
    fetch(process.argv[1], {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
    })
      .then((r) => r.json())
      .then((j) => process.exit(j.result === "ok" ? 0 : 1), () => process.exit(1));
  ' "$RPC_URL"
}
validator_failed() {
  echo "start: the validator did not start; its log ($VALIDATOR_LOG):" >&2
  tail -50 "$VALIDATOR_LOG" >&2
  echo "start: if another validator uses this data directory or port, stop it (or pick --ledger/--port); if the ledger is damaged, npm start -- --reset starts a new chain (keypairs are kept)." >&2
  exit 1
}
# Agave needs longer to start (genesis, first slots): up to 60 s; localnet 20 s.
TRIES=100
[[ $VALIDATOR == agave ]] && TRIES=300
RPC_URL=
if [[ $VALIDATOR == agave ]]; then
  RPC_URL="http://127.0.0.1:$PORT"
  WS_URL="ws://127.0.0.1:$((PORT + 1))"
fi
for _ in $(seq 1 "$TRIES"); do
  alive "$VALIDATOR_PID" || validator_failed
  if [[ -z $RPC_URL ]] && grep -q "^Ready in" "$VALIDATOR_LOG" 2>/dev/null; then
    # The local validator prints the URLs it listens on (ports picked by --port 0 included).
    RPC_URL=$(sed -n 's/^RPC URL: //p' "$VALIDATOR_LOG" | tail -1)
    WS_URL=$(sed -n 's/^WebSocket URL: //p' "$VALIDATOR_LOG" | tail -1)
  fi
  [[ -n $RPC_URL ]] && healthy && break
  sleep 0.2
done
[[ -n $RPC_URL ]] && healthy || { echo "start: no answer from the validator within $((TRIES / 5)) s" >&2; validator_failed; }
if [[ $VALIDATOR == localnet ]]; then
  grep -h "Ready in" "$VALIDATOR_LOG" | tail -1 | sed 's/^/validator: /'
else
  echo "validator: Agave solana-test-validator (pid $VALIDATOR_PID), ledger $DATA_DIR/agave-ledger"
  # A new Agave ledger is a new chain: the old deployment.json does not apply
  # (removed only now that this validator runs, not one that was refused).
  if ((RESET)); then rm -f "$DATA_DIR/deployment.json"; fi
fi

AGAIN="Run npm start again: every step only does what is missing."
step "deploying the pool (migrations/deploy.ts)" \
  "$AGAIN If the chain belongs to another admin or program build, npm start -- --reset starts a new one (keypairs are kept)." \
  "${TS_NODE[@]}" migrations/deploy.ts --config migrations/localnet.json --url "$RPC_URL" --data-dir "$DATA_DIR"

# Fresh prices before anything reads them (they go stale after 60 s; a
# restart after a pause finds old ones).
step "publishing fresh prices (localnet/price-feed.ts --once)" "See $VALIDATOR_LOG. $AGAIN" \
  "${TS_NODE[@]}" localnet/price-feed.ts --url "$RPC_URL" --data-dir "$DATA_DIR" --once

# The price feed keeps every price fresh from now on, publishing them
# through the local price publisher.
PRICE_FEED_LOG="$DATA_DIR/price-feed.log"
if ((PRICE_FEED)); then
  "${TS_NODE[@]}" localnet/price-feed.ts --url "$RPC_URL" --data-dir "$DATA_DIR" --interval-ms "$PRICE_INTERVAL_MS" >"$PRICE_FEED_LOG" 2>&1 &
  PRICE_FEED_PID=$!
fi

# The demo wallet: created once, topped up on every start.
step "funding the demo wallet (localnet/demo-wallet.ts)" "$AGAIN" \
  "${TS_NODE[@]}" localnet/demo-wallet.ts --url "$RPC_URL" --data-dir "$DATA_DIR"
# Each asset the pool holds none of is deposited from the demo wallet.
step "seeding the pool (localnet/seed-liquidity.ts)" "$AGAIN Assets already deposited are not deposited twice." \
  "${TS_NODE[@]}" localnet/seed-liquidity.ts --url "$RPC_URL" --data-dir "$DATA_DIR"

# The keeper (sdk/src/keeper) defends the deployed pool: liquidations, trigger
# orders, auto-deleveraging, loan liquidations. Its own keypair lives in the data
# directory (created once), topped up to 10 SOL by airdrop; it watches over the
# WebSocket and polls every 10 s.
KEEPER_KEYPAIR="$DATA_DIR/keeper.json"
KEEPER_LOG="$DATA_DIR/keeper.log"
"${TS_NODE[@]}" sdk/src/keeper/cli.ts --url "$RPC_URL" --ws "$WS_URL" --data-dir "$DATA_DIR" \
  --keypair "$KEEPER_KEYPAIR" --create-keypair --airdrop-sol 10 >"$KEEPER_LOG" 2>&1 &
KEEPER_PID=$!

# The token faucet: test tokens for the web app's dev wallet (RPC port + 2).
FAUCET_LOG="$DATA_DIR/token-faucet.log"
"${TS_NODE[@]}" localnet/token-faucet.ts --url "$RPC_URL" --data-dir "$DATA_DIR" --port "$FAUCET_PORT" >"$FAUCET_LOG" 2>&1 &
FAUCET_PID=$!
FAUCET_URL=
for _ in $(seq 1 150); do
  FAUCET_URL=$(sed -n 's/^token faucet: \(http[^ ]*\).*/\1/p' "$FAUCET_LOG" 2>/dev/null | tail -1)
  [[ -n $FAUCET_URL ]] && break
  alive "$FAUCET_PID" || break
  sleep 0.2
done
if [[ -z $FAUCET_URL ]]; then
  echo "start: the token faucet did not start (is port $FAUCET_PORT taken? use --faucet-port); its log ($FAUCET_LOG):" >&2
  tail -20 "$FAUCET_LOG" >&2
  FAUCET_URL="http://127.0.0.1:$FAUCET_PORT"
fi

# The web app (app/): Vite's dev server on 127.0.0.1:$APP_PORT (default 5173),
# pointed at this validator and the faucet.
APP_URL="http://127.0.0.1:$APP_PORT/"
APP_LOG="$DATA_DIR/app.log"
if ((APP)); then
  VITE_RPC_URL="$RPC_URL" VITE_FAUCET_URL="$FAUCET_URL" node node_modules/vite/bin/vite.js app \
    --host 127.0.0.1 --port "$APP_PORT" --strictPort --clearScreen false >"$APP_LOG" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 100); do
    alive "$APP_PID" || break
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$APP_URL" && break
    sleep 0.2
  done
  if ! alive "$APP_PID"; then
    echo "start: the web app did not start (is port $APP_PORT taken? use --app-port or APP_PORT):" >&2
    tail -20 "$APP_LOG" >&2
    APP_PID=
  fi
fi

DEMO_ADDRESS=$(node -e '
  const { Keypair } = require("@solana/web3.js");
  const key = Uint8Array.from(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")));
  console.log(Keypair.fromSecretKey(key).publicKey.toBase58());
' "$DATA_DIR/demo-wallet.json")

cat <<EOT

Perpool localnet is running ($VALIDATOR validator).
  RPC URL        $RPC_URL
  WebSocket URL  $WS_URL
  Program        $PROGRAM_ID ($PROGRAM_SO, upgrade authority $ADMIN)
  Prices         Pyth PriceUpdateV2 accounts written by the local price publisher at $PUBLISHER_ID
  Addresses      $DATA_DIR/deployment.json
  Admin keypair  $DATA_DIR/admin.json (mint authority of the test mints)
  Demo wallet    $DEMO_ADDRESS ($DATA_DIR/demo-wallet.json)
  Price feed     $( ((PRICE_FEED)) && echo "every $PRICE_INTERVAL_MS ms, pid $PRICE_FEED_PID, log $PRICE_FEED_LOG" || echo "off (--no-price-feed)")
  Web app        $(if [[ -n $APP_PID ]]; then echo "$APP_URL (pid $APP_PID, log $APP_LOG)"; elif ((APP)); then echo "not running (see $APP_LOG)"; else echo "off (--no-app)"; fi)
  Token faucet   $FAUCET_URL (pid $FAUCET_PID, log $FAUCET_LOG)
  Keeper         pid $KEEPER_PID, keypair $KEEPER_KEYPAIR, log $KEEPER_LOG
  Validator      pid $VALIDATOR_PID, log $VALIDATOR_LOG
Point a client at it, e.g. ANCHOR_PROVIDER_URL=$RPC_URL or \`solana config set --url $RPC_URL\`.
Ctrl-C stops it; the ledger is kept in $DATA_DIR (--reset starts over).
EOT

# Runs until the validator ends (or a signal arrives); `wait` returns at once on a trapped signal.
status=0
wait "$VALIDATOR_PID" || status=$?
echo "start: the validator exited (status $status; see $VALIDATOR_LOG); stopping the rest" >&2
exit 1
