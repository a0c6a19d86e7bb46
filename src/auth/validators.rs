//! The token validation methods: userinfo (default), JWT via JWKS, RFC 7662 introspection.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::registration::ClientManager;

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// Nextcloud user id.
    pub user_id: String,
    /// Token expiry (seconds since the epoch), when known.
    pub exp: Option<i64>,
    /// The token's scopes (`scope` claim of a JWT or introspection answer); None when the
    /// validation method does not tell them (userinfo).
    pub scopes: Option<Vec<String>>,
}

/// The space-separated `scope` claim (RFC 9068 / RFC 7662), if present.
pub fn scopes_of(claims: &Value) -> Option<Vec<String>> {
    claims
        .get("scope")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().map(str::to_string).collect())
}

/// Outcome of a failed validation.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VerifyError {
    /// The token is not valid (expired, revoked, wrong audience...).
    #[error("invalid token: {0}")]
    Rejected(String),
    /// The authorization server could not be asked.
    #[error("the authorization server is unavailable: {0}")]
    Unavailable(String),
}

fn user_from_claims(claims: &Value) -> Option<String> {
    ["sub", "preferred_username", "username"]
        .iter()
        .filter_map(|k| claims.get(*k).and_then(Value::as_str))
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

fn audience_ok(claims: &Value, audiences: &[String]) -> bool {
    if audiences.is_empty() {
        return true;
    }
    match claims.get("aud") {
        Some(Value::String(aud)) => audiences.contains(aud),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|a| audiences.iter().any(|x| x == a)),
        _ => false,
    }
}

/// Asks the userinfo endpoint; the user id is `sub`, else `preferred_username`.
pub async fn userinfo(
    http: &reqwest::Client,
    endpoint: &Url,
    token: &str,
) -> Result<Identity, VerifyError> {
    let response = http
        .get(endpoint.clone())
        .bearer_auth(token)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| VerifyError::Unavailable(format!("userinfo request failed: {e}")))?;
    let status = response.status().as_u16();
    match status {
        200 => {}
        400 | 401 | 403 => {
            return Err(VerifyError::Rejected(format!("userinfo answered {status}")));
        }
        _ => {
            return Err(VerifyError::Unavailable(format!(
                "userinfo answered HTTP {status}"
            )));
        }
    }
    let claims: Value = response
        .json()
        .await
        .map_err(|e| VerifyError::Unavailable(format!("userinfo answer is not JSON: {e}")))?;
    let user_id = user_from_claims(&claims)
        .ok_or_else(|| VerifyError::Rejected("userinfo has no sub".into()))?;
    Ok(Identity {
        user_id,
        exp: None,
        scopes: None,
    })
}

#[derive(Deserialize)]
struct Introspection {
    #[serde(default)]
    active: bool,
    #[serde(flatten)]
    claims: Value,
}

/// RFC 7662 introspection with the server's client credentials. A 401 means the
/// provider no longer knows our client: it is registered anew and the call retried once.
pub async fn introspect(
    http: &reqwest::Client,
    endpoint: &Url,
    clients: &ClientManager,
    token: &str,
    audiences: &[String],
    issuers: &[String],
) -> Result<Identity, VerifyError> {
    for attempt in 0..2 {
        let creds = clients.current().ok_or_else(|| {
            VerifyError::Unavailable("client credentials are not ready yet".into())
        })?;
        let response = http
            .post(endpoint.clone())
            .basic_auth(&creds.client_id, creds.client_secret.as_deref())
            .form(&[("token", token), ("token_type_hint", "access_token")])
            .send()
            .await
            .map_err(|e| VerifyError::Unavailable(format!("introspection request failed: {e}")))?;
        let status = response.status().as_u16();
        if status == 401 && attempt == 0 && clients.is_registered() {
            log::warn!(
                "introspection rejected client {}; registering a new client",
                creds.client_id
            );
            clients
                .renew()
                .await
                .map_err(|e| VerifyError::Unavailable(e.to_string()))?;
            continue;
        }
        if status != 200 {
            return Err(VerifyError::Unavailable(format!(
                "introspection answered HTTP {status}"
            )));
        }
        let answer: Introspection = response.json().await.map_err(|e| {
            VerifyError::Unavailable(format!("introspection answer is not JSON: {e}"))
        })?;
        if !answer.active {
            return Err(VerifyError::Rejected("token is not active".into()));
        }
        if !audience_ok(&answer.claims, audiences) {
            return Err(VerifyError::Rejected("audience not accepted".into()));
        }
        if !issuers.is_empty()
            && let Some(iss) = answer.claims.get("iss").and_then(Value::as_str)
            && !issuers.iter().any(|i| i == iss)
        {
            return Err(VerifyError::Rejected("issuer not accepted".into()));
        }
        let user_id = user_from_claims(&answer.claims).ok_or_else(|| {
            VerifyError::Rejected("introspection answer has no sub or username".into())
        })?;
        let exp = answer.claims.get("exp").and_then(Value::as_i64);
        return Ok(Identity {
            user_id,
            exp,
            scopes: scopes_of(&answer.claims),
        });
    }
    Err(VerifyError::Unavailable(
        "introspection failed after re-registering the client".into(),
    ))
}

/// Verifies JWT access tokens with the provider's JWKS, refetching it when an unknown
/// `kid` appears (key rotation), at most every 10 seconds.
pub struct JwtVerifier {
    jwks_uri: Url,
    http: reqwest::Client,
    keys: RwLock<(Option<Arc<JwkSet>>, Option<Instant>)>,
    issuers: Vec<String>,
    audiences: Vec<String>,
}

impl JwtVerifier {
    /// A verifier for tokens from `issuers` (required) and `audiences` (if any).
    pub fn new(
        jwks_uri: Url,
        http: reqwest::Client,
        issuers: Vec<String>,
        audiences: Vec<String>,
    ) -> Self {
        Self {
            jwks_uri,
            http,
            keys: RwLock::new((None, None)),
            issuers,
            audiences,
        }
    }

    /// The key set; with `refresh`, fetched anew unless fetched in the last 10 seconds.
    /// The flag tells whether the set returned was fetched by this call.
    async fn jwks(&self, refresh: bool) -> Result<(Arc<JwkSet>, bool), VerifyError> {
        if let Ok(guard) = self.keys.read() {
            let recent = guard
                .1
                .is_some_and(|t| t.elapsed() < Duration::from_secs(10));
            if let Some(keys) = &guard.0
                && (!refresh || recent)
            {
                return Ok((keys.clone(), false));
            }
        }
        let set: JwkSet = self
            .http
            .get(self.jwks_uri.clone())
            .send()
            .await
            .map_err(|e| VerifyError::Unavailable(format!("JWKS request failed: {e}")))?
            .json()
            .await
            .map_err(|e| VerifyError::Unavailable(format!("JWKS is not valid JSON: {e}")))?;
        let set = Arc::new(set);
        if let Ok(mut guard) = self.keys.write() {
            *guard = (Some(set.clone()), Some(Instant::now()));
        }
        Ok((set, true))
    }

    /// Verifies signature, `iss`, `exp`, `nbf` and `aud`.
    pub async fn verify(&self, token: &str) -> Result<Identity, VerifyError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| VerifyError::Rejected(format!("not a JWT: {e}")))?;
        let kid = header.kid.clone();
        let (keys, _) = self.jwks(false).await?;
        let find = |set: &JwkSet| match &kid {
            Some(kid) => set.find(kid).cloned(),
            None => set.keys.first().cloned(),
        };
        let jwk = match find(&keys) {
            Some(jwk) => jwk,
            None => {
                // An unknown kid usually means the provider rotated its keys.
                let (keys, fresh) = self.jwks(true).await?;
                match find(&keys) {
                    Some(jwk) => jwk,
                    // Only a freshly fetched set is a verdict; within the refetch cooldown,
                    // ask again later rather than cache a rejection of a maybe valid token.
                    None if fresh => {
                        return Err(VerifyError::Rejected(
                            "signing key not in the provider's JWKS".into(),
                        ));
                    }
                    None => {
                        return Err(VerifyError::Unavailable(
                            "signing key not in the recently fetched JWKS; retry shortly".into(),
                        ));
                    }
                }
            }
        };
        let key = DecodingKey::from_jwk(&jwk)
            .map_err(|e| VerifyError::Rejected(format!("unusable JWK: {e}")))?;
        if matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(VerifyError::Rejected(
                "symmetric JWT algorithms are not accepted".into(),
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation.set_issuer(&self.issuers);
        if self.audiences.is_empty() {
            validation.validate_aud = false;
        } else {
            validation.set_audience(&self.audiences);
        }
        validation.set_required_spec_claims(&["exp", "iss"]);
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| VerifyError::Rejected(format!("JWT rejected: {e}")))?;
        let user_id = user_from_claims(&data.claims)
            .ok_or_else(|| VerifyError::Rejected("JWT has no sub".into()))?;
        Ok(Identity {
            user_id,
            exp: data.claims.get("exp").and_then(Value::as_i64),
            scopes: scopes_of(&data.claims),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_prefers_sub() {
        let claims = serde_json::json!({"sub": "alice", "preferred_username": "Alice"});
        assert_eq!(user_from_claims(&claims).as_deref(), Some("alice"));
        let claims = serde_json::json!({"sub": "", "preferred_username": "bob"});
        assert_eq!(user_from_claims(&claims).as_deref(), Some("bob"));
    }

    #[test]
    fn audience_check() {
        let claims = serde_json::json!({"aud": ["a", "b"]});
        assert!(audience_ok(&claims, &["b".into()]));
        assert!(!audience_ok(&claims, &["c".into()]));
        assert!(audience_ok(&claims, &[]));
    }
}
