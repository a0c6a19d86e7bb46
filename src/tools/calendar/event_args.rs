//! Argument and result types of the event tools.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ItemOut, Reminder};

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
    /// Attendees invited by this call: ORGANIZER is the user's calendar address, so the
    /// server's scheduling delivers the invitation (inbox for local users, e-mail otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invited: Vec<String>,
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
