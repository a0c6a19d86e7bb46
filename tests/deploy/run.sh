#!/usr/bin/env bash
# Every deployment check: shellcheck, hadolint, the bats tests of scripts/nextcloud-setup.sh,
# the container image (static build, podman build from the Dockerfile, image_checks.py), the
# Helm chart checks (and its packaged .tgz) and the docs checks. Prints each result as TAP-like
# lines and ends with one line: "deploy: N passed, M failed" (", K skipped" when some were
# skipped). Exit status 1 when anything failed. Tools: tests/deploy/install.sh (its Python
# packages live in .venv-deploy).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
VENV=.venv-deploy
PYTHON=${PYTHON:-$VENV/bin/python}
# checkov and hadolint come from the same virtual environment.
PATH="$PWD/$VENV/bin:$PATH"
# Build products (the image archive, the packaged chart) stay for inspection after the run.
ARTIFACTS=${DEPLOY_ARTIFACTS:-${CARGO_TARGET_DIR:-target}/deploy}
mkdir -p "$ARTIFACTS"
export DEPLOY_ARTIFACTS=$ARTIFACTS
passed=0
failed=0
skipped=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

result() { # result ok|fail|skip NAME [DETAIL]
  local line
  case $1 in
    ok) passed=$((passed + 1)); echo "ok - $2" ;;
    skip) skipped=$((skipped + 1)); echo "ok - $2 # SKIP ${3:-}" ;;
    *)
      failed=$((failed + 1))
      echo "not ok - $2"
      if [[ -n ${3:-} ]]; then
        while IFS= read -r line; do echo "#   $line"; done <<<"$3"
      fi
      ;;
  esac
}

need() { # need TOOL: true when on PATH, else records a failure
  command -v "$1" >/dev/null 2>&1 && return 0
  result fail "$1 is installed" "$1 not found; run tests/deploy/install.sh"
  return 1
}

single() { # single NAME CMD... : one check, passed when CMD exits 0
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then result ok "$name"; else result fail "$name" "$out"; fi
}

tap_suite() { # tap_suite NAME CMD... : counts the ok / not ok lines a TAP producer prints
  local name=$1 status line
  shift
  "$@" >"$work/out" 2>"$work/err"
  status=$?
  local seen=0 bad=0
  while IFS= read -r line; do
    case $line in
      "not ok "*) failed=$((failed + 1)); bad=$((bad + 1)); seen=$((seen + 1)); echo "$line" ;;
      "ok "*"# SKIP"* | "ok "*"# skip"*) skipped=$((skipped + 1)); seen=$((seen + 1)); echo "$line" ;;
      "ok "*) passed=$((passed + 1)); seen=$((seen + 1)); echo "$line" ;;
      "#"*) echo "$line" ;;
    esac
  done <"$work/out"
  if [[ $status -ne 0 && $bad -eq 0 ]] || [[ $seen -eq 0 ]]; then
    result fail "$name ran to completion (exit status $status)" "$(tail -n 40 "$work/err")"
  elif [[ $bad -gt 0 ]]; then
    # Go's logger in the Helm library notes the symlinked script; keep stderr for real errors only.
    grep -v 'found symbolic link in path' "$work/err" | tail -n 40 | sed 's/^/#   /'
  fi
}

if [[ ! -x $PYTHON ]] && ! command -v "$PYTHON" >/dev/null 2>&1; then
  result fail "$PYTHON exists" "no $VENV: run tests/deploy/install.sh first"
fi

echo "# shellcheck"
if need shellcheck; then
  for file in scripts/nextcloud-setup.sh tests/deploy/*.sh tests/deploy/fakes/*; do
    single "shellcheck $file" shellcheck -x "$file"
  done
  single "shellcheck tests/deploy/nextcloud-setup.bats" shellcheck --shell=bats tests/deploy/nextcloud-setup.bats
fi

echo "# hadolint"
if need hadolint; then
  single "hadolint Dockerfile" hadolint Dockerfile
fi

echo "# bats: scripts/nextcloud-setup.sh"
if need bats; then
  tap_suite "bats tests/deploy/nextcloud-setup.bats" bats --tap tests/deploy/nextcloud-setup.bats
fi

echo "# container image"
if need podman; then
  if out=$(bash tests/deploy/image-build.sh "$ARTIFACTS" 2>&1); then
    result ok "tests/deploy/image-build.sh: static binary, podman build from the Dockerfile"
    grep -E '^(static build|built) ' <<<"$out" | sed 's/^/# /'
    tap_suite "tests/deploy/image_checks.py" "$PYTHON" tests/deploy/image_checks.py "$ARTIFACTS"
  else
    result fail "tests/deploy/image-build.sh: static binary, podman build from the Dockerfile" "$(tail -n 40 <<<"$out")"
  fi
fi

echo "# Helm chart"
tap_suite "tests/deploy/chart_checks.py" "$PYTHON" tests/deploy/chart_checks.py

echo "# docs"
tap_suite "tests/deploy/docs_checks.py" "$PYTHON" tests/deploy/docs_checks.py

summary="deploy: $passed passed, $failed failed"
[[ $skipped -gt 0 ]] && summary+=", $skipped skipped"
echo "$summary"
[[ $failed -eq 0 ]]
