"""Small syscalls that need one check each: scheduling and priority queries,
memory locking, fadvise/fallocate, futimesat, robust lists, getdents."""

from __future__ import annotations

from tests.harness import run_cage

GAPS = r'''
#include "walisig.h"
WALI_MAIN
WALI_IMPORT("SYS_getpgrp") int64_t wali_getpgrp(void);
WALI_IMPORT("SYS_sched_getscheduler") int64_t wali_sched_getscheduler(int32_t);
WALI_IMPORT("SYS_sched_get_priority_max") int64_t wali_sched_get_priority_max(int32_t);
WALI_IMPORT("SYS_sched_get_priority_min") int64_t wali_sched_get_priority_min(int32_t);
WALI_IMPORT("SYS_getpriority") int64_t wali_getpriority(int32_t, int32_t);
WALI_IMPORT("SYS_setpriority") int64_t wali_setpriority(int32_t, int32_t, int32_t);
WALI_IMPORT("SYS_mlock") int64_t wali_mlock(void *, uint32_t);
WALI_IMPORT("SYS_munlock") int64_t wali_munlock(void *, uint32_t);
WALI_IMPORT("SYS_munlockall") int64_t wali_munlockall(void);
WALI_IMPORT("SYS_fallocate") int64_t wali_fallocate(int32_t, int32_t, int64_t, int64_t);
WALI_IMPORT("SYS_getdents") int64_t wali_getdents(int32_t, void *, uint32_t);
int main(int argc, char **argv) {
    check_eq(wali_getpgrp(), wali_getpgid(0), "getpgrp is getpgid(0)");
    check_eq(wali_sched_getscheduler(0), 0, "SCHED_OTHER");
    check_eq(wali_sched_getscheduler(99999), -ESRCH, "no such process");
    check_eq(wali_sched_get_priority_max(1), 99, "SCHED_FIFO max");
    check_eq(wali_sched_get_priority_min(1), 1, "SCHED_FIFO min");
    check_eq(wali_sched_get_priority_max(0), 0, "SCHED_OTHER max");
    check_eq(wali_sched_get_priority_max(42), -EINVAL, "bad policy");
    check_eq(wali_getpriority(0, 0), 20, "nice 0 is 20 from the raw syscall");
    check_eq(wali_setpriority(0, 0, 5), 0, "lower priority");
    check_eq(wali_getpriority(0, 0), 15, "nice 5");
    check_eq(wali_getpriority(7, 0), -EINVAL, "bad which");
    /* memory locking: validated, memory is always resident */
    static char page[8192];
    check_eq(wali_mlock(page, 4096), 0, "mlock");
    check_eq(wali_munlock(page, 4096), 0, "munlock");
    check_eq(wali_mlock((void *)0x7FFF0000u, 4096), -ENOMEM, "mlock of unmapped memory");
    check_eq(wali_mlockall(0), -EINVAL, "mlockall without flags");
    check_eq(wali_mlockall(1), 0, "mlockall(MCL_CURRENT)");
    check_eq(wali_munlockall(), 0, "munlockall");
    /* robust list: only the size is checked */
    check_eq(wali_set_robust_list(page, 24), 0, "set_robust_list");
    check_eq(wali_set_robust_list(page, 12), -EINVAL, "bad size");
    /* fadvise / fallocate */
    int32_t fd = (int32_t)wali_open("/tmp/falloc", O_RDWR | O_CREAT, 0644);
    check_eq(wali_fadvise64(fd, 0, 0, 2 /* SEQUENTIAL */), 0, "fadvise");
    check_eq(wali_fadvise64(fd, 0, 0, 99), -EINVAL, "bad advice");
    check_eq(wali_fadvise64(77, 0, 0, 0), -EBADF, "bad fd");
    int fds[2];
    wali_pipe(fds);
    check_eq(wali_fadvise64(fds[0], 0, 0, 0), -ESPIPE, "pipe");
    check_eq(wali_fallocate(fd, 0, 0, 10000), 0, "fallocate grows");
    wali_stat_t st;
    wali_fstat(fd, &st);
    check_eq(st.st_size, 10000, "size after fallocate");
    check_eq(wali_fallocate(fd, 1 /* KEEP_SIZE */, 0, 20000), 0, "keep size");
    wali_fstat(fd, &st);
    check_eq(st.st_size, 10000, "size kept");
    check_eq(wali_fallocate(fd, 0, -1, 10), -EINVAL, "negative offset");
    /* futimesat: struct timeval[2] */
    int64_t tv[4] = {1000, 0, 2000, 500};
    check_eq(wali_futimesat(AT_FDCWD, "/tmp/falloc", tv), 0, "futimesat");
    wali_stat(("/tmp/falloc"), &st);
    check_eq(st.st_mtim.tv_sec, 2000, "mtime set");
    check_eq(wali_futimesat(AT_FDCWD, "/tmp/falloc", (void *)0xFFFFFFF0u), -EFAULT, "bad times");
    check_eq(wali_futimesat(AT_FDCWD, (void *)0xFFFFFFF0u, tv), -EFAULT, "bad path");
    /* the old getdents */
    int32_t dir = (int32_t)wali_open("/", O_RDONLY | O_DIRECTORY, 0);
    check_eq(wali_getdents(dir, (void *)0xFFFFFFF0u, 4096), -EFAULT, "getdents bad buffer");
    static char dents[4096];
    check(wali_getdents(dir, dents, sizeof dents) > 0, "getdents lists /");
    return 0;
}
'''


async def test_small_syscalls_behave_as_linux(build_c):
    r = await run_cage(build_c(GAPS, name="table_gaps.c"))
    assert r.exit_code == 0, r.stderr
