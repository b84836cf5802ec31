"""The syscall table is the spec: walk it and check it against the ABI and the tests."""

from __future__ import annotations

import re
from pathlib import Path

from abi import sysno
from kernel.table import TABLE, Level, builtin_handlers

TESTS = Path(__file__).resolve().parents[1]
_SOURCES = {p: p.read_text(errors="replace") for p in TESTS.rglob("*.py") if p.name != "test_table.py"}

#: The worker's private calls: not reachable from a program (tested through the
#: signal and thread tests that exercise them).
_NO_GUEST_TEST = {"warden_signal_next", "warden_sigreturn", "warden_thread_create"}
#: Pointer arguments Linux never dereferences, so they cannot fault.
_NOT_DEREFERENCED = {
    "set_robust_list": "the list head is only recorded",
    "mlock": "an address range: unmapped is ENOMEM",
    "munlock": "an address range: unmapped is ENOMEM",
    "clone": "ptid/ctid are used only by CLONE_*_SETTID/CLEARTID, which fork-like clone does not take",
}


def _mentioned(name: str) -> list[Path]:
    pat = re.compile(rf"\b(wali_{name}|SYS_{name}|sys_{name})\b")
    return [p for p, text in _SOURCES.items() if pat.search(text)]


def test_every_entry_matches_the_abi_numbering():
    for nr, entry in TABLE.items():
        assert sysno.BY_NR[nr].name == entry.name


def test_every_wali_import_has_a_table_entry():
    for info in sysno.BY_WALI_NAME.values():
        assert info.nr in TABLE


def test_handlers_are_named_after_their_syscall():
    for entry in TABLE.values():
        if entry.fn is not None:
            assert entry.fn.__name__.startswith("sys_"), entry
            assert entry.fn.__doc__, f"{entry.fn.__name__} needs its one-line docstring"


def test_partial_and_unimplemented_entries_say_why_or_are_enosys():
    for entry in TABLE.values():
        if entry.level is Level.PARTIAL:
            assert entry.note, f"{entry.name}: partial support needs a note"
        if entry.level is Level.UNIMPLEMENTED:
            assert entry.fn is None


def test_unimplemented_entries_dispatch_to_enosys():
    handlers = builtin_handlers()
    for entry in TABLE.values():
        assert (handlers[entry.nr] is None) == (entry.level is Level.UNIMPLEMENTED)


def test_every_supported_syscall_has_a_test():
    missing = [e.name for e in TABLE.values()
               if e.level is not Level.UNIMPLEMENTED and e.name not in _NO_GUEST_TEST and not _mentioned(e.name)]
    assert missing == []


def test_every_pointer_argument_is_covered_by_an_efault_test():
    missing = []
    for e in TABLE.values():
        info = sysno.BY_NR[e.nr]
        if e.level is Level.UNIMPLEMENTED or not info.pointer_args or e.name in _NO_GUEST_TEST:
            continue
        if e.name in _NOT_DEREFERENCED:
            continue
        if not any("EFAULT" in _SOURCES[p] for p in _mentioned(e.name)):
            missing.append(e.name)
    assert missing == []
