"""The crash loop: start ``warden run --fs STORE`` on a guest doing durable work, SIGKILL the
kernel (and its workers) at a random moment, then check the store.

One iteration (``crash_once``):

1. ``python -m kernel.cli run --fs STORE crash_writer /rK 1000000`` in a new session (so
   ``killpg`` reaches the kernel and every worker it started);
2. read "ack I" lines as they arrive; after a random number of them (sometimes none:
   the kill may land while the kernel is still opening the store) and a random extra
   delay, ``killpg(SIGKILL)``;
3. the store as the kill left it: fsck without repair must find *nothing* (each flush
   is a consistent snapshot; the guest keeps no unlinked file open), and every round
   acknowledged before the kill must be there -- file contents and names, removals,
   the directory renames, the fdatasync'd counter, the O_DSYNC log;
4. ``StoreFs`` opens it (the automatic repair after an unclean shutdown must leave it
   clean), the previous iteration's directory is removed to keep the store small,
   and the directories of earlier iterations must not have changed.

Used by tests/fs/test_crash.py (a few iterations) and tests/bench/crash_loop.py (many).
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kernel.vfs import fsck
from kernel.vfs.store import StoreFs
from tests.fs._storeutil import RawNode, raw_connect, raw_tree

ROOT = Path(__file__).resolve().parents[2]
GUEST = Path(__file__).resolve().parent / "guests" / "crash_writer.c"
MAXLEN = 150000


def len_of(i: int) -> int:
    return (i * 7919) % MAXLEN + 1


def pattern(i: int) -> bytes:
    n = len_of(i)
    return bytes(((i * 31 + k * 7 + (k >> 9)) & 0xFF) for k in range(n))


@dataclass
class CrashResult:
    iteration: int
    acked: int  # rounds acknowledged before the kill (0 = none)
    checked: int  # acknowledged writes verified
    failures: list[str] = field(default_factory=list)
    kill_after_s: float = 0.0


def _verify_round_files(tree: dict[str, RawNode], prefix: str, acked: int) -> tuple[int, list[str]]:
    """What the rounds 0..acked-1 promised. Returns (writes checked, failures)."""
    bad: list[str] = []
    checked = 0
    last = acked - 1  # last acknowledged round
    names = {p[len(prefix) + 1:] for p in tree if p.startswith(prefix + "/") and p.count("/") == prefix.count("/") + 1}
    for j in range(acked):
        name = f"{prefix}/f.{j}"
        removable = j % 4 == 0
        if removable and j + 8 <= last:
            checked += 1
            if name in tree:
                bad.append(f"{name}: unlinked in acknowledged round {j + 8} but still there")
            continue
        node = tree.get(name)
        if node is None:
            if not removable:  # a later, unacknowledged round may have removed it
                bad.append(f"{name}: written, fsync'd and renamed in acknowledged round {j}, missing")
            continue
        checked += 1
        if node.data != pattern(j):
            bad.append(f"{name}: wrong content ({node.size} bytes, want {len_of(j)})")
        if j % 5 == 4:
            checked += 1
            inner = tree.get(f"{prefix}/dir.{j}/inner")
            if inner is None or inner.data != f"inner {j}".encode():
                bad.append(f"{prefix}/dir.{j}/inner: missing or wrong after acknowledged round {j}")
            if f"{prefix}/d.{j}" in tree:
                bad.append(f"{prefix}/d.{j}: renamed away in acknowledged round {j} but still there")
    # Later rounds are not acknowledged: what they left may or may not be there, but a final
    # name only ever appears with its whole content (the rename came after the data).
    for n in names:
        if n.startswith("f.") and n[2:].isdigit() and int(n[2:]) >= acked:
            j = int(n[2:])
            if tree[f"{prefix}/{n}"].data != pattern(j):
                bad.append(f"{prefix}/{n}: unacknowledged but visible, with wrong content")
    if acked:
        counter = tree.get(f"{prefix}/counter")
        checked += 1
        value = int.from_bytes(counter.data or b"", "little") if counter is not None else -1
        if counter is None or counter.size != 8 or value < last:
            bad.append(f"{prefix}/counter: {value}, want >= {last} (fdatasync'd)")
        log = tree.get(f"{prefix}/log")
        checked += acked  # one O_DSYNC line per acknowledged round
        lines = (log.data or b"").decode(errors="replace").split("\n") if log is not None else []
        if not lines or lines[-1] != "":
            bad.append(f"{prefix}/log: does not end with a whole line")
        got = lines[:-1]
        if got != [str(k) for k in range(len(got))] or len(got) < acked:
            bad.append(f"{prefix}/log: {len(got)} lines (want 0..{last} at least, in order)")
    return checked, bad


def crash_once(store: str, wasm: str, iteration: int, rng: random.Random, *,
               max_acks: int = 40, snapshot: dict[str, RawNode] | None = None) -> tuple[CrashResult, dict]:
    """One start-kill-check cycle on ``store`` (see the module docstring)."""
    prefix = f"/r{iteration}"
    want_acks = rng.choice([0] + [rng.randint(1, max_acks)] * 7)  # 1 in 8: kill before any ack
    extra = rng.uniform(0, 0.03)
    err = tempfile.TemporaryFile()
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, "-m", "kernel.cli", "run", "--fs", store, wasm, prefix, "1000000"],
                         stdout=subprocess.PIPE, stderr=err, cwd=str(ROOT), start_new_session=True)
    acked = 0
    buf = b""
    assert p.stdout is not None
    fd = p.stdout.fileno()
    try:
        if want_acks == 0:
            time.sleep(rng.uniform(0, 0.8))
        else:
            deadline = time.monotonic() + 60
            while acked < want_acks:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    break
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                buf += chunk
                *lines, buf = buf.split(b"\n")
                acked += sum(1 for ln in lines if ln.startswith(b"ack "))
            time.sleep(extra)
        # Everything read so far is acknowledged; what is still in the pipe was written by
        # rounds that completed too: drain without blocking, then kill.
        os.killpg(p.pid, signal.SIGKILL)
        kill_at = time.monotonic() - t0
        while select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
        acked += buf.count(b"ack ")
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        p.stdout.close()
    res = CrashResult(iteration, acked, 0, kill_after_s=kill_at)
    err.seek(0)
    stderr = err.read().decode(errors="replace")
    err.close()
    if "crash_writer:" in stderr:
        res.failures.append(f"guest reported: {stderr.strip()[-500:]}")
    if p.returncode != -signal.SIGKILL:
        res.failures.append(f"kernel exited by itself ({p.returncode}) before the kill: {stderr[-800:]}")
    if not os.path.exists(store):
        if acked:
            res.failures.append("store missing after acknowledged rounds")
        return res, {}
    # The store exactly as the kill left it.
    conn = raw_connect(store)
    try:
        found = fsck.check(conn)
    finally:
        conn.close()
    if found.findings:
        res.failures.append("fsck on the killed store: " + found.report())
    tree = raw_tree(store)
    if acked and prefix not in tree:
        res.failures.append(f"{prefix}: missing after {acked} acknowledged rounds")
    checked, bad = _verify_round_files(tree, prefix, acked)
    res.checked = checked
    res.failures += bad
    if snapshot is not None:
        for path, node in snapshot.items():
            if tree.get(path) != node:
                res.failures.append(f"{path}: changed although no kernel touched it since")
    # Reopen as the next kernel would: automatic repair, then keep the store small.
    conn = raw_connect(store)
    try:
        unclean = conn.execute("SELECT value FROM meta WHERE key = 'clean'").fetchone() != (1,)
    finally:
        conn.close()
    if acked and not unclean:
        res.failures.append("killed while in use, yet marked clean")
    with StoreFs(store) as fs:
        if unclean and (fs.recovery is None or not fs.recovery.clean):
            res.failures.append("open after the kill: no clean automatic repair")
        old = f"r{iteration - 1}".encode()
        if old in fs.root().entries:
            _remove_tree(fs, fs.root(), old)
    conn = raw_connect(store)
    try:
        after = fsck.check(conn)
    finally:
        conn.close()
    if after.findings:
        res.failures.append("fsck after reopening: " + after.report())
    keep = {p: n for p, n in raw_tree(store).items() if p.startswith(prefix + "/") or p == prefix}
    return res, keep


def _remove_tree(fs: StoreFs, d, name: bytes) -> None:  # type: ignore[no-untyped-def]
    i = d.entries[name]
    if i.entries is not None:
        for sub in list(i.entries):
            _remove_tree(fs, i, sub)
        fs.rmdir(d, name)
    else:
        fs.unlink(d, name)


def build_guest_wasm() -> str:
    from tests.guests.build import build_guest

    return str(build_guest(GUEST))


def crash_loop(iterations: int, *, store_dir: str, seed: int | None = None, verbose: bool = False,
               max_acks: int = 40) -> list[CrashResult]:
    """Run ``iterations`` kill cycles on one store (a fresh one every 25 iterations)."""
    wasm = build_guest_wasm()
    rng = random.Random(seed)
    results: list[CrashResult] = []
    snapshot: dict[str, RawNode] | None = None
    store = ""
    for k in range(iterations):
        if k % 25 == 0:
            store = os.path.join(store_dir, f"crash-{k // 25}.sqlite")
            snapshot = None
        r, snapshot = crash_once(store, wasm, k, rng, max_acks=max_acks, snapshot=snapshot)
        results.append(r)
        if verbose:
            status = "ok" if not r.failures else "FAIL: " + "; ".join(r.failures)
            print(f"iteration {k}: killed after {r.kill_after_s:.2f} s, {r.acked} rounds acknowledged, "
                  f"{r.checked} writes checked: {status}", flush=True)
    return results
