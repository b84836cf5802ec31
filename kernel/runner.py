"""Run one program as a cage on an embedded kernel: what ``warden run`` does.

Builds the filesystem tree (root memfs with the usual directories, /dev,
/proc, and ``--dir`` host mounts), starts the trio server, spawns the cage with
the kernel's stdio as fds 0-2, forwards terminal signals to it, and turns its
wait status into an exit code (the shell convention: 128+N for signal N).
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import trio

from kernel.cage import Cage
from kernel.fdtable import FdTable
from kernel.hoststdio import host_stdio
from kernel.server import Server, ServerConfig
from kernel.vfs.devfs import make_devfs
from kernel.vfs.hostfs import HostFs
from kernel.vfs.memfs import MemFs
from kernel.vfs.procfs import make_procfs
from kernel.vfs.vfs import Vfs

__all__ = ["DirMount", "RunSpec", "exit_code_of", "load_program", "parse_dir", "run"]


@dataclass(frozen=True)
class DirMount:
    host: str
    guest: bytes
    readonly: bool = False


@dataclass
class RunSpec:
    program: str
    args: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    dirs: list[DirMount] = field(default_factory=list)
    cwd: str = "/"
    uid: int | None = None
    gid: int | None = None
    config: ServerConfig = field(default_factory=ServerConfig)
    #: Print ENOSYS statistics on exit.
    stats: bool = False


def parse_dir(spec: str) -> DirMount:
    """``HOST::GUEST[:ro]`` (or ``HOST`` alone, mounted at the same path)."""
    host, sep, guest = spec.partition("::")
    ro = False
    if not sep:
        guest = host
    if guest.endswith(":ro"):
        guest, ro = guest[:-3], True
    elif guest.endswith(":rw"):
        guest = guest[:-3]
    if not host or not guest.startswith("/"):
        raise ValueError(f"--dir wants HOST::/GUEST[:ro], got {spec!r}")
    if not os.path.isdir(host):
        raise ValueError(f"--dir: {host!r} is not a directory")
    return DirMount(os.path.abspath(host), os.fsencode(guest), ro)


_WAT_START = re.compile(rb"^\s*(\(;.*?;\)\s*|;;[^\n]*\n\s*)*\(\s*module\b", re.S)


def load_program(path: str) -> bytes:
    """The wasm binary of ``path``; WAT text is assembled first."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\0asm":
        return data
    if _WAT_START.match(data):
        import wasmtime

        return bytes(wasmtime.wat2wasm(data.decode()))
    raise ValueError(f"{path}: not a WebAssembly module (no \\0asm header, not WAT text)")


def program_fd(wasm: bytes) -> int:
    fd = os.memfd_create("warden-program", os.MFD_CLOEXEC)
    os.write(fd, wasm)
    return fd


def build_vfs(server_ref: list[Server], dirs: Sequence[DirMount]) -> Vfs:
    root = MemFs(dev=1)
    vfs = Vfs(root)
    r = root.root()
    for name, mode in ((b"tmp", 0o1777), (b"root", 0o700), (b"home", 0o755), (b"etc", 0o755),
                       (b"usr", 0o755), (b"bin", 0o755), (b"var", 0o755)):
        root.mkdir(r, name, mode, 0, 0)
    has_tty = True
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError:
        has_tty = False
    vfs.mount(make_devfs(dev=2, with_tty=has_tty), b"/dev", source="devtmpfs")
    vfs.mount(make_procfs(lambda: server_ref[0].kernel, dev=3), b"/proc", source="proc")
    for i, d in enumerate(dirs):
        vfs.mount(HostFs(d.host, dev=16 + i, readonly=d.readonly), d.guest, readonly=d.readonly, source=d.host)
    return vfs


def exit_code_of(wait_status: int) -> int:
    sig = wait_status & 0x7F
    if sig == 0:
        return (wait_status >> 8) & 0xFF
    return 128 + sig


_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGWINCH)


async def run(spec: RunSpec) -> int:
    """Run ``spec`` to completion; returns the process exit code for the CLI."""
    wasm = load_program(spec.program)
    server_ref: list[Server] = []
    vfs = build_vfs(server_ref, spec.dirs)
    trapped: list[str] = []
    main: list[Cage] = []

    def on_trap(cage: Cage, msg: str) -> None:
        if main and cage is main[0]:
            trapped.append(msg)
        print(f"warden: {spec.program}: {msg}", file=sys.stderr)

    spec.config.on_trap = on_trap
    uid = os.getuid() if spec.uid is None else spec.uid
    gid = os.getgid() if spec.gid is None else spec.gid
    server = Server(vfs, spec.config, uid=uid, gid=gid)
    server_ref.append(server)
    fds = FdTable()
    for fd in (0, 1, 2):
        f = host_stdio(fd)
        if f is not None:
            fds.install_at(fd, f)
    argv = [os.fsencode(spec.program), *(os.fsencode(a) for a in spec.args)]
    env = [os.fsencode(e) for e in spec.env]
    exe = os.fsencode(os.path.abspath(spec.program))
    pfd = program_fd(wasm)
    async with trio.open_nursery() as nursery:
        await nursery.start(server.serve)
        cage = server.kernel.spawn(argv, env, exe, fds=fds, cwd=os.fsencode(spec.cwd))
        main.append(cage)
        try:
            server.start_cage(cage, pfd)
        finally:
            os.close(pfd)
        nursery.start_soon(_forward_signals, server, cage)
        status = await server.wait_exit(cage)
        server.shutdown()
        nursery.cancel_scope.cancel()
    if spec.stats and cage.enosys:
        for name, n in sorted(cage.enosys.items()):
            print(f"warden: ENOSYS {name} x{n}", file=sys.stderr)
    if trapped:
        return 1
    return exit_code_of(status)


async def _forward_signals(server: Server, cage: Cage) -> None:
    with trio.open_signal_receiver(*_FORWARDED) as signals:
        async for signum in signals:
            if cage.alive:
                server.kernel.send_signal(cage, int(signum))
