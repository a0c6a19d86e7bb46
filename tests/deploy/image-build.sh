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
# The recorded profile (PGO, docs/decisions/0011-pgo.md), as the Dockerfile passes it.
pgo_profile=pgo/$target.profdata
grep -q "RUSTFLAGS=\"-Cprofile-use=/src/$pgo_profile\"" Dockerfile ||
  fail "the Dockerfile no longer builds with -Cprofile-use=/src/$pgo_profile; update $0"
[[ -s $pgo_profile ]] || fail "$pgo_profile missing: python3 bench/pgo.py --target $target --profile $profile"
command -v podman >/dev/null || fail "podman not found: run tests/deploy/install.sh"
command -v musl-gcc >/dev/null || fail "musl-gcc not found: run tests/deploy/install.sh"
rustup target list --installed | grep -qx "$target" ||
  fail "the Rust target $target is not installed: run tests/deploy/install.sh"
[[ -s $ca_bundle ]] || fail "no CA bundle at $ca_bundle (Debian package ca-certificates)"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
image="localhost/nextcloud-mcp:$version"

start=$(date +%s)
build_log=$(mktemp)
RUSTFLAGS="-Cprofile-use=$PWD/$pgo_profile" cargo build --profile "$profile" --locked --target "$target" 2>&1 |
  tee "$build_log"
seconds=$(($(date +%s) - start))
binary="$target_dir/$target/$profile/nextcloud-mcp"
[[ -x $binary ]] || fail "cargo did not produce $binary"
# rustc warns for each function whose code no longer matches its recorded counts; any change to
# the crate can move functions between codegen units and so cost counts of unchanged ones too.
# Said, not failed: a stale profile costs speed, never correctness (decision 0011).
discarded=$(grep -c "function control flow change detected" "$build_log" || true)
rm -f "$build_log"
echo "static build (cargo build --profile $profile --locked --target $target, with $pgo_profile): ${seconds} s; the profile's counts no longer match $discarded functions (0 right after bench/pgo.py)"

# The build context: prebuilt/ is laid out by the Dockerfile's own `install` commands (those of
# its build stage that fill /out), run here with /out -> prebuilt/, this build's target
# directory and this machine's CA bundle, so both ways give the same files.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mapfile -t installs < <(sed -n '/^FROM .* AS build$/,/^FROM /p' Dockerfile |
  grep -E '^ *(&& *)?install .* /out/' | sed -E 's/^.*(install .*[^ \\])[ \\]*$/\1/')
[[ ${#installs[@]} -ge 4 ]] || fail "found ${#installs[@]} install commands for /out in the Dockerfile's build stage"
for cmd in "${installs[@]}"; do
  cmd=${cmd//\/out\//$context/prebuilt/}
  cmd=${cmd//target\/$target\/$profile\//$target_dir/$target/$profile/}
  cmd=${cmd//\/etc\/ssl\/certs\/ca-certificates.crt $context/$ca_bundle $context}
  read -ra words <<<"$cmd"
  "${words[@]}"
done
[[ -x $context/prebuilt/rootfs/nextcloud-mcp ]] || fail "the Dockerfile's install commands did not place the binary"

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Docker image format: the OCI format has no HEALTHCHECK (podman drops it with a warning).
# The stage images this build leaves untagged are removed afterwards (not others').
dangling_before=$(podman images --quiet --filter dangling=true | sort -u)
podman build --quiet --format docker --file Dockerfile --build-arg BINARY_SOURCE=prebuilt \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  --tag "$image" "$context"
comm -13 <(echo "$dangling_before") <(podman images --quiet --filter dangling=true | sort -u) |
  xargs --no-run-if-empty podman rmi --force >/dev/null 2>&1 || true
rm -f "$out/image.tar"
podman save --quiet --format docker-archive --output "$out/image.tar" "$image"
printf 'IMAGE=%s\nBUILD_SECONDS=%s\nREVISION=%s\n' "$image" "$seconds" "$revision" >"$out/image.env"
echo "built $image from Dockerfile (BINARY_SOURCE=prebuilt); saved to $out/image.tar"
