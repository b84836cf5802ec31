"""Miscellaneous syscalls: randomness."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    GRND_INSECURE as GRND_INSECURE,
    GRND_NONBLOCK as GRND_NONBLOCK,
    GRND_RANDOM as GRND_RANDOM,
)
from kernel.errors import SyscallError
from kernel.table import supported

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS"]

#: Linux returns at most this much per call (larger requests are short reads).
_MAX: Final = 33554431


def sys_getrandom(cage: Cage, buf: int, count: int, flags: int, *_: int) -> int:
    """Implements getrandom(2) from the host's CSPRNG."""
    if flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE):
        raise SyscallError(Errno.EINVAL)
    if flags & GRND_RANDOM and flags & GRND_INSECURE:
        raise SyscallError(Errno.EINVAL)
    n = min(count, _MAX)
    if n == 0:
        return 0
    mem = cage.mem
    try:
        view = mem.view(buf, n)
    except SyscallError:
        # Like copy_to_user, a buffer running off the end of memory gets a short
        # count (the bytes before the fault); EFAULT only if none fit. The failed
        # view has already looked at the memory's current size.
        mem.check(buf, 1)
        n = mem.size - buf
        view = mem.view(buf, n)
    view[:] = os.urandom(n)
    return n


SYSCALLS = [
    supported("getrandom", sys_getrandom),
]
