"""Helpers for the store tests: read a store file with plain sqlite3, independently of StoreFs.

Reading through a second connection sees exactly what is committed -- what a
crash at this moment would leave -- whatever the kernel holds in memory.
"""

from __future__ import annotations

import sqlite3
import stat
import urllib.parse
from dataclasses import dataclass

from kernel.vfs.memfs import CHUNK

__all__ = ["RawNode", "raw_connect", "raw_tree"]


@dataclass
class RawNode:
    ino: int
    mode: int
    nlink: int
    uid: int
    gid: int
    size: int
    data: bytes | None  # regular files: the committed bytes (holes as zeros)
    target: bytes | None  # symlinks


def raw_connect(path: str) -> sqlite3.Connection:
    """A read-only connection that does not take the store's lock."""
    return sqlite3.connect("file:" + urllib.parse.quote(path) + "?mode=ro", uri=True)


def raw_tree(path: str) -> dict[str, RawNode]:
    """Every committed name of the store, as ``"/a/b"`` -> RawNode (the root is ``"/"``)."""
    conn = raw_connect(path)
    try:
        inodes = {r[0]: r for r in conn.execute(
            "SELECT ino, mode, nlink, uid, gid, size, target FROM inodes")}
        ents: dict[int, list[tuple[bytes, int]]] = {}
        for parent, name, child in conn.execute("SELECT parent, name, child FROM dirents"):
            ents.setdefault(parent, []).append((bytes(name), child))

        def node(ino: int) -> RawNode:
            _, mode, nlink, uid, gid, size, target = inodes[ino]
            data = None
            if stat.S_ISREG(mode):
                buf = bytearray(size)
                for idx, blob in conn.execute("SELECT idx, data FROM chunks WHERE ino=?", (ino,)):
                    buf[idx * CHUNK:idx * CHUNK + len(blob)] = blob
                data = bytes(buf[:size])
            return RawNode(ino, mode, nlink, uid, gid, size, data,
                           bytes(target) if target is not None else None)

        out = {"/": node(1)}
        stack = [(1, "")]
        while stack:
            d, prefix = stack.pop()
            for name, child in ents.get(d, ()):
                p = prefix + "/" + name.decode("utf-8", "surrogateescape")
                out[p] = node(child)
                if stat.S_ISDIR(inodes[child][1]):
                    stack.append((child, p))
        return out
    finally:
        conn.close()
