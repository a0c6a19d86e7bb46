//! Stateful streamable-HTTP sessions bound to the identity that created them, and capped.
//!
//! rmcp's [`LocalSessionManager`] knows sessions only by id: anyone holding an id could post
//! into the session, resume its event streams (stealing in-flight results) or delete it.
//! [`OwnedSessionManager`] wraps it and records the creating caller of every session (taken
//! from the request being served, through a task-local set by [`guard`]) together with a
//! [`Permit`] of the session caps. [`guard`] runs before rmcp on every `/mcp` request that
//! names a session: a session that is unknown, closed or owned by another identity gets the
//! same 404 as rmcp's own "unknown session" answer, so ids are no oracle. The entry (and
//! its permit) goes away when rmcp closes the session: `DELETE`, idle expiry, end of the
//! handler or shutdown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use futures::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionManager, LocalSessionManagerError,
};
use rmcp::transport::streamable_http_server::session::{
    EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};

use super::AppState;
use super::limits::{LimitReached, Limiter, Permit};
use crate::auth::Caller;

/// The body rmcp answers for an unknown session; foreign sessions get exactly this.
pub const UNKNOWN_SESSION_BODY: &str = "Not Found: Session not found";

/// The HTTP header naming the session.
const SESSION_HEADER: &str = "mcp-session-id";

struct Owned {
    owner: Arc<str>,
    _permit: Permit,
}

/// Who owns which open session.
pub struct SessionRegistry {
    sessions: Mutex<HashMap<Arc<str>, Owned>>,
    limiter: Arc<Limiter>,
    idle_timeout: std::time::Duration,
}

impl SessionRegistry {
    /// A registry enforcing `max_total` sessions overall and `max_per_user` per identity.
    pub fn new(max_total: usize, max_per_user: usize, idle_timeout: std::time::Duration) -> Self {
        Self {
            sessions: Mutex::new(HashMap::new()),
            limiter: Limiter::new(
                "session",
                ("server.max_sessions", "server.max_sessions_per_user"),
                max_total,
                max_per_user,
            ),
            idle_timeout,
        }
    }

    /// True when `id` is open and was created by `user`.
    pub fn owned_by(&self, id: &str, user: &str) -> bool {
        self.sessions
            .lock()
            .ok()
            .and_then(|s| s.get(id).map(|o| &*o.owner == user))
            .unwrap_or(false)
    }

    /// Open sessions overall.
    pub fn len(&self) -> usize {
        self.limiter.total()
    }

    /// True when no session is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Open sessions of `user`.
    pub fn held_by(&self, user: &str) -> usize {
        self.limiter.held_by(user)
    }

    fn insert(&self, id: &SessionId, owner: Arc<str>, permit: Permit) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(
                Arc::from(id.as_ref()),
                Owned {
                    owner,
                    _permit: permit,
                },
            );
        }
    }

    fn remove(&self, id: &str) {
        let removed = self.sessions.lock().ok().and_then(|mut s| s.remove(id));
        drop(removed);
    }
}

/// The identity creating a session in the request being served, and whether the caps
/// refused it.
#[derive(Clone)]
struct Creator {
    user: Arc<str>,
    refused: Arc<Mutex<Option<LimitReached>>>,
}

tokio::task_local! {
    static CREATOR: Creator;
}

/// Why [`OwnedSessionManager`] refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum OwnedSessionError {
    /// The caps are reached.
    #[error(transparent)]
    Limit(#[from] LimitReached),
    /// A session was to be created outside an authenticated request.
    #[error("a session can only be created by an authenticated request")]
    NoCreator,
    /// rmcp's session manager failed.
    #[error(transparent)]
    Local(#[from] LocalSessionManagerError),
}

/// rmcp's in-memory session manager, recording owners and enforcing the caps.
pub struct OwnedSessionManager {
    inner: LocalSessionManager,
    registry: Arc<SessionRegistry>,
}

impl OwnedSessionManager {
    /// Wraps a [`LocalSessionManager`] whose idle sessions end after the registry's idle timeout.
    pub fn new(registry: Arc<SessionRegistry>) -> Self {
        let mut inner = LocalSessionManager::default();
        inner.session_config.keep_alive = Some(registry.idle_timeout);
        Self { inner, registry }
    }
}

impl SessionManager for OwnedSessionManager {
    type Error = OwnedSessionError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let creator = CREATOR
            .try_with(Clone::clone)
            .map_err(|_| OwnedSessionError::NoCreator)?;
        let permit = match self.registry.limiter.acquire(&creator.user) {
            Ok(permit) => permit,
            Err(limit) => {
                if let Ok(mut refused) = creator.refused.lock() {
                    *refused = Some(limit.clone());
                }
                return Err(limit.into());
            }
        };
        let (id, transport) = self.inner.create_session().await?;
        self.registry.insert(&id, creator.user, permit);
        Ok((id, transport))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        Ok(self.inner.initialize_session(id, message).await?)
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        Ok(self.inner.has_session(id).await?)
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        let result = self.inner.close_session(id).await;
        self.registry.remove(id);
        Ok(result?)
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(SessionManager::create_stream(&self.inner, id, message).await?)
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        Ok(self.inner.accept_message(id, message).await?)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(SessionManager::create_standalone_stream(&self.inner, id).await?)
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(SessionManager::resume(&self.inner, id, last_event_id).await?)
    }

    async fn restore_session(
        &self,
        _id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        // Sessions live in this process only; a restored session would have no owner.
        Ok(RestoreOutcome::NotSupported)
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}

/// The answer to a request naming a session the caller may not use: rmcp's own answer for
/// an unknown session, byte for byte.
pub fn unknown_session() -> HttpResponse {
    HttpResponse::NotFound().body(UNKNOWN_SESSION_BODY)
}

/// `/mcp` middleware (after authentication): requests naming a session pass only when the
/// caller created it; other requests run with the caller recorded as the creator of any
/// session they open, and a refusal by the caps becomes a 429/503 JSON-RPC error.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(registry) = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.sessions.clone())
    else {
        // Stateless mode: rmcp keeps no session.
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(user) = req.extensions().get::<Caller>().map(|c| c.user_id.clone()) else {
        return Ok(req.into_response(HttpResponse::Unauthorized().finish()));
    };
    let named = req
        .headers()
        .get(SESSION_HEADER)
        .map(|v| v.to_str().unwrap_or_default().to_string());
    if let Some(id) = named {
        if !registry.owned_by(&id, &user) {
            return Ok(req.into_response(unknown_session()));
        }
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let creator = Creator {
        user,
        refused: Arc::new(Mutex::new(None)),
    };
    let refused = creator.refused.clone();
    let response = CREATOR
        .scope(creator, next.call(req))
        .await?
        .map_into_boxed_body();
    let limit = refused.lock().ok().and_then(|mut r| r.take());
    match limit {
        Some(limit) => {
            let hint = format!(
                "close unused sessions (HTTP DELETE /mcp) or wait until idle ones expire ({}s without a request)",
                registry.idle_timeout.as_secs()
            );
            let (request, _) = response.into_parts();
            Ok(ServiceResponse::new(request, limit.response(&hint)))
        }
        None => Ok(response),
    }
}
