//! Card tools: get, create, update (read-merge-write), delete, archive, unarchive,
//! reorder/move within a board, move to another board.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{CardRef, Done, non_empty};
use crate::nextcloud::deck::{Card, CardChanges, card_update_payload};
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

fn default_type() -> String {
    "plain".to_string()
}

fn default_order() -> i64 {
    999
}

/// Arguments of deck_create_card.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateCardArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id the card goes into.
    pub stack_id: i64,
    /// Title.
    pub title: String,
    /// Card type; `plain` for ordinary cards.
    #[serde(default = "default_type", rename = "type")]
    pub card_type: String,
    /// Position in the stack (lower first; 999 puts it at the end).
    #[serde(default = "default_order")]
    pub order: i64,
    /// Description (Markdown).
    #[serde(default)]
    pub description: Option<String>,
    /// Due date, ISO 8601 (e.g. 2025-12-24T18:00:00+00:00).
    #[serde(default)]
    pub duedate: Option<String>,
}

/// Arguments of deck_update_card. Fields left out keep their current value.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateCardArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id the card is in.
    pub stack_id: i64,
    /// Card id.
    pub card_id: i64,
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New description (Markdown); empty string clears it.
    #[serde(default)]
    pub description: Option<String>,
    /// New card type.
    #[serde(default, rename = "type")]
    pub card_type: Option<String>,
    /// New owner (user id).
    #[serde(default)]
    pub owner: Option<String>,
    /// New position in the stack.
    #[serde(default)]
    pub order: Option<i64>,
    /// New due date, ISO 8601; empty string removes it.
    #[serde(default)]
    pub duedate: Option<String>,
    /// Archive (true) or unarchive (false).
    #[serde(default)]
    pub archived: Option<bool>,
    /// Mark done (true) or not done (false).
    #[serde(default)]
    pub done: Option<bool>,
}

/// Arguments of deck_reorder_card.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReorderCardArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id the card is in now.
    pub stack_id: i64,
    /// Card id.
    pub card_id: i64,
    /// New position in the target stack (0 = top).
    pub order: i64,
    /// Stack the card goes to (the same stack to only reorder); must be on the same board.
    pub target_stack_id: i64,
}

/// Arguments of deck_move_card_to_board.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MoveCardArgs {
    /// Board the card is on.
    pub source_board_id: i64,
    /// Stack the card is in.
    pub source_stack_id: i64,
    /// Card id.
    pub card_id: i64,
    /// Board to move it to.
    pub target_board_id: i64,
    /// Stack on the target board.
    pub target_stack_id: i64,
    /// Position in the target stack (0 = top).
    #[serde(default)]
    pub order: i64,
}

/// A card after a move, with notes on what changed besides its place.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MovedCard {
    /// The card where it is now.
    pub card: Card,
    /// Board id it is on now.
    pub board_id: i64,
    /// Remarks (e.g. labels of the old board).
    pub notes: Vec<String>,
}

#[tool_router(router = deck_cards_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Read one card with every field: description, labels, assigned users, due date, done and archived state, owner.
    #[tool(
        name = "deck_get_card",
        input_schema = crate::tools::catalogue::input::<CardRef>(),
        output_schema = crate::tools::catalogue::output::<Card>(),
        annotations(
            title = "Get Deck card",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardRef>,
    ) -> Result<Json<Card>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let card = client
            .deck_card(args.board_id, args.stack_id, args.card_id)
            .await?;
        Ok(Json(
            self.with_visible_attachment_count(&client, args.board_id, card)
                .await?,
        ))
    }

    /// Create a card in a stack.
    #[tool(
        name = "deck_create_card",
        input_schema = crate::tools::catalogue::input::<CreateCardArgs>(),
        output_schema = crate::tools::catalogue::output::<Card>(),
        annotations(
            title = "Create Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateCardArgs>,
    ) -> Result<Json<Card>, ToolError> {
        non_empty("title", &args.title)?;
        if let Some(d) = &args.duedate {
            check_date("duedate", d)?;
        }
        let client = self.deck_client(&ctx).await?;
        let mut body =
            json!({"title": args.title.trim(), "type": args.card_type, "order": args.order});
        if let Some(d) = args.description {
            body["description"] = json!(d);
        }
        if let Some(d) = args.duedate.filter(|d| !d.trim().is_empty()) {
            body["duedate"] = json!(d);
        }
        Ok(Json(
            client
                .deck_create_card(args.board_id, args.stack_id, body)
                .await?,
        ))
    }

    /// Change a card's title, description, type, owner, position, due date, archived or done state. Only the fields given change: the card is read and the full payload written back, as Deck requires.
    #[tool(
        name = "deck_update_card",
        input_schema = crate::tools::catalogue::input::<UpdateCardArgs>(),
        output_schema = crate::tools::catalogue::output::<Card>(),
        annotations(
            title = "Update Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateCardArgs>,
    ) -> Result<Json<Card>, ToolError> {
        if let Some(t) = &args.title {
            non_empty("title", t)?;
        }
        if let Some(d) = args.duedate.as_deref().filter(|d| !d.trim().is_empty()) {
            check_date("duedate", d)?;
        }
        let changes = CardChanges {
            title: args.title.map(|t| t.trim().to_string()),
            description: args.description,
            card_type: args.card_type,
            owner: args.owner,
            order: args.order,
            duedate: args.duedate,
            archived: args.archived,
            done: args.done,
        };
        if changes.title.is_none()
            && changes.description.is_none()
            && changes.card_type.is_none()
            && changes.owner.is_none()
            && changes.order.is_none()
            && changes.duedate.is_none()
            && changes.archived.is_none()
            && changes.done.is_none()
        {
            return Err(ToolError::invalid(
                "title",
                "nothing to change; give at least one field",
            ));
        }
        let client = self.deck_client(&ctx).await?;
        let card = client
            .deck_update_card(args.board_id, args.stack_id, args.card_id, &changes)
            .await?;
        Ok(Json(
            self.with_visible_attachment_count(&client, args.board_id, card)
                .await?,
        ))
    }

    /// Delete a card (Deck keeps it in its trash for a while).
    #[tool(
        name = "deck_delete_card",
        input_schema = crate::tools::catalogue::input::<CardRef>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Delete Deck card",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_delete_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardRef>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        client
            .deck_delete_card(args.board_id, args.stack_id, args.card_id)
            .await?;
        Ok(Json(Done::ok(format!("card {} deleted", args.card_id))))
    }

    /// Archive a card: it leaves the board view but stays readable (deck_get_archived_stacks).
    #[tool(
        name = "deck_archive_card",
        input_schema = crate::tools::catalogue::input::<CardRef>(),
        output_schema = crate::tools::catalogue::output::<Card>(),
        annotations(
            title = "Archive Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_archive_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardRef>,
    ) -> Result<Json<Card>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let card = client
            .deck_archive_card(args.board_id, args.stack_id, args.card_id, true)
            .await?;
        Ok(Json(
            self.with_visible_attachment_count(&client, args.board_id, card)
                .await?,
        ))
    }

    /// Bring an archived card back onto the board.
    #[tool(
        name = "deck_unarchive_card",
        input_schema = crate::tools::catalogue::input::<CardRef>(),
        output_schema = crate::tools::catalogue::output::<Card>(),
        annotations(
            title = "Unarchive Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_unarchive_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardRef>,
    ) -> Result<Json<Card>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let card = client
            .deck_archive_card(args.board_id, args.stack_id, args.card_id, false)
            .await?;
        Ok(Json(
            self.with_visible_attachment_count(&client, args.board_id, card)
                .await?,
        ))
    }

    /// Move a card to another position and/or another stack of the same board. Returns the card as it is afterwards.
    #[tool(
        name = "deck_reorder_card",
        input_schema = crate::tools::catalogue::input::<ReorderCardArgs>(),
        output_schema = crate::tools::catalogue::output::<Card>(),
        annotations(
            title = "Reorder or move Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_reorder_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReorderCardArgs>,
    ) -> Result<Json<Card>, ToolError> {
        if args.order < 0 {
            return Err(ToolError::invalid("order", "must be 0 or more"));
        }
        let client = self.deck_client(&ctx).await?;
        client
            .deck_reorder_card(
                args.board_id,
                args.stack_id,
                args.card_id,
                args.order,
                args.target_stack_id,
            )
            .await?;
        let card = client
            .deck_card(args.board_id, args.target_stack_id, args.card_id)
            .await?;
        Ok(Json(
            self.with_visible_attachment_count(&client, args.board_id, card)
                .await?,
        ))
    }

    /// Move a card to a stack on another board, keeping its title, description, due date and done state. Labels of the old board do not exist on the new one; the result says which were dropped.
    #[tool(
        name = "deck_move_card_to_board",
        input_schema = crate::tools::catalogue::input::<MoveCardArgs>(),
        output_schema = crate::tools::catalogue::output::<MovedCard>(),
        annotations(
            title = "Move Deck card to another board",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_move_card_to_board(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<MoveCardArgs>,
    ) -> Result<Json<MovedCard>, ToolError> {
        if args.order < 0 {
            return Err(ToolError::invalid("order", "must be 0 or more"));
        }
        let client = self.deck_client(&ctx).await?;
        let card = client
            .deck_card(args.source_board_id, args.source_stack_id, args.card_id)
            .await?;
        // A clear error when the target stack is not on the target board.
        client
            .deck_stack(args.target_board_id, args.target_stack_id)
            .await?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut payload = card_update_payload(
            &card,
            &CardChanges {
                order: Some(args.order),
                ..Default::default()
            },
            &now,
        );
        payload["stackId"] = json!(args.target_stack_id);
        let moved = client
            .deck_put_card(
                args.target_board_id,
                args.target_stack_id,
                args.card_id,
                payload,
            )
            .await?;
        let mut notes = Vec::new();
        if args.source_board_id != args.target_board_id {
            let old: Vec<String> = moved
                .labels
                .iter()
                .filter(|l| l.board_id == Some(args.source_board_id))
                .map(|l| l.title.clone())
                .collect();
            let dropped: Vec<String> = card
                .labels
                .iter()
                .filter(|l| !moved.labels.iter().any(|m| m.id == l.id))
                .map(|l| l.title.clone())
                .collect();
            if !dropped.is_empty() {
                notes.push(format!(
                    "labels of the old board dropped: {}; add labels of the new board with deck_assign_label_to_card",
                    dropped.join(", ")
                ));
            }
            if !old.is_empty() {
                notes.push(format!(
                    "still carries labels of the old board: {}",
                    old.join(", ")
                ));
            }
        }
        let moved = self
            .with_visible_attachment_count(&client, args.target_board_id, moved)
            .await?;
        Ok(Json(MovedCard {
            card: moved,
            board_id: args.target_board_id,
            notes,
        }))
    }
}

/// Checks an ISO 8601 date-time (or date) argument.
pub(crate) fn check_date(arg: &str, value: &str) -> ToolResult<()> {
    let v = value.trim();
    let ok = chrono::DateTime::parse_from_rfc3339(v).is_ok()
        || chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S").is_ok()
        || chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok();
    if ok {
        Ok(())
    } else {
        Err(ToolError::invalid(
            arg,
            format!("`{value}` is not an ISO 8601 date; use e.g. 2025-12-24T18:00:00+00:00"),
        ))
    }
}
