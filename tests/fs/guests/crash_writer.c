/* crash_writer PREFIX N: N rounds of durable filesystem work under PREFIX, printing
 * "ack I" (one write(2) to stdout) only after round I's syncs have returned.
 *
 * Round i:
 *   PREFIX/tmp.i  <- LEN(i) bytes of PATTERN(i), fsync, close; rename to PREFIX/f.i
 *   i % 5 == 4:  mkdir PREFIX/d.i, PREFIX/d.i/inner <- "inner i", fsync; rename dir to PREFIX/dir.i
 *   i >= 8 and (i - 8) % 4 == 0:  unlink PREFIX/f.(i-8)
 *   PREFIX/counter: pwrite the 8-byte i at offset 0, fdatasync
 *   fsync(PREFIX)  (the directory: makes the renames and unlinks durable, as on Linux)
 *   PREFIX/log (O_APPEND|O_DSYNC): append "i\n"
 *   stdout: "ack i\n"
 * The test kills the kernel at a random moment and checks that every acknowledged
 * round is in the store (tests/fs/crashloop.py knows LEN and PATTERN too). */
#include "walilib.h"

WALI_MAIN

#define MAXLEN 150000
static unsigned char buf[MAXLEN];
static char path[256], path2[256];

static int64_t len_of(int64_t i) { return (i * 7919) % MAXLEN + 1; }

static void fill(int64_t i, int64_t len) {
    for (int64_t k = 0; k < len; k++) buf[k] = (unsigned char)((i * 31 + k * 7 + (k >> 9)) & 0xff);
}

static char *mk(char *out, const char *prefix, const char *name, int64_t i) {
    size_t n = strlen(prefix);
    memcpy(out, prefix, n);
    size_t m = strlen(name);
    memcpy(out + n, name, m);
    n += m;
    if (i >= 0) n += (size_t)wali_fmt_u64_(out + n, (uint64_t)i, 10, 0);
    out[n] = 0;
    return out;
}

static void must(int64_t r, const char *what) {
    if (r < 0) {
        wprintf(2, "crash_writer: %s failed: %d\n", what, (int)r);
        wali_exit_group(3);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    const char *prefix = argv[1];
    int64_t rounds = wali_atoi(argv[2]);
    must(wali_mkdir((void *)prefix, 0755), "mkdir prefix");
    int32_t log = (int32_t)wali_open(mk(path, prefix, "/log", -1), O_CREAT | O_WRONLY | O_APPEND | O_DSYNC, 0644);
    int32_t ctr = (int32_t)wali_open(mk(path, prefix, "/counter", -1), O_CREAT | O_RDWR, 0644);
    int32_t dir = (int32_t)wali_open((void *)prefix, O_RDONLY | O_DIRECTORY, 0);
    must(log, "open log");
    must(ctr, "open counter");
    must(dir, "open dir");
    for (int64_t i = 0; i < rounds; i++) {
        int64_t len = len_of(i);
        fill(i, len);
        int32_t fd = (int32_t)wali_open(mk(path, prefix, "/tmp.", i), O_CREAT | O_WRONLY | O_TRUNC, 0644);
        must(fd, "open tmp");
        must(write_all(fd, buf, (size_t)len) == len ? 0 : -1, "write tmp");
        must(wali_fsync(fd), "fsync tmp");
        wali_close(fd);
        must(wali_rename(path, mk(path2, prefix, "/f.", i)), "rename");
        if (i % 5 == 4) {
            must(wali_mkdir(mk(path, prefix, "/d.", i), 0755), "mkdir d");
            size_t n = strlen(path);
            memcpy(path + n, "/inner", 7);
            fd = (int32_t)wali_open(path, O_CREAT | O_WRONLY, 0644);
            must(fd, "open inner");
            char text[32] = "inner ";
            int t = 6 + wali_fmt_u64_(text + 6, (uint64_t)i, 10, 0);
            must(wali_write(fd, text, (uint32_t)t), "write inner");
            must(wali_fsync(fd), "fsync inner");
            wali_close(fd);
            must(wali_rename(mk(path, prefix, "/d.", i), mk(path2, prefix, "/dir.", i)), "rename dir");
        }
        if (i >= 8 && (i - 8) % 4 == 0) must(wali_unlink(mk(path, prefix, "/f.", i - 8)), "unlink");
        uint64_t v = (uint64_t)i;
        must(wali_pwrite64(ctr, &v, 8, 0) == 8 ? 0 : -1, "pwrite counter");
        must(wali_fdatasync(ctr), "fdatasync counter");
        must(wali_fsync(dir), "fsync dir");
        char line[32];
        int n = wali_fmt_u64_(line, (uint64_t)i, 10, 0);
        line[n++] = '\n';
        must(wali_write(log, line, (uint32_t)n) == n ? 0 : -1, "append log");
        wprintf(1, "ack %d\n", (int)i);
    }
    return 0;
}
