/* C API over Verilated RTL units, for unit benches written in C (tests/rtl/). Each function
 * runs one unit on one input (clocked units through their handshake); the Verilated model is
 * built on first use. */
#ifndef ATTNKIT_RTL_UNITS_H
#define ATTNKIT_RTL_UNITS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* rtl/ak_exp2.sv: p for a (0 <= a < 2^25). */
uint32_t ak_rtl_exp2(uint32_t a);

/* rtl/ak_div_round.sv: o_fx for (acc, l), with the cycles from the accepting clock edge to
 * out_valid in *latency. acc is a 48-bit signed value, 0 < l < 2^48. */
int32_t ak_rtl_div_round(int64_t acc, uint64_t l, unsigned *latency);

#ifdef __cplusplus
}
#endif

#endif
