/* The TLM-2.0 model of the accelerator (sim/systemc/ak_tlm_accel, docs/systemc.md) through the
 * host driver's tlm backend, held against the reference model, the cycle model and the
 * Verilated RTL:
 * - CSRs: every register's reset value and every unmapped offset as the Verilated RTL answers
 *   them; byte strobes, read-only writes, W1C, the interrupt, TLM_ADDRESS_ERROR_RESPONSE for
 *   unmapped addresses; start while busy and abort while busy as the RTL behaves;
 * - jobs: every golden set through `attnkit sim --backend tlm` and `--backend verilator` side by
 *   side (same cycles, stalls, MACs; simulated time = cycles x period); >= 200 seeded random
 *   jobs bit-exact with ak_attention and cycle-exact with the cycle model (simulated time
 *   included), one in 12 also on the RTL with equal cycles, some over b_transport only (no DMI);
 *   jittered memory: one cycle-model draw per job;
 * - bad input: the RTL's illegal jobs with the RTL's error codes, a cycle budget too small
 *   reported as a hang (never a hang), time advancing without events.
 * AK_TLM_SEED and AK_TLM_CONFIGS override the random run (it prints both to reproduce). */
#define _POSIX_C_SOURCE 200809L
#include <cJSON.h>
#include <glob.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ak_driver.h"
#include "backend_tlm.h"
#include "backend_verilator.h"
#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "attnkit/cycle_model.h"
#include "attnkit_csr.h"
#include "attnkit_desc.h"
#include "attnkit_err.h"
#include "sim_jobs.h"
#include "systemc/ak_tlm_sim.h"

#define OFF(reg) ((uint32_t)offsetof(attnkit_csr_t, reg))
#define CLOCK_PS 4000u /* the backend's default clock */
#define TLM_ADDRESS_ERROR (-2) /* tlm::TLM_ADDRESS_ERROR_RESPONSE */

/* ---- backends ------------------------------------------------------------------------------ */

static ak_drv *open_tlm(const ak_tlm_opts *to, uint64_t max_cycles)
{
    const ak_drv_config dc = {.max_cycles = max_cycles};
    ak_backend be;
    ak_drv *d = NULL;
    char err[256] = "";
    if (ak_backend_tlm_open(to, &be, err, sizeof err) != AK_OK ||
        ak_drv_open(&be, &dc, &d, err, sizeof err) != AK_OK)
        printf("\n  opening the TLM model: %s\n", err);
    return d;
}

/* Shared: the TLM model (DMI), the TLM model over b_transport only, the Verilated RTL; all
 * with the deterministic memory of latency 20. */
static ak_drv *drv_tlm, *drv_nodmi, *drv_rtl;

static ak_drv *tlm(void)
{
    if (!drv_tlm)
        drv_tlm = open_tlm(&(ak_tlm_opts){.latency = 20}, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(drv_tlm);
    return drv_tlm;
}

static ak_drv *nodmi(void)
{
    if (!drv_nodmi)
        drv_nodmi = open_tlm(&(ak_tlm_opts){.latency = 20, .no_dmi = 1}, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(drv_nodmi);
    return drv_nodmi;
}

static ak_drv *rtl(void)
{
    if (!drv_rtl)
        drv_rtl = open_verilator(20, 0, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(drv_rtl);
    return drv_rtl;
}

static int clean(void)
{
    ak_drv_close(drv_tlm);
    ak_drv_close(drv_nodmi);
    ak_drv_close(drv_rtl);
    drv_tlm = drv_nodmi = drv_rtl = NULL;
    return 0;
}

static ak_tlm *tlm_of(ak_drv *d)
{
    return ak_drv_backend(d)->ctx;
}

static uint32_t rd(ak_drv *d, uint32_t addr)
{
    const ak_backend *be = ak_drv_backend(d);
    uint32_t v = 0xdeadbeef;
    CU_ASSERT_EQUAL(be->csr_read(be->ctx, addr, &v), AK_OK);
    return v;
}

static void wr(ak_drv *d, uint32_t addr, uint32_t v)
{
    const ak_backend *be = ak_drv_backend(d);
    CU_ASSERT_EQUAL(be->csr_write(be->ctx, addr, v), AK_OK);
}

static ak_cycle_report predicted(const job_data *w, const ak_drv_result *r, uint32_t latency,
                                 uint64_t jitter_seed)
{
    ak_hw_config hw;
    ak_mem_timing mt;
    ak_hw_config_default(&hw);
    ak_mem_timing_default(&mt);
    mt.latency = latency;
    mt.jitter_seed = jitter_seed;
    ak_cycle_report rep = {0};
    const char *why = NULL;
    if (ak_cycle_model_run(&hw, &mt, w->job.heads, w->job.nq, w->job.nk, w->job.d, w->job.mask,
                           &r->layout, &rep, NULL, &why) != AK_OK)
        printf("\n  cycle model: %s\n", why ? why : "?");
    return rep;
}

static uint64_t last_job_ps(ak_drv *d)
{
    ak_tlm_stats st;
    ak_tlm_get_stats(tlm_of(d), &st);
    return st.last_job_ps;
}

/* ---- CSRs ---------------------------------------------------------------------------------- */

/* Fresh devices: every offset of the window's first 64 bytes and the last word read the same on
 * the TLM model and the RTL (value and OK / error response). */
#define FIELD_OF(v, f) (((v) & ATTNKIT_CSR__CAPS__##f##_bm) >> ATTNKIT_CSR__CAPS__##f##_bp)

static void test_csr_reset_like_rtl(void)
{
    ak_backend t, r;
    char err[128];
    CU_ASSERT_EQUAL_FATAL(ak_backend_tlm_open(NULL, &t, err, sizeof err), AK_OK);
    CU_ASSERT_EQUAL_FATAL(ak_backend_verilator_open(NULL, &r, err, sizeof err), AK_OK);
    uint32_t addrs[20], n = 0;
    for (uint32_t a = 0; a <= sizeof(attnkit_csr_t); a += 4)
        addrs[n++] = a;
    addrs[n++] = 0xfc;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t vt = 1, vr = 2;
        const int st = t.csr_read(t.ctx, addrs[i], &vt), sr = r.csr_read(r.ctx, addrs[i], &vr);
        if (addrs[i] == OFF(CAPS)) { /* the TLM model has the pruning unit, the RTL not yet */
            CU_ASSERT_EQUAL(FIELD_OF(vt, PRUNE), 1u);
            vt &= ~ATTNKIT_CSR__CAPS__PRUNE_bm;
            vr &= ~ATTNKIT_CSR__CAPS__PRUNE_bm;
        }
        if (st != sr || (st == AK_OK && vt != vr))
            printf("\n  offset 0x%02x: tlm %d 0x%08x, rtl %d 0x%08x\n", addrs[i], st, vt, sr, vr);
        CU_ASSERT_EQUAL(st, sr);
        if (st == AK_OK)
            CU_ASSERT_EQUAL(vt, vr);
    }
    uint32_t v;
    CU_ASSERT_EQUAL(t.csr_read(t.ctx, OFF(ID), &v), AK_OK);
    CU_ASSERT_EQUAL(v, ATTNKIT_CSR__ID__MAGIC_reset);
    CU_ASSERT_EQUAL(t.csr_read(t.ctx, OFF(STATUS), &v), AK_OK);
    CU_ASSERT_EQUAL(v, 0u);
    CU_ASSERT_EQUAL(t.csr_read(t.ctx, OFF(CAPS), &v), AK_OK);
    CU_ASSERT_EQUAL((v & ATTNKIT_CSR__CAPS__PE_ROWS_bm) >> ATTNKIT_CSR__CAPS__PE_ROWS_bp, 16u);
    CU_ASSERT_EQUAL((v & ATTNKIT_CSR__CAPS__MAX_HEAD_DIM_bm) >> ATTNKIT_CSR__CAPS__MAX_HEAD_DIM_bp,
                    128u);
    /* writes: unmapped fails on both, read-only is ignored on both */
    CU_ASSERT_EQUAL(t.csr_write(t.ctx, 0xfc, 1), r.csr_write(r.ctx, 0xfc, 1));
    CU_ASSERT_EQUAL(t.csr_write(t.ctx, 0xfc, 1), AK_EADDRESS);
    CU_ASSERT_EQUAL(t.csr_write(t.ctx, OFF(ID), 0), AK_OK);
    CU_ASSERT_EQUAL(t.csr_read(t.ctx, OFF(ID), &v), AK_OK);
    CU_ASSERT_EQUAL(v, ATTNKIT_CSR__ID__MAGIC_reset);
    t.close(t.ctx);
    r.close(r.ctx);
}

/* The register unit test of the RTL (tests/rtl/test_rtl_csr.c) on the TLM model's C API:
 * strobes, start reading back 0, W1C and the interrupt, TLM_ADDRESS_ERROR_RESPONSE. */
static void test_csr_unit_behaviour(void)
{
    ak_tlm *s = NULL;
    CU_ASSERT_EQUAL_FATAL(ak_tlm_open(NULL, &s), AK_OK);
    uint32_t v = 0;
    CU_ASSERT_EQUAL(ak_tlm_csr_write(s, OFF(DESC_ADDR_LO), 0x11223340u), AK_OK);
    CU_ASSERT_EQUAL(ak_tlm_csr_write(s, OFF(DESC_ADDR_HI), 0x5u), AK_OK);
    CU_ASSERT_EQUAL(ak_tlm_csr_write_strb(s, OFF(DESC_ADDR_LO), 0xaabbccddu, 0x5), AK_OK);
    CU_ASSERT_EQUAL(ak_tlm_csr_read(s, OFF(DESC_ADDR_LO), &v), AK_OK);
    CU_ASSERT_EQUAL(v, 0x11bb33ddu);
    /* unmapped: the hole before CYCLES_LO, the end of the map, the window's last word, outside
       the window, reads and writes: TLM_ADDRESS_ERROR_RESPONSE */
    const uint64_t holes[] = {0x1c, sizeof(attnkit_csr_t), 0xfc, 0x100, 0x10000};
    for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++)
        for (int w = 0; w < 2; w++) {
            uint8_t data[4] = {1, 0, 0, 0};
            int resp = 0;
            CU_ASSERT_EQUAL(ak_tlm_csr_transport(s, w, holes[i], data, 4, &resp), AK_EADDRESS);
            CU_ASSERT_EQUAL(resp, TLM_ADDRESS_ERROR);
        }
    CU_ASSERT_EQUAL(ak_tlm_csr_read(s, 0x1c, &v), AK_EADDRESS);
    /* a start with a misaligned descriptor: the job ends at once with MISALIGNED; start reads
       back 0, irq_en 1; done and the interrupt until done is written 1 (0 leaves it) */
    CU_ASSERT_EQUAL(ak_tlm_csr_write(s, OFF(CTRL),
                                     ATTNKIT_CSR__CTRL__START_bm | ATTNKIT_CSR__CTRL__IRQ_EN_bm),
                    AK_OK);
    CU_ASSERT_EQUAL(ak_tlm_csr_read(s, OFF(CTRL), &v), AK_OK);
    CU_ASSERT_EQUAL(v, ATTNKIT_CSR__CTRL__IRQ_EN_bm);
    uint64_t c = 0;
    CU_ASSERT_EQUAL(ak_tlm_run_until_irq(s, 1000, &c), AK_OK);
    CU_ASSERT(c < 1000);
    CU_ASSERT_EQUAL(ak_tlm_irq(s), 1);
    CU_ASSERT_EQUAL(ak_tlm_csr_read(s, OFF(STATUS), &v), AK_OK);
    CU_ASSERT_EQUAL(v, ATTNKIT_CSR__STATUS__DONE_bm | ATTNKIT_CSR__STATUS__ERROR_bm);
    CU_ASSERT_EQUAL(ak_tlm_csr_read(s, OFF(ERR), &v), AK_OK);
    CU_ASSERT_EQUAL(v, AK_HW_ERR_MISALIGNED);
    CU_ASSERT_EQUAL(ak_tlm_csr_write(s, OFF(STATUS), 0), AK_OK);
    CU_ASSERT_EQUAL(ak_tlm_irq(s), 1);
    CU_ASSERT_EQUAL(ak_tlm_csr_write(s, OFF(STATUS), ATTNKIT_CSR__STATUS__DONE_bm), AK_OK);
    CU_ASSERT_EQUAL(ak_tlm_irq(s), 0);
    CU_ASSERT_EQUAL(ak_tlm_csr_read(s, OFF(STATUS), &v), AK_OK);
    CU_ASSERT_EQUAL(v, ATTNKIT_CSR__STATUS__ERROR_bm); /* error stays until the next job ends */
    /* interrupt disabled: done without an interrupt, the wait times out at its budget */
    CU_ASSERT_EQUAL(ak_tlm_csr_write(s, OFF(CTRL), ATTNKIT_CSR__CTRL__START_bm), AK_OK);
    CU_ASSERT_EQUAL(ak_tlm_run_until_irq(s, 500, &c), AK_ETIMEOUT);
    CU_ASSERT_EQUAL(c, 500);
    CU_ASSERT_EQUAL(ak_tlm_csr_read(s, OFF(STATUS), &v), AK_OK);
    CU_ASSERT(v & ATTNKIT_CSR__STATUS__DONE_bm);
    ak_tlm_close(s);
}

/* Start while busy (ignored) and abort while busy (ABORTED), on the TLM model and the RTL with
 * the same CSR sequence: the same STATUS, ERR and, for the ignored start, CYCLES. */
static void busy_sequence(ak_drv *d, int abort, uint32_t *status, uint32_t *err, uint64_t *cycles,
                          uint64_t *jobs_cycles)
{
    job_data w;
    good_job(&w);
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_drv_load(d, &w.job, &lay), AK_OK);
    CU_ASSERT_EQUAL(ak_drv_start(d, lay.desc), AK_OK);
    CU_ASSERT(rd(d, OFF(STATUS)) & ATTNKIT_CSR__STATUS__BUSY_bm);
    const ak_backend *be = ak_drv_backend(d);
    uint64_t waited = 0;
    CU_ASSERT_EQUAL(be->wait_irq(be->ctx, 100, &waited), AK_ETIMEOUT); /* well inside the job */
    CU_ASSERT(rd(d, OFF(STATUS)) & ATTNKIT_CSR__STATUS__BUSY_bm);
    CU_ASSERT_EQUAL(ak_drv_start(d, lay.desc), AK_EBUSY); /* the driver refuses ... */
    wr(d, OFF(CTRL), (abort ? ATTNKIT_CSR__CTRL__ABORT_bm : ATTNKIT_CSR__CTRL__START_bm) |
                         ATTNKIT_CSR__CTRL__IRQ_EN_bm); /* ... the device decides */
    CU_ASSERT_EQUAL(be->wait_irq(be->ctx, 1000000, &waited), AK_OK);
    *status = rd(d, OFF(STATUS));
    *err = rd(d, OFF(ERR));
    *cycles = (uint64_t)rd(d, OFF(CYCLES_HI)) << 32 | rd(d, OFF(CYCLES_LO));
    wr(d, OFF(STATUS), ATTNKIT_CSR__STATUS__DONE_bm);
    /* the device is idle and takes the next job */
    ak_drv_result r;
    CU_ASSERT_EQUAL(job_run_compare(d, &w, NULL, NULL, &r), 0);
    *jobs_cycles = r.cycles;
    job_free(&w);
}

static void test_busy_like_rtl(void)
{
    for (int abort = 0; abort < 2; abort++) {
        uint32_t st[2], er[2];
        uint64_t cy[2], good[2];
        busy_sequence(tlm(), abort, &st[0], &er[0], &cy[0], &good[0]);
        busy_sequence(rtl(), abort, &st[1], &er[1], &cy[1], &good[1]);
        printf("\n  %s while busy: tlm STATUS 0x%x ERR %u CYCLES %llu; rtl STATUS 0x%x ERR %u "
               "CYCLES %llu", abort ? "abort" : "start", st[0], er[0], (unsigned long long)cy[0],
               st[1], er[1], (unsigned long long)cy[1]);
        CU_ASSERT_EQUAL(st[0], st[1]);
        CU_ASSERT_EQUAL(er[0], er[1]);
        CU_ASSERT_EQUAL(er[0], abort ? AK_HW_ERR_ABORTED : AK_HW_ERR_NONE);
        if (!abort) /* the ignored start changed nothing: the first job's cycles */
            CU_ASSERT_EQUAL(cy[0], cy[1]);
        CU_ASSERT_EQUAL(good[0], good[1]);
    }
    printf("\n");
}

/* ---- jobs ---------------------------------------------------------------------------------- */

/* `attnkit sim --json --threads N` on dir with a backend: the document, or NULL when it did
 * not pass. */
static cJSON *cli_sim(const char *dir, const char *backend, const char *threads)
{
    static char buf[1 << 18];
    const char *args[] = {"sim", "--vectors", dir, "--backend", backend, "--json", "--threads",
                          threads, NULL};
    const int rc = ak_test_run_cli(buf, sizeof buf, args);
    cJSON *j = cJSON_Parse(buf);
    const cJSON *failed = cJSON_GetObjectItemCaseSensitive(j, "failed");
    const cJSON *be = cJSON_GetObjectItemCaseSensitive(j, "backend");
    if (rc != 0 || !cJSON_IsNumber(failed) || failed->valueint != 0 || !cJSON_IsString(be) ||
        strcmp(be->valuestring, backend)) {
        printf("\n  attnkit sim --vectors %s --backend %s: exit %d\n%.3000s\n", dir, backend, rc, buf);
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(j) ? j->valuedouble : -1;
}

static void test_golden_side_by_side(void)
{
    glob_t g;
    golden_sets(&g);
    unsigned layers = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *dir = g.gl_pathv[i];
        /* every other set with the cycle model on a thread beside the reference model's */
        cJSON *t = cli_sim(dir, "tlm", i % 2 ? "2" : "1"), *r = cli_sim(dir, "verilator", "1");
        CU_ASSERT_PTR_NOT_NULL(t);
        CU_ASSERT_PTR_NOT_NULL(r);
        if (t && r) {
            const cJSON *lt = cJSON_GetObjectItemCaseSensitive(t, "layers");
            const cJSON *lr = cJSON_GetObjectItemCaseSensitive(r, "layers");
            CU_ASSERT_EQUAL(cJSON_GetArraySize(lt), cJSON_GetArraySize(lr));
            for (int k = 0; k < cJSON_GetArraySize(lt) && k < cJSON_GetArraySize(lr); k++) {
                const cJSON *a = cJSON_GetArrayItem(lt, k), *b = cJSON_GetArrayItem(lr, k);
                const char *keys[] = {"cycles", "stall_cycles", "macs", "mismatches"};
                for (size_t q = 0; q < 4; q++)
                    if (jnum(a, keys[q]) != jnum(b, keys[q])) {
                        printf("\n  %s layer %d: %s tlm %.0f rtl %.0f\n", dir, k + 1, keys[q],
                               jnum(a, keys[q]), jnum(b, keys[q]));
                        CU_FAIL("tlm != rtl");
                    }
                CU_ASSERT_EQUAL(jnum(a, "simulated_ps"), jnum(b, "cycles") * CLOCK_PS);
                CU_ASSERT(cJSON_IsTrue(
                    cJSON_GetObjectItemCaseSensitive(a, "simulated_time_is_cycles_x_period")));
                layers++;
            }
        }
        cJSON_Delete(t);
        cJSON_Delete(r);
    }
    globfree(&g);
    printf("\n  %u golden layers: tlm (1 or 2 host threads) == rtl (bytes, cycles, stalls, "
           "MACs)\n", layers);
}

/* Random jobs (sim_jobs.h, the same space as test_sim.c's): on the TLM model every output byte
 * as ak_attention, cycles, stalls and MACs as the cycle model, simulated time = cycles x period;
 * one in 12 also on the RTL (same bytes and counters); one in 5 over b_transport only. */
static void test_random_jobs(void)
{
    static const random_job_space space = {.max_tokens = 300, .block_sizes = 4, .edges = 1,
                                           .causal = 1};
    random_jobs gen;
    const uint64_t count = random_jobs_start(&gen, &space, "AK_TLM", 20261202, 240);
    uint64_t failures = 0, on_rtl = 0, cycles = 0, over_bt = 0;
    double tlm_s = 0, rtl_s = 0;
    for (uint64_t i = 0; i < count; i++) {
        random_job c;
        random_jobs_next(&gen, &c);
        ak_drv *dv = i % 5 == 4 ? nodmi() : tlm();
        over_bt += dv == drv_nodmi;
        char cfg[256];
        random_job_describe(&c, dv == drv_nodmi ? " (b_transport only)" : "", cfg, sizeof cfg);
        job_data w;
        if (random_job_build(&c, cfg, &w) != 0)
            continue;
        ak_drv_result res;
        int8_t *out_t = malloc(w.outs), *out_r = malloc(w.outs);
        CU_ASSERT_FATAL(out_t && out_r);
        clock_t t0 = clock();
        const uint64_t bad = job_run_compare(dv, &w, NULL, out_t, &res);
        tlm_s += (double)(clock() - t0) / CLOCKS_PER_SEC;
        int ok = bad == 0;
        if (bad == 0) {
            const ak_cycle_report pred = predicted(&w, &res, 20, 0);
            const uint64_t ps = last_job_ps(dv);
            if (pred.cycles != res.cycles || pred.stall_cycles != res.stalls ||
                pred.macs != res.macs || ps != res.cycles * CLOCK_PS) {
                printf("  %s: %llu cycles, %llu stalls, %llu MACs, %llu ps; the cycle model: "
                       "%llu, %llu, %llu\n",
                       cfg, (unsigned long long)res.cycles, (unsigned long long)res.stalls,
                       (unsigned long long)res.macs, (unsigned long long)ps,
                       (unsigned long long)pred.cycles, (unsigned long long)pred.stall_cycles,
                       (unsigned long long)pred.macs);
                ok = 0;
            }
            cycles += res.cycles;
        }
        if (ok && i % 12 == 0) {
            ak_drv_result rr;
            t0 = clock();
            const uint64_t bad_r = job_run_compare(rtl(), &w, NULL, out_r, &rr);
            rtl_s += (double)(clock() - t0) / CLOCKS_PER_SEC;
            on_rtl++;
            if (bad_r || memcmp(out_t, out_r, w.outs) || rr.cycles != res.cycles ||
                rr.stalls != res.stalls || rr.macs != res.macs) {
                printf("  %s: RTL %llu cycles, %llu stalls, %llu MACs; TLM %llu, %llu, %llu\n",
                       cfg, (unsigned long long)rr.cycles, (unsigned long long)rr.stalls,
                       (unsigned long long)rr.macs, (unsigned long long)res.cycles,
                       (unsigned long long)res.stalls, (unsigned long long)res.macs);
                ok = 0;
            }
        }
        if (!ok) {
            failures++;
            printf("  %s: FAILED\n", cfg);
        }
        free(out_t);
        free(out_r);
        job_free(&w);
    }
    ak_tlm_stats sd, sb;
    ak_tlm_get_stats(tlm_of(tlm()), &sd);
    ak_tlm_get_stats(tlm_of(nodmi()), &sb);
    printf("  %llu jobs on the TLM model (%llu over b_transport only), %llu of them also on the "
           "RTL; %llu failed; %llu cycles; host time: TLM %.2f s, RTL %.2f s\n",
           (unsigned long long)count, (unsigned long long)over_bt, (unsigned long long)on_rtl,
           (unsigned long long)failures, (unsigned long long)cycles, tlm_s, rtl_s);
    printf("  memory accesses: DMI platform %llu through DMI, %llu b_transport; the other %llu "
           "DMI, %llu b_transport\n",
           (unsigned long long)sd.dmi_accesses, (unsigned long long)sd.transactions,
           (unsigned long long)sb.dmi_accesses, (unsigned long long)sb.transactions);
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(count < 200 || on_rtl >= 20);
    CU_ASSERT(sd.dmi_grants >= 1 && sd.dmi_accesses > 0);
    CU_ASSERT(sb.dmi_accesses == 0 && sb.transactions > 0);
}

/* A jittered memory: each job one draw of the cycle model's jitter (seed, seed + 1, ...). */
static void test_jittered_memory(void)
{
    const uint64_t seed = 99;
    ak_drv *d = open_tlm(&(ak_tlm_opts){.latency = 7, .jitter_seed = seed}, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const ak_pattern pats[] = {{.kind = AK_PATTERN_DENSE}, {.kind = AK_PATTERN_CAUSAL}};
    for (uint64_t i = 0; i < 4; i++) {
        job_data w;
        CU_ASSERT_EQUAL_FATAL(job_make(&w, 2, 100 + 30 * (uint32_t)i, 120, 64, 32, &pats[i % 2],
                                       AK_LOGITS_GAUSS1, i, NULL),
                              AK_OK);
        ak_drv_result r;
        CU_ASSERT_EQUAL(job_run_compare(d, &w, NULL, NULL, &r), 0);
        const ak_cycle_report pj = predicted(&w, &r, 7, seed + i), p0 = predicted(&w, &r, 7, 0);
        CU_ASSERT_EQUAL(r.cycles, pj.cycles);
        CU_ASSERT(r.cycles > p0.cycles); /* the jitter only adds delays */
        CU_ASSERT_EQUAL(last_job_ps(d), r.cycles * CLOCK_PS);
        job_free(&w);
    }
    ak_drv_close(d);
}

/* ---- bad input ----------------------------------------------------------------------------- */

typedef struct {
    const char *what;
    uint32_t field;       /* byte offset from the descriptor (or from kv_idx / kv_off) */
    int kv;               /* 1: patch the kv-block list, 2: the kv_off words */
    uint32_t value;       /* new 32-bit value; with mask: new value of the masked bits */
    uint32_t mask;
    uint64_t desc_offset; /* start at desc + this */
    uint32_t code;
} bad_case;

/* The illegal job on one device: the ERR code it ends with (or 0xffff when it did not end in
 * an error), then a good job must run. */
static uint32_t bad_job_code(ak_drv *dv, const bad_case *k)
{
    job_data w;
    good_job(&w);
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_drv_load(dv, &w.job, &lay), AK_OK);
    if (k->desc_offset == 0) { /* the kv list of this job is 0 1 2 per query block */
        const uint64_t at = (k->kv == 1 ? lay.kv_idx : k->kv == 2 ? lay.kv_off : lay.desc) + k->field;
        const uint32_t old = drv_get32(dv, at);
        drv_put32(dv, at, k->mask ? (old & ~k->mask) | k->value : k->value);
    }
    ak_drv_result r;
    CU_ASSERT_EQUAL(ak_drv_start(dv, lay.desc + k->desc_offset), AK_OK);
    const ak_status st = ak_drv_wait(dv, ak_drv_budget(dv, &w.job), &r);
    const uint32_t code = st == AK_EHW ? r.err_code : 0xffff;
    if (st != AK_EHW || !strstr(r.msg, ak_hw_err_name(r.err_code) ? ak_hw_err_name(r.err_code) : "?"))
        printf("\n  %s on %s: %s: %s\n", k->what, ak_drv_backend(dv)->name, ak_strerror(st), r.msg);
    CU_ASSERT_EQUAL(job_run_compare(dv, &w, NULL, NULL, &r), 0);
    job_free(&w);
    return code;
}

static void test_illegal_jobs_like_rtl(void)
{
    const uint64_t beyond = ak_drv_backend(tlm())->mem_size;
    CU_ASSERT_EQUAL(beyond, ak_drv_backend(rtl())->mem_size);
    const uint32_t hd = ((1u << AK_DESC_SHAPE_HEAD_DIM_WIDTH) - 1) << AK_DESC_SHAPE_HEAD_DIM_LSB;
    const uint32_t bl = ((1u << AK_DESC_SHAPE_BLOCK_WIDTH) - 1) << AK_DESC_SHAPE_BLOCK_LSB;
    const bad_case cases[] = {
        {"zero query tokens", AK_DESC_NQ_OFFSET, 0, 0, 0, 0, AK_HW_ERR_ZERO_TOKENS},
        {"zero key tokens", AK_DESC_NK_OFFSET, 0, 0, 0, 0, AK_HW_ERR_ZERO_TOKENS},
        {"zero heads", AK_DESC_HEADS_OFFSET, 0, 0, 0, 0, AK_HW_ERR_ZERO_TOKENS},
        {"65537 key tokens", AK_DESC_NK_OFFSET, 0, 65537, 0, 0, AK_HW_ERR_ZERO_TOKENS},
        {"head dim 256 (0 in its 8-bit field)", AK_DESC_SHAPE_OFFSET, 0,
         (256u << AK_DESC_SHAPE_HEAD_DIM_LSB) & hd, hd, 0, AK_HW_ERR_HEAD_DIM},
        {"head dim 48", AK_DESC_SHAPE_OFFSET, 0, 48u << AK_DESC_SHAPE_HEAD_DIM_LSB, hd, 0,
         AK_HW_ERR_HEAD_DIM},
        {"block 48", AK_DESC_SHAPE_OFFSET, 0, 48u << AK_DESC_SHAPE_BLOCK_LSB, bl, 0,
         AK_HW_ERR_BLOCK_SIZE},
        {"misaligned descriptor address", 0, 0, 0, 0, 8, AK_HW_ERR_MISALIGNED},
        {"misaligned Q address", AK_DESC_Q_LO_OFFSET, 0, 32, 63, 0, AK_HW_ERR_MISALIGNED},
        {"misaligned O address", AK_DESC_O_LO_OFFSET, 0, 16, 63, 0, AK_HW_ERR_MISALIGNED},
        {"misaligned kv_idx address", AK_DESC_KV_IDX_LO_OFFSET, 0, 4, 63, 0, AK_HW_ERR_MISALIGNED},
        {"kv index out of range", 0, 1, 3, 0, 0, AK_HW_ERR_INDEX_RANGE},
        {"kv list not ascending", 4, 1, 0, 0, 0, AK_HW_ERR_INDEX_RANGE},
        {"kv_off words descending", 4, 2, 0, 0, 0, AK_HW_ERR_INDEX_RANGE},
        {"a kv list longer than the hardware holds", 12, 2, 1000, 0, 0, AK_HW_ERR_INDEX_RANGE},
        {"bad magic", AK_DESC_MAGIC_OFFSET, 0, 0x54494B41u, 0, 0, AK_HW_ERR_BAD_DESC},
        {"bad version", AK_DESC_VERSION_OFFSET, 0, AK_DESC_VERSION_VERSION_RESET + 1, 0, 0,
         AK_HW_ERR_BAD_DESC},
        {"descriptor outside memory", 0, 0, 0, 0, beyond - 4096, AK_HW_ERR_MEM_RESPONSE},
        {"K outside memory", AK_DESC_K_LO_OFFSET, 0, (uint32_t)beyond, 0, 0,
         AK_HW_ERR_MEM_RESPONSE},
        {"O outside memory", AK_DESC_O_LO_OFFSET, 0, (uint32_t)beyond, 0, 0,
         AK_HW_ERR_MEM_RESPONSE},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const uint32_t t = bad_job_code(tlm(), &cases[c]), r = bad_job_code(rtl(), &cases[c]);
        if (t != cases[c].code || r != cases[c].code)
            printf("\n  %s: expected ERR %u, TLM %u, RTL %u\n", cases[c].what, cases[c].code, t, r);
        CU_ASSERT_EQUAL(t, cases[c].code);
        CU_ASSERT_EQUAL(r, cases[c].code);
    }
}

static void test_budget_timeout(void)
{
    ak_drv *dv = tlm();
    job_data w;
    good_job(&w);
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_drv_load(dv, &w.job, &lay), AK_OK);
    CU_ASSERT_EQUAL(ak_drv_start(dv, lay.desc), AK_OK);
    ak_drv_result r;
    CU_ASSERT_EQUAL(ak_drv_wait(dv, 10, &r), AK_EHANG);
    CU_ASSERT_EQUAL(r.waited, 10);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "hang: no interrupt within the budget of 10 cycles"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "aborted, idle"));
    CU_ASSERT_EQUAL(job_run_compare(dv, &w, NULL, NULL, &r), 0);
    /* a configured budget of 10 cycles through ak_drv_run */
    ak_drv *d10 = open_tlm(NULL, 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d10);
    int8_t *out = malloc(w.outs);
    CU_ASSERT_EQUAL(ak_drv_run(d10, &w.job, out, &r), AK_EHANG);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "hang"));
    free(out);
    ak_drv_close(d10);
    /* nothing to wait for: a budget of 10^12 cycles passes in no host time (no events) */
    ak_tlm *s = tlm_of(dv);
    const uint64_t before = ak_tlm_cycles(s);
    uint64_t c = 0;
    const clock_t t0 = clock();
    CU_ASSERT_EQUAL(ak_tlm_run_until_irq(s, 1000000000000ull, &c), AK_ETIMEOUT);
    CU_ASSERT_EQUAL(c, 1000000000000ull);
    CU_ASSERT_EQUAL(ak_tlm_cycles(s) - before, 1000000000000ull);
    CU_ASSERT((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    job_free(&w);
}

/* The TLM model has the pruning unit (CAPS.prune = 1, the reference model's pruning and
 * eviction): ak_drv_run_prune reads back what the reference model computes, and attnkit sim
 * checks the golden pruning and eviction layers value by value; a changed expected value fails
 * the layer with the first difference named. */
static void test_pruning_outputs(void)
{
    ak_drv *dv = tlm();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dv);
    CU_ASSERT_EQUAL(ak_drv_get_info(dv)->prune, 1);
    job_data w;
    good_job(&w);
    int8_t *out = malloc(w.outs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    /* EViT at 50 %: the CLS row's probabilities, as ak_prune_tokens */
    const ak_prune_job evit = {.mode = AK_PRUNE_EVIT, .keep_ppm = 500000};
    ak_drv_prune_out po;
    ak_drv_result r;
    CU_ASSERT_EQUAL_FATAL(ak_drv_run_prune(dv, &w.job, &evit, out, &po, &r), AK_OK);
    uint16_t cls[2 * 40];
    ak_prune_result pr;
    CU_ASSERT_EQUAL_FATAL(ak_attention_probs(&w.job, 0, 1, cls), AK_OK);
    CU_ASSERT_EQUAL_FATAL(ak_prune_tokens(cls, 2, 40, 500000, &pr), AK_OK);
    CU_ASSERT_EQUAL(po.n_kept, pr.n_kept);
    CU_ASSERT_EQUAL(po.n_fused, pr.n_pruned);
    for (uint32_t j = 0; j < 40; j++)
        CU_ASSERT_EQUAL(po.score[j], pr.score[j]);
    CU_ASSERT(!memcmp(po.kept, pr.kept, 4ull * pr.n_kept));
    CU_ASSERT(!memcmp(po.fused, pr.fused_w, 2ull * pr.n_pruned));
    ak_prune_result_free(&pr);
    ak_drv_prune_out_free(&po);
    /* the driver refuses a spec out of range before the device sees it */
    const ak_prune_job bad = {.mode = AK_PRUNE_EVICT, .budget = 4, .sinks = 4, .recent = 8,
                              .window = 8};
    CU_ASSERT_EQUAL(ak_drv_run_prune(dv, &w.job, &bad, out, &po, &r), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "budget"));
    free(out);
    job_free(&w);

    cJSON *j = cli_sim("vectors/golden/evict-n96", "tlm", "1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "layers"), 0);
    const cJSON *pj = cJSON_GetObjectItemCaseSensitive(l0, "prune");
    CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pj, "checked")));
    CU_ASSERT_EQUAL(jnum(pj, "values"), 96 + 40);
    CU_ASSERT_EQUAL(jnum(pj, "mismatches"), 0);
    cJSON_Delete(j);
    j = cli_sim("vectors/golden/ragged-prune-n197", "tlm", "1");
    CU_ASSERT_PTR_NOT_NULL(j);
    cJSON_Delete(j);

    /* a copy with kept[17] of layer 1 one higher: FAIL, the difference named */
    char tmpl[] = "/tmp/ak_test_tlm_prune_XXXXXX", cmd[256], path[128], err[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    snprintf(cmd, sizeof cmd, "cp -r vectors/golden/evict-n96 %s/set", tmpl);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    snprintf(path, sizeof path, "%s/set/layer01/kv_kept.npy", tmpl);
    ak_npy a;
    CU_ASSERT_EQUAL_FATAL(ak_npy_read(path, &a, err, sizeof err), AK_OK);
    const uint32_t want = ((uint32_t *)a.data)[17];
    ((uint32_t *)a.data)[17]++;
    CU_ASSERT_EQUAL_FATAL(ak_npy_write(path, &a, err, sizeof err), AK_OK);
    ak_npy_free(&a);
    static char buf[1 << 16];
    snprintf(path, sizeof path, "%s/set", tmpl);
    /* a wrong expected value, not a corrupted directory: the manifest says this file */
    CU_ASSERT_EQUAL_FATAL(ak_test_reseal_vectors(path, 1, "kv_kept.npy"), 0);
    const char *args[] = {"sim", "--vectors", path, "--backend", "tlm", "--layer", "1", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 1);
    char line[128];
    snprintf(line, sizeof line, "first kept[17] = %u, expected %u", want, want + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "layer 1 FAIL"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, line));
    if (!strstr(buf, line))
        printf("\n  wanted \"%s\" in:\n%s\n", line, buf);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* The pruning unit's checks on the TLM model (the RTL's land with ak_prune.sv): parameters out
 * of range end in ERR PRUNE, a region off a beat in MISALIGNED, a region over another in
 * REGION_OVERLAP, each with the driver's message from the generated error text; a good job
 * runs after each. */
static void test_pruning_errors_tlm(void)
{
    ak_drv *dv = tlm();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dv);
    static const struct {
        const char *what;
        ak_prune_job p;
        uint32_t field, value; /* then this descriptor word patched (field 0: none) */
        int at_desc;           /* value is the descriptor's address (plus value) */
        uint32_t code;
    } cases[] = {
        {"mode 3", {AK_PRUNE_EVIT, 500000, 0, 0, 0, 0}, AK_DESC_PRUNE_OFFSET, 3, 0,
         AK_HW_ERR_PRUNE},
        {"keep rate 0 ppm", {AK_PRUNE_EVIT, 500000, 0, 0, 0, 0}, AK_DESC_KEEP_OFFSET, 0, 0,
         AK_HW_ERR_PRUNE},
        {"keep rate above 10^6 ppm", {AK_PRUNE_EVIT, 500000, 0, 0, 0, 0}, AK_DESC_KEEP_OFFSET,
         AK_PPM + 1, 0, AK_HW_ERR_PRUNE},
        {"budget below sinks + recent", {AK_PRUNE_EVICT, 0, 20, 4, 8, 4}, AK_DESC_BUDGET_OFFSET,
         11, 0, AK_HW_ERR_PRUNE},
        {"window 0", {AK_PRUNE_EVICT, 0, 20, 4, 8, 4}, AK_DESC_WINDOW_OFFSET, 0, 0,
         AK_HW_ERR_PRUNE},
        {"window above nq", {AK_PRUNE_EVICT, 0, 20, 4, 8, 4}, AK_DESC_WINDOW_OFFSET, 41, 0,
         AK_HW_ERR_PRUNE},
        {"score region misaligned", {AK_PRUNE_EVIT, 500000, 0, 0, 0, 0},
         AK_DESC_SCORE_LO_OFFSET, 0, 2, AK_HW_ERR_MISALIGNED},
        {"score region over the descriptor", {AK_PRUNE_EVIT, 500000, 0, 0, 0, 0},
         AK_DESC_SCORE_LO_OFFSET, 0, 1, AK_HW_ERR_REGION_OVERLAP},
        {"kept region over score", {AK_PRUNE_EVICT, 0, 20, 4, 8, 4}, AK_DESC_KEPT_LO_OFFSET, 0,
         3, AK_HW_ERR_REGION_OVERLAP},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        job_data w;
        good_job(&w);
        ak_job_layout lay;
        CU_ASSERT_EQUAL_FATAL(ak_drv_load_prune(dv, &w.job, &cases[c].p, &lay), AK_OK);
        const uint32_t v = cases[c].at_desc == 1   ? (uint32_t)lay.desc
                           : cases[c].at_desc == 2 ? (uint32_t)lay.score + 4
                           : cases[c].at_desc == 3 ? (uint32_t)lay.score
                                                   : cases[c].value;
        drv_put32(dv, lay.desc + cases[c].field, v);
        ak_drv_result r;
        CU_ASSERT_EQUAL(ak_drv_start(dv, lay.desc), AK_OK);
        const ak_status st = ak_drv_wait(dv, ak_drv_budget_prune(dv, &w.job, &cases[c].p), &r);
        const char *name = ak_hw_err_name(cases[c].code), *text = ak_hw_err_text(cases[c].code);
        if (st != AK_EHW || r.err_code != cases[c].code)
            printf("\n  %s: %s: %s\n", cases[c].what, ak_strerror(st), r.msg);
        CU_ASSERT_EQUAL(st, AK_EHW);
        CU_ASSERT_EQUAL(r.err_code, cases[c].code);
        CU_ASSERT_PTR_NOT_NULL(name && strstr(r.msg, name));
        CU_ASSERT_PTR_NOT_NULL(text && strstr(r.msg, text));
        job_free(&w);
        check_good_job_runs(dv, cases[c].what);
    }
}

int ak_test_register(void)
{
    CU_pSuite s = CU_add_suite("tlm", NULL, clean);
    return !s ||
           !CU_add_test(s, "CSRs of a fresh device read as on the RTL", test_csr_reset_like_rtl) ||
           !CU_add_test(s, "CSR unit behaviour: strobes, W1C, irq, address error response",
                        test_csr_unit_behaviour) ||
           !CU_add_test(s, "start and abort while busy as on the RTL", test_busy_like_rtl) ||
           !CU_add_test(s, "golden sets: tlm and verilator side by side", test_golden_side_by_side) ||
           !CU_add_test(s, "random jobs: bytes, cycles, time; a subset on the RTL", test_random_jobs) ||
           !CU_add_test(s, "jittered memory: one cycle-model draw per job", test_jittered_memory) ||
           !CU_add_test(s, "illegal jobs: the RTL's error codes", test_illegal_jobs_like_rtl) ||
           !CU_add_test(s, "a budget too small is a timeout, not a hang", test_budget_timeout) ||
           !CU_add_test(s, "pruning outputs: read back, checked by attnkit sim", test_pruning_outputs) ||
           !CU_add_test(s, "pruning errors: PRUNE, MISALIGNED, REGION_OVERLAP", test_pruning_errors_tlm);
}
