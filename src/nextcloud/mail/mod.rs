//! The Mail app: its plain-JSON web routes (`/index.php/apps/mail/api/...`, which need
//! `OCS-APIRequest: true` or answer 412), its OCS routes (`/ocs/v2.php/apps/mail/message/...`)
//! and the unified search provider `mail`.
//!
//! Quirks handled here, once: unknown or foreign ids answer 403 `[]` (read as "not found");
//! a mailbox not cached yet answers 400 `MailboxNotCachedException` and is synced (`init`,
//! repeated while Mail answers 202, bounded) before one retry; the list cursor is the last
//! envelope's `dateInt`, not its id, and the view is `singleton` unless threads are asked
//! for; attachments come from the binary web route (the OCS one puts raw bytes in JSON);
//! sending creates an outbox message, then sends it, so a failed send names its outbox id.

pub mod types;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use types::{
    Account, Address, Envelope, Mailbox, Tag, account_from, envelope_from, mailbox_from,
};

use super::client::{NextcloudClient, app_url, read_limited};
use super::error::{ErrorKind, NcResult, NextcloudError};

const API: &str = "/apps/mail/api";
const OCS: &str = "/ocs/v2.php/apps/mail";
/// Path Mail's presence is probed with (cheap, per user).
pub const PROBE_PATH: &str = "/index.php/apps/mail/api/accounts";
/// Sync rounds at most while Mail answers 202 ("call again") for an uncached mailbox.
pub const MAX_SYNC_ROUNDS: usize = 5;

/// True for Mail's "unknown or not yours" answer (403 with `[]`).
pub fn is_not_found(err: &NextcloudError) -> bool {
    matches!(err.status(), Some(403 | 404))
}

fn is_not_cached(err: &NextcloudError) -> bool {
    matches!(&err.kind, ErrorKind::Status { status: 400, message: Some(m), .. } if m.contains("MailboxNotCachedException"))
}

/// A downloaded attachment.
#[derive(Debug, Clone)]
pub struct AttachmentData {
    /// MIME type from Content-Type.
    pub content_type: String,
    /// File name from Content-Disposition, if any.
    pub file_name: Option<String>,
    /// Decoded bytes.
    pub bytes: Vec<u8>,
}

/// A message to send.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    /// Account id.
    pub account_id: i64,
    /// Alias id to send from.
    pub alias_id: Option<i64>,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Body is HTML.
    pub is_html: bool,
    /// Recipients.
    pub to: Vec<Address>,
    /// Copy.
    pub cc: Vec<Address>,
    /// Blind copy.
    pub bcc: Vec<Address>,
    /// RFC Message-ID this answers (sets In-Reply-To/References).
    pub in_reply_to: Option<String>,
}

/// Why a send failed, with the outbox message left behind.
#[derive(Debug, Clone)]
pub struct SendFailure {
    /// The failed call.
    pub error: NextcloudError,
    /// Outbox id of the message, when it was created.
    pub outbox_id: Option<i64>,
}

/// Extracts the filename of a `Content-Disposition` header.
pub fn disposition_filename(header: &str) -> Option<String> {
    let lower = header.to_ascii_lowercase();
    if let Some(pos) = lower.find("filename*=") {
        let value = header[pos + 10..].split(';').next()?.trim();
        let encoded = value.rsplit("''").next()?;
        return percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .ok()
            .map(|s| s.to_string());
    }
    let pos = lower.find("filename=")?;
    let value = header[pos + 9..].split(';').next()?.trim();
    Some(value.trim_matches('"').to_string()).filter(|s| !s.is_empty())
}

impl NextcloudClient {
    async fn mail<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> NcResult<T> {
        self.app_json(method, path, body).await
    }

    /// `GET /api/accounts`.
    pub async fn mail_accounts(&self) -> NcResult<Vec<Account>> {
        let raw: Vec<Value> = self
            .mail(Method::GET, &format!("{API}/accounts"), None)
            .await?;
        Ok(raw.iter().filter_map(account_from).collect())
    }

    /// `GET /api/mailboxes?accountId=`.
    pub async fn mail_mailboxes(&self, account: i64) -> NcResult<Vec<Mailbox>> {
        let raw: Value = self
            .mail(
                Method::GET,
                &format!("{API}/mailboxes?accountId={account}"),
                None,
            )
            .await?;
        let delimiter = raw.get("delimiter").and_then(Value::as_str).unwrap_or(".");
        Ok(raw
            .get("mailboxes")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|m| mailbox_from(m, delimiter))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `POST /api/mailboxes/{id}/sync {"init":true}` until Mail stops answering 202, at most
    /// [`MAX_SYNC_ROUNDS`] times. Returns true when the sync finished.
    pub async fn mail_sync_mailbox(&self, mailbox: i64) -> NcResult<bool> {
        let path = app_url(&format!("{API}/mailboxes/{mailbox}/sync"));
        let call = format!("POST {path}");
        for _ in 0..MAX_SYNC_ROUNDS {
            let request = self
                .request(Method::POST, &path)
                .header("OCS-APIRequest", "true")
                .header("Accept", "application/json")
                .json(&json!({"init": true}));
            let response = self.send(&call, request).await?;
            if response.status().as_u16() != 202 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `GET /api/messages`: one page from Mail's cache, newest first by default (the user's
    /// sort preference decides). An uncached mailbox is synced first (bounded), then retried once.
    pub async fn mail_messages(
        &self,
        mailbox: i64,
        cursor: Option<i64>,
        filter: &str,
        limit: u32,
        threaded: bool,
    ) -> NcResult<Vec<Envelope>> {
        let mut path = format!(
            "{API}/messages?mailboxId={mailbox}&limit={}",
            limit.clamp(1, 100)
        );
        if !threaded {
            path.push_str("&view=singleton");
        }
        if let Some(cursor) = cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        if !filter.trim().is_empty() {
            path.push_str(&format!(
                "&filter={}",
                utf8_percent_encode(filter.trim(), NON_ALPHANUMERIC)
            ));
        }
        let raw: Vec<Value> = match self.mail(Method::GET, &path, None).await {
            Err(err) if is_not_cached(&err) => {
                if !self.mail_sync_mailbox(mailbox).await? {
                    return Err(NextcloudError::new(
                        err.call,
                        ErrorKind::Status {
                            status: 202,
                            ocs_status: None,
                            message: Some(format!(
                                "mailbox {mailbox} is still being synced for the first time after {MAX_SYNC_ROUNDS} rounds; call again in a minute"
                            )),
                        },
                    ));
                }
                self.mail(Method::GET, &path, None).await?
            }
            other => other?,
        };
        Ok(raw.iter().filter_map(envelope_from).collect())
    }

    /// `GET /api/messages/{id}/thread`: every cached message of the thread in the account.
    pub async fn mail_thread(&self, id: i64) -> NcResult<Vec<Envelope>> {
        let raw: Vec<Value> = self
            .mail(Method::GET, &format!("{API}/messages/{id}/thread"), None)
            .await?;
        Ok(raw.iter().filter_map(envelope_from).collect())
    }

    /// `GET /ocs/.../message/{id}`: the whole message, fetched from IMAP by Mail.
    pub async fn mail_message(&self, id: i64) -> NcResult<Value> {
        self.ocs_value(Method::GET, &format!("{OCS}/message/{id}"), None)
            .await
    }

    /// `GET /ocs/.../message/{id}/raw`: the RFC 822 source (may be `None`).
    pub async fn mail_source(&self, id: i64) -> NcResult<Option<String>> {
        let data = self
            .ocs_value(Method::GET, &format!("{OCS}/message/{id}/raw"), None)
            .await?;
        Ok(data.as_str().map(str::to_string))
    }

    /// Binary `GET /api/messages/{id}/attachment/{part}`, refused above `max_bytes`.
    pub async fn mail_attachment(
        &self,
        id: i64,
        part: &str,
        max_bytes: usize,
    ) -> NcResult<AttachmentData> {
        let path = app_url(&format!(
            "{API}/messages/{id}/attachment/{}",
            utf8_percent_encode(part, NON_ALPHANUMERIC)
        ));
        let call = format!("GET {path}");
        let request = self
            .request(Method::GET, &path)
            .header("OCS-APIRequest", "true");
        let response = self.send(&call, request).await?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type =
            header("Content-Type").unwrap_or_else(|| "application/octet-stream".into());
        let file_name = header("Content-Disposition").and_then(|d| disposition_filename(&d));
        let bytes = read_limited(&call, response, max_bytes).await?;
        Ok(AttachmentData {
            content_type,
            file_name,
            bytes,
        })
    }

    /// `PUT /api/messages/{id}/flags`.
    pub async fn mail_set_flags(
        &self,
        id: i64,
        flags: &serde_json::Map<String, Value>,
    ) -> NcResult<()> {
        let _: Value = self
            .mail(
                Method::PUT,
                &format!("{API}/messages/{id}/flags"),
                Some(json!({"flags": flags})),
            )
            .await?;
        Ok(())
    }

    /// `POST /api/tags`: create-or-get by name (an existing tag's name and colour win).
    pub async fn mail_create_tag(&self, name: &str, color: &str) -> NcResult<Tag> {
        let raw: Value = self
            .mail(
                Method::POST,
                &format!("{API}/tags"),
                Some(json!({"displayName": name, "color": color})),
            )
            .await?;
        types::tag_from(&raw).ok_or_else(|| {
            NextcloudError::new(
                format!("POST {}", app_url(&format!("{API}/tags"))),
                ErrorKind::Decode("no tag in the answer".into()),
            )
        })
    }

    /// `PUT` (set) or `DELETE` (remove) `/api/messages/{id}/tags/{imapLabel}`.
    pub async fn mail_tag_message(&self, id: i64, label: &str, set: bool) -> NcResult<Option<Tag>> {
        let method = if set { Method::PUT } else { Method::DELETE };
        let path = format!(
            "{API}/messages/{id}/tags/{}",
            utf8_percent_encode(label, NON_ALPHANUMERIC)
        );
        let raw: Value = self.mail(method, &path, None).await?;
        Ok(types::tag_from(&raw))
    }

    /// `POST /api/messages/{id}/move {"destFolderId"}`.
    pub async fn mail_move(&self, id: i64, destination: i64) -> NcResult<()> {
        let _: Value = self
            .mail(
                Method::POST,
                &format!("{API}/messages/{id}/move"),
                Some(json!({"destFolderId": destination})),
            )
            .await?;
        Ok(())
    }

    /// `DELETE /api/messages/{id}`: moves to the trash, or expunges a message already there.
    pub async fn mail_delete(&self, id: i64) -> NcResult<()> {
        let _: Value = self
            .mail(Method::DELETE, &format!("{API}/messages/{id}"), None)
            .await?;
        Ok(())
    }

    /// Creates an outbox message (`POST /api/outbox`) and returns its id.
    pub async fn mail_outbox_create(&self, message: &Outgoing) -> NcResult<i64> {
        let mut body = json!({
            "accountId": message.account_id,
            "aliasId": message.alias_id,
            "subject": message.subject,
            "bodyPlain": if message.is_html { Value::Null } else { json!(message.body) },
            "bodyHtml": if message.is_html { json!(message.body) } else { Value::Null },
            "editorBody": Value::Null,
            "isHtml": message.is_html,
            "smimeSign": false,
            "smimeEncrypt": false,
            "to": message.to,
            "cc": message.cc,
            "bcc": message.bcc,
            "attachments": [],
        });
        if let Some(parent) = &message.in_reply_to {
            body["inReplyToMessageId"] = json!(parent);
        }
        let raw: Value = self
            .mail(Method::POST, &format!("{API}/outbox"), Some(body))
            .await?;
        raw.pointer("/data/id")
            .and_then(Value::as_i64)
            .ok_or_else(|| {
                NextcloudError::new(
                    format!("POST {}", app_url(&format!("{API}/outbox"))),
                    ErrorKind::Decode("no outbox id in the answer".into()),
                )
            })
    }

    /// Sends an outbox message now (`POST /api/outbox/{id}`; 202 "Message sent").
    pub async fn mail_outbox_send(&self, outbox_id: i64) -> NcResult<()> {
        let _: Value = self
            .mail(
                Method::POST,
                &format!("{API}/outbox/{outbox_id}"),
                Some(json!({})),
            )
            .await?;
        Ok(())
    }

    /// Creates and sends; a failure says which outbox message is left behind.
    pub async fn mail_send(&self, message: &Outgoing) -> Result<i64, SendFailure> {
        let outbox_id = self
            .mail_outbox_create(message)
            .await
            .map_err(|error| SendFailure {
                error,
                outbox_id: None,
            })?;
        self.mail_outbox_send(outbox_id)
            .await
            .map_err(|error| SendFailure {
                error,
                outbox_id: Some(outbox_id),
            })?;
        Ok(outbox_id)
    }

    /// Unified search provider `mail` (`GET /ocs/v2.php/search/providers/mail/search`).
    pub async fn mail_search(
        &self,
        term: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> NcResult<Value> {
        let mut path = format!(
            "/ocs/v2.php/search/providers/mail/search?term={}&limit={}",
            utf8_percent_encode(term, NON_ALPHANUMERIC),
            limit.clamp(1, 100)
        );
        if let Some(cursor) = cursor {
            path.push_str(&format!(
                "&cursor={}",
                utf8_percent_encode(cursor, NON_ALPHANUMERIC)
            ));
        }
        self.ocs_value(Method::GET, &path, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_names() {
        assert_eq!(
            disposition_filename(r#"attachment; filename="checklist-v3.pdf""#).as_deref(),
            Some("checklist-v3.pdf")
        );
        assert_eq!(
            disposition_filename("attachment; filename*=UTF-8''K%C3%A4se.pdf").as_deref(),
            Some("Käse.pdf")
        );
    }

    #[test]
    fn mail_client_errors_are_recognised() {
        let body = br#"{"status":"fail","data":{"message":"mailbox 27 is not cached","type":"OCA\\Mail\\Exception\\MailboxNotCachedException"}}"#;
        let (_, message) = crate::nextcloud::client::error_message(body);
        let err = NextcloudError::new(
            "GET x",
            ErrorKind::Status {
                status: 400,
                ocs_status: None,
                message,
            },
        );
        assert!(is_not_cached(&err), "{err}");
    }
}
