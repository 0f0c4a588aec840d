// The Verilated ak_topk behind the C API of rtl_units.h: reset once, then per call start a job
// and serve its passes (the n scores streamed in index order, a beat a cycle, from the cycle
// after each pass request), collect the keep flags of the select pass and time the job.
#include "rtl_units.h"

#include <memory>

#include "Vak_topk.h"
#include "attnkit/hw_params.h"
#include "verilated.h"

namespace {
constexpr unsigned kLanes = AK_BEAT_BYTES / 4; // 32-bit scores a beat
std::unique_ptr<VerilatedContext> ctx;
std::unique_ptr<Vak_topk> top;

void tick()
{
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
}

// Beat b of the scores onto the input lanes (lanes past n zero: the unit must ignore them).
void put_beat(const uint32_t *score, uint32_t n, uint32_t b)
{
    for (unsigned l = 0; l < kLanes; l++) {
        const uint64_t i = static_cast<uint64_t>(b) * kLanes + l;
        top->beat_i[l] = i < n ? score[i] : 0xffffffffu; // an invalid lane looks like a winner
    }
}
} // namespace

extern "C" unsigned ak_rtl_topk(const uint32_t *score, uint32_t n, uint32_t k, uint8_t *keep,
                                unsigned *passes)
{
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        top = std::make_unique<Vak_topk>(ctx.get());
        top->start_i = 0;
        top->abort_i = 0;
        top->beat_valid_i = 0;
        top->rst_ni = 0;
        tick();
        top->rst_ni = 1;
        tick();
    }
    for (uint32_t i = 0; i < n; i++)
        keep[i] = 0;
    const uint32_t beats = (n + kLanes - 1) / kLanes;
    unsigned npass = 0;
    uint32_t beat = 0;
    bool streaming = false;
    top->start_i = 1;
    top->k_i = k;
    top->n_i = n;
    top->cand_i = n;    // every entry a candidate, scores of up to 32 bits
    top->top_bit_i = 31;
    top->elig_i = (1u << kLanes) - 1u;
    const unsigned bound = 64u * (beats + 2) + 64;
    for (unsigned edge = 1; edge <= bound; edge++) {
        top->beat_valid_i = streaming;
        if (streaming)
            put_beat(score, n, beat);
        top->eval(); // keep_o follows the beat combinationally
        if (streaming && top->select_o)
            for (unsigned l = 0; l < kLanes; l++) {
                const uint64_t i = static_cast<uint64_t>(beat) * kLanes + l;
                if (i < n)
                    keep[i] = (top->keep_o >> l) & 1u;
            }
        tick();
        top->start_i = 0;
        if (streaming && ++beat == beats)
            streaming = false;
        if (top->pass_o) { // stream from the next cycle
            npass++;
            streaming = beats > 0;
            beat = 0;
        }
        if (top->done_o) {
            top->beat_valid_i = 0;
            if (passes)
                *passes = npass;
            return edge;
        }
    }
    top->beat_valid_i = 0;
    return 0;
}
