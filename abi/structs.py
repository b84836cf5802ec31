"""Byte layouts of the structs that cross the WALI boundary (wasm32 WALI).

Source: WALI-ABI.md section 11 (WALI ``spec/types_abi.py``, cross-checked with
wali-musl headers). WALI's C data model is "32-bit pointers and size_t, 64-bit
long", so:

* every pointer-free struct is byte-for-byte the x86-64 kernel struct (stat,
  timespec, rlimit, ...);
* structs holding pointers or ``size_t`` are *not* (iovec 8 bytes, msghdr 36,
  stack_t 12, packed k_sigaction 24): a pointer field here is a u32 **offset
  into the cage's linear memory**, never a host address.

Invariants every struct class keeps:

* It is a ``@dataclass(frozen=True, slots=True)`` with ``FMT``, one
  little-endian ``struct.Struct`` with explicit pad bytes (``x``); the dataclass
  fields are exactly the values ``FMT`` produces, in order. ``pack()``,
  ``pack_into()`` and ``unpack_from()`` are therefore one C-level struct call
  each; the few classes with extra work (network byte order, C strings) say so.
* Padding is written as zeros and ignored on read.
* Signedness follows Linux: ``st_size``/``tv_sec``/``tv_nsec`` are signed i64,
  ``st_ino``/``rlim_cur`` unsigned, and so on. ``struct.error`` on pack means a
  handler produced an out-of-range value, which is a kernel bug, not an errno.
* Nested structs (timespec in stat, timeval in rusage, ...) are flattened into
  ``<field>_sec``/``<field>_nsec`` (or ``_usec``) so a struct is one call.
* ``SIZES`` is the spec table; the import-time check below fails loudly if a
  format drifts from it.

Hot-path helpers (no dataclass allocation): ``pack_timespec``,
``unpack_timespec``, ``unpack_iovecs``, ``pack_dirent64``, the ``fdset_*`` and
``sigset_*`` functions.

Prior art: gVisor ``pkg/abi/linux/file_amd64.go`` (``+marshal`` structs),
Linux ``include/uapi``; man pages stat(2), statx(2), getdents64(2), select(2).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from operator import attrgetter
from typing import Any, ClassVar, Final, Self, TypeVar

__all__ = [
    "CMSG_HDR_SIZE",
    "CPU_SET_SIZE",
    "DIRENT64_NAME_OFFSET",
    "FD_SET_SIZE",
    "JMPBUF_FL",
    "JMPBUF_JB",
    "JMPBUF_SIZE",
    "JMPBUF_SS",
    "KERNEL_NCCS",
    "SIZES",
    "SOCKADDR_UN_PATH_MAX",
    "Cmsghdr",
    "Dirent64Header",
    "EpollEvent",
    "Flock",
    "Iovec",
    "Itimerval",
    "KSigaction",
    "Msghdr",
    "Pollfd",
    "Pselect6Sigmask",
    "ReadableBuffer",
    "Rlimit",
    "Rusage",
    "Sigset",
    "Sockaddr",
    "SockaddrIn",
    "SockaddrIn6",
    "SockaddrUn",
    "StackT",
    "StartArgs",
    "Stat",
    "Statfs",
    "Statx",
    "Sysinfo",
    "Termios",
    "Timespec",
    "Timeval",
    "Timezone",
    "Utsname",
    "Winsize",
    "WritableBuffer",
    "cmsg_align",
    "cmsg_len",
    "cmsg_space",
    "dirent64_reclen",
    "fdset_clr",
    "fdset_fds",
    "fdset_isset",
    "fdset_nbytes",
    "fdset_pack",
    "fdset_set",
    "fdset_unpack",
    "iovec_array",
    "iter_dirent64",
    "pack_dirent64",
    "pack_iovecs",
    "pack_timespec",
    "sigset_add",
    "sigset_del",
    "sigset_has",
    "sigset_of",
    "unpack_iovecs",
    "unpack_sockaddr",
    "unpack_timespec",
]

#: Anything ``struct.unpack_from`` reads (guest memory is a memoryview).
ReadableBuffer = bytes | bytearray | memoryview
#: Anything ``struct.pack_into`` writes.
WritableBuffer = bytearray | memoryview

#: Spec table (WALI-ABI.md section 11): struct name -> size in bytes.
SIZES: Final[dict[str, int]] = {
    "stat": 144,
    "statx": 256,
    "timespec": 16,
    "timeval": 16,
    "itimerval": 32,
    "timezone": 8,
    "iovec": 8,
    "k_sigaction": 24,
    "stack_t": 12,
    "linux_dirent64": 19,  # fixed header; d_name follows at offset 19
    "sockaddr": 16,
    "sockaddr_in": 16,
    "sockaddr_in6": 28,
    "sockaddr_un": 110,
    "msghdr": 36,
    "cmsghdr": 16,
    "epoll_event": 12,
    "pollfd": 8,
    "rlimit": 16,
    "rusage": 272,
    "utsname": 390,
    "sysinfo": 368,
    "statfs": 120,
    "flock": 32,
    "fd_set": 128,
    "sigset": 8,
    "pselect6_sigmask": 16,
    "start_args": 32,
    "jmp_buf": 344,
    "termios": 36,
    "winsize": 8,
    "cpu_set_t": 128,
}


# ---------------------------------------------------------------------------
# The shared machinery
# ---------------------------------------------------------------------------


class _Struct:
    """Base of every layout class: pack/unpack through ``FMT`` in one call.

    Subclasses are frozen slotted dataclasses finished by ``@_layout``, which
    binds ``_get`` (an ``attrgetter`` over the fields, in ``FMT`` order).
    """

    __slots__ = ()
    FMT: ClassVar[struct.Struct]
    _get: ClassVar[Callable[[Any], tuple[Any, ...]]]

    def pack(self) -> bytes:
        """The struct's bytes, ``FMT.size`` long."""
        return self.FMT.pack(*type(self)._get(self))

    def pack_into(self, buf: WritableBuffer, off: int = 0) -> None:
        """Write the struct into ``buf`` at ``off`` (struct.error if it does not fit)."""
        self.FMT.pack_into(buf, off, *type(self)._get(self))

    @classmethod
    def unpack_from(cls, buf: ReadableBuffer, off: int = 0) -> Self:
        """Read the struct from ``buf`` at ``off`` (struct.error if too short)."""
        return cls(*cls.FMT.unpack_from(buf, off))


_REGISTRY: dict[str, type[_Struct]] = {}
_L = TypeVar("_L", bound=type[_Struct])


def _layout(name: str) -> Callable[[_L], _L]:
    """Finish a layout class: bind its field getter and register it under ``name``.

    Checks that ``FMT`` yields exactly one value per dataclass field, so a format
    and a field list cannot drift apart silently.
    """

    def finish(cls: _L) -> _L:
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        nvalues = len(cls.FMT.unpack(bytes(cls.FMT.size)))
        if nvalues != len(names):
            raise TypeError(f"{cls.__name__}: FMT yields {nvalues} values for {len(names)} fields")
        if len(names) == 1:
            only = names[0]
            cls._get = lambda obj: (getattr(obj, only),)
        else:
            cls._get = attrgetter(*names)
        _REGISTRY[name] = cls
        return cls

    return finish


# ---------------------------------------------------------------------------
# File metadata
# ---------------------------------------------------------------------------


@_layout("stat")
@dataclass(frozen=True, slots=True)
class Stat(_Struct):
    """``struct stat`` (x86-64 kernel layout): stat, fstat, lstat, newfstatat."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<QQQIII4xQqqqqqqqqq24x")
    st_dev: int
    st_ino: int
    st_nlink: int
    st_mode: int
    st_uid: int
    st_gid: int
    st_rdev: int
    st_size: int
    st_blksize: int
    st_blocks: int
    st_atime_sec: int
    st_atime_nsec: int
    st_mtime_sec: int
    st_mtime_nsec: int
    st_ctime_sec: int
    st_ctime_nsec: int


@_layout("statx")
@dataclass(frozen=True, slots=True)
class Statx(_Struct):
    """``struct statx``. Timestamps are ``{i64 sec; u32 nsec; i32 pad}``.

    Bytes 144..255 (stx_mnt_id and later kernel additions, then spare) are
    written as zero: a caller that asks for them sees "not supplied".
    """

    FMT: ClassVar[struct.Struct] = struct.Struct("<IIQIIIH2xQQQQ" + "qI4x" * 4 + "IIII" + "112x")
    stx_mask: int
    stx_blksize: int
    stx_attributes: int
    stx_nlink: int
    stx_uid: int
    stx_gid: int
    stx_mode: int
    stx_ino: int
    stx_size: int
    stx_blocks: int
    stx_attributes_mask: int
    stx_atime_sec: int
    stx_atime_nsec: int
    stx_btime_sec: int
    stx_btime_nsec: int
    stx_ctime_sec: int
    stx_ctime_nsec: int
    stx_mtime_sec: int
    stx_mtime_nsec: int
    stx_rdev_major: int
    stx_rdev_minor: int
    stx_dev_major: int
    stx_dev_minor: int


@_layout("statfs")
@dataclass(frozen=True, slots=True)
class Statfs(_Struct):
    """``struct statfs`` (kernel ``__statfs_word`` is a signed long)."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<qqqqqqqiiqqq32x")
    f_type: int
    f_bsize: int
    f_blocks: int
    f_bfree: int
    f_bavail: int
    f_files: int
    f_ffree: int
    f_fsid_0: int
    f_fsid_1: int
    f_namelen: int
    f_frsize: int
    f_flags: int


@_layout("flock")
@dataclass(frozen=True, slots=True)
class Flock(_Struct):
    """``struct flock`` (fcntl F_GETLK/F_SETLK/F_SETLKW/F_OFD_*)."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<hh4xqqi4x")
    l_type: int
    l_whence: int
    l_start: int
    l_len: int
    l_pid: int


# --- linux_dirent64 ----------------------------------------------------------


@_layout("linux_dirent64")
@dataclass(frozen=True, slots=True)
class Dirent64Header(_Struct):
    """Fixed part of a ``linux_dirent64`` record; ``d_name`` starts at 19."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<QqHB")
    d_ino: int
    d_off: int
    d_reclen: int
    d_type: int


_DIRENT_HDR: Final = Dirent64Header.FMT
DIRENT64_NAME_OFFSET: Final = 19


def dirent64_reclen(namelen: int) -> int:
    """Record length for a name of ``namelen`` bytes: header + name + NUL, 8-aligned."""
    return (DIRENT64_NAME_OFFSET + namelen + 1 + 7) & ~7


def pack_dirent64(ino: int, off: int, dtype: int, name: bytes) -> bytes:
    """One getdents64 record: header, name, NUL, zero padding to ``d_reclen``.

    ``off`` is the d_off cookie a later lseek() on the directory resumes from.
    A name that is empty, holds a NUL or exceeds NAME_MAX (255) is a kernel bug
    (a VFS must never produce one), hence ValueError rather than an errno.
    """
    n = len(name)
    if n == 0 or n > 255 or b"\0" in name:
        raise ValueError(f"bad directory entry name {name!r}")
    reclen = (DIRENT64_NAME_OFFSET + n + 1 + 7) & ~7
    return _DIRENT_HDR.pack(ino, off, reclen, dtype) + name + bytes(reclen - DIRENT64_NAME_OFFSET - n)


def iter_dirent64(
    buf: ReadableBuffer, off: int = 0, end: int | None = None
) -> Iterator[tuple[Dirent64Header, bytes]]:
    """Walk the records in ``buf[off:end]``, yielding (header, name without NUL).

    Stops with ValueError on a record whose d_reclen is too short or runs past
    ``end`` (what a guest's readdir would trip over).
    """
    stop = len(buf) if end is None else end
    while off < stop:
        hdr = Dirent64Header.unpack_from(buf, off)
        if hdr.d_reclen < DIRENT64_NAME_OFFSET + 1 or off + hdr.d_reclen > stop:
            raise ValueError(f"bad d_reclen {hdr.d_reclen} at offset {off}")
        raw = bytes(buf[off + DIRENT64_NAME_OFFSET : off + hdr.d_reclen])
        nul = raw.find(b"\0")
        yield hdr, raw if nul < 0 else raw[:nul]
        off += hdr.d_reclen


# ---------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------


@_layout("timespec")
@dataclass(frozen=True, slots=True)
class Timespec(_Struct):
    """``struct timespec``: both fields are signed i64."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<qq")
    tv_sec: int
    tv_nsec: int


_TIMESPEC: Final = Timespec.FMT


def pack_timespec(sec: int, nsec: int) -> bytes:
    """16 bytes of ``struct timespec``, without building a Timespec."""
    return _TIMESPEC.pack(sec, nsec)


def unpack_timespec(buf: ReadableBuffer, off: int = 0) -> tuple[int, int]:
    """``(tv_sec, tv_nsec)`` read at ``off``; range checks are the caller's (EINVAL)."""
    sec, nsec = _TIMESPEC.unpack_from(buf, off)
    return sec, nsec


@_layout("timeval")
@dataclass(frozen=True, slots=True)
class Timeval(_Struct):
    """``struct timeval``: signed i64 seconds and microseconds."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<qq")
    tv_sec: int
    tv_usec: int


@_layout("itimerval")
@dataclass(frozen=True, slots=True)
class Itimerval(_Struct):
    """``struct itimerval``: it_interval then it_value, each a timeval."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<qqqq")
    it_interval_sec: int
    it_interval_usec: int
    it_value_sec: int
    it_value_usec: int


@_layout("timezone")
@dataclass(frozen=True, slots=True)
class Timezone(_Struct):
    """``struct timezone`` (gettimeofday's obsolete second argument)."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<ii")
    tz_minuteswest: int
    tz_dsttime: int


# ---------------------------------------------------------------------------
# I/O vectors and messages (pointer-carrying: wasm32 layouts, not the kernel's)
# ---------------------------------------------------------------------------


@_layout("iovec")
@dataclass(frozen=True, slots=True)
class Iovec(_Struct):
    """wasm32 ``struct iovec``: u32 base offset, u32 length (kernel's is 16 bytes)."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<II")
    iov_base: int
    iov_len: int


@lru_cache(maxsize=64)
def iovec_array(n: int) -> struct.Struct:
    """The ``struct.Struct`` for ``n`` consecutive wasm32 iovecs (cached by n)."""
    if n < 0:
        raise ValueError(f"negative iovec count {n}")
    return struct.Struct("<" + "II" * n)


def unpack_iovecs(buf: ReadableBuffer, off: int, n: int) -> list[tuple[int, int]]:
    """Read ``n`` iovecs at ``off`` as ``[(iov_base, iov_len), ...]`` in one call.

    The caller has already checked ``n`` against IOV_MAX (EINVAL) and that the
    array lies inside guest memory (EFAULT); a short buffer raises struct.error.
    """
    flat = iovec_array(n).unpack_from(buf, off)
    it = iter(flat)
    return list(zip(it, it, strict=True))


def pack_iovecs(iovs: list[tuple[int, int]]) -> bytes:
    """Inverse of ``unpack_iovecs`` (for tests and for a grate building a request)."""
    return iovec_array(len(iovs)).pack(*(v for pair in iovs for v in pair))


@_layout("msghdr")
@dataclass(frozen=True, slots=True)
class Msghdr(_Struct):
    """wasm32 ``struct msghdr`` (36 bytes; the kernel's is 56).

    Pointers (msg_name, msg_iov, msg_control) are u32 guest offsets; the two
    pad words are musl's "int next to a 64-bit-long slot" padding.
    """

    FMT: ClassVar[struct.Struct] = struct.Struct("<IIII4xII4xi")
    msg_name: int
    msg_namelen: int
    msg_iov: int
    msg_iovlen: int
    msg_control: int
    msg_controllen: int
    msg_flags: int


@_layout("cmsghdr")
@dataclass(frozen=True, slots=True)
class Cmsghdr(_Struct):
    """``struct cmsghdr`` header; data follows at offset 16.

    musl declares ``socklen_t cmsg_len; int __pad1;`` (little-endian), so the
    kernel's 64-bit cmsg_len reads the same when the pad is zero; a nonzero pad
    is ignored on read and written as zero.
    """

    FMT: ClassVar[struct.Struct] = struct.Struct("<I4xii")
    cmsg_len: int
    cmsg_level: int
    cmsg_type: int


CMSG_HDR_SIZE: Final = 16


def cmsg_align(n: int) -> int:
    """CMSG_ALIGN: round up to the 8-byte (sizeof(long)) boundary."""
    return (n + 7) & ~7


def cmsg_len(datalen: int) -> int:
    """CMSG_LEN: the ``cmsg_len`` of a message carrying ``datalen`` data bytes."""
    return CMSG_HDR_SIZE + datalen


def cmsg_space(datalen: int) -> int:
    """CMSG_SPACE: bytes one message with ``datalen`` data bytes occupies."""
    return CMSG_HDR_SIZE + ((datalen + 7) & ~7)


# ---------------------------------------------------------------------------
# Socket addresses
# ---------------------------------------------------------------------------


def _bswap16(v: int) -> int:
    return ((v & 0xFF) << 8) | (v >> 8)


def _bswap32(v: int) -> int:
    return int.from_bytes(v.to_bytes(4, "little"), "big")


@_layout("sockaddr")
@dataclass(frozen=True, slots=True)
class Sockaddr(_Struct):
    """Generic ``struct sockaddr``: family plus 14 raw bytes."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<H14s")
    sa_family: int
    sa_data: bytes


@_layout("sockaddr_in")
@dataclass(frozen=True, slots=True)
class SockaddrIn(_Struct):
    """``struct sockaddr_in``. ``sin_port`` is a host-order int here; it is
    byte-swapped to network order on pack and back on unpack. ``sin_addr`` is
    the 4 address bytes in network order (``socket.inet_aton`` form)."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<HH4s8x")
    sin_family: int
    sin_port: int
    sin_addr: bytes

    def pack(self) -> bytes:
        return self.FMT.pack(self.sin_family, _bswap16(self.sin_port), self.sin_addr)

    def pack_into(self, buf: WritableBuffer, off: int = 0) -> None:
        self.FMT.pack_into(buf, off, self.sin_family, _bswap16(self.sin_port), self.sin_addr)

    @classmethod
    def unpack_from(cls, buf: ReadableBuffer, off: int = 0) -> Self:
        family, port, addr = cls.FMT.unpack_from(buf, off)
        return cls(family, _bswap16(port), addr)


@_layout("sockaddr_in6")
@dataclass(frozen=True, slots=True)
class SockaddrIn6(_Struct):
    """``struct sockaddr_in6``. ``sin6_port`` and ``sin6_flowinfo`` are host-order
    ints here (network order on the wire); ``sin6_scope_id`` is host order on
    both sides, as in Linux."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<HHI16sI")
    sin6_family: int
    sin6_port: int
    sin6_flowinfo: int
    sin6_addr: bytes
    sin6_scope_id: int

    def _wire(self) -> tuple[int, int, int, bytes, int]:
        return (
            self.sin6_family,
            _bswap16(self.sin6_port),
            _bswap32(self.sin6_flowinfo),
            self.sin6_addr,
            self.sin6_scope_id,
        )

    def pack(self) -> bytes:
        return self.FMT.pack(*self._wire())

    def pack_into(self, buf: WritableBuffer, off: int = 0) -> None:
        self.FMT.pack_into(buf, off, *self._wire())

    @classmethod
    def unpack_from(cls, buf: ReadableBuffer, off: int = 0) -> Self:
        family, port, flow, addr, scope = cls.FMT.unpack_from(buf, off)
        return cls(family, _bswap16(port), _bswap32(flow), addr, scope)


#: Bytes of ``sun_path`` (a pathname socket's path must be shorter: NUL).
SOCKADDR_UN_PATH_MAX: Final = 108


@_layout("sockaddr_un")
@dataclass(frozen=True, slots=True)
class SockaddrUn(_Struct):
    """``struct sockaddr_un``: family plus ``sun_path`` as given.

    ``sun_path`` holds the bytes the caller's addrlen covers (a leading NUL
    means an abstract name; a pathname may or may not include its NUL). ``pack``
    zero-fills to the full 110 bytes; ``addrlen`` is what to report back.
    ``unpack_from`` reads all 108 path bytes, so prefer ``unpack_sockaddr`` with
    the real addrlen.
    """

    FMT: ClassVar[struct.Struct] = struct.Struct("<H108s")
    sun_family: int
    sun_path: bytes

    @property
    def addrlen(self) -> int:
        """``offsetof(sun_path) + len(sun_path)``, the socklen_t Linux reports."""
        return 2 + len(self.sun_path)


def unpack_sockaddr(
    buf: ReadableBuffer, off: int, addrlen: int
) -> Sockaddr | SockaddrIn | SockaddrIn6 | SockaddrUn:
    """Decode the ``addrlen`` bytes at ``off`` according to their family.

    Raises ValueError when addrlen is too short for the family (the handler
    maps it to EINVAL); unknown families come back as a generic Sockaddr.
    """
    if addrlen < 2:
        raise ValueError(f"sockaddr too short: {addrlen}")
    family = int.from_bytes(bytes(buf[off : off + 2]), "little")
    if family == 1:  # AF_UNIX
        if addrlen > 110:
            raise ValueError(f"sockaddr_un too long: {addrlen}")
        return SockaddrUn(family, bytes(buf[off + 2 : off + addrlen]))
    if family == 2:  # AF_INET
        if addrlen < 16:
            raise ValueError(f"sockaddr_in too short: {addrlen}")
        return SockaddrIn.unpack_from(buf, off)
    if family == 10:  # AF_INET6
        if addrlen < 24:  # RFC 2133 size, without sin6_scope_id: Linux accepts it
            raise ValueError(f"sockaddr_in6 too short: {addrlen}")
        if addrlen < 28:
            raw = bytes(buf[off : off + 24]) + bytes(4)
            return SockaddrIn6.unpack_from(raw)
        return SockaddrIn6.unpack_from(buf, off)
    raw = bytes(buf[off : off + min(addrlen, 16)]).ljust(16, b"\0")
    return Sockaddr.unpack_from(raw)


# ---------------------------------------------------------------------------
# Polling
# ---------------------------------------------------------------------------


@_layout("epoll_event")
@dataclass(frozen=True, slots=True)
class EpollEvent(_Struct):
    """``struct epoll_event``, packed on x86-64: u32 events, u64 data."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<IQ")
    events: int
    data: int


@_layout("pollfd")
@dataclass(frozen=True, slots=True)
class Pollfd(_Struct):
    """``struct pollfd``: int fd, short events, short revents."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<ihh")
    fd: int
    events: int
    revents: int


# --- fd_set: bitmaps as Python ints -----------------------------------------

FD_SET_SIZE: Final = 128


def fdset_nbytes(nfds: int) -> int:
    """Bytes of an fd_set select(2) reads/writes for ``nfds``: whole 64-bit words."""
    return ((nfds + 63) >> 6) << 3


def fdset_unpack(buf: ReadableBuffer, off: int, nfds: int) -> int:
    """The first ``nfds`` bits of the fd_set at ``off`` as an int (bit n = fd n).

    Reads only ``fdset_nbytes(nfds)`` bytes, as the kernel does, and drops the
    bits at or above nfds.
    """
    n = fdset_nbytes(nfds)
    return int.from_bytes(buf[off : off + n], "little") & ((1 << nfds) - 1)


def fdset_pack(bits: int, nfds: int) -> bytes:
    """``fdset_nbytes(nfds)`` bytes of an fd_set holding ``bits``."""
    return bits.to_bytes(fdset_nbytes(nfds), "little")


def fdset_isset(bits: int, fd: int) -> bool:
    """FD_ISSET."""
    return (bits >> fd) & 1 == 1


def fdset_set(bits: int, fd: int) -> int:
    """FD_SET: ``bits`` with fd added."""
    return bits | (1 << fd)


def fdset_clr(bits: int, fd: int) -> int:
    """FD_CLR: ``bits`` with fd removed."""
    return bits & ~(1 << fd)


def fdset_fds(bits: int) -> list[int]:
    """The fds in ``bits``, ascending."""
    out: list[int] = []
    while bits:
        low = bits & -bits
        fd = low.bit_length() - 1
        out.append(fd)
        bits ^= low
    return out


#: sched_getaffinity's cpu_set_t: a 1024-bit mask like fd_set.
CPU_SET_SIZE: Final = 128


# ---------------------------------------------------------------------------
# Signals
# ---------------------------------------------------------------------------


@_layout("k_sigaction")
@dataclass(frozen=True, slots=True)
class KSigaction(_Struct):
    """WALI ``struct k_sigaction``, packed (24 bytes; the kernel's is 32).

    ``handler`` is signed so SIG_DFL (0) / SIG_ERR (-1) / SIG_IGN (-2, WALI)
    compare equal to ``abi.flags.SigHandler``; any other value is a funcref
    table index. ``restorer`` is a table index the host ignores.
    """

    FMT: ClassVar[struct.Struct] = struct.Struct("<iQIQ")
    handler: int
    flags: int
    restorer: int
    mask: int


@_layout("stack_t")
@dataclass(frozen=True, slots=True)
class StackT(_Struct):
    """wasm32 ``stack_t``: u32 ss_sp offset, int ss_flags, u32 ss_size."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<IiI")
    ss_sp: int
    ss_flags: int
    ss_size: int


@_layout("sigset")
@dataclass(frozen=True, slots=True)
class Sigset(_Struct):
    """The kernel's sigset: 8 bytes, bit ``sig - 1`` for signal ``sig``."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<Q")
    mask: int


def sigset_has(mask: int, sig: int) -> bool:
    """sigismember."""
    return (mask >> (sig - 1)) & 1 == 1


def sigset_add(mask: int, sig: int) -> int:
    """sigaddset."""
    return mask | (1 << (sig - 1))


def sigset_del(mask: int, sig: int) -> int:
    """sigdelset."""
    return mask & ~(1 << (sig - 1))


def sigset_of(*sigs: int) -> int:
    """A mask holding exactly ``sigs``."""
    mask = 0
    for sig in sigs:
        mask |= 1 << (sig - 1)
    return mask


@_layout("pselect6_sigmask")
@dataclass(frozen=True, slots=True)
class Pselect6Sigmask(_Struct):
    """pselect6's 6th argument: u64 *guest offset* of a sigset, u64 its size."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<QQ")
    ss: int
    ss_len: int


# ---------------------------------------------------------------------------
# Resources and system information
# ---------------------------------------------------------------------------


@_layout("rlimit")
@dataclass(frozen=True, slots=True)
class Rlimit(_Struct):
    """``struct rlimit``: u64 soft and hard limits (RLIM_INFINITY = 2**64 - 1)."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<QQ")
    rlim_cur: int
    rlim_max: int


@_layout("rusage")
@dataclass(frozen=True, slots=True)
class Rusage(_Struct):
    """musl ``struct rusage`` (272 bytes). The kernel writes only the first
    ``KERNEL_SIZE`` (144); use ``pack_kernel`` to do the same."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<qqqq" + "q" * 14 + "128x")
    KERNEL_SIZE: ClassVar[int] = 144
    ru_utime_sec: int
    ru_utime_usec: int
    ru_stime_sec: int
    ru_stime_usec: int
    ru_maxrss: int
    ru_ixrss: int
    ru_idrss: int
    ru_isrss: int
    ru_minflt: int
    ru_majflt: int
    ru_nswap: int
    ru_inblock: int
    ru_oublock: int
    ru_msgsnd: int
    ru_msgrcv: int
    ru_nsignals: int
    ru_nvcsw: int
    ru_nivcsw: int

    def pack_kernel(self) -> bytes:
        """The 144 bytes Linux writes (the rest of the guest's struct is untouched)."""
        return self.FMT.pack(*type(self)._get(self))[:144]


@_layout("sysinfo")
@dataclass(frozen=True, slots=True)
class Sysinfo(_Struct):
    """musl ``struct sysinfo`` (368 bytes). The kernel writes only the first
    ``KERNEL_SIZE`` (112). ``loads_0..2`` are C's ``loads[3]`` (1, 5, 15 min,
    fixed point with 16 fraction bits)."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<qQQQQQQQQQH6xQQI260x")
    KERNEL_SIZE: ClassVar[int] = 112
    uptime: int
    loads_0: int
    loads_1: int
    loads_2: int
    totalram: int
    freeram: int
    sharedram: int
    bufferram: int
    totalswap: int
    freeswap: int
    procs: int
    totalhigh: int
    freehigh: int
    mem_unit: int

    def pack_kernel(self) -> bytes:
        """The 112 bytes Linux writes."""
        return self.FMT.pack(*type(self)._get(self))[:112]


@_layout("utsname")
@dataclass(frozen=True, slots=True)
class Utsname(_Struct):
    """``struct utsname``: six ``char[65]`` C strings.

    Fields are the bytes *before* the NUL: ``unpack_from`` cuts at the first
    NUL, ``pack`` NUL-pads. A field must be at most 64 bytes (struct would
    silently drop the terminator otherwise), which ``pack`` checks.
    """

    FMT: ClassVar[struct.Struct] = struct.Struct("<65s65s65s65s65s65s")
    sysname: bytes
    nodename: bytes
    release: bytes
    version: bytes
    machine: bytes
    domainname: bytes

    def _checked(self) -> tuple[bytes, ...]:
        vals: tuple[bytes, ...] = type(self)._get(self)
        for v in vals:
            if len(v) > 64:
                raise ValueError(f"utsname field longer than 64 bytes: {v!r}")
        return vals

    def pack(self) -> bytes:
        return self.FMT.pack(*self._checked())

    def pack_into(self, buf: WritableBuffer, off: int = 0) -> None:
        self.FMT.pack_into(buf, off, *self._checked())

    @classmethod
    def unpack_from(cls, buf: ReadableBuffer, off: int = 0) -> Self:
        return cls(*(v.split(b"\0", 1)[0] for v in cls.FMT.unpack_from(buf, off)))


# ---------------------------------------------------------------------------
# Threads and setjmp (guest-side layouts, read by the host only for checks)
# ---------------------------------------------------------------------------


@_layout("start_args")
@dataclass(frozen=True, slots=True)
class StartArgs(_Struct):
    """wali-musl ``struct start_args`` passed to ``__wasm_thread_spawn``."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<IIIIi4xQ")
    stack: int
    tls_base: int
    start_func: int
    start_arg: int
    control: int
    sig_mask: int


#: ``jmp_buf`` = ``{unsigned long __jb[26]; unsigned long __fl; unsigned long __ss[16];}``
JMPBUF_JB: Final = 0
JMPBUF_FL: Final = 208
JMPBUF_SS: Final = 216
JMPBUF_SIZE: Final = 344


# ---------------------------------------------------------------------------
# Terminals
# ---------------------------------------------------------------------------

#: c_cc entries in the *kernel's* struct termios (musl's libc struct has 32).
KERNEL_NCCS: Final = 19


@_layout("termios")
@dataclass(frozen=True, slots=True)
class Termios(_Struct):
    """x86-64 kernel ``struct termios`` (TCGETS/TCSETS*), 36 bytes.

    musl's own struct termios is larger (NCCS 32 plus speeds); TCGETS fills
    only these 36 bytes of it, as Linux does. ``c_cc`` is 19 raw bytes.
    """

    FMT: ClassVar[struct.Struct] = struct.Struct("<IIIIB19s")
    c_iflag: int
    c_oflag: int
    c_cflag: int
    c_lflag: int
    c_line: int
    c_cc: bytes


@_layout("winsize")
@dataclass(frozen=True, slots=True)
class Winsize(_Struct):
    """``struct winsize`` (TIOCGWINSZ/TIOCSWINSZ)."""

    FMT: ClassVar[struct.Struct] = struct.Struct("<HHHH")
    ws_row: int
    ws_col: int
    ws_xpixel: int
    ws_ypixel: int


# ---------------------------------------------------------------------------
# Import-time check against the spec table
# ---------------------------------------------------------------------------

_OTHER_SIZES: Final[dict[str, int]] = {
    "fd_set": FD_SET_SIZE,
    "cpu_set_t": CPU_SET_SIZE,
    "jmp_buf": JMPBUF_SS + 16 * 8,
}
for _name, _size in SIZES.items():
    _actual = _REGISTRY[_name].FMT.size if _name in _REGISTRY else _OTHER_SIZES[_name]
    assert _actual == _size, f"struct {_name}: layout is {_actual} bytes, spec says {_size}"
assert set(_REGISTRY) | set(_OTHER_SIZES) == set(SIZES), "a layout is missing from SIZES"
del _name, _size, _actual
