//! Checks that cannot be expressed in the schema types: mode-dependent required keys and
//! mutually exclusive keys. Toolset and tool names are checked where the tool registry is
//! known (`nextcloud_mcp::tools::known`), not here: `config` imports nothing of ours.

use super::schema::{AuthMode, Config};

/// Most `server.workers` accepted.
pub const MAX_WORKERS: usize = 64;

/// Returns the dotted key path and a message for the first problem found.
pub fn validate(config: &Config) -> Result<(), (String, String)> {
    let err = |path: &str, msg: &str| Err((path.to_string(), msg.to_string()));
    if config
        .server
        .listen
        .parse::<std::net::SocketAddr>()
        .is_err()
    {
        return err(
            "server.listen",
            "must be an address and port such as 0.0.0.0:8000",
        );
    }
    if !(1..=MAX_WORKERS).contains(&config.server.workers) {
        return err(
            "server.workers",
            &format!(
                "must be between 1 and {MAX_WORKERS} (threads serving HTTP; 1 is plenty for most servers)"
            ),
        );
    }
    if !matches!(config.nextcloud.url.scheme(), "http" | "https") {
        return err("nextcloud.url", "must be an http:// or https:// URL");
    }
    match config.auth.mode {
        AuthMode::Oauth => {
            let Some(oauth) = &config.auth.oauth else {
                return err(
                    "auth.oauth",
                    "is required when auth.mode is oauth (set client.id or client.registration)",
                );
            };
            let client = &oauth.client;
            match (&client.id, &client.registration) {
                (Some(_), Some(_)) => {
                    return err(
                        "auth.oauth.client",
                        "set either id (preconfigured client) or registration (auto-registered), not both",
                    );
                }
                (None, None) => {
                    return err(
                        "auth.oauth.client",
                        "needs id and secret/secret_file (preconfigured) or registration (auto-registered)",
                    );
                }
                (Some(_), None) if client.secret.is_none() => {
                    return err(
                        "auth.oauth.client.secret",
                        "a preconfigured client needs secret or secret_file",
                    );
                }
                _ => {}
            }
            if client.secret.is_some() && client.secret_file.is_some() && client.id.is_none() {
                return err("auth.oauth.client.secret", "is only used with client.id");
            }
            if oauth.scopes.enforce
                && !oauth.validation.methods.iter().any(|m| {
                    matches!(
                        m,
                        super::schema::ValidationMethod::Jwt
                            | super::schema::ValidationMethod::Introspection
                    )
                })
            {
                return err(
                    "auth.oauth.scopes.enforce",
                    "needs validation.methods with jwt or introspection: userinfo does not tell a token's scopes",
                );
            }
            if oauth.validation.methods.is_empty() {
                return err(
                    "auth.oauth.validation.methods",
                    "needs at least one of userinfo, jwt, introspection",
                );
            }
        }
        AuthMode::Basic => {
            let Some(basic) = &config.auth.basic else {
                return err(
                    "auth.basic",
                    "is required when auth.mode is basic (username and password_file)",
                );
            };
            if basic.username.trim().is_empty() {
                return err("auth.basic.username", "must not be empty");
            }
            if basic.password.as_deref().unwrap_or("").is_empty() {
                return err(
                    "auth.basic.password",
                    "basic mode needs a Nextcloud app password in password or password_file",
                );
            }
        }
    }
    if config.toolsets.dynamic && !config.server.stateful {
        return err(
            "toolsets.dynamic",
            "needs server.stateful: true (the enabled toolsets are kept per session, and stateless mode has none); to narrow a stateless server per request, send the X-MCP-Toolsets / X-MCP-Readonly / X-MCP-Tools headers instead",
        );
    }
    if let Some(public_url) = &config.server.public_url
        && !matches!(public_url.scheme(), "http" | "https")
    {
        return err("server.public_url", "must be an http:// or https:// URL");
    }
    Ok(())
}
