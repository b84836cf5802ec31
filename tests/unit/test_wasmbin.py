"""The worker's module rewrites: table export and memory import."""

from __future__ import annotations

import pytest
import wasmtime
from hypothesis import given
from hypothesis import strategies as st

from cage.wasmbin import TABLE_EXPORT, WasmFormatError, export_table, import_memory, leb_u32, read_leb_u32


def _engine() -> wasmtime.Engine:
    cfg = wasmtime.Config()
    cfg.wasm_threads = True
    cfg.shared_memory = True
    return wasmtime.Engine(cfg)


WAT = """(module
  (import "wali" "SYS_getpid" (func $g (result i64)))
  (memory (export "memory") 2 10 shared)
  (table 3 3 funcref)
  (elem (i32.const 1) $h)
  (data (i32.const 100) "hi")
  (func $h (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "_start") (drop (call $g))))"""


@given(st.integers(min_value=0, max_value=(1 << 32) - 1))
def test_leb128_round_trips_every_u32(v):
    enc = leb_u32(v)
    assert read_leb_u32(enc + b"\xff", 0) == (v, len(enc))


def test_leb128_rejects_overlong_and_truncated():
    with pytest.raises(WasmFormatError):
        read_leb_u32(b"\x80\x80", 0)
    with pytest.raises(WasmFormatError):
        read_leb_u32(b"\x80\x80\x80\x80\x80\x01", 0)


def test_export_table_makes_table_callable_from_the_host():
    e = _engine()
    wasm = export_table(wasmtime.wat2wasm(WAT))
    m = wasmtime.Module(e, wasm)
    names = [x.name for x in m.exports]
    assert TABLE_EXPORT in names and "_start" in names and "memory" in names
    store = wasmtime.Store(e)
    linker = wasmtime.Linker(e)
    linker.define_func("wali", "SYS_getpid", wasmtime.FuncType([], [wasmtime.ValType.i64()]), lambda: 1)
    inst = linker.instantiate(store, m)
    table = inst.exports(store)[TABLE_EXPORT]
    f = table.get(store, 1)
    assert f(store, 41) == 42


def test_export_table_is_idempotent():
    once = export_table(wasmtime.wat2wasm(WAT))
    assert export_table(once) == once


def test_import_memory_lets_two_instances_share_one_memory():
    e = _engine()
    original = wasmtime.wat2wasm(WAT)
    shared = import_memory(original)
    m1 = wasmtime.Module(e, original)
    m2 = wasmtime.Module(e, shared)
    imp = [(i.module, i.name) for i in m2.imports]
    assert ("env", "memory") in imp
    store = wasmtime.Store(e)
    linker = wasmtime.Linker(e)
    linker.define_func("wali", "SYS_getpid", wasmtime.FuncType([], [wasmtime.ValType.i64()]), lambda: 1)
    i1 = linker.instantiate(store, m1)
    mem = i1.exports(store)["memory"]
    assert isinstance(mem, wasmtime.SharedMemory)
    # The module's memory type survives the rewrite (shared, same limits).
    ty = [i.type for i in m2.imports if i.name == "memory"][0]
    assert ty.is_shared and ty.limits.min == 2 and ty.limits.max == 10


def test_import_memory_of_a_module_without_memory_is_an_error():
    with pytest.raises(WasmFormatError):
        import_memory(wasmtime.wat2wasm("(module)"))


def test_not_wasm_is_an_error():
    with pytest.raises(WasmFormatError):
        export_table(b"#!/bin/sh\n")
