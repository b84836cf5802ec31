"""Process identity, credentials, supplementary groups, process groups and sessions.

Rules checked against credentials(7), setresuid(2), setreuid(2), getgroups(2),
setpgid(2) and the Linux implementation (kernel/sys.c, kernel/groups.c). Root
cases run on a kernel whose default credentials are 0/0, unprivileged ones on
one whose default credentials are 1000/1000 (``make_warden(uid=..., gid=...)``).
"""

from __future__ import annotations

from tests.harness import run_cage

# Imports wali.h does not declare (any Linux name works as SYS_<name>).
PRELUDE = r'''
#include "walilib.h"
__attribute__((import_module("wali"), import_name("SYS_getresuid")))
int64_t wali_getresuid(void *r, void *e, void *s);
__attribute__((import_module("wali"), import_name("SYS_getresgid")))
int64_t wali_getresgid(void *r, void *e, void *s);
__attribute__((import_module("wali"), import_name("SYS_setfsuid")))
int64_t wali_setfsuid(uint32_t uid);
__attribute__((import_module("wali"), import_name("SYS_setfsgid")))
int64_t wali_setfsgid(uint32_t gid);
#define BAD ((void *)(uintptr_t)0xFFFFFFF0u)
#define NOCHANGE 0xFFFFFFFFu
static uint32_t R_, E_, S_;
#define RESUID(r, e, s, msg) do { check_eq(wali_getresuid(&R_, &E_, &S_), 0, msg); \
    check_eq(R_, r, msg " (ruid)"); check_eq(E_, e, msg " (euid)"); check_eq(S_, s, msg " (suid)"); } while (0)
#define RESGID(r, e, s, msg) do { check_eq(wali_getresgid(&R_, &E_, &S_), 0, msg); \
    check_eq(R_, r, msg " (rgid)"); check_eq(E_, e, msg " (egid)"); check_eq(S_, s, msg " (sgid)"); } while (0)
WALI_MAIN
'''


async def test_identity_calls_report_the_cage(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int64_t pid = wali_getpid();
        check(pid > 1, "pid is a real process id");
        check_eq(wali_gettid(), pid, "single-threaded: tid == pid");
        check_eq(wali_getppid(), 1, "a top-level cage is a child of init");
        check_eq(wali_getuid(), 1000, "getuid");
        check_eq(wali_geteuid(), 1000, "geteuid");
        check_eq(wali_getgid(), 1000, "getgid");
        check_eq(wali_getegid(), 1000, "getegid");
        RESUID(1000, 1000, 1000, "getresuid");
        RESGID(1000, 1000, 1000, "getresgid");
        wprintf(1, "%lld\n", pid);
        return 0;
    }''', name="proc_identity.c")
    async with make_warden(uid=1000, gid=1000) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr
    assert int(r.stdout) == r.cage.pid


async def test_getgroups_size_rules_and_setgroups_as_root(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        uint32_t g[8] = {77, 77, 77, 77, 77, 77, 77, 77};
        uint32_t set[3] = {9, 3, 5};
        check_eq(wali_getgroups(0, 0), 0, "no supplementary groups at start");
        check_eq(wali_setgroups(3, set), 0, "root may setgroups");
        check_eq(wali_getgroups(0, 0), 3, "size 0 returns the count without writing");
        check_eq(wali_getgroups(2, g), -EINVAL, "size smaller than the count");
        check_eq(g[0], 77, "nothing written on EINVAL");
        check_eq(wali_getgroups(NOCHANGE, g), -EINVAL, "negative size");
        check_eq(wali_getgroups(8, g), 3, "returns the count");
        check_eq(g[0], 3, "groups come back sorted (g0)");
        check_eq(g[1], 5, "g1");
        check_eq(g[2], 9, "g2");
        check_eq(g[3], 77, "nothing written past the count");
        check_eq(wali_getgroups(3, BAD), -EFAULT, "getgroups bad pointer");
        check_eq(wali_setgroups(3, BAD), -EFAULT, "setgroups bad pointer");
        check_eq(wali_setgroups(65537, set), -EINVAL, "more than NGROUPS_MAX");
        check_eq(wali_setgroups(0, 0), 0, "clear the list");
        check_eq(wali_getgroups(0, 0), 0, "cleared");
        return 0;
    }''', name="proc_groups_root.c")
    async with make_warden(uid=0, gid=0) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


async def test_setgroups_unprivileged_is_eperm(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        uint32_t set[1] = {1000};
        check_eq(wali_setgroups(1, set), -EPERM, "unprivileged setgroups");
        /* Linux checks the capability before reading the list. */
        check_eq(wali_setgroups(1, BAD), -EPERM, "EPERM before EFAULT");
        check_eq(wali_getgroups(0, 0), 0, "list unchanged");
        return 0;
    }''', name="proc_groups_user.c")
    async with make_warden(uid=1000, gid=1000) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


async def test_root_set_ids_then_drops_privilege(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        check_eq(wali_setuid(NOCHANGE), -EINVAL, "setuid(-1)");
        check_eq(wali_setgid(NOCHANGE), -EINVAL, "setgid(-1)");
        /* Group ids first, while still privileged. */
        check_eq(wali_setresgid(100, 200, 300), 0, "root setresgid");
        RESGID(100, 200, 300, "after setresgid");
        check_eq(wali_getgid(), 100, "getgid");
        check_eq(wali_getegid(), 200, "getegid");
        check_eq(wali_setregid(NOCHANGE, 400), 0, "root setregid(-1, 400)");
        /* euid changed to a value != rgid: the saved id follows the new effective id. */
        RESGID(100, 400, 400, "after setregid");
        check_eq(wali_setgid(50), 0, "root setgid sets all three");
        RESGID(50, 50, 50, "after setgid");
        check_eq(wali_setresuid(NOCHANGE, NOCHANGE, NOCHANGE), 0, "all -1 is a no-op");
        RESUID(0, 0, 0, "no-op");
        check_eq(wali_setreuid(1000, 2000), 0, "root setreuid");
        /* ruid given: suid = new euid. */
        RESUID(1000, 2000, 2000, "after setreuid");
        check_eq(wali_setfsuid(NOCHANGE), 2000, "fsuid follows euid");
        /* Now unprivileged: only switching among ruid/euid/suid. */
        check_eq(wali_setuid(1000), 0, "setuid to ruid");
        RESUID(1000, 1000, 2000, "unprivileged setuid changes only euid");
        check_eq(wali_setuid(2000), 0, "setuid to suid");
        RESUID(1000, 2000, 2000, "back to suid");
        check_eq(wali_setuid(0), -EPERM, "cannot regain root");
        check_eq(wali_setresuid(3000, NOCHANGE, NOCHANGE), -EPERM, "foreign ruid");
        check_eq(wali_setresuid(NOCHANGE, 0, NOCHANGE), -EPERM, "foreign euid");
        check_eq(wali_setreuid(NOCHANGE, 0), -EPERM, "setreuid foreign euid");
        check_eq(wali_setresuid(2000, 1000, 1000), 0, "permute own ids");
        RESUID(2000, 1000, 1000, "permuted");
        check_eq(wali_setreuid(NOCHANGE, 2000), 0, "euid may become the ruid");
        RESUID(2000, 2000, 1000, "euid == ruid: suid unchanged");
        check_eq(wali_setgid(0), -EPERM, "no CAP_SETGID any more");
        check_eq(wali_setgroups(0, 0), -EPERM, "no CAP_SETGID for setgroups");
        check_eq(wali_getresuid(BAD, &E_, &S_), -EFAULT, "getresuid bad ruid pointer");
        check_eq(wali_getresuid(&R_, &E_, BAD), -EFAULT, "getresuid bad suid pointer");
        check_eq(wali_getresgid(&R_, BAD, &S_), -EFAULT, "getresgid bad pointer");
        return 0;
    }''', name="proc_setid_root.c")
    async with make_warden(uid=0, gid=0) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


async def test_unprivileged_set_ids(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        check_eq(wali_setuid(1000), 0, "setuid to own uid");
        check_eq(wali_setuid(0), -EPERM, "setuid(0)");
        check_eq(wali_setuid(1001), -EPERM, "setuid(other)");
        check_eq(wali_setreuid(0, NOCHANGE), -EPERM, "setreuid ruid 0");
        check_eq(wali_setreuid(NOCHANGE, 0), -EPERM, "setreuid euid 0");
        check_eq(wali_setreuid(1000, 1000), 0, "setreuid to own ids");
        check_eq(wali_setresuid(0, NOCHANGE, NOCHANGE), -EPERM, "setresuid ruid 0");
        check_eq(wali_setresuid(NOCHANGE, NOCHANGE, 0), -EPERM, "setresuid suid 0");
        check_eq(wali_setresuid(1000, 1000, 1000), 0, "setresuid own ids");
        RESUID(1000, 1000, 1000, "unchanged");
        check_eq(wali_setgid(1000), 0, "setgid own gid");
        check_eq(wali_setgid(0), -EPERM, "setgid(0)");
        check_eq(wali_setregid(0, NOCHANGE), -EPERM, "setregid rgid 0");
        check_eq(wali_setregid(NOCHANGE, 0), -EPERM, "setregid egid 0");
        check_eq(wali_setresgid(NOCHANGE, 5, NOCHANGE), -EPERM, "setresgid egid 5");
        check_eq(wali_setresgid(1000, NOCHANGE, 1000), 0, "setresgid own ids");
        RESGID(1000, 1000, 1000, "unchanged");
        /* setfsuid never fails; an id the caller may not use leaves it unchanged. */
        check_eq(wali_setfsuid(0), 1000, "setfsuid returns the old fsuid");
        check_eq(wali_setfsuid(NOCHANGE), 1000, "fsuid still 1000");
        check_eq(wali_setfsgid(0), 1000, "setfsgid returns the old fsgid");
        check_eq(wali_setfsgid(NOCHANGE), 1000, "fsgid still 1000");
        return 0;
    }''', name="proc_setid_user.c")
    async with make_warden(uid=1000, gid=1000) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


async def test_process_group_and_session_of_a_single_cage(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int64_t pid = wali_getpid();
        check_eq(wali_getpgid(0), pid, "getpgid(0): own group");
        check_eq(wali_getpgid(pid), pid, "getpgid(self)");
        check_eq(wali_getsid(0), pid, "getsid(0): own session");
        check_eq(wali_getsid(pid), pid, "getsid(self)");
        check_eq(wali_getpgid(999999), -ESRCH, "getpgid of no such process");
        check_eq(wali_getsid(999999), -ESRCH, "getsid of no such process");
        check_eq(wali_getpgid(-5), -ESRCH, "getpgid negative pid");
        /* A top-level cage leads its own session and group. */
        check_eq(wali_setsid(), -EPERM, "setsid by a group leader");
        check_eq(wali_setpgid(0, 0), -EPERM, "a session leader cannot change group");
        check_eq(wali_setpgid(0, -1), -EINVAL, "negative pgid");
        check_eq(wali_setpgid(999999, 0), -ESRCH, "setpgid of no such process");
        check_eq(wali_getpgid(0), pid, "group unchanged");
        check_eq(wali_getsid(0), pid, "session unchanged");
        return 0;
    }''', name="proc_pgid.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


def test_getpgid_and_getsid_find_a_zombie() -> None:
    from kernel.syscalls import sys_proc
    from tests.syscalls.test_signal_bookkeeping import _kernel_with_zombie

    k, parent, child = _kernel_with_zombie()
    assert sys_proc.sys_getpgid(parent, child.pid) == parent.pgid
    assert sys_proc.sys_getsid(parent, child.pid) == parent.sid
    k.reap(child)
    for fn in (sys_proc.sys_getpgid, sys_proc.sys_getsid):
        try:
            fn(parent, child.pid)
        except Exception as e:  # noqa: BLE001
            assert getattr(e, "errno", None) == 3
        else:
            raise AssertionError("a reaped pid was found")
