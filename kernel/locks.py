"""Advisory file locks: POSIX record locks (fcntl F_SETLK...), open-file-description
locks (F_OFD_*) and flock(2).

Owners (Linux semantics):

* POSIX record locks belong to the *process*: any close of any fd for the file
  by that process drops all its locks on the file; they are not inherited by
  fork and vanish at exit;
* OFD locks and flock locks belong to the *open file description*: shared by
  dup and fork, dropped when the last fd referring to it closes.

Locks are keyed by ``(filesystem, inode number)``. A blocked F_SETLKW/flock
parks only the calling cage (``Block`` on the file's wait queue); F_SETLKW
detects the simple deadlock where the holder is itself waiting for a lock the
caller holds (EDEADLK).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    F_GETLK as F_GETLK,
    F_OFD_GETLK as F_OFD_GETLK,
    F_OFD_SETLK as F_OFD_SETLK,
    F_OFD_SETLKW as F_OFD_SETLKW,
    F_RDLCK as F_RDLCK,
    F_SETLK as F_SETLK,
    F_SETLKW as F_SETLKW,
    F_UNLCK as F_UNLCK,
    F_WRLCK as F_WRLCK,
    LOCK_EX as LOCK_EX,
    LOCK_NB as LOCK_NB,
    LOCK_SH as LOCK_SH,
    LOCK_UN as LOCK_UN,
)
from kernel.block import Block, WaitQueue
from kernel.errors import SyscallError

if TYPE_CHECKING:
    from kernel.cage import Cage
    from kernel.file import OpenFile

__all__ = ["fcntl_lock", "flock", "on_close", "on_exit", "on_release"]

INF: Final = 1 << 63

FLOCK = struct.Struct("<hh4xqqi4x")  # l_type, l_whence, l_start, l_len, l_pid

Owner = tuple[str, int]  # ("p", pid) or ("o", id(open file description))


@dataclass(slots=True)
class Range:
    owner: Owner
    type: int
    start: int
    end: int  # exclusive; INF = to EOF and beyond
    pid: int


@dataclass(slots=True)
class FileLocks:
    ranges: list[Range] = field(default_factory=list)
    flocks: dict[int, int] = field(default_factory=dict)  # id(OpenFile) -> LOCK_SH / LOCK_EX
    wq: WaitQueue = field(default_factory=WaitQueue)


_FILES: dict[tuple[int, int], FileLocks] = {}
#: owner -> the key it is blocked on (for deadlock detection)
_WAITING: dict[Owner, tuple[int, int]] = {}


def _key(f: OpenFile) -> tuple[int, int]:
    if f.fs is None or f.inode is None:
        raise SyscallError(Errno.EBADF)
    return (id(f.fs), f.inode.ino)


def _conflict(fl: FileLocks, owner: Owner, typ: int, start: int, end: int) -> Range | None:
    for r in fl.ranges:
        if r.owner != owner and r.start < end and start < r.end and (typ == F_WRLCK or r.type == F_WRLCK):
            return r
    return None


def _apply(fl: FileLocks, owner: Owner, typ: int, start: int, end: int, pid: int) -> None:
    out: list[Range] = []
    for r in fl.ranges:
        if r.owner != owner or r.end <= start or r.start >= end:
            out.append(r)
            continue
        if r.start < start:
            out.append(Range(owner, r.type, r.start, start, r.pid))
        if r.end > end:
            out.append(Range(owner, r.type, end, r.end, r.pid))
    if typ != F_UNLCK:
        out.append(Range(owner, typ, start, end, pid))
    out.sort(key=lambda r: (r.start, r.end))
    # Merge adjacent ranges of one owner and type.
    merged: list[Range] = []
    for r in out:
        m = merged[-1] if merged else None
        if m is not None and m.owner == r.owner and m.type == r.type and m.end >= r.start:
            m.end = max(m.end, r.end)
        else:
            merged.append(r)
    fl.ranges = merged


def _region(f: OpenFile, whence: int, start: int, length: int) -> tuple[int, int]:
    if whence == 0:
        base = 0
    elif whence == 1:
        # The description's position; a host-backed file keeps it in the host fd.
        try:
            base = f.seek(0, 1)
        except SyscallError:
            base = f.offset
    elif whence == 2:
        base = f.stat().size
    else:
        raise SyscallError(Errno.EINVAL)
    s = base + start
    if length > 0:
        e = s + length
    elif length < 0:
        s, e = s + length, s
    else:
        e = INF
    if s < 0:
        raise SyscallError(Errno.EINVAL)
    return s, e


def _deadlock(me: Owner, holder: Owner) -> bool:
    """Would waiting on ``holder`` close a cycle (holder waits on something ``me`` holds)?"""
    seen = set()
    cur = holder
    while cur not in seen:
        seen.add(cur)
        key = _WAITING.get(cur)
        if key is None:
            return False
        fl = _FILES.get(key)
        if fl is None:
            return False
        nxt = None
        for r in fl.ranges:
            if r.owner == me:
                return True
            nxt = nxt or r.owner
        if nxt is None:
            return False
        cur = nxt
    return False


def fcntl_lock(cage: Cage, f: OpenFile, cmd: int, arg: int) -> int | Block:
    typ, whence, start, length, lpid = cage.mem.unpack(FLOCK, arg)
    ofd = cmd in (F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW)
    if ofd and lpid != 0:
        raise SyscallError(Errno.EINVAL)
    if typ not in (F_RDLCK, F_WRLCK, F_UNLCK):
        raise SyscallError(Errno.EINVAL)
    if typ == F_UNLCK and cmd in (F_GETLK, F_OFD_GETLK):
        raise SyscallError(Errno.EINVAL)  # Linux fcntl_getlk: only F_RDLCK/F_WRLCK can be asked about
    s, e = _region(f, whence, start, length)
    key = _key(f)
    owner: Owner = ("o", id(f)) if ofd else ("p", cage.pid)
    if cmd in (F_GETLK, F_OFD_GETLK):
        fl = _FILES.get(key)
        c = _conflict(fl, owner, typ, s, e) if fl is not None else None
        if c is None:
            cage.mem.pack(FLOCK, arg, F_UNLCK, whence, start, length, lpid)
        else:
            ln = 0 if c.end == INF else c.end - c.start
            cage.mem.pack(FLOCK, arg, c.type, 0, c.start, ln, -1 if c.owner[0] == "o" else c.pid)
        return 0
    if typ == F_RDLCK and not f.readable or typ == F_WRLCK and not f.writable:
        raise SyscallError(Errno.EBADF)
    wait = cmd in (F_SETLKW, F_OFD_SETLKW)

    def interrupted(result: int) -> int:
        # A signal ended the wait: this owner no longer waits (no stale EDEADLK edge).
        _WAITING.pop(owner, None)
        return result

    def attempt() -> int | Block:
        fl = _FILES.setdefault(key, FileLocks())
        if typ != F_UNLCK:
            c = _conflict(fl, owner, typ, s, e)
            if c is not None:
                if not wait:
                    raise SyscallError(Errno.EAGAIN)
                if _deadlock(owner, c.owner):
                    raise SyscallError(Errno.EDEADLK)
                _WAITING[owner] = key
                return Block(retry=attempt, queues=(fl.wq,), on_interrupt=interrupted)
        _WAITING.pop(owner, None)
        _apply(fl, owner, typ, s, e, cage.pid)
        if ofd:
            _OFD_OWNERS.add(id(f))
        fl.wq.notify()
        _gc(key)
        return 0

    return attempt()


_OFD_OWNERS: set[int] = set()


def flock(cage: Cage, f: OpenFile, op: int) -> int | Block:
    nb = bool(op & LOCK_NB)
    op &= ~LOCK_NB
    if op not in (LOCK_SH, LOCK_EX, LOCK_UN):
        raise SyscallError(Errno.EINVAL)
    key = _key(f)
    me = id(f)

    def attempt() -> int | Block:
        fl = _FILES.setdefault(key, FileLocks())
        if op == LOCK_UN:
            fl.flocks.pop(me, None)
            fl.wq.notify()
            _gc(key)
            return 0
        for other, kind in fl.flocks.items():
            if other != me and (op == LOCK_EX or kind == LOCK_EX):
                if nb:
                    raise SyscallError(Errno.EWOULDBLOCK)
                return Block(retry=attempt, queues=(fl.wq,))
        fl.flocks[me] = op
        _OFD_OWNERS.add(me)
        fl.wq.notify()
        return 0

    return attempt()


def _gc(key: tuple[int, int]) -> None:
    fl = _FILES.get(key)
    if fl is not None and not fl.ranges and not fl.flocks and not len(fl.wq):
        del _FILES[key]


def on_close(pid: int, f: OpenFile) -> None:
    """A process closed an fd of ``f``: POSIX semantics drop all its record locks on the file."""
    if not _FILES or f.fs is None or f.inode is None:
        return
    key = (id(f.fs), f.inode.ino)
    fl = _FILES.get(key)
    if fl is None:
        return
    owner = ("p", pid)
    if any(r.owner == owner for r in fl.ranges):
        fl.ranges = [r for r in fl.ranges if r.owner != owner]
        fl.wq.notify()
        _gc(key)


def on_release(f: OpenFile) -> None:
    """The last fd of an open file description closed: drop its OFD and flock locks."""
    me = id(f)
    if me not in _OFD_OWNERS:
        return
    _OFD_OWNERS.discard(me)
    if f.fs is None or f.inode is None:
        return
    key = (id(f.fs), f.inode.ino)
    fl = _FILES.get(key)
    if fl is None:
        return
    owner = ("o", me)
    fl.ranges = [r for r in fl.ranges if r.owner != owner]
    fl.flocks.pop(me, None)
    fl.wq.notify()
    _gc(key)


def on_exit(pid: int) -> None:
    """A process exited: all its record locks go."""
    owner = ("p", pid)
    _WAITING.pop(owner, None)
    for key, fl in list(_FILES.items()):
        if any(r.owner == owner for r in fl.ranges):
            fl.ranges = [r for r in fl.ranges if r.owner != owner]
            fl.wq.notify()
            _gc(key)
