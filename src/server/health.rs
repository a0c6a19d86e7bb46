//! `/healthz` (the process is alive) and `/readyz` (discovery loaded, client ready,
//! Nextcloud reachable and not in maintenance).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};

use super::AppState;

/// Remembers the last Nextcloud reachability check for a few seconds.
#[derive(Default)]
pub struct ReachabilityCache {
    last: Mutex<Option<(Instant, Result<(), String>)>>,
}

/// `GET /healthz`.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// `GET /readyz`: 200 when ready, else 503 with the reasons.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let auth = state.auth.readiness();
    let nextcloud = nextcloud_reachable(&state).await;
    let body = serde_json::json!({
        "ready": auth.is_ok() && nextcloud.is_ok(),
        "checks": {
            "auth": auth.as_ref().err().map(String::as_str).unwrap_or("ok"),
            "nextcloud": nextcloud.as_ref().err().map(String::as_str).unwrap_or("ok"),
        }
    });
    if auth.is_ok() && nextcloud.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn nextcloud_reachable(state: &AppState) -> Result<(), String> {
    if let Ok(last) = state.reachability.last.lock()
        && let Some((at, result)) = last.as_ref()
        && at.elapsed() < Duration::from_secs(2)
    {
        return result.clone();
    }
    let url = state
        .nextcloud
        .base()
        .join("status.php")
        .map_err(|e| e.to_string())?;
    let result = match state
        .nextcloud
        .http()
        .get(url.clone())
        .timeout(Duration::from_secs(5))
        .send()
        .await
    {
        Err(err) => Err(format!(
            "Nextcloud at {} is unreachable: {}",
            state.nextcloud.base(),
            crate::nextcloud::connect_error::describe_connection_error(&err)
        )),
        Ok(response) if !response.status().is_success() => Err(format!(
            "Nextcloud answered HTTP {} for {url} (maintenance mode or not installed?)",
            response.status().as_u16()
        )),
        Ok(response) => match response.json::<serde_json::Value>().await {
            Ok(status) if status.get("maintenance").and_then(|m| m.as_bool()) == Some(true) => {
                Err("Nextcloud is in maintenance mode".into())
            }
            Ok(_) => Ok(()),
            Err(err) => Err(format!(
                "{url} did not answer with Nextcloud's status JSON: {err}"
            )),
        },
    };
    if let Ok(mut last) = state.reachability.last.lock() {
        // Log a failure once, when it starts or changes, with its cause (DNS, refused, TLS).
        if let Err(reason) = &result
            && last
                .as_ref()
                .is_none_or(|(_, previous)| previous.as_ref().err() != Some(reason))
        {
            log::warn!("not ready: {reason}");
        }
        *last = Some((Instant::now(), result.clone()));
    }
    result
}
