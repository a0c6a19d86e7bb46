//! The authenticated caller of one MCP request, placed in request extensions by the
//! auth middleware and read by tools.

use std::sync::Arc;

use crate::nextcloud::Credentials;

/// Who is calling and how to call Nextcloud as them.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The user id from the token (`sub`, else `preferred_username`) or the basic login.
    pub user_id: Arc<str>,
    /// Credentials forwarded to Nextcloud, and only to Nextcloud.
    pub credentials: Credentials,
    /// The bearer token's scopes, when the validation method tells them (JWT,
    /// introspection); None in basic mode and with userinfo validation.
    pub scopes: Option<Arc<[String]>>,
}

impl Caller {
    /// Reads the caller from an MCP request's extensions: the streamable HTTP transport
    /// nests them inside the HTTP request parts; the SSE transport stores them directly.
    pub fn from_extensions(extensions: &rmcp::model::Extensions) -> Option<Caller> {
        rmcp_actix_web::transport::on_request_extensions(extensions)
            .and_then(|ext| ext.get::<Caller>())
            .or_else(|| extensions.get::<Caller>())
            .cloned()
    }
}
