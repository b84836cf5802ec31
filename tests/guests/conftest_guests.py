"""Pytest fixtures for the C test guests (a plugin module, not an auto-loaded conftest).

Enable it from the top-level ``tests/conftest.py`` (pytest only honours
``pytest_plugins`` there), with the repository root on ``sys.path``::

    pytest_plugins = ["tests.guests.conftest_guests"]

Fixtures:

* ``guest_wasm`` -- factory ``guest_wasm("hello") -> Path``: builds (or takes from the
  cache) ``tests/guests/c/<name>.c``.
* ``build_c`` -- ``build_guest`` itself: ``build_c(c_text, name="t.c") -> Path``.
* ``build_wat_module`` -- ``build_wat`` itself: ``build_wat_module(wat_text) -> Path``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.guests.build import build_guest, build_wat, guest_source


@pytest.fixture(scope="session")
def guest_wasm() -> Callable[[str], Path]:
    """Build a shipped guest program by name and return its ``.wasm`` path."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = build_guest(guest_source(name))
        return built[name]

    return get


@pytest.fixture(scope="session")
def build_c() -> Callable[..., Path]:
    """``build_guest(source, *, name=None, extra_flags=()) -> Path``."""
    return build_guest


@pytest.fixture(scope="session")
def build_wat_module() -> Callable[[str], Path]:
    """``build_wat(text) -> Path``."""
    return build_wat
