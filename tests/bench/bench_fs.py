"""The persistent store against the in-memory root and the host filesystem, in one run.

Figures:

* sequential 1 MiB writes (then one fsync) and reads of a 256 MiB file through the
  kernel with the store as the root filesystem (GB/s): reads right after writing
  (partly cached: the clean-chunk cache holds 64 MiB), reads by a fresh kernel
  (cold: every chunk comes from SQLite), and a 32 MiB file read twice (the second
  time from the cache); next to the in-memory root and host Python on a host file
  in the same directory as the store (os.write/os.readv, 1 MiB);
* open + close + stat of one file, per second: store, in-memory root, host Python;
* small-file create + write 4 KiB + fsync + close, per second: store vs host Python
  (os.fsync on the same disk).

Guest loops are timed inside the guest (CLOCK_MONOTONIC); kernel start-up is excluded.

Usage: python tests/bench/bench_fs.py [DIR]   (DIR: where the store and host files go;
default: a temporary directory under $TMPDIR)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import trio
from _common import guest, table

from kernel.embed import Warden

MIB = 1 << 20
BIG = 256  # MiB
SMALL = 32  # MiB
OPENSTAT_N = 20000
SMALLFILES_N = 500


async def run_guest(w: Warden, wasm: object, args: list[str]) -> list[int]:
    r_fd, w_fd = os.pipe()
    cage = await w.spawn(wasm, ["fs_timed", *args], stdout=w_fd)  # type: ignore[arg-type]
    os.close(w_fd)
    status = await w.wait(cage)
    out = os.read(r_fd, 200)
    os.close(r_fd)
    if status != 0:
        raise RuntimeError(f"fs_timed {args} failed: status {status:#x}")
    return [int(x) for x in out.split()]


def gbps(nbytes: int, ns: int) -> str:
    return f"{nbytes / ns:.2f}"


def host_seq(path: str, mib: int) -> tuple[float, float, float]:
    """Host Python: write (s), fsync (s), read (s) of ``mib`` MiB in 1 MiB pieces."""
    buf = bytes(MIB)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
    t0 = time.perf_counter()
    for _ in range(mib):
        os.write(fd, buf)
    t1 = time.perf_counter()
    os.fsync(fd)
    t2 = time.perf_counter()
    os.close(fd)
    rbuf = bytearray(MIB)
    fd = os.open(path, os.O_RDONLY)
    t3 = time.perf_counter()
    while os.readv(fd, [rbuf]):
        pass
    t4 = time.perf_counter()
    os.close(fd)
    return t1 - t0, t2 - t1, t4 - t3


def host_openstat(path: str, n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        os.close(os.open(path, os.O_RDONLY))
        os.stat(path)
    return time.perf_counter() - t


def host_smallfiles(d: str, n: int, size: int) -> float:
    data = bytes(size)
    t = time.perf_counter()
    for i in range(n):
        fd = os.open(os.path.join(d, f"f.{i}"), os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
    return time.perf_counter() - t


async def main(base: str) -> None:
    wasm = guest("fs_timed")
    store = os.path.join(base, "bench.sqlite")
    hostdir = os.path.join(base, "host")
    os.makedirs(hostdir, exist_ok=True)
    seq_rows = [("target", "write GB/s", "write+fsync GB/s", "read GB/s")]
    rate_rows = [("target", "open+close+stat /s", "create+write 4K+fsync /s")]
    big = BIG * MIB

    # --- the store as root ---
    async with Warden(fs=store) as w:
        wn, fn = await run_guest(w, wasm, ["seqwrite", "/tmp/big", str(MIB), str(BIG)])
        rn, got = await run_guest(w, wasm, ["seqread", "/tmp/big", str(MIB)])
        assert got == big
        seq_rows.append(("warden, store root (read after write)", gbps(big, wn), gbps(big, wn + fn),
                         gbps(big, rn)))
        await run_guest(w, wasm, ["seqwrite", "/tmp/small", str(MIB), str(SMALL)])
        await run_guest(w, wasm, ["seqread", "/tmp/small", str(MIB)])
        hot, _ = await run_guest(w, wasm, ["seqread", "/tmp/small", str(MIB)])
        await run_guest(w, wasm, ["seqwrite", "/tmp/st", "100", "1"])
        os_ns = (await run_guest(w, wasm, ["openstat", "/tmp/st", str(OPENSTAT_N)]))[0]
        await run_guest(w, wasm, ["seqwrite", "/tmp/small-files-marker", "1", "1"])
        w.vfs.rootfs.mkdir(w.vfs.rootfs.root().entries[b"tmp"], b"many", 0o777, 0, 0)  # type: ignore[attr-defined]
        sf_ns = (await run_guest(w, wasm, ["smallfiles", "/tmp/many", str(SMALLFILES_N), "4096"]))[0]
    store_stats = os.path.getsize(store)
    async with Warden(fs=store) as w:  # a fresh kernel: nothing cached
        cold, got = await run_guest(w, wasm, ["seqread", "/tmp/big", str(MIB)])
        assert got == big
        fs = w.vfs.rootfs
        fetches = fs.stats["fetches"]  # type: ignore[attr-defined]
    seq_rows.append(("warden, store root (fresh kernel: cold)", "", "", gbps(big, cold)))
    seq_rows.append((f"warden, store root ({SMALL} MiB, cache-hot)", "", "", gbps(SMALL * MIB, hot)))
    rate_rows.append(("warden, store root", f"{OPENSTAT_N / (os_ns / 1e9):,.0f}",
                      f"{SMALLFILES_N / (sf_ns / 1e9):,.0f}"))

    # --- the in-memory root ---
    async with Warden() as w:
        wn, fn = await run_guest(w, wasm, ["seqwrite", "/tmp/big", str(MIB), str(BIG)])
        rn, got = await run_guest(w, wasm, ["seqread", "/tmp/big", str(MIB)])
        seq_rows.append(("warden, in-memory root", gbps(big, wn), gbps(big, wn + fn), gbps(big, rn)))
        await run_guest(w, wasm, ["seqwrite", "/tmp/st", "100", "1"])
        mem_os = (await run_guest(w, wasm, ["openstat", "/tmp/st", str(OPENSTAT_N)]))[0]
        w.vfs.rootfs.mkdir(w.vfs.rootfs.root().entries[b"tmp"], b"many", 0o777, 0, 0)  # type: ignore[attr-defined]
        mem_sf = (await run_guest(w, wasm, ["smallfiles", "/tmp/many", str(SMALLFILES_N), "4096"]))[0]
    rate_rows.append(("warden, in-memory root (fsync is a no-op)", f"{OPENSTAT_N / (mem_os / 1e9):,.0f}",
                      f"{SMALLFILES_N / (mem_sf / 1e9):,.0f}"))

    # --- host Python, same disk ---
    hw, hf, hr = host_seq(os.path.join(hostdir, "big"), BIG)
    seq_rows.append(("host python (reference, page cache)", f"{big / hw / 1e9:.2f}", f"{big / (hw + hf) / 1e9:.2f}",
                     f"{big / hr / 1e9:.2f}"))
    with open(os.path.join(hostdir, "st"), "wb") as f:
        f.write(b"x" * 100)
    hos = host_openstat(os.path.join(hostdir, "st"), OPENSTAT_N)
    os.makedirs(os.path.join(hostdir, "many"), exist_ok=True)
    hsf = host_smallfiles(os.path.join(hostdir, "many"), SMALLFILES_N, 4096)
    rate_rows.append(("host python (reference)", f"{OPENSTAT_N / hos:,.0f}", f"{SMALLFILES_N / hsf:,.0f}"))

    print(f"filesystem benchmark, cpus = {os.cpu_count()}, store and host files in {base}")
    print(f"sequential 1 MiB transfers of a {BIG} MiB file")
    print(table(seq_rows))
    print()
    print(table(rate_rows))
    print(f"\nstore file after the run: {store_stats / MIB:.0f} MiB; cold read: {fetches} SQLite fetches "
          f"for {BIG * MIB // (64 << 10)} chunks (read-ahead)")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        trio.run(main, sys.argv[1])
    else:
        with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/var/tmp")) as d:
            trio.run(main, d)
