//! Stack tools: deck_create_stack, deck_update_stack, deck_delete_stack.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Done, non_empty};
use crate::nextcloud::deck::Stack;
use crate::tools::{NextcloudMcp, ToolError};

/// A stack without its cards.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StackInfo {
    /// Stack id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Board id.
    pub board_id: i64,
    /// Position on the board (lower first).
    pub order: i64,
    /// Last change, epoch seconds.
    pub last_modified: i64,
}

impl From<Stack> for StackInfo {
    fn from(s: Stack) -> Self {
        Self {
            id: s.id,
            title: s.title,
            board_id: s.board_id,
            order: s.order,
            last_modified: s.last_modified,
        }
    }
}

/// Arguments of deck_create_stack.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateStackArgs {
    /// Board id.
    pub board_id: i64,
    /// Title of the new stack (column), e.g. "To do".
    pub title: String,
    /// Position on the board (lower first).
    pub order: i64,
}

/// Arguments of deck_update_stack.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateStackArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id.
    pub stack_id: i64,
    /// New title (unchanged when omitted).
    #[serde(default)]
    pub title: Option<String>,
    /// New position (unchanged when omitted).
    #[serde(default)]
    pub order: Option<i64>,
}

/// Arguments of deck_delete_stack.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteStackArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id.
    pub stack_id: i64,
}

#[tool_router(router = deck_stacks_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Create a stack (column) on a board.
    #[tool(
        name = "deck_create_stack",
        input_schema = crate::tools::catalogue::input::<CreateStackArgs>(),
        output_schema = crate::tools::catalogue::output::<StackInfo>(),
        annotations(
            title = "Create Deck stack",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_stack(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateStackArgs>,
    ) -> Result<Json<StackInfo>, ToolError> {
        non_empty("title", &args.title)?;
        let client = self.deck_client(&ctx).await?;
        let stack = client
            .deck_create_stack(args.board_id, args.title.trim(), args.order)
            .await?;
        Ok(Json(stack.into()))
    }

    /// Rename or reorder a stack. Fields left out keep their value (the stack is read first, since Deck needs both title and order).
    #[tool(
        name = "deck_update_stack",
        input_schema = crate::tools::catalogue::input::<UpdateStackArgs>(),
        output_schema = crate::tools::catalogue::output::<StackInfo>(),
        annotations(
            title = "Update Deck stack",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_stack(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateStackArgs>,
    ) -> Result<Json<StackInfo>, ToolError> {
        if args.title.is_none() && args.order.is_none() {
            return Err(ToolError::invalid("title", "give a new title or order"));
        }
        if let Some(title) = &args.title {
            non_empty("title", title)?;
        }
        let client = self.deck_client(&ctx).await?;
        let current = client.deck_stack(args.board_id, args.stack_id).await?;
        let title = args
            .title
            .as_deref()
            .map(str::trim)
            .unwrap_or(&current.title);
        let order = args.order.unwrap_or(current.order);
        let stack = client
            .deck_update_stack(args.board_id, args.stack_id, title, order)
            .await?;
        Ok(Json(stack.into()))
    }

    /// Delete a stack and the cards in it (Deck keeps them in its trash for a while).
    #[tool(
        name = "deck_delete_stack",
        input_schema = crate::tools::catalogue::input::<DeleteStackArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Delete Deck stack",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_delete_stack(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<DeleteStackArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        client
            .deck_delete_stack(args.board_id, args.stack_id)
            .await?;
        Ok(Json(Done::ok(format!(
            "stack {} deleted from board {}",
            args.stack_id, args.board_id
        ))))
    }
}
