"""Threads: __wasm_thread_spawn, shared memory, futex locks, thread exit vs exit_group."""

from __future__ import annotations

from tests.harness import run_cage

COUNTER = r'''
#include "walithread.h"
WALI_MAIN
#define NTHREADS 4
#define ITERS 2000
static volatile int lock_word, counter;
static volatile int slots[NTHREADS];
static volatile int tids[NTHREADS];

__attribute__((export_name("__wasm_thread_start_libc")))
void thread_start(int tid, void *arg) {
    int idx = (int)(uintptr_t)arg;
    wali_set_tid_address((void *)&slots[idx]);
    tids[idx] = (int)wali_gettid();
    for (int i = 0; i < ITERS; i++) {
        mutex_lock(&lock_word);
        counter = counter + 1;   /* not atomic: only the lock protects it */
        mutex_unlock(&lock_word);
    }
    wali_exit(0);
}

int main(int argc, char **argv) {
    for (int i = 0; i < NTHREADS; i++) {
        slots[i] = -1;
        int32_t t = wali_thread_spawn((int32_t)(uintptr_t)&thread_start, (void *)(uintptr_t)i);
        check(t > 0, "spawn");
    }
    for (int i = 0; i < NTHREADS; i++) join_slot(&slots[i]);
    check_eq(counter, NTHREADS * ITERS, "every increment counted");
    for (int i = 0; i < NTHREADS; i++) {
        check(tids[i] > 0 && tids[i] != (int)wali_getpid(), "threads have their own tids");
        for (int j = 0; j < i; j++) check(tids[i] != tids[j], "distinct tids");
    }
    wprintf(1, "counter=%d\n", counter);
    return 0;
}
'''


async def test_threads_share_memory_and_futex_locks_serialize_them(build_c):
    r = await run_cage(build_c(COUNTER, name="threads_counter.c"), timeout=120)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"counter=8000\n"


EXIT_GROUP_FROM_THREAD = r'''
#include "walithread.h"
WALI_MAIN
static wali_timespec_t nap = {0, 100000000};  /* a global: thread code has no stack */
__attribute__((export_name("__wasm_thread_start_libc")))
void thread_start(int tid, void *arg) {
    wali_nanosleep(&nap, 0);
    wali_exit_group(5);
}
int main(int argc, char **argv) {
    wali_thread_spawn((int32_t)(uintptr_t)&thread_start, 0);
    /* main blocks; the thread's exit_group ends the whole cage */
    wali_timespec_t ts = {30, 0};
    wali_nanosleep(&ts, 0);
    return 1;
}
'''


async def test_exit_group_from_a_thread_ends_every_thread(build_c):
    r = await run_cage(build_c(EXIT_GROUP_FROM_THREAD, name="threads_exit_group.c"), timeout=20)
    assert r.exit_code == 5


THREAD_EXIT_ONLY = r'''
#include "walithread.h"
WALI_MAIN
static volatile int slot = -1, ran;
__attribute__((export_name("__wasm_thread_start_libc")))
void thread_start(int tid, void *arg) {
    wali_set_tid_address((void *)&slot);
    ran = 1;
    wali_exit(3);   /* only this thread ends */
}
int main(int argc, char **argv) {
    wali_thread_spawn((int32_t)(uintptr_t)&thread_start, 0);
    join_slot(&slot);
    check_eq(ran, 1, "thread ran");
    wprintf(1, "main continues\n");
    return 0;
}
'''


async def test_exit_of_one_thread_leaves_the_others(build_c):
    r = await run_cage(build_c(THREAD_EXIT_ONLY, name="threads_exit.c"), timeout=20)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"main continues\n"


FUTEX_ERRORS = r'''
#include "walithread.h"
WALI_MAIN
static volatile int word = 7;
int main(int argc, char **argv) {
    check_eq(wali_futex((void *)&word, FUTEX_WAIT, 8, 0, 0, 0), -EAGAIN, "value changed");
    wali_timespec_t ts = {0, 50000000};
    check_eq(wali_futex((void *)&word, FUTEX_WAIT, 7, &ts, 0, 0), -110 /* ETIMEDOUT */, "timeout");
    check_eq(wali_futex((void *)&word, FUTEX_WAKE, 1, 0, 0, 0), 0, "nobody to wake");
    check_eq(wali_futex((void *)((char *)&word + 1), FUTEX_WAIT, 7, 0, 0, 0), -EINVAL, "unaligned");
    check_eq(wali_futex((void *)0xFFFFFFF0u, FUTEX_WAIT, 7, 0, 0, 0), -EFAULT, "bad address");
    check_eq(wali_futex((void *)&word, 99, 0, 0, 0, 0), -ENOSYS, "unknown op");
    return 0;
}
'''


async def test_futex_errors(build_c):
    r = await run_cage(build_c(FUTEX_ERRORS, name="futex_errors.c"))
    assert r.exit_code == 0, r.stderr


TGKILL = r'''
#include "walisig.h"
#include "walithread.h"
WALI_MAIN
static volatile int slot = -1, ready, handled_in, thread_tid, wait_result;
static volatile int never = 0;
static void on_usr1(int sig) { handled_in = (int)wali_gettid(); }
__attribute__((export_name("__wasm_thread_start_libc")))
void thread_start(int tid, void *arg) {
    wali_set_tid_address((void *)&slot);
    thread_tid = (int)wali_gettid();
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    wait_result = (int)wali_futex((void *)&never, FUTEX_WAIT, 0, 0, 0, 0);
    wali_exit(0);
}
int main(int argc, char **argv) {
    set_handler(SIGUSR1, on_usr1, 0, 0);
    wali_thread_spawn((int32_t)(uintptr_t)&thread_start, 0);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST)) sleep_ms(10);
    sleep_ms(100);
    check_eq(wali_tgkill((int32_t)wali_getpid(), thread_tid, SIGUSR1), 0, "tgkill");
    join_slot(&slot);
    check_eq(handled_in, thread_tid, "the handler ran in the target thread");
    check_eq(wait_result, -EINTR, "its futex wait was interrupted");
    return 0;
}
'''


async def test_signal_directed_to_a_thread_runs_there(build_c):
    r = await run_cage(build_c(TGKILL, name="threads_tgkill.c"), timeout=30)
    assert r.exit_code == 0, r.stderr
