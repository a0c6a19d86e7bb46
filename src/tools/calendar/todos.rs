//! Task (VTODO) tools: list, create, update, complete (recurring aware), delete, search.

use crate::tools::answer::Json;
use chrono::{Duration, Utc};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::events::ICS;
use super::events::{DeleteOutcome, delete_object};
pub use super::todo_args::*;
use super::*;
use crate::nextcloud::caldav::objects::Precondition;
use crate::nextcloud::ical::build::{self, Changes};
use crate::nextcloud::ical::{self as ic};
use calcard::icalendar::ICalendarComponentType;

fn check_filter(f: &TodoFilter) -> Result<(), ToolError> {
    if let Some(s) = opt(&f.status) {
        todo_status(s)?;
    }
    if let Some(p) = f.min_priority {
        priority("min_priority", p)?;
    }
    if f.limit == 0 || f.limit > 500 {
        return Err(ToolError::invalid("limit", "must be between 1 and 500"));
    }
    Ok(())
}

async fn todos(
    client: &NextcloudClient,
    cals: &[Calendar],
    f: &TodoFilter,
) -> Result<TodoPage, ToolError> {
    check_filter(f)?;
    let cats: Vec<String> = f
        .categories
        .as_deref()
        .map(csv)
        .unwrap_or_default()
        .iter()
        .map(|c| c.to_lowercase())
        .collect();
    let needle = opt(&f.summary_contains).map(str::to_lowercase);
    let mut all = Vec::new();
    for cal in cals {
        for obj in client.calendar_query(cal, "VTODO", None, None).await? {
            let Ok((item, _, _)) = item_out(cal, &obj.etag, &obj.data) else {
                continue;
            };
            let x = &item.fields;
            let keep = opt(&f.status).is_none_or(|s| {
                x.status
                    .as_deref()
                    .unwrap_or("NEEDS-ACTION")
                    .eq_ignore_ascii_case(s)
            }) && f
                .min_priority
                .is_none_or(|p| x.priority.is_some_and(|q| q >= 1 && q <= p.max(1)))
                && (cats.is_empty()
                    || x.categories
                        .iter()
                        .any(|c| cats.contains(&c.to_lowercase())))
                && needle
                    .as_ref()
                    .is_none_or(|n| x.summary.to_lowercase().contains(n));
            if keep {
                all.push(item);
            }
        }
    }
    all.sort_by(|a, b| {
        let due = |i: &ItemOut| i.fields.due.clone().unwrap_or_else(|| "9999".into());
        due(a)
            .cmp(&due(b))
            .then(
                a.fields
                    .priority
                    .unwrap_or(10)
                    .cmp(&b.fields.priority.unwrap_or(10)),
            )
            .then(a.fields.uid.cmp(&b.fields.uid))
    });
    let total = all.len();
    let page: Vec<ItemOut> = all.into_iter().skip(f.offset).take(f.limit).collect();
    let has_more = f.offset + page.len() < total;
    Ok(TodoPage {
        has_more,
        next_offset: has_more.then_some(f.offset + page.len()),
        total,
        offset: f.offset,
        todos: page,
    })
}

fn opt_moment(arg: &str, v: &str, tz: Option<&str>) -> Result<Option<Moment>, ToolError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        moment(arg, v, tz).map(Some)
    }
}

/// The RRULE of a series after its first occurrence is done: a `COUNT` counts the occurrences
/// from DTSTART, which moves on to the next one, so it goes down by one (the series then ends
/// after its last occurrence). `None` when nothing changes (no COUNT).
fn counted_down(rule: Option<&str>) -> Option<String> {
    let value = build::rrule_value(rule?, None, false).ok()?;
    let calcard::icalendar::ICalendarValue::RecurrenceRule(mut r) = value else {
        return None;
    };
    let count = r.count?;
    r.count = Some(count.saturating_sub(1).max(1));
    Some(r.to_string())
}

async fn write_todo(
    client: &NextcloudClient,
    cal: &Calendar,
    uid: &str,
    etag: &str,
    changes: &Changes,
) -> Result<(ItemOut, String), ToolError> {
    let obj = client.calendar_object(cal, "VTODO", uid).await?;
    let text = build::apply(
        &obj.data,
        &ICalendarComponentType::VTodo,
        uid,
        changes,
        None,
    )
    .map_err(ToolError::new)?;
    let new_etag = client
        .dav_replace(&obj, etag, ICS, text.clone(), "the task")
        .await?;
    let (item, _, _) = item_out(cal, &new_etag, &text)?;
    Ok((item, obj.data))
}

#[tool_router(router = calendar_todos_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List tasks (VTODO) of one calendar with optional filters; paged with limit/offset.
    #[tool(
        name = "nc_calendar_list_todos",
        input_schema = crate::tools::catalogue::input::<ListTodosArgs>(),
        output_schema = crate::tools::catalogue::output::<TodoPage>(),
        annotations(
            title = "List tasks",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_list_todos(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<ListTodosArgs>,
    ) -> Result<Json<TodoPage>, ToolError> {
        check_filter(&a.filter)?;
        let client = self.client(&ctx)?;
        let cal = client.calendar(&a.calendar_name).await?;
        Ok(Json(todos(&client, &[cal], &a.filter).await?))
    }

    /// Search tasks across all calendars that hold tasks.
    #[tool(
        name = "nc_calendar_search_todos",
        input_schema = crate::tools::catalogue::input::<TodoFilter>(),
        output_schema = crate::tools::catalogue::output::<TodoPage>(),
        annotations(
            title = "Search tasks",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_search_todos(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(f): Parameters<TodoFilter>,
    ) -> Result<Json<TodoPage>, ToolError> {
        check_filter(&f)?;
        let client = self.client(&ctx)?;
        let cals = target_calendars(&client, "", true, "VTODO").await?;
        Ok(Json(todos(&client, &cals, &f).await?))
    }

    /// Create a task. Status and priority are validated; due/start keep their zone; a recurrence_rule makes it recurring.
    #[tool(
        name = "nc_calendar_create_todo",
        input_schema = crate::tools::catalogue::input::<CreateTodoArgs>(),
        output_schema = crate::tools::catalogue::output::<TodoWritten>(),
        annotations(
            title = "Create task",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_create_todo(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<CreateTodoArgs>,
    ) -> Result<Json<TodoWritten>, ToolError> {
        let tz = opt(&Some(a.timezone.clone())).map(str::to_string);
        let status = todo_status(&a.status)?;
        let due = opt_moment("due", &a.due, tz.as_deref())?;
        let start = opt_moment("dtstart", &a.dtstart, tz.as_deref())?;
        if a.summary.trim().is_empty() {
            return Err(ToolError::invalid("summary", "must not be empty"));
        }
        if !a.recurrence_rule.trim().is_empty() && due.is_none() && start.is_none() {
            return Err(ToolError::invalid(
                "recurrence_rule",
                "a recurring task needs dtstart or due",
            ));
        }
        if let Some(r) = opt(&Some(a.recurrence_rule.clone())) {
            build::rrule_value(r, None, false)
                .map_err(|e| ToolError::invalid("recurrence_rule", e))?;
        }
        let done = status == "COMPLETED";
        let changes = Changes {
            summary: Some(a.summary.clone()),
            description: Some(a.description.clone()).filter(|s| !s.is_empty()),
            priority: Some(priority("priority", a.priority)?).filter(|p| *p != 0),
            categories: Some(csv(&a.categories)).filter(|c| !c.is_empty()),
            completed: done.then(|| Some(Moment::Utc(Utc::now()))),
            percent_complete: done.then_some(100),
            rrule: opt(&Some(a.recurrence_rule.clone())).map(str::to_string),
            status: Some(status),
            due,
            start,
            alarms: alarms(None, false, &a.reminders)?,
            ..Default::default()
        };
        let client = self.client(&ctx)?;
        let cal = client.calendar(&a.calendar_name).await?;
        if !cal.holds("VTODO") {
            return Err(ToolError::invalid(
                "calendar_name",
                format!("calendar `{}` does not hold tasks (VTODO)", cal.name),
            ));
        }
        let uid = uuid::Uuid::new_v4().to_string();
        let text = build::new_object(ICalendarComponentType::VTodo, &uid, &changes)
            .map_err(ToolError::new)?;
        let href = client.new_object_href(&cal, &uid);
        let etag = client
            .dav_put(
                &href,
                "text/calendar; charset=utf-8",
                text.clone(),
                Precondition::Create,
                &format!("a task with UID {uid}"),
            )
            .await?;
        Ok(Json(TodoWritten {
            todo: item_out(&cal, &etag, &text)?.0,
            next_occurrence: None,
        }))
    }

    /// Change a task: only given fields change (unknown properties are kept). Percent-complete 100 or status COMPLETED sets COMPLETED; If-Match with `etag` or this call's read.
    #[tool(
        name = "nc_calendar_update_todo",
        input_schema = crate::tools::catalogue::input::<UpdateTodoArgs>(),
        output_schema = crate::tools::catalogue::output::<TodoWritten>(),
        annotations(
            title = "Update task",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_update_todo(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<UpdateTodoArgs>,
    ) -> Result<Json<TodoWritten>, ToolError> {
        let tz = opt(&a.timezone);
        let status = a.status.as_deref().map(todo_status).transpose()?;
        if let Some(p) = a.percent_complete
            && !(0..=100).contains(&p)
        {
            return Err(ToolError::invalid(
                "percent_complete",
                "must be between 0 and 100",
            ));
        }
        let m = |arg: &str, v: &Option<String>| -> Result<Option<Option<Moment>>, ToolError> {
            match v {
                None => Ok(None),
                Some(s) if s.trim().is_empty() => Ok(Some(None)),
                Some(s) => Ok(Some(Some(moment(arg, s, tz)?))),
            }
        };
        let due = m("due", &a.due)?;
        let start = m("dtstart", &a.dtstart)?;
        let mut completed = m("completed", &a.completed)?;
        let done = status.as_deref() == Some("COMPLETED") || a.percent_complete == Some(100);
        if done && matches!(completed, Some(None)) {
            return Err(ToolError::invalid(
                "completed",
                "\"\" reopens the task, which contradicts status COMPLETED / percent_complete 100",
            ));
        }
        if done && completed.is_none() {
            completed = Some(Some(Moment::Utc(Utc::now())));
        }
        let reopened = matches!(status.as_deref(), Some("NEEDS-ACTION" | "IN-PROCESS"));
        if reopened && completed.is_none() {
            completed = Some(None);
        }
        // Reopened (`completed: ""` or an open status): no COMPLETED, status NEEDS-ACTION
        // unless given, 0 % unless given.
        let cleared = matches!(completed, Some(None));
        let status = if cleared && status.is_none() {
            Some("NEEDS-ACTION".to_string())
        } else {
            status
        };
        let percent = match (a.percent_complete, cleared) {
            (Some(p), _) => Some(p),
            (None, true) => Some(0),
            (None, false) => done.then_some(100),
        };
        let mut changes = Changes {
            summary: a.summary.clone(),
            description: a.description.clone(),
            status,
            priority: a.priority.map(|p| priority("priority", p)).transpose()?,
            percent_complete: percent,
            categories: a.categories.as_deref().map(csv),
            completed,
            alarms: alarms(None, false, &a.reminders)?,
            ..Default::default()
        };
        let client = self.client(&ctx)?;
        let cal = client.calendar(&a.calendar_name).await?;
        // Removing due/dtstart is a property removal: write them through the line editor.
        changes.due = due.clone().flatten();
        changes.start = start.clone().flatten();
        let (mut item, _) = write_todo(&client, &cal, &a.todo_uid, &a.etag, &changes).await?;
        if matches!(due, Some(None)) || matches!(start, Some(None)) {
            let obj = client.calendar_object(&cal, "VTODO", &a.todo_uid).await?;
            let mut doc = ic::lines::Lines::new(&obj.data);
            if let Some(span) = doc.components("VTODO").first().copied() {
                if matches!(due, Some(None)) {
                    doc.set(span, "DUE", vec![]);
                }
                let span = doc.components("VTODO")[0];
                if matches!(start, Some(None)) {
                    doc.set(span, "DTSTART", vec![]);
                }
            }
            let text = doc.text();
            let etag = client
                .dav_replace(&obj, "", ICS, text.clone(), "the task")
                .await?;
            item = item_out(&cal, &etag, &text)?.0;
        }
        Ok(Json(TodoWritten {
            todo: item,
            next_occurrence: None,
        }))
    }

    /// Mark a task done (STATUS COMPLETED, PERCENT-COMPLETE 100, COMPLETED time). For a recurring task the current occurrence is done and the task moves to its next occurrence (start/due advanced, status NEEDS-ACTION).
    #[tool(
        name = "nc_calendar_complete_todo",
        input_schema = crate::tools::catalogue::input::<CompleteTodoArgs>(),
        output_schema = crate::tools::catalogue::output::<TodoWritten>(),
        annotations(
            title = "Complete task",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_complete_todo(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<CompleteTodoArgs>,
    ) -> Result<Json<TodoWritten>, ToolError> {
        let when = match opt(&a.completed) {
            Some(s) => moment("completed", s, None)?,
            None => Moment::Utc(Utc::now()),
        };
        let client = self.client(&ctx)?;
        let cal = client.calendar(&a.calendar_name).await?;
        let obj = client.calendar_object(&cal, "VTODO", &a.todo_uid).await?;
        let (current, parsed, idx) = item_out(&cal, &obj.etag, &obj.data)?;
        if current.fields.recurrence_rule.is_some() {
            // Next occurrence after the current one.
            let occ = ic::occurrences_of(&parsed, idx, None);
            let now_start = occ.first().map(|o| o.start);
            if let (Some(cur), Some(next)) =
                (now_start, occ.iter().find(|o| Some(o.start) > now_start))
            {
                let delta: Duration = next.start - cur;
                let shift = |s: &Option<String>| {
                    s.as_deref()
                        .and_then(|t| {
                            ic::parse_moment(t, current.fields.timezone.as_deref().or(Some("UTC")))
                                .ok()
                        })
                        .map(|m| match (&m, current.fields.timezone.as_deref()) {
                            (Moment::Utc(t), Some(z)) => Moment::Zoned(
                                t.with_timezone(
                                    &z.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC),
                                )
                                .naive_local(),
                                z.parse().unwrap_or(chrono_tz::UTC),
                            )
                            .shifted(delta),
                            _ => m.shifted(delta),
                        })
                };
                let changes = Changes {
                    rrule: counted_down(current.fields.recurrence_rule.as_deref()),
                    start: shift(&current.fields.start),
                    due: shift(&current.fields.due),
                    status: Some("NEEDS-ACTION".into()),
                    percent_complete: Some(0),
                    completed: Some(None),
                    ..Default::default()
                };
                let (item, _) = write_todo(&client, &cal, &a.todo_uid, &a.etag, &changes).await?;
                let next_text = item.fields.due.clone().or(item.fields.start.clone());
                return Ok(Json(TodoWritten {
                    todo: item,
                    next_occurrence: next_text,
                }));
            }
        }
        let changes = Changes {
            status: Some("COMPLETED".into()),
            percent_complete: Some(100),
            completed: Some(Some(when)),
            ..Default::default()
        };
        let (item, _) = write_todo(&client, &cal, &a.todo_uid, &a.etag, &changes).await?;
        Ok(Json(TodoWritten {
            todo: item,
            next_occurrence: None,
        }))
    }

    /// Delete a task (If-Match with `etag` or this call's read; already gone counts as deleted).
    #[tool(
        name = "nc_calendar_delete_todo",
        input_schema = crate::tools::catalogue::input::<DeleteTodoArgs>(),
        output_schema = crate::tools::catalogue::output::<DeleteOutcome>(),
        annotations(
            title = "Delete task",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_delete_todo(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<DeleteTodoArgs>,
    ) -> Result<Json<DeleteOutcome>, ToolError> {
        let client = self.client(&ctx)?;
        let cal = client.calendar(&a.calendar_name).await?;
        Ok(Json(
            delete_object(&client, &cal, "VTODO", &a.todo_uid, &a.etag).await?,
        ))
    }
}
