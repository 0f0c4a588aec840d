/* The cycle model's parts (private to the library): its state and one cycle's combinational
 * values, shared by the files that model one block of the RTL each, with the same split:
 *   cycle_model.c  the loop (one iteration a clock cycle), the quiet-cycle skip and the API;
 *   cycle_axi.c    the memory (sim/mem_model.c) and the AXI masters (ak_axi_rd, ak_axi_wr);
 *   cycle_prune.c  the pruning unit (ak_prune.sv: its region check and its phase after the
 *                  attention, its ak_topk);
 *   cycle_ctrl.c   the controller: the job (ak_ctrl.sv: state machine, read command, counters;
 *                  ak_ctrl_desc.sv: the job comes from the caller), the front end
 *                  (ak_ctrl_front.sv), the iterator and slot pipeline (ak_ctrl_slots.sv), the
 *                  normalisations and writes (ak_ctrl_out.sv, ak_finish.sv).
 * Each part has a *_comb function (its outputs this cycle, from the registers and the values
 * of the parts before it) and a *_clock function (its registers at the clock edge); run()
 * calls them in the order the RTL's signals depend on each other. */
#ifndef ATTNKIT_CYCLE_MODEL_INT_H
#define ATTNKIT_CYCLE_MODEL_INT_H

#include <stdint.h>

#include "attnkit/cycle_model.h"
#include "attnkit/hw_params.h"
#include "attnkit/mem_jitter.h"

/* ---- the memory (sim/mem_model.c without data) ---- */

typedef struct {
    uint64_t ready;
    uint32_t len, beat; /* beats - 1; next beat */
} burst;

typedef struct {
    ak_mem_timing t;
    uint64_t now;
    ak_jitter jit;               /* the jittered memory's draws (mem_jitter.h) */
    burst *rq, *awq;
    uint64_t *bq; /* response ready cycles */
    unsigned rq_head, rq_n, awq_head, awq_n, bq_head, bq_n, wb_n;
    uint32_t r_credit, w_credit; /* bandwidth: bytes a channel may move (a beat takes 64) */
} mem_state;

typedef struct {
    int arready, rvalid, rlast, awready, wready, bvalid;
} mem_out;

/* ---- the read master (ak_axi_rd) ---- */

enum { TAG_HDR, TAG_LIST, TAG_Q, TAG_K, TAG_V, TAG_P_Q, TAG_P_QNT, TAG_P_OFF, TAG_P_IDX, TAG_P_K };

typedef struct {
    int busy;
    uint64_t addr;
    uint32_t left, tag;
    uint32_t *f_tag;
    uint8_t *f_end;
    unsigned wr, rd, count;
} rd_state;

/* ---- the write master (ak_axi_wr) ---- */

enum { W_IDLE, W_ADDR, W_DATA, W_RESP };

typedef struct {
    int state;
    uint64_t addr;
    uint32_t left, blen, bsent, bursts, resps;
} wr_state;

/* ---- the controller (ak_ctrl) ---- */

enum { S_IDLE, S_DESC_RD, S_DESC_WAIT, S_CHECK, S_PRUNE_CHECK, S_RUN, S_PRUNE, S_DONE };
enum {
    FRONT_TOT_RD, FRONT_TOT_WAIT, FRONT_TOT_USE, /* kv_off[lists], once a job */
    FRONT_QUANT_RD, FRONT_QUANT_WAIT, FRONT_QUANT_USE, FRONT_CTX, FRONT_OFF_RD, FRONT_OFF_WAIT,
    FRONT_OFF_USE, FRONT_LIST_RD, FRONT_Q_RD, FRONT_LAND, FRONT_END
};

typedef struct {
    uint32_t first_row, rows, count, list_start, head;
    int64_t key_limit;
} context;

/* A record of the slot pipeline: one key tile of one context (ak_ctrl_slots' *_q flops). */
typedef struct {
    int valid, first, empty, half, last; /* first/last: of its context; empty: a context without
                                          * key tiles; half: its K/V/P buffer half */
    uint32_t key, ctx;                   /* the tile's first key; its context */
} record;

/* The job as the controller sees it after Check. */
typedef struct {
    uint32_t heads, nq, nk, d, blk, log2_d, log2_block, qblocks, slot_len, per_head;
    int causal;
    uint64_t qstride, kvstride;
    const ak_mask *mask;
    const ak_job_layout *lay;
} job_view;

/* ---- the pruning unit (ak_prune) ---- */

enum {
    P_IDLE, P_ROW_Q, P_ROW_QNT, P_ROW_OFF, P_OFF_WAIT, P_IDX_RD, P_IDX_WAIT, P_ENTRY,
    P_PROBE_DRAIN, P_SELECT, P_EMIT, P_EMIT_DRAIN, P_WR_SCORE, P_WR_KEPT, P_WR_FUSED, P_FINISH
};
enum { TK_IDLE, TK_BISECT, TK_COUNT_ABOVE, TK_SELECT };

typedef struct {
    int mode;                       /* ak_prune_mode: AK_PRUNE_NONE, _EVIT or _EVICT */
    uint32_t window, first_row;     /* probe rows of a head: first_row .. + window - 1 */
    uint32_t rows;                  /* probe rows: heads x window */
    uint32_t k, cand, kept, pruned; /* candidates kept; candidates; kept list; fused weights */
    uint32_t top_bit, sbeats;       /* the highest score bit; score beats */
    /* PruneCheck's serial division */
    int vstart, vdiv_run, vcmp;
    uint32_t div_step;
    /* the phase machine and the probe walk */
    int ph;
    uint32_t r, ih, iw, e, e_end;
    int off_landed, idx_landed;
    uint32_t kf_n;                  /* K commands in flight */
    uint64_t k_beats;               /* K beats landed (their parity, d = 128) */
    int a_valid;                    /* a lane holds a key to divide (stage A) */
    uint32_t div_line;              /* bit s: a division went in s + 1 cycles ago */
    uint32_t drain, ej;
    int wr_wait;
    /* ak_topk's control (its passes do not depend on the scores) */
    int tk_phase, tk_pass, tk_pass_wait, tk_done, feeding;
    uint32_t tk_bit, feed, tk_seen;
} prune_model;

typedef struct {
    ak_hw_config hw;
    job_view j;
    mem_state mem;
    rd_state rd;
    wr_state wr;
    /* controller */
    int state, fe;
    uint32_t head, first_row, list_base, front_ctx, list_start, count;
    int list_done, q_done;
    uint64_t quant_addr, q_head;
    int ctx_used[AK_QUERY_CONTEXTS], ctx_ready[AK_QUERY_CONTEXTS];
    context ctx[AK_QUERY_CONTEXTS];
    uint32_t iter_ctx, list_pos, block_tile;
    int ctx_has_record;
    record fetch, qk, sm, pv;
    int next_half, k_pending, v_pending, want_k, want_v, run;
    uint32_t slot_cycle;
    /* normaliser and writes */
    int out_full[2], fin_obank, fin_done_bank, wr_req[2], wr_next, wr_bank;
    uint32_t fin_cnt;
    uint64_t fin_done_at[4]; /* cycles of the running normalisations' done pulses, in order */
    unsigned fin_q_head, fin_q_n;
    uint64_t wr_addr[2], wr_bytes[2];
    uint32_t wr_head[2], wr_cur_head;
    /* debug mode (the layout's ofx region): each bank's o_fx tile written after its int8 one */
    int out_wr, ofx_pend, ofx_wr; /* our write in flight; o_fx write due; it is an o_fx one */
    uint64_t ofx_off, ofx_addr[2];
    /* counters */
    uint32_t pv_left;
    int pv_busy;
    ak_cycle_report rep;
    uint64_t *head_end;
    prune_model p;
} model;

/* One cycle's combinational values, filled part by part. */
typedef struct {
    mem_out mo;
    /* the iterator and the slot pipeline (ak_ctrl_slots) */
    uint32_t tile_key;
    int tile_in_limit, block_past_limit, ctx_no_tiles, iter_done;
    int slot_end, sm_last, advance, take, any_next;
    int qk_en, pv_start, fin_start;
    /* the front end (ak_ctrl_front) */
    uint64_t list_x; /* the tile's kv_off index */
    int last_row_tile, last_head, ctx_free, front_d, front_ready;
    /* the read command (ak_ctrl) and the read master */
    int cmd_valid, front_cmd, rd_go, front_rd_go;
    uint64_t cmd_addr;
    uint32_t cmd_beats, cmd_tag;
    int arvalid, push, pop, beat_valid;
    uint32_t blen;
    int hdr_landed, list_landed, q_landed, k_landed, v_landed;
    /* the write master and the normaliser (ak_ctrl_out) */
    int wr_cmd_valid, wr_cmd_ready, wr_done, awvalid, wvalid, fin_done;
    uint32_t wblen, resps_d;
    int all_done;
    /* the pruning unit */
    int vcheck_done, prune_done, prune_wr_valid, p_beat, p_beat_last, p_rd_idle;
    uint32_t p_beat_tag;
    uint64_t prune_wr_addr, prune_wr_bytes;
    int state, fe; /* the controller's and the front end's state before the clock edge */
} cycle;

static inline uint32_t beats_of(uint64_t bytes)
{
    return (uint32_t)((bytes + AK_BEAT_BYTES - 1) / AK_BEAT_BYTES);
}

/* cycle_model.c: ak_cycle_model_run, and with skip_quiet = 0 every cycle stepped (for tests:
 * skipping quiet cycles must not change any count) */
ak_status ak_cm_run(const ak_hw_config *hw, const ak_mem_timing *mem, uint32_t heads, uint32_t nq,
                    uint32_t nk, uint32_t d, const ak_mask *mask, const ak_job_layout *lay,
                    ak_cycle_report *out, uint64_t *head_end, const char **why, int skip_quiet);

/* cycle_axi.c */
void ak_cm_draw_jitter(mem_state *m);
void ak_cm_mem_comb(const mem_state *m, mem_out *o);
void ak_cm_mem_clock(mem_state *m, const mem_out *o, int arvalid, uint32_t arlen, int awvalid,
                     uint32_t awlen, int wvalid);
void ak_cm_rd_comb(const model *M, cycle *c);
void ak_cm_rd_clock(model *M, const cycle *c);
void ak_cm_wr_comb(const model *M, cycle *c);
void ak_cm_wr_clock(model *M, const cycle *c);

/* cycle_prune.c */
void ak_cm_prune_init(model *M);
void ak_cm_prune_comb(const model *M, cycle *c);
void ak_cm_prune_beat(const model *M, cycle *c);
void ak_cm_prune_clock(model *M, const cycle *c);

/* cycle_ctrl.c */
void ak_cm_job_init(model *M, uint32_t heads, uint32_t nq, uint32_t nk, uint32_t d,
                    const ak_mask *mask, const ak_job_layout *lay);
uint32_t ak_cm_list_entry(const model *M);
int ak_cm_q_bank_free(const model *M);
void ak_cm_slots_comb(const model *M, cycle *c);
void ak_cm_read_comb(const model *M, cycle *c);
void ak_cm_front_comb(const model *M, cycle *c);
void ak_cm_out_comb(const model *M, cycle *c);
void ak_cm_counters(model *M, const cycle *c);
void ak_cm_ctrl_clock(model *M, cycle *c);
void ak_cm_front_clock(model *M, const cycle *c);
void ak_cm_slots_clock(model *M, const cycle *c);
void ak_cm_out_clock(model *M, const cycle *c);
void ak_cm_pv_busy_clock(model *M, const cycle *c);

#endif
