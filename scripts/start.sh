#!/usr/bin/env bash
# `npm start`: the product on this machine in one command.
#
#   bash scripts/start.sh [--reset] [--port N] [--ledger DIR] [--slot-ms N]
#
# 1. installs what is missing (scripts/setup.sh) and builds the program;
# 2. starts the local validator (localnet/) in the background, on 127.0.0.1;
# 3. waits until it answers getHealth, then creates the pool and its custodies
#    (migrations/deploy.ts with migrations/localnet.json; idempotent);
# 4. prints the URLs and the pool, and runs until Ctrl-C, which stops the
#    validator (by its PID) after it has saved its ledger.
#
# The ledger lives in the data directory (default .localnet/) and survives
# restarts; --reset starts a new chain.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=8899
DATA_DIR=.localnet
VALIDATOR_ARGS=()
while (($#)); do
  case "$1" in
    --reset) VALIDATOR_ARGS+=(--reset) ;;
    --port) PORT="$2"; shift ;;
    --ledger) DATA_DIR="$2"; shift ;;
    --slot-ms) VALIDATOR_ARGS+=(--slot-ms "$2"); shift ;;
    -h | --help)
      sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) echo "start: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
RPC_URL="http://127.0.0.1:$PORT"
WS_URL="ws://127.0.0.1:$((PORT + 1))"
TS_NODE=(node_modules/.bin/ts-node -P tsconfig.json --transpile-only)

bash scripts/setup.sh
npm run build

mkdir -p "$DATA_DIR"
VALIDATOR_LOG="$DATA_DIR/validator.log"
"${TS_NODE[@]}" localnet/cli.ts --port "$PORT" --ledger "$DATA_DIR" "${VALIDATOR_ARGS[@]}" >"$VALIDATOR_LOG" 2>&1 &
VALIDATOR_PID=$!

stop() {
  trap - EXIT INT TERM
  # [web app] Once app/ exists, stop its dev server here as well (by its PID).
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
for _ in $(seq 1 100); do
  if ! kill -0 "$VALIDATOR_PID" 2>/dev/null; then
    echo "start: the validator did not start:" >&2
    cat "$VALIDATOR_LOG" >&2
    exit 1
  fi
  healthy && break
  sleep 0.2
done
healthy || { echo "start: no answer from $RPC_URL" >&2; cat "$VALIDATOR_LOG" >&2; exit 1; }
grep -h "Ready in" "$VALIDATOR_LOG" | sed 's/^/validator: /'

"${TS_NODE[@]}" migrations/deploy.ts --config migrations/localnet.json --url "$RPC_URL" --data-dir "$DATA_DIR"

# [web app] Start the web app here once app/ exists (e.g. its dev server in
# the background with VITE_RPC_URL="$RPC_URL"), record its PID for stop(),
# and print its URL below.

cat <<EOF

Perpool localnet is running.
  RPC URL        $RPC_URL
  WebSocket URL  $WS_URL
  Addresses      $DATA_DIR/deployment.json
  Admin keypair  $DATA_DIR/admin.json (mint authority of the test mints)
  Validator log  $VALIDATOR_LOG
Point a client at it, e.g. ANCHOR_PROVIDER_URL=$RPC_URL or \`solana config set --url $RPC_URL\`.
Ctrl-C stops it; the ledger is kept in $DATA_DIR/ledger (--reset starts over).
EOF

wait "$VALIDATOR_PID"
