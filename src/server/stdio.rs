//! `nextcloud-mcp stdio`: MCP over standard input/output for desktop clients, as the
//! single basic-mode user. Logs go to standard error.

use rmcp::ServiceExt;

use super::ServeError;
use crate::auth::basic_caller;
use crate::config::Config;
use crate::nextcloud::NextcloudShared;
use crate::tools::NextcloudMcp;

/// Serves one MCP session over stdio until the client closes it.
pub async fn run(config: Config) -> Result<(), ServeError> {
    let basic = config
        .auth
        .basic
        .as_ref()
        .ok_or_else(|| ServeError::msg("stdio mode needs auth.basic"))?;
    let caller = basic_caller(
        &basic.username,
        basic.password.as_deref().unwrap_or_default(),
    );
    let nextcloud = NextcloudShared::new(&config.nextcloud).map_err(ServeError::msg)?;
    let host = NextcloudMcp::new(
        nextcloud,
        Some(caller),
        std::sync::Arc::new(config.toolsets.clone()),
    );
    let running = super::metered::Metered::new(host)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| ServeError::msg(format!("stdio session failed to start: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| ServeError::msg(format!("stdio session ended with an error: {e}")))?;
    Ok(())
}
