//! The vendored rmcp writes long text blocks with its own block-wise JSON escaping
//! (`vendor/rmcp-text-escape.patch`, decision 0007). Held here against serde_json's escaping
//! byte for byte, for texts around and well above the length where it takes over, made of
//! the bytes that need escaping, other ASCII and multi-byte characters; and back through
//! `serde_json::to_value` and a parse, as peers and rmcp's own conversions read it.

use proptest::prelude::*;
use rmcp::model::ContentBlock;

/// What serde_json alone writes for a text block.
fn reference(text: &str) -> String {
    format!(
        "{{\"type\":\"text\",\"text\":{}}}",
        serde_json::to_string(text).unwrap_or_default()
    )
}

fn check(text: &str) {
    let block = ContentBlock::text(text.to_string());
    let written = serde_json::to_string(&block).unwrap_or_default();
    assert_eq!(written, reference(text));
    let value = serde_json::to_value(&block).unwrap_or_default();
    assert_eq!(value["text"].as_str(), Some(text));
    let parsed: serde_json::Value = serde_json::from_str(&written).unwrap_or_default();
    assert_eq!(parsed["text"].as_str(), Some(text));
}

/// Characters weighted towards the ones that are escaped.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z ]{1,40}",
        2 => Just("\"".to_string()),
        2 => Just("\\".to_string()),
        2 => (0u8..0x20).prop_map(|b| char::from(b).to_string()),
        1 => Just("\u{7f}".to_string()),
        1 => Just("é€😀\u{2028}".to_string()),
        1 => Just("{\"k\":[1,\"v\"]}".to_string()),
    ]
}

fn text(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max_pieces).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn long_and_short_texts_are_written_as_serde_json_writes_them(t in text(400)) {
        check(&t);
    }

    #[test]
    fn texts_without_anything_to_escape_and_one_byte_anywhere(len in 480usize..1200, at in 0usize..1200, byte in 0u8..0x80) {
        let mut t = "x".repeat(len);
        if at < len {
            t.replace_range(at..at + 1, &char::from(byte).to_string());
        }
        check(&t);
    }
}

#[test]
fn every_byte_that_is_escaped_at_every_position_of_a_block() {
    for byte in (0u8..0x20).chain([b'"', b'\\', 0x7f]) {
        for at in 0..70 {
            let mut t = "a".repeat(600);
            t.replace_range(at..at + 1, &char::from(byte).to_string());
            check(&t);
        }
    }
}
