"""Memory mappings inside the cage's linear memory: mmap, munmap, mremap, brk,
mprotect, madvise, msync, mlock*.

The vmmap (``kernel.vmmap``) decides addresses; the kernel fills them through
its mapping of the memory's memfd. Two mechanisms make this real rather than
bookkeeping:

* **GROW**: when a mapping needs memory beyond the current size, the kernel
  answers with the GROW reply flag and the needed size; the worker grows its
  memory (only wasmtime can) and sends the same request again, which then fits.
  No kernel state changes before the retry.
* **Hole punching**: unmapped and discarded pages are deallocated in the
  memfd (``fallocate(PUNCH_HOLE)``): their memory really goes back to the host,
  and they read as zeros when mapped again -- Linux's guarantee for anonymous
  memory, without the kernel writing a single zero byte.

File-backed mappings copy the file's bytes in. MAP_SHARED mappings of files
are written back on msync and munmap (not coherent with concurrent write(2)).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from abi.errno import Errno
from abi.flags import (  # Linux constants, defined once in abi.flags
    MADV_DONTNEED as MADV_DONTNEED,
    MADV_FREE as MADV_FREE,
    MADV_REMOVE as MADV_REMOVE,
    MAP_ANONYMOUS as MAP_ANONYMOUS,
    MAP_FIXED as MAP_FIXED,
    MAP_FIXED_NOREPLACE as MAP_FIXED_NOREPLACE,
    MAP_PRIVATE as MAP_PRIVATE,
    MAP_SHARED as MAP_SHARED,
    MAP_SHARED_VALIDATE as MAP_SHARED_VALIDATE,
    MAP_TYPE as MAP_TYPE,
    MCL_CURRENT as MCL_CURRENT,
    MCL_FUTURE as MCL_FUTURE,
    MCL_ONFAULT as MCL_ONFAULT,
    MREMAP_DONTUNMAP as MREMAP_DONTUNMAP,
    MREMAP_FIXED as MREMAP_FIXED,
    MREMAP_MAYMOVE as MREMAP_MAYMOVE,
    MS_ASYNC as MS_ASYNC,
    MS_INVALIDATE as MS_INVALIDATE,
    MS_SYNC as MS_SYNC,
    PROT_EXEC as PROT_EXEC,
    PROT_GROWSDOWN as PROT_GROWSDOWN,
    PROT_GROWSUP as PROT_GROWSUP,
    PROT_READ as PROT_READ,
    PROT_WRITE as PROT_WRITE,
)
from abi.messages import ReplyFlag
from kernel import locks
from kernel._unsafe import punch_hole
from kernel.errors import SyscallError
from kernel.table import partial, supported
from kernel.vfs.types import S_IFCHR, S_IFMT, S_IFREG
from kernel.vmmap import PAGE, WASM_PAGE, Region, page_up

if TYPE_CHECKING:
    from kernel.cage import Cage
    from kernel.file import OpenFile

__all__ = ["SYSCALLS", "release_mappings"]

PROT_SEM: Final = 8
#: Flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK and the known ones).
_KNOWN_FLAGS: Final = 0x3 | MAP_FIXED | MAP_ANONYMOUS | 0x100 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 \
    | 0x10000 | 0x20000 | 0x40000 | 0x80000 | MAP_FIXED_NOREPLACE
_MADV_VALID: Final = frozenset({0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25})


def _mem_size(cage: Cage) -> int:
    mem = cage.mem
    mem._remap()  # the worker may have grown it since we last looked
    cage.vm.mem_size = max(cage.vm.mem_size, mem.size)
    return mem.size


def _need(cage: Cage, end: int) -> int | None:
    """None if ``[.., end)`` fits in memory, else the size to GROW to (a GROW reply)."""
    if end <= cage.mem.size or end <= _mem_size(cage):
        return None
    if end > cage.vm.mem_max:
        raise SyscallError(Errno.ENOMEM)
    cage.thread.flags |= ReplyFlag.GROW
    return (end + WASM_PAGE - 1) // WASM_PAGE * WASM_PAGE


def _zero(cage: Cage, start: int, end: int) -> None:
    """Make ``[start, end)`` read as zeros (and give its pages back)."""
    if end > start:
        punch_hole(cage.mem.fd, start, end - start)


def _fill_from_file(cage: Cage, f: OpenFile, start: int, length: int, end: int, offset: int) -> None:
    _zero(cage, start, end)
    view = cage.mem.view(start, length)
    pos = 0
    while pos < length:
        n = f.pread_into(view[pos:], offset + pos)
        if n <= 0:
            break
        pos += n


#: The wasm32 address space (Linux's TASK_SIZE for these checks).
_TASK_SIZE: Final = 1 << 32


def _check_file(f: OpenFile, typ: int, flags: int, prot: int) -> None:
    """do_mmap's checks on the file, in Linux's order (mm/mmap.c)."""
    if typ != MAP_PRIVATE:
        # MAP_SHARED silently drops unknown flags; MAP_SHARED_VALIDATE refuses them.
        if typ == MAP_SHARED_VALIDATE and flags & ~_KNOWN_FLAGS:
            raise SyscallError(Errno.EOPNOTSUPP)
        if prot & PROT_WRITE and not f.writable:
            raise SyscallError(Errno.EACCES)
    if not f.readable:
        raise SyscallError(Errno.EACCES)
    if f.stat().mode & S_IFMT not in (S_IFREG, S_IFCHR):
        raise SyscallError(Errno.ENODEV)  # no ->mmap: directories, pipes, sockets


def sys_mmap(cage: Cage, addr: int, length: int, prot: int, flags: int, fd: int, offset: int, *_: int) -> int:
    """Implements mmap(2) inside linear memory (see the module docstring)."""
    # x86-64's sys_mmap checks the offset before anything else.
    if offset & (PAGE - 1) or offset < 0:
        raise SyscallError(Errno.EINVAL)
    f: OpenFile | None = None
    if not flags & MAP_ANONYMOUS:
        f = cage.fds.get(fd)
    if flags & MAP_FIXED_NOREPLACE:
        flags |= MAP_FIXED  # as Linux does: NOREPLACE is MAP_FIXED that refuses to replace
    typ = flags & MAP_TYPE
    if length == 0:
        raise SyscallError(Errno.EINVAL)
    if typ not in (MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE):
        raise SyscallError(Errno.EINVAL)
    if f is None and typ == MAP_SHARED_VALIDATE:
        raise SyscallError(Errno.EINVAL)  # anonymous mappings have no SHARED_VALIDATE case
    size = page_up(length)
    vm = cage.vm
    if size > vm.mem_max:
        raise SyscallError(Errno.ENOMEM)
    if flags & MAP_FIXED:
        if addr & (PAGE - 1):
            raise SyscallError(Errno.EINVAL)
        if addr + size > _TASK_SIZE or addr + size > vm.mem_max:
            raise SyscallError(Errno.ENOMEM)
        if addr < PAGE:
            raise SyscallError(Errno.EPERM)  # below mmap_min_addr
        start = addr
        if flags & MAP_FIXED_NOREPLACE and vm.overlapping(start, start + size):
            raise SyscallError(Errno.EEXIST)
    else:
        start = vm.find_free(size, addr & ~(PAGE - 1))
    end = start + size
    if end > vm.mem_max:
        raise SyscallError(Errno.ENOMEM)
    if f is not None:
        _check_file(f, typ, flags, prot)
    grow = _need(cage, end)
    if grow is not None:
        return grow
    for r in vm.unmap(start, end):
        _writeback(cage, r)
    if f is None:
        _zero(cage, start, end)
    else:
        _fill_from_file(cage, f, start, min(length, size), end, offset)
    shared_file = f if (typ != MAP_PRIVATE and f is not None and f.stat().mode & S_IFMT == S_IFREG) else None
    if shared_file is not None:
        shared_file.refs += 1  # the mapping keeps the description alive
    vm.map(start, end, prot, flags, shared_file, offset, name=(f.path.decode(errors="replace") if f else ""))
    return start


def _writeback(cage: Cage, r: Region, *, release: bool = True) -> None:
    """Write a shared file mapping's bytes back to its file (msync/munmap)."""
    f = r.file
    if f is None:
        return
    if r.prot & PROT_WRITE:
        size = f.stat().size
        n = min(r.end - r.start, max(0, size - r.offset))
        if n > 0:
            f.pwrite_from(cage.mem.view(r.start, n), r.offset)
    if release:
        _release_file(f)


def _release_file(f: OpenFile) -> None:
    """A mapping let go of its file: the same as closing an fd of it (fdtable's _drop)."""
    f.refs -= 1
    if f.refs == 0:
        locks.on_release(f)
        f.release()


def release_mappings(cage: Cage) -> None:
    """Drop every mapping of a cage whose program is going away (exit, execve).

    Shared file mappings are written back first (Linux's dirty pages live on in
    the page cache), then their files are let go. Must run while ``cage.mem``
    is still attached.
    """
    for r in cage.vm.unmap(0, _TASK_SIZE):
        if r.file is None:
            continue
        try:
            _writeback(cage, r, release=False)
        except (SyscallError, OSError):
            pass  # the program is gone: nobody to report a failed write-back to
        _release_file(r.file)


def _unmap(cage: Cage, start: int, end: int) -> None:
    """Remove ``[start, end)``: write shared file pages back, give the memory back."""
    for r in cage.vm.unmap(start, end):
        _writeback(cage, r)
        _zero(cage, r.start, min(r.end, cage.mem.size))


def sys_munmap(cage: Cage, addr: int, length: int, *_: int) -> int:
    """Implements munmap(2): the range is freed (and its pages given back)."""
    if addr & (PAGE - 1) or length == 0 or addr + length > _TASK_SIZE:
        raise SyscallError(Errno.EINVAL)
    _unmap(cage, addr, addr + page_up(length))
    return 0


def _remap_to(cage: Cage, old: int, old_r: int, new_r: int, target: int, flags: int) -> int:
    """Move ``[old, old+old_r)`` to ``target`` (resized to ``new_r``); the caller checked both ranges."""
    vm = cage.vm
    end = target + new_r
    grow = _need(cage, end)
    if grow is not None:
        return grow
    regions = vm.overlapping(old, old + old_r)
    proto = regions[0]
    # A single shared file mapping stays one (same file, same file offset).
    shared = proto.file if len(regions) == 1 else None
    file_off = proto.offset + (old - proto.start) if shared is not None else 0
    for r in vm.unmap(target, end):
        _writeback(cage, r)
    _zero(cage, target, end)
    n = min(old_r, new_r)
    mv = cage.mem.mv
    mv[target:target + n] = mv[old:old + n]
    if shared is not None:
        if new_r > n:
            _fill_from_file(cage, shared, target + n, new_r - n, end, file_off + n)
        shared.refs += 1
    vm.map(target, end, proto.prot, proto.flags, shared, file_off, proto.name)
    if flags & MREMAP_DONTUNMAP:
        # The old range stays mapped but loses its pages (reads as zeros again).
        _zero(cage, old, old + old_r)
    else:
        _unmap(cage, old, old + old_r)
    return target


def sys_mremap(cage: Cage, old: int, old_size: int, new_size: int, flags: int, new_addr: int, *_: int) -> int:
    """Implements mremap(2): shrink, grow in place, or move (MREMAP_MAYMOVE/FIXED/DONTUNMAP)."""
    # Argument checks in mm/mremap.c's order.
    if flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP):
        raise SyscallError(Errno.EINVAL)
    if flags & MREMAP_FIXED and not flags & MREMAP_MAYMOVE:
        raise SyscallError(Errno.EINVAL)
    if flags & MREMAP_DONTUNMAP and (not flags & MREMAP_MAYMOVE or old_size != new_size):
        raise SyscallError(Errno.EINVAL)
    if old & (PAGE - 1):
        raise SyscallError(Errno.EINVAL)
    old_r, new_r = page_up(old_size), page_up(new_size)
    if new_r == 0 or old_r == 0:
        # old_size 0 duplicates a shared mapping on Linux; private ones are EINVAL.
        raise SyscallError(Errno.EINVAL)
    vm = cage.vm
    if not vm.overlapping(old, old + PAGE):
        raise SyscallError(Errno.EFAULT)  # no mapping at ``old``
    if flags & (MREMAP_FIXED | MREMAP_DONTUNMAP):
        if flags & MREMAP_FIXED:
            if new_addr & (PAGE - 1) or new_addr < PAGE:
                raise SyscallError(Errno.EINVAL)
            if new_addr + new_r > _TASK_SIZE:
                raise SyscallError(Errno.EINVAL)
            if new_addr < old + old_r and old < new_addr + new_r:
                raise SyscallError(Errno.EINVAL)  # ranges overlap
            if new_addr + new_r > vm.mem_max:
                raise SyscallError(Errno.ENOMEM)
        if not vm.fully_mapped(old, old + min(old_r, new_r)):
            raise SyscallError(Errno.EFAULT)
        if flags & MREMAP_FIXED:
            target = new_addr
        else:
            target = vm.find_free(new_r)
            if target + new_r > vm.mem_max:
                raise SyscallError(Errno.ENOMEM)
        # A GROW reply must come before any change (the call is replayed after it).
        grow = _need(cage, target + new_r)
        if grow is not None:
            return grow
        if new_r < old_r:
            _unmap(cage, old + new_r, old + old_r)
            old_r = new_r
        return _remap_to(cage, old, old_r, new_r, target, flags)
    if new_r <= old_r:
        _unmap(cage, old + new_r, old + old_r)
        return old
    if not vm.fully_mapped(old, old + old_r):
        raise SyscallError(Errno.EFAULT)  # the old range is not one mapping
    if vm.is_free(old + old_r, old + new_r) and old + new_r <= vm.mem_max:
        grow = _need(cage, old + new_r)
        if grow is not None:
            return grow
        proto = vm.overlapping(old + old_r - PAGE, old + old_r)[0]
        lo, hi = old + old_r, old + new_r
        if proto.file is not None:
            # A shared file mapping grows over more of its file.
            off = proto.offset + (lo - proto.start)
            _fill_from_file(cage, proto.file, lo, hi - lo, hi, off)
            proto.file.refs += 1
            vm.map(lo, hi, proto.prot, proto.flags, proto.file, off, proto.name)
        else:
            _zero(cage, lo, hi)
            vm.map(lo, hi, proto.prot, proto.flags, None, 0, proto.name)
        return old
    if not flags & MREMAP_MAYMOVE:
        raise SyscallError(Errno.ENOMEM)
    target = vm.find_free(new_r)
    if target + new_r > vm.mem_max:
        raise SyscallError(Errno.ENOMEM)
    return _remap_to(cage, old, old_r, new_r, target, flags)


def sys_brk(cage: Cage, addr: int, *_: int) -> int:
    """Implements brk(2): the break grows into free space above the module's memory.

    Like Linux, failure is reported by returning the unchanged break.
    """
    vm = cage.vm
    cur = vm.brk
    if addr == 0 or addr < vm.brk_start:
        return cur
    new = page_up(addr)
    if new > page_up(cur):
        lo = page_up(cur)
        if any(r.start < new and r.end > lo for r in vm.regions) or new > vm.mem_max:
            return cur
        grow = _need(cage, new)
        if grow is not None:
            return grow
        _zero(cage, lo, new)
    elif new < page_up(cur):
        _zero(cage, new, page_up(cur))
    vm.brk = addr
    return addr


def _check_range(cage: Cage, addr: int, length: int) -> tuple[int, int]:
    if addr & (PAGE - 1):
        raise SyscallError(Errno.EINVAL)
    end = addr + page_up(length)
    if end > cage.vm.mem_max:
        raise SyscallError(Errno.ENOMEM)
    return addr, end


def _mapped(cage: Cage, start: int, end: int) -> bool:
    """Below the mmap area is the module's own memory: always mapped."""
    vm = cage.vm
    if end <= vm.base:
        return end <= _mem_size(cage) or end <= cage.mem.size
    lo = max(start, vm.base)
    brk_end = page_up(vm.brk)
    if lo < brk_end:
        lo = brk_end if end > brk_end else end
    return lo >= end or vm.fully_mapped(lo, end)


def sys_mprotect(cage: Cage, addr: int, length: int, prot: int, *_: int) -> int:
    """Implements mprotect(2): recorded (wasm memory cannot be protected)."""
    if prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP) or (
            prot & PROT_GROWSDOWN and prot & PROT_GROWSUP):
        raise SyscallError(Errno.EINVAL)
    start, end = _check_range(cage, addr, length)
    if start == end:
        return 0
    if not _mapped(cage, start, end):
        raise SyscallError(Errno.ENOMEM)
    cage.vm.protect(start, end, prot & 7)
    return 0


def sys_madvise(cage: Cage, addr: int, length: int, advice: int, *_: int) -> int:
    """Implements madvise(2): DONTNEED/FREE/REMOVE zero anonymous pages."""
    if advice not in _MADV_VALID:
        raise SyscallError(Errno.EINVAL)
    start, end = _check_range(cage, addr, length)
    if start == end:
        return 0
    if not _mapped(cage, start, end):
        raise SyscallError(Errno.ENOMEM)
    if advice in (MADV_DONTNEED, MADV_FREE, MADV_REMOVE):
        vm = cage.vm
        # Anonymous memory (mmap'd or the brk heap) reads as zeros afterwards.
        # Private file mappings would be re-read from their file on Linux; the
        # file is not kept for them, so their bytes are left as they are.
        for r in vm.overlapping(start, end):
            if r.flags & MAP_ANONYMOUS:
                _zero(cage, max(r.start, start), min(r.end, end))
        lo, hi = max(start, vm.brk_start), min(end, page_up(vm.brk))
        if lo < hi:
            _zero(cage, lo, hi)
    return 0


def sys_msync(cage: Cage, addr: int, length: int, flags: int, *_: int) -> int:
    """Implements msync(2): shared file mappings are written back."""
    if flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) or (flags & MS_ASYNC and flags & MS_SYNC):
        raise SyscallError(Errno.EINVAL)
    start, end = _check_range(cage, addr, length)
    if not _mapped(cage, start, end):
        raise SyscallError(Errno.ENOMEM)
    for r in cage.vm.overlapping(start, end):
        _writeback(cage, r, release=False)
    return 0


def sys_mlock(cage: Cage, addr: int, length: int, *_: int) -> int:
    """Implements mlock(2): memory is always resident; validated only."""
    start = addr & ~(PAGE - 1)
    end = page_up(addr + length)
    if not _mapped(cage, start, end):
        raise SyscallError(Errno.ENOMEM)
    return 0


def sys_mlockall(cage: Cage, flags: int, *_: int) -> int:
    """Implements mlockall(2): validated only."""
    if not flags or flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) or flags == MCL_ONFAULT:
        raise SyscallError(Errno.EINVAL)
    return 0


def sys_munlockall(cage: Cage, *_: int) -> int:
    """Implements munlockall(2)."""
    return 0


def sys_mincore(cage: Cage, addr: int, length: int, vec: int, *_: int) -> int:
    """Implements mincore(2): every mapped page is resident."""
    if addr & (PAGE - 1):
        raise SyscallError(Errno.EINVAL)
    end = page_up(addr + length)
    if not _mapped(cage, addr, end):
        raise SyscallError(Errno.ENOMEM)
    cage.mem.write(vec, b"\x01" * ((end - addr) // PAGE))
    return 0


SYSCALLS = [
    supported("mmap", sys_mmap),
    supported("munmap", sys_munmap),
    supported("mremap", sys_mremap),
    supported("brk", sys_brk),
    partial("mprotect", sys_mprotect, "protections are recorded, not enforced (wasm memory)"),
    partial("madvise", sys_madvise, "DONTNEED/FREE/REMOVE zero anonymous memory; private file mappings keep "
            "their bytes (Linux re-reads the file)"),
    partial("msync", sys_msync, "shared file mappings are written back; not coherent with write(2)"),
    partial("mlock", sys_mlock, "validated; memory is always resident"),
    partial("munlock", sys_mlock, "validated; memory is always resident"),
    partial("mlockall", sys_mlockall, "validated; memory is always resident"),
    supported("munlockall", sys_munlockall),
    supported("mincore", sys_mincore),
]
