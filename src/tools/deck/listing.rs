//! Board reading with filters and compact projections: deck_get_stacks, deck_get_stack,
//! deck_get_archived_stacks, deck_get_cards, deck_get_board_overview.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::default_true;
use super::view::{
    CardView, Detail, Outcome, Projection, StackView, Status, cards_view, merge_archived, overdue,
    stacks_view,
};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::deck::Stack;
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

fn default_preview() -> usize {
    140
}

fn default_overview_preview() -> usize {
    80
}

/// Card filters and projection shared by the listing tools.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CardFilterArgs {
    /// Cards to show: `open` (not done, not archived; default), `done`, `archived` or `all`.
    #[serde(default)]
    pub status: Status,
    /// Only cards with this label (title, case-insensitive, or label id).
    #[serde(default)]
    pub label: Option<String>,
    /// Only cards assigned to this user (user id or display name, case-insensitive).
    #[serde(default)]
    pub assigned_to: Option<String>,
    /// `summary` (default: title, labels, assignees, dates, description preview) or `full` (every field and the description).
    #[serde(default)]
    pub detail: Detail,
    /// With detail='full': shorten descriptions to this many characters (default: whole descriptions).
    #[serde(default)]
    pub description_max_length: Option<usize>,
    /// With detail='summary': length of the description preview in characters; 0 for none.
    #[serde(default = "default_preview")]
    pub description_preview_length: usize,
}

impl CardFilterArgs {
    fn projection(&self, include_cards: bool, hides_files: bool) -> Projection {
        Projection {
            status: self.status,
            label: self.label.clone().filter(|l| !l.trim().is_empty()),
            assigned_to: self.assigned_to.clone().filter(|a| !a.trim().is_empty()),
            detail: self.detail,
            description_max_length: self.description_max_length,
            description_preview_length: self.description_preview_length,
            include_cards,
            withhold_attachment_counts: hides_files,
        }
    }
}

/// Arguments of deck_get_stacks.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetStacksArgs {
    /// Board id (from deck_get_boards).
    pub board_id: i64,
    /// List the cards of each stack (false: only stacks with their card counts).
    #[serde(default = "default_true")]
    pub include_cards: bool,
    #[serde(flatten)]
    pub filter: CardFilterArgs,
}

/// Arguments of deck_get_stack and deck_get_cards.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetStackArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id (from deck_get_stacks).
    pub stack_id: i64,
    #[serde(flatten)]
    pub filter: CardFilterArgs,
}

/// Arguments of deck_get_archived_stacks.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetArchivedStacksArgs {
    /// Board id.
    pub board_id: i64,
    /// List the archived cards of each stack (false: only counts).
    #[serde(default = "default_true")]
    pub include_cards: bool,
    /// Only cards with this label (title or id).
    #[serde(default)]
    pub label: Option<String>,
    /// Only cards assigned to this user (user id or display name).
    #[serde(default)]
    pub assigned_to: Option<String>,
    /// `summary` (default) or `full`.
    #[serde(default)]
    pub detail: Detail,
    /// With detail='full': shorten descriptions to this many characters.
    #[serde(default)]
    pub description_max_length: Option<usize>,
    /// With detail='summary': description preview length; 0 for none.
    #[serde(default = "default_preview")]
    pub description_preview_length: usize,
}

/// Arguments of deck_get_board_overview.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct OverviewArgs {
    /// Board id.
    pub board_id: i64,
    /// Cards to show: `open` (default), `done`, `archived` or `all`.
    #[serde(default)]
    pub status: Status,
    /// Only cards with this label (title or id).
    #[serde(default)]
    pub label: Option<String>,
    /// Only cards assigned to this user (user id or display name).
    #[serde(default)]
    pub assigned_to: Option<String>,
    /// Description preview length in characters; 0 for none.
    #[serde(default = "default_overview_preview")]
    pub description_preview_length: usize,
}

/// Result of deck_get_stacks and deck_get_archived_stacks.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StacksResult {
    /// Board id.
    pub board_id: i64,
    /// Stacks in board order, with the cards matching the filters.
    pub stacks: Vec<StackView>,
    /// Cards shown.
    pub cards_shown: usize,
    /// Cards hidden by the filters.
    pub cards_hidden: usize,
    /// What was left out or shortened, if anything.
    pub notes: Vec<String>,
}

/// Result of deck_get_stack.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StackResult {
    /// Board id.
    pub board_id: i64,
    /// The stack with its matching cards.
    pub stack: StackView,
    /// Cards hidden by the filters.
    pub cards_hidden: usize,
    /// What was left out or shortened, if anything.
    pub notes: Vec<String>,
}

/// Result of deck_get_cards.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CardsResult {
    /// Board id.
    pub board_id: i64,
    /// Stack id.
    pub stack_id: i64,
    /// Matching cards in stack order.
    pub cards: Vec<CardView>,
    /// Number of matching cards.
    pub total: usize,
    /// Cards hidden by the filters.
    pub cards_hidden: usize,
    /// What was left out or shortened, if anything.
    pub notes: Vec<String>,
}

/// A label in the overview.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LabelBrief {
    /// Label id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Color.
    pub color: String,
}

/// The board part of the overview.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardHead {
    /// Board id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Color.
    pub color: String,
    /// Whether the board is archived.
    pub archived: bool,
    /// Owner's user id.
    pub owner: String,
    /// Labels of the board.
    pub labels: Vec<LabelBrief>,
    /// User ids with access.
    pub members: Vec<String>,
}

/// Counts in the overview.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OverviewCounts {
    /// Stacks on the board.
    pub stacks: usize,
    /// Cards shown.
    pub cards_shown: usize,
    /// Cards hidden by the filters.
    pub cards_hidden: usize,
    /// Shown cards past their due date and not done.
    pub overdue: usize,
}

/// Result of deck_get_board_overview.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardOverview {
    /// The board.
    pub board: BoardHead,
    /// Stacks with summary cards.
    pub stacks: Vec<StackView>,
    /// Counts.
    pub counts: OverviewCounts,
    /// What was left out or shortened, if anything.
    pub notes: Vec<String>,
}

/// Stacks of a board with the cards `status` needs (archived cards come from a second call).
pub(crate) async fn load_stacks(
    client: &NextcloudClient,
    board: i64,
    status: Status,
) -> ToolResult<Vec<Stack>> {
    Ok(match status {
        Status::Open | Status::Done => client.deck_stacks(board).await?,
        Status::Archived => client.deck_archived_stacks(board).await?,
        Status::All => {
            let mut stacks = client.deck_stacks(board).await?;
            merge_archived(&mut stacks, client.deck_archived_stacks(board).await?);
            stacks
        }
    })
}

async fn load_stack(
    client: &NextcloudClient,
    board: i64,
    stack: i64,
    status: Status,
) -> ToolResult<Stack> {
    if !status.wants_archived() {
        return Ok(client.deck_stack(board, stack).await?);
    }
    load_stacks(client, board, status)
        .await?
        .into_iter()
        .find(|s| s.id == stack)
        .ok_or_else(|| {
            ToolError::new(format!(
                "stack {stack} is not on board {board}; list the stacks with deck_get_stacks"
            ))
        })
}

#[tool_router(router = deck_listing_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List a board's stacks (columns) with their cards, filtered by status/label/assignee and projected compactly (summary cards with description previews by default). The result notes what was hidden or shortened.
    #[tool(
        name = "deck_get_stacks",
        input_schema = crate::tools::catalogue::input::<GetStacksArgs>(),
        output_schema = crate::tools::catalogue::output::<StacksResult>(),
        annotations(
            title = "List Deck stacks",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_stacks(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetStacksArgs>,
    ) -> Result<Json<StacksResult>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let p = args
            .filter
            .projection(args.include_cards, self.hides_files());
        let stacks = load_stacks(&client, args.board_id, p.status).await?;
        Ok(Json(stacks_result(args.board_id, &stacks, &p)))
    }

    /// Read one stack with its cards, using the same filters and projection as deck_get_stacks.
    #[tool(
        name = "deck_get_stack",
        input_schema = crate::tools::catalogue::input::<GetStackArgs>(),
        output_schema = crate::tools::catalogue::output::<StackResult>(),
        annotations(
            title = "Get Deck stack",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_stack(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetStackArgs>,
    ) -> Result<Json<StackResult>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let p = args.filter.projection(true, self.hides_files());
        let stack = load_stack(&client, args.board_id, args.stack_id, p.status).await?;
        let mut outcome = Outcome::default();
        let mut views = stacks_view(std::slice::from_ref(&stack), &p, &mut outcome);
        Ok(Json(StackResult {
            board_id: args.board_id,
            stack: views.remove(0),
            cards_hidden: outcome.hidden,
            notes: outcome.notes(&p),
        }))
    }

    /// List a board's archived cards by stack (Deck keeps them out of the normal stack listing), with label/assignee filters and compact projection.
    #[tool(
        name = "deck_get_archived_stacks",
        input_schema = crate::tools::catalogue::input::<GetArchivedStacksArgs>(),
        output_schema = crate::tools::catalogue::output::<StacksResult>(),
        annotations(
            title = "List archived Deck cards",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_archived_stacks(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetArchivedStacksArgs>,
    ) -> Result<Json<StacksResult>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let p = Projection {
            status: Status::Archived,
            label: args.label.filter(|l| !l.trim().is_empty()),
            assigned_to: args.assigned_to.filter(|a| !a.trim().is_empty()),
            detail: args.detail,
            description_max_length: args.description_max_length,
            description_preview_length: args.description_preview_length,
            include_cards: args.include_cards,
            withhold_attachment_counts: self.hides_files(),
        };
        let stacks = client.deck_archived_stacks(args.board_id).await?;
        Ok(Json(stacks_result(args.board_id, &stacks, &p)))
    }

    /// List the cards of one stack, filtered and projected like deck_get_stacks.
    #[tool(
        name = "deck_get_cards",
        input_schema = crate::tools::catalogue::input::<GetStackArgs>(),
        output_schema = crate::tools::catalogue::output::<CardsResult>(),
        annotations(
            title = "List Deck cards",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_cards(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetStackArgs>,
    ) -> Result<Json<CardsResult>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let p = args.filter.projection(true, self.hides_files());
        let stack = load_stack(&client, args.board_id, args.stack_id, p.status).await?;
        let mut outcome = Outcome::default();
        let cards = cards_view(&stack.cards, &p, &mut outcome);
        Ok(Json(CardsResult {
            board_id: args.board_id,
            stack_id: args.stack_id,
            total: cards.len(),
            cards,
            cards_hidden: outcome.hidden,
            notes: outcome.notes(&p),
        }))
    }

    /// A compact snapshot of a whole board in one call: the board's labels and members, every stack with summary cards (titles, labels, assignees, due dates, short previews) and counts, including overdue cards. Best first call to understand a board.
    #[tool(
        name = "deck_get_board_overview",
        input_schema = crate::tools::catalogue::input::<OverviewArgs>(),
        output_schema = crate::tools::catalogue::output::<BoardOverview>(),
        annotations(
            title = "Deck board overview",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_board_overview(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<OverviewArgs>,
    ) -> Result<Json<BoardOverview>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let board = client.deck_board(args.board_id).await?;
        let stacks = load_stacks(&client, args.board_id, args.status).await?;
        let p = Projection {
            status: args.status,
            label: args.label.filter(|l| !l.trim().is_empty()),
            assigned_to: args.assigned_to.filter(|a| !a.trim().is_empty()),
            detail: Detail::Summary,
            description_max_length: None,
            description_preview_length: args.description_preview_length,
            include_cards: true,
            withhold_attachment_counts: self.hides_files(),
        };
        let now = chrono::Utc::now();
        let overdue_count = stacks
            .iter()
            .flat_map(|s| s.cards.iter())
            .filter(|c| super::view::matches(c, &p) && overdue(c, now))
            .count();
        let mut outcome = Outcome::default();
        let views = stacks_view(&stacks, &p, &mut outcome);
        Ok(Json(BoardOverview {
            board: BoardHead {
                id: board.id,
                title: board.title,
                color: board.color,
                archived: board.archived,
                owner: board.owner.uid,
                labels: board
                    .labels
                    .into_iter()
                    .map(|l| LabelBrief {
                        id: l.id,
                        title: l.title,
                        color: l.color,
                    })
                    .collect(),
                members: board.users.into_iter().map(|u| u.uid).collect(),
            },
            counts: OverviewCounts {
                stacks: views.len(),
                cards_shown: outcome.shown,
                cards_hidden: outcome.hidden,
                overdue: overdue_count,
            },
            stacks: views,
            notes: outcome.notes(&p),
        }))
    }
}

fn stacks_result(board_id: i64, stacks: &[Stack], p: &Projection) -> StacksResult {
    let mut outcome = Outcome::default();
    let views = stacks_view(stacks, p, &mut outcome);
    StacksResult {
        board_id,
        stacks: views,
        cards_shown: outcome.shown,
        cards_hidden: outcome.hidden,
        notes: outcome.notes(p),
    }
}
