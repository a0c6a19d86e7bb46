//! Event building blocks shared by the event tools and bulk operations: occurrence listing,
//! object creation (with ORGANIZER when there are attendees), re-zoning and deletion.

use chrono::{DateTime, Utc};

use super::*;
use crate::nextcloud::caldav::objects::Precondition;
use crate::nextcloud::ical::build::{self, Changes};
use crate::nextcloud::ical::{self as ic, default_length};
use calcard::icalendar::ICalendarComponentType;

pub use super::event_args::*;

/// Content type of calendar objects.
pub const ICS: &str = "text/calendar; charset=utf-8";

/// The current start and end of an event re-expressed in `zone` (same instants).
pub(super) fn rezone(
    current: &ItemFields,
    zone: &str,
    all_day: bool,
) -> Result<(Moment, Option<Moment>), ToolError> {
    if all_day {
        return Err(ToolError::invalid(
            "timezone",
            "an all-day event has no time zone; give start_datetime/end_datetime with times to make it a timed event",
        ));
    }
    let tz = ical::time::parse_zone(zone).map_err(|e| ToolError::invalid("timezone", e))?;
    let at = |v: &Option<String>| -> Result<Option<Moment>, ToolError> {
        let Some(text) = v else { return Ok(None) };
        let instant = ic::parse_moment(text, Some("UTC"))
            .map_err(ToolError::new)?
            .instant();
        Ok(Some(if tz == chrono_tz::UTC {
            Moment::Utc(instant)
        } else {
            Moment::Zoned(instant.with_timezone(&tz).naive_local(), tz)
        }))
    };
    let start = at(&current.start)?.ok_or_else(|| {
        ToolError::invalid("timezone", "the event has no start to put in a time zone")
    })?;
    Ok((start, at(&current.end)?))
}

/// Occurrences of events in `[from, to)` over `cals`, each with its object's etag.
pub async fn occurrences(
    client: &NextcloudClient,
    cals: &[Calendar],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ItemOut>, ToolError> {
    let mut out: Vec<(DateTime<Utc>, ItemOut)> = Vec::new();
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
                    ));
                }
            }
        }
    }
    out.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.fields.uid.cmp(&b.1.fields.uid))
    });
    Ok(out.into_iter().map(|(_, item)| item).collect())
}

pub(super) fn contains(hay: &Option<String>, needle: &Option<String>) -> bool {
    match opt(needle) {
        None => true,
        Some(n) => hay
            .as_deref()
            .is_some_and(|h| h.to_lowercase().contains(&n.to_lowercase())),
    }
}

pub(super) fn duration_minutes(f: &ItemFields) -> i64 {
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

pub(super) fn changes_from_create(a: &CreateEventArgs) -> Result<Changes, ToolError> {
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
    let mut changes = changes.clone();
    if changes.attendees.as_ref().is_some_and(|l| !l.is_empty()) {
        changes.organizer = Some(organizer_address(client).await?);
    }
    let text = build::new_object(ICalendarComponentType::VEvent, &uid, &changes)
        .map_err(|e| ToolError::invalid("recurrence_rule", e))?;
    let href = client.new_object_href(&cal, &uid);
    let etag = client
        .dav_put(
            &href,
            ICS,
            text.clone(),
            Precondition::Create,
            &format!("an event with UID {uid}"),
        )
        .await?;
    let (event, _, _) = item_out(&cal, &etag, &text)?;
    Ok(EventWritten {
        invited: changes.attendees.clone().unwrap_or_default(),
        event,
        href,
    })
}

/// The user's own calendar address for ORGANIZER, from the principal's
/// `calendar-user-address-set` (a `mailto:` address preferred), so that the server's
/// scheduling (sabre's Schedule plugin, with iMIP for external addresses) sends invitations.
pub async fn organizer_address(client: &NextcloudClient) -> Result<String, ToolError> {
    let homes = client.dav_homes().await?;
    homes
        .calendar_address()
        .map(str::to_string)
        .ok_or_else(|| {
            ToolError::new(
                "the server reports no calendar address for this user (calendar-user-address-set), so nobody can be invited: set an e-mail address in the user's Nextcloud profile, or leave out attendees",
            )
        })
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
    let etag = crate::nextcloud::dav_object::etag_to_match(&obj, etag);
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
