//! Audience binding (RFC 8707 / RFC 9068): a token that says whom it is for must name this
//! server, and ID tokens are never accepted as access tokens. See
//! docs/decisions/0003-audience-binding.md for what Nextcloud's oidc app puts in its tokens.

use serde_json::Value;
use url::Url;

/// Which audiences this server answers to, and whether the check is on.
#[derive(Debug, Clone)]
pub struct AudiencePolicy {
    accepted: Vec<String>,
    enforce: bool,
}

fn normalized(value: &str) -> &str {
    value.trim().trim_end_matches('/')
}

impl AudiencePolicy {
    /// This server's resource identifiers (`<public_url>/mcp`, `/sse`, the origin and the
    /// public URL itself) plus `configured` ones; `enforce: false` turns the check off.
    pub fn new(public_url: &Url, configured: &[String], enforce: bool) -> Self {
        let base = normalized(public_url.as_str()).to_string();
        let mut accepted = vec![
            format!("{base}/mcp"),
            format!("{base}/sse"),
            base.clone(),
            normalized(&public_url.origin().ascii_serialization()).to_string(),
        ];
        accepted.extend(configured.iter().map(|a| normalized(a).to_string()));
        accepted.retain(|a| !a.is_empty());
        accepted.sort();
        accepted.dedup();
        Self { accepted, enforce }
    }

    /// The resource identifier MCP clients are told to ask for (`<public_url>/mcp`).
    pub fn resource(public_url: &Url) -> String {
        format!("{}/mcp", normalized(public_url.as_str()))
    }

    /// Whether the check is on.
    pub fn enforced(&self) -> bool {
        self.enforce
    }

    /// The accepted audiences.
    pub fn accepted(&self) -> &[String] {
        &self.accepted
    }

    /// Checks the audience of a token's claims (JWT payload or introspection answer):
    /// `aud` when present, else `client_id` (Nextcloud reports the client as the audience of
    /// a token issued without a resource). A token with neither cannot be checked.
    /// `also` are further accepted values (the server's own client id for introspection).
    pub fn check(&self, claims: &Value, also: &[&str]) -> Result<(), String> {
        if !self.enforce {
            return Ok(());
        }
        let named: Vec<&str> = match claims.get("aud").or_else(|| claims.get("client_id")) {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => return Ok(()),
        };
        let ours = |a: &str| {
            let a = normalized(a);
            self.accepted.iter().any(|x| x == a) || also.iter().any(|x| normalized(x) == a)
        };
        if named.iter().any(|a| ours(a)) {
            Ok(())
        } else {
            Err(format!(
                "token audience {named:?} does not name this server ({}); ask for the token with resource={} or add the audience to auth.oauth.validation.audiences",
                self.accepted.join(", "),
                self.accepted
                    .iter()
                    .find(|a| a.ends_with("/mcp"))
                    .map(String::as_str)
                    .unwrap_or("<public_url>/mcp"),
            ))
        }
    }
}

/// Refuses ID tokens presented as access tokens: RFC 9068 access tokens carry
/// `typ: at+jwt` (Nextcloud writes `at+JWT`; its ID tokens say `JWT`); without `typ`, a
/// token with `nonce` or `at_hash` and no `scope` is an ID token.
pub fn refuse_id_token(typ: Option<&str>, claims: &Value) -> Result<(), String> {
    if let Some(typ) = typ {
        let typ = typ.trim().to_ascii_lowercase();
        let typ = typ.strip_prefix("application/").unwrap_or(&typ);
        if typ != "at+jwt" {
            return Err(format!(
                "not an access token: JWT typ is {typ:?}, not at+jwt (an ID token is not accepted)"
            ));
        }
        return Ok(());
    }
    let id_token_claims = claims.get("nonce").is_some() || claims.get("at_hash").is_some();
    if id_token_claims && claims.get("scope").is_none() {
        return Err("an ID token is not an access token".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(enforce: bool) -> AudiencePolicy {
        let url = Url::parse("https://mcp.example.com/").unwrap();
        AudiencePolicy::new(&url, &["urn:extra".into()], enforce)
    }

    #[test]
    fn accepts_this_servers_resource_origin_and_configured() {
        let p = policy(true);
        for aud in [
            "https://mcp.example.com/mcp",
            "https://mcp.example.com/mcp/",
            "https://mcp.example.com",
            "https://mcp.example.com/sse",
            "urn:extra",
        ] {
            assert!(p.check(&json!({"aud": aud}), &[]).is_ok(), "{aud}");
        }
        assert!(
            p.check(
                &json!({"aud": ["other", "https://mcp.example.com/mcp"]}),
                &[]
            )
            .is_ok()
        );
    }

    #[test]
    fn refuses_other_audiences_unless_turned_off() {
        let p = policy(true);
        for claims in [
            json!({"aud": "https://other.example.com/mcp"}),
            json!({"aud": ["a", "b"]}),
            json!({"client_id": "some-other-client"}),
            json!({"aud": "https://mcp.example.com.evil/mcp"}),
        ] {
            assert!(p.check(&claims, &[]).is_err(), "{claims}");
            assert!(policy(false).check(&claims, &[]).is_ok(), "{claims}");
        }
        // aud takes precedence over client_id; extra accepted values (own client id).
        assert!(
            p.check(&json!({"client_id": "ours"}), &["ours"]).is_ok(),
            "own client id"
        );
        assert!(
            p.check(&json!({"aud": "x", "client_id": "ours"}), &["ours"])
                .is_err()
        );
        // Nothing to check.
        assert!(p.check(&json!({"sub": "alice"}), &[]).is_ok());
    }

    #[test]
    fn id_tokens_are_refused() {
        let at = json!({"scope": "openid", "sub": "a"});
        assert!(refuse_id_token(Some("at+jwt"), &at).is_ok());
        assert!(refuse_id_token(Some("at+JWT"), &at).is_ok());
        assert!(refuse_id_token(Some("application/at+jwt"), &at).is_ok());
        // Nextcloud's ID tokens: typ JWT, with scope and nonce.
        let nc_id = json!({"scope": "openid", "nonce": "n", "aud": "client"});
        assert!(refuse_id_token(Some("JWT"), &nc_id).is_err());
        // No typ: nonce / at_hash without scope.
        assert!(refuse_id_token(None, &json!({"nonce": "n"})).is_err());
        assert!(refuse_id_token(None, &json!({"at_hash": "h"})).is_err());
        assert!(refuse_id_token(None, &json!({"nonce": "n", "scope": "openid"})).is_ok());
        assert!(refuse_id_token(None, &json!({"sub": "a"})).is_ok());
    }
}
