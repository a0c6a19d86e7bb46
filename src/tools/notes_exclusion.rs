//! `toolsets.files.excluded_tags` for Notes: on Nextcloud a note is a file in the Notes folder
//! (its id is the file id) and its attachments are files beside it, so the same exclusion as
//! in Files applies to every Notes tool, the Notes resources and Deck's attach-note.

use super::files::hidden::Hidden;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::notes::{Note, NotesSettings};

/// The exclusion as it applies to notes, resolved once per call.
#[derive(Debug, Default)]
pub struct NotesExclusion {
    hidden: Hidden,
    /// Known only when something is hidden (no extra request otherwise).
    settings: Option<NotesSettings>,
}

impl NotesExclusion {
    /// Resolves the excluded tags and, when anything carries them, where the notes live.
    pub async fn load(host: &NextcloudMcp, client: &NextcloudClient) -> ToolResult<Self> {
        let hidden = Hidden::load(host, client).await?;
        let settings = if hidden.is_active() {
            Some(client.notes_settings().await?)
        } else {
            None
        };
        Ok(Self { hidden, settings })
    }

    /// True when something carries an excluded tag.
    pub fn is_active(&self) -> bool {
        self.settings.is_some()
    }

    /// True when the note's file carries an excluded tag or lies in a hidden folder.
    pub fn is_hidden(&self, note_id: i64, category: &str) -> bool {
        let Some(settings) = &self.settings else {
            return false;
        };
        self.hidden.is_hidden_id(note_id)
            || self
                .hidden
                .is_hidden(&NextcloudClient::notes_folder(settings, category))
    }

    /// Refuses a hidden note.
    pub fn check(&self, note: &Note) -> ToolResult<()> {
        if self.is_hidden(note.id, &note.category) {
            return Err(hidden_note(note.id));
        }
        Ok(())
    }

    /// Refuses a category whose folder is hidden (creating or moving a note there).
    pub fn check_category(&self, category: &str) -> ToolResult<()> {
        if let Some(settings) = &self.settings {
            let folder = NextcloudClient::notes_folder(settings, category);
            self.hidden.check("category", &folder)?;
        }
        Ok(())
    }

    /// Refuses moving or deleting the attachment folder of note `note_id` in `category` when
    /// the folder is hidden or holds hidden items: like a Files move or delete of such a
    /// folder, nothing hidden is moved or deleted through another app. `action` says what
    /// was refused ("moved to another category", "deleted").
    pub fn check_attachment_dir(
        &self,
        note_id: i64,
        category: &str,
        action: &str,
    ) -> ToolResult<()> {
        let Some(settings) = &self.settings else {
            return Ok(());
        };
        let dir = NextcloudClient::notes_attachment_dir(settings, category, note_id);
        if self.hidden.is_hidden(&dir) || self.hidden.contains_hidden(&dir) {
            return Err(ToolError::new(format!(
                "note {note_id} is not {action}: its attachment folder holds items this server hides by configuration (toolsets.files.excluded_tags), and they would go with it; nothing was changed"
            )));
        }
        Ok(())
    }

    /// Refuses an attachment that is hidden itself (or its attachment folder is).
    pub fn check_attachment(&self, path: &str) -> ToolResult<()> {
        self.hidden.check("attachment_filename", path)
    }
}

/// The error for a hidden note: the same words whatever the reason, so nothing leaks.
pub fn hidden_note(id: i64) -> ToolError {
    ToolError::new(format!(
        "note {id} is not available: this server hides it by configuration (toolsets.files.excluded_tags)"
    ))
}
