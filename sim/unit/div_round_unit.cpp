// The Verilated ak_div_round behind the C API of rtl_units.h: reset once, then per call offer
// one request, clock until the result is valid (counting cycles), and take it.
#include "rtl_units.h"

#include <memory>

#include "Vak_div_round.h"
#include "verilated.h"

namespace {
std::unique_ptr<VerilatedContext> ctx;
std::unique_ptr<Vak_div_round> top;

void tick()
{
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
}
} // namespace

extern "C" int32_t ak_rtl_div_round(int64_t acc, uint64_t l, unsigned *latency)
{
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        top = std::make_unique<Vak_div_round>(ctx.get());
        top->rst_ni = 0;
        tick();
        top->rst_ni = 1;
        tick();
    }
    const uint64_t mask = (UINT64_C(1) << 48) - 1;
    top->acc_i = static_cast<uint64_t>(acc) & mask;
    top->sum_i = l & mask;
    top->in_valid_i = 1;
    top->out_ready_i = 0;
    top->eval();
    while (!top->in_ready_o)
        tick();
    tick(); /* the accepting edge */
    top->in_valid_i = 0;
    unsigned cycles = 0;
    for (; !top->out_valid_o && cycles < 1000; cycles++)
        tick();
    *latency = cycles;
    const uint32_t raw = top->q_o; /* 24-bit two's complement */
    const int32_t q = (raw & 0x800000u) ? static_cast<int32_t>(raw | 0xff000000u) : static_cast<int32_t>(raw);
    top->out_ready_i = 1;
    tick();
    top->out_ready_i = 0;
    return q;
}
