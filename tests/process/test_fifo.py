"""FIFOs from the VFS (mknod S_IFIFO) and reopening a pipe through /proc/self/fd."""

from __future__ import annotations

from tests.harness import run_cage

FIFO = r'''
#include "walisig.h"
WALI_MAIN
WALI_IMPORT("SYS_mknodat") int64_t wali_mknodat(int32_t, void *, uint32_t, uint64_t);
int main(int argc, char **argv) {
    check_eq(wali_mknodat(AT_FDCWD, "/tmp/fifo", 0010000 | 0644, 0), 0, "mknodat S_IFIFO");
    wali_stat_t st;
    check_eq(wali_stat("/tmp/fifo", &st), 0, "stat");
    check_eq(st.st_mode & 0170000, 0010000, "it is a FIFO");
    check_eq(wali_open("/tmp/fifo", O_WRONLY | O_NONBLOCK, 0), -6 /* ENXIO */, "no reader: ENXIO");
    int64_t pid = wali_fork();
    if (pid == 0) {
        /* blocks until the parent opens the read end */
        int32_t w = (int32_t)wali_open("/tmp/fifo", O_WRONLY, 0);
        if (w < 0) wali_exit_group(2);
        wali_write(w, "through the fifo", 16);
        wali_exit_group(0);
    }
    sleep_ms(200);
    int32_t r = (int32_t)wali_open("/tmp/fifo", O_RDONLY, 0);
    check(r >= 0, "open read end");
    char buf[32] = {0};
    int64_t n = 0, k;
    while ((k = wali_read(r, buf + n, sizeof buf - 1 - n)) > 0) n += k;
    check_eq(n, 16, "all bytes");
    check(!memcmp(buf, "through the fifo", 16), "content");
    int status;
    wali_wait4((int32_t)pid, &status, 0, 0);
    check_eq(status, 0, "writer ok");
    /* O_RDWR never waits; O_RDONLY|O_NONBLOCK succeeds without a writer */
    int32_t rw = (int32_t)wali_open("/tmp/fifo", O_RDWR, 0);
    check(rw >= 0, "O_RDWR");
    check_eq(wali_write(rw, "x", 1), 1, "write to itself");
    char c;
    check_eq(wali_read(rw, &c, 1), 1, "read it back");
    int32_t nb = (int32_t)wali_open("/tmp/fifo", O_RDONLY | O_NONBLOCK, 0);
    check(nb >= 0, "non-blocking read open");
    check_eq(wali_lseek(nb, 0, SEEK_SET), -ESPIPE, "FIFOs do not seek");
    return 0;
}
'''


async def test_fifo_rendezvous_and_data(build_c):
    r = await run_cage(build_c(FIFO, name="fifo.c"), timeout=60)
    assert r.exit_code == 0, r.stderr


REOPEN = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int fds[2];
    wali_pipe(fds);
    char path[64] = "/proc/self/fd/";
    path[14] = (char)('0' + fds[1]);
    path[15] = 0;
    int32_t w2 = (int32_t)wali_open(path, O_WRONLY, 0);
    check(w2 >= 0, "reopen the write end");
    check_eq(wali_write(w2, "hi", 2), 2, "write through the new end");
    char buf[2];
    check_eq(wali_read(fds[0], buf, 2), 2, "same pipe");
    char link[64] = {0};
    int64_t n = wali_readlink(path, link, sizeof link);
    check(n > 6 && !memcmp(link, "pipe:[", 6), "readlink shows pipe:[ino]");
    return 0;
}
'''


async def test_reopening_a_pipe_through_proc_gives_the_same_pipe(build_c):
    r = await run_cage(build_c(REOPEN, name="pipe_reopen.c"))
    assert r.exit_code == 0, r.stderr


XATTR = r'''
#include "walisig.h"
WALI_MAIN
WALI_IMPORT("SYS_setxattr") int64_t wali_setxattr(void *, void *, void *, uint32_t, int32_t);
WALI_IMPORT("SYS_getxattr") int64_t wali_getxattr(void *, void *, void *, uint32_t);
WALI_IMPORT("SYS_listxattr") int64_t wali_listxattr(void *, void *, uint32_t);
WALI_IMPORT("SYS_removexattr") int64_t wali_removexattr(void *, void *);
WALI_IMPORT("SYS_fgetxattr") int64_t wali_fgetxattr(int32_t, void *, void *, uint32_t);
WALI_IMPORT("SYS_lsetxattr") int64_t wali_lsetxattr(void *, void *, void *, uint32_t, int32_t);
WALI_IMPORT("SYS_fsetxattr") int64_t wali_fsetxattr(int32_t, void *, void *, uint32_t, int32_t);
WALI_IMPORT("SYS_lgetxattr") int64_t wali_lgetxattr(void *, void *, void *, uint32_t);
WALI_IMPORT("SYS_llistxattr") int64_t wali_llistxattr(void *, void *, uint32_t);
WALI_IMPORT("SYS_flistxattr") int64_t wali_flistxattr(int32_t, void *, uint32_t);
WALI_IMPORT("SYS_lremovexattr") int64_t wali_lremovexattr(void *, void *);
WALI_IMPORT("SYS_fremovexattr") int64_t wali_fremovexattr(int32_t, void *);
int main(int argc, char **argv) {
    int32_t fd = (int32_t)wali_open("/tmp/x", O_RDWR | O_CREAT, 0644);
    char buf[64];
    check_eq(wali_setxattr("/tmp/x", "user.a", "v", 1, 0), -95 /* EOPNOTSUPP */, "set");
    check_eq(wali_getxattr("/tmp/x", "user.a", buf, sizeof buf), -61 /* ENODATA */, "get");
    check_eq(wali_fgetxattr(fd, "user.a", buf, sizeof buf), -61, "fget");
    check_eq(wali_fgetxattr(99, "user.a", buf, sizeof buf), -EBADF, "bad fd");
    check_eq(wali_listxattr("/tmp/x", buf, sizeof buf), 0, "empty list");
    check_eq(wali_removexattr("/tmp/x", "user.a"), -61, "remove");
    check_eq(wali_getxattr("/nonexistent", "user.a", buf, sizeof buf), -ENOENT, "path checked");
    check_eq(wali_getxattr("/tmp/x", (void *)0xFFFFFFF0u, buf, sizeof buf), -EFAULT, "bad name");
    check_eq(wali_setxattr((void *)0xFFFFFFF0u, "user.a", "v", 1, 0), -EFAULT, "bad path");
    check_eq(wali_lsetxattr("/tmp/x", "user.a", "v", 1, 0), -95, "lset");
    check_eq(wali_fsetxattr(fd, "user.a", "v", 1, 0), -95, "fset");
    check_eq(wali_fsetxattr(fd, "user.a", (void *)0xFFFFFFF0u, 8, 0), -EFAULT, "bad value");
    check_eq(wali_lgetxattr("/tmp/x", "user.a", buf, sizeof buf), -61, "lget");
    check_eq(wali_llistxattr("/tmp/x", buf, sizeof buf), 0, "llist");
    check_eq(wali_flistxattr(fd, buf, sizeof buf), 0, "flist");
    check_eq(wali_lremovexattr("/tmp/x", "user.a"), -61, "lremove");
    check_eq(wali_fremovexattr(fd, "user.a"), -61, "fremove");
    check_eq(wali_fremovexattr(fd, (void *)0xFFFFFFF0u), -EFAULT, "bad name");
    return 0;
}
'''


async def test_extended_attributes_are_absent_not_enosys(build_c):
    r = await run_cage(build_c(XATTR, name="xattr.c"))
    assert r.exit_code == 0, r.stderr
