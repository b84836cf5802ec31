"""Property tests of the VmMap region algebra (kernel/vmmap.py), against a page model.

The model is a dict page -> (prot, file, file offset). After any sequence of
map/unmap/protect/brk moves the region list must stay sorted, non-overlapping,
page aligned and non-empty, describe exactly the model's pages, and
``find_free`` must never return a range that overlaps a mapping or the heap.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kernel.vmmap import PAGE, VmMap, page_up

BASE_PAGES = 16
AREA_PAGES = 64
MEM_MAX = (BASE_PAGES + AREA_PAGES + 64) * PAGE

pages = st.integers(min_value=0, max_value=AREA_PAGES - 1)
lengths = st.integers(min_value=1, max_value=12)
prots = st.integers(min_value=0, max_value=7)


class FileToken:
    """Stands in for an OpenFile: only identity matters to the vmmap."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.refs = 0

    def __repr__(self) -> str:
        return f"F{self.n}"


def check_shape(vm: VmMap) -> None:
    prev_end = -1
    for r in vm.regions:
        assert r.start % PAGE == 0 and r.end % PAGE == 0, r
        assert r.start < r.end, r
        assert r.start >= prev_end, f"overlap or unsorted: {vm.regions}"
        prev_end = r.end


def pages_of(vm: VmMap) -> dict[int, tuple[int, object, int]]:
    out: dict[int, tuple[int, object, int]] = {}
    for r in vm.regions:
        for p in range(r.start // PAGE, r.end // PAGE):
            assert p not in out
            off = r.offset + (p * PAGE - r.start) if r.file is not None else 0
            out[p] = (r.prot, r.file, off)
    return out


class VmMapMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.vm = VmMap()
        self.vm.attach(BASE_PAGES * PAGE - 123, MEM_MAX)  # an unaligned memory size rounds up
        self.model: dict[int, tuple[int, object, int]] = {}
        self.files = 0

    def _addr(self, page: int) -> int:
        return self.vm.base + page * PAGE

    @rule(page=pages, n=lengths, prot=prots, with_file=st.booleans(), off_pages=st.integers(0, 8))
    def map(self, page: int, n: int, prot: int, with_file: bool, off_pages: int) -> None:
        start = self._addr(page)
        f = None
        if with_file:
            self.files += 1
            f = FileToken(self.files)
        off = off_pages * PAGE if f is not None else 0
        self.vm.map(start, start + n * PAGE, prot, 0x22, f, off)  # type: ignore[arg-type]
        for i in range(n):
            self.model[start // PAGE + i] = (prot, f, off + i * PAGE if f is not None else 0)

    @rule(page=pages, n=lengths)
    def unmap(self, page: int, n: int) -> None:
        start = self._addr(page)
        removed = self.vm.unmap(start, start + n * PAGE)
        want = {p for p in range(start // PAGE, start // PAGE + n) if p in self.model}
        got: set[int] = set()
        for r in removed:
            assert r.start >= start and r.end <= start + n * PAGE, "removed piece outside the range"
            for p in range(r.start // PAGE, r.end // PAGE):
                got.add(p)
                if r.file is not None:
                    assert r.offset + (p * PAGE - r.start) == self.model[p][2], "file offset of a removed piece"
        assert got == want
        for p in want:
            del self.model[p]

    @rule(page=pages, n=lengths, prot=prots)
    def protect(self, page: int, n: int, prot: int) -> None:
        start = self._addr(page)
        self.vm.protect(start, start + n * PAGE, prot)
        for p in range(start // PAGE, start // PAGE + n):
            if p in self.model:
                _, f, off = self.model[p]
                self.model[p] = (prot, f, off)

    @rule(extra=st.integers(min_value=0, max_value=20 * PAGE))
    def move_brk(self, extra: int) -> None:
        self.vm.brk = self.vm.brk_start + extra

    @rule(n=lengths, hint_page=st.one_of(st.none(), pages))
    def find_free(self, n: int, hint_page: int | None) -> None:
        vm = self.vm
        length = n * PAGE
        hint = 0 if hint_page is None else self._addr(hint_page)
        pos = vm.find_free(length, hint)
        assert pos % PAGE == 0, f"unaligned address {pos:#x} (brk {vm.brk:#x})"
        assert pos >= vm.base
        assert pos >= vm.brk, "inside the heap"
        for p in range(pos // PAGE, (pos + length) // PAGE):
            assert p not in self.model, f"find_free returned a mapped page {p}"
        assert vm.is_free(pos, pos + length)
        if hint and vm.is_free(hint, hint + length):
            assert pos == hint, "a free hint is honoured"
        if hint_page is None:
            # First fit: no lower free gap of that size above the heap.
            lo = page_up(max(vm.base, vm.brk)) // PAGE
            for s in range(lo, pos // PAGE):
                assert any(p in self.model for p in range(s, s + n)), f"lower gap at page {s} was free"

    @rule(page=pages, n=lengths)
    def queries(self, page: int, n: int) -> None:
        start = self._addr(page)
        end = start + n * PAGE
        ps = range(start // PAGE, end // PAGE)
        assert self.vm.fully_mapped(start, end) == all(p in self.model for p in ps)
        assert bool(self.vm.overlapping(start, end)) == any(p in self.model for p in ps)

    @rule()
    def fork(self) -> None:
        files = [r.file for r in self.vm.regions if r.file is not None]
        before = {id(f): f.refs for f in files}  # type: ignore[union-attr]
        child = self.vm.fork()
        assert pages_of(child) == pages_of(self.vm)
        for f in files:
            # One more reference per region the child's copy holds.
            held = sum(1 for r in self.vm.regions if r.file is f)
            assert f.refs == before[id(f)] + held  # type: ignore[union-attr]
        child.unmap(child.base, child.base + AREA_PAGES * PAGE)
        assert pages_of(self.vm) == self.model, "fork shares region objects with the parent"

    @invariant()
    def regions_match_model(self) -> None:
        check_shape(self.vm)
        assert pages_of(self.vm) == self.model


TestVmMap = VmMapMachine.TestCase
TestVmMap.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


@given(st.integers(min_value=0, max_value=1 << 33))
def test_page_up_is_the_next_multiple(n: int) -> None:
    p = page_up(n)
    assert p % PAGE == 0 and n <= p < n + PAGE


def test_attach_resets_the_area() -> None:
    vm = VmMap()
    vm.attach(10 * PAGE + 1, MEM_MAX)
    vm.map(vm.base, vm.base + PAGE, 3, 0x22)
    vm.brk = vm.base + 5
    vm.attach(20 * PAGE, MEM_MAX)
    assert vm.base == 20 * PAGE and vm.regions == [] and vm.brk == vm.brk_start == vm.base
