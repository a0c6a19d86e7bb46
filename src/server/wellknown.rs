//! `/.well-known/oauth-protected-resource[/mcp]` (RFC 9728).

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
        crate::tools::scopes::supported(&oauth_scopes(oauth.scopes())),
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

/// The advertised scopes with the policy installed at start-up (toolset scopes when enforced).
fn oauth_scopes(advertised: &[String]) -> crate::config::ScopesConfig {
    match crate::tools::scopes::enforced() {
        Some(policy) => policy.clone(),
        None => crate::config::ScopesConfig {
            advertised: advertised.to_vec(),
            ..Default::default()
        },
    }
}
