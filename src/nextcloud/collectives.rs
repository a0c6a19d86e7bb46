//! The Collectives app over OCS v2 (`/ocs/v2.php/apps/collectives/api/v1.0/...`, Collectives
//! 3.0+): collectives, pages, tags, page and collective trash, and the app's content search.
//!
//! Quirks handled here, once: the app publishes no capability (presence is probed on
//! [`PROBE_PATH`]; OCS 998 / HTTP 404 = absent); errors carry the app's text in `meta.message`
//! with `data: []`; a page IS a Markdown file whose id is its Nextcloud file id, and its text
//! is not in the OCS API: it is read and written over WebDAV at [`Page::dav_path`], built from
//! the page's own `collectivePath`/`filePath`/`fileName` (never guessed: the user folder is
//! hidden and localised since 4.0); a leaf `Title.md` becomes `Title/Readme.md` when it gets
//! sub-pages, so the path is always re-read, never remembered.

use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::fields::{flag, int, text};

const API: &str = "/ocs/v2.php/apps/collectives/api/v1.0";
/// Path Collectives' presence is probed with (per user, cheap; 404/998 = absent).
pub const PROBE_PATH: &str = "/ocs/v2.php/apps/collectives/api/v1.0/collectives";

/// A collective as the user sees it.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Collective {
    /// Collective id.
    pub id: i64,
    /// Name (also its Team's name).
    pub name: String,
    /// Emoji, if set.
    pub emoji: Option<String>,
    /// The user's Team level: 1 member, 4 moderator, 8 admin, 9 owner.
    pub level: i64,
    /// True when the user may create and edit pages.
    pub can_edit: bool,
    /// True when the user may share it.
    pub can_share: bool,
    /// Unix time it was trashed (trashed collectives only).
    pub trash_timestamp: Option<i64>,
}

/// A page (metadata; the text is read over WebDAV).
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Page {
    /// Page id (= the Nextcloud file id of its Markdown file).
    pub id: i64,
    /// Title ("Landing page" for the collective's root page).
    pub title: String,
    /// Emoji, if set.
    pub emoji: Option<String>,
    /// Parent page id (0 for the landing page).
    pub parent_id: i64,
    /// Tag ids (see collectives_get_tags).
    pub tags: Vec<i64>,
    /// Sub-page ids in display order (may omit some).
    pub subpage_order: Vec<i64>,
    /// Last editor's user id.
    pub last_user_id: Option<String>,
    /// Last change, Unix seconds.
    pub timestamp: Option<i64>,
    /// File size in bytes.
    pub size: Option<i64>,
    /// Unix time it was trashed (trashed pages only).
    pub trash_timestamp: Option<i64>,
    /// The file's path in the user's files (for WebDAV and the Files tools).
    pub file: String,
}

impl Page {
    /// True for a page kept as `Title/Readme.md` (or the landing page): trashing or moving it
    /// takes its folder, with every sub-page, along.
    pub fn is_index(&self) -> bool {
        self.file.rsplit('/').next() == Some("Readme.md")
    }

    /// The folder an index page stands for (its sub-pages live below it).
    pub fn folder(&self) -> Option<&str> {
        self.is_index()
            .then(|| self.file.rsplit_once('/').map(|(dir, _)| dir))
            .flatten()
    }

    /// The page file's path relative to the user's files root.
    pub fn dav_path(&self) -> &str {
        &self.file
    }

    /// Where the page's attachments live: `.attachments.<id>` beside its file. Collectives
    /// moves, trashes and restores it with the page.
    pub fn attachments_folder(&self) -> String {
        match self.file.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/.attachments.{}", self.id),
            None => format!(".attachments.{}", self.id),
        }
    }
}

/// A tag of a collective.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Tag {
    /// Tag id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Colour, six hex digits without `#` (or empty).
    pub color: String,
}

/// What a move changes.
#[derive(Debug, Clone, Default)]
pub struct PageMove {
    /// New parent page id (`None` = keep).
    pub parent_id: Option<i64>,
    /// New title (`None` = keep).
    pub title: Option<String>,
    /// Position among the new parent's sub-pages.
    pub index: i64,
    /// Copy instead of move (the copy gets a new id).
    pub copy: bool,
}

fn collective_from(raw: &Value) -> Option<Collective> {
    Some(Collective {
        id: int(raw, "id")?,
        name: text(raw, "name").unwrap_or_default(),
        emoji: text(raw, "emoji"),
        level: int(raw, "level").unwrap_or(0),
        can_edit: flag(raw, "canEdit"),
        can_share: flag(raw, "canShare"),
        trash_timestamp: int(raw, "trashTimestamp"),
    })
}

fn ids(raw: &Value, key: &str) -> Vec<i64> {
    raw.get(key)
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// Decodes a PageInfo; the file path joins `collectivePath`, `filePath` and `fileName` as sent.
pub fn page_from(raw: &Value) -> Option<Page> {
    let file = [
        text(raw, "collectivePath"),
        text(raw, "filePath"),
        text(raw, "fileName"),
    ]
    .into_iter()
    .flatten()
    .map(|p| p.trim_matches('/').to_string())
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join("/");
    Some(Page {
        id: int(raw, "id")?,
        title: text(raw, "title").unwrap_or_default(),
        emoji: text(raw, "emoji"),
        parent_id: int(raw, "parentId").unwrap_or(0),
        tags: ids(raw, "tags"),
        subpage_order: ids(raw, "subpageOrder"),
        last_user_id: text(raw, "lastUserId"),
        timestamp: int(raw, "timestamp"),
        size: int(raw, "size"),
        trash_timestamp: int(raw, "trashTimestamp"),
        file,
    })
}

fn tag_from(raw: &Value) -> Option<Tag> {
    Some(Tag {
        id: int(raw, "id")?,
        name: text(raw, "name").unwrap_or_default(),
        color: text(raw, "color").unwrap_or_default(),
    })
}

fn list<T>(data: &Value, key: &str, f: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    data.get(key)
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(f).collect())
        .unwrap_or_default()
}

fn one<T>(call: &str, data: &Value, key: &str, f: impl Fn(&Value) -> Option<T>) -> NcResult<T> {
    data.get(key).and_then(f).ok_or_else(|| {
        NextcloudError::new(
            call,
            ErrorKind::Decode(format!("no `{key}` in the Collectives answer")),
        )
    })
}

impl NextcloudClient {
    async fn collectives_call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> NcResult<(String, Value)> {
        let full = format!("{API}{path}");
        let call = format!("{method} {}", full.split('?').next().unwrap_or(&full));
        let data = self.ocs_value(method, &full, body.as_ref()).await?;
        Ok((call, data))
    }

    async fn collective_answer(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> NcResult<Collective> {
        let (call, data) = self.collectives_call(method, path, body).await?;
        one(&call, &data, "collective", collective_from)
    }

    async fn page_answer(&self, method: Method, path: &str, body: Option<Value>) -> NcResult<Page> {
        let (call, data) = self.collectives_call(method, path, body).await?;
        one(&call, &data, "page", page_from)
    }

    /// `GET /collectives`: the user's collectives (trashed ones excluded).
    pub async fn collectives(&self) -> NcResult<Vec<Collective>> {
        let (_, data) = self
            .collectives_call(Method::GET, "/collectives", None)
            .await?;
        Ok(list(&data, "collectives", collective_from))
    }

    /// `GET /collectives/trash`: trashed collectives the user administers.
    pub async fn collectives_trash(&self) -> NcResult<Vec<Collective>> {
        let (_, data) = self
            .collectives_call(Method::GET, "/collectives/trash", None)
            .await?;
        Ok(list(&data, "collectives", collective_from))
    }

    /// `POST /collectives`: creates a collective (and its Team); returns it with the app's
    /// `info` (set when an existing Team was adopted).
    pub async fn collective_create(
        &self,
        name: &str,
        emoji: Option<&str>,
    ) -> NcResult<(Collective, Option<String>)> {
        let mut body = json!({"name": name});
        if let Some(emoji) = emoji {
            body["emoji"] = json!(emoji);
        }
        let (call, data) = self
            .collectives_call(Method::POST, "/collectives", Some(body))
            .await?;
        Ok((
            one(&call, &data, "collective", collective_from)?,
            text(&data, "info"),
        ))
    }

    /// `PUT /collectives/{id}` `{emoji}` (`None` clears it).
    pub async fn collective_set_emoji(&self, id: i64, emoji: Option<&str>) -> NcResult<Collective> {
        self.collective_answer(
            Method::PUT,
            &format!("/collectives/{id}"),
            Some(json!({"emoji": emoji})),
        )
        .await
    }

    /// `DELETE /collectives/{id}`: moves it to the trash (Team admins only).
    pub async fn collective_trash(&self, id: i64) -> NcResult<Collective> {
        self.collective_answer(Method::DELETE, &format!("/collectives/{id}"), None)
            .await
    }

    /// `PATCH /collectives/trash/{id}`: restores a trashed collective.
    pub async fn collective_restore(&self, id: i64) -> NcResult<Collective> {
        self.collective_answer(Method::PATCH, &format!("/collectives/trash/{id}"), None)
            .await
    }

    /// `DELETE /collectives/trash/{id}?circle=`: deletes a trashed collective for good
    /// (`circle` also deletes its Team).
    pub async fn collective_delete(&self, id: i64, circle: bool) -> NcResult<Collective> {
        self.collective_answer(
            Method::DELETE,
            &format!("/collectives/trash/{id}?circle={circle}"),
            None,
        )
        .await
    }

    /// `GET /collectives/{c}/pages`: the whole page tree (no text).
    pub async fn collective_pages(&self, collective: i64) -> NcResult<Vec<Page>> {
        let (_, data) = self
            .collectives_call(
                Method::GET,
                &format!("/collectives/{collective}/pages"),
                None,
            )
            .await?;
        Ok(list(&data, "pages", page_from))
    }

    /// `GET /collectives/{c}/pages/{id}`.
    pub async fn collective_page(&self, collective: i64, page: i64) -> NcResult<Page> {
        self.page_answer(
            Method::GET,
            &format!("/collectives/{collective}/pages/{page}"),
            None,
        )
        .await
    }

    /// `GET /collectives/{c}/search?searchString=`: the app's word index (updated by a
    /// background job every 5 minutes, so recent pages can be missing).
    pub async fn collective_search(&self, collective: i64, query: &str) -> NcResult<Vec<Page>> {
        let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let (_, data) = self
            .collectives_call(
                Method::GET,
                &format!("/collectives/{collective}/search?searchString={encoded}"),
                None,
            )
            .await?;
        Ok(list(&data, "pages", page_from))
    }

    /// `GET /collectives/{c}/tags`.
    pub async fn collective_tags(&self, collective: i64) -> NcResult<Vec<Tag>> {
        let (_, data) = self
            .collectives_call(
                Method::GET,
                &format!("/collectives/{collective}/tags"),
                None,
            )
            .await?;
        Ok(list(&data, "tags", tag_from))
    }

    /// `POST /collectives/{c}/tags` `{name, color}` (colour: six hex digits or "").
    pub async fn collective_tag_create(
        &self,
        collective: i64,
        name: &str,
        color: &str,
    ) -> NcResult<Tag> {
        let (call, data) = self
            .collectives_call(
                Method::POST,
                &format!("/collectives/{collective}/tags"),
                Some(json!({"name": name, "color": color})),
            )
            .await?;
        one(&call, &data, "tag", tag_from)
    }

    /// `GET /collectives/{c}/pages/trash`.
    pub async fn collective_pages_trash(&self, collective: i64) -> NcResult<Vec<Page>> {
        let (_, data) = self
            .collectives_call(
                Method::GET,
                &format!("/collectives/{collective}/pages/trash"),
                None,
            )
            .await?;
        Ok(list(&data, "pages", page_from))
    }

    /// `POST /collectives/{c}/pages/{parent}` `{title}`: an empty page (a title clash gives
    /// "Title (2)"; a leaf parent becomes `Parent/Readme.md`).
    pub async fn collective_page_create(
        &self,
        collective: i64,
        parent: i64,
        title: &str,
    ) -> NcResult<Page> {
        self.page_answer(
            Method::POST,
            &format!("/collectives/{collective}/pages/{parent}"),
            Some(json!({"title": title})),
        )
        .await
    }

    /// `PUT /collectives/{c}/pages/{id}`: move, rename or copy within the collective.
    pub async fn collective_page_move(
        &self,
        collective: i64,
        page: i64,
        change: &PageMove,
    ) -> NcResult<Page> {
        let mut body = json!({"index": change.index, "copy": change.copy});
        if let Some(parent) = change.parent_id {
            body["parentId"] = json!(parent);
        }
        if let Some(title) = &change.title {
            body["title"] = json!(title);
        }
        self.page_answer(
            Method::PUT,
            &format!("/collectives/{collective}/pages/{page}"),
            Some(body),
        )
        .await
    }

    /// `DELETE /collectives/{c}/pages/{id}`: to the collective's page trash, with its sub-pages
    /// (deleted for good when the trash backend is off: `trash_timestamp` is then empty).
    pub async fn collective_page_trash(&self, collective: i64, page: i64) -> NcResult<Page> {
        self.page_answer(
            Method::DELETE,
            &format!("/collectives/{collective}/pages/{page}"),
            None,
        )
        .await
    }

    /// `PATCH /collectives/{c}/pages/trash/{id}`: restores a trashed page (same id).
    pub async fn collective_page_restore(&self, collective: i64, page: i64) -> NcResult<Page> {
        self.page_answer(
            Method::PATCH,
            &format!("/collectives/{collective}/pages/trash/{page}"),
            None,
        )
        .await
    }

    /// `DELETE /collectives/{c}/pages/trash/{id}`: deletes a trashed page for good.
    pub async fn collective_page_delete(&self, collective: i64, page: i64) -> NcResult<()> {
        self.collectives_call(
            Method::DELETE,
            &format!("/collectives/{collective}/pages/trash/{page}"),
            None,
        )
        .await?;
        Ok(())
    }

    /// `PUT /collectives/{c}/pages/{id}/emoji` (`None` clears it).
    pub async fn collective_page_emoji(
        &self,
        collective: i64,
        page: i64,
        emoji: Option<&str>,
    ) -> NcResult<Page> {
        self.page_answer(
            Method::PUT,
            &format!("/collectives/{collective}/pages/{page}/emoji"),
            Some(json!({"emoji": emoji})),
        )
        .await
    }

    /// `PUT` (add) or `DELETE` (remove) `/collectives/{c}/pages/{id}/tags/{tag}`.
    pub async fn collective_page_tag(
        &self,
        collective: i64,
        page: i64,
        tag: i64,
        add: bool,
    ) -> NcResult<Page> {
        let method = if add { Method::PUT } else { Method::DELETE };
        self.page_answer(
            method,
            &format!("/collectives/{collective}/pages/{page}/tags/{tag}"),
            None,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attachments_folder_sits_beside_the_page_file() {
        let mut page = page_from(
            &serde_json::json!({"id": 42, "collectivePath": "Collectives/Team",
            "filePath": "Guide", "fileName": "Readme.md"}),
        )
        .unwrap_or_else(|| panic!("a page"));
        assert_eq!(
            page.attachments_folder(),
            "Collectives/Team/Guide/.attachments.42"
        );
        page.file = "Tools.md".into();
        assert_eq!(page.attachments_folder(), ".attachments.42");
    }

    #[test]
    fn page_file_joins_the_sent_parts() {
        let raw = json!({"id": 1233, "title": "Onboarding", "fileName": "Readme.md",
            "filePath": "Onboarding", "collectivePath": ".Collectives/Team Handbook", "parentId": 1201,
            "tags": [3], "subpageOrder": []});
        let page = page_from(&raw).unwrap();
        assert_eq!(page.file, ".Collectives/Team Handbook/Onboarding/Readme.md");
        assert!(page.is_index());
        assert_eq!(page.folder(), Some(".Collectives/Team Handbook/Onboarding"));
        let leaf = page_from(&json!({"id": 1240, "fileName": "Tools.md", "filePath": "",
            "collectivePath": ".Collectives/Team Handbook"}))
        .unwrap();
        assert_eq!(leaf.file, ".Collectives/Team Handbook/Tools.md");
        assert!(!leaf.is_index() && leaf.folder().is_none());
    }

    #[test]
    fn collectives_errors_keep_meta_message() {
        let body = br#"{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"Collective not found: 999"},"data":[]}}"#;
        let (code, message) = crate::nextcloud::client::error_message(body);
        assert_eq!(
            (code, message.as_deref()),
            (Some(404), Some("Collective not found: 999"))
        );
    }
}
