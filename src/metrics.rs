//! Prometheus metrics (OpenMetrics text, `prometheus-client`): MCP requests and latency per
//! method, tool calls, latency and errors by kind per tool, Nextcloud calls by API and
//! status with latency, token-cache hits and misses, open sessions and SSE streams.
//! Label values are bounded: methods and tools come from fixed lists (anything else is
//! `other`/`unknown`), Nextcloud APIs are a path prefix, never a user path.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Content type of [`render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodOutcome {
    method: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Method {
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolOutcome {
    tool: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Tool {
    tool: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolErrorKind {
    tool: String,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiStatus {
    api: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Api {
    api: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheResult {
    result: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 5 ms .. ~41 s
    Histogram::new(exponential_buckets(0.005, 2.0, 14))
}

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    mcp_requests: Family<MethodOutcome, Counter>,
    mcp_duration: Histograms<Method>,
    tool_calls: Family<ToolOutcome, Counter>,
    tool_duration: Histograms<Tool>,
    tool_errors: Family<ToolErrorKind, Counter>,
    nextcloud_requests: Family<ApiStatus, Counter>,
    nextcloud_duration: Histograms<Api>,
    token_cache: Family<CacheResult, Counter>,
    sessions_open: Gauge,
    sse_streams_open: Gauge,
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("nextcloud_mcp");
        let metrics = Self {
            registry: Registry::default(),
            mcp_requests: Family::default(),
            mcp_duration: Family::new_with_constructor(latency_histogram),
            tool_calls: Family::default(),
            tool_duration: Family::new_with_constructor(latency_histogram),
            tool_errors: Family::default(),
            nextcloud_requests: Family::default(),
            nextcloud_duration: Family::new_with_constructor(latency_histogram),
            token_cache: Family::default(),
            sessions_open: Gauge::default(),
            sse_streams_open: Gauge::default(),
        };
        registry.register(
            "mcp_requests",
            "MCP requests by JSON-RPC method and outcome (ok, error)",
            metrics.mcp_requests.clone(),
        );
        registry.register(
            "mcp_request_duration_seconds",
            "Time to answer an MCP request, by method",
            metrics.mcp_duration.clone(),
        );
        registry.register(
            "tool_calls",
            "Tool calls by tool and outcome (ok, error)",
            metrics.tool_calls.clone(),
        );
        registry.register(
            "tool_call_duration_seconds",
            "Time a tool call took, by tool",
            metrics.tool_duration.clone(),
        );
        registry.register(
            "tool_errors",
            "Failed tool calls by tool and kind (invalid_argument, not_found, conflict, auth, forbidden, unavailable, nextcloud_error, protocol, other)",
            metrics.tool_errors.clone(),
        );
        registry.register(
            "nextcloud_requests",
            "Requests to Nextcloud by API and HTTP status (or error, timeout)",
            metrics.nextcloud_requests.clone(),
        );
        registry.register(
            "nextcloud_request_duration_seconds",
            "Time a Nextcloud request took, by API",
            metrics.nextcloud_duration.clone(),
        );
        registry.register(
            "token_cache_lookups",
            "Bearer-token verdict cache lookups by result (hit, miss)",
            metrics.token_cache.clone(),
        );
        registry.register(
            "sessions_open",
            "MCP sessions open (stateless mode: requests in progress)",
            metrics.sessions_open.clone(),
        );
        registry.register(
            "sse_streams_open",
            "Server-sent event streams open (GET /mcp and legacy /sse)",
            metrics.sse_streams_open.clone(),
        );
        Self {
            registry,
            ..metrics
        }
    }
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process's metrics.
pub fn global() -> &'static Metrics {
    &METRICS
}

/// The metrics in OpenMetrics text format (what Prometheus scrapes).
pub fn render() -> String {
    let mut out = String::new();
    if let Err(err) = prometheus_client::encoding::text::encode(&mut out, &global().registry) {
        log::warn!("cannot encode metrics: {err}");
    }
    out
}

const KNOWN_METHODS: &[&str] = &[
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
];

/// Records one answered MCP request.
pub fn mcp_request(method: &str, ok: bool, elapsed: Duration) {
    let method = if KNOWN_METHODS.contains(&method) {
        method
    } else {
        "other"
    };
    let m = global();
    m.mcp_requests
        .get_or_create(&MethodOutcome {
            method: method.into(),
            outcome: outcome(ok),
        })
        .inc();
    m.mcp_duration
        .get_or_create(&Method {
            method: method.into(),
        })
        .observe(elapsed.as_secs_f64());
}

/// Records one tool call; `tool` must be a served tool's name (or `unknown`).
pub fn tool_call(tool: &str, error_kind: Option<&'static str>, elapsed: Duration) {
    let m = global();
    m.tool_calls
        .get_or_create(&ToolOutcome {
            tool: tool.into(),
            outcome: outcome(error_kind.is_none()),
        })
        .inc();
    m.tool_duration
        .get_or_create(&Tool { tool: tool.into() })
        .observe(elapsed.as_secs_f64());
    if let Some(kind) = error_kind {
        m.tool_errors
            .get_or_create(&ToolErrorKind {
                tool: tool.into(),
                kind,
            })
            .inc();
    }
}

/// Records one Nextcloud request: `call` is `METHOD /path`, `status` the HTTP status or
/// `None` when no answer came (`timeout` tells which).
pub fn nextcloud_request(call: &str, status: Option<u16>, timeout: bool, elapsed: Duration) {
    let api = nextcloud_api(call);
    let status = match (status, timeout) {
        (Some(code), _) => code.to_string(),
        (None, true) => "timeout".into(),
        (None, false) => "error".into(),
    };
    let m = global();
    m.nextcloud_requests
        .get_or_create(&ApiStatus {
            api: api.clone(),
            status,
        })
        .inc();
    m.nextcloud_duration
        .get_or_create(&Api { api })
        .observe(elapsed.as_secs_f64());
}

/// Records a token-cache lookup.
pub fn token_cache(hit: bool) {
    global()
        .token_cache
        .get_or_create(&CacheResult {
            result: if hit { "hit" } else { "miss" },
        })
        .inc();
}

/// Counts an open item (session, stream) until dropped.
pub struct OpenGuard(&'static Gauge);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// A guard counting one open MCP session.
pub fn session_opened() -> OpenGuard {
    global().sessions_open.inc();
    OpenGuard(&global().sessions_open)
}

/// A guard counting one open SSE stream.
pub fn stream_opened() -> OpenGuard {
    global().sse_streams_open.inc();
    OpenGuard(&global().sse_streams_open)
}

fn outcome(ok: bool) -> &'static str {
    if ok { "ok" } else { "error" }
}

/// The API a Nextcloud call belongs to, from its path: `notes`, `deck`, `dav/files`,
/// `ocs/files_sharing`, `ocs/cloud`, `status`, ... (never user-specific path parts).
pub fn nextcloud_api(call: &str) -> String {
    let path = call.split_once(' ').map(|(_, p)| p).unwrap_or(call);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let api = match segments.as_slice() {
        ["index.php", "apps", app, ..] | ["apps", app, ..] => (*app).to_string(),
        ["remote.php", "dav", kind, ..] => {
            format!("dav/{kind}")
        }
        ["remote.php", "dav"] => "dav".into(),
        ["remote.php", "webdav", ..] => "dav/files".into(),
        ["ocs", _, "apps", app, ..] => format!("ocs/{app}"),
        ["ocs", _, area, ..] => format!("ocs/{area}"),
        ["status.php", ..] => "status".into(),
        [".well-known", ..] | ["index.php", ".well-known", ..] => "well-known".into(),
        _ => "other".into(),
    };
    // Keep label values to a safe alphabet even for odd paths.
    api.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.'))
        .take(40)
        .collect()
}

/// The kind of a failed tool call, from the error text the tool returned (the stable
/// wording of `ToolError` and `NextcloudError`).
pub fn tool_error_kind(message: &str) -> &'static str {
    let lower = message.to_ascii_lowercase();
    if lower.starts_with("invalid argument") {
        "invalid_argument"
    } else if lower.contains("timed out") || lower.contains("unreachable") {
        "unavailable"
    } else if let Some(status) = http_status(&lower) {
        match status {
            401 => "auth",
            403 => "forbidden",
            404 => "not_found",
            409 | 412 | 423 => "conflict",
            429 | 502..=504 => "unavailable",
            400..=499 => "invalid_argument",
            _ => "nextcloud_error",
        }
    } else if lower.contains("not found") {
        "not_found"
    } else {
        "other"
    }
}

fn http_status(lower: &str) -> Option<u16> {
    let at = lower.find("failed: http ")? + "failed: http ".len();
    lower[at..].get(..3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_labels_never_carry_user_paths() {
        assert_eq!(
            nextcloud_api("GET /index.php/apps/notes/api/v1/notes/5"),
            "notes"
        );
        assert_eq!(
            nextcloud_api("PROPFIND /remote.php/dav/files/alice/Secret%20plans/"),
            "dav/files"
        );
        assert_eq!(
            nextcloud_api("GET /ocs/v2.php/apps/files_sharing/api/v1/shares?path=/x"),
            "ocs/files_sharing"
        );
        assert_eq!(
            nextcloud_api("GET /ocs/v1.php/cloud/capabilities"),
            "ocs/cloud"
        );
        assert_eq!(nextcloud_api("GET /status.php"), "status");
        assert_eq!(
            nextcloud_api("REPORT /remote.php/dav/calendars/alice/personal/"),
            "dav/calendars"
        );
    }

    #[test]
    fn error_kinds_follow_the_error_wording() {
        assert_eq!(
            tool_error_kind("invalid argument `path`: empty"),
            "invalid_argument"
        );
        assert_eq!(
            tool_error_kind(
                "GET /index.php/apps/notes/api/v1/notes/9 failed: HTTP 404. not found: check the id"
            ),
            "not_found"
        );
        assert_eq!(
            tool_error_kind("PUT /x failed: HTTP 412. the item changed"),
            "conflict"
        );
        assert_eq!(
            tool_error_kind("GET /x failed: Nextcloud unreachable: refused. check"),
            "unavailable"
        );
        assert_eq!(
            tool_error_kind("GET /x failed: HTTP 500. internal"),
            "nextcloud_error"
        );
    }

    #[test]
    fn render_is_openmetrics_with_every_family() {
        mcp_request("tools/call", true, Duration::from_millis(3));
        mcp_request("evil/method{}", false, Duration::from_millis(3));
        token_cache(true);
        let text = render();
        for name in [
            "nextcloud_mcp_mcp_requests_total",
            "nextcloud_mcp_sessions_open",
            "nextcloud_mcp_sse_streams_open",
            "nextcloud_mcp_token_cache_lookups_total",
        ] {
            assert!(text.contains(name), "{name} missing:\n{text}");
        }
        assert!(text.contains("method=\"other\""), "{text}");
        assert!(!text.contains("evil"), "{text}");
        assert!(text.trim_end().ends_with("# EOF"), "{text}");
    }
}
