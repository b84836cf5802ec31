"""Extended attributes: no filesystem here stores any.

Linux's answer on a filesystem without extended attributes is not ENOSYS but
per-call: there is no such attribute (ENODATA), the list is empty, and
setting one is not supported (EOPNOTSUPP). Paths, names and buffers are still
checked as Linux checks them (ENOENT, EFAULT, ERANGE for over-long names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    AT_FDCWD as AT_FDCWD,
)
from kernel.errors import SyscallError
from kernel.table import partial

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS"]

XATTR_NAME_MAX: Final = 255
XATTR_SIZE_MAX: Final = 65536
XATTR_CREATE: Final = 1
XATTR_REPLACE: Final = 2


def _target(cage: Cage, path: int, follow: bool) -> None:
    from kernel.syscalls.sys_fs import path_at

    path_at(cage, AT_FDCWD, cage.mem.cstring(path), follow=follow)


def _name(cage: Cage, name: int) -> bytes:
    try:
        n = cage.mem.cstring(name, XATTR_NAME_MAX + 1)
    except SyscallError as e:
        if e.errno == Errno.ENAMETOOLONG:
            raise SyscallError(Errno.ERANGE) from None
        raise
    if not n or len(n) > XATTR_NAME_MAX:
        raise SyscallError(Errno.ERANGE)
    return n


def _set(cage: Cage, name: int, value: int, size: int, flags: int) -> int:
    if flags & ~(XATTR_CREATE | XATTR_REPLACE):
        raise SyscallError(Errno.EINVAL)
    n = _name(cage, name)
    if size > XATTR_SIZE_MAX:
        raise SyscallError(Errno.E2BIG)
    cage.mem.check(value, size)
    if flags & XATTR_REPLACE:
        raise SyscallError(Errno.ENODATA)
    if not n.startswith((b"user.", b"trusted.", b"security.", b"system.")):
        raise SyscallError(Errno.EOPNOTSUPP)
    raise SyscallError(Errno.EOPNOTSUPP)


def _get(cage: Cage, name: int, value: int, size: int) -> int:
    _name(cage, name)
    raise SyscallError(Errno.ENODATA)


def _list(cage: Cage, lst: int, size: int) -> int:
    return 0


def sys_setxattr(cage: Cage, path: int, name: int, value: int, size: int, flags: int, *_: int) -> int:
    """Implements setxattr(2): EOPNOTSUPP."""
    _target(cage, path, True)
    return _set(cage, name, value, size, flags)


def sys_lsetxattr(cage: Cage, path: int, name: int, value: int, size: int, flags: int, *_: int) -> int:
    """Implements lsetxattr(2): EOPNOTSUPP."""
    _target(cage, path, False)
    return _set(cage, name, value, size, flags)


def sys_fsetxattr(cage: Cage, fd: int, name: int, value: int, size: int, flags: int, *_: int) -> int:
    """Implements fsetxattr(2): EOPNOTSUPP."""
    cage.fds.get(fd)
    return _set(cage, name, value, size, flags)


def sys_getxattr(cage: Cage, path: int, name: int, value: int, size: int, *_: int) -> int:
    """Implements getxattr(2): ENODATA."""
    _target(cage, path, True)
    return _get(cage, name, value, size)


def sys_lgetxattr(cage: Cage, path: int, name: int, value: int, size: int, *_: int) -> int:
    """Implements lgetxattr(2): ENODATA."""
    _target(cage, path, False)
    return _get(cage, name, value, size)


def sys_fgetxattr(cage: Cage, fd: int, name: int, value: int, size: int, *_: int) -> int:
    """Implements fgetxattr(2): ENODATA."""
    cage.fds.get(fd)
    return _get(cage, name, value, size)


def sys_listxattr(cage: Cage, path: int, lst: int, size: int, *_: int) -> int:
    """Implements listxattr(2): the list is empty."""
    _target(cage, path, True)
    return _list(cage, lst, size)


def sys_llistxattr(cage: Cage, path: int, lst: int, size: int, *_: int) -> int:
    """Implements llistxattr(2): the list is empty."""
    _target(cage, path, False)
    return _list(cage, lst, size)


def sys_flistxattr(cage: Cage, fd: int, lst: int, size: int, *_: int) -> int:
    """Implements flistxattr(2): the list is empty."""
    cage.fds.get(fd)
    return _list(cage, lst, size)


def sys_removexattr(cage: Cage, path: int, name: int, *_: int) -> int:
    """Implements removexattr(2): ENODATA."""
    _target(cage, path, True)
    _name(cage, name)
    raise SyscallError(Errno.ENODATA)


def sys_lremovexattr(cage: Cage, path: int, name: int, *_: int) -> int:
    """Implements lremovexattr(2): ENODATA."""
    _target(cage, path, False)
    _name(cage, name)
    raise SyscallError(Errno.ENODATA)


def sys_fremovexattr(cage: Cage, fd: int, name: int, *_: int) -> int:
    """Implements fremovexattr(2): ENODATA."""
    cage.fds.get(fd)
    _name(cage, name)
    raise SyscallError(Errno.ENODATA)


_NOTE = "no filesystem stores extended attributes: get/remove ENODATA, list empty, set EOPNOTSUPP"
SYSCALLS = [
    partial(name, fn, _NOTE)
    for name, fn in (
        ("setxattr", sys_setxattr), ("lsetxattr", sys_lsetxattr), ("fsetxattr", sys_fsetxattr),
        ("getxattr", sys_getxattr), ("lgetxattr", sys_lgetxattr), ("fgetxattr", sys_fgetxattr),
        ("listxattr", sys_listxattr), ("llistxattr", sys_llistxattr), ("flistxattr", sys_flistxattr),
        ("removexattr", sys_removexattr), ("lremovexattr", sys_lremovexattr), ("fremovexattr", sys_fremovexattr),
    )
]
