#!/usr/bin/env bash
# `make lighthouse`: Lighthouse 12 (mobile) on the home page, a scan page and the card page.
#
# Starts its own gunicorn on a free port with the demo in a temporary directory (nothing
# is written to instance/), stamps once with curl to get a card for the card page, runs
# Lighthouse in Debian's Chromium and writes the reports to bench/out/lighthouse/.
# Fails when accessibility or best practices score below 1.0 or SEO below 0.9 on any page.
#
# Lighthouse comes from npm, pinned by bench/lighthouse/package(-lock).json, and is
# installed into bench/out/lighthouse-node/ (ignored by git) on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
OUT=$ROOT/bench/out/lighthouse
NODE_DIR=$ROOT/bench/out/lighthouse-node
MIN_A11Y=1.0 MIN_BP=1.0 MIN_SEO=0.9

command -v npm >/dev/null || { echo "lighthouse: npm fehlt (apt-get install npm)" >&2; exit 1; }
[ -x "$CHROME_PATH" ] || { echo "lighthouse: $CHROME_PATH fehlt (apt-get install chromium)" >&2; exit 1; }
export CHROME_PATH

# --- Lighthouse from npm, once ------------------------------------------------------------
mkdir -p "$NODE_DIR" "$OUT"
if ! cmp -s bench/lighthouse/package-lock.json "$NODE_DIR/package-lock.json" \
    || [ ! -x "$NODE_DIR/node_modules/.bin/lighthouse" ]; then
  cp bench/lighthouse/package.json bench/lighthouse/package-lock.json "$NODE_DIR/"
  npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error
fi
LIGHTHOUSE=$NODE_DIR/node_modules/.bin/lighthouse
echo "== $("$LIGHTHOUSE" --version | sed 's/^/Lighthouse /')"

# --- a demo database and a server of our own ------------------------------------------------
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT
# Settings only from here: no FLASK_* or DATABASE_URL of the caller's shell leaks in.
for name in $(env | sed -n 's/^\(FLASK_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$name"; done
unset GUNICORN_CMD_ARGS WEB_CONCURRENCY
export DATABASE_URL="sqlite:///$TMP/rallye.sqlite3"
export RATELIMIT_STORAGE_URI="memory://"
export FLASK_SECRET_KEY="lighthouse-$("$BIN/python" -c 'import secrets; print(secrets.token_hex(24))')"
export FLASK_BASE_URL=$BASE
export HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_CACHE_HOME=$TMP/home/.cache
mkdir -p "$HOME"

# INSTANCE_PATH keeps config, secret key and the demo's login file in the temporary folder.
export INSTANCE_PATH=$TMP/instance
"$BIN/flask" --app wsgi init-db >/dev/null 2>&1
"$BIN/flask" --app wsgi demo >/dev/null
TOKENS=$("$BIN/python" - "$TMP/rallye.sqlite3" <<'PY'
import sqlite3, sys
from contextlib import closing
with closing(sqlite3.connect(sys.argv[1])) as conn:
    rows = conn.execute("SELECT token FROM stations WHERE active ORDER BY id LIMIT 2")
    print(" ".join(row[0] for row in rows))
PY
)
read -r CARD_TOKEN SCAN_TOKEN <<<"$TOKENS"

setsid "$BIN/gunicorn" -c gunicorn.conf.py --workers 2 --bind "127.0.0.1:$PORT" wsgi:app \
  >"$TMP/gunicorn.log" 2>&1 </dev/null &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "$BASE/" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/gunicorn.log" >&2; exit 1; }
  sleep 0.2
done
curl -fs -o /dev/null "$BASE/" || { echo "lighthouse: server did not start" >&2; cat "$TMP/gunicorn.log" >&2; exit 1; }

# --- a card for the card page: scan, tap, keep the cookie ---------------------------------
JAR=$TMP/cookies.txt
CSRF=$(curl -fs -c "$JAR" "$BASE/s/$CARD_TOKEN" | sed -n 's/.*name="csrf_token"[^>]*value="\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$CSRF" ] || { echo "lighthouse: no CSRF token on the scan page" >&2; exit 1; }
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" -c "$JAR" \
  --data-urlencode "csrf_token=$CSRF" "$BASE/s/$CARD_TOKEN")
[ "$STATUS" = 303 ] || { echo "lighthouse: the tap answered $STATUS, not 303" >&2; exit 1; }
CARD=$(awk '$6 == "stempelkarte" { print $7 }' "$JAR")
[ -n "$CARD" ] || { echo "lighthouse: the tap set no card cookie" >&2; exit 1; }

# --- Lighthouse --------------------------------------------------------------------------------
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
--disable-background-networking --disable-component-update --disable-sync --disable-quic \
--lang=de-DE"

run_lighthouse() {  # run_lighthouse NAME URL [extra lighthouse arguments...]
  local name=$1 url=$2
  shift 2
  "$LIGHTHOUSE" "$url" --quiet --form-factor=mobile \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="$CHROME_FLAGS" --locale=de \
    --output=json --output=html --output-path="$OUT/$name" "$@"
}

# Lighthouse now and then loses Chromium's trace (runtime error NO_NAVSTART) on a page
# that passes on the next run: each page gets one retry before the scores are judged.
audit() {  # audit NAME URL [extra lighthouse arguments...]
  local name=$1
  if run_lighthouse "$@" && ! grep -q '"runtimeError"' "$OUT/$name.report.json"; then
    return 0
  fi
  echo "lighthouse: $name failed once, trying again" >&2
  run_lighthouse "$@"
}

audit home "$BASE/"
audit scan "$BASE/s/$SCAN_TOKEN"
audit card "$BASE/karte" --extra-headers="{\"Cookie\": \"stempelkarte=$CARD\"}"

# --- scores ---------------------------------------------------------------------------------
node - "$OUT" "$MIN_A11Y" "$MIN_BP" "$MIN_SEO" <<'JS'
const fs = require("fs");
const [out, minA11y, minBp, minSeo] = process.argv.slice(2);
const minimum = { accessibility: +minA11y, "best-practices": +minBp, seo: +minSeo };
let failed = false;
console.log("page   perf   a11y   best   seo");
for (const name of ["home", "scan", "card"]) {
  const report = JSON.parse(fs.readFileSync(`${out}/${name}.report.json`, "utf8"));
  const score = (id) => report.categories[id].score;
  const row = ["performance", "accessibility", "best-practices", "seo"].map((id) =>
    score(id) === null ? "  n/a" : score(id).toFixed(2).padStart(5));
  console.log(`${name.padEnd(5)} ${row.join("  ")}`);
  if (report.runtimeError) {
    console.log(`  runtime error: ${report.runtimeError.message}`);
    failed = true;
  }
  for (const [id, min] of Object.entries(minimum)) {
    if (score(id) === null || score(id) < min) {
      failed = true;
      const audits = report.categories[id].auditRefs
        .filter((ref) => ref.weight > 0)
        .map((ref) => report.audits[ref.id])
        .filter((audit) => audit.score !== null && audit.score < 1);
      console.log(`  ${id} below ${min}: ${audits.map((a) => `${a.id} (${a.title})`).join("; ")}`);
    }
  }
}
console.log(`Berichte: ${out}/{home,scan,card}.report.html`);
process.exit(failed ? 1 : 0);
JS
