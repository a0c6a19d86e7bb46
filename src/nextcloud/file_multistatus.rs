//! Streaming reader of a files multistatus (PROPFIND, SEARCH, `oc:filter-files` REPORT):
//! quick-xml events become [`FileInfo`]s directly, keeping only the file properties of the
//! response being read. No element tree is built and nothing is cloned: texts without entities
//! are borrowed from the body until they become a [`FileInfo`]'s fields. The answer is the one
//! [`super::dav::parse_multistatus`] + [`super::webdav::file_info`] give, errors included
//! (the property tests in this module hold the two against each other).

use std::borrow::Cow;

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::name::{NamespaceError, PrefixDeclaration};
use quick_xml::reader::Reader;

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
/// successful (2xx) propstats, exactly as sent (`Some("")` when present but empty), borrowed
/// from the document where it can be.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileProps<'a> {
    /// Texts of [`TEXT_PROPS`], by index.
    pub texts: [Option<Cow<'a, str>>; 7],
    /// `Some(true)` when `d:resourcetype` holds `d:collection`, `None` without `d:resourcetype`.
    pub collection: Option<bool>,
}

impl<'a> FileProps<'a> {
    /// The properties of a response read by the tree parser.
    pub fn from_response(response: &'a super::dav::DavResponse) -> Self {
        Self {
            texts: TEXT_PROPS.map(|(ns, name)| {
                response
                    .prop(ns, name)
                    .map(|p| Cow::Borrowed(p.text.as_str()))
            }),
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

    /// Trimmed text of a property, if present and non-empty, as an owned string (an owned
    /// text is moved when trimming leaves it as it is).
    fn take_text(&mut self, index: usize) -> Option<String> {
        let text = self.texts[index].take()?;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            None
        } else if trimmed.len() == text.len() {
            Some(text.into_owned())
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
    fn merge(&mut self, found: FileProps<'a>) {
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

/// [`TEXT_PROPS`] as the reader matches them.
const TEXT_PROP_NAMES: [(Ns, &[u8]); 7] = [
    (Ns::Dav, b"getcontentlength"),
    (Ns::Oc, b"size"),
    (Ns::Dav, b"getcontenttype"),
    (Ns::Dav, b"getlastmodified"),
    (Ns::Dav, b"getetag"),
    (Ns::Oc, b"fileid"),
    (Ns::Oc, b"favorite"),
];

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

/// The namespace declarations in scope, as quick-xml's `NsReader` keeps them (same
/// resolution, same errors), but looked at only on elements that declare some: each binding's
/// URI is classified once, when it is declared, not on every element.
#[derive(Default)]
struct Scopes {
    /// (prefix, `None` for the default namespace; its namespace), innermost last.
    bindings: Vec<(Option<Vec<u8>>, Ns)>,
    /// Number of bindings before each open element that declares namespaces.
    marks: Vec<usize>,
}

/// The reserved namespaces (Namespaces in XML 1.0, section 3).
const XML_NAMESPACE: &[u8] = b"http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE: &[u8] = b"http://www.w3.org/2000/xmlns/";

impl Scopes {
    /// Opens the scope of an element's declarations.
    fn push(&mut self, start: &BytesStart) -> Result<(), NamespaceError> {
        self.marks.push(self.bindings.len());
        for attribute in start.attributes().with_checks(false) {
            let Ok(attribute) = attribute else { break };
            let value = attribute.value.as_ref();
            match attribute.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => self.bindings.push((None, Ns::of(value))),
                Some(PrefixDeclaration::Named(b"xml")) if value != XML_NAMESPACE => {
                    return Err(NamespaceError::InvalidXmlPrefixBind(value.to_vec()));
                }
                Some(PrefixDeclaration::Named(b"xml")) => {}
                Some(PrefixDeclaration::Named(b"xmlns")) => {
                    return Err(NamespaceError::InvalidXmlnsPrefixBind(value.to_vec()));
                }
                Some(PrefixDeclaration::Named(prefix)) => {
                    if value == XML_NAMESPACE {
                        return Err(NamespaceError::InvalidPrefixForXml(prefix.to_vec()));
                    }
                    if value == XMLNS_NAMESPACE {
                        return Err(NamespaceError::InvalidPrefixForXmlns(prefix.to_vec()));
                    }
                    // `xmlns:="…"` binds the default namespace, as in quick-xml.
                    let prefix = (!prefix.is_empty()).then(|| prefix.to_vec());
                    self.bindings.push((prefix, Ns::of(value)));
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Closes the scope of the innermost element that declared namespaces.
    fn pop(&mut self) {
        if let Some(mark) = self.marks.pop() {
            self.bindings.truncate(mark);
        }
    }

    /// The namespace of an element prefix (an undeclared prefix, an undeclaration
    /// `xmlns:p=""` and the reserved prefixes are [`Ns::Other`]).
    fn resolve(&self, prefix: Option<&[u8]>) -> Ns {
        self.bindings
            .iter()
            .rev()
            .find(|(bound, _)| bound.as_deref() == prefix)
            .map_or(Ns::Other, |(_, ns)| *ns)
    }
}

/// Namespaces of element prefixes as resolved, kept until a namespace declaration comes into
/// or goes out of scope (in a listing: only the root declares any). It looks like a mirror of
/// [`Scopes`], but it holds only the prefixes actually used: resolving through `Scopes` alone
/// costs a 500-entry listing 0.32 M more instructions (callgrind, measured).
#[derive(Default)]
struct NsCache {
    /// (prefix, `None` for none; namespace).
    entries: Vec<(Option<Vec<u8>>, Ns)>,
}

impl NsCache {
    fn resolve(&mut self, scopes: &Scopes, prefix: Option<&[u8]>) -> Ns {
        if let Some((_, ns)) = self.entries.iter().find(|(p, _)| p.as_deref() == prefix) {
            return *ns;
        }
        let ns = scopes.resolve(prefix);
        self.entries.push((prefix.map(<[u8]>::to_vec), ns));
        ns
    }
}

/// True when an element may declare namespaces (a false alarm only costs a look at its
/// attributes and a cache refill).
fn declares_namespaces(start: &BytesStart) -> bool {
    let raw = start.attributes_raw();
    !raw.is_empty() && memchr::memmem::find(raw, b"xmlns").is_some()
}

/// The namespace declarations of an opening element come into scope (the cache is emptied
/// when there are any); says whether the element declares any.
fn declare(scopes: &mut Scopes, names: &mut NsCache, start: &BytesStart) -> Result<bool, String> {
    if !declares_namespaces(start) {
        return Ok(false);
    }
    names.entries.clear();
    scopes
        .push(start)
        .map_err(|e| XmlError::Malformed(quick_xml::Error::from(e).to_string()).to_string())?;
    Ok(true)
}

/// The declarations of a closing element go out of scope.
fn undeclare(scopes: &mut Scopes, names: &mut NsCache) {
    scopes.pop();
    names.entries.clear();
}

/// `bytes` as text, invalid UTF-8 replaced: the same as `String::from_utf8_lossy`, but valid
/// text (nearly all of it) is checked by `str::from_utf8`, which is several times faster.
fn lossy(bytes: Cow<'_, [u8]>) -> Cow<'_, str> {
    match bytes {
        Cow::Borrowed(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        },
        Cow::Owned(bytes) => Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
    }
}

/// A text piece as it reads: entities expanded (an unknown one kept literally, never
/// expanded), borrowed from the document when there is nothing to expand.
fn text_of<'a>(text: BytesText<'a>) -> Cow<'a, str> {
    if memchr::memchr(b'&', &text).is_none() {
        return lossy(text.into_inner());
    }
    match text.unescape() {
        Ok(value) => value,
        Err(_) => lossy(text.into_inner()),
    }
}

/// What has been read so far.
#[derive(Default)]
struct Page {
    /// The files of the responses below the prefix.
    infos: Vec<FileInfo>,
    /// Number of responses read.
    responses: usize,
}

/// The response and propstat being read; texts borrow from the document until an entity,
/// CDATA or a second piece of text makes them owned.
#[derive(Default)]
struct Open<'a> {
    href: Cow<'a, str>,
    href_seen: bool,
    props: FileProps<'a>,
    status: Cow<'a, str>,
    status_seen: bool,
    prop_seen: bool,
    propstat: FileProps<'a>,
}

impl Open<'_> {
    fn begin_response(&mut self) {
        self.href = Cow::Borrowed("");
        self.href_seen = false;
        self.props = FileProps::default();
    }

    fn begin_propstat(&mut self) {
        self.status = Cow::Borrowed("");
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
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(false);
    // Open elements, with whether each declares namespaces.
    let mut stack: Vec<(Node, bool)> = Vec::with_capacity(16);
    let mut scopes = Scopes::default();
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
                let declares = declare(&mut scopes, &mut names, &start)?;
                let at = Position {
                    scopes: &scopes,
                    stack: &stack,
                };
                let node = open_node(&mut open, &mut root, &mut out, &mut names, at, &start);
                stack.push((node, declares));
                if stack.len() > MAX_DEPTH {
                    return Err(XmlError::TooDeep.to_string());
                }
            }
            Event::Empty(start) => {
                let declares = declare(&mut scopes, &mut names, &start)?;
                let at = Position {
                    scopes: &scopes,
                    stack: &stack,
                };
                let node = open_node(&mut open, &mut root, &mut out, &mut names, at, &start);
                if declares {
                    undeclare(&mut scopes, &mut names);
                }
                close_node(&mut open, &mut out, node, prefix);
            }
            Event::End(_) => {
                let Some((node, declared)) = stack.pop() else {
                    return Err(XmlError::Malformed("unbalanced end tag".into()).to_string());
                };
                if declared {
                    undeclare(&mut scopes, &mut names);
                }
                close_node(&mut open, &mut out, node, prefix);
            }
            Event::Text(text) => {
                if let Some(target) = text_target(&mut open, stack.last().map(|(node, _)| node)) {
                    append(target, text_of(text));
                }
            }
            Event::CData(data) => {
                if let Some(target) = text_target(&mut open, stack.last().map(|(node, _)| node)) {
                    append(target, lossy(data.into_inner()));
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
struct Position<'r> {
    scopes: &'r Scopes,
    stack: &'r [(Node, bool)],
}

/// Classifies an element opened below the current top of the stack (its own declarations
/// already in scope), starting the response or propstat state it begins.
fn open_node(
    open: &mut Open<'_>,
    root: &mut Option<(String, bool)>,
    out: &mut Page,
    names: &mut NsCache,
    at: Position,
    start: &BytesStart,
) -> Node {
    'classify: {
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
        let (local, prefix) = name.decompose();
        let ns = names.resolve(at.scopes, prefix.map(|p| p.into_inner()));
        let local = local.into_inner();
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
    }
}

/// A property element of the propstat being read: only its first occurrence counts.
fn prop_node(open: &mut Open<'_>, ns: Ns, local: &[u8]) -> Node {
    if ns == Ns::Dav && local == b"resourcetype" {
        if open.propstat.collection.is_some() {
            return Node::Other;
        }
        open.propstat.collection = Some(false);
        return Node::ResourceType;
    }
    let found = TEXT_PROP_NAMES
        .iter()
        .position(|(n, name)| *name == local && *n == ns);
    match found {
        Some(index) if open.propstat.texts[index].is_none() => {
            open.propstat.texts[index] = Some(Cow::Borrowed(""));
            Node::Text(index)
        }
        _ => Node::Other,
    }
}

/// Ends an element: a propstat hands its properties to the response when its status is 2xx,
/// a response becomes a [`FileInfo`].
fn close_node(open: &mut Open<'_>, out: &mut Page, node: Node, prefix: &str) {
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
                None => Cow::Borrowed(href),
                Some(_) => Cow::Owned(decode(href)),
            };
            if let Some(info) = std::mem::take(&mut open.props).file_info(prefix, &href) {
                out.infos.push(info);
            }
        }
        _ => {}
    }
}

/// Adds a piece of text to what an element holds so far (borrowed while it is the only piece).
fn append<'a>(target: &mut Cow<'a, str>, piece: Cow<'a, str>) {
    if target.is_empty() {
        *target = piece;
    } else {
        target.to_mut().push_str(&piece);
    }
}

/// Where text directly inside the element on top of the stack goes, if it is kept.
fn text_target<'o, 'a>(open: &'o mut Open<'a>, top: Option<&Node>) -> Option<&'o mut Cow<'a, str>> {
    match top? {
        Node::Href => Some(&mut open.href),
        Node::Status => Some(&mut open.status),
        Node::Text(index) => open.propstat.texts[*index].as_mut(),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
