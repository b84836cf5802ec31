"""Every ctypes call the kernel makes lives here (gVisor keeps unsafe code in
``*_unsafe.go`` files for the same reason: one place to audit)."""

from __future__ import annotations

import ctypes
import errno
import os
from typing import Final

__all__ = ["HAVE_OPENAT2", "RESOLVE_BENEATH", "RESOLVE_NO_MAGICLINKS", "RESOLVE_NO_SYMLINKS", "openat2",
           "punch_hole", "renameat2"]

_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long

SYS_openat2: Final = 437
SYS_renameat2: Final = 316

RESOLVE_NO_XDEV: Final = 0x01
RESOLVE_NO_MAGICLINKS: Final = 0x02
RESOLVE_NO_SYMLINKS: Final = 0x04
RESOLVE_BENEATH: Final = 0x08


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


def openat2(dirfd: int, path: bytes, flags: int, mode: int = 0, resolve: int = 0) -> int:
    """openat2(2); raises OSError."""
    how = _OpenHow(flags | os.O_CLOEXEC, mode, resolve)
    while True:
        fd = _syscall(ctypes.c_long(SYS_openat2), ctypes.c_int(dirfd), ctypes.c_char_p(path),
                      ctypes.byref(how), ctypes.c_size_t(ctypes.sizeof(how)))
        if fd >= 0:
            return int(fd)
        e = ctypes.get_errno()
        if e != errno.EINTR:
            raise OSError(e, os.strerror(e), path)


def _probe_openat2() -> bool:
    try:
        fd = openat2(-100, b"/", os.O_PATH | os.O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS)
    except OSError:
        return False
    os.close(fd)
    return True


HAVE_OPENAT2: Final = _probe_openat2()


def renameat2(olddirfd: int, old: bytes, newdirfd: int, new: bytes, flags: int) -> None:
    r = _syscall(ctypes.c_long(SYS_renameat2), ctypes.c_int(olddirfd), ctypes.c_char_p(old),
                 ctypes.c_int(newdirfd), ctypes.c_char_p(new), ctypes.c_uint(flags))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


_fallocate = _libc.fallocate
_fallocate.restype = ctypes.c_int
_fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
FALLOC_FL_KEEP_SIZE: Final = 0x01
FALLOC_FL_PUNCH_HOLE: Final = 0x02


def punch_hole(fd: int, offset: int, length: int) -> None:
    """Deallocate ``[offset, offset+length)`` of ``fd``: it reads as zeros and frees its pages."""
    if length <= 0:
        return
    if _fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
