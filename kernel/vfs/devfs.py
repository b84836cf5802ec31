"""/dev: the character devices ordinary programs expect.

null, zero, full, random, urandom behave as on Linux; tty is the kernel's
controlling terminal when it has one (opened on the host, non-blocking); stdin,
stdout, stderr and fd point into /proc/self/fd.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.file import POLLIN, POLLOUT, OpenFile
from kernel.vfs.synth import SNode, SynthFs, sdir, slink
from kernel.vfs.types import S_IFCHR, StatResult

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["DEV_MAGIC", "device_file", "make_devfs"]

DEV_MAGIC = 0x01021994  # devtmpfs reports tmpfs's magic


def makedev(major: int, minor: int) -> int:
    return ((major & 0xFFF) << 8) | (minor & 0xFF) | ((minor & ~0xFF) << 12) | ((major & ~0xFFF) << 32)


class CharDevice(OpenFile):
    __slots__ = ()
    kind = "chr"

    def stat(self) -> StatResult:
        st = super().stat()
        return st

    def seek(self, offset: int, whence: int) -> int:
        self.offset = 0
        return 0

    def poll(self) -> int:
        return POLLIN | POLLOUT

    def fsync(self, datasync: bool) -> int:
        raise SyscallError(Errno.EINVAL)  # Linux: no ->fsync for memory devices

    def pread_into(self, buf: memoryview, offset: int) -> int:
        return self.read_into(None, buf)  # type: ignore[arg-type, return-value]

    def pwrite_from(self, buf: memoryview, offset: int) -> int:
        return self.write_from(None, buf)  # type: ignore[arg-type, return-value]


class DevNull(CharDevice):
    __slots__ = ()

    def read_into(self, cage: Cage, buf: memoryview) -> int:
        return 0

    def write_from(self, cage: Cage, buf: memoryview) -> int:
        return len(buf)


class DevZero(CharDevice):
    __slots__ = ()

    def read_into(self, cage: Cage, buf: memoryview) -> int:
        n = len(buf)
        buf[:] = bytes(n)
        return n

    def write_from(self, cage: Cage, buf: memoryview) -> int:
        return len(buf)


class DevFull(DevZero):
    __slots__ = ()

    def write_from(self, cage: Cage, buf: memoryview) -> int:
        if not len(buf):
            return 0
        raise SyscallError(Errno.ENOSPC)


class DevRandom(CharDevice):
    __slots__ = ()

    def read_into(self, cage: Cage, buf: memoryview) -> int:
        n = len(buf)
        buf[:] = os.urandom(n)
        return n

    def write_from(self, cage: Cage, buf: memoryview) -> int:
        return len(buf)


#: (major, minor) -> OpenFile class, for device nodes (here and made by mknod).
DEVICES: dict[tuple[int, int], type[CharDevice]] = {
    (1, 3): DevNull,
    (1, 5): DevZero,
    (1, 7): DevFull,
    (1, 8): DevRandom,
    (1, 9): DevRandom,
}


def device_file(rdev: int, flags: int, *, fs: Any = None, inode: Any = None, path: bytes = b"") -> OpenFile:
    major = ((rdev >> 8) & 0xFFF) | ((rdev >> 32) & ~0xFFF)
    minor = (rdev & 0xFF) | ((rdev >> 12) & ~0xFF)
    cls = DEVICES.get((major, minor))
    if cls is None:
        if (major, minor) == (5, 0):
            return open_host_tty(flags, fs=fs, inode=inode)
        raise SyscallError(Errno.ENXIO)
    return cls(flags, fs=fs, inode=inode, path=path)


def open_host_tty(flags: int, *, fs: Any = None, inode: Any = None) -> OpenFile:
    from kernel.file import HostFdFile

    try:
        fd = os.open("/dev/tty", (flags & 3) | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:
        raise SyscallError(Errno.ENXIO) from None
    f = HostFdFile(fd, flags, path=b"/dev/tty")
    return f


def _dev(major: int, minor: int, mode: int = 0o666) -> SNode:
    rdev = makedev(major, minor)

    def opener(n: SNode, flags: int) -> OpenFile:
        return device_file(rdev, flags, fs=n.fs, inode=n, path=b"/dev/" + n.name)

    return SNode(S_IFCHR | mode, opener=opener, rdev=rdev)


def make_devfs(*, dev: int, with_tty: bool) -> SynthFs:
    nodes: dict[bytes, SNode] = {
        b"null": _dev(1, 3),
        b"zero": _dev(1, 5),
        b"full": _dev(1, 7),
        b"random": _dev(1, 8),
        b"urandom": _dev(1, 9),
        b"stdin": slink(lambda: b"/proc/self/fd/0"),
        b"stdout": slink(lambda: b"/proc/self/fd/1"),
        b"stderr": slink(lambda: b"/proc/self/fd/2"),
        b"fd": slink(lambda: b"/proc/self/fd"),
    }
    if with_tty:
        nodes[b"tty"] = _dev(5, 0)
    return SynthFs(sdir(nodes, mode=0o755), dev=dev, magic=DEV_MAGIC)
