/* Host driver of the attnkit accelerator. It reaches the device only through CSR reads and
 * writes and a memory window (device memory the host can write and read), both behind a small
 * backend interface, so the same driver runs the Verilator co-simulation now and SystemC or a
 * Linux UIO device later. Register offsets and fields come from the PeakRDL header
 * (attnkit_csr.h); job images from refmodel's job_image.h. Nothing here exits or aborts:
 * every failure is an ak_status (attnkit/status.h), with a message in the result or in err
 * where there is one. */
#ifndef AK_DRIVER_H
#define AK_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "attnkit/attention.h"
#include "attnkit/job_image.h"
#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- backends ------------------------------------------------------------------------- */

/* One device. Addresses of mem_* are device (bus) addresses inside
 * [mem_base, mem_base + mem_size). Every function returns AK_OK or the failure's ak_status
 * (the driver reports any as AK_EBACKEND but AK_EASSERT, below); wait_irq returns AK_ETIMEOUT when the interrupt did
 * not come within max_cycles device clock cycles and puts the cycles waited in *cycles. close
 * frees ctx (may be NULL). */
typedef struct {
    const char *name;
    void *ctx;
    uint64_t mem_base, mem_size;
    uint64_t mem_latency; /* a slow memory round trip in cycles: sizes the cycle budget */
    ak_status (*csr_read)(void *ctx, uint32_t addr, uint32_t *data);
    ak_status (*csr_write)(void *ctx, uint32_t addr, uint32_t data);
    ak_status (*mem_write)(void *ctx, uint64_t addr, const void *src, uint64_t n);
    ak_status (*mem_read)(void *ctx, uint64_t addr, void *dst, uint64_t n);
    ak_status (*wait_irq)(void *ctx, uint64_t max_cycles, uint64_t *cycles);
    void (*close)(void *ctx);
    /* optional (NULL: none): ak_drv_run and ak_drv_run_prune are about to start the job laid
       out at *lay (its image is written; the STATUS read, DESC_ADDR and CTRL.start follow). A
       backend that counts cycles counts the job's from here (the Verilator backend: its job
       cycle 0, and it records when the accelerator writes each beat of o and after) */
    void (*job_begin)(void *ctx, const ak_job_layout *lay);
    /* optional (NULL: none), DMA confinement (docs/dma-safety.md): dma_begin, ak_drv_start is
       about to start the job whose descriptor (in memory) is at desc_addr: from here the
       backend checks the accelerator's bursts against the regions it names
       (attnkit/desc_regions.h); dma_check, after the job: AK_OK, or AK_EDMA with one line in
       msg naming the first burst outside them */
    void (*dma_begin)(void *ctx, uint64_t desc_addr);
    ak_status (*dma_check)(void *ctx, char *msg, size_t len);
    /* optional: a simulating backend whose call returned AK_EASSERT (an RTL assertion failed,
       docs/assertions.md) writes one line on it ("RTL assertion NAME failed at job cycle N:
       ..."); the driver passes AK_EASSERT through, with that line, instead of AK_EBACKEND */
    void (*assert_msg)(void *ctx, char *buf, size_t len);
} ak_backend;

/* Each backend's options and open function are in its own header: backend_verilator.h,
 * backend_tlm.h, backend_sc_rtl.h. */

/* ---- driver --------------------------------------------------------------------------- */

typedef struct {
    uint64_t offset;       /* where jobs go inside the memory window (0: 4096) */
    uint32_t budget_scale; /* slack factor of the derived cycle budget (0: 64) */
    uint64_t max_cycles;   /* non-zero: this cycle budget instead of the derived one */
} ak_drv_config;

typedef struct {
    uint32_t numerics, minor, major;     /* VERSION */
    uint32_t pe_rows, pe_cols, max_head_dim; /* CAPS */
    uint32_t pes; /* multipliers: pe_rows * pe_cols (Q.K^T) + 256 (P.V) */
    uint32_t prune; /* CAPS.prune: the pruning unit is present (descriptor PRUNE honoured) */
} ak_drv_info;

/* What the pruning unit wrote (ak_drv_read_prune), as read back from the layout's score, kept
 * and fused regions: score [nk], kept [n_kept], fused [n_fused] (EViT; 0 for eviction). */
typedef struct {
    uint32_t nk, n_kept, n_fused;
    uint32_t *score, *kept;
    uint16_t *fused;
} ak_drv_prune_out;

typedef struct {
    ak_status status;
    uint32_t status_reg;  /* STATUS after the job */
    uint32_t err_code;    /* ERR.code (enum ak_hw_err) */
    uint64_t cycles, stalls, macs; /* the CYCLES, STALLS, MACS counters */
    uint64_t waited;      /* device cycles the driver waited for the interrupt */
    uint64_t budget;      /* the cycle budget it allowed */
    ak_job_layout layout; /* where the job was placed (once it started) */
    char msg[320];        /* what went wrong ("" on success) */
} ak_drv_result;

typedef struct ak_drv ak_drv;

/* Takes the backend (closed by ak_drv_close, also when open fails). Checks ID ('AKIT') and
 * VERSION.numerics, reads CAPS; err (if not NULL) gets a one-line reason on failure. */
ak_status ak_drv_open(const ak_backend *be, const ak_drv_config *cfg, ak_drv **out,
                      char *err, size_t errlen);
void ak_drv_close(ak_drv *d);
const ak_drv_info *ak_drv_get_info(const ak_drv *d);
const ak_backend *ak_drv_backend(const ak_drv *d);

/* The cycle budget for a job: budget_scale x (per query tile: its key-tile slots of
 * max(d, rows*d/16, rows+2) cycles, the pipeline fill, setup and finish with memory round
 * trips) plus a fixed allowance. Generous, never infinite. */
uint64_t ak_drv_budget(const ak_drv *d, const ak_attn_job *job);

/* The same with the pruning phase of a job that prunes or evicts (prune NULL or mode none:
 * ak_drv_budget): heads x window rows (window 1 for EViT) of a probe pass each, plus the top-k
 * passes over the scores, both scaled by budget_scale like the rest. */
uint64_t ak_drv_budget_prune(const ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune);

/* Every job the driver starts (ak_drv_start) on a backend with dma_begin/dma_check is checked
 * for DMA confinement: ak_drv_wait (so ak_drv_run) fails it with AK_EDMA and "DMA outside the
 * job: read|write 0x... (+N bytes) at job cycle C" when the accelerator accessed memory its
 * descriptor does not name, whatever else the job did. */

/* One job, end to end: layout (ak_job_layout_plan) at the window offset, image written
 * (ak_job_image_write) and the output region poisoned, DESC_ADDR, CTRL start|irq_en, wait
 * within the budget, STATUS/ERR/counters read, done cleared, output read back into out
 * ([heads][nq][d]). res (required) gets counters and, on failure, a message: a hang with the
 * cycles waited, or the hardware error code by name and meaning. */
ak_status ak_drv_run(ak_drv *d, const ak_attn_job *job, int8_t *out, ak_drv_result *res);

/* ak_drv_run with token pruning or KV-cache eviction (prune NULL or mode none: ak_drv_run):
 * the layout gets the pruning regions (ak_job_layout_add_prune), poisoned like o, and the
 * descriptor the pruning fields. A prune spec ak_prune_job_check rejects (with the largest
 * probe-row count AK_MAX_PROBE_ROWS) is AK_EINVAL before anything reaches the device. After a
 * job that completed, if pout is not NULL, the pruning regions are read back into it
 * (ak_drv_read_prune; free with ak_drv_prune_out_free), whether or not CAPS.prune says the
 * device wrote them. */
ak_status ak_drv_run_prune(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune,
                           int8_t *out, ak_drv_prune_out *pout, ak_drv_result *res);

/* Debug mode (descriptor SHAPE.ofx): ak_drv_run_prune that also has the accelerator write
 * each output's pre-requantisation value o_fx (docs/numerics.md section 8) to an ofx region
 * after the job's others (ak_job_layout_add_ofx), poisoned like o, and reads it back into
 * out_fx ([heads][nq][d]; required). The cycle budget grows by the o_fx writes. */
ak_status ak_drv_run_ofx(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune,
                         int8_t *out, int32_t *out_fx, ak_drv_prune_out *pout,
                         ak_drv_result *res);

/* The steps of ak_drv_run, for callers that alter the image in between (tests of the error
 * paths): write the job's image (layout in *lay), start at a descriptor address, wait. */
ak_status ak_drv_load(ak_drv *d, const ak_attn_job *job, ak_job_layout *lay);
ak_status ak_drv_load_prune(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune,
                            ak_job_layout *lay);
ak_status ak_drv_start(ak_drv *d, uint64_t desc_addr);
ak_status ak_drv_wait(ak_drv *d, uint64_t budget, ak_drv_result *res);
/* Aborts the running job and waits for the device to be idle (docs/architecture.md, "Abort
 * and reset"): CTRL.abort with CTRL.irq_en set, then up to max_cycles device cycles for the
 * interrupt (0: the driver's drain budget, budget_scale x (mem_latency + 1024)); res gets
 * STATUS, ERR and the counters as the job left them, then STATUS.done is cleared. AK_OK when the
 * device is idle: res->err_code is ABORTED, or the job's own code when it ended before the
 * abort took; a device that was idle already is left alone (nothing written). AK_EHANG when it
 * is still busy after max_cycles, AK_EBACKEND when the backend fails; res->msg says which. */
ak_status ak_drv_abort(ak_drv *d, uint64_t max_cycles, ak_drv_result *res);
ak_status ak_drv_read_output(ak_drv *d, const ak_attn_job *job, const ak_job_layout *lay,
                             int8_t *out);
/* Reads the score, kept and fused regions of lay (lay->prune's mode) into *out (allocated;
 * everything empty for mode none). AK_ENOMEM, AK_EBACKEND. */
ak_status ak_drv_read_prune(ak_drv *d, const ak_job_layout *lay, uint32_t nk,
                            ak_drv_prune_out *out);
void ak_drv_prune_out_free(ak_drv_prune_out *p);

/* "INDEX_RANGE" and its description from the register map, or NULL for an unknown code. */
const char *ak_hw_err_name(uint32_t code);
const char *ak_hw_err_text(uint32_t code);

#ifdef __cplusplus
}
#endif

#endif
