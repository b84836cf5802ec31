"""Packed images: ``pack`` a host directory, then mount it (several at once, next to --dir
mounts) in a cage, read-only: reads see the host tree, every write is EROFS."""

from __future__ import annotations

import os
import stat

import pytest

from kernel.embed import DirMount, ImageMount, Warden
from kernel.vfs.image import pack
from kernel.vfs.memfs import CHUNK
from kernel.vfs.store import StoreError, StoreFs
from tests.harness import Harness


def make_tree(root) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "hello.txt").write_bytes(b"hello from the image\n")
    (root / "sub" / "run.sh").write_bytes(b"#!/bin/sh\necho hi\n")
    os.chmod(root / "sub" / "run.sh", 0o751)
    (root / "sub" / "deeper" / "empty").write_bytes(b"")
    os.chmod(root / "sub" / "deeper", 0o711)
    os.symlink("../hello.txt", root / "sub" / "link")
    os.symlink("/nowhere/at/all", root / "dangling")
    os.link(root / "hello.txt", root / "sub" / "hard")
    with open(root / "sparse", "wb") as f:
        f.write(b"start")
        f.seek(5 * CHUNK)
        f.write(b"end")
    os.mkfifo(root / "fifo")
    os.utime(root / "hello.txt", ns=(1_000_000_000_123, 2_000_000_000_456))


def test_pack_copies_files_dirs_symlinks_modes_and_hard_links(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_tree(src)
    img = tmp_path / "app.img"
    stats = pack(src, img)
    assert (stats.files, stats.directories, stats.symlinks, stats.hardlinks) == (4, 2, 2, 1)
    assert stats.skipped == [str(src / "fifo")]
    assert sorted(os.listdir(tmp_path)) == ["app.img", "src"]  # one self-contained file
    head = img.read_bytes()[:100]
    assert head[18] == 1 and head[19] == 1  # rollback journal, not WAL
    with StoreFs(img, readonly=True) as fs:
        r = fs.root()
        assert fs.readonly
        hello = fs.lookup(r, b"hello.txt")
        buf = bytearray(100)
        assert bytes(buf[:fs.read(hello, 0, memoryview(buf))]) == b"hello from the image\n"
        assert (hello.mtime, hello.atime) == (2_000_000_000_456, 1_000_000_000_123)
        sub = fs.lookup(r, b"sub")
        assert fs.lookup(sub, b"hard") is hello and hello.nlink == 2
        assert fs.lookup(sub, b"run.sh").mode == stat.S_IFREG | 0o751
        assert fs.lookup(sub, b"deeper").mode == stat.S_IFDIR | 0o711
        assert fs.readlink(fs.lookup(sub, b"link")) == b"../hello.txt"
        assert fs.readlink(fs.lookup(r, b"dangling")) == b"/nowhere/at/all"
        sparse = fs.lookup(r, b"sparse")
        assert sparse.size == 5 * CHUNK + 3 and len(sparse.chunks) == 2  # the zero blocks stay holes
        assert (r.uid, hello.uid) == (0, 0)
        assert b"fifo" not in r.entries


def test_pack_refuses_to_overwrite_unless_forced_and_never_leaves_a_partial_image(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a").write_bytes(b"1")
    img = tmp_path / "out.img"
    img.write_bytes(b"precious")
    with pytest.raises(StoreError, match="exists"):
        pack(src, img)
    assert img.read_bytes() == b"precious"
    pack(src, img, force=True, uid=1000, gid=1000)
    with StoreFs(img, readonly=True) as fs:
        assert fs.lookup(fs.root(), b"a").uid == 1000
    os.chmod(src / "a", 0)
    if os.getuid() != 0:  # root reads anything
        with pytest.raises(PermissionError):
            pack(src, tmp_path / "other.img")
        assert not (tmp_path / "other.img").exists()
    with pytest.raises(StoreError, match="not a directory"):
        pack(src / "a", tmp_path / "x.img")


def test_pack_skips_the_image_being_written_inside_the_source(tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    pack(tmp_path, tmp_path / "self.img")
    with StoreFs(tmp_path / "self.img", readonly=True) as fs:
        assert sorted(fs.root().entries) == [b"f"]


_GUEST = r'''
#include "walilib.h"
WALI_MAIN
static char buf[256];
int main(int argc, char **argv) {
    wali_stat_t st, st2;
    int fd = (int)wali_open("/img/hello.txt", O_RDONLY, 0);
    check(fd >= 0, "open image file");
    int64_t n = wali_read(fd, buf, sizeof buf);
    check_eq(n, 21, "read size");
    check(memcmp(buf, "hello from the image\n", 21) == 0, "content");
    wali_close(fd);
    check_eq(wali_stat("/img/sub/run.sh", &st), 0, "stat");
    check_eq(st.st_mode, S_IFREG | 0751, "mode kept");
    check_eq(wali_stat("/img/sub/hard", &st2), 0, "stat hard");
    check_eq(wali_stat("/img/hello.txt", &st), 0, "stat hello");
    check_eq(st.st_ino, st2.st_ino, "hard link: one inode");
    check_eq(st.st_nlink, 2, "two names");
    check_eq(wali_readlink("/img/sub/link", buf, sizeof buf), 12, "readlink");
    fd = (int)wali_open("/img/sub/link", O_RDONLY, 0);
    check(fd >= 0, "open through the symlink");
    wali_close(fd);
    /* Every way of writing is EROFS. */
    check_eq(wali_open("/img/hello.txt", O_WRONLY, 0), -EROFS, "open for writing");
    check_eq(wali_open("/img/hello.txt", O_RDONLY | O_TRUNC, 0), -EROFS, "O_TRUNC");
    check_eq(wali_open("/img/new", O_CREAT | O_WRONLY, 0644), -EROFS, "create");
    check_eq(wali_mkdir("/img/newdir", 0755), -EROFS, "mkdir");
    check_eq(wali_unlink("/img/hello.txt"), -EROFS, "unlink");
    check_eq(wali_rmdir("/img/sub/deeper"), -EROFS, "rmdir");
    check_eq(wali_rename("/img/hello.txt", "/img/bye.txt"), -EROFS, "rename");
    check_eq(wali_symlink("x", "/img/sl"), -EROFS, "symlink");
    check_eq(wali_link("/img/hello.txt", "/img/h2"), -EROFS, "link");
    check_eq(wali_chmod("/img/hello.txt", 0600), -EROFS, "chmod");
    check_eq(wali_truncate("/img/hello.txt", 0), -EROFS, "truncate");
    /* A second image and a --dir mount work at the same time. */
    fd = (int)wali_open("/img2/only-in-two", O_RDONLY, 0);
    check(fd >= 0, "second image");
    check_eq(wali_read(fd, buf, sizeof buf), 3, "second image data");
    wali_close(fd);
    fd = (int)wali_open("/host/written", O_CREAT | O_WRONLY, 0644);
    check(fd >= 0, "the dir mount is writable");
    check_eq(wali_write(fd, "ok", 2), 2, "write to dir mount");
    wali_close(fd);
    /* The image's directory is read-only but the root around it is not. */
    check_eq(wali_mkdir("/tmp/fine", 0755), 0, "mkdir elsewhere");
    wprintf(1, "done\n");
    return 0;
}
'''


async def test_images_mount_read_only_in_a_cage_next_to_dir_mounts(tmp_path, build_c):
    src = tmp_path / "src"
    src.mkdir()
    make_tree(src)
    two = tmp_path / "two"
    two.mkdir()
    (two / "only-in-two").write_bytes(b"two")
    host = tmp_path / "host"
    host.mkdir()
    pack(src, tmp_path / "one.img")
    pack(two, tmp_path / "two.img")
    before = (tmp_path / "one.img").read_bytes()
    wasm = build_c(_GUEST, name="image_mount.c")
    async with Warden(images=[ImageMount(str(tmp_path / "one.img"), b"/img"),
                              ImageMount(str(tmp_path / "two.img"), b"/img2")],
                      dirs=[DirMount(str(host), b"/host")]) as w:
        r = await Harness(w).run(wasm)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"done\n"
    assert (host / "written").read_bytes() == b"ok"
    assert (tmp_path / "one.img").read_bytes() == before
    assert not (tmp_path / "one.img-wal").exists()


async def test_a_bad_image_stops_the_kernel_from_starting_and_releases_the_root_store(tmp_path):
    bad = tmp_path / "bad.img"
    bad.write_bytes(b"not an image at all")
    store = tmp_path / "fs.sqlite"
    with pytest.raises(StoreError, match="not an SQLite database"):
        Warden(fs=str(store), images=[ImageMount(str(bad), b"/img")])
    StoreFs(store).close()  # not left locked
