/*
 * mimalloc's settings in the container image's static musl binary
 * (docs/decisions/0008-image-allocator.md).
 *
 * By default mimalloc commits its whole first arena at once on Linux, and memory it purges
 * later stays counted as resident: an idle heap of 16 MiB. Committed on demand, and collected
 * once after start-up, it is 5 MiB (musl's own allocator: 3); the CPU per call measured the
 * same. A MIMALLOC_ARENA_EAGER_COMMIT in the environment still wins, as do all other
 * MIMALLOC_* settings.
 *
 * build.rs compiles this file for the musl target only, against the headers of the mimalloc
 * the `mimalloc` crate links.
 */
#include <mimalloc.h>
#include <stdlib.h>

/* Runs before main. The object is linked because ncmcp_release_freed_memory is referenced
 * (src/server/memory.rs); a constructor alone would not pull it out of the archive. */
__attribute__((constructor)) static void ncmcp_mimalloc_defaults(void) {
    if (getenv("MIMALLOC_ARENA_EAGER_COMMIT") == NULL) {
        mi_option_set(mi_option_arena_eager_commit, 0);
    }
}

/* Gives the memory freed so far back to the system (called once the server is up, like
 * glibc's malloc_trim in the native build). */
void ncmcp_release_freed_memory(void) {
    mi_collect(true);
}
