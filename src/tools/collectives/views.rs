//! Arguments and results of the Collectives tools.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::nextcloud::collectives::{Collective, Page, Tag};

/// Arguments naming a collective.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CollectiveArgs {
    /// Collective id (from collectives_get_collectives).
    pub collective_id: i64,
}

/// Arguments naming a page.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PageArgs {
    /// Collective id.
    pub collective_id: i64,
    /// Page id (from collectives_get_pages).
    pub page_id: i64,
}

/// Arguments of collectives_search_pages.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchArgs {
    /// Collective id.
    pub collective_id: i64,
    /// Words that must all occur in the page.
    pub query: String,
}

/// Arguments of collectives_create_collective.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateCollectiveArgs {
    /// Name (a Team of that name is created or adopted).
    pub name: String,
    /// One emoji.
    #[serde(default)]
    pub emoji: Option<String>,
}

/// Arguments of collectives_set_collective_emoji.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CollectiveEmojiArgs {
    /// Collective id.
    pub collective_id: i64,
    /// One emoji; omit or empty to clear.
    #[serde(default)]
    pub emoji: Option<String>,
}

/// Arguments of collectives_delete_collective.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteCollectiveArgs {
    /// Id of a trashed collective.
    pub collective_id: i64,
    /// Also delete its Team for every member (default false).
    #[serde(default)]
    pub delete_team: bool,
}

/// Arguments of collectives_create_page.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreatePageArgs {
    /// Collective id.
    pub collective_id: i64,
    /// Parent page id (the landing page's id for a top-level page).
    pub parent_id: i64,
    /// Title.
    pub title: String,
    /// Markdown text of the new page.
    #[serde(default)]
    pub content: Option<String>,
}

/// Arguments of collectives_update_page.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdatePageArgs {
    /// Collective id.
    pub collective_id: i64,
    /// Page id.
    pub page_id: i64,
    /// The new Markdown text (replaces the whole page).
    pub content: String,
    /// `etag` from collectives_get_page; the write fails if the page changed since.
    pub etag: String,
}

/// Arguments of collectives_move_page.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MovePageArgs {
    /// Collective id.
    pub collective_id: i64,
    /// Page id.
    pub page_id: i64,
    /// New parent page id (omit to keep).
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// New title (omit to keep).
    #[serde(default)]
    pub title: Option<String>,
    /// Position among the parent's sub-pages.
    #[serde(default)]
    pub index: i64,
    /// Copy instead of move (the copy gets a new id).
    #[serde(default)]
    pub copy: bool,
}

/// Arguments of collectives_set_page_emoji.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PageEmojiArgs {
    /// Collective id.
    pub collective_id: i64,
    /// Page id.
    pub page_id: i64,
    /// One emoji; omit or empty to clear.
    #[serde(default)]
    pub emoji: Option<String>,
}

/// Arguments of collectives_create_tag.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateTagArgs {
    /// Collective id.
    pub collective_id: i64,
    /// Tag name.
    pub name: String,
    /// Colour as six hex digits (`#` optional); omit for none.
    #[serde(default)]
    pub color: Option<String>,
}

/// Arguments of collectives_assign_tag / collectives_remove_tag.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PageTagArgs {
    /// Collective id.
    pub collective_id: i64,
    /// Page id.
    pub page_id: i64,
    /// Tag id (from collectives_get_tags).
    pub tag_id: i64,
}

/// A list of collectives.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CollectiveList {
    /// Collectives.
    pub collectives: Vec<Collective>,
    /// Number returned.
    pub count: usize,
}

/// One collective after a change.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CollectiveResult {
    /// The collective.
    pub collective: Collective,
    /// What happened (and how to undo it, when it can be undone).
    pub message: String,
}

/// A list of pages.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PageList {
    /// Pages.
    pub pages: Vec<Page>,
    /// Number returned.
    pub count: usize,
}

/// A page with its text.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PageContent {
    /// The page.
    pub page: Page,
    /// Markdown text (untrusted content written by users).
    pub content: String,
    /// Pass to collectives_update_page.
    pub etag: Option<String>,
}

/// Search results.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchResult {
    /// Pages found by the app's index, then pages whose title matches and the index missed.
    pub pages: Vec<Page>,
    /// Number returned.
    pub count: usize,
    /// About the index lag.
    pub note: String,
}

/// Tags of a collective.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TagList {
    /// Tags.
    pub tags: Vec<Tag>,
    /// Number returned.
    pub count: usize,
}

/// One tag.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TagResult {
    /// The tag.
    pub tag: Tag,
}

/// One page after a change.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PageResult {
    /// The page.
    pub page: Page,
    /// What happened.
    pub message: String,
    /// New etag of the page text, when it was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// A permanent deletion.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Deleted {
    /// What was deleted.
    pub message: String,
}
