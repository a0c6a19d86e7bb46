//! Building the tool routers leaves nothing behind but what they hold (issue 16, idle RSS;
//! docs/decisions/0006-memory.md). rmcp caches every generated schema in thread-local maps for
//! the life of the thread; built on the server's main thread, the original schemas of every
//! toolset stayed allocated for good. The only test in this binary: it counts the bytes live
//! on the heap of the whole process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use nextcloud_mcp::config::ToolsetsConfig;
use nextcloud_mcp::tools::known::all_tool_names;
use nextcloud_mcp::tools::registry::{all_toolsets, build_router, toolset_of};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn building_every_tool_schema_keeps_nothing_once_the_routers_are_dropped() {
    let before = LIVE.load(Ordering::SeqCst);
    // What the server does at start-up: names checked, the served router and the
    // tool-to-toolset map (kept for good, a few KiB) built.
    let names = all_tool_names();
    let router = build_router(&ToolsetsConfig::default());
    let _ = toolset_of("");
    let held = LIVE.load(Ordering::SeqCst) - before;
    assert!(router.list_all().len() > 100);
    drop(router);
    drop(names);
    drop(all_toolsets());
    let left = LIVE.load(Ordering::SeqCst) - before;
    println!(
        "start-up holds {} KiB with the served router; {} KiB left after dropping it",
        held / 1024,
        left / 1024
    );
    // Schemas kept in rmcp's thread-local caches here would leave megabytes.
    assert!(
        left < 256 * 1024,
        "{} KiB still allocated after the routers were dropped",
        left / 1024
    );
}
