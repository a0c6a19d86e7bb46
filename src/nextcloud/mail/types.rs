//! Mail objects, decoded leniently and trimmed to what a user needs (no IMAP/SMTP settings).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::nextcloud::fields::{flag, int, iso_time, php_map, text};

/// An e-mail address with its display name.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Address {
    /// Display name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The address.
    pub email: String,
}

/// Reads Mail's `[{label, email}]` lists.
pub fn addresses(value: Option<&Value>) -> Vec<Address> {
    value
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some(Address {
                        email: text(a, "email")?,
                        label: text(a, "label"),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An alias the account can send from.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Alias {
    /// Alias id.
    pub id: i64,
    /// Address.
    pub alias: String,
    /// Sender name.
    pub name: Option<String>,
}

/// A mail account (without its server settings).
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Account {
    /// Account id (`account_id` of other tools).
    pub id: i64,
    /// Sender name.
    pub name: String,
    /// The account's address.
    pub email_address: String,
    /// Aliases it can send from.
    pub aliases: Vec<Alias>,
    /// True for an account another user delegated to this one.
    pub is_delegated: bool,
    /// Special mailboxes (database ids): drafts, sent, trash, archive, junk, snooze.
    pub drafts_mailbox_id: Option<i64>,
    /// Sent mailbox.
    pub sent_mailbox_id: Option<i64>,
    /// Trash mailbox (delete moves here; deleting from here is permanent).
    pub trash_mailbox_id: Option<i64>,
    /// Archive mailbox.
    pub archive_mailbox_id: Option<i64>,
    /// Junk mailbox.
    pub junk_mailbox_id: Option<i64>,
}

/// Decodes one account.
pub fn account_from(raw: &Value) -> Option<Account> {
    Some(Account {
        id: int(raw, "id").or_else(|| int(raw, "accountId"))?,
        name: text(raw, "name").unwrap_or_default(),
        email_address: text(raw, "emailAddress")
            .or_else(|| text(raw, "email"))
            .unwrap_or_default(),
        aliases: raw
            .get("aliases")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|a| {
                        Some(Alias {
                            id: int(a, "id")?,
                            alias: text(a, "alias")?,
                            name: text(a, "name"),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        is_delegated: flag(raw, "isDelegated"),
        drafts_mailbox_id: int(raw, "draftsMailboxId"),
        sent_mailbox_id: int(raw, "sentMailboxId"),
        trash_mailbox_id: int(raw, "trashMailboxId"),
        archive_mailbox_id: int(raw, "archiveMailboxId"),
        junk_mailbox_id: int(raw, "junkMailboxId"),
    })
}

/// A mailbox (IMAP folder).
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Mailbox {
    /// Mailbox database id (`mailbox_id` of other tools).
    pub id: i64,
    /// Full IMAP name, e.g. `INBOX.Projects`.
    pub name: String,
    /// Last part of the name, e.g. `Projects`.
    pub short_name: String,
    /// Parent's full name, if nested.
    pub parent: Option<String>,
    /// Special use: inbox, sent, trash, drafts, junk, archive...
    pub special_use: Vec<String>,
    /// Unread messages (from Mail's cache).
    pub unread: i64,
    /// True when Mail keeps it synced in the background (listing is instant); others are synced on first use.
    pub synced_in_background: bool,
}

/// Decodes one mailbox, splitting its name on the IMAP delimiter.
pub fn mailbox_from(raw: &Value, delimiter: &str) -> Option<Mailbox> {
    let name = text(raw, "name").or_else(|| text(raw, "displayName"))?;
    let delimiter = text(raw, "delimiter").unwrap_or_else(|| delimiter.to_string());
    let (parent, short) = match name.rsplit_once(delimiter.as_str()) {
        Some((parent, short)) if !delimiter.is_empty() => {
            (Some(parent.to_string()), short.to_string())
        }
        _ => (None, name.clone()),
    };
    Some(Mailbox {
        id: int(raw, "databaseId")?,
        short_name: short,
        parent,
        special_use: raw
            .get("specialUse")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        unread: int(raw, "unread").unwrap_or(0),
        synced_in_background: flag(raw, "syncInBackground"),
        name,
    })
}

/// Message flags.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Default)]
pub struct Flags {
    /// Read.
    pub seen: bool,
    /// Starred.
    pub flagged: bool,
    /// Replied to.
    pub answered: bool,
    /// Has attachments.
    pub has_attachments: bool,
    /// Marked important.
    pub important: bool,
    /// Marked as junk.
    pub junk: bool,
}

/// Reads Mail's flag map (`$junk` in envelopes, `junk` elsewhere).
pub fn flags_from(raw: Option<&Value>) -> Flags {
    let Some(f) = raw else {
        return Flags::default();
    };
    Flags {
        seen: flag(f, "seen"),
        flagged: flag(f, "flagged"),
        answered: flag(f, "answered"),
        has_attachments: flag(f, "hasAttachments"),
        important: flag(f, "important") || flag(f, "$important"),
        junk: flag(f, "$junk") || flag(f, "junk"),
    }
}

/// A tag (label) of messages.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Tag {
    /// Tag id (per user).
    pub id: Option<i64>,
    /// Name shown.
    pub display_name: String,
    /// IMAP keyword, e.g. `$label1` or `$ai_index`.
    pub imap_label: String,
    /// Colour.
    pub color: Option<String>,
}

/// Decodes one tag.
pub fn tag_from(raw: &Value) -> Option<Tag> {
    Some(Tag {
        id: int(raw, "id"),
        display_name: text(raw, "displayName").unwrap_or_default(),
        imap_label: text(raw, "imapLabel")?,
        color: text(raw, "color"),
    })
}

/// A message as listed (from Mail's cache).
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Envelope {
    /// Message database id (`message_id` of other tools; changes after a move).
    pub id: i64,
    /// Subject.
    pub subject: String,
    /// Sender(s).
    pub from: Vec<Address>,
    /// Recipients.
    pub to: Vec<Address>,
    /// Copy recipients.
    pub cc: Vec<Address>,
    /// Date (ISO 8601).
    pub date: String,
    /// Date as Unix seconds (Mail's paging cursor).
    pub date_int: i64,
    /// Start of the text.
    pub preview: Option<String>,
    /// Flags.
    pub flags: Flags,
    /// Tag names.
    pub tags: Vec<String>,
    /// Mailbox database id.
    pub mailbox_id: Option<i64>,
    /// RFC Message-ID: the stable handle of the message across moves.
    pub message_id: Option<String>,
    /// RFC Message-ID of the thread's first message.
    pub thread_root_id: Option<String>,
}

/// Decodes one envelope; `tags` may be `[]` (PHP) or a map keyed by IMAP label.
pub fn envelope_from(raw: &Value) -> Option<Envelope> {
    let date_int = int(raw, "dateInt").unwrap_or(0);
    Some(Envelope {
        id: int(raw, "databaseId").or_else(|| int(raw, "id"))?,
        subject: text(raw, "subject").unwrap_or_default(),
        from: addresses(raw.get("from")),
        to: addresses(raw.get("to")),
        cc: addresses(raw.get("cc")),
        date: iso_time(date_int),
        date_int,
        preview: text(raw, "previewText"),
        flags: flags_from(raw.get("flags")),
        tags: php_map(raw.get("tags"))
            .values()
            .filter_map(|t| text(t, "displayName").or_else(|| text(t, "imapLabel")))
            .collect(),
        mailbox_id: int(raw, "mailboxId"),
        message_id: text(raw, "messageId"),
        thread_root_id: text(raw, "threadRootId"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tags_as_php_empty_array_or_map() {
        let empty = envelope_from(&json!({"databaseId": 1, "tags": []})).unwrap();
        assert!(empty.tags.is_empty());
        let tagged = envelope_from(&json!({"databaseId": 1, "tags": {"$label1": {"displayName": "Important", "imapLabel": "$label1"}}})).unwrap();
        assert_eq!(tagged.tags, vec!["Important".to_string()]);
    }

    #[test]
    fn mailbox_names_split_on_the_delimiter() {
        let m = mailbox_from(&json!({"databaseId": 27, "name": "INBOX.Projects", "delimiter": ".", "specialRole": 0}), ".").unwrap();
        assert_eq!(
            (m.short_name.as_str(), m.parent.as_deref()),
            ("Projects", Some("INBOX"))
        );
    }
}
