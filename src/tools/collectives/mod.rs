//! Collectives toolset: collectives, the page tree, page text (over WebDAV at the page's own
//! file, which the reference server cannot write), search, tags and both trashes. Names and
//! arguments match the reference server's `collectives_*` tools; `collectives_update_page`
//! and `collectives_delete_trashed_page` are ours.

mod read;
mod views;
mod write;

use rmcp::RoleServer;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::service::RequestContext;

use std::collections::HashSet;

use super::files::hidden::Hidden;
use super::files::trash_check::{Contents, TrashCheck, tagged_anywhere};
use super::support::require_probed_app;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::collectives::{PROBE_PATH, Page};

/// Largest page text read (bytes).
pub(crate) const MAX_PAGE_BYTES: u64 = 2 * 1024 * 1024;

impl NextcloudMcp {
    /// Every Collectives tool.
    pub fn collectives_router() -> ToolRouter<NextcloudMcp> {
        let mut router = Self::collectives_read_router();
        router.merge(Self::collectives_write_router());
        router
    }

    /// The caller's client, once the Collectives app is known to be there for them, and the
    /// `excluded_tags` rule resolved for this call.
    pub(crate) async fn collectives_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<(NextcloudClient, PageFilter)> {
        let client = self.client(ctx)?;
        require_probed_app(&client, "collectives", "Collectives", PROBE_PATH).await?;
        let hidden = Hidden::load(self, &client).await?;
        Ok((
            client,
            PageFilter {
                hidden,
                tagged_anywhere: Default::default(),
            },
        ))
    }

    /// As [`Self::collectives_client`], for the page trash: a trashed page's file has left the
    /// user's files, so its own tags are looked up by file id wherever it is.
    pub(crate) async fn collectives_trash_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<(NextcloudClient, PageFilter)> {
        let (client, mut filter) = self.collectives_client(ctx).await?;
        filter.tagged_anywhere = tagged_anywhere(self, &client, "the page trash").await?;
        Ok((client, filter))
    }
}

/// `toolsets.files.excluded_tags` as it applies to pages: a page is a Markdown file (its id is
/// the file id), so a tagged page file, or a page below a tagged folder, does not exist here.
pub(crate) struct PageFilter {
    hidden: Hidden,
    /// File ids carrying an excluded tag anywhere, also outside the user's files (for the page
    /// trash only; `None` elsewhere and when no tags are excluded).
    tagged_anywhere: Option<HashSet<i64>>,
}

impl PageFilter {
    /// True when the page's file carries an excluded tag or lies in a hidden folder (for a
    /// trashed page: its file, or the folder it was trashed from).
    pub fn is_hidden(&self, page: &Page) -> bool {
        self.hidden.is_hidden_id(page.id)
            || self
                .tagged_anywhere
                .as_ref()
                .is_some_and(|ids| ids.contains(&page.id))
            || self.hidden.is_hidden(page.dav_path())
    }

    /// The trashed page `page_id` of this trash listing, refused when hidden (restoring or
    /// deleting it would move or delete a hidden file); None when it is not in the trash.
    pub fn check_trashed(&self, trash: &[Page], page_id: i64) -> ToolResult<Option<Page>> {
        match trash.iter().find(|p| p.id == page_id) {
            Some(page) if self.is_hidden(page) => Err(hidden_page(page.id)),
            found => Ok(found.cloned()),
        }
    }

    /// Drops hidden pages from a list.
    pub fn visible(&self, pages: Vec<Page>) -> Vec<Page> {
        pages.into_iter().filter(|p| !self.is_hidden(p)).collect()
    }

    /// Refuses a hidden page.
    pub fn check(&self, page: &Page) -> ToolResult<()> {
        if self.is_hidden(page) {
            return Err(hidden_page(page.id));
        }
        Ok(())
    }

    /// Refuses to restore or delete a trashed page when that would take hidden items along
    /// (checked before anything moves). Collectives' page trash is one of the trash bin's
    /// backends, so Nextcloud's trash bin shows what was trashed with the page: an index page's
    /// folder with every sub-page and file below it, and the page's attachments folder
    /// (`.attachments.<id>`). A folder page trashed in the web interface was never checked on
    /// its way in, hence this look inside.
    pub async fn check_trashed_along(
        &self,
        client: &NextcloudClient,
        page: &Page,
    ) -> ToolResult<()> {
        let Some(tagged) = self.tagged_anywhere.as_ref() else {
            return Ok(());
        };
        let check = TrashCheck::new(&self.hidden, Some(tagged));
        let attachments = format!(".attachments.{}", page.id);
        let mut folder_found = !page.is_index();
        for entry in client.trash_list().await? {
            let along = if entry.name == attachments {
                true
            } else if !folder_found && entry.kind == "directory" && entry.name == page.title {
                // The page's folder is the one whose Readme.md is the page.
                let children = client.trash_folder_children(&entry.href).await?;
                folder_found = children.iter().any(|c| c.file_id == Some(page.id));
                folder_found
            } else {
                false
            };
            if !along {
                continue;
            }
            let contents = if check.carries_tag(&entry) {
                Contents::Hidden
            } else {
                check.contents(client, &entry).await?
            };
            match contents {
                Contents::Clear => {}
                Contents::Hidden => {
                    return Err(ToolError::new(format!(
                        "page {} is not available for this: its sub-pages or attachments include items this server hides by configuration (toolsets.files.excluded_tags)",
                        page.id
                    )));
                }
                Contents::TooLarge => {
                    return Err(ToolError::new(format!(
                        "page {} has too many sub-page folders in the trash to check against toolsets.files.excluded_tags; restore or delete it in the Collectives web interface",
                        page.id
                    )));
                }
            }
        }
        if !folder_found {
            return Err(ToolError::new(format!(
                "page {}'s folder was not found in the trash bin, so its sub-pages cannot be checked against toolsets.files.excluded_tags; restore or delete it in the Collectives web interface",
                page.id
            )));
        }
        Ok(())
    }

    /// Refuses a page that is hidden, whose attachments folder holds hidden files or, for an
    /// index page, whose folder holds hidden sub-pages or files (trashing, moving or copying it
    /// would take them along).
    pub fn check_tree(&self, page: &Page) -> ToolResult<()> {
        self.check(page)?;
        let attachments = page.attachments_folder();
        if page
            .folder()
            .is_some_and(|folder| self.hidden.contains_hidden(folder))
            || self.hidden.is_hidden(&attachments)
            || self.hidden.contains_hidden(&attachments)
        {
            return Err(ToolError::new(format!(
                "page {} is not available for this: its sub-pages or attachments include items this server hides by configuration (toolsets.files.excluded_tags)",
                page.id
            )));
        }
        Ok(())
    }
}

/// The error for a hidden page: the same words whatever the reason, so nothing leaks.
pub(crate) fn hidden_page(id: i64) -> ToolError {
    ToolError::new(format!(
        "page {id} is not available: this server hides it by configuration (toolsets.files.excluded_tags)"
    ))
}

/// Normalises an emoji argument: empty or blank clears it.
pub(crate) fn emoji_arg(emoji: Option<&str>) -> Option<&str> {
    emoji.map(str::trim).filter(|e| !e.is_empty())
}
