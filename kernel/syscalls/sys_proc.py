"""Process identity and exit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from abi.messages import ReplyFlag
from kernel.kernel import W_EXITCODE
from kernel.table import supported

if TYPE_CHECKING:
    from kernel.cage import Cage


def sys_getpid(cage: Cage, *_: int) -> int:
    """Implements getpid(2)."""
    return cage.pid


def sys_exit_group(cage: Cage, status: int, *_: int) -> int:
    """Implements exit_group(2): the whole cage ends with ``status & 0xff``."""
    cage.thread.flags |= ReplyFlag.EXIT
    cage.kernel.exit_cage(cage, W_EXITCODE(status))
    return status & 0xFF


SYSCALLS = [
    supported("getpid", sys_getpid),
    supported("exit_group", sys_exit_group),
]
