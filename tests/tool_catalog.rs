//! The served tool list is a contract with users' prompts: every tool's name, description,
//! annotations and schemas are pinned in `tests/snapshots/tools.json`, and the README's tool
//! table must list exactly the live tools. After an intended change, regenerate both with
//! `UPDATE_SNAPSHOTS=1 cargo test --test tool_catalog --test schema_catalogue` (the second
//! rewrites the schema catalogue, src/tools/catalogue.json), and review the diff.

use std::collections::BTreeMap;

use nextcloud_mcp::config::ToolsetsConfig;
use nextcloud_mcp::tools::registry::{all_toolsets, build_router};
use serde_json::Value;

const SNAPSHOT: &str = "tests/snapshots/tools.json";
const README: &str = "README.md";
const START: &str = "<!-- tools:start -->";
const END: &str = "<!-- tools:end -->";

fn updating() -> bool {
    std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1")
}

fn live_tools() -> BTreeMap<String, Value> {
    if updating() {
        // Rewrite from the types, not from a catalogue the same update may be rewriting.
        nextcloud_mcp::tools::catalogue::start_recording();
    }
    build_router(&ToolsetsConfig::default())
        .list_all()
        .into_iter()
        .map(|tool| {
            (
                tool.name.to_string(),
                serde_json::to_value(&tool).expect("tool serializes"),
            )
        })
        .collect()
}

fn toolset_of(name: &str) -> &'static str {
    all_toolsets()
        .into_iter()
        .find(|(_, router)| router.has_route(name))
        .map(|(set, _)| set)
        .unwrap_or("?")
}

fn readme_table(tools: &BTreeMap<String, Value>) -> String {
    let mut rows: Vec<(String, String, String, String)> = tools
        .iter()
        .map(|(name, tool)| {
            let read_only = tool
                .pointer("/annotations/readOnlyHint")
                .and_then(Value::as_bool)
                == Some(true);
            let destructive = tool
                .pointer("/annotations/destructiveHint")
                .and_then(Value::as_bool)
                == Some(true);
            let kind = if read_only {
                "read"
            } else if destructive {
                "write, destructive"
            } else {
                "write"
            };
            let description = tool
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .split(". ")
                .next()
                .unwrap_or("")
                .trim_end_matches('.')
                .replace('|', "\\|");
            (
                toolset_of(name).to_string(),
                name.clone(),
                kind.to_string(),
                description,
            )
        })
        .collect();
    rows.sort();
    let mut table = String::from("| toolset | tool | kind | what it does |\n|---|---|---|---|\n");
    for (set, name, kind, description) in rows {
        table.push_str(&format!("| {set} | `{name}` | {kind} | {description} |\n"));
    }
    table
}

#[test]
fn tool_schemas_match_the_snapshot() {
    let live = serde_json::to_string_pretty(&live_tools()).expect("serializes") + "\n";
    if updating() {
        std::fs::write(SNAPSHOT, &live).expect("write snapshot");
        return;
    }
    let pinned = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        pinned == live,
        "tool schemas changed; if intended, run `UPDATE_SNAPSHOTS=1 cargo test --test tool_catalog` and review the diff of {SNAPSHOT}"
    );
}

#[test]
fn readme_tool_table_lists_exactly_the_live_tools() {
    let readme = std::fs::read_to_string(README).expect("README.md");
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md must contain {START} ... {END} around the tool table");
    };
    let table = readme_table(&live_tools());
    if updating() {
        let updated = format!("{}{START}\n{table}{}", &readme[..start], &readme[end..]);
        std::fs::write(README, updated).expect("write README");
        return;
    }
    let current = readme[start + START.len()..end].trim();
    assert_eq!(
        current,
        table.trim(),
        "README tool table is out of date; run `UPDATE_SNAPSHOTS=1 cargo test --test tool_catalog`"
    );
}

#[test]
fn every_tool_sets_all_four_hints_and_describes_its_arguments() {
    for (name, tool) in live_tools() {
        for hint in [
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ] {
            assert!(
                tool.pointer(&format!("/annotations/{hint}")).is_some(),
                "{name} does not set {hint}"
            );
        }
        assert!(
            tool.get("outputSchema").is_some(),
            "{name} has no output schema"
        );
        if let Some(props) = tool
            .pointer("/inputSchema/properties")
            .and_then(Value::as_object)
        {
            for (arg, schema) in props {
                let described = schema.get("description").is_some()
                    || schema.pointer("/allOf/0/description").is_some()
                    || schema.get("$ref").is_some() && schema.get("description").is_some();
                assert!(described, "{name}: argument `{arg}` has no description");
            }
        }
    }
}

#[test]
fn read_only_mode_serves_only_read_only_tools() {
    let settings = ToolsetsConfig {
        read_only: true,
        ..ToolsetsConfig::default()
    };
    let router = build_router(&settings);
    let tools = router.list_all();
    assert!(
        tools
            .iter()
            .all(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true))
    );
    let all = live_tools();
    let read_only_count = all
        .values()
        .filter(|t| {
            t.pointer("/annotations/readOnlyHint")
                .and_then(Value::as_bool)
                == Some(true)
        })
        .count();
    assert_eq!(tools.len(), read_only_count);
}

#[test]
fn include_and_exclude_lists_filter_tools() {
    let all = live_tools();
    let Some(first) = all.keys().next().cloned() else {
        return;
    };
    let mut settings = ToolsetsConfig::default();
    settings.tools.include = vec![first.clone()];
    assert_eq!(build_router(&settings).list_all().len(), 1);
    let mut settings = ToolsetsConfig::default();
    settings.tools.exclude = vec![first.clone()];
    assert!(!build_router(&settings).has_route(&first));
}
