//! native/string.c: the memcpy, memmove, memset, memcmp and bcmp that replace musl's in the
//! container image's static binary (docs/decisions/0008-image-allocator.md). They are built on
//! every x86-64 Linux target under their `ncmcp_` names, and compared here with byte-by-byte
//! reference versions for every length up to 300 and at every alignment that matters, then with
//! random large blocks and overlaps in both directions.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use proptest::prelude::*;
// The functions come in the library's rlib (build.rs compiles them into it).
use nextcloud_mcp as _;

unsafe extern "C" {
    fn ncmcp_memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8;
    fn ncmcp_memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8;
    fn ncmcp_memset(dst: *mut u8, c: i32, n: usize) -> *mut u8;
    fn ncmcp_memcmp(a: *const u8, b: *const u8, n: usize) -> i32;
    fn ncmcp_bcmp(a: *const u8, b: *const u8, n: usize) -> i32;
}

/// Guard bytes around every region: a write outside it shows up as a changed guard.
const GUARD: usize = 40;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn check_copy(len: usize, src_offset: usize, dst_offset: usize) {
    let src = pattern(len + 2 * GUARD, 7);
    let mut dst = pattern(len + 2 * GUARD, 201);
    let mut expected = dst.clone();
    expected[GUARD + dst_offset..GUARD + dst_offset + len]
        .copy_from_slice(&src[GUARD + src_offset..GUARD + src_offset + len]);
    let dst_ptr = dst[GUARD + dst_offset..].as_mut_ptr();
    // SAFETY: both ranges lie inside their vectors (len + offset < len + 2 * GUARD).
    let returned = unsafe { ncmcp_memcpy(dst_ptr, src[GUARD + src_offset..].as_ptr(), len) };
    assert_eq!(returned, dst_ptr, "memcpy returns its destination");
    assert_eq!(
        dst, expected,
        "memcpy len {len} src+{src_offset} dst+{dst_offset}"
    );
}

/// Moves `len` bytes from `from` to `to` inside one buffer, as memmove and as a reference.
fn check_move(len: usize, from: usize, to: usize) {
    let mut buffer = pattern(len + from.max(to) + GUARD, 3);
    let mut expected = buffer.clone();
    expected.copy_within(from..from + len, to);
    let base = buffer.as_mut_ptr();
    // SAFETY: from + len and to + len are inside the buffer; memmove allows overlap.
    let returned = unsafe { ncmcp_memmove(base.add(to), base.add(from), len) };
    assert_eq!(
        returned,
        base.wrapping_add(to),
        "memmove returns its destination"
    );
    assert_eq!(buffer, expected, "memmove len {len} from {from} to {to}");
}

fn check_set(len: usize, offset: usize, byte: u8) {
    let mut buffer = pattern(len + 2 * GUARD, 99);
    let mut expected = buffer.clone();
    expected[GUARD + offset..GUARD + offset + len].fill(byte);
    let ptr = buffer[GUARD + offset..].as_mut_ptr();
    // SAFETY: the range is inside the buffer. The high bits of the int are ignored, as in C.
    let returned = unsafe { ncmcp_memset(ptr, i32::from(byte) | 0x7f00, len) };
    assert_eq!(returned, ptr, "memset returns its destination");
    assert_eq!(
        buffer, expected,
        "memset len {len} offset {offset} byte {byte}"
    );
}

/// memcmp's sign for two slices of equal length, next to the slices' own order.
fn check_compare(a: &[u8], b: &[u8]) {
    assert_eq!(a.len(), b.len());
    // SAFETY: both slices hold `a.len()` bytes.
    let (sign, bsign) = unsafe {
        (
            ncmcp_memcmp(a.as_ptr(), b.as_ptr(), a.len()).signum(),
            ncmcp_bcmp(a.as_ptr(), b.as_ptr(), a.len()),
        )
    };
    let expected = match a.cmp(b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    };
    assert_eq!(sign, expected, "memcmp of {a:?} and {b:?}");
    assert_eq!(bsign == 0, expected == 0, "bcmp of {a:?} and {b:?}");
}

#[test]
fn copies_every_small_length_at_every_alignment() {
    for len in 0..=300 {
        for src_offset in 0..16 {
            for dst_offset in [0, 1, 7, 8, 15] {
                check_copy(len, src_offset, dst_offset);
            }
        }
    }
    for len in [2047, 2048, 2049, 4096, 4099, 65_537] {
        check_copy(len, 3, 5);
    }
}

#[test]
fn moves_overlapping_ranges_both_ways() {
    for len in 0..=300 {
        for distance in [0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 64, 301] {
            check_move(len, distance, 0);
            check_move(len, 0, distance);
        }
    }
    for len in [2047, 2048, 5000] {
        for distance in [1, 16, 33, 1000] {
            check_move(len, distance, 0);
            check_move(len, 0, distance);
        }
    }
}

#[test]
fn sets_every_small_length() {
    for len in 0..=300 {
        for offset in [0, 1, 3, 8, 13] {
            check_set(len, offset, 0xa5);
            check_set(len, offset, 0);
        }
    }
    for len in [2047, 2048, 2049, 10_000] {
        check_set(len, 5, 0xff);
    }
}

#[test]
fn compares_by_the_first_differing_byte() {
    for len in 0..=100 {
        let a = pattern(len, 11);
        check_compare(&a, &a.clone());
        for at in 0..len {
            for (x, y) in [(0x00, 0xff), (0xff, 0x00), (0x7f, 0x80), (0x80, 0x7f)] {
                let mut left = a.clone();
                let mut right = a.clone();
                left[at] = x;
                right[at] = y;
                check_compare(&left, &right);
                // A later difference the other way must not change the answer.
                if at + 1 < len {
                    right[len - 1] = left[len - 1].wrapping_add(1);
                    left[len - 1] = left[len - 1].wrapping_sub(1);
                    check_compare(&left, &right);
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn random_blocks_copy_and_compare_like_the_reference(
        a in proptest::collection::vec(any::<u8>(), 0..5000),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..3),
        src_offset in 0usize..64,
        dst_offset in 0usize..64,
    ) {
        check_copy(a.len(), src_offset % 17, dst_offset % 17);
        let mut b = a.clone();
        for (at, value) in flips {
            if !b.is_empty() {
                let at = at % b.len();
                b[at] = value;
            }
        }
        check_compare(&a, &b);
    }

    #[test]
    fn random_moves_match_copy_within(
        len in 0usize..5000,
        from in 0usize..3000,
        to in 0usize..3000,
    ) {
        check_move(len, from, to);
    }
}
