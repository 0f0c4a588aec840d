/* The RTL in the SystemVerilog subset all three tools accept (toolchain notes): each rtl/ak_<module>.sv
 * with the generated ak_pkg is lint-clean under `verilator --lint-only -Wall`, parses under
 * Icarus 11 (-g2012), and elaborates under Yosys 0.23 (read_verilog -sv; hierarchy, proc and
 * `check -assert`: no multiple drivers, no combinational loops, no undriven wires). Each top is
 * checked on its own. The top level ak_top goes through Yosys's full generic synthesis as well
 * (`synth -top ak_top -noabc`, then `check -assert`; about 8 minutes, the longest test, which
 * is why `make test` starts it first and runs tests two at a time); the gate mapping with ABC
 * is left to the resource estimate (`make synth`). The packages: AK_SV_PKG, else BUILD/gen/
 * (tests/ak_test.c). */
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"

static const char *pkg(void)
{
    return ak_test_sv_pkg();
}

/* Runs `fmt` (package, all RTL files, top) for every rtl/ak_<module>.sv as top; returns the
 * number of failures. */
static int for_each_module(const char *fmt)
{
    /* each module is checked as the top of the whole RTL, so its submodules resolve */
    glob_t g;
    int failures = 0;
    if (glob("rtl/ak_*.sv", 0, NULL, &g) != 0)
        return 1;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char path[512], top[256], cmd[2048];
        snprintf(path, sizeof path, "%s", g.gl_pathv[i]);
        snprintf(top, sizeof top, "%s", basename(path));
        top[strlen(top) - 3] = '\0'; /* drop .sv: the file is named after its module */
        snprintf(cmd, sizeof cmd, fmt, pkg(), "rtl/ak_*.sv", top);
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
    CU_ASSERT_EQUAL(for_each_module("verilator --lint-only -Wall %s %s --top-module %s"), 0);
}

static void test_icarus_parses(void)
{
    CU_ASSERT_EQUAL(for_each_module("iverilog -g2012 -o /dev/null %s %s -s %s 2>/dev/null"), 0);
}

static void test_yosys_elaborates(void)
{
    CU_ASSERT_EQUAL(for_each_module("yosys -q -w 'Replacing memory' -p 'read_verilog -sv %s %s; "
                                    "hierarchy -check -top %s; "
                                    "proc; check -assert' >/dev/null"),
                    0);
}

static void test_yosys_synthesises_top(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "yosys -q -w 'Replacing memory' -p 'read_verilog -sv %s rtl/ak_*.sv; "
             "synth -top ak_top -noabc; "
             "check -assert' >/dev/null",
             pkg());
    const int rc = system(cmd);
    if (rc != 0)
        printf("\n    failed: %s ", cmd);
    CU_ASSERT_EQUAL(rc, 0);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_lint", {"verilator --lint-only -Wall clean", test_verilator_lint},
                    {"Icarus -g2012 parses", test_icarus_parses},
                    {"Yosys elaborates each module, check -assert", test_yosys_elaborates},
                    {"Yosys synth -top ak_top, check -assert", test_yosys_synthesises_top});
}
