//! Property tests of XML and multistatus parsing: any well-formed multistatus built from
//! arbitrary hrefs, property texts and statuses parses back to the same values; arbitrary bytes,
//! deep nesting and entity declarations give an error, never a panic, hang or expansion.

use nextcloud_mcp::nextcloud::dav::parse_multistatus;
use nextcloud_mcp::nextcloud::xml::{self, NS_DAV, NS_OC, escape};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;

/// Text as XML 1.0 allows it (no control characters other than tab/newline, no surrogates/FFFE).
fn xml_text() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| {
        s.chars()
            .filter(|c| {
                matches!(*c, '\t' | '\n')
                    || (!c.is_control() && *c != '\u{fffe}' && *c != '\u{ffff}')
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
struct Resp {
    href: String,
    name: String,
    size: u64,
    ok: bool,
}

fn resp() -> impl Strategy<Value = Resp> {
    (xml_text(), xml_text(), any::<u64>(), any::<bool>()).prop_map(|(href, name, size, ok)| Resp {
        href,
        name,
        size,
        ok,
    })
}

fn build(responses: &[Resp], prefix: &str) -> String {
    let mut out = format!(
        r#"<?xml version="1.0"?><{p}:multistatus xmlns:{p}="DAV:" xmlns:oc="http://owncloud.org/ns">"#,
        p = prefix
    );
    for r in responses {
        let href = utf8_percent_encode(&r.href, NON_ALPHANUMERIC).to_string();
        let status = if r.ok {
            "HTTP/1.1 200 OK"
        } else {
            "HTTP/1.1 404 Not Found"
        };
        out.push_str(&format!(
            "<{p}:response><{p}:href>{href}</{p}:href><{p}:propstat><{p}:prop><{p}:displayname>{}</{p}:displayname><oc:size>{}</oc:size></{p}:prop><{p}:status>{status}</{p}:status></{p}:propstat></{p}:response>",
            escape(&r.name),
            r.size,
            p = prefix
        ));
    }
    out.push_str(&format!("</{prefix}:multistatus>"));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, .. ProptestConfig::default() })]

    #[test]
    fn multistatus_round_trips(responses in prop::collection::vec(resp(), 0..12), prefix in prop_oneof![Just("d"), Just("D"), Just("dav"), Just("x")]) {
        let body = build(&responses, prefix);
        let parsed = parse_multistatus(body.as_bytes()).expect("well-formed multistatus");
        prop_assert_eq!(parsed.len(), responses.len());
        for (got, want) in parsed.iter().zip(&responses) {
            prop_assert_eq!(&got.href, &want.href);
            if want.ok {
                prop_assert_eq!(got.prop(NS_DAV, "displayname").map(|e| e.text.as_str()), Some(want.name.as_str()));
                let size = want.size.to_string();
                prop_assert_eq!(got.text(NS_OC, "size"), Some(size.as_str()));
                prop_assert!(got.missing.is_empty());
            } else {
                prop_assert!(got.props.is_empty());
                prop_assert_eq!(got.missing.len(), 2);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_multistatus(&bytes);
        let _ = xml::parse(&bytes);
    }

    #[test]
    fn mutated_multistatus_never_panics(responses in prop::collection::vec(resp(), 1..4), cut in any::<prop::sample::Index>(), junk in "[<>&;/\"'a-z:=! ]{0,8}") {
        let body = build(&responses, "d");
        let at = cut.index(body.len());
        let at = (0..=at).rev().find(|i| body.is_char_boundary(*i)).unwrap_or(0);
        let mutated = format!("{}{}{}", &body[..at], junk, &body[at..]);
        let _ = parse_multistatus(mutated.as_bytes());
        let truncated = &body[..at];
        prop_assert!(parse_multistatus(truncated.as_bytes()).is_err() || at == body.len());
    }

    #[test]
    fn deep_nesting_is_refused(depth in 65usize..5000) {
        let body = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        prop_assert!(xml::parse(body.as_bytes()).is_err());
    }

    #[test]
    fn entity_declarations_are_refused(name in "[a-z]{1,8}", value in "[a-z]{0,16}") {
        let body = format!(
            r#"<?xml version="1.0"?><!DOCTYPE d:multistatus [<!ENTITY {name} "{value}{value}"><!ENTITY ext SYSTEM "file:///etc/passwd">]><d:multistatus xmlns:d="DAV:"><d:response><d:href>&{name};&ext;</d:href></d:response></d:multistatus>"#
        );
        prop_assert!(parse_multistatus(body.as_bytes()).is_err());
    }

    #[test]
    fn undeclared_entities_stay_literal(name in "[a-z]{2,8}") {
        prop_assume!(!["lt", "gt", "amp", "apos", "quot"].contains(&name.as_str()));
        let body = format!(r#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/x&{name};</d:href></d:response></d:multistatus>"#);
        if let Ok(parsed) = parse_multistatus(body.as_bytes()) {
            prop_assert!(parsed[0].href.len() <= body.len());
        }
    }
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut doc = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    doc.push_str("]><d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>&lol9;</d:href></d:response></d:multistatus>");
    let started = std::time::Instant::now();
    assert!(parse_multistatus(doc.as_bytes()).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

/// The former `parse_multistatus`: walks the tree and deep-clones every property. The current one
/// moves them out of the consumed tree; both must give the same responses.
fn parse_multistatus_cloning(
    body: &[u8],
) -> Result<Vec<nextcloud_mcp::nextcloud::dav::DavResponse>, String> {
    use nextcloud_mcp::nextcloud::dav::{DavResponse, decode, status_code};
    let root = xml::parse(body).map_err(|e| e.to_string())?;
    if !root.is(NS_DAV, "multistatus") {
        return Err(format!("expected d:multistatus, got {}", root.name));
    }
    let mut out = Vec::new();
    for response in root.children_named(NS_DAV, "response") {
        let href = response
            .child_text(NS_DAV, "href")
            .map(|h| decode(h.trim()))
            .unwrap_or_default();
        let mut props = Vec::new();
        let mut missing = Vec::new();
        for propstat in response.children_named(NS_DAV, "propstat") {
            let ok = propstat
                .child_text(NS_DAV, "status")
                .and_then(status_code)
                .is_some_and(|s| (200..300).contains(&s));
            if let Some(prop) = propstat.child(NS_DAV, "prop") {
                for p in &prop.children {
                    if ok {
                        props.push(p.clone());
                    } else {
                        missing.push((p.ns.clone(), p.name.clone()));
                    }
                }
            }
        }
        let status = response.child_text(NS_DAV, "status").and_then(status_code);
        out.push(DavResponse {
            href,
            props,
            missing,
            status,
        });
    }
    Ok(out)
}

/// One piece of a `<d:response>`: its parts in any order, repeated or missing.
fn response_part() -> impl Strategy<Value = String> {
    let text = "[a-z0-9 %&;.<>/-]{0,12}".prop_map(|t| escape(&t));
    let prop = prop_oneof![
        text.clone()
            .prop_map(|t| format!("<d:getetag>{t}</d:getetag>")),
        text.clone()
            .prop_map(|t| format!("<oc:size> {t} </oc:size>")),
        Just("<d:resourcetype><d:collection/></d:resourcetype>".to_string()),
        Just("<d:resourcetype/>".to_string()),
        text.clone().prop_map(|t| format!(
            "<x:custom xmlns:x=\"urn:x\" a=\"{t}\"><x:in>{t}</x:in>{t}</x:custom>"
        )),
    ];
    let status = prop_oneof![
        Just("HTTP/1.1 200 OK"),
        Just("HTTP/1.1 404 Not Found"),
        Just("junk"),
        Just("HTTP/1.1 201 Created")
    ];
    prop_oneof![
        text.clone()
            .prop_map(|t| format!("<d:href>/remote.php/dav/files/a/{t}</d:href>")),
        status
            .clone()
            .prop_map(|s| format!("<d:status>{s}</d:status>")),
        (
            prop::collection::vec(prop.clone(), 0..4),
            status.clone(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(props, s, with_status, two_props)| {
                let inner = props.concat();
                let extra = if two_props {
                    "<d:prop><d:getetag>second</d:getetag></d:prop>"
                } else {
                    ""
                };
                let st = if with_status {
                    format!("<d:status>{s}</d:status>")
                } else {
                    String::new()
                };
                format!("<d:propstat><d:prop>{inner}</d:prop>{extra}{st}</d:propstat>")
            }),
        Just("<d:other>x</d:other>".to_string()),
    ]
}

proptest! {
    #[test]
    fn moving_props_matches_cloning_them(
        responses in prop::collection::vec(prop::collection::vec(response_part(), 0..6), 0..8),
        stray in any::<bool>(),
    ) {
        let mut body = String::from("<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\" xmlns:oc=\"http://owncloud.org/ns\">");
        for parts in &responses {
            body.push_str("<d:response>");
            body.push_str(&parts.concat());
            body.push_str("</d:response>");
            if stray {
                body.push_str("<d:sync-token>t</d:sync-token>");
            }
        }
        body.push_str("</d:multistatus>");
        let new = parse_multistatus(body.as_bytes());
        let old = parse_multistatus_cloning(body.as_bytes());
        prop_assert_eq!(new.is_ok(), old.is_ok());
        if let (Ok(new), Ok(old)) = (new, old) {
            prop_assert_eq!(new.len(), old.len());
            for (n, o) in new.iter().zip(&old) {
                prop_assert_eq!(&n.href, &o.href);
                prop_assert_eq!(&n.props, &o.props);
                prop_assert_eq!(&n.missing, &o.missing);
                prop_assert_eq!(n.status, o.status);
            }
        }
    }
}
