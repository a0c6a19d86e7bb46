//! Label tools: list, get, create, update, delete, and putting labels on cards.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Done, color_arg, non_empty};
use crate::nextcloud::deck::Label;
use crate::tools::{NextcloudMcp, ToolError};

/// Arguments naming a board.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BoardArgs {
    /// Board id (from deck_get_boards).
    pub board_id: i64,
}

/// Arguments naming a label.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct LabelArgs {
    /// Board id.
    pub board_id: i64,
    /// Label id (from deck_get_labels).
    pub label_id: i64,
}

/// Arguments of deck_create_label.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateLabelArgs {
    /// Board id.
    pub board_id: i64,
    /// Label title.
    pub title: String,
    /// Color as 6 hex digits, e.g. 31CC7C.
    pub color: String,
}

/// Arguments of deck_update_label.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateLabelArgs {
    /// Board id.
    pub board_id: i64,
    /// Label id.
    pub label_id: i64,
    /// New title (unchanged when omitted).
    #[serde(default)]
    pub title: Option<String>,
    /// New color, 6 hex digits (unchanged when omitted).
    #[serde(default)]
    pub color: Option<String>,
}

/// Arguments of deck_assign_label_to_card and deck_remove_label_from_card.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CardLabelArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id the card is in.
    pub stack_id: i64,
    /// Card id.
    pub card_id: i64,
    /// Label id (a label of the same board).
    pub label_id: i64,
}

/// Result of deck_get_labels.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LabelList {
    /// Board id.
    pub board_id: i64,
    /// Labels of the board.
    pub labels: Vec<Label>,
    /// Number of labels.
    pub total: usize,
}

#[tool_router(router = deck_labels_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the labels defined on a board (id, title, color).
    #[tool(
        name = "deck_get_labels",
        input_schema = crate::tools::catalogue::input::<BoardArgs>(),
        output_schema = crate::tools::catalogue::output::<LabelList>(),
        annotations(
            title = "List Deck labels",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_labels(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<BoardArgs>,
    ) -> Result<Json<LabelList>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let board = client.deck_board(args.board_id).await?;
        Ok(Json(LabelList {
            board_id: board.id,
            total: board.labels.len(),
            labels: board.labels,
        }))
    }

    /// Read one label of a board.
    #[tool(
        name = "deck_get_label",
        input_schema = crate::tools::catalogue::input::<LabelArgs>(),
        output_schema = crate::tools::catalogue::output::<Label>(),
        annotations(
            title = "Get Deck label",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_label(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<LabelArgs>,
    ) -> Result<Json<Label>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        Ok(Json(client.deck_label(args.board_id, args.label_id).await?))
    }

    /// Create a label on a board.
    #[tool(
        name = "deck_create_label",
        input_schema = crate::tools::catalogue::input::<CreateLabelArgs>(),
        output_schema = crate::tools::catalogue::output::<Label>(),
        annotations(
            title = "Create Deck label",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_label(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateLabelArgs>,
    ) -> Result<Json<Label>, ToolError> {
        non_empty("title", &args.title)?;
        let color = color_arg("color", &args.color)?;
        let client = self.deck_client(&ctx).await?;
        Ok(Json(
            client
                .deck_create_label(args.board_id, args.title.trim(), &color)
                .await?,
        ))
    }

    /// Rename or recolor a label. Fields left out keep their value.
    #[tool(
        name = "deck_update_label",
        input_schema = crate::tools::catalogue::input::<UpdateLabelArgs>(),
        output_schema = crate::tools::catalogue::output::<Label>(),
        annotations(
            title = "Update Deck label",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_label(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateLabelArgs>,
    ) -> Result<Json<Label>, ToolError> {
        if args.title.is_none() && args.color.is_none() {
            return Err(ToolError::invalid("title", "give a new title or color"));
        }
        if let Some(t) = &args.title {
            non_empty("title", t)?;
        }
        let color = args
            .color
            .as_deref()
            .map(|c| color_arg("color", c))
            .transpose()?;
        let client = self.deck_client(&ctx).await?;
        let current = client.deck_label(args.board_id, args.label_id).await?;
        let title = args
            .title
            .as_deref()
            .map(str::trim)
            .unwrap_or(&current.title);
        let color = color.unwrap_or(current.color.clone());
        Ok(Json(
            client
                .deck_update_label(args.board_id, args.label_id, title, &color)
                .await?,
        ))
    }

    /// Delete a label from a board (it disappears from every card).
    #[tool(
        name = "deck_delete_label",
        input_schema = crate::tools::catalogue::input::<LabelArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Delete Deck label",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_delete_label(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<LabelArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        client
            .deck_delete_label(args.board_id, args.label_id)
            .await?;
        Ok(Json(Done::ok(format!(
            "label {} deleted from board {}",
            args.label_id, args.board_id
        ))))
    }

    /// Put a board label on a card.
    #[tool(
        name = "deck_assign_label_to_card",
        input_schema = crate::tools::catalogue::input::<CardLabelArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Add label to Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_assign_label_to_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardLabelArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        client
            .deck_card_label(
                args.board_id,
                args.stack_id,
                args.card_id,
                args.label_id,
                true,
            )
            .await?;
        Ok(Json(Done::ok(format!(
            "label {} added to card {}",
            args.label_id, args.card_id
        ))))
    }

    /// Take a label off a card.
    #[tool(
        name = "deck_remove_label_from_card",
        input_schema = crate::tools::catalogue::input::<CardLabelArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Remove label from Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_remove_label_from_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardLabelArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        client
            .deck_card_label(
                args.board_id,
                args.stack_id,
                args.card_id,
                args.label_id,
                false,
            )
            .await?;
        Ok(Json(Done::ok(format!(
            "label {} removed from card {}",
            args.label_id, args.card_id
        ))))
    }
}
