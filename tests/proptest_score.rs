//! `score_note` matches without lower-casing every note; it must score exactly as the
//! lower-casing version did, for ASCII and for any Unicode text.

use nextcloud_mcp::tools::notes::{Scorer, query_words, score_note};
use proptest::prelude::*;

/// The former implementation: both texts lower-cased, then `contains`.
fn score_lowercased(words: &[String], title: &str, content: &str) -> f64 {
    if words.is_empty() {
        return 0.0;
    }
    let (title, content) = (title.to_lowercase(), content.to_lowercase());
    let mut score = 0.0;
    for word in words {
        if title.contains(word.as_str()) {
            score += 3.0;
        }
        if content.contains(word.as_str()) {
            score += 1.0;
        }
    }
    score / words.len() as f64
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 .#\n-]{0,60}",
        "[a-zA-ZäÄöÖßİıK\u{212A}ΣσςẞǅÅ 0-9]{0,40}",
        any::<String>(),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ]{0,20}",
        "[a-zA-ZäÄİıK\u{212A}Σσß ]{0,16}",
        any::<String>()
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn score_is_unchanged(q in query(), title in text(), content in text()) {
        let words = query_words(&q);
        prop_assert_eq!(score_note(&words, &title, &content), score_lowercased(&words, &title, &content));
    }

    /// One scorer serves every note of a search: its reused buffer must not leak from one note
    /// into the next.
    #[test]
    fn one_scorer_scores_every_note_the_same(q in query(), notes in prop::collection::vec((text(), text()), 0..8)) {
        let words = query_words(&q);
        let mut scorer = Scorer::new(&words);
        for (title, content) in &notes {
            prop_assert_eq!(scorer.score(title, content), score_lowercased(&words, title, content));
        }
    }

    #[test]
    fn a_word_taken_from_the_text_scores_the_same(title in text(), content in text(), start in 0usize..40, len in 2usize..8) {
        let source: String = content.chars().skip(start).take(len).collect();
        let words = query_words(&source);
        prop_assert_eq!(score_note(&words, &title, &content), score_lowercased(&words, &title, &content));
    }
}

#[test]
fn examples() {
    let words = query_words("Budget MEETING");
    for (title, content) in [
        ("Budget note 1", "# budget 1\n\nSome text about budget"),
        ("Meeting", "nothing"),
        ("BUDGETMEETING", ""),
        ("\u{212A}elvin", "kelvin"),
        ("İstanbul", "i\u{307}stanbul"),
    ] {
        assert_eq!(
            score_note(&words, title, content),
            score_lowercased(&words, title, content)
        );
    }
    let kelvin = query_words("kelvin");
    assert_eq!(score_note(&kelvin, "\u{212A}elvin", ""), 3.0);
}
