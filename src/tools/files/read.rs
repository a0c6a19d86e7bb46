//! Listing and reading files.

use base64::Engine;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::super::{NextcloudMcp, ToolError};
use super::hidden::{Hidden, norm, norm_item};
use super::visible;
use crate::nextcloud::webdav::FileInfo;

/// Arguments of `nc_webdav_list_directory`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListDirectoryArgs {
    /// Folder path relative to the user's files, e.g. `Documents/Projects`; empty for the root.
    #[serde(default)]
    pub path: String,
}

/// Result of `nc_webdav_list_directory`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DirectoryListing {
    /// The folder listed.
    pub path: String,
    /// Its entries, folders first, then by name.
    pub files: Vec<FileInfo>,
    /// Number of entries.
    pub total_count: usize,
    /// Number of folders.
    pub directories_count: usize,
    /// Number of files.
    pub files_count: usize,
    /// Sum of the file sizes in bytes.
    pub total_size: u64,
}

/// Arguments of `nc_webdav_read_file`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadFileArgs {
    /// File path relative to the user's files, e.g. `Documents/notes.md`.
    pub path: String,
    /// `auto` (text as text, images as image content, other files as base64), `markdown` (same; no document conversion is done on this server) or `raw` (never image content).
    #[serde(default = "default_parse")]
    pub parse_document: String,
}

fn default_parse() -> String {
    "auto".into()
}

/// Result of `nc_webdav_read_file`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadFileResponse {
    /// The file read.
    pub path: String,
    /// Text (content_format `text`), base64 (content_format `base64`), or null for images returned as image content.
    pub content: Option<String>,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: usize,
    /// ETag: pass it as `if_match` to nc_webdav_write_file to replace exactly this version.
    pub etag: Option<String>,
    /// `text`, `base64` or `image`.
    pub content_format: String,
    /// `not_parsed`: this server returns files as they are, without document conversion.
    pub parse_status: String,
}

/// True for content that should be shown as text.
pub fn is_text(content_type: &str, bytes: &[u8]) -> bool {
    let ct = content_type.to_ascii_lowercase();
    let textual = ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || ct.contains("javascript")
        || ct.contains("yaml")
        || ct.contains("x-sh")
        || ct.contains("markdown")
        || ct.contains("csv");
    let unknown = ct.is_empty() || ct.starts_with("application/octet-stream");
    (textual || unknown) && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// Image types MCP clients display.
pub fn is_image(content_type: &str) -> bool {
    matches!(
        content_type.to_ascii_lowercase().as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

#[tool_router(router = files_read_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List a folder of the user's files: name, type, size, content type, modification time, etag and file id of each entry.
    #[tool(
        name = "nc_webdav_list_directory",
        annotations(
            title = "List folder",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_list_directory(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListDirectoryArgs>,
    ) -> Result<Json<DirectoryListing>, ToolError> {
        let path = norm("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check("path", &path)?;
        let (me, children) = client.files_list(&path).await?;
        if !me.is_directory() {
            return Err(ToolError::invalid(
                "path",
                format!("`{path}` is a file; read it with nc_webdav_read_file"),
            ));
        }
        let mut files = visible(&hidden, children);
        files.sort_by(|a, b| {
            b.is_directory()
                .cmp(&a.is_directory())
                .then(a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        let directories_count = files.iter().filter(|f| f.is_directory()).count();
        Ok(Json(DirectoryListing {
            path,
            total_count: files.len(),
            directories_count,
            files_count: files.len() - directories_count,
            total_size: files
                .iter()
                .filter(|f| !f.is_directory())
                .filter_map(|f| f.size)
                .sum(),
            files,
        }))
    }

    /// Read a file. Text comes back as text, images as image content, other files as base64. Files larger than the server's read limit (default 10 MiB) are refused with a clear message.
    #[tool(
        name = "nc_webdav_read_file",
        output_schema = rmcp::handler::server::tool::schema_for_output::<ReadFileResponse>(),
        annotations(
            title = "Read file",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_read_file(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReadFileArgs>,
    ) -> Result<CallToolResult, ToolError> {
        let mode = args.parse_document.trim().to_ascii_lowercase();
        if !matches!(mode.as_str(), "auto" | "markdown" | "raw") {
            return Err(ToolError::invalid(
                "parse_document",
                "use auto, markdown or raw",
            ));
        }
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check("path", &path)?;
        let cap = self.settings.files.max_read_bytes;
        self.progress(&ctx, 0, None, &format!("downloading {path}"))
            .await;
        let download = client.files_get(&path, cap).await?;
        let size = download.bytes.len();
        self.progress(&ctx, size as u64, Some(size as u64), "downloaded")
            .await;
        let content_type = download
            .content_type
            .as_deref()
            .map(|c| c.split(';').next().unwrap_or_default().trim().to_string())
            .unwrap_or_default();
        let b64 = || base64::engine::general_purpose::STANDARD.encode(&download.bytes);
        let (content, format, image) = if is_text(&content_type, &download.bytes) {
            (
                Some(String::from_utf8_lossy(&download.bytes).into_owned()),
                "text",
                None,
            )
        } else if mode != "raw" && is_image(&content_type) {
            (None, "image", Some(b64()))
        } else {
            (Some(b64()), "base64", None)
        };
        let response = ReadFileResponse {
            path,
            content,
            content_type: if content_type.is_empty() {
                "application/octet-stream".into()
            } else {
                content_type.clone()
            },
            size,
            etag: download.etag,
            content_format: format.into(),
            parse_status: "not_parsed".into(),
        };
        let value = serde_json::to_value(&response)
            .map_err(|e| ToolError::new(format!("cannot encode the result: {e}")))?;
        let mut result = CallToolResult::structured(value);
        if let Some(data) = image {
            result.content.push(ContentBlock::image(data, content_type));
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_detection() {
        assert!(is_text("text/markdown", "# hi".as_bytes()));
        assert!(is_text("", "plain".as_bytes()));
        assert!(!is_text("application/pdf", b"%PDF"));
        assert!(!is_text("application/octet-stream", &[0, 1, 2]));
        assert!(is_image("image/png"));
        assert!(!is_image("image/svg+xml"));
    }
}
