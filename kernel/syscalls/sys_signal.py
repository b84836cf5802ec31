"""Signal syscalls: dispositions, masks, pending sets, kill and friends.

The sigaction crossing is WALI's packed ``struct k_sigaction`` (24 bytes:
handler table index, flags, restorer, mask) and ``sigsetsize`` must be 8, as
Linux requires. Generation and default actions live in ``kernel.kernel``;
running a handler happens in the worker (``kernel.signals``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    MINSIGSTKSZ as MINSIGSTKSZ,
    SIG_BLOCK as SIG_BLOCK,
    SIG_SETMASK as SIG_SETMASK,
    SIG_UNBLOCK as SIG_UNBLOCK,
    SS_AUTODISARM as SS_AUTODISARM,
    SS_DISABLE as SS_DISABLE,
    SS_ONSTACK as SS_ONSTACK,
)
from abi.messages import ReplyFlag
from abi.structs import KSigaction, StackT
from kernel.cage import CageState
from kernel.errors import SyscallError
from kernel.signals import (
    NSIG,
    SIGKILL,
    SIGSTOP,
    UNBLOCKABLE,
    SigAction,
    sigbit,
)
from kernel.table import supported

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS"]

#: Flag bits sigaltstack keeps beside the mode (Linux's SS_FLAG_BITS).
SS_FLAG_BITS: Final = SS_AUTODISARM
_KSA = KSigaction.FMT
_STACK = StackT.FMT
_ALL: Final = (1 << 64) - 1


def _sig(sig: int) -> int:
    if sig < 1 or sig >= NSIG:
        raise SyscallError(Errno.EINVAL)
    return sig


def _died(cage: Cage) -> None:
    """The caller's own signal killed it: make the worker exit with the reply.

    Linux acts on a fatal signal before the syscall returns to user space, so
    not one more instruction of the program runs (the kernel also kills the
    worker, but only after the reply is out).
    """
    if not cage.alive:
        cage.thread.flags |= ReplyFlag.EXIT


def sys_rt_sigaction(cage: Cage, sig: int, act: int, oldact: int, sigsetsize: int, *_: int) -> int:
    """Implements rt_sigaction(2) with WALI's handler encoding."""
    # kernel/signal.c order: sigsetsize, copy act in (EFAULT), validate the
    # signal, install, then copy the old action out (EFAULT after installing).
    if sigsetsize != 8:
        raise SyscallError(Errno.EINVAL)
    new = cage.mem.unpack(_KSA, act) if act else None
    _sig(sig)
    if new is not None and sig in (SIGKILL, SIGSTOP):
        raise SyscallError(Errno.EINVAL)
    cur = cage.sig.actions[sig]
    if new is not None:
        handler, flags, restorer, mask = new
        cage.sig.actions[sig] = SigAction(handler, flags, restorer, mask & ~UNBLOCKABLE)
        if cage.sig.is_ignored(sig):
            # POSIX: setting a pending signal to be ignored discards it.
            bit = sigbit(sig)
            cage.sig.pending &= ~bit
            for t in cage.threads.values():
                t.pending &= ~bit
    if oldact:
        cage.mem.pack(_KSA, oldact, cur.handler, cur.flags, cur.restorer, cur.mask)
    return 0


def sys_rt_sigprocmask(cage: Cage, how: int, set_: int, oldset: int, sigsetsize: int, *_: int) -> int:
    """Implements rt_sigprocmask(2)."""
    if sigsetsize != 8:
        raise SyscallError(Errno.EINVAL)
    t = cage.thread
    old = t.sigmask
    if set_:
        new = cage.mem.u64(set_)
        if how == SIG_BLOCK:
            mask = old | new
        elif how == SIG_UNBLOCK:
            mask = old & ~new
        elif how == SIG_SETMASK:
            mask = new
        else:
            raise SyscallError(Errno.EINVAL)  # ``how`` is only looked at with a set
        t.sigmask = mask & ~UNBLOCKABLE & _ALL
        cage.kernel.unblocked(cage, t)
        _died(cage)
    if oldset:
        cage.mem.put_u64(oldset, old)
    return 0


def sys_rt_sigpending(cage: Cage, set_: int, sigsetsize: int, *_: int) -> int:
    """Implements rt_sigpending(2): pending signals that are blocked."""
    if sigsetsize > 8:
        raise SyscallError(Errno.EINVAL)
    t = cage.thread
    pending = (cage.sig.pending | t.pending) & t.sigmask
    cage.mem.write(set_, pending.to_bytes(8, "little")[:sigsetsize])
    return 0


def sys_sigaltstack(cage: Cage, ss: int, old: int, *_: int) -> int:
    """Implements sigaltstack(2) (bookkeeping: handlers run on the wasm stack)."""
    # kernel/signal.c do_sigaltstack. Handlers never run on the alternate stack
    # here, so the caller is never "on" it (no EPERM, SS_ONSTACK never reported).
    new = cage.mem.unpack(_STACK, ss) if ss else None
    sp, flags, size = cage.sig.altstack
    prev = (sp, (SS_DISABLE if size == 0 else 0) | (flags & SS_FLAG_BITS), size)
    if new is not None:
        nsp, nflags, nsize = new
        nflags &= 0xFFFFFFFF
        mode = nflags & ~SS_FLAG_BITS
        if mode not in (0, SS_ONSTACK, SS_DISABLE):
            raise SyscallError(Errno.EINVAL)
        if mode == SS_DISABLE:
            cage.sig.altstack = (0, SS_DISABLE, 0)
        else:
            if nsize < MINSIGSTKSZ:
                raise SyscallError(Errno.ENOMEM)
            cage.sig.altstack = (nsp, nflags, nsize)
    if old:
        osp, oflags, osize = prev
        cage.mem.pack(_STACK, old, osp, oflags - (1 << 32) if oflags & 0x80000000 else oflags, osize)
    return 0


def _targets(cage: Cage, pid: int) -> list[Cage]:
    """Who kill(pid) addresses. Zombies count: a process exists until it is
    reaped, so kill(zombie, 0) is 0 on Linux (and a real signal is a no-op)."""
    k = cage.kernel
    live = [c for c in k.cages.values() if (c.alive or c.state is CageState.ZOMBIE) and c is not k.init]
    if pid > 0:
        return [c for c in live if c.pid == pid]
    if pid == 0:
        return [c for c in live if c.pgid == cage.pgid]
    if pid == -1:
        return [c for c in live if c is not cage]
    return [c for c in live if c.pgid == -pid]


def sys_kill(cage: Cage, pid: int, sig: int, *_: int) -> int:
    """Implements kill(2): a pid, the caller's group (0), everyone (-1), a group (-pgid)."""
    if sig < 0 or sig >= NSIG:
        raise SyscallError(Errno.EINVAL)
    if pid == -(1 << 31):
        raise SyscallError(Errno.ESRCH)
    targets = _targets(cage, pid)
    if not targets:
        raise SyscallError(Errno.ESRCH)
    k = cage.kernel
    allowed = [t for t in targets if k.may_signal(cage, t, sig)]
    if not allowed:
        raise SyscallError(Errno.EPERM)
    if sig:
        for t in allowed:
            k.send_signal(t, sig)
        _died(cage)
    return 0


def _thread_kill(cage: Cage, tgid: int | None, tid: int, sig: int) -> int:
    """tkill (``tgid`` None) and tgkill: one thread, found by tid (and group)."""
    if tid <= 0 or (tgid is not None and tgid <= 0):
        raise SyscallError(Errno.EINVAL)
    if sig < 0 or sig >= NSIG:
        raise SyscallError(Errno.EINVAL)
    k = cage.kernel
    for c in k.cages.values():
        if not c.alive or c is k.init or (tgid is not None and c.pid != tgid):
            continue
        t = c.threads.get(tid)
        if t is not None and t.alive:
            if not k.may_signal(cage, c, sig):
                raise SyscallError(Errno.EPERM)
            if sig:
                k.send_signal(c, sig, t)
                _died(cage)
            return 0
    raise SyscallError(Errno.ESRCH)


def sys_tkill(cage: Cage, tid: int, sig: int, *_: int) -> int:
    """Implements tkill(2)."""
    return _thread_kill(cage, None, tid, sig)


def sys_tgkill(cage: Cage, tgid: int, tid: int, sig: int, *_: int) -> int:
    """Implements tgkill(2)."""
    return _thread_kill(cage, tgid, tid, sig)


SYSCALLS = [
    supported("rt_sigaction", sys_rt_sigaction),
    supported("rt_sigprocmask", sys_rt_sigprocmask),
    supported("rt_sigpending", sys_rt_sigpending),
    supported("sigaltstack", sys_sigaltstack),
    supported("kill", sys_kill),
    supported("tkill", sys_tkill),
    supported("tgkill", sys_tgkill),
]
