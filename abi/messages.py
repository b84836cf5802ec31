"""The syscall message and its reply: the only things that cross the ring.

A request is Lind's 3i shape, ``MAKE_SYSCALL(num, name, self_cage, target_cage,
a1, c1, ..., a6, c6)``, encoded as one msgpack array of exactly 16 items. Every
argument ``a<k>`` travels with ``c<k>``, the id of the cage whose memory it points
into (a grate forwarding a call with its own buffer names itself); ``name`` is for
tracing only, dispatch is by ``(self_cage, num)``.

A reply is two fixed-width fields in the channel (``abi.ring``): the i64 result
(``-errno`` in ``[-4095, -1]`` on failure, as WALI returns it) and a flags word.

Control messages (worker <-> kernel, outside the syscall path) are msgpack arrays
``[tag, ...]`` on a SOCK_SEQPACKET socket, with file descriptors as SCM_RIGHTS.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

import msgpack

__all__ = [
    "Ctl",
    "MakeSyscall",
    "MessageError",
    "ReplyFlag",
    "decode_ctl",
    "decode_syscall",
    "encode_ctl",
    "encode_syscall",
]

MSG_LEN: Final = 16


class ReplyFlag(enum.IntFlag):
    """Bits of the reply's flags word."""

    NONE = 0
    #: A signal is pending and unblocked: the cage asks for it (SIGNAL_NEXT) and
    #: runs its handler before going back into wasm.
    SIGNAL = 1
    #: The cage must end now (exit_group, or killed): ``result`` is the wait status.
    EXIT = 2
    #: execve succeeded: the new program is waiting on the control socket.
    EXEC = 4
    #: fork succeeded: the child's ring and sockets are waiting on the control socket.
    FORK = 8
    #: Only this thread must end (exit of one thread in a multi-threaded cage).
    THREAD_EXIT = 16
    #: Grow linear memory to at least ``result`` bytes, then send the same request
    #: again (mmap/brk/mremap needing memory the cage does not have yet).
    GROW = 32


class MessageError(ValueError):
    """A message that is not well formed: the peer is broken or hostile."""


@dataclass(frozen=True, slots=True)
class MakeSyscall:
    """A decoded request; built only off the hot path (tracing, grates, tests)."""

    num: int
    name: str
    self_cage: int
    target_cage: int
    args: tuple[int, int, int, int, int, int]
    cages: tuple[int, int, int, int, int, int]

    def encode(self) -> bytes:
        a, c = self.args, self.cages
        return encode_syscall(
            (self.num, self.name, self.self_cage, self.target_cage,
             a[0], c[0], a[1], c[1], a[2], c[2], a[3], c[3], a[4], c[4], a[5], c[5]))


_packer = msgpack.Packer(autoreset=True, use_bin_type=True)
#: Encode a 16-tuple ``(num, name, self, target, a1, c1, ..., a6, c6)``.
encode_syscall = _packer.pack


def decode_syscall(data: bytes | memoryview) -> list[object]:
    """Decode a request to its 16-item list; raise MessageError if malformed.

    The kernel's hot path unpacks with ``msgpack.unpackb`` directly and calls
    ``validate_syscall`` only when something went wrong; this is the checked form.
    """
    try:
        msg = msgpack.unpackb(data, max_str_len=64, max_bin_len=0, max_map_len=0, max_ext_len=0)
    except Exception as e:  # msgpack raises several unrelated types
        raise MessageError(f"undecodable syscall message: {e}") from None
    validate_syscall(msg)
    return msg  # type: ignore[no-any-return]


def validate_syscall(msg: object) -> None:
    """Raise MessageError unless ``msg`` has the MAKE_SYSCALL shape."""
    if not isinstance(msg, list) or len(msg) != MSG_LEN:
        raise MessageError("syscall message is not a 16-item array")
    if not isinstance(msg[1], str):
        raise MessageError("syscall name is not a string")
    for i, v in enumerate(msg):
        if i != 1 and type(v) is not int:
            raise MessageError(f"syscall message item {i} is not an integer")


def to_request(msg: list[object]) -> MakeSyscall:
    validate_syscall(msg)
    v: list[int] = msg  # type: ignore[assignment]
    return MakeSyscall(v[0], msg[1], v[2], v[3],  # type: ignore[arg-type]
                       (v[4], v[6], v[8], v[10], v[12], v[14]),
                       (v[5], v[7], v[9], v[11], v[13], v[15]))


class Ctl(enum.IntEnum):
    """Control-socket message tags."""

    #: kernel -> worker: ``[START, cage_id, module_path, module_bytes|None, argv, env, opts]``
    START = 1
    #: worker -> kernel: ``[HELLO, memory_size]`` + the linear memory's memfd
    HELLO = 2
    #: kernel -> worker: ``[GO]``: memory attached, run the program
    GO = 3
    #: kernel -> worker: ``[EXEC, module_path, module_bytes, argv, env]``
    EXEC = 4
    #: kernel -> worker: ``[FORK, child_id]`` + the child's ring, control and eventfds
    FORK = 5
    #: kernel -> worker: ``[CHANNEL, index]`` + eventfd for a new thread's channel
    CHANNEL = 7
    #: worker -> kernel: ``[TRAP, message]``: the program trapped; the next exit is a crash
    TRAP = 8


_ctl_packer = msgpack.Packer(use_bin_type=True)


def encode_ctl(tag: Ctl, *items: object) -> bytes:
    return _ctl_packer.pack([int(tag), *items])


def decode_ctl(data: bytes) -> tuple[Ctl, list[object]]:
    try:
        msg = msgpack.unpackb(data, raw=False)
        tag = Ctl(msg[0])
    except Exception as e:
        raise MessageError(f"bad control message: {e}") from None
    return tag, msg[1:]
