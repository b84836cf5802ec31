"""Packed images: a host directory frozen into a read-only store file.

``pack(DIR, IMAGE)`` copies regular files, directories and symlinks (with their
permission bits and times; hard links stay hard links; all-zero 64 KiB blocks
stay holes) into a new store through the ordinary ``StoreFs`` API, then turns
it into an image: ``meta.image = 1``, rollback-journal mode (one self-contained
file, no ``-wal``/``-shm``), vacuumed. ``StoreDb`` recognises an image by its
journal mode and only ever opens it read-only, so ``--image IMAGE::/GUEST``
gives EROFS for every write -- the idea of wasi-vfs, but mounted by the kernel
for any cage rather than linked into one module.

The image is built beside its destination and renamed into place at the end,
so a failed or interrupted pack never leaves a half-written image at IMAGE.
Other file types (FIFOs, sockets, devices) are skipped and reported.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass, field

from kernel.vfs.memfs import CHUNK, MemInode
from kernel.vfs.store import StoreError, StoreFs

__all__ = ["PackStats", "pack"]


@dataclass
class PackStats:
    files: int = 0
    directories: int = 0
    symlinks: int = 0
    hardlinks: int = 0
    bytes: int = 0
    skipped: list[str] = field(default_factory=list)


def pack(src: str | os.PathLike[str], out: str | os.PathLike[str], *, uid: int = 0, gid: int = 0,
         force: bool = False) -> PackStats:
    """Write the image of directory ``src`` to ``out`` (owned by ``uid:gid`` inside)."""
    src = os.path.abspath(os.fspath(src))
    out = os.path.abspath(os.fspath(out))
    if not os.path.isdir(src):
        raise StoreError(src, "not a directory")
    if os.path.lexists(out) and not force:
        raise StoreError(out, "exists (use --force to replace it)")
    tmp = os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.pack-{os.getpid()}")
    _remove(tmp)
    stats = PackStats()
    try:
        st = os.stat(src)
        fs = StoreFs(tmp, uid=uid, gid=gid)
        try:
            root = fs.root()
            _fill(fs, src, root, stats, uid, gid, tmp)
            fs.setattr(root, mode=st.st_mode & 0o7777, atime_ns=st.st_atime_ns, mtime_ns=st.st_mtime_ns)
        finally:
            fs.close()
        _seal(tmp)
        if force:
            os.replace(tmp, out)
        else:
            try:
                os.link(tmp, out)  # never over a file that appeared meanwhile
            except FileExistsError:
                raise StoreError(out, "exists (use --force to replace it)") from None
        dfd = os.open(os.path.dirname(out), os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    finally:
        _remove(tmp)
    return stats


def _remove(path: str) -> None:
    for p in (path, path + "-wal", path + "-shm", path + "-journal"):
        if os.path.lexists(p):
            os.unlink(p)


def _seal(path: str) -> None:
    """Store -> image: marked, one file (rollback journal), compact, on disk."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('image', 1)")
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('clean', 1)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fill(fs: StoreFs, host_dir: str, guest: MemInode, stats: PackStats, uid: int, gid: int,
          tmp: str) -> None:
    seen: dict[tuple[int, int], MemInode] = {}
    # Iterative walk: (host directory, guest directory, its host stat for the final attributes).
    stack: list[tuple[str, MemInode]] = [(host_dir, guest)]
    finish: list[tuple[MemInode, os.stat_result]] = []
    tmp_dir, tmp_name = os.path.dirname(tmp), os.path.basename(tmp)
    while stack:
        hdir, gdir = stack.pop()
        with os.scandir(hdir) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            if hdir == tmp_dir and (e.name.startswith(tmp_name) or e.name.startswith(f".{tmp_name}")):
                continue  # the image being built, when it is inside DIR
            name = os.fsencode(e.name)
            st = e.stat(follow_symlinks=False)
            mode = st.st_mode
            if stat.S_ISDIR(mode):
                sub = fs.mkdir(gdir, name, 0o700, uid, gid)
                stats.directories += 1
                stack.append((e.path, sub))
                finish.append((sub, st))
            elif stat.S_ISLNK(mode):
                ln = fs.symlink(gdir, name, os.fsencode(os.readlink(e.path)), uid, gid)
                fs.setattr(ln, atime_ns=st.st_atime_ns, mtime_ns=st.st_mtime_ns)
                stats.symlinks += 1
            elif stat.S_ISREG(mode):
                key = (st.st_dev, st.st_ino)
                if st.st_nlink > 1 and key in seen:
                    fs.link(gdir, name, seen[key])
                    stats.hardlinks += 1
                    continue
                f = fs.create(gdir, name, stat.S_IFREG | 0o600, uid, gid)
                stats.bytes += _copy(fs, e.path, f)
                fs.setattr(f, mode=mode & 0o7777, atime_ns=st.st_atime_ns, mtime_ns=st.st_mtime_ns)
                stats.files += 1
                if st.st_nlink > 1:
                    seen[key] = f
            else:
                stats.skipped.append(e.path)
    # Directory attributes last: adding entries changed their times.
    for d, st in finish:
        fs.setattr(d, mode=st.st_mode & 0o7777, atime_ns=st.st_atime_ns, mtime_ns=st.st_mtime_ns)


def _copy(fs: StoreFs, path: str, f: MemInode) -> int:
    """Copy a host file's bytes; all-zero CHUNK blocks are left as holes."""
    buf = bytearray(CHUNK)
    mv = memoryview(buf)
    zeros = bytes(CHUNK)
    off = 0
    with open(path, "rb", buffering=0) as h:
        while True:
            n = h.readinto(buf)
            if not n:
                break
            if n != CHUNK or buf != zeros:
                fs.write(f, off, mv[:n])
            off += n
    if f.size != off:
        fs.truncate(f, off)  # a file ending in a hole
    return off
