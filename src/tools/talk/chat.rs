//! Chat: read history (paged by Talk's own cursor, never long-polling), read unread messages in
//! one call, send (once; a lost answer is checked by reference id, never resent blindly), mark
//! as read, and share a file from the user's Nextcloud into a conversation.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{reference_id, talk_error, token_arg};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::talk::{ChatDirection, ChatMessage, MAX_CHAT_LIMIT, message_from};
use crate::tools::files::hidden::{Hidden, norm_item};
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Talk's `config.chat.max-length`.
const MAX_MESSAGE_CHARS: usize = 32_000;
/// Raw pages read at most per call while hidden rows fill a page.
const MAX_PAGES: usize = 5;

fn default_limit() -> u32 {
    50
}

fn default_unread_limit() -> u32 {
    100
}

fn default_true() -> bool {
    true
}

/// Arguments of talk_get_messages.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetMessagesArgs {
    /// Conversation token (from talk_list_conversations).
    pub token: String,
    /// Most messages returned (1-200, default 50).
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// Older history: messages before this id (pass `next_cursor` of the previous answer). Omit for the newest messages.
    #[serde(default)]
    pub last_known_message_id: Option<i64>,
    /// Also return the message `last_known_message_id` itself.
    #[serde(default)]
    pub include_last_known: bool,
    /// Instead of history: only messages newer than this id, oldest first, without waiting for new ones.
    #[serde(default)]
    pub since_message_id: Option<i64>,
    /// Include system events such as "Alice added Bob" (default true; reaction and edit bookkeeping rows are always left out).
    #[serde(default = "default_true")]
    pub include_system_messages: bool,
}

/// Arguments of talk_get_unread_messages.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UnreadArgs {
    /// Conversation token.
    pub token: String,
    /// Most messages returned, oldest unread first (1-200, default 100).
    #[serde(default = "default_unread_limit")]
    pub limit: u32,
}

/// Arguments of talk_send_message.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SendArgs {
    /// Conversation token.
    pub token: String,
    /// Text (Markdown; mention with @userid or @"user id with spaces"; at most 32000 characters).
    pub message: String,
    /// Id of the message this one replies to.
    #[serde(default)]
    pub reply_to: Option<i64>,
    /// Send without notifying the participants.
    #[serde(default)]
    pub silent: bool,
}

/// Arguments of talk_mark_as_read.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MarkReadArgs {
    /// Conversation token.
    pub token: String,
    /// Id of the last message read; omit to mark everything read.
    #[serde(default)]
    pub last_read_message: Option<i64>,
}

/// Arguments of talk_share_file.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ShareFileArgs {
    /// Conversation token.
    pub token: String,
    /// Path of the file in the user's Nextcloud files, e.g. `Documents/report.pdf`.
    pub path: String,
    /// Text posted with the file.
    #[serde(default)]
    pub caption: Option<String>,
    /// Id of a message the file answers.
    #[serde(default)]
    pub reply_to: Option<i64>,
}

/// Result of talk_get_messages.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MessagePage {
    /// Conversation token.
    pub token: String,
    /// Messages: newest first for history, oldest first with `since_message_id`.
    pub messages: Vec<ChatMessage>,
    /// Number returned.
    pub count: usize,
    /// Pass as `last_known_message_id` (history) or `since_message_id` (newer) to continue; may name a message not shown.
    pub next_cursor: Option<i64>,
    /// False only when Talk said there is nothing more in this direction.
    pub has_more: bool,
    /// Bookkeeping or system rows left out.
    pub skipped: usize,
}

/// Result of talk_get_unread_messages.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UnreadMessages {
    /// Conversation token.
    pub token: String,
    /// Conversation name.
    pub conversation: String,
    /// Unread messages Talk counts.
    pub unread_count: i64,
    /// The unread messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// True when more unread messages follow than `limit` allowed.
    pub more_unread: bool,
    /// Id of the newest message returned: pass it to talk_mark_as_read once they are handled.
    pub last_message_id: Option<i64>,
}

/// Result of talk_send_message.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Sent {
    /// Conversation token.
    pub token: String,
    /// The message as posted (absent when Talk does not show it to the sender).
    pub message: Option<ChatMessage>,
    /// Reference id sent with it (finds it again in the history).
    pub reference_id: String,
    /// Set when the answer was lost and the message was found in the history instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Result of talk_mark_as_read.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MarkedRead {
    /// Conversation token.
    pub token: String,
    /// The read marker now.
    pub last_read_message: Option<i64>,
    /// Unread messages left.
    pub unread_messages: Option<i64>,
}

/// Result of talk_share_file.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SharedIntoChat {
    /// Conversation token.
    pub token: String,
    /// Path shared (from the user's root).
    pub path: String,
    /// Share id (unshare with nc_share_delete).
    pub share_id: Option<String>,
    /// Conversation name as the share reports it.
    pub conversation: Option<String>,
    /// What happened.
    pub message: String,
}

/// Reads pages in `direction` until `limit` visible messages, Talk's end (304) or
/// [`MAX_PAGES`] raw pages. Returns (messages, next cursor, has_more, skipped).
async fn read_pages(
    client: &NextcloudClient,
    token: &str,
    direction: ChatDirection,
    mut cursor: i64,
    include_cursor: bool,
    limit: u32,
    include_system: bool,
) -> Result<(Vec<ChatMessage>, Option<i64>, bool, usize), ToolError> {
    let mut out = Vec::new();
    let mut skipped = 0;
    let mut include = include_cursor;
    let mut next = None;
    for _ in 0..MAX_PAGES {
        let want = limit - out.len() as u32;
        let page = client
            .talk_chat(token, direction, cursor, want, include)
            .await
            .map_err(talk_error)?;
        include = false;
        if page.exhausted {
            return Ok((out, next, false, skipped));
        }
        let raw_count = page.messages.len();
        for raw in &page.messages {
            let hidden = ChatMessage::is_hidden_system(raw)
                || (!include_system
                    && raw.get("messageType").and_then(Value::as_str) == Some("system"));
            match message_from(raw) {
                Some(m) if !hidden => out.push(m),
                _ => skipped += 1,
            }
        }
        let Some(given) = page.last_given else {
            return Ok((out, next, raw_count > 0, skipped));
        };
        next = Some(given);
        cursor = given;
        if out.len() as u32 >= limit
            || (matches!(direction, ChatDirection::Newer) && (raw_count as u32) < want)
        {
            let more = matches!(direction, ChatDirection::History) || raw_count as u32 >= want;
            return Ok((out, next, more, skipped));
        }
    }
    Ok((out, next, true, skipped))
}

fn check_limit(limit: u32) -> ToolResult<()> {
    if (1..=MAX_CHAT_LIMIT).contains(&limit) {
        Ok(())
    } else {
        Err(ToolError::invalid("limit", "must be between 1 and 200"))
    }
}

#[tool_router(router = talk_chat_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Read a conversation's messages with text rendered (mentions as @name, files as 📎 name): newest first, paged with `next_cursor`, or only the messages after `since_message_id`. Never waits for new messages and never marks anything read.
    #[tool(
        name = "talk_get_messages",
        input_schema = crate::tools::catalogue::input::<GetMessagesArgs>(),
        output_schema = crate::tools::catalogue::output::<MessagePage>(),
        annotations(
            title = "Get Talk messages",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_get_messages(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetMessagesArgs>,
    ) -> Result<Json<MessagePage>, ToolError> {
        let token = token_arg(&args.token)?;
        check_limit(args.limit)?;
        let (direction, cursor) = match (args.since_message_id, args.last_known_message_id) {
            (Some(_), Some(_)) => {
                return Err(ToolError::invalid(
                    "since_message_id",
                    "give either since_message_id (newer messages) or last_known_message_id (older history), not both",
                ));
            }
            (Some(since), None) if since <= 0 => {
                return Err(ToolError::invalid(
                    "since_message_id",
                    "must be a message id (Talk would read from the very beginning otherwise)",
                ));
            }
            (Some(since), None) => (ChatDirection::Newer, since),
            (None, last) => (ChatDirection::History, last.unwrap_or(0)),
        };
        let (client, _) = self.talk_client(&ctx).await?;
        let (mut messages, next_cursor, has_more, skipped) = read_pages(
            &client,
            &token,
            direction,
            cursor,
            args.include_last_known,
            args.limit,
            args.include_system_messages,
        )
        .await?;
        self.hide_talk_files(&client, &mut messages).await?;
        Ok(Json(MessagePage {
            token,
            count: messages.len(),
            messages,
            next_cursor,
            has_more,
            skipped,
        }))
    }

    /// Read a conversation's unread messages in one call, oldest first, from the user's read marker (nothing is marked read; use talk_mark_as_read with `last_message_id` afterwards).
    #[tool(
        name = "talk_get_unread_messages",
        input_schema = crate::tools::catalogue::input::<UnreadArgs>(),
        output_schema = crate::tools::catalogue::output::<UnreadMessages>(),
        annotations(
            title = "Get unread Talk messages",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_get_unread_messages(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UnreadArgs>,
    ) -> Result<Json<UnreadMessages>, ToolError> {
        let token = token_arg(&args.token)?;
        check_limit(args.limit)?;
        let (client, _) = self.talk_client(&ctx).await?;
        let room = client.talk_room(&token).await.map_err(talk_error)?;
        let mut messages = Vec::new();
        let mut more_unread = false;
        if room.unread_messages > 0 {
            if room.last_read_message > 0 {
                let (found, _, more, _) = read_pages(
                    &client,
                    &token,
                    ChatDirection::Newer,
                    room.last_read_message,
                    false,
                    args.limit,
                    true,
                )
                .await?;
                messages = found;
                more_unread = more;
            } else {
                // Never read: the newest `unread` messages (a future read from 0 would start
                // at the very beginning of the conversation).
                let want = (room.unread_messages as u32).clamp(1, args.limit);
                let (mut found, _, _, _) = read_pages(
                    &client,
                    &token,
                    ChatDirection::History,
                    0,
                    false,
                    want,
                    true,
                )
                .await?;
                found.reverse();
                more_unread = room.unread_messages as u32 > args.limit;
                messages = found;
            }
        }
        self.hide_talk_files(&client, &mut messages).await?;
        Ok(Json(UnreadMessages {
            last_message_id: messages.last().map(|m| m.id),
            token,
            conversation: room.display_name,
            unread_count: room.unread_messages,
            messages,
            more_unread,
        }))
    }

    /// Post a message to a conversation (optionally as a reply, or silently). Sent once: if the answer is lost, the history is checked for it instead of sending again.
    #[tool(
        name = "talk_send_message",
        input_schema = crate::tools::catalogue::input::<SendArgs>(),
        output_schema = crate::tools::catalogue::output::<Sent>(),
        annotations(
            title = "Send Talk message",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn talk_send_message(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SendArgs>,
    ) -> Result<Json<Sent>, ToolError> {
        let token = token_arg(&args.token)?;
        if args.message.trim().is_empty() {
            return Err(ToolError::invalid("message", "must not be empty"));
        }
        let chars = args.message.chars().count();
        if chars > MAX_MESSAGE_CHARS {
            return Err(ToolError::invalid(
                "message",
                format!(
                    "{chars} characters; Talk accepts at most {MAX_MESSAGE_CHARS}. Nothing was sent"
                ),
            ));
        }
        let (client, _) = self.talk_client(&ctx).await?;
        let reference = reference_id();
        let (mut message, note) = match client
            .talk_send(
                &token,
                &args.message,
                args.reply_to,
                args.silent,
                &reference,
            )
            .await
        {
            Ok(message) => (message, None),
            Err(err) if err.is_unavailable() => {
                // Talk does not deduplicate: look for our reference id before anyone resends.
                let page = client
                    .talk_chat(&token, ChatDirection::History, 0, 50, false)
                    .await;
                let found = page.ok().and_then(|p| {
                    p.messages
                        .iter()
                        .find(|m| {
                            m.get("referenceId").and_then(Value::as_str) == Some(reference.as_str())
                        })
                        .and_then(message_from)
                });
                match found {
                    Some(message) => (
                        Some(message),
                        Some("the answer was lost, but the message is in the conversation: it was sent once".into()),
                    ),
                    None => {
                        return Err(ToolError::new(format!(
                            "{err}. The message was not found in the conversation afterwards, so it was probably not sent; check with talk_get_messages before sending again"
                        )));
                    }
                }
            }
            Err(err) => return Err(talk_error(err)),
        };
        self.hide_talk_files_after_write(&client, &mut message)
            .await;
        Ok(Json(Sent {
            token,
            message,
            reference_id: reference,
            note,
        }))
    }

    /// Mark a conversation read up to a message (or entirely); returns the new read marker and unread count.
    #[tool(
        name = "talk_mark_as_read",
        input_schema = crate::tools::catalogue::input::<MarkReadArgs>(),
        output_schema = crate::tools::catalogue::output::<MarkedRead>(),
        annotations(
            title = "Mark Talk conversation read",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_mark_as_read(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<MarkReadArgs>,
    ) -> Result<Json<MarkedRead>, ToolError> {
        let token = token_arg(&args.token)?;
        if args.last_read_message.is_some_and(|id| id <= 0) {
            return Err(ToolError::invalid(
                "last_read_message",
                "must be a message id",
            ));
        }
        let (client, _) = self.talk_client(&ctx).await?;
        let data = client
            .talk_mark_read(&token, args.last_read_message)
            .await
            .map_err(talk_error)?;
        // Talk 19+ answers with the room; older Talk with nothing, so read it.
        let room = match data.get("token") {
            Some(_) => data,
            None => client.talk_room_raw(&token).await.map_err(talk_error)?,
        };
        Ok(Json(MarkedRead {
            token,
            last_read_message: room.get("lastReadMessage").and_then(Value::as_i64),
            unread_messages: room.get("unreadMessages").and_then(Value::as_i64),
        }))
    }

    /// Share a file from the user's Nextcloud into a conversation (it appears as a file message, with an optional caption); the file stays where it is.
    #[tool(
        name = "talk_share_file",
        input_schema = crate::tools::catalogue::input::<ShareFileArgs>(),
        output_schema = crate::tools::catalogue::output::<SharedIntoChat>(),
        annotations(
            title = "Share file into Talk",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn talk_share_file(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ShareFileArgs>,
    ) -> Result<Json<SharedIntoChat>, ToolError> {
        let token = token_arg(&args.token)?;
        let path = norm_item("path", &args.path)?;
        let (client, _) = self.talk_client(&ctx).await?;
        Hidden::load(self, &client)
            .await?
            .check_tree("path", &path)?;
        let absolute = format!("/{path}");
        let share = client
            .talk_share_file(
                &token,
                &absolute,
                args.caption.as_deref(),
                args.reply_to,
                &reference_id(),
            )
            .await
            .map_err(|err| match err.status() {
                Some(404) => ToolError::new(format!(
                    "{err}. Either `{absolute}` does not exist in your files (check with nc_webdav_list_directory) or you cannot post in conversation {token}"
                )),
                _ => talk_error(err),
            })?;
        let share_id = match share.get("id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        Ok(Json(SharedIntoChat {
            conversation: share
                .get("share_with_displayname")
                .and_then(Value::as_str)
                .map(str::to_string),
            message: format!("{absolute} shared into conversation {token}"),
            token,
            path: absolute,
            share_id,
        }))
    }
}
