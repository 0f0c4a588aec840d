/* The cycle model's quiet-cycle skip (refmodel/src/cycle_model.c) against stepping every
 * cycle: on seeded random jobs (shape, mask, hardware and memory parameters) both must give
 * the same report, field by field, and the same per-head end cycles. The RTL check of the
 * model (tests/test_sim.c; the debug mode's, tests/test_sim_ofx.c) holds the stepped model to
 * the hardware; this one holds the skip to the stepped model over many more jobs than the RTL
 * could run, a third of them in the debug mode (an o_fx region: o_fx tiles written after the
 * int8 ones). Seed and count: AK_CYCLE_SKIP_SEED, AK_CYCLE_SKIP_CONFIGS. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "cycle_model_int.h"

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *s = getenv(name);
    return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static uint32_t pick(ak_rng *r, const uint32_t *v, uint32_t n)
{
    return v[ak_rng_below(r, n)];
}

/* One random job's reports both ways; returns 1 if they are equal (and says how if not). */
static int one_job(ak_rng *r, uint64_t index, uint64_t *skipped_cycles)
{
    static const uint32_t rows_v[] = {16, 32, 64}, d_v[] = {32, 64, 128},
                          block_v[] = {16, 32, 64, 128}, bw_v[] = {64, 64, 64, 32, 48, 17},
                          lat_v[] = {1, 2, 7, 20, 20, 63};
    ak_hw_config hw;
    ak_mem_timing mt;
    ak_hw_config_default(&hw);
    ak_mem_timing_default(&mt);
    hw.rows = pick(r, rows_v, 3);
    hw.rd_outstanding = 1u << ak_rng_below(r, 4);
    hw.max_burst = ak_rng_below(r, 3) ? 64 : 1 + ak_rng_below(r, 16);
    mt.latency = pick(r, lat_v, 6);
    mt.bytes_per_cycle = pick(r, bw_v, 6);
    mt.max_reads = 1 + ak_rng_below(r, 16);
    mt.max_writes = 1 + ak_rng_below(r, 64);
    mt.wbuf_beats = ak_rng_below(r, 2) ? 256 : 1 + ak_rng_below(r, 32);
    uint32_t block = pick(r, block_v, 4);
    while (block < hw.rows)
        block *= 2;
    const uint32_t d = pick(r, d_v, 3), heads = 1 + ak_rng_below(r, 3);
    const uint32_t nq = 1 + ak_rng_below(r, 300), nk = 1 + ak_rng_below(r, 300);
    const uint32_t mheads = ak_rng_below(r, 2) ? heads : 1;
    const uint32_t qb = (nq + block - 1) / block, kb = (nk + block - 1) / block;
    uint8_t *bitmap = malloc((size_t)mheads * qb * kb);
    if (!bitmap)
        return 0;
    const uint32_t density = ak_rng_below(r, 101); /* percent of blocks kept */
    for (size_t i = 0; i < (size_t)mheads * qb * kb; i++)
        bitmap[i] = ak_rng_below(r, 100) < density;
    ak_mask m;
    const char *why = NULL;
    const int causal = ak_rng_below(r, 3) == 0;
    int ok = ak_mask_from_bitmap(nq, nk, block, mheads, causal, bitmap, &m, &why) == AK_OK;
    free(bitmap);
    ak_job_layout lay;
    ok = ok && ak_job_layout_plan_shape(heads, nq, nk, d, &m, 1u << 20, &lay) == AK_OK;
    /* one job in three in the debug mode: o_fx tiles written after the int8 ones */
    const int ofx = ak_rng_below(r, 3) == 0;
    ok = ok && (!ofx || ak_job_layout_add_ofx(&lay, heads, nq, d) == AK_OK);
    if (!ok) {
        printf("\n  job %" PRIu64 ": could not build the job (%s)\n", index, why ? why : "layout");
        return 0;
    }
    ak_cycle_report rs = {0}, rf = {0};
    uint64_t es[3] = {0}, ef[3] = {0};
    const ak_status ss = ak_cm_run(&hw, &mt, heads, nq, nk, d, &m, &lay, &rs, es, &why, 0);
    const ak_status sf = ak_cm_run(&hw, &mt, heads, nq, nk, d, &m, &lay, &rf, ef, &why, 1);
    ak_mask_free(&m);
    const int same = ss == sf && rs.cycles == rf.cycles && rs.stall_cycles == rf.stall_cycles &&
                     rs.macs == rf.macs && rs.read_bytes == rf.read_bytes &&
                     rs.write_bytes == rf.write_bytes && rs.records == rf.records &&
                     rs.slots == rf.slots && memcmp(es, ef, sizeof es) == 0;
    if (!same)
        printf("\n  job %" PRIu64 " (rows %u burst %u outstanding %u, latency %u bw %u reads %u "
               "writes %u wbuf %u; heads %u nq %u nk %u d %u block %u mask heads %u causal %d "
               "density %u%%%s): stepped %" PRIu64 " cycles %" PRIu64 " stalls %" PRIu64
               " MACs %" PRIu64 "/%" PRIu64 " bytes, skipped %" PRIu64 " cycles %" PRIu64
               " stalls %" PRIu64 " MACs %" PRIu64 "/%" PRIu64 " bytes\n",
               index, hw.rows, hw.max_burst, hw.rd_outstanding, mt.latency,
               mt.bytes_per_cycle, mt.max_reads, mt.max_writes, mt.wbuf_beats, heads, nq, nk, d,
               block, mheads, causal, density, ofx ? ", o_fx written" : "", rs.cycles, rs.stall_cycles, rs.macs,
               rs.read_bytes, rs.write_bytes, rf.cycles, rf.stall_cycles, rf.macs,
               rf.read_bytes, rf.write_bytes);
    *skipped_cycles += rs.cycles;
    return same && ss == AK_OK;
}

static void test_skip_equals_stepping(void)
{
    const uint64_t seed = env_u64("AK_CYCLE_SKIP_SEED", 20261202);
    const uint64_t count = env_u64("AK_CYCLE_SKIP_CONFIGS", 1500);
    printf("\n  random jobs: AK_CYCLE_SKIP_SEED=%" PRIu64 " AK_CYCLE_SKIP_CONFIGS=%" PRIu64 "\n",
           seed, count);
    ak_rng r;
    ak_rng_seed(&r, seed);
    uint64_t fails = 0, cycles = 0;
    for (uint64_t i = 0; i < count && fails < 5; i++)
        fails += !one_job(&r, i, &cycles);
    printf("  %" PRIu64 " jobs, %" PRIu64 " cycles in all\n", count, cycles);
    CU_ASSERT_EQUAL(fails, 0);
}

/* A real layer, DeiT-Base's first (197 tokens, 12 heads, d 64, dense, block 64): the same
 * counts both ways. */
static void test_dense_layer(void)
{
    ak_hw_config hw;
    ak_mem_timing mt;
    ak_hw_config_default(&hw);
    ak_mem_timing_default(&mt);
    const ak_pattern dense = {.kind = AK_PATTERN_DENSE};
    ak_mask m;
    const char *why = NULL;
    CU_ASSERT_EQUAL_FATAL(ak_mask_build(&dense, 197, 197, 64, 1, NULL, NULL, 64, &m, &why), AK_OK);
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_plan_shape(12, 197, 197, 64, &m, 1u << 20, &lay), AK_OK);
    ak_cycle_report rs, rf;
    CU_ASSERT_EQUAL(ak_cm_run(&hw, &mt, 12, 197, 197, 64, &m, &lay, &rs, NULL, &why, 0), AK_OK);
    CU_ASSERT_EQUAL(ak_cm_run(&hw, &mt, 12, 197, 197, 64, &m, &lay, &rf, NULL, &why, 1), AK_OK);
    CU_ASSERT_EQUAL(rs.cycles, rf.cycles);
    CU_ASSERT_EQUAL(rs.macs, rf.macs);
    CU_ASSERT_EQUAL(rs.write_bytes, rf.write_bytes);
    ak_mask_free(&m);
}

int ak_test_register(void)
{
    return AK_SUITE("cycle model skip", {"skipping quiet cycles equals stepping them", test_skip_equals_stepping},
                    {"a dense DeiT-Base layer", test_dense_layer});
}
