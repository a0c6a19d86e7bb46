//! Searching files (RFC 5323 SEARCH) and listing favorites (favorites REPORT).

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use super::super::{NextcloudMcp, ToolError, ToolResult};
use super::hidden::{Hidden, norm};
use super::{FileList, visible};
use crate::nextcloud::webdav::SearchQuery;

/// Results returned when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 500;
/// Most results one search may return.
pub const MAX_LIMIT: usize = 50_000;

/// Arguments of `nc_webdav_search_files`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchFilesArgs {
    /// Folder to search in, relative to the user's files; empty for everything.
    #[serde(default)]
    pub scope: String,
    /// File name pattern; `%` is the wildcard (e.g. `%report%.pdf`). Without `%` it matches names containing the text.
    #[serde(default)]
    pub name_pattern: Option<String>,
    /// MIME type pattern with `%` wildcard, e.g. `image/%` or `application/pdf`.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Only files marked as favorite.
    #[serde(default)]
    pub only_favorites: bool,
    /// Most results (default 500, at most 50000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Arguments of `nc_webdav_find_by_name`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct FindByNameArgs {
    /// Name pattern; `%` is the wildcard. Without `%` it matches names containing the text.
    pub pattern: String,
    /// Folder to search in; empty for everything.
    #[serde(default)]
    pub scope: String,
    /// Most results (default 500, at most 50000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Arguments of `nc_webdav_find_by_type`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct FindByTypeArgs {
    /// MIME type or pattern: `application/pdf`, `image/%`, or just `image` (any image).
    pub mime_type: String,
    /// Folder to search in; empty for everything.
    #[serde(default)]
    pub scope: String,
    /// Most results (default 500, at most 50000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Arguments of `nc_webdav_list_favorites`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListFavoritesArgs {
    /// Folder to look in; empty for everything.
    #[serde(default)]
    pub scope: String,
    /// Most results (default 500, at most 50000).
    #[serde(default)]
    pub limit: Option<usize>,
}

fn limit(value: Option<usize>) -> ToolResult<usize> {
    match value {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ToolError::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// `report` → `%report%`; patterns with `%` stay as given.
pub fn like_pattern(text: &str) -> String {
    let text = text.trim();
    if text.contains('%') {
        text.to_string()
    } else {
        format!("%{text}%")
    }
}

/// `image` → `image/%`; full types and patterns stay as given.
pub fn mime_pattern(text: &str) -> String {
    let text = text.trim();
    if text.contains('%') || text.contains('/') {
        text.to_string()
    } else {
        format!("{text}/%")
    }
}

impl NextcloudMcp {
    async fn run_search(
        &self,
        ctx: &RequestContext<RoleServer>,
        mut query: SearchQuery,
        scope: &str,
    ) -> ToolResult<FileList> {
        query.scope = norm("scope", scope)?;
        let client = self.client(ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check("scope", &query.scope)?;
        let (files, truncated) = client.files_search(&query).await?;
        let results = visible(&hidden, files);
        Ok(FileList {
            total_found: results.len(),
            results,
            truncated,
        })
    }
}

#[tool_router(router = files_search_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Search the user's files by name pattern, MIME type and/or favorite flag (server-side SEARCH, newest first).
    #[tool(
        name = "nc_webdav_search_files",
        input_schema = crate::tools::catalogue::input::<SearchFilesArgs>(),
        output_schema = crate::tools::catalogue::output::<FileList>(),
        annotations(
            title = "Search files",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_search_files(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SearchFilesArgs>,
    ) -> Result<Json<FileList>, ToolError> {
        let query = SearchQuery {
            name_like: args
                .name_pattern
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .map(like_pattern),
            mime_like: args
                .mime_type
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .map(mime_pattern),
            only_favorites: args.only_favorites,
            limit: limit(args.limit)?,
            ..SearchQuery::default()
        };
        Ok(Json(self.run_search(&ctx, query, &args.scope).await?))
    }

    /// Find files whose name matches a pattern (`%` wildcard; plain text matches names containing it).
    #[tool(
        name = "nc_webdav_find_by_name",
        input_schema = crate::tools::catalogue::input::<FindByNameArgs>(),
        output_schema = crate::tools::catalogue::output::<FileList>(),
        annotations(
            title = "Find files by name",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_find_by_name(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<FindByNameArgs>,
    ) -> Result<Json<FileList>, ToolError> {
        if args.pattern.trim().is_empty() {
            return Err(ToolError::invalid("pattern", "give a name or pattern"));
        }
        let query = SearchQuery {
            name_like: Some(like_pattern(&args.pattern)),
            limit: limit(args.limit)?,
            ..SearchQuery::default()
        };
        Ok(Json(self.run_search(&ctx, query, &args.scope).await?))
    }

    /// Find files by MIME type, e.g. `application/pdf`, `image/%` or just `image`.
    #[tool(
        name = "nc_webdav_find_by_type",
        input_schema = crate::tools::catalogue::input::<FindByTypeArgs>(),
        output_schema = crate::tools::catalogue::output::<FileList>(),
        annotations(
            title = "Find files by type",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_find_by_type(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<FindByTypeArgs>,
    ) -> Result<Json<FileList>, ToolError> {
        if args.mime_type.trim().is_empty() {
            return Err(ToolError::invalid("mime_type", "give a MIME type"));
        }
        let query = SearchQuery {
            mime_like: Some(mime_pattern(&args.mime_type)),
            limit: limit(args.limit)?,
            ..SearchQuery::default()
        };
        Ok(Json(self.run_search(&ctx, query, &args.scope).await?))
    }

    /// List the files and folders the user marked as favorite.
    #[tool(
        name = "nc_webdav_list_favorites",
        input_schema = crate::tools::catalogue::input::<ListFavoritesArgs>(),
        output_schema = crate::tools::catalogue::output::<FileList>(),
        annotations(
            title = "List favorites",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_list_favorites(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListFavoritesArgs>,
    ) -> Result<Json<FileList>, ToolError> {
        let max = limit(args.limit)?;
        let scope = norm("scope", &args.scope)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check("scope", &scope)?;
        let mut results = visible(&hidden, client.files_favorites(&scope).await?);
        let truncated = results.len() > max;
        results.truncate(max);
        Ok(Json(FileList {
            total_found: results.len(),
            results,
            truncated,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(like_pattern("report"), "%report%");
        assert_eq!(like_pattern("%.pdf"), "%.pdf");
        assert_eq!(mime_pattern("image"), "image/%");
        assert_eq!(mime_pattern("application/pdf"), "application/pdf");
    }
}
