//! Structured tool answers, built with as little work as the MCP result allows.
//!
//! rmcp's own `Json<T>` builds an answer three times: a `serde_json::Value` tree
//! (`structuredContent`), that tree's `Display` text for the text block, and rmcp's
//! serialisation of the whole response, which walks the tree again. [`Json`] here is a drop-in
//! replacement (same name, so `#[tool]` still derives the output schema from `T`): `T` is
//! serialised once, straight from the struct, and that JSON text is both the text block and,
//! written verbatim, `structuredContent` (the vendored rmcp's `CallToolResult::structured_json`,
//! decision 0007). No tree is built or dropped. The answer's bytes are the same as rmcp's (the
//! tests below and `files::answer_bytes` compare them): a struct serialises its fields in the
//! order `to_value` inserts them, as long as no two fields (flattened ones included) share a
//! name.

use std::borrow::Cow;

use rmcp::handler::server::tool::IntoCallToolResult;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock, SerializedJson};
use schemars::JsonSchema;
use serde::Serialize;

/// Structured output of a tool: `T` as `structuredContent`, and the same JSON as the text
/// block for clients that read only text. Same contract and bytes as rmcp's `Json<T>`.
pub struct Json<T>(pub T);

impl<T: JsonSchema> JsonSchema for Json<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

fn serialize_error(e: serde_json::Error) -> rmcp::ErrorData {
    rmcp::ErrorData::internal_error(format!("Failed to serialize structured content: {e}"), None)
}

impl<T: Serialize + JsonSchema + 'static> IntoCallToolResult for Json<T> {
    fn into_call_tool_result(self) -> Result<CallToolResponse, rmcp::ErrorData> {
        if let Some(json) = SerializedJson::object(&self.0).map_err(serialize_error)? {
            return Ok(CallToolResult::structured_json(json).into());
        }
        // Not an object (every tool's result is one; kept for the contract): the `Value` path,
        // which rmcp adapts for peers of older protocol versions.
        let value = serde_json::to_value(&self.0).map_err(serialize_error)?;
        Ok(structured(Vec::new(), value).into())
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

    /// Objects take the serialised path; everything else the `Value` path.
    #[test]
    fn objects_are_serialised_once() {
        let object = |r: Result<CallToolResponse, rmcp::ErrorData>| match r {
            Ok(CallToolResponse::Complete(result)) => (
                result.structured_content_json.is_some(),
                result.structured_content.is_some(),
            ),
            _ => panic!("not a complete result"),
        };
        assert_eq!(
            object(Json(json!({"a": 1})).into_call_tool_result()),
            (true, false)
        );
        assert_eq!(
            object(Json(json!([1])).into_call_tool_result()),
            (false, true)
        );
        assert_eq!(
            object(Json(f64::NAN).into_call_tool_result()),
            (false, true)
        );
    }

    /// A peer of an older protocol version gets what rmcp's `Json` gives it: object results are
    /// unchanged, and `into_typed` reads the serialised object back.
    #[test]
    fn serialised_answers_read_back_and_pass_the_legacy_strip() {
        use rmcp::model::ServerResult;
        let sample = || json!({"path": "a \"b\".txt", "size": 3});
        let ours = match Json(sample()).into_call_tool_result() {
            Ok(CallToolResponse::Complete(result)) => result,
            _ => panic!("not a complete result"),
        };
        let typed: serde_json::Value = ours.clone().into_typed().expect("reads back");
        assert_eq!(typed, sample());
        let mut legacy = ServerResult::CallToolResult(ours);
        legacy.strip_non_object_output_for_legacy_peer();
        let mut theirs =
            ServerResult::CallToolResult(match RmcpJson(sample()).into_call_tool_result() {
                Ok(CallToolResponse::Complete(result)) => result,
                _ => panic!("not a complete result"),
            });
        theirs.strip_non_object_output_for_legacy_peer();
        assert_eq!(
            serde_json::to_string(&legacy).expect("serialises"),
            serde_json::to_string(&theirs).expect("serialises")
        );
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
