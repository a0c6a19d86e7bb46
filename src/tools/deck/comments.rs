//! Card comments (Deck's OCS API): list, create (refuse or split past Deck's 1000-character
//! limit), update, delete.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Done;
use super::split::{MAX_COMMENT_CHARS, MAX_PARTS, split_comment};
use super::view::{Detail, cut};
use crate::nextcloud::deck::Comment;
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

fn default_limit() -> u32 {
    20
}

/// Order of listed comments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CommentOrder {
    /// Newest first (default).
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
}

/// What to do with a message longer than Deck's limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Overflow {
    /// Refuse the message (default); nothing is posted.
    #[default]
    Error,
    /// Post it as numbered parts "(i/N)", parts 2..N as replies to part 1 (at most 10 parts).
    Split,
}

/// Arguments of deck_get_card_comments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetCommentsArgs {
    /// Card id.
    pub card_id: i64,
    /// Most comments returned (1-200).
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// Comments skipped (in the chosen order).
    #[serde(default)]
    pub offset: u32,
    /// `summary` (default: author, date, message, reply target) or `full` (also display names and mentions).
    #[serde(default)]
    pub detail: Detail,
    /// Shorten each message to this many characters (default: whole messages).
    #[serde(default)]
    pub message_max_length: Option<usize>,
    /// `newest` first (default) or `oldest` first.
    #[serde(default)]
    pub order: CommentOrder,
}

/// Arguments of deck_create_card_comment.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateCommentArgs {
    /// Card id.
    pub card_id: i64,
    /// Comment text; @userid mentions notify that user. At most 1000 characters unless overflow='split'.
    pub message: String,
    /// Id of the comment this one replies to.
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// Longer than 1000 characters: `error` (default, refuse) or `split` (numbered parts, replies to the first).
    #[serde(default)]
    pub overflow: Overflow,
}

/// Arguments of deck_update_card_comment.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateCommentArgs {
    /// Card id.
    pub card_id: i64,
    /// Comment id.
    pub comment_id: i64,
    /// New text (at most 1000 characters).
    pub message: String,
}

/// Arguments of deck_delete_card_comment.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteCommentArgs {
    /// Card id.
    pub card_id: i64,
    /// Comment id.
    pub comment_id: i64,
}

/// A comment as listed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CommentView {
    /// Comment id.
    pub id: i64,
    /// Author's user id.
    pub author: String,
    /// Creation time (ISO 8601).
    pub created: String,
    /// Text (shortened if message_max_length says so).
    pub message: String,
    /// True when the message shown was shortened.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub message_truncated: bool,
    /// Id of the comment this one replies to.
    pub reply_to: Option<i64>,
    /// Author's display name (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// Mentioned user ids (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentions: Option<Vec<String>>,
}

/// Result of deck_get_card_comments.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CommentList {
    /// Card id.
    pub card_id: i64,
    /// Comments in the chosen order.
    pub comments: Vec<CommentView>,
    /// Number returned.
    pub count: usize,
    /// True when more comments may follow (raise offset).
    pub has_more: bool,
    /// What was shortened, if anything.
    pub notes: Vec<String>,
}

/// Result of deck_create_card_comment.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PostedComments {
    /// The comments posted (one, or every part of a split message in order).
    pub comments: Vec<Comment>,
    /// Number of parts posted.
    pub parts: usize,
    /// Whether the message was split.
    pub split: bool,
}

fn check_message(message: &str) -> ToolResult<usize> {
    if message.trim().is_empty() {
        return Err(ToolError::invalid("message", "must not be empty"));
    }
    Ok(message.chars().count())
}

#[tool_router(router = deck_comments_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List a card's comments, newest first by default, with paging and optional shortening of long messages.
    #[tool(
        name = "deck_get_card_comments",
        input_schema = crate::tools::catalogue::input::<GetCommentsArgs>(),
        output_schema = crate::tools::catalogue::output::<CommentList>(),
        annotations(
            title = "List Deck card comments",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_get_card_comments(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetCommentsArgs>,
    ) -> Result<Json<CommentList>, ToolError> {
        if !(1..=200).contains(&args.limit) {
            return Err(ToolError::invalid("limit", "must be between 1 and 200"));
        }
        let client = self.deck_client(&ctx).await?;
        let (page, has_more) = match args.order {
            CommentOrder::Newest => {
                // One more than asked tells whether more follow.
                let mut page = client
                    .deck_comments(args.card_id, args.limit + 1, args.offset)
                    .await?;
                let more = page.len() > args.limit as usize;
                page.truncate(args.limit as usize);
                (page, more)
            }
            CommentOrder::Oldest => {
                let mut all = Vec::new();
                for i in 0..50u32 {
                    let batch = client.deck_comments(args.card_id, 100, i * 100).await?;
                    let n = batch.len();
                    all.extend(batch);
                    if n < 100 {
                        break;
                    }
                }
                all.reverse();
                let start = (args.offset as usize).min(all.len());
                let end = (start + args.limit as usize).min(all.len());
                let more = end < all.len();
                (all[start..end].to_vec(), more)
            }
        };
        let mut shortened = 0;
        let comments: Vec<CommentView> = page
            .into_iter()
            .map(|c| {
                let (message, was_cut) = match args.message_max_length {
                    Some(max) => cut(&c.message, max),
                    None => (c.message.clone(), false),
                };
                if was_cut {
                    shortened += 1;
                }
                let full = args.detail == Detail::Full;
                CommentView {
                    id: c.id,
                    author: c.actor_id,
                    created: c.creation_date_time,
                    message,
                    message_truncated: was_cut,
                    reply_to: c.reply_to,
                    author_name: full.then_some(c.actor_display_name),
                    mentions: full.then(|| c.mentions.into_iter().map(|m| m.mention_id).collect()),
                }
            })
            .collect();
        let mut notes = Vec::new();
        if shortened > 0 {
            notes.push(format!(
                "{shortened} message(s) shortened to {} characters",
                args.message_max_length.unwrap_or_default()
            ));
        }
        Ok(Json(CommentList {
            card_id: args.card_id,
            count: comments.len(),
            comments,
            has_more,
            notes,
        }))
    }

    /// Comment on a card. Deck accepts at most 1000 characters per comment: longer messages are refused, or with overflow='split' posted as up to 10 numbered parts "(i/N)" split at headings, paragraphs, lines, sentences or words (never inside an @mention), parts 2..N as replies to part 1. Splitting is not atomic: if a part fails, the error lists the parts already posted.
    #[tool(
        name = "deck_create_card_comment",
        input_schema = crate::tools::catalogue::input::<CreateCommentArgs>(),
        output_schema = crate::tools::catalogue::output::<PostedComments>(),
        annotations(
            title = "Comment on Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_card_comment(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateCommentArgs>,
    ) -> Result<Json<PostedComments>, ToolError> {
        let length = check_message(&args.message)?;
        let parts = if length <= MAX_COMMENT_CHARS {
            vec![args.message.clone()]
        } else if args.overflow == Overflow::Error {
            return Err(ToolError::invalid(
                "message",
                format!(
                    "it is {length} characters; Deck accepts at most {MAX_COMMENT_CHARS} per comment. Shorten it, or call again with overflow='split' to post it as numbered parts (at most {MAX_PARTS})"
                ),
            ));
        } else {
            split_comment(&args.message, MAX_COMMENT_CHARS, MAX_PARTS).map_err(|n| {
                ToolError::invalid(
                    "message",
                    format!(
                        "it is {length} characters and would need {n} parts; at most {MAX_PARTS} parts of {MAX_COMMENT_CHARS} characters are posted. Shorten it"
                    ),
                )
            })?
        };
        let client = self.deck_client(&ctx).await?;
        let total = parts.len();
        let mut posted: Vec<Comment> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let parent = match posted.first() {
                Some(first) => Some(first.id),
                None => args.parent_id,
            };
            if total > 1 {
                self.progress(&ctx, i as u64, Some(total as u64), "posting comment parts")
                    .await;
            }
            match client.deck_create_comment(args.card_id, part, parent).await {
                Ok(comment) => posted.push(comment),
                Err(err) if posted.is_empty() => return Err(err.into()),
                Err(err) => {
                    let ids: Vec<String> = posted.iter().map(|c| c.id.to_string()).collect();
                    return Err(ToolError::new(format!(
                        "posted parts 1-{} of {total} (comment ids {}), then part {} failed: {err}. Post the rest as replies to comment {}, or delete the posted parts",
                        posted.len(),
                        ids.join(", "),
                        posted.len() + 1,
                        posted[0].id
                    )));
                }
            }
        }
        Ok(Json(PostedComments {
            parts: posted.len(),
            split: total > 1,
            comments: posted,
        }))
    }

    /// Change the text of one of your comments (at most 1000 characters).
    #[tool(
        name = "deck_update_card_comment",
        input_schema = crate::tools::catalogue::input::<UpdateCommentArgs>(),
        output_schema = crate::tools::catalogue::output::<Comment>(),
        annotations(
            title = "Edit Deck card comment",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_card_comment(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateCommentArgs>,
    ) -> Result<Json<Comment>, ToolError> {
        let length = check_message(&args.message)?;
        if length > MAX_COMMENT_CHARS {
            return Err(ToolError::invalid(
                "message",
                format!(
                    "it is {length} characters; Deck accepts at most {MAX_COMMENT_CHARS}. Shorten it, or post the rest as a reply with deck_create_card_comment"
                ),
            ));
        }
        let client = self.deck_client(&ctx).await?;
        Ok(Json(
            client
                .deck_update_comment(args.card_id, args.comment_id, &args.message)
                .await?,
        ))
    }

    /// Delete one of your comments.
    #[tool(
        name = "deck_delete_card_comment",
        input_schema = crate::tools::catalogue::input::<DeleteCommentArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Delete Deck card comment",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_delete_card_comment(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<DeleteCommentArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        client
            .deck_delete_comment(args.card_id, args.comment_id)
            .await?;
        Ok(Json(Done::ok(format!(
            "comment {} deleted from card {}",
            args.comment_id, args.card_id
        ))))
    }
}
