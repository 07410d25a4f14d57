#!/usr/bin/env bash
# `npm start`: the product on this machine in one command.
#
#   bash scripts/start.sh [--reset] [--port N] [--ledger DIR] [--slot-ms N]
#                         [--validator localnet|agave] [--no-price-feed]
#                         [--price-interval-ms N]
#   npm start -- --validator agave        (arguments after `--`)
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
# 4. funds the demo wallet (DIR/demo-wallet.json, created once) with SOL and
#    every test token, seeds an empty pool with liquidity from it, and starts
#    the price feed (localnet/price-feed.ts), the keeper, the token faucet and
#    the web app;
# 5. prints the URLs, and runs until Ctrl-C, which stops the price feed and
#    the validator (by their PIDs); the local validator saves its ledger first.
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
while (($#)); do
  case "$1" in
    --reset) RESET=1 ;;
    --port) PORT="$2"; shift ;;
    --ledger) DATA_DIR="$2"; shift ;;
    --slot-ms) SLOT_MS="$2"; shift ;;
    --validator) VALIDATOR="$2"; shift ;;
    --validator=*) VALIDATOR="${1#*=}" ;;
    --no-price-feed) PRICE_FEED=0 ;;
    --price-interval-ms) PRICE_INTERVAL_MS="$2"; shift ;;
    -h | --help)
      sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
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
if [[ $VALIDATOR == agave ]] && ! command -v solana-test-validator >/dev/null; then
  echo "start: --validator agave needs Agave's solana-test-validator on PATH (see localnet/README.md)" >&2
  exit 2
fi
RPC_URL="http://127.0.0.1:$PORT"
WS_URL="ws://127.0.0.1:$((PORT + 1))"
TS_NODE=(node_modules/.bin/ts-node -P tsconfig.json --transpile-only)

bash scripts/setup.sh
npm run build

mkdir -p "$DATA_DIR"
VALIDATOR_LOG="$DATA_DIR/validator.log"
PROGRAM_SO=target/deploy/perpool.so
PROGRAM_ID=$(node -p 'require("./sdk/src/idl/perpool.json").address')
# The price publisher, at the Pyth receiver's address (local clusters only).
PUBLISHER_SO=target/deploy/pyth_publisher.so
PUBLISHER_ID=rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ
# The admin: the program's upgrade authority and the protocol admin (created once, kept across resets).
ADMIN_KEYPAIR="$DATA_DIR/admin.json"
ADMIN=$(node -e '
  const fs = require("fs");
  const { Keypair } = require("@solana/web3.js");
  const file = process.argv[1];
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(Array.from(Keypair.generate().secretKey)), { mode: 0o600 });
  console.log(Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8")))).publicKey.toBase58());
' "$ADMIN_KEYPAIR")

if [[ $VALIDATOR == agave ]]; then
  # Agave: the same .so at the same program id, upgradeable with the admin as
  # upgrade authority, the price publisher at the Pyth receiver's address, a
  # ledger of its own in the data directory, RPC on $PORT and its WebSocket on
  # $PORT + 1 (Agave's layout), the faucet (for airdrops) on 9900, everything
  # bound to loopback.
  AGAVE_ARGS=(
    --ledger "$DATA_DIR/agave-ledger"
    --upgradeable-program "$PROGRAM_ID" "$PROGRAM_SO" "$ADMIN"
    --bpf-program "$PUBLISHER_ID" "$PUBLISHER_SO"
    --rpc-port "$PORT"
    --bind-address 127.0.0.1
    --faucet-port 9900
    --log
  )
  ((RESET)) && AGAVE_ARGS+=(--reset)
  # A new Agave ledger is a new chain: the old deployment.json does not apply.
  ((RESET)) && rm -f "$DATA_DIR/deployment.json"
  [[ -n $SLOT_MS ]] && echo "start: --slot-ms applies to the local validator only; ignored" >&2
  solana-test-validator "${AGAVE_ARGS[@]}" >"$VALIDATOR_LOG" 2>&1 &
else
  VALIDATOR_ARGS=(--port "$PORT" --ledger "$DATA_DIR" --upgrade-authority "$ADMIN")
  ((RESET)) && VALIDATOR_ARGS+=(--reset)
  [[ -n $SLOT_MS ]] && VALIDATOR_ARGS+=(--slot-ms "$SLOT_MS")
  node localnet/run.js "${VALIDATOR_ARGS[@]}" >"$VALIDATOR_LOG" 2>&1 &
fi
VALIDATOR_PID=$!
PRICE_FEED_PID=
FAUCET_PID=
APP_PID=
KEEPER_PID=

stop() {
  trap - EXIT INT TERM
  # The keeper first (by its PID): it finishes the scan in progress, then exits.
  if [[ -n $KEEPER_PID ]] && kill -0 "$KEEPER_PID" 2>/dev/null; then
    echo "start: stopping the keeper (pid $KEEPER_PID)"
    kill -TERM "$KEEPER_PID"
    wait "$KEEPER_PID" 2>/dev/null || true
  fi
  # The web app's dev server and the token faucet, by their PIDs.
  local pid
  for pid in "$APP_PID" "$FAUCET_PID"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      echo "start: stopping $([[ $pid == "$APP_PID" ]] && echo "the web app" || echo "the token faucet") (pid $pid)"
      kill -TERM "$pid"
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ -n $PRICE_FEED_PID ]] && kill -0 "$PRICE_FEED_PID" 2>/dev/null; then
    echo "start: stopping the price feed (pid $PRICE_FEED_PID)"
    kill -TERM "$PRICE_FEED_PID"
    wait "$PRICE_FEED_PID" 2>/dev/null || true
  fi
  if kill -0 "$VALIDATOR_PID" 2>/dev/null; then
    echo "start: stopping the validator (pid $VALIDATOR_PID)"
    kill -TERM "$VALIDATOR_PID"
    wait "$VALIDATOR_PID" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'echo; exit 130' INT TERM

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
# Agave needs longer to start (genesis, first slots): up to 60 s; localnet 20 s.
TRIES=100
[[ $VALIDATOR == agave ]] && TRIES=300
for _ in $(seq 1 "$TRIES"); do
  if ! kill -0 "$VALIDATOR_PID" 2>/dev/null; then
    echo "start: the validator did not start:" >&2
    cat "$VALIDATOR_LOG" >&2
    exit 1
  fi
  healthy && break
  sleep 0.2
done
healthy || { echo "start: no answer from $RPC_URL" >&2; tail -50 "$VALIDATOR_LOG" >&2; exit 1; }
if [[ $VALIDATOR == localnet ]]; then
  grep -h "Ready in" "$VALIDATOR_LOG" | sed 's/^/validator: /'
else
  echo "validator: Agave solana-test-validator (pid $VALIDATOR_PID), ledger $DATA_DIR/agave-ledger"
fi

"${TS_NODE[@]}" migrations/deploy.ts --config migrations/localnet.json --url "$RPC_URL" --data-dir "$DATA_DIR"

# The demo wallet: created once, topped up on every start.
"${TS_NODE[@]}" localnet/demo-wallet.ts --url "$RPC_URL" --data-dir "$DATA_DIR"
# An empty pool is seeded with liquidity from the demo wallet (once).
"${TS_NODE[@]}" localnet/seed-liquidity.ts --url "$RPC_URL" --data-dir "$DATA_DIR"

# The price feed keeps every price fresh (they go stale after 60 s), publishing
# them through the local price publisher.
PRICE_FEED_LOG="$DATA_DIR/price-feed.log"
if ((PRICE_FEED)); then
  "${TS_NODE[@]}" localnet/price-feed.ts --url "$RPC_URL" --data-dir "$DATA_DIR" --interval-ms "$PRICE_INTERVAL_MS" >"$PRICE_FEED_LOG" 2>&1 &
  PRICE_FEED_PID=$!
fi

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
FAUCET_URL="http://127.0.0.1:$((PORT + 2))"
FAUCET_LOG="$DATA_DIR/token-faucet.log"
"${TS_NODE[@]}" localnet/token-faucet.ts --url "$RPC_URL" --data-dir "$DATA_DIR" --port "$((PORT + 2))" >"$FAUCET_LOG" 2>&1 &
FAUCET_PID=$!

# The web app (app/): Vite's dev server on 127.0.0.1:$APP_PORT (default 5173),
# pointed at this validator and the faucet.
APP_PORT=${APP_PORT:-5173}
APP_URL="http://127.0.0.1:$APP_PORT/"
APP_LOG="$DATA_DIR/app.log"
VITE_RPC_URL="$RPC_URL" VITE_FAUCET_URL="$FAUCET_URL" node node_modules/vite/bin/vite.js app \
  --host 127.0.0.1 --port "$APP_PORT" --strictPort --clearScreen false >"$APP_LOG" 2>&1 &
APP_PID=$!
for _ in $(seq 1 100); do
  kill -0 "$APP_PID" 2>/dev/null || break
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$APP_URL" && break
  sleep 0.2
done
if ! kill -0 "$APP_PID" 2>/dev/null; then
  echo "start: the web app did not start (is port $APP_PORT taken? set APP_PORT):" >&2
  tail -20 "$APP_LOG" >&2
  APP_PID=
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
  Web app        $([[ -n $APP_PID ]] && echo "$APP_URL (pid $APP_PID, log $APP_LOG)" || echo "not running (see $APP_LOG)")
  Token faucet   $FAUCET_URL (pid $FAUCET_PID, log $FAUCET_LOG)
  Keeper         pid $KEEPER_PID, keypair $KEEPER_KEYPAIR, log $KEEPER_LOG
  Validator log  $VALIDATOR_LOG
Point a client at it, e.g. ANCHOR_PROVIDER_URL=$RPC_URL or \`solana config set --url $RPC_URL\`.
Ctrl-C stops it; the ledger is kept in $DATA_DIR (--reset starts over).
EOT

wait "$VALIDATOR_PID"
