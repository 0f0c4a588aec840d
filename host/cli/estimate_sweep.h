/* `attnkit estimate --sweep`: one-at-a-time design-space sweeps around a configuration,
 * written as CSV (scripts/report/dse_report.py turns it into plots and a summary). */
#ifndef ATTNKIT_ESTIMATE_SWEEP_H
#define ATTNKIT_ESTIMATE_SWEEP_H

#include "attnkit/estimate.h"

/* Writes the CSV to `out` (NULL: standard output; a file is written whole or not at all).
 * Returns an exit code (AK_EXIT_*), having printed why on failure. */
int ak_estimate_sweep(const char *cmd, const ak_workload *w, const ak_estimate_config *base,
                      const char *out);

#endif
