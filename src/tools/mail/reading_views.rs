//! Arguments and results of the mail reading tools.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::nextcloud::mail::{Account, Address, Envelope, Mailbox};

pub(super) fn default_limit() -> u32 {
    20
}
pub(super) fn default_body_chars() -> usize {
    20_000
}
pub(super) fn default_source_bytes() -> usize {
    65_536
}
pub(super) fn default_attachment_bytes() -> usize {
    1024 * 1024
}
pub(super) fn default_true() -> bool {
    true
}

/// Arguments naming an account.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AccountArgs {
    /// Account id (from nc_mail_list_accounts).
    pub account_id: i64,
}

/// Arguments of nc_mail_list_messages.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListMessagesArgs {
    /// Mailbox id (from nc_mail_list_mailboxes).
    pub mailbox_id: i64,
    /// Paging cursor: `next_cursor` of the previous page (a date as Unix seconds, not a message id).
    #[serde(default)]
    pub cursor: Option<i64>,
    /// Raw Mail filter, e.g. `is:unread from:bob subject:invoice` (the typed arguments below are easier).
    #[serde(default)]
    pub search_filter: Option<String>,
    /// Most messages returned (1-100, default 20).
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// Only unread messages.
    #[serde(default)]
    pub unread_only: bool,
    /// Only messages from this sender (address or name part).
    #[serde(default)]
    pub from: Option<String>,
    /// Only messages whose subject contains this.
    #[serde(default)]
    pub subject: Option<String>,
    /// Only messages sent on or after this date (YYYY-MM-DD or RFC 3339).
    #[serde(default)]
    pub since: Option<String>,
    /// Show only the newest message of each thread (Mail's web view) instead of every message.
    #[serde(default)]
    pub threads: bool,
}

/// Arguments of nc_mail_get_message.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetMessageArgs {
    /// Message id (from nc_mail_list_messages).
    pub message_id: i64,
    /// Longest body returned, in characters (default 20000); longer bodies are cut with a note.
    #[serde(default = "default_body_chars")]
    pub max_body_chars: usize,
}

/// Arguments of nc_mail_get_message_source.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SourceArgs {
    /// Message id.
    pub message_id: i64,
    /// Only the header part (default true); the full source includes every attachment.
    #[serde(default = "default_true")]
    pub headers_only: bool,
    /// Longest source returned, in bytes (default 65536).
    #[serde(default = "default_source_bytes")]
    pub max_bytes: usize,
}

/// Arguments of nc_mail_get_attachment.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AttachmentArgs {
    /// Message id.
    pub message_id: i64,
    /// Attachment id from nc_mail_get_message (a MIME part id such as "2" or "1.2").
    pub attachment_id: String,
    /// Largest attachment returned, in bytes (default 1 MiB, at most 10 MiB).
    #[serde(default = "default_attachment_bytes")]
    pub max_bytes: usize,
}

/// Arguments of nc_mail_search.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchArgs {
    /// Words to find in subjects, senders and recipients, across all mailboxes and accounts.
    pub query: String,
    /// Most results (1-100, default 20).
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Result of nc_mail_list_accounts.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AccountList {
    /// Accounts (server settings left out).
    pub accounts: Vec<Account>,
    /// Number of accounts.
    pub count: usize,
}

/// Result of nc_mail_list_mailboxes.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MailboxList {
    /// Account id.
    pub account_id: i64,
    /// Mailboxes.
    pub mailboxes: Vec<Mailbox>,
    /// Number of mailboxes.
    pub count: usize,
}

/// Result of nc_mail_list_messages.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MessageList {
    /// Mailbox id.
    pub mailbox_id: i64,
    /// Messages in the user's sort order (newest first by default).
    pub messages: Vec<Envelope>,
    /// Number returned.
    pub count: usize,
    /// Pass as `cursor` for the next page (the last message's date).
    pub next_cursor: Option<i64>,
    /// True when a full page came back (more may follow).
    pub has_more: bool,
    /// Whether threads were collapsed to their newest message.
    pub threads: bool,
}

/// An attachment of a message.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AttachmentInfo {
    /// Attachment id for nc_mail_get_attachment.
    pub id: String,
    /// File name.
    pub file_name: Option<String>,
    /// MIME type.
    pub mime: Option<String>,
    /// Size in bytes (encoded size, roughly 4/3 of the file for base64 parts).
    pub size: Option<i64>,
    /// Inline (embedded) part.
    pub inline: bool,
}

/// Result of nc_mail_get_message.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MessageDetail {
    /// Message id.
    pub id: i64,
    /// Subject.
    pub subject: String,
    /// Sender(s).
    pub from: Vec<Address>,
    /// Recipients.
    pub to: Vec<Address>,
    /// Copy recipients.
    pub cc: Vec<Address>,
    /// Reply-To addresses.
    pub reply_to: Vec<Address>,
    /// Date (ISO 8601).
    pub date: String,
    /// RFC Message-ID (pass as `references` when replying).
    pub message_id: Option<String>,
    /// Flags.
    pub flags: crate::nextcloud::mail::types::Flags,
    /// Body as plain text (HTML converted).
    pub body: String,
    /// True when the body was cut at max_body_chars.
    pub body_truncated: bool,
    /// True when the original body is HTML.
    pub is_html: bool,
    /// Signature, when Mail split it off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Attachments.
    pub attachments: Vec<AttachmentInfo>,
    /// True when the sender is in the user's trusted senders.
    pub sender_trusted: bool,
    /// Mail's phishing warning.
    pub phishing_warning: bool,
    /// Unsubscribe link, when the message offers one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsubscribe_url: Option<String>,
}

/// Result of nc_mail_get_message_source.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Source {
    /// Message id.
    pub message_id: i64,
    /// The RFC 822 source (or its header part).
    pub source: String,
    /// Size of the whole source in bytes.
    pub total_bytes: usize,
    /// True when cut (headers only, or max_bytes).
    pub truncated: bool,
}

/// Result of nc_mail_get_attachment.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Attachment {
    /// Message id.
    pub message_id: i64,
    /// Attachment id.
    pub attachment_id: String,
    /// File name.
    pub file_name: Option<String>,
    /// MIME type.
    pub mime_type: String,
    /// Size in bytes.
    pub size: usize,
    /// `text` (UTF-8 content) or `base64`.
    pub encoding: String,
    /// The content.
    pub content: String,
}

/// A search hit.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchHit {
    /// Message id (for nc_mail_get_message), when the link names one.
    pub message_id: Option<i64>,
    /// Mailbox id, when the link names one.
    pub mailbox_id: Option<i64>,
    /// Subject.
    pub subject: String,
    /// Second line (sender).
    pub detail: String,
    /// Link to the message in Nextcloud Mail.
    pub url: String,
}

/// Result of nc_mail_search.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchResult {
    /// Query.
    pub query: String,
    /// Hits.
    pub results: Vec<SearchHit>,
    /// Number of hits.
    pub count: usize,
    /// Pass as `cursor` for more.
    pub next_cursor: Option<String>,
}
