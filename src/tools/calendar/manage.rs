//! Calendar collections: list, create, update, delete.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

/// The user's calendars.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CalendarList {
    /// Calendars in the user's calendar home (found by principal discovery).
    pub calendars: Vec<Calendar>,
    /// Number of calendars.
    pub total: usize,
}

fn d_color() -> String {
    "#1976D2".into()
}

/// Arguments of `nc_calendar_manage_calendar`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ManageCalendarArgs {
    /// `create`, `update`, `delete` or `list`.
    pub action: String,
    /// Calendar slug (URI name: letters, digits, '-', '_', '.'); required except for list.
    #[serde(default)]
    pub calendar_name: String,
    /// Display name (create: defaults to calendar_name).
    #[serde(default)]
    pub display_name: String,
    /// Description (update: "" clears it; left out keeps it).
    #[serde(default)]
    pub description: Option<String>,
    /// Colour `#RRGGBB` (create default #1976D2; update changes it only when given).
    #[serde(default = "d_color")]
    pub color: String,
}

/// Result of `nc_calendar_manage_calendar`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ManageCalendarResult {
    /// The action done.
    pub action: String,
    /// What happened.
    pub message: String,
    /// The calendar after create/update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar: Option<Calendar>,
    /// All calendars (list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendars: Option<Vec<Calendar>>,
}

#[tool_router(router = calendar_manage_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the user's calendars: slug (`calendar_name` for other tools), display name, colour, components (VEVENT/VTODO) and owner.
    #[tool(
        name = "nc_calendar_list_calendars",
        output_schema = crate::tools::catalogue::output::<CalendarList>(),
        annotations(
            title = "List calendars",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_list_calendars(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<CalendarList>, ToolError> {
        let client = self.client(&ctx)?;
        let calendars = client.calendars().await?;
        Ok(Json(CalendarList {
            total: calendars.len(),
            calendars,
        }))
    }

    /// Create, update (display name, description, colour), delete or list calendars. Deleting removes every event and task in it.
    #[tool(
        name = "nc_calendar_manage_calendar",
        input_schema = crate::tools::catalogue::input::<ManageCalendarArgs>(),
        output_schema = crate::tools::catalogue::output::<ManageCalendarResult>(),
        annotations(
            title = "Manage calendars",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_calendar_manage_calendar(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<ManageCalendarArgs>,
    ) -> Result<Json<ManageCalendarResult>, ToolError> {
        let action = a.action.trim().to_ascii_lowercase();
        if !["list", "create", "update", "delete"].contains(&action.as_str()) {
            return Err(ToolError::invalid(
                "action",
                format!("`{}` is not one of create, update, delete, list", a.action),
            ));
        }
        let client = self.client(&ctx)?;
        let name = a.calendar_name.trim();
        if action != "list" && name.is_empty() {
            return Err(ToolError::invalid(
                "calendar_name",
                format!("required for {action}"),
            ));
        }
        // Create: an empty description is none. Update: "" clears it, absent leaves it.
        let desc = a.description.as_deref();
        let desc_create = desc.filter(|d| !d.trim().is_empty());
        match action.as_str() {
            "list" => {
                let calendars = client.calendars().await?;
                Ok(Json(ManageCalendarResult {
                    action,
                    message: format!("{} calendars", calendars.len()),
                    calendar: None,
                    calendars: Some(calendars),
                }))
            }
            "create" => {
                let c = color(&a.color)?;
                crate::nextcloud::caldav::check_slug(name)
                    .map_err(|e| ToolError::invalid("calendar_name", e))?;
                let display = if a.display_name.trim().is_empty() {
                    name
                } else {
                    a.display_name.trim()
                };
                let cal = client
                    .calendar_create(name, display, desc_create, Some(&c))
                    .await?;
                Ok(Json(ManageCalendarResult {
                    action,
                    message: format!("calendar `{}` created", cal.name),
                    calendar: Some(cal),
                    calendars: None,
                }))
            }
            "update" => {
                let cal = client.calendar(name).await?;
                let display = Some(a.display_name.trim()).filter(|d| !d.is_empty());
                let c = if a.color.trim().is_empty() || a.color == d_color() {
                    None
                } else {
                    Some(color(&a.color)?)
                };
                if display.is_none() && desc.is_none() && c.is_none() {
                    return Err(ToolError::invalid(
                        "display_name",
                        "give display_name, description or color to update",
                    ));
                }
                let cal = client
                    .calendar_update(&cal, display, desc, c.as_deref())
                    .await?;
                Ok(Json(ManageCalendarResult {
                    action,
                    message: format!("calendar `{}` updated", cal.name),
                    calendar: Some(cal),
                    calendars: None,
                }))
            }
            "delete" => {
                let cal = client.calendar(name).await?;
                client.collection_delete(&cal.href).await?;
                Ok(Json(ManageCalendarResult {
                    action,
                    message: format!(
                        "calendar `{}` deleted with all its events and tasks",
                        cal.name
                    ),
                    calendar: None,
                    calendars: None,
                }))
            }
            other => Err(ToolError::invalid(
                "action",
                format!("`{other}` is not one of create, update, delete, list"),
            )),
        }
    }
}
