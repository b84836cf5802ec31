"""The guest build pipeline: wali.h, walilib.h, build.py's cache and the shipped guests.

Module shape is checked with wasmtime; behaviour is checked by running the guests
under a tiny in-test WALI host (``_MiniHost``), not under Warden.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import functools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_REPO = Path(__file__).resolve().parents[2]
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

import pytest  # noqa: E402
import wasmtime  # noqa: E402

from abi._sysdata import SYSCALLS_RAW  # noqa: E402
from tests.guests import build, gen_wali_h  # noqa: E402

EXPECTED_GUESTS = ("args", "efault", "env", "exitcode", "getpid_loop", "hello", "rw_bench", "trap")

#: WALI import name -> argument kinds, for every syscall wali.h declares.
WALI_KINDS: dict[str, str] = {
    wali: kinds for _nr, _name, kinds, wali in SYSCALLS_RAW if wali is not None and kinds is not None
}
I32, I64 = "i32", "i64"  # compared with str(wasmtime.ValType)
#: WALI-ABI.md section 3.2: aux import -> (params, results).
AUX_SIGNATURES: dict[str, tuple[list[str], list[str]]] = {
    "__init": ([], [I32]),
    "__deinit": ([], [I32]),
    "__proc_exit": ([I32], []),
    "__cl_get_argc": ([], [I32]),
    "__cl_get_argv_len": ([I32], [I32]),
    "__cl_copy_argv": ([I32, I32], [I32]),
    "__get_init_envfile": ([I32, I32], [I32]),
}
EFAULT, ENOSYS = 14, 38


@functools.cache
def _engine() -> wasmtime.Engine:
    cfg = wasmtime.Config()
    cfg.wasm_threads = True
    cfg.shared_memory = True
    return wasmtime.Engine(cfg)


@pytest.fixture(scope="module", autouse=True)
def _release_engine() -> Iterator[None]:
    # Drop wasmtime objects before interpreter shutdown tears down wasmtime's ffi.
    yield
    _engine.cache_clear()


def _module(path: Path) -> wasmtime.Module:
    return wasmtime.Module(_engine(), path.read_bytes())


def _expected_signature(import_name: str) -> tuple[list[str], list[str]]:
    if import_name in AUX_SIGNATURES:
        return AUX_SIGNATURES[import_name]
    assert import_name.startswith("SYS_"), import_name
    kinds = WALI_KINDS[import_name.removeprefix("SYS_")]
    return [I64 if k in "lL" else I32 for k in kinds], [I64]


def _assert_wali_shape(module: wasmtime.Module) -> None:
    exports = {e.name: e.type for e in module.exports}
    assert set(exports) >= {"_start", "memory"}
    start = exports["_start"]
    assert isinstance(start, wasmtime.FuncType)
    assert (start.params, start.results) == ([], [])
    memory = exports["memory"]
    assert isinstance(memory, wasmtime.MemoryType)
    assert memory.is_shared
    assert not memory.is_64
    assert memory.limits.max == 67108864 // 65536
    for imp in module.imports:
        assert imp.module == "wali", f"{imp.module}.{imp.name}"
        assert isinstance(imp.type, wasmtime.FuncType), imp.name
        params, results = _expected_signature(imp.name)
        got = ([str(t) for t in imp.type.params], [str(t) for t in imp.type.results])
        assert got == (params, results), imp.name


# --------------------------------------------------------------------------- mini host


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _MiniHost:
    """Just enough of a WALI host to run the test guests under wasmtime.

    ``handlers`` maps an import name to ``f(host, *args) -> int``; pointer arguments
    arrive as wasmtime gives them (signed i32) -- use ``host.ptr()``. Unhandled
    ``SYS_*`` imports return -ENOSYS. ``calls`` records (import name, args) in order.
    """

    def __init__(self, wasm: Path, argv: list[str], handlers: dict[str, Callable[..., Any]] | None = None):
        self.argv = [a.encode() for a in argv]
        self.handlers = handlers or {}
        self.calls: list[tuple[str, tuple[int, ...]]] = []
        self.out: dict[int, bytearray] = {1: bytearray(), 2: bytearray()}
        self.store = wasmtime.Store(_engine())
        self.module = _module(wasm)
        self._caller: wasmtime.Caller | None = None
        linker = wasmtime.Linker(_engine())
        for imp in self.module.imports:
            linker.define_func(imp.module, imp.name, imp.type, self._dispatch(imp.name), access_caller=True)
        self.instance = linker.instantiate(self.store, self.module)

    @staticmethod
    def ptr(value: int) -> int:
        return value & 0xFFFFFFFF

    def mem(self) -> ctypes.Array[ctypes.c_ubyte]:
        assert self._caller is not None
        m = self._caller["memory"]
        assert isinstance(m, wasmtime.SharedMemory)
        return (ctypes.c_ubyte * m.data_len()).from_address(ctypes.addressof(m.data_ptr().contents))

    def cstring(self, ptr: int) -> bytes:
        m = self.mem()
        p = self.ptr(ptr)
        end = p
        while m[end]:
            end += 1
        return bytes(m[p:end])

    def _dispatch(self, name: str) -> Callable[..., Any]:
        def call(caller: wasmtime.Caller, *args: int) -> Any:
            self._caller = caller
            self.calls.append((name, args))
            handler = self.handlers.get(name) or getattr(self, "_h" + name, None)
            if handler is not None:
                return handler(self, *args) if name in self.handlers else handler(*args)
            return -ENOSYS

        return call

    # default handlers
    def _h__init(self) -> int:
        return 0

    def _h__deinit(self) -> int:
        return 0

    def _h__proc_exit(self, code: int) -> None:
        raise _Exit(code)

    def _hSYS_exit_group(self, code: int) -> int:
        raise _Exit(code)

    def _h__cl_get_argc(self) -> int:
        return len(self.argv)

    def _h__cl_get_argv_len(self, idx: int) -> int:
        return len(self.argv[idx])

    def _h__cl_copy_argv(self, buf: int, idx: int) -> int:
        data = self.argv[idx] + b"\0"
        p = self.ptr(buf)
        self.mem()[p : p + len(data)] = data
        return 0

    def _h__get_init_envfile(self, buf: int, size: int) -> int:
        return 0

    def _hSYS_write(self, fd: int, buf: int, count: int) -> int:
        m, p, n = self.mem(), self.ptr(buf), self.ptr(count)
        if p + n > len(m):
            return -EFAULT
        self.out.setdefault(fd, bytearray()).extend(bytes(m[p : p + n]))
        return n

    def run(self) -> int:
        """Run ``_start``; return the exit code given to __proc_exit / exit_group."""
        start = self.instance.exports(self.store)["_start"]
        assert isinstance(start, wasmtime.Func)
        try:
            start(self.store)
        except _Exit as e:
            return e.code
        raise AssertionError("_start returned without __proc_exit")

    def count(self, name: str) -> int:
        return sum(1 for n, _ in self.calls if n == name)


def _os_file_handlers(fds: dict[int, int]) -> dict[str, Callable[..., Any]]:
    """SYS_open/read/write/lseek/ftruncate/close backed by real host files (guest fd -> host fd)."""

    def sys_open(h: _MiniHost, path: int, flags: int, mode: int) -> int:
        try:
            host_fd = os.open(h.cstring(path), flags, mode)
        except OSError as e:
            return -e.errno
        guest_fd = 3 + len(fds)
        fds[guest_fd] = host_fd
        return guest_fd

    def sys_read(h: _MiniHost, fd: int, buf: int, count: int) -> int:
        data = os.read(fds[fd], h.ptr(count))
        p = h.ptr(buf)
        h.mem()[p : p + len(data)] = data
        return len(data)

    def sys_write(h: _MiniHost, fd: int, buf: int, count: int) -> int:
        if fd not in fds:
            return _MiniHost._hSYS_write(h, fd, buf, count)
        p, n = h.ptr(buf), h.ptr(count)
        return os.write(fds[fd], bytes(h.mem()[p : p + n]))

    def sys_lseek(h: _MiniHost, fd: int, off: int, whence: int) -> int:
        return os.lseek(fds[fd], off, whence)

    def sys_ftruncate(h: _MiniHost, fd: int, length: int) -> int:
        os.ftruncate(fds[fd], length)
        return 0

    def sys_close(h: _MiniHost, fd: int) -> int:
        os.close(fds.pop(fd))
        return 0

    return {
        "SYS_open": sys_open,
        "SYS_read": sys_read,
        "SYS_write": sys_write,
        "SYS_lseek": sys_lseek,
        "SYS_ftruncate": sys_ftruncate,
        "SYS_close": sys_close,
    }


@pytest.fixture(scope="module")
def guest() -> Callable[[str], Path]:
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = build.build_guest(build.guest_source(name))
        return built[name]

    return get


# --------------------------------------------------------------------------- wali.h


def test_wali_h_matches_generator_output() -> None:
    assert (build.INCLUDE_DIR / "wali.h").read_text() == gen_wali_h.render()


def test_wali_h_declares_one_import_per_wali_syscall() -> None:
    text = (build.INCLUDE_DIR / "wali.h").read_text()
    for wali in WALI_KINDS:
        assert text.count(f'import_name("SYS_{wali}")') == 1, wali


def test_every_wali_h_import_links_with_the_wali_signature() -> None:
    # One guest calls every declared function, so every import ends up in the module.
    calls = []
    for _nr, name, kinds, wali in SYSCALLS_RAW:
        if wali is None or kinds is None:
            continue
        args = ", ".join("(void *)0" if k == "p" else "0" for k in kinds)
        calls.append(f"    acc += wali_{name}({args});")
    aux = [
        "    acc += wali_init();",
        "    acc += wali_deinit();",
        "    acc += wali_cl_get_argc();",
        "    acc += wali_cl_get_argv_len(0);",
        "    acc += wali_cl_copy_argv((void *)0, 0);",
        "    acc += wali_get_init_envfile((void *)0, 0);",
        "    wali_proc_exit((int32_t)acc);",
    ]
    src = "\n".join(
        [
            '#include "wali.h"',
            '__attribute__((export_name("_start"))) void _start(void) {',
            "    int64_t acc = 0;",
            *calls,
            *aux,
            "}",
        ]
    )
    module = _module(build.build_guest(src, name="all_imports.c"))
    _assert_wali_shape(module)
    names = {imp.name for imp in module.imports}
    assert names == {f"SYS_{w}" for w in WALI_KINDS} | set(AUX_SIGNATURES)


# --------------------------------------------------------------------------- shipped guests


def test_all_expected_guest_programs_exist() -> None:
    assert set(EXPECTED_GUESTS) <= set(build.GUESTS)


@pytest.mark.parametrize("name", EXPECTED_GUESTS)
def test_guest_builds_to_wali_shaped_module(name: str, guest: Callable[[str], Path]) -> None:
    path = guest(name)
    assert path.suffix == ".wasm"
    assert path.parent == build.cache_dir()
    _assert_wali_shape(_module(path))


def test_hello_writes_greeting_and_exits_zero(guest: Callable[[str], Path]) -> None:
    host = _MiniHost(guest("hello"), ["hello.wasm"])
    assert host.run() == 0
    assert bytes(host.out[1]) == b"hello, world\n"
    assert [n for n, _ in host.calls][:1] == ["__init"]
    assert [n for n, _ in host.calls][-2:] == ["__deinit", "__proc_exit"]


def test_args_prints_argc_then_each_argument(guest: Callable[[str], Path]) -> None:
    argv = ["args.wasm", "one", "", "with space", "ünïcode"]
    host = _MiniHost(guest("args"), argv)
    assert host.run() == 0
    assert host.out[1].decode() == "5\n" + "".join(a + "\n" for a in argv)


def test_too_many_arguments_exit_with_overflow_status(guest: Callable[[str], Path]) -> None:
    host = _MiniHost(guest("args"), ["args.wasm"] * 65)
    assert host.run() == 120
    assert b"too many arguments" in host.out[2]


@pytest.mark.parametrize("code", [0, 3, 255])
def test_exitcode_exits_through_exit_group(code: int, guest: Callable[[str], Path]) -> None:
    host = _MiniHost(guest("exitcode"), ["exitcode.wasm", str(code)])
    assert host.run() == code
    assert host.count("SYS_exit_group") == 1
    assert host.count("__proc_exit") == 0


def test_getpid_loop_calls_getpid_n_times(guest: Callable[[str], Path]) -> None:
    host = _MiniHost(guest("getpid_loop"), ["getpid_loop.wasm", "1000"], {"SYS_getpid": lambda h: 42})
    assert host.run() == 0
    assert host.count("SYS_getpid") == 1000


def test_getpid_loop_empty_mode_makes_no_syscalls(guest: Callable[[str], Path]) -> None:
    host = _MiniHost(guest("getpid_loop"), ["getpid_loop.wasm", "1000", "empty"])
    assert host.run() == 0
    assert not [n for n, _ in host.calls if n.startswith("SYS_")]


def test_efault_prints_host_results_for_bad_buffers(guest: Callable[[str], Path]) -> None:
    def bad_read(h: _MiniHost, fd: int, buf: int, count: int) -> int:
        assert (fd, h.ptr(buf), count) == (0, 0x7FFFFFFF, 10)
        return -EFAULT

    host = _MiniHost(guest("efault"), ["efault.wasm"], {"SYS_read": bad_read})
    assert host.run() == 0
    _name, (fd, buf, count) = next(c for c in host.calls if c[0] == "SYS_write")
    assert (fd, _MiniHost.ptr(buf), count) == (1, 0xFFFFFFF0, 100)
    assert bytes(host.out[1]) == b"-14\n-14\n"


@pytest.mark.parametrize(("argv", "message"), [([], "unreachable"), (["oob"], "out of bounds")])
def test_trap_guest_traps_after_printing(argv: list[str], message: str, guest: Callable[[str], Path]) -> None:
    host = _MiniHost(guest("trap"), ["trap.wasm", *argv])
    with pytest.raises(wasmtime.Trap, match=message):
        host.run()
    assert bytes(host.out[1]) == b"before trap\n"


def test_env_prints_noenv_without_env_file(guest: Callable[[str], Path]) -> None:
    host = _MiniHost(guest("env"), ["env.wasm"])
    assert host.run() == 0
    assert bytes(host.out[1]) == b"noenv\n"


def test_env_reads_env_file_named_by_host(tmp_path: Path, guest: Callable[[str], Path]) -> None:
    env_file = tmp_path / "wali_env"
    content = b"A=1\nPATH=/bin:/usr/bin\nLAST=no newline"
    env_file.write_bytes(content)
    fds: dict[int, int] = {}

    def envfile(h: _MiniHost, buf: int, size: int) -> int:
        assert size == 1000
        data = str(env_file).encode() + b"\0"
        p = h.ptr(buf)
        h.mem()[p : p + len(data)] = data
        return 1

    handlers = {"__get_init_envfile": envfile, **_os_file_handlers(fds)}
    host = _MiniHost(guest("env"), ["env.wasm"], handlers)
    assert host.run() == 0
    assert bytes(host.out[1]) == content
    assert not fds  # closed again
    assert host.calls[[n for n, _ in host.calls].index("SYS_open")][1][1:] == (os.O_RDONLY, 0)


def test_env_reports_env_path_that_did_not_fit(guest: Callable[[str], Path]) -> None:
    def envfile(h: _MiniHost, buf: int, size: int) -> int:
        h.mem()[h.ptr(buf)] = 0
        return 1

    host = _MiniHost(guest("env"), ["env.wasm"], {"__get_init_envfile": envfile})
    assert host.run() == 2
    assert bytes(host.out[1]) == b"envpath too long\n"


def test_rw_bench_write_mode_writes_count_times_at_offset_zero(
    tmp_path: Path, guest: Callable[[str], Path]
) -> None:
    target = tmp_path / "bench.dat"
    fds: dict[int, int] = {}
    host = _MiniHost(
        guest("rw_bench"), ["rw_bench.wasm", "3000", "7", "write", str(target)], _os_file_handlers(fds)
    )
    assert host.run() == 0
    assert host.count("SYS_write") == 7
    assert host.count("SYS_lseek") == 7
    assert target.stat().st_size == 3000
    assert oct(target.stat().st_mode & 0o777) == oct(0o644 & ~_umask())
    assert not bytes(host.out[1])
    assert not fds


def test_rw_bench_read_mode_extends_short_file_then_reads(
    tmp_path: Path, guest: Callable[[str], Path]
) -> None:
    target = tmp_path / "bench.dat"
    fds: dict[int, int] = {}
    host = _MiniHost(
        guest("rw_bench"), ["rw_bench.wasm", "4096", "5", "read", str(target)], _os_file_handlers(fds)
    )
    assert host.run() == 0
    assert host.count("SYS_read") == 5
    assert host.count("SYS_ftruncate") == 1
    assert target.stat().st_size == 4096
    assert not bytes(host.out[1])
    assert not fds


def test_rw_bench_rejects_bad_arguments(guest: Callable[[str], Path]) -> None:
    host = _MiniHost(guest("rw_bench"), ["rw_bench.wasm", "10", "1", "sideways", "/nonexistent"])
    assert host.run() == 2
    assert host.count("SYS_open") == 0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- walilib.h

_FORMAT_GUEST = r"""
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    (void)argc; (void)argv;
    wprintf(1, "[%d|%i|%u|%x|%X]\n", -42, 7, 4000000000u, 0xbeef, 0xbeef);
    wprintf(1, "[%lld|%ld|%llu|%llx]\n", (int64_t)INT64_MIN, (int64_t)-5000000000LL,
            (uint64_t)UINT64_MAX, (uint64_t)0x123456789abcdefULL);
    wprintf(1, "[%5d|%-5d|%05d|%-6s|%6s|%c|%%|%zu]\n", 42, 42, -42, "ab", "cd", 'Z', (size_t)9);
    wprintf(1, "[%s|%p|%q]\n", (const char *)0, (void *)0x10, 1);
    print_int(1, INT64_MIN); puts_fd(1, "\n");
    char big[1500];
    memset(big, 'x', sizeof big - 1); big[sizeof big - 1] = 0;
    check_eq(wprintf(1, "%s\n", big), 1500, "long output is counted");
    check_eq(strlen("hello"), 5, "strlen");
    check(strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && streq("x", "x"), "strcmp");
    check(strncmp("abcX", "abcY", 3) == 0 && strncmp("ab", "abc", 5) < 0, "strncmp");
    check(memcmp("ab\0c", "ab\0d", 4) < 0, "memcmp");
    char buf[32] = "0123456789";
    memmove(buf + 2, buf, 8);
    check(memcmp(buf, "0101234567", 10) == 0, "memmove overlap");
    check_eq(wali_atoi("-123"), -123, "atoi");
    check_eq(wali_atoi("0x1F"), 31, "atoi hex");
    char *a = wali_alloc(10), *b = wali_alloc(1);
    check(a && b && ((uintptr_t)a & 15) == 0 && ((uintptr_t)b & 15) == 0 && b > a, "alloc alignment");
    check(wali_alloc((size_t)WALI_HEAP_SIZE) == 0, "alloc exhaustion");
    return 0;
}
"""


def test_wprintf_and_string_helpers_behave_like_libc() -> None:
    host = _MiniHost(build.build_guest(_FORMAT_GUEST, name="fmt.c"), ["fmt.wasm"])
    code = host.run()
    assert host.out[2].decode() == ""
    assert code == 0
    lines = host.out[1].decode().split("\n")
    assert lines[0] == "[-42|7|4000000000|beef|BEEF]"
    assert lines[1] == "[-9223372036854775808|-5000000000|18446744073709551615|123456789abcdef]"
    assert lines[2] == "[   42|42   |-0042|ab    |    cd|Z|%|9]"
    assert lines[3] == "[(null)|0x10|%q]"
    assert lines[4] == "-9223372036854775808"
    assert lines[5] == "x" * 1499


def test_failed_check_is_reported_and_turns_exit_status_to_one() -> None:
    src = '#include "walilib.h"\nWALI_MAIN\nint main(int argc, char **argv) {\n'
    src += '    check(argc == 99, "argc is 99");\n    check_eq(argc, 1, "fine");\n'
    src += '    check_eq(argc + 1, 7, "sum");\n    return check_failures() == 2 ? 0 : 42;\n}\n'
    host = _MiniHost(build.build_guest(src, name="checks.c"), ["checks.wasm"])
    assert host.run() == 1
    assert host.out[2].decode() == "FAIL checks.c:4: argc is 99\nFAIL checks.c:6: sum: got 2, want 7\n"
    assert host.count("__deinit") == 0


# --------------------------------------------------------------------------- build.py


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("WARDEN_GUEST_CACHE", str(cache))
    return cache


def _counting_compiler(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    runs: list[list[str]] = []
    real_run = subprocess.run

    def run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        runs.append(cmd)
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(build.subprocess, "run", run)
    return runs


_TINY = '#include "walilib.h"\nWALI_MAIN\nint main(int argc, char **argv) { return argc - 1; }\n'


def test_second_build_returns_cached_path_without_compiling(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = _counting_compiler(monkeypatch)
    first = build.build_guest(_TINY, name="tiny.c")
    mtime = first.stat().st_mtime_ns
    second = build.build_guest(_TINY, name="tiny.c")
    assert first == second
    assert first.parent == fresh_cache
    assert len(first.stem) == 64
    assert first.suffix == ".wasm"
    assert len(runs) == 1
    assert second.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in fresh_cache.iterdir()) == [first.name]  # no temp leftovers


def test_cache_key_covers_source_name_and_flags(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _counting_compiler(monkeypatch)
    base = build.build_guest(_TINY, name="tiny.c")
    other_src = build.build_guest(_TINY + "\n", name="tiny.c")
    other_name = build.build_guest(_TINY, name="tiny2.c")
    other_flags = build.build_guest(_TINY, name="tiny.c", extra_flags=["-DX=1"])
    assert len({base, other_src, other_name, other_flags}) == 4
    assert len(runs) == 4
    assert "-DX=1" in runs[-1]


def test_path_and_text_sources_of_same_file_share_cache(fresh_cache: Path, tmp_path: Path) -> None:
    src = tmp_path / "same.c"
    src.write_text(_TINY)
    assert build.build_guest(src) == build.build_guest(str(src)) == build.build_guest(_TINY, name="same.c")


def test_syntax_error_raises_with_compiler_message(fresh_cache: Path) -> None:
    bad = '#include "walilib.h"\nWALI_MAIN\nint main(int argc, char **argv) { return 0 }\n'
    with pytest.raises(build.GuestBuildError, match="expected ';'") as info:
        build.build_guest(bad, name="broken.c")
    assert "broken.c:3" in str(info.value)
    assert "expected ';'" in info.value.stderr
    assert not list(fresh_cache.glob("*.wasm"))
    assert not list(fresh_cache.glob(".build-*"))


def test_concurrent_builds_of_same_guest_agree(fresh_cache: Path) -> None:
    src = _TINY + "/* concurrent */\n"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        paths = list(pool.map(lambda _: build.build_guest(src, name="conc.c"), range(4)))
    assert len(set(paths)) == 1
    _assert_wali_shape(_module(paths[0]))
    assert sorted(p.name for p in fresh_cache.iterdir()) == [paths[0].name]


def test_build_wat_assembles_and_caches(fresh_cache: Path) -> None:
    wat = '(module (memory (export "memory") 1 1 shared) (func (export "_start")))'
    path = build.build_wat(wat)
    assert build.build_wat(wat) == path
    assert path.parent == fresh_cache
    module = _module(path)
    assert {e.name for e in module.exports} == {"memory", "_start"}


def test_build_wat_rejects_invalid_text(fresh_cache: Path) -> None:
    with pytest.raises(build.GuestBuildError, match="WAT"):
        build.build_wat("(module (func (export ")
    assert not list(fresh_cache.glob("*.wasm"))


def test_unknown_guest_name_is_reported() -> None:
    with pytest.raises(FileNotFoundError, match="nosuchguest"):
        build.guest_source("nosuchguest")
