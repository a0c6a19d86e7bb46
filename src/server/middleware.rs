//! actix middleware: request ids and access logs, bearer authentication with RFC 9728
//! challenges, and Host/Origin checks for the SSE transport.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};

use super::AppState;
use super::wellknown::metadata_url_for;
use crate::auth::AuthFailure;
use crate::auth::challenge::www_authenticate;

/// The id of one HTTP request, for correlating log lines.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Assigns a request id (keeps a sane incoming `X-Request-Id`) and logs one line per
/// request: method, path without query string (a query could carry secrets), status, time.
pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    // What the access line needs, copied only when the line will be written.
    let access = log::log_enabled!(target: "nextcloud_mcp::access", log::Level::Info)
        .then(|| (req.method().clone(), req.path().to_string()));
    let started = std::time::Instant::now();
    let mut response =
        super::metrics_http::count_streams(next.call(req).await?.map_into_boxed_body());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), value);
    }
    if let Some((method, path)) = access {
        log::info!(
            target: "nextcloud_mcp::access",
            "request_id={id} {method} {path} {} {:.1}ms",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(response)
}

/// A fresh request id: a random (version 4) UUID in simple form. With uuid's `fast-rng`
/// feature (Cargo.toml) it comes from the thread's random generator, not from one `getrandom`
/// system call per request; rmcp's per-request stream ids take the same path.
fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Authenticates the request and stores the [`crate::auth::Caller`] in its extensions.
/// Tokens in the query string are refused: they end up in logs and browser history.
pub async fn require_auth(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.into_response(HttpResponse::InternalServerError().finish()));
    };
    if query_has_token(req.query_string()) {
        let response = HttpResponse::BadRequest().json(serde_json::json!({
            "error": "invalid_request",
            "error_description": "access tokens in the URL are not accepted; send them in the Authorization header"
        }));
        return Ok(req.into_response(response));
    }
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if header
        .as_ref()
        .is_some_and(|h| h.len() > MAX_AUTHORIZATION_BYTES)
    {
        // Refused before any cache lookup or call to the authorization server.
        let failure = AuthFailure::Invalid(format!(
            "Authorization header longer than {MAX_AUTHORIZATION_BYTES} bytes"
        ));
        let response = failure_response(&state, &failure, req.path());
        return Ok(req.into_response(response));
    }
    match state.auth.authenticate(header.as_deref()).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Err(failure) => {
            let response = failure_response(&state, &failure, req.path());
            Ok(req.into_response(response))
        }
    }
}

/// Longest accepted `Authorization` header (8 KiB token plus the scheme): real access tokens
/// are far shorter, and a longer one is refused before it costs a hash or a network call.
pub const MAX_AUTHORIZATION_BYTES: usize = 8 * 1024 + "Bearer ".len();

fn query_has_token(query: &str) -> bool {
    url::form_urlencoded::parse(query.as_bytes())
        .any(|(k, _)| k.eq_ignore_ascii_case("access_token") || k.eq_ignore_ascii_case("token"))
}

/// The answer to a failed authentication: 401 with the challenge naming the metadata of the
/// resource at `path` (`/mcp`, or `/sse` for the legacy transport), or 503 when the
/// authorization server could not be asked.
pub fn failure_response(state: &AppState, failure: &AuthFailure, path: &str) -> HttpResponse {
    match failure {
        AuthFailure::Unavailable(reason) => {
            log::warn!("token validation unavailable: {reason}");
            HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "5"))
                .json(serde_json::json!({
                    "error": "temporarily_unavailable",
                    "error_description": format!("cannot validate the token because Nextcloud's OpenID provider is unavailable: {reason}. Try again shortly.")
                }))
        }
        AuthFailure::Missing | AuthFailure::Invalid(_) => {
            let invalid = matches!(failure, AuthFailure::Invalid(_));
            if let AuthFailure::Invalid(reason) = failure {
                log::info!("rejected bearer token: {reason}");
            }
            let mut response = HttpResponse::Unauthorized();
            let description = if invalid {
                "the bearer token is invalid or expired; obtain a new one from Nextcloud"
            } else {
                "this server needs an OAuth bearer token issued by Nextcloud"
            };
            let challenge = if state.auth.oauth().is_some() {
                www_authenticate(&metadata_url_for(&state.public_url, path), invalid)
            } else if invalid {
                "Bearer realm=\"nextcloud-mcp\", error=\"invalid_token\"".to_string()
            } else {
                "Bearer realm=\"nextcloud-mcp\"".to_string()
            };
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
            response.json(serde_json::json!({
                "error": if invalid { "invalid_token" } else { "unauthorized" },
                "error_description": description
            }))
        }
    }
}

/// Refuses requests whose Host or Origin is not allowed (DNS-rebinding defence) on the
/// HTTP routes (rmcp checks /mcp again with its own, narrower rule).
pub async fn check_host(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.into_response(HttpResponse::InternalServerError().finish()));
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !host_allowed(&state.allowed_hosts, host) {
        return Ok(req.into_response(
            HttpResponse::Forbidden().body("Forbidden: Host header is not allowed"),
        ));
    }
    if let Some(origin) = req.headers().get(header::ORIGIN)
        && !origin_allowed(
            &state.allowed_origins,
            &state.allowed_hosts,
            origin.to_str().unwrap_or(""),
        )
    {
        return Ok(
            req.into_response(HttpResponse::Forbidden().body("Forbidden: Origin is not allowed"))
        );
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

type BoxedBody = std::pin::Pin<
    Box<dyn futures::Stream<Item = Result<bytes::Bytes, actix_web::error::PayloadError>>>,
>;

/// Longest pause between two chunks of a request body.
pub const BODY_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Longest time to receive a whole request body (slow-loris bodies are cut off).
pub const BODY_TOTAL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Bounds request bodies: a declared `Content-Length` over `server.max_body_bytes` gets 413 at
/// once (without reading the body), and a body must arrive within [`BODY_TOTAL_TIMEOUT`] with no
/// pause over [`BODY_IDLE_TIMEOUT`]; otherwise reading fails and the connection is closed.
pub async fn guard_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.max_body_bytes)
        .unwrap_or(usize::MAX);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared.filter(|len| *len > limit as u64) {
        return Ok(req.into_response(body_too_large(Some(len), limit)));
    }
    let payload = req.take_payload();
    req.set_payload(actix_web::dev::Payload::from(bounded_payload(
        payload,
        BODY_IDLE_TIMEOUT,
        BODY_TOTAL_TIMEOUT,
    )));
    // A body without Content-Length is stopped where it passes the limit, by whichever layer
    // reads it (the SSE handler's extractor, the MCP service, the scope check): each answers
    // 413 in its own words, so the answer is replaced by the same JSON-RPC error.
    match next.call(req).await {
        Ok(res) if res.status() == StatusCode::PAYLOAD_TOO_LARGE => Ok(ServiceResponse::new(
            res.request().clone(),
            body_too_large(None, limit),
        )),
        Ok(res) => Ok(res.map_into_boxed_body()),
        Err(err) if err.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => Err(
            actix_web::error::InternalError::from_response(err, body_too_large(None, limit)).into(),
        ),
        Err(err) => Err(err),
    }
}

/// The answer to a request body over `server.max_body_bytes` (`len` when it was declared): a
/// JSON-RPC error, so MCP clients show its message instead of a bare HTTP 413.
pub fn body_too_large(len: Option<u64>, limit: usize) -> HttpResponse {
    let size = match len {
        Some(len) => format!("the request is {len} bytes, more than this server accepts"),
        None => "the request body is larger than this server accepts".to_string(),
    };
    HttpResponse::PayloadTooLarge().json(serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {
            "code": -32600,
            "message": format!(
                "{size}: server.max_body_bytes is {limit} bytes. Tool arguments (a file to write, as text or base64) must fit in it; send less, or ask the administrator to raise server.max_body_bytes"
            ),
            "data": {"limit_bytes": limit, "config_key": "server.max_body_bytes"}
        }
    }))
}

fn bounded_payload(
    payload: actix_web::dev::Payload,
    idle: std::time::Duration,
    total: std::time::Duration,
) -> BoxedBody {
    use futures::StreamExt;
    let deadline = tokio::time::Instant::now() + total;
    Box::pin(futures::stream::unfold(
        Some(payload),
        move |state| async move {
            let mut payload = state?;
            let wait = deadline.min(tokio::time::Instant::now() + idle);
            match tokio::time::timeout_at(wait, payload.next()).await {
                Ok(Some(item)) => Some((item, Some(payload))),
                Ok(None) => None,
                Err(_) => {
                    log::warn!("request body not received in time (slow client); closing");
                    let err = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "request body not received in time",
                    );
                    Some((Err(actix_web::error::PayloadError::Io(err)), None))
                }
            }
        },
    ))
}

/// True when a browser `Origin` may call: one of `allowed_origins` when configured; otherwise
/// an http(s) origin whose host is an allowed Host (so DNS rebinding and cross-site pages are
/// refused by default; non-browser clients send no Origin at all).
pub fn origin_allowed(allowed_origins: &[String], allowed_hosts: &[String], origin: &str) -> bool {
    if !allowed_origins.is_empty() {
        return allowed_origins.iter().any(|o| o == origin);
    }
    match url::Url::parse(origin) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url
            .host_str()
            .is_some_and(|host| host_allowed(allowed_hosts, host)),
        _ => false,
    }
}

/// True when `host` (with or without port) is in `allowed` (an empty list allows all).
pub fn host_allowed(allowed: &[String], host: &str) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let bare = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) && !name.ends_with(':') => {
            name
        }
        _ => host,
    };
    let bare = bare.trim_start_matches('[').trim_end_matches(']');
    allowed
        .iter()
        .any(|a| a.eq_ignore_ascii_case(host) || a.eq_ignore_ascii_case(bare))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let allowed = vec!["mcp.example.com".to_string(), "localhost".to_string()];
        assert!(host_allowed(&allowed, "mcp.example.com"));
        assert!(host_allowed(&allowed, "localhost:8000"));
        assert!(!host_allowed(&allowed, "evil.com"));
        assert!(!host_allowed(&allowed, ""));
    }

    #[test]
    fn origins() {
        let hosts = vec!["mcp.example.com".to_string(), "localhost".to_string()];
        assert!(origin_allowed(&[], &hosts, "https://mcp.example.com"));
        assert!(origin_allowed(&[], &hosts, "http://localhost:3000"));
        assert!(!origin_allowed(&[], &hosts, "http://evil.example"));
        assert!(!origin_allowed(&[], &hosts, "null"));
        let configured = vec!["https://app.example.com".to_string()];
        assert!(origin_allowed(
            &configured,
            &hosts,
            "https://app.example.com"
        ));
        assert!(!origin_allowed(
            &configured,
            &hosts,
            "https://mcp.example.com"
        ));
    }

    #[test]
    fn request_ids_are_random_v4_uuids() {
        let a = new_request_id();
        let b = new_request_id();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.simple().to_string(), a);
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn token_in_query_detected() {
        assert!(query_has_token("a=1&access_token=x"));
        assert!(!query_has_token("sessionId=abc"));
    }
}
