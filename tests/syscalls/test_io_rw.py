"""read/write and their vector and positional forms, lseek, close, sparse files and /dev devices.

Expected values are Linux's (fs/read_write.c); every guest also runs natively
on Linux through syscall shims, so the expectations are checked against a real
kernel. SEEK_DATA/SEEK_HOLE layouts use 64 KiB-aligned extents, a granularity
both tmpfs and memfs report exactly.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(pwritev) int64_t wali_pwritev(int32_t fd, void *iov, int32_t n, int64_t lo, int64_t hi);
#endif
#define SEEK_DATA 3
#define SEEK_HOLE 4
WALI_MAIN
static int64_t size_of(int fd) {
    wali_stat_t st;
    int64_t r = wali_fstat(fd, &st);
    return r < 0 ? r : st.st_size;
}
static int all_zero(const char *p, int n) {
    for (int i = 0; i < n; i++) if (p[i]) return 0;
    return 1;
}
'''




RW_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[64];
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(fd, "hello world", 11), 11, "write");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 11, "write advances the offset");
    check_eq(wali_read(fd, buf, sizeof buf), 0, "read at EOF is 0");
    check_eq(wali_lseek(fd, 6, SEEK_SET), 6, "seek");
    check_eq(wali_read(fd, buf, sizeof buf), 5, "short read at the end");
    check(memcmp(buf, "world", 5) == 0, "content");
    check_eq(wali_write(fd, buf, 0), 0, "write of 0 bytes");
    check_eq(wali_read(fd, buf, 0), 0, "read of 0 bytes");
    check_eq(wali_write(fd, (void *)0, 0), 0, "NULL buffer with count 0 is fine");
    check_eq(wali_read(fd, (void *)0, 0), 0, "NULL buffer with count 0 is fine for read");

    /* dup shares the offset; a second open does not. */
    int dup = (int)wali_dup(fd);
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "seek");
    check_eq(wali_read(dup, buf, 5), 5, "read via dup");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 5, "the dup moved the shared offset");
    int other = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_lseek(other, 0, SEEK_CUR), 0, "an independent description starts at 0");

    /* Access modes. */
    int ro = (int)wali_open("/tmp/f", O_RDONLY, 0);
    int wo = (int)wali_open("/tmp/f", O_WRONLY, 0);
    check_eq(wali_write(ro, "x", 1), -EBADF, "write to O_RDONLY");
    check_eq(wali_read(wo, buf, 1), -EBADF, "read from O_WRONLY");
    check_eq(wali_pwrite64(ro, "x", 1, 0), -EBADF, "pwrite to O_RDONLY");
    check_eq(wali_pread64(wo, buf, 1, 0), -EBADF, "pread from O_WRONLY");

    /* Access mode 3 opens for neither reading nor writing. */
    int n3 = (int)wali_open("/tmp/f", 3, 0);
    check(n3 >= 0, "open with O_ACCMODE");
    check_eq(wali_read(n3, buf, 1), -EBADF, "not readable");
    check_eq(wali_write(n3, "x", 1), -EBADF, "not writable");
    check_eq(wali_fcntl(n3, F_GETFL, 0) & O_ACCMODE, 3, "F_GETFL reports it");
    check_eq(wali_close(n3), 0, "close");

    /* Closed and invalid descriptors. */
    check_eq(wali_close(wo), 0, "close");
    check_eq(wali_close(wo), -EBADF, "double close");
    check_eq(wali_read(wo, buf, 1), -EBADF, "read on a closed fd");
    check_eq(wali_write(wo, "x", 1), -EBADF, "write on a closed fd");
    check_eq(wali_close(-1), -EBADF, "close(-1)");
    check_eq(wali_close(100000), -EBADF, "close of a huge fd");
    check_eq(wali_read(-5, buf, 1), -EBADF, "read(-5)");
    /* The bad fd is reported before the bad buffer. */
    check_eq(wali_read(wo, (void *)0, 10), -EBADF, "EBADF before EFAULT");
    check_eq(wali_write(ro, (void *)0, 10), -EBADF, "EBADF (access mode) before EFAULT");
    return 0;
}
'''


async def test_read_write_offsets_and_ebadf(make_warden, build_c):
    r = await run_guest(make_warden, build_c(RW_C, name="io_rw_basic.c"))
    assert r.exit_code == 0, r.stderr


PRW_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[32];
    int fd = (int)wali_open("/tmp/p", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(fd, "0123456789", 10), 10, "write");
    check_eq(wali_pread64(fd, buf, 4, 3), 4, "pread");
    check(memcmp(buf, "3456", 4) == 0, "pread content");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 10, "pread leaves the offset alone");
    check_eq(wali_pwrite64(fd, "AB", 2, 1), 2, "pwrite");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 10, "pwrite leaves the offset alone");
    check_eq(wali_pread64(fd, buf, 32, 0), 10, "pread clips at EOF");
    check(memcmp(buf, "0AB3456789", 10) == 0, "pwrite content");
    check_eq(wali_pread64(fd, buf, 4, 10), 0, "pread at EOF");
    check_eq(wali_pread64(fd, buf, 4, 1000), 0, "pread past EOF");
    check_eq(wali_pread64(fd, buf, 4, -1), -EINVAL, "pread at a negative offset");
    check_eq(wali_pwrite64(fd, "x", 1, -1), -EINVAL, "pwrite at a negative offset");
    check_eq(wali_pread64(fd, buf, 4, 0x7ffffffffffffffeLL), -EINVAL, "pread whose end overflows off_t");
    check_eq(wali_pwrite64(fd, "xx", 2, 0x7fffffffffffffffLL), -EINVAL, "pwrite whose end overflows off_t");
    /* pwrite past EOF leaves a hole of zeros. */
    check_eq(wali_pwrite64(fd, "Z", 1, 20), 1, "pwrite past EOF");
    check_eq(size_of(fd), 21, "size grew");
    check_eq(wali_pread64(fd, buf, 11, 10), 11, "read across the hole");
    check(all_zero(buf, 10) && buf[10] == 'Z', "the hole reads as zeros");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_pread64(dfd, buf, 4, 0), -EISDIR, "pread on a directory");
    return 0;
}
'''


async def test_pread_pwrite_positional(make_warden, build_c):
    r = await run_guest(make_warden, build_c(PRW_C, name="io_rw_positional.c"))
    assert r.exit_code == 0, r.stderr


VEC_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char a[4], b[8], c[16];
    wali_iovec_t iov[3];
    int fd = (int)wali_open("/tmp/v", O_CREAT | O_RDWR, 0644);
    iov[0].iov_base = "abc"; iov[0].iov_len = 3;
    iov[1].iov_base = ""; iov[1].iov_len = 0;
    iov[2].iov_base = "defgh"; iov[2].iov_len = 5;
    check_eq(wali_writev(fd, iov, 3), 8, "writev gathers");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 8, "writev advances the offset");
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "rewind");
    iov[0].iov_base = a; iov[0].iov_len = 2;
    iov[1].iov_base = b; iov[1].iov_len = 0;
    iov[2].iov_base = c; iov[2].iov_len = 16;
    check_eq(wali_readv(fd, iov, 3), 8, "readv scatters what there is");
    check(memcmp(a, "ab", 2) == 0 && memcmp(c, "cdefgh", 6) == 0, "scatter content");
    check_eq(wali_readv(fd, iov, 3), 0, "readv at EOF");
    check_eq(wali_readv(fd, iov, 0), 0, "iovcnt 0");
    check_eq(wali_writev(fd, iov, 0), 0, "writev iovcnt 0");
    check_eq(wali_readv(fd, iov, -1), -EINVAL, "negative iovcnt");
    check_eq(wali_writev(fd, iov, 1025), -EINVAL, "iovcnt > IOV_MAX");
    check_eq(wali_readv(fd, iov, 1025), -EINVAL, "readv iovcnt > IOV_MAX");

    /* preadv/pwritev use the given offset and leave the file offset alone. */
    check_eq(wali_lseek(fd, 3, SEEK_SET), 3, "seek");
    iov[0].iov_base = "XY"; iov[0].iov_len = 2;
    iov[1].iov_base = "Z"; iov[1].iov_len = 1;
    check_eq(wali_pwritev(fd, iov, 2, 1, 0), 3, "pwritev");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 3, "pwritev keeps the offset");
    iov[0].iov_base = a; iov[0].iov_len = 3;
    iov[1].iov_base = b; iov[1].iov_len = 8;
    check_eq(wali_preadv(fd, iov, 2, 0, 0), 8, "preadv");
    check(memcmp(a, "aXY", 3) == 0 && memcmp(b, "Zefgh", 5) == 0, "preadv content");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 3, "preadv keeps the offset");
    check_eq(wali_preadv(fd, iov, 2, -1, 0), -EINVAL, "preadv negative offset");
    check_eq(wali_pwritev(fd, iov, 2, -1, 0), -EINVAL, "pwritev negative offset");
    check_eq(wali_preadv(fd, iov, 2, 100, 0), 0, "preadv past EOF");
    int ro = (int)wali_open("/tmp/v", O_RDONLY, 0);
    check_eq(wali_writev(ro, iov, 1), -EBADF, "writev on O_RDONLY");
    check_eq(wali_pwritev(ro, iov, 1, 0, 0), -EBADF, "pwritev on O_RDONLY");
    return 0;
}
'''


async def test_readv_writev_preadv_pwritev(make_warden, build_c):
    r = await run_guest(make_warden, build_c(VEC_C, name="io_rw_vector.c"))
    assert r.exit_code == 0, r.stderr


LSEEK_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[16];
    int fd = (int)wali_open("/tmp/s", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(fd, "0123456789", 10), 10, "write");
    check_eq(wali_lseek(fd, 2, SEEK_SET), 2, "SEEK_SET");
    check_eq(wali_lseek(fd, 3, SEEK_CUR), 5, "SEEK_CUR forward");
    check_eq(wali_lseek(fd, -1, SEEK_CUR), 4, "SEEK_CUR backward");
    check_eq(wali_lseek(fd, -2, SEEK_END), 8, "SEEK_END backward");
    check_eq(wali_lseek(fd, 0, SEEK_END), 10, "SEEK_END");
    check_eq(wali_lseek(fd, -1, SEEK_SET), -EINVAL, "negative SEEK_SET");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 10, "a failed lseek keeps the offset");
    check_eq(wali_lseek(fd, -11, SEEK_CUR), -EINVAL, "SEEK_CUR before 0");
    check_eq(wali_lseek(fd, -11, SEEK_END), -EINVAL, "SEEK_END before 0");
    check_eq(wali_lseek(fd, 0, 5), -EINVAL, "unknown whence");
    check_eq(wali_lseek(fd, 0, -1), -EINVAL, "negative whence");
    check_eq(wali_lseek(fd, 0x7fffffffffffffffLL, SEEK_SET), 0x7fffffffffffffffLL,
             "seek to the largest offset");
    check_eq(wali_lseek(fd, 1, SEEK_CUR), -EINVAL, "SEEK_CUR overflow");
    check_eq(wali_lseek(999, 0, SEEK_SET), -EBADF, "lseek on a closed fd");
    /* Seeking past EOF then writing leaves a hole. */
    check_eq(wali_lseek(fd, 15, SEEK_SET), 15, "seek past EOF");
    check_eq(size_of(fd), 10, "seeking does not change the size");
    check_eq(wali_read(fd, buf, 1), 0, "read past EOF");
    check_eq(wali_write(fd, "!", 1), 1, "write past EOF");
    check_eq(wali_pread64(fd, buf, 6, 10), 6, "read the hole");
    check(all_zero(buf, 5) && buf[5] == '!', "hole is zeros");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_lseek(dfd, 0, SEEK_SET), 0, "directories can be rewound");
    check_eq(wali_lseek(dfd, 0, SEEK_CUR), 0, "and asked for their position");
    check_eq(wali_lseek(dfd, -1, SEEK_SET), -EINVAL, "negative directory offset");
    return 0;
}
'''


async def test_lseek_whence_and_einval(make_warden, build_c):
    r = await run_guest(make_warden, build_c(LSEEK_C, name="io_rw_lseek.c"))
    assert r.exit_code == 0, r.stderr


SPARSE_C = PRELUDE + r'''
#define K64 65536
static char big[K64];
int main(int argc, char **argv) {
    char buf[16];
    int fd = (int)wali_open("/tmp/sparse", O_CREAT | O_RDWR, 0644);
    for (int i = 0; i < K64; i++) big[i] = 'd';
    /* data [0, 64K), hole [64K, 1M), data [1M, 1M+64K), hole to 2M = EOF */
    check_eq(wali_pwrite64(fd, big, K64, 0), K64, "first extent");
    check_eq(wali_pwrite64(fd, big, K64, 16 * K64), K64, "second extent");
    check_eq(wali_ftruncate(fd, 32 * K64), 0, "extend with ftruncate");
    check_eq(size_of(fd), 32 * K64, "size");
    check_eq(wali_lseek(fd, 0, SEEK_DATA), 0, "SEEK_DATA at data");
    check_eq(wali_lseek(fd, 0, SEEK_HOLE), K64, "first hole");
    check_eq(wali_lseek(fd, K64, SEEK_DATA), 16 * K64, "next data");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 16 * K64, "SEEK_DATA moves the offset");
    check_eq(wali_lseek(fd, 16 * K64 + 5, SEEK_HOLE), 17 * K64, "hole after the second extent");
    check_eq(wali_lseek(fd, 17 * K64, SEEK_DATA), -ENXIO, "no data after the last extent");
    check_eq(wali_lseek(fd, 32 * K64, SEEK_DATA), -ENXIO, "SEEK_DATA at EOF");
    check_eq(wali_lseek(fd, 32 * K64, SEEK_HOLE), -ENXIO, "SEEK_HOLE at EOF");
    check_eq(wali_lseek(fd, -1, SEEK_DATA), -ENXIO, "SEEK_DATA negative");
    check_eq(wali_lseek(fd, 40 * K64, SEEK_HOLE), -ENXIO, "SEEK_HOLE past EOF");
    check_eq(wali_pread64(fd, buf, 16, 5 * K64), 16, "read inside the hole");
    check(all_zero(buf, 16), "holes read as zeros");
    check_eq(wali_pread64(fd, buf, 16, 32 * K64 - 16), 16, "read the extended tail");
    check(all_zero(buf, 16), "ftruncate-extended tail reads as zeros");

    /* Shrinking then growing must not resurrect old data. */
    int g = (int)wali_open("/tmp/g", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(g, "abcdefgh", 8), 8, "write");
    check_eq(wali_ftruncate(g, 3), 0, "shrink");
    check_eq(wali_ftruncate(g, 8), 0, "grow");
    check_eq(wali_pread64(g, buf, 8, 0), 8, "read");
    check(memcmp(buf, "abc", 3) == 0 && all_zero(buf + 3, 5), "bytes past the old cut are zero");
    check_eq(wali_ftruncate(g, 0), 0, "shrink to 0");
    check_eq(wali_lseek(g, 0, SEEK_CUR), 8, "ftruncate does not move the offset");
    check_eq(wali_write(g, "z", 1), 1, "write at the old offset");
    check_eq(size_of(g), 9, "size");
    check_eq(wali_pread64(g, buf, 9, 0), 9, "read");
    check(all_zero(buf, 8) && buf[8] == 'z', "the gap is zeros");
    return 0;
}
'''


async def test_sparse_files_seek_data_hole_and_zero_holes(make_warden, build_c):
    r = await run_guest(make_warden, build_c(SPARSE_C, name="io_rw_sparse.c"))
    assert r.exit_code == 0, r.stderr


DEV_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[64];
    wali_stat_t st;
    int n = (int)wali_open("/dev/null", O_RDWR, 0);
    check(n >= 0, "open /dev/null");
    check_eq(wali_write(n, "data", 4), 4, "/dev/null swallows writes");
    check_eq(wali_read(n, buf, sizeof buf), 0, "/dev/null reads EOF");
    check_eq(wali_lseek(n, 100, SEEK_SET), 0, "lseek on /dev/null returns 0");
    check_eq(wali_fstat(n, &st), 0, "fstat /dev/null");
    check_eq(st.st_mode & S_IFMT, S_IFCHR, "character device");
    check_eq(st.st_rdev, (1 << 8) | 3, "rdev 1:3");
    check_eq(wali_ioctl(n, 0x5401, buf), -ENOTTY, "TCGETS on /dev/null");
    check_eq(wali_fsync(n), -EINVAL, "fsync on /dev/null");
    int z = (int)wali_open("/dev/zero", O_RDONLY, 0);
    for (int i = 0; i < 64; i++) buf[i] = 'x';
    check_eq(wali_read(z, buf, sizeof buf), 64, "/dev/zero fills the buffer");
    check(all_zero(buf, 64), "with zeros");
    check_eq(wali_pread64(z, buf, 8, 12345), 8, "pread on /dev/zero");
    int u = (int)wali_open("/dev/urandom", O_RDONLY, 0);
    char r1[32], r2[32];
    check_eq(wali_read(u, r1, 32), 32, "/dev/urandom read");
    check_eq(wali_read(u, r2, 32), 32, "/dev/urandom read again");
    check(memcmp(r1, r2, 32) != 0, "two reads differ");
    int f = (int)wali_open("/dev/full", O_WRONLY, 0);
    check_eq(wali_write(f, "x", 1), -ENOSPC, "/dev/full is full");
    check_eq(wali_stat("/dev/zero", &st), 0, "stat /dev/zero");
    check_eq(st.st_rdev, (1 << 8) | 5, "rdev 1:5");
    check_eq(wali_stat("/dev/urandom", &st), 0, "stat /dev/urandom");
    check_eq(st.st_rdev, (1 << 8) | 9, "rdev 1:9");
    check_eq(wali_open("/dev/nonexistent", O_RDONLY, 0), -ENOENT, "missing device");
    return 0;
}
'''


async def test_dev_null_zero_urandom_full(make_warden, build_c):
    r = await run_guest(make_warden, build_c(DEV_C, name="io_rw_dev.c"), uid=1000)
    assert r.exit_code == 0, r.stderr


NATIVE = {"DEV_C": {"uid": 1000}}
