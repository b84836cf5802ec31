/* walisig.h -- signal helpers for test guests: WALI's packed k_sigaction and
 * installing a C function as a handler (a function pointer is a table index). */
#ifndef WALISIG_H
#define WALISIG_H
#include "walilib.h"

/* Linux syscalls no shipped WALI module imports, so wali.h does not declare them;
 * a newer toolchain would import them under their Linux names. */
#define WALI_IMPORT(n) __attribute__((import_module("wali"), import_name(n)))
WALI_IMPORT("SYS_alarm") int64_t wali_alarm(uint32_t seconds);
WALI_IMPORT("SYS_pause") int64_t wali_pause(void);
WALI_IMPORT("SYS_getitimer") int64_t wali_getitimer(int32_t which, void *cur);
WALI_IMPORT("SYS_tgkill") int64_t wali_tgkill(int32_t tgid, int32_t tid, int32_t sig);
WALI_IMPORT("SYS_waitid") int64_t wali_waitid(int32_t idtype, int32_t id, void *info, int32_t options, void *ru);
WALI_IMPORT("SYS_rt_sigtimedwait") int64_t wali_rt_sigtimedwait(void *set, void *info, void *ts, uint32_t size);
WALI_IMPORT("SYS_vfork") int64_t wali_vfork(void);
WALI_IMPORT("SYS_clone") int64_t wali_clone(uint64_t flags, uint64_t stack, void *ptid, void *ctid, uint64_t tls);

#define SA_NOCLDSTOP 0x00000001
#define SA_SIGINFO 0x00000004
#define SA_RESTORER 0x04000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000u
#define WALI_SIG_DFL 0
#define WALI_SIG_IGN (-2)

typedef struct __attribute__((packed)) {
    int32_t handler; /* table index, or WALI_SIG_DFL / WALI_SIG_IGN */
    uint64_t flags;
    int32_t restorer;
    uint64_t mask;
} wali_ksigaction_t;

_Static_assert(sizeof(wali_ksigaction_t) == 24, "WALI k_sigaction is 24 bytes");

static inline uint64_t sigbit(int sig) { return 1ull << (sig - 1); }

static inline int64_t set_handler(int sig, void (*fn)(int), uint64_t flags, uint64_t mask) {
    wali_ksigaction_t act = {(int32_t)(uintptr_t)fn, flags | SA_RESTORER, 0, mask};
    return wali_rt_sigaction(sig, &act, 0, 8);
}

static inline int64_t set_disposition(int sig, int32_t disp) {
    wali_ksigaction_t act = {disp, 0, 0, 0};
    return wali_rt_sigaction(sig, &act, 0, 8);
}

static inline int64_t sigmask_op(int how, uint64_t set, uint64_t *old) {
    return wali_rt_sigprocmask(how, &set, old, 8);
}

static inline void sleep_ms(int64_t ms) {
    wali_timespec_t ts = {ms / 1000, (ms % 1000) * 1000000};
    wali_nanosleep(&ts, 0);
}
#endif
