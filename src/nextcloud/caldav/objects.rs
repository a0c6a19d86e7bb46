//! Calendar objects: calendar-query REPORTs, GET/PUT/DELETE with ETag preconditions
//! (create with `If-None-Match: *`, change with `If-Match`), and scheduling-outbox free-busy.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};

use super::{Calendar, method};
use crate::nextcloud::client::NextcloudClient;
use crate::nextcloud::dav::encode_path;
use crate::nextcloud::error::{ErrorKind, NcResult, NextcloudError};
use crate::nextcloud::ical::time::caldav_utc;
use crate::nextcloud::xml::{NS_CALDAV, NS_DAV, escape};
use crate::nextcloud::{quote_etag, unquote_etag};

/// One calendar object resource.
#[derive(Debug, Clone)]
pub struct CalObject {
    /// Server path of the resource.
    pub href: String,
    /// ETag (unquoted).
    pub etag: String,
    /// The iCalendar text.
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

/// Resource name of a new object: the UID when it is a safe file name, else a random one.
pub fn object_name(uid: &str) -> String {
    if !uid.is_empty()
        && uid.len() <= 200
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
        && !uid.starts_with('.')
    {
        format!("{uid}.ics")
    } else {
        format!("{}.ics", uuid::Uuid::new_v4())
    }
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

impl NextcloudClient {
    /// REPORT calendar-query for `component` (VEVENT/VTODO), optionally within a time range
    /// and for one UID. Answers are bounded by the client's body limit.
    pub async fn calendar_query(
        &self,
        cal: &Calendar,
        component: &str,
        range: Option<(DateTime<Utc>, DateTime<Utc>)>,
        uid: Option<&str>,
    ) -> NcResult<Vec<CalObject>> {
        let mut inner = String::new();
        if let Some((from, to)) = range {
            inner.push_str(&format!(
                "<c:time-range start=\"{}\" end=\"{}\"/>",
                caldav_utc(&from),
                caldav_utc(&to)
            ));
        }
        if let Some(uid) = uid {
            inner.push_str(&format!("<c:prop-filter name=\"UID\"><c:text-match collation=\"i;octet\">{}</c:text-match></c:prop-filter>", escape(uid)));
        }
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><c:calendar-query xmlns:d=\"DAV:\" xmlns:c=\"{NS_CALDAV}\"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name=\"VCALENDAR\"><c:comp-filter name=\"{component}\">{inner}</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
        );
        let responses = self
            .dav_request(method("REPORT"), &self.href_path(&cal.href), "1", body)
            .await?;
        Ok(responses
            .into_iter()
            .filter_map(|r| {
                let data = r.prop(NS_CALDAV, "calendar-data")?.text.clone();
                if data.trim().is_empty() {
                    return None;
                }
                Some(CalObject {
                    etag: r
                        .text(NS_DAV, "getetag")
                        .map(unquote_etag)
                        .unwrap_or_default(),
                    href: r.href,
                    data,
                })
            })
            .collect())
    }

    /// The object holding `uid` in `cal`: `GET <uid>.ics` first, then a UID calendar-query.
    pub async fn calendar_object(
        &self,
        cal: &Calendar,
        component: &str,
        uid: &str,
    ) -> NcResult<CalObject> {
        let direct = format!("{}{}", cal.href, object_name(uid));
        if object_name(uid).starts_with(uid)
            && let Some(found) = self.dav_get(&direct).await?
        {
            return Ok(found);
        }
        let found = match self.calendar_query(cal, component, None, Some(uid)).await {
            Ok(list) => list,
            // Servers without text-match support: query everything and filter here.
            Err(e) if matches!(e.status(), Some(400 | 403 | 501)) => {
                self.calendar_query(cal, component, None, None).await?
            }
            Err(e) => return Err(e),
        };
        found
            .into_iter()
            .find(|o| {
                crate::nextcloud::ical::parse(&o.data).is_ok_and(|c| c.uids().any(|u| u == uid))
            })
            .ok_or_else(|| {
                NextcloudError::new(
                    format!("find {component} {uid}"),
                    ErrorKind::Status {
                        status: 404,
                        ocs_status: None,
                        message: Some(format!(
                            "no {} with UID {uid} in calendar {}",
                            if component == "VTODO" {
                                "task"
                            } else {
                                "event"
                            },
                            cal.name
                        )),
                    },
                )
            })
    }

    /// GET a DAV resource; `None` on 404.
    pub async fn dav_get(&self, href: &str) -> NcResult<Option<CalObject>> {
        let path = self.href_path(href);
        let call = format!("GET {path}");
        match self.send(&call, self.request(Method::GET, &path)).await {
            Ok(response) => {
                let etag = response
                    .headers()
                    .get("ETag")
                    .and_then(|v| v.to_str().ok())
                    .map(unquote_etag)
                    .unwrap_or_default();
                let bytes = self.read_body(&call, response).await?;
                Ok(Some(CalObject {
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

    /// Free-busy of other users through the scheduling outbox (RFC 6638 §5). Returns the raw
    /// `calendar-data` of each recipient's answer with its request status.
    pub async fn outbox_freebusy(
        &self,
        outbox: &str,
        organizer: &str,
        attendees: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> NcResult<Vec<(String, String, String)>> {
        let mut ical = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//nextcloud-mcp//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n",
        );
        ical.push_str(&format!(
            "UID:{}\r\nDTSTAMP:{}\r\nDTSTART:{}\r\nDTEND:{}\r\nORGANIZER:{organizer}\r\n",
            uuid::Uuid::new_v4(),
            caldav_utc(&Utc::now()),
            caldav_utc(&from),
            caldav_utc(&to)
        ));
        for a in attendees {
            ical.push_str(&format!(
                "ATTENDEE:mailto:{}\r\n",
                a.trim_start_matches("mailto:")
            ));
        }
        ical.push_str("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
        let path = self.href_path(outbox);
        let call = format!("POST {path}");
        let request = self
            .request(Method::POST, &path)
            .header("Content-Type", "text/calendar; charset=utf-8")
            .body(ical);
        let response = self.send(&call, request).await?;
        if response.status() != StatusCode::OK {
            return Err(NextcloudError::new(
                &call,
                ErrorKind::Decode(format!("unexpected status {}", response.status())),
            ));
        }
        let bytes = self.read_body(&call, response).await?;
        let root = crate::nextcloud::xml::parse(&bytes)
            .map_err(|e| NextcloudError::new(&call, ErrorKind::Decode(e.to_string())))?;
        Ok(root
            .children_named(NS_CALDAV, "response")
            .map(|r| {
                let who = r
                    .child(NS_CALDAV, "recipient")
                    .and_then(|x| x.child_text(NS_DAV, "href"))
                    .unwrap_or_default()
                    .trim()
                    .trim_start_matches("mailto:")
                    .to_string();
                let status = r
                    .child_text(NS_CALDAV, "request-status")
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let data = r
                    .child_text(NS_CALDAV, "calendar-data")
                    .unwrap_or_default()
                    .to_string();
                (who, status, data)
            })
            .collect())
    }

    /// The href for a new object with `uid` in `cal`.
    pub fn new_object_href(&self, cal: &Calendar, uid: &str) -> String {
        format!("{}{}", cal.href, encode_path(&object_name(uid)))
    }
}
