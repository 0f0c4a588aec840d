/* The descriptor fuzzer (docs/dma-safety.md): seeded random small jobs whose images
 * (refmodel job_image) are then mutated -- bad magic and version, counts near 0, 2^16 and
 * 2^32, head dims and block sizes, misaligned addresses, addresses near 2^32, 2^64 and past the
 * memory, overlapping regions, inconsistent heads and strides, kv-block lists and offsets out
 * of range, corrupted quantisation entries, pruning fields, bit flips, descriptor addresses --
 * and started straight through the CSRs of a backend (not the driver's checked path), each
 * within a cycle budget derived from the work its descriptor describes. Every run must end in
 * done or a hardware error code within the budget, or, when the descriptor describes more work
 * than the budget (a long legal job), come back to idle within AK_FUZZ_ABORT_CYCLES of
 * CTRL.abort; with a backend that checks DMA confinement (dma_begin/dma_check), no burst may
 * leave the regions the descriptor names; the memory model must see no AXI protocol error.
 * Run i of seed S is the same job and mutations whatever runs before it: a failure prints
 * S and i. Nothing exits: failures are counted and described. */
#ifndef AK_DESC_FUZZ_H
#define AK_DESC_FUZZ_H

#include <stdint.h>
#include <stdio.h>

#include "ak_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AK_FUZZ_ABORT_CYCLES 2000u /* CTRL.abort to idle, at most */

typedef enum {
    AK_FUZZ_DONE_OK,   /* done, no error */
    AK_FUZZ_DONE_ERR,  /* done with an error code (tallied per code) */
    AK_FUZZ_LONG,      /* more work than the budget; aborted back to idle */
    AK_FUZZ_HANG,      /* failure: no done within a budget its work fits, or no idle after abort */
    AK_FUZZ_DMA,       /* failure: a burst outside the job's regions */
    AK_FUZZ_PROTOCOL,  /* failure: the memory model saw an AXI protocol error */
    AK_FUZZ_VALID_ERR, /* failure: an unmutated (valid) job ended with an error */
    AK_FUZZ_BACKEND,   /* failure: a CSR or memory access through the backend failed */
    AK_FUZZ_OUTCOMES
} ak_fuzz_outcome;

#define AK_FUZZ_MUTATIONS 16 /* kinds of mutation (ak_fuzz_mutation_name) */

typedef struct {
    uint64_t seed;
    uint64_t first, runs;  /* runs first .. first + runs - 1 */
    uint64_t long_cap;     /* the largest cycle budget; a job describing more is long (0: 20000) */
    uint32_t max_head_dim; /* the device's CAPS.max_head_dim (0: 128) */
    /* optional: the memory model's protocol error count and first message (NULL: not checked) */
    uint64_t (*protocol_errors)(void *ctx, char *msg, size_t len);
    void *protocol_ctx;
    FILE *log;             /* NULL: quiet; else one line per run (verbose) or per failure */
    uint64_t progress;     /* with log: a tally line every `progress` runs (0: none) */
    int verbose;
} ak_fuzz_config;

typedef struct {
    uint64_t runs;
    uint64_t outcome[AK_FUZZ_OUTCOMES];
    uint64_t code[256];              /* ERR.code of runs ended with an error (long: ABORTED) */
    uint64_t mutation[AK_FUZZ_MUTATIONS]; /* how often each kind was applied */
    uint64_t cycles;                 /* device cycles waited, all runs */
    uint64_t failures;
    uint64_t first_failure;          /* its run index */
    char first_msg[400];             /* what it was */
} ak_fuzz_tally;

/* Runs cfg->runs fuzz cases on the backend (idle, freshly opened) and adds them to *t (zero it
 * first). AK_OK when every run was classified (failures are in the tally, not the status);
 * AK_EINVAL for bad arguments; AK_ENOMEM. codes (NULL or cfg->runs entries) gets each run's
 * ERR.code (0xFF for a run without one: hang, backend failure), for comparing two backends. */
ak_status ak_fuzz_run(const ak_backend *be, const ak_fuzz_config *cfg, ak_fuzz_tally *t,
                      uint8_t *codes);

const char *ak_fuzz_outcome_name(ak_fuzz_outcome o);
const char *ak_fuzz_mutation_name(unsigned kind);

/* The tally as text: runs, outcomes, per-code counts (by name), mutations. */
void ak_fuzz_print(FILE *f, const ak_fuzz_tally *t);

#ifdef __cplusplus
}
#endif

#endif
