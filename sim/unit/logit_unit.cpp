// The Verilated ak_logit behind the C API of rtl_units.h.
#include "rtl_units.h"

#include <memory>

#include "Vak_logit.h"
#include "verilated.h"

extern "C" int32_t ak_rtl_logit(int32_t s, uint32_t mult, unsigned shift)
{
    static std::unique_ptr<VerilatedContext> ctx;
    static std::unique_ptr<Vak_logit> top;
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        top = std::make_unique<Vak_logit>(ctx.get());
    }
    top->s_i = static_cast<uint32_t>(s) & 0x7fffffu; /* 23-bit two's complement */
    top->mult_i = mult;
    top->shift_i = shift;
    top->eval();
    const uint32_t raw = top->l_o; /* 24-bit two's complement */
    return (raw & 0x800000u) ? static_cast<int32_t>(raw | 0xff000000u) : static_cast<int32_t>(raw);
}
