"""EFAULT for every pointer argument of the file syscalls, and nothing half-done.

A bad pointer is 0xFFFFFFF0 (beyond the cage's memory) or NULL where the
argument is required. After each failure the guest checks that the call had no
effect: no file created or extended, no offset moved, no name changed.
The guests also run natively on Linux (where 0xFFFFFFF0 is unmapped too); the
kernel is stricter than Linux in one place: Linux's tmpfs may extend a file on
a pwrite whose buffer faults, Warden checks the whole buffer before writing.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(creat) int64_t wali_creat(void *path, uint32_t mode);
WALI_IMPORT(renameat) int64_t wali_renameat(int32_t od, void *op, int32_t nd, void *np);
WALI_IMPORT(pwritev) int64_t wali_pwritev(int32_t fd, void *iov, int32_t n, int64_t lo, int64_t hi);
WALI_IMPORT(mknod) int64_t wali_mknod(void *path, uint32_t mode, uint32_t dev);
WALI_IMPORT(mknodat) int64_t wali_mknodat(int32_t dirfd, void *path, uint32_t mode, uint32_t dev);
WALI_IMPORT(lchown) int64_t wali_lchown(void *path, uint32_t uid, uint32_t gid);
WALI_IMPORT(utime) int64_t wali_utime(void *path, void *times);
WALI_IMPORT(fchmodat2) int64_t wali_fchmodat2(int32_t dirfd, void *path, uint32_t mode, int32_t flags);
#endif
#define BAD ((void *)(uintptr_t)0xFFFFFFF0u)
#define F_SETLK_ 6
#define F_GETLK_ 5
#define FIONREAD 0x541B
#define FIONBIO 0x5421
WALI_MAIN
static wali_stat_t st_;
static int64_t size_of(const char *p) {
    int64_t r = wali_stat((void *)p, &st_);
    return r < 0 ? r : st_.st_size;
}
static int64_t exists(const char *p) { return wali_lstat((void *)p, &st_) == 0; }
static int64_t offset_of(int fd) { return wali_lseek(fd, 0, SEEK_CUR); }
'''




PATHS_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[64];
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(fd, "0123456789", 10), 10, "setup");
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "setup dir");
    int dfd = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    void *ptrs[2] = {BAD, 0};
    for (int k = 0; k < 2; k++) {
        void *p = ptrs[k];
        check_eq(wali_open(p, O_CREAT | O_WRONLY, 0644), -EFAULT, "open path");
        check_eq(wali_openat(dfd, p, O_CREAT | O_WRONLY, 0644), -EFAULT, "openat path");
        check_eq(wali_creat(p, 0644), -EFAULT, "creat path");
        check_eq(wali_stat(p, &st_), -EFAULT, "stat path");
        check_eq(wali_lstat(p, &st_), -EFAULT, "lstat path");
        check_eq(wali_newfstatat(AT_FDCWD, p, &st_, 0), -EFAULT, "newfstatat path");
        check_eq(wali_statx(AT_FDCWD, p, 0, 0x7ff, buf), -EFAULT, "statx path");
        check_eq(wali_access(p, F_OK), -EFAULT, "access path");
        check_eq(wali_faccessat(AT_FDCWD, p, F_OK, 0), -EFAULT, "faccessat path");
        check_eq(wali_faccessat2(AT_FDCWD, p, F_OK, 0), -EFAULT, "faccessat2 path");
        check_eq(wali_chdir(p), -EFAULT, "chdir path");
        check_eq(wali_chroot(p), -EFAULT, "chroot path");
        check_eq(wali_mkdir(p, 0755), -EFAULT, "mkdir path");
        check_eq(wali_mkdirat(dfd, p, 0755), -EFAULT, "mkdirat path");
        check_eq(wali_rmdir(p), -EFAULT, "rmdir path");
        check_eq(wali_unlink(p), -EFAULT, "unlink path");
        check_eq(wali_unlinkat(dfd, p, 0), -EFAULT, "unlinkat path");
        check_eq(wali_rename(p, "/tmp/x"), -EFAULT, "rename old");
        check_eq(wali_rename("/tmp/f", p), -EFAULT, "rename new");
        check_eq(wali_renameat(AT_FDCWD, "/tmp/f", AT_FDCWD, p), -EFAULT, "renameat new");
        check_eq(wali_renameat2(AT_FDCWD, p, AT_FDCWD, "/tmp/x", 0), -EFAULT, "renameat2 old");
        check_eq(wali_link(p, "/tmp/x"), -EFAULT, "link old");
        check_eq(wali_link("/tmp/f", p), -EFAULT, "link new");
        check_eq(wali_linkat(AT_FDCWD, "/tmp/f", AT_FDCWD, p, 0), -EFAULT, "linkat new");
        check_eq(wali_symlink(p, "/tmp/x"), -EFAULT, "symlink target");
        check_eq(wali_symlink("/tmp/f", p), -EFAULT, "symlink name");
        check_eq(wali_symlinkat("/tmp/f", dfd, p), -EFAULT, "symlinkat name");
        check_eq(wali_readlink(p, buf, sizeof buf), -EFAULT, "readlink path");
        check_eq(wali_readlinkat(dfd, p, buf, sizeof buf), -EFAULT, "readlinkat path");
        check_eq(wali_mknod(p, S_IFIFO | 0644, 0), -EFAULT, "mknod path");
        check_eq(wali_mknodat(dfd, p, S_IFIFO | 0644, 0), -EFAULT, "mknodat path");
        check_eq(wali_chmod(p, 0600), -EFAULT, "chmod path");
        check_eq(wali_fchmodat(AT_FDCWD, p, 0600, 0), -EFAULT, "fchmodat path");
        check_eq(wali_fchmodat2(AT_FDCWD, p, 0600, 0), -EFAULT, "fchmodat2 path");
        check_eq(wali_chown(p, 1, 1), -EFAULT, "chown path");
        check_eq(wali_lchown(p, 1, 1), -EFAULT, "lchown path");
        check_eq(wali_fchownat(AT_FDCWD, p, 1, 1, 0), -EFAULT, "fchownat path");
        check_eq(wali_utimes(p, 0), -EFAULT, "utimes path");
        check_eq(wali_utime(p, 0), -EFAULT, "utime path");
        check_eq(wali_truncate(p, 0), -EFAULT, "truncate path");
        check_eq(wali_statfs(p, buf), -EFAULT, "statfs path");
    }
    check_eq(wali_utimensat(AT_FDCWD, BAD, 0, 0), -EFAULT, "utimensat path");
    check_eq(wali_utimensat(AT_FDCWD, 0, 0, 0), -EFAULT, "utimensat NULL path with AT_FDCWD");
    /* Nothing happened. */
    check_eq(size_of("/tmp/f"), 10, "file intact");
    check_eq(wali_stat("/tmp/f", &st_), 0, "stat");
    check_eq(st_.st_mode, S_IFREG | 0644, "mode intact");
    check_eq(st_.st_nlink, 1, "no new links");
    check_eq(st_.st_uid, 0, "owner intact");
    check(!exists("/tmp/x"), "nothing renamed, linked or created");
    check_eq(wali_getcwd(buf, sizeof buf), 2, "cwd unchanged");
    return 0;
}
'''


async def test_bad_path_pointers_are_efault_and_change_nothing(make_warden, build_c):
    r = await run_guest(make_warden, build_c(PATHS_C, name="fs_efault_paths.c"))
    assert r.exit_code == 0, r.stderr


BUFFERS_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[64];
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(fd, "0123456789", 10), 10, "setup");
    check_eq(wali_lseek(fd, 2, SEEK_SET), 2, "offset 2");
    void *ptrs[2] = {BAD, 0};
    for (int k = 0; k < 2; k++) {
        void *p = ptrs[k];
        check_eq(wali_read(fd, p, 4), -EFAULT, "read buffer");
        check_eq(offset_of(fd), 2, "a failed read does not move the offset");
        check_eq(wali_write(fd, p, 4), -EFAULT, "write buffer");
        check_eq(wali_pread64(fd, p, 4, 0), -EFAULT, "pread64 buffer");
        check_eq(wali_pwrite64(fd, p, 4, 100), -EFAULT, "pwrite64 buffer");
        check_eq(size_of("/tmp/f"), 10, "a failed pwrite does not extend the file");
        check_eq(wali_readv(fd, p, 2), -EFAULT, "readv iovec array");
        check_eq(wali_writev(fd, p, 2), -EFAULT, "writev iovec array");
        check_eq(wali_preadv(fd, p, 2, 0, 0), -EFAULT, "preadv iovec array");
        check_eq(wali_pwritev(fd, p, 2, 0, 0), -EFAULT, "pwritev iovec array");
        check_eq(wali_fstat(fd, p), -EFAULT, "fstat buffer");
        check_eq(wali_stat("/tmp/f", p), -EFAULT, "stat buffer");
        check_eq(wali_lstat("/tmp/f", p), -EFAULT, "lstat buffer");
        check_eq(wali_newfstatat(AT_FDCWD, "/tmp/f", p, 0), -EFAULT, "newfstatat buffer");
        check_eq(wali_statx(AT_FDCWD, "/tmp/f", 0, 0x7ff, p), -EFAULT, "statx buffer");
        check_eq(wali_statfs("/tmp", p), -EFAULT, "statfs buffer");
        check_eq(wali_fstatfs(fd, p), -EFAULT, "fstatfs buffer");
        check_eq(wali_getcwd(p, 64), -EFAULT, "getcwd buffer");
        check_eq(wali_readlink("/proc/self/cwd", p, 64), -EFAULT, "readlink buffer");
        check_eq(wali_readlinkat(AT_FDCWD, "/proc/self/cwd", p, 64), -EFAULT, "readlinkat buffer");
        check_eq(wali_utimes("/tmp/f", BAD), -EFAULT, "utimes times (NULL means now)");
        check_eq(wali_utime("/tmp/f", BAD), -EFAULT, "utime times (NULL means now)");
        check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", BAD, 0), -EFAULT, "utimensat times (NULL means now)");
        check_eq(wali_ioctl(fd, FIONREAD, p), -EFAULT, "ioctl FIONREAD result");
        check_eq(wali_ioctl(fd, FIONBIO, p), -EFAULT, "ioctl FIONBIO argument");
        check_eq(wali_fcntl(fd, F_SETLK_, (uint64_t)(uintptr_t)p), -EFAULT, "fcntl F_SETLK struct");
        check_eq(wali_fcntl(fd, F_GETLK_, (uint64_t)(uintptr_t)p), -EFAULT, "fcntl F_GETLK struct");
    }
    check_eq(wali_fcntl(fd, F_GETFL, 0) & O_NONBLOCK, 0, "FIONBIO changed nothing");
    check_eq(wali_stat("/tmp/f", &st_), 0, "stat");
    check_eq(st_.st_size, 10, "size intact");
    check(st_.st_mtim.tv_sec > 1000, "times intact");
    check_eq(offset_of(fd), 2, "offset intact");
    check_eq(wali_read(fd, buf, 3), 3, "the fd still works");
    check(memcmp(buf, "234", 3) == 0, "from the same offset");

    /* getdents: a bad buffer leaves the directory position alone. */
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_getdents64(dfd, BAD, 4096), -EFAULT, "getdents64 buffer");
    check_eq(wali_getdents64(dfd, 0, 4096), -EFAULT, "getdents64 NULL");
    char dents[4096];
    int64_t n = wali_getdents64(dfd, dents, sizeof dents);
    check(n > 0, "entries still there");
    check(streq(dents + 19, "."), "starting from the first one");

    /* vectors: a bad element either fails the whole call or stops exactly before it */
    wali_iovec_t iov[2];
    iov[0].iov_base = BAD; iov[0].iov_len = 4;
    iov[1].iov_base = "abcd"; iov[1].iov_len = 4;
    check_eq(wali_writev(fd, iov, 2), -EFAULT, "writev with a bad first element");
    check_eq(wali_pwritev(fd, iov, 2, 0, 0), -EFAULT, "pwritev with a bad first element");
    check_eq(size_of("/tmp/f"), 10, "nothing written");
    check_eq(offset_of(fd), 5, "offset intact");
    return 0;
}
'''


async def test_bad_buffers_are_efault_and_change_nothing(make_warden, build_c):
    r = await run_guest(make_warden, build_c(BUFFERS_C, name="fs_efault_buffers.c"))
    assert r.exit_code == 0, r.stderr


MIXED_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char in[8];
    wali_iovec_t iov[2];
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR, 0644);
    iov[0].iov_base = "good"; iov[0].iov_len = 4;
    iov[1].iov_base = BAD; iov[1].iov_len = 4;
    int64_t r = wali_writev(fd, iov, 2);
    int64_t size = size_of("/tmp/f");
    check((r == -EFAULT && size == 0) || (r == 4 && size == 4),
          "writev with a bad second element: EFAULT with nothing written, or exactly the good part");
    check_eq(offset_of(fd), r < 0 ? 0 : r, "the offset matches what was written");
    check_eq(wali_pwrite64(fd, "0123456789", 10, 0), 10, "fill");
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "rewind");
    iov[0].iov_base = in; iov[0].iov_len = 4;
    r = wali_readv(fd, iov, 2);
    check(r == -EFAULT || r == 4, "readv with a bad second element: EFAULT or the good part");
    check_eq(offset_of(fd), r < 0 ? 0 : r, "the offset matches what was read");
    return 0;
}
'''


async def test_vectors_with_a_bad_element_are_consistent(make_warden, build_c):
    r = await run_guest(make_warden, build_c(MIXED_C, name="fs_efault_mixed.c"))
    assert r.exit_code == 0, r.stderr


EDGE_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char *end = (char *)(uintptr_t)(__builtin_wasm_memory_size(0) * 65536u);
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(fd, "0123456789", 10), 10, "setup");
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "rewind");
    end[-2] = 'x';
    end[-1] = 'y';
    check_eq(wali_read(fd, end - 2, 10), -EFAULT, "a read buffer running off the end of memory");
    check(end[-2] == 'x' && end[-1] == 'y', "no partial copy into the valid part");
    check_eq(offset_of(fd), 0, "offset unchanged");
    check_eq(wali_read(fd, end - 2, 2), 2, "the valid part alone is fine");
    check_eq(wali_write(fd, end - 2, 10), -EFAULT, "a write buffer running off the end");
    check_eq(size_of("/tmp/f"), 10, "file unchanged");
    check_eq(wali_pwrite64(fd, end - 2, 10, 100), -EFAULT, "pwrite running off the end");
    check_eq(size_of("/tmp/f"), 10, "not extended");
    check_eq(wali_fstat(fd, end - 8), -EFAULT, "a stat buffer running off the end");
    end[-3] = 'a'; end[-2] = 'b'; end[-1] = 'c';
    check_eq(wali_open(end - 3, O_RDONLY, 0), -EFAULT, "a path without a NUL before the end of memory");
    check_eq(wali_getcwd(end - 1, 64), -EFAULT, "getcwd running off the end");
    check_eq(wali_getcwd(end - 2, 2), 2, "getcwd exactly at the end");
    check(end[-2] == '/' && end[-1] == 0, "wrote / and the NUL");
    return 0;
}
'''


async def test_ranges_running_off_the_end_of_memory_are_efault(make_warden, build_c):
    r = await run_guest(make_warden, build_c(EDGE_C, name="fs_efault_edge.c"))
    assert r.exit_code == 0, r.stderr


NATIVE = {"EDGE_C": {"skip": "wasm linear memory only"}}
