/* walithread.h -- threads for freestanding test guests: __wasm_thread_spawn with
 * our own start routine, futex mutexes, join through clear_child_tid.
 *
 * The start routine must not use the shadow stack (__stack_pointer is per
 * instance and starts at the same address in every thread): keep thread code to
 * scalar locals, globals and calls. */
#ifndef WALITHREAD_H
#define WALITHREAD_H
#include "walilib.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE 128

__attribute__((import_module("wali"), import_name("__wasm_thread_spawn")))
int32_t wali_thread_spawn(int32_t fn, void *arg);

static inline void mutex_lock(volatile int *m) {
    int c = __sync_val_compare_and_swap(m, 0, 1);
    if (c == 0) return;
    if (c != 2) c = __sync_lock_test_and_set(m, 2);
    while (c != 0) {
        wali_futex((void *)m, FUTEX_WAIT | FUTEX_PRIVATE, 2, 0, 0, 0);
        c = __sync_lock_test_and_set(m, 2);
    }
}

static inline void mutex_unlock(volatile int *m) {
    if (__sync_fetch_and_sub(m, 1) != 1) {
        __atomic_store_n(m, 0, __ATOMIC_SEQ_CST);
        wali_futex((void *)m, FUTEX_WAKE | FUTEX_PRIVATE, 1, 0, 0, 0);
    }
}

/* Wait until *slot is 0 (the kernel clears a thread's clear_child_tid at its exit). */
static inline void join_slot(volatile int *slot) {
    int v;
    while ((v = __atomic_load_n(slot, __ATOMIC_SEQ_CST)) != 0)
        wali_futex((void *)slot, FUTEX_WAIT | FUTEX_PRIVATE, v, 0, 0, 0);
}
#endif
