/* Token pruning and KV-cache eviction (prune.h, docs/numerics.md sections 11.2 and 11.3).
 * The top-k here sorts (score, index) pairs: the reference behaviour the RTL's fixed-latency
 * radix select must reproduce. */
#include "attnkit/prune.h"

#include <stdlib.h>
#include <string.h>

#include "attnkit/fixed.h"

ak_status ak_keep_rate_ppm(double rate, uint32_t *ppm)
{
    if (!ppm || !(rate > 0.0 && rate <= 1.0))
        return AK_EINVAL;
    int64_t v = ak_round_half_away(rate * (double)AK_PPM);
    if (v < 1)
        return AK_EINVAL;
    *ppm = (uint32_t)v;
    return AK_OK;
}

uint32_t ak_prune_count(uint32_t n, uint32_t keep_ppm)
{
    if (n <= 1)
        return 0;
    uint64_t num = (uint64_t)keep_ppm * (n - 1);
    return (uint32_t)((num + AK_PPM - 1) / AK_PPM);
}

uint32_t ak_prune_next_tokens(uint32_t n, uint32_t keep_ppm, int fuse)
{
    const uint32_t kept = 1 + ak_prune_count(n, keep_ppm);
    return kept + (fuse && kept < n);
}

typedef struct {
    uint64_t score;
    uint32_t idx;
} ranked;

/* Higher score first, then lower index: a total order, so the sort is deterministic. */
static int by_rank(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int by_index(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

ak_status ak_topk_select(const uint64_t *score, const uint32_t *cand, uint32_t n, uint32_t k,
                         uint32_t *out)
{
    if (k > n || (n && (!score || !cand)) || (k && !out))
        return AK_EINVAL;
    ranked *r = malloc(sizeof *r * (n ? n : 1));
    if (!r)
        return AK_ENOMEM;
    for (uint32_t x = 0; x < n; x++)
        r[x] = (ranked){score[cand[x]], cand[x]};
    qsort(r, n, sizeof *r, by_rank);
    for (uint32_t x = 0; x < k; x++)
        out[x] = r[x].idx;
    free(r);
    qsort(out, k, sizeof *out, by_index);
    return AK_OK;
}

void ak_prune_result_free(ak_prune_result *r)
{
    if (!r)
        return;
    free(r->kept);
    free(r->pruned);
    free(r->fused_w);
    free(r->score);
    memset(r, 0, sizeof *r);
}

ak_status ak_prune_tokens(const uint16_t *cls, uint32_t heads, uint32_t n, uint32_t keep_ppm,
                          ak_prune_result *out)
{
    if (!out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    if (!cls || heads == 0 || n == 0 || keep_ppm == 0 || keep_ppm > AK_PPM)
        return AK_EINVAL;
    const uint32_t k = ak_prune_count(n, keep_ppm);
    out->n_kept = 1 + k;
    out->n_pruned = n - out->n_kept;
    out->kept = malloc(sizeof *out->kept * out->n_kept);
    out->pruned = malloc(sizeof *out->pruned * (out->n_pruned ? out->n_pruned : 1));
    out->fused_w = malloc(sizeof *out->fused_w * (out->n_pruned ? out->n_pruned : 1));
    out->score = calloc(n, sizeof *out->score);
    uint32_t *cand = malloc(sizeof *cand * n);
    ak_status st = AK_OK;
    if (!out->kept || !out->pruned || !out->fused_w || !out->score || !cand)
        st = AK_ENOMEM;
    if (st == AK_OK) {
        for (uint32_t h = 0; h < heads; h++)
            for (uint32_t j = 1; j < n; j++)
                out->score[j] += cls[(uint64_t)h * n + j];
        for (uint32_t j = 1; j < n; j++)
            cand[j - 1] = j;
        out->kept[0] = 0;
        st = ak_topk_select(out->score, cand, n - 1, k, out->kept + 1);
    }
    if (st == AK_OK) {
        uint64_t total = 0;
        uint32_t p = 0, at = 1;
        for (uint32_t j = 1; j < n; j++) {
            if (at < out->n_kept && out->kept[at] == j) {
                at++;
                continue;
            }
            out->pruned[p++] = j;
            total += out->score[j];
        }
        for (uint32_t x = 0; x < out->n_pruned; x++) {
            int64_t w = total ? ak_round_div((int64_t)out->score[out->pruned[x]] << 16,
                                             (int64_t)total)
                              : ak_round_div(INT64_C(1) << 16, out->n_pruned);
            out->fused_w[x] = (uint16_t)(w > UINT16_MAX ? UINT16_MAX : w);
        }
    }
    free(cand);
    if (st != AK_OK)
        ak_prune_result_free(out);
    return st;
}

void ak_evict_result_free(ak_evict_result *r)
{
    if (!r)
        return;
    free(r->kept);
    free(r->acc);
    memset(r, 0, sizeof *r);
}

ak_status ak_kv_evict(const uint16_t *probs, uint32_t heads, uint32_t rows, uint32_t nk,
                      uint32_t sinks, uint32_t recent, uint32_t budget, ak_evict_result *out)
{
    if (!out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    if (!probs || heads == 0 || rows == 0 || nk == 0 || budget == 0)
        return AK_EINVAL;
    sinks = sinks < nk ? sinks : nk;
    recent = recent < nk - sinks ? recent : nk - sinks;
    if (budget < sinks + recent)
        return AK_EINVAL;
    if (budget > nk)
        budget = nk;
    out->acc = calloc(nk, sizeof *out->acc);
    out->kept = malloc(sizeof *out->kept * budget);
    uint32_t *cand = malloc(sizeof *cand * nk);
    ak_status st = (out->acc && out->kept && cand) ? AK_OK : AK_ENOMEM;
    if (st == AK_OK) {
        for (uint64_t x = 0; x < (uint64_t)heads * rows; x++)
            for (uint32_t j = 0; j < nk; j++)
                out->acc[j] += probs[x * nk + j];
        uint32_t n = 0;
        for (uint32_t j = sinks; j < nk - recent; j++)
            cand[n++] = j;
        st = ak_topk_select(out->acc, cand, n, budget - sinks - recent, out->kept + sinks);
        for (uint32_t j = 0; j < sinks; j++)
            out->kept[j] = j;
        for (uint32_t j = 0; j < recent; j++)
            out->kept[budget - recent + j] = nk - recent + j;
        out->n_kept = budget;
    }
    free(cand);
    if (st != AK_OK)
        ak_evict_result_free(out);
    return st;
}
