"""A sweep of escape attempts against a --dir mount: hundreds of paths and
operations, plus a host thread swapping a directory for a symlink to the
outside while the cage hammers it. Nothing outside the mounted directory may be
read, created, changed or removed.
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
from pathlib import Path

from kernel.embed import DirMount

SECRET = b"TOP-SECRET-HOST-CONTENT"

SWEEP_C = r'''
#include "walilib.h"
WALI_MAIN
static char list[1 << 20];
static char readbuf[4096];
/* Reads length-prefixed attack paths (they may contain NUL bytes) from /mnt/attacks.bin
 * and tries every operation on each; prints one result line per attempt:
 * "<op> <index> <result>" and any bytes it managed to read. */
int main(int argc, char **argv) {
    int32_t fd = (int32_t)wali_open("/mnt/attacks.bin", O_RDONLY, 0);
    if (fd < 0) return 3;
    int64_t n = 0, r;
    while ((r = wali_read(fd, list + n, sizeof list - n)) > 0) n += r;
    wali_close(fd);
    int attempts = 0, idx = 0;
    for (int64_t off = 0; off + 4 <= n; idx++) {
        uint32_t len = *(uint32_t *)(list + off);
        char *p = list + off + 4;
        off += 4 + len;
        /* open for reading */
        int64_t f = wali_open(p, O_RDONLY, 0);
        if (f >= 0) {
            int64_t got = wali_read((int32_t)f, readbuf, sizeof readbuf - 1);
            if (got > 0) { readbuf[got] = 0; wprintf(1, "READ %d %s\n", idx, readbuf); }
            wali_close((int32_t)f);
        }
        attempts++;
        /* create and write */
        f = wali_open(p, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (f >= 0) { wali_write((int32_t)f, "PWNED", 5); wali_close((int32_t)f); }
        attempts++;
        wali_mkdir(p, 0777); attempts++;
        wali_chmod(p, 0777); attempts++;
        wali_truncate(p, 0); attempts++;
        wali_symlink("/", p); attempts++;
        wali_link("/mnt/inside.txt", p); attempts++;
        int32_t t = (int32_t)wali_open("/mnt/victim", O_WRONLY | O_CREAT, 0644);
        if (t >= 0) wali_close(t);
        wali_rename("/mnt/victim", p); attempts++;
        wali_unlink(p); attempts++;
        wali_rmdir(p); attempts++;
    }
    wprintf(1, "ATTEMPTS %d\n", attempts);
    return 0;
}
'''

RACE_C = r'''
#include "walilib.h"
WALI_MAIN
static char readbuf[4096];
int main(int argc, char **argv) {
    int attempts = 0;
    for (int i = 0; i < 150; i++) {
        int64_t f = wali_open("/mnt/swap/secret.txt", O_RDONLY, 0);
        if (f >= 0) {
            int64_t got = wali_read((int32_t)f, readbuf, sizeof readbuf - 1);
            if (got > 0) { readbuf[got] = 0; wprintf(1, "READ %s\n", readbuf); }
            wali_close((int32_t)f);
        }
        f = wali_open("/mnt/swap/created.txt", O_WRONLY | O_CREAT, 0644);
        if (f >= 0) { wali_write((int32_t)f, "PWNED", 5); wali_close((int32_t)f); }
        wali_mkdir("/mnt/swap/newdir", 0777);
        wali_unlink("/mnt/swap/secret.txt");
        wali_chmod("/mnt/swap/secret.txt", 0777);
        attempts += 5;
    }
    wprintf(1, "ATTEMPTS %d\n", attempts);
    return 0;
}
'''


def _tree_digest(root: Path) -> dict[str, tuple[int, bytes | str]]:
    out: dict[str, tuple[int, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            if p.is_symlink():
                out[str(p)] = (st.st_mode, os.readlink(p))
            elif p.is_file():
                out[str(p)] = (st.st_mode, hashlib.sha256(p.read_bytes()).digest())
            else:
                out[str(p)] = (st.st_mode, b"dir")
    return out


def _layout(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "dir" / "secret.txt").write_bytes(SECRET)
    shared = tmp_path / "shared"
    (shared / "sub" / "deep").mkdir(parents=True)
    (shared / "inside.txt").write_bytes(b"inside")
    os.symlink(outside / "secret.txt", shared / "abs_secret")
    os.symlink("../outside/secret.txt", shared / "rel_secret")
    os.symlink("../outside", shared / "rel_outside")
    os.symlink(str(outside), shared / "abs_outside")
    os.symlink("/", shared / "rootlink")
    os.symlink("../../..", shared / "sub" / "deep" / "up")
    os.symlink("loop_b", shared / "loop_a")
    os.symlink("loop_a", shared / "loop_b")
    os.symlink("sub/deep/up", shared / "chain")
    return outside, shared


def _attack_paths(outside: Path, shared: Path) -> list[bytes]:
    host_secret = str(outside / "secret.txt").encode()
    host_outside = str(outside).encode()
    targets = [b"outside/secret.txt", b"outside/dir/secret.txt", b"outside/new.txt", b"outside",
               b"outside/dir", b"outside/newdir"]
    paths: list[bytes] = []
    for depth in range(1, 7):
        up = b"../" * depth
        for t in targets:
            paths.append(b"/mnt/" + up + t)
            paths.append(b"/mnt/sub/deep/" + up + t)
    for link in (b"abs_secret", b"rel_secret", b"rel_outside/secret.txt", b"abs_outside/secret.txt",
                 b"abs_outside/new.txt", b"rel_outside/new.txt", b"rootlink" + host_secret,
                 b"sub/deep/up/outside/secret.txt", b"chain/outside/secret.txt", b"loop_a", b"loop_a/x",
                 b"rel_outside/dir/secret.txt", b"abs_outside/dir"):
        paths.append(b"/mnt/" + link)
    paths += [host_secret, host_outside + b"/new.txt", b"/mnt/" + host_secret,
              b"/mnt//..//..//" + host_secret.lstrip(b"/"),
              b"/mnt/sub/" + b"../" * 300 + host_secret.lstrip(b"/"),
              b"/mnt/" + b"a/" * 2100 + b"x",                        # longer than PATH_MAX
              b"/mnt/" + b"x" * 300,                                   # component longer than NAME_MAX
              b"/mnt/../outside\0/../../secret.txt",                  # NUL ends the path
              b"/mnt/rel_secret\0ignored", b"/mnt/abs_outside\0/x", b"/mnt/\0../../outside/secret.txt",
              b"/mnt/./././../outside/./secret.txt", b"/mnt/sub/./deep/../../../outside/secret.txt"]
    return paths


async def test_three_hundred_escape_attempts_touch_nothing_outside(make_warden, build_c, tmp_path):
    outside, shared = _layout(tmp_path)
    paths = _attack_paths(outside, shared)
    (shared / "attacks.bin").write_bytes(b"".join(struct.pack("<I", len(p) + 1) + p + b"\0" for p in paths))
    before = _tree_digest(outside)
    siblings = set(os.listdir(tmp_path))
    async with make_warden(dirs=[DirMount(str(shared), b"/mnt")]) as h:
        r = await h.run(build_c(SWEEP_C, name="escape_sweep.c"), timeout=300)
    assert r.exit_code == 0, r.stderr
    attempts = int(r.out.split("ATTEMPTS ")[1].split()[0])
    assert attempts >= 300, attempts
    assert SECRET not in r.stdout, "a secret from outside the mount was read"
    assert _tree_digest(outside) == before, "something outside the mount changed"
    assert set(os.listdir(tmp_path)) == siblings, "something appeared next to the mount"


async def test_swapping_a_directory_for_a_symlink_during_calls_never_escapes(make_warden, build_c, tmp_path):
    outside, shared = _layout(tmp_path)
    swap = shared / "swap"
    swap.mkdir()
    (swap / "secret.txt").write_bytes(b"harmless")
    before = _tree_digest(outside)
    stop = threading.Event()
    swaps = [0]

    def swapper() -> None:
        # Replace /shared/swap by a symlink to the outside and back, as fast as possible.
        real = shared / "swap.real"
        while not stop.is_set():
            try:
                os.rename(swap, real)
                os.symlink(outside, swap)
                os.unlink(swap)
                os.rename(real, swap)
                swaps[0] += 1
            except OSError:
                pass

    t = threading.Thread(target=swapper, daemon=True)
    t.start()
    try:
        async with make_warden(dirs=[DirMount(str(shared), b"/mnt")]) as h:
            r = await h.run(build_c(RACE_C, name="escape_race.c"), timeout=300)
    finally:
        stop.set()
        t.join()
    assert r.exit_code == 0, r.stderr
    assert int(r.out.split("ATTEMPTS ")[1].split()[0]) >= 300
    assert swaps[0] > 10, "the race did not run"
    assert SECRET not in r.stdout
    assert _tree_digest(outside) == before
    assert not (outside / "created.txt").exists() and not (outside / "newdir").exists()
