/* trap [oob]: prints "before trap\n", then traps: `unreachable` by default,
 * or an out-of-bounds load (address 0xFFFFFFF0) with argv[1] == "oob". */
#include "walilib.h"

WALI_MAIN

int main(int argc, char **argv) {
    puts_fd(1, "before trap\n");
    if (argc > 1 && streq(argv[1], "oob")) {
        volatile int32_t *p = (volatile int32_t *)(uintptr_t)0xFFFFFFF0u;
        return *p;
    }
    __builtin_trap();
}
