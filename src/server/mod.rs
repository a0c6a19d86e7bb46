//! The actix-web application: routes, middleware, transports and the server's life.

pub mod handler;
pub mod health;
pub mod middleware;
pub mod scopes;
pub mod sse;
pub mod stdio;
pub mod wellknown;

use std::sync::Arc;
use std::time::Duration;

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp_actix_web::transport::StreamableHttpService;

use crate::auth::{Authenticator, Caller};
use crate::config::Config;
use crate::nextcloud::NextcloudShared;
use crate::tools::NextcloudMcp;

/// State shared by every worker.
pub struct AppState {
    /// How requests are authenticated.
    pub auth: Arc<Authenticator>,
    /// Nextcloud connection pool.
    pub nextcloud: Arc<NextcloudShared>,
    /// This server's public URL.
    pub public_url: url::Url,
    /// Accepted Host headers.
    pub allowed_hosts: Vec<String>,
    /// Accepted Origins (empty: not checked).
    pub allowed_origins: Vec<String>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Seconds between SSE keep-alives.
    pub sse_keep_alive: u64,
    /// Open legacy SSE sessions.
    pub sse: sse::SseSessions,
    /// Last Nextcloud reachability check.
    pub reachability: health::ReachabilityCache,
    /// Cancelled when the server shuts down; ends open event streams.
    pub shutdown: rmcp_actix_web::transport::CancellationToken,
    settings: Arc<crate::config::ToolsetsConfig>,
    default_caller: Option<Caller>,
}

impl AppState {
    /// A new MCP host (one per session).
    pub fn new_host(&self, caller: Option<Caller>) -> NextcloudMcp {
        NextcloudMcp::new(
            self.nextcloud.clone(),
            caller.or_else(|| self.default_caller.clone()),
            self.settings.clone(),
        )
    }
}

/// Starts everything and serves until SIGINT/SIGTERM.
pub async fn run(config: Config) -> Result<(), ServeError> {
    crate::tools::scopes::configure(&config);
    let nextcloud = NextcloudShared::new(&config.nextcloud).map_err(ServeError::msg)?;
    let auth = Authenticator::start(&config, nextcloud.http().clone())
        .await
        .map_err(|e| ServeError::msg(e.to_string()))?;
    let default_caller = match auth.as_ref() {
        Authenticator::Basic { caller, .. } => Some(caller.clone()),
        Authenticator::OAuth(_) => None,
    };
    let shutdown = rmcp_actix_web::transport::CancellationToken::new();
    let state = web::Data::new(AppState {
        auth,
        nextcloud: nextcloud.clone(),
        public_url: config.public_url(),
        allowed_hosts: config.allowed_hosts(),
        allowed_origins: config.server.allowed_origins.clone(),
        max_body_bytes: config.server.max_body_bytes,
        sse_keep_alive: config.server.sse_keep_alive,
        sse: sse::SseSessions::default(),
        reachability: health::ReachabilityCache::default(),
        shutdown: shutdown.clone(),
        settings: Arc::new(config.toolsets.clone()),
        default_caller,
    });
    let factory_state = state.clone();
    let origins =
        (!config.server.allowed_origins.is_empty()).then(|| config.server.allowed_origins.clone());
    let mcp = StreamableHttpService::builder()
        .service_factory(Arc::new(move || Ok(factory_state.new_host(None))))
        .session_manager(Arc::new(LocalSessionManager::default()))
        .stateful_mode(config.server.stateful)
        .max_request_body_bytes(config.server.max_body_bytes)
        .allowed_hosts(config.allowed_hosts())
        .cancellation_token(shutdown.clone())
        .maybe_allowed_origins(origins)
        .sse_keep_alive(Duration::from_secs(config.server.sse_keep_alive.max(1)))
        .on_request_fn(|req, extensions| {
            use actix_web::HttpMessage;
            if let Some(caller) = req.extensions().get::<Caller>() {
                extensions.insert(caller.clone());
            }
        })
        .build();
    let body_limit = config.server.max_body_bytes;
    let listen = config.server.listen.clone();
    log::info!(
        "nextcloud-mcp {} listening on {listen}; MCP endpoint {}/mcp; Nextcloud {}",
        env!("CARGO_PKG_VERSION"),
        config.public_url().as_str().trim_end_matches('/'),
        config.nextcloud.url
    );
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(body_limit))
            .wrap(from_fn(middleware::request_log))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .route(
                "/.well-known/oauth-protected-resource",
                web::get().to(wellknown::root),
            )
            .route(
                "/.well-known/oauth-protected-resource/mcp",
                web::get().to(wellknown::mcp),
            )
            .service(
                web::scope("/sse")
                    .wrap(from_fn(middleware::require_auth))
                    .wrap(from_fn(middleware::check_host))
                    .route("", web::get().to(sse::open)),
            )
            .service(
                web::scope("/messages")
                    .wrap(from_fn(scopes::step_up))
                    .wrap(from_fn(middleware::require_auth))
                    .wrap(from_fn(middleware::guard_body))
                    .wrap(from_fn(middleware::check_host))
                    .route("", web::post().to(sse::post))
                    .route("/", web::post().to(sse::post)),
            )
            .service(
                web::scope("/mcp")
                    .wrap(from_fn(scopes::step_up))
                    .wrap(from_fn(middleware::require_auth))
                    .wrap(from_fn(middleware::guard_body))
                    .wrap(from_fn(middleware::check_host))
                    .service(mcp.clone().scope()),
            )
    })
    .on_connect(|conn, _ext| {
        // Without TCP_NODELAY small SSE writes wait ~40 ms for delayed ACKs.
        if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
            let _ = tcp.set_nodelay(true);
        }
    })
    .shutdown_timeout(config.server.shutdown_timeout)
    .disable_signals()
    .bind(&listen)
    .map_err(|e| ServeError::msg(format!("cannot listen on {listen} (server.listen): {e}")))?
    .run();
    let handle = server.handle();
    let on_signal = shutdown.clone();
    actix_rt::spawn(async move {
        wait_for_signal().await;
        log::info!("shutting down: closing event streams, finishing in-flight requests");
        // Event streams never end by themselves; cancel them first so the graceful stop
        // only waits for real work.
        on_signal.cancel();
        handle.stop(true).await;
    });
    let result = server.await;
    shutdown.cancel();
    result.map_err(|e| ServeError::msg(e.to_string()))
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A failure that stops the server, with a message for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ServeError(String);

impl ServeError {
    /// Wraps a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
