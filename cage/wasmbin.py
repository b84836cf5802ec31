"""Minimal WebAssembly binary rewriting: what the worker needs from a WALI module.

Two rewrites, done once per module (and cached compiled):

* ``export_table``: WALI modules do not export their function table, but signal
  handlers are table indices (WALI-ABI section 8) and the worker must call them:
  the rewrite adds an export of table 0 named ``__warden_table``.
* ``import_memory``: WALI modules *define* their (shared) memory; a thread needs
  a second instance of the module sharing that memory (section 10). The rewrite
  turns the memory definition into an import ``env.memory`` of the same type, so
  thread instances can import the main instance's memory. Memory index 0 and
  every instruction stay as they were (an imported memory is index 0).

Only section framing is parsed (ids, sizes, the vectors we edit): code and data
bytes are copied untouched.
"""

from __future__ import annotations

from typing import Final

__all__ = ["TABLE_EXPORT", "WasmFormatError", "export_table", "import_memory", "leb_u32", "read_leb_u32"]

TABLE_EXPORT: Final = "__warden_table"
MAGIC: Final = b"\0asm\x01\0\0\0"

SEC_IMPORT: Final = 2
SEC_TABLE: Final = 4
SEC_MEMORY: Final = 5
SEC_EXPORT: Final = 7
_ORDER: Final = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13}


class WasmFormatError(ValueError):
    pass


def leb_u32(v: int) -> bytes:
    if v < 0 or v >= 1 << 32:
        raise ValueError("out of u32 range")
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_leb_u32(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for i in range(5):
        if pos >= len(buf):
            raise WasmFormatError("truncated LEB128")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            if result >= 1 << 32:
                raise WasmFormatError("LEB128 out of u32 range")
            return result, pos
        shift += 7
        if i == 4:
            break
    raise WasmFormatError("LEB128 too long")


def _sections(wasm: bytes) -> list[tuple[int, bytes]]:
    if wasm[:8] != MAGIC:
        raise WasmFormatError("not a wasm module (bad magic or version)")
    pos = 8
    out = []
    while pos < len(wasm):
        sid = wasm[pos]
        size, p = read_leb_u32(wasm, pos + 1)
        end = p + size
        if end > len(wasm):
            raise WasmFormatError("section runs past the end")
        out.append((sid, wasm[p:end]))
        pos = end
    return out


def _assemble(sections: list[tuple[int, bytes]]) -> bytes:
    body = bytearray(MAGIC)
    for sid, payload in sections:
        body.append(sid)
        body += leb_u32(len(payload))
        body += payload
    return bytes(body)


def _insert(sections: list[tuple[int, bytes]], sid: int, payload: bytes) -> None:
    """Insert a known section at its place in the canonical order."""
    rank = _ORDER[sid]
    for i, (s, _) in enumerate(sections):
        if s != 0 and _ORDER.get(s, 99) > rank:
            sections.insert(i, (sid, payload))
            return
    sections.append((sid, payload))


def _name(buf: bytes, pos: int) -> tuple[bytes, int]:
    n, pos = read_leb_u32(buf, pos)
    return buf[pos:pos + n], pos + n


def _skip_limits(buf: bytes, pos: int) -> int:
    flags = buf[pos]
    pos += 1
    if flags & 4:
        raise WasmFormatError("memory64 is not supported")
    _, pos = read_leb_u32(buf, pos)
    if flags & 1:
        _, pos = read_leb_u32(buf, pos)
    return pos


def _exports(payload: bytes) -> list[tuple[bytes, int, int]]:
    count, pos = read_leb_u32(payload, 0)
    out = []
    for _ in range(count):
        name, pos = _name(payload, pos)
        kind = payload[pos]
        idx, pos = read_leb_u32(payload, pos + 1)
        out.append((name, kind, idx))
    return out


def _encode_exports(exports: list[tuple[bytes, int, int]]) -> bytes:
    out = bytearray(leb_u32(len(exports)))
    for name, kind, idx in exports:
        out += leb_u32(len(name)) + name + bytes([kind]) + leb_u32(idx)
    return bytes(out)


def _has_table(sections: list[tuple[int, bytes]]) -> bool:
    for sid, payload in sections:
        if sid == SEC_TABLE and read_leb_u32(payload, 0)[0] > 0:
            return True
        if sid == SEC_IMPORT:
            count, pos = read_leb_u32(payload, 0)
            for _ in range(count):
                _, pos = _name(payload, pos)
                _, pos = _name(payload, pos)
                kind = payload[pos]
                pos += 1
                if kind == 0:
                    _, pos = read_leb_u32(payload, pos)
                elif kind == 1:
                    return True
                elif kind == 2:
                    pos = _skip_limits(payload, pos)
                elif kind == 3:
                    pos += 2
                elif kind == 4:
                    pos += 1
                    _, pos = read_leb_u32(payload, pos)
                else:
                    raise WasmFormatError(f"unknown import kind {kind}")
    return False


def export_table(wasm: bytes) -> bytes:
    """``wasm`` with table 0 exported as ``__warden_table`` (unchanged if no table
    or already exported under that name)."""
    sections = _sections(wasm)
    if not _has_table(sections):
        return wasm
    for i, (sid, payload) in enumerate(sections):
        if sid == SEC_EXPORT:
            exports = _exports(payload)
            if any(name == TABLE_EXPORT.encode() for name, _, _ in exports):
                return wasm
            exports.append((TABLE_EXPORT.encode(), 1, 0))
            sections[i] = (sid, _encode_exports(exports))
            return _assemble(sections)
    _insert(sections, SEC_EXPORT, _encode_exports([(TABLE_EXPORT.encode(), 1, 0)]))
    return _assemble(sections)


def import_memory(wasm: bytes, module: bytes = b"env", name: bytes = b"memory") -> bytes:
    """``wasm`` with its defined memory turned into an import ``module.name``."""
    sections = _sections(wasm)
    mem_i = next((i for i, (sid, _) in enumerate(sections) if sid == SEC_MEMORY), None)
    if mem_i is None:
        raise WasmFormatError("module defines no memory")
    payload = sections[mem_i][1]
    count, pos = read_leb_u32(payload, 0)
    if count != 1:
        raise WasmFormatError(f"module defines {count} memories, expected 1")
    end = _skip_limits(payload, pos)
    memtype = payload[pos:end]
    entry = leb_u32(len(module)) + module + leb_u32(len(name)) + name + b"\x02" + memtype
    del sections[mem_i]
    imp_i = next((i for i, (sid, _) in enumerate(sections) if sid == SEC_IMPORT), None)
    if imp_i is None:
        _insert(sections, SEC_IMPORT, leb_u32(1) + entry)
    else:
        ip = sections[imp_i][1]
        n, p = read_leb_u32(ip, 0)
        sections[imp_i] = (SEC_IMPORT, leb_u32(n + 1) + ip[p:] + entry)
    return _assemble(sections)
