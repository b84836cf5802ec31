"""The cage's end of the ring: put a request in a channel, wait for the reply.

See ``abi.ring`` for the layout and the handshake. The wait spins briefly (the
kernel answers a null syscall in a few microseconds when it is awake; a sleeping
thread costs 15-35 us to wake on this kind of VM) and then blocks in ``poll`` on
the channel's eventfd and on the control socket, so a kernel that dies never
leaves a worker blocked forever.
"""

from __future__ import annotations

import mmap
import os
import select
import threading
from collections.abc import Callable
from typing import Final

from abi import ring as R

__all__ = ["Channel", "KernelGone", "dump_latency"]


#: Benchmarks set this to get every round trip's latency (ns) written at exit.
LATENCY_FILE: Final = os.environ.get("WARDEN_LATENCY_FILE", "")
_SAMPLES: list[int] = []


def _traced(call: Callable[[bytes], tuple[int, int]]) -> Callable[[bytes], tuple[int, int]]:
    from time import perf_counter_ns

    append = _SAMPLES.append

    def traced(data: bytes) -> tuple[int, int]:
        t = perf_counter_ns()
        r = call(data)
        append(perf_counter_ns() - t)
        return r

    return traced


def dump_latency() -> None:
    """Write the recorded latencies (one uint64 ns each) to ``LATENCY_FILE.<pid>``."""
    if LATENCY_FILE and _SAMPLES:
        import array

        with open(f"{LATENCY_FILE}.{os.getpid()}", "wb") as f:
            array.array("Q", _SAMPLES).tofile(f)


class KernelGone(Exception):
    """The control socket hung up: the kernel is gone."""


class Channel:
    """One request/reply slot of a cage's ring, used by one thread at a time."""

    def __init__(self, ring: mmap.mmap, index: int, kpage: mmap.mmap, slot: int,
                 doorbell: int, efd: int, ctl_fd: int) -> None:
        self.ring = ring
        self.index = index
        self.kpage = kpage
        self.slot = slot
        self.doorbell = doorbell
        self.efd = efd
        self.ctl_fd = ctl_fd
        self.call: Callable[[bytes], tuple[int, int]] = self._make_call()
        if LATENCY_FILE:
            self.call = _traced(self.call)

    def _make_call(self) -> Callable[[bytes], tuple[int, int]]:
        # Everything the hot path touches is bound to a local of the closure.
        ring = self.ring
        kpage = self.kpage
        base = R.channel_offset(self.index)
        req_lo = base + R.CH_REQ
        len_off = base + R.CH_REQ_LEN
        resp_off = base + R.CH_RESP_SEQ
        res_off = base + R.CH_RESULT
        wait_off = base + R.CH_WAITING
        ready_off = R.KP_READY + self.slot
        sleeping_off = R.KP_SLEEPING
        maxlen = R.CH_REQ_MAX
        doorbell = self.doorbell
        mv = memoryview(ring)
        pack_u64 = R.U64.pack_into
        pack_u32 = R.U32.pack_into
        unpack_u64 = R.U64.unpack_from
        unpack_res = R.RESULT.unpack_from
        eventfd_write = os.eventfd_write
        sched_yield = os.sched_yield
        fence_lock = threading.Lock()
        acquire = fence_lock.acquire
        release = fence_lock.release
        spin_off = R.KP_SPIN
        tight_off = R.KP_TIGHT
        block = self._block
        seq = unpack_u64(ring, base)[0]

        def call(data: bytes) -> tuple[int, int]:
            nonlocal seq
            n = len(data)
            if n > maxlen:
                raise ValueError("syscall message too large for the channel")
            mv[req_lo:req_lo + n] = data
            pack_u32(ring, len_off, n)
            seq += 1
            pack_u64(ring, base, seq)
            kpage[ready_off] = 1
            acquire()  # full fence: publish ready before reading `sleeping`
            release()
            if kpage[sleeping_off]:
                eventfd_write(doorbell, 1)
            budget = kpage[spin_off] << 2
            i = budget
            tight = budget - kpage[tight_off]
            while unpack_u64(ring, resp_off)[0] != seq:
                i -= 1
                if i <= 0:
                    block(seq, resp_off, wait_off)
                    break
                if i < tight:
                    # Give the core away in case the kernel shares it (0.3 us when it does not).
                    sched_yield()
            return unpack_res(ring, res_off)  # type: ignore[return-value]

        return call

    def _block(self, seq: int, resp_off: int, wait_off: int) -> None:
        ring = self.ring
        unpack_u64 = R.U64.unpack_from
        poller = select.poll()
        poller.register(self.efd, select.POLLIN)
        # Only hang-ups: control messages are read by whoever expects them.
        poller.register(self.ctl_fd, select.POLLRDHUP)
        fence = threading.Lock()
        ring[wait_off] = 1
        try:
            while True:
                fence.acquire()  # publish `waiting` before re-reading resp_seq
                fence.release()
                if unpack_u64(ring, resp_off)[0] == seq:
                    return
                for fd, ev in poller.poll():
                    if fd == self.efd:
                        os.eventfd_read(self.efd)
                    elif ev & (select.POLLHUP | select.POLLRDHUP | select.POLLERR):
                        if unpack_u64(ring, resp_off)[0] == seq:
                            return
                        raise KernelGone()
        finally:
            ring[wait_off] = 0
