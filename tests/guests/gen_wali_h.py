"""Generate ``tests/guests/include/wali.h`` from the syscall table in ``abi/_sysdata.py``.

Run from anywhere: ``python tests/guests/gen_wali_h.py`` (rewrites the header) or
``python tests/guests/gen_wali_h.py --check`` (exit status 1 if the header is stale).
``render()`` returns the header text; ``tests/guests/test_build.py`` compares it with
the committed file.

Every row of ``SYSCALLS_RAW`` with a WALI import name and an argument-kinds string
becomes one declaration::

    __attribute__((import_module("wali"), import_name("SYS_<wali name>")))
    int64_t wali_<linux name>(<params>);

with parameter types i -> int32_t, u -> uint32_t, p -> void *, l -> int64_t,
L -> uint64_t. The auxiliary imports of WALI-ABI.md section 3.2 and a few Linux
x86-64 constants follow.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEADER = Path(__file__).resolve().parent / "include" / "wali.h"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from abi._sysdata import SYSCALLS_RAW  # noqa: E402

C_TYPES = {"i": "int32_t", "u": "uint32_t", "p": "void *", "l": "int64_t", "L": "uint64_t"}

#: (C name, wasm import name, C return type, C parameter list) -- WALI-ABI.md 3.2.
AUX_IMPORTS: tuple[tuple[str, str, str, str], ...] = (
    ("wali_init", "__init", "int32_t", "void"),
    ("wali_deinit", "__deinit", "int32_t", "void"),
    ("wali_proc_exit", "__proc_exit", "void", "int32_t code"),
    ("wali_cl_get_argc", "__cl_get_argc", "int32_t", "void"),
    ("wali_cl_get_argv_len", "__cl_get_argv_len", "int32_t", "int32_t idx"),
    ("wali_cl_copy_argv", "__cl_copy_argv", "int32_t", "void *buf, int32_t idx"),
    ("wali_get_init_envfile", "__get_init_envfile", "int32_t", "void *buf, int32_t size"),
)

# Linux x86-64 values (asm-generic errno; x86-64 fcntl.h / stat.h / mman.h / signal.h).
ERRNO: tuple[tuple[str, int], ...] = (
    ("EPERM", 1),
    ("ENOENT", 2),
    ("ESRCH", 3),
    ("EINTR", 4),
    ("EIO", 5),
    ("ENXIO", 6),
    ("E2BIG", 7),
    ("ENOEXEC", 8),
    ("EBADF", 9),
    ("ECHILD", 10),
    ("EAGAIN", 11),
    ("EWOULDBLOCK", 11),
    ("ENOMEM", 12),
    ("EACCES", 13),
    ("EFAULT", 14),
    ("EBUSY", 16),
    ("EEXIST", 17),
    ("EXDEV", 18),
    ("ENODEV", 19),
    ("ENOTDIR", 20),
    ("EISDIR", 21),
    ("EINVAL", 22),
    ("ENFILE", 23),
    ("EMFILE", 24),
    ("ENOTTY", 25),
    ("ETXTBSY", 26),
    ("EFBIG", 27),
    ("ENOSPC", 28),
    ("ESPIPE", 29),
    ("EROFS", 30),
    ("EMLINK", 31),
    ("EPIPE", 32),
    ("EDOM", 33),
    ("ERANGE", 34),
    ("EDEADLK", 35),
    ("ENAMETOOLONG", 36),
    ("ENOLCK", 37),
    ("ENOSYS", 38),
    ("ENOTEMPTY", 39),
    ("ELOOP", 40),
    ("EOVERFLOW", 75),
    ("EILSEQ", 84),
    ("ENOTSOCK", 88),
    ("EOPNOTSUPP", 95),
    ("ENOTSUP", 95),
    ("EAFNOSUPPORT", 97),
    ("EADDRINUSE", 98),
    ("ECONNRESET", 104),
    ("ENOTCONN", 107),
    ("ETIMEDOUT", 110),
    ("ECONNREFUSED", 111),
    ("EINPROGRESS", 115),
)

CONSTANTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "open(2) flags",
        (
            ("O_RDONLY", "0"),
            ("O_WRONLY", "01"),
            ("O_RDWR", "02"),
            ("O_ACCMODE", "03"),
            ("O_CREAT", "0100"),
            ("O_EXCL", "0200"),
            ("O_NOCTTY", "0400"),
            ("O_TRUNC", "01000"),
            ("O_APPEND", "02000"),
            ("O_NONBLOCK", "04000"),
            ("O_DSYNC", "010000"),
            ("O_DIRECT", "040000"),
            ("O_LARGEFILE", "0100000"),
            ("O_DIRECTORY", "0200000"),
            ("O_NOFOLLOW", "0400000"),
            ("O_NOATIME", "01000000"),
            ("O_CLOEXEC", "02000000"),
            ("O_SYNC", "04010000"),
            ("O_PATH", "010000000"),
            ("O_TMPFILE", "020200000"),
        ),
    ),
    (
        "*at(2) flags",
        (
            ("AT_FDCWD", "(-100)"),
            ("AT_SYMLINK_NOFOLLOW", "0x100"),
            ("AT_REMOVEDIR", "0x200"),
            ("AT_EACCESS", "0x200"),
            ("AT_SYMLINK_FOLLOW", "0x400"),
            ("AT_EMPTY_PATH", "0x1000"),
        ),
    ),
    ("access(2) modes", (("F_OK", "0"), ("X_OK", "1"), ("W_OK", "2"), ("R_OK", "4"))),
    ("lseek(2) whence", (("SEEK_SET", "0"), ("SEEK_CUR", "1"), ("SEEK_END", "2"))),
    (
        "fcntl(2)",
        (
            ("F_DUPFD", "0"),
            ("F_GETFD", "1"),
            ("F_SETFD", "2"),
            ("F_GETFL", "3"),
            ("F_SETFL", "4"),
            ("F_GETLK", "5"),
            ("F_SETLK", "6"),
            ("F_SETLKW", "7"),
            ("F_DUPFD_CLOEXEC", "1030"),
            ("FD_CLOEXEC", "1"),
        ),
    ),
    (
        "st_mode",
        (
            ("S_IFMT", "0170000"),
            ("S_IFSOCK", "0140000"),
            ("S_IFLNK", "0120000"),
            ("S_IFREG", "0100000"),
            ("S_IFBLK", "0060000"),
            ("S_IFDIR", "0040000"),
            ("S_IFCHR", "0020000"),
            ("S_IFIFO", "0010000"),
        ),
    ),
    (
        "mmap(2)",
        (
            ("PROT_NONE", "0"),
            ("PROT_READ", "1"),
            ("PROT_WRITE", "2"),
            ("PROT_EXEC", "4"),
            ("MAP_SHARED", "0x01"),
            ("MAP_PRIVATE", "0x02"),
            ("MAP_FIXED", "0x10"),
            ("MAP_ANONYMOUS", "0x20"),
        ),
    ),
    (
        "signals",
        (
            ("SIGHUP", "1"),
            ("SIGINT", "2"),
            ("SIGQUIT", "3"),
            ("SIGILL", "4"),
            ("SIGTRAP", "5"),
            ("SIGABRT", "6"),
            ("SIGBUS", "7"),
            ("SIGFPE", "8"),
            ("SIGKILL", "9"),
            ("SIGUSR1", "10"),
            ("SIGSEGV", "11"),
            ("SIGUSR2", "12"),
            ("SIGPIPE", "13"),
            ("SIGALRM", "14"),
            ("SIGTERM", "15"),
            ("SIGCHLD", "17"),
            ("SIGCONT", "18"),
            ("SIGSTOP", "19"),
            ("SIG_BLOCK", "0"),
            ("SIG_UNBLOCK", "1"),
            ("SIG_SETMASK", "2"),
            ("SIG_DFL", "0"),
            ("SIG_IGN", "(-2)"),
        ),
    ),
    ("clocks", (("CLOCK_REALTIME", "0"), ("CLOCK_MONOTONIC", "1"))),
    ("wait4(2)", (("WNOHANG", "1"), ("WUNTRACED", "2"))),
)

PREAMBLE = """\
/* wali.h -- WALI syscall imports for freestanding test guests.
 *
 * GENERATED by tests/guests/gen_wali_h.py from abi/_sysdata.py; do not edit.
 *
 * Every SYS_* import returns the raw kernel result as int64_t: >= 0, or -errno.
 * Parameter types follow the WALI lowering: int/unsigned/size_t/pointers are
 * i32, long/off_t/unsigned long are i64. Stock wasm32 clang has a 32-bit
 * `long`, so use int64_t wherever WALI (and Linux) has long/off_t.
 */
#ifndef WALI_H
#define WALI_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
"""

STRUCTS = """\
/* Kernel structs with the WALI wasm32 layout (WALI-ABI.md section 11). */
typedef struct wali_timespec { int64_t tv_sec; int64_t tv_nsec; } wali_timespec_t;
typedef struct wali_timeval { int64_t tv_sec; int64_t tv_usec; } wali_timeval_t;
typedef struct wali_iovec { void *iov_base; uint32_t iov_len; } wali_iovec_t;
typedef struct wali_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t __pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;
    wali_timespec_t st_atim;
    wali_timespec_t st_mtim;
    wali_timespec_t st_ctim;
    int64_t __unused[3];
} wali_stat_t;
typedef struct wali_pollfd { int32_t fd; int16_t events; int16_t revents; } wali_pollfd_t;
typedef struct wali_rlimit { uint64_t rlim_cur; uint64_t rlim_max; } wali_rlimit_t;

_Static_assert(sizeof(wali_timespec_t) == 16, "timespec layout");
_Static_assert(sizeof(wali_iovec_t) == 8, "iovec layout");
_Static_assert(sizeof(wali_stat_t) == 144, "stat layout");
_Static_assert(__builtin_offsetof(wali_stat_t, st_size) == 48, "stat layout");
_Static_assert(__builtin_offsetof(wali_stat_t, st_mtim) == 88, "stat layout");
"""

POSTAMBLE = """\
#ifdef __cplusplus
}
#endif

#endif /* WALI_H */
"""


def _params(kinds: str) -> str:
    if not kinds:
        return "void"
    return ", ".join(f"{C_TYPES[k]}{'' if k == 'p' else ' '}a{i}" for i, k in enumerate(kinds, 1))


def render() -> str:
    """The full text of ``wali.h``."""
    out = [PREAMBLE]
    out.append("/* ---- SYS_* imports: one per syscall with a WALI name (x86-64 numbering) ---- */")
    for nr, name, kinds, wali_name in SYSCALLS_RAW:
        if wali_name is None or kinds is None:
            continue
        bad = set(kinds) - set(C_TYPES)
        if bad:
            raise ValueError(f"syscall {name}: unknown argument kinds {sorted(bad)}")
        out.append(f"/* {nr} {name} ({kinds or '-'}) */")
        out.append(
            f'__attribute__((import_module("wali"), import_name("SYS_{wali_name}"))) '
            f"int64_t wali_{name}({_params(kinds)});"
        )
    out.append("")
    out.append("/* ---- auxiliary imports (WALI-ABI.md section 3.2) ---- */")
    for cname, imp, ret, params in AUX_IMPORTS:
        out.append(f'__attribute__((import_module("wali"), import_name("{imp}"))) {ret} {cname}({params});')
    out.append("")
    out.append("/* ---- errno values (Linux x86-64); syscalls return -errno ---- */")
    for name, value in ERRNO:
        out.append(f"#define {name} {value}")
    for title, items in CONSTANTS:
        out.append("")
        out.append(f"/* ---- {title} ---- */")
        for name, value in items:
            out.append(f"#define {name} {value}")
    out.append("")
    out.append(STRUCTS)
    out.append(POSTAMBLE)
    return "\n".join(out)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = HEADER.read_text() if HEADER.exists() else ""
        if current != text:
            print(f"{HEADER.name} is stale; run python tests/guests/gen_wali_h.py", file=sys.stderr)
            return 1
        return 0
    HEADER.parent.mkdir(parents=True, exist_ok=True)
    HEADER.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
