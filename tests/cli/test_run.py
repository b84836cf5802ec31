"""``warden run`` as a user runs it: a subprocess, real stdio, real exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELLO_WAT = ROOT / "tests" / "guests" / "wat" / "hello.wat"


def warden(*args: str, input: bytes = b"", env: dict[str, str] | None = None,
           cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "kernel.cli", *args], input=input, capture_output=True,
                          env=e, cwd=cwd or str(ROOT), timeout=120)


def test_run_help_describes_the_options():
    r = warden("run", "--help")
    assert r.returncode == 0
    for opt in (b"--dir", b"--env", b"--env-file", b"PROGRAM"):
        assert opt in r.stdout


def test_run_wat_program_prints_and_exits_zero():
    r = warden("run", str(HELLO_WAT))
    assert (r.returncode, r.stdout) == (0, b"hello, world\n")


def test_run_passes_args_including_dashes_after_double_dash():
    r = warden("run", str(HELLO_WAT), "--", "-x", "--flag", "y")
    assert r.stdout == b"-x --flag y\n"


def test_exit_status_is_the_programs(guest_wasm):
    r = warden("run", str(guest_wasm("exitcode")), "7")
    assert r.returncode == 7


def test_trap_prints_one_line_and_exits_one(guest_wasm):
    r = warden("run", str(guest_wasm("trap")))
    assert r.returncode == 1
    lines = r.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "trap" in lines[0] and "unreachable" in lines[0]
    assert r.stdout == b"before trap\n"


def test_env_and_env_file_reach_the_program(guest_wasm, tmp_path):
    ef = tmp_path / "vars.env"
    ef.write_text("A=1\n# comment\nB=two words\n")
    r = warden("run", "--env-file", str(ef), "--env", "C=3", "--env", "WARDEN_PASSED",
               str(guest_wasm("env")), env={"WARDEN_PASSED": "yes"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == ["A=1", "B=two words", "C=3", "WARDEN_PASSED=yes"]


def test_host_environment_is_not_inherited(guest_wasm):
    r = warden("run", str(guest_wasm("env")), env={"SECRET": "x"})
    assert r.stdout == b"noenv\n"


def test_stdin_reaches_the_program(build_c):
    wasm = build_c(r'''
    #include "walilib.h"
    WALI_MAIN
    int main(int argc, char **argv) {
        char buf[64];
        int64_t n = wali_read(0, buf, sizeof buf);
        if (n > 0) wali_write(1, buf, n);
        return n == 6 ? 0 : 2;
    }''', name="cat_once.c")
    r = warden("run", str(wasm), input=b"piped\n")
    assert (r.returncode, r.stdout) == (0, b"piped\n")


def test_dir_mount_reads_host_file(build_c, tmp_path):
    (tmp_path / "in.txt").write_bytes(b"from the host\n")
    wasm = build_c(r'''
    #include "walilib.h"
    WALI_MAIN
    int main(int argc, char **argv) {
        char buf[64];
        int64_t fd = wali_open(argv[1], O_RDONLY, 0);
        if (fd < 0) return 3;
        int64_t n = wali_read(fd, buf, sizeof buf);
        wali_write(1, buf, n);
        return 0;
    }''', name="cat_path.c")
    r = warden("run", "--dir", f"{tmp_path}::/data", str(wasm), "/data/in.txt")
    assert (r.returncode, r.stdout) == (0, b"from the host\n"), r.stderr


def test_not_a_wasm_file_is_a_clear_error(tmp_path):
    p = tmp_path / "bad.wasm"
    p.write_bytes(b"#!/bin/sh\necho hi\n")
    r = warden("run", str(p))
    assert r.returncode == 1
    assert b"not a WebAssembly module" in r.stderr


def test_missing_program_is_a_usage_error(tmp_path):
    r = warden("run", str(tmp_path / "nope.wasm"))
    assert r.returncode == 2
    assert b"does not exist" in r.stderr


def test_bad_dir_spec_is_a_usage_error(tmp_path):
    r = warden("run", "--dir", f"{tmp_path / 'missing'}::/x", str(HELLO_WAT))
    assert r.returncode == 2
