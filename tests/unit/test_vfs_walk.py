"""The generic path walker (kernel.vfs.vfs) over memfs, without cages: path_resolution(7) rules."""

from __future__ import annotations

import pytest

from abi.errno import Errno
from kernel.cage import Creds
from kernel.errors import SyscallError
from kernel.vfs.memfs import MemFs
from kernel.vfs.types import S_IFREG
from kernel.vfs.vfs import FsContext, Vfs

ROOT = Creds()
USER = Creds(1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000)


@pytest.fixture
def vfs() -> Vfs:
    fs = MemFs()
    r = fs.root()
    tmp = fs.mkdir(r, b"tmp", 0o1777, 0, 0)
    d = fs.mkdir(tmp, b"d", 0o755, 0, 0)
    fs.create(d, b"f", S_IFREG | 0o644, 0, 0)
    fs.symlink(tmp, b"abs", b"/tmp/d/f", 0, 0)
    fs.symlink(tmp, b"rel", b"d/f", 0, 0)
    fs.symlink(tmp, b"up", b"../../../..", 0, 0)
    fs.symlink(tmp, b"loop1", b"loop2", 0, 0)
    fs.symlink(tmp, b"loop2", b"loop1", 0, 0)
    fs.symlink(tmp, b"empty", b"", 0, 0)
    fs.mkdir(r, b"mnt", 0o755, 0, 0)
    v = Vfs(fs)
    inner = MemFs(dev=7)
    inner.mkdir(inner.root(), b"sub", 0o755, 0, 0)
    v.mount(inner, b"/mnt")
    return v


def walk(v: Vfs, path: bytes, *, creds: Creds = ROOT, follow: bool = True, ctx: FsContext | None = None):
    return v.walk(ctx or v.root_context(), creds, None, path, follow=follow)


def err(v: Vfs, path: bytes, **kw) -> int:
    with pytest.raises(SyscallError) as ei:
        walk(v, path, **kw)
    return ei.value.errno


def path_of(v: Vfs, path: bytes) -> bytes | None:
    return v.path_of(v.root_context(), walk(v, path))


def test_dot_and_dotdot(vfs):
    assert walk(vfs, b"/tmp/d/..") == walk(vfs, b"/tmp")
    assert walk(vfs, b"/..") == vfs.root_loc()
    assert walk(vfs, b"/../../tmp/./d/.") == walk(vfs, b"/tmp/d")
    assert walk(vfs, b"//tmp///d//") == walk(vfs, b"/tmp/d")


def test_symlinks_resolve_against_the_guest_root(vfs):
    f = walk(vfs, b"/tmp/d/f")
    assert walk(vfs, b"/tmp/abs") == f
    assert walk(vfs, b"/tmp/rel") == f
    assert walk(vfs, b"/tmp/up") == vfs.root_loc()
    assert walk(vfs, b"/tmp/abs", follow=False) != f
    # A chroot-like context: absolute links and ".." stop at its root.
    tmp = walk(vfs, b"/tmp")
    ctx = FsContext(tmp, tmp)
    assert walk(vfs, b"/d/f", ctx=ctx) == f
    assert walk(vfs, b"/up", ctx=ctx) == tmp
    assert walk(vfs, b"../../d/f", ctx=ctx) == f
    with pytest.raises(SyscallError) as ei:
        walk(vfs, b"/abs", ctx=ctx)  # /tmp/d/f seen from /tmp is /tmp/tmp/d/f
    assert ei.value.errno == Errno.ENOENT


def test_symlink_loops_and_the_40_link_limit(vfs):
    assert err(vfs, b"/tmp/loop1") == Errno.ELOOP
    assert err(vfs, b"/tmp/loop1/x") == Errno.ELOOP
    assert walk(vfs, b"/tmp/loop1", follow=False) is not None
    fs = vfs.rootfs
    tmp = walk(vfs, b"/tmp").inode
    fs.symlink(tmp, b"c0", b"d/f", 0, 0)
    for k in range(1, 42):
        fs.symlink(tmp, b"c%d" % k, b"c%d" % (k - 1), 0, 0)
    assert walk(vfs, b"/tmp/c39") == walk(vfs, b"/tmp/d/f")  # 40 links
    assert err(vfs, b"/tmp/c40") == Errno.ELOOP  # 41 links
    assert err(vfs, b"/tmp/empty") == Errno.ENOENT


def test_errors_on_the_way(vfs):
    assert err(vfs, b"") == Errno.ENOENT
    assert err(vfs, b"/tmp/missing") == Errno.ENOENT
    assert err(vfs, b"/tmp/missing/x") == Errno.ENOENT
    assert err(vfs, b"/tmp/d/f/x") == Errno.ENOTDIR
    assert err(vfs, b"/tmp/d/f/") == Errno.ENOTDIR
    assert err(vfs, b"/tmp/d/f/.") == Errno.ENOTDIR
    assert err(vfs, b"/tmp/d/f/..") == Errno.ENOTDIR
    assert err(vfs, b"/tmp/abs/") == Errno.ENOTDIR
    assert err(vfs, b"/tmp/" + b"x" * 256) == Errno.ENAMETOOLONG
    assert err(vfs, b"/tmp/" + b"x" * 255) == Errno.ENOENT


def test_search_permission(vfs):
    d = walk(vfs, b"/tmp/d")
    vfs.rootfs.setattr(d.inode, mode=0o644)
    assert err(vfs, b"/tmp/d/f", creds=USER) == Errno.EACCES
    assert err(vfs, b"/tmp/d/.", creds=USER) == Errno.EACCES
    assert walk(vfs, b"/tmp/d", creds=USER) == d  # the last component needs no x
    assert walk(vfs, b"/tmp/d/f") is not None  # root passes


def test_mounts_are_crossed_both_ways(vfs):
    m = walk(vfs, b"/mnt")
    assert m.mount is not vfs.root_mount and m.inode.ino == m.mount.root.ino
    assert walk(vfs, b"/mnt/sub/../..") == vfs.root_loc()
    assert walk(vfs, b"/mnt/..") == vfs.root_loc()
    assert path_of(vfs, b"/mnt/sub") == b"/mnt/sub"
    assert path_of(vfs, b"/tmp/d") == b"/tmp/d"
    assert path_of(vfs, b"/") == b"/"


def test_walk_parent_splits_the_last_component(vfs):
    ctx = vfs.root_context()
    d, name, trailing = vfs.walk_parent(ctx, ROOT, None, b"/tmp/d/new/")
    assert (d, name, trailing) == (walk(vfs, b"/tmp/d"), b"new", True)
    d, name, trailing = vfs.walk_parent(ctx, ROOT, None, b"///")
    assert (d, name) == (vfs.root_loc(), b".")
    d, name, _ = vfs.walk_parent(ctx, ROOT, None, b"/tmp/up/tmp")
    assert (d, name) == (vfs.root_loc(), b"tmp")  # the directory part follows symlinks
    for bad in (b"/tmp/d/f/x", b"/tmp/abs/.."):
        with pytest.raises(SyscallError) as ei:
            vfs.walk_parent(ctx, ROOT, None, bad)
        assert ei.value.errno == Errno.ENOTDIR
    with pytest.raises(SyscallError) as ei:
        vfs.walk_parent(ctx, ROOT, None, b"")
    assert ei.value.errno == Errno.ENOENT
