//! docs/configuration.md's tables against the parser: every documented default is the value
//! the parser applies to a file that leaves the key out, and the documented shortcuts (no
//! `auth`, `auth: {}`, `auth: {mode: oauth}` without `client`, env-only) work.

use nextcloud_mcp::config::{self, AuthMode, Config};
use nextcloud_mcp::tools::known;
use serde_json::Value;

const DOCS: &str = include_str!("../docs/configuration.md");

fn no_env(_: &str) -> Option<String> {
    None
}

fn load(text: &str) -> Config {
    config::load_str(text, &no_env).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The effective configuration as JSON, with `toolsets.enabled` filled as `check-config` does.
fn effective(mut config: Config) -> Value {
    config.toolsets.enabled = Some(known::effective_enabled(&config.toolsets));
    serde_json::to_value(&config).unwrap()
}

fn at<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(value, |v, k| v.get(k))
}

/// `(key, default cell)` for each row of every table whose first column is a config key.
fn documented_rows() -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for line in DOCS.lines() {
        // `a` \| `b` inside a cell is not a column separator.
        let line = line.replace("\\|", "/");
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 5 || !cells[1].starts_with('`') {
            continue;
        }
        let key = cells[1].trim_matches('`').split('`').next().unwrap_or("");
        let sections = [
            "server.",
            "nextcloud.",
            "auth.",
            "toolsets.",
            "logging.",
            "metrics.",
        ];
        if !sections.iter().any(|s| key.starts_with(s)) || cells[3].contains("Overrides") {
            continue;
        }
        rows.push((key.to_string(), cells[3].to_string()));
    }
    rows
}

fn normalise(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.trim_end_matches('/').to_string()),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        other => other.clone(),
    }
}

/// What the default cell promises, as a JSON value; `None` for "required".
fn promised(cell: &str, nextcloud_url: &str) -> Option<Value> {
    if cell.starts_with("required") {
        return None;
    }
    if cell.starts_with("unset") && !cell.contains('`') {
        return Some(Value::Null);
    }
    if cell.starts_with("present") {
        return Some(Value::String("<present>".into()));
    }
    let literal = match cell.split('`').nth(1) {
        Some(inner) => inner,
        None => cell,
    };
    let literal = literal.replace("<nextcloud.url>", nextcloud_url);
    let parsed: Value = yaml_serde::from_str(&literal).unwrap_or(Value::String(literal));
    Some(normalise(&parsed))
}

#[test]
fn every_default_in_the_docs_tables_is_what_the_parser_applies() {
    let oauth = effective(load("nextcloud:\n  url: http://nc.local\n"));
    let basic = effective(load(
        "nextcloud:\n  url: http://nc.local\nauth:\n  mode: basic\n  basic:\n    username: alice\n    password: pw\n",
    ));
    let rows = documented_rows();
    assert!(rows.len() >= 40, "only {} rows found", rows.len());
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (key, cell) in &rows {
        // A key with a placeholder (`toolsets.<toolset>.read`) names many keys, not one.
        if key.contains('<') {
            continue;
        }
        let Some(want) = promised(cell, "http://nc.local") else {
            continue;
        };
        let doc = if key.starts_with("auth.basic") {
            &basic
        } else {
            &oauth
        };
        // "unset (= `url`)": the value of a sibling key.
        let want = match cell.split_once("(= `") {
            Some((_, rest)) => {
                let sibling = rest.split('`').next().unwrap_or("");
                let section = key.rsplit_once('.').map(|(s, _)| s).unwrap_or("");
                normalise(at(doc, &format!("{section}.{sibling}")).unwrap_or(&Value::Null))
            }
            None => want,
        };
        let got = at(doc, key).map(normalise).unwrap_or(Value::Null);
        let ok = match &want {
            Value::String(s) if s == "<present>" => got.is_object(),
            _ => got == want,
        };
        checked += 1;
        if !ok {
            wrong.push(format!("{key}: docs say {cell}, parser gives {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} rows differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked >= 35, "only {checked} rows checked");
}

#[test]
fn required_rows_are_refused_when_missing() {
    for (key, cell) in documented_rows() {
        if !cell.starts_with("required") {
            continue;
        }
        let text = match key.as_str() {
            "nextcloud.url" => "nextcloud: {}\nauth:\n  mode: oauth\n".to_string(),
            "auth.basic.username" => {
                "nextcloud:\n  url: http://nc.local\nauth:\n  mode: basic\n  basic:\n    password: pw\n".into()
            }
            "auth.basic.password" => {
                "nextcloud:\n  url: http://nc.local\nauth:\n  mode: basic\n  basic:\n    username: alice\n".into()
            }
            other => panic!("no check for required key {other}"),
        };
        let err = config::load_str(&text, &no_env).unwrap_err().to_string();
        let field = key.rsplit('.').next().unwrap();
        assert!(err.contains(field), "{key}: {err}");
    }
}

#[test]
fn a_file_without_auth_means_oauth_with_a_registered_client() {
    let config = load("nextcloud:\n  url: https://cloud.example.com\n");
    assert_eq!(config.auth.mode, AuthMode::Oauth);
    let oauth = config.auth.oauth.expect("oauth defaults");
    let registration = oauth.client.registration.expect("registration by default");
    assert_eq!(
        registration.redirect_uris[0].as_str(),
        "http://localhost:8000/oauth/callback"
    );
    assert_eq!(
        oauth.discovery_url.unwrap().as_str(),
        "https://cloud.example.com/.well-known/openid-configuration"
    );
}

#[test]
fn empty_auth_block_means_oauth() {
    let config = load("nextcloud:\n  url: https://cloud.example.com\nauth: {}\n");
    assert_eq!(config.auth.mode, AuthMode::Oauth);
    assert!(config.auth.oauth.unwrap().client.registration.is_some());
}

#[test]
fn oauth_mode_without_client_block_registers() {
    let config = load(
        "server:\n  public_url: https://mcp.example.com\nnextcloud:\n  url: https://cloud.example.com\nauth: {mode: oauth}\n",
    );
    let registration = config.auth.oauth.unwrap().client.registration.unwrap();
    assert_eq!(
        registration.redirect_uris[0].as_str(),
        "https://mcp.example.com/oauth/callback"
    );
}

#[test]
fn check_config_output_has_no_nulls() {
    for text in [
        "nextcloud:\n  url: https://cloud.example.com\n",
        "nextcloud:\n  url: https://cloud.example.com\nauth:\n  mode: basic\n  basic: {username: a, password: b}\n",
    ] {
        let mut config = load(text);
        config.toolsets.enabled = Some(known::effective_enabled(&config.toolsets));
        let yaml = config.redacted_yaml();
        assert!(!yaml.contains("null"), "{yaml}");
        assert!(
            yaml.contains("public_url: http://localhost:8000/"),
            "{yaml}"
        );
        assert!(yaml.contains("- notes"), "{yaml}");
    }
}

#[test]
fn relative_secret_files_resolve_against_the_config_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("secrets")).unwrap();
    std::fs::write(dir.path().join("secrets/app-password"), "s3cret\n").unwrap();
    let file = dir.path().join("nextcloud-mcp.yaml");
    std::fs::write(
        &file,
        "nextcloud:\n  url: http://nc.local\nauth:\n  mode: basic\n  basic:\n    username: alice\n    password_file: secrets/app-password\n",
    )
    .unwrap();
    // The working directory is the crate root, not the config folder.
    let config = config::load_file(&file).unwrap();
    assert_eq!(
        config.auth.basic.unwrap().password.as_deref(),
        Some("s3cret")
    );
}

#[test]
fn environment_alone_gives_basic_mode_on_loopback() {
    let env = |name: &str| {
        match name {
            "NEXTCLOUD_HOST" => Some("https://cloud.example.com"),
            "NEXTCLOUD_USERNAME" => Some("alice"),
            "NEXTCLOUD_PASSWORD" => Some("app-pw"),
            _ => None,
        }
        .map(String::from)
    };
    let config = config::load_env(&env).unwrap();
    assert_eq!(config.auth.mode, AuthMode::Basic);
    assert_eq!(config.server.listen, "127.0.0.1:8000");
    let basic = config.auth.basic.unwrap();
    assert_eq!(
        (basic.username.as_str(), basic.password.as_deref()),
        ("alice", Some("app-pw"))
    );
}

#[test]
fn reference_architecture_env_names_are_accepted() {
    let env = |name: &str| {
        match name {
            "NEXTCLOUD_HOST" => Some("https://cloud.example.com"),
            "NEXTCLOUD_OIDC_CLIENT_ID" => Some("abc123"),
            "NEXTCLOUD_OIDC_CLIENT_SECRET" => Some("xyz789"),
            "NEXTCLOUD_MCP_SERVER_URL" => Some("https://mcp.example.com"),
            _ => None,
        }
        .map(String::from)
    };
    let config = config::load_env(&env).unwrap();
    assert_eq!(config.auth.mode, AuthMode::Oauth);
    assert_eq!(config.public_url().as_str(), "https://mcp.example.com/");
    let client = config.auth.oauth.unwrap().client;
    assert_eq!(client.id.as_deref(), Some("abc123"));
    assert_eq!(client.secret.as_deref(), Some("xyz789"));
    assert!(client.registration.is_none());

    let storage = |name: &str| {
        match name {
            "NEXTCLOUD_HOST" => Some("https://cloud.example.com"),
            "NEXTCLOUD_OIDC_CLIENT_STORAGE" => Some("/data/client.json"),
            _ => None,
        }
        .map(String::from)
    };
    let config = config::load_env(&storage).unwrap();
    let registration = config.auth.oauth.unwrap().client.registration.unwrap();
    assert_eq!(registration.storage_path, "/data/client.json");
}

#[test]
fn config_imports_nothing_of_ours() {
    // Layering: checks that need the tool registry live in `tools::known`, not in src/config.
    for entry in std::fs::read_dir("src/config").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines().filter(|l| l.trim_start().starts_with("use ")) {
            assert!(
                !line.contains("crate::"),
                "{}: `{}` reaches outside src/config",
                path.display(),
                line.trim()
            );
        }
    }
}
