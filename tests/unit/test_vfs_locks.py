"""kernel.locks without cages: range splitting, upgrades, deadlock detection, wake-ups."""

from __future__ import annotations

import struct

import pytest

from abi.errno import Errno
from kernel import locks
from kernel.block import Block
from kernel.errors import SyscallError
from kernel.file import O_RDWR
from kernel.vfs.memfs import MemFs
from kernel.vfs.types import S_IFREG

F_RDLCK, F_WRLCK, F_UNLCK = 0, 1, 2
F_GETLK, F_SETLK, F_SETLKW = 5, 6, 7
ARG = 64


class FakeMem:
    def __init__(self) -> None:
        self.buf = bytearray(256)

    def unpack(self, st: struct.Struct, ptr: int) -> tuple[int, ...]:
        return st.unpack_from(self.buf, ptr)

    def pack(self, st: struct.Struct, ptr: int, *values: object) -> None:
        st.pack_into(self.buf, ptr, *values)


class FakeCage:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.mem = FakeMem()


@pytest.fixture
def file():
    fs = MemFs()
    inode = fs.create(fs.root(), b"f", S_IFREG | 0o644, 0, 0)
    opened = []

    def open_():
        f = fs.open(inode, O_RDWR)
        opened.append(f)
        return f

    yield open_
    for f in opened:
        locks.on_release(f)
    for pid in range(1, 10):
        locks.on_exit(pid)
    assert not locks._FILES, "a test left locks behind"


def fcntl(cage: FakeCage, f, cmd: int, typ: int, start: int, length: int):
    cage.mem.pack(locks.FLOCK, ARG, typ, 0, start, length, 0)
    return locks.fcntl_lock(cage, f, cmd, ARG)


def getlk(cage: FakeCage, f, typ: int, start: int, length: int) -> tuple[int, ...]:
    assert fcntl(cage, f, F_GETLK, typ, start, length) == 0
    return cage.mem.unpack(locks.FLOCK, ARG)


def errno_of(fn, *args) -> int:
    with pytest.raises(SyscallError) as ei:
        fn(*args)
    return ei.value.errno


def test_unlocking_the_middle_splits_a_lock(file):
    a, b = FakeCage(1), FakeCage(2)
    fa, fb = file(), file()
    assert fcntl(a, fa, F_SETLK, F_WRLCK, 0, 100) == 0
    assert fcntl(a, fa, F_SETLK, F_UNLCK, 40, 20) == 0
    assert fcntl(b, fb, F_SETLK, F_WRLCK, 40, 20) == 0
    assert errno_of(fcntl, b, fb, F_SETLK, F_RDLCK, 39, 1) == Errno.EAGAIN
    assert errno_of(fcntl, b, fb, F_SETLK, F_RDLCK, 60, 1) == Errno.EAGAIN
    typ, _w, start, length, pid = getlk(b, fb, F_WRLCK, 0, 0)
    assert (typ, start, length, pid) == (F_WRLCK, 0, 40, 1)
    typ, _w, start, length, pid = getlk(b, fb, F_WRLCK, 70, 5)
    assert (typ, start, length, pid) == (F_WRLCK, 60, 40, 1)


def test_adjacent_locks_of_one_owner_merge_and_can_be_released_at_once(file):
    a, b = FakeCage(1), FakeCage(2)
    fa, fb = file(), file()
    assert fcntl(a, fa, F_SETLK, F_RDLCK, 0, 10) == 0
    assert fcntl(a, fa, F_SETLK, F_RDLCK, 10, 10) == 0
    typ, _w, start, length, _pid = getlk(b, fb, F_WRLCK, 0, 0)
    assert (typ, start, length) == (F_RDLCK, 0, 20)
    assert fcntl(a, fa, F_SETLK, F_UNLCK, 0, 0) == 0
    assert getlk(b, fb, F_WRLCK, 0, 0)[0] == F_UNLCK


def test_upgrade_needs_no_other_readers(file):
    a, b = FakeCage(1), FakeCage(2)
    fa, fb = file(), file()
    assert fcntl(a, fa, F_SETLK, F_RDLCK, 0, 10) == 0
    assert fcntl(a, fa, F_SETLK, F_WRLCK, 0, 10) == 0  # alone: upgrade
    assert fcntl(a, fa, F_SETLK, F_RDLCK, 0, 10) == 0  # downgrade
    assert fcntl(b, fb, F_SETLK, F_RDLCK, 5, 1) == 0
    assert errno_of(fcntl, a, fa, F_SETLK, F_WRLCK, 0, 10) == Errno.EAGAIN


def test_setlkw_blocks_then_succeeds_when_the_holder_releases(file):
    a, b = FakeCage(1), FakeCage(2)
    fa, fb = file(), file()
    assert fcntl(a, fa, F_SETLK, F_WRLCK, 0, 1) == 0
    blk = fcntl(b, fb, F_SETLKW, F_WRLCK, 0, 1)
    assert isinstance(blk, Block)
    woke = []
    for q in blk.queues:
        q.add(lambda: woke.append(1))
    assert isinstance(blk.retry(), Block)  # still held: waits again
    locks.on_close(a.pid, fa)  # POSIX: any close by the holder drops its locks
    assert woke, "waiters are notified"
    assert blk.retry() == 0
    assert getlk(a, fa, F_WRLCK, 0, 1)[4] == 2


def test_edeadlk_when_waiting_would_close_a_cycle(file):
    a, b = FakeCage(1), FakeCage(2)
    fa, fb = file(), file()
    assert fcntl(a, fa, F_SETLK, F_WRLCK, 0, 1) == 0
    assert fcntl(b, fb, F_SETLK, F_WRLCK, 1, 1) == 0
    assert isinstance(fcntl(a, fa, F_SETLKW, F_WRLCK, 1, 1), Block)  # a waits for b
    assert errno_of(fcntl, b, fb, F_SETLKW, F_WRLCK, 0, 1) == Errno.EDEADLK
    locks.on_exit(b.pid)


def test_exit_releases_record_locks(file):
    a, b = FakeCage(1), FakeCage(2)
    fa, fb = file(), file()
    assert fcntl(a, fa, F_SETLK, F_WRLCK, 0, 0) == 0
    locks.on_exit(a.pid)
    assert fcntl(b, fb, F_SETLK, F_WRLCK, 0, 0) == 0


def test_flock_shared_exclusive_and_conversion(file):
    a, b = FakeCage(1), FakeCage(2)
    fa, fb = file(), file()
    assert locks.flock(a, fa, 1) == 0
    assert locks.flock(b, fb, 1 | 4) == 0
    assert errno_of(locks.flock, b, fb, 2 | 4) == Errno.EWOULDBLOCK
    assert locks.flock(b, fb, 8) == 0
    assert locks.flock(a, fa, 2 | 4) == 0  # convert to exclusive
    blk = locks.flock(b, fb, 2)
    assert isinstance(blk, Block)
    locks.on_release(fa)  # last fd of the description closed
    assert blk.retry() == 0


def test_getlk_with_unlck_is_einval(file):
    a = FakeCage(1)
    assert errno_of(fcntl, a, file(), F_GETLK, F_UNLCK, 0, 1) == Errno.EINVAL


def test_an_interrupted_wait_leaves_no_deadlock_edge(file):
    a, b = FakeCage(1), FakeCage(2)
    fa, fb = file(), file()
    assert fcntl(a, fa, F_SETLK, F_WRLCK, 0, 1) == 0
    assert fcntl(b, fb, F_SETLK, F_WRLCK, 1, 1) == 0
    blk = fcntl(a, fa, F_SETLKW, F_WRLCK, 1, 1)
    assert isinstance(blk, Block) and blk.on_interrupt is not None
    assert blk.on_interrupt(-int(Errno.EINTR)) == -int(Errno.EINTR)  # a signal: a gave up
    assert isinstance(fcntl(b, fb, F_SETLKW, F_WRLCK, 0, 1), Block), "b may wait: no cycle any more"
    locks.on_exit(a.pid)
