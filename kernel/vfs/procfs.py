"""/proc: enough of Linux's procfs for ordinary programs.

``/proc/self`` names the calling cage; ``/proc/<pid>/`` has ``exe``, ``cwd``,
``root``, ``fd/``, ``cmdline``, ``environ``, ``comm``, ``maps``, ``stat``,
``status``, ``mounts`` and ``wali_env`` -- the environment as the WALI startup
protocol reads it (one ``KEY=VALUE`` per line; see ``cage.worker.ENV_FILE``).
Unlike Linux, files report their real size, because musl's env-file reader
maps ``st_size`` bytes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.vfs.synth import SNode, SynthFs, sdir, sfile, slink
from kernel.vfs.vfs import Loc

if TYPE_CHECKING:
    from kernel.cage import Cage
    from kernel.file import OpenFile
    from kernel.kernel import Kernel

__all__ = ["PROC_MAGIC", "make_procfs"]

PROC_MAGIC = 0x9FA0


def _fd_magic(f: OpenFile) -> Callable[[Loc], Loc]:
    """Where walking through /proc/<pid>/fd/N leads: the open file's own location (even
    once unlinked), or, for an object without one (host stdio, pipes...), a node whose
    open reopens the object (``OpenFile.reopen``), as Linux reopens through the fd."""

    def jump(link: Loc) -> Loc:
        loc = f.loc
        if isinstance(loc, Loc):
            return loc
        st = f.stat()

        def opener(node: SNode, flags: int) -> OpenFile:
            reopen = getattr(f, "reopen", None)
            if reopen is None:
                raise SyscallError(Errno.ENXIO)
            return reopen(flags)  # type: ignore[no-any-return]

        node = SNode(st.mode, opener=opener, statf=f.stat, uid=st.uid, gid=st.gid, rdev=st.rdev)
        node.ino = st.ino
        node.fs = link.fs  # type: ignore[assignment]
        return Loc(link.mount, node)

    return jump


def make_procfs(get_kernel: Callable[[], Kernel], *, dev: int) -> SynthFs:
    def current() -> Cage:
        k = get_kernel()
        c = getattr(k, "current", None)
        if c is None:
            raise SyscallError(Errno.ENOENT)
        return c  # type: ignore[no-any-return]

    def cage_of(pid: int) -> Cage:
        k = get_kernel()
        c = k.cages.get(pid)
        if c is None or not c.alive:
            raise SyscallError(Errno.ENOENT)
        return c

    def pid_dir(pid: int) -> SNode:
        def c() -> Cage:
            return cage_of(pid)

        def fd_list() -> dict[bytes, SNode]:
            cage = c()
            out = {}
            for fd in sorted(cage.fds.files):
                f = cage.fds.files[fd]
                out[str(fd).encode()] = slink(lambda f=f: f.describe(), magic=_fd_magic(f))
            return out

        def cwd() -> bytes:
            cage = c()
            p = get_kernel().vfs.path_of(cage.fs, cage.fs.cwd)
            return p if p is not None else b"(unreachable)"

        def stat_line() -> bytes:
            cage = c()
            state = {"running": b"R", "stopped": b"T", "zombie": b"Z"}.get(cage.state.value, b"S")
            comm = cage.comm or b"?"
            return b"%d (%s) %s %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 %d 0 0 0 0\n" % (
                cage.pid, comm, state, cage.ppid, cage.pgid, cage.sid, len(cage.threads))

        def status() -> bytes:
            cage = c()
            cr = cage.creds
            return (b"Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nUid:\t%d\t%d\t%d\t%d\n"
                    b"Gid:\t%d\t%d\t%d\t%d\nThreads:\t%d\n" % (
                        cage.comm or b"?", cage.state.value.encode(), cage.pid, cage.pid, cage.ppid,
                        cr.uid, cr.euid, cr.suid, cr.fsuid, cr.gid, cr.egid, cr.sgid, cr.fsgid,
                        len(cage.threads)))

        def maps() -> bytes:
            cage = c()
            lines = []
            for r in cage.vm.regions:
                perms = "".join(ch if r.prot & bit else "-" for ch, bit in (("r", 1), ("w", 2), ("x", 4)))
                perms += "s" if r.flags & 1 else "p"
                lines.append(f"{r.start:08x}-{r.end:08x} {perms} {r.offset:08x} 00:00 0 {r.name}\n")
            return "".join(lines).encode()

        return sdir({
            b"exe": slink(lambda: c().exe or b"/"),
            b"cwd": slink(cwd, magic=lambda link: c().fs.cwd),
            b"root": slink(lambda: b"/", magic=lambda link: c().fs.root),
            b"fd": sdir(lister=fd_list, mode=0o500),
            b"cmdline": sfile(lambda: b"".join(a + b"\0" for a in c().argv)),
            b"environ": sfile(lambda: b"".join(e + b"\0" for e in c().env), mode=0o400),
            b"wali_env": sfile(lambda: b"".join(e + b"\n" for e in c().env), mode=0o400),
            b"comm": sfile(lambda: (c().comm or b"?") + b"\n"),
            b"stat": sfile(stat_line),
            b"status": sfile(status),
            b"maps": sfile(maps),
            b"mounts": sfile(mounts),
        })

    def mounts() -> bytes:
        k = get_kernel()
        lines = []
        for m in k.vfs.all_mounts:
            where = b"/"
            if m.mountpoint is not None:
                p = k.vfs.path_of(k.vfs.root_context(), m.mountpoint)
                where = p or b"?"
            kind = type(m.fs).__name__.lower().replace("fs", "") or "fs"
            opts = b"ro" if m.readonly else b"rw"
            lines.append(b"%s %s %s %s 0 0\n" % (m.source.encode() or b"none", where, kind.encode(), opts))
        return b"".join(lines)

    def root_list() -> dict[bytes, SNode]:
        k = get_kernel()
        out: dict[bytes, SNode] = dict(static)
        for pid, cage in k.cages.items():
            if cage.alive and pid != 1:
                out[str(pid).encode()] = pid_dir(pid)
        return out

    def meminfo() -> bytes:
        try:
            with open("/proc/meminfo", "rb") as f:
                return f.read()
        except OSError:
            return b""

    def cpuinfo() -> bytes:
        try:
            with open("/proc/cpuinfo", "rb") as f:
                return f.read()
        except OSError:
            return b""

    def uptime() -> bytes:
        up = (time.monotonic_ns() - get_kernel().boot_ns) / 1e9
        return b"%.2f %.2f\n" % (up, up)

    static: dict[bytes, SNode] = {
        b"self": slink(lambda: str(current().pid).encode()),
        b"thread-self": slink(lambda: b"%d/task/%d" % (current().pid, current().thread.tid)),
        b"mounts": slink(lambda: b"self/mounts"),
        b"meminfo": sfile(meminfo),
        b"cpuinfo": sfile(cpuinfo),
        b"uptime": sfile(uptime),
        b"loadavg": sfile(lambda: b"%.2f %.2f %.2f 1/1 1\n" % os.getloadavg()),
        b"version": sfile(lambda: b"Linux version 6.1.0-warden (warden) #1 SMP\n"),
        b"filesystems": sfile(lambda: b"nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n"),
    }
    return SynthFs(sdir(lister=root_list), dev=dev, magic=PROC_MAGIC)
