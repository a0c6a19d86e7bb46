//! Long texts of content blocks (a file's text, a tool result's JSON text) written as JSON
//! strings 16 bytes at a time. serde_json escapes byte by byte through a lookup table and hands
//! each run between two escapes to the writer separately; for a 512 KiB text that was most of
//! a read's CPU. Here each 16-byte block gives a bit mask of the bytes to escape (three SSE2
//! compares on x86-64), runs between them are copied whole, and only a `"`, a `\` or a control
//! character costs anything of its own. The output is byte for byte serde_json's
//! (`\b \t \n \f \r \" \\`, other control characters as `\u00xx` in lower-case hex).

use serde::Serializer;
use serde::ser::SerializeStruct;

/// Shorter texts go through serde_json's own escaping (an extra buffer is not worth it).
const MIN_LEN: usize = 512;
/// serde_json writes a struct of this name verbatim: the mechanism behind its `RawValue`.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";
const HEX: &[u8; 16] = b"0123456789abcdef";

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Bit `i` set when byte `i` of the block needs escaping.
#[cfg(target_arch = "x86_64")]
fn escape_mask(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline, and the unaligned load reads exactly the
    // 16 bytes of `block`.
    unsafe {
        let x = _mm_loadu_si128(block.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\\' as i8));
        // b <= 0x1f (unsigned) exactly when max(b, 0x1f) == 0x1f.
        let low = _mm_set1_epi8(0x1f);
        let control = _mm_cmpeq_epi8(_mm_max_epu8(x, low), low);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

/// Bit `i` set when byte `i` of the block needs escaping.
#[cfg(not(target_arch = "x86_64"))]
fn escape_mask(block: &[u8; 16]) -> u32 {
    block
        .iter()
        .enumerate()
        .fold(0, |mask, (i, &b)| mask | (u32::from(needs_escape(b)) << i))
}

#[inline]
fn push_escaped(out: &mut Vec<u8>, b: u8) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        b if b < 0x20 => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
        b => out.push(b),
    }
}

/// `text` as a JSON string literal, quotes included.
pub(crate) fn quoted(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16 + 2);
    out.push(b'"');
    // Bytes before `pending` are written; escapes are found from `at` on.
    let mut pending = 0;
    let mut at = 0;
    while let Some(block) = bytes.get(at..).and_then(<[u8]>::first_chunk::<16>) {
        let mut mask = escape_mask(block);
        while mask != 0 {
            let pos = at + mask.trailing_zeros() as usize;
            out.extend_from_slice(&bytes[pending..pos]);
            push_escaped(&mut out, bytes[pos]);
            pending = pos + 1;
            mask &= mask - 1;
        }
        at += 16;
    }
    for pos in at..bytes.len() {
        if needs_escape(bytes[pos]) {
            out.extend_from_slice(&bytes[pending..pos]);
            push_escaped(&mut out, bytes[pos]);
            pending = pos + 1;
        }
    }
    out.extend_from_slice(&bytes[pending..]);
    out.push(b'"');
    // Only ASCII bytes were replaced, so the text is still UTF-8.
    String::from_utf8(out).ok()
}

/// `serialize_with` for a content block's text: long texts are escaped here and written
/// verbatim by serde_json (rmcp serialises messages with serde_json only; its `Value`
/// serialiser parses the literal back, so `to_value` gives the same string).
pub(crate) fn serialize<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    if text.len() < MIN_LEN {
        return serializer.serialize_str(text);
    }
    let Some(literal) = quoted(text) else {
        return serializer.serialize_str(text);
    };
    let mut raw = serializer.serialize_struct(RAW_VALUE_TOKEN, 1)?;
    raw.serialize_field(RAW_VALUE_TOKEN, literal.as_str())?;
    raw.end()
}
