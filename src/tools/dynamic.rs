//! Toolsets on demand (`toolsets.dynamic: true`): a session starts with three small
//! meta-tools; the model lists the toolsets, enables the ones it needs (their tools appear
//! after `notifications/tools/list_changed`) and disables them again. The enabled set is
//! per session and never exceeds what the config (and the request's narrowing) serves.

use std::collections::BTreeSet;

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{NextcloudMcp, ToolError, ToolResult, registry};

/// Toolset name of the meta-tools themselves (always visible in dynamic mode).
pub const META_TOOLSET: &str = "toolsets";

/// One line per toolset, shown by `nc_toolsets_list`.
const SUMMARIES: &[(&str, &str)] = &[
    (
        "notes",
        "Notes app: search, read, create, update, append to and delete Markdown notes.",
    ),
    (
        "files",
        "Files (WebDAV): list, read, write, move, copy, delete, search, tag, versions, trash.",
    ),
    (
        "sharing",
        "Shares: public links and shares with users, groups, email, Talk rooms.",
    ),
    (
        "calendar",
        "Calendars (CalDAV): events, tasks, availability, bulk changes.",
    ),
    (
        "contacts",
        "Address books (CardDAV): find, read, create, update and delete contacts.",
    ),
    (
        "deck",
        "Deck boards: boards, stacks, cards, labels, comments, attachments.",
    ),
    ("tables", "Tables app: tables, views, columns and rows."),
    (
        "search",
        "Nextcloud's unified search across every app the user has.",
    ),
    (
        "talk",
        "Talk: conversations, messages, participants, reactions, files into chats.",
    ),
    (
        "mail",
        "Mail app: accounts, mailboxes, read, search, send, reply, flags, tags, move.",
    ),
    (
        "news",
        "News app: folders, feeds, items, unread and starred, mark read/starred.",
    ),
    (
        "collectives",
        "Collectives wikis: collectives, page tree, page text, search, tags, trash.",
    ),
    (
        "shopping_list",
        "Shopping lists: lists and items, check off, clear; a recipe's ingredients in one call.",
    ),
    (
        "cookbook",
        "Cookbook recipes: search, read, create, update, import from a web page, categories.",
    ),
];

/// Per-session state: which toolsets this session enabled.
pub type SessionToolsets = std::sync::Arc<std::sync::Mutex<BTreeSet<String>>>;

/// Arguments of `nc_toolsets_enable` / `nc_toolsets_disable`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ToolsetNamesArgs {
    /// Toolset names from nc_toolsets_list, e.g. ["notes"].
    pub toolsets: Vec<String>,
}

/// One toolset in `nc_toolsets_list`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ToolsetInfo {
    /// Name to pass to nc_toolsets_enable.
    pub name: String,
    /// What it covers.
    pub summary: String,
    /// Tools it adds.
    pub tools: usize,
    /// Whether this session enabled it.
    pub enabled: bool,
}

/// Result of the meta-tools.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ToolsetList {
    /// Toolsets this session may enable.
    pub toolsets: Vec<ToolsetInfo>,
}

impl NextcloudMcp {
    /// Whether the session lets tools of `toolset` through (always, unless dynamic).
    pub fn session_allows(&self, toolset: &str) -> bool {
        if !self.settings.dynamic {
            return true;
        }
        self.session_toolsets
            .lock()
            .map(|set| set.contains(toolset))
            .unwrap_or(false)
    }

    /// The toolsets this request may enable: served by the config, allowed by the narrowing.
    fn available_toolsets(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<Vec<(&'static str, usize)>> {
        let narrowing = self.narrowing(ctx).map_err(ToolError::new)?;
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for tool in self.tool_router.list_all() {
            let Some(set) = registry::toolset_of(&tool.name) else {
                continue;
            };
            if set == META_TOOLSET || !narrowing.allows(&tool, set) {
                continue;
            }
            match counts.iter_mut().find(|(name, _)| *name == set) {
                Some((_, n)) => *n += 1,
                None => counts.push((set, 1)),
            }
        }
        counts.sort();
        Ok(counts)
    }

    fn toolset_list(&self, ctx: &RequestContext<RoleServer>) -> ToolResult<ToolsetList> {
        let enabled = self
            .session_toolsets
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        Ok(ToolsetList {
            toolsets: self
                .available_toolsets(ctx)?
                .into_iter()
                .map(|(name, tools)| ToolsetInfo {
                    name: name.to_string(),
                    summary: SUMMARIES
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, s)| s.to_string())
                        .unwrap_or_default(),
                    tools,
                    enabled: enabled.contains(name),
                })
                .collect(),
        })
    }

    /// Checks the names against what this request may enable; unknown ones are named.
    fn check_toolsets(
        &self,
        ctx: &RequestContext<RoleServer>,
        names: &[String],
    ) -> ToolResult<BTreeSet<String>> {
        let available = self.available_toolsets(ctx)?;
        let unknown: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| !available.iter().any(|(a, _)| a == n))
            .collect();
        if names.is_empty() || !unknown.is_empty() {
            let names: Vec<&str> = available.iter().map(|(n, _)| *n).collect();
            return Err(ToolError::invalid(
                "toolsets",
                format!(
                    "not available here: {}; this session may enable: {}",
                    if unknown.is_empty() {
                        "(none given)".to_string()
                    } else {
                        unknown.join(", ")
                    },
                    names.join(", ")
                ),
            ));
        }
        Ok(names.iter().cloned().collect())
    }

    async fn change_toolsets(
        &self,
        ctx: &RequestContext<RoleServer>,
        names: &[String],
        enable: bool,
    ) -> ToolResult<ToolsetList> {
        let names = self.check_toolsets(ctx, names)?;
        let changed = {
            let mut set = self
                .session_toolsets
                .lock()
                .map_err(|_| ToolError::new("session state unavailable; start a new session"))?;
            let before = set.len();
            if enable {
                set.extend(names);
            } else {
                set.retain(|n| !names.contains(n));
            }
            set.len() != before
        };
        if changed && let Err(err) = ctx.peer.notify_tool_list_changed().await {
            log::debug!("tools/list_changed not delivered: {err}");
        }
        self.toolset_list(ctx)
    }
}

#[tool_router(router = toolsets_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the toolsets this session can enable, one line each, with their tool count and whether they are on. Start here: tools of a toolset appear only after nc_toolsets_enable.
    #[tool(
        name = "nc_toolsets_list",
        output_schema = crate::tools::catalogue::output::<ToolsetList>(),
        annotations(
            title = "List toolsets",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn nc_toolsets_list(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<ToolsetList>, ToolError> {
        self.toolset_list(&ctx).map(Json)
    }

    /// Enable toolsets for this session; their tools appear in tools/list (the server sends tools/list_changed). Returns the toolset list.
    #[tool(
        name = "nc_toolsets_enable",
        input_schema = crate::tools::catalogue::input::<ToolsetNamesArgs>(),
        output_schema = crate::tools::catalogue::output::<ToolsetList>(),
        annotations(
            title = "Enable toolsets",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn nc_toolsets_enable(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ToolsetNamesArgs>,
    ) -> Result<Json<ToolsetList>, ToolError> {
        self.change_toolsets(&ctx, &args.toolsets, true)
            .await
            .map(Json)
    }

    /// Disable toolsets for this session to shrink the tool list again. Returns the toolset list.
    #[tool(
        name = "nc_toolsets_disable",
        input_schema = crate::tools::catalogue::input::<ToolsetNamesArgs>(),
        output_schema = crate::tools::catalogue::output::<ToolsetList>(),
        annotations(
            title = "Disable toolsets",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn nc_toolsets_disable(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ToolsetNamesArgs>,
    ) -> Result<Json<ToolsetList>, ToolError> {
        self.change_toolsets(&ctx, &args.toolsets, false)
            .await
            .map(Json)
    }
}

#[cfg(test)]
mod summary_tests {
    /// Every toolset the config may enable has a one-line summary for `nc_toolsets_list`.
    #[test]
    fn every_known_toolset_has_a_summary() {
        for name in crate::tools::KNOWN_TOOLSETS {
            assert!(
                super::SUMMARIES
                    .iter()
                    .any(|(n, s)| n == name && !s.is_empty()),
                "toolset {name} has no summary in SUMMARIES"
            );
        }
    }
}
