"""preadv2/pwritev2, sendfile and copy_file_range (Linux fs/read_write.c); the guests also run natively."""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(preadv2)
int64_t wali_preadv2(int32_t fd, void *iov, int32_t n, int64_t lo, int64_t hi, int32_t flags);
WALI_IMPORT(pwritev2)
int64_t wali_pwritev2(int32_t fd, void *iov, int32_t n, int64_t lo, int64_t hi, int32_t flags);
WALI_IMPORT(sendfile) int64_t wali_sendfile(int32_t out, int32_t in, void *off, uint32_t count);
WALI_IMPORT(copy_file_range)
int64_t wali_copy_file_range(int32_t in, void *off_in, int32_t out, void *off_out, uint32_t len,
                             int32_t flags);
#endif
#define RWF_APPEND 0x10
#define RWF_NOWAIT 0x08
WALI_MAIN
static wali_stat_t st;
static int64_t size_of(int fd) { int64_t r = wali_fstat(fd, &st); return r < 0 ? r : st.st_size; }
static int mkfile(const char *p, const char *data) {
    int fd = (int)wali_open((void *)p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) return fd;
    wali_write(fd, (void *)data, (uint32_t)strlen(data));
    wali_close(fd);
    return 0;
}
'''




V2_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char a[8], b[8];
    wali_iovec_t iov[2];
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR, 0644);
    iov[0].iov_base = "abc"; iov[0].iov_len = 3;
    iov[1].iov_base = "def"; iov[1].iov_len = 3;
    check_eq(wali_pwritev2(fd, iov, 2, -1, 0, 0), 6, "pwritev2 at the file position");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 6, "which moves");
    check_eq(wali_pwritev2(fd, iov, 1, 1, 0, 0), 3, "pwritev2 at an offset");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 6, "which does not move the position");
    check_eq(wali_pwritev2(fd, iov + 1, 1, 0, 0, RWF_APPEND), 3, "RWF_APPEND with an offset");
    check_eq(size_of(fd), 9, "appended");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 6, "position unchanged");
    check_eq(wali_pwritev2(fd, iov, 1, -1, 0, RWF_APPEND), 3, "RWF_APPEND at the position");
    check_eq(size_of(fd), 12, "appended");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 12, "position at the new end");
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "rewind");
    iov[0].iov_base = a; iov[0].iov_len = 4;
    iov[1].iov_base = b; iov[1].iov_len = 8;
    check_eq(wali_preadv2(fd, iov, 2, -1, 0, 0), 12, "preadv2 at the position");
    check(memcmp(a, "aabc", 4) == 0 && memcmp(b, "efdefabc", 8) == 0, "content");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 12, "moved");
    check_eq(wali_preadv2(fd, iov, 1, 3, 0, 0), 4, "preadv2 at an offset");
    check(memcmp(a, "cefd", 4) == 0, "content");
    check_eq(wali_preadv2(fd, iov, 1, 3, 0, RWF_NOWAIT), -EOPNOTSUPP, "RWF_NOWAIT on a tmpfs file");
    check_eq(wali_preadv2(fd, iov, 1, -2, 0, 0), -EINVAL, "offset below -1");
    check_eq(wali_pwritev2(fd, iov, 1, -2, 0, 0), -EINVAL, "pwritev2 offset below -1");
    check_eq(wali_preadv2(fd, iov, 1, 0, 0, 0x10000), -EOPNOTSUPP, "unknown RWF flag");
    check_eq(wali_pwritev2(fd, iov, 1, 0, 0, 0x10000), -EOPNOTSUPP, "unknown RWF flag (write)");
    int ro = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_pwritev2(ro, iov, 1, 0, 0, 0), -EBADF, "pwritev2 on O_RDONLY");
    return 0;
}
'''


async def test_preadv2_pwritev2(make_warden, build_c):
    r = await run_guest(make_warden, build_c(V2_C, name="io_extra_v2.c"))
    assert r.exit_code == 0, r.stderr


SENDFILE_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[32];
    check_eq(mkfile("/tmp/src", "0123456789"), 0, "source");
    int in = (int)wali_open("/tmp/src", O_RDONLY, 0);
    int out = (int)wali_open("/tmp/dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
    check_eq(wali_lseek(in, 2, SEEK_SET), 2, "seek the input");
    check_eq(wali_sendfile(out, in, 0, 5), 5, "sendfile from the file position");
    check_eq(wali_lseek(in, 0, SEEK_CUR), 7, "the input position moved");
    int64_t off = 8;
    check_eq(wali_sendfile(out, in, &off, 100), 2, "sendfile from an offset, short at EOF");
    check_eq(off, 10, "the offset was updated");
    check_eq(wali_lseek(in, 0, SEEK_CUR), 7, "and the input position was not");
    check_eq(wali_sendfile(out, in, &off, 100), 0, "at EOF");
    check_eq(wali_pread64(out, buf, 32, 0), 7, "output");
    check(memcmp(buf, "2345689", 7) == 0, "content");
    int null = (int)wali_open("/dev/null", O_WRONLY, 0);
    off = 0;
    check_eq(wali_sendfile(null, in, &off, 10), 10, "to /dev/null");
    off = -1;
    check_eq(wali_sendfile(out, in, &off, 1), -EINVAL, "negative offset");
    check_eq(wali_sendfile(in, out, 0, 1), -EBADF, "output not writable");
    check_eq(wali_sendfile(out, null, 0, 1), -EBADF, "input not readable");
    int app = (int)wali_open("/tmp/dst", O_WRONLY | O_APPEND, 0);
    check_eq(wali_sendfile(app, in, 0, 1), -EINVAL, "an O_APPEND output");
    check_eq(wali_sendfile(out, in, (void *)(uintptr_t)0xFFFFFFF0u, 1), -EFAULT, "bad offset pointer");
    return 0;
}
'''


async def test_sendfile(make_warden, build_c):
    r = await run_guest(make_warden, build_c(SENDFILE_C, name="io_extra_sendfile.c"))
    assert r.exit_code == 0, r.stderr


COPY_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[32];
    check_eq(mkfile("/tmp/src", "0123456789"), 0, "source");
    int in = (int)wali_open("/tmp/src", O_RDWR, 0);
    int out = (int)wali_open("/tmp/dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
    check_eq(wali_copy_file_range(in, 0, out, 0, 4, 0), 4, "copy at both positions");
    check_eq(wali_lseek(in, 0, SEEK_CUR), 4, "input moved");
    check_eq(wali_lseek(out, 0, SEEK_CUR), 4, "output moved");
    int64_t oi = 8, oo = 10;
    check_eq(wali_copy_file_range(in, &oi, out, &oo, 100, 0), 2, "copy at offsets, short at EOF");
    check(oi == 10 && oo == 12, "offsets updated");
    check_eq(wali_lseek(in, 0, SEEK_CUR), 4, "positions untouched");
    check_eq(wali_pread64(out, buf, 32, 0), 12, "output size");
    check(memcmp(buf, "0123\0\0\0\0\0\089", 12) == 0, "content with a hole");
    check_eq(wali_copy_file_range(in, 0, out, 0, 0, 0), 0, "length 0");
    check_eq(wali_copy_file_range(in, 0, out, 0, 1, 1), -EINVAL, "flags must be 0");
    oi = 0; oo = 2;
    check_eq(wali_copy_file_range(in, &oi, in, &oo, 4, 0), -EINVAL, "overlapping ranges of one file");
    oi = 0; oo = 20;
    check_eq(wali_copy_file_range(in, &oi, in, &oo, 4, 0), 4, "non-overlapping ranges of one file");
    oi = -1;
    check_eq(wali_copy_file_range(in, &oi, out, 0, 1, 0), -EOVERFLOW, "negative offset (Linux: EOVERFLOW)");
    int ro = (int)wali_open("/tmp/src", O_RDONLY, 0);
    check_eq(wali_copy_file_range(in, 0, ro, 0, 1, 0), -EBADF, "output not writable");
    int app = (int)wali_open("/tmp/dst", O_WRONLY | O_APPEND, 0);
    check_eq(wali_copy_file_range(in, 0, app, 0, 1, 0), -EBADF, "O_APPEND output");
    int dir = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_copy_file_range(dir, 0, out, 0, 1, 0), -EISDIR, "directory input");
    int null = (int)wali_open("/dev/null", O_WRONLY, 0);
    check_eq(wali_copy_file_range(in, 0, null, 0, 1, 0), -EINVAL, "a device output");
    return 0;
}
'''


async def test_copy_file_range(make_warden, build_c):
    r = await run_guest(make_warden, build_c(COPY_C, name="io_extra_copy.c"))
    assert r.exit_code == 0, r.stderr
