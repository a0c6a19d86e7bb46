//! vCards: parsed and written with the `calcard` crate; updates splice only the changed
//! properties into the original text (see [`super::ical::lines`]), so unknown and vendor
//! properties (`X-…`, grouped `item1.…` lines, photos) keep their bytes.

use calcard::Entry;
use calcard::vcard::{VCard, VCardEntry, VCardProperty, VCardValue, VCardVersion};
use schemars::JsonSchema;
use serde::Serialize;

use super::ical::lines::Lines;

/// A contact as tools show it.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Contact {
    /// UID.
    pub uid: String,
    /// Formatted name (FN).
    #[serde(rename = "fn")]
    pub full_name: String,
    /// E-mail addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Phone numbers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// Organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Job title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Nickname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Birthday as written in the card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bday: Option<String>,
    /// Categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// URLs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Names of other properties present in the card (kept untouched by updates).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_properties: Vec<String>,
}

/// Changes to a contact; `None` leaves a property as is, an empty value removes it.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    pub full_name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
    pub org: Option<String>,
    pub title: Option<String>,
    pub note: Option<String>,
    pub nickname: Option<String>,
    pub bday: Option<String>,
    pub categories: Option<Vec<String>>,
    pub urls: Option<Vec<String>>,
}

/// Parses a vCard.
pub fn parse(text: &str) -> Result<VCard, String> {
    match calcard::Parser::new(text).entry() {
        Entry::VCard(card) => Ok(card),
        other => Err(format!("not a vCard: {other:?}")),
    }
}

fn texts(e: &VCardEntry) -> Vec<String> {
    e.values
        .iter()
        .filter_map(|v| v.as_text())
        .map(str::to_string)
        .collect()
}

fn joined(e: &VCardEntry, sep: &str) -> String {
    texts(e)
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

/// The tool-visible fields of a card.
pub fn contact(card: &VCard) -> Contact {
    let mut c = Contact::default();
    for e in &card.entries {
        match &e.name {
            VCardProperty::Uid => c.uid = joined(e, ""),
            VCardProperty::Fn => c.full_name = joined(e, " "),
            VCardProperty::Email => c.emails.push(joined(e, "")),
            VCardProperty::Tel => c
                .phones
                .push(joined(e, "").trim_start_matches("tel:").to_string()),
            VCardProperty::Org => c.org = Some(joined(e, ", ")),
            VCardProperty::Title => c.title = Some(joined(e, " ")),
            VCardProperty::Note => c.note = Some(joined(e, " ")),
            VCardProperty::Nickname => c.nickname = Some(joined(e, ", ")),
            VCardProperty::Bday => {
                c.bday = e.values.first().and_then(|v| match v {
                    VCardValue::PartialDateTime(p) => p.to_rfc3339().or_else(|| {
                        Some(format!(
                            "{:04}-{:02}-{:02}",
                            p.year.unwrap_or(0),
                            p.month.unwrap_or(0),
                            p.day.unwrap_or(0)
                        ))
                    }),
                    other => other.as_text().map(str::to_string),
                })
            }
            VCardProperty::Categories => c.categories.extend(texts(e)),
            VCardProperty::Url => c.urls.push(joined(e, "")),
            VCardProperty::Begin
            | VCardProperty::End
            | VCardProperty::Version
            | VCardProperty::N => {}
            other => {
                let name = other.as_str().to_string();
                if !c.other_properties.contains(&name) {
                    c.other_properties.push(name);
                }
            }
        }
    }
    if c.full_name.is_empty()
        && let Some(n) = card.entries.iter().find(|e| e.name == VCardProperty::N)
    {
        let parts = texts(n);
        c.full_name = [parts.get(1), parts.first()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
    }
    c
}

fn entry(name: VCardProperty, value: &str) -> VCardEntry {
    VCardEntry::new(name).with_value(value.to_string())
}

fn n_entry(full: &str) -> VCardEntry {
    let mut words: Vec<&str> = full.split_whitespace().collect();
    let family = if words.len() > 1 {
        words.pop().unwrap_or_default()
    } else {
        ""
    };
    let given = words.join(" ");
    VCardEntry::new(VCardProperty::N).with_values(
        [family, given.as_str(), "", "", ""]
            .iter()
            .map(|s| VCardValue::Text(s.to_string()))
            .collect(),
    )
}

/// The (property, new entries) pairs a change set writes.
fn sets(c: &ContactChanges) -> Vec<(&'static str, Vec<VCardEntry>)> {
    let mut out = Vec::new();
    let single = |v: &Option<String>, prop: VCardProperty| {
        v.as_ref().map(|v| {
            if v.is_empty() {
                vec![]
            } else {
                vec![entry(prop, v)]
            }
        })
    };
    if let Some(list) = single(&c.full_name, VCardProperty::Fn) {
        out.push((
            "N",
            c.full_name
                .as_deref()
                .filter(|f| !f.is_empty())
                .map(n_entry)
                .into_iter()
                .collect(),
        ));
        out.push(("FN", list));
    }
    let multi = |v: &Option<Vec<String>>, prop: VCardProperty| {
        v.as_ref().map(|l| {
            l.iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| entry(prop.clone(), s.trim()))
                .collect::<Vec<_>>()
        })
    };
    if let Some(l) = multi(&c.emails, VCardProperty::Email) {
        out.push(("EMAIL", l));
    }
    if let Some(l) = multi(&c.phones, VCardProperty::Tel) {
        out.push(("TEL", l));
    }
    if let Some(l) = multi(&c.urls, VCardProperty::Url) {
        out.push(("URL", l));
    }
    if let Some(l) = single(&c.org, VCardProperty::Org) {
        out.push(("ORG", l));
    }
    if let Some(l) = single(&c.title, VCardProperty::Title) {
        out.push(("TITLE", l));
    }
    if let Some(l) = single(&c.note, VCardProperty::Note) {
        out.push(("NOTE", l));
    }
    if let Some(l) = single(&c.nickname, VCardProperty::Nickname) {
        out.push(("NICKNAME", l));
    }
    if let Some(l) = single(&c.bday, VCardProperty::Bday) {
        out.push(("BDAY", l));
    }
    if let Some(cats) = &c.categories {
        let values: Vec<VCardValue> = cats
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| VCardValue::Text(s.trim().to_string()))
            .collect();
        out.push((
            "CATEGORIES",
            if values.is_empty() {
                vec![]
            } else {
                vec![VCardEntry::new(VCardProperty::Categories).with_values(values)]
            },
        ));
    }
    out
}

fn line(e: &VCardEntry, v4: bool) -> String {
    let mut s = String::new();
    let _ = e.write_to(&mut s, v4);
    s
}

/// A new vCard 3.0 (what Nextcloud's Contacts app writes) with `uid`.
pub fn new_card(uid: &str, c: &ContactChanges) -> String {
    let mut card = VCard {
        entries: vec![
            entry(VCardProperty::Uid, uid),
            entry(VCardProperty::Prodid, "-//nextcloud-mcp//EN"),
        ],
    };
    for (_, list) in sets(c) {
        card.entries.extend(list);
    }
    let mut out = String::new();
    let _ = card.write_to(&mut out, VCardVersion::V3_0);
    out
}

/// Applies changes to a vCard's text; untouched lines keep their bytes. REV is refreshed.
pub fn apply(text: &str, c: &ContactChanges) -> Result<String, String> {
    let card = parse(text)?;
    let v4 = matches!(card.version(), Some(VCardVersion::V4_0));
    let mut doc = Lines::new(text);
    let span = |doc: &Lines| doc.components("VCARD").first().copied();
    for (name, list) in sets(c) {
        let Some(s) = span(&doc) else {
            return Err("no BEGIN:VCARD in the object".into());
        };
        doc.set(s, name, list.iter().map(|e| line(e, v4)).collect());
    }
    if let Some(s) = span(&doc) {
        let rev = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        doc.set(s, "REV", vec![format!("REV:{rev}\r\n")]);
    }
    Ok(doc.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_reads_back() {
        let text = new_card(
            "c1",
            &ContactChanges {
                full_name: Some("Ada Lovelace".into()),
                emails: Some(vec!["ada@example.com".into()]),
                org: Some("Analytical, Inc".into()),
                ..Default::default()
            },
        );
        assert!(text.contains("VERSION:3.0"), "{text}");
        let c = contact(&parse(&text).unwrap());
        assert_eq!(c.full_name, "Ada Lovelace");
        assert_eq!(c.emails, vec!["ada@example.com"]);
        assert_eq!(c.uid, "c1");
    }

    #[test]
    fn update_keeps_unknown_properties() {
        let original = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c2\r\nFN:Old Name\r\nitem1.EMAIL;type=INTERNET:old@example.com\r\nitem1.X-ABLabel:_$!<Work>!$_\r\nX-SOCIALPROFILE;type=twitter:https://twitter.com/x\r\nEND:VCARD\r\n";
        let out = apply(
            original,
            &ContactChanges {
                note: Some("hi, there".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(out.contains("item1.EMAIL;type=INTERNET:old@example.com\r\nitem1.X-ABLabel:_$!<Work>!$_\r\nX-SOCIALPROFILE;type=twitter:https://twitter.com/x\r\n"), "{out}");
        assert!(out.contains("NOTE:hi\\, there"), "{out}");
        let c = contact(&parse(&out).unwrap());
        assert_eq!(c.note.as_deref(), Some("hi, there"));
    }

    #[test]
    fn version_4_cards_keep_their_lines_and_groups_go_together() {
        let original = "BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Apple Inc.//iOS 17//EN\r\nUID:c4\r\nKIND:individual\r\nFN:Ada\r\nEMAIL;PREF=1:ada@example.com\r\nitem1.EMAIL:old@example.com\r\nitem1.X-ABLabel:Old\r\nEND:VCARD\r\n";
        let out = apply(
            original,
            &ContactChanges {
                note: Some("hi".into()),
                ..Default::default()
            },
        )
        .unwrap();
        for kept in [
            "VERSION:4.0\r\n",
            "PRODID:-//Apple Inc.//iOS 17//EN\r\n",
            "KIND:individual\r\n",
            "EMAIL;PREF=1:ada@example.com\r\n",
            "item1.X-ABLabel:Old\r\n",
        ] {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
        let out = apply(
            original,
            &ContactChanges {
                emails: Some(vec!["new@example.com".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(!out.contains("item1."), "orphan group lines: {out}");
        assert!(
            out.contains("new@example.com") && out.contains("KIND:individual"),
            "{out}"
        );
    }
}
