//! `toolsets.files.excluded_tags`: files and folders carrying one of these system tags,
//! and everything below such a folder, are invisible to every tool and resource that reads,
//! lists, shares, attaches, moves or copies a file (Files, Sharing, Deck attachments, Notes).

use std::collections::HashSet;

use super::super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::dav::normalize_path;

impl NextcloudMcp {
    /// Whether `toolsets.files.excluded_tags` names any tag: only then can a file be hidden, and
    /// only then do tools check what Nextcloud lists or counts against [`Hidden`].
    pub(crate) fn hides_files(&self) -> bool {
        !self.settings.files.excluded_tags.is_empty()
    }
}

/// The hidden items of one user, resolved once per tool call: the one check every tool and
/// resource that reads, lists, shares, attaches, moves or copies a file goes through, whatever
/// app it uses (Files, Sharing, Deck attachments, Notes).
#[derive(Debug, Default, Clone)]
pub struct Hidden {
    prefixes: Vec<String>,
    file_ids: HashSet<i64>,
}

impl Hidden {
    /// Resolves the configured tags to paths and file ids (no requests when none are configured).
    pub async fn load(host: &NextcloudMcp, client: &NextcloudClient) -> ToolResult<Self> {
        let tags = &host.settings.files.excluded_tags;
        if tags.is_empty() {
            return Ok(Self::default());
        }
        let tagged = client.files_tagged_with(tags).await.map_err(|e| {
            ToolError::new(format!(
                "cannot check the excluded tags, so nothing is shown: {e}"
            ))
        })?;
        let file_ids = tagged.iter().filter_map(|f| f.file_id).collect();
        let mut hidden = Self::from_paths(tagged.into_iter().map(|f| f.path).collect());
        hidden.file_ids = file_ids;
        Ok(hidden)
    }

    /// From already known tagged paths.
    pub fn from_paths(paths: Vec<String>) -> Self {
        Self {
            prefixes: paths
                .into_iter()
                .map(|p| p.trim_matches('/').to_string())
                .collect(),
            file_ids: HashSet::new(),
        }
    }

    /// True when exclusions are configured and something carries them.
    pub fn is_active(&self) -> bool {
        !self.prefixes.is_empty()
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

    /// True when the file id itself carries an excluded tag (a Notes note id is its file id).
    pub fn is_hidden_id(&self, file_id: i64) -> bool {
        self.file_ids.contains(&file_id)
    }

    /// True when something hidden lies inside the folder `path` (the root contains everything).
    pub fn contains_hidden(&self, path: &str) -> bool {
        let path = path.trim_matches('/');
        self.prefixes.iter().any(|p| {
            path.is_empty()
                || (p.len() > path.len() && p.starts_with(path) && p.as_bytes()[path.len()] == b'/')
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

    /// Refuses a path that is hidden or holds hidden items: for sharing, attaching, moving
    /// and copying, which would hand the hidden content on with it.
    pub fn check_tree(&self, argument: &str, path: &str) -> ToolResult<()> {
        self.check(argument, path)?;
        if self.contains_hidden(path) {
            return Err(ToolError::new(format!(
                "`{path}` (argument `{argument}`) is not available for this: it contains items this server hides by configuration (toolsets.files.excluded_tags)"
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

    #[test]
    fn folders_holding_hidden_items_are_refused_for_sharing() {
        let hidden = Hidden::from_paths(vec!["Docs/private.md".into(), "A/B".into()]);
        assert!(hidden.contains_hidden("Docs"));
        assert!(hidden.contains_hidden("A"));
        assert!(hidden.contains_hidden(""));
        assert!(!hidden.contains_hidden("Docs/private.md"));
        assert!(!hidden.contains_hidden("Do"));
        assert!(!hidden.contains_hidden("A/B/C"));
        assert!(hidden.check_tree("path", "Docs").is_err());
        assert!(hidden.check_tree("path", "A/B/C").is_err());
        assert!(hidden.check_tree("path", "Other").is_ok());
        assert!(Hidden::default().check_tree("path", "").is_ok());
    }
}
