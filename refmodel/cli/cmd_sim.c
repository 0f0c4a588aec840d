/* `attnkit sim`: runs the layers of a test-vector directory (vectors/README.md) on the
 * accelerator through the host driver (host/ak_driver.h) over one of its backends (the
 * Verilated RTL, the same RTL inside SystemC, or the TLM-2.0 model of docs/systemc.md) and
 * compares every output byte with o.npy; reports cycles, stalls, MACs, MAC utilisation and
 * the throughput at a clock frequency, next to the cycle model's prediction
 * (attnkit/cycle_model.h): with the deterministic memory they must be equal, with a jittered
 * one (predicted from the mean latency and bandwidth) within 3%. */
#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ak_driver.h"
#include "backend_sc_rtl.h"
#include "backend_tlm.h"
#include "backend_verilator.h"
#include "attnkit/attnkit.h"
#include "attnkit/cycle_model.h"
#include "cli.h"
#include "attnkit/file_io.h"
#include "systemc/ak_sc_rtl_sim.h"
#include "systemc/ak_tlm_sim.h"
#include "verilator/ak_sim.h"

static const char *const CMD = "sim";
/* The version of the --json document's layout (docs/sim-json.md): raised when a field is
 * removed, renamed or changes meaning, not when one is added. */
#define SIM_JSON_FORMAT 1

static void help(void)
{
    printf("usage: attnkit sim --vectors DIR [flags]\n\n"
           "Runs each layer of a vector directory (attnkit vecgen) on the accelerator through\n"
           "the host driver, on a backend: the Verilated RTL (rtl/ak_top.sv, default), the same\n"
           "RTL inside a SystemC platform, or the loosely-timed TLM-2.0 model (docs/systemc.md);\n"
           "compares every output byte with o.npy, and reports cycles, memory stall cycles,\n"
           "MACs, MAC utilisation (MACs / (PEs x cycles)) and the throughput at the clock, next\n"
           "to the cycle model's prediction: it must equal the RTL's cycles (and stall cycles\n"
           "and MACs) with the deterministic memory; with --mem-jitter it is the mean of 8\n"
           "draws of the memory's delays and backpressure, expected within 3%% (or, for a job\n"
           "so short that one run varies more, three standard deviations of the draws):\n"
           "outside, a warning.\n\n"
           "flags:\n"
           "  --vectors DIR     the vector directory (manifest.json, layerNN/)\n"
           "  --backend NAME    verilator (the Verilated RTL, default), sc-rtl (the same RTL in\n"
           "                    SystemC: CSRs over TLM-2.0, the same cycles) or tlm (the TLM-2.0\n"
           "                    model: its simulated time must equal cycles x the clock period)\n"
           "  --threads N       tlm: host threads for a job, 0..256 (0 = one per CPU; default 1);\n"
           "                    with 2 or more the cycle model runs beside the reference\n"
           "                    model's N-1\n"
           "  --layer N         only layer N (as numbered in the manifest, from 1)\n"
           "  --latency L       memory latency in cycles, 1..100000 (default 20)\n"
           "  --mem-jitter S    seeded random memory delays and backpressure (0 = off)\n"
           "  --mem-bw B        memory bandwidth in bytes a cycle per channel, 1..64 (default 64)\n"
           "  --wave FILE       write an FST waveform (slow; verilator only)\n"
           "  --clock-mhz F     clock for the throughput figures (default 250)\n"
           "  --json            print the results as JSON\n"
           "  --help            this text\n\n"
           "exit status: 0 every layer matches, 1 a mismatch (output bytes, or with the\n"
           "deterministic memory cycles against the prediction), hardware error, hang or run\n"
           "failure, 2 bad flag\n");
}

typedef struct {
    const char *dir;
    uint32_t layer, latency, bw, threads;
    uint64_t jitter;
    const char *wave;
    double mhz;
    int json;
    const char *backend;
} sim_opts;

/* ---- backends: how to open each, and what it reports beyond the driver's result ---------- */

typedef struct {
    const char *name;
    ak_drv_status (*open)(const sim_opts *o, uint64_t mem_bytes, ak_backend *be, char *err,
                          size_t errlen);
    /* AXI protocol errors its memory saw (NULL: no AXI port) */
    uint64_t (*protocol_errors)(const ak_backend *be, char *first, size_t len);
    /* the last job's simulated time in ps (NULL: the backend has no time, only cycles) */
    uint64_t (*job_ps)(const ak_backend *be);
} sim_backend;

static uint32_t clock_ps(const sim_opts *o)
{
    return (uint32_t)lround(1e6 / o->mhz);
}

static ak_drv_status open_verilator(const sim_opts *o, uint64_t mem_bytes, ak_backend *be,
                                    char *err, size_t errlen)
{
    const ak_verilator_opts vo = {.latency = o->latency, .jitter_seed = o->jitter,
                                  .bytes_per_cycle = o->bw, .mem_bytes = mem_bytes,
                                  .wave = o->wave};
    return ak_backend_verilator_open(&vo, be, err, errlen);
}

static uint64_t verilator_protocol_errors(const ak_backend *be, char *first, size_t len)
{
    ak_mem_stats ms;
    ak_sim_mem_stats(be->ctx, &ms);
    snprintf(first, len, "%s", ms.first_protocol_error);
    return ms.protocol_errors;
}

static ak_drv_status open_tlm(const sim_opts *o, uint64_t mem_bytes, ak_backend *be, char *err,
                              size_t errlen)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN); /* --threads 0: one per CPU */
    const unsigned threads = o->threads ? o->threads : (cpus > 0 ? (unsigned)cpus : 1u);
    const ak_tlm_opts to = {.latency = o->latency, .jitter_seed = o->jitter,
                            .bytes_per_cycle = o->bw, .mem_bytes = mem_bytes,
                            .clock_ps = clock_ps(o), .threads = threads};
    return ak_backend_tlm_open(&to, be, err, errlen);
}

static uint64_t tlm_job_ps(const ak_backend *be)
{
    ak_tlm_stats st;
    ak_tlm_get_stats(be->ctx, &st);
    return st.last_job_ps;
}

/* where the TLM model's host time went, and how it reached memory */
static void tlm_report(const ak_backend *be, cJSON *doc)
{
    ak_tlm_stats st;
    ak_tlm_get_stats(be->ctx, &st);
    cJSON *t = cJSON_AddObjectToObject(doc, "tlm");
    cJSON_AddNumberToObject(t, "host_read_seconds", st.host_read_s);
    cJSON_AddNumberToObject(t, "host_reference_model_seconds", st.host_reference_s);
    cJSON_AddNumberToObject(t, "host_cycle_model_seconds", st.host_cycle_model_s);
    cJSON_AddNumberToObject(t, "dmi_accesses", (double)st.dmi_accesses);
    cJSON_AddNumberToObject(t, "transactions", (double)st.transactions);
}

static ak_drv_status open_sc_rtl(const sim_opts *o, uint64_t mem_bytes, ak_backend *be,
                                 char *err, size_t errlen)
{
    const ak_sc_rtl_opts so = {.latency = o->latency, .jitter_seed = o->jitter,
                               .bytes_per_cycle = o->bw, .mem_bytes = mem_bytes};
    return ak_backend_sc_rtl_open(&so, be, err, errlen);
}

static uint64_t sc_rtl_protocol_errors(const ak_backend *be, char *first, size_t len)
{
    ak_mem_stats ms;
    ak_sc_rtl_mem_stats(be->ctx, &ms);
    snprintf(first, len, "%s", ms.first_protocol_error);
    return ms.protocol_errors;
}

static const sim_backend backends[] = {
    {"verilator", open_verilator, verilator_protocol_errors, NULL},
    {"sc-rtl", open_sc_rtl, sc_rtl_protocol_errors, NULL},
    {"tlm", open_tlm, NULL, tlm_job_ps},
};
#define N_BACKENDS (sizeof backends / sizeof backends[0])

static const sim_backend *find_backend(const char *name)
{
    for (size_t i = 0; i < N_BACKENDS; i++)
        if (!strcmp(backends[i].name, name))
            return &backends[i];
    return NULL;
}

/* One layer's inputs, mask and expected output, as loaded from the directory. */
typedef struct {
    ak_npy q, k, v, o, kv_off, kv_idx;
    ak_head_quant *quant;
    ak_mask mask;
    ak_attn_job job;
    const cJSON *saturation; /* the manifest's saturation counts of the expected output */
} layer_data;

static void layer_free(layer_data *L)
{
    ak_npy *a[] = {&L->q, &L->k, &L->v, &L->o, &L->kv_off, &L->kv_idx};
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

/* Reads layer object lj of the manifest of dir into L. */
static ak_status layer_load(const char *dir, const cJSON *lj, layer_data *L, char *err,
                            size_t errlen)
{
    const cJSON *jd = cJSON_GetObjectItemCaseSensitive(lj, "dir");
    const cJSON *jq = cJSON_GetObjectItemCaseSensitive(lj, "quant");
    const cJSON *jm = cJSON_GetObjectItemCaseSensitive(lj, "mask");
    int ok = cJSON_IsString(jd) && cJSON_IsArray(jq) && cJSON_IsObject(jm);
    const double block = num(lj, "block", &ok), mheads = num(jm, "heads", &ok);
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
        (st = load_npy(dir, ld, "kv_idx.npy", AK_DT_U32, 1, &L->kv_idx, err, errlen)))
        return st;
    const uint64_t *qs = L->q.shape, *ks = L->k.shape;
    const uint32_t H = (uint32_t)qs[0], B = (uint32_t)block;
    ak_mask *m = &L->mask;
    *m = (ak_mask){.nq = (uint32_t)qs[1], .nk = (uint32_t)ks[1], .block = B,
                   .heads = (uint32_t)mheads, .token_causal = cJSON_IsTrue(tc),
                   .kv_off = L->kv_off.data, .kv_idx = L->kv_idx.data};
    if (B) {
        m->q_blocks = (m->nq + B - 1) / B;
        m->k_blocks = (m->nk + B - 1) / B;
    }
    const uint32_t *off = L->kv_off.data;
    if (memcmp(L->k.shape, L->v.shape, sizeof L->k.shape) || ks[0] != H || ks[2] != qs[2] ||
        memcmp(L->o.shape, L->q.shape, sizeof L->q.shape) || !B ||
        L->kv_off.count != (uint64_t)m->heads * m->q_blocks + 1 ||
        off[L->kv_off.count - 1] != L->kv_idx.count ||
        (uint32_t)cJSON_GetArraySize(jq) != H) {
        snprintf(err, errlen, "%s/%s: shapes of q/k/v/o, kv_off, kv_idx and the manifest's quant "
                 "and block do not agree", dir, ld);
        return AK_EINVAL;
    }
    if (!(L->quant = calloc(H, sizeof *L->quant)))
        return AK_ENOMEM;
    for (uint32_t h = 0; h < H; h++) {
        const cJSON *e = cJSON_GetArrayItem(jq, (int)h);
        L->quant[h] = (ak_head_quant){.logit_mult = (int32_t)num(e, "logit_mult", &ok),
                                      .logit_shift = (int)num(e, "logit_shift", &ok),
                                      .out_mult = (int32_t)num(e, "out_mult", &ok),
                                      .out_shift = (int)num(e, "out_shift", &ok)};
    }
    L->job = (ak_attn_job){.heads = H, .nq = m->nq, .nk = m->nk, .d = (uint32_t)qs[2],
                           .q = L->q.data, .k = L->k.data, .v = L->v.data, .quant = L->quant,
                           .mask = m};
    const char *why = NULL;
    if (!ok || ak_attn_job_check(&L->job, &why) != AK_OK) {
        snprintf(err, errlen, "%s/%s: not a valid job: %s", dir, ld, ok ? why : "bad quant entry");
        return AK_EINVAL;
    }
    return AK_OK;
}

/* Memory for the largest selected layer (the driver places a job at 4 KB). */
static uint64_t mem_needed(const cJSON *layers, uint32_t only)
{
    uint64_t need = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, layers) {
        int ok = 1;
        const double n = num(l, "tokens", &ok), h = num(l, "heads", &ok),
                     d = num(l, "head_dim", &ok), b = num(l, "block", &ok);
        if (!ok || b < 1 || (only && num(l, "layer", &ok) != only))
            continue;
        const double blocks = h * (n / b + 1) * (n / b + 1);
        const double bytes = 4 * h * (n * d + 64) + 8 * (blocks + h * (n / b + 2)) + 16 * h + 4096;
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

/* The cycle model's prediction of a run (its layout from the driver): with the deterministic
 * memory exact, with a jittered one the mean of JITTER_DRAWS draws of the same distribution. */
#define JITTER_DRAWS 8
typedef struct {
    int ok;
    ak_cycle_report rep;
    double sd;    /* jittered memory: the standard deviation of the cycles over the draws */
    double error; /* (predicted - measured) / measured */
    char why[160];
} prediction;

static prediction predict(const ak_drv_info *inf, const sim_opts *o, const ak_attn_job *j,
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
    mt.bytes_per_cycle = o->bw;
    /* a jittered memory: the mean over draws of the same delay and backpressure distribution
       (not the run's own draws, which depend on every cycle since reset) */
    mt.jitter_seed = o->jitter ? o->jitter ^ 0x5eedull : 0;
    const char *why = "?";
    const ak_status st =
        o->jitter ? ak_cycle_model_expected(&hw, &mt, JITTER_DRAWS, j->heads, j->nq, j->nk, j->d,
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

/* Runs one layer; prints it (text) or appends it to arr (JSON). Returns 1 if it passed. */
static int run_layer(ak_drv *drv, const sim_backend *sb, const sim_opts *o, int layer_no,
                     const layer_data *L, cJSON *arr)
{
    const ak_attn_job *j = &L->job;
    const uint64_t n = (uint64_t)j->heads * j->nq * j->d;
    int8_t *out = malloc(n);
    ak_drv_result r;
    memset(&r, 0, sizeof r);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ak_drv_status st = out ? ak_drv_run(drv, j, out, &r) : AK_DRV_ENOMEM;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* host time of the run (loading the job, simulating, reading o back): the simulator's speed */
    const double host_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (!out)
        snprintf(r.msg, sizeof r.msg, "out of memory");
    compare c = {0};
    if (st == AK_DRV_OK)
        c = compare_out(L->o.data, out, n);
    free(out);
    const ak_drv_info *inf = ak_drv_get_info(drv);
    const prediction p = predict(inf, o, j, &r);
    int sat_ok = 1;
    const double sat_out = L->saturation ? num(L->saturation, "out", &sat_ok) : 0.0;
    char where[48];
    snprintf(where, sizeof where, "layer %d's expected output", layer_no);
    const int sat_high = L->saturation && sat_ok &&
                         ak_cli_warn_saturation(CMD, where, (uint64_t)sat_out, n, o->json);
    /* deterministic memory: cycles, stall cycles and MACs exactly as the model says */
    /* jittered memory: a run is one draw, so the prediction is expected within 3 %, or within
       three standard deviations of the draws for a job so short that a handful of random
       delays move it further; outside that it is reported, not failed (a random outlier is
       not a defect) */
    const double tol = p.ok && p.rep.cycles ? fmax(0.03, 3 * p.sd / (double)p.rep.cycles) : 0;
    const int within = p.ok && fabs(p.error) <= tol;
    const int cycles_ok = st == AK_DRV_OK && p.ok &&
                          (o->jitter || (p.rep.cycles == r.cycles && p.rep.stall_cycles == r.stalls &&
                                         p.rep.macs == r.macs));
    /* a backend with simulated time: the job took exactly its cycles x the clock period */
    const uint64_t job_ps = sb->job_ps && st == AK_DRV_OK ? sb->job_ps(ak_drv_backend(drv)) : 0;
    const int time_ok = !sb->job_ps || (st == AK_DRV_OK && job_ps == r.cycles * clock_ps(o));
    const int pass = st == AK_DRV_OK && c.mismatches == 0 && cycles_ok && time_ok;
    const char *verdict = st == AK_DRV_EHANG ? "HANG" : st != AK_DRV_OK ? "ERROR"
                                              : c.mismatches ? "FAIL"
                                              : !cycles_ok   ? "CYCLES"
                                              : !time_ok     ? "TIME"
                                                             : "PASS";
    const double util = r.cycles ? (double)r.macs / ((double)inf->pes * (double)r.cycles) : 0;
    const double secs = (double)r.cycles / (o->mhz * 1e6);
    const double gmacs = secs > 0 ? (double)r.macs / secs / 1e9 : 0;
    const uint64_t model_macs = ak_attention_macs(j);
    const uint32_t fh = (uint32_t)(c.first / ((uint64_t)j->nq * j->d)),
                   fr = (uint32_t)(c.first / j->d % j->nq), fc = (uint32_t)(c.first % j->d);
    if (arr) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddNumberToObject(l, "layer", layer_no);
        cJSON_AddStringToObject(l, "result", verdict);
        cJSON_AddNumberToObject(l, "heads", j->heads);
        cJSON_AddNumberToObject(l, "nq", j->nq);
        cJSON_AddNumberToObject(l, "nk", j->nk);
        cJSON_AddNumberToObject(l, "head_dim", j->d);
        cJSON_AddNumberToObject(l, "block", j->mask->block);
        cJSON_AddNumberToObject(l, "bytes", (double)n);
        cJSON_AddNumberToObject(l, "mismatches", (double)c.mismatches);
        if (c.mismatches) {
            cJSON *f = cJSON_AddObjectToObject(l, "first_mismatch");
            cJSON_AddNumberToObject(f, "head", fh);
            cJSON_AddNumberToObject(f, "row", fr);
            cJSON_AddNumberToObject(f, "column", fc);
            cJSON_AddNumberToObject(f, "expected", c.expected);
            cJSON_AddNumberToObject(f, "actual", c.actual);
        }
        if (st != AK_DRV_OK) {
            cJSON_AddStringToObject(l, "error", r.msg);
            cJSON_AddNumberToObject(l, "hw_error_code", r.err_code);
        }
        cJSON_AddNumberToObject(l, "cycles", (double)r.cycles);
        if (p.ok) {
            cJSON_AddNumberToObject(l, "predicted_cycles", (double)p.rep.cycles);
            cJSON_AddNumberToObject(l, "prediction_error", p.error);
            if (o->jitter) {
                cJSON_AddNumberToObject(l, "predicted_cycles_sd", p.sd);
                cJSON_AddBoolToObject(l, "prediction_within_tolerance", within);
            }
            cJSON_AddNumberToObject(l, "predicted_stall_cycles", (double)p.rep.stall_cycles);
            cJSON_AddNumberToObject(l, "read_bytes", (double)p.rep.read_bytes);
            cJSON_AddNumberToObject(l, "write_bytes", (double)p.rep.write_bytes);
        } else {
            cJSON_AddStringToObject(l, "prediction", p.why);
        }
        cJSON_AddNumberToObject(l, "stall_cycles", (double)r.stalls);
        cJSON_AddNumberToObject(l, "macs", (double)r.macs);
        cJSON_AddNumberToObject(l, "model_macs", (double)model_macs);
        cJSON_AddNumberToObject(l, "mac_utilisation", util);
        cJSON_AddNumberToObject(l, "seconds_at_clock", secs);
        cJSON_AddNumberToObject(l, "gmac_per_s", gmacs);
        cJSON_AddNumberToObject(l, "host_seconds", host_s);
        if (sb->job_ps) {
            cJSON_AddNumberToObject(l, "simulated_ps", (double)job_ps);
            cJSON_AddBoolToObject(l, "simulated_time_is_cycles_x_period", time_ok);
        }
        if (L->saturation) {
            cJSON_AddItemToObject(l, "expected_saturation", cJSON_Duplicate(L->saturation, 1));
            cJSON_AddBoolToObject(l, "saturation_warning", sat_high);
        }
        cJSON_AddItemToArray(arr, l);
        return pass;
    }
    printf("layer %d %s  heads %u nq %u nk %u d %u block %u", layer_no, verdict, j->heads, j->nq,
           j->nk, j->d, j->mask->block);
    if (st != AK_DRV_OK) {
        printf(": %s\n", r.msg);
        return 0;
    }
    printf(": %llu of %llu bytes differ", (unsigned long long)c.mismatches, (unsigned long long)n);
    if (c.mismatches)
        printf(", first at (head %u, row %u, column %u) expected %d actual %d", fh, fr, fc,
               c.expected, c.actual);
    printf("\n  %llu cycles, %llu stall cycles, %llu MACs", (unsigned long long)r.cycles,
           (unsigned long long)r.stalls, (unsigned long long)r.macs);
    if (r.macs != model_macs)
        printf(" (reference model counts %llu)", (unsigned long long)model_macs);
    printf(", MAC utilisation %.1f%% of %u PEs; %.2f us, %.2f GMAC/s at %g MHz; simulated in "
           "%.2f s\n",
           100 * util, inf->pes, secs * 1e6, gmacs, o->mhz, host_s);
    if (sb->job_ps)
        printf("  simulated time %llu ps = %llu cycles x %u ps%s\n", (unsigned long long)job_ps,
               (unsigned long long)r.cycles, clock_ps(o),
               time_ok ? "" : ": MISMATCH (expected equal)");
    if (L->saturation && sat_ok)
        printf("  expected output: %.0f of %llu int8 values saturated (%.3f%%; numerics.md 3.3)\n",
               sat_out, (unsigned long long)n, 100.0 * sat_out / (double)n);
    if (!p.ok) {
        printf("  %s\n", p.why);
    } else {
        printf("  cycle model: %llu cycles (%+.2f%%), %llu stall cycles, %llu MACs",
               (unsigned long long)p.rep.cycles, 100 * p.error,
               (unsigned long long)p.rep.stall_cycles, (unsigned long long)p.rep.macs);
        if (o->jitter)
            printf(" (the mean of %d draws of the jitter, sd %.0f)%s", JITTER_DRAWS, p.sd,
                   within ? "" : "; warning: outside 3% and 3 sd");
        printf("\n");
    }
    return pass;
}

static int parse(int argc, char **argv, sim_opts *o)
{
    static const struct option longopts[] = {
        {"vectors", required_argument, NULL, 'V'}, {"layer", required_argument, NULL, 'l'},
        {"latency", required_argument, NULL, 'L'}, {"mem-jitter", required_argument, NULL, 'J'},
        {"wave", required_argument, NULL, 'w'},    {"clock-mhz", required_argument, NULL, 'c'},
        {"mem-bw", required_argument, NULL, 'b'},  {"json", no_argument, NULL, 'j'},
        {"backend", required_argument, NULL, 'B'}, {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc = 0;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'V': o->dir = optarg; break;
        case 'w': o->wave = optarg; break;
        case 'j': o->json = 1; break;
        case 'l': rc = ak_cli_u32(CMD, "--layer", optarg, 1, 100000, &o->layer); break;
        case 'L': rc = ak_cli_u32(CMD, "--latency", optarg, 1, 100000, &o->latency); break;
        case 'J': rc = ak_cli_u64(CMD, "--mem-jitter", optarg, &o->jitter); break;
        case 'b': rc = ak_cli_u32(CMD, "--mem-bw", optarg, 1, 64, &o->bw); break;
        case 'c': rc = ak_cli_double(CMD, "--clock-mhz", optarg, 0, 1e5, &o->mhz); break;
        case 't': rc = ak_cli_u32(CMD, "--threads", optarg, 0, 256, &o->threads); break;
        case 'B':
            o->backend = optarg;
            if (!find_backend(optarg)) {
                char names[128] = "";
                for (size_t i = 0; i < N_BACKENDS; i++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                             i ? ", " : "", backends[i].name);
                rc = ak_cli_usage_error(CMD, "--backend: '%s' is not one of %s", optarg, names);
            }
            break;
        case 'h': help(); return -1;
        default: return ak_cli_getopt_error(CMD, c, argv);
        }
    }
    if (rc == 0 && optind < argc)
        return ak_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (rc == 0 && !o->dir)
        return ak_cli_usage_error(CMD, "--vectors: missing (a directory from attnkit vecgen)");
    if (rc == 0 && o->wave && strcmp(o->backend, "verilator"))
        return ak_cli_usage_error(CMD, "--wave: only with --backend verilator");
    return rc;
}

static cJSON *read_manifest(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    uint8_t *text = NULL;
    size_t len = 0;
    if (ak_read_file(path, (size_t)256 << 20, &text, &len, err, errlen) != AK_OK)
        return NULL;
    cJSON *man = cJSON_Parse((const char *)text);
    free(text);
    if (!man || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(man, "layers"))) {
        snprintf(err, errlen, "%s: not JSON with a layers array", path);
        cJSON_Delete(man);
        return NULL;
    }
    return man;
}

int ak_cmd_sim(int argc, char **argv)
{
    sim_opts o = {.latency = 20, .bw = 64, .mhz = 250, .threads = 1, .backend = "verilator"};
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? AK_EXIT_OK : rc;
    char err[8192] = "";
    cJSON *man = read_manifest(o.dir, err, sizeof err);
    if (!man) {
        fprintf(stderr, "attnkit sim: %s\n", err);
        return AK_EXIT_FAIL;
    }
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(man, "layers"), *lj;
    int found = 0, ok = 1;
    cJSON_ArrayForEach(lj, layers) found |= !o.layer || num(lj, "layer", &ok) == o.layer;
    if (!found) {
        rc = ak_cli_usage_error(CMD, "--layer: %s has no layer %u (it has 1..%d)", o.dir,
                                o.layer, cJSON_GetArraySize(layers));
        cJSON_Delete(man);
        return rc;
    }
    const sim_backend *sb = find_backend(o.backend);
    ak_backend be;
    ak_drv *drv = NULL;
    ak_drv_status ds = sb->open(&o, mem_needed(layers, o.layer), &be, err, sizeof err);
    if (ds == AK_DRV_OK)
        ds = ak_drv_open(&be, NULL, &drv, err, sizeof err);
    if (ds != AK_DRV_OK) {
        fprintf(stderr, "attnkit sim: %s\n", err);
        cJSON_Delete(man);
        return AK_EXIT_FAIL;
    }
    cJSON *doc = o.json ? cJSON_CreateObject() : NULL, *arr = NULL;
    if (doc) {
        cJSON_AddNumberToObject(doc, "format", SIM_JSON_FORMAT);
        cJSON_AddStringToObject(doc, "vectors", o.dir);
        cJSON_AddStringToObject(doc, "backend", sb->name);
        cJSON_AddNumberToObject(doc, "latency", o.latency);
        cJSON_AddNumberToObject(doc, "mem_jitter", (double)o.jitter);
        cJSON_AddNumberToObject(doc, "mem_bytes_per_cycle", o.bw);
        cJSON_AddNumberToObject(doc, "clock_mhz", o.mhz);
        cJSON_AddNumberToObject(doc, "pes", ak_drv_get_info(drv)->pes);
        arr = cJSON_AddArrayToObject(doc, "layers");
    }
    int passed = 0, failed = 0;
    cJSON_ArrayForEach(lj, layers) {
        ok = 1;
        const int no = (int)num(lj, "layer", &ok);
        if (o.layer && no != (int)o.layer)
            continue;
        layer_data L = {0};
        if (layer_load(o.dir, lj, &L, err, sizeof err) != AK_OK) {
            fprintf(stderr, "attnkit sim: %s\n", err);
            failed++;
        } else if (run_layer(drv, sb, &o, no, &L, arr)) {
            passed++;
        } else {
            failed++;
        }
        layer_free(&L);
    }
    char first[160] = "";
    const uint64_t perrs =
        sb->protocol_errors ? sb->protocol_errors(ak_drv_backend(drv), first, sizeof first) : 0;
    if (perrs)
        fprintf(stderr, "attnkit sim: warning: %llu AXI protocol errors on the master port, "
                "the first: %s\n", (unsigned long long)perrs, first);
    if (doc) {
        cJSON_AddNumberToObject(doc, "passed", passed);
        cJSON_AddNumberToObject(doc, "failed", failed);
        cJSON_AddNumberToObject(doc, "axi_protocol_errors", (double)perrs);
        if (!strcmp(sb->name, "tlm"))
            tlm_report(ak_drv_backend(drv), doc);
        rc = ak_cli_emit_json(doc, 1);
    } else {
        printf("sim: %d of %d layers pass (%s on %s, memory latency %u, %u bytes a cycle, "
               "jitter %s)\n",
               passed, passed + failed, o.dir, sb->name, o.latency, o.bw, o.jitter ? "on" : "off");
    }
    ak_drv_close(drv);
    cJSON_Delete(man);
    return failed || rc ? AK_EXIT_FAIL : AK_EXIT_OK;
}
