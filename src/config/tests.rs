use super::*;

fn env_none(_: &str) -> Option<String> {
    None
}

const BASIC: &str = "nextcloud:\n  url: http://nc.local\nauth:\n  mode: basic\n  basic:\n    username: alice\n    password: secret\n";

#[test]
fn minimal_basic_config_loads_with_defaults() {
    let config = load_str(BASIC, &env_none).unwrap();
    assert_eq!(config.server.listen, "0.0.0.0:8000");
    assert!(config.server.stateful);
    assert_eq!(config.nextcloud.timeout, 30);
}

#[test]
fn unknown_key_names_path_and_line() {
    let text = "nextcloud:\n  url: http://nc.local\n  colour: blue\nauth:\n  mode: basic\n";
    let err = load_str(text, &env_none).unwrap_err().to_string();
    assert!(
        err.contains("`nextcloud.colour`") || err.contains("colour"),
        "{err}"
    );
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn wrong_type_names_path_and_line() {
    let text = format!("{BASIC}server:\n  stateful: maybe\n");
    let err = load_str(&text, &env_none).unwrap_err().to_string();
    assert!(err.contains("server.stateful"), "{err}");
    assert!(err.contains("line 9"), "{err}");
}

#[test]
fn missing_required_value_is_named() {
    let text =
        "nextcloud:\n  url: http://nc.local\nauth:\n  mode: basic\n  basic:\n    username: alice\n";
    let err = load_str(text, &env_none).unwrap_err().to_string();
    assert!(err.contains("auth.basic.password"), "{err}");
    assert!(err.contains("line 5"), "{err}");
}

#[test]
fn env_interpolation_and_missing_variable() {
    let env = |name: &str| (name == "NC").then(|| "http://from-env".to_string());
    let text = BASIC.replace("http://nc.local", "${NC}");
    assert_eq!(
        load_str(&text, &env).unwrap().nextcloud.url.as_str(),
        "http://from-env/"
    );
    let text = BASIC.replace("http://nc.local", "${NOPE}");
    let err = load_str(&text, &env_none).unwrap_err().to_string();
    assert!(err.contains("NOPE") && err.contains("line 2"), "{err}");
    let text = BASIC.replace("http://nc.local", "${NOPE:-http://default}");
    assert_eq!(
        load_str(&text, &env_none).unwrap().nextcloud.url.as_str(),
        "http://default/"
    );
}

#[test]
fn secrets_are_redacted_in_effective_config() {
    let config = load_str(BASIC, &env_none).unwrap();
    let yaml = config.redacted_yaml();
    assert!(!yaml.contains("secret"), "{yaml}");
    assert!(yaml.contains("<redacted>"));
}

#[test]
fn oauth_without_client_registers_by_default() {
    let text = "nextcloud:\n  url: http://nc.local\nauth:\n  mode: oauth\n  oauth:\n    require_pkce: true\n";
    let config = load_str(text, &env_none).unwrap();
    assert!(config.auth.oauth.unwrap().client.registration.is_some());
}

#[test]
fn comments_are_not_interpolated() {
    let text = format!("# set ${{VAR}} or ${{VAR:-default}}\n{BASIC}  # trailing ${{X}}\n");
    assert!(load_str(&text, &env_none).is_ok());
}

#[test]
fn dynamic_toolsets_need_stateful_sessions() {
    let text = format!("{BASIC}server:\n  stateful: false\ntoolsets:\n  dynamic: true\n");
    let err = load_str(&text, &env_none).unwrap_err().to_string();
    assert!(
        err.contains("toolsets.dynamic") && err.contains("X-MCP-Toolsets"),
        "{err}"
    );
    let text = format!("{BASIC}toolsets:\n  dynamic: true\n");
    assert!(load_str(&text, &env_none).is_ok());
}

#[test]
fn scopes_take_a_list_or_an_enforcement_block() {
    let oauth = "nextcloud:\n  url: https://cloud.example\nauth:\n  mode: oauth\n  oauth:\n    client:\n      id: c\n      secret: s\n";
    let short = load_str(&format!("{oauth}    scopes: [openid, email]\n"), &env_none).unwrap();
    let scopes = &short.auth.oauth.as_ref().unwrap().scopes;
    assert_eq!(scopes.advertised, vec!["openid", "email"]);
    assert!(!scopes.enforce);
    let text = format!(
        "{oauth}    scopes:\n      enforce: true\n      toolsets:\n        notes: {{read: n.r, write: n.w}}\n    validation:\n      methods: [jwt]\n"
    );
    let long = load_str(&text, &env_none).unwrap();
    let scopes = &long.auth.oauth.as_ref().unwrap().scopes;
    assert!(scopes.enforce && scopes.advertised.contains(&"openid".to_string()));
    assert_eq!(scopes.toolsets["notes"].write, "n.w");
    let err = load_str(
        &format!("{oauth}    scopes:\n      enforce: true\n"),
        &env_none,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("auth.oauth.scopes.enforce") && err.contains("userinfo"),
        "{err}"
    );
}

#[test]
fn url_credentials_are_redacted_in_the_effective_config() {
    let text = BASIC.replace("http://nc.local", "https://admin:hunter2@nc.local");
    let config = load_str(&text, &env_none).unwrap();
    let yaml = config.redacted_yaml();
    assert!(!yaml.contains("hunter2"), "{yaml}");
    assert!(yaml.contains("admin:REDACTED@nc.local"), "{yaml}");
}

#[test]
fn audience_check_is_on_by_default() {
    let text = "nextcloud:\n  url: http://nc.local\nauth:\n  mode: oauth\n  oauth:\n    client:\n      id: c\n      secret: s\n";
    let config = load_str(text, &env_none).unwrap();
    let oauth = config.auth.oauth.unwrap();
    assert!(oauth.validation.check_audience);
}

#[test]
fn workers_default_to_one_and_stay_in_range() {
    assert_eq!(load_str(BASIC, &env_none).unwrap().server.workers, 1);
    let with = |n: &str| load_str(&format!("server:\n  workers: {n}\n{BASIC}"), &env_none);
    assert_eq!(with("4").unwrap().server.workers, 4);
    for bad in ["0", "65"] {
        let err = with(bad).unwrap_err().to_string();
        assert!(
            err.contains("server.workers") && err.contains("between 1 and 64"),
            "{err}"
        );
    }
}
