//! The vendored rmcp lists `tools/call` and `tools/list` first in its untagged `ClientRequest`
//! union (`vendor/rmcp-request-order.patch`). Each typed variant accepts one method only and
//! `CustomRequest`, which accepts any, stays last, so every message must parse to the variant
//! it parsed to before the change: the typed one for its method, `CustomRequest` otherwise.

use rmcp::model::{ClientJsonRpcMessage, ClientRequest};
use serde_json::{Value, json};

fn parse_request(method: &str, params: Option<Value>) -> ClientRequest {
    let mut message = json!({"jsonrpc": "2.0", "id": 7, "method": method});
    if let Some(params) = params {
        message["params"] = params;
    }
    match serde_json::from_value::<ClientJsonRpcMessage>(message) {
        Ok(ClientJsonRpcMessage::Request(request)) => request.request,
        other => panic!("{method}: not parsed as a request: {other:?}"),
    }
}

#[test]
fn each_method_parses_to_its_own_typed_variant() {
    let cases: [(&str, Option<Value>); 13] = [
        (
            "tools/call",
            Some(json!({"name": "nc_notes_get_note", "arguments": {"note_id": 1}})),
        ),
        ("tools/list", None),
        ("tools/list", Some(json!({"cursor": "2"}))),
        ("ping", None),
        (
            "initialize",
            Some(json!({"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "t", "version": "1"}})),
        ),
        ("resources/list", None),
        ("resources/templates/list", None),
        ("resources/read", Some(json!({"uri": "nc://capabilities"}))),
        (
            "resources/subscribe",
            Some(json!({"uri": "nc://capabilities"})),
        ),
        (
            "resources/unsubscribe",
            Some(json!({"uri": "nc://capabilities"})),
        ),
        ("prompts/list", None),
        ("prompts/get", Some(json!({"name": "p"}))),
        ("logging/setLevel", Some(json!({"level": "info"}))),
    ];
    for (method, params) in cases {
        let request = parse_request(method, params);
        assert_eq!(request.method(), method);
        assert!(
            !matches!(request, ClientRequest::CustomRequest(_)),
            "{method} fell through to CustomRequest"
        );
    }
    assert!(matches!(
        parse_request("tools/call", Some(json!({"name": "x"}))),
        ClientRequest::CallToolRequest(_)
    ));
    assert!(matches!(
        parse_request("tools/list", None),
        ClientRequest::ListToolsRequest(_)
    ));
    assert!(matches!(
        parse_request("ping", None),
        ClientRequest::PingRequest(_)
    ));
}

#[test]
fn a_known_method_with_bad_params_and_an_unknown_method_stay_custom() {
    // As before the reordering: the typed variant refuses the params, every later typed
    // variant refuses the method, and the catch-all keeps the method for the error answer.
    for (method, params) in [
        ("tools/call", json!({"arguments": {"note_id": 1}})),
        ("tools/call", json!({"name": 5})),
        ("resources/read", json!({})),
        ("no/such/method", json!({"a": 1})),
    ] {
        let request = parse_request(method, Some(params.clone()));
        match request {
            ClientRequest::CustomRequest(custom) => {
                assert_eq!(custom.method, method);
                assert_eq!(custom.params, Some(params));
            }
            other => panic!("{method}: expected CustomRequest, got {other:?}"),
        }
    }
}

#[test]
fn call_arguments_survive_the_parse_unchanged() {
    let arguments = json!({"note_id": 12, "nested": {"a": [1, "two", null]}});
    match parse_request(
        "tools/call",
        Some(json!({"name": "nc_notes_get_note", "arguments": arguments.clone()})),
    ) {
        ClientRequest::CallToolRequest(call) => {
            assert_eq!(call.params.name, "nc_notes_get_note");
            assert_eq!(call.params.arguments.map(Value::Object), Some(arguments));
        }
        other => panic!("expected CallToolRequest, got {other:?}"),
    }
}
