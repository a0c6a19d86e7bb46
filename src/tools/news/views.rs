//! Arguments and results of the News tools.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::nextcloud::news::Feed;

pub(super) fn default_limit() -> i64 {
    50
}
pub(super) fn default_excerpt() -> usize {
    300
}
pub(super) fn default_body_chars() -> usize {
    20_000
}

/// Arguments of nc_news_list_items.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListItemsArgs {
    /// Only items of this feed.
    #[serde(default)]
    pub feed_id: Option<i64>,
    /// Only items of this folder.
    #[serde(default)]
    pub folder_id: Option<i64>,
    /// Only starred items.
    #[serde(default)]
    pub starred_only: bool,
    /// Only unread items.
    #[serde(default)]
    pub unread_only: bool,
    /// Most items returned (1-200, default 50).
    #[serde(default = "default_limit")]
    pub limit: i64,
    /// Paging: `next_offset` of the previous page (an item id; 0 = newest).
    #[serde(default)]
    pub offset: i64,
    /// Length of each item's text excerpt (0 for none, default 300).
    #[serde(default = "default_excerpt")]
    pub excerpt_chars: usize,
}

/// Arguments of nc_news_get_starred_items / nc_news_get_unread_items.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PageArgs {
    /// Most items returned (1-200, default 50).
    #[serde(default = "default_limit")]
    pub limit: i64,
    /// Paging: `next_offset` of the previous page (an item id; 0 = newest).
    #[serde(default)]
    pub offset: i64,
}

/// Arguments of nc_news_get_item.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ItemArgs {
    /// Item id (from nc_news_list_items).
    pub item_id: i64,
    /// Longest text returned, in characters (default 20000).
    #[serde(default = "default_body_chars")]
    pub max_body_chars: usize,
}

/// Arguments of nc_news_list_feeds.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListFeedsArgs {
    /// Only feeds of this folder.
    #[serde(default)]
    pub folder_id: Option<i64>,
}

/// Arguments of nc_news_get_feed_health.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HealthArgs {
    /// The feed to check; omit to list every feed with update errors.
    #[serde(default)]
    pub feed_id: Option<i64>,
}

/// Arguments of nc_news_mark_items.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MarkArgs {
    /// Item ids (at most 1000).
    pub item_ids: Vec<i64>,
    /// Mark read (true) or unread (false).
    #[serde(default)]
    pub read: Option<bool>,
    /// Star (true) or unstar (false).
    #[serde(default)]
    pub starred: Option<bool>,
}

/// A folder with its totals.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FolderView {
    /// Folder id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Feeds in it.
    pub feed_count: usize,
    /// Unread items of its feeds.
    pub unread_count: i64,
}

/// Result of nc_news_list_folders.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FolderList {
    /// Folders.
    pub folders: Vec<FolderView>,
    /// Number of folders.
    pub count: usize,
}

/// Result of nc_news_list_feeds.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FeedListView {
    /// Feeds.
    pub feeds: Vec<Feed>,
    /// Number of feeds.
    pub count: usize,
    /// Starred items over all feeds.
    pub starred_count: i64,
    /// Newest item id (mark-all-read guard).
    pub newest_item_id: Option<i64>,
}

/// An item as listed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ItemView {
    /// Item id.
    pub id: i64,
    /// Title (untrusted text from the feed).
    pub title: String,
    /// Feed id.
    pub feed_id: Option<i64>,
    /// Feed title.
    pub feed_title: Option<String>,
    /// Link to the article.
    pub url: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Publication date (ISO 8601).
    pub published: Option<String>,
    /// Unread.
    pub unread: bool,
    /// Starred.
    pub starred: bool,
    /// Start of the text (HTML removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Attached media link (podcasts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enclosure: Option<String>,
}

/// Result of the item lists.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ItemPage {
    /// Items, newest first (by id).
    pub items: Vec<ItemView>,
    /// Number returned.
    pub count: usize,
    /// Pass as `offset` for the next page.
    pub next_offset: Option<i64>,
    /// True when more may follow.
    pub has_more: bool,
}

/// Result of nc_news_get_item.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ItemDetail {
    /// The item.
    #[serde(flatten)]
    pub item: ItemView,
    /// Full text (HTML converted), capped at max_body_chars.
    pub body: String,
    /// True when the text was cut.
    pub body_truncated: bool,
}

/// Result of nc_news_get_feed_health.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    /// The feeds checked (one, or every feed with errors, worst first).
    pub feeds: Vec<Feed>,
    /// True when News' cron is not set up (no feed is refreshed at all).
    pub improperly_configured_cron: bool,
    /// A summary.
    pub message: String,
}

/// Result of nc_news_get_status.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Status {
    /// News version.
    pub version: Option<String>,
    /// Feeds are not refreshed because background jobs are not on system cron.
    pub improperly_configured_cron: bool,
    /// The database cannot store 4-byte characters (emoji).
    pub incorrect_db_charset: bool,
}

/// Result of nc_news_mark_items.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Marked {
    /// Item ids sent (ids that are not yours are skipped by News).
    pub item_ids: Vec<i64>,
    /// What was done.
    pub actions: Vec<String>,
}
