//! The process's memory after start-up (docs/decisions/0006-memory.md).
//!
//! Start-up builds the schema of every tool (several times: name checks, the served router,
//! the tool-to-toolset map), parses the config and sets up the workers. Two things stayed
//! resident for the life of the process although nothing uses them again:
//! - the heap it freed: glibc's malloc keeps freed pages mapped (only the top of the main
//!   heap is given back by itself);
//! - the code it ran: schema generation for 191 tools touches nearly all of the binary's
//!   text, and every touched page stays mapped (about 15 MiB of the idle RSS).
//!
//! Both are given back once, when the server is up. Code pages that requests use are read
//! back from the page cache on first use (minor faults, no disk I/O: the pages stay cached).

/// Returns the heap pages freed so far to the operating system (glibc's `malloc_trim`; the
/// musl build of the container image has none, and its allocator unmaps freed memory itself).
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists, under its own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Drops this executable's read-only, unmodified pages (code and constants) from the
/// process's resident set; they come back from the page cache when next used. Returns the
/// number of bytes of address space advised.
pub fn release_startup_code() -> usize {
    #[cfg(target_os = "linux")]
    {
        let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
            return 0;
        };
        let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
            return 0;
        };
        let mut advised = 0;
        for (start, end) in clean_read_only_mappings(&smaps, &exe.to_string_lossy()) {
            // SAFETY: the range is a whole private, non-writable mapping of our own executable
            // without a single private copy of a page (no relocations written: no anonymous
            // pages), so MADV_DONTNEED only removes page-table entries and the next access
            // faults the same bytes back in from the file. Nothing can write to a non-writable
            // mapping, nor to a running executable's file, meanwhile.
            let done = unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED)
            };
            if done == 0 {
                advised += end - start;
            }
        }
        advised
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// The address ranges in `smaps` (the text of `/proc/self/smaps`) mapped privately and
/// read-only from the file `path` whose resident pages are all the file's own (no anonymous
/// copies).
fn clean_read_only_mappings(smaps: &str, path: &str) -> Vec<(usize, usize)> {
    struct Mapping {
        range: (usize, usize),
        eligible: bool,
        modified: bool,
    }
    let mut found = Vec::new();
    let mut current: Option<Mapping> = None;
    let mut finish = |mapping: Option<Mapping>| {
        if let Some(m) = mapping
            && m.eligible
            && !m.modified
        {
            found.push(m.range);
        }
    };
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else {
            continue;
        };
        if let Some((start, end)) = first.split_once('-')
            && let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            )
        {
            finish(current.take());
            let perms = fields.next().unwrap_or("");
            let file = fields.nth(3).unwrap_or("");
            let eligible = perms.len() == 4
                && perms.starts_with('r')
                && perms.as_bytes()[1] == b'-'
                && perms.ends_with('p')
                && file == path
                && fields.next().is_none()
                && start < end;
            current = Some(Mapping {
                range: (start, end),
                eligible,
                modified: false,
            });
            continue;
        }
        let value = fields
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        // Anonymous pages are private copies (relocations written); page-cache pages, even
        // dirty ones of a freshly written file, hold the file's bytes (a running executable
        // cannot be written to: ETXTBSY).
        if matches!(first, "Anonymous:" | "Swap:")
            && value != 0
            && let Some(m) = current.as_mut()
        {
            m.modified = true;
        }
    }
    finish(current.take());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXE: &str = "/usr/local/bin/nextcloud-mcp";

    fn mapping(range: &str, perms: &str, file: &str, dirty: u64, anon: u64) -> String {
        format!(
            "{range} {perms} 00000000 08:01 1234 {file}\nSize: 100 kB\nRss: 40 kB\n\
Private_Clean: 40 kB\nPrivate_Dirty: {dirty} kB\nAnonymous: {anon} kB\nSwap: 0 kB\n\
VmFlags: rd mr mw me\n"
        )
    }

    #[test]
    fn only_clean_read_only_private_mappings_of_the_executable_are_picked() {
        let smaps = [
            mapping("1000-2000", "r--p", EXE, 0, 0), // constants: picked
            mapping("2000-5000", "r-xp", EXE, 0, 0), // code: picked
            mapping("5000-6000", "r--p", EXE, 8, 8), // RELRO, relocated: kept
            mapping("5800-5900", "r--p", EXE, 4, 0), // file just written (dirty cache): picked
            mapping("6000-7000", "rw-p", EXE, 4, 4), // data: kept
            mapping("7000-8000", "r-xp", "/usr/lib/libc.so.6", 0, 0), // another file: kept
            mapping("8000-9000", "rw-p", "", 4, 4),  // heap: kept
            mapping("9000-a000", "r-xs", EXE, 0, 0), // shared: kept
            mapping("a000-b000", "r-xp", &format!("{EXE} (deleted)"), 0, 0), // replaced binary
        ]
        .concat();
        assert_eq!(
            clean_read_only_mappings(&smaps, EXE),
            vec![(0x1000, 0x2000), (0x2000, 0x5000), (0x5800, 0x5900)]
        );
    }

    #[test]
    fn a_mapping_with_swapped_pages_is_kept() {
        let smaps = mapping("1000-2000", "r-xp", EXE, 0, 0).replace("Swap: 0 kB", "Swap: 4 kB");
        assert!(clean_read_only_mappings(&smaps, EXE).is_empty());
    }

    #[test]
    fn the_own_text_can_be_dropped_and_runs_on() {
        // Drops this test binary's code pages; the assertion after it runs from re-faulted pages.
        let advised = release_startup_code();
        release_freed_memory();
        assert!(
            advised > 0,
            "no clean code mapping found in /proc/self/smaps"
        );
        assert_eq!(
            clean_read_only_mappings("", EXE),
            Vec::<(usize, usize)>::new()
        );
    }
}
