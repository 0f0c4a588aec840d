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

/* Receives the base-2 logits L[0..n) of the valid keys j0..j0+n-1 of one key tile. */
typedef void (*tile_visitor)(void *ctx, const int32_t *L, uint32_t n, uint32_t j0);

/* Walks query row i of head h: the listed key blocks in ascending order, each in key tiles of
 * KEY_TILE; inside an active block the row's valid keys form one contiguous prefix
 * (numerics.md section 4), so a tile is cut short by nk or by the token-causal limit. */
static void walk_row(const ak_attn_job *job, uint32_t h, uint32_t i, tile_visitor visit,
                     void *ctx, uint64_t *logit_sat)
{
    const ak_mask *mask = job->mask;
    const uint32_t d = job->d, nq = job->nq, nk = job->nk;
    const ak_head_quant *qp = &job->quant[h];
    const int8_t *kh = job->k + (uint64_t)h * nk * d;
    const int8_t *qrow = job->q + ((uint64_t)h * nq + i) * d;
    uint32_t count = 1, B = nk; /* no mask: one block spanning all keys */
    const uint32_t *list = NULL;
    if (mask) {
        list = ak_mask_list(mask, h, i / mask->block, &count);
        B = mask->block;
    }
    int64_t jl = nk; /* last valid key + 1 under the token-causal rule j <= i + nk - nq */
    if (mask && mask->token_causal)
        jl = (int64_t)i + 1 + nk - nq;
    const uint64_t jlim = jl > 0 ? (uint64_t)jl : 0;
    int32_t L[AK_KEY_TILE];
    for (uint32_t b = 0; b < count; b++) {
        uint64_t j0 = (uint64_t)(list ? list[b] : 0) * B, j1 = j0 + B;
        j1 = j1 < nk ? j1 : nk;
        j1 = j1 < jlim ? j1 : jlim;
        for (uint64_t t = j0; t < j1; t += AK_KEY_TILE) {
            uint32_t n = j1 - t < AK_KEY_TILE ? (uint32_t)(j1 - t) : AK_KEY_TILE;
            for (uint32_t j = 0; j < n; j++) {
                const int8_t *krow = kh + (t + j) * d;
                int32_t s = 0;
                for (uint32_t c = 0; c < d; c++)
                    s += (int32_t)qrow[c] * (int32_t)krow[c];
                int saturated;
                L[j] = ak_logit_sat(s, qp, &saturated);
                *logit_sat += (uint64_t)saturated;
            }
            visit(ctx, L, n, (uint32_t)t);
        }
    }
}

/* The online pass of one row: feeds each tile to the row unit. */
typedef struct {
    ak_row_state st;
    const int8_t *vh; /* the head's V */
    uint32_t d;
} online_pass;

static void online_tile(void *ctx, const int32_t *L, uint32_t n, uint32_t j0)
{
    online_pass *op = ctx;
    ak_row_tile(&op->st, L, n, op->vh + (uint64_t)j0 * op->d, op->d);
}

static void online_row(const ak_attn_job *job, uint32_t h, uint32_t i, online_pass *op,
                       uint64_t *logit_sat)
{
    op->vh = job->v + (uint64_t)h * job->nk * job->d;
    op->d = job->d;
    ak_row_init(&op->st, job->d);
    walk_row(job, h, i, online_tile, op, logit_sat);
}

static void run_item(walk_ctx *ctx, uint32_t item)
{
    const ak_attn_job *job = ctx->job;
    const uint32_t h = item / ctx->items_per_head, blk = item % ctx->items_per_head;
    const uint32_t r0 = blk * ctx->rows_per_item;
    const uint32_t r1 = r0 + ctx->rows_per_item < job->nq ? r0 + ctx->rows_per_item : job->nq;
    online_pass op;
    uint64_t sat_l = 0, sat_fx = 0, sat_out = 0;
    for (uint32_t i = r0; i < r1; i++) {
        online_row(job, h, i, &op, &sat_l);
        uint64_t o = ((uint64_t)h * job->nq + i) * job->d;
        ak_row_finish(&op.st, &job->quant[h], job->d, ctx->out + o,
                      ctx->out_fx ? ctx->out_fx + o : NULL, &sat_fx, &sat_out);
    }
    atomic_fetch_add(&ctx->sat_logits, sat_l);
    atomic_fetch_add(&ctx->sat_fx, sat_fx);
    atomic_fetch_add(&ctx->sat_out, sat_out);
}

static void *worker(void *arg)
{
    walk_ctx *ctx = arg;
    const uint32_t total = ctx->items_per_head * ctx->job->heads;
    for (;;) {
        uint32_t item = atomic_fetch_add(&ctx->next, 1u);
        if (item >= total)
            return NULL;
        run_item(ctx, item);
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
    if (threads <= 1) {
        worker(ctx);
        return AK_OK;
    }
    pthread_t *tid = calloc(threads - 1, sizeof *tid);
    if (!tid)
        return AK_ENOMEM;
    unsigned started = 0;
    for (; started < threads - 1; started++)
        if (pthread_create(&tid[started], NULL, worker, ctx) != 0)
            break;
    worker(ctx); /* the calling thread works too; it also finishes what failed threads left */
    for (unsigned t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    return AK_OK;
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
    const ak_row_state *st;
    uint16_t *row; /* nk entries */
} prob_pass;

static void prob_tile(void *ctx, const int32_t *L, uint32_t n, uint32_t j0)
{
    prob_pass *pp = ctx;
    for (uint32_t j = 0; j < n; j++)
        pp->row[j0 + j] = ak_row_prob16(pp->st, L[j]);
}

ak_status ak_attention_probs(const ak_attn_job *job, uint32_t row0, uint32_t rows,
                             uint16_t *probs)
{
    ak_status st = ak_attn_job_check(job, NULL);
    if (st != AK_OK)
        return st;
    if (!probs || rows == 0 || row0 >= job->nq || rows > job->nq - row0)
        return AK_EINVAL;
    online_pass op;
    for (uint32_t h = 0; h < job->heads; h++)
        for (uint32_t r = 0; r < rows; r++) {
            uint16_t *row = probs + ((uint64_t)h * rows + r) * job->nk;
            memset(row, 0, sizeof *row * job->nk); /* invalid keys stay 0 */
            uint64_t sat = 0; /* counted by ak_attention_counted, not here */
            online_row(job, h, row0 + r, &op, &sat);
            prob_pass pp = {&op.st, row};
            walk_row(job, h, row0 + r, prob_tile, &pp, &sat);
        }
    return AK_OK;
}
