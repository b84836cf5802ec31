"""fsck: check a Warden store's filesystem structure, and repair what is safe.

Works on an open SQLite connection to a store (``kernel.vfs.store``), not on a
loaded ``StoreFs``, so it can run before the kernel trusts the store (at open
after an unclean shutdown) and from ``warden fs check``.

What is checked (e2fsck's passes, on our schema):

1. the root directory (inode 1) exists and is a directory -- otherwise nothing
   else can be judged, and nothing is repaired;
2. inode types are known ones; symlinks have a target;
3. directory entries: in an existing directory, to an existing inode, never to
   the root, with a valid name (not empty, no ``/``, not ``.``/``..``, at most
   255 bytes) -- a bad entry is dropped;
4. the tree: every directory is reached from the root by exactly one entry
   (that entry is its ``..``; a second name of a directory is dropped), which
   also rules out cycles: a directory only reachable from inside itself is
   unreachable;
5. unreachable inodes: ``orphan`` when its link count is 0 (a file unlinked
   while open when the kernel died -- the one expected finding after a crash),
   ``unreachable`` otherwise; both are deleted with their chunks and entries;
6. link counts: a file's is its number of names, a directory's 2 + its
   subdirectories (recomputed after the passes above);
7. chunks: none of a missing or non-regular inode, none at a negative index,
   none larger than CHUNK, none reaching beyond the file size (deleted, or
   trimmed when they straddle it);
8. ``meta.next_ino`` is above every inode number (inode numbers are never reused).

Every repair happens in one transaction, committed with ``synchronous=FULL``: a
crash during fsck leaves the store as it was. With ``repair``, a store left with
no problem is marked clean.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Final

from kernel.vfs.memfs import CHUNK
from kernel.vfs.types import (
    NAME_MAX,
    S_IFBLK,
    S_IFCHR,
    S_IFDIR,
    S_IFIFO,
    S_IFLNK,
    S_IFMT,
    S_IFREG,
    S_IFSOCK,
)

__all__ = ["Finding", "FsckResult", "check"]

ROOT_INO: Final = 1
_KNOWN_TYPES: Final = frozenset((S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK))


@dataclass(slots=True)
class Finding:
    """One problem: what (``kind``), which inode, a sentence, and whether it was repaired."""

    kind: str
    ino: int | None
    detail: str
    repaired: bool = False

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}" + (" [repaired]" if self.repaired else "")


@dataclass
class FsckResult:
    """What ``check`` found. ``clean`` means no problem remains (none found, or all repaired)."""

    repair: bool
    findings: list[Finding] = field(default_factory=list)
    inodes: int = 0
    directories: int = 0
    files: int = 0
    symlinks: int = 0
    others: int = 0
    chunks: int = 0

    @property
    def remaining(self) -> list[Finding]:
        return [f for f in self.findings if not f.repaired]

    @property
    def clean(self) -> bool:
        return not self.remaining

    def kinds(self) -> set[str]:
        return {f.kind for f in self.findings}

    def report(self, limit: int = 200) -> str:
        lines = [f"inodes: {self.inodes} ({self.directories} directories, {self.files} files, "
                 f"{self.symlinks} symlinks, {self.others} other), chunks: {self.chunks}"]
        for f in self.findings[:limit]:
            lines.append(str(f))
        if len(self.findings) > limit:
            lines.append(f"... and {len(self.findings) - limit} more")
        fixed = sum(f.repaired for f in self.findings)
        if not self.findings:
            lines.append("clean")
        else:
            left = len(self.findings) - fixed
            lines.append(f"{len(self.findings)} problem(s), {fixed} repaired, {left} remaining"
                         + ("" if left or not self.repair else " -- clean"))
        return "\n".join(lines)


def _valid_name(name: bytes) -> bool:
    return bool(name) and len(name) <= NAME_MAX and b"/" not in name and name not in (b".", b"..") \
        and b"\0" not in name


def check(conn: sqlite3.Connection, *, repair: bool = False) -> FsckResult:
    """Check the store behind ``conn``; with ``repair``, fix what is safe (module docstring)."""
    res = FsckResult(repair=repair)
    out = res.findings

    def find(kind: str, ino: int | None, detail: str, fixable: bool = True) -> None:
        out.append(Finding(kind, ino, detail, repaired=repair and fixable))

    inodes: dict[int, tuple[int, int, int]] = {}
    null_targets: list[int] = []
    for ino, mode, nlink, size, no_target in conn.execute(
            "SELECT ino, mode, nlink, size, target IS NULL FROM inodes"):
        inodes[ino] = (mode, nlink, size)
        kind = mode & S_IFMT
        if kind == S_IFDIR:
            res.directories += 1
        elif kind == S_IFREG:
            res.files += 1
        elif kind == S_IFLNK:
            res.symlinks += 1
            if no_target:
                null_targets.append(ino)
        else:
            res.others += 1
    res.inodes = len(inodes)
    res.chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def kind_of(ino: int) -> int:
        return inodes[ino][0] & S_IFMT

    # 1. The root.
    if ROOT_INO not in inodes or kind_of(ROOT_INO) != S_IFDIR:
        find("no-root", ROOT_INO, "the root directory (inode 1) is missing or not a directory", False)
        return res

    # 2. Inodes themselves.
    for ino, (mode, _nlink, size) in inodes.items():
        if mode & S_IFMT not in _KNOWN_TYPES:
            find("bad-mode", ino, f"inode {ino} has an unknown file type (mode {mode:o})", False)
        if size < 0:
            find("bad-size", ino, f"inode {ino} has a negative size {size} (recomputed from its chunks)")
    for ino in null_targets:
        find("bad-symlink", ino, f"symlink {ino} has no target (made empty)")

    # 3. Entries, one by one.
    drop_entries: list[tuple[int, bytes]] = []
    children: dict[int, list[tuple[bytes, int]]] = defaultdict(list)
    for parent, name, child in conn.execute("SELECT parent, name, child FROM dirents ORDER BY parent, name"):
        name = bytes(name)
        problem: tuple[str, str] | None = None
        if parent not in inodes:
            problem = ("dangling-entry", f"entry {name!r} of missing directory {parent}")
        elif kind_of(parent) != S_IFDIR:
            problem = ("bad-entry", f"entry {name!r} in inode {parent}, which is not a directory")
        elif child not in inodes:
            problem = ("dangling-entry", f"entry {name!r} in directory {parent} names missing inode {child}")
        elif child == ROOT_INO:
            problem = ("bad-entry", f"entry {name!r} in directory {parent} names the root directory")
        elif not _valid_name(name):
            problem = ("bad-name", f"entry {name!r} in directory {parent} has an invalid name")
        if problem is not None:
            find(problem[0], parent, problem[1])
            drop_entries.append((parent, name))
        else:
            children[parent].append((name, child))

    # 4. The tree, breadth first from the root: each directory is entered once.
    reached = {ROOT_INO}
    names: dict[int, int] = defaultdict(int)  # kept names of each non-directory
    subdirs: dict[int, int] = defaultdict(int)
    queue = deque([ROOT_INO])
    while queue:
        d = queue.popleft()
        for name, child in children.get(d, ()):
            if kind_of(child) == S_IFDIR:
                if child in reached:
                    find("dir-hardlink", child, f"directory {child} has a second name {name!r} in {d} "
                                                f"(dropped)")
                    drop_entries.append((d, name))
                    continue
                reached.add(child)
                subdirs[d] += 1
                queue.append(child)
            else:
                reached.add(child)
                names[child] += 1

    # 5. What the tree does not reach.
    unreachable = sorted(set(inodes) - reached)
    for ino in unreachable:
        mode, nlink, _size = inodes[ino]
        if nlink == 0:
            find("orphan", ino, f"inode {ino} has no name (unlinked while open): deleted")
        else:
            what = "directory" if mode & S_IFMT == S_IFDIR else "inode"
            find("unreachable", ino, f"{what} {ino} (nlink {nlink}) is not reachable from the root: deleted")

    # 6. Link counts of what stays.
    fix_nlink: list[tuple[int, int]] = []
    for ino in reached:
        mode, nlink, _size = inodes[ino]
        want = 2 + subdirs[ino] if mode & S_IFMT == S_IFDIR else names[ino]
        if nlink != want:
            find("link-count", ino, f"inode {ino} has link count {nlink}, should be {want}")
            fix_nlink.append((want, ino))

    # 7. Chunks.
    gone = set(unreachable)
    drop_chunks: list[tuple[int]] = []
    trim_chunks: list[tuple[int, int]] = []
    for rowid, ino, idx, length, mode, size in conn.execute(
            "SELECT c.rowid, c.ino, c.idx, length(c.data), i.mode, i.size FROM chunks c "
            "LEFT JOIN inodes i ON i.ino = c.ino "
            "WHERE i.ino IS NULL OR (i.mode & ?) != ? OR c.idx < 0 OR length(c.data) > ? "
            "OR c.idx * ? + length(c.data) > max(i.size, 0)", (S_IFMT, S_IFREG, CHUNK, CHUNK)):
        if ino in gone or (size is not None and size < 0):
            continue  # deleted with its inode, or its size is recomputed from its chunks
        size = size or 0
        if mode is None:
            find("stray-chunk", ino, f"chunk {idx} of missing inode {ino}: deleted")
            drop_chunks.append((rowid,))
        elif mode & S_IFMT != S_IFREG:
            find("stray-chunk", ino, f"chunk {idx} of inode {ino}, which is not a regular file: deleted")
            drop_chunks.append((rowid,))
        elif idx < 0:
            find("bad-chunk", ino, f"inode {ino} has a chunk at negative index {idx}: deleted")
            drop_chunks.append((rowid,))
        elif idx * CHUNK >= size:
            find("chunk-beyond-size", ino, f"inode {ino} chunk {idx} lies beyond its size {size}: deleted")
            drop_chunks.append((rowid,))
        else:
            keep = min(CHUNK, size - idx * CHUNK)
            kind = "chunk-too-large" if length > CHUNK else "chunk-beyond-size"
            find(kind, ino, f"inode {ino} chunk {idx} holds {length} bytes, at most {keep} fit: trimmed")
            trim_chunks.append((keep, rowid))

    # 8. Inode numbering.
    row = conn.execute("SELECT value FROM meta WHERE key = 'next_ino'").fetchone()
    next_ino = row[0] if row is not None and isinstance(row[0], int) else 0
    top = max(inodes) + 1
    if next_ino < top:
        find("next-ino", None, f"next inode number {next_ino} is not above the largest inode {top - 1}")

    if not repair:
        return res
    drop_entries = list(dict.fromkeys(drop_entries))
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("DELETE FROM dirents WHERE parent = ? AND name = ?", drop_entries)
        g = [(ino,) for ino in unreachable]
        conn.executemany("DELETE FROM dirents WHERE parent = ?", g)
        conn.executemany("DELETE FROM chunks WHERE ino = ?", g)
        conn.executemany("DELETE FROM inodes WHERE ino = ?", g)
        conn.executemany("UPDATE inodes SET nlink = ? WHERE ino = ?", fix_nlink)
        conn.executemany("DELETE FROM chunks WHERE rowid = ?", drop_chunks)
        conn.executemany("UPDATE chunks SET data = substr(data, 1, ?) WHERE rowid = ?", trim_chunks)
        conn.executemany("UPDATE inodes SET target = x'' WHERE ino = ?", [(i,) for i in null_targets])
        conn.execute("UPDATE inodes SET size = coalesce((SELECT max(c.idx * ? + length(c.data)) FROM chunks c "
                     "WHERE c.ino = inodes.ino AND c.idx >= 0), 0) WHERE size < 0", (CHUNK,))
        if next_ino < top:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('next_ino', ?)", (top,))
        if res.clean:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('clean', 1)")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return res
