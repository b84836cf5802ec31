"""Process lifecycle: fork, execve, wait4/waitid, and the worker's private calls
for signal handlers and threads.

fork: the kernel creates the child cage (``Kernel.fork_cage``: copies of the fd
table sharing open file descriptions, the 3i table, dispositions and mask,
cwd, umask, credentials, rlimits) and asks the server to prepare the child's
ring; the reply carries the FORK flag, on which the worker forks its own
process and the child attaches to its new ring and returns 0.

execve: the program file (wasm, or a ``#!`` script whose interpreter is wasm)
is resolved and read *before* the point of no return, so every failure is an
errno to the caller; after it, the kernel closes CLOEXEC fds, resets caught
signals and hands the new program to the worker (the EXEC flag).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    AT_EMPTY_PATH as AT_EMPTY_PATH,
    AT_FDCWD as AT_FDCWD,
    AT_SYMLINK_NOFOLLOW as AT_SYMLINK_NOFOLLOW,
    CLONE_FILES as CLONE_FILES,
    CLONE_FS as CLONE_FS,
    CLONE_SIGHAND as CLONE_SIGHAND,
    CLONE_THREAD as CLONE_THREAD,
    CLONE_VFORK as CLONE_VFORK,
    CLONE_VM as CLONE_VM,
    CSIGNAL as CSIGNAL,
    P_ALL as P_ALL,
    P_PGID as P_PGID,
    P_PID as P_PID,
    P_PIDFD as P_PIDFD,
    SIGCHLD as SIGCHLD,
    SIGCONT as SIGCONT,
    WCONTINUED as WCONTINUED,
    WEXITED as WEXITED,
    WNOHANG as WNOHANG,
    WNOWAIT as WNOWAIT,
    WSTOPPED as WSTOPPED,
    WUNTRACED as WUNTRACED,
)
from abi.messages import ReplyFlag
from kernel.block import Block
from kernel.cage import CageState
from kernel.errors import SyscallError
from kernel.kernel import W_CONTINUED
from kernel.table import partial, supported
from kernel.vfs.types import S_IFMT, S_IFREG
from kernel.vfs.vfs import X_OK, may_access

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS", "read_program"]

__WNOTHREAD: Final = 0x20000000
__WALL: Final = 0x40000000
__WCLONE: Final = 0x80000000
CLD_EXITED: Final = 1
CLD_KILLED: Final = 2
CLD_DUMPED: Final = 3
CLD_STOPPED: Final = 5
CLD_CONTINUED: Final = 6

ARG_MAX: Final = 2 * 1024 * 1024
MAX_ARG_STRLEN: Final = 131072
MAX_ARG_STRINGS: Final = 0x7FFFFFFF
BINPRM_BUF_SIZE: Final = 256
MAX_INTERP_DEPTH: Final = 4


_I32 = struct.Struct("<i")
_SIGINFO_CHLD = struct.Struct("<iii4xiii")  # signo, errno, code, pid, uid, status
_RUSAGE_HEAD = struct.Struct("<qqqqq")      # utime (tv), stime (tv), maxrss


# --- fork -------------------------------------------------------------------------------------


def sys_fork(cage: Cage, *_: int) -> int:
    """Implements fork(2)."""
    child = cage.kernel.fork_cage(cage)
    cage.kernel.host.start_fork(cage, child)
    cage.thread.flags |= ReplyFlag.FORK
    return child.pid


def sys_vfork(cage: Cage, *_: int) -> int:
    """Implements vfork(2) as fork(2) (the parent is not suspended; memory is not shared)."""
    return sys_fork(cage)


def sys_clone(cage: Cage, flags: int, stack: int, ptid: int, ctid: int, tls: int, *_: int) -> int:
    """Implements clone(2) for the fork-like uses (no CLONE_VM/THREAD: threads are
    created through __wasm_thread_spawn in WALI)."""
    if flags & (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND) and not flags & CLONE_VFORK:
        raise SyscallError(Errno.EINVAL)
    if flags & (CLONE_FS | CLONE_FILES):
        raise SyscallError(Errno.EINVAL)
    return sys_fork(cage)


# --- execve -------------------------------------------------------------------------------------


def _string_array(cage: Cage, ptr: int, budget: list[int]) -> list[bytes]:
    """A NULL-terminated array of wasm32 string pointers (argv/envp)."""
    out: list[bytes] = []
    if ptr == 0:
        return out
    mem = cage.mem
    i = ptr
    while True:
        p = mem.u32(i)
        if p == 0:
            return out
        if len(out) >= MAX_ARG_STRINGS:
            raise SyscallError(Errno.E2BIG)
        try:
            s = mem.cstring(p, MAX_ARG_STRLEN)
        except SyscallError as e:
            if e.errno == Errno.ENAMETOOLONG:
                raise SyscallError(Errno.E2BIG) from None
            raise
        budget[0] -= len(s) + 1 + 4
        if budget[0] < 0:
            raise SyscallError(Errno.E2BIG)
        out.append(s)
        i += 4


def read_program(cage: Cage, dirfd: int, path: bytes, flags: int = 0) -> tuple[bytes, bytes]:
    """Resolve and read an executable: ``(file bytes, guest path)``; errno on failure."""
    from kernel.syscalls.sys_fs import path_at

    loc = path_at(cage, dirfd, path, follow=not flags & AT_SYMLINK_NOFOLLOW, empty_ok=bool(flags & AT_EMPTY_PATH))
    if loc.mode & S_IFMT != S_IFREG:
        raise SyscallError(Errno.EACCES)
    if not may_access(cage.creds, loc.inode, X_OK) or not loc.mode & 0o111:
        raise SyscallError(Errno.EACCES)
    f = loc.fs.open(loc.inode, 0)
    try:
        size = f.stat().size
        buf = bytearray(size)
        got = 0
        mv = memoryview(buf)
        while got < size:
            n = f.pread_into(mv[got:], got)
            if n <= 0:
                break
            got += n
    finally:
        if f.refs == 0:
            f.release()
    vfs = cage.kernel.vfs
    guest = path
    if not path.startswith(b"/"):
        base = vfs.path_of(cage.fs, cage.fs.cwd) or b"/"
        guest = base.rstrip(b"/") + b"/" + path
    return bytes(buf[:got]), guest


def _shebang(data: bytes) -> tuple[bytes, bytes | None]:
    """(interpreter, optional argument) of a ``#!`` line (Linux: first 256 bytes)."""
    line = data[2:BINPRM_BUF_SIZE].split(b"\n", 1)[0].strip(b" \t\r")
    if not line:
        raise SyscallError(Errno.ENOEXEC)
    parts = line.split(None, 1)
    interp = parts[0]
    arg = parts[1].strip(b" \t") if len(parts) > 1 else None
    return interp, arg or None


def _resolve_program(cage: Cage, dirfd: int, path: bytes, argv: list[bytes], flags: int
                     ) -> tuple[bytes, list[bytes], bytes]:
    """Follow ``#!`` interpreters (at most 4 deep) down to a wasm module."""
    data, guest = read_program(cage, dirfd, path, flags)
    for _depth in range(MAX_INTERP_DEPTH + 1):
        if data[:4] == b"\0asm":
            return data, argv, guest
        if data[:2] != b"#!":
            raise SyscallError(Errno.ENOEXEC)
        interp, arg = _shebang(data)
        # Linux: argv[0] is replaced by the interpreter, then its argument, then the script path.
        argv = [interp, *([arg] if arg else []), guest, *argv[1:]]
        data, guest = read_program(cage, AT_FDCWD, interp)
    raise SyscallError(Errno.ELOOP)


def _execve(cage: Cage, dirfd: int, path: int, argv_p: int, envp_p: int, flags: int) -> int:
    p = cage.mem.cstring(path)
    if not p and not flags & AT_EMPTY_PATH:
        raise SyscallError(Errno.ENOENT)
    budget = [ARG_MAX]
    argv = _string_array(cage, argv_p, budget)
    env = _string_array(cage, envp_p, budget)
    wasm, argv, exe = _resolve_program(cage, dirfd, p, argv, flags)
    # Point of no return.
    cage.kernel.exec_cage(cage, wasm, argv, env, exe)
    cage.thread.flags |= ReplyFlag.EXEC
    return 0


def sys_execve(cage: Cage, path: int, argv: int, envp: int, *_: int) -> int:
    """Implements execve(2): wasm programs and #! scripts with a wasm interpreter."""
    return _execve(cage, AT_FDCWD, path, argv, envp, 0)


def sys_execveat(cage: Cage, dirfd: int, path: int, argv: int, envp: int, flags: int, *_: int) -> int:
    """Implements execveat(2)."""
    if flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW):
        raise SyscallError(Errno.EINVAL)
    return _execve(cage, dirfd, path, argv, envp, flags)


# --- wait ----------------------------------------------------------------------------------------


def _matches(cage: Cage, child: Cage, idtype: int, ident: int) -> bool:
    if idtype == P_ALL:
        return True
    if idtype == P_PID:
        return child.pid == ident
    if idtype == P_PGID:
        return child.pgid == (ident or cage.pgid)
    return False


def _find(cage: Cage, idtype: int, ident: int, options: int) -> tuple[Cage, str] | None:
    """A child with something to report: (child, "exit" | "stop" | "cont"); ECHILD if none could."""
    k = cage.kernel
    kids = [k.cages[p] for p in sorted(cage.children) if p in k.cages]
    kids = [c for c in kids if _matches(cage, c, idtype, ident)]
    if not kids:
        raise SyscallError(Errno.ECHILD)
    for c in kids:
        if c.state is CageState.ZOMBIE and options & WEXITED:
            return c, "exit"
        if options & WSTOPPED and c.state is CageState.STOPPED and not c.stop_reported:
            return c, "stop"
        if (options & WCONTINUED and c.state is CageState.RUNNING and c.wait_status == W_CONTINUED
                and not c.stop_reported):
            return c, "cont"
    return None


def _wait(cage: Cage, idtype: int, ident: int, options: int, report: object) -> int | Block:
    def attempt() -> int | Block:
        found = _find(cage, idtype, ident, options)
        if found is None:
            if options & WNOHANG:
                return report(None, "")  # type: ignore[operator, no-any-return]
            return Block(retry=attempt, queues=(cage.child_wq,))
        child, what = found
        r: int = report(child, what)  # type: ignore[operator]
        if what == "exit":
            if not options & WNOWAIT:
                cage.kernel.reap(child)
        elif not options & WNOWAIT:
            child.stop_reported = True
        return r

    return attempt()


def _write_rusage(cage: Cage, ptr: int, child: Cage) -> None:
    u, s, rss = child.final_times if child.state is CageState.ZOMBIE else (0, 0, 0)
    g = 1_000_000_000
    cage.mem.write(ptr, bytes(272))
    cage.mem.pack(_RUSAGE_HEAD, ptr, u // g, (u % g) // 1000, s // g, (s % g) // 1000, rss)


def sys_wait4(cage: Cage, pid: int, wstatus: int, options: int, rusage: int, *_: int) -> int | Block:
    """Implements wait4(2)."""
    if options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE):
        raise SyscallError(Errno.EINVAL)
    if pid == -(1 << 31):
        raise SyscallError(Errno.ESRCH)
    if wstatus:
        cage.mem.check(wstatus, 4)
    if rusage:
        cage.mem.check(rusage, 272)
    if pid > 0:
        idtype, ident = P_PID, pid
    elif pid == -1:
        idtype, ident = P_ALL, 0
    elif pid == 0:
        idtype, ident = P_PGID, cage.pgid
    else:
        idtype, ident = P_PGID, -pid

    def report(child: Cage | None, what: str) -> int:
        if child is None:
            return 0
        status = child.wait_status if what == "exit" else (
            0xFFFF if what == "cont" else child.wait_status)
        if wstatus:
            cage.mem.put_i32(wstatus, status)
        if rusage:
            _write_rusage(cage, rusage, child)
        return child.pid

    return _wait(cage, idtype, ident, (options & ~WUNTRACED) | WEXITED | (WSTOPPED if options & WUNTRACED else 0),
                 report)


def sys_waitid(cage: Cage, idtype: int, ident: int, infop: int, options: int, rusage: int, *_: int
               ) -> int | Block:
    """Implements waitid(2)."""
    if options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE):
        raise SyscallError(Errno.EINVAL)
    if not options & (WEXITED | WSTOPPED | WCONTINUED):
        raise SyscallError(Errno.EINVAL)
    if idtype not in (P_ALL, P_PID, P_PGID):
        raise SyscallError(Errno.EINVAL)
    if idtype == P_PID and ident <= 0:
        raise SyscallError(Errno.EINVAL)
    if infop:
        cage.mem.check(infop, 128)

    def report(child: Cage | None, what: str) -> int:
        if infop:
            cage.mem.write(infop, bytes(128))
        if child is None:
            return 0
        ws = child.wait_status
        if what == "exit":
            if ws & 0x7F:
                code, status = (CLD_DUMPED if ws & 0x80 else CLD_KILLED), ws & 0x7F
            else:
                code, status = CLD_EXITED, (ws >> 8) & 0xFF
        elif what == "stop":
            code, status = CLD_STOPPED, (ws >> 8) & 0xFF
        else:
            code, status = CLD_CONTINUED, SIGCONT
        if infop:
            cage.mem.pack(_SIGINFO_CHLD, infop, SIGCHLD, 0, code, child.pid, child.creds.uid, status)
        if rusage:
            _write_rusage(cage, rusage, child)
        return 0

    return _wait(cage, idtype, ident, options, report)


# --- the worker's private calls ---------------------------------------------------------------------


def sys_warden_signal_next(cage: Cage, *_: int) -> int:
    """The worker asks which signal handler to run next (0: none)."""
    return cage.kernel.signal_next(cage, cage.thread)


def sys_warden_sigreturn(cage: Cage, *_: int) -> int:
    """A signal handler returned: restore the thread's mask."""
    return cage.kernel.sigreturn(cage, cage.thread)


def sys_warden_thread_create(cage: Cage, *_: int) -> int:
    """__wasm_thread_spawn: a new thread (tid) with its own ring channel."""
    k = cage.kernel
    if len(cage.threads) >= 64:
        raise SyscallError(Errno.EAGAIN)
    t = k.new_thread(cage)
    try:
        k.host.start_thread(cage, t)
    except SyscallError:
        cage.threads.pop(t.tid, None)
        k.tids.pop(t.tid, None)
        raise
    return t.tid


SYSCALLS = [
    supported("fork", sys_fork),
    partial("vfork", sys_vfork, "behaves as fork: the parent is not suspended"),
    partial("clone", sys_clone, "fork-like flags only; threads come from __wasm_thread_spawn"),
    supported("execve", sys_execve),
    supported("execveat", sys_execveat),
    supported("wait4", sys_wait4),
    supported("waitid", sys_waitid),
    supported("warden_signal_next", sys_warden_signal_next),
    supported("warden_sigreturn", sys_warden_sigreturn),
    supported("warden_thread_create", sys_warden_thread_create),
]
