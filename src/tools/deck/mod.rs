//! Deck toolset (38 tools): boards, stacks, cards, labels, assignments, dependent cards,
//! comments and attachments. Names and arguments match the reference server (Deck tools
//! have no `nc_` prefix there, and keep none here).

mod attachments;
mod boards;
mod cards;
mod comments;
mod labels;
mod listing;
mod people;
pub mod resources;
pub mod split;
mod stacks;
pub mod view;

use rmcp::RoleServer;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::service::RequestContext;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::support::require_app;
use super::{NextcloudMcp, ToolResult};
use crate::nextcloud::NextcloudClient;

impl NextcloudMcp {
    /// Every Deck tool.
    pub fn deck_router() -> ToolRouter<NextcloudMcp> {
        let mut router = Self::deck_boards_router();
        for part in [
            Self::deck_listing_router(),
            Self::deck_stacks_router(),
            Self::deck_cards_router(),
            Self::deck_labels_router(),
            Self::deck_people_router(),
            Self::deck_comments_router(),
            Self::deck_attachments_router(),
        ] {
            router.merge(part);
        }
        router
    }

    /// The caller's client once Deck is known to be installed for them.
    pub(crate) async fn deck_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<NextcloudClient> {
        let client = self.client(ctx)?;
        require_app(&client, "deck", "Deck").await?;
        Ok(client)
    }
}

/// Identifies a card by its board, stack and id (the Deck REST API needs all three).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CardRef {
    /// Board id (from deck_get_boards).
    pub board_id: i64,
    /// Stack id the card is in (from deck_get_stacks).
    pub stack_id: i64,
    /// Card id.
    pub card_id: i64,
}

/// A plain confirmation of a write.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Done {
    /// Always true when the call succeeded.
    pub success: bool,
    /// What was done.
    pub message: String,
}

impl Done {
    pub(crate) fn ok(message: impl Into<String>) -> Self {
        Self {
            success: true,
            message: message.into(),
        }
    }
}

pub(crate) fn default_true() -> bool {
    true
}

/// Checks a Deck color: 6 hex digits, `#` allowed and removed.
pub(crate) fn color_arg(arg: &str, color: &str) -> ToolResult<String> {
    let c = color.trim().trim_start_matches('#');
    if c.len() == 6 && c.chars().all(|ch| ch.is_ascii_hexdigit()) {
        Ok(c.to_string())
    } else {
        Err(super::ToolError::invalid(
            arg,
            format!("`{color}` is not a color; give 6 hex digits such as 0082c9"),
        ))
    }
}

pub(crate) fn non_empty(arg: &str, value: &str) -> ToolResult<()> {
    if value.trim().is_empty() {
        Err(super::ToolError::invalid(arg, "must not be empty"))
    } else {
        Ok(())
    }
}
