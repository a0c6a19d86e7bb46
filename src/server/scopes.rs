//! OAuth step-up for `tools/call` (`auth.oauth.scopes.enforce`): a call of a tool whose
//! scope the token lacks is answered HTTP 403 with
//! `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` (MCP authorization
//! spec), before it reaches the MCP service. The decision is `crate::tools::scopes`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use futures::StreamExt;

use super::AppState;
use crate::auth::Caller;
use crate::auth::metadata::metadata_url;
use crate::tools::scopes;

/// Runs after authentication; reads the JSON-RPC body only when scopes are enforced.
pub async fn step_up(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.into_response(HttpResponse::InternalServerError().finish()));
    };
    let Some(policy) = state.scope_policy.clone() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if req.method() != actix_web::http::Method::POST {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > state.max_body_bytes {
            let response = super::middleware::body_too_large(None, state.max_body_bytes);
            return Ok(req.into_response(response));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let granted = req
        .extensions()
        .get::<Caller>()
        .and_then(|c| c.scopes.clone());
    let missing =
        scopes::missing_for_call(&policy, &scopes::called_tools(&body), granted.as_deref());
    req.set_payload(actix_web::dev::Payload::from(body));
    if missing.is_empty() {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let scope = missing.join(" ");
    let challenge = format!(
        "Bearer error=\"insufficient_scope\", scope=\"{scope}\", resource_metadata=\"{}\", error_description=\"this tool needs the scope {scope}\"",
        metadata_url(&state.public_url)
    );
    let response = HttpResponse::Forbidden()
        .insert_header((header::WWW_AUTHENTICATE, challenge))
        .json(serde_json::json!({
            "error": "insufficient_scope",
            "error_description": format!("the token lacks the scope {scope} this tool needs; authorize again granting it"),
            "scope": scope,
        }));
    Ok(req.into_response(response))
}
