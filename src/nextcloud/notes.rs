//! The Notes app API v1 (`/index.php/apps/notes/api/v1/...`).

use reqwest::Method;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::client::NextcloudClient;
use super::error::NcResult;

/// A note as the Notes API returns it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Note {
    /// Note id.
    pub id: i64,
    /// ETag of the note's current state; pass it back when updating.
    #[serde(default)]
    pub etag: String,
    /// Whether the note cannot be changed.
    #[serde(default)]
    pub readonly: bool,
    /// Content in Markdown.
    #[serde(default)]
    pub content: String,
    /// Title (first line by default).
    #[serde(default)]
    pub title: String,
    /// Category (folder path below the notes folder).
    #[serde(default)]
    pub category: String,
    /// Favorite flag.
    #[serde(default)]
    pub favorite: bool,
    /// Last modification, seconds since the epoch.
    #[serde(default)]
    pub modified: i64,
}

impl NextcloudClient {
    /// `GET /apps/notes/api/v1/notes/{id}`.
    pub async fn notes_get(&self, id: i64) -> NcResult<Note> {
        let path = format!("/apps/notes/api/v1/notes/{id}");
        let call = format!("GET {path}");
        self.json(&call, self.app_request(Method::GET, &path)).await
    }
}
