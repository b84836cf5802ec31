"""``warden fs ...`` and ``warden run --fs/--image`` as a user runs them: subprocesses, real
exit statuses, ``warden: <message>`` on errors."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kernel.vfs.store import StoreFs

ROOT = Path(__file__).resolve().parents[2]
HELLO_WAT = ROOT / "tests" / "guests" / "wat" / "hello.wat"


def warden(*args: str, input: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    e = {k: v for k, v in os.environ.items() if k not in ("WARDEN_FS", "XDG_DATA_HOME")}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "kernel.cli", *args], input=input, capture_output=True, env=e,
                          cwd=str(ROOT), timeout=120)


def ok(r: subprocess.CompletedProcess[bytes]) -> bytes:
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


def fails(r: subprocess.CompletedProcess[bytes], message: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    err = r.stderr.decode()
    assert err.startswith("warden: ") and message in err, err
    assert "Traceback" not in err


def test_put_ls_cat_get_round_trip(tmp_path):
    store = str(tmp_path / "fs.sqlite")
    blob = os.urandom(1536 * 1024)  # 1.5 MiB: several chunks and a short last one
    (tmp_path / "blob.bin").write_bytes(blob)
    os.chmod(tmp_path / "blob.bin", 0o640)
    ok(warden("fs", "mkdir", "-p", "/data/in", "--fs", store))
    ok(warden("fs", "put", str(tmp_path / "blob.bin"), "/data/in", "--fs", store))  # into the directory
    ok(warden("fs", "put", "-", "/data/note.txt", "--fs", store, input=b"from stdin\n"))
    assert ok(warden("fs", "ls", "/data", "--fs", store)) == b"in\nnote.txt\n"
    long = ok(warden("fs", "ls", "-l", "/data/in", "--fs", store)).decode().split()
    assert long[0] == "-rw-r-----" and long[4] == str(len(blob)) and long[-1] == "blob.bin"
    assert ok(warden("fs", "cat", "/data/note.txt", "--fs", store)) == b"from stdin\n"
    assert ok(warden("fs", "get", "/data/in/blob.bin", "-", "--fs", store)) == blob
    ok(warden("fs", "get", "/data/in/blob.bin", str(tmp_path), "--fs", store))  # into a host directory
    assert (tmp_path / "blob.bin").read_bytes() == blob
    # put over an existing file replaces its content.
    ok(warden("fs", "put", "-", "/data/in/blob.bin", "--fs", store, input=b"short"))
    assert ok(warden("fs", "cat", "/data/in/blob.bin", "--fs", store)) == b"short"
    assert b"clean" in ok(warden("fs", "check", "--fs", store))


def test_mkdir_rm_and_lookup_errors_are_one_line_with_the_errno_text(tmp_path):
    store = str(tmp_path / "fs.sqlite")
    fails(warden("fs", "mkdir", "/a/b", "--fs", store), "No such file or directory")
    ok(warden("fs", "mkdir", "/a", "--fs", store))
    fails(warden("fs", "mkdir", "/a", "--fs", store), "File exists")
    ok(warden("fs", "mkdir", "-p", "/a/b/c", "--fs", store))
    ok(warden("fs", "mkdir", "-p", "/a/b/c", "--fs", store))  # -p: no error when it exists
    ok(warden("fs", "put", "-", "/a/b/c/f", "--fs", store, input=b"x"))
    fails(warden("fs", "mkdir", "-p", "/a/b/c/f/g", "--fs", store), "Not a directory")
    fails(warden("fs", "rm", "/a", "--fs", store), "Is a directory")
    fails(warden("fs", "cat", "/a/b", "--fs", store), "Is a directory")
    fails(warden("fs", "cat", "/nope", "--fs", store), "/nope: No such file or directory")
    fails(warden("fs", "rm", "/", "--fs", store), "refusing to remove")
    ok(warden("fs", "rm", "-r", "/a", "--fs", store))
    assert ok(warden("fs", "ls", "/", "--fs", store)) == b""
    fails(warden("fs", "rm", "/a", "--fs", store), "No such file or directory")


def test_read_commands_never_create_a_store(tmp_path):
    store = tmp_path / "none.sqlite"
    fails(warden("fs", "ls", "/", "--fs", str(store)), "no such store file")
    fails(warden("fs", "check", "--fs", str(store)), "no such store file")
    assert not store.exists()


@pytest.mark.parametrize("command", [("ls", "/"), ("put", "-", "/x"), ("check",), ("check", "--repair")])
def test_a_file_that_is_not_a_store_is_reported_and_left_alone(tmp_path, command):
    bad = tmp_path / "notes.txt"
    bad.write_bytes(b"my precious notes\n")
    r = warden("fs", *command, "--fs", str(bad), input=b"data")
    fails(r, "not a Warden filesystem store")
    assert str(bad) in r.stderr.decode()
    assert bad.read_bytes() == b"my precious notes\n"
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


def test_check_reports_problems_and_repair_fixes_them(tmp_path):
    store = str(tmp_path / "fs.sqlite")
    ok(warden("fs", "put", "-", "/f", "--fs", store, input=b"x"))
    conn = sqlite3.connect(store)
    conn.execute("UPDATE inodes SET nlink = 4 WHERE ino = 2")
    conn.execute("INSERT INTO dirents VALUES (1, CAST('ghost' AS BLOB), 77)")
    conn.commit()
    conn.close()
    r = warden("fs", "check", "--fs", store)
    assert r.returncode == 1
    out = r.stdout.decode()
    assert "link-count: inode 2 has link count 4, should be 1" in out and "dangling-entry" in out
    assert "2 problem(s), 0 repaired, 2 remaining" in out
    r = warden("fs", "check", "--repair", "--fs", store)
    assert r.returncode == 0 and b"2 repaired" in r.stdout
    assert b"clean" in ok(warden("fs", "check", "--fs", store))
    assert ok(warden("fs", "cat", "/f", "--fs", store)) == b"x"


def test_a_store_in_use_is_refused(tmp_path):
    store = tmp_path / "fs.sqlite"
    with StoreFs(store):
        fails(warden("fs", "ls", "/", "--fs", str(store)), "in use by another warden process")
        fails(warden("run", "--fs", str(store), str(HELLO_WAT)), "in use by another warden process")
    ok(warden("fs", "ls", "/", "--fs", str(store)))


def test_default_store_is_warden_fs_else_xdg_data_home(tmp_path):
    xdg = tmp_path / "xdg"
    ok(warden("fs", "mkdir", "/via-xdg", env={"XDG_DATA_HOME": str(xdg)}))
    assert (xdg / "warden" / "fs.sqlite").is_file()
    assert oct((xdg / "warden").stat().st_mode & 0o777) == oct(0o700)
    explicit = tmp_path / "explicit.sqlite"
    env = {"XDG_DATA_HOME": str(xdg), "WARDEN_FS": str(explicit)}
    ok(warden("fs", "mkdir", "/via-env", env=env))
    assert ok(warden("fs", "ls", "/", env=env)) == b"via-env\n"
    assert ok(warden("fs", "ls", "/", env={"XDG_DATA_HOME": str(xdg)})) == b"via-xdg\n"
    # run: the default store is the root filesystem; :memory: touches no store at all.
    ok(warden("run", str(HELLO_WAT), env=env))
    assert b"tmp" in ok(warden("fs", "ls", "/", env=env))
    other = tmp_path / "other-xdg"
    ok(warden("run", "--fs", ":memory:", str(HELLO_WAT), env={"XDG_DATA_HOME": str(other)}))
    assert not other.exists()


_COPY = r'''
#include "walilib.h"
WALI_MAIN
static char buf[4096];
int main(int argc, char **argv) {
    /* copy argv[1] to argv[2], then list what the second image holds */
    int in = (int)wali_open(argv[1], O_RDONLY, 0);
    check(in >= 0, "open source");
    int out = (int)wali_open(argv[2], O_CREAT | O_WRONLY | O_TRUNC, 0644);
    check(out >= 0, "open target");
    int64_t n = wali_read(in, buf, sizeof buf);
    check_eq(wali_write(out, buf, (uint32_t)n), n, "copy");
    check_eq(wali_open("/tools/readme", O_RDWR, 0), -EROFS, "images are read-only");
    int r = (int)wali_open("/tools/readme", O_RDONLY, 0);
    n = wali_read(r, buf, sizeof buf);
    check_eq(wali_write(1, buf, (uint32_t)n), n, "print");
    return 0;
}
'''


def test_pack_then_run_with_two_images_and_a_store(tmp_path, build_c):
    app, tools = tmp_path / "app", tmp_path / "tools"
    app.mkdir()
    tools.mkdir()
    (app / "input.txt").write_bytes(b"payload from the app image\n")
    (tools / "readme").write_bytes(b"tools image\n")
    img1, img2, store = tmp_path / "app.img", tmp_path / "tools.img", str(tmp_path / "fs.sqlite")
    out = ok(warden("fs", "pack", str(app), "-o", str(img1)))
    assert b"1 files" in out
    ok(warden("fs", "pack", str(tools), "-o", str(img2)))
    fails(warden("fs", "pack", str(tools), "-o", str(img2)), "exists (use --force")
    ok(warden("fs", "pack", str(tools), "-o", str(img2), "--force"))
    assert ok(warden("fs", "ls", "/", "--fs", str(img1))) == b"input.txt\n"
    fails(warden("fs", "put", "-", "/x", "--fs", str(img1), input=b"x"), "Read-only file system")
    fails(warden("fs", "check", "--repair", "--fs", str(img1)), "read-only image")
    assert b"clean" in ok(warden("fs", "check", "--fs", str(img1)))
    wasm = build_c(_COPY, name="fs_cli_copy.c")
    r = warden("run", "--fs", store, "--image", f"{img1}::/app", "--image", f"{img2}::/tools",
               str(wasm), "/app/input.txt", "/tmp/copied")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"tools image\n"
    assert ok(warden("fs", "cat", "/tmp/copied", "--fs", store)) == b"payload from the app image\n"
    r = warden("run", "--fs", store, "--image", f"{img1}:/app", str(HELLO_WAT))
    assert r.returncode == 2 and b"IMAGE::/GUEST" in r.stderr
    r = warden("run", "--fs", store, "--image", f"{tmp_path / 'missing.img'}::/app", str(HELLO_WAT))
    assert r.returncode == 2 and b"is not a file" in r.stderr


def test_run_refuses_a_bad_store_without_touching_it(tmp_path):
    bad = tmp_path / "fs.sqlite"
    conn = sqlite3.connect(bad)
    conn.execute("CREATE TABLE mine(x)")
    conn.commit()
    conn.close()
    before = bad.read_bytes()
    r = warden("run", "--fs", str(bad), str(HELLO_WAT))
    fails(r, "not a Warden filesystem store")
    assert r.stdout == b""
    assert bad.read_bytes() == before
