//! What every tool shares: the caller's Nextcloud client, the error type that becomes an
//! `isError: true` result, progress and log notifications.
// MCP logging (logging/setLevel) is deprecated by SEP-2577 but today's clients still use it.
#![allow(deprecated)]

use rmcp::RoleServer;
use rmcp::model::{
    ContentBlock, IntoContents, LoggingLevel, LoggingMessageNotificationParam,
    ProgressNotificationParam,
};
use rmcp::service::RequestContext;

use super::NextcloudMcp;
use crate::auth::Caller;
use crate::nextcloud::{NextcloudClient, NextcloudError};

/// A tool failure, returned to the model as an `isError: true` result whose text says
/// what failed and what to do.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ToolError {
    /// The message shown to the model.
    pub message: String,
}

impl ToolError {
    /// A failure with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// An argument problem found before calling Nextcloud.
    pub fn invalid(argument: &str, problem: impl std::fmt::Display) -> Self {
        Self::new(format!("invalid argument `{argument}`: {problem}"))
    }
}

impl From<NextcloudError> for ToolError {
    fn from(err: NextcloudError) -> Self {
        Self::new(err.to_string())
    }
}

impl IntoContents for ToolError {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![ContentBlock::text(self.message)]
    }
}

/// Result type of a tool body.
pub type ToolResult<T> = Result<T, ToolError>;

impl NextcloudMcp {
    /// The caller of this request: from the HTTP auth middleware, else the configured
    /// single user (stdio / basic mode).
    pub fn caller(&self, ctx: &RequestContext<RoleServer>) -> ToolResult<Caller> {
        Caller::from_extensions(&ctx.extensions)
            .or_else(|| self.default_caller.clone())
            .ok_or_else(|| ToolError::new("no authenticated Nextcloud user for this request; send an Authorization header"))
    }

    /// A Nextcloud client acting as the caller of this request.
    pub fn client(&self, ctx: &RequestContext<RoleServer>) -> ToolResult<NextcloudClient> {
        let caller = self.caller(ctx)?;
        Ok(self.nextcloud.client(caller.credentials))
    }

    /// Sends a progress notification when the client asked for progress.
    pub async fn progress(
        &self,
        ctx: &RequestContext<RoleServer>,
        done: u64,
        total: Option<u64>,
        message: &str,
    ) {
        let Some(token) = ctx.meta.get_progress_token() else {
            return;
        };
        let mut param = ProgressNotificationParam::new(token, done as f64);
        param.total = total.map(|t| t as f64);
        param.message = Some(message.to_string());
        if let Err(err) = ctx.peer.notify_progress(param).await {
            log::debug!("progress notification not delivered: {err}");
        }
    }

    /// Sends an MCP log message when the client's `logging/setLevel` lets it through.
    pub async fn mcp_log(
        &self,
        ctx: &RequestContext<RoleServer>,
        level: LoggingLevel,
        message: &str,
    ) {
        let threshold = self.log_level.lock().ok().and_then(|l| *l);
        let Some(threshold) = threshold else {
            return;
        };
        if severity(level) < severity(threshold) {
            return;
        }
        let param = LoggingMessageNotificationParam::new(level, serde_json::json!(message))
            .with_logger("nextcloud-mcp");
        if let Err(err) = ctx.peer.notify_logging_message(param).await {
            log::debug!("log notification not delivered: {err}");
        }
    }
}

fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

/// The capability block of a Nextcloud app (`deck`, `tables`...) for the caller, or a clear
/// "not installed" error when the app is missing from the OCS capabilities (instead of the
/// 404 its routes would give). Fails open: when capabilities cannot be read, returns `Null`
/// and lets the real call report what is wrong.
pub async fn require_app(
    client: &NextcloudClient,
    app: &str,
    name: &str,
) -> ToolResult<serde_json::Value> {
    match client.app_capability(app).await {
        Ok(Some(block)) => Ok(block),
        Ok(None) => Err(ToolError::new(format!(
            "The {name} app is not installed or not enabled for this Nextcloud user (Nextcloud's capabilities have no `{app}` entry), so {name} tools cannot work. Ask the Nextcloud administrator to install and enable it (`occ app:enable {app}`), or disable the `{app}` toolset in this server's config."
        ))),
        Err(err) => {
            log::debug!("capabilities unreadable, trying {app} anyway: {err}");
            Ok(serde_json::Value::Null)
        }
    }
}

/// Presence check for apps that publish no capability (Mail, News): one cheap probe per user,
/// cached by the client, so a missing app reads "the Mail app is not installed or not enabled
/// for you" instead of a raw 404. Fails open like [`require_app`] when the probe itself fails.
pub async fn require_probed_app(
    client: &NextcloudClient,
    app: &str,
    name: &str,
    probe_path: &str,
) -> ToolResult<()> {
    match client.app_present(app, probe_path).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(ToolError::new(format!(
            "The {name} app is not installed or not enabled for you in Nextcloud ({probe_path} answered 404), so {name} tools cannot work. Ask the Nextcloud administrator to install and enable it for you (`occ app:enable {app}`), or disable the `{app}` toolset in this server's config."
        ))),
        Err(err) => {
            log::debug!("{app} presence probe failed, trying anyway: {err}");
            Ok(())
        }
    }
}
