//! Arguments and results of the task (VTODO) tools.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ItemOut, Reminder};

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
