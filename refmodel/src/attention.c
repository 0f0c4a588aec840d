/* The block-sparse attention walker: for each (head, query block) work item, visits only the
 * listed key blocks, in ascending order, in key tiles of KEY_TILE, and feeds the online-softmax
 * row unit. Work items are independent and write disjoint outputs, so they run on any number
 * of threads in any order with identical results. */
#include "attnkit/attention.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attnkit/numerics.h"
#include "online_softmax.h"

/* Query rows per work item when the job has no mask (any value gives the same bits). */
#define DENSE_ROWS 64

static int quant_ok(const ak_head_quant *q)
{
    const int32_t lo = INT32_C(1) << 30;
    return q->logit_mult >= lo && q->out_mult >= lo && q->logit_shift >= 0 &&
           q->logit_shift <= AK_MAX_SHIFT && q->out_shift >= 0 && q->out_shift <= AK_MAX_SHIFT;
}

ak_status ak_attn_job_check(const ak_attn_job *job, const char **why)
{
    const char *w = NULL;
    if (!job)
        w = "job: must not be NULL";
    else if (job->heads == 0)
        w = "heads: must be at least 1";
    else if (job->nq == 0 || job->nq > AK_MAX_TOKENS)
        w = "nq: must be 1..65536 tokens";
    else if (job->nk == 0 || job->nk > AK_MAX_TOKENS)
        w = "nk: must be 1..65536 tokens";
    else if (job->d != 32 && job->d != 64 && job->d != 128)
        w = "d: head dim must be 32, 64 or 128";
    else if (!job->q || !job->k || !job->v)
        w = "q/k/v: input tensors must not be NULL";
    else if (!job->quant)
        w = "quant: per-head multipliers must not be NULL";
    else if (job->mask && (job->mask->nq != job->nq || job->mask->nk != job->nk))
        w = "mask: its nq/nk must equal the job's";
    else if (job->mask && job->mask->heads != 1 && job->mask->heads != job->heads)
        w = "mask: heads must be 1 (shared) or the job's head count";
    else {
        for (uint32_t h = 0; h < job->heads; h++)
            if (!quant_ok(&job->quant[h])) {
                w = "quant: multipliers must lie in [2^30, 2^31) with shifts 0..62";
                break;
            }
    }
    if (why)
        *why = w;
    return w ? AK_EINVAL : AK_OK;
}

/* A job split into work items of rows_per_item query rows (one query block) per head. */
typedef struct {
    const ak_attn_job *job;
    int8_t *out;
    int32_t *out_fx;
    uint32_t rows_per_item, items_per_head;
    atomic_uint next;
    atomic_uint_least64_t sat_logits, sat_fx, sat_out; /* numerics.md 3.3 */
} walk_ctx;

/* Receives, for query row i, the base-2 logits L[0..n) of the tile's first n keys
 * (keys j0..j0+n-1 of the head). */
typedef void (*tile_visitor)(void *ctx, uint32_t i, const int32_t *L, uint32_t n,
                             const ak_key_tile *tile, uint32_t j0);

/* Walks query rows r0..r1-1 of head h, all in one query block (so one key-block list): the
 * listed key blocks in ascending order, each in key tiles of KEY_TILE; inside an active block
 * a row's valid keys form one contiguous prefix (numerics.md section 4), so a row's tile is cut
 * short by nk or by its token-causal limit, and every row sees its tiles in the order of the
 * spec. Each tile is loaded once for all the rows. Returns the saturated logits. */
static uint64_t walk_rows(const ak_attn_job *job, uint32_t h, uint32_t r0, uint32_t r1,
                          tile_visitor visit, void *ctx, ak_key_tile *tile)
{
    const ak_mask *mask = job->mask;
    const uint32_t d = job->d, nq = job->nq, nk = job->nk;
    const ak_head_quant *qp = &job->quant[h];
    const int8_t *kh = job->k + (uint64_t)h * nk * d, *vh = job->v + (uint64_t)h * nk * d;
    uint32_t count = 1, B = nk; /* no mask: one block spanning all keys */
    const uint32_t *list = NULL;
    if (mask) {
        list = ak_mask_list(mask, h, r0 / mask->block, &count);
        B = mask->block;
    }
    /* Row i's last valid key + 1 under the token-causal rule j <= i + nk - nq; it grows with
     * i, so the last row's bounds the tiles the rows need. */
    const int causal = mask && mask->token_causal;
    uint64_t sat = 0;
    int32_t s[AK_KEY_TILE], L[AK_KEY_TILE];
    for (uint32_t b = 0; b < count; b++) {
        const uint64_t j0 = (uint64_t)(list ? list[b] : 0) * B;
        const uint64_t jend = j0 + B < nk ? j0 + B : nk;
        for (uint64_t t = j0; t < jend; t += AK_KEY_TILE) {
            const int64_t last_lim = causal ? (int64_t)r1 + nk - nq : (int64_t)nk;
            if ((int64_t)t >= last_lim)
                break; /* no row of the group reaches this tile */
            const uint32_t nt = jend - t < AK_KEY_TILE ? (uint32_t)(jend - t) : AK_KEY_TILE;
            ak_key_tile_load(tile, kh + t * d, vh + t * d, nt, d);
            for (uint32_t i = r0; i < r1; i++) {
                int64_t lim = causal ? (int64_t)i + 1 + nk - nq : (int64_t)jend;
                lim = lim < (int64_t)jend ? lim : (int64_t)jend;
                if ((int64_t)t >= lim)
                    continue;
                const uint32_t n = lim - (int64_t)t < nt ? (uint32_t)(lim - (int64_t)t) : nt;
                ak_key_tile_dots(tile, job->q + ((uint64_t)h * nq + i) * d, s);
                sat += ak_row_logits(s, n, qp, L);
                visit(ctx, i, L, n, tile, (uint32_t)t);
            }
        }
    }
    return sat;
}

/* Rows r0.. of a group, each with its online-softmax state (numerics.md section 6). */
typedef struct {
    ak_row_state *st;
    uint32_t r0;
} online_pass;

static void online_tile(void *ctx, uint32_t i, const int32_t *L, uint32_t n,
                        const ak_key_tile *tile, uint32_t j0)
{
    (void)j0;
    online_pass *op = ctx;
    ak_row_update(&op->st[i - op->r0], L, n, tile);
}

/* The online pass of rows r0..r1-1 (one query block) into st[0..r1-r0). */
static uint64_t online_rows(const ak_attn_job *job, uint32_t h, uint32_t r0, uint32_t r1,
                            ak_row_state *st, ak_key_tile *tile)
{
    for (uint32_t i = r0; i < r1; i++)
        ak_row_init(&st[i - r0], job->d);
    online_pass op = {st, r0};
    return walk_rows(job, h, r0, r1, online_tile, &op, tile);
}

/* What one thread works with: the row states of a work item and a key tile. */
typedef struct {
    ak_row_state *st;
    ak_key_tile tile;
} scratch;

static void run_item(walk_ctx *ctx, uint32_t item, scratch *w)
{
    const ak_attn_job *job = ctx->job;
    const uint32_t h = item / ctx->items_per_head, blk = item % ctx->items_per_head;
    const uint32_t r0 = blk * ctx->rows_per_item;
    const uint32_t r1 = r0 + ctx->rows_per_item < job->nq ? r0 + ctx->rows_per_item : job->nq;
    uint64_t sat_l = online_rows(job, h, r0, r1, w->st, &w->tile), sat_fx = 0, sat_out = 0;
    for (uint32_t i = r0; i < r1; i++) {
        uint64_t o = ((uint64_t)h * job->nq + i) * job->d;
        ak_row_finish(&w->st[i - r0], &job->quant[h], job->d, ctx->out + o,
                      ctx->out_fx ? ctx->out_fx + o : NULL, &sat_fx, &sat_out);
    }
    atomic_fetch_add(&ctx->sat_logits, sat_l);
    atomic_fetch_add(&ctx->sat_fx, sat_fx);
    atomic_fetch_add(&ctx->sat_out, sat_out);
}

typedef struct {
    walk_ctx *ctx;
    scratch *w;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *a = arg;
    const uint32_t total = a->ctx->items_per_head * a->ctx->job->heads;
    for (;;) {
        uint32_t item = atomic_fetch_add(&a->ctx->next, 1u);
        if (item >= total)
            return NULL;
        run_item(a->ctx, item, a->w);
    }
}

ak_status ak_attention(const ak_attn_job *job, int8_t *out, int32_t *out_fx, unsigned threads)
{
    ak_sat_counts sat;
    return ak_attention_counted(job, out, out_fx, threads, &sat);
}

uint64_t ak_requantize(const int32_t *o_fx, uint64_t n, const ak_head_quant *qp, int8_t *out)
{
    uint64_t sat = 0;
    for (uint64_t x = 0; x < n; x++) {
        int saturated;
        out[x] = ak_requant(o_fx[x], qp, &saturated);
        sat += (uint64_t)saturated;
    }
    return sat;
}

/* Runs the work items on `threads` threads (the caller's included). */
static ak_status run_items(walk_ctx *ctx, unsigned threads);

ak_status ak_attention_counted(const ak_attn_job *job, int8_t *out, int32_t *out_fx,
                               unsigned threads, ak_sat_counts *sat)
{
    ak_status st = ak_attn_job_check(job, NULL);
    if (st != AK_OK)
        return st;
    if (!out || !sat)
        return AK_EINVAL;
    walk_ctx ctx = {.job = job, .out = out, .out_fx = out_fx};
    ctx.rows_per_item = job->mask ? job->mask->block : DENSE_ROWS;
    ctx.items_per_head = (job->nq + ctx.rows_per_item - 1) / ctx.rows_per_item;
    atomic_init(&ctx.next, 0u);
    atomic_init(&ctx.sat_logits, 0u);
    atomic_init(&ctx.sat_fx, 0u);
    atomic_init(&ctx.sat_out, 0u);
    st = run_items(&ctx, threads);
    *sat = (ak_sat_counts){atomic_load(&ctx.sat_logits), atomic_load(&ctx.sat_fx),
                           atomic_load(&ctx.sat_out)};
    return st;
}

static ak_status run_items(walk_ctx *ctx, unsigned threads)
{
    const ak_attn_job *job = ctx->job;

    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1u;
    }
    uint64_t items = (uint64_t)ctx->items_per_head * job->heads;
    if (threads > items)
        threads = (unsigned)items;
    if (threads == 0)
        threads = 1;
    /* Everything is allocated before any work starts, so a failure leaves no half-done job. */
    pthread_t *tid = calloc(threads, sizeof *tid);
    scratch *w = calloc(threads, sizeof *w);
    worker_arg *args = calloc(threads, sizeof *args);
    ak_row_state *st = calloc((size_t)threads * ctx->rows_per_item, sizeof *st);
    ak_status rc = tid && w && args && st ? AK_OK : AK_ENOMEM;
    if (rc == AK_OK) {
        for (unsigned t = 0; t < threads; t++) {
            w[t].st = st + (size_t)t * ctx->rows_per_item;
            args[t] = (worker_arg){ctx, &w[t]};
        }
        unsigned started = 0;
        for (; started + 1 < threads; started++)
            if (pthread_create(&tid[started], NULL, worker, &args[started + 1]) != 0)
                break;
        worker(&args[0]); /* the calling thread works too; it also finishes what failed threads
                             left */
        for (unsigned t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
    }
    free(st);
    free(args);
    free(w);
    free(tid);
    return rc;
}

uint64_t ak_attention_macs(const ak_attn_job *job)
{
    if (ak_attn_job_check(job, NULL) != AK_OK)
        return 0;
    if (job->mask)
        return ak_mask_macs(job->mask, job->heads, job->d);
    uint64_t keys = (job->nk + AK_KEY_TILE - 1) / AK_KEY_TILE * AK_KEY_TILE; /* whole tiles */
    return 2ull * job->heads * job->nq * keys * job->d;
}

/* The second pass of numerics.md 11.1: P16 of each valid key from the row's final m and l. */
typedef struct {
    const ak_row_state *st; /* of rows r0.. */
    uint32_t r0;
    uint16_t *rows;         /* row i's nk entries at (i - r0) * nk */
    uint32_t nk;
} prob_pass;

static void prob_tile(void *ctx, uint32_t i, const int32_t *L, uint32_t n,
                      const ak_key_tile *tile, uint32_t j0)
{
    (void)tile;
    prob_pass *pp = ctx;
    uint16_t *row = pp->rows + (uint64_t)(i - pp->r0) * pp->nk;
    for (uint32_t j = 0; j < n; j++)
        row[j0 + j] = ak_row_prob16(&pp->st[i - pp->r0], L[j]);
}

ak_status ak_attention_probs(const ak_attn_job *job, uint32_t row0, uint32_t rows,
                             uint16_t *probs)
{
    ak_status st = ak_attn_job_check(job, NULL);
    if (st != AK_OK)
        return st;
    if (!probs || rows == 0 || row0 >= job->nq || rows > job->nq - row0)
        return AK_EINVAL;
    /* Rows go in groups that share a query block (one key-block list). */
    const uint32_t qb = job->mask ? job->mask->block : rows;
    const uint32_t group = qb < rows ? qb : rows;
    ak_row_state *rs = calloc(group, sizeof *rs);
    ak_key_tile *tile = malloc(sizeof *tile);
    if (!rs || !tile) {
        free(rs);
        free(tile);
        return AK_ENOMEM;
    }
    memset(probs, 0, sizeof *probs * job->heads * rows * job->nk); /* invalid keys stay 0 */
    for (uint32_t h = 0; h < job->heads; h++)
        for (uint32_t r0 = row0; r0 < row0 + rows;) {
            uint32_t r1 = job->mask ? (r0 / qb + 1) * qb : row0 + rows;
            r1 = r1 < row0 + rows ? r1 : row0 + rows;
            online_rows(job, h, r0, r1, rs, tile); /* saturation: ak_attention_counted's */
            prob_pass pp = {rs, r0, probs + ((uint64_t)h * rows + (r0 - row0)) * job->nk,
                            job->nk};
            walk_rows(job, h, r0, r1, prob_tile, &pp, tile);
            r0 = r1;
        }
    free(tile);
    free(rs);
    return AK_OK;
}
