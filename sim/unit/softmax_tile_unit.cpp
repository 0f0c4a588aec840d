// The Verilated ak_softmax_tile behind the C API of rtl_units.h: packs the 16 logits into the
// flat 384-bit port, unpacks the 16 probabilities from the 336-bit one.
#include "rtl_units.h"

#include <memory>

#include "Vak_softmax_tile.h"
#include "verilated.h"

namespace {
constexpr unsigned kLogitBits = 24, kProbBits = 21, kMBits = 13;

// bits [at, at + width) of a wide port, as 32-bit words
template <typename W> void put(W &wide, unsigned at, unsigned width, uint32_t v)
{
    for (unsigned b = 0; b < width; b++) {
        const unsigned bit = at + b, w = bit / 32, o = bit % 32;
        wide[w] = (wide[w] & ~(1u << o)) | (((v >> b) & 1u) << o);
    }
}
template <typename W> uint32_t get(const W &wide, unsigned at, unsigned width)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < width; b++) {
        const unsigned bit = at + b;
        v |= ((wide[bit / 32] >> (bit % 32)) & 1u) << b;
    }
    return v;
}
int32_t sext(uint32_t v, unsigned bits)
{
    const uint32_t sign = 1u << (bits - 1);
    return static_cast<int32_t>((v ^ sign) - sign);
}
} // namespace

extern "C" void ak_rtl_softmax_tile(const ak_rtl_row *in, unsigned n, const int32_t logit[16],
                                    ak_rtl_row *out, unsigned *delta, uint32_t p[16])
{
    static std::unique_ptr<VerilatedContext> ctx;
    static std::unique_ptr<Vak_softmax_tile> top;
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        top = std::make_unique<Vak_softmax_tile>(ctx.get());
    }
    top->has_max_i = in->has_max ? 1 : 0;
    top->m_i = static_cast<uint32_t>(in->m) & ((1u << kMBits) - 1);
    top->l_i = in->l;
    top->n_i = n;
    for (unsigned j = 0; j < 16; j++)
        put(top->logit_i, j * kLogitBits, kLogitBits,
            static_cast<uint32_t>(logit[j]) & ((1u << kLogitBits) - 1));
    top->eval();
    out->has_max = top->has_max_o;
    out->m = sext(top->m_o, kMBits);
    out->l = top->l_o;
    *delta = top->delta_o;
    for (unsigned j = 0; j < 16; j++)
        p[j] = get(top->p_o, j * kProbBits, kProbBits);
}
