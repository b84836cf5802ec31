"""Clocks and sleeps.

Sleeps never block the kernel: they return a ``Block`` with a deadline, which
parks only the sleeping thread. A signal interrupts a sleep with EINTR and, for
nanosleep/clock_nanosleep, the remaining time is written to ``rem`` (not for
TIMER_ABSTIME), as Linux does; sleeps are never restarted after a handler.
"""

from __future__ import annotations

import struct
import time
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    CLOCK_BOOTTIME as CLOCK_BOOTTIME,
    CLOCK_BOOTTIME_ALARM as CLOCK_BOOTTIME_ALARM,
    CLOCK_MONOTONIC as CLOCK_MONOTONIC,
    CLOCK_MONOTONIC_COARSE as CLOCK_MONOTONIC_COARSE,
    CLOCK_MONOTONIC_RAW as CLOCK_MONOTONIC_RAW,
    CLOCK_PROCESS_CPUTIME_ID as CLOCK_PROCESS_CPUTIME_ID,
    CLOCK_REALTIME as CLOCK_REALTIME,
    CLOCK_REALTIME_ALARM as CLOCK_REALTIME_ALARM,
    CLOCK_REALTIME_COARSE as CLOCK_REALTIME_COARSE,
    CLOCK_TAI as CLOCK_TAI,
    CLOCK_THREAD_CPUTIME_ID as CLOCK_THREAD_CPUTIME_ID,
    TIMER_ABSTIME as TIMER_ABSTIME,
)
from kernel.block import Block
from kernel.errors import SyscallError
from kernel.table import partial, supported

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS", "read_timespec"]

NS: Final = 1_000_000_000

_TS = struct.Struct("<qq")
_TV = struct.Struct("<qq")
_TZ = struct.Struct("<ii")

#: Guest clock -> host clock read for it.
_HOST_CLOCK: Final = {
    CLOCK_REALTIME: time.CLOCK_REALTIME,
    CLOCK_MONOTONIC: time.CLOCK_MONOTONIC,
    CLOCK_MONOTONIC_RAW: getattr(time, "CLOCK_MONOTONIC_RAW", time.CLOCK_MONOTONIC),
    CLOCK_REALTIME_COARSE: time.CLOCK_REALTIME,
    CLOCK_MONOTONIC_COARSE: time.CLOCK_MONOTONIC,
    CLOCK_BOOTTIME: getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC),
    CLOCK_REALTIME_ALARM: time.CLOCK_REALTIME,
    CLOCK_BOOTTIME_ALARM: getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC),
    CLOCK_TAI: getattr(time, "CLOCK_TAI", time.CLOCK_REALTIME),
}
_COARSE: Final = (CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE)


def now_ns(cage: Cage, clk: int) -> int:
    host = _HOST_CLOCK.get(clk)
    if host is not None:
        return time.clock_gettime_ns(host)
    if clk in (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID):
        u, s, _ = cage.kernel.host.cpu_times(cage)
        return u + s
    raise SyscallError(Errno.EINVAL)


def read_timespec(cage: Cage, ptr: int) -> int:
    """A guest timespec as nanoseconds; EINVAL if tv_nsec is out of range or tv_sec < 0."""
    sec, nsec = cage.mem.unpack(_TS, ptr)
    if nsec < 0 or nsec >= NS or sec < 0:
        raise SyscallError(Errno.EINVAL)
    return sec * NS + nsec


def write_timespec(cage: Cage, ptr: int, ns: int) -> None:
    cage.mem.pack(_TS, ptr, ns // NS, ns % NS)


def sys_clock_gettime(cage: Cage, clk: int, tp: int, *_: int) -> int:
    """Implements clock_gettime(2)."""
    t = now_ns(cage, clk)
    cage.mem.pack(_TS, tp, t // NS, t % NS)
    return 0


def sys_clock_getres(cage: Cage, clk: int, res: int, *_: int) -> int:
    """Implements clock_getres(2)."""
    now_ns(cage, clk)
    if res:
        r = 4_000_000 if clk in _COARSE else 1
        cage.mem.pack(_TS, res, 0, r)
    return 0


def sys_gettimeofday(cage: Cage, tv: int, tz: int, *_: int) -> int:
    """Implements gettimeofday(2) (the timezone is always UTC, as on modern Linux)."""
    if tv:
        t = time.time_ns()
        cage.mem.pack(_TV, tv, t // NS, (t % NS) // 1000)
    if tz:
        cage.mem.pack(_TZ, tz, 0, 0)
    return 0


def sys_time(cage: Cage, tloc: int, *_: int) -> int:
    """Implements time(2)."""
    t = time.time_ns() // NS
    if tloc:
        cage.mem.put_i64(tloc, t)
    return t


def _sleep(cage: Cage, deadline_mono: float, rem: int, report_rem: bool) -> Block:
    def interrupted(err: int) -> int:
        if report_rem and rem:
            left = max(0, int((deadline_mono - time.monotonic()) * NS))
            write_timespec(cage, rem, left)
        return err

    return Block(retry=lambda: 0 if time.monotonic() >= deadline_mono else _sleep(cage, deadline_mono, rem,
                                                                                     report_rem),
                 deadline=deadline_mono, on_timeout=lambda: 0, restartable=False, on_interrupt=interrupted)


def sys_nanosleep(cage: Cage, req: int, rem: int, *_: int) -> int | Block:
    """Implements nanosleep(2)."""
    # ``rem`` is only looked at when a signal interrupts the sleep (Linux writes
    # it from the restart path): a bad ``rem`` is EFAULT then, and only then.
    ns = read_timespec(cage, req)
    if ns == 0:
        return 0
    return _sleep(cage, time.monotonic() + ns / NS, rem, True)


#: Clocks with a sleep method (Linux's k_clock.nsleep): the hrtimer clocks.
#: COARSE and MONOTONIC_RAW have none (EOPNOTSUPP); the CPU-time clocks are
#: EOPNOTSUPP here (Linux sleeps on process CPU time; nothing here counts it
#: in real time) and THREAD_CPUTIME is EINVAL as on Linux.
_SLEEP_CLOCKS: Final = frozenset({CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM,
                                  CLOCK_BOOTTIME_ALARM, CLOCK_TAI})


def sys_clock_nanosleep(cage: Cage, clk: int, flags: int, req: int, rem: int, *_: int) -> int | Block:
    """Implements clock_nanosleep(2)."""
    if clk == CLOCK_THREAD_CPUTIME_ID or (clk not in _HOST_CLOCK and clk != CLOCK_PROCESS_CPUTIME_ID):
        raise SyscallError(Errno.EINVAL)
    if clk not in _SLEEP_CLOCKS:
        raise SyscallError(Errno.EOPNOTSUPP)
    # Linux ignores flag bits other than TIMER_ABSTIME.
    ns = read_timespec(cage, req)
    if flags & TIMER_ABSTIME:
        delta = ns - now_ns(cage, clk)
        if delta <= 0:
            return 0
        return _sleep(cage, time.monotonic() + delta / NS, rem, False)
    if ns == 0:
        return 0
    return _sleep(cage, time.monotonic() + ns / NS, rem, True)


SYSCALLS = [
    partial("clock_gettime", sys_clock_gettime, "CPU-time clocks count the worker process in clock ticks"),
    supported("clock_getres", sys_clock_getres),
    supported("gettimeofday", sys_gettimeofday),
    supported("time", sys_time),
    supported("nanosleep", sys_nanosleep),
    partial("clock_nanosleep", sys_clock_nanosleep, "sleeping on CPU-time clocks is EOPNOTSUPP"),
]
