//! Read tools: collectives, the page tree, one page with its text, search, tags, trashes.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::views::*;
use super::{MAX_PAGE_BYTES, PageFilter};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::collectives::Page;
use crate::nextcloud::dav::normalize_path;
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Most results of a search.
const MAX_SEARCH_RESULTS: usize = 50;

/// Reads a page's Markdown over WebDAV at its own file.
pub(crate) async fn page_text(
    client: &NextcloudClient,
    page: &Page,
) -> ToolResult<(String, Option<String>)> {
    let path = normalize_path(page.dav_path())
        .map_err(|e| ToolError::new(format!("page {}: unusable file path: {e}", page.id)))?;
    let download = client.files_get(&path, MAX_PAGE_BYTES).await.map_err(|e| {
        ToolError::new(format!(
            "page {} metadata was read, but its text could not be: {e}",
            page.id
        ))
    })?;
    Ok((
        String::from_utf8_lossy(&download.bytes).into_owned(),
        download.etag,
    ))
}

/// A visible page of the collective, or the app's own error (or the hidden-page error).
pub(crate) async fn visible_page(
    client: &NextcloudClient,
    filter: &PageFilter,
    collective: i64,
    page: i64,
) -> ToolResult<Page> {
    let page = client.collective_page(collective, page).await?;
    filter.check(&page)?;
    Ok(page)
}

#[tool_router(router = collectives_read_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the user's collectives (not trashed): id, name, emoji, Team level, can_edit.
    #[tool(
        name = "collectives_get_collectives",
        output_schema = crate::tools::catalogue::output::<CollectiveList>(),
        annotations(
            title = "List collectives",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_get_collectives(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<CollectiveList>, ToolError> {
        let (client, _) = self.collectives_client(&ctx).await?;
        let collectives = client.collectives().await?;
        Ok(Json(CollectiveList {
            count: collectives.len(),
            collectives,
        }))
    }

    /// List a collective's page tree (no text): id, title, parent_id, tags, file path.
    #[tool(
        name = "collectives_get_pages",
        input_schema = crate::tools::catalogue::input::<CollectiveArgs>(),
        output_schema = crate::tools::catalogue::output::<PageList>(),
        annotations(
            title = "List collective pages",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_get_pages(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CollectiveArgs>,
    ) -> Result<Json<PageList>, ToolError> {
        let (client, filter) = self.collectives_client(&ctx).await?;
        let pages = filter.visible(client.collective_pages(args.collective_id).await?);
        Ok(Json(PageList {
            count: pages.len(),
            pages,
        }))
    }

    /// Read one page: metadata, Markdown text and the etag collectives_update_page needs.
    #[tool(
        name = "collectives_get_page",
        input_schema = crate::tools::catalogue::input::<PageArgs>(),
        output_schema = crate::tools::catalogue::output::<PageContent>(),
        annotations(
            title = "Read collective page",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_get_page(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageArgs>,
    ) -> Result<Json<PageContent>, ToolError> {
        let (client, filter) = self.collectives_client(&ctx).await?;
        let page = visible_page(&client, &filter, args.collective_id, args.page_id).await?;
        let (content, etag) = page_text(&client, &page).await?;
        Ok(Json(PageContent {
            page,
            content,
            etag,
        }))
    }

    /// Full-text search in one collective (all words must match). The app's index lags up to 5 minutes, so title matches from the page list are added.
    #[tool(
        name = "collectives_search_pages",
        input_schema = crate::tools::catalogue::input::<SearchArgs>(),
        output_schema = crate::tools::catalogue::output::<SearchResult>(),
        annotations(
            title = "Search collective pages",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_search_pages(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<Json<SearchResult>, ToolError> {
        let query = args.query.trim();
        if query.is_empty() {
            return Err(ToolError::invalid("query", "give at least one word"));
        }
        let (client, filter) = self.collectives_client(&ctx).await?;
        let mut pages = filter.visible(client.collective_search(args.collective_id, query).await?);
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let by_title = filter.visible(client.collective_pages(args.collective_id).await?);
        for page in by_title {
            let title = page.title.to_lowercase();
            if words.iter().all(|w| title.contains(w.as_str()))
                && !pages.iter().any(|p| p.id == page.id)
            {
                pages.push(page);
            }
        }
        pages.truncate(MAX_SEARCH_RESULTS);
        Ok(Json(SearchResult {
            count: pages.len(),
            pages,
            note: "The Collectives index is updated by a background job (about every 5 minutes): pages created or edited since may be missing unless their title matches.".into(),
        }))
    }

    /// List a collective's tags (id, name, colour); pages carry tag ids.
    #[tool(
        name = "collectives_get_tags",
        input_schema = crate::tools::catalogue::input::<CollectiveArgs>(),
        output_schema = crate::tools::catalogue::output::<TagList>(),
        annotations(
            title = "List collective tags",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_get_tags(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CollectiveArgs>,
    ) -> Result<Json<TagList>, ToolError> {
        let (client, _) = self.collectives_client(&ctx).await?;
        let tags = client.collective_tags(args.collective_id).await?;
        Ok(Json(TagList {
            count: tags.len(),
            tags,
        }))
    }

    /// List a collective's trashed pages (restore or delete them by id).
    #[tool(
        name = "collectives_get_trashed_pages",
        input_schema = crate::tools::catalogue::input::<CollectiveArgs>(),
        output_schema = crate::tools::catalogue::output::<PageList>(),
        annotations(
            title = "List trashed pages",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_get_trashed_pages(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CollectiveArgs>,
    ) -> Result<Json<PageList>, ToolError> {
        let (client, filter) = self.collectives_trash_client(&ctx).await?;
        let pages = filter.visible(client.collective_pages_trash(args.collective_id).await?);
        Ok(Json(PageList {
            count: pages.len(),
            pages,
        }))
    }

    /// List trashed collectives the user administers.
    #[tool(
        name = "collectives_get_trashed_collectives",
        output_schema = crate::tools::catalogue::output::<CollectiveList>(),
        annotations(
            title = "List trashed collectives",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_get_trashed_collectives(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<CollectiveList>, ToolError> {
        let (client, _) = self.collectives_client(&ctx).await?;
        let collectives = client.collectives_trash().await?;
        Ok(Json(CollectiveList {
            count: collectives.len(),
            collectives,
        }))
    }
}
