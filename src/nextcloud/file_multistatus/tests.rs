//! The streaming reader against the tree path (`parse_multistatus` + `file_info`): generated
//! multistatus documents (prefixes, declarations, escapes, CDATA, spaces, 404 propstats,
//! duplicates, damage) must give the same files, response counts and errors.

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

/// Namespace declarations the generated documents do not make: reserved prefixes and URIs
/// (errors in quick-xml's resolver), undeclarations, an empty prefix, declarations on an
/// empty element and on the response, unprefixed elements without a default namespace.
#[test]
fn namespace_edge_cases_read_alike() {
    let response = r#"<d:response><d:href>/remote.php/dav/files/alice/a</d:href><d:propstat><d:prop><d:getetag>e</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#;
    for root in [
        r#"<d:multistatus xmlns:d="DAV:" xmlns:xml="urn:x">"#,
        r#"<d:multistatus xmlns:d="DAV:" xmlns:xml="http://www.w3.org/XML/1998/namespace">"#,
        r#"<d:multistatus xmlns:d="DAV:" xmlns:xmlns="DAV:">"#,
        r#"<d:multistatus xmlns:d="DAV:" xmlns:p="http://www.w3.org/XML/1998/namespace">"#,
        r#"<d:multistatus xmlns:d="DAV:" xmlns:p="http://www.w3.org/2000/xmlns/">"#,
        r#"<d:multistatus xmlns:d="DAV:" xmlns:="urn:x">"#,
        r#"<d:multistatus xmlns:d="DAV:" xmlns="DAV:" xmlns:d="urn:x">"#,
        r#"<d:multistatus xmlns:d="DAV:" data-xmlns="1" a='x' b>"#,
    ] {
        same(&format!("{root}{response}</d:multistatus>"));
    }
    for response in [
        r#"<d:response xmlns:d="urn:x"><d:href>/remote.php/dav/files/alice/a</d:href></d:response>"#,
        r#"<d:response><d:href xmlns:d="">/remote.php/dav/files/alice/a</d:href><d:href>/remote.php/dav/files/alice/b</d:href></d:response>"#,
        r#"<d:response><x xmlns="DAV:"/><d:href>/remote.php/dav/files/alice/c</d:href><d:propstat xmlns:d="DAV:"><d:prop xmlns:d="urn:y"/><d:prop><d:getetag>e</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#,
        r#"<response><href>/remote.php/dav/files/alice/d</href></response>"#,
        r#"<d:response><d:href>/remote.php/dav/files/alice/e</d:href><d:propstat><d:prop><d:resourcetype xmlns:d="urn:z"><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#,
    ] {
        same(&format!(
            r#"<d:multistatus xmlns:d="DAV:">{response}</d:multistatus>"#
        ));
        same(&format!(
            r#"<multistatus xmlns="DAV:" xmlns:d="DAV:">{response}</multistatus>"#
        ));
    }
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
