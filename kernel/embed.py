"""Embedding API: run cages from Python (what ``warden run``, the tests and the
benchmarks use).

::

    async with Warden(dirs=[DirMount("/srv/data", b"/data")]) as w:
        cage = await w.spawn("app.wasm", ["app", "x"], env=["HOME=/root"])
        status = await w.wait(cage)

The root filesystem is in memory unless ``fs`` names a store file
(``kernel.vfs.store``: persistent, opened here and closed cleanly when the
block exits); ``images`` mounts packed images read-only.

Each ``spawn`` starts a worker process. Standard streams default to the
kernel's own; pass host file descriptors (``stdin=fd`` etc.) to redirect them.
The kernel and every cage stop when the ``async with`` block exits.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

import trio

from kernel.block import Block
from kernel.cage import Cage, Creds
from kernel.fdtable import FdTable
from kernel.file import O_RDONLY, O_WRONLY, HostFdFile
from kernel.hoststdio import host_stdio
from kernel.server import Server, ServerConfig
from kernel.vfs.devfs import make_devfs
from kernel.vfs.hostfs import HostFs
from kernel.vfs.memfs import MemFs
from kernel.vfs.procfs import make_procfs
from kernel.vfs.store import StoreFs
from kernel.vfs.vfs import Vfs

__all__ = ["DirMount", "ImageMount", "Warden", "build_vfs", "exit_code_of", "load_program", "open_rootfs"]


@dataclass(frozen=True)
class DirMount:
    """``--dir HOST::GUEST[:ro]``."""

    host: str
    guest: bytes
    readonly: bool = False


@dataclass(frozen=True)
class ImageMount:
    """``--image FILE::GUEST``: a packed image (``warden fs pack``), mounted read-only."""

    image: str
    guest: bytes


_WAT_START = re.compile(rb"^\s*(\(;.*?;\)\s*|;;[^\n]*\n\s*)*\(\s*module\b", re.S)


def load_program(source: str | os.PathLike[str] | bytes) -> bytes:
    """The wasm binary of a path (or of bytes); WAT text is assembled first."""
    if isinstance(source, bytes):
        data = source
        where = "program"
    else:
        where = os.fspath(source)
        with open(where, "rb") as f:
            data = f.read()
    if data[:4] == b"\0asm":
        return data
    if _WAT_START.match(data):
        import wasmtime

        return bytes(wasmtime.wat2wasm(data.decode()))
    raise ValueError(f"{where}: not a WebAssembly module (no \\0asm header, not WAT text)")


def program_fd(wasm: bytes) -> int:
    fd = os.memfd_create("warden-program", os.MFD_CLOEXEC)
    os.write(fd, wasm)
    return fd


def open_rootfs(fs: str | os.PathLike[str] | None) -> MemFs:
    """The root filesystem: a store file (``StoreFs``), or a plain MemFs for None / ``":memory:"``."""
    if fs is None or os.fspath(fs) == ":memory:":
        return MemFs(dev=1)
    return StoreFs(fs, dev=1)


def build_vfs(server_ref: list[Server], dirs: Sequence[DirMount], *, rootfs: MemFs | None = None,
              fs: str | os.PathLike[str] | None = None, images: Sequence[ImageMount] = ()) -> Vfs:
    """The mount tree: the root (``rootfs``, else ``open_rootfs(fs)``), /dev, /proc, then the
    ``--dir`` and ``--image`` mounts, outer guest paths before inner ones."""
    root = rootfs if rootfs is not None else open_rootfs(fs)
    opened: list[StoreFs] = [root] if rootfs is None and isinstance(root, StoreFs) else []
    try:
        return _populate(server_ref, root, dirs, images, opened)
    except BaseException:
        for s in opened:  # release the store files this call opened (their locks)
            s.close()
        raise


def _populate(server_ref: list[Server], root: MemFs, dirs: Sequence[DirMount], images: Sequence[ImageMount],
              opened: list[StoreFs]) -> Vfs:
    vfs = Vfs(root)
    r = root.root()
    for name, mode in ((b"tmp", 0o1777), (b"root", 0o700), (b"home", 0o755), (b"etc", 0o755),
                       (b"usr", 0o755), (b"bin", 0o755), (b"var", 0o755)):
        if r.entries is not None and name not in r.entries:
            root.mkdir(r, name, mode, 0, 0)
    has_tty = True
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError:
        has_tty = False
    vfs.mount(make_devfs(dev=2, with_tty=has_tty), b"/dev", source="devtmpfs")
    vfs.mount(make_procfs(lambda: server_ref[0].kernel, dev=3), b"/proc", source="proc")
    mounts: list[tuple[int, int, DirMount | ImageMount]] = [(i, 16 + i, d) for i, d in enumerate(dirs)]
    mounts += [(len(dirs) + i, 64 + i, im) for i, im in enumerate(images)]
    mounts.sort(key=lambda m: (len([c for c in m[2].guest.split(b"/") if c]), m[0]))
    for _, dev, m in mounts:
        if isinstance(m, DirMount):
            vfs.mount(HostFs(m.host, dev=dev, readonly=m.readonly), m.guest, readonly=m.readonly, source=m.host)
        else:
            img = StoreFs(m.image, dev=dev, readonly=True)
            opened.append(img)
            vfs.mount(img, m.guest, readonly=True, source=m.image)
    return vfs


def exit_code_of(wait_status: int) -> int:
    """Shell convention: the exit code, or 128+N for death by signal N."""
    sig = wait_status & 0x7F
    if sig == 0:
        return (wait_status >> 8) & 0xFF
    return 128 + sig


class Warden:
    """An embedded kernel (see the module docstring)."""

    def __init__(self, *, dirs: Sequence[DirMount] = (), config: ServerConfig | None = None,
                 uid: int | None = None, gid: int | None = None, rootfs: MemFs | None = None,
                 fs: str | os.PathLike[str] | None = None, images: Sequence[ImageMount] = ()) -> None:
        self._ref: list[Server] = []
        self.vfs = build_vfs(self._ref, dirs, rootfs=rootfs, fs=fs, images=images)
        self.uid = os.getuid() if uid is None else uid
        self.gid = os.getgid() if gid is None else gid
        self.server = Server(self.vfs, config or ServerConfig(), uid=self.uid, gid=self.gid)
        self._ref.append(self.server)
        self.kernel = self.server.kernel
        self._nursery_mgr: object = None

    async def __aenter__(self) -> Warden:
        self._nursery_mgr = trio.open_nursery()
        self._nursery = await self._nursery_mgr.__aenter__()  # type: ignore[attr-defined]
        await self._nursery.start(self.server.serve)
        return self

    async def __aexit__(self, et: type[BaseException] | None, ev: BaseException | None,
                        tb: TracebackType | None) -> bool | None:
        with trio.CancelScope(shield=True):
            await self.server.shutdown()
        self._nursery.cancel_scope.cancel()
        return await self._nursery_mgr.__aexit__(et, ev, tb)  # type: ignore[attr-defined, no-any-return]

    def stdio(self, stdin: int | None = None, stdout: int | None = None, stderr: int | None = None) -> FdTable:
        """An fd table with 0-2 on the given host fds (duplicated), or the kernel's own."""
        fds = FdTable()
        for fd, given, mode in ((0, stdin, O_RDONLY), (1, stdout, O_WRONLY), (2, stderr, O_WRONLY)):
            if given is None:
                f = host_stdio(fd)
            else:
                hfd = os.dup(given)
                os.set_inheritable(hfd, False)
                f = HostFdFile(hfd, mode, path=f"/dev/fd/{fd}".encode())
            if f is not None:
                fds.install_at(fd, f)
        return fds

    async def spawn(self, program: str | os.PathLike[str] | bytes, argv: Sequence[str | bytes] | None = None, *,
                    env: Sequence[str | bytes] = (), cwd: str | bytes = "/", stdin: int | None = None,
                    stdout: int | None = None, stderr: int | None = None, creds: Creds | None = None,
                    exe: bytes | None = None,
                    grates: dict[str, Callable[..., int | Block]] | None = None) -> Cage:
        """Start a cage running ``program`` (a path, or wasm/WAT bytes).

        ``grates`` maps syscall names to Python interposers installed before the
        program makes its first call (see ``interpose``).
        """
        wasm = load_program(program)
        if argv is None:
            argv = [program if not isinstance(program, bytes) else "program"]  # type: ignore[list-item]
        av = [a if isinstance(a, bytes) else os.fsencode(a) for a in argv]
        ev = [e if isinstance(e, bytes) else os.fsencode(e) for e in env]
        if exe is None:
            exe = os.fsencode(os.path.abspath(program)) if not isinstance(program, bytes) else b"/program"
        cage = self.kernel.spawn(av, ev, exe, fds=self.stdio(stdin, stdout, stderr),
                                 cwd=cwd if isinstance(cwd, bytes) else os.fsencode(cwd), creds=creds)
        for name, handler in (grates or {}).items():
            self.interpose(cage, name, handler)
        pfd = program_fd(wasm)
        try:
            self.server.start_cage(cage, pfd)
        finally:
            os.close(pfd)
        return cage

    async def wait(self, cage: Cage) -> int:
        """Wait for ``cage`` to exit; returns its wait status."""
        return await self.server.wait_exit(cage)

    def interpose(self, cage: Cage, syscall: str, handler: Callable[..., int | Block]) -> None:
        """Route ``cage``'s calls of ``syscall`` to ``handler`` (a Python grate).

        The cage's 3i table slot is replaced: ``handler(cage, next, a1, ..., a6)``
        receives the previous destination as ``next`` and may call it, change the
        arguments, or answer itself (a result, a ``Block``, or raise
        ``SyscallError``). The table is copied on fork and kept on exec, so the
        cage's descendants are interposed too.
        """
        from abi.sysno import BY_NAME

        info = BY_NAME.get(syscall)
        if info is None:
            raise ValueError(f"unknown syscall {syscall!r}")
        nxt = cage.table[info.nr]

        def grate(c: Cage, *args: int) -> int | Block:
            return handler(c, nxt if nxt is not None else _enosys, *args)

        grate.__name__ = f"grate_{syscall}"
        cage.table[info.nr] = grate


def _enosys(cage: Cage, *_: int) -> int:
    from abi.errno import Errno

    return -int(Errno.ENOSYS)
