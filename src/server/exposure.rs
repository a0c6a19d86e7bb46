//! Start-up refusal of an open door: basic mode serves one Nextcloud account, so without
//! `auth.basic.bearer_token` anyone reaching the port acts as that account. That is only
//! allowed on a loopback address, or when the admin says so explicitly.

use crate::config::{AuthMode, Config};

/// `Err` with an operator message when basic mode would serve its account to anyone on a
/// non-loopback address.
pub fn check_basic_exposure(config: &Config) -> Result<(), String> {
    if config.auth.mode != AuthMode::Basic {
        return Ok(());
    }
    let Some(basic) = &config.auth.basic else {
        return Ok(());
    };
    if basic.bearer_token.is_some() || basic.allow_unauthenticated {
        return Ok(());
    }
    let loopback = config
        .server
        .listen
        .parse::<std::net::SocketAddr>()
        .is_ok_and(|addr| addr.ip().is_loopback());
    if loopback {
        return Ok(());
    }
    Err(format!(
        "refusing to start: auth.mode is basic without auth.basic.bearer_token, so anyone who \
         reaches {} would act as Nextcloud user `{}`. Set auth.basic.bearer_token (or \
         bearer_token_file), listen on a loopback address (server.listen: 127.0.0.1:8000), or, \
         if something in front of this server authenticates every request, set \
         auth.basic.allow_unauthenticated: true",
        config.server.listen, basic.username
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(listen: &str, token: Option<&str>, allow: bool) -> Config {
        let mut text = format!(
            "server:\n  listen: \"{listen}\"\nnextcloud:\n  url: https://cloud.example.com\nauth:\n  mode: basic\n  basic:\n    username: alice\n    password: app-pass\n    allow_unauthenticated: {allow}\n"
        );
        if let Some(token) = token {
            text.push_str(&format!("    bearer_token: {token}\n"));
        }
        yaml_serde::from_str(&text).expect("test config parses")
    }

    #[test]
    fn basic_without_token_refuses_non_loopback() {
        let err = check_basic_exposure(&basic("0.0.0.0:8000", None, false)).unwrap_err();
        assert!(err.contains("auth.basic.allow_unauthenticated"));
        assert!(check_basic_exposure(&basic("10.1.2.3:8000", None, false)).is_err());
    }

    #[test]
    fn basic_allowed_with_token_loopback_or_explicit_opt_in() {
        assert!(check_basic_exposure(&basic("0.0.0.0:8000", Some("s3cret"), false)).is_ok());
        assert!(check_basic_exposure(&basic("127.0.0.1:8000", None, false)).is_ok());
        assert!(check_basic_exposure(&basic("[::1]:8000", None, false)).is_ok());
        assert!(check_basic_exposure(&basic("0.0.0.0:8000", None, true)).is_ok());
    }
}
