/* env: the WALI env-file protocol (WALI-ABI.md 3.3), done by hand.
 *
 * Asks __get_init_envfile(buf, 1000) for the path. 0 -> prints "noenv\n".
 * Otherwise opens the path O_RDONLY, copies its whole content to stdout and
 * exits 0. Failures: empty path (did not fit) -> "envpath too long\n", exit 2;
 * open/read error -> "open failed: <ret>\n" / "read failed: <ret>\n", exit 3.
 */
#include "walilib.h"

WALI_MAIN

static char path[1000];
static char buf[4096];

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int32_t have = wali_get_init_envfile(path, (int32_t)sizeof path);
    if (have == 0) {
        puts_fd(1, "noenv\n");
        return 0;
    }
    if (path[0] == '\0') {
        puts_fd(1, "envpath too long\n");
        return 2;
    }
    int64_t fd = wali_open(path, O_RDONLY, 0);
    if (fd < 0) {
        wprintf(1, "open failed: %lld\n", fd);
        return 3;
    }
    for (;;) {
        int64_t n = wali_read((int32_t)fd, buf, sizeof buf);
        if (n == -EINTR) continue;
        if (n < 0) {
            wprintf(1, "read failed: %lld\n", n);
            return 3;
        }
        if (n == 0) break;
        write_all(1, buf, (size_t)n);
    }
    wali_close((int32_t)fd);
    return 0;
}
