"""The worker's wasmtime engine and the compiled-module cache.

Configuration, and why:

* threads + shared memory: WALI modules define a shared memory;
* parallel compilation off: wasmtime's compile threads do not survive
  ``os.fork`` of the worker, and compiling in the child would hang;
* exceptions on: the WALI target enables the exception-handling feature;
* the memfd memory creator (``cage.memory``): the kernel maps the memory;
* epoch interruption: the kernel interrupts running wasm to deliver a signal;
* a 2 MiB wasm stack (wasmtime caps it at its async stack size; WALI's CI
  gives iwasm 4 MiB for applications).

Compiled modules are cached on disk, keyed by the sha256 of the wasm bytes and the
wasmtime version, and written atomically (rename), so concurrent workers never see
a partial file. ``WARDEN_CACHE_DIR`` overrides the location.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

import wasmtime
from wasmtime import _ffi as ffi

from cage.memory import install_memory_creator

__all__ = ["cache_dir", "load_module", "make_engine"]

_ENGINE_FINGERPRINT = "v2-threads-shm-exc-memfd-stack2m-epoch"


#: Interrupt running wasm for signals (epoch checks cost up to ~25% in tight,
#: call-heavy loops). Without it, handlers run only when a syscall returns.
ASYNC_SIGNALS = os.environ.get("WARDEN_ASYNC_SIGNALS", "1") != "0"


def _shared_memory_as_extern(self: wasmtime.SharedMemory) -> object:
    # wasmtime-py 50 passes a pointer to the pointer here (bytecodealliance/
    # wasmtime-py#318), so importing a SharedMemory fails; the union wants the pointer.
    union = ffi.wasmtime_extern_union(sharedmemory=self.ptr())
    return ffi.wasmtime_extern_t(ffi.WASMTIME_EXTERN_SHAREDMEMORY, union)


wasmtime.SharedMemory._as_extern = _shared_memory_as_extern  # type: ignore[method-assign]


def make_engine() -> wasmtime.Engine:
    cfg = wasmtime.Config()
    cfg.wasm_threads = True
    cfg.shared_memory = True
    cfg.wasm_exceptions = True
    cfg.wasm_bulk_memory = True
    cfg.wasm_multi_value = True
    cfg.wasm_reference_types = True
    cfg.parallel_compilation = False
    cfg.max_wasm_stack = 2 << 20
    cfg.epoch_interruption = ASYNC_SIGNALS
    install_memory_creator(cfg)
    return wasmtime.Engine(cfg)


def cache_dir() -> Path:
    env = os.environ.get("WARDEN_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "warden" / "modules"


def load_module(engine: wasmtime.Engine, wasm: bytes) -> wasmtime.Module:
    """Compile ``wasm`` (binary), or deserialize it from the cache."""
    key = hashlib.sha256(wasm)
    key.update(f"{version('wasmtime')}/{_ENGINE_FINGERPRINT}/{int(ASYNC_SIGNALS)}".encode())
    d = cache_dir()
    path = d / (key.hexdigest() + ".cwasm")
    if path.exists():
        try:
            return wasmtime.Module.deserialize_file(engine, str(path))
        except wasmtime.WasmtimeError:
            pass  # stale or damaged entry: recompile and replace it
    module = wasmtime.Module(engine, wasm)
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(module.serialize())
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full cache only costs compile time
    return module
