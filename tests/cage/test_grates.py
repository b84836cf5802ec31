"""Python grates: a cage's 3i table slot routed to an interposer."""

from __future__ import annotations

import os

from abi.errno import Errno
from kernel.errors import SyscallError

PIDS = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int64_t pid = wali_fork();
    if (pid == 0) { wprintf(1, "child %lld\n", (long long)wali_getpid()); wali_exit_group(0); }
    int status;
    wali_wait4((int32_t)pid, &status, 0, 0);
    wprintf(1, "parent %lld\n", (long long)wali_getpid());
    int64_t fd = wali_open("/tmp/secret", O_RDONLY | O_CREAT, 0600);
    wprintf(1, "open %lld\n", (long long)fd);
    return 0;
}
'''


async def test_grate_answers_for_one_cage_and_its_children_only(warden, build_c):
    seen: list[str] = []

    def fake_getpid(cage, nxt, *args):
        seen.append("getpid")
        return 4242

    def deny_open(cage, nxt, path, flags, mode, *rest):
        if b"secret" in cage.mem.cstring(path):
            raise SyscallError(Errno.EACCES)
        return nxt(cage, path, flags, mode, *rest)

    wasm = build_c(PIDS, name="grate_pids.c")
    out_r, out_w = os.pipe()
    cage = await warden.w.spawn(wasm, ["pids"], stdout=out_w,
                                grates={"getpid": fake_getpid, "open": deny_open})
    os.close(out_w)
    plain = await warden.run(wasm, [])
    status = await warden.w.wait(cage)
    out = os.read(out_r, 1000).decode()
    os.close(out_r)
    assert status == 0
    assert "child 4242" in out and "parent 4242" in out, out  # fork copied the table
    assert f"open {-int(Errno.EACCES)}" in out
    assert seen.count("getpid") == 2
    # The other cage on the same kernel is not interposed.
    assert "parent 4242" not in plain.out and "open 3" in plain.out, plain.out
