/* exitcode: exits with the integer in argv[1] (default 0) via SYS_exit_group.
 * exit_group must not return; if it does, the guest traps. */
#include "walilib.h"

WALI_MAIN

int main(int argc, char **argv) {
    int32_t code = argc > 1 ? (int32_t)wali_atoi(argv[1]) : 0;
    wali_exit_group(code);
    __builtin_trap();
}
