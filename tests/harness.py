"""Run guests as real cages on a real kernel, and collect what they did.

``run_cage(program, args, ...)`` starts an embedded kernel (trio, in the calling
test's event loop), spawns the program in its own worker process over a real
ring, captures stdout/stderr through host files and returns a ``CageRun``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

import trio

from kernel.cage import Cage
from kernel.embed import DirMount, Warden, exit_code_of

__all__ = ["CageRun", "Harness", "assert_errno", "run_cage", "run_guest"]


@dataclass
class CageRun:
    status: int
    stdout: bytes
    stderr: bytes
    cage: Cage

    @property
    def exit_code(self) -> int:
        return exit_code_of(self.status)

    @property
    def signal(self) -> int:
        return self.status & 0x7F

    @property
    def out(self) -> str:
        return self.stdout.decode(errors="replace")

    def lines(self) -> list[str]:
        return self.out.splitlines()


class Harness:
    """Spawn cages on one Warden and collect their output."""

    def __init__(self, w: Warden) -> None:
        self.w = w
        self._files: list[tuple[Cage, object, object]] = []

    async def start(self, program: str | os.PathLike[str] | bytes, args: Sequence[str | bytes] = (), *,
                    env: Sequence[str | bytes] = (), stdin: bytes = b"", cwd: str = "/",
                    argv0: str | None = None) -> Cage:
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        inp = tempfile.TemporaryFile()
        inp.write(stdin)
        inp.seek(0)
        name = argv0 or (os.fspath(program) if not isinstance(program, bytes) else "program")
        cage = await self.w.spawn(program, [name, *args], env=env, cwd=cwd, stdin=inp.fileno(),
                                  stdout=out.fileno(), stderr=err.fileno())
        inp.close()
        self._files.append((cage, out, err))
        return cage

    async def wait(self, cage: Cage, timeout: float = 60) -> CageRun:
        with trio.fail_after(timeout):
            status = await self.w.wait(cage)
        for c, out, err in self._files:
            if c is cage:
                out.seek(0)  # type: ignore[attr-defined]
                err.seek(0)  # type: ignore[attr-defined]
                return CageRun(status, out.read(), err.read(), cage)  # type: ignore[attr-defined]
        raise KeyError(cage)

    async def run(self, program: str | os.PathLike[str] | bytes, args: Sequence[str | bytes] = (),
                  timeout: float = 60, **kw: object) -> CageRun:
        cage = await self.start(program, args, **kw)  # type: ignore[arg-type]
        return await self.wait(cage, timeout)


async def run_cage(program: str | os.PathLike[str] | bytes, args: Sequence[str | bytes] = (), *,
                   timeout: float = 60, dirs: Sequence[DirMount] = (), **kw: object) -> CageRun:
    """Run one program on a fresh kernel and return its status and output."""
    async with Warden(dirs=dirs) as w:
        return await Harness(w).run(program, args, timeout=timeout, **kw)


async def run_guest(make_warden, wasm: bytes | str | os.PathLike[str], *, uid: int = 0,  # type: ignore[no-untyped-def]
                    args: Sequence[str | bytes] = ()) -> CageRun:
    """Run ``wasm`` on a fresh kernel from the ``make_warden`` fixture, as ``uid`` (and gid = uid)."""
    async with make_warden(uid=uid, gid=uid) as h:
        return await h.run(wasm, args)


def assert_errno(ret: int, errno: int) -> None:
    """gVisor's SyscallFailsWithErrno: ``ret`` is ``-errno``."""
    assert ret == -errno, f"expected -{errno}, got {ret}"
