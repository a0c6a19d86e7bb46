//! Row data checked against a table's columns before anything is sent, and rows turned
//! into `{column title: value}` maps a model can read.

use serde_json::{Map, Value, json};

use crate::nextcloud::tables::Column;

/// The column type as one word: `text-line`, `number-stars`, `selection-multi`, `datetime-date`...
pub fn kind(column: &Column) -> String {
    if column.subtype.is_empty() {
        column.column_type.clone()
    } else {
        format!("{}-{}", column.column_type, column.subtype)
    }
}

fn describe(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| format!("{} \"{}\" ({})", c.id, c.title, kind(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The column a data key names: a column id, or a title (case-insensitive, must be unique).
fn find<'a>(columns: &'a [Column], key: &str) -> Result<&'a Column, String> {
    let key = key.trim();
    if let Ok(id) = key.parse::<i64>()
        && let Some(c) = columns.iter().find(|c| c.id == id)
    {
        return Ok(c);
    }
    let by_title: Vec<&Column> = columns
        .iter()
        .filter(|c| c.title.trim().eq_ignore_ascii_case(key))
        .collect();
    match by_title.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "unknown column `{key}`; the table's columns are: {}",
            describe(columns)
        )),
        _ => Err(format!(
            "several columns are titled `{key}`; use the column id instead ({})",
            describe(columns)
        )),
    }
}

fn option_id(column: &Column, value: &Value) -> Result<i64, String> {
    let found = match value {
        Value::Number(n) => n
            .as_i64()
            .filter(|id| column.selection_options.iter().any(|o| o.id == *id)),
        Value::String(s) => column
            .selection_options
            .iter()
            .find(|o| o.label.trim().eq_ignore_ascii_case(s.trim()))
            .map(|o| o.id)
            .or_else(|| {
                s.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|id| column.selection_options.iter().any(|o| o.id == *id))
            }),
        _ => None,
    };
    found.ok_or_else(|| {
        let options: Vec<String> = column
            .selection_options
            .iter()
            .map(|o| format!("{} \"{}\"", o.id, o.label))
            .collect();
        format!(
            "column \"{}\" takes one of its options (id or label): {}; got {value}",
            column.title,
            options.join(", ")
        )
    })
}

fn parse_datetime(s: &str, subtype: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
    let s = s.trim();
    match subtype {
        "date" => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|d| d.format("%Y-%m-%d").to_string()),
        "time" => NaiveTime::parse_from_str(s, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
            .ok()
            .map(|t| t.format("%H:%M").to_string()),
        _ => [
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|d| d.naive_utc()))
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
    }
}

/// Checks one value against its column and converts it to what Tables stores.
pub fn check_value(column: &Column, value: &Value) -> Result<Value, String> {
    let name = &column.title;
    let wrong = |expected: &str| {
        format!(
            "column \"{name}\" ({}) expects {expected}; got {value}",
            kind(column)
        )
    };
    if value.is_null() {
        return if column.mandatory {
            Err(format!(
                "column \"{name}\" is mandatory and cannot be empty"
            ))
        } else {
            Ok(Value::Null)
        };
    }
    match column.column_type.as_str() {
        "text" => {
            let s = value.as_str().ok_or_else(|| wrong("text"))?;
            if let Some(max) = column.text_max_length.filter(|m| *m > 0.0)
                && s.chars().count() as f64 > max
            {
                return Err(format!(
                    "column \"{name}\" takes at most {max} characters; got {}",
                    s.chars().count()
                ));
            }
            Ok(Value::String(s.to_string()))
        }
        "number" => {
            let n = value.as_f64().ok_or_else(|| wrong("a number"))?;
            let (min, max) = match column.subtype.as_str() {
                "stars" => (Some(0.0), Some(5.0)),
                "progress" => (Some(0.0), Some(100.0)),
                _ => (column.number_min, column.number_max),
            };
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(format!(
                    "column \"{name}\" takes numbers from {} to {}; got {n}",
                    min.map_or("-∞".into(), |m| m.to_string()),
                    max.map_or("∞".into(), |m| m.to_string())
                ));
            }
            Ok(value.clone())
        }
        "selection" => match column.subtype.as_str() {
            "check" => match value {
                Value::Bool(b) => Ok(json!(b.to_string())),
                Value::String(s) if s == "true" || s == "false" => Ok(value.clone()),
                _ => Err(wrong("true or false")),
            },
            "multi" => {
                let items = match value {
                    Value::Array(items) => items.clone(),
                    other => vec![other.clone()],
                };
                let ids = items
                    .iter()
                    .map(|v| option_id(column, v))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(json!(ids))
            }
            _ => Ok(json!(option_id(column, value)?)),
        },
        "datetime" => {
            let s = value.as_str().ok_or_else(|| wrong("a date/time string"))?;
            let format = match column.subtype.as_str() {
                "date" => "YYYY-MM-DD",
                "time" => "HH:MM",
                _ => "YYYY-MM-DD HH:MM",
            };
            parse_datetime(s, &column.subtype)
                .map(Value::String)
                .ok_or_else(|| wrong(&format!("a date/time as {format}")))
        }
        "usergroup" => {
            let items = match value {
                Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::String(uid) => out.push(json!({"id": uid, "type": 0})),
                    Value::Object(map) if map.get("id").is_some_and(Value::is_string) => {
                        out.push(Value::Object(map))
                    }
                    _ => return Err(wrong("user ids or {id, type} objects")),
                }
            }
            if out.len() > 1 && !column.usergroup_multiple_items {
                return Err(format!("column \"{name}\" takes a single user or group"));
            }
            Ok(Value::Array(out))
        }
        _ => Ok(value.clone()),
    }
}

/// Checks row data (`{column id or title: value}`) against the columns; on insert, every
/// mandatory column must be given. Returns `(column id, stored value)` cells.
pub fn resolve_cells(
    columns: &[Column],
    data: &Map<String, Value>,
    insert: bool,
) -> Result<Vec<(i64, Value)>, String> {
    if data.is_empty() {
        return Err("give at least one column value".into());
    }
    let mut cells: Vec<(i64, Value)> = Vec::new();
    for (key, value) in data {
        let column = find(columns, key)?;
        if cells.iter().any(|(id, _)| *id == column.id) {
            return Err(format!("column \"{}\" is given twice", column.title));
        }
        cells.push((column.id, check_value(column, value)?));
    }
    if insert {
        let missing: Vec<String> = columns
            .iter()
            .filter(|c| c.mandatory && !cells.iter().any(|(id, _)| *id == c.id))
            .map(|c| format!("{} \"{}\"", c.id, c.title))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "mandatory column(s) missing: {}",
                missing.join(", ")
            ));
        }
    }
    Ok(cells)
}

/// Row cells as `{title: value}`; selection ids shown as their labels. Duplicate titles get
/// ` (#id)`; cells of unknown columns are keyed `column #id`.
pub fn values_by_title(columns: &[Column], cells: &[(i64, Value)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (id, value) in cells {
        let Some(column) = columns.iter().find(|c| c.id == *id) else {
            out.insert(format!("column #{id}"), value.clone());
            continue;
        };
        let duplicate = columns.iter().filter(|c| c.title == column.title).count() > 1;
        let key = if duplicate {
            format!("{} (#{id})", column.title)
        } else {
            column.title.clone()
        };
        let label = |v: &Value| {
            v.as_i64()
                .and_then(|i| column.selection_options.iter().find(|o| o.id == i))
                .map(|o| Value::String(o.label.clone()))
                .unwrap_or_else(|| v.clone())
        };
        let shown = match (column.column_type.as_str(), column.subtype.as_str(), value) {
            ("selection", "multi", Value::Array(items)) => {
                Value::Array(items.iter().map(label).collect())
            }
            ("selection", "", v) => label(v),
            _ => value.clone(),
        };
        out.insert(key, shown);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        serde_json::from_value(json!([
            {"id": 12, "title": "Task", "type": "text", "subtype": "line", "mandatory": true, "textMaxLength": 20},
            {"id": 13, "title": "Count", "type": "number", "subtype": "", "numberMin": 0},
            {"id": 14, "title": "State", "type": "selection", "subtype": "", "selectionOptions": [{"id": 1, "label": "Open"}, {"id": 2, "label": "Done"}]},
            {"id": 15, "title": "Due", "type": "datetime", "subtype": "date"},
            {"id": 16, "title": "Ok", "type": "selection", "subtype": "check"}
        ]))
        .unwrap()
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn accepts_ids_titles_and_labels() {
        let cells = resolve_cells(
            &columns(),
            &map(json!({"12": "Buy milk", "count": 2, "State": "done", "Due": "2025-01-31", "Ok": true})),
            true,
        )
        .unwrap();
        assert!(cells.contains(&(12, json!("Buy milk"))));
        assert!(cells.contains(&(13, json!(2))));
        assert!(cells.contains(&(14, json!(2))));
        assert!(cells.contains(&(15, json!("2025-01-31"))));
        assert!(cells.contains(&(16, json!("true"))));
    }

    #[test]
    fn refuses_unknown_columns_and_wrong_types() {
        let c = columns();
        let err = resolve_cells(&c, &map(json!({"Task": "x", "Nope": 1})), true).unwrap_err();
        assert!(
            err.contains("unknown column `Nope`") && err.contains("12 \"Task\" (text-line)"),
            "{err}"
        );
        let err = resolve_cells(&c, &map(json!({"Task": "x", "Count": "two"})), true).unwrap_err();
        assert!(err.contains("expects a number"), "{err}");
        let err = resolve_cells(&c, &map(json!({"Task": "x", "Count": -1})), true).unwrap_err();
        assert!(err.contains("from 0"), "{err}");
        let err =
            resolve_cells(&c, &map(json!({"Task": "x", "State": "Maybe"})), true).unwrap_err();
        assert!(err.contains("1 \"Open\""), "{err}");
        let err = resolve_cells(&c, &map(json!({"Count": 1})), true).unwrap_err();
        assert!(err.contains("mandatory"), "{err}");
        assert!(resolve_cells(&c, &map(json!({"Count": 1})), false).is_ok());
        let err = resolve_cells(&c, &map(json!({"Task": "x".repeat(21)})), false).unwrap_err();
        assert!(err.contains("at most 20"), "{err}");
    }

    #[test]
    fn values_are_keyed_by_title_with_labels() {
        let v = values_by_title(
            &columns(),
            &[(12, json!("a")), (14, json!(1)), (99, json!("z"))],
        );
        assert_eq!(v["Task"], "a");
        assert_eq!(v["State"], "Open");
        assert_eq!(v["column #99"], "z");
    }
}
