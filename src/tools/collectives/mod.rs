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

use super::files::hidden::Hidden;
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
        let tags = &self.settings.files.excluded_tags;
        if !tags.is_empty() {
            filter.tagged_anywhere = client
                .file_ids_tagged_anywhere(tags)
                .await
                .map_err(|e| {
                    ToolError::new(format!(
                        "cannot check the excluded tags of trashed pages, so nothing in the trash is shown: {e}"
                    ))
                })?
                .ok_or_else(|| {
                    ToolError::new(
                        "this Nextcloud does not tell which trashed pages carry the tags in toolsets.files.excluded_tags (it needs Nextcloud 31 or later), so the page trash is not available through this server; use the Collectives web interface",
                    )
                })?;
        }
        Ok((client, filter))
    }
}

/// `toolsets.files.excluded_tags` as it applies to pages: a page is a Markdown file (its id is
/// the file id), so a tagged page file, or a page below a tagged folder, does not exist here.
pub(crate) struct PageFilter {
    hidden: Hidden,
    /// File ids carrying an excluded tag anywhere, also outside the user's files (filled for
    /// the page trash only).
    tagged_anywhere: std::collections::HashSet<i64>,
}

impl PageFilter {
    /// True when the page's file carries an excluded tag or lies in a hidden folder (for a
    /// trashed page: its file, or the folder it was trashed from).
    pub fn is_hidden(&self, page: &Page) -> bool {
        self.hidden.is_hidden_id(page.id)
            || self.tagged_anywhere.contains(&page.id)
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

    /// Refuses a page that is hidden or, for an index page, whose folder holds hidden
    /// sub-pages or files (trashing, moving or copying it would take them along).
    pub fn check_tree(&self, page: &Page) -> ToolResult<()> {
        self.check(page)?;
        if let Some(folder) = page.folder()
            && self.hidden.contains_hidden(folder)
        {
            return Err(ToolError::new(format!(
                "page {} is not available for this: its sub-pages include items this server hides by configuration (toolsets.files.excluded_tags)",
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
