"""memfs: the kernel's own filesystem, RustPOSIX-shaped (inodes, directories as
name -> inode maps, link counts), with file data in sparse fixed-size chunks.

This module is the working copy of the filesystem and is complete without a
store; ``kernel.vfs.store`` makes it durable by listening to the mutation hooks
(``_touch_meta``, ``_touch_data``, ``_dropped``), so the rules live here once.

Invariants:

* a directory's ``nlink`` is 2 + its subdirectories; a file's is its names;
* an inode with ``nlink == 0`` stays alive while an open file references it
  (``opens``), then is dropped;
* a directory knows its parent and its own name (for ``..`` and getcwd);
  the root is its own parent;
* file data: chunk ``i`` holds bytes ``[i*CHUNK, (i+1)*CHUNK)``; a missing chunk
  (or the missing tail of a short chunk) reads as zeros -- files are sparse.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    RENAME_EXCHANGE as RENAME_EXCHANGE,
    RENAME_NOREPLACE as RENAME_NOREPLACE,
)
from kernel.errors import SyscallError
from kernel.file import O_APPEND, POLLIN, POLLOUT, DirFile, OpenFile
from kernel.vfs.types import (
    NAME_MAX,
    S_IFDIR,
    S_IFLNK,
    S_IFMT,
    S_IFREG,
    StatfsResult,
    StatResult,
    dtype_of,
)

if TYPE_CHECKING:
    from kernel.block import Block
    from kernel.cage import Cage

__all__ = ["CHUNK", "MemFile", "MemFs", "MemInode"]

CHUNK: Final = 64 * 1024
_ZEROS: Final = bytes(CHUNK)
_ZERO_VIEW: Final = memoryview(_ZEROS)
TMPFS_MAGIC: Final = 0x01021994
#: Largest file size (Linux MAX_LFS_FILESIZE on 64-bit).
MAX_FILE_SIZE: Final = (1 << 63) - 1



class MemInode:
    __slots__ = ("atime", "btime", "chunks", "ctime", "entries", "gid", "ino", "mode", "mtime", "name",
                 "nlink", "opens", "parent", "rdev", "size", "target", "uid", "special", "linkable",
                 "__weakref__")

    def __init__(self, ino: int, mode: int, uid: int, gid: int, now: int, rdev: int = 0) -> None:
        self.ino = ino
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.nlink = 0
        self.rdev = rdev
        self.size = 0
        self.atime = self.mtime = self.ctime = self.btime = now
        self.chunks: dict[int, bytearray] | None = {} if mode & S_IFMT == S_IFREG else None
        self.entries: dict[bytes, MemInode] | None = {} if mode & S_IFMT == S_IFDIR else None
        self.parent: MemInode | None = None
        self.name: bytes = b""
        self.target: bytes = b""
        self.opens = 0
        #: Kernel object behind a FIFO or socket inode (created on first open).
        self.special: object = None
        #: An O_TMPFILE file (no name yet) that linkat(AT_EMPTY_PATH) may name (Linux I_LINKABLE).
        self.linkable = False

    def __repr__(self) -> str:
        return f"<MemInode {self.ino} mode={self.mode:o}>"


class MemFs:
    """The in-memory filesystem (see the module docstring)."""

    magic = TMPFS_MAGIC

    def __init__(self, *, dev: int = 1, uid: int = 0, gid: int = 0, readonly: bool = False) -> None:
        self.dev = dev
        self.readonly = readonly
        self.inodes: dict[int, MemInode] = {}
        self._next_ino = 1
        r = self._new_inode(S_IFDIR | 0o755, uid, gid)
        r.nlink = 2
        r.parent = r
        self._root = r

    # --- hooks for the persistent store (no-ops here) -----------------------------------

    def _touch_meta(self, inode: MemInode) -> None:
        """Metadata of ``inode`` changed (attributes, entries, link count)."""

    def _touch_data(self, inode: MemInode, chunk: int) -> None:
        """Chunk ``chunk`` of ``inode`` changed."""

    def _dropped(self, inode: MemInode) -> None:
        """``inode`` is gone (no names, no opens)."""

    # --- inode management ---------------------------------------------------------------------

    def _new_inode(self, mode: int, uid: int, gid: int, rdev: int = 0) -> MemInode:
        ino = self._next_ino
        self._next_ino += 1
        i = MemInode(ino, mode, uid, gid, time.time_ns(), rdev)
        self.inodes[ino] = i
        self._touch_meta(i)
        return i

    def _maybe_drop(self, i: MemInode) -> None:
        if i.nlink <= 0 and i.opens <= 0:
            self.inodes.pop(i.ino, None)
            i.chunks = {} if i.chunks is not None else None
            self._dropped(i)

    def opened(self, i: MemInode) -> None:
        i.opens += 1

    def closed(self, i: MemInode) -> None:
        i.opens -= 1
        self._maybe_drop(i)

    # --- Filesystem protocol ----------------------------------------------------------------------

    def root(self) -> MemInode:
        return self._root

    def getattr(self, i: MemInode) -> StatResult:  # type: ignore[override]
        size = i.size if i.entries is None else 4096
        if i.mode & S_IFMT == S_IFLNK:
            size = len(i.target)
        blocks = (len(i.chunks) * CHUNK // 512) if i.chunks else (8 if i.entries is not None else 0)
        if i.chunks:
            blocks = min(blocks, ((size + 511) // 512 + 7) & ~7)
        return StatResult(dev=self.dev, ino=i.ino, mode=i.mode, nlink=i.nlink, uid=i.uid, gid=i.gid,
                          rdev=i.rdev, size=size, blksize=4096, blocks=blocks, atime_ns=i.atime,
                          mtime_ns=i.mtime, ctime_ns=i.ctime, btime_ns=i.btime)

    def lookup(self, d: MemInode, name: bytes) -> MemInode:  # type: ignore[override]
        entries = d.entries
        if entries is None:
            raise SyscallError(Errno.ENOTDIR)
        i = entries.get(name)
        if i is None:
            raise SyscallError(Errno.ENOENT)
        return i

    def parent(self, d: MemInode) -> MemInode | None:  # type: ignore[override]
        return None if d is self._root else d.parent

    def name_of(self, d: MemInode) -> bytes | None:  # type: ignore[override]
        return None if d is self._root else d.name

    def _check_new(self, d: MemInode, name: bytes) -> dict[bytes, MemInode]:
        entries = d.entries
        if entries is None:
            raise SyscallError(Errno.ENOTDIR)
        if d.nlink == 0:
            raise SyscallError(Errno.ENOENT)  # directory was removed
        if len(name) > NAME_MAX:
            raise SyscallError(Errno.ENAMETOOLONG)
        if name in entries:
            raise SyscallError(Errno.EEXIST)
        return entries

    def _dir_changed(self, d: MemInode, now: int) -> None:
        d.mtime = d.ctime = now
        self._touch_meta(d)

    def create(self, d: MemInode, name: bytes, mode: int, uid: int, gid: int,  # type: ignore[override]
               rdev: int = 0) -> MemInode:
        entries = self._check_new(d, name)
        i = self._new_inode(mode, uid, gid, rdev)
        i.nlink = 1
        i.name = name
        entries[name] = i
        self._dir_changed(d, i.ctime)
        return i

    def create_unnamed(self, mode: int, uid: int, gid: int, *, linkable: bool = True) -> MemInode:
        """An O_TMPFILE inode: no name (nlink 0), alive while open; ``link`` may name it."""
        i = self._new_inode(mode, uid, gid)
        i.linkable = linkable
        return i

    def mkdir(self, d: MemInode, name: bytes, mode: int, uid: int,  # type: ignore[override]
              gid: int) -> MemInode:
        entries = self._check_new(d, name)
        i = self._new_inode(S_IFDIR | (mode & 0o7777), uid, gid)
        i.nlink = 2
        i.parent = d
        i.name = name
        entries[name] = i
        d.nlink += 1
        self._dir_changed(d, i.ctime)
        return i

    def symlink(self, d: MemInode, name: bytes, target: bytes, uid: int,  # type: ignore[override]
                gid: int) -> MemInode:
        entries = self._check_new(d, name)
        i = self._new_inode(S_IFLNK | 0o777, uid, gid)
        i.nlink = 1
        i.target = target
        i.size = len(target)
        i.name = name
        entries[name] = i
        self._dir_changed(d, i.ctime)
        return i

    def link(self, d: MemInode, name: bytes, i: MemInode) -> None:  # type: ignore[override]
        entries = self._check_new(d, name)
        if i.entries is not None:
            raise SyscallError(Errno.EPERM)
        if i.nlink == 0 and not i.linkable:
            raise SyscallError(Errno.ENOENT)
        i.linkable = False
        entries[name] = i
        i.nlink += 1
        now = time.time_ns()
        i.ctime = now
        self._touch_meta(i)
        self._dir_changed(d, now)

    def unlink(self, d: MemInode, name: bytes) -> None:  # type: ignore[override]
        i = self.lookup(d, name)
        if i.entries is not None:
            raise SyscallError(Errno.EISDIR)
        assert d.entries is not None
        del d.entries[name]
        i.nlink -= 1
        now = time.time_ns()
        i.ctime = now
        self._touch_meta(i)
        self._dir_changed(d, now)
        self._maybe_drop(i)

    def rmdir(self, d: MemInode, name: bytes) -> None:  # type: ignore[override]
        i = self.lookup(d, name)
        if i.entries is None:
            raise SyscallError(Errno.ENOTDIR)
        if i.entries:
            raise SyscallError(Errno.ENOTEMPTY)
        assert d.entries is not None
        del d.entries[name]
        d.nlink -= 1
        i.nlink = 0
        now = time.time_ns()
        i.ctime = now
        self._touch_meta(i)
        self._dir_changed(d, now)
        self._maybe_drop(i)

    def rename(self, sd: MemInode, sname: bytes, dd: MemInode, dname: bytes,  # type: ignore[override]
               flags: int = 0) -> None:
        """rename(2)/renameat2(2) within this filesystem; the caller checked
        permissions, EXDEV, and that ``dd`` is not inside the moved directory."""
        src = self.lookup(sd, sname)
        if dd.entries is None:
            raise SyscallError(Errno.ENOTDIR)
        if len(dname) > NAME_MAX:
            raise SyscallError(Errno.ENAMETOOLONG)
        dst = dd.entries.get(dname)
        now = time.time_ns()
        if flags & RENAME_EXCHANGE:
            if dst is None:
                raise SyscallError(Errno.ENOENT)
            assert sd.entries is not None
            sd.entries[sname], dd.entries[dname] = dst, src
            for node, parent, nm in ((src, dd, dname), (dst, sd, sname)):
                node.name = nm
                node.ctime = now
                if node.entries is not None and sd is not dd:
                    node.parent = parent
                self._touch_meta(node)
            if sd is not dd and (src.entries is None) != (dst.entries is None):
                delta = 1 if src.entries is not None else -1
                dd.nlink += delta
                sd.nlink -= delta
            self._dir_changed(sd, now)
            self._dir_changed(dd, now)
            return
        if dst is src:
            return  # same inode (hard links to one file): nothing to do
        if dst is not None:
            if flags & RENAME_NOREPLACE:
                raise SyscallError(Errno.EEXIST)
            if src.entries is not None:
                if dst.entries is None:
                    raise SyscallError(Errno.ENOTDIR)
                if dst.entries:
                    raise SyscallError(Errno.ENOTEMPTY)
            elif dst.entries is not None:
                raise SyscallError(Errno.EISDIR)
        assert sd.entries is not None
        del sd.entries[sname]
        if dst is not None:
            if dst.entries is not None:
                dst.nlink = 0
                dd.nlink -= 1
            else:
                dst.nlink -= 1
            dst.ctime = now
            self._touch_meta(dst)
        dd.entries[dname] = src
        src.name = dname
        src.ctime = now
        if src.entries is not None and sd is not dd:
            src.parent = dd
            sd.nlink -= 1
            dd.nlink += 1
        self._touch_meta(src)
        self._dir_changed(sd, now)
        if dd is not sd:
            self._dir_changed(dd, now)
        if dst is not None:
            self._maybe_drop(dst)

    def readlink(self, i: MemInode) -> bytes:  # type: ignore[override]
        if i.mode & S_IFMT != S_IFLNK:
            raise SyscallError(Errno.EINVAL)
        return i.target

    def readdir(self, d: MemInode) -> list[tuple[bytes, int, int]]:  # type: ignore[override]
        if d.entries is None:
            raise SyscallError(Errno.ENOTDIR)
        parent = d.parent or d
        out = [(b".", d.ino, 4), (b"..", parent.ino, 4)]
        out.extend((name, i.ino, dtype_of(i.mode)) for name, i in d.entries.items())
        return out

    def setattr(self, i: MemInode, *, mode: int | None = None, uid: int | None = None,  # type: ignore[override]
                gid: int | None = None, atime_ns: int | None = None, mtime_ns: int | None = None) -> None:
        if mode is not None:
            i.mode = (i.mode & S_IFMT) | (mode & 0o7777)
        if uid is not None:
            i.uid = uid
        if gid is not None:
            i.gid = gid
        if atime_ns is not None:
            i.atime = atime_ns
        if mtime_ns is not None:
            i.mtime = mtime_ns
        i.ctime = time.time_ns()
        self._touch_meta(i)

    # --- file data -------------------------------------------------------------------------------

    def truncate(self, i: MemInode, size: int) -> None:  # type: ignore[override]
        if i.chunks is None:
            raise SyscallError(Errno.EISDIR if i.entries is not None else Errno.EINVAL)
        if size < 0:
            raise SyscallError(Errno.EINVAL)
        if size > MAX_FILE_SIZE:
            raise SyscallError(Errno.EFBIG)
        if size < i.size:
            last = size // CHUNK
            for ci in [c for c in i.chunks if c > last or (c == last and size % CHUNK == 0)]:
                del i.chunks[ci]
                self._touch_data(i, ci)
            tail = size % CHUNK
            ch = i.chunks.get(last)
            if ch is not None and tail and len(ch) > tail:
                del ch[tail:]
                self._touch_data(i, last)
        i.size = size
        i.mtime = i.ctime = time.time_ns()
        self._touch_meta(i)

    def read(self, i: MemInode, offset: int, dest: memoryview) -> int:
        """Copy file bytes at ``offset`` into ``dest``; returns the count (0 at EOF)."""
        size = i.size
        if offset >= size or not len(dest):
            return 0
        n = min(len(dest), size - offset)
        chunks = i.chunks
        assert chunks is not None
        pos = 0
        while pos < n:
            ci, co = divmod(offset + pos, CHUNK)
            take = min(CHUNK - co, n - pos)
            ch = chunks.get(ci)
            have = 0
            if ch is not None:
                have = min(max(len(ch) - co, 0), take)
                if have:
                    # Through a view: slicing the bytearray itself would copy twice.
                    with memoryview(ch) as v:
                        dest[pos:pos + have] = v[co:co + have]
            if have < take:
                dest[pos + have:pos + take] = _ZERO_VIEW[:take - have]
            pos += take
        return n

    def write(self, i: MemInode, offset: int, src: memoryview | bytes) -> int:
        n = len(src)
        if n == 0:
            return 0
        if offset + n > MAX_FILE_SIZE:
            raise SyscallError(Errno.EFBIG)
        chunks = i.chunks
        assert chunks is not None
        pos = 0
        while pos < n:
            ci, co = divmod(offset + pos, CHUNK)
            take = min(CHUNK - co, n - pos)
            ch = chunks.get(ci)
            if ch is None:
                if co == 0 and take == CHUNK:
                    chunks[ci] = bytearray(src[pos:pos + take])
                    self._touch_data(i, ci)
                    pos += take
                    continue
                ch = chunks[ci] = bytearray()
            if len(ch) < co:
                ch.extend(_ZEROS[:co - len(ch)])
            ch[co:co + take] = src[pos:pos + take]
            self._touch_data(i, ci)
            pos += take
        end = offset + n
        if end > i.size:
            i.size = end
        i.mtime = i.ctime = time.time_ns()
        self._touch_meta(i)
        return n

    def open(self, i: MemInode, flags: int) -> OpenFile:  # type: ignore[override]
        if i.entries is not None:
            return MemDir(self, i, flags)
        return MemFile(self, i, flags)

    def statfs(self) -> StatfsResult:
        used = sum(len(i.chunks) for i in self.inodes.values() if i.chunks)
        total = max(used * 2, 1 << 18)
        return StatfsResult(f_type=self.magic, f_bsize=CHUNK, f_blocks=total, f_bfree=total - used,
                            f_bavail=total - used, f_files=1 << 20, f_ffree=(1 << 20) - len(self.inodes))

    def sync(self) -> None:
        pass

    def fsync(self, i: MemInode, datasync: bool) -> int | Block:
        return 0


class MemFile(OpenFile):
    """An open regular file of a MemFs."""

    __slots__ = ()
    kind = "file"

    def __init__(self, fs: MemFs, inode: MemInode, flags: int) -> None:
        super().__init__(flags, fs=fs, inode=inode)  # type: ignore[arg-type]
        fs.opened(inode)

    def read_into(self, cage: Cage, buf: memoryview) -> int:
        n = self.fs.read(self.inode, self.offset, buf)  # type: ignore[union-attr]
        self.offset += n
        return n

    def write_from(self, cage: Cage, buf: memoryview) -> int:
        i = self.inode
        if self.flags & O_APPEND:
            self.offset = i.size  # type: ignore[union-attr]
        n = self.fs.write(i, self.offset, buf)  # type: ignore[union-attr]
        self.offset += n
        return n

    def pread_into(self, buf: memoryview, offset: int) -> int:
        return self.fs.read(self.inode, offset, buf)  # type: ignore[union-attr, no-any-return]

    def pwrite_from(self, buf: memoryview, offset: int) -> int:
        # Linux quirk kept: pwrite on an O_APPEND file appends.
        if self.flags & O_APPEND:
            offset = self.inode.size  # type: ignore[union-attr]
        return self.fs.write(self.inode, offset, buf)  # type: ignore[union-attr, no-any-return]

    def seek(self, offset: int, whence: int) -> int:
        size = self.inode.size  # type: ignore[union-attr]
        if whence == os.SEEK_SET:
            new = offset
        elif whence == os.SEEK_CUR:
            new = self.offset + offset
        elif whence == os.SEEK_END:
            new = size + offset
        elif whence in (os.SEEK_DATA, os.SEEK_HOLE):
            if offset < 0 or offset >= size:
                raise SyscallError(Errno.ENXIO)
            new = _seek_data_hole(self.inode, offset, whence == os.SEEK_DATA)  # type: ignore[arg-type]
        else:
            raise SyscallError(Errno.EINVAL)
        if new < 0 or new > MAX_FILE_SIZE:
            raise SyscallError(Errno.EINVAL)  # Linux vfs_setpos: outside [0, MAX_LFS_FILESIZE]
        self.offset = new
        return new

    def truncate(self, size: int) -> None:
        self.fs.truncate(self.inode, size)  # type: ignore[union-attr]

    def fsync(self, datasync: bool) -> int | Block:
        return self.fs.fsync(self.inode, datasync)  # type: ignore[union-attr, no-any-return]

    def poll(self) -> int:
        return POLLIN | POLLOUT

    def ioctl(self, cage: Cage, request: int, arg: int) -> int:
        if request == 0x541B:  # FIONREAD: bytes between the offset and EOF
            left = self.inode.size - self.offset  # type: ignore[union-attr]
            cage.mem.put_i32(arg, max(0, min(left, 0x7FFFFFFF)))
            return 0
        raise SyscallError(Errno.ENOTTY)

    def release(self) -> None:
        self.fs.closed(self.inode)  # type: ignore[union-attr]


def _seek_data_hole(i: MemInode, offset: int, data: bool) -> int:
    assert i.chunks is not None
    ci = offset // CHUNK
    last = (i.size - 1) // CHUNK
    while ci <= last:
        present = ci in i.chunks
        if present == data:
            return max(offset, ci * CHUNK)
        ci += 1
    if data:
        raise SyscallError(Errno.ENXIO)
    return i.size


class MemDir(DirFile):
    """An open directory of a MemFs."""

    __slots__ = ()

    def __init__(self, fs: MemFs, inode: MemInode, flags: int) -> None:
        super().__init__(flags, fs=fs, inode=inode)  # type: ignore[arg-type]
        fs.opened(inode)

    def getdents(self, size: int) -> list[tuple[bytes, int, int, int]]:
        if self.inode.nlink == 0:  # type: ignore[union-attr]
            raise SyscallError(Errno.ENOENT)  # Linux iterate_dir: IS_DEADDIR
        return super().getdents(size)

    def release(self) -> None:
        self.fs.closed(self.inode)  # type: ignore[union-attr]
