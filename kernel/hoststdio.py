"""The kernel's own stdio, handed to cages as fds 0, 1 and 2.

The kernel must never block on a host descriptor (one stuck write would stop
every cage), but setting O_NONBLOCK on an inherited descriptor changes the
open file description the invoking shell shares. So pipes, FIFOs and ttys are
reopened through ``/proc/self/fd/N``, which gives the kernel a *new* open file
description of the same pipe or terminal, and only that one is made
non-blocking. Regular files are duplicated as they are (they never block, and
the duplicate keeps O_APPEND). Sockets cannot be reopened: their duplicate is
made non-blocking.
"""

from __future__ import annotations

import os
import stat

from kernel.file import O_RDONLY, O_RDWR, O_WRONLY, HostFdFile

__all__ = ["host_stdio"]


def _reopen(fd: int, write: bool) -> int:
    st = os.fstat(fd)
    mode = os.O_WRONLY if write else os.O_RDONLY
    if stat.S_ISREG(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return os.dup(fd)
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
        if stat.S_ISCHR(st.st_mode) and os.isatty(fd):
            mode = os.O_RDWR
        try:
            return os.open(f"/proc/self/fd/{fd}", mode | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        except OSError:
            pass
    nfd = os.dup(fd)
    os.set_blocking(nfd, False)
    return nfd


def host_stdio(fd: int) -> HostFdFile | None:
    """An OpenFile for the kernel's descriptor ``fd`` (0, 1 or 2), or None if closed."""
    try:
        os.fstat(fd)
    except OSError:
        return None
    write = fd != 0
    st = os.fstat(fd)
    hfd = _reopen(fd, write)
    flags = O_WRONLY if write else O_RDONLY
    # What readlink(/proc/self/fd/N) shows: a pipe or terminal as Linux names it,
    # never a host path.
    name = f"/dev/fd/{fd}".encode()
    if os.isatty(hfd):
        flags = O_RDWR
        name = b"/dev/tty"
    elif stat.S_ISFIFO(st.st_mode):
        name = b"pipe:[%d]" % st.st_ino
    elif stat.S_ISSOCK(st.st_mode):
        name = b"socket:[%d]" % st.st_ino
    return HostFdFile(hfd, flags, path=name)
