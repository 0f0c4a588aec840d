/* Token pruning (EViT) and KV-cache eviction (H2O / StreamingLLM) on the 16-bit attention
 * probabilities of docs/numerics.md section 11: one integer top-k with ties to the lower index,
 * so a selection is exactly reproducible from the scores. */
#ifndef ATTNKIT_PRUNE_H
#define ATTNKIT_PRUNE_H

#include <stdint.h>

#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AK_PPM 1000000u

/* keep_ppm = round_half_away(rate * 10^6) for 0 < rate <= 1; AK_EINVAL otherwise (including a
 * rate that rounds to 0 ppm). */
ak_status ak_keep_rate_ppm(double rate, uint32_t *ppm);

/* k = ceil(keep_ppm * (n - 1) / 10^6): tokens kept besides CLS. */
uint32_t ak_prune_count(uint32_t n, uint32_t keep_ppm);

/* Tokens of the next layer after pruning n tokens (numerics.md 11.2): CLS + k, plus EViT's
 * fused token when `fuse` and at least one token was pruned. */
uint32_t ak_prune_next_tokens(uint32_t n, uint32_t keep_ppm, int fuse);

/* Indices of the k highest scores among cand[0..n) (scores indexed by token), ties to the lower
 * token index, written to out ascending. cand need not be sorted. k <= n. */
ak_status ak_topk_select(const uint64_t *score, const uint32_t *cand, uint32_t n, uint32_t k,
                         uint32_t *out);

typedef struct {
    uint32_t n_kept;    /* 1 + k */
    uint32_t *kept;     /* ascending token indices, kept[0] = 0 (CLS) */
    uint32_t n_pruned;  /* n - n_kept */
    uint32_t *pruned;   /* ascending */
    uint16_t *fused_w;  /* [n_pruned] fused-token weights, 16 fractional bits */
    uint64_t *score;    /* [n] score_j = sum over heads of P16[h][j] (score[0] = 0) */
} ak_prune_result;

/* EViT pruning from the CLS-row probabilities cls[h][j] (heads x n). */
ak_status ak_prune_tokens(const uint16_t *cls, uint32_t heads, uint32_t n, uint32_t keep_ppm,
                          ak_prune_result *out);
void ak_prune_result_free(ak_prune_result *r);

typedef struct {
    uint32_t n_kept;
    uint32_t *kept;  /* ascending key indices */
    uint64_t *acc;   /* [nk] accumulated attention */
} ak_evict_result;

/* KV-cache eviction from probs[h][i][j] (heads x rows x nk): keep `sinks` first keys, `recent`
 * last keys and the heaviest hitters up to `budget` keys in all. AK_EINVAL when the budget is
 * smaller than sinks + recent (clipped to nk), or a size is 0. */
ak_status ak_kv_evict(const uint16_t *probs, uint32_t heads, uint32_t rows, uint32_t nk,
                      uint32_t sinks, uint32_t recent, uint32_t budget, ak_evict_result *out);
void ak_evict_result_free(ak_evict_result *r);

#ifdef __cplusplus
}
#endif

#endif
