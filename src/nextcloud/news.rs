//! The News app's REST API v1-3 (`/index.php/apps/news/api/v1-3/...`): folders, feeds, items,
//! read/starred state, status.
//!
//! Quirks handled here, once: `OCS-APIRequest: true` on every call (News routes are `#[CORS]`:
//! a bearer token without it gets 401 "CORS requires basic auth"); `batchSize` is always sent
//! and bounded (News' default -1 means "everything"); `offset` is an item-id cursor; the
//! starred list refuses `getRead=false` with a 200 that has no `items` (treated as an error
//! here, never as an empty list); there is no single-item route, so one item is read as the
//! first item below `id + 1` and checked.

use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use super::client::{NextcloudClient, app_url};
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::fields::{flag, int, text};

const API: &str = "/apps/news/api/v1-3";
/// Path News' presence is probed with (per user, cheap).
pub const PROBE_PATH: &str = "/index.php/apps/news/api/v1-3/version";
/// Largest `batchSize` ever sent.
pub const MAX_BATCH: u32 = 200;

/// Which item list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemList {
    /// Items of one feed.
    Feed(i64),
    /// Items of one folder.
    Folder(i64),
    /// Starred items (News refuses `getRead=false` here).
    Starred,
    /// All items.
    All,
}

/// A folder.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Folder {
    /// Folder id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A feed.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Feed {
    /// Feed id.
    pub id: i64,
    /// Title (as the feed publishes it; untrusted text).
    pub title: String,
    /// Feed URL.
    pub url: String,
    /// Website.
    pub link: Option<String>,
    /// Folder id (none = root).
    pub folder_id: Option<i64>,
    /// Unread items.
    pub unread_count: i64,
    /// Pinned to the top.
    pub pinned: bool,
    /// Consecutive failed updates.
    pub update_error_count: i64,
    /// Last update error, if any.
    pub last_update_error: Option<String>,
    /// Next planned update (Unix seconds), when known.
    pub next_update_time: Option<i64>,
}

/// The feed list with its totals.
#[derive(Debug, Clone)]
pub struct FeedList {
    /// Feeds.
    pub feeds: Vec<Feed>,
    /// Starred items over all feeds.
    pub starred_count: i64,
    /// Id of the newest item (absent without items).
    pub newest_item_id: Option<i64>,
}

fn decode_feed(raw: &Value) -> Option<Feed> {
    Some(Feed {
        id: int(raw, "id")?,
        title: text(raw, "title").unwrap_or_default(),
        url: text(raw, "url").unwrap_or_default(),
        link: text(raw, "link"),
        folder_id: int(raw, "folderId"),
        unread_count: int(raw, "unreadCount").unwrap_or(0),
        pinned: flag(raw, "pinned"),
        update_error_count: int(raw, "updateErrorCount").unwrap_or(0),
        last_update_error: text(raw, "lastUpdateError"),
        next_update_time: int(raw, "nextUpdateTime"),
    })
}

fn list<T>(value: &Value, key: &str, f: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(f).collect())
        .unwrap_or_default()
}

impl NextcloudClient {
    async fn news(&self, method: Method, path: &str, body: Option<Value>) -> NcResult<Value> {
        self.app_json(method, path, body).await
    }

    /// `GET /folders`.
    pub async fn news_folders(&self) -> NcResult<Vec<Folder>> {
        let raw = self
            .news(Method::GET, &format!("{API}/folders"), None)
            .await?;
        Ok(list(&raw, "folders", |f| {
            Some(Folder {
                id: int(f, "id")?,
                name: text(f, "name").unwrap_or_default(),
            })
        }))
    }

    /// `GET /feeds`.
    pub async fn news_feeds(&self) -> NcResult<FeedList> {
        let raw = self
            .news(Method::GET, &format!("{API}/feeds"), None)
            .await?;
        Ok(FeedList {
            feeds: list(&raw, "feeds", decode_feed),
            starred_count: int(&raw, "starredCount").unwrap_or(0),
            newest_item_id: int(&raw, "newestItemId"),
        })
    }

    /// `GET /items`: one batch (1..=[`MAX_BATCH`]) below the `offset` item id (0 = from the
    /// newest), newest id first unless `oldest_first`. `unread_only` is refused for the
    /// starred list (News would answer 200 without items).
    pub async fn news_items(
        &self,
        which: ItemList,
        unread_only: bool,
        batch: u32,
        offset: i64,
        oldest_first: bool,
    ) -> NcResult<Vec<Value>> {
        let call = format!("GET {}", app_url(&format!("{API}/items")));
        if which == ItemList::Starred && unread_only {
            return Err(NextcloudError::invalid(
                call,
                "News cannot list starred items filtered by unread; read starred items and filter them",
            ));
        }
        let (kind, id) = match which {
            ItemList::Feed(id) => (0, id),
            ItemList::Folder(id) => (1, id),
            ItemList::Starred => (2, 0),
            ItemList::All => (3, 0),
        };
        let path = format!(
            "{API}/items?type={kind}&id={id}&getRead={}&batchSize={}&offset={}&oldestFirst={oldest_first}",
            !unread_only,
            batch.clamp(1, MAX_BATCH),
            offset.max(0)
        );
        let raw = self.news(Method::GET, &path, None).await?;
        match raw.get("items").and_then(Value::as_array) {
            Some(items) => Ok(items.clone()),
            // 200 {"message": "..."} without items: a refusal, never an empty list.
            None => Err(NextcloudError::new(
                call,
                ErrorKind::Decode(format!(
                    "News answered without items: {}",
                    text(&raw, "message").unwrap_or_else(|| "no message".into())
                )),
            )),
        }
    }

    /// One item by id, without downloading the others (`None` when the user has no such item).
    pub async fn news_item(&self, id: i64) -> NcResult<Option<Value>> {
        let batch = self
            .news_items(ItemList::All, false, 1, id.saturating_add(1), false)
            .await?;
        Ok(batch.into_iter().find(|i| int(i, "id") == Some(id)))
    }

    /// Marks items read/unread or starred/unstarred (`POST /items/{action}/multiple`); News
    /// skips ids that are not the user's.
    pub async fn news_mark(&self, ids: &[i64], action: &str) -> NcResult<()> {
        let path = app_url(&format!("{API}/items/{action}/multiple"));
        let call = format!("POST {path}");
        let request = self
            .request(Method::POST, &path)
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json")
            .json(&json!({"itemIds": ids}));
        // The controller returns nothing: the body is not read.
        self.send(&call, request).await?;
        Ok(())
    }

    /// `GET /status`: version and warnings.
    pub async fn news_status(&self) -> NcResult<Value> {
        self.news(Method::GET, &format!("{API}/status"), None).await
    }
}
