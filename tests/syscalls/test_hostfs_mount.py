"""Host directory mounts (--dir HOST::GUEST, kernel.vfs.hostfs): data flows both ways,
read-only mounts refuse every change with EROFS, and file syscalls keep Linux semantics.

Each test checks the host side from Python as well as the guest side.
"""

from __future__ import annotations

import os
import stat

from kernel.embed import DirMount

PRELUDE = r'''
#include "walilib.h"
WALI_MAIN
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
static int64_t slurp(const char *p, char *buf, int size) {
    int fd = (int)wali_open((void *)p, O_RDONLY, 0);
    if (fd < 0) return fd;
    int64_t n = wali_read(fd, buf, (uint32_t)size);
    wali_close(fd);
    return n;
}
static int64_t spit(const char *p, const char *data, int flags) {
    int fd = (int)wali_open((void *)p, O_CREAT | O_WRONLY | flags, 0666);
    if (fd < 0) return fd;
    int64_t n = wali_write(fd, (void *)data, (uint32_t)strlen(data));
    wali_close(fd);
    return n;
}
'''


async def run_mounted(make_warden, wasm, host_dir, *, readonly=False, guest=b"/mnt"):
    async with make_warden(dirs=[DirMount(str(host_dir), guest, readonly)]) as h:
        return await h.run(wasm)


RW_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[128];
    wali_stat_t st;
    check_eq(slurp("/mnt/hello.txt", buf, sizeof buf), 14, "read a host file");
    check(memcmp(buf, "from the host\n", 14) == 0, "its content");
    check_eq(wali_stat("/mnt/hello.txt", &st), 0, "stat");
    check_eq(st.st_size, 14, "size");
    check_eq(st.st_mode & S_IFMT, S_IFREG, "regular");
    wali_umask(022);
    check_eq(spit("/mnt/new.txt", "from the guest\n", O_EXCL), 15, "create and write");
    check_eq(spit("/mnt/hello.txt", "appended\n", O_APPEND), 9, "append to a host file");
    check_eq(wali_mkdir("/mnt/newdir", 0750), 0, "mkdir");
    check_eq(spit("/mnt/newdir/inner", "x", 0), 1, "file in the new directory");
    check_eq(wali_symlink("new.txt", "/mnt/link"), 0, "symlink");
    check_eq(slurp("/mnt/link", buf, sizeof buf), 15, "read through it");
    check_eq(wali_rename("/mnt/sub/moveme", "/mnt/moved"), 0, "rename on the host");
    check_eq(wali_unlink("/mnt/deleteme"), 0, "unlink on the host");
    check_eq(wali_rmdir("/mnt/emptydir"), 0, "rmdir on the host");
    check_eq(wali_rmdir("/mnt/sub"), -ENOTEMPTY, "rmdir of a non-empty host directory");
    check_eq(wali_unlink("/mnt/sub"), -EISDIR, "unlink of a host directory");
    check_eq(wali_link("/mnt/new.txt", "/mnt/hard"), 0, "hard link");
    check_eq(wali_stat("/mnt/hard", &st), 0, "stat");
    check_eq(st.st_nlink, 2, "two links");
    check_eq(wali_chmod("/mnt/hard", 0600), 0, "chmod");
    check_eq(wali_truncate("/mnt/hard", 4), 0, "truncate");

    /* positional I/O, seeking, fstat of an unlinked open file */
    int fd = (int)wali_open("/mnt/scratch", O_CREAT | O_RDWR | O_TRUNC, 0644);
    check_eq(wali_pwrite64(fd, "abcdef", 6, 10), 6, "pwrite past EOF");
    check_eq(wali_pread64(fd, buf, 16, 0), 16, "pread");
    check(buf[0] == 0 && buf[9] == 0 && memcmp(buf + 10, "abcdef", 6) == 0, "hole then data");
    check_eq(wali_lseek(fd, 0, SEEK_END), 16, "SEEK_END");
    check_eq(wali_lseek(fd, -1, SEEK_SET), -EINVAL, "negative seek");
    check_eq(wali_ftruncate(fd, 3), 0, "ftruncate");
    check_eq(wali_unlink("/mnt/scratch"), 0, "unlink while open");
    check_eq(wali_fstat(fd, &st), 0, "fstat of the unlinked file");
    check_eq(st.st_size, 3, "its size");
    check_eq(st.st_nlink, 0, "no names left");
    check_eq(wali_write(fd, "Z", 1), 1, "still writable");
    wali_close(fd);

    /* getdents lists host entries with their types */
    int dfd = (int)wali_open("/mnt", O_RDONLY | O_DIRECTORY, 0);
    int64_t n = wali_getdents64(dfd, buf, sizeof buf);
    check(n > 0, "getdents");
    int found = 0;
    char big[2048];
    check_eq(wali_lseek(dfd, 0, SEEK_SET), 0, "rewind");
    check_eq(wali_lseek(dfd, 0, SEEK_CUR), 0, "SEEK_CUR on a host directory");
    n = wali_getdents64(dfd, big, sizeof big);
    for (int64_t off = 0; off < n;) {
        uint16_t reclen = *(uint16_t *)(big + off + 16);
        uint8_t type = *(uint8_t *)(big + off + 18);
        const char *name = big + off + 19;
        if (streq(name, "newdir")) found += type == DT_DIR;
        if (streq(name, "new.txt")) found += type == DT_REG;
        if (streq(name, "link")) found += type == DT_LNK;
        if (streq(name, ".") || streq(name, "..")) found += 10 * (type == DT_DIR);
        off += reclen;
    }
    check_eq(found, 23, "entries and d_type");
    check_eq(wali_chdir("/mnt/newdir"), 0, "chdir into the mount");
    check_eq(wali_getcwd(buf, sizeof buf), 12, "getcwd inside the mount");
    check(streq(buf, "/mnt/newdir"), "guest path");
    check_eq(slurp("../hello.txt", buf, sizeof buf), 23, "relative access inside the mount");
    return 0;
}
'''


async def test_host_files_are_read_and_written_through_the_mount(make_warden, build_c, tmp_path):
    host = tmp_path / "shared"
    host.mkdir()
    (host / "hello.txt").write_bytes(b"from the host\n")
    (host / "sub").mkdir()
    (host / "sub" / "moveme").write_bytes(b"m")
    (host / "sub" / "stays").write_bytes(b"s")
    (host / "deleteme").write_bytes(b"d")
    (host / "emptydir").mkdir()
    old_umask = os.umask(0o077)  # the kernel process's umask must not leak into guest-created modes
    try:
        r = await run_mounted(make_warden, build_c(RW_C, name="hostfs_rw.c"), host)
    finally:
        os.umask(old_umask)
    assert r.exit_code == 0, r.stderr
    assert (host / "new.txt").read_bytes() == b"from"  # truncated to 4 through the hard link
    assert (host / "hello.txt").read_bytes() == b"from the host\nappended\n"
    assert stat.S_IMODE((host / "newdir").stat().st_mode) == 0o750
    assert (host / "newdir" / "inner").read_bytes() == b"x"
    assert os.readlink(host / "link") == "new.txt"
    assert (host / "moved").read_bytes() == b"m" and not (host / "sub" / "moveme").exists()
    assert not (host / "deleteme").exists() and not (host / "emptydir").exists()
    assert os.stat(host / "hard").st_ino == os.stat(host / "new.txt").st_ino
    assert stat.S_IMODE((host / "hard").stat().st_mode) == 0o600
    assert not (host / "scratch").exists()
    assert sorted(os.listdir(tmp_path)) == ["shared"]


UMASK_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t st;
    wali_umask(0);
    check_eq(spit("/mnt/open666", "x", 0), 1, "create 0666 with umask 0");
    check_eq(wali_stat("/mnt/open666", &st), 0, "stat");
    check_eq(st.st_mode, S_IFREG | 0666, "the guest's umask, not the host's");
    check_eq(wali_mkdir("/mnt/dir777", 0777), 0, "mkdir 0777 with umask 0");
    check_eq(wali_stat("/mnt/dir777", &st), 0, "stat");
    check_eq(st.st_mode, S_IFDIR | 0777, "directory mode");
    return 0;
}
'''


async def test_created_modes_follow_the_guest_umask_not_the_host_process(make_warden, build_c, tmp_path):
    old_umask = os.umask(0o027)
    try:
        r = await run_mounted(make_warden, build_c(UMASK_C, name="hostfs_umask.c"), tmp_path)
    finally:
        os.umask(old_umask)
    assert r.exit_code == 0, r.stderr
    assert stat.S_IMODE((tmp_path / "open666").stat().st_mode) == 0o666
    assert stat.S_IMODE((tmp_path / "dir777").stat().st_mode) == 0o777


RO_C = PRELUDE + r'''
typedef struct {
    int64_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags, f_spare[4];
} sfs_t;
int main(int argc, char **argv) {
    char buf[64];
    wali_timespec_t ts[2] = {{1, 0}, {1, 0}};
    sfs_t s;
    check_eq(slurp("/ro/data.txt", buf, sizeof buf), 4, "reading works");
    check_eq(wali_open("/ro/data.txt", O_WRONLY, 0), -EROFS, "open for writing");
    check_eq(wali_open("/ro/data.txt", O_RDWR, 0), -EROFS, "open read-write");
    check_eq(wali_open("/ro/data.txt", O_RDONLY | O_TRUNC, 0), -EROFS, "O_TRUNC");
    check_eq(wali_open("/ro/new", O_CREAT | O_WRONLY, 0644), -EROFS, "create");
    int fd = (int)wali_open("/ro/data.txt", O_CREAT | O_RDONLY, 0644);
    check(fd >= 0, "O_CREAT|O_RDONLY of an existing file is fine");
    check_eq(wali_ftruncate(fd, 0), -EINVAL, "ftruncate on the read-only fd");
    check_eq(wali_mkdir("/ro/d", 0755), -EROFS, "mkdir");
    check_eq(wali_mkdir("/ro/sub", 0755), -EEXIST, "mkdir of an existing name: EEXIST first");
    check_eq(wali_rmdir("/ro/sub"), -EROFS, "rmdir");
    check_eq(wali_unlink("/ro/data.txt"), -EROFS, "unlink");
    check_eq(wali_rename("/ro/data.txt", "/ro/x"), -EROFS, "rename");
    check_eq(wali_symlink("x", "/ro/l"), -EROFS, "symlink");
    check_eq(wali_link("/ro/data.txt", "/ro/h"), -EROFS, "link");
    check_eq(wali_chmod("/ro/data.txt", 0600), -EROFS, "chmod");
    check_eq(wali_chown("/ro/data.txt", 1, 1), -EROFS, "chown");
    check_eq(wali_utimensat(AT_FDCWD, "/ro/data.txt", ts, 0), -EROFS, "utimensat");
    check_eq(wali_truncate("/ro/data.txt", 0), -EROFS, "truncate");
    check_eq(wali_access("/ro/data.txt", W_OK), -EROFS, "access W_OK");
    check_eq(wali_access("/ro/data.txt", R_OK), 0, "access R_OK");
    check_eq(wali_statfs("/ro", &s), 0, "statfs");
    check_eq(s.f_flags & 1, 1, "ST_RDONLY");
    check_eq(wali_rename("/ro/data.txt", "/tmp/x"), -EXDEV, "moving out is EXDEV");
    return 0;
}
'''


async def test_read_only_mount_refuses_changes_with_erofs(make_warden, build_c, tmp_path):
    (tmp_path / "data.txt").write_bytes(b"data")
    (tmp_path / "data.txt").chmod(0o644)
    (tmp_path / "sub").mkdir()
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    wasm = build_c(RO_C, name="hostfs_ro.c")
    r = await run_mounted(make_warden, wasm, tmp_path, readonly=True, guest=b"/ro")
    assert r.exit_code == 0, r.stderr
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before
    assert (tmp_path / "data.txt").read_bytes() == b"data"
    assert stat.S_IMODE((tmp_path / "data.txt").stat().st_mode) == 0o644  # the chmod did not land
    assert os.stat(tmp_path / "data.txt").st_uid == os.getuid()  # nor the chown
    assert os.stat(tmp_path / "data.txt").st_mtime_ns == before["data.txt"]


MOUNTS_C = PRELUDE + r'''
int main(int argc, char **argv) {
    wali_stat_t a, b;
    check_eq(spit("/tmp/memfile", "m", 0), 1, "a memfs file");
    check_eq(wali_rename("/tmp/memfile", "/mnt/x"), -EXDEV, "rename across mounts");
    check_eq(wali_link("/tmp/memfile", "/mnt/x"), -EXDEV, "link across mounts");
    check_eq(wali_rename("/mnt", "/tmp/stolen"), -EBUSY, "the mount point cannot be moved");
    check_eq(wali_rmdir("/mnt"), -EBUSY, "rmdir of a mount point");
    check_eq(wali_mkdir("/mnt/d", 0755), 0, "mkdir in the mount");
    check_eq(wali_rename("/mnt/d", "/mnt/d/sub"), -EINVAL, "into itself, on the host backend too");
    check_eq(wali_stat("/mnt", &a), 0, "stat mount root");
    check_eq(wali_stat("/mnt/d/..", &b), 0, "stat d/..");
    check(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "d/.. is the mount root");
    check_eq(wali_stat("/", &a), 0, "stat /");
    check_eq(wali_stat("/mnt/..", &b), 0, "stat /mnt/..");
    check(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "/mnt/.. is the guest root");
    check_eq(wali_stat("/mnt/d", &a), 0, "stat");
    check(a.st_dev != b.st_dev, "a different device than the rootfs");
    return 0;
}
'''


async def test_mount_boundaries(make_warden, build_c, tmp_path):
    r = await run_mounted(make_warden, build_c(MOUNTS_C, name="hostfs_mounts.c"), tmp_path)
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "d").is_dir() and not (tmp_path / "x").exists()


RENAMED_C = PRELUDE + r'''
int main(int argc, char **argv) {
    char buf[64];
    check_eq(wali_mkdir("/mnt/a", 0755), 0, "mkdir");
    check_eq(wali_mkdir("/mnt/a/sub", 0755), 0, "mkdir sub");
    check_eq(spit("/mnt/a/sub/f", "f", 0), 1, "file");
    int d = (int)wali_open("/mnt/a", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_chdir("/mnt/a/sub"), 0, "chdir below it");
    check_eq(wali_rename("/mnt/a", "/mnt/b"), 0, "rename the directory");
    int f = (int)wali_openat(d, "sub/f", O_RDONLY, 0);
    check(f >= 0, "a directory fd follows the rename");
    check_eq(slurp("f", buf, sizeof buf), 1, "so does the working directory");
    check_eq(wali_getcwd(buf, sizeof buf), 11, "getcwd");
    check(streq(buf, "/mnt/b/sub"), "shows the new path");
    check_eq(wali_mkdir("/mnt/c", 0755), 0, "another dir");
    check_eq(wali_renameat2(AT_FDCWD, "/mnt/b", AT_FDCWD, "/mnt/c", 2), 0, "RENAME_EXCHANGE");
    check_eq(wali_getcwd(buf, sizeof buf), 11, "getcwd after the exchange");
    check(streq(buf, "/mnt/c/sub"), "follows the exchange");
    check_eq(slurp("f", buf, sizeof buf), 1, "still usable");
    return 0;
}
'''


async def test_open_directories_follow_renames_made_through_the_mount(make_warden, build_c, tmp_path):
    r = await run_mounted(make_warden, build_c(RENAMED_C, name="hostfs_renamed.c"), tmp_path)
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "c" / "sub" / "f").read_bytes() == b"f"
