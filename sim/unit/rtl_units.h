/* C API over Verilated RTL units, for unit benches written in C (tests/rtl/). Each function
 * evaluates one combinational unit on one input; the Verilated model is built on first use. */
#ifndef ATTNKIT_RTL_UNITS_H
#define ATTNKIT_RTL_UNITS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* rtl/ak_exp2.sv: p for a (0 <= a < 2^25). */
uint32_t ak_rtl_exp2(uint32_t a);

#ifdef __cplusplus
}
#endif

#endif
