// The Verilated ak_csr behind the C API of rtl_units.h: an AXI4-Lite master that offers one
// write (AW and W together) or one read, clocks until the response, and counts the start and
// abort pulses the block drives.
#include "rtl_units.h"

#include <memory>

#include "Vak_csr.h"
#include "verilated.h"

namespace {
std::unique_ptr<VerilatedContext> ctx;
std::unique_ptr<Vak_csr> top;
unsigned starts, aborts;

void tick()
{
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
    starts += top->start_o;
    aborts += top->abort_o;
}

void ensure()
{
    if (top)
        return;
    ctx = std::make_unique<VerilatedContext>();
    top = std::make_unique<Vak_csr>(ctx.get());
    ak_rtl_csr_reset();
}
} // namespace

extern "C" void ak_rtl_csr_reset(void)
{
    if (!top) {
        ensure();
        return;
    }
    top->rst_ni = 0;
    top->s_awvalid_i = top->s_wvalid_i = top->s_arvalid_i = 0;
    top->s_bready_i = top->s_rready_i = 0;
    top->done_i = 0;
    tick();
    top->rst_ni = 1;
    tick();
    starts = aborts = 0;
}

extern "C" unsigned ak_rtl_csr_write(uint32_t addr, uint32_t data, unsigned strb)
{
    ensure();
    top->s_awaddr_i = addr;
    top->s_wdata_i = data;
    top->s_wstrb_i = strb;
    top->s_awvalid_i = top->s_wvalid_i = 1;
    top->eval();
    for (int guard = 0; !(top->s_awready_o && top->s_wready_o) && guard < 100; guard++)
        tick();
    tick(); /* accepted */
    top->s_awvalid_i = top->s_wvalid_i = 0;
    for (int guard = 0; !top->s_bvalid_o && guard < 100; guard++)
        tick();
    const unsigned resp = top->s_bresp_o;
    top->s_bready_i = 1;
    tick();
    top->s_bready_i = 0;
    top->eval();
    return resp;
}

extern "C" unsigned ak_rtl_csr_read(uint32_t addr, uint32_t *data)
{
    ensure();
    top->s_araddr_i = addr;
    top->s_arvalid_i = 1;
    top->eval();
    for (int guard = 0; !top->s_arready_o && guard < 100; guard++)
        tick();
    tick();
    top->s_arvalid_i = 0;
    for (int guard = 0; !top->s_rvalid_o && guard < 100; guard++)
        tick();
    *data = top->s_rdata_o;
    const unsigned resp = top->s_rresp_o;
    top->s_rready_i = 1;
    tick();
    top->s_rready_i = 0;
    top->eval();
    return resp;
}

extern "C" void ak_rtl_csr_hw(const ak_rtl_csr_in *in, ak_rtl_csr_out *out)
{
    ensure();
    if (in) {
        top->busy_i = in->busy;
        top->error_i = in->error;
        top->err_code_i = in->err_code;
        top->cycles_i = in->cycles;
        top->stalls_i = in->stalls;
        top->macs_i = in->macs;
        top->prune_i = in->prune;
        top->done_i = in->done_pulse;
        tick();
        top->done_i = 0;
        top->eval();
    }
    if (out) {
        out->start_pulses = starts;
        out->abort_pulses = aborts;
        out->desc_addr = top->desc_addr_o;
        out->irq = top->irq_o;
    }
}
