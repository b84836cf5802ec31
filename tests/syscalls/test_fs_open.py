"""open(2), openat(2), creat(2): flags, creation modes and their errno paths.

Each guest packs many checks (one worker per test); the expected values are
Linux's (fs/open.c, fs/namei.c), and the guests also build natively against
Linux headers-free syscall shims so they can be checked on a real kernel.
Cages run as root unless a test says otherwise (the kernel's default uid is the
host user's, so tests pin it).
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(creat) int64_t wali_creat(void *path, uint32_t mode);
#endif
#define O_TMPFILE_ONLY 020000000
WALI_MAIN
static int64_t mode_of(const char *p) {
    wali_stat_t st;
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_mode;
}
static int64_t size_of(int fd) {
    wali_stat_t st;
    int64_t r = wali_fstat(fd, &st);
    return r < 0 ? r : st.st_size;
}
'''




CREATE_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(wali_umask(022), 022, "default umask is 022");
    int fd = (int)wali_open("/tmp/a", O_CREAT | O_RDWR, 0666);
    check(fd >= 0, "O_CREAT creates");
    check_eq(mode_of("/tmp/a"), S_IFREG | 0644, "mode is 0666 & ~umask");
    check_eq(wali_write(fd, "hello", 5), 5, "write");
    check_eq(wali_close(fd), 0, "close");

    check_eq(wali_open("/tmp/a", O_CREAT | O_EXCL | O_RDWR, 0600), -EEXIST, "O_EXCL on an existing file");
    check_eq(wali_symlink("/tmp/nowhere", "/tmp/dangling"), 0, "symlink");
    check_eq(wali_open("/tmp/dangling", O_CREAT | O_EXCL | O_WRONLY, 0600), -EEXIST,
             "O_EXCL on a dangling symlink does not follow it");
    check_eq(mode_of("/tmp/nowhere"), -ENOENT, "...and creates nothing");

    /* O_CREAT without O_EXCL opens the existing file and keeps its data. */
    fd = (int)wali_open("/tmp/a", O_CREAT | O_RDONLY, 0600);
    check(fd >= 0, "O_CREAT on an existing file opens it");
    check_eq(size_of(fd), 5, "data kept");
    check_eq(mode_of("/tmp/a"), S_IFREG | 0644, "mode of an existing file unchanged");
    wali_close(fd);

    /* O_CREAT through a dangling symlink creates its target (Linux). */
    fd = (int)wali_open("/tmp/dangling", O_CREAT | O_WRONLY, 0640);
    check(fd >= 0, "O_CREAT follows a dangling symlink");
    check_eq(mode_of("/tmp/nowhere"), S_IFREG | 0640, "the target was created");
    wali_close(fd);

    /* O_TRUNC empties; with O_RDONLY too (Linux truncates regardless of the access mode). */
    fd = (int)wali_open("/tmp/a", O_RDWR | O_TRUNC, 0);
    check_eq(size_of(fd), 0, "O_TRUNC|O_RDWR truncates");
    check_eq(wali_write(fd, "abc", 3), 3, "refill");
    wali_close(fd);
    fd = (int)wali_open("/tmp/a", O_RDONLY | O_TRUNC, 0);
    check(fd >= 0, "O_TRUNC|O_RDONLY opens");
    check_eq(size_of(fd), 0, "O_TRUNC|O_RDONLY truncates too");
    wali_close(fd);

    /* umask applies to the creation mode only. */
    wali_umask(0);
    fd = (int)wali_open("/tmp/b", O_CREAT | O_WRONLY, 0777);
    check_eq(mode_of("/tmp/b"), S_IFREG | 0777, "umask 0 keeps every bit");
    wali_close(fd);
    wali_umask(0777);
    fd = (int)wali_open("/tmp/c", O_CREAT | O_RDWR, 0666);
    check(fd >= 0, "a file created with mode 0 can still be opened read-write by its creator");
    check_eq(mode_of("/tmp/c"), S_IFREG | 0, "umask 0777 clears every bit");
    check_eq(wali_write(fd, "x", 1), 1, "write to the new mode-0 file");
    wali_close(fd);
    check_eq(wali_umask(022), 0777, "umask returns the previous mask");
    fd = (int)wali_open("/tmp/d", O_CREAT | O_WRONLY, 07777);
    check_eq(mode_of("/tmp/d"), S_IFREG | 07755, "set-id and sticky bits survive (root, umask 022)");
    wali_close(fd);

    check_eq(wali_open("/tmp/missing", O_RDONLY, 0), -ENOENT, "no O_CREAT: ENOENT");
    check_eq(wali_open("/tmp/nodir/x", O_CREAT | O_WRONLY, 0600), -ENOENT, "O_CREAT in a missing directory");
    check_eq(wali_open("", O_RDONLY, 0), -ENOENT, "empty path");
    check_eq(wali_open("", O_CREAT | O_WRONLY, 0600), -ENOENT, "empty path with O_CREAT");
    return 0;
}
'''


async def test_open_creat_excl_trunc_and_umask(make_warden, build_c):
    r = await run_guest(make_warden, build_c(CREATE_C, name="fs_open_create.c"))
    assert r.exit_code == 0, r.stderr


APPEND_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[32];
    int fd = (int)wali_open("/tmp/log", O_CREAT | O_WRONLY | O_APPEND, 0644);
    check_eq(wali_write(fd, "one", 3), 3, "first append");
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "seek back to 0");
    check_eq(wali_write(fd, "two", 3), 3, "second append");
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 6, "offset is at the end after an O_APPEND write");
    /* Linux quirk: pwrite on an O_APPEND descriptor appends, ignoring the offset. */
    check_eq(wali_pwrite64(fd, "3", 1, 0), 1, "pwrite");
    int rd = (int)wali_open("/tmp/log", O_RDONLY, 0);
    check_eq(wali_read(rd, buf, sizeof buf), 7, "length");
    check(memcmp(buf, "onetwo3", 7) == 0, "content is onetwo3");
    /* Two descriptions appending both land at the end. */
    int fd2 = (int)wali_open("/tmp/log", O_WRONLY | O_APPEND, 0);
    check_eq(wali_write(fd2, "4", 1), 1, "append through a second description");
    check_eq(wali_write(fd, "5", 1), 1, "append through the first again");
    check_eq(wali_pread64(rd, buf, sizeof buf, 0), 9, "length after both");
    check(memcmp(buf, "onetwo345", 9) == 0, "no data overwritten");
    /* F_SETFL can turn O_APPEND off and on. */
    check_eq(wali_fcntl(fd2, F_SETFL, 0), 0, "clear O_APPEND");
    check_eq(wali_lseek(fd2, 0, SEEK_SET), 0, "seek");
    check_eq(wali_write(fd2, "O", 1), 1, "overwrite at 0");
    check_eq(wali_pread64(rd, buf, 1, 0), 1, "read back");
    check_eq(buf[0], 'O', "overwritten without O_APPEND");
    check_eq(wali_fcntl(fd2, F_SETFL, O_APPEND), 0, "set O_APPEND");
    check(wali_fcntl(fd2, F_GETFL, 0) & O_APPEND, "F_GETFL shows O_APPEND");
    check_eq(wali_write(fd2, "6", 1), 1, "append again");
    check_eq(size_of(rd), 10, "appended at the end");
    return 0;
}
'''


async def test_open_append_writes_at_end(make_warden, build_c):
    r = await run_guest(make_warden, build_c(APPEND_C, name="fs_open_append.c"))
    assert r.exit_code == 0, r.stderr


DIRECTORY_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[8];
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    int fd = (int)wali_open("/tmp/f", O_CREAT | O_WRONLY, 0644);
    wali_close(fd);

    fd = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    check(fd >= 0, "O_DIRECTORY on a directory");
    check_eq(wali_read(fd, buf, sizeof buf), -EISDIR, "read(2) of a directory");
    check_eq(wali_write(fd, buf, 1), -EBADF, "write to a read-only directory fd");
    wali_close(fd);
    check_eq(wali_open("/tmp/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR, "O_DIRECTORY on a file");
    check_eq(wali_open("/tmp/d", O_WRONLY, 0), -EISDIR, "directory for writing");
    check_eq(wali_open("/tmp/d", O_RDWR, 0), -EISDIR, "directory read-write");
    check_eq(wali_open("/tmp/d", O_CREAT | O_RDONLY, 0644), -EISDIR, "O_CREAT on an existing directory");
    check_eq(wali_open("/tmp/d/", O_CREAT | O_RDONLY, 0644), -EISDIR, "O_CREAT with a trailing slash");
    check_eq(wali_open("/tmp/new/", O_CREAT | O_WRONLY, 0644), -EISDIR, "O_CREAT of a new name/");
    check_eq(mode_of("/tmp/new"), -ENOENT, "...creates nothing");
    check_eq(wali_open("/tmp/d/.", O_CREAT | O_RDONLY, 0644), -EISDIR, "O_CREAT on dir/.");
    check_eq(wali_open("/tmp/new2", O_CREAT | O_DIRECTORY | O_RDONLY, 0644), -EINVAL,
             "O_CREAT|O_DIRECTORY is EINVAL (Linux >= 6.4)");
    check_eq(mode_of("/tmp/new2"), -ENOENT, "...and creates nothing");
    check_eq(wali_open("/tmp/d", O_RDONLY | O_TRUNC, 0), -EISDIR, "O_TRUNC on a directory");
    check_eq(wali_open("/tmp/f/", O_RDONLY, 0), -ENOTDIR, "trailing slash on a file");
    check_eq(wali_open("/tmp/f/.", O_RDONLY, 0), -ENOTDIR, "file/. ");
    check_eq(wali_open("/tmp/f/x", O_RDONLY, 0), -ENOTDIR, "a file used as a directory");
    fd = (int)wali_open("/tmp/d/", O_RDONLY, 0);
    check(fd >= 0, "trailing slash on a directory is fine");
    wali_close(fd);
    fd = (int)wali_open("/tmp/d/.", O_RDONLY | O_DIRECTORY, 0);
    check(fd >= 0, "dir/. opens the directory");
    wali_close(fd);
    return 0;
}
'''


async def test_open_directory_rules(make_warden, build_c):
    r = await run_guest(make_warden, build_c(DIRECTORY_C, name="fs_open_directory.c"))
    assert r.exit_code == 0, r.stderr


NOFOLLOW_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t st;
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    int fd = (int)wali_open("/tmp/d/f", O_CREAT | O_WRONLY, 0644);
    check_eq(wali_write(fd, "data", 4), 4, "write");
    wali_close(fd);
    check_eq(wali_symlink("f", "/tmp/d/lf"), 0, "symlink to file");
    check_eq(wali_symlink("/tmp/d", "/tmp/ld"), 0, "symlink to dir");

    check_eq(wali_open("/tmp/d/lf", O_RDONLY | O_NOFOLLOW, 0), -ELOOP, "O_NOFOLLOW on a final symlink");
    check_eq(wali_open("/tmp/d/lf", O_CREAT | O_WRONLY | O_NOFOLLOW, 0644), -ELOOP,
             "O_CREAT|O_NOFOLLOW on a symlink");
    fd = (int)wali_open("/tmp/ld/f", O_RDONLY | O_NOFOLLOW, 0);
    check(fd >= 0, "O_NOFOLLOW only concerns the last component");
    wali_close(fd);
    fd = (int)wali_open("/tmp/d/lf", O_RDONLY, 0);
    check(fd >= 0, "symlinks are followed by default");
    check_eq(size_of(fd), 4, "through the link we see the file");
    wali_close(fd);
    check_eq(wali_open("/tmp/ld", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0), -ENOTDIR,
             "O_DIRECTORY|O_NOFOLLOW on a symlink to a directory");
    fd = (int)wali_open("/tmp/ld/", O_RDONLY | O_NOFOLLOW, 0);
    check(fd >= 0, "a trailing slash follows the link even with O_NOFOLLOW");
    wali_close(fd);

    /* O_PATH|O_NOFOLLOW opens the link itself. */
    fd = (int)wali_open("/tmp/d/lf", O_PATH | O_NOFOLLOW, 0);
    check(fd >= 0, "O_PATH|O_NOFOLLOW on a symlink");
    check_eq(wali_fstat(fd, &st), 0, "fstat");
    check_eq(st.st_mode & S_IFMT, S_IFLNK, "the fd is the symlink");
    char buf[16];
    check_eq(wali_readlinkat(fd, "", buf, sizeof buf), 1, "readlinkat(fd, \"\") reads it");
    wali_close(fd);
    return 0;
}
'''


async def test_open_nofollow_and_symlinks(make_warden, build_c):
    r = await run_guest(make_warden, build_c(NOFOLLOW_C, name="fs_open_nofollow.c"))
    assert r.exit_code == 0, r.stderr


PATH_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[8];
    wali_stat_t st;
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    int f = (int)wali_open("/tmp/d/f", O_CREAT | O_RDWR, 0644);
    check_eq(wali_write(f, "abc", 3), 3, "write");
    wali_close(f);

    int p = (int)wali_open("/tmp/d/f", O_PATH | O_RDWR | O_CREAT | O_TRUNC, 0);
    check(p >= 0, "O_PATH ignores other flags");
    check_eq(size_of(p), 3, "...including O_TRUNC");
    check_eq(wali_read(p, buf, 1), -EBADF, "read on O_PATH");
    check_eq(wali_write(p, "x", 1), -EBADF, "write on O_PATH");
    check_eq(wali_pread64(p, buf, 1, 0), -EBADF, "pread on O_PATH");
    check_eq(wali_lseek(p, 0, SEEK_SET), -EBADF, "lseek on O_PATH");
    check_eq(wali_fstat(p, &st), 0, "fstat on O_PATH works");
    check_eq(st.st_size, 3, "fstat sees the file");
    check_eq(wali_fcntl(p, F_GETFL, 0) & (O_PATH | O_ACCMODE), O_PATH, "F_GETFL shows O_PATH");
    check_eq(wali_fcntl(p, F_SETFL, O_APPEND), -EBADF, "F_SETFL on O_PATH");
    check_eq(wali_fcntl(p, F_GETFD, 0), 0, "F_GETFD works");
    check_eq(wali_ioctl(p, 0x5401, buf), -EBADF, "ioctl on O_PATH");
    check_eq(wali_ftruncate(p, 0), -EBADF, "ftruncate on O_PATH");
    check_eq(wali_fchmod(p, 0600), -EBADF, "fchmod on O_PATH");
    check_eq(wali_fchown(p, 0, 0), -EBADF, "fchown on O_PATH");
    check_eq(wali_fsync(p), -EBADF, "fsync on O_PATH");
    check_eq(wali_flock(p, 2), -EBADF, "flock on O_PATH");
    int d2 = (int)wali_dup(p);
    check(d2 >= 0, "dup of O_PATH");
    wali_close(d2);
    check_eq(wali_newfstatat(p, "", &st, AT_EMPTY_PATH), 0, "fstatat AT_EMPTY_PATH on O_PATH");
    check_eq(wali_close(p), 0, "close O_PATH");

    check_eq(wali_open("/tmp/d/f", O_PATH | O_DIRECTORY, 0), -ENOTDIR, "O_PATH|O_DIRECTORY on a file");
    check_eq(wali_open("/tmp/d/f/", O_PATH, 0), -ENOTDIR, "O_PATH with a trailing slash on a file");
    check_eq(wali_open("/tmp/d/missing", O_PATH | O_CREAT, 0644), -ENOENT, "O_PATH never creates");

    int dp = (int)wali_open("/tmp/d", O_PATH | O_DIRECTORY, 0);
    check(dp >= 0, "O_PATH on a directory");
    int g = (int)wali_openat(dp, "f", O_RDONLY, 0);
    check(g >= 0, "an O_PATH directory works as dirfd");
    check_eq(wali_read(g, buf, 3), 3, "read through it");
    wali_close(g);
    char dents[256];
    check_eq(wali_getdents64(dp, dents, sizeof dents), -EBADF, "getdents on O_PATH");
    check_eq(wali_fchdir(dp), 0, "fchdir to an O_PATH directory");
    char cwd[64];
    check_eq(wali_getcwd(cwd, sizeof cwd), 7, "getcwd length");
    check(streq(cwd, "/tmp/d"), "cwd is /tmp/d");
    return 0;
}
'''


async def test_open_o_path(make_warden, build_c):
    r = await run_guest(make_warden, build_c(PATH_C, name="fs_open_path.c"))
    assert r.exit_code == 0, r.stderr


CLOEXEC_C = PRELUDE + r'''
int main(int argc, char **argv) {
    int a = (int)wali_open("/tmp/x", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    int b = (int)wali_open("/tmp/x", O_RDWR, 0);
    check(a >= 0 && b >= 0, "open");
    check_eq(wali_fcntl(a, F_GETFD, 0), FD_CLOEXEC, "O_CLOEXEC sets FD_CLOEXEC");
    check_eq(wali_fcntl(b, F_GETFD, 0), 0, "without O_CLOEXEC it is clear");
    check_eq(wali_fcntl(a, F_GETFL, 0) & O_CLOEXEC, 0, "O_CLOEXEC is not a status flag");
    int c = (int)wali_openat(AT_FDCWD, "/tmp/x", O_RDONLY | O_CLOEXEC, 0);
    check_eq(wali_fcntl(c, F_GETFD, 0), FD_CLOEXEC, "openat honours O_CLOEXEC");
    return 0;
}
'''


async def test_open_cloexec_sets_fd_flag(make_warden, build_c):
    r = await run_guest(make_warden, build_c(CLOEXEC_C, name="fs_open_cloexec.c"))
    assert r.exit_code == 0, r.stderr


CREAT_OPENAT_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[8];
    int fd = (int)wali_creat("/tmp/c", 0640);
    check(fd >= 0, "creat creates");
    check_eq(mode_of("/tmp/c"), S_IFREG | 0640, "creat mode");
    check_eq(wali_fcntl(fd, F_GETFL, 0) & O_ACCMODE, O_WRONLY, "creat opens write-only");
    check_eq(wali_read(fd, buf, 1), -EBADF, "not readable");
    check_eq(wali_write(fd, "abcd", 4), 4, "write");
    wali_close(fd);
    fd = (int)wali_creat("/tmp/c", 0600);
    check_eq(size_of(fd), 0, "creat truncates an existing file");
    check_eq(mode_of("/tmp/c"), S_IFREG | 0640, "and keeps its mode");
    wali_close(fd);
    check_eq(wali_creat("/tmp/nodir/c", 0600), -ENOENT, "creat in a missing directory");
    check_eq(wali_creat("/tmp", 0600), -EISDIR, "creat on a directory");

    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    int dfd = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    fd = (int)wali_openat(dfd, "rel", O_CREAT | O_WRONLY, 0600);
    check(fd >= 0, "openat relative to a directory fd");
    wali_close(fd);
    check_eq(mode_of("/tmp/d/rel"), S_IFREG | 0600, "created inside the directory");
    int ffd = (int)wali_open("/tmp/c", O_RDONLY, 0);
    check_eq(wali_openat(ffd, "rel", O_RDONLY, 0), -ENOTDIR, "openat with a file as dirfd");
    check_eq(wali_openat(999, "rel", O_RDONLY, 0), -EBADF, "openat with a closed dirfd");
    check_eq(wali_openat(-1, "rel", O_RDONLY, 0), -EBADF, "openat with dirfd -1");
    fd = (int)wali_openat(999, "/tmp/c", O_RDONLY, 0);
    check(fd >= 0, "an absolute path ignores dirfd, even a bad one");
    wali_close(fd);
    check_eq(wali_chdir("/tmp/d"), 0, "chdir");
    fd = (int)wali_openat(AT_FDCWD, "rel", O_RDONLY, 0);
    check(fd >= 0, "AT_FDCWD is the working directory");
    wali_close(fd);
    fd = (int)wali_open("../c", O_RDONLY, 0);
    check(fd >= 0, "open with .. relative to cwd");
    wali_close(fd);
    return 0;
}
'''


async def test_creat_and_openat(make_warden, build_c):
    r = await run_guest(make_warden, build_c(CREAT_OPENAT_C, name="fs_open_creat_openat.c"))
    assert r.exit_code == 0, r.stderr


TMPFILE_C = PRELUDE + r'''
static int count_entries(const char *dir) {
    char buf[1024];
    int fd = (int)wali_open((void *)dir, O_RDONLY | O_DIRECTORY, 0);
    int n = 0;
    for (;;) {
        int64_t got = wali_getdents64(fd, buf, sizeof buf);
        if (got <= 0) break;
        for (int64_t off = 0; off < got;) {
            uint16_t reclen = *(uint16_t *)(buf + off + 16);
            n++;
            off += reclen;
        }
    }
    wali_close(fd);
    return n;
}
int main(int argc, char **argv) {
    wali_stat_t st;
    char buf[8];
    check_eq(wali_mkdir("/tmp/t", 0755), 0, "mkdir");
    int fd = (int)wali_open("/tmp/t", O_TMPFILE | O_RDWR, 0600);
    check(fd >= 0, "O_TMPFILE in a directory");
    check_eq(wali_fstat(fd, &st), 0, "fstat");
    check_eq(st.st_nlink, 0, "no name");
    check_eq(st.st_mode, S_IFREG | 0600, "regular file with the mode");
    check_eq(count_entries("/tmp/t"), 2, "invisible in the directory");
    check_eq(wali_write(fd, "tmp", 3), 3, "write");
    check_eq(wali_pread64(fd, buf, 3, 0), 3, "read back");
    check_eq(wali_linkat(fd, "", AT_FDCWD, "/tmp/t/named", AT_EMPTY_PATH), 0, "linkat gives it a name");
    check_eq(mode_of("/tmp/t/named"), S_IFREG | 0600, "now visible");
    check_eq(wali_fstat(fd, &st), 0, "fstat");
    check_eq(st.st_nlink, 1, "one name");
    wali_close(fd);

    fd = (int)wali_open("/tmp/t", O_TMPFILE | O_WRONLY | O_EXCL, 0600);
    check(fd >= 0, "O_TMPFILE|O_EXCL");
    check_eq(wali_linkat(fd, "", AT_FDCWD, "/tmp/t/never", AT_EMPTY_PATH), -ENOENT,
             "O_EXCL makes it unlinkable");
    wali_close(fd);

    check_eq(wali_open("/tmp/t", O_TMPFILE | O_RDONLY, 0600), -EINVAL, "O_TMPFILE needs write access");
    check_eq(wali_open("/tmp/t", O_TMPFILE_ONLY | O_RDWR, 0600), -EINVAL, "__O_TMPFILE without O_DIRECTORY");
    check_eq(wali_open("/tmp/t", O_TMPFILE | O_CREAT | O_RDWR, 0600), -EINVAL, "O_TMPFILE|O_CREAT");
    check_eq(wali_open("/tmp/nodir", O_TMPFILE | O_RDWR, 0600), -ENOENT, "O_TMPFILE in a missing directory");
    check_eq(wali_open("/tmp/t/named", O_TMPFILE | O_RDWR, 0600), -ENOTDIR, "O_TMPFILE on a file");
    return 0;
}
'''


async def test_open_tmpfile(make_warden, build_c):
    r = await run_guest(make_warden, build_c(TMPFILE_C, name="fs_open_tmpfile.c"))
    assert r.exit_code == 0, r.stderr


PERM_C = PRELUDE + r'''
int main(int argc, char **argv) {
    int fd = (int)wali_open("/tmp/ro", O_CREAT | O_WRONLY, 0444);
    check(fd >= 0, "the creator gets its fd even for a read-only mode");
    check_eq(wali_write(fd, "x", 1), 1, "and may write through it");
    wali_close(fd);
    check_eq(wali_open("/tmp/ro", O_WRONLY, 0), -EACCES, "no write permission");
    check_eq(wali_open("/tmp/ro", O_RDONLY | O_TRUNC, 0), -EACCES, "O_TRUNC needs write permission");
    fd = (int)wali_open("/tmp/ro", O_RDONLY, 0);
    check(fd >= 0, "read permission");
    wali_close(fd);
    fd = (int)wali_open("/tmp/wo", O_CREAT | O_WRONLY, 0200);
    wali_close(fd);
    check_eq(wali_open("/tmp/wo", O_RDONLY, 0), -EACCES, "no read permission");
    check_eq(wali_open("/tmp/wo", O_RDWR, 0), -EACCES, "read-write needs both");
    fd = (int)wali_open("/tmp/wo", O_PATH, 0);
    check(fd >= 0, "O_PATH needs no permission on the file");
    wali_close(fd);
    check_eq(wali_open("/root/x", O_CREAT | O_WRONLY, 0600), -EACCES,
             "create in a directory we cannot search");
    check_eq(wali_mkdir("/tmp/sealed", 0555), 0, "mkdir r-x");
    check_eq(wali_open("/tmp/sealed/x", O_CREAT | O_WRONLY, 0600), -EACCES,
             "create without write permission");
    check_eq(wali_open("/tmp/sealed/x", O_RDONLY, 0), -ENOENT, "plain lookup is fine");
    check_eq(wali_open("/etc", O_CREAT | O_RDONLY, 0600), -EISDIR, "O_CREAT on a root-owned directory");
    return 0;
}
'''


async def test_open_permissions_for_an_unprivileged_cage(make_warden, build_c):
    r = await run_guest(make_warden, build_c(PERM_C, name="fs_open_perm.c"), uid=1000)
    assert r.exit_code == 0, r.stderr


NATIVE = {"PERM_C": {"uid": 1000}}
