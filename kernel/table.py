"""The syscall table: the specification of what the kernel supports, as data.

Each syscall family module (``kernel.syscalls.sys_*``) exports ``SYSCALLS``, a
list of ``Syscall`` entries built with ``supported``/``partial``/``unimplemented``.
``TABLE`` merges them; tests walk it (names match ``abi.sysno``, every supported
entry has tests, every pointer argument is known for the EFAULT sweep) and
``warden syscalls`` prints it.

A cage's 3i handler table is a list indexed by syscall number, copied from the
builtin table when the cage is created, copied again on fork and kept on exec.
A ``None`` slot answers -ENOSYS (and is counted).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from abi import sysno

if TYPE_CHECKING:
    from kernel.block import Block
    from kernel.cage import Cage

__all__ = ["TABLE", "Handler", "Level", "Syscall", "builtin_handlers", "partial", "supported", "unimplemented"]

Handler = Callable[..., Union[int, "Block"]]


class Level(enum.Enum):
    SUPPORTED = "supported"
    PARTIAL = "partial"
    UNIMPLEMENTED = "unimplemented"


@dataclass(frozen=True, slots=True)
class Syscall:
    nr: int
    name: str
    fn: Handler | None
    level: Level
    note: str = ""


def supported(name: str, fn: Handler) -> Syscall:
    return Syscall(sysno.nr(name), name, fn, Level.SUPPORTED)


def partial(name: str, fn: Handler, note: str) -> Syscall:
    return Syscall(sysno.nr(name), name, fn, Level.PARTIAL, note)


def unimplemented(name: str, note: str = "") -> Syscall:
    return Syscall(sysno.nr(name), name, None, Level.UNIMPLEMENTED, note)


def _build() -> dict[int, Syscall]:
    from kernel.syscalls import FAMILIES

    table: dict[int, Syscall] = {}
    for fam in FAMILIES:
        for s in fam.SYSCALLS:
            if s.nr in table:
                raise RuntimeError(f"syscall {s.name} registered twice")
            table[s.nr] = s
    for info in sysno.BY_NR.values():
        if info.nr not in table:
            table[info.nr] = Syscall(info.nr, info.name, None, Level.UNIMPLEMENTED)
    return table


_TABLE: dict[int, Syscall] | None = None


def get_table() -> dict[int, Syscall]:
    """The merged table, built on first use (family modules import this module)."""
    global _TABLE
    if _TABLE is None:
        _TABLE = _build()
    return _TABLE


def __getattr__(name: str) -> object:
    if name == "TABLE":
        return get_table()
    raise AttributeError(name)


def builtin_handlers() -> list[Handler | None]:
    out: list[Handler | None] = [None] * (sysno.MAX_SYSNO + 1)
    for s in get_table().values():
        out[s.nr] = s.fn
    return out


def handler_name(cage: Cage, num: int) -> str:
    info = sysno.BY_NR.get(num)
    return info.name if info else str(num)
