/* scripts/report/dse_report.py on sweeps of `attnkit estimate --sweep` for workloads whose
 * names are not file names (`vit,"v2"`, `../../evil`, and two that sanitise alike): the CSV
 * parses with Python's csv module (the report reads it so), every PNG lands inside --out under
 * a sanitised, distinct name, nothing is written beside or above it, and the summary says
 * "does not fit" for the point that does not. Runs from the repository's root, as make does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ak_test.h"

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    const int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_odd_names(void)
{
    char dir[] = "/tmp/ak_test_dse_XXXXXX", out[128], path[256], buf[1 << 13];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    /* --out two levels down, so ../../evil would land in dir itself */
    snprintf(out, sizeof out, "%s/a/b", dir);
    snprintf(path, sizeof path, "%s/a", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(path, 0777), 0);
    CU_ASSERT_EQUAL_FATAL(mkdir(out, 0777), 0);
    static const char *const names[] = {"vit,\"v2\"", "../../evil", "vit_\"v2\"", ".hidden"};
    char csvs[1024] = "";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char wl[160], csv[160];
        snprintf(wl, sizeof wl, "%s/w%zu.json", dir, i);
        snprintf(csv, sizeof csv, "%s/w%zu.csv", dir, i);
        FILE *f = fopen(wl, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs("{\"format\": \"attnkit-workload\", \"version\": 2, \"name\": \"", f);
        for (const char *s = names[i]; *s; s++)
            fprintf(f, *s == '"' ? "\\%c" : "%c", *s);
        fputs("\", \"kind\": \"vision\", \"tokens\": 197, \"heads\": 3, \"head_dim\": 64, "
              "\"block\": 32, \"layers\": [{\"mask\": {\"pattern\": \"dense\"}}, "
              "{\"mask\": {\"pattern\": \"dense\"}}], "
              "\"pruning\": {\"layers\": [1], \"keep_rate\": 0.6}}\n", f);
        fclose(f);
        const char *args[] = {"estimate", "--workload", wl, "--sweep", "--out", csv, NULL};
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 0);
        /* Python's csv reads every record whole: the name, 27 fields */
        CU_ASSERT_EQUAL(sh("python3 -c 'import csv, sys; r = list(csv.reader(open(sys.argv[1], "
                           "newline=\"\"))); n = {x[0] for x in r[1:]}; "
                           "sys.exit(0 if len(r) == 23 and all(len(x) == len(r[0]) for x in r) "
                           "and n == {sys.argv[2]} else 1)' %s '%s'",
                           csv, names[i]),
                        0);
        strncat(csvs, " ", sizeof csvs - strlen(csvs) - 1);
        strncat(csvs, csv, sizeof csvs - strlen(csvs) - 1);
    }
    CU_ASSERT_EQUAL(sh("python3 scripts/report/dse_report.py %s --out %s >/dev/null", csvs, out),
                    0);
    /* the PNGs, all inside --out, under the sanitised names; nothing else anywhere */
    static const char *const pngs[] = {"vit__v2_", "_.._evil", "vit__v2_-2", "hidden"};
    static const char *const kinds[] = {"density", "keep", "roofline"};
    for (size_t i = 0; i < sizeof pngs / sizeof pngs[0]; i++)
        for (size_t k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s-%s.png", out, pngs[i], kinds[k]);
            const int there = access(path, F_OK) == 0;
            if (!there)
                printf("\n  missing %s\n", path);
            CU_ASSERT(there);
        }
    CU_ASSERT_EQUAL(sh("test $(find %s -name '*.png' | wc -l) -eq 12 && "
                       "test -z \"$(find %s -name '*.png' -not -path '*/a/b/*')\"",
                       dir, dir),
                    0);
    snprintf(path, sizeof path, "%s/summary.md", out);
    char *md = ak_test_read_text(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "## vit,\"v2\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "does not fit: ")); /* rows 64 > block 32 */
    CU_ASSERT_PTR_NULL(strstr(md, " 0 tokens/s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "saturated"));
    free(md);
    CU_ASSERT_EQUAL(sh("rm -rf %s%s", dir, ""), 0);
}

int ak_test_register(void)
{
    return AK_SUITE("dse_report", {"odd workload names: CSV whole, PNGs inside --out",
                                   test_odd_names});
}
