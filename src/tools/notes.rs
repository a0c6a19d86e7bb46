//! Notes toolset: tool names and arguments match the reference server.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use super::{NextcloudMcp, ToolError};
use crate::nextcloud::notes::Note;

/// Arguments of `nc_notes_get_note`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetNoteArgs {
    /// Id of the note (from nc_notes_search_notes or nc_notes_list_notes).
    pub note_id: i64,
}

#[tool_router(router = notes_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Read one note: title, category, Markdown content and the etag needed to update it.
    #[tool(
        name = "nc_notes_get_note",
        annotations(
            title = "Get note",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_notes_get_note(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetNoteArgs>,
    ) -> Result<Json<Note>, ToolError> {
        let client = self.client(&ctx)?;
        Ok(Json(client.notes_get(args.note_id).await?))
    }
}
