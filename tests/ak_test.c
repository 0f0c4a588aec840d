/* main() of every CUnit test program (see ak_test.h).
 *
 * A test program runs on its own, without make (tests/README.md):
 *   build/tests/test_cli                  from the repository's root, or
 *   /path/to/attnkit/build/tests/test_cli from anywhere: the tests read the tree by paths
 *                                         relative to its root (vectors/, rtl/, scripts/), so
 *                                         main() changes to the root of the repository that
 *                                         holds the program when the working directory is not
 *                                         a root already.
 * What `make test` passes in the environment has defaults taken from the program's own build
 * directory BUILD (the parent of BUILD/tests/, where the Makefile puts it; build/ otherwise):
 *   AK_CLI     the attnkit program under test             default BUILD/bin/attnkit
 *   AK_SV_PKG  the generated SV packages (test_rtl_lint)  default BUILD/gen/ak_pkg.sv,
 *                                                         ak_csr_pkg.sv, ak_desc_pkg.sv
 * A default that does not exist is reported on stderr with the make target that builds it, and
 * the tests that need it fail (never a silent skip). A relative AK_CLI is taken from the
 * directory the program was started in. */
#define _POSIX_C_SOURCE 200809L
#include "ak_test.h"

#include <cJSON.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

int ak_test_add_suite(const char *name, const ak_test_case *cases, unsigned n)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s)
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (!CU_add_test(s, cases[i].name, cases[i].fn))
            return -1;
    return 0;
}

/* AK_TEST_ONLY=text: only the tests whose name holds it run, in every suite however it was
 * registered (the rest count as inactive). */
static int apply_test_only(void)
{
    const char *only = getenv("AK_TEST_ONLY");
    if (!only || !*only)
        return 0;
    for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
        for (CU_pTest t = s->pTest; t; t = t->pNext)
            if (!strstr(t->pName, only) && CU_set_test_active(t, CU_FALSE) != CUE_SUCCESS)
                return -1;
    return 0;
}

static char build_dir[PATH_MAX] = "build"; /* BUILD (see the top) */

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The value of environment variable name, else def; the first time def is used and file (what
 * it needs) is missing, says so with the make target that builds it. */
static const char *env_or_default(const char *name, const char *def, const char *file,
                                  const char *target, int *warned)
{
    const char *v = getenv(name);
    if (v && *v)
        return v;
    if (!*warned && !is_file(file))
        fprintf(stderr, "ak_test: %s is not set and its default %s does not exist: build it "
                        "(`make %s`) or set %s\n", name, file, target, name);
    *warned = 1;
    return def;
}

const char *ak_test_cli(void)
{
    static char def[PATH_MAX + 16];
    static int warned;
    snprintf(def, sizeof def, "%s/bin/attnkit", build_dir);
    return env_or_default("AK_CLI", def, def, "all", &warned);
}

const char *ak_test_sv_pkg(void)
{
    static char def[3 * PATH_MAX + 64], last[PATH_MAX + 32];
    static int warned;
    snprintf(def, sizeof def, "%s/gen/ak_pkg.sv %s/gen/ak_csr_pkg.sv %s/gen/ak_desc_pkg.sv",
             build_dir, build_dir, build_dir);
    snprintf(last, sizeof last, "%s/gen/ak_desc_pkg.sv", build_dir);
    return env_or_default("AK_SV_PKG", def, last, "all", &warned);
}

/* Whether dir is the root of an attnkit tree. */
static int is_root(const char *dir)
{
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/tests/ak_test.h", dir);
    return is_file(p);
}

/* Drops the last component of path (in place); 0 when there is none left. */
static int parent(char *path)
{
    char *s = strrchr(path, '/');
    if (!s || s == path)
        return 0;
    *s = '\0';
    return 1;
}

/* Working directory and BUILD for a program started outside make (see the top). */
static int setup(void)
{
    char exe[PATH_MAX], dir[PATH_MAX], cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    snprintf(dir, sizeof dir, "%s", exe);
    if (parent(dir) && strlen(dir) > 6 && !strcmp(dir + strlen(dir) - 6, "/tests")) {
        dir[strlen(dir) - 6] = '\0';
        snprintf(build_dir, sizeof build_dir, "%s", dir);
    }
    if (is_root(cwd))
        return 0;
    int found = 0;
    snprintf(dir, sizeof dir, "%s", exe);
    while (!found && parent(dir))
        found = is_root(dir);
    if (!found) {
        fprintf(stderr, "ak_test: neither the working directory (%s) nor a folder above %s is "
                        "an attnkit tree (tests/ak_test.h): run the test from the repository's "
                        "root\n", cwd, exe);
        return -1;
    }
    const char *cli = getenv("AK_CLI");
    if (cli && *cli && cli[0] != '/') { /* relative to where the program was started */
        char abs[2 * PATH_MAX + 2];
        snprintf(abs, sizeof abs, "%s/%s", cwd, cli);
        setenv("AK_CLI", abs, 1);
    }
    if (chdir(dir) != 0) {
        perror(dir);
        return -1;
    }
    fprintf(stderr, "ak_test: running in %s\n", dir);
    return 0;
}

int ak_test_run_cli(char *buf, size_t cap, const char *const *args)
{
    const char *cli = ak_test_cli(); /* here: a missing default is reported once, not per child */
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fd[1], 1);
        dup2(fd[1], 2);
        close(fd[0]);
        close(fd[1]);
        size_t n = 0;
        while (args[n])
            n++;
        char **argv = calloc(n + 2, sizeof *argv);
        if (!argv)
            _exit(127);
        argv[0] = (char *)cli;
        for (size_t i = 0; i < n; i++)
            argv[i + 1] = (char *)args[i];
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t len = 0;
    ssize_t r;
    char sink[4096];
    while ((r = read(fd[0], len + 1 < cap ? buf + len : sink,
                     len + 1 < cap ? cap - 1 - len : sizeof sink)) > 0)
        if (len + 1 < cap)
            len += (size_t)r;
    buf[len] = '\0';
    close(fd[0]);
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int main(void)
{
    if (setup() != 0)
        return 2;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (ak_test_register() != 0 || apply_test_only() != 0) {
        fprintf(stderr, "test registration failed: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures != 0;
}

char *ak_test_read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *t = calloc(1, 1 << 18);
    size_t n = t ? fread(t, 1, (1 << 18) - 1, f) : 0;
    fclose(f);
    if (t)
        t[n] = '\0';
    return t;
}

cJSON *ak_test_read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char text[4 << 20];
    const size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return cJSON_Parse(text);
}

int ak_test_reseal_vectors(const char *set, unsigned layer, const char *file)
{
    char path[PATH_MAX], cmd[PATH_MAX + 32], hex[65] = "";
    snprintf(path, sizeof path, "%s/layer%02u/%s", set, layer, file);
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    const int got = fscanf(p, "%64s", hex);
    if (pclose(p) != 0 || got != 1 || strlen(hex) != 64)
        return -1;
    snprintf(path, sizeof path, "%s/manifest.json", set);
    cJSON *man = ak_test_read_json(path);
    const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(man, "layers"),
                                        (int)layer - 1);
    cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(l, "files"),
                                                file);
    int rc = -1;
    char *text = NULL;
    if (f && cJSON_ReplaceItemInObjectCaseSensitive(f, "sha256", cJSON_CreateString(hex)) &&
        (text = cJSON_Print(man)) != NULL) {
        FILE *o = fopen(path, "w");
        rc = o && fputs(text, o) >= 0 ? 0 : -1;
        if (o && fclose(o) != 0)
            rc = -1;
    }
    free(text);
    cJSON_Delete(man);
    return rc;
}
