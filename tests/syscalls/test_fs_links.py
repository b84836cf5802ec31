"""symlink/symlinkat, readlink/readlinkat, link/linkat, and the /proc/self links.

Expected values are Linux's (fs/namei.c, fs/stat.c do_readlinkat); the guests
also run natively on Linux.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
WALI_MAIN
static int mkfile(const char *p) {
    int fd = (int)wali_open((void *)p, O_CREAT | O_WRONLY, 0644);
    if (fd < 0) return fd;
    wali_close(fd);
    return 0;
}
static int64_t lmode(const char *p) {
    wali_stat_t st;
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_mode;
}
static wali_stat_t st_;
static int64_t ino_of(const char *p) {
    int64_t r = wali_stat((void *)p, &st_);
    return r < 0 ? r : (int64_t)st_.st_ino;
}
static int64_t nlink_of(const char *p) {
    int64_t r = wali_lstat((void *)p, &st_);
    return r < 0 ? r : (int64_t)st_.st_nlink;
}
/* readlink into a NUL-terminated buffer; returns the result of readlink. */
static int64_t rl(const char *p, char *buf, int size) {
    int64_t n = wali_readlink((void *)p, buf, (uint32_t)size);
    if (n >= 0 && n < size) buf[n] = 0;
    return n;
}
'''




SYMLINK_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[64];
    check_eq(mkfile("/tmp/f"), 0, "file");
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "dir");
    check_eq(wali_symlink("f", "/tmp/rel"), 0, "relative symlink");
    check_eq(wali_symlink("/tmp/d/../f", "/tmp/abs"), 0, "absolute symlink");
    check_eq(wali_symlink("does/not/exist/", "/tmp/dangling"), 0, "a target need not exist");
    check_eq(lmode("/tmp/rel"), S_IFLNK | 0777, "symlinks are 0777");
    check_eq(rl("/tmp/rel", buf, sizeof buf), 1, "readlink length");
    check(streq(buf, "f"), "target");
    check_eq(rl("/tmp/abs", buf, sizeof buf), 11, "stored verbatim");
    check(streq(buf, "/tmp/d/../f"), "not normalised");
    check_eq(rl("/tmp/dangling", buf, sizeof buf), 15, "dangling target");
    check(streq(buf, "does/not/exist/"), "trailing slash kept");
    check_eq(ino_of("/tmp/abs"), ino_of("/tmp/f"), "resolves to the file");

    /* readlink writes no NUL and truncates silently. */
    memset(buf, '#', sizeof buf);
    check_eq(wali_readlink("/tmp/abs", buf, 4), 4, "truncated to bufsiz");
    check(memcmp(buf, "/tmp#", 5) == 0, "no NUL, nothing past bufsiz");
    check_eq(wali_readlink("/tmp/abs", buf, 0), -EINVAL, "bufsiz 0");
    check_eq(wali_readlink("/tmp/f", buf, 64), -EINVAL, "not a symlink");
    check_eq(wali_readlink("/tmp/d", buf, 64), -EINVAL, "a directory is not a symlink");
    check_eq(wali_readlink("/tmp/missing", buf, 64), -ENOENT, "missing");
    check_eq(wali_readlink("", buf, 64), -ENOENT, "empty path");
    check_eq(wali_symlink("d", "/tmp/ld"), 0, "link to a dir");
    check_eq(wali_readlink("/tmp/ld/", buf, 64), -EINVAL, "a trailing slash resolves the link first");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_readlinkat(dfd, "rel", buf, 64), 1, "readlinkat relative to a dirfd");
    int lfd = (int)wali_open("/tmp/rel", O_PATH | O_NOFOLLOW, 0);
    check_eq(wali_readlinkat(lfd, "", buf, 64), 1, "readlinkat(O_PATH link fd, \"\")");
    int ffd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_readlinkat(ffd, "", buf, 64), -ENOENT, "empty path on a non-link fd");
    check_eq(wali_readlinkat(AT_FDCWD, "", buf, 64), -ENOENT, "empty path with AT_FDCWD");
    check_eq(wali_readlinkat(ffd, "x", buf, 64), -ENOTDIR, "file as dirfd");

    check_eq(wali_symlink("x", "/tmp/f"), -EEXIST, "over a file");
    check_eq(wali_symlink("x", "/tmp/d"), -EEXIST, "over a directory");
    check_eq(wali_symlink("x", "/tmp/dangling"), -EEXIST, "over a dangling symlink");
    check_eq(wali_symlink("x", "/tmp/d/."), -EEXIST, "named .");
    check_eq(wali_symlink("", "/tmp/empty"), -ENOENT, "empty target");
    check_eq(wali_symlink("x", "/tmp/missing/l"), -ENOENT, "missing directory");
    check_eq(wali_symlink("x", "/tmp/new/"), -ENOENT, "trailing slash on a new name");
    check_eq(wali_symlink("x", "/tmp/d/"), -EEXIST, "trailing slash on an existing dir");
    check_eq(wali_symlink("x", "/tmp/f/l"), -ENOTDIR, "through a file");
    check_eq(wali_symlinkat("f", dfd, "viaat"), 0, "symlinkat");
    check_eq(rl("/tmp/viaat", buf, sizeof buf), 1, "symlinkat made it in the dirfd");
    check_eq(wali_symlinkat("f", 999, "x"), -EBADF, "symlinkat with a closed dirfd");
    return 0;
}
'''


async def test_symlink_and_readlink(make_warden, build_c):
    r = await run_guest(make_warden, build_c(SYMLINK_C, name="fs_links_symlink.c"))
    assert r.exit_code == 0, r.stderr


LINK_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(mkfile("/tmp/f"), 0, "file");
    check_eq(wali_link("/tmp/f", "/tmp/g"), 0, "link");
    check_eq(ino_of("/tmp/g"), ino_of("/tmp/f"), "same inode");
    check_eq(nlink_of("/tmp/f"), 2, "two links");
    check_eq(wali_link("/tmp/f", "/tmp/g"), -EEXIST, "existing name");
    check_eq(wali_link("/tmp/missing", "/tmp/x"), -ENOENT, "missing source");
    check_eq(wali_link("/tmp/f", "/tmp/nodir/x"), -ENOENT, "missing target directory");
    check_eq(wali_link("/tmp/f", "/tmp/new/"), -ENOENT, "trailing slash on the new name");
    check_eq(wali_link("/tmp/f", "/tmp/g/"), -EEXIST, "existing name with a trailing slash");
    check_eq(wali_link("/tmp/f/", "/tmp/x"), -ENOTDIR, "trailing slash on a file source");
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "dir");
    check_eq(wali_link("/tmp/d", "/tmp/d2"), -EPERM, "hard links to directories");
    check_eq(wali_link("/tmp/f", "/dev/f"), -EXDEV, "across mounts");
    check_eq(wali_link("/tmp/f", "/tmp/d/."), -EEXIST, "new name .");

    /* link(2) does not follow a symlink source; linkat(AT_SYMLINK_FOLLOW) does. */
    check_eq(wali_symlink("f", "/tmp/s"), 0, "symlink");
    check_eq(wali_link("/tmp/s", "/tmp/s2"), 0, "link to a symlink");
    check_eq(lmode("/tmp/s2") & S_IFMT, S_IFLNK, "links the symlink itself");
    check_eq(wali_linkat(AT_FDCWD, "/tmp/s", AT_FDCWD, "/tmp/s3", AT_SYMLINK_FOLLOW), 0, "AT_SYMLINK_FOLLOW");
    check_eq(lmode("/tmp/s3") & S_IFMT, S_IFREG, "links the target");
    check_eq(nlink_of("/tmp/f"), 3, "three names for the file");
    check_eq(wali_linkat(AT_FDCWD, "/tmp/f", AT_FDCWD, "/tmp/x", 0x1), -EINVAL, "unknown flag");
    int dfd = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    int tfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_linkat(tfd, "f", dfd, "inside", 0), 0, "linkat with dirfds");
    check_eq(ino_of("/tmp/d/inside"), ino_of("/tmp/f"), "linked into d");
    int ffd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_linkat(ffd, "", AT_FDCWD, "/tmp/byfd", AT_EMPTY_PATH), 0, "linkat AT_EMPTY_PATH");
    check_eq(ino_of("/tmp/byfd"), ino_of("/tmp/f"), "linked by fd");
    check_eq(wali_linkat(ffd, "", AT_FDCWD, "/tmp/byfd2", 0), -ENOENT, "empty path without AT_EMPTY_PATH");
    check_eq(wali_linkat(999, "f", AT_FDCWD, "/tmp/z", 0), -EBADF, "closed old dirfd");
    /* Removing names. */
    check_eq(wali_unlink("/tmp/f"), 0, "unlink one name");
    check_eq(nlink_of("/tmp/g"), 4, "the others remain");
    return 0;
}
'''


async def test_link_and_linkat(make_warden, build_c):
    r = await run_guest(make_warden, build_c(LINK_C, name="fs_links_link.c"))
    assert r.exit_code == 0, r.stderr


PROC_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[256], want[64];
    check_eq(mkfile("/tmp/f"), 0, "file");
    int fd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check(fd >= 3, "fd");
    memcpy(want, "/proc/self/fd/", 14);
    want[14] = (char)('0' + fd);
    want[15] = 0;
    check_eq(rl(want, buf, sizeof buf), 6, "/proc/self/fd/N length");
    check(streq(buf, "/tmp/f"), "names the open file");
    check_eq(wali_unlink("/tmp/f"), 0, "unlink");
    check_eq(rl(want, buf, sizeof buf), 16, "length once unlinked");
    check(streq(buf, "/tmp/f (deleted)"), "shows (deleted)");
    int n = (int)wali_open("/dev/null", O_RDONLY, 0);
    want[14] = (char)('0' + n);
    check_eq(rl(want, buf, sizeof buf), 9, "/dev/null");
    check(streq(buf, "/dev/null"), "names /dev/null");
    check_eq(wali_mkdir("/tmp/dir", 0755), 0, "mkdir");
    check_eq(wali_chdir("/tmp/dir"), 0, "chdir");
    check_eq(rl("/proc/self/cwd", buf, sizeof buf), 8, "/proc/self/cwd");
    check(streq(buf, "/tmp/dir"), "the working directory");
    int64_t e = rl("/proc/self/exe", buf, sizeof buf);
    check(e > 0, "/proc/self/exe");
    check(streq(buf, argv[0]), "is the program");
    wali_stat_t st;
    check_eq(wali_lstat("/proc/self", &st), 0, "lstat /proc/self");
    check_eq(st.st_mode & S_IFMT, S_IFLNK, "/proc/self is a symlink");
    check_eq(wali_stat(want, &st), 0, "stat through /proc/self/fd/N");
    check_eq(st.st_mode & S_IFMT, S_IFCHR, "follows to the device");
    check_eq(wali_readlink("/proc/self/fd/999", buf, 64), -ENOENT, "a closed fd");
    return 0;
}
'''


async def test_proc_self_fd_cwd_and_exe(make_warden, build_c):
    wasm = build_c(PROC_C, name="fs_links_proc.c")
    async with make_warden(uid=0, gid=0) as h:
        r = await h.run(wasm, argv0=str(wasm))
    assert r.exit_code == 0, r.stderr


MAGIC_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[32], path[32];
    wali_stat_t a, b;
    int in = (int)wali_open("/dev/stdin", O_RDONLY, 0);
    check(in >= 0, "open /dev/stdin reopens fd 0");
    check_eq(wali_read(in, buf, sizeof buf), 5, "read the redirected input");
    check(memcmp(buf, "hello", 5) == 0, "content");
    check_eq(wali_fstat(in, &a), 0, "fstat");
    check_eq(wali_fstat(0, &b), 0, "fstat 0");
    check(a.st_ino == b.st_ino, "the same object as fd 0");
    int out = (int)wali_open("/proc/self/fd/1", O_WRONLY, 0);
    check(out >= 0, "open /proc/self/fd/1 for writing");

    check_eq(mkfile("/tmp/f"), 0, "file");
    int fd = (int)wali_open("/tmp/f", O_RDWR, 0);
    check_eq(wali_write(fd, "data", 4), 4, "write");
    check_eq(wali_unlink("/tmp/f"), 0, "unlink it");
    memcpy(path, "/proc/self/fd/", 14);
    path[14] = (char)('0' + fd);
    path[15] = 0;
    check_eq(wali_stat(path, &a), 0, "stat through the magic link");
    check_eq(wali_fstat(fd, &b), 0, "fstat");
    check(a.st_ino == b.st_ino && a.st_nlink == 0, "the unlinked file itself");
    int again = (int)wali_open(path, O_RDONLY, 0);
    check(again >= 0, "reopen an unlinked file through /proc/self/fd");
    check_eq(wali_read(again, buf, sizeof buf), 4, "a new description, at offset 0");
    check(memcmp(buf, "data", 4) == 0, "content");

    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    check_eq(mkfile("/tmp/d/g"), 0, "file");
    check_eq(wali_chdir("/tmp/d"), 0, "chdir");
    check_eq(wali_stat("/proc/self/cwd/g", &a), 0, "through /proc/self/cwd");
    check_eq(wali_stat("/tmp/d/g", &b), 0, "stat");
    check(a.st_ino == b.st_ino, "same file");
    check_eq(wali_stat("/proc/self/root", &a), 0, "/proc/self/root");
    check_eq(wali_stat("/", &b), 0, "/");
    check(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "is the root");
    return 0;
}
'''


async def test_proc_magic_links_reach_the_object(make_warden, build_c):
    async with make_warden(uid=0, gid=0) as h:
        r = await h.run(build_c(MAGIC_C, name="fs_links_magic.c"), stdin=b"hello")
    assert r.exit_code == 0, r.stderr


NATIVE = {"MAGIC_C": {"pre": "printf hello > /tmp/in && exec < /tmp/in && rm /tmp/in"}}
