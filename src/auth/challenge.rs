//! The `WWW-Authenticate` header of a 401 answer (RFC 6750 + RFC 9728 `resource_metadata`).

/// Builds the challenge; `invalid_token` is added when a token was sent and rejected.
pub fn www_authenticate(resource_metadata_url: &str, invalid_token: bool) -> String {
    let mut header = format!("Bearer resource_metadata=\"{resource_metadata_url}\"");
    if invalid_token {
        header.push_str(", error=\"invalid_token\"");
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_forms() {
        assert_eq!(
            www_authenticate("https://m/.well-known/oauth-protected-resource/mcp", false),
            "Bearer resource_metadata=\"https://m/.well-known/oauth-protected-resource/mcp\""
        );
        assert!(www_authenticate("u", true).ends_with(", error=\"invalid_token\""));
    }
}
