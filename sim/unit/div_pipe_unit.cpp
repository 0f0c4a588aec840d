// The Verilated ak_div_pipe behind the C API of rtl_units.h: reset once, then per call stream
// the inputs into the pipeline one a cycle (a bubble where valid is 0), clock until every
// result is out and the pipeline has been quiet for as long again, and time each result.
#include "rtl_units.h"

#include <memory>
#include <vector>

#include "Vak_div_pipe.h"
#include "verilated.h"

namespace {
std::unique_ptr<VerilatedContext> ctx;
std::unique_ptr<Vak_div_pipe> top;

void tick()
{
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
}
} // namespace

extern "C" unsigned ak_rtl_div_pipe(unsigned n, const ak_rtl_div_in *in, int32_t *q,
                                    unsigned *edges)
{
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        top = std::make_unique<Vak_div_pipe>(ctx.get());
        top->valid_i = 0;
        top->rst_ni = 0;
        tick();
        top->rst_ni = 1;
        tick();
    }
    const uint64_t mask = (UINT64_C(1) << 48) - 1;
    std::vector<unsigned> taken_edge, taken_input; // per accepted input, in order
    unsigned out = 0, quiet = 0;
    // edge e (from 1) takes input e - 1; a result seen after edge e of the input taken at edge
    // s took e - s + 1 edges (the taking edge included)
    for (unsigned edge = 1; quiet < 64; edge++) {
        const bool feed = edge <= n;
        top->valid_i = feed && in[edge - 1].valid;
        if (feed) {
            top->zero_i = in[edge - 1].zero;
            top->acc_i = static_cast<uint64_t>(in[edge - 1].acc) & mask;
            top->sum_i = in[edge - 1].l & mask;
            if (in[edge - 1].valid) {
                taken_edge.push_back(edge);
                taken_input.push_back(edge - 1);
            }
        }
        tick();
        quiet = feed || top->valid_o ? 0 : quiet + 1;
        if (top->valid_o) {
            if (out < taken_input.size()) { /* a result without an input is counted, not stored */
                const uint32_t raw = top->q_o; /* 24-bit two's complement */
                const unsigned i = taken_input[out];
                q[i] = (raw & 0x800000u) ? static_cast<int32_t>(raw | 0xff000000u)
                                         : static_cast<int32_t>(raw);
                edges[i] = edge - taken_edge[out] + 1;
            }
            out++;
        }
    }
    top->valid_i = 0;
    return out;
}
