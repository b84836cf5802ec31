"""Syscall handlers, one module per family (gVisor's sys_*.go).

Handlers are named ``sys_<name>``, take the calling cage and the six raw
arguments (already widened by the cage per ``abi.sysno`` argument kinds), and
return the result, a ``Block``, or raise ``SyscallError``.
"""

from __future__ import annotations

from kernel.syscalls import (
    sys_fs,
    sys_futex,
    sys_io,
    sys_misc,
    sys_mman,
    sys_pipe,
    sys_poll,
    sys_proc,
    sys_process,
    sys_signal,
    sys_sigwait,
    sys_time,
    sys_xattr,
)

FAMILIES = (sys_io, sys_fs, sys_proc, sys_process, sys_time, sys_mman, sys_signal, sys_sigwait, sys_pipe,
            sys_futex, sys_poll, sys_misc, sys_xattr)
