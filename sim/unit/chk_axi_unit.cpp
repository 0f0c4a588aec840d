// The Verilated ak_chk_axi (the AXI4 master checker) behind the C API of rtl_units.h: each call
// drives one cycle of the channels' signals and clocks one edge; the first assertion that
// failed (by name) is kept until the next reset.
#include "rtl_units.h"

#include <memory>

#include "Vak_chk_axi.h"
#include "assert_capture.h"
#include "verilated.h"

namespace {
std::unique_ptr<VerilatedContext> ctx;
std::unique_ptr<Vak_chk_axi> top;

void edge()
{
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
}
} // namespace

extern "C" void ak_rtl_chk_axi_reset(void)
{
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        ak_capture::setup(*ctx);
        top = std::make_unique<Vak_chk_axi>(ctx.get());
    }
    const ak_rtl_axi_sig idle = {};
    top->rst_ni = 1;
    top->eval();
    top->rst_ni = 0;
    top->eval();
    ak_rtl_chk_axi_cycle(&idle);
    ak_rtl_chk_axi_cycle(&idle);
    top->rst_ni = 1;
    ak_rtl_chk_axi_cycle(&idle);
    ak_capture::first().clear();
}

extern "C" const char *ak_rtl_chk_axi_cycle(const ak_rtl_axi_sig *s)
{
    Vak_chk_axi &t = *top;
    t.arvalid_i = s->arvalid;
    t.arready_i = s->arready;
    t.araddr_i = s->araddr;
    t.arlen_i = s->arlen;
    t.arsize_i = s->arsize;
    t.arburst_i = s->arburst;
    t.rvalid_i = s->rvalid;
    t.rready_i = s->rready;
    t.rlast_i = s->rlast;
    t.awvalid_i = s->awvalid;
    t.awready_i = s->awready;
    t.awaddr_i = s->awaddr;
    t.awlen_i = s->awlen;
    t.awsize_i = s->awsize;
    t.awburst_i = s->awburst;
    t.wvalid_i = s->wvalid;
    t.wready_i = s->wready;
    for (int w = 0; w < AK_RTL_BEAT_WORDS; w++)
        t.wdata_i[w] = s->wdata[w];
    t.wstrb_i = s->wstrb;
    t.wlast_i = s->wlast;
    t.bvalid_i = s->bvalid;
    t.bready_i = s->bready;
    edge();
    return ak_capture::first().c_str();
}
