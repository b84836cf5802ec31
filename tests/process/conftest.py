"""Fixtures for process tests: guests installed under a guest directory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kernel.embed import DirMount


@pytest.fixture
def bindir(tmp_path: Path) -> Callable[..., DirMount]:
    """``bindir(name=wasm_path, ...)`` copies programs into a directory mounted at /bin."""
    d = tmp_path / "bin"
    d.mkdir()

    def make(**programs: Path) -> DirMount:
        for name, src in programs.items():
            dst = d / name
            shutil.copyfile(src, dst)
            dst.chmod(0o755)
        return DirMount(str(d), b"/bin")

    return make
