/* Workload estimates of estimate.h: each layer's mask (a top-k part planned on zero scores,
 * as ak_workload_plan does: its size does not depend on them), its memory layout, and the cycle
 * model; then the totals, the decoder's decode step and the roofline. */
#include "attnkit/estimate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/job_image.h"
#include "attnkit/prune.h"

/* Where the host driver places a job in the memory window (host/ak_driver.c). */
#define JOB_BASE 4096u

ak_status ak_estimate_layer(const ak_estimate_config *cfg, uint32_t heads, uint32_t nq,
                            uint32_t nk, uint32_t d, const ak_mask *mask, ak_cycle_report *rep,
                            uint64_t *head_done, const char **why)
{
    return ak_estimate_layer_pruned(cfg, heads, nq, nk, d, mask, NULL, rep, head_done, why);
}

ak_status ak_estimate_layer_pruned(const ak_estimate_config *cfg, uint32_t heads, uint32_t nq,
                                   uint32_t nk, uint32_t d, const ak_mask *mask,
                                   const ak_prune_job *prune, ak_cycle_report *rep,
                                   uint64_t *head_done, const char **why)
{
    ak_job_layout lay;
    if (ak_job_layout_plan_shape(heads, nq, nk, d, mask, JOB_BASE, &lay) != AK_OK) {
        if (why)
            *why = "the job's shape and mask";
        return AK_EINVAL;
    }
    if (prune && prune->mode != AK_PRUNE_NONE &&
        (ak_prune_job_check(prune, heads, nq, nk, AK_MAX_PROBE_ROWS,
                            AK_MAX_PRUNE_TOKENS, why) != AK_OK ||
         ak_job_layout_add_prune(&lay, nk, prune) != AK_OK))
        return AK_EINVAL;
    return ak_cycle_model_run(&cfg->hw, &cfg->mem, heads, nq, nk, d, mask, &lay, rep, head_done,
                              why);
}

static double seconds_at(const ak_estimate_config *cfg, uint64_t cycles)
{
    return (double)cycles / (cfg->clock_mhz * 1e6);
}

/* What a layer's estimate depends on besides the workload's heads, head dim and block and the
 * configuration (the same for every layer): the tokens entering it, its mask parts as
 * ak_workload_layer_mask resolves them (a random part without its own seed takes the workload's
 * seed + the layer's index) and its pruning or eviction job. Compared field by field (no
 * memcmp: padding); the seed only for a random part (ak_mask_build draws from it for
 * AK_PATTERN_RANDOM alone), so the sweep's dense layers, seeded per layer, are one. A field
 * added to ak_pattern or ak_prune_job that changes the estimate must be added to same_key
 * too. */
typedef struct {
    uint32_t tokens, n_parts;
    ak_mask_part parts[AK_MAX_MASK_PARTS];
    ak_prune_job pj;
} layer_key;

static int same_pattern(const ak_pattern *a, const ak_pattern *b)
{
    return a->kind == b->kind && a->window == b->window && a->sinks == b->sinks &&
           a->stride == b->stride && a->random == b->random && a->topk == b->topk &&
           a->causal == b->causal && (a->kind != AK_PATTERN_RANDOM || a->seed == b->seed);
}

static int same_key(const layer_key *a, const layer_key *b)
{
    if (a->tokens != b->tokens || a->n_parts != b->n_parts || a->pj.mode != b->pj.mode ||
        a->pj.keep_ppm != b->pj.keep_ppm || a->pj.budget != b->pj.budget ||
        a->pj.sinks != b->pj.sinks || a->pj.recent != b->pj.recent ||
        a->pj.window != b->pj.window)
        return 0;
    for (uint32_t x = 0; x < a->n_parts; x++)
        if (!same_pattern(&a->parts[x].pattern, &b->parts[x].pattern) ||
            a->parts[x].density != b->parts[x].density)
            return 0;
    return 1;
}

ak_status ak_estimate_workload(const ak_workload *w, const ak_estimate_config *cfg,
                               ak_workload_estimate *out, char *err, size_t errlen)
{
    return ak_estimate_workload_opts(w, cfg, NULL, out, err, errlen);
}

ak_status ak_estimate_workload_opts(const ak_workload *w, const ak_estimate_config *cfg,
                                    const ak_estimate_opts *opts, ak_workload_estimate *out,
                                    char *err, size_t errlen)
{
    const char *why = NULL;
    const ak_estimate_opts none = {0};
    if (!opts)
        opts = &none;
    if (!w || !cfg || !out)
        return AK_EINVAL;
    if (ak_hw_config_check(&cfg->hw, &why) != AK_OK ||
        ak_mem_timing_check(&cfg->mem, &why) != AK_OK) {
        snprintf(err, errlen, "hardware: %s", why);
        return AK_EINVAL;
    }
    if (!(cfg->clock_mhz > 0)) {
        snprintf(err, errlen, "clock: above 0 MHz");
        return AK_EINVAL;
    }
    memset(out, 0, sizeof *out);
    if (w->n_layers > AK_MAX_LAYERS)
        return AK_EINVAL;
    const uint64_t n = (uint64_t)w->heads * w->tokens * w->head_dim;
    int8_t *zeros = calloc(n ? n : 1, 1);
    layer_key *keys = calloc(w->n_layers ? w->n_layers : 1, sizeof *keys);
    if (!zeros || !keys) {
        free(zeros);
        free(keys);
        return AK_ENOMEM;
    }
    ak_status st = AK_OK;
    uint32_t tokens = w->tokens;
    for (uint32_t l = 0; st == AK_OK && l < w->n_layers; l++) {
        ak_layer_estimate *e = &out->layer[l];
        /* the layer's pruning (EViT) or eviction, on the accelerator when it fits */
        ak_prune_job pj = {.mode = AK_PRUNE_NONE};
        if (w->layers[l].keep_ppm)
            pj = (ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = w->layers[l].keep_ppm};
        else if (w->eviction.budget)
            pj = (ak_prune_job){.mode = AK_PRUNE_EVICT, .budget = w->eviction.budget,
                                .sinks = w->eviction.sinks, .recent = w->eviction.recent,
                                .window = w->eviction.window < tokens ? w->eviction.window
                                                                      : tokens};
        layer_key *k = &keys[l];
        k->tokens = tokens;
        k->n_parts = w->layers[l].n_parts;
        for (uint32_t x = 0; x < k->n_parts && x < AK_MAX_MASK_PARTS; x++) {
            k->parts[x] = w->layers[l].parts[x];
            if (k->parts[x].pattern.kind == AK_PATTERN_RANDOM && k->parts[x].pattern.seed == 0)
                k->parts[x].pattern.seed = w->seed + l; /* as ak_workload_layer_mask */
        }
        k->pj = pj;
        uint32_t same = l;
        for (uint32_t j = 0; !opts->plain && j < l && same == l; j++)
            if (same_key(&keys[j], k))
                same = j;
        if (same < l) {
            *e = out->layer[same]; /* the same inputs: the same figures */
        } else {
            ak_mask m;
            st = ak_workload_layer_mask(w, l, tokens, zeros, zeros, &m, &why);
            if (st != AK_OK) {
                snprintf(err, errlen, "%s: layer %u: %s", w->name, l + 1,
                         why ? why : ak_strerror(st));
                break;
            }
            e->tokens = tokens;
            e->active_blocks = ak_mask_active_blocks(&m) * (m.heads == 1 ? w->heads : 1);
            e->density = ak_mask_density(&m);
            e->prune_on_host = pj.mode != AK_PRUNE_NONE &&
                               ak_prune_job_check(&pj, w->heads, tokens, tokens,
                                                  AK_MAX_PROBE_ROWS, AK_MAX_PRUNE_TOKENS,
                                                  NULL) != AK_OK;
            if (e->prune_on_host)
                pj.mode = AK_PRUNE_NONE;
            st = ak_estimate_layer_pruned(cfg, w->heads, tokens, tokens, w->head_dim, &m, &pj,
                                          &e->rep, w->heads <= 64 ? e->head_done : NULL, &why);
            ak_mask_free(&m);
            if (st != AK_OK) {
                snprintf(err, errlen, "%s: layer %u does not fit the hardware: %s", w->name,
                         l + 1, why ? why : ak_strerror(st));
                break;
            }
            e->utilisation = ak_cycle_utilisation(&cfg->hw, &e->rep);
            e->seconds = seconds_at(cfg, e->rep.cycles);
            out->layers_run++;
        }
        out->cycles += e->rep.cycles;
        out->macs += e->rep.macs;
        out->bytes += e->rep.read_bytes + e->rep.write_bytes;
        out->n_layers = l + 1;
        if (w->layers[l].keep_ppm)
            tokens = ak_prune_next_tokens(tokens, w->layers[l].keep_ppm, w->fuse_token);
        if (opts->progress)
            opts->progress(opts->progress_ctx, l + 1, w->n_layers);
    }
    free(zeros);
    free(keys);
    if (st != AK_OK)
        return st;

    out->seconds = seconds_at(cfg, out->cycles);
    const ak_cycle_report total = {.cycles = out->cycles, .macs = out->macs};
    out->utilisation = ak_cycle_utilisation(&cfg->hw, &total);
    if (w->kind == AK_WORKLOAD_VISION) {
        out->images_per_s = out->seconds > 0 ? 1.0 / out->seconds : 0;
    } else {
        /* decode: one new query against the kept keys (the eviction budget), every key
           valid, in every layer */
        out->ttft_s = out->seconds;
        out->kv_tokens = w->eviction.budget ? w->eviction.budget : w->tokens;
        ak_mask dm;
        const ak_pattern dense = {.kind = AK_PATTERN_DENSE};
        st = ak_mask_build(&dense, 1, out->kv_tokens, w->block, 1, NULL, NULL, w->head_dim, &dm,
                           &why);
        /* every layer's decode step is the same job: memoised, it runs once */
        ak_cycle_report r = {0};
        for (uint32_t l = 0; st == AK_OK && l < w->n_layers; l++) {
            if (l == 0 || opts->plain)
                st = ak_estimate_layer(cfg, w->heads, 1, out->kv_tokens, w->head_dim, &dm, &r,
                                       NULL, &why);
            out->decode_cycles += r.cycles;
        }
        if (st == AK_OK)
            ak_mask_free(&dm);
        if (st != AK_OK) {
            snprintf(err, errlen, "%s: decode step: %s", w->name, why ? why : ak_strerror(st));
            return st;
        }
        out->tokens_per_s = 1.0 / seconds_at(cfg, out->decode_cycles);
    }
    out->peak_macs_per_cycle = (double)cfg->hw.rows * 16 + 256;
    out->bytes_per_cycle = cfg->mem.bytes_per_cycle;
    out->intensity = out->bytes ? (double)out->macs / (double)out->bytes : 0;
    const double mem_bound = out->bytes_per_cycle * out->intensity;
    out->memory_bound = mem_bound < out->peak_macs_per_cycle;
    out->bound_macs_per_cycle = out->memory_bound ? mem_bound : out->peak_macs_per_cycle;
    return AK_OK;
}
