"""Signal delivery: handlers by table index, masks, EINTR/SA_RESTART, asynchronous
delivery to a cage running wasm, SIGKILL, SIGCHLD, job control."""

from __future__ import annotations

import signal

import trio

from tests.harness import run_cage

HANDLER_BASICS = r'''
#include "walisig.h"
WALI_MAIN
static volatile int hits, last;
static void on_usr1(int sig) { hits++; last = sig; }
int main(int argc, char **argv) {
    check_eq(set_handler(SIGUSR1, on_usr1, 0, 0), 0, "sigaction");
    check_eq(wali_kill((int32_t)wali_getpid(), SIGUSR1), 0, "kill self");
    check_eq(hits, 1, "handler ran before kill returned");
    check_eq(last, SIGUSR1, "handler got the signal number");
    /* blocked: stays pending until unblocked */
    check_eq(sigmask_op(SIG_BLOCK, sigbit(SIGUSR1), 0), 0, "block");
    wali_kill((int32_t)wali_getpid(), SIGUSR1);
    check_eq(hits, 1, "blocked signal not delivered");
    uint64_t pend = 0;
    wali_rt_sigpending(&pend, 8);
    check(pend & sigbit(SIGUSR1), "pending while blocked");
    check_eq(sigmask_op(SIG_UNBLOCK, sigbit(SIGUSR1), 0), 0, "unblock");
    check_eq(hits, 2, "delivered on unblock");
    /* SIG_IGN discards */
    set_disposition(SIGUSR1, WALI_SIG_IGN);
    wali_kill((int32_t)wali_getpid(), SIGUSR1);
    check_eq(hits, 2, "ignored");
    /* SA_RESETHAND: second delivery uses the default action (terminate) */
    check_eq(set_handler(SIGUSR2, on_usr1, SA_RESETHAND, 0), 0, "resethand");
    wali_kill((int32_t)wali_getpid(), SIGUSR2);
    check_eq(hits, 3, "handled once");
    wali_ksigaction_t old;
    wali_rt_sigaction(SIGUSR2, 0, &old, 8);
    check_eq(old.handler, WALI_SIG_DFL, "reset to SIG_DFL");
    wprintf(1, "ok\n");
    wali_kill((int32_t)wali_getpid(), SIGUSR2);
    return 0;
}
'''


async def test_handlers_masks_ignore_and_resethand(build_c):
    r = await run_cage(build_c(HANDLER_BASICS, name="sig_basics.c"))
    assert r.stdout == b"ok\n", r.stderr
    assert r.signal == signal.SIGUSR2  # the default action after SA_RESETHAND


HANDLER_MASK = r'''
#include "walisig.h"
WALI_MAIN
static volatile int inner, outer_saw_inner;
static void on_usr2(int sig) { inner++; }
static void on_usr1(int sig) {
    uint64_t cur = 0;
    sigmask_op(SIG_BLOCK, 0, &cur);
    /* sa_mask blocks USR2 and the signal itself is blocked while its handler runs */
    check(cur & sigbit(SIGUSR2), "sa_mask applied");
    check(cur & sigbit(SIGUSR1), "own signal blocked");
    wali_kill((int32_t)wali_getpid(), SIGUSR2);
    outer_saw_inner = inner;
}
int main(int argc, char **argv) {
    set_handler(SIGUSR2, on_usr2, 0, 0);
    set_handler(SIGUSR1, on_usr1, 0, sigbit(SIGUSR2));
    wali_kill((int32_t)wali_getpid(), SIGUSR1);
    check_eq(outer_saw_inner, 0, "USR2 waited for the USR1 handler to return");
    check_eq(inner, 1, "then it ran");
    uint64_t cur = 1;
    sigmask_op(SIG_BLOCK, 0, &cur);
    check_eq(cur, 0, "mask restored after the handlers");
    return 0;
}
'''


async def test_handler_mask_and_sigreturn_restore(build_c):
    r = await run_cage(build_c(HANDLER_MASK, name="sig_mask.c"))
    assert r.exit_code == 0, r.stderr


EINTR_AND_RESTART = r'''
#include "walisig.h"
WALI_MAIN
static volatile int alarms;
static void on_alarm(int sig) { alarms++; }
int main(int argc, char **argv) {
    int fds[2];
    char c;
    wali_pipe(fds);
    /* no SA_RESTART: a blocked read fails with EINTR after the handler */
    set_handler(SIGALRM, on_alarm, 0, 0);
    wali_alarm(1);
    check_eq(wali_read(fds[0], &c, 1), -EINTR, "EINTR");
    check_eq(alarms, 1, "handler ran");
    /* SA_RESTART: the read goes on after the handler, until data arrives */
    set_handler(SIGALRM, on_alarm, SA_RESTART, 0);
    int64_t pid = wali_fork();
    if (pid == 0) { sleep_ms(1500); wali_write(fds[1], "z", 1); wali_exit_group(0); }
    wali_alarm(1);
    check_eq(wali_read(fds[0], &c, 1), 1, "restarted read got the data");
    check_eq(c, 'z', "data");
    check_eq(alarms, 2, "handler ran during the restarted read");
    /* nanosleep is never restarted: EINTR and the remaining time */
    wali_alarm(1);
    wali_timespec_t req = {5, 0}, rem = {0, 0};
    check_eq(wali_nanosleep(&req, &rem), -EINTR, "sleep interrupted");
    check(rem.tv_sec >= 3 && rem.tv_sec <= 4, "remaining time reported");
    int status;
    wali_wait4((int32_t)pid, &status, 0, 0);
    return 0;
}
'''


async def test_eintr_sa_restart_and_interrupted_sleep(build_c):
    r = await run_cage(build_c(EINTR_AND_RESTART, name="sig_eintr.c"), timeout=60)
    assert r.exit_code == 0, r.stderr


BUSY_ALARM = r'''
#include "walisig.h"
WALI_MAIN
static volatile int fired;
static void on_alarm(int sig) { fired = 1; }
int main(int argc, char **argv) {
    set_handler(SIGALRM, on_alarm, 0, 0);
    wali_alarm(1);
    /* no syscalls in this loop: the handler arrives through an epoch interrupt */
    volatile uint64_t spins = 0;
    while (!fired) spins++;
    wprintf(1, "fired\n");
    return 0;
}
'''


async def test_handler_reaches_a_cage_that_makes_no_syscalls(build_c):
    r = await run_cage(build_c(BUSY_ALARM, name="sig_busy.c"), timeout=60)
    assert r.stdout == b"fired\n", r.stderr


SPIN_FOREVER = b"""(module
  (memory (export "memory") 1 1 shared)
  (func (export "_start") (loop (br 0))))"""


async def test_sigkill_stops_an_endless_loop(warden, build_c):
    victim = await warden.start(SPIN_FOREVER)
    killer_src = r'''
    #include "walisig.h"
    WALI_MAIN
    int main(int argc, char **argv) {
        sleep_ms(300);
        return (int)-wali_kill((int32_t)wali_atoi(argv[1]), SIGKILL);
    }'''
    killer = await warden.start(build_c(killer_src, name="killer.c"), [str(victim.pid)])
    rk = await warden.wait(killer)
    assert rk.exit_code == 0
    rv = await warden.wait(victim, timeout=10)
    assert rv.signal == signal.SIGKILL


async def test_sigterm_from_the_test_ends_a_busy_cage_by_default(warden):
    victim = await warden.start(SPIN_FOREVER)
    with trio.fail_after(30):
        while not victim.mem.size:
            await trio.sleep(0.01)
    warden.w.kernel.send_signal(victim, signal.SIGTERM)
    rv = await warden.wait(victim, timeout=10)
    assert rv.signal == signal.SIGTERM


SIGCHLD_SUSPEND = r'''
#include "walisig.h"
WALI_MAIN
static volatile int chld;
static void on_chld(int sig) { chld++; }
int main(int argc, char **argv) {
    set_handler(SIGCHLD, on_chld, 0, 0);
    uint64_t old;
    sigmask_op(SIG_BLOCK, sigbit(SIGCHLD), &old);
    int64_t pid = wali_fork();
    if (pid == 0) { sleep_ms(200); wali_exit_group(5); }
    /* sigsuspend: atomically unblock SIGCHLD and wait; returns -EINTR after the handler */
    uint64_t none = 0;
    check_eq(wali_rt_sigsuspend(&none, 8), -EINTR, "sigsuspend");
    check_eq(chld, 1, "SIGCHLD handled");
    uint64_t cur = 0;
    sigmask_op(SIG_BLOCK, 0, &cur);
    check(cur & sigbit(SIGCHLD), "mask restored after sigsuspend");
    int status;
    check_eq(wali_wait4((int32_t)pid, &status, 0, 0), pid, "reap");
    check_eq(status, 5 << 8, "status");
    return 0;
}
'''


async def test_sigchld_and_sigsuspend(build_c):
    r = await run_cage(build_c(SIGCHLD_SUSPEND, name="sig_chld.c"), timeout=60)
    assert r.exit_code == 0, r.stderr


JOB_CONTROL = r'''
#include "walisig.h"
WALI_MAIN
int main(int argc, char **argv) {
    int64_t pid = wali_fork();
    if (pid == 0) { for (;;) sleep_ms(50); }
    int status = 0;
    check_eq(wali_kill((int32_t)pid, SIGSTOP), 0, "stop");
    check_eq(wali_wait4((int32_t)pid, &status, WUNTRACED, 0), pid, "stop reported");
    check_eq(status, (SIGSTOP << 8) | 0x7f, "WIFSTOPPED");
    check_eq(wali_kill((int32_t)pid, SIGCONT), 0, "continue");
    check_eq(wali_wait4((int32_t)pid, &status, 8 /* WCONTINUED */, 0), pid, "continue reported");
    check_eq(status, 0xffff, "WIFCONTINUED");
    check_eq(wali_kill((int32_t)pid, SIGKILL), 0, "kill");
    check_eq(wali_wait4((int32_t)pid, &status, 0, 0), pid, "reap");
    check_eq(status & 0x7f, SIGKILL, "killed");
    check_eq(wali_kill(99999, SIGTERM), -ESRCH, "no such process");
    return 0;
}
'''


async def test_stop_continue_and_kill_a_child(build_c):
    r = await run_cage(build_c(JOB_CONTROL, name="sig_job.c"), timeout=60)
    assert r.exit_code == 0, r.stderr


async def test_kill_of_another_users_cage_is_eperm(make_warden, build_c):
    src = r'''
    #include "walisig.h"
    WALI_MAIN
    int main(int argc, char **argv) {
        int64_t pid = wali_fork();
        if (pid == 0) { sleep_ms(400); wali_exit_group(0); }
        check_eq(wali_setuid(1000), 0, "become uid 1000");
        int64_t r = wali_kill(1, SIGTERM);
        check(r == -EPERM || r == -ESRCH, "init is out of reach");
        return 0;
    }'''
    async with make_warden(uid=0) as h:
        r = await h.run(build_c(src, name="sig_perm.c"))
    assert r.exit_code == 0, r.stderr
