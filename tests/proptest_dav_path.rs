//! Property tests of WebDAV path handling: `normalize_path` never lets a parent-directory
//! segment (plain, backslashed or percent-encoded) through, and `encode_path` encodes every
//! segment exactly once, so Nextcloud's single decode gives back the normalised path.

use nextcloud_mcp::nextcloud::dav::{decode, encode_path, normalize_path};
use proptest::prelude::*;

/// Path-ish strings: segments drawn from tricky pieces and arbitrary Unicode, joined by / or \.
fn pathish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just("".to_string()),
        Just("%2e%2e".to_string()),
        Just("%2E%2e".to_string()),
        Just("..%2f".to_string()),
        Just("%2e%2e%5c".to_string()),
        Just("%252e%252e".to_string()),
        Just("a b".to_string()),
        Just("100%".to_string()),
        Just("#?&=+;".to_string()),
        Just("ü€😀".to_string()),
        Just("\u{202e}rtl".to_string()),
        Just("\u{feff}bom".to_string()),
        "[a-zA-Z0-9._ -]{1,12}",
        any::<String>(),
    ];
    (
        prop::collection::vec(piece, 0..8),
        prop::collection::vec(prop_oneof![Just('/'), Just('\\')], 8),
    )
        .prop_map(|(pieces, seps)| {
            let mut out = String::new();
            for (i, p) in pieces.iter().enumerate() {
                if i > 0 {
                    out.push(seps[i % seps.len()]);
                }
                out.push_str(p);
            }
            out
        })
}

fn has_parent_segment(path: &str) -> bool {
    path.replace('\\', "/").split('/').any(|s| s.trim() == "..")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn normalised_paths_are_clean(path in pathish()) {
        if let Ok(norm) = normalize_path(&path) {
            prop_assert!(!norm.starts_with('/'), "leading slash: {norm:?}");
            prop_assert!(!norm.ends_with('/'), "trailing slash: {norm:?}");
            prop_assert!(!norm.contains('\\'), "backslash: {norm:?}");
            for seg in norm.split('/').filter(|_| !norm.is_empty()) {
                prop_assert!(!seg.is_empty() && seg != "." && seg != "..", "segment {seg:?} in {norm:?}");
                let once = decode(seg);
                prop_assert!(once != ".." && !once.contains('/') && !once.contains('\\'),
                    "segment {seg:?} decodes to {once:?}");
            }
            prop_assert!(!norm.chars().any(char::is_control));
        }
    }

    #[test]
    fn parent_segments_are_refused(path in pathish()) {
        if has_parent_segment(&path) {
            prop_assert!(normalize_path(&path).is_err(), "accepted {path:?}");
        }
    }

    #[test]
    fn normalisation_is_idempotent(path in pathish()) {
        if let Ok(norm) = normalize_path(&path) {
            prop_assert_eq!(normalize_path(&norm), Ok(norm.clone()));
        }
    }

    #[test]
    fn encoding_round_trips_through_one_decode(path in pathish()) {
        if let Ok(norm) = normalize_path(&path) {
            let encoded = encode_path(&norm);
            // Only URL-safe characters remain; the separators are exactly the normalised ones.
            prop_assert!(encoded.chars().all(|c| c.is_ascii_graphic()), "unsafe char in {encoded:?}");
            for bad in [' ', '#', '?', '\\', '"', '<', '>'] {
                prop_assert!(!encoded.contains(bad));
            }
            prop_assert_eq!(encoded.split('/').count(), norm.split('/').count());
            // Nextcloud decodes once: each segment gives back the normalised segment, never `..`.
            let segments: Vec<String> = encoded.split('/').map(decode).collect();
            prop_assert_eq!(segments.join("/"), norm);
            prop_assert!(!segments.iter().any(|s| s == ".." || s == "."));
        }
    }

    #[test]
    fn spaces_around_names_are_kept(lead in " {0,2}", name in "[a-z0-9.]{0,6}[a-z0-9]", trail in " {0,2}", dir in "[A-Za-z]{1,6}") {
        // Nextcloud accepts names beginning or ending with spaces; each must stay its own file.
        let path = format!("{dir}/{lead}{name}{trail}");
        prop_assert_eq!(normalize_path(&path), Ok(path.clone()));
    }

    #[test]
    fn arbitrary_strings_never_panic(path in any::<String>()) {
        let _ = normalize_path(&path).map(|n| encode_path(&n));
    }

    #[test]
    fn urls_are_refused(scheme in "[a-z]{1,8}", rest in "[a-z0-9./]{0,20}") {
        let url = format!("{scheme}://{rest}");
        prop_assert!(normalize_path(&url).is_err());
    }
}
