"""Process identity, credentials, limits, system information, scheduling.

Credentials follow credentials(7): real/effective/saved/filesystem ids, with
the unprivileged rules for set*id (an unprivileged process may only switch
among ids it already has); fsuid tracks euid. Process groups and sessions
follow setpgid(2)/setsid(2).
"""

from __future__ import annotations

import os
import struct
import time
from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    PR_GET_CHILD_SUBREAPER as PR_GET_CHILD_SUBREAPER,
    PR_GET_DUMPABLE as PR_GET_DUMPABLE,
    PR_GET_NAME as PR_GET_NAME,
    PR_GET_NO_NEW_PRIVS as PR_GET_NO_NEW_PRIVS,
    PR_GET_PDEATHSIG as PR_GET_PDEATHSIG,
    PR_SET_CHILD_SUBREAPER as PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE as PR_SET_DUMPABLE,
    PR_SET_NAME as PR_SET_NAME,
    PR_SET_NO_NEW_PRIVS as PR_SET_NO_NEW_PRIVS,
    PR_SET_PDEATHSIG as PR_SET_PDEATHSIG,
    RUSAGE_CHILDREN as RUSAGE_CHILDREN,
    RUSAGE_SELF as RUSAGE_SELF,
    RUSAGE_THREAD as RUSAGE_THREAD,
)
from abi.messages import ReplyFlag
from abi.structs import Rlimit, Rusage, Sysinfo, Utsname
from kernel.cage import RLIMIT_NOFILE, CageState, Creds
from kernel.errors import SyscallError
from kernel.fdtable import NR_OPEN
from kernel.kernel import W_EXITCODE
from kernel.table import partial, supported

if TYPE_CHECKING:
    from kernel.cage import Cage

__all__ = ["SYSCALLS"]

RLIM_NLIMITS: Final = 16
NGROUPS_MAX: Final = 65536

_RLIMIT = Rlimit.FMT
_U32 = struct.Struct("<I")
_TMS = struct.Struct("<qqqq")


# --- identity -----------------------------------------------------------------------------


def sys_getpid(cage: Cage, *_: int) -> int:
    """Implements getpid(2)."""
    return cage.pid


def sys_getppid(cage: Cage, *_: int) -> int:
    """Implements getppid(2)."""
    return cage.ppid


def sys_gettid(cage: Cage, *_: int) -> int:
    """Implements gettid(2)."""
    return cage.thread.tid


def sys_getuid(cage: Cage, *_: int) -> int:
    """Implements getuid(2)."""
    return cage.creds.uid


def sys_geteuid(cage: Cage, *_: int) -> int:
    """Implements geteuid(2)."""
    return cage.creds.euid


def sys_getgid(cage: Cage, *_: int) -> int:
    """Implements getgid(2)."""
    return cage.creds.gid


def sys_getegid(cage: Cage, *_: int) -> int:
    """Implements getegid(2)."""
    return cage.creds.egid


def _as_int(v: int) -> int:
    """A C ``int`` argument that the ABI widened as unsigned (``gidsetsize``)."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def sys_getgroups(cage: Cage, size: int, lst: int, *_: int) -> int:
    """Implements getgroups(2)."""
    groups = cage.creds.groups
    size = _as_int(size)
    if size < 0:
        raise SyscallError(Errno.EINVAL)
    if size == 0:
        return len(groups)
    if size < len(groups):
        raise SyscallError(Errno.EINVAL)
    cage.mem.write(lst, struct.pack(f"<{len(groups)}I", *groups))
    return len(groups)


def sys_setgroups(cage: Cage, size: int, lst: int, *_: int) -> int:
    """Implements setgroups(2) (privileged)."""
    # Linux (kernel/groups.c) checks the capability first, then the size, then
    # copies the list; the kernel keeps it sorted (groups_sort), duplicates and all.
    if cage.creds.euid != 0:
        raise SyscallError(Errno.EPERM)
    size = size & 0xFFFFFFFF
    if size > NGROUPS_MAX:
        raise SyscallError(Errno.EINVAL)
    groups = struct.unpack(f"<{size}I", cage.mem.read(lst, 4 * size)) if size else ()
    cage.creds.groups = tuple(sorted(groups))
    return 0


def _id(v: int) -> int:
    """-1 (as u32 or i32) means "unchanged"."""
    return -1 if v in (-1, 0xFFFFFFFF) else v


def sys_setuid(cage: Cage, uid: int, *_: int) -> int:
    """Implements setuid(2)."""
    c = cage.creds
    uid = _id(uid)
    if uid < 0:
        raise SyscallError(Errno.EINVAL)
    if c.euid == 0:
        c.uid = c.euid = c.suid = c.fsuid = uid
    elif uid in (c.uid, c.suid):
        c.euid = c.fsuid = uid
    else:
        raise SyscallError(Errno.EPERM)
    return 0


def sys_setgid(cage: Cage, gid: int, *_: int) -> int:
    """Implements setgid(2)."""
    c = cage.creds
    gid = _id(gid)
    if gid < 0:
        raise SyscallError(Errno.EINVAL)
    if c.euid == 0:
        c.gid = c.egid = c.sgid = c.fsgid = gid
    elif gid in (c.gid, c.sgid):
        c.egid = c.fsgid = gid
    else:
        raise SyscallError(Errno.EPERM)
    return 0


def _setre(c: Creds, r: int, e: int, *, group: bool) -> None:
    cur_r, cur_e, cur_s = (c.gid, c.egid, c.sgid) if group else (c.uid, c.euid, c.suid)
    priv = c.euid == 0
    r, e = _id(r), _id(e)
    if not priv:
        if r != -1 and r not in (cur_r, cur_e):
            raise SyscallError(Errno.EPERM)
        if e != -1 and e not in (cur_r, cur_e, cur_s):
            raise SyscallError(Errno.EPERM)
    new_r = cur_r if r == -1 else r
    new_e = cur_e if e == -1 else e
    new_s = cur_s
    if r != -1 or (e != -1 and e != cur_r):
        new_s = new_e
    if group:
        c.gid, c.egid, c.sgid, c.fsgid = new_r, new_e, new_s, new_e
    else:
        c.uid, c.euid, c.suid, c.fsuid = new_r, new_e, new_s, new_e


def sys_setreuid(cage: Cage, ruid: int, euid: int, *_: int) -> int:
    """Implements setreuid(2)."""
    _setre(cage.creds, ruid, euid, group=False)
    return 0


def sys_setregid(cage: Cage, rgid: int, egid: int, *_: int) -> int:
    """Implements setregid(2)."""
    _setre(cage.creds, rgid, egid, group=True)
    return 0


def _setres(c: Creds, r: int, e: int, s: int, *, group: bool) -> None:
    cur = (c.gid, c.egid, c.sgid) if group else (c.uid, c.euid, c.suid)
    new = [cur[i] if _id(v) == -1 else _id(v) for i, v in enumerate((r, e, s))]
    if c.euid != 0:
        for i, v in enumerate((r, e, s)):
            if _id(v) != -1 and _id(v) not in cur:
                raise SyscallError(Errno.EPERM)
    if group:
        c.gid, c.egid, c.sgid = new
        c.fsgid = c.egid
    else:
        c.uid, c.euid, c.suid = new
        c.fsuid = c.euid


def sys_setresuid(cage: Cage, ruid: int, euid: int, suid: int, *_: int) -> int:
    """Implements setresuid(2)."""
    _setres(cage.creds, ruid, euid, suid, group=False)
    return 0


def sys_setresgid(cage: Cage, rgid: int, egid: int, sgid: int, *_: int) -> int:
    """Implements setresgid(2)."""
    _setres(cage.creds, rgid, egid, sgid, group=True)
    return 0


def sys_getresuid(cage: Cage, r: int, e: int, s: int, *_: int) -> int:
    """Implements getresuid(2)."""
    c = cage.creds
    for ptr, v in ((r, c.uid), (e, c.euid), (s, c.suid)):
        cage.mem.put_u32(ptr, v)
    return 0


def sys_getresgid(cage: Cage, r: int, e: int, s: int, *_: int) -> int:
    """Implements getresgid(2)."""
    c = cage.creds
    for ptr, v in ((r, c.gid), (e, c.egid), (s, c.sgid)):
        cage.mem.put_u32(ptr, v)
    return 0


def sys_setfsuid(cage: Cage, uid: int, *_: int) -> int:
    """Implements setfsuid(2): returns the previous fsuid."""
    c = cage.creds
    old = c.fsuid
    uid = _id(uid)
    if uid != -1 and (c.euid == 0 or uid in (c.uid, c.euid, c.suid, c.fsuid)):
        c.fsuid = uid
    return old


def sys_setfsgid(cage: Cage, gid: int, *_: int) -> int:
    """Implements setfsgid(2): returns the previous fsgid."""
    c = cage.creds
    old = c.fsgid
    gid = _id(gid)
    if gid != -1 and (c.euid == 0 or gid in (c.gid, c.egid, c.sgid, c.fsgid)):
        c.fsgid = gid
    return old


# --- process groups and sessions ------------------------------------------------------------------


def _target(cage: Cage, pid: int, *, zombie: bool = True) -> Cage:
    """The process ``pid`` names (0: the caller). A zombie is still a process
    until it is reaped (getpgid/getsid/sched_* find it on Linux) unless the
    call needs a live one (``zombie=False``)."""
    if pid == 0:
        return cage
    if pid < 0:
        raise SyscallError(Errno.ESRCH)
    t = cage.kernel.cages.get(pid)
    if t is None or t is cage.kernel.init or not (t.alive or (zombie and t.state is CageState.ZOMBIE)):
        raise SyscallError(Errno.ESRCH)
    return t


def sys_getpgid(cage: Cage, pid: int, *_: int) -> int:
    """Implements getpgid(2)."""
    return _target(cage, pid).pgid


def sys_getpgrp(cage: Cage, *_: int) -> int:
    """Implements getpgrp(2)."""
    return cage.pgid


def sys_getsid(cage: Cage, pid: int, *_: int) -> int:
    """Implements getsid(2)."""
    return _target(cage, pid).sid


def sys_setpgid(cage: Cage, pid: int, pgid: int, *_: int) -> int:
    """Implements setpgid(2)."""
    if pgid < 0:
        raise SyscallError(Errno.EINVAL)
    t = _target(cage, pid, zombie=False)
    if t is not cage:
        if t.ppid != cage.pid:
            raise SyscallError(Errno.ESRCH)
        if t.sid != cage.sid:
            raise SyscallError(Errno.EPERM)
        if t.did_exec:
            raise SyscallError(Errno.EACCES)
    if t.sid == t.pid:
        raise SyscallError(Errno.EPERM)  # a session leader cannot move
    new = t.pid if pgid == 0 else pgid
    if new != t.pid:
        if not any(c.pgid == new and c.sid == cage.sid and c.alive for c in cage.kernel.cages.values()):
            raise SyscallError(Errno.EPERM)
    t.pgid = new
    return 0


def sys_setsid(cage: Cage, *_: int) -> int:
    """Implements setsid(2)."""
    if any(c.pgid == cage.pid and c.alive for c in cage.kernel.cages.values()):
        raise SyscallError(Errno.EPERM)  # already a process group leader
    cage.sid = cage.pgid = cage.pid
    return cage.pid


# --- exit -----------------------------------------------------------------------------------


def sys_exit_group(cage: Cage, status: int, *_: int) -> int:
    """Implements exit_group(2): the whole cage ends with ``status & 0xff``."""
    cage.thread.flags |= ReplyFlag.EXIT
    cage.kernel.exit_cage(cage, W_EXITCODE(status))
    return status & 0xFF


def sys_exit(cage: Cage, status: int, *_: int) -> int:
    """Implements exit(2): ends the calling thread; the last thread ends the cage."""
    t = cage.thread
    live = [x for x in cage.threads.values() if x.alive]
    if len(live) <= 1:
        return sys_exit_group(cage, status)
    cage.kernel.exit_thread(cage, t)  # type: ignore[attr-defined]
    t.flags |= ReplyFlag.THREAD_EXIT
    return 0


def sys_set_tid_address(cage: Cage, tidptr: int, *_: int) -> int:
    """Implements set_tid_address(2)."""
    cage.thread.clear_child_tid = tidptr
    return cage.thread.tid


def sys_set_robust_list(cage: Cage, head: int, length: int, *_: int) -> int:
    """Implements set_robust_list(2): recorded (robust futexes are not walked at exit)."""
    if length != 24:
        raise SyscallError(Errno.EINVAL)
    cage.thread.robust_list = head
    return 0


# --- limits and usage ---------------------------------------------------------------------------


def _rlimit_get(cage: Cage, res: int) -> tuple[int, int]:
    if res < 0 or res >= RLIM_NLIMITS:
        raise SyscallError(Errno.EINVAL)
    return cage.rlimits[res]


def _rlimit_set(cage: Cage, res: int, cur: int, mx: int) -> None:
    """Linux's do_prlimit: resource, soft <= hard, the NOFILE ceiling, then privilege."""
    if res < 0 or res >= RLIM_NLIMITS or cur > mx:
        raise SyscallError(Errno.EINVAL)
    # fs.nr_open bounds RLIMIT_NOFILE for everyone, root included (RLIM_INFINITY too).
    if res == RLIMIT_NOFILE and mx > NR_OPEN:
        raise SyscallError(Errno.EPERM)
    _old_cur, old_max = cage.rlimits[res]
    if mx > old_max and cage.creds.euid != 0:
        raise SyscallError(Errno.EPERM)
    if res == RLIMIT_NOFILE:
        cage.fds.limit = cur
    cage.rlimits[res] = (cur, mx)


def sys_getrlimit(cage: Cage, res: int, buf: int, *_: int) -> int:
    """Implements getrlimit(2)."""
    cur, mx = _rlimit_get(cage, res)
    cage.mem.pack(_RLIMIT, buf, cur, mx)
    return 0


def sys_setrlimit(cage: Cage, res: int, buf: int, *_: int) -> int:
    """Implements setrlimit(2)."""
    cur, mx = cage.mem.unpack(_RLIMIT, buf)
    _rlimit_set(cage, res, cur, mx)
    return 0


def sys_prlimit64(cage: Cage, pid: int, res: int, new: int, old: int, *_: int) -> int:
    """Implements prlimit64(2)."""
    newv = cage.mem.unpack(_RLIMIT, new) if new else None
    t = _target(cage, pid, zombie=False)  # Linux: a task without sighand is ESRCH
    if t is not cage:
        c, tc = cage.creds, t.creds
        if c.euid != 0 and not (c.uid == tc.uid == tc.euid == tc.suid and c.gid == tc.gid == tc.egid == tc.sgid):
            raise SyscallError(Errno.EPERM)
    cur, mx = _rlimit_get(t, res)
    if newv is not None:
        _rlimit_set(t, res, newv[0], newv[1])
    # Like Linux, ``old`` is copied out last, only on success (a fault here is
    # EFAULT even though the new limit already took effect).
    if old:
        cage.mem.pack(_RLIMIT, old, cur, mx)
    return 0


def _timeval(ns: int) -> tuple[int, int]:
    return ns // 1_000_000_000, (ns % 1_000_000_000) // 1000


def sys_getrusage(cage: Cage, who: int, buf: int, *_: int) -> int:
    """Implements getrusage(2): CPU times and max RSS of the cage's worker process."""
    if who not in (RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD):
        raise SyscallError(Errno.EINVAL)
    if who == RUSAGE_CHILDREN:
        u, s, rss = cage.child_times
    else:
        u, s, rss = cage.kernel.host.cpu_times(cage)
    us, uus = _timeval(u)
    ss, sus = _timeval(s)
    # The kernel's struct rusage is 144 bytes; musl's 128-byte reserved tail is
    # the caller's and must not be written (a 144-byte buffer is valid).
    ru = Rusage(us, uus, ss, sus, rss, *([0] * 13))
    cage.mem.write(buf, ru.pack_kernel())
    return 0


def sys_times(cage: Cage, buf: int, *_: int) -> int:
    """Implements times(2): clock ticks (100 Hz) since boot."""
    tick = 10_000_000
    if buf:
        u, s, _rss = cage.kernel.host.cpu_times(cage)
        cu, cs, _ = cage.child_times
        cage.mem.pack(_TMS, buf, u // tick, s // tick, cu // tick, cs // tick)
    return (time.monotonic_ns() - cage.kernel.boot_ns) // tick + 100


# --- system information ----------------------------------------------------------------------------

_RELEASE = b"6.8.0-warden"


def sys_uname(cage: Cage, buf: int, *_: int) -> int:
    """Implements uname(2)."""
    k = cage.kernel
    u = Utsname(b"Linux", k.hostname, _RELEASE, b"#1 SMP PREEMPT_DYNAMIC warden",
                os.uname().machine.encode(), k.domainname)
    cage.mem.write(buf, u.pack())
    return 0


def _set_name(cage: Cage, name: int, length: int, attr: str) -> int:
    if cage.creds.euid != 0:
        raise SyscallError(Errno.EPERM)
    if length < 0 or length > 64:
        raise SyscallError(Errno.EINVAL)
    setattr(cage.kernel, attr, cage.mem.read(name, length))
    return 0


def sys_sethostname(cage: Cage, name: int, length: int, *_: int) -> int:
    """Implements sethostname(2) (privileged; the kernel's UTS name is shared)."""
    return _set_name(cage, name, length, "hostname")


def sys_setdomainname(cage: Cage, name: int, length: int, *_: int) -> int:
    """Implements setdomainname(2) (privileged)."""
    return _set_name(cage, name, length, "domainname")


def _meminfo() -> tuple[int, int, int, int, int]:
    vals = {}
    try:
        with open("/proc/meminfo", "rb") as f:
            for line in f:
                k, _, v = line.partition(b":")
                vals[k] = int(v.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return (vals.get(b"MemTotal", 0), vals.get(b"MemFree", 0), vals.get(b"Shmem", 0),
            vals.get(b"Buffers", 0), vals.get(b"SwapTotal", 0))


def sys_sysinfo(cage: Cage, buf: int, *_: int) -> int:
    """Implements sysinfo(2): the host's memory, the kernel's uptime and cage count."""
    total, free, shared, buffers, swap = _meminfo()
    up = (time.monotonic_ns() - cage.kernel.boot_ns) // 1_000_000_000
    loads = [int(x * 65536) for x in os.getloadavg()]
    procs = min(len(cage.kernel.live_cages()), 0xFFFF)
    s = Sysinfo(up, loads[0], loads[1], loads[2], total, free, shared, buffers, swap, swap, procs, 0, 0, 1)
    cage.mem.write(buf, s.pack_kernel())  # Linux writes 112 bytes, not musl's 368
    return 0


# --- prctl and scheduling ------------------------------------------------------------------------



def _read_comm(cage: Cage, ptr: int) -> bytes:
    """Linux's strncpy_from_user(comm, ptr, 15): at most 15 bytes, no NUL needed.

    Bytes are read one page-bounded chunk at a time so that a short name at the
    very end of memory is not EFAULT.
    """
    mem = cage.mem
    out = b""
    while len(out) < 15:
        p = ptr + len(out)
        n = min(15 - len(out), 4096 - (p & 4095))
        chunk = mem.read(p, n)
        i = chunk.find(b"\0")
        if i >= 0:
            return out + chunk[:i]
        out += chunk
    return out


def sys_prctl(cage: Cage, option: int, a2: int, a3: int, a4: int, a5: int, *_: int) -> int:
    """Implements prctl(2): names, pdeathsig, dumpable, subreaper, no_new_privs."""
    st = cage.prctl
    if option == PR_SET_NAME:
        cage.comm = _read_comm(cage, a2 & 0xFFFFFFFF)
        return 0
    if option == PR_GET_NAME:
        cage.mem.write(a2 & 0xFFFFFFFF, cage.comm[:15].ljust(16, b"\0"))
        return 0
    if option == PR_SET_PDEATHSIG:
        if a2 < 0 or a2 > 64:
            raise SyscallError(Errno.EINVAL)
        st["pdeathsig"] = a2
        return 0
    if option == PR_GET_PDEATHSIG:
        cage.mem.put_i32(a2 & 0xFFFFFFFF, st.get("pdeathsig", 0))
        return 0
    if option == PR_SET_DUMPABLE:
        if a2 not in (0, 1):
            raise SyscallError(Errno.EINVAL)
        st["dumpable"] = a2
        return 0
    if option == PR_GET_DUMPABLE:
        return int(st.get("dumpable", 1))
    if option == PR_SET_CHILD_SUBREAPER:
        st["subreaper"] = 1 if a2 else 0
        return 0
    if option == PR_GET_CHILD_SUBREAPER:
        cage.mem.put_i32(a2 & 0xFFFFFFFF, st.get("subreaper", 0))
        return 0
    if option == PR_SET_NO_NEW_PRIVS:
        if a2 != 1 or a3 or a4 or a5:
            raise SyscallError(Errno.EINVAL)
        st["no_new_privs"] = 1
        return 0
    if option == PR_GET_NO_NEW_PRIVS:
        return int(st.get("no_new_privs", 0))
    raise SyscallError(Errno.EINVAL)


def sys_sched_yield(cage: Cage, *_: int) -> int:
    """Implements sched_yield(2)."""
    return 0


def _cpus() -> int:
    """The host CPUs the kernel may run on, as a bit mask (bit n = CPU n)."""
    try:
        return sum(1 << c for c in os.sched_getaffinity(0))
    except OSError:
        return (1 << (os.cpu_count() or 1)) - 1


def sys_sched_getaffinity(cage: Cage, pid: int, size: int, mask: int, *_: int) -> int:
    """Implements sched_getaffinity(2): the host CPUs the kernel may use."""
    _target(cage, pid)
    bits = _cpus()
    # Linux: EINVAL if the buffer cannot hold nr_cpu_ids bits or is not a whole
    # number of longs; it writes and returns min(size, cpumask_size()).
    need = (bits.bit_length() + 63) // 64 * 8
    if size * 8 < bits.bit_length() or size & 7:
        raise SyscallError(Errno.EINVAL)
    n = min(size, need)
    cage.mem.write(mask, bits.to_bytes(n, "little"))
    return n


def sys_sched_setaffinity(cage: Cage, pid: int, size: int, mask: int, *_: int) -> int:
    """Implements sched_setaffinity(2): validated; placement is the kernel's."""
    _target(cage, pid)
    data = cage.mem.read(mask, min(size, 128))
    if not int.from_bytes(data, "little") & _cpus():
        raise SyscallError(Errno.EINVAL)
    return 0


def sys_sched_getscheduler(cage: Cage, pid: int, *_: int) -> int:
    """Implements sched_getscheduler(2): everything is SCHED_OTHER."""
    _target(cage, pid)
    return 0


def sys_sched_setscheduler(cage: Cage, pid: int, policy: int, param: int, *_: int) -> int:
    """Implements sched_setscheduler(2): SCHED_OTHER/BATCH/IDLE accepted, real-time EPERM."""
    _target(cage, pid)
    prio = cage.mem.i32(param)
    if policy in (0, 3, 5):
        if prio != 0:
            raise SyscallError(Errno.EINVAL)
        return 0
    if policy in (1, 2):
        raise SyscallError(Errno.EPERM)
    raise SyscallError(Errno.EINVAL)


def sys_sched_getparam(cage: Cage, pid: int, param: int, *_: int) -> int:
    """Implements sched_getparam(2)."""
    _target(cage, pid)
    cage.mem.put_i32(param, 0)
    return 0


def sys_sched_get_priority_max(cage: Cage, policy: int, *_: int) -> int:
    """Implements sched_get_priority_max(2)."""
    if policy in (1, 2):
        return 99
    if policy in (0, 3, 5):
        return 0
    raise SyscallError(Errno.EINVAL)


def sys_sched_get_priority_min(cage: Cage, policy: int, *_: int) -> int:
    """Implements sched_get_priority_min(2)."""
    if policy in (1, 2):
        return 1
    if policy in (0, 3, 5):
        return 0
    raise SyscallError(Errno.EINVAL)


def sys_getpriority(cage: Cage, which: int, who: int, *_: int) -> int:
    """Implements getpriority(2): returns 20 - nice, as the raw syscall does."""
    if which not in (0, 1, 2):
        raise SyscallError(Errno.EINVAL)
    t = _target(cage, who) if which == 0 else cage
    return 20 - t.nice


def sys_setpriority(cage: Cage, which: int, who: int, prio: int, *_: int) -> int:
    """Implements setpriority(2): lowering priority is free, raising needs privilege."""
    if which not in (0, 1, 2):
        raise SyscallError(Errno.EINVAL)
    t = _target(cage, who) if which == 0 else cage
    nice = max(-20, min(19, prio))
    if nice < t.nice and cage.creds.euid != 0:
        raise SyscallError(Errno.EACCES)
    t.nice = nice
    return 0


def sys_getcpu(cage: Cage, cpu: int, node: int, *_: int) -> int:
    """Implements getcpu(2)."""
    if cpu:
        cage.mem.put_u32(cpu, 0)
    if node:
        cage.mem.put_u32(node, 0)
    return 0


SYSCALLS = [
    supported("getpid", sys_getpid),
    supported("getppid", sys_getppid),
    supported("gettid", sys_gettid),
    supported("getuid", sys_getuid),
    supported("geteuid", sys_geteuid),
    supported("getgid", sys_getgid),
    supported("getegid", sys_getegid),
    supported("getgroups", sys_getgroups),
    supported("setgroups", sys_setgroups),
    supported("setuid", sys_setuid),
    supported("setgid", sys_setgid),
    supported("setreuid", sys_setreuid),
    supported("setregid", sys_setregid),
    supported("setresuid", sys_setresuid),
    supported("setresgid", sys_setresgid),
    supported("getresuid", sys_getresuid),
    supported("getresgid", sys_getresgid),
    supported("setfsuid", sys_setfsuid),
    supported("setfsgid", sys_setfsgid),
    supported("getpgid", sys_getpgid),
    supported("getpgrp", sys_getpgrp),
    supported("getsid", sys_getsid),
    supported("setpgid", sys_setpgid),
    supported("setsid", sys_setsid),
    supported("exit_group", sys_exit_group),
    supported("exit", sys_exit),
    supported("set_tid_address", sys_set_tid_address),
    partial("set_robust_list", sys_set_robust_list, "recorded; robust futexes are not released at exit"),
    supported("getrlimit", sys_getrlimit),
    supported("setrlimit", sys_setrlimit),
    supported("prlimit64", sys_prlimit64),
    partial("getrusage", sys_getrusage, "CPU times and max RSS only"),
    supported("times", sys_times),
    supported("uname", sys_uname),
    supported("sethostname", sys_sethostname),
    supported("setdomainname", sys_setdomainname),
    supported("sysinfo", sys_sysinfo),
    partial("prctl", sys_prctl, "names, pdeathsig, dumpable, subreaper, no_new_privs"),
    supported("sched_yield", sys_sched_yield),
    supported("sched_getaffinity", sys_sched_getaffinity),
    partial("sched_setaffinity", sys_sched_setaffinity, "validated; placement is the kernel's"),
    supported("sched_getscheduler", sys_sched_getscheduler),
    partial("sched_setscheduler", sys_sched_setscheduler, "real-time policies are EPERM"),
    supported("sched_getparam", sys_sched_getparam),
    supported("sched_get_priority_max", sys_sched_get_priority_max),
    supported("sched_get_priority_min", sys_sched_get_priority_min),
    partial("getpriority", sys_getpriority, "nice is bookkeeping"),
    partial("setpriority", sys_setpriority, "nice is bookkeeping"),
    supported("getcpu", sys_getcpu),
]
