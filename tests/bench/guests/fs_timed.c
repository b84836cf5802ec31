/* fs_timed MODE ...: filesystem loops timed inside the guest with CLOCK_MONOTONIC.
 *
 *   seqwrite PATH BLOCK COUNT   create PATH, COUNT sequential writes of BLOCK bytes, then fsync;
 *                               prints "<write ns> <fsync ns>"
 *   seqread PATH BLOCK          read PATH to EOF in BLOCK-byte reads; prints "<ns> <bytes>"
 *   openstat PATH N             N x (open, close, stat) of PATH; prints "<ns>"
 *   smallfiles DIR N SIZE       N x (create DIR/f.I, write SIZE bytes, fsync, close); prints "<ns>" */
#include "walilib.h"

WALI_MAIN

#define BUF_SIZE (1u << 20)
static char buf[BUF_SIZE];

static int64_t now_ns(void) {
    wali_timespec_t ts;
    wali_clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    for (uint32_t i = 0; i < BUF_SIZE; i += 64) buf[i] = (char)(i >> 6);
    if (streq(argv[1], "seqwrite") && argc == 5) {
        int64_t block = wali_atoi(argv[3]), count = wali_atoi(argv[4]);
        if (block > (int64_t)BUF_SIZE) return 3;
        int32_t fd = (int32_t)wali_open(argv[2], O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0) return 4;
        int64_t t0 = now_ns();
        for (int64_t i = 0; i < count; i++)
            if (wali_write(fd, buf, (uint32_t)block) != block) return 5;
        int64_t t1 = now_ns();
        if (wali_fsync(fd) != 0) return 6;
        int64_t t2 = now_ns();
        wali_close(fd);
        wprintf(1, "%lld %lld\n", (long long)(t1 - t0), (long long)(t2 - t1));
        return 0;
    }
    if (streq(argv[1], "seqread") && argc == 4) {
        int64_t block = wali_atoi(argv[3]), total = 0, r;
        if (block > (int64_t)BUF_SIZE) return 3;
        int32_t fd = (int32_t)wali_open(argv[2], O_RDONLY, 0);
        if (fd < 0) return 4;
        int64_t t0 = now_ns();
        while ((r = wali_read(fd, buf, (uint32_t)block)) > 0) total += r;
        int64_t t1 = now_ns();
        if (r < 0) return 5;
        wali_close(fd);
        wprintf(1, "%lld %lld\n", (long long)(t1 - t0), (long long)total);
        return 0;
    }
    if (streq(argv[1], "openstat") && argc == 4) {
        int64_t n = wali_atoi(argv[3]);
        wali_stat_t st;
        int64_t t0 = now_ns();
        for (int64_t i = 0; i < n; i++) {
            int32_t fd = (int32_t)wali_open(argv[2], O_RDONLY, 0);
            if (fd < 0) return 4;
            wali_close(fd);
            if (wali_stat(argv[2], &st) != 0) return 5;
        }
        wprintf(1, "%lld\n", (long long)(now_ns() - t0));
        return 0;
    }
    if (streq(argv[1], "smallfiles") && argc == 5) {
        int64_t n = wali_atoi(argv[3]), size = wali_atoi(argv[4]);
        char path[256];
        size_t dl = strlen(argv[2]);
        memcpy(path, argv[2], dl);
        memcpy(path + dl, "/f.", 3);
        int64_t t0 = now_ns();
        for (int64_t i = 0; i < n; i++) {
            int len = wali_fmt_u64_(path + dl + 3, (uint64_t)i, 10, 0);
            path[dl + 3 + len] = 0;
            int32_t fd = (int32_t)wali_open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
            if (fd < 0) return 4;
            if (wali_write(fd, buf, (uint32_t)size) != size) return 5;
            if (wali_fsync(fd) != 0) return 6;
            wali_close(fd);
        }
        wprintf(1, "%lld\n", (long long)(now_ns() - t0));
        return 0;
    }
    return 2;
}
