"""Layout of the shared-memory ring between a cage worker and the kernel.

Two kinds of shared mapping, both memfds created by the kernel (nothing is ever
named in /dev/shm, so nothing is left behind when a process dies):

* the **kernel page**, one per kernel, mapped by every worker: the kernel's
  ``sleeping`` word and one ``ready`` byte per cage;
* one **ring** per cage: a header and ``nchannels`` channels. A channel carries
  one outstanding request of one cage thread (syscalls are synchronous, so one
  slot per thread is all a thread can use).

Protocol for one call (cage side / kernel side)::

    cage:   write request bytes, req_len; then req_seq += 1
            ready[cage] = 1; FENCE; if kernel.sleeping: write(doorbell)
            spin on resp_seq == req_seq, then: waiting = 1; FENCE;
            re-check resp_seq; read(channel eventfd)
    kernel: find ready bytes; ready[cage] = 0; for each channel with
            req_seq != resp_seq: dispatch; write result, flags; resp_seq = req_seq;
            FENCE; if waiting: write(channel eventfd)
    kernel sleep: sleeping = 1; FENCE; re-scan; block on the doorbell

Every store that publishes (``req_seq``, ``resp_seq``, ``ready``) comes after the
stores it publishes; x86-64 keeps stores in order, so only the store->load pairs
around ``sleeping``/``waiting`` need the FENCE (a locked instruction). Sequence
words and the fields each side writes live on separate cache lines.
"""

from __future__ import annotations

import struct
from typing import Final

__all__ = [
    "CHANNEL_SIZE",
    "CH_FLAGS",
    "CH_REQ",
    "CH_REQ_LEN",
    "CH_REQ_MAX",
    "CH_REQ_SEQ",
    "CH_RESP_SEQ",
    "CH_RESULT",
    "CH_TID",
    "CH_WAITING",
    "KP_READY",
    "KP_SIZE",
    "KP_SLEEPING",
    "KP_SPIN",
    "KP_TIGHT",
    "MAX_CAGES",
    "RING_HEADER",
    "RING_MAGIC",
    "channel_offset",
    "ring_size",
]

RING_MAGIC: Final = 0x474E5257  # b"WRNG" little-endian
RING_VERSION: Final = 1

# --- kernel page -------------------------------------------------------------
KP_SLEEPING: Final = 0          # u32, kernel writes: 1 while blocked on the doorbell
#: u8, kernel writes: how many times a cage may poll for a reply before it blocks on
#: its eventfd, in units of 4 (waking a blocked cage costs the kernel an eventfd
#: write and, across cores on a VM, 15-35 us).
KP_SPIN: Final = 8
#: u8, kernel writes: how many of those polls may spin without yielding the core.
#: 0 when more cages are busy than there are spare cores: they then only poll
#: between sched_yield()s, so they never hold a core the kernel or another cage needs.
KP_TIGHT: Final = 9
KP_READY: Final = 4096          # u8[MAX_CAGES], cages write 1, kernel writes 0
MAX_CAGES: Final = 65536        # ready-byte slots (cage slots, not pids)
KP_SIZE: Final = KP_READY + MAX_CAGES

# --- ring header -------------------------------------------------------------
RING_HEADER: Final = 4096
HDR: Final = struct.Struct("<IIIIII")  # magic, version, nchannels, channel_size, slot, cage_id
HDR_FIELDS: Final = ("magic", "version", "nchannels", "channel_size", "slot", "cage_id")

# --- channel -----------------------------------------------------------------
CHANNEL_SIZE: Final = 512
CH_REQ_SEQ: Final = 0           # u64, cage writes (last)
CH_REQ_LEN: Final = 8           # u32, cage writes
CH_TID: Final = 12              # u32, cage writes: the thread using the channel
CH_RESP_SEQ: Final = 64         # u64, kernel writes (last)
CH_RESULT: Final = 72           # i64, kernel writes
CH_FLAGS: Final = 80            # u64, kernel writes (abi.messages.ReplyFlag)
CH_WAITING: Final = 128         # u32, cage writes: 1 while blocked on its eventfd
CH_REQ: Final = 192             # request bytes
CH_REQ_MAX: Final = CHANNEL_SIZE - CH_REQ

U32: Final = struct.Struct("<I")
U64: Final = struct.Struct("<Q")
RESULT: Final = struct.Struct("<qQ")  # result, flags at CH_RESULT


def channel_offset(index: int) -> int:
    return RING_HEADER + index * CHANNEL_SIZE


def ring_size(nchannels: int) -> int:
    return RING_HEADER + nchannels * CHANNEL_SIZE
