//! Talk objects decoded leniently (fields come and go with Talk versions and capabilities, and
//! PHP sends empty maps as `[]`), with chat text rendered: `{placeholders}` replaced by names.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

pub use crate::nextcloud::fields::php_map;
use crate::nextcloud::fields::{flag, int, text};

/// System messages Talk clients never show (reaction bookkeeping, edits, deletions).
pub const HIDDEN_SYSTEM_MESSAGES: &[&str] = &[
    "reaction",
    "reaction_revoked",
    "reaction_deleted",
    "message_deleted",
    "message_edited",
    "thread_created",
    "poll_voted",
];

pub use crate::nextcloud::fields::iso_time;

/// The name of a conversation type.
pub fn conversation_type_name(kind: i64) -> &'static str {
    match kind {
        1 => "one-to-one",
        2 => "group",
        3 => "public",
        4 => "changelog",
        5 => "former one-to-one",
        6 => "note-to-self",
        _ => "unknown",
    }
}

/// The name of a participant type.
pub fn participant_type_name(kind: i64) -> &'static str {
    match kind {
        1 => "owner",
        2 => "moderator",
        3 => "user",
        4 => "guest",
        5 => "user following a public link",
        6 => "guest moderator",
        _ => "unknown",
    }
}

/// Replaces `{placeholders}` in a chat message by the names in its parameters: mentions as
/// `@name`, files as `📎 name (mimetype, size bytes)`.
pub fn render_message(message: &str, parameters: &Map<String, Value>) -> String {
    let mut out = message.to_string();
    for (key, param) in parameters {
        let name = text(param, "name").unwrap_or_else(|| key.clone());
        let shown = if key.starts_with("mention-") {
            format!("@{name}")
        } else if is_file(param) {
            let mime = text(param, "mimetype").unwrap_or_default();
            match text(param, "size") {
                Some(size) => format!("📎 {name} ({mime}, {size} bytes)"),
                None => format!("📎 {name} ({mime})"),
            }
        } else {
            name
        };
        out = out.replace(&format!("{{{key}}}"), &shown);
    }
    out
}

/// The message a reply answers, shortened.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct ParentRef {
    /// Message id.
    pub id: i64,
    /// Author's display name.
    pub author: String,
    /// First 200 characters of its rendered text.
    pub excerpt: String,
    /// What the excerpt is rendered from.
    #[serde(skip)]
    rendering: Rendering,
}

/// A message's text as Talk sends it, with its parameters: kept (never serialised) so a file
/// can be hidden after decoding, and the text rendered again without it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Rendering {
    template: String,
    parameters: Map<String, Value>,
}

/// The type given to the parameter of a file that is hidden from the caller.
pub const HIDDEN_FILE_TYPE: &str = "hidden-file";
/// How a hidden file reads in a rendered text.
pub const HIDDEN_FILE_TEXT: &str = "📎 (a file this server hides)";

impl Rendering {
    fn text(&self) -> String {
        render_message(&self.template, &self.parameters)
    }

    fn shares_files(&self) -> bool {
        self.parameters.values().any(is_file)
    }

    /// Replaces the parameters of the files `hide` picks (by id and path) with one that names
    /// no file; how many were replaced.
    fn hide_files(&mut self, hide: &dyn Fn(&str, Option<&str>) -> bool) -> usize {
        let mut hidden = 0;
        for param in self.parameters.values_mut().filter(|p| is_file(p)) {
            let id = text(param, "id").unwrap_or_default();
            if hide(&id, text(param, "path").as_deref()) {
                *param = serde_json::json!({"type": HIDDEN_FILE_TYPE, "name": HIDDEN_FILE_TEXT});
                hidden += 1;
            }
        }
        hidden
    }

    fn files(&self) -> Vec<SharedFile> {
        self.parameters
            .values()
            .filter(|p| is_file(p))
            .filter_map(|p| {
                Some(SharedFile {
                    id: text(p, "id")?,
                    name: text(p, "name").unwrap_or_default(),
                    mimetype: text(p, "mimetype"),
                    size: int(p, "size"),
                    path: text(p, "path"),
                })
            })
            .collect()
    }
}

fn is_file(param: &Value) -> bool {
    param.get("type").and_then(Value::as_str) == Some("file")
}

fn excerpt(text: &str) -> String {
    text.chars().take(200).collect()
}

/// A file shared into the chat.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct SharedFile {
    /// File id.
    pub id: String,
    /// File name.
    pub name: String,
    /// MIME type.
    pub mimetype: Option<String>,
    /// Size in bytes.
    pub size: Option<i64>,
    /// Path in the viewer's files, when Talk gives it.
    pub path: Option<String>,
}

/// A chat message with its text rendered.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct ChatMessage {
    /// Message id (the cursor for paging and the target of replies and reactions).
    pub id: i64,
    /// Time (ISO 8601, UTC).
    pub time: String,
    /// Unix seconds.
    pub timestamp: i64,
    /// `users`, `guests`, `bots`, `federated_users`...
    pub actor_type: String,
    /// Author's id.
    pub actor_id: String,
    /// Author's display name.
    pub actor_display_name: String,
    /// `comment`, `system`, `comment_deleted`, `command` or `voice-message`.
    pub kind: String,
    /// System event name (`user_added`, `call_ended`...) for system messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_message: Option<String>,
    /// Text with placeholders replaced (mentions as @name, files as 📎 name).
    pub text: String,
    /// The message replied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ParentRef>,
    /// Reaction counts by emoji.
    pub reactions: BTreeMap<String, i64>,
    /// Emojis the user reacted with.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions_self: Vec<String>,
    /// Files shared with this message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SharedFile>,
    /// Thread id (Talk 22+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i64>,
    /// Thread title, when this message starts a thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_title: Option<String>,
    /// True when edited.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
    /// The sender's reference id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// What `text` is rendered from.
    #[serde(skip)]
    rendering: Rendering,
}

impl ChatMessage {
    /// True for system rows that Talk clients hide.
    pub fn is_hidden_system(raw: &Value) -> bool {
        raw.get("systemMessage")
            .and_then(Value::as_str)
            .is_some_and(|s| HIDDEN_SYSTEM_MESSAGES.contains(&s))
    }

    /// True when this message, or the one it replies to, shares a file.
    pub fn shares_files(&self) -> bool {
        self.rendering.shares_files()
            || self
                .reply_to
                .as_ref()
                .is_some_and(|p| p.rendering.shares_files())
    }

    /// Hides the files `hide` picks, given a file's id and its path in the viewer's files:
    /// their name, path and id leave the text, `files` and the reply's excerpt, and the text
    /// says a file was hidden instead. Returns how many were hidden.
    pub fn hide_files(&mut self, hide: &dyn Fn(&str, Option<&str>) -> bool) -> usize {
        let mut hidden = self.rendering.hide_files(hide);
        if hidden > 0 {
            self.text = self.rendering.text();
            self.files = self.rendering.files();
        }
        if let Some(parent) = &mut self.reply_to {
            let in_parent = parent.rendering.hide_files(hide);
            if in_parent > 0 {
                parent.excerpt = excerpt(&parent.rendering.text());
                hidden += in_parent;
            }
        }
        hidden
    }
}

/// Decodes one message; `None` when it has no id.
pub fn message_from(raw: &Value) -> Option<ChatMessage> {
    let id = int(raw, "id")?;
    let timestamp = int(raw, "timestamp").unwrap_or(0);
    let reactions = php_map(raw.get("reactions"))
        .into_iter()
        .filter_map(|(k, v)| v.as_i64().map(|n| (k, n)))
        .collect();
    let reactions_self = raw
        .get("reactionsSelf")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let rendering = Rendering {
        template: raw
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        parameters: php_map(raw.get("messageParameters")),
    };
    let reply_to = raw.get("parent").and_then(|p| {
        let parent = message_from(p)?;
        Some(ParentRef {
            id: parent.id,
            author: parent.actor_display_name,
            excerpt: excerpt(&parent.text),
            rendering: parent.rendering,
        })
    });
    Some(ChatMessage {
        id,
        time: iso_time(timestamp),
        timestamp,
        actor_type: text(raw, "actorType").unwrap_or_default(),
        actor_id: text(raw, "actorId").unwrap_or_default(),
        actor_display_name: text(raw, "actorDisplayName").unwrap_or_default(),
        kind: text(raw, "messageType").unwrap_or_else(|| "comment".into()),
        system_message: text(raw, "systemMessage"),
        text: rendering.text(),
        reply_to,
        reactions,
        reactions_self,
        files: rendering.files(),
        thread_id: int(raw, "threadId").filter(|t| *t > 0),
        thread_title: text(raw, "threadTitle"),
        edited: raw.get("lastEditTimestamp").is_some(),
        reference_id: text(raw, "referenceId"),
        rendering,
    })
}

/// A conversation as listed.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Conversation {
    /// Token: how every other Talk tool addresses this conversation.
    pub token: String,
    /// Conversation type number (1 one-to-one, 2 group, 3 public, 4 changelog, 5 former one-to-one, 6 note-to-self).
    pub conversation_type: i64,
    /// Conversation type name.
    pub type_name: String,
    /// Display name (for one-to-one: the other user's name).
    pub display_name: String,
    /// Raw name (for one-to-one: the other user's id).
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Unread messages.
    pub unread_messages: i64,
    /// True when an unread message mentions the user (or everyone).
    pub unread_mention: bool,
    /// Last activity (ISO 8601).
    pub last_activity: String,
    /// Id of the last message the user read.
    pub last_read_message: i64,
    /// Favourite.
    pub is_favorite: bool,
    /// Archived.
    pub is_archived: bool,
    /// True when nobody can post (read-only conversation).
    pub read_only: bool,
    /// The user's role: owner, moderator, user, guest...
    pub participant_role: String,
    /// True when the user may post messages (permission 128 and not read-only).
    pub can_chat: bool,
    /// The newest message, rendered; absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message: Option<ChatMessage>,
}

/// Decodes one conversation; `None` without a token.
pub fn conversation_from(raw: &Value) -> Option<Conversation> {
    let kind = int(raw, "type").unwrap_or(0);
    let read_only = flag(raw, "readOnly");
    let permissions = int(raw, "permissions").unwrap_or(0);
    let last_message = raw
        .get("lastMessage")
        .filter(|m| m.is_object())
        .and_then(message_from);
    Some(Conversation {
        token: text(raw, "token")?,
        conversation_type: kind,
        type_name: conversation_type_name(kind).into(),
        display_name: text(raw, "displayName").unwrap_or_default(),
        name: text(raw, "name").unwrap_or_default(),
        description: text(raw, "description"),
        unread_messages: int(raw, "unreadMessages").unwrap_or(0),
        unread_mention: flag(raw, "unreadMention"),
        last_activity: iso_time(int(raw, "lastActivity").unwrap_or(0)),
        last_read_message: int(raw, "lastReadMessage").unwrap_or(0),
        is_favorite: flag(raw, "isFavorite"),
        is_archived: flag(raw, "isArchived"),
        read_only,
        participant_role: participant_type_name(int(raw, "participantType").unwrap_or(0)).into(),
        can_chat: !read_only && kind != 4 && (permissions == 0 || permissions & 128 != 0),
        last_message,
    })
}

/// A participant of a conversation.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Participant {
    /// Attendee id.
    pub attendee_id: i64,
    /// `users`, `groups`, `circles`, `emails`, `federated_users`, `guests`, `phones`.
    pub actor_type: String,
    /// User, group or other id.
    pub actor_id: String,
    /// Display name.
    pub display_name: String,
    /// Role: owner, moderator, user, guest...
    pub role: String,
    /// True when in the call now.
    pub in_call: bool,
    /// True when connected now (has a session).
    pub online: bool,
    /// User status (`online`, `away`, `dnd`, `offline`), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Status message, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
}

/// Decodes one participant.
pub fn participant_from(raw: &Value) -> Option<Participant> {
    Some(Participant {
        attendee_id: int(raw, "attendeeId")?,
        actor_type: text(raw, "actorType").unwrap_or_default(),
        actor_id: text(raw, "actorId").unwrap_or_default(),
        display_name: text(raw, "displayName").unwrap_or_default(),
        role: participant_type_name(int(raw, "participantType").unwrap_or(0)).into(),
        in_call: int(raw, "inCall").unwrap_or(0) != 0,
        online: raw
            .get("sessionIds")
            .and_then(Value::as_array)
            .is_some_and(|s| !s.is_empty()),
        status: text(raw, "status"),
        status_message: text(raw, "statusMessage"),
    })
}

/// Who reacted, per emoji.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct ReactionGroup {
    /// The emoji.
    pub reaction: String,
    /// How many reacted with it.
    pub count: usize,
    /// Display names of those who reacted.
    pub actors: Vec<String>,
    /// True when the user is one of them.
    pub reacted_by_me: bool,
}

/// Decodes a reaction map (emoji → actors; `[]` when empty); `me` is the caller's user id.
pub fn reactions_from(raw: &Value, me: Option<&str>) -> Vec<ReactionGroup> {
    php_map(Some(raw))
        .into_iter()
        .map(|(reaction, actors)| {
            let list = actors.as_array().cloned().unwrap_or_default();
            ReactionGroup {
                count: list.len(),
                reacted_by_me: me.is_some_and(|me| {
                    list.iter()
                        .any(|a| a.get("actorId").and_then(Value::as_str) == Some(me))
                }),
                actors: list
                    .iter()
                    .map(|a| {
                        text(a, "actorDisplayName")
                            .or_else(|| text(a, "actorId"))
                            .unwrap_or_default()
                    })
                    .collect(),
                reaction,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_php_arrays_decode_as_empty_maps() {
        let raw = json!({"id": 5, "message": "hi", "messageParameters": [], "reactions": []});
        let m = message_from(&raw).unwrap();
        assert!(m.reactions.is_empty() && m.files.is_empty() && m.text == "hi");
        let room = json!({"token": "abcd", "type": 1, "lastMessage": []});
        assert!(conversation_from(&room).unwrap().last_message.is_none());
        assert!(reactions_from(&json!([]), None).is_empty());
    }

    #[test]
    fn placeholders_are_rendered() {
        let raw = json!({"id": 1, "message": "{mention-user1} see {file}", "messageParameters": {
            "mention-user1": {"type": "user", "id": "alice", "name": "Alice"},
            "file": {"type": "file", "id": "7", "name": "a.pdf", "mimetype": "application/pdf", "size": "10"}}});
        let m = message_from(&raw).unwrap();
        assert_eq!(m.text, "@Alice see 📎 a.pdf (application/pdf, 10 bytes)");
        assert_eq!(m.files[0].size, Some(10));
    }

    #[test]
    fn hidden_files_leave_the_text_the_files_and_the_reply() {
        let file = |id: &str, name: &str, path: &str| json!({"type": "file", "id": id, "name": name, "mimetype": "text/plain", "path": path});
        let raw = json!({"id": 2, "message": "{file} and {file2}", "messageParameters": {
                "file": file("7", "secret.txt", "Secret/secret.txt"),
                "file2": file("8", "open.txt", "Docs/open.txt")},
            "parent": {"id": 1, "message": "{file}", "messageParameters": {
                "file": file("9", "diary.md", "Talk/diary.md")}}});
        let mut m = message_from(&raw).unwrap();
        assert!(m.shares_files());
        let hide = |id: &str, path: Option<&str>| id == "9" || path == Some("Secret/secret.txt");
        assert_eq!(m.hide_files(&hide), 2);
        assert_eq!(
            m.text,
            format!("{HIDDEN_FILE_TEXT} and 📎 open.txt (text/plain)")
        );
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].id, "8");
        let parent = m.reply_to.as_ref().unwrap();
        assert_eq!(parent.excerpt, HIDDEN_FILE_TEXT);
        let shown = serde_json::to_string(&m).unwrap();
        for leak in ["secret", "diary", "\"9\"", "\"7\""] {
            assert!(!shown.contains(leak), "{leak} in {shown}");
        }
        // Hiding again finds nothing more; a message without files needs no check.
        assert_eq!(m.hide_files(&hide), 0);
        let plain = message_from(&json!({"id": 3, "message": "hi"})).unwrap();
        assert!(!plain.shares_files());
    }
}
