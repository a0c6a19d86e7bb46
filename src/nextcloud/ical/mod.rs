//! iCalendar objects: parsed and written with the `calcard` crate (RFC 5545 values,
//! escaping, folding, time zones, RRULE/RDATE/EXDATE/RECURRENCE-ID expansion); edits are
//! spliced in at the content-line level by [`lines::Lines`] so everything a tool does not
//! change keeps its bytes.

pub mod build;
pub mod lines;
pub mod time;

use calcard::Entry;
use calcard::common::timezone::Tz;
use calcard::icalendar::dates::TimeOrDelta;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarProperty,
    ICalendarValue,
};
use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::Serialize;

pub use time::{Moment, parse_bound, parse_moment};

/// Largest number of occurrences expanded per calendar object.
pub const MAX_EXPANSION: usize = 20_000;

/// Parses an iCalendar document.
pub fn parse(text: &str) -> Result<ICalendar, String> {
    let mut parser = calcard::Parser::new(text);
    match parser.entry() {
        Entry::ICalendar(cal) => Ok(cal),
        Entry::InvalidLine(line) => Err(format!("invalid iCalendar line: {line}")),
        other => Err(format!("not an iCalendar object: {other:?}")),
    }
}

/// The fields of a VEVENT or VTODO as tools show them.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ItemFields {
    /// UID of the event or task.
    pub uid: String,
    /// SUMMARY (title).
    pub summary: String,
    /// DESCRIPTION.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// LOCATION.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Start: `YYYY-MM-DD` (all-day), RFC 3339 with the zone's offset, `...Z` for UTC, or no suffix for floating times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End (exclusive; for all-day events the day after the last day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// True for all-day (date) events.
    pub all_day: bool,
    /// TZID of the start, when the object is in a named zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// STATUS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// PRIORITY (1 highest .. 9 lowest, 0 undefined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// CLASS (PUBLIC, PRIVATE, CONFIDENTIAL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<String>,
    /// CATEGORIES.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Attendee addresses (without `mailto:`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<String>,
    /// ORGANIZER address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizer: Option<String>,
    /// URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// COLOR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// RRULE, when recurring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence_rule: Option<String>,
    /// Number of overridden instances (RECURRENCE-ID components) in the object.
    #[serde(skip_serializing_if = "is_zero")]
    pub overridden_instances: usize,
    /// Alarm offsets in minutes before the start.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reminders_minutes: Vec<i64>,
    /// DUE (tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// COMPLETED (tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    /// PERCENT-COMPLETE (tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<i64>,
    /// True when TRANSP is TRANSPARENT (does not block time).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub transparent: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One occurrence of an event in a time range.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// Rendered start.
    pub start_text: String,
    /// Rendered end.
    pub end_text: String,
    /// RECURRENCE-ID of the instance (rendered start), for recurring events.
    pub recurrence_id: Option<String>,
    /// Index of the component the occurrence comes from.
    pub comp_id: u32,
}

fn first_text(entry: &ICalendarEntry) -> Option<String> {
    entry
        .values
        .first()
        .and_then(|v| v.as_text())
        .map(str::to_string)
}

fn strip_mailto(v: &str) -> String {
    let t = v.trim();
    t.strip_prefix("mailto:")
        .or_else(|| t.strip_prefix("MAILTO:"))
        .unwrap_or(t)
        .to_string()
}

/// The master (non-override) components of `kind` by index.
pub fn masters(cal: &ICalendar, kind: &ICalendarComponentType) -> Vec<usize> {
    cal.components
        .iter()
        .enumerate()
        .filter(|(_, c)| &c.component_type == kind && !c.is_recurrence_override())
        .map(|(i, _)| i)
        .collect()
}

/// The first VEVENT or VTODO master of the object, with its type.
pub fn main_component(cal: &ICalendar) -> Option<(usize, ICalendarComponentType)> {
    for kind in [
        ICalendarComponentType::VEvent,
        ICalendarComponentType::VTodo,
    ] {
        if let Some(i) = masters(cal, &kind).first() {
            return Some((*i, kind));
        }
    }
    None
}

/// Renders a DATE/DATE-TIME entry in its own zone; returns (text, all_day, tzid).
pub fn render_entry(
    cal: &ICalendar,
    entry: &ICalendarEntry,
) -> Option<(String, bool, Option<String>)> {
    let ICalendarValue::PartialDateTime(pdt) = entry.values.first()? else {
        return None;
    };
    let dt = pdt.to_date_time()?;
    if !pdt.has_time() {
        return Some((
            dt.date_time.date().format("%Y-%m-%d").to_string(),
            true,
            None,
        ));
    }
    let tzid = entry.tz_id().map(str::to_string);
    let tz = match (&dt.offset, &tzid) {
        (Some(_), _) => dt.tz().unwrap_or(Tz::UTC),
        (None, Some(id)) => cal
            .build_tz_resolver()
            .resolve_or_default(Some(id.as_str())),
        (None, None) => Tz::Floating,
    };
    let resolved = dt.to_date_time_with_tz(tz)?;
    Some((time::render_tz(&resolved, false), false, tzid))
}

/// Reads the tool-visible fields of component `idx`.
pub fn fields(cal: &ICalendar, idx: usize) -> ItemFields {
    let comp = &cal.components[idx];
    let mut out = ItemFields::default();
    let mut duration = None;
    for entry in &comp.entries {
        match &entry.name {
            ICalendarProperty::Uid => out.uid = first_text(entry).unwrap_or_default(),
            ICalendarProperty::Summary => out.summary = first_text(entry).unwrap_or_default(),
            ICalendarProperty::Description => out.description = first_text(entry),
            ICalendarProperty::Location => out.location = first_text(entry),
            ICalendarProperty::Status => out.status = first_text(entry),
            ICalendarProperty::Class => out.privacy = first_text(entry),
            ICalendarProperty::Url => out.url = first_text(entry),
            ICalendarProperty::Color => out.color = first_text(entry),
            ICalendarProperty::Priority => {
                out.priority = entry.values.first().and_then(|v| v.as_integer())
            }
            ICalendarProperty::PercentComplete => {
                out.percent_complete = entry.values.first().and_then(|v| v.as_integer())
            }
            ICalendarProperty::Categories => out.categories.extend(
                entry
                    .values
                    .iter()
                    .filter_map(|v| v.as_text())
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            ),
            ICalendarProperty::Attendee => {
                if let Some(a) = first_text(entry) {
                    out.attendees.push(strip_mailto(&a));
                }
            }
            ICalendarProperty::Organizer => {
                out.organizer = first_text(entry).map(|a| strip_mailto(&a))
            }
            ICalendarProperty::Rrule => {
                if let Some(ICalendarValue::RecurrenceRule(rule)) = entry.values.first() {
                    out.recurrence_rule = Some(rule.to_string());
                }
            }
            ICalendarProperty::Transp => {
                out.transparent =
                    first_text(entry).is_some_and(|t| t.eq_ignore_ascii_case("TRANSPARENT"))
            }
            ICalendarProperty::Dtstart => {
                if let Some((text, all_day, tzid)) = render_entry(cal, entry) {
                    out.start = Some(text);
                    out.all_day = all_day;
                    out.timezone = tzid;
                }
            }
            ICalendarProperty::Dtend => out.end = render_entry(cal, entry).map(|r| r.0),
            ICalendarProperty::Due => out.due = render_entry(cal, entry).map(|r| r.0),
            ICalendarProperty::Completed => out.completed = render_entry(cal, entry).map(|r| r.0),
            ICalendarProperty::Duration => duration = entry.values.first().cloned(),
            _ => {}
        }
    }
    if out.end.is_none() && duration.is_some() {
        // DURATION instead of DTEND: the expansion gives the end of the first occurrence.
        if let Some(first) = occurrences_of(cal, idx, None).into_iter().next() {
            out.end = Some(first.end_text);
        }
    }
    for &child in &comp.component_ids {
        let Some(alarm) = cal.components.get(child as usize) else {
            continue;
        };
        if alarm.component_type != ICalendarComponentType::VAlarm {
            continue;
        }
        for entry in &alarm.entries {
            if entry.name == ICalendarProperty::Trigger
                && let Some(ICalendarValue::Duration(d)) = entry.values.first()
            {
                out.reminders_minutes.push(-d.as_seconds() / 60);
            }
        }
    }
    out.overridden_instances = cal
        .components
        .iter()
        .filter(|c| c.is_recurrence_override() && c.uid() == Some(out.uid.as_str()))
        .count();
    out
}

fn all_day_comp(comp: &ICalendarComponent) -> bool {
    comp.entries.iter().any(|e| {
        e.name == ICalendarProperty::Dtstart
            && matches!(e.values.first(), Some(ICalendarValue::PartialDateTime(p)) if !p.has_time())
    })
}

/// Occurrences of the object's events in `[from, to)` (all when `range` is None), expanded
/// with RRULE, RDATE, EXDATE and overridden instances. `master` limits to one UID's master.
pub fn occurrences_of(
    cal: &ICalendar,
    master: usize,
    range: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Vec<Occurrence> {
    let uid = cal.components[master].uid().map(str::to_string);
    let expanded = cal.expand_dates(Tz::UTC, MAX_EXPANSION);
    let recurring = cal.components[master].is_recurrent();
    let mut out = Vec::new();
    for ev in expanded.events {
        let Some(comp) = cal.components.get(ev.comp_id as usize) else {
            continue;
        };
        if comp.uid().map(str::to_string) != uid {
            continue;
        }
        let all_day = all_day_comp(comp);
        let end = match ev.end {
            TimeOrDelta::Time(t) => t,
            TimeOrDelta::Delta(d) => ev.start + d,
        };
        let (start_utc, mut end_utc) = (time::to_utc(&ev.start), time::to_utc(&end));
        if end_utc < start_utc {
            end_utc = start_utc;
        }
        if let Some((from, to)) = range {
            let zero = end_utc == start_utc;
            let overlaps = start_utc < to && (end_utc > from || (zero && start_utc >= from));
            if !overlaps {
                continue;
            }
        }
        let start_text = time::render_tz(&ev.start, all_day);
        // A moved instance is known by its stored RECURRENCE-ID (the original start), not by
        // where it moved to.
        let stored_id = comp
            .is_recurrence_override()
            .then(|| {
                comp.entries
                    .iter()
                    .find(|e| e.name == ICalendarProperty::RecurrenceId)
                    .and_then(|e| render_entry(cal, e))
                    .map(|r| r.0)
            })
            .flatten();
        out.push(Occurrence {
            start: start_utc,
            end: end_utc,
            end_text: time::render_tz(&end, all_day),
            recurrence_id: stored_id.or_else(|| {
                (recurring || comp.is_recurrence_override()).then(|| start_text.clone())
            }),
            start_text,
            comp_id: ev.comp_id,
        });
    }
    out.sort_by_key(|o| o.start);
    out
}

/// Default event length when no end is given.
pub fn default_length(start: &Moment) -> Duration {
    if start.is_date() {
        Duration::days(1)
    } else {
        Duration::hours(1)
    }
}
