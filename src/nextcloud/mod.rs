//! Typed access to Nextcloud's APIs. Every protocol quirk (OCS envelopes, `/index.php/`
//! prefixes, DAV namespaces, quoted ETags) lives here, once; tools never build URLs.

pub mod caldav;
pub mod capabilities;
pub mod carddav;
pub mod client;
pub mod collectives;
pub mod comments;
pub mod connect_error;
pub mod cookbook;
pub mod dav;
pub mod dav_object;
pub mod deck;
pub mod error;
pub mod fields;
pub mod file_multistatus;
pub mod ical;
pub mod mail;
pub mod news;
pub mod notes;
pub mod notes_list;
pub mod ocs;
pub mod sharing;
pub mod shopping_list;
pub mod systemtags;
pub mod tables;
pub mod talk;
pub mod trashbin;
pub mod unified_search;
pub mod vcard;
pub mod webdav;
pub mod xml;

pub use client::{BearerRejectionListener, Credentials, NextcloudClient, NextcloudShared};
pub use error::{ErrorKind, NcResult, NextcloudError, RejectedCredentials};

/// Wraps an etag in double quotes unless it already is (Nextcloud expects quoted etags in If-Match).
pub fn quote_etag(etag: &str) -> String {
    let trimmed = etag.trim();
    if trimmed == "*" || (trimmed.starts_with('"') && trimmed.ends_with('"') && trimmed.len() >= 2)
    {
        trimmed.to_string()
    } else {
        format!("\"{trimmed}\"")
    }
}

/// Removes surrounding quotes (and a weak `W/` prefix) from an etag.
pub fn unquote_etag(etag: &str) -> String {
    etag.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .to_string()
}
