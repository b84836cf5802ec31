"""Crash tests: SIGKILL the kernel at random moments while a guest does durable work; every
write acknowledged by an fsync (or an O_DSYNC write) must be in the store, and fsck clean.

``WARDEN_CRASH_ITERATIONS`` sets the number of kill cycles (default 10);
tests/bench/crash_loop.py runs many more.
"""

from __future__ import annotations

import os

from tests.fs.crashloop import crash_loop


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path):
    iterations = int(os.environ.get("WARDEN_CRASH_ITERATIONS", "10"))
    results = crash_loop(iterations, store_dir=str(tmp_path), max_acks=25)
    failures = [f"iteration {r.iteration} ({r.acked} acked, killed at {r.kill_after_s:.2f} s): {f}"
                for r in results for f in r.failures]
    assert not failures, "\n".join(failures)
    assert len(results) == iterations
    # The loop really exercised something: most kills came after acknowledged rounds.
    assert sum(r.acked for r in results) >= iterations
    assert sum(r.checked for r in results) > 0
