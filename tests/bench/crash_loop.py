"""The crash loop at length: N SIGKILLs of ``warden run --fs STORE`` at random moments while
a guest does durable work (tests/fs/crashloop.py describes one iteration and its checks).

Prints one line per failing iteration (all of them with -v) and, at the end,
"iterations: N, acknowledged writes checked: M, failures: F".

Usage: python tests/bench/crash_loop.py [N] [-v] [--seed S]   (N defaults to 200)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from _common import ROOT  # noqa: F401  (puts the repository on sys.path)

from tests.fs.crashloop import crash_loop


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("iterations", nargs="?", type=int, default=200)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--max-acks", type=int, default=40)
    a = ap.parse_args()
    t = time.monotonic()
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/var/tmp")) as d:
        results = crash_loop(a.iterations, store_dir=d, seed=a.seed, verbose=a.verbose, max_acks=a.max_acks)
    failed = [r for r in results if r.failures]
    if not a.verbose:
        for r in failed:
            print(f"iteration {r.iteration}: {r.acked} rounds acknowledged, killed after "
                  f"{r.kill_after_s:.2f} s: " + "; ".join(r.failures))
    acked = sum(r.acked for r in results)
    print(f"iterations: {len(results)}, acknowledged writes checked: {sum(r.checked for r in results)}, "
          f"failures: {len(failed)}")
    print(f"({acked} acknowledged rounds in all, {sum(1 for r in results if r.acked == 0)} kills before "
          f"the first acknowledgement, {time.monotonic() - t:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
