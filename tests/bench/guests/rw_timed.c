/* rw_timed SIZE COUNT read|write PATH: COUNT reads or writes of SIZE bytes,
 * timed inside the guest with CLOCK_MONOTONIC; prints the elapsed nanoseconds.
 * Regular files are rewound with pread/pwrite at offset 0 (one syscall per
 * transfer); devices are read/written directly. */
#include "walilib.h"

WALI_MAIN

#define BUF_SIZE (4u << 20)
static char buf[BUF_SIZE];

static int64_t now_ns(void) {
    wali_timespec_t ts;
    wali_clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    int64_t size = wali_atoi(argv[1]), count = wali_atoi(argv[2]);
    int writing = streq(argv[3], "write");
    int32_t fd = (int32_t)wali_open(argv[4], writing ? (O_WRONLY | O_CREAT) : O_RDONLY, 0644);
    if (fd < 0 || size > (int64_t)BUF_SIZE) return 3;
    int dev = argv[4][0] == '/' && argv[4][1] == 'd' && argv[4][2] == 'e' && argv[4][3] == 'v';
    for (int64_t i = 0; i < (int64_t)sizeof buf; i += 512) buf[i] = (char)i;
    if (!writing && !dev && wali_lseek(fd, 0, SEEK_END) < size) return 5; /* file too short */
    int64_t t0 = now_ns();
    for (int64_t i = 0; i < count; i++) {
        int64_t r;
        if (dev) r = writing ? wali_write(fd, buf, (uint32_t)size) : wali_read(fd, buf, (uint32_t)size);
        else r = writing ? wali_pwrite64(fd, buf, (uint32_t)size, 0) : wali_pread64(fd, buf, (uint32_t)size, 0);
        if (r != size) return 4;
    }
    int64_t t1 = now_ns();
    wprintf(1, "%lld\n", (long long)(t1 - t0));
    return 0;
}
