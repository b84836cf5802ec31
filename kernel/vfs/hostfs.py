"""hostfs: a host directory passed through to cages, confined to that directory.

Confinement, and why it holds:

* the generic VFS walks guest paths one component at a time and expands
  symlinks itself, against the guest root; hostfs is only asked for single
  names, never ``.``/``..``/paths;
* every host operation first opens the parent directory of its target with
  ``openat2(root, relpath, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
  RESOLVE_NO_MAGICLINKS)``: the kernel refuses any resolution that would leave
  the mount's directory or cross a symlink, even if a host process swaps a
  component for a symlink between our check and our use (the race is closed by
  the host kernel, not by us). Without openat2 (Linux < 5.6) the parent is
  reached component by component with ``O_NOFOLLOW | O_DIRECTORY``;
* the final component is always used with a no-follow variant (``O_NOFOLLOW``,
  ``AT_SYMLINK_NOFOLLOW``, ``unlinkat``, ``renameat2``...).

Ownership and permission bits are the host's; the generic layer checks them
against the cage's credentials, and the host kernel checks them again against
the kernel process's.
"""

from __future__ import annotations

import functools
import os
import stat as _stat
import weakref
from collections.abc import Callable
from typing import Any, Final, TypeVar

from abi.errno import Errno
from kernel._unsafe import (
    HAVE_OPENAT2,
    RESOLVE_BENEATH,
    RESOLVE_NO_MAGICLINKS,
    RESOLVE_NO_SYMLINKS,
    openat2,
    renameat2,
)
from kernel.errors import SyscallError
from kernel.file import DirFile, HostFdFile, OpenFile
from kernel.vfs.types import S_IFDIR, S_IFMT, StatfsResult, StatResult, dtype_of

__all__ = ["HostFs", "HostInode"]

_RESOLVE: Final = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS
_DIR_FLAGS: Final = os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NOFOLLOW


class HostInode:
    __slots__ = ("__weakref__", "gid", "ino", "mode", "rel", "uid")

    def __init__(self, rel: bytes, st: os.stat_result) -> None:
        #: Path relative to the mount root, b"" for the root; never has "." or "..".
        self.rel = rel
        self.ino = st.st_ino
        self.mode = st.st_mode
        self.uid = st.st_uid
        self.gid = st.st_gid

    def __repr__(self) -> str:
        return f"<HostInode {self.rel!r}>"


_F = TypeVar("_F", bound=Callable[..., Any])


def _host_errors(fn: _F) -> _F:
    """Report host failures as ``SyscallError`` so the generic layer's ``except
    SyscallError`` (ENOENT from a lookup, EEXIST...) sees them like memfs's."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except OSError as e:
            raise SyscallError(e.errno or Errno.EIO) from None

    return wrapper  # type: ignore[return-value]


def _split(rel: bytes) -> tuple[bytes, bytes]:
    head, _, last = rel.rpartition(b"/")
    return head, last


class HostFs:
    magic = 0x65735546

    def __init__(self, host_dir: str | bytes, *, dev: int, readonly: bool = False) -> None:
        self.host_dir = os.fsencode(host_dir)
        self.rootfd = os.open(self.host_dir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        self.dev = dev
        self.readonly = readonly
        self._root = HostInode(b"", os.fstat(self.rootfd))
        #: Every HostInode still referenced (cwd, open files, dirfds): a rename made
        #: through this mount rewrites their paths, so they keep naming the same object.
        self._live: weakref.WeakSet[HostInode] = weakref.WeakSet()
    # --- confined host access ----------------------------------------------------------

    def _open_dir(self, rel: bytes) -> int:
        """An O_PATH fd of the directory ``rel`` (b"" = root), confined."""
        if not rel:
            return os.dup(self.rootfd)
        if HAVE_OPENAT2:
            return openat2(self.rootfd, rel, _DIR_FLAGS, 0, _RESOLVE)
        fd = os.dup(self.rootfd)
        try:
            for comp in rel.split(b"/"):
                nfd = os.open(comp, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = nfd
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _parent_fd(self, rel: bytes) -> tuple[int, bytes]:
        head, last = _split(rel)
        return self._open_dir(head), last

    def _lstat(self, rel: bytes) -> os.stat_result:
        if not rel:
            return os.fstat(self.rootfd)
        pfd, name = self._parent_fd(rel)
        try:
            return os.stat(name, dir_fd=pfd, follow_symlinks=False)
        finally:
            os.close(pfd)

    @staticmethod
    def _child(d: HostInode, name: bytes) -> bytes:
        return d.rel + b"/" + name if d.rel else name

    def _inode(self, rel: bytes) -> HostInode:
        i = HostInode(rel, self._lstat(rel))
        self._live.add(i)
        return i

    def _moved(self, old: bytes, new: bytes, exchange: bool) -> None:
        """``old`` was renamed to ``new`` (or swapped with it): follow in the live inodes."""
        def under(rel: bytes, top: bytes) -> bool:
            return rel == top or rel.startswith(top + b"/")

        for i in list(self._live):
            if under(i.rel, old):
                i.rel = new + i.rel[len(old):]
            elif exchange and under(i.rel, new):
                i.rel = old + i.rel[len(new):]

    # --- Filesystem protocol -------------------------------------------------------------------

    def root(self) -> HostInode:
        return self._root

    @_host_errors
    def getattr(self, i: HostInode) -> StatResult:
        st = self._lstat(i.rel)
        i.mode, i.uid, i.gid = st.st_mode, st.st_uid, st.st_gid
        return StatResult(dev=self.dev, ino=st.st_ino, mode=st.st_mode, nlink=st.st_nlink, uid=st.st_uid,
                          gid=st.st_gid, rdev=st.st_rdev, size=st.st_size, blksize=st.st_blksize,
                          blocks=st.st_blocks, atime_ns=st.st_atime_ns, mtime_ns=st.st_mtime_ns,
                          ctime_ns=st.st_ctime_ns)

    @_host_errors
    def lookup(self, d: HostInode, name: bytes) -> HostInode:
        if d.mode & S_IFMT != S_IFDIR:
            raise SyscallError(Errno.ENOTDIR)
        return self._inode(self._child(d, name))

    @_host_errors
    def parent(self, d: HostInode) -> HostInode | None:
        if not d.rel:
            return None
        return self._inode(_split(d.rel)[0])

    def name_of(self, d: HostInode) -> bytes | None:
        return _split(d.rel)[1] if d.rel else None

    def _ro(self) -> None:
        if self.readonly:
            raise SyscallError(Errno.EROFS)

    @_host_errors
    def create(self, d: HostInode, name: bytes, mode: int, uid: int, gid: int, rdev: int = 0) -> HostInode:
        self._ro()
        pfd = self._open_dir(d.rel)
        try:
            kind = mode & S_IFMT
            if kind in (0, _stat.S_IFREG):
                fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC,
                             mode & 0o7777, dir_fd=pfd)
                try:
                    # The guest already applied its umask; the kernel process's must not apply again.
                    os.fchmod(fd, mode & 0o7777)
                finally:
                    os.close(fd)
            else:
                os.mknod(name, mode, rdev, dir_fd=pfd)
                self._chmod_new(pfd, name, mode)
        finally:
            os.close(pfd)
        return self._inode(self._child(d, name))

    @_host_errors
    def mkdir(self, d: HostInode, name: bytes, mode: int, uid: int, gid: int) -> HostInode:
        self._ro()
        pfd = self._open_dir(d.rel)
        try:
            os.mkdir(name, mode & 0o7777, dir_fd=pfd)
            self._chmod_new(pfd, name, mode)
        finally:
            os.close(pfd)
        return self._inode(self._child(d, name))

    @staticmethod
    def _chmod_new(pfd: int, name: bytes, mode: int) -> None:
        """Give a just-created object exactly ``mode`` (the host umask trimmed it)."""
        fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=pfd)
        try:
            os.chmod(f"/proc/self/fd/{fd}", mode & 0o7777)
        finally:
            os.close(fd)

    @_host_errors
    def symlink(self, d: HostInode, name: bytes, target: bytes, uid: int, gid: int) -> HostInode:
        self._ro()
        pfd = self._open_dir(d.rel)
        try:
            os.symlink(target, name, dir_fd=pfd)
        finally:
            os.close(pfd)
        return self._inode(self._child(d, name))

    @_host_errors
    def link(self, d: HostInode, name: bytes, i: HostInode) -> None:
        self._ro()
        spfd, sname = self._parent_fd(i.rel)
        try:
            dpfd = self._open_dir(d.rel)
            try:
                os.link(sname, name, src_dir_fd=spfd, dst_dir_fd=dpfd, follow_symlinks=False)
            finally:
                os.close(dpfd)
        finally:
            os.close(spfd)

    @_host_errors
    def unlink(self, d: HostInode, name: bytes) -> None:
        self._ro()
        pfd = self._open_dir(d.rel)
        try:
            os.unlink(name, dir_fd=pfd)
        finally:
            os.close(pfd)

    @_host_errors
    def rmdir(self, d: HostInode, name: bytes) -> None:
        self._ro()
        pfd = self._open_dir(d.rel)
        try:
            os.rmdir(name, dir_fd=pfd)
        finally:
            os.close(pfd)

    @_host_errors
    def rename(self, sd: HostInode, sname: bytes, dd: HostInode, dname: bytes, flags: int = 0) -> None:
        self._ro()
        spfd = self._open_dir(sd.rel)
        try:
            dpfd = self._open_dir(dd.rel)
            try:
                renameat2(spfd, sname, dpfd, dname, flags)
            finally:
                os.close(dpfd)
        finally:
            os.close(spfd)
        self._moved(self._child(sd, sname), self._child(dd, dname), bool(flags & 2))  # RENAME_EXCHANGE

    @_host_errors
    def readlink(self, i: HostInode) -> bytes:
        pfd, name = self._parent_fd(i.rel)
        try:
            return os.readlink(name, dir_fd=pfd)
        except OSError as e:
            if e.errno == Errno.EINVAL:
                raise SyscallError(Errno.EINVAL) from None
            raise
        finally:
            os.close(pfd)

    @_host_errors
    def readdir(self, d: HostInode) -> list[tuple[bytes, int, int]]:
        fd = self._open_dir(d.rel)
        try:
            rfd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=fd)
        finally:
            os.close(fd)
        parent = self.parent(d) or d
        out = [(b".", d.ino, 4), (b"..", parent.ino, 4)]
        with os.scandir(rfd) as it:  # type: ignore[type-var]
            for e in it:
                st = e.stat(follow_symlinks=False)
                out.append((os.fsencode(e.name), st.st_ino, dtype_of(st.st_mode)))
        os.close(rfd)
        return out

    def _path_fd(self, i: HostInode) -> int:
        """O_PATH fd of the object itself (no-follow), for attribute changes."""
        if not i.rel:
            return os.dup(self.rootfd)
        pfd, name = self._parent_fd(i.rel)
        try:
            return os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=pfd)
        finally:
            os.close(pfd)

    @_host_errors
    def setattr(self, i: HostInode, *, mode: int | None = None, uid: int | None = None,
                gid: int | None = None,
                atime_ns: int | None = None, mtime_ns: int | None = None) -> None:
        self._ro()
        fd = self._path_fd(i)
        try:
            proc = f"/proc/self/fd/{fd}"
            if mode is not None:
                if _stat.S_ISLNK(i.mode):
                    raise SyscallError(Errno.EOPNOTSUPP)
                os.chmod(proc, mode & 0o7777)
            if uid is not None or gid is not None:
                os.chown(proc, -1 if uid is None else uid, -1 if gid is None else gid)
            if atime_ns is not None or mtime_ns is not None:
                st = os.fstat(fd) if not _stat.S_ISLNK(i.mode) else self._lstat(i.rel)
                a = st.st_atime_ns if atime_ns is None else atime_ns
                m = st.st_mtime_ns if mtime_ns is None else mtime_ns
                os.utime(proc, ns=(a, m))
            st = os.fstat(fd) if not _stat.S_ISLNK(i.mode) else self._lstat(i.rel)
            i.mode, i.uid, i.gid = st.st_mode, st.st_uid, st.st_gid  # permission checks read these
        finally:
            os.close(fd)

    @_host_errors
    def truncate(self, i: HostInode, size: int) -> None:
        self._ro()
        pfd, name = self._parent_fd(i.rel)
        try:
            fd = os.open(name, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=pfd)
        finally:
            os.close(pfd)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)

    @_host_errors
    def open(self, i: HostInode, flags: int) -> OpenFile:
        kind = i.mode & S_IFMT
        if kind == S_IFDIR:
            return HostDir(self, i, flags)
        if self.readonly and flags & 3:
            raise SyscallError(Errno.EROFS)
        pfd, name = self._parent_fd(i.rel) if i.rel else (os.dup(self.rootfd), b".")
        hflags = ((flags & (3 | os.O_APPEND | os.O_TRUNC | os.O_SYNC | os.O_DSYNC))
                  | os.O_NOFOLLOW | os.O_CLOEXEC)
        if kind not in (_stat.S_IFREG,):
            hflags |= os.O_NONBLOCK  # fifos and devices: never block the kernel
        try:
            fd = os.open(name, hflags, dir_fd=pfd)
        finally:
            os.close(pfd)
        return HostFdFile(fd, flags, fs=self, inode=i)

    @_host_errors
    def statfs(self) -> StatfsResult:
        s = os.statvfs(f"/proc/self/fd/{self.rootfd}")
        return StatfsResult(f_type=self.magic, f_bsize=s.f_bsize, f_blocks=s.f_blocks, f_bfree=s.f_bfree,
                            f_bavail=s.f_bavail, f_files=s.f_files, f_ffree=s.f_ffree, f_namelen=s.f_namemax,
                            f_frsize=s.f_frsize, f_flags=1 if self.readonly else 0)

    def sync(self) -> None:
        os.sync()


class HostDir(DirFile):
    __slots__ = ()

    def __init__(self, fs: HostFs, inode: HostInode, flags: int) -> None:
        super().__init__(flags, fs=fs, inode=inode)  # type: ignore[arg-type]

    @_host_errors
    def getdents(self, size: int) -> list[tuple[bytes, int, int, int]]:
        return super().getdents(size)
