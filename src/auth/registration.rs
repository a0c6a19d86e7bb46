//! The server's own OIDC client: preconfigured, or registered dynamically (RFC 7591)
//! and kept in a JSON file (mode 0600, written atomically), reused after a restart,
//! and registered anew when missing, expired, deleted by the provider or close to expiry.
//! Nextcloud's oidc app deletes dynamically registered clients after `client_expire_time`
//! (one hour by default), so renewal is not optional.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

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
    /// A registration was made moments ago; the provider is not asked again yet.
    #[error(
        "the OpenID provider rejected this server's client again; not registering anew for {seconds} s"
    )]
    RateLimited {
        /// Seconds until the next registration may be tried.
        seconds: u64,
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

/// Writes the registration atomically with mode 0600: into a new temp file with a unique
/// name in the same directory (created exclusively, so an existing file or symlink there
/// is never followed or truncated), then renamed over `path`.
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
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("client");
    let json = serde_json::to_vec_pretty(creds).map_err(|e| storage(e.to_string()))?;
    // tempfile opens with O_CREAT|O_EXCL and mode 0600 on unix.
    let mut file = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| storage(e.to_string()))?;
    file.write_all(&json).map_err(|e| storage(e.to_string()))?;
    file.as_file()
        .sync_all()
        .map_err(|e| storage(e.to_string()))?;
    file.persist(path)
        .map_err(|e| storage(e.error.to_string()))?;
    Ok(())
}

/// Registers a new client (RFC 7591).
pub async fn register(
    http: &reqwest::Client,
    endpoint: &Url,
    config: &RegistrationConfig,
    resource: Option<&str>,
) -> Result<ClientCredentials, RegistrationError> {
    let failed = |reason: String| RegistrationError::Failed {
        endpoint: crate::config::redacted_url(endpoint).to_string(),
        reason,
    };
    let mut body = serde_json::json!({
        "client_name": config.client_name,
        "redirect_uris": config.redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": config.scopes.join(" "),
    });
    // Nextcloud's oidc app (RFC 9728 `resource_url`) lets a client introspect tokens whose
    // resource is its resource_url: that is how tokens for this server get introspected.
    if let Some(resource) = resource {
        body["resource_url"] = serde_json::Value::String(resource.to_string());
    }
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

/// Least time between two registrations caused by the provider rejecting the client.
const RENEW_MIN_INTERVAL: Duration = Duration::from_secs(30);

/// Holds the current client and renews it. Renewals are single-flight: concurrent callers
/// share one registration.
pub struct ClientManager {
    current: RwLock<Option<ClientCredentials>>,
    source: ClientSource,
    renewing: tokio::sync::Mutex<Option<Instant>>,
}

enum ClientSource {
    Preconfigured,
    Registered {
        config: Box<RegistrationConfig>,
        endpoint: Url,
        http: reqwest::Client,
        resource: Option<String>,
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
            renewing: tokio::sync::Mutex::new(None),
        })
    }

    /// A manager that registers at `endpoint`, naming `resource` (this server) as the
    /// client's resource URL.
    pub fn registered(
        config: RegistrationConfig,
        endpoint: Url,
        http: reqwest::Client,
        resource: Option<String>,
    ) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(None),
            source: ClientSource::Registered {
                config: Box::new(config),
                endpoint,
                http,
                resource,
            },
            renewing: tokio::sync::Mutex::new(None),
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

    /// Registers a new client and stores it (one registration at a time). Renewals on
    /// schedule do not count towards the rate limit of [`Self::renew_rejected`].
    pub async fn renew(&self) -> Result<(), RegistrationError> {
        let _flight = self.renewing.lock().await;
        self.register_and_store().await
    }

    /// The provider rejected client `rejected_id`: registers a new one, unless a concurrent
    /// caller already did (then its client is used), or one was registered for this reason
    /// less than 30 s ago (then the provider is not asked again yet).
    pub async fn renew_rejected(&self, rejected_id: &str) -> Result<(), RegistrationError> {
        let mut last = self.renewing.lock().await;
        if self
            .current()
            .is_some_and(|current| current.client_id != rejected_id)
        {
            return Ok(());
        }
        if let Some(at) = *last
            && at.elapsed() < RENEW_MIN_INTERVAL
        {
            return Err(RegistrationError::RateLimited {
                seconds: (RENEW_MIN_INTERVAL - at.elapsed()).as_secs().max(1),
            });
        }
        log::warn!("the OpenID provider rejected client {rejected_id}; registering a new client");
        *last = Some(Instant::now());
        self.register_and_store().await
    }

    async fn register_and_store(&self) -> Result<(), RegistrationError> {
        let ClientSource::Registered {
            config,
            endpoint,
            http,
            resource,
        } = &self.source
        else {
            return Ok(());
        };
        let creds = register(http, endpoint, config, resource.as_deref()).await?;
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
    fn save_never_follows_a_planted_symlink_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        // The old code wrote `.client.json.tmp<pid>`; plant symlinks at likely names.
        #[cfg(unix)]
        for name in [
            format!(".client.json.tmp{}", std::process::id()),
            ".client.json.tmp".into(),
        ] {
            std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
        }
        let path = dir.path().join("client.json");
        let creds = ClientCredentials {
            client_id: "id".into(),
            client_secret: Some("s".into()),
            client_id_issued_at: None,
            client_secret_expires_at: None,
            registration_endpoint: None,
        };
        save(&path, &creds).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(load(&path), Some(creds));
    }

    #[test]
    fn concurrent_saves_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let path = Arc::new(dir.path().join("client.json"));
        let threads: Vec<_> = (0..32)
            .map(|n| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let creds = ClientCredentials {
                        client_id: format!("id-{n}"),
                        client_secret: None,
                        client_id_issued_at: None,
                        client_secret_expires_at: None,
                        registration_endpoint: None,
                    };
                    save(&path, &creds)
                })
            })
            .collect();
        for thread in threads {
            assert!(thread.join().unwrap().is_ok());
        }
        assert!(load(&path).is_some());
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "temp files left behind");
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
