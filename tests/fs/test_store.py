"""The persistent store without cages: what survives a reopen, atomic commits, orphans,
the chunk cache, and store files that must be refused (and left untouched)."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.file import O_DSYNC, O_RDONLY, O_RDWR, O_SYNC, O_WRONLY
from kernel.vfs import fsck
from kernel.vfs.memfs import CHUNK
from kernel.vfs.store import APPLICATION_ID, SCHEMA_VERSION, StoreError, StoreFs
from kernel.vfs.types import S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK
from tests.fs._storeutil import raw_connect, raw_tree

ROOT = Path(__file__).resolve().parents[2]
SEEK_DATA = 3
SEEK_HOLE = 4


def read_all(fs: StoreFs, i, offset: int = 0, n: int | None = None) -> bytes:
    n = i.size - offset if n is None else n
    buf = bytearray(max(n, 0))
    got = fs.read(i, offset, memoryview(buf))
    return bytes(buf[:got])


def errno_of(fn, *args, **kw) -> int:
    with pytest.raises(SyscallError) as ei:
        fn(*args, **kw)
    return ei.value.errno


def crash(fs: StoreFs) -> None:
    """What a SIGKILL leaves: no final flush, no clean mark -- just the lock released."""
    db = fs._db
    assert db is not None and db.conn is not None
    db.conn.close()
    db.conn = None
    db._unlock()
    fs._db = None


def meta(path: Path, key: str):
    conn = raw_connect(str(path))
    try:
        row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else row[0]
    finally:
        conn.close()


# --- persistence ------------------------------------------------------------------------------


def test_every_kind_of_object_and_attribute_survives_reopen(tmp_path):
    path = tmp_path / "fs.sqlite"
    fs = StoreFs(path)
    r = fs.root()
    d = fs.mkdir(r, b"dir", 0o2750, 1000, 100)
    sub = fs.mkdir(d, b"sub", 0o700, 1001, 101)
    f = fs.create(d, b"file", S_IFREG | 0o4755, 1000, 100)
    fs.write(f, 0, b"contents\n")
    fs.link(r, b"hard", f)
    ln = fs.symlink(d, b"link", b"../hard", 5, 6)
    fifo = fs.create(r, b"fifo", S_IFIFO | 0o640, 7, 8)
    dev = fs.create(r, b"null", S_IFCHR | 0o666, 0, 0, rdev=(1 << 8) | 3)
    sock = fs.create(sub, b"sock", S_IFSOCK | 0o755, 9, 9)
    tmp = fs.mkdir(r, b"tmp", 0o1777, 0, 0)
    empty = fs.create(tmp, "é \x01name".encode(), S_IFREG | 0o600, 3, 4)
    fs.setattr(f, atime_ns=123_456_789, mtime_ns=-5_000_000_001)  # times before 1970 too
    before = {i.ino: fs.getattr(i) for i in (r, d, sub, f, ln, fifo, dev, sock, tmp, empty)}
    listing = {i.ino: sorted(fs.readdir(i)) for i in (r, d, sub, tmp)}
    fs.close()

    fs = StoreFs(path)
    try:
        inodes = fs.inodes
        for ino, st in before.items():
            assert fs.getattr(inodes[ino]) == st, ino
        for ino, entries in listing.items():
            assert sorted(fs.readdir(inodes[ino])) == entries
        r = fs.root()
        d = fs.lookup(r, b"dir")
        assert fs.lookup(d, b"file") is fs.lookup(r, b"hard")
        assert fs.readlink(fs.lookup(d, b"link")) == b"../hard"
        assert read_all(fs, fs.lookup(r, b"hard")) == b"contents\n"
        assert fs.getattr(fs.lookup(r, b"null")).rdev == (1 << 8) | 3
        sub = fs.lookup(d, b"sub")
        assert fs.parent(sub) is d and fs.name_of(sub) == b"sub"  # ".." and getcwd after reload
        assert fs.lookup(fs.lookup(r, b"tmp"), "é \x01name".encode()).size == 0
    finally:
        fs.close()


def test_inode_numbers_are_never_reused_across_reopen(tmp_path):
    path = tmp_path / "fs.sqlite"
    with StoreFs(path) as fs:
        a = fs.create(fs.root(), b"a", S_IFREG | 0o644, 0, 0).ino
        b = fs.create(fs.root(), b"b", S_IFREG | 0o644, 0, 0).ino
        fs.unlink(fs.root(), b"b")
    with StoreFs(path) as fs:
        c = fs.create(fs.root(), b"c", S_IFREG | 0o644, 0, 0).ino
        assert c > max(a, b)


def test_sparse_file_keeps_its_holes(tmp_path):
    path = tmp_path / "fs.sqlite"
    far = 10 << 30  # 10 GiB
    with StoreFs(path) as fs:
        f = fs.create(fs.root(), b"sparse", S_IFREG | 0o644, 0, 0)
        fs.write(f, 100, b"head")
        fs.write(f, far, b"tail")
    conn = raw_connect(str(path))
    assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 2  # holes are not stored
    conn.close()
    with StoreFs(path) as fs:
        f = fs.lookup(fs.root(), b"sparse")
        assert f.size == far + 4
        assert read_all(fs, f, 0, 104) == bytes(100) + b"head"
        assert read_all(fs, f, far - 3, 10) == b"\0\0\0tail"
        assert read_all(fs, f, 5 << 30, 4096) == bytes(4096)
        assert fs.getattr(f).blocks <= 2 * CHUNK // 512
        h = fs.open(f, O_RDWR)
        assert h.seek(0, SEEK_HOLE) == CHUNK
        assert h.seek(CHUNK, SEEK_DATA) == far // CHUNK * CHUNK
        h.release()


def test_large_file_reads_back_through_a_small_cache(tmp_path):
    path = tmp_path / "fs.sqlite"
    data = random.Random(1).randbytes(9 * CHUNK * 8 + 12345)  # ~4.6 MiB, a short last chunk
    with StoreFs(path) as fs:
        f = fs.create(fs.root(), b"big", S_IFREG | 0o644, 0, 0)
        for off in range(0, len(data), 300_000):  # writes that straddle chunks
            fs.write(f, off, data[off:off + 300_000])
    with StoreFs(path, cache_bytes=4 * CHUNK) as fs:
        f = fs.lookup(fs.root(), b"big")
        got = bytearray()
        for off in range(0, len(data), 100_000):
            got += read_all(fs, f, off, 100_000)
            assert fs.cached_bytes() <= 4 * CHUNK
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
        assert fs.stats["evictions"] > 0
        # Sequential reads fetch ahead: fewer queries than chunks.
        assert fs.stats["fetches"] < len(data) // CHUNK


def test_cache_eviction_keeps_data_and_rereads_it(tmp_path):
    path = tmp_path / "fs.sqlite"
    blocks = [bytes([i]) * CHUNK for i in range(1, 33)]
    with StoreFs(path) as fs:
        f = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
        fs.write(f, 0, b"".join(blocks))
    with StoreFs(path, cache_bytes=3 * CHUNK) as fs:
        f = fs.lookup(fs.root(), b"f")
        order = list(range(32))
        random.Random(2).shuffle(order)
        for _ in range(2):
            for ci in order:  # random access: every read evicts something
                assert read_all(fs, f, ci * CHUNK + 7, 5) == blocks[ci][:5]
        assert fs.cached_bytes() <= 3 * CHUNK
        assert fs.stats["evictions"] >= 32
        # A partial overwrite of an evicted chunk merges with the stored bytes.
        fs.write(f, 5 * CHUNK + 10, b"XY")
        assert read_all(fs, f, 5 * CHUNK + 8, 6) == bytes([6, 6]) + b"XY" + bytes([6, 6])
    with StoreFs(path) as fs:
        f = fs.lookup(fs.root(), b"f")
        assert read_all(fs, f, 5 * CHUNK + 8, 6) == bytes([6, 6]) + b"XY" + bytes([6, 6])


def test_dirty_chunks_survive_eviction_pressure(tmp_path):
    path = tmp_path / "fs.sqlite"
    with StoreFs(path) as fs:
        other = fs.create(fs.root(), b"other", S_IFREG | 0o644, 0, 0)
        fs.write(other, 0, b"o" * (20 * CHUNK))
    with StoreFs(path, cache_bytes=2 * CHUNK) as fs:
        fs.dirty_limit = 1000  # no write-back under pressure in this test
        f = fs.create(fs.root(), b"new", S_IFREG | 0o644, 0, 0)
        payload = bytes(range(256)) * (40 * CHUNK // 256)
        fs.write(f, 0, payload)
        assert fs.dirty_chunks() == 40
        other = fs.lookup(fs.root(), b"other")
        for ci in range(20):  # fetches push clean chunks out; dirty ones must stay
            read_all(fs, other, ci * CHUNK, 10)
        assert fs.stats["evictions"] > 0
        assert fs.dirty_chunks() == 40
        assert read_all(fs, f) == payload
    with StoreFs(path) as fs:
        assert read_all(fs, fs.lookup(fs.root(), b"new")) == payload


def test_writes_under_memory_pressure_are_written_back(tmp_path):
    path = tmp_path / "fs.sqlite"
    with StoreFs(path, cache_bytes=4 * CHUNK) as fs:
        fs.dirty_limit = 8
        f = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
        for ci in range(50):
            fs.write(f, ci * CHUNK, bytes([ci]) * CHUNK)
            assert fs.dirty_chunks() <= 8
        assert fs.stats["flushes"] >= 5
        assert fs.cached_bytes() <= 4 * CHUNK
        assert read_all(fs, f, 0, 50 * CHUNK) == b"".join(bytes([ci]) * CHUNK for ci in range(50))


_offsets = st.one_of(st.integers(0, 5 * CHUNK + 17), st.sampled_from([CHUNK - 1, CHUNK, 2 * CHUNK + 1]))
_ops = st.lists(st.one_of(
    st.tuples(st.just("write"), _offsets, st.binary(min_size=0, max_size=3000)),
    st.tuples(st.just("write_big"), _offsets, st.integers(1, 2 * CHUNK + 5), st.integers(1, 255)),
    st.tuples(st.just("truncate"), _offsets),
    st.tuples(st.just("flush"), st.booleans()),
    st.tuples(st.just("reopen"), st.booleans()),
), max_size=20)


@settings(max_examples=60, deadline=None)
@given(_ops)
def test_file_data_matches_a_model_across_flushes_evictions_and_reopens(ops):
    """Writes, truncates, flushes, clean and unclean reopens with a 2-chunk cache read
    back like a plain bytearray."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "fs.sqlite")
        fs = StoreFs(path, cache_bytes=2 * CHUNK)
        i = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
        fs.flush()
        committed = bytearray()
        model = bytearray()
        try:
            for op in ops:
                if op[0] == "truncate":
                    fs.truncate(i, op[1])
                    del model[op[1]:]
                    model.extend(bytes(op[1] - len(model)))
                elif op[0] == "flush":
                    fs.flush(durable=op[1])
                    committed = bytearray(model)
                elif op[0] == "reopen":
                    if op[1]:
                        fs.close()
                        committed = bytearray(model)
                    else:
                        crash(fs)  # what was not flushed is lost
                        model = bytearray(committed)
                    fs = StoreFs(path, cache_bytes=2 * CHUNK)
                    i = fs.lookup(fs.root(), b"f")
                else:
                    off = op[1]
                    data = op[2] if op[0] == "write" else bytes([op[3]]) * op[2]
                    fs.write(i, off, data)
                    if data:
                        model.extend(bytes(max(0, off - len(model))))
                        model[off:off + len(data)] = data
                assert i.size == len(model)
            assert read_all(fs, i, 0, len(model) + 10) == bytes(model)
            fs.close()
            conn = sqlite3.connect(path)
            assert fsck.check(conn).findings == []
            conn.close()
        finally:
            fs.close()


# --- atomicity and durability ---------------------------------------------------------------------


class _FailingConn:
    """A connection proxy whose chunk writes fail: the flush dies in the middle."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def executemany(self, sql, rows):
        if sql.startswith("INSERT OR REPLACE INTO chunks"):
            raise sqlite3.OperationalError("disk I/O error (injected)")
        return self._conn.executemany(sql, rows)


def test_a_flush_that_fails_midway_commits_nothing(tmp_path):
    """rename + link + unlink + data in one flush: a failure leaves the store exactly as before."""
    path = tmp_path / "fs.sqlite"
    fs = StoreFs(path)
    r = fs.root()
    d = fs.mkdir(r, b"d", 0o755, 0, 0)
    a = fs.create(d, b"a", S_IFREG | 0o644, 0, 0)
    fs.write(a, 0, b"old")
    fs.create(r, b"victim", S_IFREG | 0o644, 0, 0)
    fs.flush(durable=True)
    before = raw_tree(str(path))

    e = fs.mkdir(r, b"e", 0o755, 0, 0)
    fs.rename(d, b"a", e, b"b", 0)
    fs.link(r, b"b2", a)
    fs.unlink(r, b"victim")
    fs.write(a, 0, b"new!")
    real = fs._db.conn
    fs._db.conn = _FailingConn(real)
    with pytest.raises(OSError) as ei:
        fs.flush(durable=True)
    assert ei.value.errno == Errno.EIO
    with pytest.raises(SyscallError) as si:
        fs.fsync(a, False)  # fsync reports the failure as EIO
    assert si.value.errno == Errno.EIO
    assert raw_tree(str(path)) == before  # nothing of the rename, link, unlink or data
    conn = raw_connect(str(path))
    assert fsck.check(conn).findings == []
    conn.close()

    fs._db.conn = real
    fs.flush(durable=True)  # the changes stayed dirty: now they all land together
    after = raw_tree(str(path))
    assert "/d/a" not in after and "/victim" not in after
    assert after["/e/b"].data == b"new!" and after["/b2"].ino == after["/e/b"].ino
    assert after["/e/b"].nlink == 2 and after["/d"].nlink == 2 and after["/e"].nlink == 2
    fs.close()


_KILLER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from kernel.vfs.store import StoreFs
    from kernel.vfs.types import S_IFREG
    fs = StoreFs({path!r})
    r = fs.root()
    d = fs.mkdir(r, b"kept", 0o755, 0, 0)
    f = fs.create(d, b"f", S_IFREG | 0o644, 0, 0)
    fs.write(f, 0, b"committed")
    fs.flush(durable=False)      # not fsync'd: must still survive a kill of the process
    fs.rename(d, b"f", r, b"moved", 0)
    fs.write(f, 0, b"LOST LOST")
    fs.mkdir(r, b"lost", 0o755, 0, 0)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_sigkill_keeps_the_last_committed_snapshot(tmp_path):
    path = tmp_path / "fs.sqlite"
    p = subprocess.run([sys.executable, "-c", _KILLER.format(root=str(ROOT), path=str(path))],
                       capture_output=True, timeout=60)
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert meta(path, "clean") == 0
    conn = sqlite3.connect(path)
    assert fsck.check(conn).findings == []  # a consistent snapshot: nothing to repair
    conn.close()
    with StoreFs(path) as fs:
        assert fs.recovery is not None and fs.recovery.clean
        r = fs.root()
        assert sorted(r.entries) == [b"kept"]
        assert read_all(fs, fs.lookup(fs.lookup(r, b"kept"), b"f")) == b"committed"
    assert meta(path, "clean") == 1


def test_fsync_and_sync_commit_durably(tmp_path):
    path = tmp_path / "fs.sqlite"
    with StoreFs(path) as fs:
        f = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
        fs.write(f, 0, b"one")
        assert "/f" not in raw_tree(str(path))  # only in memory so far
        assert fs.fsync(f, False) == 0
        assert raw_tree(str(path))["/f"].data == b"one"
        fs.write(f, 0, b"two")
        fs.sync()
        assert raw_tree(str(path))["/f"].data == b"two"
        # Commits that were not fsync'd get a commit that is: fsync with nothing dirty still writes.
        fs.write(f, 0, b"3")
        fs.flush(durable=False)
        gen = meta(path, "generation")
        fs.fsync(f, True)
        assert meta(path, "generation") == gen + 1
        fs.fsync(f, True)  # nothing unsynced now: no write at all
        assert meta(path, "generation") == gen + 1
        # fsync of a directory makes its entries durable, as on Linux.
        d = fs.open(fs.root(), O_RDONLY)
        fs.rename(fs.root(), b"f", fs.root(), b"g", 0)
        assert "/g" not in raw_tree(str(path))
        assert d.fsync(False) == 0
        assert "/g" in raw_tree(str(path)) and "/f" not in raw_tree(str(path))
        d.release()


@pytest.mark.parametrize("flag", [O_SYNC, O_DSYNC])
def test_o_sync_writes_are_committed_before_they_return(tmp_path, flag):
    path = tmp_path / "fs.sqlite"
    with StoreFs(path) as fs:
        f = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
        plain = fs.open(f, O_WRONLY)
        plain.write_from(None, memoryview(b"plain"))
        assert raw_tree(str(path)).get("/f") is None or raw_tree(str(path))["/f"].data != b"plain"
        synced = fs.open(f, O_WRONLY | flag)
        synced.write_from(None, memoryview(b"SYNC"))
        assert raw_tree(str(path))["/f"].data == b"SYNCn"
        synced.pwrite_from(memoryview(b"!"), 5)
        assert raw_tree(str(path))["/f"].data == b"SYNCn!"
        plain.pwrite_from(memoryview(b"?"), 6)
        assert raw_tree(str(path))["/f"].data == b"SYNCn!"
        plain.release()
        synced.release()


def test_clean_flag_tracks_open_and_close(tmp_path):
    path = tmp_path / "fs.sqlite"
    fs = StoreFs(path)
    assert meta(path, "clean") == 0  # durably marked in use before serving
    fs.close()
    assert meta(path, "clean") == 1
    assert not os.path.exists(str(path) + "-wal") or os.path.getsize(str(path) + "-wal") == 0
    with StoreFs(path) as fs:
        assert fs.recovery is None


# --- orphans -----------------------------------------------------------------------------------------


def test_unlinked_open_file_is_an_orphan_until_its_last_close(tmp_path):
    path = tmp_path / "fs.sqlite"
    with StoreFs(path) as fs:
        f = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
        fs.write(f, 0, b"x" * (3 * CHUNK))
        h1 = fs.open(f, O_RDWR)
        h2 = fs.open(f, O_RDWR)
        fs.unlink(fs.root(), b"f")
        fs.flush()
        conn = raw_connect(str(path))
        assert conn.execute("SELECT nlink FROM inodes WHERE ino=?", (f.ino,)).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM chunks WHERE ino=?", (f.ino,)).fetchone() == (3,)
        assert [x.kind for x in fsck.check(conn).findings] == ["orphan"]
        conn.close()
        assert read_all(fs, f, 0, 4) == b"xxxx"
        h1.release()
        fs.flush()
        assert f.ino in fs.inodes
        h2.release()  # last close: gone from memory and, at the next flush, from the store
        fs.flush()
        conn = raw_connect(str(path))
        assert conn.execute("SELECT count(*) FROM inodes WHERE ino=?", (f.ino,)).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM chunks WHERE ino=?", (f.ino,)).fetchone() == (0,)
        assert fsck.check(conn).findings == []
        conn.close()


def test_orphans_left_by_a_crash_are_removed_at_the_next_open(tmp_path):
    path = tmp_path / "fs.sqlite"
    fs = StoreFs(path)
    f = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
    fs.write(f, 0, b"data")
    t = fs.create_unnamed(S_IFREG | 0o600, 0, 0)  # O_TMPFILE, never linked
    fs.write(t, 0, b"tmp")
    hf, ht = fs.open(f, O_RDWR), fs.open(t, O_RDWR)
    fs.unlink(fs.root(), b"f")
    fs.flush(durable=True)
    crash(fs)
    del hf, ht
    with StoreFs(path) as fs:
        rec = fs.recovery
        assert rec is not None and rec.clean
        assert sorted(x.ino for x in rec.findings if x.kind == "orphan") == sorted([f.ino, t.ino])
        assert f.ino not in fs.inodes and t.ino not in fs.inodes
    conn = raw_connect(str(path))
    assert conn.execute("SELECT count(*) FROM chunks").fetchone() == (0,)
    conn.close()


def test_clean_close_drops_files_still_open_after_unlink(tmp_path):
    path = tmp_path / "fs.sqlite"
    fs = StoreFs(path)
    f = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
    fs.write(f, 0, b"data")
    fs.open(f, O_RDWR)  # never released: the kernel stopped with the file open
    fs.unlink(fs.root(), b"f")
    fs.close()
    conn = raw_connect(str(path))
    assert conn.execute("SELECT count(*) FROM inodes").fetchone() == (1,)  # the root alone
    assert fsck.check(conn).findings == []
    conn.close()


# --- read-only, locking ------------------------------------------------------------------------------


def test_readonly_store_refuses_every_change_with_erofs(tmp_path):
    path = tmp_path / "fs.sqlite"
    with StoreFs(path) as fs:
        f = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
        fs.write(f, 0, b"x")
    data = path.read_bytes()
    with StoreFs(path, readonly=True) as fs:
        r = fs.root()
        f = fs.lookup(r, b"f")
        assert read_all(fs, f) == b"x"
        for call in (lambda: fs.create(r, b"g", S_IFREG | 0o644, 0, 0), lambda: fs.mkdir(r, b"d", 0o755, 0, 0),
                     lambda: fs.unlink(r, b"f"), lambda: fs.rename(r, b"f", r, b"g", 0),
                     lambda: fs.symlink(r, b"l", b"f", 0, 0), lambda: fs.link(r, b"h", f),
                     lambda: fs.write(f, 0, b"y"), lambda: fs.truncate(f, 0),
                     lambda: fs.setattr(f, mode=0o600), lambda: fs.create_unnamed(S_IFREG, 0, 0)):
            assert errno_of(call) == Errno.EROFS
        fs.sync()
    assert path.read_bytes() == data


def test_a_store_is_used_by_one_kernel_at_a_time(tmp_path):
    path = tmp_path / "fs.sqlite"
    fs = StoreFs(path)
    with pytest.raises(StoreError, match="in use"):
        StoreFs(path)
    with pytest.raises(StoreError, match="in use"):
        StoreFs(path, readonly=True)
    fs.close()
    StoreFs(path).close()


def test_a_missing_store_is_created_but_never_for_readonly(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        StoreFs(tmp_path / "none.sqlite", readonly=True)
    with pytest.raises(StoreError, match="no such store"):
        StoreFs(tmp_path / "none.sqlite", create=False)
    assert not (tmp_path / "none.sqlite").exists()
    with StoreFs(tmp_path / "new.sqlite", uid=5, gid=6) as fs:
        assert (fs.root().uid, fs.root().gid, fs.root().mode) == (5, 6, S_IFDIR | 0o755)
    assert sorted(os.listdir(tmp_path)) == ["new.sqlite"]  # no temporary files left behind


# --- files that are not (good) stores ----------------------------------------------------------------


def _good_store(path: Path) -> None:
    with StoreFs(path) as fs:
        d = fs.mkdir(fs.root(), b"d", 0o755, 0, 0)
        for n in range(40):
            f = fs.create(d, b"f%d" % n, S_IFREG | 0o644, 0, 0)
            fs.write(f, 0, bytes([n]) * 5000)


def _sqlite_not_ours(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes(x)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()


def _other_app(path: Path) -> None:
    _sqlite_not_ours(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id=1234")
    conn.close()


def _truncated(path: Path) -> None:
    _good_store(path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _corrupted(path: Path) -> None:
    _good_store(path)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for p in range(1, len(data) // page):  # scribble over every b-tree page header but the first
        data[p * page:p * page + 8] = b"\x0d\xff\xff\xff\xff\xff\xff\xff"
    path.write_bytes(bytes(data))


def _newer(path: Path) -> None:
    _good_store(path)
    data = bytearray(path.read_bytes())
    data[60:64] = (SCHEMA_VERSION + 1).to_bytes(4, "big")
    path.write_bytes(bytes(data))


def _no_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    conn.execute("CREATE TABLE meta(key, value)")
    conn.close()


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: p.write_bytes(b"just some text\n" * 100), "not an SQLite database"),
    (lambda p: p.write_bytes(b""), "empty file"),
    (lambda p: p.write_bytes(b"SQLite format 3\0" + bytes(20)), "truncated"),
    (_sqlite_not_ours, "not a Warden filesystem store"),
    (_other_app, "application_id 0x4d2"),
    (_truncated, "truncated"),
    (_corrupted, "corrupt"),
    (_newer, "newer than this warden supports"),
    (_no_tables, "not a valid Warden store"),
], ids=["text", "empty", "short-header", "foreign-sqlite", "other-application", "truncated", "corrupted",
        "newer-schema", "no-tables"])
def test_bad_store_files_are_refused_and_left_unchanged(tmp_path, make, reason):
    path = tmp_path / "fs.sqlite"
    make(path)
    before = path.read_bytes()
    for readonly in (False, True):
        with pytest.raises(StoreError) as ei:
            StoreFs(path, readonly=readonly)
        assert reason in str(ei.value) and str(path) in str(ei.value)
        assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["fs.sqlite"]  # no -wal/-shm or replacement created


def test_a_directory_is_not_a_store(tmp_path):
    with pytest.raises(StoreError, match="is a directory"):
        StoreFs(tmp_path)
