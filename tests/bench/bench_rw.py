"""Bulk read/write through the kernel: 4 KiB and 1 MiB transfers (GB/s).

Targets, measured in one run:

* /dev/zero (read) and /dev/null (write): the kernel's copy into and out of
  cage memory alone;
* a file in the kernel's own filesystem (memfs);
* a file on a ``--dir`` host mount (hostfs: the kernel's host I/O);
* reference: the same transfers by host Python on the same host file
  (os.pread/os.pwrite into a preallocated buffer), no cage involved.

Time is measured inside the guest (CLOCK_MONOTONIC around the loop), so
process start-up is excluded.

Usage: python tests/bench/bench_rw.py
"""

from __future__ import annotations

import os
import tempfile
import time

import trio
from _common import guest, table

from kernel.embed import DirMount, Warden

SIZES = ((4096, 20000), (1 << 20, 400))


async def guest_run(w: Warden, wasm: object, args: list[str]) -> float:
    r_fd, w_fd = os.pipe()
    cage = await w.spawn(wasm, ["rw_timed", *args], stdout=w_fd)  # type: ignore[arg-type]
    os.close(w_fd)
    status = await w.wait(cage)
    out = os.read(r_fd, 100)
    os.close(r_fd)
    if status != 0:
        raise RuntimeError(f"rw_timed {args} failed: status {status:#x}")
    return int(out) / 1e9


def host_reference(path: str, size: int, count: int, writing: bool) -> float:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    buf = bytearray(size)
    mv = memoryview(buf)
    t = time.perf_counter()
    for _ in range(count):
        if writing:
            os.pwrite(fd, mv, 0)
        else:
            os.preadv(fd, [mv], 0)
    dt = time.perf_counter() - t
    os.close(fd)
    return dt


async def main() -> None:
    wasm = guest("rw_timed")
    rows = [("target", "size", "write GB/s", "read GB/s")]
    with tempfile.TemporaryDirectory() as d:
        host_file = os.path.join(d, "f")
        with open(host_file, "wb") as f:
            f.write(b"x" * (1 << 20))
        async with Warden(dirs=[DirMount(d, b"/mnt")]) as w:
            # A memfs file with enough bytes to read.
            await guest_run(w, wasm, [str(1 << 20), "1", "write", "/tmp/f"])
            for size, count in SIZES:
                label = "4 KiB" if size == 4096 else "1 MiB"
                gb = size * count / 1e9
                for target, wpath, rpath in (("device", "/dev/null", "/dev/zero"),
                                             ("memfs file", "/tmp/f", "/tmp/f"),
                                             ("hostfs file", "/mnt/f", "/mnt/f")):
                    tw = await guest_run(w, wasm, [str(size), str(count), "write", wpath])
                    tr = await guest_run(w, wasm, [str(size), str(count), "read", rpath])
                    rows.append((f"warden {target}", label, f"{gb / tw:.2f}", f"{gb / tr:.2f}"))
                tw = host_reference(host_file, size, count, True)
                tr = host_reference(host_file, size, count, False)
                rows.append(("host python (reference)", label, f"{gb / tw:.2f}", f"{gb / tr:.2f}"))
    print(f"bulk transfer through the kernel, cpus = {os.cpu_count()}")
    print(table(rows))


if __name__ == "__main__":
    trio.run(main)
