/* Block masks at granularity B over (query block, key block), stored per query block as an
 * ascending list of active key-block indices in CSR form (FlexAttention's kv_num_blocks /
 * kv_indices, compacted), plus the pattern generators of docs/masks.md and a bitmap printer.
 * Validity of a single (query, key) position is defined in docs/numerics.md section 4. */
#ifndef ATTNKIT_MASK_H
#define ATTNKIT_MASK_H

#include <stdint.h>
#include <stdio.h>

#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t nq, nk;     /* tokens on the query and key axes, 1..AK_MAX_TOKENS */
    uint32_t block;      /* B: 16, 32, 64 or 128 */
    uint32_t q_blocks;   /* ceil(nq / B) */
    uint32_t k_blocks;   /* ceil(nk / B) */
    uint32_t heads;      /* 1: one mask shared by every head; otherwise one list set per head */
    int token_causal;    /* key j valid for query i only if j <= i + nk - nq */
    uint32_t *kv_off;    /* [heads * q_blocks + 1]: list of (h, qb) is kv_idx[kv_off[x]..kv_off[x+1]),
                            x = h * q_blocks + qb */
    uint32_t *kv_idx;    /* strictly ascending key-block indices within each list */
} ak_mask;

typedef enum {
    AK_PATTERN_DENSE,   /* every block */
    AK_PATTERN_CAUSAL,  /* key blocks up to the diagonal, token-causal */
    AK_PATTERN_WINDOW,  /* |kb - diag| <= window (causal: diag - window <= kb <= diag) */
    AK_PATTERN_SINKS,   /* first `sinks` key blocks + window; causal by default (StreamingLLM);
                           non-causal: the first `sinks` query blocks also see every key block
                           (an encoder's global tokens) */
    AK_PATTERN_STRIDED, /* kb == qb (mod stride), plus the diagonal */
    AK_PATTERN_RANDOM,  /* BigBird: `sinks` global blocks + window + `random` seeded blocks */
    AK_PATTERN_TOPK,    /* `topk` key blocks by pooled Q.K score (integer), diagonal forced */
    AK_PATTERN_COUNT
} ak_pattern_kind;

typedef struct {
    ak_pattern_kind kind;
    uint32_t window;  /* WINDOW, SINKS, RANDOM: key blocks beside the diagonal */
    uint32_t sinks;   /* SINKS: leading key blocks always kept (non-causal: and query blocks
                         that see everything); RANDOM: global blocks */
    uint32_t stride;  /* STRIDED: >= 1 */
    uint32_t random;  /* RANDOM: random key blocks per query block */
    uint32_t topk;    /* TOPK: key blocks per query block, >= 1 */
    int causal;       /* AK_CAUSAL_*: restrict to key blocks <= diagonal and make the mask
                         token-causal (> 0), or not (< 0); 0 is the pattern's default */
    uint64_t seed;    /* RANDOM: seed of the block choice */
} ak_pattern;

/* Values of ak_pattern.causal. The default is causal for CAUSAL and SINKS and non-causal for
 * the others; CAUSAL is causal whatever the field says. */
#define AK_CAUSAL_DEFAULT 0
#define AK_CAUSAL_ON 1
#define AK_CAUSAL_OFF (-1)

/* Whether p is causal once its default is applied (ak_pattern.causal). */
int ak_pattern_is_causal(const ak_pattern *p);

/* Name <-> kind: "dense", "causal", "window", "sinks", "strided", "random", "topk".
 * ak_pattern_from_name returns AK_EINVAL for an unknown name. */
const char *ak_pattern_name(ak_pattern_kind kind);
ak_status ak_pattern_from_name(const char *name, ak_pattern_kind *kind);

/* The documented default parameters of a pattern whose size parameter is chosen so that the
 * fraction of active blocks is close to `density` (0 < density <= 1) on a k_blocks-wide grid.
 * DENSE and CAUSAL ignore density. SINKS is fitted as its default, causal, pattern. */
ak_status ak_pattern_for_density(ak_pattern_kind kind, double density, uint32_t k_blocks,
                                 uint64_t seed, ak_pattern *out);

/* The same for a pattern whose kind, causality and seed the caller chose: *p becomes what
 * ak_pattern_for_density(p->kind, density, k_blocks, p->seed) gives, except that a non-zero
 * p->causal is kept. Only SINKS depends on it: with AK_CAUSAL_OFF its window is fitted on the
 * non-causal pattern. The others are fitted as ak_pattern_for_density fits them, then the
 * causality applies. On error *p is unchanged. */
ak_status ak_pattern_fit_density(ak_pattern *p, double density, uint32_t k_blocks);

/* Builds a mask. TOPK needs q and k ([heads][n][d] int8) and gives one list set per head;
 * every other pattern gives a shared mask (heads = 1) and ignores q, k, d.
 * On error returns AK_EINVAL/AK_ENOMEM, leaves *out zeroed, and, if why != NULL, points it at a
 * static string naming the parameter and the allowed values. */
ak_status ak_mask_build(const ak_pattern *p, uint32_t nq, uint32_t nk, uint32_t block,
                        uint32_t heads, const int8_t *q, const int8_t *k, uint32_t d,
                        ak_mask *out, const char **why);

/* Builds a mask from a bitmap [heads][q_blocks][k_blocks] of 0/1 bytes. */
ak_status ak_mask_from_bitmap(uint32_t nq, uint32_t nk, uint32_t block, uint32_t heads,
                              int token_causal, const uint8_t *bitmap, ak_mask *out,
                              const char **why);

/* The union of two masks of the same nq, nk, block and token causality; heads must be equal
 * or one of them 1 (the result then has the other's heads). */
ak_status ak_mask_union(const ak_mask *a, const ak_mask *b, ak_mask *out, const char **why);

void ak_mask_free(ak_mask *m);

/* The active list of query block qb of head h (h is ignored when the mask is shared). */
const uint32_t *ak_mask_list(const ak_mask *m, uint32_t h, uint32_t qb, uint32_t *count);

/* Whether key position j is valid for query i of head h (numerics.md section 4). */
int ak_mask_valid(const ak_mask *m, uint32_t h, uint32_t i, uint32_t j);

/* Active blocks over all (head, query block) lists, and that count over heads*q_blocks*k_blocks. */
uint64_t ak_mask_active_blocks(const ak_mask *m);
double ak_mask_density(const ak_mask *m);

/* Multiply-accumulates of Q.K^T plus P.V over the active blocks of `heads` heads of head dim d,
 * every position of an active block counted (as hardware computes whole tiles). */
uint64_t ak_mask_macs(const ak_mask *m, uint32_t heads, uint32_t d);

/* The kv-block index lists as a cJSON array [head][query block][...] (caller owns it; NULL when
 * out of memory). */
struct cJSON;
struct cJSON *ak_mask_lists_json(const ak_mask *m);

/* Prints head h's block bitmap for humans: one row per query block, '#' active, '.' masked,
 * with block indices on the axes. Grids wider than max_cols are shown downsampled, each cell
 * '#' (all active), '+' (some) or '.' (none), and the header says so. */
void ak_mask_print(FILE *f, const ak_mask *m, uint32_t h, uint32_t max_cols);

#ifdef __cplusplus
}
#endif

#endif
