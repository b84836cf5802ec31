"""getrandom(2), and terminal ioctls (tty_ioctl(4)) on terminals and non-terminals.

Linux references: getrandom(2) (unknown flags and GRND_RANDOM|GRND_INSECURE are
EINVAL), ioctl_tty(2) (terminal requests on a non-terminal are ENOTTY, unknown
requests on a terminal are ENOTTY too: tty_ioctl turns ENOIOCTLCMD into ENOTTY).
"""

from __future__ import annotations

import fcntl
import os
import struct
import tempfile
import termios

from tests.harness import run_cage

PRELUDE = r'''
#include "walilib.h"
#define BAD ((void *)(uintptr_t)0xFFFFFFF0u)
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4
#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413
#define TIOCGPGRP 0x540F
#define FIONREAD 0x541B
typedef struct { uint16_t row, col, xpixel, ypixel; } winsize_t_;
typedef struct { uint32_t iflag, oflag, cflag, lflag; uint8_t line, cc[19]; } termios_t_;
_Static_assert(sizeof(termios_t_) == 36, "kernel termios");
WALI_MAIN
'''


async def test_getrandom_fills_and_validates_flags(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        unsigned char a[64], b[64];
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        check_eq(wali_getrandom(a, sizeof a, 0), 64, "fills the buffer");
        check_eq(wali_getrandom(b, sizeof b, GRND_NONBLOCK), 64, "GRND_NONBLOCK");
        int zeros = 0;
        for (int i = 0; i < 64; i++) zeros += a[i] == 0;
        check(zeros < 16, "random bytes, not zeros");
        check(memcmp(a, b, sizeof a) != 0, "two calls differ");
        check_eq(wali_getrandom(a, 16, GRND_RANDOM), 16, "GRND_RANDOM");
        check_eq(wali_getrandom(a, 16, GRND_INSECURE), 16, "GRND_INSECURE");
        check_eq(wali_getrandom(a, 0, 0), 0, "count 0");
        check_eq(wali_getrandom(0, 0, 0), 0, "NULL, count 0");
        check_eq(wali_getrandom(a, 16, 8), -EINVAL, "unknown flag");
        check_eq(wali_getrandom(a, 16, GRND_RANDOM | GRND_INSECURE), -EINVAL, "RANDOM|INSECURE");
        check_eq(wali_getrandom(BAD, 64, 0), -EFAULT, "bad pointer");
        check_eq(wali_getrandom(0, 16, 0), -EFAULT, "NULL pointer");
        int64_t big = wali_mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        check(big > 0, "mmap 1 MiB");
        if (big > 0) check_eq(wali_getrandom((void *)(uintptr_t)big, 1 << 20, 0), 1 << 20, "1 MiB at once");
        /* A buffer that runs off the end of memory: a short count, as copy_to_user gives. */
        uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
        check_eq(wali_getrandom((void *)(uintptr_t)(end - 10), 64, 0), 10, "short count at the end of memory");
        return 0;
    }''', name="getrandom.c")
    r = await run_cage(wasm)
    assert r.exit_code == 0, r.stderr


async def test_terminal_ioctls_on_non_terminals_are_enotty(build_c):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        termios_t_ t;
        winsize_t_ w;
        check_eq(wali_ioctl(1, TCGETS, &t), -ENOTTY, "TCGETS on stdout (a file)");
        check_eq(wali_ioctl(1, TIOCGWINSZ, &w), -ENOTTY, "TIOCGWINSZ on stdout");
        check_eq(wali_ioctl(0, TCGETS, &t), -ENOTTY, "TCGETS on stdin (a file)");
        int64_t nul = wali_open("/dev/null", O_RDWR, 0);
        check_eq(wali_ioctl((int32_t)nul, TCGETS, &t), -ENOTTY, "TCGETS on /dev/null");
        int64_t f = wali_open("/tmp/ioctl_f", O_RDWR | O_CREAT, 0600);
        check_eq(wali_ioctl((int32_t)f, TIOCGWINSZ, &w), -ENOTTY, "TIOCGWINSZ on a memfs file");
        check_eq(wali_ioctl(77, TCGETS, &t), -EBADF, "closed fd");
        /* FIONREAD works on a regular file: bytes between the offset and EOF. */
        int32_t n = -1;
        check_eq(wali_ioctl(0, FIONREAD, &n), 0, "FIONREAD on stdin");
        check_eq(n, 5, "five bytes of input");
        char c[2];
        check_eq(wali_read(0, c, 2), 2, "read two");
        check_eq(wali_ioctl(0, FIONREAD, &n), 0, "FIONREAD again");
        check_eq(n, 3, "three left");
        check_eq(wali_ioctl(0, FIONREAD, BAD), -EFAULT, "FIONREAD bad pointer");
        return 0;
    }''', name="ioctl_notty.c")
    r = await run_cage(wasm, stdin=b"hello")
    assert r.exit_code == 0, r.stderr


async def test_terminal_ioctls_on_a_pty(build_c, warden):
    wasm = build_c(PRELUDE + r'''
    int main(int argc, char **argv) {
        termios_t_ t;
        winsize_t_ w;
        memset(&t, 0xff, sizeof t);
        check_eq(wali_ioctl(0, TCGETS, &t), 0, "TCGETS on a pty");
        check(t.cflag != 0xffffffffu, "termios filled in");
        check_eq(wali_ioctl(0, TIOCGWINSZ, &w), 0, "TIOCGWINSZ on a pty");
        check(w.row == 33 && w.col == 111, "the window size the test set");
        int32_t pg = 0;
        check_eq(wali_ioctl(0, TIOCGPGRP, &pg), 0, "TIOCGPGRP");
        check_eq(pg, wali_getpgid(0), "the caller's group is in the foreground");
        check_eq(wali_ioctl(0, TCGETS, BAD), -EFAULT, "TCGETS bad pointer");
        check_eq(wali_ioctl(0, TIOCGWINSZ, BAD), -EFAULT, "TIOCGWINSZ bad pointer");
        check_eq(wali_ioctl(0, 0x54ff, &t), -ENOTTY, "unknown request on a terminal");
        return 0;
    }''', name="ioctl_pty.c")
    master, slave = os.openpty()
    try:
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 111, 0, 0))
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            cage = await warden.w.spawn(wasm, ["ioctl_pty"], stdin=slave, stdout=out.fileno(),
                                        stderr=err.fileno())
            status = await warden.w.wait(cage)
            err.seek(0)
            assert status == 0, err.read()
    finally:
        os.close(master)
        os.close(slave)
