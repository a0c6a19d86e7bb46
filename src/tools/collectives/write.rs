//! Write tools: collectives (create, emoji, trash, restore, delete), pages (create with text,
//! update text, move/copy, trash with sub-pages, restore, delete from trash, emoji) and tags.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::emoji_arg;
use super::read::visible_page;
use super::views::*;
use crate::nextcloud::collectives::{Page, PageMove};
use crate::nextcloud::dav::normalize_path;
use crate::nextcloud::webdav::WritePrecondition;
use crate::nextcloud::{NextcloudClient, NextcloudError};
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Writes a page's Markdown over WebDAV at its own file; returns the new etag.
async fn write_text(
    client: &NextcloudClient,
    page: &Page,
    content: &str,
    precondition: &WritePrecondition,
) -> ToolResult<Option<String>> {
    let path = normalize_path(page.dav_path())
        .map_err(|e| ToolError::new(format!("page {}: unusable file path: {e}", page.id)))?;
    let put = client
        .files_put(
            &path,
            content.as_bytes().to_vec(),
            "text/markdown; charset=utf-8",
            precondition,
        )
        .await
        .map_err(|e| ToolError::new(format!("page {}: text not written: {e}", page.id)))?;
    Ok(put.etag)
}

/// Ids and titles of every page below `root` in `pages`.
fn descendants(pages: &[Page], root: i64) -> Vec<&Page> {
    let mut out: Vec<&Page> = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for page in pages
            .iter()
            .filter(|p| p.parent_id == parent && p.id != root)
        {
            if !out.iter().any(|o| o.id == page.id) {
                frontier.push(page.id);
                out.push(page);
            }
        }
    }
    out
}

fn restore_after_404(err: NextcloudError) -> ToolResult<()> {
    if err.status() == Some(404) {
        Ok(())
    } else {
        Err(err.into())
    }
}

#[tool_router(router = collectives_write_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Create a collective (and a Team of that name, or adopt the user's existing Team).
    #[tool(
        name = "collectives_create_collective",
        input_schema = crate::tools::catalogue::input::<CreateCollectiveArgs>(),
        output_schema = crate::tools::catalogue::output::<CollectiveResult>(),
        annotations(
            title = "Create collective",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_create_collective(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateCollectiveArgs>,
    ) -> Result<Json<CollectiveResult>, ToolError> {
        let name = args.name.trim();
        if name.is_empty() {
            return Err(ToolError::invalid("name", "must not be empty"));
        }
        let (client, _) = self.collectives_client(&ctx).await?;
        let (collective, info) = client
            .collective_create(name, emoji_arg(args.emoji.as_deref()))
            .await?;
        let message =
            info.unwrap_or_else(|| format!("Created collective \"{}\".", collective.name));
        Ok(Json(CollectiveResult {
            collective,
            message,
        }))
    }

    /// Set or clear a collective's emoji (Team admins only).
    #[tool(
        name = "collectives_set_collective_emoji",
        input_schema = crate::tools::catalogue::input::<CollectiveEmojiArgs>(),
        output_schema = crate::tools::catalogue::output::<CollectiveResult>(),
        annotations(
            title = "Set collective emoji",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_set_collective_emoji(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CollectiveEmojiArgs>,
    ) -> Result<Json<CollectiveResult>, ToolError> {
        let (client, _) = self.collectives_client(&ctx).await?;
        let emoji = emoji_arg(args.emoji.as_deref());
        let collective = client
            .collective_set_emoji(args.collective_id, emoji)
            .await?;
        let message = if emoji.is_some() {
            "Emoji set."
        } else {
            "Emoji cleared."
        };
        Ok(Json(CollectiveResult {
            collective,
            message: message.into(),
        }))
    }

    /// Move a collective to the trash (Team admins only); restorable.
    #[tool(
        name = "collectives_trash_collective",
        input_schema = crate::tools::catalogue::input::<CollectiveArgs>(),
        output_schema = crate::tools::catalogue::output::<CollectiveResult>(),
        annotations(
            title = "Trash collective",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_trash_collective(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CollectiveArgs>,
    ) -> Result<Json<CollectiveResult>, ToolError> {
        let (client, _) = self.collectives_client(&ctx).await?;
        let collective = client.collective_trash(args.collective_id).await?;
        Ok(Json(CollectiveResult {
            collective,
            message: "Moved to the trash with all its pages; restore it with collectives_restore_collective, or delete it for good with collectives_delete_collective.".into(),
        }))
    }

    /// Permanently delete a trashed collective with all its pages; irreversible.
    #[tool(
        name = "collectives_delete_collective",
        input_schema = crate::tools::catalogue::input::<DeleteCollectiveArgs>(),
        output_schema = crate::tools::catalogue::output::<CollectiveResult>(),
        annotations(
            title = "Delete collective",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_delete_collective(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<DeleteCollectiveArgs>,
    ) -> Result<Json<CollectiveResult>, ToolError> {
        let (client, _) = self.collectives_client(&ctx).await?;
        let collective = client
            .collective_delete(args.collective_id, args.delete_team)
            .await?;
        let team = if args.delete_team {
            " Its Team was deleted too."
        } else {
            " Its Team was kept."
        };
        Ok(Json(CollectiveResult {
            collective,
            message: format!("Deleted for good with all its pages.{team}"),
        }))
    }

    /// Restore a trashed collective.
    #[tool(
        name = "collectives_restore_collective",
        input_schema = crate::tools::catalogue::input::<CollectiveArgs>(),
        output_schema = crate::tools::catalogue::output::<CollectiveResult>(),
        annotations(
            title = "Restore collective",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_restore_collective(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CollectiveArgs>,
    ) -> Result<Json<CollectiveResult>, ToolError> {
        let (client, _) = self.collectives_client(&ctx).await?;
        match client.collective_restore(args.collective_id).await {
            Ok(collective) => Ok(Json(CollectiveResult {
                collective,
                message: "Restored.".into(),
            })),
            Err(err) => {
                // Not in the trash: already restored (a repeated call) if the user has it.
                let original = err.to_string();
                restore_after_404(err)?;
                let active = client.collectives().await?;
                let collective = active
                    .into_iter()
                    .find(|c| c.id == args.collective_id)
                    .ok_or_else(|| ToolError::new(original))?;
                Ok(Json(CollectiveResult {
                    collective,
                    message: "Not in the trash: the collective is already active.".into(),
                }))
            }
        }
    }

    /// Create a page below a parent page, optionally with its Markdown text.
    #[tool(
        name = "collectives_create_page",
        input_schema = crate::tools::catalogue::input::<CreatePageArgs>(),
        output_schema = crate::tools::catalogue::output::<PageResult>(),
        annotations(
            title = "Create collective page",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_create_page(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreatePageArgs>,
    ) -> Result<Json<PageResult>, ToolError> {
        let title = args.title.trim();
        if title.is_empty() {
            return Err(ToolError::invalid("title", "must not be empty"));
        }
        let (client, filter) = self.collectives_client(&ctx).await?;
        visible_page(&client, &filter, args.collective_id, args.parent_id).await?;
        let page = client
            .collective_page_create(args.collective_id, args.parent_id, title)
            .await?;
        let mut message = format!("Created page {} \"{}\".", page.id, page.title);
        if page.title != title {
            message.push_str(&format!(
                " A page titled \"{title}\" already existed there, so the app named it \"{}\".",
                page.title
            ));
        }
        let etag = match args.content.as_deref().filter(|c| !c.is_empty()) {
            Some(content) => {
                Some(write_text(&client, &page, content, &WritePrecondition::Any).await?)
            }
            None => None,
        }
        .flatten();
        let page = client.collective_page(args.collective_id, page.id).await?;
        Ok(Json(PageResult {
            page,
            message,
            etag,
        }))
    }

    /// Replace a page's Markdown text (read it first with collectives_get_page for the etag).
    #[tool(
        name = "collectives_update_page",
        input_schema = crate::tools::catalogue::input::<UpdatePageArgs>(),
        output_schema = crate::tools::catalogue::output::<PageResult>(),
        annotations(
            title = "Update collective page text",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_update_page(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdatePageArgs>,
    ) -> Result<Json<PageResult>, ToolError> {
        if args.etag.trim().is_empty() {
            return Err(ToolError::invalid(
                "etag",
                "give the etag from collectives_get_page",
            ));
        }
        let (client, filter) = self.collectives_client(&ctx).await?;
        let page = visible_page(&client, &filter, args.collective_id, args.page_id).await?;
        let precondition = WritePrecondition::Match(args.etag.trim().to_string());
        let etag = write_text(&client, &page, &args.content, &precondition).await?;
        let page = client.collective_page(args.collective_id, page.id).await?;
        Ok(Json(PageResult {
            message: format!("Text of page {} replaced.", page.id),
            page,
            etag,
        }))
    }

    /// Move, rename or copy a page within its collective (sub-pages move along).
    #[tool(
        name = "collectives_move_page",
        input_schema = crate::tools::catalogue::input::<MovePageArgs>(),
        output_schema = crate::tools::catalogue::output::<PageResult>(),
        annotations(
            title = "Move collective page",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_move_page(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<MovePageArgs>,
    ) -> Result<Json<PageResult>, ToolError> {
        let (client, filter) = self.collectives_client(&ctx).await?;
        let page = visible_page(&client, &filter, args.collective_id, args.page_id).await?;
        filter.check_tree(&page)?;
        if let Some(parent) = args.parent_id {
            visible_page(&client, &filter, args.collective_id, parent).await?;
        }
        let title = args
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let change = PageMove {
            parent_id: args.parent_id,
            title: title.map(str::to_string),
            index: args.index,
            copy: args.copy,
        };
        let moved = client
            .collective_page_move(args.collective_id, page.id, &change)
            .await?;
        let message = if args.copy {
            format!("Copied page {} as new page {}.", page.id, moved.id)
        } else {
            format!("Moved page {}.", moved.id)
        };
        Ok(Json(PageResult {
            page: moved,
            message,
            etag: None,
        }))
    }

    /// Move a page to the collective's trash; its sub-pages go with it. Restorable.
    #[tool(
        name = "collectives_trash_page",
        input_schema = crate::tools::catalogue::input::<PageArgs>(),
        output_schema = crate::tools::catalogue::output::<PageResult>(),
        annotations(
            title = "Trash collective page",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_trash_page(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageArgs>,
    ) -> Result<Json<PageResult>, ToolError> {
        let (client, filter) = self.collectives_client(&ctx).await?;
        let page = visible_page(&client, &filter, args.collective_id, args.page_id).await?;
        filter.check_tree(&page)?;
        let pages = client.collective_pages(args.collective_id).await?;
        let below: Vec<String> = descendants(&pages, page.id)
            .iter()
            .map(|p| format!("{} \"{}\"", p.id, p.title))
            .collect();
        let trashed = match client
            .collective_page_trash(args.collective_id, page.id)
            .await
        {
            Ok(trashed) => trashed,
            // Collectives can answer 500 after the page was trashed (nextcloud/collectives#2545):
            // the trash tells whether it happened.
            Err(err) if err.status().is_some_and(|s| s >= 500) => client
                .collective_pages_trash(args.collective_id)
                .await?
                .into_iter()
                .find(|p| p.id == page.id)
                .ok_or(err)?,
            Err(err) => return Err(err.into()),
        };
        let mut message = if trashed.trash_timestamp.is_some() {
            format!(
                "Page {} moved to the trash; restore it with collectives_restore_page.",
                page.id
            )
        } else {
            format!(
                "Page {} was deleted for good: the collective's trash is disabled on this server.",
                page.id
            )
        };
        if !below.is_empty() {
            message.push_str(&format!(
                " Its {} sub-page(s) went with it: {}.",
                below.len(),
                below.join(", ")
            ));
        }
        Ok(Json(PageResult {
            page: trashed,
            message,
            etag: None,
        }))
    }

    /// Restore a trashed page (same id), with the sub-pages trashed along with it.
    #[tool(
        name = "collectives_restore_page",
        input_schema = crate::tools::catalogue::input::<PageArgs>(),
        output_schema = crate::tools::catalogue::output::<PageResult>(),
        annotations(
            title = "Restore collective page",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_restore_page(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageArgs>,
    ) -> Result<Json<PageResult>, ToolError> {
        let (client, filter) = self.collectives_trash_client(&ctx).await?;
        // Checked before restoring: restoring a hidden page would move a hidden file.
        let trash = client.collective_pages_trash(args.collective_id).await?;
        if let Some(trashed) = filter.check_trashed(&trash, args.page_id)? {
            filter.check_trashed_along(&client, &trashed).await?;
        }
        let page = client
            .collective_page_restore(args.collective_id, args.page_id)
            .await?;
        filter.check(&page)?;
        Ok(Json(PageResult {
            message: format!("Page {} restored.", page.id),
            page,
            etag: None,
        }))
    }

    /// Permanently delete a page that is in the collective's trash; irreversible.
    #[tool(
        name = "collectives_delete_trashed_page",
        input_schema = crate::tools::catalogue::input::<PageArgs>(),
        output_schema = crate::tools::catalogue::output::<Deleted>(),
        annotations(
            title = "Delete trashed page",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_delete_trashed_page(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageArgs>,
    ) -> Result<Json<Deleted>, ToolError> {
        let (client, filter) = self.collectives_trash_client(&ctx).await?;
        let trash = client.collective_pages_trash(args.collective_id).await?;
        if let Some(trashed) = filter.check_trashed(&trash, args.page_id)? {
            filter.check_trashed_along(&client, &trashed).await?;
        }
        client
            .collective_page_delete(args.collective_id, args.page_id)
            .await?;
        Ok(Json(Deleted {
            message: format!(
                "Page {} and its sub-pages were deleted for good.",
                args.page_id
            ),
        }))
    }

    /// Set or clear a page's emoji.
    #[tool(
        name = "collectives_set_page_emoji",
        input_schema = crate::tools::catalogue::input::<PageEmojiArgs>(),
        output_schema = crate::tools::catalogue::output::<PageResult>(),
        annotations(
            title = "Set page emoji",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_set_page_emoji(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageEmojiArgs>,
    ) -> Result<Json<PageResult>, ToolError> {
        let (client, filter) = self.collectives_client(&ctx).await?;
        visible_page(&client, &filter, args.collective_id, args.page_id).await?;
        let emoji = emoji_arg(args.emoji.as_deref());
        let page = client
            .collective_page_emoji(args.collective_id, args.page_id, emoji)
            .await?;
        let message = if emoji.is_some() {
            "Emoji set."
        } else {
            "Emoji cleared."
        };
        Ok(Json(PageResult {
            page,
            message: message.into(),
            etag: None,
        }))
    }

    /// Create a tag in a collective (colour: six hex digits, optional).
    #[tool(
        name = "collectives_create_tag",
        input_schema = crate::tools::catalogue::input::<CreateTagArgs>(),
        output_schema = crate::tools::catalogue::output::<TagResult>(),
        annotations(
            title = "Create collective tag",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_create_tag(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateTagArgs>,
    ) -> Result<Json<TagResult>, ToolError> {
        let name = args.name.trim();
        if name.is_empty() {
            return Err(ToolError::invalid("name", "must not be empty"));
        }
        let color = args.color.as_deref().unwrap_or("").trim();
        let color = color.strip_prefix('#').unwrap_or(color);
        let (client, _) = self.collectives_client(&ctx).await?;
        let tag = client
            .collective_tag_create(args.collective_id, name, color)
            .await?;
        Ok(Json(TagResult { tag }))
    }

    /// Add a tag (by id) to a page.
    #[tool(
        name = "collectives_assign_tag",
        input_schema = crate::tools::catalogue::input::<PageTagArgs>(),
        output_schema = crate::tools::catalogue::output::<PageResult>(),
        annotations(
            title = "Assign tag to page",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_assign_tag(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageTagArgs>,
    ) -> Result<Json<PageResult>, ToolError> {
        self.collectives_tag(ctx, args, true).await
    }

    /// Remove a tag (by id) from a page.
    #[tool(
        name = "collectives_remove_tag",
        input_schema = crate::tools::catalogue::input::<PageTagArgs>(),
        output_schema = crate::tools::catalogue::output::<PageResult>(),
        annotations(
            title = "Remove tag from page",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_remove_tag(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageTagArgs>,
    ) -> Result<Json<PageResult>, ToolError> {
        self.collectives_tag(ctx, args, false).await
    }
}

impl NextcloudMcp {
    async fn collectives_tag(
        &self,
        ctx: RequestContext<RoleServer>,
        args: PageTagArgs,
        add: bool,
    ) -> ToolResult<Json<PageResult>> {
        let (client, filter) = self.collectives_client(&ctx).await?;
        visible_page(&client, &filter, args.collective_id, args.page_id).await?;
        let page = client
            .collective_page_tag(args.collective_id, args.page_id, args.tag_id, add)
            .await?;
        let message = if add {
            format!("Tag {} assigned.", args.tag_id)
        } else {
            format!("Tag {} removed.", args.tag_id)
        };
        Ok(Json(PageResult {
            page,
            message,
            etag: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nextcloud::collectives::page_from;
    use serde_json::json;

    fn page(id: i64, parent: i64) -> Page {
        page_from(&json!({"id": id, "parentId": parent, "title": format!("p{id}")})).unwrap()
    }

    #[test]
    fn descendants_are_every_page_below_not_siblings() {
        let pages = vec![page(1, 0), page(2, 1), page(3, 2), page(4, 3), page(5, 1)];
        let mut below: Vec<i64> = descendants(&pages, 2).iter().map(|p| p.id).collect();
        below.sort();
        assert_eq!(below, vec![3, 4]);
        assert!(descendants(&pages, 5).is_empty());
    }
}
