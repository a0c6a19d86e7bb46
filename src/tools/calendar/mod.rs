//! Calendar and Tasks toolset (CalDAV): tool names and arguments match the reference
//! server; see docs/tools/calendar.md for where we differ.

pub mod availability;
pub mod bulk;
pub mod event_args;
pub mod event_ops;
pub mod events;
pub mod manage;
pub mod todo_args;
pub mod todos;

use chrono::{DateTime, Utc};
use rmcp::handler::server::router::tool::ToolRouter;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{NextcloudMcp, ToolError};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::caldav::Calendar;
use crate::nextcloud::ical::build::Alarm;
use crate::nextcloud::ical::{self, ItemFields, Moment};

impl NextcloudMcp {
    /// Every tool of the `calendar` toolset.
    pub fn calendar_router() -> ToolRouter<NextcloudMcp> {
        let mut router = Self::calendar_events_router();
        router.merge(Self::calendar_manage_router());
        router.merge(Self::calendar_todos_router());
        router.merge(Self::calendar_availability_router());
        router.merge(Self::calendar_bulk_router());
        router
    }
}

/// One alarm of an event or task.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Reminder {
    /// Minutes before the start (events) or due time (tasks); 0 = at the time.
    #[serde(alias = "minutes")]
    pub minutes_before: i64,
    /// `DISPLAY` (default, a notification) or `EMAIL`.
    #[serde(default)]
    pub action: Option<String>,
}

/// An event, task or occurrence as returned by the calendar tools.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ItemOut {
    /// Calendar slug (`calendar_name` of other tools).
    pub calendar: String,
    /// ETag of the calendar object; pass it to update/delete tools to write only this version.
    pub etag: String,
    /// For an instance of a recurring event: its RECURRENCE-ID (the original start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence_id: Option<String>,
    /// The event's or task's fields (start/end are this occurrence's for listed events).
    #[serde(flatten)]
    pub fields: ItemFields,
}

/// Splits a comma-separated list, trimming and dropping empty items.
pub fn csv(s: &str) -> Vec<String> {
    s.split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Empty string → None.
pub fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Validates an event STATUS.
pub fn event_status(s: &str) -> Result<String, ToolError> {
    let up = s.trim().to_ascii_uppercase();
    match up.as_str() {
        "CONFIRMED" | "TENTATIVE" | "CANCELLED" => Ok(up),
        _ => Err(ToolError::invalid(
            "status",
            format!("`{s}` is not an event status: use CONFIRMED, TENTATIVE or CANCELLED"),
        )),
    }
}

/// Validates a task STATUS.
pub fn todo_status(s: &str) -> Result<String, ToolError> {
    let up = s.trim().to_ascii_uppercase();
    match up.as_str() {
        "NEEDS-ACTION" | "IN-PROCESS" | "COMPLETED" | "CANCELLED" => Ok(up),
        _ => Err(ToolError::invalid(
            "status",
            format!(
                "`{s}` is not a task status: use NEEDS-ACTION, IN-PROCESS, COMPLETED or CANCELLED"
            ),
        )),
    }
}

/// Validates a PRIORITY (0 = undefined, 1 highest .. 9 lowest).
pub fn priority(arg: &str, p: i64) -> Result<i64, ToolError> {
    if (0..=9).contains(&p) {
        Ok(p)
    } else {
        Err(ToolError::invalid(
            arg,
            format!("{p} is out of range: use 1 (highest) to 9 (lowest), or 0 for none"),
        ))
    }
}

/// Validates a CLASS.
pub fn privacy(s: &str) -> Result<String, ToolError> {
    let up = s.trim().to_ascii_uppercase();
    match up.as_str() {
        "PUBLIC" | "PRIVATE" | "CONFIDENTIAL" => Ok(up),
        _ => Err(ToolError::invalid(
            "privacy",
            format!("`{s}` is not a privacy class: use PUBLIC, PRIVATE or CONFIDENTIAL"),
        )),
    }
}

/// Validates a colour (`#RGB`, `#RRGGBB`, `#RRGGBBAA` or a CSS name).
pub fn color(s: &str) -> Result<String, ToolError> {
    let t = s.trim();
    let hex = t
        .strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 6 | 8) && h.chars().all(|c| c.is_ascii_hexdigit()));
    if hex || (!t.is_empty() && t.chars().all(|c| c.is_ascii_alphabetic())) {
        Ok(t.to_string())
    } else {
        Err(ToolError::invalid(
            "color",
            format!("`{s}` is not a colour: use #RRGGBB or a CSS colour name"),
        ))
    }
}

/// Parses a moment argument, naming the argument in errors.
pub fn moment(arg: &str, value: &str, timezone: Option<&str>) -> Result<Moment, ToolError> {
    ical::parse_moment(value, timezone).map_err(|e| ToolError::invalid(arg, e))
}

/// Parses a range bound argument.
pub fn bound(
    arg: &str,
    value: &str,
    timezone: Option<&str>,
    end: bool,
) -> Result<DateTime<Utc>, ToolError> {
    ical::parse_bound(value, timezone, end).map_err(|e| ToolError::invalid(arg, e))
}

/// Alarms from the reference's `reminder_minutes`/`reminder_email` or a `reminders` list.
pub fn alarms(
    minutes: Option<i64>,
    email: bool,
    list: &Option<Vec<Reminder>>,
) -> Result<Option<Vec<Alarm>>, ToolError> {
    if let Some(list) = list {
        let mut out = Vec::new();
        for r in list {
            let email = match r.action.as_deref().map(|a| a.trim().to_ascii_uppercase()) {
                None => false,
                Some(a) if a == "DISPLAY" || a.is_empty() => false,
                Some(a) if a == "EMAIL" => true,
                Some(a) => {
                    return Err(ToolError::invalid(
                        "reminders",
                        format!("action `{a}` must be DISPLAY or EMAIL"),
                    ));
                }
            };
            if !(0..=40_320).contains(&r.minutes_before) {
                return Err(ToolError::invalid(
                    "reminders",
                    "minutes_before must be between 0 and 40320 (4 weeks)",
                ));
            }
            out.push(Alarm {
                minutes: r.minutes_before,
                email,
            });
        }
        return Ok(Some(out));
    }
    match minutes {
        None => Ok(None),
        Some(m) if m <= 0 => Ok(Some(Vec::new())),
        Some(m) if m > 40_320 => Err(ToolError::invalid(
            "reminder_minutes",
            "must be at most 40320 (4 weeks)",
        )),
        Some(m) => Ok(Some(vec![Alarm { minutes: m, email }])),
    }
}

/// The calendars a read covers: one by name, or all that hold `component`.
pub async fn target_calendars(
    client: &NextcloudClient,
    name: &str,
    all: bool,
    component: &str,
) -> Result<Vec<Calendar>, ToolError> {
    if !name.trim().is_empty() && !all {
        return Ok(vec![client.calendar(name).await?]);
    }
    Ok(client
        .calendars()
        .await?
        .into_iter()
        .filter(|c| c.holds(component))
        .collect())
}

/// Parses an object and returns the fields of its main component.
pub fn item_out(
    cal: &Calendar,
    etag: &str,
    data: &str,
) -> Result<(ItemOut, calcard::icalendar::ICalendar, usize), ToolError> {
    let parsed = ical::parse(data)
        .map_err(|e| ToolError::new(format!("the calendar object is not valid iCalendar: {e}")))?;
    let (idx, _) = ical::main_component(&parsed)
        .ok_or_else(|| ToolError::new("the calendar object holds no VEVENT or VTODO"))?;
    let fields = ical::fields(&parsed, idx);
    Ok((
        ItemOut {
            calendar: cal.name.clone(),
            etag: etag.to_string(),
            recurrence_id: None,
            fields,
        },
        parsed,
        idx,
    ))
}
