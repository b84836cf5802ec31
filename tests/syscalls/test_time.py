"""Clocks and sleeps: clock_gettime/getres, gettimeofday, nanosleep, clock_nanosleep.

Linux references: clock_gettime(2), nanosleep(2), clock_nanosleep(2) and
kernel/time/posix-timers.c (an unknown clock is EINVAL, a clock without a sleep
method is EOPNOTSUPP, ``rem`` is written only when a sleep is interrupted, and
TIMER_ABSTIME never writes it). A sleep parks only the sleeping cage: the kernel
keeps serving the others.
"""

from __future__ import annotations

import time

import trio

from tests.harness import run_cage

PRELUDE = r'''
#include "walilib.h"
#define BAD ((void *)(uintptr_t)0xFFFFFFF0u)
__attribute__((import_module("wali"), import_name("SYS_time")))
int64_t wali_time(void *tloc);
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11
#define TIMER_ABSTIME 1
static int64_t ns_of(wali_timespec_t t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }
static int64_t now_ns(int clk) { wali_timespec_t t; wali_clock_gettime(clk, &t); return ns_of(t); }
static volatile uint64_t sink_;
WALI_MAIN
'''


async def test_clock_gettime_clocks(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        static const int clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
            CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
            CLOCK_BOOTTIME, CLOCK_TAI};
        wali_timespec_t t;
        for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
            t.tv_sec = -1; t.tv_nsec = -1;
            check_eq(wali_clock_gettime(clocks[i], &t), 0, "clock_gettime");
            check(t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000, "normalized timespec");
        }
        /* Monotonic clocks never go back. */
        int64_t prev = now_ns(CLOCK_MONOTONIC), prevb = now_ns(CLOCK_BOOTTIME);
        for (int i = 0; i < 500; i++) {
            int64_t m = now_ns(CLOCK_MONOTONIC), b = now_ns(CLOCK_BOOTTIME);
            check(m >= prev, "MONOTONIC went back");
            check(b >= prevb, "BOOTTIME went back");
            prev = m; prevb = b;
        }
        int64_t mono = now_ns(CLOCK_MONOTONIC);
        check(now_ns(CLOCK_BOOTTIME) >= mono, "BOOTTIME >= MONOTONIC");
        int64_t rt = now_ns(CLOCK_REALTIME), rc = now_ns(CLOCK_REALTIME_COARSE);
        check(rc - rt < 1000000000ll && rt - rc < 1000000000ll, "REALTIME_COARSE tracks REALTIME");
        /* CPU time grows with work. */
        int64_t c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
        while (now_ns(CLOCK_MONOTONIC) - w0 < 300000000ll)
            for (int i = 0; i < 100000; i++) sink_ += (uint64_t)i * 31u;
        check(now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0 >= 100000000ll, "PROCESS_CPUTIME grew by the busy loop");
        check_eq(wali_clock_gettime(100, &t), -EINVAL, "unknown clock");
        check_eq(wali_clock_gettime(10, &t), -EINVAL, "clock 10 does not exist");
        check_eq(wali_clock_gettime(CLOCK_MONOTONIC, BAD), -EFAULT, "bad pointer");
        check_eq(wali_clock_gettime(CLOCK_REALTIME, 0), -EFAULT, "NULL pointer");
        wali_clock_gettime(CLOCK_REALTIME, &t);
        wprintf(1, "%lld %lld\n", t.tv_sec, t.tv_nsec);
        return 0;
    }''', name="clock_gettime.c")
    r = await run_cage(wasm)
    host = time.time()
    assert r.exit_code == 0, r.stderr
    sec, nsec = map(int, r.stdout.split())
    assert abs(sec + nsec / 1e9 - host) < 5, "CLOCK_REALTIME is the host's time"


async def test_clock_getres_and_gettimeofday(build_c):
    wasm = build_c(PRELUDE + r'''
    typedef struct { int64_t sec, usec; } tv_;
    typedef struct { int32_t minuteswest, dsttime; } tz_;
    int main(int argc, char **argv) {
        wali_timespec_t r;
        check_eq(wali_clock_getres(CLOCK_MONOTONIC, &r), 0, "getres MONOTONIC");
        check(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000, "high-resolution clock");
        check_eq(wali_clock_getres(CLOCK_REALTIME, &r), 0, "getres REALTIME");
        check(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000, "high-resolution clock");
        check_eq(wali_clock_getres(CLOCK_REALTIME_COARSE, &r), 0, "getres COARSE");
        check(r.tv_sec == 0 && r.tv_nsec >= 1000000, "coarse clock has tick resolution");
        check_eq(wali_clock_getres(CLOCK_PROCESS_CPUTIME_ID, &r), 0, "getres CPUTIME");
        check_eq(wali_clock_getres(CLOCK_MONOTONIC, 0), 0, "NULL res is allowed");
        check_eq(wali_clock_getres(100, &r), -EINVAL, "unknown clock");
        check_eq(wali_clock_getres(100, 0), -EINVAL, "unknown clock, NULL res");
        check_eq(wali_clock_getres(CLOCK_MONOTONIC, BAD), -EFAULT, "bad pointer");
        tv_ tv = {-1, -1};
        tz_ tz = {77, 77};
        check_eq(wali_gettimeofday(&tv, &tz), 0, "gettimeofday");
        check(tv.usec >= 0 && tv.usec < 1000000, "usec normalized");
        int64_t rt = now_ns(CLOCK_REALTIME) / 1000;
        int64_t us = tv.sec * 1000000 + tv.usec;
        check(rt - us >= 0 && rt - us < 1000000, "gettimeofday agrees with CLOCK_REALTIME");
        check(tz.minuteswest == 0 && tz.dsttime == 0, "timezone is UTC");
        check_eq(wali_gettimeofday(0, 0), 0, "both NULL");
        check_eq(wali_gettimeofday(BAD, 0), -EFAULT, "bad tv");
        check_eq(wali_gettimeofday(0, BAD), -EFAULT, "bad tz");
        int64_t secs = 0;
        int64_t t1 = wali_time(&secs);
        check(t1 > 1000000000ll && secs == t1, "time() returns and stores the seconds");
        check(wali_time(0) >= t1, "time(NULL)");
        check_eq(wali_time(BAD), -EFAULT, "time bad pointer");
        return 0;
    }''', name="clock_getres.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_nanosleep_sleeps_and_validates(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        wali_timespec_t req = {0, 200000000}, rem = {77, 77};
        int64_t t0 = now_ns(CLOCK_MONOTONIC);
        check_eq(wali_nanosleep(&req, &rem), 0, "nanosleep 200 ms");
        int64_t dt = now_ns(CLOCK_MONOTONIC) - t0;
        check(dt >= 200000000ll, "slept at least the requested time");
        check(dt < 1500000000ll, "did not sleep far too long");
        check(rem.tv_sec == 77 && rem.tv_nsec == 77, "rem untouched when not interrupted");
        /* Linux writes rem only on interruption: a bad rem is not looked at. */
        wali_timespec_t tiny = {0, 1000};
        check_eq(wali_nanosleep(&tiny, BAD), 0, "bad rem is not EFAULT without a signal");
        wali_timespec_t zero = {0, 0};
        t0 = now_ns(CLOCK_MONOTONIC);
        check_eq(wali_nanosleep(&zero, 0), 0, "zero sleep");
        check(now_ns(CLOCK_MONOTONIC) - t0 < 100000000ll, "zero sleep returns at once");
        wali_timespec_t big = {0, 1000000000}, neg = {0, -1}, negs = {-1, 0};
        check_eq(wali_nanosleep(&big, 0), -EINVAL, "tv_nsec == 1e9");
        check_eq(wali_nanosleep(&neg, 0), -EINVAL, "negative tv_nsec");
        check_eq(wali_nanosleep(&negs, 0), -EINVAL, "negative tv_sec");
        check_eq(wali_nanosleep(BAD, 0), -EFAULT, "bad req");
        check_eq(wali_nanosleep(0, 0), -EFAULT, "NULL req");
        return 0;
    }''', name="nanosleep.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_clock_nanosleep_relative_and_absolute(build_c):
    wasm = build_c(PRELUDE + r'''
    static void sleep_abs(int clk, int64_t delta) {
        wali_timespec_t at, rem = {77, 77};
        int64_t target = now_ns(clk) + delta;
        at.tv_sec = target / 1000000000ll; at.tv_nsec = target % 1000000000ll;
        check_eq(wali_clock_nanosleep(clk, TIMER_ABSTIME, &at, &rem), 0, "absolute sleep");
        check(now_ns(clk) >= target, "woke at or after the absolute time");
        check(now_ns(clk) - target < 1000000000ll, "not far too late");
        check(rem.tv_sec == 77, "TIMER_ABSTIME never writes rem");
    }
    int main(int argc, char **argv) {
        wali_timespec_t req = {0, 150000000};
        int64_t t0 = now_ns(CLOCK_MONOTONIC);
        check_eq(wali_clock_nanosleep(CLOCK_MONOTONIC, 0, &req, 0), 0, "relative MONOTONIC");
        int64_t dt = now_ns(CLOCK_MONOTONIC) - t0;
        check(dt >= 150000000ll && dt < 1500000000ll, "relative MONOTONIC duration");
        t0 = now_ns(CLOCK_MONOTONIC);
        check_eq(wali_clock_nanosleep(CLOCK_REALTIME, 0, &req, 0), 0, "relative REALTIME");
        dt = now_ns(CLOCK_MONOTONIC) - t0;
        check(dt >= 150000000ll && dt < 1500000000ll, "relative REALTIME duration");
        sleep_abs(CLOCK_MONOTONIC, 150000000ll);
        sleep_abs(CLOCK_REALTIME, 150000000ll);
        sleep_abs(CLOCK_BOOTTIME, 100000000ll);
        /* An absolute time in the past returns at once. */
        wali_timespec_t past = {1, 0};
        t0 = now_ns(CLOCK_MONOTONIC);
        check_eq(wali_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, 0), 0, "past deadline");
        check(now_ns(CLOCK_MONOTONIC) - t0 < 100000000ll, "past deadline returns at once");
        wali_timespec_t bad = {0, 1000000000}, neg = {0, -5};
        check_eq(wali_clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, 0), -EINVAL, "tv_nsec == 1e9");
        check_eq(wali_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &neg, 0), -EINVAL, "negative nsec");
        check_eq(wali_clock_nanosleep(100, 0, &req, 0), -EINVAL, "unknown clock");
        check_eq(wali_clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, 0), -EINVAL, "THREAD_CPUTIME");
        check_eq(wali_clock_nanosleep(CLOCK_MONOTONIC_COARSE, 0, &req, 0), -EOPNOTSUPP, "coarse clocks");
        check_eq(wali_clock_nanosleep(CLOCK_MONOTONIC, 0, BAD, 0), -EFAULT, "bad req");
        return 0;
    }''', name="clock_nanosleep.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_sleeping_cage_does_not_block_another(build_c, warden):
    sleeper = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        wali_timespec_t req = {2, 0};
        check_eq(wali_nanosleep(&req, 0), 0, "sleep 2 s");
        puts_fd(1, "woke\n");
        return 0;
    }''', name="sleeper.c")
    worker = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        int64_t pid = wali_getpid();
        for (int i = 0; i < 3000; i++) check_eq(wali_getpid(), pid, "getpid");
        wali_timespec_t req = {0, 10000000};
        for (int i = 0; i < 5; i++) check_eq(wali_nanosleep(&req, 0), 0, "short sleep");
        puts_fd(1, "done\n");
        return 0;
    }''', name="busy_worker.c")
    t0 = trio.current_time()
    slow = await warden.start(sleeper)
    # Let the sleeper get into its sleep first.
    await trio.sleep(0.3)
    fast = await warden.start(worker)
    r_fast = await warden.wait(fast)
    t_fast = trio.current_time() - t0
    assert r_fast.exit_code == 0, r_fast.stderr
    assert r_fast.stdout == b"done\n"
    assert slow.alive, "the sleeper is still asleep when the other cage has finished"
    r_slow = await warden.wait(slow)
    t_slow = trio.current_time() - t0
    assert r_slow.exit_code == 0, r_slow.stderr
    assert r_slow.stdout == b"woke\n"
    assert t_slow >= 2.0
    assert t_fast < 1.8, f"the worker took {t_fast:.2f}s: it waited for the sleeper"
