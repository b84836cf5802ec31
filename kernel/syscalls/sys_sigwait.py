"""Waiting for signals and signal timers: pause, rt_sigsuspend, rt_sigtimedwait,
alarm, setitimer, getitimer.

Timers live in the kernel (``cage.itimers``); the trio shell arms a task per
timer (``host.arm_timer``) that generates the signal at expiry: SIGALRM for
ITIMER_REAL, SIGVTALRM/SIGPROF for the CPU-time timers, which are measured on
the cage's worker process.
"""

from __future__ import annotations

import struct
import time
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    ITIMER_PROF as ITIMER_PROF,
    ITIMER_REAL as ITIMER_REAL,
    ITIMER_VIRTUAL as ITIMER_VIRTUAL,
)
from kernel.block import Block
from kernel.errors import SyscallError
from kernel.signals import UNBLOCKABLE, sigbit
from kernel.table import partial, supported

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS"]

_ITIMERVAL = struct.Struct("<qqqq")  # interval {sec, usec}, value {sec, usec}
_TS = struct.Struct("<qq")
_SIGINFO = struct.Struct("<iii4xii")  # signo, errno, code, pid, uid
SI_USER: Final = 0
US: Final = 1_000_000


def _never(cage: Cage) -> Block:
    return Block(retry=lambda: _never(cage), restartable=False)


def sys_pause(cage: Cage, *_: int) -> Block:
    """Implements pause(2): sleeps until a signal handler runs (EINTR)."""
    return _never(cage)


def sys_rt_sigsuspend(cage: Cage, mask: int, sigsetsize: int, *_: int) -> Block:
    """Implements rt_sigsuspend(2): the temporary mask stays in force while the
    handler runs; the old one comes back at its sigreturn."""
    if sigsetsize != 8:
        raise SyscallError(Errno.EINVAL)
    new = cage.mem.u64(mask)
    t = cage.thread
    t.saved_mask = t.sigmask
    t.sigmask = new & ~UNBLOCKABLE
    cage.kernel.unblocked(cage, t)
    return _never(cage)


def sys_rt_sigtimedwait(cage: Cage, set_: int, info: int, timeout: int, sigsetsize: int, *_: int) -> int | Block:
    """Implements rt_sigtimedwait(2): dequeue a pending signal of ``set``."""
    if sigsetsize != 8:
        raise SyscallError(Errno.EINVAL)
    want = cage.mem.u64(set_) & ~UNBLOCKABLE
    deadline = None
    if timeout:
        sec, nsec = cage.mem.unpack(_TS, timeout)
        if sec < 0 or nsec < 0 or nsec >= 1_000_000_000:
            raise SyscallError(Errno.EINVAL)
        deadline = time.monotonic() + sec + nsec / 1e9
    if info:
        cage.mem.check(info, 128)
    t = cage.thread

    def attempt() -> int | Block:
        pend = (t.pending | cage.sig.pending) & want
        if pend:
            sig = (pend & -pend).bit_length()
            bit = sigbit(sig)
            if t.pending & bit:
                t.pending &= ~bit
            else:
                cage.sig.pending &= ~bit
            if info:
                cage.mem.write(info, bytes(128))
                cage.mem.pack(_SIGINFO, info, sig, 0, SI_USER, 0, 0)
            return sig
        if deadline is not None and time.monotonic() >= deadline:
            raise SyscallError(Errno.EAGAIN)
        return Block(retry=attempt, queues=(cage.sig_wq,), deadline=deadline,
                     on_timeout=lambda: -int(Errno.EAGAIN), restartable=False)

    return attempt()


def _timeval(sec: int, usec: int) -> float:
    if sec < 0 or usec < 0 or usec >= US:
        raise SyscallError(Errno.EINVAL)
    return sec + usec / US


def _remaining(cage: Cage, which: int) -> tuple[float, float]:
    """(seconds left, interval) of a timer; (0, 0) if disarmed."""
    entry = cage.itimers.get(which)
    if entry is None:
        return 0.0, 0.0
    when, interval = entry
    base = cage.kernel.host.timer_now(cage, which)
    return max(0.0, when - base), interval


def _split(x: float) -> tuple[int, int]:
    sec = int(x)
    usec = int(round((x - sec) * US))
    if usec >= US:
        sec, usec = sec + 1, usec - US
    return sec, usec


def _arm(cage: Cage, which: int, value: float, interval: float) -> None:
    if value <= 0:
        cage.itimers.pop(which, None)
    else:
        cage.itimers[which] = (cage.kernel.host.timer_now(cage, which) + value, interval)
    cage.kernel.host.arm_timer(cage, which)


def sys_setitimer(cage: Cage, which: int, new: int, old: int, *_: int) -> int:
    """Implements setitimer(2)."""
    if which not in (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF):
        raise SyscallError(Errno.EINVAL)
    vals = cage.mem.unpack(_ITIMERVAL, new) if new else (0, 0, 0, 0)
    interval = _timeval(vals[0], vals[1])
    value = _timeval(vals[2], vals[3])
    if old:
        left, ival = _remaining(cage, which)
        cage.mem.pack(_ITIMERVAL, old, *_split(ival), *_split(left))
    _arm(cage, which, value, interval)
    return 0


def sys_getitimer(cage: Cage, which: int, cur: int, *_: int) -> int:
    """Implements getitimer(2)."""
    if which not in (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF):
        raise SyscallError(Errno.EINVAL)
    left, ival = _remaining(cage, which)
    cage.mem.pack(_ITIMERVAL, cur, *_split(ival), *_split(left))
    return 0


def sys_alarm(cage: Cage, seconds: int, *_: int) -> int:
    """Implements alarm(2): returns the seconds left on the previous alarm."""
    left, _ival = _remaining(cage, ITIMER_REAL)
    _arm(cage, ITIMER_REAL, float(seconds), 0.0)
    return int(left + 0.999999) if left else 0


SYSCALLS = [
    supported("pause", sys_pause),
    supported("rt_sigsuspend", sys_rt_sigsuspend),
    partial("rt_sigtimedwait", sys_rt_sigtimedwait, "siginfo carries only the signal number"),
    partial("setitimer", sys_setitimer, "CPU-time timers are sampled every 10 ms"),
    supported("getitimer", sys_getitimer),
    supported("alarm", sys_alarm),
]
