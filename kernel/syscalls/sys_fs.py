"""Path-based file syscalls: open, stat, directories, links, names, attributes.

Handlers decode and validate arguments, resolve paths through the VFS
(``kernel.vfs.vfs``: walking, mounts, permission checks) and call the backend.
Errno choices follow Linux (fs/namei.c, fs/open.c, fs/stat.c); where Linux
has a quirk that programs rely on, it is kept and commented.
"""

from __future__ import annotations

import os
import struct
import time
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    AT_EACCESS as AT_EACCESS,
    AT_EMPTY_PATH as AT_EMPTY_PATH,
    AT_FDCWD as AT_FDCWD,
    AT_NO_AUTOMOUNT as AT_NO_AUTOMOUNT,
    AT_REMOVEDIR as AT_REMOVEDIR,
    AT_STATX_SYNC_TYPE as AT_STATX_SYNC_TYPE,
    AT_SYMLINK_FOLLOW as AT_SYMLINK_FOLLOW,
    AT_SYMLINK_NOFOLLOW as AT_SYMLINK_NOFOLLOW,
    O_CLOEXEC as O_CLOEXEC,
    O_CREAT as O_CREAT,
    O_DIRECTORY as O_DIRECTORY,
    O_EXCL as O_EXCL,
    O_NOATIME as O_NOATIME,
    O_NOCTTY as O_NOCTTY,
    O_NOFOLLOW as O_NOFOLLOW,
    O_TRUNC as O_TRUNC,
    RENAME_EXCHANGE as RENAME_EXCHANGE,
    RENAME_NOREPLACE as RENAME_NOREPLACE,
    RENAME_WHITEOUT as RENAME_WHITEOUT,
    S_ISGID as S_ISGID,
    S_ISUID as S_ISUID,
    STATX_BASIC_STATS as STATX_BASIC_STATS,
    STATX_BTIME as STATX_BTIME,
    UTIME_NOW as UTIME_NOW,
    UTIME_OMIT as UTIME_OMIT,
)
from abi.structs import Stat, Statfs, Statx, pack_dirent64
from kernel.block import Block
from kernel.errors import SyscallError
from kernel.file import O_ACCMODE, O_PATH, O_RDONLY, O_WRONLY, OpenFile
from kernel.table import partial, supported
from kernel.vfs.types import S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK
from kernel.vfs.vfs import MAXSYMLINKS, R_OK, W_OK, X_OK, Loc, may_access

if TYPE_CHECKING:
    from kernel.cage import Cage, Creds
    from kernel.vfs.types import StatResult

__all__ = ["SYSCALLS", "do_open", "path_at"]


__O_TMPFILE: Final = 0o20000000
O_TMPFILE: Final = __O_TMPFILE | O_DIRECTORY
#: Every flag open(2) knows; others are ignored by Linux (not EINVAL), so are here.
_O_PATH_KEEP: Final = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC





_STAT = Stat.FMT
_STATX = Statx.FMT
_STATFS = Statfs.FMT
_TS2 = struct.Struct("<qqqq")  # struct timespec[2]
_TV2 = struct.Struct("<qqqq")  # struct timeval[2]
_UTIMBUF = struct.Struct("<qq")


# --- path helpers -------------------------------------------------------------------------


def _path(cage: Cage, ptr: int) -> bytes:
    return cage.mem.cstring(ptr)


def _start(cage: Cage, dirfd: int, path: bytes) -> Loc | None:
    """The directory a relative ``path`` starts from (None = cwd)."""
    if dirfd == AT_FDCWD or (path and path[0] == 47):
        return None
    f = cage.fds.get(dirfd)
    loc = f.loc
    if not isinstance(loc, Loc):
        raise SyscallError(Errno.ENOTDIR)
    if not loc.is_dir:
        raise SyscallError(Errno.ENOTDIR)
    return loc


def path_at(cage: Cage, dirfd: int, path: bytes, *, follow: bool = True, empty_ok: bool = False) -> Loc:
    """Resolve ``path`` relative to ``dirfd`` (AT_EMPTY_PATH: the fd itself)."""
    if not path:
        if not empty_ok:
            raise SyscallError(Errno.ENOENT)
        if dirfd == AT_FDCWD:
            return cage.fs.cwd
        loc = cage.fds.get(dirfd).loc
        if not isinstance(loc, Loc):
            raise SyscallError(Errno.EBADF)
        return loc
    return cage.kernel.vfs.walk(cage.fs, cage.creds, _start(cage, dirfd, path), path, follow=follow)


def parent_at(cage: Cage, dirfd: int, path: bytes) -> tuple[Loc, bytes, bool]:
    return cage.kernel.vfs.walk_parent(cage.fs, cage.creds, _start(cage, dirfd, path), path)


def _fd_nopath(cage: Cage, fd: int) -> OpenFile:
    """The file behind ``fd`` for calls Linux refuses on O_PATH descriptors (fdget, not fdget_raw)."""
    f = cage.fds.get(fd)
    if f.flags & O_PATH:
        raise SyscallError(Errno.EBADF)
    return f


def _fd_loc(cage: Cage, fd: int) -> Loc:
    loc = cage.fds.get(fd).loc
    if not isinstance(loc, Loc):
        raise SyscallError(Errno.EINVAL)
    return loc


def _describe(cage: Cage, d: Loc | None, name: bytes, path: bytes) -> bytes:
    """Absolute guest path for /proc/self/fd (best effort, textual)."""
    vfs = cage.kernel.vfs
    if d is not None:
        base = vfs.path_of(cage.fs, d)
        if base is not None:
            return base.rstrip(b"/") + b"/" + name if name not in (b"", b".") else base
    if path.startswith(b"/"):
        return os.path.normpath(path)
    base = vfs.path_of(cage.fs, cage.fs.cwd) or b"/"
    return os.path.normpath(base.rstrip(b"/") + b"/" + path)


def _must_not_exist(cage: Cage, d: Loc, name: bytes) -> None:
    """EEXIST if ``name`` exists in ``d`` (any lookup error but ENOENT propagates)."""
    try:
        cage.kernel.vfs.lookup_child(cage.fs, d, name)
    except SyscallError as e:
        if e.errno != Errno.ENOENT:
            raise
    else:
        raise SyscallError(Errno.EEXIST)


def _new_name(cage: Cage, dirfd: int, path: bytes, *, is_dir: bool = False) -> tuple[Loc, bytes]:
    """Parent and last component for a name about to be created (Linux filename_create).

    An existing name (or ``.``/``..``) is EEXIST; a trailing slash on a new
    non-directory is ENOENT.
    """
    d, name, trailing = parent_at(cage, dirfd, path)
    if name in (b".", b".."):
        raise SyscallError(Errno.EEXIST)
    _must_not_exist(cage, d, name)
    if trailing and not is_dir:
        raise SyscallError(Errno.ENOENT)
    return d, name


def _new_owner(cage: Cage, d: Loc, mode: int, *, is_dir: bool) -> tuple[int, int, int]:
    """uid, gid and permission bits of a new inode in ``d`` (Linux inode_init_owner).

    In a setgid directory the new inode takes the directory's group, and a new
    directory also takes the setgid bit. A caller outside the new group (and not
    root) loses a requested setgid bit on a group-executable file (mode_strip_sgid).
    """
    cr = cage.creds
    perm = mode & 0o7777 & ~cage.fs.umask
    gid = cr.fsgid
    if d.inode.mode & S_ISGID:
        gid = d.inode.gid
        if is_dir:
            perm |= S_ISGID
    if (not is_dir and perm & S_ISGID and perm & 0o010 and cr.fsuid != 0 and not cr.in_group(gid)):
        perm &= ~S_ISGID
    return cr.fsuid, gid, perm


# --- open -------------------------------------------------------------------------------------


def do_open(cage: Cage, dirfd: int, path: bytes, flags: int, mode: int) -> OpenFile:
    """openat(2) without the fd allocation (shared by open, openat, creat, execve).

    Order of checks (Linux build_open_flags, path_openat, do_open, may_open):
    flag combinations (EINVAL), the walk, O_CREAT's lookup-or-create, then on
    the object: O_DIRECTORY (ENOTDIR), symlink (ELOOP), directory opened for
    writing (EISDIR), read-only filesystem (EROFS), permission (EACCES).
    """
    vfs = cage.kernel.vfs
    creds = cage.creds
    if flags & O_PATH:
        # O_PATH beats everything: only these flags keep a meaning.
        flags &= _O_PATH_KEEP
    elif flags & O_DIRECTORY and flags & O_CREAT:
        raise SyscallError(Errno.EINVAL)  # Linux >= 6.4; this also rejects O_TMPFILE|O_CREAT
    if flags & __O_TMPFILE:
        if not flags & O_DIRECTORY or flags & O_ACCMODE == O_RDONLY:
            raise SyscallError(Errno.EINVAL)
        return _open_tmpfile(cage, dirfd, path, flags, mode)
    follow = not flags & O_NOFOLLOW
    created = False
    d: Loc | None = None
    name = b""
    if flags & O_CREAT and not flags & O_PATH:
        d, name, loc, created = _open_create(cage, dirfd, path, flags, mode)
    else:
        loc = vfs.walk(cage.fs, creds, _start(cage, dirfd, path), path, follow=follow)
    kind = loc.mode & S_IFMT
    acc = flags & O_ACCMODE
    if flags & O_DIRECTORY and kind != S_IFDIR:
        raise SyscallError(Errno.ENOTDIR)
    if flags & O_PATH:
        f = OpenFile(flags, fs=loc.fs, inode=loc.inode)
        f.loc = loc
        f.path = _describe(cage, d, name, path)
        return f
    if kind == S_IFLNK:
        raise SyscallError(Errno.ELOOP)
    if not created:
        # O_TRUNC asks for write permission whatever the access mode (Linux).
        want = (R_OK if acc != O_WRONLY else 0) | (W_OK if acc != O_RDONLY or flags & O_TRUNC else 0)
        if kind == S_IFDIR and want & W_OK:
            raise SyscallError(Errno.EISDIR)
        # (A reopen node of /proc/<pid>/fd/N stands for an object on another filesystem.)
        if (want & W_OK and loc.mount.readonly and kind in (S_IFREG, S_IFDIR)
                and getattr(loc.inode, "statf", None) is None):
            raise SyscallError(Errno.EROFS)
        if want and not may_access(creds, loc.inode, want):
            raise SyscallError(Errno.EACCES)
        if flags & O_NOATIME and creds.fsuid not in (0, loc.inode.uid):
            raise SyscallError(Errno.EPERM)
    if isinstance(loc.fs, _synthetic_types()):
        f = loc.fs.open(loc.inode, flags)  # devices, /proc files, reopened fds: the node decides
    elif kind in (S_IFCHR, S_IFBLK):
        from kernel.vfs.devfs import device_file

        f = device_file(loc.fs.getattr(loc.inode).rdev, flags, fs=loc.fs, inode=loc.inode)
    elif kind == S_IFIFO:
        from kernel.pipe import open_fifo

        # A FIFO open may wait for its peer (fifo(7)); the description is finished
        # when the wait ends.
        described = _describe(cage, d, name, path)

        def finish(r: OpenFile | Block) -> OpenFile | Block:
            if isinstance(r, OpenFile):
                r.loc = loc
                r.path = described
                return r
            if isinstance(r, Block):
                inner = r.retry
                r.retry = lambda: finish(inner())  # type: ignore[assignment, arg-type]
            return r

        return finish(open_fifo(cage, loc, flags))  # type: ignore[return-value]
    elif kind == S_IFSOCK:
        raise SyscallError(Errno.ENXIO)
    else:
        f = loc.fs.open(loc.inode, flags)
    # Linux truncates a regular file for O_TRUNC even when it is opened read-only.
    if flags & O_TRUNC and kind == S_IFREG and not created:
        try:
            loc.fs.truncate(loc.inode, 0)
        except BaseException:
            _release_unused(f)
            raise
    f.loc = loc
    if not f.path:
        f.path = _describe(cage, d, name, path)
    return f


def _release_unused(f: OpenFile) -> None:
    """Undo ``fs.open`` for a description that never reached an fd table."""
    if f.refs == 0:
        f.release()


def _open_create(cage: Cage, dirfd: int, path: bytes, flags: int,
                 mode: int) -> tuple[Loc, bytes, Loc, bool]:
    """O_CREAT's last component: ``(directory, name, location, created)``.

    An existing symlink is followed (unless O_EXCL/O_NOFOLLOW) and, when its
    target does not exist, the target is created -- as Linux does.
    """
    vfs = cage.kernel.vfs
    creds = cage.creds
    start = _start(cage, dirfd, path)
    links = 0
    while True:
        d, name, trailing = vfs.walk_parent(cage.fs, creds, start, path)
        if name in (b".", b".."):
            if flags & O_EXCL:
                raise SyscallError(Errno.EEXIST)
            raise SyscallError(Errno.EISDIR)  # "." and ".." are directories
        if trailing:
            raise SyscallError(Errno.EISDIR)
        try:
            loc = vfs.lookup_child(cage.fs, d, name)
        except SyscallError as e:
            if e.errno != Errno.ENOENT:
                raise
            vfs.check_writable_dir(creds, d)
            uid, gid, perm = _new_owner(cage, d, mode, is_dir=False)
            inode = d.fs.create(d.inode, name, S_IFREG | perm, uid, gid)
            return d, name, Loc(d.mount, inode), True
        if flags & O_EXCL:
            raise SyscallError(Errno.EEXIST)
        if loc.mode & S_IFMT == S_IFLNK and not flags & O_NOFOLLOW:
            links += 1
            if links > MAXSYMLINKS:
                raise SyscallError(Errno.ELOOP)
            target = loc.fs.readlink(loc.inode)
            if not target:
                raise SyscallError(Errno.ENOENT)
            start, path = d, target
            continue
        if loc.is_dir:
            raise SyscallError(Errno.EISDIR)
        return d, name, loc, False


def _synthetic_types() -> tuple[type, ...]:
    from kernel.vfs.synth import SynthFs

    return (SynthFs,)


def _open_tmpfile(cage: Cage, dirfd: int, path: bytes, flags: int, mode: int) -> OpenFile:
    """O_TMPFILE: an unnamed regular file in the directory ``path`` (linkable unless O_EXCL)."""
    d = path_at(cage, dirfd, path)
    if not d.is_dir:
        raise SyscallError(Errno.ENOTDIR)
    cage.kernel.vfs.check_writable_dir(cage.creds, d)
    fs = d.fs
    make = getattr(fs, "create_unnamed", None)
    if make is None:
        raise SyscallError(Errno.EOPNOTSUPP)
    uid, gid, perm = _new_owner(cage, d, mode, is_dir=False)
    inode = make(S_IFREG | perm, uid, gid, linkable=not flags & O_EXCL)
    f = fs.open(inode, flags & ~(O_TMPFILE | O_EXCL))
    f.loc = Loc(d.mount, inode)
    f.path = _describe(cage, d, b"#%d (deleted)" % inode.ino, path)
    return f


def _install(cage: Cage, r: OpenFile | Block | int, flags: int) -> int | Block:
    """Give an opened description its fd; a blocked open (a FIFO) gets it when it completes."""
    if isinstance(r, OpenFile):
        return cage.fds.alloc(r, cloexec=bool(flags & O_CLOEXEC))
    if isinstance(r, Block):
        inner = r.retry
        r.retry = lambda: _install(cage, inner(), flags)  # type: ignore[assignment, arg-type]
    return r  # type: ignore[return-value]


def sys_open(cage: Cage, path: int, flags: int, mode: int, *_: int) -> int | Block:
    """Implements open(2)."""
    return _install(cage, do_open(cage, AT_FDCWD, _path(cage, path), flags, mode), flags)


def sys_openat(cage: Cage, dirfd: int, path: int, flags: int, mode: int, *_: int) -> int | Block:
    """Implements openat(2)."""
    return _install(cage, do_open(cage, dirfd, _path(cage, path), flags, mode), flags)


def sys_creat(cage: Cage, path: int, mode: int, *_: int) -> int | Block:
    """Implements creat(2)."""
    return sys_open(cage, path, O_CREAT | O_WRONLY | O_TRUNC, mode)


# --- stat -------------------------------------------------------------------------------------


def _pack_stat(cage: Cage, buf: int, st: StatResult) -> None:
    cage.mem.pack(_STAT, buf, st.dev, st.ino, st.nlink, st.mode, st.uid, st.gid, st.rdev, st.size,
                  st.blksize, st.blocks, st.atime_ns // 1_000_000_000, st.atime_ns % 1_000_000_000,
                  st.mtime_ns // 1_000_000_000, st.mtime_ns % 1_000_000_000,
                  st.ctime_ns // 1_000_000_000, st.ctime_ns % 1_000_000_000)


def _stat_loc(loc: Loc) -> StatResult:
    return loc.fs.getattr(loc.inode)


def sys_stat(cage: Cage, path: int, buf: int, *_: int) -> int:
    """Implements stat(2)."""
    _pack_stat(cage, buf, _stat_loc(path_at(cage, AT_FDCWD, _path(cage, path))))
    return 0


def sys_lstat(cage: Cage, path: int, buf: int, *_: int) -> int:
    """Implements lstat(2)."""
    _pack_stat(cage, buf, _stat_loc(path_at(cage, AT_FDCWD, _path(cage, path), follow=False)))
    return 0


def sys_fstat(cage: Cage, fd: int, buf: int, *_: int) -> int:
    """Implements fstat(2)."""
    f = cage.fds.get(fd)
    _pack_stat(cage, buf, f.stat())
    return 0


def sys_newfstatat(cage: Cage, dirfd: int, path: int, buf: int, flags: int, *_: int) -> int:
    """Implements newfstatat(2)."""
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT):
        raise SyscallError(Errno.EINVAL)
    p = _path(cage, path)
    if not p and flags & AT_EMPTY_PATH and dirfd != AT_FDCWD:
        st = cage.fds.get(dirfd).stat()
    else:
        st = _stat_loc(path_at(cage, dirfd, p, follow=not flags & AT_SYMLINK_NOFOLLOW,
                               empty_ok=bool(flags & AT_EMPTY_PATH)))
    _pack_stat(cage, buf, st)
    return 0


def sys_statx(cage: Cage, dirfd: int, path: int, flags: int, mask: int, buf: int, *_: int) -> int:
    """Implements statx(2) (basic stats and btime)."""
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE):
        raise SyscallError(Errno.EINVAL)
    if flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE:
        raise SyscallError(Errno.EINVAL)
    if mask & 0x80000000:  # STATX__RESERVED
        raise SyscallError(Errno.EINVAL)
    p = _path(cage, path)
    if not p and flags & AT_EMPTY_PATH and dirfd != AT_FDCWD:
        st = cage.fds.get(dirfd).stat()
    else:
        st = _stat_loc(path_at(cage, dirfd, p, follow=not flags & AT_SYMLINK_NOFOLLOW,
                               empty_ok=bool(flags & AT_EMPTY_PATH)))
    got = STATX_BASIC_STATS | (STATX_BTIME if st.btime_ns else 0)
    g = 1_000_000_000
    cage.mem.pack(_STATX, buf, got, st.blksize, 0, st.nlink, st.uid, st.gid, st.mode & 0xFFFF, st.ino,
                  st.size,
                  st.blocks, 0,
                  st.atime_ns // g, st.atime_ns % g, st.btime_ns // g, st.btime_ns % g,
                  st.ctime_ns // g, st.ctime_ns % g, st.mtime_ns // g, st.mtime_ns % g,
                  (st.rdev >> 8) & 0xFFF, st.rdev & 0xFF, (st.dev >> 8) & 0xFFF, st.dev & 0xFF)
    return 0


# --- access -------------------------------------------------------------------------------------


def _access(cage: Cage, dirfd: int, path: int, mode: int, flags: int) -> int:
    if mode & ~7:
        raise SyscallError(Errno.EINVAL)
    if flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        raise SyscallError(Errno.EINVAL)
    creds = cage.creds
    if not flags & AT_EACCESS:
        # access(2) checks with the *real* ids.
        creds = creds.copy()
        creds.fsuid, creds.fsgid = creds.uid, creds.gid
    p = _path(cage, path)
    if not p:
        loc = path_at(cage, dirfd, p, empty_ok=bool(flags & AT_EMPTY_PATH))
    else:
        loc = cage.kernel.vfs.walk(cage.fs, creds, _start(cage, dirfd, p), p,
                                   follow=not flags & AT_SYMLINK_NOFOLLOW)
    if mode & W_OK and loc.mount.readonly and loc.mode & S_IFMT in (S_IFREG, S_IFDIR, S_IFLNK):
        raise SyscallError(Errno.EROFS)
    if mode and not may_access(creds, loc.inode, mode):
        raise SyscallError(Errno.EACCES)
    return 0


def sys_access(cage: Cage, path: int, mode: int, *_: int) -> int:
    """Implements access(2)."""
    return _access(cage, AT_FDCWD, path, mode, 0)


def sys_faccessat(cage: Cage, dirfd: int, path: int, mode: int, *_: int) -> int:
    """Implements faccessat(2) (the syscall has no flags argument)."""
    return _access(cage, dirfd, path, mode, 0)


def sys_faccessat2(cage: Cage, dirfd: int, path: int, mode: int, flags: int, *_: int) -> int:
    """Implements faccessat2(2)."""
    return _access(cage, dirfd, path, mode, flags)


# --- working directory ----------------------------------------------------------------------------


def sys_getcwd(cage: Cage, buf: int, size: int, *_: int) -> int:
    """Implements getcwd(2): returns the length including the NUL."""
    cwd = cage.fs.cwd
    p = cage.kernel.vfs.path_of(cage.fs, cwd)
    if p is None or cwd.fs.getattr(cwd.inode).nlink == 0:
        raise SyscallError(Errno.ENOENT)  # unreachable, or removed (Linux d_unlinked)
    data = p + b"\0"
    if len(data) > size:
        raise SyscallError(Errno.ERANGE)
    cage.mem.write(buf, data)
    return len(data)


def _chdir_to(cage: Cage, loc: Loc) -> int:
    if not loc.is_dir:
        raise SyscallError(Errno.ENOTDIR)
    if not may_access(cage.creds, loc.inode, X_OK):
        raise SyscallError(Errno.EACCES)
    cage.fs.cwd = loc
    return 0


def sys_chdir(cage: Cage, path: int, *_: int) -> int:
    """Implements chdir(2)."""
    return _chdir_to(cage, path_at(cage, AT_FDCWD, _path(cage, path)))


def sys_fchdir(cage: Cage, fd: int, *_: int) -> int:
    """Implements fchdir(2)."""
    loc = cage.fds.get(fd).loc
    if not isinstance(loc, Loc):
        raise SyscallError(Errno.ENOTDIR)  # a pipe, socket or other anonymous object
    return _chdir_to(cage, loc)


def sys_chroot(cage: Cage, path: int, *_: int) -> int:
    """Implements chroot(2) (privileged)."""
    loc = path_at(cage, AT_FDCWD, _path(cage, path))
    if not loc.is_dir:
        raise SyscallError(Errno.ENOTDIR)
    if not may_access(cage.creds, loc.inode, X_OK):
        raise SyscallError(Errno.EACCES)
    if cage.creds.euid != 0:
        raise SyscallError(Errno.EPERM)
    cage.fs.root = loc
    return 0


def sys_umask(cage: Cage, mask: int, *_: int) -> int:
    """Implements umask(2)."""
    old = cage.fs.umask
    cage.fs.umask = mask & 0o777
    return old


# --- directories --------------------------------------------------------------------------------


def _is_mountpoint(cage: Cage, loc: Loc) -> bool:
    vfs = cage.kernel.vfs
    return (loc.mount.id, loc.inode.ino) in vfs.mounts or (
        loc.inode.ino == loc.mount.root.ino and loc.mount.parent is not None)


def _mkdir(cage: Cage, dirfd: int, path: int, mode: int) -> int:
    p = _path(cage, path)
    d, name = _new_name(cage, dirfd, p, is_dir=True)
    vfs = cage.kernel.vfs
    vfs.check_writable_dir(cage.creds, d)
    uid, gid, perm = _new_owner(cage, d, mode & 0o1777, is_dir=True)
    d.fs.mkdir(d.inode, name, perm, uid, gid)
    return 0


def sys_mkdir(cage: Cage, path: int, mode: int, *_: int) -> int:
    """Implements mkdir(2)."""
    return _mkdir(cage, AT_FDCWD, path, mode)


def sys_mkdirat(cage: Cage, dirfd: int, path: int, mode: int, *_: int) -> int:
    """Implements mkdirat(2)."""
    return _mkdir(cage, dirfd, path, mode)


def _victim(cage: Cage, d: Loc, name: bytes) -> Loc:
    vfs = cage.kernel.vfs
    inode = d.fs.lookup(d.inode, name)
    return Loc(d.mount, inode) if vfs.mounts.get((d.mount.id, inode.ino)) is None else vfs.lookup_child(
        cage.fs, d, name)


def _rmdir(cage: Cage, dirfd: int, p: bytes) -> int:
    # Linux do_rmdir/vfs_rmdir order: last-component type, EROFS, ENOENT, then
    # may_delete (EACCES, sticky EPERM, ENOTDIR, busy root), mountpoint, ENOTEMPTY.
    d, name, _trailing = parent_at(cage, dirfd, p)
    if name == b"." and not p.strip(b"/"):
        raise SyscallError(Errno.EBUSY)  # rmdir("/")
    if name == b".":
        raise SyscallError(Errno.EINVAL)
    if name == b"..":
        raise SyscallError(Errno.ENOTEMPTY)
    if d.mount.readonly:
        raise SyscallError(Errno.EROFS)
    v = _victim(cage, d, name)
    vfs = cage.kernel.vfs
    vfs.check_writable_dir(cage.creds, d)
    vfs.check_sticky(cage.creds, d, v)
    if not v.is_dir:
        raise SyscallError(Errno.ENOTDIR)
    if v.mount is not d.mount or _is_mountpoint(cage, v) or v == cage.fs.root:
        raise SyscallError(Errno.EBUSY)
    d.fs.rmdir(d.inode, name)
    return 0


def _unlink(cage: Cage, dirfd: int, p: bytes) -> int:
    # Linux do_unlinkat/vfs_unlink order: "."/".."/"/" are EISDIR, EROFS, ENOENT,
    # a trailing slash (EISDIR or ENOTDIR), then may_delete (EACCES, sticky
    # EPERM, EISDIR), then mountpoint EBUSY.
    d, name, trailing = parent_at(cage, dirfd, p)
    if name in (b".", b".."):
        raise SyscallError(Errno.EISDIR)
    if d.mount.readonly:
        raise SyscallError(Errno.EROFS)
    v = _victim(cage, d, name)
    if trailing:
        raise SyscallError(Errno.EISDIR if v.is_dir else Errno.ENOTDIR)
    vfs = cage.kernel.vfs
    vfs.check_writable_dir(cage.creds, d)
    vfs.check_sticky(cage.creds, d, v)
    if v.is_dir:
        raise SyscallError(Errno.EISDIR)
    if _is_mountpoint(cage, v):
        raise SyscallError(Errno.EBUSY)
    d.fs.unlink(d.inode, name)
    return 0


def sys_rmdir(cage: Cage, path: int, *_: int) -> int:
    """Implements rmdir(2)."""
    return _rmdir(cage, AT_FDCWD, _path(cage, path))


def sys_unlink(cage: Cage, path: int, *_: int) -> int:
    """Implements unlink(2)."""
    return _unlink(cage, AT_FDCWD, _path(cage, path))


def sys_unlinkat(cage: Cage, dirfd: int, path: int, flags: int, *_: int) -> int:
    """Implements unlinkat(2)."""
    if flags & ~AT_REMOVEDIR:
        raise SyscallError(Errno.EINVAL)
    p = _path(cage, path)
    return _rmdir(cage, dirfd, p) if flags & AT_REMOVEDIR else _unlink(cage, dirfd, p)


def sys_getdents64(cage: Cage, fd: int, dirp: int, count: int, *_: int) -> int:
    """Implements getdents64(2)."""
    f = _fd_nopath(cage, fd)
    count &= 0xFFFFFFFF  # unsigned int in Linux
    entries = f.getdents(count)
    out = bytearray()
    last = f.offset
    for name, ino, dtype, nxt in entries:
        rec = pack_dirent64(ino, nxt, dtype, name)
        if len(out) + len(rec) > count:
            if not out:
                raise SyscallError(Errno.EINVAL)  # buffer too small for one entry
            break
        out += rec
        last = nxt
    cage.mem.write(dirp, out)
    f.offset = last
    return len(out)


_DIRENT_OLD = struct.Struct("<QQH")  # struct linux_dirent: d_ino, d_off, d_reclen; name; pad; d_type


def sys_getdents(cage: Cage, fd: int, dirp: int, count: int, *_: int) -> int:
    """Implements getdents(2), the old record layout (d_type in the last byte of the record)."""
    f = _fd_nopath(cage, fd)
    entries = f.getdents(count)
    out = bytearray()
    last = f.offset
    for name, ino, dtype, nxt in entries:
        reclen = (_DIRENT_OLD.size + len(name) + 2 + 7) & ~7
        rec = bytearray(reclen)
        _DIRENT_OLD.pack_into(rec, 0, ino, nxt, reclen)
        rec[_DIRENT_OLD.size:_DIRENT_OLD.size + len(name)] = name
        rec[-1] = dtype
        if len(out) + reclen > count:
            if not out:
                raise SyscallError(Errno.EINVAL)
            break
        out += rec
        last = nxt
    cage.mem.write(dirp, out)
    f.offset = last
    return len(out)


def sys_readahead(cage: Cage, fd: int, offset: int, count: int, *_: int) -> int:
    """Implements readahead(2): validated; the data is already in memory (or the host's cache)."""
    f = cage.fds.get(fd)
    if not f.readable:
        raise SyscallError(Errno.EBADF)
    loc = f.loc
    if not isinstance(loc, Loc) or loc.mode & S_IFMT != S_IFREG:
        raise SyscallError(Errno.EINVAL)
    return 0


def sys_sync_file_range(cage: Cage, fd: int, offset: int, nbytes: int, flags: int, *_: int) -> int:
    """Implements sync_file_range(2): validated, then like fdatasync for the whole file."""
    if flags & ~0x7:
        raise SyscallError(Errno.EINVAL)
    if offset < 0 or nbytes < 0 or offset + nbytes > (1 << 63) - 1:
        raise SyscallError(Errno.EINVAL)
    f = _fd_nopath(cage, fd)
    loc = f.loc
    if not isinstance(loc, Loc) or loc.mode & S_IFMT not in (S_IFREG, S_IFDIR, S_IFBLK, S_IFLNK):
        raise SyscallError(Errno.ESPIPE)
    return 0


# --- rename and links ------------------------------------------------------------------------------


def _is_ancestor(cage: Cage, a: Loc, b: Loc) -> bool:
    """Is directory ``a`` ``b`` or an ancestor of ``b`` (same mount)?"""
    vfs = cage.kernel.vfs
    cur = b
    for _ in range(4096):
        if cur == a:
            return True
        nxt = vfs.parent_of(cage.fs, cur)
        if nxt == cur or nxt.mount is not a.mount:
            return False
        cur = nxt
    return False


def _rename(cage: Cage, olddirfd: int, oldpath: int, newdirfd: int, newpath: int, flags: int) -> int:
    """rename/renameat/renameat2 with Linux's order of checks (do_renameat2, vfs_rename)."""
    if flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT):
        raise SyscallError(Errno.EINVAL)
    if flags & RENAME_EXCHANGE and flags & (RENAME_NOREPLACE | RENAME_WHITEOUT):
        raise SyscallError(Errno.EINVAL)
    if flags & RENAME_WHITEOUT:
        raise SyscallError(Errno.EINVAL)
    exchange = bool(flags & RENAME_EXCHANGE)
    op, np = _path(cage, oldpath), _path(cage, newpath)
    sd, sname, strail = parent_at(cage, olddirfd, op)
    dd, dname, dtrail = parent_at(cage, newdirfd, np)
    if sd.mount is not dd.mount:
        raise SyscallError(Errno.EXDEV)
    if sname in (b".", b".."):
        raise SyscallError(Errno.EBUSY)
    if dname in (b".", b".."):
        raise SyscallError(Errno.EEXIST if flags & RENAME_NOREPLACE else Errno.EBUSY)
    if sd.mount.readonly:
        raise SyscallError(Errno.EROFS)
    src = _victim(cage, sd, sname)
    try:
        dst: Loc | None = _victim(cage, dd, dname)
    except SyscallError as e:
        if e.errno != Errno.ENOENT:
            raise
        dst = None
    if flags & RENAME_NOREPLACE and dst is not None:
        raise SyscallError(Errno.EEXIST)
    if exchange and dst is None:
        raise SyscallError(Errno.ENOENT)
    if not src.is_dir and (strail or (dtrail and not exchange)):
        raise SyscallError(Errno.ENOTDIR)
    if exchange and dst is not None and not dst.is_dir and dtrail:
        raise SyscallError(Errno.ENOTDIR)
    # Neither may be an ancestor of the other's new parent (Linux lock_rename's "trap").
    if src.is_dir and _is_ancestor(cage, src, dd):
        raise SyscallError(Errno.EINVAL)
    if dst is not None and dst.is_dir and _is_ancestor(cage, dst, sd):
        raise SyscallError(Errno.EINVAL if exchange else Errno.ENOTEMPTY)
    if dst is not None and dst == src:
        return 0  # two names of one inode: nothing to do
    vfs = cage.kernel.vfs
    creds = cage.creds
    # may_delete(source), then may_create or may_delete(target).
    vfs.check_writable_dir(creds, sd)
    vfs.check_sticky(creds, sd, src)
    vfs.check_writable_dir(creds, dd)
    if dst is not None:
        vfs.check_sticky(creds, dd, dst)
        if not exchange:
            if src.is_dir and not dst.is_dir:
                raise SyscallError(Errno.ENOTDIR)
            if not src.is_dir and dst.is_dir:
                raise SyscallError(Errno.EISDIR)
    if sd != dd:
        # A directory that changes parent has its ".." rewritten: write permission on it.
        for moved in (src, dst if exchange else None):
            if moved is not None and moved.is_dir and not may_access(creds, moved.inode, W_OK):
                raise SyscallError(Errno.EACCES)
    for loc in (src, dst):
        if loc is not None and (_is_mountpoint(cage, loc) or loc == cage.fs.root):
            raise SyscallError(Errno.EBUSY)
    sd.fs.rename(sd.inode, sname, dd.inode, dname, flags)
    return 0


def sys_rename(cage: Cage, oldpath: int, newpath: int, *_: int) -> int:
    """Implements rename(2)."""
    return _rename(cage, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)


def sys_renameat(cage: Cage, olddirfd: int, oldpath: int, newdirfd: int, newpath: int, *_: int) -> int:
    """Implements renameat(2)."""
    return _rename(cage, olddirfd, oldpath, newdirfd, newpath, 0)


def sys_renameat2(cage: Cage, olddirfd: int, oldpath: int, newdirfd: int, newpath: int, flags: int,
                  *_: int) -> int:
    """Implements renameat2(2): RENAME_NOREPLACE and RENAME_EXCHANGE."""
    return _rename(cage, olddirfd, oldpath, newdirfd, newpath, flags)


def _link(cage: Cage, olddirfd: int, oldpath: int, newdirfd: int, newpath: int, flags: int) -> int:
    if flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH):
        raise SyscallError(Errno.EINVAL)
    op, np = _path(cage, oldpath), _path(cage, newpath)
    src = path_at(cage, olddirfd, op, follow=bool(flags & AT_SYMLINK_FOLLOW),
                  empty_ok=bool(flags & AT_EMPTY_PATH))
    d, name = _new_name(cage, newdirfd, np)
    vfs = cage.kernel.vfs
    if src.mount is not d.mount:
        raise SyscallError(Errno.EXDEV)
    vfs.check_writable_dir(cage.creds, d)
    if src.is_dir:
        raise SyscallError(Errno.EPERM)
    d.fs.link(d.inode, name, src.inode)
    return 0


def sys_link(cage: Cage, oldpath: int, newpath: int, *_: int) -> int:
    """Implements link(2)."""
    return _link(cage, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)


def sys_linkat(cage: Cage, olddirfd: int, oldpath: int, newdirfd: int, newpath: int, flags: int,
               *_: int) -> int:
    """Implements linkat(2)."""
    return _link(cage, olddirfd, oldpath, newdirfd, newpath, flags)


def _symlink(cage: Cage, target: int, newdirfd: int, linkpath: int) -> int:
    t = cage.mem.cstring(target)
    lp = _path(cage, linkpath)
    if not t:
        raise SyscallError(Errno.ENOENT)
    d, name = _new_name(cage, newdirfd, lp)
    vfs = cage.kernel.vfs
    vfs.check_writable_dir(cage.creds, d)
    uid, gid, _perm = _new_owner(cage, d, 0o777, is_dir=False)
    d.fs.symlink(d.inode, name, t, uid, gid)
    return 0


def sys_symlink(cage: Cage, target: int, linkpath: int, *_: int) -> int:
    """Implements symlink(2)."""
    return _symlink(cage, target, AT_FDCWD, linkpath)


def sys_symlinkat(cage: Cage, target: int, newdirfd: int, linkpath: int, *_: int) -> int:
    """Implements symlinkat(2)."""
    return _symlink(cage, target, newdirfd, linkpath)


def _readlink(cage: Cage, dirfd: int, path: int, buf: int, size: int) -> int:
    if size <= 0:
        raise SyscallError(Errno.EINVAL)
    p = _path(cage, path)
    loc = path_at(cage, dirfd, p, follow=False, empty_ok=True)
    if loc.mode & S_IFMT != S_IFLNK:
        # An empty path names the dirfd itself: only a symlink (O_PATH|O_NOFOLLOW) is readable.
        raise SyscallError(Errno.EINVAL if p else Errno.ENOENT)
    target = loc.fs.readlink(loc.inode)[:size]
    cage.mem.write(buf, target)
    return len(target)


def sys_readlink(cage: Cage, path: int, buf: int, size: int, *_: int) -> int:
    """Implements readlink(2)."""
    return _readlink(cage, AT_FDCWD, path, buf, size)


def sys_readlinkat(cage: Cage, dirfd: int, path: int, buf: int, size: int, *_: int) -> int:
    """Implements readlinkat(2)."""
    return _readlink(cage, dirfd, path, buf, size)


def _mknod(cage: Cage, dirfd: int, path: int, mode: int, dev: int) -> int:
    # Linux do_mknodat order: the path (EFAULT), the type (may_mknod: EPERM for a
    # directory, EINVAL for garbage), EEXIST, a trailing slash (ENOENT), EACCES,
    # then devices need privilege (EPERM).
    p = _path(cage, path)
    kind = mode & S_IFMT
    if kind == 0:
        kind = S_IFREG
    if kind == S_IFDIR:
        raise SyscallError(Errno.EPERM)
    if kind not in (S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK):
        raise SyscallError(Errno.EINVAL)
    d, name = _new_name(cage, dirfd, p)
    vfs = cage.kernel.vfs
    vfs.check_writable_dir(cage.creds, d)
    if kind in (S_IFCHR, S_IFBLK) and cage.creds.euid != 0:
        raise SyscallError(Errno.EPERM)
    uid, gid, perm = _new_owner(cage, d, mode, is_dir=False)
    rdev = dev if kind in (S_IFCHR, S_IFBLK) else 0
    d.fs.create(d.inode, name, kind | perm, uid, gid, rdev)
    return 0


def sys_mknod(cage: Cage, path: int, mode: int, dev: int, *_: int) -> int:
    """Implements mknod(2): FIFOs, sockets, regular files and (root) devices."""
    return _mknod(cage, AT_FDCWD, path, mode, dev)


def sys_mknodat(cage: Cage, dirfd: int, path: int, mode: int, dev: int, *_: int) -> int:
    """Implements mknodat(2)."""
    return _mknod(cage, dirfd, path, mode, dev)


# --- attributes -------------------------------------------------------------------------------


def _owner_or_root(creds: Creds, loc: Loc) -> None:
    if creds.fsuid != 0 and creds.fsuid != loc.inode.uid:
        raise SyscallError(Errno.EPERM)


def _chmod(cage: Cage, loc: Loc, mode: int) -> int:
    creds = cage.creds
    if loc.mount.readonly:
        raise SyscallError(Errno.EROFS)
    _owner_or_root(creds, loc)
    mode &= 0o7777
    if (creds.fsuid != 0 and mode & S_ISGID and loc.mode & S_IFMT != S_IFDIR
            and not creds.in_group(loc.inode.gid)):
        mode &= ~S_ISGID
    loc.fs.setattr(loc.inode, mode=mode)
    return 0


def sys_chmod(cage: Cage, path: int, mode: int, *_: int) -> int:
    """Implements chmod(2)."""
    return _chmod(cage, path_at(cage, AT_FDCWD, _path(cage, path)), mode)


def sys_fchmod(cage: Cage, fd: int, mode: int, *_: int) -> int:
    """Implements fchmod(2)."""
    _fd_nopath(cage, fd)
    return _chmod(cage, _fd_loc(cage, fd), mode)


def _fchmodat(cage: Cage, dirfd: int, path: int, mode: int, flags: int) -> int:
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        raise SyscallError(Errno.EINVAL)
    loc = path_at(cage, dirfd, _path(cage, path), follow=not flags & AT_SYMLINK_NOFOLLOW,
                  empty_ok=bool(flags & AT_EMPTY_PATH))
    if loc.mode & S_IFMT == S_IFLNK:
        raise SyscallError(Errno.EOPNOTSUPP)
    return _chmod(cage, loc, mode)


def sys_fchmodat(cage: Cage, dirfd: int, path: int, mode: int, *_: int) -> int:
    """Implements fchmodat(2) (the syscall has no flags argument)."""
    return _fchmodat(cage, dirfd, path, mode, 0)


def sys_fchmodat2(cage: Cage, dirfd: int, path: int, mode: int, flags: int, *_: int) -> int:
    """Implements fchmodat2(2)."""
    return _fchmodat(cage, dirfd, path, mode, flags)


def _chown(cage: Cage, loc: Loc, uid: int, gid: int) -> int:
    """chown_common + setattr_prepare (Linux): who may change what, and which set-id bits go."""
    creds = cage.creds
    uid = -1 if uid in (-1, 0xFFFFFFFF) else uid
    gid = -1 if gid in (-1, 0xFFFFFFFF) else gid
    if loc.mount.readonly:
        raise SyscallError(Errno.EROFS)
    ino = loc.inode
    if creds.fsuid != 0:
        owner = creds.fsuid == ino.uid
        # chown_ok: only the owner may "change" the owner, and only to itself.
        if uid != -1 and not (owner and uid == ino.uid):
            raise SyscallError(Errno.EPERM)
        # chgrp_ok: the owner may pick one of its groups, or keep the current one.
        if gid != -1 and not (owner and (creds.in_group(gid) or gid == ino.gid)):
            raise SyscallError(Errno.EPERM)
    new_mode = None
    mode = loc.mode
    if mode & S_IFMT not in (S_IFDIR, S_IFLNK):
        # Any chown of a non-directory drops setuid, and setgid when it is group-executable
        # or the caller is neither in the file's group nor root -- even chown(-1, -1).
        m = mode & 0o7777 & ~S_ISUID
        if mode & S_ISGID and (mode & 0o010 or (creds.fsuid != 0 and not creds.in_group(ino.gid))):
            m &= ~S_ISGID
        if m != mode & 0o7777:
            new_mode = m
    loc.fs.setattr(ino, uid=None if uid == -1 else uid, gid=None if gid == -1 else gid, mode=new_mode)
    return 0


def sys_chown(cage: Cage, path: int, uid: int, gid: int, *_: int) -> int:
    """Implements chown(2)."""
    return _chown(cage, path_at(cage, AT_FDCWD, _path(cage, path)), uid, gid)


def sys_lchown(cage: Cage, path: int, uid: int, gid: int, *_: int) -> int:
    """Implements lchown(2)."""
    return _chown(cage, path_at(cage, AT_FDCWD, _path(cage, path), follow=False), uid, gid)


def sys_fchown(cage: Cage, fd: int, uid: int, gid: int, *_: int) -> int:
    """Implements fchown(2)."""
    _fd_nopath(cage, fd)
    return _chown(cage, _fd_loc(cage, fd), uid, gid)


def sys_fchownat(cage: Cage, dirfd: int, path: int, uid: int, gid: int, flags: int, *_: int) -> int:
    """Implements fchownat(2)."""
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        raise SyscallError(Errno.EINVAL)
    loc = path_at(cage, dirfd, _path(cage, path), follow=not flags & AT_SYMLINK_NOFOLLOW,
                  empty_ok=bool(flags & AT_EMPTY_PATH))
    return _chown(cage, loc, uid, gid)


def _set_times(cage: Cage, loc: Loc, atime: int | None, mtime: int | None, explicit: bool) -> int:
    """vfs_utimes: ``None`` = leave. Setting times (explicit) needs ownership (EPERM);
    touching to "now" needs ownership or write permission (EACCES)."""
    creds = cage.creds
    if loc.mount.readonly:
        raise SyscallError(Errno.EROFS)
    if creds.fsuid != 0 and creds.fsuid != loc.inode.uid:
        if explicit:
            raise SyscallError(Errno.EPERM)
        if not may_access(creds, loc.inode, W_OK):
            raise SyscallError(Errno.EACCES)
    if atime is None and mtime is None:
        return 0
    loc.fs.setattr(loc.inode, atime_ns=atime, mtime_ns=mtime)
    return 0


def _timespec_decode(raw: tuple[int, ...] | None) -> tuple[int | None, int | None, bool]:
    """utimensat's times[2] -> (atime, mtime, explicit); EINVAL for a bad tv_nsec.

    NULL or both UTIME_NOW is a "touch" (write permission suffices); anything
    else, even UTIME_NOW with UTIME_OMIT, sets times and needs ownership (Linux
    ATTR_TIMES_SET).
    """
    now = time.time_ns()
    if raw is None:
        return now, now, False
    a_s, a_ns, m_s, m_ns = raw
    out: list[int | None] = []
    for s, ns in ((a_s, a_ns), (m_s, m_ns)):
        if ns == UTIME_NOW:
            out.append(now)
        elif ns == UTIME_OMIT:
            out.append(None)
        elif 0 <= ns < 1_000_000_000:
            out.append(s * 1_000_000_000 + ns)
        else:
            raise SyscallError(Errno.EINVAL)
    return out[0], out[1], not (a_ns == UTIME_NOW and m_ns == UTIME_NOW)


def sys_utimensat(cage: Cage, dirfd: int, path: int, times: int, flags: int, *_: int) -> int:
    """Implements utimensat(2) (NULL path: the fd itself, as Linux allows)."""
    raw = cage.mem.unpack(_TS2, times) if times else None
    if raw is not None and raw[1] == UTIME_OMIT and raw[3] == UTIME_OMIT:
        return 0  # Linux: nothing to do, "we must not even check the path"
    if path == 0 and dirfd != AT_FDCWD:
        if flags:
            raise SyscallError(Errno.EINVAL)
        _fd_nopath(cage, dirfd)  # futimens: fdget, so O_PATH is EBADF
        loc = _fd_loc(cage, dirfd)
    else:
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
            raise SyscallError(Errno.EINVAL)
        loc = path_at(cage, dirfd, _path(cage, path), follow=not flags & AT_SYMLINK_NOFOLLOW,
                      empty_ok=bool(flags & AT_EMPTY_PATH))
    a, m, explicit = _timespec_decode(raw)
    return _set_times(cage, loc, a, m, explicit)


def _timeval_arg(cage: Cage, ptr: int) -> tuple[int, int, bool]:
    now = time.time_ns()
    if ptr == 0:
        return now, now, False
    a_s, a_us, m_s, m_us = cage.mem.unpack(_TV2, ptr)
    if not (0 <= a_us < 1_000_000 and 0 <= m_us < 1_000_000):
        raise SyscallError(Errno.EINVAL)
    return a_s * 1_000_000_000 + a_us * 1000, m_s * 1_000_000_000 + m_us * 1000, True


def sys_utimes(cage: Cage, path: int, times: int, *_: int) -> int:
    """Implements utimes(2)."""
    a, m, explicit = _timeval_arg(cage, times)
    return _set_times(cage, path_at(cage, AT_FDCWD, _path(cage, path)), a, m, explicit)


def sys_futimesat(cage: Cage, dirfd: int, path: int, times: int, *_: int) -> int:
    """Implements futimesat(2)."""
    a, m, explicit = _timeval_arg(cage, times)
    if path == 0 and dirfd != AT_FDCWD:
        _fd_nopath(cage, dirfd)
        loc = _fd_loc(cage, dirfd)
    else:
        loc = path_at(cage, dirfd, _path(cage, path))
    return _set_times(cage, loc, a, m, explicit)


def sys_utime(cage: Cage, path: int, times: int, *_: int) -> int:
    """Implements utime(2) (struct utimbuf: two longs of seconds)."""
    now = time.time_ns()
    if times == 0:
        a, m, explicit = now, now, False
    else:
        a_s, m_s = cage.mem.unpack(_UTIMBUF, times)
        a, m, explicit = a_s * 1_000_000_000, m_s * 1_000_000_000, True
    return _set_times(cage, path_at(cage, AT_FDCWD, _path(cage, path)), a, m, explicit)


def sys_truncate(cage: Cage, path: int, length: int, *_: int) -> int:
    """Implements truncate(2)."""
    # Linux do_sys_truncate/vfs_truncate order: length, lookup, EISDIR, EINVAL, EROFS, EACCES.
    if length < 0:
        raise SyscallError(Errno.EINVAL)
    loc = path_at(cage, AT_FDCWD, _path(cage, path))
    kind = loc.mode & S_IFMT
    if kind == S_IFDIR:
        raise SyscallError(Errno.EISDIR)
    if kind != S_IFREG:
        raise SyscallError(Errno.EINVAL)
    if loc.mount.readonly:
        raise SyscallError(Errno.EROFS)
    if not may_access(cage.creds, loc.inode, W_OK):
        raise SyscallError(Errno.EACCES)
    loc.fs.truncate(loc.inode, length)
    return 0


def sys_ftruncate(cage: Cage, fd: int, length: int, *_: int) -> int:
    """Implements ftruncate(2)."""
    # Linux: a negative length first; an O_PATH fd is EBADF; not writable or
    # not a regular file is EINVAL (not EBADF).
    if length < 0:
        raise SyscallError(Errno.EINVAL)
    f = _fd_nopath(cage, fd)
    loc = f.loc
    if not f.writable or not isinstance(loc, Loc) or loc.mode & S_IFMT != S_IFREG:
        raise SyscallError(Errno.EINVAL)
    f.truncate(length)
    return 0


def _pack_statfs(cage: Cage, buf: int, loc: Loc) -> int:
    s = loc.fs.statfs()
    flags = s.f_flags | (1 if loc.mount.readonly else 0)
    cage.mem.pack(_STATFS, buf, s.f_type, s.f_bsize, s.f_blocks, s.f_bfree, s.f_bavail, s.f_files, s.f_ffree,
                  loc.mount.id, 0, s.f_namelen, s.f_frsize, flags)
    return 0


def sys_statfs(cage: Cage, path: int, buf: int, *_: int) -> int:
    """Implements statfs(2)."""
    loc = path_at(cage, AT_FDCWD, _path(cage, path))
    return _pack_statfs(cage, buf, loc)


def sys_fstatfs(cage: Cage, fd: int, buf: int, *_: int) -> int:
    """Implements fstatfs(2)."""
    return _pack_statfs(cage, buf, _fd_loc(cage, fd))


def sys_fsync(cage: Cage, fd: int, *_: int) -> int | Block:
    """Implements fsync(2)."""
    return _fd_nopath(cage, fd).fsync(False)


def sys_fdatasync(cage: Cage, fd: int, *_: int) -> int | Block:
    """Implements fdatasync(2)."""
    return _fd_nopath(cage, fd).fsync(True)


def sys_sync(cage: Cage, *_: int) -> int:
    """Implements sync(2)."""
    for m in cage.kernel.vfs.all_mounts:
        if not m.readonly:
            m.fs.sync()
    return 0


def sys_syncfs(cage: Cage, fd: int, *_: int) -> int:
    """Implements syncfs(2)."""
    _fd_nopath(cage, fd)
    loc = _fd_loc(cage, fd)
    loc.fs.sync()
    return 0


def sys_fadvise64(cage: Cage, fd: int, offset: int, length: int, advice: int, *_: int) -> int:
    """Implements fadvise64(2): validated; advice is a hint the kernel may ignore."""
    f = _fd_nopath(cage, fd)
    if advice < 0 or advice > 5:
        raise SyscallError(Errno.EINVAL)
    loc = f.loc
    if not isinstance(loc, Loc) or loc.mode & S_IFMT == S_IFIFO or getattr(f, "kind", "") == "pipe":
        raise SyscallError(Errno.ESPIPE)
    if length < 0:
        raise SyscallError(Errno.EINVAL)
    return 0


def sys_fallocate(cage: Cage, fd: int, mode: int, offset: int, length: int, *_: int) -> int:
    """Implements fallocate(2) for mode 0 and FALLOC_FL_KEEP_SIZE (sparse files: no space reserved)."""
    f = _fd_nopath(cage, fd)
    if offset < 0 or length <= 0:
        raise SyscallError(Errno.EINVAL)
    if mode & ~1:
        raise SyscallError(Errno.EOPNOTSUPP)
    if not f.writable:
        raise SyscallError(Errno.EBADF)
    loc = f.loc
    if not isinstance(loc, Loc) or loc.mode & S_IFMT != S_IFREG:
        raise SyscallError(Errno.ENODEV)
    size = f.stat().size
    if not mode & 1 and offset + length > size:
        f.truncate(offset + length)
    return 0


SYSCALLS = [
    supported("open", sys_open),
    supported("openat", sys_openat),
    supported("creat", sys_creat),
    supported("stat", sys_stat),
    supported("lstat", sys_lstat),
    supported("fstat", sys_fstat),
    supported("newfstatat", sys_newfstatat),
    partial("statx", sys_statx, "basic stats and btime; no attributes or mount id"),
    supported("access", sys_access),
    supported("faccessat", sys_faccessat),
    supported("faccessat2", sys_faccessat2),
    supported("getcwd", sys_getcwd),
    supported("chdir", sys_chdir),
    supported("fchdir", sys_fchdir),
    supported("chroot", sys_chroot),
    supported("umask", sys_umask),
    supported("mkdir", sys_mkdir),
    supported("mkdirat", sys_mkdirat),
    supported("rmdir", sys_rmdir),
    supported("unlink", sys_unlink),
    supported("unlinkat", sys_unlinkat),
    supported("getdents64", sys_getdents64),
    supported("getdents", sys_getdents),
    partial("readahead", sys_readahead, "validated; nothing to prefetch"),
    partial("sync_file_range", sys_sync_file_range, "validated; data is written through"),
    supported("rename", sys_rename),
    supported("renameat", sys_renameat),
    partial("renameat2", sys_renameat2, "RENAME_WHITEOUT is EINVAL"),
    supported("link", sys_link),
    supported("linkat", sys_linkat),
    supported("symlink", sys_symlink),
    supported("symlinkat", sys_symlinkat),
    supported("readlink", sys_readlink),
    supported("readlinkat", sys_readlinkat),
    supported("mknod", sys_mknod),
    supported("mknodat", sys_mknodat),
    supported("chmod", sys_chmod),
    supported("fchmod", sys_fchmod),
    supported("fchmodat", sys_fchmodat),
    supported("fchmodat2", sys_fchmodat2),
    supported("chown", sys_chown),
    supported("lchown", sys_lchown),
    supported("fchown", sys_fchown),
    supported("fchownat", sys_fchownat),
    supported("utimensat", sys_utimensat),
    supported("utimes", sys_utimes),
    supported("futimesat", sys_futimesat),
    supported("utime", sys_utime),
    supported("truncate", sys_truncate),
    supported("ftruncate", sys_ftruncate),
    supported("statfs", sys_statfs),
    supported("fstatfs", sys_fstatfs),
    supported("fsync", sys_fsync),
    supported("fdatasync", sys_fdatasync),
    supported("sync", sys_sync),
    supported("syncfs", sys_syncfs),
    partial("fadvise64", sys_fadvise64, "validated and ignored (advice is a hint)"),
    partial("fallocate", sys_fallocate, "mode 0 and KEEP_SIZE; files are sparse, space is not reserved"),
]
