#!/usr/bin/env bash
# Installs what the test suites need (idempotent): Python packages from tests/requirements.txt (into
# .venv) and tests/requirements-sdk2.txt (into .venv-sdk2), and
# the OIDC provider peer (oidc-provider + a local Node 22 from the npm package `node`) and Ajv (tests/peers/ajv)
# from their lockfiles.
# Usage: scripts/install-test-deps.sh      (PYTHON=python3.12 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
# Two virtual environments inside the repo (ignored by git), so the system Python is never touched:
#   .venv       the suite's pinned packages (tests/requirements.txt), official MCP SDK 1.x;
#   .venv-sdk2  the same with the current official MCP SDK 2.x (tests/requirements-sdk2.txt), for
#               tests/sdk2, which check what clients built on today's SDK defaults see.
make_venv() {  # make_venv DIR REQUIREMENTS
  local dir=$1 req=$2 stamp
  stamp="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.install-stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  [ -x "$dir/bin/python" ] || "$PYTHON" -m venv "$dir"
  "$dir/bin/python" -m pip install --disable-pip-version-check -q -r "$req"
  echo "$stamp" > "$dir/.install-stamp"
}
make_venv .venv tests/requirements.txt
make_venv .venv-sdk2 tests/requirements-sdk2.txt

if ! command -v npm >/dev/null 2>&1; then
  # npm bootstraps the peer's own Node 22 (npm package `node`); any npm will do for that.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq npm >/dev/null
  else
    echo "npm is needed to install tests/peers/oidc (apt-get install npm)" >&2
    exit 1
  fi
fi

(
  cd tests/peers/oidc
  stamp="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ -x node_modules/.bin/node ] && [ -d node_modules/oidc-provider ] \
     && [ "$(cat node_modules/.install-stamp 2>/dev/null)" = "$stamp" ]; then
    :  # already installed from this lockfile
  else
    npm ci --no-audit --no-fund --loglevel=error
    echo "$stamp" > node_modules/.install-stamp
  fi
  case "$(node_modules/.bin/node --version)" in
    v22.*) ;;
    *) echo "tests/peers/oidc: node_modules/.bin/node is not Node 22" >&2; exit 1 ;;
  esac
)
(
  # Ajv (JSON Schema 2020-12, strict) for tests/e2e/test_model_tool_list.py, from its lockfile.
  cd tests/peers/ajv
  stamp="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -d node_modules/ajv ] || [ "$(cat node_modules/.install-stamp 2>/dev/null)" != "$stamp" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$stamp" > node_modules/.install-stamp
  fi
)
echo "test dependencies installed"
