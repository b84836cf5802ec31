"""The WALI startup protocol and exit-code conventions (WALI-ABI section 3)."""

from __future__ import annotations

from tests.harness import run_cage


async def test_hello_writes_stdout_and_exits_zero(guest_wasm):
    r = await run_cage(guest_wasm("hello"))
    assert r.stdout == b"hello, world\n"
    assert r.exit_code == 0


async def test_argv_reaches_the_program_with_argv0_as_given(guest_wasm):
    r = await run_cage(guest_wasm("args"), ["one", "two words", ""], argv0="prog.wasm")
    assert r.lines() == ["4", "prog.wasm", "one", "two words", ""]


async def test_exit_group_status_is_the_exit_code(guest_wasm):
    for code in (0, 3, 255):
        r = await run_cage(guest_wasm("exitcode"), [str(code)])
        assert r.exit_code == code


async def test_exit_status_is_truncated_to_eight_bits(guest_wasm):
    r = await run_cage(guest_wasm("exitcode"), ["257"])
    assert r.exit_code == 1


async def test_env_file_protocol_delivers_environment(guest_wasm):
    r = await run_cage(guest_wasm("env"), env=["HOME=/root", "A=b=c"])
    assert r.stdout == b"HOME=/root\nA=b=c\n"


async def test_no_environment_means_no_env_file(guest_wasm):
    r = await run_cage(guest_wasm("env"))
    assert r.stdout == b"noenv\n"


async def test_setjmp_returns_zero_and_longjmp_ends_the_program_with_status_one():
    wat = b"""(module
      (import "wali" "setjmp" (func $setjmp (param i32) (result i32)))
      (import "wali" "longjmp" (func $longjmp (param i32 i32)))
      (import "wali" "SYS_write" (func $write (param i32 i32 i32) (result i64)))
      (memory (export "memory") 1 1 shared)
      (data (i32.const 16) "zero\\n")
      (func (export "_start")
        (if (i32.eqz (call $setjmp (i32.const 1024)))
          (then (drop (call $write (i32.const 1) (i32.const 16) (i32.const 5)))))
        (call $longjmp (i32.const 1024) (i32.const 1))
        (drop (call $write (i32.const 1) (i32.const 16) (i32.const 5)))))"""
    r = await run_cage(wat)
    assert r.stdout == b"zero\n"
    assert r.exit_code == 1
