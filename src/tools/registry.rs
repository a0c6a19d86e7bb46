//! Turns the `toolsets:` config into the served tool list: enabled toolsets, then
//! read-only filtering from each tool's own annotation, then include/exclude lists.

use rmcp::handler::server::router::tool::ToolRouter;

use super::NextcloudMcp;
use crate::config::ToolsetsConfig;

/// Every toolset with its router. A new toolset adds one line here.
pub fn all_toolsets() -> Vec<(&'static str, ToolRouter<NextcloudMcp>)> {
    off_thread(|| {
        vec![
            ("notes", NextcloudMcp::notes_router()),
            ("files", NextcloudMcp::files_router()),
            ("sharing", NextcloudMcp::sharing_router()),
            ("deck", NextcloudMcp::deck_router()),
            ("tables", NextcloudMcp::tables_router()),
            ("calendar", NextcloudMcp::calendar_router()),
            ("contacts", NextcloudMcp::contacts_router()),
            ("search", NextcloudMcp::search_router()),
            ("talk", NextcloudMcp::talk_router()),
            ("mail", NextcloudMcp::mail_router()),
            ("news", NextcloudMcp::news_router()),
            ("collectives", NextcloudMcp::collectives_router()),
            ("shopping_list", NextcloudMcp::shopping_list_router()),
            ("cookbook", NextcloudMcp::cookbook_router()),
        ]
    })
}

/// Runs `build` (anything that may generate tool schemas: only those missing from
/// `catalogue.json` are) on a short-lived thread of its own.
/// rmcp keeps every schema it generates in thread-local caches for the life of the thread;
/// built on the main or a worker thread, the original schemas of all 191 tools (several MiB)
/// stayed in memory for good although the served router holds its own portable copies. Here
/// the caches die with the thread and only what the routers still hold survives
/// (docs/decisions/0006-memory.md).
pub fn off_thread<T: Send>(build: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(build).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// The router holding exactly the tools the config serves.
pub fn build_router(settings: &ToolsetsConfig) -> ToolRouter<NextcloudMcp> {
    let mut router = ToolRouter::new();
    for (name, toolset) in all_toolsets() {
        let enabled = settings
            .enabled
            .as_ref()
            .is_none_or(|list| list.iter().any(|n| n == name));
        if enabled {
            router.merge(toolset);
        }
    }
    let names: Vec<String> = router
        .list_all()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    for name in names {
        let tool = router.get(&name).cloned();
        let read_only = tool
            .as_ref()
            .and_then(|t| t.annotations.as_ref())
            .and_then(|a| a.read_only_hint)
            .unwrap_or(false);
        let keep = (!settings.read_only || read_only)
            && (settings.tools.include.is_empty() || settings.tools.include.contains(&name))
            && !settings.tools.exclude.contains(&name);
        if !keep {
            router.remove_route(&name);
        }
    }
    if settings.dynamic {
        // After the filters: the meta-tools change only this session's view, never data.
        router.merge(off_thread(NextcloudMcp::toolsets_router));
    }
    let output_schemas = settings.serves_output_schemas();
    // The rewritten trees are garbage once served as text: made on a thread of their own, they
    // are freed in one piece instead of between what the router keeps.
    off_thread(|| {
        for route in router.map.values_mut() {
            super::schema::apply(&mut route.attr, output_schemas);
        }
    });
    super::schema::serve_as_text(router.map.values_mut().map(|route| &mut route.attr));
    let misses = super::catalogue::misses();
    if misses > 0 {
        log::warn!(
            "{misses} tool schemas were generated at start because src/tools/catalogue.json \
             lacks them; regenerate it (UPDATE_SNAPSHOTS=1 cargo test --test schema_catalogue)"
        );
    }
    router
}

/// The toolset a tool belongs to (`toolsets` for the dynamic meta-tools), or None for a
/// name no toolset has.
pub fn toolset_of(tool: &str) -> Option<&'static str> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<String, &'static str>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        let meta = (
            super::dynamic::META_TOOLSET,
            off_thread(NextcloudMcp::toolsets_router),
        );
        for (set, router) in all_toolsets().into_iter().chain(std::iter::once(meta)) {
            for name in router.map.keys() {
                map.insert(name.to_string(), set);
            }
        }
        map
    })
    .get(tool)
    .copied()
}
