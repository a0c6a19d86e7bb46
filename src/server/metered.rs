//! Wraps each MCP host to measure it: requests and latency per MCP method, tool calls,
//! latency and errors by kind per tool, open sessions, and one log line per tool call (tool,
//! user, duration, outcome; never arguments or results). Every `ServerHandler` method is
//! forwarded to the host, so whatever the host implements keeps working unchanged.
// MCP logging (logging/setLevel) is deprecated by SEP-2577 but today's clients still use it.
#![allow(deprecated)]

use std::borrow::Cow;
use std::pin::Pin;
use std::time::{Duration, Instant};

use rmcp::model::*;
use rmcp::service::{MaybeSendFuture, NotificationContext, RequestContext, SubscriptionContext};
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};

use crate::auth::Caller;
use crate::metrics::{self, OpenGuard};
use crate::tools::NextcloudMcp;

/// An MCP host whose requests are counted, timed and (for tool calls) logged. It lives as
/// long as its session, so it also counts open sessions.
pub struct Metered {
    host: NextcloudMcp,
    _session: OpenGuard,
}

impl Metered {
    /// Wraps a host.
    pub fn new(host: NextcloudMcp) -> Self {
        Self {
            host,
            _session: metrics::session_opened(),
        }
    }

    /// A tool call, timed, counted and logged (boxed: see [`Boxed`]).
    fn measure_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Boxed<'_, Result<CallToolResponse, McpError>> {
        Box::pin(async move {
            let name = request.name.to_string();
            let user = Caller::from_extensions(&context.extensions)
                .or_else(|| self.host.default_caller.clone())
                .map(|c| c.user_id.to_string())
                .unwrap_or_else(|| "-".into());
            let started = Instant::now();
            let result = self.host.call_tool(request, context).await;
            let elapsed = started.elapsed();
            metrics::mcp_request("tools/call", result.is_ok(), elapsed);
            self.record_tool(&name, &user, &result, elapsed);
            result
        })
    }

    fn record_tool(
        &self,
        name: &str,
        user: &str,
        result: &Result<CallToolResponse, McpError>,
        elapsed: Duration,
    ) {
        let tool = if self.host.tool_router.has_route(name) {
            name
        } else {
            "unknown"
        };
        let error_kind = match result {
            Err(_) => Some("protocol"),
            Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => {
                let text = r
                    .content
                    .iter()
                    .find_map(|c| c.as_text())
                    .map(|t| t.text.as_str())
                    .unwrap_or("");
                Some(metrics::tool_error_kind(text))
            }
            Ok(_) => None,
        };
        metrics::tool_call(tool, error_kind, elapsed);
        let millis = elapsed.as_secs_f64() * 1000.0;
        match error_kind {
            None => log::info!(
                target: "nextcloud_mcp::tool",
                "tool={tool} user={user} duration_ms={millis:.1} outcome=ok"
            ),
            Some(kind) => log::warn!(
                target: "nextcloud_mcp::tool",
                "tool={tool} user={user} duration_ms={millis:.1} outcome=error kind={kind}"
            ),
        }
    }
}

/// A request's future on the heap. rmcp moves the future of every request into a task of its
/// own (`tokio::spawn`), and that future is as large as the largest of all methods' futures
/// (the tool call and resource read state machines): without a box, every request copied
/// tens of KB on spawn and on each change of the task's stage (callgrind: ~30 % of a get_note).
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Times one MCP request and records it under `method`.
fn timed<'a, T>(
    method: &'static str,
    request: impl Future<Output = Result<T, McpError>> + Send + 'a,
) -> Boxed<'a, Result<T, McpError>>
where
    T: Send + 'a,
{
    Box::pin(async move {
        let started = Instant::now();
        let result = request.await;
        metrics::mcp_request(method, result.is_ok(), started.elapsed());
        result
    })
}

impl ServerHandler for Metered {
    fn ping(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        timed("ping", self.host.ping(context))
    }

    fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<InitializeResult, McpError>> + MaybeSendFuture + '_ {
        timed("initialize", self.host.initialize(request, context))
    }

    fn negotiate_initialize(
        &self,
        request: &InitializeRequestParams,
    ) -> Result<InitializeResult, McpError> {
        self.host.negotiate_initialize(request)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        self.host.supported_protocol_versions()
    }

    fn discover(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<DiscoverResult, McpError>> + MaybeSendFuture + '_ {
        timed("other", self.host.discover(context))
    }

    fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + MaybeSendFuture + '_ {
        timed("completion/complete", self.host.complete(request, context))
    }

    fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        timed("logging/setLevel", self.host.set_level(request, context))
    }

    fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetPromptResponse, McpError>> + MaybeSendFuture + '_ {
        timed("prompts/get", self.host.get_prompt(request, context))
    }

    fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListPromptsResult, McpError>> + MaybeSendFuture + '_ {
        timed("prompts/list", self.host.list_prompts(request, context))
    }

    fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourcesResult, McpError>> + MaybeSendFuture + '_ {
        timed("resources/list", self.host.list_resources(request, context))
    }

    fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourceTemplatesResult, McpError>> + MaybeSendFuture + '_
    {
        timed(
            "resources/templates/list",
            self.host.list_resource_templates(request, context),
        )
    }

    fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceResponse, McpError>> + MaybeSendFuture + '_ {
        timed("resources/read", self.host.read_resource(request, context))
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        self.host.accepted_subscription_filter(requested)
    }

    fn listen(
        &self,
        context: SubscriptionContext,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.host.listen(context)
    }

    fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        timed("resources/subscribe", self.host.subscribe(request, context))
    }

    fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        timed(
            "resources/unsubscribe",
            self.host.unsubscribe(request, context),
        )
    }

    fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResponse, McpError>> + MaybeSendFuture + '_ {
        self.measure_tool(request, context)
    }

    fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListToolsResult, McpError>> + MaybeSendFuture + '_ {
        timed("tools/list", self.host.list_tools(request, context))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.host.get_tool(name)
    }

    fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CustomResult, McpError>> + MaybeSendFuture + '_ {
        timed("other", self.host.on_custom_request(request, context))
    }

    fn on_cancelled(
        &self,
        notification: CancelledNotificationParam,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.host.on_cancelled(notification, context)
    }

    fn on_progress(
        &self,
        notification: ProgressNotificationParam,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.host.on_progress(notification, context)
    }

    fn on_initialized(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.host.on_initialized(context)
    }

    fn on_roots_list_changed(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.host.on_roots_list_changed(context)
    }

    fn on_custom_notification(
        &self,
        notification: CustomNotification,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.host.on_custom_notification(notification, context)
    }

    fn get_info(&self) -> ServerConfig {
        self.host.get_info()
    }

    fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskResult, McpError>> + MaybeSendFuture + '_ {
        timed("other", self.host.get_task(request, context))
    }

    fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        timed("other", self.host.update_task(request, context))
    }

    fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        timed("other", self.host.cancel_task(request, context))
    }

    fn list_skills(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListSkillsResult, McpError>> + MaybeSendFuture + '_ {
        timed("other", self.host.list_skills(request, context))
    }

    fn get_skill(
        &self,
        request: GetSkillRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetSkillResult, McpError>> + MaybeSendFuture + '_ {
        timed("other", self.host.get_skill(request, context))
    }

    fn read_resource_directory(
        &self,
        request: ReadResourceDirectoryRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceDirectoryResult, McpError>> + MaybeSendFuture + '_
    {
        timed("other", self.host.read_resource_directory(request, context))
    }
}
