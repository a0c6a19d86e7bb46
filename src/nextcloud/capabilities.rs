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
}
