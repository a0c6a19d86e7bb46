//! Calendar objects: calendar-query REPORTs, GET/PUT/DELETE with ETag preconditions
//! (create with `If-None-Match: *`, change with `If-Match`), and scheduling-outbox free-busy.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};

use super::{Calendar, method};
use crate::nextcloud::client::NextcloudClient;
use crate::nextcloud::error::{ErrorKind, NcResult, NextcloudError};
use crate::nextcloud::ical::time::caldav_utc;
use crate::nextcloud::unquote_etag;
use crate::nextcloud::xml::{NS_CALDAV, NS_DAV, escape};

/// One calendar object resource.
pub use crate::nextcloud::dav_object::DavObject as CalObject;
pub use crate::nextcloud::dav_object::{Precondition, conflict};

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
        format!("{}{}", cal.href, object_name(uid))
    }
}
