/* pipeline PROG1 ARG1 -- PROG2 [ARG2]: runs "PROG1 ARG1 | PROG2 ARG2" the way a shell does:
 * pipe, fork twice, dup2 the ends onto stdout/stdin, close the rest, execve, wait4 both.
 * Prints "status1 status2" (raw wait statuses in hex) on stderr; exits with PROG2's code. */
#include "walilib.h"

WALI_MAIN

static char *envp[] = {"PIPELINE=1", 0};

int main(int argc, char **argv) {
    int sep = 0;
    for (int i = 1; i < argc; i++) if (streq(argv[i], "--")) sep = i;
    if (sep < 2 || sep + 1 >= argc) return 2;
    argv[sep] = 0;
    char **left = argv + 1, **right = argv + sep + 1;
    int fds[2];
    if (wali_pipe(fds) < 0) return 3;
    int64_t a = wali_fork();
    if (a == 0) {
        wali_dup2(fds[1], 1);
        wali_close(fds[0]);
        wali_close(fds[1]);
        wali_execve(left[0], left, envp);
        wali_exit_group(126);
    }
    int64_t b = wali_fork();
    if (b == 0) {
        wali_dup2(fds[0], 0);
        wali_close(fds[0]);
        wali_close(fds[1]);
        wali_execve(right[0], right, envp);
        wali_exit_group(126);
    }
    wali_close(fds[0]);
    wali_close(fds[1]);
    int sa = -1, sb = -1;
    wali_wait4((int32_t)a, &sa, 0, 0);
    wali_wait4((int32_t)b, &sb, 0, 0);
    wprintf(2, "%x %x\n", sa, sb);
    return (sb >> 8) & 0xff;
}
