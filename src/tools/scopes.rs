//! Per-toolset OAuth scopes (`auth.oauth.scopes.enforce`): each toolset has a read scope
//! (its read-only tools) and a write scope (its other tools), by default `<toolset>.read` and
//! `<toolset>.write` as in the reference server. With enforcement on, `tools/list` shows only
//! the tools the token's scopes allow, and a `tools/call` needing a missing scope is answered
//! HTTP 403 with an `insufficient_scope` challenge (see `crate::server::scopes`).

use std::sync::{Arc, OnceLock};

use rmcp::model::Tool;

use super::{KNOWN_TOOLSETS, dynamic, registry};
use crate::config::{Config, ScopesConfig};

/// The scope policy a server built from `config` enforces: None unless it runs in OAuth mode
/// with `auth.oauth.scopes.enforce` on. Each server keeps its own (in its shared state and
/// every MCP host it makes), so two servers in one process never see each other's policy.
pub fn enforced_policy(config: &Config) -> Option<Arc<ScopesConfig>> {
    config
        .auth
        .oauth
        .as_ref()
        .filter(|_| matches!(config.auth.mode, crate::config::AuthMode::Oauth))
        .filter(|oauth| oauth.scopes.enforce)
        .map(|oauth| Arc::new(oauth.scopes.clone()))
}

/// The scope a tool needs under `policy`; None for the dynamic meta-tools.
pub fn required_scope(policy: &ScopesConfig, tool: &Tool) -> Option<String> {
    let toolset = registry::toolset_of(&tool.name)?;
    if toolset == dynamic::META_TOOLSET {
        return None;
    }
    let read_only = tool
        .annotations
        .as_ref()
        .and_then(|a| a.read_only_hint)
        .unwrap_or(false);
    Some(scope_name(policy, toolset, read_only))
}

fn scope_name(policy: &ScopesConfig, toolset: &str, read_only: bool) -> String {
    match (policy.toolsets.get(toolset), read_only) {
        (Some(names), true) => names.read.clone(),
        (Some(names), false) => names.write.clone(),
        (None, true) => format!("{toolset}.read"),
        (None, false) => format!("{toolset}.write"),
    }
}

/// `scopes_supported` for the protected resource metadata: the advertised scopes, plus
/// every toolset's read and write scope when enforcement is on.
pub fn supported(policy: &ScopesConfig) -> Vec<String> {
    let mut all = policy.advertised.clone();
    if policy.enforce {
        for toolset in KNOWN_TOOLSETS {
            for read_only in [true, false] {
                let name = scope_name(policy, toolset, read_only);
                if !all.contains(&name) {
                    all.push(name);
                }
            }
        }
    }
    all
}

/// The tool names a JSON-RPC body (one message or a batch) calls with `tools/call`.
pub fn called_tools(body: &[u8]) -> Vec<String> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let messages = match value {
        serde_json::Value::Array(items) => items,
        single => vec![single],
    };
    messages
        .iter()
        .filter(|m| m.get("method").and_then(|v| v.as_str()) == Some("tools/call"))
        .filter_map(|m| m.pointer("/params/name").and_then(|v| v.as_str()))
        .map(str::to_string)
        .collect()
}

/// The scopes a call of these tools needs under `policy` that `granted` lacks (empty when allowed).
pub fn missing_for_call(
    policy: &ScopesConfig,
    tools: &[String],
    granted: Option<&[String]>,
) -> Vec<String> {
    let mut missing = Vec::new();
    for name in tools {
        let Some(tool) = all_tools().iter().find(|t| t.name == name.as_str()) else {
            continue;
        };
        if let Some(scope) = required_scope(policy, tool)
            && !granted.is_some_and(|g| g.contains(&scope))
            && !missing.contains(&scope)
        {
            missing.push(scope);
        }
    }
    missing
}

/// Every tool definition of every toolset (for scope lookups by name), without the schemas
/// (only names and annotations are looked at; the schemas of all toolsets would stay in memory
/// for good).
fn all_tools() -> &'static [Tool] {
    static TOOLS: OnceLock<Vec<Tool>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        registry::all_toolsets()
            .into_iter()
            .flat_map(|(_, router)| router.list_all())
            .map(|mut tool| {
                tool.input_schema = Default::default();
                tool.output_schema = None;
                tool.input_schema_json = None;
                tool.output_schema_json = None;
                tool
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_default_to_the_reference_and_can_be_renamed() {
        let mut policy = ScopesConfig {
            enforce: true,
            advertised: vec!["openid".into()],
            ..ScopesConfig::default()
        };
        assert_eq!(scope_name(&policy, "notes", true), "notes.read");
        assert_eq!(scope_name(&policy, "notes", false), "notes.write");
        policy.toolsets.insert(
            "files".into(),
            crate::config::ToolsetScopes {
                read: "nc:files:r".into(),
                write: "nc:files:w".into(),
            },
        );
        let all = supported(&policy);
        assert!(all.contains(&"openid".to_string()) && all.contains(&"nc:files:w".to_string()));
        assert!(all.contains(&"deck.read".to_string()));
    }

    #[test]
    fn finds_tool_calls_in_messages_and_batches() {
        let one = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nc_notes_get_note"}}"#;
        assert_eq!(called_tools(one), vec!["nc_notes_get_note"]);
        let batch = br#"[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"a"}}]"#;
        assert_eq!(called_tools(batch), vec!["a"]);
        assert!(called_tools(b"not json").is_empty());
    }
}
