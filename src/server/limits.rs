//! Caps on open stateful sessions and SSE streams, per user and overall. A [`Permit`] holds
//! one slot and gives it back when dropped, so closing, deleting or expiring a session
//! lowers the count on its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::HttpResponse;
use actix_web::http::header;

/// Limits of one kind of resource.
#[derive(Debug)]
pub struct Limiter {
    /// What is counted, for messages ("session", "SSE stream").
    kind: &'static str,
    /// The config keys, for messages (overall, per user).
    keys: (&'static str, &'static str),
    max_total: usize,
    max_per_user: usize,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_user: HashMap<Arc<str>, usize>,
}

/// Why a slot was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitReached {
    /// The user already holds `max_per_user` slots.
    #[error("too many open {kind}s for this user ({key} = {max})")]
    PerUser {
        /// What is counted.
        kind: &'static str,
        /// The config key.
        key: &'static str,
        /// Its value.
        max: usize,
    },
    /// The server holds `max_total` slots.
    #[error("the server has too many open {kind}s ({key} = {max})")]
    Total {
        /// What is counted.
        kind: &'static str,
        /// The config key.
        key: &'static str,
        /// Its value.
        max: usize,
    },
}

/// One held slot; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit {
    limiter: Arc<Limiter>,
    user: Arc<str>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.limiter.counts.lock() {
            counts.total = counts.total.saturating_sub(1);
            if let Some(n) = counts.per_user.get_mut(&self.user) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    counts.per_user.remove(&self.user);
                }
            }
        }
    }
}

impl Limiter {
    /// A limiter allowing `max_total` slots overall and `max_per_user` per user.
    pub fn new(
        kind: &'static str,
        keys: (&'static str, &'static str),
        max_total: usize,
        max_per_user: usize,
    ) -> Arc<Self> {
        Arc::new(Self {
            kind,
            keys,
            max_total,
            max_per_user,
            counts: Mutex::new(Counts::default()),
        })
    }

    /// Takes one slot for `user`, or says which limit is reached.
    pub fn acquire(self: &Arc<Self>, user: &Arc<str>) -> Result<Permit, LimitReached> {
        let mut counts = self.counts.lock().map_err(|_| self.total_reached())?;
        if counts.total >= self.max_total {
            return Err(self.total_reached());
        }
        let mine = counts.per_user.get(user).copied().unwrap_or(0);
        if mine >= self.max_per_user {
            return Err(LimitReached::PerUser {
                kind: self.kind,
                key: self.keys.1,
                max: self.max_per_user,
            });
        }
        counts.total += 1;
        *counts.per_user.entry(user.clone()).or_insert(0) += 1;
        Ok(Permit {
            limiter: self.clone(),
            user: user.clone(),
        })
    }

    fn total_reached(&self) -> LimitReached {
        LimitReached::Total {
            kind: self.kind,
            key: self.keys.0,
            max: self.max_total,
        }
    }

    /// Slots held overall.
    pub fn total(&self) -> usize {
        self.counts.lock().map(|c| c.total).unwrap_or(0)
    }

    /// Slots held by `user`.
    pub fn held_by(&self, user: &str) -> usize {
        self.counts
            .lock()
            .ok()
            .and_then(|c| c.per_user.get(user).copied())
            .unwrap_or(0)
    }
}

impl LimitReached {
    /// The HTTP answer: 429 when the user holds too many, 503 when the server does, each with
    /// a JSON-RPC error body saying what to do.
    pub fn response(&self, hint: &str) -> HttpResponse {
        let mut response = match self {
            LimitReached::PerUser { .. } => HttpResponse::TooManyRequests(),
            LimitReached::Total { .. } => HttpResponse::ServiceUnavailable(),
        };
        response
            .insert_header((header::RETRY_AFTER, "30"))
            .json(serde_json::json!({
                "jsonrpc": "2.0",
                "id": null,
                "error": {
                    "code": -32000,
                    "message": format!("{self}; {hint}"),
                }
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> Arc<str> {
        Arc::from(name)
    }

    #[test]
    fn per_user_and_total_caps_and_release_on_drop() {
        let limiter = Limiter::new("session", ("server.max_sessions", "per_user_key"), 3, 2);
        let alice = user("alice");
        let bob = user("bob");
        let a1 = limiter.acquire(&alice).unwrap();
        let _a2 = limiter.acquire(&alice).unwrap();
        assert!(matches!(
            limiter.acquire(&alice),
            Err(LimitReached::PerUser { max: 2, .. })
        ));
        let _b1 = limiter.acquire(&bob).unwrap();
        assert!(matches!(
            limiter.acquire(&bob),
            Err(LimitReached::Total { max: 3, .. })
        ));
        assert_eq!(limiter.total(), 3);
        drop(a1);
        assert_eq!(limiter.held_by("alice"), 1);
        assert!(limiter.acquire(&bob).is_ok());
    }

    #[test]
    fn refusals_answer_429_or_503_with_a_jsonrpc_error() {
        let per_user = LimitReached::PerUser {
            kind: "session",
            key: "server.max_sessions_per_user",
            max: 1,
        };
        assert_eq!(per_user.response("close one").status().as_u16(), 429);
        let total = LimitReached::Total {
            kind: "session",
            key: "server.max_sessions",
            max: 1,
        };
        assert_eq!(total.response("later").status().as_u16(), 503);
        assert!(total.to_string().contains("server.max_sessions"));
    }
}
