//! File comments (`/remote.php/dav/comments/files/<fileid>`): REPORT `oc:filter-comments`
//! to list, POST JSON to create.

use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::xml::{self, Element, NS_DAV, NS_OC};

/// Longest comment Nextcloud accepts, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// One comment on a file.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Comment {
    /// Comment id.
    pub id: i64,
    /// Text of the comment (mentions as `@uid`).
    pub message: String,
    /// Author's user id.
    pub actor_id: String,
    /// Author's display name, when given.
    pub actor_display_name: Option<String>,
    /// Creation time as Nextcloud reports it.
    pub creation_date_time: Option<String>,
    /// Verb (`comment`).
    pub verb: Option<String>,
}

impl NextcloudClient {
    /// Lists comments of a file id, newest first.
    pub async fn comments_list(
        &self,
        file_id: i64,
        limit: u32,
        offset: u32,
    ) -> NcResult<Vec<Comment>> {
        let path = format!("/remote.php/dav/comments/files/{file_id}");
        let call = format!("REPORT {path}");
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><oc:filter-comments xmlns:d=\"DAV:\" xmlns:oc=\"{NS_OC}\"><oc:limit>{limit}</oc:limit><oc:offset>{offset}</oc:offset></oc:filter-comments>"
        );
        let method = Method::from_bytes(b"REPORT").unwrap_or(Method::POST);
        let request = self
            .request(method, &path)
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(body);
        let response = self.send(&call, request).await?;
        let bytes = self.read_body(&call, response).await?;
        let mut comments =
            parse_comments(&bytes).map_err(|e| NextcloudError::new(&call, ErrorKind::Decode(e)))?;
        comments.sort_by(|a, b| {
            b.creation_date_time
                .cmp(&a.creation_date_time)
                .then(b.id.cmp(&a.id))
        });
        Ok(comments)
    }

    /// Posts a comment; returns its id when Nextcloud names it (`Content-Location`).
    pub async fn comments_create(&self, file_id: i64, message: &str) -> NcResult<Option<i64>> {
        let path = format!("/remote.php/dav/comments/files/{file_id}");
        let call = format!("POST {path}");
        let body = serde_json::json!({
            "actorType": "users",
            "verb": "comment",
            "message": message,
        });
        let response = self
            .send(&call, self.request(Method::POST, &path).json(&body))
            .await?;
        Ok(response
            .headers()
            .get("Content-Location")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim_end_matches('/').rsplit('/').next())
            .and_then(|id| id.parse().ok()))
    }
}

/// Parses a comments REPORT answer. Properties may sit in `d:propstat/d:prop` (Sabre) or
/// directly in an `oc:comment` element (older documentation).
pub fn parse_comments(body: &[u8]) -> Result<Vec<Comment>, String> {
    let root = xml::parse(body).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for response in root.children_named(NS_DAV, "response") {
        let holder: Option<&Element> = response
            .children_named(NS_DAV, "propstat")
            .filter(|ps| {
                ps.child_text(NS_DAV, "status")
                    .and_then(super::dav::status_code)
                    .is_none_or(|s| s == 200)
            })
            .find_map(|ps| ps.child(NS_DAV, "prop"))
            .or_else(|| response.child(NS_OC, "comment"));
        let Some(props) = holder else { continue };
        let text = |name: &str| {
            props
                .child_text(NS_OC, name)
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
        };
        let Some(id) = text("id").and_then(|i| i.parse().ok()) else {
            continue;
        };
        out.push(Comment {
            id,
            message: props
                .child_text(NS_OC, "message")
                .unwrap_or_default()
                .to_string(),
            actor_id: text("actorId").unwrap_or_default(),
            actor_display_name: text("actorDisplayName"),
            creation_date_time: text("creationDateTime"),
            verb: text("verb"),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_shapes() {
        let doc_shape = br#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
<d:response><oc:comment><oc:id>3</oc:id><oc:message>first</oc:message><oc:actorId>master</oc:actorId><oc:creationDateTime>2016-01-18 22:01:16</oc:creationDateTime></oc:comment></d:response></d:multistatus>"#;
        let sabre_shape = br#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
<d:response><d:href>/remote.php/dav/comments/files/5/3</d:href><d:propstat><d:prop><oc:id>3</oc:id><oc:message>first</oc:message><oc:actorId>master</oc:actorId></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#;
        assert_eq!(parse_comments(doc_shape).unwrap()[0].id, 3);
        let parsed = parse_comments(sabre_shape).unwrap();
        assert_eq!(parsed[0].message, "first");
        assert_eq!(parsed[0].actor_id, "master");
    }
}
