/* Workloads (workload.h): the JSON schema of docs/workloads.md parsed with cJSON, the presets,
 * the inverse (workload to JSON), per-layer masks and the data-free plan. */
#include "attnkit/workload.h"

#include <cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/numerics.h"
#include "attnkit/prune.h"
#include "attnkit/file_io.h"
#include "workload_json.h"

/* ---- errors ---------------------------------------------------------------------------- */

typedef struct {
    const char *source;
    char *err;
    size_t errlen;
} errctx;

static ak_status fail(const errctx *e, const char *fmt, ...)
{
    if (e->err && e->errlen) {
        int n = snprintf(e->err, e->errlen, "%s: ", e->source);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < e->errlen)
            vsnprintf(e->err + n, e->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return AK_EINVAL;
}

/* ---- field readers: each names the field and what it expected -------------------------- */

static ak_status get_uint(const errctx *e, const cJSON *obj, const char *field, int required,
                          uint64_t lo, uint64_t hi, uint64_t *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!it) {
        if (required)
            return fail(e, "field '%s': missing (expected a whole number %llu..%llu)", field,
                        (unsigned long long)lo, (unsigned long long)hi);
        return AK_OK;
    }
    double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    if (!(v >= (double)lo && v <= (double)hi) || floor(v) != v)
        return fail(e, "field '%s': expected a whole number %llu..%llu", field,
                    (unsigned long long)lo, (unsigned long long)hi);
    *out = (uint64_t)v;
    return AK_OK;
}

/* A seed, 0..2^53: a JSON number, or a string of decimal digits ("9007199254740993"), so
 * that tools whose numbers are doubles can carry any seed. The writer gives raw number text
 * (seed_json), which every reader parses exactly up to 2^53. */
static ak_status get_seed(const errctx *e, const cJSON *obj, const char *field, uint64_t *out)
{
    const uint64_t hi = UINT64_C(1) << 53;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!cJSON_IsString(it))
        return get_uint(e, obj, field, 0, 0, hi, out);
    const char *s = it->valuestring;
    uint64_t v = 0;
    int ok = *s != '\0';
    for (; ok && *s; s++) {
        ok = *s >= '0' && *s <= '9' && v <= hi / 10;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (!ok || v > hi)
        return fail(e, "field '%s': expected a whole number 0..%" PRIu64
                       " (a number, or its decimal digits as a string)",
                    field, hi);
    *out = v;
    return AK_OK;
}

static ak_status get_u32(const errctx *e, const cJSON *obj, const char *field, int required,
                         uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t v = *out;
    ak_status st = get_uint(e, obj, field, required, lo, hi, &v);
    *out = (uint32_t)v;
    return st;
}

static ak_status check_keys(const errctx *e, const cJSON *obj, const char *where,
                            const char *const *allowed)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = it->string && !strcmp(it->string, *a);
        if (!ok)
            return fail(e, "%s: unknown field '%s'", where, it->string ? it->string : "?");
    }
    return AK_OK;
}

static ak_status parse_part(const errctx *e, const cJSON *o, uint32_t layer, ak_mask_part *part)
{
    static const char *const keys[] = {"pattern", "density", "window", "sinks", "stride",
                                       "random",  "topk",    "causal", "seed",  NULL};
    char where[48];
    snprintf(where, sizeof where, "layers[%u].mask", layer);
    if (!cJSON_IsObject(o))
        return fail(e, "%s: expected an object like {\"pattern\": \"dense\"}", where);
    ak_status st = check_keys(e, o, where, keys);
    if (st)
        return st;
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(o, "pattern");
    memset(part, 0, sizeof *part);
    if (!cJSON_IsString(pat) || ak_pattern_from_name(pat->valuestring, &part->pattern.kind))
        return fail(e, "%s.pattern: expected dense, causal, window, sinks, strided, random or topk",
                    where);
    ak_pattern *p = &part->pattern;
    p->stride = 1;
    p->topk = 1;
    const cJSON *dens = cJSON_GetObjectItemCaseSensitive(o, "density");
    if (dens) {
        if (!cJSON_IsNumber(dens) || !(dens->valuedouble > 0.0 && dens->valuedouble <= 1.0))
            return fail(e, "%s.density: expected a number in (0, 1]", where);
        part->density = dens->valuedouble;
    }
    const cJSON *causal = cJSON_GetObjectItemCaseSensitive(o, "causal");
    if (causal && !cJSON_IsBool(causal))
        return fail(e, "%s.causal: expected true or false", where);
    p->causal = !causal ? AK_CAUSAL_DEFAULT : cJSON_IsTrue(causal) ? AK_CAUSAL_ON : AK_CAUSAL_OFF;
    uint64_t seed = 0;
    if ((st = get_u32(e, o, "window", 0, 0, AK_MAX_TOKENS, &p->window)) ||
        (st = get_u32(e, o, "sinks", 0, 0, AK_MAX_TOKENS, &p->sinks)) ||
        (st = get_u32(e, o, "stride", 0, 1, AK_MAX_TOKENS, &p->stride)) ||
        (st = get_u32(e, o, "random", 0, 0, AK_MAX_TOKENS, &p->random)) ||
        (st = get_u32(e, o, "topk", 0, 1, AK_MAX_TOKENS, &p->topk)) ||
        (st = get_seed(e, o, "seed", &seed)))
        return st;
    p->seed = seed;
    /* density fits the size parameters, so an explicit one would be silently replaced */
    static const char *const sized[] = {"window", "sinks", "stride", "random", "topk"};
    for (int i = 0; dens && i < 5; i++)
        if (cJSON_GetObjectItemCaseSensitive(o, sized[i]))
            return fail(e,
                        "%s.%s: give either 'density' (the pattern's size parameters fitted to "
                        "it) or explicit parameters, not both",
                        where, sized[i]);
    return AK_OK;
}

static ak_status parse_layers(const errctx *e, const cJSON *arr, ak_workload *w)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > AK_MAX_LAYERS)
        return fail(e, "field 'layers': expected an array of 1..%d layer objects", AK_MAX_LAYERS);
    static const char *const keys[] = {"mask", NULL};
    uint32_t n = 0;
    for (const cJSON *l = arr->child; l; l = l->next, n++) {
        char where[32];
        snprintf(where, sizeof where, "layers[%u]", n);
        if (!cJSON_IsObject(l))
            return fail(e, "%s: expected an object with a \"mask\"", where);
        ak_status st = check_keys(e, l, where, keys);
        if (st)
            return st;
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(l, "mask");
        ak_layer_spec *spec = &w->layers[n];
        memset(spec, 0, sizeof *spec);
        if (cJSON_IsArray(m)) {
            int parts = cJSON_GetArraySize(m);
            if (parts < 1 || parts > AK_MAX_MASK_PARTS)
                return fail(e, "%s.mask: a union takes 1..%d patterns", where, AK_MAX_MASK_PARTS);
            for (const cJSON *p = m->child; p; p = p->next)
                if ((st = parse_part(e, p, n, &spec->parts[spec->n_parts++])))
                    return st;
        } else if (m) {
            spec->n_parts = 1;
            if ((st = parse_part(e, m, n, &spec->parts[0])))
                return st;
        } else {
            return fail(e, "%s.mask: missing (expected {\"pattern\": ...} or a list of them)",
                        where);
        }
    }
    w->n_layers = n;
    return AK_OK;
}

static ak_status parse_pruning(const errctx *e, const cJSON *pr, ak_workload *w)
{
    static const char *const keys[] = {"layers", "keep_rate", "fuse_token", NULL};
    if (!cJSON_IsObject(pr))
        return fail(e, "field 'pruning': expected {\"layers\": [...], \"keep_rate\": r}");
    ak_status st = check_keys(e, pr, "pruning", keys);
    if (st)
        return st;
    const cJSON *fuse = cJSON_GetObjectItemCaseSensitive(pr, "fuse_token");
    if (fuse && !cJSON_IsBool(fuse))
        return fail(e, "pruning.fuse_token: expected true or false");
    w->fuse_token = !fuse || cJSON_IsTrue(fuse);
    const cJSON *rate = cJSON_GetObjectItemCaseSensitive(pr, "keep_rate");
    uint32_t ppm;
    if (!cJSON_IsNumber(rate) || ak_keep_rate_ppm(rate->valuedouble, &ppm) != AK_OK)
        return fail(e, "pruning.keep_rate: expected a number in (0, 1]");
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(pr, "layers");
    if (!cJSON_IsArray(layers))
        return fail(e, "pruning.layers: expected an array of layer numbers 1..%u", w->n_layers);
    for (const cJSON *l = layers->child; l; l = l->next) {
        double v = cJSON_IsNumber(l) ? l->valuedouble : NAN;
        if (!(v >= 1.0 && v <= (double)w->n_layers) || floor(v) != v)
            return fail(e,
                        "pruning.layers: layer %g does not exist (the workload has layers 1..%u)",
                        v, w->n_layers);
        ak_layer_spec *spec = &w->layers[(uint32_t)v - 1];
        if (spec->keep_ppm)
            return fail(e, "pruning.layers: layer %g is listed twice", v);
        spec->keep_ppm = ppm;
    }
    return AK_OK;
}

static ak_status parse_eviction(const errctx *e, const cJSON *ev, ak_workload *w)
{
    static const char *const keys[] = {"budget", "sinks", "recent", "window", NULL};
    if (!cJSON_IsObject(ev))
        return fail(e, "field 'eviction': expected {\"budget\", \"sinks\", \"recent\", \"window\"}");
    ak_status st = check_keys(e, ev, "eviction", keys);
    ak_eviction_spec *x = &w->eviction;
    if (st || (st = get_u32(e, ev, "budget", 1, 1, w->tokens, &x->budget)) ||
        (st = get_u32(e, ev, "sinks", 0, 0, w->tokens, &x->sinks)) ||
        (st = get_u32(e, ev, "recent", 0, 0, w->tokens, &x->recent)) ||
        (st = get_u32(e, ev, "window", 1, 1, UINT32_MAX, &x->window))) /* clipped to N */
        return st;
    if (x->sinks + x->recent > x->budget)
        return fail(e, "eviction: sinks + recent (%u) must not exceed the budget (%u)",
                    x->sinks + x->recent, x->budget);
    return AK_OK;
}

static ak_status parse_quant(const errctx *e, const cJSON *q, ak_quant_spec *spec)
{
    static const char *const keys[] = {"input", "output_scale", NULL};
    if (!cJSON_IsObject(q))
        return fail(e, "field 'quant': expected {\"input\": ..., \"output_scale\": ...}");
    ak_status st = check_keys(e, q, "quant", keys);
    if (st)
        return st;
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(q, "input");
    if (in && (!cJSON_IsString(in) || ak_input_quant_parse(in->valuestring, &spec->input)))
        return fail(e, "quant.input: expected \"max\", \"mse\" or \"percentile:P\" with P in "
                       "[50, 100]");
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(q, "output_scale");
    if (out && (!cJSON_IsString(out) || ak_oscale_from_name(out->valuestring, &spec->output)))
        return fail(e, "quant.output_scale: expected \"calibrated\", \"fixed\" or \"given\"");
    spec->output_set = out != NULL;
    return AK_OK;
}

static ak_status parse_root(const errctx *e, const cJSON *root, ak_workload *w)
{
    static const char *const keys[] = {"format", "version", "name", "kind", "tokens", "heads",
                                       "head_dim", "block", "seed", "layers", "pruning",
                                       "eviction", "quant", NULL};
    if (!cJSON_IsObject(root))
        return fail(e, "expected a JSON object");
    ak_status st = check_keys(e, root, "workload", keys);
    if (st)
        return st;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, AK_WORKLOAD_FORMAT))
        return fail(e, "field 'format': expected \"%s\"", AK_WORKLOAD_FORMAT);
    uint32_t version = 0;
    if ((st = get_u32(e, root, "version", 1, 1, AK_WORKLOAD_VERSION, &version)))
        return st;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    if (name && (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof w->name))
        return fail(e, "field 'name': expected a string of at most %zu characters",
                    sizeof w->name - 1);
    snprintf(w->name, sizeof w->name, "%s", name ? name->valuestring : "workload");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
    if (!cJSON_IsString(kind) ||
        (strcmp(kind->valuestring, "vision") && strcmp(kind->valuestring, "decoder")))
        return fail(e, "field 'kind': expected \"vision\" or \"decoder\"");
    w->kind = strcmp(kind->valuestring, "vision") ? AK_WORKLOAD_DECODER : AK_WORKLOAD_VISION;
    uint64_t seed = 1;
    if ((st = get_u32(e, root, "tokens", 1, 1, AK_MAX_TOKENS, &w->tokens)) ||
        (st = get_u32(e, root, "heads", 1, 1, 64, &w->heads)) ||
        (st = get_seed(e, root, "seed", &seed)))
        return st;
    w->seed = seed;
    if ((st = get_u32(e, root, "head_dim", 1, 32, 128, &w->head_dim)))
        return st;
    if (w->head_dim != 32 && w->head_dim != 64 && w->head_dim != 128)
        return fail(e, "field 'head_dim': expected 32, 64 or 128");
    if ((st = get_u32(e, root, "block", 1, 16, 128, &w->block)))
        return st;
    if (w->block != 16 && w->block != 32 && w->block != 64 && w->block != 128)
        return fail(e, "field 'block': expected 16, 32, 64 or 128");
    if ((st = parse_layers(e, cJSON_GetObjectItemCaseSensitive(root, "layers"), w)))
        return st;
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(root, "pruning");
    if (pr && w->kind != AK_WORKLOAD_VISION)
        return fail(e, "field 'pruning': token pruning applies to \"vision\" workloads only");
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(root, "eviction");
    if (ev && w->kind != AK_WORKLOAD_DECODER)
        return fail(e, "field 'eviction': KV-cache eviction applies to \"decoder\" workloads only");
    if (ev && (st = parse_eviction(e, ev, w)))
        return st;
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(root, "quant");
    if (q && (st = parse_quant(e, q, &w->quant)))
        return st;
    return pr ? parse_pruning(e, pr, w) : AK_OK;
}

void ak_workload_defaults(ak_workload *w)
{
    memset(w, 0, sizeof *w);
    w->fuse_token = 1;
    w->quant.input = (ak_input_quant){.kind = AK_INQ_MAX, .percentile = 100.0};
    w->quant.output = AK_OSCALE_CALIBRATED;
}

ak_status ak_workload_parse(const char *text, size_t len, const char *source, ak_workload *w,
                            char *err, size_t errlen)
{
    errctx e = {source ? source : "workload", err, errlen};
    if (!w || !text)
        return AK_EINVAL;
    ak_workload_defaults(w);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        return fail(&e, "not valid JSON (error near byte %zu)", at);
    }
    ak_status st = parse_root(&e, root, w);
    cJSON_Delete(root);
    if (st != AK_OK)
        memset(w, 0, sizeof *w);
    return st;
}

ak_status ak_workload_load(const char *path, ak_workload *w, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    ak_status st = ak_read_file(path, (size_t)16 << 20, &buf, &len, err, errlen);
    if (st == AK_OK)
        st = ak_workload_parse((const char *)buf, len, path, w, err, errlen);
    free(buf);
    return st;
}

/* ---- presets --------------------------------------------------------------------------- */

typedef struct {
    const char *name, *summary;
    ak_workload_kind kind;
    uint32_t tokens, heads, head_dim, layers;
    int evit; /* keep 0.7 after layers 4, 7, 10 */
} preset;

static const preset presets[] = {
    {"deit-tiny", "DeiT-Ti 224px: 12 layers x 3 heads, d=64, 197 tokens, EViT keep 0.7 @ 4/7/10",
     AK_WORKLOAD_VISION, 197, 3, 64, 12, 1},
    {"deit-small", "DeiT-S 224px: 12 layers x 6 heads, d=64, 197 tokens, EViT keep 0.7 @ 4/7/10",
     AK_WORKLOAD_VISION, 197, 6, 64, 12, 1},
    {"deit-base", "DeiT-B 224px: 12 layers x 12 heads, d=64, 197 tokens, EViT keep 0.7 @ 4/7/10",
     AK_WORKLOAD_VISION, 197, 12, 64, 12, 1},
    {"vit-base", "ViT-B/16 224px: 12 layers x 12 heads, d=64, 197 tokens, EViT keep 0.7 @ 4/7/10",
     AK_WORKLOAD_VISION, 197, 12, 64, 12, 1},
    {"vit-large", "ViT-L/16 224px: 24 layers x 16 heads, d=64, 197 tokens, EViT keep 0.7 @ 4/7/10",
     AK_WORKLOAD_VISION, 197, 16, 64, 24, 1},
    {"deit-tiny-dense", "deit-tiny without pruning", AK_WORKLOAD_VISION, 197, 3, 64, 12, 0},
    {"deit-small-dense", "deit-small without pruning", AK_WORKLOAD_VISION, 197, 6, 64, 12, 0},
    {"deit-base-dense", "deit-base without pruning", AK_WORKLOAD_VISION, 197, 12, 64, 12, 0},
    {"vit-base-dense", "vit-base without pruning", AK_WORKLOAD_VISION, 197, 12, 64, 12, 0},
    {"vit-large-dense", "vit-large without pruning", AK_WORKLOAD_VISION, 197, 16, 64, 24, 0},
    {"llm-4k", "decoder layer, 4096 tokens, 8 heads, d=128: sinks+window U dynamic top-k",
     AK_WORKLOAD_DECODER, 4096, 8, 128, 1, 0},
    {"llm-16k", "decoder layer, 16384 tokens, 8 heads, d=128: sinks+window U dynamic top-k",
     AK_WORKLOAD_DECODER, 16384, 8, 128, 1, 0},
    {"llm-32k", "decoder layer, 32768 tokens, 8 heads, d=128: sinks+window U dynamic top-k",
     AK_WORKLOAD_DECODER, 32768, 8, 128, 1, 0},
};
#define N_PRESETS (sizeof presets / sizeof presets[0])

unsigned ak_workload_preset_count(void)
{
    return (unsigned)N_PRESETS;
}

const char *ak_workload_preset_name(unsigned i)
{
    return i < N_PRESETS ? presets[i].name : NULL;
}

const char *ak_workload_preset_summary(unsigned i)
{
    return i < N_PRESETS ? presets[i].summary : NULL;
}

ak_status ak_workload_preset(const char *name, ak_workload *w)
{
    if (!w || !name)
        return AK_EINVAL;
    for (unsigned i = 0; i < N_PRESETS; i++) {
        const preset *p = &presets[i];
        if (strcmp(name, p->name))
            continue;
        ak_workload_defaults(w);
        snprintf(w->name, sizeof w->name, "%s", p->name);
        w->kind = p->kind;
        w->tokens = p->tokens;
        w->heads = p->heads;
        w->head_dim = p->head_dim;
        w->block = 64;
        w->seed = 1;
        w->n_layers = p->layers;
        if (p->kind == AK_WORKLOAD_DECODER) /* keep a quarter of the cache (H2O's 20-25 %) */
            w->eviction = (ak_eviction_spec){.budget = p->tokens / 4, .sinks = 4,
                                             .recent = p->tokens / 16, .window = 32};
        for (uint32_t l = 0; l < p->layers; l++) {
            ak_layer_spec *s = &w->layers[l];
            if (p->kind == AK_WORKLOAD_VISION) {
                s->n_parts = 1;
                s->parts[0].pattern = (ak_pattern){.kind = AK_PATTERN_DENSE, .stride = 1, .topk = 1};
            } else { /* StreamingLLM sinks + window, united with H2O-like dynamic top-k */
                s->n_parts = 2;
                s->parts[0].pattern = (ak_pattern){.kind = AK_PATTERN_SINKS, .stride = 1, .topk = 1};
                s->parts[0].density = 0.03;
                s->parts[1].pattern =
                    (ak_pattern){.kind = AK_PATTERN_TOPK, .causal = 1, .stride = 1, .topk = 1};
                s->parts[1].density = 0.02;
            }
            if (p->evit && (l + 1 == 4 || l + 1 == 7 || l + 1 == 10))
                s->keep_ppm = 700000;
        }
        return AK_OK;
    }
    return AK_EINVAL;
}

/* ---- to JSON --------------------------------------------------------------------------- */

/* A seed as raw number text: exact, where cJSON prints a number (a double) to 15 significant
 * digits when that reads back within its rounding tolerance (2^53 - 1 came out as
 * 9.00719925474099e+15, so vectors could not be regenerated from their manifest). */
static void add_seed(cJSON *o, uint64_t seed)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, seed);
    cJSON_AddRawToObject(o, "seed", text);
}

static cJSON *part_json(const ak_mask_part *part)
{
    const ak_pattern *p = &part->pattern;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "pattern", ak_pattern_name(p->kind));
    if (part->density > 0.0)
        cJSON_AddNumberToObject(o, "density", part->density);
    else {
        static const char *const names[] = {"window", "sinks", "stride", "random", "topk"};
        const uint32_t vals[] = {p->window, p->sinks, p->stride, p->random, p->topk};
        for (int i = 0; i < 5; i++)
            cJSON_AddNumberToObject(o, names[i], vals[i]);
    }
    if (p->causal != AK_CAUSAL_DEFAULT) /* as written: parsing it back gives the same */
        cJSON_AddBoolToObject(o, "causal", p->causal > 0);
    if (p->seed)
        add_seed(o, p->seed);
    return o;
}

cJSON *ak_workload_cjson(const ak_workload *w)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", AK_WORKLOAD_FORMAT);
    cJSON_AddNumberToObject(root, "version", AK_WORKLOAD_VERSION);
    cJSON_AddStringToObject(root, "name", w->name);
    cJSON_AddStringToObject(root, "kind", w->kind == AK_WORKLOAD_VISION ? "vision" : "decoder");
    cJSON_AddNumberToObject(root, "tokens", w->tokens);
    cJSON_AddNumberToObject(root, "heads", w->heads);
    cJSON_AddNumberToObject(root, "head_dim", w->head_dim);
    cJSON_AddNumberToObject(root, "block", w->block);
    add_seed(root, w->seed);
    cJSON *layers = cJSON_AddArrayToObject(root, "layers");
    cJSON *prune_layers = cJSON_CreateArray();
    uint32_t ppm = 0;
    for (uint32_t l = 0; layers && l < w->n_layers; l++) {
        const ak_layer_spec *s = &w->layers[l];
        cJSON *lo = cJSON_CreateObject();
        cJSON *mask = s->n_parts == 1 ? part_json(&s->parts[0]) : cJSON_CreateArray();
        for (uint32_t x = 0; s->n_parts > 1 && x < s->n_parts; x++)
            cJSON_AddItemToArray(mask, part_json(&s->parts[x]));
        cJSON_AddItemToObject(lo, "mask", mask);
        cJSON_AddItemToArray(layers, lo);
        if (s->keep_ppm) {
            cJSON_AddItemToArray(prune_layers, cJSON_CreateNumber(l + 1));
            ppm = s->keep_ppm; /* one rate per workload (the schema's) */
        }
    }
    if (w->eviction.budget) {
        cJSON *ev = cJSON_AddObjectToObject(root, "eviction");
        cJSON_AddNumberToObject(ev, "budget", w->eviction.budget);
        cJSON_AddNumberToObject(ev, "sinks", w->eviction.sinks);
        cJSON_AddNumberToObject(ev, "recent", w->eviction.recent);
        cJSON_AddNumberToObject(ev, "window", w->eviction.window);
    }
    cJSON *q = cJSON_AddObjectToObject(root, "quant");
    char iq[32];
    cJSON_AddStringToObject(q, "input", ak_input_quant_name(&w->quant.input, iq, sizeof iq));
    if (w->quant.output_set)
        cJSON_AddStringToObject(q, "output_scale", ak_oscale_name(w->quant.output));
    if (ppm) {
        cJSON *pr = cJSON_AddObjectToObject(root, "pruning");
        cJSON_AddItemToObject(pr, "layers", prune_layers);
        cJSON_AddNumberToObject(pr, "keep_rate", ppm / (double)AK_PPM);
        cJSON_AddBoolToObject(pr, "fuse_token", w->fuse_token);
    } else {
        cJSON_Delete(prune_layers);
    }
    return root;
}

char *ak_workload_to_json(const ak_workload *w)
{
    cJSON *root = ak_workload_cjson(w);
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    return text;
}

/* ---- masks and plan -------------------------------------------------------------------- */

ak_status ak_workload_layer_mask(const ak_workload *w, uint32_t layer, uint32_t tokens,
                                 const int8_t *q, const int8_t *k, ak_mask *out,
                                 const char **why)
{
    if (!w || !out || layer >= w->n_layers)
        return AK_EINVAL;
    const ak_layer_spec *s = &w->layers[layer];
    const uint32_t k_blocks = (tokens + w->block - 1) / w->block;
    ak_mask acc = {0};
    ak_status st = AK_OK;
    for (uint32_t x = 0; st == AK_OK && x < s->n_parts; x++) {
        ak_pattern p = s->parts[x].pattern;
        if (s->parts[x].density > 0.0)
            st = ak_pattern_fit_density(&p, s->parts[x].density, k_blocks);
        if (p.kind == AK_PATTERN_RANDOM && p.seed == 0)
            p.seed = w->seed + layer; /* a layer's random mask follows the workload seed */
        ak_mask part, merged;
        if (st == AK_OK)
            st = ak_mask_build(&p, tokens, tokens, w->block, w->heads, q, k, w->head_dim, &part,
                               why);
        if (st == AK_OK && x == 0) {
            acc = part;
        } else if (st == AK_OK) {
            st = ak_mask_union(&acc, &part, &merged, why);
            ak_mask_free(&acc);
            ak_mask_free(&part);
            acc = merged;
        }
    }
    if (st != AK_OK)
        ak_mask_free(&acc);
    *out = acc;
    return st;
}

ak_status ak_workload_plan(const ak_workload *w, ak_layer_plan *plan, char *err, size_t errlen)
{
    errctx e = {w ? w->name : "workload", err, errlen};
    if (!w || !plan)
        return AK_EINVAL;
    uint32_t tokens = w->tokens;
    /* A topk mask's block count does not depend on the scores: plan it on zero inputs. */
    const uint64_t n = (uint64_t)w->heads * tokens * w->head_dim;
    int8_t *zeros = calloc(n ? n : 1, 1);
    if (!zeros)
        return AK_ENOMEM;
    ak_status st = AK_OK;
    for (uint32_t l = 0; st == AK_OK && l < w->n_layers; l++) {
        ak_mask m;
        const char *why = NULL;
        st = ak_workload_layer_mask(w, l, tokens, zeros, zeros, &m, &why);
        if (st != AK_OK) {
            fail(&e, "layer %u: %s", l + 1, why ? why : ak_strerror(st));
            break;
        }
        ak_layer_plan *p = &plan[l];
        p->tokens_in = tokens;
        p->active_blocks = ak_mask_active_blocks(&m) * (m.heads == 1 ? w->heads : 1);
        p->density = ak_mask_density(&m);
        p->macs = ak_mask_macs(&m, w->heads, w->head_dim);
        ak_mask_free(&m);
        if (w->layers[l].keep_ppm)
            tokens = ak_prune_next_tokens(tokens, w->layers[l].keep_ppm, w->fuse_token);
        p->tokens_out = tokens;
    }
    free(zeros);
    return st;
}
