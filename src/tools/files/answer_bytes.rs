//! File listings' answers, byte for byte against rmcp's own `Json<T>`: listings are the largest
//! structured answers, and their strings carry every kind of character a file name can.

use proptest::prelude::*;
use rmcp::handler::server::tool::IntoCallToolResult;
use rmcp::handler::server::wrapper::Json as RmcpJson;

use super::FileList;
use super::read::DirectoryListing;
use crate::nextcloud::webdav::FileInfo;
use crate::tools::answer::Json;
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
            |((path, name, dir, size), (content_type, last_modified, etag, file_id, favorite))| {
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

    /// The whole tool result, serialised once, against rmcp's `Json` (`to_value`, tree walked).
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
            bytes(Json(make()).into_call_tool_result()),
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
            bytes(Json(make()).into_call_tool_result()),
            bytes(RmcpJson(make()).into_call_tool_result())
        );
    }
}
