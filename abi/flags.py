"""Linux x86-64 flag and constant values, as WALI guests pass them to the host.

WALI's musl is "x86-64 with 32-bit pointers": every number below is the x86-64
Linux value (checked against the uapi and musl headers shipped in the ``ziglang``
package: ``any-linux-any/``, ``x86-linux-any/``, ``x86_64-linux-musl/``,
``generic-musl/``), except where WALI deliberately differs:

* ``SIG_IGN`` is **-2**, not 1: 1 can be a valid function-table index
  (WALI-ABI.md section 8; wali-musl ``include/signal.h``).

Shape of this module:

* Each prefix group is one ``enum.IntFlag`` (bit sets: ``OpenFlag``, ``MapFlag``,
  ...) or ``enum.IntEnum`` (enumerated codes: ``FcntlCmd``, ``Signal``, ...).
  Members keep their Linux names (``OpenFlag.O_CLOEXEC``), so code reads like C
  and grep finds the man page name. Use the classes to *decode* (``OpenFlag(x)``
  prints the set bits in traces) and to build validity masks.
* Every member is also re-exported at module level as a plain ``int``
  (``O_CLOEXEC``; the block at the end, one line per member, kept complete
  by ``tests/unit/test_structs.py``). Hot paths use these: ``x & O_CLOEXEC`` on a
  plain int is one C-level operation, on an IntFlag member it is a Python call.
* Names that start with two underscores in C (``__WALL``, ``__WCLONE``,
  ``__WNOTHREAD``) would be name-mangled inside a class body, so the class member
  drops the underscores (``WaitOption.WALL``); the module-level alias keeps the C
  spelling (``__WALL``).
* Aliases share a value with an earlier member and so print under that name
  (``AT_EACCESS`` is ``AT_REMOVEDIR``: both 0x200, meaning depends on the call).
* Values that are not flags and never combine (``AT_FDCWD``, ``RLIM_INFINITY``,
  ``UTIME_NOW``, ``PIPE_BUF``, ...) are plain ``Final`` ints.

Validity masks (``*_VALID``) list exactly the bits Linux accepts for a call, so a
handler can do ``if flags & ~PIPE2_VALID: raise SyscallError(Errno.EINVAL)``, the
way gVisor writes ``flags &^ (...) != 0``. Note that open(2) *ignores* unknown
bits rather than failing; ``OPEN_VALID`` is for openat2-style strictness and for
masking what the kernel stores in the file status flags.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = [
    "AF_INET",
    "AF_INET6",
    "AF_LOCAL",
    "AF_NETLINK",
    "AF_PACKET",
    "AF_UNIX",
    "AF_UNSPEC",
    "AT_EACCESS",
    "AT_EMPTY_PATH",
    "AT_FDCWD",
    "AT_NO_AUTOMOUNT",
    "AT_RECURSIVE",
    "AT_REMOVEDIR",
    "AT_STATX_DONT_SYNC",
    "AT_STATX_FORCE_SYNC",
    "AT_STATX_SYNC_AS_STAT",
    "AT_STATX_SYNC_TYPE",
    "AT_SYMLINK_FOLLOW",
    "AT_SYMLINK_NOFOLLOW",
    "CLOCK_BOOTTIME",
    "CLOCK_BOOTTIME_ALARM",
    "CLOCK_MONOTONIC",
    "CLOCK_MONOTONIC_COARSE",
    "CLOCK_MONOTONIC_RAW",
    "CLOCK_PROCESS_CPUTIME_ID",
    "CLOCK_REALTIME",
    "CLOCK_REALTIME_ALARM",
    "CLOCK_REALTIME_COARSE",
    "CLOCK_TAI",
    "CLOCK_THREAD_CPUTIME_ID",
    "CLONE_CHILD_CLEARTID",
    "CLONE_CHILD_SETTID",
    "CLONE_DETACHED",
    "CLONE_FILES",
    "CLONE_FS",
    "CLONE_IO",
    "CLONE_NEWCGROUP",
    "CLONE_NEWIPC",
    "CLONE_NEWNET",
    "CLONE_NEWNS",
    "CLONE_NEWPID",
    "CLONE_NEWUSER",
    "CLONE_NEWUTS",
    "CLONE_PARENT",
    "CLONE_PARENT_SETTID",
    "CLONE_PIDFD",
    "CLONE_PTRACE",
    "CLONE_SETTLS",
    "CLONE_SIGHAND",
    "CLONE_SYSVSEM",
    "CLONE_THREAD",
    "CLONE_UNTRACED",
    "CLONE_VFORK",
    "CLONE_VM",
    "CSIGNAL",
    "DTTOIF",
    "DT_BLK",
    "DT_CHR",
    "DT_DIR",
    "DT_FIFO",
    "DT_LNK",
    "DT_REG",
    "DT_SOCK",
    "DT_UNKNOWN",
    "DT_WHT",
    "DUP3_VALID",
    "EFD_CLOEXEC",
    "EFD_NONBLOCK",
    "EFD_SEMAPHORE",
    "EPOLLERR",
    "EPOLLET",
    "EPOLLEXCLUSIVE",
    "EPOLLHUP",
    "EPOLLIN",
    "EPOLLMSG",
    "EPOLLNVAL",
    "EPOLLONESHOT",
    "EPOLLOUT",
    "EPOLLPRI",
    "EPOLLRDBAND",
    "EPOLLRDHUP",
    "EPOLLRDNORM",
    "EPOLLWAKEUP",
    "EPOLLWRBAND",
    "EPOLLWRNORM",
    "EPOLL_CLOEXEC",
    "EPOLL_CTL_ADD",
    "EPOLL_CTL_DEL",
    "EPOLL_CTL_MOD",
    "FASYNC",
    "FD_CLOEXEC",
    "FD_SETSIZE",
    "FIOASYNC",
    "FIOCLEX",
    "FIONBIO",
    "FIONCLEX",
    "FIONREAD",
    "FIOQSIZE",
    "FUTEX_BITSET_MATCH_ANY",
    "FUTEX_CLOCK_REALTIME",
    "FUTEX_CMD_MASK",
    "FUTEX_CMP_REQUEUE",
    "FUTEX_CMP_REQUEUE_PI",
    "FUTEX_FD",
    "FUTEX_LOCK_PI",
    "FUTEX_LOCK_PI2",
    "FUTEX_OWNER_DIED",
    "FUTEX_PRIVATE_FLAG",
    "FUTEX_REQUEUE",
    "FUTEX_TID_MASK",
    "FUTEX_TRYLOCK_PI",
    "FUTEX_UNLOCK_PI",
    "FUTEX_WAIT",
    "FUTEX_WAITERS",
    "FUTEX_WAIT_BITSET",
    "FUTEX_WAIT_REQUEUE_PI",
    "FUTEX_WAKE",
    "FUTEX_WAKE_BITSET",
    "FUTEX_WAKE_OP",
    "F_ADD_SEALS",
    "F_CANCELLK",
    "F_DUPFD",
    "F_DUPFD_CLOEXEC",
    "F_GETFD",
    "F_GETFL",
    "F_GETLEASE",
    "F_GETLK",
    "F_GETOWN",
    "F_GETOWNER_UIDS",
    "F_GETOWN_EX",
    "F_GETPIPE_SZ",
    "F_GETSIG",
    "F_GET_SEALS",
    "F_NOTIFY",
    "F_OFD_GETLK",
    "F_OFD_SETLK",
    "F_OFD_SETLKW",
    "F_OK",
    "F_RDLCK",
    "F_SEAL_EXEC",
    "F_SEAL_FUTURE_WRITE",
    "F_SEAL_GROW",
    "F_SEAL_SEAL",
    "F_SEAL_SHRINK",
    "F_SEAL_WRITE",
    "F_SETFD",
    "F_SETFL",
    "F_SETLEASE",
    "F_SETLK",
    "F_SETLKW",
    "F_SETOWN",
    "F_SETOWN_EX",
    "F_SETPIPE_SZ",
    "F_SETSIG",
    "F_UNLCK",
    "F_WRLCK",
    "GRND_INSECURE",
    "GRND_NONBLOCK",
    "GRND_RANDOM",
    "IFTODT",
    "IOV_MAX",
    "IPPROTO_ICMP",
    "IPPROTO_IP",
    "IPPROTO_IPV6",
    "IPPROTO_RAW",
    "IPPROTO_TCP",
    "IPPROTO_UDP",
    "ITIMER_PROF",
    "ITIMER_REAL",
    "ITIMER_VIRTUAL",
    "LOCK_EX",
    "LOCK_NB",
    "LOCK_SH",
    "LOCK_UN",
    "MADV_COLD",
    "MADV_COLLAPSE",
    "MADV_DODUMP",
    "MADV_DOFORK",
    "MADV_DONTDUMP",
    "MADV_DONTFORK",
    "MADV_DONTNEED",
    "MADV_DONTNEED_LOCKED",
    "MADV_FREE",
    "MADV_HUGEPAGE",
    "MADV_HWPOISON",
    "MADV_KEEPONFORK",
    "MADV_MERGEABLE",
    "MADV_NOHUGEPAGE",
    "MADV_NORMAL",
    "MADV_PAGEOUT",
    "MADV_POPULATE_READ",
    "MADV_POPULATE_WRITE",
    "MADV_RANDOM",
    "MADV_REMOVE",
    "MADV_SEQUENTIAL",
    "MADV_SOFT_OFFLINE",
    "MADV_UNMERGEABLE",
    "MADV_WILLNEED",
    "MADV_WIPEONFORK",
    "MAP_32BIT",
    "MAP_ANON",
    "MAP_ANONYMOUS",
    "MAP_DENYWRITE",
    "MAP_EXECUTABLE",
    "MAP_FAILED",
    "MAP_FIXED",
    "MAP_FIXED_NOREPLACE",
    "MAP_GROWSDOWN",
    "MAP_HUGETLB",
    "MAP_LOCKED",
    "MAP_NONBLOCK",
    "MAP_NORESERVE",
    "MAP_POPULATE",
    "MAP_PRIVATE",
    "MAP_SHARED",
    "MAP_SHARED_VALIDATE",
    "MAP_STACK",
    "MAP_SYNC",
    "MAP_TYPE",
    "MAP_UNINITIALIZED",
    "MCL_CURRENT",
    "MCL_FUTURE",
    "MCL_ONFAULT",
    "MINSIGSTKSZ",
    "MREMAP_DONTUNMAP",
    "MREMAP_FIXED",
    "MREMAP_MAYMOVE",
    "MSG_CMSG_CLOEXEC",
    "MSG_CONFIRM",
    "MSG_CTRUNC",
    "MSG_DONTROUTE",
    "MSG_DONTWAIT",
    "MSG_EOR",
    "MSG_ERRQUEUE",
    "MSG_FASTOPEN",
    "MSG_FIN",
    "MSG_MORE",
    "MSG_NOSIGNAL",
    "MSG_OOB",
    "MSG_PEEK",
    "MSG_PROXY",
    "MSG_RST",
    "MSG_SYN",
    "MSG_TRUNC",
    "MSG_WAITALL",
    "MSG_WAITFORONE",
    "MS_ASYNC",
    "MS_INVALIDATE",
    "MS_SYNC",
    "NAME_MAX",
    "NSIG",
    "OPEN_VALID",
    "O_ACCMODE",
    "O_APPEND",
    "O_ASYNC",
    "O_CLOEXEC",
    "O_CREAT",
    "O_DIRECT",
    "O_DIRECTORY",
    "O_DSYNC",
    "O_EXCL",
    "O_LARGEFILE",
    "O_NDELAY",
    "O_NOATIME",
    "O_NOCTTY",
    "O_NOFOLLOW",
    "O_NONBLOCK",
    "O_PATH",
    "O_RDONLY",
    "O_RDWR",
    "O_RSYNC",
    "O_SYNC",
    "O_SYNC_BIT",
    "O_TMPFILE",
    "O_TMPFILE_BIT",
    "O_TRUNC",
    "O_WRONLY",
    "PAGE_SIZE",
    "PATH_MAX",
    "PIPE2_VALID",
    "PIPE_BUF",
    "POLLERR",
    "POLLHUP",
    "POLLIN",
    "POLLMSG",
    "POLLNVAL",
    "POLLOUT",
    "POLLPRI",
    "POLLRDBAND",
    "POLLRDHUP",
    "POLLRDNORM",
    "POLLREMOVE",
    "POLLWRBAND",
    "POLLWRNORM",
    "POSIX_FADV_DONTNEED",
    "POSIX_FADV_NOREUSE",
    "POSIX_FADV_NORMAL",
    "POSIX_FADV_RANDOM",
    "POSIX_FADV_SEQUENTIAL",
    "POSIX_FADV_WILLNEED",
    "PROT_EXEC",
    "PROT_GROWSDOWN",
    "PROT_GROWSUP",
    "PROT_NONE",
    "PROT_READ",
    "PROT_WRITE",
    "PR_CAPBSET_DROP",
    "PR_CAPBSET_READ",
    "PR_GET_CHILD_SUBREAPER",
    "PR_GET_DUMPABLE",
    "PR_GET_KEEPCAPS",
    "PR_GET_NAME",
    "PR_GET_NO_NEW_PRIVS",
    "PR_GET_PDEATHSIG",
    "PR_GET_SECCOMP",
    "PR_GET_TIMERSLACK",
    "PR_SET_CHILD_SUBREAPER",
    "PR_SET_DUMPABLE",
    "PR_SET_KEEPCAPS",
    "PR_SET_NAME",
    "PR_SET_NO_NEW_PRIVS",
    "PR_SET_PDEATHSIG",
    "PR_SET_SECCOMP",
    "PR_SET_TIMERSLACK",
    "P_ALL",
    "P_PGID",
    "P_PID",
    "P_PIDFD",
    "RENAME_EXCHANGE",
    "RENAME_NOREPLACE",
    "RENAME_WHITEOUT",
    "RLIMIT_AS",
    "RLIMIT_CORE",
    "RLIMIT_CPU",
    "RLIMIT_DATA",
    "RLIMIT_FSIZE",
    "RLIMIT_LOCKS",
    "RLIMIT_MEMLOCK",
    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",
    "RLIMIT_NLIMITS",
    "RLIMIT_NOFILE",
    "RLIMIT_NPROC",
    "RLIMIT_RSS",
    "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME",
    "RLIMIT_SIGPENDING",
    "RLIMIT_STACK",
    "RLIM_INFINITY",
    "RUSAGE_CHILDREN",
    "RUSAGE_SELF",
    "RUSAGE_THREAD",
    "R_OK",
    "SA_EXPOSE_TAGBITS",
    "SA_NOCLDSTOP",
    "SA_NOCLDWAIT",
    "SA_NODEFER",
    "SA_NOMASK",
    "SA_ONESHOT",
    "SA_ONSTACK",
    "SA_RESETHAND",
    "SA_RESTART",
    "SA_RESTORER",
    "SA_SIGINFO",
    "SA_UNSUPPORTED",
    "SCHED_BATCH",
    "SCHED_DEADLINE",
    "SCHED_FIFO",
    "SCHED_IDLE",
    "SCHED_OTHER",
    "SCHED_RESET_ON_FORK",
    "SCHED_RR",
    "SCM_CREDENTIALS",
    "SCM_RIGHTS",
    "SEEK_CUR",
    "SEEK_DATA",
    "SEEK_END",
    "SEEK_HOLE",
    "SEEK_SET",
    "SETFL_MASK",
    "SHUT_RD",
    "SHUT_RDWR",
    "SHUT_WR",
    "SIGABRT",
    "SIGALRM",
    "SIGBUS",
    "SIGCHLD",
    "SIGCONT",
    "SIGFPE",
    "SIGHUP",
    "SIGILL",
    "SIGINT",
    "SIGIO",
    "SIGIOT",
    "SIGKILL",
    "SIGPIPE",
    "SIGPOLL",
    "SIGPROF",
    "SIGPWR",
    "SIGQUIT",
    "SIGRTMAX",
    "SIGRTMIN",
    "SIGRTMIN_MUSL",
    "SIGSEGV",
    "SIGSTKFLT",
    "SIGSTKSZ",
    "SIGSTOP",
    "SIGSYS",
    "SIGTERM",
    "SIGTRAP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGUSR1",
    "SIGUSR2",
    "SIGVTALRM",
    "SIGWINCH",
    "SIGXCPU",
    "SIGXFSZ",
    "SIG_BLOCK",
    "SIG_DFL",
    "SIG_ERR",
    "SIG_IGN",
    "SIG_SETMASK",
    "SIG_UNBLOCK",
    "SIG_WASM_THREAD_TERM",
    "SOCK_CLOEXEC",
    "SOCK_DGRAM",
    "SOCK_NONBLOCK",
    "SOCK_RAW",
    "SOCK_RDM",
    "SOCK_SEQPACKET",
    "SOCK_STREAM",
    "SOCK_TYPE_MASK",
    "SOL_IP",
    "SOL_IPV6",
    "SOL_SOCKET",
    "SOL_TCP",
    "SOL_UDP",
    "SOMAXCONN",
    "SO_ACCEPTCONN",
    "SO_BINDTODEVICE",
    "SO_BROADCAST",
    "SO_BSDCOMPAT",
    "SO_DEBUG",
    "SO_DOMAIN",
    "SO_DONTROUTE",
    "SO_ERROR",
    "SO_KEEPALIVE",
    "SO_LINGER",
    "SO_NO_CHECK",
    "SO_OOBINLINE",
    "SO_PASSCRED",
    "SO_PEERCRED",
    "SO_PRIORITY",
    "SO_PROTOCOL",
    "SO_RCVBUF",
    "SO_RCVBUFFORCE",
    "SO_RCVLOWAT",
    "SO_RCVTIMEO",
    "SO_REUSEADDR",
    "SO_REUSEPORT",
    "SO_SNDBUF",
    "SO_SNDBUFFORCE",
    "SO_SNDLOWAT",
    "SO_SNDTIMEO",
    "SO_TYPE",
    "SS_AUTODISARM",
    "SS_DISABLE",
    "SS_ONSTACK",
    "STATX_ALL",
    "STATX_ATIME",
    "STATX_ATTR_APPEND",
    "STATX_ATTR_AUTOMOUNT",
    "STATX_ATTR_COMPRESSED",
    "STATX_ATTR_DAX",
    "STATX_ATTR_ENCRYPTED",
    "STATX_ATTR_IMMUTABLE",
    "STATX_ATTR_MOUNT_ROOT",
    "STATX_ATTR_NODUMP",
    "STATX_ATTR_VERITY",
    "STATX_ATTR_WRITE_ATOMIC",
    "STATX_BASIC_STATS",
    "STATX_BLOCKS",
    "STATX_BTIME",
    "STATX_CTIME",
    "STATX_DIOALIGN",
    "STATX_GID",
    "STATX_INO",
    "STATX_MNT_ID",
    "STATX_MNT_ID_UNIQUE",
    "STATX_MODE",
    "STATX_MTIME",
    "STATX_NLINK",
    "STATX_SIZE",
    "STATX_SUBVOL",
    "STATX_TYPE",
    "STATX_UID",
    "STATX_WRITE_ATOMIC",
    "STATX__RESERVED",
    "S_IALLUGO",
    "S_IFBLK",
    "S_IFCHR",
    "S_IFDIR",
    "S_IFIFO",
    "S_IFLNK",
    "S_IFMT",
    "S_IFREG",
    "S_IFSOCK",
    "S_IRGRP",
    "S_IROTH",
    "S_IRUSR",
    "S_IRWXG",
    "S_IRWXO",
    "S_IRWXU",
    "S_ISGID",
    "S_ISUID",
    "S_ISVTX",
    "S_IWGRP",
    "S_IWOTH",
    "S_IWUSR",
    "S_IXGRP",
    "S_IXOTH",
    "S_IXUSR",
    "TASK_COMM_LEN",
    "TCFLSH",
    "TCGETS",
    "TCP_CORK",
    "TCP_KEEPCNT",
    "TCP_KEEPIDLE",
    "TCP_KEEPINTVL",
    "TCP_MAXSEG",
    "TCP_NODELAY",
    "TCSBRK",
    "TCSETS",
    "TCSETSF",
    "TCSETSW",
    "TCXONC",
    "TFD_CLOEXEC",
    "TFD_NONBLOCK",
    "TFD_TIMER_ABSTIME",
    "TFD_TIMER_CANCEL_ON_SET",
    "TIMER_ABSTIME",
    "TIOCEXCL",
    "TIOCGPGRP",
    "TIOCGPTN",
    "TIOCGSID",
    "TIOCGWINSZ",
    "TIOCINQ",
    "TIOCMGET",
    "TIOCMSET",
    "TIOCNOTTY",
    "TIOCNXCL",
    "TIOCOUTQ",
    "TIOCPKT",
    "TIOCSCTTY",
    "TIOCSPGRP",
    "TIOCSPTLCK",
    "TIOCSTI",
    "TIOCSWINSZ",
    "UTIME_NOW",
    "UTIME_OMIT",
    "WCONTINUED",
    "WEXITED",
    "WNOHANG",
    "WNOWAIT",
    "WSTOPPED",
    "WUNTRACED",
    "W_OK",
    "X_OK",
    "__WALL",
    "__WCLONE",
    "__WNOTHREAD",
    "AccessMode",
    "AddressFamily",
    "AtFlag",
    "ClockId",
    "CloneFlag",
    "DirentType",
    "EpollEventFlag",
    "EpollFlag",
    "EpollOp",
    "EventfdFlag",
    "FadviseAdvice",
    "FcntlCmd",
    "FdFlag",
    "FileType",
    "FlockOp",
    "FutexCmd",
    "FutexFlag",
    "GrndFlag",
    "IdType",
    "Ioctl",
    "IpProto",
    "ItimerWhich",
    "LockType",
    "Madvice",
    "MapFlag",
    "MlockallFlag",
    "ModeBit",
    "MremapFlag",
    "MsgFlag",
    "MsyncFlag",
    "OpenFlag",
    "PollEvent",
    "PrctlOption",
    "Prot",
    "RenameFlag",
    "Rlimit",
    "RusageWho",
    "SaFlag",
    "SchedPolicy",
    "ScmType",
    "SealFlag",
    "ShutHow",
    "SigHandler",
    "SigHow",
    "Signal",
    "SockFlag",
    "SockLevel",
    "SockOpt",
    "SockType",
    "SsFlag",
    "StatxAttr",
    "StatxMask",
    "TcpOpt",
    "TimerFlag",
    "TimerfdFlag",
    "WaitOption",
    "Whence",
]


# ---------------------------------------------------------------------------
# open(2) / fcntl(2) file status flags  (asm-generic/fcntl.h; x86-64 = generic)
# ---------------------------------------------------------------------------


class OpenFlag(enum.IntFlag):
    """``O_*`` flags of open(2), openat(2), fcntl(F_GETFL/F_SETFL)."""

    O_RDONLY = 0
    O_WRONLY = 0o1
    O_RDWR = 0o2
    #: Kernel value (3). musl's libc-level O_ACCMODE also includes O_PATH.
    O_ACCMODE = 0o3
    O_CREAT = 0o100
    O_EXCL = 0o200
    O_NOCTTY = 0o400
    O_TRUNC = 0o1000
    O_APPEND = 0o2000
    O_NONBLOCK = 0o4000
    O_NDELAY = 0o4000
    O_DSYNC = 0o10000
    O_ASYNC = 0o20000
    FASYNC = 0o20000
    O_DIRECT = 0o40000
    #: musl on 64-bit long passes this (it is 0 in libc but the kernel sets it on
    #: 64-bit anyway); accepted and ignored.
    O_LARGEFILE = 0o100000
    O_DIRECTORY = 0o200000
    O_NOFOLLOW = 0o400000
    O_NOATIME = 0o1000000
    O_CLOEXEC = 0o2000000
    #: __O_SYNC | O_DSYNC: test with ``flags & O_SYNC == O_SYNC``.
    O_SYNC = 0o4010000
    O_RSYNC = 0o4010000
    O_PATH = 0o10000000
    #: __O_TMPFILE | O_DIRECTORY: test with ``flags & O_TMPFILE == O_TMPFILE``.
    O_TMPFILE = 0o20200000


#: The single bits behind O_SYNC and O_TMPFILE (C: ``__O_SYNC``, ``__O_TMPFILE``).
O_SYNC_BIT: Final = 0o4000000
O_TMPFILE_BIT: Final = 0o20000000

_O = OpenFlag
#: Linux VALID_OPEN_FLAGS (include/linux/fcntl.h).
OPEN_VALID: Final = int(
    _O.O_ACCMODE
    | _O.O_CREAT
    | _O.O_EXCL
    | _O.O_NOCTTY
    | _O.O_TRUNC
    | _O.O_APPEND
    | _O.O_NONBLOCK
    | _O.O_SYNC
    | _O.O_ASYNC
    | _O.O_DIRECT
    | _O.O_LARGEFILE
    | _O.O_DIRECTORY
    | _O.O_NOFOLLOW
    | _O.O_NOATIME
    | _O.O_CLOEXEC
    | _O.O_PATH
    | _O.O_TMPFILE
)
#: Bits fcntl(F_SETFL) may change (fs/fcntl.c SETFL_MASK, plus FASYNC which
#: setfl handles through ->fasync); the others are silently ignored.
SETFL_MASK: Final = int(_O.O_APPEND | _O.O_NONBLOCK | _O.O_ASYNC | _O.O_DIRECT | _O.O_NOATIME)
#: pipe2(2) accepts only these (fs/pipe.c); O_DIRECT makes a packet pipe.
PIPE2_VALID: Final = int(_O.O_CLOEXEC | _O.O_NONBLOCK | _O.O_DIRECT)
#: dup3(2) accepts only O_CLOEXEC.
DUP3_VALID: Final = int(_O.O_CLOEXEC)
del _O


class AtFlag(enum.IntFlag):
    """``AT_*`` flags of the *at() calls and statx(2)."""

    AT_STATX_SYNC_AS_STAT = 0
    AT_SYMLINK_NOFOLLOW = 0x100
    AT_REMOVEDIR = 0x200
    #: faccessat2 only; same bit as AT_REMOVEDIR (unlinkat only).
    AT_EACCESS = 0x200
    AT_SYMLINK_FOLLOW = 0x400
    AT_NO_AUTOMOUNT = 0x800
    AT_EMPTY_PATH = 0x1000
    AT_STATX_FORCE_SYNC = 0x2000
    AT_STATX_DONT_SYNC = 0x4000
    AT_STATX_SYNC_TYPE = 0x6000
    AT_RECURSIVE = 0x8000


#: "Relative to the current directory" in the dirfd argument of the *at() calls.
AT_FDCWD: Final = -100


# ---------------------------------------------------------------------------
# File modes and types  (linux/stat.h, musl sys/stat.h, dirent.h)
# ---------------------------------------------------------------------------


class FileType(enum.IntEnum):
    """The ``S_IFMT`` part of ``st_mode``."""

    S_IFIFO = 0o010000
    S_IFCHR = 0o020000
    S_IFDIR = 0o040000
    S_IFBLK = 0o060000
    S_IFREG = 0o100000
    S_IFLNK = 0o120000
    S_IFSOCK = 0o140000


#: Mask of the file-type bits in a mode.
S_IFMT: Final = 0o170000


class ModeBit(enum.IntFlag):
    """Permission and special bits of a mode (``mode & ~S_IFMT``)."""

    S_IXOTH = 0o1
    S_IWOTH = 0o2
    S_IROTH = 0o4
    S_IRWXO = 0o7
    S_IXGRP = 0o10
    S_IWGRP = 0o20
    S_IRGRP = 0o40
    S_IRWXG = 0o70
    S_IXUSR = 0o100
    S_IWUSR = 0o200
    S_IRUSR = 0o400
    S_IRWXU = 0o700
    S_ISVTX = 0o1000
    S_ISGID = 0o2000
    S_ISUID = 0o4000


#: Every bit chmod(2) can set.
S_IALLUGO: Final = 0o7777


class DirentType(enum.IntEnum):
    """``d_type`` of a linux_dirent64 record; equals ``(mode & S_IFMT) >> 12``."""

    DT_UNKNOWN = 0
    DT_FIFO = 1
    DT_CHR = 2
    DT_DIR = 4
    DT_BLK = 6
    DT_REG = 8
    DT_LNK = 10
    DT_SOCK = 12
    DT_WHT = 14


def IFTODT(mode: int) -> int:
    """``d_type`` for a mode (C ``IFTODT``)."""
    return (mode & 0o170000) >> 12


def DTTOIF(dtype: int) -> int:
    """File-type bits of a mode for a ``d_type`` (C ``DTTOIF``)."""
    return dtype << 12


# ---------------------------------------------------------------------------
# fcntl(2), flock(2), lseek(2), access(2)
# ---------------------------------------------------------------------------


class FcntlCmd(enum.IntEnum):
    """``cmd`` of fcntl(2) (F_GETLK/F_SETLK/F_SETLKW are the 64-bit numbers)."""

    F_DUPFD = 0
    F_GETFD = 1
    F_SETFD = 2
    F_GETFL = 3
    F_SETFL = 4
    F_GETLK = 5
    F_SETLK = 6
    F_SETLKW = 7
    F_SETOWN = 8
    F_GETOWN = 9
    F_SETSIG = 10
    F_GETSIG = 11
    F_SETOWN_EX = 15
    F_GETOWN_EX = 16
    F_GETOWNER_UIDS = 17
    F_OFD_GETLK = 36
    F_OFD_SETLK = 37
    F_OFD_SETLKW = 38
    F_SETLEASE = 1024
    F_GETLEASE = 1025
    F_NOTIFY = 1026
    F_CANCELLK = 1029
    F_DUPFD_CLOEXEC = 1030
    F_SETPIPE_SZ = 1031
    F_GETPIPE_SZ = 1032
    F_ADD_SEALS = 1033
    F_GET_SEALS = 1034


class FdFlag(enum.IntFlag):
    """File *descriptor* flags (F_GETFD/F_SETFD)."""

    FD_CLOEXEC = 1


class LockType(enum.IntEnum):
    """``l_type`` of struct flock."""

    F_RDLCK = 0
    F_WRLCK = 1
    F_UNLCK = 2


class FlockOp(enum.IntFlag):
    """``operation`` of flock(2)."""

    LOCK_SH = 1
    LOCK_EX = 2
    LOCK_NB = 4
    LOCK_UN = 8


class SealFlag(enum.IntFlag):
    """Memfd seals (F_ADD_SEALS/F_GET_SEALS)."""

    F_SEAL_SEAL = 0x1
    F_SEAL_SHRINK = 0x2
    F_SEAL_GROW = 0x4
    F_SEAL_WRITE = 0x8
    F_SEAL_FUTURE_WRITE = 0x10
    F_SEAL_EXEC = 0x20


class Whence(enum.IntEnum):
    """``whence`` of lseek(2) and struct flock."""

    SEEK_SET = 0
    SEEK_CUR = 1
    SEEK_END = 2
    SEEK_DATA = 3
    SEEK_HOLE = 4


class AccessMode(enum.IntFlag):
    """``mode`` of access(2)/faccessat(2)."""

    F_OK = 0
    X_OK = 1
    W_OK = 2
    R_OK = 4


class RenameFlag(enum.IntFlag):
    """``flags`` of renameat2(2)."""

    RENAME_NOREPLACE = 1
    RENAME_EXCHANGE = 2
    RENAME_WHITEOUT = 4


class FadviseAdvice(enum.IntEnum):
    """``advice`` of fadvise64(2) (x86-64 numbering; s390x differs)."""

    POSIX_FADV_NORMAL = 0
    POSIX_FADV_RANDOM = 1
    POSIX_FADV_SEQUENTIAL = 2
    POSIX_FADV_WILLNEED = 3
    POSIX_FADV_DONTNEED = 4
    POSIX_FADV_NOREUSE = 5


# ---------------------------------------------------------------------------
# statx(2), utimensat(2)  (linux/stat.h)
# ---------------------------------------------------------------------------


class StatxMask(enum.IntFlag):
    """``mask`` argument and ``stx_mask`` field of statx(2)."""

    STATX_TYPE = 0x1
    STATX_MODE = 0x2
    STATX_NLINK = 0x4
    STATX_UID = 0x8
    STATX_GID = 0x10
    STATX_ATIME = 0x20
    STATX_MTIME = 0x40
    STATX_CTIME = 0x80
    STATX_INO = 0x100
    STATX_SIZE = 0x200
    STATX_BLOCKS = 0x400
    STATX_BASIC_STATS = 0x7FF
    STATX_BTIME = 0x800
    STATX_ALL = 0xFFF
    STATX_MNT_ID = 0x1000
    STATX_DIOALIGN = 0x2000
    STATX_MNT_ID_UNIQUE = 0x4000
    STATX_SUBVOL = 0x8000
    STATX_WRITE_ATOMIC = 0x10000
    #: Reserved: a caller setting it gets EINVAL.
    STATX__RESERVED = 0x80000000


class StatxAttr(enum.IntFlag):
    """``stx_attributes`` / ``stx_attributes_mask`` bits."""

    STATX_ATTR_COMPRESSED = 0x4
    STATX_ATTR_IMMUTABLE = 0x10
    STATX_ATTR_APPEND = 0x20
    STATX_ATTR_NODUMP = 0x40
    STATX_ATTR_ENCRYPTED = 0x800
    STATX_ATTR_AUTOMOUNT = 0x1000
    STATX_ATTR_MOUNT_ROOT = 0x2000
    STATX_ATTR_VERITY = 0x100000
    STATX_ATTR_DAX = 0x200000
    STATX_ATTR_WRITE_ATOMIC = 0x400000


#: ``tv_nsec`` values of utimensat(2): "set to now" / "leave unchanged".
UTIME_NOW: Final = (1 << 30) - 1
UTIME_OMIT: Final = (1 << 30) - 2


# ---------------------------------------------------------------------------
# Clocks and timers  (linux/time.h, linux/timerfd.h)
# ---------------------------------------------------------------------------


class ClockId(enum.IntEnum):
    """Static clock ids (dynamic/CPU-clock ids are negative and not listed)."""

    CLOCK_REALTIME = 0
    CLOCK_MONOTONIC = 1
    CLOCK_PROCESS_CPUTIME_ID = 2
    CLOCK_THREAD_CPUTIME_ID = 3
    CLOCK_MONOTONIC_RAW = 4
    CLOCK_REALTIME_COARSE = 5
    CLOCK_MONOTONIC_COARSE = 6
    CLOCK_BOOTTIME = 7
    CLOCK_REALTIME_ALARM = 8
    CLOCK_BOOTTIME_ALARM = 9
    CLOCK_TAI = 11


class TimerFlag(enum.IntFlag):
    """``flags`` of clock_nanosleep(2) and timer_settime(2)."""

    TIMER_ABSTIME = 1


class TimerfdFlag(enum.IntFlag):
    """timerfd_create(2) / timerfd_settime(2) flags."""

    TFD_TIMER_ABSTIME = 1
    TFD_TIMER_CANCEL_ON_SET = 2
    TFD_NONBLOCK = 0o4000
    TFD_CLOEXEC = 0o2000000


class ItimerWhich(enum.IntEnum):
    """``which`` of setitimer(2)/getitimer(2)."""

    ITIMER_REAL = 0
    ITIMER_VIRTUAL = 1
    ITIMER_PROF = 2


# ---------------------------------------------------------------------------
# Memory  (asm-generic/mman-common.h, x86/asm/mman.h, linux/mman.h)
# ---------------------------------------------------------------------------


class Prot(enum.IntFlag):
    """``prot`` of mmap(2)/mprotect(2)."""

    PROT_NONE = 0
    PROT_READ = 0x1
    PROT_WRITE = 0x2
    PROT_EXEC = 0x4
    PROT_GROWSDOWN = 0x01000000
    PROT_GROWSUP = 0x02000000


class MapFlag(enum.IntFlag):
    """``flags`` of mmap(2)."""

    MAP_SHARED = 0x01
    MAP_PRIVATE = 0x02
    MAP_SHARED_VALIDATE = 0x03
    MAP_TYPE = 0x0F
    MAP_FIXED = 0x10
    MAP_ANONYMOUS = 0x20
    MAP_ANON = 0x20
    MAP_32BIT = 0x40
    MAP_GROWSDOWN = 0x0100
    MAP_DENYWRITE = 0x0800
    MAP_EXECUTABLE = 0x1000
    MAP_LOCKED = 0x2000
    MAP_NORESERVE = 0x4000
    MAP_POPULATE = 0x8000
    MAP_NONBLOCK = 0x10000
    MAP_STACK = 0x20000
    MAP_HUGETLB = 0x40000
    MAP_SYNC = 0x80000
    MAP_FIXED_NOREPLACE = 0x100000
    MAP_UNINITIALIZED = 0x4000000


#: mmap's error return in C (the WALI reference host returns it for any failure).
MAP_FAILED: Final = -1


class MremapFlag(enum.IntFlag):
    """``flags`` of mremap(2)."""

    MREMAP_MAYMOVE = 1
    MREMAP_FIXED = 2
    MREMAP_DONTUNMAP = 4


class Madvice(enum.IntEnum):
    """``advice`` of madvise(2)."""

    MADV_NORMAL = 0
    MADV_RANDOM = 1
    MADV_SEQUENTIAL = 2
    MADV_WILLNEED = 3
    MADV_DONTNEED = 4
    MADV_FREE = 8
    MADV_REMOVE = 9
    MADV_DONTFORK = 10
    MADV_DOFORK = 11
    MADV_MERGEABLE = 12
    MADV_UNMERGEABLE = 13
    MADV_HUGEPAGE = 14
    MADV_NOHUGEPAGE = 15
    MADV_DONTDUMP = 16
    MADV_DODUMP = 17
    MADV_WIPEONFORK = 18
    MADV_KEEPONFORK = 19
    MADV_COLD = 20
    MADV_PAGEOUT = 21
    MADV_POPULATE_READ = 22
    MADV_POPULATE_WRITE = 23
    MADV_DONTNEED_LOCKED = 24
    MADV_COLLAPSE = 25
    MADV_HWPOISON = 100
    MADV_SOFT_OFFLINE = 101


class MsyncFlag(enum.IntFlag):
    """``flags`` of msync(2)."""

    MS_ASYNC = 1
    MS_INVALIDATE = 2
    MS_SYNC = 4


class MlockallFlag(enum.IntFlag):
    """``flags`` of mlockall(2)."""

    MCL_CURRENT = 1
    MCL_FUTURE = 2
    MCL_ONFAULT = 4


# ---------------------------------------------------------------------------
# Resources  (asm-generic/resource.h, linux/resource.h)
# ---------------------------------------------------------------------------


class Rlimit(enum.IntEnum):
    """``resource`` of getrlimit(2)/setrlimit(2)/prlimit64(2)."""

    RLIMIT_CPU = 0
    RLIMIT_FSIZE = 1
    RLIMIT_DATA = 2
    RLIMIT_STACK = 3
    RLIMIT_CORE = 4
    RLIMIT_RSS = 5
    RLIMIT_NPROC = 6
    RLIMIT_NOFILE = 7
    RLIMIT_MEMLOCK = 8
    RLIMIT_AS = 9
    RLIMIT_LOCKS = 10
    RLIMIT_SIGPENDING = 11
    RLIMIT_MSGQUEUE = 12
    RLIMIT_NICE = 13
    RLIMIT_RTPRIO = 14
    RLIMIT_RTTIME = 15


RLIMIT_NLIMITS: Final = 16
#: ``~0UL`` as the u64 stored in struct rlimit.
RLIM_INFINITY: Final = (1 << 64) - 1


class RusageWho(enum.IntEnum):
    """``who`` of getrusage(2)."""

    RUSAGE_SELF = 0
    RUSAGE_CHILDREN = -1
    RUSAGE_THREAD = 1


# ---------------------------------------------------------------------------
# Signals  (x86/asm/signal.h, asm-generic/signal-defs.h, wali-musl bits/signal.h)
# ---------------------------------------------------------------------------


class Signal(enum.IntEnum):
    """Signal numbers. Real-time signals are the range SIGRTMIN..SIGRTMAX."""

    SIGHUP = 1
    SIGINT = 2
    SIGQUIT = 3
    SIGILL = 4
    SIGTRAP = 5
    SIGABRT = 6
    SIGIOT = 6
    SIGBUS = 7
    SIGFPE = 8
    SIGKILL = 9
    SIGUSR1 = 10
    SIGSEGV = 11
    SIGUSR2 = 12
    SIGPIPE = 13
    SIGALRM = 14
    SIGTERM = 15
    SIGSTKFLT = 16
    SIGCHLD = 17
    SIGCONT = 18
    SIGSTOP = 19
    SIGTSTP = 20
    SIGTTIN = 21
    SIGTTOU = 22
    SIGURG = 23
    SIGXCPU = 24
    SIGXFSZ = 25
    SIGVTALRM = 26
    SIGPROF = 27
    SIGWINCH = 28
    SIGIO = 29
    SIGPOLL = 29
    SIGPWR = 30
    SIGSYS = 31
    #: The *kernel's* first real-time signal (uapi ``SIGRTMIN``). libc-level
    #: ``SIGRTMIN()`` is higher because libc keeps some for itself: musl 35
    #: (32-34 internal), glibc 34. The host must accept every signal 32..64.
    SIGRTMIN = 32
    SIGRTMAX = 64


#: One more than the highest signal (musl ``_NSIG``); sigset_t is NSIG-1 bits.
NSIG: Final = 65
#: musl's libc-level SIGRTMIN(): guests' "first free" real-time signal.
SIGRTMIN_MUSL: Final = 35
#: Sent by the WALI reference engine to stop threads (WALI-ABI.md section 5).
SIG_WASM_THREAD_TERM: Final = 39


class SaFlag(enum.IntFlag):
    """``sa_flags`` of struct k_sigaction."""

    SA_NOCLDSTOP = 0x00000001
    SA_NOCLDWAIT = 0x00000002
    SA_SIGINFO = 0x00000004
    SA_UNSUPPORTED = 0x00000400
    SA_EXPOSE_TAGBITS = 0x00000800
    SA_RESTORER = 0x04000000
    SA_ONSTACK = 0x08000000
    SA_RESTART = 0x10000000
    SA_NODEFER = 0x40000000
    SA_NOMASK = 0x40000000
    SA_RESETHAND = 0x80000000
    SA_ONESHOT = 0x80000000


class SigHandler(enum.IntEnum):
    """Special ``handler`` values of k_sigaction (as the signed i32 WALI passes).

    Any other value is an index into the guest's funcref table 0.
    """

    SIG_ERR = -1
    SIG_DFL = 0
    #: WALI-specific: upstream musl and Linux use 1.
    SIG_IGN = -2


class SigHow(enum.IntEnum):
    """``how`` of rt_sigprocmask(2)."""

    SIG_BLOCK = 0
    SIG_UNBLOCK = 1
    SIG_SETMASK = 2


class SsFlag(enum.IntFlag):
    """``ss_flags`` of stack_t (sigaltstack(2))."""

    SS_ONSTACK = 1
    SS_DISABLE = 2
    SS_AUTODISARM = 1 << 31


#: wali-musl arch/wasm32/bits/signal.h (same as x86-64 musl).
MINSIGSTKSZ: Final = 2048
SIGSTKSZ: Final = 8192


# ---------------------------------------------------------------------------
# futex(2)  (linux/futex.h)
# ---------------------------------------------------------------------------


class FutexCmd(enum.IntEnum):
    """The command part of futex's ``op`` (``op & FUTEX_CMD_MASK``)."""

    FUTEX_WAIT = 0
    FUTEX_WAKE = 1
    FUTEX_FD = 2
    FUTEX_REQUEUE = 3
    FUTEX_CMP_REQUEUE = 4
    FUTEX_WAKE_OP = 5
    FUTEX_LOCK_PI = 6
    FUTEX_UNLOCK_PI = 7
    FUTEX_TRYLOCK_PI = 8
    FUTEX_WAIT_BITSET = 9
    FUTEX_WAKE_BITSET = 10
    FUTEX_WAIT_REQUEUE_PI = 11
    FUTEX_CMP_REQUEUE_PI = 12
    FUTEX_LOCK_PI2 = 13


class FutexFlag(enum.IntFlag):
    """Option bits OR-ed into futex's ``op``."""

    FUTEX_PRIVATE_FLAG = 128
    FUTEX_CLOCK_REALTIME = 256


#: Pre-6.x definition. Newest uapi headers also exclude FUTEX_ROBUST_UNLOCK (512)
#: and FUTEX_ROBUST_LIST32 (1024); we do not implement those, so keeping them in
#: the command makes such ops ENOSYS, as on a kernel that predates them.
FUTEX_CMD_MASK: Final = ~(128 | 256)
FUTEX_BITSET_MATCH_ANY: Final = 0xFFFFFFFF
FUTEX_WAITERS: Final = 0x80000000
FUTEX_OWNER_DIED: Final = 0x40000000
FUTEX_TID_MASK: Final = 0x3FFFFFFF


# ---------------------------------------------------------------------------
# Processes  (linux/wait.h, linux/sched.h, linux/prctl.h)
# ---------------------------------------------------------------------------


class WaitOption(enum.IntFlag):
    """``options`` of wait4(2)/waitid(2). WALL/WCLONE/WNOTHREAD are C's ``__W*``."""

    WNOHANG = 0x00000001
    WUNTRACED = 0x00000002
    WSTOPPED = 0x00000002
    WEXITED = 0x00000004
    WCONTINUED = 0x00000008
    WNOWAIT = 0x01000000
    WNOTHREAD = 0x20000000
    WALL = 0x40000000
    WCLONE = 0x80000000


class IdType(enum.IntEnum):
    """``idtype`` of waitid(2)."""

    P_ALL = 0
    P_PID = 1
    P_PGID = 2
    P_PIDFD = 3


class CloneFlag(enum.IntFlag):
    """``flags`` of clone(2). The low byte (CSIGNAL) is the exit signal."""

    CSIGNAL = 0x000000FF
    CLONE_VM = 0x00000100
    CLONE_FS = 0x00000200
    CLONE_FILES = 0x00000400
    CLONE_SIGHAND = 0x00000800
    CLONE_PIDFD = 0x00001000
    CLONE_PTRACE = 0x00002000
    CLONE_VFORK = 0x00004000
    CLONE_PARENT = 0x00008000
    CLONE_THREAD = 0x00010000
    CLONE_NEWNS = 0x00020000
    CLONE_SYSVSEM = 0x00040000
    CLONE_SETTLS = 0x00080000
    CLONE_PARENT_SETTID = 0x00100000
    CLONE_CHILD_CLEARTID = 0x00200000
    CLONE_DETACHED = 0x00400000
    CLONE_UNTRACED = 0x00800000
    CLONE_CHILD_SETTID = 0x01000000
    CLONE_NEWCGROUP = 0x02000000
    CLONE_NEWUTS = 0x04000000
    CLONE_NEWIPC = 0x08000000
    CLONE_NEWUSER = 0x10000000
    CLONE_NEWPID = 0x20000000
    CLONE_NEWNET = 0x40000000
    CLONE_IO = 0x80000000


class SchedPolicy(enum.IntEnum):
    """Scheduling policies (sched_setscheduler(2))."""

    SCHED_OTHER = 0
    SCHED_FIFO = 1
    SCHED_RR = 2
    SCHED_BATCH = 3
    SCHED_IDLE = 5
    SCHED_DEADLINE = 6


#: OR-ed into the policy of sched_setscheduler(2).
SCHED_RESET_ON_FORK: Final = 0x40000000


class PrctlOption(enum.IntEnum):
    """``option`` of prctl(2) (the common ones)."""

    PR_SET_PDEATHSIG = 1
    PR_GET_PDEATHSIG = 2
    PR_GET_DUMPABLE = 3
    PR_SET_DUMPABLE = 4
    PR_GET_KEEPCAPS = 7
    PR_SET_KEEPCAPS = 8
    PR_SET_NAME = 15
    PR_GET_NAME = 16
    PR_GET_SECCOMP = 21
    PR_SET_SECCOMP = 22
    PR_CAPBSET_READ = 23
    PR_CAPBSET_DROP = 24
    PR_SET_TIMERSLACK = 29
    PR_GET_TIMERSLACK = 30
    PR_SET_CHILD_SUBREAPER = 36
    PR_GET_CHILD_SUBREAPER = 37
    PR_SET_NO_NEW_PRIVS = 38
    PR_GET_NO_NEW_PRIVS = 39


#: PR_SET_NAME/PR_GET_NAME buffer size, NUL included.
TASK_COMM_LEN: Final = 16


# ---------------------------------------------------------------------------
# ioctl(2)  (asm-generic/ioctls.h; x86-64 uses the generic numbers)
# ---------------------------------------------------------------------------


class Ioctl(enum.IntEnum):
    """tty and file ioctl request numbers."""

    TCGETS = 0x5401
    TCSETS = 0x5402
    TCSETSW = 0x5403
    TCSETSF = 0x5404
    TCSBRK = 0x5409
    TCXONC = 0x540A
    TCFLSH = 0x540B
    TIOCEXCL = 0x540C
    TIOCNXCL = 0x540D
    TIOCSCTTY = 0x540E
    TIOCGPGRP = 0x540F
    TIOCSPGRP = 0x5410
    TIOCOUTQ = 0x5411
    TIOCSTI = 0x5412
    TIOCGWINSZ = 0x5413
    TIOCSWINSZ = 0x5414
    TIOCMGET = 0x5415
    TIOCMSET = 0x5418
    FIONREAD = 0x541B
    TIOCINQ = 0x541B
    TIOCPKT = 0x5420
    FIONBIO = 0x5421
    TIOCNOTTY = 0x5422
    TIOCGSID = 0x5429
    TIOCGPTN = 0x80045430
    TIOCSPTLCK = 0x40045431
    FIONCLEX = 0x5450
    FIOCLEX = 0x5451
    FIOASYNC = 0x5452
    FIOQSIZE = 0x5460


# ---------------------------------------------------------------------------
# poll(2), epoll(7), eventfd(2)  (asm-generic/poll.h, linux/eventpoll.h)
# ---------------------------------------------------------------------------


class PollEvent(enum.IntFlag):
    """``events``/``revents`` bits of struct pollfd."""

    POLLIN = 0x0001
    POLLPRI = 0x0002
    POLLOUT = 0x0004
    POLLERR = 0x0008
    POLLHUP = 0x0010
    POLLNVAL = 0x0020
    POLLRDNORM = 0x0040
    POLLRDBAND = 0x0080
    POLLWRNORM = 0x0100
    POLLWRBAND = 0x0200
    POLLMSG = 0x0400
    POLLREMOVE = 0x1000
    POLLRDHUP = 0x2000


class EpollOp(enum.IntEnum):
    """``op`` of epoll_ctl(2)."""

    EPOLL_CTL_ADD = 1
    EPOLL_CTL_DEL = 2
    EPOLL_CTL_MOD = 3


class EpollEventFlag(enum.IntFlag):
    """``events`` bits of struct epoll_event (the poll bits plus input flags)."""

    EPOLLIN = 0x001
    EPOLLPRI = 0x002
    EPOLLOUT = 0x004
    EPOLLERR = 0x008
    EPOLLHUP = 0x010
    EPOLLNVAL = 0x020
    EPOLLRDNORM = 0x040
    EPOLLRDBAND = 0x080
    EPOLLWRNORM = 0x100
    EPOLLWRBAND = 0x200
    EPOLLMSG = 0x400
    EPOLLRDHUP = 0x2000
    EPOLLEXCLUSIVE = 1 << 28
    EPOLLWAKEUP = 1 << 29
    EPOLLONESHOT = 1 << 30
    EPOLLET = 1 << 31


class EpollFlag(enum.IntFlag):
    """``flags`` of epoll_create1(2)."""

    EPOLL_CLOEXEC = 0o2000000


class EventfdFlag(enum.IntFlag):
    """``flags`` of eventfd2(2)."""

    EFD_SEMAPHORE = 1
    EFD_NONBLOCK = 0o4000
    EFD_CLOEXEC = 0o2000000


# ---------------------------------------------------------------------------
# Sockets  (linux/socket.h, asm-generic/socket.h, linux/in.h, musl sys/socket.h)
# ---------------------------------------------------------------------------


class AddressFamily(enum.IntEnum):
    """``sa_family`` / socket(2) ``domain``."""

    AF_UNSPEC = 0
    AF_UNIX = 1
    AF_LOCAL = 1
    AF_INET = 2
    AF_INET6 = 10
    AF_NETLINK = 16
    AF_PACKET = 17


class SockType(enum.IntEnum):
    """The type part of socket(2)'s ``type`` (``type & SOCK_TYPE_MASK``)."""

    SOCK_STREAM = 1
    SOCK_DGRAM = 2
    SOCK_RAW = 3
    SOCK_RDM = 4
    SOCK_SEQPACKET = 5


class SockFlag(enum.IntFlag):
    """Flags OR-ed into socket(2)/socketpair(2)/accept4(2) ``type``/``flags``."""

    SOCK_NONBLOCK = 0o4000
    SOCK_CLOEXEC = 0o2000000


SOCK_TYPE_MASK: Final = 0xF


class SockLevel(enum.IntEnum):
    """``level`` of getsockopt(2)/setsockopt(2) and of a cmsghdr."""

    SOL_IP = 0
    SOL_SOCKET = 1
    SOL_TCP = 6
    SOL_UDP = 17
    SOL_IPV6 = 41


class IpProto(enum.IntEnum):
    """``protocol`` of socket(2)."""

    IPPROTO_IP = 0
    IPPROTO_ICMP = 1
    IPPROTO_TCP = 6
    IPPROTO_UDP = 17
    IPPROTO_IPV6 = 41
    IPPROTO_RAW = 255


class SockOpt(enum.IntEnum):
    """``SO_*`` options at SOL_SOCKET (64-bit time: SO_RCVTIMEO is 20)."""

    SO_DEBUG = 1
    SO_REUSEADDR = 2
    SO_TYPE = 3
    SO_ERROR = 4
    SO_DONTROUTE = 5
    SO_BROADCAST = 6
    SO_SNDBUF = 7
    SO_RCVBUF = 8
    SO_KEEPALIVE = 9
    SO_OOBINLINE = 10
    SO_NO_CHECK = 11
    SO_PRIORITY = 12
    SO_LINGER = 13
    SO_BSDCOMPAT = 14
    SO_REUSEPORT = 15
    SO_PASSCRED = 16
    SO_PEERCRED = 17
    SO_RCVLOWAT = 18
    SO_SNDLOWAT = 19
    SO_RCVTIMEO = 20
    SO_SNDTIMEO = 21
    SO_BINDTODEVICE = 25
    SO_ACCEPTCONN = 30
    SO_SNDBUFFORCE = 32
    SO_RCVBUFFORCE = 33
    SO_PROTOCOL = 38
    SO_DOMAIN = 39


class TcpOpt(enum.IntEnum):
    """``TCP_*`` options at SOL_TCP (the common ones)."""

    TCP_NODELAY = 1
    TCP_MAXSEG = 2
    TCP_CORK = 3
    TCP_KEEPIDLE = 4
    TCP_KEEPINTVL = 5
    TCP_KEEPCNT = 6


class ScmType(enum.IntEnum):
    """``cmsg_type`` at SOL_SOCKET."""

    SCM_RIGHTS = 1
    SCM_CREDENTIALS = 2


class MsgFlag(enum.IntFlag):
    """``flags`` of send*/recv* and ``msg_flags`` of struct msghdr."""

    MSG_OOB = 0x0001
    MSG_PEEK = 0x0002
    MSG_DONTROUTE = 0x0004
    MSG_CTRUNC = 0x0008
    MSG_PROXY = 0x0010
    MSG_TRUNC = 0x0020
    MSG_DONTWAIT = 0x0040
    MSG_EOR = 0x0080
    MSG_WAITALL = 0x0100
    MSG_FIN = 0x0200
    MSG_SYN = 0x0400
    MSG_CONFIRM = 0x0800
    MSG_RST = 0x1000
    MSG_ERRQUEUE = 0x2000
    MSG_NOSIGNAL = 0x4000
    MSG_MORE = 0x8000
    MSG_WAITFORONE = 0x10000
    MSG_FASTOPEN = 0x20000000
    MSG_CMSG_CLOEXEC = 0x40000000


class ShutHow(enum.IntEnum):
    """``how`` of shutdown(2)."""

    SHUT_RD = 0
    SHUT_WR = 1
    SHUT_RDWR = 2


#: listen(2) backlog cap: the kernel's net.core.somaxconn default since Linux 5.4
#: (musl's header still says 128; the kernel clamps, so either is accepted).
SOMAXCONN: Final = 4096


# ---------------------------------------------------------------------------
# Miscellaneous
# ---------------------------------------------------------------------------


class GrndFlag(enum.IntFlag):
    """``flags`` of getrandom(2)."""

    GRND_NONBLOCK = 1
    GRND_RANDOM = 2
    GRND_INSECURE = 4


#: Writes of at most PIPE_BUF bytes to a pipe are atomic.
PIPE_BUF: Final = 4096
PATH_MAX: Final = 4096
NAME_MAX: Final = 255
#: Most iovecs readv/writev/sendmsg accept (UIO_MAXIOV).
IOV_MAX: Final = 1024
#: Bits in a libc fd_set (musl FD_SETSIZE): the guest's fd_set is 128 bytes.
FD_SETSIZE: Final = 1024
#: The guest's page size (wali-musl PAGESIZE), the unit of mmap/mprotect.
PAGE_SIZE: Final = 4096

# --- module-level aliases: one plain int per enum member above ---
# Add one here with every new member; tests/unit/test_structs.py checks the block is complete.
# Plain ints for hot paths: ``flags & O_CLOEXEC`` stays in C.

# OpenFlag
O_RDONLY: Final = OpenFlag.O_RDONLY.value
O_WRONLY: Final = OpenFlag.O_WRONLY.value
O_RDWR: Final = OpenFlag.O_RDWR.value
O_ACCMODE: Final = OpenFlag.O_ACCMODE.value
O_CREAT: Final = OpenFlag.O_CREAT.value
O_EXCL: Final = OpenFlag.O_EXCL.value
O_NOCTTY: Final = OpenFlag.O_NOCTTY.value
O_TRUNC: Final = OpenFlag.O_TRUNC.value
O_APPEND: Final = OpenFlag.O_APPEND.value
O_NONBLOCK: Final = OpenFlag.O_NONBLOCK.value
O_NDELAY: Final = OpenFlag.O_NDELAY.value
O_DSYNC: Final = OpenFlag.O_DSYNC.value
O_ASYNC: Final = OpenFlag.O_ASYNC.value
FASYNC: Final = OpenFlag.FASYNC.value
O_DIRECT: Final = OpenFlag.O_DIRECT.value
O_LARGEFILE: Final = OpenFlag.O_LARGEFILE.value
O_DIRECTORY: Final = OpenFlag.O_DIRECTORY.value
O_NOFOLLOW: Final = OpenFlag.O_NOFOLLOW.value
O_NOATIME: Final = OpenFlag.O_NOATIME.value
O_CLOEXEC: Final = OpenFlag.O_CLOEXEC.value
O_SYNC: Final = OpenFlag.O_SYNC.value
O_RSYNC: Final = OpenFlag.O_RSYNC.value
O_PATH: Final = OpenFlag.O_PATH.value
O_TMPFILE: Final = OpenFlag.O_TMPFILE.value

# AtFlag
AT_STATX_SYNC_AS_STAT: Final = AtFlag.AT_STATX_SYNC_AS_STAT.value
AT_SYMLINK_NOFOLLOW: Final = AtFlag.AT_SYMLINK_NOFOLLOW.value
AT_REMOVEDIR: Final = AtFlag.AT_REMOVEDIR.value
AT_EACCESS: Final = AtFlag.AT_EACCESS.value
AT_SYMLINK_FOLLOW: Final = AtFlag.AT_SYMLINK_FOLLOW.value
AT_NO_AUTOMOUNT: Final = AtFlag.AT_NO_AUTOMOUNT.value
AT_EMPTY_PATH: Final = AtFlag.AT_EMPTY_PATH.value
AT_STATX_FORCE_SYNC: Final = AtFlag.AT_STATX_FORCE_SYNC.value
AT_STATX_DONT_SYNC: Final = AtFlag.AT_STATX_DONT_SYNC.value
AT_STATX_SYNC_TYPE: Final = AtFlag.AT_STATX_SYNC_TYPE.value
AT_RECURSIVE: Final = AtFlag.AT_RECURSIVE.value

# FileType
S_IFIFO: Final = FileType.S_IFIFO.value
S_IFCHR: Final = FileType.S_IFCHR.value
S_IFDIR: Final = FileType.S_IFDIR.value
S_IFBLK: Final = FileType.S_IFBLK.value
S_IFREG: Final = FileType.S_IFREG.value
S_IFLNK: Final = FileType.S_IFLNK.value
S_IFSOCK: Final = FileType.S_IFSOCK.value

# ModeBit
S_IXOTH: Final = ModeBit.S_IXOTH.value
S_IWOTH: Final = ModeBit.S_IWOTH.value
S_IROTH: Final = ModeBit.S_IROTH.value
S_IRWXO: Final = ModeBit.S_IRWXO.value
S_IXGRP: Final = ModeBit.S_IXGRP.value
S_IWGRP: Final = ModeBit.S_IWGRP.value
S_IRGRP: Final = ModeBit.S_IRGRP.value
S_IRWXG: Final = ModeBit.S_IRWXG.value
S_IXUSR: Final = ModeBit.S_IXUSR.value
S_IWUSR: Final = ModeBit.S_IWUSR.value
S_IRUSR: Final = ModeBit.S_IRUSR.value
S_IRWXU: Final = ModeBit.S_IRWXU.value
S_ISVTX: Final = ModeBit.S_ISVTX.value
S_ISGID: Final = ModeBit.S_ISGID.value
S_ISUID: Final = ModeBit.S_ISUID.value

# DirentType
DT_UNKNOWN: Final = DirentType.DT_UNKNOWN.value
DT_FIFO: Final = DirentType.DT_FIFO.value
DT_CHR: Final = DirentType.DT_CHR.value
DT_DIR: Final = DirentType.DT_DIR.value
DT_BLK: Final = DirentType.DT_BLK.value
DT_REG: Final = DirentType.DT_REG.value
DT_LNK: Final = DirentType.DT_LNK.value
DT_SOCK: Final = DirentType.DT_SOCK.value
DT_WHT: Final = DirentType.DT_WHT.value

# FcntlCmd
F_DUPFD: Final = FcntlCmd.F_DUPFD.value
F_GETFD: Final = FcntlCmd.F_GETFD.value
F_SETFD: Final = FcntlCmd.F_SETFD.value
F_GETFL: Final = FcntlCmd.F_GETFL.value
F_SETFL: Final = FcntlCmd.F_SETFL.value
F_GETLK: Final = FcntlCmd.F_GETLK.value
F_SETLK: Final = FcntlCmd.F_SETLK.value
F_SETLKW: Final = FcntlCmd.F_SETLKW.value
F_SETOWN: Final = FcntlCmd.F_SETOWN.value
F_GETOWN: Final = FcntlCmd.F_GETOWN.value
F_SETSIG: Final = FcntlCmd.F_SETSIG.value
F_GETSIG: Final = FcntlCmd.F_GETSIG.value
F_SETOWN_EX: Final = FcntlCmd.F_SETOWN_EX.value
F_GETOWN_EX: Final = FcntlCmd.F_GETOWN_EX.value
F_GETOWNER_UIDS: Final = FcntlCmd.F_GETOWNER_UIDS.value
F_OFD_GETLK: Final = FcntlCmd.F_OFD_GETLK.value
F_OFD_SETLK: Final = FcntlCmd.F_OFD_SETLK.value
F_OFD_SETLKW: Final = FcntlCmd.F_OFD_SETLKW.value
F_SETLEASE: Final = FcntlCmd.F_SETLEASE.value
F_GETLEASE: Final = FcntlCmd.F_GETLEASE.value
F_NOTIFY: Final = FcntlCmd.F_NOTIFY.value
F_CANCELLK: Final = FcntlCmd.F_CANCELLK.value
F_DUPFD_CLOEXEC: Final = FcntlCmd.F_DUPFD_CLOEXEC.value
F_SETPIPE_SZ: Final = FcntlCmd.F_SETPIPE_SZ.value
F_GETPIPE_SZ: Final = FcntlCmd.F_GETPIPE_SZ.value
F_ADD_SEALS: Final = FcntlCmd.F_ADD_SEALS.value
F_GET_SEALS: Final = FcntlCmd.F_GET_SEALS.value

# FdFlag
FD_CLOEXEC: Final = FdFlag.FD_CLOEXEC.value

# LockType
F_RDLCK: Final = LockType.F_RDLCK.value
F_WRLCK: Final = LockType.F_WRLCK.value
F_UNLCK: Final = LockType.F_UNLCK.value

# FlockOp
LOCK_SH: Final = FlockOp.LOCK_SH.value
LOCK_EX: Final = FlockOp.LOCK_EX.value
LOCK_NB: Final = FlockOp.LOCK_NB.value
LOCK_UN: Final = FlockOp.LOCK_UN.value

# SealFlag
F_SEAL_SEAL: Final = SealFlag.F_SEAL_SEAL.value
F_SEAL_SHRINK: Final = SealFlag.F_SEAL_SHRINK.value
F_SEAL_GROW: Final = SealFlag.F_SEAL_GROW.value
F_SEAL_WRITE: Final = SealFlag.F_SEAL_WRITE.value
F_SEAL_FUTURE_WRITE: Final = SealFlag.F_SEAL_FUTURE_WRITE.value
F_SEAL_EXEC: Final = SealFlag.F_SEAL_EXEC.value

# Whence
SEEK_SET: Final = Whence.SEEK_SET.value
SEEK_CUR: Final = Whence.SEEK_CUR.value
SEEK_END: Final = Whence.SEEK_END.value
SEEK_DATA: Final = Whence.SEEK_DATA.value
SEEK_HOLE: Final = Whence.SEEK_HOLE.value

# AccessMode
F_OK: Final = AccessMode.F_OK.value
X_OK: Final = AccessMode.X_OK.value
W_OK: Final = AccessMode.W_OK.value
R_OK: Final = AccessMode.R_OK.value

# RenameFlag
RENAME_NOREPLACE: Final = RenameFlag.RENAME_NOREPLACE.value
RENAME_EXCHANGE: Final = RenameFlag.RENAME_EXCHANGE.value
RENAME_WHITEOUT: Final = RenameFlag.RENAME_WHITEOUT.value

# FadviseAdvice
POSIX_FADV_NORMAL: Final = FadviseAdvice.POSIX_FADV_NORMAL.value
POSIX_FADV_RANDOM: Final = FadviseAdvice.POSIX_FADV_RANDOM.value
POSIX_FADV_SEQUENTIAL: Final = FadviseAdvice.POSIX_FADV_SEQUENTIAL.value
POSIX_FADV_WILLNEED: Final = FadviseAdvice.POSIX_FADV_WILLNEED.value
POSIX_FADV_DONTNEED: Final = FadviseAdvice.POSIX_FADV_DONTNEED.value
POSIX_FADV_NOREUSE: Final = FadviseAdvice.POSIX_FADV_NOREUSE.value

# StatxMask
STATX_TYPE: Final = StatxMask.STATX_TYPE.value
STATX_MODE: Final = StatxMask.STATX_MODE.value
STATX_NLINK: Final = StatxMask.STATX_NLINK.value
STATX_UID: Final = StatxMask.STATX_UID.value
STATX_GID: Final = StatxMask.STATX_GID.value
STATX_ATIME: Final = StatxMask.STATX_ATIME.value
STATX_MTIME: Final = StatxMask.STATX_MTIME.value
STATX_CTIME: Final = StatxMask.STATX_CTIME.value
STATX_INO: Final = StatxMask.STATX_INO.value
STATX_SIZE: Final = StatxMask.STATX_SIZE.value
STATX_BLOCKS: Final = StatxMask.STATX_BLOCKS.value
STATX_BASIC_STATS: Final = StatxMask.STATX_BASIC_STATS.value
STATX_BTIME: Final = StatxMask.STATX_BTIME.value
STATX_ALL: Final = StatxMask.STATX_ALL.value
STATX_MNT_ID: Final = StatxMask.STATX_MNT_ID.value
STATX_DIOALIGN: Final = StatxMask.STATX_DIOALIGN.value
STATX_MNT_ID_UNIQUE: Final = StatxMask.STATX_MNT_ID_UNIQUE.value
STATX_SUBVOL: Final = StatxMask.STATX_SUBVOL.value
STATX_WRITE_ATOMIC: Final = StatxMask.STATX_WRITE_ATOMIC.value
STATX__RESERVED: Final = StatxMask.STATX__RESERVED.value

# StatxAttr
STATX_ATTR_COMPRESSED: Final = StatxAttr.STATX_ATTR_COMPRESSED.value
STATX_ATTR_IMMUTABLE: Final = StatxAttr.STATX_ATTR_IMMUTABLE.value
STATX_ATTR_APPEND: Final = StatxAttr.STATX_ATTR_APPEND.value
STATX_ATTR_NODUMP: Final = StatxAttr.STATX_ATTR_NODUMP.value
STATX_ATTR_ENCRYPTED: Final = StatxAttr.STATX_ATTR_ENCRYPTED.value
STATX_ATTR_AUTOMOUNT: Final = StatxAttr.STATX_ATTR_AUTOMOUNT.value
STATX_ATTR_MOUNT_ROOT: Final = StatxAttr.STATX_ATTR_MOUNT_ROOT.value
STATX_ATTR_VERITY: Final = StatxAttr.STATX_ATTR_VERITY.value
STATX_ATTR_DAX: Final = StatxAttr.STATX_ATTR_DAX.value
STATX_ATTR_WRITE_ATOMIC: Final = StatxAttr.STATX_ATTR_WRITE_ATOMIC.value

# ClockId
CLOCK_REALTIME: Final = ClockId.CLOCK_REALTIME.value
CLOCK_MONOTONIC: Final = ClockId.CLOCK_MONOTONIC.value
CLOCK_PROCESS_CPUTIME_ID: Final = ClockId.CLOCK_PROCESS_CPUTIME_ID.value
CLOCK_THREAD_CPUTIME_ID: Final = ClockId.CLOCK_THREAD_CPUTIME_ID.value
CLOCK_MONOTONIC_RAW: Final = ClockId.CLOCK_MONOTONIC_RAW.value
CLOCK_REALTIME_COARSE: Final = ClockId.CLOCK_REALTIME_COARSE.value
CLOCK_MONOTONIC_COARSE: Final = ClockId.CLOCK_MONOTONIC_COARSE.value
CLOCK_BOOTTIME: Final = ClockId.CLOCK_BOOTTIME.value
CLOCK_REALTIME_ALARM: Final = ClockId.CLOCK_REALTIME_ALARM.value
CLOCK_BOOTTIME_ALARM: Final = ClockId.CLOCK_BOOTTIME_ALARM.value
CLOCK_TAI: Final = ClockId.CLOCK_TAI.value

# TimerFlag
TIMER_ABSTIME: Final = TimerFlag.TIMER_ABSTIME.value

# TimerfdFlag
TFD_TIMER_ABSTIME: Final = TimerfdFlag.TFD_TIMER_ABSTIME.value
TFD_TIMER_CANCEL_ON_SET: Final = TimerfdFlag.TFD_TIMER_CANCEL_ON_SET.value
TFD_NONBLOCK: Final = TimerfdFlag.TFD_NONBLOCK.value
TFD_CLOEXEC: Final = TimerfdFlag.TFD_CLOEXEC.value

# ItimerWhich
ITIMER_REAL: Final = ItimerWhich.ITIMER_REAL.value
ITIMER_VIRTUAL: Final = ItimerWhich.ITIMER_VIRTUAL.value
ITIMER_PROF: Final = ItimerWhich.ITIMER_PROF.value

# Prot
PROT_NONE: Final = Prot.PROT_NONE.value
PROT_READ: Final = Prot.PROT_READ.value
PROT_WRITE: Final = Prot.PROT_WRITE.value
PROT_EXEC: Final = Prot.PROT_EXEC.value
PROT_GROWSDOWN: Final = Prot.PROT_GROWSDOWN.value
PROT_GROWSUP: Final = Prot.PROT_GROWSUP.value

# MapFlag
MAP_SHARED: Final = MapFlag.MAP_SHARED.value
MAP_PRIVATE: Final = MapFlag.MAP_PRIVATE.value
MAP_SHARED_VALIDATE: Final = MapFlag.MAP_SHARED_VALIDATE.value
MAP_TYPE: Final = MapFlag.MAP_TYPE.value
MAP_FIXED: Final = MapFlag.MAP_FIXED.value
MAP_ANONYMOUS: Final = MapFlag.MAP_ANONYMOUS.value
MAP_ANON: Final = MapFlag.MAP_ANON.value
MAP_32BIT: Final = MapFlag.MAP_32BIT.value
MAP_GROWSDOWN: Final = MapFlag.MAP_GROWSDOWN.value
MAP_DENYWRITE: Final = MapFlag.MAP_DENYWRITE.value
MAP_EXECUTABLE: Final = MapFlag.MAP_EXECUTABLE.value
MAP_LOCKED: Final = MapFlag.MAP_LOCKED.value
MAP_NORESERVE: Final = MapFlag.MAP_NORESERVE.value
MAP_POPULATE: Final = MapFlag.MAP_POPULATE.value
MAP_NONBLOCK: Final = MapFlag.MAP_NONBLOCK.value
MAP_STACK: Final = MapFlag.MAP_STACK.value
MAP_HUGETLB: Final = MapFlag.MAP_HUGETLB.value
MAP_SYNC: Final = MapFlag.MAP_SYNC.value
MAP_FIXED_NOREPLACE: Final = MapFlag.MAP_FIXED_NOREPLACE.value
MAP_UNINITIALIZED: Final = MapFlag.MAP_UNINITIALIZED.value

# MremapFlag
MREMAP_MAYMOVE: Final = MremapFlag.MREMAP_MAYMOVE.value
MREMAP_FIXED: Final = MremapFlag.MREMAP_FIXED.value
MREMAP_DONTUNMAP: Final = MremapFlag.MREMAP_DONTUNMAP.value

# Madvice
MADV_NORMAL: Final = Madvice.MADV_NORMAL.value
MADV_RANDOM: Final = Madvice.MADV_RANDOM.value
MADV_SEQUENTIAL: Final = Madvice.MADV_SEQUENTIAL.value
MADV_WILLNEED: Final = Madvice.MADV_WILLNEED.value
MADV_DONTNEED: Final = Madvice.MADV_DONTNEED.value
MADV_FREE: Final = Madvice.MADV_FREE.value
MADV_REMOVE: Final = Madvice.MADV_REMOVE.value
MADV_DONTFORK: Final = Madvice.MADV_DONTFORK.value
MADV_DOFORK: Final = Madvice.MADV_DOFORK.value
MADV_MERGEABLE: Final = Madvice.MADV_MERGEABLE.value
MADV_UNMERGEABLE: Final = Madvice.MADV_UNMERGEABLE.value
MADV_HUGEPAGE: Final = Madvice.MADV_HUGEPAGE.value
MADV_NOHUGEPAGE: Final = Madvice.MADV_NOHUGEPAGE.value
MADV_DONTDUMP: Final = Madvice.MADV_DONTDUMP.value
MADV_DODUMP: Final = Madvice.MADV_DODUMP.value
MADV_WIPEONFORK: Final = Madvice.MADV_WIPEONFORK.value
MADV_KEEPONFORK: Final = Madvice.MADV_KEEPONFORK.value
MADV_COLD: Final = Madvice.MADV_COLD.value
MADV_PAGEOUT: Final = Madvice.MADV_PAGEOUT.value
MADV_POPULATE_READ: Final = Madvice.MADV_POPULATE_READ.value
MADV_POPULATE_WRITE: Final = Madvice.MADV_POPULATE_WRITE.value
MADV_DONTNEED_LOCKED: Final = Madvice.MADV_DONTNEED_LOCKED.value
MADV_COLLAPSE: Final = Madvice.MADV_COLLAPSE.value
MADV_HWPOISON: Final = Madvice.MADV_HWPOISON.value
MADV_SOFT_OFFLINE: Final = Madvice.MADV_SOFT_OFFLINE.value

# MsyncFlag
MS_ASYNC: Final = MsyncFlag.MS_ASYNC.value
MS_INVALIDATE: Final = MsyncFlag.MS_INVALIDATE.value
MS_SYNC: Final = MsyncFlag.MS_SYNC.value

# MlockallFlag
MCL_CURRENT: Final = MlockallFlag.MCL_CURRENT.value
MCL_FUTURE: Final = MlockallFlag.MCL_FUTURE.value
MCL_ONFAULT: Final = MlockallFlag.MCL_ONFAULT.value

# Rlimit
RLIMIT_CPU: Final = Rlimit.RLIMIT_CPU.value
RLIMIT_FSIZE: Final = Rlimit.RLIMIT_FSIZE.value
RLIMIT_DATA: Final = Rlimit.RLIMIT_DATA.value
RLIMIT_STACK: Final = Rlimit.RLIMIT_STACK.value
RLIMIT_CORE: Final = Rlimit.RLIMIT_CORE.value
RLIMIT_RSS: Final = Rlimit.RLIMIT_RSS.value
RLIMIT_NPROC: Final = Rlimit.RLIMIT_NPROC.value
RLIMIT_NOFILE: Final = Rlimit.RLIMIT_NOFILE.value
RLIMIT_MEMLOCK: Final = Rlimit.RLIMIT_MEMLOCK.value
RLIMIT_AS: Final = Rlimit.RLIMIT_AS.value
RLIMIT_LOCKS: Final = Rlimit.RLIMIT_LOCKS.value
RLIMIT_SIGPENDING: Final = Rlimit.RLIMIT_SIGPENDING.value
RLIMIT_MSGQUEUE: Final = Rlimit.RLIMIT_MSGQUEUE.value
RLIMIT_NICE: Final = Rlimit.RLIMIT_NICE.value
RLIMIT_RTPRIO: Final = Rlimit.RLIMIT_RTPRIO.value
RLIMIT_RTTIME: Final = Rlimit.RLIMIT_RTTIME.value

# RusageWho
RUSAGE_SELF: Final = RusageWho.RUSAGE_SELF.value
RUSAGE_CHILDREN: Final = RusageWho.RUSAGE_CHILDREN.value
RUSAGE_THREAD: Final = RusageWho.RUSAGE_THREAD.value

# Signal
SIGHUP: Final = Signal.SIGHUP.value
SIGINT: Final = Signal.SIGINT.value
SIGQUIT: Final = Signal.SIGQUIT.value
SIGILL: Final = Signal.SIGILL.value
SIGTRAP: Final = Signal.SIGTRAP.value
SIGABRT: Final = Signal.SIGABRT.value
SIGIOT: Final = Signal.SIGIOT.value
SIGBUS: Final = Signal.SIGBUS.value
SIGFPE: Final = Signal.SIGFPE.value
SIGKILL: Final = Signal.SIGKILL.value
SIGUSR1: Final = Signal.SIGUSR1.value
SIGSEGV: Final = Signal.SIGSEGV.value
SIGUSR2: Final = Signal.SIGUSR2.value
SIGPIPE: Final = Signal.SIGPIPE.value
SIGALRM: Final = Signal.SIGALRM.value
SIGTERM: Final = Signal.SIGTERM.value
SIGSTKFLT: Final = Signal.SIGSTKFLT.value
SIGCHLD: Final = Signal.SIGCHLD.value
SIGCONT: Final = Signal.SIGCONT.value
SIGSTOP: Final = Signal.SIGSTOP.value
SIGTSTP: Final = Signal.SIGTSTP.value
SIGTTIN: Final = Signal.SIGTTIN.value
SIGTTOU: Final = Signal.SIGTTOU.value
SIGURG: Final = Signal.SIGURG.value
SIGXCPU: Final = Signal.SIGXCPU.value
SIGXFSZ: Final = Signal.SIGXFSZ.value
SIGVTALRM: Final = Signal.SIGVTALRM.value
SIGPROF: Final = Signal.SIGPROF.value
SIGWINCH: Final = Signal.SIGWINCH.value
SIGIO: Final = Signal.SIGIO.value
SIGPOLL: Final = Signal.SIGPOLL.value
SIGPWR: Final = Signal.SIGPWR.value
SIGSYS: Final = Signal.SIGSYS.value
SIGRTMIN: Final = Signal.SIGRTMIN.value
SIGRTMAX: Final = Signal.SIGRTMAX.value

# SaFlag
SA_NOCLDSTOP: Final = SaFlag.SA_NOCLDSTOP.value
SA_NOCLDWAIT: Final = SaFlag.SA_NOCLDWAIT.value
SA_SIGINFO: Final = SaFlag.SA_SIGINFO.value
SA_UNSUPPORTED: Final = SaFlag.SA_UNSUPPORTED.value
SA_EXPOSE_TAGBITS: Final = SaFlag.SA_EXPOSE_TAGBITS.value
SA_RESTORER: Final = SaFlag.SA_RESTORER.value
SA_ONSTACK: Final = SaFlag.SA_ONSTACK.value
SA_RESTART: Final = SaFlag.SA_RESTART.value
SA_NODEFER: Final = SaFlag.SA_NODEFER.value
SA_NOMASK: Final = SaFlag.SA_NOMASK.value
SA_RESETHAND: Final = SaFlag.SA_RESETHAND.value
SA_ONESHOT: Final = SaFlag.SA_ONESHOT.value

# SigHandler
SIG_ERR: Final = SigHandler.SIG_ERR.value
SIG_DFL: Final = SigHandler.SIG_DFL.value
SIG_IGN: Final = SigHandler.SIG_IGN.value

# SigHow
SIG_BLOCK: Final = SigHow.SIG_BLOCK.value
SIG_UNBLOCK: Final = SigHow.SIG_UNBLOCK.value
SIG_SETMASK: Final = SigHow.SIG_SETMASK.value

# SsFlag
SS_ONSTACK: Final = SsFlag.SS_ONSTACK.value
SS_DISABLE: Final = SsFlag.SS_DISABLE.value
SS_AUTODISARM: Final = SsFlag.SS_AUTODISARM.value

# FutexCmd
FUTEX_WAIT: Final = FutexCmd.FUTEX_WAIT.value
FUTEX_WAKE: Final = FutexCmd.FUTEX_WAKE.value
FUTEX_FD: Final = FutexCmd.FUTEX_FD.value
FUTEX_REQUEUE: Final = FutexCmd.FUTEX_REQUEUE.value
FUTEX_CMP_REQUEUE: Final = FutexCmd.FUTEX_CMP_REQUEUE.value
FUTEX_WAKE_OP: Final = FutexCmd.FUTEX_WAKE_OP.value
FUTEX_LOCK_PI: Final = FutexCmd.FUTEX_LOCK_PI.value
FUTEX_UNLOCK_PI: Final = FutexCmd.FUTEX_UNLOCK_PI.value
FUTEX_TRYLOCK_PI: Final = FutexCmd.FUTEX_TRYLOCK_PI.value
FUTEX_WAIT_BITSET: Final = FutexCmd.FUTEX_WAIT_BITSET.value
FUTEX_WAKE_BITSET: Final = FutexCmd.FUTEX_WAKE_BITSET.value
FUTEX_WAIT_REQUEUE_PI: Final = FutexCmd.FUTEX_WAIT_REQUEUE_PI.value
FUTEX_CMP_REQUEUE_PI: Final = FutexCmd.FUTEX_CMP_REQUEUE_PI.value
FUTEX_LOCK_PI2: Final = FutexCmd.FUTEX_LOCK_PI2.value

# FutexFlag
FUTEX_PRIVATE_FLAG: Final = FutexFlag.FUTEX_PRIVATE_FLAG.value
FUTEX_CLOCK_REALTIME: Final = FutexFlag.FUTEX_CLOCK_REALTIME.value

# WaitOption
WNOHANG: Final = WaitOption.WNOHANG.value
WUNTRACED: Final = WaitOption.WUNTRACED.value
WSTOPPED: Final = WaitOption.WSTOPPED.value
WEXITED: Final = WaitOption.WEXITED.value
WCONTINUED: Final = WaitOption.WCONTINUED.value
WNOWAIT: Final = WaitOption.WNOWAIT.value
__WNOTHREAD: Final = WaitOption.WNOTHREAD.value
__WALL: Final = WaitOption.WALL.value
__WCLONE: Final = WaitOption.WCLONE.value

# IdType
P_ALL: Final = IdType.P_ALL.value
P_PID: Final = IdType.P_PID.value
P_PGID: Final = IdType.P_PGID.value
P_PIDFD: Final = IdType.P_PIDFD.value

# CloneFlag
CSIGNAL: Final = CloneFlag.CSIGNAL.value
CLONE_VM: Final = CloneFlag.CLONE_VM.value
CLONE_FS: Final = CloneFlag.CLONE_FS.value
CLONE_FILES: Final = CloneFlag.CLONE_FILES.value
CLONE_SIGHAND: Final = CloneFlag.CLONE_SIGHAND.value
CLONE_PIDFD: Final = CloneFlag.CLONE_PIDFD.value
CLONE_PTRACE: Final = CloneFlag.CLONE_PTRACE.value
CLONE_VFORK: Final = CloneFlag.CLONE_VFORK.value
CLONE_PARENT: Final = CloneFlag.CLONE_PARENT.value
CLONE_THREAD: Final = CloneFlag.CLONE_THREAD.value
CLONE_NEWNS: Final = CloneFlag.CLONE_NEWNS.value
CLONE_SYSVSEM: Final = CloneFlag.CLONE_SYSVSEM.value
CLONE_SETTLS: Final = CloneFlag.CLONE_SETTLS.value
CLONE_PARENT_SETTID: Final = CloneFlag.CLONE_PARENT_SETTID.value
CLONE_CHILD_CLEARTID: Final = CloneFlag.CLONE_CHILD_CLEARTID.value
CLONE_DETACHED: Final = CloneFlag.CLONE_DETACHED.value
CLONE_UNTRACED: Final = CloneFlag.CLONE_UNTRACED.value
CLONE_CHILD_SETTID: Final = CloneFlag.CLONE_CHILD_SETTID.value
CLONE_NEWCGROUP: Final = CloneFlag.CLONE_NEWCGROUP.value
CLONE_NEWUTS: Final = CloneFlag.CLONE_NEWUTS.value
CLONE_NEWIPC: Final = CloneFlag.CLONE_NEWIPC.value
CLONE_NEWUSER: Final = CloneFlag.CLONE_NEWUSER.value
CLONE_NEWPID: Final = CloneFlag.CLONE_NEWPID.value
CLONE_NEWNET: Final = CloneFlag.CLONE_NEWNET.value
CLONE_IO: Final = CloneFlag.CLONE_IO.value

# SchedPolicy
SCHED_OTHER: Final = SchedPolicy.SCHED_OTHER.value
SCHED_FIFO: Final = SchedPolicy.SCHED_FIFO.value
SCHED_RR: Final = SchedPolicy.SCHED_RR.value
SCHED_BATCH: Final = SchedPolicy.SCHED_BATCH.value
SCHED_IDLE: Final = SchedPolicy.SCHED_IDLE.value
SCHED_DEADLINE: Final = SchedPolicy.SCHED_DEADLINE.value

# PrctlOption
PR_SET_PDEATHSIG: Final = PrctlOption.PR_SET_PDEATHSIG.value
PR_GET_PDEATHSIG: Final = PrctlOption.PR_GET_PDEATHSIG.value
PR_GET_DUMPABLE: Final = PrctlOption.PR_GET_DUMPABLE.value
PR_SET_DUMPABLE: Final = PrctlOption.PR_SET_DUMPABLE.value
PR_GET_KEEPCAPS: Final = PrctlOption.PR_GET_KEEPCAPS.value
PR_SET_KEEPCAPS: Final = PrctlOption.PR_SET_KEEPCAPS.value
PR_SET_NAME: Final = PrctlOption.PR_SET_NAME.value
PR_GET_NAME: Final = PrctlOption.PR_GET_NAME.value
PR_GET_SECCOMP: Final = PrctlOption.PR_GET_SECCOMP.value
PR_SET_SECCOMP: Final = PrctlOption.PR_SET_SECCOMP.value
PR_CAPBSET_READ: Final = PrctlOption.PR_CAPBSET_READ.value
PR_CAPBSET_DROP: Final = PrctlOption.PR_CAPBSET_DROP.value
PR_SET_TIMERSLACK: Final = PrctlOption.PR_SET_TIMERSLACK.value
PR_GET_TIMERSLACK: Final = PrctlOption.PR_GET_TIMERSLACK.value
PR_SET_CHILD_SUBREAPER: Final = PrctlOption.PR_SET_CHILD_SUBREAPER.value
PR_GET_CHILD_SUBREAPER: Final = PrctlOption.PR_GET_CHILD_SUBREAPER.value
PR_SET_NO_NEW_PRIVS: Final = PrctlOption.PR_SET_NO_NEW_PRIVS.value
PR_GET_NO_NEW_PRIVS: Final = PrctlOption.PR_GET_NO_NEW_PRIVS.value

# Ioctl
TCGETS: Final = Ioctl.TCGETS.value
TCSETS: Final = Ioctl.TCSETS.value
TCSETSW: Final = Ioctl.TCSETSW.value
TCSETSF: Final = Ioctl.TCSETSF.value
TCSBRK: Final = Ioctl.TCSBRK.value
TCXONC: Final = Ioctl.TCXONC.value
TCFLSH: Final = Ioctl.TCFLSH.value
TIOCEXCL: Final = Ioctl.TIOCEXCL.value
TIOCNXCL: Final = Ioctl.TIOCNXCL.value
TIOCSCTTY: Final = Ioctl.TIOCSCTTY.value
TIOCGPGRP: Final = Ioctl.TIOCGPGRP.value
TIOCSPGRP: Final = Ioctl.TIOCSPGRP.value
TIOCOUTQ: Final = Ioctl.TIOCOUTQ.value
TIOCSTI: Final = Ioctl.TIOCSTI.value
TIOCGWINSZ: Final = Ioctl.TIOCGWINSZ.value
TIOCSWINSZ: Final = Ioctl.TIOCSWINSZ.value
TIOCMGET: Final = Ioctl.TIOCMGET.value
TIOCMSET: Final = Ioctl.TIOCMSET.value
FIONREAD: Final = Ioctl.FIONREAD.value
TIOCINQ: Final = Ioctl.TIOCINQ.value
TIOCPKT: Final = Ioctl.TIOCPKT.value
FIONBIO: Final = Ioctl.FIONBIO.value
TIOCNOTTY: Final = Ioctl.TIOCNOTTY.value
TIOCGSID: Final = Ioctl.TIOCGSID.value
TIOCGPTN: Final = Ioctl.TIOCGPTN.value
TIOCSPTLCK: Final = Ioctl.TIOCSPTLCK.value
FIONCLEX: Final = Ioctl.FIONCLEX.value
FIOCLEX: Final = Ioctl.FIOCLEX.value
FIOASYNC: Final = Ioctl.FIOASYNC.value
FIOQSIZE: Final = Ioctl.FIOQSIZE.value

# PollEvent
POLLIN: Final = PollEvent.POLLIN.value
POLLPRI: Final = PollEvent.POLLPRI.value
POLLOUT: Final = PollEvent.POLLOUT.value
POLLERR: Final = PollEvent.POLLERR.value
POLLHUP: Final = PollEvent.POLLHUP.value
POLLNVAL: Final = PollEvent.POLLNVAL.value
POLLRDNORM: Final = PollEvent.POLLRDNORM.value
POLLRDBAND: Final = PollEvent.POLLRDBAND.value
POLLWRNORM: Final = PollEvent.POLLWRNORM.value
POLLWRBAND: Final = PollEvent.POLLWRBAND.value
POLLMSG: Final = PollEvent.POLLMSG.value
POLLREMOVE: Final = PollEvent.POLLREMOVE.value
POLLRDHUP: Final = PollEvent.POLLRDHUP.value

# EpollOp
EPOLL_CTL_ADD: Final = EpollOp.EPOLL_CTL_ADD.value
EPOLL_CTL_DEL: Final = EpollOp.EPOLL_CTL_DEL.value
EPOLL_CTL_MOD: Final = EpollOp.EPOLL_CTL_MOD.value

# EpollEventFlag
EPOLLIN: Final = EpollEventFlag.EPOLLIN.value
EPOLLPRI: Final = EpollEventFlag.EPOLLPRI.value
EPOLLOUT: Final = EpollEventFlag.EPOLLOUT.value
EPOLLERR: Final = EpollEventFlag.EPOLLERR.value
EPOLLHUP: Final = EpollEventFlag.EPOLLHUP.value
EPOLLNVAL: Final = EpollEventFlag.EPOLLNVAL.value
EPOLLRDNORM: Final = EpollEventFlag.EPOLLRDNORM.value
EPOLLRDBAND: Final = EpollEventFlag.EPOLLRDBAND.value
EPOLLWRNORM: Final = EpollEventFlag.EPOLLWRNORM.value
EPOLLWRBAND: Final = EpollEventFlag.EPOLLWRBAND.value
EPOLLMSG: Final = EpollEventFlag.EPOLLMSG.value
EPOLLRDHUP: Final = EpollEventFlag.EPOLLRDHUP.value
EPOLLEXCLUSIVE: Final = EpollEventFlag.EPOLLEXCLUSIVE.value
EPOLLWAKEUP: Final = EpollEventFlag.EPOLLWAKEUP.value
EPOLLONESHOT: Final = EpollEventFlag.EPOLLONESHOT.value
EPOLLET: Final = EpollEventFlag.EPOLLET.value

# EpollFlag
EPOLL_CLOEXEC: Final = EpollFlag.EPOLL_CLOEXEC.value

# EventfdFlag
EFD_SEMAPHORE: Final = EventfdFlag.EFD_SEMAPHORE.value
EFD_NONBLOCK: Final = EventfdFlag.EFD_NONBLOCK.value
EFD_CLOEXEC: Final = EventfdFlag.EFD_CLOEXEC.value

# AddressFamily
AF_UNSPEC: Final = AddressFamily.AF_UNSPEC.value
AF_UNIX: Final = AddressFamily.AF_UNIX.value
AF_LOCAL: Final = AddressFamily.AF_LOCAL.value
AF_INET: Final = AddressFamily.AF_INET.value
AF_INET6: Final = AddressFamily.AF_INET6.value
AF_NETLINK: Final = AddressFamily.AF_NETLINK.value
AF_PACKET: Final = AddressFamily.AF_PACKET.value

# SockType
SOCK_STREAM: Final = SockType.SOCK_STREAM.value
SOCK_DGRAM: Final = SockType.SOCK_DGRAM.value
SOCK_RAW: Final = SockType.SOCK_RAW.value
SOCK_RDM: Final = SockType.SOCK_RDM.value
SOCK_SEQPACKET: Final = SockType.SOCK_SEQPACKET.value

# SockFlag
SOCK_NONBLOCK: Final = SockFlag.SOCK_NONBLOCK.value
SOCK_CLOEXEC: Final = SockFlag.SOCK_CLOEXEC.value

# SockLevel
SOL_IP: Final = SockLevel.SOL_IP.value
SOL_SOCKET: Final = SockLevel.SOL_SOCKET.value
SOL_TCP: Final = SockLevel.SOL_TCP.value
SOL_UDP: Final = SockLevel.SOL_UDP.value
SOL_IPV6: Final = SockLevel.SOL_IPV6.value

# IpProto
IPPROTO_IP: Final = IpProto.IPPROTO_IP.value
IPPROTO_ICMP: Final = IpProto.IPPROTO_ICMP.value
IPPROTO_TCP: Final = IpProto.IPPROTO_TCP.value
IPPROTO_UDP: Final = IpProto.IPPROTO_UDP.value
IPPROTO_IPV6: Final = IpProto.IPPROTO_IPV6.value
IPPROTO_RAW: Final = IpProto.IPPROTO_RAW.value

# SockOpt
SO_DEBUG: Final = SockOpt.SO_DEBUG.value
SO_REUSEADDR: Final = SockOpt.SO_REUSEADDR.value
SO_TYPE: Final = SockOpt.SO_TYPE.value
SO_ERROR: Final = SockOpt.SO_ERROR.value
SO_DONTROUTE: Final = SockOpt.SO_DONTROUTE.value
SO_BROADCAST: Final = SockOpt.SO_BROADCAST.value
SO_SNDBUF: Final = SockOpt.SO_SNDBUF.value
SO_RCVBUF: Final = SockOpt.SO_RCVBUF.value
SO_KEEPALIVE: Final = SockOpt.SO_KEEPALIVE.value
SO_OOBINLINE: Final = SockOpt.SO_OOBINLINE.value
SO_NO_CHECK: Final = SockOpt.SO_NO_CHECK.value
SO_PRIORITY: Final = SockOpt.SO_PRIORITY.value
SO_LINGER: Final = SockOpt.SO_LINGER.value
SO_BSDCOMPAT: Final = SockOpt.SO_BSDCOMPAT.value
SO_REUSEPORT: Final = SockOpt.SO_REUSEPORT.value
SO_PASSCRED: Final = SockOpt.SO_PASSCRED.value
SO_PEERCRED: Final = SockOpt.SO_PEERCRED.value
SO_RCVLOWAT: Final = SockOpt.SO_RCVLOWAT.value
SO_SNDLOWAT: Final = SockOpt.SO_SNDLOWAT.value
SO_RCVTIMEO: Final = SockOpt.SO_RCVTIMEO.value
SO_SNDTIMEO: Final = SockOpt.SO_SNDTIMEO.value
SO_BINDTODEVICE: Final = SockOpt.SO_BINDTODEVICE.value
SO_ACCEPTCONN: Final = SockOpt.SO_ACCEPTCONN.value
SO_SNDBUFFORCE: Final = SockOpt.SO_SNDBUFFORCE.value
SO_RCVBUFFORCE: Final = SockOpt.SO_RCVBUFFORCE.value
SO_PROTOCOL: Final = SockOpt.SO_PROTOCOL.value
SO_DOMAIN: Final = SockOpt.SO_DOMAIN.value

# TcpOpt
TCP_NODELAY: Final = TcpOpt.TCP_NODELAY.value
TCP_MAXSEG: Final = TcpOpt.TCP_MAXSEG.value
TCP_CORK: Final = TcpOpt.TCP_CORK.value
TCP_KEEPIDLE: Final = TcpOpt.TCP_KEEPIDLE.value
TCP_KEEPINTVL: Final = TcpOpt.TCP_KEEPINTVL.value
TCP_KEEPCNT: Final = TcpOpt.TCP_KEEPCNT.value

# ScmType
SCM_RIGHTS: Final = ScmType.SCM_RIGHTS.value
SCM_CREDENTIALS: Final = ScmType.SCM_CREDENTIALS.value

# MsgFlag
MSG_OOB: Final = MsgFlag.MSG_OOB.value
MSG_PEEK: Final = MsgFlag.MSG_PEEK.value
MSG_DONTROUTE: Final = MsgFlag.MSG_DONTROUTE.value
MSG_CTRUNC: Final = MsgFlag.MSG_CTRUNC.value
MSG_PROXY: Final = MsgFlag.MSG_PROXY.value
MSG_TRUNC: Final = MsgFlag.MSG_TRUNC.value
MSG_DONTWAIT: Final = MsgFlag.MSG_DONTWAIT.value
MSG_EOR: Final = MsgFlag.MSG_EOR.value
MSG_WAITALL: Final = MsgFlag.MSG_WAITALL.value
MSG_FIN: Final = MsgFlag.MSG_FIN.value
MSG_SYN: Final = MsgFlag.MSG_SYN.value
MSG_CONFIRM: Final = MsgFlag.MSG_CONFIRM.value
MSG_RST: Final = MsgFlag.MSG_RST.value
MSG_ERRQUEUE: Final = MsgFlag.MSG_ERRQUEUE.value
MSG_NOSIGNAL: Final = MsgFlag.MSG_NOSIGNAL.value
MSG_MORE: Final = MsgFlag.MSG_MORE.value
MSG_WAITFORONE: Final = MsgFlag.MSG_WAITFORONE.value
MSG_FASTOPEN: Final = MsgFlag.MSG_FASTOPEN.value
MSG_CMSG_CLOEXEC: Final = MsgFlag.MSG_CMSG_CLOEXEC.value

# ShutHow
SHUT_RD: Final = ShutHow.SHUT_RD.value
SHUT_WR: Final = ShutHow.SHUT_WR.value
SHUT_RDWR: Final = ShutHow.SHUT_RDWR.value

# GrndFlag
GRND_NONBLOCK: Final = GrndFlag.GRND_NONBLOCK.value
GRND_RANDOM: Final = GrndFlag.GRND_RANDOM.value
GRND_INSECURE: Final = GrndFlag.GRND_INSECURE.value
