/* The RTL in the SystemVerilog subset all three tools accept (toolchain notes), and structurally
 * synthesizable. Each rtl/ak_<module>.sv, with the generated packages, as the top of all of rtl/:
 *  - is lint-clean under `verilator --lint-only -Wall`;
 *  - parses under Icarus 11 (-g2012);
 *  - elaborates under Yosys 0.23: read_verilog -sv (a construct Yosys cannot synthesize fails
 *    here), `hierarchy -check` (every module and port resolves), proc, opt_clean, `check -assert`
 *    (no multiple drivers, no combinational loop, no undriven wire) and no latch left
 *    ($dlatch, $adlatch, $dlatchsr, $sr: an `always @*` that does not assign a signal on every
 *    path; opt_clean first removes the ones no logic reads, e.g. a for loop's variable).
 * The top ak_top, at its default parameters, goes through Yosys's coarse synthesis (`synth
 * -run begin:fine`: proc, opt, FSM extraction, wreduce, alumacc, share, memory inference), is
 * then flattened and must pass `check -assert` with no latch: drivers and loops across module
 * boundaries. Each unit goes through the full generic synthesis (`synth -noabc`: the coarse
 * part and the mapping to generic gates), then `check -assert`, except the top and the three
 * blocks that only replicate units synthesized here on their own (ak_finish: 16 ak_div_pipe
 * and ak_requant; ak_sm_engine: ak_logit and ak_softmax_tile rows; ak_pv_engine: ak_pv_acc and
 * ak_pv_row_acc banks), ak_prune, whose units (ak_topk, ak_div_pipe, ak_logit, ak_exp2) are
 * synthesized here on their own and whose own full synthesis takes 6-7 minutes (its register
 * files: the scores, the kept list, the weights; `make synth` includes it), and ak_ctrl, which
 * holds ak_prune (its other units, ak_ctrl_front/_desc/_slots/_out, ak_group_walk..., are
 * synthesized on their own; with it the test took 915 s in CI). 492 s in all alone on an idle
 * 2-core machine, most of it the top's coarse synthesis. The full generic synthesis of the
 * whole top (~16 CPU minutes; cell counts) is `make synth`, and the gate mapping with ABC is left to resource estimates.
 * The packages: AK_SV_PKG, else BUILD/gen/ (tests/ak_test.c). */
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"

/* Yosys commands that fail when a latch is left */
#define NO_LATCH "select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$sr"

/* Runs `fmt` (packages, all RTL files, top) for every rtl/ak_<module>.sv as top but those in
 * skip (NULL-terminated, or NULL); returns the number of failures. */
static int for_each_module(const char *fmt, const char *const *skip)
{
    /* each module is checked as the top of the whole RTL, so its submodules resolve */
    glob_t g;
    int failures = 0;
    if (glob("rtl/ak_*.sv", 0, NULL, &g) != 0)
        return 1;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char path[512], top[256], cmd[4096];
        snprintf(path, sizeof path, "%s", g.gl_pathv[i]);
        snprintf(top, sizeof top, "%s", basename(path));
        top[strlen(top) - 3] = '\0'; /* drop .sv: the file is named after its module */
        int skipped = 0;
        for (const char *const *s = skip; s && *s; s++)
            skipped |= !strcmp(*s, top);
        if (skipped)
            continue;
        snprintf(cmd, sizeof cmd, fmt, ak_test_sv_pkg(), "rtl/ak_*.sv", top);
        if (system(cmd) != 0) {
            printf("\n    failed: %s ", cmd);
            failures++;
        }
    }
    globfree(&g);
    return failures;
}

static void test_verilator_lint(void)
{
    CU_ASSERT_EQUAL(for_each_module("verilator --lint-only -Wall %s %s --top-module %s", NULL), 0);
}

static void test_icarus_parses(void)
{
    CU_ASSERT_EQUAL(for_each_module("iverilog -g2012 -o /dev/null %s %s -s %s 2>/dev/null", NULL),
                    0);
}

static void test_yosys_elaborates(void)
{
    CU_ASSERT_EQUAL(for_each_module("yosys -q -w 'Replacing memory' -p 'read_verilog -sv %s %s; "
                                    "hierarchy -check -top %s; "
                                    "proc; opt_clean; check -assert; " NO_LATCH "' >/dev/null",
                                    NULL),
                    0);
}

static void test_yosys_top_coarse(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "yosys -q -w 'Replacing memory' -p 'read_verilog -sv %s rtl/ak_*.sv; "
             "synth -top ak_top -run begin:fine; flatten; opt_clean; "
             "check -assert; " NO_LATCH "' >/dev/null",
             ak_test_sv_pkg());
    const int rc = system(cmd);
    if (rc != 0)
        printf("\n    failed: %s ", cmd);
    CU_ASSERT_EQUAL(rc, 0);
}

static void test_yosys_synthesises_units(void)
{
    static const char *const composites[] = {"ak_top",  "ak_finish", "ak_sm_engine", "ak_pv_engine",
                                              "ak_prune", "ak_ctrl",   NULL};
    CU_ASSERT_EQUAL(for_each_module("yosys -q -w 'Replacing memory' -p 'read_verilog -sv %s %s; "
                                    "synth -top %s -noabc; "
                                    "check -assert' >/dev/null",
                                    composites),
                    0);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_lint", {"verilator --lint-only -Wall clean", test_verilator_lint},
                    {"Icarus -g2012 parses", test_icarus_parses},
                    {"Yosys elaborates each module: check -assert, no latch", test_yosys_elaborates},
                    {"Yosys coarse synth of ak_top, flattened: check -assert, no latch",
                     test_yosys_top_coarse},
                    {"Yosys synth of each unit, check -assert", test_yosys_synthesises_units});
}
