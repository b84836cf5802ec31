"""Synthetic read-only filesystems (devfs, procfs): trees computed on demand.

A node is a directory (static children, or a function listing them), a file
whose content is computed at open time, a symlink whose target is computed at
readlink time, or a device whose ``open`` builds an OpenFile. Content that
depends on the calling cage (``/proc/self``) reads ``kernel.current``, the cage
whose syscall is being served (the kernel serves one call at a time).

Inode numbers are stable per path for the life of the filesystem.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.file import DirFile, OpenFile
from kernel.vfs.types import S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, StatfsResult, StatResult, dtype_of

__all__ = ["BytesFile", "SNode", "SynthFs"]

Content = Callable[[], bytes]
Lister = Callable[[], dict[bytes, "SNode"]]


class SNode:
    """One node. A symlink may also be a *magic link* (``magic``): the path walker then
    jumps straight to the location ``magic(link_loc)`` returns instead of resolving the
    target text, as Linux does for /proc/<pid>/fd/N, cwd and root. ``statf`` makes a
    node report another object's attributes (the reopen node of an anonymous fd)."""

    __slots__ = ("children", "content", "fs", "gid", "ino", "lister", "magic", "mode", "name", "opener",
                 "parent", "rdev", "statf", "target", "uid")

    def __init__(self, mode: int, *, children: dict[bytes, SNode] | None = None, lister: Lister | None = None,
                 content: Content | None = None, target: Callable[[], bytes] | None = None,
                 opener: Callable[[SNode, int], OpenFile] | None = None, uid: int = 0, gid: int = 0,
                 rdev: int = 0, magic: Callable[[Any], Any] | None = None,
                 statf: Callable[[], StatResult] | None = None) -> None:
        self.magic = magic
        self.statf = statf
        self.mode = mode
        self.children = children
        self.lister = lister
        self.content = content
        self.target = target
        self.opener = opener
        self.uid = uid
        self.gid = gid
        self.rdev = rdev
        self.ino = 0
        self.parent: SNode | None = None
        self.name = b""
        self.fs: SynthFs | None = None


def sdir(children: dict[bytes, SNode] | None = None, *, lister: Lister | None = None,
         mode: int = 0o555) -> SNode:
    return SNode(S_IFDIR | mode, children=children if lister is None else None, lister=lister)


def sfile(content: Content, mode: int = 0o444) -> SNode:
    return SNode(S_IFREG | mode, content=content)


def slink(target: Callable[[], bytes], *, magic: Callable[[Any], Any] | None = None) -> SNode:
    return SNode(S_IFLNK | 0o777, target=target, magic=magic)


class SynthFs:
    readonly = True

    def __init__(self, root: SNode, *, dev: int, magic: int) -> None:
        self.dev = dev
        self.magic = magic
        self._inos: dict[tuple[int, bytes], int] = {}
        self._next = 2
        self._root = root
        root.ino = 1
        root.parent = root
        root.fs = self
        self.mounted_at = time.time_ns()

    def _adopt(self, parent: SNode, name: bytes, node: SNode) -> SNode:
        node.parent = parent
        node.name = name
        node.fs = self
        key = (parent.ino, name)
        ino = self._inos.get(key)
        if ino is None:
            ino = self._inos[key] = self._next
            self._next += 1
        node.ino = ino
        return node

    def _children(self, d: SNode) -> dict[bytes, SNode]:
        if d.mode & S_IFMT != S_IFDIR:
            raise SyscallError(Errno.ENOTDIR)
        kids = d.lister() if d.lister is not None else (d.children or {})
        return kids

    # --- Filesystem protocol -------------------------------------------------------------------

    def root(self) -> SNode:
        return self._root

    def getattr(self, n: SNode) -> StatResult:
        if n.statf is not None:
            return n.statf()
        size = 0
        if n.mode & S_IFMT == S_IFLNK and n.target is not None:
            try:
                size = len(n.target())
            except SyscallError:
                size = 0
        elif n.mode & S_IFMT == S_IFREG and n.content is not None:
            # Files report their real size, so programs that mmap st_size bytes
            # (musl's env-file reader) see the whole content.
            try:
                size = len(n.content())
            except SyscallError:
                size = 0
        t = self.mounted_at
        return StatResult(dev=self.dev, ino=n.ino, mode=n.mode, nlink=2 if n.mode & S_IFMT == S_IFDIR else 1,
                          uid=n.uid, gid=n.gid, rdev=n.rdev, size=size, blksize=4096, blocks=0,
                          atime_ns=t, mtime_ns=t, ctime_ns=t)

    def lookup(self, d: SNode, name: bytes) -> SNode:
        kids = self._children(d)
        n = kids.get(name)
        if n is None:
            raise SyscallError(Errno.ENOENT)
        return self._adopt(d, name, n) if n.fs is None or n.parent is not d else n

    def parent(self, d: SNode) -> SNode | None:
        return None if d is self._root else d.parent

    def name_of(self, d: SNode) -> bytes | None:
        return None if d is self._root else d.name

    def readlink(self, n: SNode) -> bytes:
        if n.mode & S_IFMT != S_IFLNK or n.target is None:
            raise SyscallError(Errno.EINVAL)
        return n.target()

    def readdir(self, d: SNode) -> list[tuple[bytes, int, int]]:
        kids = self._children(d)
        out = [(b".", d.ino, 4), (b"..", (d.parent or d).ino, 4)]
        for name, n in kids.items():
            n = self._adopt(d, name, n) if n.fs is None or n.parent is not d else n
            out.append((name, n.ino, dtype_of(n.mode)))
        return out

    def open(self, n: SNode, flags: int) -> OpenFile:
        if n.opener is not None:
            return n.opener(n, flags)
        kind = n.mode & S_IFMT
        if kind == S_IFDIR:
            return SynthDir(self, n, flags)
        if kind == S_IFREG and n.content is not None:
            if flags & 3:
                raise SyscallError(Errno.EACCES)
            return BytesFile(n.content(), flags, fs=self, inode=n)
        raise SyscallError(Errno.ENXIO)

    def _ro(self, *_: Any, **__: Any) -> Any:
        raise SyscallError(Errno.EROFS)

    create = mkdir = symlink = link = unlink = rmdir = rename = setattr = truncate = _ro

    def statfs(self) -> StatfsResult:
        return StatfsResult(f_type=self.magic, f_bsize=4096, f_blocks=0, f_bfree=0, f_bavail=0,
                            f_files=0, f_ffree=0, f_flags=1)

    def sync(self) -> None:
        pass


class BytesFile(OpenFile):
    """A read-only open file over bytes computed at open time."""

    __slots__ = ("data",)

    def __init__(self, data: bytes, flags: int, *, fs: Any = None, inode: Any = None,
                 path: bytes = b"") -> None:
        super().__init__(flags, fs=fs, inode=inode, path=path)
        self.data = data

    def read_into(self, cage: Any, buf: memoryview) -> int:
        n = self.pread_into(buf, self.offset)
        self.offset += n
        return n

    def pread_into(self, buf: memoryview, offset: int) -> int:
        chunk = self.data[offset:offset + len(buf)]
        buf[:len(chunk)] = chunk
        return len(chunk)

    def write_from(self, cage: Any, buf: memoryview) -> int:
        raise SyscallError(Errno.EBADF)

    def seek(self, offset: int, whence: int) -> int:
        base = {0: 0, 1: self.offset, 2: len(self.data)}.get(whence)
        if base is None or base + offset < 0:
            raise SyscallError(Errno.EINVAL)
        self.offset = base + offset
        return self.offset

    def stat(self) -> StatResult:
        st = super().stat()
        st.size = len(self.data)
        return st


class SynthDir(DirFile):
    __slots__ = ()

    def __init__(self, fs: SynthFs, n: SNode, flags: int) -> None:
        super().__init__(flags, fs=fs, inode=n)  # type: ignore[arg-type]
