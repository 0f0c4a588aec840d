/* Reset and CTRL.abort in the middle of a job, on the Verilated accelerator (rtl/ak_top.sv) and
 * its AXI4 memory model (docs/architecture.md, "Abort and reset"):
 * - directed: abort while idle (no effect), abort right after done (no effect), start and
 *   abort in one CTRL write while idle (the job runs), the driver's ak_drv_abort (idle, a
 *   running job, a budget too short), and the regression cases of the bugs this test found;
 * - seeded random injections: a random small job (pruning and eviction jobs among them, every
 *   mask pattern, 1..3 heads) on one of four memories (latencies 3, 20 and 40 with 16 bytes a
 *   cycle, and a jittered one) is started, and at a random cycle of its run (cycle 0, the
 *   descriptor fetch and check, the last cycles, the pruning phase, anywhere) gets (a)
 *   CTRL.abort, (b) a reset, (c) CTRL.start|abort in one write, or (d) a second abort while it
 *   drains. After (a), (c), (d): the device is idle within the drain bound, STATUS, ERR, the
 *   counters and the interrupt read as documented (ABORTED, or the job's own completion with
 *   its bit-exact output and exact cycles if it ended before the abort took), no AXI burst is
 *   left in flight and no protocol rule was broken. After (b): every CSR reads its reset value.
 *   Then the NEXT job (a fresh random job) runs through the driver: its output (and pruning
 *   regions) bit-exact against the reference model, its cycles, stalls and MACs the cycle
 *   model's exactly (deterministic memories; the jittered one: bit-exact only).
 * AK_ABORT_RUNS (default 80) and AK_ABORT_SEED override the random run (it prints both);
 * `make abort-stress` runs ABORT_RUNS (1000) of them. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ak_driver.h"
#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "attnkit/cycle_model.h"
#include "attnkit_csr.h"
#include "attnkit_err.h"
#include "backend_verilator.h"
#include "sim_jobs.h"
#include "verilator/ak_sim.h"

#define REG(r) ((uint32_t)offsetof(attnkit_csr_t, r))
#define BM(reg, f) ATTNKIT_CSR__##reg##__##f##_bm
#define ABORT BM(CTRL, ABORT)
#define START BM(CTRL, START)
#define IRQ_EN BM(CTRL, IRQ_EN)
#define BUSY BM(STATUS, BUSY)
#define DONE BM(STATUS, DONE)
#define ERROR BM(STATUS, ERROR)

/* ---- the memories ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    uint32_t latency, bpc; /* bpc 0: 64 bytes a cycle */
    uint64_t jitter;
    ak_drv *drv;
    uint32_t caps; /* CAPS as read at open */
    uint64_t protocol_errors; /* seen before the resets (which zero the memory's counters) */
    uint64_t max_drain;       /* longest abort-to-idle seen */
} device;

static device devs[] = {
    {"latency 20", 20, 0, 0, NULL, 0, 0, 0},
    {"latency 3", 3, 0, 0, NULL, 0, 0, 0},
    {"latency 40, 16 B/cycle", 40, 16, 0, NULL, 0, 0, 0},
    {"latency 7 jittered", 7, 0, 0xC0FFEE, NULL, 0, 0, 0},
};
enum { NDEV = sizeof devs / sizeof devs[0] };

static ak_drv *dev_drv(device *dv)
{
    if (!dv->drv) {
        const ak_verilator_opts vo = {.latency = dv->latency, .jitter_seed = dv->jitter,
                                      .bytes_per_cycle = dv->bpc};
        ak_backend be;
        char err[256] = "";
        if (ak_backend_verilator_open(&vo, &be, err, sizeof err) != AK_OK ||
            ak_drv_open(&be, NULL, &dv->drv, err, sizeof err) != AK_OK)
            printf("\n  opening the Verilated RTL (%s): %s\n", dv->name, err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dv->drv);
        CU_ASSERT_EQUAL(ak_sim_csr_read(ak_drv_backend(dv->drv)->ctx, REG(CAPS), &dv->caps),
                        AK_OK);
    }
    return dv->drv;
}

static ak_sim *dev_sim(device *dv)
{
    return ak_drv_backend(dev_drv(dv))->ctx;
}

static uint32_t csr(ak_sim *s, uint32_t reg)
{
    uint32_t v = 0xDEADBEEFu;
    CU_ASSERT_EQUAL(ak_sim_csr_read(s, reg, &v), AK_OK);
    return v;
}

static void csr_w(ak_sim *s, uint32_t reg, uint32_t v)
{
    CU_ASSERT_EQUAL(ak_sim_csr_write(s, reg, v), AK_OK);
}

static uint64_t csr64(ak_sim *s, uint32_t lo, uint32_t hi)
{
    const uint64_t l = csr(s, lo);
    return l | (uint64_t)csr(s, hi) << 32;
}

/* AXI protocol errors of the memory so far (also those before its last reset). */
static uint64_t protocol_errors(device *dv)
{
    ak_mem_stats st;
    ak_sim_mem_stats(dev_sim(dv), &st);
    if (st.protocol_errors)
        printf("\n  %s: AXI protocol errors: %llu, the first: %s\n", dv->name,
               (unsigned long long)st.protocol_errors, st.first_protocol_error);
    return dv->protocol_errors + st.protocol_errors;
}

/* The stated bound (docs/architecture.md, "Abort and reset"): after the abort reaches the
 * controller, busy drops once the reads in flight (at most 8 bursts of 64 beats and the rest
 * of the read master's command, at most 256 beats) and the write command in flight (at most 32
 * beats) are answered: 2 L + 800 c + 16 cycles, L the memory's longest latency (3x with
 * jitter), c its cycles a beat (twice that with jitter's stalls). */
static uint64_t drain_bound(const device *dv)
{
    const uint64_t lat = dv->latency * (dv->jitter ? 3u : 1u);
    const uint64_t cpb = (64 + (dv->bpc ? dv->bpc : 64) - 1) / (dv->bpc ? dv->bpc : 64);
    return 2 * lat + (768 + 32) * cpb * (dv->jitter ? 2u : 1u) + 16;
}

/* The cycle model on dv's memory (without its jitter), the layout lay (its prune mode). */
static ak_cycle_report predict(const device *dv, const job_data *w, const ak_job_layout *lay)
{
    ak_hw_config hw;
    ak_mem_timing mt;
    ak_hw_config_default(&hw);
    ak_mem_timing_default(&mt);
    mt.latency = dv->latency;
    if (dv->bpc)
        mt.bytes_per_cycle = dv->bpc;
    ak_cycle_report rep = {0};
    const char *why = NULL;
    if (ak_cycle_model_run(&hw, &mt, w->job.heads, w->job.nq, w->job.nk, w->job.d, w->job.mask,
                           lay, &rep, NULL, &why) != AK_OK) {
        printf("\n  cycle model: %s\n", why ? why : "?");
        CU_FAIL("cycle model");
    }
    return rep;
}

/* ---- checks shared by the tests ------------------------------------------------------------ */

/* Every CSR at its reset value (CAPS: the hardware's constants), the interrupt low, the bus
 * quiet. 0 if so, else 1 with the first difference printed under what. */
static int check_reset_values(device *dv, const char *what)
{
    ak_sim *s = dev_sim(dv);
    const struct {
        const char *name;
        uint32_t reg, want;
    } regs[] = {
        {"ID", REG(ID), ATTNKIT_CSR__ID__MAGIC_reset},
        {"VERSION", REG(VERSION),
         ATTNKIT_CSR__VERSION__NUMERICS_reset << ATTNKIT_CSR__VERSION__NUMERICS_bp |
             ATTNKIT_CSR__VERSION__MINOR_reset << ATTNKIT_CSR__VERSION__MINOR_bp |
             ATTNKIT_CSR__VERSION__MAJOR_reset << ATTNKIT_CSR__VERSION__MAJOR_bp},
        {"CTRL", REG(CTRL), ATTNKIT_CSR__CTRL__IRQ_EN_reset << ATTNKIT_CSR__CTRL__IRQ_EN_bp},
        {"STATUS", REG(STATUS),
         ATTNKIT_CSR__STATUS__BUSY_reset << ATTNKIT_CSR__STATUS__BUSY_bp |
             ATTNKIT_CSR__STATUS__DONE_reset << ATTNKIT_CSR__STATUS__DONE_bp |
             ATTNKIT_CSR__STATUS__ERROR_reset << ATTNKIT_CSR__STATUS__ERROR_bp},
        {"ERR", REG(ERR), ATTNKIT_CSR__ERR__CODE_reset},
        {"DESC_ADDR_LO", REG(DESC_ADDR_LO), ATTNKIT_CSR__DESC_ADDR_LO__ADDR_reset},
        {"DESC_ADDR_HI", REG(DESC_ADDR_HI), ATTNKIT_CSR__DESC_ADDR_HI__ADDR_reset},
        {"CYCLES_LO", REG(CYCLES_LO), ATTNKIT_CSR__CYCLES_LO__COUNT_reset},
        {"CYCLES_HI", REG(CYCLES_HI), ATTNKIT_CSR__CYCLES_HI__COUNT_reset},
        {"STALLS_LO", REG(STALLS_LO), ATTNKIT_CSR__STALLS_LO__COUNT_reset},
        {"STALLS_HI", REG(STALLS_HI), ATTNKIT_CSR__STALLS_HI__COUNT_reset},
        {"MACS_LO", REG(MACS_LO), ATTNKIT_CSR__MACS_LO__COUNT_reset},
        {"MACS_HI", REG(MACS_HI), ATTNKIT_CSR__MACS_HI__COUNT_reset},
        {"CAPS", REG(CAPS), dv->caps},
    };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        const uint32_t v = csr(s, regs[i].reg);
        if (v != regs[i].want) {
            printf("\n  %s: after the reset %s = 0x%x, expected 0x%x\n", what, regs[i].name, v,
                   regs[i].want);
            return 1;
        }
    }
    if (ak_sim_irq(s) || ak_sim_mem_outstanding(s) || ak_sim_axi_valid(s)) {
        printf("\n  %s: after the reset irq %d, %u bursts outstanding, valid %d\n", what,
               ak_sim_irq(s), ak_sim_mem_outstanding(s), ak_sim_axi_valid(s));
        return 1;
    }
    return 0;
}

/* No burst in flight, no valid driven, no protocol error; 0 if so. */
static int check_bus_quiet(device *dv, const char *what)
{
    ak_sim *s = dev_sim(dv);
    const unsigned out = ak_sim_mem_outstanding(s);
    const int valid = ak_sim_axi_valid(s);
    const uint64_t perr = protocol_errors(dv);
    if (out || valid || perr) {
        printf("\n  %s: idle with %u bursts outstanding, a valid driven %d, %llu protocol "
               "errors\n",
               what, out, valid, (unsigned long long)perr);
        return 1;
    }
    return 0;
}

/* The device's output of w (laid out at lay) and its pruning regions (pj NULL: none) equal the
 * reference's; 0 if so. */
static int check_outputs(device *dv, const job_data *w, const ak_prune_job *pj,
                         const ak_job_layout *lay, const char *what)
{
    ak_drv *d = dev_drv(dv);
    int8_t *out = malloc(w->outs ? w->outs : 1), *ref = malloc(w->outs ? w->outs : 1);
    CU_ASSERT_FATAL(out && ref);
    int bad = ak_drv_read_output(d, &w->job, lay, out) != AK_OK ||
              ak_attention(&w->job, ref, NULL, 1) != AK_OK;
    if (!bad && memcmp(out, ref, w->outs) != 0) {
        uint64_t i = 0;
        while (out[i] == ref[i])
            i++;
        printf("\n  %s: output byte %llu is %d, expected %d\n", what, (unsigned long long)i,
               out[i], ref[i]);
        bad = 1;
    }
    if (!bad && pj && pj->mode != AK_PRUNE_NONE) {
        prune_expect x = {0};
        ak_drv_prune_out o = {0};
        bad = !prune_reference(w, pj, &x) || ak_drv_read_prune(d, lay, w->job.nk, &o) != AK_OK ||
              prune_compare(what, &x, &o, w->job.nk);
        prune_expect_free(&x);
        ak_drv_prune_out_free(&o);
    }
    free(out);
    free(ref);
    return bad;
}

/* The counters equal the cycle model's (a deterministic memory); 0 if so. */
static int check_counters(const device *dv, uint64_t cycles, uint64_t stalls, uint64_t macs,
                          const ak_cycle_report *pred, const char *what)
{
    if (dv->jitter || (cycles == pred->cycles && stalls == pred->stall_cycles &&
                       macs == pred->macs))
        return 0;
    printf("\n  %s: %llu cycles, %llu stalls, %llu MACs; the cycle model predicts %llu, %llu, "
           "%llu\n",
           what, (unsigned long long)cycles, (unsigned long long)stalls,
           (unsigned long long)macs, (unsigned long long)pred->cycles,
           (unsigned long long)pred->stall_cycles, (unsigned long long)pred->macs);
    return 1;
}

/* A random job's prune spec: every other job prunes or evicts when the device can and its nk
 * fits (mode none otherwise). */
static ak_prune_job job_prune(device *dv, ak_rng *r, uint64_t i, const random_job *c)
{
    const ak_prune_job none = {.mode = AK_PRUNE_NONE};
    if (!(dv->caps & BM(CAPS, PRUNE)) || c->nk > AK_MAX_PRUNE_TOKENS || ak_rng_below(r, 2))
        return none;
    return random_prune(r, i, c->heads, c->nq, c->nk);
}

/* Runs w (prune spec pj) through the driver on dv and checks it: the run, the output and the
 * pruning regions against the reference, the counters against the cycle model. 0 if right. */
static int run_checked(device *dv, const job_data *w, const ak_prune_job *pj, const char *what)
{
    ak_drv *d = dev_drv(dv);
    ak_drv_result res;
    int8_t *out = malloc(w->outs ? w->outs : 1);
    CU_ASSERT_FATAL(out != NULL);
    const ak_status st = ak_drv_run_prune(d, &w->job, pj, out, NULL, &res);
    int bad = 0;
    if (st != AK_OK || res.err_code) {
        printf("\n  %s: run failed: %s %s\n", what, ak_strerror(st), res.msg);
        bad = 1;
    }
    if (!bad)
        bad = check_outputs(dv, w, pj, &res.layout, what);
    if (!bad) {
        const ak_cycle_report pred = predict(dv, w, &res.layout);
        bad = check_counters(dv, res.cycles, res.stalls, res.macs, &pred, what);
    }
    free(out);
    return bad;
}

/* ---- directed -------------------------------------------------------------------------------- */

/* Loads the good job (2 heads x 40 tokens) on dv; its layout in *lay. */
static void load_good(device *dv, job_data *w, ak_job_layout *lay)
{
    good_job(w);
    CU_ASSERT_EQUAL_FATAL(ak_drv_load(dev_drv(dv), &w->job, lay), AK_OK);
}

/* CTRL.abort while idle changes nothing: STATUS, ERR and the counters keep their values, no
 * interrupt, no bus activity; then a job runs right. */
static void test_abort_idle(void)
{
    device *dv = &devs[0];
    ak_sim *s = dev_sim(dv);
    ak_sim_reset(s);
    for (int after_job = 0; after_job < 2; after_job++) {
        const uint32_t st0 = csr(s, REG(STATUS)), err0 = csr(s, REG(ERR));
        const uint64_t cy0 = csr64(s, REG(CYCLES_LO), REG(CYCLES_HI));
        ak_mem_stats m0, m1;
        ak_sim_mem_stats(s, &m0);
        csr_w(s, REG(CTRL), ABORT | IRQ_EN);
        ak_sim_step(s, 64);
        ak_sim_mem_stats(s, &m1);
        CU_ASSERT_EQUAL(csr(s, REG(STATUS)), st0);
        CU_ASSERT_EQUAL(csr(s, REG(ERR)), err0);
        CU_ASSERT_EQUAL(csr64(s, REG(CYCLES_LO), REG(CYCLES_HI)), cy0);
        CU_ASSERT_EQUAL(ak_sim_irq(s), 0);
        CU_ASSERT_EQUAL(m1.read_bursts, m0.read_bursts);
        CU_ASSERT_EQUAL(m1.write_bursts, m0.write_bursts);
        CU_ASSERT_EQUAL(check_bus_quiet(dv, "abort while idle"), 0);
        if (!after_job)
            CU_ASSERT_EQUAL(st0 | err0 | cy0, 0); /* straight after the reset */
        job_data w;
        good_job(&w);
        CU_ASSERT_EQUAL(run_checked(dv, &w, NULL, "a job after an abort while idle"), 0);
        job_free(&w);
    }
}

/* CTRL.abort right after a job's end (done not yet cleared) changes nothing: the job's STATUS
 * (done, no error), ERR NONE, its counters, the interrupt stays high, the output is right. */
static void test_abort_after_done(void)
{
    device *dv = &devs[0];
    ak_sim *s = dev_sim(dv);
    job_data w;
    ak_job_layout lay;
    load_good(dv, &w, &lay);
    CU_ASSERT_EQUAL(ak_drv_start(dev_drv(dv), lay.desc), AK_OK);
    CU_ASSERT_EQUAL(ak_sim_run_until_irq(s, 1000000, NULL), AK_OK);
    for (int delay = 0; delay < 2; delay++) {
        csr_w(s, REG(CTRL), ABORT | IRQ_EN);
        ak_sim_step(s, delay ? 100 : 0);
        CU_ASSERT_EQUAL(csr(s, REG(STATUS)), DONE);
        CU_ASSERT_EQUAL(csr(s, REG(ERR)), AK_HW_ERR_NONE);
        CU_ASSERT_EQUAL(ak_sim_irq(s), 1);
    }
    const ak_cycle_report pred = predict(dv, &w, &lay);
    CU_ASSERT_EQUAL(check_counters(dv, csr64(s, REG(CYCLES_LO), REG(CYCLES_HI)),
                                   csr64(s, REG(STALLS_LO), REG(STALLS_HI)),
                                   csr64(s, REG(MACS_LO), REG(MACS_HI)), &pred,
                                   "abort after done"),
                    0);
    CU_ASSERT_EQUAL(check_outputs(dv, &w, NULL, &lay, "abort after done"), 0);
    csr_w(s, REG(STATUS), DONE);
    CU_ASSERT_EQUAL(ak_sim_irq(s), 0);
    CU_ASSERT_EQUAL(csr(s, REG(STATUS)), 0);
    CU_ASSERT_EQUAL(check_bus_quiet(dv, "abort after done"), 0);
    job_free(&w);
}

/* CTRL.start|abort in one write while idle: abort has no job to act on, the start is taken and
 * the job runs to its end (ERR NONE, the cycle model's cycles, the right output). */
static void test_start_abort_idle(void)
{
    device *dv = &devs[0];
    ak_sim *s = dev_sim(dv);
    job_data w;
    ak_job_layout lay;
    load_good(dv, &w, &lay);
    CU_ASSERT_EQUAL(csr(s, REG(STATUS)) & BUSY, 0);
    csr_w(s, REG(STATUS), DONE);
    csr_w(s, REG(DESC_ADDR_LO), (uint32_t)lay.desc);
    csr_w(s, REG(DESC_ADDR_HI), (uint32_t)(lay.desc >> 32));
    csr_w(s, REG(CTRL), START | ABORT | IRQ_EN);
    CU_ASSERT_EQUAL(csr(s, REG(STATUS)) & BUSY, BUSY);
    CU_ASSERT_EQUAL(ak_sim_run_until_irq(s, 1000000, NULL), AK_OK);
    CU_ASSERT_EQUAL(csr(s, REG(STATUS)), DONE);
    CU_ASSERT_EQUAL(csr(s, REG(ERR)), AK_HW_ERR_NONE);
    const ak_cycle_report pred = predict(dv, &w, &lay);
    CU_ASSERT_EQUAL(check_counters(dv, csr64(s, REG(CYCLES_LO), REG(CYCLES_HI)),
                                   csr64(s, REG(STALLS_LO), REG(STALLS_HI)),
                                   csr64(s, REG(MACS_LO), REG(MACS_HI)), &pred,
                                   "start|abort while idle"),
                    0);
    CU_ASSERT_EQUAL(check_outputs(dv, &w, NULL, &lay, "start|abort while idle"), 0);
    csr_w(s, REG(STATUS), DONE);
    job_free(&w);
}

/* ak_drv_abort: on an idle device (nothing written, AK_OK); on a running job (AK_OK, ABORTED,
 * done cleared, the next job right); with a budget shorter than the drain (AK_EHANG, then a
 * second call ends it). */
static void test_drv_abort(void)
{
    device *dv = &devs[2]; /* latency 40: a drain of more than a few cycles */
    ak_drv *d = dev_drv(dv);
    ak_sim *s = dev_sim(dv);
    ak_drv_result r;
    csr_w(s, REG(STATUS), DONE);
    CU_ASSERT_EQUAL(ak_drv_abort(d, 0, &r), AK_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "no job to abort"));
    CU_ASSERT_EQUAL(r.status_reg & BUSY, 0);
    job_data w;
    ak_job_layout lay;
    load_good(dv, &w, &lay);
    const uint64_t waits[] = {300, 3};
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(ak_drv_start(d, lay.desc), AK_OK);
        ak_sim_step(s, waits[i]);
        const ak_status st = ak_drv_abort(d, i == 0 ? 0 : 1, &r);
        if (i == 0) {
            CU_ASSERT_EQUAL(st, AK_OK);
            CU_ASSERT_EQUAL(r.err_code, AK_HW_ERR_ABORTED);
            CU_ASSERT_EQUAL(r.status_reg, DONE | ERROR);
            CU_ASSERT(r.cycles >= waits[i] && r.cycles < waits[i] + drain_bound(dv) + 50);
            CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "aborted, idle"));
        } else { /* the descriptor read is in flight: 1 cycle is too short */
            CU_ASSERT_EQUAL(st, AK_EHANG);
            CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "still busy"));
            CU_ASSERT_EQUAL(ak_drv_abort(d, 0, &r), AK_OK);
            CU_ASSERT_EQUAL(r.err_code, AK_HW_ERR_ABORTED);
        }
        CU_ASSERT_EQUAL(csr(s, REG(STATUS)), ERROR); /* done cleared; error stays */
        CU_ASSERT_EQUAL(check_bus_quiet(dv, "ak_drv_abort"), 0);
        CU_ASSERT_EQUAL(run_checked(dv, &w, NULL, "a job after ak_drv_abort"), 0);
    }
    job_free(&w);
}

static uint64_t wait_idle(ak_sim *s, int irq, uint64_t limit);

/* ---- regressions: the next job started as soon as an aborted one is idle -------------------- */

/* Loads w (prune spec pj) on dv, starts it, aborts it k cycles later (CTRL.abort alone), polls
 * STATUS until it is idle and runs nw (npj) right away through the driver: the next job must be
 * exact. Every k in [from, to) by step; returns the failures (each printed under what). */
static uint64_t abort_sweep(device *dv, const job_data *w, const ak_prune_job *pj, uint64_t from,
                            uint64_t to, uint64_t step, const job_data *nw,
                            const ak_prune_job *npj, const char *what)
{
    ak_drv *d = dev_drv(dv);
    ak_sim *s = dev_sim(dv);
    uint64_t failures = 0, aborted = 0;
    for (uint64_t k = from; k < to; k += step) {
        ak_job_layout lay;
        CU_ASSERT_EQUAL_FATAL(ak_drv_load_prune(d, &w->job, pj, &lay), AK_OK);
        CU_ASSERT_EQUAL(ak_drv_start(d, lay.desc), AK_OK);
        ak_sim_step(s, k);
        csr_w(s, REG(CTRL), ABORT);
        CU_ASSERT_NOT_EQUAL(wait_idle(s, 0, drain_bound(dv) + 64), 0);
        aborted += (csr(s, REG(ERR)) & 0xffu) == AK_HW_ERR_ABORTED;
        char at[200];
        snprintf(at, sizeof at, "%s, aborted %llu cycles after its start", what,
                 (unsigned long long)k);
        failures += (uint64_t)run_checked(dv, nw, npj, at);
    }
    CU_ASSERT(aborted > 0);
    return failures;
}

/* A job with its shape, dense, inputs from seed. */
static void shaped_job(job_data *w, uint32_t heads, uint32_t nq, uint32_t nk, uint32_t d,
                       uint64_t seed)
{
    const ak_pattern dense = {.kind = AK_PATTERN_DENSE};
    CU_ASSERT_EQUAL_FATAL(job_make(w, heads, nq, nk, d, 16, &dense, AK_LOGITS_GAUSS1, seed, NULL),
                          AK_OK);
}

/* An abort while P.V runs (d = 128: 128-cycle passes) with a short drain (latency 3): the
 * next job's MACS are its own (they were counted on for the aborted pass). */
static void test_regress_pv_macs(void)
{
    device *dv = &devs[1];
    job_data w, nw;
    shaped_job(&w, 1, 32, 128, 128, 11);
    good_job(&nw);
    const uint64_t bad = abort_sweep(dv, &w, NULL, 150, 1350, 37, &nw, NULL, "P.V sweep");
    CU_ASSERT_EQUAL(bad, 0);
    job_free(&w);
    job_free(&nw);
}

/* Aborts in the pruning unit's region check (its 37-step division) and a next job started at
 * once: the division must not run on into the next job (its verdict would end it with
 * REGION_OVERLAP, or give a pruning job the old keep count). */
static void test_regress_prune_check(void)
{
    device *dv = &devs[1];
    job_data w, nw, big;
    good_job(&w);
    good_job(&nw);
    shaped_job(&big, 2, 64, 64, 64, 12); /* its Q, K, V, O over the first job's pruning regions */
    const ak_prune_job evit = {.mode = AK_PRUNE_EVIT, .keep_ppm = 500000};
    const ak_prune_job evit2 = {.mode = AK_PRUNE_EVIT, .keep_ppm = 100000};
    uint64_t bad = abort_sweep(dv, &w, &evit, 0, 60, 2, &big, NULL, "region check, then a job");
    bad += abort_sweep(dv, &w, &evit, 0, 60, 1, &nw, &evit2, "region check, then EViT");
    CU_ASSERT_EQUAL(bad, 0);
    job_free(&w);
    job_free(&nw);
    job_free(&big);
}

/* Aborts in the pruning unit's top-k selection (256 keys: 18 passes of 17 beats) and a small
 * pruning job started at once: the old selection must not run on into the new one's. */
static void test_regress_prune_topk(void)
{
    device *dv = &devs[1];
    job_data w, nw;
    shaped_job(&w, 1, 16, 256, 32, 13);
    shaped_job(&nw, 1, 16, 16, 32, 14);
    const ak_prune_job evit = {.mode = AK_PRUNE_EVIT, .keep_ppm = 500000};
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_drv_load_prune(dev_drv(dv), &w.job, &evit, &lay), AK_OK);
    const uint64_t P = predict(dv, &w, &lay).cycles;
    /* the selection ends a few hundred cycles before the job: emit 256 tokens, three writes */
    const uint64_t bad =
        abort_sweep(dv, &w, &evit, P > 900 ? P - 900 : 0, P, 20, &nw, &evit, "top-k sweep");
    CU_ASSERT_EQUAL(bad, 0);
    job_free(&w);
    job_free(&nw);
}

/* ---- random injections ----------------------------------------------------------------------- */

enum { K_ABORT, K_RESET, K_START_ABORT, K_ABORT_TWICE, K_COUNT };
static const char *const kind_name[K_COUNT] = {"CTRL.abort", "reset", "CTRL.start|abort",
                                               "abort twice"};

typedef struct {
    uint64_t inj[K_COUNT];        /* injections by kind */
    uint64_t aborted, completed;  /* outcomes of (a), (c), (d) */
    uint64_t by_where[6];
    uint64_t inject_failures, next_failures, next_prune;
    uint64_t quick;               /* of (a), (d): the next job started at once */
} tally;

static const char *const where_name[6] = {"cycle 0", "descriptor fetch/check", "last cycles",
                                          "anywhere", "anywhere", "pruning phase"};

/* Waits for the device to leave busy after an abort (irq: with the interrupt enabled, else by
 * STATUS reads); returns the cycle it was seen idle, or 0 if it was still busy after limit. */
static uint64_t wait_idle(ak_sim *s, int irq, uint64_t limit)
{
    const uint64_t t0 = ak_sim_cycles(s);
    if (irq)
        return ak_sim_run_until_irq(s, limit, NULL) == AK_OK ? ak_sim_cycles(s) : 0;
    while (ak_sim_cycles(s) - t0 <= limit)
        if (!(csr(s, REG(STATUS)) & BUSY))
            return ak_sim_cycles(s);
    return 0;
}

/* One injection into a random job, then the next job. */
static void inject_one(ak_rng *r, random_jobs *gen, uint64_t i, tally *t)
{
    device *dv = &devs[i % NDEV];
    ak_drv *d = dev_drv(dv);
    ak_sim *s = dev_sim(dv);
    random_job c;
    random_jobs_next(gen, &c);
    const ak_prune_job pj = job_prune(dv, r, i, &c);
    const int kind = (int)ak_rng_below(r, 10) < 4 ? K_ABORT : (int)ak_rng_below(r, 3) + 1;
    /* quick: one injection in four of (a) or (d) waits for the interrupt and starts the next
       job at once (no CSR read in between), so that what an abort left running meets it */
    const int quick = (kind == K_ABORT || kind == K_ABORT_TWICE) && ak_rng_below(r, 4) == 0;
    const int irq = quick || (int)ak_rng_below(r, 4) != 0;
    char cfg[400], extra[160];
    snprintf(extra, sizeof extra, "%s, memory %s",
             pj.mode == AK_PRUNE_EVIT ? " EViT" : pj.mode == AK_PRUNE_EVICT ? " eviction" : "",
             dv->name);
    random_job_describe(&c, extra, cfg, sizeof cfg);
    job_data w;
    if (random_job_build(&c, cfg, &w) != 0) {
        t->inject_failures++;
        return;
    }
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_drv_load_prune(d, &w.job, &pj, &lay), AK_OK);
    const ak_cycle_report pred = predict(dv, &w, &lay);
    uint64_t attn_cycles = pred.cycles;
    if (pj.mode != AK_PRUNE_NONE) {
        ak_job_layout lay0 = lay;
        lay0.prune.mode = AK_PRUNE_NONE;
        attn_cycles = predict(dv, &w, &lay0).cycles;
    }
    /* where: cycles after the start's CTRL write before the injection */
    const int where = (int)ak_rng_below(r, pj.mode != AK_PRUNE_NONE ? 6 : 5);
    const uint64_t P = pred.cycles;
    uint64_t k = 0;
    switch (where) {
    case 0: k = 0; break;
    case 1: k = ak_rng_below(r, 64); break;
    case 2: k = P + 6 > 24 ? P + 6 - 24 + ak_rng_below(r, 24) : ak_rng_below(r, P + 6); break;
    case 5: k = attn_cycles + ak_rng_below(r, P - attn_cycles + 1); break;
    default: k = ak_rng_below(r, P + 1); break;
    }
    t->inj[kind]++;
    t->by_where[where]++;
    char what[600];
    snprintf(what, sizeof what, "injection %llu (%s at cycle %llu, %s, irq_en %d%s) into %s",
             (unsigned long long)i, kind_name[kind], (unsigned long long)k, where_name[where], irq,
             quick ? ", next job at once" : "", cfg);

    const uint64_t t_s0 = ak_sim_cycles(s);
    CU_ASSERT_EQUAL(ak_drv_start(d, lay.desc), AK_OK);
    const uint64_t t_s1 = ak_sim_cycles(s);
    ak_sim_step(s, k);
    const uint64_t t_a0 = ak_sim_cycles(s);
    int bad = 0;
    if (kind == K_RESET) {
        dv->protocol_errors = protocol_errors(dv);
        ak_sim_reset(s);
        bad = check_reset_values(dv, what);
    } else {
        const uint32_t ctrl = ABORT | (irq ? IRQ_EN : 0) | (kind == K_START_ABORT ? START : 0);
        csr_w(s, REG(CTRL), ctrl);
        const uint64_t t_a1 = ak_sim_cycles(s);
        if (kind == K_ABORT_TWICE) {
            ak_sim_step(s, ak_rng_below(r, 40));
            csr_w(s, REG(CTRL), ABORT | (irq ? IRQ_EN : 0));
        }
        /* (c) on a device that finished just before: the start runs the job again (done
           stays set from the first run: wait by STATUS.busy) */
        const uint64_t limit = drain_bound(dv) + 64 + (kind == K_START_ABORT ? 4 * P + 1000 : 0);
        const uint64_t t_idle = wait_idle(s, irq && kind != K_START_ABORT, limit);
        if (!t_idle) {
            printf("\n  %s: still busy %llu cycles after the abort\n", what,
                   (unsigned long long)limit);
            bad = 1;
            ak_drv_result ar;
            ak_drv_abort(d, 0, &ar); /* leave it idle for the next job */
        }
        if (quick) {
            /* the next job at once: only what costs no cycle (the interrupt's timing, the bus) */
            t->quick++;
            if (!bad && t_idle - t_a0 > drain_bound(dv) + 8) {
                printf("\n  %s: idle %llu cycles after the abort (bound %llu)\n", what,
                       (unsigned long long)(t_idle - t_a0), (unsigned long long)drain_bound(dv));
                bad = 1;
            }
            if (!bad)
                bad = check_bus_quiet(dv, what);
        } else {
            const uint32_t status = csr(s, REG(STATUS)), err = csr(s, REG(ERR)) & 0xffu;
            const uint64_t cycles = csr64(s, REG(CYCLES_LO), REG(CYCLES_HI));
            const uint64_t stalls = csr64(s, REG(STALLS_LO), REG(STALLS_HI));
            const uint64_t macs = csr64(s, REG(MACS_LO), REG(MACS_HI));
            if (!bad && err == AK_HW_ERR_ABORTED) {
                t->aborted++;
                const uint64_t drain = t_idle - t_a0;
                dv->max_drain = drain > dv->max_drain ? drain : dv->max_drain;
                /* ended by the abort: busy until the abort was written, idle by t_idle, no more
                   work than the whole job's */
                if (status != (DONE | ERROR) || cycles < t_a0 - t_s1 || cycles > t_idle - t_s0 ||
                    stalls > cycles || macs > pred.macs || drain > drain_bound(dv) + 8) {
                    printf("\n  %s: aborted with STATUS 0x%x, CYCLES %llu (busy from %llu to %llu "
                           "cycles after the start), STALLS %llu, MACS %llu (the job's %llu), idle "
                           "%llu cycles after the abort (bound %llu)\n",
                           what, status, (unsigned long long)cycles,
                           (unsigned long long)(t_a0 - t_s1), (unsigned long long)(t_idle - t_s0),
                           (unsigned long long)stalls, (unsigned long long)macs,
                           (unsigned long long)pred.macs, (unsigned long long)drain,
                           (unsigned long long)drain_bound(dv));
                    bad = 1;
                }
                if (kind == K_START_ABORT && !bad) { /* the start in the abort's word: ignored */
                    ak_mem_stats m0, m1;
                    ak_sim_mem_stats(s, &m0);
                    ak_sim_step(s, 64);
                    ak_sim_mem_stats(s, &m1);
                    if ((csr(s, REG(STATUS)) & BUSY) || m1.read_bursts != m0.read_bursts) {
                        printf("\n  %s: the start written with the abort ran a job\n", what);
                        bad = 1;
                    }
                }
            } else if (!bad && err == AK_HW_ERR_NONE) {
                /* the job ended before the abort took (or, (c), the start ran it again) */
                t->completed++;
                if (status != DONE || (kind != K_START_ABORT && cycles > t_a1 - t_s0)) {
                    printf("\n  %s: completed with STATUS 0x%x and %llu cycles although the abort "
                           "came %llu cycles after the start\n",
                           what, status, (unsigned long long)cycles,
                           (unsigned long long)(t_a1 - t_s0));
                    bad = 1;
                }
                if (!bad)
                    bad = check_counters(dv, cycles, stalls, macs, &pred, what) ||
                          check_outputs(dv, &w, &pj, &lay, what);
            } else if (!bad) {
                printf("\n  %s: ended with ERR %u (%s), STATUS 0x%x\n", what, err,
                       ak_hw_err_name(err) ? ak_hw_err_name(err) : "?", status);
                bad = 1;
            }
            /* the interrupt: CTRL.irq_en as the last CTRL write set it, and done */
            if (!bad && ak_sim_irq(s) != irq) {
                printf("\n  %s: interrupt %d with irq_en %d and done\n", what, ak_sim_irq(s), irq);
                bad = 1;
            }
            if (!bad)
                bad = check_bus_quiet(dv, what);
            csr_w(s, REG(STATUS), DONE);
            if (!bad && (ak_sim_irq(s) || (csr(s, REG(STATUS)) & (BUSY | DONE)))) {
                printf("\n  %s: clearing done left STATUS 0x%x, interrupt %d\n", what,
                       csr(s, REG(STATUS)), ak_sim_irq(s));
                bad = 1;
            }
        }
    }
    t->inject_failures += (uint64_t)bad;
    job_free(&w);

    /* the next job: a fresh random job through the driver */
    random_job n;
    random_jobs_next(gen, &n);
    const ak_prune_job npj = job_prune(dv, r, i + 1, &n);
    char ncfg[520];
    snprintf(extra, sizeof extra, "%s, memory %s, after injection %llu",
             npj.mode == AK_PRUNE_EVIT ? " EViT" : npj.mode == AK_PRUNE_EVICT ? " eviction" : "",
             dv->name, (unsigned long long)i);
    random_job_describe(&n, extra, ncfg, sizeof ncfg);
    job_data nw;
    if (random_job_build(&n, ncfg, &nw) != 0) {
        t->next_failures++;
        return;
    }
    t->next_prune += npj.mode != AK_PRUNE_NONE;
    const int nbad = run_checked(dv, &nw, &npj, ncfg);
    if (nbad)
        printf("  (the job before: %s)\n", what);
    t->next_failures += (uint64_t)nbad;
    job_free(&nw);
}

static void test_random_injections(void)
{
    static const random_job_space space = {.max_tokens = 80, .block_sizes = 3, .edges = 0,
                                           .causal = 1};
    random_jobs gen;
    /* AK_ABORT_RUNS, else AK_ABORT_CONFIGS (random_jobs_start's name), else 80 */
    const uint64_t runs = random_jobs_start(&gen, &space, "AK_ABORT", 20261203, 80);
    const char *rs = getenv("AK_ABORT_RUNS");
    const uint64_t n = rs && *rs ? strtoull(rs, NULL, 0) : runs;
    printf("  injections: AK_ABORT_RUNS=%llu (each followed by a job)\n", (unsigned long long)n);
    ak_rng r;
    ak_rng_seed(&r, ak_rng_u64(&gen.rng));
    tally t = {0};
    const time_t t0 = time(NULL);
    const clock_t c0 = clock();
    for (uint64_t i = 0; i < n; i++)
        inject_one(&r, &gen, i, &t);
    printf("  %llu injections: %llu %s, %llu %s, %llu %s, %llu %s\n", (unsigned long long)n,
           (unsigned long long)t.inj[K_ABORT], kind_name[K_ABORT],
           (unsigned long long)t.inj[K_RESET], kind_name[K_RESET],
           (unsigned long long)t.inj[K_START_ABORT], kind_name[K_START_ABORT],
           (unsigned long long)t.inj[K_ABORT_TWICE], kind_name[K_ABORT_TWICE]);
    printf("  where: %llu at cycle 0, %llu in the descriptor fetch/check, %llu in the last "
           "cycles, %llu in the pruning phase, %llu anywhere\n",
           (unsigned long long)t.by_where[0], (unsigned long long)t.by_where[1],
           (unsigned long long)t.by_where[2], (unsigned long long)t.by_where[5],
           (unsigned long long)(t.by_where[3] + t.by_where[4]));
    printf("  aborts: %llu ended ABORTED, %llu completed first, %llu followed by the next job at "
           "once; %llu injection checks failed\n",
           (unsigned long long)t.aborted, (unsigned long long)t.completed,
           (unsigned long long)t.quick, (unsigned long long)t.inject_failures);
    printf("  next jobs: %llu run (%llu pruning or eviction), %llu failed\n",
           (unsigned long long)n, (unsigned long long)t.next_prune,
           (unsigned long long)t.next_failures);
    for (int k = 0; k < NDEV; k++)
        printf("  memory %s: longest abort-to-idle %llu cycles (bound %llu)\n", devs[k].name,
               (unsigned long long)devs[k].max_drain, (unsigned long long)drain_bound(&devs[k]));
    printf("  %.1f s CPU, %lld s wall\n", (double)(clock() - c0) / CLOCKS_PER_SEC,
           (long long)(time(NULL) - t0));
    CU_ASSERT_EQUAL(t.inject_failures, 0);
    CU_ASSERT_EQUAL(t.next_failures, 0);
}

static int suite_clean(void)
{
    for (int k = 0; k < NDEV; k++)
        ak_drv_close(devs[k].drv);
    return 0;
}

int ak_test_register(void)
{
    CU_pSuite s = CU_add_suite("abort", NULL, suite_clean);
    return !s || !CU_add_test(s, "abort while idle: no effect", test_abort_idle) ||
           !CU_add_test(s, "abort right after done: no effect", test_abort_after_done) ||
           !CU_add_test(s, "start|abort while idle: the job runs", test_start_abort_idle) ||
           !CU_add_test(s, "ak_drv_abort: idle, running, budget too short", test_drv_abort) ||
           !CU_add_test(s, "regression: abort in P.V, next job's MACS", test_regress_pv_macs) ||
           !CU_add_test(s, "regression: abort in the region check, next job at once",
                        test_regress_prune_check) ||
           !CU_add_test(s, "regression: abort in the top-k, next pruning job at once",
                        test_regress_prune_topk) ||
           !CU_add_test(s, "random reset/abort injections, then the next job exact",
                        test_random_injections);
}
