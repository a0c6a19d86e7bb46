//! Command line: `serve` (the default), `check-config`, `stdio`, `healthcheck`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nextcloud_mcp::config::{self, AuthMode, Config, ConfigError};
use nextcloud_mcp::tools::known;

/// The static musl build (the container image) allocates with mimalloc: musl's own allocator
/// took a global lock and gave pages back on nearly every free (docs/decisions/0008-image-allocator.md).
/// Native glibc builds keep glibc's malloc, which measured the lower memory use.
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where the configuration is read from when neither `--config` nor `NEXTCLOUD_MCP_CONFIG` is given.
const DEFAULT_CONFIG: &str = "/etc/nextcloud-mcp/nextcloud-mcp.yaml";

#[derive(Parser)]
#[command(
    name = "nextcloud-mcp",
    version,
    about = "MCP server for Nextcloud. Without a subcommand it runs `serve`.",
    after_help = "Configuration: --config FILE (start from config/nextcloud-mcp.example.yaml; \
docs/configuration.md). Without a file, NEXTCLOUD_HOST with NEXTCLOUD_USERNAME and \
NEXTCLOUD_PASSWORD (an app password) runs basic mode."
)]
struct Cli {
    /// Configuration file [default: /etc/nextcloud-mcp/nextcloud-mcp.yaml, or the environment
    /// alone when that file does not exist and NEXTCLOUD_HOST is set].
    #[arg(long, short, global = true, env = "NEXTCLOUD_MCP_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP over HTTP (streamable HTTP at /mcp, legacy SSE at /sse). The default.
    Serve,
    /// Validate the configuration and print the effective values with secrets redacted.
    CheckConfig,
    /// Serve MCP over standard input/output for desktop clients (basic mode).
    Stdio,
    /// Exit 0 when the server on server.listen answers /healthz (for container health checks).
    Healthcheck,
}

/// Where the configuration came from, for messages.
enum Source {
    File(PathBuf),
    Environment,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Environment => f.write_str("environment (NEXTCLOUD_HOST, ...)"),
        }
    }
}

const HOW_TO_CONFIGURE: &str = "pass --config FILE (start from config/nextcloud-mcp.example.yaml; \
see docs/configuration.md), or set NEXTCLOUD_HOST, NEXTCLOUD_USERNAME and NEXTCLOUD_PASSWORD \
to run in basic mode without a file";

fn load(cli_config: Option<&Path>) -> Result<(Config, Source), String> {
    let env = |name: &str| std::env::var(name).ok();
    let (path, explicit) = match cli_config {
        Some(path) => (path.to_path_buf(), true),
        None => (PathBuf::from(DEFAULT_CONFIG), false),
    };
    if !explicit && !path.exists() {
        if env("NEXTCLOUD_HOST").is_some_and(|v| !v.is_empty()) {
            return config::load_env(&env)
                .map(|c| (c, Source::Environment))
                .map_err(|e| format!("configuration from the environment: {e}"));
        }
        return Err(format!(
            "no configuration: {} does not exist; {HOW_TO_CONFIGURE}",
            path.display()
        ));
    }
    match config::load_file(&path) {
        Ok(config) => Ok((config, Source::File(path))),
        Err(ConfigError::Read { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Err(format!(
                "config file {} does not exist; point --config (or NEXTCLOUD_MCP_CONFIG) at your file \
(start from config/nextcloud-mcp.example.yaml; see docs/configuration.md), or set NEXTCLOUD_HOST, \
NEXTCLOUD_USERNAME and NEXTCLOUD_PASSWORD and leave --config out",
                path.display()
            ))
        }
        Err(ConfigError::Read { source, .. }) => Err(format!(
            "cannot read config file {}: {source}",
            path.display()
        )),
        Err(err) => Err(format!("{}: {err}", path.display())),
    }
}

/// Checks toolset and tool names against the registry (config alone does not know them).
fn check_tool_names(config: &Config, source: &Source) -> Result<(), String> {
    known::check_names(&config.toolsets).map_err(|err| {
        let line = match source {
            Source::File(path) => std::fs::read_to_string(path)
                .ok()
                .and_then(|text| config::line_of_key(&text, &err.key)),
            Source::Environment => None,
        };
        match line {
            Some(line) => format!("{source}: `{}` (line {line}): {}", err.key, err.message),
            None => format!("{source}: {err}"),
        }
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (mut config, source) = match load(cli.config.as_deref()) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = check_tool_names(&config, &source) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckConfig => {
            config.toolsets.enabled = Some(known::effective_enabled(&config.toolsets));
            print!("{}", config.redacted_yaml());
            eprintln!("{source}: configuration is valid");
            ExitCode::SUCCESS
        }
        Command::Serve => {
            nextcloud_mcp::logging::init(&config.logging);
            match actix_rt::System::new().block_on(nextcloud_mcp::server::run(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    log::error!("{err}");
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Stdio => {
            nextcloud_mcp::logging::init(&config.logging);
            if config.auth.mode != AuthMode::Basic {
                eprintln!(
                    "error: stdio mode needs auth.mode: basic (a Nextcloud login and app password: \
set NEXTCLOUD_USERNAME and NEXTCLOUD_PASSWORD, or auth.basic in the file)"
                );
                return ExitCode::from(2);
            }
            match tokio::runtime::Runtime::new() {
                Ok(rt) => match rt.block_on(nextcloud_mcp::server::stdio::run(config)) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(err) => {
                        eprintln!("error: {err}");
                        ExitCode::FAILURE
                    }
                },
                Err(err) => {
                    eprintln!("error: cannot start the runtime: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Healthcheck => match healthcheck(&config.server.listen) {
            Ok(()) => ExitCode::SUCCESS,
            Err(reason) => {
                eprintln!("healthcheck failed: {reason}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Asks the local server's `/healthz`; the error says why it is not healthy.
fn healthcheck(listen: &str) -> Result<(), String> {
    let addr: std::net::SocketAddr = listen
        .parse()
        .map_err(|e| format!("server.listen `{listen}` is not an address: {e}"))?;
    let host = if addr.ip().is_unspecified() {
        if addr.is_ipv6() {
            "[::1]".to_string()
        } else {
            "127.0.0.1".to_string()
        }
    } else if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    let url = format!("http://{host}:{}/healthz", addr.port());
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(&url)
            .timeout(std::time::Duration::from_secs(3))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "{url}: {} (is the server running with server.listen {listen}?)",
                    nextcloud_mcp::nextcloud::connect_error::describe_connection_error(&e)
                )
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            let body: String = response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            Err(format!("{url} answered HTTP {}: {body}", status.as_u16()))
        }
    })
}
