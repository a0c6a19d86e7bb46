//! Reading mail: accounts, mailboxes, message lists (paged by Mail's timestamp cursor), one
//! message as text, its source, attachments (binary route), and search across mailboxes.

use crate::tools::answer::Json;
use base64::Engine;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use serde_json::Value;

use super::mail_error;
use super::reading_views::*;
use crate::nextcloud::fields::{flag, int, iso_time, text};
use crate::nextcloud::mail::types::{addresses, flags_from};
use crate::tools::html_text::{cap, html_to_text};
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Turns the typed filters into Mail's filter grammar (values URL-encoded, dates as Unix seconds).
fn filter_string(args: &ListMessagesArgs) -> ToolResult<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(raw) = args
        .search_filter
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        parts.push(raw.trim().to_string());
    }
    if args.unread_only {
        parts.push("is:unread".into());
    }
    let encode = |v: &str| {
        percent_encoding::utf8_percent_encode(v.trim(), percent_encoding::NON_ALPHANUMERIC)
            .to_string()
    };
    if let Some(from) = args.from.as_deref().filter(|s| !s.trim().is_empty()) {
        parts.push(format!("from:{}", encode(from)));
    }
    if let Some(subject) = args.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        parts.push(format!("subject:{}", encode(subject)));
    }
    if let Some(since) = args.since.as_deref().filter(|s| !s.trim().is_empty()) {
        let since = since.trim();
        let seconds = chrono::DateTime::parse_from_rfc3339(since)
            .map(|d| d.timestamp())
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(since, "%Y-%m-%d").map(|d| {
                    d.and_hms_opt(0, 0, 0)
                        .map_or(0, |t| t.and_utc().timestamp())
                })
            })
            .map_err(|_| {
                ToolError::invalid(
                    "since",
                    format!("`{since}` is not a date (YYYY-MM-DD or RFC 3339)"),
                )
            })?;
        parts.push(format!("start:{seconds}"));
    }
    Ok(parts.join(" "))
}

fn attachment_infos(list: Option<&Value>, inline: bool) -> Vec<AttachmentInfo> {
    list.and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|a| {
                    Some(AttachmentInfo {
                        id: text(a, "id")?,
                        file_name: text(a, "fileName"),
                        mime: text(a, "mime"),
                        size: int(a, "size"),
                        inline,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn search_hit(entry: &Value) -> SearchHit {
    let url = text(entry, "resourceUrl").unwrap_or_default();
    let after = |marker: &str| {
        url.split(marker)
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .and_then(|id| id.parse().ok())
    };
    SearchHit {
        message_id: after("/thread/"),
        mailbox_id: after("/box/"),
        subject: text(entry, "title").unwrap_or_default(),
        detail: text(entry, "subline").unwrap_or_default(),
        url,
    }
}

#[tool_router(router = mail_reading_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the user's mail accounts: id, name, address, aliases (to send from) and the special mailbox ids (sent, trash, drafts, archive, junk). Server settings are not returned.
    #[tool(
        name = "nc_mail_list_accounts",
        output_schema = crate::tools::catalogue::output::<AccountList>(),
        annotations(
            title = "List mail accounts",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_list_accounts(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<AccountList>, ToolError> {
        let client = self.mail_client(&ctx).await?;
        let accounts = client
            .mail_accounts()
            .await
            .map_err(|e| mail_error(e, "accounts"))?;
        Ok(Json(AccountList {
            count: accounts.len(),
            accounts,
        }))
    }

    /// List the mailboxes (folders) of an account: id, full and short name, parent, special use (inbox, sent, trash...) and unread count.
    #[tool(
        name = "nc_mail_list_mailboxes",
        input_schema = crate::tools::catalogue::input::<AccountArgs>(),
        output_schema = crate::tools::catalogue::output::<MailboxList>(),
        annotations(
            title = "List mailboxes",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_list_mailboxes(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<AccountArgs>,
    ) -> Result<Json<MailboxList>, ToolError> {
        let client = self.mail_client(&ctx).await?;
        let mailboxes = client
            .mail_mailboxes(args.account_id)
            .await
            .map_err(|e| mail_error(e, &format!("account {}", args.account_id)))?;
        Ok(Json(MailboxList {
            account_id: args.account_id,
            count: mailboxes.len(),
            mailboxes,
        }))
    }

    /// List the messages of a mailbox, newest first, one page at a time (pass `next_cursor` back as `cursor`), with filters for unread, sender, subject and date. A mailbox Mail has not synced yet is synced first.
    #[tool(
        name = "nc_mail_list_messages",
        input_schema = crate::tools::catalogue::input::<ListMessagesArgs>(),
        output_schema = crate::tools::catalogue::output::<MessageList>(),
        annotations(
            title = "List mail messages",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_list_messages(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListMessagesArgs>,
    ) -> Result<Json<MessageList>, ToolError> {
        if !(1..=100).contains(&args.limit) {
            return Err(ToolError::invalid("limit", "must be between 1 and 100"));
        }
        let filter = filter_string(&args)?;
        let client = self.mail_client(&ctx).await?;
        let messages = client
            .mail_messages(
                args.mailbox_id,
                args.cursor,
                &filter,
                args.limit,
                args.threads,
            )
            .await
            .map_err(|e| mail_error(e, &format!("mailbox {}", args.mailbox_id)))?;
        let has_more = messages.len() as u32 >= args.limit;
        Ok(Json(MessageList {
            mailbox_id: args.mailbox_id,
            next_cursor: if has_more {
                messages.last().map(|m| m.date_int)
            } else {
                None
            },
            count: messages.len(),
            messages,
            has_more,
            threads: args.threads,
        }))
    }

    /// Read one message: headers, body as plain text (HTML converted, long bodies cut with a note), attachments (ids for nc_mail_get_attachment), flags, and Mail's phishing and trust hints.
    #[tool(
        name = "nc_mail_get_message",
        input_schema = crate::tools::catalogue::input::<GetMessageArgs>(),
        output_schema = crate::tools::catalogue::output::<MessageDetail>(),
        annotations(
            title = "Get mail message",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_get_message(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetMessageArgs>,
    ) -> Result<Json<MessageDetail>, ToolError> {
        if args.max_body_chars == 0 {
            return Err(ToolError::invalid("max_body_chars", "must be at least 1"));
        }
        let client = self.mail_client(&ctx).await?;
        let raw = client
            .mail_message(args.message_id)
            .await
            .map_err(|e| mail_error(e, &format!("message {}", args.message_id)))?;
        let is_html = flag(&raw, "hasHtmlBody");
        let body = raw.get("body").and_then(Value::as_str).unwrap_or("");
        let plain = if is_html {
            html_to_text(body)
        } else {
            body.to_string()
        };
        let (body, body_truncated) = cap(&plain, args.max_body_chars);
        let mut attachments = attachment_infos(raw.get("attachments"), false);
        attachments.extend(attachment_infos(raw.get("inlineAttachments"), true));
        Ok(Json(MessageDetail {
            id: int(&raw, "id").unwrap_or(args.message_id),
            subject: text(&raw, "subject").unwrap_or_default(),
            from: addresses(raw.get("from")),
            to: addresses(raw.get("to")),
            cc: addresses(raw.get("cc")),
            reply_to: addresses(raw.get("replyTo")),
            date: iso_time(int(&raw, "dateInt").unwrap_or(0)),
            message_id: text(&raw, "messageId"),
            flags: flags_from(raw.get("flags")),
            body,
            body_truncated,
            is_html,
            signature: text(&raw, "signature"),
            attachments,
            sender_trusted: flag(&raw, "isSenderTrusted"),
            phishing_warning: raw
                .pointer("/phishingDetails/warning")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            unsubscribe_url: text(&raw, "unsubscribeUrl"),
        }))
    }

    /// Read a message's raw RFC 822 source: by default only its headers, and never more than `max_bytes`.
    #[tool(
        name = "nc_mail_get_message_source",
        input_schema = crate::tools::catalogue::input::<SourceArgs>(),
        output_schema = crate::tools::catalogue::output::<Source>(),
        annotations(
            title = "Get mail message source",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_get_message_source(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SourceArgs>,
    ) -> Result<Json<Source>, ToolError> {
        let client = self.mail_client(&ctx).await?;
        let source = client
            .mail_source(args.message_id)
            .await
            .map_err(|e| mail_error(e, &format!("message {}", args.message_id)))?
            .unwrap_or_default();
        let total_bytes = source.len();
        let mut part = if args.headers_only {
            source
                .find("\r\n\r\n")
                .or_else(|| source.find("\n\n"))
                .map_or(source.as_str(), |end| &source[..end])
                .to_string()
        } else {
            source.clone()
        };
        if part.len() > args.max_bytes {
            let mut end = args.max_bytes;
            while !part.is_char_boundary(end) {
                end -= 1;
            }
            part.truncate(end);
        }
        Ok(Json(Source {
            message_id: args.message_id,
            truncated: part.len() < total_bytes,
            source: part,
            total_bytes,
        }))
    }

    /// Download one attachment of a message: text files as text, other files as base64, refused above `max_bytes` (default 1 MiB).
    #[tool(
        name = "nc_mail_get_attachment",
        input_schema = crate::tools::catalogue::input::<AttachmentArgs>(),
        output_schema = crate::tools::catalogue::output::<Attachment>(),
        annotations(
            title = "Get mail attachment",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_get_attachment(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<AttachmentArgs>,
    ) -> Result<Json<Attachment>, ToolError> {
        let part = args.attachment_id.trim();
        if part.is_empty() || !part.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(ToolError::invalid(
                "attachment_id",
                "give the attachment `id` from nc_mail_get_message, e.g. \"2\" or \"1.2\"",
            ));
        }
        if !(1..=10 * 1024 * 1024).contains(&args.max_bytes) {
            return Err(ToolError::invalid(
                "max_bytes",
                "must be between 1 and 10485760",
            ));
        }
        let client = self.mail_client(&ctx).await?;
        let data = client
            .mail_attachment(args.message_id, part, args.max_bytes)
            .await
            .map_err(|e| match e.kind {
                crate::nextcloud::ErrorKind::Decode(ref m) if m.contains("larger than") => ToolError::new(format!(
                    "attachment {part} of message {} is larger than max_bytes ({}); raise max_bytes (at most 10 MiB) or save it from Nextcloud Mail",
                    args.message_id, args.max_bytes
                )),
                _ => mail_error(e, &format!("attachment {part} of message {}", args.message_id)),
            })?;
        let mime = data
            .content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let textual = mime.starts_with("text/")
            || matches!(mime.as_str(), "application/json" | "application/xml");
        let (encoding, content) = match (textual, String::from_utf8(data.bytes.clone())) {
            (true, Ok(text)) => ("text", text),
            _ => (
                "base64",
                base64::engine::general_purpose::STANDARD.encode(&data.bytes),
            ),
        };
        Ok(Json(Attachment {
            message_id: args.message_id,
            attachment_id: part.to_string(),
            file_name: data.file_name,
            mime_type: mime,
            size: data.bytes.len(),
            encoding: encoding.into(),
            content,
        }))
    }

    /// Search mail across all mailboxes and accounts (Nextcloud's unified search, provider `mail`): subject, sender and recipients.
    #[tool(
        name = "nc_mail_search",
        input_schema = crate::tools::catalogue::input::<SearchArgs>(),
        output_schema = crate::tools::catalogue::output::<SearchResult>(),
        annotations(
            title = "Search mail",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_search(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<Json<SearchResult>, ToolError> {
        let query = args.query.trim().to_string();
        if query.is_empty() {
            return Err(ToolError::invalid("query", "must not be empty"));
        }
        if !(1..=100).contains(&args.limit) {
            return Err(ToolError::invalid("limit", "must be between 1 and 100"));
        }
        let client = self.mail_client(&ctx).await?;
        let data = client
            .mail_search(&query, args.limit, args.cursor.as_deref())
            .await
            .map_err(|e| mail_error(e, "the mail search provider"))?;
        let results: Vec<SearchHit> = data
            .get("entries")
            .and_then(Value::as_array)
            .map(|l| l.iter().map(search_hit).collect())
            .unwrap_or_default();
        let next_cursor = if data
            .get("isPaginated")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            && results.len() as u32 >= args.limit
        {
            match data.get("cursor") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }
        } else {
            None
        };
        Ok(Json(SearchResult {
            query,
            count: results.len(),
            results,
            next_cursor,
        }))
    }
}
