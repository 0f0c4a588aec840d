/* Run-and-compare (ak_run.h): a vector directory's manifest and layers read, each layer run
 * through the driver on the chosen backend, its output compared byte for byte with o.npy and
 * its counters with the cycle model's prediction: with the deterministic memory they must be
 * equal, with a jittered one (predicted from the mean of draws) within 3 %. */
#include "ak_run.h"

#include <cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attnkit/attnkit.h"
#include "attnkit/file_io.h"
#include "attnkit/vectors.h"
#include "backend_sc_rtl.h"
#include "backend_verilator.h"

/* ---- backends: how to open each, and what it reports beyond the driver's result ---------- */

typedef struct {
    const char *name;
    ak_status (*open)(const ak_run_opts *o, uint64_t mem_bytes, ak_backend *be, char *err,
                      size_t errlen);
    /* AXI protocol errors its memory saw (NULL: no AXI port) */
    void (*mem_stats)(const ak_backend *be, ak_mem_stats *st);
    /* the last job's simulated time in ps (NULL: the backend has no time, only cycles) */
    uint64_t (*job_ps)(const ak_backend *be);
    /* job cycles of the last job (NULL: the backend does not count them): cycle 0 since open,
       the accelerator's last write to a byte of o, the end of the wait for the interrupt */
    uint64_t (*job_start)(const ak_backend *be);
    int (*last_write)(const ak_backend *be, uint64_t addr, uint64_t *job_cycle);
    uint64_t (*wait_end)(const ak_backend *be);
    /* the first RTL assertion that failed (NULL: the backend has none) */
    int (*assert_info)(const ak_backend *be, ak_sim_assert_info *ai);
} run_backend;

static uint32_t clock_ps(const ak_run_opts *o)
{
    return (uint32_t)lround(1e6 / o->clock_mhz);
}

static ak_status open_verilator(const ak_run_opts *o, uint64_t mem_bytes, ak_backend *be,
                                char *err, size_t errlen)
{
    const ak_verilator_opts vo = {.latency = o->latency, .jitter_seed = o->jitter_seed,
                                  .bytes_per_cycle = o->bytes_per_cycle, .mem_bytes = mem_bytes,
                                  .wave = o->wave, .wave_window = o->wave_window,
                                  .wave_from = o->wave_from, .wave_to = o->wave_to,
                                  .wave_limit = o->wave_limit, .x_seed = o->x_seed};
    return ak_backend_verilator_open(&vo, be, err, errlen);
}

static ak_status open_tlm(const ak_run_opts *o, uint64_t mem_bytes, ak_backend *be,
                          char *err, size_t errlen)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN); /* threads 0: one per CPU */
    const unsigned threads = o->threads ? o->threads : (cpus > 0 ? (unsigned)cpus : 1u);
    const ak_tlm_opts to = {.latency = o->latency, .jitter_seed = o->jitter_seed,
                            .bytes_per_cycle = o->bytes_per_cycle, .mem_bytes = mem_bytes,
                            .clock_ps = clock_ps(o), .threads = threads};
    return ak_backend_tlm_open(&to, be, err, errlen);
}

static uint64_t tlm_job_ps(const ak_backend *be)
{
    ak_tlm_stats st;
    ak_backend_tlm_stats(be, &st);
    return st.last_job_ps;
}

static ak_status open_sc_rtl(const ak_run_opts *o, uint64_t mem_bytes, ak_backend *be,
                             char *err, size_t errlen)
{
    const ak_sc_rtl_opts so = {.latency = o->latency, .jitter_seed = o->jitter_seed,
                               .bytes_per_cycle = o->bytes_per_cycle, .mem_bytes = mem_bytes};
    return ak_backend_sc_rtl_open(&so, be, err, errlen);
}

static const run_backend backends[] = {
    {"verilator", open_verilator, ak_backend_verilator_mem_stats, NULL,
     ak_backend_verilator_job_start, ak_backend_verilator_last_write,
     ak_backend_verilator_wait_end, ak_backend_verilator_assert},
    {"sc-rtl", open_sc_rtl, ak_backend_sc_rtl_mem_stats, NULL, NULL, NULL, NULL, NULL},
    {"tlm", open_tlm, NULL, tlm_job_ps, NULL, NULL, NULL, NULL},
};
#define N_BACKENDS (sizeof backends / sizeof backends[0])

const char *ak_run_backend_name(size_t i)
{
    return i < N_BACKENDS ? backends[i].name : NULL;
}

static const run_backend *find_backend(const char *name)
{
    for (size_t i = 0; i < N_BACKENDS; i++)
        if (!strcmp(backends[i].name, name))
            return &backends[i];
    return NULL;
}

const char *ak_run_verdict_name(ak_run_verdict v)
{
    switch (v) {
    case AK_RUN_PASS: return "PASS";
    case AK_RUN_HANG: return "HANG";
    case AK_RUN_ERROR: return "ERROR";
    case AK_RUN_FAIL: return "FAIL";
    case AK_RUN_CYCLES: return "CYCLES";
    case AK_RUN_TIME: return "TIME";
    }
    return "?";
}

/* One layer's inputs, mask and expected output, as loaded from the directory. */
typedef struct {
    ak_npy q, k, v, o, kv_off, kv_idx;
    ak_prune_job prune; /* the manifest's memory.prune (mode none without one) */
    ak_npy score, kept, fused; /* the expected pruning outputs (EViT: fused too) */
    ak_npy ofx;                /* debug mode: the expected o_fx (o_fx.npy) */
    ak_head_quant *quant;
    ak_mask mask;
    ak_attn_job job;
    const cJSON *saturation; /* the manifest's saturation counts of the expected output */
} layer_data;

static void layer_free(layer_data *L)
{
    ak_npy *a[] = {&L->q, &L->k, &L->v, &L->o, &L->kv_off, &L->kv_idx,
                   &L->score, &L->kept, &L->fused, &L->ofx};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
        ak_npy_free(a[i]);
    free(L->quant);
    memset(L, 0, sizeof *L);
}

static double num(const cJSON *o, const char *key, int *ok)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    *ok &= cJSON_IsNumber(j);
    return cJSON_IsNumber(j) ? j->valuedouble : 0;
}

/* A whole number in [lo, hi] (a manifest's counts, multipliers and shifts): anything else
   clears *ok and gives 0, since converting an out-of-range double is undefined. */
static int64_t whole(const cJSON *o, const char *key, int64_t lo, int64_t hi, int *ok)
{
    int is = 1;
    const double v = num(o, key, &is);
    if (!is || !(v >= (double)lo && v <= (double)hi) || v != floor(v)) {
        *ok = 0;
        return 0;
    }
    return (int64_t)v;
}

static ak_status load_npy(const char *dir, const char *ld, const char *name, ak_dtype t,
                          uint32_t ndim, ak_npy *a, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", dir, ld, name);
    ak_status st = ak_npy_read(path, a, err, errlen);
    if (st == AK_OK && (a->dtype != t || a->ndim != ndim)) {
        snprintf(err, errlen, "%s: expected %s with %u dimensions", path, ak_dtype_descr(t), ndim);
        st = AK_EINVAL;
    }
    return st;
}

/* The layer's pruning spec (memory.prune, vectors/README.md) and expected pruning outputs. */
static ak_status prune_load(const char *dir, const char *ld, const cJSON *lj, layer_data *L,
                            char *err, size_t errlen)
{
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(lj, "memory");
    const cJSON *pj = cJSON_GetObjectItemCaseSensitive(mem, "prune");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(pj, "mode");
    L->prune = (ak_prune_job){.mode = AK_PRUNE_NONE};
    if (!pj)
        return AK_OK;
    int ok = cJSON_IsString(mode);
    const uint32_t H = L->job.heads, nk = L->job.nk;
    ak_status st;
    if (ok && !strcmp(mode->valuestring, "evit")) {
        L->prune.mode = AK_PRUNE_EVIT;
        L->prune.keep_ppm = (uint32_t)whole(pj, "keep_ppm", 0, UINT32_MAX, &ok);
    } else if (ok && !strcmp(mode->valuestring, "evict")) {
        L->prune.mode = AK_PRUNE_EVICT;
        L->prune.budget = (uint32_t)whole(pj, "budget", 0, UINT32_MAX, &ok);
        L->prune.sinks = (uint32_t)whole(pj, "sinks", 0, UINT32_MAX, &ok);
        L->prune.recent = (uint32_t)whole(pj, "recent", 0, UINT32_MAX, &ok);
        L->prune.window = (uint32_t)whole(pj, "window", 0, UINT32_MAX, &ok);
    } else {
        ok = 0;
    }
    const char *why = "a field is missing";
    if (!ok || ak_prune_job_check(&L->prune, H, L->job.nq, nk, UINT32_MAX, UINT32_MAX, &why) != AK_OK) {
        snprintf(err, errlen, "%s/manifest.json: layer %s: memory.prune: %s", dir, ld, why);
        return AK_EINVAL;
    }
    const uint32_t kept = ak_prune_job_kept(&L->prune, nk);
    if (L->prune.mode == AK_PRUNE_EVIT) {
        if ((st = load_npy(dir, ld, "score.npy", AK_DT_U32, 1, &L->score, err, errlen)) ||
            (st = load_npy(dir, ld, "kept.npy", AK_DT_U32, 1, &L->kept, err, errlen)) ||
            (st = load_npy(dir, ld, "fused_w.npy", AK_DT_U16, 1, &L->fused, err, errlen)))
            return st;
    } else {
        if ((st = load_npy(dir, ld, "kv_score.npy", AK_DT_I64, 1, &L->score, err, errlen)) ||
            (st = load_npy(dir, ld, "kv_kept.npy", AK_DT_U32, 1, &L->kept, err, errlen)))
            return st;
    }
    const uint64_t fused = L->prune.mode == AK_PRUNE_EVIT ? nk - kept : 0;
    if (L->score.count != nk || L->kept.count != kept || L->fused.count != fused) {
        snprintf(err, errlen, "%s/%s: the pruning outputs' lengths (scores %llu, kept %llu, "
                 "fused %llu) are not %u, %u and %llu", dir, ld,
                 (unsigned long long)L->score.count, (unsigned long long)L->kept.count,
                 (unsigned long long)L->fused.count, nk, kept, (unsigned long long)fused);
        return AK_EINVAL;
    }
    return AK_OK;
}

/* Reads layer object lj of the manifest of dir into L (ofx: o_fx.npy too). */
static ak_status layer_load(const char *dir, const cJSON *lj, int ofx, layer_data *L, char *err,
                            size_t errlen)
{
    const cJSON *jd = cJSON_GetObjectItemCaseSensitive(lj, "dir");
    const cJSON *jq = cJSON_GetObjectItemCaseSensitive(lj, "quant");
    const cJSON *jm = cJSON_GetObjectItemCaseSensitive(lj, "mask");
    int ok = cJSON_IsString(jd) && cJSON_IsArray(jq) && cJSON_IsObject(jm);
    const uint32_t B = (uint32_t)whole(lj, "block", 0, UINT32_MAX, &ok);
    const uint32_t mheads = (uint32_t)whole(jm, "heads", 0, UINT32_MAX, &ok);
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(jm, "token_causal");
    if (!ok || !cJSON_IsBool(tc)) {
        snprintf(err, errlen, "%s/manifest.json: a layer lacks dir, block, quant or mask", dir);
        return AK_EINVAL;
    }
    const char *ld = jd->valuestring;
    L->saturation = cJSON_GetObjectItemCaseSensitive(lj, "saturation");
    ak_status st = AK_OK;
    if ((st = load_npy(dir, ld, "q.npy", AK_DT_I8, 3, &L->q, err, errlen)) ||
        (st = load_npy(dir, ld, "k.npy", AK_DT_I8, 3, &L->k, err, errlen)) ||
        (st = load_npy(dir, ld, "v.npy", AK_DT_I8, 3, &L->v, err, errlen)) ||
        (st = load_npy(dir, ld, "o.npy", AK_DT_I8, 3, &L->o, err, errlen)) ||
        (st = load_npy(dir, ld, "kv_off.npy", AK_DT_U32, 1, &L->kv_off, err, errlen)) ||
        (st = load_npy(dir, ld, "kv_idx.npy", AK_DT_U32, 1, &L->kv_idx, err, errlen)) ||
        (ofx && (st = load_npy(dir, ld, "o_fx.npy", AK_DT_I32, 3, &L->ofx, err, errlen))))
        return st;
    const uint64_t *qs = L->q.shape, *ks = L->k.shape;
    const uint32_t H = (uint32_t)qs[0];
    ak_mask *m = &L->mask;
    *m = (ak_mask){.nq = (uint32_t)qs[1], .nk = (uint32_t)ks[1], .block = B,
                   .heads = mheads, .token_causal = cJSON_IsTrue(tc),
                   .kv_off = L->kv_off.data, .kv_idx = L->kv_idx.data};
    if (B) {
        m->q_blocks = (m->nq + B - 1) / B;
        m->k_blocks = (m->nk + B - 1) / B;
    }
    const uint32_t *off = L->kv_off.data;
    if (memcmp(L->k.shape, L->v.shape, sizeof L->k.shape) || ks[0] != H || ks[2] != qs[2] ||
        memcmp(L->o.shape, L->q.shape, sizeof L->q.shape) || !B ||
        (ofx && memcmp(L->ofx.shape, L->q.shape, sizeof L->q.shape)) ||
        L->kv_off.count != (uint64_t)m->heads * m->q_blocks + 1 ||
        off[L->kv_off.count - 1] != L->kv_idx.count ||
        (uint32_t)cJSON_GetArraySize(jq) != H) {
        snprintf(err, errlen, "%s/%s: shapes of q/k/v/o (and o_fx), kv_off, kv_idx and the manifest's quant "
                 "and block do not agree", dir, ld);
        return AK_EINVAL;
    }
    if (!(L->quant = calloc(H, sizeof *L->quant)))
        return AK_ENOMEM;
    for (uint32_t h = 0; h < H; h++) {
        const cJSON *e = cJSON_GetArrayItem(jq, (int)h);
        L->quant[h] = (ak_head_quant){
            .logit_mult = (int32_t)whole(e, "logit_mult", INT32_MIN, INT32_MAX, &ok),
            .logit_shift = (int)whole(e, "logit_shift", INT_MIN, INT_MAX, &ok),
            .out_mult = (int32_t)whole(e, "out_mult", INT32_MIN, INT32_MAX, &ok),
            .out_shift = (int)whole(e, "out_shift", INT_MIN, INT_MAX, &ok)};
    }
    L->job = (ak_attn_job){.heads = H, .nq = m->nq, .nk = m->nk, .d = (uint32_t)qs[2],
                           .q = L->q.data, .k = L->k.data, .v = L->v.data, .quant = L->quant,
                           .mask = m};
    const char *why = NULL;
    if (!ok || ak_attn_job_check(&L->job, &why) != AK_OK) {
        snprintf(err, errlen, "%s/%s: not a valid job: %s", dir, ld, ok ? why : "bad quant entry");
        return AK_EINVAL;
    }
    return prune_load(dir, ld, lj, L, err, errlen);
}

/* Memory for the largest selected layer (the driver places a job at 4 KB; ofx: with its o_fx
 * region, 4 bytes an output). */
static uint64_t mem_needed(const cJSON *layers, uint32_t only, int ofx)
{
    uint64_t need = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, layers) {
        int ok = 1;
        /* (a layer out of these ranges is no job: layer_load rejects it) */
        const double n = (double)whole(l, "tokens", 1, AK_MAX_TOKENS, &ok),
                     h = (double)whole(l, "heads", 1, UINT16_MAX, &ok),
                     d = (double)whole(l, "head_dim", 1, AK_MAX_HEAD_DIM, &ok),
                     b = (double)whole(l, "block", 1, AK_MAX_TOKENS, &ok);
        if (!ok || (only && num(l, "layer", &ok) != only))
            continue;
        const double blocks = h * (n / b + 1) * (n / b + 1);
        const double bytes = (ofx ? 8 : 4) * h * (n * d + 64) + 8 * (blocks + h * (n / b + 2)) +
                             16 * h + 4096;
        if (bytes > need)
            need = (uint64_t)bytes;
    }
    const uint64_t min = 64ull << 20, mib = 1ull << 20;
    need = (need + 4096 + 2 * mib) / mib * mib;
    return need > min ? need : min;
}

typedef struct {
    uint64_t mismatches, first;
    int8_t expected, actual;
} compare;

static compare compare_out(const int8_t *want, const int8_t *got, uint64_t n)
{
    compare c = {0};
    for (uint64_t i = 0; i < n; i++)
        if (want[i] != got[i] && c.mismatches++ == 0) {
            c.first = i;
            c.expected = want[i];
            c.actual = got[i];
        }
    return c;
}

/* Debug mode: o_fx from the device against o_fx.npy, value by value. */
static void compare_ofx(const ak_attn_job *j, const int32_t *want, const int32_t *got,
                        ak_run_layer *res)
{
    const uint64_t n = (uint64_t)j->heads * j->nq * j->d;
    res->ofx_checked = 1;
    res->ofx_values = n;
    for (uint64_t i = 0; i < n; i++)
        if (want[i] != got[i] && res->ofx_mismatches++ == 0) {
            res->first_ofx_mismatch.head = (uint32_t)(i / ((uint64_t)j->nq * j->d));
            res->first_ofx_mismatch.row = (uint32_t)(i / j->d % j->nq);
            res->first_ofx_mismatch.column = (uint32_t)(i % j->d);
            res->first_ofx_mismatch.expected = want[i];
            res->first_ofx_mismatch.actual = got[i];
        }
}

/* The device's pruning outputs against the expected ones, value by value: the first
 * difference into res->prune_note. */
static void compare_prune(const layer_data *L, const ak_drv_prune_out *got, ak_run_layer *res)
{
    const int evit = L->prune.mode == AK_PRUNE_EVIT;
    uint64_t bad = 0;
    char *note = res->prune_note;
    const size_t cap = sizeof res->prune_note;
    for (uint32_t j = 0; j < got->nk; j++) {
        const uint64_t want = evit ? ((const uint32_t *)L->score.data)[j]
                                   : (uint64_t)((const int64_t *)L->score.data)[j];
        if (got->score[j] != want && bad++ == 0)
            snprintf(note, cap, "score of token %u = %u, expected %llu", j, got->score[j],
                     (unsigned long long)want);
    }
    const uint32_t *kept = L->kept.data;
    for (uint32_t x = 0; x < got->n_kept; x++)
        if (got->kept[x] != kept[x] && bad++ == 0)
            snprintf(note, cap, "kept[%u] = %u, expected %u", x, got->kept[x], kept[x]);
    /* fused weight x belongs to the x-th pruned token: the x-th token kept.npy leaves out */
    const uint16_t *fw = L->fused.data;
    uint32_t x = 0, at = 0;
    for (uint32_t t = 0; t < got->nk && x < got->n_fused; t++) {
        if (at < got->n_kept && kept[at] == t) {
            at++;
            continue;
        }
        if (got->fused[x] != fw[x] && bad++ == 0)
            snprintf(note, cap, "fused weight %u (token %u) = %u, expected %u", x, t,
                     got->fused[x], fw[x]);
        x++;
    }
    res->prune_values = (uint64_t)got->nk + got->n_kept + got->n_fused;
    res->prune_mismatches = bad;
}

/* The cycle model's prediction of a run (its layout from the driver): with the deterministic
 * memory exact, with a jittered one the mean of AK_RUN_JITTER_DRAWS draws of the same
 * distribution. */
typedef struct {
    int ok;
    ak_cycle_report rep;
    double sd;    /* jittered memory: the standard deviation of the cycles over the draws */
    double error; /* (predicted - measured) / measured */
    char why[160];
} prediction;

static prediction predict(const ak_drv_info *inf, const ak_run_opts *o, const ak_attn_job *j,
                          const ak_drv_result *r)
{
    prediction p = {0};
    ak_hw_config hw;
    ak_mem_timing mt;
    ak_hw_config_default(&hw);
    ak_mem_timing_default(&mt);
    hw.rows = inf->pe_rows;
    hw.max_head_dim = inf->max_head_dim;
    mt.latency = o->latency;
    mt.bytes_per_cycle = o->bytes_per_cycle;
    /* a jittered memory: the mean over draws of the same delay and backpressure distribution
       (not the run's own draws, which depend on every cycle since reset) */
    mt.jitter_seed = o->jitter_seed ? o->jitter_seed ^ 0x5eedull : 0;
    const char *why = "?";
    const ak_status st =
        o->jitter_seed ? ak_cycle_model_expected(&hw, &mt, AK_RUN_JITTER_DRAWS, j->heads, j->nq, j->nk, j->d,
                                            j->mask, &r->layout, &p.rep, &p.sd, &why)
                  : ak_cycle_model_run(&hw, &mt, j->heads, j->nq, j->nk, j->d, j->mask,
                                       &r->layout, &p.rep, NULL, &why);
    if (st != AK_OK) {
        snprintf(p.why, sizeof p.why, "cycle model: %s", why);
        return p;
    }
    p.ok = 1;
    p.error = r->cycles ? ((double)p.rep.cycles - (double)r->cycles) / (double)r->cycles : 0;
    return p;
}

/* Where in the job a layer failed, from a backend that counts job cycles: a hang or a
 * hardware error when the wait for the interrupt ended; a mismatch of output bytes when the
 * accelerator last wrote the first differing byte (or, never written, when the interrupt
 * came). */
static void failure_cycle(const ak_backend *be, const run_backend *rb, const ak_attn_job *j,
                          ak_status st, const compare *c, ak_run_layer *res)
{
    if (!rb->job_start)
        return;
    res->has_job_cycles = 1;
    res->job_start_cycle = rb->job_start(be);
    const ak_job_layout *lay = &res->drv.layout;
    const uint64_t head_bytes = (uint64_t)j->nq * j->d;
    ak_sim_assert_info ai;
    if (st == AK_EASSERT && rb->assert_info && rb->assert_info(be, &ai) && ai.job) {
        res->failure_event = "assertion";
        res->failure_cycle = ai.job_cycle;
        snprintf(res->assertion, sizeof res->assertion, "%s", ai.name);
    } else if (st == AK_EHANG || st == AK_EHW) {
        res->failure_event = st == AK_EHANG ? "hang" : "hardware_error";
        res->failure_cycle = rb->wait_end(be);
    } else if (st == AK_OK && c->mismatches) {
        const uint64_t addr =
            lay->o + c->first / head_bytes * lay->q_head_stride + c->first % head_bytes;
        if (rb->last_write(be, addr, &res->failure_cycle)) {
            res->failure_event = "write";
        } else {
            res->failure_event = "not_written";
            res->failure_cycle = rb->wait_end(be);
        }
    } else {
        return;
    }
    res->has_failure_cycle = 1;
}

/* Runs one layer into *res. */
static void run_layer(ak_drv *drv, const run_backend *rb, const ak_run_opts *o,
                      const layer_data *L, ak_run_layer *res)
{
    const ak_attn_job *j = &L->job;
    const uint64_t n = (uint64_t)j->heads * j->nq * j->d;
    int8_t *out = malloc(n);
    int32_t *out_fx = o->ofx ? malloc(sizeof *out_fx * n) : NULL;
    ak_drv_result *r = &res->drv;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ak_drv_prune_out pout = {0};
    /* a pruning layer beyond the pruning unit (more keys than it holds scores for, more probe
       rows than it keeps) runs its attention only: its selection is the host's */
    const char *beyond = NULL;
    ak_prune_job spec = L->prune;
    if (spec.mode != AK_PRUNE_NONE &&
        ak_prune_job_check(&spec, j->heads, j->nq, j->nk, AK_MAX_PROBE_ROWS,
                            AK_MAX_PRUNE_TOKENS, &beyond) != AK_OK)
        spec.mode = AK_PRUNE_NONE;
    else
        beyond = NULL;
    const ak_status st = !out || (o->ofx && !out_fx) ? AK_ENOMEM
                         : o->ofx ? ak_drv_run_ofx(drv, j, &spec, out, out_fx, &pout, r)
                                  : ak_drv_run_prune(drv, j, &spec, out, &pout, r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->host_seconds =
        (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (st == AK_ENOMEM)
        snprintf(r->msg, sizeof r->msg, "out of memory");
    compare c = {0};
    if (st == AK_OK)
        c = compare_out(L->o.data, out, n);
    if (st == AK_OK && o->ofx)
        compare_ofx(j, L->ofx.data, out_fx, res);
    free(out);
    free(out_fx);
    const ak_drv_info *inf = ak_drv_get_info(drv);
    res->prune_mode = L->prune.mode;
    if (L->prune.mode != AK_PRUNE_NONE && st == AK_OK) {
        if (beyond) {
            snprintf(res->prune_note, sizeof res->prune_note,
                     "not checked (beyond the accelerator's pruning unit: %s)", beyond);
        } else if (inf->prune) {
            res->prune_checked = 1;
            compare_prune(L, &pout, res);
        } else {
            snprintf(res->prune_note, sizeof res->prune_note,
                     "not checked (the accelerator has no pruning unit)");
        }
    }
    ak_drv_prune_out_free(&pout);
    const prediction p = predict(inf, o, j, r);
    res->status = st;
    res->heads = j->heads;
    res->nq = j->nq;
    res->nk = j->nk;
    res->d = j->d;
    res->block = j->mask->block;
    res->bytes = n;
    res->mismatches = c.mismatches;
    res->first_mismatch.head = (uint32_t)(c.first / ((uint64_t)j->nq * j->d));
    res->first_mismatch.row = (uint32_t)(c.first / j->d % j->nq);
    res->first_mismatch.column = (uint32_t)(c.first % j->d);
    res->first_mismatch.expected = c.expected;
    res->first_mismatch.actual = c.actual;
    res->predicted = p.ok;
    res->prediction = p.rep;
    res->prediction_sd = p.sd;
    res->prediction_error = p.error;
    snprintf(res->why_not_predicted, sizeof res->why_not_predicted, "%s", p.why);
    int sat_ok = 1;
    res->saturation = L->saturation;
    res->saturated_out = L->saturation ? num(L->saturation, "out", &sat_ok) : 0.0;
    res->saturated_out_known = L->saturation && sat_ok;
    /* deterministic memory: cycles, stall cycles and MACs exactly as the model says */
    /* jittered memory: a run is one draw, so the prediction is expected within 3 %, or within
       three standard deviations of the draws for a job so short that a handful of random
       delays move it further; outside that it is reported, not failed (a random outlier is
       not a defect) */
    const double tol = p.ok && p.rep.cycles ? fmax(0.03, 3 * p.sd / (double)p.rep.cycles) : 0;
    res->within_tolerance = p.ok && fabs(p.error) <= tol;
    const int cycles_ok =
        st == AK_OK && p.ok &&
        (o->jitter_seed || (p.rep.cycles == r->cycles && p.rep.stall_cycles == r->stalls &&
                            p.rep.macs == r->macs));
    /* a backend with simulated time: the job took exactly its cycles x the clock period */
    res->has_simulated_time = rb->job_ps != NULL;
    res->clock_ps = clock_ps(o);
    res->simulated_ps = rb->job_ps && st == AK_OK ? rb->job_ps(ak_drv_backend(drv)) : 0;
    res->time_ok =
        !rb->job_ps || (st == AK_OK && res->simulated_ps == r->cycles * res->clock_ps);
    res->pass = st == AK_OK && c.mismatches == 0 && res->prune_mismatches == 0 &&
                res->ofx_mismatches == 0 && cycles_ok && res->time_ok;
    res->verdict = st == AK_EHANG ? AK_RUN_HANG
                   : st != AK_OK  ? AK_RUN_ERROR
                   : c.mismatches || res->prune_mismatches || res->ofx_mismatches ? AK_RUN_FAIL
                   : !cycles_ok       ? AK_RUN_CYCLES
                   : !res->time_ok    ? AK_RUN_TIME
                                      : AK_RUN_PASS;
    failure_cycle(ak_drv_backend(drv), rb, j, st, &c, res);
    res->pes = inf->pes;
    res->mac_utilisation = r->cycles ? (double)r->macs / ((double)inf->pes * (double)r->cycles) : 0;
    res->seconds_at_clock = (double)r->cycles / (o->clock_mhz * 1e6);
    res->gmac_per_s =
        res->seconds_at_clock > 0 ? (double)r->macs / res->seconds_at_clock / 1e9 : 0;
    res->model_macs = ak_attention_macs(j);
}

static cJSON *read_manifest(const char *dir, ak_status *st, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    uint8_t *text = NULL;
    size_t len = 0;
    if ((*st = ak_read_file(path, (size_t)256 << 20, &text, &len, err, errlen)) != AK_OK)
        return NULL;
    cJSON *man = cJSON_Parse((const char *)text);
    free(text);
    if (!man || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(man, "layers"))) {
        snprintf(err, errlen, "%s: not JSON with a layers array", path);
        cJSON_Delete(man);
        *st = AK_EINVAL;
        return NULL;
    }
    return man;
}

ak_status ak_run(const ak_run_opts *opts, ak_run_layer_fn on_layer, void *user,
                 ak_run_summary *sum, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!opts || !opts->vectors || !sum) {
        snprintf(err, errlen, "no options, vector directory or summary");
        return AK_EINVAL;
    }
    ak_run_opts o = *opts;
    o.backend = o.backend ? o.backend : "verilator";
    o.latency = o.latency ? o.latency : 20;
    o.bytes_per_cycle = o.bytes_per_cycle ? o.bytes_per_cycle : 64;
    o.clock_mhz = o.clock_mhz > 0 ? o.clock_mhz : 250;
    const run_backend *rb = find_backend(o.backend);
    if (!rb || (o.wave && strcmp(rb->name, "verilator"))) {
        snprintf(err, errlen, rb ? "a waveform only with the verilator backend"
                                 : "'%s' is not a backend", o.backend);
        return AK_EINVAL;
    }
    if (o.ofx && !strcmp(rb->name, "tlm")) {
        snprintf(err, errlen, "o_fx (debug mode) only with the RTL backends (verilator, "
                 "sc-rtl): the tlm model does not write it");
        return AK_EINVAL;
    }
    memset(sum, 0, sizeof *sum);
    sum->backend = rb->name;
    ak_status st = AK_OK;
    /* the vectors as vecgen wrote them, before anything runs: a file changed since would
       otherwise be blamed on the accelerator */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char verr[4096];
    st = ak_vectors_verify(o.vectors, &sum->vectors_files, verr, sizeof verr);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sum->vectors_check_seconds =
        (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (st != AK_OK) {
        sum->vectors_invalid = 1;
        snprintf(err, errlen, "vectors: %s: the vector directory does not match its manifest "
                 "(modified or corrupted since attnkit vecgen wrote it; not an accelerator "
                 "failure); nothing was simulated", verr);
        return st;
    }
    cJSON *man = read_manifest(o.vectors, &st, err, errlen);
    if (!man)
        return st;
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(man, "layers"), *lj;
    int found = 0, ok = 1;
    cJSON_ArrayForEach(lj, layers) found |= !o.layer || num(lj, "layer", &ok) == o.layer;
    if (!found) {
        snprintf(err, errlen, "%s has no layer %u (it has 1..%d)", o.vectors, o.layer,
                 cJSON_GetArraySize(layers));
        cJSON_Delete(man);
        return AK_ENOTFOUND;
    }
    ak_backend be;
    ak_drv *drv = NULL;
    ak_status ds = rb->open(&o, mem_needed(layers, o.layer, o.ofx), &be, err, errlen);
    if (ds == AK_OK)
        ds = ak_drv_open(&be, NULL, &drv, err, errlen);
    if (ds != AK_OK) {
        cJSON_Delete(man);
        return ds;
    }
    sum->pes = ak_drv_get_info(drv)->pes;
    char load_err[8192];
    cJSON_ArrayForEach(lj, layers) {
        ok = 1;
        const int no = (int)whole(lj, "layer", 0, INT_MAX, &ok);
        if (o.layer && no != (int)o.layer)
            continue;
        layer_data L = {0};
        ak_run_layer res;
        memset(&res, 0, sizeof res);
        res.layer = no;
        if (layer_load(o.vectors, lj, o.ofx, &L, load_err, sizeof load_err) != AK_OK) {
            res.load_error = load_err;
            sum->failed++;
        } else {
            run_layer(drv, rb, &o, &L, &res);
            if (res.pass)
                sum->passed++;
            else
                sum->failed++;
        }
        if (o.wave && !sum->wave_truncated) {
            ak_sim_wave_info wi;
            ak_backend_verilator_wave_info(ak_drv_backend(drv), &wi);
            if (wi.truncated) {
                sum->wave_truncated = 1;
                sum->wave_truncated_layer = no;
                sum->wave_truncated_cycle = wi.truncated_cycle;
            }
        }
        if (on_layer)
            on_layer(user, &res);
        layer_free(&L);
    }
    if (o.wave) {
        ak_sim_wave_info wi;
        ak_backend_verilator_wave_info(ak_drv_backend(drv), &wi);
        sum->has_wave = 1;
        sum->wave_dumped_cycles = wi.dumped_cycles;
    }
    if (rb->mem_stats) {
        ak_mem_stats ms;
        rb->mem_stats(ak_drv_backend(drv), &ms);
        sum->axi_protocol_errors = ms.protocol_errors;
        snprintf(sum->first_protocol_error, sizeof sum->first_protocol_error, "%s",
                 ms.first_protocol_error);
    }
    if (!strcmp(rb->name, "tlm")) {
        sum->has_tlm_stats = 1;
        ak_backend_tlm_stats(ak_drv_backend(drv), &sum->tlm);
    }
    ak_drv_close(drv); /* the waveform complete, under its name */
    struct stat sb;
    if (o.wave && stat(o.wave, &sb) == 0)
        sum->wave_bytes = (uint64_t)sb.st_size;
    cJSON_Delete(man);
    return AK_OK;
}
