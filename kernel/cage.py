"""A cage: the kernel's view of one process (Linux's task_struct, Lind's Cage).

Everything a process owns lives here and nowhere else: identity (pid = cage id,
parent, process group, session), credentials, rlimits, the fd table, the
filesystem context (root, cwd, umask), signal dispositions and masks, the
mmap bookkeeping of its linear memory, its 3i handler table, and its threads.
The worker process holds only the wasm engine state.

``Thread`` is one thread of a cage; each thread owns one ring channel. Handlers
receive the cage; the thread making the current call is ``cage.thread``
(set by dispatch before every call: the kernel is single-threaded).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kernel.block import WaitQueue
from kernel.fdtable import FdTable
from kernel.mem import CageMemory, NoMemory

if TYPE_CHECKING:
    from kernel.kernel import Kernel
    from kernel.signals import SignalState
    from kernel.table import Handler
    from kernel.vfs.vfs import FsContext
    from kernel.vmmap import VmMap

__all__ = ["Cage", "CageState", "Creds", "Thread"]

RLIM_INFINITY = (1 << 64) - 1

#: Linux defaults for an ordinary login process, by resource number.
DEFAULT_RLIMITS: dict[int, tuple[int, int]] = {
    0: (RLIM_INFINITY, RLIM_INFINITY),   # CPU
    1: (RLIM_INFINITY, RLIM_INFINITY),   # FSIZE
    2: (RLIM_INFINITY, RLIM_INFINITY),   # DATA
    3: (8 << 20, RLIM_INFINITY),         # STACK
    4: (0, RLIM_INFINITY),               # CORE
    5: (RLIM_INFINITY, RLIM_INFINITY),   # RSS
    6: (4096, 4096),                     # NPROC
    7: (1024, 4096),                     # NOFILE
    8: (8 << 20, 8 << 20),               # MEMLOCK
    9: (RLIM_INFINITY, RLIM_INFINITY),   # AS
    10: (RLIM_INFINITY, RLIM_INFINITY),  # LOCKS
    11: (63432, 63432),                  # SIGPENDING
    12: (819200, 819200),                # MSGQUEUE
    13: (0, 0),                          # NICE
    14: (0, 0),                          # RTPRIO
    15: (RLIM_INFINITY, RLIM_INFINITY),  # RTTIME
}
RLIMIT_NOFILE = 7
RLIMIT_NPROC = 6


class CageState(enum.Enum):
    STARTING = "starting"   # worker spawned, memory not attached yet
    RUNNING = "running"
    STOPPED = "stopped"     # job-control stop
    ZOMBIE = "zombie"       # exited, waiting for its parent
    REAPED = "reaped"


@dataclass(slots=True)
class Creds:
    uid: int = 0
    euid: int = 0
    suid: int = 0
    fsuid: int = 0
    gid: int = 0
    egid: int = 0
    sgid: int = 0
    fsgid: int = 0
    groups: tuple[int, ...] = ()

    def copy(self) -> Creds:
        return Creds(self.uid, self.euid, self.suid, self.fsuid, self.gid, self.egid, self.sgid,
                     self.fsgid, self.groups)

    def in_group(self, gid: int) -> bool:
        return gid == self.fsgid or gid in self.groups


@dataclass(slots=True, eq=False)
class Thread:
    tid: int
    cage: Cage
    channel: int = 0
    #: Blocked-signal mask (bit n-1 for signal n).
    sigmask: int = 0
    #: Signals sent to this thread specifically (tkill/tgkill).
    pending: int = 0
    clear_child_tid: int = 0
    robust_list: int = 0
    #: Masks to restore at each pending sigreturn (one per running handler).
    sigframes: list[int] = field(default_factory=list)
    #: Reply flags to add to the current call's reply (EXEC, FORK, EXIT...).
    flags: int = 0
    #: The mask to restore after rt_sigsuspend/ppoll/pselect's temporary one.
    saved_mask: int | None = None
    alive: bool = True


@dataclass(eq=False)
class Cage:
    kernel: Kernel
    pid: int
    ppid: int
    pgid: int
    sid: int
    creds: Creds
    fds: FdTable
    fs: FsContext
    sig: SignalState
    table: list[Handler | None]
    vm: VmMap
    rlimits: dict[int, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_RLIMITS))
    mem: CageMemory = field(default_factory=NoMemory)
    state: CageState = CageState.STARTING
    argv: list[bytes] = field(default_factory=list)
    env: list[bytes] = field(default_factory=list)
    #: Guest path of the program (readlink /proc/self/exe).
    exe: bytes = b""
    #: Wait status (the int wait4 stores) once exited.
    wait_status: int = 0
    threads: dict[int, Thread] = field(default_factory=dict)
    thread: Thread = None  # type: ignore[assignment]
    children: set[int] = field(default_factory=set)
    #: Notified when a child changes state (exit, stop, continue): wait4 sleeps here.
    child_wq: WaitQueue = field(default_factory=WaitQueue)
    #: Notified when a signal may have become deliverable to some thread.
    sig_wq: WaitQueue = field(default_factory=WaitQueue)
    #: ENOSYS tallies: syscalls that reached the kernel unimplemented, and
    #: imports the worker stubbed locally.
    enosys: dict[str, int] = field(default_factory=dict)
    #: Server-side data (ring channels, worker process...), opaque to the core.
    host: Any = None
    #: Exit has been decided (exit_group or fatal signal); threads just unwind.
    exiting: bool = False
    #: The process name (PR_SET_NAME / comm).
    comm: bytes = b""
    #: A stop or continue not yet reported to wait4 (WUNTRACED/WCONTINUED).
    stop_reported: bool = True
    #: Has called execve (setpgid on it from the parent is then EACCES).
    did_exec: bool = False
    nice: int = 0
    #: CPU time (user ns, system ns, max RSS KiB) of reaped children (RUSAGE_CHILDREN).
    child_times: tuple[int, int, int] = (0, 0, 0)
    #: prctl bookkeeping (pdeathsig, dumpable, subreaper, no_new_privs).
    prctl: dict[str, int] = field(default_factory=dict)
    #: CPU time (user ns, system ns, max RSS KiB) when it exited.
    final_times: tuple[int, int, int] = (0, 0, 0)
    #: Interval timers: which -> (next expiry monotonic s, interval s) (setitimer/alarm).
    itimers: dict[int, tuple[float, float]] = field(default_factory=dict)
    #: Futex waiters by address (kernel.futex).
    futexes: dict[int, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.thread is None:
            self.thread = Thread(tid=self.pid, cage=self)
            self.threads[self.pid] = self.thread
        self.fds.limit = self.rlimits[RLIMIT_NOFILE][0]

    @property
    def alive(self) -> bool:
        return self.state in (CageState.STARTING, CageState.RUNNING, CageState.STOPPED)

    def __repr__(self) -> str:
        return f"<Cage {self.pid} {self.state.value}>"
