/* The descriptor fuzzer of desc_fuzz.h: a random valid job laid out by refmodel's job_image,
 * its image mutated in a host buffer, written through the backend's memory window and started
 * through the CSRs; the outcome classified and tallied. */
#include "desc_fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "attnkit/desc_regions.h"
#include "attnkit/hw_params.h"
#include "attnkit/job_image.h"
#include "attnkit/numerics.h"
#include "attnkit/prune.h"
#include "attnkit/rng.h"
#include "attnkit_csr.h"
#include "attnkit_desc.h"
#include "attnkit_err.h"

#define REG(r) ((uint32_t)offsetof(attnkit_csr_t, r))
#define FIELD(v, reg, f) (((v) & ATTNKIT_CSR__##reg##__##f##_bm) >> ATTNKIT_CSR__##reg##__##f##_bp)
#define DEFAULT_CAP 20000u
#define MAX_TOK 96u     /* the valid jobs' nq and nk */
#define SMALL_TOK 40u   /* most jobs stay below this (speed) */
#define BASE_SLOTS 2048u /* the job's base: 4096 + 64 x below(BASE_SLOTS) */
#define NO_CODE 0xFFu

static const char *const mutation_names[AK_FUZZ_MUTATIONS] = {
    "magic/version", "counts",      "shape",     "misaligned",  "address high", "overlap",
    "near 2^32",     "kv_off",      "kv_idx",    "quant",       "prune",        "bit flips",
    "heads",         "nq/nk stride", "desc addr", "kv_off total"};

const char *ak_fuzz_mutation_name(unsigned kind)
{
    return kind < AK_FUZZ_MUTATIONS ? mutation_names[kind] : "?";
}

const char *ak_fuzz_outcome_name(ak_fuzz_outcome o)
{
    static const char *const n[AK_FUZZ_OUTCOMES] = {
        "done ok", "done with error", "long (aborted)", "HANG", "DMA OUTSIDE THE JOB",
        "AXI PROTOCOL ERROR", "VALID JOB FAILED", "BACKEND FAILURE"};
    return (unsigned)o < AK_FUZZ_OUTCOMES ? n[o] : "?";
}

/* ---- bytes of the image ---- */

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_addr(const uint8_t *h, uint32_t lo, uint32_t hi)
{
    return (uint64_t)get32(h + hi) << 32 | get32(h + lo);
}

static void put_addr(uint8_t *h, uint32_t lo, uint32_t hi, uint64_t a)
{
    put32(h + lo, (uint32_t)a);
    put32(h + hi, (uint32_t)(a >> 32));
}

/* the descriptor's address fields */
static const uint32_t addr_lo[] = {AK_DESC_Q_LO_OFFSET,      AK_DESC_K_LO_OFFSET,
                                   AK_DESC_V_LO_OFFSET,      AK_DESC_O_LO_OFFSET,
                                   AK_DESC_KV_OFF_LO_OFFSET, AK_DESC_KV_IDX_LO_OFFSET,
                                   AK_DESC_SCORE_LO_OFFSET,  AK_DESC_KEPT_LO_OFFSET,
                                   AK_DESC_FUSED_LO_OFFSET};
static const uint32_t addr_hi[] = {AK_DESC_Q_HI_OFFSET,      AK_DESC_K_HI_OFFSET,
                                   AK_DESC_V_HI_OFFSET,      AK_DESC_O_HI_OFFSET,
                                   AK_DESC_KV_OFF_HI_OFFSET, AK_DESC_KV_IDX_HI_OFFSET,
                                   AK_DESC_SCORE_HI_OFFSET,  AK_DESC_KEPT_HI_OFFSET,
                                   AK_DESC_FUSED_HI_OFFSET};
#define N_ADDR (sizeof addr_lo / sizeof addr_lo[0])

/* ---- one run's job ---- */

typedef struct {
    ak_rng rng;
    uint32_t heads, nq, nk, d, B;
    ak_mask mask;
    ak_head_quant quant[2];
    int8_t *q, *k, *v;
    ak_prune_job prune;
    ak_job_layout lay;
    uint8_t *img; /* [lay.desc, lay.end) */
    uint64_t desc_addr;
    uint64_t mem_size;
} fuzz_job;

static uint32_t below(fuzz_job *j, uint32_t n)
{
    return ak_rng_below(&j->rng, n);
}

static uint32_t pick_tokens(fuzz_job *j)
{
    return 1 + below(j, below(j, 4) ? SMALL_TOK : MAX_TOK);
}

static void free_job(fuzz_job *j)
{
    free(j->mask.kv_off);
    free(j->mask.kv_idx);
    free(j->q);
    free(j->k);
    free(j->v);
    free(j->img);
}

/* A random valid job and its image (AK_OK), within the first MiBs of memory. */
static ak_status make_job(fuzz_job *j, uint32_t max_d)
{
    static const uint32_t ds[] = {32, 32, 32, 64, 64, 128};
    static const uint32_t bs[] = {16, 16, 32, 64, 128};
    j->heads = 1 + below(j, 2);
    j->nq = pick_tokens(j);
    j->nk = pick_tokens(j);
    do
        j->d = ds[below(j, 6)];
    while (j->d > max_d);
    j->B = bs[below(j, 5)];
    ak_mask *m = &j->mask;
    m->nq = j->nq;
    m->nk = j->nk;
    m->block = j->B;
    m->q_blocks = (j->nq + j->B - 1) / j->B;
    m->k_blocks = (j->nk + j->B - 1) / j->B;
    m->heads = j->heads == 2 && below(j, 2) ? 2 : 1;
    m->token_causal = (int)below(j, 2);
    const uint32_t lists = m->heads * m->q_blocks;
    m->kv_off = calloc(lists + 1, sizeof *m->kv_off);
    m->kv_idx = calloc((size_t)lists * m->k_blocks + 1, sizeof *m->kv_idx);
    const size_t qn = (size_t)j->heads * j->nq * j->d, kn = (size_t)j->heads * j->nk * j->d;
    j->q = malloc(qn);
    j->k = malloc(kn);
    j->v = malloc(kn);
    if (!m->kv_off || !m->kv_idx || !j->q || !j->k || !j->v)
        return AK_ENOMEM;
    const uint32_t density = below(j, 4); /* 0: sparse .. 3: dense */
    uint32_t n = 0;
    for (uint32_t x = 0; x < lists; x++) {
        for (uint32_t kb = 0; kb < m->k_blocks; kb++)
            if (density == 3 || below(j, 4) < density + 1)
                m->kv_idx[n++] = kb;
        m->kv_off[x + 1] = n;
    }
    for (size_t i = 0; i < qn; i++)
        j->q[i] = (int8_t)(below(j, 256) - 128);
    for (size_t i = 0; i < kn; i++) {
        j->k[i] = (int8_t)(below(j, 256) - 128);
        j->v[i] = (int8_t)(below(j, 256) - 128);
    }
    for (uint32_t h = 0; h < j->heads; h++)
        j->quant[h] = (ak_head_quant){.logit_mult = (int32_t)((1u << 30) + below(j, 1u << 30)),
                                      .logit_shift = 20 + (int)below(j, 20),
                                      .out_mult = (int32_t)((1u << 30) + below(j, 1u << 30)),
                                      .out_shift = 30 + (int)below(j, 20)};
    /* pruning: EViT, eviction or none, with parameters the hardware takes */
    j->prune = (ak_prune_job){.mode = AK_PRUNE_NONE};
    const uint32_t pm = below(j, 8);
    if (pm < 2) {
        j->prune.mode = AK_PRUNE_EVIT;
        j->prune.keep_ppm = 1 + below(j, AK_PPM);
    } else if (pm < 4) {
        ak_prune_job *p = &j->prune;
        p->mode = AK_PRUNE_EVICT;
        p->sinks = below(j, 8);
        p->recent = below(j, 8);
        p->budget = p->sinks + p->recent + 1 + below(j, j->nk);
        p->window = 1 + below(j, j->nq < 8 ? j->nq : 8);
    }
    const ak_attn_job job = {.heads = j->heads, .nq = j->nq, .nk = j->nk, .d = j->d,
                             .q = j->q, .k = j->k, .v = j->v, .quant = j->quant, .mask = m};
    const char *why = NULL;
    if (ak_attn_job_check(&job, &why) != AK_OK ||
        ak_prune_job_check(&j->prune, j->heads, j->nq, j->nk, AK_MAX_PROBE_ROWS,
                           AK_MAX_PRUNE_TOKENS, &why) != AK_OK)
        return AK_EINVAL; /* a bug of the generator */
    const uint64_t base = 4096 + 64ull * below(j, BASE_SLOTS);
    if (ak_job_layout_plan(&job, base, &j->lay) != AK_OK ||
        ak_job_layout_add_prune(&j->lay, j->nk, &j->prune) != AK_OK)
        return AK_EINVAL;
    const uint64_t bytes = j->lay.end - j->lay.desc;
    j->img = malloc(bytes);
    if (!j->img)
        return AK_ENOMEM;
    memset(j->img, 0xA5, bytes); /* the outputs poisoned */
    if (ak_job_image_write(&job, &j->lay, j->img) != AK_OK)
        return AK_EINVAL;
    j->desc_addr = j->lay.desc;
    return AK_OK;
}

/* ---- mutations ---- */

static uint64_t high_addr(fuzz_job *j)
{
    switch (below(j, 6)) {
    case 0: return 0 - 64ull * (1 + below(j, 64));             /* the top beats of 2^64 */
    case 1: return (1ull << 32) - 64ull * (1 + below(j, 8));  /* near 2^32 */
    case 2: return j->mem_size + 64ull * below(j, 1024);      /* past the memory */
    case 3: return j->mem_size - 64ull * (1 + below(j, 16));  /* runs past its end */
    case 4: return 1ull << 63;
    default: return 0 - 4096 - 64ull * below(j, 8);           /* a page below the top */
    }
}

static uint32_t wild32(fuzz_job *j)
{
    static const uint32_t v[] = {0, 1, 2, 0xFFFFFFFFu, 0xFFFFFFFEu, 0x80000000u, 0x7FFFFFFFu,
                                 65536, 65537, 1000000, 1000001};
    return below(j, 3) ? v[below(j, sizeof v / sizeof v[0])] : (uint32_t)ak_rng_u64(&j->rng);
}

static void mutate(fuzz_job *j, unsigned kind)
{
    uint8_t *h = j->img;
    const ak_mask *m = &j->mask;
    const uint32_t lists = m->heads * m->q_blocks;
    uint8_t *off = j->img + (j->lay.kv_off - j->lay.desc);
    uint8_t *idx = j->img + (j->lay.kv_idx - j->lay.desc);
    const uint32_t a = below(j, N_ADDR);
    switch (kind) {
    case 0: /* magic / version */
        if (below(j, 2))
            put32(h + AK_DESC_MAGIC_OFFSET, get32(h + AK_DESC_MAGIC_OFFSET) ^ 1u << below(j, 32));
        else
            put32(h + AK_DESC_VERSION_OFFSET, below(j, 2) ? below(j, 4) : wild32(j));
        break;
    case 1: { /* counts */
        static const uint32_t f[] = {AK_DESC_HEADS_OFFSET, AK_DESC_NQ_OFFSET, AK_DESC_NK_OFFSET};
        put32(h + f[below(j, 3)], below(j, 2) ? wild32(j) : below(j, 300));
        break;
    }
    case 2: { /* shape: head dim, block, flags */
        static const uint32_t dv[] = {0, 8, 16, 32, 64, 96, 128, 255};
        uint32_t s = get32(h + AK_DESC_SHAPE_OFFSET);
        const uint32_t what = below(j, 4);
        if (what == 0)
            s = (s & ~(0xFFu << AK_DESC_SHAPE_HEAD_DIM_LSB)) | dv[below(j, 8)] << AK_DESC_SHAPE_HEAD_DIM_LSB;
        else if (what == 1)
            s = (s & ~(0xFFu << AK_DESC_SHAPE_BLOCK_LSB)) | dv[below(j, 8)] << AK_DESC_SHAPE_BLOCK_LSB;
        else
            s ^= 1u << (what == 2 ? AK_DESC_SHAPE_TOKEN_CAUSAL_LSB : AK_DESC_SHAPE_MASK_PER_HEAD_LSB);
        put32(h + AK_DESC_SHAPE_OFFSET, s);
        break;
    }
    case 3: /* a misaligned buffer */
        put_addr(h, addr_lo[a], addr_hi[a], get_addr(h, addr_lo[a], addr_hi[a]) + 1 + below(j, 63));
        break;
    case 4: /* an address near 2^32 or 2^64, or past the memory */
        put_addr(h, addr_lo[a], addr_hi[a], high_addr(j));
        break;
    case 5: { /* two regions overlapping (or an output onto the descriptor) */
        const uint32_t b = below(j, N_ADDR + 1);
        const uint64_t to = b == N_ADDR ? j->desc_addr : get_addr(h, addr_lo[b], addr_hi[b]);
        put_addr(h, addr_lo[a], addr_hi[a], to + 64ull * below(j, 3));
        break;
    }
    case 6: { /* sizes near 2^32 */
        static const uint32_t f[] = {AK_DESC_HEADS_OFFSET, AK_DESC_NQ_OFFSET, AK_DESC_NK_OFFSET,
                                     AK_DESC_KEEP_OFFSET, AK_DESC_BUDGET_OFFSET, AK_DESC_SINKS_OFFSET,
                                     AK_DESC_RECENT_OFFSET, AK_DESC_WINDOW_OFFSET};
        put32(h + f[below(j, 8)], 0u - 1u - below(j, 16));
        break;
    }
    case 7: { /* a kv_off entry out of order, too long a list, huge */
        const uint32_t x = below(j, lists + 1), cur = get32(off + 4ull * x);
        static const uint32_t big[] = {0xFFFFFFFFu, 0xFFFFFFF0u, 0x80000000u};
        switch (below(j, 4)) {
        case 0: put32(off + 4ull * x, cur + 1 + below(j, 600)); break;
        case 1: put32(off + 4ull * x, cur ? cur - 1 - below(j, cur) : 1 + below(j, 8)); break;
        case 2: put32(off + 4ull * x, big[below(j, 3)]); break;
        default: put32(off + 4ull * x, (uint32_t)ak_rng_u64(&j->rng)); break;
        }
        break;
    }
    case 8: { /* a kv_idx entry out of range or out of order */
        const uint32_t n = m->kv_off[lists];
        if (!n) {
            put32(off + 4ull * lists, 1 + below(j, 4)); /* lists that point at nothing valid */
            break;
        }
        const uint32_t x = below(j, n);
        switch (below(j, 4)) {
        case 0: put32(idx + 4ull * x, m->k_blocks + below(j, 8)); break;
        case 1: put32(idx + 4ull * x, 0xFFFFFFFFu); break;
        case 2: put32(idx + 4ull * x, x ? get32(idx + 4ull * (x - 1)) : 0x7FFFFFFFu); break;
        default: put32(idx + 4ull * x, (uint32_t)ak_rng_u64(&j->rng)); break;
        }
        break;
    }
    case 9: { /* a corrupted quantisation entry (multiplier below 2^30, shift above 62, ...) */
        uint8_t *e = h + AK_DESC_QUANT_OFFSET + AK_DESC_QUANT_SIZE * below(j, j->heads);
        static const uint32_t v[] = {0, 1, 63, 64, 0xFFFFFFFFu, (1u << 30) - 1, 0x80000000u};
        put32(e + 4 * below(j, 4), below(j, 3) ? v[below(j, 7)] : (uint32_t)ak_rng_u64(&j->rng));
        break;
    }
    case 10: { /* pruning fields; the output regions at the job's end when it had none */
        if (j->prune.mode == AK_PRUNE_NONE && below(j, 2)) {
            put_addr(h, AK_DESC_SCORE_LO_OFFSET, AK_DESC_SCORE_HI_OFFSET, j->lay.end);
            put_addr(h, AK_DESC_KEPT_LO_OFFSET, AK_DESC_KEPT_HI_OFFSET, j->lay.end + 4096);
            put_addr(h, AK_DESC_FUSED_LO_OFFSET, AK_DESC_FUSED_HI_OFFSET, j->lay.end + 8192);
        }
        static const uint32_t f[] = {AK_DESC_PRUNE_OFFSET, AK_DESC_KEEP_OFFSET,
                                     AK_DESC_BUDGET_OFFSET, AK_DESC_SINKS_OFFSET,
                                     AK_DESC_RECENT_OFFSET, AK_DESC_WINDOW_OFFSET};
        const uint32_t w = below(j, 6);
        put32(h + f[w], w == 0 ? below(j, 4) : below(j, 2) ? below(j, 130) : wild32(j));
        break;
    }
    case 11: /* bit flips in the header and the entries */
        for (uint32_t n = 1 + below(j, 4); n; n--) {
            const uint32_t bit = below(j, (AK_DESC_QUANT_OFFSET + AK_DESC_QUANT_SIZE * j->heads) * 8);
            h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        break;
    case 12: { /* heads that disagree with the mask, strides and the quantisation table */
        uint32_t s = get32(h + AK_DESC_SHAPE_OFFSET);
        if (below(j, 3) == 0)
            put32(h + AK_DESC_SHAPE_OFFSET, s ^ 1u << AK_DESC_SHAPE_MASK_PER_HEAD_LSB);
        else
            put32(h + AK_DESC_HEADS_OFFSET, j->heads + 1 + below(j, 6));
        break;
    }
    case 13: { /* nq or nk off from the layout's strides and lists */
        const uint32_t f = below(j, 2) ? AK_DESC_NQ_OFFSET : AK_DESC_NK_OFFSET;
        const uint32_t n = get32(h + f);
        put32(h + f, below(j, 2) ? n + 1 + below(j, 200) : 1 + below(j, n));
        break;
    }
    case 14: /* the descriptor address itself */
        switch (below(j, 4)) {
        case 0: j->desc_addr += 1 + below(j, 63); break;
        case 1: j->desc_addr = high_addr(j); break;
        case 2: j->desc_addr = j->lay.q; break; /* a descriptor made of Q's bytes */
        default: j->desc_addr = j->lay.end + 64ull * below(j, 64); break; /* zeros */
        }
        break;
    default: /* kv_off: a list that reaches past kv_off[lists] (within MaxKvBlocks) */
        if (lists >= 1) {
            const uint32_t x = below(j, lists);
            put32(off + 4ull * (x + 1), m->kv_off[lists] + 1 + below(j, 400));
        }
        break;
    }
}

/* ---- the budget: the work the descriptor at desc_addr describes ---- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

/* A generous cycle count for the job the header describes (0: it fails the early checks). */
static uint64_t describes(const uint8_t *h, uint32_t rows, uint64_t lat)
{
    const uint32_t heads = get32(h + AK_DESC_HEADS_OFFSET), nq = get32(h + AK_DESC_NQ_OFFSET),
                   nk = get32(h + AK_DESC_NK_OFFSET), shape = get32(h + AK_DESC_SHAPE_OFFSET);
    const uint32_t d = shape >> AK_DESC_SHAPE_HEAD_DIM_LSB & 0xFF, B = shape >> AK_DESC_SHAPE_BLOCK_LSB & 0xFF;
    if (get32(h + AK_DESC_MAGIC_OFFSET) != AK_DESC_MAGIC_MAGIC_RESET ||
        get32(h + AK_DESC_VERSION_OFFSET) != AK_DESC_VERSION_VERSION_RESET || !heads || !nq ||
        !nk || nq > AK_MAX_TOKENS || nk > AK_MAX_TOKENS || (d != 32 && d != 64 && d != 128) ||
        (B != 16 && B != 32 && B != 64 && B != 128))
        return 0;
    const uint64_t qtiles = (nq + rows - 1) / rows, kblocks = (nk + B - 1) / B;
    const uint64_t ktiles = kblocks * (B / 16);
    uint64_t slot = d;
    if (rows * d / 16 > slot)
        slot = rows * d / 16;
    if (rows + 2 > slot)
        slot = rows + 2;
    const uint64_t tile = (ktiles + 2) * slot + 8 * lat + kblocks + 4 * d + 64;
    uint64_t total = sat_add(sat_mul(sat_mul(heads, qtiles), tile), 8 * lat);
    const uint32_t mode = get32(h + AK_DESC_PRUNE_OFFSET) & 3;
    if (mode == 1 || mode == 2) {
        uint64_t window = mode == 2 ? get32(h + AK_DESC_WINDOW_OFFSET) : 1;
        window = window < nq ? window : nq;
        const uint64_t row = nk * d / 64 + 200 + ktiles * lat;
        total = sat_add(total, sat_add(sat_mul(sat_mul(heads, window), row),
                                       64 * (nk / 16 + 2) * 40 + 400 + nk));
    }
    return total;
}

/* ---- one run ---- */

static ak_status read_be(void *ctx, uint64_t addr, void *dst, uint64_t n)
{
    const ak_backend *be = ctx;
    return be->mem_read(be->ctx, addr, dst, n);
}

/* --verbose: the descriptor the device reads and the regions it names */
static void dump(FILE *f, const ak_backend *be, uint64_t desc_addr)
{
    uint8_t h[AK_DESC_QUANT_OFFSET];
    fprintf(f, "  descriptor at 0x%llx", (unsigned long long)desc_addr);
    if (be->mem_read(be->ctx, desc_addr, h, sizeof h) == AK_OK) {
        fprintf(f, ": heads %u nq %u nk %u shape 0x%08x prune %u", get32(h + AK_DESC_HEADS_OFFSET),
                get32(h + AK_DESC_NQ_OFFSET), get32(h + AK_DESC_NK_OFFSET),
                get32(h + AK_DESC_SHAPE_OFFSET), get32(h + AK_DESC_PRUNE_OFFSET));
        for (unsigned a = 0; a < N_ADDR; a++)
            fprintf(f, "%s0x%llx", a ? " " : "\n  Q K V O KV_OFF KV_IDX SCORE KEPT FUSED: ",
                    (unsigned long long)get_addr(h, addr_lo[a], addr_hi[a]));
    }
    ak_region_set rs;
    if (ak_desc_regions(desc_addr, read_be, (void *)be, &rs) == AK_OK)
        for (unsigned i = 0; i < rs.n; i++)
            fprintf(f, "\n  region %-6s %s 0x%llx..0x%llx", rs.r[i].name, rs.r[i].write ? "w" : "r",
                    (unsigned long long)rs.r[i].first, (unsigned long long)rs.r[i].last);
    fprintf(f, "\n");
}

typedef struct {
    const ak_backend *be;
    const ak_fuzz_config *cfg;
    uint32_t rows;
} fuzz_ctx;

static int csr_rd(const fuzz_ctx *c, uint32_t a, uint32_t *v)
{
    return c->be->csr_read(c->be->ctx, a, v) == AK_OK;
}

static int csr_wr(const fuzz_ctx *c, uint32_t a, uint32_t v)
{
    return c->be->csr_write(c->be->ctx, a, v) == AK_OK;
}

static void say_fail(ak_fuzz_tally *t, uint64_t run, const char *fmt, const char *what)
{
    if (t->failures++ == 0) {
        t->first_failure = run;
        snprintf(t->first_msg, sizeof t->first_msg, fmt, what);
    }
}

static ak_fuzz_outcome one_run(const fuzz_ctx *c, uint64_t run, ak_fuzz_tally *t, uint8_t *code,
                               char *msg, size_t msglen, unsigned *muts, unsigned *nmuts)
{
    const ak_backend *be = c->be;
    fuzz_job j = {0};
    *code = NO_CODE;
    *nmuts = 0;
    ak_rng_seed(&j.rng, c->cfg->seed ^ (0x9E3779B97F4A7C15ull * (run + 1)));
    j.mem_size = be->mem_size;
    ak_fuzz_outcome out = AK_FUZZ_BACKEND;
    if (make_job(&j, c->cfg->max_head_dim ? c->cfg->max_head_dim : 128) != AK_OK) {
        snprintf(msg, msglen, "the generator made no valid job");
        goto done;
    }
    /* mutations: none in one run of 8 (the job must then succeed), else 1..3 */
    if (below(&j, 8))
        for (unsigned n = 1 + below(&j, 3); n; n--) {
            const unsigned k = below(&j, AK_FUZZ_MUTATIONS);
            mutate(&j, k);
            muts[(*nmuts)++] = k;
            t->mutation[k]++;
        }
    const uint64_t bytes = j.lay.end - j.lay.desc;
    if (be->mem_write(be->ctx, j.lay.desc, j.img, bytes) != AK_OK) {
        snprintf(msg, msglen, "writing the image failed");
        goto done;
    }
    /* the budget: from the descriptor the device will read */
    uint8_t hdr[AK_DESC_QUANT_OFFSET];
    const uint64_t lat = be->mem_latency + 16;
    uint64_t work = be->mem_read(be->ctx, j.desc_addr, hdr, sizeof hdr) == AK_OK
                        ? describes(hdr, c->rows, lat) : 0;
    const uint64_t cap = c->cfg->long_cap ? c->cfg->long_cap : DEFAULT_CAP;
    uint64_t budget = sat_add(sat_mul(4, work), 3000);
    const int is_long = budget > cap;
    if (is_long)
        budget = cap;
    char perr[160] = "";
    const uint64_t perrs0 =
        c->cfg->protocol_errors ? c->cfg->protocol_errors(c->cfg->protocol_ctx, perr, sizeof perr) : 0;
    uint32_t s = 0, e = 0;
    if (!csr_rd(c, REG(STATUS), &s) || FIELD(s, STATUS, BUSY) ||
        (FIELD(s, STATUS, DONE) && !csr_wr(c, REG(STATUS), ATTNKIT_CSR__STATUS__DONE_bm)) ||
        !csr_wr(c, REG(DESC_ADDR_LO), (uint32_t)j.desc_addr) ||
        !csr_wr(c, REG(DESC_ADDR_HI), (uint32_t)(j.desc_addr >> 32))) {
        snprintf(msg, msglen, "the device was not idle, or a CSR access failed");
        goto done;
    }
    if (c->cfg->verbose && c->cfg->log)
        dump(c->cfg->log, be, j.desc_addr);
    if (be->job_begin)
        be->job_begin(be->ctx, &j.lay); /* the job's cycle 0 */
    if (be->dma_begin)
        be->dma_begin(be->ctx, j.desc_addr);
    if (!csr_wr(c, REG(CTRL), ATTNKIT_CSR__CTRL__START_bm | ATTNKIT_CSR__CTRL__IRQ_EN_bm)) {
        snprintf(msg, msglen, "CTRL.start failed");
        goto done;
    }
    uint64_t waited = 0;
    const ak_status w = be->wait_irq(be->ctx, budget, &waited);
    t->cycles += waited;
    if (w != AK_OK && w != AK_ETIMEOUT) {
        snprintf(msg, msglen, "waiting for the interrupt failed");
        goto done;
    }
    if (w == AK_ETIMEOUT) {
        uint64_t more = 0;
        const int aborted =
            csr_wr(c, REG(CTRL), ATTNKIT_CSR__CTRL__ABORT_bm | ATTNKIT_CSR__CTRL__IRQ_EN_bm) &&
            be->wait_irq(be->ctx, AK_FUZZ_ABORT_CYCLES, &more) == AK_OK &&
            csr_rd(c, REG(STATUS), &s) && !FIELD(s, STATUS, BUSY);
        t->cycles += more;
        if (aborted && is_long) {
            out = AK_FUZZ_LONG;
            csr_rd(c, REG(ERR), &e);
            *code = (uint8_t)FIELD(e, ERR, CODE);
        } else {
            out = AK_FUZZ_HANG;
            snprintf(msg, msglen, "%s within %llu cycles (the work described: %llu x 4 + 3000)",
                     aborted ? "no done (CTRL.abort brought it to idle)"
                             : "no done, and not idle after CTRL.abort",
                     (unsigned long long)budget, (unsigned long long)work);
        }
    } else if (!csr_rd(c, REG(STATUS), &s) || !csr_rd(c, REG(ERR), &e)) {
        snprintf(msg, msglen, "reading STATUS/ERR failed");
        goto done;
    } else if (!FIELD(s, STATUS, DONE) || FIELD(s, STATUS, BUSY)) {
        out = AK_FUZZ_HANG;
        snprintf(msg, msglen, "interrupt without done (STATUS 0x%x)", s);
    } else {
        *code = (uint8_t)FIELD(e, ERR, CODE);
        out = FIELD(s, STATUS, ERROR) ? AK_FUZZ_DONE_ERR : AK_FUZZ_DONE_OK;
        if (*nmuts == 0 && out != AK_FUZZ_DONE_OK) {
            out = AK_FUZZ_VALID_ERR;
            snprintf(msg, msglen, "an unmutated job ended with error %u", *code);
        }
    }
    csr_rd(c, REG(STATUS), &s);
    if (FIELD(s, STATUS, DONE))
        csr_wr(c, REG(STATUS), ATTNKIT_CSR__STATUS__DONE_bm);
    char dma[200];
    if (be->dma_check && be->dma_check(be->ctx, dma, sizeof dma) != AK_OK) {
        out = AK_FUZZ_DMA;
        snprintf(msg, msglen, "%s", dma);
    }
    if (c->cfg->protocol_errors &&
        c->cfg->protocol_errors(c->cfg->protocol_ctx, perr, sizeof perr) != perrs0) {
        out = AK_FUZZ_PROTOCOL;
        snprintf(msg, msglen, "AXI protocol: %s", perr);
    }
done:
    free_job(&j);
    return out;
}

ak_status ak_fuzz_run(const ak_backend *be, const ak_fuzz_config *cfg, ak_fuzz_tally *t,
                      uint8_t *codes)
{
    if (!be || !cfg || !t || !be->csr_read || !be->csr_write || !be->mem_write ||
        !be->mem_read || !be->wait_irq)
        return AK_EINVAL;
    fuzz_ctx c = {.be = be, .cfg = cfg, .rows = 16};
    uint32_t caps = 0;
    if (be->csr_read(be->ctx, REG(CAPS), &caps) == AK_OK && FIELD(caps, CAPS, PE_ROWS))
        c.rows = FIELD(caps, CAPS, PE_ROWS);
    for (uint64_t i = 0; i < cfg->runs; i++) {
        const uint64_t run = cfg->first + i;
        char msg[300] = "";
        unsigned muts[4], nm = 0;
        uint8_t code = NO_CODE;
        const ak_fuzz_outcome o = one_run(&c, run, t, &code, msg, sizeof msg, muts, &nm);
        t->runs++;
        t->outcome[o]++;
        if ((o == AK_FUZZ_DONE_ERR || o == AK_FUZZ_LONG) && code != NO_CODE)
            t->code[code]++;
        if (codes)
            codes[i] = code;
        char mlist[160] = "";
        for (unsigned k = 0; k < nm; k++) {
            const size_t n = strlen(mlist);
            snprintf(mlist + n, sizeof mlist - n, "%s%s", k ? ", " : "", ak_fuzz_mutation_name(muts[k]));
        }
        const int failed = o >= AK_FUZZ_HANG;
        if (cfg->log && cfg->progress && (i + 1) % cfg->progress == 0) {
            fprintf(cfg->log, "[%llu runs: %llu ok, %llu error codes, %llu long, %llu failures]\n",
                    (unsigned long long)(i + 1), (unsigned long long)t->outcome[AK_FUZZ_DONE_OK],
                    (unsigned long long)t->outcome[AK_FUZZ_DONE_ERR],
                    (unsigned long long)t->outcome[AK_FUZZ_LONG], (unsigned long long)t->failures);
            fflush(cfg->log);
        }
        if (failed) {
            char line[sizeof t->first_msg];
            snprintf(line, sizeof line,
                     "run %llu of seed %llu: %s: %s (mutations: %s); reproduce: "
                     "attnkit-desc-fuzz --seed %llu --first %llu --runs 1 --verbose",
                     (unsigned long long)run, (unsigned long long)cfg->seed,
                     ak_fuzz_outcome_name(o), msg, nm ? mlist : "none",
                     (unsigned long long)cfg->seed, (unsigned long long)run);
            say_fail(t, run, "%s", line);
            if (cfg->log)
                fprintf(cfg->log, "FAIL %s\n", line);
        } else if (cfg->log && cfg->verbose) {
            fprintf(cfg->log, "run %llu: %s", (unsigned long long)run, ak_fuzz_outcome_name(o));
            if (code != NO_CODE)
                fprintf(cfg->log, " (ERR %u %s)", code, ak_hw_err_name(code) ? ak_hw_err_name(code) : "?");
            fprintf(cfg->log, "; mutations: %s\n", nm ? mlist : "none");
        }
    }
    return AK_OK;
}

void ak_fuzz_print(FILE *f, const ak_fuzz_tally *t)
{
    fprintf(f, "runs: %llu, device cycles: %llu, failures: %llu\n", (unsigned long long)t->runs,
            (unsigned long long)t->cycles, (unsigned long long)t->failures);
    fprintf(f, "outcomes:");
    for (int o = 0; o < AK_FUZZ_OUTCOMES; o++)
        fprintf(f, "%s %s %llu", o ? "," : "", ak_fuzz_outcome_name((ak_fuzz_outcome)o),
                (unsigned long long)t->outcome[o]);
    fprintf(f, "\nerror codes (runs that ended with STATUS.error; long jobs: ABORTED):\n");
    for (unsigned c = 1; c < 256; c++) {
        const char *n = ak_hw_err_name(c);
        if (n || t->code[c])
            fprintf(f, "  %2u %-15s %llu\n", c, n ? n : "(not in the map)", (unsigned long long)t->code[c]);
    }
    fprintf(f, "mutations applied:");
    for (unsigned k = 0; k < AK_FUZZ_MUTATIONS; k++)
        fprintf(f, "%s %s %llu", k ? "," : "", ak_fuzz_mutation_name(k), (unsigned long long)t->mutation[k]);
    fprintf(f, "\n");
    if (t->failures)
        fprintf(f, "first failure: %s\n", t->first_msg);
}
