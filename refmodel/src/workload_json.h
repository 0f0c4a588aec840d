/* The workload as a cJSON tree (private to the library), for documents that embed it (the
 * vector manifest): a tree, not text parsed back, because the seeds in it are raw number text
 * that a cJSON number (a double, printed to 15 digits) would round. */
#ifndef ATTNKIT_WORKLOAD_JSON_H
#define ATTNKIT_WORKLOAD_JSON_H

#include <cJSON.h>

#include "attnkit/workload.h"

/* NULL when out of memory; the caller owns the tree. */
cJSON *ak_workload_cjson(const ak_workload *w);

#endif
