//! Command line: `serve` (default), `check-config`, `stdio`, `healthcheck`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nextcloud_mcp::config::{self, AuthMode};

#[derive(Parser)]
#[command(name = "nextcloud-mcp", version, about = "MCP server for Nextcloud")]
struct Cli {
    /// Configuration file.
    #[arg(
        long,
        short,
        global = true,
        env = "NEXTCLOUD_MCP_CONFIG",
        default_value = "/etc/nextcloud-mcp/nextcloud-mcp.yaml"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP over HTTP (streamable HTTP at /mcp, legacy SSE at /sse).
    Serve,
    /// Validate the configuration and print it with secrets redacted.
    CheckConfig,
    /// Serve MCP over standard input/output for desktop clients (basic mode).
    Stdio,
    /// Exit 0 when the server on server.listen answers /healthz (for container health checks).
    Healthcheck,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match config::load_file(&cli.config) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {}: {err}", cli.config.display());
            return ExitCode::from(2);
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckConfig => {
            print!("{}", config.redacted_yaml());
            eprintln!("{}: configuration is valid", cli.config.display());
            ExitCode::SUCCESS
        }
        Command::Serve => {
            nextcloud_mcp::logging::init(&config.logging);
            let workers = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2);
            let _ = workers;
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
                    "error: stdio mode needs auth.mode: basic (a Nextcloud login and app password)"
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
        Command::Healthcheck => {
            let port = config
                .server
                .listen
                .rsplit(':')
                .next()
                .unwrap_or("8000")
                .to_string();
            let url = format!("http://127.0.0.1:{port}/healthz");
            let ok = tokio::runtime::Runtime::new()
                .ok()
                .map(|rt| {
                    rt.block_on(async {
                        reqwest::Client::new()
                            .get(&url)
                            .timeout(std::time::Duration::from_secs(3))
                            .send()
                            .await
                            .is_ok_and(|r| r.status().is_success())
                    })
                })
                .unwrap_or(false);
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
