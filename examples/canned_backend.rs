//! Canned Nextcloud backend for the benchmark: replays answers recorded from the contract fake
//! (bench/canned.py records them through a proxy) for exactly the requests the benchmarked tools
//! made, so the benchmark measures the MCP servers, not the fake.
//!
//! A request is matched on method, request target (path and query, byte for byte), `Depth` and
//! `Range`; the recorded status, headers and body are sent back from memory. Anything else gets a
//! 404 and a line on stderr (the first time per key), and is counted in `GET /__canned/stats`.
//!
//! ```text
//! cargo run --release --example canned_backend -- --recordings bench/.work/canned.json --port 0
//! ```
//! Prints `listening http://127.0.0.1:<port>` on stdout once it accepts connections.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use bytes::Bytes;
use clap::Parser;
use serde::Deserialize;

#[derive(Parser, Debug)]
#[command(about = "Replays recorded Nextcloud answers in microseconds")]
struct Args {
    /// JSON file written by bench/canned.py.
    #[arg(long)]
    recordings: String,
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    workers: usize,
}

#[derive(Deserialize)]
struct RecordFile {
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Record {
    method: String,
    target: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    #[serde(default)]
    depth: Option<String>,
    #[serde(default)]
    range: Option<String>,
    #[serde(default)]
    key: Option<String>,
}

/// One answer, ready to send.
struct Canned {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: Bytes,
}

#[derive(Default)]
struct Stats {
    hits: AtomicU64,
    misses: AtomicU64,
    missed_keys: Mutex<Vec<String>>,
}

/// The lookup key; bench/canned.py `key()` builds the same string.
fn key(method: &str, target: &str, depth: Option<&str>, range: Option<&str>) -> String {
    format!(
        "{method} {target}|depth={}|range={}",
        depth.unwrap_or(""),
        range.unwrap_or("")
    )
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The request body is taken (and dropped) so the connection stays open: a handler that leaves
/// it unread makes actix close the connection after the answer, which turned every PROPFIND (the
/// one benchmarked request with a body) into a new TCP connection. Nextcloud keeps it alive.
async fn replay(
    req: HttpRequest,
    _body: web::Bytes,
    table: web::Data<HashMap<String, Canned>>,
    stats: web::Data<Stats>,
) -> HttpResponse {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if target == "/__canned/stats" {
        let missed = stats
            .missed_keys
            .lock()
            .map(|k| k.clone())
            .unwrap_or_default();
        return HttpResponse::Ok().json(serde_json::json!({
            "hits": stats.hits.load(Ordering::Relaxed),
            "misses": stats.misses.load(Ordering::Relaxed),
            "missed_keys": missed,
        }));
    }
    let k = key(
        req.method().as_str(),
        target,
        header(&req, "depth"),
        header(&req, "range"),
    );
    match table.get(&k) {
        Some(c) => {
            stats.hits.fetch_add(1, Ordering::Relaxed);
            let mut resp = HttpResponse::build(c.status);
            for (name, value) in &c.headers {
                resp.append_header((name.as_str(), value.as_str()));
            }
            resp.body(c.body.clone())
        }
        None => {
            stats.misses.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut missed) = stats.missed_keys.lock()
                && missed.len() < 50
                && !missed.contains(&k)
            {
                eprintln!("canned_backend: no recording for {k}");
                missed.push(k);
            }
            HttpResponse::NotFound().body("no recording for this request")
        }
    }
}

fn load(path: &str) -> Result<HashMap<String, Canned>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let file: RecordFile = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut table = HashMap::new();
    for r in file.records {
        let body = engine
            .decode(r.body.as_bytes())
            .map_err(|e| format!("{} {}: body: {e}", r.method, r.target))?;
        let status = StatusCode::from_u16(r.status).map_err(|e| format!("status: {e}"))?;
        let k = r
            .key
            .unwrap_or_else(|| key(&r.method, &r.target, r.depth.as_deref(), r.range.as_deref()));
        table.insert(
            k,
            Canned {
                status,
                headers: r.headers,
                body: Bytes::from(body),
            },
        );
    }
    Ok(table)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let table = load(&args.recordings).map_err(std::io::Error::other)?;
    eprintln!("canned_backend: {} recorded answers", table.len());
    let table = web::Data::from(Arc::new(table));
    let stats = web::Data::new(Stats::default());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(table.clone())
            .app_data(stats.clone())
            .default_service(web::to(replay))
    })
    .workers(args.workers)
    .bind(("127.0.0.1", args.port))?;
    let port = server.addrs().first().map(|a| a.port()).unwrap_or(0);
    let running = server.run();
    println!("listening http://127.0.0.1:{port}");
    running.await
}
