"""Advisory locks between cages: fcntl record locks (F_GETLK/F_SETLK/F_SETLKW) and flock(2).

Two cages on one kernel play holder and contender, synchronising through files
in /tmp (the holder writes its pid to /tmp/ready; the contender creates
/tmp/done just before it blocks; the holder releases 300 ms after seeing it).
The same programs run natively on Linux as two processes.
"""

from __future__ import annotations

import trio

LOCKER_C = r'''
#include "walilib.h"
WALI_MAIN
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
typedef struct { int16_t l_type, l_whence; int32_t pad; int64_t l_start, l_len; int32_t l_pid, pad2; } flk_t;
_Static_assert(sizeof(flk_t) == 32, "struct flock");

static int exists(const char *p) { wali_stat_t st; return wali_stat((void *)p, &st) == 0; }
static void sleep_ms(int ms) {
    wali_timespec_t ts = {ms / 1000, (int64_t)(ms % 1000) * 1000000};
    wali_nanosleep(&ts, 0);
}
static int wait_for(const char *p) {
    for (int i = 0; i < 2000; i++) {
        if (exists(p)) return 1;
        sleep_ms(5);
    }
    wprintf(2, "timed out waiting for %s\n", p);
    return 0;
}
static void touch(const char *p, int64_t value) {
    char tmp[32] = "/tmp/.tmp_", num[24];
    int n = 0;
    do { num[n++] = (char)('0' + value % 10); value /= 10; } while (value);
    int fd = (int)wali_open(tmp, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    for (int i = n - 1; i >= 0; i--) wali_write(fd, &num[i], 1);
    wali_close(fd);
    wali_rename(tmp, (void *)p);
}
static int64_t read_num(const char *p) {
    char buf[24] = {0};
    int fd = (int)wali_open((void *)p, O_RDONLY, 0);
    wali_read(fd, buf, sizeof buf - 1);
    wali_close(fd);
    return wali_atoi(buf);
}
static int64_t now_ms(void) {
    wali_timespec_t ts;
    wali_clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static int64_t lk(int fd, int cmd, int type, int64_t start, int64_t len, flk_t *out) {
    flk_t f;
    memset(&f, 0, sizeof f);
    f.l_type = (int16_t)type;
    f.l_whence = SEEK_SET;
    f.l_start = start;
    f.l_len = len;
    int64_t r = wali_fcntl(fd, cmd, (uint64_t)(uintptr_t)&f);
    if (out) *out = f;
    return r;
}

/* argv: role (hold|contend), kind (posix|flock), release (close|exit|closeother) */
int main(int argc, char **argv) {
    if (argc < 4) return 2;
    int posix = streq(argv[2], "posix");
    flk_t f;
    if (streq(argv[1], "hold")) {
        int fd = (int)wali_open("/tmp/lk", O_CREAT | O_RDWR, 0644);
        int other = (int)wali_open("/tmp/lk", O_RDONLY, 0);
        if (posix) {
            check_eq(lk(fd, F_SETLK, F_WRLCK, 0, 100, 0), 0, "write lock [0,100)");
            check_eq(lk(fd, F_SETLK, F_RDLCK, 200, 50, 0), 0, "read lock [200,250)");
            check_eq(lk(fd, F_GETLK, F_WRLCK, 0, 300, &f), 0, "F_GETLK on our own locks");
            check_eq(f.l_type, F_UNLCK, "our own locks never conflict");
        } else {
            check_eq(wali_flock(fd, LOCK_EX), 0, "flock LOCK_EX");
            check_eq(wali_flock(fd, LOCK_EX), 0, "again: a no-op");
            int d = (int)wali_dup(fd);
            check_eq(wali_close(d), 0, "closing a dup keeps the flock (it belongs to the description)");
        }
        touch("/tmp/ready", wali_getpid());
        if (!wait_for("/tmp/done")) return 1;
        sleep_ms(300);
        if (streq(argv[3], "exit")) return 0;
        if (streq(argv[3], "closeother")) {
            /* POSIX: closing *any* fd of the file drops the process's locks on it. */
            check_eq(wali_close(other), 0, "close another fd of the file");
        } else {
            check_eq(wali_close(fd), 0, "close the locked fd");
        }
        if (!wait_for("/tmp/finished")) return 1;
        return 0;
    }
    if (!wait_for("/tmp/ready")) return 1;
    int64_t holder = read_num("/tmp/ready");
    int fd = (int)wali_open("/tmp/lk", O_RDWR, 0);
    if (posix) {
        check_eq(lk(fd, F_GETLK, F_WRLCK, 0, 100, &f), 0, "F_GETLK");
        check_eq(f.l_type, F_WRLCK, "reports the holder's write lock");
        check_eq(f.l_whence, SEEK_SET, "as SEEK_SET");
        check(f.l_start == 0 && f.l_len == 100, "its range");
        check_eq(f.l_pid, holder, "and its pid");
        check_eq(lk(fd, F_GETLK, F_RDLCK, 50, 1, &f), 0, "F_GETLK inside the range");
        check(f.l_type == F_WRLCK && f.l_start == 0 && f.l_len == 100, "the whole conflicting lock");
        check_eq(lk(fd, F_GETLK, F_RDLCK, 200, 50, &f), 0, "F_GETLK read vs read");
        check_eq(f.l_type, F_UNLCK, "read locks share");
        check_eq(lk(fd, F_GETLK, F_WRLCK, 210, 0, &f), 0, "F_GETLK write vs read, to EOF");
        check(f.l_type == F_RDLCK && f.l_start == 200 && f.l_len == 50 && f.l_pid == holder, "the read lock");
        check_eq(lk(fd, F_GETLK, F_UNLCK, 0, 10, &f), -EINVAL, "F_GETLK with F_UNLCK");
        check_eq(lk(fd, F_SETLK, F_WRLCK, 0, 100, 0), -EAGAIN, "F_SETLK conflicts: EAGAIN");
        check_eq(lk(fd, F_SETLK, F_RDLCK, 99, 1, 0), -EAGAIN, "a read lock on the last byte");
        check_eq(lk(fd, F_SETLK, F_WRLCK, 100, 100, 0), 0, "the adjacent range is free");
        check_eq(lk(fd, F_SETLK, F_RDLCK, 200, 50, 0), 0, "a shared read lock");
        check_eq(lk(fd, F_SETLK, F_WRLCK, 200, 50, 0), -EAGAIN, "no upgrade while the holder reads");
        check_eq(wali_flock(fd, LOCK_EX | LOCK_NB), 0, "flock does not see POSIX locks");
        int64_t t0 = now_ms();
        touch("/tmp/done", 1);
        check_eq(lk(fd, F_SETLKW, F_WRLCK, 0, 100, 0), 0, "F_SETLKW waits for the holder");
        check(now_ms() - t0 >= 200, "it really waited");
        check_eq(lk(fd, F_GETLK, F_WRLCK, 0, 300, &f), 0, "F_GETLK");
        check_eq(f.l_type, F_UNLCK, "every holder lock is gone");
    } else {
        check_eq(wali_flock(fd, LOCK_EX | LOCK_NB), -EWOULDBLOCK, "LOCK_EX|LOCK_NB conflicts");
        check_eq(wali_flock(fd, LOCK_SH | LOCK_NB), -EWOULDBLOCK, "LOCK_SH|LOCK_NB conflicts");
        check_eq(lk(fd, F_SETLK, F_WRLCK, 0, 0, 0), 0, "POSIX locks do not see flock");
        int64_t t0 = now_ms();
        touch("/tmp/done", 1);
        check_eq(wali_flock(fd, LOCK_EX), 0, "LOCK_EX waits for the holder");
        check(now_ms() - t0 >= 200, "it really waited");
        check_eq(wali_flock(fd, LOCK_UN), 0, "LOCK_UN");
    }
    touch("/tmp/finished", 1);
    return 0;
}
'''


async def run_pair(warden, wasm, kind: str, release: str) -> None:
    holder = await warden.start(wasm, ["hold", kind, release])
    contender = await warden.start(wasm, ["contend", kind, release])
    with trio.fail_after(30):
        rc = await warden.wait(contender)
        rh = await warden.wait(holder)
    assert rh.exit_code == 0, rh.stderr
    assert rc.exit_code == 0, rc.stderr


async def test_fcntl_lock_conflicts_and_setlkw_released_by_close(warden, build_c):
    await run_pair(warden, build_c(LOCKER_C, name="locks_locker.c"), "posix", "close")


async def test_fcntl_locks_released_when_the_holder_exits(warden, build_c):
    await run_pair(warden, build_c(LOCKER_C, name="locks_locker.c"), "posix", "exit")


async def test_fcntl_locks_dropped_by_closing_any_fd_of_the_file(warden, build_c):
    await run_pair(warden, build_c(LOCKER_C, name="locks_locker.c"), "posix", "closeother")


async def test_flock_conflicts_and_release_on_close(warden, build_c):
    await run_pair(warden, build_c(LOCKER_C, name="locks_locker.c"), "flock", "close")


async def test_flock_released_when_the_holder_exits(warden, build_c):
    await run_pair(warden, build_c(LOCKER_C, name="locks_locker.c"), "flock", "exit")


ERRORS_C = r'''
#include "walilib.h"
#ifndef WALI_NATIVE
__attribute__((import_module("wali"), import_name("SYS_close_range")))
int64_t wali_close_range(uint32_t first, uint32_t last, uint32_t flags);
#endif
WALI_MAIN
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
typedef struct { int16_t l_type, l_whence; int32_t pad; int64_t l_start, l_len; int32_t l_pid, pad2; } flk_t;
static int64_t lk(int fd, int cmd, int type, int whence, int64_t start, int64_t len) {
    flk_t f;
    memset(&f, 0, sizeof f);
    f.l_type = (int16_t)type;
    f.l_whence = (int16_t)whence;
    f.l_start = start;
    f.l_len = len;
    return wali_fcntl(fd, cmd, (uint64_t)(uintptr_t)&f);
}
int main(int argc, char **argv) {
    int rw = (int)wali_open("/tmp/lk", O_CREAT | O_RDWR, 0644);
    int ro = (int)wali_open("/tmp/lk", O_RDONLY, 0);
    int wo = (int)wali_open("/tmp/lk", O_WRONLY, 0);
    check_eq(lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), -EBADF, "write lock needs a writable fd");
    check_eq(lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 10), -EBADF, "read lock needs a readable fd");
    check_eq(lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 10), 0, "unlocking needs neither");
    check_eq(lk(rw, F_SETLK, 7, SEEK_SET, 0, 10), -EINVAL, "bad l_type");
    check_eq(lk(rw, F_SETLK, F_WRLCK, 9, 0, 10), -EINVAL, "bad l_whence");
    check_eq(lk(rw, F_SETLK, F_WRLCK, SEEK_SET, -1, 10), -EINVAL, "negative start");
    check_eq(lk(rw, F_SETLK, F_WRLCK, SEEK_SET, 5, -10), -EINVAL, "a negative length reaching below 0");
    check_eq(lk(rw, F_SETLK, F_WRLCK, SEEK_SET, 10, -10), 0, "a negative length covers [start-len, start)");
    check_eq(lk(rw, F_SETLK, F_WRLCK, SEEK_END, 0, 0), 0, "SEEK_END");
    check_eq(wali_lseek(rw, 5, SEEK_SET), 5, "seek");
    check_eq(lk(rw, F_SETLK, F_WRLCK, SEEK_CUR, 0, 1), 0, "SEEK_CUR");
    check_eq(lk(99, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), -EBADF, "closed fd");
    check_eq(wali_fcntl(rw, F_SETLK, 0xFFFFFFF0u), -EFAULT, "bad struct pointer");
    check_eq(wali_fcntl(rw, F_GETLK, 0), -EFAULT, "NULL struct pointer");
    int a = (int)wali_open("/tmp/lk2", O_CREAT | O_RDWR, 0644);
    int b = (int)wali_open("/tmp/lk2", O_RDWR, 0);
    check_eq(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), 0, "POSIX lock [0,10)");
    check_eq(lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1), -EAGAIN,
             "an OFD lock conflicts with the process's own POSIX lock");
    check_eq(lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 100, 1), 0, "OFD lock");
    check_eq(lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 100, 1), -EAGAIN,
             "OFD locks of two descriptions conflict, even in one process");
    check_eq(lk(b, F_SETLK, F_RDLCK, SEEK_SET, 100, 1), -EAGAIN, "and POSIX locks see OFD locks");
    check_eq(wali_close(b), 0, "closing another fd drops the POSIX lock...");
    check_eq(lk(a, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 10), 0, "F_OFD_GETLK");
    b = (int)wali_open("/tmp/lk2", O_RDWR, 0);
    check_eq(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10), 0, "...so [0,10) is free");
    check_eq(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 100, 1), -EAGAIN, "...but not the OFD lock");
    int c = (int)wali_open("/tmp/lk3", O_CREAT | O_RDWR, 0644);
    int c2 = (int)wali_open("/tmp/lk3", O_RDWR, 0);
    int c3 = (int)wali_open("/tmp/lk3", O_RDWR, 0);
    check_eq(lk(c, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), 0, "POSIX lock on lk3");
    check_eq(lk(c3, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10), -EAGAIN, "held");
    check_eq(wali_close_range((uint32_t)c2, (uint32_t)c2, 0), 0, "close_range another fd of lk3");
    check_eq(lk(c3, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10), 0, "close_range dropped the POSIX lock");
    check_eq(wali_flock(rw, 3), -EINVAL, "flock with LOCK_SH|LOCK_EX");
    check_eq(wali_flock(rw, 0), -EINVAL, "flock with no operation");
    check_eq(wali_flock(99, 2), -EBADF, "flock on a closed fd");
    check_eq(wali_flock(rw, 2 | 4), 0, "flock LOCK_EX|LOCK_NB");
    check_eq(wali_flock(ro, 1 | 4), -EWOULDBLOCK, "another description of the same process conflicts");
    check_eq(wali_flock(rw, 1), 0, "convert to LOCK_SH");
    check_eq(wali_flock(ro, 1 | 4), 0, "now shared");
    return 0;
}
'''


async def test_lock_argument_errors_and_ofd_semantics(warden, build_c):
    r = await warden.run(build_c(ERRORS_C, name="locks_errors.c"))
    assert r.exit_code == 0, r.stderr


_PAIR = ("rm -f /tmp/ready /tmp/done /tmp/finished; "
         "$G hold {k} {m} & $G contend {k} {m}; r=$?; wait $! || r=1; exit $r")
NATIVE = {
    "LOCKER_C": {"scripts": [_PAIR.format(k=k, m=m) for k, m in
                             (("posix", "close"), ("posix", "exit"), ("posix", "closeother"),
                              ("flock", "close"), ("flock", "exit"))]},
}
