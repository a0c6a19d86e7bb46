//! Streaming reader of a files multistatus (PROPFIND, SEARCH, `oc:filter-files` REPORT):
//! quick-xml events become [`FileInfo`]s directly, keeping only the file properties of the
//! response being read. No element tree is built and nothing is cloned; the answer is the one
//! [`super::dav::parse_multistatus`] + [`super::webdav::file_info`] give, errors included
//! (the property tests in this module hold the two against each other).

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::reader::NsReader;

use super::dav::{decode, status_code};
use super::unquote_etag;
use super::webdav::FileInfo;
use super::xml::{MAX_BYTES, MAX_DEPTH, NS_DAV, NS_OC, XmlError};

/// The text properties a [`FileInfo`] is built from, in the order of [`FileProps::texts`].
const TEXT_PROPS: [(&str, &str); 7] = [
    (NS_DAV, "getcontentlength"),
    (NS_OC, "size"),
    (NS_DAV, "getcontenttype"),
    (NS_DAV, "getlastmodified"),
    (NS_DAV, "getetag"),
    (NS_OC, "fileid"),
    (NS_OC, "favorite"),
];
const CONTENT_LENGTH: usize = 0;
const OC_SIZE: usize = 1;
const CONTENT_TYPE: usize = 2;
const LAST_MODIFIED: usize = 3;
const ETAG: usize = 4;
const FILE_ID: usize = 5;
const FAVORITE: usize = 6;

/// The file properties of one response: for each, the text of its first occurrence in the
/// successful (2xx) propstats, exactly as sent (`Some("")` when present but empty).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileProps {
    /// Texts of [`TEXT_PROPS`], by index.
    pub texts: [Option<String>; 7],
    /// `Some(true)` when `d:resourcetype` holds `d:collection`, `None` without `d:resourcetype`.
    pub collection: Option<bool>,
}

impl FileProps {
    /// The properties of a response read by the tree parser.
    pub fn from_response(response: &super::dav::DavResponse) -> Self {
        Self {
            texts: TEXT_PROPS.map(|(ns, name)| response.prop(ns, name).map(|p| p.text.clone())),
            collection: response
                .prop(NS_DAV, "resourcetype")
                .map(|rt| rt.child(NS_DAV, "collection").is_some()),
        }
    }

    /// Trimmed text of a property, if present and non-empty.
    fn text(&self, index: usize) -> Option<&str> {
        self.texts[index]
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// Trimmed text of a property, if present and non-empty, moved out (copied only when
    /// trimming changed it).
    fn take_text(&mut self, index: usize) -> Option<String> {
        let text = self.texts[index].take()?;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            None
        } else if trimmed.len() == text.len() {
            Some(text)
        } else {
            Some(trimmed.to_string())
        }
    }

    /// The [`FileInfo`] of the response at the decoded `href`, when it lies below `prefix`.
    pub fn file_info(mut self, prefix: &str, href: &str) -> Option<FileInfo> {
        let rel = href.strip_prefix(prefix)?;
        let path = rel.trim_matches('/').to_string();
        let is_dir = self.collection == Some(true);
        let name = path
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .unwrap_or_default();
        let size = self
            .text(CONTENT_LENGTH)
            .or_else(|| self.text(OC_SIZE))
            .and_then(|s| s.parse().ok());
        Some(FileInfo {
            path,
            name,
            kind: if is_dir { "directory" } else { "file" }.into(),
            size,
            content_type: if is_dir {
                None
            } else {
                self.take_text(CONTENT_TYPE)
            },
            last_modified: self.take_text(LAST_MODIFIED),
            etag: self.text(ETAG).map(unquote_etag),
            file_id: self.text(FILE_ID).and_then(|s| s.trim().parse().ok()),
            favorite: self.text(FAVORITE) == Some("1"),
        })
    }

    /// Takes the properties this response does not have yet from a successful propstat.
    fn merge(&mut self, found: FileProps) {
        for (mine, theirs) in self.texts.iter_mut().zip(found.texts) {
            if mine.is_none() {
                *mine = theirs;
            }
        }
        if self.collection.is_none() {
            self.collection = found.collection;
        }
    }
}

/// What an open element is to the reader.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Node {
    /// The document element.
    Root,
    /// `d:response` below a `d:multistatus` root.
    Response,
    /// The first `d:href` of the response.
    Href,
    /// A `d:propstat` of the response.
    Propstat,
    /// The first `d:status` of the propstat.
    Status,
    /// The first `d:prop` of the propstat.
    Prop,
    /// The first occurrence of a text property in this propstat (index into [`TEXT_PROPS`]).
    Text(usize),
    /// The first `d:resourcetype` in this propstat.
    ResourceType,
    /// Anything else (its content is skipped).
    Other,
}

/// The namespaces this reader tells apart.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ns {
    Dav,
    Oc,
    Other,
}

impl Ns {
    fn of(uri: &[u8]) -> Self {
        if uri == NS_DAV.as_bytes() {
            Ns::Dav
        } else if uri == NS_OC.as_bytes() {
            Ns::Oc
        } else {
            Ns::Other
        }
    }
}

/// Namespaces of element prefixes as the reader resolved them, kept until a namespace
/// declaration comes into or goes out of scope (in a listing: only the root declares any).
#[derive(Default)]
struct NsCache {
    /// (prefix, or empty for none; namespace).
    entries: Vec<(Vec<u8>, Ns)>,
}

impl NsCache {
    fn resolve(&mut self, reader: &NsReader<&[u8]>, name: QName) -> Ns {
        let prefix = name.prefix().map(|p| p.into_inner()).unwrap_or_default();
        if let Some((_, ns)) = self.entries.iter().find(|(p, _)| p == prefix) {
            return *ns;
        }
        let ns = match reader.resolve_element(name).0 {
            ResolveResult::Bound(uri) => Ns::of(uri.as_ref()),
            _ => Ns::Other,
        };
        self.entries.push((prefix.to_vec(), ns));
        ns
    }
}

/// True when an element may declare namespaces (a false alarm only costs a cache refill).
fn declares_namespaces(start: &BytesStart) -> bool {
    let raw = start.attributes_raw();
    !raw.is_empty() && memchr::memmem::find(raw, b"xmlns").is_some()
}

/// What has been read so far.
#[derive(Default)]
struct Page {
    /// The files of the responses below the prefix.
    infos: Vec<FileInfo>,
    /// Number of responses read.
    responses: usize,
}

/// The response and propstat being read (the text buffers are reused from one to the next).
#[derive(Default)]
struct Open {
    href: String,
    href_seen: bool,
    props: FileProps,
    status: String,
    status_seen: bool,
    prop_seen: bool,
    propstat: FileProps,
}

impl Open {
    fn begin_response(&mut self) {
        self.href.clear();
        self.href_seen = false;
        self.props = FileProps::default();
    }

    fn begin_propstat(&mut self) {
        self.status.clear();
        self.status_seen = false;
        self.prop_seen = false;
        self.propstat = FileProps::default();
    }
}

/// Reads a multistatus body into the [`FileInfo`]s of its responses below `prefix` (the
/// decoded path of the files root), in document order. Errors are the messages
/// [`super::dav::parse_multistatus`] gives.
pub fn parse_file_infos(body: &[u8], prefix: &str) -> Result<Vec<FileInfo>, String> {
    parse_file_page(body, prefix).map(|(_, infos)| infos)
}

/// Like [`parse_file_infos`], with the number of `d:response`s read (below `prefix` or not):
/// what a paged SEARCH compares with the page size it asked for.
pub fn parse_file_page(body: &[u8], prefix: &str) -> Result<(usize, Vec<FileInfo>), String> {
    if body.len() > MAX_BYTES {
        return Err(XmlError::TooLarge.to_string());
    }
    let mut reader = NsReader::from_reader(body);
    reader.config_mut().trim_text(false);
    // Open elements, with whether each declares namespaces.
    let mut stack: Vec<(Node, bool)> = Vec::with_capacity(16);
    let mut names = NsCache::default();
    // Name of the last document element and whether it is `d:multistatus` (as in the tree
    // parser, a later top-level element replaces an earlier one).
    let mut root: Option<(String, bool)> = None;
    let mut out = Page::default();
    let mut open = Open::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError::Malformed(e.to_string()).to_string())?;
        match event {
            Event::Start(start) => {
                let at = Position {
                    reader: &reader,
                    stack: &stack,
                };
                let opened = open_node(&mut open, &mut root, &mut out, &mut names, at, &start);
                stack.push(opened);
                if stack.len() > MAX_DEPTH {
                    return Err(XmlError::TooDeep.to_string());
                }
            }
            Event::Empty(start) => {
                let at = Position {
                    reader: &reader,
                    stack: &stack,
                };
                let (node, declares) =
                    open_node(&mut open, &mut root, &mut out, &mut names, at, &start);
                if declares {
                    names.entries.clear();
                }
                close_node(&mut open, &mut out, node, prefix);
            }
            Event::End(_) => {
                let Some((node, declared)) = stack.pop() else {
                    return Err(XmlError::Malformed("unbalanced end tag".into()).to_string());
                };
                if declared {
                    names.entries.clear();
                }
                close_node(&mut open, &mut out, node, prefix);
            }
            Event::Text(text) => {
                if let Some(target) = text_target(&mut open, stack.last().map(|(node, _)| node)) {
                    match text.unescape() {
                        Ok(value) => target.push_str(&value),
                        // An unknown entity is kept literally, never expanded.
                        Err(_) => target.push_str(&String::from_utf8_lossy(&text)),
                    }
                }
            }
            Event::CData(data) => {
                if let Some(target) = text_target(&mut open, stack.last().map(|(node, _)| node)) {
                    target.push_str(&String::from_utf8_lossy(&data));
                }
            }
            Event::DocType(_) => {
                return Err(
                    XmlError::Malformed("DOCTYPE declarations are not accepted".into()).to_string(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unclosed element".into()).to_string());
    }
    match root {
        None => Err(XmlError::Empty.to_string()),
        Some((name, false)) => Err(format!("expected d:multistatus, got {name}")),
        Some((_, true)) => Ok((out.responses, out.infos)),
    }
}

/// Where in the document an element opens.
#[derive(Clone, Copy)]
struct Position<'r, 'i> {
    reader: &'r NsReader<&'i [u8]>,
    stack: &'r [(Node, bool)],
}

/// Classifies an element opened below the current top of the stack, starting the response or
/// propstat state it begins; also says whether it declares namespaces (the cache is emptied
/// first when it does).
fn open_node(
    open: &mut Open,
    root: &mut Option<(String, bool)>,
    out: &mut Page,
    names: &mut NsCache,
    at: Position,
    start: &BytesStart,
) -> (Node, bool) {
    let declares = declares_namespaces(start);
    if declares {
        names.entries.clear();
    }
    let node = 'classify: {
        let parent = at.stack.last().map(|(node, _)| node);
        // Only elements whose parent matters are resolved (not those inside a kept text or
        // inside anything else).
        if matches!(
            parent,
            Some(Node::Href | Node::Status | Node::Text(_) | Node::Other)
        ) {
            break 'classify Node::Other;
        }
        let name = start.name();
        let ns = names.resolve(at.reader, name);
        let local = name.local_name();
        let local = local.as_ref();
        let in_dav = ns == Ns::Dav;
        let Some(parent) = parent else {
            let multistatus = in_dav && local == b"multistatus";
            *root = Some((String::from_utf8_lossy(local).into_owned(), multistatus));
            *out = Page::default();
            break 'classify Node::Root;
        };
        match parent {
            Node::Root if in_dav && local == b"response" && root.as_ref().is_some_and(|r| r.1) => {
                open.begin_response();
                Node::Response
            }
            Node::Response if in_dav && local == b"href" && !open.href_seen => {
                open.href_seen = true;
                Node::Href
            }
            Node::Response if in_dav && local == b"propstat" => {
                open.begin_propstat();
                Node::Propstat
            }
            Node::Propstat if in_dav && local == b"status" && !open.status_seen => {
                open.status_seen = true;
                Node::Status
            }
            Node::Propstat if in_dav && local == b"prop" && !open.prop_seen => {
                open.prop_seen = true;
                Node::Prop
            }
            Node::Prop => prop_node(open, ns, local),
            Node::ResourceType => {
                if in_dav && local == b"collection" {
                    open.propstat.collection = Some(true);
                }
                Node::Other
            }
            _ => Node::Other,
        }
    };
    (node, declares)
}

/// A property element of the propstat being read: only its first occurrence counts.
fn prop_node(open: &mut Open, ns: Ns, local: &[u8]) -> Node {
    if ns == Ns::Dav && local == b"resourcetype" {
        if open.propstat.collection.is_some() {
            return Node::Other;
        }
        open.propstat.collection = Some(false);
        return Node::ResourceType;
    }
    let found = TEXT_PROPS
        .iter()
        .position(|(n, name)| name.as_bytes() == local && Ns::of(n.as_bytes()) == ns);
    match found {
        Some(index) if open.propstat.texts[index].is_none() => {
            open.propstat.texts[index] = Some(String::new());
            Node::Text(index)
        }
        _ => Node::Other,
    }
}

/// Ends an element: a propstat hands its properties to the response when its status is 2xx,
/// a response becomes a [`FileInfo`].
fn close_node(open: &mut Open, out: &mut Page, node: Node, prefix: &str) {
    match node {
        Node::Propstat => {
            let ok = open.status_seen
                && status_code(&open.status).is_some_and(|s| (200..300).contains(&s));
            let found = std::mem::take(&mut open.propstat);
            if ok {
                open.props.merge(found);
            }
        }
        Node::Response => {
            out.responses += 1;
            let href = open.href.trim();
            // Most hrefs have nothing to decode.
            let href = match memchr::memchr(b'%', href.as_bytes()) {
                None => std::borrow::Cow::Borrowed(href),
                Some(_) => std::borrow::Cow::Owned(decode(href)),
            };
            if let Some(info) = std::mem::take(&mut open.props).file_info(prefix, &href) {
                out.infos.push(info);
            }
        }
        _ => {}
    }
}

/// Where text directly inside the element on top of the stack goes, if it is kept.
fn text_target<'a>(open: &'a mut Open, top: Option<&Node>) -> Option<&'a mut String> {
    match top? {
        Node::Href => Some(&mut open.href),
        Node::Status => Some(&mut open.status),
        Node::Text(index) => open.propstat.texts[*index].as_mut(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::nextcloud::dav::parse_multistatus;
    use crate::nextcloud::webdav::file_info;

    const PREFIX: &str = "/remote.php/dav/files/alice/";

    /// The tree path: parse_multistatus, then file_info per response.
    fn by_tree(body: &[u8], prefix: &str) -> Result<(usize, Vec<FileInfo>), String> {
        let responses = parse_multistatus(body)?;
        let infos = responses
            .iter()
            .filter_map(|r| file_info(prefix, r))
            .collect();
        Ok((responses.len(), infos))
    }

    fn same(body: &str) {
        let show = |r: Result<(usize, Vec<FileInfo>), String>| {
            serde_json::to_string(&r.map_err(|e| format!("error: {e}"))).unwrap_or_default()
        };
        let tree = show(by_tree(body.as_bytes(), PREFIX));
        let stream = show(parse_file_page(body.as_bytes(), PREFIX));
        assert_eq!(stream, tree, "{body}");
    }

    /// How a piece of text is written into the document.
    #[derive(Debug, Clone)]
    enum Written {
        Escaped(String),
        Cdata(String),
        Entity,
        Padded(String),
    }

    fn escaped(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    fn write_text(parts: &[Written]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Written::Escaped(t) => escaped(t),
                Written::Cdata(t) => format!("<![CDATA[{}]]>", t.replace("]]>", "")),
                Written::Entity => "&quot;".to_string(),
                Written::Padded(t) => format!("  {}\n ", escaped(t)),
            })
            .collect()
    }

    fn written() -> impl Strategy<Value = Vec<Written>> {
        let text = prop_oneof![
            "[0-9]{1,4}",
            "[ a-zA-Zü&<>\"%#/.]{0,12}",
            Just("1".to_string()),
            Just("text/markdown".to_string()),
            Just("Mon, 30 Nov 2026 10:00:00 GMT".to_string()),
        ];
        prop::collection::vec(
            prop_oneof![
                4 => text.clone().prop_map(Written::Escaped),
                1 => text.clone().prop_map(Written::Cdata),
                1 => Just(Written::Entity),
                1 => text.prop_map(Written::Padded),
            ],
            0..3,
        )
    }

    /// One property inside a `d:prop`.
    #[derive(Debug, Clone)]
    enum Prop {
        /// A text property by index of TEXT_PROPS (or 7: displayname, 8: an unknown one).
        Text(usize, Vec<Written>, bool),
        /// `d:resourcetype` with `d:collection` / another child / a collection in another namespace.
        ResourceType(bool, bool, bool),
    }

    fn prop() -> impl Strategy<Value = Prop> {
        prop_oneof![
            4 => (0usize..9, written(), any::<bool>()).prop_map(|(i, t, nested)| Prop::Text(i, t, nested)),
            1 => (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(c, o, f)| Prop::ResourceType(c, o, f)),
        ]
    }

    #[derive(Debug, Clone)]
    struct Propstat {
        status: Option<&'static str>,
        status_first: bool,
        props: Vec<Prop>,
        second_prop: bool,
    }

    fn propstat() -> impl Strategy<Value = Propstat> {
        (
            prop::option::weighted(
                0.9,
                prop::sample::select(vec![
                    "HTTP/1.1 200 OK",
                    "HTTP/1.1 404 Not Found",
                    "HTTP/1.1 403 Forbidden",
                    " HTTP/1.1  201 Created ",
                    "garbage",
                ]),
            ),
            any::<bool>(),
            prop::collection::vec(prop(), 0..6),
            prop::bool::weighted(0.1),
        )
            .prop_map(|(status, status_first, props, second_prop)| Propstat {
                status,
                status_first,
                props,
                second_prop,
            })
    }

    #[derive(Debug, Clone)]
    struct Response {
        hrefs: Vec<Vec<Written>>,
        outside: bool,
        encoded: bool,
        propstats: Vec<Propstat>,
        empty: bool,
    }

    fn response() -> impl Strategy<Value = Response> {
        (
            prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![
                        "[ a-zA-Zü&#%. ]{0,10}".prop_map(Written::Escaped),
                        "[a-z ]{0,6}".prop_map(Written::Cdata),
                        "[a-z ]{0,6}".prop_map(Written::Padded),
                    ],
                    0..3,
                ),
                0..3,
            ),
            prop::bool::weighted(0.1),
            any::<bool>(),
            prop::collection::vec(propstat(), 0..4),
            prop::bool::weighted(0.05),
        )
            .prop_map(|(hrefs, outside, encoded, propstats, empty)| Response {
                hrefs,
                outside,
                encoded,
                propstats,
                empty,
            })
    }

    /// Namespace prefixes: `d` for DAV: (empty: the default namespace), `o` for ownCloud.
    #[derive(Debug, Clone)]
    struct Names {
        dav: &'static str,
        oc: &'static str,
        oc_on_prop: bool,
        /// Each response first holds a propstat whose DAV prefix is bound to another namespace.
        rebind: bool,
    }

    fn names() -> impl Strategy<Value = Names> {
        (
            prop::sample::select(vec!["d", "D", "", "lp1"]),
            prop::sample::select(vec!["oc", "x", "d2"]),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(dav, oc, oc_on_prop, rebind)| Names {
                dav,
                oc,
                oc_on_prop,
                rebind,
            })
    }

    fn tag(prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}:{name}")
        }
    }

    fn write_prop(out: &mut String, names: &Names, prop: &Prop) {
        let d = |n: &str| tag(names.dav, n);
        match prop {
            Prop::Text(index, text, nested) => {
                let name = match index {
                    7 => d("displayname"),
                    8 => tag(names.oc, "unknown"),
                    i => {
                        let (ns, local) = TEXT_PROPS[*i];
                        if ns == NS_DAV {
                            d(local)
                        } else {
                            tag(names.oc, local)
                        }
                    }
                };
                let body = write_text(text);
                if body.is_empty() && !nested {
                    out.push_str(&format!("<{name}/>"));
                } else if *nested {
                    out.push_str(&format!(
                        "<{name}>{body}<{}>9</{}>{body}</{name}>",
                        d("x"),
                        d("x")
                    ));
                } else {
                    out.push_str(&format!("<{name}>{body}</{name}>"));
                }
            }
            Prop::ResourceType(collection, other, foreign) => {
                let mut inner = String::new();
                if *other {
                    inner.push_str(&format!("<{}/>", tag(names.oc, "calendar")));
                }
                if *foreign {
                    inner.push_str(&format!(
                        "<{}>c</{}>",
                        tag(names.oc, "collection"),
                        tag(names.oc, "collection")
                    ));
                }
                if *collection {
                    inner.push_str(&format!("<{}/>", d("collection")));
                }
                if inner.is_empty() {
                    out.push_str(&format!("<{}/>", d("resourcetype")));
                } else {
                    out.push_str(&format!(
                        "<{}>{inner}</{}>",
                        d("resourcetype"),
                        d("resourcetype")
                    ));
                }
            }
        }
    }

    fn document(names: &Names, responses: &[Response]) -> String {
        let d = |n: &str| tag(names.dav, n);
        let dav_decl = if names.dav.is_empty() {
            "xmlns=\"DAV:\"".to_string()
        } else {
            format!("xmlns:{}=\"DAV:\"", names.dav)
        };
        let oc_decl = format!("xmlns:{}=\"{NS_OC}\"", names.oc);
        let root_decls = if names.oc_on_prop {
            dav_decl
        } else {
            format!("{dav_decl} {oc_decl}")
        };
        let mut out = format!(
            "<?xml version=\"1.0\"?>\n<{} {root_decls}>\n",
            d("multistatus")
        );
        for response in responses {
            if response.empty {
                out.push_str(&format!("<{}/>", d("response")));
                continue;
            }
            out.push_str(&format!("<{}>", d("response")));
            if names.rebind {
                let decl = if names.dav.is_empty() {
                    "xmlns=\"urn:x\"".to_string()
                } else {
                    format!("xmlns:{}=\"urn:x\"", names.dav)
                };
                out.push_str(&format!(
                    "<{ps} {decl}><{p}><{e}>zz</{e}><{r}><{c}/></{r}></{p}><{st}>HTTP/1.1 200 OK</{st}></{ps}>",
                    ps = d("propstat"),
                    p = d("prop"),
                    e = d("getetag"),
                    r = d("resourcetype"),
                    c = d("collection"),
                    st = d("status"),
                ));
            }
            for href in &response.hrefs {
                let mut text = if response.outside {
                    "/remote.php/dav/files/bob/".to_string()
                } else {
                    PREFIX.to_string()
                };
                let tail = write_text(href);
                text.push_str(&if response.encoded {
                    tail.replace(' ', "%20").replace('ü', "%C3%BC")
                } else {
                    tail
                });
                out.push_str(&format!("<{}>{text}</{}>", d("href"), d("href")));
            }
            for propstat in &response.propstats {
                out.push_str(&format!("<{}>", d("propstat")));
                let status = propstat
                    .status
                    .map(|s| format!("<{}>{s}</{}>", d("status"), d("status")))
                    .unwrap_or_default();
                if propstat.status_first {
                    out.push_str(&status);
                }
                let prop_open = if names.oc_on_prop {
                    format!("<{} {oc_decl}>", d("prop"))
                } else {
                    format!("<{}>", d("prop"))
                };
                out.push_str(&prop_open);
                for prop in &propstat.props {
                    write_prop(&mut out, names, prop);
                }
                out.push_str(&format!("</{}>", d("prop")));
                if propstat.second_prop {
                    out.push_str(&prop_open);
                    out.push_str(&format!(
                        "<{}>7</{}>",
                        d("getcontentlength"),
                        d("getcontentlength")
                    ));
                    out.push_str(&format!("</{}>", d("prop")));
                }
                if !propstat.status_first {
                    out.push_str(&status);
                }
                out.push_str(&format!("</{}>\n", d("propstat")));
            }
            out.push_str(&format!("<!-- c --></{}>\n", d("response")));
        }
        out.push_str(&format!("</{}>", d("multistatus")));
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        #[test]
        fn streaming_reads_what_the_tree_reads(names in names(), responses in prop::collection::vec(response(), 0..6)) {
            same(&document(&names, &responses));
        }

        #[test]
        fn damaged_documents_fail_alike(names in names(), responses in prop::collection::vec(response(), 1..4), cut in any::<prop::sample::Index>(), extra in 0usize..4) {
            let whole = document(&names, &responses);
            let mut cut_at = cut.index(whole.len() + 1);
            while !whole.is_char_boundary(cut_at) {
                cut_at -= 1;
            }
            let damaged = match extra {
                0 => whole[..cut_at].to_string(),
                1 => format!("{}</x>{}", &whole[..cut_at], &whole[cut_at..]),
                2 => format!("{whole}<other/>"),
                _ => format!("{whole}\n{whole}"),
            };
            same(&damaged);
        }
    }

    #[test]
    fn examples_read_alike() {
        same("");
        same("<?xml version=\"1.0\"?>");
        same("<d:multistatus xmlns:d=\"DAV:\"/>");
        same("<multistatus/>");
        same("<x:multistatus xmlns:x=\"urn:other\"></x:multistatus>");
        same("<d:multistatus xmlns:d=\"DAV:\"><d:response/></d:multistatus>");
        same("<d:multistatus xmlns:d=\"DAV:\"></d:response></d:multistatus>");
        same("</d:multistatus>");
        same(r#"<!DOCTYPE x [<!ENTITY a "b">]><d:multistatus xmlns:d="DAV:">&a;</d:multistatus>"#);
        same(&format!(
            "<d:multistatus xmlns:d=\"DAV:\">{}{}</d:multistatus>",
            "<d:x>".repeat(70),
            "</d:x>".repeat(70)
        ));
        same(
            r#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/remote.php/dav/files/alice/a&unknown;b</d:href><d:propstat><d:prop><d:getetag>&bogus;</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#,
        );
    }

    #[test]
    fn reads_a_nextcloud_listing() {
        let body = br#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:response><d:href>/remote.php/dav/files/alice/Docs/</d:href>
  <d:propstat><d:prop><d:getlastmodified>Mon, 30 Nov 2026 10:00:00 GMT</d:getlastmodified><d:resourcetype><d:collection/></d:resourcetype><oc:fileid>7</oc:fileid><oc:size>30</oc:size><d:getetag>&quot;d1&quot;</d:getetag><oc:favorite>1</oc:favorite></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
  <d:propstat><d:prop><d:getcontentlength/><d:getcontenttype/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
 </d:response>
 <d:response><d:href>/remote.php/dav/files/alice/Docs/%20%C3%BCber%20uns.md%20</d:href>
  <d:propstat><d:prop><d:resourcetype/><d:getcontentlength>12</d:getcontentlength><d:getcontenttype>text/markdown</d:getcontenttype><oc:fileid>8</oc:fileid><oc:favorite>0</oc:favorite></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
 </d:response>
</d:multistatus>"#;
        let infos = parse_file_infos(body, PREFIX).unwrap();
        assert_eq!(infos.len(), 2);
        assert_eq!(infos[0].path, "Docs");
        assert!(infos[0].is_directory());
        assert_eq!(infos[0].size, Some(30));
        assert_eq!(infos[0].etag.as_deref(), Some("d1"));
        assert!(infos[0].favorite);
        assert_eq!(infos[0].content_type, None);
        assert_eq!(infos[1].path, "Docs/ über uns.md ");
        assert_eq!(infos[1].name, " über uns.md ");
        assert_eq!(infos[1].size, Some(12));
        assert_eq!(infos[1].file_id, Some(8));
        assert_eq!(infos[1].content_type.as_deref(), Some("text/markdown"));
        assert!(!infos[1].favorite);
        same(std::str::from_utf8(body).unwrap());
    }
}
