/* Vector directories as a consumer sees them: the expected outputs recomputed from the files
 * themselves (inputs + the manifest's multipliers + the mask lists), the memory image decoded
 * back to the tensors, pruning carried into the next layer, atomic output (nothing left on
 * error, no overwrite without force), real .npy inputs with their errors, and (format 4) the
 * pruning regions, spec and descriptor fields of pruning and eviction layers and their
 * expected contents in prune.hex. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "attnkit_desc.h"

static char root[] = "/tmp/ak_test_vectors_XXXXXX";
static char err[1024];

static cJSON *load_manifest(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    return ak_test_read_json(path);
}

/* Reads DIR/NAME, one little-endian 64-bit hex word a line, into mem from byte address at
 * (below cap); returns the number of words. */
static size_t read_hex(const char *dir, const char *name, uint8_t *mem, uint64_t at, size_t cap)
{
    char path[700], line[64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t words = 0;
    while (fgets(line, sizeof line, f) && at + words * 8 + 8 <= cap) {
        CU_ASSERT_EQUAL(strlen(line), 17); /* 16 hex digits and the newline */
        unsigned long long wd = strtoull(line, NULL, 16);
        for (int b = 0; b < 8; b++)
            mem[at + words * 8 + (size_t)b] = (uint8_t)(wd >> (8 * b));
        words++;
    }
    fclose(f);
    return words;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t json_u64(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(o, name);
    CU_ASSERT_FATAL(cJSON_IsNumber(v));
    return (uint64_t)cJSON_GetNumberValue(v);
}

static void *load_npy(const char *dir, const char *name, ak_npy *a)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    CU_ASSERT_EQUAL_FATAL(ak_npy_read(path, a, err, sizeof err), AK_OK);
    return a->data;
}

/* prune.hex (pruning layers): the words of [score, end), decoding to score.npy (EViT) or
 * kv_score.npy (eviction, as uint32) at score, the kept list at kept, fused_w.npy (EViT) at
 * fused, zeros elsewhere. */
static void check_prune_hex(const char *dir, const cJSON *regs, uint64_t end, int evit)
{
    const cJSON *sr = cJSON_GetObjectItem(regs, "score"), *kr = cJSON_GetObjectItem(regs, "kept");
    const cJSON *fr = cJSON_GetObjectItem(regs, "fused");
    const uint64_t s_at = json_u64(sr, "addr");
    CU_ASSERT_FATAL(end > s_at && end - s_at < (1u << 20));
    uint8_t *img = calloc(end - s_at, 1), *want = calloc(end - s_at, 1);
    CU_ASSERT_FATAL(img && want);
    CU_ASSERT_EQUAL(read_hex(dir, "prune.hex", img, 0, end - s_at) * 8, end - s_at);
    ak_npy sc, kp, fw;
    load_npy(dir, evit ? "score.npy" : "kv_score.npy", &sc);
    load_npy(dir, evit ? "kept.npy" : "kv_kept.npy", &kp);
    CU_ASSERT_EQUAL_FATAL(sc.count * 4, json_u64(sr, "bytes"));
    CU_ASSERT_EQUAL_FATAL(kp.count * 4, json_u64(kr, "bytes"));
    for (size_t j = 0; j < sc.count; j++) {
        const uint64_t v = evit ? ((const uint32_t *)sc.data)[j]
                                : (uint64_t)((const int64_t *)sc.data)[j];
        for (int b = 0; b < 4; b++)
            want[4 * j + (size_t)b] = (uint8_t)(v >> (8 * b));
    }
    memcpy(want + (json_u64(kr, "addr") - s_at), kp.data, kp.count * 4); /* LE host */
    if (evit) {
        load_npy(dir, "fused_w.npy", &fw);
        CU_ASSERT_EQUAL_FATAL(fw.count * 2, json_u64(fr, "bytes"));
        memcpy(want + (json_u64(fr, "addr") - s_at), fw.data, fw.count * 2);
        ak_npy_free(&fw);
    }
    CU_ASSERT(!memcmp(img, want, end - s_at));
    ak_npy_free(&sc);
    ak_npy_free(&kp);
    free(img);
    free(want);
}

/* Format 4: the pruning regions in memory.regions after o (aligned; score, kept, fused), the
 * spec in memory.prune, the descriptor in the image pointing at them with the spec's fields,
 * and score.npy (EViT) the sum over heads of cls_probs.npy. Layers without pruning have none of
 * it and 0 in every pruning field. */
static void check_prune_memory(const char *dir, const cJSON *lj, const uint8_t *mem, uint32_t N,
                               uint32_t H)
{
    const cJSON *mem_j = cJSON_GetObjectItem(lj, "memory");
    const cJSON *regs = cJSON_GetObjectItem(mem_j, "regions");
    const cJSON *pj = cJSON_GetObjectItem(mem_j, "prune");
    const cJSON *pruning = cJSON_GetObjectItem(lj, "pruning");
    const cJSON *eviction = cJSON_GetObjectItem(lj, "eviction");
    const uint64_t desc = json_u64(mem_j, "desc_addr");
    const uint64_t o_end = json_u64(cJSON_GetObjectItem(regs, "o"), "addr") +
                           json_u64(cJSON_GetObjectItem(regs, "o"), "bytes");
    if (!pruning && !eviction) {
        CU_ASSERT_PTR_NULL(pj);
        CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(regs, "score"));
        CU_ASSERT_EQUAL(json_u64(mem_j, "end"), o_end);
        for (uint32_t off = AK_DESC_PRUNE_OFFSET; off <= AK_DESC_FUSED_HI_OFFSET; off += 4)
            CU_ASSERT_EQUAL(le32(mem + desc + off), 0);
        CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(lj, "files"), "prune.hex"));
        return;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(pj);
    const int evit = pruning != NULL;
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(pj, "mode")),
                           evit ? "evit" : "evict");
    CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_VERSION_OFFSET), 2);
    CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_PRUNE_OFFSET), evit ? 1u : 2u);
    const uint64_t kept = json_u64(evit ? pruning : eviction, "kept");
    const cJSON *sr = cJSON_GetObjectItem(regs, "score"), *kr = cJSON_GetObjectItem(regs, "kept");
    const cJSON *fr = cJSON_GetObjectItem(regs, "fused");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(kr);
    CU_ASSERT_EQUAL(json_u64(sr, "addr"), (o_end + 63) / 64 * 64);
    CU_ASSERT_EQUAL(json_u64(sr, "bytes"), 4ull * N);
    CU_ASSERT_EQUAL(json_u64(kr, "addr") % 64, 0);
    CU_ASSERT(json_u64(kr, "addr") >= json_u64(sr, "addr") + json_u64(sr, "bytes"));
    CU_ASSERT_EQUAL(json_u64(kr, "bytes"), 4 * kept);
    CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_SCORE_LO_OFFSET), json_u64(sr, "addr"));
    CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_KEPT_LO_OFFSET), json_u64(kr, "addr"));
    if (evit) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(fr);
        CU_ASSERT_EQUAL(json_u64(fr, "addr") % 64, 0);
        CU_ASSERT(json_u64(fr, "addr") >= json_u64(kr, "addr") + json_u64(kr, "bytes"));
        CU_ASSERT_EQUAL(json_u64(fr, "bytes"), 2 * (N - kept));
        CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_FUSED_LO_OFFSET), json_u64(fr, "addr"));
        CU_ASSERT_EQUAL(json_u64(pj, "keep_ppm"), json_u64(pruning, "keep_ppm"));
        CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_KEEP_OFFSET), json_u64(pruning, "keep_ppm"));
        CU_ASSERT(json_u64(mem_j, "end") >= json_u64(fr, "addr") + json_u64(fr, "bytes"));
        /* score.npy: uint32 [N], the CLS row's probabilities summed over heads, token 0 zero */
        ak_npy sc, cls;
        const uint32_t *score = load_npy(dir, "score.npy", &sc);
        const uint16_t *p = load_npy(dir, "cls_probs.npy", &cls);
        CU_ASSERT_EQUAL(sc.dtype, AK_DT_U32);
        CU_ASSERT_EQUAL_FATAL(sc.count, N);
        CU_ASSERT_EQUAL(score[0], 0);
        for (uint32_t j = 1; j < N; j++) {
            uint32_t sum = 0;
            for (uint32_t h = 0; h < H; h++)
                sum += p[(size_t)h * N + j];
            CU_ASSERT_EQUAL(score[j], sum);
        }
        ak_npy_free(&sc);
        ak_npy_free(&cls);
    } else {
        CU_ASSERT_PTR_NULL(fr);
        static const char *const f[] = {"budget", "sinks", "recent", "window"};
        static const uint32_t off[] = {AK_DESC_BUDGET_OFFSET, AK_DESC_SINKS_OFFSET,
                                       AK_DESC_RECENT_OFFSET, AK_DESC_WINDOW_OFFSET};
        for (int i = 0; i < 4; i++) {
            CU_ASSERT_EQUAL(json_u64(pj, f[i]), json_u64(eviction, f[i]));
            CU_ASSERT_EQUAL(le32(mem + desc + off[i]), json_u64(eviction, f[i]));
        }
        CU_ASSERT(json_u64(mem_j, "end") >= json_u64(kr, "addr") + json_u64(kr, "bytes"));
    }
    const cJSON *ph = cJSON_GetObjectItem(cJSON_GetObjectItem(lj, "files"), "prune.hex");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ph);
    CU_ASSERT_EQUAL(json_u64(ph, "first_addr"), json_u64(sr, "addr"));
    check_prune_hex(dir, regs, json_u64(mem_j, "end"), evit);
}

static const char *WORKLOAD =
    "{\"format\":\"attnkit-workload\",\"version\":1,\"kind\":\"vision\",\"name\":\"t\","
    "\"tokens\":100,\"heads\":2,\"head_dim\":32,\"block\":32,\"seed\":5,\"layers\":["
    "{\"mask\":{\"pattern\":\"window\",\"window\":1}},{\"mask\":{\"pattern\":\"dense\"}}],"
    "\"pruning\":{\"layers\":[1],\"keep_rate\":0.6}}";

static void test_outputs_recomputed_from_files(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
    ak_workload w;
    CU_ASSERT_FATAL(ak_workload_parse(WORKLOAD, strlen(WORKLOAD), "t", &w, err, sizeof err) == AK_OK);
    char out[512];
    snprintf(out, sizeof out, "%s/set", root);
    ak_vecgen_opts o = {.logits = AK_LOGITS_PEAKY, .threads = 2};
    ak_vecgen_report rep;
    CU_ASSERT_EQUAL_FATAL(ak_vecgen(&w, &o, out, &rep, err, sizeof err), AK_OK);
    CU_ASSERT_EQUAL(rep.layers, 2);
    cJSON *man = load_manifest(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(man);
    cJSON *layers = cJSON_GetObjectItem(man, "layers");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(layers, 1), "tokens")),
                    1 + 60 + 1); /* CLS + ceil(0.6 * 99) + EViT's fused token */
    for (int l = 0; l < 2; l++) {
        cJSON *lj = cJSON_GetArrayItem(layers, l);
        char dir[600];
        snprintf(dir, sizeof dir, "%s/%s", out, cJSON_GetStringValue(cJSON_GetObjectItem(lj, "dir")));
        ak_npy q, k, v, oo, off, idx;
        load_npy(dir, "q.npy", &q);
        load_npy(dir, "k.npy", &k);
        load_npy(dir, "v.npy", &v);
        load_npy(dir, "o.npy", &oo);
        load_npy(dir, "kv_off.npy", &off);
        load_npy(dir, "kv_idx.npy", &idx);
        const uint32_t H = (uint32_t)q.shape[0], N = (uint32_t)q.shape[1], d = (uint32_t)q.shape[2];
        ak_head_quant quant[2];
        cJSON *qa = cJSON_GetObjectItem(lj, "quant");
        for (uint32_t h = 0; h < H; h++) {
            cJSON *qh = cJSON_GetArrayItem(qa, (int)h);
            quant[h] = (ak_head_quant){
                (int32_t)cJSON_GetNumberValue(cJSON_GetObjectItem(qh, "logit_mult")),
                (int)cJSON_GetNumberValue(cJSON_GetObjectItem(qh, "logit_shift")),
                (int32_t)cJSON_GetNumberValue(cJSON_GetObjectItem(qh, "out_mult")),
                (int)cJSON_GetNumberValue(cJSON_GetObjectItem(qh, "out_shift"))};
        }
        cJSON *mj = cJSON_GetObjectItem(lj, "mask");
        ak_mask m = {.nq = N, .nk = N, .block = 32, .q_blocks = (N + 31) / 32,
                     .k_blocks = (N + 31) / 32,
                     .heads = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItem(mj, "heads")),
                     .token_causal = cJSON_IsTrue(cJSON_GetObjectItem(mj, "token_causal")),
                     .kv_off = off.data, .kv_idx = idx.data};
        ak_attn_job job = {.heads = H, .nq = N, .nk = N, .d = d, .q = q.data, .k = k.data,
                           .v = v.data, .quant = quant, .mask = &m};
        int8_t *mine = malloc(q.count);
        CU_ASSERT_EQUAL_FATAL(ak_attention_ref(&job, mine, NULL), AK_OK); /* the spec path */
        CU_ASSERT(!memcmp(mine, oo.data, q.count));
        /* mem.hex and o.hex decode back to the tensors at their regions' addresses, head by
         * head at the manifest's head strides; the descriptor is at desc_addr */
        uint8_t *mem = calloc(1 << 20, 1);
        size_t words = read_hex(dir, "mem.hex", mem, 0, 1 << 20);
        cJSON *mem_j = cJSON_GetObjectItem(lj, "memory");
        cJSON *regs = cJSON_GetObjectItem(mem_j, "regions");
        CU_ASSERT_EQUAL(json_u64(mem_j, "word_bytes"), 8);
        const uint64_t o_addr = json_u64(cJSON_GetObjectItem(regs, "o"), "addr");
        CU_ASSERT_EQUAL(words * 8, o_addr); /* mem.hex ends where o starts */
        CU_ASSERT_EQUAL(o_addr % 64, 0);
        CU_ASSERT_EQUAL(read_hex(dir, "o.hex", mem, o_addr, 1 << 20) * 8,
                        json_u64(cJSON_GetObjectItem(regs, "o"), "bytes"));
        const uint64_t desc = json_u64(mem_j, "desc_addr");
        CU_ASSERT_EQUAL(desc, json_u64(cJSON_GetObjectItem(regs, "desc"), "addr"));
        CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_MAGIC_OFFSET), AK_DESC_MAGIC_MAGIC_RESET);
        CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_HEADS_OFFSET), H);
        CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_Q_LO_OFFSET),
                        json_u64(cJSON_GetObjectItem(regs, "q"), "addr"));
        CU_ASSERT_EQUAL(le32(mem + desc + AK_DESC_O_LO_OFFSET), o_addr);
        static const char *const tn[] = {"q", "k", "v", "o"};
        const ak_npy *ta[] = {&q, &k, &v, &oo};
        for (int t = 0; t < 4; t++) {
            cJSON *reg = cJSON_GetObjectItem(regs, tn[t]);
            const uint64_t at = json_u64(reg, "addr");
            const uint64_t stride = json_u64(cJSON_GetObjectItem(mem_j, "head_stride"), tn[t]);
            CU_ASSERT_EQUAL(at % 64, 0);
            CU_ASSERT_EQUAL(stride, ((uint64_t)N * d + 63) / 64 * 64);
            CU_ASSERT_EQUAL(json_u64(reg, "bytes"), stride * H);
            for (uint32_t h = 0; h < H; h++)
                CU_ASSERT(!memcmp(mem + at + h * stride, (const int8_t *)ta[t]->data + (size_t)h * N * d,
                                  (size_t)N * d));
        }
        check_prune_memory(dir, lj, mem, N, H);
        const uint64_t off_at = json_u64(cJSON_GetObjectItem(regs, "kv_off"), "addr");
        const uint64_t idx_at = json_u64(cJSON_GetObjectItem(regs, "kv_idx"), "addr");
        CU_ASSERT(!memcmp(mem + off_at, off.data, off.count * 4));
        CU_ASSERT(!memcmp(mem + idx_at, idx.data, idx.count * 4));
        free(mem);
        free(mine);
        ak_npy_free(&q); ak_npy_free(&k); ak_npy_free(&v);
        ak_npy_free(&oo); ak_npy_free(&off); ak_npy_free(&idx);
    }
    cJSON_Delete(man);
    uint32_t files;
    CU_ASSERT_EQUAL(ak_vectors_verify(out, &files, err, sizeof err), AK_OK);
    CU_ASSERT_EQUAL(files, rep.files);
}

static int count_entries(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
    return system(cmd) == 0;
}

static void test_atomic_output(void)
{
    ak_workload w;
    CU_ASSERT_FATAL(ak_workload_preset("deit-tiny", &w) == AK_OK);
    w.n_layers = 1;
    ak_vecgen_opts o = {.logits = AK_LOGITS_GAUSS1, .threads = 1};
    ak_vecgen_report rep;
    char out[512];
    snprintf(out, sizeof out, "%s/set", root); /* exists from the previous test */
    CU_ASSERT_EQUAL(ak_vecgen(&w, &o, out, &rep, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "already exists (use --force"));
    CU_ASSERT(count_entries(root)); /* only "set": no temporary left */
    o.force = 1;
    CU_ASSERT_EQUAL(ak_vecgen(&w, &o, out, &rep, err, sizeof err), AK_OK);
    CU_ASSERT(count_entries(root));
    /* a layer that fails (its real inputs do not fit the workload) leaves nothing */
    snprintf(out, sizeof out, "%s/npyfail", root);
    char in[512];
    snprintf(in, sizeof in, "%s/f32", root);
    mkdir(in, 0777);
    static float x[3 * 100 * 64];
    for (int i = 0; i < 3 * 100 * 64; i++) /* not all zero: that is an error of its own */
        x[i] = (float)(i % 17) - 8.0f;
    ak_npy a = {.dtype = AK_DT_F32, .ndim = 3, .shape = {3, 100, 64}, .count = 3 * 100 * 64, .data = x};
    static const char *const names[] = {"q.npy", "k.npy", "v.npy"};
    for (int t = 0; t < 3; t++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", in, names[t]);
        CU_ASSERT_FATAL(ak_npy_write(p, &a, err, sizeof err) == AK_OK);
    }
    w.tokens = 150; /* the files have 100 */
    o.npy_dir = in;
    CU_ASSERT_EQUAL(ak_vecgen(&w, &o, out, &rep, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "layer 1 of the workload needs"));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 2", root); /* set and f32 only */
    CU_ASSERT(system(cmd) == 0);
}

static void test_npy_inputs(void)
{
    char dir[512], cmd[1200];
    snprintf(dir, sizeof dir, "%s/real", root);
    mkdir(dir, 0777);
    /* float32 q/k/v of 2 heads x 40 tokens x 32 */
    float *x = malloc(sizeof *x * 2 * 40 * 32);
    for (int i = 0; i < 2 * 40 * 32; i++)
        x[i] = (float)((i * 7919 % 1000) - 500) / 250.0f;
    ak_npy a = {.dtype = AK_DT_F32, .ndim = 3, .shape = {2, 40, 32}, .count = 2 * 40 * 32, .data = x};
    static const char *const names[] = {"q.npy", "k.npy", "v.npy"};
    for (int t = 0; t < 3; t++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, names[t]);
        CU_ASSERT_FATAL(ak_npy_write(p, &a, err, sizeof err) == AK_OK);
    }
    ak_inputs in;
    CU_ASSERT_EQUAL_FATAL(ak_inputs_load_npy(dir, NULL, &in, err, sizeof err), AK_OK);
    CU_ASSERT(in.heads == 2 && in.nq == 40 && in.nk == 40 && in.d == 32);
    /* per-head quantisation, as ak_quantize_symmetric does for head 1 */
    double *hx = malloc(sizeof *hx * 40 * 32);
    int8_t *hq = malloc(40 * 32);
    for (int i = 0; i < 40 * 32; i++)
        hx[i] = x[40 * 32 + i];
    double s = ak_quantize_symmetric(hx, 40 * 32, hq);
    CU_ASSERT_DOUBLE_EQUAL(in.scales[1].k, s, 0.0);
    CU_ASSERT(!memcmp(in.k + 40 * 32, hq, 40 * 32));
    ak_inputs_free(&in);
    /* int8 without scales.npy */
    int8_t *xi = calloc(2 * 40 * 32, 1);
    ak_npy ai = {.dtype = AK_DT_I8, .ndim = 3, .shape = {2, 40, 32}, .count = 2 * 40 * 32, .data = xi};
    char p[600];
    snprintf(p, sizeof p, "%s/v.npy", dir);
    CU_ASSERT_FATAL(ak_npy_write(p, &ai, err, sizeof err) == AK_OK);
    CU_ASSERT_EQUAL(ak_inputs_load_npy(dir, NULL, &in, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "int8 inputs need scales.npy"));
    /* int8 v with a scale of 0 in its column (allowed only for a float tensor's): refused
       (fuzz_npy_inputs; it was taken as v's scale) */
    double sc[2 * 3] = {0, 0, 0.5, 0, 0, 0};
    ak_npy as = {.dtype = AK_DT_F64, .ndim = 2, .shape = {2, 3}, .count = 6, .data = sc};
    snprintf(p, sizeof p, "%s/scales.npy", dir);
    CU_ASSERT_FATAL(ak_npy_write(p, &as, err, sizeof err) == AK_OK);
    CU_ASSERT_EQUAL(ak_inputs_load_npy(dir, NULL, &in, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "row 1 gives v.npy, an int8 tensor, the scale 0"));
    sc[5] = 0.25; /* with both rows' v scales given it loads */
    CU_ASSERT_FATAL(ak_npy_write(p, &as, err, sizeof err) == AK_OK);
    CU_ASSERT_EQUAL(ak_inputs_load_npy(dir, NULL, &in, err, sizeof err), AK_OK);
    CU_ASSERT_DOUBLE_EQUAL(in.scales[1].v, 0.25, 0.0);
    ak_inputs_free(&in);
    remove(p);
    /* shape mismatch */
    ak_npy bad = {.dtype = AK_DT_F32, .ndim = 3, .shape = {2, 40, 64}, .count = 2 * 40 * 32, .data = x};
    bad.shape[1] = 20;
    snprintf(p, sizeof p, "%s/k.npy", dir);
    CU_ASSERT_FATAL(ak_npy_write(p, &bad, err, sizeof err) == AK_OK);
    CU_ASSERT_EQUAL(ak_inputs_load_npy(dir, NULL, &in, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "shape mismatch"));
    /* a missing file is named */
    snprintf(p, sizeof p, "%s/q.npy", dir);
    remove(p);
    CU_ASSERT_EQUAL(ak_inputs_load_npy(dir, NULL, &in, err, sizeof err), AK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "q.npy: cannot open"));
    free(x);
    free(xi);
    free(hx);
    free(hq);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* A decoder layer with eviction: the kept keys are the sinks, the recent window and the
 * heaviest hitters of kv_score.npy (recomputed here by brute force, ties to the lower index). */
static void test_eviction_vectors(void)
{
    static const char *doc =
        "{\"format\":\"attnkit-workload\",\"version\":1,\"kind\":\"decoder\",\"name\":\"e\","
        "\"tokens\":160,\"heads\":2,\"head_dim\":32,\"block\":32,\"layers\":["
        "{\"mask\":{\"pattern\":\"causal\"}}],"
        "\"eviction\":{\"budget\":40,\"sinks\":2,\"recent\":10,\"window\":8}}";
    ak_workload w;
    CU_ASSERT_FATAL(ak_workload_parse(doc, strlen(doc), "e", &w, err, sizeof err) == AK_OK);
    char out[512], dir[600], tmpl[] = "/tmp/ak_test_evict_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    snprintf(out, sizeof out, "%s/ev", tmpl);
    ak_vecgen_opts o = {.logits = AK_LOGITS_PEAKY, .threads = 1};
    ak_vecgen_report rep;
    CU_ASSERT_EQUAL_FATAL(ak_vecgen(&w, &o, out, &rep, err, sizeof err), AK_OK);
    snprintf(dir, sizeof dir, "%s/layer01", out);
    ak_npy kept, score;
    load_npy(dir, "kv_kept.npy", &kept);
    load_npy(dir, "kv_score.npy", &score);
    CU_ASSERT_EQUAL_FATAL(kept.count, 40);
    const int64_t *sc = score.data;
    uint8_t want[160] = {0};
    for (int j = 0; j < 2; j++)
        want[j] = 1;
    for (int j = 150; j < 160; j++)
        want[j] = 1;
    for (int t = 0; t < 28; t++) {
        int best = -1;
        for (int j = 2; j < 150; j++)
            if (!want[j] && (best < 0 || sc[j] > sc[best]))
                best = j;
        want[best] = 1;
    }
    const uint32_t *k = kept.data;
    uint32_t at = 0;
    for (uint32_t j = 0; j < 160; j++)
        if (want[j])
            CU_ASSERT_EQUAL_FATAL(k[at++], j);
    /* causal: the future never scores, so the first window query sees keys up to 151 */
    int nonzero = 0;
    for (int j = 0; j < 160; j++)
        nonzero += sc[j] != 0;
    CU_ASSERT(nonzero > 100);
    ak_npy_free(&kept);
    ak_npy_free(&score);
    /* the memory image and manifest of format 4: eviction regions and descriptor fields */
    cJSON *man = load_manifest(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(man);
    const cJSON *lj = cJSON_GetArrayItem(cJSON_GetObjectItem(man, "layers"), 0);
    uint8_t *mem = calloc(1 << 20, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    read_hex(dir, "mem.hex", mem, 0, 1 << 20);
    check_prune_memory(dir, lj, mem, 160, 2);
    free(mem);
    cJSON_Delete(man);
    /* one pruning unit: a layer may not both prune tokens and evict keys */
    ak_workload both = w;
    both.layers[0].keep_ppm = 500000;
    snprintf(out, sizeof out, "%s/both", tmpl);
    CU_ASSERT_EQUAL(ak_vecgen(&both, &o, out, &rep, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "both token pruning and KV-cache eviction"));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* A set regenerated from its own manifest is byte-identical (issue 13): the manifest's
 * `workload`, cut out of manifest.json as text (as a user would, with jq or Python) and given
 * back to `vecgen --workload`, through the CLI. Seeds up to 2^53 must survive the manifest
 * exactly; a cJSON number is a double printed to 15 digits, which turned 2^53 - 1 into
 * 9.00719925474099e+15. The workload seed feeds the inputs and the first layer's random mask,
 * the second layer's random mask has the same seed of its own. */
static int write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t n = fwrite(text, 1, len, f);
    return fclose(f) != 0 || n != len ? -1 : 0;
}

/* The text of the object after "key": in a JSON document, braces matched (no braces in the
 * strings of a workload); NULL if absent. *len is its length. */
static const char *object_text(const char *doc, const char *key, size_t *len)
{
    const char *p = strstr(doc, key);
    p = p ? strchr(p, '{') : NULL;
    if (!p)
        return NULL;
    int depth = 0;
    for (const char *q = p; *q; q++) {
        depth += *q == '{' ? 1 : *q == '}' ? -1 : 0;
        if (depth == 0) {
            *len = (size_t)(q - p) + 1;
            return p;
        }
    }
    return NULL;
}

static void test_regenerated_from_manifest(void)
{
    static const char *const seeds[] = {"0", "4503599627370496", "9007199254740991",
                                        "9007199254740992"}; /* 0, 2^52, 2^53 - 1, 2^53 */
    static char out[1 << 16], manifest[1 << 20];
    char tmp[] = "/tmp/ak_test_seed_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        char wl[700], wl2[700], a[700], b[700], text[1024], cmd[1600];
        snprintf(wl, sizeof wl, "%s/seed%zu.json", tmp, i);
        snprintf(wl2, sizeof wl2, "%s/seed%zu-from-manifest.json", tmp, i);
        snprintf(a, sizeof a, "%s/seed%zu-a", tmp, i);
        snprintf(b, sizeof b, "%s/seed%zu-b", tmp, i);
        int n = snprintf(text, sizeof text,
                         "{\"format\": \"attnkit-workload\", \"version\": 2, \"name\": \"seed-rt\", "
                         "\"kind\": \"vision\", \"tokens\": 40, \"heads\": 1, \"head_dim\": 32, "
                         "\"block\": 16, \"seed\": %s, \"layers\": ["
                         "{\"mask\": {\"pattern\": \"random\", \"sinks\": 1, \"window\": 0, \"random\": 1}},"
                         "{\"mask\": {\"pattern\": \"random\", \"random\": 1, \"seed\": %s}}]}\n",
                         seeds[i], seeds[i]);
        CU_ASSERT_FATAL(write_text(wl, text, (size_t)n) == 0);
        const char *gen_a[] = {"vecgen", "--workload", wl, "--out", a, NULL};
        CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(out, sizeof out, gen_a), 0);
        snprintf(cmd, sizeof cmd, "%s/manifest.json", a);
        FILE *f = fopen(cmd, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        size_t len = fread(manifest, 1, sizeof manifest - 1, f);
        fclose(f);
        manifest[len] = '\0';
        size_t wlen = 0;
        const char *w = object_text(manifest, "\"workload\":", &wlen);
        CU_ASSERT_PTR_NOT_NULL_FATAL(w);
        CU_ASSERT_FATAL(write_text(wl2, w, wlen) == 0);
        const char *gen_b[] = {"vecgen", "--workload", wl2, "--out", b, NULL};
        CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(out, sizeof out, gen_b), 0);
        snprintf(cmd, sizeof cmd, "diff -r '%s' '%s' >/dev/null", a, b);
        int same = system(cmd) == 0;
        if (!same)
            printf("\n    seed %s: the set regenerated from its manifest differs", seeds[i]);
        CU_ASSERT(same);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* An eviction window longer than the tokens is clipped to them, as vectors/README.md says
 * (issue 13: the workload parser refused it): through the CLI, window 100 on 64 tokens gives
 * the same vectors as window 64, and the manifest records 64. */
static void test_eviction_window_clipped(void)
{
    static char out[1 << 16];
    char tmp[] = "/tmp/ak_test_evwin_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
    const unsigned windows[2] = {100, 64};
    char dirs[2][700];
    for (int i = 0; i < 2; i++) {
        char wl[700], text[600];
        snprintf(wl, sizeof wl, "%s/w%u.json", tmp, windows[i]);
        snprintf(dirs[i], sizeof dirs[i], "%s/v%u", tmp, windows[i]);
        int n = snprintf(text, sizeof text,
                         "{\"format\": \"attnkit-workload\", \"version\": 2, \"name\": \"ev\", "
                         "\"kind\": \"decoder\", \"tokens\": 64, \"heads\": 2, \"head_dim\": 32, "
                         "\"block\": 16, \"layers\": [{\"mask\": {\"pattern\": \"causal\"}}], "
                         "\"eviction\": {\"budget\": 20, \"sinks\": 2, \"recent\": 4, "
                         "\"window\": %u}}\n",
                         windows[i]);
        CU_ASSERT_FATAL(write_text(wl, text, (size_t)n) == 0);
        const char *gen[] = {"vecgen", "--workload", wl, "--out", dirs[i], NULL};
        int rc = ak_test_run_cli(out, sizeof out, gen);
        if (rc != 0)
            printf("\n    window %u: exit %d: %s", windows[i], rc, out);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
    }
    cJSON *man = load_manifest(dirs[0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(man);
    const cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItem(man, "layers"), 0);
    const cJSON *ev = cJSON_GetObjectItem(l0, "eviction");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "window")), 64);
    cJSON_Delete(man);
    char cmd[1600];
    for (int f = 0; f < 2; f++) {
        static const char *const files[] = {"kv_kept.npy", "kv_score.npy"};
        snprintf(cmd, sizeof cmd, "cmp -s '%s/layer01/%s' '%s/layer01/%s'", dirs[0], files[f],
                 dirs[1], files[f]);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

typedef struct {
    uint32_t calls, last, total, in_order;
} step_log;

static void log_step(void *ctx, uint32_t done, uint32_t total)
{
    step_log *g = ctx;
    g->in_order &= done == g->last + 1 && (g->calls == 0 || total == g->total);
    g->calls++;
    g->last = done;
    g->total = total;
}

/* The progress callback: every step of every layer once, in order, ending at the total of
 * AK_VECGEN_LAYER_STEPS a layer; and the directory's mode follows the umask (027: 0750, its
 * files 0640), not mkdtemp's 0700. */
static void test_progress_steps_and_mode(void)
{
    char tmp[] = "/tmp/ak_test_vgstep_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
    ak_workload w;
    CU_ASSERT_FATAL(ak_workload_preset("deit-tiny", &w) == AK_OK);
    w.n_layers = 5; /* pruning at layer 4: every step kind */
    step_log g = {.in_order = 1};
    ak_vecgen_opts o = {.logits = AK_LOGITS_GAUSS1, .threads = 1, .progress = log_step,
                        .progress_ctx = &g};
    ak_vecgen_report rep;
    char out[512], path[600];
    snprintf(out, sizeof out, "%s/set", tmp);
    const mode_t old = umask(027);
    const ak_status st = ak_vecgen(&w, &o, out, &rep, err, sizeof err);
    umask(old);
    CU_ASSERT_EQUAL_FATAL(st, AK_OK);
    CU_ASSERT_EQUAL(g.calls, 5 * AK_VECGEN_LAYER_STEPS);
    CU_ASSERT_EQUAL(g.total, 5 * AK_VECGEN_LAYER_STEPS);
    CU_ASSERT_EQUAL(g.last, g.total);
    CU_ASSERT(g.in_order);
    struct stat sb;
    CU_ASSERT_EQUAL(stat(out, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0750);
    snprintf(path, sizeof path, "%s/layer04/q.npy", out);
    CU_ASSERT_EQUAL(stat(path, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0640);
    snprintf(path, sizeof path, "rm -rf %s", tmp);
    CU_ASSERT_EQUAL(system(path), 0);
}

int ak_test_register(void)
{
    return AK_SUITE("vectors", {"expected outputs recomputed from the files", test_outputs_recomputed_from_files},
                    {"atomic output: no overwrite, nothing left on error", test_atomic_output},
                    {"real .npy inputs and their errors", test_npy_inputs},
                    {"KV-cache eviction vectors", test_eviction_vectors},
                    {"regenerated from its manifest: identical for seeds 0..2^53",
                     test_regenerated_from_manifest},
                    {"eviction window longer than the tokens is clipped", test_eviction_window_clipped},
                    {"progress: every layer step in order; mode follows the umask",
                     test_progress_steps_and_mode});
}
