#!/usr/bin/env bash
# Everything the tests need, then every test. Called by `make test` (and so by CI).
set -euo pipefail
cd "$(dirname "$0")/.."
# mypy starts first and runs beside everything else: on a clean checkout its cache is cold
# (some 40 s of CPU, under a second warm), and pytest leaves a core idle at times (waiting for
# a server or the browser, one worker finishing its last file). Its verdict is printed and
# counted after pytest; a type error still fails the run.
mypy_log=$(mktemp)
.venv/bin/mypy >"$mypy_log" 2>&1 &  # strict for core and services ([tool.mypy] in pyproject.toml)
mypy_pid=$!
trap 'if [ -n "$mypy_pid" ]; then kill "$mypy_pid" 2>/dev/null || true; fi; rm -f "$mypy_log"' EXIT
bash scripts/ensure-chromium.sh
export SAMSPILL_TEST_POSTGRES_URL
SAMSPILL_TEST_POSTGRES_URL=$(bash scripts/start-postgres.sh | tail -n 1)
echo "storage tests run on SQLite and on PostgreSQL at ${SAMSPILL_TEST_POSTGRES_URL}"
export SAMSPILL_REQUIRE_POSTGRES=1 SAMSPILL_REQUIRE_BROWSER=1
# BORIS's own loader checks our .boris files (tests/interop/test_boris.py): `make test` builds
# .venv-boris from requirements-boris.lock; without it those tests fail here instead of skipping.
export SAMSPILL_BORIS_PYTHON="$PWD/.venv-boris/bin/python" SAMSPILL_REQUIRE_BORIS=1
.venv/bin/ruff check src tests bench
node_modules/.bin/eslint src/samspill/web/static tests/js
# Hypothesis profile "ci" (tests/conftest.py): derandomised, no example database, no deadline.
export SAMSPILL_HYPOTHESIS_PROFILE=${SAMSPILL_HYPOTHESIS_PROFILE:-ci}
status=0
.venv/bin/pytest -n 2 --dist loadfile -q --durations=10 "$@" || status=$?
echo "mypy:"
if ! wait "$mypy_pid"; then status=1; fi
mypy_pid=
cat "$mypy_log"
exit "$status"
