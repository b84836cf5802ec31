/* sh: a small POSIX-style shell for tests: sh -c 'CMDS' | sh SCRIPT | sh < input.
 *
 * Supports: words with '...' and "..." quoting and \ escapes, $? and $NAME
 * (from the environment), pipelines (|), redirections (<, >, >>, 2>, 2>&1),
 * sequences (;, newline), && and ||, and the builtins cd, exit, echo, true,
 * false, pwd, export. Commands without a '/' are looked up in /bin and
 * /usr/bin. It runs programs the way a shell does: fork, pipe, dup2, close,
 * execve, wait4 -- which is exactly what it is here to exercise. */
#include "walilib.h"

WALI_MAIN

#define MAXW 64
#define MAXCMD 16
#define LINE 8192

static const char *strchr_(const char *s, int c) {
    for (; *s; s++)
        if (*s == c) return s;
    return 0;
}

static char *envv[128];
static int envc;
static char envbuf[16384];
static int last_status;

static void load_env(void) {
    static char path[1024];
    if (!wali_get_init_envfile(path, sizeof path) || !path[0]) return;
    int64_t fd = wali_open(path, O_RDONLY, 0);
    if (fd < 0) return;
    int64_t n = wali_read((int32_t)fd, envbuf, sizeof envbuf - 1);
    wali_close((int32_t)fd);
    if (n <= 0) return;
    envbuf[n] = 0;
    char *p = envbuf;
    while (*p && envc < 126) {
        envv[envc++] = p;
        while (*p && *p != '\n') p++;
        if (*p) *p++ = 0;
    }
    envv[envc] = 0;
}

static const char *getenv_(const char *name) {
    size_t n = strlen(name);
    for (int i = 0; i < envc; i++)
        if (!strncmp(envv[i], name, n) && envv[i][n] == '=') return envv[i] + n + 1;
    return "";
}

/* --- lexer: words and operators -------------------------------------------------- */

enum { T_WORD, T_PIPE, T_AND, T_OR, T_SEMI, T_LT, T_GT, T_GTGT, T_ERR_GT, T_ERR_TO_OUT, T_END };
static char wordbuf[LINE * 2];
static char *wp;

static int lex(const char **sp, char **word) {
    const char *s = *sp;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '#') while (*s && *s != '\n') s++;
    if (!*s) { *sp = s; return T_END; }
    if (*s == '\n' || *s == ';') { *sp = s + 1; return T_SEMI; }
    if (s[0] == '|' && s[1] == '|') { *sp = s + 2; return T_OR; }
    if (s[0] == '&' && s[1] == '&') { *sp = s + 2; return T_AND; }
    if (*s == '|') { *sp = s + 1; return T_PIPE; }
    if (*s == '<') { *sp = s + 1; return T_LT; }
    if (s[0] == '>' && s[1] == '>') { *sp = s + 2; return T_GTGT; }
    if (*s == '>') { *sp = s + 1; return T_GT; }
    if (s[0] == '2' && s[1] == '>' && s[2] == '&' && s[3] == '1') { *sp = s + 4; return T_ERR_TO_OUT; }
    if (s[0] == '2' && s[1] == '>') { *sp = s + 2; return T_ERR_GT; }
    char *out = wp;
    while (*s && !strchr_(" \t\n;|&<>", *s)) {
        if (*s == '\'') {
            s++;
            while (*s && *s != '\'') *wp++ = *s++;
            if (*s) s++;
        } else if (*s == '"') {
            s++;
            while (*s && *s != '"') {
                if (*s == '\\' && s[1]) s++;
                else if (*s == '$') goto var;
                *wp++ = *s++;
                continue;
            var:
                s++;
                if (*s == '?') {
                    char tmp[16];
                    int k = 0, v = last_status;
                    do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
                    while (k) *wp++ = tmp[--k];
                    s++;
                } else {
                    char name[64];
                    int k = 0;
                    while ((*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                            (*s >= '0' && *s <= '9')) && k < 63) name[k++] = *s++;
                    name[k] = 0;
                    for (const char *v = getenv_(name); *v; v++) *wp++ = *v;
                }
            }
            if (*s) s++;
        } else if (*s == '\\' && s[1]) {
            s++;
            *wp++ = *s++;
        } else if (*s == '$') {
            s++;
            if (*s == '?') {
                char tmp[16];
                int k = 0, v = last_status;
                do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
                while (k) *wp++ = tmp[--k];
                s++;
            } else {
                char name[64];
                int k = 0;
                while ((*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
                       && k < 63) name[k++] = *s++;
                name[k] = 0;
                for (const char *v = getenv_(name); *v; v++) *wp++ = *v;
            }
        } else {
            *wp++ = *s++;
        }
    }
    *wp++ = 0;
    *word = out;
    *sp = s;
    return T_WORD;
}

/* --- commands ------------------------------------------------------------------------- */

typedef struct {
    char *argv[MAXW];
    int argc;
    char *in, *out, *err;
    int append, err_to_out;
} cmd_t;

static int find_program(const char *name, char *out, size_t cap) {
    if (strchr_(name, '/')) {
        if (strlen(name) + 1 > cap) return -1;
        memcpy(out, name, strlen(name) + 1);
        return 0;
    }
    static const char *dirs[] = {"/bin/", "/usr/bin/"};
    for (int i = 0; i < 2; i++) {
        size_t a = strlen(dirs[i]), b = strlen(name);
        if (a + b + 1 > cap) continue;
        memcpy(out, dirs[i], a);
        memcpy(out + a, name, b + 1);
        if (wali_access(out, 1 /* X_OK */) == 0) return 0;
    }
    return -1;
}

static int builtin(cmd_t *c, int in_child) {
    char **a = c->argv;
    if (streq(a[0], "cd")) {
        int64_t r = wali_chdir(c->argc > 1 ? a[1] : (char *)"/");
        if (r < 0) wprintf(2, "cd: %s: error %lld\n", c->argc > 1 ? a[1] : "/", (long long)r);
        return r < 0 ? 1 : 0;
    }
    if (streq(a[0], "exit")) {
        int code = c->argc > 1 ? (int)wali_atoi(a[1]) : last_status;
        if (!in_child) wali_exit_group(code);
        return code;
    }
    if (streq(a[0], "true")) return 0;
    if (streq(a[0], "false")) return 1;
    if (streq(a[0], "echo")) {
        for (int i = 1; i < c->argc; i++) {
            puts_fd(1, a[i]);
            if (i + 1 < c->argc) puts_fd(1, " ");
        }
        puts_fd(1, "\n");
        return 0;
    }
    if (streq(a[0], "pwd")) {
        char buf[4096];
        if (wali_getcwd(buf, sizeof buf) < 0) return 1;
        wprintf(1, "%s\n", buf);
        return 0;
    }
    if (streq(a[0], "export")) {
        for (int i = 1; i < c->argc && envc < 126; i++) envv[envc++] = a[i];
        envv[envc] = 0;
        return 0;
    }
    return -1;
}

static int is_builtin(const char *name) {
    return streq(name, "cd") || streq(name, "exit") || streq(name, "true") || streq(name, "false") ||
           streq(name, "echo") || streq(name, "pwd") || streq(name, "export");
}

static void redirect(cmd_t *c) {
    if (c->in) {
        int64_t fd = wali_open(c->in, O_RDONLY, 0);
        if (fd < 0) { wprintf(2, "sh: %s: error %lld\n", c->in, (long long)fd); wali_exit_group(1); }
        wali_dup2((int32_t)fd, 0);
        wali_close((int32_t)fd);
    }
    if (c->out) {
        int64_t fd = wali_open(c->out, O_WRONLY | O_CREAT | (c->append ? O_APPEND : O_TRUNC), 0644);
        if (fd < 0) { wprintf(2, "sh: %s: error %lld\n", c->out, (long long)fd); wali_exit_group(1); }
        wali_dup2((int32_t)fd, 1);
        wali_close((int32_t)fd);
    }
    if (c->err) {
        int64_t fd = wali_open(c->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) { wali_dup2((int32_t)fd, 2); wali_close((int32_t)fd); }
    }
    if (c->err_to_out) wali_dup2(1, 2);
}

static int decode_status(int st) { return (st & 0x7f) ? 128 + (st & 0x7f) : (st >> 8) & 0xff; }

static int run_pipeline(cmd_t *cmds, int n) {
    if (n == 1 && is_builtin(cmds[0].argv[0]) && !cmds[0].in && !cmds[0].out) return builtin(&cmds[0], 0);
    int64_t pids[MAXCMD];
    int prev = -1;
    for (int i = 0; i < n; i++) {
        int fds[2] = {-1, -1};
        if (i + 1 < n && wali_pipe(fds) < 0) { wprintf(2, "sh: pipe failed\n"); return 1; }
        int64_t pid = wali_fork();
        if (pid < 0) { wprintf(2, "sh: fork failed %lld\n", (long long)pid); return 1; }
        if (pid == 0) {
            if (prev >= 0) { wali_dup2(prev, 0); wali_close(prev); }
            if (fds[1] >= 0) { wali_dup2(fds[1], 1); wali_close(fds[1]); wali_close(fds[0]); }
            redirect(&cmds[i]);
            int b = is_builtin(cmds[i].argv[0]) ? builtin(&cmds[i], 1) : -1;
            if (b >= 0) wali_exit_group(b);
            char path[1024];
            if (find_program(cmds[i].argv[0], path, sizeof path) < 0) {
                wprintf(2, "sh: %s: not found\n", cmds[i].argv[0]);
                wali_exit_group(127);
            }
            int64_t r = wali_execve(path, cmds[i].argv, envv);
            wprintf(2, "sh: %s: cannot execute (%lld)\n", path, (long long)r);
            wali_exit_group(r == -ENOENT ? 127 : 126);
        }
        pids[i] = pid;
        if (prev >= 0) wali_close(prev);
        if (fds[1] >= 0) wali_close(fds[1]);
        prev = fds[0];
    }
    int status = 0;
    for (int i = 0; i < n; i++) {
        int st = 0;
        wali_wait4((int32_t)pids[i], &st, 0, 0);
        if (i == n - 1) status = decode_status(st);
    }
    return status;
}

static int run_line(const char *s) {
    cmd_t cmds[MAXCMD];
    int ncmd = 0, op = T_SEMI, skip = 0;
    memset(cmds, 0, sizeof cmds);
    for (;;) {
        char *word;
        int t = lex(&s, &word);
        cmd_t *c = &cmds[ncmd];
        if (t == T_WORD) {
            if (c->argc < MAXW - 1) c->argv[c->argc++] = word;
            continue;
        }
        if (t == T_LT || t == T_GT || t == T_GTGT || t == T_ERR_GT) {
            if (lex(&s, &word) != T_WORD) { wprintf(2, "sh: syntax error\n"); return 2; }
            if (t == T_LT) c->in = word;
            else if (t == T_ERR_GT) c->err = word;
            else { c->out = word; c->append = t == T_GTGT; }
            continue;
        }
        if (t == T_ERR_TO_OUT) { c->err_to_out = 1; continue; }
        if (t == T_PIPE) {
            if (!c->argc || ncmd + 1 >= MAXCMD) { wprintf(2, "sh: syntax error near |\n"); return 2; }
            ncmd++;
            continue;
        }
        /* end of a pipeline: T_SEMI, T_AND, T_OR or T_END */
        if (cmds[ncmd].argc) {
            if (!skip) last_status = run_pipeline(cmds, ncmd + 1);
            memset(cmds, 0, sizeof cmds);
            ncmd = 0;
            wp = wordbuf; /* the pipeline's words are no longer needed */
        }
        skip = (t == T_AND && last_status != 0) || (t == T_OR && last_status == 0);
        op = t;
        if (t == T_END) break;
    }
    (void)op;
    return last_status;
}

static char script[1 << 16];

int main(int argc, char **argv) {
    load_env();
    wp = wordbuf;
    if (argc > 2 && streq(argv[1], "-c")) return run_line(argv[2]);
    int32_t fd = 0;
    if (argc > 1) {
        int64_t f = wali_open(argv[1], O_RDONLY, 0);
        if (f < 0) { wprintf(2, "sh: %s: cannot open\n", argv[1]); return 127; }
        fd = (int32_t)f;
    }
    int64_t n = 0, r;
    while ((r = wali_read(fd, script + n, sizeof script - 1 - n)) > 0) n += r;
    script[n] = 0;
    /* skip a #! line */
    const char *s = script;
    if (s[0] == '#' && s[1] == '!') while (*s && *s != '\n') s++;
    return run_line(s);
}
