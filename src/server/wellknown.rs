//! `/.well-known/oauth-protected-resource[/mcp|/sse]` (RFC 9728). Each transport is its own
//! protected resource: clients check that the metadata's `resource` matches the URL they
//! connect to, so `/sse` (and the `/messages` endpoint it announces) needs its own document.

use actix_web::{HttpResponse, web};

use super::AppState;
use crate::auth::metadata::ProtectedResourceMetadata;

fn document(state: &AppState, resource: String) -> HttpResponse {
    let Some(oauth) = state.auth.oauth() else {
        return HttpResponse::NotFound()
            .body("this server runs in basic mode; it has no OAuth metadata");
    };
    let Some(discovery) = oauth.discovery() else {
        return HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "5"))
            .body("the authorization server's discovery document is not loaded yet");
    };
    HttpResponse::Ok().json(ProtectedResourceMetadata::new(
        resource,
        discovery.issuer.clone(),
        crate::tools::scopes::supported(&oauth_scopes(state, oauth.scopes())),
    ))
}

/// The metadata of the server root.
pub async fn root(state: web::Data<AppState>) -> HttpResponse {
    let resource = state.public_url.as_str().trim_end_matches('/').to_string();
    document(&state, resource)
}

/// The metadata of the `/mcp` resource.
pub async fn mcp(state: web::Data<AppState>) -> HttpResponse {
    let resource = format!("{}/mcp", state.public_url.as_str().trim_end_matches('/'));
    document(&state, resource)
}

/// The advertised scopes with this server's policy (toolset scopes when enforced).
fn oauth_scopes(state: &AppState, advertised: &[String]) -> crate::config::ScopesConfig {
    match &state.scope_policy {
        Some(policy) => (**policy).clone(),
        None => crate::config::ScopesConfig {
            advertised: advertised.to_vec(),
            ..Default::default()
        },
    }
}

/// The metadata of the legacy SSE resource (`/sse`, whose messages go to `/messages`).
pub async fn sse(state: web::Data<AppState>) -> HttpResponse {
    let resource = format!("{}/sse", state.public_url.as_str().trim_end_matches('/'));
    document(&state, resource)
}

/// The metadata URL a 401 on `path` points to: the `/sse` document for the legacy transport
/// (`/sse`, `/messages`), the `/mcp` document otherwise.
pub fn metadata_url_for(public_url: &url::Url, path: &str) -> String {
    let legacy = ["/sse", "/messages"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if legacy {
        format!(
            "{}/.well-known/oauth-protected-resource/sse",
            public_url.as_str().trim_end_matches('/')
        )
    } else {
        crate::auth::metadata::metadata_url(public_url)
    }
}

#[cfg(test)]
mod tests {
    use super::metadata_url_for;

    #[test]
    fn legacy_sse_paths_point_at_the_sse_metadata() {
        let base = url::Url::parse("https://mcp.example.com/").unwrap();
        let sse = "https://mcp.example.com/.well-known/oauth-protected-resource/sse";
        let mcp = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
        assert_eq!(metadata_url_for(&base, "/sse"), sse);
        assert_eq!(metadata_url_for(&base, "/messages"), sse);
        assert_eq!(metadata_url_for(&base, "/messages/"), sse);
        assert_eq!(metadata_url_for(&base, "/mcp"), mcp);
        assert_eq!(metadata_url_for(&base, "/sseevil"), mcp);
    }
}
