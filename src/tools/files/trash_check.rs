//! `toolsets.files.excluded_tags` in the trash bin. A trashed file has left the user's files, so
//! the path-based check of [`Hidden`] no longer finds it, but it keeps its file id and its tags:
//! trashed items are checked by file id against every file carrying an excluded tag
//! (`nc:object-ids`, Nextcloud 31+), and a trashed folder by everything inside it, since
//! restoring or deleting it for good takes its contents along.

use std::collections::HashSet;

use super::hidden::Hidden;
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::trashbin::TrashEntry;
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Most folders looked into (one PROPFIND each) to check one trashed folder.
pub(crate) const MAX_TRASHED_FOLDERS_CHECKED: usize = 200;

/// File ids carrying an excluded tag anywhere (also in the trash), or `None` when no tags are
/// excluded. Fails when Nextcloud cannot tell (before 31), so nothing in the trash is shown
/// unchecked.
pub(crate) async fn tagged_anywhere(
    host: &NextcloudMcp,
    client: &NextcloudClient,
    what: &str,
) -> ToolResult<Option<HashSet<i64>>> {
    let tags = &host.settings.files.excluded_tags;
    if tags.is_empty() {
        return Ok(None);
    }
    match client.file_ids_tagged_anywhere(tags).await {
        Ok(Some(ids)) => Ok(Some(ids)),
        Ok(None) => Err(ToolError::new(format!(
            "this Nextcloud does not tell which trashed items carry the tags in toolsets.files.excluded_tags (it needs Nextcloud 31 or later), so {what} is not available through this server; use the Nextcloud web interface"
        ))),
        Err(e) => Err(ToolError::new(format!(
            "cannot check the excluded tags of trashed items, so nothing in the trash is shown: {e}"
        ))),
    }
}

/// What a trashed folder holds, as far as excluded tags go.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Contents {
    /// Nothing inside carries an excluded tag.
    Clear,
    /// Something inside carries one.
    Hidden,
    /// More than [`MAX_TRASHED_FOLDERS_CHECKED`] folders: not checked.
    TooLarge,
}

/// The excluded-tags rule for trash entries of one tool call.
pub(crate) struct TrashCheck<'a> {
    hidden: &'a Hidden,
    /// `None`: no tags are excluded, nothing is hidden.
    tagged: Option<&'a HashSet<i64>>,
}

impl<'a> TrashCheck<'a> {
    /// From the user's hidden paths and the ids from [`tagged_anywhere`].
    pub fn new(hidden: &'a Hidden, tagged: Option<&'a HashSet<i64>>) -> Self {
        Self { hidden, tagged }
    }

    /// True when the entry itself is hidden: it carries an excluded tag, or it was trashed
    /// from a folder that is hidden.
    pub fn is_hidden(&self, entry: &TrashEntry) -> bool {
        self.tagged.is_some()
            && (self.hidden.is_hidden(&entry.original_location) || self.carries_tag(entry))
    }

    /// True when the entry itself carries an excluded tag.
    pub fn carries_tag(&self, entry: &TrashEntry) -> bool {
        self.tagged
            .is_some_and(|tagged| entry.file_id.is_some_and(|id| tagged.contains(&id)))
    }

    /// Looks through a trashed folder (every level, one request per folder) for anything
    /// carrying an excluded tag. No requests when no tags are excluded, for a file, or when no
    /// tagged file can be in the trash (every tagged id is a live file of this user).
    pub async fn contents(
        &self,
        client: &NextcloudClient,
        entry: &TrashEntry,
    ) -> ToolResult<Contents> {
        let Some(tagged) = self.tagged else {
            return Ok(Contents::Clear);
        };
        if entry.kind != "directory" || tagged.iter().all(|id| self.hidden.is_hidden_id(*id)) {
            return Ok(Contents::Clear);
        }
        let mut folders = vec![entry.href.clone()];
        let mut looked_into = 0;
        while let Some(folder) = folders.pop() {
            if looked_into == MAX_TRASHED_FOLDERS_CHECKED {
                return Ok(Contents::TooLarge);
            }
            looked_into += 1;
            for child in client.trash_folder_children(&folder).await? {
                if child.file_id.is_some_and(|id| tagged.contains(&id)) {
                    return Ok(Contents::Hidden);
                }
                if child.is_dir {
                    folders.push(child.href);
                }
            }
        }
        Ok(Contents::Clear)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, location: &str) -> TrashEntry {
        TrashEntry {
            entry_id: format!("{location}.d1"),
            name: location.rsplit('/').next().unwrap_or_default().to_string(),
            original_location: location.to_string(),
            deletion_time: Some(1),
            kind: "file".into(),
            size: None,
            file_id: Some(id),
            href: String::new(),
        }
    }

    #[test]
    fn a_trashed_item_is_hidden_by_its_own_tag_or_a_hidden_folder_only_when_tags_are_excluded() {
        let hidden = Hidden::from_paths(vec!["Private".into()]);
        let tagged: HashSet<i64> = [7].into();
        let check = TrashCheck::new(&hidden, Some(&tagged));
        assert!(check.is_hidden(&entry(7, "Open/report.txt")));
        assert!(check.carries_tag(&entry(7, "Open/report.txt")));
        assert!(check.is_hidden(&entry(8, "Private/x.txt")));
        assert!(!check.carries_tag(&entry(8, "Private/x.txt")));
        assert!(!check.is_hidden(&entry(8, "Open/x.txt")));
        let off = TrashCheck::new(&hidden, None);
        assert!(!off.is_hidden(&entry(7, "Private/x.txt")));
    }
}
