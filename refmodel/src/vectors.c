/* Test-vector directories (vectors.h, vectors/README.md). One layer at a time: synthetic
 * inputs, the layer's mask, the fixed-point attention, and for pruning layers the CLS-row
 * probabilities and the kept tokens, which set the next layer's token count. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "attnkit/vectors.h"

#include <cJSON.h>
#include <errno.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnkit/attention.h"
#include "attnkit/job_image.h"
#include "attnkit/npy.h"
#include "attnkit/numerics.h"
#include "attnkit/prune.h"
#include "attnkit/scaled_attention.h"
#include "attnkit/version.h"
#include "attnkit/file_io.h"
#include "workload_json.h"

#define WORD_BYTES 8 /* $readmemh words: 64-bit, 8 to one 512-bit AXI4 beat */

typedef struct {
    char *err;
    size_t errlen;
} errbuf;

static ak_status fail(const errbuf *e, ak_status st, const char *fmt, ...)
{
    if (e->err && e->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->err, e->errlen, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* out = a/b; 0 when it does not fit. */
static int join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    return n >= 0 && (size_t)n < cap;
}

/* ---- SHA-256 of a file (OpenSSL) -------------------------------------------------------- */

static ak_status file_sha256(const char *path, char hex[65], uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return AK_EIO;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ak_status st = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? AK_OK : AK_ENOMEM;
    unsigned char buf[1 << 16], md[32];
    size_t r;
    *size = 0;
    while (st == AK_OK && (r = fread(buf, 1, sizeof buf, f)) > 0) {
        *size += r;
        if (!EVP_DigestUpdate(ctx, buf, r))
            st = AK_ENOMEM;
    }
    unsigned mdlen = 0;
    if (st == AK_OK && (ferror(f) || !EVP_DigestFinal_ex(ctx, md, &mdlen)))
        st = AK_EIO;
    EVP_MD_CTX_free(ctx);
    fclose(f);
    for (unsigned i = 0; st == AK_OK && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return st;
}

/* ---- writing one layer ------------------------------------------------------------------ */

typedef struct {
    const errbuf *e;
    char dir[4096];   /* the layer's directory */
    cJSON *files;     /* manifest "files" object of the layer */
    ak_vecgen_report *rep;
} layer_out;

static ak_status add_file(layer_out *lo, const char *name, const char *path)
{
    char hex[65];
    uint64_t size;
    if (file_sha256(path, hex, &size) != AK_OK)
        return fail(lo->e, AK_EIO, "%s: cannot read back for its checksum", path);
    cJSON *f = cJSON_GetObjectItemCaseSensitive(lo->files, name);
    if (!f) {
        f = cJSON_CreateObject();
        cJSON_AddItemToObject(lo->files, name, f);
    }
    cJSON_AddStringToObject(f, "sha256", hex);
    cJSON_AddNumberToObject(f, "bytes", (double)size);
    lo->rep->files++;
    lo->rep->bytes += size;
    return AK_OK;
}

static ak_status put_npy(layer_out *lo, const char *name, ak_dtype t, const void *data,
                         uint32_t ndim, const uint64_t *shape)
{
    ak_npy a = {.dtype = t, .ndim = ndim, .count = 1, .data = (void *)data};
    cJSON *shp = cJSON_CreateArray();
    for (uint32_t d = 0; d < ndim; d++) {
        a.shape[d] = shape[d];
        a.count *= shape[d];
        cJSON_AddItemToArray(shp, cJSON_CreateNumber((double)shape[d]));
    }
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "dtype", ak_dtype_descr(t));
    cJSON_AddItemToObject(f, "shape", shp);
    cJSON_AddItemToObject(lo->files, name, f);
    char path[4096], err[512];
    if (!join(path, sizeof path, lo->dir, name))
        return fail(lo->e, AK_EINVAL, "%s: path too long", lo->dir);
    if (ak_npy_write(path, &a, err, sizeof err) != AK_OK)
        return fail(lo->e, AK_EIO, "%s", err);
    return add_file(lo, name, path);
}

/* Writes n bytes (a multiple of WORD_BYTES) of a memory image as little-endian WORD_BYTES
 * words, one hex word a line, the byte at the highest address first; the first line is the
 * word at address `addr` (its $readmemh start is addr / WORD_BYTES). */
static ak_status put_hex(layer_out *lo, const char *name, const uint8_t *bytes, uint64_t addr,
                         uint64_t n)
{
    char path[4096];
    if (!join(path, sizeof path, lo->dir, name))
        return fail(lo->e, AK_EINVAL, "%s: path too long", lo->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail(lo->e, AK_EIO, "%s: cannot create: %s", path, strerror(errno));
    /* Digits from a table, not fprintf("%02x") a byte: that was ~40% of vecgen's time */
    static const char digits[] = "0123456789abcdef";
    char line[2 * WORD_BYTES + 1];
    line[2 * WORD_BYTES] = '\n';
    for (uint64_t w = 0; w < n; w += WORD_BYTES) {
        for (int b = WORD_BYTES - 1, c = 0; b >= 0; b--, c += 2) {
            line[c] = digits[bytes[w + (uint64_t)b] >> 4];
            line[c + 1] = digits[bytes[w + (uint64_t)b] & 15];
        }
        fwrite(line, 1, sizeof line, f);
    }
    if (fclose(f) != 0)
        return fail(lo->e, AK_EIO, "%s: write failed: %s", path, strerror(errno));
    cJSON *fo = cJSON_CreateObject();
    cJSON_AddStringToObject(fo, "format", "readmemh");
    cJSON_AddNumberToObject(fo, "word_bytes", WORD_BYTES);
    cJSON_AddNumberToObject(fo, "first_addr", (double)addr);
    cJSON_AddItemToObject(lo->files, name, fo);
    return add_file(lo, name, path);
}

/* Little-endian n-byte value at p (the accelerator's byte order). */
static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The expected pruning regions of a job in its memory image img (zeroed): the scores as uint32
 * at lay->score, the kept list at lay->kept, EViT's fused weights at lay->fused. Counts must
 * match the layout; 0 when they do not or a score does not fit in 32 bits. */
static int put_prune_regions(uint8_t *img, const ak_job_layout *lay, const uint64_t *score,
                             uint32_t n, const uint32_t *kept, uint32_t n_kept,
                             const uint16_t *fused, uint32_t n_fused)
{
    if (lay->score_bytes != 4ull * n || lay->kept_bytes != 4ull * n_kept ||
        lay->fused_bytes != 2ull * n_fused)
        return 0;
    for (uint32_t j = 0; j < n; j++) {
        if (score[j] > UINT32_MAX)
            return 0;
        put_le(img + lay->score + 4ull * j, score[j], 4);
    }
    for (uint32_t j = 0; j < n_kept; j++)
        put_le(img + lay->kept + 4ull * j, kept[j], 4);
    for (uint32_t j = 0; j < n_fused; j++)
        put_le(img + lay->fused + 2ull * j, fused[j], 2);
    return 1;
}

static void add_region(cJSON *regions, const char *name, uint64_t addr, uint64_t bytes)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "addr", (double)addr);
    cJSON_AddNumberToObject(r, "bytes", (double)bytes);
    cJSON_AddItemToObject(regions, name, r);
}

/* The manifest's `memory` object of a job layout (vectors/README.md, Memory images). */
static cJSON *memory_json(const ak_job_layout *lay)
{
    cJSON *mem = cJSON_CreateObject();
    cJSON_AddNumberToObject(mem, "word_bytes", WORD_BYTES);
    cJSON_AddNumberToObject(mem, "desc_addr", (double)lay->desc);
    cJSON *r = cJSON_AddObjectToObject(mem, "regions");
    add_region(r, "desc", lay->desc, lay->desc_bytes);
    add_region(r, "q", lay->q, lay->q_bytes);
    add_region(r, "k", lay->k, lay->kv_bytes);
    add_region(r, "v", lay->v, lay->kv_bytes);
    add_region(r, "kv_off", lay->kv_off, lay->kv_off_bytes);
    add_region(r, "kv_idx", lay->kv_idx, lay->kv_idx_bytes);
    add_region(r, "o", lay->o, lay->o_bytes);
    const ak_prune_job *p = &lay->prune;
    if (p->mode != AK_PRUNE_NONE) { /* the pruning outputs (written by the accelerator) */
        add_region(r, "score", lay->score, lay->score_bytes);
        add_region(r, "kept", lay->kept, lay->kept_bytes);
        if (p->mode == AK_PRUNE_EVIT)
            add_region(r, "fused", lay->fused, lay->fused_bytes);
        cJSON *pj = cJSON_AddObjectToObject(mem, "prune");
        cJSON_AddStringToObject(pj, "mode", p->mode == AK_PRUNE_EVIT ? "evit" : "evict");
        if (p->mode == AK_PRUNE_EVIT) {
            cJSON_AddNumberToObject(pj, "keep_ppm", p->keep_ppm);
        } else {
            cJSON_AddNumberToObject(pj, "budget", p->budget);
            cJSON_AddNumberToObject(pj, "sinks", p->sinks);
            cJSON_AddNumberToObject(pj, "recent", p->recent);
            cJSON_AddNumberToObject(pj, "window", p->window);
        }
    }
    cJSON *hs = cJSON_AddObjectToObject(mem, "head_stride");
    cJSON_AddNumberToObject(hs, "q", (double)lay->q_head_stride);
    cJSON_AddNumberToObject(hs, "k", (double)lay->kv_head_stride);
    cJSON_AddNumberToObject(hs, "v", (double)lay->kv_head_stride);
    cJSON_AddNumberToObject(hs, "o", (double)lay->q_head_stride);
    cJSON_AddNumberToObject(mem, "end", (double)lay->end);
    return mem;
}

static cJSON *quant_json(const ak_head_quant *q, const ak_head_scales *s, uint32_t heads)
{
    cJSON *arr = cJSON_CreateArray();
    for (uint32_t h = 0; h < heads; h++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "logit_mult", q[h].logit_mult);
        cJSON_AddNumberToObject(o, "logit_shift", q[h].logit_shift);
        cJSON_AddNumberToObject(o, "out_mult", q[h].out_mult);
        cJSON_AddNumberToObject(o, "out_shift", q[h].out_shift);
        cJSON_AddNumberToObject(o, "scale_q", s[h].q);
        cJSON_AddNumberToObject(o, "scale_k", s[h].k);
        cJSON_AddNumberToObject(o, "scale_v", s[h].v);
        cJSON_AddNumberToObject(o, "scale_o", s[h].o);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *mask_json(const ak_mask *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "heads", m->heads);
    cJSON_AddBoolToObject(o, "token_causal", m->token_causal);
    cJSON_AddNumberToObject(o, "active_blocks", (double)ak_mask_active_blocks(m));
    cJSON_AddItemToObject(o, "kv_indices", ak_mask_lists_json(m));
    return o;
}

/* Where layer l's real inputs are: DIR/layerNN if it exists, else DIR itself. */
static void npy_layer_dir(const char *root, uint32_t l, char *out, size_t cap)
{
    char name[16];
    struct stat sb;
    snprintf(name, sizeof name, "layer%02u", l + 1);
    if (!join(out, cap, root, name) || stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode))
        snprintf(out, cap, "%s", root);
}

ak_status ak_vecgen_npy_workload(const char *npy_dir, ak_workload *w, char *err, size_t errlen)
{
    errbuf e = {err, errlen};
    if (!npy_dir || !w)
        return AK_EINVAL;
    ak_workload_defaults(w);
    uint32_t layers = 0;
    for (;;) { /* layer01, layer02, ... while they exist */
        char dir[4096], name[16];
        struct stat sb;
        snprintf(name, sizeof name, "layer%02u", layers + 1);
        if (layers == AK_MAX_LAYERS || !join(dir, sizeof dir, npy_dir, name) ||
            stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            break;
        layers++;
    }
    char first[4096];
    npy_layer_dir(npy_dir, 0, first, sizeof first);
    ak_inputs in;
    ak_status st = ak_inputs_load_npy(first, NULL, &in, err, errlen);
    if (st != AK_OK)
        return st;
    if (in.nq != in.nk) { /* the message before ak_inputs_free clears the counts */
        char why[320];
        ak_vecgen_square_why(in.nq, in.nk, why, sizeof why);
        ak_inputs_free(&in);
        return fail(&e, AK_EINVAL, "%s: %s", first, why);
    }
    const char *base = strrchr(npy_dir, '/');
    snprintf(w->name, sizeof w->name, "%s", base && base[1] ? base + 1 : npy_dir);
    w->kind = AK_WORKLOAD_VISION;
    w->tokens = in.nq;
    w->heads = in.heads;
    w->head_dim = in.d;
    w->block = 64;
    w->seed = 1;
    w->n_layers = layers ? layers : 1;
    for (uint32_t l = 0; l < w->n_layers; l++) {
        w->layers[l].n_parts = 1;
        w->layers[l].parts[0].pattern = (ak_pattern){.kind = AK_PATTERN_DENSE, .stride = 1, .topk = 1};
    }
    ak_inputs_free(&in);
    return AK_OK;
}

void ak_vecgen_square_why(uint32_t nq, uint32_t nk, char *buf, size_t len)
{
    snprintf(buf, len,
             "q has %u tokens but k and v have %u: a workload layer is self-attention, so q, k "
             "and v need the same tokens%s",
             nq, nk,
             nq < nk ? " (fewer queries than keys, as in decoding, is an attention the library "
                       "computes, ak_attention with nq < nk, but not a layer vecgen or accuracy "
                       "runs)"
                     : "");
}

ak_oscale_policy ak_vecgen_output_policy(const ak_workload *w, const ak_inputs *in)
{
    if (w->quant.output_set)
        return w->quant.output;
    return in && in->has_out_scale ? AK_OSCALE_GIVEN : AK_OSCALE_CALIBRATED;
}

/* Everything one layer needs, freed together. */
typedef struct {
    ak_inputs in;
    ak_head_quant *quant;
    ak_mask mask;
    int8_t *out;
    int32_t *out_fx;
    uint16_t *cls;
    ak_prune_result pr;
    uint16_t *probs; /* the last queries' probabilities, for eviction */
    ak_evict_result ev;
    uint8_t *img; /* the memory image, bytes [0, layout end) */
} layer_data;

static void layer_free(layer_data *d)
{
    ak_inputs_free(&d->in);
    free(d->quant);
    ak_mask_free(&d->mask);
    free(d->out);
    free(d->out_fx);
    free(d->cls);
    ak_prune_result_free(&d->pr);
    free(d->probs);
    ak_evict_result_free(&d->ev);
    free(d->img);
}

/* Step `step` (1..AK_VECGEN_LAYER_STEPS) of layer l has ended: tell o->progress, if any. */
static void layer_step(const ak_vecgen_opts *o, const ak_workload *w, uint32_t l, uint32_t step)
{
    if (o->progress)
        o->progress(o->progress_ctx, l * AK_VECGEN_LAYER_STEPS + step,
                    w->n_layers * AK_VECGEN_LAYER_STEPS);
}

/* Layer l at `tokens` tokens; returns the next layer's token count in *next. */
static ak_status gen_layer(const ak_workload *w, const ak_vecgen_opts *o, uint32_t l,
                           uint32_t tokens, const char *root, cJSON *layers,
                           ak_vecgen_report *rep, const errbuf *e, uint32_t *next)
{
    const uint32_t H = w->heads, d = w->head_dim, N = tokens;
    const uint64_t outs = (uint64_t)H * N * d;
    layer_data D = {0};
    ak_status st;
    const char *why = NULL;
    if (o->npy_dir) {
        char dir[4096];
        npy_layer_dir(o->npy_dir, l, dir, sizeof dir);
        if ((st = ak_inputs_load_npy(dir, &w->quant.input, &D.in, e->err, e->errlen)))
            return st;
        if (D.in.heads != H || D.in.nq != N || D.in.nk != N || D.in.d != d) {
            fail(e, AK_EINVAL,
                 "%s: inputs are [%u][%u][%u] (q) with %u keys; layer %u of the workload needs "
                 "[%u][%u][%u] with %u keys%s",
                 dir, D.in.heads, D.in.nq, D.in.d, D.in.nk, l + 1, H, N, d, N,
                 N != w->tokens ? " (an earlier layer pruned tokens: real tensors must come "
                                  "from a forward pass with the same pruning)" : "");
            ak_inputs_free(&D.in);
            return AK_EINVAL;
        }
    } else { /* layer seed: documented in vectors/README.md */
        st = ak_inputs_generate(o->logits, H, N, N, d, w->seed * 1000003u + l, &D.in);
        if (st != AK_OK)
            return fail(e, st, "layer %u: generating inputs: %s", l + 1, ak_strerror(st));
    }
    layer_step(o, w, l, 1);
    D.quant = calloc(H, sizeof *D.quant);
    D.out = malloc(outs);
    D.out_fx = malloc(outs * sizeof *D.out_fx);
    if (!D.quant || !D.out || !D.out_fx)
        st = AK_ENOMEM;
    ak_oscale_policy policy = ak_vecgen_output_policy(w, &D.in);
    if (st == AK_OK && policy == AK_OSCALE_GIVEN && !D.in.has_out_scale)
        st = fail(e, AK_EINVAL,
                  "layer %u: quant.output_scale \"given\" needs real inputs (--npy-dir) with "
                  "a scales.npy of 4 columns (q, k, v, output)", l + 1);
    if (st == AK_OK && (st = ak_workload_layer_mask(w, l, N, D.in.q, D.in.k, &D.mask, &why)))
        fail(e, st, "layer %u: mask: %s", l + 1, why ? why : ak_strerror(st));
    ak_attn_job job = {.heads = H, .nq = N, .nk = N, .d = d, .q = D.in.q, .k = D.in.k,
                       .v = D.in.v, .quant = D.quant, .mask = &D.mask};
    ak_sat_counts sat = {0};
    if (st == AK_OK && (st = ak_attention_scaled(&job, D.quant, D.in.scales, policy, D.out,
                                                 D.out_fx, o->threads, &sat)) == AK_ERANGE) {
        /* bad input scales (scales.npy, or float tensors of extreme magnitude): name them */
        char range[400] = "";
        uint32_t h = 0;
        while (h < H && !ak_head_quant_range_why(&D.in.scales[h], d, range, sizeof range))
            h++;
        if (h < H)
            st = fail(e, AK_EINVAL, "layer %u, head %u: %s (numerics.md 3)", l + 1, h, range);
        else
            fail(e, st, "layer %u: a multiplier is out of range (numerics.md 3)", l + 1);
    }
    if (st == AK_OK)
        layer_step(o, w, l, 2);
    const uint32_t keep = w->layers[l].keep_ppm;
    const ak_eviction_spec *ev = &w->eviction;
    /* one pruning unit, one mode a job: workload.c gives pruning to vision and eviction to
       decoder workloads only */
    if (st == AK_OK && keep && ev->budget)
        st = fail(e, AK_EINVAL, "layer %u: both token pruning and KV-cache eviction; a job "
                  "does one or the other", l + 1);
    *next = N;
    if (st == AK_OK && keep) {
        D.cls = malloc(sizeof *D.cls * H * N);
        st = D.cls ? ak_attention_probs(&job, 0, 1, D.cls) : AK_ENOMEM;
        if (st == AK_OK)
            st = ak_prune_tokens(D.cls, H, N, keep, &D.pr);
        *next = ak_prune_next_tokens(N, keep, w->fuse_token);
    }
    const uint32_t win = ev->window < N ? ev->window : N;
    if (st == AK_OK && ev->budget) {
        D.probs = malloc(sizeof *D.probs * H * win * N);
        st = D.probs ? ak_attention_probs(&job, N - win, win, D.probs) : AK_ENOMEM;
        if (st == AK_OK)
            st = ak_kv_evict(D.probs, H, win, N, ev->sinks, ev->recent, ev->budget, &D.ev);
    }
    if (st != AK_OK) {
        layer_free(&D);
        return e->err && e->err[0] ? st : fail(e, st, "layer %u: %s", l + 1, ak_strerror(st));
    }
    layer_step(o, w, l, 3);
    rep->macs += ak_attention_macs(&job);
    rep->sat.logits += sat.logits;
    rep->sat.o_fx += sat.o_fx;
    rep->sat.out += sat.out;
    rep->outputs += outs;
    rep->clipped += D.in.clipped[0] + D.in.clipped[1] + D.in.clipped[2];
    const double out_rate = (double)sat.out / (double)outs;
    if (rep->worst_layer == 0 ||
        out_rate > (double)rep->worst_out / (double)rep->worst_outputs) {
        rep->worst_layer = l + 1;
        rep->worst_out = sat.out;
        rep->worst_outputs = outs;
    }

    cJSON *lj = cJSON_CreateObject();
    cJSON_AddItemToArray(layers, lj);
    char dirname[32];
    snprintf(dirname, sizeof dirname, "layer%02u", l + 1);
    layer_out lo = {.e = e, .files = cJSON_CreateObject(), .rep = rep};
    if (!join(lo.dir, sizeof lo.dir, root, dirname)) {
        cJSON_Delete(lo.files);
        layer_free(&D);
        return fail(e, AK_EINVAL, "%s: path too long", root);
    }
    if (mkdir(lo.dir, 0777) != 0) {
        cJSON_Delete(lo.files);
        layer_free(&D);
        return fail(e, AK_EIO, "%s: cannot create: %s", lo.dir, strerror(errno));
    }
    cJSON_AddNumberToObject(lj, "layer", l + 1);
    cJSON_AddStringToObject(lj, "dir", dirname);
    cJSON_AddNumberToObject(lj, "tokens", N);
    cJSON_AddNumberToObject(lj, "heads", H);
    cJSON_AddNumberToObject(lj, "head_dim", d);
    cJSON_AddNumberToObject(lj, "block", w->block);
    cJSON_AddNumberToObject(lj, "macs", (double)ak_attention_macs(&job));
    cJSON_AddItemToObject(lj, "quant", quant_json(D.quant, D.in.scales, H));
    cJSON *qp = cJSON_AddObjectToObject(lj, "quant_policy");
    char iq[32];
    cJSON_AddStringToObject(qp, "input", D.in.real_q || D.in.real_k || D.in.real_v
                                             ? ak_input_quant_name(&w->quant.input, iq, sizeof iq)
                                             : "none (int8 inputs)");
    cJSON_AddStringToObject(qp, "output_scale", ak_oscale_name(policy));
    cJSON *sj = cJSON_AddObjectToObject(lj, "saturation");
    cJSON_AddNumberToObject(sj, "logits", (double)sat.logits);
    cJSON_AddNumberToObject(sj, "o_fx", (double)sat.o_fx);
    cJSON_AddNumberToObject(sj, "out", (double)sat.out);
    cJSON_AddNumberToObject(sj, "outputs", (double)outs);
    cJSON_AddNumberToObject(sj, "out_rate", out_rate);
    cJSON *cl = cJSON_AddArrayToObject(sj, "clipped_qkv");
    for (int x = 0; x < 3; x++)
        cJSON_AddItemToArray(cl, cJSON_CreateNumber((double)D.in.clipped[x]));
    cJSON_AddItemToObject(lj, "mask", mask_json(&D.mask));

    const uint64_t t3[3] = {H, N, d};
    const uint64_t mask_lists = (uint64_t)D.mask.heads * D.mask.q_blocks;
    const uint64_t n_off = mask_lists + 1, n_idx = ak_mask_active_blocks(&D.mask);
    st = put_npy(&lo, "q.npy", AK_DT_I8, D.in.q, 3, t3);
    if (!st) st = put_npy(&lo, "k.npy", AK_DT_I8, D.in.k, 3, t3);
    if (!st) st = put_npy(&lo, "v.npy", AK_DT_I8, D.in.v, 3, t3);
    if (!st) st = put_npy(&lo, "o.npy", AK_DT_I8, D.out, 3, t3);
    if (!st) st = put_npy(&lo, "o_fx.npy", AK_DT_I32, D.out_fx, 3, t3);
    if (!st) st = put_npy(&lo, "kv_off.npy", AK_DT_U32, D.mask.kv_off, 1, &n_off);
    if (!st) st = put_npy(&lo, "kv_idx.npy", AK_DT_U32, D.mask.kv_idx, 1, &n_idx);
    if (!st && keep) {
        const uint64_t hn[2] = {H, N}, nk = D.pr.n_kept, np = D.pr.n_pruned;
        cJSON *pj = cJSON_AddObjectToObject(lj, "pruning");
        cJSON_AddNumberToObject(pj, "keep_ppm", keep);
        cJSON_AddNumberToObject(pj, "kept", D.pr.n_kept);
        cJSON_AddNumberToObject(pj, "pruned", D.pr.n_pruned);
        cJSON_AddBoolToObject(pj, "fuse_token", w->fuse_token);
        cJSON_AddNumberToObject(pj, "next_tokens", *next);
        st = put_npy(&lo, "cls_probs.npy", AK_DT_U16, D.cls, 2, hn);
        if (!st) st = put_npy(&lo, "kept.npy", AK_DT_U32, D.pr.kept, 1, &nk);
        if (!st) st = put_npy(&lo, "fused_w.npy", AK_DT_U16, D.pr.fused_w, 1, &np);
        /* the score region the accelerator writes: uint32 (at most heads x 2^16 a token) */
        uint32_t *score = st ? NULL : malloc(sizeof *score * N);
        if (!st && !score)
            st = AK_ENOMEM;
        for (uint32_t j = 0; !st && j < N; j++)
            score[j] = (uint32_t)D.pr.score[j];
        const uint64_t n = N;
        if (!st) st = put_npy(&lo, "score.npy", AK_DT_U32, score, 1, &n);
        free(score);
    }
    if (!st && ev->budget) {
        const uint64_t nkept = D.ev.n_kept, n = N;
        cJSON *ej = cJSON_AddObjectToObject(lj, "eviction");
        cJSON_AddNumberToObject(ej, "budget", ev->budget);
        cJSON_AddNumberToObject(ej, "sinks", ev->sinks);
        cJSON_AddNumberToObject(ej, "recent", ev->recent);
        cJSON_AddNumberToObject(ej, "window", win);
        cJSON_AddNumberToObject(ej, "kept", D.ev.n_kept);
        st = put_npy(&lo, "kv_kept.npy", AK_DT_U32, D.ev.kept, 1, &nkept);
        if (!st) st = put_npy(&lo, "kv_score.npy", AK_DT_I64, D.ev.acc, 1, &n);
    }
    /* The accelerator's memory, laid out from address 0 as the host driver lays out a job:
     * inputs in mem.hex, the expected output region in o.hex; the pruning regions follow o
     * (their expected contents are the .npy files above, and prune.hex). */
    ak_job_layout lay;
    ak_prune_job pj = {.mode = AK_PRUNE_NONE};
    if (keep)
        pj = (ak_prune_job){.mode = AK_PRUNE_EVIT, .keep_ppm = keep};
    else if (ev->budget)
        pj = (ak_prune_job){.mode = AK_PRUNE_EVICT, .budget = ev->budget, .sinks = ev->sinks,
                            .recent = ev->recent, .window = win};
    if (!st && (ak_job_layout_plan(&job, 0, &lay) != AK_OK ||
                ak_job_layout_add_prune(&lay, N, &pj) != AK_OK))
        st = fail(e, AK_EINVAL, "layer %u: the job has no memory layout", l + 1);
    if (!st && ak_prune_job_check(&pj, H, N, N, UINT32_MAX, UINT32_MAX, &why) != AK_OK)
        st = fail(e, AK_EINVAL, "layer %u: pruning: %s", l + 1, why);
    if (!st && !(D.img = calloc(lay.end, 1)))
        st = AK_ENOMEM;
    if (!st)
        st = ak_job_image_write(&job, &lay, D.img);
    for (uint32_t h = 0; !st && h < H; h++)
        memcpy(D.img + lay.o + h * lay.q_head_stride, D.out + (uint64_t)h * N * d,
               (uint64_t)N * d);
    if (!st) st = put_hex(&lo, "mem.hex", D.img, 0, lay.o);
    if (!st) st = put_hex(&lo, "o.hex", D.img + lay.o, lay.o, lay.score - lay.o);
    /* the expected pruning regions (as the .npy files above), in prune.hex */
    if (!st && pj.mode != AK_PRUNE_NONE) {
        const int ok = keep ? put_prune_regions(D.img, &lay, D.pr.score, N, D.pr.kept,
                                                D.pr.n_kept, D.pr.fused_w, D.pr.n_pruned)
                            : put_prune_regions(D.img, &lay, D.ev.acc, N, D.ev.kept,
                                                D.ev.n_kept, NULL, 0);
        if (!ok)
            st = fail(e, AK_EINVAL, "layer %u: the pruning results do not fit the job's "
                      "pruning regions", l + 1);
    }
    if (!st && pj.mode != AK_PRUNE_NONE)
        st = put_hex(&lo, "prune.hex", D.img + lay.score, lay.score, lay.end - lay.score);
    if (!st)
        cJSON_AddItemToObject(lj, "memory", memory_json(&lay));
    cJSON_AddItemToObject(lj, "files", lo.files);
    if (st == AK_ENOMEM)
        fail(e, st, "layer %u: out of memory", l + 1);
    layer_free(&D);
    return st;
}

/* ---- directories ------------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Creates the missing parent directories of `path` (mkdir -p of its dirname); the first one it
 * had to create goes into made[] (empty if none). 0 or -1 with errno. */
static int make_parents(const char *path, char *made, size_t cap)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        struct stat sb;
        if (stat(buf, &sb) != 0) {
            if (mkdir(buf, 0777) != 0)
                return -1;
            if (!made[0])
                snprintf(made, cap, "%s", buf);
        }
        *p = '/';
    }
    return 0;
}

static ak_status write_manifest(const char *root, cJSON *man, const errbuf *e)
{
    char path[4096];
    if (!join(path, sizeof path, root, "manifest.json"))
        return fail(e, AK_EINVAL, "%s: path too long", root);
    char *text = cJSON_Print(man);
    if (!text)
        return fail(e, AK_ENOMEM, "manifest: out of memory");
    FILE *f = fopen(path, "w");
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = (f && fclose(f) == 0) && ok;
    cJSON_free(text);
    return ok ? AK_OK : fail(e, AK_EIO, "%s: write failed: %s", path, strerror(errno));
}

/* The process's umask without changing it where the kernel reports it (Linux >= 4.7); else
 * umask(077) and back, whose window only makes files of other threads more private. */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long v;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Umask: %lo", &v) == 1) {
            fclose(f);
            return (mode_t)(v & 0777);
        }
    if (f)
        fclose(f);
    const mode_t old = umask(077);
    umask(old);
    return old;
}

ak_status ak_vecgen(const ak_workload *w, const ak_vecgen_opts *o, const char *out_dir,
                    ak_vecgen_report *rep, char *err, size_t errlen)
{
    errbuf e = {err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!w || !o || !out_dir || !rep)
        return AK_EINVAL;
    memset(rep, 0, sizeof *rep);
    struct stat sb;
    if (stat(out_dir, &sb) == 0 && !o->force)
        return fail(&e, AK_EINVAL, "%s: already exists (use --force to replace it)", out_dir);
    char tmp[4096], made[4096] = "";
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", out_dir) >= (int)sizeof tmp)
        return fail(&e, AK_EINVAL, "%s: path too long", out_dir);
    if (make_parents(out_dir, made, sizeof made) != 0)
        return fail(&e, AK_EIO, "%s: cannot create its parent directory: %s", out_dir,
                    strerror(errno));
    if (!mkdtemp(tmp)) {
        int er = errno;
        if (made[0])
            rm_tree(made);
        return fail(&e, AK_EIO, "%s: cannot create a directory beside it: %s", out_dir,
                    strerror(er));
    }
    cJSON *man = cJSON_CreateObject();
    cJSON_AddStringToObject(man, "format", AK_VECTORS_FORMAT);
    cJSON_AddNumberToObject(man, "version", AK_VECTORS_VERSION);
    cJSON_AddStringToObject(man, "tool", "attnkit " AK_VERSION);
    cJSON_AddNumberToObject(man, "numerics_version", AK_NUMERICS_VERSION);
    cJSON *wj = ak_workload_cjson(w); /* a tree: its seeds are exact raw number text */
    cJSON_AddItemToObject(man, "workload", wj ? wj : cJSON_CreateNull());
    cJSON *gen = cJSON_AddObjectToObject(man, "generator");
    if (o->npy_dir) {
        cJSON_AddStringToObject(gen, "inputs", "npy");
        cJSON_AddStringToObject(gen, "npy_dir", o->npy_dir);
    } else {
        cJSON_AddStringToObject(gen, "inputs", "synthetic");
        cJSON_AddStringToObject(gen, "logits", ak_logit_dist_name(o->logits));
        cJSON_AddStringToObject(gen, "layer_seed", "seed * 1000003 + layer index (from 0)");
    }
    cJSON_AddStringToObject(gen, "output_scale", "per layer: layers[].quant_policy");
    cJSON *layers = cJSON_AddArrayToObject(man, "layers");
    ak_status st = AK_OK;
    uint32_t tokens = w->tokens;
    for (uint32_t l = 0; st == AK_OK && l < w->n_layers; l++) {
        uint32_t next = tokens;
        st = gen_layer(w, o, l, tokens, tmp, layers, rep, &e, &next);
        tokens = next;
        rep->layers += st == AK_OK;
        if (st == AK_OK)
            layer_step(o, w, l, AK_VECGEN_LAYER_STEPS);
    }
    if (st == AK_OK)
        st = write_manifest(tmp, man, &e);
    cJSON_Delete(man);
    /* mkdtemp made it 0700; the finished set is for the team, as the umask allows */
    if (st == AK_OK && chmod(tmp, 0777 & ~current_umask()) != 0)
        st = fail(&e, AK_EIO, "%s: cannot set its mode: %s", tmp, strerror(errno));
    if (st == AK_OK && o->force && stat(out_dir, &sb) == 0)
        rm_tree(out_dir);
    if (st == AK_OK && rename(tmp, out_dir) != 0)
        st = fail(&e, AK_EIO, "%s: cannot move the finished vectors into place: %s", out_dir,
                  strerror(errno));
    if (st != AK_OK) {
        rm_tree(tmp);
        if (made[0]) /* the parents this run created: nothing is left behind */
            rm_tree(made);
    }
    return st;
}

ak_status ak_vectors_verify(const char *dir, uint32_t *files, char *err, size_t errlen)
{
    errbuf e = {err, errlen};
    char path[4096];
    *files = 0;
    if (!join(path, sizeof path, dir, "manifest.json"))
        return fail(&e, AK_EINVAL, "%s: path too long", dir);
    uint8_t *text;
    size_t len;
    ak_status rd = ak_read_file(path, (size_t)256 << 20, &text, &len, err, errlen);
    if (rd != AK_OK)
        return rd;
    cJSON *man = cJSON_ParseWithLength((const char *)text, len);
    free(text);
    if (!man)
        return fail(&e, AK_EINVAL, "%s: not valid JSON", path);
    ak_status st = AK_OK;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(man, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(man, "version");
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(man, "layers");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, AK_VECTORS_FORMAT))
        st = fail(&e, AK_EINVAL, "%s: field 'format': expected \"%s\"", path, AK_VECTORS_FORMAT);
    else if (!cJSON_IsNumber(ver) || ver->valuedouble != AK_VECTORS_VERSION)
        st = fail(&e, AK_EINVAL, "%s: field 'version': this tool reads version %d", path,
                  AK_VECTORS_VERSION);
    else if (!cJSON_IsArray(layers))
        st = fail(&e, AK_EINVAL, "%s: field 'layers': expected an array", path);
    for (const cJSON *l = layers ? layers->child : NULL; st == AK_OK && l; l = l->next) {
        const cJSON *ld = cJSON_GetObjectItemCaseSensitive(l, "dir");
        const cJSON *fl = cJSON_GetObjectItemCaseSensitive(l, "files");
        if (!cJSON_IsString(ld) || !cJSON_IsObject(fl) || strchr(ld->valuestring, '/')) {
            st = fail(&e, AK_EINVAL, "%s: a layer lacks 'dir' or 'files'", path);
            break;
        }
        for (const cJSON *fe = fl->child; st == AK_OK && fe; fe = fe->next) {
            const cJSON *want = cJSON_GetObjectItemCaseSensitive(fe, "sha256");
            char sub[4096], fpath[4096], hex[65];
            uint64_t bytes;
            if (!join(sub, sizeof sub, dir, ld->valuestring) ||
                !join(fpath, sizeof fpath, sub, fe->string))
                st = fail(&e, AK_EINVAL, "%s: path too long", dir);
            else if (!cJSON_IsString(want) || strchr(fe->string, '/'))
                st = fail(&e, AK_EINVAL, "%s: entry '%s' lacks a sha256", path, fe->string);
            else if (file_sha256(fpath, hex, &bytes) != AK_OK)
                st = fail(&e, AK_EIO, "%s: missing or unreadable", fpath);
            else if (strcmp(hex, want->valuestring))
                st = fail(&e, AK_EINVAL,
                          "%s: checksum mismatch (manifest sha256 %.16s..., file %.16s...)",
                          fpath, want->valuestring, hex);
            else
                (*files)++;
        }
    }
    cJSON_Delete(man);
    return st;
}
