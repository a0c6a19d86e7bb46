#!/usr/bin/env bash
# Builds the container image from the repository's Dockerfile without a Docker daemon or a
# registry: compiles the static binary (x86_64-unknown-linux-musl, profile `image`) here, lays
# it out with Debian's CA bundle in a build context, runs `podman build --build-arg
# BINARY_SOURCE=prebuilt` (the Dockerfile's final stage, FROM scratch) and saves the image as
# a docker-archive for tests/deploy/image_checks.py.
#
#   tests/deploy/image-build.sh OUT_DIR
#
# Writes OUT_DIR/image.tar and OUT_DIR/image.env (IMAGE=, BUILD_SECONDS=). Prints the time of
# the static build. Tools: tests/deploy/install.sh (podman, musl-tools, the Rust musl target).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

out=${1:?usage: $0 OUT_DIR}
mkdir -p "$out"
target=x86_64-unknown-linux-musl
profile=image
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
target_dir=${CARGO_TARGET_DIR:-target}

fail() { echo "image-build: $*" >&2; exit 1; }

grep -q "cargo build --profile $profile --locked --target $target" Dockerfile ||
  fail "the Dockerfile no longer builds --profile $profile --target $target; update $0"
command -v podman >/dev/null || fail "podman not found: run tests/deploy/install.sh"
command -v musl-gcc >/dev/null || fail "musl-gcc not found: run tests/deploy/install.sh"
rustup target list --installed | grep -qx "$target" ||
  fail "the Rust target $target is not installed: run tests/deploy/install.sh"
[[ -s $ca_bundle ]] || fail "no CA bundle at $ca_bundle (Debian package ca-certificates)"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
image="localhost/nextcloud-mcp:$version"

start=$(date +%s)
cargo build --profile "$profile" --locked --target "$target"
seconds=$(($(date +%s) - start))
binary="$target_dir/$target/$profile/nextcloud-mcp"
echo "static build (cargo build --profile $profile --locked --target $target): ${seconds} s"

# The build context: prebuilt/ is what the Dockerfile's build stage leaves in /out.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
install -D -m 0755 "$binary" "$context/prebuilt/rootfs/nextcloud-mcp"
install -D -m 0644 "$ca_bundle" "$context/prebuilt/rootfs/etc/ssl/certs/ca-certificates.crt"
install -d -m 1777 "$context/prebuilt/rootfs/tmp"
install -d -m 0755 "$context/prebuilt/rootfs/var/lib"
install -d -m 0700 "$context/prebuilt/state/nextcloud-mcp"

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
podman build --quiet --file Dockerfile --build-arg BINARY_SOURCE=prebuilt \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  --tag "$image" "$context"
rm -f "$out/image.tar"
podman save --quiet --format docker-archive --output "$out/image.tar" "$image"
printf 'IMAGE=%s\nBUILD_SECONDS=%s\nREVISION=%s\n' "$image" "$seconds" "$revision" >"$out/image.env"
echo "built $image from Dockerfile (BINARY_SOURCE=prebuilt); saved to $out/image.tar"
