"""The trio shell around the sans-IO kernel: workers, rings, parking, the clock.

Theory of operation
-------------------
One task (``_serve_rings``) serves every cage. A cage publishes a request in
its ring and sets its ``ready`` byte in the shared kernel page; the task finds
ready bytes with one ``mmap.find`` and dispatches every pending request
synchronously, without a trio checkpoint per call: a trio wake-up costs ~6 us,
more than a whole round trip, so the design never pays one per syscall.
(A per-cage task blocking on its own eventfd was measured at 9 us p50 against
3.2 us for this doorbell design, see MEASURED section 3.)

After the last request, the task spins for ``spin_us`` re-scanning (a cage on
another core sees ~1 us round trips), then announces ``sleeping`` in the kernel
page, re-scans once after a fence, and blocks in trio on the doorbell eventfd.
Cages ring the doorbell only when they see ``sleeping``. While spinning, the
task checkpoints every ``yield_us`` so timers, parked calls and control
sockets make progress.

A call that must wait (the handler returned ``Block``) is handed to its own
trio task, which waits on the Block's queues, deadline, host fd and the cage's
signal queue, then retries the handler and writes the reply.

Each cage also has a supervisor task reading its control socket (memory
attach, traps) until the worker hangs up; then the worker's
exit status decides the cage's if the cage had not already exited.
"""

from __future__ import annotations

import logging
import math
import mmap
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgpack
import trio

from abi import ring as R
from abi.errno import Errno
from abi.messages import Ctl, MessageError, ReplyFlag, decode_ctl, encode_ctl, validate_syscall
from kernel import file as file_mod
from kernel.block import Block, WaitQueue
from kernel.cage import Cage, CageState, Thread
from kernel.errors import ProtocolError, SyscallError
from kernel.kernel import W_EXITCODE, W_SIGNALED, Kernel
from kernel.mem import CageMemory
from kernel.signals import SA_RESTART, deliverable

if TYPE_CHECKING:
    from kernel.vfs.vfs import Vfs

__all__ = ["Server", "ServerConfig"]

log = logging.getLogger("warden.kernel")

_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
_ENOSYS = -int(Errno.ENOSYS)
_EINTR = -int(Errno.EINTR)
#: Never reaches a program: the worker resends the call after running handlers.
_ERESTARTSYS = -512
_I64 = 1 << 63
_CLK_TCK = os.sysconf("SC_CLK_TCK")
#: Polls a cage makes for a reply before blocking, and how many of them spin tight.
_CAGE_SPIN = int(os.environ.get("WARDEN_CAGE_SPIN", "100"))
_CAGE_TIGHT = min(_CAGE_SPIN, 25)


@dataclass
class ServerConfig:
    spin_us: float = 50.0
    #: Part of the spin that polls without sched_yield (a cage's next request
    #: usually follows its reply within a few microseconds).
    tight_spin_us: float = float(os.environ.get("WARDEN_TIGHT_SPIN_US", "5"))
    yield_us: float = 200.0
    #: Safety net: wake up this often even if the doorbell handshake lost a race.
    sleep_timeout_s: float = 0.01
    max_cages: int = 4096
    nchannels: int = 64
    python: str = sys.executable
    worker_env: dict[str, str] = field(default_factory=dict)
    #: Call this with (cage, message) for traps; the CLI prints them.
    on_trap: Callable[[Cage, str], None] | None = None
    #: Write-back interval of filesystems with a persistent store (their ``flush``).
    flush_interval_s: float = 1.0
    #: CPU placement: "dedicated" pins the kernel to one CPU and every worker to the
    #: others (fast syscalls under load, one CPU less for wasm); "shared" lets the
    #: OS place everything; "auto" is dedicated from 4 CPUs up.
    cpus: str = field(default_factory=lambda: os.environ.get("WARDEN_CPUS", "auto"))
    #: Deliver signals to cages running wasm without syscalls (epoch interruption;
    #: costs up to ~25% in tight call-heavy loops). Off: at the next syscall only.
    async_signals: bool = True
    #: Print every syscall (cage, name, arguments, result) to stderr, strace-like.
    trace: bool = field(default_factory=lambda: bool(os.environ.get("WARDEN_TRACE")))


class Channel:
    """Kernel-side state of one ring channel (one cage thread)."""

    __slots__ = (
        "base",
        "busy",
        "efd",
        "index",
        "len_off",
        "req_lo",
        "res_off",
        "resp_off",
        "seen",
        "thread",
        "wait_off",
    )

    def __init__(self, index: int, efd: int, thread: Thread) -> None:
        self.index = index
        self.base = R.channel_offset(index)
        self.len_off = self.base + R.CH_REQ_LEN
        self.req_lo = self.base + R.CH_REQ
        self.resp_off = self.base + R.CH_RESP_SEQ
        self.res_off = self.base + R.CH_RESULT
        self.wait_off = self.base + R.CH_WAITING
        self.efd = efd
        self.seen = 0
        self.thread = thread
        #: A parked call is in flight on this channel.
        self.busy = False


class CageHost:
    """Server-side resources of one cage: worker process, ring, control socket."""

    def __init__(self, cage: Cage, slot: int, ring_fd: int, ring: mmap.mmap, ctl: socket.socket) -> None:
        self.cage = cage
        self.slot = slot
        self.ring_fd = ring_fd
        self.ring = ring
        self.ctl = ctl
        self.channels: list[Channel] = []
        self.pid = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.trap: tuple[str, int] | None = None
        self.killed = False
        self.closed = False
        #: Set once the worker is gone and the host's resources are released.
        self.done = trio.Event()
        #: eventfd the kernel writes to interrupt running wasm (signal delivery).
        self.irq = -1
        #: What the next HELLO attaches: "start"/"exec" reset the mmap area, "fork" keeps it.
        self.attach = "start"
        #: Cancel scopes of armed interval timers, by ITIMER_* kind.
        self.timers: dict[int, trio.CancelScope] = {}

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for ch in self.channels:
            try:
                os.close(ch.efd)
            except OSError:
                pass
        self.channels = []
        for scope in self.timers.values():
            scope.cancel()
        if self.irq >= 0:
            try:
                os.close(self.irq)
            except OSError:
                pass
            self.irq = -1
        try:
            self.ctl.close()
        except OSError:
            pass
        try:
            os.close(self.ring_fd)
        except OSError:
            pass


class Server:
    """Runs a Kernel: owns the kernel page, the doorbell and every worker."""

    def __init__(self, vfs: Vfs, config: ServerConfig | None = None, *, uid: int = 0, gid: int = 0) -> None:
        self.config = config or ServerConfig()
        self.kernel = Kernel(vfs, self, max_cages=self.config.max_cages, uid=uid, gid=gid)
        self.kpage_fd = os.memfd_create("warden-kernel-page", os.MFD_CLOEXEC)
        os.ftruncate(self.kpage_fd, R.KP_SIZE)
        self.kpage = mmap.mmap(self.kpage_fd, R.KP_SIZE)
        self.doorbell = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self.by_slot: list[CageHost | None] = []
        self._free_slots: list[int] = []
        self._ready_end = R.KP_READY
        self._kill_after: list[CageHost] = []
        self._fence = threading.Lock()
        self.nursery: trio.Nursery | None = None
        self.stats = {"syscalls": 0, "parked": 0, "sleeps": 0}
        self._exit_events: dict[int, trio.Event] = {}
        #: The thread whose call is being served right now (it will see SIGNAL on its reply).
        self.serving: Thread | None = None
        #: Host descriptors parked calls wait on (see host_queue).
        self._host_queues: dict[tuple[int, str], WaitQueue] = {}
        file_mod.HOST_CLOSE_HOOKS.append(self._host_fd_closing)
        #: Parked calls a notification made ready, retried after every drain.
        self._ready: list[_Parked] = []
        #: Ready slots seen since the spin hint was last updated.
        self._recent_slots: set[int] = set()
        try:
            ncpu = len(os.sched_getaffinity(0))
        except OSError:
            ncpu = os.cpu_count() or 1
        #: Cores left for spinning cages once the kernel has one.
        self._spare_cpus = max(1, ncpu - 1)
        self._worker_cpus: set[int] | None = None
        mode = self.config.cpus
        if mode == "auto":
            mode = "dedicated" if ncpu >= 4 else "shared"
        if mode == "dedicated" and ncpu >= 2:
            cpus = sorted(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cpus[-1]})
            self._worker_cpus = set(cpus[:-1])
        self.kpage[R.KP_SPIN] = min(255, (_CAGE_SPIN + 3) // 4)
        self.kpage[R.KP_TIGHT] = _CAGE_TIGHT

    # --- Host protocol (called by the kernel core) ----------------------------------------

    def cage_exited(self, cage: Cage) -> None:
        host: CageHost | None = cage.host
        if host is not None and not host.killed:
            host.killed = True
            if self.kernel.current is cage and cage.thread.flags & ReplyFlag.EXIT:
                # Its own exit_group: the worker exits when it reads the reply; it is
                # only killed if it has not within a grace period.
                assert self.nursery is not None
                self.nursery.start_soon(self._kill_later, host, 5.0)
            else:
                # Killed after the current reply (if any) is written.
                self._kill_after.append(host)
        ev = self._exit_events.get(cage.pid)
        if ev is not None:
            ev.set()

    def cpu_times(self, cage: Cage) -> tuple[int, int, int]:
        """(user ns, system ns, max RSS KiB) of the cage's worker process."""
        host: CageHost | None = cage.host
        if host is None or not host.pid:
            return (0, 0, 0)
        try:
            with open(f"/proc/{host.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            tick = 1_000_000_000 // _CLK_TCK
            u, s = int(fields[11]) * tick, int(fields[12]) * tick
            rss = 0
            with open(f"/proc/{host.pid}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"VmHWM:"):
                        rss = int(line.split()[1])
                        break
            return (u, s, rss)
        except (OSError, IndexError, ValueError):
            return (0, 0, 0)

    def signal_pending(self, cage: Cage) -> None:
        """Blocked calls are woken through ``cage.sig_wq``; running wasm is
        interrupted through the worker's irq eventfd (an epoch tick)."""
        host: CageHost | None = cage.host
        if host is None or host.irq < 0 or host.killed:
            return
        # Only threads running wasm need the interrupt: a parked call is woken
        # through sig_wq, and the call being served replies with SIGNAL.
        for ch in host.channels:
            t = ch.thread
            if t.alive and not ch.busy and t is not self.serving:
                try:
                    os.eventfd_write(host.irq, 1)
                except OSError:
                    pass
                return

    # --- fork, exec, threads (Host protocol) --------------------------------------------------

    def start_fork(self, parent: Cage, child: Cage) -> None:
        """Prepare the child's ring and hand it to the parent's worker, which forks."""
        phost: CageHost = parent.host
        host, wctl, efd = self._new_host(child)
        host.attach = "fork"
        host.irq = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        try:
            socket.send_fds(phost.ctl, [encode_ctl(Ctl.FORK, child.pid)],
                            [host.ring_fd, wctl.fileno(), efd, host.irq])
        except OSError:
            wctl.close()
            self._release_host(host)
            child.host = None
            self.kernel.reap(child)
            raise SyscallError(Errno.EAGAIN) from None
        wctl.close()
        assert self.nursery is not None
        self.nursery.start_soon(self._supervise, host)

    def start_exec(self, cage: Cage, wasm: bytes) -> None:
        host: CageHost = cage.host
        fd = os.memfd_create("warden-program", os.MFD_CLOEXEC)
        try:
            os.write(fd, wasm)
            host.attach = "exec"
            for scope in host.timers.values():
                scope.cancel()
            socket.send_fds(host.ctl, [encode_ctl(Ctl.EXEC, cage.argv, cage.env)], [fd])
        finally:
            os.close(fd)
        # Calls of threads that exec killed are answered: they end.
        for ch in host.channels:
            if not ch.thread.alive:
                ch.thread.flags |= ReplyFlag.THREAD_EXIT

    def start_thread(self, cage: Cage, thread: Thread) -> None:
        host: CageHost = cage.host
        used = {ch.index for ch in host.channels}
        index = next((i for i in range(self.config.nchannels) if i not in used), None)
        if index is None:
            raise SyscallError(Errno.EAGAIN)
        efd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        ch = Channel(index, efd, thread)
        # A reused channel keeps its sequence number: pick up where it is.
        ch.seen = R.U64.unpack_from(host.ring, ch.base)[0]
        R.U64.pack_into(host.ring, ch.resp_off, ch.seen)
        thread.channel = index
        host.channels.append(ch)
        socket.send_fds(host.ctl, [encode_ctl(Ctl.CHANNEL, index, thread.tid)], [efd])

    def job_control(self, cage: Cage, *, stop: bool) -> None:
        """A stopped cage's worker is really stopped (SIGSTOP), and continued (SIGCONT)."""
        host: CageHost | None = cage.host
        if host is not None and host.pid and not host.killed:
            try:
                os.kill(host.pid, signal.SIGSTOP if stop else signal.SIGCONT)
            except ProcessLookupError:
                pass

    def thread_exited(self, cage: Cage, thread: Thread) -> None:
        """The channel is dropped after the exiting call's reply (see _handle)."""

    # --- timers -----------------------------------------------------------------------------

    def timer_now(self, cage: Cage, which: int) -> float:
        """The clock an interval timer counts on: wall (REAL) or the worker's CPU time."""
        if which == 0:
            return time.monotonic()
        u, s, _ = self.cpu_times(cage)
        return (u if which == 1 else u + s) / 1e9

    def arm_timer(self, cage: Cage, which: int) -> None:
        host: CageHost | None = cage.host
        if host is None:
            return
        old = host.timers.pop(which, None)
        if old is not None:
            old.cancel()
        if which in cage.itimers and self.nursery is not None:
            scope = trio.CancelScope()
            host.timers[which] = scope
            self.nursery.start_soon(self._run_timer, cage, which, scope)

    async def _run_timer(self, cage: Cage, which: int, scope: trio.CancelScope) -> None:
        signo = (signal.SIGALRM, signal.SIGVTALRM, signal.SIGPROF)[which]
        with scope:
            while cage.alive and which in cage.itimers:
                when, interval = cage.itimers[which]
                if which == 0:
                    await trio.sleep(max(0.0, when - time.monotonic()))
                else:
                    while self.timer_now(cage, which) < when:
                        await trio.sleep(0.01)
                if not cage.alive:
                    return
                if interval > 0:
                    cage.itimers[which] = (when + interval, interval)
                else:
                    cage.itimers.pop(which, None)
                self.kernel.send_signal(cage, int(signo))

    # --- slots -------------------------------------------------------------------------------

    def _alloc_slot(self) -> int:
        if self._free_slots:
            return self._free_slots.pop()
        slot = len(self.by_slot)
        if slot >= R.MAX_CAGES:
            raise SyscallError(Errno.EAGAIN)
        self.by_slot.append(None)
        self._ready_end = R.KP_READY + len(self.by_slot)
        return slot

    # --- workers --------------------------------------------------------------------------------

    def _new_host(self, cage: Cage) -> tuple[CageHost, socket.socket, int]:
        """Ring, control socket pair and channel-0 eventfd for ``cage``."""
        slot = self._alloc_slot()
        nch = self.config.nchannels
        ring_fd = os.memfd_create(f"warden-ring-{cage.pid}", os.MFD_CLOEXEC)
        os.ftruncate(ring_fd, R.ring_size(nch))
        ring = mmap.mmap(ring_fd, R.ring_size(nch))
        R.HDR.pack_into(ring, 0, R.RING_MAGIC, R.RING_VERSION, nch, R.CHANNEL_SIZE, slot, cage.pid)
        kctl, wctl = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        kctl.setblocking(False)
        host = CageHost(cage, slot, ring_fd, ring, kctl)
        efd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        host.channels.append(Channel(0, efd, cage.thread))
        cage.host = host
        self.by_slot[slot] = host
        return host, wctl, efd

    def _release_host(self, host: CageHost) -> None:
        if self.by_slot[host.slot] is host:
            self.by_slot[host.slot] = None
            self._free_slots.append(host.slot)
        host.close()
        host.done.set()

    def start_cage(self, cage: Cage, program_fd: int) -> None:
        """Spawn a worker process for a new cage and send it the program."""
        host, wctl, efd = self._new_host(cage)
        host.irq = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        env = dict(os.environ)
        env.update(self.config.worker_env)
        env["PYTHONPATH"] = _PROJECT_ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["WARDEN_ASYNC_SIGNALS"] = "1" if self.config.async_signals else "0"
        fds = (wctl.fileno(), host.ring_fd, self.kpage_fd, self.doorbell, efd, host.irq)
        try:
            proc = subprocess.Popen(
                [self.config.python, "-m", "cage", *map(str, fds)],
                pass_fds=fds, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env,
                cwd="/", start_new_session=False)
        finally:
            wctl.close()
        host.proc = proc
        host.pid = proc.pid
        if self._worker_cpus:
            try:
                os.sched_setaffinity(proc.pid, self._worker_cpus)
            except OSError:
                pass
        socket.send_fds(host.ctl, [encode_ctl(Ctl.START, cage.argv, cage.env)], [program_fd])
        assert self.nursery is not None
        self.nursery.start_soon(self._supervise, host)

    async def wait_exit(self, cage: Cage) -> int:
        """Wait until ``cage`` has exited; returns its wait status."""
        if cage.alive:
            ev = self._exit_events.setdefault(cage.pid, trio.Event())
            await ev.wait()
        return cage.wait_status

    # --- supervision ------------------------------------------------------------------------------

    async def _supervise(self, host: CageHost) -> None:
        cage = host.cage
        try:
            while True:
                try:
                    data, fds, _f, _a = socket.recv_fds(host.ctl, 1 << 16, 8)
                except BlockingIOError:
                    await trio.lowlevel.wait_readable(host.ctl)
                    continue
                except OSError:
                    break
                if not data:
                    break
                try:
                    tag, items = decode_ctl(data)
                    self._on_ctl(host, tag, items, fds)
                except (MessageError, IndexError, TypeError, ValueError) as e:
                    for fd in fds:
                        os.close(fd)
                    log.warning("cage %d: bad control message (%s): killing it", cage.pid, e)
                    self._kill_worker(host)
        finally:
            await self._reap_worker(host)

    def _on_ctl(self, host: CageHost, tag: Ctl, items: list[Any], fds: list[int]) -> None:
        cage = host.cage
        if tag is Ctl.HELLO:
            size = int(items[0])
            maximum = int(items[1]) if len(items) > 1 else 1 << 32
            if len(items) > 2 and not host.pid:
                host.pid = int(items[2])
            old = cage.mem
            if fds:
                cage.mem = CageMemory(fds[0])
                for fd in fds[1:]:
                    os.close(fd)
            old.close()
            if host.attach == "fork":
                cage.vm.mem_size = size
            else:
                cage.vm.attach(size, maximum)
            host.attach = "start"
            if cage.state is CageState.STARTING:
                cage.state = CageState.RUNNING
            host.ctl.send(encode_ctl(Ctl.GO))
            if cage.state is CageState.STOPPED:
                self.job_control(cage, stop=True)  # stopped before its worker was known
        elif tag is Ctl.TRAP:
            host.trap = (str(items[0]), int(items[1]))
            for fd in fds:
                os.close(fd)
        else:
            for fd in fds:
                os.close(fd)
            raise MessageError(f"unexpected control message {tag!r}")

    async def _reap_worker(self, host: CageHost) -> None:
        cage = host.cage
        status: int | None = None
        if host.pid:
            # The control socket hung up: the worker is exiting or dead. Wait for the
            # process itself (a pidfd works for forked workers too, which are their
            # parent worker's children, not ours).
            try:
                pidfd = os.pidfd_open(host.pid)
            except OSError:
                pidfd = -1
            if pidfd >= 0:
                try:
                    with trio.move_on_after(5):
                        await trio.lowlevel.wait_readable(pidfd)
                finally:
                    os.close(pidfd)
        if host.proc is not None:
            code = host.proc.poll()
            if code is None:
                # Hung up but still running after the grace period: kill it (a
                # blocking wait here would stall every cage).
                self._kill_worker(host)
                code = host.proc.wait()
            status = W_SIGNALED(-code) if code < 0 else W_EXITCODE(code)
        if cage.alive:
            if host.trap is not None:
                msg, signo = host.trap
                if self.config.on_trap is not None:
                    self.config.on_trap(cage, msg)
                status = W_SIGNALED(signo) if signo else W_EXITCODE(1)
            elif status is None:
                status = W_SIGNALED(signal.SIGKILL)
            host.killed = True
            self.kernel.exit_cage(cage, status)
        elif host.trap is not None and self.config.on_trap is not None:
            self.config.on_trap(cage, host.trap[0])
        self._release_host(host)

    async def _kill_later(self, host: CageHost, delay: float) -> None:
        with trio.move_on_after(delay):
            await host.done.wait()
            return
        self._kill_worker(host)

    def _kill_worker(self, host: CageHost) -> None:
        host.killed = True
        if host.pid:
            try:
                os.kill(host.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # --- the ring loop ------------------------------------------------------------------------------

    def _update_spin_hint(self) -> None:
        """Cages may spin tight only while no more cages are busy than there are spare
        cores; beyond that they only poll between sched_yield()s (see abi.ring)."""
        busy = len(self._recent_slots)
        self._recent_slots.clear()
        tight = _CAGE_TIGHT if busy <= self._spare_cpus else 0
        kp = self.kpage
        if kp[R.KP_TIGHT] != tight:
            kp[R.KP_TIGHT] = tight

    async def _serve_rings(self) -> None:
        kp = self.kpage
        drain = self._drain
        spin_ns = int(self.config.spin_us * 1000)
        tight_ns = int(self.config.tight_spin_us * 1000)
        yield_ns = int(self.config.yield_us * 1000)
        now = time.monotonic_ns
        checkpoint = trio.lowlevel.checkpoint
        sched_yield = os.sched_yield
        wait_readable = trio.lowlevel.wait_readable
        fence = self._fence
        doorbell = self.doorbell
        timeout = self.config.sleep_timeout_s
        while True:
            t = now()
            spin_until = t + spin_ns
            next_yield = t + yield_ns
            tight_until = t + tight_ns
            while True:
                if drain():
                    t = now()
                    spin_until = t + spin_ns
                    tight_until = t + tight_ns
                else:
                    t = now()
                    if t >= tight_until:
                        # Past the usual gap between a reply and the next request:
                        # give the core away in case a cage shares it.
                        sched_yield()
                if t >= next_yield:
                    self._update_spin_hint()
                    await checkpoint()
                    next_yield = now() + yield_ns
                if t >= spin_until:
                    break
            kp[R.KP_SLEEPING] = 1
            fence.acquire()
            fence.release()
            if drain():
                kp[R.KP_SLEEPING] = 0
                continue
            self.stats["sleeps"] += 1
            with trio.move_on_after(timeout):
                await wait_readable(doorbell)
            kp[R.KP_SLEEPING] = 0
            try:
                os.eventfd_read(doorbell)
            except BlockingIOError:
                pass

    def _drain(self) -> int:
        """Serve every pending request of every ready cage; returns how many.

        This is the hot path of the whole system, so the common case -- a
        well-formed call of a live thread to its own cage's table, answered at
        once with no reply flags -- is inlined here with everything bound to
        locals; anything else goes through ``_handle``/``_dispatch``/``_reply``.
        """
        kp = self.kpage
        end = self._ready_end
        find = kp.find
        i = find(b"\x01", R.KP_READY, end)
        if i < 0:
            if self._ready:
                self._flush_ready()
            return 0
        n = 0
        by_slot = self.by_slot
        recent = self._recent_slots
        unpack_u64 = R.U64.unpack_from
        unpack_u32 = R.U32.unpack_from
        pack_result = R.RESULT.pack_into
        pack_u64 = R.U64.pack_into
        unpackb = msgpack.unpackb
        kernel = self.kernel
        acquire = self._fence.acquire
        release = self._fence.release
        eventfd_write = os.eventfd_write
        req_max = R.CH_REQ_MAX
        ready0 = R.KP_READY
        trace = self.config.trace
        while i >= 0:
            kp[i] = 0
            host = by_slot[i - ready0]
            recent.add(i)
            if host is not None:
                ring = host.ring
                cage = host.cage
                pid = cage.pid
                table = cage.table
                ntable = len(table)
                for ch in host.channels:
                    if ch.busy:
                        continue
                    seq = unpack_u64(ring, ch.base)[0]
                    if seq == ch.seen:
                        continue
                    ch.seen = seq
                    n += 1
                    thread = ch.thread
                    ln = unpack_u32(ring, ch.len_off)[0]
                    try:
                        msg = unpackb(ring[ch.req_lo:ch.req_lo + ln]) if ln <= req_max else None
                        # Shape check (~0.2 us): 16 items, every number an int; sum()
                        # raises on str/None/list and yields a float if any item is one.
                        fast = (len(msg) == 16 and type(sum(msg[4:], msg[0] + msg[2] + msg[3])) is int
                                and thread.alive and not cage.exiting and msg[3] == pid and not trace)
                    except Exception:
                        fast = False
                    if not fast:
                        self._handle(host, ch, seq)
                        continue
                    num = msg[0]
                    h = table[num] if 0 <= num < ntable else None
                    if h is None:
                        self._handle(host, ch, seq)
                        continue
                    cage.thread = thread
                    kernel.current = cage
                    self.serving = thread
                    try:
                        r = h(cage, msg[4], msg[6], msg[8], msg[10], msg[12], msg[14])
                    except SyscallError as e:
                        r = -e.errno
                    except OSError as e:
                        r = -(e.errno or Errno.EIO)
                    except Exception as e:
                        self.serving = None
                        self._kernel_bug(cage, msg, e)
                        continue
                    self.serving = None
                    if type(r) is not int:
                        self._park(host, ch, seq, r)
                    elif thread.flags or cage.sig.pending or thread.pending or not thread.alive:
                        self._reply(host, ch, seq, r)
                        if not thread.alive and ch.index != 0:
                            self._drop_channel(host, ch)
                    elif -_I64 <= r < _I64:
                        pack_result(ring, ch.res_off, r, 0)
                        pack_u64(ring, ch.resp_off, seq)
                        acquire()  # full fence: publish the reply before reading `waiting`
                        release()
                        if ring[ch.wait_off]:
                            eventfd_write(ch.efd, 1)
                    else:
                        self._kernel_bug(cage, msg, OverflowError(f"result {r} does not fit an i64"))
            i = find(b"\x01", i + 1, end)
        if self._ready or self._kill_after:
            self._flush_ready()
        self.stats["syscalls"] += n
        return n

    def _handle(self, host: CageHost, ch: Channel, seq: int) -> None:
        cage = host.cage
        if not cage.alive:
            return
        ring = host.ring
        ln = R.U32.unpack_from(ring, ch.len_off)[0]
        try:
            if ln > R.CH_REQ_MAX:
                raise ProtocolError(f"request length {ln} exceeds the channel")
            try:
                msg = msgpack.unpackb(ring[ch.req_lo:ch.req_lo + ln])
                # Shape check on the hot path (~0.2 us): 16 items, every number an int.
                # sum() raises on str/None/list and yields a float if any item is one.
                if len(msg) != 16 or type(sum(msg[4:], msg[0] + msg[2] + msg[3])) is not int:
                    raise ValueError("not a MAKE_SYSCALL message")
            except Exception as e:
                raise ProtocolError(f"malformed request: {e}") from None
            self.serving = ch.thread
            try:
                r = self._dispatch(cage, ch.thread, msg)
            finally:
                self.serving = None
            if self.config.trace:
                args = ", ".join(hex(a) if a > 4096 else str(a) for a in msg[4:16:2])
                res = r if type(r) is int else "<blocks>"
                print(f"[{cage.pid}:{ch.thread.tid}] {msg[1]}({args}) = {res}", file=sys.stderr, flush=True)
        except ProtocolError as e:
            log.warning("cage %d broke the ring protocol (%s): killing it", cage.pid, e)
            self._kill_worker(host)
            self.kernel.exit_cage(cage, W_SIGNALED(signal.SIGKILL))
            return
        if type(r) is int:
            self._reply(host, ch, seq, r)
            if not ch.thread.alive and ch.index != 0:
                self._drop_channel(host, ch)
        else:
            self._park(host, ch, seq, r)  # type: ignore[arg-type]

    def _drop_channel(self, host: CageHost, ch: Channel) -> None:
        if ch in host.channels:
            host.channels.remove(ch)
            try:
                os.close(ch.efd)
            except OSError:
                pass

    def _dispatch(self, cage: Cage, thread: Thread, msg: Any) -> int | Block:
        """Run one call through the cage's 3i table; errno conversion happens here, once."""
        cage.thread = thread
        self.kernel.current = cage
        if not thread.alive:
            # A thread that exec or exit_group ended: its call unwinds it.
            thread.flags |= ReplyFlag.THREAD_EXIT
            return 0
        try:
            num = msg[0]
            table = cage.table
            if num < 0 or num >= len(table):
                h = None
            else:
                h = table[num]
            if h is None:
                key = str(msg[1]) if isinstance(msg[1], str) else str(num)
                cage.enosys[key] = cage.enosys.get(key, 0) + 1
                return _ENOSYS
            if msg[3] != cage.pid:
                return self._cross_cage(cage, msg)
            return h(cage, msg[4], msg[6], msg[8], msg[10], msg[12], msg[14])  # type: ignore[no-any-return]
        except SyscallError as e:
            return -e.errno
        except OSError as e:
            return -(e.errno or Errno.EIO)
        except Exception as e:
            try:
                validate_syscall(msg)
            except MessageError as bad:
                raise ProtocolError(str(bad)) from None
            self._kernel_bug(cage, msg, e)
            return -int(Errno.EIO)

    def _cross_cage(self, cage: Cage, msg: Any) -> int:
        """A call naming another target cage: only grates may (3i); not yet."""
        validate_syscall(msg)
        return -int(Errno.EPERM)

    def _kernel_bug(self, cage: Cage, msg: Any, e: Exception) -> None:
        log.error("kernel bug in %r for cage %d: %s\n%s", msg[:2], cage.pid, e,
                  "".join(traceback.format_exception(e)))
        print(f"warden: internal error handling {msg[1]} for cage {cage.pid}: {e!r}", file=sys.stderr)
        host: CageHost | None = cage.host
        if host is not None:
            self._kill_worker(host)
        self.kernel.exit_cage(cage, W_SIGNALED(signal.SIGKILL))

    def _reply(self, host: CageHost, ch: Channel, seq: int, r: int) -> None:
        if not -_I64 <= r < _I64:
            self._kernel_bug(host.cage, [0, "reply"], OverflowError(f"result {r} does not fit an i64"))
            return
        t = ch.thread
        f = t.flags
        if f:
            t.flags = 0
        cage = host.cage
        if (cage.sig.pending or t.pending) and deliverable(cage, t):
            f |= ReplyFlag.SIGNAL
        ring = host.ring
        R.RESULT.pack_into(ring, ch.res_off, r, f)
        R.U64.pack_into(ring, ch.resp_off, seq)
        fence = self._fence
        fence.acquire()
        fence.release()
        if ring[ch.wait_off]:
            try:
                os.eventfd_write(ch.efd, 1)
            except OSError:
                pass

    # --- parked calls --------------------------------------------------------------------------------

    def _park(self, host: CageHost, ch: Channel, seq: int, block: Block) -> None:
        """The call waits. It is registered on its wait queues (and the cage's signal
        queue) at once; a notification puts it on the ready list, which the ring
        loop retries synchronously after every drain: no trio task is involved
        unless the Block has a deadline or waits on a host descriptor."""
        ch.busy = True
        self.stats["parked"] += 1
        _Parked(self, host, ch, seq, block)

    def _flush_ready(self) -> None:
        """Retry every parked call a notification made ready (until none is left)."""
        ready = self._ready
        while ready:
            batch = list(ready)
            ready.clear()
            for p in batch:
                p.resume()
        if self._kill_after:
            for h in self._kill_after:
                self._kill_worker(h)
            self._kill_after.clear()

    def _finish_parked(self, p: _Parked, woke: str) -> None:
        """Retry a parked call after a wake-up; reply, or park it again."""
        host, ch, block = p.host, p.ch, p.block
        cage = host.cage
        thread = ch.thread
        if not cage.alive or host.killed:
            ch.busy = False
            return
        cage.thread = thread
        self.kernel.current = cage
        self.serving = thread
        if woke != "timeout" and thread.alive and deliverable(cage, thread):
            woke = "signal"
        try:
            if not thread.alive:
                thread.flags |= ReplyFlag.THREAD_EXIT
                r: int | Block = 0
            elif woke == "timeout":
                r = block.on_timeout() if block.on_timeout else block.retry()
            elif woke == "signal":
                if block.restartable and self._restart_allowed(cage, thread):
                    # The handler must run first: the worker runs it and then
                    # sends the same call again (Linux's ERESTARTSYS).
                    r = _ERESTARTSYS
                else:
                    r = block.on_interrupt(_EINTR) if block.on_interrupt else _EINTR
            else:
                r = block.retry()
        except SyscallError as e:
            r = -e.errno
        except OSError as e:
            r = -(e.errno or Errno.EIO)
        except Exception as e:
            ch.busy = False
            self.serving = None
            self._kernel_bug(cage, [0, "parked call"], e)
            return
        self.serving = None
        if type(r) is int:
            ch.busy = False
            self._reply(host, ch, p.seq, r)
            if not thread.alive and ch.index != 0:
                self._drop_channel(host, ch)
            return
        _Parked(self, host, ch, p.seq, r)  # type: ignore[arg-type]

    def _restart_allowed(self, cage: Cage, thread: Thread) -> bool:
        sigs = deliverable(cage, thread)
        if not sigs:
            return True
        for sig in range(1, 65):
            if sigs & (1 << (sig - 1)) and not cage.sig.actions[sig].flags & SA_RESTART:
                return False
        return True

    async def _watch(self, p: _Parked) -> None:
        """The trio side of a parked call with a deadline."""
        block = p.block
        with p.scope:
            delay = math.inf if block.deadline is None else block.deadline - time.monotonic()
            await trio.sleep(max(delay, 0))
            p.wake("timeout")
            self._flush_ready()

    def host_queue(self, fd: int, mode: str) -> WaitQueue:
        """A queue notified when host descriptor ``fd`` is ready ("r"/"w").

        One trio task per (fd, mode) waits for the host kernel, however many
        parked calls care (trio allows one waiter per fd and direction).
        """
        key = (fd, mode)
        q = self._host_queues.get(key)
        if q is None:
            q = self._host_queues[key] = WaitQueue()
            assert self.nursery is not None
            self.nursery.start_soon(self._watch_host, key, q)
        return q

    def _host_fd_closing(self, fd: int) -> None:
        if (fd, "r") in self._host_queues or (fd, "w") in self._host_queues:
            try:
                trio.lowlevel.notify_closing(fd)
            except RuntimeError:
                pass  # not inside trio (unit tests)

    async def _watch_host(self, key: tuple[int, str], q: WaitQueue) -> None:
        fd, mode = key
        try:
            await (trio.lowlevel.wait_readable if mode == "r" else trio.lowlevel.wait_writable)(fd)
        except (trio.ClosedResourceError, OSError, ValueError):
            pass  # closed under us: wake the waiters, their retry sees EBADF or data
        finally:
            if self._host_queues.get(key) is q:
                del self._host_queues[key]
            q.notify()
            self._flush_ready()

    # --- running ------------------------------------------------------------------------------------------

    async def serve(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Serve rings until cancelled."""
        async with trio.open_nursery() as n:
            self.nursery = n
            n.start_soon(self._serve_rings)
            n.start_soon(self._write_back)
            task_status.started()

    def _stores(self) -> list[Any]:
        """Filesystems that keep data in a persistent store (they have ``flush``)."""
        out = []
        for m in self.kernel.vfs.all_mounts:
            if callable(getattr(m.fs, "flush", None)) and m.fs not in out:
                out.append(m.fs)
        return out

    async def _write_back(self) -> None:
        """Bounded write-back: every ``flush_interval_s``, dirty data goes to the stores."""
        while True:
            await trio.sleep(self.config.flush_interval_s)
            for fs in self._stores():
                try:
                    fs.flush(durable=False)
                except Exception as e:  # a failing store must not stop the kernel
                    log.error("write-back to %r failed: %s", fs, e)

    async def shutdown(self, grace: float = 1.0) -> None:
        """Kill cages still running; give workers already exiting ``grace`` seconds."""
        if self._host_fd_closing in file_mod.HOST_CLOSE_HOOKS:
            file_mod.HOST_CLOSE_HOOKS.remove(self._host_fd_closing)
        for host in list(self.by_slot):
            if host is not None and not host.killed:
                self._kill_worker(host)
        with trio.move_on_after(grace):
            for host in list(self.by_slot):
                if host is not None:
                    await host.done.wait()
        for host in list(self.by_slot):
            if host is not None:
                self._kill_worker(host)
        # A clean shutdown: everything reaches the stores and they are marked clean.
        for fs in self._stores():
            close = getattr(fs, "close", None)
            try:
                close() if callable(close) else fs.flush(durable=True)
            except Exception as e:
                log.error("closing %r failed: %s", fs, e)


class _Parked:
    """A call waiting for a wake-up: registered on its queues until it fires once."""

    __slots__ = ("_cb", "block", "ch", "host", "queues", "scope", "seq", "server", "woke")

    def __init__(self, server: Server, host: CageHost, ch: Channel, seq: int, block: Block) -> None:
        self.server = server
        self.host = host
        self.ch = ch
        self.seq = seq
        self.block = block
        self.woke = ""
        self.scope: trio.CancelScope | None = None
        cage = host.cage
        thread = ch.thread
        self.queues = (*block.queues, cage.sig_wq, *(server.host_queue(fd, m) for fd, m in block.hosts))
        self._cb = self._notified
        for q in self.queues:
            q.add(self._cb)
        if deliverable(cage, thread) or not thread.alive:
            self.wake("signal")
        elif block.deadline is not None:
            self.scope = trio.CancelScope()
            assert server.nursery is not None
            server.nursery.start_soon(server._watch, self)

    def _notified(self) -> None:
        self.wake("woken")

    def wake(self, why: str) -> None:
        if self.woke:
            return
        self.woke = why
        for q in self.queues:
            q.remove(self._cb)
        if self.scope is not None:
            self.scope.cancel()
        server = self.server
        server._ready.append(self)
        if server.kpage[R.KP_SLEEPING]:
            # Woken from outside the ring loop (a timer, a signal from the host,
            # a worker's death) while the loop sleeps: wake it to retry the call.
            os.eventfd_write(server.doorbell, 1)

    def resume(self) -> None:
        self.server._finish_parked(self, self.woke)
