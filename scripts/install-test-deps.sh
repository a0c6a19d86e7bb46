#!/usr/bin/env bash
# Installs what the test suites need (idempotent): Python packages from tests/requirements.txt and
# the OIDC provider peer (oidc-provider + a local Node 22 from the npm package `node`) from its lockfile.
# Usage: scripts/install-test-deps.sh      (PYTHON=python3.12 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -m pip install --disable-pip-version-check -q -r tests/requirements.txt

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
