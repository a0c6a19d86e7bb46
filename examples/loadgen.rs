//! Load generator for MCP servers over streamable HTTP (and for the plain-HTTP floor).
//!
//! Each of `--sessions` sessions runs on its own task: `initialize` + `notifications/initialized`
//! (keeping the `Mcp-Session-Id` the server hands out, if any), then `--warmup` uncounted requests,
//! then requests one after another (`--requests-per-session` of them, or until `--duration` is
//! over). Answers are parsed as JSON or as an SSE stream, and the JSON-RPC response with the
//! request's id is found. Sessions run concurrently, so `--sessions` is the number of requests in
//! flight. The same binary drives our server and the reference server.
//!
//! `--method GET` (or any HTTP verb in capitals) skips MCP and times a plain HTTP request to
//! `--url` with `--header`s (the floor: the Nextcloud call without an MCP server in front).
//!
//! Prints one JSON object: count, ok, errors (transport, HTTP, JSON-RPC), tool_errors (`isError`
//! results, counted in `ok` too: the call was answered) with `tool_error_kinds` (text -> count),
//! throughput (answered requests / s), latency percentiles in ms, and up to 5 error samples.
//!
//! ```text
//! cargo run --release --example loadgen -- --url http://127.0.0.1:8000/mcp --token T \
//!     --sessions 16 --duration 10 --method tools/call \
//!     --params '{"name":"nc_notes_get_note","arguments":{"note_id":1}}'
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Parser, Debug, Clone)]
#[command(about = "MCP streamable-HTTP load generator")]
struct Args {
    /// MCP endpoint (e.g. http://127.0.0.1:8000/mcp), or the plain URL with --method GET.
    #[arg(long)]
    url: String,
    /// Bearer token sent as `Authorization: Bearer ...`; none when omitted.
    #[arg(long)]
    token: Option<String>,
    /// Basic credentials `user:password` (for the plain-HTTP floor).
    #[arg(long)]
    basic: Option<String>,
    /// Extra request header `Name: value` (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
    /// Give each session its own HTTP client, so its requests keep to its own connection (as an
    /// SDK client holding one session does). By default all sessions share one connection pool,
    /// as behind a proxy, and a session's requests land on whichever server worker the pooled
    /// connection belongs to.
    #[arg(long)]
    connection_per_session: bool,
    /// Concurrent sessions (each has one request in flight).
    #[arg(long, default_value_t = 1)]
    sessions: usize,
    /// Requests per session (ignored when --duration is given).
    #[arg(long, default_value_t = 100)]
    requests_per_session: u64,
    /// Run for this many seconds instead of a fixed number of requests.
    #[arg(long)]
    duration: Option<f64>,
    /// Uncounted requests per session before measuring.
    #[arg(long, default_value_t = 0)]
    warmup: u64,
    /// JSON-RPC method (tools/call, resources/read, tools/list, ...) or an HTTP verb for plain HTTP.
    #[arg(long, default_value = "tools/call")]
    method: String,
    /// JSON-RPC params (a JSON object); with a JSON array, request i uses element i mod len.
    #[arg(long, default_value = "{}")]
    params: String,
    /// Per-request timeout, seconds.
    #[arg(long, default_value_t = 60.0)]
    timeout: f64,
    /// MCP protocol version offered in initialize.
    #[arg(long, default_value = "2025-06-18")]
    protocol_version: String,
}

#[derive(Default)]
struct Shared {
    latencies_us: Mutex<Vec<u64>>,
    errors: AtomicU64,
    tool_errors: AtomicU64,
    init_errors: AtomicU64,
    bytes: AtomicU64,
    samples: Mutex<Vec<String>>,
    /// `isError` texts (first 120 characters) and how often each came (at most 20 kinds).
    tool_error_kinds: Mutex<std::collections::BTreeMap<String, u64>>,
}

impl Shared {
    async fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut samples = self.samples.lock().await;
        if samples.len() < 5 {
            samples.push(what);
        }
    }
}

struct Session {
    http: reqwest::Client,
    url: String,
    base_headers: HeaderMap,
    session_id: Option<String>,
    next_id: u64,
}

enum Outcome {
    Ok {
        is_error: bool,
        bytes: usize,
        /// The text of an `isError` result.
        text: Option<String>,
    },
    Err(String),
}

impl Session {
    fn headers(&self) -> HeaderMap {
        let mut h = self.base_headers.clone();
        if let Some(id) = &self.session_id
            && let Ok(v) = HeaderValue::from_str(id)
        {
            h.insert("mcp-session-id", v);
        }
        h
    }

    async fn post(&self, body: &Value) -> Result<reqwest::Response, String> {
        self.http
            .post(&self.url)
            .headers(self.headers())
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(serde_json::to_vec(body).unwrap())
            .send()
            .await
            .map_err(|e| format!("transport: {e}"))
    }

    /// Sends one JSON-RPC request and returns the response object with the same id.
    async fn call(&mut self, method: &str, params: Value) -> Result<(Value, usize), String> {
        self.next_id += 1;
        let id = self.next_id;
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let resp = self.post(&body).await?;
        let status = resp.status();
        if let Some(sid) = resp.headers().get("mcp-session-id")
            && self.session_id.is_none()
        {
            self.session_id = sid.to_str().ok().map(str::to_owned);
        }
        let is_sse = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let text = resp.text().await.map_err(|e| format!("body: {e}"))?;
        if !status.is_success() {
            return Err(format!(
                "HTTP {status}: {}",
                text.chars().take(200).collect::<String>()
            ));
        }
        let len = text.len();
        let found = if is_sse {
            find_in_sse(&text, id)
        } else {
            serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| match v {
                    Value::Array(items) => items.into_iter().find(|m| m["id"] == json!(id)),
                    m if m["id"] == json!(id) => Some(m),
                    _ => None,
                })
        };
        match found {
            Some(msg) if msg.get("error").is_some() => {
                Err(format!("JSON-RPC error: {}", msg["error"]))
            }
            Some(msg) => Ok((msg, len)),
            None => Err(format!(
                "no response with id {id} in: {}",
                text.chars().take(200).collect::<String>()
            )),
        }
    }

    async fn initialize(&mut self, protocol_version: &str) -> Result<(), String> {
        let params = json!({
            "protocolVersion": protocol_version,
            "capabilities": {},
            "clientInfo": {"name": "nextcloud-mcp-loadgen", "version": "1"},
        });
        let (answer, _) = self.call("initialize", params).await?;
        let version = answer["result"]["protocolVersion"]
            .as_str()
            .unwrap_or(protocol_version)
            .to_owned();
        if let Ok(v) = HeaderValue::from_str(&version) {
            self.base_headers.insert("mcp-protocol-version", v);
        }
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let resp = self.post(&note).await?;
        if !resp.status().is_success() {
            return Err(format!("notifications/initialized: HTTP {}", resp.status()));
        }
        let _ = resp.bytes().await;
        Ok(())
    }

    async fn close(&self) {
        if self.session_id.is_some() {
            let _ = self
                .http
                .delete(&self.url)
                .headers(self.headers())
                .send()
                .await;
        }
    }

    async fn once(&mut self, method: &str, params: Value) -> Outcome {
        match self.call(method, params).await {
            Ok((msg, bytes)) => {
                let is_error = msg["result"]["isError"].as_bool().unwrap_or(false);
                Outcome::Ok {
                    is_error,
                    bytes,
                    text: is_error.then(|| {
                        msg["result"]["content"][0]["text"]
                            .as_str()
                            .unwrap_or("")
                            .to_owned()
                    }),
                }
            }
            Err(e) => Outcome::Err(e),
        }
    }

    async fn plain(&self, method: &reqwest::Method) -> Outcome {
        let resp = match self
            .http
            .request(method.clone(), &self.url)
            .headers(self.headers())
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return Outcome::Err(format!("transport: {e}")),
        };
        let status = resp.status();
        match resp.bytes().await {
            Ok(b) if status.is_success() || status.as_u16() == 207 => Outcome::Ok {
                is_error: false,
                bytes: b.len(),
                text: None,
            },
            Ok(b) => Outcome::Err(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&b)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )),
            Err(e) => Outcome::Err(format!("body: {e}")),
        }
    }
}

/// Finds the JSON-RPC message with `id` among the `data:` events of an SSE body.
fn find_in_sse(text: &str, id: u64) -> Option<Value> {
    let mut data = String::new();
    let check = |data: &mut String| -> Option<Value> {
        let found = serde_json::from_str::<Value>(data)
            .ok()
            .filter(|m| m["id"] == json!(id));
        data.clear();
        found
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        } else if line.is_empty()
            && !data.is_empty()
            && let Some(v) = check(&mut data)
        {
            return Some(v);
        }
    }
    if !data.is_empty() {
        return check(&mut data);
    }
    None
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn base_headers(args: &Args) -> Result<HeaderMap, String> {
    let mut h = HeaderMap::new();
    if let Some(token) = &args.token {
        h.insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| e.to_string())?,
        );
    }
    if let Some(basic) = &args.basic {
        use base64::Engine;
        let enc = base64::engine::general_purpose::STANDARD.encode(basic);
        h.insert(
            "authorization",
            HeaderValue::from_str(&format!("Basic {enc}")).map_err(|e| e.to_string())?,
        );
    }
    for raw in &args.headers {
        let (name, value) = raw
            .split_once(':')
            .ok_or_else(|| format!("--header {raw:?}: expected `Name: value`"))?;
        h.insert(
            HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| e.to_string())?,
            HeaderValue::from_str(value.trim()).map_err(|e| e.to_string())?,
        );
    }
    Ok(h)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(e) = run(args).await {
        eprintln!("loadgen: {e}");
        std::process::exit(2);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let params: Value =
        serde_json::from_str(&args.params).map_err(|e| format!("--params is not JSON: {e}"))?;
    let params_list: Arc<Vec<Value>> = Arc::new(match params {
        Value::Array(items) if !items.is_empty() => items,
        other => vec![other],
    });
    let plain = args
        .method
        .chars()
        .all(|c| c.is_ascii_uppercase())
        .then(|| reqwest::Method::from_bytes(args.method.as_bytes()))
        .transpose()
        .map_err(|e| e.to_string())?;
    let client = |idle_per_host: usize| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs_f64(args.timeout))
            .pool_max_idle_per_host(idle_per_host)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| e.to_string())
    };
    let http = client(args.sessions.max(1) * 2)?;
    let headers = base_headers(&args)?;
    let shared = Arc::new(Shared::default());
    let deadline = args.duration.map(Duration::from_secs_f64);
    let init_ms = Arc::new(Mutex::new(Vec::<f64>::new()));

    // All sessions initialize first; measuring starts when every one is ready.
    let barrier = Arc::new(tokio::sync::Barrier::new(args.sessions + 1));
    let start_cell = Arc::new(tokio::sync::OnceCell::<Instant>::new());
    let mut tasks = Vec::new();
    for _ in 0..args.sessions {
        let args = args.clone();
        let http = if args.connection_per_session {
            client(1)?
        } else {
            http.clone()
        };
        let headers = headers.clone();
        let shared = shared.clone();
        let barrier = barrier.clone();
        let start_cell = start_cell.clone();
        let params_list = params_list.clone();
        let plain = plain.clone();
        let init_ms = init_ms.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = Session {
                http,
                url: args.url.clone(),
                base_headers: headers,
                session_id: None,
                next_id: 0,
            };
            let mut ok = true;
            if plain.is_none() {
                let t = Instant::now();
                if let Err(e) = s.initialize(&args.protocol_version).await {
                    shared.init_errors.fetch_add(1, Ordering::Relaxed);
                    shared.error(format!("initialize: {e}")).await;
                    ok = false;
                } else {
                    init_ms
                        .lock()
                        .await
                        .push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            let mut i = 0u64;
            if ok {
                for _ in 0..args.warmup {
                    let p = params_list[(i as usize) % params_list.len()].clone();
                    i += 1;
                    match &plain {
                        Some(m) => s.plain(m).await,
                        None => s.once(&args.method, p).await,
                    };
                }
            }
            barrier.wait().await;
            let start = *start_cell.get_or_init(|| async { Instant::now() }).await;
            let mut local = Vec::new();
            let mut n = 0u64;
            loop {
                if !ok {
                    break;
                }
                match deadline {
                    Some(d) if start.elapsed() >= d => break,
                    None if n >= args.requests_per_session => break,
                    _ => {}
                }
                n += 1;
                let p = params_list[(i as usize) % params_list.len()].clone();
                i += 1;
                let t = Instant::now();
                let outcome = match &plain {
                    Some(m) => s.plain(m).await,
                    None => s.once(&args.method, p).await,
                };
                match outcome {
                    Outcome::Ok {
                        is_error,
                        bytes,
                        text,
                    } => {
                        local.push(t.elapsed().as_micros() as u64);
                        shared.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
                        if is_error {
                            shared.tool_errors.fetch_add(1, Ordering::Relaxed);
                            let kind: String = text.unwrap_or_default().chars().take(120).collect();
                            let mut kinds = shared.tool_error_kinds.lock().await;
                            if kinds.len() < 20 || kinds.contains_key(&kind) {
                                *kinds.entry(kind).or_default() += 1;
                            }
                        }
                    }
                    Outcome::Err(e) => shared.error(e).await,
                }
            }
            shared.latencies_us.lock().await.extend(local);
            s.close().await;
        }));
    }
    barrier.wait().await;
    let started = *start_cell.get_or_init(|| async { Instant::now() }).await;
    for t in tasks {
        t.await.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut lat = std::mem::take(&mut *shared.latencies_us.lock().await);
    lat.sort_unstable();
    let ok = lat.len() as u64;
    let errors = shared.errors.load(Ordering::Relaxed);
    let mean = if lat.is_empty() {
        0.0
    } else {
        lat.iter().sum::<u64>() as f64 / lat.len() as f64 / 1000.0
    };
    let mut init = std::mem::take(&mut *init_ms.lock().await);
    init.sort_by(f64::total_cmp);
    let out = json!({
        "url": args.url,
        "method": args.method,
        "sessions": args.sessions,
        "count": ok + errors - shared.init_errors.load(Ordering::Relaxed),
        "ok": ok,
        "errors": errors,
        "init_errors": shared.init_errors.load(Ordering::Relaxed),
        "tool_errors": shared.tool_errors.load(Ordering::Relaxed),
        "seconds": elapsed,
        "throughput": if elapsed > 0.0 { ok as f64 / elapsed } else { 0.0 },
        "bytes": shared.bytes.load(Ordering::Relaxed),
        "latency_ms": {
            "mean": mean,
            "p50": percentile(&lat, 50.0),
            "p90": percentile(&lat, 90.0),
            "p99": percentile(&lat, 99.0),
            "max": lat.last().map(|v| *v as f64 / 1000.0).unwrap_or(0.0),
        },
        "initialize_ms_p50": init.get(init.len() / 2).copied().unwrap_or(0.0),
        "error_samples": *shared.samples.lock().await,
        "tool_error_kinds": *shared.tool_error_kinds.lock().await,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_finds_matching_id() {
        let body = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"x\"}\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n";
        assert_eq!(find_in_sse(body, 3).unwrap()["id"], 3);
        assert!(find_in_sse(body, 4).is_none());
    }

    #[test]
    fn percentiles() {
        let v: Vec<u64> = (1..=100).map(|x| x * 1000).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
    }
}
