"""hostfs without cages: single-name operations, exact modes, and confinement when the host
swaps a path component for a symlink after the guest looked it up (a TOCTOU race)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.file import O_RDONLY, O_RDWR
from kernel.vfs.hostfs import HostFs
from kernel.vfs.types import S_IFREG


@pytest.fixture
def layout(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    shared = tmp_path / "shared"
    (shared / "a").mkdir(parents=True)
    (shared / "a" / "f").write_bytes(b"data")
    return shared, outside, HostFs(str(shared), dev=9)


def errno_of(fn, *args, **kw) -> int:
    with pytest.raises(SyscallError) as ei:
        fn(*args, **kw)
    return ei.value.errno


def test_errors_are_syscall_errors(layout):
    _shared, _outside, fs = layout
    assert errno_of(fs.lookup, fs.root(), b"missing") == Errno.ENOENT
    a = fs.lookup(fs.root(), b"a")
    f = fs.lookup(a, b"f")
    assert errno_of(fs.lookup, f, b"x") == Errno.ENOTDIR
    assert errno_of(fs.mkdir, fs.root(), b"a", 0o755, 0, 0) == Errno.EEXIST
    assert errno_of(fs.rmdir, fs.root(), b"a") == Errno.ENOTEMPTY
    assert errno_of(fs.readlink, f) == Errno.EINVAL


def test_created_modes_ignore_the_process_umask(layout):
    shared, _outside, fs = layout
    old = os.umask(0o077)
    try:
        fs.create(fs.root(), b"f666", S_IFREG | 0o666, 0, 0)
        fs.mkdir(fs.root(), b"d777", 0o777, 0, 0)
    finally:
        os.umask(old)
    assert stat.S_IMODE((shared / "f666").stat().st_mode) == 0o666
    assert stat.S_IMODE((shared / "d777").stat().st_mode) == 0o777


def test_setattr_refreshes_the_cached_mode(layout):
    _shared, _outside, fs = layout
    f = fs.lookup(fs.lookup(fs.root(), b"a"), b"f")
    fs.setattr(f, mode=0o600)
    assert stat.S_IMODE(f.mode) == 0o600  # the generic permission checks read inode.mode


def swap_for_symlink(path: Path, target: Path) -> None:
    path.rename(path.with_name(path.name + ".old"))
    os.symlink(str(target), path)


def test_a_directory_swapped_for_a_symlink_is_not_followed(layout):
    shared, outside, fs = layout
    a = fs.lookup(fs.root(), b"a")  # the guest looked "a" up while it was a directory
    swap_for_symlink(shared / "a", outside)
    before = sorted(os.listdir(outside))
    for op in (
        lambda: fs.create(a, b"x", S_IFREG | 0o644, 0, 0),
        lambda: fs.mkdir(a, b"x", 0o755, 0, 0),
        lambda: fs.symlink(a, b"x", b"t", 0, 0),
        lambda: fs.lookup(a, b"secret"),
        lambda: fs.unlink(a, b"secret"),
        lambda: fs.readdir(a),
        lambda: fs.rename(a, b"secret", fs.root(), b"stolen", 0),
    ):
        with pytest.raises(SyscallError):
            op()
    assert sorted(os.listdir(outside)) == before
    assert (outside / "secret").read_bytes() == b"secret"
    assert not (shared / "stolen").exists()


def test_a_file_swapped_for_a_symlink_is_not_followed(layout):
    shared, outside, fs = layout
    f = fs.lookup(fs.lookup(fs.root(), b"a"), b"f")
    swap_for_symlink(shared / "a" / "f", outside / "secret")
    assert errno_of(fs.open, f, O_RDWR) == Errno.ELOOP
    assert errno_of(fs.open, f, O_RDONLY) == Errno.ELOOP
    assert errno_of(fs.truncate, f, 0) == Errno.ELOOP
    for kw in ({"mode": 0o777}, {"atime_ns": 0, "mtime_ns": 0}):
        try:
            fs.setattr(f, **kw)  # at most the symlink itself changes
        except SyscallError:
            pass
    st = (outside / "secret").stat()
    assert (outside / "secret").read_bytes() == b"secret"
    assert stat.S_IMODE(st.st_mode) != 0o777 and st.st_mtime_ns != 0


def test_readdir_and_dot_dot(layout):
    _shared, _outside, fs = layout
    a = fs.lookup(fs.root(), b"a")
    names = {n: t for n, _ino, t in fs.readdir(a)}
    assert names == {b".": 4, b"..": 4, b"f": 8}
    assert fs.parent(a).ino == fs.root().ino
    assert fs.parent(fs.root()) is None  # the generic layer handles the mount root's ".."
