"""Address translation: the kernel's bounds-checked view of a cage's linear memory.

The worker backs linear memory with a memfd (``cage.memory``) and hands it to
the kernel, which maps it MAP_SHARED. Every pointer argument is a wasm32 offset;
``(offset, length)`` is checked against the memory's current size and then read
or written with a slice copy: no syscall, no ptrace rights.

Rules:

* A range with ``length == 0`` is valid anywhere (Linux's ``access_ok`` of an
  empty range), so ``write(fd, NULL, 0)`` returns 0.
* Offset 0 is NULL: a pointer argument of 0 with a non-zero length is EFAULT,
  even though wasm offset 0 is addressable (WALI's ``MADDR(0)`` is NULL).
* The memory only grows (the memfd is sealed against shrinking), so a size the
  kernel has seen stays valid. When a range falls beyond the mapping, the kernel
  re-reads the file size and remaps before deciding on EFAULT.
* A failed check raises ``SyscallError(EFAULT)`` -- never a short silent copy.
"""

from __future__ import annotations

import mmap
import os
import struct
from typing import Final

from abi.errno import Errno
from kernel.errors import SyscallError

__all__ = ["CageMemory", "NoMemory"]

PATH_MAX: Final = 4096
_EFAULT: Final = Errno.EFAULT

_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U64 = struct.Struct("<Q")
_I64 = struct.Struct("<q")


class CageMemory:
    """A mapped memfd plus the checks every pointer goes through."""

    __slots__ = ("fd", "mm", "mv", "size")

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.size = 0
        self.mm: mmap.mmap | None = None
        self.mv = memoryview(b"")
        self._remap()

    def _remap(self) -> bool:
        """Map the memfd at its current size; True if it grew."""
        size = os.fstat(self.fd).st_size
        if size <= self.size:
            return False
        mm = mmap.mmap(self.fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        # Old views may still be referenced by in-flight copies; they stay valid
        # because the file never shrinks. The old mmap is released with them.
        self.mm, self.mv, self.size = mm, memoryview(mm), size
        return True

    def close(self) -> None:
        self.mv = memoryview(b"")
        self.mm = None
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # --- checks ------------------------------------------------------------------

    def check(self, ptr: int, n: int) -> None:
        """Raise EFAULT unless ``[ptr, ptr+n)`` is inside the memory (and not NULL)."""
        if n > 0 and (ptr <= 0 or n < 0 or (ptr + n > self.size and not self._grew_to(ptr + n))):
            raise SyscallError(_EFAULT)

    def _grew_to(self, end: int) -> bool:
        return self._remap() and end <= self.size

    # --- bulk access ---------------------------------------------------------------

    def view(self, ptr: int, n: int) -> memoryview:
        """A writable view of ``[ptr, ptr+n)``: zero-copy reads and writes."""
        if n <= 0:
            if n < 0:
                raise SyscallError(_EFAULT)
            return memoryview(b"")
        end = ptr + n
        if ptr <= 0 or (end > self.size and not self._grew_to(end)):
            raise SyscallError(_EFAULT)
        return self.mv[ptr:end]

    def read(self, ptr: int, n: int) -> bytes:
        if n <= 0:
            if n < 0:
                raise SyscallError(_EFAULT)
            return b""
        end = ptr + n
        if ptr <= 0 or (end > self.size and not self._grew_to(end)):
            raise SyscallError(_EFAULT)
        return self.mm[ptr:end]  # type: ignore[index]

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None:
        n = len(data)
        if n == 0:
            return
        end = ptr + n
        if ptr <= 0 or (end > self.size and not self._grew_to(end)):
            raise SyscallError(_EFAULT)
        self.mv[ptr:end] = data

    def cstring(self, ptr: int, limit: int = PATH_MAX) -> bytes:
        """The NUL-terminated string at ``ptr`` (without the NUL).

        ENAMETOOLONG if no NUL within ``limit`` bytes (Linux's strncpy_from_user
        for paths), EFAULT if the string runs off the memory first.
        """
        if ptr <= 0 or (ptr >= self.size and not self._grew_to(ptr + 1)):
            raise SyscallError(_EFAULT)
        mm = self.mm
        assert mm is not None
        end = min(ptr + limit, self.size)
        i = mm.find(b"\0", ptr, end)
        if i < 0:
            if end - ptr >= limit:
                raise SyscallError(Errno.ENAMETOOLONG)
            raise SyscallError(_EFAULT)
        return mm[ptr:i]

    # --- scalars ---------------------------------------------------------------------

    def u32(self, ptr: int) -> int:
        self.check(ptr, 4)
        return _U32.unpack_from(self.mm, ptr)[0]  # type: ignore[arg-type, no-any-return]

    def i32(self, ptr: int) -> int:
        self.check(ptr, 4)
        return _I32.unpack_from(self.mm, ptr)[0]  # type: ignore[arg-type, no-any-return]

    def u64(self, ptr: int) -> int:
        self.check(ptr, 8)
        return _U64.unpack_from(self.mm, ptr)[0]  # type: ignore[arg-type, no-any-return]

    def i64(self, ptr: int) -> int:
        self.check(ptr, 8)
        return _I64.unpack_from(self.mm, ptr)[0]  # type: ignore[arg-type, no-any-return]

    def put_u32(self, ptr: int, v: int) -> None:
        self.check(ptr, 4)
        _U32.pack_into(self.mm, ptr, v & 0xFFFFFFFF)  # type: ignore[arg-type]

    def put_i32(self, ptr: int, v: int) -> None:
        self.check(ptr, 4)
        _I32.pack_into(self.mm, ptr, v)  # type: ignore[arg-type]

    def put_u64(self, ptr: int, v: int) -> None:
        self.check(ptr, 8)
        _U64.pack_into(self.mm, ptr, v & 0xFFFFFFFFFFFFFFFF)  # type: ignore[arg-type]

    def put_i64(self, ptr: int, v: int) -> None:
        self.check(ptr, 8)
        _I64.pack_into(self.mm, ptr, v)  # type: ignore[arg-type]

    def unpack(self, st: struct.Struct, ptr: int) -> tuple[int, ...]:
        self.check(ptr, st.size)
        return st.unpack_from(self.mm, ptr)  # type: ignore[arg-type]

    def pack(self, st: struct.Struct, ptr: int, *values: object) -> None:
        self.check(ptr, st.size)
        st.pack_into(self.mm, ptr, *values)  # type: ignore[arg-type]


class NoMemory(CageMemory):
    """A cage without linear memory (or not attached yet): every pointer faults."""

    def __init__(self) -> None:
        self.fd = -1
        self.size = 0
        self.mm = None
        self.mv = memoryview(b"")

    def _remap(self) -> bool:
        return False
