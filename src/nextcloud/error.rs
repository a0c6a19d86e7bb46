//! One error type for every Nextcloud call: which call, what status, what to do.

use std::fmt;

/// What went wrong with a Nextcloud call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ErrorKind {
    /// Nextcloud answered with an error status.
    #[error("HTTP {status}{}", ocs_suffix(.ocs_status, .message))]
    Status {
        /// HTTP status code.
        status: u16,
        /// OCS status code when the answer was an OCS envelope.
        ocs_status: Option<u16>,
        /// Nextcloud's own message, shortened.
        message: Option<String>,
    },
    /// The request did not finish in time.
    #[error("timed out")]
    Timeout,
    /// Nextcloud could not be reached.
    #[error("Nextcloud unreachable: {0}")]
    Unreachable(String),
    /// The answer could not be understood.
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// The call was refused before it was sent (bad argument, unsafe path).
    #[error("{0}")]
    Invalid(String),
}

fn ocs_suffix(ocs: &Option<u16>, message: &Option<String>) -> String {
    let mut out = String::new();
    if let Some(code) = ocs {
        out.push_str(&format!(" (OCS {code})"));
    }
    if let Some(message) = message.as_deref().filter(|m| !m.is_empty()) {
        out.push_str(&format!(": {message}"));
    }
    out
}

/// Which credentials Nextcloud refused with HTTP 401, so the advice fits the auth mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectedCredentials {
    /// A user's OAuth bearer token (expired, revoked, or not validated by user_oidc).
    Bearer,
    /// The login name and app password of basic mode.
    Basic,
}

/// A failed Nextcloud call.
#[derive(Debug, Clone)]
pub struct NextcloudError {
    /// The call, e.g. `GET /index.php/apps/notes/api/v1/notes/5`.
    pub call: String,
    /// What went wrong.
    pub kind: ErrorKind,
    /// Set when Nextcloud answered 401: which credentials it refused.
    pub rejected: Option<RejectedCredentials>,
}

impl NextcloudError {
    /// Builds an error for `call`.
    pub fn new(call: impl Into<String>, kind: ErrorKind) -> Self {
        Self {
            call: call.into(),
            kind,
            rejected: None,
        }
    }

    /// Marks the error as Nextcloud refusing these credentials (HTTP 401).
    pub fn with_rejected(mut self, rejected: RejectedCredentials) -> Self {
        self.rejected = Some(rejected);
        self
    }

    /// An argument error found before any request was sent.
    pub fn invalid(call: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(call, ErrorKind::Invalid(message.into()))
    }

    /// The HTTP status, if Nextcloud answered.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            ErrorKind::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when Nextcloud could not be reached at all (down, timeout).
    pub fn is_unavailable(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout | ErrorKind::Unreachable(_))
            || matches!(self.status(), Some(502..=504))
    }

    /// What the user (or the model) can do about it.
    pub fn hint(&self) -> &'static str {
        match &self.kind {
            ErrorKind::Timeout => {
                "Nextcloud did not answer in time; try again, or raise nextcloud.timeout"
            }
            ErrorKind::Unreachable(_) => {
                "check that Nextcloud is running and that nextcloud.url is reachable from this server"
            }
            ErrorKind::Decode(_) => {
                "Nextcloud answered in an unexpected format; check that the app is installed and up to date"
            }
            ErrorKind::Invalid(_) => "correct the argument and call again",
            ErrorKind::Status { status, .. } => match status {
                400 => "Nextcloud rejected the arguments; check them and call again",
                401 => match self.rejected {
                    Some(RejectedCredentials::Bearer) => {
                        "your Nextcloud sign-in has expired or was revoked: reconnect this MCP server in your client to sign in again (if a fresh sign-in is refused too, the admin must turn on bearer token validation in Nextcloud's user_oidc app)"
                    }
                    Some(RejectedCredentials::Basic) => {
                        "Nextcloud did not accept the login name and app password of auth.basic: check them, or create a new app password (Nextcloud: Settings > Security)"
                    }
                    None => "Nextcloud did not accept the credentials of this request",
                },
                403 => "this user is not allowed to do this in Nextcloud",
                404 => {
                    "not found: check the id or path (list first to find it), or the app is not installed"
                }
                405 => "the resource already exists or does not allow this operation",
                409 => {
                    "conflict: the parent folder may be missing, or the target is in a state that does not allow this"
                }
                412 => {
                    "the item changed since it was read: read it again to get the current etag, then retry"
                }
                413 => "the content is too large for Nextcloud",
                423 => "the item is locked (being edited elsewhere); try again later",
                429 => "Nextcloud is rate limiting this user; wait and try again",
                503 => "Nextcloud is in maintenance mode or overloaded; try again later",
                507 => "the user's storage quota is full; free space in Nextcloud",
                415 => {
                    "Nextcloud does not support this kind of request here (unsupported report or content type); use another tool for it"
                }
                501 => {
                    "Nextcloud's WebDAV server does not implement this request for this item (for example reading a folder); use another tool for it"
                }
                500..=599 => "Nextcloud had an internal error; check its log (nextcloud.log)",
                _ => "check the arguments and the Nextcloud log",
            },
        }
    }
}

impl fmt::Display for NextcloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}. {}", self.call, self.kind, self.hint())
    }
}

impl std::error::Error for NextcloudError {}

/// Result of a Nextcloud call.
pub type NcResult<T> = Result<T, NextcloudError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn unauthorized(rejected: Option<RejectedCredentials>) -> NextcloudError {
        let err = NextcloudError::new(
            "GET /ocs/v2.php/cloud/user",
            ErrorKind::Status {
                status: 401,
                ocs_status: None,
                message: None,
            },
        );
        match rejected {
            Some(r) => err.with_rejected(r),
            None => err,
        }
    }

    #[test]
    fn advice_on_401_fits_the_auth_mode() {
        let bearer = unauthorized(Some(RejectedCredentials::Bearer)).to_string();
        assert!(bearer.contains("sign-in has expired"), "{bearer}");
        assert!(bearer.contains("reconnect"), "{bearer}");
        let basic = unauthorized(Some(RejectedCredentials::Basic)).to_string();
        assert!(basic.contains("app password"), "{basic}");
        assert!(!basic.contains("user_oidc"), "{basic}");
        assert!(!basic.contains("OAuth"), "{basic}");
        let unknown = unauthorized(None).to_string();
        assert!(!unknown.contains("user_oidc"), "{unknown}");
    }
}
