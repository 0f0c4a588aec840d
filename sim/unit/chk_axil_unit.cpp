// The Verilated ak_chk_axil (the AXI4-Lite slave checker) behind the C API of rtl_units.h:
// each call drives one cycle of the channels' signals and clocks one edge; the first assertion
// that failed (by name) is kept until the next reset.
#include "rtl_units.h"

#include <memory>

#include "Vak_chk_axil.h"
#include "assert_capture.h"
#include "verilated.h"

namespace {
std::unique_ptr<VerilatedContext> ctx;
std::unique_ptr<Vak_chk_axil> top;

void edge()
{
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
}
} // namespace

extern "C" void ak_rtl_chk_axil_reset(void)
{
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        ak_capture::setup(*ctx);
        top = std::make_unique<Vak_chk_axil>(ctx.get());
    }
    const ak_rtl_axil_sig idle = {};
    top->rst_ni = 1;
    top->eval();
    top->rst_ni = 0;
    top->eval();
    ak_rtl_chk_axil_cycle(&idle);
    ak_rtl_chk_axil_cycle(&idle);
    top->rst_ni = 1;
    ak_rtl_chk_axil_cycle(&idle);
    ak_capture::first().clear();
}

extern "C" const char *ak_rtl_chk_axil_cycle(const ak_rtl_axil_sig *s)
{
    Vak_chk_axil &t = *top;
    t.awvalid_i = s->awvalid;
    t.awready_i = s->awready;
    t.wvalid_i = s->wvalid;
    t.wready_i = s->wready;
    t.bvalid_i = s->bvalid;
    t.bready_i = s->bready;
    t.bresp_i = s->bresp;
    t.arvalid_i = s->arvalid;
    t.arready_i = s->arready;
    t.rvalid_i = s->rvalid;
    t.rready_i = s->rready;
    t.rdata_i = s->rdata;
    t.rresp_i = s->rresp;
    edge();
    return ak_capture::first().c_str();
}
