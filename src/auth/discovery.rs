//! The OpenID Connect discovery document: fetched at start with bounded retries,
//! checked for PKCE S256.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::redacted_url;
use crate::nextcloud::client::root_cause;

/// The fields of `/.well-known/openid-configuration` this server uses.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Discovery {
    /// The authorization server's issuer identifier.
    pub issuer: String,
    /// Authorization endpoint (for clients).
    #[serde(default)]
    pub authorization_endpoint: Option<Url>,
    /// Token endpoint (for clients).
    #[serde(default)]
    pub token_endpoint: Option<Url>,
    /// Userinfo endpoint (default token validation).
    #[serde(default)]
    pub userinfo_endpoint: Option<Url>,
    /// JWKS for JWT validation.
    #[serde(default)]
    pub jwks_uri: Option<Url>,
    /// Dynamic client registration endpoint.
    #[serde(default)]
    pub registration_endpoint: Option<Url>,
    /// RFC 7662 introspection endpoint.
    #[serde(default)]
    pub introspection_endpoint: Option<Url>,
    /// PKCE methods.
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    /// Scopes the provider knows.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
}

/// Why discovery failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DiscoveryError {
    /// The document could not be fetched.
    #[error(
        "cannot fetch the OpenID discovery document {url}: {reason}. Check that Nextcloud is up and its oidc app is enabled (occ app:enable oidc)"
    )]
    Unreachable {
        /// The discovery URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The document is not valid.
    #[error("the OpenID discovery document {url} is invalid: {reason}")]
    Invalid {
        /// The discovery URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// PKCE S256 is not advertised.
    #[error(
        "the OpenID provider at {url} does not advertise PKCE S256 (code_challenge_methods_supported = {methods:?}). MCP clients must use PKCE: enable PKCE in Nextcloud's OIDC app (Settings > Security > OpenID Connect, or `occ config:app:set oidc ...` as docs/nextcloud-setup.md shows), or set auth.oauth.require_pkce: false to start anyway"
    )]
    NoPkce {
        /// The discovery URL.
        url: String,
        /// What it advertised.
        methods: Vec<String>,
    },
}

impl Discovery {
    /// True when PKCE S256 is advertised.
    pub fn supports_s256(&self) -> bool {
        self.code_challenge_methods_supported
            .iter()
            .any(|m| m == "S256")
    }
}

/// A reqwest error without its URL (which may hold credentials), with its root cause.
fn describe(err: reqwest::Error) -> String {
    let err = err.without_url();
    let root = root_cause(&err);
    let top = err.to_string();
    if root == top {
        top
    } else {
        format!("{top}: {root}")
    }
}

/// Fetches the document once.
pub async fn fetch(http: &reqwest::Client, url: &Url) -> Result<Discovery, DiscoveryError> {
    let unreachable = |reason: String| DiscoveryError::Unreachable {
        url: redacted_url(url).to_string(),
        reason,
    };
    let response = http
        .get(url.clone())
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| {
            unreachable(crate::nextcloud::connect_error::describe_connection_error(
                &e,
            ))
        })?;
    if !response.status().is_success() {
        return Err(unreachable(format!("HTTP {}", response.status().as_u16())));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| unreachable(describe(e)))?;
    serde_json::from_slice(&bytes).map_err(|e| DiscoveryError::Invalid {
        url: redacted_url(url).to_string(),
        reason: e.to_string(),
    })
}

/// Fetches with exponential backoff, giving up after `attempts` tries.
pub async fn fetch_with_retry(
    http: &reqwest::Client,
    url: &Url,
    attempts: u32,
) -> Result<Discovery, DiscoveryError> {
    let mut delay = Duration::from_millis(250);
    let mut last = None;
    for attempt in 1..=attempts.max(1) {
        match fetch(http, url).await {
            Ok(doc) => return Ok(doc),
            Err(err @ DiscoveryError::Invalid { .. }) => return Err(err),
            Err(err) => {
                log::warn!("discovery attempt {attempt}/{attempts} failed: {err}");
                last = Some(err);
            }
        }
        if attempt < attempts {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }
    Err(last.unwrap_or_else(|| DiscoveryError::Unreachable {
        url: redacted_url(url).to_string(),
        reason: "no attempt made".into(),
    }))
}

/// Checks PKCE S256 when required.
pub fn check_pkce(doc: &Discovery, url: &Url, require: bool) -> Result<(), DiscoveryError> {
    if doc.supports_s256() {
        return Ok(());
    }
    let err = DiscoveryError::NoPkce {
        url: redacted_url(url).to_string(),
        methods: doc.code_challenge_methods_supported.clone(),
    };
    if require {
        Err(err)
    } else {
        log::warn!("{err}");
        Ok(())
    }
}
