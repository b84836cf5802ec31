"""Shared fixtures: guest builders, and kernels to run guests on (``tests.harness``)."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Compiled modules of test guests go to the repo's (git-ignored) cache, and
# `warden run` subprocesses get a throwaway filesystem, not the per-user store
# (two test runs at once would otherwise contend for it).
os.environ.setdefault("WARDEN_CACHE_DIR", str(ROOT / ".cache" / "modules"))
os.environ.setdefault("WARDEN_FS", ":memory:")

from kernel.embed import DirMount, Warden  # noqa: E402
from kernel.server import ServerConfig  # noqa: E402
from tests.harness import Harness  # noqa: E402

pytest_plugins = ["tests.guests.conftest_guests"]


@pytest.fixture
async def warden() -> AsyncIterator[Harness]:
    """A running kernel for the test; cages spawned on it share it."""
    async with Warden() as w:
        yield Harness(w)


@pytest.fixture
def make_warden() -> Callable[..., AbstractAsyncContextManager[Harness]]:
    """``async with make_warden(dirs=[...]) as h:`` for tests that need options."""

    @asynccontextmanager
    async def make(*, dirs: Sequence[DirMount] = (), config: ServerConfig | None = None,
                   uid: int | None = None, gid: int | None = None) -> AsyncIterator[Harness]:
        async with Warden(dirs=dirs, config=config, uid=uid, gid=gid) as w:
            yield Harness(w)

    return make
