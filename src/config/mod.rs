//! The YAML configuration an admin edits: schema, loading and validation.

mod load;
mod schema;
mod validate;

pub use load::{
    ConfigError, ENV_ONLY_LISTEN, interpolate, line_of_key, load_env, load_file, load_str,
    load_str_in,
};
pub use schema::*;

impl Config {
    /// The URL clients use for this server: `server.public_url`, else derived from `listen`.
    pub fn public_url(&self) -> url::Url {
        if let Some(url) = &self.server.public_url {
            return url.clone();
        }
        let listen = self.server.listen.replace("0.0.0.0", "localhost");
        let fallback =
            url::Url::from_directory_path("/").unwrap_or_else(|()| self.nextcloud.url.clone());
        url::Url::parse(&format!("http://{listen}")).unwrap_or(fallback)
    }

    /// Hosts accepted in the `Host` header.
    pub fn allowed_hosts(&self) -> Vec<String> {
        if !self.server.allowed_hosts.is_empty() {
            return self.server.allowed_hosts.clone();
        }
        let mut hosts = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        let public = self.public_url();
        if let Some(host) = public.host_str() {
            hosts.push(host.to_string());
            if let Some(port) = public.port() {
                hosts.push(format!("{host}:{port}"));
            }
        }
        hosts.sort();
        hosts.dedup();
        hosts
    }

    /// The effective configuration as YAML with every secret replaced by `<redacted>`.
    pub fn redacted_yaml(&self) -> String {
        let mut copy = self.clone();
        let redact = |value: &mut Option<String>| {
            if value.is_some() {
                *value = Some("<redacted>".into());
            }
        };
        if let Some(oauth) = &mut copy.auth.oauth {
            redact(&mut oauth.client.secret);
        }
        if let Some(basic) = &mut copy.auth.basic {
            redact(&mut basic.password);
            redact(&mut basic.bearer_token);
        }
        copy.nextcloud.url = redacted_url(&copy.nextcloud.url);
        for url in [
            copy.nextcloud.public_url.as_mut(),
            copy.server.public_url.as_mut(),
            copy.auth
                .oauth
                .as_mut()
                .and_then(|o| o.discovery_url.as_mut()),
        ]
        .into_iter()
        .flatten()
        {
            *url = redacted_url(url);
        }
        yaml_serde::to_string(&copy).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

/// `url` with any password in it replaced by `REDACTED`, for logs and diagnostics.
pub fn redacted_url(url: &url::Url) -> url::Url {
    let mut copy = url.clone();
    if copy.password().is_some() {
        let _ = copy.set_password(Some("REDACTED"));
    }
    copy
}

#[cfg(test)]
mod tests;
