//! `toolsets.files.excluded_tags`: files and folders carrying one of these system tags,
//! and everything below such a folder, are invisible to every Files and Sharing tool.

use super::super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::dav::normalize_path;

/// The hidden paths of one user, resolved once per tool call.
#[derive(Debug, Default, Clone)]
pub struct Hidden {
    prefixes: Vec<String>,
}

impl Hidden {
    /// Resolves the configured tags to paths (no requests when none are configured).
    pub async fn load(host: &NextcloudMcp, client: &NextcloudClient) -> ToolResult<Self> {
        let tags = &host.settings.files.excluded_tags;
        if tags.is_empty() {
            return Ok(Self::default());
        }
        let prefixes = client.paths_tagged_with(tags).await.map_err(|e| {
            ToolError::new(format!(
                "cannot check the excluded tags, so nothing is shown: {e}"
            ))
        })?;
        Ok(Self::from_paths(prefixes))
    }

    /// From already known tagged paths.
    pub fn from_paths(paths: Vec<String>) -> Self {
        Self {
            prefixes: paths
                .into_iter()
                .map(|p| p.trim_matches('/').to_string())
                .collect(),
        }
    }

    /// True when `path` (relative, normalised; a leading `/` is ignored) is tagged or below a tagged folder.
    pub fn is_hidden(&self, path: &str) -> bool {
        let path = path.trim_matches('/');
        self.prefixes.iter().any(|p| {
            p.is_empty()
                || path == p
                || (path.len() > p.len()
                    && path.starts_with(p.as_str())
                    && path.as_bytes()[p.len()] == b'/')
        })
    }

    /// Refuses a hidden path.
    pub fn check(&self, argument: &str, path: &str) -> ToolResult<()> {
        if self.is_hidden(path) {
            return Err(ToolError::new(format!(
                "`{path}` (argument `{argument}`) is not available: this server hides it by configuration (toolsets.files.excluded_tags)"
            )));
        }
        Ok(())
    }
}

/// Normalises a path argument (no `..`, no URLs; backslashes folded).
pub fn norm(argument: &str, path: &str) -> ToolResult<String> {
    normalize_path(path).map_err(|e| ToolError::invalid(argument, e))
}

/// Normalises a path argument that must not be the root folder.
pub fn norm_item(argument: &str, path: &str) -> ToolResult<String> {
    let normal = norm(argument, path)?;
    if normal.is_empty() {
        return Err(ToolError::invalid(
            argument,
            "give a file or folder path, not the root folder",
        ));
    }
    Ok(normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_tagged_items_and_their_content_only() {
        let hidden = Hidden::from_paths(vec!["Secret".into(), "Docs/private.md".into()]);
        assert!(hidden.is_hidden("Secret"));
        assert!(hidden.is_hidden("/Secret/a/b.txt"));
        assert!(!hidden.is_hidden("Secrets/x"));
        assert!(hidden.is_hidden("Docs/private.md"));
        assert!(!hidden.is_hidden("Docs"));
        assert!(!Hidden::default().is_hidden("anything"));
    }
}
