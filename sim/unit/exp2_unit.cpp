// The Verilated ak_exp2 behind the C API of rtl_units.h: construct once, set the input,
// evaluate, read the output.
#include "rtl_units.h"

#include <memory>

#include "Vak_exp2.h"
#include "verilated.h"

extern "C" uint32_t ak_rtl_exp2(uint32_t a)
{
    static std::unique_ptr<VerilatedContext> ctx;
    static std::unique_ptr<Vak_exp2> top;
    if (!top) {
        ctx = std::make_unique<VerilatedContext>();
        top = std::make_unique<Vak_exp2>(ctx.get());
    }
    top->a_i = a;
    top->eval();
    return top->p_o;
}
