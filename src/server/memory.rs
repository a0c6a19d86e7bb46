//! The process's memory after start-up (docs/decisions/0006-memory.md).
//!
//! Start-up builds the schema of every tool (several times: name checks, the served router,
//! the tool-to-toolset map), parses the config and sets up the workers. The heap it freed
//! stayed resident for the life of the process: glibc's malloc keeps freed pages mapped (only
//! the top of the main heap is given back by itself). It is given back once, when the server
//! is up.

/// Returns the heap pages freed so far to the operating system: glibc's `malloc_trim` in native
/// builds, `mi_collect` in the container image's musl build, which allocates with mimalloc
/// (decision 0008; `native/mimalloc.c`).
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists, under its own locks.
    unsafe {
        libc::malloc_trim(0);
    }
    #[cfg(all(target_os = "linux", target_env = "musl"))]
    // SAFETY: mi_collect only walks mimalloc's own free lists, under its own locks.
    unsafe {
        ncmcp_release_freed_memory();
    }
}

#[cfg(all(target_os = "linux", target_env = "musl"))]
unsafe extern "C" {
    /// `mi_collect(true)`, in native/mimalloc.c.
    fn ncmcp_release_freed_memory();
}
