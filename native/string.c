/*
 * memcpy, memmove, memset, memcmp and bcmp for the container image's static musl binary
 * (docs/decisions/0008-image-allocator.md).
 *
 * musl's x86-64 memcpy moves an unaligned head and tail one `movsb` at a time around a
 * `rep movsq`, and its memcmp compares byte by byte. Rust code calls them for nearly every move
 * of a value and every string comparison: tens of thousands of calls per listing, most for a few
 * dozen bytes, where the microcoded string instructions cost more than the copy. These use
 * SSE2 (part of the x86-64 baseline) with overlapping loads for the ends, and `rep movsb` /
 * `rep stosb` only for large blocks.
 *
 * build.rs compiles this file for x86-64 Linux. The functions are always named `ncmcp_*` (so the
 * tests in tests/native_string.rs can compare them with a reference on any build); with
 * NCMCP_REPLACE_LIBC (the musl build) the standard names are aliases, and the linker then takes
 * these instead of musl's.
 *
 * Compiled with -fno-builtin and -fno-tree-loop-distribute-patterns: without them the compiler
 * may turn a copy loop back into a call to memcpy, which here would call itself.
 */
#include <emmintrin.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64 __attribute__((may_alias, aligned(1)));
typedef uint32_t u32 __attribute__((may_alias, aligned(1)));
typedef uint16_t u16 __attribute__((may_alias, aligned(1)));

/* Large blocks go to the string instructions, which are fast there on CPUs with ERMS. */
#define LARGE 2048

static inline __m128i load16(const unsigned char *p) {
    return _mm_loadu_si128((const __m128i *)p);
}

static inline void store16(unsigned char *p, __m128i v) {
    _mm_storeu_si128((__m128i *)p, v);
}

/* Copies n <= 32 bytes. Every load happens before the first store, so overlapping ranges are
 * moved correctly too (memmove uses it). */
static inline void copy_small(unsigned char *d, const unsigned char *s, size_t n) {
    if (n >= 16) {
        __m128i a = load16(s), b = load16(s + n - 16);
        store16(d, a);
        store16(d + n - 16, b);
    } else if (n >= 8) {
        u64 a = *(const u64 *)s, b = *(const u64 *)(s + n - 8);
        *(u64 *)d = a;
        *(u64 *)(d + n - 8) = b;
    } else if (n >= 4) {
        u32 a = *(const u32 *)s, b = *(const u32 *)(s + n - 4);
        *(u32 *)d = a;
        *(u32 *)(d + n - 4) = b;
    } else if (n >= 2) {
        u16 a = *(const u16 *)s, b = *(const u16 *)(s + n - 2);
        *(u16 *)d = a;
        *(u16 *)(d + n - 2) = b;
    } else if (n == 1) {
        *d = *s;
    }
}

/* Copies n > 32 bytes front to back. The last 16 source bytes are read first, so this is also
 * correct when the destination starts below an overlapping source. */
static inline void copy_forward(unsigned char *d, const unsigned char *s, size_t n) {
    __m128i tail = load16(s + n - 16);
    size_t i = 0;
    for (; i + 32 < n; i += 32) {
        __m128i a = load16(s + i), b = load16(s + i + 16);
        store16(d + i, a);
        store16(d + i + 16, b);
    }
    if (i + 16 < n) {
        store16(d + i, load16(s + i));
    }
    store16(d + n - 16, tail);
}

void *ncmcp_memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n <= 32) {
        copy_small(d, s, n);
    } else if (n >= LARGE) {
        __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    } else {
        copy_forward(d, s, n);
    }
    return dst;
}

void *ncmcp_memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n <= 32) {
        copy_small(d, s, n);
    } else if ((uintptr_t)d - (uintptr_t)s >= n) {
        /* The destination starts below the source, or the ranges do not overlap. */
        copy_forward(d, s, n);
    } else {
        /* The destination starts inside the source: back to front, the first 16 bytes read
         * before anything is written. */
        __m128i head = load16(s);
        size_t i = n;
        for (; i > 32; i -= 32) {
            __m128i a = load16(s + i - 16), b = load16(s + i - 32);
            store16(d + i - 16, a);
            store16(d + i - 32, b);
        }
        if (i > 16) {
            store16(d + i - 16, load16(s + i - 16));
        }
        store16(d, head);
    }
    return dst;
}

void *ncmcp_memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    unsigned char byte = (unsigned char)c;
    if (n >= 16) {
        if (n >= LARGE) {
            __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(byte) : "memory");
            return dst;
        }
        __m128i v = _mm_set1_epi8((char)byte);
        for (size_t i = 0; i + 16 < n; i += 16) {
            store16(d + i, v);
        }
        store16(d + n - 16, v);
    } else if (n >= 8) {
        u64 v = 0x0101010101010101ULL * byte;
        *(u64 *)d = v;
        *(u64 *)(d + n - 8) = v;
    } else if (n >= 4) {
        u32 v = 0x01010101U * byte;
        *(u32 *)d = v;
        *(u32 *)(d + n - 4) = v;
    } else if (n >= 2) {
        u16 v = (u16)(0x0101U * byte);
        *(u16 *)d = v;
        *(u16 *)(d + n - 2) = v;
    } else if (n == 1) {
        *d = byte;
    }
    return dst;
}

/* The sign of the first differing byte of two 16-byte blocks, or 0 when they are equal. */
static inline int compare16(const unsigned char *p, const unsigned char *q) {
    unsigned equal = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(load16(p), load16(q)));
    if (equal == 0xffff) {
        return 0;
    }
    unsigned k = (unsigned)__builtin_ctz(~equal);
    return p[k] < q[k] ? -1 : 1;
}

/* Compares 8 bytes as big-endian numbers: the order of their first differing byte. */
static inline int compare8(const unsigned char *p, const unsigned char *q) {
    u64 x = __builtin_bswap64(*(const u64 *)p), y = __builtin_bswap64(*(const u64 *)q);
    return x < y ? -1 : x > y;
}

int ncmcp_memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *p = a, *q = b;
    if (n >= 16) {
        size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            int r = compare16(p + i, q + i);
            if (r) {
                return r;
            }
        }
        /* The rest, in one block that overlaps bytes already found equal. */
        return i == n ? 0 : compare16(p + n - 16, q + n - 16);
    }
    if (n >= 8) {
        int r = compare8(p, q);
        return r ? r : compare8(p + n - 8, q + n - 8);
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] != q[i]) {
            return p[i] < q[i] ? -1 : 1;
        }
    }
    return 0;
}

int ncmcp_bcmp(const void *a, const void *b, size_t n) {
    return ncmcp_memcmp(a, b, n);
}

#ifdef NCMCP_REPLACE_LIBC
void *memcpy(void *restrict, const void *restrict, size_t) __attribute__((alias("ncmcp_memcpy")));
void *memmove(void *, const void *, size_t) __attribute__((alias("ncmcp_memmove")));
void *memset(void *, int, size_t) __attribute__((alias("ncmcp_memset")));
int memcmp(const void *, const void *, size_t) __attribute__((alias("ncmcp_memcmp")));
int bcmp(const void *, const void *, size_t) __attribute__((alias("ncmcp_bcmp")));
#endif
