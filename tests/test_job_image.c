/* The job layout and descriptor with token pruning and KV-cache eviction (job_image.h,
 * rtl/regs/attnkit_desc.rdl version 2): the score, kept and fused regions after o (aligned, in
 * that order, sized from the kept count), every pruning field of the descriptor read back at the
 * offsets generated from the .rdl, the rules of ak_prune_job_check (each bad field named), and
 * the kept counts against the reference pruning and eviction of prune.h. */
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "attnkit_desc.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A small job with a dense mask: heads x n tokens, head dim 32, block 32. */
typedef struct {
    ak_attn_job job;
    ak_mask mask;
    int8_t *q, *k, *v;
    ak_head_quant quant[4];
} small_job;

static void small_job_make(small_job *s, uint32_t heads, uint32_t n)
{
    memset(s, 0, sizeof *s);
    const size_t bytes = (size_t)heads * n * 32;
    s->q = calloc(bytes, 1);
    s->k = calloc(bytes, 1);
    s->v = calloc(bytes, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->q && s->k && s->v);
    for (size_t i = 0; i < bytes; i++) {
        s->q[i] = (int8_t)(i * 7 % 13 - 6);
        s->k[i] = (int8_t)(i * 5 % 11 - 5);
        s->v[i] = (int8_t)(i * 3 % 17 - 8);
    }
    for (uint32_t h = 0; h < heads; h++)
        s->quant[h] = (ak_head_quant){1u << 30, 20, 1u << 30, 12};
    const char *why = NULL;
    ak_pattern dense = {.kind = AK_PATTERN_DENSE, .stride = 1, .topk = 1};
    CU_ASSERT_EQUAL_FATAL(ak_mask_build(&dense, n, n, 32, 1, NULL, NULL, 0, &s->mask, &why),
                          AK_OK);
    s->job = (ak_attn_job){.heads = heads, .nq = n, .nk = n, .d = 32, .q = s->q, .k = s->k,
                           .v = s->v, .quant = s->quant, .mask = &s->mask};
}

static void small_job_free(small_job *s)
{
    free(s->q);
    free(s->k);
    free(s->v);
    ak_mask_free(&s->mask);
}

static void test_layout_regions(void)
{
    small_job s;
    small_job_make(&s, 2, 100);
    ak_job_layout lay, plain;
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_plan(&s.job, 4096, &plain), AK_OK);
    /* no pruning: the regions empty at o's end, end unchanged */
    CU_ASSERT_EQUAL(plain.prune.mode, AK_PRUNE_NONE);
    CU_ASSERT_EQUAL(plain.score, plain.end);
    CU_ASSERT_EQUAL(plain.score_bytes + plain.kept_bytes + plain.fused_bytes, 0);
    lay = plain;
    const ak_prune_job none = {.mode = AK_PRUNE_NONE};
    CU_ASSERT_EQUAL(ak_job_layout_add_prune(&lay, 100, &none), AK_OK);
    CU_ASSERT_EQUAL(lay.end, plain.end);
    CU_ASSERT_EQUAL(lay.score, plain.end);
    CU_ASSERT_EQUAL(lay.kept, plain.end);
    CU_ASSERT_EQUAL(lay.fused, plain.end);

    /* EViT at 60 %: kept 1 + ceil(0.6 * 99) = 61, fused 39 */
    const ak_prune_job evit = {.mode = AK_PRUNE_EVIT, .keep_ppm = 600000};
    lay = plain;
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_add_prune(&lay, 100, &evit), AK_OK);
    CU_ASSERT_EQUAL(lay.prune.mode, AK_PRUNE_EVIT);
    CU_ASSERT_EQUAL(lay.prune.keep_ppm, 600000);
    CU_ASSERT_EQUAL(lay.score, plain.end); /* right after o, aligned */
    CU_ASSERT_EQUAL(lay.score_bytes, 400);
    CU_ASSERT_EQUAL(lay.kept_bytes, 61 * 4);
    CU_ASSERT_EQUAL(lay.fused_bytes, 39 * 2);
    CU_ASSERT(lay.score >= lay.o + lay.o_bytes);
    CU_ASSERT(lay.kept >= lay.score + lay.score_bytes);
    CU_ASSERT(lay.fused >= lay.kept + lay.kept_bytes);
    CU_ASSERT(lay.end >= lay.fused + lay.fused_bytes);
    CU_ASSERT_EQUAL(lay.score % AK_JOB_ALIGN, 0);
    CU_ASSERT_EQUAL(lay.kept % AK_JOB_ALIGN, 0);
    CU_ASSERT_EQUAL(lay.fused % AK_JOB_ALIGN, 0);
    CU_ASSERT_EQUAL(lay.end % AK_JOB_ALIGN, 0);
    CU_ASSERT_EQUAL(lay.kept - lay.score, 448); /* 400 rounded up to 64 */
    CU_ASSERT_EQUAL(lay.fused - lay.kept, 256);
    CU_ASSERT_EQUAL(lay.end - lay.fused, 128);

    /* eviction: kept min(budget, nk), no fused region; a budget above nk keeps nk */
    const ak_prune_job ev = {.mode = AK_PRUNE_EVICT, .budget = 40, .sinks = 4, .recent = 8,
                             .window = 8};
    lay = plain;
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_add_prune(&lay, 100, &ev), AK_OK);
    CU_ASSERT_EQUAL(lay.score_bytes, 400);
    CU_ASSERT_EQUAL(lay.kept_bytes, 160);
    CU_ASSERT_EQUAL(lay.fused_bytes, 0);
    CU_ASSERT_EQUAL(lay.fused, lay.end);
    CU_ASSERT_EQUAL(lay.end, lay.kept + 192);
    ak_prune_job big = ev;
    big.budget = 1000;
    lay = plain;
    CU_ASSERT_EQUAL(ak_job_layout_add_prune(&lay, 100, &big), AK_OK);
    CU_ASSERT_EQUAL(lay.kept_bytes, 400);

    ak_prune_job bad = {.mode = (ak_prune_mode)3};
    CU_ASSERT_EQUAL(ak_job_layout_add_prune(&lay, 100, &bad), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_job_layout_add_prune(NULL, 100, &ev), AK_EINVAL);
    small_job_free(&s);
}

static void check_desc(const ak_attn_job *job, const ak_prune_job *p)
{
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_plan(job, 1u << 16, &lay), AK_OK);
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_add_prune(&lay, job->nk, p), AK_OK);
    uint8_t *img = malloc(lay.o - lay.desc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT_EQUAL_FATAL(ak_job_image_write(job, &lay, img), AK_OK);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_VERSION_OFFSET), AK_DESC_VERSION_VERSION_RESET);
    CU_ASSERT_EQUAL(AK_DESC_VERSION_VERSION_RESET, 2);
    const uint32_t mode = le32(img + AK_DESC_PRUNE_OFFSET) >> AK_DESC_PRUNE_MODE_LSB &
                          ((1u << AK_DESC_PRUNE_MODE_WIDTH) - 1);
    CU_ASSERT_EQUAL(mode, (uint32_t)p->mode);
    const int evit = p->mode == AK_PRUNE_EVIT, evict = p->mode == AK_PRUNE_EVICT;
    CU_ASSERT_EQUAL(le32(img + AK_DESC_KEEP_OFFSET), evit ? p->keep_ppm : 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_BUDGET_OFFSET), evict ? p->budget : 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_SINKS_OFFSET), evict ? p->sinks : 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_RECENT_OFFSET), evict ? p->recent : 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_WINDOW_OFFSET), evict ? p->window : 0);
    const int any = evit || evict;
    CU_ASSERT_EQUAL(le32(img + AK_DESC_SCORE_LO_OFFSET), any ? (uint32_t)lay.score : 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_SCORE_HI_OFFSET), any ? (uint32_t)(lay.score >> 32) : 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_KEPT_LO_OFFSET), any ? (uint32_t)lay.kept : 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_KEPT_HI_OFFSET), 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_FUSED_LO_OFFSET), evit ? (uint32_t)lay.fused : 0);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_FUSED_HI_OFFSET), 0);
    /* the pruning fields sit between KV_IDX_HI and the quantisation table */
    CU_ASSERT(AK_DESC_PRUNE_OFFSET > AK_DESC_KV_IDX_HI_OFFSET);
    CU_ASSERT(AK_DESC_FUSED_HI_OFFSET + 4 <= AK_DESC_QUANT_OFFSET);
    /* the rest of the header as before */
    CU_ASSERT_EQUAL(le32(img + AK_DESC_O_LO_OFFSET), (uint32_t)lay.o);
    CU_ASSERT_EQUAL(le32(img + AK_DESC_NK_OFFSET), job->nk);
    free(img);
}

static void test_descriptor_fields(void)
{
    small_job s;
    small_job_make(&s, 2, 100);
    check_desc(&s.job, &(ak_prune_job){.mode = AK_PRUNE_NONE});
    check_desc(&s.job, &(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 123457});
    check_desc(&s.job, &(ak_prune_job){.mode = AK_PRUNE_EVICT, .budget = 41, .sinks = 3,
                                       .recent = 9, .window = 7});
    /* fields of the other mode are not written */
    check_desc(&s.job, &(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 500000, .budget = 9,
                                       .window = 2});
    small_job_free(&s);
}

static void expect_bad(const ak_prune_job *p, uint32_t heads, uint32_t nq, uint32_t nk,
                       uint32_t max_rows, const char *field)
{
    const char *why = NULL;
    CU_ASSERT_EQUAL(ak_prune_job_check(p, heads, nq, nk, max_rows, AK_MAX_PRUNE_TOKENS, &why),
                    AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    if (strncmp(why, field, strlen(field)) != 0) {
        printf("\n    why \"%s\" does not name %s ", why, field);
        CU_FAIL("why names the field");
    }
}

static void test_check_rules(void)
{
    const char *why = NULL;
    const ak_prune_job none = {.mode = AK_PRUNE_NONE, .keep_ppm = 0, .window = 999};
    CU_ASSERT_EQUAL(ak_prune_job_check(&none, 4, 10, 10, 1, AK_MAX_PRUNE_TOKENS, &why), AK_OK);
    expect_bad(&(ak_prune_job){.mode = (ak_prune_mode)3}, 2, 10, 10, 256, "mode");
    /* EViT */
    CU_ASSERT_EQUAL(ak_prune_job_check(&(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 1},
                                       2, 10, 10, 256, AK_MAX_PRUNE_TOKENS, NULL), AK_OK);
    CU_ASSERT_EQUAL(ak_prune_job_check(&(ak_prune_job){.mode = AK_PRUNE_EVIT,
                                                       .keep_ppm = AK_PPM}, 2, 10, 10, 256,
                                       AK_MAX_PRUNE_TOKENS, NULL), AK_OK);
    expect_bad(&(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 0}, 2, 10, 10, 256, "keep_ppm");
    expect_bad(&(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = AK_PPM + 1}, 2, 10, 10, 256,
               "keep_ppm");
    CU_ASSERT_EQUAL(ak_prune_job_check(&(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 5},
                                       AK_MAX_PROBE_ROWS, 10, 10, AK_MAX_PROBE_ROWS,
                                       AK_MAX_PRUNE_TOKENS, NULL),
                    AK_OK);
    expect_bad(&(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 5}, AK_MAX_PROBE_ROWS + 1, 10,
               10, AK_MAX_PROBE_ROWS, "heads");
    /* the scores of at most AK_MAX_PRUNE_TOKENS keys */
    CU_ASSERT_EQUAL(ak_prune_job_check(&(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 5}, 2,
                                       AK_MAX_PRUNE_TOKENS, AK_MAX_PRUNE_TOKENS, 256,
                                       AK_MAX_PRUNE_TOKENS, NULL),
                    AK_OK);
    /* (UINT32_MAX: the spec alone, as the vectors check it) */
    CU_ASSERT_EQUAL(ak_prune_job_check(&(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 5}, 2,
                                       4096, 4096, UINT32_MAX, UINT32_MAX, NULL),
                    AK_OK);
    expect_bad(&(ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = 5}, 2, AK_MAX_PRUNE_TOKENS + 1,
               AK_MAX_PRUNE_TOKENS + 1, 256, "nk");
    /* eviction */
    const ak_prune_job ok = {.mode = AK_PRUNE_EVICT, .budget = 12, .sinks = 4, .recent = 8,
                             .window = 8};
    CU_ASSERT_EQUAL(ak_prune_job_check(&ok, 4, 96, 96, 256, AK_MAX_PRUNE_TOKENS, NULL), AK_OK);
    ak_prune_job p = ok;
    p.budget = 11;
    expect_bad(&p, 4, 96, 96, 256, "budget");
    p.budget = 0;
    p.sinks = p.recent = 0;
    expect_bad(&p, 4, 96, 96, 256, "budget");
    /* sinks and recent clipped as ak_kv_evict clips them: 10 keys, sinks 8 -> recent <= 2 */
    p = (ak_prune_job){.mode = AK_PRUNE_EVICT, .budget = 10, .sinks = 8, .recent = 8, .window = 1};
    CU_ASSERT_EQUAL(ak_prune_job_check(&p, 1, 10, 10, 256, AK_MAX_PRUNE_TOKENS, NULL), AK_OK);
    p.sinks = 50; /* clipped to nk = 10, recent to 0 */
    CU_ASSERT_EQUAL(ak_prune_job_check(&p, 1, 10, 10, 256, AK_MAX_PRUNE_TOKENS, NULL), AK_OK);
    p.budget = 9;
    expect_bad(&p, 1, 10, 10, 256, "budget");
    /* the same rule as ak_kv_evict on every small case */
    uint16_t probs[12] = {0};
    for (uint32_t s = 0; s < 8; s++)
        for (uint32_t r = 0; r < 8; r++)
            for (uint32_t b = 0; b < 10; b++) {
                ak_evict_result er;
                const ak_status ref = ak_kv_evict(probs, 1, 1, 6, s, r, b, &er);
                ak_evict_result_free(&er);
                const ak_prune_job q = {.mode = AK_PRUNE_EVICT, .budget = b, .sinks = s,
                                        .recent = r, .window = 1};
                CU_ASSERT_EQUAL(ak_prune_job_check(&q, 1, 1, 6, 256, AK_MAX_PRUNE_TOKENS, NULL), ref);
            }
    p = ok;
    p.window = 0;
    expect_bad(&p, 4, 96, 96, 256, "window");
    p.window = 97;
    expect_bad(&p, 4, 96, 96, 256, "window");
    p.window = 96;
    CU_ASSERT_EQUAL(ak_prune_job_check(&p, 2, 96, 96, 256, AK_MAX_PRUNE_TOKENS, NULL), AK_OK); /* 192 rows */
    expect_bad(&p, 3, 96, 96, 256, "window"); /* 288 probe rows */
    CU_ASSERT_EQUAL(ak_prune_job_check(NULL, 1, 1, 1, 1, AK_MAX_PRUNE_TOKENS, &why), AK_EINVAL);
}

static void test_kept_counts(void)
{
    /* EViT: 1 + ak_prune_count, and ak_prune_tokens keeps as many */
    static const struct {
        uint32_t n, ppm;
    } ev[] = {{197, 700000}, {100, 600000}, {2, 1}, {1, AK_PPM}, {50, AK_PPM}, {65, 333333}};
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
        const ak_prune_job p = {.mode = AK_PRUNE_EVIT, .keep_ppm = ev[i].ppm};
        const uint32_t kept = ak_prune_job_kept(&p, ev[i].n);
        CU_ASSERT_EQUAL(kept, 1 + ak_prune_count(ev[i].n, ev[i].ppm));
        uint16_t *cls = calloc(2ull * ev[i].n, sizeof *cls);
        for (uint32_t j = 0; j < 2 * ev[i].n; j++)
            cls[j] = (uint16_t)(j * 37 % 1000);
        ak_prune_result r;
        CU_ASSERT_EQUAL_FATAL(ak_prune_tokens(cls, 2, ev[i].n, ev[i].ppm, &r), AK_OK);
        CU_ASSERT_EQUAL(r.n_kept, kept);
        CU_ASSERT_EQUAL(r.n_pruned, ev[i].n - kept);
        ak_prune_result_free(&r);
        free(cls);
    }
    /* eviction: min(budget, nk), as ak_kv_evict keeps */
    static const struct {
        uint32_t nk, budget, sinks, recent;
    } kv[] = {{96, 40, 4, 8}, {96, 96, 4, 8}, {20, 100, 4, 8}, {160, 40, 2, 10}, {5, 5, 9, 9}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        const ak_prune_job p = {.mode = AK_PRUNE_EVICT, .budget = kv[i].budget,
                                .sinks = kv[i].sinks, .recent = kv[i].recent, .window = 1};
        uint16_t *probs = calloc(kv[i].nk, sizeof *probs);
        for (uint32_t j = 0; j < kv[i].nk; j++)
            probs[j] = (uint16_t)(j * 101 % 499);
        ak_evict_result r;
        CU_ASSERT_EQUAL_FATAL(ak_kv_evict(probs, 1, 1, kv[i].nk, kv[i].sinks, kv[i].recent,
                                          kv[i].budget, &r), AK_OK);
        CU_ASSERT_EQUAL(ak_prune_job_kept(&p, kv[i].nk), r.n_kept);
        ak_evict_result_free(&r);
        free(probs);
    }
    CU_ASSERT_EQUAL(ak_prune_job_kept(&(ak_prune_job){.mode = AK_PRUNE_NONE}, 100), 0);
    CU_ASSERT_EQUAL(ak_prune_job_kept(NULL, 100), 0);
}

int ak_test_register(void)
{
    return AK_SUITE("job_image", {"pruning regions after o: aligned, ordered, sized", test_layout_regions},
                    {"descriptor pruning fields at the generated offsets", test_descriptor_fields},
                    {"ak_prune_job_check: each bad field named", test_check_rules},
                    {"kept counts against ak_prune_count and ak_kv_evict", test_kept_counts});
}
