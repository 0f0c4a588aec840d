// The unit benches of the RTL checkers (chk_axi_unit.cpp, chk_axil_unit.cpp): Verilator's
// messages are routed here (ak_vl_printf, via sim/verilator/ak_vl_print.h, force-included by
// tests/tests.mk for these benches), so a failing "AK_ASSERT <name>" is recorded, not fatal.
// Included by exactly one file of each bench (it defines the hook).
#ifndef AK_ASSERT_CAPTURE_H
#define AK_ASSERT_CAPTURE_H

#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

#include "verilated.h"

namespace ak_capture {
// the first assertion's name since the last clear ("" none)
inline std::string &first()
{
    static std::string name;
    return name;
}
// every assertion's name since the last clear, each followed by a space
inline std::string &all()
{
    static std::string names;
    return names;
}
// a context whose $fatal only counts (Verilator's default would abort at the first)
inline void setup(VerilatedContext &ctx)
{
    ctx.fatalOnError(false);
    ctx.errorLimit(INT_MAX);
}
} // namespace ak_capture

int ak_vl_printf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const char *a = std::strstr(buf, "AK_ASSERT ");
    if (a) {
        a += std::strlen("AK_ASSERT ");
        const std::string name(a, std::strcspn(a, ": \n"));
        if (ak_capture::first().empty())
            ak_capture::first() = name;
        ak_capture::all() += name + " ";
    }
    if (!a && !std::strstr(buf, "Verilog $stop"))
        std::fputs(buf, stderr);  // (the expected assertions stay quiet)
    return n;
}

#endif
