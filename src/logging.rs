//! Log setup: level and text/JSON format from the config. Third-party HTTP crates are
//! held at `warn`, the MCP crates (rmcp, rmcp-actix-web, their tracing spans) at `warn`
//! whatever the configured level, and every line passes through a redactor that masks
//! anything shaped like a credential, as a second line of defence behind never logging secrets.

use std::io::Write;

use crate::config::{LogFormat, LogLevel, LoggingConfig};

fn filter(level: LogLevel) -> log::LevelFilter {
    match level {
        LogLevel::Error => log::LevelFilter::Error,
        LogLevel::Warn => log::LevelFilter::Warn,
        LogLevel::Info => log::LevelFilter::Info,
        LogLevel::Debug => log::LevelFilter::Debug,
        LogLevel::Trace => log::LevelFilter::Trace,
    }
}

/// Masks `Bearer <token>`, `Basic <b64>`, `access_token=...` and `password=...` in a log line.
pub fn redact(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut words = line.split_inclusive(' ').peekable();
    let mut mask_next = false;
    while let Some(word) = words.next() {
        if mask_next {
            let trailing = if word.ends_with(' ') { " " } else { "" };
            out.push_str("<redacted>");
            out.push_str(trailing);
            mask_next = false;
            continue;
        }
        let bare = word.trim_end().trim_start_matches(['"', '\'', '(']);
        if bare.eq_ignore_ascii_case("bearer") || bare.eq_ignore_ascii_case("basic") {
            mask_next = words.peek().is_some();
            out.push_str(word);
            continue;
        }
        let lower = word.to_ascii_lowercase();
        if let Some(pos) = ["access_token=", "password=", "client_secret=", "token="]
            .iter()
            .find_map(|k| lower.find(k).map(|p| p + k.len()))
        {
            out.push_str(&word[..pos]);
            out.push_str("<redacted>");
            if word.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        out.push_str(word);
    }
    out
}

/// Log targets held at `warn` whatever `logging.level` says: rmcp logs session ids at `info`
/// (`create new session`), the client's `initialize` parameters and its `serve_inner` span
/// fields, and at `debug` whole tool arguments and results (users' file contents). Its spans
/// reach `log` under their module target or `tracing::span`.
pub const PINNED_AT_WARN: &[&str] = &["rmcp", "rmcp_actix_web", "tracing::span", "tracing"];

/// Installs the global logger.
pub fn init(config: &LoggingConfig) {
    let level = filter(config.level);
    let mut builder = env_logger::Builder::new();
    builder.filter_level(level);
    for noisy in [
        "hyper",
        "hyper_util",
        "reqwest",
        "h2",
        "rustls",
        "mio",
        "tokio_util",
        "actix_server",
        "actix_http",
    ] {
        builder.filter_module(noisy, level.min(log::LevelFilter::Warn));
    }
    for target in PINNED_AT_WARN {
        builder.filter_module(target, level.min(log::LevelFilter::Warn));
    }
    builder.target(env_logger::Target::Stderr);
    match config.format {
        LogFormat::Text => {
            builder.format(|buf, record| {
                let message = redact(&record.args().to_string());
                writeln!(
                    buf,
                    "{} {:5} {}: {}",
                    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                    record.level(),
                    record.target(),
                    message
                )
            });
        }
        LogFormat::Json => {
            builder.format(|buf, record| {
                let line = serde_json::json!({
                    "ts": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "level": record.level().as_str(),
                    "target": record.target(),
                    "message": redact(&record.args().to_string()),
                });
                writeln!(buf, "{line}")
            });
        }
    }
    let _ = builder.try_init();
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn masks_credentials() {
        assert_eq!(
            redact("Authorization: Bearer abc.def rest"),
            "Authorization: Bearer <redacted> rest"
        );
        assert_eq!(
            redact("url?access_token=xyz&x=1"),
            "url?access_token=<redacted>"
        );
        assert_eq!(redact("plain words only"), "plain words only");
    }
}
