//! The YAML configuration schema: one struct per section, every field defaulted
//! where a safe default exists. Unknown keys are rejected so a typo never passes silently.

use serde::{Deserialize, Serialize};
use url::Url;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// HTTP server settings.
    #[serde(default)]
    pub server: ServerConfig,
    /// How to reach Nextcloud.
    pub nextcloud: NextcloudConfig,
    /// How MCP clients authenticate and how Nextcloud is called (default: OAuth with an
    /// auto-registered client).
    #[serde(default)]
    pub auth: AuthConfig,
    /// Which tools are served.
    #[serde(default)]
    pub toolsets: ToolsetsConfig,
    /// Log level and format.
    #[serde(default)]
    pub logging: LoggingConfig,
    /// Prometheus metrics endpoint.
    #[serde(default)]
    pub metrics: MetricsConfig,
}

/// `metrics:` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Serve Prometheus metrics.
    pub enabled: bool,
    /// URL path of the metrics.
    pub path: String,
    /// Own address for the metrics (e.g. `0.0.0.0:9464`); unset: served on `server.listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            path: "/metrics".into(),
            listen: None,
        }
    }
}

/// `server:` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address the HTTP server binds to.
    pub listen: String,
    /// URL MCP clients use to reach this server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<Url>,
    /// Accepted `Host` headers; empty means public_url's host plus loopback names.
    pub allowed_hosts: Vec<String>,
    /// Accepted browser `Origin`s; empty means no Origin check.
    pub allowed_origins: Vec<String>,
    /// Keep MCP sessions in memory (true) or serve statelessly (false).
    pub stateful: bool,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Seconds between SSE keep-alive comments.
    pub sse_keep_alive: u64,
    /// Seconds given to in-flight requests on shutdown.
    pub shutdown_timeout: u64,
    /// Open stateful `/mcp` sessions allowed overall.
    pub max_sessions: usize,
    /// Open stateful `/mcp` sessions allowed per user.
    pub max_sessions_per_user: usize,
    /// Seconds without any request after which a stateful session is closed.
    pub session_idle_timeout: u64,
    /// Open legacy SSE streams (`GET /sse`) allowed overall.
    pub max_sse_streams: usize,
    /// Open legacy SSE streams allowed per user.
    pub max_sse_streams_per_user: usize,
    /// Threads serving HTTP (actix workers), each with its own connections to Nextcloud.
    pub workers: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "0.0.0.0:8000".into(),
            public_url: None,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            stateful: true,
            max_body_bytes: 4 * 1024 * 1024,
            sse_keep_alive: 15,
            shutdown_timeout: 20,
            max_sessions: 1000,
            max_sessions_per_user: 50,
            session_idle_timeout: 1800,
            max_sse_streams: 200,
            max_sse_streams_per_user: 10,
            // One thread serves thousands of calls a second, far more than a Nextcloud answers;
            // a second one on a small or shared machine costs CPU per call (decision 0010).
            workers: 1,
        }
    }
}

/// `nextcloud:` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NextcloudConfig {
    /// Nextcloud as this server reaches it.
    pub url: Url,
    /// Nextcloud as browsers reach it, when different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<Url>,
    /// Verify Nextcloud's TLS certificate.
    #[serde(default = "yes")]
    pub verify_tls: bool,
    /// Extra CA certificates (PEM) trusted for Nextcloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<String>,
    /// Whole-request timeout, seconds.
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    /// Connect timeout, seconds.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: u64,
    /// Retries of a 429 answer after its Retry-After.
    #[serde(default = "default_retries")]
    pub max_retries: u32,
}

/// `auth:` section.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// `oauth` (default) or `basic`.
    #[serde(default)]
    pub mode: AuthMode,
    /// Settings for `mode: oauth` (filled with defaults when the mode is oauth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthConfig>,
    /// Settings for `mode: basic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicConfig>,
}

/// How MCP clients authenticate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Per-user bearer tokens issued by Nextcloud's OIDC app.
    #[default]
    Oauth,
    /// One Nextcloud account with an app password.
    Basic,
}

/// `auth.oauth:` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// OpenID discovery document; default `<nextcloud.url>/.well-known/openid-configuration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_url: Option<Url>,
    /// The server's own OIDC client: preconfigured or auto-registered.
    #[serde(default)]
    pub client: ClientConfig,
    /// How bearer tokens are validated and cached.
    #[serde(default)]
    pub validation: ValidationConfig,
    /// Refuse to start unless discovery advertises PKCE S256.
    #[serde(default = "yes")]
    pub require_pkce: bool,
    /// Scopes advertised in the protected resource metadata (a list), or that list with
    /// per-toolset scope enforcement (`advertised`, `enforce`, `toolsets`).
    #[serde(default = "default_scopes_config")]
    pub scopes: ScopesConfig,
}

/// `auth.oauth.scopes:`: either a list of advertised scopes (the short form), or
/// `{advertised: [...], enforce: bool, toolsets: {notes: {read, write}}}`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ScopesConfig {
    /// Scopes advertised in the protected resource metadata (`scopes_supported`).
    pub advertised: Vec<String>,
    /// Enforce per-toolset read/write scopes of the token (off by default: Nextcloud's
    /// `oidc` app must be set up to issue them).
    pub enforce: bool,
    /// Scope names per toolset; default `<toolset>.read` / `<toolset>.write`.
    pub toolsets: std::collections::BTreeMap<String, ToolsetScopes>,
}

/// The two scopes of one toolset.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ToolsetScopes {
    /// Needed by its read-only tools.
    pub read: String,
    /// Needed by its other tools.
    pub write: String,
}

impl std::ops::Deref for ScopesConfig {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.advertised
    }
}

impl<'de> Deserialize<'de> for ScopesConfig {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Long {
            #[serde(default = "default_scopes")]
            advertised: Vec<String>,
            #[serde(default)]
            enforce: bool,
            #[serde(default)]
            toolsets: std::collections::BTreeMap<String, ToolsetScopes>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Short(Vec<String>),
            Long(Long),
        }
        Ok(match Form::deserialize(de).map_err(|_| {
            serde::de::Error::custom(
                "expected a list of scopes, or {advertised: [...], enforce: true|false, toolsets: {<toolset>: {read: ..., write: ...}}}",
            )
        })? {
            Form::Short(advertised) => ScopesConfig {
                advertised,
                ..ScopesConfig::default()
            },
            Form::Long(long) => ScopesConfig {
                advertised: long.advertised,
                enforce: long.enforce,
                toolsets: long.toolsets,
            },
        })
    }
}

impl Default for OAuthConfig {
    fn default() -> Self {
        Self {
            discovery_url: None,
            client: ClientConfig::default(),
            validation: ValidationConfig::default(),
            require_pkce: true,
            scopes: default_scopes_config(),
        }
    }
}

/// `auth.oauth.client:`: either `id` + secret, or `registration`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Preconfigured client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Preconfigured client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// File holding the preconfigured client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_file: Option<String>,
    /// Dynamic client registration settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<RegistrationConfig>,
}

/// `auth.oauth.client.registration:`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationConfig {
    /// JSON file the registered client is kept in (mode 0600).
    #[serde(default = "default_storage_path")]
    pub storage_path: String,
    /// `client_name` sent at registration.
    #[serde(default = "default_client_name")]
    pub client_name: String,
    /// Scopes requested at registration.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Redirect URIs registered.
    #[serde(default)]
    pub redirect_uris: Vec<Url>,
    /// Register anew this many seconds before the client expires.
    #[serde(default = "default_renew_before")]
    pub renew_before: u64,
    /// Seconds between checks that the registered client still exists at the provider.
    #[serde(default = "default_check_interval")]
    pub check_interval: u64,
}

impl Default for RegistrationConfig {
    fn default() -> Self {
        Self {
            storage_path: default_storage_path(),
            client_name: default_client_name(),
            scopes: default_scopes(),
            redirect_uris: Vec::new(),
            renew_before: default_renew_before(),
            check_interval: default_check_interval(),
        }
    }
}

/// A token validation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValidationMethod {
    /// Ask the OIDC userinfo endpoint (opaque and JWT tokens).
    Userinfo,
    /// Verify a JWT signature with the provider's JWKS.
    Jwt,
    /// RFC 7662 token introspection with the server's client credentials.
    Introspection,
}

/// `auth.oauth.validation:`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidationConfig {
    /// Methods tried in order.
    pub methods: Vec<ValidationMethod>,
    /// Seconds a validated token is trusted (never past its exp); 0 disables caching.
    pub cache_ttl: u64,
    /// Most tokens kept in the cache.
    pub cache_capacity: u64,
    /// Seconds a rejected token is remembered.
    pub negative_cache_ttl: u64,
    /// Further accepted audiences, besides this server's own resource (`<public_url>/mcp`,
    /// `/sse`, its origin).
    pub audiences: Vec<String>,
    /// Refuse tokens whose audience (JWT `aud`, introspection `aud`/`client_id`) does not
    /// name this server. Turn off only for a provider that cannot bind tokens to a resource.
    pub check_audience: bool,
    /// Accepted `iss` values; empty: the discovery document's issuer.
    pub issuers: Vec<String>,
}

impl Default for ValidationConfig {
    fn default() -> Self {
        Self {
            methods: vec![ValidationMethod::Userinfo],
            cache_ttl: 3600,
            cache_capacity: 10_000,
            negative_cache_ttl: 30,
            audiences: Vec::new(),
            check_audience: true,
            issuers: Vec::new(),
        }
    }
}

/// `auth.basic:`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasicConfig {
    /// Nextcloud login name.
    pub username: String,
    /// Nextcloud app password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// File holding the app password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_file: Option<String>,
    /// Static token MCP clients must send to reach /mcp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<String>,
    /// File holding the static token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token_file: Option<String>,
    /// Serve the account without any token on a non-loopback `server.listen` (otherwise
    /// the server refuses to start without `bearer_token`).
    #[serde(default)]
    pub allow_unauthenticated: bool,
}

/// `toolsets:` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ToolsetsConfig {
    /// Enabled toolsets; None means all available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Vec<String>>,
    /// Serve only read-only tools.
    pub read_only: bool,
    /// Include / exclude lists by tool name.
    pub tools: ToolFilterConfig,
    /// Files toolset settings.
    pub files: FilesConfig,
    /// Calendar toolset settings.
    pub calendar: CalendarConfig,
    /// Serve tools' output schemas (default true); false leaves them out of `tools/list`.
    pub output_schemas: bool,
    /// Start each session with meta-tools only; the model enables toolsets on demand.
    pub dynamic: bool,
}

impl Default for ToolsetsConfig {
    fn default() -> Self {
        Self {
            enabled: None,
            read_only: false,
            tools: ToolFilterConfig::default(),
            files: FilesConfig::default(),
            calendar: CalendarConfig::default(),
            output_schemas: true,
            dynamic: false,
        }
    }
}

impl ToolsetsConfig {
    /// Whether `tools/list` carries output schemas (`toolsets.output_schemas`, default true).
    pub fn serves_output_schemas(&self) -> bool {
        self.output_schemas
    }
}

/// `toolsets.tools:`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ToolFilterConfig {
    /// When non-empty, only these tools are served.
    pub include: Vec<String>,
    /// Never served.
    pub exclude: Vec<String>,
}

/// `toolsets.files:`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    /// System tags that hide a file or folder from every Files and Sharing tool.
    pub excluded_tags: Vec<String>,
    /// Largest file returned by a read, in bytes.
    pub max_read_bytes: u64,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            excluded_tags: Vec::new(),
            max_read_bytes: 10 * 1024 * 1024,
        }
    }
}

/// `toolsets.calendar:`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarConfig {
    /// Most objects a bulk operation changes without `confirm: true`.
    pub bulk_max: usize,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        Self { bulk_max: 25 }
    }
}

/// `logging:` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    /// error | warn | info | debug | trace.
    pub level: LogLevel,
    /// text | json.
    pub format: LogFormat,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: LogLevel::Info,
            format: LogFormat::Text,
        }
    }
}

/// Log verbosity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Normal operation.
    Info,
    /// Diagnostics.
    Debug,
    /// Everything.
    Trace,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

fn yes() -> bool {
    true
}
fn default_timeout() -> u64 {
    30
}
fn default_connect_timeout() -> u64 {
    10
}
fn default_retries() -> u32 {
    3
}
fn default_renew_before() -> u64 {
    300
}
fn default_check_interval() -> u64 {
    300
}
fn default_scopes_config() -> ScopesConfig {
    ScopesConfig {
        advertised: default_scopes(),
        ..ScopesConfig::default()
    }
}
fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_storage_path() -> String {
    "/var/lib/nextcloud-mcp/oauth-client.json".into()
}
fn default_client_name() -> String {
    "Nextcloud MCP Server".into()
}
