//! The HTTP client every Nextcloud API module uses: one shared connection pool, a
//! per-user view with that user's credentials, 429 retries, bounded bodies and one
//! error type naming the call.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::StreamExt;
use mini_moka::sync::Cache;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use url::Url;

use super::error::{ErrorKind, NcResult, NextcloudError, RejectedCredentials};
use crate::config::NextcloudConfig;

/// Largest body read into memory from a non-streaming call.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How a request authenticates to Nextcloud. Debug output never shows the secret.
#[derive(Clone)]
pub enum Credentials {
    /// A user's OAuth bearer token.
    Bearer(Arc<str>),
    /// Login name and app password.
    Basic {
        /// Login name.
        username: Arc<str>,
        /// App password.
        password: Arc<str>,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
        }
    }
}

/// An HTTP client with the `nextcloud:` section's timeouts and CA bundle, never following
/// redirects (one could carry a user's token to another host). `verify_tls: false`
/// disables certificate checks: pass `config.verify_tls` for Nextcloud's own host only.
pub fn http_client(config: &NextcloudConfig, verify_tls: bool) -> Result<reqwest::Client, String> {
    ClientRecipe::new(config, verify_tls)?.build()
}

/// What an HTTP client for Nextcloud is built from: the `nextcloud:` section's settings, with
/// the CA bundle read once, so more clients can be built later without touching the disk.
struct ClientRecipe {
    timeout: Duration,
    connect_timeout: Duration,
    verify_tls: bool,
    extra_roots: Vec<reqwest::Certificate>,
}

impl ClientRecipe {
    fn new(config: &NextcloudConfig, verify_tls: bool) -> Result<Self, String> {
        let mut extra_roots = Vec::new();
        if let Some(bundle) = &config.ca_bundle {
            let pem =
                std::fs::read(bundle).map_err(|e| format!("nextcloud.ca_bundle {bundle}: {e}"))?;
            extra_roots = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("nextcloud.ca_bundle {bundle}: {e}"))?;
        }
        Ok(Self {
            timeout: Duration::from_secs(config.timeout.max(1)),
            connect_timeout: Duration::from_secs(config.connect_timeout.max(1)),
            verify_tls,
            extra_roots,
        })
    }

    fn build(&self) -> Result<reqwest::Client, String> {
        let mut builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            // Below the 5 s keep-alive of Apache and uvicorn, so an idle pooled connection is
            // dropped here before the server closes it under a request.
            .pool_idle_timeout(Duration::from_secs(4))
            .tcp_nodelay(true)
            .user_agent(concat!("nextcloud-mcp/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .danger_accept_invalid_certs(!self.verify_tls);
        for cert in &self.extra_roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }
}

/// One connection pool per thread that calls Nextcloud.
///
/// A pooled connection's I/O task runs on the worker thread that opened it. With one pool
/// shared by all actix workers, a call made on one worker often rode a connection owned by
/// another, and each call then crossed threads twice (a wake-up and its system calls each
/// way). Each worker now keeps its own connections; the pool built at start serves threads
/// whose own client could not be built.
struct ThreadPools {
    recipe: ClientRecipe,
    shared: reqwest::Client,
    per_thread: thread_local::ThreadLocal<reqwest::Client>,
}

impl ThreadPools {
    fn new(config: &NextcloudConfig) -> Result<Self, String> {
        let recipe = ClientRecipe::new(config, config.verify_tls)?;
        let shared = recipe.build()?;
        Ok(Self {
            recipe,
            shared,
            per_thread: thread_local::ThreadLocal::new(),
        })
    }

    /// This thread's client (built on its first call).
    fn for_this_thread(&self) -> &reqwest::Client {
        match self.per_thread.get_or_try(|| self.recipe.build()) {
            Ok(client) => client,
            Err(reason) => {
                log::debug!("per-thread HTTP client: {reason}; using the shared pool");
                &self.shared
            }
        }
    }
}

/// Told when Nextcloud answers HTTP 401 to a call made with a user's bearer token, so
/// whoever vouched for the token (the verifier's cache) stops trusting it at once. One
/// listener serves every API module and tool, because every call goes through
/// [`NextcloudClient::send`].
pub trait BearerRejectionListener: Send + Sync {
    /// Nextcloud refused `token`.
    fn bearer_rejected(&self, token: &str);
}

/// State shared by all users: the connection pool, base URL and per-user caches.
pub struct NextcloudShared {
    pools: ThreadPools,
    base: Url,
    max_retries: u32,
    bearer_rejected: OnceLock<Arc<dyn BearerRejectionListener>>,
    /// DAV user id by credential hash.
    pub(crate) dav_ids: Cache<String, String>,
    /// OCS capabilities by credential hash.
    pub(crate) capabilities: Cache<String, Arc<serde_json::Value>>,
    /// Presence of apps without capabilities (Mail, News) by credential hash + app id.
    pub(crate) app_probes: Cache<String, bool>,
}

impl NextcloudShared {
    /// Builds the pool from the `nextcloud:` config section.
    pub fn new(config: &NextcloudConfig) -> Result<Arc<Self>, String> {
        let pools = ThreadPools::new(config)?;
        let mut base = config.url.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(Arc::new(Self {
            pools,
            base,
            max_retries: config.max_retries,
            bearer_rejected: OnceLock::new(),
            dav_ids: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
            capabilities: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(30))
                .build(),
            app_probes: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(300))
                .build(),
        }))
    }

    /// Nextcloud's base URL (with a trailing slash).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The HTTP client built at start, shared by all threads (OIDC calls to the same
    /// Nextcloud, health checks); API calls use their thread's own pool.
    pub fn http(&self) -> &reqwest::Client {
        &self.pools.shared
    }

    /// Registers the listener told about bearer tokens Nextcloud refuses (set once, at start).
    pub fn on_bearer_rejected(&self, listener: Arc<dyn BearerRejectionListener>) {
        if self.bearer_rejected.set(listener).is_err() {
            log::warn!("a bearer rejection listener was already registered; keeping the first");
        }
    }

    /// A client acting with these credentials.
    pub fn client(self: &Arc<Self>, credentials: Credentials) -> NextcloudClient {
        NextcloudClient {
            shared: self.clone(),
            credentials,
        }
    }
}

/// A view of Nextcloud as one user. Cheap to create per request.
#[derive(Clone)]
pub struct NextcloudClient {
    shared: Arc<NextcloudShared>,
    credentials: Credentials,
}

impl NextcloudClient {
    pub(crate) fn shared(&self) -> &NextcloudShared {
        &self.shared
    }

    /// A stable key for per-user caches that never contains the secret itself.
    pub fn credential_key(&self) -> String {
        let mut hasher = Sha256::new();
        match &self.credentials {
            Credentials::Bearer(token) => {
                hasher.update(b"bearer:");
                hasher.update(token.as_bytes());
            }
            Credentials::Basic { username, password } => {
                hasher.update(b"basic:");
                hasher.update(username.as_bytes());
                hasher.update(b":");
                hasher.update(password.as_bytes());
            }
        }
        hex::encode(hasher.finalize())
    }

    /// The login name for basic credentials.
    pub fn login_name(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Basic { username, .. } => Some(username),
            Credentials::Bearer(_) => None,
        }
    }

    /// The absolute URL of a server path such as `/remote.php/dav/` or `/index.php/apps/notes/...`.
    /// Paths are relative to Nextcloud's base, so installs under a sub-path work.
    pub fn url(&self, path: &str) -> Url {
        let relative = path.trim_start_matches('/');
        self.shared
            .base
            .join(relative)
            .unwrap_or_else(|_| self.shared.base.clone())
    }

    /// The URL path (without host) of a server path, as Nextcloud reports hrefs.
    pub fn server_path(&self, path: &str) -> String {
        self.url(path).path().to_string()
    }

    /// Starts a request to a server path with this user's credentials.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let builder = self
            .shared
            .pools
            .for_this_thread()
            .request(method, self.url(path));
        match &self.credentials {
            Credentials::Bearer(token) => builder.bearer_auth(token),
            Credentials::Basic { username, password } => {
                builder.basic_auth(username, Some(password))
            }
        }
    }

    /// Starts a request to an app route, under `/index.php/apps/...` so installs without
    /// pretty URLs work.
    pub fn app_request(&self, method: Method, app_path: &str) -> RequestBuilder {
        self.request(method, &app_url(app_path))
    }

    /// Sends a request; retries 429 after Retry-After; maps error statuses to [`NextcloudError`].
    /// Counted in the metrics by API and final status.
    pub async fn send(&self, call: &str, request: RequestBuilder) -> NcResult<Response> {
        let started = std::time::Instant::now();
        let result = self.send_with_retries(call, request).await;
        let (status, timeout) = match &result {
            Ok(response) => (Some(response.status().as_u16()), false),
            Err(err) => (err.status(), matches!(err.kind, ErrorKind::Timeout)),
        };
        crate::metrics::nextcloud_request(call, status, timeout, started.elapsed());
        result
    }

    async fn send_with_retries(&self, call: &str, request: RequestBuilder) -> NcResult<Response> {
        let mut current = request;
        let mut attempt = 0;
        loop {
            let retry = current.try_clone();
            let response = match request_send(call, current).await {
                Ok(response) => response,
                // A pooled keep-alive connection the server closed just as the request went out:
                // an idempotent request is sent once more on a fresh connection.
                Err(err)
                    if attempt == 0
                        && matches!(err.kind, ErrorKind::Unreachable(_))
                        && let Some(next) = retry.as_ref().and_then(|r| r.try_clone())
                        && next
                            .try_clone()
                            .and_then(|r| r.build().ok())
                            .is_some_and(|r| {
                                matches!(
                                    r.method().as_str(),
                                    "GET" | "HEAD" | "PROPFIND" | "REPORT"
                                )
                            }) =>
                {
                    attempt += 1;
                    log::debug!("{call}: connection failed ({}), retrying once", err.kind);
                    request_send(call, next).await?
                }
                Err(err) => return Err(err),
            };
            let status = response.status();
            if status == StatusCode::TOO_MANY_REQUESTS
                && attempt < self.shared.max_retries
                && let Some(next) = retry
            {
                attempt += 1;
                let wait =
                    retry_after(&response).unwrap_or(Duration::from_secs(1 << attempt.min(4)));
                log::info!(
                    "{call}: rate limited by Nextcloud, retry {attempt} in {}s",
                    wait.as_secs()
                );
                tokio::time::sleep(wait.min(Duration::from_secs(30))).await;
                current = next;
                continue;
            }
            if status.is_success() || status == StatusCode::NOT_MODIFIED {
                return Ok(response);
            }
            let error = error_from_response(call, response).await;
            if status == StatusCode::UNAUTHORIZED {
                return Err(self.credentials_rejected(error));
            }
            return Err(error);
        }
    }

    /// Nextcloud refused this request's credentials: a bearer token is reported to the
    /// listener (so the next MCP request with it is challenged), and the error says which
    /// credentials were refused so its advice fits the auth mode.
    fn credentials_rejected(&self, error: NextcloudError) -> NextcloudError {
        match &self.credentials {
            Credentials::Bearer(token) => {
                log::info!(
                    "{}: Nextcloud refused the caller's bearer token",
                    error.call
                );
                if let Some(listener) = self.shared.bearer_rejected.get() {
                    listener.bearer_rejected(token);
                }
                error.with_rejected(RejectedCredentials::Bearer)
            }
            Credentials::Basic { .. } => error.with_rejected(RejectedCredentials::Basic),
        }
    }

    /// Reads a whole body, bounded by [`MAX_BODY_BYTES`].
    pub async fn read_body(&self, call: &str, response: Response) -> NcResult<Vec<u8>> {
        read_limited(call, response, MAX_BODY_BYTES).await
    }

    /// Calls a plain-JSON app route (`/apps/...`, served under `/index.php/`) with
    /// `OCS-APIRequest: true` (without it AppFramework's CSRF check answers 412 and `#[CORS]`
    /// routes refuse bearer tokens) and decodes the answer; `body` is sent as JSON.
    pub async fn app_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> NcResult<T> {
        let call = format!(
            "{method} {}",
            app_url(path.split('?').next().unwrap_or(path))
        );
        let mut request = self
            .app_request(method, path)
            .header("OCS-APIRequest", "true");
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.json(&call, request).await
    }

    /// Sends and decodes a JSON answer.
    pub async fn json<T: DeserializeOwned>(
        &self,
        call: &str,
        request: RequestBuilder,
    ) -> NcResult<T> {
        let response = self
            .send(call, request.header("Accept", "application/json"))
            .await?;
        let bytes = self.read_body(call, response).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| NextcloudError::new(call, ErrorKind::Decode(format!("invalid JSON: {e}"))))
    }
}

/// `/apps/x` → `/index.php/apps/x`; other paths unchanged.
pub fn app_url(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.starts_with("apps/") {
        format!("/index.php/{trimmed}")
    } else {
        format!("/{trimmed}")
    }
}

async fn request_send(call: &str, request: RequestBuilder) -> NcResult<Response> {
    request.send().await.map_err(|err| {
        // The request could not even be built: a user-supplied value (an etag for If-Match,
        // a name in Destination) holds characters a header cannot carry, such as CR/LF.
        let kind = if err.is_builder() {
            ErrorKind::Invalid(
                "an argument contains characters that cannot be sent to Nextcloud (such as a line break or other control character); remove them and call again".into(),
            )
        } else if err.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Unreachable(super::connect_error::describe_connection_error(&err))
        };
        NextcloudError::new(call, kind)
    })
}

/// The innermost message of an error chain (e.g. "Connection refused" of a reqwest error).
pub fn root_cause(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        message = inner.to_string();
        source = inner.source();
    }
    message
}

fn retry_after(response: &Response) -> Option<Duration> {
    response
        .headers()
        .get("Retry-After")?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// The most [`read_limited`] reserves up front from a `Content-Length`; a larger answer grows
/// from there as it arrives.
const PRESIZE_CAP: usize = 8 * 1024 * 1024;

/// Reads a body up to `limit` bytes.
pub async fn read_limited(call: &str, response: Response, limit: usize) -> NcResult<Vec<u8>> {
    // Sized once from Content-Length (a 300 KB multistatus otherwise grows through ~17
    // reallocations and copies); capped, so a false length cannot reserve much.
    let announced = response
        .content_length()
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut out = Vec::with_capacity(announced.min(limit).min(PRESIZE_CAP));
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let kind = if e.is_timeout() {
                ErrorKind::Timeout
            } else {
                ErrorKind::Unreachable(root_cause(&e))
            };
            NextcloudError::new(call, kind)
        })?;
        if out.len() + chunk.len() > limit {
            return Err(NextcloudError::new(
                call,
                ErrorKind::Decode(format!("answer larger than {limit} bytes")),
            ));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Builds the error for a non-success answer, with Nextcloud's own message when it gave one.
pub async fn error_from_response(call: &str, response: Response) -> NextcloudError {
    let status = response.status().as_u16();
    let body = read_limited(call, response, 64 * 1024)
        .await
        .unwrap_or_default();
    let (ocs_status, message) = error_message(&body);
    NextcloudError::new(
        call,
        ErrorKind::Status {
            status,
            ocs_status,
            message,
        },
    )
}

/// Extracts a message from an OCS envelope, a Sabre error or a JSON `message` field.
pub fn error_message(body: &[u8]) -> (Option<u16>, Option<String>) {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some(meta) = json.pointer("/ocs/meta") {
            let code = meta
                .get("statuscode")
                .and_then(|c| c.as_u64())
                .map(|c| c as u16);
            // Talk and Shopping List leave meta.message empty and put the reason in data.
            let msg = meta
                .get("message")
                .and_then(|m| m.as_str())
                .filter(|m| !m.trim().is_empty())
                .map(shorten)
                .or_else(|| {
                    let data = json.pointer("/ocs/data")?;
                    data.get("message")
                        .and_then(|m| m.as_str())
                        .map(shorten)
                        .or_else(|| {
                            data.get("error")
                                .and_then(|e| e.as_str())
                                .map(|e| format!("error: {e}"))
                        })
                        .or_else(|| data.as_str().map(shorten))
                });
            return (code, msg);
        }
        let msg = json
            .get("message")
            .or_else(|| json.get("error"))
            // Cookbook: {"msg","file","line"} (file/line never shown) or a bare string.
            .or_else(|| json.get("msg"))
            .and_then(|m| m.as_str())
            .or_else(|| json.as_str())
            .map(shorten)
            .or_else(|| {
                // Mail's client errors: {"status":"fail","data":{"message","type"}}.
                let data = json.get("data")?;
                let message = data.get("message")?.as_str()?;
                Some(match data.get("type").and_then(|t| t.as_str()) {
                    Some(kind) => shorten(&format!(
                        "{message} ({})",
                        kind.rsplit('\\').next().unwrap_or(kind)
                    )),
                    None => shorten(message),
                })
            });
        return (None, msg);
    }
    if let Ok(root) = super::xml::parse(body) {
        if let Some(msg) = root.child_text(super::xml::NS_SABRE, "message") {
            return (None, Some(shorten(msg)));
        }
        if let Some(meta) = root.child("", "meta") {
            let code = meta
                .child_text("", "statuscode")
                .and_then(|c| c.trim().parse().ok());
            let msg = meta.child_text("", "message").map(shorten);
            return (code, msg);
        }
    }
    (None, None)
}

fn shorten(message: &str) -> String {
    let trimmed = message.trim();
    if trimmed.chars().count() > 300 {
        format!("{}…", trimmed.chars().take(300).collect::<String>())
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn header_with_line_break_is_an_argument_error() {
        // Port 9 (discard) is never contacted: the request cannot be built.
        let request = reqwest::Client::new()
            .get("http://127.0.0.1:9/")
            .header("If-Match", "\"a\"\r\nX-Injected: 1");
        let err = request_send("PUT x", request).await.unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Invalid(_)), "{err}");
        assert!(!err.to_string().contains("unreachable"), "{err}");
    }

    /// Answers one connection with `pieces` (together a whole HTTP/1.1 response), written one
    /// by one with a pause between, so the body arrives in several chunks. Returns its URL.
    async fn serve_once(pieces: &'static [&'static [u8]]) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            if let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0u8; 1024];
                let _ = socket.read(&mut request).await;
                for piece in pieces {
                    let _ = socket.write_all(piece).await;
                    let _ = socket.flush().await;
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
                let _ = socket.shutdown().await;
            }
        });
        url
    }

    const HEAD_11: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n";

    /// Two chunks of 6 and 5 bytes: grown chunk by chunk the buffer would end at 16 bytes.
    #[tokio::test]
    async fn a_body_with_a_length_is_read_into_one_allocation() {
        let url = serve_once(&[HEAD_11, b"hello ", b"world"]).await;
        let response = reqwest::get(url).await.expect("response");
        let body = read_limited("GET /", response, 1024).await.expect("body");
        assert_eq!(body, b"hello world");
        assert_eq!(body.capacity(), 11);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_and_a_false_length_fails_cleanly() {
        let url = serve_once(&[HEAD_11, b"hello world"]).await;
        let response = reqwest::get(url).await.expect("response");
        let err = read_limited("GET /", response, 5).await.unwrap_err();
        assert!(err.to_string().contains("larger than 5 bytes"), "{err}");

        // Announces 1 GB, sends 5 bytes: an error, and no 1 GB reservation on the way.
        let url = serve_once(&[
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\nConnection: close\r\n\r\n",
            b"hello",
        ])
        .await;
        let response = reqwest::get(url).await.expect("response");
        assert!(
            read_limited("GET /", response, MAX_BODY_BYTES)
                .await
                .is_err()
        );
    }

    /// Each thread that calls Nextcloud keeps its own connection pool, and keeps the same one.
    #[test]
    fn each_thread_gets_its_own_pool_and_keeps_it() {
        let config: NextcloudConfig =
            yaml_serde::from_str("url: http://127.0.0.1:9/").expect("config");
        let pools = ThreadPools::new(&config).expect("pools");
        let here = pools.for_this_thread() as *const reqwest::Client as usize;
        assert_eq!(here, pools.for_this_thread() as *const _ as usize);
        let there = std::thread::scope(|s| {
            s.spawn(|| pools.for_this_thread() as *const reqwest::Client as usize)
                .join()
                .expect("thread")
        });
        assert_ne!(here, there);
        assert_ne!(here, &pools.shared as *const _ as usize);
    }
}
