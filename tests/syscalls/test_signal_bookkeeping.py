"""Signal bookkeeping and default actions: rt_sigaction, rt_sigprocmask,
rt_sigpending, sigaltstack, kill, tkill, tgkill.

No handler runs here (handler values are table indices that are never
delivered); what is checked is what Linux keeps and reports (kernel/signal.c):
WALI's packed 24-byte ``k_sigaction`` with SIG_IGN = -2, SIGKILL/SIGSTOP can be
neither caught nor blocked, a blocked signal stays pending, and the default
action of a terminating signal ends the cage with a WIFSIGNALED wait status.
"""

from __future__ import annotations

from tests.harness import run_cage

PRELUDE = r'''
#include "walilib.h"
__attribute__((import_module("wali"), import_name("SYS_tgkill")))
int64_t wali_tgkill(int32_t tgid, int32_t tid, int32_t sig);
#define BAD ((void *)(uintptr_t)0xFFFFFFF0u)
#define SIGURG 23
#define SIGWINCH 28
#define SA_RESTART 0x10000000u
#define SA_RESTORER 0x04000000u
#define SA_SIGINFO 4u
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1u << 31)
#define BIT(s) (1ull << ((s) - 1))
struct __attribute__((packed)) ksa { int32_t handler; uint64_t flags; uint32_t restorer; uint64_t mask; };
_Static_assert(sizeof(struct ksa) == 24, "WALI k_sigaction is packed");
typedef struct { uint32_t sp; int32_t flags; uint32_t size; } stack_t_;
static int set_handler(int sig, int32_t h) {
    struct ksa a = {h, SA_RESTORER, 0, 0};
    return (int)wali_rt_sigaction(sig, &a, 0, 8);
}
static uint64_t pending(void) { uint64_t p = 0xdead; wali_rt_sigpending(&p, 8); return p; }
static uint64_t setmask(int how, uint64_t m) { uint64_t old = 0; wali_rt_sigprocmask(how, &m, &old, 8); return old; }
WALI_MAIN
'''


async def test_rt_sigaction_round_trip_and_errors(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        struct ksa old, nw;
        memset(&old, 0x5a, sizeof old);
        check_eq(wali_rt_sigaction(SIGUSR1, 0, &old, 8), 0, "query default");
        check(old.handler == SIG_DFL && old.flags == 0 && old.mask == 0, "SIG_DFL, no flags, empty mask");
        nw.handler = 5; nw.flags = SA_RESTART | SA_RESTORER | SA_SIGINFO; nw.restorer = 7;
        nw.mask = BIT(SIGINT) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(64);
        check_eq(wali_rt_sigaction(SIGUSR1, &nw, &old, 8), 0, "install a handler index");
        check_eq(old.handler, SIG_DFL, "old handler");
        check_eq(wali_rt_sigaction(SIGUSR1, 0, &old, 8), 0, "query");
        check_eq(old.handler, 5, "handler index round trip");
        check_eq(old.flags, SA_RESTART | SA_RESTORER | SA_SIGINFO, "flags round trip");
        check_eq(old.restorer, 7, "restorer round trip");
        check_eq(old.mask, BIT(SIGINT) | BIT(64), "mask round trip, SIGKILL/SIGSTOP removed");
        nw.handler = SIG_IGN; nw.flags = 0; nw.mask = 0;
        check_eq(wali_rt_sigaction(SIGUSR2, &nw, 0, 8), 0, "SIG_IGN");
        check_eq(wali_rt_sigaction(SIGUSR2, 0, &old, 8), 0, "query SIG_IGN");
        check_eq(old.handler, -2, "WALI's SIG_IGN is -2");
        check_eq(wali_rt_sigaction(SIGKILL, &nw, 0, 8), -EINVAL, "SIGKILL cannot be caught or ignored");
        check_eq(wali_rt_sigaction(SIGSTOP, &nw, 0, 8), -EINVAL, "SIGSTOP cannot be caught or ignored");
        check_eq(wali_rt_sigaction(SIGKILL, 0, &old, 8), 0, "but SIGKILL can be queried");
        check_eq(old.handler, SIG_DFL, "SIGKILL is SIG_DFL");
        check_eq(wali_rt_sigaction(0, &nw, 0, 8), -EINVAL, "signal 0");
        check_eq(wali_rt_sigaction(65, &nw, 0, 8), -EINVAL, "signal 65");
        check_eq(wali_rt_sigaction(-1, 0, &old, 8), -EINVAL, "negative signal");
        check_eq(wali_rt_sigaction(64, 0, &old, 8), 0, "signal 64 exists");
        check_eq(wali_rt_sigaction(SIGUSR1, &nw, 0, 4), -EINVAL, "sigsetsize 4");
        check_eq(wali_rt_sigaction(SIGUSR1, &nw, 0, 16), -EINVAL, "sigsetsize 16");
        check_eq(wali_rt_sigaction(SIGUSR1, BAD, 0, 8), -EFAULT, "bad act");
        check_eq(wali_rt_sigaction(SIGUSR1, 0, BAD, 8), -EFAULT, "bad oldact");
        /* Linux installs the new action before it copies oldact out. */
        nw.handler = 9; nw.flags = 0; nw.mask = 0;
        check_eq(wali_rt_sigaction(SIGUSR1, &nw, BAD, 8), -EFAULT, "bad oldact with act");
        check_eq(wali_rt_sigaction(SIGUSR1, 0, &old, 8), 0, "query");
        check_eq(old.handler, 9, "the action was installed anyway");
        return 0;
    }''', name="sigaction.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_rt_sigprocmask_rules(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        uint64_t set, old = 0x77;
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, 0, &old, 8), 0, "query");
        check_eq(old, 0, "nothing blocked at start");
        set = BIT(SIGUSR1);
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, &set, &old, 8), 0, "block USR1");
        check_eq(old, 0, "old mask");
        set = BIT(SIGUSR2);
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, &set, &old, 8), 0, "block USR2");
        check_eq(old, BIT(SIGUSR1), "old mask has USR1");
        set = BIT(SIGUSR1);
        check_eq(wali_rt_sigprocmask(SIG_UNBLOCK, &set, &old, 8), 0, "unblock USR1");
        check_eq(old, BIT(SIGUSR1) | BIT(SIGUSR2), "both were blocked");
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, 0, &old, 8), 0, "query");
        check_eq(old, BIT(SIGUSR2), "only USR2 left");
        set = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGINT) | BIT(64);
        check_eq(wali_rt_sigprocmask(SIG_SETMASK, &set, 0, 8), 0, "setmask");
        check_eq(wali_rt_sigprocmask(SIG_SETMASK, 0, &old, 8), 0, "query");
        check_eq(old, BIT(SIGINT) | BIT(64), "SIGKILL and SIGSTOP are never blocked");
        set = ~0ull;
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, &set, &old, 8), 0, "block everything");
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, 0, &old, 8), 0, "query");
        check_eq(old, ~0ull & ~(BIT(SIGKILL) | BIT(SIGSTOP)), "all but SIGKILL/SIGSTOP");
        check_eq(wali_rt_sigprocmask(3, &set, &old, 8), -EINVAL, "bad how");
        check_eq(wali_rt_sigprocmask(-1, &set, 0, 8), -EINVAL, "negative how");
        check_eq(wali_rt_sigprocmask(99, 0, &old, 8), 0, "how is ignored without a set");
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, &set, 0, 4), -EINVAL, "sigsetsize 4");
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, &set, 0, 16), -EINVAL, "sigsetsize 16");
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, BAD, 0, 8), -EFAULT, "bad set");
        check_eq(wali_rt_sigprocmask(SIG_BLOCK, 0, BAD, 8), -EFAULT, "bad oldset");
        set = 0;
        check_eq(wali_rt_sigprocmask(SIG_SETMASK, &set, 0, 8), 0, "clear");
        return 0;
    }''', name="sigprocmask.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_blocked_signal_stays_pending(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        check_eq(pending(), 0, "nothing pending at start");
        setmask(SIG_BLOCK, BIT(SIGUSR1) | BIT(SIGUSR2));
        check_eq(wali_kill((int32_t)wali_getpid(), SIGUSR1), 0, "kill self USR1 while blocked");
        check_eq(pending(), BIT(SIGUSR1), "USR1 pending");
        check_eq(wali_kill((int32_t)wali_getpid(), SIGUSR1), 0, "again: standard signals do not queue");
        check_eq(pending(), BIT(SIGUSR1), "still just USR1");
        uint32_t half = 0xdeadbeef;
        check_eq(wali_rt_sigpending(&half, 4), 0, "sigsetsize 4 writes 4 bytes");
        check_eq(half, (uint32_t)BIT(SIGUSR1), "low half");
        check_eq(wali_rt_sigpending(&half, 16), -EINVAL, "sigsetsize > 8");
        check_eq(wali_rt_sigpending(BAD, 8), -EFAULT, "bad pointer");
        /* Ignoring a pending signal discards it (POSIX). */
        check_eq(set_handler(SIGUSR1, SIG_IGN), 0, "ignore USR1");
        check_eq(pending(), 0, "discarded");
        check_eq(set_handler(SIGUSR1, SIG_DFL), 0, "default again");
        check_eq(pending(), 0, "stays discarded");
        /* A caught (handler index) signal that is blocked waits too. */
        check_eq(set_handler(SIGUSR2, 3), 0, "catch USR2");
        check_eq(wali_kill((int32_t)wali_getpid(), SIGUSR2), 0, "kill self USR2");
        check_eq(pending(), BIT(SIGUSR2), "USR2 pending");
        check_eq(set_handler(SIGUSR2, SIG_IGN), 0, "ignore it");
        check_eq(pending(), 0, "gone");
        puts_fd(1, "alive\n");
        return 0;
    }''', name="sigpending.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"alive\n"


async def test_kill_self_with_default_action_terminates(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        check_eq(wali_kill((int32_t)wali_getpid(), 0), 0, "signal 0 checks only");
        check_eq(wali_kill(0, 0), 0, "own process group");
        check_eq(wali_kill(999999, 0), -ESRCH, "no such process");
        check_eq(wali_kill(-999999, 0), -ESRCH, "no such process group");
        check_eq(wali_kill(-1, 0), -ESRCH, "nobody else to signal");
        check_eq(wali_kill((int32_t)wali_getpid(), 65), -EINVAL, "signal 65");
        check_eq(wali_kill((int32_t)wali_getpid(), -1), -EINVAL, "negative signal");
        if (check_failures()) return 1;
        puts_fd(1, "before\n");
        wali_kill((int32_t)wali_getpid(), SIGTERM);
        puts_fd(1, "after\n");
        return 0;
    }''', name="kill_self.c")
    r = await run_cage(wasm)
    assert r.stderr == b""
    assert r.status & 0x7F == 15, f"status {r.status:#x}: not killed by SIGTERM"
    assert r.stdout == b"before\n", "the cage ran on after its fatal signal"


async def test_blocked_sigterm_kills_when_unblocked(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        setmask(SIG_BLOCK, BIT(SIGTERM));
        check_eq(wali_kill((int32_t)wali_getpid(), SIGTERM), 0, "kill self while blocked");
        check_eq(pending(), BIT(SIGTERM), "SIGTERM pending");
        if (check_failures()) return 1;
        puts_fd(1, "pending\n");
        setmask(SIG_UNBLOCK, BIT(SIGTERM));
        puts_fd(1, "survived\n");
        return 0;
    }''', name="kill_blocked.c")
    r = await run_cage(wasm)
    assert r.stderr == b""
    assert r.status & 0x7F == 15, f"status {r.status:#x}"
    assert r.stdout == b"pending\n"


async def test_ignored_and_default_ignored_signals_do_nothing(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int32_t me = (int32_t)wali_getpid();
        check_eq(set_handler(SIGTERM, SIG_IGN), 0, "ignore SIGTERM");
        check_eq(wali_kill(me, SIGTERM), 0, "kill self SIGTERM");
        check_eq(pending(), 0, "nothing pending");
        /* Default action "ignore", even while blocked: never pending. */
        check_eq(wali_kill(me, SIGCHLD), 0, "SIGCHLD");
        check_eq(wali_kill(me, SIGURG), 0, "SIGURG");
        check_eq(wali_kill(me, SIGWINCH), 0, "SIGWINCH");
        check_eq(wali_kill(me, SIGCONT), 0, "SIGCONT");
        check_eq(pending(), 0, "still nothing pending");
        setmask(SIG_BLOCK, BIT(SIGTERM));
        check_eq(wali_kill(me, SIGTERM), 0, "ignored and blocked");
        setmask(SIG_UNBLOCK, BIT(SIGTERM));
        puts_fd(1, "alive\n");
        return 0;
    }''', name="kill_ignored.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"alive\n"


async def test_tkill_and_tgkill_to_own_thread(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int32_t me = (int32_t)wali_getpid(), tid = (int32_t)wali_gettid();
        check_eq(wali_tkill(tid, 0), 0, "tkill own tid, signal 0");
        check_eq(wali_tgkill(me, tid, 0), 0, "tgkill own tid, signal 0");
        check_eq(wali_tkill(999999, 0), -ESRCH, "tkill no such thread");
        check_eq(wali_tgkill(me, 999999, 0), -ESRCH, "tgkill no such thread");
        check_eq(wali_tgkill(999999, tid, 0), -ESRCH, "tgkill thread of another group");
        check_eq(wali_tkill(0, 0), -EINVAL, "tkill tid 0");
        check_eq(wali_tkill(-1, 0), -EINVAL, "tkill tid -1");
        check_eq(wali_tgkill(-1, tid, 0), -EINVAL, "tgkill tgid -1");
        check_eq(wali_tgkill(0, tid, 0), -EINVAL, "tgkill tgid 0");
        check_eq(wali_tgkill(me, 0, 0), -EINVAL, "tgkill tid 0");
        check_eq(wali_tkill(tid, 65), -EINVAL, "bad signal");
        setmask(SIG_BLOCK, BIT(SIGUSR1) | BIT(SIGUSR2));
        check_eq(wali_tkill(tid, SIGUSR1), 0, "tkill USR1");
        check_eq(wali_tgkill(me, tid, SIGUSR2), 0, "tgkill USR2");
        check_eq(pending(), BIT(SIGUSR1) | BIT(SIGUSR2), "both pending for this thread");
        if (check_failures()) return 1;
        puts_fd(1, "before\n");
        wali_tgkill(me, tid, SIGKILL);
        puts_fd(1, "after\n");
        return 0;
    }''', name="tgkill.c")
    r = await run_cage(wasm)
    assert r.stderr == b""
    assert r.status & 0x7F == 9, f"status {r.status:#x}: not killed by SIGKILL"
    assert r.stdout == b"before\n"


async def test_sigaltstack_bookkeeping(build_c):
    wasm = build_c(PRELUDE + r'''
    static char stack[16384];
    int main(int argc, char **argv) {
        stack_t_ ss, old;
        memset(&old, 0x5a, sizeof old);
        check_eq(wali_sigaltstack(0, &old), 0, "query");
        check_eq(old.flags, SS_DISABLE, "disabled at start");
        check_eq(old.size, 0, "no size");
        ss.sp = (uint32_t)(uintptr_t)stack; ss.flags = 0; ss.size = sizeof stack;
        check_eq(wali_sigaltstack(&ss, &old), 0, "install");
        check_eq(old.flags, SS_DISABLE, "old value is the previous one");
        check_eq(wali_sigaltstack(0, &old), 0, "query");
        check_eq(old.sp, (uint32_t)(uintptr_t)stack, "sp round trip");
        check_eq(old.size, sizeof stack, "size round trip");
        check_eq(old.flags, 0, "enabled, not on it");
        stack_t_ small = {(uint32_t)(uintptr_t)stack, 0, 1024};
        check_eq(wali_sigaltstack(&small, &old), -ENOMEM, "smaller than MINSIGSTKSZ");
        check_eq(wali_sigaltstack(0, &old), 0, "query");
        check_eq(old.size, sizeof stack, "unchanged after ENOMEM");
        stack_t_ badf = {(uint32_t)(uintptr_t)stack, 0x10, sizeof stack};
        check_eq(wali_sigaltstack(&badf, 0), -EINVAL, "unknown flag");
        stack_t_ both = {(uint32_t)(uintptr_t)stack, SS_ONSTACK | SS_DISABLE, sizeof stack};
        check_eq(wali_sigaltstack(&both, 0), -EINVAL, "SS_ONSTACK|SS_DISABLE");
        /* SS_ONSTACK is accepted as a legacy spelling of 0. */
        stack_t_ on = {(uint32_t)(uintptr_t)stack, SS_ONSTACK, 8192};
        check_eq(wali_sigaltstack(&on, 0), 0, "SS_ONSTACK accepted");
        check_eq(wali_sigaltstack(0, &old), 0, "query");
        check(old.flags == 0 && old.size == 8192, "reads back as enabled (0)");
        stack_t_ ad = {(uint32_t)(uintptr_t)stack, (int32_t)SS_AUTODISARM, 8192};
        check_eq(wali_sigaltstack(&ad, 0), 0, "SS_AUTODISARM");
        check_eq(wali_sigaltstack(0, &old), 0, "query");
        check_eq((uint32_t)old.flags, SS_AUTODISARM, "SS_AUTODISARM is reported");
        stack_t_ dis = {0, SS_DISABLE, 0};
        check_eq(wali_sigaltstack(&dis, &old), 0, "disable");
        check_eq(old.size, 8192, "old value returned while disabling");
        check_eq(wali_sigaltstack(0, &old), 0, "query");
        check(old.flags == SS_DISABLE && old.size == 0 && old.sp == 0, "disabled");
        check_eq(wali_sigaltstack(BAD, 0), -EFAULT, "bad ss");
        check_eq(wali_sigaltstack(0, BAD), -EFAULT, "bad old_ss");
        return 0;
    }''', name="sigaltstack.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


def _kernel_with_zombie():  # noqa: ANN202 - test helper
    """A sans-IO kernel with a parent cage and an exited, not yet reaped child."""
    from kernel.cage import CageState
    from kernel.fdtable import FdTable
    from kernel.kernel import Kernel
    from kernel.vfs.memfs import MemFs
    from kernel.vfs.vfs import Vfs

    class Host:
        def cage_exited(self, cage: object) -> None: ...
        def signal_pending(self, cage: object) -> None: ...
        def cpu_times(self, cage: object) -> tuple[int, int, int]:
            return (0, 0, 0)

    k = Kernel(Vfs(MemFs(dev=1)), Host())  # type: ignore[arg-type]
    parent = k.spawn([b"p"], [], b"/p", fds=FdTable())
    parent.state = CageState.RUNNING
    child = k.fork_cage(parent)
    child.state = CageState.RUNNING
    k.exit_cage(child, 0)
    assert child.state is CageState.ZOMBIE
    return k, parent, child


def test_kill_reaches_a_zombie_until_it_is_reaped() -> None:
    from kernel.syscalls import sys_signal

    k, parent, child = _kernel_with_zombie()
    # Linux: the zombie is still a process; signal 0 finds it, a real signal is a no-op.
    assert sys_signal.sys_kill(parent, child.pid, 0) == 0
    assert sys_signal.sys_kill(parent, child.pid, 15) == 0
    assert sys_signal.sys_kill(parent, -child.pgid, 0) == 0
    k.reap(child)
    try:
        sys_signal.sys_kill(parent, child.pid, 0)
    except Exception as e:  # noqa: BLE001
        assert getattr(e, "errno", None) == 3  # ESRCH once reaped
    else:
        raise AssertionError("kill of a reaped pid succeeded")
