//! Search toolset: `nc_unified_search`, Nextcloud's own unified search across the user's apps
//! (files, notes, Deck, Talk, mail, comments, and the full-text index when the admin installed
//! the fulltextsearch app). It needs no index of ours.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::files::hidden::Hidden;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::unified_search::{SearchEntry, SearchProvider};

/// Results per provider when `limit` is not given.
const DEFAULT_LIMIT: u32 = 10;
/// Most results per provider and call.
const MAX_LIMIT: u32 = 50;

/// Arguments of `nc_unified_search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UnifiedSearchArgs {
    /// Search term.
    pub query: String,
    /// Provider ids to search, e.g. `files`, `notes`, `deck`, `talk-message`, `mail`; omit for all. An unknown id is an error listing the available ones.
    #[serde(default)]
    pub providers: Option<Vec<String>>,
    /// Results per provider (default 10, at most 50).
    #[serde(default)]
    pub limit: Option<u32>,
    /// `next_cursor` of a previous answer, to get the next page; needs exactly one provider.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// One search result.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UnifiedSearchHit {
    /// Main line (file name, note title, card title...).
    pub title: String,
    /// Secondary line (e.g. the folder of a file).
    pub subline: String,
    /// Link to the item in Nextcloud's web interface.
    pub url: String,
    /// Provider id that found it.
    pub provider: String,
    /// File path relative to the user's files, for file results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// What one provider answered.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProviderPage {
    /// Provider id.
    pub id: String,
    /// Provider name.
    pub name: String,
    /// Results it returned (after hiding).
    pub count: usize,
    /// Pass as `cursor` (with only this provider) for the next page; absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Why this provider failed, if it did (the others still answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Result of `nc_unified_search`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UnifiedSearchResponse {
    /// Results, grouped by provider in Nextcloud's order.
    pub results: Vec<UnifiedSearchHit>,
    /// The providers searched, with paging cursors.
    pub providers: Vec<ProviderPage>,
    /// File results left out because this server hides them (toolsets.files.excluded_tags).
    pub hidden: usize,
}

/// The caller's hidden file paths (`toolsets.files.excluded_tags`), through the files
/// toolset's shared check.
async fn hidden_files(host: &NextcloudMcp, client: &NextcloudClient) -> ToolResult<Hidden> {
    Hidden::load(host, client).await
}

/// Whether an entry points at a file or folder: files-like providers set `fileId`/`path`
/// attributes; their links open the Files app (`/f/<id>`, `?fileid=`, `openfile`).
fn refers_to_file(entry: &SearchEntry) -> bool {
    entry.attributes.contains_key("fileId")
        || entry.attributes.contains_key("path")
        || entry.resource_url.contains("/f/")
        || entry.resource_url.contains("fileid=")
        || entry.resource_url.contains("openfile")
}

/// Keeps an entry unless it is a hidden file; a file result whose path is unknown is left out
/// whenever tags are excluded (fail closed).
fn visible_entry(hidden: &Hidden, hiding: bool, entry: &SearchEntry) -> bool {
    if !hiding || !refers_to_file(entry) {
        return true;
    }
    match entry.attributes.get("path") {
        Some(path) => !hidden.is_hidden(path),
        None => false,
    }
}

/// The providers to search: all, or the requested ones (unknown ids are an error naming them).
fn choose<'a>(
    available: &'a [SearchProvider],
    wanted: Option<&[String]>,
) -> ToolResult<Vec<&'a SearchProvider>> {
    let Some(wanted) = wanted.filter(|w| !w.is_empty()) else {
        return Ok(available.iter().collect());
    };
    let unknown: Vec<&str> = wanted
        .iter()
        .map(String::as_str)
        .filter(|w| !available.iter().any(|p| p.id == *w))
        .collect();
    if !unknown.is_empty() {
        let ids: Vec<&str> = available.iter().map(|p| p.id.as_str()).collect();
        return Err(ToolError::invalid(
            "providers",
            format!(
                "unknown provider {}; this Nextcloud offers: {}",
                unknown.join(", "),
                ids.join(", ")
            ),
        ));
    }
    Ok(available
        .iter()
        .filter(|p| wanted.contains(&p.id))
        .collect())
}

#[tool_router(router = search_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Search everything the user can see in Nextcloud (files, notes, Deck cards, Talk, mail, comments; the full-text index when installed) through Nextcloud's unified search. Use it to find something when you do not know which app holds it; use an app's own tools to read or change the item. Returns title, subline, link and provider per result, and a cursor per provider for more.
    #[tool(
        name = "nc_unified_search",
        input_schema = crate::tools::catalogue::input::<UnifiedSearchArgs>(),
        output_schema = crate::tools::catalogue::output::<UnifiedSearchResponse>(),
        annotations(
            title = "Unified search",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_unified_search(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UnifiedSearchArgs>,
    ) -> Result<Json<UnifiedSearchResponse>, ToolError> {
        let term = args.query.trim();
        if term.is_empty() {
            return Err(ToolError::invalid("query", "give a search term"));
        }
        let limit = args.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ToolError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let client = self.client(&ctx)?;
        let available = client.search_providers().await?;
        let chosen = choose(&available, args.providers.as_deref())?;
        if args.cursor.is_some() && chosen.len() != 1 {
            return Err(ToolError::invalid(
                "cursor",
                "a cursor belongs to one provider: pass exactly one id in `providers`",
            ));
        }
        let hidden = hidden_files(self, &client).await?;
        let hiding = self.hides_files();
        let cursor = args.cursor.as_deref();
        let pages = futures::future::join_all(
            chosen
                .iter()
                .map(|p| client.unified_search(&p.id, term, limit, cursor)),
        )
        .await;
        let mut response = UnifiedSearchResponse {
            results: Vec::new(),
            providers: Vec::new(),
            hidden: 0,
        };
        for (provider, page) in chosen.into_iter().zip(pages) {
            let page = match page {
                Ok(page) => page,
                Err(err) => {
                    response.providers.push(ProviderPage {
                        id: provider.id.clone(),
                        name: provider.name.clone(),
                        count: 0,
                        next_cursor: None,
                        error: Some(err.to_string()),
                    });
                    continue;
                }
            };
            let next_cursor = page.next_cursor();
            let mut count = 0;
            for entry in page.entries {
                if !visible_entry(&hidden, hiding, &entry) {
                    response.hidden += 1;
                    continue;
                }
                count += 1;
                response.results.push(UnifiedSearchHit {
                    path: entry
                        .attributes
                        .get("path")
                        .map(|p| p.trim_start_matches('/').to_string()),
                    title: entry.title,
                    subline: entry.subline,
                    url: entry.resource_url,
                    provider: provider.id.clone(),
                });
            }
            response.providers.push(ProviderPage {
                id: provider.id.clone(),
                name: if page.name.is_empty() {
                    provider.name.clone()
                } else {
                    page.name
                },
                count,
                next_cursor,
                error: None,
            });
        }
        Ok(Json(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn entry(url: &str, attributes: &[(&str, &str)]) -> SearchEntry {
        SearchEntry {
            title: "t".into(),
            subline: String::new(),
            resource_url: url.into(),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn hidden_files_are_left_out_and_unknown_file_paths_fail_closed() {
        let hidden = Hidden::from_paths(vec!["Secret".into()]);
        let secret = entry(
            "/index.php/f/9",
            &[("fileId", "9"), ("path", "/Secret/a.txt")],
        );
        let open = entry(
            "/index.php/f/8",
            &[("fileId", "8"), ("path", "/Open/a.txt")],
        );
        let unknown_path = entry("/index.php/apps/files/?fileid=7", &[]);
        let note = entry("/index.php/apps/notes/note/3", &[]);
        assert!(!visible_entry(&hidden, true, &secret));
        assert!(visible_entry(&hidden, true, &open));
        assert!(!visible_entry(&hidden, true, &unknown_path));
        assert!(visible_entry(&hidden, true, &note));
        assert!(visible_entry(&Hidden::default(), false, &unknown_path));
    }

    #[test]
    fn unknown_providers_are_named() {
        let available = vec![SearchProvider {
            id: "files".into(),
            name: "Files".into(),
            order: 5,
        }];
        let err = choose(&available, Some(&["files".into(), "nope".into()])).unwrap_err();
        assert!(err.message.contains("nope") && err.message.contains("files"));
        assert_eq!(choose(&available, None).unwrap().len(), 1);
    }
}
