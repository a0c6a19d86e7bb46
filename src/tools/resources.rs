//! MCP resources: `nc://capabilities` here; toolsets add theirs through [`read`] and [`list`].

use rmcp::ErrorData as McpError;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};

use super::NextcloudMcp;
use crate::nextcloud::NextcloudClient;

/// URI of the OCS capabilities resource.
pub const CAPABILITIES_URI: &str = "nc://capabilities";

/// Fixed resources of the enabled toolsets.
pub fn list(host: &NextcloudMcp) -> Vec<Resource> {
    let mut out = vec![
        Resource::new(CAPABILITIES_URI, "capabilities")
            .with_description("Nextcloud's OCS capabilities for the calling user: installed apps, versions and features")
            .with_mime_type("application/json"),
    ];
    if toolset_enabled(host, "notes") {
        out.push(
            Resource::new(super::notes_resources::SETTINGS_URI, "notes settings")
                .with_description("Settings of the Notes app: the notes folder and file suffix")
                .with_mime_type("application/json"),
        );
    }
    if toolset_enabled(host, "deck") {
        out.extend(super::deck::resources::list());
    }
    out
}

/// Resource templates (parameterised URIs) of the enabled toolsets.
pub fn templates(host: &NextcloudMcp) -> Vec<ResourceTemplate> {
    let mut out = super::notes_resources::templates(host);
    if toolset_enabled(host, "deck") {
        out.extend(super::deck::resources::templates());
    }
    out
}

/// Whether the config enables a toolset (all are enabled when the list is absent).
pub fn toolset_enabled(host: &NextcloudMcp, name: &str) -> bool {
    host.settings
        .enabled
        .as_ref()
        .is_none_or(|list| list.iter().any(|n| n == name))
}

/// Reads a resource for the caller.
pub async fn read(
    host: &NextcloudMcp,
    client: &NextcloudClient,
    uri: &str,
) -> Result<ReadResourceResult, McpError> {
    if uri == CAPABILITIES_URI {
        let caps = client
            .capabilities()
            .await
            .map_err(|e| McpError::internal_error(e.to_string(), None))?;
        return Ok(json_resource(uri, &caps));
    }
    if let Some(result) = super::notes_resources::read(host, client, uri).await? {
        return Ok(result);
    }
    if toolset_enabled(host, "deck")
        && let Some(result) = super::deck::resources::read(host, client, uri).await
    {
        return result.map(|value| json_resource(uri, &value));
    }
    Err(McpError::resource_not_found(
        format!("unknown resource {uri}; list resources and resource templates to see what exists"),
        None,
    ))
}

/// A JSON resource body.
pub fn json_resource(uri: &str, value: &serde_json::Value) -> ReadResourceResult {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type("application/json"),
    ])
}
