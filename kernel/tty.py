"""Terminal ioctls on host descriptors (the kernel's own terminal).

Only requests whose argument layout is identical for a wasm32 WALI guest and the
x86-64 host are passed through, by copying the argument in and out of cage
memory: struct termios (kernel layout, 36 bytes), struct winsize (8 bytes),
pid_t, int. Anything else is ENOTTY, on a terminal too (Linux's tty_ioctl turns
the line discipline's ENOIOCTLCMD into ENOTTY).
"""

from __future__ import annotations

import fcntl
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    FIONREAD as FIONREAD,
    TCFLSH as TCFLSH,
    TCGETS as TCGETS,
    TCSBRK as TCSBRK,
    TCSETS as TCSETS,
    TCSETSF as TCSETSF,
    TCSETSW as TCSETSW,
    TCXONC as TCXONC,
    TIOCGPGRP as TIOCGPGRP,
    TIOCGSID as TIOCGSID,
    TIOCGWINSZ as TIOCGWINSZ,
    TIOCNOTTY as TIOCNOTTY,
    TIOCOUTQ as TIOCOUTQ,
    TIOCSCTTY as TIOCSCTTY,
    TIOCSPGRP as TIOCSPGRP,
    TIOCSWINSZ as TIOCSWINSZ,
)
from kernel.errors import SyscallError

if TYPE_CHECKING:
    from kernel.cage import Cage
    from kernel.file import HostFdFile

__all__ = ["host_ioctl"]

TCSBRKP: Final = 0x5425

TERMIOS_SIZE: Final = 36
WINSIZE_SIZE: Final = 8

# request -> (bytes copied in, bytes copied out)
_PASS: Final[dict[int, tuple[int, int]]] = {
    TCGETS: (0, TERMIOS_SIZE),
    TCSETS: (TERMIOS_SIZE, 0),
    TCSETSW: (TERMIOS_SIZE, 0),
    TCSETSF: (TERMIOS_SIZE, 0),
    TIOCGWINSZ: (0, WINSIZE_SIZE),
    TIOCSWINSZ: (WINSIZE_SIZE, 0),
}


def host_ioctl(f: HostFdFile, cage: Cage, request: int, arg: int) -> int:
    if request == FIONREAD:
        try:
            buf = fcntl.ioctl(f.hostfd, FIONREAD, b"\0\0\0\0")
        except OSError as e:
            raise SyscallError(e.errno or Errno.ENOTTY) from None
        cage.mem.write(arg, buf)
        return 0
    if not f.is_tty:
        raise SyscallError(Errno.ENOTTY)
    if request in _PASS:
        nin, nout = _PASS[request]
        data = cage.mem.read(arg, nin) if nin else bytes(max(nout, 1))
        if nout:
            cage.mem.check(arg, nout)
        res = fcntl.ioctl(f.hostfd, request, data)
        if nout:
            cage.mem.write(arg, res[:nout])
        return 0
    if request in (TCSBRK, TCSBRKP, TCXONC, TCFLSH):
        fcntl.ioctl(f.hostfd, request, arg)
        return 0
    if request == TIOCGPGRP:
        # The foreground group, in the cage's pid space: the caller's own group.
        cage.mem.put_i32(arg, cage.pgid)
        return 0
    if request == TIOCSPGRP:
        pgid = cage.mem.i32(arg)
        if pgid <= 0:
            raise SyscallError(Errno.EINVAL)
        return 0
    if request == TIOCGSID:
        cage.mem.put_i32(arg, cage.sid)
        return 0
    if request in (TIOCSCTTY, TIOCNOTTY):
        return 0
    if request == TIOCOUTQ:
        cage.mem.put_i32(arg, 0)
        return 0
    raise SyscallError(Errno.ENOTTY)

