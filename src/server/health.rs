//! `/healthz` (the process is alive) and `/readyz` (discovery loaded, client ready,
//! Nextcloud reachable and not in maintenance, basic mode's credentials accepted).
//! URLs in reasons never show a password.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use reqwest::Method;

use super::AppState;
use crate::auth::{Authenticator, Caller};
use crate::config::redacted_url;
use crate::nextcloud::NextcloudShared;
use crate::nextcloud::client::root_cause;

/// How long a basic-mode credential check is trusted.
const CREDENTIALS_CHECK_TTL: Duration = Duration::from_secs(15);

/// Remembers the last Nextcloud reachability and credential checks for a few seconds.
#[derive(Default)]
pub struct ReachabilityCache {
    last: Mutex<Option<(Instant, Result<(), String>)>>,
    credentials: Mutex<Option<(Instant, Result<(), String>)>>,
}

/// `GET /healthz`.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// `GET /readyz`: 200 when ready, else 503 with the reasons.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let mut auth = state.auth.readiness();
    let nextcloud = nextcloud_reachable(&state).await;
    if auth.is_ok() && nextcloud.is_ok() {
        auth = basic_credentials(&state).await;
    }
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
            redacted_url(state.nextcloud.base()),
            crate::nextcloud::connect_error::describe_connection_error(&err)
        )),
        Ok(response) if !response.status().is_success() => Err(format!(
            "Nextcloud answered HTTP {} for {} (maintenance mode or not installed?)",
            response.status().as_u16(),
            redacted_url(&url)
        )),
        Ok(response) => match response.json::<serde_json::Value>().await {
            Ok(status) if status.get("maintenance").and_then(|m| m.as_bool()) == Some(true) => {
                Err("Nextcloud is in maintenance mode".into())
            }
            Ok(_) => Ok(()),
            Err(err) => Err(format!(
                "{} did not answer with Nextcloud's status JSON: {}",
                redacted_url(&url),
                root_cause(&err.without_url())
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

/// In basic mode: whether Nextcloud accepts the configured login (remembered briefly).
async fn basic_credentials(state: &AppState) -> Result<(), String> {
    let Authenticator::Basic { caller, .. } = state.auth.as_ref() else {
        return Ok(());
    };
    if let Ok(last) = state.reachability.credentials.lock()
        && let Some((at, result)) = last.as_ref()
        && at.elapsed() < CREDENTIALS_CHECK_TTL
    {
        return result.clone();
    }
    let result = check_basic_credentials(&state.nextcloud, caller).await;
    if let Ok(mut last) = state.reachability.credentials.lock() {
        *last = Some((Instant::now(), result.clone()));
    }
    result
}

/// One authenticated OCS call (`cloud/user`) with basic mode's login: `Err` with the reason
/// when Nextcloud refuses it. Other failures (Nextcloud down) are the reachability check's.
pub async fn check_basic_credentials(
    nextcloud: &std::sync::Arc<NextcloudShared>,
    caller: &Caller,
) -> Result<(), String> {
    let client = nextcloud.client(caller.credentials.clone());
    match client
        .ocs_value(Method::GET, "/ocs/v2.php/cloud/user", None)
        .await
    {
        Err(err) if matches!(err.status(), Some(401 | 403)) => Err(format!(
            "Nextcloud refused the login of auth.basic (user {}, HTTP {}): set auth.basic.password to a valid app password of that user (Nextcloud: Settings > Security > Devices & sessions)",
            caller.user_id,
            err.status().unwrap_or(401)
        )),
        _ => Ok(()),
    }
}

/// Checks basic mode's credentials once at start, logging a clear error when Nextcloud
/// refuses them (the server keeps running and `/readyz` reports the reason).
pub async fn check_credentials_at_start(state: web::Data<AppState>) {
    if let Err(reason) = basic_credentials(&state).await {
        log::error!("{reason}");
    }
}
