//! Writing, creating folders, deleting, moving and copying.

use crate::tools::answer::Json;
use base64::Engine;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::super::{NextcloudMcp, ToolError, ToolResult};
use super::WRITE_MAX_BYTES;
use super::hidden::{Hidden, norm_item};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::webdav::WritePrecondition;

/// Arguments of `nc_webdav_write_file`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct WriteFileArgs {
    /// File path relative to the user's files, e.g. `Documents/todo.md`. The parent folder must exist.
    pub path: String,
    /// The content: text, or base64 when content_type ends with `;base64` (e.g. `image/png;base64`).
    pub content: String,
    /// MIME type of the content (default `text/plain; charset=utf-8`); add `;base64` when content is base64.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Omit to create a new file only (refused if it exists); the etag from a listing or read to replace exactly that version; `*` to overwrite whatever is there on purpose.
    #[serde(default)]
    pub if_match: Option<String>,
}

/// Result of `nc_webdav_write_file`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WriteFileResponse {
    /// The file written.
    pub path: String,
    /// Always true (failures are error results).
    pub success: bool,
    /// True when a new file was created, false when an existing one was replaced.
    pub created: bool,
    /// New etag, when Nextcloud returned one.
    pub etag: Option<String>,
    /// Bytes written.
    pub size: usize,
    /// What happened and how to undo it.
    pub message: String,
}

/// Arguments taking one path.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PathArgs {
    /// Path relative to the user's files, e.g. `Documents/old.txt`.
    pub path: String,
}

/// Result of `nc_webdav_create_directory`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreateDirectoryResponse {
    /// The folder.
    pub path: String,
    /// True when created now, false when it already existed.
    pub created: bool,
    /// What happened.
    pub message: String,
}

/// Result of `nc_webdav_delete_resource`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeleteResponse {
    /// The deleted path.
    pub path: String,
    /// Always true (failures are error results).
    pub deleted: bool,
    /// `file` or `directory`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Trash bin entry id to pass to nc_webdav_restore_from_trash, when the trash bin has it.
    pub trash_entry_id: Option<String>,
    /// How to undo it.
    pub message: String,
}

/// Arguments of `nc_webdav_move_resource` and `nc_webdav_copy_resource`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TransferArgs {
    /// Existing file or folder, relative to the user's files.
    pub source_path: String,
    /// Target path including the new name, e.g. `Archive/report.pdf`. Its parent folder must exist.
    pub destination_path: String,
    /// Replace an existing destination (default false: an existing destination is an error).
    #[serde(default)]
    pub overwrite: bool,
    /// Etag of the destination you expect to replace (needs overwrite=true); the call fails if it changed.
    #[serde(default)]
    pub if_destination_match: Option<String>,
}

/// Result of a move or copy.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TransferResponse {
    /// Source path.
    pub source_path: String,
    /// Destination path.
    pub destination_path: String,
    /// Always true (failures are error results).
    pub success: bool,
    /// True when an existing destination was replaced.
    pub overwritten: bool,
    /// What happened and how to undo it.
    pub message: String,
}

/// The MIME type of a text file by its extension (Nextcloud re-detects it anyway).
pub fn guess_content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => "text/markdown; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "ics" => "text/calendar; charset=utf-8",
        "vcf" => "text/vcard; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

fn decode_content(args: &WriteFileArgs) -> ToolResult<(Vec<u8>, String)> {
    let declared = args
        .content_type
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| guess_content_type(&args.path));
    let (content_type, base64) = match declared.to_ascii_lowercase().strip_suffix(";base64") {
        Some(_) => (
            declared[..declared.len() - ";base64".len()]
                .trim()
                .to_string(),
            true,
        ),
        None => (declared.to_string(), false),
    };
    let bytes = if base64 {
        base64::engine::general_purpose::STANDARD
            .decode(args.content.trim())
            .map_err(|e| ToolError::invalid("content", format!("not valid base64: {e}")))?
    } else {
        args.content.clone().into_bytes()
    };
    if bytes.len() > WRITE_MAX_BYTES {
        return Err(ToolError::invalid(
            "content",
            format!(
                "{} bytes is more than the {} MiB upload limit",
                bytes.len(),
                WRITE_MAX_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok((bytes, content_type))
}

/// Finds the trash entry of a just-deleted path (newest first).
async fn trash_entry_of(client: &NextcloudClient, path: &str) -> Option<String> {
    let entries = client.trash_list().await.ok()?;
    entries
        .into_iter()
        .filter(|e| e.original_location == path)
        .max_by_key(|e| e.deletion_time.unwrap_or(0))
        .map(|e| e.entry_id)
}

#[tool_router(router = files_write_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Write a file without ever overwriting silently: with no if_match it only creates a new file; with the etag from a read it replaces exactly that version; with `*` it overwrites on purpose. Conflicts and locks come back as clear errors.
    #[tool(
        name = "nc_webdav_write_file",
        input_schema = crate::tools::catalogue::input::<WriteFileArgs>(),
        output_schema = crate::tools::catalogue::output::<WriteFileResponse>(),
        annotations(
            title = "Write file",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_write_file(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<WriteFileArgs>,
    ) -> Result<Json<WriteFileResponse>, ToolError> {
        let path = norm_item("path", &args.path)?;
        let (bytes, content_type) = decode_content(&args)?;
        let precondition = match args.if_match.as_deref().map(str::trim) {
            None | Some("") => WritePrecondition::CreateOnly,
            Some("*") => WritePrecondition::Any,
            Some(etag) => WritePrecondition::Match(etag.to_string()),
        };
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check("path", &path)?;
        let size = bytes.len();
        let outcome = client
            .files_put(&path, bytes, &content_type, &precondition)
            .await?;
        let message = if outcome.created {
            format!(
                "created `{path}` ({size} bytes); to undo, delete it with nc_webdav_delete_resource"
            )
        } else if client.versioning_available(outcome.numeric_file_id()).await {
            format!(
                "replaced `{path}` ({size} bytes); the previous content is kept as a version: nc_webdav_list_versions and nc_webdav_restore_version bring it back"
            )
        } else {
            format!(
                "replaced `{path}` ({size} bytes); this server keeps no versions (versioning is off), so the previous content cannot be brought back"
            )
        };
        Ok(Json(WriteFileResponse {
            path,
            success: true,
            created: outcome.created,
            etag: outcome.etag,
            size,
            message,
        }))
    }

    /// Create a folder (its parent must exist). Succeeds with created=false when the folder already exists.
    #[tool(
        name = "nc_webdav_create_directory",
        input_schema = crate::tools::catalogue::input::<PathArgs>(),
        output_schema = crate::tools::catalogue::output::<CreateDirectoryResponse>(),
        annotations(
            title = "Create folder",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_create_directory(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PathArgs>,
    ) -> Result<Json<CreateDirectoryResponse>, ToolError> {
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check("path", &path)?;
        let created = client.files_mkcol(&path).await?;
        if !created {
            let existing = client.files_stat(&path).await?;
            if !existing.is_directory() {
                return Err(ToolError::invalid(
                    "path",
                    format!("`{path}` already exists as a file"),
                ));
            }
        }
        Ok(Json(CreateDirectoryResponse {
            message: if created {
                format!("created folder `{path}`")
            } else {
                format!("folder `{path}` already existed; nothing changed")
            },
            path,
            created,
        }))
    }

    /// Delete a file or folder (a folder with everything in it). Nextcloud keeps it in the trash bin; the result names the trash entry to restore.
    #[tool(
        name = "nc_webdav_delete_resource",
        input_schema = crate::tools::catalogue::input::<PathArgs>(),
        output_schema = crate::tools::catalogue::output::<DeleteResponse>(),
        annotations(
            title = "Delete file or folder",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_delete_resource(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PathArgs>,
    ) -> Result<Json<DeleteResponse>, ToolError> {
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check_tree("path", &path)?;
        let info = client.files_stat(&path).await?;
        client.files_delete(&path).await?;
        let entry = trash_entry_of(&client, &path).await;
        let message = match &entry {
            Some(id) => format!(
                "deleted `{path}`; to undo, call nc_webdav_restore_from_trash with entry_id \"{id}\""
            ),
            None => format!(
                "deleted `{path}`; if the trash bin is enabled it is listed by nc_webdav_list_trash and can be restored from there"
            ),
        };
        Ok(Json(DeleteResponse {
            path,
            deleted: true,
            kind: info.kind,
            trash_entry_id: entry,
            message,
        }))
    }

    /// Move or rename a file or folder. An existing destination is only replaced with overwrite=true, and only if it still has if_destination_match's etag when given.
    #[tool(
        name = "nc_webdav_move_resource",
        input_schema = crate::tools::catalogue::input::<TransferArgs>(),
        output_schema = crate::tools::catalogue::output::<TransferResponse>(),
        annotations(
            title = "Move or rename",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_move_resource(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<TransferArgs>,
    ) -> Result<Json<TransferResponse>, ToolError> {
        self.transfer(&ctx, false, args).await.map(Json)
    }

    /// Copy a file or folder. An existing destination is only replaced with overwrite=true, and only if it still has if_destination_match's etag when given.
    #[tool(
        name = "nc_webdav_copy_resource",
        input_schema = crate::tools::catalogue::input::<TransferArgs>(),
        output_schema = crate::tools::catalogue::output::<TransferResponse>(),
        annotations(
            title = "Copy",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_copy_resource(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<TransferArgs>,
    ) -> Result<Json<TransferResponse>, ToolError> {
        self.transfer(&ctx, true, args).await.map(Json)
    }
}

impl NextcloudMcp {
    async fn transfer(
        &self,
        ctx: &RequestContext<RoleServer>,
        copy: bool,
        args: TransferArgs,
    ) -> ToolResult<TransferResponse> {
        let source = norm_item("source_path", &args.source_path)?;
        let destination = norm_item("destination_path", &args.destination_path)?;
        if source == destination {
            return Err(ToolError::invalid(
                "destination_path",
                "is the same as source_path",
            ));
        }
        if destination.starts_with(&format!("{source}/")) {
            return Err(ToolError::invalid(
                "destination_path",
                "lies inside source_path; a folder cannot be moved or copied into itself",
            ));
        }
        let etag = args
            .if_destination_match
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        if etag == Some("*") {
            return Err(ToolError::invalid(
                "if_destination_match",
                "`*` is not accepted; give the destination's etag, or omit it and set overwrite=true",
            ));
        }
        if etag.is_some() && !args.overwrite {
            return Err(ToolError::invalid(
                "if_destination_match",
                "replacing the destination needs overwrite=true",
            ));
        }
        let client = self.client(ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        // Moving or copying a folder would carry its hidden items along (a copy even loses the tag).
        hidden.check_tree("source_path", &source)?;
        hidden.check("destination_path", &destination)?;
        let created = client
            .files_transfer(copy, &source, &destination, args.overwrite, etag)
            .await?;
        let verb = if copy { "copied" } else { "moved" };
        let mut message = format!("{verb} `{source}` to `{destination}`");
        if copy {
            message.push_str("; to undo, delete the copy with nc_webdav_delete_resource");
        } else {
            message.push_str(&format!(
                "; to undo, move `{destination}` back to `{source}`"
            ));
        }
        if !created {
            if client.versioning_available(None).await {
                message.push_str(
                    "; the replaced destination is kept by Nextcloud as a version (files) or in the trash bin (folders)",
                );
            } else {
                message.push_str(
                    "; this server keeps no versions, so a replaced file cannot be brought back (a replaced folder goes to the trash bin when it is enabled)",
                );
            }
        }
        Ok(TransferResponse {
            source_path: source,
            destination_path: destination,
            success: true,
            overwritten: !created,
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(content: &str, ct: Option<&str>) -> WriteFileArgs {
        WriteFileArgs {
            path: "a".into(),
            content: content.into(),
            content_type: ct.map(str::to_string),
            if_match: None,
        }
    }

    #[test]
    fn base64_suffix_decodes() {
        let (bytes, ct) = decode_content(&args("aGk=", Some("image/png;base64"))).unwrap();
        assert_eq!(bytes, b"hi");
        assert_eq!(ct, "image/png");
        let (bytes, ct) = decode_content(&args("aGk=", None)).unwrap();
        assert_eq!(bytes, b"aGk=");
        assert!(ct.starts_with("text/plain"));
        assert!(decode_content(&args("!!", Some("x;base64"))).is_err());
    }
}
