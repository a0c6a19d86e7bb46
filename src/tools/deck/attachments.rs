//! Attachments: deck_attach_file and deck_attach_note (a Deck share, shareType 12, of the
//! user's file), deck_list_attachments, deck_delete_attachment.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CardRef, Done};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::deck::{Attachment, Card, Stack};
use crate::tools::files::hidden::{Hidden, norm_item};
use crate::tools::notes_exclusion::NotesExclusion;
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Arguments of deck_attach_file.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AttachFileArgs {
    /// Card id.
    pub card_id: i64,
    /// Path of the file in the user's Nextcloud files, e.g. /Documents/report.pdf.
    pub path: String,
}

/// Arguments of deck_attach_note.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AttachNoteArgs {
    /// Card id.
    pub card_id: i64,
    /// Note id (from the Notes tools).
    pub note_id: i64,
}

/// Arguments of deck_delete_attachment.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteAttachmentArgs {
    /// Board id.
    pub board_id: i64,
    /// Stack id the card is in.
    pub stack_id: i64,
    /// Card id.
    pub card_id: i64,
    /// Attachment id (from deck_list_attachments).
    pub attachment_id: i64,
}

/// Result of attaching a file or note.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Attached {
    /// Card id.
    pub card_id: i64,
    /// Path of the attached file.
    pub path: String,
    /// Id of the Deck share that makes it an attachment.
    pub share_id: Option<String>,
    /// What was done.
    pub message: String,
}

/// Result of deck_list_attachments.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AttachmentList {
    /// Card id.
    pub card_id: i64,
    /// Attachments (deleted ones left out).
    pub attachments: Vec<Attachment>,
    /// Number listed.
    pub total: usize,
}

/// A user file path for sharing: `/`-rooted, normalised like every Files path (no `..`,
/// backslashes folded, spaces at the start or end of a name kept).
pub(crate) fn file_path_arg(arg: &str, path: &str) -> ToolResult<String> {
    let normal = norm_item(arg, path)?;
    Ok(format!("/{normal}"))
}

/// A `file` attachment is a share of a user file: Deck's extendedData names its path and file id.
fn attachment_hidden(hidden: &Hidden, attachment: &Attachment) -> bool {
    let data = &attachment.extended_data;
    let by_id = data
        .get("fileid")
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .is_some_and(|id| hidden.is_hidden_id(id));
    let by_path = data
        .get("path")
        .and_then(Value::as_str)
        .is_some_and(|p| hidden.is_hidden(p));
    by_id || by_path
}

/// Whether deck_list_attachments shows an attachment: not deleted, not a share of a hidden file.
fn listed(hidden: &Hidden, attachment: &Attachment) -> bool {
    attachment.deleted_at == 0 && !attachment_hidden(hidden, attachment)
}

impl NextcloudMcp {
    /// The card as a tool gives it. Deck's `attachmentCount` counts every attachment, shares of
    /// files this server hides (`toolsets.files.excluded_tags`) included: when files can be
    /// hidden and the card has attachments, the count becomes that of the attachments
    /// deck_list_attachments shows (one more request).
    pub(crate) async fn with_visible_attachment_count(
        &self,
        client: &NextcloudClient,
        board_id: i64,
        mut card: Card,
    ) -> ToolResult<Card> {
        if card.attachment_count == 0 || !self.hides_files() {
            return Ok(card);
        }
        let hidden = Hidden::load(self, client).await?;
        count_visible(client, &hidden, board_id, &mut card).await?;
        Ok(card)
    }

    /// [`Self::with_visible_attachment_count`] for every card of stacks read whole (the Deck
    /// resources): the hidden items are resolved once, then one request per card that has
    /// attachments.
    pub(crate) async fn with_visible_attachment_counts(
        &self,
        client: &NextcloudClient,
        board_id: i64,
        stacks: &mut [Stack],
    ) -> ToolResult<()> {
        let has_attachments = |c: &Card| c.attachment_count > 0;
        if !self.hides_files() || !stacks.iter().any(|s| s.cards.iter().any(has_attachments)) {
            return Ok(());
        }
        let hidden = Hidden::load(self, client).await?;
        for stack in stacks.iter_mut() {
            for card in stack.cards.iter_mut() {
                if has_attachments(card) {
                    count_visible(client, &hidden, board_id, card).await?;
                }
            }
        }
        Ok(())
    }
}

/// Replaces Deck's attachment count of `card` by the number of attachments deck_list_attachments shows.
async fn count_visible(
    client: &NextcloudClient,
    hidden: &Hidden,
    board_id: i64,
    card: &mut Card,
) -> ToolResult<()> {
    let attachments = client
        .deck_attachments(board_id, card.stack_id, card.id)
        .await?;
    let visible = attachments.iter().filter(|a| listed(hidden, a)).count();
    card.attachment_count = i64::try_from(visible).unwrap_or(i64::MAX);
    Ok(())
}

fn share_id(share: &Value) -> Option<String> {
    match share.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

#[tool_router(router = deck_attachments_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Attach a file from the user's Nextcloud files to a card (Deck shares the file with the card; the file stays where it is).
    #[tool(
        name = "deck_attach_file",
        input_schema = crate::tools::catalogue::input::<AttachFileArgs>(),
        output_schema = crate::tools::catalogue::output::<Attached>(),
        annotations(
            title = "Attach file to Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_attach_file(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<AttachFileArgs>,
    ) -> Result<Json<Attached>, ToolError> {
        let path = file_path_arg("path", &args.path)?;
        let client = self.deck_client(&ctx).await?;
        // A Deck attachment is a share: a hidden file (or a folder holding one) is never shared.
        Hidden::load(self, &client)
            .await?
            .check_tree("path", &path)?;
        let share = client
            .deck_share_file_with_card(&path, args.card_id)
            .await?;
        Ok(Json(Attached {
            card_id: args.card_id,
            share_id: share_id(&share),
            message: format!("{path} attached to card {}", args.card_id),
            path,
        }))
    }

    /// Attach a note (from the Notes app) to a card: finds the note's file and shares it with the card.
    #[tool(
        name = "deck_attach_note",
        input_schema = crate::tools::catalogue::input::<AttachNoteArgs>(),
        output_schema = crate::tools::catalogue::output::<Attached>(),
        annotations(
            title = "Attach note to Deck card",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_attach_note(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<AttachNoteArgs>,
    ) -> Result<Json<Attached>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let exclusion = NotesExclusion::load(self, &client).await?;
        let note = client.notes_get(args.note_id).await?;
        exclusion.check(&note)?;
        let settings = client.deck_notes_settings().await?;
        let folder = settings
            .get("notesPath")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or("Notes");
        let suffix = settings
            .get("fileSuffix")
            .and_then(Value::as_str)
            .filter(|s| s.starts_with('.'))
            .unwrap_or(".md");
        let mut raw = format!("{folder}/");
        if !note.category.trim().is_empty() {
            raw.push_str(note.category.trim_matches('/'));
            raw.push('/');
        }
        raw.push_str(&note.title);
        raw.push_str(suffix);
        let path = file_path_arg("note_id", &raw)?;
        exclusion.check_attachment(&path)?;
        let share = client
            .deck_share_file_with_card(&path, args.card_id)
            .await?;
        Ok(Json(Attached {
            card_id: args.card_id,
            share_id: share_id(&share),
            message: format!(
                "note {} ({path}) attached to card {}",
                args.note_id, args.card_id
            ),
            path,
        }))
    }

    /// List a card's attachments: id, type, file name, size and MIME type.
    #[tool(
        name = "deck_list_attachments",
        input_schema = crate::tools::catalogue::input::<CardRef>(),
        output_schema = crate::tools::catalogue::output::<AttachmentList>(),
        annotations(
            title = "List Deck card attachments",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_list_attachments(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CardRef>,
    ) -> Result<Json<AttachmentList>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let hidden = Hidden::load(self, &client).await?;
        let attachments: Vec<Attachment> = client
            .deck_attachments(args.board_id, args.stack_id, args.card_id)
            .await?
            .into_iter()
            .filter(|a| listed(&hidden, a))
            .collect();
        Ok(Json(AttachmentList {
            card_id: args.card_id,
            total: attachments.len(),
            attachments,
        }))
    }

    /// Remove an attachment from a card (a shared file stays in its owner's files).
    #[tool(
        name = "deck_delete_attachment",
        input_schema = crate::tools::catalogue::input::<DeleteAttachmentArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Delete Deck card attachment",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_delete_attachment(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<DeleteAttachmentArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.deck_client(&ctx).await?;
        let hidden = Hidden::load(self, &client).await?;
        let attachments = client
            .deck_attachments(args.board_id, args.stack_id, args.card_id)
            .await?;
        // A hidden file's attachment is not listed, so it does not exist here either.
        let Some(found) = attachments
            .iter()
            .find(|a| a.id == args.attachment_id && !attachment_hidden(&hidden, a))
        else {
            return Err(ToolError::invalid(
                "attachment_id",
                format!(
                    "card {} has no attachment {}; list them with deck_list_attachments",
                    args.card_id, args.attachment_id
                ),
            ));
        };
        let kind = if found.attachment_type.is_empty() {
            "file"
        } else {
            found.attachment_type.as_str()
        };
        client
            .deck_delete_attachment(
                args.board_id,
                args.stack_id,
                args.card_id,
                args.attachment_id,
                kind,
            )
            .await?;
        Ok(Json(Done::ok(format!(
            "attachment {} removed from card {}",
            args.attachment_id, args.card_id
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_checked() {
        assert_eq!(
            file_path_arg("p", "Documents\\a.pdf").unwrap(),
            "/Documents/a.pdf"
        );
        assert_eq!(file_path_arg("p", "//x/./y.txt").unwrap(), "/x/y.txt");
        assert!(file_path_arg("p", "/a/../b").is_err());
        assert!(file_path_arg("p", "/").is_err());
        assert_eq!(file_path_arg("p", "/ a.txt ").unwrap(), "/ a.txt ");
    }
}
