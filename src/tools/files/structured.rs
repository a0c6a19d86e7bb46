//! File listings moved into their `structuredContent` tree ([`IntoValue`]): a 500-entry listing
//! holds 2,500 strings that `serde_json::to_value` would copy one by one and then free with the
//! listing. The trees are the ones `to_value` builds (the tests below hold them together), so a
//! field added to one of these structs must be added here too (the tests' struct literals stop
//! compiling until it is).

use serde_json::{Map, Value};

use super::FileList;
use super::read::DirectoryListing;
use crate::nextcloud::webdav::FileInfo;
use crate::tools::answer::IntoValue;

fn text(value: Option<String>) -> Value {
    value.map_or(Value::Null, Value::String)
}

impl IntoValue for FileInfo {
    fn into_value(self) -> Value {
        let mut map = Map::with_capacity(9);
        map.insert("path".into(), Value::String(self.path));
        map.insert("name".into(), Value::String(self.name));
        map.insert("type".into(), Value::String(self.kind));
        map.insert("size".into(), self.size.map_or(Value::Null, Value::from));
        map.insert("content_type".into(), text(self.content_type));
        map.insert("last_modified".into(), text(self.last_modified));
        map.insert("etag".into(), text(self.etag));
        map.insert(
            "file_id".into(),
            self.file_id.map_or(Value::Null, Value::from),
        );
        map.insert("favorite".into(), Value::Bool(self.favorite));
        Value::Object(map)
    }
}

fn files(files: Vec<FileInfo>) -> Value {
    Value::Array(files.into_iter().map(IntoValue::into_value).collect())
}

impl IntoValue for DirectoryListing {
    fn into_value(self) -> Value {
        let mut map = Map::with_capacity(6);
        map.insert("path".into(), Value::String(self.path));
        map.insert("files".into(), files(self.files));
        map.insert("total_count".into(), Value::from(self.total_count));
        map.insert(
            "directories_count".into(),
            Value::from(self.directories_count),
        );
        map.insert("files_count".into(), Value::from(self.files_count));
        map.insert("total_size".into(), Value::from(self.total_size));
        Value::Object(map)
    }
}

impl IntoValue for FileList {
    fn into_value(self) -> Value {
        let mut map = Map::with_capacity(3);
        map.insert("results".into(), files(self.results));
        map.insert("total_found".into(), Value::from(self.total_found));
        map.insert("truncated".into(), Value::Bool(self.truncated));
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rmcp::handler::server::tool::IntoCallToolResult;
    use rmcp::handler::server::wrapper::Json as RmcpJson;

    use super::*;
    use crate::tools::answer::Structured;
    use crate::tools::answer::tests::bytes;

    fn file_info() -> impl Strategy<Value = FileInfo> {
        let text = "[ a-zA-Z0-9ü😀\"\\\\/\\n\\t\u{1}<>&.-]{0,16}";
        (
            (text, text, any::<bool>(), any::<Option<u64>>()),
            (
                prop::option::of(text),
                prop::option::of(text),
                prop::option::of(text),
                any::<Option<i64>>(),
                any::<bool>(),
            ),
        )
            .prop_map(
                |(
                    (path, name, dir, size),
                    (content_type, last_modified, etag, file_id, favorite),
                )| {
                    FileInfo {
                        path,
                        name,
                        kind: if dir { "directory" } else { "file" }.into(),
                        size,
                        content_type,
                        last_modified,
                        etag,
                        file_id,
                        favorite,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The whole tool result, moved into the tree, against rmcp's `Json` (`to_value`).
        #[test]
        fn listing_answers_match_rmcp_byte_for_byte(
            path in "[a-zA-Z/ ü\"]{0,12}",
            files in prop::collection::vec(file_info(), 0..12),
            counts in any::<(usize, usize, usize, u64)>(),
        ) {
            let make = || DirectoryListing {
                path: path.clone(),
                files: files.clone(),
                total_count: counts.0,
                directories_count: counts.1,
                files_count: counts.2,
                total_size: counts.3,
            };
            prop_assert_eq!(
                bytes(Structured(make()).into_call_tool_result()),
                bytes(RmcpJson(make()).into_call_tool_result())
            );
        }

        #[test]
        fn file_list_answers_match_rmcp_byte_for_byte(
            files in prop::collection::vec(file_info(), 0..12),
            total_found in any::<usize>(),
            truncated in any::<bool>(),
        ) {
            let make = || FileList { results: files.clone(), total_found, truncated };
            prop_assert_eq!(
                bytes(Structured(make()).into_call_tool_result()),
                bytes(RmcpJson(make()).into_call_tool_result())
            );
        }
    }
}
