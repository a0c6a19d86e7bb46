//! Deck entities as the REST API v1.0 and the OCS comments API return them, decoded
//! leniently: Deck's documented answers disagree with themselves (owner as a string or an
//! object, ids as strings or integers, `null` instead of empty lists).

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A Nextcloud user as Deck shows it (owner, participant, board member).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct DeckUser {
    /// User id.
    #[serde(default)]
    pub uid: String,
    /// Display name.
    #[serde(default)]
    pub displayname: String,
}

impl DeckUser {
    fn from_value(value: Value) -> Self {
        match value {
            Value::String(uid) => DeckUser {
                displayname: uid.clone(),
                uid,
            },
            Value::Object(map) => {
                let text = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
                let uid = text("uid")
                    .or_else(|| text("primaryKey"))
                    .unwrap_or_default();
                DeckUser {
                    displayname: text("displayname").unwrap_or_else(|| uid.clone()),
                    uid,
                }
            }
            _ => DeckUser::default(),
        }
    }
}

/// `owner`: a user id string (as in Deck's docs) or an object `{primaryKey, uid, displayname}`
/// (as current servers answer).
pub fn de_user<'de, D: Deserializer<'de>>(d: D) -> Result<DeckUser, D::Error> {
    Ok(DeckUser::from_value(Value::deserialize(d)?))
}

fn de_users<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<DeckUser>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.into_iter().map(DeckUser::from_value).collect(),
        _ => Vec::new(),
    })
}

/// An integer sent as a number or as a numeric string (`"10"`); `null` becomes 0.
pub fn de_int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(int_of(&Value::deserialize(d)?).unwrap_or(0))
}

/// Like [`de_int`] for optional fields.
pub fn de_opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(int_of(&Value::deserialize(d)?))
}

/// Integer value of a JSON number or numeric string.
pub fn int_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A list that Deck may send as `null`.
fn de_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A string or `null`; booleans and numbers are turned into text (`done` was a flag in old Deck versions).
fn de_opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null | Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_i64().unwrap_or(0) != 0,
        Value::String(s) => s == "1" || s.eq_ignore_ascii_case("true"),
        _ => false,
    })
}

/// A board label.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Label {
    /// Label id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Color as 6 hex digits, e.g. `31CC7C`.
    #[serde(default)]
    pub color: String,
    /// Board id.
    #[serde(default, deserialize_with = "de_opt_int")]
    pub board_id: Option<i64>,
}

/// A user assigned to a card.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// Assignment id.
    #[serde(default, deserialize_with = "de_int")]
    pub id: i64,
    /// The assigned user.
    #[serde(default, deserialize_with = "de_user")]
    pub participant: DeckUser,
    /// Card id.
    #[serde(default, deserialize_with = "de_int")]
    pub card_id: i64,
}

/// A Deck card.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// Card id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Description (Markdown).
    #[serde(default, deserialize_with = "de_opt_text")]
    pub description: Option<String>,
    /// Stack (column) holding the card.
    #[serde(default, deserialize_with = "de_int")]
    pub stack_id: i64,
    /// Card type, `plain` for ordinary cards.
    #[serde(default, rename = "type")]
    pub card_type: String,
    /// Position in the stack (lower first).
    #[serde(default, deserialize_with = "de_int")]
    pub order: i64,
    /// Whether the card is archived.
    #[serde(default, deserialize_with = "de_bool")]
    pub archived: bool,
    /// When the card was marked done (ISO 8601), or null when it is not done.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub done: Option<String>,
    /// Due date (ISO 8601) or null.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub duedate: Option<String>,
    /// Owner (creator) of the card.
    #[serde(default, deserialize_with = "de_user")]
    pub owner: DeckUser,
    /// Labels on the card.
    #[serde(default, deserialize_with = "de_list")]
    pub labels: Vec<Label>,
    /// Users assigned to the card.
    #[serde(default, deserialize_with = "de_list")]
    pub assigned_users: Vec<Assignment>,
    /// Number of attachments.
    #[serde(default, deserialize_with = "de_int")]
    pub attachment_count: i64,
    /// Unread comments.
    #[serde(default, deserialize_with = "de_int")]
    pub comments_unread: i64,
    /// Creation time, seconds since the epoch.
    #[serde(default, deserialize_with = "de_int")]
    pub created_at: i64,
    /// Last change, seconds since the epoch.
    #[serde(default, deserialize_with = "de_int")]
    pub last_modified: i64,
    /// Deletion time (0 when not deleted).
    #[serde(default, deserialize_with = "de_int")]
    pub deleted_at: i64,
    /// Ids of cards this card depends on (only on Deck versions with dependent cards).
    #[serde(default, deserialize_with = "de_id_list")]
    pub dependent_cards: Vec<i64>,
    /// ETag of the card's current state.
    #[serde(default, rename = "ETag")]
    pub etag: String,
}

fn de_id_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| int_of(v).or_else(|| v.get("id").and_then(int_of)))
            .collect(),
        _ => Vec::new(),
    })
}

/// A stack (column) of a board.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    /// Stack id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Board id.
    #[serde(default, deserialize_with = "de_int")]
    pub board_id: i64,
    /// Position on the board (lower first).
    #[serde(default, deserialize_with = "de_int")]
    pub order: i64,
    /// Cards of the stack (not archived ones, unless read from the archive).
    #[serde(default, deserialize_with = "de_list")]
    pub cards: Vec<Card>,
    /// Last change, seconds since the epoch.
    #[serde(default, deserialize_with = "de_int")]
    pub last_modified: i64,
    /// Deletion time (0 when not deleted).
    #[serde(default, deserialize_with = "de_int")]
    pub deleted_at: i64,
    /// ETag of the stack.
    #[serde(default, rename = "ETag")]
    pub etag: String,
}

/// A Deck board.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    /// Board id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Owner.
    #[serde(default, deserialize_with = "de_user")]
    pub owner: DeckUser,
    /// Color as 6 hex digits.
    #[serde(default)]
    pub color: String,
    /// Whether the board is archived.
    #[serde(default, deserialize_with = "de_bool")]
    pub archived: bool,
    /// Labels defined on the board.
    #[serde(default, deserialize_with = "de_list")]
    pub labels: Vec<Label>,
    /// Sharing entries (ACL) as Deck returns them.
    #[serde(default, deserialize_with = "de_list")]
    pub acl: Vec<Value>,
    /// The caller's permissions (`PERMISSION_READ`, `_EDIT`, `_MANAGE`, `_SHARE`).
    #[serde(default)]
    pub permissions: Value,
    /// Users with access to the board.
    #[serde(default, deserialize_with = "de_users")]
    pub users: Vec<DeckUser>,
    /// Last change, seconds since the epoch.
    #[serde(default, deserialize_with = "de_int")]
    pub last_modified: i64,
    /// Deletion time (0 when not deleted).
    #[serde(default, deserialize_with = "de_int")]
    pub deleted_at: i64,
    /// ETag of the board.
    #[serde(default, rename = "ETag")]
    pub etag: String,
}

/// A card attachment.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// Attachment id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Card id.
    #[serde(default, deserialize_with = "de_int")]
    pub card_id: i64,
    /// `file` (a shared Nextcloud file) or `deck_file` (legacy upload).
    #[serde(default, rename = "type")]
    pub attachment_type: String,
    /// File name.
    #[serde(default)]
    pub data: String,
    /// Who attached it.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub created_by: Option<String>,
    /// Creation time, seconds since the epoch.
    #[serde(default, deserialize_with = "de_int")]
    pub created_at: i64,
    /// Last change, seconds since the epoch.
    #[serde(default, deserialize_with = "de_int")]
    pub last_modified: i64,
    /// Deletion time (0 when not deleted).
    #[serde(default, deserialize_with = "de_int")]
    pub deleted_at: i64,
    /// Size, MIME type and path details.
    #[serde(default)]
    pub extended_data: Value,
}

/// A mention in a comment.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Mention {
    /// Mentioned id.
    #[serde(default)]
    pub mention_id: String,
    /// `user`, `group`...
    #[serde(default)]
    pub mention_type: String,
    /// Display name.
    #[serde(default)]
    pub mention_display_name: String,
}

/// A card comment (OCS comments API).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// Comment id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Card id.
    #[serde(default, deserialize_with = "de_int")]
    pub object_id: i64,
    /// Text.
    #[serde(default)]
    pub message: String,
    /// Author's user id.
    #[serde(default)]
    pub actor_id: String,
    /// Author's type (`users`).
    #[serde(default)]
    pub actor_type: String,
    /// Author's display name.
    #[serde(default)]
    pub actor_display_name: String,
    /// Creation time (ISO 8601).
    #[serde(default)]
    pub creation_date_time: String,
    /// Mentions in the message.
    #[serde(default, deserialize_with = "de_list")]
    pub mentions: Vec<Mention>,
    /// Id of the comment this one replies to.
    #[serde(default, deserialize_with = "de_reply_to", rename = "replyTo")]
    pub reply_to: Option<i64>,
}

fn de_reply_to<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(int_of(&value).or_else(|| value.get("id").and_then(int_of)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_as_string_or_object() {
        let a: Card = serde_json::from_str(
            r#"{"id":10,"owner":"admin","labels":null,"assignedUsers":null,"done":null}"#,
        )
        .unwrap();
        assert_eq!(a.owner.uid, "admin");
        assert!(a.labels.is_empty() && a.done.is_none());
        let b: Card = serde_json::from_str(
            r#"{"id":"10","owner":{"primaryKey":"admin","uid":"admin","displayname":"Administrator"},"stackId":"6"}"#,
        )
        .unwrap();
        assert_eq!(
            (b.id, b.stack_id, b.owner.displayname.as_str()),
            (10, 6, "Administrator")
        );
    }

    #[test]
    fn label_board_id_string_or_number() {
        let a: Label = serde_json::from_str(
            r#"{"id":37,"title":"Finished","color":"31CC7C","boardId":"10","cardId":null}"#,
        )
        .unwrap();
        let b: Label =
            serde_json::from_str(r#"{"id":37,"title":"Finished","color":"31CC7C","boardId":10}"#)
                .unwrap();
        assert_eq!(a.board_id, Some(10));
        assert_eq!(b.board_id, Some(10));
    }

    #[test]
    fn comment_ids_as_strings_and_reply_to_object() {
        let c: Comment = serde_json::from_str(
            r#"{"id":"177","objectId":"13","message":"m","replyTo":{"id":175,"message":"x"}}"#,
        )
        .unwrap();
        assert_eq!((c.id, c.object_id, c.reply_to), (177, 13, Some(175)));
    }
}
