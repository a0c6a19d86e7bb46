//! Structured tool answers, built with as little work as the MCP result allows.
//!
//! rmcp's own `Json<T>` builds an answer three times: a `serde_json::Value` tree
//! (`structuredContent`), that tree's `Display` text for the text block (written piece by piece
//! through `fmt::Formatter` into a `String` that grows by doubling), and rmcp's serialisation of
//! the whole response. [`Json`] here is a drop-in replacement (same name, so `#[tool]` still
//! derives the output schema from `T`): the tree is built once, and the text block is written
//! from it with `serde_json`'s writer straight into one buffer. The answer's bytes are the same
//! as rmcp's (`tests` below compare them).

use std::borrow::Cow;

use rmcp::handler::server::tool::IntoCallToolResult;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};
use schemars::JsonSchema;
use serde::Serialize;

/// Structured output of a tool: `T` as `structuredContent`, and the same JSON as the text
/// block for clients that read only text. Same contract as rmcp's `Json<T>`.
pub struct Json<T>(pub T);

impl<T: JsonSchema> JsonSchema for Json<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<T: Serialize + JsonSchema + 'static> IntoCallToolResult for Json<T> {
    fn into_call_tool_result(self) -> Result<CallToolResponse, rmcp::ErrorData> {
        let value = serde_json::to_value(&self.0).map_err(|e| {
            rmcp::ErrorData::internal_error(
                format!("Failed to serialize structured content: {e}"),
                None,
            )
        })?;
        Ok(structured(Vec::new(), value).into())
    }
}

/// A result that hands its owned fields to the `structuredContent` tree: the same tree
/// `serde_json::to_value` builds (keys in field order, `None` as null), without copying every
/// string and freeing the original. Worth it for large results (a 500-entry listing).
pub trait IntoValue {
    /// The JSON tree of `self`, equal to `serde_json::to_value(&self)`, keys in the same order.
    fn into_value(self) -> serde_json::Value;
}

/// Structured output like [`Json`], for results implementing [`IntoValue`]: the same answer
/// bytes, built by moving the result into the tree. Tools returning it name their output
/// schema (`output_schema = catalogue::output::<T>()`), as every tool does.
pub struct Structured<T>(pub T);

impl<T: IntoValue + 'static> IntoCallToolResult for Structured<T> {
    fn into_call_tool_result(self) -> Result<CallToolResponse, rmcp::ErrorData> {
        Ok(structured(Vec::new(), self.0.into_value()).into())
    }
}

/// A successful result carrying `value` as `structuredContent`, with `leading` content blocks
/// (e.g. a file's content) followed by the JSON text of `value`: the same bytes as
/// `CallToolResult::structured` when `leading` is empty.
pub fn structured(mut leading: Vec<ContentBlock>, value: serde_json::Value) -> CallToolResult {
    leading.push(ContentBlock::text(json_text(&value)));
    let mut result = CallToolResult::success(leading);
    result.structured_content = Some(value);
    result
}

/// The compact JSON text of `value`, byte for byte what `value.to_string()` gives, written
/// through `serde_json`'s byte writer rather than `fmt::Display`.
pub fn json_text(value: &serde_json::Value) -> String {
    let mut buf = Vec::with_capacity(256);
    // Writing a `Value` into a Vec cannot fail: its keys are strings and Vec writes are
    // infallible; fall back to `Display` just in case.
    if serde_json::to_writer(&mut buf, value).is_err() {
        return value.to_string();
    }
    // serde_json writes valid UTF-8; the check is cheap next to the serialisation.
    String::from_utf8(buf).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rmcp::handler::server::wrapper::Json as RmcpJson;
    use serde_json::json;

    /// A whole tool result as it is serialised.
    pub(crate) fn bytes(response: Result<CallToolResponse, rmcp::ErrorData>) -> String {
        match response {
            Ok(CallToolResponse::Complete(result)) => serde_json::to_string(&result).unwrap(),
            Ok(_) => panic!("not a complete result"),
            Err(e) => panic!("{e:?}"),
        }
    }

    fn same_as_rmcp<T: Serialize + JsonSchema + Clone + 'static>(value: T) {
        same_answer(|| value.clone());
    }

    /// The whole result serialised, ours against rmcp's `Json<T>`.
    fn same_answer<T: Serialize + JsonSchema + 'static>(make: impl Fn() -> T) {
        let ours = bytes(Json(make()).into_call_tool_result());
        let theirs = bytes(RmcpJson(make()).into_call_tool_result());
        assert_eq!(ours, theirs);
    }

    fn file(i: usize) -> crate::nextcloud::webdav::FileInfo {
        crate::nextcloud::webdav::FileInfo {
            path: format!("Documents/Ordner {i}/Bericht \"{i}\" é.md"),
            name: format!("Bericht \"{i}\" é.md"),
            kind: if i.is_multiple_of(3) {
                "directory"
            } else {
                "file"
            }
            .into(),
            size: (!i.is_multiple_of(4)).then_some(i as u64 * 1_000_003),
            content_type: (!i.is_multiple_of(5)).then(|| "text/markdown".into()),
            last_modified: Some("Mon, 30 Nov 2026 12:00:00 GMT".into()),
            etag: Some(format!("{i:x}abc")),
            file_id: (!i.is_multiple_of(7)).then_some(-(i as i64)),
            favorite: i.is_multiple_of(2),
        }
    }

    /// The answers of list_directory / search_files, get_note and search_notes.
    #[test]
    fn tool_answers_match_rmcp_byte_for_byte() {
        same_answer(|| super::super::files::FileList {
            results: (0..50).map(file).collect(),
            total_found: 50,
            truncated: true,
        });
        same_answer(|| crate::nextcloud::notes::Note {
            id: 1234,
            etag: "0123456789abcdef".into(),
            readonly: false,
            content: "# Einkauf\n\n- Milch\t\"frisch\"\n- 😀 \u{1} \\ end".into(),
            title: "Einkauf".into(),
            category: "Privat/Listen".into(),
            favorite: true,
            modified: 1_764_504_000,
        });
        same_answer(|| super::super::notes::SearchNotesResponse {
            results: (0..20)
                .map(|i| super::super::notes::NoteHit {
                    id: i,
                    title: format!("Note {i}"),
                    category: String::new(),
                    score: 1.0 / (i as f64 + 3.0),
                })
                .collect(),
            query: "milch \"bio\"".into(),
            total_found: 20,
        });
    }

    #[derive(Clone, Serialize, JsonSchema)]
    struct Sample {
        name: String,
        size: Option<u64>,
        ratio: f64,
        tags: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        etag: Option<String>,
        nested: std::collections::BTreeMap<String, i64>,
    }

    #[test]
    fn answers_match_rmcp_byte_for_byte() {
        same_as_rmcp(Sample {
            name: "Dokumente \"2026\"\n\u{1}\u{7f} é 😀 \\ </script>".into(),
            size: None,
            ratio: 0.1 + 0.2,
            tags: vec!["a".into(), String::new()],
            etag: Some("\"abc\"".into()),
            nested: [("z".to_string(), -1), ("a".to_string(), i64::MAX)].into(),
        });
        same_as_rmcp(json!({"b": 1, "a": [1.5e300, null, true, {"x": "y"}], "": -0.0}));
        same_as_rmcp(json!([]));
        same_as_rmcp(json!("text"));
        same_as_rmcp(f64::NAN);
    }

    #[test]
    fn leading_blocks_come_first() {
        let value = json!({"path": "a.txt"});
        let result = structured(vec![ContentBlock::text("body")], value.clone());
        let texts: Vec<&str> = result
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
            .collect();
        assert_eq!(texts, ["body", r#"{"path":"a.txt"}"#]);
        assert_eq!(result.structured_content, Some(value));
        assert_eq!(result.is_error, Some(false));
    }
}
