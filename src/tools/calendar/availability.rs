//! `nc_calendar_find_availability`: free slots computed from the user's own calendars
//! (expanded occurrences of opaque, non-cancelled events) and, where the server offers a
//! scheduling outbox, the attendees' free-busy.

use crate::tools::answer::Json;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::events::occurrences;
use super::*;
use crate::nextcloud::ical::time::parse_zone;

fn d_true() -> bool {
    true
}

/// Arguments of `nc_calendar_find_availability`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AvailabilityArgs {
    /// Length of the wanted slot in minutes (5-1440).
    pub duration_minutes: i64,
    /// Attendee e-mails, comma-separated; their free-busy is asked through the server's scheduling outbox when it has one.
    #[serde(default)]
    pub attendees: String,
    /// Range start (date or date-time with zone). Default: now.
    #[serde(default)]
    pub date_range_start: String,
    /// Range end (exclusive; a date means the end of that day). Default: 7 days after the start; at most 62 days.
    #[serde(default)]
    pub date_range_end: String,
    /// Only 09:00-17:00 in `timezone`.
    #[serde(default = "d_true")]
    pub business_hours_only: bool,
    /// Skip Saturdays and Sundays (in `timezone`).
    #[serde(default = "d_true")]
    pub exclude_weekends: bool,
    /// Preferred day parts, comma-separated: `morning` (09-12), `afternoon` (12-17), `evening` (17-21), or `HH:MM-HH:MM` windows.
    #[serde(default)]
    pub preferred_times: String,
    /// IANA zone for business hours, weekends and results (default UTC).
    #[serde(default)]
    pub timezone: String,
    /// Most slots returned (1-100).
    #[serde(default = "d_slots")]
    pub max_slots: usize,
}
fn d_slots() -> usize {
    20
}

/// A free slot.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Slot {
    /// Start (RFC 3339 in `timezone`).
    pub start: String,
    /// End of the free window (RFC 3339); any start from `start` up to `end - duration` fits.
    pub end: String,
    /// Minutes free in this window.
    pub free_minutes: i64,
}

/// Free slots and how they were computed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Availability {
    /// Free windows at least `duration_minutes` long, earliest first.
    pub slots: Vec<Slot>,
    /// Busy periods within the range that cut the free time: the user's own events plus the attendees' free-busy.
    pub busy_periods_found: usize,
    /// Calendars whose events were counted.
    pub calendars_checked: Vec<String>,
    /// Attendees whose free-busy was included.
    pub attendees_checked: Vec<String>,
    /// Attendees not checked, with the reason.
    pub attendees_not_checked: Vec<String>,
    /// How the result was computed and what it does not cover.
    pub method: String,
    /// Zone used for hours, weekends and results.
    pub timezone: String,
}

fn windows(pref: &str) -> Result<Vec<(NaiveTime, NaiveTime)>, ToolError> {
    let t = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let mut out = Vec::new();
    for part in csv(pref) {
        match part.to_lowercase().as_str() {
            "morning" => out.push((t(9), t(12))),
            "afternoon" => out.push((t(12), t(17))),
            "evening" => out.push((t(17), t(21))),
            other => {
                let (a, b) = other.split_once('-').ok_or_else(|| {
                    ToolError::invalid(
                        "preferred_times",
                        format!("`{other}`: use morning, afternoon, evening or HH:MM-HH:MM"),
                    )
                })?;
                let p = |s: &str| {
                    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
                        ToolError::invalid("preferred_times", format!("`{s}` is not HH:MM"))
                    })
                };
                let (a, b) = (p(a)?, p(b)?);
                if b <= a {
                    return Err(ToolError::invalid(
                        "preferred_times",
                        format!("`{other}` ends before it starts"),
                    ));
                }
                out.push((a, b));
            }
        }
    }
    Ok(out)
}

/// Subtracts busy intervals from a window; returns free parts.
fn subtract(
    window: (DateTime<Utc>, DateTime<Utc>),
    busy: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut free = vec![window];
    for &(bs, be) in busy {
        free = free
            .into_iter()
            .flat_map(|(fs, fe)| {
                if be <= fs || bs >= fe {
                    vec![(fs, fe)]
                } else {
                    let mut parts = Vec::new();
                    if bs > fs {
                        parts.push((fs, bs));
                    }
                    if be < fe {
                        parts.push((be, fe));
                    }
                    parts
                }
            })
            .collect();
    }
    free
}

fn freebusy_periods(data: &str) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    use calcard::icalendar::{ICalendarPeriod, ICalendarProperty, ICalendarValue};
    let Ok(cal) = crate::nextcloud::ical::parse(data) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for comp in &cal.components {
        for e in comp
            .entries
            .iter()
            .filter(|e| e.name == ICalendarProperty::Freebusy)
        {
            let free = e.params.iter().any(|p| {
                p.value
                    .as_text()
                    .is_some_and(|v| v.eq_ignore_ascii_case("FREE"))
            });
            if free {
                continue;
            }
            for v in &e.values {
                if let ICalendarValue::Period(period) = v {
                    let (s, end) = match period {
                        ICalendarPeriod::Range { start, end } => {
                            (start.to_date_time(), end.to_date_time())
                        }
                        ICalendarPeriod::Duration { start, duration } => (
                            start.to_date_time(),
                            start.to_date_time().and_then(|s| {
                                duration
                                    .to_time_delta()
                                    .map(|d| calcard::common::DateTimeResult {
                                        date_time: s.date_time + d,
                                        offset: s.offset,
                                    })
                            }),
                        ),
                    };
                    if let (Some(s), Some(end)) = (s, end) {
                        out.push((
                            Utc.from_utc_datetime(&s.date_time),
                            Utc.from_utc_datetime(&end.date_time),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[tool_router(router = calendar_availability_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Find free time slots of at least `duration_minutes` in a date range, from the user's calendars (recurring events expanded; transparent and cancelled events do not block) and, where the server supports it, the attendees' free-busy. Honors business hours, weekends and preferred times; the result says what was checked.
    #[tool(
        name = "nc_calendar_find_availability",
        input_schema = crate::tools::catalogue::input::<AvailabilityArgs>(),
        output_schema = crate::tools::catalogue::output::<Availability>(),
        annotations(
            title = "Find free time",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_find_availability(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<AvailabilityArgs>,
    ) -> Result<Json<Availability>, ToolError> {
        if !(5..=1440).contains(&a.duration_minutes) {
            return Err(ToolError::invalid(
                "duration_minutes",
                "must be between 5 and 1440",
            ));
        }
        if a.max_slots == 0 || a.max_slots > 100 {
            return Err(ToolError::invalid("max_slots", "must be between 1 and 100"));
        }
        let zone_name = opt(&Some(a.timezone.clone())).unwrap_or("UTC").to_string();
        let zone = parse_zone(&zone_name).map_err(|e| ToolError::invalid("timezone", e))?;
        let from = match a.date_range_start.trim() {
            "" => Utc::now(),
            s => bound("date_range_start", s, Some(&zone_name), false)?,
        };
        let to = match a.date_range_end.trim() {
            "" => from + Duration::days(7),
            s => bound("date_range_end", s, Some(&zone_name), true)?,
        };
        if to <= from {
            return Err(ToolError::invalid(
                "date_range_end",
                "must be after date_range_start",
            ));
        }
        if to - from > Duration::days(62) {
            return Err(ToolError::invalid(
                "date_range_end",
                "the range may span at most 62 days",
            ));
        }
        let mut prefs = windows(&a.preferred_times)?;
        let attendees = csv(&a.attendees);
        let client = self.client(&ctx)?;
        let cals = target_calendars(&client, "", true, "VEVENT").await?;
        let mut busy: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for item in occurrences(&client, &cals, from, to).await? {
            let f = &item.fields;
            if f.transparent
                || f.status
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
            {
                continue;
            }
            let parse = |s: &Option<String>, end: bool| {
                s.as_deref().and_then(|t| {
                    if t.len() == 10 {
                        chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| {
                                zone.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                                    .earliest()
                            })
                            .map(|x| x.with_timezone(&Utc))
                    } else {
                        crate::nextcloud::ical::parse_bound(t, Some("UTC"), end).ok()
                    }
                })
            };
            if let (Some(s), Some(e)) = (parse(&f.start, false), parse(&f.end, true)) {
                busy.push((s, e));
            }
        }
        let mut checked = Vec::new();
        let mut not_checked = Vec::new();
        if !attendees.is_empty() {
            let homes = client.dav_homes().await?;
            match (&homes.schedule_outbox, homes.calendar_address()) {
                (Some(outbox), Some(me)) => match client.outbox_freebusy(outbox, me, &attendees, from, to).await {
                    Ok(answers) => {
                        for a in &attendees {
                            match answers.iter().find(|(who, _, _)| who.eq_ignore_ascii_case(a)) {
                                Some((_, status, data)) if status.starts_with("2.") => { busy.extend(freebusy_periods(data)); checked.push(a.clone()); }
                                Some((_, status, _)) => not_checked.push(format!("{a}: server answered {status}")),
                                None => not_checked.push(format!("{a}: no answer from the scheduling outbox")),
                            }
                        }
                    }
                    Err(e) => not_checked.extend(attendees.iter().map(|a| format!("{a}: free-busy lookup failed ({e})"))),
                },
                _ => not_checked.extend(attendees.iter().map(|a| format!("{a}: the server has no scheduling outbox (RFC 6638), so their free-busy cannot be asked"))),
            }
        }
        busy.sort();
        let day_hours = if a.business_hours_only {
            vec![(
                NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
                NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            )]
        } else {
            vec![(NaiveTime::MIN, NaiveTime::MIN)]
        };
        if prefs.is_empty() {
            prefs = day_hours.clone();
        }
        let need = Duration::minutes(a.duration_minutes);
        let mut slots = Vec::new();
        let mut day = from.with_timezone(&zone).date_naive();
        let last = to.with_timezone(&zone).date_naive();
        while day <= last && slots.len() < a.max_slots {
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            if !(a.exclude_weekends && weekend) {
                for &(ws, we) in &prefs {
                    let (mut ws, mut we) = (ws, we);
                    if a.business_hours_only {
                        ws = ws.max(day_hours[0].0);
                        we = if we == NaiveTime::MIN {
                            day_hours[0].1
                        } else {
                            we.min(day_hours[0].1)
                        };
                    }
                    let start = zone
                        .from_local_datetime(&day.and_time(ws))
                        .earliest()
                        .map(|t| t.with_timezone(&Utc));
                    let end = if we == NaiveTime::MIN {
                        zone.from_local_datetime(&(day + Duration::days(1)).and_time(we))
                            .earliest()
                    } else {
                        zone.from_local_datetime(&day.and_time(we)).earliest()
                    }
                    .map(|t| t.with_timezone(&Utc));
                    let (Some(s), Some(e)) = (start, end) else {
                        continue;
                    };
                    let (s, e) = (s.max(from), e.min(to));
                    if e <= s {
                        continue;
                    }
                    for (fs, fe) in subtract((s, e), &busy) {
                        if fe - fs >= need && slots.len() < a.max_slots {
                            slots.push(Slot {
                                start: fs.with_timezone(&zone).to_rfc3339(),
                                end: fe.with_timezone(&zone).to_rfc3339(),
                                free_minutes: (fe - fs).num_minutes(),
                            });
                        }
                    }
                }
            }
            day += Duration::days(1);
        }
        let method = format!(
            "Busy time = every occurrence (RRULE/RDATE/EXDATE and moved instances expanded) of the events in your {} calendar(s) between {} and {}, except events marked transparent (free) or cancelled; all-day events block whole days in {zone_name}. {}Free windows are cut to {}{}{}. Not covered: tasks, calendars shared with you that are not in your calendar home, subscriptions the server does not expand, and travel time.",
            cals.len(),
            ical::time::caldav_utc(&from),
            ical::time::caldav_utc(&to),
            if attendees.is_empty() {
                String::new()
            } else if checked.is_empty() {
                "Attendees were not checked (see attendees_not_checked). ".into()
            } else {
                format!(
                    "Free-busy of {} attendee(s) came from the server's scheduling outbox. ",
                    checked.len()
                )
            },
            if a.business_hours_only {
                "business hours 09:00-17:00"
            } else {
                "whole days"
            },
            if a.exclude_weekends {
                ", weekdays only"
            } else {
                ""
            },
            if a.preferred_times.trim().is_empty() {
                String::new()
            } else {
                format!(", preferred times {}", a.preferred_times.trim())
            },
        );
        Ok(Json(Availability {
            slots,
            busy_periods_found: busy.len(),
            calendars_checked: cals.iter().map(|c| c.name.clone()).collect(),
            attendees_checked: checked,
            attendees_not_checked: not_checked,
            method,
            timezone: zone_name,
        }))
    }
}
