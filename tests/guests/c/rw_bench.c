/* rw_bench SIZE COUNT read|write PATH: file I/O benchmark guest; prints nothing.
 *
 * Opens PATH with O_RDWR|O_CREAT (0644) and does COUNT write(SIZE) or read(SIZE)
 * calls from a static buffer, with lseek(fd, 0, SEEK_SET) after each one. In
 * read mode the file is first extended with ftruncate to SIZE bytes if it is
 * shorter, so every read can transfer SIZE bytes.
 * Exit status: 0 ok, 2 bad arguments (SIZE > 4 MiB too), 3 open failed,
 * 4 a syscall failed.
 */
#include "walilib.h"

WALI_MAIN

#define BUF_SIZE (4u << 20)
static char buf[BUF_SIZE];

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    int64_t size = wali_atoi(argv[1]);
    int64_t count = wali_atoi(argv[2]);
    int writing;
    if (streq(argv[3], "write")) writing = 1;
    else if (streq(argv[3], "read")) writing = 0;
    else return 2;
    if (size < 0 || size > (int64_t)BUF_SIZE || count < 0) return 2;

    int64_t fd = wali_open(argv[4], O_RDWR | O_CREAT, 0644);
    if (fd < 0) return 3;
    int32_t f = (int32_t)fd;
    if (writing) {
        for (int64_t i = 0; i < (int64_t)sizeof buf; i += 4096) buf[i] = (char)('a' + (i / 4096) % 26);
    } else {
        int64_t end = wali_lseek(f, 0, SEEK_END);
        if (end < 0) return 4;
        if (end < size && wali_ftruncate(f, size) < 0) return 4;
        if (wali_lseek(f, 0, SEEK_SET) < 0) return 4;
    }
    for (int64_t i = 0; i < count; i++) {
        int64_t r = writing ? wali_write(f, buf, (uint32_t)size) : wali_read(f, buf, (uint32_t)size);
        if (r < 0) return 4;
        if (wali_lseek(f, 0, SEEK_SET) != 0) return 4;
    }
    if (wali_close(f) < 0) return 4;
    return 0;
}
