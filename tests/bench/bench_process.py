"""Process-family figures, timed inside the guest (CLOCK_MONOTONIC):

* fork latency with 1 MiB and 64 MiB of touched memory (fork returns in the
  parent; fork + child exit + wait4);
* fork + exit + wait per second;
* pipe throughput between two cages (64 KiB writes) and 1-byte ping-pong p50;
* thread spawn + join per second;
* signal delivery latency, kill -> handler entry: to itself, to another cage
  blocked in pause(), and to another cage running wasm without syscalls
  (epoch interruption).

Usage: python tests/bench/bench_process.py
"""

from __future__ import annotations

import os
import statistics

import trio
from _common import guest, percentile, table

from kernel.embed import Warden


async def run(w: Warden, wasm: object, *args: str) -> list[str]:
    r_fd, w_fd = os.pipe()
    cage = await w.spawn(wasm, ["proc_bench", *args], stdout=w_fd)  # type: ignore[arg-type]
    os.close(w_fd)
    chunks = []
    async with trio.open_nursery() as n:
        async def pump() -> None:
            while True:
                await trio.lowlevel.wait_readable(r_fd)
                b = os.read(r_fd, 1 << 16)
                if not b:
                    return
                chunks.append(b)
        n.start_soon(pump)
        status = await w.wait(cage)
    os.close(r_fd)
    if status != 0:
        raise RuntimeError(f"proc_bench {args}: status {status:#x}")
    return b"".join(chunks).decode().split()


async def main() -> None:
    wasm = guest("proc_bench", max_memory_mb=256)
    rows = [("measure", "value")]
    async with Warden() as w:
        for mb in (1, 64):
            vals = [int(x) for x in await run(w, wasm, "forklat", str(mb), "7")]
            fork_ret = statistics.median(vals[0::2][1:]) / 1e6
            full = statistics.median(vals[1::2][1:]) / 1e6
            rows.append((f"fork latency, {mb} MiB touched: fork returns (median)", f"{fork_ret:.2f} ms"))
            rows.append((f"fork latency, {mb} MiB touched: fork+exit+wait (median)", f"{full:.2f} ms"))
        n = 100
        (ns,) = await run(w, wasm, "forkloop", str(n))
        rows.append(("fork+exit+wait per second", f"{n / (int(ns) / 1e9):.1f}"))
        mb = 256
        (ns,) = await run(w, wasm, "pipe", str(mb))
        rows.append(("pipe throughput between two cages, 64 KiB writes", f"{mb * (1 << 20) / int(ns):.2f} GB/s"))
        pp = [int(x) / 1000 for x in await run(w, wasm, "pingpong", "5000")][100:]
        rows.append(("pipe ping-pong round trip p50 / p99", f"{percentile(pp, 50):.1f} / {percentile(pp, 99):.1f} us"))
        n = 200
        (ns,) = await run(w, wasm, "threads", str(n))
        rows.append(("thread spawn+join per second", f"{n / (int(ns) / 1e9):.1f}"))
        for mode, label in (("sigself", "to itself"), ("sigpeer", "to a cage in pause()"),
                            ("sigbusy", "to a cage running wasm (epoch)")):
            lat = [int(x) / 1000 for x in await run(w, wasm, mode, "300")][20:]
            rows.append((f"signal kill -> handler entry, {label}: p50 / p99",
                         f"{percentile(lat, 50):.1f} / {percentile(lat, 99):.1f} us"))
    print(f"process family, cpus = {os.cpu_count()}")
    print(table(rows))


if __name__ == "__main__":
    trio.run(main)
