"""Bookkeeping of mappings inside a cage's linear memory (mmap, munmap, brk).

A wasm memory cannot have holes, change protection or shrink, so mappings are
address-space bookkeeping over one growable byte array (WALI's model, with a
real free list instead of WAMR's bump pointer):

* the mmap area starts at the memory's size when the program was attached
  (everything below belongs to the module: data, stack, its own heap);
* ``map`` takes the lowest free range that fits (first fit), or extends the area
  at the top; extending past the current memory size needs the worker to grow
  the memory first (the GROW reply flag: the call is retried after the grow);
* ``unmap`` really frees: the range is reusable by later mappings, and is
  zero-filled again when it is (Linux's anonymous-mapping guarantee);
* the break (brk) starts at the area's base and grows only into free space, so
  a program whose heap uses brk coexists with one that uses mmap.

Regions are half-open ``[start, end)``, page aligned, sorted, non-overlapping.
Protections are recorded (mprotect, /proc/self/maps) but cannot be enforced.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from kernel.file import OpenFile

__all__ = ["PAGE", "Region", "VmMap", "page_up"]

PAGE: Final = 4096
WASM_PAGE: Final = 65536


def page_up(n: int) -> int:
    return (n + PAGE - 1) & ~(PAGE - 1)


@dataclass(slots=True)
class Region:
    start: int
    end: int
    prot: int
    flags: int
    #: File behind a shared mapping (written back by msync/munmap), else None.
    file: OpenFile | None = None
    offset: int = 0
    name: str = ""

    def split(self, at: int) -> Region:
        """Cut at ``at``; self keeps the low part, the high part is returned."""
        hi = Region(at, self.end, self.prot, self.flags, self.file,
                    self.offset + (at - self.start) if self.file else 0, self.name)
        self.end = at
        return hi


@dataclass(slots=True)
class VmMap:
    base: int = 0
    #: Memory size in bytes as last seen (grows only).
    mem_size: int = 0
    #: Memory maximum in bytes (the module's declared max).
    mem_max: int = 1 << 32
    regions: list[Region] = field(default_factory=list)
    brk_start: int = 0
    brk: int = 0

    def attach(self, mem_size: int, mem_max: int) -> None:
        """A program's memory was attached: reset the area (execve, startup)."""
        self.base = page_up(mem_size)
        self.mem_size = mem_size
        self.mem_max = mem_max
        self.regions = []
        self.brk_start = self.brk = self.base

    def fork(self) -> VmMap:
        """The child's copy. A shared file mapping holds a reference to its file
        (like an fd), so the child's copy takes one more."""
        for r in self.regions:
            if r.file is not None:
                r.file.refs += 1
        return VmMap(self.base, self.mem_size, self.mem_max,
                     [Region(r.start, r.end, r.prot, r.flags, r.file, r.offset, r.name) for r in self.regions],
                     self.brk_start, self.brk)

    # --- queries ------------------------------------------------------------------

    def _index(self, addr: int) -> int:
        """Index of the first region whose end is > addr."""
        ends = [r.end for r in self.regions]
        return bisect.bisect_right(ends, addr)

    def overlapping(self, start: int, end: int) -> list[Region]:
        out = []
        for r in self.regions[self._index(start):]:
            if r.start >= end:
                break
            out.append(r)
        return out

    def is_free(self, start: int, end: int) -> bool:
        return start >= self.base and not self.overlapping(start, end) and not (
            start < self.brk and end > self.brk_start)

    def fully_mapped(self, start: int, end: int) -> bool:
        pos = start
        for r in self.overlapping(start, end):
            if r.start > pos:
                return False
            pos = r.end
        return pos >= end

    def find_free(self, length: int, hint: int = 0) -> int:
        """Lowest free address for ``length`` bytes (may lie beyond mem_size)."""
        if hint and hint >= self.base and hint + length <= self.mem_max and self.is_free(hint, hint + length):
            return hint
        pos = max(self.base, page_up(self.brk))  # the break need not be page aligned
        for r in self.regions:
            if r.end <= pos:
                continue
            if r.start >= pos + length:
                break
            pos = max(pos, r.end)
        return pos

    # --- updates -------------------------------------------------------------------

    def map(self, start: int, end: int, prot: int, flags: int, file: OpenFile | None = None,
            offset: int = 0, name: str = "") -> None:
        self.unmap(start, end)
        i = self._index(start)
        self.regions.insert(i, Region(start, end, prot, flags, file, offset, name))

    def unmap(self, start: int, end: int) -> list[Region]:
        """Remove ``[start, end)``; returns the removed pieces (for write-back)."""
        removed: list[Region] = []
        keep: list[Region] = []
        for r in self.regions:
            if r.end <= start or r.start >= end:
                keep.append(r)
                continue
            if r.start < start:
                hi = r.split(start)
                keep.append(r)
                r = hi
            if r.end > end:
                hi = r.split(end)
                keep.append(hi)
            removed.append(r)
        keep.sort(key=lambda x: x.start)
        self.regions = keep
        return removed

    def protect(self, start: int, end: int, prot: int) -> None:
        for r in list(self.overlapping(start, end)):
            if r.start < start:
                hi = r.split(start)
                self.regions.insert(self.regions.index(r) + 1, hi)
                r = hi
            if r.end > end:
                hi = r.split(end)
                self.regions.insert(self.regions.index(r) + 1, hi)
            r.prot = prot
