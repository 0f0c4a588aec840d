/* DMA confinement and the descriptor fuzzer (docs/dma-safety.md): the regions a known
 * descriptor names (attnkit/desc_regions.h), the memory model's check of bursts against
 * regions, a planted violation that the driver must report, a valid job that must pass with
 * the check on, and a short fuzz campaign on the Verilated RTL (no hang, no DMA outside the
 * job, no AXI protocol error, every ERR code of the register map reached). */
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/desc_regions.h"
#include "attnkit/job_image.h"
#include "attnkit/mask.h"
#include "attnkit_desc.h"
#include "attnkit_err.h"
#include "backend_verilator.h"
#include "desc_fuzz.h"
#include "mem_model.h"

#define FUZZ_SEED 7u
#define FUZZ_RUNS 300u

/* ---- the regions of a known descriptor ---- */

typedef struct {
    uint64_t base;
    const uint8_t *img;
    uint64_t n;
} image_mem;

static ak_status read_image(void *ctx, uint64_t addr, void *dst, uint64_t n)
{
    const image_mem *m = ctx;
    if (addr < m->base || addr - m->base > m->n || n > m->n - (addr - m->base))
        return AK_ERANGE;
    memcpy(dst, m->img + (addr - m->base), n);
    return AK_OK;
}

static const ak_region *find(const ak_region_set *s, const char *name)
{
    for (unsigned i = 0; i < s->n; i++)
        if (!strcmp(s->r[i].name, name))
            return &s->r[i];
    return NULL;
}

/* 2 heads, nq 20, nk 33, d 32, B 16, per-head lists, EViT at 500000 ppm, laid out from 0x10000:
 * the sizes below are worked out by hand from the register map, not taken from the layout. */
static void test_regions_known(void)
{
    enum { H = 2, NQ = 20, NK = 33, D = 32 };
    const uint64_t base = 0x10000;
    /* q_blocks 2, k_blocks 3; lists H x 2 = 4; list x has x + 1 blocks: 10 entries */
    uint32_t off[5] = {0, 1, 3, 6, 10}, idx[10] = {0, 0, 1, 0, 1, 2, 0, 1, 2, 2};
    ak_mask m = {.nq = NQ, .nk = NK, .block = 16, .q_blocks = 2, .k_blocks = 3, .heads = H,
                 .token_causal = 0, .kv_off = off, .kv_idx = idx};
    static int8_t q[H * NQ * D], k[H * NK * D], v[H * NK * D];
    ak_head_quant quant[H];
    for (int h = 0; h < H; h++)
        quant[h] = (ak_head_quant){1 << 30, 20, 1 << 30, 30};
    const ak_attn_job job = {H, NQ, NK, D, q, k, v, quant, &m};
    ak_job_layout lay;
    const ak_prune_job p = {.mode = AK_PRUNE_EVIT, .keep_ppm = 500000};
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_plan(&job, base, &lay), AK_OK);
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_add_prune(&lay, NK, &p), AK_OK);
    uint8_t *img = calloc(1, lay.end - base);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT_EQUAL_FATAL(ak_job_image_write(&job, &lay, img), AK_OK);
    image_mem mem = {base, img, lay.end - base};
    ak_region_set s;
    CU_ASSERT_EQUAL_FATAL(ak_desc_regions(base, read_image, &mem, &s), AK_OK);
    CU_ASSERT_EQUAL(s.n, 10u);
    const struct {
        const char *name;
        uint64_t start, bytes;
        int write;
    } want[] = {
        {"DESC", base, 128 + 16 * H, 0},     /* 160 bytes: 3 beats */
        {"Q", lay.q, H * 640, 0},            /* 20 x 32 = 640, a multiple of 64 */
        {"K", lay.k, H * 1088, 0},           /* 33 x 32 = 1056 -> 1088 */
        {"V", lay.v, H * 1088, 0},
        {"KV_OFF", lay.kv_off, 4 * 5, 0},    /* lists + 1 words */
        {"KV_IDX", lay.kv_idx, 4 * 10, 0},   /* kv_off[4] = 10 entries */
        {"O", lay.o, H * 640, 1},
        {"SCORE", lay.score, 4 * NK, 1},
        {"KEPT", lay.kept, 4 * 17, 1},       /* 1 + ceil(0.5 x 32) = 17 kept */
        {"FUSED", lay.fused, 2 * 16, 1},     /* the other 16 */
    };
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        const ak_region *r = find(&s, want[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->first, want[i].start & ~63ull);
        CU_ASSERT_EQUAL(r->last, ((want[i].start + want[i].bytes - 1) | 63));
        CU_ASSERT_EQUAL(r->write, want[i].write);
    }
    /* the same descriptor with a bad magic names its header alone */
    img[AK_DESC_MAGIC_OFFSET] ^= 1;
    CU_ASSERT_EQUAL(ak_desc_regions(base, read_image, &mem, &s), AK_OK);
    CU_ASSERT_EQUAL(s.n, 1u);
    CU_ASSERT_EQUAL(s.r[0].first, base);
    CU_ASSERT_EQUAL(s.r[0].last, base + 127);
    img[AK_DESC_MAGIC_OFFSET] ^= 1;
    /* Q in the last beat below 2^64: the region stops at 2^64 - 1, it does not wrap */
    const uint64_t top = 0 - 64ull;
    for (int b = 0; b < 4; b++) {
        img[AK_DESC_Q_LO_OFFSET + b] = (uint8_t)(top >> (8 * b));
        img[AK_DESC_Q_HI_OFFSET + b] = (uint8_t)(top >> (32 + 8 * b));
    }
    CU_ASSERT_EQUAL(ak_desc_regions(base, read_image, &mem, &s), AK_OK);
    const ak_region *r = find(&s, "Q");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->first, top);
    CU_ASSERT_EQUAL(r->last, UINT64_MAX);
    /* a header outside the readable memory names its 128 bytes */
    CU_ASSERT_EQUAL(ak_desc_regions(0x40000000, read_image, &mem, &s), AK_OK);
    CU_ASSERT_EQUAL(s.n, 1u);
    free(img);
}

/* ---- the memory model's check ---- */

/* One AR (write 0) or AW (1) burst of `beats` full beats at addr, accepted at the edge. */
static void burst(ak_mem *m, int write, uint64_t addr, unsigned beats)
{
    ak_axi_m2s in;
    memset(&in, 0, sizeof in);
    if (write) {
        in.awvalid = 1;
        in.awaddr = addr;
        in.awlen = (uint8_t)(beats - 1);
        in.awsize = 6;
        in.awburst = 1;
    } else {
        in.arvalid = 1;
        in.araddr = addr;
        in.arlen = (uint8_t)(beats - 1);
        in.arsize = 6;
        in.arburst = 1;
    }
    ak_mem_tick(m, &in);
    memset(&in, 0, sizeof in);
    ak_mem_tick(m, &in);
}

static void test_mem_confinement(void)
{
    const ak_mem_config cfg = {.size = 1 << 20, .latency = 4};
    ak_mem *m = NULL;
    CU_ASSERT_EQUAL_FATAL(ak_mem_create(&cfg, &m), AK_OK);
    ak_mem_violation v;
    burst(m, 0, 0x8000, 4); /* no regions: no check */
    ak_mem_get_violation(m, &v);
    CU_ASSERT_EQUAL(v.count, 0u);
    /* two adjacent read regions and a write region */
    const ak_mem_region r[] = {{0x1000, 0x10FF, 0}, {0x1100, 0x11FF, 0}, {0x2000, 0x203F, 1}};
    CU_ASSERT_EQUAL(ak_mem_set_regions(m, r, 3), AK_OK);
    burst(m, 0, 0x1000, 8); /* 0x1000..0x11FF: the union covers it */
    burst(m, 1, 0x2000, 1);
    ak_mem_get_violation(m, &v);
    CU_ASSERT_EQUAL(v.count, 0u);
    burst(m, 0, 0x2000, 1); /* a read of the write region */
    ak_mem_get_violation(m, &v);
    CU_ASSERT_EQUAL(v.count, 1u);
    CU_ASSERT_EQUAL(v.write, 0);
    CU_ASSERT_EQUAL(v.addr, 0x2000u);
    CU_ASSERT_EQUAL(v.bytes, 64u);
    burst(m, 1, 0x2000, 2); /* one beat past the write region; the first stays recorded */
    ak_mem_get_violation(m, &v);
    CU_ASSERT_EQUAL(v.count, 2u);
    CU_ASSERT_EQUAL(v.addr, 0x2000u);
    /* a burst that wraps past 2^64 is never inside, even with a region at the top */
    const ak_mem_region top[] = {{0 - 128ull, UINT64_MAX, 0}, {0, 0xFFF, 0}};
    CU_ASSERT_EQUAL(ak_mem_set_regions(m, top, 2), AK_OK);
    burst(m, 0, 0 - 128ull, 2);
    ak_mem_get_violation(m, &v);
    CU_ASSERT_EQUAL(v.count, 0u);
    burst(m, 0, 0 - 64ull, 2);
    ak_mem_get_violation(m, &v);
    CU_ASSERT_EQUAL(v.count, 1u);
    CU_ASSERT_EQUAL(v.bytes, 128u);
    const ak_mem_region bad = {0x100, 0xFF, 0};
    CU_ASSERT_EQUAL(ak_mem_set_regions(m, &bad, 1), AK_EINVAL);
    ak_mem_destroy(m);
}

/* ---- the driver on the RTL with the check on ---- */

enum { JH = 1, JNQ = 24, JNK = 40, JD = 32 };
static int8_t jq[JH * JNQ * JD], jk[JH * JNK * JD], jv[JH * JNK * JD], jout[JH * JNQ * JD];

static void small_job(ak_attn_job *job, ak_mask *m, ak_head_quant *qp)
{
    const ak_pattern dense = {.kind = AK_PATTERN_DENSE};
    CU_ASSERT_EQUAL_FATAL(ak_mask_build(&dense, JNQ, JNK, 16, 1, NULL, NULL, JD, m, NULL), AK_OK);
    for (size_t i = 0; i < sizeof jq; i++)
        jq[i] = (int8_t)(i * 7 % 23 - 11);
    for (size_t i = 0; i < sizeof jk; i++) {
        jk[i] = (int8_t)(i * 5 % 19 - 9);
        jv[i] = (int8_t)(i * 3 % 17 - 8);
    }
    *qp = (ak_head_quant){1 << 30, 24, 1 << 30, 36};
    *job = (ak_attn_job){JH, JNQ, JNK, JD, jq, jk, jv, qp, m};
}

static ak_status read_sim(void *ctx, uint64_t addr, void *dst, uint64_t n)
{
    return ak_sim_mem_read(ctx, addr, dst, n);
}

/* A planted violation: the regions set without O, so the job's output writes are outside. */
static void dma_begin_no_output(void *ctx, uint64_t desc_addr)
{
    ak_sim *s = ctx;
    ak_region_set set;
    CU_ASSERT_EQUAL(ak_desc_regions(desc_addr, read_sim, s, &set), AK_OK);
    ak_mem_region r[AK_MEM_MAX_REGIONS];
    unsigned n = 0;
    for (unsigned i = 0; i < set.n; i++)
        if (!set.r[i].write)
            r[n++] = (ak_mem_region){set.r[i].first, set.r[i].last, 0};
    CU_ASSERT_EQUAL(ak_sim_set_dma_regions(s, r, n), AK_OK);
}

static void test_driver_confinement(void)
{
    ak_backend be;
    char err[200];
    CU_ASSERT_EQUAL_FATAL(ak_backend_verilator_open(NULL, &be, err, sizeof err), AK_OK);
    CU_ASSERT_PTR_NOT_NULL(be.dma_begin);
    CU_ASSERT_PTR_NOT_NULL(be.dma_check);
    ak_drv *d = NULL;
    CU_ASSERT_EQUAL_FATAL(ak_drv_open(&be, NULL, &d, err, sizeof err), AK_OK);
    ak_attn_job job;
    ak_mask m;
    ak_head_quant qp;
    small_job(&job, &m, &qp);
    ak_drv_result res;
    /* with the descriptor's own regions: passes */
    CU_ASSERT_EQUAL(ak_drv_run(d, &job, jout, &res), AK_OK);
    CU_ASSERT_STRING_EQUAL(res.msg, "");
    ak_drv_close(d);
    /* the same job with O left out of the regions: the driver fails it, naming a write into O */
    CU_ASSERT_EQUAL_FATAL(ak_backend_verilator_open(NULL, &be, err, sizeof err), AK_OK);
    ak_backend planted = be;
    planted.dma_begin = dma_begin_no_output;
    CU_ASSERT_EQUAL_FATAL(ak_drv_open(&planted, NULL, &d, err, sizeof err), AK_OK);
    CU_ASSERT_EQUAL(ak_drv_run(d, &job, jout, &res), AK_EDMA);
    CU_ASSERT_EQUAL(res.status, AK_EDMA);
    char want[80];
    snprintf(want, sizeof want, "DMA outside the job: write 0x%llx (+",
             (unsigned long long)res.layout.o);
    CU_ASSERT_PTR_NOT_NULL(strstr(res.msg, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(res.msg, "at job cycle "));
    if (!strstr(res.msg, want))
        fprintf(stderr, "\n  message: %s\n", res.msg);
    ak_drv_close(d);
    ak_mask_free(&m);
}

/* ---- regressions of the bugs the fuzzer found (docs/dma-safety.md) ---- */

static void put64(ak_backend *be, uint64_t desc, uint32_t lo, uint32_t hi, uint64_t v)
{
    const uint32_t w[2] = {(uint32_t)v, (uint32_t)(v >> 32)};
    CU_ASSERT_EQUAL(be->mem_write(be->ctx, desc + lo, &w[0], 4), AK_OK);
    CU_ASSERT_EQUAL(be->mem_write(be->ctx, desc + hi, &w[1], 4), AK_OK);
}

/* The small job loaded, one patch applied by `patch`, started and waited for: the hardware
 * error it must end with, and never a burst outside the regions the patched descriptor names. */
static void run_patched(void (*patch)(ak_backend *, const ak_job_layout *), uint32_t want_code)
{
    ak_backend be;
    char err[200];
    CU_ASSERT_EQUAL_FATAL(ak_backend_verilator_open(NULL, &be, err, sizeof err), AK_OK);
    ak_drv *d = NULL;
    CU_ASSERT_EQUAL_FATAL(ak_drv_open(&be, NULL, &d, err, sizeof err), AK_OK);
    ak_attn_job job;
    ak_mask m;
    ak_head_quant qp;
    small_job(&job, &m, &qp);
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_drv_load(d, &job, &lay), AK_OK);
    patch(&be, &lay);
    CU_ASSERT_EQUAL_FATAL(ak_drv_start(d, lay.desc), AK_OK);
    ak_drv_result res;
    CU_ASSERT_EQUAL(ak_drv_wait(d, 200000, &res), AK_EHW);
    CU_ASSERT_EQUAL(res.err_code, want_code);
    CU_ASSERT_PTR_NULL(strstr(res.msg, "DMA outside"));
    if (res.err_code != want_code || strstr(res.msg, "DMA outside"))
        fprintf(stderr, "\n  %s\n", res.msg);
    ak_drv_close(d);
    ak_mask_free(&m);
}

/* kv_off = [0, 3, 6] (2 lists of 3 blocks): list 0 made to end at 46 (a list of 46 entries,
 * within MaxKvBlocks), past kv_off[2] = 6. Before the fix the RTL read kv_idx[0..46), three
 * beats, past the one beat of the 6 entries the descriptor names. */
static void patch_list_past_total(ak_backend *be, const ak_job_layout *lay)
{
    const uint32_t w = 46;
    CU_ASSERT_EQUAL(be->mem_write(be->ctx, lay->kv_off + 4, &w, 4), AK_OK);
}

/* Q in the last beat below 2^64: its region (2 x 768 bytes) runs past 2^64; before the fix the
 * read master's next burst wrapped to address 0. */
static void patch_q_top(ak_backend *be, const ak_job_layout *lay)
{
    put64(be, lay->desc, AK_DESC_Q_LO_OFFSET, AK_DESC_Q_HI_OFFSET, 0 - 64ull);
}

/* O in the last page below 2^64, running past it. */
static void patch_o_top(ak_backend *be, const ak_job_layout *lay)
{
    put64(be, lay->desc, AK_DESC_O_LO_OFFSET, AK_DESC_O_HI_OFFSET, 0 - 256ull);
}

/* kv_idx 1 KiB below 2^64 with kv_off[lists] = 2^30 entries: its region runs past 2^64. */
static void patch_idx_top(ak_backend *be, const ak_job_layout *lay)
{
    put64(be, lay->desc, AK_DESC_KV_IDX_LO_OFFSET, AK_DESC_KV_IDX_HI_OFFSET, 0 - 1024ull);
    const uint32_t w = 1u << 30;
    CU_ASSERT_EQUAL(be->mem_write(be->ctx, lay->kv_off + 8, &w, 4), AK_OK);
}

static void test_regress_list_past_total(void)
{
    run_patched(patch_list_past_total, AK_HW_ERR_INDEX_RANGE);
}

static void test_regress_wrap(void)
{
    run_patched(patch_q_top, AK_HW_ERR_ADDRESS_WRAP);
    run_patched(patch_o_top, AK_HW_ERR_ADDRESS_WRAP);
    run_patched(patch_idx_top, AK_HW_ERR_ADDRESS_WRAP);
}

/* ---- a short fuzz campaign ---- */

static uint64_t protocol_errors(void *ctx, char *msg, size_t len)
{
    ak_mem_stats st;
    ak_backend_verilator_mem_stats(ctx, &st);
    snprintf(msg, len, "%s", st.first_protocol_error);
    return st.protocol_errors;
}

/* The long campaign's one open finding (seed 1, run 3045): an eviction job whose O overlaps V,
 * kv_off and kv_idx. The attention's output writes changed the lists, and the pruning unit's
 * probe pass re-read kv_off and followed a list past kv_off[lists] out of the job. Now the probe
 * holds its lists to the kv_off[lists] the front end read: INDEX_RANGE, nothing outside. (If
 * the fuzzer's draws change, this run is another case and the code check says so.) */
static void test_regress_probe_list(void)
{
    ak_backend be;
    char err[200];
    CU_ASSERT_EQUAL_FATAL(ak_backend_verilator_open(NULL, &be, err, sizeof err), AK_OK);
    const ak_fuzz_config cfg = {.seed = 1, .first = 3045, .runs = 1, .long_cap = 20000,
                                .protocol_errors = protocol_errors, .protocol_ctx = &be};
    ak_fuzz_tally t;
    memset(&t, 0, sizeof t);
    uint8_t code = 0;
    CU_ASSERT_EQUAL_FATAL(ak_fuzz_run(&be, &cfg, &t, &code), AK_OK);
    be.close(be.ctx);
    CU_ASSERT_EQUAL(t.outcome[AK_FUZZ_DMA], 0u);
    CU_ASSERT_EQUAL(t.failures, 0u);
    CU_ASSERT_EQUAL(code, AK_HW_ERR_INDEX_RANGE);
    if (t.failures || code != AK_HW_ERR_INDEX_RANGE)
        fprintf(stderr, "\n  run 3045: code %u, %s\n", code, t.first_msg);
}

static void test_fuzz_short(void)
{
    ak_backend be;
    char err[200];
    CU_ASSERT_EQUAL_FATAL(ak_backend_verilator_open(NULL, &be, err, sizeof err), AK_OK);
    const ak_fuzz_config cfg = {.seed = FUZZ_SEED, .runs = FUZZ_RUNS, .long_cap = 20000,
                                .protocol_errors = protocol_errors, .protocol_ctx = &be,
                                .log = stderr};
    ak_fuzz_tally t;
    memset(&t, 0, sizeof t);
    CU_ASSERT_EQUAL_FATAL(ak_fuzz_run(&be, &cfg, &t, NULL), AK_OK);
    be.close(be.ctx);
    CU_ASSERT_EQUAL(t.runs, FUZZ_RUNS);
    CU_ASSERT_EQUAL(t.failures, 0u);
    CU_ASSERT_EQUAL(t.outcome[AK_FUZZ_HANG], 0u);
    CU_ASSERT_EQUAL(t.outcome[AK_FUZZ_DMA], 0u);
    CU_ASSERT_EQUAL(t.outcome[AK_FUZZ_PROTOCOL], 0u);
    CU_ASSERT(t.outcome[AK_FUZZ_DONE_OK] > 0);
    for (unsigned c = AK_HW_ERR_NONE + 1; c <= AK_HW_ERR_ADDRESS_WRAP; c++) {
        CU_ASSERT(t.code[c] > 0);
        if (!t.code[c])
            fprintf(stderr, "\n  error code %u never reached\n", c);
    }
    if (t.failures)
        ak_fuzz_print(stderr, &t);
}

int ak_test_register(void)
{
    return AK_SUITE("desc_regions", {"a known descriptor's regions", test_regions_known}) ||
           AK_SUITE("mem_confinement", {"bursts against regions", test_mem_confinement}) ||
           AK_SUITE("driver_confinement",
                    {"a valid job passes, a planted violation fails", test_driver_confinement}) ||
           AK_SUITE("dma_regressions",
                    {"a list ending past kv_off[lists]: INDEX_RANGE", test_regress_list_past_total},
                    {"regions past 2^64: ADDRESS_WRAP", test_regress_wrap},
                    {"O over the lists, the probe's re-read: INDEX_RANGE (fuzz run 3045)",
                     test_regress_probe_list}) ||
           AK_SUITE("desc_fuzz", {"a short campaign on the RTL", test_fuzz_short});
}
