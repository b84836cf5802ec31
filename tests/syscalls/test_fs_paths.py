"""Path resolution rules (path_resolution(7)) as seen through syscalls: ENAMETOOLONG,
ELOOP, ENOTDIR, trailing slashes, and EACCES for an unprivileged cage.

The guests also run natively on Linux (PATH_MAX 4096 with the NUL, NAME_MAX 255,
40 symlinks per lookup).
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
static char *repeat(const char *head, char c, int n, const char *tail) {
    int hl = (int)strlen(head), tl = (int)strlen(tail);
    char *p = wali_alloc((size_t)(hl + n + tl + 1));
    memcpy(p, head, (size_t)hl);
    memset(p + hl, c, (size_t)n);
    memcpy(p + hl + n, tail, (size_t)tl + 1);
    return p;
}
'''




NAMES_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t st;
    char *n255 = repeat("/tmp/", 'a', 255, "");
    char *n256 = repeat("/tmp/", 'b', 256, "");
    check_eq(mkfile(n255), 0, "a 255-byte name");
    check_eq(wali_stat(n255, &st), 0, "stat it");
    check_eq(mkfile(n256), -ENAMETOOLONG, "a 256-byte name");
    check_eq(wali_stat(n256, &st), -ENAMETOOLONG, "stat a 256-byte name");
    check_eq(wali_mkdir(n256, 0755), -ENAMETOOLONG, "mkdir");
    check_eq(wali_unlink(n256), -ENAMETOOLONG, "unlink");
    check_eq(wali_rmdir(n256), -ENAMETOOLONG, "rmdir");
    check_eq(wali_symlink("x", n256), -ENAMETOOLONG, "symlink name");
    check_eq(wali_link(n255, n256), -ENAMETOOLONG, "link");
    check_eq(wali_rename(n255, n256), -ENAMETOOLONG, "rename target");
    check_eq(wali_rename(n256, "/tmp/x"), -ENAMETOOLONG, "rename source");
    check_eq(wali_access(n256, F_OK), -ENAMETOOLONG, "access");
    char *mid = repeat("/tmp/", 'c', 256, "/x");
    check_eq(wali_stat(mid, &st), -ENAMETOOLONG, "a long middle component");

    /* PATH_MAX: 4095 bytes plus the NUL fit, 4096 do not. "./" pads without changing the target. */
    check_eq(mkfile("/tmp/f"), 0, "file");
    char *p4095 = repeat("/tmp/", '/', 4095 - 6, "f");
    check_eq((int64_t)strlen(p4095), 4095, "length");
    check_eq(wali_stat(p4095, &st), 0, "a 4095-byte path resolves");
    char *p4096 = repeat("/tmp/", '/', 4096 - 6, "f");
    check_eq(wali_stat(p4096, &st), -ENAMETOOLONG, "a 4096-byte path");
    check_eq(wali_open(p4096, O_RDONLY, 0), -ENAMETOOLONG, "open");
    check_eq(wali_mkdir(p4096, 0755), -ENAMETOOLONG, "mkdir");
    check_eq(wali_chdir(p4096), -ENAMETOOLONG, "chdir");
    check_eq(wali_symlink(p4096, "/tmp/l"), -ENAMETOOLONG, "a symlink target of 4096 bytes");
    check_eq(wali_symlink(p4095, "/tmp/l"), 0, "a symlink target of 4095 bytes");
    check_eq(wali_stat("/tmp/l", &st), 0, "and it resolves");
    char buf[8];
    check_eq(wali_readlink("/tmp/l", buf, sizeof buf), 8, "readlink truncates the long target");
    return 0;
}
'''


async def test_enametoolong_for_names_and_paths(make_warden, build_c):
    r = await run_guest(make_warden, build_c(NAMES_C, name="fs_paths_names.c"))
    assert r.exit_code == 0, r.stderr


LOOP_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t st;
    char name[32], prev[32];
    check_eq(mkfile("/tmp/target"), 0, "target");
    check_eq(wali_symlink("a", "/tmp/b"), 0, "b -> a");
    check_eq(wali_symlink("b", "/tmp/a"), 0, "a -> b");
    check_eq(wali_stat("/tmp/a", &st), -ELOOP, "a symlink loop");
    check_eq(wali_open("/tmp/a", O_RDONLY, 0), -ELOOP, "open a loop");
    check_eq(wali_open("/tmp/a", O_CREAT | O_WRONLY, 0644), -ELOOP, "O_CREAT through a loop");
    check_eq(wali_stat("/tmp/a/x", &st), -ELOOP, "a loop in the middle");
    check_eq(wali_mkdir("/tmp/a/x", 0755), -ELOOP, "mkdir under a loop");
    check_eq(wali_lstat("/tmp/a", &st), 0, "lstat does not follow");
    check_eq(wali_symlink(".", "/tmp/self"), 0, "self -> .");
    check_eq(wali_stat("/tmp/self/self/self/target", &st), 0, "a link to . may be used repeatedly");
    check_eq(wali_symlink("self/x", "/tmp/deep"), 0, "deep");
    /* A chain: c0 -> target, cN -> c(N-1). Following cN costs N+1 links. */
    check_eq(wali_symlink("target", "/tmp/c0"), 0, "c0");
    memcpy(prev, "c0", 3);
    for (int i = 1; i <= 40; i++) {
        memcpy(name, "/tmp/c", 6);
        int len = 6;
        if (i >= 10) name[len++] = (char)('0' + i / 10);
        name[len++] = (char)('0' + i % 10);
        name[len] = 0;
        check_eq(wali_symlink(prev, name), 0, "chain link");
        memcpy(prev, name + 5, (size_t)(len - 5 + 1));
    }
    check_eq(wali_stat("/tmp/c39", &st), 0, "40 links are allowed");
    check_eq(wali_stat("/tmp/c40", &st), -ELOOP, "41 are too many");
    check_eq(wali_lstat("/tmp/c40", &st), 0, "lstat still works");
    check_eq(wali_readlink("/tmp/c40", name, sizeof name), 3, "readlink too");
    return 0;
}
'''


async def test_eloop_for_loops_and_long_chains(make_warden, build_c):
    r = await run_guest(make_warden, build_c(LOOP_C, name="fs_paths_loop.c"))
    assert r.exit_code == 0, r.stderr


NOTDIR_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t st;
    check_eq(mkfile("/tmp/f"), 0, "file");
    check_eq(wali_symlink("f", "/tmp/lf"), 0, "link to the file");
    const char *bad[] = {"/tmp/f/", "/tmp/f/.", "/tmp/f/..", "/tmp/f/x", "/tmp/lf/", "/tmp/lf/x"};
    for (int i = 0; i < 6; i++) {
        check_eq(wali_stat(bad[i], &st), -ENOTDIR, bad[i]);
        check_eq(wali_open(bad[i], O_RDONLY, 0), -ENOTDIR, bad[i]);
        check_eq(wali_access(bad[i], F_OK), -ENOTDIR, bad[i]);
        check_eq(wali_chdir(bad[i]), -ENOTDIR, bad[i]);
    }
    check_eq(wali_lstat("/tmp/lf/", &st), -ENOTDIR, "lstat follows a link before a trailing slash");
    check_eq(wali_mkdir("/tmp/f/d", 0755), -ENOTDIR, "mkdir under a file");
    check_eq(wali_unlink("/tmp/f/x"), -ENOTDIR, "unlink under a file");
    check_eq(wali_open("/tmp/f/x", O_CREAT | O_WRONLY, 0644), -ENOTDIR, "create under a file");
    check_eq(wali_symlink("x", "/tmp/f/l"), -ENOTDIR, "symlink under a file");
    return 0;
}
'''


async def test_enotdir_through_files_and_trailing_slashes(make_warden, build_c):
    r = await run_guest(make_warden, build_c(NOTDIR_C, name="fs_paths_notdir.c"))
    assert r.exit_code == 0, r.stderr


EACCES_C = PRELUDE + r'''
static int64_t count_dents(const char *p) {
    char buf[512];
    int fd = (int)wali_open((void *)p, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return fd;
    int64_t r = wali_getdents64(fd, buf, sizeof buf);
    wali_close(fd);
    return r;
}
int main(int argc, char **argv) {
    wali_stat_t st;
    check_eq(wali_mkdir("/tmp/d", 0755), 0, "mkdir");
    check_eq(mkfile("/tmp/d/f"), 0, "file");
    check_eq(wali_symlink("f", "/tmp/d/l"), 0, "link");
    check_eq(wali_mkdir("/tmp/d/sub", 0755), 0, "subdir");

    check_eq(wali_chmod("/tmp/d", 0644), 0, "no x: not searchable");
    check_eq(wali_stat("/tmp/d/f", &st), -EACCES, "stat through it");
    check_eq(wali_open("/tmp/d/f", O_RDONLY, 0), -EACCES, "open through it");
    check_eq(wali_stat("/tmp/d/l", &st), -EACCES, "a symlink inside");
    check_eq(wali_stat("/tmp/d/sub/..", &st), -EACCES, "sub/.. through it");
    check_eq(wali_stat("/tmp/d/missing", &st), -EACCES, "EACCES before ENOENT");
    check_eq(wali_chdir("/tmp/d"), -EACCES, "chdir into it");
    check_eq(wali_stat("/tmp/d", &st), 0, "the directory itself is fine");
    check(count_dents("/tmp/d") > 0, "r without x: names are listable");

    check_eq(wali_chmod("/tmp/d", 0311), 0, "x without r");
    check_eq(wali_stat("/tmp/d/f", &st), 0, "searchable");
    check_eq(wali_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0), -EACCES, "not listable");
    check_eq(wali_chdir("/tmp/d"), 0, "chdir works");
    check_eq(wali_stat("f", &st), 0, "relative lookups work");
    check_eq(wali_chdir("/"), 0, "back");

    check_eq(wali_chmod("/tmp/d", 0555), 0, "no w");
    check_eq(mkfile("/tmp/d/new"), -EACCES, "cannot create");
    check_eq(wali_unlink("/tmp/d/f"), -EACCES, "cannot remove");
    check_eq(wali_rename("/tmp/d/f", "/tmp/d/g"), -EACCES, "cannot rename");
    check_eq(wali_symlink("x", "/tmp/d/s"), -EACCES, "cannot symlink");
    int fd = (int)wali_open("/tmp/d/f", O_WRONLY, 0);
    check(fd >= 0, "but the file itself is writable");
    check_eq(wali_chmod("/tmp/d", 0755), 0, "restore");
    check_eq(wali_stat("/root/x", &st), -EACCES, "root's home");
    return 0;
}
'''


async def test_eacces_for_an_unprivileged_cage(make_warden, build_c):
    r = await run_guest(make_warden, build_c(EACCES_C, name="fs_paths_eacces.c"), uid=1000)
    assert r.exit_code == 0, r.stderr


NATIVE = {"EACCES_C": {"uid": 1000}}
