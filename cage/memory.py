"""Linear memory backed by a memfd, so the kernel can map the cage's memory.

wasmtime lets the embedder allocate every linear memory (a *host memory
creator*). We reserve the address range wasmtime asks for (PROT_NONE), back the
accessible prefix with a memfd mapped MAP_SHARED at a fixed address, and grow by
extending the file and mapping the new tail. The memfd goes to the kernel over
the control socket; the kernel maps it and reads/writes pointer arguments with
plain slice copies (no syscall per pointer, no ptrace rights).

Invariants:

* The memfd is sealed against shrinking (F_SEAL_SHRINK): the kernel may keep a
  mapping of every size it has seen without risking SIGBUS.
* The memory never moves (wasmtime's shared memories cannot), so ``base`` is
  stable for the life of the memory.
* The creator is installed on the Config; wasmtime calls ``new_memory`` for each
  memory a module *defines*. WALI modules define exactly one, shared.

For a fork, the parent copies its memory into a new memfd first
(``LinearMemory.snapshot``); the child maps that copy at the same address
(``LinearMemory.adopt``) before running wasm.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
from typing import Final

from wasmtime import _ffi as ffi

__all__ = ["LinearMemory", "install_memory_creator", "last_memory"]

_libc = ctypes.CDLL(None, use_errno=True)
_mmap = _libc.mmap
_mmap.restype = ctypes.c_void_p
_mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_munmap = _libc.munmap
_munmap.restype = ctypes.c_int
_munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

PROT_NONE: Final = 0
PROT_RW: Final = 3
MAP_SHARED: Final = 0x01
MAP_PRIVATE: Final = 0x02
MAP_FIXED: Final = 0x10
MAP_ANONYMOUS: Final = 0x20
MAP_NORESERVE: Final = 0x4000
MAP_FAILED: Final = ctypes.c_void_p(-1).value

F_ADD_SEALS: Final = 1033
F_GET_SEALS: Final = 1034
F_SEAL_SHRINK: Final = 0x0002

_memories: dict[int, LinearMemory] = {}
_next_key = 1
_last: LinearMemory | None = None


class LinearMemory:
    """One memfd-backed linear memory at a fixed address."""

    def __init__(self, minimum: int, maximum: int | None, reserved: int, guard: int) -> None:
        self.maximum = maximum
        span = max(reserved, maximum or 0, minimum) + guard
        base = _mmap(None, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        if base in (None, MAP_FAILED):
            raise OSError(ctypes.get_errno(), "cannot reserve linear memory")
        self.base: int = base
        self.span = span
        self.fd = os.memfd_create("warden-linear-memory", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        fcntl.fcntl(self.fd, F_ADD_SEALS, F_SEAL_SHRINK)
        self.size = 0
        self.grow_to(minimum)

    def grow_to(self, new_size: int) -> None:
        """Extend the memfd and map its new tail (wasmtime's grow callback)."""
        old = self.size
        if new_size <= old:
            return
        os.ftruncate(self.fd, new_size)
        # Map from the first page that is not mapped yet (sizes are page multiples).
        r = _mmap(self.base + old, new_size - old, PROT_RW, MAP_SHARED | MAP_FIXED, self.fd, old)
        if r != self.base + old:
            raise OSError(ctypes.get_errno(), "cannot map grown linear memory")
        self.size = new_size

    def snapshot(self) -> int:
        """A sealed memfd holding a copy of the memory as it is now (fork's child memory).

        Made by the parent *before* it forks, while the forking thread is inside
        the host call: after the fork the parent runs on at once and would change
        the shared pages under a copy the child made itself.
        """
        fd = os.memfd_create("warden-linear-memory", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            os.ftruncate(fd, self.size)
            copied = 0
            while copied < self.size:
                n = os.copy_file_range(self.fd, fd, self.size - copied, copied, copied)
                if n <= 0:
                    raise OSError("short copy of linear memory")
                copied += n
            fcntl.fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def adopt(self, fd: int) -> None:
        """Replace the backing memfd by ``fd`` (a snapshot), mapped at the same address."""
        size = os.fstat(fd).st_size
        if size:
            r = _mmap(self.base, size, PROT_RW, MAP_SHARED | MAP_FIXED, fd, 0)
            if r != self.base:
                raise OSError(ctypes.get_errno(), "cannot remap linear memory")
        os.close(self.fd)
        self.fd = fd
        self.size = size

    def read(self, offset: int, n: int) -> bytes:
        if offset < 0 or n < 0 or offset + n > self.size:
            raise IndexError("out of bounds")
        return ctypes.string_at(self.base + offset, n)

    def write(self, offset: int, data: bytes) -> None:
        if offset < 0 or offset + len(data) > self.size:
            raise IndexError("out of bounds")
        ctypes.memmove(self.base + offset, data, len(data))

    def release(self) -> None:
        if self.fd >= 0:
            _munmap(self.base, self.span)
            os.close(self.fd)
            self.fd = -1


# --- wasmtime callbacks --------------------------------------------------------
# ctypes callbacks must stay referenced for as long as wasmtime may call them.

@ffi.wasmtime_memory_get_callback_t
def _get_memory(env: int, size_out: ctypes._Pointer, max_out: ctypes._Pointer) -> int:  # type: ignore[type-arg]
    m = _memories[env]
    size_out[0] = m.size
    max_out[0] = m.maximum if m.maximum is not None else (1 << 32)
    return m.base


def _error(msg: str) -> int:
    b = msg.encode()
    err = ffi.wasmtime_error_new(ctypes.create_string_buffer(b))
    return ctypes.cast(err, ctypes.c_void_p).value or 0


@ffi.wasmtime_memory_grow_callback_t
def _grow_memory(env: int, new_size: int) -> int:
    try:
        _memories[env].grow_to(new_size)
    except Exception as e:  # must not unwind into wasmtime
        return _error(f"memory.grow failed: {e}")
    return 0


@ctypes.CFUNCTYPE(None, ctypes.c_void_p)
def _finalize_memory(env: int) -> None:
    m = _memories.pop(env, None)
    if m is not None:
        m.release()


@ffi.wasmtime_new_memory_callback_t
def _new_memory(env: int, ty: object, minimum: int, maximum: int, reserved: int, guard: int,
                ret: ctypes._Pointer) -> int:  # type: ignore[type-arg]
    global _next_key, _last
    try:
        m = LinearMemory(minimum, maximum or None, reserved, guard)
    except Exception as e:
        return _error(f"cannot create linear memory: {e}")
    key = _next_key
    _next_key += 1
    _memories[key] = m
    _last = m
    out = ret[0]
    out.env = key
    out.get_memory = _get_memory
    out.grow_memory = _grow_memory
    out.finalizer = _finalize_memory
    return 0


@ctypes.CFUNCTYPE(None, ctypes.c_void_p)
def _finalize_creator(env: int) -> None:
    pass


_creator = ffi.wasmtime_memory_creator(None, _new_memory, _finalize_creator)


def install_memory_creator(config: object) -> None:
    """Make every memory created under ``config`` a memfd-backed LinearMemory."""
    ptr = config.ptr()  # type: ignore[attr-defined]
    # Copy-on-write memory images are only for wasmtime's own mmap memories.
    ffi.wasmtime_config_memory_init_cow_set(ptr, False)
    ffi.wasmtime_config_host_memory_creator_set(ptr, ctypes.byref(_creator))


def last_memory() -> LinearMemory | None:
    """The memory created most recently (the one the last instantiation defined)."""
    return _last
