//! Reading a notes list (or chunk) note by note, without a `Note` per entry.
//!
//! A search pages through every note of the user and keeps only the few that match, so
//! allocating four `String`s per note only to drop them again was most of its cost. Here each
//! note is handed to a callback as a [`NoteRef`] whose strings borrow from the answer's bytes
//! (or, when the JSON escaped them, from buffers reused from note to note). Acceptance and error
//! messages are those of decoding into `Vec<Note>`: same `serde_json` deserializer, same
//! "expected" words, same order of checks (`tests` compare both on many inputs).

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::notes::Note;

/// One note of a notes list, its strings borrowed for the time of the callback.
#[derive(Debug, Clone, Copy)]
pub struct NoteRef<'a> {
    /// Note id.
    pub id: i64,
    /// ETag of the note's current state.
    pub etag: &'a str,
    /// Whether the note cannot be changed.
    pub readonly: bool,
    /// Content in Markdown (empty when the list was asked without content).
    pub content: &'a str,
    /// Title.
    pub title: &'a str,
    /// Category.
    pub category: &'a str,
    /// Favorite flag.
    pub favorite: bool,
    /// Last modification, seconds since the epoch.
    pub modified: i64,
}

impl NoteRef<'_> {
    /// The owned [`Note`].
    pub fn to_note(&self) -> Note {
        Note {
            id: self.id,
            etag: self.etag.to_owned(),
            readonly: self.readonly,
            content: self.content.to_owned(),
            title: self.title.to_owned(),
            category: self.category.to_owned(),
            favorite: self.favorite,
            modified: self.modified,
        }
    }
}

/// Decodes a notes list, calling `each` for every full note in list order. The `{"id":N}`
/// stubs the last chunk appends for every other note are skipped (an object is a stub when
/// `id` is its only key). On an error, notes before it may have been handed to `each`
/// already; the caller drops what it gathered, as the whole list is refused.
pub fn for_each_note_in(bytes: &[u8], each: impl FnMut(NoteRef<'_>)) -> Result<(), String> {
    // An answer that is UTF-8 as a whole (what Nextcloud sends) is read as `str`, so that its
    // strings are not validated once more one by one; `serde_json` reads both the same way
    // otherwise. Any other answer is read as bytes, which fails where and as it did before.
    let read = match std::str::from_utf8(bytes) {
        Ok(text) => read_list(&mut serde_json::Deserializer::from_str(text), each),
        Err(_) => read_list(&mut serde_json::Deserializer::from_slice(bytes), each),
    };
    read.map_err(|e| format!("unexpected notes list: {e}"))
}

/// `serde_json::from_*` for the list, with `each` as the visitor of its elements.
fn read_list<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    each: impl FnMut(NoteRef<'_>),
) -> serde_json::Result<()> {
    de::Deserializer::deserialize_seq(&mut *de, ListVisitor { each })?;
    de.end()
}

/// The list: a JSON array of note objects.
struct ListVisitor<F> {
    each: F,
}

impl<'de, F: FnMut(NoteRef<'_>)> Visitor<'de> for ListVisitor<F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        // What `Vec<_>` says, so that errors read as before.
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut slots = Slots::default();
        while seq
            .next_element_seed(EntrySeed {
                slots: &mut slots,
                each: &mut self.each,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// The string fields of the note being read; their buffers serve every note of the list.
#[derive(Default)]
struct Slots<'de> {
    etag: Slot<'de>,
    content: Slot<'de>,
    title: Slot<'de>,
    category: Slot<'de>,
}

/// A string field: borrowed from the answer when the JSON has no escape in it, else unescaped
/// into `buf`.
#[derive(Default)]
struct Slot<'de> {
    borrowed: &'de str,
    owned: bool,
    buf: String,
}

impl Slot<'_> {
    fn clear(&mut self) {
        self.borrowed = "";
        self.owned = false;
    }

    fn get(&self) -> &str {
        if self.owned { &self.buf } else { self.borrowed }
    }
}

impl<'de> DeserializeSeed<'de> for &mut Slot<'de> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // As `String`'s own `Deserialize` asks.
        deserializer.deserialize_string(self)
    }
}

impl<'de> Visitor<'de> for &mut Slot<'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        // What `String` says.
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.borrowed = v;
        self.owned = false;
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.buf.clear();
        self.buf.push_str(v);
        self.owned = true;
        Ok(())
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        // `String` takes UTF-8 bytes too.
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
        }
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum NoteField {
    Id,
    Etag,
    Readonly,
    Content,
    Title,
    Category,
    Favorite,
    Modified,
    #[serde(other)]
    Other,
}

/// One element of the list.
struct EntrySeed<'s, 'de, F> {
    slots: &'s mut Slots<'de>,
    each: &'s mut F,
}

impl<'de, F: FnMut(NoteRef<'_>)> DeserializeSeed<'de> for EntrySeed<'_, 'de, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: FnMut(NoteRef<'_>)> Visitor<'de> for EntrySeed<'_, 'de, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a note object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let slots = self.slots;
        slots.etag.clear();
        slots.content.clear();
        slots.title.clear();
        slots.category.clear();
        let (mut readonly, mut favorite, mut modified) = (false, false, 0i64);
        let mut keys = 0usize;
        // Kept as a (small) Value until the end: a stub is skipped whatever its id looks like.
        let mut id: Option<Value> = None;
        // Later duplicates win, as they did when a Value map was converted.
        while let Some(field) = map.next_key::<NoteField>()? {
            keys += 1;
            match field {
                NoteField::Id => id = Some(map.next_value()?),
                NoteField::Etag => map.next_value_seed(&mut slots.etag)?,
                NoteField::Readonly => readonly = map.next_value()?,
                NoteField::Content => map.next_value_seed(&mut slots.content)?,
                NoteField::Title => map.next_value_seed(&mut slots.title)?,
                NoteField::Category => map.next_value_seed(&mut slots.category)?,
                NoteField::Favorite => favorite = map.next_value()?,
                NoteField::Modified => modified = map.next_value()?,
                NoteField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(id) = id else {
            return Err(de::Error::missing_field("id"));
        };
        if keys == 1 {
            return Ok(());
        }
        // An integer is taken as is; anything else fails (or not) as `from_value` decides.
        let id = match id.as_i64() {
            Some(id) => id,
            None => serde_json::from_value(id).map_err(de::Error::custom)?,
        };
        (self.each)(NoteRef {
            id,
            etag: slots.etag.get(),
            readonly,
            content: slots.content.get(),
            title: slots.title.get(),
            category: slots.category.get(),
            favorite,
            modified,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The decoding this module replaced (typed `ChunkEntry`s into a `Vec<Note>`), kept as the
    /// reference: notes and error messages must be the same.
    mod before {
        use super::super::NoteField;
        use crate::nextcloud::notes::Note;
        use serde::Deserialize;
        use serde_json::Value;

        pub fn decode_chunk(bytes: &[u8]) -> Result<Vec<Note>, String> {
            let entries: Vec<ChunkEntry> =
                serde_json::from_slice(bytes).map_err(|e| format!("unexpected notes list: {e}"))?;
            Ok(entries.into_iter().filter_map(|e| e.0).collect())
        }

        struct ChunkEntry(Option<Note>);

        impl<'de> Deserialize<'de> for ChunkEntry {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map(ChunkEntryVisitor)
            }
        }

        struct ChunkEntryVisitor;

        impl<'de> serde::de::Visitor<'de> for ChunkEntryVisitor {
            type Value = ChunkEntry;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a note object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ChunkEntry, A::Error> {
                let mut note = Note {
                    id: 0,
                    etag: String::new(),
                    readonly: false,
                    content: String::new(),
                    title: String::new(),
                    category: String::new(),
                    favorite: false,
                    modified: 0,
                };
                let mut keys = 0usize;
                let mut id: Option<Value> = None;
                while let Some(field) = map.next_key::<NoteField>()? {
                    keys += 1;
                    match field {
                        NoteField::Id => id = Some(map.next_value()?),
                        NoteField::Etag => note.etag = map.next_value()?,
                        NoteField::Readonly => note.readonly = map.next_value()?,
                        NoteField::Content => note.content = map.next_value()?,
                        NoteField::Title => note.title = map.next_value()?,
                        NoteField::Category => note.category = map.next_value()?,
                        NoteField::Favorite => note.favorite = map.next_value()?,
                        NoteField::Modified => note.modified = map.next_value()?,
                        NoteField::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                let Some(id) = id else {
                    return Err(serde::de::Error::missing_field("id"));
                };
                if keys == 1 {
                    return Ok(ChunkEntry(None));
                }
                note.id = serde_json::from_value(id).map_err(serde::de::Error::custom)?;
                Ok(ChunkEntry(Some(note)))
            }
        }
    }

    fn streamed(bytes: &[u8]) -> Result<Vec<Note>, String> {
        let mut notes = Vec::new();
        for_each_note_in(bytes, |note| notes.push(note.to_note()))?;
        Ok(notes)
    }

    fn assert_same(bytes: &[u8]) {
        let show = |r: Result<Vec<Note>, String>| match r {
            Ok(notes) => Ok(serde_json::to_string(&notes).unwrap()),
            Err(e) => Err(e),
        };
        assert_eq!(
            show(streamed(bytes)),
            show(before::decode_chunk(bytes)),
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }

    #[test]
    fn examples_decode_as_before() {
        for text in [
            r#"[{"id":1,"etag":"e","readonly":false,"modified":5,"title":"T","category":"c","content":"x\u00e9\n","favorite":true},{"id":2},{"id":3}]"#,
            r#"[{"id":1,"title":"only title"},{"id":2,"unknown":{"a":[1,2]}},{"unknown":1,"id":9}]"#,
            r#"[{"id":1,"title":"a","title":"b\"c"},{"id":2,"title":"d\\e","title":"f"}]"#,
            r#"[{"id":1,"content":"esc\taped","content":"plain"},{"id":2,"content":"next"}]"#,
            "[]",
            " [ ] ",
            r#"[{"title":"no id"}]"#,
            r#"[{"id":1,"title":null}]"#,
            r#"[{"id":"1"}]"#,
            r#"[{"id":"1","title":"t"}]"#,
            r#"[{"id":null},{"id":1.5,"title":"t"}]"#,
            r#"[{"id":18446744073709551615,"title":"t"}]"#,
            r#"[{"id":-7,"title":"t"}]"#,
            r#"[{"id":1,"readonly":"yes"}]"#,
            r#"[{"id":1,"modified":1.5}]"#,
            r#"[{"id":1,"title":"\ud800"}]"#,
            r#"[{"id":1,"title":"t"}] x"#,
            r#"[{"id":1,"title":"t"},]"#,
            r#"[{"id":1,"title":"t"}"#,
            r#"[1]"#,
            r#"{"id":1}"#,
            "not json",
            "",
        ] {
            assert_same(text.as_bytes());
        }
        assert_same(b"[{\"id\":1,\"title\":\"\xff\"}]");
    }

    fn json_string() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z ]{0,12}".prop_map(|s| format!("\"{s}\"")),
            any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
            // Escapes as PHP's json_encode writes them.
            "[a-zé<>/\n\"\\\\]{0,12}".prop_map(|s| {
                let mut out = String::from("\"");
                for c in s.chars() {
                    match c {
                        '\n' => out.push_str("\\n"),
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '/' => out.push_str("\\/"),
                        c if !c.is_ascii() || c == '<' || c == '>' => {
                            out.push_str(&format!("\\u{:04x}", c as u32))
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
                out
            }),
        ]
    }

    fn json_value() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => json_string(),
            2 => any::<i64>().prop_map(|n| n.to_string()),
            1 => any::<u64>().prop_map(|n| n.to_string()),
            1 => Just("1.5".to_string()),
            1 => Just("null".to_string()),
            1 => any::<bool>().prop_map(|b| b.to_string()),
            1 => Just(r#"{"a":[1,"x"]}"#.to_string()),
            1 => Just("[]".to_string()),
        ]
    }

    /// A key: mostly the note's own fields, with the types they should have.
    fn member() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("id"),
            Just("etag"),
            Just("readonly"),
            Just("content"),
            Just("title"),
            Just("category"),
            Just("favorite"),
            Just("modified"),
            Just("other"),
        ];
        (
            key,
            json_value(),
            json_string(),
            any::<i64>(),
            any::<bool>(),
            0..4u8,
        )
            .prop_map(|(key, any_value, string, int, flag, pick)| {
                let typed = match key {
                    "id" | "modified" => int.to_string(),
                    "readonly" | "favorite" => flag.to_string(),
                    _ => string,
                };
                // Mostly well-typed values, sometimes anything.
                let value = if pick == 0 { any_value } else { typed };
                format!("\"{key}\":{value}")
            })
    }

    fn object() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (any::<i64>(), prop::collection::vec(member(), 0..9))
                .prop_map(|(id, rest)| {
                    let mut members = rest;
                    members.insert(0, format!("\"id\":{id}"));
                    format!("{{{}}}", members.join(","))
                }),
            1 => prop::collection::vec(member(), 0..9).prop_map(|m| format!("{{{}}}", m.join(","))),
            1 => any::<u32>().prop_map(|id| format!("{{\"id\":{id}}}")),
        ]
    }

    fn list() -> impl Strategy<Value = String> {
        prop::collection::vec(object(), 0..6).prop_map(|o| format!("[{}]", o.join(",")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn lists_decode_as_before(text in list()) {
            let (new, old) = (streamed(text.as_bytes()), before::decode_chunk(text.as_bytes()));
            prop_assert_eq!(
                new.map(|n| serde_json::to_string(&n).unwrap()),
                old.map(|n| serde_json::to_string(&n).unwrap())
            );
        }

        #[test]
        fn damaged_lists_fail_as_before(
            text in list(),
            cut in any::<prop::sample::Index>(),
            junk in "[\\[\\]{}\",:a-z0-9\\\\ ]{0,3}",
            bad in proptest::option::of(128u8..=255),
        ) {
            // A list cut short or with something spliced in (sometimes a byte that is not UTF-8).
            let at = cut.index(text.len() + 1);
            let mut bytes = text.as_bytes()[..at].to_vec();
            bytes.extend_from_slice(junk.as_bytes());
            bytes.extend(bad);
            bytes.extend_from_slice(&text.as_bytes()[at..]);
            let (new, old) = (streamed(&bytes), before::decode_chunk(&bytes));
            prop_assert_eq!(
                new.map(|n| serde_json::to_string(&n).unwrap()),
                old.map(|n| serde_json::to_string(&n).unwrap())
            );
        }
    }
}
