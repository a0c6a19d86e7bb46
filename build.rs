//! Link settings of the server binary (docs/decisions/0006-memory.md, "Packed relative
//! relocations").
//!
//! The binary is position-independent, so the loader patches ~53,000 absolute pointers
//! (vtables, string tables, the tool catalogue) at every start. In the classic `RELA` form the
//! list of those places is 1.25 MiB that is read once and then stays resident for nothing;
//! packed (`DT_RELR`, `-z pack-relative-relocs`) it is a few KiB. The loader has to know the
//! format: for a glibc build, glibc 2.36 or newer (the binary then names the
//! `GLIBC_ABI_DT_RELR` version, so an older glibc refuses it with a clear message instead of
//! crashing); the container image's static musl binary relocates itself with the musl it was
//! linked with (Rust ships 1.2.5; musl reads packed relocations since 1.2.4).
//!
//! Release builds for x86-64 (glibc, and the image's musl) also gather the functions an idle
//! server runs at the front of the code (`link/startup-order.ld` and
//! `link/startup-order-musl.ld`, written by `bench/startup_order.py`; decision 0006, "Code
//! order"), so start-up leaves fewer code pages resident. Set `NEXTCLOUD_MCP_NO_STARTUP_ORDER=1`
//! to link without it.
//!
//! For the static musl build it also compiles the C in `native/`: memcpy and related functions
//! that replace musl's, and mimalloc's settings (decision 0008). `native/string.c` is compiled
//! on every x86-64 Linux target under `ncmcp_` names, for `tests/native_string.rs`.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" {
        return;
    }
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch == "x86_64" {
        compile_string_functions(&env);
    }
    if env == "musl" {
        compile_mimalloc_settings();
    }
    // Symbol names carry a hash that differs between targets, so each libc has its own code
    // order script.
    let (packed, script_name) = match env.as_str() {
        // A native build runs where it was built; a cross build keeps the classic format.
        "gnu" => (
            native_build() && host_glibc().is_some_and(|v| v >= (2, 36)),
            "startup-order.ld",
        ),
        // A static musl binary relocates itself with the musl it was linked with (Rust ships
        // 1.2.5; packed relocations are read since 1.2.4).
        "musl" => (true, "startup-order-musl.ld"),
        _ => return,
    };
    if packed {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=link/startup-order.ld");
    println!("cargo:rerun-if-changed=link/startup-order-musl.ld");
    println!("cargo:rerun-if-env-changed=NEXTCLOUD_MCP_NO_STARTUP_ORDER");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let opted_out = std::env::var_os("NEXTCLOUD_MCP_NO_STARTUP_ORDER").is_some();
    if arch == "x86_64" && release && !opted_out {
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        let script = std::path::Path::new(&dir).join("link").join(script_name);
        if script.is_file() {
            println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
        }
    }
}

fn native_build() -> bool {
    std::env::var("HOST").ok() == std::env::var("TARGET").ok()
}

/// The build host's glibc version (`getconf GNU_LIBC_VERSION` prints `glibc 2.36`).
fn host_glibc() -> Option<(u32, u32)> {
    let out = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let version = text.trim().strip_prefix("glibc ")?;
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// Compiles `native/string.c` (x86-64 only): in the static musl build its functions replace
/// musl's memcpy, memmove, memset, memcmp and bcmp (decision 0008); elsewhere they are built
/// under their `ncmcp_` names only, for tests/native_string.rs.
fn compile_string_functions(env: &str) {
    println!("cargo:rerun-if-changed=native/string.c");
    let mut build = cc::Build::new();
    build
        .file("native/string.c")
        .opt_level(2)
        .flag("-fno-builtin")
        .flag("-fno-tree-loop-distribute-patterns")
        .warnings(true);
    if env == "musl" {
        build.define("NCMCP_REPLACE_LIBC", None);
    }
    build.compile("ncmcp_string");
}

/// Compiles `native/mimalloc.c` (mimalloc's settings and `mi_collect`) for the musl build,
/// against the headers of the mimalloc that `libmimalloc-sys` builds.
fn compile_mimalloc_settings() {
    println!("cargo:rerun-if-changed=native/mimalloc.c");
    // Without it the link would fail later on a missing `ncmcp_release_freed_memory`.
    let Some(include) = std::env::var_os("DEP_MIMALLOC_INCLUDE_DIR") else {
        panic!("libmimalloc-sys gave no include directory (DEP_MIMALLOC_INCLUDE_DIR)");
    };
    cc::Build::new()
        .file("native/mimalloc.c")
        .include(include)
        .opt_level(2)
        .warnings(true)
        .compile("ncmcp_mimalloc");
}
