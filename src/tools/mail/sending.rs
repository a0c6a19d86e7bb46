//! Sending mail and replying. Mail's outbox is used in two steps (create, send); when the
//! send step fails the message stays in the user's Outbox and the error names its id, so it
//! can be sent again with `retry_outbox_id` instead of being duplicated.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{RecipientArg, locate, mail_error, recipients};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::fields::text;
use crate::nextcloud::mail::types::addresses;
use crate::nextcloud::mail::{Address, Outgoing, SendFailure};
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Arguments of nc_mail_send_message.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SendArgs {
    /// Account to send from (from nc_mail_list_accounts).
    pub account_id: i64,
    /// Recipients: addresses such as "bob@example.org" or "Bob <bob@example.org>", or {email, label} objects.
    #[serde(default)]
    pub to: Vec<RecipientArg>,
    /// Subject.
    #[serde(default)]
    pub subject: String,
    /// Body text (HTML when is_html).
    #[serde(default)]
    pub body: String,
    /// The body is HTML.
    #[serde(default)]
    pub is_html: bool,
    /// Copy recipients (same forms as `to`).
    #[serde(default)]
    pub cc: Vec<RecipientArg>,
    /// Blind copy recipients (same forms as `to`).
    #[serde(default)]
    pub bcc: Vec<RecipientArg>,
    /// RFC Message-ID of the message this answers (sets In-Reply-To and References).
    #[serde(default)]
    pub references: Option<String>,
    /// Alias id to send from (from the account's aliases).
    #[serde(default)]
    pub alias_id: Option<i64>,
    /// Send a message left in the Outbox by an earlier failed send (its outbox id) instead of a new one; other arguments are then ignored.
    #[serde(default)]
    pub retry_outbox_id: Option<i64>,
}

/// Arguments of nc_mail_reply_to_message.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReplyArgs {
    /// Id of the message to answer (from nc_mail_list_messages).
    pub message_id: i64,
    /// Reply text (HTML when is_html); the original is quoted below it unless quote_original is false.
    pub body: String,
    /// Also answer every other recipient of the original (reply all).
    #[serde(default)]
    pub reply_all: bool,
    /// The body is HTML.
    #[serde(default)]
    pub is_html: bool,
    /// Quote the original text below the reply (default true).
    #[serde(default = "default_true")]
    pub quote_original: bool,
    /// Account to send from; needed only when Mail cannot tell which account holds the message.
    #[serde(default)]
    pub account_id: Option<i64>,
}

fn default_true() -> bool {
    true
}

/// Result of sending.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SentMail {
    /// True once Mail accepted it for delivery.
    pub sent: bool,
    /// The outbox id it went through.
    pub outbox_id: i64,
    /// Subject.
    pub subject: String,
    /// Recipients.
    pub to: Vec<Address>,
    /// Copy recipients.
    pub cc: Vec<Address>,
    /// RFC Message-ID answered, for replies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
}

fn failed_send(failure: SendFailure) -> ToolError {
    match failure.outbox_id {
        Some(id) => ToolError::new(format!(
            "{}. The message was NOT sent and stays in your Outbox as outbox message {id}: fix the cause, then call nc_mail_send_message with retry_outbox_id={id} (do not send it again as a new message, that would duplicate it), or delete it in Nextcloud Mail's Outbox.",
            failure.error
        )),
        None => mail_error(failure.error, "account"),
    }
}

async fn deliver(client: &NextcloudClient, message: Outgoing) -> ToolResult<SentMail> {
    let outbox_id = client.mail_send(&message).await.map_err(failed_send)?;
    Ok(SentMail {
        sent: true,
        outbox_id,
        subject: message.subject,
        to: message.to,
        cc: message.cc,
        in_reply_to: message.in_reply_to,
    })
}

fn reply_subject(subject: &str) -> String {
    let trimmed = subject.trim();
    if trimmed
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("re:"))
    {
        trimmed.to_string()
    } else {
        format!("Re: {trimmed}")
    }
}

fn quoted(original: &Value) -> String {
    let body = original.get("body").and_then(Value::as_str).unwrap_or("");
    let plain = if original.get("hasHtmlBody").and_then(Value::as_bool) == Some(true) {
        crate::tools::html_text::html_to_text(body)
    } else {
        body.to_string()
    };
    let who = addresses(original.get("from"))
        .first()
        .map(|a| a.label.clone().unwrap_or_else(|| a.email.clone()))
        .unwrap_or_default();
    let lines: Vec<String> = plain.lines().map(|l| format!("> {l}")).collect();
    format!("\n\n{who} wrote:\n{}", lines.join("\n"))
}

#[tool_router(router = mail_sending_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Send an e-mail from one of the user's accounts. Recipients are lists of addresses. If delivery fails the message stays in the Outbox and the error gives its id for `retry_outbox_id`, so nothing is sent twice.
    #[tool(
        name = "nc_mail_send_message",
        input_schema = crate::tools::catalogue::input::<SendArgs>(),
        output_schema = crate::tools::catalogue::output::<SentMail>(),
        annotations(
            title = "Send e-mail",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_mail_send_message(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SendArgs>,
    ) -> Result<Json<SentMail>, ToolError> {
        if let Some(outbox_id) = args.retry_outbox_id {
            let client = self.mail_client(&ctx).await?;
            client.mail_outbox_send(outbox_id).await.map_err(|error| {
                failed_send(SendFailure {
                    error,
                    outbox_id: Some(outbox_id),
                })
            })?;
            return Ok(Json(SentMail {
                sent: true,
                outbox_id,
                subject: String::new(),
                to: Vec::new(),
                cc: Vec::new(),
                in_reply_to: None,
            }));
        }
        let to = recipients("to", &args.to)?;
        let cc = recipients("cc", &args.cc)?;
        let bcc = recipients("bcc", &args.bcc)?;
        if to.is_empty() && cc.is_empty() && bcc.is_empty() {
            return Err(ToolError::invalid(
                "to",
                "give at least one recipient. Nothing was sent",
            ));
        }
        if args.subject.trim().is_empty() && args.body.trim().is_empty() {
            return Err(ToolError::invalid(
                "subject",
                "give a subject or a body. Nothing was sent",
            ));
        }
        let client = self.mail_client(&ctx).await?;
        let message = Outgoing {
            account_id: args.account_id,
            alias_id: args.alias_id,
            subject: args.subject,
            body: args.body,
            is_html: args.is_html,
            to,
            cc,
            bcc,
            in_reply_to: args.references.filter(|r| !r.trim().is_empty()),
        };
        Ok(Json(deliver(&client, message).await?))
    }

    /// Reply to a message: answers its sender (or Reply-To; everyone with reply_all), subject "Re: …", In-Reply-To/References set to the original, original quoted below. Sent from the account that received it.
    #[tool(
        name = "nc_mail_reply_to_message",
        input_schema = crate::tools::catalogue::input::<ReplyArgs>(),
        output_schema = crate::tools::catalogue::output::<SentMail>(),
        annotations(
            title = "Reply to e-mail",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_mail_reply_to_message(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReplyArgs>,
    ) -> Result<Json<SentMail>, ToolError> {
        if args.body.trim().is_empty() {
            return Err(ToolError::invalid(
                "body",
                "must not be empty. Nothing was sent",
            ));
        }
        let client = self.mail_client(&ctx).await?;
        let original = client
            .mail_message(args.message_id)
            .await
            .map_err(|e| mail_error(e, &format!("message {}", args.message_id)))?;
        let account = match args.account_id {
            Some(id) => id,
            None => match locate(&client, args.message_id).await? {
                Some((account, _)) => account.id,
                None => {
                    let accounts = client
                        .mail_accounts()
                        .await
                        .map_err(|e| mail_error(e, "accounts"))?;
                    match accounts.as_slice() {
                        [only] => only.id,
                        _ => {
                            return Err(ToolError::invalid(
                                "account_id",
                                "Mail cannot tell which account received this message; give account_id (from nc_mail_list_accounts). Nothing was sent",
                            ));
                        }
                    }
                }
            },
        };
        let own: Vec<String> = client
            .mail_accounts()
            .await
            .map_err(|e| mail_error(e, "accounts"))?
            .into_iter()
            .filter(|a| a.id == account)
            .flat_map(|a| {
                std::iter::once(a.email_address).chain(a.aliases.into_iter().map(|al| al.alias))
            })
            .map(|e| e.to_lowercase())
            .collect();
        let mut to = addresses(original.get("replyTo"));
        if to.is_empty() {
            to = addresses(original.get("from"));
        }
        let mut cc = Vec::new();
        if args.reply_all {
            let mut seen: Vec<String> = to.iter().map(|a| a.email.to_lowercase()).collect();
            for a in addresses(original.get("to"))
                .into_iter()
                .chain(addresses(original.get("cc")))
            {
                let key = a.email.to_lowercase();
                if !own.contains(&key) && !seen.contains(&key) {
                    seen.push(key);
                    cc.push(a);
                }
            }
        }
        if to.is_empty() {
            return Err(ToolError::new(format!(
                "message {} has no sender address to reply to. Nothing was sent",
                args.message_id
            )));
        }
        let mut body = args.body;
        if args.quote_original {
            let quote = quoted(&original);
            if args.is_html {
                body.push_str(&format!(
                    "<blockquote>{}</blockquote>",
                    quote.replace('<', "&lt;").replace('\n', "<br>")
                ));
            } else {
                body.push_str(&quote);
            }
        }
        let message = Outgoing {
            account_id: account,
            alias_id: None,
            subject: reply_subject(&text(&original, "subject").unwrap_or_default()),
            body,
            is_html: args.is_html,
            to,
            cc,
            bcc: Vec::new(),
            in_reply_to: text(&original, "messageId"),
        };
        Ok(Json(deliver(&client, message).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_subjects_are_not_doubled() {
        assert_eq!(reply_subject("Lunch?"), "Re: Lunch?");
        assert_eq!(reply_subject("RE: Lunch?"), "RE: Lunch?");
        assert_eq!(reply_subject("äää"), "Re: äää");
    }
}
