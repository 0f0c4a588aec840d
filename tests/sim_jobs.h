/* The jobs that the simulator tests (tests/test_sim.c on the Verilated RTL, test_tlm.c on the
 * TLM model, test_sc_rtl.c on the RTL inside SystemC) hold against the reference model: a job
 * built from its shape, pattern and input seed; the seeded random jobs; the golden vector
 * sets; the Verilated accelerator to run them on; a run on a driver compared byte for byte with
 * ak_attention; a pruning job's regions against the reference's selection (test_sim,
 * test_abort). One copy, so that the three simulators see the same jobs for the same seed.
 * Failures are CUnit assertions. */
#ifndef AK_SIM_JOBS_H
#define AK_SIM_JOBS_H

#include <glob.h>
#include <stddef.h>
#include <stdint.h>

#include "ak_driver.h"
#include "attnkit/attnkit.h"

/* A job with its inputs, quantisation and mask. */
typedef struct {
    ak_inputs in;
    ak_head_quant *quant;
    ak_mask mask;
    ak_attn_job job;
    uint64_t outs; /* output bytes: heads * nq * d */
} job_data;

/* Builds the job: inputs of distribution dist from seed, the mask of pattern p (why: the
 * reason when it cannot be built). job_free releases w also after a failure. */
ak_status job_make(job_data *w, uint32_t heads, uint32_t nq, uint32_t nk, uint32_t d,
                   uint32_t block, const ak_pattern *p, ak_logit_dist dist, uint64_t seed,
                   const char **why);
void job_free(job_data *w);

/* The small good job the CSR and error tests start from: 2 heads x 40 tokens, d 32, dense. */
void good_job(job_data *w);

/* The Verilated accelerator behind the driver: memory latency, jitter seed (0: none), cycle
 * budget (0: the driver's), FST waveform file (NULL: none); NULL, the reason printed, when it
 * cannot be opened. */
ak_drv *open_verilator(uint32_t latency, uint64_t jitter, uint64_t max_cycles, const char *wave);

/* Runs w on d into out (w->outs bytes; NULL: a buffer of its own) and compares it with ref
 * (NULL: ak_attention's output); returns the mismatching bytes, UINT64_MAX when the run or the
 * reference failed, and prints the first mismatch (head, row, column). */
uint64_t job_run_compare(ak_drv *d, const job_data *w, const int8_t *ref, int8_t *out,
                         ak_drv_result *r);

/* The good job runs right on d after `after` (an error, a hang: the device recovered). */
void check_good_job_runs(ak_drv *d, const char *after);

/* w on d's step-by-step path with a budget of 10 cycles: reported as a hang (the driver aborts
 * the job), then the good job runs right. */
void check_hang_reported(ak_drv *d, const job_data *w);

/* A 32-bit little-endian word written to or read from d's memory (patching a loaded job). */
void drv_put32(ak_drv *d, uint64_t addr, uint32_t v);
uint32_t drv_get32(ak_drv *d, uint64_t addr);

/* The directories of the golden vector sets (vectors/golden/<set>/manifest.json) in
 * g->gl_pathv; the caller frees g with globfree. */
void golden_sets(glob_t *g);

/* ---- seeded random jobs ---------------------------------------------------------------- */

/* What the generator draws from. */
typedef struct {
    uint32_t max_tokens;  /* nq and nk in 1..max_tokens (nk == nq one time in 3) */
    uint32_t block_sizes; /* block 16 << 0..block_sizes - 1 */
    int edges;            /* jobs 0..4 take the extreme shapes: 1 x 1, max x max (3 heads),
                             max x 1, 1 x max, (max - 1) x 17 */
    int causal;           /* the patterns that can be either (window, sinks, strided, random,
                             top-k) drawn causal or not; otherwise their default */
} random_job_space;

/* One random job's configuration; the pattern kind goes round every kind in turn. */
typedef struct {
    uint64_t index;
    uint32_t heads, nq, nk, d, block;
    ak_pattern pattern;
    double density; /* the density the pattern was fitted to (strided: any stride) */
    ak_logit_dist dist;
    uint64_t seed; /* of the inputs and of a random pattern's blocks */
} random_job;

typedef struct {
    random_job_space space;
    ak_rng rng;
    uint64_t next;
} random_jobs;

/* Seeds g from the environment's <env>_SEED (else seed) and returns the number of jobs to run,
 * <env>_CONFIGS (else count); prints both, so that a run can be repeated. */
uint64_t random_jobs_start(random_jobs *g, const random_job_space *s, const char *env,
                           uint64_t seed, uint64_t count);

/* The next job's configuration. */
void random_jobs_next(random_jobs *g, random_job *c);

/* "config I: heads .. nq .. nk .. d .. block .. pattern P[ (causal)] density .. inputs ..
 * seed .." followed by extra, into buf. */
void random_job_describe(const random_job *c, const char *extra, char *buf, size_t cap);

/* Builds c's job into w; 0 on success, else the failure is reported under cfg (its
 * description), w is freed and -1 returned. */
int random_job_build(const random_job *c, const char *cfg, job_data *w);

/* ---- token pruning and KV-cache eviction jobs ------------------------------------------ */

/* What the pruning unit must write for a job under a prune spec. */
typedef struct {
    uint32_t n_kept, n_fused;
    uint32_t *score, *kept;
    uint16_t *fused;
} prune_expect;

/* x from the reference model's probabilities (ak_attention_probs) and selection
 * (ak_prune_tokens / ak_kv_evict) for w under pj; 1 on success, 0 on failure. Free x with
 * prune_expect_free (also after a failure). */
int prune_reference(const job_data *w, const ak_prune_job *pj, prune_expect *x);
void prune_expect_free(prune_expect *x);

/* 0 when the device's regions o equal the reference's x, else 1 with the first difference
 * printed under cfg. */
int prune_compare(const char *cfg, const prune_expect *x, const ak_drv_prune_out *o, uint32_t nk);

/* A random pruning (i even) or eviction (i odd) spec for the shape heads x nq x nk: keep rates
 * down to one token and up to all, eviction windows, sinks, recent keys and budgets from the
 * always-kept minimum to more than nk. */
ak_prune_job random_prune(ak_rng *r, uint64_t i, uint32_t heads, uint32_t nq, uint32_t nk);

#endif
