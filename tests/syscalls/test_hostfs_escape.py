"""Confinement of host directory mounts: nothing a guest does reaches outside the host directory.

Host layout (made by each test)::

    tmp_path/outside/secret.txt      never visible to the guest
    tmp_path/shared/                 mounted at /mnt
        abs_secret -> <host path of secret.txt>
        rel_secret -> ../outside/secret.txt
        rootlink   -> /
        sub/deep/up -> ../../../..

Symlinks are expanded by the kernel against the *guest* root, and ``..`` at the
mount root leads to the guest's ``/``, so every one of these resolves inside the
guest's namespace. The host side is checked from Python: the outside tree is
unchanged and nothing new appeared next to the mount.
"""

from __future__ import annotations

import os
from pathlib import Path

from kernel.embed import DirMount

ESCAPE_C = r'''
#include "walilib.h"
WALI_MAIN
static int64_t ino_of(const char *p) {
    wali_stat_t st;
    int64_t r = wali_stat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_ino;
}
static int64_t dev_of(const char *p) {
    wali_stat_t st;
    int64_t r = wali_stat((void *)p, &st);
    return r < 0 ? r : (int64_t)st.st_dev;
}
static int64_t open_read(const char *p) {
    char buf[64];
    int fd = (int)wali_open((void *)p, O_RDONLY, 0);
    if (fd < 0) return fd;
    int64_t n = wali_read(fd, buf, sizeof buf);
    wali_close(fd);
    return n;
}
/* argv[1]: the host path of secret.txt; argv[2]: the host path of the mounted directory */
int main(int argc, char **argv) {
    const char *secret = argv[1], *shared = argv[2];
    char buf[512], path[512];
    int fd = (int)wali_open("/tmp/guest_marker", O_CREAT | O_WRONLY, 0644);
    check(fd >= 0, "a guest-only marker file");
    wali_close(fd);

    /* .. chains from the mount root stay in the guest */
    check_eq(ino_of("/mnt/.."), ino_of("/"), "/mnt/.. is the guest root");
    check_eq(dev_of("/mnt/.."), dev_of("/"), "on the guest rootfs");
    check_eq(ino_of("/mnt/../../../.."), ino_of("/"), "more .. stays at /");
    check_eq(ino_of("/mnt/sub/deep/../../../tmp/guest_marker"), ino_of("/tmp/guest_marker"),
             "up and back down");
    check_eq(open_read("/mnt/../outside/secret.txt"), -ENOENT,
             "the host's sibling directory is not reachable");
    check_eq(wali_chdir("/mnt/sub"), 0, "chdir into the mount");
    check_eq(wali_chdir("../../.."), 0, "chdir up past the mount root");
    check_eq(wali_getcwd(buf, sizeof buf), 2, "cwd is the guest root");
    check_eq(ino_of("tmp/guest_marker"), ino_of("/tmp/guest_marker"),
             "relative lookups from there are guest paths");

    /* symlinks created on the host resolve in the guest namespace */
    check_eq(ino_of("/mnt/rootlink"), ino_of("/"), "a host symlink to / is the guest root");
    check(ino_of("/mnt/rootlink/tmp/guest_marker") > 0, "and leads to guest files");
    check_eq(ino_of("/mnt/sub/deep/up"), ino_of("/"), "../../../.. from inside the mount is the guest root");
    check_eq(open_read("/mnt/abs_secret"), -ENOENT, "an absolute host path means nothing in the guest");
    check_eq(open_read("/mnt/rel_secret"), -ENOENT,
             "../outside from the mount root is /outside in the guest");
    check_eq(wali_open("/mnt/abs_secret", O_CREAT | O_WRONLY | O_TRUNC, 0644), -ENOENT,
             "O_CREAT through the link cannot reach the host path");
    check_eq(wali_open("/mnt/abs_secret", O_RDONLY | O_NOFOLLOW, 0), -ELOOP, "O_NOFOLLOW sees the link");
    check_eq(wali_readlink("/mnt/abs_secret", buf, sizeof buf), (int64_t)strlen(secret),
             "readlink is verbatim");

    /* the guest making its own symlinks to host paths gains nothing */
    check_eq(wali_symlink(secret, "/mnt/evil"), 0, "guest symlink to the host secret");
    check_eq(open_read("/mnt/evil"), -ENOENT, "does not reach it");
    check_eq(wali_symlink("../outside/secret.txt", "/mnt/evil2"), 0, "relative guest symlink");
    check_eq(open_read("/mnt/evil2"), -ENOENT, "does not reach it either");
    memcpy(path, "/mnt", 4);
    memcpy(path + 4, shared, strlen(shared) + 1);
    check_eq(open_read(path), -ENOENT, "/mnt/<host path> is just a missing name");

    /* writes through .. and links land in the guest's memfs, never on the host */
    check_eq(wali_mkdir("/mnt/../escaped_dir", 0755), 0, "mkdir via ..");
    check(ino_of("/escaped_dir") > 0, "made in the guest root");
    fd = (int)wali_open("/mnt/rootlink/escaped_file", O_CREAT | O_WRONLY, 0644);
    check(fd >= 0, "create via the / link");
    wali_close(fd);
    check(ino_of("/escaped_file") > 0, "made in the guest root");
    check_eq(wali_rename("/mnt/sub/file", "/mnt/../moved_out"), -EXDEV, "rename out of the mount");
    check_eq(wali_link("/mnt/sub/file", "/mnt/rootlink/tmp/hardlink"), -EXDEV, "hard link out of the mount");
    check_eq(wali_rename("/tmp/guest_marker", "/mnt/sub/marker"), -EXDEV, "rename into the mount");
    return 0;
}
'''


def make_layout(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_bytes(b"host secret\n")
    shared = tmp_path / "shared"
    (shared / "sub" / "deep").mkdir(parents=True)
    (shared / "sub" / "file").write_bytes(b"f")
    os.symlink(str(secret), shared / "abs_secret")
    os.symlink("../outside/secret.txt", shared / "rel_secret")
    os.symlink("/", shared / "rootlink")
    os.symlink("../../../..", shared / "sub" / "deep" / "up")
    return secret, shared


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            data = p.read_bytes() if p.is_file() and not p.is_symlink() else b""
            out[str(p.relative_to(root))] = (st.st_mode, st.st_mtime_ns, data)
    return out


async def test_no_escape_from_a_host_mount(make_warden, build_c, tmp_path):
    secret, shared = make_layout(tmp_path)
    outside_before = snapshot(tmp_path / "outside")
    host_root_before = set(os.listdir("/"))
    async with make_warden(dirs=[DirMount(str(shared), b"/mnt")], uid=0, gid=0) as h:
        r = await h.run(build_c(ESCAPE_C, name="hostfs_escape.c"), [str(secret), str(shared)])
    assert r.exit_code == 0, r.stderr
    assert snapshot(tmp_path / "outside") == outside_before, "the host outside the mount was touched"
    assert sorted(os.listdir(tmp_path)) == ["outside", "shared"]
    assert set(os.listdir("/")) == host_root_before, "something appeared in the host's /"
    assert not Path("/escaped_dir").exists() and not Path("/escaped_file").exists()
    # What the guest did inside the mount is there, and only that.
    assert os.readlink(shared / "evil") == str(secret)
    assert os.readlink(shared / "evil2") == "../outside/secret.txt"
    assert secret.read_bytes() == b"host secret\n"


READONLY_ESCAPE_C = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    check_eq(wali_open("/ro/abs_secret", O_WRONLY | O_TRUNC, 0), -ENOENT, "no host path through the link");
    check_eq(wali_open("/ro/sub/file", O_WRONLY | O_TRUNC, 0), -EROFS, "the read-only mount stays read-only");
    check_eq(wali_chmod("/ro/rootlink", 0777), 0,
             "chmod via the / link changes the guest root, not the host");
    check_eq(wali_unlink("/ro/rel_secret"), -EROFS, "links cannot be removed");
    return 0;
}
'''


async def test_read_only_mount_links_cannot_be_used_to_write(make_warden, build_c, tmp_path):
    secret, shared = make_layout(tmp_path)
    before = snapshot(tmp_path)
    host_root_mode = os.stat("/").st_mode
    async with make_warden(dirs=[DirMount(str(shared), b"/ro", True)], uid=0, gid=0) as h:
        r = await h.run(build_c(READONLY_ESCAPE_C, name="hostfs_ro_escape.c"))
    assert r.exit_code == 0, r.stderr
    assert snapshot(tmp_path) == before
    assert os.stat("/").st_mode == host_root_mode
