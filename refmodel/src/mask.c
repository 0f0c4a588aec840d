/* Block masks (mask.h): CSR storage, the pattern generators of docs/masks.md, validity of one
 * position (docs/numerics.md section 4) and a bitmap printer. Generators decide one query-block
 * row at a time into a k_blocks-byte buffer and append it, so no full bitmap is ever held. */
#include "attnkit/mask.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/fixed.h"
#include "attnkit/numerics.h"
#include "attnkit/rng.h"

static const char *const pattern_names[AK_PATTERN_COUNT] = {
    "dense", "causal", "window", "sinks", "strided", "random", "topk"};

const char *ak_pattern_name(ak_pattern_kind kind)
{
    return (unsigned)kind < AK_PATTERN_COUNT ? pattern_names[kind] : "?";
}

ak_status ak_pattern_from_name(const char *name, ak_pattern_kind *kind)
{
    for (int i = 0; name && i < AK_PATTERN_COUNT; i++)
        if (!strcmp(name, pattern_names[i])) {
            *kind = (ak_pattern_kind)i;
            return AK_OK;
        }
    return AK_EINVAL;
}

void ak_mask_free(ak_mask *m)
{
    if (!m)
        return;
    free(m->kv_off);
    free(m->kv_idx);
    memset(m, 0, sizeof *m);
}

int ak_pattern_is_causal(const ak_pattern *p)
{
    if (p->kind == AK_PATTERN_CAUSAL)
        return 1;
    if (p->causal != AK_CAUSAL_DEFAULT)
        return p->causal > 0;
    return p->kind == AK_PATTERN_SINKS;
}

static int block_ok(uint32_t b)
{
    return b == 16 || b == 32 || b == 64 || b == 128;
}

/* Checks the shape, fills the header fields and allocates kv_off. */
static ak_status mask_begin(ak_mask *m, uint32_t nq, uint32_t nk, uint32_t block, uint32_t heads,
                            int token_causal, const char **why)
{
    const char *w = NULL;
    memset(m, 0, sizeof *m);
    if (!block_ok(block))
        w = "block: must be 16, 32, 64 or 128";
    else if (nq == 0 || nq > AK_MAX_TOKENS)
        w = "nq: must be 1..65536 tokens";
    else if (nk == 0 || nk > AK_MAX_TOKENS)
        w = "nk: must be 1..65536 tokens";
    else if (heads == 0)
        w = "heads: must be at least 1";
    if (why)
        *why = w;
    if (w)
        return AK_EINVAL;
    m->nq = nq;
    m->nk = nk;
    m->block = block;
    m->q_blocks = (nq + block - 1) / block;
    m->k_blocks = (nk + block - 1) / block;
    m->heads = heads;
    m->token_causal = token_causal != 0;
    m->kv_off = calloc((size_t)heads * m->q_blocks + 1, sizeof *m->kv_off);
    return m->kv_off ? AK_OK : AK_ENOMEM;
}

/* Appends list number x (= h * q_blocks + qb) from a row of k_blocks 0/1 bytes. */
static ak_status mask_append(ak_mask *m, size_t *cap, uint32_t x, const uint8_t *row)
{
    uint32_t n = m->kv_off[x];
    for (uint32_t kb = 0; kb < m->k_blocks; kb++) {
        if (!row[kb])
            continue;
        if (n == *cap) {
            size_t ncap = *cap ? *cap * 2 : 256;
            uint32_t *p = realloc(m->kv_idx, ncap * sizeof *p);
            if (!p)
                return AK_ENOMEM;
            m->kv_idx = p;
            *cap = ncap;
        }
        m->kv_idx[n++] = kb;
    }
    m->kv_off[x + 1] = n;
    return AK_OK;
}

ak_status ak_mask_from_bitmap(uint32_t nq, uint32_t nk, uint32_t block, uint32_t heads,
                              int token_causal, const uint8_t *bitmap, ak_mask *out,
                              const char **why)
{
    if (!out)
        return AK_EINVAL;
    if (!bitmap) {
        memset(out, 0, sizeof *out);
        if (why)
            *why = "bitmap: must not be NULL";
        return AK_EINVAL;
    }
    ak_status st = mask_begin(out, nq, nk, block, heads, token_causal, why);
    size_t cap = 0;
    for (uint32_t x = 0; st == AK_OK && x < heads * out->q_blocks; x++)
        st = mask_append(out, &cap, x, bitmap + (size_t)x * out->k_blocks);
    if (st != AK_OK)
        ak_mask_free(out);
    return st;
}

/* The key block holding the last key visible to query block qb's last query, with queries
 * aligned to the end of the keys (numerics.md section 4, rule 3). */
static uint32_t diag_block(const ak_mask *m, uint32_t qb)
{
    int64_t last_q = (int64_t)qb * m->block + m->block - 1;
    if (last_q > (int64_t)m->nq - 1)
        last_q = (int64_t)m->nq - 1;
    int64_t key = last_q + (int64_t)m->nk - (int64_t)m->nq;
    if (key < 0)
        return 0;
    int64_t kb = key / m->block;
    return kb >= m->k_blocks ? m->k_blocks - 1 : (uint32_t)kb;
}

/* Whether block kb is within `window` blocks of the diagonal (only before it when causal). */
static int in_window(int64_t kb, int64_t diag, uint32_t window, int causal)
{
    if (causal)
        return kb <= diag && diag - kb <= window;
    return llabs(kb - diag) <= (long long)window;
}

/* Pooled (block-mean) rows of a [n][d] tensor: out[b][c] = round_div(sum, count). */
static void pool_blocks(const int8_t *x, uint32_t n, uint32_t d, uint32_t block, uint32_t blocks,
                        int32_t *out)
{
    for (uint32_t b = 0; b < blocks; b++) {
        uint32_t r0 = b * block, r1 = r0 + block < n ? r0 + block : n;
        for (uint32_t c = 0; c < d; c++) {
            int64_t s = 0;
            for (uint32_t r = r0; r < r1; r++)
                s += x[(uint64_t)r * d + c];
            out[(uint64_t)b * d + c] = (int32_t)ak_round_div(s, r1 - r0);
        }
    }
}

typedef struct {
    int64_t score;
    uint32_t kb;
} scored;

/* Higher score first; equal scores: lower block index first (a total order). */
static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->kb < y->kb ? -1 : (x->kb > y->kb);
}

static const char *check_pattern(const ak_pattern *p, uint32_t heads, const int8_t *q,
                                 const int8_t *k, uint32_t d)
{
    if ((unsigned)p->kind >= AK_PATTERN_COUNT)
        return "pattern: unknown kind (dense, causal, window, sinks, strided, random, topk)";
    if (p->kind == AK_PATTERN_STRIDED && p->stride == 0)
        return "stride: must be at least 1";
    if (p->kind == AK_PATTERN_TOPK) {
        if (p->topk == 0)
            return "topk: must be at least 1 key block";
        if (!q || !k)
            return "q/k: the topk pattern needs the Q and K tensors";
        if (d != 32 && d != 64 && d != 128)
            return "d: head dim must be 32, 64 or 128";
        if (heads == 0)
            return "heads: must be at least 1";
    }
    return NULL;
}

/* Decides one row (query block qb of head h) of a pattern into row[k_blocks]. */
typedef struct {
    const ak_pattern *p;
    const ak_mask *m;
    ak_rng rng;
    uint32_t *cand;      /* k_blocks scratch */
    scored *sc;          /* k_blocks scratch (topk) */
    int32_t *qpool, *kpool; /* pooled Q and K of the current head (topk) */
    uint32_t d;
} row_gen;

static void gen_row(row_gen *g, uint32_t qb, uint8_t *row)
{
    const ak_pattern *p = g->p;
    const uint32_t nkb = g->m->k_blocks;
    const int64_t diag = diag_block(g->m, qb);
    const int causal = ak_pattern_is_causal(p);
    uint32_t ncand = 0;
    for (uint32_t kb = 0; kb < nkb; kb++) {
        int on = 0;
        switch (p->kind) {
        case AK_PATTERN_DENSE:
        case AK_PATTERN_CAUSAL:
        case AK_PATTERN_TOPK:
            on = 1;
            break;
        case AK_PATTERN_WINDOW:
            on = in_window(kb, diag, p->window, causal);
            break;
        case AK_PATTERN_SINKS: /* non-causal: the sink query blocks are global too */
            on = kb < p->sinks || in_window(kb, diag, p->window, causal) ||
                 (!causal && qb < p->sinks);
            break;
        case AK_PATTERN_RANDOM:
            on = kb < p->sinks || in_window(kb, diag, p->window, causal);
            break;
        case AK_PATTERN_STRIDED:
            on = llabs((int64_t)kb - diag) % p->stride == 0;
            break;
        default:
            break;
        }
        if (causal && (int64_t)kb > diag)
            on = 0;
        row[kb] = (uint8_t)on;
        if (!on && (!causal || (int64_t)kb <= diag))
            g->cand[ncand++] = kb; /* a block still free for random picks */
    }
    if (p->kind == AK_PATTERN_RANDOM) {
        /* Partial Fisher-Yates over the free blocks, in ascending order. */
        uint32_t picks = p->random < ncand ? p->random : ncand;
        for (uint32_t t = 0; t < picks; t++) {
            uint32_t x = t + ak_rng_below(&g->rng, ncand - t);
            uint32_t tmp = g->cand[t];
            g->cand[t] = g->cand[x];
            g->cand[x] = tmp;
            row[g->cand[t]] = 1;
        }
    } else if (p->kind == AK_PATTERN_TOPK) {
        uint32_t n = 0;
        const int32_t *qp = g->qpool + (uint64_t)qb * g->d;
        for (uint32_t kb = 0; kb < nkb; kb++) {
            if (!row[kb] || (int64_t)kb == diag)
                continue;
            const int32_t *kp = g->kpool + (uint64_t)kb * g->d;
            int64_t s = 0;
            for (uint32_t c = 0; c < g->d; c++)
                s += (int64_t)qp[c] * kp[c];
            g->sc[n++] = (scored){s, kb};
        }
        memset(row, 0, nkb);
        row[diag] = 1; /* the diagonal block is always kept */
        qsort(g->sc, n, sizeof *g->sc, by_score);
        for (uint32_t t = 0; t + 1 < p->topk && t < n; t++)
            row[g->sc[t].kb] = 1;
    }
}

static uint32_t round_nonneg(double x)
{
    return x <= 0.0 ? 0u : (uint32_t)floor(x + 0.5);
}

/* Density of pattern p on a square grid of k_blocks x k_blocks blocks. */
static double grid_density(const ak_pattern *p, uint32_t k_blocks, uint8_t *row, uint32_t *cand)
{
    const uint32_t B = 16;
    ak_mask m = {.nq = k_blocks * B, .nk = k_blocks * B, .block = B, .q_blocks = k_blocks,
                 .k_blocks = k_blocks, .heads = 1};
    row_gen g = {.p = p, .m = &m, .cand = cand};
    uint64_t active = 0;
    for (uint32_t qb = 0; qb < k_blocks; qb++) {
        gen_row(&g, qb, row);
        for (uint32_t kb = 0; kb < k_blocks; kb++)
            active += row[kb];
    }
    return (double)active / ((double)k_blocks * k_blocks);
}

/* Sets *param (window or stride, whose density is monotone in it) to the value in [lo, hi]
 * whose grid density is closest to `want`, by bisection. */
static ak_status fit_param(ak_pattern *p, uint32_t *param, uint32_t lo, uint32_t hi, int rising,
                           double want, uint32_t k_blocks)
{
    uint8_t *row = malloc(k_blocks);
    uint32_t *cand = malloc(sizeof *cand * k_blocks);
    if (!row || !cand) {
        free(row);
        free(cand);
        return AK_ENOMEM;
    }
    const uint32_t least = lo; /* the smallest allowed value (stride: 1) */
    /* Invariant: the crossing lies in [lo, hi]; find the first value on the far side of want. */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        *param = mid;
        double dm = grid_density(p, k_blocks, row, cand);
        if (rising ? dm >= want : dm <= want)
            hi = mid;
        else
            lo = mid + 1;
    }
    *param = lo;
    double d_hi = grid_density(p, k_blocks, row, cand);
    if (lo > least) { /* the neighbour before the crossing may be closer */
        *param = lo - 1;
        double d_lo = grid_density(p, k_blocks, row, cand);
        *param = fabs(d_lo - want) < fabs(d_hi - want) ? lo - 1 : lo;
    }
    free(row);
    free(cand);
    return AK_OK;
}

/* ak_pattern_for_density with the causality the caller chose (AK_CAUSAL_*): only SINKS is
 * fitted differently when it is AK_CAUSAL_OFF. */
static ak_status for_density(ak_pattern_kind kind, double density, uint32_t k_blocks,
                             uint64_t seed, int causal, ak_pattern *out)
{
    if (!out || (unsigned)kind >= AK_PATTERN_COUNT || !(density > 0.0 && density <= 1.0) ||
        k_blocks == 0)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->seed = seed;
    out->stride = 1;
    out->topk = 1;
    const double want = density * k_blocks; /* active blocks per query block */
    switch (kind) {
    case AK_PATTERN_DENSE:
        return AK_OK;
    case AK_PATTERN_CAUSAL:
        out->causal = 1;
        return AK_OK;
    case AK_PATTERN_WINDOW:
        return fit_param(out, &out->window, 0, k_blocks, 1, density, k_blocks);
    case AK_PATTERN_SINKS:
        out->causal = causal < 0 ? AK_CAUSAL_OFF : AK_CAUSAL_ON;
        out->sinks = 1;
        return fit_param(out, &out->window, 0, k_blocks, 1, density, k_blocks);
    case AK_PATTERN_STRIDED:
        return fit_param(out, &out->stride, 1, k_blocks, 0, density, k_blocks);
    case AK_PATTERN_RANDOM:
        out->sinks = 1;
        out->random = round_nonneg(want - 2.0);
        return AK_OK;
    case AK_PATTERN_TOPK:
        out->topk = (uint32_t)ceil(want);
        out->topk = out->topk ? out->topk : 1;
        return AK_OK;
    default:
        return AK_EINVAL;
    }
}

ak_status ak_pattern_for_density(ak_pattern_kind kind, double density, uint32_t k_blocks,
                                 uint64_t seed, ak_pattern *out)
{
    return for_density(kind, density, k_blocks, seed, AK_CAUSAL_DEFAULT, out);
}

ak_status ak_pattern_fit_density(ak_pattern *p, double density, uint32_t k_blocks)
{
    if (!p)
        return AK_EINVAL;
    ak_pattern fitted;
    ak_status st = for_density(p->kind, density, k_blocks, p->seed, p->causal, &fitted);
    if (st != AK_OK)
        return st;
    if (p->causal != AK_CAUSAL_DEFAULT)
        fitted.causal = p->causal;
    *p = fitted;
    return AK_OK;
}

ak_status ak_mask_build(const ak_pattern *p, uint32_t nq, uint32_t nk, uint32_t block,
                        uint32_t heads, const int8_t *q, const int8_t *k, uint32_t d,
                        ak_mask *out, const char **why)
{
    if (!out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    const char *w = p ? check_pattern(p, heads, q, k, d) : "pattern: must not be NULL";
    if (w) {
        if (why)
            *why = w;
        return AK_EINVAL;
    }
    const int per_head = p->kind == AK_PATTERN_TOPK;
    ak_status st = mask_begin(out, nq, nk, block, per_head ? heads : 1,
                              ak_pattern_is_causal(p), why);
    if (st != AK_OK) {
        ak_mask_free(out);
        return st;
    }
    row_gen g = {.p = p, .m = out, .d = d};
    ak_rng_seed(&g.rng, p->seed);
    uint8_t *row = malloc(out->k_blocks);
    g.cand = malloc(sizeof *g.cand * out->k_blocks);
    g.sc = malloc(sizeof *g.sc * out->k_blocks);
    if (per_head) {
        g.qpool = malloc(sizeof *g.qpool * (uint64_t)out->q_blocks * d);
        g.kpool = malloc(sizeof *g.kpool * (uint64_t)out->k_blocks * d);
    }
    if (!row || !g.cand || !g.sc || (per_head && (!g.qpool || !g.kpool)))
        st = AK_ENOMEM;
    size_t cap = 0;
    for (uint32_t h = 0; st == AK_OK && h < out->heads; h++) {
        if (per_head) {
            pool_blocks(q + (uint64_t)h * nq * d, nq, d, block, out->q_blocks, g.qpool);
            pool_blocks(k + (uint64_t)h * nk * d, nk, d, block, out->k_blocks, g.kpool);
        }
        for (uint32_t qb = 0; st == AK_OK && qb < out->q_blocks; qb++) {
            gen_row(&g, qb, row);
            st = mask_append(out, &cap, h * out->q_blocks + qb, row);
        }
    }
    free(row);
    free(g.cand);
    free(g.sc);
    free(g.qpool);
    free(g.kpool);
    if (st != AK_OK)
        ak_mask_free(out);
    return st;
}

ak_status ak_mask_union(const ak_mask *a, const ak_mask *b, ak_mask *out, const char **why)
{
    if (!out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    const char *w = NULL;
    if (!a || !b)
        w = "mask: must not be NULL";
    else if (a->nq != b->nq || a->nk != b->nk || a->block != b->block)
        w = "parts of a union must have the same tokens and block size";
    else if (a->token_causal != b->token_causal)
        w = "parts of a union must agree on token causality: give every part the same "
            "\"causal\" (sinks and causal are causal by default, the others not)";
    else if (a->heads != b->heads && a->heads != 1 && b->heads != 1)
        w = "parts of a union must have the same heads (or 1)";
    if (w) {
        if (why)
            *why = w;
        return AK_EINVAL;
    }
    const uint32_t heads = a->heads > b->heads ? a->heads : b->heads;
    ak_status st = mask_begin(out, a->nq, a->nk, a->block, heads, a->token_causal, why);
    uint8_t *row = st == AK_OK ? calloc(out->k_blocks, 1) : NULL;
    if (st == AK_OK && !row)
        st = AK_ENOMEM;
    size_t cap = 0;
    for (uint32_t h = 0; st == AK_OK && h < heads; h++)
        for (uint32_t qb = 0; st == AK_OK && qb < out->q_blocks; qb++) {
            uint32_t na, nb;
            const uint32_t *la = ak_mask_list(a, h, qb, &na), *lb = ak_mask_list(b, h, qb, &nb);
            memset(row, 0, out->k_blocks);
            for (uint32_t x = 0; x < na; x++)
                row[la[x]] = 1;
            for (uint32_t x = 0; x < nb; x++)
                row[lb[x]] = 1;
            st = mask_append(out, &cap, h * out->q_blocks + qb, row);
        }
    free(row);
    if (st != AK_OK)
        ak_mask_free(out);
    return st;
}

uint64_t ak_mask_macs(const ak_mask *m, uint32_t heads, uint32_t d)
{
    uint64_t macs = 0;
    for (uint32_t h = 0; h < heads; h++)
        for (uint32_t qb = 0; qb < m->q_blocks; qb++) {
            uint32_t count;
            ak_mask_list(m, h, qb, &count);
            uint64_t rows = m->nq - (uint64_t)qb * m->block;
            rows = rows < m->block ? rows : m->block;
            macs += 2ull * rows * count * m->block * d;
        }
    return macs;
}

const uint32_t *ak_mask_list(const ak_mask *m, uint32_t h, uint32_t qb, uint32_t *count)
{
    uint32_t x = (m->heads == 1 ? 0 : h) * m->q_blocks + qb;
    *count = m->kv_off[x + 1] - m->kv_off[x];
    return m->kv_idx ? m->kv_idx + m->kv_off[x] : NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int ak_mask_valid(const ak_mask *m, uint32_t h, uint32_t i, uint32_t j)
{
    if (i >= m->nq || j >= m->nk)
        return 0;
    if (m->token_causal && (int64_t)j > (int64_t)i + m->nk - m->nq)
        return 0;
    uint32_t count, kb = j / m->block;
    const uint32_t *list = ak_mask_list(m, h, i / m->block, &count);
    return count && bsearch(&kb, list, count, sizeof kb, cmp_u32) != NULL;
}

uint64_t ak_mask_active_blocks(const ak_mask *m)
{
    return m->kv_off ? m->kv_off[(uint64_t)m->heads * m->q_blocks] : 0;
}

double ak_mask_density(const ak_mask *m)
{
    uint64_t all = (uint64_t)m->heads * m->q_blocks * m->k_blocks;
    return all ? (double)ak_mask_active_blocks(m) / (double)all : 0.0;
}

void ak_mask_print(FILE *f, const ak_mask *m, uint32_t h, uint32_t max_cols)
{
    if (max_cols == 0)
        max_cols = 1;
    const uint32_t step = (m->k_blocks + max_cols - 1) / max_cols; /* blocks per cell */
    const uint32_t cols = (m->k_blocks + step - 1) / step, rows = (m->q_blocks + step - 1) / step;
    fprintf(f, "block mask: %u queries x %u keys, B=%u, %u x %u blocks, %llu active (density %.4f)%s\n",
            m->nq, m->nk, m->block, m->q_blocks, m->k_blocks,
            (unsigned long long)ak_mask_active_blocks(m), ak_mask_density(m),
            m->token_causal ? ", token-causal" : "");
    if (step > 1)
        fprintf(f, "downsampled: each cell is %u x %u blocks ('#' all active, '+' some, '.' none)\n",
                step, step);
    fprintf(f, "key block ->\n      ");
    for (uint32_t c = 0; c < cols; c += 8) /* a label every 8 cells */
        fprintf(f, "%-8u", c * step);
    fputc('\n', f);
    uint8_t *cell = malloc(cols);
    if (!cell)
        return;
    for (uint32_t r = 0; r < rows; r++) {
        memset(cell, 0, cols); /* bit 0: some active, bit 1: some masked */
        for (uint32_t qb = r * step; qb < (r + 1) * step && qb < m->q_blocks; qb++) {
            uint32_t count, at = 0;
            const uint32_t *list = ak_mask_list(m, h, qb, &count);
            for (uint32_t kb = 0; kb < m->k_blocks; kb++) {
                int on = at < count && list[at] == kb;
                at += on;
                cell[kb / step] |= on ? 1 : 2;
            }
        }
        fprintf(f, "%5u ", r * step);
        for (uint32_t c = 0; c < cols; c++)
            fputc(cell[c] == 1 ? '#' : (cell[c] == 3 ? '+' : '.'), f);
        fputc('\n', f);
    }
    free(cell);
}

cJSON *ak_mask_lists_json(const ak_mask *m)
{
    cJSON *heads = cJSON_CreateArray();
    for (uint32_t h = 0; heads && h < m->heads; h++) {
        cJSON *rows = cJSON_CreateArray();
        cJSON_AddItemToArray(heads, rows);
        for (uint32_t qb = 0; rows && qb < m->q_blocks; qb++) {
            uint32_t count;
            const uint32_t *list = ak_mask_list(m, h, qb, &count);
            cJSON *row = cJSON_CreateArray();
            for (uint32_t b = 0; row && b < count; b++)
                cJSON_AddItemToArray(row, cJSON_CreateNumber(list[b]));
            cJSON_AddItemToArray(rows, row);
        }
    }
    return heads;
}
