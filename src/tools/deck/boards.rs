//! Board tools: deck_get_boards, deck_get_board, deck_create_board.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{color_arg, default_true, non_empty};
use crate::nextcloud::deck::{Board, DeckUser, Label};
use crate::tools::{NextcloudMcp, ToolError};

/// A board as listed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardBrief {
    /// Board id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Color (6 hex digits).
    pub color: String,
    /// Whether the board is archived.
    pub archived: bool,
    /// Owner's user id.
    pub owner: String,
    /// Last change, epoch seconds.
    pub last_modified: i64,
}

/// Result of deck_get_boards.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardList {
    /// Boards the user can see (deleted boards left out).
    pub boards: Vec<BoardBrief>,
    /// Number of boards listed.
    pub total: usize,
    /// What was left out, if anything.
    pub notes: Vec<String>,
}

/// Arguments of deck_get_board.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetBoardArgs {
    /// Board id (from deck_get_boards).
    pub board_id: i64,
    /// Include the sharing entries (ACL).
    #[serde(default = "default_true")]
    pub include_acl: bool,
    /// Include the users with access.
    #[serde(default = "default_true")]
    pub include_users: bool,
    /// Include the board's labels.
    #[serde(default = "default_true")]
    pub include_labels: bool,
}

/// A board with the parts asked for.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardDetails {
    /// Board id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Color (6 hex digits).
    pub color: String,
    /// Whether the board is archived.
    pub archived: bool,
    /// Owner.
    pub owner: DeckUser,
    /// The caller's permissions on the board.
    pub permissions: Value,
    /// Last change, epoch seconds.
    pub last_modified: i64,
    /// Labels (include_labels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
    /// Users with access (include_users).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<DeckUser>>,
    /// Sharing entries (include_acl).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl: Option<Vec<Value>>,
    /// ETag of the board.
    pub etag: String,
}

/// Arguments of deck_create_board.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateBoardArgs {
    /// Title of the new board.
    pub title: String,
    /// Color as 6 hex digits, e.g. `0082c9`.
    pub color: String,
}

#[tool_router(router = deck_boards_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the Deck boards the user can see: id, title, color, archived flag and owner. Start here to find a board_id.
    #[tool(
        name = "deck_get_boards",
        output_schema = crate::tools::catalogue::output::<BoardList>(),
        annotations(
            title = "List Deck boards",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_boards(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<BoardList>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let all = client.deck_boards().await?;
        let deleted = all.iter().filter(|b| b.deleted_at > 0).count();
        let boards: Vec<BoardBrief> = all
            .into_iter()
            .filter(|b| b.deleted_at == 0)
            .map(|b| BoardBrief {
                id: b.id,
                title: b.title,
                color: b.color,
                archived: b.archived,
                owner: b.owner.uid,
                last_modified: b.last_modified,
            })
            .collect();
        let mut notes = Vec::new();
        if deleted > 0 {
            notes.push(format!("{deleted} deleted board(s) left out"));
        }
        Ok(Json(BoardList {
            total: boards.len(),
            boards,
            notes,
        }))
    }

    /// Read one board: title, owner, permissions, and (by default) its labels, users and sharing entries. Use deck_get_board_overview for its cards.
    #[tool(
        name = "deck_get_board",
        input_schema = crate::tools::catalogue::input::<GetBoardArgs>(),
        output_schema = crate::tools::catalogue::output::<BoardDetails>(),
        annotations(
            title = "Get Deck board",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_board(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetBoardArgs>,
    ) -> Result<Json<BoardDetails>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let board = client.deck_board(args.board_id).await?;
        Ok(Json(board_details(
            board,
            args.include_labels,
            args.include_users,
            args.include_acl,
        )))
    }

    /// Create a Deck board with a title and a color. Deck adds its default labels.
    #[tool(
        name = "deck_create_board",
        input_schema = crate::tools::catalogue::input::<CreateBoardArgs>(),
        output_schema = crate::tools::catalogue::output::<BoardDetails>(),
        annotations(
            title = "Create Deck board",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_board(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateBoardArgs>,
    ) -> Result<Json<BoardDetails>, ToolError> {
        non_empty("title", &args.title)?;
        let color = color_arg("color", &args.color)?;
        let client = self.deck_client(&ctx).await?;
        let board = client.deck_create_board(args.title.trim(), &color).await?;
        Ok(Json(board_details(board, true, true, true)))
    }
}

/// The board with the parts asked for.
pub fn board_details(board: Board, labels: bool, users: bool, acl: bool) -> BoardDetails {
    BoardDetails {
        id: board.id,
        title: board.title,
        color: board.color,
        archived: board.archived,
        owner: board.owner,
        permissions: board.permissions,
        last_modified: board.last_modified,
        labels: labels.then_some(board.labels),
        users: users.then_some(board.users),
        acl: acl.then_some(board.acl),
        etag: board.etag,
    }
}
