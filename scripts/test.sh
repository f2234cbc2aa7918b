#!/usr/bin/env bash
# The whole test suite: lint, import contracts, then pytest on SQLite and on PostgreSQL.
# PostgreSQL: LMS_TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test). Outside CI the
# PostgreSQL run is skipped with a message when the server does not answer; with CI=true it is
# required, and started when down.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
export PYTHONDONTWRITEBYTECODE=1
PG_URL="${LMS_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
WORKERS="${LMS_TEST_WORKERS:-2}"

echo "== ruff"
$VENV/bin/ruff check .
echo "== import-linter"
$VENV/bin/lint-imports
echo "== content check"
$VENV/bin/lms content check

pg_answers() {
  $VENV/bin/python - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

if [ "${CI:-}" = "true" ] && ! pg_answers; then
  echo "== starting PostgreSQL (CI)"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_answers 2>/dev/null && break; sleep 1; done
fi

echo "== pytest on SQLite"
env -u LMS_TEST_DATABASE_URL $VENV/bin/python -m pytest -n "$WORKERS" -p no:cacheprovider "$@"

if pg_answers; then
  echo "== pytest on PostgreSQL ($PG_URL)"
  LMS_TEST_DATABASE_URL="$PG_URL" $VENV/bin/python -m pytest -n "$WORKERS" -p no:cacheprovider "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required under CI=true and did not start" >&2
  exit 1
else
  echo "== SKIPPED the PostgreSQL run: no server at $PG_URL (set LMS_TEST_DATABASE_URL)"
fi
