"""Shared helpers for the benchmark scripts (not a test module)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("WARDEN_CACHE_DIR", str(ROOT / ".cache" / "modules"))
os.environ.setdefault("WARDEN_FS", ":memory:")

from tests.guests.build import build_guest, guest_source  # noqa: E402

__all__ = ["ROOT", "build_guest", "guest", "percentile", "run_cli", "table"]


def guest(name: str, *, max_memory_mb: int = 64) -> Path:
    """Build a guest from tests/guests/c or tests/bench/guests by name."""
    flags = () if max_memory_mb == 64 else (f"-Wl,--max-memory={max_memory_mb << 20}",)
    bench = ROOT / "tests" / "bench" / "guests" / f"{name}.c"
    if bench.exists():
        return build_guest(bench, extra_flags=flags)
    return build_guest(guest_source(name), extra_flags=flags)


def percentile(samples: list[float], p: float) -> float:
    s = sorted(samples)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """Wall time of ``warden run ARGS`` as a user sees it."""
    e = dict(os.environ)
    e.update(env or {})
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "kernel.cli", "run", *args], capture_output=True, env=e,
                       cwd=str(ROOT), check=False)
    return time.perf_counter() - t, r


def median_of(fn, n: int = 3) -> float:  # type: ignore[no-untyped-def]
    return statistics.median(fn() for _ in range(n))


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for j, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)))
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
