"""A store-backed root filesystem under real cages: what one kernel's guest wrote, a fresh
kernel's guest sees; fsync and O_SYNC/O_DSYNC writes are committed before they return,
other writes within the write-back interval."""

from __future__ import annotations

import signal

import trio

from kernel.embed import Warden
from kernel.server import ServerConfig
from kernel.vfs import fsck
from tests.fs._storeutil import raw_connect, raw_tree
from tests.harness import Harness

_PERSIST = r'''
#include "walilib.h"
WALI_MAIN
static char buf[70000];
static void put(const char *path, const char *s, int flags) {
    int fd = (int)wali_open(path, O_CREAT | O_WRONLY | O_TRUNC | flags, 0640);
    check(fd >= 0, path);
    check_eq(wali_write(fd, s, strlen(s)), (int64_t)strlen(s), "write");
    wali_close(fd);
}
static void expect(const char *path, const char *s) {
    int fd = (int)wali_open(path, O_RDONLY, 0);
    check(fd >= 0, path);
    int64_t n = wali_read(fd, buf, sizeof buf);
    check_eq(n, (int64_t)strlen(s), path);
    check(n >= 0 && memcmp(buf, s, (size_t)n) == 0, path);
    wali_close(fd);
}
int main(int argc, char **argv) {
    wali_stat_t st;
    if (streq(argv[1], "write")) {
        check_eq(wali_mkdir("/tmp/proj", 0750), 0, "mkdir");
        check_eq(wali_mkdir("/tmp/proj/src", 0755), 0, "mkdir src");
        put("/tmp/proj/src/main.c", "int main;\n", 0);
        put("/tmp/proj/tmpname", "renamed content\n", 0);
        check_eq(wali_rename("/tmp/proj/tmpname", "/tmp/proj/final"), 0, "rename");
        check_eq(wali_symlink("src/main.c", "/tmp/proj/link"), 0, "symlink");
        check_eq(wali_link("/tmp/proj/final", "/tmp/proj/final2"), 0, "link");
        put("/tmp/proj/gone", "x", 0);
        check_eq(wali_unlink("/tmp/proj/gone"), 0, "unlink");
        check_eq(wali_chmod("/tmp/proj/final", 0604), 0, "chmod");
        /* A sparse file with data in two chunks far apart. */
        int fd = (int)wali_open("/tmp/proj/sparse", O_CREAT | O_WRONLY, 0644);
        for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)('a' + i % 26);
        check_eq(wali_pwrite64(fd, buf, sizeof buf, 1 << 20), (int64_t)sizeof buf, "pwrite far");
        check_eq(wali_pwrite64(fd, "begin", 5, 0), 5, "pwrite begin");
        wali_close(fd);
        /* Open, unlink, keep writing: gone for good once closed. */
        fd = (int)wali_open("/tmp/proj/scratch", O_CREAT | O_RDWR, 0600);
        check_eq(wali_unlink("/tmp/proj/scratch"), 0, "unlink open file");
        check_eq(wali_write(fd, "scratch", 7), 7, "write unlinked");
        return 0;  /* exits with the unlinked file still open */
    }
    expect("/tmp/proj/src/main.c", "int main;\n");
    expect("/tmp/proj/final", "renamed content\n");
    expect("/tmp/proj/final2", "renamed content\n");
    expect("/tmp/proj/link", "int main;\n");
    check_eq(wali_open("/tmp/proj/tmpname", O_RDONLY, 0), -ENOENT, "old name gone");
    check_eq(wali_open("/tmp/proj/gone", O_RDONLY, 0), -ENOENT, "unlinked gone");
    check_eq(wali_stat("/tmp/proj/final", &st), 0, "stat final");
    check_eq(st.st_mode, S_IFREG | 0604, "chmod kept");
    check_eq(st.st_nlink, 2, "two names");
    check_eq(wali_stat("/tmp/proj", &st), 0, "stat dir");
    check_eq(st.st_mode, S_IFDIR | 0750, "dir mode");
    check_eq(st.st_nlink, 3, "dir links");
    check_eq(wali_stat("/tmp", &st), 0, "stat /tmp");
    check_eq(st.st_mode, S_IFDIR | 01777, "/tmp keeps its mode");
    int fd = (int)wali_open("/tmp/proj/sparse", O_RDONLY, 0);
    check_eq(wali_lseek(fd, 0, SEEK_END), (1 << 20) + (int64_t)sizeof buf, "sparse size");
    check_eq(wali_pread64(fd, buf, 8, 0), 8, "read begin");
    check(memcmp(buf, "begin\0\0\0", 8) == 0, "begin then a hole");
    check_eq(wali_pread64(fd, buf, 4, (1 << 20) + 26), 4, "read far");
    check(memcmp(buf, "abcd", 4) == 0, "far data");
    wali_close(fd);
    wprintf(1, "verified\n");
    return 0;
}
'''


async def test_a_fresh_kernel_sees_what_the_last_one_wrote(tmp_path, build_c):
    store = str(tmp_path / "fs.sqlite")
    wasm = build_c(_PERSIST, name="store_persist.c")
    async with Warden(fs=store) as w:
        r = await Harness(w).run(wasm, ["write"])
    assert r.exit_code == 0, r.stderr
    conn = raw_connect(store)
    assert fsck.check(conn).findings == []  # the unlinked-open file did not outlive the kernel
    conn.close()
    assert not any(p.endswith("scratch") for p in raw_tree(store))
    async with Warden(fs=store) as w:
        r = await Harness(w).run(wasm, ["check"])
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"verified\n"


_SYNC = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int a = (int)wali_open("/tmp/a", O_CREAT | O_WRONLY, 0644);
    check_eq(wali_write(a, "fsynced", 7), 7, "write a");
    check_eq(wali_fsync(a), 0, "fsync a");
    int b = (int)wali_open("/tmp/b", O_CREAT | O_WRONLY | (argv[1][0] == 's' ? O_SYNC : O_DSYNC), 0644);
    check_eq(wali_write(b, "osync", 5), 5, "write b");
    int c = (int)wali_open("/tmp/c", O_CREAT | O_WRONLY, 0644);
    check_eq(wali_write(c, "plain", 5), 5, "write c");
    wali_timespec_t ts = {3, 0};
    wali_nanosleep(&ts, 0);   /* the test looks at the store meanwhile */
    return 0;
}
'''


def _committed(store: str, path: str) -> bytes | None:
    node = raw_tree(store).get(path)
    return None if node is None else node.data


async def _wait_committed(store: str, path: str, want: bytes, timeout: float = 10) -> None:
    with trio.fail_after(timeout):
        while _committed(store, path) != want:
            await trio.sleep(0.02)


async def test_fsync_and_o_sync_writes_are_committed_before_they_return(tmp_path, build_c):
    wasm = build_c(_SYNC, name="store_sync.c")
    for mode in ("sync", "dsync"):
        store = str(tmp_path / f"{mode}.sqlite")
        config = ServerConfig(flush_interval_s=3600)  # no periodic write-back in this test
        async with Warden(fs=store, config=config) as w:
            h = Harness(w)
            cage = await h.start(wasm, [mode])
            await _wait_committed(store, "/tmp/b", b"osync")
            assert _committed(store, "/tmp/a") == b"fsynced"
            await trio.sleep(0.2)
            assert _committed(store, "/tmp/c") in (None, b"")  # a plain write waits for write-back
            assert cage.alive
            w.kernel.send_signal(cage, signal.SIGKILL)  # no need to sleep on
            r = await h.wait(cage)
            assert r.signal == signal.SIGKILL, r.stderr
            assert _committed(store, "/tmp/c") in (None, b"")
        assert _committed(store, "/tmp/c") == b"plain"  # the clean shutdown flushed it


_PERIODIC = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int fd = (int)wali_open("/tmp/w", O_CREAT | O_WRONLY, 0644);
    check_eq(wali_write(fd, "written back", 12), 12, "write");
    wali_timespec_t ts = {4, 0};
    wali_nanosleep(&ts, 0);
    return 0;
}
'''


async def test_plain_writes_reach_the_store_within_the_write_back_interval(tmp_path, build_c):
    store = str(tmp_path / "fs.sqlite")
    wasm = build_c(_PERIODIC, name="store_periodic.c")
    async with Warden(fs=store, config=ServerConfig(flush_interval_s=0.2)) as w:
        h = Harness(w)
        cage = await h.start(wasm)
        t0 = trio.current_time()
        await _wait_committed(store, "/tmp/w", b"written back", timeout=3)
        assert trio.current_time() - t0 < 2
        assert cage.alive  # not the shutdown's flush: the guest is still sleeping
        w.kernel.send_signal(cage, signal.SIGKILL)
        await h.wait(cage)
