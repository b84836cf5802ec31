"""A shell pipeline, the way a shell runs one: sh -c 'ls | wc -l' and friends."""

from __future__ import annotations

from kernel.embed import DirMount


async def _sh(make_warden, guest_wasm, bindir, tmp_path, script: str, *, env=(), stdin=b""):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for i in range(5):
        (data / f"file{i}").write_text(f"line {i}\n")
    mnt = bindir(sh=guest_wasm("sh"), ls=guest_wasm("ls"), wc=guest_wasm("wc"), args=guest_wasm("args"),
                 exitcode=guest_wasm("exitcode"))
    async with make_warden(dirs=[mnt, DirMount(str(data), b"/data")]) as h:
        return await h.run(guest_wasm("sh"), ["-c", script], env=env, stdin=stdin, argv0="/bin/sh", timeout=120)


async def test_ls_piped_into_wc(make_warden, guest_wasm, bindir, tmp_path):
    r = await _sh(make_warden, guest_wasm, bindir, tmp_path, "ls /data | wc")
    assert (r.exit_code, r.stdout) == (0, b"5 30\n"), r.stderr


async def test_three_stage_pipeline_with_redirections(make_warden, guest_wasm, bindir, tmp_path):
    script = "ls /data > /tmp/list; wc < /tmp/list > /tmp/count; echo counted; args a b | wc"
    r = await _sh(make_warden, guest_wasm, bindir, tmp_path, script)
    assert r.stdout == b"counted\n4 11\n", r.stderr  # args prints argc, then argv: 3, args, a, b


async def test_exit_statuses_and_and_or(make_warden, guest_wasm, bindir, tmp_path):
    script = "exitcode 3; echo status=$?; false && echo no; false || echo yes; nosuchprog; echo $?"
    r = await _sh(make_warden, guest_wasm, bindir, tmp_path, script)
    assert r.lines() == ["status=3", "yes", "127"], r.stderr


async def test_last_status_of_a_pipeline_is_the_shells(make_warden, guest_wasm, bindir, tmp_path):
    r = await _sh(make_warden, guest_wasm, bindir, tmp_path, "ls /data | exitcode 7")
    assert r.exit_code == 7


async def test_environment_crosses_exec(make_warden, guest_wasm, bindir, tmp_path):
    r = await _sh(make_warden, guest_wasm, bindir, tmp_path, 'echo "home is $HOME"', env=["HOME=/root"])
    assert r.stdout == b"home is /root\n"
