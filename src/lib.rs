//! nextcloud-mcp: a Model Context Protocol server that lets AI assistants work with a
//! user's Nextcloud, as an OAuth 2.0 resource server in front of it.

pub mod auth;
pub mod config;
pub mod logging;
pub mod metrics;
pub mod nextcloud;
pub mod server;
pub mod tools;
