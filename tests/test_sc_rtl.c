/* The Verilated accelerator inside SystemC (sim/systemc/ak_sc_rtl.h; the driver's sc-rtl
 * backend) against the plain Verilator harness (the verilator backend), side by side:
 * - every golden vector set through `attnkit sim --backend sc-rtl` and `--backend verilator`:
 *   both pass (zero mismatches against o.npy, cycles as the cycle model predicts) and every
 *   layer has the same cycle, stall and MAC counts on both; the same again on a jittered
 *   memory (the platform clocks the memory model exactly as the plain harness does, so even
 *   the jitter's draws, which depend on every cycle since reset, come out the same);
 * - seeded random jobs on both backends in one process: output bytes equal to ak_attention,
 *   counters equal to each other and to the cycle model;
 * - the memory is a TLM-2.0 target: a job's beats go through the platform's memory socket
 *   into the ak_tlm_memory (its transaction and DMI counts, the output read back from it), with
 *   DMI and with DMI refused, the same bytes (ak_attention's) and the plain harness's cycles
 *   both ways; a beat outside the TLM memory (a read, a write) answers SLVERR and the job ends
 *   with the RTL's bus error code and the plain harness's cycles;
 * - CSRs through the TLM-2.0 -> AXI4-Lite bridge (ID, an unmapped address answered with an
 *   error), a hang reported within a 10-cycle budget, a hardware error code, one open at a
 *   time.
 * Host time of each backend is printed with the ratio sc-rtl / verilator (the cost of the
 * SystemC platform). AK_SC_RTL_SEED and AK_SC_RTL_CONFIGS override the random run. */
#define _POSIX_C_SOURCE 200809L
#include <cJSON.h>
#include <glob.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ak_driver.h"
#include "backend_sc_rtl.h"
#include "ak_sc_rtl_sim.h"
#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "attnkit/cycle_model.h"
#include "attnkit_csr.h"
#include "attnkit_desc.h"
#include "attnkit_err.h"
#include "sim_jobs.h"

#define REG(r) ((uint32_t)offsetof(attnkit_csr_t, r))

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- golden sets through the CLI on both backends --------------------------------------- */

static double golden_s[2]; /* host seconds of the layers: verilator, sc-rtl */

static cJSON *cli_sim(const char *dir, const char *backend, const char *const *extra)
{
    static char buf[1 << 18];
    const char *args[16] = {"sim", "--vectors", dir, "--json", "--backend", backend};
    int n = 6;
    for (; extra && *extra && n < 15; extra++)
        args[n++] = *extra;
    args[n] = NULL;
    const int rc = ak_test_run_cli(buf, sizeof buf, args);
    cJSON *j = cJSON_Parse(buf);
    const cJSON *failed = cJSON_GetObjectItemCaseSensitive(j, "failed");
    const cJSON *perr = cJSON_GetObjectItemCaseSensitive(j, "axi_protocol_errors");
    const int ok = rc == 0 && cJSON_IsNumber(failed) && failed->valueint == 0 &&
                   cJSON_IsNumber(perr) && perr->valueint == 0;
    if (!ok)
        printf("\n  attnkit sim --backend %s --vectors %s: exit %d\n%.4000s\n", backend, dir, rc,
               buf);
    CU_ASSERT(ok);
    if (!ok) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static double field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Both backends on dir: every layer PASS on both, the same counters; returns the layers. */
static int same_on_both(const char *dir, const char *const *extra, int timed)
{
    cJSON *v = cli_sim(dir, "verilator", extra), *s = cli_sim(dir, "sc-rtl", extra);
    int layers = 0;
    if (v && s) {
        const cJSON *lv = cJSON_GetObjectItemCaseSensitive(v, "layers");
        const cJSON *ls = cJSON_GetObjectItemCaseSensitive(s, "layers");
        CU_ASSERT_EQUAL(cJSON_GetArraySize(lv), cJSON_GetArraySize(ls));
        for (int i = 0; i < cJSON_GetArraySize(lv) && i < cJSON_GetArraySize(ls); i++) {
            const cJSON *a = cJSON_GetArrayItem(lv, i), *b = cJSON_GetArrayItem(ls, i);
            const char *keys[] = {"layer", "cycles", "stall_cycles", "macs", "mismatches"};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                if (field(a, keys[k]) != field(b, keys[k])) {
                    printf("\n  %s layer %d: %s %.0f on verilator, %.0f on sc-rtl\n", dir, i + 1,
                           keys[k], field(a, keys[k]), field(b, keys[k]));
                    CU_FAIL("counters differ between backends");
                }
            const cJSON *ra = cJSON_GetObjectItemCaseSensitive(a, "result");
            const cJSON *rb = cJSON_GetObjectItemCaseSensitive(b, "result");
            CU_ASSERT(cJSON_IsString(ra) && cJSON_IsString(rb) &&
                      !strcmp(ra->valuestring, "PASS") && !strcmp(rb->valuestring, "PASS"));
            if (timed) {
                golden_s[0] += field(a, "host_seconds");
                golden_s[1] += field(b, "host_seconds");
            }
            layers++;
        }
    }
    cJSON_Delete(v);
    cJSON_Delete(s);
    return layers;
}

static void test_golden_both(void)
{
    glob_t g;
    golden_sets(&g);
    int layers = 0;
    for (size_t i = 0; i < g.gl_pathc; i++)
        layers += same_on_both(g.gl_pathv[i], NULL, 1);
    globfree(&g);
    printf("\n  %d golden layers, the same cycles, stalls and MACs on both; host seconds of the "
           "layers: verilator %.2f, sc-rtl %.2f, ratio sc-rtl / verilator %.2f\n",
           layers, golden_s[0], golden_s[1], golden_s[0] > 0 ? golden_s[1] / golden_s[0] : 0);
    const char *jitter[] = {"--mem-jitter", "99", "--latency", "3", NULL};
    CU_ASSERT(same_on_both("vectors/golden/patterns-n96", jitter, 0) == 7);
    const char *slow[] = {"--mem-bw", "16", "--latency", "40", NULL};
    CU_ASSERT(same_on_both("vectors/golden/ragged-prune-n197", slow, 0) == 3);
}

/* ---- jobs in this process on both backends ---------------------------------------------- */

static ak_drv *open_sc_rtl_opts(uint64_t max_cycles, int no_dmi)
{
    const ak_sc_rtl_opts so = {.latency = 20, .no_dmi = no_dmi};
    const ak_drv_config dc = {.max_cycles = max_cycles};
    ak_backend be;
    ak_drv *d = NULL;
    char err[256] = "";
    if (ak_backend_sc_rtl_open(&so, &be, err, sizeof err) != AK_OK ||
        ak_drv_open(&be, &dc, &d, err, sizeof err) != AK_OK)
        printf("\n  opening the sc-rtl backend: %s\n", err);
    return d;
}

static ak_drv *open_sc_rtl(uint64_t max_cycles)
{
    return open_sc_rtl_opts(max_cycles, 0);
}

/* job_run_compare against ref, adding the run's host time to *secs. */
static uint64_t run_against(ak_drv *d, const job_data *w, const int8_t *ref, ak_drv_result *r,
                            double *secs)
{
    const double t0 = now();
    const uint64_t bad = job_run_compare(d, w, ref, NULL, r);
    *secs += now() - t0;
    return bad;
}

static void test_random_both(void)
{
    static const random_job_space space = {.max_tokens = 200, .block_sizes = 3};
    random_jobs gen;
    const uint64_t count = random_jobs_start(&gen, &space, "AK_SC_RTL", 20261202, 10);
    ak_drv *dv = open_verilator(20, 0, 0, NULL), *ds = open_sc_rtl(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    double secs[2] = {0, 0};
    uint64_t cycles = 0, failures = 0;
    for (uint64_t i = 0; i < count; i++) {
        random_job c;
        random_jobs_next(&gen, &c);
        char cfg[200];
        random_job_describe(&c, "", cfg, sizeof cfg);
        job_data w;
        if (random_job_build(&c, cfg, &w) != 0)
            continue;
        int8_t *ref = malloc(w.outs);
        CU_ASSERT_FATAL(ref != NULL);
        CU_ASSERT_FATAL(ak_attention(&w.job, ref, NULL, 1) == AK_OK);
        ak_drv_result rv, rs;
        memset(&rv, 0, sizeof rv);
        memset(&rs, 0, sizeof rs);
        const uint64_t bv = run_against(dv, &w, ref, &rv, &secs[0]);
        const uint64_t bs = run_against(ds, &w, ref, &rs, &secs[1]);
        ak_hw_config hw;
        ak_mem_timing mt;
        ak_hw_config_default(&hw);
        ak_mem_timing_default(&mt);
        ak_cycle_report pred = {0};
        const char *why = NULL;
        const ak_status ps = ak_cycle_model_run(&hw, &mt, c.heads, c.nq, c.nk, c.d, w.job.mask,
                                                &rs.layout, &pred, NULL, &why);
        const int same = rv.cycles == rs.cycles && rv.stalls == rs.stalls && rv.macs == rs.macs &&
                         rv.waited == rs.waited;
        const int exact = ps == AK_OK && pred.cycles == rs.cycles &&
                          pred.stall_cycles == rs.stalls && pred.macs == rs.macs;
        if (bv || bs || !same || !exact) {
            failures++;
            printf("\n  %s: mismatches verilator %lld sc-rtl %lld; cycles/stalls/MACs/waited "
                   "verilator %llu/%llu/%llu/%llu, sc-rtl %llu/%llu/%llu/%llu, cycle model "
                   "%llu/%llu/%llu\n",
                   cfg, (long long)bv, (long long)bs, (unsigned long long)rv.cycles,
                   (unsigned long long)rv.stalls, (unsigned long long)rv.macs,
                   (unsigned long long)rv.waited, (unsigned long long)rs.cycles,
                   (unsigned long long)rs.stalls, (unsigned long long)rs.macs,
                   (unsigned long long)rs.waited, (unsigned long long)pred.cycles,
                   (unsigned long long)pred.stall_cycles, (unsigned long long)pred.macs);
        }
        cycles += rs.cycles;
        free(ref);
        job_free(&w);
    }
    printf("  %llu jobs, %llu failed, %llu cycles in all; host seconds: verilator %.2f (%.0f "
           "cycles/s), sc-rtl %.2f (%.0f cycles/s), ratio sc-rtl / verilator %.2f\n",
           (unsigned long long)count, (unsigned long long)failures, (unsigned long long)cycles,
           secs[0], secs[0] > 0 ? (double)cycles / secs[0] : 0, secs[1],
           secs[1] > 0 ? (double)cycles / secs[1] : 0, secs[0] > 0 ? secs[1] / secs[0] : 0);
    CU_ASSERT_EQUAL(failures, 0);
    ak_mem_stats ms;
    ak_sc_rtl_mem_stats(ak_drv_backend(ds)->ctx, &ms);
    if (ms.protocol_errors)
        printf("\n  AXI protocol errors: %llu, the first: %s\n",
               (unsigned long long)ms.protocol_errors, ms.first_protocol_error);
    CU_ASSERT_EQUAL(ms.protocol_errors, 0);
    ak_drv_close(dv);
    ak_drv_close(ds);
}

/* ---- the platform's edges ----------------------------------------------------------------- */

static void test_csr_bridge(void)
{
    ak_sc_rtl *s = NULL;
    CU_ASSERT_EQUAL_FATAL(ak_sc_rtl_open(NULL, &s), AK_OK);
    ak_sc_rtl *again = NULL;
    CU_ASSERT_EQUAL(ak_sc_rtl_open(NULL, &again), AK_EBUSY);
    CU_ASSERT_PTR_NULL(again);
    const uint64_t c0 = ak_sc_rtl_cycles(s);
    uint32_t v = 0;
    CU_ASSERT_EQUAL(ak_sc_rtl_csr_read(s, REG(ID), &v), AK_OK);
    CU_ASSERT_EQUAL(v, ATTNKIT_CSR__ID__MAGIC_reset); /* 'AKIT' */
    /* a read: AR in one cycle, R the next (as on the plain harness) */
    CU_ASSERT_EQUAL(ak_sc_rtl_cycles(s) - c0, 2);
    CU_ASSERT_EQUAL(ak_sc_rtl_time_ps(s), ak_sc_rtl_cycles(s) * AK_SC_RTL_CLOCK_PS);
    /* unmapped: the slave answers SLVERR, TLM_ADDRESS_ERROR_RESPONSE out of the bridge */
    CU_ASSERT_EQUAL(ak_sc_rtl_csr_read(s, 0xfc, &v), AK_EADDRESS);
    CU_ASSERT_EQUAL(ak_sc_rtl_csr_write(s, 0xfc, 1), AK_EADDRESS);
    /* beyond the slave's 8 address bits: refused without a bus cycle */
    const uint64_t c1 = ak_sc_rtl_cycles(s);
    CU_ASSERT_EQUAL(ak_sc_rtl_csr_read(s, 0x100, &v), AK_EADDRESS);
    CU_ASSERT_EQUAL(ak_sc_rtl_cycles(s), c1);
    /* the DESC_ADDR registers are read-write */
    CU_ASSERT_EQUAL(ak_sc_rtl_csr_write(s, REG(DESC_ADDR_LO), 0x1240), AK_OK);
    CU_ASSERT_EQUAL(ak_sc_rtl_csr_read(s, REG(DESC_ADDR_LO), &v), AK_OK);
    CU_ASSERT_EQUAL(v, 0x1240);
    /* no interrupt: a timeout after exactly the cycles asked for */
    uint64_t waited = 0;
    CU_ASSERT_EQUAL(ak_sc_rtl_run_until_irq(s, 37, &waited), AK_ETIMEOUT);
    CU_ASSERT_EQUAL(waited, 37);
    const uint64_t c2 = ak_sc_rtl_cycles(s);
    ak_sc_rtl_step(s, 5);
    CU_ASSERT_EQUAL(ak_sc_rtl_cycles(s) - c2, 5);
    ak_sc_rtl_close(s);
    /* open again: a fresh memory, the cycle count from zero, the registers reset */
    CU_ASSERT_EQUAL_FATAL(ak_sc_rtl_open(NULL, &s), AK_OK);
    CU_ASSERT_EQUAL(ak_sc_rtl_cycles(s), 5); /* the reset: 4 cycles low, 1 high */
    CU_ASSERT_EQUAL(ak_sc_rtl_csr_read(s, REG(DESC_ADDR_LO), &v), AK_OK);
    CU_ASSERT_EQUAL(v, 0);
    ak_sc_rtl_close(s);
}

static void test_hang_and_error(void)
{
    ak_drv *d = open_sc_rtl(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char err[256] = "";
    ak_backend be2;
    CU_ASSERT_EQUAL(ak_backend_sc_rtl_open(NULL, &be2, err, sizeof err), AK_EBUSY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "already open"));
    /* a 10-cycle budget: reported as a hang, aborted, recovered */
    job_data w;
    good_job(&w);
    check_hang_reported(d, &w);
    /* a bad descriptor: the hardware's error code, then a good job */
    ak_job_layout lay;
    ak_drv_result r;
    CU_ASSERT_EQUAL_FATAL(ak_drv_load(d, &w.job, &lay), AK_OK);
    const ak_backend *be = ak_drv_backend(d);
    const uint8_t zero[4] = {0};
    CU_ASSERT_EQUAL(be->mem_write(be->ctx, lay.desc + AK_DESC_MAGIC_OFFSET, zero, 4), AK_OK);
    CU_ASSERT_EQUAL(ak_drv_start(d, lay.desc), AK_OK);
    CU_ASSERT_EQUAL(ak_drv_wait(d, ak_drv_budget(d, &w.job), &r), AK_EHW);
    CU_ASSERT_EQUAL(r.err_code, AK_HW_ERR_BAD_DESC);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "BAD_DESC"));
    check_good_job_runs(d, "a bad descriptor");
    job_free(&w);
    ak_drv_close(d);
}

/* ---- the memory side: a TLM-2.0 target ------------------------------------------------- */

/* A job of 2 heads x 150 tokens, d 64, window mask: several K/V tiles per query tile. */
static void traffic_job(job_data *w)
{
    const ak_pattern win = {.kind = AK_PATTERN_WINDOW, .window = 2};
    CU_ASSERT_EQUAL_FATAL(job_make(w, 2, 150, 150, 64, 32, &win, AK_LOGITS_GAUSS1, 11, NULL),
                          AK_OK);
}

static void test_tlm_memory_traffic(void)
{
    job_data w;
    traffic_job(&w);
    int8_t *ref = malloc(w.outs);
    CU_ASSERT_FATAL(ref && ak_attention(&w.job, ref, NULL, 1) == AK_OK);
    /* the plain harness's counts: the independent reference for the cycles */
    ak_drv *dv = open_verilator(20, 0, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dv);
    ak_drv_result rv;
    double secs = 0;
    CU_ASSERT_EQUAL(run_against(dv, &w, ref, &rv, &secs), 0);
    ak_drv_close(dv);
    for (int no_dmi = 0; no_dmi <= 1; no_dmi++) {
        ak_drv *ds = open_sc_rtl_opts(0, no_dmi);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
        ak_sc_rtl *s = ak_drv_backend(ds)->ctx;
        ak_drv_result rs;
        /* the job goes in and the output comes out through the TLM memory's backdoor */
        CU_ASSERT_EQUAL(run_against(ds, &w, ref, &rs, &secs), 0);
        CU_ASSERT_EQUAL(rs.cycles, rv.cycles);
        CU_ASSERT_EQUAL(rs.stalls, rv.stalls);
        CU_ASSERT_EQUAL(rs.macs, rv.macs);
        CU_ASSERT_EQUAL(rs.waited, rv.waited);
        ak_sc_rtl_tlm_stats t;
        ak_mem_stats ms;
        ak_sc_rtl_get_tlm_stats(s, &t);
        ak_sc_rtl_mem_stats(s, &ms);
        printf("\n  DMI %s: %llu cycles (verilator %llu); TLM memory: %llu b_transport, %llu DMI "
               "grants; bridge: %llu beats by DMI, %llu by b_transport; timing model: %llu read "
               "+ %llu write beats",
               no_dmi ? "refused" : "allowed", (unsigned long long)rs.cycles,
               (unsigned long long)rv.cycles, (unsigned long long)t.transactions,
               (unsigned long long)t.dmi_grants, (unsigned long long)t.dmi_beats,
               (unsigned long long)t.transport_beats, (unsigned long long)ms.read_beats,
               (unsigned long long)ms.write_beats);
        /* every beat the RTL moved went through the socket (a read beat is fetched in each
           cycle it is offered, so at least once) */
        CU_ASSERT(ms.read_beats > 0 && ms.write_beats > 0);
        CU_ASSERT(t.dmi_beats + t.transport_beats >= ms.read_beats + ms.write_beats);
        CU_ASSERT_EQUAL(t.errors, 0);
        CU_ASSERT_EQUAL(ms.slverr_beats, 0);
        if (no_dmi) {
            CU_ASSERT_EQUAL(t.dmi_grants, 0);
            CU_ASSERT_EQUAL(t.dmi_beats, 0);
            CU_ASSERT_EQUAL(t.transactions, t.transport_beats);
        } else {
            CU_ASSERT(t.transactions > 0); /* the first beat, which brings the DMI hint */
            CU_ASSERT(t.dmi_grants > 0);
            CU_ASSERT(t.dmi_beats > t.transport_beats);
        }
        ak_drv_close(ds);
    }
    free(ref);
    job_free(&w);
}

/* A job whose K (read) or O (write) buffer starts at the end of memory: on the plain harness
 * and on sc-rtl, the same error code and counters; on sc-rtl the TLM memory answered errors. */
static void test_tlm_memory_slverr(void)
{
    static const struct {
        const char *what;
        uint32_t field;
    } cases[] = {{"K outside memory", AK_DESC_K_LO_OFFSET}, {"O outside memory", AK_DESC_O_LO_OFFSET}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ak_drv *d[2] = {open_verilator(20, 0, 0, NULL), open_sc_rtl(0)};
        ak_drv_result r[2];
        for (int b = 0; b < 2; b++) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(d[b]);
            job_data w;
            good_job(&w);
            ak_job_layout lay;
            CU_ASSERT_EQUAL_FATAL(ak_drv_load(d[b], &w.job, &lay), AK_OK);
            drv_put32(d[b], lay.desc + cases[c].field, (uint32_t)ak_drv_backend(d[b])->mem_size);
            CU_ASSERT_EQUAL(ak_drv_start(d[b], lay.desc), AK_OK);
            CU_ASSERT_EQUAL(ak_drv_wait(d[b], ak_drv_budget(d[b], &w.job), &r[b]), AK_EHW);
            CU_ASSERT_EQUAL(r[b].err_code, AK_HW_ERR_MEM_RESPONSE);
            job_free(&w);
        }
        CU_ASSERT_EQUAL(ak_drv_backend(d[0])->mem_size, ak_drv_backend(d[1])->mem_size);
        CU_ASSERT_EQUAL(r[0].cycles, r[1].cycles);
        CU_ASSERT_EQUAL(r[0].waited, r[1].waited);
        ak_sc_rtl_tlm_stats t;
        ak_mem_stats ms;
        ak_sc_rtl_get_tlm_stats(ak_drv_backend(d[1])->ctx, &t);
        ak_sc_rtl_mem_stats(ak_drv_backend(d[1])->ctx, &ms);
        printf("\n  %s: ERR %u on both, cycles %llu / %llu; TLM error responses %llu, SLVERR "
               "beats %llu", cases[c].what, r[1].err_code, (unsigned long long)r[0].cycles,
               (unsigned long long)r[1].cycles, (unsigned long long)t.errors,
               (unsigned long long)ms.slverr_beats);
        /* each SLVERR beat is an error response of the TLM memory (a read beat is fetched in
           each cycle it is offered, so at least once) */
        CU_ASSERT(ms.slverr_beats > 0);
        CU_ASSERT(t.errors >= ms.slverr_beats);
        check_good_job_runs(d[1], cases[c].what);
        ak_drv_close(d[0]);
        ak_drv_close(d[1]);
    }
}

int ak_test_register(void)
{
    return AK_SUITE("sc_rtl",
                    {"TLM-2.0 -> AXI4-Lite bridge: CSRs, errors, cycles, one open", test_csr_bridge},
                    {"hang within a 10-cycle budget, hardware error code", test_hang_and_error},
                    {"memory is a TLM target: DMI and b_transport, same bytes and cycles",
                     test_tlm_memory_traffic},
                    {"a beat outside the TLM memory: SLVERR, the RTL's error code",
                     test_tlm_memory_slverr},
                    {"random jobs: bit-exact, the same counters as verilator", test_random_both},
                    {"golden sets: the same counters as verilator (CLI)", test_golden_both});
}
