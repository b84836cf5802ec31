"""Errors inside the kernel.

``SyscallError(Errno.X)`` is the only way a handler reports failure: dispatch
converts it, once, into ``-X`` for the cage (the WALI/RustPOSIX convention).
Any other exception escaping a handler is a ``KernelBug``: it is logged, the
offending cage is killed, and every other cage keeps running.
"""

from __future__ import annotations

from abi.errno import Errno

__all__ = ["KernelBug", "ProtocolError", "SyscallError"]


class SyscallError(Exception):
    """A syscall failed with ``errno``; carries no traceback cost worth caring about."""

    __slots__ = ("errno",)

    def __init__(self, errno: Errno | int, msg: str | None = None) -> None:
        self.errno = int(errno)
        super().__init__(msg or Errno(self.errno).name)

    def __repr__(self) -> str:
        return f"SyscallError({Errno(self.errno).name})"


class KernelBug(Exception):
    """An exception a handler should never raise: a bug in the kernel."""


class ProtocolError(Exception):
    """A cage broke the ring or control protocol (garbage messages): reap it."""
