/* efault: passes out-of-bounds buffers to the host and prints the results,
 * one per line:  write(1, 0xFFFFFFF0, 100)  then  read(0, 0x7FFFFFFF, 10).
 * A correct host prints "-14\n-14\n" (-EFAULT) and the guest exits 0. */
#include "walilib.h"

WALI_MAIN

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int64_t w = wali_write(1, (void *)(uintptr_t)0xFFFFFFF0u, 100);
    int64_t r = wali_read(0, (void *)(uintptr_t)0x7FFFFFFFu, 10);
    print_int(1, w);
    puts_fd(1, "\n");
    print_int(1, r);
    puts_fd(1, "\n");
    return 0;
}
