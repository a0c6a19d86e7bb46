//! Notes resources: `notes://settings`, `nc://Notes/{note_id}` and
//! `nc://Notes/{note_id}/attachments/{attachment_filename}`.

use base64::Engine;
use rmcp::ErrorData as McpError;
use rmcp::model::{ReadResourceResult, ResourceContents, ResourceTemplate};

use super::NextcloudMcp;
use super::notes::fetch_attachment;
use super::notes_exclusion::NotesExclusion;
use super::resources::json_resource;
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::dav::decode;

/// URI of the Notes settings resource.
pub const SETTINGS_URI: &str = "notes://settings";

/// True when the config enables the notes toolset.
pub fn enabled(host: &NextcloudMcp) -> bool {
    super::resources::toolset_enabled(host, "notes")
}

/// The Notes resource templates (none when the notes toolset is off).
pub fn templates(host: &NextcloudMcp) -> Vec<ResourceTemplate> {
    if !enabled(host) {
        return Vec::new();
    }
    vec![
        ResourceTemplate::new("nc://Notes/{note_id}", "note")
            .with_description("One note as JSON: title, category, Markdown content, etag")
            .with_mime_type("application/json"),
        ResourceTemplate::new(
            "nc://Notes/{note_id}/attachments/{attachment_filename}",
            "note attachment",
        )
        .with_description("A file attached to a note (from its .attachments folder)"),
    ]
}

/// A failure reading a resource, as rmcp's internal error (shared with the Deck resources).
pub(crate) fn to_mcp(err: impl std::fmt::Display) -> McpError {
    McpError::internal_error(err.to_string(), None)
}

/// Reads a Notes resource; `Ok(None)` when the URI is not one of ours.
pub async fn read(
    host: &NextcloudMcp,
    client: &NextcloudClient,
    uri: &str,
) -> Result<Option<ReadResourceResult>, McpError> {
    if !enabled(host) {
        return Ok(None);
    }
    if uri == SETTINGS_URI {
        let settings = client.notes_settings().await.map_err(to_mcp)?;
        let value = serde_json::to_value(settings).map_err(to_mcp)?;
        return Ok(Some(json_resource(uri, &value)));
    }
    let Some(rest) = uri.strip_prefix("nc://Notes/") else {
        return Ok(None);
    };
    let (id_text, attachment) = match rest.split_once("/attachments/") {
        Some((id, name)) => (id, Some(decode(name))),
        None => (rest, None),
    };
    let note_id: i64 = id_text.parse().map_err(|_| {
        McpError::invalid_params(format!("`{id_text}` in {uri} is not a note id"), None)
    })?;
    match attachment {
        None => {
            let exclusion = NotesExclusion::load(host, client)
                .await
                .map_err(|e| McpError::invalid_params(e.message, None))?;
            let note = client.notes_get(note_id).await.map_err(to_mcp)?;
            exclusion
                .check(&note)
                .map_err(|e| McpError::invalid_params(e.message, None))?;
            let value = serde_json::to_value(note).map_err(to_mcp)?;
            Ok(Some(json_resource(uri, &value)))
        }
        Some(name) => {
            let (bytes, mime) = fetch_attachment(host, client, note_id, &name)
                .await
                .map_err(|e| McpError::invalid_params(e.message, None))?;
            let contents = match text_in_place(&mime, bytes) {
                Ok(text) => ResourceContents::text(text, uri).with_mime_type(mime),
                Err(bytes) => ResourceContents::blob(
                    base64::engine::general_purpose::STANDARD.encode(&bytes),
                    uri,
                )
                .with_mime_type(mime),
            };
            Ok(Some(ReadResourceResult::new(vec![contents])))
        }
    }
}

/// Text attachments decoded in place when they are valid UTF-8 (no lossy copy); anything else
/// comes back untouched, to be sent as a blob.
fn text_in_place(mime: &str, bytes: Vec<u8>) -> Result<String, Vec<u8>> {
    if !mime.starts_with("text/") {
        return Err(bytes);
    }
    String::from_utf8(bytes).map_err(|e| e.into_bytes())
}
