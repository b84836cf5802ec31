"""The rest of the process family: vfork/clone, execveat, waitid, pause,
rt_sigtimedwait, interval timers, and their EFAULT paths."""

from __future__ import annotations

from tests.harness import run_cage

WAITID_CLONE = r'''
#include "walisig.h"
WALI_MAIN
#define P_PID 1
#define P_ALL 0
#define WEXITED 4
#define CLD_EXITED 1
#define CLD_KILLED 2
int main(int argc, char **argv) {
    unsigned char info[128];
    /* vfork behaves as fork */
    int64_t pid = wali_vfork();
    if (pid == 0) wali_exit_group(4);
    check_eq(wali_waitid(P_PID, (int32_t)pid, info, WEXITED, 0), 0, "waitid");
    check_eq(*(int32_t *)info, SIGCHLD, "si_signo");
    check_eq(*(int32_t *)(info + 8), CLD_EXITED, "si_code");
    check_eq(*(int32_t *)(info + 16), (int32_t)pid, "si_pid");
    check_eq(*(int32_t *)(info + 24), 4, "si_status");
    /* clone with the flags musl's fork uses */
    pid = wali_clone(SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) { wali_kill((int32_t)wali_getpid(), SIGKILL); }
    check_eq(wali_waitid(P_ALL, 0, info, WEXITED, 0), 0, "waitid any");
    check_eq(*(int32_t *)(info + 8), CLD_KILLED, "killed");
    check_eq(*(int32_t *)(info + 24), SIGKILL, "by SIGKILL");
    check_eq(wali_clone(0x00010000 /* CLONE_THREAD */, 0, 0, 0, 0), -EINVAL, "threads come from thread_spawn");
    check_eq(wali_waitid(P_ALL, 0, info, 0, 0), -EINVAL, "no WEXITED/WSTOPPED/WCONTINUED");
    check_eq(wali_waitid(9, 0, info, WEXITED, 0), -EINVAL, "bad idtype");
    check_eq(wali_waitid(P_ALL, 0, info, WEXITED, 0), -ECHILD, "no children");
    pid = wali_fork();
    if (pid == 0) wali_exit_group(0);
    check_eq(wali_waitid(P_PID, (int32_t)pid, (void *)0xFFFFFFF0u, WEXITED, 0), -EFAULT, "bad infop");
    check_eq(wali_waitid(P_PID, (int32_t)pid, info, WEXITED, 0), 0, "still reapable after EFAULT");
    return 0;
}
'''


async def test_waitid_vfork_and_clone(build_c):
    r = await run_cage(build_c(WAITID_CLONE, name="waitid_clone.c"))
    assert r.exit_code == 0, r.stderr


EXECVEAT = r'''
#include "walisig.h"
WALI_MAIN
WALI_IMPORT("SYS_execveat") int64_t wali_execveat(int32_t, void *, void *, void *, int32_t);
int main(int argc, char **argv) {
    if (argc > 1) { wprintf(1, "exec'd %s\n", argv[1]); return 0; }
    int32_t dir = (int32_t)wali_open("/bin", O_RDONLY | O_DIRECTORY, 0);
    char *av[] = {"prog", "via-execveat", 0};
    check_eq(wali_execveat(dir, "missing", av, 0, 0), -ENOENT, "relative to dirfd");
    check_eq(wali_execveat(dir, "prog", av, 0, 0x1234), -EINVAL, "bad flags");
    check_eq(wali_execveat(dir, (void *)0xFFFFFFF0u, av, 0, 0), -EFAULT, "bad path");
    wali_execveat(dir, "prog", av, 0, 0);
    return 1;
}
'''


async def test_execveat_runs_a_program_relative_to_a_directory_fd(make_warden, build_c, bindir):
    mnt = bindir(prog=build_c(EXECVEAT, name="execveat.c"))
    async with make_warden(dirs=[mnt]) as h:
        r = await h.run(mnt.host + "/prog")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"exec'd via-execveat\n"


TIMERS = r'''
#include "walisig.h"
WALI_MAIN
static volatile int alarms;
static void on_alarm(int sig) { alarms++; }
int main(int argc, char **argv) {
    set_handler(SIGALRM, on_alarm, 0, 0);
    /* a 100 ms interval timer */
    int64_t it[4] = {0, 100000, 0, 100000};   /* interval {sec, usec}, value {sec, usec} */
    check_eq(wali_setitimer(0, it, 0), 0, "setitimer");
    int64_t cur[4];
    check_eq(wali_getitimer(0, cur), 0, "getitimer");
    check_eq(cur[1], 100000, "interval reported");
    check(cur[2] == 0 && cur[3] > 0 && cur[3] <= 100000, "time left reported");
    while (alarms < 3) wali_pause();
    int64_t off[4] = {0, 0, 0, 0}, old[4];
    check_eq(wali_setitimer(0, off, old), 0, "disarm");
    check_eq(old[1], 100000, "old interval");
    check_eq(wali_getitimer(7, cur), -EINVAL, "bad which");
    check_eq(wali_setitimer(0, (void *)0xFFFFFFF0u, 0), -EFAULT, "bad new value");
    check_eq(wali_getitimer(0, (void *)0xFFFFFFF0u), -EFAULT, "bad cur");
    int64_t bad[4] = {0, 0, 0, 1000000};
    check_eq(wali_setitimer(0, bad, 0), -EINVAL, "usec out of range");
    /* alarm returns the seconds left on the previous alarm */
    check_eq(wali_alarm(10), 0, "no previous alarm");
    check_eq(wali_alarm(0), 10, "previous alarm had ~10 s left");
    /* pause returns -EINTR once a handler ran */
    wali_alarm(1);
    check_eq(wali_pause(), -EINTR, "pause");
    return alarms >= 4 ? 0 : 1;
}
'''


async def test_interval_timers_alarm_and_pause(build_c):
    r = await run_cage(build_c(TIMERS, name="timers.c"), timeout=60)
    assert r.exit_code == 0, r.stderr


SIGTIMEDWAIT = r'''
#include "walisig.h"
WALI_MAIN
int main(int argc, char **argv) {
    uint64_t set = sigbit(SIGUSR1);
    sigmask_op(SIG_BLOCK, set, 0);
    wali_kill((int32_t)wali_getpid(), SIGUSR1);
    unsigned char info[128];
    check_eq(wali_rt_sigtimedwait(&set, info, 0, 8), SIGUSR1, "dequeues the pending signal");
    check_eq(*(int32_t *)info, SIGUSR1, "si_signo");
    wali_timespec_t ts = {0, 50000000};
    check_eq(wali_rt_sigtimedwait(&set, 0, &ts, 8), -EAGAIN, "timeout");
    check_eq(wali_rt_sigtimedwait(&set, 0, &ts, 4), -EINVAL, "sigsetsize");
    check_eq(wali_rt_sigtimedwait((void *)0xFFFFFFF0u, 0, &ts, 8), -EFAULT, "bad set");
    check_eq(wali_rt_sigtimedwait(&set, (void *)0xFFFFFFF0u, &ts, 8), -EFAULT, "bad info");
    check_eq(wali_rt_sigsuspend((void *)0xFFFFFFF0u, 8), -EFAULT, "sigsuspend bad mask");
    check_eq(wali_rt_sigsuspend(&set, 4), -EINVAL, "sigsuspend sigsetsize");
    return 0;
}
'''


async def test_sigtimedwait_dequeues_blocked_signals(build_c):
    r = await run_cage(build_c(SIGTIMEDWAIT, name="sigtimedwait.c"))
    assert r.exit_code == 0, r.stderr
