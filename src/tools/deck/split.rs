//! Splitting a long Deck comment into parts that fit Deck's limit (1000 code points per
//! comment): at headings first, then paragraphs, lines, sentences, words; never inside an
//! @mention; every part prefixed "(i/N) ".

/// Deck's comment limit in Unicode code points (`IComment::MAX_MESSAGE_LENGTH`).
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Most parts a comment is split into.
pub const MAX_PARTS: usize = 10;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Level {
    Heading,
    Paragraph,
    Line,
    Sentence,
    Word,
    Char,
}

impl Level {
    fn next(self) -> Level {
        match self {
            Level::Heading => Level::Paragraph,
            Level::Paragraph => Level::Line,
            Level::Line => Level::Sentence,
            Level::Sentence => Level::Word,
            Level::Word | Level::Char => Level::Char,
        }
    }
}

/// Byte ranges of @mentions (`@user.id` or `@"name with spaces"`), which must stay whole.
fn mention_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'(';
        if bytes[i] == b'@' && at_word_start {
            let start = i;
            let mut j = i + 1;
            if j < bytes.len() && bytes[j] == b'"' {
                j += 1;
                while j < bytes.len() && bytes[j] != b'"' && bytes[j] != b'\n' {
                    j += 1;
                }
                if j < bytes.len() && bytes[j] == b'"' {
                    j += 1;
                }
            } else {
                while j < bytes.len()
                    && (bytes[j].is_ascii_alphanumeric() || b"._-@'".contains(&bytes[j]))
                {
                    j += 1;
                }
            }
            if j > start + 1 {
                spans.push((start, j));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    spans
}

fn protected(pos: usize, spans: &[(usize, usize)]) -> bool {
    spans.iter().any(|&(s, e)| s < pos && pos < e)
}

/// Positions (byte offsets, strictly inside `start..end`) where a segment of `level` begins.
fn boundaries(text: &str, start: usize, end: usize, level: Level) -> Vec<usize> {
    let slice = &text[start..end];
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    let mut prev2: Option<char> = None;
    let mut at_line_start = true;
    for (offset, ch) in slice.char_indices() {
        let pos = start + offset;
        let candidate = match level {
            Level::Heading => at_line_start && ch == '#' && offset > 0,
            Level::Paragraph => prev == Some('\n') && prev2 == Some('\n') && ch != '\n',
            Level::Line => prev == Some('\n') && ch != '\n',
            Level::Sentence => {
                prev.is_some_and(char::is_whitespace)
                    && prev2.is_some_and(|c| matches!(c, '.' | '!' | '?' | '…'))
                    && !ch.is_whitespace()
            }
            Level::Word => prev.is_some_and(char::is_whitespace) && !ch.is_whitespace(),
            Level::Char => false,
        };
        if candidate && pos > start {
            out.push(pos);
        }
        at_line_start = ch == '\n';
        prev2 = prev;
        prev = Some(ch);
    }
    out
}

fn chars(text: &str, start: usize, end: usize) -> usize {
    text[start..end].chars().count()
}

/// Hard cut of a range into pieces of at most `budget` characters, moved off mentions.
fn hard_cut(
    text: &str,
    start: usize,
    end: usize,
    budget: usize,
    spans: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    while chars(text, from, end) > budget {
        let mut cut = text[from..end]
            .char_indices()
            .nth(budget)
            .map(|(o, _)| from + o)
            .unwrap_or(end);
        if let Some(&(s, e)) = spans.iter().find(|&&(s, e)| s < cut && cut < e) {
            cut = if s > from { s } else { e };
        }
        out.push((from, cut));
        from = cut;
    }
    out.push((from, end));
    out
}

fn split_range(
    text: &str,
    start: usize,
    end: usize,
    level: Level,
    budget: usize,
    spans: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    if chars(text, start, end) <= budget {
        return vec![(start, end)];
    }
    if level == Level::Char {
        return hard_cut(text, start, end, budget, spans);
    }
    let cuts: Vec<usize> = boundaries(text, start, end, level)
        .into_iter()
        .filter(|&p| !protected(p, spans))
        .collect();
    if cuts.is_empty() {
        return split_range(text, start, end, level.next(), budget, spans);
    }
    let mut segments = Vec::new();
    let mut from = start;
    for cut in cuts {
        segments.push((from, cut));
        from = cut;
    }
    segments.push((from, end));

    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for (s, e) in segments {
        if chars(text, s, e) > budget {
            if let Some(c) = current.take() {
                out.push(c);
            }
            out.extend(split_range(text, s, e, level.next(), budget, spans));
            continue;
        }
        current = match current {
            Some((cs, _)) if chars(text, cs, e) <= budget => Some((cs, e)),
            Some(c) => {
                out.push(c);
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some(c) = current {
        out.push(c);
    }
    out
}

fn prefix(i: usize, n: usize) -> String {
    format!("({i}/{n}) ")
}

/// Splits `message` into prefixed parts of at most `limit` code points each.
/// Returns the message unchanged (one part, no prefix) when it fits; `Err(parts needed)`
/// when it would take more than `max_parts` parts.
pub fn split_comment(message: &str, limit: usize, max_parts: usize) -> Result<Vec<String>, usize> {
    if message.chars().count() <= limit {
        return Ok(vec![message.to_string()]);
    }
    let spans = mention_spans(message);
    let mut assumed = 9;
    loop {
        let budget = limit.saturating_sub(prefix(assumed, assumed).chars().count());
        let pieces: Vec<&str> =
            split_range(message, 0, message.len(), Level::Heading, budget, &spans)
                .into_iter()
                .map(|(s, e)| message[s..e].trim())
                .filter(|p| !p.is_empty())
                .collect();
        let n = pieces.len();
        if prefix(n, n).len() > prefix(assumed, assumed).len() {
            assumed = n;
            continue;
        }
        if n > max_parts {
            return Err(n);
        }
        return Ok(pieces
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}{p}", prefix(i + 1, n)))
            .collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits(parts: &[String], limit: usize) {
        for p in parts {
            assert!(
                p.chars().count() <= limit,
                "part too long: {}",
                p.chars().count()
            );
        }
    }

    #[test]
    fn short_message_is_one_unprefixed_part() {
        assert_eq!(
            split_comment("hi", 1000, 10).unwrap(),
            vec!["hi".to_string()]
        );
    }

    #[test]
    fn splits_at_headings_first() {
        let section = format!("## Part\n{}\n", "word ".repeat(150));
        let text = format!("{section}{section}{section}");
        let parts = split_comment(&text, 1000, 10).unwrap();
        assert_eq!(parts.len(), 3);
        fits(&parts, 1000);
        for (i, p) in parts.iter().enumerate() {
            assert!(p.starts_with(&format!("({}/3) ## Part", i + 1)), "{p}");
        }
    }

    #[test]
    fn splits_at_paragraphs_then_sentences() {
        let para = "This is a sentence. ".repeat(30);
        let text = format!("{para}\n\n{para}\n\n{para}");
        let parts = split_comment(&text, 1000, 10).unwrap();
        fits(&parts, 1000);
        assert!(parts.iter().all(|p| p.ends_with('.')));
        let long = "Sentence number one is here. ".repeat(60);
        let parts = split_comment(&long, 1000, 10).unwrap();
        fits(&parts, 1000);
        assert!(parts.iter().all(|p| p.ends_with('.')), "{parts:?}");
    }

    #[test]
    fn counts_code_points_not_bytes() {
        let text = "é".repeat(1000);
        assert_eq!(split_comment(&text, 1000, 10).unwrap().len(), 1);
        let text = "ü".repeat(1500);
        let parts = split_comment(&text, 1000, 10).unwrap();
        assert_eq!(parts.len(), 2);
        fits(&parts, 1000);
    }

    #[test]
    fn never_splits_a_mention() {
        // Word-free text forces a hard cut right where a mention sits.
        let filler = "x".repeat(990);
        let text = format!("{filler} @\"Jane Doe\" {filler}");
        let parts = split_comment(&text, 1000, 10).unwrap();
        fits(&parts, 1000);
        assert!(
            parts.iter().any(|p| p.contains("@\"Jane Doe\"")),
            "{parts:?}"
        );
        let text = format!("{} @alice.smith and more", "y".repeat(990));
        let parts = split_comment(&text, 1000, 10).unwrap();
        assert!(
            parts.iter().any(|p| p.contains("@alice.smith")),
            "{parts:?}"
        );
    }

    #[test]
    fn too_many_parts_is_refused() {
        let text = "word ".repeat(2300);
        assert!(matches!(split_comment(&text, 1000, 10), Err(n) if n > 10));
    }

    #[test]
    fn ten_parts_have_wider_prefixes() {
        let text = "abcd ".repeat(1960);
        let parts = split_comment(&text, 1000, 10).unwrap();
        assert_eq!(parts.len(), 10);
        assert!(parts[9].starts_with("(10/10) "));
        fits(&parts, 1000);
    }
}
