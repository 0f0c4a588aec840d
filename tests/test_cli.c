/* The attnkit CLI's contract: every invalid flag gets one clear line naming the flag and the
 * allowed values with exit status 2 and nothing on stdout; --help and --json work. Runs the
 * built binary (AK_CLI) as a user would. */
#include <cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ak_test.h"

static char buf[1 << 16];

typedef struct {
    const char *args[8];
    const char *must_mention; /* the flag or value the message must name */
    const char *allowed;      /* and part of the allowed values */
} bad_case;

static void test_bad_flags_exit_2(void)
{
    static const bad_case cases[] = {
        {{"accuracy", "--n", "0"}, "--n", "1..65536"},
        {{"accuracy", "--n", "12x"}, "--n", "1..65536"},
        {{"accuracy", "--n", "70000"}, "--n", "1..65536"},
        {{"accuracy", "--d", "48"}, "--d", "32, 64 or 128"},
        {{"accuracy", "--block", "48"}, "--block", "16, 32, 64 or 128"},
        {{"accuracy", "--block", "8"}, "--block", "16, 32, 64 or 128"},
        {{"accuracy", "--pattern", "random", "--density", "0"}, "--density", "(0, 1]"},
        {{"accuracy", "--pattern", "window", "--density", "1.5"}, "--density", "(0, 1]"},
        {{"accuracy", "--pattern", "topk", "--density", "nan"}, "--density", "(0, 1]"},
        {{"accuracy", "--pattern", "dense", "--density", "0.5"}, "--density", "window"},
        {{"accuracy", "--pattern", "bigbird"}, "--pattern", "dense, causal, window"},
        {{"accuracy", "--logits", "gauss2"}, "--logits", "gauss1, gauss3, peaky or extreme"},
        {{"accuracy", "--heads", "0"}, "--heads", "1..64"},
        {{"accuracy", "--seed", "-3"}, "--seed", "0..2^64-1"},
        /* strtoull skips space and takes a sign: " -1" was accepted as 2^64 - 1 (fuzz_cli_args) */
        {{"accuracy", "--seed", " -1"}, "--seed", "0..2^64-1"},
        {{"accuracy", "--seed", " 5"}, "--seed", "0..2^64-1"},
        {{"accuracy", "--n", " 64"}, "--n", "1..65536"},
        {{"accuracy", "--pattern", "window", "--density", " 0.5"}, "--density", "(0, 1]"},
        {{"accuracy", "--n"}, "--n", "missing"},
        {{"accuracy", "--bogus"}, "--bogus", "unknown flag"},
        {{"accuracy", "stray"}, "stray", "unexpected"},
        {{"mask", "--cols", "2"}, "--cols", "8..1024"},
        {{"mask", "--heads", "2", "--head", "2"}, "--head", "below --heads"},
        {{"mask", "--pattern", "sinks", "--causal", "maybe"}, "--causal", "yes or no"},
        {{"mask", "--pattern", "causal", "--causal", "no"}, "--causal", "always causal"},
        {{"frobnicate"}, "frobnicate", "accuracy, estimate, mask"},
        {{"prune", "--keep", "0"}, "--keep", "(0, 1]"},
        {{"prune", "--keep", "1.5"}, "--keep", "(0, 1]"},
        {{"prune", "--keep", "1e-9"}, "--keep", "rounds to 0 parts per million"},
        {{"workload"}, "--preset", "exactly one"},
        {{"workload", "--preset", "a", "--workload", "b"}, "--workload", "exactly one"},
        {{"workload", "--preset", "deit-huge"}, "deit-huge", "deit-small"},
        {{"workload", "--workload", "/nonexistent/w.json"}, "/nonexistent/w.json", "cannot open"},
        {{"workload", "--preset", "deit-small", "--dump", "--json"}, "--dump", "choose one"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = ak_test_run_cli(buf, sizeof buf, cases[i].args);
        int ok = rc == 2 && strstr(buf, cases[i].must_mention) && strstr(buf, cases[i].allowed) &&
                 strchr(buf, '\n') == buf + strlen(buf) - 1; /* exactly one line */
        if (!ok)
            printf("\n    case %zu (%s %s): exit %d, output: %s", i, cases[i].args[0],
                   cases[i].args[1] ? cases[i].args[1] : "", rc, buf);
        CU_ASSERT(ok);
    }
}

static void test_no_command_is_usage_error(void)
{
    const char *args[] = {NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "usage"));
}

static void test_help_everywhere(void)
{
    static const char *const cmds[] = {"accuracy", "mask", "prune", "workload"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *args[] = {cmds[i], "--help", NULL};
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "usage: attnkit"));
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "exit status"));
    }
    const char *args[] = {"help", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "accuracy"));
}

static void test_accuracy_json(void)
{
    const char *args[] = {"accuracy", "--n", "100", "--heads", "1", "--pattern", "window",
                          "--density", "0.5", "--block", "16", "--json", NULL};
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    cJSON *j = cJSON_Parse(buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    cJSON *res = cJSON_GetObjectItem(j, "result");
    cJSON *cfg = cJSON_GetObjectItem(j, "config");
    CU_ASSERT_FATAL(res && cfg);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "pattern")), "window");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "seed")), "1");
    double sqnr = cJSON_GetNumberValue(cJSON_GetObjectItem(res, "sqnr_db"));
    double density = cJSON_GetNumberValue(cJSON_GetObjectItem(res, "density"));
    CU_ASSERT(sqnr >= 70.0);
    CU_ASSERT(density > 0.0 && density < 1.0);
    cJSON_Delete(j);
}

static void test_same_seed_same_output(void)
{
    static char first[1 << 16];
    const char *args[] = {"accuracy", "--n", "80", "--pattern", "random", "--density", "0.5",
                          "--block", "16", "--seed", "99", "--json", NULL};
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(first, sizeof first, args), 0);
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    CU_ASSERT_STRING_EQUAL(first, buf);
}

static void test_workload_plan_json(void)
{
    const char *args[] = {"workload", "--preset", "deit-small", "--json", NULL};
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    cJSON *j = cJSON_Parse(buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    cJSON *layers = cJSON_GetObjectItem(j, "layers");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(layers), 12);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(layers, 11), "tokens")), 72); /* 197 -> 140 -> 100 -> 72 with EViT's fused token */
    double saved = cJSON_GetNumberValue(cJSON_GetObjectItem(j, "saved_by_pruning"));
    CU_ASSERT(saved > 0.4 && saved < 0.5);
    cJSON_Delete(j);
}

/* `workload --workload FILE`, as vecgen and estimate spell it; the old `--file` still works
 * after one line on stderr saying so. */
static void test_workload_flag_and_old_name(void)
{
    static char first[1 << 16];
    const char *file = "vectors/workloads/deit-small-sparse-layer.json";
    const char *args[] = {"workload", "--workload", file, "--json", NULL};
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(first, sizeof first, args), 0);
    cJSON *j = cJSON_Parse(first);
    CU_ASSERT_PTR_NOT_NULL(j);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(j, "workload")),
                           "deit-small-sparse-layer");
    cJSON_Delete(j);
    const char *notice = "attnkit workload: --file is now --workload\n";
    const char *old[] = {"workload", "--file", file, "--json", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, old), 0);
    CU_ASSERT_FATAL(!strncmp(buf, notice, strlen(notice)));
    CU_ASSERT_STRING_EQUAL(buf + strlen(notice), first); /* then the same output */
    const char *twice[] = {"workload", "--file", file, "--file", file, "--json", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, twice), 0);
    CU_ASSERT_STRING_EQUAL(buf + strlen(notice), first); /* the notice once */
    const char *bad[] = {"workload", "--file", "/nonexistent/w.json", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, bad), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "cannot open"));
    const char *help[] = {"workload", "--help", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, help), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "--workload"));
    CU_ASSERT_PTR_NULL(strstr(buf, "--file"));
}

/* A mask with both `density` and an explicit size parameter: one line naming the field, exit
 * 2, from every command that reads workloads (issue 13: the parameter was silently dropped). */
static void test_density_and_parameter_refused(void)
{
    char path[] = "/tmp/ak_test_cli_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    static const char doc[] =
        "{\"format\": \"attnkit-workload\", \"version\": 2, \"kind\": \"vision\", \"tokens\": 128,"
        " \"heads\": 2, \"head_dim\": 32, \"block\": 16, \"layers\": [{\"mask\": {\"pattern\":"
        " \"sinks\", \"density\": 0.3, \"sinks\": 2}}]}\n";
    CU_ASSERT_FATAL(write(fd, doc, sizeof doc - 1) == (ssize_t)(sizeof doc - 1));
    close(fd);
    const char *plan[] = {"workload", "--workload", path, NULL};
    const char *est[] = {"estimate", "--workload", path, NULL};
    const char *const *cmds[] = {plan, est};
    for (int i = 0; i < 2; i++) {
        int rc = ak_test_run_cli(buf, sizeof buf, cmds[i]);
        int ok = rc == 2 && strstr(buf, "layers[0].mask.sinks") && strstr(buf, "'density'") &&
                 strchr(buf, '\n') == buf + strlen(buf) - 1;
        if (!ok)
            printf("\n    %s: exit %d, output: %s", cmds[i][0], rc, buf);
        CU_ASSERT(ok);
    }
    remove(path);
}

/* `attnkit help CMD` prints CMD's --help (the same bytes), for every command; an unknown
 * command is one line and exit 2. -h is --help in the commands that take it. */
static void test_help_cmd_is_cmd_help(void)
{
    static char direct[1 << 16];
    static const char *const cmds[] = {"accuracy", "estimate", "mask", "prune",  "sim",
                                       "vecgen",   "workload", "version"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *a[] = {cmds[i], "--help", NULL};
        const char *b[] = {"help", cmds[i], NULL};
        CU_ASSERT_EQUAL(ak_test_run_cli(direct, sizeof direct, a), 0);
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, b), 0);
        if (strcmp(buf, direct) || !strstr(buf, "usage: attnkit"))
            printf("\n    help %s differs from %s --help", cmds[i], cmds[i]);
        CU_ASSERT_STRING_EQUAL(buf, direct);
    }
    static const char *const with_h[] = {"accuracy", "mask", "prune", "vecgen", "workload",
                                         "version"};
    for (size_t i = 0; i < sizeof with_h / sizeof with_h[0]; i++) {
        const char *a[] = {with_h[i], "--help", NULL};
        const char *h[] = {with_h[i], "-h", NULL};
        CU_ASSERT_EQUAL(ak_test_run_cli(direct, sizeof direct, a), 0);
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, h), 0);
        CU_ASSERT_STRING_EQUAL(buf, direct);
    }
    const char *bad[] = {"help", "nosuch", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, bad), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "unknown command 'nosuch'"));
    CU_ASSERT(strchr(buf, '\n') == buf + strlen(buf) - 1);
    const char *bogus[] = {"version", "--bogus", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, bogus), 2);
}

static void test_version_json(void)
{
    const char *args[] = {"version", "--json", NULL};
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    cJSON *j = cJSON_Parse(buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetStringValue(cJSON_GetObjectItem(j, "version")));
    CU_ASSERT(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "numerics_version")) >= 1);
    cJSON *v = cJSON_GetObjectItem(j, "vectors");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(v, "format")),
                           "attnkit-vectors");
    cJSON_Delete(j);
}

/* vecgen: under umask 022 the directory is 0755 (not mkdtemp's 0700) and its files 0644;
 * --seed replaces the workload's seed (recorded in the manifest) and changes the inputs;
 * on a pipe, stderr has no progress line (no \r). */
static void test_vecgen_mode_seed_no_progress(void)
{
    char dir[] = "/tmp/ak_test_cli_vg_XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    char out1[256], out2[256], path[300];
    snprintf(out1, sizeof out1, "%s/a", dir);
    snprintf(out2, sizeof out2, "%s/b", dir);
    const mode_t old = umask(022);
    const char *a1[] = {"vecgen", "--preset", "deit-tiny", "--out", out1, NULL};
    const char *a2[] = {"vecgen", "--preset", "deit-tiny", "--out", out2, "--seed", "7", NULL};
    int rc1 = ak_test_run_cli(buf, sizeof buf, a1);
    CU_ASSERT_PTR_NULL(strchr(buf, '\r'));
    int rc2 = ak_test_run_cli(buf, sizeof buf, a2);
    umask(old);
    CU_ASSERT_EQUAL_FATAL(rc1, 0);
    CU_ASSERT_EQUAL_FATAL(rc2, 0);
    CU_ASSERT_PTR_NULL(strchr(buf, '\r'));
    struct stat sb;
    CU_ASSERT_EQUAL(stat(out1, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0755);
    snprintf(path, sizeof path, "%s/manifest.json", out1);
    CU_ASSERT_EQUAL(stat(path, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0644);
    snprintf(path, sizeof path, "%s/layer01", out1);
    CU_ASSERT_EQUAL(stat(path, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0755);
    snprintf(path, sizeof path, "%s/manifest.json", out2);
    cJSON *m = ak_test_read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    cJSON *seed = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "workload"), "seed");
    CU_ASSERT(seed && cJSON_GetNumberValue(seed) == 7);
    cJSON_Delete(m);
    char cmp[700];
    snprintf(cmp, sizeof cmp, "cmp -s '%s/layer01/q.npy' '%s/layer01/q.npy'", out1, out2);
    CU_ASSERT_NOT_EQUAL(system(cmp), 0); /* other inputs */
    const char *big[] = {"vecgen", "--preset", "deit-tiny", "--out", out1, "--seed",
                         "9007199254740993", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, big), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "--seed"));
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(path), 0);
}

/* accuracy on a pipe: the output alone, no progress line. */
static void test_accuracy_no_progress_on_pipe(void)
{
    const char *args[] = {"accuracy", "--n", "256", "--heads", "4", NULL};
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    CU_ASSERT_PTR_NULL(strchr(buf, '\r'));
    CU_ASSERT(!strncmp(buf, "attnkit accuracy: N=256", 23));
}

/* `attnkit help --help` is the general help (exit 0), as `help help`; vecgen's --seed names
 * its real range (0..2^53, a workload file's) for every bad value, not ak_cli_u64's. */
static void test_help_help_and_vecgen_seed_range(void)
{
    static char usage[1 << 14];
    const char *plain[] = {"help", NULL};
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(usage, sizeof usage, plain), 0);
    static const char *const spell[] = {"--help", "-h", "help"};
    for (size_t i = 0; i < sizeof spell / sizeof spell[0]; i++) {
        const char *a[] = {"help", spell[i], NULL};
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, a), 0);
        CU_ASSERT_STRING_EQUAL(buf, usage);
    }
    static const char *const bad[] = {"-1", "9007199254740993", "x", "", " -1", "\t7"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *a[] = {"vecgen", "--preset", "deit-tiny", "--out", "/nonexistent/x",
                           "--seed", bad[i], NULL};
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, a), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "--seed: expected a whole number 0..2^53"));
    }
}

/* ---- attnkit sim: flags, help, the vectors' check, Ctrl-C during --wave ---------------- */

static void test_sim_wave_flags_exit_2(void)
{
    static const struct {
        const char *args[12];
        const char *must_mention, *allowed;
    } cases[] = {
        {{"sim", "--vectors", "x", "--wave-from", "10"}, "--wave-from", "only with --wave"},
        {{"sim", "--vectors", "x", "--wave-to", "10"}, "--wave-to", "only with --wave"},
        {{"sim", "--vectors", "x", "--wave-limit", "1"}, "--wave-limit", "only with --wave"},
        {{"sim", "--vectors", "x", "--wave", "f.fst", "--wave-limit", "1048577"}, "--wave-limit",
         "0..1048576"},
        {{"sim", "--vectors", "x", "--wave", "f.fst", "--wave-from", "-1"}, "--wave-from", "0.."},
        {{"sim", "--vectors", "x", "--wave", "f.fst", "--wave-from", "9", "--wave-to", "8"},
         "--wave-to", "before --wave-from"},
        {{"sim", "--vectors", "x", "--backend", "tlm", "--wave-to", "8"}, "--wave-to",
         "only with --backend verilator"},
        {{"sim", "--vectors", "x", "--backend", "sc-rtl", "--wave", "f.fst"}, "--wave",
         "only with --backend verilator"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = ak_test_run_cli(buf, sizeof buf, cases[i].args);
        int ok = rc == 2 && strstr(buf, cases[i].must_mention) && strstr(buf, cases[i].allowed) &&
                 strchr(buf, '\n') == buf + strlen(buf) - 1;
        if (!ok)
            printf("\n    sim case %zu: exit %d, output: %s", i, rc, buf);
        CU_ASSERT(ok);
    }
}

/* sim --help names every flag with its default or range */
static void test_sim_help_lists_flags(void)
{
    const char *args[] = {"sim", "--help", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    static const char *const want[] = {
        "--vectors DIR", "--backend NAME", "--threads N", "0..256", "--layer N", "1..100000",
        "--latency L", "(default 20)", "--mem-jitter S", "--mem-bw B", "1..64 (default 64)",
        "--clock-mhz F", "(default 250)", "--json", "--help", "--wave FILE", "--wave-from C",
        "--wave-to C", "--wave-limit MB", "0..1048576", "(default 256)", "3 the vectors"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, want[i]));
        if (!strstr(buf, want[i]))
            printf("\n    sim --help lacks \"%s\"", want[i]);
    }
}

/* a copy of a golden set in a new temporary directory: its path in dir (>= 64 bytes) */
static int copy_golden(const char *set, char *dir, size_t cap)
{
    char tmpl[] = "/tmp/ak_test_cli_sim_XXXXXX", cmd[512];
    if (!mkdtemp(tmpl))
        return -1;
    snprintf(dir, cap, "%s/set", tmpl);
    snprintf(cmd, sizeof cmd, "cp -r vectors/golden/%s %s", set, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void remove_copy(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strlen(dir) - 4), dir); /* minus "/set" */
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* One byte of layer01/o.npy changed: exit 3, the file named, "not an accelerator failure",
 * nothing simulated (no layer line); --json says ERROR. The untouched copy passes. */
static void test_sim_tampered_vectors_exit_3(void)
{
    char dir[256], path[300];
    CU_ASSERT_FATAL(copy_golden("dense-n64", dir, sizeof dir) == 0);
    const char *args[] = {"sim", "--vectors", dir, NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    snprintf(path, sizeof path, "%s/layer01/o.npy", dir);
    FILE *f = fopen(path, "r+b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, -1, SEEK_END);
    const int c = fgetc(f);
    fseek(f, -1, SEEK_END);
    fputc(c ^ 1, f);
    fclose(f);
    int rc = ak_test_run_cli(buf, sizeof buf, args);
    int ok = rc == 3 && strstr(buf, "layer01/o.npy") && strstr(buf, "checksum") &&
             strstr(buf, "modified or corrupted") && strstr(buf, "not an accelerator failure") &&
             !strstr(buf, "layer 1 ");
    if (!ok)
        printf("\n    tampered o.npy: exit %d, output: %s", rc, buf);
    CU_ASSERT(ok);
    const char *jargs[] = {"sim", "--vectors", dir, "--json", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, jargs), 3);
    cJSON *j = cJSON_Parse(strchr(buf, '{') ? strchr(buf, '{') : buf);
    const char *result = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "result"));
    CU_ASSERT(result && !strcmp(result, "ERROR")); /* (no result: a failure, not strcmp(NULL)) */
    const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
    CU_ASSERT(e && strstr(e, "layer01/o.npy"));
    cJSON_Delete(j);
    /* a missing file is the same failure */
    remove(path);
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "o.npy"));
    remove_copy(dir);
}

/* The manifest's quantisation numbers are whole numbers in their type's range: a multiplier
 * of 2^32 (once converted from double to int32_t, undefined: fuzz_manifest) or 2^30 + 0.5
 * (once truncated to a valid 2^30, so the layer passed) is a layer that cannot be read. */
static void test_sim_manifest_numbers_checked(void)
{
    static const char *const bad[] = {"4294967296", "1073741824.5", "-2147483649"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char dir[256], path[300];
        CU_ASSERT_FATAL(copy_golden("n1", dir, sizeof dir) == 0);
        snprintf(path, sizeof path, "%s/manifest.json", dir);
        cJSON *man = ak_test_read_json(path);
        cJSON *q0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(man, "layers"), 0), "quant"), 0);
        CU_ASSERT_FATAL(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(q0, "out_mult")));
        cJSON_ReplaceItemInObjectCaseSensitive(q0, "out_mult", cJSON_CreateRaw(bad[i]));
        char *text = cJSON_Print(man);
        FILE *f = fopen(path, "w");
        CU_ASSERT_FATAL(f && text && fputs(text, f) >= 0);
        fclose(f);
        free(text);
        cJSON_Delete(man);
        const char *args[] = {"sim", "--vectors", dir, NULL};
        const int rc = ak_test_run_cli(buf, sizeof buf, args);
        const int ok = rc == 1 && strstr(buf, "layer01: not a valid job: bad quant entry");
        if (!ok)
            printf("\n    out_mult %s: exit %d, output: %s", bad[i], rc, buf);
        CU_ASSERT(ok);
        remove_copy(dir);
    }
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* SIGINT during `sim --wave F`: the process ends by SIGINT (a shell's 130) and neither F nor
 * F.tmp nor FST's F.tmp.hier remains. */
static void test_sim_wave_interrupted(void)
{
    char dir[] = "/tmp/ak_test_cli_wave_XXXXXX", wave[128], tmp[140], hier[150];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(wave, sizeof wave, "%s/w.fst", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", wave);
    snprintf(hier, sizeof hier, "%s.tmp.hier", wave);
    const char *cli = ak_test_cli();
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execl(cli, cli, "sim", "--vectors", "vectors/golden/patterns-n96", "--wave", wave,
              (char *)NULL);
        _exit(127);
    }
    /* wait for the temporary, then a little longer: interrupted while dumping */
    const struct timespec tick = {0, 20 * 1000 * 1000};
    for (int i = 0; i < 500 && !exists(tmp); i++)
        nanosleep(&tick, NULL);
    CU_ASSERT(exists(tmp));
    const struct timespec more = {0, 300 * 1000 * 1000};
    nanosleep(&more, NULL);
    CU_ASSERT_FALSE(exists(wave)); /* still running: not renamed yet */
    kill(pid, SIGINT);
    int st = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
    CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT))
        printf("\n    sim --wave after SIGINT: status 0x%x", st);
    CU_ASSERT_FALSE(exists(wave));
    CU_ASSERT_FALSE(exists(tmp));
    CU_ASSERT_FALSE(exists(hier));
    /* the same run left alone: F complete, no temporary */
    const char *args[] = {"sim", "--vectors", "vectors/golden/dense-n64", "--wave", wave, NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    CU_ASSERT(exists(wave) && !exists(tmp) && !exists(hier));
    remove(wave);
    rmdir(dir);
}

int ak_test_register(void)
{
    return AK_SUITE("cli", {"bad flags: one line naming flag and allowed values, exit 2", test_bad_flags_exit_2},
                    {"no command: usage, exit 2", test_no_command_is_usage_error},
                    {"--help on every command", test_help_everywhere},
                    {"accuracy --json is valid JSON with the results", test_accuracy_json},
                    {"same seed, same output", test_same_seed_same_output},
                    {"workload --json plan", test_workload_plan_json},
                    {"workload --workload FILE; --file still works, with a notice", test_workload_flag_and_old_name},
                    {"density beside an explicit parameter: exit 2 naming it", test_density_and_parameter_refused},
                    {"help CMD is CMD --help; -h; help nosuch: exit 2", test_help_cmd_is_cmd_help},
                    {"version --json is a JSON object", test_version_json},
                    {"vecgen: dir mode follows umask, --seed, no \\r on a pipe", test_vecgen_mode_seed_no_progress},
                    {"accuracy: no progress line on a pipe", test_accuracy_no_progress_on_pipe},
                    {"help --help; vecgen --seed names 0..2^53", test_help_help_and_vecgen_seed_range},
                    {"sim --wave-* flags: exit 2 naming the flag", test_sim_wave_flags_exit_2},
                    {"sim --help: every flag with default and range", test_sim_help_lists_flags},
                    {"sim on tampered vectors: exit 3 naming the file", test_sim_tampered_vectors_exit_3},
                    {"sim: manifest quant numbers out of range or fractional: layer refused", test_sim_manifest_numbers_checked},
                    {"sim --wave interrupted: SIGINT, no FST or temporary left", test_sim_wave_interrupted});
}
