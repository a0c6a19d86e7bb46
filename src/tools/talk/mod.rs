//! Talk toolset: conversations, participants, chat, reactions, plus reading unread messages in
//! one call and sharing a file into a conversation. Names and arguments match the reference
//! server (Talk tools have no `nc_` prefix there, and keep none here).

mod chat;
mod conversations;
mod reactions;

use rmcp::RoleServer;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::service::RequestContext;
use serde_json::Value;

use super::files::hidden::Hidden;
use super::support::require_app;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::talk::{ChatMessage, is_token};
use crate::nextcloud::{ErrorKind, NextcloudClient, NextcloudError};

impl NextcloudMcp {
    /// Every Talk tool.
    pub fn talk_router() -> ToolRouter<NextcloudMcp> {
        let mut router = Self::talk_conversations_router();
        router.merge(Self::talk_chat_router());
        router.merge(Self::talk_reactions_router());
        router
    }

    /// The caller's client and Talk's capability block, once Talk (`spreed`) is known to be
    /// enabled for them.
    pub(crate) async fn talk_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<(NextcloudClient, Value)> {
        let client = self.client(ctx)?;
        let caps = require_app(&client, "spreed", "Talk").await?;
        Ok((client, caps))
    }

    /// `toolsets.files.excluded_tags` in Talk: a message (or the one it replies to) that shares
    /// a hidden file keeps its place, but the file's name, path and id are replaced by a note
    /// that a file was hidden. The hidden items are looked up only when a message shares a file.
    pub(crate) async fn hide_talk_files<'a>(
        &self,
        client: &NextcloudClient,
        messages: impl IntoIterator<Item = &'a mut ChatMessage>,
    ) -> ToolResult<()> {
        if !self.hides_files() {
            return Ok(());
        }
        let sharing: Vec<&mut ChatMessage> =
            messages.into_iter().filter(|m| m.shares_files()).collect();
        if sharing.is_empty() {
            return Ok(());
        }
        let hidden = Hidden::load(self, client).await?;
        if !hidden.is_active() {
            return Ok(());
        }
        let hide = |id: &str, path: Option<&str>| {
            id.parse().is_ok_and(|id| hidden.is_hidden_id(id))
                || path.is_some_and(|p| hidden.is_hidden(p))
        };
        for message in sharing {
            message.hide_files(&hide);
        }
        Ok(())
    }

    /// [`Self::hide_talk_files`] for a message answered after a write (a send, a new
    /// conversation): the write is done, so when the hidden items cannot be looked up this is
    /// no error; the reply's excerpt is left out, and the message too if it shares a file.
    pub(crate) async fn hide_talk_files_after_write(
        &self,
        client: &NextcloudClient,
        message: &mut Option<ChatMessage>,
    ) {
        if self
            .hide_talk_files(client, message.as_mut())
            .await
            .is_err()
            && let Some(unchecked) = message
        {
            unchecked.reply_to = None;
            if unchecked.shares_files() {
                *message = None;
            }
        }
    }
}

/// True when Talk lists `feature` (or capabilities could not be read: fail open).
pub(crate) fn has_feature(caps: &Value, feature: &str) -> bool {
    match caps.get("features").and_then(Value::as_array) {
        Some(list) => list.iter().any(|f| f.as_str() == Some(feature)),
        None => caps.is_null(),
    }
}

/// Refuses a malformed token before any request (Talk throttles clients that hit wrong tokens).
pub(crate) fn token_arg(token: &str) -> ToolResult<String> {
    let token = token.trim();
    if is_token(token) {
        Ok(token.to_string())
    } else {
        Err(ToolError::invalid(
            "token",
            format!(
                "`{token}` is not a conversation token (4-30 lowercase letters and digits, e.g. k4x9qj2m); call talk_list_conversations and use the `token` of the conversation, not its name"
            ),
        ))
    }
}

/// A Talk failure with advice that fits Talk (404 = wrong token or not a participant, 412 =
/// lobby, 429 = brute-force throttling...).
pub(crate) fn talk_error(err: NextcloudError) -> ToolError {
    let ErrorKind::Status {
        status, message, ..
    } = &err.kind
    else {
        return err.into();
    };
    let reason = message.as_deref().unwrap_or("");
    let hint = match (*status, reason) {
        (400, "error: reply-to") => {
            "`reply_to` is not a message of this conversation that can be replied to (system messages cannot); take ids from talk_get_messages"
        }
        (400, "error: room-type") => {
            "participants cannot be added to one-to-one, former one-to-one or note-to-self conversations; create a group conversation instead"
        }
        (400, "error: source") => {
            "unsupported `source`; use users, groups, circles, emails, federated_users or phones"
        }
        (400, "error: message") => "the message is empty or invalid",
        (404, "error: new-participant") | (404, "error: invite") => {
            "no such user or group in Nextcloud: check the id (a user id, not a display name)"
        }
        (403, "error: invite") => "you cannot start a one-to-one conversation with yourself",
        (403, "error: permissions") => {
            "the Nextcloud administrator does not allow you to create conversations"
        }
        (404, _) => {
            "the conversation (or message) was not found, or you are not a participant. Take tokens and message ids from talk_list_conversations / talk_get_messages and do not try other tokens: Nextcloud throttles clients after repeated misses"
        }
        (403, _) => {
            "not allowed: the conversation is read-only, you lack the chat permission there, or only moderators may do this"
        }
        (412, _) => {
            "the conversation's lobby is active and you are not a moderator; wait until the lobby opens"
        }
        (413, _) => "the message is too long for Talk (at most 32000 characters)",
        (429, _) => {
            "Nextcloud's brute-force protection is throttling Talk requests after repeated wrong tokens or ids; wait a few minutes and use tokens from talk_list_conversations"
        }
        _ => return err.into(),
    };
    ToolError::new(format!("{} failed: {}. {hint}", err.call, err.kind))
}

/// A fresh reference id (64 hex characters, as Talk clients send) to find a sent message again.
pub(crate) fn reference_id() -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(uuid::Uuid::new_v4().as_bytes()))
}
