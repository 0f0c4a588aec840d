/* The accelerator's debug mode (descriptor SHAPE.ofx and OFX, docs/numerics.md section 8): it
 * writes each output's pre-requantisation value o_fx besides the int8 output, so that an error
 * in the accumulators or the divider smaller than one int8 LSB cannot hide behind the
 * rounding. On the Verilated RTL (rtl/ak_top.sv) through the host driver:
 * - seeded random jobs (ragged nq != nk, every mask pattern, causal or not, some with EViT
 *   pruning), each run in normal and in debug mode: o_fx bit-exact with ak_attention's, the
 *   int8 output bit-exact and the same in both modes, o_fx consistent with the spec's own
 *   relations recomputed here (out = sat(round_shift(o_fx M_o, sh_o), 8); o_fx inside V's
 *   range, a convex combination), and the cycles, stall cycles and MACs of both modes exactly
 *   the cycle model's;
 * - `attnkit sim --ofx` on every golden vector set: o_fx of every layer equal to o_fx.npy, and
 *   a copy of a set whose o_fx.npy is one unit off failing with --ofx while passing without;
 * - the descriptor: SHAPE.ofx 0 ignores OFX (the reserved words of older images); a
 *   misaligned OFX with SHAPE.ofx 1 is ERR MISALIGNED.
 * AK_OFX_SEED and AK_OFX_CONFIGS override the random run (it prints both to reproduce). */
#define _POSIX_C_SOURCE 200809L
#include <cJSON.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ak_driver.h"
#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "attnkit/cycle_model.h"
#include "attnkit_desc.h"
#include "attnkit_err.h"
#include "sim_jobs.h"

static ak_drv *drv;

static ak_drv *dev(void)
{
    if (!drv)
        drv = open_verilator(20, 0, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(drv);
    return drv;
}

static int clean(void)
{
    ak_drv_close(drv);
    drv = NULL;
    return 0;
}

/* The requantisation of numerics.md section 8 written out from the spec, not from the
 * library: sat(round_shift(x, s), 8) with x = o_fx * M_o, round_shift(x, s) = floor(x / 2^s)
 * + bit s-1 of x (floor division without shifting a negative value). */
static int8_t spec_requant(int32_t o_fx, int32_t mult, int shift)
{
    const int64_t x = (int64_t)o_fx * mult, p = (int64_t)1 << shift;
    int64_t q = x / p, r = x % p;
    if (r < 0) {
        q--;
        r += p;
    }
    const int64_t v = q + (shift > 0 && ((r >> (shift - 1)) & 1));
    return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
}

/* The cycle model's prediction of a run on the plain memory (latency 20) with its layout. */
static int predict(const job_data *w, const ak_job_layout *lay, ak_cycle_report *rep)
{
    ak_hw_config hw;
    ak_mem_timing mt;
    ak_hw_config_default(&hw);
    ak_mem_timing_default(&mt);
    mt.latency = 20;
    const char *why = NULL;
    if (ak_cycle_model_run(&hw, &mt, w->job.heads, w->job.nq, w->job.nk, w->job.d, w->job.mask,
                           lay, rep, NULL, &why) != AK_OK) {
        printf("\n  cycle model: %s\n", why ? why : "?");
        return -1;
    }
    return 0;
}

static int cycles_match(const char *cfg, const char *mode, const ak_drv_result *r,
                        const ak_cycle_report *p)
{
    if (p->cycles == r->cycles && p->stall_cycles == r->stalls && p->macs == r->macs)
        return 1;
    printf("  %s, %s mode: %llu cycles, %llu stalls, %llu MACs; the cycle model predicts %llu, "
           "%llu, %llu\n",
           cfg, mode, (unsigned long long)r->cycles, (unsigned long long)r->stalls,
           (unsigned long long)r->macs, (unsigned long long)p->cycles,
           (unsigned long long)p->stall_cycles, (unsigned long long)p->macs);
    return 0;
}

/* Counts of one job's checks that failed (0: all held). */
static uint64_t check_job(const char *cfg, const job_data *w, const ak_prune_job *prune,
                          uint64_t *cycles_normal, uint64_t *cycles_debug)
{
    const uint64_t n = w->outs;
    int8_t *ref = malloc(n), *out_n = malloc(n), *out_d = malloc(n);
    int32_t *ref_fx = malloc(sizeof *ref_fx * n), *fx = malloc(sizeof *fx * n);
    CU_ASSERT_FATAL(ref && out_n && out_d && ref_fx && fx);
    uint64_t bad = 0;
    ak_drv_result rn, rd;
    ak_drv_prune_out po = {0};
    const ak_status sn = ak_drv_run_prune(dev(), &w->job, prune, out_n, &po, &rn);
    ak_drv_prune_out_free(&po);
    const ak_status sd = ak_drv_run_ofx(dev(), &w->job, prune, out_d, fx, &po, &rd);
    ak_drv_prune_out_free(&po);
    if (sn != AK_OK || sd != AK_OK || ak_attention(&w->job, ref, ref_fx, 1) != AK_OK) {
        printf("  %s: run failed: normal %s (%s), debug %s (%s)\n", cfg, ak_strerror(sn), rn.msg,
               ak_strerror(sd), rd.msg);
        bad = 1;
        goto out;
    }
    /* bit-exact with the reference model, and the int8 output the same in both modes */
    uint64_t fx_bad = 0, out_bad = 0, mode_bad = 0, rq_bad = 0, range_bad = 0;
    const uint64_t per_head = (uint64_t)w->job.nq * w->job.d;
    for (uint64_t i = 0; i < n; i++) {
        const uint32_t h = (uint32_t)(i / per_head), c = (uint32_t)(i % w->job.d);
        if (fx[i] != ref_fx[i] && fx_bad++ == 0)
            printf("  %s: o_fx (head %u, row %llu, column %u) = %ld, expected %ld\n", cfg, h,
                   (unsigned long long)(i / w->job.d % w->job.nq), c, (long)fx[i],
                   (long)ref_fx[i]);
        out_bad += out_d[i] != ref[i];
        mode_bad += out_d[i] != out_n[i];
        /* the spec's relations, recomputed here */
        const ak_head_quant *q = &w->job.quant[h];
        rq_bad += spec_requant(fx[i], q->out_mult, q->out_shift) != out_d[i];
        if (fx[i] != 0) { /* 0: also a row without a valid key */
            int vmin = 127, vmax = -128;
            for (uint32_t j = 0; j < w->job.nk; j++) {
                const int v = w->job.v[(uint64_t)h * w->job.nk * w->job.d +
                                       (uint64_t)j * w->job.d + c];
                vmin = v < vmin ? v : vmin;
                vmax = v > vmax ? v : vmax;
            }
            /* a convex combination of V, give or take the rescale roundings (a few units) */
            range_bad += fx[i] < vmin * 65536 - 64 || fx[i] > vmax * 65536 + 64;
        }
    }
    if (fx_bad || out_bad || mode_bad || rq_bad || range_bad)
        printf("  %s: %llu o_fx differ from ak_attention's, %llu int8 outputs differ, %llu "
               "differ from normal mode, %llu are not requant(o_fx), %llu o_fx outside V's "
               "range\n",
               cfg, (unsigned long long)fx_bad, (unsigned long long)out_bad,
               (unsigned long long)mode_bad, (unsigned long long)rq_bad,
               (unsigned long long)range_bad);
    bad += fx_bad + out_bad + mode_bad + rq_bad + range_bad;
    /* cycles: both modes exactly as the cycle model predicts from their layouts */
    ak_cycle_report pn, pd;
    if (predict(w, &rn.layout, &pn) || predict(w, &rd.layout, &pd)) {
        bad++;
        goto out;
    }
    bad += (uint64_t)!cycles_match(cfg, "normal", &rn, &pn) +
           (uint64_t)!cycles_match(cfg, "debug", &rd, &pd);
    /* the debug mode writes o_fx, 4 bytes an output, in whole beats, and nothing else more */
    if (pd.write_bytes - pn.write_bytes != 4 * n || rd.layout.ofx_bytes != 4 * n ||
        rd.cycles < rn.cycles) {
        printf("  %s: debug mode writes %llu bytes more (expected %llu), %llu vs %llu cycles\n",
               cfg, (unsigned long long)(pd.write_bytes - pn.write_bytes),
               (unsigned long long)(4 * n), (unsigned long long)rd.cycles,
               (unsigned long long)rn.cycles);
        bad++;
    }
    *cycles_normal += rn.cycles;
    *cycles_debug += rd.cycles;
out:
    free(ref);
    free(out_n);
    free(out_d);
    free(ref_fx);
    free(fx);
    return bad;
}

/* Seeded random jobs (24 by default), each in both modes; one in four with EViT pruning
 * (keep half), whose phase follows the o_fx writes. */
static void test_random_debug_jobs(void)
{
    static const random_job_space space = {.max_tokens = 200, .block_sizes = 4, .edges = 1,
                                           .causal = 1};
    random_jobs gen;
    const uint64_t count = random_jobs_start(&gen, &space, "AK_OFX", 20261203, 24);
    uint64_t failures = 0, cn = 0, cd = 0;
    const clock_t t0 = clock();
    for (uint64_t i = 0; i < count; i++) {
        random_job c;
        random_jobs_next(&gen, &c);
        const ak_prune_job evit = {.mode = AK_PRUNE_EVIT, .keep_ppm = 500000};
        const int pruned = i % 4 == 1 && c.nk <= AK_MAX_PRUNE_TOKENS;
        char cfg[256];
        random_job_describe(&c, pruned ? " EViT keep 50%" : "", cfg, sizeof cfg);
        job_data w;
        if (random_job_build(&c, cfg, &w) != 0) {
            failures++;
            continue;
        }
        failures += check_job(cfg, &w, pruned ? &evit : NULL, &cn, &cd) != 0;
        job_free(&w);
    }
    printf("\n  %llu jobs in both modes, %llu failed; %llu cycles normal, %llu debug (+%.1f%%), "
           "%.1f s\n",
           (unsigned long long)count, (unsigned long long)failures, (unsigned long long)cn,
           (unsigned long long)cd, cn ? 100.0 * ((double)cd - (double)cn) / (double)cn : 0.0,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    CU_ASSERT_EQUAL(failures, 0);
}

static const cJSON *field(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* `attnkit sim --ofx --json` on dir: its exit status; *doc the parsed document. */
static int sim_ofx(const char *dir, int ofx, cJSON **doc)
{
    static char buf[1 << 18];
    const char *args[] = {"sim", "--vectors", dir, "--json", ofx ? "--ofx" : NULL, NULL};
    const int rc = ak_test_run_cli(buf, sizeof buf, args);
    *doc = cJSON_Parse(buf);
    if (!*doc)
        printf("\n  attnkit sim --vectors %s: exit %d\n%.2000s\n", dir, rc, buf);
    return rc;
}

/* Every golden set through `attnkit sim --ofx`: every layer PASS with every o_fx value checked
 * and equal to o_fx.npy. */
static void test_golden_sim_ofx(void)
{
    glob_t g;
    golden_sets(&g);
    CU_ASSERT(g.gl_pathc >= 5);
    uint64_t layers = 0, values = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        cJSON *doc = NULL;
        const int rc = sim_ofx(g.gl_pathv[i], 1, &doc);
        CU_ASSERT_EQUAL(rc, 0);
        const cJSON *l;
        cJSON_ArrayForEach(l, field(doc, "layers")) {
            const cJSON *o = field(l, "ofx");
            const double want = cJSON_GetNumberValue(field(l, "heads")) *
                                cJSON_GetNumberValue(field(l, "nq")) *
                                cJSON_GetNumberValue(field(l, "head_dim"));
            const char *res = cJSON_GetStringValue(field(l, "result"));
            const int ok = res && !strcmp(res, "PASS") &&
                           cJSON_GetNumberValue(field(o, "values")) == want &&
                           cJSON_GetNumberValue(field(o, "mismatches")) == 0;
            if (!ok)
                printf("\n  %s layer %.0f: %s\n", g.gl_pathv[i],
                       cJSON_GetNumberValue(field(l, "layer")), res ? res : "?");
            CU_ASSERT(ok);
            layers++;
            values += (uint64_t)want;
        }
        cJSON_Delete(doc);
    }
    printf("\n  %zu golden sets, %llu layers, %llu o_fx values equal to o_fx.npy\n", g.gl_pathc,
           (unsigned long long)layers, (unsigned long long)values);
    globfree(&g);
}

/* A copy of dense-n64 with one expected o_fx one unit off (o.npy untouched, the manifest
 * resealed): without --ofx the layer passes (the int8 output cannot see it), with --ofx it
 * FAILs with one mismatch, at that place, expected and actual one apart. */
static void test_sim_ofx_sees_one_unit(void)
{
    char tmpl[] = "/tmp/ak_test_ofx_XXXXXX", cmd[512], set[96], path[160], err[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    snprintf(set, sizeof set, "%s/set", tmpl);
    snprintf(cmd, sizeof cmd, "cp -r vectors/golden/dense-n64 %s", set);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    snprintf(path, sizeof path, "%s/layer01/o_fx.npy", set);
    ak_npy a;
    CU_ASSERT_EQUAL_FATAL(ak_npy_read(path, &a, err, sizeof err), AK_OK);
    CU_ASSERT_EQUAL_FATAL(a.ndim, 3);
    const uint64_t at = a.count / 3 + 7, d = a.shape[2], nq = a.shape[1];
    int32_t *v = a.data;
    const int32_t was = v[at];
    v[at] = was + 1;
    CU_ASSERT_EQUAL_FATAL(ak_npy_write(path, &a, err, sizeof err), AK_OK);
    ak_npy_free(&a);
    CU_ASSERT_EQUAL_FATAL(ak_test_reseal_vectors(set, 1, "o_fx.npy"), 0);
    cJSON *doc = NULL;
    CU_ASSERT_EQUAL(sim_ofx(set, 0, &doc), 0);
    cJSON_Delete(doc);
    CU_ASSERT_EQUAL(sim_ofx(set, 1, &doc), 1);
    const cJSON *l = cJSON_GetArrayItem(field(doc, "layers"), 0);
    const cJSON *o = field(l, "ofx"), *f = field(o, "first_mismatch");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(field(l, "result")), "FAIL");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(l, "mismatches")), 0);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(o, "mismatches")), 1);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(f, "head")), (double)(at / (nq * d)));
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(f, "row")), (double)(at / d % nq));
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(f, "column")), (double)(at % d));
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(f, "expected")), (double)was + 1);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(field(f, "actual")), (double)was);
    cJSON_Delete(doc);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* The descriptor's debug-mode fields, patched into a loaded (normal-mode) image of the good
 * job: OFX misaligned but SHAPE.ofx 0 runs right and writes nothing there; SHAPE.ofx 1 with a
 * misaligned OFX is ERR MISALIGNED; SHAPE.ofx 1 with an aligned OFX writes the job's o_fx
 * there, equal to ak_attention's. */
static void test_descriptor_fields(void)
{
    ak_drv *d = dev();
    job_data w;
    good_job(&w);
    const uint64_t n = w.outs;
    int8_t *ref = malloc(n);
    int32_t *ref_fx = malloc(4 * n), *got = malloc(4 * n);
    uint8_t *img = malloc(4 * n);
    CU_ASSERT_FATAL(ref && ref_fx && got && img);
    CU_ASSERT_EQUAL_FATAL(ak_attention(&w.job, ref, ref_fx, 1), AK_OK);
    const ak_backend *be = ak_drv_backend(d);
    for (int c = 0; c < 3; c++) {
        ak_job_layout lay;
        CU_ASSERT_EQUAL_FATAL(ak_drv_load(d, &w.job, &lay), AK_OK);
        const uint64_t ofx = (lay.end + 4095) / 4096 * 4096 + (c == 1 ? 32 : 0);
        memset(img, 0x5A, 4 * n);
        CU_ASSERT_EQUAL_FATAL(be->mem_write(be->ctx, ofx, img, 4 * n), AK_OK);
        const uint32_t shape = drv_get32(d, lay.desc + AK_DESC_SHAPE_OFFSET);
        drv_put32(d, lay.desc + AK_DESC_SHAPE_OFFSET,
                  c ? shape | 1u << AK_DESC_SHAPE_OFX_LSB : shape);
        drv_put32(d, lay.desc + AK_DESC_OFX_LO_OFFSET, (uint32_t)(ofx + (c == 0 ? 8 : 0)));
        drv_put32(d, lay.desc + AK_DESC_OFX_HI_OFFSET, (uint32_t)(ofx >> 32));
        ak_drv_result r;
        CU_ASSERT_EQUAL(ak_drv_start(d, lay.desc), AK_OK);
        const ak_status st = ak_drv_wait(d, 4 * ak_drv_budget(d, &w.job), &r);
        CU_ASSERT_EQUAL(be->mem_read(be->ctx, ofx, img, 4 * n), AK_OK);
        if (c == 1) {
            CU_ASSERT_EQUAL(st, AK_EHW);
            CU_ASSERT_EQUAL(r.err_code, AK_HW_ERR_MISALIGNED);
            check_good_job_runs(d, "a misaligned OFX");
            continue;
        }
        CU_ASSERT_EQUAL(st, AK_OK);
        int8_t *out = malloc(n);
        CU_ASSERT_FATAL(out != NULL);
        CU_ASSERT_EQUAL(ak_drv_read_output(d, &w.job, &lay, out), AK_OK);
        CU_ASSERT_EQUAL(memcmp(out, ref, n), 0);
        free(out);
        uint64_t untouched = 0;
        for (uint64_t i = 0; i < 4 * n; i++)
            untouched += img[i] == 0x5A;
        if (c == 0) {
            CU_ASSERT_EQUAL(untouched, 4 * n); /* SHAPE.ofx 0: OFX is not written */
        } else {
            ak_job_layout fx_lay = {.ofx = ofx, .ofx_bytes = 4 * n};
            ak_job_ofx_read(&fx_lay, img, got);
            CU_ASSERT_EQUAL(memcmp(got, ref_fx, 4 * n), 0);
        }
    }
    free(ref);
    free(ref_fx);
    free(got);
    free(img);
    job_free(&w);
}

int ak_test_register(void)
{
    CU_pSuite s = CU_add_suite("ofx", NULL, clean);
    return !s ||
           !CU_add_test(s, "descriptor: SHAPE.ofx 0 ignores OFX, misaligned OFX",
                        test_descriptor_fields) ||
           !CU_add_test(s, "random jobs in debug mode: o_fx, out, cycles",
                        test_random_debug_jobs) ||
           !CU_add_test(s, "golden sets: attnkit sim --ofx", test_golden_sim_ofx) ||
           !CU_add_test(s, "attnkit sim --ofx sees one unit of o_fx", test_sim_ofx_sees_one_unit);
}
