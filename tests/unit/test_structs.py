"""Tests for abi.structs (WALI struct layouts) and abi.flags (Linux constants).

Layouts are checked three ways: sizes against the spec table (WALI-ABI.md
section 11, re-typed here so a change to ``SIZES`` alone cannot pass), field
offsets by packing one marked field into an otherwise zero struct, and
property-based pack/unpack round trips over the whole value range of every
field. Flag values are compared with numbers read from the Linux uapi and musl
headers shipped in the ``ziglang`` package (x86-64).
"""

from __future__ import annotations

import enum
import re
import struct
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abi import flags
from abi import structs as S
from abi.flags import AddressFamily, SigHandler, Signal

# name -> (class or None, size) exactly as in WALI-ABI.md section 11.
SPEC_TABLE: dict[str, tuple[type[Any] | None, int]] = {
    "stat": (S.Stat, 144),
    "statx": (S.Statx, 256),
    "timespec": (S.Timespec, 16),
    "timeval": (S.Timeval, 16),
    "itimerval": (S.Itimerval, 32),
    "timezone": (S.Timezone, 8),
    "iovec": (S.Iovec, 8),
    "k_sigaction": (S.KSigaction, 24),
    "stack_t": (S.StackT, 12),
    "linux_dirent64": (S.Dirent64Header, 19),
    "sockaddr": (S.Sockaddr, 16),
    "sockaddr_in": (S.SockaddrIn, 16),
    "sockaddr_in6": (S.SockaddrIn6, 28),
    "sockaddr_un": (S.SockaddrUn, 110),
    "msghdr": (S.Msghdr, 36),
    "cmsghdr": (S.Cmsghdr, 16),
    "epoll_event": (S.EpollEvent, 12),
    "pollfd": (S.Pollfd, 8),
    "rlimit": (S.Rlimit, 16),
    "rusage": (S.Rusage, 272),
    "utsname": (S.Utsname, 390),
    "sysinfo": (S.Sysinfo, 368),
    "statfs": (S.Statfs, 120),
    "flock": (S.Flock, 32),
    "fd_set": (None, 128),
    "sigset": (S.Sigset, 8),
    "pselect6_sigmask": (S.Pselect6Sigmask, 16),
    "start_args": (S.StartArgs, 32),
    "jmp_buf": (None, 344),
    "termios": (S.Termios, 36),
    "winsize": (S.Winsize, 8),
    "cpu_set_t": (None, 128),
}

STRUCT_CLASSES = [cls for cls, _ in SPEC_TABLE.values() if cls is not None]
# sockaddr_un's path length comes from addrlen, not the struct: tested on its own.
FIXED_SIZE_CLASSES = [cls for cls in STRUCT_CLASSES if cls is not S.SockaddrUn]

_INT_RANGES = {
    "B": (0, 2**8 - 1),
    "b": (-(2**7), 2**7 - 1),
    "H": (0, 2**16 - 1),
    "h": (-(2**15), 2**15 - 1),
    "I": (0, 2**32 - 1),
    "i": (-(2**31), 2**31 - 1),
    "Q": (0, 2**64 - 1),
    "q": (-(2**63), 2**63 - 1),
}


def field_strategies(cls: type[Any]) -> list[st.SearchStrategy[Any]]:
    """One strategy per dataclass field, derived from the class's FMT codes."""
    out: list[st.SearchStrategy[Any]] = []
    for count, code in re.findall(r"(\d*)([xBbHhIiQqs])", cls.FMT.format[1:]):
        if code == "x":
            continue
        if code == "s":
            n = int(count)
            if cls is S.Utsname:  # C strings: no NUL, room for the terminator
                out.append(st.binary(max_size=n - 1).map(lambda b: b.replace(b"\0", b"a")))
            else:
                out.append(st.binary(min_size=n, max_size=n))
            continue
        lo, hi = _INT_RANGES[code]
        out.extend(st.integers(lo, hi) for _ in range(int(count or 1)))
    assert len(out) == len(fields(cls))
    return out


def instances(cls: type[Any]) -> st.SearchStrategy[Any]:
    return st.builds(cls, *field_strategies(cls))


def zero_instance(cls: type[Any], **overrides: Any) -> Any:
    values = {f.name: (b"" if f.type == "bytes" else 0) for f in fields(cls)}
    values.update(overrides)
    return cls(**values)


MARK = 0x5A


def assert_field_at(cls: type[Any], field: str, offset: int, size: int) -> None:
    """Packing only ``field`` (as 0x5A bytes) touches exactly ``[offset, offset+size)``."""
    is_bytes = next(f for f in fields(cls) if f.name == field).type == "bytes"
    marker: Any = bytes([MARK]) * size if is_bytes else int.from_bytes(bytes([MARK]) * size, "little")
    raw = zero_instance(cls, **{field: marker}).pack()
    expected = bytearray(cls.FMT.size)
    expected[offset : offset + size] = bytes([MARK]) * size
    assert raw == bytes(expected), f"{cls.__name__}.{field} is not at {offset}:{size}"


# ---------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------


def test_sizes_table_is_the_spec_table() -> None:
    assert {name: size for name, (_, size) in SPEC_TABLE.items()} == S.SIZES


@pytest.mark.parametrize(("name", "cls", "size"), [(n, c, z) for n, (c, z) in SPEC_TABLE.items() if c])
def test_struct_format_size_matches_spec(name: str, cls: type[Any], size: int) -> None:
    assert cls.FMT.size == size, name
    assert cls.FMT.format.startswith("<"), "little-endian, no native alignment"


def test_size_only_layouts_match_spec() -> None:
    assert S.FD_SET_SIZE == 128
    assert S.CPU_SET_SIZE == 128
    assert (S.JMPBUF_JB, S.JMPBUF_FL, S.JMPBUF_SS, S.JMPBUF_SIZE) == (0, 208, 216, 344)
    assert S.JMPBUF_FL - S.JMPBUF_JB == 26 * 8
    assert S.JMPBUF_SIZE - S.JMPBUF_SS == 16 * 8


# ---------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------


@given(st.data())
def test_stat_roundtrip_preserves_every_field(data: st.DataObject) -> None:
    st_obj = data.draw(instances(S.Stat))
    raw = st_obj.pack()
    assert len(raw) == 144
    assert S.Stat.unpack_from(raw) == st_obj


@pytest.mark.parametrize("cls", FIXED_SIZE_CLASSES, ids=lambda c: c.__name__)
@given(data=st.data())
def test_every_struct_roundtrips_through_pack_and_unpack(cls: type[Any], data: st.DataObject) -> None:
    obj = data.draw(instances(cls))
    raw = obj.pack()
    assert len(raw) == cls.FMT.size
    assert cls.unpack_from(raw) == obj


@pytest.mark.parametrize("cls", FIXED_SIZE_CLASSES, ids=lambda c: c.__name__)
@given(data=st.data())
def test_pack_into_writes_only_the_struct_bytes_at_offset(cls: type[Any], data: st.DataObject) -> None:
    obj = data.draw(instances(cls))
    off = data.draw(st.integers(0, 40))
    buf = bytearray(b"\xee" * (off + cls.FMT.size + 8))
    obj.pack_into(buf, off)
    assert buf[:off] == b"\xee" * off
    assert buf[off + cls.FMT.size :] == b"\xee" * 8
    assert bytes(buf[off : off + cls.FMT.size]) == obj.pack()
    assert cls.unpack_from(memoryview(buf), off) == obj


@pytest.mark.parametrize("cls", STRUCT_CLASSES, ids=lambda c: c.__name__)
def test_unpack_from_short_buffer_raises_struct_error(cls: type[Any]) -> None:
    with pytest.raises(struct.error):
        cls.unpack_from(bytes(cls.FMT.size - 1))


def test_padding_is_written_as_zero_and_ignored_on_read() -> None:
    raw = bytearray(S.Stat(*range(1, 17)).pack())
    assert raw[36:40] == bytes(4)
    assert raw[120:144] == bytes(24)
    raw[36:40] = b"\xff" * 4
    raw[120:144] = b"\xff" * 24
    assert S.Stat.unpack_from(raw) == S.Stat(*range(1, 17))


def test_out_of_range_field_raises_struct_error() -> None:
    with pytest.raises(struct.error):
        S.Iovec(iov_base=2**32, iov_len=0).pack()
    with pytest.raises(struct.error):
        S.Timespec(tv_sec=0, tv_nsec=-(2**63) - 1).pack()


# ---------------------------------------------------------------------------
# Offsets from the spec
# ---------------------------------------------------------------------------

OFFSETS: list[tuple[type[Any], str, int, int]] = [
    (S.Stat, "st_dev", 0, 8),
    (S.Stat, "st_nlink", 16, 8),
    (S.Stat, "st_mode", 24, 4),
    (S.Stat, "st_gid", 32, 4),
    (S.Stat, "st_rdev", 40, 8),
    (S.Stat, "st_size", 48, 8),
    (S.Stat, "st_blksize", 56, 8),
    (S.Stat, "st_blocks", 64, 8),
    (S.Stat, "st_atime_sec", 72, 8),
    (S.Stat, "st_mtime_sec", 88, 8),
    (S.Stat, "st_mtime_nsec", 96, 8),
    (S.Stat, "st_ctime_nsec", 112, 8),
    (S.Statx, "stx_attributes", 8, 8),
    (S.Statx, "stx_mode", 28, 2),
    (S.Statx, "stx_ino", 32, 8),
    (S.Statx, "stx_attributes_mask", 56, 8),
    (S.Statx, "stx_atime_sec", 64, 8),
    (S.Statx, "stx_atime_nsec", 72, 4),
    (S.Statx, "stx_btime_sec", 80, 8),
    (S.Statx, "stx_mtime_sec", 112, 8),
    (S.Statx, "stx_rdev_major", 128, 4),
    (S.Statx, "stx_dev_minor", 140, 4),
    (S.Timespec, "tv_nsec", 8, 8),
    (S.Itimerval, "it_value_sec", 16, 8),
    (S.Timezone, "tz_dsttime", 4, 4),
    (S.Iovec, "iov_len", 4, 4),
    (S.KSigaction, "handler", 0, 4),
    (S.KSigaction, "flags", 4, 8),
    (S.KSigaction, "restorer", 12, 4),
    (S.KSigaction, "mask", 16, 8),
    (S.StackT, "ss_flags", 4, 4),
    (S.StackT, "ss_size", 8, 4),
    (S.Dirent64Header, "d_off", 8, 8),
    (S.Dirent64Header, "d_reclen", 16, 2),
    (S.Dirent64Header, "d_type", 18, 1),
    (S.Sockaddr, "sa_data", 2, 14),
    (S.SockaddrIn, "sin_port", 2, 2),
    (S.SockaddrIn, "sin_addr", 4, 4),
    (S.SockaddrIn6, "sin6_flowinfo", 4, 4),
    (S.SockaddrIn6, "sin6_addr", 8, 16),
    (S.SockaddrIn6, "sin6_scope_id", 24, 4),
    (S.Msghdr, "msg_namelen", 4, 4),
    (S.Msghdr, "msg_iov", 8, 4),
    (S.Msghdr, "msg_iovlen", 12, 4),
    (S.Msghdr, "msg_control", 20, 4),
    (S.Msghdr, "msg_controllen", 24, 4),
    (S.Msghdr, "msg_flags", 32, 4),
    (S.Cmsghdr, "cmsg_len", 0, 4),
    (S.Cmsghdr, "cmsg_level", 8, 4),
    (S.Cmsghdr, "cmsg_type", 12, 4),
    (S.EpollEvent, "data", 4, 8),
    (S.Pollfd, "events", 4, 2),
    (S.Pollfd, "revents", 6, 2),
    (S.Rlimit, "rlim_max", 8, 8),
    (S.Rusage, "ru_stime_sec", 16, 8),
    (S.Rusage, "ru_maxrss", 32, 8),
    (S.Rusage, "ru_nivcsw", 136, 8),
    (S.Utsname, "nodename", 65, 64),
    (S.Utsname, "machine", 260, 64),
    (S.Utsname, "domainname", 325, 64),
    (S.Sysinfo, "loads_0", 8, 8),
    (S.Sysinfo, "totalram", 32, 8),
    (S.Sysinfo, "freeswap", 72, 8),
    (S.Sysinfo, "procs", 80, 2),
    (S.Sysinfo, "totalhigh", 88, 8),
    (S.Sysinfo, "freehigh", 96, 8),
    (S.Sysinfo, "mem_unit", 104, 4),
    (S.Statfs, "f_bavail", 32, 8),
    (S.Statfs, "f_ffree", 48, 8),
    (S.Statfs, "f_fsid_0", 56, 4),
    (S.Statfs, "f_fsid_1", 60, 4),
    (S.Statfs, "f_namelen", 64, 8),
    (S.Statfs, "f_flags", 80, 8),
    (S.Flock, "l_whence", 2, 2),
    (S.Flock, "l_start", 8, 8),
    (S.Flock, "l_len", 16, 8),
    (S.Flock, "l_pid", 24, 4),
    (S.Pselect6Sigmask, "ss_len", 8, 8),
    (S.StartArgs, "tls_base", 4, 4),
    (S.StartArgs, "start_func", 8, 4),
    (S.StartArgs, "start_arg", 12, 4),
    (S.StartArgs, "control", 16, 4),
    (S.StartArgs, "sig_mask", 24, 8),
    (S.Termios, "c_lflag", 12, 4),
    (S.Termios, "c_line", 16, 1),
    (S.Termios, "c_cc", 17, 19),
    (S.Winsize, "ws_col", 2, 2),
    (S.Winsize, "ws_ypixel", 6, 2),
]


@pytest.mark.parametrize(
    ("cls", "field", "offset", "size"), OFFSETS, ids=[f"{c.__name__}.{f}" for c, f, _, _ in OFFSETS]
)
def test_field_lives_at_spec_offset(cls: type[Any], field: str, offset: int, size: int) -> None:
    assert_field_at(cls, field, offset, size)


def test_k_sigaction_sig_ign_is_wali_minus_two_on_the_wire() -> None:
    act = S.KSigaction(handler=SigHandler.SIG_IGN, flags=flags.SA_RESTORER, restorer=7, mask=1 << 1)
    raw = act.pack()
    assert raw[0:4] == b"\xfe\xff\xff\xff"
    back = S.KSigaction.unpack_from(raw)
    assert back.handler == -2
    assert back.handler == SigHandler.SIG_IGN


# ---------------------------------------------------------------------------
# linux_dirent64
# ---------------------------------------------------------------------------

names = st.binary(min_size=1, max_size=255).map(lambda b: b.replace(b"\0", b"x"))


@given(
    ino=st.integers(0, 2**64 - 1),
    off=st.integers(-(2**63), 2**63 - 1),
    dtype=st.integers(0, 15),
    name=names,
)
def test_dirent64_record_is_aligned_nul_terminated_with_matching_reclen(
    ino: int, off: int, dtype: int, name: bytes
) -> None:
    rec = S.pack_dirent64(ino, off, dtype, name)
    assert len(rec) % 8 == 0
    assert len(rec) == S.dirent64_reclen(len(name))
    assert len(rec) - (19 + len(name) + 1) in range(8)
    hdr = S.Dirent64Header.unpack_from(rec)
    assert (hdr.d_ino, hdr.d_off, hdr.d_reclen, hdr.d_type) == (ino, off, len(rec), dtype)
    assert rec[19 : 19 + len(name)] == name
    assert rec[19 + len(name) :] == bytes(len(rec) - 19 - len(name))


@pytest.mark.parametrize(("namelen", "reclen"), [(1, 24), (4, 24), (5, 32), (12, 32), (13, 40), (255, 280)])
def test_dirent64_reclen_rounds_header_name_and_nul_up_to_eight(namelen: int, reclen: int) -> None:
    assert S.dirent64_reclen(namelen) == reclen


@pytest.mark.parametrize("name", [b"", b"a\0b", b"x" * 256])
def test_pack_dirent64_rejects_names_a_vfs_must_never_produce(name: bytes) -> None:
    with pytest.raises(ValueError, match="bad directory entry name"):
        S.pack_dirent64(1, 1, 8, name)


@given(st.lists(st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 15), names), max_size=20))
def test_iter_dirent64_walks_concatenated_records_back(entries: list[tuple[int, int, bytes]]) -> None:
    buf = b"".join(S.pack_dirent64(ino, i + 1, t, n) for i, (ino, t, n) in enumerate(entries))
    got = [(h.d_ino, h.d_off, h.d_type, name) for h, name in S.iter_dirent64(buf)]
    assert got == [(ino, i + 1, t, n) for i, (ino, t, n) in enumerate(entries)]


def test_iter_dirent64_rejects_truncated_record() -> None:
    rec = S.pack_dirent64(1, 1, 8, b"hello")
    with pytest.raises(ValueError, match="bad d_reclen"):
        list(S.iter_dirent64(rec, 0, len(rec) - 8))


# ---------------------------------------------------------------------------
# iovec arrays
# ---------------------------------------------------------------------------


@given(
    iovs=st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)), max_size=64),
    pre=st.integers(0, 16),
)
def test_unpack_iovecs_reads_base_len_pairs_in_order(iovs: list[tuple[int, int]], pre: int) -> None:
    raw = S.pack_iovecs(iovs)
    assert len(raw) == 8 * len(iovs)
    buf = memoryview(bytes(pre) + raw + b"\xff" * 8)
    assert S.unpack_iovecs(buf, pre, len(iovs)) == iovs
    for i, (base, length) in enumerate(iovs):
        assert S.Iovec.unpack_from(buf, pre + 8 * i) == S.Iovec(base, length)


def test_iovec_array_struct_is_cached_per_count() -> None:
    assert S.iovec_array(3) is S.iovec_array(3)
    assert S.iovec_array(3).size == 24
    assert S.unpack_iovecs(b"", 0, 0) == []


def test_unpack_iovecs_rejects_negative_count_and_short_buffer() -> None:
    with pytest.raises(ValueError, match="negative"):
        S.unpack_iovecs(bytes(16), 0, -1)
    with pytest.raises(struct.error):
        S.unpack_iovecs(bytes(15), 0, 2)


# ---------------------------------------------------------------------------
# fd_set and sigset helpers
# ---------------------------------------------------------------------------


@given(st.sets(st.integers(0, 1023)), st.integers(0, 1023))
def test_fdset_helpers_agree_with_a_python_set(fds: set[int], probe: int) -> None:
    bits = 0
    for fd in fds:
        bits = S.fdset_set(bits, fd)
    assert S.fdset_fds(bits) == sorted(fds)
    assert S.fdset_isset(bits, probe) == (probe in fds)
    assert not S.fdset_isset(S.fdset_clr(bits, probe), probe)
    assert S.fdset_fds(S.fdset_clr(bits, probe)) == sorted(fds - {probe})
    raw = S.fdset_pack(bits, 1024)
    assert len(raw) == 128
    assert S.fdset_unpack(raw, 0, 1024) == bits


def test_fdset_bit_order_is_linux_long_words_little_endian() -> None:
    bits = S.fdset_set(S.fdset_set(S.fdset_set(0, 0), 9), 64)
    raw = S.fdset_pack(bits, 65)
    assert raw == b"\x01\x02" + bytes(6) + b"\x01" + bytes(7)


@pytest.mark.parametrize(("nfds", "nbytes"), [(0, 0), (1, 8), (64, 8), (65, 16), (1024, 128)])
def test_fdset_nbytes_counts_whole_64_bit_words(nfds: int, nbytes: int) -> None:
    assert S.fdset_nbytes(nfds) == nbytes


def test_fdset_unpack_ignores_bits_at_or_above_nfds() -> None:
    raw = b"\xff" * 128
    assert S.fdset_unpack(raw, 0, 3) == 0b111
    assert S.fdset_unpack(b"\0" * 4 + raw, 4, 70) == (1 << 70) - 1


def test_sigset_bit_for_signal_n_is_bit_n_minus_one() -> None:
    mask = S.sigset_of(Signal.SIGHUP, Signal.SIGINT, 64)
    assert mask == 0b11 | (1 << 63)
    assert S.Sigset(mask).pack() == b"\x03" + bytes(6) + b"\x80"
    assert S.sigset_has(mask, Signal.SIGINT)
    assert not S.sigset_has(S.sigset_del(mask, Signal.SIGINT), Signal.SIGINT)
    assert S.sigset_add(0, Signal.SIGKILL) == 1 << 8


# ---------------------------------------------------------------------------
# Socket addresses, C strings, partial kernel writes, timespec helpers
# ---------------------------------------------------------------------------


def test_sockaddr_in_port_and_address_are_network_order() -> None:
    sa = S.SockaddrIn(AddressFamily.AF_INET, 8080, bytes([127, 0, 0, 1]))
    raw = sa.pack()
    assert raw == b"\x02\x00\x1f\x90\x7f\x00\x00\x01" + bytes(8)
    assert S.unpack_sockaddr(raw, 0, 16) == sa


def test_sockaddr_in6_flowinfo_is_network_order_scope_id_host_order() -> None:
    sa = S.SockaddrIn6(AddressFamily.AF_INET6, 443, 0x12345, bytes(range(16)), 3)
    raw = sa.pack()
    assert raw[2:4] == b"\x01\xbb"
    assert raw[4:8] == b"\x00\x01\x23\x45"
    assert raw[24:28] == b"\x03\x00\x00\x00"
    assert S.unpack_sockaddr(raw, 0, 28) == sa
    without_scope = S.SockaddrIn6(AddressFamily.AF_INET6, 443, 0x12345, bytes(range(16)), 0)
    assert S.unpack_sockaddr(raw, 0, 24) == without_scope


@pytest.mark.parametrize("path", [b"/run/app.sock\0", b"\0abstract", b""])
def test_sockaddr_un_keeps_exactly_the_addrlen_bytes(path: bytes) -> None:
    sa = S.SockaddrUn(AddressFamily.AF_UNIX, path)
    raw = sa.pack()
    assert len(raw) == 110
    assert sa.addrlen == 2 + len(path)
    assert S.unpack_sockaddr(raw, 0, sa.addrlen) == sa


@pytest.mark.parametrize(
    ("raw", "addrlen"),
    [
        (b"\x01\x00", 1),
        (b"\x02\x00" + bytes(14), 15),
        (b"\x0a\x00" + bytes(26), 23),
        (b"\x01\x00" + bytes(120), 111),
    ],
)
def test_unpack_sockaddr_rejects_lengths_too_short_or_long_for_family(raw: bytes, addrlen: int) -> None:
    with pytest.raises(ValueError, match="sockaddr"):
        S.unpack_sockaddr(raw, 0, addrlen)


def test_unpack_sockaddr_unknown_family_is_generic() -> None:
    got = S.unpack_sockaddr(b"\x10\x00abc", 0, 5)
    assert got == S.Sockaddr(16, b"abc" + bytes(11))


def test_utsname_fields_are_c_strings() -> None:
    u = S.Utsname(b"Linux", b"warden", b"6.1.0", b"#1", b"x86_64", b"")
    raw = u.pack()
    assert raw[0:6] == b"Linux\0"
    assert raw[260:267] == b"x86_64\0"
    assert S.Utsname.unpack_from(raw) == u
    with pytest.raises(ValueError, match="longer than 64"):
        S.Utsname(b"x" * 65, b"", b"", b"", b"", b"").pack()


def test_rusage_and_sysinfo_pack_kernel_writes_only_the_kernel_prefix() -> None:
    ru = S.Rusage(*range(1, 19))
    assert ru.pack_kernel() == ru.pack()[: S.Rusage.KERNEL_SIZE]
    assert len(ru.pack_kernel()) == 144
    si = S.Sysinfo(*range(1, 15))
    assert si.pack_kernel() == si.pack()[: S.Sysinfo.KERNEL_SIZE]
    assert len(si.pack_kernel()) == 112


@given(st.integers(-(2**63), 2**63 - 1), st.integers(-(2**63), 2**63 - 1))
def test_timespec_helpers_match_the_dataclass(sec: int, nsec: int) -> None:
    raw = S.pack_timespec(sec, nsec)
    assert raw == S.Timespec(sec, nsec).pack()
    assert S.unpack_timespec(b"\0" * 3 + raw, 3) == (sec, nsec)


def test_cmsg_helpers_follow_musl_64_bit_long_alignment() -> None:
    assert S.cmsg_len(4) == 20
    assert S.cmsg_space(4) == 24
    assert S.cmsg_space(8) == 24
    assert S.cmsg_align(17) == 24


# ---------------------------------------------------------------------------
# abi.flags: values as read from the headers
# ---------------------------------------------------------------------------

# Numbers read from ziglang's x86_64-linux-musl / any-linux-any headers.
HEADER_VALUES: dict[str, int] = {
    "O_CREAT": 0o100,
    "O_EXCL": 0o200,
    "O_TRUNC": 0o1000,
    "O_APPEND": 0o2000,
    "O_NONBLOCK": 0o4000,
    "O_DSYNC": 0o10000,
    "O_DIRECT": 0o40000,
    "O_LARGEFILE": 0o100000,
    "O_DIRECTORY": 0o200000,
    "O_NOFOLLOW": 0o400000,
    "O_NOATIME": 0o1000000,
    "O_CLOEXEC": 0o2000000,
    "O_SYNC": 0o4010000,
    "O_PATH": 0o10000000,
    "O_TMPFILE": 0o20200000,
    "AT_FDCWD": -100,
    "AT_SYMLINK_NOFOLLOW": 0x100,
    "AT_REMOVEDIR": 0x200,
    "AT_EACCESS": 0x200,
    "AT_SYMLINK_FOLLOW": 0x400,
    "AT_EMPTY_PATH": 0x1000,
    "S_IFMT": 0o170000,
    "S_IFDIR": 0o40000,
    "S_IFLNK": 0o120000,
    "DT_DIR": 4,
    "DT_REG": 8,
    "DT_LNK": 10,
    "F_GETLK": 5,
    "F_SETLK": 6,
    "F_SETLKW": 7,
    "F_OFD_GETLK": 36,
    "F_DUPFD_CLOEXEC": 1030,
    "F_SETPIPE_SZ": 1031,
    "F_GETPIPE_SZ": 1032,
    "F_ADD_SEALS": 1033,
    "F_GET_SEALS": 1034,
    "SEEK_DATA": 3,
    "SEEK_HOLE": 4,
    "CLOCK_MONOTONIC": 1,
    "CLOCK_BOOTTIME": 7,
    "CLOCK_TAI": 11,
    "MAP_ANONYMOUS": 0x20,
    "MAP_FIXED": 0x10,
    "MAP_NORESERVE": 0x4000,
    "MAP_STACK": 0x20000,
    "MAP_FIXED_NOREPLACE": 0x100000,
    "MREMAP_DONTUNMAP": 4,
    "MADV_DONTNEED": 4,
    "MADV_FREE": 8,
    "RLIMIT_NOFILE": 7,
    "RLIMIT_RTTIME": 15,
    "RLIM_INFINITY": 2**64 - 1,
    "RUSAGE_CHILDREN": -1,
    "SIGCHLD": 17,
    "SIGSYS": 31,
    "SIGRTMAX": 64,
    "NSIG": 65,
    "SA_RESTORER": 0x04000000,
    "SA_ONSTACK": 0x08000000,
    "SA_RESETHAND": 0x80000000,
    "MINSIGSTKSZ": 2048,
    "RENAME_WHITEOUT": 4,
    "STATX_BASIC_STATS": 0x7FF,
    "STATX_BTIME": 0x800,
    "STATX_ATTR_DAX": 0x200000,
    "UTIME_NOW": 0x3FFFFFFF,
    "UTIME_OMIT": 0x3FFFFFFE,
    "FUTEX_WAIT_BITSET": 9,
    "FUTEX_PRIVATE_FLAG": 128,
    "FUTEX_CLOCK_REALTIME": 256,
    "FUTEX_BITSET_MATCH_ANY": 0xFFFFFFFF,
    "WNOWAIT": 0x01000000,
    "__WALL": 0x40000000,
    "TCGETS": 0x5401,
    "TIOCGWINSZ": 0x5413,
    "FIONREAD": 0x541B,
    "FIONBIO": 0x5421,
    "TIOCNOTTY": 0x5422,
    "FIOCLEX": 0x5451,
    "POLLRDHUP": 0x2000,
    "POLLWRNORM": 0x100,
    "EPOLLET": 1 << 31,
    "EPOLLONESHOT": 1 << 30,
    "EFD_SEMAPHORE": 1,
    "AF_INET6": 10,
    "SOCK_SEQPACKET": 5,
    "SOCK_CLOEXEC": 0o2000000,
    "SO_RCVTIMEO": 20,
    "SO_PEERCRED": 17,
    "MSG_NOSIGNAL": 0x4000,
    "MSG_CMSG_CLOEXEC": 0x40000000,
    "GRND_INSECURE": 4,
    "PR_SET_NAME": 15,
    "PR_SET_TIMERSLACK": 29,
    "CLONE_THREAD": 0x10000,
    "CLONE_SETTLS": 0x80000,
    "SCHED_IDLE": 5,
    "PIPE_BUF": 4096,
}


@pytest.mark.parametrize(("name", "value"), sorted(HEADER_VALUES.items()))
def test_flag_value_equals_linux_header(name: str, value: int) -> None:
    assert getattr(flags, name) == value


def test_wali_specific_signal_handler_values() -> None:
    assert (SigHandler.SIG_DFL, SigHandler.SIG_ERR, SigHandler.SIG_IGN) == (0, -1, -2)
    assert flags.SIG_IGN == -2


def test_kernel_realtime_signal_range_and_musl_sigrtmin() -> None:
    assert (Signal.SIGRTMIN, Signal.SIGRTMAX) == (32, 64)
    assert flags.SIGRTMIN_MUSL == 35


def test_multi_bit_open_flags_contain_their_companion_bit() -> None:
    assert flags.O_TMPFILE & flags.O_DIRECTORY == flags.O_DIRECTORY
    assert flags.O_SYNC & flags.O_DSYNC == flags.O_DSYNC
    assert flags.O_TMPFILE == flags.O_TMPFILE_BIT | flags.O_DIRECTORY
    assert flags.O_SYNC == flags.O_SYNC_BIT | flags.O_DSYNC
    assert flags.OPEN_VALID & flags.O_LARGEFILE


def test_dirent_type_is_mode_type_shifted() -> None:
    pairs = {
        flags.S_IFIFO: flags.DT_FIFO,
        flags.S_IFCHR: flags.DT_CHR,
        flags.S_IFDIR: flags.DT_DIR,
        flags.S_IFBLK: flags.DT_BLK,
        flags.S_IFREG: flags.DT_REG,
        flags.S_IFLNK: flags.DT_LNK,
        flags.S_IFSOCK: flags.DT_SOCK,
    }
    assert set(pairs) == set(flags.FileType)
    for ftype, dtype in pairs.items():
        assert flags.IFTODT(ftype | 0o4755) == dtype
        assert flags.DTTOIF(dtype) == ftype


def _flag_classes() -> list[type[enum.Enum]]:
    return [
        v
        for v in vars(flags).values()
        if isinstance(v, type) and issubclass(v, enum.Enum) and v.__module__ == flags.__name__
    ]


def test_every_enum_member_has_a_plain_int_module_alias() -> None:
    for cls in _flag_classes():
        for name, member in cls.__members__.items():
            alias = "__" + name if name in ("WALL", "WCLONE", "WNOTHREAD") else name
            value = getattr(flags, alias)
            assert type(value) is int, alias
            assert value == member.value, alias
            assert alias in flags.__all__, alias


def test_flags_all_names_exist() -> None:
    missing = [n for n in flags.__all__ if not hasattr(flags, n)]
    assert missing == []
    assert len(set(flags.__all__)) == len(flags.__all__)


def test_structs_all_names_exist() -> None:
    assert [n for n in S.__all__ if not hasattr(S, n)] == []
