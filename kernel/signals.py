"""Signal dispositions, masks, pending sets and default actions.

State (Linux semantics, WALI encoding):

* dispositions are per cage (shared by its threads), each a ``SigAction`` with
  the WALI handler value: ``SIG_DFL = 0``, ``SIG_IGN = -2`` (WALI moved it from 1,
  a valid table index), ``SIG_ERR = -1``, else an index into the module's
  funcref table 0;
* masks are per thread; pending signals are per cage (kill) or per thread
  (tkill/tgkill), as 64-bit sets with bit ``n-1`` for signal ``n``;
* SIGKILL and SIGSTOP can be neither caught, ignored nor blocked.

Generation (``send``) decides at once what a signal does if its disposition is
the default: ignore (SIGCHLD, SIGURG, SIGWINCH, SIGCONT), stop (SIGSTOP, SIGTSTP,
SIGTTIN, SIGTTOU), continue (SIGCONT), or terminate (everything else). A caught
signal becomes pending and is delivered by the worker when a syscall returns:
the reply carries the SIGNAL flag and the worker asks which handler to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from abi.flags import (  # Linux constants, defined once in abi.flags
    NSIG as NSIG,
    SA_NOCLDSTOP as SA_NOCLDSTOP,
    SA_NOCLDWAIT as SA_NOCLDWAIT,
    SA_NODEFER as SA_NODEFER,
    SA_ONSTACK as SA_ONSTACK,
    SA_RESETHAND as SA_RESETHAND,
    SA_RESTART as SA_RESTART,
    SA_RESTORER as SA_RESTORER,
    SA_SIGINFO as SA_SIGINFO,
    SIG_DFL as SIG_DFL,
    SIG_ERR as SIG_ERR,
    SIG_IGN as SIG_IGN,
    SIGABRT as SIGABRT,
    SIGALRM as SIGALRM,
    SIGBUS as SIGBUS,
    SIGCHLD as SIGCHLD,
    SIGCONT as SIGCONT,
    SIGFPE as SIGFPE,
    SIGHUP as SIGHUP,
    SIGILL as SIGILL,
    SIGINT as SIGINT,
    SIGIO as SIGIO,
    SIGKILL as SIGKILL,
    SIGPIPE as SIGPIPE,
    SIGPROF as SIGPROF,
    SIGPWR as SIGPWR,
    SIGQUIT as SIGQUIT,
    SIGSEGV as SIGSEGV,
    SIGSTKFLT as SIGSTKFLT,
    SIGSTOP as SIGSTOP,
    SIGSYS as SIGSYS,
    SIGTERM as SIGTERM,
    SIGTRAP as SIGTRAP,
    SIGTSTP as SIGTSTP,
    SIGTTIN as SIGTTIN,
    SIGTTOU as SIGTTOU,
    SIGURG as SIGURG,
    SIGUSR1 as SIGUSR1,
    SIGUSR2 as SIGUSR2,
    SIGVTALRM as SIGVTALRM,
    SIGWINCH as SIGWINCH,
    SIGXCPU as SIGXCPU,
    SIGXFSZ as SIGXFSZ,
)

if TYPE_CHECKING:
    from kernel.cage import Cage, Thread

__all__ = [
    "NSIG",
    "SIGCHLD",
    "SIGCONT",
    "SIGKILL",
    "SIGPIPE",
    "SIGSTOP",
    "SIG_DFL",
    "SIG_ERR",
    "SIG_IGN",
    "SigAction",
    "SignalState",
    "sigbit",
]





def sigbit(sig: int) -> int:
    return 1 << (sig - 1)


UNBLOCKABLE: Final = sigbit(SIGKILL) | sigbit(SIGSTOP)
DEFAULT_IGNORE: Final = sigbit(SIGCHLD) | sigbit(SIGURG) | sigbit(SIGWINCH) | sigbit(SIGCONT)
DEFAULT_STOP: Final = sigbit(SIGSTOP) | sigbit(SIGTSTP) | sigbit(SIGTTIN) | sigbit(SIGTTOU)
#: Default action "terminate and dump core" (reported in the wait status).
DEFAULT_CORE: Final = (sigbit(SIGQUIT) | sigbit(SIGILL) | sigbit(SIGTRAP) | sigbit(SIGABRT) | sigbit(SIGBUS)
                       | sigbit(SIGFPE) | sigbit(SIGSEGV) | sigbit(SIGXCPU) | sigbit(SIGXFSZ) | sigbit(SIGSYS))


@dataclass(slots=True)
class SigAction:
    handler: int = SIG_DFL
    flags: int = 0
    restorer: int = 0
    mask: int = 0

    def copy(self) -> SigAction:
        return SigAction(self.handler, self.flags, self.restorer, self.mask)


@dataclass(slots=True)
class SignalState:
    actions: list[SigAction] = field(default_factory=lambda: [SigAction() for _ in range(NSIG)])
    #: Process-directed pending signals.
    pending: int = 0
    #: sigaltstack bookkeeping: (ss_sp, ss_flags, ss_size).
    altstack: tuple[int, int, int] = (0, 2, 0)  # SS_DISABLE

    def fork(self) -> SignalState:
        """Child's state: same dispositions, nothing pending (fork(2))."""
        return SignalState([a.copy() for a in self.actions], 0, self.altstack)

    def reset_for_exec(self) -> None:
        """Caught signals revert to SIG_DFL; ignored stay ignored (execve(2))."""
        for a in self.actions:
            if a.handler not in (SIG_DFL, SIG_IGN):
                a.handler, a.flags, a.mask, a.restorer = SIG_DFL, 0, 0, 0
        self.altstack = (0, 2, 0)

    def is_ignored(self, sig: int) -> bool:
        h = self.actions[sig].handler
        return h == SIG_IGN or (h == SIG_DFL and bool(DEFAULT_IGNORE & sigbit(sig)))


def deliverable(cage: Cage, thread: Thread) -> int:
    """Pending signals this thread could take now."""
    return (cage.sig.pending | thread.pending) & ~thread.sigmask | ((cage.sig.pending | thread.pending) & UNBLOCKABLE)
