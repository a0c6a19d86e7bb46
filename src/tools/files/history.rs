//! Trash bin and file versions.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::super::{NextcloudMcp, ToolError};
use super::hidden::{Hidden, norm_item};
use super::trash_check::{Contents, MAX_TRASHED_FOLDERS_CHECKED, TrashCheck, tagged_anywhere};
use super::visible_with_id;
use super::write::PathArgs;
use crate::nextcloud::trashbin::is_version_id;
use crate::nextcloud::trashbin::{FileVersion, TrashEntry};

/// Result of `nc_webdav_list_trash`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TrashList {
    /// Deleted items, most recently deleted first.
    pub entries: Vec<TrashEntry>,
    /// Number of entries.
    pub total: usize,
}

/// Arguments of `nc_webdav_restore_from_trash`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RestoreTrashArgs {
    /// Entry id from nc_webdav_list_trash (e.g. `report.pdf.d1718000000`).
    pub entry_id: String,
}

/// Result of `nc_webdav_restore_from_trash`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RestoreTrashResponse {
    /// The entry restored.
    pub entry_id: String,
    /// Where it is now, relative to the user's files.
    pub restored_to: String,
    /// What happened and how to undo it.
    pub message: String,
}

/// Result of `nc_webdav_list_versions`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VersionList {
    /// The file.
    pub path: String,
    /// Its file id.
    pub file_id: i64,
    /// Earlier versions, newest first (the current content is not among them).
    pub versions: Vec<FileVersion>,
    /// Number of versions.
    pub total: usize,
}

/// Arguments of `nc_webdav_restore_version`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RestoreVersionArgs {
    /// File path relative to the user's files.
    pub path: String,
    /// Version id from nc_webdav_list_versions.
    pub version_id: String,
}

/// Result of `nc_webdav_restore_version`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RestoreVersionResponse {
    /// The file.
    pub path: String,
    /// The version restored.
    pub version_id: String,
    /// What happened and how to undo it.
    pub message: String,
}

#[tool_router(router = files_history_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List deleted files and folders in the trash bin, with the entry id needed to restore each.
    #[tool(
        name = "nc_webdav_list_trash",
        output_schema = crate::tools::catalogue::output::<TrashList>(),
        annotations(
            title = "List trash bin",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_list_trash(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<TrashList>, ToolError> {
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let tagged = tagged_anywhere(self, &client, "the trash bin").await?;
        let check = TrashCheck::new(&hidden, tagged.as_ref());
        let mut entries: Vec<TrashEntry> = client
            .trash_list()
            .await?
            .into_iter()
            .filter(|e| !check.is_hidden(e))
            .collect();
        entries.sort_by_key(|e| std::cmp::Reverse(e.deletion_time));
        Ok(Json(TrashList {
            total: entries.len(),
            entries,
        }))
    }

    /// Restore a deleted file or folder from the trash bin to where it was.
    #[tool(
        name = "nc_webdav_restore_from_trash",
        input_schema = crate::tools::catalogue::input::<RestoreTrashArgs>(),
        output_schema = crate::tools::catalogue::output::<RestoreTrashResponse>(),
        annotations(
            title = "Restore from trash",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_restore_from_trash(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<RestoreTrashArgs>,
    ) -> Result<Json<RestoreTrashResponse>, ToolError> {
        // Not trimmed: an entry id starts with the file name, which may begin with a space.
        let entry_id = args.entry_id.clone();
        if entry_id.trim().is_empty()
            || entry_id.chars().any(char::is_control)
            || entry_id.contains('/')
            || entry_id.contains('\\')
            || entry_id == ".."
        {
            return Err(ToolError::invalid(
                "entry_id",
                "give an entry id from nc_webdav_list_trash",
            ));
        }
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let tagged = tagged_anywhere(self, &client, "the trash bin").await?;
        let check = TrashCheck::new(&hidden, tagged.as_ref());
        let entry = client
            .trash_list()
            .await?
            .into_iter()
            .find(|e| e.entry_id == entry_id)
            .filter(|e| !check.is_hidden(e))
            .ok_or_else(|| {
                ToolError::invalid(
                    "entry_id",
                    format!("no trash entry `{entry_id}`; nc_webdav_list_trash lists them"),
                )
            })?;
        // Checked before anything moves: restoring a folder brings back all it holds.
        match check.contents(&client, &entry).await? {
            Contents::Clear => {}
            Contents::Hidden => {
                return Err(ToolError::new(format!(
                    "`{entry_id}` is not available for this: it contains items this server hides by configuration (toolsets.files.excluded_tags)"
                )));
            }
            Contents::TooLarge => {
                return Err(ToolError::new(format!(
                    "`{entry_id}` holds more than {MAX_TRASHED_FOLDERS_CHECKED} folders, too many to check against toolsets.files.excluded_tags; restore it in the Nextcloud web interface"
                )));
            }
        }
        client.trash_restore(&entry.entry_id, &entry.name).await?;
        Ok(Json(RestoreTrashResponse {
            message: format!(
                "restored `{}`; to undo, delete it again with nc_webdav_delete_resource",
                entry.original_location
            ),
            entry_id,
            restored_to: entry.original_location,
        }))
    }

    /// List earlier versions of a file, newest first, with the version id needed to restore each.
    #[tool(
        name = "nc_webdav_list_versions",
        input_schema = crate::tools::catalogue::input::<PathArgs>(),
        output_schema = crate::tools::catalogue::output::<VersionList>(),
        annotations(
            title = "List file versions",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_list_versions(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PathArgs>,
    ) -> Result<Json<VersionList>, ToolError> {
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let (info, file_id) = visible_with_id(&client, &hidden, "path", &path).await?;
        if info.is_directory() {
            return Err(ToolError::invalid("path", "folders have no versions"));
        }
        let versions = client.versions_list(file_id).await?;
        Ok(Json(VersionList {
            path,
            file_id,
            total: versions.len(),
            versions,
        }))
    }

    /// Roll a file back to an earlier version. The content it had before becomes a version itself, so this can be undone.
    #[tool(
        name = "nc_webdav_restore_version",
        input_schema = crate::tools::catalogue::input::<RestoreVersionArgs>(),
        output_schema = crate::tools::catalogue::output::<RestoreVersionResponse>(),
        annotations(
            title = "Restore file version",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_restore_version(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<RestoreVersionArgs>,
    ) -> Result<Json<RestoreVersionResponse>, ToolError> {
        let version_id = args.version_id.clone();
        if !is_version_id(&version_id) {
            return Err(ToolError::invalid(
                "version_id",
                format!(
                    "`{version_id}` is not a version id; give one from nc_webdav_list_versions (Nextcloud's are digits, the version's timestamp)"
                ),
            ));
        }
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let (_, file_id) = visible_with_id(&client, &hidden, "path", &path).await?;
        client.version_restore(file_id, &version_id).await?;
        Ok(Json(RestoreVersionResponse {
            message: format!(
                "restored version {version_id} of `{path}`; the content it replaced is now the newest entry of nc_webdav_list_versions, restore that to undo"
            ),
            path,
            version_id,
        }))
    }
}
