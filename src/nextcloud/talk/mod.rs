//! Talk (spreed) over OCS v2: conversations (`api/v4/room`), chat (`api/v1/chat`), reactions
//! (`api/v1/reaction`) and sharing a file into a conversation (files_sharing, shareType 10).
//!
//! Quirks handled here, once: conversations are addressed by a lowercase token (checked before
//! any request, because Talk's brute-force throttler counts every 404 on a token route);
//! history pages by the `X-Chat-Last-Given` header and only 304 means "no more"; reads never
//! long-poll (`lookIntoFuture=0`, or `lookIntoFuture=1&timeout=0`) and never move the read
//! marker; PHP `[]` stands for empty maps.

pub mod types;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde_json::{Value, json};

pub use types::{
    ChatMessage, Conversation, Participant, ReactionGroup, conversation_from, message_from,
    participant_from, reactions_from,
};

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};

const ROOM: &str = "/ocs/v2.php/apps/spreed/api/v4/room";
const CHAT: &str = "/ocs/v2.php/apps/spreed/api/v1/chat";
const REACTION: &str = "/ocs/v2.php/apps/spreed/api/v1/reaction";
const SHARES: &str = "/ocs/v2.php/apps/files_sharing/api/v1/shares";
/// Talk's maximum history page.
pub const MAX_CHAT_LIMIT: u32 = 200;

/// True for a well-formed conversation token (`[a-z0-9]{4,30}`, as Talk's routes require).
pub fn is_token(token: &str) -> bool {
    (4..=30).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn checked(call: &str, token: &str) -> NcResult<()> {
    if is_token(token) {
        Ok(())
    } else {
        Err(NextcloudError::invalid(
            call,
            format!(
                "`{token}` is not a conversation token (4-30 lowercase letters and digits); take it from talk_list_conversations"
            ),
        ))
    }
}

fn decode_list<T>(value: &Value, f: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(f).collect())
        .unwrap_or_default()
}

/// One page of chat messages in the order Talk sent them.
#[derive(Debug, Clone)]
pub struct ChatPage {
    /// Raw messages (hidden system rows included; the tool filters).
    pub messages: Vec<Value>,
    /// `X-Chat-Last-Given`: the next `lastKnownMessageId`, which may be a message not returned.
    pub last_given: Option<i64>,
    /// True when Talk answered 304: nothing (more) in that direction.
    pub exhausted: bool,
}

/// Which way to read the chat.
#[derive(Debug, Clone, Copy)]
pub enum ChatDirection {
    /// Older than the cursor (newest first); cursor 0 = from the newest message.
    History,
    /// Newer than the cursor (oldest first), without waiting (`timeout=0`).
    Newer,
}

/// What a new conversation is.
#[derive(Debug, Clone, Default)]
pub struct NewConversation {
    /// 1 one-to-one, 2 group, 3 public.
    pub room_type: i64,
    /// Name (types 2 and 3).
    pub name: Option<String>,
    /// For type 1: the other user's id.
    pub one_to_one_user: Option<String>,
    /// Users to add (types 2 and 3).
    pub users: Vec<String>,
    /// Groups to add (types 2 and 3).
    pub groups: Vec<String>,
    /// E-mail guests to invite (makes the room public).
    pub emails: Vec<String>,
    /// Description.
    pub description: Option<String>,
}

/// The answer to a conversation creation.
#[derive(Debug, Clone)]
pub struct Created {
    /// HTTP status: 200 (a one-to-one that already existed), 201 created, 202 some invitations failed.
    pub status: u16,
    /// The conversation.
    pub room: Value,
}

impl NextcloudClient {
    /// `GET room`: the user's conversations (unsorted, as Talk sends them) and the
    /// `X-Nextcloud-Talk-Modified-Before` value for a later `modified_since`.
    pub async fn talk_rooms(
        &self,
        modified_since: Option<i64>,
        include_status: bool,
    ) -> NcResult<(Vec<Conversation>, Option<i64>)> {
        let mut path = format!("{ROOM}?noStatusUpdate=1&includeStatus={include_status}");
        if let Some(since) = modified_since {
            path.push_str(&format!("&modifiedSince={since}"));
        }
        let answer = self.ocs_answer(Method::GET, &path, None).await?;
        let before = answer
            .header("X-Nextcloud-Talk-Modified-Before")
            .and_then(|v| v.trim().parse().ok());
        Ok((decode_list(&answer.data, conversation_from), before))
    }

    /// `GET room/{token}` (raw, so callers see every field).
    pub async fn talk_room_raw(&self, token: &str) -> NcResult<Value> {
        let path = format!("{ROOM}/{token}");
        checked(&format!("GET {path}"), token)?;
        self.ocs_value(Method::GET, &path, None).await
    }

    /// `GET room/{token}`.
    pub async fn talk_room(&self, token: &str) -> NcResult<Conversation> {
        let raw = self.talk_room_raw(token).await?;
        conversation_from(&raw).ok_or_else(|| {
            NextcloudError::new(
                format!("GET {ROOM}/{token}"),
                ErrorKind::Decode("no conversation in the answer".into()),
            )
        })
    }

    /// `GET chat/{token}`: one page, never long-polling and never moving the read marker.
    pub async fn talk_chat(
        &self,
        token: &str,
        direction: ChatDirection,
        last_known: i64,
        limit: u32,
        include_last_known: bool,
    ) -> NcResult<ChatPage> {
        let base = format!("{CHAT}/{token}");
        checked(&format!("GET {base}"), token)?;
        let look = match direction {
            ChatDirection::History => "lookIntoFuture=0",
            ChatDirection::Newer => "lookIntoFuture=1&timeout=0",
        };
        let mut path = format!(
            "{base}?{look}&limit={}&setReadMarker=0&markNotificationsAsRead=0&noStatusUpdate=1&includeLastKnown={}",
            limit.clamp(1, MAX_CHAT_LIMIT),
            u8::from(include_last_known)
        );
        if last_known > 0 {
            path.push_str(&format!("&lastKnownMessageId={last_known}"));
        }
        let answer = self.ocs_answer(Method::GET, &path, None).await?;
        if answer.status == 304 {
            return Ok(ChatPage {
                messages: Vec::new(),
                last_given: None,
                exhausted: true,
            });
        }
        Ok(ChatPage {
            last_given: answer
                .header("X-Chat-Last-Given")
                .and_then(|v| v.trim().parse().ok()),
            messages: answer.data.as_array().cloned().unwrap_or_default(),
            exhausted: false,
        })
    }

    /// `GET room/{token}/participants`.
    pub async fn talk_participants(
        &self,
        token: &str,
        include_status: bool,
    ) -> NcResult<Vec<Participant>> {
        let base = format!("{ROOM}/{token}/participants");
        checked(&format!("GET {base}"), token)?;
        let data = self
            .ocs_value(
                Method::GET,
                &format!("{base}?includeStatus={include_status}"),
                None,
            )
            .await?;
        Ok(decode_list(&data, participant_from))
    }

    /// `POST chat/{token}`: sends once (Talk does not deduplicate by `referenceId`). `None`
    /// when Talk answers 201 without the message (not visible to the sender).
    pub async fn talk_send(
        &self,
        token: &str,
        message: &str,
        reply_to: Option<i64>,
        silent: bool,
        reference_id: &str,
    ) -> NcResult<Option<ChatMessage>> {
        let path = format!("{CHAT}/{token}");
        checked(&format!("POST {path}"), token)?;
        let mut body = json!({"message": message, "silent": silent, "referenceId": reference_id});
        if let Some(parent) = reply_to {
            body["replyTo"] = json!(parent);
        }
        let data = self.ocs_value(Method::POST, &path, Some(&body)).await?;
        Ok(message_from(&data))
    }

    /// `POST chat/{token}/read`; without an id, up to the newest message (Talk 19+). Returns
    /// the room when Talk sends it (Talk 19+), else `Null`.
    pub async fn talk_mark_read(&self, token: &str, last_read: Option<i64>) -> NcResult<Value> {
        let path = format!("{CHAT}/{token}/read");
        checked(&format!("POST {path}"), token)?;
        let body = match last_read {
            Some(id) => json!({"lastReadMessage": id}),
            None => json!({}),
        };
        self.ocs_value(Method::POST, &path, Some(&body)).await
    }

    /// `POST room`: creates a conversation the way Talk wants it (a one-to-one by `invite` =
    /// user id; a group or public room with a name and a `participants` map).
    pub async fn talk_create_room(&self, new: &NewConversation) -> NcResult<Created> {
        let mut body = json!({"roomType": new.room_type});
        if new.room_type == 1 {
            body["invite"] = json!(new.one_to_one_user.clone().unwrap_or_default());
        } else {
            body["roomName"] = json!(new.name.clone().unwrap_or_default());
            let mut participants = serde_json::Map::new();
            for (key, list) in [
                ("users", &new.users),
                ("groups", &new.groups),
                ("emails", &new.emails),
            ] {
                if !list.is_empty() {
                    participants.insert(key.into(), json!(list));
                }
            }
            if !participants.is_empty() {
                body["participants"] = Value::Object(participants);
            }
            if let Some(description) = &new.description {
                body["description"] = json!(description);
            }
        }
        let answer = self.ocs_answer(Method::POST, ROOM, Some(&body)).await?;
        Ok(Created {
            status: answer.status,
            room: answer.data,
        })
    }

    /// `POST room/{token}/participants`: adds one participant (a no-op when already there).
    pub async fn talk_add_participant(
        &self,
        token: &str,
        participant: &str,
        source: &str,
    ) -> NcResult<Value> {
        let path = format!("{ROOM}/{token}/participants");
        checked(&format!("POST {path}"), token)?;
        let body = json!({"newParticipant": participant, "source": source});
        self.ocs_value(Method::POST, &path, Some(&body)).await
    }

    /// `GET reaction/{token}/{message}` (optionally one emoji).
    pub async fn talk_reactions(
        &self,
        token: &str,
        message_id: i64,
        reaction: Option<&str>,
    ) -> NcResult<Value> {
        let base = format!("{REACTION}/{token}/{message_id}");
        checked(&format!("GET {base}"), token)?;
        let path = match reaction {
            Some(r) => format!(
                "{base}?reaction={}",
                utf8_percent_encode(r, NON_ALPHANUMERIC)
            ),
            None => base,
        };
        self.ocs_value(Method::GET, &path, None).await
    }

    /// `POST` (add) or `DELETE` (remove) `reaction/{token}/{message}`; returns the HTTP status
    /// (201 added, 200 already there / removed) and the message's reaction map afterwards.
    pub async fn talk_set_reaction(
        &self,
        token: &str,
        message_id: i64,
        reaction: &str,
        add: bool,
    ) -> NcResult<(u16, Value)> {
        let path = format!("{REACTION}/{token}/{message_id}");
        let method = if add { Method::POST } else { Method::DELETE };
        checked(&format!("{method} {path}"), token)?;
        let body = json!({"reaction": reaction});
        let answer = self.ocs_answer(method, &path, Some(&body)).await?;
        Ok((answer.status, answer.data))
    }

    /// Shares a file of the user into a conversation (files_sharing, shareType 10, shareWith
    /// = token); Talk posts it as a file message. `path` starts with `/`.
    pub async fn talk_share_file(
        &self,
        token: &str,
        path: &str,
        caption: Option<&str>,
        reply_to: Option<i64>,
        reference_id: &str,
    ) -> NcResult<Value> {
        checked(&format!("POST {SHARES}"), token)?;
        let mut meta = json!({"messageType": "comment"});
        if let Some(caption) = caption.filter(|c| !c.trim().is_empty()) {
            meta["caption"] = json!(caption);
        }
        if let Some(parent) = reply_to {
            meta["replyTo"] = json!(parent);
        }
        let body = json!({
            "path": path,
            "shareType": 10,
            "shareWith": token,
            "referenceId": reference_id,
            // Talk wants talkMetaData as a JSON-encoded string, not an object.
            "talkMetaData": meta.to_string(),
        });
        self.ocs_value(Method::POST, SHARES, Some(&body)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercase_alphanumerics() {
        assert!(is_token("k4x9qj2m"));
        for bad in [
            "K4X9QJ2M",
            "abc",
            "Project Apollo",
            "a/b/c/d",
            &"a".repeat(31),
        ] {
            assert!(!is_token(bad), "{bad}");
        }
    }

    #[test]
    fn talk_error_reasons_in_data_are_kept() {
        let body = br#"{"ocs":{"meta":{"status":"failure","statuscode":400,"message":""},"data":{"error":"reply-to"}}}"#;
        let (code, message) = crate::nextcloud::client::error_message(body);
        assert_eq!(
            (code, message.as_deref()),
            (Some(400), Some("error: reply-to"))
        );
    }
}
