//! Mail toolset: accounts, mailboxes, messages, attachments, sending and replying, flags,
//! tags, move and delete, and search across mailboxes. Names and arguments match the
//! reference server's `nc_mail_*` tools.

mod organize;
mod reading;
mod reading_views;
mod sending;

use rmcp::RoleServer;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::service::RequestContext;
use schemars::JsonSchema;
use serde::Deserialize;

use super::support::require_probed_app;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::mail::{Account, Address, PROBE_PATH, is_not_found};
use crate::nextcloud::{ErrorKind, NextcloudClient, NextcloudError};

impl NextcloudMcp {
    /// Every Mail tool.
    pub fn mail_router() -> ToolRouter<NextcloudMcp> {
        let mut router = Self::mail_reading_router();
        router.merge(Self::mail_sending_router());
        router.merge(Self::mail_organize_router());
        router
    }

    /// The caller's client once Mail is known to answer for them (probed once, cached).
    pub(crate) async fn mail_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<NextcloudClient> {
        let client = self.client(ctx)?;
        require_probed_app(&client, "mail", "Mail", PROBE_PATH).await?;
        Ok(client)
    }
}

/// A Mail failure with advice that fits Mail: 403 `[]` means the id is unknown or not the
/// user's (ids change after a move or delete).
pub(crate) fn mail_error(err: NextcloudError, what: &str) -> ToolError {
    if is_not_found(&err)
        && !matches!(&err.kind, ErrorKind::Status { message: Some(m), .. } if !m.is_empty() && !m.contains("not found"))
    {
        return ToolError::new(format!(
            "{} failed: {} not found (Mail answered {}; ids change after a message is moved or deleted). List again with nc_mail_list_accounts / nc_mail_list_mailboxes / nc_mail_list_messages to get current ids.",
            err.call,
            what,
            err.status().unwrap_or(403)
        ));
    }
    if let ErrorKind::Status {
        status: 202,
        message: Some(m),
        ..
    } = &err.kind
    {
        return ToolError::new(format!("{}: {m}", err.call));
    }
    err.into()
}

/// A recipient: `"bob@example.org"`, `"Bob <bob@example.org>"` or `{"email", "label"}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RecipientArg {
    /// An address, optionally as `Name <address>`.
    Text(String),
    /// An address with a display name.
    Structured {
        /// The address.
        email: String,
        /// Display name.
        #[serde(default)]
        label: Option<String>,
    },
}

/// Checks and converts recipients.
pub(crate) fn recipients(argument: &str, list: &[RecipientArg]) -> ToolResult<Vec<Address>> {
    list.iter()
        .map(|r| {
            let (email, label) = match r {
                RecipientArg::Structured { email, label } => {
                    (email.trim().to_string(), label.clone())
                }
                RecipientArg::Text(text) => {
                    let text = text.trim();
                    match (text.rfind('<'), text.ends_with('>')) {
                        (Some(open), true) => (
                            text[open + 1..text.len() - 1].trim().to_string(),
                            Some(text[..open].trim().trim_matches('"').to_string())
                                .filter(|l| !l.is_empty()),
                        ),
                        _ => (text.to_string(), None),
                    }
                }
            };
            let valid = email.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty() && host.contains('.') && !email.contains(char::is_whitespace)
            });
            if !valid {
                return Err(ToolError::invalid(
                    argument,
                    format!("`{email}` is not an e-mail address. Nothing was sent"),
                ));
            }
            Ok(Address { email, label })
        })
        .collect()
}

/// The account holding a message, found through its thread (which carries the mailbox id).
/// `None` when Mail cannot tell (a message without thread data).
pub(crate) async fn locate(
    client: &NextcloudClient,
    message_id: i64,
) -> ToolResult<Option<(Account, i64)>> {
    let thread = match client.mail_thread(message_id).await {
        Ok(thread) => thread,
        Err(err) if err.status() == Some(404) => return Ok(None),
        Err(err) => return Err(mail_error(err, &format!("message {message_id}"))),
    };
    let Some(mailbox) = thread
        .iter()
        .find(|e| e.id == message_id)
        .and_then(|e| e.mailbox_id)
    else {
        return Ok(None);
    };
    let accounts = client
        .mail_accounts()
        .await
        .map_err(|e| mail_error(e, "accounts"))?;
    for account in accounts {
        let special = [
            account.trash_mailbox_id,
            account.sent_mailbox_id,
            account.drafts_mailbox_id,
            account.archive_mailbox_id,
            account.junk_mailbox_id,
        ];
        if special.contains(&Some(mailbox)) {
            return Ok(Some((account, mailbox)));
        }
        let boxes = client
            .mail_mailboxes(account.id)
            .await
            .map_err(|e| mail_error(e, "mailboxes"))?;
        if boxes.iter().any(|b| b.id == mailbox) {
            return Ok(Some((account, mailbox)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_in_every_form() {
        let list = vec![
            RecipientArg::Text("Bob Builder <bob@example.org>".into()),
            RecipientArg::Text("carol@example.org".into()),
            RecipientArg::Structured {
                email: "dave@example.org".into(),
                label: None,
            },
        ];
        let parsed = recipients("to", &list).unwrap();
        assert_eq!(parsed[0].label.as_deref(), Some("Bob Builder"));
        assert_eq!(parsed[0].email, "bob@example.org");
        assert_eq!(parsed[1].email, "carol@example.org");
        assert!(recipients("to", &[RecipientArg::Text("[{\"email\":1}]".into())]).is_err());
        assert!(recipients("to", &[RecipientArg::Text("bob".into())]).is_err());
    }
}
