"""execve(2) and pipes: the shell pipeline (fork + pipe + dup2 + execve + wait4)."""

from __future__ import annotations

from tests.harness import run_cage


async def test_pipeline_ls_into_wc_counts_lines(make_warden, guest_wasm, bindir, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for i in range(7):
        (data / f"f{i}").write_text("x")
    mnt = bindir(ls=guest_wasm("ls"), wc=guest_wasm("wc"), pipeline=guest_wasm("pipeline"))
    from kernel.embed import DirMount

    async with make_warden(dirs=[mnt, DirMount(str(data), b"/data")]) as h:
        r = await h.run(b"", ["/bin/ls", "/data", "--", "/bin/wc"], argv0="/bin/pipeline") if False else \
            await h.run(guest_wasm("pipeline"), ["/bin/ls", "/data", "--", "/bin/wc"])
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"7 21\n"
    assert r.stderr == b"0 0\n"


EXEC_ARGS = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    if (argc > 1 && streq(argv[1], "child")) {
        /* the exec'd program: same pid, argv and env as passed, fd 5 kept, fd 6 closed */
        wprintf(1, "argv=%s,%s env-ok=%d\n", argv[0], argv[2], 1);
        check_eq(wali_write(5, "k", 1), 1, "fd without CLOEXEC survives");
        check_eq(wali_write(6, "c", 1), -EBADF, "CLOEXEC fd is closed");
        check_eq(wali_getpid(), wali_atoi(argv[3]), "pid unchanged");
        return 0;
    }
    int32_t keep = (int32_t)wali_open("/tmp/keep", O_RDWR | O_CREAT, 0644);
    int32_t gone = (int32_t)wali_open("/tmp/gone", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    check(wali_dup2(keep, 5) == 5 && wali_dup3(gone, 6, O_CLOEXEC) == 6, "dups");
    char pid[24];
    int64_t p = wali_getpid(), k = 0;
    char tmp[24];
    do { tmp[k++] = (char)('0' + p % 10); p /= 10; } while (p);
    for (int64_t i = 0; i < k; i++) pid[i] = tmp[k - 1 - i];
    pid[k] = 0;
    char *av[] = {"renamed", "child", "two", pid, 0};
    char *ev[] = {"A=1", 0};
    int64_t r = wali_execve(argv[0], av, ev);
    wprintf(2, "execve returned %lld\n", (long long)r);
    return 1;
}
'''


async def test_execve_replaces_the_program_keeping_pid_and_non_cloexec_fds(make_warden, build_c, bindir):
    mnt = bindir(prog=build_c(EXEC_ARGS, name="exec_args.c"))
    async with make_warden(dirs=[mnt]) as h:
        r = await h.run(mnt.host + "/prog", [], argv0="/bin/prog")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == b"argv=renamed,two env-ok=1\n"


EXEC_ERRORS = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    char *av[] = {"x", 0};
    check_eq(wali_execve("/nonexistent", av, 0), -ENOENT, "missing program");
    int32_t fd = (int32_t)wali_open("/tmp/text", O_WRONLY | O_CREAT, 0755);
    wali_write(fd, "hello\n", 6);
    wali_close(fd);
    check_eq(wali_execve("/tmp/text", av, 0), -ENOEXEC, "not wasm, no #!");
    fd = (int32_t)wali_open("/tmp/noexec", O_WRONLY | O_CREAT, 0644);
    wali_write(fd, "\0asm\1\0\0\0", 8);
    wali_close(fd);
    check_eq(wali_execve("/tmp/noexec", av, 0), -EACCES, "no x permission");
    check_eq(wali_execve("/tmp", av, 0), -EACCES, "a directory");
    check_eq(wali_execve((void *)0xFFFFFFF0u, av, 0), -EFAULT, "bad path pointer");
    check_eq(wali_execve("/tmp/text", (void *)0xFFFFFFF0u, 0), -EFAULT, "bad argv pointer");
    return 0;
}
'''


async def test_execve_errors_are_reported_to_the_caller(build_c):
    r = await run_cage(build_c(EXEC_ERRORS, name="exec_errors.c"))
    assert r.exit_code == 0, r.stderr


async def test_shebang_script_runs_through_its_wasm_interpreter(make_warden, guest_wasm, build_c, bindir, tmp_path):
    script = tmp_path / "script"
    script.write_bytes(b"#!/bin/args -x\nignored\n")
    script.chmod(0o755)
    runner = build_c(r'''
    #include "walilib.h"
    WALI_MAIN
    int main(int argc, char **argv) {
        char *av[] = {"script", "a1", 0};
        return (int)wali_execve("/bin/script", av, 0);
    }''', name="run_script.c")
    mnt = bindir(args=guest_wasm("args"), script=script)
    async with make_warden(dirs=[mnt]) as h:
        r = await h.run(runner)
    assert r.exit_code == 0, r.stderr
    # Linux: interpreter, its argument, the script path, then argv[1:].
    assert r.lines() == ["4", "/bin/args", "-x", "/bin/script", "a1"]


PIPES = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int fds[2];
    check_eq(wali_pipe2(fds, 0x12345), -EINVAL, "bad flags");
    check_eq(wali_pipe((void *)0xFFFFFFF0u), -EFAULT, "bad pointer");
    check_eq(wali_pipe2(fds, O_NONBLOCK), 0, "pipe2");
    char buf[8];
    check_eq(wali_read(fds[0], buf, 8), -EAGAIN, "empty non-blocking read");
    /* capacity: 64 KiB then EAGAIN */
    static char big[70000];
    int64_t n = wali_write(fds[1], big, sizeof big);
    check_eq(n, 65536, "fills to capacity");
    check_eq(wali_write(fds[1], big, 1), -EAGAIN, "full");
    check_eq(wali_fcntl(fds[1], 1032 /* F_GETPIPE_SZ */, 0), 65536, "F_GETPIPE_SZ");
    int avail = 0;
    check_eq(wali_ioctl(fds[0], 0x541B, &avail), 0, "FIONREAD");
    check_eq(avail, 65536, "FIONREAD count");
    check_eq(wali_lseek(fds[0], 0, SEEK_SET), -ESPIPE, "not seekable");
    wali_close(fds[1]);
    int64_t got = 0;
    while ((n = wali_read(fds[0], big, sizeof big)) > 0) got += n;
    check_eq(got, 65536, "all data comes out");
    check_eq(n, 0, "EOF once the writer is gone");
    /* writer without readers: EPIPE when SIGPIPE is ignored */
    check_eq(wali_pipe(fds), 0, "pipe");
    wali_close(fds[0]);
    struct { int32_t h; int64_t flags; int32_t r; uint64_t mask; } __attribute__((packed)) ign = {-2, 0, 0, 0};
    check_eq(wali_rt_sigaction(SIGPIPE, &ign, 0, 8), 0, "ignore SIGPIPE");
    check_eq(wali_write(fds[1], "x", 1), -EPIPE, "EPIPE");
    return 0;
}
'''


async def test_pipe_semantics(build_c):
    r = await run_cage(build_c(PIPES, name="pipes.c"))
    assert r.exit_code == 0, r.stderr


async def test_write_to_a_pipe_without_readers_kills_with_sigpipe(build_c):
    src = r'''
    #include "walilib.h"
    WALI_MAIN
    int main(int argc, char **argv) {
        int fds[2];
        wali_pipe(fds);
        wali_close(fds[0]);
        wali_write(fds[1], "x", 1);
        return 0;
    }'''
    r = await run_cage(build_c(src, name="sigpipe.c"))
    assert r.signal == 13


BLOCKING_PIPE = r'''
#include "walilib.h"
WALI_MAIN
int main(int argc, char **argv) {
    int fds[2];
    wali_pipe(fds);
    int64_t pid = wali_fork();
    if (pid == 0) {
        wali_close(fds[0]);
        static char chunk[100000];
        for (int i = 0; i < 100000; i++) chunk[i] = (char)i;
        /* blocks while the pipe is full: the reader drains it */
        int64_t n = wali_write(fds[1], chunk, sizeof chunk);
        wali_exit_group(n == (int64_t)sizeof chunk ? 0 : 1);
    }
    wali_close(fds[1]);
    static char in[100000];
    int64_t got = 0, n;
    while ((n = wali_read(fds[0], in + got, sizeof in - got)) > 0) got += n;
    int status;
    wali_wait4((int32_t)pid, &status, 0, 0);
    check_eq(got, 100000, "everything arrived");
    for (int i = 0; i < 100000; i++) if (in[i] != (char)i) { check(0, "data intact"); break; }
    check_eq(status, 0, "writer finished");
    return 0;
}
'''


async def test_blocking_pipe_between_two_cages_moves_more_than_capacity(build_c):
    r = await run_cage(build_c(BLOCKING_PIPE, name="blocking_pipe.c"))
    assert r.exit_code == 0, r.stderr
