//! The server's own OIDC client: preconfigured, or registered dynamically (RFC 7591)
//! and kept in a JSON file (mode 0600, written atomically), reused after a restart,
//! and registered anew when missing, expired, deleted by the provider or close to expiry.
//! Nextcloud's oidc app deletes dynamically registered clients after `client_expire_time`
//! (one hour by default), so renewal is not optional.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::RegistrationConfig;

/// Client credentials used for introspection.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct ClientCredentials {
    /// Client id.
    pub client_id: String,
    /// Client secret (absent for public clients).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Seconds since the epoch the client was issued.
    #[serde(default)]
    pub client_id_issued_at: Option<i64>,
    /// Seconds since the epoch the secret expires; 0 or absent: never.
    #[serde(default)]
    pub client_secret_expires_at: Option<i64>,
    /// Where the client was registered, to notice a changed provider.
    #[serde(default)]
    pub registration_endpoint: Option<String>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("client_secret_expires_at", &self.client_secret_expires_at)
            .finish()
    }
}

impl ClientCredentials {
    /// Expiry as seconds since the epoch, when the client expires at all.
    pub fn expires_at(&self) -> Option<i64> {
        self.client_secret_expires_at.filter(|t| *t > 0)
    }

    /// True when the client expires within `margin` seconds.
    pub fn expires_within(&self, margin: u64) -> bool {
        self.expires_at()
            .is_some_and(|at| at - now() <= margin as i64)
    }
}

/// Why the client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// The provider has no registration endpoint.
    #[error(
        "the OpenID provider has no registration_endpoint: enable dynamic client registration in Nextcloud's oidc app, or configure auth.oauth.client.id and secret_file (occ oidc:create)"
    )]
    NotSupported,
    /// The registration call failed.
    #[error("client registration at {endpoint} failed: {reason}")]
    Failed {
        /// Endpoint called.
        endpoint: String,
        /// What happened.
        reason: String,
    },
    /// The storage file could not be written.
    #[error(
        "cannot write the client registration file {path}: {reason}. Make the directory writable by this server (a volume in Kubernetes)"
    )]
    Storage {
        /// The file.
        path: String,
        /// What failed.
        reason: String,
    },
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Reads a stored registration; a missing file is `Ok(None)`, a corrupt one is logged and ignored.
pub fn load(path: &Path) -> Option<ClientCredentials> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return None,
        Err(err) => {
            log::warn!(
                "cannot read client registration file {}: {err}; registering a new client",
                path.display()
            );
            return None;
        }
    };
    match serde_json::from_str(&text) {
        Ok(creds) => Some(creds),
        Err(err) => {
            log::warn!(
                "client registration file {} is corrupt ({err}); registering a new client and replacing it",
                path.display()
            );
            None
        }
    }
}

/// Writes the registration atomically with mode 0600.
pub fn save(path: &Path, creds: &ClientCredentials) -> Result<(), RegistrationError> {
    let storage = |reason: String| RegistrationError::Storage {
        path: path.display().to_string(),
        reason,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| storage(e.to_string()))?;
    let tmp: PathBuf = dir.join(format!(
        ".{}.tmp{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("client"),
        std::process::id()
    ));
    let json = serde_json::to_vec_pretty(creds).map_err(|e| storage(e.to_string()))?;
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(|e| storage(e.to_string()))?;
        file.write_all(&json).map_err(|e| storage(e.to_string()))?;
        file.sync_all().map_err(|e| storage(e.to_string()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| storage(e.to_string()))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        storage(e.to_string())
    })
}

/// Registers a new client (RFC 7591).
pub async fn register(
    http: &reqwest::Client,
    endpoint: &Url,
    config: &RegistrationConfig,
) -> Result<ClientCredentials, RegistrationError> {
    let failed = |reason: String| RegistrationError::Failed {
        endpoint: endpoint.to_string(),
        reason,
    };
    let body = serde_json::json!({
        "client_name": config.client_name,
        "redirect_uris": config.redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": config.scopes.join(" "),
    });
    let response = http
        .post(endpoint.clone())
        .json(&body)
        .send()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| failed(e.to_string()))?;
    if !status.is_success() {
        let detail: String = text.chars().take(300).collect();
        return Err(failed(format!("HTTP {}: {detail}", status.as_u16())));
    }
    let mut creds: ClientCredentials =
        serde_json::from_str(&text).map_err(|e| failed(format!("unexpected answer: {e}")))?;
    creds.registration_endpoint = Some(endpoint.to_string());
    log::info!(
        "registered OIDC client {} (expires {})",
        creds.client_id,
        creds
            .expires_at()
            .map(|t| format!("in {} s", t - now()))
            .unwrap_or_else(|| "never".into())
    );
    Ok(creds)
}

/// Holds the current client and renews it.
pub struct ClientManager {
    current: RwLock<Option<ClientCredentials>>,
    source: ClientSource,
}

enum ClientSource {
    Preconfigured,
    Registered {
        config: Box<RegistrationConfig>,
        endpoint: Url,
        http: reqwest::Client,
    },
}

impl ClientManager {
    /// A manager for a preconfigured client.
    pub fn preconfigured(id: String, secret: Option<String>) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(Some(ClientCredentials {
                client_id: id,
                client_secret: secret,
                client_id_issued_at: None,
                client_secret_expires_at: None,
                registration_endpoint: None,
            })),
            source: ClientSource::Preconfigured,
        })
    }

    /// A manager that registers at `endpoint`.
    pub fn registered(
        config: RegistrationConfig,
        endpoint: Url,
        http: reqwest::Client,
    ) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(None),
            source: ClientSource::Registered {
                config: Box::new(config),
                endpoint,
                http,
            },
        })
    }

    /// The current credentials, if ready.
    pub fn current(&self) -> Option<ClientCredentials> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// True once credentials are available.
    pub fn is_ready(&self) -> bool {
        self.current().is_some()
    }

    /// Loads a stored client or registers one. Reuses a stored client unless it is
    /// expired, close to expiry, or registered at another endpoint.
    pub async fn ensure(&self) -> Result<(), RegistrationError> {
        let ClientSource::Registered {
            config, endpoint, ..
        } = &self.source
        else {
            return Ok(());
        };
        if let Some(stored) = load(Path::new(&config.storage_path)) {
            let same_provider = stored.registration_endpoint.as_deref() == Some(endpoint.as_str());
            if same_provider && !stored.expires_within(config.renew_before) {
                log::info!(
                    "reusing registered OIDC client {} from {}",
                    stored.client_id,
                    config.storage_path
                );
                self.set(stored);
                return Ok(());
            }
            log::info!(
                "stored OIDC client {} is expired, near expiry or from another provider; registering anew",
                stored.client_id
            );
        }
        self.renew().await
    }

    /// Registers a new client and stores it.
    pub async fn renew(&self) -> Result<(), RegistrationError> {
        let ClientSource::Registered {
            config,
            endpoint,
            http,
        } = &self.source
        else {
            return Ok(());
        };
        let creds = register(http, endpoint, config).await?;
        save(Path::new(&config.storage_path), &creds)?;
        self.set(creds);
        Ok(())
    }

    fn set(&self, creds: ClientCredentials) {
        if let Ok(mut current) = self.current.write() {
            *current = Some(creds);
        }
    }

    /// True when the client is dynamically registered (and so can be renewed).
    pub fn is_registered(&self) -> bool {
        matches!(self.source, ClientSource::Registered { .. })
    }

    /// Runs forever: renews before expiry and, through `probe`, notices a client the
    /// provider deleted. `probe` returns false when the provider rejects the client.
    pub async fn maintain<F, Fut>(self: Arc<Self>, probe: F)
    where
        F: Fn(ClientCredentials) -> Fut,
        Fut: std::future::Future<Output = Option<bool>>,
    {
        let ClientSource::Registered { config, .. } = &self.source else {
            return;
        };
        let check = Duration::from_secs(config.check_interval.max(1));
        let mut failures = 0u32;
        loop {
            let wait = match self.current() {
                None => Duration::from_secs(1u64 << failures.min(6)),
                Some(creds) => match creds.expires_at() {
                    Some(at) => {
                        let until = (at - config.renew_before as i64 - now()).max(0) as u64;
                        check.min(Duration::from_secs(until))
                    }
                    None => check,
                },
            };
            tokio::time::sleep(wait).await;
            let needs_renewal = match self.current() {
                None => true,
                Some(creds) if creds.expires_within(config.renew_before) => {
                    log::info!(
                        "OIDC client {} expires soon; registering a new one",
                        creds.client_id
                    );
                    true
                }
                Some(creds) => match probe(creds.clone()).await {
                    Some(false) => {
                        log::warn!(
                            "the OpenID provider no longer accepts client {}; registering a new one",
                            creds.client_id
                        );
                        true
                    }
                    _ => false,
                },
            };
            if needs_renewal {
                match self.renew().await {
                    Ok(()) => failures = 0,
                    Err(err) => {
                        failures += 1;
                        log::error!("{err}");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_with_mode_0600_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/client.json");
        let creds = ClientCredentials {
            client_id: "id".into(),
            client_secret: Some("s".into()),
            client_id_issued_at: Some(1),
            client_secret_expires_at: Some(0),
            registration_endpoint: Some("http://x/register".into()),
        };
        save(&path, &creds).unwrap();
        assert_eq!(load(&path), Some(creds));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn corrupt_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("client.json");
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(load(&path), None);
    }

    #[test]
    fn expiry_margin() {
        let mut creds = ClientCredentials {
            client_id: "id".into(),
            client_secret: None,
            client_id_issued_at: None,
            client_secret_expires_at: Some(now() + 100),
            registration_endpoint: None,
        };
        assert!(creds.expires_within(300));
        assert!(!creds.expires_within(10));
        creds.client_secret_expires_at = Some(0);
        assert!(!creds.expires_within(300));
    }
}
