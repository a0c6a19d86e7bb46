//! Tables toolset (6 tools): list tables, schema, read rows, insert/update/delete rows.
//! Row data is checked against the columns before any write, and rows come back keyed by
//! column title.

pub mod validate;

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::support::require_app;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::tables::{Column, Row, TableInfo, View};
use validate::{resolve_cells, values_by_title};

fn default_limit() -> u32 {
    100
}

/// Arguments of nc_tables_get_schema.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TableArgs {
    /// Table id (from nc_tables_list_tables).
    pub table_id: i64,
}

/// Arguments of nc_tables_read_table.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadTableArgs {
    /// Table id.
    pub table_id: i64,
    /// Most rows returned (1-1000, default 100).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Rows skipped (default 0).
    #[serde(default)]
    pub offset: Option<u32>,
}

/// Arguments of nc_tables_insert_row.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct InsertRowArgs {
    /// Table id.
    pub table_id: i64,
    /// Values by column: keys are column ids (e.g. "12") or column titles, values as the column type wants (text, number, selection option id or label, true/false for checks, YYYY-MM-DD[ HH:MM] dates, user ids).
    pub data: Map<String, Value>,
}

/// Arguments of nc_tables_update_row.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateRowArgs {
    /// Row id (from nc_tables_read_table).
    pub row_id: i64,
    /// Values to change by column id or title; other cells keep their value.
    pub data: Map<String, Value>,
}

/// Arguments of nc_tables_delete_row.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RowArgs {
    /// Row id.
    pub row_id: i64,
}

/// Result of nc_tables_list_tables.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TableList {
    /// Tables the user can see.
    pub tables: Vec<TableInfo>,
    /// Number of tables.
    pub total: usize,
}

/// Result of nc_tables_get_schema.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Schema {
    /// Table id.
    pub table_id: i64,
    /// Title.
    pub title: String,
    /// Emoji.
    pub emoji: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Columns: the ids and titles row data uses, with types and constraints.
    pub columns: Vec<Column>,
    /// Views (saved filters) of the table.
    pub views: Vec<View>,
}

/// A row with its values keyed by column title.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RowView {
    /// Row id.
    pub id: i64,
    /// Table id.
    pub table_id: i64,
    /// Values by column title (selection values shown as labels).
    pub values: Map<String, Value>,
    /// Creator.
    pub created_by: String,
    /// Creation time.
    pub created_at: String,
    /// Last editor.
    pub last_edit_by: String,
    /// Last change.
    pub last_edit_at: String,
}

/// Result of nc_tables_read_table.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RowPage {
    /// Table id.
    pub table_id: i64,
    /// Column id → title, to map values back to ids for updates.
    pub columns: Map<String, Value>,
    /// Rows of this page.
    pub rows: Vec<RowView>,
    /// Rows returned.
    pub count: usize,
    /// Offset used.
    pub offset: u32,
    /// Limit used.
    pub limit: u32,
    /// True when more rows follow (call again with offset + count).
    pub has_more: bool,
    /// What was left out, if anything.
    pub notes: Vec<String>,
}

fn row_view(columns: &[Column], row: Row) -> RowView {
    RowView {
        id: row.id,
        table_id: row.table_id,
        values: values_by_title(columns, &row.data),
        created_by: row.created_by,
        created_at: row.created_at,
        last_edit_by: row.last_edit_by,
        last_edit_at: row.last_edit_at,
    }
}

impl NextcloudMcp {
    async fn tables_client(&self, ctx: &RequestContext<RoleServer>) -> ToolResult<NextcloudClient> {
        let client = self.client(ctx)?;
        require_app(&client, "tables", "Tables").await?;
        Ok(client)
    }
}

fn data_error(err: String) -> ToolError {
    ToolError::invalid(
        "data",
        format!("{err}. Nothing was sent; nc_tables_get_schema lists the columns"),
    )
}

#[tool_router(router = tables_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the Nextcloud Tables the user can see: id, title, emoji, description, row and column counts.
    #[tool(
        name = "nc_tables_list_tables",
        output_schema = crate::tools::catalogue::output::<TableList>(),
        annotations(
            title = "List tables",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_tables_list_tables(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<TableList>, ToolError> {
        let client = self.tables_client(&ctx).await?;
        let tables = client.tables_list().await?;
        Ok(Json(TableList {
            total: tables.len(),
            tables,
        }))
    }

    /// Read a table's schema: its columns (id, title, type, mandatory, options, limits) and views. Use it before inserting or updating rows.
    #[tool(
        name = "nc_tables_get_schema",
        input_schema = crate::tools::catalogue::input::<TableArgs>(),
        output_schema = crate::tools::catalogue::output::<Schema>(),
        annotations(
            title = "Get table schema",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_tables_get_schema(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<TableArgs>,
    ) -> Result<Json<Schema>, ToolError> {
        let client = self.tables_client(&ctx).await?;
        let (scheme, columns) = client.tables_scheme(args.table_id).await?;
        Ok(Json(Schema {
            table_id: args.table_id,
            title: scheme.title,
            emoji: scheme.emoji,
            description: scheme.description,
            columns,
            views: scheme.views,
        }))
    }

    /// Read rows of a table, a page at a time (limit/offset), each row's values keyed by column title.
    #[tool(
        name = "nc_tables_read_table",
        input_schema = crate::tools::catalogue::input::<ReadTableArgs>(),
        output_schema = crate::tools::catalogue::output::<RowPage>(),
        annotations(
            title = "Read table rows",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_tables_read_table(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReadTableArgs>,
    ) -> Result<Json<RowPage>, ToolError> {
        let limit = args.limit.unwrap_or_else(default_limit);
        if !(1..=1000).contains(&limit) {
            return Err(ToolError::invalid("limit", "must be between 1 and 1000"));
        }
        let offset = args.offset.unwrap_or(0);
        let client = self.tables_client(&ctx).await?;
        let columns = client.tables_columns(args.table_id).await?;
        // One row more than asked tells whether more follow.
        let mut rows = client.tables_rows(args.table_id, limit + 1, offset).await?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let mut notes = Vec::new();
        if has_more {
            notes.push(format!(
                "more rows follow; call again with offset={}",
                offset as usize + rows.len()
            ));
        }
        let rows: Vec<RowView> = rows.into_iter().map(|r| row_view(&columns, r)).collect();
        Ok(Json(RowPage {
            table_id: args.table_id,
            columns: columns
                .iter()
                .map(|c| (c.id.to_string(), Value::String(c.title.clone())))
                .collect(),
            count: rows.len(),
            rows,
            offset,
            limit,
            has_more,
            notes,
        }))
    }

    /// Add a row. data maps column ids or titles to values; it is checked against the columns first (unknown column, wrong type, missing mandatory value), so nothing is written when it does not fit.
    #[tool(
        name = "nc_tables_insert_row",
        input_schema = crate::tools::catalogue::input::<InsertRowArgs>(),
        output_schema = crate::tools::catalogue::output::<RowView>(),
        annotations(
            title = "Insert table row",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_tables_insert_row(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<InsertRowArgs>,
    ) -> Result<Json<RowView>, ToolError> {
        let client = self.tables_client(&ctx).await?;
        let columns = client.tables_columns(args.table_id).await?;
        let cells = resolve_cells(&columns, &args.data, true).map_err(data_error)?;
        let row = client.tables_insert_row(args.table_id, &cells).await?;
        Ok(Json(row_view(&columns, row)))
    }

    /// Change cells of a row; cells not given keep their value. The data is checked against the table's columns first.
    #[tool(
        name = "nc_tables_update_row",
        input_schema = crate::tools::catalogue::input::<UpdateRowArgs>(),
        output_schema = crate::tools::catalogue::output::<RowView>(),
        annotations(
            title = "Update table row",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_tables_update_row(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateRowArgs>,
    ) -> Result<Json<RowView>, ToolError> {
        let client = self.tables_client(&ctx).await?;
        let current = client.tables_row(args.row_id).await?;
        let columns = client.tables_columns(current.table_id).await?;
        let cells = resolve_cells(&columns, &args.data, false).map_err(data_error)?;
        let row = client.tables_update_row(args.row_id, &cells).await?;
        Ok(Json(row_view(&columns, row)))
    }

    /// Delete a row. Returns the deleted row's values.
    #[tool(
        name = "nc_tables_delete_row",
        input_schema = crate::tools::catalogue::input::<RowArgs>(),
        output_schema = crate::tools::catalogue::output::<RowView>(),
        annotations(
            title = "Delete table row",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_tables_delete_row(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<RowArgs>,
    ) -> Result<Json<RowView>, ToolError> {
        let client = self.tables_client(&ctx).await?;
        let row = client.tables_delete_row(args.row_id).await?;
        let columns = client
            .tables_columns(row.table_id)
            .await
            .unwrap_or_default();
        Ok(Json(row_view(&columns, row)))
    }
}
