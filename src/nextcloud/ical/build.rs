//! Building new iCalendar objects and applying a tool's changes to an existing one.
//! Every new or changed content line is produced by `calcard`'s writer; the lines a tool
//! does not change are copied untouched (see [`super::lines`]).

use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendar, ICalendarAction, ICalendarComponent, ICalendarComponentType, ICalendarDuration,
    ICalendarEntry, ICalendarParameter, ICalendarParameterName, ICalendarParameterValue,
    ICalendarParticipationRole, ICalendarParticipationStatus, ICalendarProperty, ICalendarValue,
    Uri,
};
use chrono::{Datelike, NaiveDate};

use super::lines::Lines;
use super::time::Moment;

/// One alarm: minutes before the start (or due), shown on screen or sent by email.
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    /// Minutes before the start.
    pub minutes: i64,
    /// EMAIL instead of DISPLAY.
    pub email: bool,
}

/// Changes to a VEVENT or VTODO. `None` = leave as is; an empty text = remove the property.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub summary: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub status: Option<String>,
    pub priority: Option<i64>,
    pub privacy: Option<String>,
    pub categories: Option<Vec<String>>,
    pub attendees: Option<Vec<String>>,
    pub url: Option<String>,
    pub color: Option<String>,
    /// A validated RRULE value; an empty string removes recurrence.
    pub rrule: Option<String>,
    pub start: Option<Moment>,
    pub end: Option<Moment>,
    pub due: Option<Moment>,
    /// `Some(None)` removes COMPLETED.
    pub completed: Option<Option<Moment>>,
    pub percent_complete: Option<i64>,
    pub alarms: Option<Vec<Alarm>>,
    /// The user's calendar address (`mailto:...`), written as ORGANIZER when the item has
    /// attendees and no organizer yet, so the server's scheduling invites them.
    pub organizer: Option<String>,
}

fn text(name: ICalendarProperty, value: &str) -> ICalendarEntry {
    ICalendarEntry::new(name).with_value(value.to_string())
}

fn line(entry: &ICalendarEntry) -> String {
    let mut out = String::new();
    let _ = entry.write_to(&mut out);
    out
}

/// Parses and validates an RRULE value (e.g. `FREQ=WEEKLY;BYDAY=MO`) with calcard, adding
/// UNTIL from `end_date` when the rule has neither UNTIL nor COUNT.
pub fn rrule_value(
    rule: &str,
    end_date: Option<NaiveDate>,
    all_day: bool,
) -> Result<ICalendarValue, String> {
    let rule = rule.trim().trim_start_matches("RRULE:");
    let doc = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let cal = super::parse(&doc)?;
    let value = cal
        .components
        .iter()
        .flat_map(|c| c.entries.iter())
        .find(|e| e.name == ICalendarProperty::Rrule)
        .and_then(|e| e.values.first().cloned());
    let Some(ICalendarValue::RecurrenceRule(mut parsed)) = value else {
        return Err(format!(
            "`{rule}` is not a valid RRULE (example: FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10)"
        ));
    };
    if let Some(date) = end_date
        && parsed.until.is_none()
        && parsed.count.is_none()
    {
        parsed.until = Some(PartialDateTime {
            year: Some(date.year() as u16),
            month: Some(date.month() as u8),
            day: Some(date.day() as u8),
            hour: (!all_day).then_some(23),
            minute: (!all_day).then_some(59),
            second: (!all_day).then_some(59),
            tz_hour: (!all_day).then_some(0),
            tz_minute: (!all_day).then_some(0),
            tz_minus: false,
        });
    }
    Ok(ICalendarValue::RecurrenceRule(parsed))
}

fn attendee(addr: &str) -> ICalendarEntry {
    let addr = addr.trim().trim_start_matches("mailto:");
    ICalendarEntry::new(ICalendarProperty::Attendee)
        .with_param(ICalendarParameter::new(
            ICalendarParameterName::Role,
            ICalendarParameterValue::Role(ICalendarParticipationRole::ReqParticipant),
        ))
        .with_param(ICalendarParameter::new(
            ICalendarParameterName::Partstat,
            ICalendarParameterValue::Partstat(ICalendarParticipationStatus::NeedsAction),
        ))
        .with_param(ICalendarParameter::new(ICalendarParameterName::Rsvp, true))
        .with_value(ICalendarValue::Uri(Uri::Location(format!("mailto:{addr}"))))
}

/// The calendar address of a raw ATTENDEE/ORGANIZER line, lower-cased and without `mailto:`
/// (the value after the first `:` outside a quoted parameter).
fn address_of_line(raw: &str) -> String {
    let unfolded = raw
        .replace("\r\n ", "")
        .replace("\n ", "")
        .replace("\r\n\t", "");
    let mut quoted = false;
    let mut value = "";
    for (i, ch) in unfolded.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                value = &unfolded[i + 1..];
                break;
            }
            _ => {}
        }
    }
    address_key(value)
}

fn address_key(addr: &str) -> String {
    let t = addr.trim().to_ascii_lowercase();
    t.strip_prefix("mailto:").unwrap_or(&t).to_string()
}

/// The ATTENDEE lines for a new attendee list: an attendee already there keeps its line as
/// stored (CN, PARTSTAT, ROLE, SCHEDULE-STATUS...); only new ones get a fresh line
/// (PARTSTAT=NEEDS-ACTION, RSVP=TRUE); the ones left out are removed.
fn attendee_lines(existing: &[String], wanted: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for addr in wanted {
        let key = address_key(addr);
        if key.is_empty() || seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        match existing.iter().find(|l| address_of_line(l) == key) {
            Some(raw) => out.push(raw.clone()),
            None => out.push(line(&attendee(addr))),
        }
    }
    out
}

fn alarm_component(alarm: &Alarm, summary: &str) -> ICalendarComponent {
    let mut entries = vec![
        ICalendarEntry::new(ICalendarProperty::Action).with_value(if alarm.email {
            ICalendarAction::Email
        } else {
            ICalendarAction::Display
        }),
        ICalendarEntry::new(ICalendarProperty::Trigger)
            .with_value(ICalendarDuration::from_seconds(-alarm.minutes * 60)),
        text(
            ICalendarProperty::Description,
            if summary.is_empty() {
                "Reminder"
            } else {
                summary
            },
        ),
    ];
    if alarm.email {
        entries.push(text(
            ICalendarProperty::Summary,
            if summary.is_empty() {
                "Reminder"
            } else {
                summary
            },
        ));
    }
    ICalendarComponent {
        component_type: ICalendarComponentType::VAlarm,
        entries,
        component_ids: Vec::new(),
    }
}

/// The (property name, new entries) pairs a change set writes.
fn entries(
    c: &Changes,
    rrule: Option<&ICalendarValue>,
) -> Vec<(&'static str, Vec<ICalendarEntry>)> {
    let mut out: Vec<(&'static str, Vec<ICalendarEntry>)> = Vec::new();
    let mut set_text = |name: &'static str, prop: ICalendarProperty, v: &Option<String>| {
        if let Some(v) = v {
            out.push((
                name,
                if v.is_empty() {
                    vec![]
                } else {
                    vec![text(prop, v)]
                },
            ));
        }
    };
    set_text("SUMMARY", ICalendarProperty::Summary, &c.summary);
    set_text(
        "DESCRIPTION",
        ICalendarProperty::Description,
        &c.description,
    );
    set_text("LOCATION", ICalendarProperty::Location, &c.location);
    set_text("STATUS", ICalendarProperty::Status, &c.status);
    set_text("CLASS", ICalendarProperty::Class, &c.privacy);
    set_text("COLOR", ICalendarProperty::Color, &c.color);
    if let Some(url) = &c.url {
        out.push((
            "URL",
            if url.is_empty() {
                vec![]
            } else {
                vec![
                    ICalendarEntry::new(ICalendarProperty::Url)
                        .with_value(ICalendarValue::Uri(Uri::Location(url.clone()))),
                ]
            },
        ));
    }
    if let Some(p) = c.priority {
        out.push((
            "PRIORITY",
            vec![ICalendarEntry::new(ICalendarProperty::Priority).with_value(p)],
        ));
    }
    if let Some(p) = c.percent_complete {
        out.push((
            "PERCENT-COMPLETE",
            vec![ICalendarEntry::new(ICalendarProperty::PercentComplete).with_value(p)],
        ));
    }
    if let Some(cats) = &c.categories {
        let values: Vec<ICalendarValue> = cats
            .iter()
            .map(|s| ICalendarValue::Text(s.clone()))
            .collect();
        out.push((
            "CATEGORIES",
            if values.is_empty() {
                vec![]
            } else {
                vec![ICalendarEntry::new(ICalendarProperty::Categories).with_values(values)]
            },
        ));
    }
    if let Some(list) = &c.attendees {
        out.push(("ATTENDEE", list.iter().map(|a| attendee(a)).collect()));
    }
    if let Some(org) = &c.organizer
        && c.attendees.as_ref().is_some_and(|l| !l.is_empty())
    {
        out.push((
            "ORGANIZER",
            vec![
                ICalendarEntry::new(ICalendarProperty::Organizer)
                    .with_value(ICalendarValue::Uri(Uri::Location(org.clone()))),
            ],
        ));
    }
    if let Some(rule) = &c.rrule {
        out.push((
            "RRULE",
            match rrule {
                Some(v) if !rule.is_empty() => {
                    vec![ICalendarEntry::new(ICalendarProperty::Rrule).with_value(v.clone())]
                }
                _ => vec![],
            },
        ));
    }
    if let Some(m) = &c.start {
        out.push(("DTSTART", vec![m.entry(ICalendarProperty::Dtstart)]));
    }
    if let Some(m) = &c.end {
        out.push(("DTEND", vec![m.entry(ICalendarProperty::Dtend)]));
        out.push(("DURATION", vec![]));
    }
    if let Some(m) = &c.due {
        out.push(("DUE", vec![m.entry(ICalendarProperty::Due)]));
    }
    if let Some(done) = &c.completed {
        out.push((
            "COMPLETED",
            done.iter()
                .map(|m| Moment::Utc(m.instant()).entry(ICalendarProperty::Completed))
                .collect(),
        ));
    }
    out
}

fn zones(c: &Changes) -> Vec<String> {
    [&c.start, &c.end, &c.due]
        .iter()
        .filter_map(|m| m.as_ref().and_then(|m| m.zone()))
        .collect()
}

fn stamp(name: ICalendarProperty) -> ICalendarEntry {
    ICalendarEntry::new(name).with_value(PartialDateTime::now())
}

/// A complete new VCALENDAR with one VEVENT/VTODO, VTIMEZONEs for the zones it uses and alarms.
pub fn new_object(kind: ICalendarComponentType, uid: &str, c: &Changes) -> Result<String, String> {
    let rrule = match &c.rrule {
        Some(r) if !r.is_empty() => Some(rrule_value(
            r,
            None,
            c.start.as_ref().is_some_and(|s| s.is_date()),
        )?),
        _ => None,
    };
    let mut main = vec![
        text(ICalendarProperty::Uid, uid),
        stamp(ICalendarProperty::Dtstamp),
        stamp(ICalendarProperty::Created),
        stamp(ICalendarProperty::LastModified),
    ];
    for (_, list) in entries(c, rrule.as_ref()) {
        main.extend(list);
    }
    let summary = c.summary.clone().unwrap_or_default();
    let alarms: Vec<ICalendarComponent> = c
        .alarms
        .iter()
        .flatten()
        .map(|a| alarm_component(a, &summary))
        .collect();
    let mut components = vec![
        ICalendarComponent {
            component_type: ICalendarComponentType::VCalendar,
            entries: vec![
                text(ICalendarProperty::Version, "2.0"),
                text(ICalendarProperty::Prodid, "-//nextcloud-mcp//EN"),
            ],
            component_ids: vec![1],
        },
        ICalendarComponent {
            component_type: kind,
            entries: main,
            component_ids: (2..2 + alarms.len() as u32).collect(),
        },
    ];
    components.extend(alarms);
    let mut cal = ICalendar { components };
    cal.add_missing_timezones();
    Ok(cal.to_string())
}

/// VTIMEZONE blocks (text) for zones the document does not define yet.
fn missing_zone_blocks(existing: &ICalendar, wanted: &[String]) -> String {
    let defined: Vec<String> = existing
        .timezones()
        .filter_map(|c| {
            c.entries
                .iter()
                .find(|e| e.name == ICalendarProperty::Tzid)
                .and_then(|e| e.values.first())
                .and_then(|v| v.as_text())
                .map(str::to_string)
        })
        .collect();
    let mut out = String::new();
    for zone in wanted {
        if defined.iter().any(|d| d == zone) || out.contains(&format!("TZID:{zone}\r\n")) {
            continue;
        }
        let m = Moment::Zoned(
            chrono::Utc::now().naive_utc(),
            zone.parse().unwrap_or(chrono_tz::UTC),
        );
        let tmp = new_object(
            ICalendarComponentType::VEvent,
            "tz",
            &Changes {
                start: Some(m),
                ..Default::default()
            },
        );
        if let Ok(tmp) = tmp {
            let lines = Lines::new(&tmp);
            for span in lines.components("VTIMEZONE") {
                out.push_str(&lines.component_text(span));
            }
        }
    }
    out
}

/// Applies changes to the master VEVENT/VTODO with `uid` in `text`, bumping SEQUENCE and
/// the time stamps. Returns the new text.
pub fn apply(
    text_in: &str,
    kind: &ICalendarComponentType,
    uid: &str,
    c: &Changes,
    rrule_end: Option<NaiveDate>,
) -> Result<String, String> {
    let cal = super::parse(text_in)?;
    let kind_name = kind.as_str().to_string();
    let position = cal
        .components
        .iter()
        .filter(|comp| &comp.component_type == kind)
        .position(|comp| comp.uid() == Some(uid) && !comp.is_recurrence_override())
        .ok_or_else(|| format!("no {kind_name} with UID {uid} in the object"))?;
    let master = &cal.components[super::masters(&cal, kind)
        .into_iter()
        .find(|&i| cal.components[i].uid() == Some(uid))
        .unwrap_or(0)];
    let all_day = c.start.as_ref().map(|s| s.is_date()).unwrap_or_else(|| {
        master.entries.iter().any(|e| e.name == ICalendarProperty::Dtstart
            && matches!(e.values.first(), Some(ICalendarValue::PartialDateTime(p)) if !p.has_time()))
    });
    let rrule = match &c.rrule {
        Some(r) if !r.is_empty() => Some(rrule_value(r, rrule_end, all_day)?),
        _ => None,
    };
    let sequence = master
        .entries
        .iter()
        .find(|e| e.name == ICalendarProperty::Sequence)
        .and_then(|e| e.values.first().and_then(|v| v.as_integer()))
        .unwrap_or(0);
    let summary = c
        .summary
        .clone()
        .or_else(|| {
            master
                .entries
                .iter()
                .find(|e| e.name == ICalendarProperty::Summary)
                .and_then(|e| {
                    e.values
                        .first()
                        .and_then(|v| v.as_text())
                        .map(str::to_string)
                })
        })
        .unwrap_or_default();

    let mut doc = Lines::new(text_in);
    let span = |doc: &Lines| doc.components(&kind_name)[position];
    let mut sets = entries(c, rrule.as_ref());
    sets.push((
        "SEQUENCE",
        vec![ICalendarEntry::new(ICalendarProperty::Sequence).with_value(sequence + 1)],
    ));
    sets.push(("DTSTAMP", vec![stamp(ICalendarProperty::Dtstamp)]));
    sets.push((
        "LAST-MODIFIED",
        vec![stamp(ICalendarProperty::LastModified)],
    ));
    let has_organizer = master
        .entries
        .iter()
        .any(|e| e.name == ICalendarProperty::Organizer);
    for (name, list) in sets {
        let s = span(&doc);
        let lines = match (name, &c.attendees) {
            ("ATTENDEE", Some(wanted)) => attendee_lines(&doc.named(s, "ATTENDEE"), wanted),
            ("ORGANIZER", _) if has_organizer => continue,
            _ => list.iter().map(line).collect(),
        };
        doc.set(s, name, lines);
    }
    if let Some(alarms) = &c.alarms {
        let s = span(&doc);
        let inner: Vec<(usize, usize)> = doc
            .components("VALARM")
            .into_iter()
            .filter(|a| a.0 > s.0 && a.1 < s.1)
            .collect();
        for a in inner.into_iter().rev() {
            doc.remove_component(a);
        }
        let s = span(&doc);
        let mut block = String::new();
        for a in alarms {
            let _ = ICalendar {
                components: vec![alarm_component(a, &summary)],
            }
            .write_to(&mut block);
        }
        doc.insert_block(s.1, &block);
    }
    let zones_block = missing_zone_blocks(&cal, &zones(c));
    if !zones_block.is_empty() {
        let s = span(&doc);
        let first = doc
            .components(&kind_name)
            .first()
            .map(|f| f.0)
            .unwrap_or(s.0);
        doc.insert_block(first, &zones_block);
    }
    if c.rrule.as_deref() == Some("") {
        // No longer recurring: no extra dates, no exceptions, no overridden instances.
        let s = span(&doc);
        doc.set(s, "RDATE", vec![]);
        let s = span(&doc);
        doc.set(s, "EXDATE", vec![]);
        let overrides: Vec<usize> = cal
            .components
            .iter()
            .filter(|comp| &comp.component_type == kind)
            .enumerate()
            .filter(|(_, comp)| comp.uid() == Some(uid) && comp.is_recurrence_override())
            .map(|(i, _)| i)
            .collect();
        let spans = doc.components(&kind_name);
        for i in overrides.into_iter().rev() {
            if let Some(&o) = spans.get(i) {
                doc.remove_component(o);
            }
        }
    }
    Ok(doc.text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nextcloud::ical::{fields, main_component, parse, time::parse_moment};

    #[test]
    fn new_event_round_trips_with_zone() {
        let c = Changes {
            summary: Some("Team, sync; now".into()),
            start: Some(parse_moment("2026-03-10T09:00:00", Some("Europe/Berlin")).unwrap()),
            end: Some(parse_moment("2026-03-10T10:00:00", Some("Europe/Berlin")).unwrap()),
            categories: Some(vec!["Work".into(), "Team".into()]),
            attendees: Some(vec!["bob@example.com".into()]),
            rrule: Some("FREQ=WEEKLY;COUNT=3".into()),
            alarms: Some(vec![Alarm {
                minutes: 15,
                email: false,
            }]),
            ..Default::default()
        };
        let text = new_object(ICalendarComponentType::VEvent, "u1", &c).unwrap();
        assert!(text.contains("BEGIN:VTIMEZONE"), "{text}");
        assert!(
            text.contains("DTSTART;TZID=Europe/Berlin:20260310T090000"),
            "{text}"
        );
        let cal = parse(&text).unwrap();
        let (idx, _) = main_component(&cal).unwrap();
        let f = fields(&cal, idx);
        assert_eq!(f.summary, "Team, sync; now");
        assert_eq!(f.start.as_deref(), Some("2026-03-10T09:00:00+01:00"));
        assert_eq!(f.timezone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(f.categories, vec!["Work", "Team"]);
        assert_eq!(f.attendees, vec!["bob@example.com"]);
        assert_eq!(f.reminders_minutes, vec![15]);
        let occ = super::super::occurrences_of(&cal, idx, None);
        assert_eq!(occ.len(), 3);
        assert_eq!(occ[2].start_text, "2026-03-24T09:00:00+01:00");
    }

    #[test]
    fn apply_keeps_unknown_lines_byte_for_byte() {
        let original = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=America/New_York:20260310T090000\r\nDTEND;TZID=America/New_York:20260310T100000\r\nSUMMARY:Old\r\nX-CUSTOM;X-PARAM=\"a;b\":value\\, with \\n escapes\r\n  and a fold\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let c = Changes {
            summary: Some("New".into()),
            location: Some("Room 1".into()),
            ..Default::default()
        };
        let out = apply(original, &ICalendarComponentType::VEvent, "e1", &c, None).unwrap();
        assert!(
            out.contains("X-CUSTOM;X-PARAM=\"a;b\":value\\, with \\n escapes\r\n  and a fold\r\n"),
            "{out}"
        );
        assert!(out.contains("DTSTART;TZID=America/New_York:20260310T090000\r\n"));
        assert!(
            out.contains("SUMMARY:New\r\n")
                && out.contains("LOCATION:Room 1\r\n")
                && out.contains("SEQUENCE:1\r\n")
        );
        let c = Changes {
            start: Some(parse_moment("2026-03-11T09:00:00", Some("Asia/Tokyo")).unwrap()),
            ..Default::default()
        };
        let out = apply(&out, &ICalendarComponentType::VEvent, "e1", &c, None).unwrap();
        assert!(out.contains("TZID:Asia/Tokyo"), "{out}");
        assert!(out.contains("SEQUENCE:2\r\n"));
    }

    #[test]
    fn attendees_who_stay_keep_their_parameters() {
        let original = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:m1\r\nDTSTART:20260310T090000Z\r\nORGANIZER:mailto:alice@example.com\r\nATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;SCHEDULE-STATUS=2.0:mailto:bob@example.com\r\nATTENDEE;CN=\"Carol: QA\";PARTSTAT=DECLINED:mailto:carol@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let c = Changes {
            attendees: Some(vec!["BOB@example.com".into(), "dave@example.com".into()]),
            ..Default::default()
        };
        let out = apply(original, &ICalendarComponentType::VEvent, "m1", &c, None).unwrap();
        assert!(
            out.contains(
                "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;SCHEDULE-STATUS=2.0:mailto:bob@example.com\r\n"
            ),
            "{out}"
        );
        assert!(!out.contains("carol"), "{out}");
        let unfolded = out.replace("\r\n ", "");
        let dave = unfolded
            .lines()
            .find(|l| l.contains("dave@example.com"))
            .unwrap();
        assert!(
            dave.contains("PARTSTAT=NEEDS-ACTION") && dave.contains("RSVP=TRUE"),
            "{dave}"
        );
        assert_eq!(out.matches("ORGANIZER").count(), 1);
    }

    #[test]
    fn new_object_with_attendees_names_the_organizer() {
        let c = Changes {
            summary: Some("Sync".into()),
            attendees: Some(vec!["bob@example.com".into()]),
            organizer: Some("mailto:alice@example.com".into()),
            ..Default::default()
        };
        let text = new_object(ICalendarComponentType::VEvent, "o1", &c).unwrap();
        assert!(
            text.contains("ORGANIZER:mailto:alice@example.com"),
            "{text}"
        );
        let alone = Changes {
            organizer: Some("mailto:alice@example.com".into()),
            ..Default::default()
        };
        let text = new_object(ICalendarComponentType::VEvent, "o2", &alone).unwrap();
        assert!(
            !text.contains("ORGANIZER"),
            "no attendees, no organizer: {text}"
        );
    }

    #[test]
    fn not_recurring_removes_every_recurrence_part() {
        let original = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r1\r\nDTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nRDATE:20260320T090000Z\r\nEXDATE:20260309T090000Z\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:r1\r\nRECURRENCE-ID:20260316T090000Z\r\nDTSTART:20260317T090000Z\r\nDTEND:20260317T100000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let c = Changes {
            rrule: Some(String::new()),
            ..Default::default()
        };
        let out = apply(original, &ICalendarComponentType::VEvent, "r1", &c, None).unwrap();
        for gone in ["RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "Moved"] {
            assert!(!out.contains(gone), "{gone} left in {out}");
        }
        let cal = parse(&out).unwrap();
        let (idx, _) = main_component(&cal).unwrap();
        assert_eq!(super::super::occurrences_of(&cal, idx, None).len(), 1);
    }

    #[test]
    fn moved_instance_keeps_its_recurrence_id() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r2\r\nDTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:r2\r\nRECURRENCE-ID:20260309T090000Z\r\nDTSTART:20260310T140000Z\r\nDTEND:20260310T150000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let cal = parse(text).unwrap();
        let (idx, _) = main_component(&cal).unwrap();
        let occ = super::super::occurrences_of(&cal, idx, None);
        assert_eq!(occ.len(), 2);
        assert_eq!(occ[1].start_text, "2026-03-10T14:00:00Z");
        assert_eq!(
            occ[1].recurrence_id.as_deref(),
            Some("2026-03-09T09:00:00Z")
        );
    }
}
