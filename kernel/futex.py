"""Futexes on words in a cage's linear memory, served by the kernel (futex(2)).

The kernel reads the futex word through its own mapping of the cage's memory,
the same physical pages the cage's threads update with wasm atomics; aligned
32-bit loads are atomic on x86-64. Because the kernel serves one call at a
time, "compare the word, then sleep" is atomic with respect to every wake:
a FUTEX_WAKE either finds the waiter registered, or the waiter finds the word
already changed (EAGAIN) -- no lost wake-ups.

Waiters are kept per cage and address, in arrival order; each has its own
queue so a wake of N wakes exactly N. PRIVATE is implied (futexes never cross
cages: each cage has its own memory).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from abi.errno import Errno
from kernel.block import Block, WaitQueue
from kernel.errors import SyscallError

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["futex_requeue", "futex_wait", "futex_wake"]


@dataclass(eq=False)
class Waiter:
    addr: int
    bitset: int
    q: WaitQueue = field(default_factory=WaitQueue)
    woken: bool = False


def _table(cage: Cage) -> dict[int, list[Waiter]]:
    return cage.futexes


def _remove(cage: Cage, w: Waiter) -> None:
    lst = _table(cage).get(w.addr)
    if lst and w in lst:
        lst.remove(w)
        if not lst:
            del _table(cage)[w.addr]


def futex_wait(cage: Cage, addr: int, expected: int, deadline: float | None, bitset: int) -> int | Block:
    if addr & 3:
        raise SyscallError(Errno.EINVAL)
    if bitset == 0:
        raise SyscallError(Errno.EINVAL)
    if cage.mem.u32(addr) != expected & 0xFFFFFFFF:
        raise SyscallError(Errno.EAGAIN)
    if deadline is not None and deadline <= time.monotonic():
        raise SyscallError(Errno.ETIMEDOUT)
    w = Waiter(addr, bitset)
    _table(cage).setdefault(addr, []).append(w)

    def retry() -> int | Block:
        if w.woken:
            return 0
        return Block(retry=retry, queues=(w.q,), deadline=deadline, on_timeout=timeout, on_interrupt=interrupt)

    def timeout() -> int:
        if w.woken:
            return 0
        _remove(cage, w)
        return -int(Errno.ETIMEDOUT)

    def interrupt(err: int) -> int:
        if w.woken:
            return 0
        _remove(cage, w)
        return err

    return Block(retry=retry, queues=(w.q,), deadline=deadline, on_timeout=timeout, on_interrupt=interrupt,
                 restartable=False)


def futex_wake(cage: Cage, addr: int, n: int, bitset: int) -> int:
    if addr & 3:
        raise SyscallError(Errno.EINVAL)
    if bitset == 0:
        raise SyscallError(Errno.EINVAL)
    lst = _table(cage).get(addr)
    if not lst or n <= 0:
        return 0
    woken = 0
    for w in list(lst):
        if woken >= n:
            break
        if w.bitset & bitset:
            lst.remove(w)
            w.woken = True
            w.q.notify()
            woken += 1
    if not lst:
        _table(cage).pop(addr, None)
    return woken


def futex_requeue(cage: Cage, addr: int, n_wake: int, n_requeue: int, addr2: int, cmp: int | None) -> int:
    if addr & 3 or addr2 & 3:
        raise SyscallError(Errno.EINVAL)
    if cmp is not None and cage.mem.u32(addr) != cmp & 0xFFFFFFFF:
        raise SyscallError(Errno.EAGAIN)
    woken = futex_wake(cage, addr, n_wake, 0xFFFFFFFF)
    table = _table(cage)
    lst = table.get(addr, [])
    moved = 0
    while lst and moved < n_requeue:
        w = lst.pop(0)
        w.addr = addr2
        table.setdefault(addr2, []).append(w)
        moved += 1
    if not lst:
        table.pop(addr, None)
    return woken + moved
