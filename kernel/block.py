"""Blocking, the sans-IO way.

A handler that cannot finish now returns ``Block`` instead of a result, the way
h11 returns NEED_DATA. The kernel core never sleeps and never imports trio: the
trio shell (``kernel.server``) parks the calling thread's channel on the
``WaitQueue``s the Block names, with its deadline, and calls ``retry`` when one
is notified (or ``on_timeout`` at the deadline). ``retry`` returns a result or
another Block.

Every object a syscall can wait on owns a WaitQueue and calls ``notify()``
when its state changes in a way a waiter might care about (a pipe gained data,
a child exited...). Waiters re-check their condition; spurious wake-ups are
allowed, lost ones are not.

Signals interrupt blocked calls: the shell also wakes a parked call when a
signal becomes deliverable to its thread, and answers ``-EINTR`` (or retries,
for SA_RESTART when ``restartable``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Block", "WaitQueue"]


class WaitQueue:
    """Callbacks to run when some kernel object changes state."""

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: list[Callable[[], None]] = []

    def add(self, cb: Callable[[], None]) -> None:
        self._waiters.append(cb)

    def remove(self, cb: Callable[[], None]) -> None:
        try:
            self._waiters.remove(cb)
        except ValueError:
            pass

    def notify(self) -> None:
        if self._waiters:
            waiters, self._waiters = self._waiters, []
            for cb in waiters:
                cb()

    def __len__(self) -> int:
        return len(self._waiters)


@dataclass(slots=True)
class Block:
    """The calling thread must wait; see the module docstring."""

    #: Called when a queue is notified: returns the result or another Block.
    retry: Callable[[], int | Block]
    #: Wake when any of these is notified.
    queues: tuple[WaitQueue, ...] = ()
    #: Absolute ``time.monotonic()`` deadline, or None for no timeout.
    deadline: float | None = None
    #: Result at the deadline (default: ``retry()``).
    on_timeout: Callable[[], int] | None = None
    #: With SA_RESTART, a signal restarts the call instead of returning EINTR.
    restartable: bool = True
    #: Called with -EINTR when a signal interrupts the wait; returns the result
    #: (e.g. nanosleep writes the remaining time first).
    on_interrupt: Callable[[int], int] | None = None
    #: Also wake when any of these host descriptors is ready: ``((fd, "r" | "w"), ...)``.
    hosts: tuple[tuple[int, str], ...] = ()
