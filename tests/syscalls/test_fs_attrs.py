"""Attributes: chmod family, chown family, utimensat, truncate/ftruncate, fsync/fdatasync/sync.

Expected values are Linux's (fs/open.c chmod_common/chown_common/do_sys_truncate,
fs/utimes.c, fs/attr.c setattr_prepare); the guests also run natively on Linux.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(fchmodat2) int64_t wali_fchmodat2(int32_t dirfd, void *path, uint32_t mode, int32_t flags);
WALI_IMPORT(lchown) int64_t wali_lchown(void *path, uint32_t uid, uint32_t gid);
WALI_IMPORT(syncfs) int64_t wali_syncfs(int32_t fd);
WALI_IMPORT(sync) int64_t wali_sync(void);
#endif
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
WALI_MAIN
static int mkfile(const char *p, uint32_t mode) {
    int fd = (int)wali_open((void *)p, O_CREAT | O_WRONLY, mode);
    if (fd < 0) return fd;
    wali_write(fd, "0123456789", 10);
    wali_close(fd);
    return 0;
}
static wali_stat_t st;
static int64_t mode_of(const char *p) {
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_mode;
}
static int64_t uid_of(const char *p) {
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_uid;
}
static int64_t gid_of(const char *p) {
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_gid;
}
static int64_t size_of(const char *p) {
    int64_t r = wali_stat((void *)p, &st);
    return r < 0 ? r : st.st_size;
}
'''




def prepare_root_files(h) -> None:
    """/tmp/rootfile (0666) and /tmp/rootro (0644), owned by root, made from Python."""
    fs = h.w.vfs.rootfs
    tmp = fs.lookup(fs.root(), b"tmp")
    fs.write(fs.create(tmp, b"rootfile", 0o100666, 0, 0), 0, b"0123456789")
    fs.write(fs.create(tmp, b"rootro", 0o100644, 0, 0), 0, b"0123456789")


CHMOD_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(mkfile("/tmp/f", 0644), 0, "file");
    check_eq(wali_chmod("/tmp/f", 0600), 0, "chmod");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0600, "mode changed");
    check_eq(wali_chmod("/tmp/f", 0107777), 0, "chmod ignores file-type bits");
    check_eq(mode_of("/tmp/f"), S_IFREG | 07777, "all permission bits");
    check_eq(wali_symlink("f", "/tmp/l"), 0, "symlink");
    check_eq(wali_chmod("/tmp/l", 0640), 0, "chmod through a symlink");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0640, "changed the target");
    check_eq(mode_of("/tmp/l"), S_IFLNK | 0777, "not the link");
    int fd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_fchmod(fd, 0604), 0, "fchmod on a read-only fd");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0604, "fchmod changed it");
    check_eq(wali_fchmod(99, 0604), -EBADF, "fchmod of a closed fd");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_fchmodat(dfd, "f", 0600, 0), 0, "fchmodat relative");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0600, "fchmodat changed it");
    check_eq(wali_fchmodat2(AT_FDCWD, "/tmp/l", 0644, AT_SYMLINK_NOFOLLOW), -EOPNOTSUPP,
             "fchmodat2 AT_SYMLINK_NOFOLLOW on a symlink");
    check_eq(wali_fchmodat2(AT_FDCWD, "/tmp/f", 0644, AT_SYMLINK_NOFOLLOW), 0,
             "fchmodat2 AT_SYMLINK_NOFOLLOW on a file");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0644, "changed");
    check_eq(wali_fchmodat2(AT_FDCWD, "/tmp/f", 0644, 0x2), -EINVAL, "fchmodat2 unknown flag");
    check_eq(wali_fchmodat2(fd, "", 0600, AT_EMPTY_PATH), 0, "fchmodat2 AT_EMPTY_PATH");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0600, "changed by fd");
    check_eq(wali_chmod("/tmp/missing", 0600), -ENOENT, "missing");
    check_eq(wali_chmod("/tmp/f/x", 0600), -ENOTDIR, "through a file");
    wali_stat_t before;
    check_eq(wali_stat("/tmp/f", &before), 0, "stat");
    wali_timespec_t ts[2] = {{1000, 0}, {2000, 0}};
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", ts, 0), 0, "set old times");
    check_eq(wali_chmod("/tmp/f", 0644), 0, "chmod");
    check_eq(wali_stat("/tmp/f", &before), 0, "stat");
    check_eq(before.st_mtim.tv_sec, 2000, "chmod leaves mtime alone");
    check(before.st_ctim.tv_sec > 2000, "chmod updates ctime");
    return 0;
}
'''


async def test_chmod_fchmod_fchmodat(make_warden, build_c):
    r = await run_guest(make_warden, build_c(CHMOD_C, name="fs_attrs_chmod.c"))
    assert r.exit_code == 0, r.stderr


CHMOD_USER_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(wali_chmod("/tmp/rootfile", 0600), -EPERM, "chmod of another user's file");
    check_eq(mkfile("/tmp/mine", 0644), 0, "own file");
    check_eq(wali_chmod("/tmp/mine", 02755), 0, "setgid on a file in our group");
    check_eq(mode_of("/tmp/mine"), S_IFREG | 02755, "kept");
    check_eq(wali_chown("/tmp/mine", (uint32_t)-1, 1000), 0, "chgrp to our own group is fine");
    check_eq(wali_chown("/tmp/mine", (uint32_t)-1, 0), -EPERM, "chgrp to a group we are not in");
    check_eq(wali_chown("/tmp/mine", 0, (uint32_t)-1), -EPERM, "give the file away");
    check_eq(wali_chown("/tmp/mine", 1000, 1000), 0, "a no-op chown by the owner");
    check_eq(wali_chown("/tmp/rootfile", 1000, (uint32_t)-1), -EPERM, "take someone's file");
    check_eq(wali_chown("/tmp/rootfile", (uint32_t)-1, (uint32_t)-1), 0,
             "chown(-1, -1) changes nothing and needs no ownership");
    check_eq(wali_chmod("/tmp/mine", 04755), 0, "setuid on our own file");
    check_eq(wali_chown("/tmp/mine", (uint32_t)-1, 1000), 0, "chgrp by the owner");
    check_eq(mode_of("/tmp/mine"), S_IFREG | 0755, "clears the setuid bit");
    return 0;
}
'''


async def test_chmod_chown_rules_for_an_unprivileged_cage(make_warden, build_c):
    wasm = build_c(CHMOD_USER_C, name="fs_attrs_chmod_user.c")
    async with make_warden(uid=1000, gid=1000) as h:
        prepare_root_files(h)
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


CHOWN_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(mkfile("/tmp/f", 0644), 0, "file");
    check_eq(wali_chown("/tmp/f", 5, 6), 0, "chown");
    check(uid_of("/tmp/f") == 5 && gid_of("/tmp/f") == 6, "owner and group set");
    check_eq(wali_chown("/tmp/f", (uint32_t)-1, 7), 0, "-1 keeps the owner");
    check(uid_of("/tmp/f") == 5 && gid_of("/tmp/f") == 7, "group changed only");
    check_eq(wali_chown("/tmp/f", 8, (uint32_t)-1), 0, "-1 keeps the group");
    check(uid_of("/tmp/f") == 8 && gid_of("/tmp/f") == 7, "owner changed only");
    check_eq(wali_symlink("f", "/tmp/l"), 0, "symlink");
    check_eq(wali_chown("/tmp/l", 9, 9), 0, "chown follows symlinks");
    check(uid_of("/tmp/f") == 9 && uid_of("/tmp/l") == 0, "the target changed");
    check_eq(wali_lchown("/tmp/l", 3, 3), 0, "lchown");
    check(uid_of("/tmp/l") == 3 && uid_of("/tmp/f") == 9, "the link changed");
    check_eq(wali_fchownat(AT_FDCWD, "/tmp/l", 4, 4, AT_SYMLINK_NOFOLLOW), 0, "fchownat NOFOLLOW");
    check_eq(uid_of("/tmp/l"), 4, "the link");
    int fd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_fchown(fd, 10, 10), 0, "fchown");
    check_eq(uid_of("/tmp/f"), 10, "by fd");
    check_eq(wali_fchownat(fd, "", 11, 11, AT_EMPTY_PATH), 0, "fchownat AT_EMPTY_PATH");
    check_eq(uid_of("/tmp/f"), 11, "by fd");
    check_eq(wali_fchownat(AT_FDCWD, "/tmp/f", 1, 1, 0x2), -EINVAL, "unknown flag");
    check_eq(wali_fchown(99, 1, 1), -EBADF, "closed fd");
    check_eq(wali_chown("/tmp/missing", 1, 1), -ENOENT, "missing");
    /* A change of owner clears set-id bits (setgid only when group-executable). */
    check_eq(wali_chmod("/tmp/f", 06755), 0, "set-id bits");
    check_eq(wali_chown("/tmp/f", 12, (uint32_t)-1), 0, "chown");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0755, "both cleared");
    check_eq(wali_chmod("/tmp/f", 06745), 0, "setgid without group x");
    check_eq(wali_chown("/tmp/f", 13, (uint32_t)-1), 0, "chown");
    check_eq(mode_of("/tmp/f"), S_IFREG | 02745, "setgid kept (mandatory locking marker)");
    check_eq(wali_chmod("/tmp/f", 06755), 0, "set-id bits again");
    check_eq(wali_chown("/tmp/f", (uint32_t)-1, (uint32_t)-1), 0, "chown(-1, -1)");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0755, "even a no-op chown drops them");
    check_eq(wali_mkdir("/tmp/d", 02755), 0, "mkdir");
    check_eq(mode_of("/tmp/d"), S_IFDIR | 0755, "mkdir ignores a setgid bit in its mode");
    check_eq(wali_chmod("/tmp/d", 02755), 0, "setgid directory");
    check_eq(wali_chown("/tmp/d", 14, 14), 0, "chown a directory");
    check_eq(mode_of("/tmp/d"), S_IFDIR | 02755, "directories keep setgid");
    return 0;
}
'''


async def test_chown_lchown_fchown_fchownat(make_warden, build_c):
    r = await run_guest(make_warden, build_c(CHOWN_C, name="fs_attrs_chown.c"))
    assert r.exit_code == 0, r.stderr


UTIMENS_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_timespec_t ts[2];
    wali_timespec_t now;
    check_eq(mkfile("/tmp/f", 0644), 0, "file");
    ts[0].tv_sec = 1000; ts[0].tv_nsec = 5;
    ts[1].tv_sec = 2000; ts[1].tv_nsec = 999999999;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", ts, 0), 0, "explicit times");
    check_eq(wali_stat("/tmp/f", &st), 0, "stat");
    check(st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 5, "atime");
    check(st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 999999999, "mtime");
    ts[0].tv_nsec = UTIME_OMIT; ts[1].tv_sec = 3000; ts[1].tv_nsec = 0;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", ts, 0), 0, "omit atime");
    check_eq(wali_stat("/tmp/f", &st), 0, "stat");
    check(st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec == 3000, "atime kept, mtime set");
    check_eq(wali_clock_gettime(CLOCK_REALTIME, &now), 0, "now");
    ts[0].tv_nsec = UTIME_NOW; ts[1].tv_nsec = UTIME_OMIT;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", ts, 0), 0, "UTIME_NOW");
    check_eq(wali_stat("/tmp/f", &st), 0, "stat");
    check(st.st_atim.tv_sec >= now.tv_sec && st.st_atim.tv_sec <= now.tv_sec + 5, "atime is now");
    check_eq(st.st_mtim.tv_sec, 3000, "mtime omitted");
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", 0, 0), 0, "NULL times: both now");
    check_eq(wali_stat("/tmp/f", &st), 0, "stat");
    check(st.st_mtim.tv_sec >= now.tv_sec, "mtime is now");
    ts[0].tv_nsec = 1000000000; ts[1].tv_nsec = 0;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", ts, 0), -EINVAL, "nsec out of range");
    ts[0].tv_nsec = -1;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", ts, 0), -EINVAL, "negative nsec");
    ts[0].tv_nsec = UTIME_OMIT; ts[1].tv_nsec = UTIME_OMIT;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/missing", ts, 0), 0,
             "both UTIME_OMIT: nothing to do, the path is not even looked up");
    ts[0].tv_nsec = 0;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/missing", ts, 0), -ENOENT, "missing");
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", ts, 0x2), -EINVAL, "unknown flag");
    check_eq(wali_symlink("f", "/tmp/l"), 0, "symlink");
    ts[0].tv_sec = 111; ts[0].tv_nsec = 0; ts[1].tv_sec = 222; ts[1].tv_nsec = 0;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/l", ts, AT_SYMLINK_NOFOLLOW), 0, "on the link itself");
    check_eq(wali_lstat("/tmp/l", &st), 0, "lstat");
    check_eq(st.st_mtim.tv_sec, 222, "link mtime");
    check_eq(wali_stat("/tmp/f", &st), 0, "stat");
    check(st.st_mtim.tv_sec != 222, "target untouched");
    int fd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_utimensat(fd, 0, ts, 0), 0, "NULL path: the fd itself (futimens)");
    check_eq(wali_fstat(fd, &st), 0, "fstat");
    check_eq(st.st_mtim.tv_sec, 222, "set through the fd");
    check_eq(wali_utimensat(AT_FDCWD, 0, ts, 0), -EFAULT, "NULL path with AT_FDCWD");
    check_eq(wali_utimensat(99, 0, ts, 0), -EBADF, "NULL path with a closed fd");
    int p = (int)wali_open("/tmp/f", O_PATH, 0);
    check_eq(wali_utimensat(p, 0, ts, 0), -EBADF, "futimens on O_PATH");
    check_eq(wali_utimensat(p, "", ts, AT_EMPTY_PATH), 0, "AT_EMPTY_PATH on O_PATH is fine");
    /* Writes update mtime and ctime. */
    ts[0].tv_sec = 5; ts[1].tv_sec = 5;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/f", ts, 0), 0, "old times");
    int w = (int)wali_open("/tmp/f", O_WRONLY, 0);
    check_eq(wali_write(w, "x", 1), 1, "write");
    check_eq(wali_fstat(w, &st), 0, "fstat");
    check(st.st_mtim.tv_sec >= now.tv_sec, "write updates mtime");
    check(st.st_ctim.tv_sec >= now.tv_sec, "and ctime");
    return 0;
}
'''


async def test_utimensat(make_warden, build_c):
    r = await run_guest(make_warden, build_c(UTIMENS_C, name="fs_attrs_utimensat.c"))
    assert r.exit_code == 0, r.stderr


UTIMENS_USER_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_timespec_t ts[2] = {{100, 0}, {100, 0}};
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/rootfile", ts, 0), -EPERM, "explicit times need ownership");
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/rootfile", 0, 0), 0, "now needs only write permission");
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/rootro", 0, 0), -EACCES, "without write permission");
    ts[0].tv_nsec = UTIME_NOW; ts[1].tv_nsec = UTIME_NOW;
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/rootfile", ts, 0), 0, "both UTIME_NOW is like NULL");
    check_eq(wali_utimensat(AT_FDCWD, "/tmp/rootro", ts, 0), -EACCES, "both UTIME_NOW, no write permission");
    check_eq(wali_truncate("/tmp/rootro", 0), -EACCES, "truncate needs write permission");
    check_eq(wali_truncate("/tmp/rootfile", 3), 0, "truncate with write permission");
    check_eq(size_of("/tmp/rootfile"), 3, "truncated");
    return 0;
}
'''


async def test_utimensat_and_truncate_permissions_for_an_unprivileged_cage(make_warden, build_c):
    wasm = build_c(UTIMENS_USER_C, name="fs_attrs_utimensat_user.c")
    async with make_warden(uid=1000, gid=1000) as h:
        prepare_root_files(h)
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


TRUNCATE_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[16];
    check_eq(mkfile("/tmp/f", 0644), 0, "file");
    check_eq(wali_truncate("/tmp/f", 4), 0, "shrink");
    check_eq(size_of("/tmp/f"), 4, "size 4");
    check_eq(wali_truncate("/tmp/f", 8), 0, "grow");
    int fd = (int)wali_open("/tmp/f", O_RDWR, 0);
    check_eq(wali_read(fd, buf, 16), 8, "read");
    check(memcmp(buf, "0123\0\0\0\0", 8) == 0, "zero-filled growth");
    check_eq(wali_truncate("/tmp/f", -1), -EINVAL, "negative length");
    check_eq(wali_truncate("/tmp/missing", -1), -EINVAL, "negative length is checked first");
    check_eq(wali_truncate("/tmp", 0), -EISDIR, "directory");
    check_eq(wali_truncate("/tmp/missing", 0), -ENOENT, "missing");
    check_eq(wali_truncate("/dev/null", 0), -EINVAL, "a character device");
    check_eq(wali_symlink("f", "/tmp/l"), 0, "symlink");
    check_eq(wali_truncate("/tmp/l", 2), 0, "through a symlink");
    check_eq(size_of("/tmp/f"), 2, "target truncated");
    check_eq(wali_ftruncate(fd, 6), 0, "ftruncate");
    check_eq(size_of("/tmp/f"), 6, "size 6");
    check_eq(wali_ftruncate(fd, -1), -EINVAL, "ftruncate negative");
    int ro = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_ftruncate(ro, 0), -EINVAL, "ftruncate on a read-only fd is EINVAL");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_ftruncate(dfd, 0), -EINVAL, "ftruncate on a directory");
    check_eq(wali_ftruncate(99, 0), -EBADF, "ftruncate on a closed fd");
    check_eq(wali_ftruncate(99, -1), -EINVAL, "negative length before the fd");

    check_eq(wali_fsync(fd), 0, "fsync");
    check_eq(wali_fdatasync(fd), 0, "fdatasync");
    check_eq(wali_fsync(dfd), 0, "fsync a directory");
    check_eq(wali_fsync(99), -EBADF, "fsync a closed fd");
    check_eq(wali_fdatasync(99), -EBADF, "fdatasync a closed fd");
    check_eq(wali_syncfs(fd), 0, "syncfs");
    check_eq(wali_syncfs(99), -EBADF, "syncfs a closed fd");
    check_eq(wali_sync(), 0, "sync");
    return 0;
}
'''


async def test_truncate_ftruncate_and_fsync(make_warden, build_c):
    r = await run_guest(make_warden, build_c(TRUNCATE_C, name="fs_attrs_truncate.c"))
    assert r.exit_code == 0, r.stderr


_ROOT_FILES = ("printf 0123456789 > /tmp/rootfile && chmod 666 /tmp/rootfile && "
               "printf 0123456789 > /tmp/rootro && chmod 644 /tmp/rootro")
NATIVE = {
    "CHMOD_USER_C": {"uid": 1000, "pre": _ROOT_FILES},
    "UTIMENS_USER_C": {"uid": 1000, "pre": _ROOT_FILES},
}
