/* ls [DIR]: prints the names in DIR (default "."), one per line, skipping "." and "..". */
#include "walilib.h"

WALI_MAIN

int main(int argc, char **argv) {
    static char buf[8192];
    const char *dir = argc > 1 ? argv[1] : ".";
    int64_t fd = wali_open((void *)dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) { wprintf(2, "ls: %s: error %lld\n", dir, (long long)fd); return 2; }
    int64_t n;
    while ((n = wali_getdents64((int32_t)fd, buf, sizeof buf)) > 0) {
        for (int64_t off = 0; off < n;) {
            unsigned short reclen = *(unsigned short *)(buf + off + 16);
            const char *name = buf + off + 19;
            if (!(name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))) wprintf(1, "%s\n", name);
            off += reclen;
        }
    }
    return n < 0 ? 3 : 0;
}
