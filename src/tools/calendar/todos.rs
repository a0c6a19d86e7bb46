//! Task (VTODO) tools: list, create, update, complete (recurring aware), delete, search.

use chrono::{Duration, Utc};
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::events::{DeleteOutcome, delete_object};
use super::*;
use crate::nextcloud::caldav::objects::Precondition;
use crate::nextcloud::ical::build::{self, Changes};
use crate::nextcloud::ical::{self as ic};
use calcard::icalendar::ICalendarComponentType;

fn d_needs() -> String {
    "NEEDS-ACTION".into()
}
fn d_limit() -> usize {
    100
}

/// Filters shared by list and search.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TodoFilter {
    /// Only tasks with this status (NEEDS-ACTION, IN-PROCESS, COMPLETED, CANCELLED).
    #[serde(default)]
    pub status: Option<String>,
    /// Only tasks at least this important: priority between 1 and this value (1 highest .. 9 lowest; tasks without priority are left out).
    #[serde(default)]
    pub min_priority: Option<i64>,
    /// Only tasks with one of these categories (comma-separated).
    #[serde(default)]
    pub categories: Option<String>,
    /// Summary contains (case-insensitive).
    #[serde(default)]
    pub summary_contains: Option<String>,
    /// Page size (1-500).
    #[serde(default = "d_limit")]
    pub limit: usize,
    /// Tasks to skip (paging).
    #[serde(default)]
    pub offset: usize,
}

/// Arguments of `nc_calendar_list_todos`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListTodosArgs {
    /// Calendar slug.
    pub calendar_name: String,
    /// Filters and paging.
    #[serde(flatten)]
    pub filter: TodoFilter,
}

/// A page of tasks.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TodoPage {
    /// Tasks sorted by due date (undated last), then priority.
    pub todos: Vec<ItemOut>,
    /// Matching tasks (all pages).
    pub total: usize,
    /// Offset of this page.
    pub offset: usize,
    /// True when more pages follow.
    pub has_more: bool,
    /// Offset of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

/// Arguments of `nc_calendar_create_todo`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateTodoArgs {
    /// Calendar slug (must hold VTODO).
    pub calendar_name: String,
    /// Summary.
    pub summary: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// NEEDS-ACTION, IN-PROCESS, COMPLETED or CANCELLED.
    #[serde(default = "d_needs")]
    pub status: String,
    /// 0 (none), 1 (highest) .. 9 (lowest).
    #[serde(default)]
    pub priority: i64,
    /// Due: date or date-time with zone (or with `timezone`).
    #[serde(default)]
    pub due: String,
    /// Start: date or date-time with zone.
    #[serde(default)]
    pub dtstart: String,
    /// Categories, comma-separated.
    #[serde(default)]
    pub categories: String,
    /// Reminders before the due time (or start).
    #[serde(default)]
    pub reminders: Option<Vec<Reminder>>,
    /// RRULE for a recurring task (e.g. FREQ=WEEKLY); needs dtstart or due.
    #[serde(default)]
    pub recurrence_rule: String,
    /// IANA zone for naive due/dtstart.
    #[serde(default)]
    pub timezone: String,
}

/// Arguments of `nc_calendar_update_todo`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateTodoArgs {
    /// Calendar slug.
    pub calendar_name: String,
    /// UID of the task.
    pub todo_uid: String,
    /// New summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// New description ("" removes).
    #[serde(default)]
    pub description: Option<String>,
    /// New status.
    #[serde(default)]
    pub status: Option<String>,
    /// New priority 0-9.
    #[serde(default)]
    pub priority: Option<i64>,
    /// Percent complete 0-100.
    #[serde(default)]
    pub percent_complete: Option<i64>,
    /// New due ("" removes).
    #[serde(default)]
    pub due: Option<String>,
    /// New start ("" removes).
    #[serde(default)]
    pub dtstart: Option<String>,
    /// Completion time ("" removes it and reopens the task).
    #[serde(default)]
    pub completed: Option<String>,
    /// Categories, comma-separated.
    #[serde(default)]
    pub categories: Option<String>,
    /// Reminders (replace all).
    #[serde(default)]
    pub reminders: Option<Vec<Reminder>>,
    /// IANA zone for naive times.
    #[serde(default)]
    pub timezone: Option<String>,
    /// ETag of your read; empty uses this call's read.
    #[serde(default)]
    pub etag: String,
}

/// Arguments of `nc_calendar_complete_todo`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompleteTodoArgs {
    /// Calendar slug.
    pub calendar_name: String,
    /// UID of the task.
    pub todo_uid: String,
    /// Completion time (date-time with zone); default now.
    #[serde(default)]
    pub completed: Option<String>,
    /// ETag of your read; empty uses this call's read.
    #[serde(default)]
    pub etag: String,
}

/// Arguments of `nc_calendar_delete_todo`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteTodoArgs {
    /// Calendar slug.
    pub calendar_name: String,
    /// UID of the task.
    pub todo_uid: String,
    /// ETag of your read; empty uses this call's read.
    #[serde(default)]
    pub etag: String,
}

/// A written task.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TodoWritten {
    /// The task as stored.
    pub todo: ItemOut,
    /// For a recurring task that was completed: the next occurrence's due/start now stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_occurrence: Option<String>,
}

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
    let etag_in = if etag.trim().is_empty() {
        obj.etag.clone()
    } else {
        etag.trim().to_string()
    };
    let new_etag = client
        .dav_put(
            &obj.href,
            "text/calendar; charset=utf-8",
            text.clone(),
            Precondition::Match(etag_in),
            "the task",
        )
        .await?;
    let (item, _, _) = item_out(cal, &new_etag, &text)?;
    Ok((item, obj.data))
}

#[tool_router(router = calendar_todos_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List tasks (VTODO) of one calendar with optional filters; paged with limit/offset.
    #[tool(
        name = "nc_calendar_list_todos",
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
        if done && completed.is_none() {
            completed = Some(Some(Moment::Utc(Utc::now())));
        }
        let reopened = matches!(status.as_deref(), Some("NEEDS-ACTION" | "IN-PROCESS"));
        if reopened && completed.is_none() {
            completed = Some(None);
        }
        let mut changes = Changes {
            summary: a.summary.clone(),
            description: a.description.clone(),
            status,
            priority: a.priority.map(|p| priority("priority", p)).transpose()?,
            percent_complete: a.percent_complete.or(done.then_some(100)),
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
                .dav_put(
                    &obj.href,
                    "text/calendar; charset=utf-8",
                    text.clone(),
                    Precondition::Match(obj.etag),
                    "the task",
                )
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
