// Force-included (-include, sim/sim.mk) into every C++ file of the Verilated ak_top and of
// Verilator's runtime built with it: Verilator's messages (an assertion's $fatal/$error text,
// its own notes) go through VL_PRINTF, which this points at ak_vl_printf (ak_sim.cpp). That
// writes them to stderr, never stdout (which may carry `attnkit sim --json`), and records the
// first "AK_ASSERT <name>" of the simulation that is being clocked.
#ifndef AK_VL_PRINT_H
#define AK_VL_PRINT_H

#define VL_PRINTF ak_vl_printf
int ak_vl_printf(const char *fmt, ...);

#endif
