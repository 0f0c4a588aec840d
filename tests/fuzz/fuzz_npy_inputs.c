/* libFuzzer harness: arbitrary bytes as a directory of real attention inputs, through its two
 * readers: ak_inputs_load_npy (refmodel/src/inputs_npy.c: q.npy, k.npy, v.npy and scales.npy,
 * shapes checked against each other, float tensors checked and quantised, int8 ones taken with
 * their scales), with each input quantiser, and ak_vecgen_npy_workload (refmodel/src/vectors.c:
 * the default workload of such a directory), as `attnkit vecgen/accuracy --npy-dir` read them.
 *
 * The input is up to four files separated by the line "--ak--": q.npy, k.npy, v.npy and
 * scales.npy, each written into one directory (made once, in TMPDIR) when its part is present,
 * removed when not. Seeds: tests/fuzz/corpus_npy_inputs/ (float32, float16 with a leading 1,
 * int8 with scales, a float64 set with an output-scale column). Any crash, sanitizer report or
 * leak is a bug; an accepted directory must give finite positive scales. */
#define _GNU_SOURCE /* memmem */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attnkit/inputs.h"
#include "attnkit/quant.h"
#include "attnkit/vectors.h"
#include "attnkit/workload.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"q.npy", "k.npy", "v.npy", "scales.npy"};
#define N_FILES (sizeof names / sizeof names[0])
static const char sep[] = "\n--ak--\n";
static char dir[PATH_MAX];

static void path_of(size_t i, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, names[i]);
}

static void remove_dir(void)
{
    char p[PATH_MAX + 16];
    for (size_t i = 0; i < N_FILES; i++) {
        path_of(i, p, sizeof p);
        unlink(p);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/ak-fuzz-npy-inputs-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        perror(dir);
        exit(1);
    }
    atexit(remove_dir);
    return 0;
}

static void check(const ak_input_quant *iq)
{
    ak_inputs in;
    char err[1024];
    if (ak_inputs_load_npy(dir, iq, &in, err, sizeof err) != AK_OK)
        return;
    if (!in.heads || !in.nq || !in.nk || !in.scales || !in.q || !in.k || !in.v)
        abort();
    for (uint32_t h = 0; h < in.heads; h++) {
        const ak_head_scales *s = &in.scales[h];
        if (!(s->q > 0 && s->k > 0 && s->v > 0 && s->o > 0) || !isfinite(s->q) ||
            !isfinite(s->k) || !isfinite(s->v) || !isfinite(s->o))
            abort();
    }
    ak_inputs_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    for (size_t i = 0; i < N_FILES; i++) {
        char path[PATH_MAX + 16];
        path_of(i, path, sizeof path);
        if (!p) {
            unlink(path);
            continue;
        }
        const uint8_t *s = memmem(p, (size_t)(end - p), sep, sizeof sep - 1);
        const size_t n = s ? (size_t)(s - p) : (size_t)(end - p);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
            perror(path);
            abort();
        }
        p = s ? s + sizeof sep - 1 : NULL;
    }
    check(NULL);
    static const char *const quants[] = {"mse", "percentile:99.9"};
    for (size_t i = 0; i < sizeof quants / sizeof quants[0]; i++) {
        ak_input_quant iq;
        if (ak_input_quant_parse(quants[i], &iq) != AK_OK)
            abort();
        check(&iq);
    }
    static ak_workload w;
    char err[1024];
    if (ak_vecgen_npy_workload(dir, &w, err, sizeof err) == AK_OK &&
        (w.tokens < 1 || w.heads < 1 || w.n_layers != 1))
        abort();
    return 0;
}
