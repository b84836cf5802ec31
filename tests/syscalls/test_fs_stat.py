"""stat/lstat/fstat/newfstatat/statx, access/faccessat/faccessat2 and statfs/fstatfs.

Expected values are Linux's (fs/stat.c, fs/open.c do_faccessat, fs/statfs.c);
the guests also run natively on Linux through syscall shims.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
WALI_MAIN
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC 0x4000
#define STATX_BASIC_STATS 0x7ff
#define STATX__RESERVED 0x80000000u
typedef struct { int64_t tv_sec; uint32_t tv_nsec; int32_t pad; } sx_ts;
typedef struct {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad1;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    sx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
} sx_t;
_Static_assert(sizeof(sx_t) == 256, "statx size");
typedef struct {
    int64_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags, f_spare[4];
} sfs_t;
_Static_assert(sizeof(sfs_t) == 120, "statfs size");
static int mkfile(const char *p, const char *data, uint32_t mode) {
    int fd = (int)wali_open((void *)p, O_CREAT | O_WRONLY | O_TRUNC, mode);
    if (fd < 0) return fd;
    wali_write(fd, (void *)data, (uint32_t)strlen(data));
    wali_close(fd);
    return 0;
}
'''




STAT_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t st, st2;
    wali_umask(022);
    check_eq(mkfile("/tmp/f", "hello", 0640), 0, "create");
    check_eq(wali_stat("/tmp/f", &st), 0, "stat");
    check_eq(st.st_mode, S_IFREG | 0640, "mode");
    check_eq(st.st_size, 5, "size");
    check_eq(st.st_nlink, 1, "nlink");
    check_eq(st.st_uid, 0, "uid of the creator");
    check_eq(st.st_gid, 0, "gid of the creator");
    check(st.st_blksize > 0, "blksize");
    int fd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_fstat(fd, &st2), 0, "fstat");
    check(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev, "stat and fstat name the same inode");
    check_eq(wali_fstat(999, &st2), -EBADF, "fstat of a closed fd");
    check_eq(wali_fstat(-1, &st2), -EBADF, "fstat(-1)");

    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    check_eq(wali_stat("/tmp/d", &st), 0, "stat dir");
    check_eq(st.st_mode, S_IFDIR | 0755, "dir mode");
    check_eq(st.st_nlink, 2, "an empty directory has 2 links");
    check_eq(wali_mkdir("/tmp/d/sub", 0755), 0, "mkdir sub");
    check_eq(wali_stat("/tmp/d", &st), 0, "stat dir");
    check_eq(st.st_nlink, 3, "a subdirectory adds a link");
    check_eq(wali_stat("/tmp/d/sub/..", &st2), 0, "stat sub/..");
    check(st2.st_ino == st.st_ino, "sub/.. is d");

    check_eq(wali_symlink("f", "/tmp/l"), 0, "symlink");
    check_eq(wali_lstat("/tmp/l", &st), 0, "lstat");
    check_eq(st.st_mode & S_IFMT, S_IFLNK, "lstat sees the link");
    check_eq(st.st_size, 1, "a symlink's size is its target's length");
    check_eq(wali_stat("/tmp/l", &st), 0, "stat follows");
    check_eq(st.st_mode & S_IFMT, S_IFREG, "stat sees the file");
    check_eq(wali_symlink("/tmp/none", "/tmp/dangling"), 0, "dangling symlink");
    check_eq(wali_stat("/tmp/dangling", &st), -ENOENT, "stat of a dangling link");
    check_eq(wali_lstat("/tmp/dangling", &st), 0, "lstat of a dangling link");
    check_eq(wali_lstat("/tmp/l/", &st), -ENOTDIR, "lstat with a trailing slash follows, then ENOTDIR");
    check_eq(wali_stat("/tmp/missing", &st), -ENOENT, "stat of a missing file");
    check_eq(wali_stat("", &st), -ENOENT, "stat of an empty path");

    /* link counts follow link/unlink; an open unlinked file has nlink 0. */
    check_eq(wali_link("/tmp/f", "/tmp/f2"), 0, "link");
    check_eq(wali_fstat(fd, &st), 0, "fstat");
    check_eq(st.st_nlink, 2, "two names");
    check_eq(wali_unlink("/tmp/f"), 0, "unlink");
    check_eq(wali_unlink("/tmp/f2"), 0, "unlink");
    check_eq(wali_fstat(fd, &st), 0, "fstat of an unlinked open file");
    check_eq(st.st_nlink, 0, "no names left");
    check_eq(st.st_size, 5, "data still there");
    return 0;
}
'''


async def test_stat_lstat_fstat(make_warden, build_c):
    r = await run_guest(make_warden, build_c(STAT_C, name="fs_stat_basic.c"))
    assert r.exit_code == 0, r.stderr


FSTATAT_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t st, ref;
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    check_eq(mkfile("/tmp/d/f", "abc", 0644), 0, "create");
    check_eq(wali_symlink("f", "/tmp/d/l"), 0, "symlink");
    int dfd = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    int ffd = (int)wali_open("/tmp/d/f", O_RDONLY, 0);
    check_eq(wali_newfstatat(dfd, "f", &st, 0), 0, "relative to dirfd");
    check_eq(st.st_size, 3, "found the file");
    check_eq(wali_newfstatat(dfd, "l", &st, 0), 0, "follows by default");
    check_eq(st.st_mode & S_IFMT, S_IFREG, "followed");
    check_eq(wali_newfstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW), 0, "AT_SYMLINK_NOFOLLOW");
    check_eq(st.st_mode & S_IFMT, S_IFLNK, "the link itself");
    check_eq(wali_newfstatat(ffd, "", &st, AT_EMPTY_PATH), 0, "AT_EMPTY_PATH on a file fd");
    check_eq(st.st_size, 3, "stats the fd");
    check_eq(wali_newfstatat(ffd, "", &st, 0), -ENOENT, "empty path without AT_EMPTY_PATH");
    check_eq(wali_newfstatat(ffd, "x", &st, 0), -ENOTDIR, "a file as dirfd");
    check_eq(wali_newfstatat(ffd, "/tmp/d/f", &st, 0), 0, "absolute path ignores dirfd");
    check_eq(wali_newfstatat(999, "f", &st, 0), -EBADF, "closed dirfd");
    check_eq(wali_newfstatat(dfd, "f", &st, 0x8000), -EINVAL, "unknown flag");
    check_eq(wali_chdir("/tmp/d"), 0, "chdir");
    check_eq(wali_stat("/tmp/d", &ref), 0, "stat cwd");
    check_eq(wali_newfstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH), 0, "AT_FDCWD + AT_EMPTY_PATH");
    check(st.st_ino == ref.st_ino, "is the cwd");
    check_eq(wali_newfstatat(AT_FDCWD, "f", &st, 0), 0, "AT_FDCWD relative");
    return 0;
}
'''


async def test_newfstatat_dirfd_and_flags(make_warden, build_c):
    r = await run_guest(make_warden, build_c(FSTATAT_C, name="fs_stat_fstatat.c"))
    assert r.exit_code == 0, r.stderr


STATX_C = PRELUDE + r'''
int main(int argc, char **argv) {
    sx_t sx;
    wali_stat_t st;
    check_eq(mkfile("/tmp/f", "12345678", 0604), 0, "create");
    check_eq(wali_symlink("f", "/tmp/l"), 0, "symlink");
    check_eq(wali_stat("/tmp/f", &st), 0, "stat");
    memset(&sx, 0xff, sizeof sx);
    check_eq(wali_statx(AT_FDCWD, "/tmp/f", 0, STATX_BASIC_STATS, &sx), 0, "statx");
    check_eq(sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS, "basic stats reported");
    check_eq(sx.stx_mode, S_IFREG | 0604, "mode");
    check_eq(sx.stx_size, 8, "size");
    check_eq(sx.stx_nlink, 1, "nlink");
    check_eq(sx.stx_ino, st.st_ino, "ino agrees with stat");
    check_eq(sx.stx_uid, 0, "uid");
    check_eq(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec, "mtime seconds agree");
    check_eq(sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec, "mtime nanoseconds agree");
    check(sx.stx_mtime.tv_nsec < 1000000000u, "nsec in range");
    check_eq(wali_statx(AT_FDCWD, "/tmp/l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx), 0,
             "statx nofollow");
    check_eq(sx.stx_mode & S_IFMT, S_IFLNK, "the link");
    check_eq(wali_statx(AT_FDCWD, "/tmp/l", 0, STATX_BASIC_STATS, &sx), 0, "statx follows");
    check_eq(sx.stx_mode & S_IFMT, S_IFREG, "the file");
    int fd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx), 0, "AT_EMPTY_PATH");
    check_eq(sx.stx_size, 8, "the fd's file");
    check_eq(wali_statx(fd, "", 0, STATX_BASIC_STATS, &sx), -ENOENT, "empty path without AT_EMPTY_PATH");
    check_eq(wali_statx(AT_FDCWD, "/tmp/f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx),
             -EINVAL, "both sync types");
    check_eq(wali_statx(AT_FDCWD, "/tmp/f", 0, STATX__RESERVED, &sx), -EINVAL, "STATX__RESERVED");
    check_eq(wali_statx(AT_FDCWD, "/tmp/f", 0x80, STATX_BASIC_STATS, &sx), -EINVAL, "unknown flag");
    check_eq(wali_statx(AT_FDCWD, "/tmp/missing", 0, STATX_BASIC_STATS, &sx), -ENOENT, "missing");
    check_eq(wali_statx(AT_FDCWD, "/tmp/f", AT_STATX_DONT_SYNC, 0, &sx), 0, "mask 0 is allowed");
    check_eq(wali_statx(AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS, &sx), 0, "statx /dev/null");
    check_eq(sx.stx_rdev_major, 1, "rdev major");
    check_eq(sx.stx_rdev_minor, 3, "rdev minor");
    return 0;
}
'''


async def test_statx(make_warden, build_c):
    r = await run_guest(make_warden, build_c(STATX_C, name="fs_stat_statx.c"))
    assert r.exit_code == 0, r.stderr


ACCESS_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(mkfile("/root/secret", "s", 0600), 0, "root-only file");
    check_eq(mkfile("/tmp/plain", "p", 0644), 0, "plain file");
    check_eq(mkfile("/tmp/exe", "e", 0100), 0, "owner-executable file");
    check_eq(wali_access("/tmp/plain", F_OK), 0, "F_OK");
    check_eq(wali_access("/tmp/plain", R_OK | W_OK), 0, "root may read and write");
    check_eq(wali_access("/tmp/plain", X_OK), -EACCES, "root may not execute a file without x bits");
    check_eq(wali_access("/tmp/exe", X_OK), 0, "one x bit is enough for root");
    check_eq(wali_access("/tmp", X_OK), 0, "directories are searchable by root");
    check_eq(wali_access("/tmp/missing", F_OK), -ENOENT, "missing");
    check_eq(wali_access("/tmp/plain", 8), -EINVAL, "unknown mode bit");
    check_eq(wali_access("/tmp/plain/x", F_OK), -ENOTDIR, "through a file");
    check_eq(wali_symlink("/tmp/none", "/tmp/dangling"), 0, "symlink");
    check_eq(wali_faccessat2(AT_FDCWD, "/tmp/dangling", F_OK, 0), -ENOENT, "follows by default");
    check_eq(wali_faccessat2(AT_FDCWD, "/tmp/dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0, "AT_SYMLINK_NOFOLLOW");
    check_eq(wali_faccessat2(AT_FDCWD, "/tmp/plain", F_OK, 0x8000), -EINVAL, "unknown flag");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    int ffd = (int)wali_open("/tmp/plain", O_RDONLY, 0);
    check_eq(wali_faccessat(dfd, "plain", R_OK, 0), 0, "faccessat relative to dirfd");
    check_eq(wali_faccessat(ffd, "x", R_OK, 0), -ENOTDIR, "faccessat with a file dirfd");
    check_eq(wali_faccessat(999, "plain", R_OK, 0), -EBADF, "faccessat with a closed dirfd");
    check_eq(wali_faccessat2(ffd, "", R_OK, AT_EMPTY_PATH), 0, "faccessat2 AT_EMPTY_PATH");
    check_eq(wali_faccessat2(ffd, "", R_OK, 0), -ENOENT, "empty path without AT_EMPTY_PATH");

    /* Real vs effective ids: access() uses the real uid, AT_EACCESS the effective one. */
    check_eq(wali_setresuid(1000, 0, 0), 0, "real 1000, effective 0");
    check_eq(wali_access("/root/secret", R_OK), -EACCES, "access checks the real uid");
    check_eq(wali_faccessat2(AT_FDCWD, "/root/secret", R_OK, AT_EACCESS), 0, "AT_EACCESS the effective uid");
    check_eq(wali_access("/tmp/plain", R_OK), 0, "other bits allow reading");
    check_eq(wali_access("/tmp/plain", W_OK), -EACCES, "but not writing");
    check_eq(wali_setresuid(0, 1000, 0), 0, "real 0, effective 1000");
    check_eq(wali_access("/root/secret", R_OK), 0, "real root may");
    check_eq(wali_faccessat2(AT_FDCWD, "/root/secret", R_OK, AT_EACCESS), -EACCES, "effective 1000 may not");
    check_eq(wali_faccessat2(AT_FDCWD, "/root/secret", F_OK, AT_EACCESS), -EACCES,
             "cannot even search /root with the effective uid");
    return 0;
}
'''


async def test_access_real_and_effective_ids(make_warden, build_c):
    r = await run_guest(make_warden, build_c(ACCESS_C, name="fs_stat_access.c"))
    assert r.exit_code == 0, r.stderr


STATFS_C = PRELUDE + r'''
int main(int argc, char **argv) {
    sfs_t s;
    check_eq(wali_statfs("/tmp", &s), 0, "statfs /tmp");
    check_eq(s.f_type, 0x01021994, "tmpfs magic");
    check_eq(s.f_namelen, 255, "NAME_MAX");
    check(s.f_bsize > 0 && s.f_blocks >= s.f_bfree, "sizes");
    check_eq(s.f_flags & 1, 0, "not read-only");
    check_eq(wali_statfs("/proc", &s), 0, "statfs /proc");
    check_eq(s.f_type, 0x9fa0, "proc magic");
    int fd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_fstatfs(fd, &s), 0, "fstatfs");
    check_eq(s.f_type, 0x01021994, "fstatfs magic");
    int p = (int)wali_open("/proc", O_PATH, 0);
    check_eq(wali_fstatfs(p, &s), 0, "fstatfs works on O_PATH");
    check_eq(s.f_type, 0x9fa0, "O_PATH proc magic");
    check_eq(wali_statfs("/tmp/missing", &s), -ENOENT, "missing");
    check_eq(wali_fstatfs(999, &s), -EBADF, "closed fd");
    return 0;
}
'''


async def test_statfs_and_fstatfs(make_warden, build_c):
    r = await run_guest(make_warden, build_c(STATFS_C, name="fs_stat_statfs.c"))
    assert r.exit_code == 0, r.stderr
