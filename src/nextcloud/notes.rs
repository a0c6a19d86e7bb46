//! The Notes app API v1 (`/index.php/apps/notes/api/v1/...`) and the note attachment
//! folders it keeps next to the notes over WebDAV.

use reqwest::Method;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::notes_list::{NoteRef, for_each_note_in};
use super::quote_etag;

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

/// The Notes app settings (`notes://settings`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NotesSettings {
    /// Folder of the notes below the user's files, e.g. `Notes`.
    #[serde(rename = "notesPath", default = "default_notes_path")]
    pub notes_path: String,
    /// File suffix of new notes, e.g. `.md`.
    #[serde(rename = "fileSuffix", default)]
    pub file_suffix: String,
}

fn default_notes_path() -> String {
    "Notes".into()
}

/// Fields of a note update; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct NoteChanges {
    /// New title.
    pub title: Option<String>,
    /// New content.
    pub content: Option<String>,
    /// New category.
    pub category: Option<String>,
}

/// Decodes a notes list (or chunk) straight into `Note`s, without a `serde_json::Value` tree
/// (with `preserve_order` on in the dependency graph, every object of a tree is an IndexMap).
/// The `{"id":N}` stubs the last chunk appends for every other note are dropped; an object is a
/// stub when `id` is its only key, exactly as before. The tools read chunks through
/// [`NextcloudClient::notes_chunk_each`]; this collecting form serves the tests.
#[cfg(test)]
pub fn decode_chunk(bytes: &[u8]) -> Result<Vec<Note>, String> {
    let mut notes = Vec::new();
    for_each_note_in(bytes, |note| notes.push(note.to_note()))?;
    Ok(notes)
}

impl NextcloudClient {
    /// `GET /apps/notes/api/v1/notes/{id}`.
    pub async fn notes_get(&self, id: i64) -> NcResult<Note> {
        let path = format!("/apps/notes/api/v1/notes/{id}");
        let call = format!("GET {path}");
        self.json(&call, self.app_request(Method::GET, &path)).await
    }

    /// `GET /apps/notes/api/v1/settings`.
    pub async fn notes_settings(&self) -> NcResult<NotesSettings> {
        let path = "/apps/notes/api/v1/settings";
        self.json(&format!("GET {path}"), self.app_request(Method::GET, path))
            .await
    }

    /// One chunk of `GET /apps/notes/api/v1/notes?chunkSize=N[&chunkCursor=C]` (`exclude_content`
    /// asks Nextcloud to leave the note bodies out), each full note handed to `each` while the
    /// answer is decoded (strings borrowed, nothing kept): the cursor of the next chunk, `None`
    /// on the last one. On an error, `each` may have seen notes of the refused chunk.
    pub async fn notes_chunk_each(
        &self,
        chunk_size: u32,
        cursor: Option<&str>,
        category: Option<&str>,
        exclude_content: bool,
        each: impl FnMut(NoteRef<'_>),
    ) -> NcResult<Option<String>> {
        let path = "/apps/notes/api/v1/notes";
        let call = format!("GET {path}");
        let mut query: Vec<(&str, String)> = vec![("chunkSize", chunk_size.to_string())];
        if let Some(cursor) = cursor {
            query.push(("chunkCursor", cursor.to_string()));
        }
        if let Some(category) = category {
            query.push(("category", category.to_string()));
        }
        if exclude_content {
            query.push(("exclude", "content".into()));
        }
        let request = self
            .app_request(Method::GET, path)
            .query(&query)
            .header("Accept", "application/json");
        let response = self.send(&call, request).await?;
        let next = response
            .headers()
            .get("X-Notes-Chunk-Cursor")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        let bytes = self.read_body(&call, response).await?;
        for_each_note_in(&bytes, each)
            .map_err(|e| NextcloudError::new(&call, ErrorKind::Decode(e)))?;
        if next.as_deref() == cursor && next.is_some() {
            return Err(NextcloudError::new(
                call,
                ErrorKind::Decode("the notes chunk cursor did not advance".into()),
            ));
        }
        Ok(next)
    }

    /// `POST /apps/notes/api/v1/notes` with the non-empty fields.
    pub async fn notes_create(&self, title: &str, content: &str, category: &str) -> NcResult<Note> {
        let path = "/apps/notes/api/v1/notes";
        let mut body = Map::new();
        for (key, value) in [
            ("title", title),
            ("content", content),
            ("category", category),
        ] {
            if !value.is_empty() {
                body.insert(key.into(), Value::String(value.into()));
            }
        }
        self.json(
            &format!("POST {path}"),
            self.app_request(Method::POST, path)
                .json(&Value::Object(body)),
        )
        .await
    }

    /// `PUT /apps/notes/api/v1/notes/{id}` with `If-Match: "<etag>"`. A stale etag (412) becomes
    /// an error naming the note's current etag.
    pub async fn notes_update(&self, id: i64, etag: &str, changes: &NoteChanges) -> NcResult<Note> {
        let path = format!("/apps/notes/api/v1/notes/{id}");
        let call = format!("PUT {path}");
        let mut body = Map::new();
        for (key, value) in [
            ("title", &changes.title),
            ("content", &changes.content),
            ("category", &changes.category),
        ] {
            if let Some(value) = value {
                body.insert(key.into(), Value::String(value.clone()));
            }
        }
        let request = self
            .app_request(Method::PUT, &path)
            .header("If-Match", quote_etag(etag))
            .json(&Value::Object(body));
        match self.json::<Note>(&call, request).await {
            Err(err) if err.status() == Some(412) => {
                let current = self.notes_get(id).await.ok();
                let message = match current {
                    Some(note) => format!(
                        "note {id} changed since it was read (you sent etag {etag}, the current etag is {}); read it again with nc_notes_get_note, apply your change to the current content, then retry with the new etag",
                        note.etag
                    ),
                    None => format!(
                        "note {id} changed since it was read; read it again with nc_notes_get_note and retry with the new etag"
                    ),
                };
                Err(NextcloudError::new(
                    call,
                    ErrorKind::Status {
                        status: 412,
                        ocs_status: None,
                        message: Some(message),
                    },
                ))
            }
            other => other,
        }
    }

    /// `DELETE /apps/notes/api/v1/notes/{id}`.
    pub async fn notes_delete(&self, id: i64) -> NcResult<()> {
        let path = format!("/apps/notes/api/v1/notes/{id}");
        let call = format!("DELETE {path}");
        self.send(&call, self.app_request(Method::DELETE, &path))
            .await?;
        Ok(())
    }

    /// Path (relative to the user's files) of a note's attachment folder:
    /// `<notesPath>/<category>/.attachments.<id>`.
    pub fn notes_attachment_dir(settings: &NotesSettings, category: &str, id: i64) -> String {
        let folder = Self::notes_folder(settings, category);
        if folder.is_empty() {
            format!(".attachments.{id}")
        } else {
            format!("{folder}/.attachments.{id}")
        }
    }

    /// Path (relative to the user's files) of the folder holding the notes of `category`:
    /// `<notesPath>/<category>`.
    pub fn notes_folder(settings: &NotesSettings, category: &str) -> String {
        settings
            .notes_path
            .split('/')
            .chain(category.split('/'))
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_dir_joins_path_and_category() {
        let settings = NotesSettings {
            notes_path: "/Notes/".into(),
            file_suffix: ".md".into(),
        };
        assert_eq!(
            NextcloudClient::notes_attachment_dir(&settings, "Work/Q1", 7),
            "Notes/Work/Q1/.attachments.7"
        );
        assert_eq!(
            NextcloudClient::notes_attachment_dir(&settings, "", 7),
            "Notes/.attachments.7"
        );
    }

    /// The old decoding: a `Value` tree, stubs skipped, each object converted to `Note`.
    fn decode_via_value(bytes: &[u8]) -> Option<Vec<Note>> {
        let raw: Vec<Value> = serde_json::from_slice(bytes).ok()?;
        let mut out = Vec::new();
        for value in raw {
            if value
                .as_object()
                .is_some_and(|o| o.len() == 1 && o.contains_key("id"))
            {
                continue;
            }
            out.push(serde_json::from_value(value).ok()?);
        }
        Some(out)
    }

    fn same(bytes: &str) {
        let typed = decode_chunk(bytes.as_bytes()).ok();
        let old = decode_via_value(bytes.as_bytes());
        let show = |v: &Option<Vec<Note>>| serde_json::to_string(v).unwrap();
        assert_eq!(show(&typed), show(&old), "{bytes}");
    }

    #[test]
    fn typed_chunk_decoding_matches_the_value_path() {
        same(
            r#"[{"id":1,"etag":"e","readonly":false,"modified":5,"title":"T","category":"c","content":"x\u00e9","favorite":true},{"id":2},{"id":3}]"#,
        );
        same(
            r#"[{"id":1,"title":"only title"},{"id":2,"unknown":{"a":[1,2]}},{"unknown":1,"id":9}]"#,
        );
        same(r#"[{"id":1,"title":"a","title":"b"}]"#);
        same("[]");
        // Failures stay failures.
        same(r#"[{"title":"no id"}]"#);
        same(r#"[{"id":1,"title":null}]"#);
        same(r#"[{"id":"1"}]"#);
        same(r#"[{"id":"1","title":"t"}]"#);
        same(r#"[{"id":null},{"id":1.5,"title":"t"}]"#);
        same(r#"{"id":1}"#);
        same("not json");
    }
}
