//! One transform of the schemas that schemars generates for tool arguments and results,
//! applied once when the registry is built, so every toolset (present and future) serves
//! plain, compact JSON Schema 2020-12 that Ajv compiles in strict mode:
//!
//! - Rust-specific `format`s (`uint64`, `int32`, `double`...) are dropped; unsigned integers
//!   keep their meaning as `minimum: 0`.
//! - Input schemas: `Option<T>` arguments are simply not required (`type: T`, no
//!   `default: null`); serde still accepts an explicit `null` from a client.
//! - Input schemas: enums of documented string constants become `enum` (the argument's own
//!   description names the values).
//! - `$defs` used once are inlined; unused ones are dropped.
//! - Output schemas keep the shape and types of `structuredContent` and nothing else: no
//!   descriptions, titles, defaults, examples, `required` or bounds; nullable fields stay
//!   nullable (`type: [T, "null"]`, which strict Ajv accepts).
//! - Bare `true` sub-schemas become `{}`; `$schema` is left out (2020-12 is MCP's default).

use rmcp::model::SerializedJson;
use serde_json::{Map, Value};

/// Keywords whose value is one sub-schema.
const SCHEMA_KEYWORDS: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value maps names to sub-schemas.
const SCHEMA_MAP_KEYWORDS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keywords whose value is a list of sub-schemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords an output schema does without: prose, and assertions about what our own
/// serialisation always does (every field is always present; sizes are never negative).
const OUTPUT_DROPPED: &[&str] = &[
    "description",
    "title",
    "default",
    "examples",
    "required",
    "minimum",
];

/// How deep an output schema describes records: the result's own fields (depth 0) and the
/// fields of the records it holds (depth 1); records nested deeper are typed `object` only.
/// Keeps `tools/list` small (nested card, attendee or message records repeated in many
/// tools were most of its bytes) while clients still validate the result's shape.
const OUTPUT_RECORD_DEPTH: usize = 2;

/// Which side of a tool a schema describes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    /// Arguments the model writes.
    Input,
    /// The result the server returns as `structuredContent`.
    Output,
}

/// Rewrites one tool's input and output schemas in place; drops the output schema when
/// `output_schemas` is false (config `toolsets.output_schemas`).
pub fn apply(tool: &mut rmcp::model::Tool, output_schemas: bool) {
    let input = portable(&tool.input_schema, Side::Input);
    tool.input_schema = std::sync::Arc::new(input);
    tool.output_schema = match (&tool.output_schema, output_schemas) {
        (Some(schema), true) => Some(std::sync::Arc::new(portable(schema, Side::Output))),
        _ => None,
    };
}

/// Serialises every tool's schemas once, to be served as that text (the vendored rmcp's
/// `Tool::serialize_schemas`, decision 0007): the served router holds every schema for the life
/// of the process, and as JSON text it takes about a fourteenth of the heap its `Value` trees
/// took (~2 MiB for the default toolsets); `tools/list` copies the text instead of walking the
/// trees. Schemas that serialise to the same bytes share one text (a quarter of the schema
/// bytes of the default toolsets are repeats: the same result record or the same arguments in
/// several tools). Compared as serialised JSON, not with `Map`'s `==`, which ignores key order,
/// so `tools/list` does not change. Each schema is serialised once, and the placeholder trees
/// left in the tools are one shared empty object: what the router keeps is allocated in one go,
/// not between freed trees (docs/decisions/0006-memory.md).
pub fn serve_as_text<'a>(tools: impl Iterator<Item = &'a mut rmcp::model::Tool>) {
    let mut seen: std::collections::HashSet<ByText> = std::collections::HashSet::new();
    let empty = std::sync::Arc::new(rmcp::model::JsonObject::new());
    for tool in tools {
        tool.serialize_schemas(|schema| {
            let text = ByText(SerializedJson::shared(schema).ok()??);
            if let Some(known) = seen.get(&text) {
                return Some(known.0.clone());
            }
            seen.insert(ByText(text.0.clone()));
            Some(text.0)
        });
        if tool.input_schema_json.is_some() {
            tool.input_schema = empty.clone();
        }
    }
}

/// A schema text compared and hashed by its bytes.
struct ByText(SerializedJson);

impl PartialEq for ByText {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for ByText {}

impl std::hash::Hash for ByText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.get().hash(state);
    }
}

/// The portable, compact form of one root schema.
pub fn portable(schema: &Map<String, Value>, side: Side) -> Map<String, Value> {
    let mut root = Value::Object(schema.clone());
    inline_single_use_defs(&mut root);
    rewrite(&mut root, side);
    if side == Side::Output {
        shallow_records(&mut root, 0);
        drop_unused_defs(&mut root);
    }
    if let Value::Object(map) = &mut root {
        map.remove("$schema");
        return std::mem::take(map);
    }
    Map::new()
}

/// Rewrites one schema node and, recursively, its sub-schemas.
fn rewrite(node: &mut Value, side: Side) {
    if node == &Value::Bool(true) {
        *node = Value::Object(Map::new());
        return;
    }
    let Value::Object(map) = node else {
        return;
    };
    for key in SCHEMA_KEYWORDS {
        if let Some(sub) = map.get_mut(*key) {
            rewrite(sub, side);
        }
    }
    for key in SCHEMA_MAP_KEYWORDS {
        if let Some(Value::Object(subs)) = map.get_mut(*key) {
            subs.values_mut().for_each(|sub| rewrite(sub, side));
        }
    }
    for key in SCHEMA_LIST_KEYWORDS {
        if let Some(Value::Array(subs)) = map.get_mut(*key) {
            subs.iter_mut().for_each(|sub| rewrite(sub, side));
        }
    }
    portable_format(map);
    match side {
        Side::Input => {
            drop_null_from_input(map);
            string_consts_to_enum(map);
        }
        Side::Output => {
            for key in OUTPUT_DROPPED {
                map.remove(*key);
            }
            nullable_as_type_list(map);
        }
    }
    if let Some(Value::Object(defs)) = map.get("$defs")
        && defs.is_empty()
    {
        map.remove("$defs");
    }
}

/// Drops non-standard `format`s; unsigned integers become `minimum: 0`.
fn portable_format(map: &mut Map<String, Value>) {
    let Some(format) = map.get("format").and_then(Value::as_str) else {
        return;
    };
    let unsigned = format.starts_with("uint");
    let rust_specific = unsigned
        || matches!(
            format,
            "int" | "int8" | "int16" | "int32" | "int64" | "int128" | "float" | "double"
        );
    if !rust_specific {
        return;
    }
    map.remove("format");
    if unsigned && !map.contains_key("minimum") {
        map.insert("minimum".into(), Value::from(0));
    }
}

/// Input side: an optional argument is one that is not required, not one that is `null`.
fn drop_null_from_input(map: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            map.insert("type".into(), only);
        }
    }
    if map.get("default") == Some(&Value::Null) {
        map.remove("default");
    }
    if let Some(Value::Array(variants)) = map.get_mut("enum") {
        variants.retain(|v| !v.is_null());
    }
    // `anyOf: [X, {type: null}]` (an optional struct or enum): keep X.
    if let Some(Value::Array(variants)) = map.get("anyOf") {
        let rest: Vec<&Value> = variants.iter().filter(|v| !is_null_schema(v)).collect();
        if rest.len() == 1 && variants.len() == 2 {
            let Value::Object(only) = rest[0].clone() else {
                return;
            };
            map.remove("anyOf");
            for (key, value) in only {
                map.entry(key).or_insert(value);
            }
        }
    }
}

/// `oneOf` of documented string constants (schemars' form for enums with doc comments)
/// becomes `type: string, enum: [...]`.
fn string_consts_to_enum(map: &mut Map<String, Value>) {
    let Some(Value::Array(variants)) = map.get("oneOf") else {
        return;
    };
    let consts: Option<Vec<Value>> = variants
        .iter()
        .map(|v| match v.get("const") {
            Some(c @ Value::String(_)) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let Some(consts) = consts else {
        return;
    };
    map.remove("oneOf");
    map.insert("type".into(), Value::from("string"));
    map.insert("enum".into(), Value::Array(consts));
}

/// Output side: `anyOf: [{type: T, ...}, {type: "null"}]` (schemars' form for an optional
/// struct or list) becomes the shorter `type: [T, "null"]`, which strict Ajv accepts.
fn nullable_as_type_list(map: &mut Map<String, Value>) {
    let Some(Value::Array(variants)) = map.get("anyOf") else {
        return;
    };
    let [Value::Object(first), second] = variants.as_slice() else {
        return;
    };
    let Some(Value::String(kind)) = first.get("type") else {
        return;
    };
    if !is_null_schema(second) || first.keys().any(|k| map.contains_key(k)) {
        return;
    }
    let mut inner = first.clone();
    inner.insert("type".into(), serde_json::json!([kind, "null"]));
    map.remove("anyOf");
    map.extend(inner);
}

fn is_null_schema(value: &Value) -> bool {
    value.get("type") == Some(&Value::from("null"))
}

/// Replaces each `$ref` to a definition used exactly once by the definition itself (merged
/// with the referring node's own keywords); drops definitions nobody uses.
fn inline_single_use_defs(root: &mut Value) {
    let Some(Value::Object(defs)) = root.get("$defs").cloned() else {
        return;
    };
    let mut uses = std::collections::HashMap::new();
    count_refs(root, &mut uses);
    let mut inlinable = Map::new();
    for (name, def) in &defs {
        let target = format!("#/$defs/{name}");
        let mut own = std::collections::HashMap::new();
        count_refs(def, &mut own);
        if uses.get(&target) == Some(&1) && !own.contains_key(&target) {
            inlinable.insert(target, def.clone());
        }
    }
    replace_refs(root, &inlinable);
    drop_unused_defs(root);
}

/// Drops definitions no longer referenced, until none is left that only a dropped
/// definition referred to.
fn drop_unused_defs(root: &mut Value) {
    loop {
        let mut uses = std::collections::HashMap::new();
        count_refs(root, &mut uses);
        let Some(Value::Object(defs)) = root.get_mut("$defs") else {
            return;
        };
        let before = defs.len();
        defs.retain(|name, _| uses.contains_key(&format!("#/$defs/{name}")));
        if defs.len() == before {
            return;
        }
    }
}

/// Types object schemas nested `OUTPUT_RECORD_DEPTH` records deep as plain `object`.
fn shallow_records(node: &mut Value, depth: usize) {
    let Value::Object(map) = node else {
        return;
    };
    if map.contains_key("properties") {
        if depth >= OUTPUT_RECORD_DEPTH {
            for key in ["properties", "additionalProperties", "patternProperties"] {
                map.remove(key);
            }
            map.entry("type").or_insert_with(|| Value::from("object"));
            return;
        }
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            props
                .values_mut()
                .for_each(|p| shallow_records(p, depth + 1));
        }
    }
    if let Some(Value::Object(defs)) = map.get_mut("$defs") {
        // A shared definition may be used at any depth: it keeps its own fields only.
        defs.values_mut()
            .for_each(|d| shallow_records(d, OUTPUT_RECORD_DEPTH - 1));
    }
    if let Some(sub) = map.get_mut("additionalProperties") {
        shallow_records(sub, depth + 1);
    }
    if let Some(sub) = map.get_mut("items") {
        shallow_records(sub, depth);
    }
    for key in SCHEMA_LIST_KEYWORDS {
        if let Some(Value::Array(subs)) = map.get_mut(*key) {
            subs.iter_mut().for_each(|sub| shallow_records(sub, depth));
        }
    }
}

fn count_refs(node: &Value, uses: &mut std::collections::HashMap<String, usize>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                *uses.entry(target.clone()).or_default() += 1;
            }
            map.values().for_each(|v| count_refs(v, uses));
        }
        Value::Array(items) => items.iter().for_each(|v| count_refs(v, uses)),
        _ => {}
    }
}

fn replace_refs(node: &mut Value, inlinable: &Map<String, Value>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref")
                && let Some(Value::Object(def)) = inlinable.get(target)
            {
                map.remove("$ref");
                for (key, value) in def {
                    // The referring node's own keywords (its description, default) win.
                    map.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
            for (key, value) in map.iter_mut() {
                if key != "$defs" {
                    replace_refs(value, inlinable);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_refs(v, inlinable)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn output_records_nested_deeper_than_one_level_are_typed_object_only() {
        let schema = json!({
            "type": "object",
            "properties": {
                "board_id": {"type": "integer"},
                "stacks": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "cards": {"type": "array", "items": {"$ref": "#/$defs/Card"}}
                    }
                }}
            },
            "$defs": {"Card": {"type": "object", "properties": {"id": {"type": "integer"}}}}
        });
        let out = run(schema, Side::Output);
        let stack = &out["properties"]["stacks"]["items"];
        assert_eq!(stack["properties"]["title"], json!({"type": "string"}));
        assert_eq!(
            stack["properties"]["cards"]["items"],
            json!({"type": "object"})
        );
        assert!(out.get("$defs").is_none(), "{out}");
    }

    fn tool_with(input: Value, output: Option<Value>) -> rmcp::model::Tool {
        let object = |v: Value| match v {
            Value::Object(map) => std::sync::Arc::new(map),
            _ => panic!("object schema"),
        };
        let mut tool = rmcp::model::Tool::new("t", "d", object(input));
        tool.output_schema = output.map(object);
        tool
    }

    /// The output schema a tool serves, whether held as text or as a tree.
    fn served_output(tool: &rmcp::model::Tool) -> Option<Value> {
        match (&tool.output_schema_json, &tool.output_schema) {
            (Some(text), _) => text.to_value().ok(),
            (None, Some(schema)) => Some(Value::Object(schema.as_ref().clone())),
            (None, None) => None,
        }
    }

    /// Where a served schema's text lives (equal for texts that are shared).
    fn text_at(text: &Option<SerializedJson>) -> *const u8 {
        text.as_ref().expect("served as text").get().as_ptr()
    }

    #[test]
    fn identical_schemas_share_one_text_and_serialise_as_before() {
        let list = json!({"type": "object", "properties": {"path": {"type": "string"}}});
        let record = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
        let mut tools = [
            tool_with(list.clone(), Some(record.clone())),
            tool_with(list.clone(), Some(record.clone())),
            tool_with(record.clone(), None),
        ];
        let before: Vec<String> = tools
            .iter()
            .map(|t| serde_json::to_string(t).unwrap())
            .collect();
        serve_as_text(tools.iter_mut());
        let after: Vec<String> = tools
            .iter()
            .map(|t| serde_json::to_string(t).unwrap())
            .collect();
        assert_eq!(before, after);
        for tool in &tools {
            assert!(tool.input_schema.is_empty(), "no tree kept");
            assert!(tool.output_schema.is_none(), "no tree kept");
        }
        assert_eq!(tools[0].schema_as_json_value(), list);
        assert_eq!(served_output(&tools[1]), Some(record));
        assert_eq!(served_output(&tools[2]), None);
        let input = |i: usize| text_at(&tools[i].input_schema_json);
        let output = |i: usize| text_at(&tools[i].output_schema_json);
        assert_eq!(input(0), input(1));
        assert_eq!(output(0), output(1));
        assert_eq!(output(0), input(2));
        assert_ne!(input(0), output(0));
    }

    #[test]
    fn non_object_output_schemas_stay_trees_for_the_legacy_strip() {
        let mut tools = [tool_with(
            json!({"type": "object"}),
            Some(json!({"type": "array", "items": {}})),
        )];
        let before = serde_json::to_string(&tools[0]).unwrap();
        serve_as_text(tools.iter_mut());
        assert!(tools[0].output_schema_json.is_none());
        assert!(tools[0].output_schema.is_some());
        assert_eq!(serde_json::to_string(&tools[0]).unwrap(), before);
    }

    #[test]
    fn schemas_equal_but_for_key_order_keep_their_own_texts() {
        // serde_json's Map (an IndexMap here) compares equal whatever the order of its keys,
        // but the order is part of what tools/list serves.
        let ab = json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}});
        let ba = json!({"type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "string"}}});
        let mut tools = [tool_with(ab, None), tool_with(ba, None)];
        assert_eq!(
            tools[0].input_schema, tools[1].input_schema,
            "IndexMap ignores order"
        );
        serve_as_text(tools.iter_mut());
        assert_ne!(
            text_at(&tools[0].input_schema_json),
            text_at(&tools[1].input_schema_json)
        );
        let text = serde_json::to_string(&tools[1]).unwrap();
        assert!(text.find("\"b\"") < text.find("\"a\""), "{text}");
    }

    fn run(schema: Value, side: Side) -> Value {
        let Value::Object(map) = schema else {
            panic!("object schema")
        };
        Value::Object(portable(&map, side))
    }

    #[test]
    fn input_optional_arguments_are_not_nullable_and_formats_are_standard() {
        let out = run(
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "limit": {"type": ["integer", "null"], "format": "uint32", "default": null},
                    "size": {"type": "integer", "format": "uint", "minimum": 1}
                }
            }),
            Side::Input,
        );
        assert_eq!(
            out,
            json!({
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "integer"},
                    "limit": {"type": "integer", "minimum": 0},
                    "size": {"type": "integer", "minimum": 1}
                }
            })
        );
    }

    #[test]
    fn input_enum_defs_are_inlined_as_enum() {
        let out = run(
            json!({
                "$defs": {"Detail": {"description": "How much.", "oneOf": [
                    {"description": "A", "type": "string", "const": "summary"},
                    {"description": "B", "type": "string", "const": "full"}
                ]}, "Unused": {"type": "string"}},
                "type": "object",
                "properties": {"detail": {"description": "`summary` or `full`.", "$ref": "#/$defs/Detail", "default": "summary"}}
            }),
            Side::Input,
        );
        assert_eq!(
            out,
            json!({
                "type": "object",
                "properties": {"detail": {"description": "`summary` or `full`.", "type": "string", "enum": ["summary", "full"], "default": "summary"}}
            })
        );
    }

    #[test]
    fn output_keeps_shared_defs_once_drops_prose_and_keeps_null_valid() {
        let out = run(
            json!({
                "$defs": {
                    "User": {"description": "A user.", "type": "object", "required": ["uid"], "properties": {"uid": {"type": "string", "default": ""}}},
                    "Cal": {"type": "object", "properties": {"id": {"type": "integer", "format": "uint64"}}}
                },
                "type": "object",
                "properties": {
                    "owner": {"description": "Owner.", "$ref": "#/$defs/User"},
                    "users": {"type": ["array", "null"], "items": {"$ref": "#/$defs/User"}},
                    "acl": {"type": ["array", "null"], "items": true},
                    "cal": {"anyOf": [{"$ref": "#/$defs/Cal"}, {"type": "null"}]},
                    "description": {"description": "A property named description stays.", "type": "string"}
                }
            }),
            Side::Output,
        );
        assert_eq!(
            out,
            json!({
                "$defs": {"User": {"type": "object", "properties": {"uid": {"type": "string"}}}},
                "type": "object",
                "properties": {
                    "owner": {"$ref": "#/$defs/User"},
                    "users": {"type": ["array", "null"], "items": {"$ref": "#/$defs/User"}},
                    "acl": {"type": ["array", "null"], "items": {}},
                    "cal": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}}},
                    "description": {"type": "string"}
                }
            })
        );
    }

    #[test]
    fn nested_single_use_defs_leave_no_definition_behind() {
        let out = run(
            json!({
                "$defs": {
                    "Stack": {"type": "object", "properties": {"cards": {"type": "array", "items": {"$ref": "#/$defs/Card"}}}},
                    "Card": {"type": "object", "properties": {"id": {"type": "integer"}}}
                },
                "type": "object",
                "properties": {"stacks": {"type": "array", "items": {"$ref": "#/$defs/Stack"}}}
            }),
            Side::Input,
        );
        assert_eq!(
            out,
            json!({
                "type": "object",
                "properties": {"stacks": {"type": "array", "items": {"type": "object", "properties": {
                    "cards": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}}}}
                }}}}
            })
        );
    }

    #[test]
    fn optional_struct_argument_keeps_its_object_schema() {
        let out = run(
            json!({
                "type": "object",
                "$defs": {"F": {"type": "object", "properties": {"a": {"type": ["string", "null"]}}}},
                "properties": {"f": {"description": "Filters.", "anyOf": [{"$ref": "#/$defs/F"}, {"type": "null"}]}}
            }),
            Side::Input,
        );
        assert_eq!(
            out,
            json!({
                "type": "object",
                "properties": {"f": {"description": "Filters.", "type": "object", "properties": {"a": {"type": "string"}}}}
            })
        );
    }
}
