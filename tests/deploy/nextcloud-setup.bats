#!/usr/bin/env bats
# scripts/nextcloud-setup.sh against a fake occ (tests/deploy/fakes/occ) that records each call.

SCRIPT="$BATS_TEST_DIRNAME/../../scripts/nextcloud-setup.sh"
FAKES="$BATS_TEST_DIRNAME/fakes"

setup() {
  export FAKE_STATE="$BATS_TEST_TMPDIR/state"
  export FAKE_OCC="$FAKES/occ"
  mkdir -p "$FAKE_STATE" "$BATS_TEST_TMPDIR/nc/config"
  cp "$FAKES/occ" "$BATS_TEST_TMPDIR/nc/occ"
  # shellcheck disable=SC2016 # a PHP literal, not a shell expansion
  echo '<?php $CONFIG = [];' >"$BATS_TEST_TMPDIR/nc/config/config.php"
  NC_OCC="$BATS_TEST_TMPDIR/nc/occ"
  # The fake occ is a shell script: run it with bash where the real one runs with php.
  export NEXTCLOUD_SETUP_PHP=bash
  # A Nextcloud with both apps installed but disabled, nothing configured.
  printf '%s\n' files dav >"$FAKE_STATE/apps_enabled"
  printf '%s\n' oidc user_oidc >"$FAKE_STATE/apps_disabled"
}

calls() { cat "$FAKE_STATE/calls" 2>/dev/null || true; }

# Fails the test when the pattern is found (a bare `! grep` would not fail a bats test).
no_match() {
  if grep "$@"; then
    echo "unexpected match: $*" >&2
    return 1
  fi
}

configured() {
  printf '%s\n' files dav oidc user_oidc >"$FAKE_STATE/apps_enabled"
  : >"$FAKE_STATE/apps_disabled"
  mkdir -p "$FAKE_STATE/app/oidc" "$FAKE_STATE/system"
  echo true >"$FAKE_STATE/system/user_oidc.oidc_provider_bearer_validation"
  echo true >"$FAKE_STATE/app/oidc/proof_key_for_code_exchange"
  echo true >"$FAKE_STATE/app/oidc/dynamic_client_registration"
  echo 86400 >"$FAKE_STATE/app/oidc/client_expire_time"
}

@test "apply on a fresh Nextcloud enables both apps and sets each setting, in order" {
  run bash "$SCRIPT" apply --occ "$NC_OCC" --dynamic-registration --client-expire-time 86400
  [ "$status" -eq 0 ]
  [ "$(calls)" = "app:list
app:enable oidc
app:enable user_oidc
config:system:get user_oidc oidc_provider_bearer_validation
config:system:set user_oidc oidc_provider_bearer_validation --value=true --type=boolean
config:app:get oidc proof_key_for_code_exchange
config:app:set oidc proof_key_for_code_exchange --value=true --type=boolean
config:app:get oidc dynamic_client_registration
config:app:set oidc dynamic_client_registration --value=true
config:app:get oidc client_expire_time
config:app:set oidc client_expire_time --value=86400" ]
  [[ "$output" == *"running: occ app:enable oidc"* ]]
  [[ "$output" == *"Nextcloud is set up for nextcloud-mcp."* ]]
}

@test "apply without --dynamic-registration leaves dynamic registration alone" {
  run bash "$SCRIPT" apply --occ "$NC_OCC"
  [ "$status" -eq 0 ]
  no_match -q dynamic_client_registration "$FAKE_STATE/calls"
  no_match -q client_expire_time "$FAKE_STATE/calls"
}

@test "apply on an already configured Nextcloud only reads" {
  configured
  run bash "$SCRIPT" apply --occ "$NC_OCC" --dynamic-registration --client-expire-time 86400
  [ "$status" -eq 0 ]
  [ "$(calls)" = "app:list
config:system:get user_oidc oidc_provider_bearer_validation
config:app:get oidc proof_key_for_code_exchange
config:app:get oidc dynamic_client_registration
config:app:get oidc client_expire_time" ]
  [[ "$output" == *"ok: app oidc is enabled"* ]]
  [[ "$output" == *"ok: user_oidc bearer validation is on"* ]]
  [[ "$output" == *"ok: oidc client_expire_time is 86400"* ]]
  [[ "$output" != *"running:"* ]]
}

@test "apply twice: the second run changes nothing" {
  run bash "$SCRIPT" apply --occ "$NC_OCC" --dynamic-registration
  [ "$status" -eq 0 ]
  : >"$FAKE_STATE/calls"
  run bash "$SCRIPT" apply --occ "$NC_OCC" --dynamic-registration
  [ "$status" -eq 0 ]
  no_match -Eq ':set|app:enable' "$FAKE_STATE/calls"
}

@test "apply stops before changing anything when an app is not installed" {
  printf '%s\n' oidc >"$FAKE_STATE/apps_disabled"
  run bash "$SCRIPT" apply --occ "$NC_OCC"
  [ "$status" -eq 1 ]
  [ "$output" = "nextcloud-setup.sh: error: the app 'user_oidc' is not installed. Install it from the app store: occ app:install user_oidc (or rerun with --install-apps)" ]
  [ "$(calls)" = "app:list" ]
}

@test "apply --install-apps installs a missing app from the store" {
  printf '%s\n' oidc >"$FAKE_STATE/apps_disabled"
  echo user_oidc >"$FAKE_STATE/store"
  run bash "$SCRIPT" apply --occ "$NC_OCC" --install-apps
  [ "$status" -eq 0 ]
  grep -qx 'app:install user_oidc' "$FAKE_STATE/calls"
  grep -qx 'app:enable oidc' "$FAKE_STATE/calls"
}

@test "a failing occ command stops apply with occ's message" {
  printf '%s\n' oidc user_oidc >"$FAKE_STATE/apps_disabled"
  echo user_oidc >"$FAKE_STATE/store"
  # app:enable of an app the fake does not know fails like occ does.
  printf '%s\n' oidc >"$FAKE_STATE/apps_disabled"
  run bash "$SCRIPT" apply --occ "$NC_OCC" --install-apps
  [ "$status" -eq 0 ]
  rm "$FAKE_STATE/store"
  printf '%s\n' oidc >"$FAKE_STATE/apps_disabled"
  sed -i '/user_oidc/d' "$FAKE_STATE/apps_enabled"
  run bash "$SCRIPT" apply --occ "$NC_OCC" --install-apps
  [ "$status" -eq 1 ]
  [[ "$output" == *"error: occ app:install user_oidc failed: Could not download app user_oidc"* ]]
}

@test "occ refusing the user (not the owner of config.php) is reported clearly" {
  touch "$FAKE_STATE/wrong_user"
  run bash "$SCRIPT" verify --occ "$NC_OCC"
  [ "$status" -eq 1 ]
  [[ "$output" == "nextcloud-setup.sh: error: occ refused to run as user '$(id -un)': it must run as the owner of config/config.php. Pass --occ-user OWNER. occ said: Console has to be executed with the user that owns the file config/config.php"* ]]
}

@test "running as a user who is neither root nor the owner of config.php fails before occ runs" {
  if [ "$(id -u)" -ne 0 ] || ! command -v runuser >/dev/null; then
    skip "needs root (to run the script as another user)"
  fi
  # A directory "nobody" can reach (the bats temp dir's parents may not be).
  local shared
  shared=$(mktemp -d /tmp/nextcloud-setup-test.XXXXXX)
  cp -r "$BATS_TEST_TMPDIR/nc" "$shared/nc"
  mkdir "$shared/state"
  cp "$SCRIPT" "$shared/nextcloud-setup.sh"
  chmod -R a+rX "$shared"
  chmod a+rwx "$shared/state"
  run runuser -u nobody -- env FAKE_STATE="$shared/state" NEXTCLOUD_SETUP_PHP=bash bash "$shared/nextcloud-setup.sh" apply --occ "$shared/nc/occ"
  local calls_made
  calls_made=$(cat "$shared/state/calls" 2>/dev/null || true)
  rm -rf "$shared"
  [ "$status" -eq 1 ]
  [[ "$output" == "nextcloud-setup.sh: error: occ must run as the web server user 'root' (owner of $shared/nc/config/config.php), not 'nobody'. Run: sudo -u root "* ]]
  [ -z "$calls_made" ]
}

@test "as root, occ runs through sudo -u <owner of config.php>" {
  if [ "$(id -u)" -ne 0 ]; then skip "needs root (to chown config.php)"; fi
  chown nobody "$BATS_TEST_TMPDIR/nc/config/config.php"
  configured
  PATH="$FAKES:$PATH" run bash "$SCRIPT" verify --occ "$NC_OCC"
  [ "$status" -eq 0 ]
  grep -qx "sudo -u nobody bash $NC_OCC app:list" "$FAKE_STATE/runner"
}

@test "--occ-user that does not own config.php is refused" {
  run bash "$SCRIPT" verify --occ "$NC_OCC" --occ-user www-data
  [ "$status" -eq 1 ]
  [[ "$output" == *"error: --occ-user www-data is not the owner of $BATS_TEST_TMPDIR/nc/config/config.php ($(id -un)); occ must run as $(id -un)" ]]
}

@test "a missing occ is reported with the option that fixes it" {
  run bash "$SCRIPT" apply --occ "$BATS_TEST_TMPDIR/nowhere/occ"
  [ "$status" -eq 1 ]
  [ "$output" = "nextcloud-setup.sh: error: occ not found at $BATS_TEST_TMPDIR/nowhere/occ; pass --occ /path/to/nextcloud/occ" ]
}

@test "verify on a fresh Nextcloud lists every problem with its fix" {
  run bash "$SCRIPT" verify --occ "$NC_OCC" --dynamic-registration --client-expire-time 86400
  [ "$status" -eq 1 ]
  [ "$output" = "FAIL: the app oidc is installed but disabled
      fix: bash $NC_OCC app:enable oidc
FAIL: the app user_oidc is installed but disabled
      fix: bash $NC_OCC app:enable user_oidc
FAIL: user_oidc does not accept bearer tokens (oidc_provider_bearer_validation is 'unset')
      fix: bash $NC_OCC config:system:set user_oidc oidc_provider_bearer_validation --value=true --type=boolean
FAIL: the oidc app does not advertise PKCE (proof_key_for_code_exchange is 'unset')
      fix: bash $NC_OCC config:app:set oidc proof_key_for_code_exchange --value=true --type=boolean
FAIL: the oidc app refuses dynamic client registration (dynamic_client_registration is 'unset')
      fix: bash $NC_OCC config:app:set oidc dynamic_client_registration --value=true
FAIL: oidc client_expire_time is 'unset (3600)', wanted at least 86400
      fix: bash $NC_OCC config:app:set oidc client_expire_time --value=86400
6 setting(s) wrong. Fix them one by one as shown, or run: $SCRIPT apply with the same options." ]
  no_match -Eq ':set|app:enable' "$FAKE_STATE/calls"
}

@test "verify reports a missing app with app:install" {
  configured
  sed -i '/^oidc$/d' "$FAKE_STATE/apps_enabled"
  run bash "$SCRIPT" verify --occ "$NC_OCC"
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL: the app oidc is not installed
      fix: bash $NC_OCC app:install oidc"* ]]
}

@test "verify on a configured Nextcloud passes" {
  configured
  run bash "$SCRIPT" verify --occ "$NC_OCC" --dynamic-registration --client-expire-time 3600
  [ "$status" -eq 0 ]
  [[ "$output" == *"ok: oidc client_expire_time is 86400"* ]]
  [[ "$output" == *"All settings are in place." ]]
}

@test "verify sees bearer validation switched off" {
  configured
  echo false >"$FAKE_STATE/system/user_oidc.oidc_provider_bearer_validation"
  run bash "$SCRIPT" verify --occ "$NC_OCC"
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL: user_oidc does not accept bearer tokens (oidc_provider_bearer_validation is 'false')"* ]]
}

@test "--dry-run prints the commands and runs nothing" {
  run bash "$SCRIPT" apply --occ /var/www/nextcloud/occ --occ-user www-data --dynamic-registration --dry-run
  [ "$status" -eq 0 ]
  [ "$output" = "sudo -u www-data bash /var/www/nextcloud/occ app:enable oidc
sudo -u www-data bash /var/www/nextcloud/occ app:enable user_oidc
sudo -u www-data bash /var/www/nextcloud/occ config:system:set user_oidc oidc_provider_bearer_validation --value=true --type=boolean
sudo -u www-data bash /var/www/nextcloud/occ config:app:set oidc proof_key_for_code_exchange --value=true --type=boolean
sudo -u www-data bash /var/www/nextcloud/occ config:app:set oidc dynamic_client_registration --value=true" ]
  [ -z "$(calls)" ]
}

@test "--docker runs occ with docker exec as www-data" {
  configured
  PATH="$FAKES:$PATH" run bash "$SCRIPT" verify --docker nextcloud-app
  [ "$status" -eq 0 ]
  [ "$(head -n 3 "$FAKE_STATE/runner")" = "docker inspect --format {{.State.Running}} nextcloud-app
docker exec nextcloud-app test -f /var/www/html/occ
docker exec -u www-data nextcloud-app php /var/www/html/occ app:list" ]
}

# Runs the script where no local occ can be found (an empty working directory).
no_local_occ() {
  if [ -e /var/www/html/occ ] || [ -e /var/www/nextcloud/occ ] || [ -e /usr/share/webapps/nextcloud/occ ]; then
    skip "this machine has a Nextcloud occ in a place the script looks"
  fi
  mkdir -p "$BATS_TEST_TMPDIR/empty"
  cd "$BATS_TEST_TMPDIR/empty" || return 1
}

@test "verify with docker installed but its daemon down says so, not that occ is missing" {
  no_local_occ
  touch "$FAKE_STATE/docker_down"
  PATH="$FAKES:$PATH" run bash "$SCRIPT" verify
  [ "$status" -eq 1 ]
  [ -n "$output" ]
  [[ "$output" == "nextcloud-setup.sh: error: cannot look for a Nextcloud container: docker is installed but \`docker ps\` failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running? Check that the Docker daemon runs and that $(id -un) may use it, or say where occ is: Pass --occ /path/to/nextcloud/occ, --docker CONTAINER or --kubectl POD. (There is no occ in ., /var/www/html or /var/www/nextcloud either.)" ]]
  [[ "$output" != *"occ not found"* ]]
}

@test "--docker with the daemon down names the daemon, not a missing occ" {
  touch "$FAKE_STATE/docker_down"
  PATH="$FAKES:$PATH" run bash "$SCRIPT" verify --docker nextcloud-app
  [ "$status" -eq 1 ]
  [[ "$output" == "nextcloud-setup.sh: error: docker cannot inspect the container 'nextcloud-app': Cannot connect to the Docker daemon"*"Check that the Docker daemon runs and that 'nextcloud-app' is a name \`docker ps\` shows." ]]
  [[ "$output" != *"occ not found"* ]]
}

@test "--docker with a container name docker does not know says so" {
  echo "nc-app docker.io/library/nextcloud:30-apache" >"$FAKE_STATE/containers"
  PATH="$FAKES:$PATH" run bash "$SCRIPT" verify --docker nextcloud-app
  [ "$status" -eq 1 ]
  [[ "$output" == *"docker cannot inspect the container 'nextcloud-app': Error: No such object: nextcloud-app"* ]]
}

@test "verify finds the one running nextcloud container by itself" {
  no_local_occ
  configured
  printf '%s\n' "db docker.io/library/mariadb:11" "nc-app docker.io/library/nextcloud:30-apache" >"$FAKE_STATE/containers"
  PATH="$FAKES:$PATH" run bash "$SCRIPT" verify
  [ "$status" -eq 0 ]
  [[ "$output" == "Using the Docker container 'nc-app' (the one running a nextcloud image)."* ]]
  [[ "$output" == *"All settings are in place."* ]]
}

@test "verify with several nextcloud containers asks to choose one" {
  no_local_occ
  printf '%s\n' "nc-a nextcloud:29" "nc-b nextcloud:30" >"$FAKE_STATE/containers"
  PATH="$FAKES:$PATH" run bash "$SCRIPT" verify
  [ "$status" -eq 1 ]
  [ "$output" = "nextcloud-setup.sh: error: several running Docker containers use a nextcloud image (nc-a,nc-b); choose one with --docker CONTAINER." ]
}

@test "verify with docker running but no nextcloud container says where it looked" {
  no_local_occ
  echo "db docker.io/library/mariadb:11" >"$FAKE_STATE/containers"
  PATH="$FAKES:$PATH" run bash "$SCRIPT" verify
  [ "$status" -eq 1 ]
  [[ "$output" == *"occ not found: no occ in ., /var/www/html or /var/www/nextcloud, and no running Docker container uses a nextcloud image."* ]]
}

@test "--docker with no occ in the container says where it looked" {
  touch "$FAKE_STATE/no_occ"
  PATH="$FAKES:$PATH" run bash "$SCRIPT" apply --docker nextcloud-app
  [ "$status" -eq 1 ]
  [ "$output" = "nextcloud-setup.sh: error: occ not found at /var/www/html/occ in container 'nextcloud-app'; pass --occ /path/inside/the/container/occ" ]
}

@test "--kubectl-selector finds the pod and runs occ as www-data through su" {
  PATH="$FAKES:$PATH" run bash "$SCRIPT" apply --kubectl-selector app.kubernetes.io/name=nextcloud -n cloud -c nextcloud
  [ "$status" -eq 0 ]
  [[ "$output" == "Using pod nextcloud-7d9f-abcde."* ]]
  [ "$(head -n 4 "$FAKE_STATE/runner")" = "kubectl get pods -n cloud -l app.kubernetes.io/name=nextcloud --field-selector=status.phase=Running -o jsonpath={.items[0].metadata.name}
kubectl exec -n cloud -c nextcloud nextcloud-7d9f-abcde -- id -un
kubectl exec -n cloud -c nextcloud nextcloud-7d9f-abcde -- test -f /var/www/html/occ
kubectl exec -n cloud -c nextcloud nextcloud-7d9f-abcde -- su -s /bin/sh www-data -c php /var/www/html/occ \"\$@\" occ app:list" ]
  grep -qx 'config:app:set oidc proof_key_for_code_exchange --value=true --type=boolean' "$FAKE_STATE/calls"
}

@test "--kubectl in a pod that already runs as www-data calls php directly" {
  configured
  FAKE_POD_USER=www-data PATH="$FAKES:$PATH" run bash "$SCRIPT" verify --kubectl nc-0
  [ "$status" -eq 0 ]
  grep -qx 'kubectl exec nc-0 -- php /var/www/html/occ app:list' "$FAKE_STATE/runner"
}

@test "--kubectl in a pod running as another user fails with the option to use" {
  FAKE_POD_USER=apache PATH="$FAKES:$PATH" run bash "$SCRIPT" verify --kubectl nc-0
  [ "$status" -eq 1 ]
  [ "$output" = "nextcloud-setup.sh: error: the pod runs commands as 'apache', not as the web server user 'www-data' nor root; pass --occ-user apache if that user owns config/config.php" ]
}

@test "--kubectl-selector with no running pod fails clearly" {
  touch "$FAKE_STATE/no_pods"
  PATH="$FAKES:$PATH" run bash "$SCRIPT" apply --kubectl-selector app=nextcloud -n cloud
  [ "$status" -eq 1 ]
  [ "$output" = "nextcloud-setup.sh: error: no running pod matches labels 'app=nextcloud' in namespace cloud" ]
}

@test "create-client prints the id and secret as Helm values and config keys" {
  configured
  run bash "$SCRIPT" create-client --occ "$NC_OCC" --redirect-uri https://mcp.example.com/oauth/callback
  [ "$status" -eq 0 ]
  grep -qx 'oidc:create Nextcloud MCP Server https://mcp.example.com/oauth/callback --type=confidential' "$FAKE_STATE/calls"
  [[ "$output" == *'        id: "FAKEclientID0123456789abcdefghijKLMNOP"'* ]]
  [[ "$output" == *'    value: "FAKEsecret0123456789abcdefghijklmnopQRSTUV"'* ]]
  [[ "$output" == *'      secret_file: /run/secrets/nextcloud-mcp/client-secret'* ]]
}

@test "create-client does not create a second client with the same name" {
  configured
  printf '[{"name": "Nextcloud MCP Server", "client_id": "abc"}]\n' >"$FAKE_STATE/clients"
  run bash "$SCRIPT" create-client --occ "$NC_OCC"
  [ "$status" -eq 0 ]
  [[ "$output" == "A client named 'Nextcloud MCP Server' already exists; nothing created."* ]]
  no_match -q '^oidc:create' "$FAKE_STATE/calls"
}

@test "create-client needs the oidc app enabled" {
  run bash "$SCRIPT" create-client --occ "$NC_OCC"
  [ "$status" -eq 1 ]
  [[ "$output" == "nextcloud-setup.sh: error: the oidc app is not enabled; run: $SCRIPT apply first" ]]
}

@test "usage errors exit 2 with a message" {
  run bash "$SCRIPT" apply --bogus
  [ "$status" -eq 2 ]
  [ "$output" = "nextcloud-setup.sh: error: unknown option '--bogus' (see --help)" ]
  run bash "$SCRIPT" apply --client-expire-time soon
  [ "$status" -eq 2 ]
  [ "$output" = "nextcloud-setup.sh: error: --client-expire-time needs a whole number of seconds, got 'soon'" ]
  run bash "$SCRIPT" apply --client-expire-time 60
  [ "$status" -eq 2 ]
  run bash "$SCRIPT" verify --kubectl a --kubectl-selector b=c
  [ "$status" -eq 2 ]
  run bash "$SCRIPT" apply --docker x -n ns
  [ "$status" -eq 2 ]
  [ "$output" = "nextcloud-setup.sh: error: -n/--namespace and -c/--container only apply with --kubectl or --kubectl-selector" ]
  run bash "$SCRIPT"
  [ "$status" -eq 2 ]
  run bash "$SCRIPT" frobnicate
  [ "$status" -eq 2 ]
}

@test "--help prints usage and exits 0" {
  run bash "$SCRIPT" --help
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "Usage: nextcloud-setup.sh COMMAND [OPTIONS]" ]]
}
