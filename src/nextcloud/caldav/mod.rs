//! CalDAV (RFC 4791) against Nextcloud or any CalDAV server: principal discovery
//! (`current-user-principal` → `calendar-home-set`, never a path built from the login
//! name), calendar collections, and calendar objects (see [`objects`]).

pub mod objects;

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use mini_moka::sync::Cache;
use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;

use super::client::NextcloudClient;
use super::dav::{DavResponse, encode_href, encode_path, find_by_name};
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::xml::{NS_APPLE, NS_CALDAV, NS_CARDDAV, NS_DAV, NS_OC, escape};

/// Calendar server namespace (getctag).
pub const NS_CS: &str = "http://calendarserver.org/ns/";

/// Where a user's DAV collections live, as the server reports them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DavHomes {
    /// The principal URL path.
    pub principal: String,
    /// `calendar-home-set`.
    pub calendar_home: Option<String>,
    /// `addressbook-home-set`.
    pub addressbook_home: Option<String>,
    /// `schedule-outbox-URL` (RFC 6638), for free-busy lookups of other users.
    pub schedule_outbox: Option<String>,
    /// The user's own calendar addresses (`calendar-user-address-set`).
    pub addresses: Vec<String>,
}

impl DavHomes {
    /// The user's calendar address for ORGANIZER and scheduling: the first `mailto:` of
    /// `calendar-user-address-set`, else its first entry.
    pub fn calendar_address(&self) -> Option<&str> {
        self.addresses
            .iter()
            .find(|a| a.to_ascii_lowercase().starts_with("mailto:"))
            .or_else(|| self.addresses.first())
            .map(String::as_str)
    }
}

static HOMES: LazyLock<Cache<String, Arc<DavHomes>>> = LazyLock::new(|| {
    Cache::builder()
        .max_capacity(10_000)
        .time_to_live(Duration::from_secs(300))
        .build()
});

/// A calendar collection.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Calendar {
    /// URI slug (last path segment): the `calendar_name` other tools take.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Colour (`#RRGGBB` or `#RRGGBBAA`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Components it holds (VEVENT, VTODO); empty when the server does not say.
    pub components: Vec<String>,
    /// Owner principal, when the server reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Collection path on the server.
    pub href: String,
    /// Collection tag: changes whenever anything in the calendar changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctag: Option<String>,
}

impl Calendar {
    /// True when the calendar can hold `component` (VEVENT or VTODO).
    pub fn holds(&self, component: &str) -> bool {
        self.components.is_empty() || self.components.iter().any(|c| c == component)
    }
}

/// The last non-empty segment of a path.
pub fn slug(href: &str) -> String {
    href.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The DAV method `name`.
pub fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET)
}

/// Validates a collection slug chosen by a caller.
pub fn check_slug(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 100
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        || name.starts_with('.')
    {
        return Err(format!(
            "`{name}` is not a valid collection name: use 1-100 letters, digits, '-', '_' or '.' (not starting with '.')"
        ));
    }
    Ok(())
}

impl NextcloudClient {
    /// Server-absolute hrefs (`/remote.php/dav/...`, or `/nextcloud/remote.php/...` under a
    /// sub-path), decoded as [`DavResponse`] keeps them, as encoded paths for
    /// [`NextcloudClient::request`], which are relative to the base URL.
    pub fn href_path(&self, href: &str) -> String {
        let encoded = encode_href(href);
        let base = self.server_path("/");
        match encoded.strip_prefix(base.as_str()) {
            Some(rest) => format!("/{rest}"),
            None => encoded,
        }
    }

    /// Principal, home sets and scheduling outbox, discovered from the DAV root and cached.
    pub async fn dav_homes(&self) -> NcResult<Arc<DavHomes>> {
        let key = self.credential_key();
        if let Some(found) = HOMES.get(&key) {
            return Ok(found);
        }
        let principal = self.current_user_principal("/remote.php/dav/").await?;
        let responses = self
            .propfind(
                &self.href_path(&principal),
                "0",
                &[
                    (NS_CALDAV, "calendar-home-set"),
                    (NS_CARDDAV, "addressbook-home-set"),
                    (NS_CALDAV, "schedule-outbox-URL"),
                    (NS_CALDAV, "calendar-user-address-set"),
                ],
            )
            .await?;
        let first = responses.first();
        let homes = Arc::new(DavHomes {
            calendar_home: first.and_then(|r| r.href_prop(NS_CALDAV, "calendar-home-set")),
            addressbook_home: first.and_then(|r| r.href_prop(NS_CARDDAV, "addressbook-home-set")),
            schedule_outbox: first.and_then(|r| r.href_prop(NS_CALDAV, "schedule-outbox-URL")),
            addresses: first
                .and_then(|r| r.prop(NS_CALDAV, "calendar-user-address-set"))
                .map(|p| {
                    p.children_named(NS_DAV, "href")
                        .map(|h| h.text.trim().to_string())
                        .collect()
                })
                .unwrap_or_default(),
            principal,
        });
        HOMES.insert(key, homes.clone());
        Ok(homes)
    }

    /// The calendar home, or an error saying the server has none for this user.
    pub async fn calendar_home(&self) -> NcResult<String> {
        self.dav_homes().await?.calendar_home.clone().ok_or_else(|| {
            NextcloudError::new(
                "PROPFIND principal",
                ErrorKind::Decode("the principal has no calendar-home-set: is the Calendar (CalDAV) app enabled?".into()),
            )
        })
    }

    /// Every calendar in the user's calendar home.
    pub async fn calendars(&self) -> NcResult<Vec<Calendar>> {
        let home = self.calendar_home().await?;
        let responses = self
            .propfind(
                &self.href_path(&home),
                "1",
                &[
                    (NS_DAV, "resourcetype"),
                    (NS_DAV, "displayname"),
                    (NS_CALDAV, "calendar-description"),
                    (NS_APPLE, "calendar-color"),
                    (NS_CALDAV, "supported-calendar-component-set"),
                    (NS_DAV, "owner"),
                    (NS_OC, "owner-principal"),
                    (NS_CS, "getctag"),
                ],
            )
            .await?;
        Ok(responses
            .iter()
            .filter(|r| r.has_resourcetype(NS_CALDAV, "calendar"))
            .map(calendar_from)
            .collect())
    }

    /// The calendar whose slug (or, failing that, display name) is `name`.
    pub async fn calendar(&self, name: &str) -> NcResult<Calendar> {
        let all = self.calendars().await?;
        find_by_name(&all, name, "calendar", |c| {
            (c.name.as_str(), c.display_name.as_str())
        })
    }

    /// MKCALENDAR in the calendar home.
    pub async fn calendar_create(
        &self,
        name: &str,
        display_name: &str,
        description: Option<&str>,
        color: Option<&str>,
    ) -> NcResult<Calendar> {
        check_slug(name).map_err(|e| NextcloudError::invalid("MKCALENDAR", e))?;
        let home = self.calendar_home().await?;
        let path = format!("{}{}/", self.href_path(&home), encode_path(name));
        let mut props = format!("<d:displayname>{}</d:displayname>", escape(display_name));
        if let Some(d) = description {
            props.push_str(&format!(
                "<c:calendar-description>{}</c:calendar-description>",
                escape(d)
            ));
        }
        if let Some(c) = color {
            props.push_str(&format!(
                "<a:calendar-color>{}</a:calendar-color>",
                escape(c)
            ));
        }
        props.push_str("<c:supported-calendar-component-set><c:comp name=\"VEVENT\"/><c:comp name=\"VTODO\"/></c:supported-calendar-component-set>");
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><c:mkcalendar xmlns:d=\"DAV:\" xmlns:c=\"{NS_CALDAV}\" xmlns:a=\"{NS_APPLE}\"><d:set><d:prop>{props}</d:prop></d:set></c:mkcalendar>"
        );
        self.create_collection("MKCALENDAR", &path, body, "a calendar", name)
            .await?;
        self.calendar(name).await
    }

    /// PROPPATCH display name, description and colour of a calendar.
    pub async fn calendar_update(
        &self,
        cal: &Calendar,
        display_name: Option<&str>,
        description: Option<&str>,
        color: Option<&str>,
    ) -> NcResult<Calendar> {
        let mut props = String::new();
        let mut remove = String::new();
        if let Some(v) = display_name {
            props.push_str(&format!("<d:displayname>{}</d:displayname>", escape(v)));
        }
        match description {
            // An empty description is removed, not stored as "".
            Some(v) if v.trim().is_empty() => {
                remove.push_str("<d:remove><d:prop><c:calendar-description/></d:prop></d:remove>")
            }
            Some(v) => props.push_str(&format!(
                "<c:calendar-description>{}</c:calendar-description>",
                escape(v)
            )),
            None => {}
        }
        if let Some(v) = color {
            props.push_str(&format!(
                "<a:calendar-color>{}</a:calendar-color>",
                escape(v)
            ));
        }
        let set = if props.is_empty() {
            String::new()
        } else {
            format!("<d:set><d:prop>{props}</d:prop></d:set>")
        };
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><d:propertyupdate xmlns:d=\"DAV:\" xmlns:c=\"{NS_CALDAV}\" xmlns:a=\"{NS_APPLE}\">{set}{remove}</d:propertyupdate>"
        );
        let path = self.href_path(&cal.href);
        let responses = self
            .dav_request(method("PROPPATCH"), &path, "0", body)
            .await?;
        if let Some(failed) = responses.iter().find(|r| !r.missing.is_empty()) {
            let names: Vec<&str> = failed.missing.iter().map(|(_, n)| n.as_str()).collect();
            return Err(NextcloudError::invalid(
                format!("PROPPATCH {path}"),
                format!("the server refused to change: {}", names.join(", ")),
            ));
        }
        self.calendar(&cal.name).await
    }

    /// Creates a collection with `verb` (MKCOL, MKCALENDAR); a name already taken is
    /// reported as such instead of a bare 405.
    pub async fn create_collection(
        &self,
        verb: &str,
        path: &str,
        body: String,
        kind: &str,
        name: &str,
    ) -> NcResult<()> {
        let call = format!("{verb} {path}");
        let request = self
            .request(method(verb), path)
            .header("Content-Type", "application/xml; charset=utf-8")
            .body(body);
        match self.send(&call, request).await {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(e.status(), Some(405 | 409))
                    && self.dav_exists(path).await.unwrap_or(false) =>
            {
                Err(NextcloudError::invalid(
                    call,
                    format!("{kind} or collection named `{name}` already exists"),
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// True when a PROPFIND Depth 0 on `path` finds something.
    pub async fn dav_exists(&self, path: &str) -> NcResult<bool> {
        match self.propfind(path, "0", &[(NS_DAV, "resourcetype")]).await {
            Ok(_) => Ok(true),
            Err(e) if e.status() == Some(404) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// DELETE a collection (calendar or address book).
    pub async fn collection_delete(&self, href: &str) -> NcResult<()> {
        let path = self.href_path(href);
        let call = format!("DELETE {path}");
        self.send(&call, self.request(Method::DELETE, &path))
            .await?;
        Ok(())
    }
}

fn calendar_from(r: &DavResponse) -> Calendar {
    let components = r
        .prop(NS_CALDAV, "supported-calendar-component-set")
        .map(|set| {
            set.children_named(NS_CALDAV, "comp")
                .filter_map(|c| c.attr("name"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let name = slug(&r.href);
    Calendar {
        display_name: r
            .text(NS_DAV, "displayname")
            .map(str::to_string)
            .unwrap_or_else(|| name.clone()),
        description: r
            .text(NS_CALDAV, "calendar-description")
            .map(str::to_string),
        color: r.text(NS_APPLE, "calendar-color").map(str::to_string),
        components,
        owner: r
            .href_prop(NS_DAV, "owner")
            .or_else(|| r.text(NS_OC, "owner-principal").map(str::to_string)),
        href: r.href.clone(),
        ctag: r.text(NS_CS, "getctag").map(str::to_string),
        name,
    }
}
