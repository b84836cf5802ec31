"""Directories: getcwd/chdir/fchdir, mkdir/mkdirat, rmdir, unlink/unlinkat, getdents64.

Expected values are Linux's (fs/namei.c do_mkdirat/do_rmdir/do_unlinkat,
fs/d_path.c getcwd, fs/readdir.c); the guests also run natively on Linux.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
WALI_MAIN
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
static int mkfile(const char *p) {
    int fd = (int)wali_open((void *)p, O_CREAT | O_WRONLY, 0644);
    if (fd < 0) return fd;
    wali_close(fd);
    return 0;
}
static int64_t mode_of(const char *p) {
    wali_stat_t st;
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_mode;
}
typedef struct { uint64_t ino; int64_t off; uint16_t reclen; uint8_t type; char name[]; } dent_t;
'''




CWD_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[64];
    check_eq(wali_getcwd(buf, sizeof buf), 2, "getcwd returns the length with the NUL");
    check(streq(buf, "/"), "starts at /");
    check_eq(wali_mkdir("/tmp/abc", 0755), 0, "mkdir");
    check_eq(wali_chdir("/tmp/abc"), 0, "chdir");
    check_eq(wali_getcwd(buf, sizeof buf), 9, "length of /tmp/abc + NUL");
    check(streq(buf, "/tmp/abc"), "cwd");
    check_eq(wali_getcwd(buf, 9), 9, "exactly enough room");
    check_eq(wali_getcwd(buf, 8), -ERANGE, "one byte short");
    check_eq(wali_getcwd(buf, 1), -ERANGE, "size 1");
    check_eq(wali_getcwd(buf, 0), -ERANGE, "size 0");
    check_eq(wali_chdir(".."), 0, "chdir ..");
    check_eq(wali_getcwd(buf, sizeof buf), 5, "/tmp");
    check_eq(wali_chdir("../../../.."), 0, "chdir above / stays at /");
    check_eq(wali_getcwd(buf, sizeof buf), 2, "/");
    check_eq(wali_chdir("tmp/abc/"), 0, "relative chdir with a trailing slash");
    check_eq(wali_getcwd(buf, sizeof buf), 9, "/tmp/abc again");
    check_eq(wali_symlink("/tmp/abc", "/tmp/link"), 0, "symlink");
    check_eq(wali_chdir("/tmp/link"), 0, "chdir through a symlink");
    check_eq(wali_getcwd(buf, sizeof buf), 9, "getcwd shows the real path");
    check(streq(buf, "/tmp/abc"), "resolved");

    check_eq(mkfile("/tmp/file"), 0, "file");
    check_eq(wali_chdir("/tmp/missing"), -ENOENT, "chdir to a missing directory");
    check_eq(wali_chdir("/tmp/file"), -ENOTDIR, "chdir to a file");
    check_eq(wali_chdir(""), -ENOENT, "chdir to an empty path");
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    int ffd = (int)wali_open("/tmp/file", O_RDONLY, 0);
    check_eq(wali_fchdir(dfd), 0, "fchdir");
    check_eq(wali_getcwd(buf, sizeof buf), 5, "fchdir moved to /tmp");
    check_eq(wali_fchdir(ffd), -ENOTDIR, "fchdir to a file");
    check_eq(wali_fchdir(999), -EBADF, "fchdir to a closed fd");

    /* A removed working directory: getcwd fails with ENOENT, creating in it too. */
    check_eq(wali_mkdir("/tmp/gone", 0755), 0, "mkdir");
    check_eq(wali_chdir("/tmp/gone"), 0, "chdir");
    check_eq(wali_rmdir("/tmp/gone"), 0, "rmdir the cwd");
    check_eq(wali_getcwd(buf, sizeof buf), -ENOENT, "getcwd of a removed directory");
    check_eq(wali_open("new", O_CREAT | O_WRONLY, 0644), -ENOENT, "create in a removed directory");
    check_eq(wali_mkdir("sub", 0755), -ENOENT, "mkdir in a removed directory");
    check_eq(wali_chdir(".."), 0, "a removed directory's .. is still its old parent");
    check_eq(wali_getcwd(buf, sizeof buf), 5, "back in /tmp");
    return 0;
}
'''


async def test_getcwd_chdir_fchdir(make_warden, build_c):
    r = await run_guest(make_warden, build_c(CWD_C, name="fs_dirs_cwd.c"))
    assert r.exit_code == 0, r.stderr


MKDIR_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_umask(022);
    check_eq(wali_mkdir("/tmp/d", 0777), 0, "mkdir");
    check_eq(mode_of("/tmp/d"), S_IFDIR | 0755, "umask applies");
    check_eq(wali_mkdir("/tmp/sticky", 01777), 0, "mkdir with the sticky bit");
    check_eq(mode_of("/tmp/sticky"), S_IFDIR | 01755, "sticky bit kept");
    check_eq(wali_mkdir("/tmp/d", 0755), -EEXIST, "existing directory");
    check_eq(mkfile("/tmp/f"), 0, "file");
    check_eq(wali_mkdir("/tmp/f", 0755), -EEXIST, "existing file");
    check_eq(wali_symlink("/tmp/nowhere", "/tmp/dangling"), 0, "symlink");
    check_eq(wali_mkdir("/tmp/dangling", 0755), -EEXIST, "a dangling symlink is not followed");
    check_eq(mode_of("/tmp/nowhere"), -ENOENT, "...and nothing was made at its target");
    check_eq(wali_mkdir("/tmp/d/.", 0755), -EEXIST, "mkdir .");
    check_eq(wali_mkdir("/tmp/d/..", 0755), -EEXIST, "mkdir ..");
    check_eq(wali_mkdir("/", 0755), -EEXIST, "mkdir /");
    check_eq(wali_mkdir("/tmp/new/", 0755), 0, "a trailing slash is fine for mkdir");
    check_eq(mode_of("/tmp/new"), S_IFDIR | 0755, "created");
    check_eq(wali_mkdir("/tmp/missing/x", 0755), -ENOENT, "missing parent");
    check_eq(wali_mkdir("/tmp/f/x", 0755), -ENOTDIR, "parent is a file");
    check_eq(wali_mkdir("", 0755), -ENOENT, "empty path");
    int dfd = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_mkdirat(dfd, "sub", 0700), 0, "mkdirat");
    check_eq(mode_of("/tmp/d/sub"), S_IFDIR | 0700, "inside dirfd");
    int ffd = (int)wali_open("/tmp/f", O_RDONLY, 0);
    check_eq(wali_mkdirat(ffd, "sub", 0700), -ENOTDIR, "mkdirat with a file dirfd");
    check_eq(wali_mkdirat(999, "sub", 0700), -EBADF, "mkdirat with a closed dirfd");
    check_eq(wali_mkdirat(999, "/tmp/abs", 0700), 0, "absolute mkdirat ignores dirfd");
    /* setgid directories pass their group and the setgid bit down. */
    check_eq(wali_mkdir("/tmp/sg", 0755), 0, "mkdir");
    check_eq(wali_chown("/tmp/sg", 0, 42), 0, "chgrp 42");
    check_eq(wali_chmod("/tmp/sg", 02775), 0, "setgid");
    check_eq(wali_mkdir("/tmp/sg/child", 0755), 0, "mkdir in a setgid dir");
    wali_stat_t st;
    check_eq(wali_stat("/tmp/sg/child", &st), 0, "stat");
    check_eq(st.st_gid, 42, "inherits the group");
    check_eq(st.st_mode, S_IFDIR | 02755, "inherits setgid");
    check_eq(mkfile("/tmp/sg/file"), 0, "file in a setgid dir");
    check_eq(wali_stat("/tmp/sg/file", &st), 0, "stat");
    check_eq(st.st_gid, 42, "a file inherits the group");
    check_eq(st.st_mode & 02000, 0, "but not the setgid bit");
    return 0;
}
'''


async def test_mkdir_mkdirat(make_warden, build_c):
    r = await run_guest(make_warden, build_c(MKDIR_C, name="fs_dirs_mkdir.c"))
    assert r.exit_code == 0, r.stderr


RMDIR_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t st;
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    check_eq(wali_mkdir("/tmp/d/sub", 0755), 0, "mkdir sub");
    check_eq(mkfile("/tmp/f"), 0, "file");
    check_eq(wali_rmdir("/tmp/d"), -ENOTEMPTY, "non-empty");
    check_eq(wali_rmdir("/tmp/f"), -ENOTDIR, "rmdir of a file");
    check_eq(wali_rmdir("/tmp/missing"), -ENOENT, "missing");
    check_eq(wali_rmdir("/tmp/d/sub/."), -EINVAL, "rmdir of .");
    check_eq(wali_rmdir("."), -EINVAL, "rmdir .");
    check_eq(wali_rmdir("/tmp/d/sub/.."), -ENOTEMPTY, "rmdir of ..");
    check_eq(wali_rmdir("/"), -EBUSY, "rmdir /");
    check_eq(wali_symlink("/tmp/d/sub", "/tmp/lsub"), 0, "symlink");
    check_eq(wali_rmdir("/tmp/lsub"), -ENOTDIR, "rmdir of a symlink to a directory");
    check_eq(wali_rmdir("/tmp/d/sub/"), 0, "rmdir with a trailing slash");
    check_eq(wali_stat("/tmp/d", &st), 0, "stat");
    check_eq(st.st_nlink, 2, "parent lost a link");
    check_eq(wali_rmdir("/tmp/d"), 0, "now empty");
    check_eq(wali_stat("/tmp/d", &st), -ENOENT, "gone");
    check_eq(wali_rmdir("/tmp/f/x"), -ENOTDIR, "through a file");

    /* unlink */
    check_eq(wali_mkdir("/tmp/e", 0755), 0, "mkdir");
    check_eq(wali_unlink("/tmp/e"), -EISDIR, "unlink of a directory");
    check_eq(wali_unlink("/tmp/f/"), -ENOTDIR, "unlink with a trailing slash on a file");
    check_eq(wali_unlink("/tmp/e/"), -EISDIR, "unlink of dir/");
    check_eq(wali_unlink("/tmp/missing"), -ENOENT, "unlink of a missing name");
    check_eq(wali_unlink("/tmp/e/."), -EISDIR, "unlink of .");
    check_eq(wali_unlink("/"), -EISDIR, "unlink /");
    check_eq(wali_unlink(""), -ENOENT, "unlink of an empty path");
    check_eq(wali_symlink("/tmp/f", "/tmp/lf"), 0, "symlink");
    check_eq(wali_unlink("/tmp/lf"), 0, "unlink removes the link");
    check_eq(mode_of("/tmp/f"), S_IFREG | 0644, "not its target");
    int fd = (int)wali_open("/tmp/f", O_RDWR, 0);
    check_eq(wali_write(fd, "still", 5), 5, "write");
    check_eq(wali_unlink("/tmp/f"), 0, "unlink an open file");
    check_eq(mode_of("/tmp/f"), -ENOENT, "name gone");
    char buf[8];
    check_eq(wali_pread64(fd, buf, 5, 0), 5, "data still readable");
    check(memcmp(buf, "still", 5) == 0, "content");
    check_eq(mkfile("/tmp/f"), 0, "a new file by the old name");
    wali_stat_t a, b;
    check_eq(wali_fstat(fd, &a), 0, "fstat old");
    check_eq(wali_stat("/tmp/f", &b), 0, "stat new");
    check(a.st_ino != b.st_ino, "is a different inode");

    /* unlinkat */
    int dfd = (int)wali_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_unlinkat(dfd, "e", 0), -EISDIR, "unlinkat of a directory without AT_REMOVEDIR");
    check_eq(wali_unlinkat(dfd, "f", AT_REMOVEDIR), -ENOTDIR, "AT_REMOVEDIR on a file");
    check_eq(wali_unlinkat(dfd, "e", AT_REMOVEDIR), 0, "AT_REMOVEDIR removes a directory");
    check_eq(wali_unlinkat(dfd, "f", 0x1), -EINVAL, "unknown flag");
    check_eq(wali_unlinkat(dfd, "f", 0), 0, "unlinkat removes a file");
    check_eq(wali_unlinkat(fd, "x", 0), -ENOTDIR, "unlinkat with a file dirfd");
    check_eq(wali_unlinkat(999, "x", 0), -EBADF, "unlinkat with a closed dirfd");
    return 0;
}
'''


async def test_rmdir_unlink_unlinkat(make_warden, build_c):
    r = await run_guest(make_warden, build_c(RMDIR_C, name="fs_dirs_rmdir.c"))
    assert r.exit_code == 0, r.stderr


DENTS_C = PRELUDE + r'''
#define N 40
static char seen[N + 3];
static int types_ok;
/* Reads the directory with a buffer of `size` bytes; returns the number of entries. */
static int scan(int fd, int size, int64_t *offs, int max) {
    char *buf = wali_alloc((size_t)size);
    int n = 0;
    for (;;) {
        int64_t got = wali_getdents64(fd, buf, (uint32_t)size);
        if (got < 0) return (int)got;
        if (got == 0) break;
        for (int64_t off = 0; off < got;) {
            dent_t *d = (dent_t *)(buf + off);
            if (n < max) offs[n] = d->off;
            n++;
            if (streq(d->name, ".")) { seen[N]++; types_ok += d->type == DT_DIR; }
            else if (streq(d->name, "..")) { seen[N + 1]++; types_ok += d->type == DT_DIR; }
            else if (streq(d->name, "subdir")) { seen[N + 2]++; types_ok += d->type == DT_DIR; }
            else if (streq(d->name, "link")) { types_ok += d->type == DT_LNK; }
            else {
                int k = (int)wali_atoi(d->name + 18);
                if (k >= 0 && k < N) seen[k]++;
                types_ok += d->type == DT_REG;
            }
            off += d->reclen;
        }
    }
    return n;
}
int main(int argc, char **argv) {
    char name[64];
    int64_t offs[64];
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    for (int i = 0; i < N; i++) {
        /* an 18-character name prefix, then the index: records of 40 bytes */
        memcpy(name, "/tmp/d/entry_with_a_long_", 25);
        int len = 25;
        if (i >= 10) name[len++] = (char)('0' + i / 10);
        name[len++] = (char)('0' + i % 10);
        name[len] = 0;
        check_eq(mkfile(name), 0, "create entry");
    }
    check_eq(wali_mkdir("/tmp/d/subdir", 0755), 0, "subdir");
    check_eq(wali_symlink("x", "/tmp/d/link"), 0, "link");
    int fd = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    types_ok = 0;
    check_eq(scan(fd, 4096, offs, 64), N + 4, "every entry, with . and ..");
    for (int i = 0; i < N + 3; i++) check_eq(seen[i], 1, "each name exactly once");
    check_eq(types_ok, N + 4, "d_type of each entry");
    check_eq(wali_getdents64(fd, name, 64), 0, "EOF stays EOF");

    /* Small buffers: one or two records per call, same result. */
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "rewind");
    memset(seen, 0, sizeof seen);
    types_ok = 0;
    check_eq(scan(fd, 64, offs, 64), N + 4, "every entry with a 64-byte buffer");
    for (int i = 0; i < N + 3; i++) check_eq(seen[i], 1, "each name exactly once (small buffer)");
    check_eq(types_ok, N + 4, "d_type with a small buffer");
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "rewind");
    check_eq(wali_getdents64(fd, name, 10), -EINVAL, "a buffer too small for one record");
    check_eq(wali_getdents64(fd, name, 0), -EINVAL, "a zero-sized buffer");

    /* Resume from a d_off: the entries after it, and only those. */
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "rewind");
    int total = scan(fd, 4096, offs, 64);
    check_eq(wali_lseek(fd, offs[9], SEEK_SET), offs[9], "seek to the 10th entry's d_off");
    memset(seen, 0, sizeof seen);
    int64_t rest[64];
    check_eq(scan(fd, 4096, rest, 64), total - 10, "the remaining entries");
    check_eq(rest[0], offs[10], "resumes with the 11th entry");

    /* New entries show up after a rewind. */
    check_eq(mkfile("/tmp/d/late_entry_with_a_long_99"), 0, "late entry");
    check_eq(wali_lseek(fd, 0, SEEK_SET), 0, "rewind");
    check_eq(scan(fd, 4096, offs, 64), N + 5, "rewind sees the new entry");

    int ffd = (int)wali_open("/tmp/d/link", O_RDONLY, 0);
    check_eq(ffd, -ENOENT, "dangling link");
    ffd = (int)wali_open("/tmp/d/subdir/../entry_with_a_long_1", O_RDONLY, 0);
    check(ffd >= 0, "open a file");
    check_eq(wali_getdents64(ffd, name, 64), -ENOTDIR, "getdents on a file");
    check_eq(wali_getdents64(999, name, 64), -EBADF, "getdents on a closed fd");
    int empty = (int)wali_open("/tmp/d/subdir", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_rmdir("/tmp/d/subdir"), 0, "remove an open directory");
    check_eq(wali_getdents64(empty, name, 64), -ENOENT, "getdents of a removed directory");
    return 0;
}
'''


async def test_getdents64_entries_types_and_resume(make_warden, build_c):
    r = await run_guest(make_warden, build_c(DENTS_C, name="fs_dirs_getdents.c"))
    assert r.exit_code == 0, r.stderr


PERM_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    check_eq(wali_mkdir("/tmp/d/sub", 0755), 0, "mkdir sub");
    check_eq(mkfile("/tmp/d/f"), 0, "file");
    check_eq(wali_chmod("/tmp/d", 0555), 0, "read-only directory");
    check_eq(wali_unlink("/tmp/d/f"), -EACCES, "unlink needs write on the directory");
    check_eq(wali_rmdir("/tmp/d/sub"), -EACCES, "rmdir needs write on the directory");
    check_eq(wali_unlink("/tmp/d/sub"), -EACCES, "EACCES comes before EISDIR");
    check_eq(wali_mkdir("/tmp/d/new", 0755), -EACCES, "mkdir needs write on the directory");
    check_eq(wali_mkdir("/tmp/d/sub", 0755), -EEXIST, "EEXIST comes before EACCES");
    check_eq(wali_chmod("/tmp/d", 0644), 0, "no search permission");
    check_eq(wali_chdir("/tmp/d"), -EACCES, "chdir needs search permission");
    check_eq(wali_unlink("/tmp/d/f"), -EACCES, "cannot reach the entry");
    check_eq(wali_chmod("/tmp/d", 0755), 0, "restore");
    check_eq(wali_chdir("/root"), -EACCES, "chdir into a root-only directory");
    /* The sticky /tmp: others' files cannot be removed. */
    check_eq(wali_unlink("/tmp/rootfile"), -EPERM, "sticky directory protects other users' files");
    check_eq(wali_rmdir("/tmp/rootdir"), -EPERM, "and other users' directories");
    check_eq(wali_unlink("/tmp/d/f"), 0, "own file");
    return 0;
}
'''


async def test_directory_permissions_for_an_unprivileged_cage(make_warden, build_c):
    # /tmp/rootfile and /tmp/rootdir belong to root: the kernel's own memfs, prepared from Python.
    wasm = build_c(PERM_C, name="fs_dirs_perm.c")
    async with make_warden(uid=1000, gid=1000) as h:
        rootfs = h.w.vfs.rootfs
        tmp = rootfs.lookup(rootfs.root(), b"tmp")
        rootfs.create(tmp, b"rootfile", 0o100666, 0, 0)
        rootfs.mkdir(tmp, b"rootdir", 0o777, 0, 0)
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


NATIVE = {"PERM_C": {"uid": 1000,
                     "pre": "touch /tmp/rootfile && chmod 666 /tmp/rootfile && mkdir -m 777 /tmp/rootdir"}}
