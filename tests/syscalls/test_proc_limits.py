"""Resource limits and usage, system information, prctl names and scheduling.

Linux references: getrlimit(2)/prlimit(2) and kernel/sys.c ``do_prlimit`` (order
of checks: resource, soft <= hard, NOFILE ceiling, raising the hard limit needs
CAP_SYS_RESOURCE; prlimit64 copies ``old`` out only on success), getrusage(2)
(the kernel writes 144 bytes of ``struct rusage``), sysinfo(2) (112 bytes),
uname(2), prctl(2) PR_SET_NAME (at most 15 bytes, truncated, never
ENAMETOOLONG), sched_getaffinity(2).
"""

from __future__ import annotations

from tests.harness import run_cage

PRELUDE = r'''
#include "walilib.h"
__attribute__((import_module("wali"), import_name("SYS_times")))
int64_t wali_times(void *buf);
#define BAD ((void *)(uintptr_t)0xFFFFFFF0u)
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIM_NLIMITS 16
#define RLIM_INFINITY 0xFFFFFFFFFFFFFFFFull
typedef struct { uint64_t cur, max; } rlim_t_;
static volatile uint64_t sink_;
/* Burn roughly `ms` milliseconds of CPU (measured against CLOCK_MONOTONIC). */
static void busy(int64_t ms) {
    wali_timespec_t a, b;
    wali_clock_gettime(1, &a);
    for (;;) {
        for (int i = 0; i < 200000; i++) sink_ += (uint64_t)i * 2654435761u;
        wali_clock_gettime(1, &b);
        if ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 >= ms) return;
    }
}
WALI_MAIN
'''


async def test_getrlimit_setrlimit_rules_as_root(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        rlim_t_ l = {0, 0};
        check_eq(wali_getrlimit(RLIMIT_NOFILE, &l), 0, "getrlimit NOFILE");
        check_eq(l.cur, 1024, "default NOFILE soft");
        check_eq(l.max, 4096, "default NOFILE hard");
        check_eq(wali_getrlimit(RLIM_NLIMITS, &l), -EINVAL, "resource out of range");
        check_eq(wali_getrlimit(-1, &l), -EINVAL, "negative resource");
        check_eq(wali_getrlimit(RLIMIT_NOFILE, BAD), -EFAULT, "getrlimit bad pointer");
        rlim_t_ bad = {10, 5};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &bad), -EINVAL, "soft > hard");
        check_eq(wali_setrlimit(RLIM_NLIMITS, &l), -EINVAL, "setrlimit bad resource");
        check_eq(wali_setrlimit(RLIMIT_NOFILE, BAD), -EFAULT, "setrlimit bad pointer");
        /* Root may raise a hard limit... */
        rlim_t_ up = {2048, 8192};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &up), 0, "root raises NOFILE hard");
        check_eq(wali_getrlimit(RLIMIT_NOFILE, &l), 0, "read back");
        check_eq(l.cur, 2048, "new soft");
        check_eq(l.max, 8192, "new hard");
        /* ...but never NOFILE beyond fs.nr_open, not even to infinity. */
        rlim_t_ inf = {RLIM_INFINITY, RLIM_INFINITY};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &inf), -EPERM, "NOFILE infinity");
        check_eq(wali_setrlimit(RLIMIT_STACK, &inf), 0, "STACK infinity is fine");
        check_eq(wali_getrlimit(RLIMIT_STACK, &l), 0, "read back STACK");
        check(l.cur == RLIM_INFINITY && l.max == RLIM_INFINITY, "STACK is infinite");
        return 0;
    }''', name="rlimit_root.c")
    async with make_warden(uid=0, gid=0) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


async def test_unprivileged_cannot_raise_a_hard_limit(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        rlim_t_ l;
        rlim_t_ up = {1024, 8192};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &up), -EPERM, "raise hard");
        rlim_t_ soft = {4096, 4096};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &soft), 0, "soft up to hard is fine");
        rlim_t_ down = {100, 2048};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &down), 0, "lower hard");
        rlim_t_ back = {100, 4096};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &back), -EPERM, "cannot raise it back");
        check_eq(wali_getrlimit(RLIMIT_NOFILE, &l), 0, "read back");
        check_eq(l.cur, 100, "soft kept");
        check_eq(l.max, 2048, "hard kept");
        return 0;
    }''', name="rlimit_user.c")
    async with make_warden(uid=1000, gid=1000) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


async def test_nofile_limit_bounds_open_and_dup2(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        rlim_t_ l = {6, 4096};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &l), 0, "lower NOFILE to 6");
        check_eq(wali_open("/dev/null", O_RDONLY, 0), 3, "fd 3");
        check_eq(wali_open("/dev/null", O_RDONLY, 0), 4, "fd 4");
        check_eq(wali_open("/dev/null", O_RDONLY, 0), 5, "fd 5");
        check_eq(wali_open("/dev/null", O_RDONLY, 0), -EMFILE, "fd 6 is beyond the limit");
        check_eq(wali_dup(0), -EMFILE, "dup beyond the limit");
        check_eq(wali_dup2(0, 6), -EBADF, "dup2 target == limit");
        check_eq(wali_dup2(0, 100), -EBADF, "dup2 target beyond the limit");
        check_eq(wali_dup2(0, 5), 5, "dup2 below the limit still works");
        check_eq(wali_close(4), 0, "free one");
        check_eq(wali_open("/dev/null", O_RDONLY, 0), 4, "the freed slot is reused");
        rlim_t_ up = {64, 4096};
        check_eq(wali_setrlimit(RLIMIT_NOFILE, &up), 0, "raise again");
        check_eq(wali_open("/dev/null", O_RDONLY, 0), 6, "fd 6 now allowed");
        check_eq(wali_dup2(0, 63), 63, "dup2 to limit-1");
        return 0;
    }''', name="rlimit_nofile.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_prlimit64_old_and_new(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        rlim_t_ old = {1, 1}, nw = {512, 4096};
        check_eq(wali_prlimit64(0, RLIMIT_NOFILE, 0, &old), 0, "query");
        check(old.cur == 1024 && old.max == 4096, "current value");
        check_eq(wali_prlimit64(0, RLIMIT_NOFILE, &nw, &old), 0, "set and get the previous");
        check(old.cur == 1024 && old.max == 4096, "old is the previous value");
        check_eq(wali_prlimit64(wali_getpid(), RLIMIT_NOFILE, 0, &old), 0, "by own pid");
        check(old.cur == 512 && old.max == 4096, "new value in effect");
        rlim_t_ inv = {9, 8}, keep = {7, 7};
        check_eq(wali_prlimit64(0, RLIMIT_NOFILE, &inv, &keep), -EINVAL, "soft > hard");
        check(keep.cur == 7 && keep.max == 7, "old is not written when the call fails");
        check_eq(wali_prlimit64(0, RLIM_NLIMITS, 0, &old), -EINVAL, "bad resource");
        check_eq(wali_prlimit64(999999, RLIMIT_NOFILE, 0, &old), -ESRCH, "no such pid");
        check_eq(wali_prlimit64(0, RLIMIT_NOFILE, BAD, 0), -EFAULT, "bad new pointer");
        check_eq(wali_prlimit64(0, RLIMIT_NOFILE, 0, BAD), -EFAULT, "bad old pointer");
        rlim_t_ up = {512, 8192};
        check_eq(wali_prlimit64(0, RLIMIT_NOFILE, &up, 0), -EPERM, "unprivileged raise");
        return 0;
    }''', name="prlimit.c")
    async with make_warden(uid=1000, gid=1000) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


async def test_getrusage_and_times_count_cpu(build_c):
    wasm = build_c(PRELUDE + r'''
    typedef struct { int64_t sec, usec; } tv_;
    typedef struct { tv_ utime, stime; int64_t rest[14]; int64_t reserved[16]; } rusage_;
    typedef struct { int64_t utime, stime, cutime, cstime; } tms_;
    int main(int argc, char **argv) {
        rusage_ a, b;
        memset(&b, 0x5a, sizeof b);
        check_eq(wali_getrusage(0, &a), 0, "RUSAGE_SELF");
        tms_ t0, t1;
        int64_t c0 = wali_times(&t0);
        check(c0 > 0, "times returns clock ticks");
        busy(400);
        check_eq(wali_getrusage(0, &b), 0, "RUSAGE_SELF again");
        int64_t ua = a.utime.sec * 1000000 + a.utime.usec, ub = b.utime.sec * 1000000 + b.utime.usec;
        int64_t sa = a.stime.sec * 1000000 + a.stime.usec, sb = b.stime.sec * 1000000 + b.stime.usec;
        check((ub + sb) - (ua + sa) >= 200000, "CPU time grew by most of the busy loop");
        check(ub > ua, "user time grew");
        check(b.utime.usec >= 0 && b.utime.usec < 1000000, "usec normalized");
        check(b.rest[0] > 0, "ru_maxrss is set");
        /* Linux writes 144 bytes; musl's reserved tail is untouched. */
        check_eq(b.reserved[0], 0x5a5a5a5a5a5a5a5all, "reserved[0] untouched");
        check_eq(b.reserved[15], 0x5a5a5a5a5a5a5a5all, "reserved[15] untouched");
        check_eq(wali_getrusage(-1, &a), 0, "RUSAGE_CHILDREN");
        check_eq(a.utime.sec + a.utime.usec, 0, "no children");
        check_eq(wali_getrusage(1, &a), 0, "RUSAGE_THREAD");
        check_eq(wali_getrusage(2, &a), -EINVAL, "bad who");
        check_eq(wali_getrusage(-2, &a), -EINVAL, "bad who (-2)");
        check_eq(wali_getrusage(0, BAD), -EFAULT, "bad pointer");
        int64_t c1 = wali_times(&t1);
        check(c1 >= c0 + 30, "times advanced by the busy loop (100 Hz ticks)");
        check(t1.utime + t1.stime - t0.utime - t0.stime >= 20, "tms CPU ticks grew");
        check(wali_times(0) >= c1, "times(NULL) is allowed");
        check_eq(wali_times(BAD), -EFAULT, "times bad pointer");
        return 0;
    }''', name="rusage.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_uname_fields(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        char u[6][65];
        memset(u, 'x', sizeof u);
        check_eq(wali_uname(u), 0, "uname");
        check(streq(u[0], "Linux"), "sysname is Linux");
        for (int i = 0; i < 6; i++) {
            int nul = 0;
            for (int j = 0; j < 65; j++) if (u[i][j] == 0) { nul = 1; break; }
            check(nul, "every field is NUL-terminated within 65 bytes");
        }
        check(strlen(u[1]) > 0, "nodename set");
        check(strlen(u[2]) > 0, "release set");
        check(strlen(u[4]) > 0, "machine set");
        check_eq(wali_uname(BAD), -EFAULT, "bad pointer");
        wprintf(1, "%s|%s\n", u[0], u[1]);
        return 0;
    }''', name="uname.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith(b"Linux|")


async def test_sysinfo_fields(build_c):
    wasm = build_c(PRELUDE + r'''
    typedef struct {
        int64_t uptime; uint64_t loads[3]; uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
        uint16_t procs; uint16_t pad; uint32_t pad2; uint64_t totalhigh, freehigh; uint32_t mem_unit;
        char tail[260];
    } sysinfo_;
    int main(int argc, char **argv) {
        sysinfo_ s;
        memset(&s, 0x5a, sizeof s);
        check_eq(wali_sysinfo(&s), 0, "sysinfo");
        check(s.uptime >= 0 && s.uptime < 100000000, "uptime is sane");
        check(s.totalram > 0, "totalram > 0");
        check(s.freeram <= s.totalram, "freeram <= totalram");
        check_eq(s.mem_unit, 1, "mem_unit");
        check(s.procs >= 1, "at least this cage");
        /* The kernel's struct ends at 112 (its padding covers tail[0..3]); musl's is 368. */
        check_eq(s.tail[4], 0x5a, "Linux writes 112 bytes: musl's tail is untouched");
        check_eq(s.tail[259], 0x5a, "end of musl's tail untouched");
        check_eq(wali_sysinfo(BAD), -EFAULT, "bad pointer");
        return 0;
    }''', name="sysinfo.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_prctl_name_and_proc_comm(build_c):
    wasm = build_c(PRELUDE + r'''
    #define PR_SET_NAME 15
    #define PR_GET_NAME 16
    int main(int argc, char **argv) {
        char name[16];
        memset(name, 'x', sizeof name);
        check_eq(wali_prctl(PR_GET_NAME, (uint64_t)(uintptr_t)name, 0, 0, 0), 0, "get initial name");
        check(strlen(name) < 16, "initial name is NUL-terminated");
        check_eq(wali_prctl(PR_SET_NAME, (uint64_t)(uintptr_t)"worker", 0, 0, 0), 0, "set short name");
        check_eq(wali_prctl(PR_GET_NAME, (uint64_t)(uintptr_t)name, 0, 0, 0), 0, "get");
        check(streq(name, "worker"), "name round trip");
        /* Longer names are cut to 15 bytes, never ENAMETOOLONG. */
        static char longname[40] = "a-very-long-process-name-indeed";
        check_eq(wali_prctl(PR_SET_NAME, (uint64_t)(uintptr_t)longname, 0, 0, 0), 0, "set long name");
        check_eq(wali_prctl(PR_GET_NAME, (uint64_t)(uintptr_t)name, 0, 0, 0), 0, "get long");
        check(streq(name, "a-very-long-pro"), "truncated to 15 bytes");
        char buf[64];
        int64_t fd = wali_open("/proc/self/comm", O_RDONLY, 0);
        check(fd >= 0, "open /proc/self/comm");
        int64_t n = wali_read((int32_t)fd, buf, sizeof buf - 1);
        check_eq(n, 16, "comm is the name plus a newline");
        if (n > 0) buf[n] = 0;
        check(streq(buf, "a-very-long-pro\n"), "/proc/self/comm reflects PR_SET_NAME");
        wali_close((int32_t)fd);
        check_eq(wali_prctl(PR_SET_NAME, 0xFFFFFFF0u, 0, 0, 0), -EFAULT, "set bad pointer");
        check_eq(wali_prctl(PR_GET_NAME, 0xFFFFFFF0u, 0, 0, 0), -EFAULT, "get bad pointer");
        check_eq(wali_prctl(0x7fff, 0, 0, 0, 0), -EINVAL, "unknown option");
        return 0;
    }''', name="prctl_name.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_sched_getaffinity_and_yield(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        uint64_t mask[16];
        memset(mask, 0, sizeof mask);
        int64_t n = wali_sched_getaffinity(0, sizeof mask, mask);
        check(n >= 8 && n <= (int64_t)sizeof mask && n % 8 == 0, "returns the mask size in bytes");
        check(mask[0] != 0, "at least one CPU");
        check_eq(wali_sched_getaffinity(wali_getpid(), sizeof mask, mask), n, "by own pid");
        check_eq(wali_sched_getaffinity(0, 4, mask), -EINVAL, "size not a multiple of 8");
        check_eq(wali_sched_getaffinity(0, 0, mask), -EINVAL, "size 0");
        check_eq(wali_sched_getaffinity(999999, sizeof mask, mask), -ESRCH, "no such pid");
        check_eq(wali_sched_getaffinity(0, sizeof mask, BAD), -EFAULT, "bad pointer");
        check_eq(wali_sched_yield(), 0, "sched_yield");
        return 0;
    }''', name="sched_affinity.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_remaining_pointer_arguments_fault(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    __attribute__((import_module("wali"), import_name("SYS_sethostname")))
    int64_t wali_sethostname(void *name, int32_t len);
    __attribute__((import_module("wali"), import_name("SYS_setdomainname")))
    int64_t wali_setdomainname(void *name, int32_t len);
    __attribute__((import_module("wali"), import_name("SYS_sched_setaffinity")))
    int64_t wali_sched_setaffinity(int32_t pid, uint32_t len, void *mask);
    __attribute__((import_module("wali"), import_name("SYS_sched_getparam")))
    int64_t wali_sched_getparam(int32_t pid, void *param);
    __attribute__((import_module("wali"), import_name("SYS_getcpu")))
    int64_t wali_getcpu(void *cpu, void *node, void *cache);
    #define PR_GET_PDEATHSIG 2
    #define PR_GET_CHILD_SUBREAPER 37
    int main(int argc, char **argv) {
        check_eq(wali_sethostname(BAD, 5), -EFAULT, "sethostname");
        check_eq(wali_setdomainname(BAD, 5), -EFAULT, "setdomainname");
        check_eq(wali_sethostname("x", 65), -EINVAL, "sethostname longer than 64");
        check_eq(wali_sethostname("cagehost", 8), 0, "sethostname");
        char u[6][65];
        check_eq(wali_uname(u), 0, "uname");
        check(streq(u[1], "cagehost"), "uname shows the new hostname");
        check_eq(wali_sched_setaffinity(0, 8, BAD), -EFAULT, "sched_setaffinity");
        check_eq(wali_sched_getparam(0, BAD), -EFAULT, "sched_getparam");
        check_eq(wali_sched_setscheduler(0, 0, BAD), -EFAULT, "sched_setscheduler");
        check_eq(wali_getcpu(BAD, 0, 0), -EFAULT, "getcpu cpu");
        check_eq(wali_getcpu(0, BAD, 0), -EFAULT, "getcpu node");
        check_eq(wali_prctl(PR_GET_PDEATHSIG, 0xFFFFFFF0u, 0, 0, 0), -EFAULT, "PR_GET_PDEATHSIG");
        check_eq(wali_prctl(PR_GET_CHILD_SUBREAPER, 0xFFFFFFF0u, 0, 0, 0), -EFAULT, "PR_GET_CHILD_SUBREAPER");
        return 0;
    }''', name="proc_efault.c")
    async with make_warden(uid=0, gid=0) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr


async def test_sethostname_needs_privilege(build_c, make_warden):
    wasm = build_c(PRELUDE + r'''
    __attribute__((import_module("wali"), import_name("SYS_sethostname")))
    int64_t wali_sethostname(void *name, int32_t len);
    int main(int argc, char **argv) {
        check_eq(wali_sethostname("nope", 4), -EPERM, "unprivileged");
        check_eq(wali_sethostname(BAD, 4), -EPERM, "EPERM before EFAULT");
        return 0;
    }''', name="sethostname_user.c")
    async with make_warden(uid=1000, gid=1000) as h:
        r = await h.run(wasm)
    assert r.exit_code == 0, r.stderr
