"""Memory mappings inside linear memory: mmap, munmap, mremap, mprotect, madvise, msync, brk.

Linux references: mmap(2), mremap(2), mprotect(2), madvise(2), msync(2), brk(2)
and mm/mmap.c ``do_mmap`` (x86's offset check first; MAP_FIXED_NOREPLACE implies
MAP_FIXED and fails with EEXIST on any overlap; file checks: EACCES without
read access or for a shared writable map of a read-only fd, ENODEV for files
without mmap such as directories), mm/mremap.c (EFAULT when the old range is not
mapped, ENOMEM when it cannot grow in place and may not move). The test guests
have a 64 MiB maximum memory, so mappings beyond it are ENOMEM and large ones
need the worker to grow the memory first (the GROW handshake).
"""

from __future__ import annotations

from tests.harness import run_cage

PRELUDE = r'''
#include "walilib.h"
__attribute__((import_module("wali"), import_name("SYS_mincore")))
int64_t wali_mincore(void *addr, uint32_t len, void *vec);
#define PAGE 4096
#define MAP_SHARED_VALIDATE 0x03
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4
#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4
#define MADV_NORMAL 0
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define MB (1024u * 1024u)
#define P(x) ((void *)(uintptr_t)(x))
static int64_t anon(uint32_t len) { return wali_mmap(0, len, RW, ANON, -1, 0); }
static int all_bytes(const void *p, uint32_t n, unsigned char v) {
    const unsigned char *c = (const unsigned char *)p;
    for (uint32_t i = 0; i < n; i++) if (c[i] != v) return 0;
    return 1;
}
/* A byte pattern that differs per page, to catch misplaced copies. */
static unsigned char pat(uint32_t i) { return (unsigned char)(i * 7 + (i >> 12) * 13 + 1); }
static void fill_pat(void *p, uint32_t n) { unsigned char *c = p; for (uint32_t i = 0; i < n; i++) c[i] = pat(i); }
static int has_pat_at(const void *p, uint32_t off, uint32_t n) {
    const unsigned char *c = p; for (uint32_t i = 0; i < n; i++) if (c[i] != pat(off + i)) return 0; return 1;
}
static int has_pat(const void *p, uint32_t n) { return has_pat_at(p, 0, n); }
WALI_MAIN
'''


async def test_mmap_anonymous_is_zeroed_aligned_and_disjoint(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        static const uint32_t sizes[] = {1, PAGE, 10000, 3 * PAGE + 1, 65536, 200000};
        int64_t addr[6];
        for (int i = 0; i < 6; i++) {
            addr[i] = anon(sizes[i]);
            check(addr[i] > 0, "mmap succeeded");
            if (addr[i] <= 0) return 1;
            check_eq(addr[i] % PAGE, 0, "page aligned");
            uint32_t len = (sizes[i] + PAGE - 1) & ~(PAGE - 1u);
            check(all_bytes(P(addr[i]), len, 0), "fresh anonymous memory is zeroed");
            memset(P(addr[i]), 0xA0 + i, len);
        }
        for (int i = 0; i < 6; i++) {
            uint32_t li = (sizes[i] + PAGE - 1) & ~(PAGE - 1u);
            check(all_bytes(P(addr[i]), li, 0xA0 + i), "each mapping keeps its own bytes");
            for (int j = 0; j < 6; j++) {
                if (i == j) continue;
                uint32_t lj = (sizes[j] + PAGE - 1) & ~(PAGE - 1u);
                check(addr[i] + li <= addr[j] || addr[j] + lj <= addr[i], "mappings do not overlap");
            }
        }
        /* A hint that is free is honoured; one that is taken is not (without MAP_FIXED). */
        int64_t hint = addr[5] + 16 * 65536;
        int64_t h = wali_mmap(P(hint), PAGE, RW, ANON, -1, 0);
        check_eq(h, hint, "free hint honoured");
        int64_t h2 = wali_mmap(P(addr[0]), PAGE, RW, ANON, -1, 0);
        check(h2 > 0 && h2 != addr[0], "taken hint moves elsewhere");
        check(all_bytes(P(addr[0]), PAGE, 0xA0), "the hinted-over mapping is intact");
        unsigned char vec[4];
        check_eq(wali_mincore(P(addr[3]), 4 * PAGE, vec), 0, "mincore on a mapping");
        check_eq(vec[0] & 1, 1, "resident");
        return 0;
    }''', name="mmap_anon.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_large_mmap_grows_memory_and_max_is_enomem(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int64_t a = anon(8 * MB);
        check(a > 0, "8 MiB mmap");
        if (a <= 0) return 1;
        unsigned char *p = P(a);
        check(p[0] == 0 && p[8 * MB - 1] == 0 && all_bytes(p + 4 * MB, 65536, 0), "8 MiB zeroed");
        p[0] = 1; p[8 * MB - 1] = 2;
        int64_t b = anon(32 * MB);
        check(b > 0, "32 MiB mmap");
        if (b <= 0) return 1;
        unsigned char *q = P(b);
        check(b >= a + 8 * MB || b + 32 * MB <= a, "disjoint from the first");
        check(q[0] == 0 && q[32 * MB - 1] == 0, "32 MiB zeroed at both ends");
        memset(q, 0x5c, 32 * MB);
        check(p[0] == 1 && p[8 * MB - 1] == 2, "first mapping untouched");
        check_eq(anon(128 * MB), -ENOMEM, "beyond the 64 MiB maximum");
        check_eq(anon(0xFFFFF000u), -ENOMEM, "almost 4 GiB");
        check_eq(anon(40 * MB), -ENOMEM, "does not fit in what is left");
        /* munmap then mmap: the space is reused and zeroed again. */
        check_eq(wali_munmap(q, 32 * MB), 0, "munmap 32 MiB");
        int64_t c = anon(32 * MB);
        check_eq(c, b, "the freed range is reused");
        if (c > 0) check(all_bytes(P(c), 32 * MB, 0), "reused memory reads as zeros");
        return 0;
    }''', name="mmap_large.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_mmap_fixed_and_fixed_noreplace(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int64_t a = anon(3 * PAGE);
        if (a <= 0) return 1;
        memset(P(a), 0x11, 3 * PAGE);
        int64_t f = wali_mmap(P(a + PAGE), PAGE, RW, ANON | MAP_FIXED, -1, 0);
        check_eq(f, a + PAGE, "MAP_FIXED returns exactly addr");
        check(all_bytes(P(a + PAGE), PAGE, 0), "MAP_FIXED replaces with zeros");
        check(all_bytes(P(a), PAGE, 0x11) && all_bytes(P(a + 2 * PAGE), PAGE, 0x11), "neighbours intact");
        memset(P(a + PAGE), 0x22, PAGE);
        check_eq(wali_mmap(P(a), PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST, "NOREPLACE over a mapping");
        check_eq(wali_mmap(P(a + 2 * PAGE), 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST,
                 "NOREPLACE partly over a mapping");
        check_eq(wali_mmap(P(a), PAGE, RW, ANON | MAP_FIXED | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST,
                 "NOREPLACE wins over MAP_FIXED");
        check(all_bytes(P(a + PAGE), PAGE, 0x22), "failed NOREPLACE changed nothing");
        int64_t free_at = a + 64 * PAGE;
        check_eq(wali_mmap(P(free_at), 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), free_at,
                 "NOREPLACE at a free address");
        check_eq(wali_mmap(P(a + 1), PAGE, RW, ANON | MAP_FIXED, -1, 0), -EINVAL, "MAP_FIXED unaligned");
        check_eq(wali_mmap(P(0x7FFFF000u), 2 * MB, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM,
                 "MAP_FIXED beyond the maximum memory");
        return 0;
    }''', name="mmap_fixed.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_mmap_and_munmap_argument_errors(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        check_eq(wali_mmap(0, 0, RW, ANON, -1, 0), -EINVAL, "length 0");
        check_eq(wali_mmap(0, PAGE, RW, MAP_ANONYMOUS, -1, 0), -EINVAL, "no mapping type");
        check_eq(wali_mmap(0, PAGE, RW, MAP_ANONYMOUS | 0x0f, -1, 0), -EINVAL, "bad mapping type");
        check_eq(wali_mmap(0, PAGE, RW, ANON, -1, 100), -EINVAL, "unaligned offset");
        check_eq(wali_mmap(0, PAGE, RW, MAP_PRIVATE, 77, 0), -EBADF, "file mapping of a closed fd");
        check_eq(wali_mmap(0, PAGE, RW, MAP_PRIVATE, -1, 0), -EBADF, "file mapping of fd -1");
        int64_t fd = wali_open("/tmp/mm_args", O_RDWR | O_CREAT, 0600);
        check(fd >= 0, "create a file");
        check_eq(wali_ftruncate((int32_t)fd, PAGE), 0, "size it");
        check_eq(wali_mmap(0, PAGE, RW, MAP_SHARED_VALIDATE | 0x40000000, (int32_t)fd, 0), -EOPNOTSUPP,
                 "MAP_SHARED_VALIDATE with an unknown flag");
        check_eq(wali_mmap(0, PAGE, RW, MAP_PRIVATE, (int32_t)fd, 4095), -EINVAL, "unaligned file offset");
        check_eq(wali_munmap(P(PAGE + 1), PAGE), -EINVAL, "munmap unaligned");
        int64_t a = anon(PAGE);
        check_eq(wali_munmap(P(a), 0), -EINVAL, "munmap length 0");
        check_eq(wali_munmap(P(a), PAGE), 0, "munmap");
        check_eq(wali_munmap(P(a), PAGE), 0, "munmap of an unmapped range is not an error");
        check_eq(wali_munmap(P(0xFFFFF000u), 2 * PAGE), -EINVAL, "munmap past the address space");
        return 0;
    }''', name="mmap_args.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_private_file_mapping_copies_content(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        static unsigned char data[3 * PAGE + 100];
        fill_pat(data, sizeof data);
        int64_t fd = wali_open("/tmp/mm_priv", O_RDWR | O_CREAT | O_TRUNC, 0644);
        check_eq(wali_write((int32_t)fd, data, sizeof data), sizeof data, "write the file");
        int64_t m = wali_mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, (int32_t)fd, 0);
        check(m > 0 && m % PAGE == 0, "private file mapping");
        if (m <= 0) return 1;
        check(has_pat(P(m), sizeof data), "the mapping has the file's bytes");
        check(all_bytes((unsigned char *)P(m) + sizeof data, 4 * PAGE - sizeof data, 0), "zero past EOF");
        memset(P(m), 0xEE, 100);
        unsigned char back[100];
        check_eq(wali_pread64((int32_t)fd, back, 100, 0), 100, "read the file back");
        check(has_pat(back, 100), "private writes do not reach the file");
        int64_t m2 = wali_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, (int32_t)fd, 2 * PAGE);
        check(m2 > 0, "mapping at an offset");
        if (m2 > 0) {
            const unsigned char *c = P(m2);
            int ok = 1;
            for (uint32_t i = 0; i < PAGE; i++) if (c[i] != pat(2 * PAGE + i)) ok = 0;
            check(ok, "offset mapping starts at the file offset");
        }
        wali_close((int32_t)fd);
        check(has_pat_at((unsigned char *)P(m) + 100, 100, 1000), "mapping outlives the fd");
        int64_t wo = wali_open("/tmp/mm_priv", O_WRONLY, 0);
        check_eq(wali_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, (int32_t)wo, 0), -EACCES, "write-only fd");
        int64_t ro = wali_open("/tmp/mm_priv", O_RDONLY, 0);
        check_eq(wali_mmap(0, PAGE, RW, MAP_SHARED, (int32_t)ro, 0), -EACCES, "shared writable map of O_RDONLY");
        check(wali_mmap(0, PAGE, RW, MAP_PRIVATE, (int32_t)ro, 0) > 0, "private writable map of O_RDONLY is fine");
        int64_t dir = wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
        check(dir >= 0, "open a directory");
        check_eq(wali_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, (int32_t)dir, 0), -ENODEV, "directory");
        return 0;
    }''', name="mmap_file_private.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_shared_file_mapping_is_written_back(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        static unsigned char zero[2 * PAGE];
        int64_t fd = wali_open("/tmp/mm_shared", O_RDWR | O_CREAT | O_TRUNC, 0644);
        check_eq(wali_write((int32_t)fd, zero, sizeof zero), sizeof zero, "write the file");
        int64_t m = wali_mmap(0, 2 * PAGE, RW, MAP_SHARED, (int32_t)fd, 0);
        check(m > 0, "shared file mapping");
        if (m <= 0) return 1;
        unsigned char *p = P(m);
        memcpy(p + 10, "hello", 5);
        check_eq(wali_msync(p, 2 * PAGE, MS_SYNC), 0, "msync");
        unsigned char back[16];
        check_eq(wali_pread64((int32_t)fd, back, 5, 10), 5, "pread");
        check(memcmp(back, "hello", 5) == 0, "msync wrote the bytes back");
        memcpy(p + PAGE + 1, "world", 5);
        check_eq(wali_close((int32_t)fd), 0, "close the fd: the mapping keeps the file");
        check_eq(wali_munmap(p, 2 * PAGE), 0, "munmap");
        int64_t fd2 = wali_open("/tmp/mm_shared", O_RDONLY, 0);
        check_eq(wali_pread64((int32_t)fd2, back, 5, PAGE + 1), 5, "pread after munmap");
        check(memcmp(back, "world", 5) == 0, "munmap wrote the bytes back");
        /* A shared mapping that mremap moves stays shared with its file. */
        int64_t fd3 = wali_open("/tmp/mm_shared", O_RDWR, 0);
        int64_t s1 = wali_mmap(0, PAGE, RW, MAP_SHARED, (int32_t)fd3, 0);
        check(s1 > 0, "map the first page");
        if (s1 <= 0) return 1;
        int64_t g = wali_mmap(P(s1 + PAGE), PAGE, RW, ANON | MAP_FIXED, -1, 0);
        check_eq(g, s1 + PAGE, "block growth in place");
        int64_t s2 = wali_mremap(P(s1), PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
        check(s2 > 0 && s2 != s1, "moved");
        if (s2 <= 0) return 1;
        unsigned char *q = P(s2);
        check(memcmp(q + 10, "hello", 5) == 0, "first page moved");
        check(memcmp(q + PAGE + 1, "world", 5) == 0, "the grown part shows the file");
        memcpy(q + PAGE + 100, "moved", 5);
        check_eq(wali_munmap(q, 2 * PAGE), 0, "munmap the moved mapping");
        check_eq(wali_pread64((int32_t)fd2, back, 5, PAGE + 100), 5, "pread");
        check(memcmp(back, "moved", 5) == 0, "writes through the moved mapping reach the file");
        return 0;
    }''', name="mmap_file_shared.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_mremap_grow_move_shrink_and_errors(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        /* Grow in place: nothing mapped after the region. */
        int64_t a = anon(2 * PAGE);
        if (a <= 0) return 1;
        fill_pat(P(a), 2 * PAGE);
        check_eq(wali_mremap(P(a), 2 * PAGE, 4 * PAGE, 0, 0), a, "grow in place");
        check(has_pat(P(a), 2 * PAGE), "content preserved");
        check(all_bytes((unsigned char *)P(a) + 2 * PAGE, 2 * PAGE, 0), "the new part is zeroed");
        /* Something right after it: growing needs a move. */
        int64_t guard = wali_mmap(P(a + 4 * PAGE), PAGE, RW, ANON | MAP_FIXED, -1, 0);
        check_eq(guard, a + 4 * PAGE, "guard mapping");
        memset(P(guard), 0x77, PAGE);
        check_eq(wali_mremap(P(a), 4 * PAGE, 8 * PAGE, 0, 0), -ENOMEM, "cannot grow in place, may not move");
        check(has_pat(P(a), 2 * PAGE), "failed mremap changed nothing");
        int64_t b = wali_mremap(P(a), 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, 0);
        check(b > 0 && b != a && b % PAGE == 0, "moved");
        if (b <= 0) return 1;
        check(has_pat(P(b), 2 * PAGE), "content moved with it");
        check(all_bytes((unsigned char *)P(b) + 2 * PAGE, 6 * PAGE, 0), "rest zeroed");
        check(all_bytes(P(guard), PAGE, 0x77), "guard untouched");
        check_eq(wali_mprotect(P(a), PAGE, PROT_READ), -ENOMEM, "old range is unmapped");
        check_eq(wali_mremap(P(a), PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0), -EFAULT, "old range unmapped: EFAULT");
        /* Shrink. */
        check_eq(wali_mremap(P(b), 8 * PAGE, PAGE, 0, 0), b, "shrink in place");
        check(has_pat(P(b), PAGE), "kept part intact");
        check_eq(wali_mprotect(P(b + PAGE), PAGE, PROT_READ), -ENOMEM, "tail unmapped");
        /* MREMAP_FIXED moves to the given address. */
        int64_t target = b + 256 * PAGE;
        check_eq(wali_mremap(P(b), PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, P(target)), target,
                 "MREMAP_FIXED");
        check(has_pat(P(target), PAGE), "content at the fixed address");
        /* Argument errors. */
        check_eq(wali_mremap(P(target + 1), PAGE, PAGE, 0, 0), -EINVAL, "unaligned old address");
        check_eq(wali_mremap(P(target), PAGE, 0, 0, 0), -EINVAL, "new size 0");
        check_eq(wali_mremap(P(target), PAGE, PAGE, 0x80, 0), -EINVAL, "unknown flag");
        check_eq(wali_mremap(P(target), PAGE, 2 * PAGE, MREMAP_FIXED, P(b)), -EINVAL, "FIXED without MAYMOVE");
        check_eq(wali_mremap(P(target), PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), -EINVAL,
                 "DONTUNMAP with a size change");
        check_eq(wali_mremap(P(target), PAGE, 128 * MB, MREMAP_MAYMOVE, 0), -ENOMEM, "beyond the maximum");
        return 0;
    }''', name="mremap.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_mprotect_madvise_msync(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int64_t a = anon(4 * PAGE);
        if (a <= 0) return 1;
        check_eq(wali_mprotect(P(a), 4 * PAGE, PROT_READ), 0, "mprotect a mapping");
        check_eq(wali_mprotect(P(a), PAGE, PROT_NONE), 0, "mprotect part of it");
        check_eq(wali_mprotect(P(a), 4 * PAGE, RW), 0, "back to RW");
        check_eq(wali_mprotect(P(a + 1), PAGE, PROT_READ), -EINVAL, "unaligned");
        check_eq(wali_mprotect(P(a), PAGE, 0x100), -EINVAL, "unknown prot bit");
        check_eq(wali_mprotect(P(a), 0, PROT_READ), 0, "length 0");
        /* Reading /proc/self/maps would show the split; here only the errors matter. */
        check_eq(wali_munmap(P(a + 2 * PAGE), PAGE), 0, "punch a hole");
        check_eq(wali_mprotect(P(a), 4 * PAGE, PROT_READ), -ENOMEM, "range with a hole");
        check_eq(wali_mprotect(P(a + 2 * PAGE), PAGE, PROT_READ), -ENOMEM, "the hole");
        /* madvise(DONTNEED) on private anonymous memory: it reads as zeros afterwards. */
        memset(P(a), 0x33, 2 * PAGE);
        check_eq(wali_madvise(P(a), 2 * PAGE, MADV_WILLNEED), 0, "WILLNEED keeps data");
        check(all_bytes(P(a), 2 * PAGE, 0x33), "data kept");
        check_eq(wali_madvise(P(a + PAGE), PAGE, MADV_DONTNEED), 0, "DONTNEED");
        check(all_bytes(P(a), PAGE, 0x33), "page before kept");
        check(all_bytes(P(a + PAGE), PAGE, 0), "DONTNEED page is zero");
        check_eq(wali_madvise(P(a), PAGE, 12345), -EINVAL, "bad advice");
        check_eq(wali_madvise(P(a + 7), PAGE, MADV_NORMAL), -EINVAL, "unaligned");
        check_eq(wali_madvise(P(a + 2 * PAGE), PAGE, MADV_DONTNEED), -ENOMEM, "unmapped");
        check_eq(wali_madvise(P(a), 0, MADV_DONTNEED), 0, "length 0");
        /* msync flag rules. */
        check_eq(wali_msync(P(a), PAGE, MS_SYNC), 0, "msync anonymous");
        check_eq(wali_msync(P(a), PAGE, MS_ASYNC | MS_SYNC), -EINVAL, "ASYNC|SYNC");
        check_eq(wali_msync(P(a), PAGE, 0x100), -EINVAL, "unknown flag");
        check_eq(wali_msync(P(a + 8), PAGE, MS_SYNC), -EINVAL, "unaligned");
        check_eq(wali_msync(P(a + 2 * PAGE), PAGE, MS_SYNC), -ENOMEM, "unmapped");
        unsigned char vec[4];
        check_eq(wali_mincore(P(a + 2 * PAGE), PAGE, vec), -ENOMEM, "mincore unmapped");
        check_eq(wali_mincore(P(a), PAGE, P(0xFFFFFFF0u)), -EFAULT, "mincore bad vec");
        return 0;
    }''', name="mprotect.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_brk_grows_shrinks_and_stops_at_mappings(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int64_t b0 = wali_brk(0);
        check(b0 > 0, "brk(0) returns the break");
        check_eq(wali_brk(0), b0, "brk(0) again: unchanged");
        check_eq(wali_brk(P(b0 + 100000)), b0 + 100000, "grow by 100000");
        check_eq(wali_brk(0), b0 + 100000, "new break");
        check(all_bytes(P(b0), 100000, 0), "new heap memory is zeroed");
        memset(P(b0), 0x42, 100000);
        check_eq(wali_brk(P(b0)), b0, "shrink back");
        check_eq(wali_brk(P(b0 + 100000)), b0 + 100000, "grow again");
        /* The partial page at the old break may keep its bytes; whole pages beyond it are new. */
        uint32_t first_new = (uint32_t)((b0 + PAGE - 1) & ~(int64_t)(PAGE - 1));
        check(all_bytes(P(first_new), (uint32_t)(b0 + 100000 - first_new), 0), "regrown pages are zeroed");
        int64_t m0 = anon(PAGE);
        check(m0 > 0 && m0 % PAGE == 0, "mmap above an unaligned break is page aligned");
        check(m0 >= b0 + 100000, "and above the heap");
        check_eq(wali_munmap(P(m0), PAGE), 0, "unmap it again");
        memset(P(b0), 0x42, 100000);
        check_eq(wali_madvise(P(first_new), PAGE, MADV_DONTNEED), 0, "DONTNEED on the heap");
        check(all_bytes(P(first_new), PAGE, 0), "heap page zeroed by DONTNEED");
        check_eq(wali_brk(P(b0 + 12 * MB)), b0 + 12 * MB, "a 12 MiB heap (memory grows)");
        unsigned char *top = P(b0 + 12 * MB - 1);
        check_eq(*top, 0, "top byte zero");
        *top = 9;
        check_eq(wali_brk(P(b0 - PAGE)), b0 + 12 * MB, "below the start: unchanged");
        check_eq(wali_brk(P(0xFFFFF000u)), b0 + 12 * MB, "beyond the maximum: unchanged");
        /* A mapping above the break blocks it. */
        int64_t m = anon(PAGE);
        check(m >= b0 + 12 * MB, "mmap goes above the break");
        check_eq(wali_brk(P(m + PAGE)), b0 + 12 * MB, "growing into a mapping fails: old break");
        check_eq(*top, 9, "heap intact");
        return 0;
    }''', name="brk.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_shared_file_mapping_is_written_back_at_exit(build_c, warden):
    writer = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        static unsigned char zero[PAGE];
        int64_t fd = wali_open("/tmp/mm_exit", O_RDWR | O_CREAT | O_TRUNC, 0644);
        check_eq(wali_write((int32_t)fd, zero, sizeof zero), sizeof zero, "write the file");
        int64_t m = wali_mmap(0, PAGE, RW, MAP_SHARED, (int32_t)fd, 0);
        check(m > 0, "shared mapping");
        if (m > 0) memcpy(P(m), "kept", 4);
        return 0;  /* exits with the mapping still in place */
    }''', name="mmap_exit_writer.c")
    reader = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        char buf[5] = {0};
        int64_t fd = wali_open("/tmp/mm_exit", O_RDONLY, 0);
        check_eq(wali_read((int32_t)fd, buf, 4), 4, "read");
        puts_fd(1, buf);
        return 0;
    }''', name="mmap_exit_reader.c")
    r = await warden.run(writer)
    assert r.exit_code == 0, r.stderr
    r = await warden.run(reader)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"kept"


def test_release_mappings_writes_back_and_lets_go_of_files(tmp_path) -> None:
    """The exit/exec hook, sans-IO: a cage with a real memfd memory, no worker."""
    import os

    from kernel.file import O_RDWR, HostFdFile
    from kernel.mem import CageMemory
    from kernel.syscalls import sys_mman
    from tests.syscalls.test_signal_bookkeeping import _kernel_with_zombie

    _k, cage, _child = _kernel_with_zombie()
    memfd = os.memfd_create("test-mem")
    os.ftruncate(memfd, 2 << 20)
    cage.mem = CageMemory(memfd)
    cage.vm.attach(1 << 20, 2 << 20)
    path = tmp_path / "f"
    path.write_bytes(bytes(8192))
    f = HostFdFile(os.open(path, os.O_RDWR), O_RDWR)
    fd = cage.fds.alloc(f)
    addr = sys_mman.sys_mmap(cage, 0, 8192, 3, 0x01, fd, 0)
    assert addr == 1 << 20
    cage.mem.write(addr + 4096, b"at exit")
    cage.fds.close(fd)
    assert f.hostfd >= 0, "the mapping keeps the file open"
    sys_mman.release_mappings(cage)
    assert path.read_bytes()[4096:4103] == b"at exit"
    assert f.hostfd == -1, "the last reference (the mapping) released the file"
    assert cage.vm.regions == []
    cage.mem.close()
