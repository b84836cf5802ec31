/* args: prints argc, then each argv[i], one per line. */
#include "walilib.h"

WALI_MAIN

int main(int argc, char **argv) {
    wprintf(1, "%d\n", argc);
    for (int i = 0; i < argc; i++) wprintf(1, "%s\n", argv[i]);
    return 0;
}
