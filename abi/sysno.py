"""Syscall numbers, names and argument kinds shared by the cage and the kernel.

Numbers are the x86-64 Linux ones (WALI imports carry no number: ``SYS_<name>``
names the call, and both sides agree on the number through this table). The three
3i calls (1001-1003) come from Lind's interposition interface.

Argument kinds say how the cage widens each raw wasm argument before it goes on
the ring, so the kernel receives Python ints with C semantics and never re-derives
signedness on the hot path:

====  =====================================  ===========================
kind  C types                                 widening of the wasm value
====  =====================================  ===========================
i     int, pid_t, clockid_t                   i32, sign-extended
u     unsigned, size_t, socklen_t, mode_t...  i32, zero-extended
p     pointer (wasm32 offset, 0 = NULL)       i32, zero-extended
l     long, off_t (64-bit in WALI)            i64, signed
L     unsigned long, nfds_t                   i64, unsigned
====  =====================================  ===========================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from abi._sysdata import SYSCALLS_RAW

__all__ = [
    "BY_NAME",
    "BY_NR",
    "BY_WALI_NAME",
    "COPY_DATA_BETWEEN_CAGES",
    "COPY_HANDLER_TABLE_TO_CAGE",
    "MAX_SYSNO",
    "REGISTER_HANDLER",
    "SIGNAL_NEXT",
    "SIGRETURN",
    "THREAD_CREATE",
    "UNKNOWN_IMPORT",
    "ArgKind",
    "SysInfo",
    "nr",
]


class ArgKind(enum.StrEnum):
    INT = "i"
    UINT = "u"
    PTR = "p"
    LONG = "l"
    ULONG = "L"


@dataclass(frozen=True, slots=True)
class SysInfo:
    """One syscall: its number, Linux name, argument kinds and WALI import name."""

    nr: int
    name: str
    args: str | None
    wali_name: str | None

    @property
    def pointer_args(self) -> tuple[int, ...]:
        """0-based positions of the pointer arguments (for EFAULT sweeps and grates)."""
        return tuple(i for i, k in enumerate(self.args or "") if k == "p")


# 3i calls (Lind numbering).
REGISTER_HANDLER: Final = 1001
COPY_DATA_BETWEEN_CAGES: Final = 1002
COPY_HANDLER_TABLE_TO_CAGE: Final = 1003
#: Not a syscall: what a cage sends for an import nobody implements (``name`` is
#: ``module.field``), so the kernel answers -ENOSYS and counts it like any other.
UNKNOWN_IMPORT: Final = 1099
#: Worker-kernel calls that are not Linux syscalls (the engine's side of signals
#: and threads). A WALI program never makes them: they have no import name.
SIGNAL_NEXT: Final = 1100
SIGRETURN: Final = 1101
THREAD_CREATE: Final = 1102

_THREE_I: tuple[tuple[int, str, str, None], ...] = (
    (REGISTER_HANDLER, "register_handler", "LLLL", None),
    (COPY_DATA_BETWEEN_CAGES, "copy_data_between_cages", "LLLL", None),
    (COPY_HANDLER_TABLE_TO_CAGE, "copy_handler_table_to_cage", "LL", None),
    (UNKNOWN_IMPORT, "unknown_import", "", None),
    (SIGNAL_NEXT, "warden_signal_next", "", None),
    (SIGRETURN, "warden_sigreturn", "", None),
    (THREAD_CREATE, "warden_thread_create", "", None),
)

BY_NR: Final[dict[int, SysInfo]] = {}
BY_NAME: Final[dict[str, SysInfo]] = {}
#: WALI import name (after ``SYS_``) -> info; differs from the Linux name only for
#: ``fadvise`` (fadvise64).
BY_WALI_NAME: Final[dict[str, SysInfo]] = {}

for _row in (*SYSCALLS_RAW, *_THREE_I):
    _info = SysInfo(*_row)
    BY_NR[_info.nr] = _info
    BY_NAME[_info.name] = _info
    if _info.wali_name is not None:
        BY_WALI_NAME[_info.wali_name] = _info
    elif _info.nr < 1000:
        # A WALI toolchain newer than the reference binaries imports SYS_<linux name>.
        BY_WALI_NAME.setdefault(_info.name, _info)

MAX_SYSNO: Final = max(BY_NR)


def nr(name: str) -> int:
    """The number of the syscall called ``name`` (Linux spelling)."""
    return BY_NAME[name].nr
