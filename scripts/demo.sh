#!/usr/bin/env bash
# One command, nothing else installed but cargo and python3: builds nextcloud-mcp, starts the
# project's Nextcloud fake seeded with demo data and the server in basic mode on 127.0.0.1,
# and prints the MCP URL with ready-to-paste commands for MCP Inspector and Claude Code.
#
#   scripts/demo.sh                 # port 8000; DEMO_PORT=9000 scripts/demo.sh for another
#
# NEXTCLOUD_MCP_BIN=path skips the build. DEMO_PYTHON picks the interpreter for the fake.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${DEMO_PYTHON:-python3}
workdir=${DEMO_WORKDIR:-.demo}
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

binary=${NEXTCLOUD_MCP_BIN:-}
if [[ -z "$binary" ]]; then
  echo "demo: building nextcloud-mcp (cargo build; the first build takes a few minutes)" >&2
  cargo build --quiet
  binary="${CARGO_TARGET_DIR:-target}/debug/nextcloud-mcp"
fi

# The fake needs starlette, uvicorn and httpx. Use them where installed, else fetch pinned wheels
# with the standard library into $workdir/site (scripts/demo_deps.py).
# shellcheck disable=SC2086 # DEMO_PYTHON may carry interpreter options
if ! $python -c 'import starlette, uvicorn, httpx' 2>/dev/null; then
  site="$workdir/site"
  $python scripts/demo_deps.py "$site" >/dev/null
  export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
fi

# shellcheck disable=SC2086
exec $python scripts/demo.py --binary "$binary" --workdir "$workdir" --python "$python" "$@"
