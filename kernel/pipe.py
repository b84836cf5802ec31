"""Pipes and FIFOs (pipe(7), fifo(7)).

A ``Pipe`` is a bounded byte buffer (64 KiB by default, F_SETPIPE_SZ up to
1 MiB) with counts of open read and write ends. Rules:

* read: data available -> return what is there (up to the request); empty with
  writers -> block (EAGAIN with O_NONBLOCK); empty without writers -> 0 (EOF);
* write: no readers -> EPIPE and SIGPIPE to the writer; writes of at most
  PIPE_BUF bytes are atomic (they wait until all of it fits); larger writes
  may be split and interleave with other writers; O_NONBLOCK -> EAGAIN when
  nothing fits (a short count when some does, except for atomic writes);
* a blocked writer that a signal interrupts after writing part of its data
  returns the partial count instead of EINTR;
* FIFO opens rendezvous: O_RDONLY waits for a writer, O_WRONLY waits for a
  reader (O_NONBLOCK: read opens succeed at once, write opens fail ENXIO);
  O_RDWR never waits.

Every state change notifies the pipe's queues so blocked readers, writers,
poll/select/epoll and FIFO opens re-check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    PIPE_BUF as PIPE_BUF,
)
from kernel.block import Block, WaitQueue
from kernel.errors import SyscallError
from kernel.file import O_NONBLOCK, O_RDONLY, O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLOUT, OpenFile
from kernel.vfs.types import S_IFIFO, StatResult

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["PIPE_BUF", "Pipe", "PipeEnd", "open_fifo"]

DEFAULT_SIZE: Final = 65536
MAX_SIZE: Final = 1 << 20
PIPEFS_DEV: Final = 0x0C
_next_ino = [1]


class Pipe:
    __slots__ = (
        "__weakref__",
        "buf",
        "capacity",
        "ctime",
        "ever_written",
        "ino",
        "opened_q",
        "read_opens",
        "readers",
        "rq",
        "wq",
        "write_opens",
        "writers",
    )

    def __init__(self) -> None:
        import time

        self.buf = bytearray()
        self.capacity = DEFAULT_SIZE
        self.readers = 0
        self.writers = 0
        #: Notified when data arrives or the last writer leaves (readers wait here).
        self.rq = WaitQueue()
        #: Notified when space frees or the last reader leaves (writers wait here).
        self.wq = WaitQueue()
        #: Notified when an end is opened (FIFO opens wait here).
        self.opened_q = WaitQueue()
        #: Opens ever made of each end (FIFO rendezvous: a waiter needs a new peer).
        self.read_opens = 0
        self.write_opens = 0
        self.ever_written = False
        self.ino = _next_ino[0]
        _next_ino[0] += 1
        self.ctime = time.time_ns()

    def notify_all(self) -> None:
        self.rq.notify()
        self.wq.notify()


class PipeEnd(OpenFile):
    """One end of a pipe (or both, for a FIFO opened O_RDWR)."""

    __slots__ = ("pipe", "reads", "writes")
    kind: ClassVar[str] = "pipe"

    def __init__(self, pipe: Pipe, flags: int, *, fs: object = None, inode: object = None) -> None:
        super().__init__(flags, fs=fs, inode=inode)  # type: ignore[arg-type]
        self.pipe = pipe
        acc = flags & 3
        self.reads = acc != O_WRONLY
        self.writes = acc != O_RDONLY
        if self.reads:
            pipe.readers += 1
            pipe.read_opens += 1
        if self.writes:
            pipe.writers += 1
            pipe.write_opens += 1
        pipe.opened_q.notify()
        pipe.notify_all()

    # --- data -------------------------------------------------------------------------

    def read_into(self, cage: Cage, buf: memoryview) -> int | Block:
        p = self.pipe
        n = len(buf)
        if n == 0:
            return 0
        have = len(p.buf)
        if have:
            take = min(n, have)
            with memoryview(p.buf) as v:  # one copy, and the view is gone before the resize
                buf[:take] = v[:take]
            del p.buf[:take]
            p.wq.notify()
            return take
        if not p.writers:
            return 0
        if self.flags & O_NONBLOCK:
            raise SyscallError(Errno.EAGAIN)
        return Block(retry=lambda: self.read_into(cage, buf), queues=(p.rq,))

    def write_from(self, cage: Cage, buf: memoryview) -> int | Block:
        return self._write(cage, buf, 0)

    def _write(self, cage: Cage, buf: memoryview, done: int) -> int | Block:
        p = self.pipe
        total = len(buf)
        if total == 0:
            return 0
        if not p.readers:
            if done:
                return done
            cage.kernel.send_pipe_signal(cage)
            raise SyscallError(Errno.EPIPE)
        room = p.capacity - len(p.buf)
        left = total - done
        atomic = total <= PIPE_BUF
        if room >= left or (room > 0 and not atomic):
            take = min(room, left)
            p.buf += buf[done:done + take]
            p.ever_written = True
            p.rq.notify()
            done += take
            if done == total:
                return done
        if self.flags & O_NONBLOCK:
            if done:
                return done
            raise SyscallError(Errno.EAGAIN)
        # Once part of the data is in, a signal ends the write with that count
        # (it is not restarted, even with SA_RESTART).
        return Block(retry=lambda: self._write(cage, buf, done), queues=(p.wq,), restartable=not done,
                     on_interrupt=lambda err: done if done else err)

    def pread_into(self, buf: memoryview, offset: int) -> int:
        raise SyscallError(Errno.ESPIPE)

    def pwrite_from(self, buf: memoryview, offset: int) -> int:
        raise SyscallError(Errno.ESPIPE)

    def seek(self, offset: int, whence: int) -> int:
        raise SyscallError(Errno.ESPIPE)

    # --- metadata and control ------------------------------------------------------------

    def stat(self) -> StatResult:
        if self.fs is not None and self.inode is not None:
            return self.fs.getattr(self.inode)
        p = self.pipe
        return StatResult(dev=PIPEFS_DEV, ino=p.ino, mode=S_IFIFO | 0o600, nlink=1, uid=0, gid=0, rdev=0,
                          size=0, blksize=4096, blocks=0, atime_ns=p.ctime, mtime_ns=p.ctime, ctime_ns=p.ctime)

    def ioctl(self, cage: Cage, request: int, arg: int) -> int:
        if request == 0x541B:  # FIONREAD
            cage.mem.put_i32(arg, len(self.pipe.buf))
            return 0
        raise SyscallError(Errno.ENOTTY)

    def pipe_size(self, new: int | None) -> int:
        """F_GETPIPE_SZ / F_SETPIPE_SZ."""
        p = self.pipe
        if new is None:
            return p.capacity
        if new > MAX_SIZE:
            raise SyscallError(Errno.EPERM)
        size = max(4096, 1 << max(0, (max(new, 1) - 1).bit_length()))
        if size < len(p.buf):
            raise SyscallError(Errno.EBUSY)
        p.capacity = size
        p.wq.notify()
        return size

    def poll(self) -> int:
        p = self.pipe
        ev = 0
        if self.reads:
            if p.buf:
                ev |= POLLIN
            if not p.writers and p.write_opens:
                ev |= POLLHUP
        if self.writes:
            if not p.readers:
                ev |= POLLERR
            elif p.capacity - len(p.buf) >= PIPE_BUF or ((p.capacity - len(p.buf)) > 0 and not p.buf):
                ev |= POLLOUT
        return ev

    def queues(self) -> tuple[WaitQueue, ...]:
        return (self.pipe.rq, self.pipe.wq)

    def release(self) -> None:
        p = self.pipe
        if self.reads:
            p.readers -= 1
        if self.writes:
            p.writers -= 1
        p.notify_all()
        if self.fs is not None and self.inode is not None and hasattr(self.fs, "closed"):
            self.fs.closed(self.inode)  # type: ignore[union-attr]

    def describe(self) -> bytes:
        if self.path:
            return self.path
        return b"pipe:[%d]" % self.pipe.ino

    def reopen(self, flags: int) -> PipeEnd:
        """open(/proc/self/fd/N) of a pipe: a new end of the same pipe (Linux)."""
        return PipeEnd(self.pipe, flags)


def make_pipe(flags: int) -> tuple[PipeEnd, PipeEnd]:
    p = Pipe()
    status = flags & O_NONBLOCK
    return PipeEnd(p, O_RDONLY | status), PipeEnd(p, O_WRONLY | status)


def open_fifo(cage: Cage, loc: object, flags: int) -> OpenFile | Block:
    """Open a FIFO inode (rendezvous rules in the module docstring)."""
    fs = loc.fs  # type: ignore[attr-defined]
    inode = loc.inode  # type: ignore[attr-defined]
    p = getattr(inode, "special", None)
    if not isinstance(p, Pipe):
        p = Pipe()
        try:
            inode.special = p
        except AttributeError:
            # A backend without a slot for it (host FIFOs go through the host).
            raise SyscallError(Errno.ENXIO) from None
    acc = flags & 3
    if acc == O_WRONLY and flags & O_NONBLOCK and not p.readers:
        raise SyscallError(Errno.ENXIO)
    end = PipeEnd(p, flags, fs=fs, inode=inode)
    if hasattr(fs, "opened"):
        fs.opened(inode)
    if flags & O_NONBLOCK or acc not in (O_RDONLY, O_WRONLY):
        return end
    # Blocking open of one end: wait for a peer to open the other end.
    want_writer = acc == O_RDONLY
    seen = p.write_opens if want_writer else p.read_opens
    if (p.writers if want_writer else p.readers):
        return end

    def check() -> OpenFile | Block:
        opens = p.write_opens if want_writer else p.read_opens
        if opens > seen or (p.writers if want_writer else p.readers):
            return end
        return Block(retry=check, queues=(p.opened_q,), on_interrupt=lambda err: _abort(end, err))  # type: ignore[return-value]

    return check()


def _abort(end: PipeEnd, err: int) -> int:
    end.refs = 0
    end.release()
    return err
