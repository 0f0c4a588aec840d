/* Test-vector directories (format in vectors/README.md): a workload's inputs, masks, expected
 * outputs and pruning results as .npy files, $readmemh images of the accelerator's memory, and
 * a manifest.json with the configuration, quantisation and a SHA-256 of every file. */
#ifndef ATTNKIT_VECTORS_H
#define ATTNKIT_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "attnkit/attention.h"
#include "attnkit/inputs.h"
#include "attnkit/status.h"
#include "attnkit/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AK_VECTORS_FORMAT "attnkit-vectors"
#define AK_VECTORS_VERSION 4

/* Progress steps of one layer in ak_vecgen_opts.progress. */
#define AK_VECGEN_LAYER_STEPS 4

typedef struct {
    ak_logit_dist logits; /* synthetic input distribution */
    unsigned threads;     /* for the attention runs; 0 = one per CPU */
    int force;            /* replace an existing output directory */
    const char *npy_dir;  /* real inputs instead of synthetic ones: DIR/layerNN/{q,k,v}.npy,
                             or DIR/{q,k,v}.npy for one layer (ak_inputs_load_npy); NULL:
                             synthetic inputs from `logits` and the workload seed */
    /* Optional, e.g. for a progress line: called from the calling thread as each of a layer's
     * AK_VECGEN_LAYER_STEPS steps ends (inputs generated or loaded, attention run, pruning or
     * eviction chosen, files written), with done = 1..total of total = AK_VECGEN_LAYER_STEPS x
     * the workload's layers; layer l (from 0) is written when done = (l + 1) x
     * AK_VECGEN_LAYER_STEPS. Steps, not layers, so that a one-layer workload (llm-32k) moves
     * too. NULL: none. */
    void (*progress)(void *ctx, uint32_t done, uint32_t total);
    void *progress_ctx;
} ak_vecgen_opts;

typedef struct {
    uint32_t layers;
    uint32_t files;
    uint64_t bytes;
    uint64_t macs;
    ak_sat_counts sat; /* saturations over every layer (numerics.md 3.3) */
    uint64_t outputs;  /* int8 outputs over every layer */
    uint64_t clipped;  /* input elements the input quantiser saturated (real inputs) */
    uint32_t worst_layer;  /* the layer (from 1) with the largest share of saturated int8 */
    uint64_t worst_out, worst_outputs; /* its saturated and all int8 outputs */
} ak_vecgen_report;

/* Generates the vector directory of workload w at out_dir. Everything is written into a
 * temporary directory beside out_dir and renamed into place at the end, so an error leaves
 * nothing behind. The directory gets mode 0777 & ~umask, as mkdir(1) would give it (not
 * mkdtemp's 0700), so others read it as the umask allows; its files and subdirectories follow
 * the umask too. The umask is read from /proc/self/status, else by setting 077 and restoring
 * it (a brief window in which other threads create files more privately, never less).
 * AK_EINVAL (bad workload, out_dir exists without force), AK_EIO, AK_ENOMEM; err names the
 * file or field. */
ak_status ak_vecgen(const ak_workload *w, const ak_vecgen_opts *o, const char *out_dir,
                    ak_vecgen_report *rep, char *err, size_t errlen);

/* The default workload for real inputs in npy_dir: one dense layer per layerNN directory (or
 * one for a flat directory), tokens, heads and head dim from the first layer's q.npy, block
 * 64, no pruning, kind vision (an encoder: no causality), default quantisation. */
ak_status ak_vecgen_npy_workload(const char *npy_dir, ak_workload *w, char *err, size_t errlen);

/* Why inputs with nq queries and nk keys (nq != nk) are not a workload layer, for the messages
 * of vecgen and accuracy --npy-dir: the real counts, and whether the shape is an attention the
 * library computes (decoding: nq < nk) though no workload layer has it. */
void ak_vecgen_square_why(uint32_t nq, uint32_t nk, char *buf, size_t len);

/* The output-scale policy of a layer (numerics.md 3.2): the workload's quant.output_scale if
 * it names one, else "given" when the inputs bring output scales, else "calibrated". */
ak_oscale_policy ak_vecgen_output_policy(const ak_workload *w, const ak_inputs *in);

/* Checks a vector directory: manifest format and version, and the SHA-256 of every file it
 * lists. *files receives the number checked. */
ak_status ak_vectors_verify(const char *dir, uint32_t *files, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
