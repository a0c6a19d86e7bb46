//! Reading a configuration file: `${VAR}` interpolation, parsing with the key path and
//! line of any error, environment overrides, documented defaults, `*_file` secrets and
//! validation. Without a file, [`load_env`] builds the configuration from the environment.

use std::path::{Path, PathBuf};

use super::schema::{AuthMode, Config, LogLevel, OAuthConfig, RegistrationConfig};
use super::validate::validate;

/// Listen address when the configuration comes from the environment alone: loopback, as a
/// desktop or first-run setup expects.
pub const ENV_ONLY_LISTEN: &str = "127.0.0.1:8000";

/// Why a configuration could not be used. Every message names what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// `${VAR}` names a variable that is not set and has no default.
    #[error(
        "line {line}: environment variable `{var}` is not set; set it or write `${{{var}:-default}}`"
    )]
    MissingEnv {
        /// 1-based line.
        line: usize,
        /// Variable name.
        var: String,
    },
    /// The YAML is malformed, a key is unknown, a type is wrong or a required key is missing.
    #[error("{}: {message}", describe_at(path, *line))]
    Invalid {
        /// Dotted key path, empty for the document root.
        path: String,
        /// 1-based line when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A `*_file` secret could not be read.
    #[error("`{key}`: cannot read secret file {file}: {source}")]
    SecretFile {
        /// Config key that named the file.
        key: String,
        /// The file.
        file: String,
        /// The I/O failure.
        source: std::io::Error,
    },
}

fn describe_at(path: &str, line: Option<usize>) -> String {
    let key = if path.is_empty() || path == "." {
        "config".to_string()
    } else {
        format!("`{path}`")
    };
    match line {
        Some(line) => format!("{key} (line {line})"),
        None => key,
    }
}

/// Loads, interpolates, parses, applies env overrides and defaults, reads secret files
/// (relative `*_file` paths against the file's folder) and validates.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    load_str_in(&text, &|name| std::env::var(name).ok(), folder)
}

/// Same as [`load_file`] for text, with an injectable environment (for tests); relative
/// paths stay relative to the working directory.
pub fn load_str(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    load_str_in(text, env, None)
}

/// [`load_str`] with relative `*_file` and `ca_bundle` paths resolved against `folder`.
pub fn load_str_in(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    folder: Option<&Path>,
) -> Result<Config, ConfigError> {
    let expanded = interpolate(text, env)?;
    let mut config = parse(&expanded)?;
    apply_env_overrides(&mut config, env, &expanded)?;
    if let Some(folder) = folder {
        resolve_relative_paths(&mut config, folder);
    }
    read_secret_files(&mut config)?;
    apply_defaults(&mut config);
    validate(&config).map_err(|(path, message)| ConfigError::Invalid {
        line: line_of_key(&expanded, &path),
        path,
        message,
    })?;
    Ok(config)
}

/// Builds the configuration from environment variables alone (no YAML file): `NEXTCLOUD_HOST`
/// is required; with `NEXTCLOUD_USERNAME` the mode is basic, else OAuth. Listens on
/// [`ENV_ONLY_LISTEN`] unless `NEXTCLOUD_MCP_LISTEN` says otherwise.
pub fn load_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    let Some(host) = set("NEXTCLOUD_HOST") else {
        return Err(ConfigError::Invalid {
            path: "nextcloud.url".into(),
            line: None,
            message: "NEXTCLOUD_HOST is not set".into(),
        });
    };
    let mode = if set("NEXTCLOUD_USERNAME").is_some() {
        "basic"
    } else {
        "oauth"
    };
    // JSON strings are YAML strings, so the URL needs no further escaping.
    let text = format!(
        "server:\n  listen: {ENV_ONLY_LISTEN}\nnextcloud:\n  url: {}\nauth:\n  mode: {mode}\n",
        serde_json::Value::String(host)
    );
    load_str_in(&text, env, None)
}

/// Replaces `${VAR}` and `${VAR:-default}`; `$${` stays a literal `${`.
pub fn interpolate(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ConfigError> {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        // Comments are copied untouched: documentation may show `${VAR}` literally.
        let (line, comment) = line.split_at(comment_start(line));
        let mut rest = line;
        while let Some(start) = rest.find("${") {
            if start > 0 && rest.as_bytes()[start - 1] == b'$' {
                out.push_str(&rest[..start - 1]);
                out.push_str("${");
                rest = &rest[start + 2..];
                continue;
            }
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push_str(&rest[..start]);
            let inner = &rest[start + 2..start + len];
            let (name, default) = match inner.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (inner, None),
            };
            match (env(name).filter(|v| !v.is_empty()), default) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(default)) => out.push_str(default),
                (None, None) => {
                    return Err(ConfigError::MissingEnv {
                        line: index + 1,
                        var: name.to_string(),
                    });
                }
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out.push_str(comment);
    }
    Ok(out)
}

/// Byte index where a YAML comment starts (`#` at the start or after whitespace,
/// outside quotes), or the line length.
fn comment_start(line: &str) -> usize {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (index, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => return index,
            None => {}
        }
        previous = c;
    }
    line.len()
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    let deserializer = yaml_serde::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let line = inner.location().map(|loc| loc.line());
        let mut message = inner.to_string();
        // The YAML library appends its own position; keep one position, ours.
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        ConfigError::Invalid {
            line: line.or_else(|| line_of_key(text, &path)),
            path,
            message,
        }
    })
}

fn apply_env_overrides(
    config: &mut Config,
    env: &dyn Fn(&str) -> Option<String>,
    text: &str,
) -> Result<(), ConfigError> {
    let invalid = |path: &str, message: String| ConfigError::Invalid {
        path: path.into(),
        line: None,
        message,
    };
    if let Some(host) = env("NEXTCLOUD_HOST").filter(|v| !v.is_empty()) {
        config.nextcloud.url = host.parse().map_err(|e| {
            invalid(
                "nextcloud.url",
                format!("NEXTCLOUD_HOST `{host}` is not a URL: {e}"),
            )
        })?;
    }
    if let Some(listen) = env("NEXTCLOUD_MCP_LISTEN").filter(|v| !v.is_empty()) {
        config.server.listen = listen;
    }
    if let Some(level) = env("NEXTCLOUD_MCP_LOG_LEVEL").filter(|v| !v.is_empty()) {
        config.logging.level = yaml_serde::from_str::<LogLevel>(&level).map_err(|_| {
            invalid(
                "logging.level",
                format!("NEXTCLOUD_MCP_LOG_LEVEL `{level}` is not one of error, warn, info, debug, trace"),
            )
        })?;
    }
    if let Some(url) = env("NEXTCLOUD_MCP_SERVER_URL").filter(|v| !v.is_empty()) {
        config.server.public_url = Some(url.parse().map_err(|e| {
            invalid(
                "server.public_url",
                format!("NEXTCLOUD_MCP_SERVER_URL `{url}` is not a URL: {e}"),
            )
        })?);
    }
    if config.auth.mode == AuthMode::Oauth {
        let oauth = config.auth.oauth.get_or_insert_with(OAuthConfig::default);
        if let Some(id) = env("NEXTCLOUD_OIDC_CLIENT_ID").filter(|v| !v.is_empty()) {
            oauth.client.id = Some(id);
            oauth.client.registration = None;
        }
        if let Some(secret) = env("NEXTCLOUD_OIDC_CLIENT_SECRET").filter(|v| !v.is_empty()) {
            oauth.client.secret = Some(secret);
            oauth.client.secret_file = None;
        }
        if let Some(storage) = env("NEXTCLOUD_OIDC_CLIENT_STORAGE").filter(|v| !v.is_empty())
            && oauth.client.id.is_none()
        {
            oauth
                .client
                .registration
                .get_or_insert_with(RegistrationConfig::default)
                .storage_path = storage;
        }
    }
    if config.auth.mode == AuthMode::Basic {
        let username = env("NEXTCLOUD_USERNAME").filter(|v| !v.is_empty());
        let password = env("NEXTCLOUD_PASSWORD").filter(|v| !v.is_empty());
        match (&mut config.auth.basic, username) {
            (Some(basic), Some(user)) => basic.username = user,
            (None, Some(user)) => {
                config.auth.basic = Some(super::schema::BasicConfig {
                    username: user,
                    password: None,
                    password_file: None,
                    bearer_token: None,
                    bearer_token_file: None,
                    allow_unauthenticated: false,
                })
            }
            _ => {}
        }
        if let (Some(basic), Some(password)) = (&mut config.auth.basic, password) {
            basic.password = Some(password);
        }
    }
    let _ = text;
    Ok(())
}

/// Fills what docs/configuration.md documents as defaults, so the effective configuration
/// (what `check-config` prints and the server uses) holds values, not gaps.
fn apply_defaults(config: &mut Config) {
    let public_url = config.public_url();
    config.server.public_url = Some(public_url.clone());
    if config.nextcloud.public_url.is_none() {
        config.nextcloud.public_url = Some(config.nextcloud.url.clone());
    }
    if config.auth.mode != AuthMode::Oauth {
        return;
    }
    let nextcloud_url = config.nextcloud.url.clone();
    let oauth = config.auth.oauth.get_or_insert_with(OAuthConfig::default);
    if oauth.discovery_url.is_none() {
        oauth.discovery_url = nextcloud_url.join(".well-known/openid-configuration").ok();
    }
    let client = &mut oauth.client;
    if client.id.is_none() && client.registration.is_none() {
        client.registration = Some(RegistrationConfig::default());
    }
    if let Some(registration) = &mut client.registration
        && registration.redirect_uris.is_empty()
        && let Ok(callback) = url::Url::parse(&format!(
            "{}/oauth/callback",
            public_url.as_str().trim_end_matches('/')
        ))
    {
        registration.redirect_uris.push(callback);
    }
}

fn resolve_against(folder: &Path, file: &mut Option<String>) {
    if let Some(path) = file
        && Path::new(path).is_relative()
    {
        *path = PathBuf::from(folder).join(&*path).display().to_string();
    }
}

/// Relative `*_file` and `ca_bundle` paths name files next to the config file, wherever the
/// server was started from.
fn resolve_relative_paths(config: &mut Config, folder: &Path) {
    resolve_against(folder, &mut config.nextcloud.ca_bundle);
    if let Some(oauth) = &mut config.auth.oauth {
        resolve_against(folder, &mut oauth.client.secret_file);
    }
    if let Some(basic) = &mut config.auth.basic {
        resolve_against(folder, &mut basic.password_file);
        resolve_against(folder, &mut basic.bearer_token_file);
    }
}

fn read_secret(
    key: &str,
    file: &Option<String>,
    value: &mut Option<String>,
) -> Result<(), ConfigError> {
    if let Some(file) = file {
        let secret = std::fs::read_to_string(file).map_err(|source| ConfigError::SecretFile {
            key: key.into(),
            file: file.clone(),
            source,
        })?;
        *value = Some(secret.trim_end_matches(['\n', '\r']).to_string());
    }
    Ok(())
}

fn read_secret_files(config: &mut Config) -> Result<(), ConfigError> {
    if let Some(oauth) = &mut config.auth.oauth {
        let client = &mut oauth.client;
        read_secret(
            "auth.oauth.client.secret_file",
            &client.secret_file,
            &mut client.secret,
        )?;
    }
    if let Some(basic) = &mut config.auth.basic {
        read_secret(
            "auth.basic.password_file",
            &basic.password_file,
            &mut basic.password,
        )?;
        read_secret(
            "auth.basic.bearer_token_file",
            &basic.bearer_token_file,
            &mut basic.bearer_token,
        )?;
    }
    Ok(())
}

/// Finds the 1-based line of a dotted key path by walking the YAML's indentation.
pub fn line_of_key(text: &str, path: &str) -> Option<usize> {
    let segments: Vec<&str> = path
        .split('.')
        .filter(|s| !s.is_empty() && !s.starts_with('['))
        .map(|s| s.split('[').next().unwrap_or(s))
        .collect();
    if segments.is_empty() {
        return None;
    }
    let mut found = None;
    let mut min_indent = 0usize;
    let mut segment = 0usize;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if segment > 0 && indent < min_indent {
            break;
        }
        let key = trimmed.trim_start_matches("- ");
        if indent >= min_indent
            && (key.starts_with(&format!("{}:", segments[segment]))
                || key.starts_with(&format!("\"{}\":", segments[segment])))
        {
            found = Some(index + 1);
            segment += 1;
            min_indent = indent + 1;
            if segment == segments.len() {
                return found;
            }
        }
    }
    found
}
