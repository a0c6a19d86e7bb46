//! Which of the served tools one request may see and call. The router is built once from the
//! config; this is a filter over it, never a wider set:
//! - per-request narrowing headers `X-MCP-Toolsets`, `X-MCP-Readonly`, `X-MCP-Tools`
//!   (streamable HTTP, stateful and stateless);
//! - the toolsets a dynamic session enabled (`toolsets.dynamic`, see [`super::dynamic`]);
//! - the token's scopes when `auth.oauth.scopes.enforce` is on (see [`super::scopes`]).

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use rmcp::RoleServer;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{CallToolResult, ContentBlock, Tool};
use rmcp::service::RequestContext;

use super::{KNOWN_TOOLSETS, NextcloudMcp, registry};
use crate::config::ScopesConfig;

/// Header naming the toolsets a request may use (comma-separated).
pub const HEADER_TOOLSETS: &str = "x-mcp-toolsets";
/// Header asking for read-only tools only (`true`/`false`).
pub const HEADER_READONLY: &str = "x-mcp-readonly";
/// Header naming the tools a request may use (comma-separated).
pub const HEADER_TOOLS: &str = "x-mcp-tools";

/// The narrowing one request asked for with headers; empty when it sent none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    /// Only these toolsets.
    pub toolsets: Option<BTreeSet<String>>,
    /// Only read-only tools.
    pub read_only: bool,
    /// Only these tools.
    pub tools: Option<BTreeSet<String>>,
    /// With scope enforcement: the token's scopes and the policy they are checked against.
    pub scopes: Option<ScopeGrant>,
}

/// The scopes a token grants, with the enforced policy of the server that serves it.
#[derive(Debug, Clone)]
pub struct ScopeGrant {
    /// The token's scopes (empty when the token tells none).
    pub granted: BTreeSet<String>,
    /// The policy naming the scope each tool needs.
    pub policy: Arc<ScopesConfig>,
}

impl PartialEq for ScopeGrant {
    fn eq(&self, other: &Self) -> bool {
        self.granted == other.granted && Arc::ptr_eq(&self.policy, &other.policy)
    }
}

impl Eq for ScopeGrant {}

impl ScopeGrant {
    /// The scope `tool` needs under this policy, if any.
    pub fn required(&self, tool: &Tool) -> Option<String> {
        super::scopes::required_scope(&self.policy, tool)
    }
}

fn split_names(value: &str) -> BTreeSet<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

impl Narrowing {
    /// Reads the narrowing headers; an unknown toolset or tool name, or a read-only value
    /// other than true/false, is an error naming it.
    pub fn from_headers(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut narrowing = Self::default();
        if let Some(value) = get(HEADER_TOOLSETS) {
            let names = split_names(&value);
            let unknown: Vec<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|n| !KNOWN_TOOLSETS.contains(n))
                .collect();
            if !unknown.is_empty() {
                return Err(format!(
                    "X-MCP-Toolsets: unknown toolset {}; known toolsets: {}",
                    unknown.join(", "),
                    KNOWN_TOOLSETS.join(", ")
                ));
            }
            narrowing.toolsets = Some(names);
        }
        if let Some(value) = get(HEADER_READONLY) {
            narrowing.read_only = match value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                other => {
                    return Err(format!("X-MCP-Readonly: `{other}` is not true or false"));
                }
            };
        }
        if let Some(value) = get(HEADER_TOOLS) {
            let names = split_names(&value);
            let unknown: Vec<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|n| registry::toolset_of(n).is_none())
                .collect();
            if !unknown.is_empty() {
                return Err(format!("X-MCP-Tools: unknown tool {}", unknown.join(", ")));
            }
            narrowing.tools = Some(names);
        }
        Ok(narrowing)
    }

    /// Whether the narrowing lets this tool (of `toolset`) through.
    pub fn allows(&self, tool: &Tool, toolset: &str) -> bool {
        let read_only = tool
            .annotations
            .as_ref()
            .and_then(|a| a.read_only_hint)
            .unwrap_or(false);
        self.toolsets.as_ref().is_none_or(|s| s.contains(toolset))
            && (!self.read_only || read_only)
            && self
                .tools
                .as_ref()
                .is_none_or(|s| s.contains(tool.name.as_ref()))
            && self.scopes_allow(tool)
    }

    fn scopes_allow(&self, tool: &Tool) -> bool {
        let Some(grant) = &self.scopes else {
            return true;
        };
        grant
            .required(tool)
            .is_none_or(|scope| grant.granted.contains(&scope))
    }

    /// Whether a toolset as a whole stays reachable (for the dynamic toolset list).
    pub fn allows_toolset(&self, toolset: &str) -> bool {
        self.toolsets.as_ref().is_none_or(|s| s.contains(toolset))
    }
}

/// A router's tools in tools/list order (by name) with their toolsets, built on first use and
/// kept beside the router (the server holds one for its shared router, so all sessions share
/// it): a tools/list then filters and copies, instead of copying all tools, sorting them and
/// looking up each toolset.
#[derive(Default)]
pub struct ToolList {
    sorted: OnceLock<Vec<(Tool, &'static str)>>,
}

impl ToolList {
    /// The tools of `router` (which this list belongs to), sorted, with their toolsets; tools
    /// of no known toolset are left out, as tools/list always did.
    pub fn tools(&self, router: &ToolRouter<NextcloudMcp>) -> &[(Tool, &'static str)] {
        self.sorted.get_or_init(|| {
            router
                .list_all()
                .into_iter()
                .filter_map(|tool| registry::toolset_of(&tool.name).map(|set| (tool, set)))
                .collect()
        })
    }
}

/// The HTTP request headers behind an MCP request (streamable HTTP), if any.
fn request_header(ctx: &RequestContext<RoleServer>, name: &str) -> Option<String> {
    ctx.extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Why a request cannot see a tool it asked for.
pub enum Refusal {
    /// The request is malformed (bad narrowing header): a protocol error.
    Invalid(String),
    /// The tool exists but this request or session may not use it: an error result.
    Hidden(String),
}

impl NextcloudMcp {
    /// This request's narrowing (headers and, when enforced, the token's scopes).
    pub fn narrowing(&self, ctx: &RequestContext<RoleServer>) -> Result<Narrowing, String> {
        let granted = || {
            crate::auth::Caller::from_extensions(&ctx.extensions)
                .and_then(|c| c.scopes)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default()
        };
        self.narrowing_with(|name| request_header(ctx, name), granted)
    }

    /// The narrowing from these headers and, when this host enforces scopes, the token's
    /// scopes (asked for only then).
    pub fn narrowing_with(
        &self,
        header: impl Fn(&str) -> Option<String>,
        granted: impl FnOnce() -> BTreeSet<String>,
    ) -> Result<Narrowing, String> {
        let mut narrowing = Narrowing::from_headers(header)?;
        if let Some(policy) = &self.scope_policy {
            narrowing.scopes = Some(ScopeGrant {
                granted: granted(),
                policy: policy.clone(),
            });
        }
        Ok(narrowing)
    }

    /// Whether `tool` of `toolset` is visible to this request and session.
    fn visible(&self, narrowing: &Narrowing, tool: &Tool, toolset: &str) -> bool {
        if toolset == super::dynamic::META_TOOLSET {
            return true;
        }
        narrowing.allows(tool, toolset) && self.session_allows(toolset)
    }

    /// The tools/list answer for this request.
    pub fn visible_tools(&self, ctx: &RequestContext<RoleServer>) -> Result<Vec<Tool>, String> {
        let narrowing = self.narrowing(ctx)?;
        Ok(self
            .tool_list
            .tools(&self.tool_router)
            .iter()
            .filter(|(tool, set)| self.visible(&narrowing, tool, set))
            .map(|(tool, _)| tool.clone())
            .collect())
    }

    /// Refuses a tools/call for a tool this request may not see.
    pub fn refuse_call(&self, name: &str, ctx: &RequestContext<RoleServer>) -> Option<Refusal> {
        let narrowing = match self.narrowing(ctx) {
            Ok(n) => n,
            Err(message) => return Some(Refusal::Invalid(message)),
        };
        let tool = self.tool_router.get(name)?;
        let toolset = registry::toolset_of(name)?;
        if self.visible(&narrowing, tool, toolset) {
            return None;
        }
        if !narrowing.scopes_allow(tool) {
            let scope = narrowing
                .scopes
                .as_ref()
                .and_then(|grant| grant.required(tool))
                .unwrap_or_default();
            return Some(Refusal::Hidden(format!(
                "tool `{name}` needs the OAuth scope `{scope}`, which this token lacks; sign in again granting it"
            )));
        }
        if !narrowing.allows(tool, toolset) {
            return Some(Refusal::Hidden(format!(
                "tool `{name}` is not available on this request: the X-MCP-Toolsets / X-MCP-Readonly / X-MCP-Tools headers leave it out"
            )));
        }
        Some(Refusal::Hidden(format!(
            "tool `{name}` belongs to the `{toolset}` toolset, which is not enabled in this session; call nc_toolsets_enable with toolsets [\"{toolset}\"] first"
        )))
    }
}

impl Refusal {
    /// The answer to the refused call.
    pub fn into_response(self) -> Result<rmcp::model::CallToolResponse, rmcp::ErrorData> {
        match self {
            Refusal::Invalid(message) => Err(rmcp::ErrorData::invalid_params(message, None)),
            Refusal::Hidden(message) => {
                Ok(CallToolResult::error(vec![ContentBlock::text(message)]).into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A host built from this YAML, as `server::run` builds them.
    fn host(yaml: &str) -> NextcloudMcp {
        let config = crate::config::load_str(yaml, &|_| None).unwrap_or_else(|e| panic!("{e}"));
        let nextcloud = crate::nextcloud::NextcloudShared::new(&config.nextcloud).unwrap();
        NextcloudMcp::new(nextcloud, None, Arc::new(config.toolsets.clone()))
            .with_scope_policy(super::super::scopes::enforced_policy(&config))
    }

    #[test]
    fn each_server_keeps_its_own_scope_policy() {
        let base = "nextcloud:\n  url: https://cloud.example.com\nauth:\n  oauth:\n    validation:\n      methods: [jwt]\n";
        let renamed = host(&format!(
            "{base}    scopes:\n      enforce: true\n      toolsets:\n        notes: {{read: nc-notes-r, write: nc-notes-w}}\n"
        ));
        let open = host(base);
        let defaults = host(&format!("{base}    scopes:\n      enforce: true\n"));
        let tool = open.tool_router.get("nc_notes_get_note").unwrap().clone();
        let granted = || BTreeSet::from(["notes.read".to_string()]);
        let allows = |h: &NextcloudMcp| {
            h.narrowing_with(|_| None, granted)
                .unwrap()
                .allows(&tool, "notes")
        };
        // Built one after the other in one process, none sees another's policy.
        assert!(!allows(&renamed), "the renamed scope is needed there");
        assert!(allows(&open), "no enforcement there");
        assert!(allows(&defaults), "the default scope name there");
        let asked = std::cell::Cell::new(false);
        open.narrowing_with(
            |_| None,
            || {
                asked.set(true);
                BTreeSet::new()
            },
        )
        .unwrap();
        assert!(
            !asked.get(),
            "scopes are not read where nothing is enforced"
        );
    }

    fn headers(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn shared_tool_list_is_the_routers_list_in_tools_list_order() {
        let settings = crate::config::ToolsetsConfig::default();
        let router = Arc::new(registry::build_router(&settings));
        let list = ToolList::default();
        // Built once: the second call answers the same slice.
        assert!(std::ptr::eq(list.tools(&router), list.tools(&router)));
        let cached: Vec<(Tool, &str)> = list.tools(&router).to_vec();
        // What tools/list answered before the list was shared: list_all, minus tools of no toolset.
        let fresh: Vec<(Tool, &str)> = router
            .list_all()
            .into_iter()
            .filter_map(|t| registry::toolset_of(&t.name).map(|set| (t, set)))
            .collect();
        assert_eq!(cached, fresh);
        assert!(cached.len() > 100);
        // Another router (a narrower config) gets a list of its own.
        let mut narrow = settings.clone();
        narrow.enabled = Some(vec!["notes".into()]);
        let other = Arc::new(registry::build_router(&narrow));
        let other_list = ToolList::default();
        assert!(other_list.tools(&other).len() < cached.len());
    }

    #[test]
    fn headers_narrow_and_unknown_names_are_named() {
        let n = Narrowing::from_headers(headers(&[
            (HEADER_TOOLSETS, "notes, calendar"),
            (HEADER_READONLY, "true"),
        ]))
        .unwrap();
        assert_eq!(
            n.toolsets,
            Some(["calendar".to_string(), "notes".to_string()].into())
        );
        assert!(n.read_only);
        let err =
            Narrowing::from_headers(headers(&[(HEADER_TOOLSETS, "notes,bogus")])).unwrap_err();
        assert!(err.contains("bogus"), "{err}");
        let err = Narrowing::from_headers(headers(&[(HEADER_TOOLS, "nc_notes_get_note,nc_nope")]))
            .unwrap_err();
        assert!(
            err.contains("nc_nope") && !err.contains("nc_notes_get_note"),
            "{err}"
        );
        let err = Narrowing::from_headers(headers(&[(HEADER_READONLY, "maybe")])).unwrap_err();
        assert!(err.contains("maybe"));
        assert_eq!(
            Narrowing::from_headers(headers(&[])).unwrap(),
            Narrowing::default()
        );
    }
}
