#!/usr/bin/env bash
# Installs what the test suites need (idempotent): Python packages from tests/requirements.txt and
# the OIDC provider peer (oidc-provider + a local Node 22 from the npm package `node`) from its lockfile.
# Usage: scripts/install-test-deps.sh      (PYTHON=python3.12 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -m pip install --disable-pip-version-check -q -r tests/requirements.txt; then
  # A Debian system Python refuses global installs (PEP 668); this is a throwaway test machine.
  PIP_BREAK_SYSTEM_PACKAGES=1 "$PYTHON" -m pip install --disable-pip-version-check -q -r tests/requirements.txt
fi

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
echo "test dependencies installed"
