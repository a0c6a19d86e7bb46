//! Lenient readers for JSON fields of PHP apps: numbers that arrive as strings, booleans as
//! 0/1, and empty maps that PHP serialises as `[]`.

use serde_json::{Map, Value};

/// A PHP associative array: an object, or `[]`/`null` when empty (Talk `messageParameters`,
/// `lastMessage`, reaction maps; Mail `tags`).
pub fn php_map(value: Option<&Value>) -> Map<String, Value> {
    match value {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    }
}

/// A text field (numbers given as text); `None` when missing or empty.
pub fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer field (numeric strings and booleans accepted).
pub fn int(value: &Value, key: &str) -> Option<i64> {
    match value.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// A boolean field (`true`/`false` or 0/1).
pub fn flag(value: &Value, key: &str) -> bool {
    match value.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0) != 0,
        _ => false,
    }
}

/// Unix seconds as ISO 8601 (UTC).
pub fn iso_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}
