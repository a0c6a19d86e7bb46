//! Event tools: create, list (expanded occurrences, paged), get, update (merge), delete,
//! meetings and upcoming events.

use chrono::{DateTime, Duration, Utc};
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::nextcloud::caldav::objects::Precondition;
use crate::nextcloud::ical::build::{self, Changes};
use crate::nextcloud::ical::{self as ic, default_length};
use calcard::icalendar::ICalendarComponentType;

fn d_status() -> String {
    "CONFIRMED".into()
}
fn d_priority() -> i64 {
    5
}
fn d_privacy() -> String {
    "PUBLIC".into()
}
fn d_reminder() -> i64 {
    15
}
fn d_limit() -> usize {
    50
}

/// Arguments of `nc_calendar_create_event`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateEventArgs {
    /// Calendar slug (from nc_calendar_list_calendars), e.g. `personal`.
    pub calendar_name: String,
    /// Event title (SUMMARY).
    pub title: String,
    /// Start: `YYYY-MM-DD` for all-day, or a date-time with an offset (`2026-03-10T09:00:00+01:00`, `...Z`), or a local date-time together with `timezone`. Naive times without a zone are refused.
    pub start_datetime: String,
    /// End, same forms as the start; exclusive (an all-day event on 10 March ends `2026-03-11`). Default: 1 hour after the start, or the next day for all-day.
    #[serde(default)]
    pub end_datetime: String,
    /// All-day event: only the date part of start/end is used.
    #[serde(default)]
    pub all_day: bool,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Location.
    #[serde(default)]
    pub location: String,
    /// Categories, comma-separated.
    #[serde(default)]
    pub categories: String,
    /// Make the event recurring (with `recurrence_rule`).
    #[serde(default)]
    pub recurring: Option<bool>,
    /// RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO,WE` (validated).
    #[serde(default)]
    pub recurrence_rule: String,
    /// Last day of the recurrence (`YYYY-MM-DD`), added as UNTIL when the rule has no UNTIL/COUNT.
    #[serde(default)]
    pub recurrence_end_date: String,
    /// Minutes before the start for a reminder; 0 for none.
    #[serde(default = "d_reminder")]
    pub reminder_minutes: i64,
    /// Send the reminder by e-mail instead of a notification.
    #[serde(default)]
    pub reminder_email: bool,
    /// CONFIRMED, TENTATIVE or CANCELLED.
    #[serde(default = "d_status")]
    pub status: String,
    /// 1 (highest) to 9 (lowest), 0 for none.
    #[serde(default = "d_priority")]
    pub priority: i64,
    /// PUBLIC, PRIVATE or CONFIDENTIAL.
    #[serde(default = "d_privacy")]
    pub privacy: String,
    /// Attendee e-mail addresses, comma-separated.
    #[serde(default)]
    pub attendees: String,
    /// A URL for the event.
    #[serde(default)]
    pub url: String,
    /// Event colour (#RRGGBB or a CSS colour name).
    #[serde(default)]
    pub color: String,
    /// IANA time zone (e.g. `Europe/Berlin`) for local start/end times; the event keeps this zone (TZID).
    #[serde(default)]
    pub timezone: String,
    /// Several reminders (overrides reminder_minutes/reminder_email).
    #[serde(default)]
    pub reminders: Option<Vec<Reminder>>,
}

/// Arguments of `nc_calendar_update_event`: every field optional; only given fields change.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateEventArgs {
    /// Calendar slug.
    pub calendar_name: String,
    /// UID of the event.
    pub event_uid: String,
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New start (same forms as create).
    #[serde(default)]
    pub start_datetime: Option<String>,
    /// New end (exclusive).
    #[serde(default)]
    pub end_datetime: Option<String>,
    /// Switch to all-day (true) — start/end given as dates.
    #[serde(default)]
    pub all_day: Option<bool>,
    /// New description ("" removes it).
    #[serde(default)]
    pub description: Option<String>,
    /// New location ("" removes it).
    #[serde(default)]
    pub location: Option<String>,
    /// New categories, comma-separated ("" removes them).
    #[serde(default)]
    pub categories: Option<String>,
    /// false removes the recurrence.
    #[serde(default)]
    pub recurring: Option<bool>,
    /// New RRULE value.
    #[serde(default)]
    pub recurrence_rule: Option<String>,
    /// Last day of the recurrence (`YYYY-MM-DD`).
    #[serde(default)]
    pub recurrence_end_date: Option<String>,
    /// Replace reminders with one this many minutes before (0 removes reminders).
    #[serde(default)]
    pub reminder_minutes: Option<i64>,
    /// Reminder by e-mail.
    #[serde(default)]
    pub reminder_email: Option<bool>,
    /// CONFIRMED, TENTATIVE or CANCELLED.
    #[serde(default)]
    pub status: Option<String>,
    /// 0-9.
    #[serde(default)]
    pub priority: Option<i64>,
    /// PUBLIC, PRIVATE or CONFIDENTIAL.
    #[serde(default)]
    pub privacy: Option<String>,
    /// Attendees, comma-separated (replaces the list).
    #[serde(default)]
    pub attendees: Option<String>,
    /// URL.
    #[serde(default)]
    pub url: Option<String>,
    /// Colour.
    #[serde(default)]
    pub color: Option<String>,
    /// IANA zone for local times given in this call.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Reminders list (replaces all reminders).
    #[serde(default)]
    pub reminders: Option<Vec<Reminder>>,
    /// ETag from a previous read; the update fails with a conflict if the event changed since. Empty: the etag of this call's own read.
    #[serde(default)]
    pub etag: String,
}

/// Arguments of `nc_calendar_list_events`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListEventsArgs {
    /// Calendar slug; empty searches all calendars.
    #[serde(default)]
    pub calendar_name: String,
    /// Range start (date or date-time with zone). Default: now.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Range end (exclusive; a date means the end of that day). Default: 30 days after the start.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Page size (1-500).
    #[serde(default = "d_limit")]
    pub limit: usize,
    /// Occurrences to skip (paging: pass `next_offset` of the previous page).
    #[serde(default)]
    pub offset: usize,
    /// Only events with at least this many attendees.
    #[serde(default)]
    pub min_attendees: Option<usize>,
    /// Only events lasting at least this many minutes.
    #[serde(default)]
    pub min_duration_minutes: Option<i64>,
    /// Only events with one of these categories (comma-separated).
    #[serde(default)]
    pub categories: Option<String>,
    /// Only events with this status.
    #[serde(default)]
    pub status: Option<String>,
    /// Title contains (case-insensitive).
    #[serde(default)]
    pub title_contains: Option<String>,
    /// Location contains (case-insensitive).
    #[serde(default)]
    pub location_contains: Option<String>,
    /// Search every calendar even when calendar_name is given.
    #[serde(default)]
    pub search_all_calendars: bool,
    /// IANA zone for naive range bounds.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// A page of event occurrences.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EventPage {
    /// Occurrences, sorted by start; recurring events are expanded within the range.
    pub events: Vec<ItemOut>,
    /// Matching occurrences in the range (all pages).
    pub total: usize,
    /// Offset of this page.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// True when more pages follow.
    pub has_more: bool,
    /// Offset of the next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    /// Range start (UTC).
    pub range_start: String,
    /// Range end (UTC, exclusive).
    pub range_end: String,
    /// Calendars searched.
    pub calendars: Vec<String>,
}

/// Arguments of `nc_calendar_get_event` / `nc_calendar_delete_event`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct EventRefArgs {
    /// Calendar slug.
    pub calendar_name: String,
    /// UID of the event.
    pub event_uid: String,
    /// Delete only: the etag of your read; empty uses this call's own read.
    #[serde(default)]
    pub etag: String,
}

/// A written event.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EventWritten {
    /// The event as stored.
    pub event: ItemOut,
    /// Server path of the object.
    pub href: String,
}

/// Outcome of a delete.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeleteOutcome {
    /// True when the object is gone (also when it was already gone).
    pub deleted: bool,
    /// UID.
    pub uid: String,
    /// HTTP status of the DELETE.
    pub status: u16,
    /// What happened, or why the server refused.
    pub message: String,
}

/// Arguments of `nc_calendar_create_meeting`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateMeetingArgs {
    /// Title.
    pub title: String,
    /// Date `YYYY-MM-DD`.
    pub date: String,
    /// Start time `HH:MM`, optionally with an offset (`14:00+01:00`); otherwise `timezone` is required.
    pub time: String,
    /// Length in minutes.
    #[serde(default = "d_duration")]
    pub duration_minutes: i64,
    /// Calendar slug.
    #[serde(default = "d_personal")]
    pub calendar_name: String,
    /// Attendee e-mails, comma-separated.
    #[serde(default)]
    pub attendees: String,
    /// Location.
    #[serde(default)]
    pub location: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Reminder minutes before (0 for none).
    #[serde(default = "d_reminder")]
    pub reminder_minutes: i64,
    /// IANA zone of `date`/`time`.
    #[serde(default)]
    pub timezone: String,
}
fn d_duration() -> i64 {
    60
}
fn d_personal() -> String {
    "personal".into()
}

/// Arguments of `nc_calendar_get_upcoming_events`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpcomingArgs {
    /// Calendar slug; empty = all calendars.
    #[serde(default)]
    pub calendar_name: String,
    /// Days ahead from now (1-366).
    #[serde(default = "d_days")]
    pub days_ahead: i64,
    /// Maximum events (1-500).
    #[serde(default = "d_ten")]
    pub limit: usize,
}
fn d_days() -> i64 {
    7
}
fn d_ten() -> usize {
    10
}

/// Occurrences of events in `[from, to)` over `cals`, each with its object's etag.
pub async fn occurrences(
    client: &NextcloudClient,
    cals: &[Calendar],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ItemOut>, ToolError> {
    let mut out = Vec::new();
    for cal in cals {
        for obj in client
            .calendar_query(cal, "VEVENT", Some((from, to)), None)
            .await?
        {
            let Ok(parsed) = ic::parse(&obj.data) else {
                continue;
            };
            for master in ic::masters(&parsed, &ICalendarComponentType::VEvent) {
                for occ in ic::occurrences_of(&parsed, master, Some((from, to))) {
                    let mut fields = ic::fields(&parsed, occ.comp_id as usize);
                    fields.start = Some(occ.start_text.clone());
                    fields.end = Some(occ.end_text.clone());
                    out.push((
                        occ.start,
                        ItemOut {
                            calendar: cal.name.clone(),
                            etag: obj.etag.clone(),
                            recurrence_id: occ.recurrence_id.clone(),
                            fields,
                        },
                        occ.end - occ.start,
                    ));
                }
            }
        }
    }
    out.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.fields.uid.cmp(&b.1.fields.uid))
    });
    Ok(out
        .into_iter()
        .map(|(_, item, len)| {
            let mut i = item;
            i.fields.overridden_instances = i.fields.overridden_instances.min(usize::MAX);
            let _ = len;
            i
        })
        .collect())
}

fn contains(hay: &Option<String>, needle: &Option<String>) -> bool {
    match opt(needle) {
        None => true,
        Some(n) => hay
            .as_deref()
            .is_some_and(|h| h.to_lowercase().contains(&n.to_lowercase())),
    }
}

fn duration_minutes(f: &ItemFields) -> i64 {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| ic::parse_moment(t, Some("UTC")).ok())
            .map(|m| m.instant())
    };
    match (parse(&f.start), parse(&f.end)) {
        (Some(a), Some(b)) => (b - a).num_minutes(),
        _ => 0,
    }
}

fn changes_from_create(a: &CreateEventArgs) -> Result<Changes, ToolError> {
    let tz = opt(&Some(a.timezone.clone())).map(str::to_string);
    let mut start = moment("start_datetime", &a.start_datetime, tz.as_deref())?;
    if a.all_day && !start.is_date() {
        start = Moment::Date(start.instant().date_naive());
    }
    let end = match a.end_datetime.trim() {
        "" => start.shifted(default_length(&start)),
        e => {
            let mut m = moment("end_datetime", e, tz.as_deref())?;
            if a.all_day && !m.is_date() {
                m = Moment::Date(m.instant().date_naive());
            }
            m
        }
    };
    if start.is_date() != end.is_date() {
        return Err(ToolError::invalid(
            "end_datetime",
            "start and end must both be dates (all-day) or both date-times",
        ));
    }
    if end.instant() < start.instant() || (start.is_date() && end.instant() == start.instant()) {
        return Err(ToolError::invalid(
            "end_datetime",
            "the end is before the start (all-day ends are exclusive: an event on 10 March ends 2026-03-11)",
        ));
    }
    let wants_rrule = a.recurring.unwrap_or(!a.recurrence_rule.trim().is_empty());
    if wants_rrule && a.recurrence_rule.trim().is_empty() {
        return Err(ToolError::invalid(
            "recurrence_rule",
            "recurring events need a rule such as FREQ=WEEKLY;BYDAY=MO",
        ));
    }
    let rrule = if wants_rrule {
        let until = match a.recurrence_end_date.trim() {
            "" => None,
            d => Some(
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| ToolError::invalid("recurrence_end_date", "use YYYY-MM-DD"))?,
            ),
        };
        let v = build::rrule_value(&a.recurrence_rule, until, start.is_date())
            .map_err(|e| ToolError::invalid("recurrence_rule", e))?;
        let ICalendarValueOut(text) = ICalendarValueOut::from(&v);
        Some(text)
    } else {
        None
    };
    Ok(Changes {
        summary: Some(a.title.clone()),
        description: Some(a.description.clone()).filter(|s| !s.is_empty()),
        location: Some(a.location.clone()).filter(|s| !s.is_empty()),
        status: Some(event_status(&a.status)?),
        priority: Some(priority("priority", a.priority)?).filter(|p| *p != 0),
        privacy: Some(privacy(&a.privacy)?),
        categories: Some(csv(&a.categories)).filter(|c| !c.is_empty()),
        attendees: Some(csv(&a.attendees)).filter(|c| !c.is_empty()),
        url: Some(a.url.clone()).filter(|s| !s.trim().is_empty()),
        color: match a.color.trim() {
            "" => None,
            c => Some(color(c)?),
        },
        rrule,
        start: Some(start),
        end: Some(end),
        alarms: alarms(Some(a.reminder_minutes), a.reminder_email, &a.reminders)?,
        ..Default::default()
    })
}

/// The RRULE text of a validated value.
pub struct ICalendarValueOut(pub String);
impl From<&calcard::icalendar::ICalendarValue> for ICalendarValueOut {
    fn from(v: &calcard::icalendar::ICalendarValue) -> Self {
        match v {
            calcard::icalendar::ICalendarValue::RecurrenceRule(r) => Self(r.to_string()),
            _ => Self(String::new()),
        }
    }
}

/// Creates an event object; shared by create_event and create_meeting.
pub async fn create(
    client: &NextcloudClient,
    calendar_name: &str,
    changes: &Changes,
) -> Result<EventWritten, ToolError> {
    let cal = client.calendar(calendar_name).await?;
    if !cal.holds("VEVENT") {
        return Err(ToolError::invalid(
            "calendar_name",
            format!(
                "calendar `{}` holds only {}",
                cal.name,
                cal.components.join(", ")
            ),
        ));
    }
    let uid = uuid::Uuid::new_v4().to_string();
    let text = build::new_object(ICalendarComponentType::VEvent, &uid, changes)
        .map_err(|e| ToolError::invalid("recurrence_rule", e))?;
    let href = client.new_object_href(&cal, &uid);
    let etag = client
        .dav_put(
            &href,
            "text/calendar; charset=utf-8",
            text.clone(),
            Precondition::Create,
            &format!("an event with UID {uid}"),
        )
        .await?;
    let (event, _, _) = item_out(&cal, &etag, &text)?;
    Ok(EventWritten { event, href })
}

#[tool_router(router = calendar_events_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Create an event. Times keep their zone (TZID) when `timezone` is given; all-day ends are exclusive. Returns the stored event with its UID and etag.
    #[tool(
        name = "nc_calendar_create_event",
        annotations(
            title = "Create event",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_create_event(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateEventArgs>,
    ) -> Result<Json<EventWritten>, ToolError> {
        let changes = changes_from_create(&args)?;
        let client = self.client(&ctx)?;
        Ok(Json(create(&client, &args.calendar_name, &changes).await?))
    }

    /// List event occurrences in a date range (recurring events expanded: RRULE, RDATE, EXDATE, moved instances), sorted by start, with filters. Paged: `limit` plus `offset`/`next_offset`.
    #[tool(
        name = "nc_calendar_list_events",
        annotations(
            title = "List events",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_list_events(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<ListEventsArgs>,
    ) -> Result<Json<EventPage>, ToolError> {
        if a.limit == 0 || a.limit > 500 {
            return Err(ToolError::invalid("limit", "must be between 1 and 500"));
        }
        let tz = opt(&a.timezone);
        let from = match opt(&a.start_date) {
            Some(s) => bound("start_date", s, tz, false)?,
            None => Utc::now(),
        };
        let to = match opt(&a.end_date) {
            Some(s) => bound("end_date", s, tz, true)?,
            None => from + Duration::days(30),
        };
        if to <= from {
            return Err(ToolError::invalid("end_date", "must be after start_date"));
        }
        if let Some(s) = opt(&a.status) {
            event_status(s)?;
        }
        let client = self.client(&ctx)?;
        let cals =
            target_calendars(&client, &a.calendar_name, a.search_all_calendars, "VEVENT").await?;
        let cats: Vec<String> = a
            .categories
            .as_deref()
            .map(csv)
            .unwrap_or_default()
            .iter()
            .map(|c| c.to_lowercase())
            .collect();
        let all: Vec<ItemOut> = occurrences(&client, &cals, from, to)
            .await?
            .into_iter()
            .filter(|e| {
                let f = &e.fields;
                a.min_attendees.is_none_or(|n| f.attendees.len() >= n)
                    && a.min_duration_minutes
                        .is_none_or(|m| duration_minutes(f) >= m)
                    && (cats.is_empty()
                        || f.categories
                            .iter()
                            .any(|c| cats.contains(&c.to_lowercase())))
                    && opt(&a.status).is_none_or(|s| {
                        f.status
                            .as_deref()
                            .is_some_and(|x| x.eq_ignore_ascii_case(s))
                    })
                    && contains(&Some(f.summary.clone()), &a.title_contains)
                    && contains(&f.location, &a.location_contains)
            })
            .collect();
        let total = all.len();
        let events: Vec<ItemOut> = all.into_iter().skip(a.offset).take(a.limit).collect();
        let has_more = a.offset + events.len() < total;
        Ok(Json(EventPage {
            has_more,
            next_offset: has_more.then_some(a.offset + events.len()),
            events,
            total,
            offset: a.offset,
            limit: a.limit,
            range_start: ical::time::caldav_utc(&from),
            range_end: ical::time::caldav_utc(&to),
            calendars: cals.iter().map(|c| c.name.clone()).collect(),
        }))
    }

    /// Read one event by UID: all fields (start/end in the event's own zone, recurrence rule, attendees, reminders) and the etag for updates.
    #[tool(
        name = "nc_calendar_get_event",
        annotations(
            title = "Get event",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_get_event(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<EventRefArgs>,
    ) -> Result<Json<EventWritten>, ToolError> {
        let client = self.client(&ctx)?;
        let cal = client.calendar(&a.calendar_name).await?;
        let obj = client.calendar_object(&cal, "VEVENT", &a.event_uid).await?;
        let (event, _, _) = item_out(&cal, &obj.etag, &obj.data)?;
        Ok(Json(EventWritten {
            event,
            href: obj.href,
        }))
    }

    /// Change an event: only the given fields change; everything else in the stored iCalendar (unknown properties, alarms, overridden instances) is kept byte for byte. Uses `etag` (or this call's read) with If-Match: a conflict means the event changed meanwhile. Returns the new etag.
    #[tool(
        name = "nc_calendar_update_event",
        annotations(
            title = "Update event",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_update_event(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<UpdateEventArgs>,
    ) -> Result<Json<EventWritten>, ToolError> {
        let client = self.client(&ctx)?;
        let cal = client.calendar(&a.calendar_name).await?;
        let obj = client.calendar_object(&cal, "VEVENT", &a.event_uid).await?;
        let (_, parsed, idx) = item_out(&cal, &obj.etag, &obj.data)?;
        let current = ic::fields(&parsed, idx);
        let tz = opt(&a.timezone)
            .map(str::to_string)
            .or(current.timezone.clone());
        let all_day = a.all_day.unwrap_or(current.all_day);
        let to_moment = |arg: &str, v: &Option<String>| -> Result<Option<Moment>, ToolError> {
            match opt(v) {
                None => Ok(None),
                Some(s) => {
                    let m = moment(arg, s, tz.as_deref())?;
                    Ok(Some(if all_day && !m.is_date() {
                        Moment::Date(m.instant().date_naive())
                    } else {
                        m
                    }))
                }
            }
        };
        let mut start = to_moment("start_datetime", &a.start_datetime)?;
        let mut end = to_moment("end_datetime", &a.end_datetime)?;
        // Moving the start without an end keeps the duration.
        if let (Some(s), None) = (&start, &end)
            && let (Some(cs), Some(ce)) = (&current.start, &current.end)
            && let (Ok(cs), Ok(ce)) = (
                ic::parse_moment(cs, Some("UTC")),
                ic::parse_moment(ce, Some("UTC")),
            )
        {
            end = Some(s.shifted(ce.instant() - cs.instant()));
        }
        if a.all_day == Some(true)
            && start.is_none()
            && let Some(cs) = &current.start
        {
            let d = ic::parse_moment(cs, Some("UTC"))
                .map_err(|e| ToolError::new(e))?
                .instant()
                .date_naive();
            start = Some(Moment::Date(d));
            end = Some(Moment::Date(d + Duration::days(1)));
        }
        if let (Some(s), Some(e)) = (&start, &end)
            && e.instant() < s.instant()
        {
            return Err(ToolError::invalid(
                "end_datetime",
                "the end is before the start",
            ));
        }
        let rrule = match (a.recurring, opt(&a.recurrence_rule)) {
            (Some(false), _) => Some(String::new()),
            (_, Some(r)) => Some(r.to_string()),
            _ => None,
        };
        let until = match opt(&a.recurrence_end_date) {
            None => None,
            Some(d) => Some(
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| ToolError::invalid("recurrence_end_date", "use YYYY-MM-DD"))?,
            ),
        };
        let rrule = match (rrule, until, &current.recurrence_rule) {
            (None, Some(_), Some(existing)) => Some(existing.clone()),
            (r, _, _) => r,
        };
        let changes = Changes {
            summary: a.title.clone(),
            description: a.description.clone(),
            location: a.location.clone(),
            status: a.status.as_deref().map(event_status).transpose()?,
            priority: a.priority.map(|p| priority("priority", p)).transpose()?,
            privacy: a.privacy.as_deref().map(privacy).transpose()?,
            categories: a.categories.as_deref().map(csv),
            attendees: a.attendees.as_deref().map(csv),
            url: a.url.clone(),
            color: match a.color.as_deref().map(str::trim) {
                None => None,
                Some("") => Some(String::new()),
                Some(c) => Some(color(c)?),
            },
            rrule,
            start,
            end,
            alarms: if a.reminders.is_some() || a.reminder_minutes.is_some() {
                alarms(
                    a.reminder_minutes,
                    a.reminder_email.unwrap_or(false),
                    &a.reminders,
                )?
            } else {
                None
            },
            ..Default::default()
        };
        let text = build::apply(
            &obj.data,
            &ICalendarComponentType::VEvent,
            &a.event_uid,
            &changes,
            until,
        )
        .map_err(|e| ToolError::invalid("recurrence_rule", e))?;
        let etag_in = if a.etag.trim().is_empty() {
            obj.etag.clone()
        } else {
            a.etag.trim().to_string()
        };
        let etag = client
            .dav_put(
                &obj.href,
                "text/calendar; charset=utf-8",
                text.clone(),
                Precondition::Match(etag_in),
                "the event",
            )
            .await?;
        let (event, _, _) = item_out(&cal, &etag, &text)?;
        Ok(Json(EventWritten {
            event,
            href: obj.href,
        }))
    }

    /// Delete an event (the whole series for recurring events). Uses If-Match with `etag` or this call's read. A refusal by the server (403 for invitations you do not organise, 409/500 for a stale copy in the trash bin) comes back as `deleted: false` with the reason; an event already gone counts as deleted.
    #[tool(
        name = "nc_calendar_delete_event",
        annotations(
            title = "Delete event",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_delete_event(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<EventRefArgs>,
    ) -> Result<Json<DeleteOutcome>, ToolError> {
        let client = self.client(&ctx)?;
        let cal = client.calendar(&a.calendar_name).await?;
        delete_object(&client, &cal, "VEVENT", &a.event_uid, &a.etag)
            .await
            .map(Json)
    }

    /// Create a meeting from a date, a start time and a length, inviting attendees.
    #[tool(
        name = "nc_calendar_create_meeting",
        annotations(
            title = "Create meeting",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_create_meeting(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<CreateMeetingArgs>,
    ) -> Result<Json<EventWritten>, ToolError> {
        if !(1..=24 * 60 * 14).contains(&a.duration_minutes) {
            return Err(ToolError::invalid(
                "duration_minutes",
                "must be between 1 and 20160",
            ));
        }
        let tz = opt(&Some(a.timezone.clone())).map(str::to_string);
        let start = moment(
            "time",
            &format!("{}T{}", a.date.trim(), a.time.trim()),
            tz.as_deref(),
        )?;
        let changes = Changes {
            summary: Some(a.title.clone()),
            description: Some(a.description.clone()).filter(|s| !s.is_empty()),
            location: Some(a.location.clone()).filter(|s| !s.is_empty()),
            status: Some("CONFIRMED".into()),
            attendees: Some(csv(&a.attendees)).filter(|c| !c.is_empty()),
            end: Some(start.shifted(Duration::minutes(a.duration_minutes))),
            start: Some(start),
            alarms: alarms(Some(a.reminder_minutes), false, &None)?,
            ..Default::default()
        };
        let client = self.client(&ctx)?;
        Ok(Json(create(&client, &a.calendar_name, &changes).await?))
    }

    /// Events from now until `days_ahead` days ahead, soonest first (recurring events expanded).
    #[tool(
        name = "nc_calendar_get_upcoming_events",
        annotations(
            title = "Upcoming events",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_get_upcoming_events(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<UpcomingArgs>,
    ) -> Result<Json<EventPage>, ToolError> {
        if !(1..=366).contains(&a.days_ahead) {
            return Err(ToolError::invalid(
                "days_ahead",
                "must be between 1 and 366",
            ));
        }
        if a.limit == 0 || a.limit > 500 {
            return Err(ToolError::invalid("limit", "must be between 1 and 500"));
        }
        let client = self.client(&ctx)?;
        let cals = target_calendars(&client, &a.calendar_name, false, "VEVENT").await?;
        let from = Utc::now();
        let to = from + Duration::days(a.days_ahead);
        let all = occurrences(&client, &cals, from, to).await?;
        let total = all.len();
        let events: Vec<ItemOut> = all.into_iter().take(a.limit).collect();
        let has_more = events.len() < total;
        Ok(Json(EventPage {
            has_more,
            next_offset: has_more.then_some(events.len()),
            events,
            total,
            offset: 0,
            limit: a.limit,
            range_start: ical::time::caldav_utc(&from),
            range_end: ical::time::caldav_utc(&to),
            calendars: cals.iter().map(|c| c.name.clone()).collect(),
        }))
    }
}

/// Deletes the object holding `uid`, mapping refusals to a structured outcome.
pub async fn delete_object(
    client: &NextcloudClient,
    cal: &Calendar,
    component: &str,
    uid: &str,
    etag: &str,
) -> Result<DeleteOutcome, ToolError> {
    let obj = match client.calendar_object(cal, component, uid).await {
        Ok(o) => o,
        Err(e) if e.status() == Some(404) => {
            return Ok(DeleteOutcome {
                deleted: true,
                uid: uid.into(),
                status: 404,
                message: "not found: already deleted".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let etag = if etag.trim().is_empty() {
        obj.etag.clone()
    } else {
        etag.trim().to_string()
    };
    let what = if component == "VTODO" {
        "the task"
    } else {
        "the event"
    };
    match client.dav_delete(&obj.href, Some(&etag), what).await {
        Ok(404) => Ok(DeleteOutcome { deleted: true, uid: uid.into(), status: 404, message: "already deleted".into() }),
        Ok(s) => Ok(DeleteOutcome { deleted: true, uid: uid.into(), status: s, message: "deleted".into() }),
        Err(e) if e.status() == Some(403) => Ok(DeleteOutcome { deleted: false, uid: uid.into(), status: 403, message: "the server refused: this is a scheduled (invitation) object you may not delete; decline it instead".into() }),
        Err(e) if matches!(e.status(), Some(409 | 500)) => Ok(DeleteOutcome { deleted: false, uid: uid.into(), status: e.status().unwrap_or(500), message: format!("the server refused ({e}); a stale copy may be in the trash bin: empty it and retry") }),
        Err(e) => Err(e.into()),
    }
}
