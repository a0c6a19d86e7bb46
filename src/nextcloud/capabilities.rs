//! OCS capabilities (`/ocs/v2.php/cloud/capabilities`), cached per user for a short time,
//! used for the `nc://capabilities` resource and to tell a user an app is not installed.

use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;

use super::client::NextcloudClient;
use super::error::NcResult;

impl NextcloudClient {
    /// The full capabilities answer (`ocs.data`), cached 30 s per user.
    pub async fn capabilities(&self) -> NcResult<Arc<Value>> {
        let key = self.credential_key();
        if let Some(cached) = self.shared().capabilities.get(&key) {
            return Ok(cached);
        }
        let value = Arc::new(
            self.ocs_value(Method::GET, "/ocs/v2.php/cloud/capabilities", None)
                .await?,
        );
        self.shared().capabilities.insert(key, value.clone());
        Ok(value)
    }

    /// The capability block of one app (`notes`, `deck`, `tables`, `spreed`...), if installed.
    /// Fails open: when capabilities cannot be read, `Ok(None)` is not returned; the error is.
    pub async fn app_capability(&self, app: &str) -> NcResult<Option<Value>> {
        let caps = self.capabilities().await?;
        Ok(caps.pointer(&format!("/capabilities/{app}")).cloned())
    }

    /// Whether an app that publishes no capability (Mail, News) answers for this user, found
    /// by one cheap authenticated GET of `probe_path` and cached 5 minutes per user. A 404
    /// means "not installed or not enabled for this user"; other failures are returned
    /// uncached, so the real call can report them.
    pub async fn app_present(&self, app: &str, probe_path: &str) -> NcResult<bool> {
        let key = format!("{}:{app}", self.credential_key());
        if let Some(present) = self.shared().app_probes.get(&key) {
            return Ok(present);
        }
        let call = format!("GET {probe_path}");
        let request = self
            .request(Method::GET, probe_path)
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json");
        let present = match self.send(&call, request).await {
            Ok(_) => true,
            Err(err) if err.status() == Some(404) => false,
            Err(err) => return Err(err),
        };
        self.shared().app_probes.insert(key, present);
        Ok(present)
    }
}
