"""The generic VFS layer: mounts, path walking, permissions, and the errno rules
that do not depend on a backend.

Path walking is done here, one component at a time, for every backend: a backend
is only ever asked to look up a single name in a directory it owns. ``..`` is
resolved against the mount tree (never above the cage's root), and symlinks are
expanded here against the *guest* root -- so an absolute symlink inside a host
directory mount points into the guest namespace, never at the host's ``/``.

Rules (Linux path_resolution(7)):

* empty path: ENOENT; a component longer than 255 bytes: ENAMETOOLONG;
* every directory searched needs search (x) permission: EACCES;
* a non-directory used as a directory: ENOTDIR;
* more than 40 symlinks in one walk: ELOOP;
* a trailing slash requires the result to be a directory (and follows a final
  symlink even under O_NOFOLLOW/lstat semantics).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    R_OK as R_OK,
    S_ISVTX as S_ISVTX,
    W_OK as W_OK,
    X_OK as X_OK,
)
from kernel.errors import SyscallError
from kernel.vfs.types import NAME_MAX, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG

if TYPE_CHECKING:
    from kernel.cage import Creds
    from kernel.vfs.types import Filesystem, StatResult

__all__ = ["FsContext", "Loc", "Mount", "Vfs", "may_access"]

MAXSYMLINKS: Final = 40


class Mount:
    """A filesystem attached at a directory of its parent mount."""

    __slots__ = ("fs", "root", "parent", "mountpoint", "readonly", "source", "id")

    def __init__(self, fs: Filesystem, parent: Mount | None, mountpoint: Loc | None, *,
                 readonly: bool = False, source: str = "", mid: int = 0) -> None:
        self.fs = fs
        self.root = fs.root()
        self.parent = parent
        self.mountpoint = mountpoint
        self.readonly = readonly or fs.readonly
        self.source = source
        self.id = mid


class Loc:
    """A position in the mount tree: (mount, inode). Compared by identity of both."""

    __slots__ = ("mount", "inode")

    def __init__(self, mount: Mount, inode: Any) -> None:
        self.mount = mount
        self.inode = inode

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Loc) and other.mount is self.mount
                and other.inode.ino == self.inode.ino)

    def __hash__(self) -> int:
        return hash((id(self.mount), self.inode.ino))

    @property
    def fs(self) -> Filesystem:
        return self.mount.fs

    @property
    def mode(self) -> int:
        return self.inode.mode  # type: ignore[no-any-return]

    @property
    def is_dir(self) -> bool:
        return self.inode.mode & S_IFMT == S_IFDIR

    def __repr__(self) -> str:
        return f"<Loc mount={self.mount.id} ino={self.inode.ino}>"


@dataclass(slots=True)
class FsContext:
    """A cage's root, working directory and umask (Linux's fs_struct)."""

    root: Loc
    cwd: Loc
    umask: int = 0o022

    def copy(self) -> FsContext:
        return FsContext(self.root, self.cwd, self.umask)


def may_access(creds: Creds, inode: Any, mask: int) -> bool:
    """Unix permission check of ``mask`` (R_OK|W_OK|X_OK bits) for ``creds``."""
    mode = inode.mode
    if creds.fsuid == 0:
        # root passes everything except executing a file with no x bit at all.
        return not (mask & X_OK and mode & S_IFMT != S_IFDIR and not mode & 0o111)
    if creds.fsuid == inode.uid:
        bits = (mode >> 6) & 7
    elif creds.in_group(inode.gid):
        bits = (mode >> 3) & 7
    else:
        bits = mode & 7
    return bits & mask == mask


@dataclass
class Vfs:
    """The mount tree plus the generic operations syscalls use."""

    rootfs: Filesystem
    mounts: dict[tuple[int, int], Mount] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._next_mount_id = 1
        self.root_mount = Mount(self.rootfs, None, None, source="rootfs", mid=self._mid())
        self.all_mounts: list[Mount] = [self.root_mount]

    def _mid(self) -> int:
        m = self._next_mount_id
        self._next_mount_id += 1
        return m

    # --- contexts ------------------------------------------------------------------

    def root_loc(self) -> Loc:
        return Loc(self.root_mount, self.root_mount.root)

    def root_context(self) -> FsContext:
        r = self.root_loc()
        return FsContext(r, r)

    def context_at(self, ctx: FsContext, cwd: bytes) -> FsContext:
        from kernel.cage import Creds

        loc = self.walk(ctx, Creds(), None, cwd)
        if not loc.is_dir:
            raise SyscallError(Errno.ENOTDIR)
        return FsContext(ctx.root, loc, ctx.umask)

    # --- mounts --------------------------------------------------------------------

    def mount(self, fs: Filesystem, guest_path: bytes, *, readonly: bool = False, source: str = "",
              create: bool = True) -> Mount:
        """Attach ``fs`` at ``guest_path`` (created as a directory chain if missing)."""
        from kernel.cage import Creds

        ctx = self.root_context()
        root = Creds()
        if create:
            cur = ctx.root
            for comp in [c for c in guest_path.split(b"/") if c]:
                try:
                    cur = self._cross(Loc(cur.mount, cur.fs.lookup(cur.inode, comp)))
                except SyscallError as e:
                    if e.errno != Errno.ENOENT:
                        raise
                    cur = Loc(cur.mount, cur.fs.mkdir(cur.inode, comp, 0o755, 0, 0))
            mp = cur
        else:
            mp = self.walk(ctx, root, None, guest_path)
        if not mp.is_dir:
            raise SyscallError(Errno.ENOTDIR)
        m = Mount(fs, mp.mount, mp, readonly=readonly, source=source, mid=self._mid())
        self.mounts[(mp.mount.id, mp.inode.ino)] = m
        self.all_mounts.append(m)
        return m

    def _cross(self, loc: Loc) -> Loc:
        """Follow mounts stacked on ``loc``."""
        mounts = self.mounts
        if not mounts:
            return loc
        m = mounts.get((loc.mount.id, loc.inode.ino))
        while m is not None:
            loc = Loc(m, m.root)
            m = mounts.get((m.id, m.root.ino))
        return loc

    def parent_of(self, ctx: FsContext, loc: Loc) -> Loc:
        """``..`` of a directory: never above the cage's root, across mount points."""
        while True:
            if loc == ctx.root:
                return loc
            m = loc.mount
            if loc.inode is m.root or loc.inode.ino == m.root.ino:
                if m.mountpoint is None:
                    return loc
                loc = m.mountpoint
                continue
            p = m.fs.parent(loc.inode)
            return loc if p is None else Loc(m, p)

    # --- walking -------------------------------------------------------------------

    def walk(self, ctx: FsContext, creds: Creds, start: Loc | None, path: bytes, *,
             follow: bool = True) -> Loc:
        """Resolve ``path`` to a location (see the module docstring for the rules)."""
        if not path:
            raise SyscallError(Errno.ENOENT)
        if path[0] == 47:  # "/"
            cur = ctx.root
        else:
            cur = start if start is not None else ctx.cwd
        trailing = path[-1] == 47
        # "." stays in the list: "file/." must fail with ENOTDIR like "file/x".
        comps = [c for c in path.split(b"/") if c]
        comps.reverse()
        links = 0
        # The first directory gets the same checks as every later one.
        if comps and not cur.is_dir:
            raise SyscallError(Errno.ENOTDIR)
        while comps:
            name = comps.pop()
            if not cur.is_dir:
                raise SyscallError(Errno.ENOTDIR)
            if not may_access(creds, cur.inode, X_OK):
                raise SyscallError(Errno.EACCES)
            if name == b".":
                continue
            if name == b"..":
                cur = self.parent_of(ctx, cur)
                continue
            if len(name) > NAME_MAX:
                raise SyscallError(Errno.ENAMETOOLONG)
            nxt = self._cross(Loc(cur.mount, cur.fs.lookup(cur.inode, name)))
            if nxt.inode.mode & S_IFMT == S_IFLNK and (comps or follow or trailing):
                links += 1
                if links > MAXSYMLINKS:
                    raise SyscallError(Errno.ELOOP)
                jump = getattr(nxt.inode, "magic", None)
                if jump is not None:
                    # A magic link (/proc/self/fd/N...): the object itself, not its name.
                    cur = jump(nxt)
                    continue
                target = nxt.fs.readlink(nxt.inode)
                if not target:
                    raise SyscallError(Errno.ENOENT)
                if target[0] == 47:
                    cur = ctx.root
                more = [c for c in target.split(b"/") if c]
                if target[-1] == 47 and not comps:
                    trailing = True
                comps.extend(reversed(more))
                continue
            cur = nxt
        if trailing and not cur.is_dir:
            raise SyscallError(Errno.ENOTDIR)
        return cur

    def walk_parent(self, ctx: FsContext, creds: Creds, start: Loc | None,
                    path: bytes) -> tuple[Loc, bytes, bool]:
        """Resolve all but the last component: ``(directory, last name, trailing slash)``.

        The last name may be ``.`` or ``..``; callers give the errno their
        syscall wants for those. A path of only slashes has the last name ``.``.
        """
        if not path:
            raise SyscallError(Errno.ENOENT)
        stripped = path.rstrip(b"/")
        trailing = len(stripped) != len(path)
        if not stripped:
            return ctx.root, b".", trailing
        head, sep, last = stripped.rpartition(b"/")
        if len(last) > NAME_MAX:
            raise SyscallError(Errno.ENAMETOOLONG)
        if not sep:
            d = start if start is not None else ctx.cwd
        elif not head:
            d = ctx.root
        else:
            d = self.walk(ctx, creds, start, head + b"/")
        if not d.is_dir:
            raise SyscallError(Errno.ENOTDIR)
        if not may_access(creds, d.inode, X_OK):
            raise SyscallError(Errno.EACCES)
        return d, last, trailing

    def lookup_child(self, ctx: FsContext, d: Loc, name: bytes) -> Loc:
        if name == b".":
            return d
        if name == b"..":
            return self.parent_of(ctx, d)
        return self._cross(Loc(d.mount, d.fs.lookup(d.inode, name)))

    # --- path of a location (getcwd, /proc/self/fd) ----------------------------------------

    def path_of(self, ctx: FsContext, loc: Loc) -> bytes | None:
        """Absolute guest path of a directory location, or None if unreachable."""
        parts: list[bytes] = []
        seen = 0
        while loc != ctx.root:
            seen += 1
            if seen > 4096:
                return None
            m = loc.mount
            if loc.inode.ino == m.root.ino:
                if m.mountpoint is None:
                    return None  # outside the cage's root
                loc = m.mountpoint
                continue
            name = m.fs.name_of(loc.inode)
            p = m.fs.parent(loc.inode)
            if name is None or p is None:
                return None
            parts.append(name)
            loc = Loc(m, p)
        return b"/" + b"/".join(reversed(parts))

    # --- permission helpers ------------------------------------------------------------------

    @staticmethod
    def check_writable_dir(creds: Creds, d: Loc) -> None:
        if d.mount.readonly:
            raise SyscallError(Errno.EROFS)
        if not may_access(creds, d.inode, W_OK | X_OK):
            raise SyscallError(Errno.EACCES)

    @staticmethod
    def check_sticky(creds: Creds, d: Loc, victim: Loc) -> None:
        """Sticky directories: only the owner of the entry or the directory may remove it."""
        if d.inode.mode & S_ISVTX and creds.fsuid != 0:
            if creds.fsuid != victim.inode.uid and creds.fsuid != d.inode.uid:
                raise SyscallError(Errno.EPERM)

    def stat(self, loc: Loc) -> StatResult:
        return loc.fs.getattr(loc.inode)

    @staticmethod
    def new_mode(kind: int, mode: int, umask: int) -> int:
        return kind | (mode & ~umask & 0o7777)

    @staticmethod
    def is_reg(loc: Loc) -> bool:
        return loc.inode.mode & S_IFMT == S_IFREG

    @staticmethod
    def now_ns() -> int:
        return time.time_ns()
