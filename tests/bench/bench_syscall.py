"""Null-syscall cost (getpid) through the kernel, against an in-process host function.

Prints, from one run:

* the ring round trip as the worker sees it (p50, p99 over every call);
* the cost per call as wasm sees it: (loop of N getpid - empty loop of N) / N,
  both inside one ``warden run`` each, measured as a user would (wall time);
* the same loop with getpid as an in-process wasmtime-py host function: the
  raw unchecked path (what Warden's worker uses) and the public ``Func`` API;
* the ratios.

Usage: python tests/bench/bench_syscall.py [N]
"""

from __future__ import annotations

import array
import ctypes
import glob
import os
import sys
import tempfile
import time

from _common import guest, percentile, run_cli, table

import wasmtime
from wasmtime import _ffi as ffi


def in_process(wasm: bytes, n: int, empty: bool, raw: bool) -> float:
    """Seconds for the guest's loop with getpid as a host function in this process."""
    cfg = wasmtime.Config()
    cfg.wasm_threads = True
    cfg.shared_memory = True
    engine = wasmtime.Engine(cfg)
    module = wasmtime.Module(engine, wasm)
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    argv = [b"getpid_loop", str(n).encode()] + ([b"empty"] if empty else [])
    mem: list[object] = []
    keep: list[object] = []

    class Exit(Exception):
        pass

    def base() -> int:
        m = mem[0]
        return ctypes.addressof(m.data_ptr().contents)  # type: ignore[attr-defined]

    handlers = {
        "__init": lambda *a: 0,
        "__deinit": lambda *a: 0,
        "__cl_get_argc": lambda *a: len(argv),
        "__cl_get_argv_len": lambda i, *a: len(argv[i]),
        "__cl_copy_argv": lambda buf, i, *a: (ctypes.memmove(base() + buf, argv[i] + b"\0", len(argv[i]) + 1), 0)[1],
        "SYS_getpid": lambda *a: os.getpid(),
    }
    cb_t = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64),
                            ctypes.c_size_t)
    for imp in module.imports:
        ty = imp.type
        assert isinstance(ty, wasmtime.FuncType)
        fn = handlers.get(imp.name or "", lambda *a: 0)
        nparams = len(ty.params)
        nres = len(ty.results)
        if imp.name == "__proc_exit":
            def proc_exit(*a: int) -> None:
                raise Exit()
            linker.define_func("wali", imp.name, ty, proc_exit)
            continue
        if raw:
            def make(fn=fn, nparams=nparams, nres=nres):  # type: ignore[no-untyped-def]
                def cb(env, caller, vals, n):  # type: ignore[no-untyped-def]
                    r = fn(*[vals[2 * i] & 0xFFFFFFFF for i in range(nparams)])
                    if nres:
                        vals[0] = r
                    return 0
                return cb
            c = cb_t(make())
            keep.append(c)
            m, nm = b"wali", (imp.name or "").encode()
            err = ffi.wasmtime_linker_define_func_unchecked(
                linker.ptr(), m, len(m), nm, len(nm), ty.ptr(), ctypes.cast(c, ffi.wasmtime_func_unchecked_callback_t),
                None, ctypes.cast(0, ctypes.CFUNCTYPE(None, ctypes.c_void_p)))
            assert not err
        else:
            linker.define_func("wali", imp.name or "", ty, (lambda fn, nres: (lambda *a: fn(*a) if nres else (fn(*a), None)[1]))(fn, nres))
    inst = linker.instantiate(store, module)
    mem.append(inst.exports(store)["memory"])
    start = inst.exports(store)["_start"]
    t = time.perf_counter()
    try:
        start(store)  # type: ignore[operator]
    except Exit:
        pass
    except wasmtime.Trap:
        pass
    return time.perf_counter() - t


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    wasm_path = guest("getpid_loop")
    wasm = wasm_path.read_bytes()

    # In-process references (same module, same loop).
    ip_raw = (in_process(wasm, n, False, True) - in_process(wasm, n, True, True)) / n
    n_small = max(n // 20, 1000)
    ip_func = (in_process(wasm, n_small, False, False) - in_process(wasm, n_small, True, False)) / n_small

    # Warden: latency of every ring round trip, recorded by the worker.
    with tempfile.TemporaryDirectory() as d:
        lat_file = os.path.join(d, "lat")
        wall, r = run_cli(str(wasm_path), str(n), env={"WARDEN_LATENCY_FILE": lat_file})
        assert r.returncode == 0, r.stderr
        samples: list[int] = []
        for f in glob.glob(lat_file + ".*"):
            a = array.array("Q")
            with open(f, "rb") as fh:
                a.frombytes(fh.read())
            samples.extend(a)
    samples = samples[min(1000, len(samples) // 10):]  # drop warm-up
    p50 = percentile([s / 1000 for s in samples], 50)
    p99 = percentile([s / 1000 for s in samples], 99)

    # Warden as a user sees it: whole `warden run`, loop minus empty loop.
    def per_call() -> float:
        t_loop, r1 = run_cli(str(wasm_path), str(n))
        t_empty, r2 = run_cli(str(wasm_path), str(n), "empty")
        assert r1.returncode == 0 and r2.returncode == 0
        return (t_loop - t_empty) / n

    user = sorted(per_call() for _ in range(3))[1]

    rows = [
        ("measure", "value", "ratio to in-process raw"),
        ("warden ring round trip p50 (in worker)", f"{p50:.2f} us", f"{p50 / (ip_raw * 1e6):.1f}x"),
        ("warden ring round trip p99 (in worker)", f"{p99:.2f} us", f"{p99 / (ip_raw * 1e6):.1f}x"),
        ("warden per call seen by wasm ((N - empty)/N)", f"{user * 1e6:.2f} us", f"{user / ip_raw:.1f}x"),
        ("in-process raw unchecked host fn", f"{ip_raw * 1e6:.3f} us", "1.0x"),
        ("in-process wasmtime-py Func", f"{ip_func * 1e6:.2f} us", f"{ip_func / ip_raw:.1f}x"),
    ]
    print(f"null syscall (getpid), N = {n}, cpus = {os.cpu_count()}")
    print(table(rows))
    print(f"syscalls/s through warden (one cage): {1 / user:,.0f}")


if __name__ == "__main__":
    main()
