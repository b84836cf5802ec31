/* proc_bench MODE N: process-family micro benchmarks, timed inside the guest.
 *   forklat SIZE_MB N   fork latency with SIZE_MB of touched memory: prints
 *                       "<fork-return ns> <fork+exit+wait ns>" per iteration
 *   forkloop N          fork+exit+wait N times: prints total ns
 *   pipe MB             parent writes MB MiB in 64 KiB writes to a child: prints ns
 *   pingpong N          1-byte ping-pong over two pipes: prints each round trip (ns)
 *   threads N           spawn+join N threads (sequentially): prints total ns
 *   sigself N           kill(self) -> handler entry: prints each latency (ns)
 *   sigpeer N           parent kills a child sleeping in pause(): prints each latency (ns)
 *   sigbusy N           alarm-free: a child in a busy loop is signalled by the parent;
 *                       prints each kill -> handler latency (ns) */
#include "walisig.h"
#include "walithread.h"

WALI_MAIN

static int64_t now_ns(void) {
    wali_timespec_t ts;
    wali_clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile int64_t handler_at;
static volatile int handled;
static void on_usr1(int sig) { handler_at = now_ns(); handled++; }

static volatile int tslot;
__attribute__((export_name("__wasm_thread_start_libc")))
void thread_start(int tid, void *arg) {
    wali_set_tid_address((void *)&tslot);
    wali_exit(0);
}

static char buf[65536];
static int64_t samples[20000];

static void print_samples(int n) {
    for (int i = 0; i < n; i++) wprintf(1, "%lld\n", (long long)samples[i]);
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    const char *mode = argv[1];
    int64_t n = wali_atoi(argv[2]);
    int status;
    if (streq(mode, "forklat")) {
        int64_t mb = n, iters = argc > 3 ? wali_atoi(argv[3]) : 5;
        if (mb > 0) {
            unsigned char *p = (unsigned char *)(uintptr_t)wali_mmap(0, (uint32_t)(mb << 20), PROT_READ | PROT_WRITE,
                                                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if ((int64_t)(uintptr_t)p <= 0) return 3;
            for (int64_t i = 0; i < (mb << 20); i += 4096) p[i] = 1;
        }
        for (int64_t i = 0; i < iters; i++) {
            int64_t t0 = now_ns();
            int64_t pid = wali_fork();
            if (pid == 0) wali_exit_group(0);
            int64_t t1 = now_ns();
            wali_wait4((int32_t)pid, &status, 0, 0);
            int64_t t2 = now_ns();
            wprintf(1, "%lld %lld\n", (long long)(t1 - t0), (long long)(t2 - t0));
        }
        return 0;
    }
    if (streq(mode, "forkloop")) {
        int64_t t0 = now_ns();
        for (int64_t i = 0; i < n; i++) {
            int64_t pid = wali_fork();
            if (pid == 0) wali_exit_group(0);
            wali_wait4((int32_t)pid, &status, 0, 0);
        }
        wprintf(1, "%lld\n", (long long)(now_ns() - t0));
        return 0;
    }
    if (streq(mode, "pipe")) {
        int fds[2];
        wali_pipe(fds);
        int64_t total = n << 20;
        int64_t pid = wali_fork();
        if (pid == 0) {
            wali_close(fds[1]);
            int64_t got = 0, r;
            while ((r = wali_read(fds[0], buf, sizeof buf)) > 0) got += r;
            wali_exit_group(got == total ? 0 : 1);
        }
        wali_close(fds[0]);
        int64_t t0 = now_ns();
        for (int64_t sent = 0; sent < total; sent += sizeof buf) wali_write(fds[1], buf, sizeof buf);
        wali_close(fds[1]);
        wali_wait4((int32_t)pid, &status, 0, 0);
        wprintf(1, "%lld\n", (long long)(now_ns() - t0));
        return status;
    }
    if (streq(mode, "pingpong")) {
        int a[2], b[2];
        wali_pipe(a);
        wali_pipe(b);
        int64_t pid = wali_fork();
        char c = 'x';
        if (pid == 0) {
            for (int64_t i = 0; i < n; i++) {
                if (wali_read(a[0], &c, 1) != 1) break;
                wali_write(b[1], &c, 1);
            }
            wali_exit_group(0);
        }
        for (int64_t i = 0; i < n && i < 20000; i++) {
            int64_t t0 = now_ns();
            wali_write(a[1], &c, 1);
            wali_read(b[0], &c, 1);
            samples[i] = now_ns() - t0;
        }
        wali_wait4((int32_t)pid, &status, 0, 0);
        print_samples((int)(n < 20000 ? n : 20000));
        return 0;
    }
    if (streq(mode, "threads")) {
        int64_t t0 = now_ns();
        for (int64_t i = 0; i < n; i++) {
            tslot = -1;
            if (wali_thread_spawn((int32_t)(uintptr_t)&thread_start, 0) <= 0) return 4;
            join_slot(&tslot);
        }
        wprintf(1, "%lld\n", (long long)(now_ns() - t0));
        return 0;
    }
    if (streq(mode, "sigself")) {
        set_handler(SIGUSR1, on_usr1, 0, 0);
        int32_t me = (int32_t)wali_getpid();
        for (int64_t i = 0; i < n && i < 20000; i++) {
            int64_t t0 = now_ns();
            wali_kill(me, SIGUSR1);
            samples[i] = handler_at - t0;
        }
        print_samples((int)(n < 20000 ? n : 20000));
        return 0;
    }
    if (streq(mode, "sigpeer") || streq(mode, "sigbusy")) {
        int busy = streq(mode, "sigbusy");
        /* shared page for the child's handler timestamps */
        volatile int64_t *shared = (volatile int64_t *)(uintptr_t)wali_mmap(0, 4096, PROT_READ | PROT_WRITE,
                                                                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        int fds[2];
        wali_pipe(fds);
        int64_t pid = wali_fork();
        if (pid == 0) {
            set_handler(SIGUSR1, on_usr1, 0, 0);
            wali_write(fds[1], "r", 1);
            for (;;) {
                if (busy) { volatile uint64_t s = 0; int seen = handled; while (handled == seen) s++; }
                else wali_pause();
                /* report through a pipe write: the parent reads the timestamp */
                int64_t t = handler_at;
                wali_write(fds[1], (void *)&t, 8);
            }
        }
        char c;
        wali_read(fds[0], &c, 1);
        (void)shared;
        for (int64_t i = 0; i < n && i < 20000; i++) {
            sleep_ms(2);
            int64_t t0 = now_ns(), t1;
            wali_kill((int32_t)pid, SIGUSR1);
            wali_read(fds[0], (void *)&t1, 8);
            samples[i] = t1 - t0;
        }
        wali_kill((int32_t)pid, SIGKILL);
        wali_wait4((int32_t)pid, &status, 0, 0);
        print_samples((int)(n < 20000 ? n : 20000));
        return 0;
    }
    return 2;
}
