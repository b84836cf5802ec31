"""The cage worker: one OS process running one WALI program under wasmtime.

The kernel starts ``python -m cage`` with six inherited descriptors (control
socket, ring memfd, kernel-page memfd, doorbell eventfd, channel-0 eventfd,
interrupt eventfd) and sends START. The worker compiles (or loads from cache)
the module, binds every import (``cage.imports``), instantiates it (the memory
is a memfd: ``cage.memory``), hands the memory to the kernel (HELLO), waits for
GO and runs ``_start``.

The worker keeps no OS state of the cage: fds, files, credentials, signals and
the process tree live in the kernel. What it keeps is what only the engine can
do, driven by reply flags (``abi.messages.ReplyFlag``):

* EXIT: end the process; THREAD_EXIT: unwind this thread's wasm;
* EXEC: unwind and start the new program in this process (same cage id);
* FORK: fork this process; the child moves to its own ring and memory copy;
* GROW: grow linear memory and send the same call again;
* SIGNAL: run the pending handlers (table indices) before returning to wasm;
  ``-ERESTARTSYS`` with SIGNAL means "then send the call again" (SA_RESTART).

A cage running wasm without making syscalls is interrupted for signals by an
epoch tick: a helper thread blocks on the interrupt eventfd and increments the
engine epoch; each store's epoch callback runs the handlers and continues.

Threads (``__wasm_thread_spawn``): a second instance of the module, rewritten
to import the memory (``cage.wasmbin.import_memory``), on a new OS thread with
its own store and its own ring channel.

Exit codes of the worker process itself are informative only; the kernel learns
a cage's status from exit_group on the ring or a TRAP control message.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import signal
import socket
import sys
import threading
from typing import Any, NoReturn

import wasmtime
from wasmtime import _ffi as ffi

from abi import ring as R
from abi.errno import Errno
from abi.messages import Ctl, MessageError, ReplyFlag, decode_ctl, encode_ctl, encode_syscall
from abi.sysno import SIGNAL_NEXT, SIGRETURN, THREAD_CREATE, nr
from cage.engine import ASYNC_SIGNALS, load_module, make_engine
from cage.imports import (
    Unwind,
    define_raw,
    generate_syscall_source,
    generate_unknown_source,
    make_trap,
    python_ident,
    report_internal_error,
    syscall_info,
)
from cage.memory import LinearMemory, last_memory
from cage.ring import Channel, KernelGone, dump_latency
from cage.wasmbin import TABLE_EXPORT, WasmFormatError, export_table, import_memory

__all__ = ["Worker", "main", "trap_signal"]

#: Path of the environment file a cage's ``__get_init_envfile`` names; the kernel's
#: procfs serves it from the cage's environment (one ``KEY=VALUE`` per line).
ENV_FILE = "/proc/self/wali_env"

_NR_EXIT_GROUP = nr("exit_group")
_ERESTARTSYS = -512
_UPDATE_DEADLINE_CONTINUE = 0

# Trap codes -> the signal a native process would have died of (for wait status).
_TRAP_SIGNALS = {
    "MEMORY_OUT_OF_BOUNDS": signal.SIGSEGV,
    "HEAP_MISALIGNED": signal.SIGBUS,
    "STACK_OVERFLOW": signal.SIGSEGV,
    "INTEGER_DIVISION_BY_ZERO": signal.SIGFPE,
    "INTEGER_OVERFLOW": signal.SIGFPE,
    "BAD_CONVERSION_TO_INTEGER": signal.SIGFPE,
    "INTERRUPT": signal.SIGKILL,
}

_EPOCH_CB = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.POINTER(ffi.wasmtime_context_t), ctypes.c_void_p,
                             ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ffi.wasmtime_update_deadline_kind_t))
_NO_FINALIZER = ctypes.cast(0, ctypes.CFUNCTYPE(None, ctypes.c_void_p))


def describe_trap(trap: wasmtime.Trap) -> str:
    """One line, like iwasm's: the reason, its detail and the innermost function."""
    msg = trap.message or ""
    reason, details = "", []
    _, _, caused = msg.partition("Caused by:")
    for line in caused.splitlines():
        line = line.strip()
        if not line:
            continue
        line = line.split(": ", 1)[1] if line[:1].isdigit() and ": " in line else line
        if line.startswith("wasm trap: "):
            reason = line[len("wasm trap: "):]
        else:
            details.append(line)
    if not reason:
        reason = trap.trap_code.name.lower().replace("_", " ") if trap.trap_code is not None else msg.strip()
    out = "trap: " + reason
    if details:
        out += " (" + "; ".join(details) + ")"
    frames = trap.frames
    if frames and frames[0].func_name:
        out += f" in {frames[0].func_name}"
    return out


def trap_signal(trap: wasmtime.Trap) -> int:
    code = trap.trap_code
    name = code.name if code is not None else ""
    return int(_TRAP_SIGNALS.get(name, signal.SIGILL))


def recv_ctl(sock: socket.socket, maxfds: int = 8) -> tuple[Ctl, list[Any], list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(sock, 1 << 16, maxfds)
    if not data:
        raise KernelGone()
    tag, items = decode_ctl(data)
    return tag, items, list(fds)


class _Plan:
    """A module's import bindings: entries ``(module, name, type, trampoline name or
    "" for a worker-local function, (params, results))`` and the compiled trampolines."""

    __slots__ = ("code", "entries", "module")

    def __init__(self, module: wasmtime.Module, code: Any, entries: list[Any]) -> None:
        self.module = module
        self.code = code
        self.entries = entries


class ThreadCtx:
    """One wasm thread of the cage: its store, instance, ring channel and trampolines."""

    def __init__(self, worker: Worker, channel: Channel, tid: int) -> None:
        self.worker = worker
        self.channel = channel
        self.tid = tid
        self.store: wasmtime.Store | None = None
        self.table: wasmtime.Table | None = None
        self.ns: dict[str, Any] = {}
        #: The Unwind to raise once the trap we returned reaches Python.
        self.pending: Unwind | None = None
        #: threading.get_ident() of the OS thread running it (None: the main thread).
        self.ident: int | None = None
        #: Signal handlers by table index: (Func, number of parameters).
        self._handlers: dict[int, tuple[wasmtime.Func, int]] = {}
        self._epoch_cb = _EPOCH_CB(self._on_epoch)

    # --- syscalls made by the worker itself ------------------------------------------

    def syscall(self, num: int, name: str, *args: int) -> int:
        a = (*args, 0, 0, 0, 0, 0, 0)[:6]
        s = self.worker.cage_id
        msg = encode_syscall((num, name, s, s, a[0], s, a[1], s, a[2], s, a[3], s, a[4], s, a[5], s))
        r, f = self.channel.call(msg)
        if f:
            r = self.on_flags(r, f, msg)
        return r  # type: ignore[no-any-return]

    # --- reply flags -----------------------------------------------------------------------

    def on_flags(self, r: int, f: int, msg: bytes = b"") -> int:
        w = self.worker
        if f & ReplyFlag.EXIT:
            _exit(r & 0xFF)
        if f & ReplyFlag.THREAD_EXIT:
            raise Unwind("thread-exit")
        if f & ReplyFlag.GROW:
            if not w.grow_memory(r):
                return -int(Errno.ENOMEM)
            return self.resend(msg)
        if f & ReplyFlag.FORK:
            r = w.fork(self, r)
        if f & ReplyFlag.EXEC:
            tag, items, fds = recv_ctl(w.ctl)
            if tag is not Ctl.EXEC or len(fds) != 1:
                w.crash("exec: bad message from the kernel", signal.SIGKILL)
            raise Unwind("exec", (_read_fd(fds[0]), items[0], items[1]))  # type: ignore[arg-type]
        if f & ReplyFlag.SIGNAL:
            self.run_handlers()
            if r == _ERESTARTSYS:
                return self.resend(msg)
        return r

    def resend(self, msg: bytes) -> int:
        r, f = self.channel.call(msg)
        if f:
            return self.on_flags(r, f, msg)
        return r  # type: ignore[no-any-return]

    def failed(self, e: BaseException) -> int:
        if isinstance(e, Unwind):
            self.pending = e
            return make_trap(f"warden: {e.why}")
        if isinstance(e, KernelGone):
            _exit(128 + signal.SIGKILL)
        if isinstance(e, wasmtime.Trap):  # a signal handler trapped
            self.worker.crash(describe_trap(e), trap_signal(e))
        return report_internal_error(e)

    # --- signals -------------------------------------------------------------------------------

    def run_handlers(self) -> None:
        """Run every deliverable signal's handler, each bracketed by sigreturn."""
        while True:
            info = self.syscall(SIGNAL_NEXT, "warden_signal_next")
            if info <= 0:
                return
            signo, index = info & 0xFF, info >> 8
            self.call_handler(index, signo)
            self.syscall(SIGRETURN, "warden_sigreturn")

    def call_handler(self, index: int, signo: int) -> None:
        table, store = self.table, self.store
        if table is None or store is None:
            return
        cached = self._handlers.get(index)
        if cached is None:
            try:
                fn = table.get(store, index)
            except (wasmtime.WasmtimeError, IndexError):
                fn = None
            if not isinstance(fn, wasmtime.Func):
                # A bad handler index: the kernel would have faulted the process.
                self.worker.crash(f"signal {signo}: handler {index} is not a function", signal.SIGSEGV)
            # WALI passes only the signal number; SA_SIGINFO handlers get zeros for
            # siginfo and ucontext (as in WALI's reference engine).
            cached = self._handlers[index] = (fn, len(fn.type(store).params))
        fn, nparams = cached
        if nparams == 1:
            fn(store, signo)
        else:
            fn(store, *([signo] + [0] * (nparams - 1))[:nparams])

    def _on_epoch(self, ctx: Any, data: Any, delta: Any, kind: Any) -> int:
        """Epoch callback: the kernel interrupted running wasm (a signal is pending)."""
        try:
            ffi.wasmtime_context_set_epoch_deadline(ctx, 1 << 40)  # no re-entry while handlers run
            self.run_handlers()
        except Unwind as u:
            self.pending = u
            return ctypes.cast(ffi.wasmtime_error_new(ctypes.create_string_buffer(b"warden: unwind")),
                               ctypes.c_void_p).value or 0
        except wasmtime.Trap as t:
            self.worker.crash(describe_trap(t), trap_signal(t))
        except BaseException as e:
            if isinstance(e, KernelGone):
                _exit(128 + signal.SIGKILL)
            report_internal_error(e)
        delta[0] = 1
        kind[0] = _UPDATE_DEADLINE_CONTINUE
        return 0

    def attach_store(self, store: wasmtime.Store) -> None:
        self.store = store
        if ASYNC_SIGNALS:
            ffi.wasmtime_store_epoch_deadline_callback(store.ptr(), self._epoch_cb, None, _NO_FINALIZER)
            store.set_epoch_deadline(1)


class Worker:
    def __init__(self, ctl_fd: int, ring_fd: int, kpage_fd: int, doorbell: int, efd: int, irq: int) -> None:
        self.ctl = socket.socket(fileno=ctl_fd)
        self.kpage = mmap.mmap(kpage_fd, R.KP_SIZE)
        os.close(kpage_fd)
        self.doorbell = doorbell
        self.engine = make_engine()
        self.mem: LinearMemory | None = None
        self.memory_export: wasmtime.Memory | wasmtime.SharedMemory | None = None
        self.argv: list[bytes] = []
        self.env: list[bytes] = []
        self.init_called = False
        self.deinit_called = False
        self.wasm = b""
        self._thread_module: wasmtime.Module | None = None
        self.threads: list[ThreadCtx] = []
        self._plans: dict[int, _Plan] = {}
        self.main = self._attach_ring(ring_fd, efd)
        self.irq = irq
        self._start_irq_thread()

    def _attach_ring(self, ring_fd: int, efd: int) -> ThreadCtx:
        self.ring = mmap.mmap(ring_fd, 0)
        os.close(ring_fd)
        magic, _version, _nch, _chsize, slot, cage_id = R.HDR.unpack_from(self.ring, 0)
        if magic != R.RING_MAGIC:
            raise SystemExit("warden worker: ring has a bad magic number")
        self.cage_id = cage_id
        self.slot = slot
        ch = Channel(self.ring, 0, self.kpage, slot, self.doorbell, efd, self.ctl.fileno())
        return ThreadCtx(self, ch, cage_id)

    # --- interrupts --------------------------------------------------------------------------

    def _start_irq_thread(self) -> None:
        os.set_blocking(self.irq, True)
        threading.Thread(target=self._irq_loop, args=(self.irq,), name="warden-irq", daemon=True).start()

    def _irq_loop(self, fd: int) -> None:
        engine = self.engine
        while True:
            try:
                os.eventfd_read(fd)
            except OSError:
                return
            if fd != self.irq:
                return  # a forked child's stale thread
            engine.increment_epoch()

    # --- lifecycle -------------------------------------------------------------------------------

    def run(self) -> NoReturn:
        tag, items, fds = recv_ctl(self.ctl)
        if tag is not Ctl.START or len(fds) != 1:
            raise SystemExit("warden worker: expected START with the program")
        argv, env = items[0], items[1]
        wasm = _read_fd(fds[0])
        self.run_programs(self.main, wasm, argv, env)

    def run_programs(self, ctx: ThreadCtx, wasm: bytes, argv: list[bytes], env: list[bytes]) -> NoReturn:
        """Run a program, and every program it execs, on the calling OS thread."""
        while True:
            try:
                self.main = ctx
                self.run_program(wasm, argv, env)
            except Unwind as u:
                if u.why == "exec":
                    wasm, argv, env = u.value  # type: ignore[misc]
                    continue
                # This thread ended (exit of one thread, or killed by another's exec):
                # the process lives on in the other threads until one ends it.
                threading.Event().wait()
            self.exit_group(0)

    def run_program(self, wasm: bytes, argv: list[bytes], env: list[bytes]) -> None:
        """Instantiate and run one program; returns only if ``_start`` returns."""
        self.argv, self.env = argv, env
        self.init_called = self.deinit_called = False
        self._thread_module = None
        main = self.main
        main.pending = None
        try:
            self.wasm = export_table(wasm)
            module = load_module(self.engine, self.wasm)
            store = wasmtime.Store(self.engine)
            main.attach_store(store)
            linker = wasmtime.Linker(self.engine)
            self._keep: list[object] = []
            self.bind_imports(linker, module, main, self._keep)
            instance = linker.instantiate(store, module)
        except wasmtime.Trap as t:
            self.crash(describe_trap(t) + " (during instantiation)", trap_signal(t))
        except (wasmtime.WasmtimeError, WasmFormatError) as e:
            self.fail_to_load(str(e))
        self.mem = last_memory()
        exports = instance.exports(store)
        mexp = exports.get("memory")
        self.memory_export = mexp if isinstance(mexp, (wasmtime.Memory, wasmtime.SharedMemory)) else None
        table = exports.get(TABLE_EXPORT)
        main.table = table if isinstance(table, wasmtime.Table) else None
        main._handlers.clear()
        start = exports.get("_start")
        if not isinstance(start, wasmtime.Func):
            self.fail_to_load("module has no _start function export")
        self.hello()
        self.run_entry(main, lambda: start(store))

    def run_entry(self, ctx: ThreadCtx, call: Any) -> None:
        """Run a wasm entry point; turn unwinds and traps into their outcomes."""
        try:
            call()
        except (wasmtime.Trap, wasmtime.WasmtimeError) as t:
            if ctx.pending is not None:
                u, ctx.pending = ctx.pending, None
                raise u from None
            if isinstance(t, wasmtime.Trap):
                self.crash(describe_trap(t), trap_signal(t))
            self.crash(str(t).splitlines()[0], signal.SIGILL)

    def hello(self) -> None:
        """Give the kernel this program's memory and wait until it is attached."""
        fds = [self.mem.fd] if self.mem is not None else []
        size = self.mem.size if self.mem is not None else 0
        maximum = (self.mem.maximum or 1 << 32) if self.mem is not None else 0
        socket.send_fds(self.ctl, [encode_ctl(Ctl.HELLO, size, maximum, os.getpid())], fds)
        tag, _items, extra = recv_ctl(self.ctl)
        for fd in extra:
            os.close(fd)
        if tag is not Ctl.GO:
            raise SystemExit("warden worker: expected GO")

    def fail_to_load(self, why: str) -> NoReturn:
        self._send_trap(f"cannot load module: {why}", 0)
        _exit(1)

    def crash(self, why: str, signo: int) -> NoReturn:
        """End the cage: ``signo`` is the signal its wait status reports (0: exit status 1)."""
        self._send_trap(why, signo)
        _exit(128 + signo if signo else 1)

    def _send_trap(self, why: str, signo: int) -> None:
        try:
            self.ctl.send(encode_ctl(Ctl.TRAP, why, signo))
        except OSError:
            pass

    def exit_group(self, status: int) -> NoReturn:
        try:
            self.current().syscall(_NR_EXIT_GROUP, "exit_group", status)
        except KernelGone:
            pass
        _exit(status & 0xFF)

    def current(self) -> ThreadCtx:
        ident = threading.get_ident()
        for t in self.threads:
            if t.ident == ident:
                return t
        return self.main

    # --- memory -----------------------------------------------------------------------------------

    def grow_memory(self, size: int) -> bool:
        """Grow linear memory to at least ``size`` bytes (the GROW reply flag)."""
        mem, exp = self.mem, self.memory_export
        if mem is None or exp is None:
            return False
        have = mem.size
        if size <= have:
            return True
        delta = (size - have + 65535) // 65536
        try:
            if isinstance(exp, wasmtime.SharedMemory):
                exp.grow(delta)
            else:
                exp.grow(self.main.store, delta)  # type: ignore[arg-type]
        except wasmtime.WasmtimeError:
            return False
        return mem.size >= size

    # --- fork ---------------------------------------------------------------------------------------

    def fork(self, ctx: ThreadCtx, child_pid: int) -> int:
        """The worker's half of fork(2): returns the child's pid here, 0 in the child."""
        tag, items, fds = recv_ctl(self.ctl)
        if tag is not Ctl.FORK or len(fds) != 4:
            for fd in fds:
                os.close(fd)
            self.crash("fork: bad message from the kernel", signal.SIGKILL)
        ring_fd, ctl_fd, efd, irq = fds
        # The child's memory is copied now, before the parent can run on.
        snap = self.mem.snapshot() if self.mem is not None else -1
        pid = os.fork()
        if pid:
            for fd in fds:
                os.close(fd)
            if snap >= 0:
                os.close(snap)
            return child_pid
        # Child: only the calling thread exists. Move to the child's ring, socket,
        # interrupt line and a private copy of memory, then attach to the kernel.
        self.ctl.close()
        self.ctl = socket.socket(fileno=ctl_fd)
        # The parent's ring stays mapped (views of it may still exist) but unused.
        me = self._attach_ring(ring_fd, efd)
        ctx.channel = me.channel
        ctx.tid = me.tid
        ctx.ns["call"] = me.channel.call
        for t in self.threads:
            t.ns["SELF"] = self.cage_id
        self.main.ns["SELF"] = self.cage_id
        self.threads = [ctx] if ctx is not self.main else []
        if ctx is not self.main:
            self.main = ctx
        old_irq, self.irq = self.irq, irq
        os.close(old_irq)
        self._start_irq_thread()
        if self.mem is not None:
            self.mem.adopt(snap)
        self.hello()
        return 0

    # --- threads -------------------------------------------------------------------------------------

    def thread_module(self) -> wasmtime.Module:
        if self._thread_module is None:
            self._thread_module = load_module(self.engine, import_memory(self.wasm))
        return self._thread_module

    def spawn_thread(self, ctx: ThreadCtx, fn: int, arg: int) -> int:
        """__wasm_thread_spawn: a new instance sharing memory, on a new OS thread."""
        exp = self.memory_export
        if not isinstance(exp, wasmtime.SharedMemory):
            return -int(Errno.EAGAIN)
        try:
            module = self.thread_module()
        except (wasmtime.WasmtimeError, WasmFormatError):
            return -int(Errno.EAGAIN)
        tid = ctx.syscall(THREAD_CREATE, "warden_thread_create")
        if tid < 0:
            return tid
        tag, items, fds = recv_ctl(self.ctl)
        if tag is not Ctl.CHANNEL or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            self.crash("thread: bad message from the kernel", signal.SIGKILL)
        index = int(items[0])
        ch = Channel(self.ring, index, self.kpage, self.slot, self.doorbell, fds[0], self.ctl.fileno())
        t = ThreadCtx(self, ch, tid)
        self.threads.append(t)
        ready = threading.Event()
        th = threading.Thread(target=self._thread_main, args=(t, module, exp, tid, fn, arg, ready),
                              name=f"wasm-{tid}", daemon=True)
        th.start()
        ready.wait()
        return tid

    def _thread_main(self, t: ThreadCtx, module: wasmtime.Module, mem: wasmtime.SharedMemory, tid: int, fn: int,
                     arg: int, ready: threading.Event) -> None:
        t.ident = threading.get_ident()
        try:
            store = wasmtime.Store(self.engine)
            t.attach_store(store)
            linker = wasmtime.Linker(self.engine)
            keep: list[object] = []
            self.bind_imports(linker, module, t, keep)
            linker.define(store, "env", "memory", mem)
            instance = linker.instantiate(store, module)
            exports = instance.exports(store)
            table = exports.get(TABLE_EXPORT)
            t.table = table if isinstance(table, wasmtime.Table) else None
            entry = exports.get("__wasm_thread_start_libc")
            if not isinstance(entry, wasmtime.Func) and t.table is not None:
                entry = t.table.get(store, fn)
        except wasmtime.Trap as e:
            ready.set()
            self.crash(describe_trap(e) + " (starting a thread)", trap_signal(e))
        except Exception as e:
            ready.set()
            self.crash(f"cannot start a thread: {e}", signal.SIGABRT)
        ready.set()
        if not isinstance(entry, wasmtime.Func):
            self.crash("thread start function not found", signal.SIGABRT)
        try:
            self.run_entry(t, lambda: entry(store, tid, arg))
            # Returning from the start routine ends the thread like exit(0).
            t.syscall(nr("exit"), "exit", 0)
        except Unwind as u:
            if u.why == "exec":
                # This thread called execve: the new program runs here.
                wasm, argv, env = u.value  # type: ignore[misc]
                self.threads = [x for x in self.threads if x is not t]
                self.run_programs(t, wasm, argv, env)
        except KernelGone:
            _exit(128 + signal.SIGKILL)
        finally:
            if t in self.threads:
                self.threads.remove(t)

    # --- imports ----------------------------------------------------------------------------------------

    def _import_plan(self, module: wasmtime.Module) -> _Plan:
        """How to bind a module's imports, computed (and the trampolines compiled)
        once per module: threads of the same program reuse it."""
        plan = self._plans.get(id(module))
        if plan is not None and plan.module is module:
            return plan
        sources: list[str] = []
        entries: list[tuple[str, str, wasmtime.FuncType, str, tuple[list[str], list[str]]]] = []
        for imp in module.imports:
            ty = imp.type
            mod, name = imp.module, imp.name or ""
            if mod == "env" and name == "memory" and isinstance(ty, wasmtime.MemoryType):
                continue  # a thread instance's shared memory, defined by the caller
            if not isinstance(ty, wasmtime.FuncType):
                raise wasmtime.WasmtimeError(f"unsupported import {mod}.{name}: only functions can be imported")
            params = [str(p) for p in ty.params]
            results = [str(r) for r in ty.results]
            info = syscall_info(mod, name)
            if info is not None:
                fname = python_ident(name)
                sources.append(generate_syscall_source(fname, info, params, results))
            elif mod == "wali" and name in _AUX:
                fname = ""  # a worker-local function, bound per thread
            else:
                fname = f"u{len(entries)}_" + python_ident(name)
                sources.append(generate_unknown_source(fname, f"{mod}.{name}", results))
            entries.append((mod, name, ty, fname, (params, results)))
        code = compile("\n".join(sources), "<wali-trampolines>", "exec")
        plan = _Plan(module, code, entries)
        self._plans[id(module)] = plan
        return plan

    def bind_imports(self, linker: wasmtime.Linker, module: wasmtime.Module, ctx: ThreadCtx,
                     keep: list[object]) -> None:
        plan = self._import_plan(module)
        ns = ctx.ns
        ns.update({
            "call": ctx.channel.call,
            "pack": encode_syscall,
            "SELF": self.cage_id,
            "on_flags": ctx.on_flags,
            "failed": ctx.failed,
        })
        exec(plan.code, ns)
        for mod, name, ty, fname, (params, results) in plan.entries:
            fn = ns[fname] if fname else self.aux_function(ctx, mod, name, params, results)
            define_raw(linker, mod, name, ty, fn, keep)

    def aux_function(self, ctx: ThreadCtx, mod: str, name: str, params: list[str], results: list[str]) -> Any:
        impl = _AUX.get(name)
        if impl is None:
            return None
        fn = getattr(self, impl)
        nparams = len(params)
        res = results[0] if results else None
        failed = ctx.failed

        def aux(env: Any, caller: Any, vals: Any, n: int) -> int:
            try:
                r = fn(ctx, *[vals[2 * i] & 0xFFFFFFFF for i in range(nparams)])
                if res is not None:
                    vals[0] = (r & 0xFFFFFFFF) if res == "i32" else r
                return 0
            except BaseException as e:
                return failed(e)

        return aux

    # --- startup protocol (WALI-ABI 3.2) ---------------------------------------------------

    def aux_init(self, ctx: ThreadCtx, *_: int) -> int:
        if self.init_called:
            return 1
        self.init_called = True
        return 0

    def aux_deinit(self, ctx: ThreadCtx, *_: int) -> int:
        if self.deinit_called:
            return 1
        self.deinit_called = True
        return 0

    def aux_proc_exit(self, ctx: ThreadCtx, status: int = 0, *_: int) -> int:
        s = status & 0xFFFFFFFF
        s = s - (1 << 32) if s & 0x80000000 else s
        try:
            ctx.syscall(_NR_EXIT_GROUP, "exit_group", s)
        except KernelGone:
            pass
        _exit(s & 0xFF)

    def aux_argc(self, ctx: ThreadCtx, *_: int) -> int:
        return len(self.argv)

    def aux_argv_len(self, ctx: ThreadCtx, idx: int = 0, *_: int) -> int:
        if idx >= len(self.argv):
            return 0
        return len(self.argv[idx])

    def aux_copy_argv(self, ctx: ThreadCtx, buf: int = 0, idx: int = 0, *_: int) -> int:
        if idx >= len(self.argv):
            return -int(Errno.EINVAL)
        return self._copy_out(buf, self.argv[idx] + b"\0")

    def aux_envfile(self, ctx: ThreadCtx, buf: int = 0, size: int = 0, *_: int) -> int:
        if not self.env:
            return 0
        path = ENV_FILE.encode() + b"\0"
        if len(path) > size:
            path = b"\0"
        r = self._copy_out(buf, path)
        return 1 if r == 0 else r

    def _copy_out(self, buf: int, data: bytes) -> int:
        if self.mem is None or buf == 0:
            return -int(Errno.EFAULT)
        try:
            self.mem.write(buf, data)
        except IndexError:
            return -int(Errno.EFAULT)
        return 0

    def aux_thread_spawn(self, ctx: ThreadCtx, fn: int = 0, arg: int = 0, *_: int) -> int:
        return self.spawn_thread(ctx, fn, arg)

    def aux_setjmp(self, ctx: ThreadCtx, *_: int) -> int:
        return 0

    def aux_longjmp(self, ctx: ThreadCtx, *_: int) -> int:
        # iwasm's behaviour: the program ends with status 1 and a clear message
        # (wasm has no way to restore a saved stack; see WALI-ABI section 9).
        self.crash("longjmp is not supported: the program ends (status 1)", 0)


_AUX = {
    "__init": "aux_init",
    "__deinit": "aux_deinit",
    "__proc_exit": "aux_proc_exit",
    "__cl_get_argc": "aux_argc",
    "__cl_get_argv_len": "aux_argv_len",
    "__cl_copy_argv": "aux_copy_argv",
    "__get_init_envfile": "aux_envfile",
    "__wasm_thread_spawn": "aux_thread_spawn",
    "setjmp": "aux_setjmp",
    "sigsetjmp": "aux_setjmp",
    "_setjmp": "aux_setjmp",
    "longjmp": "aux_longjmp",
    "_longjmp": "aux_longjmp",
}


def _exit(code: int) -> NoReturn:
    dump_latency()
    os._exit(code)


def _read_fd(fd: int) -> bytes:
    try:
        size = os.fstat(fd).st_size
        chunks = []
        off = 0
        while off < size:
            b = os.pread(fd, size - off, off)
            if not b:
                break
            chunks.append(b)
            off += len(b)
        return b"".join(chunks)
    finally:
        os.close(fd)


def main(args: list[str] | None = None) -> NoReturn:
    argv = sys.argv[1:] if args is None else args
    try:
        ctl, ring, kpage, doorbell, efd, irq = (int(x) for x in argv)
    except ValueError:
        raise SystemExit("usage: python -m cage CTL RING KPAGE DOORBELL EFD IRQ (started by the kernel)") from None
    # The kernel decides what signals do to a cage; the worker must not die of a
    # terminal's SIGINT before the kernel has had its say. Children of fork are
    # reaped automatically (the kernel tracks cages, not worker processes).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        Worker(ctl, ring, kpage, doorbell, efd, irq).run()
    except (KernelGone, MessageError, ConnectionError):
        _exit(128 + signal.SIGKILL)
    except SystemExit as e:
        print(e, file=sys.stderr)
        _exit(1)
