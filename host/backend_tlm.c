/* The driver's TLM backend: the ak_backend function table over sim/systemc/ak_tlm_sim.h (the
 * loosely-timed TLM-2.0 model of the accelerator in a SystemC platform with a TLM memory; the
 * memory window is that memory from device address 0). */
#include <stddef.h>
#include <stdio.h>

#include "backend_tlm.h"

static ak_status csr_read(void *ctx, uint32_t addr, uint32_t *data)
{
    return ak_tlm_csr_read(ctx, addr, data);
}

static ak_status csr_write(void *ctx, uint32_t addr, uint32_t data)
{
    return ak_tlm_csr_write(ctx, addr, data);
}

static ak_status mem_write(void *ctx, uint64_t addr, const void *src, uint64_t n)
{
    return ak_tlm_mem_write(ctx, addr, src, n);
}

static ak_status mem_read(void *ctx, uint64_t addr, void *dst, uint64_t n)
{
    return ak_tlm_mem_read(ctx, addr, dst, n);
}

static ak_status wait_irq(void *ctx, uint64_t max_cycles, uint64_t *cycles)
{
    return ak_tlm_run_until_irq(ctx, max_cycles, cycles);
}

static void close_tlm(void *ctx)
{
    ak_tlm_close(ctx);
}

ak_status ak_backend_tlm_open(const ak_tlm_opts *o, ak_backend *out, char *err, size_t errlen)
{
    if (!out)
        return AK_EINVAL;
    const ak_tlm_config cfg = {.mem_bytes = o ? o->mem_bytes : 0,
                               .latency = o ? o->latency : 0,
                               .bytes_per_cycle = o ? o->bytes_per_cycle : 0,
                               .jitter_seed = o ? o->jitter_seed : 0,
                               .clock_ps = o ? o->clock_ps : 0,
                               .threads = o ? o->threads : 0,
                               .no_dmi = o ? o->no_dmi : 0};
    ak_tlm *s = NULL;
    const ak_status st = ak_tlm_open(&cfg, &s);
    if (st != AK_OK && err && errlen)
        snprintf(err, errlen, "tlm: %s",
                 st == AK_EBUSY ? "every TLM platform of the pool is open" : ak_strerror(st));
    if (st != AK_OK)
        return st;
    const ak_tlm_config *c = ak_tlm_get_config(s);
    /* the budget's memory round trip, as for the Verilator backend */
    const uint64_t slow = (64 + c->bytes_per_cycle - 1) / c->bytes_per_cycle;
    *out = (ak_backend){.name = "tlm",
                        .ctx = s,
                        .mem_base = 0,
                        .mem_size = ak_tlm_mem_size(s),
                        .mem_latency = (c->jitter_seed ? 4ull : 1ull) * c->latency * slow,
                        .csr_read = csr_read,
                        .csr_write = csr_write,
                        .mem_write = mem_write,
                        .mem_read = mem_read,
                        .wait_irq = wait_irq,
                        .close = close_tlm};
    return AK_OK;
}

void ak_backend_tlm_stats(const ak_backend *be, ak_tlm_stats *st)
{
    ak_tlm_get_stats(be->ctx, st);
}
