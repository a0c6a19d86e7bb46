//! Shares via OCS `files_sharing` (`/ocs/v2.php/apps/files_sharing/api/v1/shares`).

use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};

const SHARES: &str = "/ocs/v2.php/apps/files_sharing/api/v1/shares";

/// Share types Nextcloud knows, with their names.
pub const SHARE_TYPES: &[(i64, &str)] = &[
    (0, "user"),
    (1, "group"),
    (3, "public link"),
    (4, "email"),
    (6, "federated"),
    (7, "circle"),
    (10, "talk room"),
    (12, "deck card"),
];

/// A share as returned by Nextcloud.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Share {
    /// Share id.
    pub id: i64,
    /// Share type (0 user, 1 group, 3 public link, 4 email, 6 federated, 7 circle, 10 talk, 12 deck).
    pub share_type: i64,
    /// Name of the share type.
    pub share_type_name: String,
    /// Path of the shared item, relative to the owner's files (starts with `/`).
    pub path: Option<String>,
    /// `file` or `folder`.
    pub item_type: Option<String>,
    /// Recipient (user, group, email, federated id); none for public links.
    pub share_with: Option<String>,
    /// Recipient's display name.
    pub share_with_displayname: Option<String>,
    /// Permission bitmask: 1 read, 2 update, 4 create, 8 delete, 16 share (31 = all).
    pub permissions: i64,
    /// Owner's user id.
    pub uid_owner: Option<String>,
    /// Expiry exactly as Nextcloud stores it (`YYYY-MM-DD HH:MM:SS`, day granularity).
    pub expiration: Option<String>,
    /// Public link URL (link shares).
    pub url: Option<String>,
    /// Link token (link shares).
    pub token: Option<String>,
    /// Note to the recipient.
    pub note: Option<String>,
    /// Label of a link share.
    pub label: Option<String>,
    /// Creation time, seconds since the epoch.
    pub stime: Option<i64>,
    /// Where the item appears for the recipient.
    pub file_target: Option<String>,
    /// MIME type of the item.
    pub mimetype: Option<String>,
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(value: &Value, key: &str) -> Option<i64> {
    match value.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The name of a share type.
pub fn share_type_name(share_type: i64) -> String {
    SHARE_TYPES
        .iter()
        .find(|(t, _)| *t == share_type)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| format!("type {share_type}"))
}

/// Reads one share object.
pub fn share_from(value: &Value) -> Option<Share> {
    let share_type = int(value, "share_type")?;
    Some(Share {
        id: int(value, "id")?,
        share_type,
        share_type_name: share_type_name(share_type),
        path: text(value, "path"),
        item_type: text(value, "item_type"),
        share_with: text(value, "share_with"),
        share_with_displayname: text(value, "share_with_displayname"),
        permissions: int(value, "permissions").unwrap_or(0),
        uid_owner: text(value, "uid_owner"),
        expiration: text(value, "expiration"),
        url: text(value, "url"),
        token: text(value, "token"),
        note: text(value, "note"),
        label: text(value, "label"),
        stime: int(value, "stime"),
        file_target: text(value, "file_target"),
        mimetype: text(value, "mimetype"),
    })
}

fn decode_one(call: &str, value: &Value) -> NcResult<Share> {
    let item = match value {
        Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    share_from(&item).ok_or_else(|| {
        NextcloudError::new(call, ErrorKind::Decode("no share in the answer".into()))
    })
}

/// What a new share is.
#[derive(Debug, Clone)]
pub struct NewShare {
    /// Path with a leading `/`.
    pub path: String,
    /// Share type.
    pub share_type: i64,
    /// Recipient.
    pub share_with: Option<String>,
    /// Permission bitmask.
    pub permissions: i64,
    /// Expiry date `YYYY-MM-DD`.
    pub expire_date: Option<String>,
}

impl NextcloudClient {
    /// Creates a share.
    pub async fn share_create(&self, share: &NewShare) -> NcResult<Share> {
        let mut body = json!({
            "path": share.path,
            "shareType": share.share_type,
            "permissions": share.permissions,
        });
        if let Some(with) = &share.share_with {
            body["shareWith"] = json!(with);
        }
        if let Some(date) = &share.expire_date {
            body["expireDate"] = json!(date);
        }
        let value = self.ocs_value(Method::POST, SHARES, Some(&body)).await?;
        decode_one(&format!("POST {SHARES}"), &value)
    }

    /// One share.
    pub async fn share_get(&self, id: i64) -> NcResult<Share> {
        let path = format!("{SHARES}/{id}");
        let value = self.ocs_value(Method::GET, &path, None).await?;
        decode_one(&format!("GET {path}"), &value)
    }

    /// Shares of a path (own shares), or shares with the user.
    pub async fn share_list(
        &self,
        path: Option<&str>,
        shared_with_me: bool,
    ) -> NcResult<Vec<Share>> {
        let mut query: Vec<String> = Vec::new();
        if let Some(path) = path {
            query.push(format!(
                "path={}",
                percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
        if shared_with_me {
            query.push("shared_with_me=true".into());
        }
        let url = if query.is_empty() {
            SHARES.to_string()
        } else {
            format!("{SHARES}?{}", query.join("&"))
        };
        let value = self.ocs_value(Method::GET, &url, None).await?;
        Ok(value
            .as_array()
            .map(|items| items.iter().filter_map(share_from).collect())
            .unwrap_or_default())
    }

    /// Changes a share's permissions.
    pub async fn share_update_permissions(&self, id: i64, permissions: i64) -> NcResult<Share> {
        let path = format!("{SHARES}/{id}");
        let value = self
            .ocs_value(
                Method::PUT,
                &path,
                Some(&json!({ "permissions": permissions })),
            )
            .await?;
        decode_one(&format!("PUT {path}"), &value)
    }

    /// Deletes a share.
    pub async fn share_delete(&self, id: i64) -> NcResult<()> {
        self.ocs_value(Method::DELETE, &format!("{SHARES}/{id}"), None)
            .await?;
        Ok(())
    }
}

/// Checks a share type / recipient pair before calling Nextcloud.
pub fn validate_recipient(share_type: i64, share_with: Option<&str>) -> Result<(), String> {
    if !SHARE_TYPES.iter().any(|(t, _)| *t == share_type) {
        return Err(format!(
            "unknown share type {share_type}; use 0 user, 1 group, 3 public link, 4 email, 6 federated, 7 circle, 10 talk room or 12 deck card"
        ));
    }
    let with = share_with.map(str::trim).filter(|s| !s.is_empty());
    match (share_type, with) {
        (3, Some(_)) => Err(
            "a public link (share_type 3) has no recipient; leave share_with empty or use nc_share_create_public_link".into(),
        ),
        (3, None) => Ok(()),
        (_, None) => Err(format!(
            "share_type {share_type} ({}) needs a recipient in share_with",
            share_type_name(share_type)
        )),
        (4, Some(email)) if !looks_like_email(email) => Err(format!(
            "`{email}` is not an email address; share_type 4 needs one"
        )),
        (6, Some(remote)) if !remote.contains('@') => Err(format!(
            "`{remote}` is not a federated cloud id; share_type 6 needs user@cloud.example.com"
        )),
        _ => Ok(()),
    }
}

fn looks_like_email(value: &str) -> bool {
    let mut parts = value.splitn(2, '@');
    let local = parts.next().unwrap_or_default();
    let domain = parts.next().unwrap_or_default();
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !value.contains(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_pairs() {
        assert!(validate_recipient(0, Some("bob")).is_ok());
        assert!(validate_recipient(0, None).is_err());
        assert!(validate_recipient(3, Some("bob")).is_err());
        assert!(validate_recipient(3, None).is_ok());
        assert!(validate_recipient(4, Some("bob")).is_err());
        assert!(validate_recipient(4, Some("bob@example.com")).is_ok());
        assert!(validate_recipient(6, Some("bob")).is_err());
        assert!(validate_recipient(2, Some("bob")).is_err());
    }

    #[test]
    fn reads_string_ids() {
        let value = json!({"id": "17", "share_type": 3, "permissions": 1, "expiration": "2026-12-31 00:00:00", "share_with": null});
        let share = share_from(&value).unwrap();
        assert_eq!(share.id, 17);
        assert_eq!(share.share_with, None);
        assert_eq!(share.expiration.as_deref(), Some("2026-12-31 00:00:00"));
    }
}
