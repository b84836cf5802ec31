"""memfs without cages: file data against a bytearray model, link counts, rename, O_TMPFILE inodes."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.file import O_RDWR
from kernel.vfs.memfs import CHUNK, MAX_FILE_SIZE, MemFs
from kernel.vfs.types import S_IFDIR, S_IFREG

SEEK_DATA = 3
SEEK_HOLE = 4


def errno_of(fn, *args, **kw) -> int:
    with pytest.raises(SyscallError) as ei:
        fn(*args, **kw)
    return ei.value.errno


def read_all(fs: MemFs, i, offset: int, n: int) -> bytes:
    buf = bytearray(n)
    got = fs.read(i, offset, memoryview(buf))
    return bytes(buf[:got])


# Offsets straddle chunk boundaries on purpose.
_offsets = st.one_of(st.integers(0, 3 * CHUNK + 17), st.sampled_from([CHUNK - 1, CHUNK, 2 * CHUNK + 1]))
_ops = st.lists(st.one_of(
    st.tuples(st.just("write"), _offsets, st.binary(min_size=0, max_size=3000)),
    st.tuples(st.just("truncate"), _offsets),
    st.tuples(st.just("write_big"), _offsets, st.integers(1, 2 * CHUNK + 5), st.integers(1, 255)),
), max_size=25)


@settings(max_examples=150, deadline=None)
@given(_ops)
def test_file_data_matches_a_bytearray_model(ops):
    """Any sequence of writes and truncates reads back like a plain bytearray; holes are zeros."""
    fs = MemFs()
    i = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
    model = bytearray()
    for op in ops:
        if op[0] == "truncate":
            size = op[1]
            fs.truncate(i, size)
            del model[size:]
            model.extend(bytes(size - len(model)))
        else:
            off = op[1]
            data = op[2] if op[0] == "write" else bytes([op[3]]) * op[2]
            assert fs.write(i, off, data) == len(data)
            if data:
                if len(model) < off:
                    model.extend(bytes(off - len(model)))
                model[off:off + len(data)] = data
        assert i.size == len(model)
    assert read_all(fs, i, 0, len(model) + 10) == bytes(model)
    # Every chunk of content equals the model, from any start offset.
    for start in (0, 1, CHUNK - 1, CHUNK, len(model) // 2):
        assert read_all(fs, i, start, 5000) == bytes(model[start:start + 5000])


@settings(max_examples=100, deadline=None)
@given(_ops, st.integers(0, 4 * CHUNK))
def test_seek_data_and_hole_never_skip_data(ops, where):
    """SEEK_DATA never jumps over a non-zero byte; SEEK_HOLE lands in [offset, size]."""
    fs = MemFs()
    i = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
    for op in ops:
        if op[0] == "truncate":
            fs.truncate(i, op[1])
        elif op[0] == "write":
            fs.write(i, op[1], op[2])
        else:
            fs.write(i, op[1], bytes([op[3]]) * op[2])
    f = fs.open(i, O_RDWR)
    content = read_all(fs, i, 0, i.size)
    if where >= i.size:
        assert errno_of(f.seek, where, SEEK_DATA) == Errno.ENXIO
        assert errno_of(f.seek, where, SEEK_HOLE) == Errno.ENXIO
        return
    hole = f.seek(where, SEEK_HOLE)
    assert where <= hole <= i.size
    try:
        data = f.seek(where, SEEK_DATA)
    except SyscallError as e:
        assert e.errno == Errno.ENXIO
        data = i.size
    assert where <= data <= i.size
    assert not any(content[where:data]), "SEEK_DATA skipped data"


def test_truncate_limits():
    fs = MemFs()
    i = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
    assert errno_of(fs.truncate, i, -1) == Errno.EINVAL
    assert errno_of(fs.truncate, i, MAX_FILE_SIZE + 1) == Errno.EFBIG
    assert errno_of(fs.write, i, MAX_FILE_SIZE, b"x") == Errno.EFBIG
    fs.truncate(i, MAX_FILE_SIZE)  # sparse: costs nothing
    assert i.size == MAX_FILE_SIZE
    assert read_all(fs, i, MAX_FILE_SIZE - 4, 10) == bytes(4)
    d = fs.mkdir(fs.root(), b"d", 0o755, 0, 0)
    assert errno_of(fs.truncate, d, 0) == Errno.EISDIR


def test_directory_link_counts_through_mkdir_rmdir_and_rename():
    fs = MemFs()
    r = fs.root()
    a = fs.mkdir(r, b"a", 0o755, 0, 0)
    b = fs.mkdir(r, b"b", 0o755, 0, 0)
    assert (r.nlink, a.nlink, b.nlink) == (4, 2, 2)
    s = fs.mkdir(a, b"s", 0o755, 0, 0)
    assert a.nlink == 3
    fs.rename(a, b"s", b, b"s", 0)
    assert (a.nlink, b.nlink, s.parent) == (2, 3, b)
    # Replacing an empty directory drops one subdirectory of the target parent.
    t = fs.mkdir(a, b"t", 0o755, 0, 0)
    fs.rename(a, b"t", b, b"s", 0)
    assert (a.nlink, b.nlink, s.nlink) == (2, 3, 0)
    assert b.entries[b"s"] is t
    assert s.ino not in fs.inodes
    assert errno_of(fs.rmdir, r, b"b") == Errno.ENOTEMPTY
    fs.rmdir(b, b"s")
    fs.rmdir(r, b"b")
    assert r.nlink == 3
    assert errno_of(fs.rmdir, r, b"missing") == Errno.ENOENT
    f = fs.create(a, b"f", S_IFREG | 0o644, 0, 0)
    assert errno_of(fs.rmdir, a, b"f") == Errno.ENOTDIR
    assert errno_of(fs.unlink, r, b"a") == Errno.EISDIR
    fs.link(r, b"f2", f)
    assert f.nlink == 2
    assert errno_of(fs.link, r, b"a2", a) == Errno.EPERM


def test_rename_exchange_swaps_and_fixes_parents():
    fs = MemFs()
    r = fs.root()
    a = fs.mkdir(r, b"a", 0o755, 0, 0)
    b = fs.mkdir(r, b"b", 0o755, 0, 0)
    d = fs.mkdir(a, b"d", 0o755, 0, 0)
    f = fs.create(b, b"f", S_IFREG | 0o644, 0, 0)
    fs.rename(a, b"d", b, b"f", 2)
    assert a.entries[b"d"] is f and b.entries[b"f"] is d
    assert d.parent is b and d.name == b"f"
    assert (a.nlink, b.nlink) == (2, 3)
    assert errno_of(fs.rename, a, b"d", b, b"none", 2) == Errno.ENOENT


def test_unlinked_open_file_lives_until_closed():
    fs = MemFs()
    i = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
    fs.write(i, 0, b"data")
    f = fs.open(i, O_RDWR)
    fs.unlink(fs.root(), b"f")
    assert i.ino in fs.inodes and i.nlink == 0
    assert read_all(fs, i, 0, 4) == b"data"
    f.release()
    assert i.ino not in fs.inodes


def test_unnamed_inode_is_linkable_once():
    fs = MemFs()
    i = fs.create_unnamed(S_IFREG | 0o600, 0, 0)
    f = fs.open(i, O_RDWR)
    assert i.nlink == 0
    fs.link(fs.root(), b"named", i)
    assert i.nlink == 1 and fs.root().entries[b"named"] is i
    fs.unlink(fs.root(), b"named")
    assert errno_of(fs.link, fs.root(), b"again", i) == Errno.ENOENT
    j = fs.create_unnamed(S_IFREG | 0o600, 0, 0, linkable=False)
    assert errno_of(fs.link, fs.root(), b"never", j) == Errno.ENOENT
    f.release()
    assert i.ino not in fs.inodes


def test_readdir_lists_dot_dotdot_and_types():
    fs = MemFs()
    d = fs.mkdir(fs.root(), b"d", 0o755, 0, 0)
    fs.create(d, b"f", S_IFREG | 0o644, 0, 0)
    fs.symlink(d, b"l", b"f", 0, 0)
    fs.mkdir(d, b"s", 0o755, 0, 0)
    names = {n: t for n, _ino, t in fs.readdir(d)}
    assert names == {b".": 4, b"..": 4, b"f": 8, b"l": 10, b"s": 4}
    assert fs.getattr(d).mode == S_IFDIR | 0o755


def test_new_names_are_checked():
    fs = MemFs()
    r = fs.root()
    fs.create(r, b"f", S_IFREG | 0o644, 0, 0)
    assert errno_of(fs.create, r, b"f", S_IFREG | 0o644, 0, 0) == Errno.EEXIST
    assert errno_of(fs.mkdir, r, b"x" * 256, 0o755, 0, 0) == Errno.ENAMETOOLONG
    d = fs.mkdir(r, b"d", 0o755, 0, 0)
    fs.rmdir(r, b"d")
    assert errno_of(fs.create, d, b"late", S_IFREG | 0o644, 0, 0) == Errno.ENOENT


def test_seek_rejects_offsets_outside_off_t():
    fs = MemFs()
    i = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
    f = fs.open(i, O_RDWR)
    assert f.seek(MAX_FILE_SIZE, os.SEEK_SET) == MAX_FILE_SIZE
    assert errno_of(f.seek, 1, os.SEEK_CUR) == Errno.EINVAL
    assert errno_of(f.seek, -1, os.SEEK_SET) == Errno.EINVAL
    assert f.offset == MAX_FILE_SIZE
