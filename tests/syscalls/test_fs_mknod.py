"""mknod(2)/mknodat(2): node types, device nodes, and their errno paths (Linux may_mknod, vfs_mknod).

The guests also run natively on Linux.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(mknod) int64_t wali_mknod(void *path, uint32_t mode, uint32_t dev);
WALI_IMPORT(mknodat) int64_t wali_mknodat(int32_t dirfd, void *path, uint32_t mode, uint32_t dev);
#endif
WALI_MAIN
static wali_stat_t st;
static int64_t mode_of(const char *p) {
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_mode;
}
'''




MKNOD_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[8];
    wali_umask(022);
    check_eq(wali_mknod("/tmp/fifo", S_IFIFO | 0666, 0), 0, "a FIFO");
    check_eq(mode_of("/tmp/fifo"), S_IFIFO | 0644, "type and umask");
    check_eq(wali_mknod("/tmp/reg", 0644, 0), 0, "type 0 is a regular file");
    check_eq(mode_of("/tmp/reg"), S_IFREG | 0644, "regular");
    check_eq(wali_mknod("/tmp/reg2", S_IFREG | 0600, 0), 0, "S_IFREG");
    check_eq(wali_mknod("/tmp/sock", S_IFSOCK | 0644, 0), 0, "a socket node");
    check_eq(mode_of("/tmp/sock") & S_IFMT, S_IFSOCK, "socket");
    check_eq(wali_open("/tmp/sock", O_RDONLY, 0), -ENXIO, "opening a socket node");
    check_eq(wali_mknod("/tmp/null", S_IFCHR | 0666, (1 << 8) | 3), 0, "root may make a device");
    check_eq(wali_stat("/tmp/null", &st), 0, "stat");
    check_eq(st.st_rdev, (1 << 8) | 3, "rdev 1:3");
    int fd = (int)wali_open("/tmp/null", O_RDWR, 0);
    check(fd >= 0, "open the device node");
    check_eq(wali_write(fd, "abc", 3), 3, "it is /dev/null");
    check_eq(wali_read(fd, buf, 8), 0, "reads EOF");
    check_eq(wali_mknod("/tmp/dir", S_IFDIR | 0755, 0), -EPERM, "mknod cannot make directories");
    check_eq(wali_mknod("/tmp/bad", 0170000 | 0644, 0), -EINVAL, "an unknown type");
    check_eq(wali_mknod("/tmp/missing/x", S_IFDIR | 0755, 0), -EPERM, "the type is checked before the path");
    check_eq(wali_mknod("/tmp/fifo", S_IFIFO | 0644, 0), -EEXIST, "existing name");
    check_eq(wali_mknod("/tmp/new/", S_IFIFO | 0644, 0), -ENOENT, "trailing slash on a new name");
    check_eq(wali_mknod("/tmp/missing/x", S_IFIFO | 0644, 0), -ENOENT, "missing directory");
    check_eq(wali_mknod("/tmp/reg/x", S_IFIFO | 0644, 0), -ENOTDIR, "through a file");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_mknodat(dfd, "at", S_IFIFO | 0600, 0), 0, "mknodat");
    check_eq(mode_of("/tmp/at"), S_IFIFO | 0600, "in the dirfd");
    check_eq(wali_mknodat(99, "at2", S_IFIFO | 0600, 0), -EBADF, "closed dirfd");
    return 0;
}
'''


async def test_mknod_types_and_errors(make_warden, build_c):
    r = await run_guest(make_warden, build_c(MKNOD_C, name="fs_mknod.c"))
    assert r.exit_code == 0, r.stderr


MKNOD_USER_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(wali_mknod("/tmp/fifo", S_IFIFO | 0644, 0), 0, "anyone may make a FIFO");
    check_eq(wali_mknod("/tmp/dev", S_IFCHR | 0644, (1 << 8) | 3), -EPERM, "devices need privilege");
    check_eq(wali_mknod("/tmp/fifo", S_IFCHR | 0644, (1 << 8) | 3), -EEXIST, "EEXIST before EPERM");
    check_eq(wali_mknod("/root/fifo", S_IFCHR | 0644, 0), -EACCES, "EACCES before EPERM");
    return 0;
}
'''


async def test_mknod_devices_need_privilege(make_warden, build_c):
    r = await run_guest(make_warden, build_c(MKNOD_USER_C, name="fs_mknod_user.c"), uid=1000)
    assert r.exit_code == 0, r.stderr


NATIVE = {"MKNOD_USER_C": {"uid": 1000}}
