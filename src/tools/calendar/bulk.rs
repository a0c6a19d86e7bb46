//! `nc_calendar_bulk_operations`: update, delete or move the events matching a validated
//! filter, with per-item outcomes; refuses more than `toolsets.calendar.bulk_max` matches
//! unless the caller confirms.

use crate::tools::answer::Json;
use chrono::Duration;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::events::ICS;
use super::*;
use crate::nextcloud::caldav::objects::Precondition;
use crate::nextcloud::ical::build::{self, Changes};
use calcard::icalendar::ICalendarComponentType;

/// Which events a bulk operation touches (at least one filter besides the dates).
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct BulkFilters {
    /// Title contains (case-insensitive).
    #[serde(default)]
    pub title_contains: Option<String>,
    /// Any of these categories (comma-separated).
    #[serde(default)]
    pub categories: Option<String>,
    /// Only this calendar (slug); default all calendars.
    #[serde(default)]
    pub calendar_name: Option<String>,
    /// Events overlapping from this date (date or date-time with zone).
    #[serde(default)]
    pub start_date: Option<String>,
    /// Events overlapping until this date (exclusive; a date means its end).
    #[serde(default)]
    pub end_date: Option<String>,
    /// Status CONFIRMED, TENTATIVE or CANCELLED.
    #[serde(default)]
    pub status: Option<String>,
    /// Location contains (case-insensitive).
    #[serde(default)]
    pub location_contains: Option<String>,
}

/// Arguments of `nc_calendar_bulk_operations`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BulkArgs {
    /// `update`, `delete` or `move`.
    pub operation: String,
    /// Which events (whole series for recurring events).
    #[serde(default)]
    pub filters: BulkFilters,
    /// update: new title.
    #[serde(default)]
    pub new_title: Option<String>,
    /// update: new description.
    #[serde(default)]
    pub new_description: Option<String>,
    /// update: new location.
    #[serde(default)]
    pub new_location: Option<String>,
    /// update: new status.
    #[serde(default)]
    pub new_status: Option<String>,
    /// update: new categories (comma-separated).
    #[serde(default)]
    pub new_categories: Option<String>,
    /// update: new priority 0-9.
    #[serde(default)]
    pub new_priority: Option<i64>,
    /// update: new privacy class.
    #[serde(default)]
    pub new_privacy: Option<String>,
    /// update: new colour.
    #[serde(default)]
    pub new_color: Option<String>,
    /// move: destination calendar slug.
    #[serde(default)]
    pub target_calendar: Option<String>,
    /// Required to go ahead when more events match than the configured maximum (toolsets.calendar.bulk_max).
    #[serde(default)]
    pub confirm: bool,
}

/// Outcome for one event.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BulkItem {
    /// UID.
    pub uid: String,
    /// Title.
    pub title: String,
    /// Calendar before the operation.
    pub calendar: String,
    /// True when done.
    pub ok: bool,
    /// Why not, when not done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Result of a bulk operation.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BulkResult {
    /// The operation.
    pub operation: String,
    /// Events matching the filter.
    pub matched: usize,
    /// False when nothing was changed (too many matches without `confirm`).
    pub executed: bool,
    /// Events done.
    pub succeeded: usize,
    /// Events that failed.
    pub failed: usize,
    /// Per-event outcomes (when not executed: the matching events, none changed).
    pub items: Vec<BulkItem>,
    /// Summary.
    pub message: String,
}

#[tool_router(router = calendar_bulk_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Update, delete or move every event matching the filters (at least one of title_contains, categories, status, location_contains, calendar_name). Reports each event's outcome; when more events match than the server's limit nothing changes unless `confirm` is true.
    #[tool(
        name = "nc_calendar_bulk_operations",
        input_schema = crate::tools::catalogue::input::<BulkArgs>(),
        output_schema = crate::tools::catalogue::output::<BulkResult>(),
        annotations(
            title = "Bulk event operations",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_bulk_operations(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<BulkArgs>,
    ) -> Result<Json<BulkResult>, ToolError> {
        let op = a.operation.trim().to_ascii_lowercase();
        if !matches!(op.as_str(), "update" | "delete" | "move") {
            return Err(ToolError::invalid(
                "operation",
                format!("`{}` is not update, delete or move", a.operation),
            ));
        }
        let f = &a.filters;
        if [
            &f.title_contains,
            &f.categories,
            &f.calendar_name,
            &f.status,
            &f.location_contains,
        ]
        .iter()
        .all(|v| opt(v).is_none())
        {
            return Err(ToolError::invalid(
                "filters",
                "give at least one of title_contains, categories, calendar_name, status, location_contains (dates alone are too broad)",
            ));
        }
        if let Some(s) = opt(&f.status) {
            event_status(s)?;
        }
        let changes = Changes {
            summary: a.new_title.clone(),
            description: a.new_description.clone(),
            location: a.new_location.clone(),
            status: a.new_status.as_deref().map(event_status).transpose()?,
            categories: a.new_categories.as_deref().map(csv),
            priority: a
                .new_priority
                .map(|p| priority("new_priority", p))
                .transpose()?,
            privacy: a.new_privacy.as_deref().map(privacy).transpose()?,
            color: a.new_color.as_deref().map(color).transpose()?,
            ..Default::default()
        };
        let has_change = changes.summary.is_some()
            || changes.description.is_some()
            || changes.location.is_some()
            || changes.status.is_some()
            || changes.categories.is_some()
            || changes.priority.is_some()
            || changes.privacy.is_some()
            || changes.color.is_some();
        if op == "update" && !has_change {
            return Err(ToolError::invalid(
                "new_title",
                "update needs at least one new_* field",
            ));
        }
        if op == "move" && opt(&a.target_calendar).is_none() {
            return Err(ToolError::invalid(
                "target_calendar",
                "move needs a target_calendar",
            ));
        }
        let range = match (opt(&f.start_date), opt(&f.end_date)) {
            (None, None) => None,
            (s, e) => {
                let from = match s {
                    Some(s) => bound("filters.start_date", s, None, false)?,
                    None => chrono::Utc::now() - Duration::days(3650),
                };
                let to = match e {
                    Some(e) => bound("filters.end_date", e, None, true)?,
                    None => from + Duration::days(3650 * 2),
                };
                if to <= from {
                    return Err(ToolError::invalid(
                        "filters.end_date",
                        "must be after start_date",
                    ));
                }
                Some((from, to))
            }
        };
        let client = self.client(&ctx)?;
        let target = match opt(&a.target_calendar) {
            Some(t) if op == "move" => Some(client.calendar(t).await?),
            _ => None,
        };
        let cals = target_calendars(
            &client,
            f.calendar_name.as_deref().unwrap_or(""),
            false,
            "VEVENT",
        )
        .await?;
        let cats: Vec<String> = f
            .categories
            .as_deref()
            .map(csv)
            .unwrap_or_default()
            .iter()
            .map(|c| c.to_lowercase())
            .collect();
        let has = |h: &Option<String>, n: &Option<String>| {
            opt(n).is_none_or(|n| {
                h.as_deref()
                    .is_some_and(|h| h.to_lowercase().contains(&n.to_lowercase()))
            })
        };
        let mut matched = Vec::new();
        for cal in &cals {
            for obj in client.calendar_query(cal, "VEVENT", range, None).await? {
                let Ok((item, _, _)) = item_out(cal, &obj.etag, &obj.data) else {
                    continue;
                };
                let x = &item.fields;
                if has(&Some(x.summary.clone()), &f.title_contains)
                    && has(&x.location, &f.location_contains)
                    && (cats.is_empty()
                        || x.categories
                            .iter()
                            .any(|c| cats.contains(&c.to_lowercase())))
                    && opt(&f.status).is_none_or(|s| {
                        x.status
                            .as_deref()
                            .is_some_and(|y| y.eq_ignore_ascii_case(s))
                    })
                    && target.as_ref().is_none_or(|t| t.href != cal.href)
                {
                    matched.push((cal.clone(), obj, item));
                }
            }
        }
        let max = self.settings.calendar.bulk_max;
        let listing = |list: &[(
            Calendar,
            crate::nextcloud::caldav::objects::CalObject,
            ItemOut,
        )]| {
            list.iter()
                .map(|(c, _, i)| BulkItem {
                    uid: i.fields.uid.clone(),
                    title: i.fields.summary.clone(),
                    calendar: c.name.clone(),
                    ok: false,
                    error: None,
                })
                .collect::<Vec<_>>()
        };
        if matched.len() > max && !a.confirm {
            return Ok(Json(BulkResult {
                operation: op,
                matched: matched.len(),
                executed: false,
                succeeded: 0,
                failed: 0,
                items: listing(&matched[..matched.len().min(100)]),
                message: format!(
                    "{} events match, more than the limit of {max}: nothing was changed. Narrow the filters, or call again with confirm: true to go ahead.",
                    matched.len()
                ),
            }));
        }
        let total = matched.len() as u64;
        let mut items = Vec::new();
        for (n, (cal, obj, item)) in matched.iter().enumerate() {
            let uid = item.fields.uid.clone();
            let result: Result<(), ToolError> = async {
                match op.as_str() {
                    "update" => {
                        let text = build::apply(
                            &obj.data,
                            &ICalendarComponentType::VEvent,
                            &uid,
                            &changes,
                            None,
                        )
                        .map_err(ToolError::new)?;
                        client.dav_replace(obj, "", ICS, text, "the event").await?;
                    }
                    "delete" => {
                        client
                            .dav_delete(&obj.href, Some(&obj.etag), "the event")
                            .await?;
                    }
                    _ => {
                        let dest = target.as_ref().ok_or_else(|| ToolError::new("no target"))?;
                        let href = client.new_object_href(dest, &uid);
                        client
                            .dav_put(
                                &href,
                                ICS,
                                obj.data.clone(),
                                Precondition::Create,
                                &format!("an event with UID {uid} in {}", dest.name),
                            )
                            .await?;
                        client
                            .dav_delete(&obj.href, Some(&obj.etag), "the event")
                            .await?;
                    }
                }
                Ok(())
            }
            .await;
            items.push(BulkItem {
                uid,
                title: item.fields.summary.clone(),
                calendar: cal.name.clone(),
                ok: result.is_ok(),
                error: result.err().map(|e| e.message),
            });
            self.progress(
                &ctx,
                n as u64 + 1,
                Some(total),
                &format!("{op} {}/{total}", n + 1),
            )
            .await;
        }
        let succeeded = items.iter().filter(|i| i.ok).count();
        let failed = items.len() - succeeded;
        Ok(Json(BulkResult {
            message: format!(
                "{op}: {succeeded} done, {failed} failed of {} matching events",
                items.len()
            ),
            operation: op,
            matched: items.len(),
            executed: true,
            succeeded,
            failed,
            items,
        }))
    }
}
