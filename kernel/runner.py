"""``warden run``: one program as a cage on an embedded kernel.

The root filesystem is a store file (``--fs PATH``; ``:memory:`` for a
throwaway one; the CLI picks the per-user default). Mounts ``--dir`` host
directories and ``--image`` packed images, gives the cage the kernel's stdio as fds
0-2, forwards terminal signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH) to
it, and turns its wait status into an exit code: the program's own, 128+N for
death by signal N, and 1 for a trap (printed as one line, like iwasm).
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass, field

import trio

from kernel.cage import Cage
from kernel.embed import DirMount, ImageMount, Warden, exit_code_of, load_program
from kernel.server import ServerConfig

__all__ = ["DirMount", "ImageMount", "RunSpec", "parse_dir", "parse_image", "run"]


@dataclass
class RunSpec:
    program: str
    args: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    dirs: list[DirMount] = field(default_factory=list)
    images: list[ImageMount] = field(default_factory=list)
    #: Store file of the root filesystem; None or ":memory:" for an in-memory one.
    fs: str | None = None
    cwd: str = "/"
    uid: int | None = None
    gid: int | None = None
    config: ServerConfig = field(default_factory=ServerConfig)
    #: Print unimplemented-syscall counts on exit.
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


def parse_image(spec: str) -> ImageMount:
    """``IMAGE::/GUEST``: a file written by ``warden fs pack``."""
    image, sep, guest = spec.partition("::")
    if not sep or not image or not guest.startswith("/"):
        raise ValueError(f"--image wants IMAGE::/GUEST, got {spec!r}")
    if not os.path.isfile(image):
        raise ValueError(f"--image: {image!r} is not a file")
    return ImageMount(os.path.abspath(image), os.fsencode(guest))


_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGWINCH)


async def run(spec: RunSpec) -> int:
    """Run ``spec`` to completion; returns the process exit code for the CLI."""
    wasm = load_program(spec.program)
    trapped: list[str] = []
    main: list[Cage] = []

    def on_trap(cage: Cage, msg: str) -> None:
        if main and cage is main[0]:
            trapped.append(msg)
        print(f"warden: {spec.program}: {msg}", file=sys.stderr)

    spec.config.on_trap = on_trap
    async with Warden(dirs=spec.dirs, config=spec.config, uid=spec.uid, gid=spec.gid, fs=spec.fs,
                      images=spec.images) as w:
        argv = [spec.program, *spec.args]
        cage = await w.spawn(wasm, argv, env=spec.env, cwd=spec.cwd,
                             exe=os.fsencode(os.path.abspath(spec.program)))
        main.append(cage)
        async with trio.open_nursery() as n:
            n.start_soon(_forward_signals, w, cage)
            status = await w.wait(cage)
            n.cancel_scope.cancel()
    if spec.stats and cage.enosys:
        for name, count in sorted(cage.enosys.items()):
            print(f"warden: ENOSYS {name} x{count}", file=sys.stderr)
    if trapped:
        return 1
    return exit_code_of(status)


async def _forward_signals(w: Warden, cage: Cage) -> None:
    with trio.open_signal_receiver(*_FORWARDED) as signals:
        async for signum in signals:
            if cage.alive:
                w.kernel.send_signal(cage, int(signum))
