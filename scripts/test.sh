#!/usr/bin/env bash
# Runs every test of nextcloud-mcp on a fresh machine: installs the test peers, checks
# formatting and lints, builds, runs the Rust tests, the deployment checks and the
# end-to-end suite (real OpenID provider, Radicale, WsgiDAV, Nextcloud contract fakes,
# official Python MCP SDK as the client).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
if [ -x tests/deploy/install.sh ]; then tests/deploy/install.sh; fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo build --locked
cargo test --locked
if [ -x tests/deploy/run.sh ]; then tests/deploy/run.sh; fi
# The suite with the pinned SDK 1.x, then tests/sdk2 with the current SDK 2.x (its own venv).
.venv/bin/python -m pytest tests -q -p no:cacheprovider --ignore=tests/sdk2
.venv-sdk2/bin/python -m pytest tests/sdk2 -q -p no:cacheprovider
