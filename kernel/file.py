"""Open file descriptions: what an fd points at.

An ``OpenFile`` is Linux's ``struct file``: access mode and status flags, the
offset, and the object behind it. It is shared by every fd that ``dup``/``fork``
produced (so they share the offset and O_APPEND/O_NONBLOCK), and released when
the last fd closes (``refs`` counts fd-table references).

Data moves between the object and the cage's linear memory without an
intermediate Python ``bytes`` where possible: ``read_into`` fills a writable
memoryview of cage memory, ``write_from`` consumes one.

Defaults encode the errno Linux gives for an operation the object does not
support (ESPIPE for seeking a pipe, ENOTTY for ioctl, EINVAL for reading a
directory through read(2) is EISDIR...). Subclasses override what they support.
"""

from __future__ import annotations

import errno as _errno
import os
import stat as _stat
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    O_ACCMODE as O_ACCMODE,
    O_APPEND as O_APPEND,
    O_ASYNC as O_ASYNC,
    O_DIRECT as O_DIRECT,
    O_DSYNC as O_DSYNC,
    O_LARGEFILE as O_LARGEFILE,
    O_NOATIME as O_NOATIME,
    O_NONBLOCK as O_NONBLOCK,
    O_PATH as O_PATH,
    O_RDONLY as O_RDONLY,
    O_RDWR as O_RDWR,
    O_SYNC as O_SYNC,
    O_WRONLY as O_WRONLY,
    POLLERR as POLLERR,
    POLLHUP as POLLHUP,
    POLLIN as POLLIN,
    POLLNVAL as POLLNVAL,
    POLLOUT as POLLOUT,
    POLLPRI as POLLPRI,
    POLLRDNORM as POLLRDNORM,
    POLLWRNORM as POLLWRNORM,
    SETFL_MASK as SETFL_MASK,
)
from kernel.block import Block, WaitQueue
from kernel.errors import SyscallError
from kernel.vfs.types import S_IFCHR, StatResult

if TYPE_CHECKING:
    from kernel.cage import Cage
    from kernel.vfs.types import Filesystem, Inode

__all__ = [
    "O_ACCMODE", "O_APPEND", "O_NONBLOCK", "O_RDONLY", "O_RDWR", "O_WRONLY",
    "POLLERR", "POLLHUP", "POLLIN", "POLLOUT",
    "HostFdFile", "OpenFile",
]



_NO_QUEUES: tuple[WaitQueue, ...] = ()

#: Called with a host fd just before the kernel closes it (the trio shell uses it
#: to tell its I/O waits the fd is going away, so a reused number is not missed).
HOST_CLOSE_HOOKS: list[Callable[[int], None]] = []


class OpenFile:
    """Base open file description; see the module docstring."""

    __slots__ = ("flags", "offset", "refs", "inode", "fs", "path", "loc", "__weakref__")

    #: Short type name for /proc/self/fd readlink of anonymous objects ("pipe", ...).
    kind: ClassVar[str] = "file"

    def __init__(self, flags: int, *, fs: Filesystem | None = None, inode: Inode | None = None,
                 path: bytes = b"") -> None:
        self.flags = flags
        self.offset = 0
        self.refs = 0
        self.fs = fs
        self.inode = inode
        #: Guest path it was opened by (for /proc/self/fd and diagnostics).
        self.path = path
        #: Where it sits in the mount tree (kernel.vfs.vfs.Loc), for *at() calls.
        self.loc: object = None

    # --- access mode -------------------------------------------------------------

    # Access mode 3 (O_ACCMODE) opens for neither reading nor writing (Linux: ioctl-only).

    @property
    def readable(self) -> bool:
        return (self.flags & O_ACCMODE) in (O_RDONLY, O_RDWR) and not self.flags & O_PATH

    @property
    def writable(self) -> bool:
        return (self.flags & O_ACCMODE) in (O_WRONLY, O_RDWR) and not self.flags & O_PATH

    # --- data ----------------------------------------------------------------------

    def read_into(self, cage: Cage, buf: memoryview) -> int | Block:
        raise SyscallError(Errno.EINVAL)

    def write_from(self, cage: Cage, buf: memoryview) -> int | Block:
        raise SyscallError(Errno.EINVAL)

    def pread_into(self, buf: memoryview, offset: int) -> int:
        raise SyscallError(Errno.ESPIPE)

    def pwrite_from(self, buf: memoryview, offset: int) -> int:
        raise SyscallError(Errno.ESPIPE)

    def seek(self, offset: int, whence: int) -> int:
        raise SyscallError(Errno.ESPIPE)

    def truncate(self, size: int) -> None:
        raise SyscallError(Errno.EINVAL)

    def getdents(self, size: int) -> list[tuple[bytes, int, int, int]]:
        """Up to ``size`` bytes worth of ``(name, ino, dtype, next_offset)``."""
        raise SyscallError(Errno.ENOTDIR)

    # --- metadata -------------------------------------------------------------------

    def stat(self) -> StatResult:
        if self.fs is not None and self.inode is not None:
            return self.fs.getattr(self.inode)
        now = time.time_ns()
        return StatResult(dev=0, ino=id(self) & 0xFFFFFFFF, mode=S_IFCHR | 0o600, nlink=1, uid=0, gid=0,
                          rdev=0, size=0, blksize=4096, blocks=0, atime_ns=now, mtime_ns=now, ctime_ns=now)

    def ioctl(self, cage: Cage, request: int, arg: int) -> int:
        raise SyscallError(Errno.ENOTTY)

    def fsync(self, datasync: bool) -> int | Block:
        return 0

    # --- readiness (poll/select/epoll) -------------------------------------------------

    def poll(self) -> int:
        """Events ready now (POLLIN/POLLOUT/...). Regular files are always ready."""
        return POLLIN | POLLOUT

    def queues(self) -> tuple[WaitQueue, ...]:
        """Queues notified when ``poll()`` may have changed."""
        return _NO_QUEUES

    # --- lifetime ----------------------------------------------------------------------

    def release(self) -> None:
        """The last fd referring to this description closed."""

    def describe(self) -> bytes:
        """What readlink(/proc/self/fd/N) shows; Linux appends " (deleted)" once the name is gone."""
        if not self.path:
            return f"anon_inode:[{self.kind}]".encode()
        if self.fs is not None and self.inode is not None and self.path.startswith(b"/"):
            try:
                gone = self.fs.getattr(self.inode).nlink == 0
            except (SyscallError, OSError):
                gone = True
            if gone and not self.path.endswith(b" (deleted)"):
                return self.path + b" (deleted)"
        return self.path


class DirFile(OpenFile):
    """An open directory: getdents over a snapshot of the entries taken when the
    offset is 0 (open, or rewinddir), so entries added later are seen after a
    rewind, as on Linux. The offset is the index of the next entry; the backend's
    ``readdir`` gives ``(name, ino, dtype)`` with ``.`` and ``..`` first."""

    __slots__ = ("snapshot",)
    kind: ClassVar[str] = "dir"

    def __init__(self, flags: int, *, fs: Filesystem | None = None, inode: Inode | None = None) -> None:
        super().__init__(flags, fs=fs, inode=inode)
        self.snapshot: list[tuple[bytes, int, int]] | None = None

    def read_into(self, cage: Cage, buf: memoryview) -> int | Block:
        raise SyscallError(Errno.EISDIR)

    def write_from(self, cage: Cage, buf: memoryview) -> int | Block:
        raise SyscallError(Errno.EISDIR)

    def pread_into(self, buf: memoryview, offset: int) -> int:
        raise SyscallError(Errno.EISDIR)

    def seek(self, offset: int, whence: int) -> int:
        if whence == os.SEEK_CUR:
            offset += self.offset
        elif whence != os.SEEK_SET:
            raise SyscallError(Errno.EINVAL)
        if offset < 0 or offset > (1 << 63) - 1:
            raise SyscallError(Errno.EINVAL)
        if offset == 0:
            self.snapshot = None  # rewinddir sees new entries
        self.offset = offset
        return offset

    def getdents(self, size: int) -> list[tuple[bytes, int, int, int]]:
        if self.snapshot is None or self.offset == 0:
            self.snapshot = self.fs.readdir(self.inode)  # type: ignore[union-attr]
        off = self.offset
        return [(nm, ino, dt, i + 1) for i, (nm, ino, dt) in enumerate(self.snapshot[off:], off)]


class HostFdFile(OpenFile):
    """A host descriptor the kernel owns (the kernel's stdio, host files).

    The kernel never blocks on a host descriptor: pipes, ttys and sockets are
    switched to non-blocking (on a private open file description where possible,
    see ``kernel.hoststdio``), and EAGAIN turns into a ``Block`` on readiness.
    """

    __slots__ = ("hostfd", "owned", "rq", "wq", "waits_on_host", "is_tty")

    kind: ClassVar[str] = "host"

    def __init__(self, hostfd: int, flags: int, *, owned: bool = True, path: bytes = b"",
                 fs: Filesystem | None = None, inode: Inode | None = None) -> None:
        super().__init__(flags, fs=fs, inode=inode, path=path)
        self.hostfd = hostfd
        self.owned = owned
        self.rq = WaitQueue()
        self.wq = WaitQueue()
        st = os.fstat(hostfd)
        # Regular files and block devices never return EAGAIN: no readiness waits.
        self.waits_on_host = not (_stat.S_ISREG(st.st_mode) or _stat.S_ISBLK(st.st_mode))
        self.is_tty = os.isatty(hostfd)

    def read_into(self, cage: Cage, buf: memoryview) -> int | Block:
        try:
            return os.readv(self.hostfd, [buf])
        except BlockingIOError:
            if self.flags & O_NONBLOCK:
                raise SyscallError(Errno.EAGAIN) from None
            return Block(retry=lambda: self.read_into(cage, buf), hosts=((self.hostfd, "r"),))

    def write_from(self, cage: Cage, buf: memoryview) -> int | Block:
        try:
            if self.flags & O_APPEND and not self.waits_on_host:
                os.lseek(self.hostfd, 0, os.SEEK_END)
            return os.write(self.hostfd, buf)
        except BlockingIOError:
            if self.flags & O_NONBLOCK:
                raise SyscallError(Errno.EAGAIN) from None
            return Block(retry=lambda: self.write_from(cage, buf), hosts=((self.hostfd, "w"),))
        except BrokenPipeError:
            cage.kernel.signals.send_pipe_signal(cage)
            raise SyscallError(Errno.EPIPE) from None

    def reopen(self, flags: int) -> HostFdFile:
        """A new description of the same host object (open of /proc/self/fd/N, /dev/stdin).

        The host reopens it through its own /proc, with the host's permission checks.
        The new description is private, so a pipe or tty may be made non-blocking.
        """
        hflags = (flags & (O_ACCMODE | O_APPEND | os.O_TRUNC)) | os.O_CLOEXEC | os.O_NOCTTY
        fd = os.open(f"/proc/self/fd/{self.hostfd}", hflags)
        try:
            st = os.fstat(fd)
            if not (_stat.S_ISREG(st.st_mode) or _stat.S_ISBLK(st.st_mode)):
                os.set_blocking(fd, False)
            return HostFdFile(fd, flags & ~(os.O_CREAT | os.O_EXCL | os.O_TRUNC), path=self.path,
                              fs=self.fs, inode=self.inode)
        except BaseException:
            os.close(fd)
            raise

    def pread_into(self, buf: memoryview, offset: int) -> int:
        if self.waits_on_host:
            raise SyscallError(Errno.ESPIPE)
        return os.preadv(self.hostfd, [buf], offset)

    def pwrite_from(self, buf: memoryview, offset: int) -> int:
        if self.waits_on_host:
            raise SyscallError(Errno.ESPIPE)
        return os.pwrite(self.hostfd, buf, offset)

    def seek(self, offset: int, whence: int) -> int:
        if self.waits_on_host and not self.is_tty:
            raise SyscallError(Errno.ESPIPE)
        return os.lseek(self.hostfd, offset, whence)

    def truncate(self, size: int) -> None:
        os.ftruncate(self.hostfd, size)

    def stat(self) -> StatResult:
        # The host fd itself, not a path lookup: an unlinked or renamed file is still this
        # file (nlink 0 once unlinked). A file of a mounted filesystem reports its device.
        st = os.fstat(self.hostfd)
        return StatResult(dev=st.st_dev if self.fs is None else self.fs.dev, ino=st.st_ino, mode=st.st_mode,
                          nlink=st.st_nlink, uid=st.st_uid,
                          gid=st.st_gid, rdev=st.st_rdev, size=st.st_size, blksize=st.st_blksize,
                          blocks=st.st_blocks, atime_ns=st.st_atime_ns, mtime_ns=st.st_mtime_ns,
                          ctime_ns=st.st_ctime_ns)

    def ioctl(self, cage: Cage, request: int, arg: int) -> int:
        from kernel import tty

        return tty.host_ioctl(self, cage, request, arg)

    def fsync(self, datasync: bool) -> int:
        try:
            (os.fdatasync if datasync else os.fsync)(self.hostfd)
        except OSError as e:
            if e.errno != _errno.EINVAL:  # pipes and ttys: Linux says EINVAL too
                raise
            raise SyscallError(Errno.EINVAL) from None
        return 0

    def poll(self) -> int:
        if not self.waits_on_host:
            return POLLIN | POLLOUT
        import select

        p = select.poll()
        p.register(self.hostfd, select.POLLIN | select.POLLOUT)
        r = p.poll(0)
        return r[0][1] if r else 0

    def queues(self) -> tuple[WaitQueue, ...]:
        return (self.rq, self.wq)

    def host_waits(self, events: int) -> tuple[tuple[int, str], ...]:
        """Host readiness a poll/select/epoll on this file must wait for."""
        if not self.waits_on_host or self.hostfd < 0:
            return ()
        out: list[tuple[int, str]] = []
        if events & (POLLIN | POLLPRI | 0x40):
            out.append((self.hostfd, "r"))
        if events & (POLLOUT | 0x100):
            out.append((self.hostfd, "w"))
        return tuple(out)

    def release(self) -> None:
        if self.owned and self.hostfd >= 0:
            for hook in HOST_CLOSE_HOOKS:
                hook(self.hostfd)
            try:
                os.close(self.hostfd)
            except OSError:
                pass
        self.hostfd = -1
