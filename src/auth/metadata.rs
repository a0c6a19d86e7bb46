//! OAuth 2.0 Protected Resource Metadata (RFC 9728).

use serde::Serialize;

/// The document served at `/.well-known/oauth-protected-resource[/mcp]`.
#[derive(Debug, Clone, Serialize)]
pub struct ProtectedResourceMetadata {
    /// The protected resource's identifier.
    pub resource: String,
    /// Issuers whose tokens are accepted.
    pub authorization_servers: Vec<String>,
    /// Scopes a client should ask for.
    pub scopes_supported: Vec<String>,
    /// Only the Authorization header is accepted.
    pub bearer_methods_supported: Vec<String>,
    /// Human-readable name.
    pub resource_name: String,
}

impl ProtectedResourceMetadata {
    /// Builds the document for `resource` protected by `issuer`.
    pub fn new(resource: String, issuer: String, scopes: Vec<String>) -> Self {
        Self {
            resource,
            authorization_servers: vec![issuer],
            scopes_supported: scopes,
            bearer_methods_supported: vec!["header".into()],
            resource_name: "Nextcloud MCP Server".into(),
        }
    }
}

/// URL of the metadata document for the `/mcp` resource.
pub fn metadata_url(public_url: &url::Url) -> String {
    format!(
        "{}/.well-known/oauth-protected-resource/mcp",
        public_url.as_str().trim_end_matches('/')
    )
}
