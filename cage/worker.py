"""The cage worker: one OS process running one WALI program under wasmtime.

The kernel starts ``python -m cage`` with five inherited descriptors (control
socket, ring memfd, kernel-page memfd, doorbell eventfd, channel-0 eventfd) and
sends START. The worker compiles (or loads from cache) the module, binds every
import (``cage.imports``), instantiates it (the memory is a memfd: ``cage.memory``),
hands the memory to the kernel (HELLO), waits for GO and runs ``_start``.

The worker keeps no OS state of the cage: fds, files, credentials, signals and
the process tree live in the kernel. What it does keep is what only the engine
can do: the startup protocol's argv/env accessors, turning reply flags into
engine actions (exit, exec, fork, running a signal handler), and traps.

Exit codes of the worker process itself are informative only; the kernel learns
a cage's status from exit_group on the ring or a TRAP control message.
"""

from __future__ import annotations

import mmap
import os
import signal
import socket
import sys
from typing import Any, NoReturn

import msgpack
import wasmtime

from abi import ring as R
from abi.errno import Errno
from abi.messages import Ctl, MessageError, ReplyFlag, decode_ctl, encode_ctl, encode_syscall
from abi.sysno import nr
from cage.engine import load_module, make_engine
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

__all__ = ["Worker", "main", "trap_signal"]

#: Path of the environment file a cage's ``__get_init_envfile`` names; the kernel's
#: procfs serves it from the cage's environment (one ``KEY=VALUE`` per line).
ENV_FILE = "/proc/self/wali_env"

_NR_EXIT_GROUP = nr("exit_group")

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


class Worker:
    def __init__(self, ctl_fd: int, ring_fd: int, kpage_fd: int, doorbell: int, efd: int) -> None:
        self.ctl = socket.socket(fileno=ctl_fd)
        self.kpage = mmap.mmap(kpage_fd, R.KP_SIZE)
        os.close(kpage_fd)
        self.doorbell = doorbell
        self._attach_ring(ring_fd, efd)
        self.engine = make_engine()
        self.mem: LinearMemory | None = None
        self.memory_export: wasmtime.Memory | wasmtime.SharedMemory | None = None
        self.store: wasmtime.Store | None = None
        self.argv: list[bytes] = []
        self.env: list[bytes] = []
        self.init_called = False
        self.deinit_called = False

    def _attach_ring(self, ring_fd: int, efd: int) -> None:
        self.ring = mmap.mmap(ring_fd, 0)
        os.close(ring_fd)
        magic, _version, _nch, _chsize, slot, cage_id = R.HDR.unpack_from(self.ring, 0)
        if magic != R.RING_MAGIC:
            raise SystemExit("warden worker: ring has a bad magic number")
        self.cage_id = cage_id
        self.channel = Channel(self.ring, 0, self.kpage, slot, self.doorbell, efd, self.ctl.fileno())

    # --- lifecycle -----------------------------------------------------------

    def run(self) -> NoReturn:
        tag, items, fds = recv_ctl(self.ctl)
        if tag is not Ctl.START or len(fds) != 1:
            raise SystemExit("warden worker: expected START with the program")
        argv, env = items[0], items[1]
        wasm = _read_fd(fds[0])
        while True:
            try:
                self.run_program(wasm, argv, env)
            except Unwind as u:
                if u.why != "exec":
                    raise
                wasm, argv, env = u.value  # type: ignore[misc]
                continue
            self.exit_group(0)

    def run_program(self, wasm: bytes, argv: list[bytes], env: list[bytes]) -> None:
        """Instantiate and run one program; returns only if ``_start`` returns."""
        self.argv, self.env = argv, env
        self.init_called = self.deinit_called = False
        self.pending: Unwind | None = None
        try:
            module = load_module(self.engine, wasm)
            store = wasmtime.Store(self.engine)
            linker = wasmtime.Linker(self.engine)
            self._keep: list[object] = []
            self.bind_imports(linker, module, self._keep)
            instance = linker.instantiate(store, module)
        except wasmtime.Trap as t:
            self.crash(describe_trap(t) + " (during instantiation)", trap_signal(t))
        except wasmtime.WasmtimeError as e:
            self.fail_to_load(str(e))
        self.mem = last_memory()
        exports = instance.exports(store)
        self.store = store
        mexp = exports.get("memory")
        self.memory_export = mexp if isinstance(mexp, (wasmtime.Memory, wasmtime.SharedMemory)) else None
        start = exports.get("_start")
        if not isinstance(start, wasmtime.Func):
            self.fail_to_load("module has no _start function export")
        self.hello()
        try:
            start(store)
        except wasmtime.Trap as t:
            if self.pending is not None:
                u, self.pending = self.pending, None
                raise u from None
            self.crash(describe_trap(t), trap_signal(t))
        except wasmtime.WasmtimeError as e:
            if self.pending is not None:
                u, self.pending = self.pending, None
                raise u from None
            self.crash(str(e).splitlines()[0], signal.SIGILL)

    def hello(self) -> None:
        """Give the kernel this program's memory and wait until it is attached."""
        fds = [self.mem.fd] if self.mem is not None else []
        size = self.mem.size if self.mem is not None else 0
        maximum = (self.mem.maximum or 1 << 32) if self.mem is not None else 0
        socket.send_fds(self.ctl, [encode_ctl(Ctl.HELLO, size, maximum)], fds)
        tag, _items, extra = recv_ctl(self.ctl)
        for fd in extra:
            os.close(fd)
        if tag is not Ctl.GO:
            raise SystemExit("warden worker: expected GO")

    def fail_to_load(self, why: str) -> NoReturn:
        self._send_trap(f"cannot load module: {why}", 0)
        _exit(1)

    def crash(self, why: str, signo: int) -> NoReturn:
        self._send_trap(why, signo)
        _exit(128 + signo)

    def _send_trap(self, why: str, signo: int) -> None:
        try:
            self.ctl.send(encode_ctl(Ctl.TRAP, why, signo))
        except OSError:
            pass

    def exit_group(self, status: int) -> NoReturn:
        try:
            self.syscall(_NR_EXIT_GROUP, "exit_group", status)
        except KernelGone:
            pass
        _exit(status & 0xFF)

    def syscall(self, num: int, name: str, *args: int) -> int:
        """A syscall made by the worker itself (not from wasm)."""
        a = (*args, 0, 0, 0, 0, 0, 0)[:6]
        s = self.cage_id
        r, f = self.channel.call(encode_syscall(
            (num, name, s, s, a[0], s, a[1], s, a[2], s, a[3], s, a[4], s, a[5], s)))
        if f & ReplyFlag.EXIT:
            _exit(r & 0xFF)
        return r  # type: ignore[no-any-return]

    # --- reply flags -----------------------------------------------------------

    def on_flags(self, r: int, f: int, msg: bytes = b"") -> int:
        if f & ReplyFlag.GROW:
            if not self.grow_memory(r):
                return -int(Errno.ENOMEM)
            r, f = self.channel.call(msg)
            if f:
                return self.on_flags(r, f, msg)
            return r
        if f & ReplyFlag.EXIT:
            _exit(r & 0xFF)
        if f & ReplyFlag.EXEC:
            tag, items, fds = recv_ctl(self.ctl)
            if tag is not Ctl.EXEC or len(fds) != 1:
                self.crash("exec: bad message from the kernel", signal.SIGKILL)
            wasm = _read_fd(fds[0])
            raise Unwind("exec", (wasm, items[0], items[1]))  # type: ignore[arg-type]
        return r

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
                exp.grow(self.store, delta)
        except wasmtime.WasmtimeError:
            return False
        return mem.size >= size

    def failed(self, e: BaseException) -> int:
        if isinstance(e, Unwind):
            self.pending = e
            return make_trap(f"warden: {e.why}")
        if isinstance(e, KernelGone):
            _exit(128 + signal.SIGKILL)
        return report_internal_error(e)

    # --- imports -----------------------------------------------------------------

    def bind_imports(self, linker: wasmtime.Linker, module: wasmtime.Module, keep: list[object]) -> None:
        sources: list[str] = []
        pending: list[tuple[str, str, str, wasmtime.FuncType]] = []
        for imp in module.imports:
            ty = imp.type
            mod, name = imp.module, imp.name or ""
            if not isinstance(ty, wasmtime.FuncType):
                raise wasmtime.WasmtimeError(f"unsupported import {mod}.{name}: only functions can be imported")
            params = [str(p) for p in ty.params]
            results = [str(r) for r in ty.results]
            info = syscall_info(mod, name)
            if info is not None:
                fname = python_ident(name)
                sources.append(generate_syscall_source(fname, info, params, results))
                pending.append((mod, name, fname, ty))
                continue
            aux = self.aux_function(mod, name, params, results) if mod == "wali" else None
            if aux is None:
                fname = f"u{len(pending)}_" + python_ident(name)
                sources.append(generate_unknown_source(fname, f"{mod}.{name}", results))
                pending.append((mod, name, fname, ty))
                continue
            define_raw(linker, mod, name, ty, aux, keep)
        ns: dict[str, Any] = {
            "call": self.channel.call,
            "pack": encode_syscall,
            "SELF": self.cage_id,
            "on_flags": self.on_flags,
            "failed": self.failed,
        }
        exec(compile("\n".join(sources), "<wali-trampolines>", "exec"), ns)  # noqa: S102
        self.namespaces = [ns]
        for mod, name, fname, ty in pending:
            define_raw(linker, mod, name, ty, ns[fname], keep)

    def aux_function(self, mod: str, name: str, params: list[str], results: list[str]) -> Any:
        impl = _AUX.get(name)
        if impl is None:
            return None
        fn = getattr(self, impl)
        nparams = len(params)
        res = results[0] if results else None
        failed = self.failed

        def aux(env: Any, caller: Any, vals: Any, n: int) -> int:
            try:
                r = fn(*[vals[2 * i] & 0xFFFFFFFF for i in range(nparams)])
                if res is not None:
                    vals[0] = (r & 0xFFFFFFFF) if res == "i32" else r
                return 0
            except BaseException as e:
                return failed(e)

        return aux

    # --- startup protocol (WALI-ABI 3.2) ---------------------------------------------

    def aux_init(self, *_: int) -> int:
        if self.init_called:
            return 1
        self.init_called = True
        return 0

    def aux_deinit(self, *_: int) -> int:
        if self.deinit_called:
            return 1
        self.deinit_called = True
        return 0

    def aux_proc_exit(self, status: int = 0, *_: int) -> int:
        s = status & 0xFFFFFFFF
        self.exit_group(s - (1 << 32) if s & 0x80000000 else s)

    def aux_argc(self, *_: int) -> int:
        return len(self.argv)

    def aux_argv_len(self, idx: int = 0, *_: int) -> int:
        if idx >= len(self.argv):
            return 0
        return len(self.argv[idx])

    def aux_copy_argv(self, buf: int = 0, idx: int = 0, *_: int) -> int:
        if idx >= len(self.argv):
            return -int(Errno.EINVAL)
        return self._copy_out(buf, self.argv[idx] + b"\0")

    def aux_envfile(self, buf: int = 0, size: int = 0, *_: int) -> int:
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

    def aux_thread_spawn(self, *_: int) -> int:
        # Threads are not implemented yet: pthread_create sees EAGAIN.
        return -int(Errno.ENOSYS)

    def aux_setjmp(self, *_: int) -> int:
        return 0

    def aux_longjmp(self, *_: int) -> int:
        self.crash("longjmp is not supported", signal.SIGABRT)


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
        ctl, ring, kpage, doorbell, efd = (int(x) for x in argv)
    except ValueError:
        raise SystemExit("usage: python -m cage CTL RING KPAGE DOORBELL EFD (started by the kernel)") from None
    # The kernel decides what signals do to a cage; the worker must not die of a
    # terminal's SIGINT before the kernel has had its say.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        Worker(ctl, ring, kpage, doorbell, efd).run()
    except (KernelGone, MessageError, ConnectionError):
        _exit(128 + signal.SIGKILL)
    except SystemExit as e:
        print(e, file=sys.stderr)
        _exit(1)
