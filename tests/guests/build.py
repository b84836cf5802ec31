"""Build freestanding C (or WAT) test guests into WALI-shaped wasm modules, with a cache.

Public API::

    build_guest(source, *, name=None, extra_flags=()) -> Path   # C file or C text -> .wasm
    build_wat(text) -> Path                                      # WAT text -> .wasm
    guest_source(name) -> Path                                   # tests/guests/c/<name>.c
    cache_dir() -> Path                                          # where outputs live
    GuestBuildError                                              # compile failure (has .stderr)
    COMPILE_FLAGS, INCLUDE_DIR, GUEST_C_DIR, GUESTS

Every C guest is compiled with ``python -m ziglang cc`` and ``COMPILE_FLAGS`` (wasm32,
freestanding, -O2, atomics + bulk memory, shared exported memory of at most 64 MiB,
no entry point) plus ``-I tests/guests/include``; the guest includes ``walilib.h``
(or just ``wali.h``) and exports ``_start`` itself, usually through ``WALI_MAIN``.

Outputs are cached as ``<repo>/.cache/guests/<sha256>.wasm`` (``$WARDEN_GUEST_CACHE``
overrides the directory). The key covers the source text, its file name, every file
under ``include/``, the flags and the ziglang version (wasmtime's version for WAT).
Files are written to a temporary name in the cache directory and renamed into place,
so parallel pytest workers can build the same guest at the same time.

``zig cc`` turns on UBSan for unoptimised builds: with ``extra_flags=["-O0"]`` also pass
``-fno-sanitize=undefined`` (there is no runtime to link the handlers from).
For a path source, files it includes relative to its own directory are not part of
the cache key; keep shared headers in ``include/``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "COMPILE_FLAGS",
    "GUESTS",
    "GUEST_C_DIR",
    "INCLUDE_DIR",
    "GuestBuildError",
    "build_guest",
    "build_wat",
    "cache_dir",
    "guest_source",
]

GUESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = GUESTS_DIR.parents[1]
INCLUDE_DIR = GUESTS_DIR / "include"
GUEST_C_DIR = GUESTS_DIR / "c"

#: Flags given to ``zig cc`` for every guest (before ``-I`` and any ``extra_flags``).
COMPILE_FLAGS: tuple[str, ...] = (
    "-target",
    "wasm32-freestanding",
    "-nostdlib",
    "-O2",
    "-matomics",
    "-mbulk-memory",
    "-Wl,--no-entry",
    "-Wl,--shared-memory",
    "-Wl,--export-memory",
    "-Wl,--max-memory=67108864",
)

#: Names of the guest programs shipped in ``tests/guests/c``.
GUESTS: tuple[str, ...] = tuple(sorted(p.stem for p in GUEST_C_DIR.glob("*.c")))

_COMPILE_TIMEOUT_S = 300
_KEY_VERSION = b"warden-guest-build-1"


class GuestBuildError(RuntimeError):
    """The compiler (or wat2wasm) rejected a guest; ``stderr`` holds its diagnostics."""

    def __init__(self, what: str, stderr: str, returncode: int | None = None) -> None:
        self.stderr = stderr
        self.returncode = returncode
        status = "" if returncode is None else f" (exit status {returncode})"
        super().__init__(f"building {what} failed{status}:\n{stderr.rstrip()}")


def cache_dir() -> Path:
    """The output directory: ``$WARDEN_GUEST_CACHE`` or ``<repo>/.cache/guests``."""
    override = os.environ.get("WARDEN_GUEST_CACHE")
    return Path(override) if override else REPO_ROOT / ".cache" / "guests"


def guest_source(name: str) -> Path:
    """The path of the shipped guest ``tests/guests/c/<name>.c``."""
    path = GUEST_C_DIR / f"{name}.c"
    if not path.is_file():
        raise FileNotFoundError(f"no guest program {name!r} (known: {', '.join(GUESTS)})")
    return path


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _headers_digest() -> bytes:
    h = hashlib.sha256()
    for path in sorted(p for p in INCLUDE_DIR.rglob("*") if p.is_file()):
        rel = path.relative_to(INCLUDE_DIR).as_posix().encode()
        data = path.read_bytes()
        h.update(b"%d:%s%d:" % (len(rel), rel, len(data)))
        h.update(data)
    return h.digest()


def _key(*parts: bytes) -> str:
    h = hashlib.sha256(_KEY_VERSION)
    for part in parts:
        h.update(b"%d:" % len(part))
        h.update(part)
    return h.hexdigest()


def _resolve_source(source: Path | str, name: str | None) -> tuple[str, Path | None, str]:
    """(C text, file to compile in place or None, file name the compiler sees)."""
    if isinstance(source, os.PathLike):
        is_file = True
    else:
        is_file = "\n" not in source and source.endswith(".c") and Path(source).is_file()
    if not is_file:
        filename = f"{name or 'guest'}"
        if not filename.endswith(".c"):
            filename += ".c"
        if "/" in filename or "\\" in filename:
            raise ValueError(f"name must be a plain file name, got {name!r}")
        return source, None, filename
    path = Path(source)
    return path.read_text(), path.resolve(), path.name


def _compiler_env() -> dict[str, str]:
    env = dict(os.environ)
    if "ZIG_GLOBAL_CACHE_DIR" not in env and not env.get("HOME"):
        env["ZIG_GLOBAL_CACHE_DIR"] = str(REPO_ROOT / ".cache" / "zig")
    return env


def _publish(tmp_dir: Path, produce, out: Path) -> Path:
    """Run ``produce(tmp_file)`` then atomically rename ``tmp_file`` to ``out``."""
    tmp_out = tmp_dir / "out.wasm"
    produce(tmp_out)
    os.replace(tmp_out, out)
    return out


def build_guest(
    source: Path | str,
    *,
    name: str | None = None,
    extra_flags: Iterable[str] = (),
) -> Path:
    """Compile a C guest and return the path of the cached ``.wasm``.

    ``source`` is a path (``Path``, or a ``str`` without newlines that ends in ``.c``
    and names an existing file) or else C source text. For text, ``name`` (default
    ``guest``) is the file name the compiler sees, i.e. what ``__FILE_NAME__`` and the
    diagnostics say. ``extra_flags`` go after the standard flags. A cached module is
    returned without running the compiler. Raises ``GuestBuildError`` with the
    compiler's stderr when compilation fails.
    """
    text, in_place, filename = _resolve_source(source, name)
    flags = tuple(str(f) for f in extra_flags)
    key = _key(
        b"c",
        text.encode(),
        filename.encode(),
        _headers_digest(),
        "\0".join(COMPILE_FLAGS + flags).encode(),
        _version("ziglang").encode(),
    )
    out_dir = cache_dir()
    out = out_dir / f"{key}.wasm"
    if out.is_file():
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
    try:
        if in_place is not None:
            src = in_place
        else:
            src = tmp_dir / filename
            src.write_text(text)

        def produce(tmp_out: Path) -> None:
            cmd = [
                sys.executable, "-m", "ziglang", "cc",
                *COMPILE_FLAGS,
                "-I", str(INCLUDE_DIR),
                *flags,
                "-o", str(tmp_out),
                str(src),
            ]  # fmt: skip
            try:
                proc = subprocess.run(
                    cmd,
                    capture_output=True,
                    text=True,
                    env=_compiler_env(),
                    timeout=_COMPILE_TIMEOUT_S,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise GuestBuildError(filename, f"compiler timed out after {exc.timeout} s") from exc
            if proc.returncode != 0 or not tmp_out.is_file():
                raise GuestBuildError(filename, proc.stderr or proc.stdout, proc.returncode)

        return _publish(tmp_dir, produce, out)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def build_wat(text: str) -> Path:
    """Assemble WAT text with ``wasmtime.wat2wasm`` and return the path of the cached ``.wasm``."""
    import wasmtime

    key = _key(b"wat", text.encode(), _version("wasmtime").encode())
    out_dir = cache_dir()
    out = out_dir / f"{key}.wasm"
    if out.is_file():
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
    try:

        def produce(tmp_out: Path) -> None:
            try:
                binary = wasmtime.wat2wasm(text)
            except wasmtime.WasmtimeError as exc:
                raise GuestBuildError("WAT module", str(exc)) from exc
            tmp_out.write_bytes(bytes(binary))

        return _publish(tmp_dir, produce, out)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


if __name__ == "__main__":  # python tests/guests/build.py [guest names...]: build and print paths
    for guest in sys.argv[1:] or GUESTS:
        print(guest, build_guest(guest_source(guest)))
