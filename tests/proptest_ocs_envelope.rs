//! Property tests of the OCS envelope: an answer is a success exactly when its statuscode is 100
//! (v1) or 2xx (v2); everything else (any number, any HTTP status, missing or odd fields) is an
//! error, never a panic and never a success.

use nextcloud_mcp::nextcloud::ocs::unwrap_envelope;
use proptest::prelude::*;
use serde_json::{Value, json};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn statuscode() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(100u64),
        Just(200),
        Just(997),
        Just(998),
        Just(996),
        Just(404),
        Just(65_536 + 100),
        Just(65_536 + 200),
        Just(4_294_967_296 + 100),
        0u64..1000,
        any::<u64>(),
    ]
}

fn is_success(code: u64) -> bool {
    code == 100 || (200..300).contains(&code)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn success_iff_ok_statuscode(code in statuscode(), http in prop_oneof![Just(200u16), Just(400u16), Just(401u16), Just(404u16), 100u16..600], data in json_value(), message in any::<Option<String>>()) {
        let body = json!({"ocs": {"meta": {"status": if is_success(code) {"ok"} else {"failure"}, "statuscode": code, "message": message}, "data": data}});
        let result = unwrap_envelope("test", http, body.to_string().as_bytes());
        if is_success(code) {
            // Compared with the data as serde_json reads it back (floats are not bit-exact on a round trip).
            let expected: Value = serde_json::from_str(&data.to_string()).unwrap();
            prop_assert_eq!(result.expect("ok envelope"), expected);
        } else {
            prop_assert!(result.is_err(), "statuscode {} accepted", code);
        }
    }

    #[test]
    fn odd_statuscodes_are_errors(code in json_value(), http in 100u16..600) {
        // A statuscode that is not a whole number is never a success.
        prop_assume!(!code.is_u64());
        let body = json!({"ocs": {"meta": {"statuscode": code}, "data": {"x": 1}}});
        prop_assert!(unwrap_envelope("test", http, body.to_string().as_bytes()).is_err());
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value(), http in 100u16..600) {
        let _ = unwrap_envelope("test", http, v.to_string().as_bytes());
        let wrapped = json!({"ocs": v});
        let _ = unwrap_envelope("test", http, wrapped.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), http in 100u16..600) {
        prop_assert!(unwrap_envelope("test", http, &bytes).is_err() || serde_json::from_slice::<Value>(&bytes).is_ok());
    }
}
