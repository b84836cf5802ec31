/* walilib.h -- header-only freestanding support for WALI test guests.
 *
 * A guest is one C file:
 *
 *     #include "walilib.h"
 *     WALI_MAIN
 *     int main(int argc, char **argv) { wprintf(1, "%s has %d args\n", argv[0], argc); return 0; }
 *
 * WALI_MAIN defines the exported `_start` with the musl crt1 sequence of
 * WALI-ABI.md section 3.1: __init; argv via the __cl_* imports (fixed static
 * buffers, no malloc); main; __deinit (only when main returned 0); __proc_exit.
 * `main` must have the signature int main(int argc, char **argv).
 *
 * memcpy/memmove/memset/memcmp/bcmp/strlen/strcmp/strncmp are *weak external*
 * definitions (clang may emit calls to them on its own); with -mbulk-memory
 * memcpy/memmove/memset become memory.copy / memory.fill. The other helpers
 * are static inline.
 *
 * wprintf(fd, fmt, ...) understands %d %i %u %x %X %s %c %p %% with optional
 * '-' / '0' flags and a width, the length modifiers l / ll (both mean a 64-bit
 * int64_t/uint64_t argument, like WALI's 64-bit long) and z (size_t, 32 bits).
 * Pass int64_t for %ld/%lld -- stock wasm32 clang's `long` is only 32 bits.
 *
 * check(cond, msg) / check_eq(got, want, msg) report a failure on fd 2 and
 * count it; WALI_MAIN turns a 0 returned by main into exit status 1 when any
 * check failed.
 */
#ifndef WALILIB_H
#define WALILIB_H

#include "wali.h"

#ifndef WALI_MAX_ARGS
#define WALI_MAX_ARGS 64
#endif
#ifndef WALI_ARGV_BYTES
#define WALI_ARGV_BYTES 16384
#endif
#ifndef WALI_HEAP_SIZE
#define WALI_HEAP_SIZE (256 * 1024)
#endif
/* Exit status used when the command line does not fit the static argv buffers. */
#define WALI_ARGV_OVERFLOW_EXIT 120

#define WALI_LIBC_FN __attribute__((weak, no_builtin))

/* ------------------------------------------------------------------ */
/* libc names the compiler may call by itself                           */
/* ------------------------------------------------------------------ */

WALI_LIBC_FN void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
#if defined(__wasm_bulk_memory__)
    __builtin_memcpy(dst, src, n); /* lowered to memory.copy, never to a call */
#else
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    while (n--) *d++ = *s++;
#endif
    return dst;
}

WALI_LIBC_FN void *memmove(void *dst, const void *src, size_t n) {
#if defined(__wasm_bulk_memory__)
    __builtin_memmove(dst, src, n); /* memory.copy handles overlap */
#else
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
#endif
    return dst;
}

WALI_LIBC_FN void *memset(void *dst, int c, size_t n) {
#if defined(__wasm_bulk_memory__)
    __builtin_memset(dst, c, n); /* lowered to memory.fill */
#else
    unsigned char *d = (unsigned char *)dst;
    while (n--) *d++ = (unsigned char)c;
#endif
    return dst;
}

WALI_LIBC_FN int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return (int)x[i] - (int)y[i];
    }
    return 0;
}

WALI_LIBC_FN int bcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return 1;
    }
    return 0;
}

WALI_LIBC_FN size_t strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

WALI_LIBC_FN int strcmp(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

WALI_LIBC_FN int strncmp(const char *a, const char *b, size_t n) {
    for (; n; n--, a++, b++) {
        if (*a != *b) return (int)(unsigned char)*a - (int)(unsigned char)*b;
        if (!*a) return 0;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* small string helpers                                                 */
/* ------------------------------------------------------------------ */

static inline int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* Decimal (optionally signed, or 0x-prefixed hex) string to int64; stops at the first bad char. */
static inline int64_t wali_atoi(const char *s) {
    int neg = 0;
    uint64_t v = 0;
    if (!s) return 0;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '-' || *s == '+') neg = (*s++ == '-');
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (s += 2;; s++) {
            unsigned d;
            if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
            else if (*s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
            else if (*s >= 'A' && *s <= 'F') d = (unsigned)(*s - 'A' + 10);
            else break;
            v = v * 16 + d;
        }
    } else {
        for (; *s >= '0' && *s <= '9'; s++) v = v * 10 + (uint64_t)(*s - '0');
    }
    return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/* ------------------------------------------------------------------ */
/* output                                                               */
/* ------------------------------------------------------------------ */

/* Write all n bytes (retrying short writes). Returns n, or the first negative result (-errno). */
static inline int64_t write_all(int32_t fd, const void *buf, size_t n) {
    const char *p = (const char *)buf;
    size_t done = 0;
    while (done < n) {
        int64_t r = wali_write(fd, (void *)(p + done), (uint32_t)(n - done));
        if (r == -EINTR) continue;
        if (r < 0) return r;
        if (r == 0) break;
        done += (size_t)r;
    }
    return (int64_t)done;
}

static inline int64_t puts_fd(int32_t fd, const char *s) { return write_all(fd, s, strlen(s)); }

/* Formats into buf (at least 21 bytes), returns the length; no NUL. */
static inline int wali_fmt_u64_(char *buf, uint64_t v, unsigned base, int upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    return n;
}

/* Print a signed 64-bit integer in decimal (no newline). */
static inline int64_t print_int(int32_t fd, int64_t v) {
    char buf[24];
    int n = 0;
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        buf[n++] = '-';
        u = 0 - u;
    }
    n += wali_fmt_u64_(buf + n, u, 10, 0);
    return write_all(fd, buf, (size_t)n);
}

typedef struct wali_outbuf_ {
    int32_t fd;
    int len;
    int64_t total;
    char data[512];
} wali_outbuf_t;

static inline void wali_out_flush_(wali_outbuf_t *o) {
    if (o->len) {
        write_all(o->fd, o->data, (size_t)o->len);
        o->len = 0;
    }
}

static inline void wali_out_put_(wali_outbuf_t *o, const char *s, size_t n) {
    o->total += (int64_t)n;
    while (n) {
        size_t room = sizeof o->data - (size_t)o->len;
        size_t k = n < room ? n : room;
        memcpy(o->data + o->len, s, k);
        o->len += (int)k;
        s += k;
        n -= k;
        if (o->len == (int)sizeof o->data) wali_out_flush_(o);
    }
}

static inline void wali_out_pad_(wali_outbuf_t *o, char c, int n) {
    while (n-- > 0) wali_out_put_(o, &c, 1);
}

/* Minimal printf to a file descriptor; see the top of this file for the directives. Returns the byte count. */
static inline int64_t wali_vfprintf(int32_t fd, const char *fmt, __builtin_va_list ap) {
    wali_outbuf_t o;
    o.fd = fd;
    o.len = 0;
    o.total = 0;
    while (*fmt) {
        if (*fmt != '%') {
            const char *start = fmt;
            while (*fmt && *fmt != '%') fmt++;
            wali_out_put_(&o, start, (size_t)(fmt - start));
            continue;
        }
        fmt++;
        int left = 0, zero = 0, width = 0, lng = 0;
        for (;; fmt++) {
            if (*fmt == '-') left = 1;
            else if (*fmt == '0') zero = 1;
            else break;
        }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        if (*fmt == 'z' || *fmt == 'h') fmt++; /* size_t / short: promoted to 32-bit int */
        char buf[24];
        const char *s = buf;
        int n = 0, neg = 0;
        char conv = *fmt ? *fmt++ : '\0';
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v = lng ? __builtin_va_arg(ap, int64_t) : (int64_t)__builtin_va_arg(ap, int32_t);
            uint64_t u = (uint64_t)v;
            if (v < 0) {
                neg = 1;
                u = 0 - u;
            }
            n = wali_fmt_u64_(buf, u, 10, 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t u = lng ? __builtin_va_arg(ap, uint64_t) : (uint64_t)__builtin_va_arg(ap, uint32_t);
            n = wali_fmt_u64_(buf, u, conv == 'u' ? 10 : 16, conv == 'X');
            break;
        }
        case 'p': {
            uintptr_t u = (uintptr_t)__builtin_va_arg(ap, void *);
            buf[0] = '0';
            buf[1] = 'x';
            n = 2 + wali_fmt_u64_(buf + 2, (uint64_t)u, 16, 0);
            break;
        }
        case 's':
            s = __builtin_va_arg(ap, const char *);
            if (!s) s = "(null)";
            n = (int)strlen(s);
            zero = 0;
            break;
        case 'c':
            buf[0] = (char)__builtin_va_arg(ap, int);
            n = 1;
            zero = 0;
            break;
        case '%':
            buf[0] = '%';
            n = 1;
            zero = 0;
            break;
        default: /* unknown directive or a trailing '%': print it verbatim */
            buf[0] = '%';
            n = 1;
            if (conv) buf[n++] = conv;
            zero = 0;
            break;
        }
        int pad = width - n - neg;
        if (!left && !zero) wali_out_pad_(&o, ' ', pad);
        if (neg) wali_out_put_(&o, "-", 1);
        if (!left && zero) wali_out_pad_(&o, '0', pad);
        wali_out_put_(&o, s, (size_t)n);
        if (left) wali_out_pad_(&o, ' ', pad);
    }
    wali_out_flush_(&o);
    return o.total;
}

static inline int64_t wali_fprintf(int32_t fd, const char *fmt, ...) {
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int64_t r = wali_vfprintf(fd, fmt, ap);
    __builtin_va_end(ap);
    return r;
}

/* `wprintf` is a C library name (wide-char printf); map ours onto it by macro. */
#define wprintf wali_fprintf

/* ------------------------------------------------------------------ */
/* checks                                                               */
/* ------------------------------------------------------------------ */

static int wali_check_failures_;

static inline int wali_check_(int ok, const char *msg, const char *file, int line) {
    if (!ok) {
        wali_check_failures_++;
        wali_fprintf(2, "FAIL %s:%d: %s\n", file, line, msg);
    }
    return ok;
}

static inline int wali_check_eq_(int64_t got, int64_t want, const char *msg, const char *file, int line) {
    if (got != want) {
        wali_check_failures_++;
        wali_fprintf(2, "FAIL %s:%d: %s: got %lld, want %lld\n", file, line, msg, got, want);
        return 0;
    }
    return 1;
}

/* Number of failed checks so far. */
static inline int check_failures(void) { return wali_check_failures_; }

#define check(cond, msg) wali_check_((cond) ? 1 : 0, (msg), __FILE_NAME__, __LINE__)
#define check_eq(got, want, msg) wali_check_eq_((int64_t)(got), (int64_t)(want), (msg), __FILE_NAME__, __LINE__)

/* ------------------------------------------------------------------ */
/* bump allocator over a static array (never frees, except all at once) */
/* ------------------------------------------------------------------ */

static unsigned char wali_heap_[WALI_HEAP_SIZE] __attribute__((aligned(16)));
static size_t wali_heap_top_;

/* 16-byte aligned, zero-filled on first use; NULL when the heap is exhausted. */
static inline void *wali_alloc(size_t n) {
    size_t start = (wali_heap_top_ + 15u) & ~(size_t)15u;
    if (n > sizeof wali_heap_ || start > sizeof wali_heap_ - n) return (void *)0;
    wali_heap_top_ = start + n;
    return wali_heap_ + start;
}

static inline void wali_alloc_reset(void) { wali_heap_top_ = 0; }

/* ------------------------------------------------------------------ */
/* startup                                                              */
/* ------------------------------------------------------------------ */

static char *wali_argv_[WALI_MAX_ARGS + 1];
static char wali_argv_buf_[WALI_ARGV_BYTES];

/* Fill wali_argv_ from the __cl_* imports; returns argc. Exits on overflow. */
static inline int wali_load_args_(void) {
    int32_t argc = wali_cl_get_argc();
    size_t used = 0;
    if (argc < 0 || argc > WALI_MAX_ARGS) {
        puts_fd(2, "walilib: too many arguments\n");
        wali_proc_exit(WALI_ARGV_OVERFLOW_EXIT);
        __builtin_trap();
    }
    for (int32_t i = 0; i < argc; i++) {
        int32_t len = wali_cl_get_argv_len(i);
        if (len < 0 || (size_t)len + 1 > sizeof wali_argv_buf_ - used) {
            puts_fd(2, "walilib: arguments too long\n");
            wali_proc_exit(WALI_ARGV_OVERFLOW_EXIT);
            __builtin_trap();
        }
        wali_argv_[i] = wali_argv_buf_ + used;
        wali_cl_copy_argv(wali_argv_[i], i);
        wali_argv_[i][len] = '\0';
        used += (size_t)len + 1;
    }
    wali_argv_[argc] = (char *)0;
    return (int)argc;
}

#define WALI_MAIN                                                    \
    int main(int argc, char **argv);                                 \
    __attribute__((export_name("_start"))) void _start(void) {      \
        int32_t wali_r_ = wali_init();                               \
        if (wali_r_ == 0) {                                          \
            int wali_argc_ = wali_load_args_();                      \
            wali_r_ = main(wali_argc_, wali_argv_);                  \
            if (wali_r_ == 0 && wali_check_failures_ != 0) wali_r_ = 1; \
            if (wali_r_ == 0) wali_r_ = wali_deinit();               \
        }                                                            \
        wali_proc_exit(wali_r_);                                     \
    }

#endif /* WALILIB_H */
