//! Assignments and dependencies: deck_assign_user_to_card, deck_unassign_user_from_card,
//! deck_assign_dependent_card, deck_remove_dependent_card.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use super::{Done, non_empty};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::deck::version_at_least;
use crate::tools::support::require_app;
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Deck version that introduced dependent cards.
pub const DEPENDENT_CARDS_MIN_VERSION: &str = "1.18.0";

/// Arguments of deck_assign_user_to_card and deck_unassign_user_from_card.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CardUserArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id the card is in.
    pub stack_id: i64,
    /// Card id.
    pub card_id: i64,
    /// Nextcloud user id (a member of the board; see deck_get_board users).
    pub user_id: String,
}

/// Arguments of deck_assign_dependent_card and deck_remove_dependent_card.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DependentCardArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id the card is in.
    pub stack_id: i64,
    /// Card id.
    pub card_id: i64,
    /// Id of the card it depends on.
    pub dependent_card_id: i64,
}

impl NextcloudMcp {
    /// The client once Deck is present and new enough for dependent cards.
    async fn deck_dependencies_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<NextcloudClient> {
        let client = self.client(ctx)?;
        let block = require_app(&client, "deck", "Deck").await?;
        if let Some(version) = block.get("version").and_then(|v| v.as_str())
            && !version_at_least(version, DEPENDENT_CARDS_MIN_VERSION)
        {
            return Err(ToolError::new(format!(
                "Dependent cards need Deck {DEPENDENT_CARDS_MIN_VERSION} or newer; this Nextcloud has Deck {version}. Ask the administrator to update Deck, or note the dependency in the card description instead."
            )));
        }
        Ok(client)
    }
}

#[tool_router(router = deck_people_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Assign a user (a board member) to a card.
    #[tool(
        name = "deck_assign_user_to_card",
        input_schema = crate::tools::catalogue::input::<CardUserArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Assign user to Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_assign_user_to_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardUserArgs>,
    ) -> Result<Json<Done>, ToolError> {
        non_empty("user_id", &args.user_id)?;
        let client = self.deck_client(&ctx).await?;
        client
            .deck_card_user(
                args.board_id,
                args.stack_id,
                args.card_id,
                args.user_id.trim(),
                true,
            )
            .await?;
        Ok(Json(Done::ok(format!(
            "{} assigned to card {}",
            args.user_id.trim(),
            args.card_id
        ))))
    }

    /// Remove a user's assignment from a card.
    #[tool(
        name = "deck_unassign_user_from_card",
        input_schema = crate::tools::catalogue::input::<CardUserArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Unassign user from Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_unassign_user_from_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardUserArgs>,
    ) -> Result<Json<Done>, ToolError> {
        non_empty("user_id", &args.user_id)?;
        let client = self.deck_client(&ctx).await?;
        client
            .deck_card_user(
                args.board_id,
                args.stack_id,
                args.card_id,
                args.user_id.trim(),
                false,
            )
            .await?;
        Ok(Json(Done::ok(format!(
            "{} unassigned from card {}",
            args.user_id.trim(),
            args.card_id
        ))))
    }

    /// Mark a card as depending on another card (needs Deck 1.18.0 or newer; refused with a clear message on older Deck).
    #[tool(
        name = "deck_assign_dependent_card",
        input_schema = crate::tools::catalogue::input::<DependentCardArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Add Deck card dependency",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_assign_dependent_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<DependentCardArgs>,
    ) -> Result<Json<Done>, ToolError> {
        if args.card_id == args.dependent_card_id {
            return Err(ToolError::invalid(
                "dependent_card_id",
                "a card cannot depend on itself",
            ));
        }
        let client = self.deck_dependencies_client(&ctx).await?;
        client
            .deck_dependent_card(
                args.board_id,
                args.stack_id,
                args.card_id,
                args.dependent_card_id,
                true,
            )
            .await?;
        Ok(Json(Done::ok(format!(
            "card {} now depends on card {}",
            args.card_id, args.dependent_card_id
        ))))
    }

    /// Remove a dependency between two cards (needs Deck 1.18.0 or newer).
    #[tool(
        name = "deck_remove_dependent_card",
        input_schema = crate::tools::catalogue::input::<DependentCardArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Remove Deck card dependency",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_remove_dependent_card(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<DependentCardArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.deck_dependencies_client(&ctx).await?;
        client
            .deck_dependent_card(
                args.board_id,
                args.stack_id,
                args.card_id,
                args.dependent_card_id,
                false,
            )
            .await?;
        Ok(Json(Done::ok(format!(
            "card {} no longer depends on card {}",
            args.card_id, args.dependent_card_id
        ))))
    }
}
