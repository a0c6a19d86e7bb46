//! The actix-web application: routes, middleware, transports and the server's life.

pub mod exposure;
pub mod first_event;
pub mod handler;
pub mod health;
pub mod limits;
pub mod memory;
pub mod metered;
pub mod metrics_http;
pub mod middleware;
pub mod scopes;
pub mod sessions;
pub mod sse;
pub mod stdio;
pub mod wellknown;

use std::sync::Arc;
use std::time::Duration;

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
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
    /// Owners of open stateful `/mcp` sessions (None when serving statelessly).
    pub sessions: Option<Arc<sessions::SessionRegistry>>,
    /// Last Nextcloud reachability check.
    pub reachability: health::ReachabilityCache,
    /// Cancelled when the server shuts down; ends open event streams.
    pub shutdown: rmcp_actix_web::transport::CancellationToken,
    settings: Arc<crate::config::ToolsetsConfig>,
    /// The served tools, built once at start and shared by every session.
    tool_router: Arc<rmcp::handler::server::router::tool::ToolRouter<NextcloudMcp>>,
    /// `tool_router`'s tools in tools/list order, built once for all sessions.
    tool_list: Arc<crate::tools::visibility::ToolList>,
    default_caller: Option<Caller>,
    /// The scope policy this server enforces (`auth.oauth.scopes.enforce`); None when off.
    pub scope_policy: Option<Arc<crate::config::ScopesConfig>>,
}

impl AppState {
    /// A new MCP host (one per session) on the shared tool router, measured (metrics,
    /// tool-call log lines).
    pub fn new_host(&self, caller: Option<Caller>) -> metered::Metered {
        metered::Metered::new(
            NextcloudMcp::with_router(
                self.nextcloud.clone(),
                caller.or_else(|| self.default_caller.clone()),
                self.settings.clone(),
                self.tool_router.clone(),
                self.tool_list.clone(),
            )
            .with_scope_policy(self.scope_policy.clone()),
        )
    }
}

/// Starts everything and serves until SIGINT/SIGTERM.
pub async fn run(config: Config) -> Result<(), ServeError> {
    exposure::check_basic_exposure(&config).map_err(ServeError::msg)?;
    let nextcloud = NextcloudShared::new(&config.nextcloud).map_err(ServeError::msg)?;
    let auth = Authenticator::start(&config, nextcloud.http().clone())
        .await
        .map_err(|e| ServeError::msg(e.to_string()))?;
    if let Some(oauth) = auth.oauth() {
        // A token Nextcloud refuses is dropped from the verifier's cache at once.
        nextcloud.on_bearer_rejected(oauth.clone());
    }
    let default_caller = match auth.as_ref() {
        Authenticator::Basic { caller, .. } => Some(caller.clone()),
        Authenticator::OAuth(_) => None,
    };
    let shutdown = rmcp_actix_web::transport::CancellationToken::new();
    // Basic mode has one identity for everybody: only the overall caps mean anything there.
    let per_user = |cap: usize, total: usize| if default_caller.is_some() { total } else { cap };
    let session_registry = Arc::new(sessions::SessionRegistry::new(
        config.server.max_sessions,
        per_user(
            config.server.max_sessions_per_user,
            config.server.max_sessions,
        ),
        Duration::from_secs(config.server.session_idle_timeout.max(1)),
    ));
    let preloaded_schemas = crate::tools::catalogue::preload();
    let state = web::Data::new(AppState {
        auth,
        nextcloud: nextcloud.clone(),
        public_url: config.public_url(),
        allowed_hosts: config.allowed_hosts(),
        allowed_origins: config.server.allowed_origins.clone(),
        max_body_bytes: config.server.max_body_bytes,
        sse_keep_alive: config.server.sse_keep_alive,
        sse: sse::SseSessions::new(
            config.server.max_sse_streams,
            per_user(
                config.server.max_sse_streams_per_user,
                config.server.max_sse_streams,
            ),
        ),
        sessions: config.server.stateful.then(|| session_registry.clone()),
        reachability: health::ReachabilityCache::default(),
        shutdown: shutdown.clone(),
        settings: Arc::new(config.toolsets.clone()),
        tool_router: Arc::new(crate::tools::registry::build_router(&config.toolsets)),
        tool_list: Arc::default(),
        default_caller,
        scope_policy: crate::tools::scopes::enforced_policy(&config),
    });
    // The tools/list order is built now, so no session's first tools/list pays for it.
    state.tool_list.tools(&state.tool_router);
    actix_rt::spawn(health::check_credentials_at_start(state.clone()));
    let factory_state = state.clone();
    let origins =
        (!config.server.allowed_origins.is_empty()).then(|| config.server.allowed_origins.clone());
    let mcp = StreamableHttpService::builder()
        .service_factory(Arc::new(move || Ok(factory_state.new_host(None))))
        .session_manager(Arc::new(sessions::OwnedSessionManager::new(
            session_registry,
        )))
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
    let metrics_config = config.metrics.clone();
    let metrics_server = metrics_http::listener(&config.metrics)?;
    let listen = config.server.listen.clone();
    log::info!(
        "nextcloud-mcp {} listening on {listen}; MCP endpoint {}/mcp; Nextcloud {}",
        env!("CARGO_PKG_VERSION"),
        config.public_url().as_str().trim_end_matches('/'),
        crate::config::redacted_url(&config.nextcloud.url)
    );
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(body_limit))
            .wrap(from_fn(middleware::request_log))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .configure(|cfg| metrics_http::routes(cfg, &metrics_config))
            .route(
                "/.well-known/oauth-protected-resource",
                web::get().to(wellknown::root),
            )
            .route(
                "/.well-known/oauth-protected-resource/mcp",
                web::get().to(wellknown::mcp),
            )
            .route(
                "/.well-known/oauth-protected-resource/sse",
                web::get().to(wellknown::sse),
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
                    .wrap(from_fn(first_event::head_with_first_message))
                    .wrap(from_fn(scopes::step_up))
                    .wrap(from_fn(sessions::guard))
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
    .workers(config.server.workers)
    .shutdown_timeout(config.server.shutdown_timeout)
    .disable_signals()
    .bind(&listen)
    .map_err(|e| ServeError::msg(format!("cannot listen on {listen} (server.listen): {e}")))?
    .run();
    // The tool-to-toolset map is built from every toolset's schemas on first use (the first
    // tools/list); built now, its garbage goes back to the OS with the rest of start-up's.
    let _ = crate::tools::registry::toolset_of("");
    drop(preloaded_schemas);
    memory::release_freed_memory();
    let handle = server.handle();
    let metrics_handle = metrics_server.as_ref().map(|s| s.handle());
    if let Some(metrics_server) = metrics_server {
        actix_rt::spawn(metrics_server);
    }
    let on_signal = shutdown.clone();
    actix_rt::spawn(async move {
        wait_for_signal().await;
        if let Some(metrics) = metrics_handle {
            metrics.stop(true).await;
        }
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
