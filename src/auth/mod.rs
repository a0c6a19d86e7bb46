//! Authentication of MCP requests: OAuth resource server (discovery, client
//! registration, token validation, challenges, metadata) or single-user basic mode.

pub mod audience;
pub mod caller;
pub mod challenge;
pub mod discovery;
pub mod metadata;
pub mod registration;
pub mod validators;
pub mod verifier;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use url::Url;

use audience::AudiencePolicy;
pub use caller::Caller;
use discovery::{Discovery, DiscoveryError};
use registration::{ClientCredentials, ClientManager, RegistrationError};
use validators::{Identity, JwtVerifier, VerifyError};
use verifier::TokenCache;

use crate::config::{AuthMode, Config, OAuthConfig, ValidationMethod};
use crate::nextcloud::{BearerRejectionListener, Credentials};

/// Why a request was not authenticated.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthFailure {
    /// No usable `Authorization: Bearer` header.
    #[error("missing bearer token")]
    Missing,
    /// The token was rejected.
    #[error("{0}")]
    Invalid(String),
    /// The authorization server (Nextcloud) could not be asked.
    #[error("{0}")]
    Unavailable(String),
}

/// A start-up failure that must stop the server.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// Discovery is unusable (e.g. no PKCE S256).
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The client cannot be set up.
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    /// The HTTP client for the provider cannot be built.
    #[error("{reason}")]
    Http {
        /// What failed.
        reason: String,
    },
}

/// How MCP requests are authenticated.
pub enum Authenticator {
    /// Per-user bearer tokens.
    OAuth(Arc<OAuthState>),
    /// One Nextcloud account; optionally a static token protects /mcp.
    Basic {
        /// The single caller.
        caller: Caller,
        /// Token MCP clients must present, if configured.
        bearer_token: Option<String>,
    },
}

impl Authenticator {
    /// Builds the authenticator; in OAuth mode fetches discovery and sets up the client.
    /// `http` is Nextcloud's pool (with its TLS settings), used for provider URLs on the
    /// Nextcloud host only.
    pub async fn start(config: &Config, http: reqwest::Client) -> Result<Arc<Self>, StartupError> {
        if !config.nextcloud.verify_tls {
            log::warn!(
                "nextcloud.verify_tls is false: TLS certificates of {} are NOT checked (an OpenID provider on another host is still verified); use nextcloud.ca_bundle for a private CA instead",
                config
                    .nextcloud
                    .url
                    .host_str()
                    .unwrap_or("the Nextcloud host")
            );
        }
        match config.auth.mode {
            AuthMode::Basic => {
                let basic = config
                    .auth
                    .basic
                    .clone()
                    .ok_or(RegistrationError::NotSupported)?;
                Ok(Arc::new(Authenticator::Basic {
                    caller: basic_caller(
                        &basic.username,
                        basic.password.as_deref().unwrap_or_default(),
                    ),
                    bearer_token: basic.bearer_token.clone(),
                }))
            }
            AuthMode::Oauth => {
                let oauth = config
                    .auth
                    .oauth
                    .clone()
                    .ok_or(RegistrationError::NotSupported)?;
                let discovery_url = oauth.discovery_url.clone().unwrap_or_else(|| {
                    config
                        .nextcloud
                        .url
                        .join(".well-known/openid-configuration")
                        .unwrap_or_else(|_| config.nextcloud.url.clone())
                });
                let http = ProviderHttp::new(config, http)?;
                warn_about_validation(&oauth);
                let state = OAuthState::new(oauth, discovery_url, http, &config.public_url());
                state.clone().start().await?;
                Ok(Arc::new(Authenticator::OAuth(state)))
            }
        }
    }

    /// Authenticates one request from its `Authorization` header value.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, AuthFailure> {
        match self {
            Authenticator::Basic {
                caller,
                bearer_token,
            } => match bearer_token {
                None => Ok(caller.clone()),
                Some(expected) => match bearer(authorization) {
                    None => Err(AuthFailure::Missing),
                    Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
                        Ok(caller.clone())
                    }
                    Some(_) => Err(AuthFailure::Invalid("wrong token".into())),
                },
            },
            Authenticator::OAuth(state) => {
                let token = bearer(authorization).ok_or(AuthFailure::Missing)?;
                let identity = state.verify(token).await.map_err(|e| match e {
                    VerifyError::Rejected(reason) | VerifyError::NotForThisServer(reason) => {
                        AuthFailure::Invalid(reason)
                    }
                    // The detail (internal URLs, provider errors) goes to the log only; an
                    // unauthenticated caller learns nothing about the deployment.
                    VerifyError::Unavailable(reason) => {
                        log::warn!("token validation unavailable: {reason}");
                        AuthFailure::Unavailable(UNAVAILABLE.into())
                    }
                })?;
                Ok(Caller {
                    user_id: identity.user_id.into(),
                    credentials: Credentials::Bearer(token.into()),
                })
            }
        }
    }

    /// Whether a 401 should advertise OAuth metadata.
    pub fn oauth(&self) -> Option<&Arc<OAuthState>> {
        match self {
            Authenticator::OAuth(state) => Some(state),
            Authenticator::Basic { .. } => None,
        }
    }

    /// `Ok` when ready to serve; otherwise why not.
    pub fn readiness(&self) -> Result<(), String> {
        match self {
            Authenticator::Basic { .. } => Ok(()),
            Authenticator::OAuth(state) => state.readiness(),
        }
    }
}

/// What an unauthenticated caller is told when the provider cannot be asked.
const UNAVAILABLE: &str = "the authorization server could not be reached";

/// Start-up warnings about what the configured validation cannot check.
fn warn_about_validation(oauth: &OAuthConfig) {
    let v = &oauth.validation;
    if v.methods.contains(&ValidationMethod::Userinfo) {
        log::warn!(
            "auth.oauth.validation.methods includes userinfo: the audience of tokens accepted by userinfo cannot be checked, so a token Nextcloud issued to any client is accepted here; use only introspection or jwt (docs/configuration.md)"
        );
    } else if !v.check_audience {
        log::warn!(
            "auth.oauth.validation.check_audience is false: tokens issued for other resources and clients are accepted"
        );
    }
}

/// HTTP clients for the OpenID provider: Nextcloud's pool (with `nextcloud.verify_tls`)
/// for URLs on the Nextcloud host, a client that always verifies certificates elsewhere.
#[derive(Clone)]
pub struct ProviderHttp {
    nextcloud: reqwest::Client,
    nextcloud_origin: url::Origin,
    other: reqwest::Client,
}

impl ProviderHttp {
    fn new(config: &Config, nextcloud: reqwest::Client) -> Result<Self, StartupError> {
        let other = if config.nextcloud.verify_tls {
            nextcloud.clone()
        } else {
            crate::nextcloud::client::http_client(&config.nextcloud, true)
                .map_err(|reason| StartupError::Http { reason })?
        };
        Ok(Self {
            nextcloud,
            nextcloud_origin: config.nextcloud.url.origin(),
            other,
        })
    }

    /// The client for calls to `url`.
    pub fn for_url(&self, url: &Url) -> &reqwest::Client {
        if url.origin() == self.nextcloud_origin {
            &self.nextcloud
        } else {
            &self.other
        }
    }
}

/// The caller of basic mode.
pub fn basic_caller(username: &str, password: &str) -> Caller {
    Caller {
        user_id: username.into(),
        credentials: Credentials::Basic {
            username: username.into(),
            password: password.into(),
        },
    }
}

/// Extracts the token of an `Authorization: Bearer <token>` header.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let header = header?.trim();
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The OAuth resource server's state.
pub struct OAuthState {
    config: OAuthConfig,
    discovery_url: Url,
    http: ProviderHttp,
    audience: AudiencePolicy,
    resource: String,
    discovery: RwLock<Option<Arc<Discovery>>>,
    problem: RwLock<Option<String>>,
    clients: RwLock<Option<Arc<ClientManager>>>,
    jwt: RwLock<Option<Arc<JwtVerifier>>>,
    cache: TokenCache,
}

impl OAuthState {
    fn new(
        config: OAuthConfig,
        discovery_url: Url,
        http: ProviderHttp,
        public_url: &Url,
    ) -> Arc<Self> {
        let v = &config.validation;
        let cache = TokenCache::new(
            Duration::from_secs(v.cache_ttl),
            Duration::from_secs(v.negative_cache_ttl),
            v.cache_capacity,
        );
        let audience = AudiencePolicy::new(public_url, &v.audiences, v.check_audience);
        Arc::new(Self {
            config,
            discovery_url,
            http,
            audience,
            resource: AudiencePolicy::resource(public_url),
            discovery: RwLock::new(None),
            problem: RwLock::new(Some("OpenID discovery not loaded yet".into())),
            clients: RwLock::new(None),
            jwt: RwLock::new(None),
            cache,
        })
    }

    /// The discovery document, once loaded.
    pub fn discovery(&self) -> Option<Arc<Discovery>> {
        self.discovery.read().ok().and_then(|d| d.clone())
    }

    /// Scopes advertised in the resource metadata.
    pub fn scopes(&self) -> &[String] {
        &self.config.scopes
    }

    /// The current client credentials.
    pub fn client(&self) -> Option<ClientCredentials> {
        self.clients
            .read()
            .ok()
            .and_then(|c| c.clone())
            .and_then(|c| c.current())
    }

    fn set_problem(&self, problem: Option<String>) {
        if let Ok(mut p) = self.problem.write() {
            *p = problem;
        }
    }

    fn readiness(&self) -> Result<(), String> {
        if let Some(problem) = self.problem.read().ok().and_then(|p| p.clone()) {
            return Err(problem);
        }
        match self.clients.read().ok().and_then(|c| c.clone()) {
            Some(clients) if clients.is_ready() => Ok(()),
            _ => Err("OIDC client credentials are not ready (registration pending)".into()),
        }
    }

    /// Loads discovery (bounded retries). A provider without PKCE S256 stops the start
    /// when required; an unreachable one is retried in the background while /readyz says why.
    async fn start(self: Arc<Self>) -> Result<(), StartupError> {
        match discovery::fetch_with_retry(
            self.http.for_url(&self.discovery_url),
            &self.discovery_url,
            4,
        )
        .await
        {
            Ok(doc) => self.setup(doc).await,
            Err(err @ DiscoveryError::Invalid { .. }) => Err(err.into()),
            Err(err) => {
                log::error!("{err}; starting anyway and retrying in the background");
                self.set_problem(Some(err.to_string()));
                let state = self.clone();
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        let http = state.http.for_url(&state.discovery_url);
                        match discovery::fetch(http, &state.discovery_url).await {
                            Ok(doc) => {
                                if let Err(err) = state.clone().setup(doc).await {
                                    log::error!("{err}");
                                    state.set_problem(Some(err.to_string()));
                                }
                                return;
                            }
                            Err(err) => state.set_problem(Some(err.to_string())),
                        }
                    }
                });
                Ok(())
            }
        }
    }

    async fn setup(self: Arc<Self>, doc: Discovery) -> Result<(), StartupError> {
        discovery::check_pkce(&doc, &self.discovery_url, self.config.require_pkce)?;
        let client = &self.config.client;
        let manager = match (&client.id, &client.registration) {
            (Some(id), _) => ClientManager::preconfigured(id.clone(), client.secret.clone()),
            (None, Some(registration)) => {
                let endpoint = doc
                    .registration_endpoint
                    .clone()
                    .ok_or(RegistrationError::NotSupported)?;
                let http = self.http.for_url(&endpoint).clone();
                let resource = Some(self.resource.clone());
                ClientManager::registered(registration.clone(), endpoint, http, resource)
            }
            (None, None) => return Err(RegistrationError::NotSupported.into()),
        };
        if self
            .config
            .validation
            .methods
            .contains(&ValidationMethod::Jwt)
        {
            match &doc.jwks_uri {
                Some(jwks) => {
                    let issuers = if self.config.validation.issuers.is_empty() {
                        vec![doc.issuer.clone()]
                    } else {
                        self.config.validation.issuers.clone()
                    };
                    let verifier = JwtVerifier::new(
                        jwks.clone(),
                        self.http.for_url(jwks).clone(),
                        issuers,
                        self.audience.clone(),
                    );
                    if let Ok(mut jwt) = self.jwt.write() {
                        *jwt = Some(Arc::new(verifier));
                    }
                }
                None => {
                    log::warn!("validation method jwt is configured but discovery has no jwks_uri")
                }
            }
        }
        let doc = Arc::new(doc);
        if let Ok(mut d) = self.discovery.write() {
            *d = Some(doc.clone());
        }
        if let Ok(mut c) = self.clients.write() {
            *c = Some(manager.clone());
        }
        if let Err(err) = manager.ensure().await {
            match err {
                RegistrationError::Storage { .. } => return Err(err.into()),
                other => log::error!("{other}; retrying in the background"),
            }
        }
        self.set_problem(None);
        if manager.is_registered() {
            let introspection = doc.introspection_endpoint.clone();
            let http = match &introspection {
                Some(url) => self.http.for_url(url).clone(),
                None => self.http.for_url(&self.discovery_url).clone(),
            };
            tokio::spawn(manager.maintain(move |creds| {
                let http = http.clone();
                let endpoint = introspection.clone();
                async move { probe_client(&http, endpoint.as_ref(), &creds).await }
            }));
        }
        log::info!("OAuth ready: issuer {}", doc.issuer);
        Ok(())
    }

    async fn verify(&self, token: &str) -> Result<Identity, VerifyError> {
        let doc = self.discovery().ok_or_else(|| {
            VerifyError::Unavailable(
                "the OpenID provider's discovery document is not loaded yet".into(),
            )
        })?;
        self.cache
            .verify(token, || async {
                let mut last =
                    VerifyError::Rejected("no validation method accepted the token".into());
                for method in &self.config.validation.methods {
                    let result = match method {
                        ValidationMethod::Userinfo => match &doc.userinfo_endpoint {
                            Some(endpoint) => {
                                let http = self.http.for_url(endpoint);
                                validators::userinfo(http, endpoint, token).await
                            }
                            None => Err(VerifyError::Unavailable(
                                "discovery has no userinfo_endpoint".into(),
                            )),
                        },
                        ValidationMethod::Jwt => match self.jwt.read().ok().and_then(|j| j.clone())
                        {
                            Some(jwt) => jwt.verify(token).await,
                            None => Err(VerifyError::Unavailable("no JWKS available".into())),
                        },
                        ValidationMethod::Introspection => {
                            match (
                                &doc.introspection_endpoint,
                                self.clients.read().ok().and_then(|c| c.clone()),
                            ) {
                                (Some(endpoint), Some(clients)) => {
                                    validators::introspect(
                                        self.http.for_url(endpoint),
                                        endpoint,
                                        &clients,
                                        token,
                                        &self.audience,
                                        &self.config.validation.issuers,
                                    )
                                    .await
                                }
                                _ => Err(VerifyError::Unavailable(
                                    "introspection is not available".into(),
                                )),
                            }
                        }
                    };
                    match result {
                        Ok(identity) => return Ok(identity),
                        // A later method (userinfo) must not accept what this one found to
                        // be meant for someone else.
                        Err(err @ VerifyError::NotForThisServer(_)) => return Err(err),
                        Err(err) => last = err,
                    }
                }
                Err(last)
            })
            .await
    }
}

impl BearerRejectionListener for OAuthState {
    fn bearer_rejected(&self, token: &str) {
        self.cache.revoke(token);
    }
}

/// Asks the introspection endpoint whether our client still exists: `Some(false)` when
/// the provider rejects the client, `None` when it cannot tell.
async fn probe_client(
    http: &reqwest::Client,
    endpoint: Option<&Url>,
    creds: &ClientCredentials,
) -> Option<bool> {
    let endpoint = endpoint?;
    let response = http
        .post(endpoint.clone())
        .basic_auth(&creds.client_id, creds.client_secret.as_deref())
        .form(&[("token", "nextcloud-mcp-client-probe")])
        .send()
        .await
        .ok()?;
    match response.status().as_u16() {
        200 => Some(true),
        401 => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }
}
