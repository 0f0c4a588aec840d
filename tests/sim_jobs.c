/* The simulator tests' jobs (see sim_jobs.h). */
#define _POSIX_C_SOURCE 200809L
#include "sim_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "backend_verilator.h"

ak_status job_make(job_data *w, uint32_t heads, uint32_t nq, uint32_t nk, uint32_t d,
                   uint32_t block, const ak_pattern *p, ak_logit_dist dist, uint64_t seed,
                   const char **why)
{
    memset(w, 0, sizeof *w);
    ak_status st = ak_inputs_generate(dist, heads, nq, nk, d, seed, &w->in);
    if (st != AK_OK)
        return st;
    if (!(w->quant = calloc(heads, sizeof *w->quant)))
        return AK_ENOMEM;
    for (uint32_t h = 0; st == AK_OK && h < heads; h++) {
        w->in.scales[h].o = w->in.scales[h].v / 8.0;
        st = ak_head_quant_from_scales(&w->in.scales[h], d, &w->quant[h]);
    }
    if (st == AK_OK)
        st = ak_mask_build(p, nq, nk, block, heads, w->in.q, w->in.k, d, &w->mask, why);
    w->job = (ak_attn_job){.heads = heads, .nq = nq, .nk = nk, .d = d, .q = w->in.q,
                           .k = w->in.k, .v = w->in.v, .quant = w->quant, .mask = &w->mask};
    w->outs = (uint64_t)heads * nq * d;
    return st;
}

void job_free(job_data *w)
{
    ak_inputs_free(&w->in);
    ak_mask_free(&w->mask);
    free(w->quant);
}

void good_job(job_data *w)
{
    const ak_pattern dense = {.kind = AK_PATTERN_DENSE};
    CU_ASSERT_EQUAL_FATAL(job_make(w, 2, 40, 40, 32, 16, &dense, AK_LOGITS_GAUSS1, 5, NULL),
                          AK_OK);
}

ak_drv *open_verilator(uint32_t latency, uint64_t jitter, uint64_t max_cycles, const char *wave)
{
    const ak_verilator_opts vo = {.latency = latency, .jitter_seed = jitter, .wave = wave};
    const ak_drv_config dc = {.max_cycles = max_cycles};
    ak_backend be;
    ak_drv *d = NULL;
    char err[256] = "";
    if (ak_backend_verilator_open(&vo, &be, err, sizeof err) != AK_OK ||
        ak_drv_open(&be, &dc, &d, err, sizeof err) != AK_OK)
        printf("\n  opening the Verilated RTL: %s\n", err);
    return d;
}

uint64_t job_run_compare(ak_drv *d, const job_data *w, const int8_t *ref, int8_t *out,
                         ak_drv_result *r)
{
    int8_t *hw = out ? out : malloc(w->outs), *own_ref = ref ? NULL : malloc(w->outs);
    CU_ASSERT_FATAL(hw && (ref || own_ref));
    const char *name = ak_drv_backend(d)->name;
    uint64_t bad = UINT64_MAX;
    const ak_status st = ak_drv_run(d, &w->job, hw, r);
    if (st != AK_OK)
        printf("\n  %s: run failed: %s: %s\n", name, ak_strerror(st), r->msg);
    else if (!ref && ak_attention(&w->job, own_ref, NULL, 1) != AK_OK)
        printf("\n  the reference model failed on the job\n");
    else {
        const int8_t *want = ref ? ref : own_ref;
        bad = 0;
        for (uint64_t i = 0; i < w->outs; i++)
            if (hw[i] != want[i] && bad++ == 0)
                printf("\n  %s: first mismatch at (head %llu, row %llu, column %llu): expected %d "
                       "actual %d\n",
                       name, (unsigned long long)(i / ((uint64_t)w->job.nq * w->job.d)),
                       (unsigned long long)(i / w->job.d % w->job.nq),
                       (unsigned long long)(i % w->job.d), want[i], hw[i]);
    }
    if (!out)
        free(hw);
    free(own_ref);
    return bad;
}

void check_good_job_runs(ak_drv *d, const char *after)
{
    job_data w;
    good_job(&w);
    ak_drv_result r;
    const uint64_t bad = job_run_compare(d, &w, NULL, NULL, &r);
    if (bad)
        printf("  a good job after %s: %s\n", after, r.msg[0] ? r.msg : "output differs");
    CU_ASSERT_EQUAL(bad, 0);
    job_free(&w);
}

void check_hang_reported(ak_drv *d, const job_data *w)
{
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_drv_load(d, &w->job, &lay), AK_OK);
    CU_ASSERT_EQUAL(ak_drv_start(d, lay.desc), AK_OK);
    ak_drv_result r;
    CU_ASSERT_EQUAL(ak_drv_wait(d, 10, &r), AK_EHANG);
    CU_ASSERT_EQUAL(r.waited, 10);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "hang: no interrupt within the budget of 10 cycles"));
    check_good_job_runs(d, "a hang");
}

void drv_put32(ak_drv *d, uint64_t addr, uint32_t v)
{
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    const ak_backend *be = ak_drv_backend(d);
    CU_ASSERT_EQUAL(be->mem_write(be->ctx, addr, b, 4), AK_OK);
}

uint32_t drv_get32(ak_drv *d, uint64_t addr)
{
    uint8_t b[4] = {0};
    const ak_backend *be = ak_drv_backend(d);
    CU_ASSERT_EQUAL(be->mem_read(be->ctx, addr, b, 4), AK_OK);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void golden_sets(glob_t *g)
{
    CU_ASSERT_EQUAL_FATAL(glob("vectors/golden/*/manifest.json", 0, NULL, g), 0);
    CU_ASSERT(g->gl_pathc >= 6);
    for (size_t i = 0; i < g->gl_pathc; i++)
        *strrchr(g->gl_pathv[i], '/') = '\0';
}

/* ---- seeded random jobs ---------------------------------------------------------------- */

static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *s = getenv(name);
    return s && *s ? strtoull(s, NULL, 0) : def;
}

uint64_t random_jobs_start(random_jobs *g, const random_job_space *s, const char *env,
                           uint64_t seed, uint64_t count)
{
    char seed_var[64], count_var[64];
    snprintf(seed_var, sizeof seed_var, "%s_SEED", env);
    snprintf(count_var, sizeof count_var, "%s_CONFIGS", env);
    seed = env_u64(seed_var, seed);
    count = env_u64(count_var, count);
    printf("\n  random jobs: %s=%llu %s=%llu\n", seed_var, (unsigned long long)seed, count_var,
           (unsigned long long)count);
    g->space = *s;
    ak_rng_seed(&g->rng, seed);
    g->next = 0;
    return count;
}

void random_jobs_next(random_jobs *g, random_job *c)
{
    static const uint32_t dims[] = {32, 64, 128};
    const random_job_space *s = &g->space;
    ak_rng *r = &g->rng;
    const uint64_t i = g->next++;
    c->index = i;
    c->heads = 1 + ak_rng_below(r, 3);
    c->nq = 1 + ak_rng_below(r, s->max_tokens);
    c->nk = ak_rng_below(r, 3) == 0 ? c->nq : 1 + ak_rng_below(r, s->max_tokens);
    c->d = dims[ak_rng_below(r, 3)];
    c->block = 16u << ak_rng_below(r, s->block_sizes);
    if (s->edges && i < 5) {
        const uint32_t m = s->max_tokens, edge[][2] = {{1, 1}, {m, m}, {m, 1}, {1, m}, {m - 1, 17}};
        c->nq = edge[i][0];
        c->nk = edge[i][1];
        c->heads = i == 1 ? 3 : c->heads;
    }
    const ak_pattern_kind kind = (ak_pattern_kind)(i % AK_PATTERN_COUNT);
    c->density = 0.1 + 0.9 * (double)ak_rng_below(r, 1000) / 1000.0;
    c->seed = ak_rng_u64(r);
    const int causal = s->causal ? (int)ak_rng_below(r, 2) : 0;
    c->dist = (ak_logit_dist)ak_rng_below(r, AK_LOGITS_COUNT);
    const uint32_t kblocks = (c->nk + c->block - 1) / c->block;
    ak_pattern *p = &c->pattern;
    if (kind == AK_PATTERN_STRIDED) /* every stride (a density fit gives only those near
                                       1/density) */
        *p = (ak_pattern){.kind = kind, .stride = 1 + ak_rng_below(r, kblocks)};
    else
        CU_ASSERT_FATAL(ak_pattern_for_density(kind, c->density, kblocks, c->seed, p) == AK_OK);
    if (!s->causal)
        return;
    if (kind == AK_PATTERN_WINDOW || kind == AK_PATTERN_STRIDED || kind == AK_PATTERN_RANDOM ||
        kind == AK_PATTERN_TOPK)
        p->causal = causal;
    if (kind == AK_PATTERN_SINKS) { /* causal or the encoder form, each fitted as such */
        p->causal = causal ? AK_CAUSAL_ON : AK_CAUSAL_OFF;
        CU_ASSERT_FATAL(ak_pattern_fit_density(p, c->density, kblocks) == AK_OK);
    }
}

void random_job_describe(const random_job *c, const char *extra, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "config %llu: heads %u nq %u nk %u d %u block %u pattern %s%s density %.3f inputs %s "
             "seed %llu%s",
             (unsigned long long)c->index, c->heads, c->nq, c->nk, c->d, c->block,
             ak_pattern_name(c->pattern.kind), ak_pattern_is_causal(&c->pattern) ? " (causal)" : "",
             c->density, ak_logit_dist_name(c->dist), (unsigned long long)c->seed, extra);
}

int random_job_build(const random_job *c, const char *cfg, job_data *w)
{
    const char *why = NULL;
    const ak_status st = job_make(w, c->heads, c->nq, c->nk, c->d, c->block, &c->pattern, c->dist,
                                  c->seed, &why);
    if (st == AK_OK)
        return 0;
    printf("\n  %s: building the job: %s\n", cfg, why ? why : ak_strerror(st));
    CU_FAIL("job build");
    job_free(w);
    return -1;
}

/* ---- token pruning and KV-cache eviction jobs ---------------------------------------- */

int prune_reference(const job_data *w, const ak_prune_job *pj, prune_expect *x)
{
    const uint32_t H = w->job.heads, nq = w->job.nq, nk = w->job.nk;
    const uint32_t rows = pj->mode == AK_PRUNE_EVIT ? 1 : pj->window;
    const uint32_t row0 = pj->mode == AK_PRUNE_EVIT ? 0 : nq - rows;
    uint16_t *probs = malloc(sizeof *probs * H * rows * nk);
    *x = (prune_expect){0};
    x->score = calloc(nk, sizeof *x->score);
    int ok = probs && x->score && ak_attention_probs(&w->job, row0, rows, probs) == AK_OK;
    if (ok && pj->mode == AK_PRUNE_EVIT) {
        ak_prune_result pr;
        ok = ak_prune_tokens(probs, H, nk, pj->keep_ppm, &pr) == AK_OK;
        if (ok) {
            for (uint32_t j = 0; j < nk; j++)
                x->score[j] = (uint32_t)pr.score[j];
            x->n_kept = pr.n_kept;
            x->n_fused = pr.n_pruned;
            x->kept = malloc(sizeof *x->kept * (pr.n_kept + 1));
            x->fused = malloc(sizeof *x->fused * (pr.n_pruned + 1));
            ok = x->kept && x->fused;
            if (ok) {
                memcpy(x->kept, pr.kept, sizeof *x->kept * pr.n_kept);
                memcpy(x->fused, pr.fused_w, sizeof *x->fused * pr.n_pruned);
            }
            ak_prune_result_free(&pr);
        }
    } else if (ok) {
        ak_evict_result ev;
        ok = ak_kv_evict(probs, H, rows, nk, pj->sinks, pj->recent, pj->budget, &ev) == AK_OK;
        if (ok) {
            for (uint32_t j = 0; j < nk; j++)
                x->score[j] = (uint32_t)ev.acc[j];
            x->n_kept = ev.n_kept;
            x->kept = malloc(sizeof *x->kept * (ev.n_kept + 1));
            ok = x->kept != NULL;
            if (ok)
                memcpy(x->kept, ev.kept, sizeof *x->kept * ev.n_kept);
            ak_evict_result_free(&ev);
        }
    }
    free(probs);
    return ok;
}

void prune_expect_free(prune_expect *x)
{
    free(x->score);
    free(x->kept);
    free(x->fused);
}

/* 0 when the device's regions equal the reference's, else 1 with the first difference
 * printed under cfg. */
int prune_compare(const char *cfg, const prune_expect *x, const ak_drv_prune_out *o,
                         uint32_t nk)
{
    for (uint32_t j = 0; j < nk; j++)
        if (o->score[j] != x->score[j]) {
            printf("  %s: score of token %u = %u, expected %u\n", cfg, j, o->score[j],
                   x->score[j]);
            return 1;
        }
    if (o->n_kept != x->n_kept || o->n_fused != x->n_fused) {
        printf("  %s: %u kept, %u weights; expected %u, %u\n", cfg, o->n_kept, o->n_fused,
               x->n_kept, x->n_fused);
        return 1;
    }
    for (uint32_t i = 0; i < x->n_kept; i++)
        if (o->kept[i] != x->kept[i]) {
            printf("  %s: kept[%u] = %u, expected %u\n", cfg, i, o->kept[i], x->kept[i]);
            return 1;
        }
    for (uint32_t i = 0; i < x->n_fused; i++)
        if (o->fused[i] != x->fused[i]) {
            printf("  %s: fused weight %u = %u, expected %u\n", cfg, i, o->fused[i],
                   x->fused[i]);
            return 1;
        }
    return 0;
}

/* A random pruning or eviction spec for w's shape (every other job eviction): keep rates down
 * to one token and up to all, eviction windows, sinks, recent keys and budgets from the
 * always-kept minimum to more than nk. */
ak_prune_job random_prune(ak_rng *r, uint64_t i, uint32_t heads, uint32_t nq, uint32_t nk)
{
    ak_prune_job p = {0};
    if (i % 2 == 0) {
        static const uint32_t ppm[] = {1, 1000000, 700000, 500000, 100};
        p.mode = AK_PRUNE_EVIT;
        p.keep_ppm = i % 10 < 5 * 2 && (i / 2) % 2 ? ppm[(i / 4) % 5]
                                                   : 1 + (uint32_t)ak_rng_below(r, 1000000);
        return p;
    }
    p.mode = AK_PRUNE_EVICT;
    const uint32_t wmax = AK_MAX_PROBE_ROWS / heads < nq ? AK_MAX_PROBE_ROWS / heads : nq;
    p.window = 1 + (uint32_t)ak_rng_below(r, wmax < 40 ? wmax : 40);
    p.sinks = (uint32_t)ak_rng_below(r, 9);
    p.recent = (uint32_t)ak_rng_below(r, 17);
    const uint32_t s = p.sinks < nk ? p.sinks : nk;
    const uint32_t rc = p.recent < nk - s ? p.recent : nk - s;
    const uint32_t lo = s + rc > 0 ? s + rc : 1;
    switch (ak_rng_below(r, 4)) {
    case 0: p.budget = lo; break;
    case 1: p.budget = nk + (uint32_t)ak_rng_below(r, 4); break;
    default: p.budget = lo + (uint32_t)ak_rng_below(r, nk + 1 - (lo < nk ? lo : nk)); break;
    }
    return p;
}
