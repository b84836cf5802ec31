"""Types every filesystem backend shares: attributes, entries, the backend protocol.

A backend (``memfs``, ``hostfs``, ``devfs``, ``procfs``, ``imagefs``...) manages
inodes of one filesystem. The generic layer (``kernel.vfs.vfs``) owns path
walking, mounts, permission checks and the errno rules that do not depend on
the backend; a backend only answers single-component questions ("look up
``name`` in this directory") and so can never be asked to resolve ``..`` or a
symlink on the host. That is what keeps host passthrough confined.
"""

from __future__ import annotations

import stat as _stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from abi.flags import (  # Linux constants, defined once in abi.flags
    DT_BLK as DT_BLK,
    DT_CHR as DT_CHR,
    DT_DIR as DT_DIR,
    DT_FIFO as DT_FIFO,
    DT_LNK as DT_LNK,
    DT_REG as DT_REG,
    DT_SOCK as DT_SOCK,
    DT_UNKNOWN as DT_UNKNOWN,
    NAME_MAX as NAME_MAX,
    S_IFBLK as S_IFBLK,
    S_IFCHR as S_IFCHR,
    S_IFDIR as S_IFDIR,
    S_IFIFO as S_IFIFO,
    S_IFLNK as S_IFLNK,
    S_IFMT as S_IFMT,
    S_IFREG as S_IFREG,
    S_IFSOCK as S_IFSOCK,
)

if TYPE_CHECKING:
    from kernel.file import OpenFile

__all__ = [
    "DT_BLK", "DT_CHR", "DT_DIR", "DT_FIFO", "DT_LNK", "DT_REG", "DT_SOCK", "DT_UNKNOWN",
    "Filesystem", "Inode", "StatResult", "StatfsResult", "dtype_of",
]





def dtype_of(mode: int) -> int:
    return (mode & S_IFMT) >> 12


@dataclass(slots=True)
class StatResult:
    """What ``stat`` reports, independent of the guest struct layout."""

    dev: int
    ino: int
    mode: int
    nlink: int
    uid: int
    gid: int
    rdev: int
    size: int
    blksize: int
    blocks: int
    atime_ns: int
    mtime_ns: int
    ctime_ns: int
    btime_ns: int = 0

    @property
    def is_dir(self) -> bool:
        return _stat.S_ISDIR(self.mode)

    @property
    def is_lnk(self) -> bool:
        return _stat.S_ISLNK(self.mode)

    @property
    def is_reg(self) -> bool:
        return _stat.S_ISREG(self.mode)


@dataclass(slots=True)
class StatfsResult:
    f_type: int
    f_bsize: int
    f_blocks: int
    f_bfree: int
    f_bavail: int
    f_files: int
    f_ffree: int
    f_namelen: int = NAME_MAX
    f_frsize: int = 4096
    f_flags: int = 0


class Inode(Protocol):
    """A backend's handle on one filesystem object. ``ino`` is stable while it lives."""

    ino: int


class Filesystem(Protocol):
    """What a backend implements. Names are single components (no ``/``, never
    ``.`` or ``..``); errors are ``SyscallError`` or ``OSError`` with the errno."""

    dev: int
    readonly: bool
    #: statfs f_type magic.
    magic: int

    def root(self) -> Inode: ...
    def getattr(self, inode: Inode) -> StatResult: ...
    def lookup(self, d: Inode, name: bytes) -> Inode: ...
    def parent(self, d: Inode) -> Inode | None: ...
    def name_of(self, d: Inode) -> bytes | None: ...
    def create(self, d: Inode, name: bytes, mode: int, uid: int, gid: int, rdev: int = 0) -> Inode: ...
    def mkdir(self, d: Inode, name: bytes, mode: int, uid: int, gid: int) -> Inode: ...
    def symlink(self, d: Inode, name: bytes, target: bytes, uid: int, gid: int) -> Inode: ...
    def link(self, d: Inode, name: bytes, inode: Inode) -> None: ...
    def unlink(self, d: Inode, name: bytes) -> None: ...
    def rmdir(self, d: Inode, name: bytes) -> None: ...
    def rename(self, sd: Inode, sname: bytes, dd: Inode, dname: bytes, flags: int) -> None: ...
    def readlink(self, inode: Inode) -> bytes: ...
    def readdir(self, d: Inode) -> list[tuple[bytes, int, int]]: ...
    def setattr(self, inode: Inode, *, mode: int | None = None, uid: int | None = None,
                gid: int | None = None, atime_ns: int | None = None, mtime_ns: int | None = None) -> None: ...
    def truncate(self, inode: Inode, size: int) -> None: ...
    def open(self, inode: Inode, flags: int) -> OpenFile: ...
    def statfs(self) -> StatfsResult: ...
    def sync(self) -> None: ...
