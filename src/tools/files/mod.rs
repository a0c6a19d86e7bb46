//! Files toolset (WebDAV): the user's files, search, comments, tags, trash bin and versions.
//! Tool names and arguments match the reference server.

#[cfg(test)]
mod answer_bytes;
pub mod hidden;
mod history;
mod meta;
mod read;
mod search;
pub(crate) mod trash_check;
mod write;

use rmcp::handler::server::router::tool::ToolRouter;
use schemars::JsonSchema;
use serde::Serialize;

use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::webdav::FileInfo;
use hidden::Hidden;

/// Largest upload accepted by nc_webdav_write_file (decoded bytes).
pub const WRITE_MAX_BYTES: usize = 50 * 1024 * 1024;

impl NextcloudMcp {
    /// All Files tools.
    pub(crate) fn files_router() -> ToolRouter<Self> {
        let mut router = Self::files_read_router();
        router.merge(Self::files_write_router());
        router.merge(Self::files_search_router());
        router.merge(Self::files_meta_router());
        router.merge(Self::files_history_router());
        router
    }
}

/// A list of files with counts.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FileList {
    /// The files found.
    pub results: Vec<FileInfo>,
    /// Number returned.
    pub total_found: usize,
    /// True when more matched than `limit`.
    pub truncated: bool,
}

/// Stats a visible path and returns its info with a file id.
pub(crate) async fn visible_with_id(
    client: &NextcloudClient,
    hidden: &Hidden,
    argument: &str,
    path: &str,
) -> ToolResult<(FileInfo, i64)> {
    hidden.check(argument, path)?;
    let info = client.files_stat(path).await?;
    let id = info.file_id.ok_or_else(|| {
        ToolError::new(format!(
            "Nextcloud did not report a file id for `{path}`; this needs a Nextcloud server"
        ))
    })?;
    Ok((info, id))
}

/// Drops hidden entries.
pub(crate) fn visible(hidden: &Hidden, files: Vec<FileInfo>) -> Vec<FileInfo> {
    files
        .into_iter()
        .filter(|f| !hidden.is_hidden(&f.path))
        .collect()
}
