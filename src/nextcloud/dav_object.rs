//! One DAV object resource (a calendar object or a vCard), shared by CalDAV and CardDAV:
//! GET, PUT with an ETag precondition (create with `If-None-Match: *`, change with
//! `If-Match`), DELETE, and the read → If-Match write → 412-as-conflict step every edit uses.

use reqwest::Method;

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::xml::NS_DAV;
use super::{quote_etag, unquote_etag};

/// One object resource as read from the server.
#[derive(Debug, Clone)]
pub struct DavObject {
    /// Server path of the resource, decoded (re-encoded per segment by `href_path`).
    pub href: String,
    /// ETag (unquoted).
    pub etag: String,
    /// The object's text (iCalendar or vCard).
    pub data: String,
}

/// The precondition of a write.
#[derive(Debug, Clone)]
pub enum Precondition {
    /// Create only: `If-None-Match: *`.
    Create,
    /// Change only this version: `If-Match: "<etag>"`.
    Match(String),
}

/// A 412 as a clear conflict.
pub fn conflict(call: &str, what: &str) -> NextcloudError {
    NextcloudError::new(
        call,
        ErrorKind::Status {
            status: 412,
            ocs_status: None,
            message: Some(format!(
                "{what} changed since it was read (etag mismatch); nothing was written"
            )),
        },
    )
}

/// The etag a write must match: the caller's (from an earlier read) when given, else the
/// one of this call's read.
pub fn etag_to_match(read: &DavObject, caller: &str) -> String {
    match caller.trim() {
        "" => read.etag.clone(),
        given => given.to_string(),
    }
}

impl NextcloudClient {
    /// GET a DAV resource in the server's default representation; `None` on 404.
    pub async fn dav_get(&self, href: &str) -> NcResult<Option<DavObject>> {
        self.dav_get_as(href, None).await
    }

    /// GET with an optional `Accept` header (e.g. a vCard version); `None` on 404.
    pub async fn dav_get_as(
        &self,
        href: &str,
        accept: Option<&str>,
    ) -> NcResult<Option<DavObject>> {
        let path = self.href_path(href);
        let call = format!("GET {path}");
        let mut request = self.request(Method::GET, &path);
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        match self.send(&call, request).await {
            Ok(response) => {
                let etag = response
                    .headers()
                    .get("ETag")
                    .and_then(|v| v.to_str().ok())
                    .map(unquote_etag)
                    .unwrap_or_default();
                let bytes = self.read_body(&call, response).await?;
                Ok(Some(DavObject {
                    href: href.to_string(),
                    etag,
                    data: String::from_utf8_lossy(&bytes).into_owned(),
                }))
            }
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PUT an object with a precondition; returns the new etag (from the answer, or a PROPFIND).
    pub async fn dav_put(
        &self,
        href: &str,
        content_type: &str,
        data: String,
        pre: Precondition,
        what: &str,
    ) -> NcResult<String> {
        let path = self.href_path(href);
        let call = format!("PUT {path}");
        let mut request = self
            .request(Method::PUT, &path)
            .header("Content-Type", content_type)
            .body(data);
        request = match &pre {
            Precondition::Create => request.header("If-None-Match", "*"),
            Precondition::Match(etag) => request.header("If-Match", quote_etag(etag)),
        };
        let response = match self.send(&call, request).await {
            Ok(r) => r,
            Err(e) if e.status() == Some(412) => {
                return Err(match pre {
                    Precondition::Create => NextcloudError::invalid(
                        call,
                        format!(
                            "{what} already exists (If-None-Match: * refused); update it instead, or use another UID"
                        ),
                    ),
                    Precondition::Match(_) => conflict(&call, what),
                });
            }
            Err(e) => return Err(e),
        };
        if let Some(etag) = response.headers().get("ETag").and_then(|v| v.to_str().ok()) {
            return Ok(unquote_etag(etag));
        }
        let found = self.propfind(&path, "0", &[(NS_DAV, "getetag")]).await?;
        Ok(found
            .first()
            .and_then(|r| r.text(NS_DAV, "getetag"))
            .map(unquote_etag)
            .unwrap_or_default())
    }

    /// Writes `text` over the object read as `read`, with `If-Match` on the caller's etag
    /// (or the read's); a 412 is a conflict naming `what`. Returns the new etag.
    pub async fn dav_replace(
        &self,
        read: &DavObject,
        caller_etag: &str,
        content_type: &str,
        text: String,
        what: &str,
    ) -> NcResult<String> {
        let etag = etag_to_match(read, caller_etag);
        self.dav_put(
            &read.href,
            content_type,
            text,
            Precondition::Match(etag),
            what,
        )
        .await
    }

    /// DELETE an object with `If-Match` when an etag is known. Returns the HTTP status:
    /// 2xx deleted, 404 already gone; 412 is a conflict error.
    pub async fn dav_delete(&self, href: &str, etag: Option<&str>, what: &str) -> NcResult<u16> {
        let path = self.href_path(href);
        let call = format!("DELETE {path}");
        let mut request = self.request(Method::DELETE, &path);
        if let Some(etag) = etag.filter(|e| !e.is_empty()) {
            request = request.header("If-Match", quote_etag(etag));
        }
        match self.send(&call, request).await {
            Ok(r) => Ok(r.status().as_u16()),
            Err(e) if e.status() == Some(404) => Ok(404),
            Err(e) if e.status() == Some(412) => Err(conflict(&call, what)),
            Err(e) => Err(e),
        }
    }

    /// `getcontentlength` of one resource: the size of the stored object.
    pub async fn dav_stored_length(&self, href: &str) -> NcResult<Option<usize>> {
        let found = self
            .propfind(&self.href_path(href), "0", &[(NS_DAV, "getcontentlength")])
            .await?;
        Ok(found
            .first()
            .and_then(|r| r.text(NS_DAV, "getcontentlength"))
            .and_then(|t| t.parse().ok()))
    }
}
