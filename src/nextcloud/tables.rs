//! The Tables app: OCS API v2 (`/ocs/v2.php/apps/tables/api/2/...`) for listing tables and
//! creating rows, REST API v1 (`/index.php/apps/tables/api/1/...`) for schemes, columns and
//! rows. Row data travels as `{columnId: value}` and comes back as `[{columnId, value}]`.

use reqwest::Method;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value, json};

use super::client::NextcloudClient;
use super::deck::types::{de_int, int_of};
use super::error::NcResult;

const API1: &str = "/apps/tables/api/1";
const API2: &str = "/ocs/v2.php/apps/tables/api/2";

/// A table as listed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TableInfo {
    /// Table id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Emoji shown with the title.
    #[serde(default)]
    pub emoji: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Owner's user id.
    #[serde(default)]
    pub ownership: String,
    /// Number of rows.
    #[serde(default, deserialize_with = "de_int")]
    pub rows_count: i64,
    /// Number of columns.
    #[serde(default, deserialize_with = "de_int")]
    pub columns_count: i64,
    /// Whether the table is archived.
    #[serde(default)]
    pub archived: bool,
    /// Whether the table is shared with the user (not owned).
    #[serde(default)]
    pub is_shared: bool,
    /// Last change (`YYYY-MM-DD HH:MM:SS`).
    #[serde(default)]
    pub last_edit_at: String,
}

/// One option of a selection column.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SelectionOption {
    /// Option id (what rows store).
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Label shown to users.
    #[serde(default)]
    pub label: String,
}

/// A column of a table.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    /// Column id (the key of row data).
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Main type: `text`, `number`, `selection`, `datetime`, `usergroup`.
    #[serde(default, rename = "type")]
    pub column_type: String,
    /// Subtype: text `line`/`long`/`rich`/`link`, number `stars`/`progress`, selection
    /// `multi`/`check`, datetime `date`/`time`; empty for the plain kind.
    #[serde(default, deserialize_with = "de_text")]
    pub subtype: String,
    /// Whether a value is required.
    #[serde(default)]
    pub mandatory: bool,
    /// Description.
    #[serde(default, deserialize_with = "de_text")]
    pub description: String,
    /// Longest text accepted.
    #[serde(default, deserialize_with = "de_opt_num")]
    pub text_max_length: Option<f64>,
    /// Smallest number accepted.
    #[serde(default, deserialize_with = "de_opt_num")]
    pub number_min: Option<f64>,
    /// Largest number accepted.
    #[serde(default, deserialize_with = "de_opt_num")]
    pub number_max: Option<f64>,
    /// Options of a selection column.
    #[serde(default, deserialize_with = "de_options")]
    pub selection_options: Vec<SelectionOption>,
    /// Whether a usergroup column takes several entries.
    #[serde(default)]
    pub usergroup_multiple_items: bool,
}

fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn de_opt_num<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// `selectionOptions`: a list, or the same list JSON-encoded in a string (openapi types it as a string).
fn de_options<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SelectionOption>, D::Error> {
    let value = match Value::deserialize(d)? {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::Null),
        other => other,
    };
    Ok(serde_json::from_value(value).unwrap_or_default())
}

/// A view of a table (a saved filter/sort over some columns).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct View {
    /// View id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Emoji.
    #[serde(default)]
    pub emoji: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Column ids shown by the view.
    #[serde(default)]
    pub columns: Vec<i64>,
    /// Filter groups as Tables stores them.
    #[serde(default)]
    pub filter: Value,
    /// Sort rules as Tables stores them.
    #[serde(default)]
    pub sort: Value,
    /// Rows matching the view.
    #[serde(default, deserialize_with = "de_int")]
    pub rows_count: i64,
}

/// The scheme of a table: its columns and views.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Scheme {
    /// Table title.
    #[serde(default)]
    pub title: String,
    /// Emoji.
    #[serde(default)]
    pub emoji: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Columns (absent in some server versions; then read from the columns endpoint).
    #[serde(default)]
    pub columns: Option<Vec<Column>>,
    /// Views.
    #[serde(default)]
    pub views: Vec<View>,
}

/// A row with its cells as Tables returns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// Row id.
    #[serde(deserialize_with = "de_int")]
    pub id: i64,
    /// Table id.
    #[serde(default, deserialize_with = "de_int")]
    pub table_id: i64,
    /// Creator.
    #[serde(default)]
    pub created_by: String,
    /// Creation time.
    #[serde(default)]
    pub created_at: String,
    /// Last editor.
    #[serde(default)]
    pub last_edit_by: String,
    /// Last change.
    #[serde(default)]
    pub last_edit_at: String,
    /// Cells as `(column id, value)`.
    #[serde(default, deserialize_with = "de_cells")]
    pub data: Vec<(i64, Value)>,
}

/// Row data: a list of `{columnId, value}` (what servers send), or a `{columnId: value}` map
/// (what the openapi document describes).
fn de_cells<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(i64, Value)>, D::Error> {
    Ok(cells_of(Value::deserialize(d)?))
}

/// Cells of row data in either shape.
pub fn cells_of(value: Value) -> Vec<(i64, Value)> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|cell| {
                let id = cell.get("columnId").and_then(int_of)?;
                Some((id, cell.get("value").cloned().unwrap_or(Value::Null)))
            })
            .collect(),
        Value::Object(map) if map.contains_key("columnId") => {
            cells_of(Value::Array(vec![Value::Object(map)]))
        }
        Value::Object(map) => map
            .into_iter()
            .filter_map(|(k, v)| Some((k.trim().parse().ok()?, v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Row data as Tables expects it in requests: `{"<columnId>": value}`.
pub fn row_payload(cells: &[(i64, Value)]) -> Value {
    let map: Map<String, Value> = cells
        .iter()
        .map(|(id, v)| (id.to_string(), v.clone()))
        .collect();
    json!({ "data": map })
}

impl NextcloudClient {
    async fn tables_v1<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> NcResult<T> {
        let call = format!(
            "{method} {}",
            super::client::app_url(path.split('?').next().unwrap_or(path))
        );
        let mut request = self.app_request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.json(&call, request).await
    }

    /// `GET` OCS `api/2/tables`.
    pub async fn tables_list(&self) -> NcResult<Vec<TableInfo>> {
        self.ocs(Method::GET, &format!("{API2}/tables"), None).await
    }

    /// `GET api/1/tables/{id}/scheme`; columns come from `api/1/tables/{id}/columns` when the
    /// scheme lacks them.
    pub async fn tables_scheme(&self, table: i64) -> NcResult<(Scheme, Vec<Column>)> {
        let scheme: Scheme = self
            .tables_v1(Method::GET, &format!("{API1}/tables/{table}/scheme"), None)
            .await?;
        let columns = match &scheme.columns {
            Some(columns) => columns.clone(),
            None => self.tables_columns(table).await?,
        };
        Ok((scheme, columns))
    }

    /// `GET api/1/tables/{id}/columns`.
    pub async fn tables_columns(&self, table: i64) -> NcResult<Vec<Column>> {
        self.tables_v1(Method::GET, &format!("{API1}/tables/{table}/columns"), None)
            .await
    }

    /// `GET api/1/tables/{id}`.
    pub async fn tables_table(&self, table: i64) -> NcResult<TableInfo> {
        self.tables_v1(Method::GET, &format!("{API1}/tables/{table}"), None)
            .await
    }

    /// `GET api/1/tables/{id}/rows?limit=&offset=`.
    pub async fn tables_rows(&self, table: i64, limit: u32, offset: u32) -> NcResult<Vec<Row>> {
        let path = format!("{API1}/tables/{table}/rows?limit={limit}&offset={offset}");
        self.tables_v1(Method::GET, &path, None).await
    }

    /// `GET api/1/rows/{id}`.
    pub async fn tables_row(&self, row: i64) -> NcResult<Row> {
        self.tables_v1(Method::GET, &format!("{API1}/rows/{row}"), None)
            .await
    }

    /// `POST` OCS `api/2/tables/{id}/rows {data}`.
    pub async fn tables_insert_row(&self, table: i64, cells: &[(i64, Value)]) -> NcResult<Row> {
        let path = format!("{API2}/tables/{table}/rows");
        self.ocs(Method::POST, &path, Some(&row_payload(cells)))
            .await
    }

    /// `PUT api/1/rows/{id} {data}` (only the given cells change).
    pub async fn tables_update_row(&self, row: i64, cells: &[(i64, Value)]) -> NcResult<Row> {
        self.tables_v1(
            Method::PUT,
            &format!("{API1}/rows/{row}"),
            Some(row_payload(cells)),
        )
        .await
    }

    /// `DELETE api/1/rows/{id}`: returns the deleted row.
    pub async fn tables_delete_row(&self, row: i64) -> NcResult<Row> {
        self.tables_v1(Method::DELETE, &format!("{API1}/rows/{row}"), None)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_data_as_list_or_map() {
        let a: Row = serde_json::from_str(
            r#"{"id":41,"tableId":3,"data":[{"columnId":12,"value":"Buy milk"},{"columnId":13,"value":2}]}"#,
        )
        .unwrap();
        assert_eq!(a.data, vec![(12, json!("Buy milk")), (13, json!(2))]);
        let b: Row = serde_json::from_str(r#"{"id":"41","data":{"12":"x"}}"#).unwrap();
        assert_eq!(b.data, vec![(12, json!("x"))]);
    }

    #[test]
    fn selection_options_as_string_or_list() {
        let a: Column = serde_json::from_str(
            r#"{"id":1,"type":"selection","selectionOptions":"[{\"id\":0,\"label\":\"A\"}]"}"#,
        )
        .unwrap();
        let b: Column = serde_json::from_str(
            r#"{"id":1,"type":"selection","subtype":null,"selectionOptions":[{"id":1,"label":"B"}]}"#,
        )
        .unwrap();
        assert_eq!(a.selection_options[0].label, "A");
        assert_eq!(b.selection_options[0].id, 1);
        assert_eq!(b.subtype, "");
    }

    #[test]
    fn payload_keys_are_column_ids() {
        assert_eq!(
            row_payload(&[(12, json!("x"))]),
            json!({"data": {"12": "x"}})
        );
    }
}
