"""The ``warden`` command line: ``warden run`` and the ``warden fs`` store tools.

Every failure the user can cause (a bad store file, a missing guest path, a
read-only image...) prints one ``warden: <message>`` line and exits 1.
"""

from __future__ import annotations

import contextlib
import os
import stat as _stat
import sys
import time
from collections.abc import Iterator

import click

from abi.errno import Errno
from kernel.errors import SyscallError
from kernel.vfs.store import StoreError, default_store_path

__all__ = ["main"]


def _read_env_file(path: str) -> list[str]:
    out = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f.read().splitlines():
            if line and not line.startswith("#"):
                out.append(line)
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wasm-warden")
def main() -> None:
    """Warden: run WALI programs as isolated cages on a syscall-virtualization kernel."""


@main.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--fs", "store", default=None, metavar="PATH",
              help="Store file of the root filesystem (default: $WARDEN_FS, else "
                   "~/.local/share/warden/fs.sqlite); ':memory:' for a throwaway one.")
@click.option("--dir", "dirs", multiple=True, metavar="HOST::GUEST[:ro]",
              help="Mount a host directory into the cage (confined; repeatable).")
@click.option("--image", "images", multiple=True, metavar="IMAGE::GUEST",
              help="Mount a packed image (warden fs pack) read-only (repeatable).")
@click.option("--env", "envs", multiple=True, metavar="KEY[=VALUE]",
              help="Set an environment variable (KEY alone passes the host's value; repeatable).")
@click.option("--env-file", "env_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Read KEY=VALUE lines from a file (repeatable).")
@click.option("--cwd", default="/", show_default=True, help="Working directory inside the cage.")
@click.option("--user", default=None, metavar="UID[:GID]", help="Credentials of the cage (default: yours).")
@click.option("--stats", is_flag=True, help="Print unimplemented-syscall counts on exit.")
@click.argument("program", type=click.Path(exists=True, dir_okay=False))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run_cmd(store: str | None, dirs: tuple[str, ...], images: tuple[str, ...], envs: tuple[str, ...],
            env_files: tuple[str, ...], cwd: str, user: str | None, stats: bool, program: str,
            args: tuple[str, ...]) -> None:
    """Run PROGRAM (a WALI .wasm module, or WAT text) with ARGS.

    Its stdout, stderr and exit status are the program's. A trap prints one line
    and exits 1; death by signal N exits 128+N. Use -- before ARGS that start
    with a dash meant for the program.
    """
    import trio  # the kernel's imports only when running (warden fs starts faster)

    from kernel.runner import RunSpec, parse_dir, parse_image, run

    env: list[str] = []
    for ef in env_files:
        env.extend(_read_env_file(ef))
    for e in envs:
        if "=" in e:
            env.append(e)
        elif e in os.environ:
            env.append(f"{e}={os.environ[e]}")
    uid = gid = None
    if user:
        u, _, g = user.partition(":")
        uid = int(u)
        gid = int(g) if g else uid
    try:
        mounts = [parse_dir(d) for d in dirs]
        image_mounts = [parse_image(i) for i in images]
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    a = list(args)
    if a and a[0] == "--":
        a = a[1:]
    spec = RunSpec(program=program, args=a, env=env, dirs=mounts, images=image_mounts, cwd=cwd, uid=uid,
                   gid=gid, stats=stats, fs=_store_path(store, for_writing=True))
    try:
        code = trio.run(run, spec)
    except (ValueError, StoreError) as e:
        click.echo(f"warden: {e}", err=True)
        sys.exit(1)
    except SyscallError as e:  # a mount point that cannot be made (EROFS inside an image...)
        click.echo(f"warden: cannot set up the filesystem: {os.strerror(e.errno)}", err=True)
        sys.exit(1)
    sys.exit(code)


run_cmd.name = "run"


# --- warden fs ----------------------------------------------------------------------------------------


def _store_path(given: str | None, *, for_writing: bool) -> str:
    """The store a command works on: --fs, else the per-user default (its directory made on demand)."""
    if given is not None:
        return given
    path = default_store_path()
    if for_writing and path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    return path


@contextlib.contextmanager
def _errors(what: str = "") -> Iterator[None]:
    """StoreError and errno errors -> ``warden: message``, exit status 1."""
    try:
        yield
    except StoreError as e:
        click.echo(f"warden: {e}", err=True)
        sys.exit(1)
    except SyscallError as e:
        click.echo(f"warden: {what}{': ' if what else ''}{os.strerror(e.errno)}", err=True)
        sys.exit(1)
    except OSError as e:
        where = e.filename if e.filename is not None else what
        click.echo(f"warden: {where}{': ' if where else ''}{e.strerror or e}", err=True)
        sys.exit(1)


_fs_option = click.option("--fs", "store", default=None, metavar="PATH",
                          help="Store file (default: $WARDEN_FS, else ~/.local/share/warden/fs.sqlite).")


@main.command("syscalls")
@click.option("--level", type=click.Choice(["all", "supported", "partial", "unimplemented"]), default="all",
              show_default=True, help="Which entries to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list of objects).")
def syscalls_cmd(level: str, as_json: bool) -> None:
    """List the kernel's syscall table: number, name, support level and notes.

    Unimplemented syscalls answer -ENOSYS (and are counted: see `warden run --stats`).
    """
    import json

    from abi.sysno import BY_NR
    from kernel.table import TABLE

    rows = []
    for nr in sorted(TABLE):
        e = TABLE[nr]
        if level != "all" and e.level.value != level:
            continue
        info = BY_NR[nr]
        rows.append({"nr": nr, "name": e.name, "level": e.level.value, "note": e.note,
                     "wali_import": f"SYS_{info.wali_name}" if info.wali_name else None})
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    for r in rows:
        note = f"  ({r['note']})" if r["note"] else ""
        click.echo(f"{r['nr']:5d}  {r['name']:<24} {r['level']:<13}{note}")
    counts: dict[str, int] = {}
    for e in TABLE.values():
        counts[e.level.value] = counts.get(e.level.value, 0) + 1
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())), err=True)


@main.group("fs")
def fs_group() -> None:
    """Work with a filesystem store (or a packed image) without running a cage."""


def _open(store: str | None, *, write: bool):  # type: ignore[no-untyped-def]
    from kernel.vfs.store import StoreFs

    path = _store_path(store, for_writing=write)
    if path == ":memory:":
        raise StoreError(path, "warden fs needs a store file")
    return StoreFs(path, create=write)


def _walk(fs, path: str, *, follow: bool = True):  # type: ignore[no-untyped-def]
    from kernel.cage import Creds
    from kernel.vfs.vfs import Vfs

    vfs = Vfs(fs)
    return vfs.walk(vfs.root_context(), Creds(), None, os.fsencode(path), follow=follow).inode


def _walk_parent(fs, path: str):  # type: ignore[no-untyped-def]
    from kernel.cage import Creds
    from kernel.vfs.vfs import Vfs

    vfs = Vfs(fs)
    d, name, _ = vfs.walk_parent(vfs.root_context(), Creds(), None, os.fsencode(path))
    return d.inode, name


def _ls_line(fs, name: bytes, i) -> str:  # type: ignore[no-untyped-def]
    st = fs.getattr(i)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(st.mtime_ns / 1e9))
    line = (f"{_stat.filemode(st.mode)} {st.nlink:>3} {st.uid:>5} {st.gid:>5} {st.size:>12} {when} "
            f"{os.fsdecode(name)}")
    if _stat.S_ISLNK(st.mode):
        line += f" -> {os.fsdecode(fs.readlink(i))}"
    return line


@fs_group.command("ls")
@_fs_option
@click.option("-l", "long", is_flag=True, help="Long listing (mode, links, owner, size, time).")
@click.argument("path", default="/")
def fs_ls(store: str | None, long: bool, path: str) -> None:
    """List a guest directory (or name a file)."""
    with _errors(path):
        fs = _open(store, write=False)
        try:
            i = _walk(fs, path, follow=not long or path.endswith("/"))
            if i.entries is None:
                items = [(os.fsencode(path), i)]
            else:
                items = sorted(i.entries.items())
            for name, child in items:
                click.echo(_ls_line(fs, name, child) if long else os.fsdecode(name))
        finally:
            fs.close()


def _read_out(fs, i, out) -> None:  # type: ignore[no-untyped-def]
    buf = bytearray(1 << 20)
    mv = memoryview(buf)
    off = 0
    while True:
        n = fs.read(i, off, mv)
        if not n:
            break
        out.write(mv[:n])
        off += n


@fs_group.command("cat")
@_fs_option
@click.argument("path")
def fs_cat(store: str | None, path: str) -> None:
    """Write a guest file to stdout."""
    with _errors(path):
        fs = _open(store, write=False)
        try:
            i = _walk(fs, path)
            if i.chunks is None:
                raise SyscallError(Errno.EISDIR if i.entries is not None else Errno.EINVAL)
            _read_out(fs, i, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        finally:
            fs.close()


@fs_group.command("get")
@_fs_option
@click.argument("path")
@click.argument("host_file")
def fs_get(store: str | None, path: str, host_file: str) -> None:
    """Copy guest file PATH to HOST_FILE ('-' for stdout; a directory gets the same name)."""
    with _errors(path):
        fs = _open(store, write=False)
        try:
            i = _walk(fs, path)
            if i.chunks is None:
                raise SyscallError(Errno.EISDIR if i.entries is not None else Errno.EINVAL)
            if host_file == "-":
                _read_out(fs, i, sys.stdout.buffer)
                sys.stdout.buffer.flush()
                return
            if os.path.isdir(host_file):
                host_file = os.path.join(host_file, os.path.basename(path.rstrip("/")))
            fd = os.open(host_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, i.mode & 0o777)
            with open(fd, "wb") as out:
                _read_out(fs, i, out)
        finally:
            fs.close()


@fs_group.command("put")
@_fs_option
@click.argument("host_file")
@click.argument("path")
def fs_put(store: str | None, host_file: str, path: str) -> None:
    """Copy HOST_FILE ('-' for stdin) to guest PATH (into it, when PATH is a directory)."""
    from kernel.vfs.types import S_IFREG

    with _errors(path):
        if host_file == "-":
            src, mode = sys.stdin.buffer, 0o644
        else:
            src = open(host_file, "rb")  # noqa: SIM115 -- closed below
            mode = os.fstat(src.fileno()).st_mode & 0o7777
        try:
            fs = _open(store, write=True)
            try:
                d, name = _walk_parent(fs, path)
                target = None
                if name not in (b".", b".."):
                    target = d.entries.get(name) if d.entries is not None else None
                else:
                    target = _walk(fs, path)
                if target is not None and target.mode & 0o170000 == 0o120000:
                    target = _walk(fs, path)  # follow a symlink, like cp
                if target is not None and target.entries is not None:
                    if host_file == "-":
                        raise SyscallError(Errno.EISDIR)  # no name to give stdin
                    d, name = target, os.fsencode(os.path.basename(host_file))
                    target = d.entries.get(name)
                if target is None:
                    target = fs.create(d, name, S_IFREG | mode, os.getuid(), os.getgid())
                elif target.chunks is None:
                    raise SyscallError(Errno.EISDIR if target.entries is not None else Errno.EINVAL)
                else:
                    fs.truncate(target, 0)
                off = 0
                while True:
                    block = src.read(1 << 20)
                    if not block:
                        break
                    fs.write(target, off, block)
                    off += len(block)
            finally:
                fs.close()
        finally:
            if src is not sys.stdin.buffer:
                src.close()


@fs_group.command("mkdir")
@_fs_option
@click.option("-p", "parents", is_flag=True, help="Make parent directories; no error if it exists.")
@click.argument("path")
def fs_mkdir(store: str | None, parents: bool, path: str) -> None:
    """Make a guest directory."""
    with _errors(path):
        fs = _open(store, write=True)
        try:
            if not parents:
                d, name = _walk_parent(fs, path)
                if name in (b".", b".."):
                    raise SyscallError(Errno.EEXIST)
                fs.mkdir(d, name, 0o755, os.getuid(), os.getgid())
                return
            cur = fs.root()
            for comp in [c for c in os.fsencode(path).split(b"/") if c and c != b"."]:
                nxt = cur.entries.get(comp) if cur.entries is not None else None
                if nxt is None:
                    nxt = fs.mkdir(cur, comp, 0o755, os.getuid(), os.getgid())
                elif nxt.mode & 0o170000 == 0o120000:
                    nxt = _walk(fs, os.fsdecode(b"/" + comp))  # a symlinked component
                if nxt.entries is None:
                    raise SyscallError(Errno.ENOTDIR)
                cur = nxt
        finally:
            fs.close()


def _remove_tree(fs, d, name: bytes) -> None:  # type: ignore[no-untyped-def]
    i = d.entries[name]
    if i.entries is not None:
        for sub in list(i.entries):
            _remove_tree(fs, i, sub)
        fs.rmdir(d, name)
    else:
        fs.unlink(d, name)


@fs_group.command("rm")
@_fs_option
@click.option("-r", "recursive", is_flag=True, help="Remove directories and their contents.")
@click.argument("path")
def fs_rm(store: str | None, recursive: bool, path: str) -> None:
    """Remove a guest file, symlink or (with -r) directory."""
    with _errors(path):
        fs = _open(store, write=True)
        try:
            d, name = _walk_parent(fs, path)
            if name in (b".", b".."):
                raise StoreError(path, "refusing to remove '.', '..' or '/'")
            i = fs.lookup(d, name)
            if i.entries is not None:
                if not recursive:
                    raise SyscallError(Errno.EISDIR)
                _remove_tree(fs, d, name)
            else:
                fs.unlink(d, name)
        finally:
            fs.close()


@fs_group.command("check")
@_fs_option
@click.option("--repair", is_flag=True, help="Fix what is safe to fix (in one transaction).")
def fs_check(store: str | None, repair: bool) -> None:
    """Verify a store (link counts, orphans, the tree, chunks); exit 1 if problems remain."""
    from kernel.vfs import fsck
    from kernel.vfs.store import StoreDb

    path = _store_path(store, for_writing=False)
    with _errors(path):
        db = StoreDb(path, readonly=not repair)
        try:
            if repair and db.readonly:
                raise StoreError(path, "is a read-only image; it cannot be repaired")
            assert db.conn is not None
            result = fsck.check(db.conn, repair=repair)
        finally:
            db.close()
    click.echo(f"{path}:")
    click.echo(result.report())
    sys.exit(0 if result.clean else 1)


@fs_group.command("pack")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", required=True, metavar="IMAGE", help="Image file to write.")
@click.option("--owner", default="0:0", show_default=True, metavar="UID:GID",
              help="Owner of everything in the image.")
@click.option("--force", is_flag=True, help="Replace IMAGE if it exists.")
def fs_pack(directory: str, output: str, owner: str, force: bool) -> None:
    """Pack a host DIRECTORY into a read-only image (mount it with run --image IMAGE::/GUEST)."""
    from kernel.vfs.image import pack

    try:
        u, _, g = owner.partition(":")
        uid, gid = int(u), int(g or u)
    except ValueError:
        raise click.UsageError(f"--owner wants UID:GID, got {owner!r}") from None
    with _errors(directory):
        stats = pack(directory, output, uid=uid, gid=gid, force=force)
    for p in stats.skipped:
        click.echo(f"warden: skipped {p} (not a file, directory or symlink)", err=True)
    click.echo(f"{output}: {stats.files} files ({stats.bytes} bytes), {stats.directories} directories, "
               f"{stats.symlinks} symlinks, {stats.hardlinks} hard links")


if __name__ == "__main__":
    main()
