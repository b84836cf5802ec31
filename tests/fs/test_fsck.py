"""fsck on stores damaged directly with sqlite3: every kind of damage is found, the safe
repairs are made in one go, and the repaired store opens with its good data intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kernel.vfs import fsck
from kernel.vfs.memfs import CHUNK
from kernel.vfs.store import StoreError, StoreFs
from kernel.vfs.types import S_IFREG
from tests.fs._storeutil import raw_tree


def build(path: Path) -> dict[str, int]:
    """/keep (file, 2 chunks), /d/sub/deep (file), /d/f + /hard (one file, 2 names), /l -> keep."""
    with StoreFs(path) as fs:
        r = fs.root()
        keep = fs.create(r, b"keep", S_IFREG | 0o644, 0, 0)
        fs.write(keep, 0, b"k" * (CHUNK + 100))
        d = fs.mkdir(r, b"d", 0o755, 0, 0)
        sub = fs.mkdir(d, b"sub", 0o755, 0, 0)
        deep = fs.create(sub, b"deep", S_IFREG | 0o644, 0, 0)
        fs.write(deep, 0, b"deep data")
        f = fs.create(d, b"f", S_IFREG | 0o644, 0, 0)
        fs.write(f, 0, b"f data")
        fs.link(r, b"hard", f)
        fs.symlink(r, b"l", b"keep", 0, 0)
        return {"root": r.ino, "keep": keep.ino, "d": d.ino, "sub": sub.ino, "deep": deep.ino, "f": f.ino}


def damage(path: Path, *sql: str, args: tuple = ()) -> None:
    conn = sqlite3.connect(path)
    for s in sql:
        conn.execute(s, args if "?" in s else ())
    conn.commit()
    conn.close()


def run_check(path: Path, repair: bool = False) -> fsck.FsckResult:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return fsck.check(conn, repair=repair)
    finally:
        conn.close()


def test_a_fresh_store_is_clean(tmp_path):
    path = tmp_path / "fs.sqlite"
    build(path)
    res = run_check(path)
    assert res.findings == [] and res.clean
    assert (res.inodes, res.directories, res.files, res.symlinks, res.chunks) == (7, 3, 3, 1, 4)
    assert "clean" in res.report()


def _detect_repair_recheck(path: Path, kinds: set[str]) -> fsck.FsckResult:
    before = path.read_bytes()
    found = run_check(path)
    assert found.kinds() == kinds, found.report()
    assert not found.clean and all(not f.repaired for f in found.findings)
    assert path.read_bytes() == before  # checking alone changes nothing
    fixed = run_check(path, repair=True)
    assert fixed.kinds() == kinds and fixed.clean, fixed.report()
    again = run_check(path)
    assert again.findings == [], again.report()
    return fixed


def test_wrong_link_counts_are_recomputed(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    damage(path, f"UPDATE inodes SET nlink = 7 WHERE ino = {ino['f']}",
           f"UPDATE inodes SET nlink = 3 WHERE ino = {ino['keep']}",
           f"UPDATE inodes SET nlink = 9 WHERE ino = {ino['d']}",
           f"UPDATE inodes SET nlink = 2 WHERE ino = {ino['root']}")
    res = _detect_repair_recheck(path, {"link-count"})
    assert sorted(f.ino for f in res.findings) == sorted([ino["f"], ino["keep"], ino["d"], ino["root"]])
    tree = raw_tree(str(path))
    assert (tree["/d/f"].nlink, tree["/keep"].nlink, tree["/d"].nlink, tree["/"].nlink) == (2, 1, 3, 3)


def test_orphans_are_deleted_with_their_chunks(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    damage(path, f"DELETE FROM dirents WHERE child = {ino['keep']}",
           f"UPDATE inodes SET nlink = 0 WHERE ino = {ino['keep']}")
    res = _detect_repair_recheck(path, {"orphan"})
    assert [f.ino for f in res.findings if f.kind == "orphan"] == [ino["keep"]]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM chunks WHERE ino = ?", (ino["keep"],)).fetchone() == (0,)
    conn.close()


def test_unreachable_subtrees_and_detached_cycles_are_deleted(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    # /d loses its name: d, d/sub, d/sub/deep become unreachable (d/f still has /hard).
    # And two directories naming each other form a cycle nobody reaches.
    damage(path, "DELETE FROM dirents WHERE parent = 1 AND name = CAST('d' AS BLOB)",
           "INSERT INTO inodes VALUES (100, 16877, 3, 0, 0, 0, 0, 0, 0, 0, 0, NULL)",
           "INSERT INTO inodes VALUES (101, 16877, 3, 0, 0, 0, 0, 0, 0, 0, 0, NULL)",
           "INSERT INTO dirents VALUES (100, CAST('b' AS BLOB), 101)",
           "INSERT INTO dirents VALUES (101, CAST('a' AS BLOB), 100)",
           "UPDATE meta SET value = 200 WHERE key = 'next_ino'")
    res = _detect_repair_recheck(path, {"unreachable", "link-count"})
    gone = {f.ino for f in res.findings if f.kind == "unreachable"}
    assert gone == {ino["d"], ino["sub"], ino["deep"], 100, 101}
    tree = raw_tree(str(path))
    assert sorted(tree) == ["/", "/hard", "/keep", "/l"]
    assert tree["/hard"].data == b"f data" and tree["/hard"].nlink == 1 and tree["/"].nlink == 2


def test_bad_entries_are_dropped(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    damage(path,
           "INSERT INTO dirents VALUES (1, CAST('ghost' AS BLOB), 999)",           # missing inode
           "INSERT INTO dirents VALUES (998, CAST('x' AS BLOB), 1)",                 # missing parent
           f"INSERT INTO dirents VALUES ({ino['keep']}, CAST('in-file' AS BLOB), {ino['f']})",  # not a dir
           f"INSERT INTO dirents VALUES ({ino['d']}, CAST('up' AS BLOB), 1)",        # names the root
           f"INSERT INTO dirents VALUES ({ino['d']}, CAST('..' AS BLOB), {ino['f']})",  # bad name
           f"INSERT INTO dirents VALUES ({ino['d']}, CAST('a/b' AS BLOB), {ino['f']})",
           "UPDATE meta SET value = 1000 WHERE key = 'next_ino'")
    res = _detect_repair_recheck(path, {"dangling-entry", "bad-entry", "bad-name"})
    assert len(res.findings) == 6
    tree = raw_tree(str(path))
    assert tree["/d/f"].nlink == 2  # only its real names count
    with StoreFs(path) as fs:
        assert sorted(fs.root().entries) == [b"d", b"hard", b"keep", b"l"]


def test_a_second_name_of_a_directory_is_dropped(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    damage(path, f"INSERT INTO dirents VALUES (1, CAST('alias' AS BLOB), {ino['sub']})",
           f"UPDATE inodes SET nlink = nlink + 1 WHERE ino = 1")
    res = _detect_repair_recheck(path, {"dir-hardlink", "link-count"})
    assert [f.ino for f in res.findings if f.kind == "dir-hardlink"] == [ino["sub"]]
    tree = raw_tree(str(path))
    # Breadth first from the root: /alias is met before /d/sub, so /alias stays its one name.
    assert ("/alias" in tree) != ("/d/sub" in tree)
    assert tree["/"].nlink + tree["/d"].nlink == 3 + 2 + 1


def test_chunk_problems_are_trimmed_or_deleted(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    damage(path,
           f"INSERT INTO chunks(ino, idx, data) VALUES ({ino['deep']}, 5, x'01')",        # beyond the size
           f"UPDATE chunks SET data = x'{(b'f data' + bytes([1, 2])).hex()}' WHERE ino = {ino['f']}",  # straddles
           f"INSERT INTO chunks(ino, idx, data) VALUES ({ino['d']}, 0, x'01')",           # on a directory
           "INSERT INTO chunks(ino, idx, data) VALUES (777, 0, x'01')",                     # no inode
           f"INSERT INTO chunks(ino, idx, data) VALUES ({ino['deep']}, -1, x'01')")       # negative index
    damage(path, f"UPDATE inodes SET size = {3 * CHUNK} WHERE ino = {ino['keep']}",
           f"UPDATE chunks SET data = zeroblob({CHUNK + 10}) WHERE ino = {ino['keep']} AND idx = 0")
    res = _detect_repair_recheck(path, {"chunk-beyond-size", "stray-chunk", "bad-chunk", "chunk-too-large"})
    assert len(res.findings) == 6
    tree = raw_tree(str(path))
    assert tree["/d/f"].data == b"f data"
    conn = sqlite3.connect(path)
    assert conn.execute(f"SELECT length(data) FROM chunks WHERE ino = {ino['keep']} AND idx = 0").fetchone() \
        == (CHUNK,)
    assert conn.execute("SELECT count(*) FROM chunks WHERE ino IN (777, ?)", (ino["d"],)).fetchone() == (0,)
    conn.close()


def test_next_inode_number_is_raised_above_every_inode(tmp_path):
    path = tmp_path / "fs.sqlite"
    build(path)
    damage(path, "UPDATE meta SET value = 2 WHERE key = 'next_ino'")
    _detect_repair_recheck(path, {"next-ino"})
    with StoreFs(path) as fs:
        new = fs.create(fs.root(), b"new", S_IFREG | 0o644, 0, 0)
        assert new.ino == 8


def test_symlink_without_target_and_negative_size(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    damage(path, "UPDATE inodes SET target = NULL WHERE mode & 61440 = 40960",
           f"UPDATE inodes SET size = -5 WHERE ino = {ino['keep']}")
    _detect_repair_recheck(path, {"bad-symlink", "bad-size"})
    assert raw_tree(str(path))["/keep"].size == CHUNK + 100  # recomputed from its chunks


def test_missing_root_cannot_be_repaired_and_the_store_is_refused(tmp_path):
    path = tmp_path / "fs.sqlite"
    build(path)
    damage(path, "DELETE FROM inodes WHERE ino = 1", "UPDATE meta SET value = 0 WHERE key = 'clean'")
    res = run_check(path, repair=True)
    assert res.kinds() == {"no-root"} and not res.clean
    with pytest.raises(StoreError, match="damaged beyond automatic repair"):
        StoreFs(path)


def test_unknown_file_type_remains_a_problem(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    damage(path, f"UPDATE inodes SET mode = {0o070644} WHERE ino = {ino['deep']}")
    res = run_check(path, repair=True)
    assert "bad-mode" in res.kinds() and not res.clean
    assert "1 remaining" in res.report()


def test_open_after_an_unclean_shutdown_repairs_before_serving(tmp_path):
    path = tmp_path / "fs.sqlite"
    ino = build(path)
    damage(path, f"UPDATE inodes SET nlink = 5 WHERE ino = {ino['keep']}",
           "INSERT INTO inodes VALUES (300, 33188, 0, 0, 0, 0, 3, 0, 0, 0, 0, NULL)",
           "INSERT INTO chunks(ino, idx, data) VALUES (300, 0, x'414243')",
           "UPDATE meta SET value = 400 WHERE key = 'next_ino'",
           "UPDATE meta SET value = 0 WHERE key = 'clean'")
    with StoreFs(path) as fs:
        assert fs.recovery is not None
        assert fs.recovery.kinds() == {"link-count", "orphan"} and fs.recovery.clean
        keep = fs.lookup(fs.root(), b"keep")
        assert keep.nlink == 1 and 300 not in fs.inodes
        buf = bytearray(CHUNK + 100)
        assert fs.read(keep, 0, memoryview(buf)) == CHUNK + 100 and buf == b"k" * (CHUNK + 100)
    assert run_check(path).findings == []


def test_a_clean_marked_store_with_a_dangling_entry_is_refused_not_guessed(tmp_path):
    path = tmp_path / "fs.sqlite"
    build(path)
    damage(path, "INSERT INTO dirents VALUES (1, CAST('ghost' AS BLOB), 999)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="warden fs check --repair"):
        StoreFs(path)
    assert path.read_bytes() == before
