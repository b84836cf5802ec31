"""Aggregate syscall throughput with 1, 4 and 16 cages on one kernel.

Each cage loops on getpid; once every cage is running, the kernel's syscall
counter is sampled over a fixed window. Prints syscalls/s per configuration.

Usage: python tests/bench/bench_aggregate.py [window_seconds]
"""

from __future__ import annotations

import os
import sys

import trio
from _common import guest, table

from kernel.embed import Warden


async def measure(k: int, window: float) -> tuple[float, int]:
    wasm = guest("getpid_loop")
    async with Warden() as w:
        devnull = os.open(os.devnull, os.O_RDWR)
        cages = [await w.spawn(wasm, ["getpid_loop", "100000000"], stdout=devnull, stderr=devnull,
                               stdin=devnull) for _ in range(k)]
        os.close(devnull)
        with trio.fail_after(120):
            while not all(c.mem.size for c in cages):
                await trio.sleep(0.01)
        await trio.sleep(0.3)  # let every cage reach its loop
        stats = w.server.stats
        c0, t0 = stats["syscalls"], trio.current_time()
        await trio.sleep(window)
        c1, t1 = stats["syscalls"], trio.current_time()
        for c in cages:
            w.kernel.send_signal(c, 9)
    return (c1 - c0) / (t1 - t0), k


async def main() -> None:
    window = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    rows = [("cages", "syscalls/s", "per cage")]
    for k in (1, 4, 16):
        rate, _ = await measure(k, window)
        rows.append((str(k), f"{rate:,.0f}", f"{rate / k:,.0f}"))
    print(f"aggregate getpid throughput, window {window} s, cpus = {os.cpu_count()}")
    print(table(rows))


if __name__ == "__main__":
    trio.run(main)
