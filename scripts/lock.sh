#!/usr/bin/env bash
# Re-pin every dependency, with hashes, into requirements.lock (used by make run, make test and
# CI). Run after changing the dependencies in pyproject.toml; commit the lock with that change.
# Give a `pip freeze` file as $1 to pin to the versions a tested environment holds.
# Also re-pins BORIS (requirements-boris.in) into requirements-boris.lock for the test-only
# .venv-boris; `scripts/lock.sh --boris` re-pins that one alone.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=.venv-lock
[ -x "$TOOLS/bin/pip-compile" ] || { python3 -m venv "$TOOLS" && "$TOOLS/bin/pip" install --quiet pip-tools; }
COMMON=(--quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url
        --no-emit-find-links --annotation-style line)
"$TOOLS/bin/pip-compile" "${COMMON[@]}" --output-file requirements-boris.lock requirements-boris.in
[ "${1:-}" = "--boris" ] && exit 0
constraint=()
[ $# -ge 1 ] && constraint=(--constraint "$1")
"$TOOLS/bin/pip-compile" "${COMMON[@]}" --extra test --all-build-deps \
  "${constraint[@]}" --output-file requirements.lock pyproject.toml
# The constraint file is a local path: keep it out of the lock's comments.
sed -i -e 's/ --constraint=[^ ]*//' -e 's/-c [^ ,)]*, //g; s/, -c [^ ,)]*//g; s/(-c [^ ,)]*)//g' requirements.lock
