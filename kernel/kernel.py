"""The kernel's core state: cages, the process tree, exits and signal generation.

Sans-IO: nothing here spawns processes, touches rings or sleeps. What needs the
outside world goes through ``Host`` (implemented by the trio shell in
``kernel.server``, and by a recording fake in unit tests):

* ``host.cage_exited(cage)``: stop the worker if it is still running, free its ring;
* ``host.signal_pending(cage)``: a signal became deliverable: wake the cage's
  blocked calls and interrupt it if it is running wasm;
* ``host.start_exec`` / ``host.start_fork``: the worker-side halves of execve/fork.

Process tree rules (Linux): pid 1 is a virtual init that adopts orphans and
reaps them at once; a zombie stays until its parent reaps it with wait4/waitid,
unless the parent ignores SIGCHLD or set SA_NOCLDWAIT, in which case children
are reaped as they exit.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from abi.errno import Errno
from kernel import locks
from kernel.cage import RLIMIT_NPROC, Cage, CageState, Creds
from kernel.errors import SyscallError
from kernel.fdtable import FdTable
from kernel.signals import (
    DEFAULT_CORE,
    DEFAULT_IGNORE,
    DEFAULT_STOP,
    SA_NOCLDWAIT,
    SA_NODEFER,
    SA_RESETHAND,
    SIG_DFL,
    SIG_IGN,
    SIGCHLD,
    SIGCONT,
    SIGKILL,
    SIGPIPE,
    SIGSTOP,
    UNBLOCKABLE,
    SigAction,
    SignalState,
    deliverable,
    sigbit,
)
from kernel.vmmap import VmMap

if TYPE_CHECKING:
    from kernel.cage import Thread
    from kernel.table import Handler
    from kernel.vfs.vfs import FsContext, Vfs

__all__ = ["W_EXITCODE", "W_SIGNALED", "W_STOPCODE", "Host", "Kernel"]


def W_EXITCODE(code: int) -> int:
    return (code & 0xFF) << 8


def W_SIGNALED(sig: int, core: bool = False) -> int:
    return (sig & 0x7F) | (0x80 if core else 0)


def W_STOPCODE(sig: int) -> int:
    return (sig << 8) | 0x7F


W_CONTINUED = 0xFFFF


class Host(Protocol):
    def cage_exited(self, cage: Cage) -> None: ...
    def signal_pending(self, cage: Cage) -> None: ...
    def cpu_times(self, cage: Cage) -> tuple[int, int, int]: ...
    def start_fork(self, parent: Cage, child: Cage) -> None: ...
    def start_exec(self, cage: Cage, wasm: bytes) -> None: ...
    def start_thread(self, cage: Cage, thread: Thread) -> None: ...
    def thread_exited(self, cage: Cage, thread: Thread) -> None: ...
    def job_control(self, cage: Cage, *, stop: bool) -> None: ...


class Kernel:
    """All kernel state, independent of trio and of worker processes."""

    def __init__(self, vfs: Vfs, host: Host, *, max_cages: int = 4096, uid: int = 0, gid: int = 0,
                 hostname: bytes = b"warden") -> None:
        from kernel.table import builtin_handlers

        self.vfs = vfs
        self.host = host
        self.max_cages = max_cages
        self.hostname = hostname
        self.domainname = b"(none)"
        self.boot_ns = time.monotonic_ns()
        self.cages: dict[int, Cage] = {}
        #: tid -> cage for threads other than main threads (whose tid is the pid).
        self.tids: dict[int, Cage] = {}
        self._next_pid = 2
        self.handlers: list[Handler | None] = builtin_handlers()
        self.default_creds = Creds(uid, uid, uid, uid, gid, gid, gid, gid, ())
        self.init = self._make_cage(pid=1, ppid=0, creds=self.default_creds.copy(), fs=vfs.root_context())
        self.init.state = CageState.RUNNING
        self.signals = self
        #: The cage whose call is being served (procfs's "self").
        self.current: Cage | None = None

    # --- creation ------------------------------------------------------------------

    def _alloc_pid(self) -> int:
        if len(self.cages) - 1 >= self.max_cages:  # init does not count
            raise SyscallError(Errno.EAGAIN)
        pid = self._next_pid
        while pid in self.cages or pid in self.tids:
            pid += 1
        self._next_pid = pid + 1
        return pid

    def _make_cage(self, *, pid: int, ppid: int, creds: Creds, fs: FsContext,
                   fds: FdTable | None = None, sig: SignalState | None = None,
                   table: list[Handler | None] | None = None, pgid: int | None = None,
                   sid: int | None = None) -> Cage:
        cage = Cage(kernel=self, pid=pid, ppid=ppid, pgid=pgid or pid, sid=sid or pid, creds=creds,
                    fds=fds if fds is not None else FdTable(), fs=fs, sig=sig or SignalState(),
                    table=table if table is not None else list(self.handlers), vm=VmMap())
        self.cages[pid] = cage
        parent = self.cages.get(ppid)
        if parent is not None:
            parent.children.add(pid)
        return cage

    def spawn(self, argv: list[bytes], env: list[bytes], exe: bytes, *, fds: FdTable,
              cwd: bytes = b"/", parent: int = 1, creds: Creds | None = None) -> Cage:
        """A new top-level cage (``warden run``): fresh state, child of init."""
        pid = self._alloc_pid()
        fs = self.vfs.root_context()
        if cwd != b"/":
            fs = self.vfs.context_at(fs, cwd)
        cage = self._make_cage(pid=pid, ppid=parent, creds=(creds or self.default_creds).copy(), fs=fs,
                               fds=fds, pgid=pid, sid=pid)
        cage.argv, cage.env, cage.exe = list(argv), list(env), exe
        cage.comm = exe.rsplit(b"/", 1)[-1][:15]
        return cage

    def fork_cage(self, parent: Cage) -> Cage:
        """The kernel half of fork(2): a child with copies of everything shared by value."""
        nproc = sum(1 for c in self.cages.values() if c.creds.uid == parent.creds.uid and c.alive)
        if parent.creds.euid != 0 and nproc >= parent.rlimits[RLIMIT_NPROC][0]:
            raise SyscallError(Errno.EAGAIN)
        pid = self._alloc_pid()
        child = self._make_cage(pid=pid, ppid=parent.pid, creds=parent.creds.copy(),
                                fs=parent.fs.copy(), fds=parent.fds.fork(), sig=parent.sig.fork(),
                                table=list(parent.table), pgid=parent.pgid, sid=parent.sid)
        child.rlimits = dict(parent.rlimits)
        child.argv, child.env, child.exe, child.comm = parent.argv, parent.env, parent.exe, parent.comm
        child.vm = parent.vm.fork()
        child.thread.sigmask = parent.thread.sigmask
        return child

    # --- lookups -----------------------------------------------------------------------

    def cage(self, pid: int) -> Cage:
        c = self.cages.get(pid)
        if c is None or c.state is CageState.REAPED:
            raise SyscallError(Errno.ESRCH)
        return c

    def live_cages(self) -> list[Cage]:
        return [c for c in self.cages.values() if c.alive and c is not self.init]

    # --- exit and reaping ------------------------------------------------------------------

    def exit_cage(self, cage: Cage, wait_status: int) -> None:
        """The cage is dead (any cause): release everything, become a zombie."""
        if not cage.alive:
            return
        cage.exiting = True
        cage.final_times = self.host.cpu_times(cage)
        cage.state = CageState.ZOMBIE
        cage.wait_status = wait_status
        for t in cage.threads.values():
            t.alive = False
        from kernel.syscalls.sys_mman import release_mappings

        release_mappings(cage)  # shared file mappings are written back while memory is attached
        cage.fds.close_all()
        locks.on_exit(cage.pid)
        cage.mem.close()
        self.host.cage_exited(cage)
        # Orphans go to init; zombies among them are reaped at once.
        for pid in sorted(cage.children):
            child = self.cages.get(pid)
            if child is None:
                continue
            child.ppid = 1
            self.init.children.add(pid)
            if child.state is CageState.ZOMBIE:
                self.reap(child)
        cage.children.clear()
        parent = self.cages.get(cage.ppid)
        if parent is None or parent is self.init or not parent.alive:
            self.reap(cage)
            return
        act = parent.sig.actions[SIGCHLD]
        if act.handler == SIG_IGN or act.flags & SA_NOCLDWAIT:
            self.reap(cage)
        else:
            self.send_signal(parent, SIGCHLD)
        parent.child_wq.notify()

    def reap(self, cage: Cage) -> None:
        cage.state = CageState.REAPED
        parent = self.cages.get(cage.ppid)
        if parent is not None:
            parent.children.discard(cage.pid)
            u, s_, rss = cage.final_times
            cu, cs, crss = cage.child_times
            pu, ps, prss = parent.child_times
            parent.child_times = (pu + u + cu, ps + s_ + cs, max(prss, rss, crss))
        self.init.children.discard(cage.pid)
        self.cages.pop(cage.pid, None)

    # --- signals --------------------------------------------------------------------------

    def send_signal(self, cage: Cage, sig: int, thread: Thread | None = None) -> None:
        """Generate ``sig`` for ``cage`` (or one of its threads); see ``kernel.signals``."""
        if not cage.alive or sig == 0 or cage is self.init:
            return
        bit = sigbit(sig)
        act = cage.sig.actions[sig]
        if sig == SIGKILL:
            self.exit_cage(cage, W_SIGNALED(SIGKILL))
            return
        if sig == SIGCONT or bit & DEFAULT_STOP:
            self._job_control(cage, sig)
            if sig == SIGSTOP:
                return
        if act.handler == SIG_IGN:
            return
        if act.handler == SIG_DFL:
            if bit & DEFAULT_IGNORE:
                return
            if bit & DEFAULT_STOP:
                return  # handled by _job_control
            # Terminating signal with the default action: the cage dies now,
            # unless every thread blocks it, in which case it waits pending.
            if all(t.sigmask & bit for t in cage.threads.values() if t.alive):
                cage.sig.pending |= bit
                return
            self.exit_cage(cage, W_SIGNALED(sig, core=bool(bit & DEFAULT_CORE)))
            return
        if thread is not None:
            thread.pending |= bit
        else:
            cage.sig.pending |= bit
        cage.sig_wq.notify()
        self.host.signal_pending(cage)

    def unblocked(self, cage: Cage, thread: Thread) -> None:
        """``thread`` changed its mask: pending signals with a fatal default act now."""
        pend = (cage.sig.pending | thread.pending) & ~thread.sigmask
        if not pend:
            return
        for sig in range(1, 65):
            bit = sigbit(sig)
            if not pend & bit:
                continue
            act = cage.sig.actions[sig]
            if act.handler == SIG_DFL and not bit & (DEFAULT_IGNORE | DEFAULT_STOP):
                self.exit_cage(cage, W_SIGNALED(sig, core=bool(bit & DEFAULT_CORE)))
                return

    def _job_control(self, cage: Cage, sig: int) -> None:
        parent = self.cages.get(cage.ppid)
        if sig == SIGCONT:
            # SIGCONT discards pending stop signals and resumes a stopped cage.
            cage.sig.pending &= ~DEFAULT_STOP
            if cage.state is CageState.STOPPED:
                cage.state = CageState.RUNNING
                cage.wait_status = W_CONTINUED
                cage.stop_reported = False
                self.host.job_control(cage, stop=False)
                if parent is not None:
                    parent.child_wq.notify()
                cage.sig_wq.notify()
            return
        cage.sig.pending &= ~sigbit(SIGCONT)
        if sig != SIGSTOP and cage.sig.actions[sig].handler != SIG_DFL:
            return
        if cage.state in (CageState.RUNNING, CageState.STARTING):
            cage.state = CageState.STOPPED
            cage.wait_status = W_STOPCODE(sig)
            cage.stop_reported = False
            self.host.job_control(cage, stop=True)
            if parent is not None:
                if not parent.sig.actions[SIGCHLD].flags & 1:  # SA_NOCLDSTOP
                    self.send_signal(parent, SIGCHLD)
                parent.child_wq.notify()

    # --- threads ------------------------------------------------------------------------

    def new_thread(self, cage: Cage) -> Thread:
        """A new thread of ``cage`` (its tid comes from the pid space, as on Linux)."""
        from kernel.cage import Thread as _Thread

        tid = self._alloc_pid()
        t = _Thread(tid=tid, cage=cage, sigmask=cage.thread.sigmask)
        cage.threads[tid] = t
        self.tids[tid] = cage
        return t

    def exit_thread(self, cage: Cage, t: Thread) -> None:
        """One thread ends (exit(2) in a multi-threaded cage): clear_child_tid is
        zeroed and futex-woken, as pthread_join expects."""
        t.alive = False
        cage.threads.pop(t.tid, None)
        self.tids.pop(t.tid, None)
        if t.clear_child_tid:
            try:
                cage.mem.put_u32(t.clear_child_tid, 0)
                from kernel.futex import futex_wake

                futex_wake(cage, t.clear_child_tid, 1, 0xFFFFFFFF)
            except SyscallError:
                pass
        self.host.thread_exited(cage, t)

    # --- exec ---------------------------------------------------------------------------

    def exec_cage(self, cage: Cage, wasm: bytes, argv: list[bytes], env: list[bytes], exe: bytes) -> None:
        """The point of no return of execve(2): the new program replaces the old."""
        for t in list(cage.threads.values()):
            if t is not cage.thread:
                t.alive = False
                cage.threads.pop(t.tid, None)
                self.tids.pop(t.tid, None)
        from kernel.syscalls.sys_mman import release_mappings

        release_mappings(cage)  # the old program's shared file mappings are written back
        cage.fds.close_on_exec(cage.pid)
        cage.sig.reset_for_exec()
        cage.thread.saved_mask = None
        cage.thread.sigframes.clear()
        cage.argv, cage.env, cage.exe = list(argv), list(env), exe
        cage.comm = exe.rsplit(b"/", 1)[-1][:15]
        cage.did_exec = True
        self.host.start_exec(cage, wasm)

    # --- signal delivery (worker side of handlers) ---------------------------------------------

    def signal_next(self, cage: Cage, t: Thread) -> int:
        """The next signal whose handler ``t`` must run: ``handler << 8 | signo``, or 0.

        Default actions are applied here if the disposition changed since the
        signal was queued. The thread's mask for the handler is installed and the
        mask to restore at sigreturn is pushed (sigsuspend's saved mask if any).
        """
        while True:
            pend = deliverable(cage, t)
            if not pend:
                return 0
            sig = (pend & -pend).bit_length()
            bit = sigbit(sig)
            if t.pending & bit:
                t.pending &= ~bit
            else:
                cage.sig.pending &= ~bit
            act = cage.sig.actions[sig]
            if act.handler == SIG_IGN:
                continue
            if act.handler == SIG_DFL:
                if bit & (DEFAULT_IGNORE | DEFAULT_STOP):
                    continue
                self.exit_cage(cage, W_SIGNALED(sig, core=bool(bit & DEFAULT_CORE)))
                return 0
            restore = t.saved_mask if t.saved_mask is not None else t.sigmask
            t.saved_mask = None
            t.sigframes.append(restore)
            t.sigmask |= act.mask | (0 if act.flags & SA_NODEFER else bit)
            t.sigmask &= ~UNBLOCKABLE
            if act.flags & SA_RESETHAND:
                cage.sig.actions[sig] = SigAction()
            return ((act.handler & 0xFFFFFFFF) << 8) | sig

    def sigreturn(self, cage: Cage, t: Thread) -> int:
        if t.sigframes:
            t.sigmask = t.sigframes.pop()
            self.unblocked(cage, t)
        return 0

    def send_pipe_signal(self, cage: Cage) -> None:
        self.send_signal(cage, SIGPIPE, cage.thread)

    def may_signal(self, sender: Cage, target: Cage, sig: int) -> bool:
        """kill(2) permission: privileged, same real/effective uid, or SIGCONT in-session."""
        s, t = sender.creds, target.creds
        if s.euid == 0:
            return True
        if sig == SIGCONT and sender.sid == target.sid:
            return True
        return s.uid in (t.uid, t.suid) or s.euid in (t.uid, t.suid)
