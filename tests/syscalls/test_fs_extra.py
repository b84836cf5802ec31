"""The old getdents(2) record layout, readahead(2) and sync_file_range(2); the guests also run natively."""

from __future__ import annotations

EXTRA_C = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(getdents) int64_t wali_getdents(int32_t fd, void *buf, uint32_t count);
WALI_IMPORT(readahead) int64_t wali_readahead(int32_t fd, int64_t off, uint32_t count);
WALI_IMPORT(sync_file_range) int64_t wali_sync_file_range(int32_t fd, int64_t off, int64_t n, uint32_t flags);
#endif
WALI_MAIN
int main(int argc, char **argv) {
    char buf[512];
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    int f = (int)wali_open("/tmp/d/file", O_CREAT | O_RDWR, 0644);
    check_eq(wali_mkdir("/tmp/d/sub", 0755), 0, "mkdir sub");
    int d = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    int64_t n = wali_getdents(d, buf, sizeof buf);
    check(n > 0, "getdents");
    int seen = 0;
    for (int64_t off = 0; off < n;) {
        uint16_t reclen = *(uint16_t *)(buf + off + 16);
        const char *name = buf + off + 18;
        uint8_t type = (uint8_t)buf[off + reclen - 1];
        check_eq(reclen % 8, 0, "records are 8-byte aligned");
        if (streq(name, "file")) seen += 1 + (type == 8);
        if (streq(name, "sub")) seen += 10 * (1 + (type == 4));
        off += reclen;
    }
    check_eq(seen, 22, "names and d_type in the last byte");
    check_eq(wali_getdents(d, buf, sizeof buf), 0, "EOF");
    check_eq(wali_lseek(d, 0, SEEK_SET), 0, "rewind");
    check_eq(wali_getdents(d, buf, 8), -EINVAL, "buffer too small");
    check_eq(wali_getdents(f, buf, sizeof buf), -ENOTDIR, "getdents on a file");

    check_eq(wali_readahead(f, 0, 4096), 0, "readahead on a file");
    check_eq(wali_readahead(d, 0, 4096), -EINVAL, "readahead on a directory");
    check_eq(wali_readahead(99, 0, 4096), -EBADF, "readahead on a closed fd");
    int wo = (int)wali_open("/tmp/d/file", O_WRONLY, 0);
    check_eq(wali_readahead(wo, 0, 4096), -EBADF, "readahead needs a readable fd");

    check_eq(wali_sync_file_range(f, 0, 0, 7), 0, "sync_file_range");
    check_eq(wali_sync_file_range(f, 0, 0, 8), -EINVAL, "unknown flag");
    check_eq(wali_sync_file_range(f, -1, 0, 0), -EINVAL, "negative offset");
    check_eq(wali_sync_file_range(f, 0, -1, 0), -EINVAL, "negative length");
    check_eq(wali_sync_file_range(99, 0, 0, 0), -EBADF, "closed fd");
    int null = (int)wali_open("/dev/null", O_RDONLY, 0);
    check_eq(wali_sync_file_range(null, 0, 0, 0), -ESPIPE, "a character device");
    return 0;
}
'''


async def test_old_getdents_readahead_and_sync_file_range(make_warden, build_c):
    async with make_warden(uid=0, gid=0) as h:
        r = await h.run(build_c(EXTRA_C, name="fs_extra.c"))
    assert r.exit_code == 0, r.stderr
