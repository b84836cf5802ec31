"""Readiness: poll, ppoll, select, pselect6 and epoll.

Every file answers ``poll()`` (the events ready now) and names the wait queues
notified when that may change (``queues()``) and, for host descriptors, the
host fds to watch (``host_waits``). A waiting call parks on all of them at
once with its deadline, and re-checks everything when any fires (spurious
wake-ups are fine). These calls are never restarted after a signal handler
(signal(7)): they return EINTR.

ppoll, pselect6 and epoll_pwait install their signal mask for the wait; if a
handler interrupts it, the handler runs with that mask and sigreturn restores
the old one (as sigsuspend does), else it is restored before returning.
"""

from __future__ import annotations

import struct
import time
import weakref
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    EPOLL_CLOEXEC as EPOLL_CLOEXEC,
    EPOLL_CTL_ADD as EPOLL_CTL_ADD,
    EPOLL_CTL_DEL as EPOLL_CTL_DEL,
    EPOLL_CTL_MOD as EPOLL_CTL_MOD,
    EPOLLERR as EPOLLERR,
    EPOLLET as EPOLLET,
    EPOLLEXCLUSIVE as EPOLLEXCLUSIVE,
    EPOLLHUP as EPOLLHUP,
    EPOLLIN as EPOLLIN,
    EPOLLONESHOT as EPOLLONESHOT,
    EPOLLOUT as EPOLLOUT,
    EPOLLRDHUP as EPOLLRDHUP,
    EPOLLWAKEUP as EPOLLWAKEUP,
    POLLERR as POLLERR,
    POLLHUP as POLLHUP,
    POLLIN as POLLIN,
    POLLNVAL as POLLNVAL,
    POLLOUT as POLLOUT,
    POLLPRI as POLLPRI,
    POLLRDBAND as POLLRDBAND,
    POLLRDHUP as POLLRDHUP,
    POLLRDNORM as POLLRDNORM,
    POLLWRBAND as POLLWRBAND,
    POLLWRNORM as POLLWRNORM,
)
from abi.structs import fdset_fds, fdset_pack, fdset_unpack
from kernel.block import Block, WaitQueue
from kernel.cage import RLIMIT_NOFILE
from kernel.errors import SyscallError
from kernel.file import OpenFile
from kernel.signals import UNBLOCKABLE
from kernel.table import partial, supported
from kernel.vfs.types import S_IFMT, S_IFREG

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS", "EpollFile"]

_ALWAYS: Final = POLLERR | POLLHUP | POLLNVAL

EP_MAX_EVENTS: Final = 0x7FFFFFFF // 12

_POLLFD = struct.Struct("<ihh")
_TIMESPEC = struct.Struct("<qq")
_TIMEVAL = struct.Struct("<qq")
_EPOLL_EVENT = struct.Struct("<IQ")  # packed, 12 bytes
_SIG6 = struct.Struct("<QQ")  # pselect6's sixth argument: {u64 sigmask offset, u64 size}
NS: Final = 1_000_000_000


def ready_events(f: OpenFile, events: int) -> int:
    ev = f.poll()
    if ev & POLLIN:
        ev |= POLLRDNORM
    if ev & POLLOUT:
        ev |= POLLWRNORM
    return ev & (events | _ALWAYS)


def _host_waits(f: OpenFile, events: int) -> tuple[tuple[int, str], ...]:
    fn = getattr(f, "host_waits", None)
    return fn(events) if fn is not None else ()


def _deadline_from_ms(ms: int) -> float | None:
    return None if ms < 0 else time.monotonic() + ms / 1000


def _deadline_from_ts(cage: Cage, ptr: int) -> float | None:
    if not ptr:
        return None
    sec, nsec = cage.mem.unpack(_TIMESPEC, ptr)
    if sec < 0 or nsec < 0 or nsec >= NS:
        raise SyscallError(Errno.EINVAL)
    return time.monotonic() + sec + nsec / NS


def _with_mask(cage: Cage, mask: int | None, run: object) -> int | Block:
    """Run a readiness wait under a temporary signal mask (ppoll/pselect6/epoll_pwait)."""
    if mask is None:
        return run()  # type: ignore[operator, no-any-return]
    t = cage.thread
    t.saved_mask = t.sigmask
    t.sigmask = mask & ~UNBLOCKABLE

    def restore(r: int | Block) -> int | Block:
        if isinstance(r, Block):
            inner = r.retry
            r.retry = lambda: restore(inner())  # type: ignore[assignment]
            if r.on_timeout is not None:
                ot = r.on_timeout
                r.on_timeout = lambda: restore(ot())  # type: ignore[assignment, return-value]
            # Interrupted: the handler runs with the temporary mask and sigreturn
            # restores the old one (signal_next uses saved_mask); on_interrupt stays.
            return r
        if t.saved_mask is not None:
            t.sigmask, t.saved_mask = t.saved_mask, None
        return r

    try:
        return restore(run())  # type: ignore[operator]
    except BaseException:
        if t.saved_mask is not None:
            t.sigmask, t.saved_mask = t.saved_mask, None
        raise


def _sigmask_arg(cage: Cage, ptr: int, size: int) -> int | None:
    if not ptr:
        return None
    if size != 8:
        raise SyscallError(Errno.EINVAL)
    return cage.mem.u64(ptr)


# --- poll ------------------------------------------------------------------------------


def _poll(cage: Cage, fds_ptr: int, nfds: int, deadline: float | None, immediate: bool) -> int | Block:
    if nfds < 0 or nfds > cage.rlimits[RLIMIT_NOFILE][0]:
        raise SyscallError(Errno.EINVAL)
    size = nfds * _POLLFD.size
    raw = bytearray(cage.mem.read(fds_ptr, size)) if nfds else bytearray()
    entries = [_POLLFD.unpack_from(raw, i * 8)[:2] for i in range(nfds)]

    final = immediate

    def attempt() -> int | Block:
        n = 0
        queues: list[WaitQueue] = []
        hosts: list[tuple[int, str]] = []
        files = cage.fds.files
        for i, (fd, events) in enumerate(entries):
            events &= 0xFFFF
            if fd < 0:
                rev = 0
            else:
                f = files.get(fd)
                if f is None:
                    rev = POLLNVAL
                else:
                    rev = ready_events(f, events)
                    if not rev:
                        queues.extend(f.queues())
                        hosts.extend(_host_waits(f, events))
            struct.pack_into("<h", raw, i * 8 + 6, rev - (1 << 16) if rev & 0x8000 else rev)
            if rev:
                n += 1
        if n or final or (deadline is not None and time.monotonic() >= deadline):
            if nfds:
                cage.mem.write(fds_ptr, raw)
            return n
        return Block(retry=attempt, queues=tuple(queues), hosts=tuple(hosts), deadline=deadline,
                     on_timeout=timed_out, restartable=False)

    def timed_out() -> int:
        nonlocal final
        final = True
        r = attempt()
        return r if isinstance(r, int) else 0

    return attempt()


def sys_poll(cage: Cage, fds: int, nfds: int, timeout: int, *_: int) -> int | Block:
    """Implements poll(2)."""
    return _poll(cage, fds, nfds, _deadline_from_ms(timeout), timeout == 0)


def sys_ppoll(cage: Cage, fds: int, nfds: int, tmo: int, sigmask: int, sigsetsize: int, *_: int) -> int | Block:
    """Implements ppoll(2)."""
    deadline = _deadline_from_ts(cage, tmo)
    immediate = bool(tmo) and deadline is not None and deadline <= time.monotonic()
    mask = _sigmask_arg(cage, sigmask, sigsetsize)
    return _with_mask(cage, mask, lambda: _poll(cage, fds, nfds, deadline, immediate))


# --- select --------------------------------------------------------------------------------


def _select(cage: Cage, nfds: int, rp: int, wp: int, ep: int, deadline: float | None, immediate: bool,
             on_return: object = None) -> int | Block:
    if nfds < 0:
        raise SyscallError(Errno.EINVAL)
    nfds = min(nfds, max(cage.fds.limit, 0))
    nbytes = ((nfds + 63) // 64) * 8
    sets = [fdset_unpack(cage.mem.read(p, nbytes), 0, nfds) if p else 0 for p in (rp, wp, ep)]
    wanted: dict[int, int] = {}
    for bits, ev in zip(sets, (POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI)):
        for fd in fdset_fds(bits):
            if fd >= nfds:
                continue
            wanted[fd] = wanted.get(fd, 0) | ev
    files = cage.fds.files
    for fd in wanted:
        if fd not in files:
            raise SyscallError(Errno.EBADF)

    def attempt() -> int | Block:
        out = [0, 0, 0]
        queues: list[WaitQueue] = []
        hosts: list[tuple[int, str]] = []
        for fd, ev in wanted.items():
            f = files.get(fd)
            if f is None:
                raise SyscallError(Errno.EBADF)
            rev = f.poll()
            hit = False
            if ev & POLLIN and rev & (POLLIN | POLLHUP | POLLERR):
                out[0] |= 1 << fd
                hit = True
            if ev & POLLOUT and rev & (POLLOUT | POLLERR):
                out[1] |= 1 << fd
                hit = True
            if ev & POLLPRI and rev & POLLPRI:
                out[2] |= 1 << fd
                hit = True
            if not hit:
                queues.extend(f.queues())
                hosts.extend(_host_waits(f, ev))
        n = sum(bin(x).count("1") for x in out)
        if n or immediate or (deadline is not None and time.monotonic() >= deadline):
            for p, bits in zip((rp, wp, ep), out):
                if p:
                    cage.mem.write(p, fdset_pack(bits, nfds)[:nbytes].ljust(nbytes, b"\0"))
            if on_return is not None:
                on_return()  # type: ignore[operator]
            return n
        return Block(retry=attempt, queues=tuple(queues), hosts=tuple(hosts), deadline=deadline,
                     on_timeout=lambda: final(), restartable=False)

    def final() -> int:
        nonlocal immediate
        immediate = True
        r = attempt()
        return r if isinstance(r, int) else 0

    return attempt()


def sys_select(cage: Cage, nfds: int, rp: int, wp: int, ep: int, tv: int, *_: int) -> int | Block:
    """Implements select(2) (the timeval is updated with the time left, as Linux does)."""
    deadline = None
    immediate = False
    if tv:
        sec, usec = cage.mem.unpack(_TIMEVAL, tv)
        if sec < 0 or usec < 0 or usec >= 1_000_000:
            raise SyscallError(Errno.EINVAL)
        deadline = time.monotonic() + sec + usec / 1e6
        immediate = sec == 0 and usec == 0

    def left() -> None:
        if tv and deadline is not None:
            rem = max(0.0, deadline - time.monotonic())
            cage.mem.pack(_TIMEVAL, tv, int(rem), int((rem - int(rem)) * 1e6))

    return _select(cage, nfds, rp, wp, ep, deadline, immediate, left)


def sys_pselect6(cage: Cage, nfds: int, rp: int, wp: int, ep: int, ts: int, sig6: int, *_: int) -> int | Block:
    """Implements pselect6(2) (its sixth argument holds a wasm offset: WALI-ABI section 11)."""
    deadline = _deadline_from_ts(cage, ts)
    immediate = bool(ts) and deadline is not None and deadline <= time.monotonic()
    mask = None
    if sig6:
        ptr, size = cage.mem.unpack(_SIG6, sig6)
        mask = _sigmask_arg(cage, ptr & 0xFFFFFFFF, size)
    return _with_mask(cage, mask, lambda: _select(cage, nfds, rp, wp, ep, deadline, immediate))


# --- epoll ------------------------------------------------------------------------------------


class _Interest:
    """One entry of an interest list. For EPOLLET, an *edge* is any notification of
    the file's wait queues since the entry was last reported (new data, a new
    writer...), as Linux's wake-up callbacks are: a ready file reports again only
    after such an edge, whether or not anyone saw it become not-ready."""

    __slots__ = ("file", "events", "data", "disabled", "edge", "alive")

    def __init__(self, f: OpenFile, events: int, data: int) -> None:
        self.file = weakref.ref(f)
        self.events = events
        self.data = data
        self.disabled = False
        self.edge = True
        self.alive = True
        for q in f.queues():
            self._watch(q)

    def _watch(self, q: WaitQueue) -> None:
        def fired() -> None:
            if self.alive:
                self.edge = True
                q.add(fired)  # queues are one-shot: stay subscribed

        q.add(fired)


class EpollFile(OpenFile):
    """An epoll instance: an interest list keyed by fd (and open file description)."""

    __slots__ = ("interest", "wq")
    kind = "eventpoll"

    def __init__(self, flags: int) -> None:
        super().__init__(flags)
        self.interest: dict[int, _Interest] = {}
        self.wq = WaitQueue()

    def describe(self) -> bytes:
        return b"anon_inode:[eventpoll]"

    def live(self, cage: Cage) -> list[tuple[int, _Interest, OpenFile]]:
        """Entries whose fd still refers to the registered description (closing every fd
        of a description removes it from every interest list, as on Linux)."""
        out = []
        for fd, it in list(self.interest.items()):
            f = it.file()
            if f is None or cage.fds.files.get(fd) is not f:
                if f is None or f.refs == 0:
                    it.alive = False
                    del self.interest[fd]
                continue
            out.append((fd, it, f))
        return out

    def poll(self) -> int:
        for it in self.interest.values():
            f = it.file()
            if f is not None and not it.disabled and ready_events(f, it.events & 0xFFFF):
                return POLLIN
        return 0

    def queues(self) -> tuple[WaitQueue, ...]:
        qs: list[WaitQueue] = [self.wq]
        for it in self.interest.values():
            f = it.file()
            if f is not None:
                qs.extend(f.queues())
        return tuple(qs)


def _epoll(cage: Cage, epfd: int) -> EpollFile:
    f = cage.fds.get(epfd)
    if not isinstance(f, EpollFile):
        raise SyscallError(Errno.EINVAL)
    return f


def sys_epoll_create(cage: Cage, size: int, *_: int) -> int:
    """Implements epoll_create(2)."""
    if size <= 0:
        raise SyscallError(Errno.EINVAL)
    return cage.fds.alloc(EpollFile(2))


def sys_epoll_create1(cage: Cage, flags: int, *_: int) -> int:
    """Implements epoll_create1(2)."""
    if flags & ~EPOLL_CLOEXEC:
        raise SyscallError(Errno.EINVAL)
    return cage.fds.alloc(EpollFile(2), cloexec=bool(flags & EPOLL_CLOEXEC))


def sys_epoll_ctl(cage: Cage, epfd: int, op: int, fd: int, event: int, *_: int) -> int:
    """Implements epoll_ctl(2)."""
    ep = _epoll(cage, epfd)
    f = cage.fds.get(fd)
    if fd == epfd:
        raise SyscallError(Errno.EINVAL)
    if op not in (EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD):
        raise SyscallError(Errno.EINVAL)
    ev = data = 0
    if op != EPOLL_CTL_DEL:
        ev, data = cage.mem.unpack(_EPOLL_EVENT, event)
    loc = f.loc
    if loc is not None and getattr(loc, "mode", 0) & S_IFMT == S_IFREG:
        raise SyscallError(Errno.EPERM)  # regular files are always ready: Linux refuses them
    if isinstance(f, EpollFile) and f is ep:
        raise SyscallError(Errno.EINVAL)
    cur = ep.interest.get(fd)
    if cur is not None and cur.file() is not f:
        cur = None  # a stale entry of a closed description
    if op == EPOLL_CTL_ADD:
        if cur is not None:
            raise SyscallError(Errno.EEXIST)
        ep.interest[fd] = _Interest(f, ev | EPOLLERR | EPOLLHUP, data)
    elif op == EPOLL_CTL_MOD:
        if cur is None:
            raise SyscallError(Errno.ENOENT)
        if ev & EPOLLEXCLUSIVE:
            raise SyscallError(Errno.EINVAL)
        cur.events, cur.data, cur.disabled, cur.edge = ev | EPOLLERR | EPOLLHUP, data, False, True
    else:
        if cur is None:
            raise SyscallError(Errno.ENOENT)
        cur.alive = False
        del ep.interest[fd]
    ep.wq.notify()
    return 0


def _epoll_wait(cage: Cage, epfd: int, events: int, maxevents: int, deadline: float | None,
                immediate: bool) -> int | Block:
    ep = _epoll(cage, epfd)
    if maxevents <= 0 or maxevents > EP_MAX_EVENTS:
        raise SyscallError(Errno.EINVAL)
    cage.mem.check(events, maxevents * _EPOLL_EVENT.size)

    def attempt() -> int | Block:
        out = bytearray()
        n = 0
        queues: list[WaitQueue] = [ep.wq]
        hosts: list[tuple[int, str]] = []
        for _fd, it, f in ep.live(cage):
            if it.disabled:
                continue
            mask = it.events & 0xFFFF
            rev = ready_events(f, mask) & (mask | EPOLLERR | EPOLLHUP)
            if it.events & EPOLLET:
                if rev and not it.edge:
                    rev = 0
                elif rev:
                    it.edge = False
            if rev and n < maxevents:
                out += _EPOLL_EVENT.pack(rev, it.data)
                n += 1
                if it.events & EPOLLONESHOT:
                    it.disabled = True
            elif not rev:
                queues.extend(f.queues())
                hosts.extend(_host_waits(f, mask))
        if n or immediate or (deadline is not None and time.monotonic() >= deadline):
            cage.mem.write(events, out)
            return n
        return Block(retry=attempt, queues=tuple(queues), hosts=tuple(hosts), deadline=deadline,
                     on_timeout=lambda: 0, restartable=False)

    return attempt()


def sys_epoll_wait(cage: Cage, epfd: int, events: int, maxevents: int, timeout: int, *_: int) -> int | Block:
    """Implements epoll_wait(2)."""
    return _epoll_wait(cage, epfd, events, maxevents, _deadline_from_ms(timeout), timeout == 0)


def sys_epoll_pwait(cage: Cage, epfd: int, events: int, maxevents: int, timeout: int, sigmask: int,
                    sigsetsize: int, *_: int) -> int | Block:
    """Implements epoll_pwait(2)."""
    mask = _sigmask_arg(cage, sigmask, sigsetsize)
    return _with_mask(cage, mask, lambda: _epoll_wait(cage, epfd, events, maxevents,
                                                       _deadline_from_ms(timeout), timeout == 0))


SYSCALLS = [
    supported("poll", sys_poll),
    supported("ppoll", sys_ppoll),
    supported("select", sys_select),
    supported("pselect6", sys_pselect6),
    supported("epoll_create", sys_epoll_create),
    supported("epoll_create1", sys_epoll_create1),
    supported("epoll_ctl", sys_epoll_ctl),
    partial("epoll_wait", sys_epoll_wait, "EPOLLEXCLUSIVE and EPOLLWAKEUP are accepted and ignored"),
    partial("epoll_pwait", sys_epoll_pwait, "EPOLLEXCLUSIVE and EPOLLWAKEUP are accepted and ignored"),
]
