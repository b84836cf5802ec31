/* wc: counts lines and bytes on stdin; prints "LINES BYTES\n". */
#include "walilib.h"

WALI_MAIN

int main(int argc, char **argv) {
    static char buf[65536];
    int64_t lines = 0, bytes = 0, n;
    while ((n = wali_read(0, buf, sizeof buf)) > 0) {
        for (int64_t i = 0; i < n; i++) lines += buf[i] == '\n';
        bytes += n;
    }
    if (n < 0) return 2;
    wprintf(1, "%lld %lld\n", (long long)lines, (long long)bytes);
    return 0;
}
