//! Trash bin (`/remote.php/dav/trashbin/<uid>/trash`) and file versions
//! (`/remote.php/dav/versions/<uid>/versions/<fileid>`).

use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;

use super::client::NextcloudClient;
use super::dav::encode_path;
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::unquote_etag;
use super::xml::{NS_DAV, NS_NC, NS_OC};

/// A deleted file or folder.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrashEntry {
    /// Id to pass to nc_webdav_restore_from_trash (`<name>.d<deletion time>`).
    pub entry_id: String,
    /// Original name.
    pub name: String,
    /// Where it was, relative to the files root.
    pub original_location: String,
    /// Deletion time, seconds since the epoch.
    pub deletion_time: Option<i64>,
    /// `directory` or `file`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Size in bytes, when reported.
    pub size: Option<u64>,
    /// The item's file id (`oc:fileid`; a trashed file keeps its id and its tags).
    #[serde(skip)]
    pub file_id: Option<i64>,
    /// The entry's href, as the server sent it (decoded), to look inside a trashed folder.
    #[serde(skip)]
    pub href: String,
}

/// Something inside a trashed folder.
#[derive(Debug, Clone)]
pub struct TrashedChild {
    /// Its href, as the server sent it (decoded).
    pub href: String,
    /// Its file id, when reported.
    pub file_id: Option<i64>,
    /// True for a folder.
    pub is_dir: bool,
}

/// One earlier version of a file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileVersion {
    /// Id to pass to nc_webdav_restore_version (the version's timestamp).
    pub version_id: String,
    /// When this version was saved (HTTP date).
    pub last_modified: Option<String>,
    /// Size in bytes.
    pub size: Option<u64>,
    /// MIME type.
    pub content_type: Option<String>,
    /// Label given to the version, if any.
    pub label: Option<String>,
    /// User who saved it, if reported.
    pub author: Option<String>,
    /// ETag of the version.
    pub etag: Option<String>,
}

/// A version id as Nextcloud names versions: the version's timestamp (digits); object-store
/// backends use letters, digits, `-` and `_`. Never `.`, `..`, a slash or anything to encode.
pub fn is_version_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn last_segment(href: &str) -> String {
    href.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

impl NextcloudClient {
    async fn dav_uid(&self) -> NcResult<String> {
        Ok(encode_path(&self.dav_user_id().await?))
    }

    /// Lists the trash bin.
    pub async fn trash_list(&self) -> NcResult<Vec<TrashEntry>> {
        let path = format!("/remote.php/dav/trashbin/{}/trash/", self.dav_uid().await?);
        let own = super::dav::decode(&self.server_path(&path));
        let responses = self
            .propfind(
                &path,
                "1",
                &[
                    (NS_NC, "trashbin-filename"),
                    (NS_NC, "trashbin-original-location"),
                    (NS_NC, "trashbin-deletion-time"),
                    (NS_DAV, "getcontentlength"),
                    (NS_DAV, "resourcetype"),
                    (NS_OC, "size"),
                    (NS_OC, "fileid"),
                ],
            )
            .await?;
        Ok(responses
            .iter()
            .filter(|r| r.href.trim_end_matches('/') != own.trim_end_matches('/'))
            .map(|r| {
                let entry_id = last_segment(&r.href);
                TrashEntry {
                    name: r
                        .exact_text(NS_NC, "trashbin-filename")
                        .map(str::to_string)
                        .unwrap_or_else(|| entry_id.clone()),
                    original_location: r
                        .exact_text(NS_NC, "trashbin-original-location")
                        .unwrap_or_default()
                        .trim_matches('/')
                        .to_string(),
                    deletion_time: r
                        .text(NS_NC, "trashbin-deletion-time")
                        .and_then(|t| t.parse().ok()),
                    kind: if r.is_collection() {
                        "directory"
                    } else {
                        "file"
                    }
                    .into(),
                    size: r
                        .text(NS_DAV, "getcontentlength")
                        .or_else(|| r.text(NS_OC, "size"))
                        .and_then(|s| s.parse().ok()),
                    file_id: r.text(NS_OC, "fileid").and_then(|id| id.parse().ok()),
                    href: r.href.clone(),
                    entry_id,
                }
            })
            .collect())
    }

    /// What a trashed folder holds, one level down (`Depth: 1` on the href the trash bin
    /// listing gave, reused as sent); Nextcloud's trash bin answers PROPFIND inside trashed
    /// folders, also those of Collectives' page trash.
    pub async fn trash_folder_children(&self, href: &str) -> NcResult<Vec<TrashedChild>> {
        let responses = self
            .propfind(
                &self.href_path(href),
                "1",
                &[(NS_OC, "fileid"), (NS_DAV, "resourcetype")],
            )
            .await?;
        let own = href.trim_end_matches('/');
        Ok(responses
            .iter()
            .filter(|r| r.href.trim_end_matches('/') != own)
            .map(|r| TrashedChild {
                href: r.href.clone(),
                file_id: r.text(NS_OC, "fileid").and_then(|id| id.parse().ok()),
                is_dir: r.is_collection(),
            })
            .collect())
    }

    /// Restores a trash entry to its original location.
    pub async fn trash_restore(&self, entry_id: &str, name: &str) -> NcResult<()> {
        let uid = self.dav_uid().await?;
        let from = format!(
            "/remote.php/dav/trashbin/{uid}/trash/{}",
            encode_path(entry_id)
        );
        let to = format!(
            "/remote.php/dav/trashbin/{uid}/restore/{}",
            encode_path(name)
        );
        let call = format!("MOVE {from}");
        let method = Method::from_bytes(b"MOVE").unwrap_or(Method::POST);
        let request = self
            .request(method, &from)
            .header("Destination", self.url(&to).to_string())
            .header("Overwrite", "F");
        self.send(&call, request).await?;
        Ok(())
    }

    /// Lists the versions of a file id (the current version is not among them).
    pub async fn versions_list(&self, file_id: i64) -> NcResult<Vec<FileVersion>> {
        let path = format!(
            "/remote.php/dav/versions/{}/versions/{file_id}/",
            self.dav_uid().await?
        );
        let own = super::dav::decode(&self.server_path(&path));
        let responses = self
            .propfind(
                &path,
                "1",
                &[
                    (NS_DAV, "getlastmodified"),
                    (NS_DAV, "getcontentlength"),
                    (NS_DAV, "getcontenttype"),
                    (NS_DAV, "getetag"),
                    (NS_NC, "version-label"),
                    (NS_NC, "version-author"),
                ],
            )
            .await?;
        let mut versions: Vec<FileVersion> = responses
            .iter()
            .filter(|r| r.href.trim_end_matches('/') != own.trim_end_matches('/'))
            .map(|r| FileVersion {
                version_id: last_segment(&r.href),
                last_modified: r.text(NS_DAV, "getlastmodified").map(str::to_string),
                size: r
                    .text(NS_DAV, "getcontentlength")
                    .and_then(|s| s.parse().ok()),
                content_type: r.text(NS_DAV, "getcontenttype").map(str::to_string),
                label: r.text(NS_NC, "version-label").map(str::to_string),
                author: r.text(NS_NC, "version-author").map(str::to_string),
                etag: r.text(NS_DAV, "getetag").map(unquote_etag),
            })
            .collect();
        versions.sort_by(|a, b| {
            let ka = a.version_id.parse::<i64>().unwrap_or(0);
            let kb = b.version_id.parse::<i64>().unwrap_or(0);
            kb.cmp(&ka)
        });
        Ok(versions)
    }

    /// True when replaced content is kept as a version: the `files.versioning` capability, or
    /// else (capabilities unreadable or silent) a versions endpoint that answers for `file_id`.
    /// Never true on a guess, so messages only promise a version that exists.
    pub async fn versioning_available(&self, file_id: Option<i64>) -> bool {
        if let Ok(caps) = self.capabilities().await
            && let Some(flag) = caps.pointer("/capabilities/files/versioning")
        {
            return flag.as_bool().unwrap_or(false);
        }
        match file_id {
            Some(id) => self.versions_list(id).await.is_ok(),
            None => false,
        }
    }

    /// Restores a version: MOVE it to `versions/<uid>/restore/target`.
    pub async fn version_restore(&self, file_id: i64, version_id: &str) -> NcResult<()> {
        if !is_version_id(version_id) {
            return Err(NextcloudError::new(
                "MOVE versions",
                ErrorKind::Invalid(format!("`{version_id}` is not a version id")),
            ));
        }
        let uid = self.dav_uid().await?;
        let from = format!(
            "/remote.php/dav/versions/{uid}/versions/{file_id}/{}",
            encode_path(version_id)
        );
        let to = format!("/remote.php/dav/versions/{uid}/restore/target");
        let call = format!("MOVE {from}");
        let method = Method::from_bytes(b"MOVE").unwrap_or(Method::POST);
        let request = self
            .request(method, &from)
            .header("Destination", self.url(&to).to_string());
        self.send(&call, request).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_version_id;

    #[test]
    fn version_ids_are_plain_tokens() {
        assert!(is_version_id("1760000001"));
        assert!(is_version_id("v3_abc-9"));
        for bad in ["", ".", "..", "1/2", "a.b", "%2e%2e", "1 2", "x\r\ny"] {
            assert!(!is_version_id(bad), "{bad:?}");
        }
    }
}
