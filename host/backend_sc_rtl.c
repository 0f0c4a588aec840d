/* The driver's sc-rtl backend: the ak_backend function table over sim/systemc/ak_sc_rtl_sim.h
 * (the Verilated ak_top inside SystemC: CSR accesses as TLM-2.0 transactions into an
 * AXI4-Lite bridge, the AXI4 master bridged to a TLM-2.0 memory with the memory model's timing
 * on the clock edge; the memory window is the TLM memory from device address 0). */
#include <stddef.h>
#include <stdio.h>

#include "backend_sc_rtl.h"
#include "ak_sc_rtl_sim.h"

static ak_status csr_read(void *ctx, uint32_t addr, uint32_t *data)
{
    return ak_sc_rtl_csr_read(ctx, addr, data);
}

static ak_status csr_write(void *ctx, uint32_t addr, uint32_t data)
{
    return ak_sc_rtl_csr_write(ctx, addr, data);
}

static ak_status mem_write(void *ctx, uint64_t addr, const void *src, uint64_t n)
{
    return ak_sc_rtl_mem_write(ctx, addr, src, n);
}

static ak_status mem_read(void *ctx, uint64_t addr, void *dst, uint64_t n)
{
    return ak_sc_rtl_mem_read(ctx, addr, dst, n);
}

static ak_status wait_irq(void *ctx, uint64_t max_cycles, uint64_t *cycles)
{
    return ak_sc_rtl_run_until_irq(ctx, max_cycles, cycles);
}

static void close_sim(void *ctx)
{
    ak_sc_rtl_close(ctx);
}

ak_status ak_backend_sc_rtl_open(const ak_sc_rtl_opts *o, ak_backend *out, char *err,
                                 size_t errlen)
{
    if (!out)
        return AK_EINVAL;
    const ak_sc_rtl_config cfg = {.mem_bytes = o ? o->mem_bytes : 0,
                                  .latency = o ? o->latency : 0,
                                  .jitter_seed = o ? o->jitter_seed : 0,
                                  .bytes_per_cycle = o ? o->bytes_per_cycle : 0,
                                  .no_dmi = o ? o->no_dmi : 0};
    ak_sc_rtl *s = NULL;
    const ak_status st = ak_sc_rtl_open(&cfg, &s);
    if (st != AK_OK) {
        if (err && errlen)
            snprintf(err, errlen, "sc-rtl: %s",
                     st == AK_EBUSY ? "a SystemC RTL simulation is already open in this process"
                     : st == AK_ESYSTEMC ? "SystemC refused (simulation started elsewhere in this "
                                           "process, or time resolution not 1 ps)"
                                         : ak_strerror(st));
        return st;
    }
    const ak_sc_rtl_config *c = ak_sc_rtl_get_config(s);
    /* as the Verilator backend: a jittered burst's worst case, a slower memory stretches
       every transfer */
    const uint64_t slow = c->bytes_per_cycle ? (64 + c->bytes_per_cycle - 1) / c->bytes_per_cycle : 1;
    *out = (ak_backend){.name = "sc-rtl",
                        .ctx = s,
                        .mem_base = 0,
                        .mem_size = ak_sc_rtl_mem_size(s),
                        .mem_latency = (c->jitter_seed ? 4ull : 1ull) * c->latency * slow,
                        .csr_read = csr_read,
                        .csr_write = csr_write,
                        .mem_write = mem_write,
                        .mem_read = mem_read,
                        .wait_irq = wait_irq,
                        .close = close_sim};
    return AK_OK;
}

void ak_backend_sc_rtl_mem_stats(const ak_backend *be, ak_mem_stats *st)
{
    ak_sc_rtl_mem_stats(be->ctx, st);
}
