//! The MCP tool host and its toolsets. Each toolset is one module (or folder) holding
//! its argument types and one thin function per tool that calls `crate::nextcloud`.
// MCP logging (logging/setLevel) is deprecated by SEP-2577 but today's clients still use it.
#![allow(deprecated)]

pub mod answer;
pub mod calendar;
pub mod catalogue;
pub mod collectives;
pub mod contacts;
pub mod cookbook;
pub mod deck;
pub mod dynamic;
pub mod files;
pub mod html_text;
pub mod known;
pub mod mail;
pub mod news;
pub mod notes;
pub mod notes_exclusion;
pub mod notes_resources;
pub mod registry;
pub mod resources;
pub mod schema;
pub mod scopes;
pub mod search;
pub mod sharing;
pub mod shopping_list;
pub mod support;
pub mod tables;
pub mod talk;
pub mod visibility;

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;

use crate::auth::Caller;
use crate::config::ToolsetsConfig;
use crate::nextcloud::NextcloudShared;

pub use support::{ToolError, ToolResult};

/// Every toolset name the config may enable.
pub const KNOWN_TOOLSETS: &[&str] = &[
    "notes",
    "files",
    "sharing",
    "calendar",
    "contacts",
    "deck",
    "tables",
    "search",
    "talk",
    "mail",
    "news",
    "collectives",
    "shopping_list",
    "cookbook",
];

/// The MCP server object: one per MCP session (stateful) or per request (stateless).
#[derive(Clone)]
pub struct NextcloudMcp {
    /// Shared Nextcloud connection pool and caches.
    pub nextcloud: Arc<NextcloudShared>,
    /// The caller when there is no HTTP request (stdio, basic mode).
    pub default_caller: Option<Caller>,
    /// Toolset settings from the config.
    pub settings: Arc<ToolsetsConfig>,
    /// The tools served, already filtered by the config. Built once at start and shared by
    /// every session (a per-session copy cost ~140 KiB); narrow it with [`Self::with_tools`].
    pub tool_router: Arc<ToolRouter<NextcloudMcp>>,
    /// Level set by `logging/setLevel` for this session.
    pub log_level: Arc<std::sync::Mutex<Option<rmcp::model::LoggingLevel>>>,
    /// Toolsets this session enabled (`toolsets.dynamic`).
    pub session_toolsets: dynamic::SessionToolsets,
    /// The scope policy this server enforces (`auth.oauth.scopes.enforce`); None when off.
    pub scope_policy: Option<Arc<crate::config::ScopesConfig>>,
    /// `tool_router`'s tools sorted by name, with their toolsets: built on the first
    /// tools/list and shared by every session of the router (see [`visibility`]).
    pub tool_list: Arc<visibility::ToolList>,
}

impl NextcloudMcp {
    /// Builds the host with the tools the config enables (builds the router; for one
    /// long-lived host such as stdio). Servers with many sessions use [`Self::with_router`].
    pub fn new(
        nextcloud: Arc<NextcloudShared>,
        default_caller: Option<Caller>,
        settings: Arc<ToolsetsConfig>,
    ) -> Self {
        let tool_router = Arc::new(registry::build_router(&settings));
        Self::with_router(
            nextcloud,
            default_caller,
            settings,
            tool_router,
            Arc::default(),
        )
    }

    /// Builds the host around a router built once and shared, with the router's tools/list
    /// order (cheap: no tool is copied).
    pub fn with_router(
        nextcloud: Arc<NextcloudShared>,
        default_caller: Option<Caller>,
        settings: Arc<ToolsetsConfig>,
        tool_router: Arc<ToolRouter<NextcloudMcp>>,
        tool_list: Arc<visibility::ToolList>,
    ) -> Self {
        Self {
            nextcloud,
            default_caller,
            settings,
            log_level: Arc::new(std::sync::Mutex::new(None)),
            session_toolsets: Default::default(),
            scope_policy: None,
            tool_list,
            tool_router,
        }
    }

    /// This host enforcing `policy` (see [`scopes::enforced_policy`]).
    pub fn with_scope_policy(mut self, policy: Option<Arc<crate::config::ScopesConfig>>) -> Self {
        self.scope_policy = policy;
        self
    }

    /// This host serving another tool list (e.g. a per-session narrowing of the shared router).
    pub fn with_tools(mut self, tool_router: Arc<ToolRouter<NextcloudMcp>>) -> Self {
        self.tool_list = Arc::default();
        self.tool_router = tool_router;
        self
    }
}
