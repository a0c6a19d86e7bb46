//! Listing and reading files.

use crate::tools::answer::{Json, structured};
use base64::Engine;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::super::{NextcloudMcp, ToolError};
use super::hidden::{Hidden, norm, norm_item};
use super::visible;
use crate::nextcloud::webdav::FileInfo;

/// Arguments of `nc_webdav_list_directory`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListDirectoryArgs {
    /// Folder path relative to the user's files, e.g. `Documents/Projects`; empty for the root.
    #[serde(default)]
    pub path: String,
}

/// Result of `nc_webdav_list_directory`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DirectoryListing {
    /// The folder listed.
    pub path: String,
    /// Its entries, folders first, then by name.
    pub files: Vec<FileInfo>,
    /// Number of entries.
    pub total_count: usize,
    /// Number of folders.
    pub directories_count: usize,
    /// Number of files.
    pub files_count: usize,
    /// Sum of the file sizes in bytes.
    pub total_size: u64,
}

/// Bytes read by `nc_webdav_read_file` when no `length` is given: with JSON escaping and
/// base64 the result stays well inside the 1 MiB per-message limit of common MCP clients.
pub const DEFAULT_READ_BYTES: u64 = 512 * 1024;

/// Most bytes of JSON-escaped text in one default read (a text full of escapes is cut shorter).
pub const INLINE_TEXT_BUDGET: usize = 768 * 1024;

/// Arguments of `nc_webdav_read_file`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadFileArgs {
    /// File path relative to the user's files, e.g. `Documents/notes.md`.
    pub path: String,
    /// `auto` (text as text, images as image content, other files as base64), `markdown` (same; no document conversion is done on this server) or `raw` (never image content).
    #[serde(default = "default_parse")]
    pub parse_document: String,
    /// Byte offset to start reading at (default 0). Large files are read in ranges: pass the `next_offset` of the previous result.
    #[serde(default)]
    pub offset: u64,
    /// Most bytes to read (default 524288 = 512 KiB, which fits every client's message limit; at most the server's read limit, toolsets.files.max_read_bytes).
    #[serde(default)]
    pub length: Option<u64>,
}

fn default_parse() -> String {
    "auto".into()
}

/// Result of `nc_webdav_read_file`. The content itself is carried once, in the result's first
/// content block (text, base64 text or an image); this structured part describes it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadFileResponse {
    /// The file read.
    pub path: String,
    /// MIME type.
    pub content_type: String,
    /// Size of the whole file in bytes (when the server reported it).
    pub size: Option<u64>,
    /// Offset of the first byte in the content block.
    pub offset: u64,
    /// Bytes of the file in the content block.
    pub length: u64,
    /// True when the content block reaches the end of the file.
    pub complete: bool,
    /// Where the next range starts (pass it as `offset`); null when complete.
    pub next_offset: Option<u64>,
    /// ETag: pass it as `if_match` to nc_webdav_write_file to replace exactly this version.
    pub etag: Option<String>,
    /// `text`, `base64` or `image`: the format of the first content block.
    pub content_format: String,
    /// `not_parsed`: this server returns files as they are, without document conversion.
    pub parse_status: String,
    /// What to do next (for example how to read the rest of a large file).
    pub note: String,
}

/// A text window of a range: leading UTF-8 continuation bytes (a range that starts inside a
/// character) are skipped and an incomplete character at the end is left for the next range.
/// Returns the text (decoded in place, without a copy) and the bytes skipped in front, or the
/// untouched bytes when they are not UTF-8 text.
pub fn text_window(
    mut bytes: Vec<u8>,
    at_start: bool,
    at_end: bool,
) -> Result<(String, usize), Vec<u8>> {
    let skipped = if at_start {
        0
    } else {
        bytes
            .iter()
            .take(3)
            .take_while(|b| (**b & 0b1100_0000) == 0b1000_0000)
            .count()
    };
    if memchr::memchr(0, &bytes[skipped..]).is_some() {
        return Err(bytes);
    }
    if skipped == 0 {
        // The usual window: UTF-8 from its first to its last byte, validated once and moved
        // into the String as it is.
        match String::from_utf8(bytes) {
            Ok(text) => return Ok((text, 0)),
            Err(e) => bytes = e.into_bytes(),
        }
    }
    let body = &bytes[skipped..];
    let end = match std::str::from_utf8(body) {
        Ok(_) => body.len(),
        Err(e) if e.error_len().is_none() && !at_end => e.valid_up_to(),
        Err(_) => return Err(bytes),
    };
    if end == 0 && !body.is_empty() {
        // A range too short to hold one whole character: send its bytes, so reading moves on.
        return Err(bytes);
    }
    bytes.truncate(skipped + end);
    bytes.drain(..skipped);
    String::from_utf8(bytes)
        .map(|text| (text, skipped))
        .map_err(|e| e.into_bytes())
}

/// Cuts `text` so that its JSON-escaped form stays within `budget` bytes, at a character
/// boundary. Counted per byte (a UTF-8 character's bytes are written as they are, so each
/// costs 1), a block at a time with branch-free arithmetic the compiler vectorises: well under
/// an instruction per byte where a walk over the characters took fifteen.
pub fn fit_escaped(text: &mut String, budget: usize) {
    if let Some(cut) = escaped_cut(text, budget) {
        text.truncate(cut);
    }
}

/// Where `text` must be cut for its escaped form to fit `budget`; None when it fits whole.
fn escaped_cut(text: &str, budget: usize) -> Option<usize> {
    const BLOCK: usize = 256;
    let mut used = 0usize;
    let mut at = 0;
    for block in text.as_bytes().chunks(BLOCK) {
        let cost = block.len() + block_extra(block);
        if used + cost <= budget {
            used += cost;
            at += block.len();
            continue;
        }
        for b in block {
            used += 1 + usize::from(extra_escaped(*b));
            if used > budget {
                // Cut before the character this byte belongs to.
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                return Some(at);
            }
            at += 1;
        }
    }
    None
}

/// [`extra_escaped`] summed over `bytes`, 32 bytes at a time in u8 lanes (32 × 5 fits a u8):
/// the form the compiler turns into vector code.
fn block_extra(bytes: &[u8]) -> usize {
    let mut total = 0;
    let mut lanes = bytes.chunks_exact(32);
    for lane in &mut lanes {
        let sum = lane
            .iter()
            .fold(0u8, |acc, b| acc.wrapping_add(extra_escaped(*b)));
        total += usize::from(sum);
    }
    total
        + lanes
            .remainder()
            .iter()
            .map(|b| usize::from(extra_escaped(*b)))
            .sum::<usize>()
}

/// Bytes serde_json writes for `b` beyond the byte itself: `\"`, `\\` and the short escapes
/// (`\b \t \n \f \r`) one more, other control characters (`\u00XX`) five more, every other
/// byte (UTF-8 bytes of other characters included) none. Branch-free, for [`block_extra`].
fn extra_escaped(b: u8) -> u8 {
    let control = u8::from(b < 0x20);
    // 0x08 to 0x0d except 0x0b (vertical tab, written as \u000b).
    let short = u8::from(b.wrapping_sub(8) < 6) & u8::from(b != 0x0b);
    let quote = u8::from(b == b'"') | u8::from(b == b'\\');
    control * 5 - short * 4 + quote
}

/// True for content that should be shown as text.
pub fn is_text(content_type: &str, bytes: &[u8]) -> bool {
    let ct = content_type.to_ascii_lowercase();
    let textual = ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || ct.contains("javascript")
        || ct.contains("yaml")
        || ct.contains("x-sh")
        || ct.contains("markdown")
        || ct.contains("csv");
    let unknown = ct.is_empty() || ct.starts_with("application/octet-stream");
    (textual || unknown) && memchr::memchr(0, bytes).is_none() && std::str::from_utf8(bytes).is_ok()
}

/// Image types MCP clients display.
pub fn is_image(content_type: &str) -> bool {
    matches!(
        content_type.to_ascii_lowercase().as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// Folders first, then by lower-cased name; entries that compare equal keep their order.
/// Each name is lower-cased once (not once per comparison).
pub fn sort_listing(files: &mut [FileInfo]) {
    files.sort_by_cached_key(|f| (!f.is_directory(), f.name.to_lowercase()));
}

#[tool_router(router = files_read_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List a folder of the user's files: name, type, size, content type, modification time, etag and file id of each entry.
    #[tool(
        name = "nc_webdav_list_directory",
        input_schema = crate::tools::catalogue::input::<ListDirectoryArgs>(),
        output_schema = crate::tools::catalogue::output::<DirectoryListing>(),
        annotations(
            title = "List folder",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_list_directory(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListDirectoryArgs>,
    ) -> Result<Json<DirectoryListing>, ToolError> {
        let path = norm("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check("path", &path)?;
        let (me, children) = client.files_list(&path).await?;
        if !me.is_directory() {
            return Err(ToolError::invalid(
                "path",
                format!("`{path}` is a file; read it with nc_webdav_read_file"),
            ));
        }
        let mut files = visible(&hidden, children);
        sort_listing(&mut files);
        let directories_count = files.iter().filter(|f| f.is_directory()).count();
        Ok(Json(DirectoryListing {
            path,
            total_count: files.len(),
            directories_count,
            files_count: files.len() - directories_count,
            total_size: files
                .iter()
                .filter(|f| !f.is_directory())
                .filter_map(|f| f.size)
                .sum(),
            files,
        }))
    }

    /// Read a file, or a byte range of a large one. Text comes back as text, images as image content, other files as base64, always in the first content block (once); the structured result gives size, etag and, when more is left, the `next_offset` to pass as `offset` for the next range. Each read returns at most 512 KiB unless `length` says otherwise.
    #[tool(
        name = "nc_webdav_read_file",
        input_schema = crate::tools::catalogue::input::<ReadFileArgs>(),
        output_schema = crate::tools::catalogue::output::<ReadFileResponse>(),
        annotations(
            title = "Read file",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_read_file(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReadFileArgs>,
    ) -> Result<CallToolResult, ToolError> {
        let mode = args.parse_document.trim().to_ascii_lowercase();
        if !matches!(mode.as_str(), "auto" | "markdown" | "raw") {
            return Err(ToolError::invalid(
                "parse_document",
                "use auto, markdown or raw",
            ));
        }
        let cap = self.settings.files.max_read_bytes;
        let length = match args.length {
            Some(0) => return Err(ToolError::invalid("length", "must be at least 1")),
            Some(n) if n > cap => {
                return Err(ToolError::invalid(
                    "length",
                    format!(
                        "{n} bytes is more than the read limit of {cap} bytes (toolsets.files.max_read_bytes); read in ranges with offset"
                    ),
                ));
            }
            Some(n) => n,
            None => DEFAULT_READ_BYTES.min(cap),
        };
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check("path", &path)?;
        self.progress(&ctx, args.offset, None, &format!("downloading {path}"))
            .await;
        let download = client.files_get_range(&path, args.offset, length).await?;
        let total = download.total_size;
        let received = download.bytes.len() as u64;
        if received > 0 {
            self.progress(&ctx, download.offset + received, total, "downloaded")
                .await;
        }
        let content_type = download
            .content_type
            .as_deref()
            .map(|c| c.split(';').next().unwrap_or_default().trim().to_string())
            .unwrap_or_default();
        let reaches_end = match total {
            Some(t) => download.offset + received >= t,
            None => received < length,
        };
        let at_start = download.offset == 0;
        let mut offset = download.offset;
        let window = if is_text(&content_type, &[]) {
            text_window(download.bytes, at_start, reaches_end)
        } else {
            Err(download.bytes)
        };
        let (block, format, returned) = match window {
            Ok((mut text, skipped)) => {
                offset += skipped as u64;
                if args.length.is_none() {
                    fit_escaped(&mut text, INLINE_TEXT_BUDGET);
                }
                let n = text.len() as u64;
                (ContentBlock::text(text), "text", n)
            }
            Err(bytes) => {
                let n = bytes.len() as u64;
                let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
                if mode != "raw" && is_image(&content_type) && at_start && reaches_end {
                    (ContentBlock::image(data, content_type.clone()), "image", n)
                } else {
                    (ContentBlock::text(data), "base64", n)
                }
            }
        };
        let end = offset + returned;
        let complete = match total {
            Some(t) => end >= t,
            None => reaches_end && returned == received,
        };
        let next_offset = (!complete).then_some(end);
        let note = match next_offset {
            None if offset == 0 => "the whole file is in the first content block".to_string(),
            None => format!(
                "bytes {offset}-{} (the end of the file) are in the first content block",
                end.saturating_sub(1)
            ),
            Some(next) => format!(
                "this is bytes {offset}-{} of {}; call nc_webdav_read_file with offset={next} for the next range",
                end.saturating_sub(1),
                total
                    .map(|t| format!("{t}"))
                    .unwrap_or_else(|| "more".into())
            ),
        };
        let response = ReadFileResponse {
            path,
            content_type: if content_type.is_empty() {
                "application/octet-stream".into()
            } else {
                content_type
            },
            size: total.or(complete.then_some(end)),
            offset,
            length: returned,
            complete,
            next_offset,
            etag: download.etag,
            content_format: format.into(),
            parse_status: "not_parsed".into(),
            note,
        };
        let value = serde_json::to_value(&response)
            .map_err(|e| ToolError::new(format!("cannot encode the result: {e}")))?;
        Ok(structured(vec![block], value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_windows_respect_character_boundaries() {
        let text = "aé€😀b".as_bytes().to_vec();
        // A range cut inside `€` (bytes 3..6): the end waits for the next range.
        let (head, skipped) = text_window(text[..4].to_vec(), true, false).unwrap();
        assert_eq!((head.as_str(), skipped), ("aé", 0));
        // A range starting inside `€` skips its continuation bytes.
        let (tail, skipped) = text_window(text[4..].to_vec(), false, true).unwrap();
        assert_eq!((tail.as_str(), skipped), ("😀b", 2));
        // At the end of the file a cut character is not text.
        assert!(text_window(text[..4].to_vec(), true, true).is_err());
        // Too short for one character: not text (base64), so the next offset still moves on.
        assert!(text_window("€".as_bytes()[..2].to_vec(), true, false).is_err());
        let binary = vec![0u8, 1, 2];
        assert_eq!(text_window(binary.clone(), true, true).unwrap_err(), binary);
    }

    #[test]
    fn escaped_text_fits_the_budget() {
        let mut plain = "a".repeat(100);
        fit_escaped(&mut plain, 50);
        assert_eq!(plain.len(), 50);
        let mut controls = "\u{1}".repeat(100);
        fit_escaped(&mut controls, 60);
        assert_eq!(controls.len(), 10);
        let mut quotes = "\"ü".repeat(10);
        fit_escaped(&mut quotes, 8);
        assert_eq!(quotes, "\"ü\"ü");
    }

    /// The former character walk, kept as the reference.
    fn fit_escaped_by_chars(text: &mut String, budget: usize) {
        let mut used = 0;
        for (index, c) in text.char_indices() {
            used += match c {
                '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
                c if (c as u32) < 0x20 => 6,
                c => c.len_utf8(),
            };
            if used > budget {
                text.truncate(index);
                return;
            }
        }
    }

    /// The former text_window (two UTF-8 scans, `contains` for NUL), kept as the reference.
    fn text_window_before(
        mut bytes: Vec<u8>,
        at_start: bool,
        at_end: bool,
    ) -> Result<(String, usize), Vec<u8>> {
        let skipped = if at_start {
            0
        } else {
            bytes
                .iter()
                .take(3)
                .take_while(|b| (**b & 0b1100_0000) == 0b1000_0000)
                .count()
        };
        let body = &bytes[skipped..];
        if body.contains(&0) {
            return Err(bytes);
        }
        let end = match std::str::from_utf8(body) {
            Ok(_) => body.len(),
            Err(e) if e.error_len().is_none() && !at_end => e.valid_up_to(),
            Err(_) => return Err(bytes),
        };
        if end == 0 && !body.is_empty() {
            return Err(bytes);
        }
        bytes.truncate(skipped + end);
        bytes.drain(..skipped);
        String::from_utf8(bytes)
            .map(|text| (text, skipped))
            .map_err(|e| e.into_bytes())
    }

    proptest::proptest! {
        #[test]
        fn text_window_matches_the_former_one(
            text in "(\\PC|[é€😀\\x00]){0,40}",
            noise in proptest::collection::vec(proptest::num::u8::ANY, 0..4),
            cut_start in 0usize..8,
            cut_end in 0usize..8,
            at_start: bool,
            at_end: bool,
        ) {
            let mut bytes = text.into_bytes();
            if cut_start % 3 == 0 {
                bytes.extend_from_slice(&noise);
            }
            let start = cut_start.min(bytes.len());
            let end = bytes.len().saturating_sub(cut_end).max(start);
            let window = bytes[start..end].to_vec();
            proptest::prop_assert_eq!(
                text_window(window.clone(), at_start, at_end),
                text_window_before(window, at_start, at_end)
            );
        }

        #[test]
        fn escaped_fit_matches_the_character_walk(
            text in "(\\PC|[\\x00-\\x1f\"\\\\]|[é€😀]){0,300}",
            budget in 0usize..700,
        ) {
            let mut fast = text.clone();
            fit_escaped(&mut fast, budget);
            let mut slow = text.clone();
            fit_escaped_by_chars(&mut slow, budget);
            proptest::prop_assert_eq!(&fast, &slow);
            // And the cut text really fits once escaped by serde_json.
            proptest::prop_assert!(serde_json::to_string(&fast).unwrap().len() - 2 <= budget);
        }
    }

    #[test]
    fn extra_escape_bytes_match_serde_json_for_every_byte() {
        for b in 0u8..0x80 {
            let escaped = serde_json::to_string(&(b as char).to_string()).unwrap();
            assert_eq!(
                escaped.len() - 3,
                usize::from(extra_escaped(b)),
                "byte {b:#x}"
            );
        }
        for b in 0x80u8..=0xff {
            assert_eq!(extra_escaped(b), 0, "byte {b:#x}");
        }
        let all: Vec<u8> = (0u8..0x80).cycle().take(1000).collect();
        let one_by_one: usize = all.iter().map(|b| usize::from(extra_escaped(*b))).sum();
        assert_eq!(block_extra(&all), one_by_one);
    }

    fn entry(name: &str, dir: bool) -> FileInfo {
        FileInfo {
            path: name.into(),
            name: name.into(),
            kind: if dir { "directory" } else { "file" }.into(),
            size: None,
            content_type: None,
            last_modified: None,
            etag: None,
            file_id: None,
            favorite: false,
        }
    }

    proptest::proptest! {
        /// The cached keys order a listing exactly as the former comparator did, ties included.
        #[test]
        fn listing_order_is_unchanged(
            entries in proptest::collection::vec(("[aAbBäÄ İı_ .1]{0,4}", proptest::bool::ANY), 0..40)
        ) {
            let files: Vec<FileInfo> = entries
                .iter()
                .enumerate()
                .map(|(i, (name, dir))| FileInfo { file_id: Some(i as i64), ..entry(name, *dir) })
                .collect();
            let mut old = files.clone();
            old.sort_by(|a, b| {
                b.is_directory()
                    .cmp(&a.is_directory())
                    .then(a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            });
            let mut new = files;
            sort_listing(&mut new);
            let ids = |v: &[FileInfo]| v.iter().map(|f| f.file_id).collect::<Vec<_>>();
            proptest::prop_assert_eq!(ids(&old), ids(&new));
        }
    }

    #[test]
    fn text_detection() {
        assert!(is_text("text/markdown", "# hi".as_bytes()));
        assert!(is_text("", "plain".as_bytes()));
        assert!(!is_text("application/pdf", b"%PDF"));
        assert!(!is_text("application/octet-stream", &[0, 1, 2]));
        assert!(is_image("image/png"));
        assert!(!is_image("image/svg+xml"));
    }
}
