//! Organising mail: flags, tags (create, set, remove), move and delete.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{locate, mail_error};
use crate::nextcloud::fields::text;
use crate::nextcloud::mail::{Tag, is_not_found};
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Mail's default tags and their IMAP labels (display names are localised by Mail).
const DEFAULT_TAGS: &[(&str, &str)] = &[
    ("important", "$label1"),
    ("work", "$label2"),
    ("personal", "$label3"),
    ("to do", "$label4"),
    ("later", "$label5"),
];

fn default_color() -> String {
    "#0082c9".into()
}

/// Arguments of nc_mail_set_flags.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct FlagsArgs {
    /// Message id.
    pub message_id: i64,
    /// Mark read (true) or unread (false).
    #[serde(default)]
    pub seen: Option<bool>,
    /// Star (true) or unstar (false).
    #[serde(default)]
    pub flagged: Option<bool>,
    /// Mark answered or not.
    #[serde(default)]
    pub answered: Option<bool>,
    /// Mark as junk or not (an IMAP keyword: servers may ignore it).
    #[serde(default)]
    pub junk: Option<bool>,
}

/// Arguments of nc_mail_create_tag.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateTagArgs {
    /// Tag name (at most 128 characters).
    pub display_name: String,
    /// Colour, e.g. #0082c9.
    #[serde(default = "default_color")]
    pub color: String,
}

/// Arguments of nc_mail_set_tag / nc_mail_remove_tag.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TagArgs {
    /// Message id.
    pub message_id: i64,
    /// Tag name (e.g. "Important", "Work" or one created with nc_mail_create_tag) or its IMAP label (e.g. "$label1").
    pub tag: String,
}

/// Arguments of nc_mail_move_message.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MoveArgs {
    /// Message id.
    pub message_id: i64,
    /// Destination mailbox id (from nc_mail_list_mailboxes; may be in another account).
    pub destination_mailbox_id: i64,
}

/// Arguments of nc_mail_delete_message.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteArgs {
    /// Message id.
    pub message_id: i64,
}

/// Result of nc_mail_set_flags.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FlagsSet {
    /// Message id.
    pub message_id: i64,
    /// Flags sent to Mail.
    pub flags: Map<String, Value>,
    /// Caveats.
    pub notes: Vec<String>,
}

/// Result of the tag tools.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TagResult {
    /// Message id (tag tools on messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// The tag.
    pub tag: Option<Tag>,
    /// What happened.
    pub message: String,
}

/// Result of move and delete.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Moved {
    /// Message id before the change (it is no longer valid).
    pub message_id: i64,
    /// RFC Message-ID: find the message again by it.
    pub rfc_message_id: Option<String>,
    /// Subject.
    pub subject: String,
    /// Where the message went, when known.
    pub destination_mailbox_id: Option<i64>,
    /// For deletes: true when it was already in the trash and is now gone for good; null when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permanently_deleted: Option<bool>,
    /// What happened.
    pub message: String,
}

/// The IMAP label a tag name stands for: `$…` as given, default tags by name, else Mail's
/// rule (`$` + lowercase name with spaces as `_`) for ASCII names.
fn label_for(tag: &str) -> ToolResult<Option<String>> {
    let t = tag.trim();
    if t.is_empty() {
        return Err(ToolError::invalid("tag", "must not be empty"));
    }
    if t.starts_with('$') {
        return Ok(Some(t.to_string()));
    }
    let lower = t.to_lowercase();
    if let Some((_, label)) = DEFAULT_TAGS.iter().find(|(n, _)| *n == lower) {
        return Ok(Some((*label).to_string()));
    }
    Ok(t.is_ascii()
        .then(|| format!("${}", lower.replace(' ', "_"))))
}

/// The message about to be moved or deleted (for its subject and Message-ID in the result),
/// with the words naming it in errors.
async fn original_message(
    client: &crate::nextcloud::NextcloudClient,
    message_id: i64,
) -> ToolResult<(String, Value)> {
    let what = format!("message {message_id}");
    let original = client
        .mail_message(message_id)
        .await
        .map_err(|e| mail_error(e, &what))?;
    Ok((what, original))
}

#[tool_router(router = mail_organize_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Set or clear flags of a message: seen (read), flagged (starred), answered, junk.
    #[tool(
        name = "nc_mail_set_flags",
        input_schema = crate::tools::catalogue::input::<FlagsArgs>(),
        output_schema = crate::tools::catalogue::output::<FlagsSet>(),
        annotations(
            title = "Set mail flags",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_set_flags(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<FlagsArgs>,
    ) -> Result<Json<FlagsSet>, ToolError> {
        let mut flags = Map::new();
        for (key, value) in [
            ("seen", args.seen),
            ("flagged", args.flagged),
            ("answered", args.answered),
            ("$junk", args.junk),
        ] {
            if let Some(v) = value {
                flags.insert(key.into(), json!(v));
            }
        }
        if flags.is_empty() {
            return Err(ToolError::invalid(
                "seen",
                "give at least one of seen, flagged, answered, junk",
            ));
        }
        let client = self.mail_client(&ctx).await?;
        client
            .mail_set_flags(args.message_id, &flags)
            .await
            .map_err(|e| mail_error(e, &format!("message {}", args.message_id)))?;
        let mut notes = Vec::new();
        if args.junk.is_some() {
            notes.push("junk is an IMAP keyword: a mail server that does not allow keywords drops it silently; check with nc_mail_get_message".into());
        }
        Ok(Json(FlagsSet {
            message_id: args.message_id,
            flags,
            notes,
        }))
    }

    /// Create a tag (or get the existing one with that name: its name and colour are kept).
    #[tool(
        name = "nc_mail_create_tag",
        input_schema = crate::tools::catalogue::input::<CreateTagArgs>(),
        output_schema = crate::tools::catalogue::output::<TagResult>(),
        annotations(
            title = "Create mail tag",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_create_tag(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateTagArgs>,
    ) -> Result<Json<TagResult>, ToolError> {
        let name = args.display_name.trim();
        if name.is_empty() || name.chars().count() > 128 {
            return Err(ToolError::invalid(
                "display_name",
                "give 1 to 128 characters",
            ));
        }
        if args.color.len() > 9 {
            return Err(ToolError::invalid("color", "give a colour such as #0082c9"));
        }
        let client = self.mail_client(&ctx).await?;
        let tag = client
            .mail_create_tag(name, &args.color)
            .await
            .map_err(|e| mail_error(e, "tag"))?;
        Ok(Json(TagResult {
            message_id: None,
            message: format!("tag `{}` ({})", tag.display_name, tag.imap_label),
            tag: Some(tag),
        }))
    }

    /// Put a tag on a message; a tag name that does not exist yet is created first. Mail's default tags (Important, Work, Personal, To Do, Later) are reused, not duplicated.
    #[tool(
        name = "nc_mail_set_tag",
        input_schema = crate::tools::catalogue::input::<TagArgs>(),
        output_schema = crate::tools::catalogue::output::<TagResult>(),
        annotations(
            title = "Tag mail message",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_set_tag(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<TagArgs>,
    ) -> Result<Json<TagResult>, ToolError> {
        let known = label_for(&args.tag)?;
        let client = self.mail_client(&ctx).await?;
        let label = match known.filter(|l| l.starts_with("$label")) {
            Some(label) => label,
            None if args.tag.trim().starts_with('$') => args.tag.trim().to_string(),
            None => {
                client
                    .mail_create_tag(args.tag.trim(), &default_color())
                    .await
                    .map_err(|e| mail_error(e, "tag"))?
                    .imap_label
            }
        };
        let tag = client
            .mail_tag_message(args.message_id, &label, true)
            .await
            .map_err(|e| mail_error(e, &format!("message {} or tag {label}", args.message_id)))?;
        Ok(Json(TagResult {
            message_id: Some(args.message_id),
            message: format!("message {} tagged {label}", args.message_id),
            tag,
        }))
    }

    /// Remove a tag from a message. Unknown tags are never created; removing a tag the message does not have changes nothing.
    #[tool(
        name = "nc_mail_remove_tag",
        input_schema = crate::tools::catalogue::input::<TagArgs>(),
        output_schema = crate::tools::catalogue::output::<TagResult>(),
        annotations(
            title = "Untag mail message",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_mail_remove_tag(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<TagArgs>,
    ) -> Result<Json<TagResult>, ToolError> {
        let Some(label) = label_for(&args.tag)? else {
            return Err(ToolError::invalid(
                "tag",
                "for a name with non-ASCII characters give the tag's IMAP label (e.g. $label1) as shown by nc_mail_create_tag",
            ));
        };
        let client = self.mail_client(&ctx).await?;
        match client
            .mail_tag_message(args.message_id, &label, false)
            .await
        {
            Ok(tag) => Ok(Json(TagResult {
                message_id: Some(args.message_id),
                message: format!("tag {label} removed from message {}", args.message_id),
                tag,
            })),
            // 403 [] is also Mail's answer for a tag that was never created: nothing to remove.
            Err(err) if is_not_found(&err) => {
                client
                    .mail_message(args.message_id)
                    .await
                    .map_err(|e| mail_error(e, &format!("message {}", args.message_id)))?;
                Ok(Json(TagResult {
                    message_id: Some(args.message_id),
                    tag: None,
                    message: format!("there is no tag {label}: nothing to remove"),
                }))
            }
            Err(err) => Err(mail_error(err, "tag")),
        }
    }

    /// Move a message to another mailbox (also of another account). The message gets a new id there; the result gives its RFC Message-ID to find it again.
    #[tool(
        name = "nc_mail_move_message",
        input_schema = crate::tools::catalogue::input::<MoveArgs>(),
        output_schema = crate::tools::catalogue::output::<Moved>(),
        annotations(
            title = "Move mail message",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_mail_move_message(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<MoveArgs>,
    ) -> Result<Json<Moved>, ToolError> {
        let client = self.mail_client(&ctx).await?;
        let (what, original) = original_message(&client, args.message_id).await?;
        client
            .mail_move(args.message_id, args.destination_mailbox_id)
            .await
            .map_err(|e| {
                mail_error(
                    e,
                    &format!("{what} or mailbox {}", args.destination_mailbox_id),
                )
            })?;
        Ok(Json(Moved {
            message_id: args.message_id,
            rfc_message_id: text(&original, "messageId"),
            subject: text(&original, "subject").unwrap_or_default(),
            destination_mailbox_id: Some(args.destination_mailbox_id),
            permanently_deleted: None,
            message: format!(
                "moved to mailbox {}; it has a new message id there (list that mailbox to find it)",
                args.destination_mailbox_id
            ),
        }))
    }

    /// Delete a message: it moves to the account's trash, or is removed for good when it already is in the trash (the result says which).
    #[tool(
        name = "nc_mail_delete_message",
        input_schema = crate::tools::catalogue::input::<DeleteArgs>(),
        output_schema = crate::tools::catalogue::output::<Moved>(),
        annotations(
            title = "Delete mail message",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_mail_delete_message(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<DeleteArgs>,
    ) -> Result<Json<Moved>, ToolError> {
        let client = self.mail_client(&ctx).await?;
        let (what, original) = original_message(&client, args.message_id).await?;
        let located = locate(&client, args.message_id).await?;
        client
            .mail_delete(args.message_id)
            .await
            .map_err(|e| mail_error(e, &what))?;
        let (permanently, destination, message) = match located {
            Some((account, mailbox)) if account.trash_mailbox_id == Some(mailbox) => (
                Some(true),
                None,
                "it was in the trash and is now permanently deleted".to_string(),
            ),
            Some((account, _)) => (
                Some(false),
                account.trash_mailbox_id,
                "moved to the trash (it has a new message id there)".to_string(),
            ),
            None => (
                None,
                None,
                "deleted: moved to the trash, or removed for good if it was already there"
                    .to_string(),
            ),
        };
        Ok(Json(Moved {
            message_id: args.message_id,
            rfc_message_id: text(&original, "messageId"),
            subject: text(&original, "subject").unwrap_or_default(),
            destination_mailbox_id: destination,
            permanently_deleted: permanently,
            message,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_labels() {
        assert_eq!(label_for("Important").unwrap().as_deref(), Some("$label1"));
        assert_eq!(label_for("AI Index").unwrap().as_deref(), Some("$ai_index"));
        assert_eq!(label_for("$label3").unwrap().as_deref(), Some("$label3"));
        assert_eq!(label_for("Käse").unwrap(), None);
        assert!(label_for(" ").is_err());
    }
}
