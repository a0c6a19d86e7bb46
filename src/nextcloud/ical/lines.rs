//! Read-modify-write at the content-line level. Values are parsed and written by the
//! `calcard` crate; this module only keeps the original text of every content line that a
//! tool did not change, byte for byte (folding, parameter quoting, escaping, unknown
//! `X-` properties, vendor components), and swaps in the lines the tool wrote.

/// A document split into logical content lines, each kept with its original bytes
/// (continuation lines and line endings included).
#[derive(Debug, Clone, PartialEq)]
pub struct Lines {
    lines: Vec<String>,
}

/// A property name of a content line: upper-cased, vCard group prefix (`item1.`) removed.
fn line_name(line: &str) -> String {
    let end = line.find([';', ':']).unwrap_or(line.len());
    let name = &line[..end];
    let name = name.rsplit('.').next().unwrap_or(name);
    name.trim().to_ascii_uppercase()
}

/// The vCard group of a content line (`item1` of `item1.EMAIL:...`), upper-cased.
fn line_group(line: &str) -> Option<String> {
    let end = line.find([';', ':']).unwrap_or(line.len());
    let (group, _) = line[..end].rsplit_once('.')?;
    Some(group.trim().to_ascii_uppercase()).filter(|g| !g.is_empty())
}

fn line_value(line: &str) -> String {
    line.split_once(':')
        .map(|(_, v)| v.trim_end_matches(['\r', '\n']).trim().to_ascii_uppercase())
        .unwrap_or_default()
}

impl Lines {
    /// Splits text into logical lines (a line starting with a space or tab continues the previous).
    pub fn new(text: &str) -> Self {
        let mut lines: Vec<String> = Vec::new();
        for physical in text.split_inclusive('\n') {
            let continues = physical.starts_with([' ', '\t']);
            match lines.last_mut() {
                Some(last) if continues => last.push_str(physical),
                _ => lines.push(physical.to_string()),
            }
        }
        Self { lines }
    }

    /// The document text.
    pub fn text(&self) -> String {
        let mut out = self.lines.concat();
        if !out.ends_with('\n') {
            out.push_str("\r\n");
        }
        out
    }

    /// `(begin, end)` line indexes of every component named `kind` (e.g. `VEVENT`).
    pub fn components(&self, kind: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut open: Vec<(String, usize)> = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            match line_name(line).as_str() {
                "BEGIN" => open.push((line_value(line), i)),
                "END" => {
                    if let Some((name, start)) = open.pop()
                        && name == kind
                    {
                        out.push((start, i));
                    }
                }
                _ => {}
            }
        }
        out.sort();
        out
    }

    /// Indexes of the direct property lines of the component spanning `(begin, end)`.
    fn direct(&self, (begin, end): (usize, usize)) -> Vec<usize> {
        let mut depth = 0usize;
        let mut out = Vec::new();
        for i in begin + 1..end {
            match line_name(&self.lines[i]).as_str() {
                "BEGIN" => depth += 1,
                "END" => depth = depth.saturating_sub(1),
                _ if depth == 0 => out.push(i),
                _ => {}
            }
        }
        out
    }

    /// True when the component has a direct property `name`.
    pub fn has(&self, span: (usize, usize), name: &str) -> bool {
        self.direct(span)
            .iter()
            .any(|&i| line_name(&self.lines[i]) == name)
    }

    /// Replaces every direct `name` line of the component with `new` (already serialised,
    /// each ending in CRLF; empty removes the property). New lines go where the first old
    /// one was, or before the first sub-component / END. A removed vCard line takes the other
    /// lines of its group along (`item1.X-ABLabel` of `item1.EMAIL`). Other lines are untouched.
    pub fn set(&mut self, span: (usize, usize), name: &str, new: Vec<String>) {
        let direct = self.direct(span);
        let groups: Vec<String> = direct
            .iter()
            .filter(|&&i| line_name(&self.lines[i]) == name)
            .filter_map(|&i| line_group(&self.lines[i]))
            .collect();
        let matching: Vec<usize> = direct
            .iter()
            .copied()
            .filter(|&i| {
                line_name(&self.lines[i]) == name
                    || line_group(&self.lines[i]).is_some_and(|g| groups.contains(&g))
            })
            .collect();
        let insert_at = matching.first().copied().unwrap_or_else(|| {
            (span.0 + 1..span.1)
                .find(|&i| line_name(&self.lines[i]) == "BEGIN")
                .unwrap_or(span.1)
        });
        for &i in matching.iter().rev() {
            self.lines.remove(i);
        }
        for (k, line) in new.into_iter().enumerate() {
            self.lines.insert(insert_at + k, line);
        }
    }

    /// The raw direct `name` lines of the component spanning `span`.
    pub fn named(&self, span: (usize, usize), name: &str) -> Vec<String> {
        self.direct(span)
            .into_iter()
            .filter(|&i| line_name(&self.lines[i]) == name)
            .map(|i| self.lines[i].clone())
            .collect()
    }

    /// Inserts whole lines (e.g. a VTIMEZONE block) before line `at`.
    pub fn insert_block(&mut self, at: usize, block: &str) {
        let block = Lines::new(block);
        for (k, line) in block.lines.into_iter().enumerate() {
            self.lines.insert(at + k, line);
        }
    }

    /// Removes the lines of a component (inclusive span).
    pub fn remove_component(&mut self, (begin, end): (usize, usize)) {
        self.lines.drain(begin..=end);
    }

    /// The raw text of the component spanning `(begin, end)`.
    pub fn component_text(&self, (begin, end): (usize, usize)) -> String {
        self.lines[begin..=end].concat()
    }

    /// The raw line at `i`.
    pub fn line(&self, i: usize) -> &str {
        &self.lines[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Old\r\nX-WEIRD;X-P=\"a,b\":keep\\, me\r\n  folded\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nSUMMARY:alarm\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn replaces_only_the_named_direct_property() {
        let mut doc = Lines::new(DOC);
        let span = doc.components("VEVENT")[0];
        doc.set(span, "SUMMARY", vec!["SUMMARY:New\r\n".into()]);
        let text = doc.text();
        assert!(text.contains("SUMMARY:New\r\n"));
        assert!(text.contains("X-WEIRD;X-P=\"a,b\":keep\\, me\r\n  folded\r\n"));
        assert!(
            text.contains("SUMMARY:alarm\r\n"),
            "nested VALARM untouched"
        );
        assert!(!text.contains("SUMMARY:Old"));
    }

    #[test]
    fn inserts_before_subcomponents_and_removes() {
        let mut doc = Lines::new(DOC);
        let span = doc.components("VEVENT")[0];
        doc.set(span, "LOCATION", vec!["LOCATION:Room\r\n".into()]);
        let text = doc.text();
        assert!(text.contains("LOCATION:Room\r\nBEGIN:VALARM"));
        let span = doc.components("VEVENT")[0];
        doc.set(span, "X-WEIRD", vec![]);
        assert!(!doc.text().contains("X-WEIRD"));
    }

    #[test]
    fn vcard_groups_are_matched_by_name() {
        let mut doc = Lines::new(
            "BEGIN:VCARD\nVERSION:3.0\nitem1.EMAIL;TYPE=INTERNET:a@b.c\nitem1.X-ABLabel:work\nEND:VCARD\n",
        );
        let span = doc.components("VCARD")[0];
        assert!(doc.has(span, "EMAIL"));
        doc.set(span, "EMAIL", vec!["EMAIL:x@y.z\r\n".into()]);
        assert!(
            !doc.text().contains("item1."),
            "the group goes with its EMAIL"
        );
        assert!(doc.text().contains("EMAIL:x@y.z"));
    }

    #[test]
    fn other_groups_stay() {
        let mut doc = Lines::new(
            "BEGIN:VCARD\nitem1.EMAIL:a@b.c\nitem1.X-ABLabel:work\nitem2.URL:http://x\nitem2.X-ABLabel:blog\nEND:VCARD\n",
        );
        let span = doc.components("VCARD")[0];
        doc.set(span, "EMAIL", vec![]);
        assert_eq!(
            doc.text(),
            "BEGIN:VCARD\nitem2.URL:http://x\nitem2.X-ABLabel:blog\nEND:VCARD\n"
        );
    }
}
