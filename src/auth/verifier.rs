//! Token verification with an in-memory cache keyed by the SHA-256 of the token (the raw
//! token is never stored or logged). Concurrent first requests with one token share a
//! single validation call; rejected tokens are remembered briefly. A token Nextcloud
//! itself refused is revoked here: no cached verdict or fresh validation revives it
//! before its expiry (a JWT would otherwise pass signature checks again).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mini_moka::sync::Cache;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::validators::{Identity, VerifyError};

type Key = [u8; 32];
type Flight = Arc<OnceCell<Result<Identity, VerifyError>>>;

#[derive(Clone)]
struct Entry {
    identity: Identity,
    valid_until: Instant,
}

/// Longest a revoked token is remembered when its expiry is unknown: past the cache TTL
/// a fresh userinfo or introspection call gives the verdict anyway.
const REVOKED_MAX: Duration = Duration::from_secs(24 * 3600);

/// The cache and single-flight bookkeeping around a validation function.
pub struct TokenCache {
    accepted: Option<Cache<Key, Entry>>,
    rejected: Option<Cache<Key, String>>,
    /// Tokens Nextcloud refused, with the instant until which they stay refused.
    revoked: Cache<Key, Instant>,
    ttl: Duration,
    negative_ttl: Duration,
    inflight: Mutex<HashMap<Key, Flight>>,
}

/// SHA-256 of a token: the only form in which a token is kept.
pub fn token_key(token: &str) -> Key {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenCache {
    /// A cache trusting a verdict for `ttl` (0 disables), remembering rejections for `negative_ttl`.
    pub fn new(ttl: Duration, negative_ttl: Duration, capacity: u64) -> Self {
        let accepted = (!ttl.is_zero()).then(|| {
            Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build()
        });
        let rejected = (!negative_ttl.is_zero()).then(|| {
            Cache::builder()
                .max_capacity(capacity)
                .time_to_live(negative_ttl)
                .build()
        });
        Self {
            accepted,
            rejected,
            revoked: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(REVOKED_MAX)
                .build(),
            ttl,
            negative_ttl,
            inflight: Mutex::new(HashMap::new()),
        }
    }

    /// Returns the cached verdict or runs `validate` once for all concurrent callers.
    pub async fn verify<F, Fut>(&self, token: &str, validate: F) -> Result<Identity, VerifyError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Identity, VerifyError>>,
    {
        let key = token_key(token);
        if let Some(hit) = self.lookup(&key) {
            crate::metrics::token_cache(true);
            return hit;
        }
        crate::metrics::token_cache(false);
        let flight = {
            let mut inflight = self
                .inflight
                .lock()
                .map_err(|_| VerifyError::Unavailable("cache lock poisoned".into()))?;
            inflight.entry(key).or_default().clone()
        };
        let result = flight
            .get_or_init(|| async {
                // Another flight may have finished between our lookup and joining.
                if let Some(hit) = self.lookup(&key) {
                    return hit;
                }
                let result = validate().await;
                self.store(key, &result);
                result
            })
            .await
            .clone();
        if let Ok(mut inflight) = self.inflight.lock()
            && inflight.get(&key).is_some_and(|f| Arc::ptr_eq(f, &flight))
        {
            inflight.remove(&key);
        }
        result
    }

    /// Stops trusting `token` at once: Nextcloud refused it. It stays refused until its
    /// known expiry, else for the longer of the two cache TTLs (at least a minute).
    pub fn revoke(&self, token: &str) {
        let key = token_key(token);
        let known = self.accepted.as_ref().and_then(|c| c.get(&key));
        if let Some(cache) = &self.accepted {
            cache.invalidate(&key);
        }
        let fallback = self.ttl.max(self.negative_ttl).max(Duration::from_secs(60));
        let until = match known.and_then(|e| e.identity.exp) {
            Some(exp) => {
                let left = (exp - super::registration::now()).max(0) as u64;
                Duration::from_secs(left).max(Duration::from_secs(60))
            }
            None => fallback,
        }
        .min(REVOKED_MAX);
        self.revoked.insert(key, Instant::now() + until);
    }

    fn lookup(&self, key: &Key) -> Option<Result<Identity, VerifyError>> {
        if let Some(until) = self.revoked.get(key) {
            if until > Instant::now() {
                return Some(Err(VerifyError::Rejected(
                    "Nextcloud refused this token (expired or revoked)".into(),
                )));
            }
            self.revoked.invalidate(key);
        }
        if let Some(reason) = self.rejected.as_ref().and_then(|c| c.get(key)) {
            return Some(Err(VerifyError::Rejected(reason)));
        }
        let entry = self.accepted.as_ref()?.get(key)?;
        if entry.valid_until > Instant::now() {
            Some(Ok(entry.identity))
        } else {
            if let Some(cache) = &self.accepted {
                cache.invalidate(key);
            }
            None
        }
    }

    fn store(&self, key: Key, result: &Result<Identity, VerifyError>) {
        match result {
            // A validation that raced with a revocation must not bring the token back.
            Ok(_) if self.revoked.get(&key).is_some_and(|t| t > Instant::now()) => {}
            Ok(identity) => {
                let Some(cache) = &self.accepted else { return };
                let mut valid_until = Instant::now() + self.ttl;
                if let Some(exp) = identity.exp {
                    let left = exp - super::registration::now();
                    if left <= 0 {
                        return;
                    }
                    valid_until =
                        valid_until.min(Instant::now() + Duration::from_secs(left as u64));
                }
                cache.insert(
                    key,
                    Entry {
                        identity: identity.clone(),
                        valid_until,
                    },
                );
            }
            Err(VerifyError::Rejected(reason) | VerifyError::NotForThisServer(reason)) => {
                if let Some(cache) = &self.rejected {
                    cache.insert(key, reason.clone());
                }
            }
            // An unavailable provider is not a verdict: ask again next time.
            Err(VerifyError::Unavailable(_)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn ok(user: &str) -> Result<Identity, VerifyError> {
        Ok(Identity {
            user_id: user.into(),
            exp: None,
        })
    }

    #[tokio::test]
    async fn concurrent_first_calls_validate_once() {
        let cache = Arc::new(TokenCache::new(
            Duration::from_secs(60),
            Duration::from_secs(5),
            100,
        ));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let cache = cache.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .verify("tok", || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        ok("alice")
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().user_id, "alice");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn rejections_are_remembered_and_unavailability_is_not() {
        let cache = TokenCache::new(Duration::from_secs(60), Duration::from_secs(60), 100);
        let calls = AtomicUsize::new(0);
        for _ in 0..3 {
            let _ = cache
                .verify("bad", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err(VerifyError::Rejected("no".into()))
                })
                .await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        for _ in 0..3 {
            let _ = cache
                .verify("down", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err(VerifyError::Unavailable("down".into()))
                })
                .await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn zero_ttl_disables_caching_and_exp_bounds_it() {
        let cache = TokenCache::new(Duration::ZERO, Duration::ZERO, 100);
        let calls = AtomicUsize::new(0);
        for _ in 0..2 {
            let _ = cache
                .verify("t", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    ok("a")
                })
                .await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        let cache = TokenCache::new(Duration::from_secs(60), Duration::ZERO, 100);
        let expired = Identity {
            user_id: "a".into(),
            exp: Some(super::super::registration::now() - 1),
        };
        let _ = cache.verify("e", || async { Ok(expired.clone()) }).await;
        assert!(cache.lookup(&token_key("e")).is_none());
    }

    #[tokio::test]
    async fn cache_never_outlives_a_known_expiry() {
        let cache = TokenCache::new(Duration::from_secs(3600), Duration::ZERO, 100);
        let soon = Identity {
            user_id: "a".into(),
            exp: Some(super::super::registration::now() + 1),
        };
        let calls = AtomicUsize::new(0);
        let validate = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(soon.clone())
        };
        assert!(cache.verify("t", validate).await.is_ok());
        assert!(cache.lookup(&token_key("t")).is_some());
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert!(
            cache.lookup(&token_key("t")).is_none(),
            "entry outlived exp"
        );
    }

    #[tokio::test]
    async fn revoked_token_is_refused_even_if_validation_would_pass() {
        // cache_ttl 0: every request validates; a JWT would pass signature checks again.
        for ttl in [Duration::from_secs(3600), Duration::ZERO] {
            let cache = TokenCache::new(ttl, Duration::from_secs(30), 100);
            let calls = AtomicUsize::new(0);
            let validate = || async {
                calls.fetch_add(1, Ordering::SeqCst);
                ok("alice")
            };
            assert!(cache.verify("tok", validate).await.is_ok());
            cache.revoke("tok");
            let again = cache
                .verify("tok", || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    ok("alice")
                })
                .await;
            assert!(matches!(again, Err(VerifyError::Rejected(_))), "{again:?}");
            // Other tokens are untouched.
            assert!(cache.verify("other", || async { ok("bob") }).await.is_ok());
        }
    }
}
