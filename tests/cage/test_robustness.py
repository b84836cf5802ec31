"""A cage that crashes, is killed, or writes garbage into its ring is reaped;
the kernel and every other cage keep running."""

from __future__ import annotations

import os
import signal

import msgpack
import pytest
import trio

from abi import ring as R

# Spins (no syscalls) for a long time, then prints and exits: a target we can hit
# while it is running wasm.
_SPINNER = b"""(module
  (import "wali" "SYS_write" (func $write (param i32 i32 i32) (result i64)))
  (memory (export "memory") 1 1 shared)
  (data (i32.const 16) "spun\\n")
  (func (export "_start") (local $i i64)
    (local.set $i (i64.const 4000000000))
    (block (loop (br_if 1 (i64.eqz (local.get $i)))
      (local.set $i (i64.sub (local.get $i) (i64.const 1))) (br 0)))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 5)))))"""

# Sleeps 0.3 s through the kernel, then prints "alive": a bystander.
_BYSTANDER = b"""(module
  (import "wali" "SYS_nanosleep" (func $sleep (param i32 i32) (result i64)))
  (import "wali" "SYS_write" (func $write (param i32 i32 i32) (result i64)))
  (memory (export "memory") 1 1 shared)
  (data (i32.const 32) "\\00\\00\\00\\00\\00\\00\\00\\00\\00\\a3\\e1\\11\\00\\00\\00\\00")
  (data (i32.const 16) "alive\\n")
  (func (export "_start")
    (drop (call $sleep (i32.const 32) (i32.const 0)))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 6)))))"""


async def _wait_running(cage, timeout=30.0):
    with trio.fail_after(timeout):
        while cage.mem.size == 0:
            await trio.sleep(0.01)


async def test_sigkill_of_a_worker_reaps_only_that_cage(warden):
    victim = await warden.start(_SPINNER)
    bystander = await warden.start(_BYSTANDER)
    await _wait_running(victim)
    os.kill(victim.host.pid, signal.SIGKILL)
    rv = await warden.wait(victim)
    assert rv.status & 0x7F == signal.SIGKILL
    rb = await warden.wait(bystander)
    assert rb.stdout == b"alive\n" and rb.exit_code == 0


async def test_trap_in_one_cage_leaves_another_running(warden, guest_wasm):
    bystander = await warden.start(_BYSTANDER)
    crasher = await warden.start(guest_wasm("trap"), ["oob"])
    rc = await warden.wait(crasher)
    assert rc.status & 0x7F == signal.SIGSEGV  # out-of-bounds access: like a segfault
    rb = await warden.wait(bystander)
    assert rb.stdout == b"alive\n"


def _inject(cage, payload: bytes, length: int | None = None) -> None:
    """Write a request into the cage's channel 0 as if its worker had, and ring."""
    host = cage.host
    ring = host.ring
    ch = host.channels[0]
    ring[ch.req_lo:ch.req_lo + min(len(payload), R.CH_REQ_MAX)] = payload[:R.CH_REQ_MAX]
    R.U32.pack_into(ring, ch.len_off, len(payload) if length is None else length)
    seq = R.U64.unpack_from(ring, ch.base)[0] + 1
    R.U64.pack_into(ring, ch.base, seq)
    kp = cage.kernel.host.kpage
    kp[R.KP_READY + host.slot] = 1
    os.eventfd_write(cage.kernel.host.doorbell, 1)


_GARBAGE = {
    "length-beyond-channel": (b"\x93\x01\x02\x03", 10_000),
    "not-msgpack": (b"\xc1\xc1\xc1\xc1", None),
    "msgpack-string": (msgpack.packb("hello"), None),
    "short-array": (msgpack.packb([1, "write", 2]), None),
    "string-argument": (msgpack.packb([1, "write", 2, 2, "x", 2, "y", 2, 5, 2, 0, 2, 0, 2, 0, 2]), None),
    "string-number": (msgpack.packb(["one", "x", 2, 2] + [0] * 12), None),
}


@pytest.mark.parametrize("kind", sorted(_GARBAGE))
async def test_garbage_in_the_ring_reaps_the_cage_not_the_kernel(warden, kind):
    victim = await warden.start(_SPINNER)
    bystander = await warden.start(_BYSTANDER)
    await _wait_running(victim)
    payload, length = _GARBAGE[kind]
    _inject(victim, payload, length)
    rv = await warden.wait(victim)
    assert rv.status & 0x7F == signal.SIGKILL
    assert rv.stdout == b""
    rb = await warden.wait(bystander)
    assert rb.stdout == b"alive\n"
    # The kernel still starts and serves new cages afterwards.
    again = await warden.run(_BYSTANDER)
    assert again.stdout == b"alive\n"
