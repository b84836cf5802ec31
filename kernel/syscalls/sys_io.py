"""Descriptor I/O: read/write and their vector and positional forms, lseek,
close, dup*, fcntl, ioctl.

Order of checks follows Linux: the fd first (EBADF), then the access mode
(EBADF), then arguments (EINVAL), then user memory (EFAULT), then the object's
own errors. Counts are capped at MAX_RW_COUNT as Linux does, so a huge count
never means a huge allocation.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    F_ADD_SEALS as F_ADD_SEALS,
    F_DUPFD as F_DUPFD,
    F_DUPFD_CLOEXEC as F_DUPFD_CLOEXEC,
    F_GET_SEALS as F_GET_SEALS,
    F_GETFD as F_GETFD,
    F_GETFL as F_GETFL,
    F_GETLEASE as F_GETLEASE,
    F_GETLK as F_GETLK,
    F_GETOWN as F_GETOWN,
    F_GETOWN_EX as F_GETOWN_EX,
    F_GETPIPE_SZ as F_GETPIPE_SZ,
    F_GETSIG as F_GETSIG,
    F_OFD_GETLK as F_OFD_GETLK,
    F_OFD_SETLK as F_OFD_SETLK,
    F_OFD_SETLKW as F_OFD_SETLKW,
    F_SETFD as F_SETFD,
    F_SETFL as F_SETFL,
    F_SETLEASE as F_SETLEASE,
    F_SETLK as F_SETLK,
    F_SETLKW as F_SETLKW,
    F_SETOWN as F_SETOWN,
    F_SETOWN_EX as F_SETOWN_EX,
    F_SETPIPE_SZ as F_SETPIPE_SZ,
    F_SETSIG as F_SETSIG,
    FD_CLOEXEC as FD_CLOEXEC,
    FIOASYNC as FIOASYNC,
    FIOCLEX as FIOCLEX,
    FIONBIO as FIONBIO,
    FIONCLEX as FIONCLEX,
    FIONREAD as FIONREAD,
    O_CLOEXEC as O_CLOEXEC,
)
from abi.structs import iovec_array
from kernel import locks
from kernel.errors import SyscallError
from kernel.file import O_APPEND, O_NONBLOCK, O_PATH, SETFL_MASK, OpenFile
from kernel.table import partial, supported

if TYPE_CHECKING:
    from kernel.block import Block
    from kernel.cage import Cage

__all__ = ["SYSCALLS", "fd_file"]

MAX_RW_COUNT: Final = 0x7FFFF000
_OFF_MAX: Final = (1 << 63) - 1
UIO_MAXIOV: Final = 1024

#: Bits open() keeps in the description that F_GETFL does not report.
_OPEN_ONLY: Final = 0o100 | 0o200 | 0o400 | 0o1000 | O_CLOEXEC


_I32 = struct.Struct("<i")


def fd_file(cage: Cage, fd: int) -> OpenFile:
    return cage.fds.get(fd)


def _nopath(cage: Cage, fd: int) -> OpenFile:
    """``fd``'s file for calls that refuse O_PATH descriptors with EBADF (Linux fdget)."""
    f = cage.fds.get(fd)
    if f.flags & O_PATH:
        raise SyscallError(Errno.EBADF)
    return f


def _readable(cage: Cage, fd: int) -> OpenFile:
    f = cage.fds.get(fd)
    if not f.readable:
        raise SyscallError(Errno.EBADF)
    return f


def _writable(cage: Cage, fd: int) -> OpenFile:
    f = cage.fds.get(fd)
    if not f.writable:
        raise SyscallError(Errno.EBADF)
    return f


# --- read / write -----------------------------------------------------------------------


def sys_read(cage: Cage, fd: int, buf: int, count: int, *_: int) -> int | Block:
    """Implements read(2)."""
    f = _readable(cage, fd)
    if count > MAX_RW_COUNT:
        count = MAX_RW_COUNT
    return f.read_into(cage, cage.mem.view(buf, count))


def sys_write(cage: Cage, fd: int, buf: int, count: int, *_: int) -> int | Block:
    """Implements write(2)."""
    f = _writable(cage, fd)
    if count > MAX_RW_COUNT:
        count = MAX_RW_COUNT
    return f.write_from(cage, cage.mem.view(buf, count))


def sys_pread64(cage: Cage, fd: int, buf: int, count: int, offset: int, *_: int) -> int:
    """Implements pread64(2)."""
    f = _readable(cage, fd)
    count = min(count, MAX_RW_COUNT)
    _check_pos(offset, count)
    return f.pread_into(cage.mem.view(buf, count), offset)


def _check_pos(offset: int, count: int) -> None:
    """Linux rw_verify_area: a negative position, or one whose end overflows off_t, is EINVAL."""
    if offset < 0 or offset + count > _OFF_MAX:
        raise SyscallError(Errno.EINVAL)


def sys_pwrite64(cage: Cage, fd: int, buf: int, count: int, offset: int, *_: int) -> int:
    """Implements pwrite64(2)."""
    f = _writable(cage, fd)
    count = min(count, MAX_RW_COUNT)
    _check_pos(offset, count)
    return f.pwrite_from(cage.mem.view(buf, count), offset)


def _iovecs(cage: Cage, iov: int, iovcnt: int) -> list[memoryview]:
    """The cage's iovec array as views of its memory (EINVAL/EFAULT per Linux)."""
    if iovcnt < 0 or iovcnt > UIO_MAXIOV:
        raise SyscallError(Errno.EINVAL)
    if iovcnt == 0:
        return []
    st = iovec_array(iovcnt)
    raw = cage.mem.unpack(st, iov)
    views = []
    total = 0
    view = cage.mem.view
    for i in range(0, 2 * iovcnt, 2):
        n = raw[i + 1]
        total += n
        if total > 0x7FFFFFFF:
            raise SyscallError(Errno.EINVAL)
        views.append(view(raw[i], n))
    return views


def sys_readv(cage: Cage, fd: int, iov: int, iovcnt: int, *_: int) -> int | Block:
    """Implements readv(2)."""
    f = _readable(cage, fd)
    views = _iovecs(cage, iov, iovcnt)
    return _readv(cage, f, views, None)


def sys_writev(cage: Cage, fd: int, iov: int, iovcnt: int, *_: int) -> int | Block:
    """Implements writev(2)."""
    f = _writable(cage, fd)
    views = _iovecs(cage, iov, iovcnt)
    return _writev(cage, f, views, None)


def sys_preadv(cage: Cage, fd: int, iov: int, iovcnt: int, pos_l: int, pos_h: int, *_: int) -> int | Block:
    """Implements preadv(2) (x86-64: the offset is pos_l)."""
    f = _readable(cage, fd)
    if pos_l < 0:
        raise SyscallError(Errno.EINVAL)
    return _readv(cage, f, _iovecs(cage, iov, iovcnt), pos_l)


def sys_pwritev(cage: Cage, fd: int, iov: int, iovcnt: int, pos_l: int, pos_h: int, *_: int) -> int | Block:
    """Implements pwritev(2) (x86-64: the offset is pos_l)."""
    f = _writable(cage, fd)
    if pos_l < 0:
        raise SyscallError(Errno.EINVAL)
    return _writev(cage, f, _iovecs(cage, iov, iovcnt), pos_l)


def _readv(cage: Cage, f: OpenFile, views: list[memoryview], offset: int | None) -> int | Block:
    views = [v for v in views if len(v)]
    if not views:
        return 0
    if len(views) == 1:
        v = views[0]
        return f.read_into(cage, v) if offset is None else f.pread_into(v, offset)
    total = sum(len(v) for v in views)
    tmp = bytearray(total)
    mv = memoryview(tmp)
    r = f.read_into(cage, mv) if offset is None else f.pread_into(mv, offset)
    if type(r) is not int:
        # Blocked: retry the whole scatter once data arrives.
        block: Block = r  # type: ignore[assignment]
        inner = block.retry
        block.retry = lambda: _scatter(inner(), mv, views)
        return block
    return _scatter(r, mv, views)


def _scatter(r: int | Block, src: memoryview, views: list[memoryview]) -> int | Block:
    if type(r) is not int:
        block: Block = r  # type: ignore[assignment]
        inner = block.retry
        block.retry = lambda: _scatter(inner(), src, views)
        return block
    n = r  # type: ignore[assignment]
    pos = 0
    for v in views:
        if pos >= n:
            break
        take = min(len(v), n - pos)
        v[:take] = src[pos:pos + take]
        pos += take
    return n


def _writev(cage: Cage, f: OpenFile, views: list[memoryview], offset: int | None) -> int | Block:
    views = [v for v in views if len(v)]
    if not views:
        return 0
    # One contiguous write keeps PIPE_BUF atomicity and O_APPEND semantics.
    data = memoryview(views[0] if len(views) == 1 else b"".join(views))
    return f.write_from(cage, data) if offset is None else f.pwrite_from(data, offset)


RWF_HIPRI: Final = 0x01
RWF_DSYNC: Final = 0x02
RWF_SYNC: Final = 0x04
RWF_NOWAIT: Final = 0x08
RWF_APPEND: Final = 0x10
#: The RWF_* flags supported here (I/O is synchronous anyway). RWF_NOWAIT is
#: EOPNOTSUPP, as on tmpfs, which cannot promise not to block.
_RWF_KNOWN: Final = RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_APPEND


def sys_preadv2(cage: Cage, fd: int, iov: int, iovcnt: int, pos_l: int, pos_h: int, flags: int,
                *_: int) -> int | Block:
    """Implements preadv2(2): offset -1 means the file position (like readv)."""
    f = _readable(cage, fd)
    if pos_l < -1:
        raise SyscallError(Errno.EINVAL)
    if flags & ~_RWF_KNOWN:
        raise SyscallError(Errno.EOPNOTSUPP)
    return _readv(cage, f, _iovecs(cage, iov, iovcnt), None if pos_l == -1 else pos_l)


def sys_pwritev2(cage: Cage, fd: int, iov: int, iovcnt: int, pos_l: int, pos_h: int, flags: int,
                 *_: int) -> int | Block:
    """Implements pwritev2(2): offset -1 means the file position; RWF_APPEND appends."""
    f = _writable(cage, fd)
    if pos_l < -1:
        raise SyscallError(Errno.EINVAL)
    if flags & ~_RWF_KNOWN:
        raise SyscallError(Errno.EOPNOTSUPP)
    views = _iovecs(cage, iov, iovcnt)
    if flags & RWF_APPEND:
        if pos_l != -1:
            return _writev(cage, f, views, f.stat().size)  # the file position stays
        saved = f.flags
        f.flags |= O_APPEND
        try:
            return _writev(cage, f, views, None)
        finally:
            f.flags = saved
    return _writev(cage, f, views, None if pos_l == -1 else pos_l)


# --- copies between descriptors ---------------------------------------------------------------

_COPY_CHUNK: Final = 1 << 16


def _position(f: OpenFile) -> int:
    """The file position of a seekable description (a host file keeps it in the host fd)."""
    return f.seek(0, 1)


def _copy(cage: Cage, src: OpenFile, dst: OpenFile, src_pos: int, dst_pos: int | None, count: int) -> tuple[
        int, Block | None]:
    """Copy up to ``count`` bytes from ``src`` at ``src_pos`` to ``dst`` (at ``dst_pos``, or
    through its file position when None). Returns (bytes copied, a Block if the first
    write would block)."""
    done = 0
    while done < count:
        buf = bytearray(min(_COPY_CHUNK, count - done))
        n = src.pread_into(memoryview(buf), src_pos + done)
        if n <= 0:
            break
        data = memoryview(buf)[:n]
        w = dst.write_from(cage, data) if dst_pos is None else dst.pwrite_from(data, dst_pos + done)
        if type(w) is not int:
            return done, (w if done == 0 else None)  # type: ignore[return-value]
        done += w  # type: ignore[operator]
        if w < n:  # type: ignore[operator]
            break
    return done, None


def sys_sendfile(cage: Cage, out_fd: int, in_fd: int, offset_p: int, count: int, *_: int) -> int | Block:
    """Implements sendfile(2): from a seekable file to any writable descriptor."""
    src = _readable(cage, in_fd)
    dst = _writable(cage, out_fd)
    if dst.flags & O_APPEND:
        raise SyscallError(Errno.EINVAL)
    pos = cage.mem.i64(offset_p) if offset_p else None
    if pos is not None and pos < 0:
        raise SyscallError(Errno.EINVAL)
    count = min(count, MAX_RW_COUNT)
    try:
        start = pos if pos is not None else _position(src)
    except SyscallError as e:
        if e.errno == Errno.ESPIPE:
            raise SyscallError(Errno.EINVAL) from None  # in_fd must support random access
        raise
    try:
        done, block = _copy(cage, src, dst, start, None, count)
    except SyscallError as e:
        if e.errno in (Errno.ESPIPE, Errno.EISDIR):
            raise SyscallError(Errno.EINVAL) from None
        raise
    if block is not None:
        # Nothing was consumed: once the output drains, the whole call starts again.
        block.retry = lambda: sys_sendfile(cage, out_fd, in_fd, offset_p, count)
        return block
    if pos is not None:
        cage.mem.put_i64(offset_p, start + done)
    else:
        src.seek(start + done, 0)
    return done


def sys_copy_file_range(cage: Cage, fd_in: int, off_in_p: int, fd_out: int, off_out_p: int, length: int,
                        flags: int, *_: int) -> int:
    """Implements copy_file_range(2) between regular files of one filesystem type."""
    from kernel.vfs.types import S_IFDIR, S_IFMT, S_IFREG

    if flags:
        raise SyscallError(Errno.EINVAL)
    src = _readable(cage, fd_in)
    dst = _writable(cage, fd_out)
    if dst.flags & O_APPEND:
        raise SyscallError(Errno.EBADF)
    kin, kout = src.stat().mode & S_IFMT, dst.stat().mode & S_IFMT
    if S_IFDIR in (kin, kout):
        raise SyscallError(Errno.EISDIR)
    if kin != S_IFREG or kout != S_IFREG:
        raise SyscallError(Errno.EINVAL)
    off_in = cage.mem.i64(off_in_p) if off_in_p else None
    off_out = cage.mem.i64(off_out_p) if off_out_p else None
    if (off_in is not None and off_in < 0) or (off_out is not None and off_out < 0):
        raise SyscallError(Errno.EOVERFLOW)  # Linux: pos + count wraps as unsigned
    if type(src.fs) is not type(dst.fs):
        raise SyscallError(Errno.EXDEV)
    pin = off_in if off_in is not None else _position(src)
    pout = off_out if off_out is not None else _position(dst)
    length = min(length, MAX_RW_COUNT)
    same = src.fs is dst.fs and src.inode is not None and dst.inode is not None and (
        src.inode.ino == dst.inode.ino)
    if same and pin < pout + length and pout < pin + length:
        raise SyscallError(Errno.EINVAL)  # overlapping ranges of one file
    if length == 0:
        return 0
    done, _block = _copy(cage, src, dst, pin, pout, length)
    if off_in is not None:
        cage.mem.put_i64(off_in_p, pin + done)
    else:
        src.seek(pin + done, 0)
    if off_out is not None:
        cage.mem.put_i64(off_out_p, pout + done)
    else:
        dst.seek(pout + done, 0)
    return done


# --- positioning and descriptors -------------------------------------------------------------


def sys_lseek(cage: Cage, fd: int, offset: int, whence: int, *_: int) -> int:
    """Implements lseek(2)."""
    f = cage.fds.get(fd)
    if f.flags & O_PATH:
        raise SyscallError(Errno.EBADF)
    if whence < 0 or whence > 4:
        raise SyscallError(Errno.EINVAL)
    r = f.seek(offset, whence)
    if r > _OFF_MAX:
        # A position an off_t cannot hold (Linux: EINVAL from vfs_setpos's max size).
        raise SyscallError(Errno.EINVAL)
    return r


def sys_close(cage: Cage, fd: int, *_: int) -> int:
    """Implements close(2)."""
    f = cage.fds.get(fd)
    cage.fds.close(fd)
    locks.on_close(cage.pid, f)
    return 0


def sys_close_range(cage: Cage, first: int, last: int, flags: int, *_: int) -> int:
    """Implements close_range(2) (CLOSE_RANGE_CLOEXEC; UNSHARE is a no-op)."""
    if flags & ~0x6 or first > last:
        raise SyscallError(Errno.EINVAL)
    for fd in [fd for fd in cage.fds.files if first <= fd <= last]:
        if flags & 0x4:
            cage.fds.set_cloexec(fd, True)
        else:
            f = cage.fds.files[fd]
            cage.fds.close(fd)
            locks.on_close(cage.pid, f)  # a close is a close: the process's record locks go
    return 0


def sys_dup(cage: Cage, oldfd: int, *_: int) -> int:
    """Implements dup(2)."""
    return cage.fds.alloc(cage.fds.get(oldfd))


def sys_dup2(cage: Cage, oldfd: int, newfd: int, *_: int) -> int:
    """Implements dup2(2)."""
    f = cage.fds.get(oldfd)
    if oldfd == newfd:
        return newfd
    _replace(cage, newfd, f, False)
    return newfd


def _replace(cage: Cage, newfd: int, f: OpenFile, cloexec: bool) -> None:
    old = cage.fds.files.get(newfd)
    cage.fds.install_at(newfd, f, cloexec=cloexec)
    if old is not None:
        locks.on_close(cage.pid, old)


def sys_dup3(cage: Cage, oldfd: int, newfd: int, flags: int, *_: int) -> int:
    """Implements dup3(2)."""
    # Linux ksys_dup3 order: flags, oldfd == newfd (EINVAL even for a bad fd), then the fds.
    if flags & ~O_CLOEXEC:
        raise SyscallError(Errno.EINVAL)
    if oldfd == newfd:
        raise SyscallError(Errno.EINVAL)
    f = cage.fds.get(oldfd)
    _replace(cage, newfd, f, bool(flags & O_CLOEXEC))
    return newfd


def sys_fcntl(cage: Cage, fd: int, cmd: int, arg: int, *_: int) -> int | Block:
    """Implements fcntl(2): descriptor flags, status flags, dup, locks, pipe size."""
    fds = cage.fds
    f = fds.get(fd)
    if f.flags & O_PATH and cmd not in (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL):
        raise SyscallError(Errno.EBADF)  # Linux check_fcntl_cmd
    if cmd in (F_DUPFD, F_DUPFD_CLOEXEC):
        if arg < 0 or arg >= fds.limit:
            raise SyscallError(Errno.EINVAL)
        return fds.alloc(f, minimum=arg, cloexec=cmd == F_DUPFD_CLOEXEC)
    if cmd == F_GETFD:
        return FD_CLOEXEC if fd in fds.cloexec else 0
    if cmd == F_SETFD:
        fds.set_cloexec(fd, bool(arg & FD_CLOEXEC))
        return 0
    if cmd == F_GETFL:
        return f.flags & ~_OPEN_ONLY
    if cmd == F_SETFL:
        if f.flags & O_PATH:
            raise SyscallError(Errno.EBADF)
        f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK)
        return 0
    if cmd in (F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW):
        return locks.fcntl_lock(cage, f, cmd, arg)
    if cmd in (F_GETPIPE_SZ, F_SETPIPE_SZ):
        fn = getattr(f, "pipe_size", None)
        if fn is None:
            raise SyscallError(Errno.EBADF)
        return fn(None if cmd == F_GETPIPE_SZ else arg)  # type: ignore[no-any-return]
    if cmd == F_GETOWN:
        return 0
    if cmd in (F_SETOWN, F_SETSIG):
        return 0
    if cmd == F_GETSIG:
        return 0
    if cmd == F_GETLEASE:
        return 2  # F_UNLCK: no lease
    if cmd in (F_ADD_SEALS, F_GET_SEALS):
        raise SyscallError(Errno.EINVAL)
    raise SyscallError(Errno.EINVAL)


def sys_flock(cage: Cage, fd: int, op: int, *_: int) -> int | Block:
    """Implements flock(2)."""
    return locks.flock(cage, _nopath(cage, fd), op)


def sys_ioctl(cage: Cage, fd: int, request: int, arg: int, *_: int) -> int:
    """Implements ioctl(2): generic fd requests here, the rest by the file."""
    f = _nopath(cage, fd)
    req = request & 0xFFFFFFFF
    if req == FIOCLEX:
        cage.fds.set_cloexec(fd, True)
        return 0
    if req == FIONCLEX:
        cage.fds.set_cloexec(fd, False)
        return 0
    if req == FIONBIO:
        on = cage.mem.i32(arg)
        f.flags = (f.flags | O_NONBLOCK) if on else (f.flags & ~O_NONBLOCK)
        return 0
    if req == FIOASYNC:
        cage.mem.i32(arg)
        return 0
    # FIONREAD and terminal requests depend on the object.
    return f.ioctl(cage, req, arg)


SYSCALLS = [
    supported("read", sys_read),
    supported("write", sys_write),
    supported("pread64", sys_pread64),
    supported("pwrite64", sys_pwrite64),
    supported("readv", sys_readv),
    supported("writev", sys_writev),
    supported("preadv", sys_preadv),
    supported("pwritev", sys_pwritev),
    partial("preadv2", sys_preadv2, "RWF_HIPRI/DSYNC/SYNC accepted (I/O is synchronous); others EOPNOTSUPP"),
    partial("pwritev2", sys_pwritev2, "RWF_APPEND honoured; HIPRI/DSYNC/SYNC accepted; others EOPNOTSUPP"),
    partial("sendfile", sys_sendfile, "input must support positional reads (files, devices)"),
    partial("copy_file_range", sys_copy_file_range, "regular files of one filesystem type; a plain copy"),
    supported("lseek", sys_lseek),
    supported("close", sys_close),
    supported("close_range", sys_close_range),
    supported("dup", sys_dup),
    supported("dup2", sys_dup2),
    supported("dup3", sys_dup3),
    supported("flock", sys_flock),
    partial("fcntl", sys_fcntl, "F_SETOWN/F_SETSIG are accepted and ignored; no leases or seals"),
    partial("ioctl", sys_ioctl, "generic FIO* requests, terminals, FIONREAD; others ENOTTY"),
]

