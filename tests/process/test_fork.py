"""fork(2) and wait4(2): the child's copy of everything, statuses, reaping."""

from __future__ import annotations

import signal

from tests.harness import run_cage

FORK_BASICS = r'''
#include "walilib.h"
WALI_MAIN
static int counter = 5;
int main(int argc, char **argv) {
    int32_t fd = (int32_t)wali_open("/tmp/shared", O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "open");
    int64_t parent = wali_getpid();
    int64_t pid = wali_fork();
    check(pid >= 0, "fork");
    if (pid == 0) {
        counter += 100;
        check_eq(wali_getppid(), parent, "child's parent is the forker");
        check(wali_getpid() != parent, "child has its own pid");
        check_eq(wali_write(fd, "child", 5), 5, "child writes through the inherited fd");
        wali_exit_group(counter == 105 ? 7 : 99);
    }
    int status = 0;
    check_eq(wali_wait4((int32_t)pid, &status, 0, 0), pid, "wait4 returns the child");
    check_eq(status, 7 << 8, "exited with 7");
    check_eq(counter, 5, "the child's write to memory is its own");
    /* The open file description is shared: the child's write moved our offset. */
    check_eq(wali_lseek(fd, 0, SEEK_CUR), 5, "shared offset");
    check_eq(wali_wait4(-1, &status, 0, 0), -ECHILD, "no more children");
    check_eq(wali_wait4(-1, &status, WNOHANG, 0), -ECHILD, "WNOHANG without children is ECHILD");
    return 0;
}
'''


async def test_fork_child_gets_copies_and_shares_open_files(build_c):
    r = await run_cage(build_c(FORK_BASICS, name="fork_basics.c"))
    assert r.exit_code == 0, r.stderr


WNOHANG_AND_SIGNALS = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int status = -1;
    int64_t pid = wali_fork();
    if (pid == 0) {
        struct wali_timespec ts = {0, 200000000};
        wali_nanosleep(&ts, 0);
        wali_exit_group(3);
    }
    check_eq(wali_wait4((int32_t)pid, &status, WNOHANG, 0), 0, "WNOHANG: still running");
    check_eq(wali_wait4((int32_t)pid, &status, 0, 0), pid, "then it exits");
    check_eq(status, 3 << 8, "status 3");
    /* a child killed by a signal */
    pid = wali_fork();
    if (pid == 0) {
        wali_kill((int32_t)wali_getpid(), SIGTERM);
        wali_exit_group(0);
    }
    check_eq(wali_wait4((int32_t)pid, &status, 0, 0), pid, "reaped");
    check_eq(status & 0x7f, SIGTERM, "WIFSIGNALED with SIGTERM");
    /* a child that traps dies like a segfault */
    pid = wali_fork();
    if (pid == 0) {
        volatile int *bad = (int *)0xFFFFFFF0u;
        return *bad;
    }
    check_eq(wali_wait4((int32_t)pid, &status, 0, 0), pid, "reaped crash");
    check_eq(status & 0x7f, SIGSEGV, "crash is SIGSEGV");
    return 0;
}
'''


async def test_wait4_wnohang_and_death_by_signal_or_trap(build_c):
    r = await run_cage(build_c(WNOHANG_AND_SIGNALS, name="fork_wait.c"))
    assert r.exit_code == 0, r.stderr


ORPHAN = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int64_t pid = wali_fork();
    if (pid == 0) {
        /* wait until our parent is gone, then we belong to init (pid 1) */
        struct wali_timespec ts = {0, 20000000};
        for (int i = 0; i < 200 && wali_getppid() != 1; i++) wali_nanosleep(&ts, 0);
        wprintf(1, "ppid=%lld\n", (long long)wali_getppid());
        wali_exit_group(0);
    }
    return 0;
}
'''


async def test_orphans_are_reparented_to_init(warden, build_c):
    cage = await warden.start(build_c(ORPHAN, name="orphan.c"))
    r = await warden.wait(cage)
    assert r.exit_code == 0
    # The orphan keeps running on the kernel after its parent exited.
    import trio

    with trio.fail_after(30):
        while [c for c in warden.w.kernel.live_cages()]:
            await trio.sleep(0.05)
    r2 = await warden.wait(cage)
    assert b"ppid=1\n" in r2.stdout


BIG_FORK = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int64_t size = 48 << 20;
    unsigned char *p = (unsigned char *)(uintptr_t)wali_mmap(0, (uint32_t)size, PROT_READ | PROT_WRITE,
                                                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check((int64_t)(uintptr_t)p > 0, "mmap 48 MiB");
    for (int64_t i = 0; i < size; i += 4096) p[i] = (unsigned char)(i >> 12);
    int64_t pid = wali_fork();
    if (pid == 0) {
        for (int64_t i = 0; i < size; i += 4096)
            if (p[i] != (unsigned char)(i >> 12)) wali_exit_group(2);
        p[0] = 0xAA;
        wali_exit_group(0);
    }
    int status;
    check_eq(wali_wait4((int32_t)pid, &status, 0, 0), pid, "wait");
    check_eq(status, 0, "child saw every page");
    check_eq(p[0], 0, "the child's write is not ours");
    return 0;
}
'''


async def test_fork_copies_a_large_memory(build_c):
    r = await run_cage(build_c(BIG_FORK, name="big_fork.c"), timeout=120)
    assert r.exit_code == 0, r.stderr


FORK_BOMB = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    struct { uint64_t cur, max; } lim = {8, 8};
    check_eq(wali_setrlimit(6 /* RLIMIT_NPROC */, &lim), 0, "setrlimit");
    check_eq(wali_setuid(1000), 0, "drop root (RLIMIT_NPROC does not bind root)");
    int made = 0, failed = 0;
    for (int i = 0; i < 30; i++) {
        int64_t pid = wali_fork();
        if (pid == 0) {
            struct wali_timespec ts = {2, 0};
            wali_nanosleep(&ts, 0);
            wali_exit_group(0);
        }
        if (pid > 0) made++;
        else if (pid == -EAGAIN) failed++;
    }
    wprintf(1, "made=%d failed=%d\n", made, failed);
    int status;
    while (wali_wait4(-1, &status, 0, 0) > 0) {}
    return (made < 30 && failed > 0) ? 0 : 1;
}
'''


async def test_fork_bomb_hits_rlimit_nproc_with_eagain(make_warden, build_c):
    async with make_warden(uid=0) as h:
        r = await h.run(build_c(FORK_BOMB, name="fork_bomb.c"), timeout=120)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    made = int(r.out.split("made=")[1].split()[0])
    assert made <= 8


async def test_kernel_wide_cage_limit_gives_eagain(make_warden, build_c):
    from kernel.server import ServerConfig

    src = r'''
    #include "walilib.h"
    WALI_MAIN
    int main(int argc, char **argv) {
        int failed = 0;
        for (int i = 0; i < 10; i++) {
            int64_t pid = wali_fork();
            if (pid == 0) { struct wali_timespec ts = {1, 0}; wali_nanosleep(&ts, 0); wali_exit_group(0); }
            if (pid == -EAGAIN) failed++;
        }
        int status;
        while (wali_wait4(-1, &status, 0, 0) > 0) {}
        wprintf(1, "failed=%d\n", failed);
        return 0;
    }'''
    async with make_warden(config=ServerConfig(max_cages=4)) as h:
        r = await h.run(build_c(src, name="cage_limit.c"), timeout=120)
    assert r.exit_code == 0, r.stderr
    assert r.out.strip() == "failed=7"  # 1 parent + 3 children fit in 4


async def test_child_whose_worker_dies_is_reaped_as_killed(warden, build_c):
    src = r'''
    #include "walilib.h"
    WALI_MAIN
    int main(int argc, char **argv) {
        int64_t pid = wali_fork();
        if (pid == 0) { for (;;) { struct wali_timespec ts = {1, 0}; wali_nanosleep(&ts, 0); } }
        wprintf(1, "%lld\n", (long long)pid);
        int status;
        check_eq(wali_wait4((int32_t)pid, &status, 0, 0), pid, "reaped");
        wprintf(1, "sig=%d\n", status & 0x7f);
        return 0;
    }'''
    import os

    import trio

    cage = await warden.start(build_c(src, name="worker_dies.c"))
    with trio.fail_after(30):
        while len(warden.w.kernel.live_cages()) < 2:
            await trio.sleep(0.02)
        child = [c for c in warden.w.kernel.live_cages() if c is not cage][0]
        while not child.host.pid:
            await trio.sleep(0.02)
    os.kill(child.host.pid, signal.SIGKILL)
    r = await warden.wait(cage)
    assert r.exit_code == 0, r.stderr
    assert r.lines()[-1] == f"sig={signal.SIGKILL}"
