//! The legacy HTTP+SSE transport (MCP 2024-11-05) for older clients: `GET /sse` opens an
//! event stream whose first event names the endpoint to POST messages to
//! (`/messages?sessionId=...`). Built on rmcp's `Transport` trait; each session is bound
//! to the user who opened it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use bytes::Bytes;
use futures::StreamExt;
use rmcp::model::{ClientJsonRpcMessage, GetExtensions, JsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::{RoleServer, ServiceExt};
use tokio::sync::mpsc;

use super::AppState;
use super::limits::{Limiter, Permit};
use crate::auth::Caller;

/// Open SSE sessions by id, capped per user and overall.
pub struct SseSessions {
    sessions: Mutex<HashMap<String, SseSession>>,
    limiter: Arc<Limiter>,
}

struct SseSession {
    user_id: Arc<str>,
    inbound: mpsc::Sender<ClientJsonRpcMessage>,
    _permit: Permit,
}

impl SseSessions {
    /// No stream open; at most `max_total` streams overall and `max_per_user` per user.
    pub fn new(max_total: usize, max_per_user: usize) -> Self {
        Self {
            sessions: Mutex::new(HashMap::new()),
            limiter: Limiter::new(
                "SSE stream",
                ("server.max_sse_streams", "server.max_sse_streams_per_user"),
                max_total,
                max_per_user,
            ),
        }
    }

    /// Number of open sessions.
    pub fn len(&self) -> usize {
        self.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// True when no session is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// rmcp transport over two channels: messages posted to /messages come in, server
/// messages go out to the event stream.
struct ChannelTransport {
    inbound: mpsc::Receiver<ClientJsonRpcMessage>,
    outbound: mpsc::Sender<ServerJsonRpcMessage>,
}

impl Transport<RoleServer> for ChannelTransport {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let outbound = self.outbound.clone();
        async move {
            outbound.send(item).await.map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "SSE stream closed")
            })
        }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        self.inbound.recv().await
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.inbound.close();
        Ok(())
    }
}

/// Removes the session when its event stream ends.
struct SessionGuard {
    id: String,
    state: web::Data<AppState>,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        if let Ok(mut sessions) = self.state.sse.sessions.lock() {
            sessions.remove(&self.id);
        }
        log::debug!("SSE session closed");
    }
}

/// `GET /sse`: opens a session and streams its messages.
pub async fn open(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return HttpResponse::Unauthorized().finish();
    };
    let permit = match state.sse.limiter.acquire(&caller.user_id) {
        Ok(permit) => permit,
        Err(limit) => {
            return limit.response(
                "close unused SSE connections, or use the streamable HTTP endpoint /mcp",
            );
        }
    };
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (inbound_tx, inbound_rx) = mpsc::channel(64);
    let (outbound_tx, outbound_rx) = mpsc::channel::<ServerJsonRpcMessage>(64);
    if let Ok(mut sessions) = state.sse.sessions.lock() {
        sessions.insert(
            id.clone(),
            SseSession {
                user_id: caller.user_id.clone(),
                inbound: inbound_tx,
                _permit: permit,
            },
        );
    }
    let host = state.new_host(None);
    let transport = ChannelTransport {
        inbound: inbound_rx,
        outbound: outbound_tx,
    };
    tokio::spawn(async move {
        match host.serve(transport).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(err) => log::info!("an SSE session ended before initialization: {err}"),
        }
    });
    let endpoint = format!("event: endpoint\ndata: /messages?sessionId={id}\n\n");
    let guard = SessionGuard {
        id,
        state: state.clone(),
    };
    let keep_alive = Duration::from_secs(state.sse_keep_alive.max(1));
    // The stream ends when the session ends: a final None stops it.
    let messages = tokio_stream::wrappers::ReceiverStream::new(outbound_rx)
        .map(|message| {
            let json = serde_json::to_string(&message).unwrap_or_else(|_| "{}".into());
            Some(Bytes::from(format!("event: message\ndata: {json}\n\n")))
        })
        .chain(futures::stream::once(async { None }));
    let pings = tokio_stream::wrappers::IntervalStream::new(tokio::time::interval_at(
        tokio::time::Instant::now() + keep_alive,
        keep_alive,
    ))
    .map(|_| Some(Bytes::from_static(b": keep-alive\n\n")));
    let body = futures::stream::once(async move { Bytes::from(endpoint) })
        .chain(
            futures::stream::select(messages, pings)
                .take_while(|item| futures::future::ready(item.is_some()))
                .filter_map(futures::future::ready),
        )
        .take_until(state.shutdown.clone().cancelled_owned())
        .map(move |bytes| {
            let _ = &guard;
            Ok::<_, actix_web::Error>(bytes)
        });
    HttpResponse::Ok()
        .insert_header(("Content-Type", "text/event-stream"))
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}

/// The query of `POST /messages`.
#[derive(serde::Deserialize)]
pub struct SessionQuery {
    #[serde(rename = "sessionId")]
    session_id: String,
}

/// `POST /messages?sessionId=...`: delivers one JSON-RPC message to the session.
pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SessionQuery>,
    body: web::Bytes,
) -> HttpResponse {
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return HttpResponse::Unauthorized().finish();
    };
    let inbound = {
        let Ok(sessions) = state.sse.sessions.lock() else {
            return HttpResponse::InternalServerError().finish();
        };
        // Another user's session is answered exactly like an unknown one (no existence oracle).
        match sessions.get(&query.session_id) {
            Some(session) if session.user_id == caller.user_id => session.inbound.clone(),
            _ => {
                return HttpResponse::NotFound().body(
                    "Not Found: unknown or closed SSE session; open a new one with GET /sse",
                );
            }
        }
    };
    let mut message: ClientJsonRpcMessage = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(err) => {
            return HttpResponse::BadRequest().json(serde_json::json!({
                "jsonrpc": "2.0", "id": null,
                "error": {"code": -32700, "message": format!("parse error: {err}")}
            }));
        }
    };
    if let JsonRpcMessage::Request(request) = &mut message {
        request.request.extensions_mut().insert(caller);
    }
    match inbound.send(message).await {
        Ok(()) => HttpResponse::Accepted().finish(),
        Err(_) => HttpResponse::Gone()
            .body("Gone: the SSE session has ended; open a new one with GET /sse"),
    }
}
