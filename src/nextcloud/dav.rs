//! WebDAV building blocks shared by Files, CalDAV and CardDAV: multistatus parsing,
//! PROPFIND, path encoding and current-user-principal discovery.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use reqwest::Method;

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::xml::{self, Element, NS_DAV};

/// Characters percent-encoded in one DAV path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'|')
    .add(b'&')
    .add(b'+')
    .add(b';')
    .add(b'=');

/// One `<d:response>` of a multistatus answer.
#[derive(Debug, Clone)]
pub struct DavResponse {
    /// The decoded href.
    pub href: String,
    /// Properties found with status 200.
    pub props: Vec<Element>,
    /// Names of properties reported with a non-200 status.
    pub missing: Vec<(String, String)>,
    /// Status of the response itself, when given instead of propstats.
    pub status: Option<u16>,
}

impl DavResponse {
    /// The property `{ns}name`, if found.
    pub fn prop(&self, ns: &str, name: &str) -> Option<&Element> {
        self.props.iter().find(|p| p.is(ns, name))
    }

    /// Text of property `{ns}name`, if found and non-empty.
    pub fn text(&self, ns: &str, name: &str) -> Option<&str> {
        self.prop(ns, name)
            .map(|p| p.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// Text of property `{ns}name` exactly as sent (not trimmed), if found and non-empty:
    /// for names and paths, where leading and trailing spaces are part of the value.
    pub fn exact_text(&self, ns: &str, name: &str) -> Option<&str> {
        self.prop(ns, name)
            .map(|p| p.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// True when `d:resourcetype` contains `d:collection`.
    pub fn is_collection(&self) -> bool {
        self.prop(NS_DAV, "resourcetype")
            .is_some_and(|rt| rt.child(NS_DAV, "collection").is_some())
    }

    /// True when `d:resourcetype` contains `{ns}name`.
    pub fn has_resourcetype(&self, ns: &str, name: &str) -> bool {
        self.prop(NS_DAV, "resourcetype")
            .is_some_and(|rt| rt.child(ns, name).is_some())
    }

    /// The href of the first `d:href` inside property `{ns}name`.
    pub fn href_prop(&self, ns: &str, name: &str) -> Option<String> {
        self.prop(ns, name)
            .and_then(|p| p.child_text(NS_DAV, "href"))
            .map(|h| decode(h.trim()))
    }
}

/// Picks the collection whose slug, or else display name (ignoring case), is `name`;
/// the error lists the slugs that exist. `key` gives an item's (slug, display name).
pub fn find_by_name<T: Clone>(
    all: &[T],
    name: &str,
    kind: &str,
    key: impl Fn(&T) -> (&str, &str),
) -> NcResult<T> {
    let wanted = name.trim().trim_matches('/');
    all.iter()
        .find(|item| key(item).0 == wanted)
        .or_else(|| {
            all.iter()
                .find(|item| key(item).1.eq_ignore_ascii_case(wanted))
        })
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|item| key(item).0).collect();
            NextcloudError::invalid(
                format!("{kind} lookup"),
                format!(
                    "no {kind} named `{name}`; the user's {kind}s are: {}",
                    names.join(", ")
                ),
            )
        })
}

/// Parses a 207 multistatus body.
pub fn parse_multistatus(body: &[u8]) -> Result<Vec<DavResponse>, String> {
    let root = xml::parse(body).map_err(|e| e.to_string())?;
    if !root.is(NS_DAV, "multistatus") {
        return Err(format!("expected d:multistatus, got {}", root.name));
    }
    let mut out = Vec::new();
    // The tree is consumed: properties are moved out of it, not deep-cloned.
    for mut response in root.children {
        if !response.is(NS_DAV, "response") {
            continue;
        }
        let href = response
            .child_text(NS_DAV, "href")
            .map(|h| decode(h.trim()))
            .unwrap_or_default();
        let status = response.child_text(NS_DAV, "status").and_then(status_code);
        let mut props = Vec::new();
        let mut missing = Vec::new();
        for mut propstat in std::mem::take(&mut response.children) {
            if !propstat.is(NS_DAV, "propstat") {
                continue;
            }
            let ok = propstat
                .child_text(NS_DAV, "status")
                .and_then(status_code)
                .is_some_and(|s| (200..300).contains(&s));
            let Some(prop) = propstat.children.iter_mut().find(|c| c.is(NS_DAV, "prop")) else {
                continue;
            };
            if ok {
                props.append(&mut prop.children);
            } else {
                missing.extend(prop.children.drain(..).map(|p| (p.ns, p.name)));
            }
        }
        out.push(DavResponse {
            href,
            props,
            missing,
            status,
        });
    }
    Ok(out)
}

/// Reads the code from `HTTP/1.1 200 OK`.
pub fn status_code(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Percent-decodes an href.
pub fn decode(href: &str) -> String {
    percent_decode_str(href).decode_utf8_lossy().into_owned()
}

/// Percent-encodes each segment of an already normalised relative path exactly once.
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// A decoded href (as [`DavResponse::href`] holds it) as a request path again: each segment is
/// percent-encoded once, so a name with `#`, `?`, `%` or spaces addresses exactly that resource
/// and never a fragment, a query, a dot-segment or another object. An absolute URL keeps only
/// its path.
pub fn encode_href(decoded: &str) -> String {
    let path = match decoded.split_once("://") {
        Some((scheme, rest)) if !scheme.contains('/') => {
            rest.find('/').map(|i| &rest[i..]).unwrap_or("/")
        }
        _ => decoded,
    };
    encode_path(path)
}

/// Normalises a user-supplied path relative to a DAV root: backslashes become `/`,
/// empty and `.` segments are dropped, and `..`, absolute URLs, control characters and
/// segments made only of spaces are refused. Segments are never trimmed: Nextcloud accepts
/// names that begin or end with spaces, so ` report.txt` and `report.txt` are different files.
/// The result is canonical: normalising it again gives it back.
pub fn normalize_path(path: &str) -> Result<String, String> {
    if path.contains("://") {
        return Err(format!(
            "`{path}` is a URL; give a path inside the user's files, such as Documents/report.md"
        ));
    }
    if path.chars().any(|c| c.is_control()) {
        return Err("the path contains control characters".into());
    }
    let unified = path.replace('\\', "/");
    let mut segments = Vec::new();
    for segment in unified.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                return Err(format!(
                    "`{path}` contains `..`; parent-directory segments are not allowed"
                ));
            }
            s if s.trim().is_empty() => {
                return Err(format!(
                    "`{path}` has a segment made only of spaces; Nextcloud names need other characters too (leading and trailing spaces are kept as part of the name)"
                ));
            }
            s => {
                // A name like ` ..` is refused too: a server that trims names would read it as `..`.
                let decoded = decode(s);
                let bare = decoded.trim();
                if bare == ".." || bare == "." || decoded.contains('/') || decoded.contains('\\') {
                    return Err(format!(
                        "`{path}` contains an encoded `..` or separator; not allowed"
                    ));
                }
                segments.push(s.to_string());
            }
        }
    }
    Ok(segments.join("/"))
}

/// A PROPFIND body asking for the given properties, as `(namespace, local name)` pairs.
pub fn propfind_body(props: &[(&str, &str)]) -> String {
    let mut prefixes: Vec<(&str, String)> = Vec::new();
    let mut body_props = String::new();
    for (ns, name) in props {
        let prefix = match prefixes.iter().find(|(n, _)| n == ns) {
            Some((_, p)) => p.clone(),
            None => {
                let p = format!("x{}", prefixes.len());
                prefixes.push((ns, p.clone()));
                p
            }
        };
        body_props.push_str(&format!("<{prefix}:{name}/>"));
    }
    let decls: String = prefixes
        .iter()
        .map(|(ns, p)| format!(" xmlns:{p}=\"{}\"", xml::escape(ns)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><d:propfind xmlns:d=\"DAV:\"{decls}><d:prop>{body_props}</d:prop></d:propfind>"
    )
}

impl NextcloudClient {
    /// Sends a PROPFIND to an absolute server path and parses the multistatus.
    pub async fn propfind(
        &self,
        path: &str,
        depth: &str,
        props: &[(&str, &str)],
    ) -> NcResult<Vec<DavResponse>> {
        self.dav_request(
            Method::from_bytes(b"PROPFIND").unwrap_or(Method::GET),
            path,
            depth,
            propfind_body(props),
        )
        .await
    }

    /// Sends a DAV method with an XML body to an absolute server path and parses the multistatus.
    pub async fn dav_request(
        &self,
        method: Method,
        path: &str,
        depth: &str,
        body: String,
    ) -> NcResult<Vec<DavResponse>> {
        let call = format!("{method} {path}");
        let bytes = self.dav_request_bytes(method, path, depth, body).await?;
        parse_multistatus(&bytes).map_err(|e| NextcloudError::new(call, ErrorKind::Decode(e)))
    }

    /// Sends a DAV method with an XML body to an absolute server path and returns the
    /// multistatus body unparsed, for callers that read it as a stream.
    pub async fn dav_request_bytes(
        &self,
        method: Method,
        path: &str,
        depth: &str,
        body: String,
    ) -> NcResult<Vec<u8>> {
        let call = format!("{method} {path}");
        let request = self
            .request(method, path)
            .header("Depth", depth)
            .header("Content-Type", "application/xml; charset=utf-8")
            .body(body);
        let response = self.send(&call, request).await?;
        self.read_body(&call, response).await
    }

    /// The user id used in DAV paths, found via `current-user-principal` and cached.
    /// A login name (email, LDAP name) can differ from the user id.
    pub async fn dav_user_id(&self) -> NcResult<String> {
        let key = self.credential_key();
        if let Some(id) = self.shared().dav_ids.get(&key) {
            return Ok(id);
        }
        let responses = self
            .propfind(
                "/remote.php/dav/",
                "0",
                &[(NS_DAV, "current-user-principal")],
            )
            .await?;
        let principal = responses
            .iter()
            .find_map(|r| r.href_prop(NS_DAV, "current-user-principal"))
            .ok_or_else(|| {
                NextcloudError::new(
                    "PROPFIND /remote.php/dav/",
                    ErrorKind::Decode("no current-user-principal in the answer".into()),
                )
            })?;
        let id = principal
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                NextcloudError::new(
                    "PROPFIND /remote.php/dav/",
                    ErrorKind::Decode(format!("cannot read a user id from principal {principal}")),
                )
            })?;
        self.shared().dav_ids.insert(key, id.clone());
        Ok(id)
    }

    /// The principal URL path (`/remote.php/dav/principals/users/<uid>/`) as the server reports it.
    pub async fn current_user_principal(&self, dav_root: &str) -> NcResult<String> {
        let responses = self
            .propfind(dav_root, "0", &[(NS_DAV, "current-user-principal")])
            .await?;
        responses
            .iter()
            .find_map(|r| r.href_prop(NS_DAV, "current-user-principal"))
            .ok_or_else(|| {
                NextcloudError::new(
                    format!("PROPFIND {dav_root}"),
                    ErrorKind::Decode("no current-user-principal in the answer".into()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_refuses_traversal() {
        assert_eq!(normalize_path("/a//b/./c/").as_deref(), Ok("a/b/c"));
        assert_eq!(normalize_path("a\\b").as_deref(), Ok("a/b"));
        assert!(normalize_path("a/../b").is_err());
        assert!(normalize_path("a/%2e%2e/b").is_err());
        assert!(normalize_path("a/..%2Fb").is_err());
        assert!(normalize_path("https://evil/x").is_err());
        assert_eq!(normalize_path("").as_deref(), Ok(""));
    }

    #[test]
    fn keeps_leading_and_trailing_spaces_of_segments() {
        assert_eq!(normalize_path(" report.txt").as_deref(), Ok(" report.txt"));
        assert_eq!(
            normalize_path("/Docs / trailing space /x ").as_deref(),
            Ok("Docs / trailing space /x ")
        );
        assert_eq!(normalize_path("./ a").as_deref(), Ok(" a"));
        assert!(normalize_path("a/   /b").is_err());
        assert!(normalize_path(" ").is_err());
        assert!(normalize_path("a/ ../b").is_err());
        assert_eq!(encode_path(" report.txt"), "%20report.txt");
    }

    #[test]
    fn encodes_each_segment_once() {
        assert_eq!(
            encode_path("My Docs/ünï #1.md"),
            "My%20Docs/%C3%BCn%C3%AF%20%231.md"
        );
        assert_eq!(encode_path("100%"), "100%25");
    }

    #[test]
    fn hrefs_are_re_encoded_per_segment() {
        let href = decode("/remote.php/dav/calendars/alice/personal/victim.ics%23x");
        assert_eq!(
            encode_href(&href),
            "/remote.php/dav/calendars/alice/personal/victim.ics%23x"
        );
        assert_eq!(encode_href(&decode("/c/a%3Fb.ics")), "/c/a%3Fb.ics");
        assert_eq!(encode_href(&decode("/c/%252e")), "/c/%252e");
        assert_eq!(encode_href(&decode("/c/My%20Cal/")), "/c/My%20Cal/");
        assert_eq!(encode_href("https://h:8/nc/c/x y"), "/nc/c/x%20y");
    }

    #[test]
    fn parses_multistatus_with_namespaces() {
        let body = br#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
 <d:response><d:href>/remote.php/dav/files/alice/My%20Docs/</d:href>
  <d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><oc:fileid>12</oc:fileid></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
  <d:propstat><d:prop><d:getcontentlength/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
 </d:response>
</d:multistatus>"#;
        let parsed = parse_multistatus(body).unwrap();
        assert_eq!(parsed[0].href, "/remote.php/dav/files/alice/My Docs/");
        assert!(parsed[0].is_collection());
        assert_eq!(
            parsed[0].text(super::super::xml::NS_OC, "fileid"),
            Some("12")
        );
        assert_eq!(parsed[0].missing.len(), 1);
    }

    #[test]
    fn refuses_entity_declarations() {
        let body = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><d:multistatus xmlns:d="DAV:">&lol2;</d:multistatus>"#;
        assert!(parse_multistatus(body).is_err());
    }
}
