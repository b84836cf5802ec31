"""store: the kernel's filesystem made durable -- MemFs backed by one SQLite file.

``StoreFs`` is a ``MemFs`` whose working copy is written to a store file on the
host. The rules of the filesystem (link counts, rename, sparse data) live in
``memfs`` once; this module only listens to its mutation hooks and moves state
between memory and the store.

Durability contract (README, "Filesystem and durability"):

* ``fsync``/``fdatasync``/``sync``/``syncfs``, and every write through a
  description opened with O_SYNC/O_DSYNC, return only after *everything* the
  kernel has changed so far is committed with ``synchronous=FULL`` (the WAL is
  fsync'd): it survives a SIGKILL of the kernel and a power cut;
* every other change is written back within ``ServerConfig.flush_interval_s``
  (the server calls ``flush(durable=False)``), or sooner under memory pressure;
  a commit that is not fsync'd survives a kill of the kernel, not a power cut;
* each flush is one SQLite transaction holding every dirty inode, directory
  entry and chunk. The kernel is single-threaded and flushes between syscalls,
  so a transaction is a snapshot of a consistent filesystem: a metadata
  operation (create, rename, unlink, link, mkdir, chmod...) is in the store
  entirely or not at all, whatever moment the kernel dies.

What is in memory:

* all metadata, loaded at open: inodes, directory entries, symlink targets;
* file data lazily: each regular file's ``chunks`` is a ``ChunkMap`` (the
  mapping ``memfs`` expects) that knows which chunk indexes exist and fetches
  absent ones from the store on first use (with read-ahead when the access is
  sequential). Clean chunks sit in an LRU bounded by ``cache_bytes``; dirty
  chunks are never evicted -- they leave memory only after they are committed.

Invariants:

* a chunk index of a file is either resident (``ChunkMap.res``) or stored-only
  (``ChunkMap.absent``), never both; their union is the file's chunk set;
* the LRU holds exactly the resident chunks that are not dirty;
* ``_dirty_meta``/``_dirty_ents``/``_dirty_data``/``_gone`` describe every
  difference between memory and the last committed transaction;
* inode numbers are never reused (``next_ino`` is stored), so a dropped inode
  and a new one never meet in one transaction;
* ``meta.clean`` is 0 while a kernel has the store open: finding 0 at open means
  an unclean shutdown, and ``kernel.vfs.fsck`` repairs the store before use
  (its only expected finding is orphans: files unlinked while open).

A store file is only ever created at a path where nothing exists (built beside
it and hard-linked into place); a file that is not ours, is truncated,
corrupted, or has a newer schema raises ``StoreError`` and is left untouched.
One kernel at a time: the store is ``flock``'d while open (images: shared).

Prior art: RustPOSIX keeps metadata in memory and data in host files but
rewrites its metadata file by deleting it first; SQLite's WAL gives us the
atomic commit instead (https://sqlite.org/wal.html, /atomiccommit.html).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, Final

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.file import O_DSYNC
from kernel.vfs import fsck
from kernel.vfs.memfs import CHUNK, MemDir, MemFile, MemFs, MemInode
from kernel.vfs.types import S_IFDIR, S_IFLNK, S_IFMT, StatfsResult

if TYPE_CHECKING:
    from kernel.block import Block
    from kernel.cage import Cage
    from kernel.file import OpenFile

__all__ = [
    "APPLICATION_ID", "SCHEMA_VERSION", "ChunkMap", "StoreDb", "StoreError", "StoreFs",
    "default_store_path",
]

log = logging.getLogger("warden.store")

#: ``PRAGMA application_id`` of every Warden store ("WRDF").
APPLICATION_ID: Final = 0x57524446
#: ``PRAGMA user_version``: the schema this code reads and writes.
SCHEMA_VERSION: Final = 1
#: statfs f_type of a store-backed filesystem ("WRDS").
STORE_MAGIC: Final = 0x57524453
ROOT_INO: Final = 1
#: SQLite page size of new stores: 64 KiB chunks span 4 overflow pages.
PAGE_SIZE: Final = 16384
#: Default budget of clean cached chunks.
DEFAULT_CACHE_BYTES: Final = 64 << 20
#: Chunks fetched at once when a file is read sequentially (1 MiB).
READAHEAD: Final = 16

_SQLITE_MAGIC: Final = b"SQLite format 3\0"

_SCHEMA: Final = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE inodes(
    ino INTEGER PRIMARY KEY, mode INTEGER NOT NULL, nlink INTEGER NOT NULL,
    uid INTEGER NOT NULL, gid INTEGER NOT NULL, rdev INTEGER NOT NULL, size INTEGER NOT NULL,
    atime INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL, btime INTEGER NOT NULL,
    target BLOB);
CREATE TABLE dirents(parent INTEGER NOT NULL, name BLOB NOT NULL, child INTEGER NOT NULL,
    PRIMARY KEY (parent, name)) WITHOUT ROWID;
CREATE TABLE chunks(ino INTEGER NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (ino, idx));
"""
_TABLES: Final = {
    "meta": {"key", "value"},
    "inodes": {"ino", "mode", "nlink", "uid", "gid", "rdev", "size", "atime", "mtime", "ctime", "btime",
               "target"},
    "dirents": {"parent", "name", "child"},
    "chunks": {"ino", "idx", "data"},
}
_INODE_COLS: Final = "ino, mode, nlink, uid, gid, rdev, size, atime, mtime, ctime, btime, target"


class StoreError(Exception):
    """A store file that cannot be used (not ours, damaged, in use...): carries the path and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def default_store_path() -> str:
    """``$WARDEN_FS``, else ``$XDG_DATA_HOME/warden/fs.sqlite`` (``~/.local/share/...``)."""
    env = os.environ.get("WARDEN_FS")
    if env:
        return env
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "warden", "fs.sqlite")


def _errno_of(e: sqlite3.Error) -> int:
    code = (getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == 13:  # SQLITE_FULL
        return Errno.ENOSPC
    if code == 8:  # SQLITE_READONLY
        return Errno.EROFS
    return Errno.EIO


# --- the store file --------------------------------------------------------------------------------


class StoreDb:
    """An open store file: validated, locked, connected. Shared by StoreFs, fsck and the CLI.

    ``readonly`` opens without writing anything (a read-only connection, a shared
    lock). Images (stores in rollback-journal mode, written by ``pack``) are
    always read-only.
    """

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False, create: bool = False,
                 root_uid: int = 0, root_gid: int = 0) -> None:
        self.path = p = os.fspath(path)
        self.conn: sqlite3.Connection | None = None
        self._lock_fd = -1
        self._durable: bool | None = None
        if not os.path.lexists(p):
            if not create or readonly:
                raise StoreError(p, "no such store file")
            _create(p, root_uid, root_gid)
        head = _check_header(p)
        self.image = head[18] == 1  # rollback journal: a packed image
        self.readonly = readonly or self.image
        try:
            self._lock_fd = os.open(p, os.O_RDONLY | os.O_CLOEXEC)
            fcntl.flock(self._lock_fd, (fcntl.LOCK_SH if self.readonly else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            self._unlock()
            raise StoreError(p, "in use by another warden process (use another --fs, or :memory:)") from None
        except OSError as e:
            self._unlock()
            raise StoreError(p, e.strerror or str(e)) from None
        # SQLite makes -wal/-shm files on open: a store refused below must not keep new ones.
        fresh = [p + s for s in ("-wal", "-shm") if not os.path.lexists(p + s)]
        try:
            self._connect()
        except BaseException:
            self.close(checkpoint=False)
            for side in fresh:
                if os.path.lexists(side):
                    os.unlink(side)
            raise

    def _connect(self) -> None:
        p = self.path
        try:
            if self.readonly:
                uri = "file:" + urllib.parse.quote(os.path.abspath(p)) + "?mode=ro"
                if self.image:
                    uri += "&immutable=1"  # a packed image never changes: no locks, no -shm
                self.conn = conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                self.conn = conn = sqlite3.connect(p, isolation_level=None, check_same_thread=False)
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if mode != "wal":
                    raise StoreError(p, f"cannot use write-ahead logging (journal mode {mode})")
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-8192")  # 8 MiB of pages: chunks have their own cache
            bad = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            if bad != ["ok"]:
                raise StoreError(p, "corrupted: " + "; ".join(bad))
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for t, cols in _TABLES.items():
                if t not in tables:
                    raise StoreError(p, f"not a valid Warden store (no {t} table)")
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({t})")}
                if not cols <= have:
                    raise StoreError(p, f"not a valid Warden store (table {t} lacks {sorted(cols - have)})")
        except sqlite3.DatabaseError as e:
            raise StoreError(p, f"corrupted or unreadable: {e}") from None

    # --- meta ------------------------------------------------------------------------------------

    def meta(self, key: str, default: Any = None) -> Any:
        assert self.conn is not None
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_meta(self, key: str, value: Any) -> None:
        """Inside a caller's transaction."""
        assert self.conn is not None
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def set_durable(self, durable: bool) -> None:
        """Commits from now on fsync the WAL (FULL) or not (NORMAL)."""
        if durable != self._durable and self.conn is not None and not self.readonly:
            self.conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._durable = durable

    def transaction(self, durable: bool) -> _Txn:
        self.set_durable(durable)
        assert self.conn is not None
        return _Txn(self.conn)

    def _unlock(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = -1

    def close(self, *, checkpoint: bool = True) -> None:
        conn, self.conn = self.conn, None
        try:
            if conn is not None:
                if checkpoint and not self.readonly:
                    try:
                        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    except sqlite3.Error as e:
                        log.warning("%s: checkpoint at close failed: %s", self.path, e)
                conn.close()
        finally:
            self._unlock()


class _Txn:
    """``with db.transaction(durable):`` -- BEGIN, then COMMIT or ROLLBACK."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, et: object, ev: object, tb: object) -> None:
        conn = self.conn
        try:
            if et is None:
                conn.execute("COMMIT")
        finally:
            if conn.in_transaction:  # an error before or during COMMIT
                conn.execute("ROLLBACK")


def _check_header(path: str) -> bytes:
    """Reject, from the raw bytes and without opening it with SQLite, a file that is not ours."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
            size = os.fstat(f.fileno()).st_size
    except IsADirectoryError:
        raise StoreError(path, "is a directory, not a store file") from None
    except OSError as e:
        raise StoreError(path, e.strerror or str(e)) from None
    if not head:
        raise StoreError(path, "empty file, not a Warden filesystem store")
    if not head.startswith(_SQLITE_MAGIC[:len(head)]) or len(head) < 16:
        raise StoreError(path, "not a Warden filesystem store (not an SQLite database)")
    if len(head) < 100:
        raise StoreError(path, f"truncated ({size} bytes, shorter than an SQLite header)")
    app_id = int.from_bytes(head[68:72], "big")
    if app_id != APPLICATION_ID:
        raise StoreError(path, f"an SQLite database but not a Warden filesystem store "
                               f"(application_id {app_id:#x})")
    version = int.from_bytes(head[60:64], "big")
    if version > SCHEMA_VERSION:
        raise StoreError(path, f"store schema {version} is newer than this warden supports "
                               f"({SCHEMA_VERSION}); upgrade warden")
    if version < 1:
        raise StoreError(path, f"unknown store schema {version}")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # The in-header size is valid when "version-valid-for" equals the change counter.
    # With a non-empty WAL beside it, the main file may legitimately be shorter (a
    # checkpoint cut short by a crash is finished by recovery), so only judge a lone file.
    wal = path + "-wal"
    lone = not os.path.exists(wal) or os.path.getsize(wal) == 0
    if lone and head[92:96] == head[24:28] and size < pages * page_size:
        raise StoreError(path, f"truncated ({size} bytes, the header says {pages * page_size})")
    return head


def _create(path: str, uid: int, gid: int) -> None:
    """Build a new, empty store beside ``path`` and link it into place (never over a file)."""
    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, f".{os.path.basename(path)}.new-{os.getpid()}")
    for junk in (tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"):
        if os.path.lexists(junk):
            os.unlink(junk)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("BEGIN")
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            now = time.time_ns()
            conn.execute(f"INSERT INTO inodes({_INODE_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,NULL)",
                         (ROOT_INO, S_IFDIR | 0o755, 2, uid, gid, 0, 0, now, now, now, now))
            conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                             [("clean", 1), ("next_ino", ROOT_INO + 1), ("generation", 0),
                              ("image", 0), ("created_ns", now)])
            conn.execute("COMMIT")
            conn.execute("PRAGMA journal_mode=WAL")  # persistent, recorded in the header
        finally:
            conn.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails if something appeared at path meanwhile: never clobber
        except FileExistsError:
            raise StoreError(path, "appeared while being created") from None
        except OSError:
            if os.path.lexists(path):
                raise StoreError(path, "appeared while being created") from None
            os.rename(tmp, path)  # a filesystem without hard links
        dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except sqlite3.Error as e:
        raise StoreError(path, f"cannot create: {e}") from None
    except PermissionError as e:
        raise StoreError(path, f"cannot create: {e.strerror}") from None
    finally:
        for junk in (tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"):
            if os.path.lexists(junk):
                os.unlink(junk)


# --- file data: resident and stored chunks -----------------------------------------------------------


class ChunkMap(MutableMapping[int, bytearray]):
    """The chunks of one regular file, as the ``dict`` memfs expects: resident ones
    in ``res``, stored-only ones fetched on first use. ``absent`` is loaded from
    the store on the first operation of any kind (before anything can change)."""

    __slots__ = ("_fs", "ino", "res", "absent")

    def __init__(self, fs: StoreFs, ino: int, absent: set[int] | None) -> None:
        self._fs = fs
        self.ino = ino
        self.res: dict[int, bytearray] = {}
        #: Chunk indexes in the store and not resident; None until first needed.
        self.absent = absent

    def _stored(self) -> set[int]:
        a = self.absent
        if a is None:
            a = self.absent = self._fs._load_index(self.ino)
        return a

    def get(self, ci: int, default: Any = None) -> Any:
        ch = self.res.get(ci)
        if ch is not None:
            lru = self._fs._lru
            key = (self.ino, ci)
            if key in lru:
                lru.move_to_end(key)
            return ch
        if ci in self._stored():
            return self._fs._fetch(self, ci)
        return default

    def __getitem__(self, ci: int) -> bytearray:
        ch = self.get(ci)
        if ch is None:
            raise KeyError(ci)
        return ch  # type: ignore[no-any-return]

    def __contains__(self, ci: object) -> bool:
        return ci in self.res or ci in self._stored()

    def __setitem__(self, ci: int, ch: bytearray) -> None:
        self._stored().discard(ci)
        old = self.res.get(ci)
        if old is not None:
            self._fs._uncache(self.ino, ci)
        self.res[ci] = ch

    def __delitem__(self, ci: int) -> None:
        absent = self._stored()
        if ci in self.res:
            del self.res[ci]
            self._fs._uncache(self.ino, ci)
        else:
            absent.remove(ci)  # KeyError when the chunk does not exist, like a dict

    def __iter__(self) -> Iterator[int]:
        return iter([*self.res, *self._stored()])

    def __len__(self) -> int:
        return len(self.res) + len(self._stored())

    def evict(self, ci: int) -> None:
        """Forget a clean resident chunk (it stays in the store)."""
        if self.res.pop(ci, None) is not None:
            self._stored().add(ci)

    def __repr__(self) -> str:
        return f"<ChunkMap ino={self.ino} resident={sorted(self.res)} stored={sorted(self.absent or ())}>"


# --- the filesystem ----------------------------------------------------------------------------------


class StoreFs(MemFs):
    """A MemFs persisted in the store file ``path`` (see the module docstring)."""

    magic = STORE_MAGIC

    def __init__(self, path: str | os.PathLike[str], *, dev: int = 1, readonly: bool = False,
                 create: bool = True, cache_bytes: int = DEFAULT_CACHE_BYTES, uid: int = 0,
                 gid: int = 0) -> None:
        self.path = os.fspath(path)
        self.cache_bytes = cache_bytes
        #: Writes start a flush when this many chunks are dirty (bounded memory).
        self.dirty_limit = max(cache_bytes // CHUNK, 64)
        self._dirty_meta: set[int] = set()
        self._dirty_ents: set[tuple[int, bytes]] = set()
        self._dirty_data: set[tuple[int, int]] = set()
        self._gone: set[int] = set()
        self._lru: OrderedDict[tuple[int, int], int] = OrderedDict()
        self._lru_bytes = 0
        self._maps: dict[int, ChunkMap] = {}
        self._unsynced = False
        self._saved_next_ino = 0
        #: What fsck found and repaired at open after an unclean shutdown (None if clean).
        self.recovery: fsck.FsckResult | None = None
        self.stats = {"fetches": 0, "fetched_chunks": 0, "flushes": 0, "evictions": 0}
        self._db: StoreDb | None = StoreDb(self.path, readonly=readonly, create=create and not readonly,
                                           root_uid=uid, root_gid=gid)
        try:
            super().__init__(dev=dev, uid=uid, gid=gid, readonly=self._db.readonly)
            self._open()
        except BaseException:
            self._db.close()
            self._db = None
            raise

    def __repr__(self) -> str:
        return f"<StoreFs {self.path}{' ro' if self.readonly else ''}>"

    def __enter__(self) -> StoreFs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_closed(self) -> bool:
        return self._db is None

    # --- open / load / close ----------------------------------------------------------------------

    def _open(self) -> None:
        db = self._db
        assert db is not None and db.conn is not None
        if db.meta("clean", 1) != 1:
            if self.readonly:
                res = fsck.check(db.conn, repair=False)
                if not res.clean:
                    raise StoreError(self.path, "was not closed cleanly and needs repair: "
                                                "run `warden fs check --repair`")
            else:
                res = fsck.check(db.conn, repair=True)
                self.recovery = res
                if not res.clean:
                    raise StoreError(self.path, "damaged beyond automatic repair:\n" + res.report())
                if res.findings:
                    log.warning("%s: not closed cleanly; fsck repaired %d problem(s)",
                                self.path, len(res.findings))
        self._load(db.conn)
        if not self.readonly:
            with db.transaction(durable=True):
                db.set_meta("clean", 0)

    def _load(self, conn: sqlite3.Connection) -> None:
        """All metadata into MemInodes (file data stays in the store until used)."""
        inodes: dict[int, MemInode] = {}
        maps = self._maps
        maps.clear()
        try:
            for (ino, mode, nlink, uid, gid, rdev, size, atime, mtime, ctime, btime,
                 target) in conn.execute(f"SELECT {_INODE_COLS} FROM inodes"):
                i = MemInode(ino, mode, uid, gid, 0, rdev)
                i.nlink = nlink
                i.size = size
                i.atime, i.mtime, i.ctime, i.btime = atime, mtime, ctime, btime
                if mode & S_IFMT == S_IFLNK:
                    i.target = bytes(target or b"")
                if i.chunks is not None:
                    i.chunks = maps[ino] = ChunkMap(self, ino, None)  # type: ignore[assignment]
                inodes[ino] = i
            for parent, name, child in conn.execute("SELECT parent, name, child FROM dirents"):
                p = inodes.get(parent)
                c = inodes.get(child)
                if p is None or c is None or p.entries is None:
                    raise StoreError(self.path, f"inconsistent entry {name!r} in inode {parent} -> {child}; "
                                                "run `warden fs check --repair`")
                name = bytes(name)
                p.entries[name] = c
                c.name = name
                if c.entries is not None:
                    c.parent = p
            next_ino = int(self._db.meta("next_ino", 0))  # type: ignore[union-attr]
        except sqlite3.DatabaseError as e:
            raise StoreError(self.path, f"corrupted or unreadable: {e}") from None
        root = inodes.get(ROOT_INO)
        if root is None or root.entries is None:
            raise StoreError(self.path, "has no root directory; run `warden fs check`")
        root.parent = root
        self.inodes = inodes
        self._root = root
        self._next_ino = max(next_ino, max(inodes) + 1)
        self._saved_next_ino = self._next_ino
        self._dirty_meta.clear()
        self._dirty_ents.clear()
        self._dirty_data.clear()
        self._gone.clear()

    def close(self) -> None:
        """Final durable flush, mark the store clean, release it. Idempotent."""
        db = self._db
        if db is None:
            return
        try:
            if not self.readonly:
                # Files unlinked while open: nobody can reach them once the kernel stops.
                for i in [i for i in self.inodes.values() if i.nlink <= 0 and i is not self._root]:
                    del self.inodes[i.ino]
                    self._gone.add(i.ino)
                self._flush(durable=True, clean=True)
        finally:
            self._db = None
            db.close()
            self._lru.clear()
            self._lru_bytes = 0

    # --- hooks (MemFs) -----------------------------------------------------------------------------

    def _touch_meta(self, inode: MemInode) -> None:
        self._dirty_meta.add(inode.ino)

    def _touch_data(self, inode: MemInode, chunk: int) -> None:
        key = (inode.ino, chunk)
        if key not in self._dirty_data:
            self._dirty_data.add(key)
            size = self._lru.pop(key, None)
            if size is not None:
                self._lru_bytes -= size

    def _dropped(self, inode: MemInode) -> None:
        ino = inode.ino
        self._gone.add(ino)
        self._dirty_meta.discard(ino)
        cm = self._maps.pop(ino, None)
        if cm is not None:
            for ci in cm.res:
                self._uncache(ino, ci)
            cm.res.clear()

    def _new_inode(self, mode: int, uid: int, gid: int, rdev: int = 0) -> MemInode:
        i = super()._new_inode(mode, uid, gid, rdev)
        if i.chunks is not None:
            i.chunks = self._maps[i.ino] = ChunkMap(self, i.ino, set())  # type: ignore[assignment]
        return i

    # --- directory entries: which names changed ------------------------------------------------------
    # MemFs's hooks say which inode changed, not which name; these wrappers record
    # the (directory, name) pairs so a flush writes only the entries that changed.

    def _writable(self) -> None:
        if self.readonly:
            raise SyscallError(Errno.EROFS)

    def create(self, d: MemInode, name: bytes, mode: int, uid: int, gid: int,  # type: ignore[override]
               rdev: int = 0) -> MemInode:
        self._writable()
        i = super().create(d, name, mode, uid, gid, rdev)
        self._dirty_ents.add((d.ino, name))
        return i

    def create_unnamed(self, mode: int, uid: int, gid: int, *, linkable: bool = True) -> MemInode:
        self._writable()
        return super().create_unnamed(mode, uid, gid, linkable=linkable)

    def mkdir(self, d: MemInode, name: bytes, mode: int, uid: int,  # type: ignore[override]
              gid: int) -> MemInode:
        self._writable()
        i = super().mkdir(d, name, mode, uid, gid)
        self._dirty_ents.add((d.ino, name))
        return i

    def symlink(self, d: MemInode, name: bytes, target: bytes, uid: int,  # type: ignore[override]
                gid: int) -> MemInode:
        self._writable()
        i = super().symlink(d, name, target, uid, gid)
        self._dirty_ents.add((d.ino, name))
        return i

    def link(self, d: MemInode, name: bytes, i: MemInode) -> None:  # type: ignore[override]
        self._writable()
        super().link(d, name, i)
        self._dirty_ents.add((d.ino, name))

    def unlink(self, d: MemInode, name: bytes) -> None:  # type: ignore[override]
        self._writable()
        super().unlink(d, name)
        self._dirty_ents.add((d.ino, name))

    def rmdir(self, d: MemInode, name: bytes) -> None:  # type: ignore[override]
        self._writable()
        super().rmdir(d, name)
        self._dirty_ents.add((d.ino, name))

    def rename(self, sd: MemInode, sname: bytes, dd: MemInode, dname: bytes,  # type: ignore[override]
               flags: int = 0) -> None:
        self._writable()
        super().rename(sd, sname, dd, dname, flags)
        self._dirty_ents.add((sd.ino, sname))
        self._dirty_ents.add((dd.ino, dname))

    def setattr(self, i: MemInode, **kw: Any) -> None:  # type: ignore[override]
        self._writable()
        super().setattr(i, **kw)

    def truncate(self, i: MemInode, size: int) -> None:  # type: ignore[override]
        self._writable()
        super().truncate(i, size)

    def write(self, i: MemInode, offset: int, src: memoryview | bytes) -> int:
        self._writable()
        if len(self._dirty_data) >= self.dirty_limit:
            # Memory pressure: write back before this write changes anything, so
            # the transaction is still a snapshot between two operations.
            self.flush(durable=False)
        return super().write(i, offset, src)

    # --- chunk cache -----------------------------------------------------------------------------

    def _load_index(self, ino: int) -> set[int]:
        if self._db is None or self._db.conn is None:
            raise SyscallError(Errno.EIO)
        try:
            rows = self._db.conn.execute("SELECT idx FROM chunks WHERE ino=?", (ino,)).fetchall()
        except sqlite3.Error as e:
            log.error("%s: reading the chunk index of inode %d: %s", self.path, ino, e)
            raise SyscallError(_errno_of(e)) from None
        return {r[0] for r in rows}

    def _fetch(self, cm: ChunkMap, ci: int) -> bytearray:
        """Load stored chunk ``ci`` of ``cm`` (and read ahead when the access is sequential)."""
        db = self._db
        if db is None or db.conn is None:
            raise SyscallError(Errno.EIO)
        absent = cm.absent
        assert absent is not None
        hi = ci
        if ci == 0 or (ci - 1) in cm.res:
            limit = min(READAHEAD, max(1, self.cache_bytes // (2 * CHUNK)))
            while hi + 1 - ci < limit and hi + 1 in absent:
                hi += 1
        try:
            rows = db.conn.execute("SELECT idx, data FROM chunks WHERE ino=? AND idx BETWEEN ? AND ?",
                                   (cm.ino, ci, hi)).fetchall()
        except sqlite3.Error as e:
            log.error("%s: reading inode %d chunk %d: %s", self.path, cm.ino, ci, e)
            raise SyscallError(_errno_of(e)) from None
        self.stats["fetches"] += 1
        want: bytearray | None = None
        lru = self._lru
        ino = cm.ino
        for idx, data in rows:
            if idx not in absent:
                continue
            absent.remove(idx)
            ch = bytearray(data)
            if idx == ci:
                want = ch
                continue
            cm.res[idx] = ch
            lru[(ino, idx)] = len(ch)
            self._lru_bytes += len(ch)
            self.stats["fetched_chunks"] += 1
        if want is None:
            log.error("%s: inode %d chunk %d is indexed but missing", self.path, cm.ino, ci)
            raise SyscallError(Errno.EIO)
        # The chunk asked for goes in last: it is the newest, so eviction never takes it.
        cm.res[ci] = want
        lru[(ino, ci)] = len(want)
        self._lru_bytes += len(want)
        self.stats["fetched_chunks"] += 1
        self._evict()
        return want

    def _uncache(self, ino: int, ci: int) -> None:
        size = self._lru.pop((ino, ci), None)
        if size is not None:
            self._lru_bytes -= size

    def _evict(self) -> None:
        lru = self._lru
        maps = self._maps
        while self._lru_bytes > self.cache_bytes and len(lru) > 1:
            (ino, ci), size = lru.popitem(last=False)
            self._lru_bytes -= size
            cm = maps.get(ino)
            if cm is not None:
                cm.evict(ci)
            self.stats["evictions"] += 1

    def cached_bytes(self) -> int:
        """Bytes of clean chunks held in memory."""
        return self._lru_bytes

    def dirty_chunks(self) -> int:
        return len(self._dirty_data)

    # --- write-back ------------------------------------------------------------------------------

    def flush(self, durable: bool = False) -> None:
        """Commit every change since the last flush as one transaction (see the module docstring).

        ``durable`` waits for the WAL to reach the disk. Raises OSError (EIO,
        ENOSPC...) when the store cannot be written; the changes stay dirty.
        """
        self._flush(durable=durable, clean=False)

    def _flush(self, *, durable: bool, clean: bool) -> None:
        db = self._db
        if db is None or self.readonly:
            return
        meta, ents, data, gone = self._dirty_meta, self._dirty_ents, self._dirty_data, self._gone
        changed = bool(meta or ents or data or gone) or self._next_ino != self._saved_next_ino
        if not changed and not clean and not (durable and self._unsynced):
            return
        inodes = self.inodes
        written: list[tuple[int, int, bytearray]] = []
        try:
            with db.transaction(durable) as conn:
                if gone:
                    g = [(ino,) for ino in gone]
                    conn.executemany("DELETE FROM inodes WHERE ino=?", g)
                    conn.executemany("DELETE FROM chunks WHERE ino=?", g)
                    conn.executemany("DELETE FROM dirents WHERE parent=?", g)
                if meta:
                    rows = []
                    for ino in meta:
                        i = inodes.get(ino)
                        if i is not None:
                            rows.append((ino, i.mode, i.nlink, i.uid, i.gid, i.rdev, i.size, i.atime,
                                         i.mtime, i.ctime, i.btime,
                                         i.target if i.mode & S_IFMT == S_IFLNK else None))
                    conn.executemany(f"INSERT OR REPLACE INTO inodes({_INODE_COLS}) "
                                     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
                if ents:
                    put, drop = [], []
                    for dino, name in ents:
                        d = inodes.get(dino)
                        if d is None or d.entries is None:
                            continue  # the directory is gone: its rows went with it
                        child = d.entries.get(name)
                        if child is None:
                            drop.append((dino, name))
                        else:
                            put.append((dino, name, child.ino))
                    conn.executemany("DELETE FROM dirents WHERE parent=? AND name=?", drop)
                    conn.executemany("INSERT OR REPLACE INTO dirents(parent, name, child) VALUES (?,?,?)", put)
                if data:
                    cdel = []
                    for ino, ci in data:
                        i = inodes.get(ino)
                        if i is None:
                            continue
                        cm = i.chunks
                        ch = cm.res.get(ci) if isinstance(cm, ChunkMap) else None
                        if ch is None:
                            cdel.append((ino, ci))
                        else:
                            written.append((ino, ci, ch))
                    conn.executemany("DELETE FROM chunks WHERE ino=? AND idx=?", cdel)
                    conn.executemany("INSERT OR REPLACE INTO chunks(ino, idx, data) VALUES (?,?,?)", written)
                if self._next_ino != self._saved_next_ino:
                    db.set_meta("next_ino", self._next_ino)
                if clean:
                    db.set_meta("clean", 1)
                elif not changed:
                    # Nothing new, but earlier commits were not fsync'd: a tiny write
                    # makes this commit (and its WAL fsync) carry them to the disk.
                    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        except sqlite3.Error as e:
            log.error("%s: write-back failed: %s", self.path, e)
            raise OSError(_errno_of(e), f"{self.path}: write-back failed: {e}") from None
        self.stats["flushes"] += 1
        self._saved_next_ino = self._next_ino
        meta.clear()
        ents.clear()
        data.clear()
        gone.clear()
        self._unsynced = not durable
        # Committed chunks are clean now: they join the LRU and may be evicted.
        if written:
            lru = self._lru
            for ino, ci, ch in written:
                lru[(ino, ci)] = len(ch)
                self._lru_bytes += len(ch)
            self._evict()

    def _durable_or_errno(self) -> None:
        try:
            self.flush(durable=True)
        except OSError as e:
            raise SyscallError(e.errno or Errno.EIO) from None

    def sync(self) -> None:
        self._durable_or_errno()

    def fsync(self, i: MemInode, datasync: bool) -> int | Block:
        self._durable_or_errno()
        return 0

    # --- files -----------------------------------------------------------------------------------

    def open(self, i: MemInode, flags: int) -> OpenFile:  # type: ignore[override]
        if i.entries is not None:
            return StoreDir(self, i, flags)
        return StoreFile(self, i, flags)

    def statfs(self) -> StatfsResult:
        try:
            st = os.statvfs(os.path.dirname(os.path.abspath(self.path)))
            used = sum(os.path.getsize(p) for p in (self.path, self.path + "-wal") if os.path.exists(p))
            avail = st.f_bavail * st.f_frsize
        except OSError:
            used, avail = 0, 0
        bs = 4096
        used_b = (used + bs - 1) // bs
        avail_b = 0 if self.readonly else avail // bs
        files = 1 << 32
        return StatfsResult(f_type=self.magic, f_bsize=bs, f_blocks=used_b + avail_b, f_bfree=avail_b,
                            f_bavail=avail_b, f_files=files, f_ffree=files - len(self.inodes),
                            f_flags=1 if self.readonly else 0)


class StoreFile(MemFile):
    """An open regular file of a StoreFs: O_SYNC/O_DSYNC writes are durable before they return."""

    __slots__ = ()

    def write_from(self, cage: Cage, buf: memoryview) -> int:
        n = super().write_from(cage, buf)
        if self.flags & O_DSYNC:  # O_SYNC includes the O_DSYNC bit
            self.fs._durable_or_errno()  # type: ignore[union-attr]
        return n

    def pwrite_from(self, buf: memoryview, offset: int) -> int:
        n = super().pwrite_from(buf, offset)
        if self.flags & O_DSYNC:
            self.fs._durable_or_errno()  # type: ignore[union-attr]
        return n


class StoreDir(MemDir):
    """An open directory of a StoreFs: fsync makes its entries durable (as on Linux, where
    a rename or unlink is only durable once the directory is fsync'd)."""

    __slots__ = ()

    def fsync(self, datasync: bool) -> int | Block:
        return self.fs.fsync(self.inode, datasync)  # type: ignore[union-attr, no-any-return]
