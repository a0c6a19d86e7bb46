//! Deck resources: `nc://Deck/boards` and templates below it for a board, its stacks, a
//! stack, its cards, a card, the board's labels and a label. Bodies are Deck's JSON, except
//! that a card's `attachmentCount` leaves out files this server hides (as the tools do).

use rmcp::ErrorData as McpError;
use rmcp::model::{Resource, ResourceTemplate};
use serde_json::Value;

use crate::nextcloud::{NcResult, NextcloudClient};
use crate::tools::NextcloudMcp;
use crate::tools::notes_resources::to_mcp;
use crate::tools::support::require_app;

/// The fixed resource listing every board.
pub const BOARDS_URI: &str = "nc://Deck/boards";

const TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "nc://Deck/boards/{board_id}",
        "deck_board",
        "A Deck board with its labels, users and permissions",
    ),
    (
        "nc://Deck/boards/{board_id}/stacks",
        "deck_stacks",
        "The stacks of a Deck board with their (not archived) cards",
    ),
    (
        "nc://Deck/boards/{board_id}/stacks/{stack_id}",
        "deck_stack",
        "One stack of a Deck board with its cards",
    ),
    (
        "nc://Deck/boards/{board_id}/stacks/{stack_id}/cards",
        "deck_cards",
        "The cards of one stack",
    ),
    (
        "nc://Deck/boards/{board_id}/stacks/{stack_id}/cards/{card_id}",
        "deck_card",
        "One Deck card with every field",
    ),
    (
        "nc://Deck/boards/{board_id}/labels",
        "deck_labels",
        "The labels of a Deck board",
    ),
    (
        "nc://Deck/boards/{board_id}/labels/{label_id}",
        "deck_label",
        "One label of a Deck board",
    ),
];

/// Fixed Deck resources.
pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(BOARDS_URI, "deck_boards")
            .with_description("Every Deck board the user can see")
            .with_mime_type("application/json"),
    ]
}

/// Deck resource templates.
pub fn templates() -> Vec<ResourceTemplate> {
    TEMPLATES
        .iter()
        .map(|(uri, name, description)| {
            ResourceTemplate::new(*uri, *name)
                .with_description(*description)
                .with_mime_type("application/json")
        })
        .collect()
}

fn id(segment: &str, uri: &str) -> Result<i64, McpError> {
    segment.parse().map_err(|_| {
        McpError::invalid_params(format!("{uri}: `{segment}` is not a numeric id"), None)
    })
}

fn json<T: serde::Serialize>(result: NcResult<T>) -> Result<Value, McpError> {
    let value = result.map_err(to_mcp)?;
    serde_json::to_value(value).map_err(to_mcp)
}

/// Reads a Deck resource; `None` when `uri` is not a Deck resource.
pub async fn read(
    host: &NextcloudMcp,
    client: &NextcloudClient,
    uri: &str,
) -> Option<Result<Value, McpError>> {
    let rest = uri.strip_prefix("nc://Deck/")?;
    Some(read_parts(host, client, uri, rest.trim_end_matches('/')).await)
}

async fn read_parts(
    host: &NextcloudMcp,
    client: &NextcloudClient,
    uri: &str,
    rest: &str,
) -> Result<Value, McpError> {
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.first() != Some(&"boards") {
        return Err(not_found(uri));
    }
    require_app(client, "deck", "Deck")
        .await
        .map_err(|e| McpError::invalid_request(e.message, None))?;
    match parts.as_slice() {
        ["boards"] => json(client.deck_boards().await),
        ["boards", b] => json(client.deck_board(id(b, uri)?).await),
        ["boards", b, "stacks"] => {
            let board = id(b, uri)?;
            let mut stacks = client.deck_stacks(board).await.map_err(to_mcp)?;
            host.with_visible_attachment_counts(client, board, &mut stacks)
                .await
                .map_err(to_mcp)?;
            json(Ok(stacks))
        }
        ["boards", b, "stacks", s] | ["boards", b, "stacks", s, "cards"] => {
            let board = id(b, uri)?;
            let stack = client
                .deck_stack(board, id(s, uri)?)
                .await
                .map_err(to_mcp)?;
            let mut stacks = [stack];
            host.with_visible_attachment_counts(client, board, &mut stacks)
                .await
                .map_err(to_mcp)?;
            let [stack] = stacks;
            if parts.len() == 4 {
                json(Ok(stack))
            } else {
                json(Ok(stack.cards))
            }
        }
        ["boards", b, "stacks", s, "cards", c] => {
            let board = id(b, uri)?;
            let card = client
                .deck_card(board, id(s, uri)?, id(c, uri)?)
                .await
                .map_err(to_mcp)?;
            json(Ok(host
                .with_visible_attachment_count(client, board, card)
                .await
                .map_err(to_mcp)?))
        }
        ["boards", b, "labels"] => json(client.deck_board(id(b, uri)?).await.map(|b| b.labels)),
        ["boards", b, "labels", l] => json(client.deck_label(id(b, uri)?, id(l, uri)?).await),
        _ => Err(not_found(uri)),
    }
}

fn not_found(uri: &str) -> McpError {
    McpError::resource_not_found(
        format!("unknown Deck resource {uri}; see the resource templates for the nc://Deck/ URIs"),
        None,
    )
}
