"""pipe(2) and pipe2(2)."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    O_CLOEXEC as O_CLOEXEC,
    O_DIRECT as O_DIRECT,
    O_NONBLOCK as O_NONBLOCK,
)
from kernel.errors import SyscallError
from kernel.pipe import make_pipe
from kernel.table import supported

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS"]

_FDS = struct.Struct("<ii")


def _pipe2(cage: Cage, fds: int, flags: int) -> int:
    if flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT):
        raise SyscallError(Errno.EINVAL)
    cage.mem.check(fds, _FDS.size)
    r, w = make_pipe(flags)
    cloexec = bool(flags & O_CLOEXEC)
    rfd = cage.fds.alloc(r, cloexec=cloexec)
    try:
        wfd = cage.fds.alloc(w, cloexec=cloexec)
    except SyscallError:
        cage.fds.close(rfd)
        w.release()
        raise
    try:
        cage.mem.pack(_FDS, fds, rfd, wfd)
    except SyscallError:
        # Undo the allocation: nothing half-done on EFAULT (gVisor's pipe2).
        cage.fds.close(rfd)
        cage.fds.close(wfd)
        raise
    return 0


def sys_pipe(cage: Cage, fds: int, *_: int) -> int:
    """Implements pipe(2)."""
    return _pipe2(cage, fds, 0)


def sys_pipe2(cage: Cage, fds: int, flags: int, *_: int) -> int:
    """Implements pipe2(2)."""
    return _pipe2(cage, fds, flags)


SYSCALLS = [
    supported("pipe", sys_pipe),
    supported("pipe2", sys_pipe2),
]
