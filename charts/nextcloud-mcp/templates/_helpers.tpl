{{/* Names ---------------------------------------------------------------------------- */}}

{{- define "nextcloud-mcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nextcloud-mcp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "nextcloud-mcp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nextcloud-mcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nextcloud-mcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "nextcloud-mcp.labels" -}}
helm.sh/chart: {{ include "nextcloud-mcp.chart" . }}
{{ include "nextcloud-mcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "nextcloud-mcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nextcloud-mcp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "nextcloud-mcp.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Where the config file lives inside the container. */}}
{{- define "nextcloud-mcp.configDir" -}}/etc/nextcloud-mcp{{- end -}}
{{- define "nextcloud-mcp.configFile" -}}nextcloud-mcp.yaml{{- end -}}

{{/* Auth facts ------------------------------------------------------------------------- */}}

{{- define "nextcloud-mcp.authMode" -}}
{{- (.Values.config.auth | default dict).mode | default "oauth" -}}
{{- end -}}

{{/* "true" when auth.oauth.client.id is set (a preconfigured client). */}}
{{- define "nextcloud-mcp.preconfiguredClient" -}}
{{- $oauth := (.Values.config.auth | default dict).oauth | default dict -}}
{{- $client := $oauth.client | default dict -}}
{{- if $client.id -}}true{{- end -}}
{{- end -}}

{{/* "true" when the server registers its own client (oauth mode without client.id). */}}
{{- define "nextcloud-mcp.autoRegistration" -}}
{{- if and (eq (include "nextcloud-mcp.authMode" .) "oauth") (not (include "nextcloud-mcp.preconfiguredClient" .)) -}}true{{- end -}}
{{- end -}}

{{- define "nextcloud-mcp.storagePath" -}}
{{- $oauth := (.Values.config.auth | default dict).oauth | default dict -}}
{{- $client := $oauth.client | default dict -}}
{{- $reg := $client.registration | default dict -}}
{{- $reg.storage_path | default "/var/lib/nextcloud-mcp/oauth-client.json" -}}
{{- end -}}

{{- define "nextcloud-mcp.stateDir" -}}
{{- dir (include "nextcloud-mcp.storagePath" .) -}}
{{- end -}}

{{/* Secrets ---------------------------------------------------------------------------- */}}

{{/* JSON list of {key, configKey} the pod needs from the Secret. */}}
{{- define "nextcloud-mcp.secretItems" -}}
{{- $items := list -}}
{{- $mode := include "nextcloud-mcp.authMode" . -}}
{{- $auth := .Values.config.auth | default dict -}}
{{- if and (eq $mode "oauth") (include "nextcloud-mcp.preconfiguredClient" .) -}}
{{- $client := ($auth.oauth | default dict).client | default dict -}}
{{- if not (or $client.secret $client.secret_file) -}}
{{- $items = append $items (dict "key" .Values.secrets.oauthClientSecret.key "value" .Values.secrets.oauthClientSecret.value "configKey" "secret_file" "what" "secrets.oauthClientSecret.value") -}}
{{- end -}}
{{- end -}}
{{- if eq $mode "basic" -}}
{{- $basic := $auth.basic | default dict -}}
{{- if not (or $basic.password $basic.password_file) -}}
{{- $items = append $items (dict "key" .Values.secrets.basicPassword.key "value" .Values.secrets.basicPassword.value "configKey" "password_file" "what" "secrets.basicPassword.value") -}}
{{- end -}}
{{- if and .Values.secrets.basicBearerToken.enabled (not (or $basic.bearer_token $basic.bearer_token_file)) -}}
{{- $items = append $items (dict "key" .Values.secrets.basicBearerToken.key "value" .Values.secrets.basicBearerToken.value "configKey" "bearer_token_file" "what" "secrets.basicBearerToken.value") -}}
{{- end -}}
{{- end -}}
{{- toJson $items -}}
{{- end -}}

{{- define "nextcloud-mcp.secretName" -}}
{{- default (include "nextcloud-mcp.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Public URL, allowed hosts ------------------------------------------------------------ */}}

{{- define "nextcloud-mcp.defaultPublicUrl" -}}http://localhost:8000{{- end -}}

{{- define "nextcloud-mcp.publicUrl" -}}
{{- $server := .Values.config.server | default dict -}}
{{- $url := $server.public_url | default "" -}}
{{- if and .Values.ingress.enabled (or (eq $url "") (eq $url (include "nextcloud-mcp.defaultPublicUrl" .))) -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- else -}}
{{- default (include "nextcloud-mcp.defaultPublicUrl" .) $url | trimSuffix "/" -}}
{{- end -}}
{{- end -}}

{{/* JSON list of accepted Host headers. */}}
{{- define "nextcloud-mcp.allowedHosts" -}}
{{- $server := .Values.config.server | default dict -}}
{{- $hosts := list -}}
{{- if $server.allowed_hosts -}}
{{- $hosts = $server.allowed_hosts -}}
{{- if .Values.ingress.enabled -}}
{{- $hosts = append $hosts .Values.ingress.host -}}
{{- end -}}
{{- else -}}
{{- /* Both modes: the Deployment's Service, or the sidecar's (sidecar-service.yaml). */ -}}
{{- $pub := urlParse (include "nextcloud-mcp.publicUrl" .) -}}
{{- /* The server compares hosts without their port. */ -}}
{{- $hosts = list "localhost" "127.0.0.1" (regexReplaceAll ":[0-9]+$" $pub.host "") -}}
{{- if .Values.ingress.enabled -}}
{{- $hosts = append $hosts .Values.ingress.host -}}
{{- end -}}
{{- $svc := include "nextcloud-mcp.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- range $name := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) -}}
{{- $hosts = append $hosts $name -}}
{{- end -}}
{{- end -}}
{{- toJson ($hosts | uniq) -}}
{{- end -}}

{{/* The server configuration as the pod reads it -------------------------------------------- */}}

{{- define "nextcloud-mcp.config" -}}
{{- $c := deepCopy .Values.config -}}
{{- $server := $c.server | default dict -}}
{{- $pub := include "nextcloud-mcp.publicUrl" . -}}
{{- $_ := set $server "public_url" $pub -}}
{{- $hosts := include "nextcloud-mcp.allowedHosts" . | fromJsonArray -}}
{{- if $hosts -}}
{{- $_ := set $server "allowed_hosts" $hosts -}}
{{- end -}}
{{- $_ := set $c "server" $server -}}
{{- $auth := $c.auth | default dict -}}
{{- $mode := include "nextcloud-mcp.authMode" . -}}
{{- $mount := .Values.secrets.mountPath -}}
{{- if eq $mode "oauth" -}}
{{- $oauth := $auth.oauth | default dict -}}
{{- $client := $oauth.client | default dict -}}
{{- if $client.id -}}
{{- $_ := unset $client "registration" -}}
{{- else -}}
{{- $reg := $client.registration | default dict -}}
{{- $default := list (printf "%s/oauth/callback" (include "nextcloud-mcp.defaultPublicUrl" .)) -}}
{{- if or (not $reg.redirect_uris) (eq (toJson $reg.redirect_uris) (toJson $default)) -}}
{{- $_ := set $reg "redirect_uris" (list (printf "%s/oauth/callback" $pub)) -}}
{{- end -}}
{{- $_ := set $client "registration" $reg -}}
{{- end -}}
{{- $_ := set $oauth "client" $client -}}
{{- $_ := set $auth "oauth" $oauth -}}
{{- end -}}
{{- if eq $mode "basic" -}}
{{- $basic := $auth.basic | default dict -}}
{{- $_ := set $auth "basic" $basic -}}
{{- end -}}
{{- range $item := include "nextcloud-mcp.secretItems" . | fromJsonArray -}}
{{- $path := printf "%s/%s" $mount $item.key -}}
{{- if eq $item.configKey "secret_file" -}}
{{- $_ := set $auth.oauth.client "secret_file" $path -}}
{{- else -}}
{{- $_ := set $auth.basic $item.configKey $path -}}
{{- end -}}
{{- end -}}
{{- $_ := set $c "auth" $auth -}}
{{- toYaml $c -}}
{{- end -}}

{{/* Refusals ----------------------------------------------------------------------------- */}}

{{- define "nextcloud-mcp.validate" -}}
{{- $server := .Values.config.server | default dict -}}
{{- $stateful := true -}}
{{- if hasKey $server "stateful" -}}{{- $stateful = $server.stateful -}}{{- end -}}
{{- $mode := include "nextcloud-mcp.authMode" . -}}
{{- $many := or .Values.autoscaling.enabled (gt (int .Values.deployment.replicas) 1) -}}
{{- if and .Values.deployment.enabled $many -}}
{{- if $stateful -}}
{{- fail "nextcloud-mcp: autoscaling.enabled or deployment.replicas > 1 needs config.server.stateful: false (MCP sessions are kept in one pod's memory when stateful)" -}}
{{- end -}}
{{- if and (eq $mode "oauth") (not (include "nextcloud-mcp.preconfiguredClient" .)) -}}
{{- fail "nextcloud-mcp: autoscaling.enabled or deployment.replicas > 1 needs a preconfigured OIDC client (config.auth.oauth.client.id and its secret) or auth.mode basic; replicas cannot share one auto-registered client file" -}}
{{- end -}}
{{- end -}}
{{- if not .Values.secrets.existingSecret -}}
{{- range $item := include "nextcloud-mcp.secretItems" . | fromJsonArray -}}
{{- if not $item.value -}}
{{- fail (printf "nextcloud-mcp: set %s or secrets.existingSecret (a Secret with key %q)" $item.what $item.key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (eq $mode "basic") .Values.occSetup.enabled -}}
{{- fail "nextcloud-mcp: occSetup.enabled prepares Nextcloud's oidc and user_oidc apps for auth.mode oauth; basic mode needs only an app password, so turn occSetup off" -}}
{{- end -}}
{{- if eq $mode "basic" -}}
{{- $basic := (.Values.config.auth | default dict).basic | default dict -}}
{{- if not $basic.username -}}
{{- fail "nextcloud-mcp: auth.mode basic needs config.auth.basic.username" -}}
{{- end -}}
{{- if not (or .Values.secrets.basicBearerToken.enabled $basic.bearer_token $basic.bearer_token_file $basic.allow_unauthenticated) -}}
{{- fail "nextcloud-mcp: auth.mode basic listens on all interfaces; enable secrets.basicBearerToken (a token MCP clients must send) or set config.auth.basic.allow_unauthenticated: true if something in front authenticates every request" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "nextcloud-mcp.occNamespace" -}}
{{- default .Release.Namespace .Values.occSetup.namespace -}}
{{- end -}}

{{/* The community nextcloud/helm release (values nextcloudHelm) ------------------------------ */}}

{{/* Its chart name, as its templates compute "nextcloud.name". */}}
{{- define "nextcloud-mcp.ncName" -}}
{{- default "nextcloud" .Values.nextcloudHelm.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of its Deployment, as its templates compute "nextcloud.fullname". */}}
{{- define "nextcloud-mcp.ncFullname" -}}
{{- $h := .Values.nextcloudHelm -}}
{{- if $h.fullnameOverride -}}
{{- $h.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "nextcloud-mcp.ncName" . -}}
{{- if contains $name $h.release -}}
{{- $h.release | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $h.release $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The labels of its Nextcloud app pod only (not its cron, metrics, database or other
     releases' pods), as YAML. */}}
{{- define "nextcloud-mcp.ncAppLabels" -}}
app.kubernetes.io/name: {{ include "nextcloud-mcp.ncName" . }}
app.kubernetes.io/instance: {{ .Values.nextcloudHelm.release }}
app.kubernetes.io/component: app
{{- end -}}

{{/* The same as a kubectl label selector. */}}
{{- define "nextcloud-mcp.ncAppSelector" -}}
{{- $parts := list -}}
{{- range $k, $v := include "nextcloud-mcp.ncAppLabels" . | fromYaml -}}
{{- $parts = append $parts (printf "%s=%s" $k $v) -}}
{{- end -}}
{{- join "," $parts -}}
{{- end -}}

{{- define "nextcloud-mcp.occPodSelector" -}}
{{- default (include "nextcloud-mcp.ncAppSelector" .) .Values.occSetup.podSelector -}}
{{- end -}}

{{/* The host of config.nextcloud.url when Nextcloud's trusted_domains must list it: an
     in-cluster Service name (Nextcloud always trusts localhost and 127.0.0.1). */}}
{{- define "nextcloud-mcp.untrustedNextcloudHost" -}}
{{- $url := ((.Values.config.nextcloud | default dict).url | default "") | toString -}}
{{- if not (contains "${" $url) -}}
{{- $host := (urlParse $url).hostname | default "" -}}
{{- if and $host (not (has $host (list "localhost" "127.0.0.1" "::1"))) (or (hasSuffix ".svc" $host) (hasSuffix ".svc.cluster.local" $host) (not (contains "." $host))) -}}
{{- $host -}}
{{- end -}}
{{- end -}}
{{- end -}}
