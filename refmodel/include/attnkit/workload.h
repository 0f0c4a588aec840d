/* Workloads: a stack of attention layers (tokens, heads, head dim, block size, a mask per layer)
 * with a pruning schedule, read from a JSON workload file (docs/workloads.md) or taken from a
 * named preset, and planned: tokens, active blocks and attention MACs per layer, without data. */
#ifndef ATTNKIT_WORKLOAD_H
#define ATTNKIT_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "attnkit/mask.h"
#include "attnkit/quant.h"
#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AK_WORKLOAD_FORMAT "attnkit-workload"
#define AK_WORKLOAD_VERSION 2 /* version 1 files are read too */
#define AK_MAX_LAYERS 256
#define AK_MAX_MASK_PARTS 4

/* A mask of one layer: the union of 1..AK_MAX_MASK_PARTS patterns. A part with a density is
 * resolved by ak_pattern_for_density on the layer's own token count (pruning changes it). */
typedef struct {
    ak_pattern pattern;
    double density; /* 0: use the pattern's explicit parameters as given */
} ak_mask_part;

typedef struct {
    uint32_t n_parts;
    ak_mask_part parts[AK_MAX_MASK_PARTS];
    uint32_t keep_ppm; /* EViT pruning after this layer's attention; 0 = none */
} ak_layer_spec;

typedef enum { AK_WORKLOAD_VISION, AK_WORKLOAD_DECODER } ak_workload_kind;

/* KV-cache eviction after each layer of a decoder (numerics.md 11.3): keep `budget` keys, the
 * first `sinks` and last `recent` always, the rest by attention accumulated over the last
 * `window` queries. budget = 0: none. */
typedef struct {
    uint32_t budget, sinks, recent, window;
} ak_eviction_spec;

/* How real-valued inputs are quantised and how the output scale is chosen (numerics.md 3.1,
 * 3.2). Defaults: max, calibrated. */
typedef struct {
    ak_input_quant input;
    ak_oscale_policy output;
    int output_set; /* the workload named the output policy (else: calibrated, or given when
                       the inputs bring output scales) */
} ak_quant_spec;

typedef struct {
    char name[64];
    ak_workload_kind kind;
    uint32_t tokens;   /* tokens entering layer 1 (vision: CLS + patches) */
    uint32_t heads;    /* 1..64 */
    uint32_t head_dim; /* 32, 64 or 128 */
    uint32_t block;    /* 16, 32, 64 or 128 */
    uint64_t seed;     /* synthetic inputs and random masks */
    ak_eviction_spec eviction; /* decoder only */
    int fuse_token;    /* EViT: pruning also passes one fused token on (numerics.md 11.2) */
    ak_quant_spec quant;
    uint32_t n_layers;
    ak_layer_spec layers[AK_MAX_LAYERS];
} ak_workload;

/* An empty workload with the defaults of the schema's optional fields (fuse_token on, quant
 * max / calibrated). */
void ak_workload_defaults(ak_workload *w);

/* Parses a workload document (JSON text of `len` bytes). `source` names it in messages. On
 * error returns AK_EINVAL and writes "<source>: <field>: <what was expected>" into err. */
ak_status ak_workload_parse(const char *text, size_t len, const char *source, ak_workload *w,
                            char *err, size_t errlen);
/* Reads and parses a file (AK_EIO if it cannot be read). */
ak_status ak_workload_load(const char *path, ak_workload *w, char *err, size_t errlen);

/* Named presets: deit-tiny, deit-small, deit-base, vit-base, vit-large (197 tokens, EViT keep
 * 0.7 after layers 4, 7, 10), the same with "-dense" (no pruning), llm-4k, llm-16k, llm-32k. */
unsigned ak_workload_preset_count(void);
const char *ak_workload_preset_name(unsigned i);
const char *ak_workload_preset_summary(unsigned i);
ak_status ak_workload_preset(const char *name, ak_workload *w);

/* The JSON text of a workload (malloc'd, NUL-terminated; NULL when out of memory). Parsing it
 * gives the same workload back. */
char *ak_workload_to_json(const ak_workload *w);

/* The mask of layer `layer` (0-based) at `tokens` tokens; topk parts need q and k. */
ak_status ak_workload_layer_mask(const ak_workload *w, uint32_t layer, uint32_t tokens,
                                 const int8_t *q, const int8_t *k, ak_mask *out,
                                 const char **why);

typedef struct {
    uint32_t tokens_in;      /* tokens entering the layer */
    uint32_t tokens_out;     /* tokens leaving it (after pruning) */
    uint64_t active_blocks;  /* over all heads */
    double density;          /* active / all blocks */
    uint64_t macs;           /* attention MACs: Q.K^T + P.V over active blocks, all heads */
} ak_layer_plan;

/* Plans every layer without data (a topk mask's size does not depend on the data). */
ak_status ak_workload_plan(const ak_workload *w, ak_layer_plan *plan, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
