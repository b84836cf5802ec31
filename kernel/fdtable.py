"""Per-cage file descriptor tables (gVisor's FDTable, Linux's files_struct).

An fd maps to an ``OpenFile`` plus the per-fd FD_CLOEXEC bit. Several fds (in
one cage after dup, or in several after fork) share one OpenFile; its ``refs``
counts those fd-table slots, and ``release()`` runs when it drops to zero.

Rules (Linux):

* new fds take the lowest free number at or above the requested minimum;
* the limit is the cage's RLIMIT_NOFILE soft limit: allocation beyond it is
  EMFILE, and dup2/dup3/F_DUPFD targets at or beyond it are EBADF/EINVAL;
* ``dup2(fd, fd)`` checks ``fd`` and returns it; ``dup3(fd, fd, ...)`` is EINVAL;
* replacing an fd (dup2 onto an open fd) closes the old one silently.
"""

from __future__ import annotations

from typing import Final

from abi.errno import Errno
from kernel import locks
from kernel.errors import SyscallError
from kernel.file import OpenFile

__all__ = ["FdTable"]

#: Hard ceiling regardless of rlimits (Linux's default fs.nr_open is 1M).
NR_OPEN: Final = 1 << 20


class FdTable:
    __slots__ = ("cloexec", "files", "limit")

    def __init__(self, limit: int = 1024) -> None:
        self.files: dict[int, OpenFile] = {}
        self.cloexec: set[int] = set()
        self.limit = limit

    def get(self, fd: int) -> OpenFile:
        f = self.files.get(fd)
        if f is None:
            raise SyscallError(Errno.EBADF)
        return f

    def _lowest_free(self, minimum: int) -> int:
        fd = minimum
        files = self.files
        while fd in files:
            fd += 1
        return fd

    def alloc(self, f: OpenFile, *, minimum: int = 0, cloexec: bool = False) -> int:
        fd = self._lowest_free(minimum)
        if fd >= self.limit:
            raise SyscallError(Errno.EMFILE)
        self._install(fd, f, cloexec)
        return fd

    def _install(self, fd: int, f: OpenFile, cloexec: bool) -> None:
        f.refs += 1
        self.files[fd] = f
        if cloexec:
            self.cloexec.add(fd)
        else:
            self.cloexec.discard(fd)

    def install_at(self, fd: int, f: OpenFile, *, cloexec: bool = False) -> None:
        """Put ``f`` at ``fd``, closing what was there (dup2/dup3)."""
        if fd < 0 or fd >= self.limit:
            raise SyscallError(Errno.EBADF)
        old = self.files.get(fd)
        self._install(fd, f, cloexec)
        if old is not None:
            _drop(old)

    def close(self, fd: int) -> None:
        f = self.files.pop(fd, None)
        if f is None:
            raise SyscallError(Errno.EBADF)
        self.cloexec.discard(fd)
        _drop(f)

    def get_cloexec(self, fd: int) -> bool:
        self.get(fd)
        return fd in self.cloexec

    def set_cloexec(self, fd: int, on: bool) -> None:
        self.get(fd)
        if on:
            self.cloexec.add(fd)
        else:
            self.cloexec.discard(fd)

    def fork(self) -> FdTable:
        """A copy sharing every open file description (fork, CLONE_FILES off)."""
        t = FdTable(self.limit)
        for fd, f in self.files.items():
            f.refs += 1
            t.files[fd] = f
        t.cloexec = set(self.cloexec)
        return t

    def close_on_exec(self, pid: int = 0) -> None:
        """execve: close the FD_CLOEXEC fds (dropping ``pid``'s record locks on them)."""
        for fd in sorted(self.cloexec):
            f = self.files.pop(fd, None)
            if f is not None:
                _drop(f)
                if pid:
                    locks.on_close(pid, f)
        self.cloexec.clear()

    def close_all(self) -> None:
        files, self.files = self.files, {}
        self.cloexec.clear()
        for f in files.values():
            _drop(f)

    def __len__(self) -> int:
        return len(self.files)

    def __contains__(self, fd: int) -> bool:
        return fd in self.files


def _drop(f: OpenFile) -> None:
    f.refs -= 1
    if f.refs == 0:
        locks.on_release(f)
        f.release()
