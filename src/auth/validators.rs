//! The token validation methods: userinfo (default), JWT via JWKS, RFC 7662 introspection.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::audience::{AudiencePolicy, refuse_id_token};
use super::registration::ClientManager;

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// Nextcloud user id.
    pub user_id: String,
    /// Token expiry (seconds since the epoch), when known.
    pub exp: Option<i64>,
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
    /// A genuine token not meant for this server (other audience, ID token): final, no
    /// further validation method may accept it.
    #[error("token not for this server: {0}")]
    NotForThisServer(String),
}

fn user_from_claims(claims: &Value) -> Option<String> {
    ["sub", "preferred_username", "username"]
        .iter()
        .filter_map(|k| claims.get(*k).and_then(Value::as_str))
        .find(|s| !s.is_empty())
        .map(str::to_string)
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
    Ok(Identity { user_id, exp: None })
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
    audience: &AudiencePolicy,
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
            // Single-flight and rate-limited: concurrent requests share one registration.
            clients
                .renew_rejected(&creds.client_id)
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
        audience
            .check(&answer.claims, &[creds.client_id.as_str()])
            .map_err(VerifyError::NotForThisServer)?;
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
        return Ok(Identity { user_id, exp });
    }
    Err(VerifyError::Unavailable(
        "introspection failed after re-registering the client".into(),
    ))
}

/// Seconds within which a fetched JWKS is not fetched again for an unknown `kid`.
const JWKS_REFETCH_SECS: u64 = 10;
/// Longest wait after failed JWKS fetches before the next try.
const JWKS_BACKOFF_MAX_SECS: u64 = 60;

#[derive(Default)]
struct KeyState {
    keys: Option<Arc<JwkSet>>,
    fetched: Option<Instant>,
    failures: u32,
    failed_at: Option<Instant>,
}

impl KeyState {
    fn backoff(&self) -> Option<Duration> {
        let failed_at = self.failed_at?;
        let wait = Duration::from_secs((1u64 << self.failures.min(6)).min(JWKS_BACKOFF_MAX_SECS));
        wait.checked_sub(failed_at.elapsed())
    }
}

/// Verifies JWT access tokens with the provider's JWKS, refetching it when an unknown
/// `kid` appears (key rotation) at most every 10 seconds. Fetches are single-flight, and
/// after a failed fetch the next one waits (1 s, doubling up to a minute).
pub struct JwtVerifier {
    jwks_uri: Url,
    http: reqwest::Client,
    keys: RwLock<KeyState>,
    fetching: tokio::sync::Mutex<()>,
    issuers: Vec<String>,
    audience: AudiencePolicy,
}

impl JwtVerifier {
    /// A verifier for tokens from `issuers` (required), bound to `audience`.
    pub fn new(
        jwks_uri: Url,
        http: reqwest::Client,
        issuers: Vec<String>,
        audience: AudiencePolicy,
    ) -> Self {
        Self {
            jwks_uri,
            http,
            keys: RwLock::new(KeyState::default()),
            fetching: tokio::sync::Mutex::new(()),
            issuers,
            audience,
        }
    }

    /// The cached set when it serves: present, and with `refresh`, fetched recently.
    fn cached(&self, refresh: bool) -> Option<Arc<JwkSet>> {
        let guard = self.keys.read().ok()?;
        let recent = guard
            .fetched
            .is_some_and(|t| t.elapsed() < Duration::from_secs(JWKS_REFETCH_SECS));
        guard.keys.clone().filter(|_| !refresh || recent)
    }

    /// The key set; with `refresh`, fetched anew unless fetched in the last 10 seconds.
    /// The flag tells whether the set returned was fetched by this call or a concurrent one.
    async fn jwks(&self, refresh: bool) -> Result<(Arc<JwkSet>, bool), VerifyError> {
        let before = self.keys.read().ok().and_then(|g| g.fetched);
        if let Some(keys) = self.cached(refresh) {
            return Ok((keys, false));
        }
        let _flight = self.fetching.lock().await;
        // A concurrent caller may have fetched while this one waited.
        let after = self.keys.read().ok().and_then(|g| g.fetched);
        if after != before
            && let Some(keys) = self.cached(false)
        {
            return Ok((keys, true));
        }
        if let Some(wait) = self.keys.read().ok().and_then(|g| g.backoff()) {
            return Err(VerifyError::Unavailable(format!(
                "the provider's JWKS could not be fetched; next try in {} s",
                wait.as_secs().max(1)
            )));
        }
        match self.fetch().await {
            Ok(set) => {
                let set = Arc::new(set);
                if let Ok(mut guard) = self.keys.write() {
                    *guard = KeyState {
                        keys: Some(set.clone()),
                        fetched: Some(Instant::now()),
                        failures: 0,
                        failed_at: None,
                    };
                }
                Ok((set, true))
            }
            Err(err) => {
                if let Ok(mut guard) = self.keys.write() {
                    guard.failures = guard.failures.saturating_add(1);
                    guard.failed_at = Some(Instant::now());
                }
                log::warn!("{err}");
                Err(err)
            }
        }
    }

    async fn fetch(&self) -> Result<JwkSet, VerifyError> {
        let response = self
            .http
            .get(self.jwks_uri.clone())
            .send()
            .await
            .map_err(|e| VerifyError::Unavailable(format!("JWKS request failed: {e}")))?;
        if !response.status().is_success() {
            return Err(VerifyError::Unavailable(format!(
                "JWKS answered HTTP {}",
                response.status().as_u16()
            )));
        }
        response
            .json()
            .await
            .map_err(|e| VerifyError::Unavailable(format!("JWKS is not valid JSON: {e}")))
    }

    /// Verifies signature, `iss`, `exp`, `nbf`, the audience and that it is no ID token.
    pub async fn verify(&self, token: &str) -> Result<Identity, VerifyError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| VerifyError::Rejected(format!("not a JWT: {e}")))?;
        if matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(VerifyError::Rejected(
                "symmetric JWT algorithms are not accepted".into(),
            ));
        }
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
        let mut validation = Validation::new(header.alg);
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation.set_issuer(&self.issuers);
        // The audience is checked below with this server's own rules.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| VerifyError::Rejected(format!("JWT rejected: {e}")))?;
        refuse_id_token(header.typ.as_deref(), &data.claims)
            .map_err(VerifyError::NotForThisServer)?;
        self.audience
            .check(&data.claims, &[])
            .map_err(VerifyError::NotForThisServer)?;
        let user_id = user_from_claims(&data.claims)
            .ok_or_else(|| VerifyError::Rejected("JWT has no sub".into()))?;
        Ok(Identity {
            user_id,
            exp: data.claims.get("exp").and_then(Value::as_i64),
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

    /// A tiny HTTP server answering every request with `status` and `body`, counting requests.
    async fn counting_server(
        status: u16,
        body: &'static str,
    ) -> (Url, Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/jwks", listener.local_addr().unwrap())).unwrap();
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = count.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let counter = counter.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let mut seen = Vec::new();
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        (url, count)
    }

    fn unknown_kid_token(n: usize) -> String {
        use base64::Engine;
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let header = b64(
            serde_json::json!({"alg": "RS256", "typ": "at+jwt", "kid": format!("unknown-{n}")}),
        );
        let payload = b64(serde_json::json!({"sub": "a", "iss": "x", "exp": 9_999_999_999i64}));
        format!("{header}.{payload}.c2ln")
    }

    fn verifier(url: Url) -> Arc<JwtVerifier> {
        let public = Url::parse("http://127.0.0.1:1/").unwrap();
        Arc::new(JwtVerifier::new(
            url,
            reqwest::Client::new(),
            vec!["x".into()],
            AudiencePolicy::new(&public, &[], true),
        ))
    }

    /// `n` concurrent verifications of tokens with unknown kids.
    async fn storm(jwt: &Arc<JwtVerifier>, n: usize) -> Vec<Result<Identity, VerifyError>> {
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let jwt = jwt.clone();
                tokio::spawn(async move { jwt.verify(&unknown_kid_token(i)).await })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn unknown_kid_storm_fetches_the_jwks_once() {
        let (url, count) = counting_server(200, r#"{"keys":[]}"#).await;
        let jwt = verifier(url);
        for result in storm(&jwt, 100).await {
            assert!(result.is_err());
        }
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn failed_jwks_fetch_backs_off() {
        let (url, count) = counting_server(500, "oops").await;
        let jwt = verifier(url);
        for result in storm(&jwt, 20).await {
            assert!(matches!(result, Err(VerifyError::Unavailable(_))));
        }
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Within the back-off nothing is fetched; after it, one more try.
        let again = jwt.verify(&unknown_kid_token(0)).await;
        assert!(matches!(again, Err(VerifyError::Unavailable(_))));
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let _ = jwt.verify(&unknown_kid_token(0)).await;
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
