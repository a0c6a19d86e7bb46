#!/usr/bin/env bash
# Prepares a Nextcloud for nextcloud-mcp with occ, and checks that it is prepared.
#
#   nextcloud-setup.sh apply          [runner] [settings] [--dry-run]
#   nextcloud-setup.sh verify         [runner] [settings]
#   nextcloud-setup.sh create-client  [runner] [--name N] [--redirect-uri URI]... [--dry-run]
#
# Run with --help for every option. docs/nextcloud-setup.md explains each setting.
set -euo pipefail

PROG=nextcloud-setup.sh
PHP_BIN=${NEXTCLOUD_SETUP_PHP:-php}

usage() {
  cat <<'EOF'
Usage: nextcloud-setup.sh COMMAND [OPTIONS]

Commands:
  apply          Enable the oidc and user_oidc apps and set what nextcloud-mcp needs.
                 Settings already in place are left alone.
  verify         Check every setting; print what is wrong and the command that fixes it.
                 Exit status 1 when anything is wrong.
  create-client  Create a confidential OIDC client for the server (occ oidc:create) and
                 print its id and secret as Helm values and as config keys.

Where occ runs (default: a local occ, found in the current directory, /var/www/html or
/var/www/nextcloud; else the one running Docker container whose image is nextcloud):
  --occ PATH                 Path of occ (local), or inside the container (default /var/www/html/occ).
  --docker CONTAINER         Run occ with `docker exec` in CONTAINER.
  --kubectl POD              Run occ with `kubectl exec` in POD.
  --kubectl-selector LABELS  Like --kubectl, in the first running pod matching LABELS.
  -n, --namespace NS         Namespace of the pod (kubectl).
  -c, --container NAME       Container in the pod (kubectl).
  --occ-user USER            User occ runs as. Local default: the owner of config/config.php;
                             containers: www-data.

Settings (apply and verify):
  --dynamic-registration     Also allow dynamic client registration in the oidc app
                             (needed when nextcloud-mcp registers its own client).
  --client-expire-time SECS  Lifetime of dynamically registered clients (oidc app's
                             client_expire_time; the app's default is 3600).
  --install-apps             Install oidc / user_oidc from the app store when missing
                             (default: stop and say so).

create-client:
  --name NAME                Client name (default "Nextcloud MCP Server").
  --redirect-uri URI         Redirect URI; repeat for several
                             (default http://localhost:8000/oauth/callback).
  --force                    Create a new client even when one with NAME exists.

  --dry-run                  Print the occ commands instead of running them.
  -h, --help                 This text.
EOF
}

die() { # die EXIT_CODE MESSAGE...
  local code=$1
  shift
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit "$code"
}
say() { printf '%s\n' "$*"; }

# ---- arguments ----------------------------------------------------------------------------

COMMAND=""
RUNNER=""          # local | docker | kubectl
OCC_PATH=""
DOCKER_CONTAINER=""
KUBE_POD=""
KUBE_SELECTOR=""
KUBE_NS=""
KUBE_CONTAINER=""
OCC_USER=""
DYNAMIC_REGISTRATION=0
CLIENT_EXPIRE_TIME=""
INSTALL_APPS=0
CLIENT_NAME="Nextcloud MCP Server"
REDIRECT_URIS=()
FORCE=0
DRY_RUN=0

need_value() { # need_value OPTION REMAINING_ARG_COUNT
  [[ $2 -ge 2 ]] || die 2 "$1 needs a value (see --help)"
}

parse_args() {
  if [[ $# -eq 0 ]]; then
    usage >&2
    exit 2
  fi
  case $1 in
    apply | verify | create-client) COMMAND=$1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die 2 "unknown command '$1'; expected apply, verify or create-client (see --help)" ;;
  esac
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --occ) need_value "$1" $#; OCC_PATH=$2; shift ;;
      --docker) need_value "$1" $#; RUNNER=docker; DOCKER_CONTAINER=$2; shift ;;
      --kubectl) need_value "$1" $#; RUNNER=kubectl; KUBE_POD=$2; shift ;;
      --kubectl-selector) need_value "$1" $#; RUNNER=kubectl; KUBE_SELECTOR=$2; shift ;;
      -n | --namespace) need_value "$1" $#; KUBE_NS=$2; shift ;;
      -c | --container) need_value "$1" $#; KUBE_CONTAINER=$2; shift ;;
      --occ-user) need_value "$1" $#; OCC_USER=$2; shift ;;
      --dynamic-registration) DYNAMIC_REGISTRATION=1 ;;
      --client-expire-time) need_value "$1" $#; CLIENT_EXPIRE_TIME=$2; shift ;;
      --install-apps) INSTALL_APPS=1 ;;
      --name) need_value "$1" $#; CLIENT_NAME=$2; shift ;;
      --redirect-uri) need_value "$1" $#; REDIRECT_URIS+=("$2"); shift ;;
      --force) FORCE=1 ;;
      --dry-run) DRY_RUN=1 ;;
      -h | --help)
        usage
        exit 0
        ;;
      *) die 2 "unknown option '$1' (see --help)" ;;
    esac
    shift
  done
  if [[ -n $CLIENT_EXPIRE_TIME && ! $CLIENT_EXPIRE_TIME =~ ^[0-9]+$ ]]; then
    die 2 "--client-expire-time needs a whole number of seconds, got '$CLIENT_EXPIRE_TIME'"
  fi
  if [[ -n $CLIENT_EXPIRE_TIME && $CLIENT_EXPIRE_TIME -lt 600 ]]; then
    die 2 "--client-expire-time $CLIENT_EXPIRE_TIME is shorter than 600 s; nextcloud-mcp renews 300 s before expiry"
  fi
  if [[ -n $KUBE_POD && -n $KUBE_SELECTOR ]]; then
    die 2 "give either --kubectl POD or --kubectl-selector LABELS, not both"
  fi
  if [[ $RUNNER != kubectl && ( -n $KUBE_NS || -n $KUBE_CONTAINER ) ]]; then
    die 2 "-n/--namespace and -c/--container only apply with --kubectl or --kubectl-selector"
  fi
  if [[ $COMMAND != create-client && ( ${#REDIRECT_URIS[@]} -gt 0 || $FORCE -eq 1 ) ]]; then
    die 2 "--redirect-uri and --force only apply to create-client"
  fi
  if [[ ${#REDIRECT_URIS[@]} -eq 0 ]]; then
    REDIRECT_URIS=("http://localhost:8000/oauth/callback")
  fi
  for uri in "${REDIRECT_URIS[@]}"; do
    [[ $uri =~ ^https?://[^[:space:]]+$ ]] || die 2 "--redirect-uri '$uri' is not an http(s) URL"
  done
}

# ---- the runner: how one occ command is executed --------------------------------------------

OCC_CMD=()      # the prefix every occ invocation starts with
KUBE_ARGS=()

detect_local_occ() {
  local candidate
  for candidate in ./occ /var/www/html/occ /var/www/nextcloud/occ /usr/share/webapps/nextcloud/occ; do
    if [[ -f $candidate ]]; then
      OCC_PATH=$candidate
      return 0
    fi
  done
  return 1
}

detect_runner() {
  [[ -n $RUNNER ]] && return 0
  if [[ -n $OCC_PATH ]] || detect_local_occ; then
    RUNNER=local
    return 0
  fi
  if [[ $DRY_RUN -eq 1 ]]; then
    RUNNER=local
    OCC_PATH=/var/www/html/occ
    return 0
  fi
  local where="no occ in ., /var/www/html or /var/www/nextcloud"
  local options="Pass --occ /path/to/nextcloud/occ, --docker CONTAINER or --kubectl POD."
  if command -v docker >/dev/null 2>&1; then
    # Checked on its own: under `set -e -o pipefail` a failing `docker ps` inside a pipeline
    # would end the script before any message.
    local listing status=0 found
    listing=$(docker ps --format '{{.Names}} {{.Image}}' 2>&1) || status=$?
    if [[ $status -ne 0 ]]; then
      die 1 "cannot look for a Nextcloud container: docker is installed but \`docker ps\` failed: $(head -n 1 <<<"$listing") Check that the Docker daemon runs and that $(id -un) may use it, or say where occ is: $options (There is $where either.)"
    fi
    found=$(awk '$2 ~ /(^|\/)nextcloud(:|$)/ {print $1}' <<<"$listing")
    if [[ -n $found && $(wc -l <<<"$found") -eq 1 ]]; then
      DOCKER_CONTAINER=$found
      RUNNER=docker
      say "Using the Docker container '$DOCKER_CONTAINER' (the one running a nextcloud image)."
      return 0
    fi
    if [[ -n $found ]]; then
      die 1 "several running Docker containers use a nextcloud image ($(paste -sd, - <<<"$found")); choose one with --docker CONTAINER."
    fi
    die 1 "occ not found: $where, and no running Docker container uses a nextcloud image. $options"
  fi
  die 1 "occ not found: $where, and docker is not installed. $options"
}

setup_local() {
  if [[ $DRY_RUN -eq 1 ]]; then
    # Nothing is run: show the command as it would run for the web server user.
    local user=${OCC_USER:-www-data} config_php
    config_php="$(dirname "$OCC_PATH")/config/config.php"
    [[ -z $OCC_USER && -f $config_php ]] && user=$(stat -c %U "$config_php")
    OCC_CMD=()
    [[ $user != "$(id -un)" ]] && OCC_CMD=(sudo -u "$user")
    OCC_CMD+=("$PHP_BIN" "$OCC_PATH")
    return 0
  fi
  [[ -f $OCC_PATH ]] || die 1 "occ not found at $OCC_PATH; pass --occ /path/to/nextcloud/occ"
  local config_php owner me
  config_php="$(dirname "$OCC_PATH")/config/config.php"
  [[ -f $config_php ]] || die 1 "$config_php not found: $OCC_PATH does not look like a Nextcloud installation"
  owner=$(stat -c %U "$config_php")
  me=$(id -un)
  if [[ -n $OCC_USER && $OCC_USER != "$owner" ]]; then
    die 1 "--occ-user $OCC_USER is not the owner of $config_php ($owner); occ must run as $owner"
  fi
  OCC_USER=$owner
  if [[ $me == "$owner" ]]; then
    OCC_CMD=("$PHP_BIN" "$OCC_PATH")
  elif [[ $(id -u) -eq 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      OCC_CMD=(sudo -u "$owner" "$PHP_BIN" "$OCC_PATH")
    else
      OCC_CMD=(runuser -u "$owner" -- "$PHP_BIN" "$OCC_PATH")
    fi
  else
    die 1 "occ must run as the web server user '$owner' (owner of $config_php), not '$me'. Run: sudo -u $owner $0 $COMMAND ... (or run this script as root)"
  fi
  command -v "$PHP_BIN" >/dev/null 2>&1 || die 1 "'$PHP_BIN' not found on PATH; occ needs the PHP command line interpreter"
}

setup_docker() {
  local user=${OCC_USER:-www-data} path=${OCC_PATH:-/var/www/html/occ}
  OCC_USER=$user
  OCC_CMD=(docker exec -u "$user" "$DOCKER_CONTAINER" php "$path")
  [[ $DRY_RUN -eq 1 ]] && return 0
  command -v docker >/dev/null 2>&1 || die 1 "docker not found on PATH"
  # The container first: a stopped daemon or a wrong name is not a missing occ.
  local state status=0
  state=$(docker inspect --format '{{.State.Running}}' "$DOCKER_CONTAINER" 2>&1) || status=$?
  if [[ $status -ne 0 ]]; then
    die 1 "docker cannot inspect the container '$DOCKER_CONTAINER': $(head -n 1 <<<"$state") Check that the Docker daemon runs and that '$DOCKER_CONTAINER' is a name \`docker ps\` shows."
  fi
  [[ $state == true ]] || die 1 "the container '$DOCKER_CONTAINER' is not running; start it, then run this again"
  docker exec "$DOCKER_CONTAINER" test -f "$path" ||
    die 1 "occ not found at $path in container '$DOCKER_CONTAINER'; pass --occ /path/inside/the/container/occ"
}

setup_kubectl() {
  local user=${OCC_USER:-www-data} path=${OCC_PATH:-/var/www/html/occ}
  OCC_USER=$user
  KUBE_ARGS=()
  [[ -n $KUBE_NS ]] && KUBE_ARGS+=(-n "$KUBE_NS")
  if [[ -n $KUBE_SELECTOR ]]; then
    if [[ $DRY_RUN -eq 1 ]]; then
      KUBE_POD="<pod matching $KUBE_SELECTOR>"
    else
      command -v kubectl >/dev/null 2>&1 || die 1 "kubectl not found on PATH"
      KUBE_POD=$(kubectl get pods "${KUBE_ARGS[@]}" -l "$KUBE_SELECTOR" \
        --field-selector=status.phase=Running -o 'jsonpath={.items[0].metadata.name}') ||
        die 1 "kubectl could not list pods with labels '$KUBE_SELECTOR'"
      [[ -n $KUBE_POD ]] || die 1 "no running pod matches labels '$KUBE_SELECTOR'${KUBE_NS:+ in namespace $KUBE_NS}"
      say "Using pod $KUBE_POD."
    fi
  fi
  local exec_args=("${KUBE_ARGS[@]}")
  [[ -n $KUBE_CONTAINER ]] && exec_args+=(-c "$KUBE_CONTAINER")
  if [[ $DRY_RUN -eq 1 ]]; then
    OCC_CMD=(kubectl exec "${exec_args[@]}" "$KUBE_POD" -- su -s /bin/sh "$user" -c "php $path \"\$@\"" occ)
    return 0
  fi
  command -v kubectl >/dev/null 2>&1 || die 1 "kubectl not found on PATH"
  local in_pod_user
  in_pod_user=$(kubectl exec "${exec_args[@]}" "$KUBE_POD" -- id -un) ||
    die 1 "kubectl exec into pod '$KUBE_POD' failed"
  kubectl exec "${exec_args[@]}" "$KUBE_POD" -- test -f "$path" ||
    die 1 "occ not found at $path in pod '$KUBE_POD'; pass --occ /path/inside/the/pod/occ"
  if [[ $in_pod_user == "$user" ]]; then
    OCC_CMD=(kubectl exec "${exec_args[@]}" "$KUBE_POD" -- php "$path")
  elif [[ $in_pod_user == root ]]; then
    OCC_CMD=(kubectl exec "${exec_args[@]}" "$KUBE_POD" -- su -s /bin/sh "$user" -c "php $path \"\$@\"" occ)
  else
    die 1 "the pod runs commands as '$in_pod_user', not as the web server user '$user' nor root; pass --occ-user $in_pod_user if that user owns config/config.php"
  fi
}

setup_runner() {
  detect_runner
  case $RUNNER in
    local) setup_local ;;
    docker) setup_docker ;;
    kubectl) setup_kubectl ;;
  esac
}

# How a command is shown to the admin (shell-quoted).
show_cmd() {
  local out="" word
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
      out+="$word "
    else
      out+="'${word//\'/\'\\\'\'}' "
    fi
  done
  printf '%s' "${out% }"
}

OCC_OUT=""
# occ ARGS... : runs occ, output in OCC_OUT, returns occ's exit status.
occ() {
  local status=0
  OCC_OUT=$("${OCC_CMD[@]}" "$@" 2>&1) || status=$?
  if [[ $OCC_OUT == *"has to be executed with the user that owns the file config/config.php"* ]]; then
    die 1 "occ refused to run as user '$OCC_USER': it must run as the owner of config/config.php. Pass --occ-user OWNER. occ said: $(head -n 3 <<<"$OCC_OUT" | tr '\n' ' ')"
  fi
  if [[ $OCC_OUT == *"Could not open input file"* ]]; then
    die 1 "occ not found: $(head -n 1 <<<"$OCC_OUT")"
  fi
  return "$status"
}

# change ARGS... : a command that changes Nextcloud; printed, and run unless --dry-run.
change() {
  if [[ $DRY_RUN -eq 1 ]]; then
    say "$(show_cmd "${OCC_CMD[@]}" "$@")"
    return 0
  fi
  say "running: occ $(show_cmd "$@")"
  if ! occ "$@"; then
    die 1 "occ $(show_cmd "$@") failed: $OCC_OUT"
  fi
}

# ---- reading the current state --------------------------------------------------------------

APPS_ENABLED=" "
APPS_DISABLED=" "
read_apps() {
  occ app:list || die 1 "occ app:list failed: $OCC_OUT"
  local section="" line name
  while IFS= read -r line; do
    case $line in
      Enabled:*) section=enabled ;;
      Disabled:*) section=disabled ;;
      *" - "*)
        name=${line#*- }
        name=${name%%:*}
        if [[ $section == enabled ]]; then
          APPS_ENABLED+="$name "
        elif [[ $section == disabled ]]; then
          APPS_DISABLED+="$name "
        fi
        ;;
    esac
  done <<<"$OCC_OUT"
}
app_enabled() { [[ $APPS_ENABLED == *" $1 "* ]]; }
app_installed() { [[ $APPS_ENABLED == *" $1 "* || $APPS_DISABLED == *" $1 "* ]]; }

# Prints the value, or nothing when unset.
app_value() { if occ config:app:get "$1" "$2"; then printf '%s' "$OCC_OUT"; fi; }
system_value() { if occ config:system:get "$@"; then printf '%s' "$OCC_OUT"; fi; }
is_true() { [[ $1 == true || $1 == 1 || $1 == yes ]]; }

# ---- the settings ---------------------------------------------------------------------------

# The settings, as the occ arguments that set them.
FIX_SET_BEARER=(config:system:set user_oidc oidc_provider_bearer_validation --value=true --type=boolean)
FIX_SET_PKCE=(config:app:set oidc proof_key_for_code_exchange --value=true --type=boolean)
FIX_SET_DCR=(config:app:set oidc dynamic_client_registration --value=true)

want_apps() { printf '%s\n' oidc user_oidc; }

apply_settings() {
  local app value
  if [[ $DRY_RUN -eq 1 ]]; then
    for app in $(want_apps); do
      [[ $INSTALL_APPS -eq 1 ]] && change app:install "$app"
      change app:enable "$app"
    done
    change "${FIX_SET_BEARER[@]}"
    change "${FIX_SET_PKCE[@]}"
    [[ $DYNAMIC_REGISTRATION -eq 1 ]] && change "${FIX_SET_DCR[@]}"
    [[ -n $CLIENT_EXPIRE_TIME ]] && change config:app:set oidc client_expire_time --value="$CLIENT_EXPIRE_TIME"
    return 0
  fi
  read_apps
  # Nothing is changed unless both apps can be had.
  for app in $(want_apps); do
    if ! app_installed "$app" && [[ $INSTALL_APPS -eq 0 ]]; then
      die 1 "the app '$app' is not installed. Install it from the app store: occ app:install $app (or rerun with --install-apps)"
    fi
  done
  for app in $(want_apps); do
    if ! app_installed "$app"; then
      change app:install "$app" # installing also enables it
    elif app_enabled "$app"; then
      say "ok: app $app is enabled"
    else
      change app:enable "$app"
    fi
  done
  value=$(system_value user_oidc oidc_provider_bearer_validation)
  if is_true "$value"; then say "ok: user_oidc bearer validation is on"; else change "${FIX_SET_BEARER[@]}"; fi
  value=$(app_value oidc proof_key_for_code_exchange)
  if is_true "$value"; then say "ok: oidc PKCE is on"; else change "${FIX_SET_PKCE[@]}"; fi
  if [[ $DYNAMIC_REGISTRATION -eq 1 ]]; then
    value=$(app_value oidc dynamic_client_registration)
    if is_true "$value"; then say "ok: oidc dynamic client registration is on"; else change "${FIX_SET_DCR[@]}"; fi
  fi
  if [[ -n $CLIENT_EXPIRE_TIME ]]; then
    value=$(app_value oidc client_expire_time)
    if [[ $value == "$CLIENT_EXPIRE_TIME" ]]; then
      say "ok: oidc client_expire_time is $value"
    else
      change config:app:set oidc client_expire_time --value="$CLIENT_EXPIRE_TIME"
    fi
  fi
  say "Nextcloud is set up for nextcloud-mcp."
}

PROBLEMS=0
problem() { # problem WHAT FIX_ARGS...
  local what=$1
  shift
  PROBLEMS=$((PROBLEMS + 1))
  say "FAIL: $what"
  say "      fix: $(show_cmd "${OCC_CMD[@]}" "$@")"
}

verify_settings() {
  local app value
  if [[ $DRY_RUN -eq 1 ]]; then
    # verify changes nothing; show what it reads.
    say "$(show_cmd "${OCC_CMD[@]}" app:list)"
    say "$(show_cmd "${OCC_CMD[@]}" config:system:get user_oidc oidc_provider_bearer_validation)"
    say "$(show_cmd "${OCC_CMD[@]}" config:app:get oidc proof_key_for_code_exchange)"
    [[ $DYNAMIC_REGISTRATION -eq 1 ]] && say "$(show_cmd "${OCC_CMD[@]}" config:app:get oidc dynamic_client_registration)"
    [[ -n $CLIENT_EXPIRE_TIME ]] && say "$(show_cmd "${OCC_CMD[@]}" config:app:get oidc client_expire_time)"
    return 0
  fi
  read_apps
  for app in $(want_apps); do
    if ! app_installed "$app"; then
      problem "the app $app is not installed" app:install "$app"
    elif ! app_enabled "$app"; then
      problem "the app $app is installed but disabled" app:enable "$app"
    else
      say "ok: app $app is enabled"
    fi
  done
  value=$(system_value user_oidc oidc_provider_bearer_validation)
  if is_true "$value"; then
    say "ok: user_oidc bearer validation is on"
  else
    problem "user_oidc does not accept bearer tokens (oidc_provider_bearer_validation is '${value:-unset}')" "${FIX_SET_BEARER[@]}"
  fi
  value=$(app_value oidc proof_key_for_code_exchange)
  if is_true "$value"; then
    say "ok: oidc PKCE is on"
  else
    problem "the oidc app does not advertise PKCE (proof_key_for_code_exchange is '${value:-unset}')" "${FIX_SET_PKCE[@]}"
  fi
  if [[ $DYNAMIC_REGISTRATION -eq 1 ]]; then
    value=$(app_value oidc dynamic_client_registration)
    if is_true "$value"; then
      say "ok: oidc dynamic client registration is on"
    else
      problem "the oidc app refuses dynamic client registration (dynamic_client_registration is '${value:-unset}')" "${FIX_SET_DCR[@]}"
    fi
  fi
  if [[ -n $CLIENT_EXPIRE_TIME ]]; then
    value=$(app_value oidc client_expire_time)
    if [[ -n $value && $value =~ ^[0-9]+$ && $value -ge $CLIENT_EXPIRE_TIME ]]; then
      say "ok: oidc client_expire_time is $value"
    else
      problem "oidc client_expire_time is '${value:-unset (3600)}', wanted at least $CLIENT_EXPIRE_TIME" config:app:set oidc client_expire_time --value="$CLIENT_EXPIRE_TIME"
    fi
  fi
  if [[ $PROBLEMS -gt 0 ]]; then
    say "$PROBLEMS setting(s) wrong. Fix them one by one as shown, or run: $0 apply with the same options."
    exit 1
  fi
  say "All settings are in place."
}

json_field() { # json_field NAME: first "NAME": "value" in OCC_OUT
  sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" <<<"$OCC_OUT" | head -n 1
}

print_client() { # print_client ID SECRET
  cat <<EOF

# Helm values for charts/nextcloud-mcp (keep the secret out of version control,
# or put it in a Secret of your own and set secrets.existingSecret):
config:
  auth:
    oauth:
      client:
        id: "$1"
secrets:
  oauthClientSecret:
    value: "$2"

# Or, in a nextcloud-mcp config file (write the secret to the file named by secret_file):
auth:
  mode: oauth
  oauth:
    client:
      id: "$1"
      secret_file: /run/secrets/nextcloud-mcp/client-secret
EOF
}

create_client() {
  local args=(oidc:create "$CLIENT_NAME" "${REDIRECT_URIS[@]}" --type=confidential)
  if [[ $DRY_RUN -eq 1 ]]; then
    change "${args[@]}"
    print_client "<client_id printed by oidc:create>" "<client_secret printed by oidc:create>"
    return 0
  fi
  read_apps
  app_enabled oidc || die 1 "the oidc app is not enabled; run: $0 apply first"
  if [[ $FORCE -eq 0 ]] && occ oidc:list && grep -q "\"name\": *\"$CLIENT_NAME\"" <<<"$OCC_OUT"; then
    say "A client named '$CLIENT_NAME' already exists; nothing created. Its id and secret are in: occ oidc:list"
    say "Pass --force to create another one, or --name to pick another name."
    return 0
  fi
  say "running: occ $(show_cmd "${args[@]}")"
  occ "${args[@]}" || die 1 "occ oidc:create failed: $OCC_OUT"
  local id secret
  id=$(json_field client_id)
  secret=$(json_field client_secret)
  [[ -n $id && -n $secret ]] || die 1 "could not read client_id/client_secret from oidc:create output: $OCC_OUT"
  say "Created the confidential client '$CLIENT_NAME'."
  print_client "$id" "$secret"
}

main() {
  parse_args "$@"
  setup_runner
  case $COMMAND in
    apply) apply_settings ;;
    verify) verify_settings ;;
    create-client) create_client ;;
  esac
}

main "$@"
