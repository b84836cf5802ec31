/* hello: writes "hello, world\n" to fd 1 and exits 0. */
#include "walilib.h"

WALI_MAIN

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return puts_fd(1, "hello, world\n") == 13 ? 0 : 1;
}
