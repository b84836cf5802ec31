"""Import binding: declared types, unknown imports, the raw host-function path."""

from __future__ import annotations

import ctypes

import wasmtime

from abi.sysno import BY_WALI_NAME
from cage.imports import define_raw, generate_syscall_source, python_ident
from tests.harness import run_cage

ENOSYS = 38

# A guest that calls an unknown wali import, an import from another module, a known
# syscall the kernel does not implement, and prints each result, then exits through
# SYS_exit declared (i32) -> () as some WALI modules do.
_UNKNOWN = r"""
(module
  (import "wali" "SYS_write" (func $write (param i32 i32 i32) (result i64)))
  (import "wali" "SYS_definitely_not_a_syscall" (func $bogus (param i32) (result i64)))
  (import "env" "mystery" (func $mystery (result i32)))
  (import "wali" "SYS_signalfd" (func $signalfd (param i32 i32 i32) (result i64)))
  (import "wali" "SYS_exit" (func $exit (param i32)))
  (memory (export "memory") 1 1 shared)
  (func $emit (param $v i64)
    ;; stores the value as 8 raw bytes and writes them
    (i64.store (i32.const 64) (local.get $v))
    (drop (call $write (i32.const 1) (i32.const 64) (i32.const 8))))
  (func (export "_start")
    (call $emit (call $bogus (i32.const 7)))
    (call $emit (i64.extend_i32_s (call $mystery)))
    (call $emit (call $signalfd (i32.const -1) (i32.const 0) (i32.const 8)))
    (call $exit (i32.const 9))))
"""


async def test_unknown_imports_return_enosys_and_are_counted():
    r = await run_cage(_UNKNOWN.encode())
    vals = [int.from_bytes(r.stdout[i:i + 8], "little", signed=True) for i in range(0, len(r.stdout), 8)]
    assert vals == [-ENOSYS, -ENOSYS, -ENOSYS]
    assert r.exit_code == 9  # SYS_exit with its (i32) -> () type still exits
    assert r.cage.enosys.get("wali.SYS_definitely_not_a_syscall") == 1
    assert r.cage.enosys.get("env.mystery") == 1
    assert r.cage.enosys.get("signalfd") == 1


async def test_exit_declared_with_i64_result_works():
    wat = b"""(module (import "wali" "SYS_exit" (func $exit (param i32) (result i64)))
      (memory (export "memory") 1 1 shared)
      (func (export "_start") (drop (call $exit (i32.const 4)))))"""
    r = await run_cage(wat)
    assert r.exit_code == 4


async def test_module_importing_a_memory_fails_to_load_with_a_clear_error():
    wat = b"""(module (import "env" "memory" (memory 1))
      (func (export "_start")))"""
    r = await run_cage(wat)
    assert r.exit_code == 1


async def test_start_returning_normally_exits_zero():
    wat = b"""(module (memory (export "memory") 1 1 shared) (func (export "_start")))"""
    r = await run_cage(wat)
    assert r.exit_code == 0


def test_raw_unchecked_host_function_receives_widened_arguments():
    """The private wasmtime-py path the worker relies on: pinned version, tested directly."""
    engine = wasmtime.Engine()
    info = BY_WALI_NAME["lseek"]  # (i32 fd, i64 offset, i32 whence): kinds "ili"
    wat = """(module (import "wali" "SYS_lseek" (func $f (param i32 i64 i32) (result i64)))
      (func (export "go") (result i64) (call $f (i32.const -1) (i64.const -5) (i32.const 2))))"""
    module = wasmtime.Module(engine, wat)
    seen: list[tuple[object, ...]] = []
    src = generate_syscall_source(python_ident("SYS_lseek"), info, ["i32", "i64", "i32"], ["i64"])
    ns = {
        "call": lambda msg: (seen.append(msg) or (12345, 0)),
        "pack": lambda t: t,
        "SELF": 7,
        "on_flags": lambda r, f, m: r,
        "failed": lambda e: 0,
    }
    exec(compile(src, "<t>", "exec"), ns)  # noqa: S102
    keep: list[object] = []
    linker = wasmtime.Linker(engine)
    ty = module.imports[0].type
    assert isinstance(ty, wasmtime.FuncType)
    define_raw(linker, "wali", "SYS_lseek", ty, ns[python_ident("SYS_lseek")], keep)
    store = wasmtime.Store(engine)
    inst = linker.instantiate(store, module)
    assert inst.exports(store)["go"](store) == 12345
    (msg,) = seen
    assert msg[:4] == (8, "lseek", 7, 7)
    # fd sign-extended, offset signed 64-bit, whence int; every argument names its cage.
    assert msg[4::2] == (-1, -5, 2, 0, 0, 0)
    assert msg[5::2] == (7,) * 6
    assert ctypes.sizeof(ctypes.c_int64) == 8
