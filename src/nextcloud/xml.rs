//! A small namespace-aware XML tree, enough for WebDAV multistatus answers.
//! Built on quick-xml, which never fetches external entities nor expands custom ones,
//! so billion-laughs and XXE payloads are inert. Depth and size are bounded.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// WebDAV namespace.
pub const NS_DAV: &str = "DAV:";
/// ownCloud namespace (`oc:`).
pub const NS_OC: &str = "http://owncloud.org/ns";
/// Nextcloud namespace (`nc:`).
pub const NS_NC: &str = "http://nextcloud.org/ns";
/// CalDAV namespace.
pub const NS_CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
/// CardDAV namespace.
pub const NS_CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
/// Apple iCal namespace (calendar colour and order).
pub const NS_APPLE: &str = "http://apple.com/ns/ical/";
/// Sabre namespace (error bodies).
pub const NS_SABRE: &str = "http://sabredav.org/ns";

/// Deepest element nesting accepted.
pub(crate) const MAX_DEPTH: usize = 64;
/// Largest document accepted.
pub(crate) const MAX_BYTES: usize = 64 * 1024 * 1024;

/// One element: namespace, local name, attributes, direct text and children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// Namespace URI ("" when none).
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Attributes as (local name, value).
    pub attrs: Vec<(String, String)>,
    /// Concatenated text and CDATA directly inside this element.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// True when this element is `{ns}name`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// First child `{ns}name`.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    /// All children `{ns}name`.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Text of the first child `{ns}name`.
    pub fn child_text(&self, ns: &str, name: &str) -> Option<&str> {
        self.child(ns, name).map(|c| c.text.as_str())
    }

    /// Attribute by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Depth-first search for the first descendant `{ns}name`.
    pub fn find(&self, ns: &str, name: &str) -> Option<&Element> {
        for child in &self.children {
            if child.is(ns, name) {
                return Some(child);
            }
            if let Some(found) = child.find(ns, name) {
                return Some(found);
            }
        }
        None
    }
}

/// Why XML could not be read.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// Nested deeper than allowed.
    #[error("XML nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// Larger than allowed.
    #[error("XML document larger than {MAX_BYTES} bytes")]
    TooLarge,
    /// No root element.
    #[error("empty XML document")]
    Empty,
}

/// Parses a document into its root element.
pub fn parse(input: &[u8]) -> Result<Element, XmlError> {
    if input.len() > MAX_BYTES {
        return Err(XmlError::TooLarge);
    }
    let mut reader = NsReader::from_reader(input);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut buf = Vec::new();
    loop {
        let (resolved, event) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        match event {
            Event::Start(start) => {
                stack.push(element_from(&resolved, &start));
                if stack.len() > MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
            }
            Event::Empty(start) => {
                let element = element_from(&resolved, &start);
                attach(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(XmlError::Malformed("unbalanced end tag".into()));
                };
                attach(&mut stack, &mut root, done);
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    match text.unescape() {
                        Ok(value) => top.text.push_str(&value),
                        // An unknown entity is kept literally, never expanded.
                        Err(_) => top.text.push_str(&String::from_utf8_lossy(&text)),
                    }
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            Event::DocType(_) => {
                return Err(XmlError::Malformed(
                    "DOCTYPE declarations are not accepted".into(),
                ));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unclosed element".into()));
    }
    root.ok_or(XmlError::Empty)
}

fn element_from(resolved: &ResolveResult, start: &quick_xml::events::BytesStart) -> Element {
    Element {
        ns: namespace(resolved),
        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
        attrs: start
            .attributes()
            .filter_map(Result::ok)
            .filter(|a| a.key.as_ref() != b"xmlns" && !a.key.as_ref().starts_with(b"xmlns:"))
            .map(|a| {
                (
                    String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
                    a.unescape_value()
                        .map(|v| v.into_owned())
                        .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned()),
                )
            })
            .collect(),
        ..Element::default()
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, done: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
}

fn namespace(resolved: &ResolveResult) -> String {
    match resolved {
        ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
        _ => String::new(),
    }
}

/// Escapes text for inclusion in an XML body.
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}
