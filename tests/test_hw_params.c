/* The hardware constants have one source: refmodel/include/attnkit/hw_params.h. This test holds
 * the copies derived from it to it: the generated SV package (BUILD/gen/ak_pkg.sv, which the
 * RTL reads) declares each constant once with the header's value; the RTL writes no hand-copied
 * parameter default or beat width (a literal default of Rows, PeRows, PeCols, MaxHeadDim,
 * MaxKvBlocks, NCtx, MaxBurst or MaxOutstanding, or a [511:0] vector, in any rtl/ source
 * fails); and the cycle model's ak_hw_config_default and ak_mem_timing_default are the
 * header's values. */
#include <glob.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/cycle_model.h"
#include "attnkit/hw_params.h"

/* The header's constants under their SV names (gen_sv_pkg.py: AK_BEAT_BYTES -> BeatBytes). */
static const struct {
    const char *sv_name;
    long value;
} constants[] = {
    {"BeatBytes", AK_BEAT_BYTES},
    {"BeatBytesLog2", AK_BEAT_BYTES_LOG2},
    {"BeatBits", AK_BEAT_BITS},
    {"QueryContexts", AK_QUERY_CONTEXTS},
    {"DivLatency", AK_DIV_LATENCY},
    {"DefaultRows", AK_DEFAULT_ROWS},
    {"DefaultMaxKvBlocks", AK_DEFAULT_MAX_KV_BLOCKS},
    {"DefaultRdOutstanding", AK_DEFAULT_RD_OUTSTANDING},
    {"DefaultMaxBurst", AK_DEFAULT_MAX_BURST},
    {"MaxHeadDim", AK_MAX_HEAD_DIM},
    {"MaxProbeRows", AK_MAX_PROBE_ROWS},
    {"MaxPruneTokens", AK_MAX_PRUNE_TOKENS},
};

/* The path of the generated ak_pkg.sv among the packages of ak_test_sv_pkg(), or NULL. */
static char *ak_pkg_path(void)
{
    const char *list = ak_test_sv_pkg();
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n >= 9 && strncmp(p + n - 9, "ak_pkg.sv", 9) == 0 && (n == 9 || p[n - 10] == '/')) {
            char *path = malloc(n + 1);
            if (path) {
                memcpy(path, p, n);
                path[n] = 0;
            }
            return path;
        }
        p += n;
    }
    return NULL;
}

/* Counts the lines of text matching the extended regex pattern; the value of the first
 * match's first subexpression goes to *value (when value is not NULL). */
static int count_matches(const char *text, const char *pattern, long *value)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE) != 0)
        return -1;
    int count = 0;
    regmatch_t m[2];
    const char *p = text;
    while (regexec(&re, p, 2, m, 0) == 0) {
        if (count == 0 && value && m[1].rm_so >= 0)
            *value = strtol(p + m[1].rm_so, NULL, 10);
        count++;
        p += m[0].rm_eo;
        if (m[0].rm_eo == 0)
            break;
    }
    regfree(&re);
    return count;
}

static void test_package_values(void)
{
    char *path = ak_pkg_path();
    if (!path)
        fprintf(stderr, "test_hw_params: no ak_pkg.sv among %s\n", ak_test_sv_pkg());
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    char *pkg = ak_test_read_text(path);
    if (!pkg)
        fprintf(stderr, "test_hw_params: cannot read %s\n", path);
    free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pkg);
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
        char pattern[128];
        snprintf(pattern, sizeof pattern, "^[ \t]*localparam int %s = ([0-9]+);",
                 constants[i].sv_name);
        long value = -1;
        const int n = count_matches(pkg, pattern, &value);
        if (n != 1 || value != constants[i].value)
            fprintf(stderr, "test_hw_params: ak_pkg.sv declares %s %d time(s), = %ld; "
                            "hw_params.h says %ld\n",
                    constants[i].sv_name, n, value, constants[i].value);
        CU_ASSERT_EQUAL(n, 1);
        CU_ASSERT_EQUAL(value, constants[i].value);
    }
    free(pkg);
}

static void test_rtl_reads_package(void)
{
    static const char *const copies[] = {
        /* a parameter default written as a number instead of the package's constant */
        "parameter (int|logic \\[7:0\\]) "
        "(Rows|PeRows|PeCols|MaxHeadDim|MaxKvBlocks|NCtx|MaxBurst|MaxOutstanding)[ \t]*=[ \t]*"
        "[0-9]+('[dhb][0-9a-f_]+)?[ \t]*(,|\\)|//|$)",
        /* a beat-wide vector written as a number */
        "\\[511:0\\]",
    };
    glob_t rtl;
    CU_ASSERT_EQUAL_FATAL(glob("rtl/*.sv", 0, NULL, &rtl), 0); /* from the repository root */
    CU_ASSERT(rtl.gl_pathc >= 20);
    for (size_t f = 0; f < rtl.gl_pathc; f++) {
        char *text = ak_test_read_text(rtl.gl_pathv[f]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        for (size_t c = 0; c < sizeof copies / sizeof copies[0]; c++) {
            const int n = count_matches(text, copies[c], NULL);
            if (n != 0)
                fprintf(stderr, "test_hw_params: %s hand-copies a constant of hw_params.h "
                                "(%d line(s) match %s)\n", rtl.gl_pathv[f], n, copies[c]);
            CU_ASSERT_EQUAL(n, 0);
        }
        free(text);
    }
    globfree(&rtl);
}

static void test_c_defaults(void)
{
    ak_hw_config hw;
    ak_hw_config_default(&hw);
    CU_ASSERT_EQUAL(hw.rows, AK_DEFAULT_ROWS);
    CU_ASSERT_EQUAL(hw.max_head_dim, AK_MAX_HEAD_DIM);
    CU_ASSERT_EQUAL(hw.max_kv_blocks, AK_DEFAULT_MAX_KV_BLOCKS);
    CU_ASSERT_EQUAL(hw.rd_outstanding, AK_DEFAULT_RD_OUTSTANDING);
    CU_ASSERT_EQUAL(hw.max_burst, AK_DEFAULT_MAX_BURST);
    ak_mem_timing mem;
    ak_mem_timing_default(&mem);
    CU_ASSERT_EQUAL(mem.bytes_per_cycle, AK_BEAT_BYTES); /* a beat a cycle */
}

int ak_test_register(void)
{
    return AK_SUITE("hw_params", {"package_values", test_package_values},
                    {"rtl_reads_package", test_rtl_reads_package},
                    {"c_defaults", test_c_defaults});
}
