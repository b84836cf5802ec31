"""The ``warden`` command line."""

from __future__ import annotations

import os
import sys

import click
import trio

from kernel.runner import RunSpec, parse_dir, run

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
@click.option("--dir", "dirs", multiple=True, metavar="HOST::GUEST[:ro]",
              help="Mount a host directory into the cage (confined; repeatable).")
@click.option("--env", "envs", multiple=True, metavar="KEY[=VALUE]",
              help="Set an environment variable (KEY alone passes the host's value; repeatable).")
@click.option("--env-file", "env_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Read KEY=VALUE lines from a file (repeatable).")
@click.option("--cwd", default="/", show_default=True, help="Working directory inside the cage.")
@click.option("--user", default=None, metavar="UID[:GID]", help="Credentials of the cage (default: yours).")
@click.option("--stats", is_flag=True, help="Print unimplemented-syscall counts on exit.")
@click.argument("program", type=click.Path(exists=True, dir_okay=False))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run_cmd(dirs: tuple[str, ...], envs: tuple[str, ...], env_files: tuple[str, ...], cwd: str,
            user: str | None, stats: bool, program: str, args: tuple[str, ...]) -> None:
    """Run PROGRAM (a WALI .wasm module, or WAT text) with ARGS.

    Its stdout, stderr and exit status are the program's. A trap prints one line
    and exits 1; death by signal N exits 128+N. Use -- before ARGS that start
    with a dash meant for the program.
    """
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
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    a = list(args)
    if a and a[0] == "--":
        a = a[1:]
    spec = RunSpec(program=program, args=a, env=env, dirs=mounts, cwd=cwd, uid=uid, gid=gid, stats=stats)
    try:
        code = trio.run(run, spec)
    except ValueError as e:
        click.echo(f"warden: {e}", err=True)
        sys.exit(1)
    sys.exit(code)


run_cmd.name = "run"


if __name__ == "__main__":
    main()
