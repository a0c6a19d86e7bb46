//! System tags (`/remote.php/dav/systemtags/`) and their assignments to files
//! (`/remote.php/dav/systemtags-relations/files/<fileid>/<tagid>`).

use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;

use super::client::NextcloudClient;
use super::dav::DavResponse;
use super::error::{NcResult, NextcloudError};
use super::xml::{Element, NS_NC, NS_OC};

const TAG_PROPS: &[(&str, &str)] = &[
    (NS_OC, "id"),
    (NS_OC, "display-name"),
    (NS_OC, "user-visible"),
    (NS_OC, "user-assignable"),
    (NS_OC, "can-assign"),
];

/// A system tag.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct SystemTag {
    /// Tag id.
    pub id: i64,
    /// Tag name.
    pub name: String,
    /// Whether users can see it.
    pub user_visible: bool,
    /// Whether users can assign it.
    pub user_assignable: bool,
    /// Whether the current user may assign it, when Nextcloud says.
    pub can_assign: Option<bool>,
}

fn flag(response: &DavResponse, name: &str) -> Option<bool> {
    response.text(NS_OC, name).map(|v| v == "true" || v == "1")
}

fn tags_from(responses: &[DavResponse]) -> Vec<SystemTag> {
    responses
        .iter()
        .filter_map(|r| {
            Some(SystemTag {
                id: r.text(NS_OC, "id")?.parse().ok()?,
                name: r.text(NS_OC, "display-name")?.to_string(),
                user_visible: flag(r, "user-visible").unwrap_or(true),
                user_assignable: flag(r, "user-assignable").unwrap_or(true),
                can_assign: flag(r, "can-assign"),
            })
        })
        .collect()
}

impl NextcloudClient {
    /// All system tags the user can see.
    pub async fn systemtags_list(&self) -> NcResult<Vec<SystemTag>> {
        let responses = self
            .propfind("/remote.php/dav/systemtags/", "1", TAG_PROPS)
            .await?;
        Ok(tags_from(&responses))
    }

    /// The tag named `name` (case-insensitive), if it exists.
    pub async fn systemtag_by_name(&self, name: &str) -> NcResult<Option<SystemTag>> {
        let wanted = name.trim().to_lowercase();
        Ok(self
            .systemtags_list()
            .await?
            .into_iter()
            .find(|t| t.name.to_lowercase() == wanted))
    }

    /// Tags of one file id.
    pub async fn systemtags_of_file(&self, file_id: i64) -> NcResult<Vec<SystemTag>> {
        let responses = self
            .propfind(
                &format!("/remote.php/dav/systemtags-relations/files/{file_id}"),
                "1",
                TAG_PROPS,
            )
            .await?;
        Ok(tags_from(&responses))
    }

    /// Creates a user-visible, user-assignable tag and returns its id (from `Content-Location`).
    pub async fn systemtag_create(&self, name: &str) -> NcResult<i64> {
        let path = "/remote.php/dav/systemtags/";
        let call = format!("POST {path}");
        let body = serde_json::json!({
            "name": name,
            "userVisible": true,
            "userAssignable": true,
        });
        let response = self
            .send(&call, self.request(Method::POST, path).json(&body))
            .await?;
        let id = response
            .headers()
            .get("Content-Location")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim_end_matches('/').rsplit('/').next())
            .and_then(|id| id.parse().ok());
        match id {
            Some(id) => Ok(id),
            None => self
                .systemtag_by_name(name)
                .await?
                .map(|t| t.id)
                .ok_or_else(|| {
                    NextcloudError::invalid(call, "the tag was created but cannot be found")
                }),
        }
    }

    /// Assigns a tag. `Ok(false)` when the file already had it (409).
    pub async fn systemtag_assign(&self, file_id: i64, tag_id: i64) -> NcResult<bool> {
        let path = format!("/remote.php/dav/systemtags-relations/files/{file_id}/{tag_id}");
        let call = format!("PUT {path}");
        match self.send(&call, self.request(Method::PUT, &path)).await {
            Ok(_) => Ok(true),
            Err(err) if err.status() == Some(409) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Removes a tag from a file. `Ok(false)` when the file did not have it (404).
    pub async fn systemtag_unassign(&self, file_id: i64, tag_id: i64) -> NcResult<bool> {
        let path = format!("/remote.php/dav/systemtags-relations/files/{file_id}/{tag_id}");
        let call = format!("DELETE {path}");
        match self.send(&call, self.request(Method::DELETE, &path)).await {
            Ok(_) => Ok(true),
            Err(err) if err.status() == Some(404) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Everything (relative paths and file ids) carrying one of the named tags.
    /// Unknown names are ignored.
    pub async fn files_tagged_with(
        &self,
        names: &[String],
    ) -> NcResult<Vec<super::webdav::FileInfo>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
        let tags = self.systemtags_list().await?;
        let mut out = Vec::new();
        for tag in tags
            .iter()
            .filter(|t| wanted.contains(&t.name.to_lowercase()))
        {
            out.extend(self.files_with_tag(tag.id).await?);
        }
        Ok(out)
    }

    /// Ids of every file carrying one of the tags `names`, wherever it is: also files outside
    /// the user's files that keep their tags, such as pages in a collective's trash (the
    /// `nc:object-ids` property of a tag, Nextcloud 31+). None when the server does not give
    /// that property (older Nextcloud).
    pub async fn file_ids_tagged_anywhere(
        &self,
        names: &[String],
    ) -> NcResult<Option<std::collections::HashSet<i64>>> {
        let mut ids = std::collections::HashSet::new();
        if names.is_empty() {
            return Ok(Some(ids));
        }
        let wanted: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
        for tag in self
            .systemtags_list()
            .await?
            .iter()
            .filter(|t| wanted.contains(&t.name.to_lowercase()))
        {
            let responses = self
                .propfind(
                    &format!("/remote.php/dav/systemtags/{}", tag.id),
                    "0",
                    &[(NS_NC, "object-ids")],
                )
                .await?;
            let Some(property) = responses.iter().find_map(|r| r.prop(NS_NC, "object-ids")) else {
                return Ok(None);
            };
            ids.extend(file_object_ids(property));
        }
        Ok(Some(ids))
    }
}

/// The file ids in an `nc:object-ids` value: `<nc:object-ids>` entries, each with an
/// `nc:object-id` and an `nc:object-type` (`files`; other types are skipped).
fn file_object_ids(property: &Element) -> Vec<i64> {
    property
        .children
        .iter()
        .filter(|entry| {
            entry
                .child_text(NS_NC, "object-type")
                .is_none_or(|t| t == "files")
        })
        .filter_map(|entry| entry.child_text(NS_NC, "object-id")?.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod object_id_tests {
    use super::*;

    #[test]
    fn reads_file_ids_from_object_ids() {
        let xml = br#"<nc:object-ids xmlns:nc="http://nextcloud.org/ns"><nc:object-ids><nc:object-id>12</nc:object-id><nc:object-type>files</nc:object-type></nc:object-ids><nc:object-ids><nc:object-id>7</nc:object-id><nc:object-type>calendar</nc:object-type></nc:object-ids><nc:object-ids><nc:object-id> 40 </nc:object-id><nc:object-type>files</nc:object-type></nc:object-ids></nc:object-ids>"#;
        let property = crate::nextcloud::xml::parse(xml).unwrap();
        assert_eq!(file_object_ids(&property), vec![12, 40]);
    }
}
