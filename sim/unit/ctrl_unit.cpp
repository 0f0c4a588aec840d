// The Verilated ak_ctrl (built with --public-flat-rw) behind the C API of rtl_units.h, for fault
// injection: its inputs idle, named flops of it and of its submodules overwritten between
// edges, and the names of the RTL assertions (docs/assertions.md) that failed since the reset.
#include "rtl_units.h"

#include <cstring>
#include <memory>
#include <string>

#include "Vak_ctrl.h"
#include "Vak_ctrl___024root.h"
#include "assert_capture.h"
#include "verilated.h"

namespace {
std::unique_ptr<VerilatedContext> ctx;
std::unique_ptr<Vak_ctrl> top;

void edge()
{
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
}
} // namespace

extern "C" void ak_rtl_ctrl_reset(void)
{
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        ak_capture::setup(*ctx);
        top = std::make_unique<Vak_ctrl>(ctx.get());
    }
    top->rst_ni = 1;
    top->eval();
    top->rst_ni = 0;
    top->eval();
    edge();
    edge();
    top->rst_ni = 1;
    edge();
    ak_capture::all().clear();
    ak_capture::first().clear();
}

extern "C" int ak_rtl_ctrl_poke(const char *flop, uint64_t value)
{
    Vak_ctrl___024root &r = *top->rootp;
    if (!std::strcmp(flop, "state"))
        r.ak_ctrl__DOT__state_q = value;
    else if (!std::strcmp(flop, "cycles"))
        r.ak_ctrl__DOT__cycles_q = value;
    else if (!std::strcmp(flop, "slots.fetch"))
        r.ak_ctrl__DOT__u_slots__DOT__fetch_q = value;
    else if (!std::strcmp(flop, "slots.qk"))
        r.ak_ctrl__DOT__u_slots__DOT__qk_q = value;
    else if (!std::strcmp(flop, "slots.sm"))
        r.ak_ctrl__DOT__u_slots__DOT__sm_q = value;
    else if (!std::strcmp(flop, "slots.pv"))
        r.ak_ctrl__DOT__u_slots__DOT__pv_q = value;
    else if (!std::strcmp(flop, "front.ctx_ready"))
        r.ak_ctrl__DOT__u_front__DOT__ctx_ready_q = value;
    else if (!std::strcmp(flop, "front.front"))
        r.ak_ctrl__DOT__u_front__DOT__front_q = value;
    else if (!std::strcmp(flop, "prune.kf_n"))
        r.ak_ctrl__DOT__u_prune__DOT__kf_n_q = value;
    else
        return -1;
    return 0;
}

extern "C" void ak_rtl_ctrl_beat(unsigned tag, int last)
{
    top->beat_valid_i = 1;
    top->beat_tag_i = tag;
    top->beat_last_i = last;
}

extern "C" const char *ak_rtl_ctrl_edge(void)
{
    edge();
    top->beat_valid_i = 0;
    top->beat_last_i = 0;
    return ak_capture::all().c_str();
}
