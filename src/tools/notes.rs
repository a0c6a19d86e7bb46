//! Notes toolset: tool names and arguments match the reference server.

use crate::tools::answer::Json;
use base64::Engine;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::notes_exclusion::NotesExclusion;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::dav::normalize_path;
use crate::nextcloud::notes::{Note, NoteChanges};
use crate::nextcloud::notes_list::NoteRef;

/// Notes fetched per chunk when paging through the collection.
const CHUNK_SIZE: u32 = 100;
/// Safety bound on the number of chunks read for one call.
const MAX_CHUNKS: usize = 2000;

/// Arguments of `nc_notes_get_note`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetNoteArgs {
    /// Id of the note (from nc_notes_search_notes or nc_notes_list_notes).
    pub note_id: i64,
}

/// Arguments of `nc_notes_create_note`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateNoteArgs {
    /// Title of the new note.
    pub title: String,
    /// Markdown content of the note.
    pub content: String,
    /// Category (folder below the notes folder, `/` for subfolders); empty for none.
    pub category: String,
}

/// Arguments of `nc_notes_update_note`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateNoteArgs {
    /// Id of the note.
    pub note_id: i64,
    /// ETag from nc_notes_get_note; the update is refused if the note changed since.
    pub etag: String,
    /// New title; omit to keep it.
    #[serde(default)]
    pub title: Option<String>,
    /// New full Markdown content; omit to keep it.
    #[serde(default)]
    pub content: Option<String>,
    /// New category; omit to keep it (its attachments move along).
    #[serde(default)]
    pub category: Option<String>,
}

/// Arguments of `nc_notes_append_content`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AppendContentArgs {
    /// Id of the note.
    pub note_id: i64,
    /// Markdown to append; it is separated from the existing content by a line `---`.
    pub content: String,
}

/// Arguments of `nc_notes_search_notes`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchNotesArgs {
    /// Words to look for in titles and content (case-insensitive; title matches rank higher).
    pub query: String,
}

/// Arguments of `nc_notes_get_attachment`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetAttachmentArgs {
    /// Id of the note.
    pub note_id: i64,
    /// File name of the attachment as referenced in the note (e.g. `image.png`).
    pub attachment_filename: String,
}

/// Arguments of `nc_notes_list_notes`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListNotesArgs {
    /// Only notes of this category (exact match); omit for all.
    #[serde(default)]
    pub category: Option<String>,
    /// Most notes returned (1-1000).
    #[serde(default = "default_list_limit")]
    pub limit: u32,
}

fn default_list_limit() -> u32 {
    100
}

/// Result of a note write.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NoteWriteResponse {
    /// Note id.
    pub id: i64,
    /// Title after the write.
    pub title: String,
    /// Category after the write.
    pub category: String,
    /// New etag: pass it to the next update.
    pub etag: String,
    /// Last modification, seconds since the epoch.
    pub modified: i64,
    /// What happened.
    pub message: String,
}

impl NoteWriteResponse {
    fn from_note(note: Note, message: String) -> Self {
        Self {
            id: note.id,
            title: note.title,
            category: note.category,
            etag: note.etag,
            modified: note.modified,
            message,
        }
    }
}

/// One search hit.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NoteHit {
    /// Note id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Relevance: 3 per query word in the title, 1 per word in the content, divided by the number of words.
    pub score: f64,
}

/// Result of `nc_notes_search_notes`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchNotesResponse {
    /// Matching notes, best first.
    pub results: Vec<NoteHit>,
    /// The query.
    pub query: String,
    /// Number of matches.
    pub total_found: usize,
}

/// A note without its content.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NoteSummary {
    /// Note id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Last modification, seconds since the epoch.
    pub modified: i64,
    /// Favorite flag.
    pub favorite: bool,
}

/// Result of `nc_notes_list_notes`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListNotesResponse {
    /// Notes, most recently modified first, at most `limit`.
    pub notes: Vec<NoteSummary>,
    /// Number of notes matching (may be more than returned).
    pub total: usize,
    /// True when more notes match than were returned.
    pub truncated: bool,
}

/// Result of `nc_notes_delete_note`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeleteNoteResponse {
    /// Id of the deleted note.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its category.
    pub category: String,
    /// True when the note's attachment folder was removed too.
    pub attachments_removed: bool,
    /// What happened and how to undo it.
    pub message: String,
}

/// A note attachment.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AttachmentResponse {
    /// Resource URI of the attachment.
    pub uri: String,
    /// MIME type.
    #[serde(rename = "mimeType")]
    pub mime_type: String,
    /// Content, base64-encoded.
    pub data: String,
    /// Size in bytes.
    pub size: usize,
}

/// Scores a note against query words: title hits weigh 3, content hits 1. Matching is
/// case-insensitive in the sense of `str::to_lowercase` (the words are already lower-cased).
pub fn score_note(words: &[String], title: &str, content: &str) -> f64 {
    Scorer::new(words).score(title, content)
}

/// [`score_note`] for many notes: each word's searcher is built once, and the lower-cased
/// text goes into one buffer reused from note to note.
pub struct Scorer<'w> {
    finders: Vec<memchr::memmem::Finder<'w>>,
    lowered: Vec<u8>,
}

impl<'w> Scorer<'w> {
    /// A scorer for `words` (lower-cased, as [`query_words`] gives them).
    pub fn new(words: &'w [String]) -> Self {
        Self {
            finders: words
                .iter()
                .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
                .collect(),
            lowered: Vec::new(),
        }
    }

    /// 3 per word in the title plus 1 per word in the content, divided by the number of words
    /// (0 without words). The sums are small integers, exact in any order.
    pub fn score(&mut self, title: &str, content: &str) -> f64 {
        if self.finders.is_empty() {
            return 0.0;
        }
        let hits = 3 * self.words_in(title) + self.words_in(content);
        hits as f64 / self.finders.len() as f64
    }

    /// How many of the words `text.to_lowercase()` contains.
    fn words_in(&mut self, text: &str) -> usize {
        self.lowered.clear();
        if text.is_ascii() {
            // For ASCII text `to_lowercase` is `to_ascii_lowercase`.
            self.lowered
                .extend(text.bytes().map(|b| b.to_ascii_lowercase()));
        } else {
            self.lowered
                .extend_from_slice(text.to_lowercase().as_bytes());
        }
        let lowered = &self.lowered;
        self.finders
            .iter()
            .filter(|f| f.find(lowered).is_some())
            .count()
    }
}

/// Query words: lower-cased, longer than one character.
pub fn query_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() > 1)
        .collect()
}

/// Reads every note chunk by chunk, calling `each` per note (the first time its id is seen)
/// while the chunk is decoded: nothing of a note is kept unless `each` keeps it.
async fn for_each_note(
    client: &NextcloudClient,
    category: Option<&str>,
    exclude_content: bool,
    mut each: impl FnMut(NoteRef<'_>),
) -> ToolResult<()> {
    let mut cursor: Option<String> = None;
    let mut seen = rustc_hash::FxHashSet::default();
    for _ in 0..MAX_CHUNKS {
        let next = client
            .notes_chunk_each(
                CHUNK_SIZE,
                cursor.as_deref(),
                category,
                exclude_content,
                |note| {
                    if seen.insert(note.id) {
                        each(note);
                    }
                },
            )
            .await?;
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
    Err(ToolError::new(
        "the notes collection is too large to page through in one call",
    ))
}

/// Attachment file names must be one plain segment.
fn attachment_name(name: &str) -> ToolResult<String> {
    let normal = normalize_path(name).map_err(|e| ToolError::invalid("attachment_filename", e))?;
    if normal.is_empty() || normal.contains('/') {
        return Err(ToolError::invalid(
            "attachment_filename",
            "give the file name only, e.g. image.png",
        ));
    }
    Ok(normal)
}

/// Fetches a note attachment over WebDAV: `(bytes, content type)`.
pub async fn fetch_attachment(
    host: &NextcloudMcp,
    client: &NextcloudClient,
    note_id: i64,
    filename: &str,
) -> ToolResult<(Vec<u8>, String)> {
    let filename = attachment_name(filename)?;
    let exclusion = NotesExclusion::load(host, client).await?;
    let note = client.notes_get(note_id).await?;
    exclusion.check(&note)?;
    let settings = client.notes_settings().await?;
    let dir = NextcloudClient::notes_attachment_dir(&settings, &note.category, note_id);
    let path = format!("{dir}/{filename}");
    exclusion.check_attachment(&path)?;
    let download = client
        .files_get(&path, host.settings.files.max_read_bytes)
        .await?;
    let mime = download
        .content_type
        .map(|c| c.split(';').next().unwrap_or_default().trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    Ok((download.bytes, mime))
}

#[tool_router(router = notes_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Read one note: title, category, Markdown content and the etag needed to update it.
    #[tool(
        name = "nc_notes_get_note",
        input_schema = crate::tools::catalogue::input::<GetNoteArgs>(),
        output_schema = crate::tools::catalogue::output::<Note>(),
        annotations(
            title = "Get note",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_notes_get_note(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetNoteArgs>,
    ) -> Result<Json<Note>, ToolError> {
        let client = self.client(&ctx)?;
        let exclusion = NotesExclusion::load(self, &client).await?;
        let note = client.notes_get(args.note_id).await?;
        exclusion.check(&note)?;
        Ok(Json(note))
    }

    /// Create a note with a title, Markdown content and a category (empty for none). Returns its id and etag.
    #[tool(
        name = "nc_notes_create_note",
        input_schema = crate::tools::catalogue::input::<CreateNoteArgs>(),
        output_schema = crate::tools::catalogue::output::<NoteWriteResponse>(),
        annotations(
            title = "Create note",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_notes_create_note(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateNoteArgs>,
    ) -> Result<Json<NoteWriteResponse>, ToolError> {
        let client = self.client(&ctx)?;
        NotesExclusion::load(self, &client)
            .await?
            .check_category(&args.category)?;
        let note = client
            .notes_create(&args.title, &args.content, &args.category)
            .await?;
        let message = format!("created note {}", note.id);
        Ok(Json(NoteWriteResponse::from_note(note, message)))
    }

    /// Change a note's title, content and/or category. Needs the etag from nc_notes_get_note; if the note changed since, nothing is written and the result says to read it again.
    #[tool(
        name = "nc_notes_update_note",
        input_schema = crate::tools::catalogue::input::<UpdateNoteArgs>(),
        output_schema = crate::tools::catalogue::output::<NoteWriteResponse>(),
        annotations(
            title = "Update note",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_notes_update_note(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateNoteArgs>,
    ) -> Result<Json<NoteWriteResponse>, ToolError> {
        if args.etag.trim().is_empty() {
            return Err(ToolError::invalid(
                "etag",
                "give the etag from nc_notes_get_note",
            ));
        }
        if args.title.is_none() && args.content.is_none() && args.category.is_none() {
            return Err(ToolError::invalid(
                "title/content/category",
                "give at least one field to change",
            ));
        }
        let client = self.client(&ctx)?;
        let exclusion = NotesExclusion::load(self, &client).await?;
        let hiding = exclusion.is_active();
        let before = if args.category.is_some() || hiding {
            let note = client.notes_get(args.note_id).await?;
            exclusion.check(&note)?;
            Some(note)
        } else {
            None
        };
        if let Some(category) = &args.category {
            exclusion.check_category(category)?;
            // Its attachments move along with a new category: never a hidden one.
            if let Some(before) = before.as_ref().filter(|b| &b.category != category) {
                exclusion.check_attachment_dir(
                    before.id,
                    &before.category,
                    "moved to another category",
                )?;
            }
        }
        let changes = NoteChanges {
            title: args.title,
            content: args.content,
            category: args.category,
        };
        let note = client
            .notes_update(args.note_id, &args.etag, &changes)
            .await?;
        let mut message = format!("updated note {}", note.id);
        if let Some(before) = before.filter(|b| b.category != note.category) {
            // The Notes app moves the note file but not its attachment folder: move it along.
            if let Ok(settings) = client.notes_settings().await {
                let from =
                    NextcloudClient::notes_attachment_dir(&settings, &before.category, note.id);
                let to = NextcloudClient::notes_attachment_dir(&settings, &note.category, note.id);
                match client.files_transfer(false, &from, &to, false, None).await {
                    Ok(_) => message.push_str("; its attachments moved to the new category"),
                    Err(err) if err.status() == Some(404) => {}
                    Err(err) => message.push_str(&format!(
                        "; its attachments stayed in the old category folder ({err})"
                    )),
                }
            }
        }
        Ok(Json(NoteWriteResponse::from_note(note, message)))
    }

    /// Append Markdown to the end of a note (separated by a line `---`). Reads the note and writes it back with its etag, so a concurrent change is never overwritten.
    #[tool(
        name = "nc_notes_append_content",
        input_schema = crate::tools::catalogue::input::<AppendContentArgs>(),
        output_schema = crate::tools::catalogue::output::<NoteWriteResponse>(),
        annotations(
            title = "Append to note",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_notes_append_content(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<AppendContentArgs>,
    ) -> Result<Json<NoteWriteResponse>, ToolError> {
        let client = self.client(&ctx)?;
        let exclusion = NotesExclusion::load(self, &client).await?;
        let note = client.notes_get(args.note_id).await?;
        exclusion.check(&note)?;
        let content = if note.content.is_empty() {
            args.content.clone()
        } else {
            format!("{}\n---\n{}", note.content, args.content)
        };
        let changes = NoteChanges {
            content: Some(content),
            ..NoteChanges::default()
        };
        let updated = client
            .notes_update(args.note_id, &note.etag, &changes)
            .await?;
        let message = format!(
            "appended {} characters to note {}",
            args.content.chars().count(),
            updated.id
        );
        Ok(Json(NoteWriteResponse::from_note(updated, message)))
    }

    /// Search notes by words in their title and content. Pages through all notes; title matches rank above content matches.
    #[tool(
        name = "nc_notes_search_notes",
        input_schema = crate::tools::catalogue::input::<SearchNotesArgs>(),
        output_schema = crate::tools::catalogue::output::<SearchNotesResponse>(),
        annotations(
            title = "Search notes",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_notes_search_notes(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SearchNotesArgs>,
    ) -> Result<Json<SearchNotesResponse>, ToolError> {
        let words = query_words(&args.query);
        if words.is_empty() {
            return Err(ToolError::invalid(
                "query",
                "give at least one word of two or more characters",
            ));
        }
        let client = self.client(&ctx)?;
        let exclusion = NotesExclusion::load(self, &client).await?;
        let mut results = Vec::new();
        let mut scorer = Scorer::new(&words);
        for_each_note(&client, None, false, |note| {
            if exclusion.is_hidden(note.id, note.category) {
                return;
            }
            let score = scorer.score(note.title, note.content);
            if score >= 0.5 {
                results.push(NoteHit {
                    id: note.id,
                    title: note.title.to_owned(),
                    category: note.category.to_owned(),
                    score,
                });
            }
        })
        .await?;
        results.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(Json(SearchNotesResponse {
            total_found: results.len(),
            results,
            query: args.query,
        }))
    }

    /// List notes (id, title, category, modification time), newest first, optionally of one category, with the total count.
    #[tool(
        name = "nc_notes_list_notes",
        input_schema = crate::tools::catalogue::input::<ListNotesArgs>(),
        output_schema = crate::tools::catalogue::output::<ListNotesResponse>(),
        annotations(
            title = "List notes",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_notes_list_notes(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListNotesArgs>,
    ) -> Result<Json<ListNotesResponse>, ToolError> {
        if !(1..=1000).contains(&args.limit) {
            return Err(ToolError::invalid("limit", "must be between 1 and 1000"));
        }
        let client = self.client(&ctx)?;
        let exclusion = NotesExclusion::load(self, &client).await?;
        let category = args.category.as_deref();
        let mut notes = Vec::new();
        for_each_note(&client, category, true, |note| {
            if category.is_none_or(|c| c == note.category)
                && !exclusion.is_hidden(note.id, note.category)
            {
                notes.push(NoteSummary {
                    id: note.id,
                    title: note.title.to_owned(),
                    category: note.category.to_owned(),
                    modified: note.modified,
                    favorite: note.favorite,
                });
            }
        })
        .await?;
        notes.sort_by(|a, b| b.modified.cmp(&a.modified).then(b.id.cmp(&a.id)));
        let total = notes.len();
        notes.truncate(args.limit as usize);
        Ok(Json(ListNotesResponse {
            truncated: total > notes.len(),
            notes,
            total,
        }))
    }

    /// Read a file attached to a note (from the note's `.attachments.<id>` folder), base64-encoded.
    #[tool(
        name = "nc_notes_get_attachment",
        input_schema = crate::tools::catalogue::input::<GetAttachmentArgs>(),
        output_schema = crate::tools::catalogue::output::<AttachmentResponse>(),
        annotations(
            title = "Get note attachment",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_notes_get_attachment(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetAttachmentArgs>,
    ) -> Result<Json<AttachmentResponse>, ToolError> {
        let client = self.client(&ctx)?;
        let (bytes, mime) =
            fetch_attachment(self, &client, args.note_id, &args.attachment_filename).await?;
        Ok(Json(AttachmentResponse {
            uri: format!(
                "nc://Notes/{}/attachments/{}",
                args.note_id, args.attachment_filename
            ),
            mime_type: mime,
            size: bytes.len(),
            data: base64::engine::general_purpose::STANDARD.encode(&bytes),
        }))
    }

    /// Delete a note and its attachment folder. The note file goes to the Nextcloud trash bin, where it can be restored.
    #[tool(
        name = "nc_notes_delete_note",
        input_schema = crate::tools::catalogue::input::<GetNoteArgs>(),
        output_schema = crate::tools::catalogue::output::<DeleteNoteResponse>(),
        annotations(
            title = "Delete note",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_notes_delete_note(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetNoteArgs>,
    ) -> Result<Json<DeleteNoteResponse>, ToolError> {
        let client = self.client(&ctx)?;
        let exclusion = NotesExclusion::load(self, &client).await?;
        let note = client.notes_get(args.note_id).await?;
        exclusion.check(&note)?;
        exclusion.check_attachment_dir(note.id, &note.category, "deleted")?;
        client.notes_delete(args.note_id).await?;
        let mut attachments_removed = false;
        if let Ok(settings) = client.notes_settings().await {
            let dir = NextcloudClient::notes_attachment_dir(&settings, &note.category, note.id);
            attachments_removed = client.files_delete(&dir).await.is_ok();
        }
        Ok(Json(DeleteNoteResponse {
            id: note.id,
            message: format!(
                "deleted note {} \"{}\"; to undo, find it with nc_webdav_list_trash and restore it with nc_webdav_restore_from_trash",
                note.id, note.title
            ),
            title: note.title,
            category: note.category,
            attachments_removed,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_matches_rank_above_content() {
        let words = query_words("Rust async");
        let title = score_note(&words, "Rust async notes", "");
        let content = score_note(&words, "Other", "rust and async");
        assert!(title > content);
        assert_eq!(content, 1.0);
        assert!(score_note(&words, "nothing", "here") < 0.5);
    }

    #[test]
    fn words_drop_single_characters() {
        assert_eq!(query_words("a bc, D-ef"), vec!["bc", "ef"]);
    }
}
