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

/// A failed Nextcloud call.
#[derive(Debug, Clone)]
pub struct NextcloudError {
    /// The call, e.g. `GET /index.php/apps/notes/api/v1/notes/5`.
    pub call: String,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl NextcloudError {
    /// Builds an error for `call`.
    pub fn new(call: impl Into<String>, kind: ErrorKind) -> Self {
        Self {
            call: call.into(),
            kind,
        }
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
                401 => {
                    "the credentials were not accepted: sign in again (OAuth) or check the app password; with OAuth, Nextcloud's user_oidc bearer validation must be on"
                }
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
