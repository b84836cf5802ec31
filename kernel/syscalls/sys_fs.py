"""File I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.table import supported

if TYPE_CHECKING:
    from kernel.block import Block
    from kernel.cage import Cage


def sys_write(cage: Cage, fd: int, buf: int, count: int, *_: int) -> int | Block:
    """Implements write(2)."""
    f = cage.fds.get(fd)
    if not f.writable:
        raise SyscallError(Errno.EBADF)
    return f.write_from(cage, cage.mem.view(buf, count))


def sys_read(cage: Cage, fd: int, buf: int, count: int, *_: int) -> int | Block:
    """Implements read(2)."""
    f = cage.fds.get(fd)
    if not f.readable:
        raise SyscallError(Errno.EBADF)
    return f.read_into(cage, cage.mem.view(buf, count))


SYSCALLS = [
    supported("read", sys_read),
    supported("write", sys_write),
]
