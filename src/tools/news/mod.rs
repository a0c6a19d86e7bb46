//! News toolset: folders, feeds, items (paged by News' item-id cursor, never "everything"),
//! one item, feed health and status, and marking items read or starred. Names and arguments
//! match the reference server's `nc_news_*` tools.

use std::collections::HashMap;

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use serde_json::Value;

use super::html_text::{cap, html_to_text};
use super::support::require_probed_app;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::fields::{flag, int, iso_time, text};
use crate::nextcloud::news::{Feed, ItemList, MAX_BATCH, PROBE_PATH};

mod views;

use views::*;

/// Raw batches read at most per call when filtering client-side.
const MAX_BATCHES: usize = 5;

fn item_view(raw: &Value, feeds: &HashMap<i64, String>, excerpt: usize) -> Option<ItemView> {
    let feed_id = int(raw, "feedId");
    Some(ItemView {
        id: int(raw, "id")?,
        title: text(raw, "title").unwrap_or_default(),
        feed_title: feed_id.and_then(|f| feeds.get(&f).cloned()),
        feed_id,
        url: text(raw, "url"),
        author: text(raw, "author"),
        published: int(raw, "pubDate").map(iso_time),
        unread: flag(raw, "unread"),
        starred: flag(raw, "starred"),
        excerpt: (excerpt > 0).then(|| {
            let plain = html_to_text(raw.get("body").and_then(Value::as_str).unwrap_or(""));
            let (cut, more) = cap(&plain.replace('\n', " "), excerpt);
            if more { format!("{cut}…") } else { cut }
        }),
        enclosure: text(raw, "enclosureLink"),
    })
}

/// News' own default (-1) means "every item"; here a page is always bounded.
fn check_limit(limit: i64) -> ToolResult<u32> {
    match u32::try_from(limit) {
        Ok(l) if (1..=MAX_BATCH).contains(&l) => Ok(l),
        _ => Err(ToolError::invalid(
            "limit",
            format!(
                "must be between 1 and {MAX_BATCH} (there is no \"everything\"; page with next_offset)"
            ),
        )),
    }
}

/// Feed titles by feed id, to name each item's feed.
async fn feed_titles(client: &NextcloudClient) -> ToolResult<HashMap<i64, String>> {
    Ok(client
        .news_feeds()
        .await?
        .feeds
        .into_iter()
        .map(|f| (f.id, f.title))
        .collect())
}

impl NextcloudMcp {
    async fn news_client(&self, ctx: &RequestContext<RoleServer>) -> ToolResult<NextcloudClient> {
        let client = self.client(ctx)?;
        require_probed_app(&client, "news", "News", PROBE_PATH).await?;
        Ok(client)
    }

    /// A fixed list's page for the tools that read one (starred, unread), with the default excerpt.
    async fn news_list_page(
        &self,
        ctx: &RequestContext<RoleServer>,
        args: PageArgs,
        which: ItemList,
        unread_only: bool,
    ) -> Result<Json<ItemPage>, ToolError> {
        let limit = check_limit(args.limit)?;
        let client = self.news_client(ctx).await?;
        let page = self
            .news_page(
                &client,
                which,
                unread_only,
                limit,
                args.offset,
                default_excerpt(),
            )
            .await?;
        Ok(Json(page))
    }

    /// Reads a page of items; `unread_filter` filters client-side (starred + unread).
    async fn news_page(
        &self,
        client: &NextcloudClient,
        which: ItemList,
        unread_only: bool,
        limit: u32,
        offset: i64,
        excerpt: usize,
    ) -> ToolResult<ItemPage> {
        let feeds = feed_titles(client).await?;
        // News cannot filter the starred list by unread: read starred and filter here.
        let filter_here = which == ItemList::Starred && unread_only;
        let mut items = Vec::new();
        let mut cursor = offset;
        let mut exhausted = false;
        for _ in 0..MAX_BATCHES {
            let want = limit - items.len() as u32;
            let batch = client
                .news_items(which, unread_only && !filter_here, want, cursor, false)
                .await?;
            let got = batch.len() as u32;
            for raw in &batch {
                if let Some(id) = int(raw, "id") {
                    cursor = id;
                }
                if filter_here && !flag(raw, "unread") {
                    continue;
                }
                items.extend(item_view(raw, &feeds, excerpt));
            }
            if got < want {
                exhausted = true;
                break;
            }
            if items.len() as u32 >= limit || !filter_here {
                break;
            }
        }
        let has_more = !exhausted;
        Ok(ItemPage {
            count: items.len(),
            next_offset: has_more.then_some(cursor),
            items,
            has_more,
        })
    }
}

#[tool_router(router = news_router, vis = "pub")]
impl NextcloudMcp {
    /// List News folders with how many feeds and unread items each holds.
    #[tool(
        name = "nc_news_list_folders",
        output_schema = crate::tools::catalogue::output::<FolderList>(),
        annotations(
            title = "List News folders",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_list_folders(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<FolderList>, ToolError> {
        let client = self.news_client(&ctx).await?;
        let folders = client.news_folders().await?;
        let feeds = client.news_feeds().await?.feeds;
        let folders: Vec<FolderView> = folders
            .into_iter()
            .map(|f| {
                let mine: Vec<&Feed> = feeds.iter().filter(|x| x.folder_id == Some(f.id)).collect();
                FolderView {
                    feed_count: mine.len(),
                    unread_count: mine.iter().map(|x| x.unread_count).sum(),
                    id: f.id,
                    name: f.name,
                }
            })
            .collect();
        Ok(Json(FolderList {
            count: folders.len(),
            folders,
        }))
    }

    /// List subscribed feeds: title, URLs, folder, unread count, pinned, and update errors.
    #[tool(
        name = "nc_news_list_feeds",
        input_schema = crate::tools::catalogue::input::<ListFeedsArgs>(),
        output_schema = crate::tools::catalogue::output::<FeedListView>(),
        annotations(
            title = "List News feeds",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_list_feeds(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListFeedsArgs>,
    ) -> Result<Json<FeedListView>, ToolError> {
        let client = self.news_client(&ctx).await?;
        let list = client.news_feeds().await?;
        let feeds: Vec<Feed> = list
            .feeds
            .into_iter()
            .filter(|f| args.folder_id.is_none() || f.folder_id == args.folder_id)
            .collect();
        Ok(Json(FeedListView {
            count: feeds.len(),
            feeds,
            starred_count: list.starred_count,
            newest_item_id: list.newest_item_id,
        }))
    }

    /// List News items (articles), newest first, from everything, one feed or one folder, optionally only starred and/or unread; paged with `next_offset`. Bodies are shortened to excerpts (nc_news_get_item reads one in full).
    #[tool(
        name = "nc_news_list_items",
        input_schema = crate::tools::catalogue::input::<ListItemsArgs>(),
        output_schema = crate::tools::catalogue::output::<ItemPage>(),
        annotations(
            title = "List News items",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_list_items(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListItemsArgs>,
    ) -> Result<Json<ItemPage>, ToolError> {
        let limit = check_limit(args.limit)?;
        let which = match (args.feed_id, args.folder_id, args.starred_only) {
            (Some(_), Some(_), _) => {
                return Err(ToolError::invalid(
                    "folder_id",
                    "give feed_id or folder_id, not both",
                ));
            }
            (Some(_), None, true) | (None, Some(_), true) => {
                return Err(ToolError::invalid(
                    "starred_only",
                    "News lists starred items over all feeds only; drop feed_id/folder_id or starred_only",
                ));
            }
            (Some(feed), None, false) => ItemList::Feed(feed),
            (None, Some(folder), false) => ItemList::Folder(folder),
            (None, None, true) => ItemList::Starred,
            (None, None, false) => ItemList::All,
        };
        let client = self.news_client(&ctx).await?;
        Ok(Json(
            self.news_page(
                &client,
                which,
                args.unread_only,
                limit,
                args.offset,
                args.excerpt_chars,
            )
            .await?,
        ))
    }

    /// Read one News item in full (text converted from HTML, capped), without downloading the other items.
    #[tool(
        name = "nc_news_get_item",
        input_schema = crate::tools::catalogue::input::<ItemArgs>(),
        output_schema = crate::tools::catalogue::output::<ItemDetail>(),
        annotations(
            title = "Get News item",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_get_item(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ItemArgs>,
    ) -> Result<Json<ItemDetail>, ToolError> {
        if args.item_id <= 0 || args.max_body_chars == 0 {
            return Err(ToolError::invalid(
                "item_id",
                "give a positive item id (and max_body_chars of at least 1)",
            ));
        }
        let client = self.news_client(&ctx).await?;
        let raw = client.news_item(args.item_id).await?.ok_or_else(|| {
            ToolError::new(format!(
                "News item {} not found (or not yours); list items with nc_news_list_items",
                args.item_id
            ))
        })?;
        let feeds = feed_titles(&client).await?;
        let item = item_view(&raw, &feeds, 0)
            .ok_or_else(|| ToolError::new("News answered an item without id"))?;
        let (body, body_truncated) = cap(
            &html_to_text(raw.get("body").and_then(Value::as_str).unwrap_or("")),
            args.max_body_chars,
        );
        Ok(Json(ItemDetail {
            item,
            body,
            body_truncated,
        }))
    }

    /// List starred News items, newest first, paged with `next_offset`.
    #[tool(
        name = "nc_news_get_starred_items",
        input_schema = crate::tools::catalogue::input::<PageArgs>(),
        output_schema = crate::tools::catalogue::output::<ItemPage>(),
        annotations(
            title = "Get starred News items",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_get_starred_items(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageArgs>,
    ) -> Result<Json<ItemPage>, ToolError> {
        self.news_list_page(&ctx, args, ItemList::Starred, false)
            .await
    }

    /// List unread News items over all feeds, newest first, paged with `next_offset`.
    #[tool(
        name = "nc_news_get_unread_items",
        input_schema = crate::tools::catalogue::input::<PageArgs>(),
        output_schema = crate::tools::catalogue::output::<ItemPage>(),
        annotations(
            title = "Get unread News items",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_get_unread_items(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PageArgs>,
    ) -> Result<Json<ItemPage>, ToolError> {
        self.news_list_page(&ctx, args, ItemList::All, true).await
    }

    /// Check feed health: one feed's update errors and next update, or (without feed_id) every feed with errors, worst first; also says when News' cron is not set up.
    #[tool(
        name = "nc_news_get_feed_health",
        input_schema = crate::tools::catalogue::input::<HealthArgs>(),
        output_schema = crate::tools::catalogue::output::<Health>(),
        annotations(
            title = "Get News feed health",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_get_feed_health(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<HealthArgs>,
    ) -> Result<Json<Health>, ToolError> {
        let client = self.news_client(&ctx).await?;
        let mut feeds = client.news_feeds().await?.feeds;
        let cron = client
            .news_status()
            .await
            .map(|s| {
                s.pointer("/warnings/improperlyConfiguredCron")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            })
            .unwrap_or(false);
        let message = match args.feed_id {
            Some(id) => {
                feeds.retain(|f| f.id == id);
                let feed = feeds.first().ok_or_else(|| {
                    ToolError::new(format!(
                        "feed {id} not found; list feeds with nc_news_list_feeds"
                    ))
                })?;
                if feed.update_error_count > 0 {
                    format!(
                        "feed {id} failed its last {} update(s): {}",
                        feed.update_error_count,
                        feed.last_update_error.clone().unwrap_or_default()
                    )
                } else {
                    format!("feed {id} updates without errors")
                }
            }
            None => {
                feeds.retain(|f| f.update_error_count > 0);
                feeds.sort_by_key(|f| std::cmp::Reverse(f.update_error_count));
                format!("{} feed(s) with update errors", feeds.len())
            }
        };
        let message = if cron {
            format!(
                "{message}; News' cron is not set up, so no feed is refreshed (ask the administrator)"
            )
        } else {
            message
        };
        Ok(Json(Health {
            feeds,
            improperly_configured_cron: cron,
            message,
        }))
    }

    /// News app version and warnings (cron not set up, database charset).
    #[tool(
        name = "nc_news_get_status",
        output_schema = crate::tools::catalogue::output::<Status>(),
        annotations(
            title = "Get News status",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_get_status(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<Status>, ToolError> {
        let client = self.news_client(&ctx).await?;
        let raw = client.news_status().await?;
        let warning = |key: &str| {
            raw.pointer(&format!("/warnings/{key}"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        Ok(Json(Status {
            version: text(&raw, "version"),
            improperly_configured_cron: warning("improperlyConfiguredCron"),
            incorrect_db_charset: warning("incorrectDbCharset"),
        }))
    }

    /// Mark News items read or unread, and/or starred or unstarred.
    #[tool(
        name = "nc_news_mark_items",
        input_schema = crate::tools::catalogue::input::<MarkArgs>(),
        output_schema = crate::tools::catalogue::output::<Marked>(),
        annotations(
            title = "Mark News items",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_mark_items(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<MarkArgs>,
    ) -> Result<Json<Marked>, ToolError> {
        if args.item_ids.is_empty() || args.item_ids.len() > 1000 {
            return Err(ToolError::invalid("item_ids", "give 1 to 1000 item ids"));
        }
        let mut actions = Vec::new();
        if let Some(read) = args.read {
            actions.push(if read { "read" } else { "unread" });
        }
        if let Some(starred) = args.starred {
            actions.push(if starred { "star" } else { "unstar" });
        }
        if actions.is_empty() {
            return Err(ToolError::invalid("read", "give read and/or starred"));
        }
        let client = self.news_client(&ctx).await?;
        for action in &actions {
            client.news_mark(&args.item_ids, action).await?;
        }
        Ok(Json(Marked {
            item_ids: args.item_ids,
            actions: actions.into_iter().map(str::to_string).collect(),
        }))
    }
}
