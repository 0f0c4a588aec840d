/* The whole accelerator (rtl/ak_top.sv, Verilated) driven by the host driver, and the AXI4
 * memory model on its own:
 * - mem_model: latency, in-order bursts, the outstanding limit, SLVERR, early write data and
 *   strobes, protocol checks, and a random master against seeded jitter;
 * - driver: ID and numerics-version checks on open (a fake backend);
 * - sim: every golden vector set through `attnkit sim` (zero mismatches against o.npy, also
 *   with a jittered memory); >= 100 seeded random jobs (heads, ragged nq != nk, d, block,
 *   every mask pattern) bit for bit against ak_attention; illegal descriptors giving the right
 *   ERR code, each followed by a good job; a hang reported within a 10-cycle budget; FST, its
 *   window of job cycles and its size cap; a real output mismatch's failure_cycle.
 * AK_SIM_SEED and AK_SIM_CONFIGS override the random run (it prints both to reproduce). */
#define _POSIX_C_SOURCE 200809L
#include <cJSON.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ak_driver.h"
#include "attnkit/cycle_model.h"
#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "attnkit_desc.h"
#include "attnkit_err.h"
#include "mem_model.h"
#include "sim_jobs.h"
#include "verilator/ak_sim.h"

/* ---- memory model ----------------------------------------------------------------------- */

static ak_mem *mem_new(uint64_t size, uint32_t latency, uint64_t jitter)
{
    const ak_mem_config c = {.size = size, .latency = latency, .jitter_seed = jitter};
    ak_mem *m = NULL;
    CU_ASSERT_EQUAL_FATAL(ak_mem_create(&c, &m), AK_OK);
    uint8_t *img = malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    for (uint64_t i = 0; i < size; i++)
        img[i] = (uint8_t)(i * 7 + (i >> 8));
    CU_ASSERT_EQUAL(ak_mem_write(m, 0, img, size), AK_OK);
    free(img);
    return m;
}

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 7 + (i >> 8));
}

static void ar(ak_axi_m2s *in, uint64_t addr, uint8_t len)
{
    in->arvalid = 1;
    in->araddr = addr;
    in->arlen = len;
    in->arsize = 6;
    in->arburst = 1;
}

static void test_mem_read_timing(void)
{
    ak_mem *m = mem_new(8192 + 96, 5, 0); /* ends inside a 4 KB page */
    ak_axi_m2s in = {0};
    ak_axi_s2m o;
    ar(&in, 128, 3);
    in.rready = 1;
    unsigned beats = 0, first = 0;
    for (unsigned cyc = 0; cyc < 20; cyc++) {
        ak_mem_drive(m, &o);
        if (cyc == 0)
            CU_ASSERT(o.arready);
        if (o.rvalid) {
            first = beats ? first : cyc;
            CU_ASSERT_EQUAL(cyc, 5 + beats); /* latency 5, then a beat a cycle */
            CU_ASSERT_EQUAL(o.rresp, AK_MEM_RESP_OKAY);
            CU_ASSERT_EQUAL(o.rlast, beats == 3);
            CU_ASSERT_EQUAL(o.rdata[0], pattern(128 + 64 * beats));
            CU_ASSERT_EQUAL(o.rdata[63], pattern(128 + 64 * beats + 63));
            beats++;
        }
        ak_mem_tick(m, &in);
        in.arvalid = 0;
    }
    CU_ASSERT_EQUAL(first, 5);
    CU_ASSERT_EQUAL(beats, 4);
    /* out of range: the second beat answers SLVERR */
    ar(&in, 8192, 1);
    unsigned resp[2] = {9, 9};
    beats = 0;
    for (unsigned cyc = 0; cyc < 20; cyc++) {
        ak_mem_drive(m, &o);
        if (o.rvalid && beats < 2)
            resp[beats++] = o.rresp;
        ak_mem_tick(m, &in);
        in.arvalid = 0;
    }
    CU_ASSERT_EQUAL(resp[0], AK_MEM_RESP_OKAY);
    CU_ASSERT_EQUAL(resp[1], AK_MEM_RESP_SLVERR);
    ak_mem_stats st;
    ak_mem_get_stats(m, &st);
    CU_ASSERT_EQUAL(st.read_beats, 6);
    CU_ASSERT_EQUAL(st.slverr_beats, 1);
    CU_ASSERT_EQUAL(st.protocol_errors, 0);
    /* at most 16 read bursts outstanding: arready drops for the 17th */
    unsigned accepted = 0;
    in.rready = 0;
    for (unsigned cyc = 0; cyc < 40; cyc++) {
        ar(&in, 0, 0);
        ak_mem_drive(m, &o);
        accepted += o.arready;
        ak_mem_tick(m, &in);
    }
    CU_ASSERT_EQUAL(accepted, AK_MEM_MAX_READS);
    CU_ASSERT_EQUAL(ak_mem_outstanding(m), AK_MEM_MAX_READS);
    ak_mem_destroy(m);
}

static void test_mem_write_and_checks(void)
{
    ak_mem *m = mem_new(8192, 4, 0);
    ak_axi_m2s in = {0};
    ak_axi_s2m o;
    /* W before AW, even bytes strobed; B 4 cycles after the data meets its AW (cycle 2) */
    in.wvalid = in.wlast = 1;
    memset(in.wdata, 0xEE, sizeof in.wdata);
    in.wstrb = 0x5555555555555555ull;
    unsigned b_at = 0;
    for (unsigned cyc = 0; cyc < 12; cyc++) {
        if (cyc == 2) {
            in.awvalid = 1;
            in.awaddr = 256;
            in.awsize = 6;
            in.awburst = 1;
        }
        in.bready = 1;
        ak_mem_drive(m, &o);
        if (o.bvalid && !b_at) {
            b_at = cyc;
            CU_ASSERT_EQUAL(o.bresp, AK_MEM_RESP_OKAY);
        }
        ak_mem_tick(m, &in);
        in.wvalid = 0; /* taken at cycle 0 */
        if (cyc == 2)
            in.awvalid = 0;
    }
    CU_ASSERT_EQUAL(b_at, 6);
    uint8_t got[4];
    CU_ASSERT_EQUAL(ak_mem_read(m, 256, got, 4), AK_OK);
    CU_ASSERT_EQUAL(got[0], 0xEE);
    CU_ASSERT_EQUAL(got[1], pattern(257));
    CU_ASSERT_EQUAL(got[2], 0xEE);
    CU_ASSERT_EQUAL(ak_mem_read(m, 8190, got, 4), AK_ERANGE);
    ak_mem_stats st;
    ak_mem_get_stats(m, &st);
    CU_ASSERT_EQUAL(st.write_beats, 1);
    CU_ASSERT_EQUAL(st.write_responses, 1);
    CU_ASSERT_EQUAL(st.protocol_errors, 0);
    /* a burst across a 4 KB boundary is a protocol error */
    memset(&in, 0, sizeof in);
    ar(&in, 4096 - 64, 1);
    ak_mem_drive(m, &o);
    ak_mem_tick(m, &in);
    ak_mem_get_stats(m, &st);
    CU_ASSERT_EQUAL(st.protocol_errors, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(st.first_protocol_error, "4 KB"));
    ak_mem_destroy(m);
}

/* A random master (random bursts, rready, bready) against a jittered memory: every read beat
 * in order with the right data, every write landed. */
static void test_mem_jitter_in_order(void)
{
    enum { SIZE = 1 << 16, BURSTS = 300 };
    ak_mem *m = mem_new(SIZE, 6, 12345);
    ak_rng r;
    ak_rng_seed(&r, 99);
    uint64_t want_addr[BURSTS];
    uint8_t want_len[BURSTS];
    unsigned issued = 0, done_bursts = 0, beat = 0, writes = 0, bs = 0, wbeat = 0;
    ak_axi_m2s in = {0};
    ak_axi_s2m o;
    uint64_t cyc = 0;
    const uint64_t wbase = SIZE / 2;
    for (; (done_bursts < BURSTS || bs < 40) && cyc < 200000; cyc++) {
        if (!in.arvalid && issued < BURSTS && ak_rng_below(&r, 3) == 0) {
            want_len[issued] = (uint8_t)ak_rng_below(&r, 8);
            /* inside one of the first 8 pages of 4 KB, never across a page */
            want_addr[issued] = 4096ull * ak_rng_below(&r, 8) +
                                64ull * ak_rng_below(&r, 64 - want_len[issued]);
            ar(&in, want_addr[issued], want_len[issued]);
            issued++;
        }
        if (!in.awvalid && writes < 40) {
            in.awvalid = 1;
            in.awaddr = wbase + 128ull * writes;
            in.awlen = 1;
            in.awsize = 6;
            in.awburst = 1;
        }
        in.wvalid = wbeat < 80;
        memset(in.wdata, (int)(wbeat + 1), sizeof in.wdata);
        in.wstrb = ~0ull;
        in.wlast = wbeat % 2;
        in.rready = ak_rng_below(&r, 4) != 0;
        in.bready = ak_rng_below(&r, 2);
        ak_mem_drive(m, &o);
        if (o.rvalid && in.rready) {
            CU_ASSERT_EQUAL(o.rdata[5], pattern(want_addr[done_bursts] + 64 * beat + 5));
            CU_ASSERT_EQUAL(o.rlast, beat == want_len[done_bursts]);
            if (beat++ == want_len[done_bursts]) {
                beat = 0;
                done_bursts++;
            }
        }
        bs += o.bvalid && in.bready;
        const int ar_hs = in.arvalid && o.arready, aw_hs = in.awvalid && o.awready,
                  w_hs = in.wvalid && o.wready;
        ak_mem_tick(m, &in);
        in.arvalid &= !ar_hs;
        if (aw_hs) {
            in.awvalid = 0;
            writes++;
        }
        wbeat += w_hs;
    }
    CU_ASSERT_EQUAL(done_bursts, BURSTS);
    CU_ASSERT_EQUAL(bs, 40);
    for (unsigned w = 0; w < 80; w++) {
        uint8_t b;
        ak_mem_read(m, wbase + 64ull * w + 17, &b, 1);
        CU_ASSERT_EQUAL(b, (uint8_t)(w + 1));
    }
    ak_mem_stats st;
    ak_mem_get_stats(m, &st);
    CU_ASSERT_EQUAL(st.protocol_errors, 0);
    if (st.protocol_errors)
        printf("\n  %s\n", st.first_protocol_error);
    ak_mem_destroy(m);
}

/* ---- driver against a fake device --------------------------------------------------------- */

static uint32_t fake_id, fake_version;

static int fake_csr_read(void *ctx, uint32_t addr, uint32_t *v)
{
    (void)ctx;
    *v = addr == 0 ? fake_id : addr == 4 ? fake_version : 0x00801010u;
    return AK_OK;
}

static int fake_csr_write(void *ctx, uint32_t a, uint32_t v)
{
    (void)ctx, (void)a, (void)v;
    return AK_OK;
}

static int fake_mem(void *ctx, uint64_t a, const void *p, uint64_t n)
{
    (void)ctx, (void)a, (void)p, (void)n;
    return AK_OK;
}

static int fake_mem_rd(void *ctx, uint64_t a, void *p, uint64_t n)
{
    (void)ctx, (void)a, (void)p, (void)n;
    return AK_OK;
}

static int fake_wait(void *ctx, uint64_t max, uint64_t *c)
{
    (void)ctx;
    *c = max;
    return AK_ETIMEOUT;
}

static void test_driver_open_checks(void)
{
    const ak_backend fake = {.name = "fake", .mem_size = 1 << 20, .csr_read = fake_csr_read,
                             .csr_write = fake_csr_write, .mem_write = fake_mem,
                             .mem_read = fake_mem_rd, .wait_irq = fake_wait};
    char err[256];
    ak_drv *d = NULL;
    fake_id = 0x12345678;
    fake_version = AK_NUMERICS_VERSION;
    CU_ASSERT_EQUAL(ak_drv_open(&fake, NULL, &d, err, sizeof err), AK_ENODEV);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "AKIT"));
    fake_id = 0x414B4954;
    fake_version = AK_NUMERICS_VERSION + 1;
    CU_ASSERT_EQUAL(ak_drv_open(&fake, NULL, &d, err, sizeof err), AK_EVERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "numerics version"));
    fake_version = AK_NUMERICS_VERSION;
    CU_ASSERT_EQUAL_FATAL(ak_drv_open(&fake, NULL, &d, err, sizeof err), AK_OK);
    CU_ASSERT_EQUAL(ak_drv_get_info(d)->pe_rows, 16);
    CU_ASSERT_EQUAL(ak_drv_get_info(d)->pes, 512);
    CU_ASSERT_STRING_EQUAL(ak_hw_err_name(AK_HW_ERR_INDEX_RANGE), "INDEX_RANGE");
    CU_ASSERT_PTR_NULL(ak_hw_err_name(200));
    ak_drv_close(d);
}

/* ---- the accelerator ---------------------------------------------------------------------- */

static uint64_t protocol_errors(ak_drv *d)
{
    ak_mem_stats st;
    ak_sim_mem_stats(ak_drv_backend(d)->ctx, &st);
    if (st.protocol_errors)
        printf("\n  AXI protocol errors: %llu, the first: %s\n",
               (unsigned long long)st.protocol_errors, st.first_protocol_error);
    return st.protocol_errors;
}

/* Two accelerators shared by the tests: memory latency 20, and latency 7 with jitter. */
static ak_drv *drv_plain, *drv_jitter;

static ak_drv *plain(void)
{
    if (!drv_plain)
        drv_plain = open_verilator(20, 0, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(drv_plain);
    return drv_plain;
}

static ak_drv *jittered(void)
{
    if (!drv_jitter)
        drv_jitter = open_verilator(7, 0xC0FFEE, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(drv_jitter);
    return drv_jitter;
}

static int sim_clean(void)
{
    ak_drv_close(drv_plain);
    ak_drv_close(drv_jitter);
    return 0;
}

/* `attnkit sim --json` on a directory: every layer passes with no protocol error, and the
 * document says its format (docs/sim-json.md: 1). */
static void cli_sim_passes(const char *dir, const char *const *extra)
{
    static char buf[1 << 18];
    const char *args[12] = {"sim", "--vectors", dir, "--json"};
    int n = 4;
    for (; extra && *extra && n < 11; extra++)
        args[n++] = *extra;
    args[n] = NULL;
    int rc = ak_test_run_cli(buf, sizeof buf, args);
    cJSON *j = cJSON_Parse(buf);
    const cJSON *failed = cJSON_GetObjectItemCaseSensitive(j, "failed");
    const cJSON *passed = cJSON_GetObjectItemCaseSensitive(j, "passed");
    const cJSON *perr = cJSON_GetObjectItemCaseSensitive(j, "axi_protocol_errors");
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(j, "format");
    const int ok = rc == 0 && cJSON_IsNumber(failed) && failed->valueint == 0 &&
                   cJSON_IsNumber(passed) && passed->valueint >= 1 && cJSON_IsNumber(perr) &&
                   perr->valueint == 0 && cJSON_IsNumber(format) && format->valueint == 1;
    if (!ok)
        printf("\n  attnkit sim --vectors %s: exit %d\n%.4000s\n", dir, rc, buf);
    CU_ASSERT(ok);
    cJSON_Delete(j);
}

static void test_golden_vectors(void)
{
    glob_t g;
    golden_sets(&g);
    for (size_t i = 0; i < g.gl_pathc; i++)
        cli_sim_passes(g.gl_pathv[i], NULL);
    globfree(&g);
    const char *jitter[] = {"--mem-jitter", "99", "--latency", "3", NULL};
    cli_sim_passes("vectors/golden/patterns-n96", jitter);
    cli_sim_passes("vectors/golden/ragged-prune-n197", jitter);
    /* the RTL prunes (CAPS.prune = 1): a pruning or eviction layer's scores, kept list and
       weights are checked value by value (test_tlm holds a wrong one failing with its name) */
    static char buf[1 << 18];
    static const char *const sets[] = {"vectors/golden/ragged-prune-n197",
                                       "vectors/golden/evict-n96"};
    static const char *const modes[] = {"evit", "evict"};
    for (int i = 0; i < 2; i++) {
        const char *args[] = {"sim", "--vectors", sets[i], "--json", "--layer", "1", NULL};
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 0);
        cJSON *j = cJSON_Parse(buf);
        const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "layers"), 0);
        const cJSON *pj = cJSON_GetObjectItemCaseSensitive(l, "prune");
        CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "result")),
                               "PASS");
        CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pj, "mode")),
                               modes[i]);
        CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pj, "checked")));
        const cJSON *mm = cJSON_GetObjectItemCaseSensitive(pj, "mismatches");
        CU_ASSERT(cJSON_IsNumber(mm) && mm->valuedouble == 0);
        cJSON_Delete(j);
    }
}

/* The cycle model's prediction of a run on d (its memory: latency 20, or 7 jittered, then the
 * mean of 8 draws of the jitter's distribution, as attnkit sim does). */
static ak_cycle_report predicted(const ak_drv *d, const job_data *w, const ak_drv_result *r)
{
    ak_hw_config hw;
    ak_mem_timing mt;
    ak_hw_config_default(&hw);
    ak_mem_timing_default(&mt);
    mt.latency = d == drv_jitter ? 7 : 20;
    mt.jitter_seed = d == drv_jitter ? 0x5eed : 0;
    ak_cycle_report rep = {0};
    const char *why = NULL;
    const ak_status st =
        mt.jitter_seed ? ak_cycle_model_expected(&hw, &mt, 8, w->job.heads, w->job.nq, w->job.nk,
                                                 w->job.d, w->job.mask, &r->layout, &rep, NULL,
                                                 &why)
                       : ak_cycle_model_run(&hw, &mt, w->job.heads, w->job.nq, w->job.nk,
                                            w->job.d, w->job.mask, &r->layout, &rep, NULL, &why);
    if (st != AK_OK)
        printf("\n  cycle model: %s\n", why ? why : "?");
    return rep;
}

/* Random jobs (268 by default: 201 on the deterministic memory, 67 on the jittered one):
 * shapes incl. the extremes 1 and 300, ragged and nq != nk, every pattern in turn (causal or
 * not), every input distribution. Every
 * output byte must match the reference model, and the cycle count the cycle model's: exactly
 * on the deterministic memory; on the jittered one the prediction's error is reported (mean
 * and worst) and its mean must stay within 3%. */
static void test_random_jobs(void)
{
    static const random_job_space space = {.max_tokens = 300, .block_sizes = 4, .edges = 1,
                                           .causal = 1};
    random_jobs gen;
    const uint64_t count = random_jobs_start(&gen, &space, "AK_SIM", 20240611, 268);
    uint64_t failures = 0, cycles = 0, macs = 0, hw_macs = 0, exact = 0, jittered_n = 0;
    double err_sum = 0, err_worst = 0;
    const clock_t t0 = clock();
    for (uint64_t i = 0; i < count; i++) {
        random_job c;
        random_jobs_next(&gen, &c);
        ak_drv *dv = i % 4 == 3 ? jittered() : plain();
        char cfg[256];
        random_job_describe(&c, dv == drv_jitter ? " memory jittered" : " memory plain", cfg,
                            sizeof cfg);
        job_data w;
        if (random_job_build(&c, cfg, &w) != 0)
            continue;
        ak_drv_result res;
        const uint64_t bad = job_run_compare(dv, &w, NULL, NULL, &res);
        if (bad) {
            failures++;
            printf("  %s: %s\n", cfg, bad == UINT64_MAX ? "run failed" : "MISMATCH");
            if (bad != UINT64_MAX)
                printf("  %llu of %llu bytes differ; %llu cycles\n", (unsigned long long)bad,
                       (unsigned long long)w.outs, (unsigned long long)res.cycles);
        }
        if (bad != UINT64_MAX) {
            const ak_cycle_report pred = predicted(dv, &w, &res);
            if (dv == drv_jitter) {
                const double e =
                    fabs(((double)pred.cycles - (double)res.cycles) / (double)res.cycles);
                err_sum += e;
                err_worst = e > err_worst ? e : err_worst;
                jittered_n++;
            } else if (pred.cycles == res.cycles && pred.stall_cycles == res.stalls &&
                       pred.macs == res.macs) {
                exact++;
            } else {
                failures++;
                printf("  %s: %llu cycles, %llu stalls, %llu MACs; the cycle model predicts "
                       "%llu, %llu, %llu\n",
                       cfg, (unsigned long long)res.cycles, (unsigned long long)res.stalls,
                       (unsigned long long)res.macs, (unsigned long long)pred.cycles,
                       (unsigned long long)pred.stall_cycles, (unsigned long long)pred.macs);
            }
        }
        cycles += res.cycles;
        hw_macs += res.macs;
        macs += ak_attention_macs(&w.job);
        job_free(&w);
    }
    printf("  %llu configurations, %llu failed; %llu cycles, %.1f M MACs (model %.1f M), %.1f s\n",
           (unsigned long long)count, (unsigned long long)failures, (unsigned long long)cycles,
           hw_macs / 1e6, macs / 1e6, (double)(clock() - t0) / CLOCKS_PER_SEC);
    printf("  cycle model: %llu of %llu deterministic-memory jobs predicted exactly (cycles, "
           "stalls, MACs); on %llu "
           "jittered jobs mean error %.2f%%, worst %.2f%%\n",
           (unsigned long long)exact, (unsigned long long)(count - jittered_n),
           (unsigned long long)jittered_n, jittered_n ? 100 * err_sum / (double)jittered_n : 0.0,
           100 * err_worst);
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(jittered_n == 0 || err_sum / (double)jittered_n <= 0.03);
    CU_ASSERT_EQUAL(protocol_errors(plain()), 0);
    CU_ASSERT_EQUAL(protocol_errors(jittered()), 0);
}

/* ---- token pruning and KV-cache eviction on the accelerator ---- */

/* Random pruning and eviction jobs (60 by default, AK_PRUNE_CONFIGS for more): shapes of the
 * random jobs up to MaxPruneTokens keys, 1..16 heads (fewer where heads x tokens^2 would make a
 * job slow), every pattern, and one job in five with equal scores (Q all zero). The scores,
 * the kept list and the weights the RTL writes must equal the reference's, and the cycles
 * (stalls, MACs) the cycle model's, exactly. */
static void test_random_prune_jobs(void)
{
    static const random_job_space space = {.max_tokens = AK_MAX_PRUNE_TOKENS, .block_sizes = 4,
                                           .edges = 1, .causal = 1};
    random_jobs gen;
    const uint64_t count = random_jobs_start(&gen, &space, "AK_PRUNE", 20261203, 60);
    uint64_t failures = 0, evit = 0, evict = 0, exact = 0, cycles = 0, prune_cycles = 0;
    const clock_t t0 = clock();
    for (uint64_t i = 0; i < count; i++) {
        random_job c;
        random_jobs_next(&gen, &c);
        c.heads = 1 + (uint32_t)ak_rng_below(&gen.rng, 16);
        while (c.heads > 1 && (uint64_t)c.heads * c.nq * c.nk > 120000)
            c.heads--;
        const ak_prune_job pj = random_prune(&gen.rng, i, c.heads, c.nq, c.nk);
        char cfg[320], extra[96];
        if (pj.mode == AK_PRUNE_EVIT)
            snprintf(extra, sizeof extra, " EViT keep %u ppm%s", pj.keep_ppm,
                     i % 5 == 4 ? " equal scores" : "");
        else
            snprintf(extra, sizeof extra, " eviction window %u sinks %u recent %u budget %u%s",
                     pj.window, pj.sinks, pj.recent, pj.budget, i % 5 == 4 ? " equal scores" : "");
        random_job_describe(&c, extra, cfg, sizeof cfg);
        job_data w;
        if (random_job_build(&c, cfg, &w) != 0)
            continue;
        if (i % 5 == 4) /* every logit 0: every valid key of a row the same probability */
            memset(w.in.q, 0, (uint64_t)w.job.heads * w.job.nq * w.job.d);
        evit += pj.mode == AK_PRUNE_EVIT;
        evict += pj.mode == AK_PRUNE_EVICT;
        prune_expect x = {0};
        ak_drv_prune_out o = {0};
        ak_drv_result res;
        int8_t *out = malloc(w.outs ? w.outs : 1);
        int8_t *ref = malloc(w.outs ? w.outs : 1);
        int bad = !out || !ref || !prune_reference(&w, &pj, &x) ||
                  ak_attention(&w.job, ref, NULL, 1) != AK_OK;
        if (bad)
            printf("  %s: the reference failed\n", cfg);
        const ak_status st = bad ? AK_EINVAL : ak_drv_run_prune(plain(), &w.job, &pj, out, &o, &res);
        if (!bad && (st != AK_OK || res.err_code)) {
            printf("  %s: run failed: %s %s\n", cfg, ak_strerror(st), res.msg);
            bad = 1;
        }
        if (!bad && memcmp(out, ref, w.outs) != 0) {
            printf("  %s: attention output differs\n", cfg);
            bad = 1;
        }
        if (!bad)
            bad = prune_compare(cfg, &x, &o, w.job.nk);
        if (!bad) {
            const ak_cycle_report pred = predicted(plain(), &w, &res);
            ak_cycle_report attn = {0};
            ak_job_layout lay0 = res.layout;
            lay0.prune.mode = AK_PRUNE_NONE;
            ak_hw_config hw;
            ak_mem_timing mt;
            ak_hw_config_default(&hw);
            ak_mem_timing_default(&mt);
            const char *why = NULL;
            if (ak_cycle_model_run(&hw, &mt, w.job.heads, w.job.nq, w.job.nk, w.job.d,
                                   w.job.mask, &lay0, &attn, NULL, &why) == AK_OK)
                prune_cycles += res.cycles - attn.cycles;
            if (pred.cycles == res.cycles && pred.stall_cycles == res.stalls &&
                pred.macs == res.macs) {
                exact++;
            } else {
                printf("  %s: %llu cycles, %llu stalls, %llu MACs; the cycle model predicts "
                       "%llu, %llu, %llu\n",
                       cfg, (unsigned long long)res.cycles, (unsigned long long)res.stalls,
                       (unsigned long long)res.macs, (unsigned long long)pred.cycles,
                       (unsigned long long)pred.stall_cycles, (unsigned long long)pred.macs);
                bad = 1;
            }
            cycles += res.cycles;
        }
        failures += (uint64_t)bad;
        prune_expect_free(&x);
        ak_drv_prune_out_free(&o);
        free(out);
        free(ref);
        job_free(&w);
    }
    printf("  %llu jobs (%llu EViT, %llu eviction), %llu failed; %llu predicted exactly; "
           "%llu cycles, %llu of them pruning; %.1f s\n",
           (unsigned long long)count, (unsigned long long)evit, (unsigned long long)evict,
           (unsigned long long)failures, (unsigned long long)exact, (unsigned long long)cycles,
           (unsigned long long)prune_cycles, (double)(clock() - t0) / CLOCKS_PER_SEC);
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT_EQUAL(protocol_errors(plain()), 0);
}

typedef struct {
    const char *what;
    uint32_t field;       /* byte offset from the descriptor (or from kv_idx when kv) */
    int kv;               /* patch the kv-block list instead of the descriptor */
    uint32_t value;       /* new 32-bit value; with mask: new value of the masked bits */
    uint32_t mask;
    uint64_t desc_offset; /* start at desc + this */
    uint32_t code;
} bad_case;

static void test_illegal_jobs(void)
{
    ak_drv *dv = plain();
    const uint64_t beyond = ak_drv_backend(dv)->mem_size; /* 64-byte aligned */
    const uint32_t hd = ((1u << AK_DESC_SHAPE_HEAD_DIM_WIDTH) - 1) << AK_DESC_SHAPE_HEAD_DIM_LSB;
    const uint32_t bl = ((1u << AK_DESC_SHAPE_BLOCK_WIDTH) - 1) << AK_DESC_SHAPE_BLOCK_LSB;
    const bad_case cases[] = {
        {"zero query tokens", AK_DESC_NQ_OFFSET, 0, 0, 0, 0, AK_HW_ERR_ZERO_TOKENS},
        {"zero key tokens", AK_DESC_NK_OFFSET, 0, 0, 0, 0, AK_HW_ERR_ZERO_TOKENS},
        {"zero heads", AK_DESC_HEADS_OFFSET, 0, 0, 0, 0, AK_HW_ERR_ZERO_TOKENS},
        {"head dim 256 (0 in its 8-bit field)", AK_DESC_SHAPE_OFFSET, 0,
         (256u << AK_DESC_SHAPE_HEAD_DIM_LSB) & hd, hd, 0, AK_HW_ERR_HEAD_DIM},
        {"head dim 48", AK_DESC_SHAPE_OFFSET, 0, 48u << AK_DESC_SHAPE_HEAD_DIM_LSB, hd, 0,
         AK_HW_ERR_HEAD_DIM},
        {"block 48", AK_DESC_SHAPE_OFFSET, 0, 48u << AK_DESC_SHAPE_BLOCK_LSB, bl, 0,
         AK_HW_ERR_BLOCK_SIZE},
        {"misaligned descriptor address", 0, 0, 0, 0, 8, AK_HW_ERR_MISALIGNED},
        {"misaligned Q address", AK_DESC_Q_LO_OFFSET, 0, 32, 63, 0, AK_HW_ERR_MISALIGNED},
        {"misaligned O address", AK_DESC_O_LO_OFFSET, 0, 16, 63, 0, AK_HW_ERR_MISALIGNED},
        {"kv index out of range", 0, 1, 3, 0, 0, AK_HW_ERR_INDEX_RANGE},
        {"kv list not ascending", 4, 1, 0, 0, 0, AK_HW_ERR_INDEX_RANGE},
        {"bad magic", AK_DESC_MAGIC_OFFSET, 0, 0x54494B41u, 0, 0, AK_HW_ERR_BAD_DESC},
        {"bad version", AK_DESC_VERSION_OFFSET, 0, AK_DESC_VERSION_VERSION_RESET + 1, 0, 0,
         AK_HW_ERR_BAD_DESC},
        {"K outside memory", AK_DESC_K_LO_OFFSET, 0, (uint32_t)beyond, 0, 0,
         AK_HW_ERR_MEM_RESPONSE},
        {"O outside memory", AK_DESC_O_LO_OFFSET, 0, (uint32_t)beyond, 0, 0,
         AK_HW_ERR_MEM_RESPONSE},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const bad_case *k = &cases[c];
        job_data w;
        good_job(&w);
        ak_job_layout lay;
        CU_ASSERT_EQUAL_FATAL(ak_drv_load(dv, &w.job, &lay), AK_OK);
        if (k->desc_offset == 0) { /* the kv list of this job is 0 1 2 per query block */
            const uint64_t at = (k->kv ? lay.kv_idx : lay.desc) + k->field;
            const uint32_t old = drv_get32(dv, at);
            drv_put32(dv, at, k->mask ? (old & ~k->mask) | k->value : k->value);
        }
        ak_drv_result r;
        CU_ASSERT_EQUAL(ak_drv_start(dv, lay.desc + k->desc_offset), AK_OK);
        const ak_status st = ak_drv_wait(dv, ak_drv_budget(dv, &w.job), &r);
        const int ok = st == AK_EHW && r.err_code == k->code &&
                       strstr(r.msg, ak_hw_err_name(k->code));
        if (!ok)
            printf("\n  %s: expected ERR %u %s, got %s (ERR %u): %s\n", k->what, k->code,
                   ak_hw_err_name(k->code), ak_strerror(st), r.err_code, r.msg);
        CU_ASSERT(ok);
        job_free(&w);
        check_good_job_runs(dv, k->what);
    }
}

/* Bad pruning descriptors (the good job, 2 heads x 40 tokens, with EViT keep 0.5 or eviction
 * budget 12 of 4 sinks + 8 recent keys, then one field patched): the PRUNE, REGION_OVERLAP or
 * MISALIGNED code with the driver's message naming it, no write to the job's output regions (they keep
 * the driver's poison), and the next job right. */
static void test_illegal_prune_jobs(void)
{
    ak_drv *dv = plain();
    enum { TO_VALUE, TO_Q, TO_DESC, TO_SCORE };
    static const struct {
        const char *what;
        ak_prune_mode mode;
        uint32_t field;
        int to;          /* the new value: `value`, or the address of a region */
        uint32_t value;
        uint32_t code;
    } cases[] = {
        {"keep rate 0 ppm", AK_PRUNE_EVIT, AK_DESC_KEEP_OFFSET, TO_VALUE, 0, AK_HW_ERR_PRUNE},
        {"keep rate above 1 (1000001 ppm)", AK_PRUNE_EVIT, AK_DESC_KEEP_OFFSET, TO_VALUE,
         1000001, AK_HW_ERR_PRUNE},
        {"mode 3", AK_PRUNE_EVIT, AK_DESC_PRUNE_OFFSET, TO_VALUE, 3, AK_HW_ERR_PRUNE},
        {"eviction budget below sinks + recent", AK_PRUNE_EVICT, AK_DESC_BUDGET_OFFSET, TO_VALUE,
         11, AK_HW_ERR_PRUNE},
        {"eviction window 0", AK_PRUNE_EVICT, AK_DESC_WINDOW_OFFSET, TO_VALUE, 0,
         AK_HW_ERR_PRUNE},
        {"eviction window above nq", AK_PRUNE_EVICT, AK_DESC_WINDOW_OFFSET, TO_VALUE, 41,
         AK_HW_ERR_PRUNE},
        {"kept list over Q", AK_PRUNE_EVIT, AK_DESC_KEPT_LO_OFFSET, TO_Q, 0,
         AK_HW_ERR_REGION_OVERLAP},
        {"scores over the descriptor", AK_PRUNE_EVICT, AK_DESC_SCORE_LO_OFFSET, TO_DESC, 0,
         AK_HW_ERR_REGION_OVERLAP},
        {"kept list over the scores", AK_PRUNE_EVICT, AK_DESC_KEPT_LO_OFFSET, TO_SCORE, 0,
         AK_HW_ERR_REGION_OVERLAP},
        {"misaligned kept list", AK_PRUNE_EVIT, AK_DESC_KEPT_LO_OFFSET, TO_SCORE, 0,
         AK_HW_ERR_MISALIGNED},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        job_data w;
        good_job(&w);
        const ak_prune_job pj =
            cases[c].mode == AK_PRUNE_EVIT
                ? (ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 500000}
                : (ak_prune_job){.mode = AK_PRUNE_EVICT, .budget = 12, .sinks = 4, .recent = 8,
                                 .window = 4};
        ak_job_layout lay;
        CU_ASSERT_EQUAL_FATAL(ak_drv_load_prune(dv, &w.job, &pj, &lay), AK_OK);
        uint32_t v = cases[c].value;
        if (cases[c].to == TO_Q)
            v = (uint32_t)lay.q;
        else if (cases[c].to == TO_DESC)
            v = (uint32_t)lay.desc;
        else if (cases[c].to == TO_SCORE)
            v = (uint32_t)lay.score + (cases[c].code == AK_HW_ERR_MISALIGNED ? 4 : 0);
        drv_put32(dv, lay.desc + cases[c].field, v);
        const uint32_t poison[3] = {drv_get32(dv, lay.score), drv_get32(dv, lay.kept),
                                    drv_get32(dv, lay.o)};
        ak_drv_result r;
        CU_ASSERT_EQUAL(ak_drv_start(dv, lay.desc), AK_OK);
        const ak_status st = ak_drv_wait(dv, ak_drv_budget_prune(dv, &w.job, &pj), &r);
        const int ok = st == AK_EHW && r.err_code == cases[c].code &&
                       strstr(r.msg, ak_hw_err_name(cases[c].code)) &&
                       drv_get32(dv, lay.score) == poison[0] &&
                       drv_get32(dv, lay.kept) == poison[1] && drv_get32(dv, lay.o) == poison[2];
        if (!ok)
            printf("\n  %s: expected ERR %u %s and no write, got %s (ERR %u): %s\n",
                   cases[c].what, cases[c].code, ak_hw_err_name(cases[c].code), ak_strerror(st),
                   r.err_code, r.msg);
        CU_ASSERT(ok);
        job_free(&w);
        check_good_job_runs(dv, cases[c].what);
    }
}

static void test_hang_reported(void)
{
    ak_drv *dv = plain();
    /* the step-by-step path with a 10-cycle budget: reported as a hang, aborted, recovered */
    job_data w;
    good_job(&w);
    check_hang_reported(dv, &w);
    /* ak_drv_run with a configured budget of 10 cycles */
    ak_drv_result r;
    ak_drv *d = open_verilator(20, 0, 10, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(ak_drv_budget(d, &w.job), 10);
    int8_t *out = malloc(w.outs);
    CU_ASSERT_EQUAL(ak_drv_run(d, &w.job, out, &r), AK_EHANG);
    CU_ASSERT_EQUAL(r.status, AK_EHANG);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "hang"));
    /* the Verilator backend's job cycles: the wait ended 10 cycles after the start's CSR
       accesses (failure_cycle of a HANG) */
    const uint64_t end = ak_sim_wait_end(ak_drv_backend(d)->ctx);
    CU_ASSERT(end > 10 && end < 200);
    if (!(end > 10 && end < 200))
        printf("\n  hang: wait ended at job cycle %llu\n", (unsigned long long)end);
    free(out);
    ak_drv_close(d);
    /* the derived budget is finite and covers the job */
    ak_drv_result ok;
    CU_ASSERT_EQUAL(job_run_compare(dv, &w, NULL, NULL, &ok), 0);
    CU_ASSERT(ok.budget > ok.cycles && ok.budget < 100000000ull);
    job_free(&w);
}

static void test_wave(void)
{
    char path[] = "/tmp/ak_test_sim_XXXXXX";
    const int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    ak_drv *d = open_verilator(5, 0, 0, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    check_good_job_runs(d, "opening with a waveform");
    ak_drv_close(d);
    struct stat sb;
    CU_ASSERT(stat(path, &sb) == 0 && sb.st_size > 1000);
    remove(path);
}

/* Simulations opened and closed in any order on one thread: Verilator finds its context through
 * a per-thread pointer, which a close must neither use stale nor leave dangling (a later close
 * of the other one locked the freed context's mutex: a hang, or glibc's tpp assertion). */
static void test_two_simulations_any_order(void)
{
    for (int older_first = 0; older_first < 2; older_first++) {
        ak_drv *a = open_verilator(5, 0, 0, NULL);
        ak_drv *b = open_verilator(9, 0, 0, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        check_good_job_runs(a, "the first of two simulations");
        check_good_job_runs(b, "the second of two simulations");
        ak_drv *first = older_first ? a : b, *other = older_first ? b : a;
        ak_drv_close(first);
        ak_drv_close(other);
    }
    /* and one that runs on after the other closed */
    ak_drv *a = open_verilator(5, 0, 0, NULL), *b = open_verilator(9, 0, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    ak_drv_close(b);
    check_good_job_runs(a, "a simulation after the other one closed");
    ak_drv_close(a);
}

/* `attnkit sim --json` with args: the document (NULL if it is not one), the exit in *rc */
static cJSON *sim_json(const char *const *args, int *rc)
{
    static char buf[1 << 18];
    *rc = ak_test_run_cli(buf, sizeof buf, args);
    const char *doc = strchr(buf, '{');
    cJSON *j = doc ? cJSON_Parse(doc) : NULL;
    if (!j)
        printf("\n  attnkit sim: exit %d, not JSON:\n%.3000s\n", *rc, buf);
    return j;
}

static const cJSON *field(const cJSON *o, const char *path1, const char *path2)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, path1);
    return path2 ? cJSON_GetObjectItemCaseSensitive(x, path2) : x;
}

static uint64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* --wave-from/--wave-to dump only that window of the job's cycles (a much smaller file);
 * --wave-limit 1 stops near 1 MiB and says where; every file is renamed from its .tmp. */
static void test_wave_window_and_limit(void)
{
    char dir[] = "/tmp/ak_test_sim_wave_XXXXXX", full[96], win[96], cap[96], tmp[112];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(full, sizeof full, "%s/full.fst", dir);
    snprintf(win, sizeof win, "%s/window.fst", dir);
    snprintf(cap, sizeof cap, "%s/cap.fst", dir);
    int rc;
    const char *a_full[] = {"sim", "--vectors", "vectors/golden/dense-n64", "--json", "--wave",
                            full, NULL};
    cJSON *j = sim_json(a_full, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    const uint64_t full_bytes = file_size(full);
    CU_ASSERT(cJSON_IsFalse(field(field(j, "wave", NULL), "truncated", NULL)));
    CU_ASSERT_EQUAL((uint64_t)cJSON_GetNumberValue(field(field(j, "wave", NULL), "bytes", NULL)),
                    full_bytes);
    cJSON_Delete(j);
    /* 100 cycles of a 1461-cycle job */
    const char *a_win[] = {"sim", "--vectors", "vectors/golden/dense-n64", "--json", "--wave",
                           win, "--wave-from", "500", "--wave-to", "599", NULL};
    j = sim_json(a_win, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    const uint64_t win_bytes = file_size(win);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(field(j, "wave", NULL), "dumped_cycles", NULL)), 100);
    cJSON_Delete(j);
    CU_ASSERT(win_bytes > 1000 && win_bytes * 4 < full_bytes);
    /* a 1 MiB cap on a run that dumps several */
    const char *a_cap[] = {"sim", "--vectors", "vectors/golden/patterns-n96", "--json", "--wave",
                           cap, "--wave-limit", "1", NULL};
    j = sim_json(a_cap, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    const cJSON *w = field(j, "wave", NULL);
    const uint64_t cap_bytes = file_size(cap);
    CU_ASSERT(cJSON_IsTrue(field(w, "truncated", NULL)));
    CU_ASSERT(cJSON_GetNumberValue(field(w, "truncated_layer", NULL)) >= 1);
    CU_ASSERT(cJSON_GetNumberValue(field(w, "truncated_at_cycle", NULL)) > 0);
    CU_ASSERT(cap_bytes >= (1u << 20) && cap_bytes < (3u << 19));
    cJSON_Delete(j);
    printf("\n  FST sizes: dense-n64 full %llu bytes, cycles 500..599 %llu; patterns-n96 "
           "--wave-limit 1: %llu\n", (unsigned long long)full_bytes,
           (unsigned long long)win_bytes, (unsigned long long)cap_bytes);
    const char *files[] = {full, win, cap};
    for (int i = 0; i < 3; i++) {
        snprintf(tmp, sizeof tmp, "%s.tmp", files[i]);
        CU_ASSERT_EQUAL(file_size(tmp), 0);
        remove(files[i]);
    }
    rmdir(dir);
}

/* A real mismatch without touching the RTL: a copy of dense-n64 with one expected byte of
 * o.npy changed and its manifest checksum rewritten to match (so the vectors' check passes).
 * The layer FAILs at that byte, and failure_cycle is the job cycle at which the accelerator
 * wrote it: inside the job. */
static void test_failure_cycle_of_mismatch(void)
{
    char tmpl[] = "/tmp/ak_test_sim_fail_XXXXXX", cmd[512], set[96], path[160], err[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    snprintf(set, sizeof set, "%s/set", tmpl);
    snprintf(cmd, sizeof cmd, "cp -r vectors/golden/dense-n64 %s", set);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    snprintf(path, sizeof path, "%s/layer01/o.npy", set);
    ak_npy a;
    CU_ASSERT_EQUAL_FATAL(ak_npy_read(path, &a, err, sizeof err), AK_OK);
    const uint64_t at = a.count / 2 + 5; /* a byte in the middle of the output */
    ((int8_t *)a.data)[at] ^= 0x40;
    CU_ASSERT_EQUAL_FATAL(ak_npy_write(path, &a, err, sizeof err), AK_OK);
    ak_npy_free(&a);
    /* the manifest's sha256 of o.npy, made to match */
    CU_ASSERT_EQUAL_FATAL(ak_test_reseal_vectors(set, 1, "o.npy"), 0);
    int rc;
    const char *args[] = {"sim", "--vectors", set, "--json", NULL};
    cJSON *j = sim_json(args, &rc);
    CU_ASSERT_EQUAL(rc, 1);
    const cJSON *l = cJSON_GetArrayItem(field(j, "layers", NULL), 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(field(l, "result", NULL)), "FAIL");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(l, "mismatches", NULL)), 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(field(l, "failure_event", NULL)), "write");
    const double fc = cJSON_GetNumberValue(field(l, "failure_cycle", NULL));
    const double cycles = cJSON_GetNumberValue(field(l, "cycles", NULL));
    /* after the start's CSR accesses, before the interrupt (the CYCLES counter runs from the
       start to done; job cycle 0 is a few CSR accesses earlier) */
    CU_ASSERT(fc > 20 && fc < cycles + 100);
    printf("\n  tampered byte %llu of o.npy: failure_cycle %.0f of a %.0f-cycle job\n",
           (unsigned long long)at, fc, cycles);
    cJSON_Delete(j);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

int ak_test_register(void)
{
    if (AK_SUITE("mem_model", {"read latency, order, SLVERR, 16 outstanding", test_mem_read_timing},
                 {"early write data, strobes, B latency, 4 KB check", test_mem_write_and_checks},
                 {"random master vs jitter: in order, all data", test_mem_jitter_in_order}) ||
        AK_SUITE("driver", {"open checks ID and numerics version", test_driver_open_checks}))
        return -1;
    CU_pSuite s = CU_add_suite("sim", NULL, sim_clean);
    return !s || !CU_add_test(s, "golden vectors: attnkit sim, zero mismatches", test_golden_vectors) ||
           !CU_add_test(s, "random jobs bit-exact with ak_attention", test_random_jobs) ||
           !CU_add_test(s, "random pruning and eviction jobs: scores, kept, weights, cycles",
                        test_random_prune_jobs) ||
           !CU_add_test(s, "illegal jobs: right ERR code, then a good job", test_illegal_jobs) ||
           !CU_add_test(s, "bad pruning descriptors: PRUNE, REGION_OVERLAP, nothing written",
                        test_illegal_prune_jobs) ||
           !CU_add_test(s, "hang reported within a 10-cycle budget", test_hang_reported) ||
           !CU_add_test(s, "FST waveform", test_wave) ||
           !CU_add_test(s, "two simulations closed in either order", test_two_simulations_any_order) ||
           !CU_add_test(s, "FST window of job cycles and size cap", test_wave_window_and_limit) ||
           !CU_add_test(s, "failure_cycle of a real output mismatch",
                        test_failure_cycle_of_mismatch);
}
