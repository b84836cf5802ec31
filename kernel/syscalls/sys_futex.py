"""futex(2): WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, the BITSET forms."""

from __future__ import annotations

import struct
import time
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    FUTEX_BITSET_MATCH_ANY as FUTEX_BITSET_MATCH_ANY,
    FUTEX_CLOCK_REALTIME as FUTEX_CLOCK_REALTIME,
    FUTEX_CMP_REQUEUE as FUTEX_CMP_REQUEUE,
    FUTEX_FD as FUTEX_FD,
    FUTEX_PRIVATE_FLAG as FUTEX_PRIVATE_FLAG,
    FUTEX_REQUEUE as FUTEX_REQUEUE,
    FUTEX_WAIT as FUTEX_WAIT,
    FUTEX_WAIT_BITSET as FUTEX_WAIT_BITSET,
    FUTEX_WAKE as FUTEX_WAKE,
    FUTEX_WAKE_BITSET as FUTEX_WAKE_BITSET,
    FUTEX_WAKE_OP as FUTEX_WAKE_OP,
)
from kernel.errors import SyscallError
from kernel.futex import futex_requeue, futex_wait, futex_wake
from kernel.table import partial

if TYPE_CHECKING:
    from kernel.block import Block
    from kernel.cage import Cage

__all__ = ["SYSCALLS"]

NS: Final = 1_000_000_000
_TS = struct.Struct("<qq")


def _timeout(cage: Cage, ptr: int, absolute: bool, realtime: bool) -> float | None:
    if not ptr:
        return None
    sec, nsec = cage.mem.unpack(_TS, ptr)
    if sec < 0 or nsec < 0 or nsec >= NS:
        raise SyscallError(Errno.EINVAL)
    t = sec + nsec / NS
    if not absolute:
        return time.monotonic() + t
    now = time.time() if realtime else time.monotonic()
    return time.monotonic() + (t - now)


def _wake_op(cage: Cage, addr: int, n: int, n2: int, addr2: int, op: int) -> int:
    """FUTEX_WAKE_OP: *addr2 = op(*addr2, oparg); wake addr; wake addr2 if cmp(old, cmparg)."""
    if addr2 & 3:
        raise SyscallError(Errno.EINVAL)
    encoded_op = (op >> 28) & 0xF
    cmp = (op >> 24) & 0xF
    oparg = (op >> 12) & 0xFFF
    cmparg = op & 0xFFF
    if encoded_op & 8:
        encoded_op &= 7
        oparg = 1 << oparg
    old = cage.mem.u32(addr2)
    ops = {0: lambda: oparg, 1: lambda: old + oparg, 2: lambda: old | oparg, 3: lambda: old & ~oparg,
           4: lambda: old ^ oparg}
    if encoded_op not in ops or cmp > 5:
        raise SyscallError(Errno.ENOSYS)
    cage.mem.put_u32(addr2, ops[encoded_op]() & 0xFFFFFFFF)
    woken = futex_wake(cage, addr, n, FUTEX_BITSET_MATCH_ANY)
    signed_old = old - (1 << 32) if old & 0x80000000 else old
    hit = (signed_old == cmparg, signed_old != cmparg, signed_old < cmparg, signed_old <= cmparg,
           signed_old > cmparg, signed_old >= cmparg)[cmp]
    if hit:
        woken += futex_wake(cage, addr2, n2, FUTEX_BITSET_MATCH_ANY)
    return woken


def sys_futex(cage: Cage, uaddr: int, op: int, val: int, timeout: int, uaddr2: int, val3: int, *_: int
              ) -> int | Block:
    """Implements futex(2) on words of the cage's memory (see kernel.futex)."""
    cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
    realtime = bool(op & FUTEX_CLOCK_REALTIME)
    if realtime and cmd not in (FUTEX_WAIT, FUTEX_WAIT_BITSET):
        raise SyscallError(Errno.ENOSYS)
    if cmd == FUTEX_WAIT:
        return futex_wait(cage, uaddr, val, _timeout(cage, timeout, False, realtime), FUTEX_BITSET_MATCH_ANY)
    if cmd == FUTEX_WAIT_BITSET:
        return futex_wait(cage, uaddr, val, _timeout(cage, timeout, True, realtime), val3 & 0xFFFFFFFF)
    if cmd == FUTEX_WAKE:
        return futex_wake(cage, uaddr, val, FUTEX_BITSET_MATCH_ANY)
    if cmd == FUTEX_WAKE_BITSET:
        return futex_wake(cage, uaddr, val, val3 & 0xFFFFFFFF)
    if cmd in (FUTEX_REQUEUE, FUTEX_CMP_REQUEUE):
        # The "timeout" argument is val2, the requeue count, for these commands.
        n2 = timeout & 0xFFFFFFFF
        if val < 0 or n2 > 0x7FFFFFFF:
            raise SyscallError(Errno.EINVAL)
        return futex_requeue(cage, uaddr, val, n2, uaddr2, val3 if cmd == FUTEX_CMP_REQUEUE else None)
    if cmd == FUTEX_WAKE_OP:
        return _wake_op(cage, uaddr, val, timeout & 0xFFFFFFFF, uaddr2, val3 & 0xFFFFFFFF)
    raise SyscallError(Errno.ENOSYS)


SYSCALLS = [
    partial("futex", sys_futex, "no PI futexes or FUTEX_FD; robust lists are not walked"),
]
