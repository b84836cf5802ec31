/* getpid_loop N [empty]: calls SYS_getpid N times and exits 0.
 * With argv[2] == "empty" it runs N iterations of a loop the compiler cannot
 * remove (volatile counter) instead -- the no-syscall baseline. */
#include "walilib.h"

WALI_MAIN

int main(int argc, char **argv) {
    int64_t n = argc > 1 ? wali_atoi(argv[1]) : 0;
    if (argc > 2 && streq(argv[2], "empty")) {
        volatile int64_t counter = 0;
        for (int64_t i = 0; i < n; i++) counter = counter + 1;
        return counter == n ? 0 : 1;
    }
    for (int64_t i = 0; i < n; i++) wali_getpid();
    return 0;
}
