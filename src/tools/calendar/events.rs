//! Event tools: create, list (expanded occurrences, paged), get, update (merge), delete,
//! meetings and upcoming events.

use crate::tools::answer::Json;
use chrono::{Duration, Utc};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::*;
use crate::nextcloud::ical::build::{self, Changes};
use crate::nextcloud::ical::{self as ic};
use calcard::icalendar::ICalendarComponentType;

pub use super::event_ops::*;

#[tool_router(router = calendar_events_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Create an event. Times keep their zone (TZID) when `timezone` is given; all-day ends are exclusive. Returns the stored event with its UID and etag.
    #[tool(
        name = "nc_calendar_create_event",
        input_schema = crate::tools::catalogue::input::<CreateEventArgs>(),
        output_schema = crate::tools::catalogue::output::<EventWritten>(),
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
        input_schema = crate::tools::catalogue::input::<ListEventsArgs>(),
        output_schema = crate::tools::catalogue::output::<EventPage>(),
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
        input_schema = crate::tools::catalogue::input::<EventRefArgs>(),
        output_schema = crate::tools::catalogue::output::<EventWritten>(),
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
            invited: Vec::new(),
        }))
    }

    /// Change an event: only the given fields change; everything else in the stored iCalendar (unknown properties, alarms, overridden instances) is kept byte for byte. Uses `etag` (or this call's read) with If-Match: a conflict means the event changed meanwhile. Returns the new etag.
    #[tool(
        name = "nc_calendar_update_event",
        input_schema = crate::tools::catalogue::input::<UpdateEventArgs>(),
        output_schema = crate::tools::catalogue::output::<EventWritten>(),
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
        if let Some(zone) = opt(&a.timezone)
            && start.is_none()
            && end.is_none()
        {
            // Only a new zone: the event keeps its instants, written in that zone.
            let (s, e) = rezone(&current, zone, all_day)?;
            start = Some(s);
            end = e;
        }
        if a.all_day == Some(true)
            && start.is_none()
            && let Some(cs) = &current.start
        {
            let d = ic::parse_moment(cs, Some("UTC"))
                .map_err(ToolError::new)?
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
        let mut changes = changes;
        let added: Vec<String> = changes
            .attendees
            .iter()
            .flatten()
            .filter(|x| !current.attendees.iter().any(|c| c.eq_ignore_ascii_case(x)))
            .cloned()
            .collect();
        if !added.is_empty() && current.organizer.is_none() {
            changes.organizer = Some(organizer_address(&client).await?);
        }
        let text = build::apply(
            &obj.data,
            &ICalendarComponentType::VEvent,
            &a.event_uid,
            &changes,
            until,
        )
        .map_err(|e| ToolError::invalid("recurrence_rule", e))?;
        let etag = client
            .dav_replace(&obj, &a.etag, ICS, text.clone(), "the event")
            .await?;
        let (event, _, _) = item_out(&cal, &etag, &text)?;
        Ok(Json(EventWritten {
            event,
            href: obj.href,
            invited: added,
        }))
    }

    /// Delete an event (the whole series for recurring events). Uses If-Match with `etag` or this call's read. A refusal by the server (403 for invitations you do not organise, 409/500 for a stale copy in the trash bin) comes back as `deleted: false` with the reason; an event already gone counts as deleted.
    #[tool(
        name = "nc_calendar_delete_event",
        input_schema = crate::tools::catalogue::input::<EventRefArgs>(),
        output_schema = crate::tools::catalogue::output::<DeleteOutcome>(),
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
        input_schema = crate::tools::catalogue::input::<CreateMeetingArgs>(),
        output_schema = crate::tools::catalogue::output::<EventWritten>(),
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
        input_schema = crate::tools::catalogue::input::<UpcomingArgs>(),
        output_schema = crate::tools::catalogue::output::<EventPage>(),
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
