// The Verilated ak_pv_acc (Cols = 16) behind the C API of rtl_units.h: 16 48-bit accumulators,
// 16 21-bit probabilities and 16 x 16 int8 values packed into flat ports.
#include "rtl_units.h"

#include <memory>

#include "Vak_pv_acc.h"
#include "verilated.h"

namespace {
template <typename W> void put(W &wide, unsigned at, unsigned width, uint64_t v)
{
    for (unsigned b = 0; b < width; b++) {
        const unsigned bit = at + b, w = bit / 32, o = bit % 32;
        wide[w] = (wide[w] & ~(1u << o)) | (static_cast<uint32_t>((v >> b) & 1u) << o);
    }
}
template <typename W> uint64_t get(const W &wide, unsigned at, unsigned width)
{
    uint64_t v = 0;
    for (unsigned b = 0; b < width; b++) {
        const unsigned bit = at + b;
        v |= static_cast<uint64_t>((wide[bit / 32] >> (bit % 32)) & 1u) << b;
    }
    return v;
}
} // namespace

extern "C" void ak_rtl_pv_acc(int64_t acc[16], unsigned delta, const uint32_t p[16],
                              const int8_t v[16][16])
{
    static std::unique_ptr<VerilatedContext> ctx;
    static std::unique_ptr<Vak_pv_acc> top;
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        top = std::make_unique<Vak_pv_acc>(ctx.get());
    }
    for (unsigned c = 0; c < 16; c++)
        put(top->acc_i, c * 48, 48, static_cast<uint64_t>(acc[c]));
    top->delta_i = delta;
    for (unsigned j = 0; j < 16; j++)
        put(top->p_i, j * 21, 21, p[j]);
    for (unsigned j = 0; j < 16; j++)
        for (unsigned c = 0; c < 16; c++)
            put(top->v_i, (j * 16 + c) * 8, 8, static_cast<uint8_t>(v[j][c]));
    top->eval();
    for (unsigned c = 0; c < 16; c++) {
        const uint64_t raw = get(top->acc_o, c * 48, 48);
        const uint64_t sign = UINT64_C(1) << 47;
        acc[c] = static_cast<int64_t>((raw ^ sign) - sign);
    }
}
