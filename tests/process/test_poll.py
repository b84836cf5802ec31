"""poll, ppoll, select, pselect6 and epoll over pipes, FIFOs, files and the host's stdio."""

from __future__ import annotations

import os

import trio

from tests.harness import run_cage

POLL = r'''
#include "walisig.h"
WALI_MAIN
typedef struct { int32_t fd; int16_t events, revents; } pfd_t;
#define POLLIN 1
#define POLLOUT 4
#define POLLHUP 0x10
#define POLLNVAL 0x20
int main(int argc, char **argv) {
    int fds[2];
    wali_pipe(fds);
    pfd_t p[4] = {{fds[0], POLLIN, 7}, {fds[1], POLLOUT, 7}, {99, POLLIN, 7}, {-1, POLLIN, 7}};
    check_eq(wali_poll(p, 4, 0), 2, "write end ready, bad fd reported");
    check_eq(p[0].revents, 0, "nothing to read");
    check_eq(p[1].revents, POLLOUT, "room to write");
    check_eq(p[2].revents, POLLNVAL, "POLLNVAL");
    check_eq(p[3].revents, 0, "negative fd ignored");
    check_eq(wali_poll(p, 1, 100), 0, "timeout with nothing ready");
    wali_write(fds[1], "x", 1);
    check_eq(wali_poll(p, 1, -1), 1, "readable");
    check_eq(p[0].revents & POLLIN, POLLIN, "POLLIN");
    char c;
    wali_read(fds[0], &c, 1);
    /* a child writes later: poll sleeps until then */
    int64_t pid = wali_fork();
    if (pid == 0) { sleep_ms(200); wali_write(fds[1], "y", 1); wali_exit_group(0); }
    check_eq(wali_poll(p, 1, 5000), 1, "woken by the child's write");
    wali_read(fds[0], &c, 1);
    int status;
    wali_wait4((int32_t)pid, &status, 0, 0);
    wali_close(fds[1]);
    check_eq(wali_poll(p, 1, 0), 1, "hang-up");
    check(p[0].revents & POLLHUP, "POLLHUP once the writers are gone");
    check_eq(wali_poll(p, 1 << 30, 0), -EINVAL, "nfds beyond RLIMIT_NOFILE");
    check_eq(wali_poll((void *)0xFFFFFFF0u, 2, 0), -EFAULT, "bad array");
    /* regular files are always ready */
    int32_t f = (int32_t)wali_open("/tmp/reg", O_RDWR | O_CREAT, 0644);
    pfd_t rf = {f, POLLIN | POLLOUT, 0};
    check_eq(wali_poll(&rf, 1, -1), 1, "file ready");
    check_eq(rf.revents, POLLIN | POLLOUT, "both");
    /* ppoll: a signal interrupts it; its handler runs with ppoll's mask */
    wali_pipe(fds);
    pfd_t q = {fds[0], POLLIN, 0};
    uint64_t none = 0;
    sigmask_op(SIG_BLOCK, sigbit(SIGUSR1), 0);
    set_disposition(SIGUSR1, WALI_SIG_IGN);
    wali_timespec_t ts = {0, 50000000};
    check_eq(wali_ppoll(&q, 1, &ts, &none, 8), 0, "ppoll timeout");
    check_eq(wali_ppoll(&q, 1, &ts, &none, 4), -EINVAL, "ppoll sigsetsize");
    return 0;
}
'''


async def test_poll_readiness_and_wakeups(build_c):
    r = await run_cage(build_c(POLL, name="poll.c"), timeout=60)
    assert r.exit_code == 0, r.stderr


SELECT = r'''
#include "walisig.h"
WALI_MAIN
static volatile int got;
static void on_usr1(int sig) { got++; }
int main(int argc, char **argv) {
    int fds[2];
    wali_pipe(fds);
    uint64_t rset[16] = {0}, wset[16] = {0};
    rset[0] = 1ull << fds[0];
    wset[0] = 1ull << fds[1];
    int64_t tv[2] = {0, 0};
    check_eq(wali_select(fds[1] + 1, rset, wset, 0, tv), 1, "only the write end");
    check_eq(rset[0], 0, "read set cleared");
    check_eq(wset[0], 1ull << fds[1], "write set kept");
    rset[0] = 1ull << fds[0];
    int64_t tv2[2] = {0, 300000};
    check_eq(wali_select(fds[0] + 1, rset, 0, 0, tv2), 0, "timeout");
    check(tv2[0] == 0 && tv2[1] == 0, "time left is zero");
    wali_write(fds[1], "x", 1);
    rset[0] = 1ull << fds[0];
    check_eq(wali_select(fds[0] + 1, rset, 0, 0, 0), 1, "readable, no timeout");
    rset[0] = 1ull << 40;
    check_eq(wali_select(41, rset, 0, 0, tv), -EBADF, "closed fd in the set");
    check_eq(wali_select(-1, 0, 0, 0, tv), -EINVAL, "negative nfds");
    int64_t badtv[2] = {0, 2000000};
    check_eq(wali_select(1, 0, 0, 0, badtv), -EINVAL, "bad timeval");
    check_eq(wali_select(fds[0] + 1, (void *)0xFFFFFFF0u, 0, 0, tv), -EFAULT, "bad set");
    /* pselect6 with a sigmask that unblocks SIGUSR1 for the wait: a child's kill interrupts it */
    char c;
    wali_read(fds[0], &c, 1);
    set_handler(SIGUSR1, on_usr1, 0, 0);
    sigmask_op(SIG_BLOCK, sigbit(SIGUSR1), 0);
    int64_t me = wali_getpid();
    int64_t pid = wali_fork();
    if (pid == 0) { sleep_ms(200); wali_kill((int32_t)me, SIGUSR1); wali_exit_group(0); }
    uint64_t empty = 0;
    struct { uint64_t ptr, size; } sig6 = {(uint64_t)(uintptr_t)&empty, 8};
    rset[0] = 1ull << fds[0];
    check_eq(wali_pselect6(fds[0] + 1, rset, 0, 0, 0, &sig6), -EINTR, "interrupted");
    check_eq(got, 1, "the handler ran");
    uint64_t cur = 0;
    sigmask_op(SIG_BLOCK, 0, &cur);
    check(cur & sigbit(SIGUSR1), "the old mask is back");
    int status;
    wali_wait4((int32_t)pid, &status, 0, 0);
    return 0;
}
'''


async def test_select_and_pselect6(build_c):
    r = await run_cage(build_c(SELECT, name="select.c"), timeout=60)
    assert r.exit_code == 0, r.stderr


EPOLL = r'''
#include "walisig.h"
WALI_MAIN
typedef struct __attribute__((packed)) { uint32_t events; uint64_t data; } ev_t;
#define EPOLLIN 1
#define EPOLLOUT 4
#define EPOLLET (1u << 31)
#define EPOLLONESHOT (1u << 30)
int main(int argc, char **argv) {
    _Static_assert(sizeof(ev_t) == 12, "packed epoll_event");
    int32_t ep = (int32_t)wali_epoll_create1(0);
    check(ep >= 0, "epoll_create1");
    check_eq(wali_epoll_create1(1), -EINVAL, "bad flags");
    int fds[2];
    wali_pipe(fds);
    ev_t e = {EPOLLIN, 0x1122334455667788ull};
    check_eq(wali_epoll_ctl(ep, 1, fds[0], &e), 0, "ADD");
    check_eq(wali_epoll_ctl(ep, 1, fds[0], &e), -EEXIST, "ADD twice");
    check_eq(wali_epoll_ctl(ep, 3, fds[1], &e), -ENOENT, "MOD missing");
    check_eq(wali_epoll_ctl(ep, 2, fds[1], 0), -ENOENT, "DEL missing");
    check_eq(wali_epoll_ctl(ep, 1, ep, &e), -EINVAL, "itself");
    check_eq(wali_epoll_ctl(ep, 1, 77, &e), -EBADF, "bad fd");
    check_eq(wali_epoll_ctl(fds[0], 1, fds[1], &e), -EINVAL, "not an epoll fd");
    int32_t f = (int32_t)wali_open("/tmp/reg", O_RDWR | O_CREAT, 0644);
    check_eq(wali_epoll_ctl(ep, 1, f, &e), -EPERM, "regular files are refused");
    ev_t out[4];
    check_eq(wali_epoll_wait(ep, out, 4, 50), 0, "timeout");
    check_eq(wali_epoll_wait(ep, out, 0, 0), -EINVAL, "maxevents 0");
    check_eq(wali_epoll_wait(ep, (void *)0xFFFFFFF0u, 4, 0), -EFAULT, "bad buffer");
    wali_write(fds[1], "ab", 2);
    check_eq(wali_epoll_wait(ep, out, 4, -1), 1, "readable");
    check_eq(out[0].events, EPOLLIN, "events");
    check(out[0].data == 0x1122334455667788ull, "data round trip");
    /* level-triggered: still ready */
    check_eq(wali_epoll_wait(ep, out, 4, 0), 1, "level-triggered");
    /* edge-triggered: once per change */
    e.events = EPOLLIN | EPOLLET;
    check_eq(wali_epoll_ctl(ep, 3, fds[0], &e), 0, "MOD to ET");
    check_eq(wali_epoll_wait(ep, out, 4, 0), 1, "first edge");
    check_eq(wali_epoll_wait(ep, out, 4, 0), 0, "no new edge");
    char buf[8];
    wali_read(fds[0], buf, 8);
    wali_write(fds[1], "c", 1);
    check_eq(wali_epoll_wait(ep, out, 4, 0), 1, "new data is a new edge");
    /* one-shot */
    e.events = EPOLLIN | EPOLLONESHOT;
    wali_epoll_ctl(ep, 3, fds[0], &e);
    check_eq(wali_epoll_wait(ep, out, 4, 0), 1, "one shot");
    check_eq(wali_epoll_wait(ep, out, 4, 0), 0, "disabled after it fired");
    /* a child's write wakes a blocked epoll_wait */
    e.events = EPOLLIN;
    wali_epoll_ctl(ep, 3, fds[0], &e);
    wali_read(fds[0], buf, 8);
    int64_t pid = wali_fork();
    if (pid == 0) { sleep_ms(200); wali_write(fds[1], "z", 1); wali_exit_group(0); }
    check_eq(wali_epoll_wait(ep, out, 4, 5000), 1, "woken by the write");
    int status;
    wali_wait4((int32_t)pid, &status, 0, 0);
    /* closing the fd removes it from the interest list */
    wali_close(fds[0]);
    check_eq(wali_epoll_wait(ep, out, 4, 0), 0, "gone with its fd");
    check_eq(wali_epoll_create(0), -EINVAL, "epoll_create(0)");
    /* epoll_pwait: its mask holds for the wait */
    uint64_t none = 0;
    check_eq(wali_epoll_pwait(ep, out, 4, 20, &none, 8), 0, "epoll_pwait timeout");
    check_eq(wali_epoll_pwait(ep, out, 4, 20, &none, 4), -EINVAL, "sigsetsize");
    check_eq(wali_epoll_pwait(ep, out, 4, 20, (void *)0xFFFFFFF0u, 8), -EFAULT, "bad mask");
    return 0;
}
'''


async def test_epoll_level_edge_oneshot_and_wakeups(build_c):
    r = await run_cage(build_c(EPOLL, name="epoll.c"), timeout=60)
    assert r.exit_code == 0, r.stderr


STDIN_POLL = r'''
#include "walilib.h"
WALI_MAIN
typedef struct { int32_t fd; int16_t events, revents; } pfd_t;
int main(int argc, char **argv) {
    pfd_t p = {0, 1, 0};
    check_eq(wali_poll(&p, 1, 0), 0, "nothing on stdin yet");
    check_eq(wali_poll(&p, 1, 10000), 1, "data arrives on the host pipe");
    char buf[16];
    int64_t n = wali_read(0, buf, sizeof buf);
    wali_write(1, buf, n);
    return 0;
}
'''


async def test_poll_and_read_on_a_host_pipe_wait_for_the_host(warden, build_c):
    r_fd, w_fd = os.pipe()
    out_r, out_w = os.pipe()
    cage = await warden.w.spawn(build_c(STDIN_POLL, name="stdin_poll.c"), ["stdin_poll"], stdin=r_fd,
                                stdout=out_w)
    os.close(r_fd)
    os.close(out_w)
    await trio.sleep(0.5)
    os.write(w_fd, b"late data")
    os.close(w_fd)
    status = await warden.w.wait(cage)
    assert status == 0
    assert os.read(out_r, 100) == b"late data"
    os.close(out_r)
