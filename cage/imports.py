"""Host functions for a module's imports, on wasmtime's raw (unchecked) path.

wasmtime-py's ``Func``/``define_func`` costs 6-14 us per call (a generic
trampoline converts every value through ``Val``); the raw unchecked callback with
the value array typed ``POINTER(c_int64)`` costs ~0.3 us. It is a private API of
wasmtime-py, so the version is pinned in pyproject.toml and ``tests/unit``
exercises this path directly.

Every import the module declares is bound with exactly its declared type
(modules disagree on ``SYS_exit``: ``(i32)->()`` in some, ``(i32)->(i64)`` in
others):

* ``wali.SYS_<name>`` known to ``abi.sysno``: a generated trampoline that widens
  each argument per its kind (``abi.sysno.ArgKind``), packs MAKE_SYSCALL and puts
  it on the thread's channel;
* ``wali.<aux>`` (startup protocol, threads, setjmp): a worker-local function;
* anything else: a trampoline sending the kernel an UNKNOWN_IMPORT call, which
  answers ``-ENOSYS`` and counts it like any unimplemented syscall; never a trap.

Raw value slot ``k`` is ``vals[2*k]`` (``wasmtime_val_raw`` is 16 bytes); i32
arguments arrive zero-extended and are masked anyway. A callback must never let
an exception escape into ctypes: it returns a trap pointer instead.
"""

from __future__ import annotations

import ctypes
import keyword
import sys
import traceback
from collections.abc import Callable
from typing import Final

import wasmtime
from wasmtime import _ffi as ffi

from abi.sysno import BY_WALI_NAME, UNKNOWN_IMPORT, SysInfo

__all__ = ["RAW_CALLBACK", "Unwind", "define_raw", "generate_syscall_source", "generate_unknown_source", "make_trap"]

RAW_CALLBACK: Final = ctypes.CFUNCTYPE(
    ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64), ctypes.c_size_t)
_NO_FINALIZER: Final = ctypes.cast(0, ctypes.CFUNCTYPE(None, ctypes.c_void_p))

class Unwind(BaseException):
    """Raised inside a host call to unwind the wasm stack (exec, thread exit)."""

    def __init__(self, why: str, value: int = 0) -> None:
        super().__init__(why)
        self.why = why
        self.value = value


def make_trap(message: str) -> int:
    b = message.encode()
    trap = ffi.wasmtime_trap_new(ctypes.create_string_buffer(b), len(b))
    return ctypes.cast(trap, ctypes.c_void_p).value or 0


def define_raw(linker: wasmtime.Linker, module: str, name: str, ty: wasmtime.FuncType,
               fn: Callable[..., int], keep: list[object]) -> None:
    """Define ``module.name`` on ``linker`` as a raw unchecked host function."""
    cb = RAW_CALLBACK(fn)
    keep.append(cb)
    m, n = module.encode(), name.encode()
    err = ffi.wasmtime_linker_define_func_unchecked(
        linker.ptr(), m, len(m), n, len(n), ty.ptr(),
        ctypes.cast(cb, ffi.wasmtime_func_unchecked_callback_t), None, _NO_FINALIZER)
    if err:
        raise wasmtime.WasmtimeError._from_ptr(err)


def _widen(kind: str | None, wasm_ty: str, slot: int) -> str:
    v = f"vals[{2 * slot}]"
    if wasm_ty == "i32":
        if kind == "i":
            return f"((({v} & 0xffffffff) ^ 0x80000000) - 0x80000000)"
        return f"({v} & 0xffffffff)"
    if wasm_ty == "i64":
        if kind == "L":
            return f"({v} & 0xffffffffffffffff)"
        return v
    return "0"  # floats never carry syscall arguments


def _store_result(results: list[str]) -> str:
    if not results:
        return ""
    if results[0] == "i32":
        return "vals[0] = r & 0xffffffff"
    if results[0] == "i64":
        return "vals[0] = r"
    return "vals[0] = 0"


def valtype_name(t: wasmtime.ValType) -> str:
    return str(t)


def generate_syscall_source(fname: str, info: SysInfo, params: list[str], results: list[str]) -> str:
    """Python source of a trampoline for ``SYS_<info.wali_name>`` with this wasm type.

    The function reads ``call``, ``pack``, ``SELF``, ``on_flags`` and ``failed``
    from its globals: each thread execs the source in its own namespace.
    """
    kinds = info.args or ""
    args = []
    for k in range(6):
        if k < len(params):
            args.append(_widen(kinds[k] if k < len(kinds) else None, params[k], k))
        else:
            args.append("0")
    fields = ", ".join(f"{a}, SELF" for a in args)
    store = _store_result(results)
    return (
        f"def {fname}(env, caller, vals, n):\n"
        f"    try:\n"
        f"        m = pack(({info.nr}, {info.name!r}, SELF, SELF, {fields}))\n"
        f"        r, f = call(m)\n"
        f"        if f:\n"
        f"            r = on_flags(r, f, m)\n"
        f"        {store}\n"
        f"        return 0\n"
        f"    except BaseException as e:\n"
        f"        return failed(e)\n"
    )


def syscall_info(module: str, name: str) -> SysInfo | None:
    if module != "wali" or not name.startswith("SYS_"):
        return None
    return BY_WALI_NAME.get(name[4:])


def python_ident(name: str) -> str:
    ident = "".join(c if c.isalnum() else "_" for c in name)
    if keyword.iskeyword(ident) or not ident.isidentifier():
        ident = "_" + ident
    return "t_" + ident


def report_internal_error(e: BaseException) -> int:
    """Last resort for an unexpected exception inside a host call: trap the cage."""
    print(f"warden: internal error in a host call: {e!r}", file=sys.stderr)
    traceback.print_exception(e, file=sys.stderr)
    return make_trap(f"warden internal error: {e!r}")


def generate_unknown_source(fname: str, key: str, results: list[str]) -> str:
    """Trampoline for an import nobody implements: the kernel answers -ENOSYS and counts it."""
    store = _store_result(results) if results and results[0] in ("i32", "i64") else (
        "vals[0] = 0" if results else "")
    return (
        f"def {fname}(env, caller, vals, n):\n"
        f"    try:\n"
        f"        m = pack(({UNKNOWN_IMPORT}, {key!r}, SELF, SELF, 0, SELF, 0, SELF, 0, SELF, 0, SELF, 0, SELF,"
        f" 0, SELF))\n"
        f"        r, f = call(m)\n"
        f"        if f:\n"
        f"            r = on_flags(r, f, m)\n"
        f"        {store}\n"
        f"        return 0\n"
        f"    except BaseException as e:\n"
        f"        return failed(e)\n"
    )
