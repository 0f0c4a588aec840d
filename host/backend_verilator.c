/* The driver's Verilator backend: the ak_backend function table over sim/verilator/ak_sim.h
 * (the Verilated ak_top with the AXI4 memory model; the memory window is the model's memory
 * from device address 0). */
#include <stddef.h>
#include <stdio.h>

#include "attnkit/desc_regions.h"
#include "backend_verilator.h"
#include "verilator/ak_sim.h"

static ak_status csr_read(void *ctx, uint32_t addr, uint32_t *data)
{
    return ak_sim_csr_read(ctx, addr, data);
}

static ak_status csr_write(void *ctx, uint32_t addr, uint32_t data)
{
    return ak_sim_csr_write(ctx, addr, data);
}

static ak_status mem_write(void *ctx, uint64_t addr, const void *src, uint64_t n)
{
    return ak_sim_mem_write(ctx, addr, src, n);
}

static ak_status mem_read(void *ctx, uint64_t addr, void *dst, uint64_t n)
{
    return ak_sim_mem_read(ctx, addr, dst, n);
}

static ak_status wait_irq(void *ctx, uint64_t max_cycles, uint64_t *cycles)
{
    return ak_sim_run_until_irq(ctx, max_cycles, cycles);
}

/* the job's cycle 0; the accelerator's writes to o and the pruning regions after it timed */
static void job_begin(void *ctx, const ak_job_layout *lay)
{
    ak_sim_job_begin(ctx, lay->o, lay->end > lay->o ? lay->end - lay->o : 0);
}

/* DMA confinement: the regions the descriptor names, from the memory the job was written to */
static ak_status read_mem(void *ctx, uint64_t addr, void *dst, uint64_t n)
{
    return ak_sim_mem_read(ctx, addr, dst, n);
}

ak_status ak_backend_verilator_confine(ak_sim *s, uint64_t desc_addr)
{
    ak_region_set set;
    ak_mem_region r[AK_MEM_MAX_REGIONS];
    ak_status st = ak_desc_regions(desc_addr, read_mem, s, &set);
    for (unsigned i = 0; st == AK_OK && i < set.n && i < AK_MEM_MAX_REGIONS; i++)
        r[i] = (ak_mem_region){.first = set.r[i].first, .last = set.r[i].last,
                               .write = set.r[i].write};
    if (st == AK_OK)
        st = ak_sim_set_dma_regions(s, r, set.n < AK_MEM_MAX_REGIONS ? set.n : AK_MEM_MAX_REGIONS);
    return st;
}

static void dma_begin(void *ctx, uint64_t desc_addr)
{
    ak_backend_verilator_confine(ctx, desc_addr);
}

int ak_backend_verilator_dma_text(ak_sim *s, char *msg, size_t len)
{
    ak_mem_violation v;
    if (!ak_sim_dma_violation(s, &v))
        return 0;
    if (msg && len)
        snprintf(msg, len, "DMA outside the job: %s 0x%llx (+%llu bytes) at job cycle %llu"
                 " (%llu bursts outside)", v.write ? "write" : "read",
                 (unsigned long long)v.addr, (unsigned long long)v.bytes,
                 (unsigned long long)v.cycle, (unsigned long long)v.count);
    return 1;
}

static ak_status dma_check(void *ctx, char *msg, size_t len)
{
    return ak_backend_verilator_dma_text(ctx, msg, len) ? AK_EDMA : AK_OK;
}

/* "RTL assertion NAME failed at job cycle N: its message" */
static void assert_msg(void *ctx, char *buf, size_t len)
{
    ak_sim_assert_info ai;
    if (!buf || !len)
        return;
    if (!ak_sim_assert_failure(ctx, &ai))
        snprintf(buf, len, "verilator: no RTL assertion failed");
    else if (ai.job)
        snprintf(buf, len, "RTL assertion %s failed at job cycle %llu: %s", ai.name,
                 (unsigned long long)ai.job_cycle, ai.text);
    else
        snprintf(buf, len, "RTL assertion %s failed at clock cycle %llu, before any job: %s",
                 ai.name, (unsigned long long)ai.cycle, ai.text);
}

static void close_sim(void *ctx)
{
    ak_sim_close(ctx);
}

ak_status ak_backend_verilator_open(const ak_verilator_opts *o, ak_backend *out, char *err,
                                    size_t errlen)
{
    if (!out)
        return AK_EINVAL;
    const ak_sim_config cfg = {.mem_bytes = o ? o->mem_bytes : 0,
                               .latency = o ? o->latency : 0,
                               .jitter_seed = o ? o->jitter_seed : 0,
                               .bytes_per_cycle = o ? o->bytes_per_cycle : 0,
                               .wave = o ? o->wave : NULL,
                               .wave_window = o ? o->wave_window : 0,
                               .wave_from = o ? o->wave_from : 0,
                               .wave_to = o ? o->wave_to : 0,
                               .wave_limit = o ? o->wave_limit : 0,
                               .x_seed = o ? o->x_seed : 0};
    ak_sim *s = NULL;
    ak_status st = ak_sim_open(&cfg, &s);
    if (st != AK_OK && err && errlen) {
        if (st == AK_EIO)
            snprintf(err, errlen, "verilator: cannot open the waveform file %s", o->wave);
        else if (st == AK_EASSERT)
            assert_msg(s, err, errlen);
        else if (st == AK_EINVAL)
            snprintf(err, errlen, "verilator: x_seed %u: 0..2147483647", o ? o->x_seed : 0u);
        else
            snprintf(err, errlen, "verilator: %s", ak_strerror(st));
    }
    if (st != AK_OK) {
        ak_sim_close(s);
        return st;
    }
    const ak_sim_config *c = ak_sim_get_config(s);
    /* worst case of a jittered burst: latency + 2 x latency extra, plus backpressure; a slower
       memory stretches every transfer */
    const uint64_t slow = c->bytes_per_cycle ? (64 + c->bytes_per_cycle - 1) / c->bytes_per_cycle : 1;
    *out = (ak_backend){.name = "verilator",
                        .ctx = s,
                        .mem_base = 0,
                        .mem_size = ak_sim_mem_size(s),
                        .mem_latency = (c->jitter_seed ? 4ull : 1ull) * c->latency * slow,
                        .csr_read = csr_read,
                        .csr_write = csr_write,
                        .mem_write = mem_write,
                        .mem_read = mem_read,
                        .wait_irq = wait_irq,
                        .close = close_sim,
                        .job_begin = job_begin,
                        .dma_begin = dma_begin,
                        .dma_check = dma_check,
                        .assert_msg = assert_msg};
    return AK_OK;
}

void ak_backend_verilator_mem_stats(const ak_backend *be, ak_mem_stats *st)
{
    ak_sim_mem_stats(be->ctx, st);
}

uint64_t ak_backend_verilator_job_start(const ak_backend *be)
{
    return ak_sim_job_start(be->ctx);
}

int ak_backend_verilator_last_write(const ak_backend *be, uint64_t addr, uint64_t *job_cycle)
{
    return ak_sim_last_write(be->ctx, addr, job_cycle);
}

uint64_t ak_backend_verilator_wait_end(const ak_backend *be)
{
    return ak_sim_wait_end(be->ctx);
}

void ak_backend_verilator_wave_info(const ak_backend *be, ak_sim_wave_info *wi)
{
    ak_sim_get_wave_info(be->ctx, wi);
}

int ak_backend_verilator_assert(const ak_backend *be, ak_sim_assert_info *ai)
{
    return ak_sim_assert_failure(be->ctx, ai);
}
