"""rename(2), renameat(2), renameat2(2): replacement rules, flags and errno paths.

Expected values are Linux's (fs/namei.c do_renameat2, vfs_rename; tmpfs for
ENOTEMPTY); the guests also run natively on Linux.
"""

from __future__ import annotations

from tests.harness import run_guest

PRELUDE = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name("SYS_" #n)))
WALI_IMPORT(renameat) int64_t wali_renameat(int32_t od, void *op, int32_t nd, void *np);
#endif
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
WALI_MAIN
static int mkfile(const char *p, const char *data) {
    int fd = (int)wali_open((void *)p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) return fd;
    wali_write(fd, (void *)data, (uint32_t)strlen(data));
    wali_close(fd);
    return 0;
}
static int64_t ino_of(const char *p) {
    wali_stat_t st;
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_ino;
}
static int64_t nlink_of(const char *p) {
    wali_stat_t st;
    int64_t r = wali_lstat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_nlink;
}
static int content_is(const char *p, const char *want) {
    char buf[64];
    int fd = (int)wali_open((void *)p, O_RDONLY, 0);
    if (fd < 0) return 0;
    int64_t n = wali_read(fd, buf, sizeof buf);
    wali_close(fd);
    return n == (int64_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}
'''




FILES_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(mkfile("/tmp/a", "A"), 0, "a");
    check_eq(mkfile("/tmp/b", "B"), 0, "b");
    int64_t ia = ino_of("/tmp/a");
    check_eq(wali_rename("/tmp/a", "/tmp/c"), 0, "rename to a new name");
    check_eq(ino_of("/tmp/a"), -ENOENT, "old name gone");
    check_eq(ino_of("/tmp/c"), ia, "same inode under the new name");
    int old_b = (int)wali_open("/tmp/b", O_RDONLY, 0);
    check_eq(wali_rename("/tmp/c", "/tmp/b"), 0, "rename over an existing file");
    check(content_is("/tmp/b", "A"), "b now has a's data");
    char buf[4];
    check_eq(wali_read(old_b, buf, 4), 1, "the replaced file stays readable while open");
    check_eq(buf[0], 'B', "with its own data");
    check_eq(wali_rename("/tmp/b", "/tmp/b"), 0, "rename to itself");
    check(content_is("/tmp/b", "A"), "unchanged");
    check_eq(wali_link("/tmp/b", "/tmp/hard"), 0, "hard link");
    check_eq(wali_rename("/tmp/b", "/tmp/hard"), 0, "rename between two links of one file does nothing");
    check_eq(ino_of("/tmp/b"), ia, "both names remain");
    check_eq(ino_of("/tmp/hard"), ia, "both names remain (2)");
    check_eq(wali_renameat2(AT_FDCWD, "/tmp/b", AT_FDCWD, "/tmp/hard", RENAME_NOREPLACE), -EEXIST,
             "RENAME_NOREPLACE even for the same inode");

    check_eq(wali_rename("/tmp/missing", "/tmp/x"), -ENOENT, "missing source");
    check_eq(wali_rename("/tmp/b", "/tmp/nodir/x"), -ENOENT, "missing target directory");
    check_eq(wali_rename("/tmp/b/x", "/tmp/x"), -ENOTDIR, "source through a file");
    check_eq(wali_rename("/tmp/b", "/tmp/hard/x"), -ENOTDIR, "target through a file");
    check_eq(wali_rename("/tmp/b/", "/tmp/x"), -ENOTDIR, "trailing slash on a file source");
    check_eq(wali_rename("/tmp/b", "/tmp/x/"), -ENOTDIR, "trailing slash on the target of a file");
    check_eq(wali_rename("", "/tmp/x"), -ENOENT, "empty source");
    check_eq(wali_rename("/tmp/b", ""), -ENOENT, "empty target");
    check_eq(wali_symlink("/tmp/b", "/tmp/sl"), 0, "symlink");
    check_eq(wali_rename("/tmp/sl", "/tmp/sl2"), 0, "rename moves the link, not its target");
    check_eq(ino_of("/tmp/b"), ia, "target untouched");
    check_eq(wali_rename("/tmp/b", "/dev/b"), -EXDEV, "across mounts");
    check_eq(wali_rename("/tmp/b", "/tmp/."), -EBUSY, "target .");
    check_eq(wali_rename("/tmp/.", "/tmp/x"), -EBUSY, "source .");
    check_eq(wali_rename("/tmp/..", "/tmp/x"), -EBUSY, "source ..");
    check_eq(wali_renameat2(AT_FDCWD, "/tmp/b", AT_FDCWD, "/tmp/.", RENAME_NOREPLACE), -EEXIST,
             "target . with RENAME_NOREPLACE");
    return 0;
}
'''


async def test_rename_files(make_warden, build_c):
    r = await run_guest(make_warden, build_c(FILES_C, name="fs_rename_files.c"))
    assert r.exit_code == 0, r.stderr


DIRS_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char cwd[64];
    check_eq(wali_mkdir("/tmp/p1", 0755), 0, "p1");
    check_eq(wali_mkdir("/tmp/p2", 0755), 0, "p2");
    check_eq(wali_mkdir("/tmp/p1/d", 0755), 0, "p1/d");
    check_eq(mkfile("/tmp/p1/d/f", "F"), 0, "p1/d/f");
    check_eq(wali_chdir("/tmp/p1/d"), 0, "chdir into the directory that moves");
    check_eq(nlink_of("/tmp/p1"), 3, "p1 has one subdirectory");
    check_eq(wali_rename("/tmp/p1/d", "/tmp/p2/d"), 0, "move a directory to another parent");
    check_eq(nlink_of("/tmp/p1"), 2, "p1 lost a link");
    check_eq(nlink_of("/tmp/p2"), 3, "p2 gained one");
    check(content_is("/tmp/p2/d/f", "F"), "contents moved along");
    check_eq(wali_getcwd(cwd, sizeof cwd), 10, "getcwd follows the move");
    check(streq(cwd, "/tmp/p2/d"), "cwd is /tmp/p2/d");
    check_eq(ino_of("/tmp/p2/d/.."), ino_of("/tmp/p2"), ".. is the new parent");
    check_eq(wali_chdir("/"), 0, "chdir /");

    check_eq(wali_rename("/tmp/p2/d", "/tmp/p2/d/sub"), -EINVAL, "into itself");
    check_eq(wali_mkdir("/tmp/p2/d/sub", 0755), 0, "sub");
    check_eq(wali_rename("/tmp/p2/d", "/tmp/p2/d/sub/x"), -EINVAL, "into its own descendant");
    check_eq(wali_rename("/tmp/p2/d/sub", "/tmp/p2"), -ENOTEMPTY, "onto its own non-empty ancestor");
    check_eq(wali_mkdir("/tmp/empty", 0755), 0, "empty dir");
    check_eq(mkfile("/tmp/file", "x"), 0, "file");
    check_eq(wali_rename("/tmp/p2/d", "/tmp/file"), -ENOTDIR, "directory onto a file");
    check_eq(wali_rename("/tmp/file", "/tmp/empty"), -EISDIR, "file onto a directory");
    check_eq(wali_rename("/tmp/p2", "/tmp/empty"), 0, "directory onto an empty directory");
    check_eq(ino_of("/tmp/p2"), -ENOENT, "old name gone");
    check(content_is("/tmp/empty/d/f", "F"), "replaced the empty directory");
    check_eq(wali_mkdir("/tmp/full", 0755), 0, "another dir");
    check_eq(mkfile("/tmp/full/x", "x"), 0, "not empty");
    check_eq(wali_rename("/tmp/empty", "/tmp/full"), -ENOTEMPTY, "onto a non-empty directory");
    check_eq(wali_rename("/tmp/empty/", "/tmp/moved/"), 0, "trailing slashes are fine for directories");
    check(content_is("/tmp/moved/d/f", "F"), "moved");
    return 0;
}
'''


async def test_rename_directories(make_warden, build_c):
    r = await run_guest(make_warden, build_c(DIRS_C, name="fs_rename_dirs.c"))
    assert r.exit_code == 0, r.stderr


FLAGS_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "d");
    check_eq(wali_mkdir("/tmp/e", 0755), 0, "e");
    check_eq(mkfile("/tmp/d/a", "A"), 0, "a");
    check_eq(mkfile("/tmp/e/b", "B"), 0, "b");
    int dd = (int)wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
    int de = (int)wali_open("/tmp/e", O_RDONLY | O_DIRECTORY, 0);
    int ff = (int)wali_open("/tmp/d/a", O_RDONLY, 0);
    check_eq(wali_renameat(dd, "a", de, "a2"), 0, "renameat between dirfds");
    check(content_is("/tmp/e/a2", "A"), "moved");
    check_eq(wali_renameat(ff, "a", de, "x"), -ENOTDIR, "renameat with a file as old dirfd");
    check_eq(wali_renameat(de, "a2", 999, "x"), -EBADF, "renameat with a closed new dirfd");
    check_eq(wali_renameat(999, "/tmp/e/a2", 999, "/tmp/d/a"), 0, "absolute paths ignore the dirfds");

    check_eq(wali_renameat2(AT_FDCWD, "/tmp/d/a", AT_FDCWD, "/tmp/e/b", RENAME_NOREPLACE), -EEXIST,
             "RENAME_NOREPLACE onto an existing name");
    check(content_is("/tmp/e/b", "B"), "untouched");
    check_eq(wali_renameat2(dd, "a", de, "c", RENAME_NOREPLACE), 0, "RENAME_NOREPLACE onto a new name");
    check_eq(wali_renameat2(de, "c", de, "b", RENAME_EXCHANGE), 0, "RENAME_EXCHANGE");
    check(content_is("/tmp/e/b", "A") && content_is("/tmp/e/c", "B"), "swapped");
    check_eq(wali_renameat2(de, "c", de, "nothing", RENAME_EXCHANGE), -ENOENT, "exchange needs both");
    check_eq(wali_renameat2(de, "c", de, "b", RENAME_EXCHANGE | RENAME_NOREPLACE), -EINVAL,
             "EXCHANGE|NOREPLACE");
    check_eq(wali_renameat2(de, "c", de, "b", 0x40), -EINVAL, "unknown flag");
    /* Exchange a file with a directory across parents: link counts follow. */
    check_eq(wali_mkdir("/tmp/d/sub", 0755), 0, "sub");
    check_eq(mkfile("/tmp/d/sub/in", "I"), 0, "in");
    check_eq(nlink_of("/tmp/d"), 3, "d has one subdirectory");
    check_eq(nlink_of("/tmp/e"), 2, "e has none");
    check_eq(wali_renameat2(dd, "sub", de, "b", RENAME_EXCHANGE), 0, "exchange a dir and a file");
    check(content_is("/tmp/e/b/in", "I"), "the directory is now e/b");
    check(content_is("/tmp/d/sub", "A"), "the file is now d/sub");
    check_eq(nlink_of("/tmp/d"), 2, "d lost its subdirectory");
    check_eq(nlink_of("/tmp/e"), 3, "e gained one");
    check_eq(ino_of("/tmp/e/b/.."), ino_of("/tmp/e"), "the moved directory's .. is e");
    check_eq(wali_renameat2(de, "b", de, "b/in", RENAME_EXCHANGE), -EINVAL, "exchange with own child");
    return 0;
}
'''


async def test_renameat_and_renameat2_flags(make_warden, build_c):
    r = await run_guest(make_warden, build_c(FLAGS_C, name="fs_rename_flags.c"))
    assert r.exit_code == 0, r.stderr


PERM_C = PRELUDE + r'''
int main(int argc, char **argv) {
    check_eq(wali_mkdir("/tmp/mine", 0755), 0, "mkdir");
    check_eq(wali_mkdir("/tmp/mine/ro", 0555), 0, "read-only directory");
    check_eq(wali_mkdir("/tmp/mine/dir", 0755), 0, "dir");
    check_eq(mkfile("/tmp/mine/f", "f"), 0, "file");
    check_eq(wali_rename("/tmp/mine/f", "/tmp/mine/ro/f"), -EACCES, "no write permission on the target dir");
    check_eq(wali_chmod("/tmp/mine/dir", 0555), 0, "dir not writable");
    check_eq(wali_rename("/tmp/mine/dir", "/tmp/moved"), -EACCES,
             "moving a directory to another parent needs write permission on it (its ..)");
    check_eq(wali_rename("/tmp/mine/dir", "/tmp/mine/dir2"), 0, "renaming in place does not");
    check_eq(wali_rename("/tmp/rootfile", "/tmp/mine/stolen"), -EPERM, "sticky /tmp protects root's file");
    return 0;
}
'''


async def test_rename_permissions_for_an_unprivileged_cage(make_warden, build_c):
    wasm = build_c(PERM_C, name="fs_rename_perm.c")
    async with make_warden(uid=1000, gid=1000) as h:
        rootfs = h.w.vfs.rootfs
        tmp = rootfs.lookup(rootfs.root(), b"tmp")
        rootfs.create(tmp, b"rootfile", 0o100666, 0, 0)
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


NATIVE = {"PERM_C": {"uid": 1000, "pre": "touch /tmp/rootfile && chmod 666 /tmp/rootfile"}}
