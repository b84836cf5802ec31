"""dup/dup2/dup3, fcntl (descriptor and status flags, F_DUPFD*), ioctl on non-terminals,
close_range, and FD_CLOEXEC bookkeeping.

Expected values are Linux's (fs/file.c ksys_dup3, fs/fcntl.c, fs/ioctl.c);
the guests also run natively on Linux.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(close_range) int64_t wali_close_range(uint32_t first, uint32_t last, uint32_t flags);
#endif
#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413
#define FIONREAD 0x541B
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define CLOSE_RANGE_CLOEXEC 4
#define RLIMIT_NOFILE 7
WALI_MAIN
'''




DUP_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[8];
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    check_eq(fd, 3, "lowest free fd");
    check_eq(wali_write(fd, "0123456789", 10), 10, "write");
    int d = (int)wali_dup(fd);
    check_eq(d, 4, "dup takes the lowest free fd");
    check_eq(wali_fcntl(d, F_GETFD, 0), 0, "dup clears FD_CLOEXEC");
    check_eq(wali_fcntl(fd, F_GETFD, 0), FD_CLOEXEC, "the original keeps it");
    check_eq(wali_lseek(fd, 2, SEEK_SET), 2, "seek one");
    check_eq(wali_lseek(d, 0, SEEK_CUR), 2, "the other moved too: one open file description");
    check_eq(wali_fcntl(fd, F_SETFL, O_APPEND), 0, "O_APPEND on one");
    check(wali_fcntl(d, F_GETFL, 0) & O_APPEND, "is seen through the other");
    check_eq(wali_dup(99), -EBADF, "dup of a closed fd");
    check_eq(wali_dup(-1), -EBADF, "dup(-1)");

    check_eq(wali_dup2(fd, 10), 10, "dup2 to a chosen fd");
    check_eq(wali_fcntl(10, F_GETFD, 0), 0, "dup2 clears FD_CLOEXEC");
    int other = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_fcntl(other, F_SETFD, FD_CLOEXEC), 0, "cloexec on the victim");
    check_eq(wali_dup2(fd, other), other, "dup2 over an open fd closes it silently");
    check_eq(wali_fcntl(other, F_GETFD, 0), 0, "and the new fd is not close-on-exec");
    check_eq(wali_fcntl(other, F_GETFL, 0) & O_ACCMODE, O_RDWR, "it is now the O_RDWR description");
    check_eq(wali_dup2(fd, fd), fd, "dup2(fd, fd) returns fd");
    check_eq(wali_fcntl(fd, F_GETFD, 0), FD_CLOEXEC, "and leaves its flags alone");
    check_eq(wali_dup2(99, 99), -EBADF, "dup2 of a closed fd onto itself");
    check_eq(wali_dup2(99, 11), -EBADF, "dup2 of a closed fd");
    check_eq(wali_fcntl(11, F_GETFD, 0), -EBADF, "...creates nothing");
    check_eq(wali_dup2(fd, -1), -EBADF, "dup2 to -1");
    check_eq(wali_dup2(fd, 1 << 20), -EBADF, "dup2 beyond RLIMIT_NOFILE");

    check_eq(wali_dup3(fd, 12, O_CLOEXEC), 12, "dup3 with O_CLOEXEC");
    check_eq(wali_fcntl(12, F_GETFD, 0), FD_CLOEXEC, "sets FD_CLOEXEC");
    check_eq(wali_dup3(fd, 13, 0), 13, "dup3 without flags");
    check_eq(wali_fcntl(13, F_GETFD, 0), 0, "no FD_CLOEXEC");
    check_eq(wali_dup3(fd, fd, 0), -EINVAL, "dup3 onto itself");
    check_eq(wali_dup3(99, 99, 0), -EINVAL, "dup3(bad, bad): EINVAL before EBADF");
    check_eq(wali_dup3(fd, 14, O_APPEND), -EINVAL, "dup3 with another flag");
    check_eq(wali_dup3(99, 14, 0), -EBADF, "dup3 of a closed fd");
    check_eq(wali_dup3(fd, 1 << 20, 0), -EBADF, "dup3 beyond the limit");

    /* The read goes through any of them. */
    check_eq(wali_pread64(13, buf, 3, 7), 3, "pread through a dup");
    check(memcmp(buf, "789", 3) == 0, "content");
    return 0;
}
'''


async def test_dup_dup2_dup3(make_warden, build_c):
    r = await run_guest(make_warden, build_c(DUP_C, name="io_fcntl_dup.c"))
    assert r.exit_code == 0, r.stderr


FCNTL_C = PRELUDE + r'''
int main(int argc, char **argv) {
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_WRONLY | O_TRUNC | O_EXCL, 0644);
    check_eq(wali_fcntl(fd, F_DUPFD, 20), 20, "F_DUPFD honours the minimum");
    check_eq(wali_fcntl(fd, F_DUPFD, 20), 21, "next free at or above it");
    check_eq(wali_fcntl(fd, F_DUPFD, 0), 4, "minimum 0: lowest free");
    check_eq(wali_fcntl(20, F_GETFD, 0), 0, "F_DUPFD: no FD_CLOEXEC");
    check_eq(wali_fcntl(fd, F_DUPFD_CLOEXEC, 30), 30, "F_DUPFD_CLOEXEC");
    check_eq(wali_fcntl(30, F_GETFD, 0), FD_CLOEXEC, "with FD_CLOEXEC");
    check_eq(wali_fcntl(fd, F_DUPFD, 1 << 20), -EINVAL, "F_DUPFD minimum beyond RLIMIT_NOFILE");
    check_eq(wali_fcntl(fd, F_DUPFD, (uint64_t)-1), -EINVAL, "F_DUPFD with a huge minimum");

    check_eq(wali_fcntl(fd, F_SETFD, FD_CLOEXEC | 0x10), 0, "F_SETFD");
    check_eq(wali_fcntl(fd, F_GETFD, 0), FD_CLOEXEC, "only FD_CLOEXEC is kept");
    check_eq(wali_fcntl(fd, F_SETFD, 0), 0, "clear");
    check_eq(wali_fcntl(fd, F_GETFD, 0), 0, "cleared");

    int64_t fl = wali_fcntl(fd, F_GETFL, 0);
    check_eq(fl & O_ACCMODE, O_WRONLY, "F_GETFL access mode");
    check_eq(fl & (O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY), 0, "open-time flags are not reported");
    check_eq(wali_fcntl(fd, F_SETFL, O_RDWR | O_APPEND | O_NONBLOCK | O_TRUNC), 0, "F_SETFL");
    fl = wali_fcntl(fd, F_GETFL, 0);
    check_eq(fl & O_ACCMODE, O_WRONLY, "F_SETFL cannot change the access mode");
    check_eq(fl & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK, "status flags changed");
    check_eq(fl & O_TRUNC, 0, "O_TRUNC ignored");
    check_eq(wali_fcntl(fd, F_SETFL, 0), 0, "clear status flags");
    check_eq(wali_fcntl(fd, F_GETFL, 0) & (O_APPEND | O_NONBLOCK), 0, "cleared");

    check_eq(wali_fcntl(99, F_GETFD, 0), -EBADF, "closed fd");
    check_eq(wali_fcntl(99, F_DUPFD, 0), -EBADF, "F_DUPFD of a closed fd");
    check_eq(wali_fcntl(fd, 12345, 0), -EINVAL, "unknown command");

    /* RLIMIT_NOFILE bounds every allocator. */
    wali_rlimit_t lim = {64, 64};
    check_eq(wali_setrlimit(RLIMIT_NOFILE, &lim), 0, "limit fds to 64");
    check_eq(wali_fcntl(fd, F_DUPFD, 63), 63, "F_DUPFD up to limit-1");
    check_eq(wali_fcntl(fd, F_DUPFD, 64), -EINVAL, "F_DUPFD minimum at the limit");
    check_eq(wali_dup2(fd, 64), -EBADF, "dup2 at the limit");
    int last = 0;
    int64_t r;
    while ((r = wali_dup(fd)) >= 0) last = (int)r;
    check_eq(r, -EMFILE, "dup runs out with EMFILE");
    check_eq(last, 62, "after filling every slot below the limit");
    check_eq(wali_open("/tmp/f", O_RDONLY, 0), -EMFILE, "open too");
    return 0;
}
'''


async def test_fcntl_dupfd_fd_flags_and_status_flags(make_warden, build_c):
    r = await run_guest(make_warden, build_c(FCNTL_C, name="io_fcntl_fcntl.c"))
    assert r.exit_code == 0, r.stderr


IOCTL_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[64];
    int32_t v = -1;
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(fd, "0123456789", 10), 10, "write");
    check_eq(wali_ioctl(fd, TCGETS, buf), -ENOTTY, "TCGETS on a regular file");
    check_eq(wali_ioctl(fd, TIOCGWINSZ, buf), -ENOTTY, "TIOCGWINSZ on a regular file");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_ioctl(dfd, TCGETS, buf), -ENOTTY, "TCGETS on a directory");
    int n = (int)wali_open("/dev/null", O_RDWR, 0);
    check_eq(wali_ioctl(n, TCGETS, buf), -ENOTTY, "TCGETS on /dev/null");
    check_eq(wali_ioctl(n, TIOCGWINSZ, buf), -ENOTTY, "TIOCGWINSZ on /dev/null");
    check_eq(wali_ioctl(0, TCGETS, buf), -ENOTTY, "TCGETS on stdin redirected from a file");
    check_eq(wali_ioctl(99, TCGETS, buf), -EBADF, "ioctl on a closed fd");
    check_eq(wali_lseek(fd, 4, SEEK_SET), 4, "seek");
    check_eq(wali_ioctl(fd, FIONREAD, &v), 0, "FIONREAD on a file");
    check_eq(v, 6, "bytes between the offset and EOF");
    check_eq(wali_ioctl(fd, FIOCLEX, 0), 0, "FIOCLEX");
    check_eq(wali_fcntl(fd, F_GETFD, 0), FD_CLOEXEC, "sets FD_CLOEXEC");
    check_eq(wali_ioctl(fd, FIONCLEX, 0), 0, "FIONCLEX");
    check_eq(wali_fcntl(fd, F_GETFD, 0), 0, "clears it");
    int32_t on = 1;
    check_eq(wali_ioctl(fd, FIONBIO, &on), 0, "FIONBIO on");
    check(wali_fcntl(fd, F_GETFL, 0) & O_NONBLOCK, "sets O_NONBLOCK");
    on = 0;
    check_eq(wali_ioctl(fd, FIONBIO, &on), 0, "FIONBIO off");
    check_eq(wali_fcntl(fd, F_GETFL, 0) & O_NONBLOCK, 0, "clears it");
    return 0;
}
'''


async def test_ioctl_on_non_terminals(make_warden, build_c):
    r = await run_guest(make_warden, build_c(IOCTL_C, name="io_fcntl_ioctl.c"))
    assert r.exit_code == 0, r.stderr


CLOSE_RANGE_C = PRELUDE + r'''
int main(int argc, char **argv) {
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR, 0644);
    for (int i = 5; i < 10; i++) check_eq(wali_dup2(fd, i), i, "dup2");
    check_eq(wali_close_range(5, 6, CLOSE_RANGE_CLOEXEC), 0, "close_range CLOEXEC");
    check_eq(wali_fcntl(5, F_GETFD, 0), FD_CLOEXEC, "5 is close-on-exec");
    check_eq(wali_fcntl(6, F_GETFD, 0), FD_CLOEXEC, "6 is close-on-exec");
    check_eq(wali_fcntl(7, F_GETFD, 0), 0, "7 untouched");
    check_eq(wali_close_range(6, 8, 0), 0, "close_range");
    check_eq(wali_fcntl(5, F_GETFD, 0), FD_CLOEXEC, "5 open");
    check_eq(wali_fcntl(6, F_GETFD, 0), -EBADF, "6 closed");
    check_eq(wali_fcntl(8, F_GETFD, 0), -EBADF, "8 closed");
    check_eq(wali_fcntl(9, F_GETFD, 0), 0, "9 open");
    check_eq(wali_close_range(9, 0xffffffffu, 0), 0, "close to the end");
    check_eq(wali_fcntl(9, F_GETFD, 0), -EBADF, "9 closed");
    check_eq(wali_close_range(8, 7, 0), -EINVAL, "first > last");
    check_eq(wali_close_range(3, 4, 0x100), -EINVAL, "unknown flag");
    check_eq(wali_fcntl(fd, F_GETFD, 0), 0, "3 untouched");
    return 0;
}
'''


async def test_close_range(make_warden, build_c):
    r = await run_guest(make_warden, build_c(CLOSE_RANGE_C, name="io_fcntl_close_range.c"))
    assert r.exit_code == 0, r.stderr


NATIVE = {"IOCTL_C": {"pre": "exec < /etc/hostname"}}
