//! The MCP protocol surface: server info, tools (from the filtered router), resources
//! and `logging/setLevel`.
// MCP logging (logging/setLevel) is deprecated by SEP-2577 but today's clients still use it.
#![allow(deprecated)]

use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig, SetLevelRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, tool_handler};

use crate::tools::{NextcloudMcp, resources};

const INSTRUCTIONS: &str = "Tools for the user's Nextcloud: notes, files, sharing, calendars and tasks, contacts, \
Deck boards and Tables. Every call acts as the signed-in Nextcloud user with their permissions. \
Read before you write: updates take the etag from a previous read and fail with a conflict when the \
item changed meanwhile; then read it again and retry. The resource nc://capabilities tells which apps are installed.";

#[tool_handler(router = self.tool_router)]
impl ServerHandler for NextcloudMcp {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_resources()
            .enable_logging()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new(
                "nextcloud-mcp",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        // A filter over the shared router: narrowing headers, dynamic toolsets, scopes.
        self.visible_tools(&context)
            .map(ListToolsResult::with_all_items)
            .map_err(|message| McpError::invalid_params(message, None))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        if let Some(refusal) = self.refuse_call(&request.name, &context) {
            return refusal.into_response();
        }
        let call = ToolCallContext::new(self, request, context);
        self.tool_router.call(call).await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(resources::list(self)))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(self),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let client = self
            .client(&context)
            .map_err(|e| McpError::invalid_request(e.message, None))?;
        resources::read(self, &client, &request.uri)
            .await
            .map(Into::into)
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        if let Ok(mut level) = self.log_level.lock() {
            *level = Some(request.level);
        }
        Ok(())
    }
}
