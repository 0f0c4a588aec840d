/* libFuzzer harness: arbitrary bytes into the .npy parser (refmodel/src/npy.c). Any crash,
 * sanitizer report or leak is a bug; a rejected input must leave the output zeroed. Build and
 * run: make fuzz (see the Makefile), corpus seeds in tests/fuzz/corpus_npy/. */
#include <stdlib.h>

#include "attnkit/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ak_npy a;
    char err[256];
    if (ak_npy_parse(data, size, "fuzz", &a, err, sizeof err) == AK_OK) {
        double *v = malloc(sizeof *v * (a.count ? a.count : 1));
        if (v) {
            ak_npy_to_double(&a, v);
            free(v);
        }
        ak_npy_free(&a);
    } else if (a.data) {
        abort(); /* the contract: zeroed on error */
    }
    return 0;
}
