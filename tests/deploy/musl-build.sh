#!/usr/bin/env bash
# Builds the container image's binary (static, x86_64-unknown-linux-musl, release) the way
# the Dockerfile does, to prove it compiles without a Docker engine. Slow (a full release
# build): tests/deploy/run.sh runs it only with DEPLOY_MUSL_BUILD=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
target=x86_64-unknown-linux-musl
grep -q "cargo build --release --locked --target $target" Dockerfile ||
  { echo "the Dockerfile no longer builds --target $target; update $0" >&2; exit 1; }
command -v musl-gcc >/dev/null || { echo "musl-gcc not found: run DEPLOY_MUSL_BUILD=1 tests/deploy/install.sh" >&2; exit 1; }
rustup target list --installed | grep -qx "$target" ||
  { echo "the Rust target $target is not installed: run DEPLOY_MUSL_BUILD=1 tests/deploy/install.sh" >&2; exit 1; }
cargo build --release --locked --target "$target" --target-dir "${MUSL_TARGET_DIR:-target}"
binary="${MUSL_TARGET_DIR:-target}/$target/release/nextcloud-mcp"
# A static binary has no program interpreter.
if readelf -l "$binary" | grep -q 'Requesting program interpreter'; then
  echo "$binary is dynamically linked" >&2
  exit 1
fi
size=$(stat -c %s "$binary")
echo "static binary $binary: $((size / 1024 / 1024)) MiB"
# The image adds only CA certificates (~0.2 MiB) to the binary; the target is under 30 MB.
[[ $size -lt 29000000 ]] || { echo "the binary is $size bytes; the image must stay under 30 MB" >&2; exit 1; }
