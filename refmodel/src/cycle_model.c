/* The cycle model of cycle_model.h. One loop iteration is one clock cycle: the outputs of the
 * memory and of the two AXI masters, then the controller's decisions, then every register's
 * next value, in the same terms as the RTL and the memory model (sim/mem_model.c), part by part
 * as cycle_model_int.h lists them (cycle_axi.c, cycle_ctrl.c), but only the parts that decide
 * *when*: no data, no descriptor decoding (the job's fields come from the caller), no errors.
 * Written by hand because it is the performance model of this particular design; its
 * equality with the RTL's cycle count is tested on every golden set and on random jobs
 * (tests/test_cycle_model.c), so a schedule change in the RTL that is not made here fails. */
#include "attnkit/job_image.h"
#include "cycle_model_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The derived constants of hw_params.h follow from the others. */
_Static_assert(AK_DIV_LATENCY == AK_OUT_FX_BITS + 2,
               "ak_div_pipe: a stage per quotient bit (AK_OUT_FX_BITS + 1) and the input stage");
_Static_assert(1 << AK_BEAT_BYTES_LOG2 == AK_BEAT_BYTES, "AK_BEAT_BYTES_LOG2 is log2(AK_BEAT_BYTES)");
_Static_assert(AK_BEAT_BITS == 8 * AK_BEAT_BYTES, "AK_BEAT_BITS is the beat's bits");
_Static_assert((AK_QUERY_CONTEXTS & (AK_QUERY_CONTEXTS - 1)) == 0 && AK_QUERY_CONTEXTS >= 2,
               "ak_ctrl's contexts: a power of two, at least 2");

void ak_hw_config_default(ak_hw_config *hw)
{
    *hw = (ak_hw_config){.rows = AK_DEFAULT_ROWS, .max_head_dim = AK_MAX_HEAD_DIM,
                         .max_kv_blocks = AK_DEFAULT_MAX_KV_BLOCKS,
                         .rd_outstanding = AK_DEFAULT_RD_OUTSTANDING,
                         .max_burst = AK_DEFAULT_MAX_BURST};
}

void ak_mem_timing_default(ak_mem_timing *mem)
{
    *mem = (ak_mem_timing){.latency = 20, .bytes_per_cycle = AK_BEAT_BYTES, .max_reads = 16,
                           .max_writes = 64, .wbuf_beats = 256};
}

ak_status ak_hw_config_check(const ak_hw_config *hw, const char **why)
{
    const char *w = NULL;
    if (hw->rows != 16 && hw->rows != 32 && hw->rows != 64)
        w = "rows (PE array rows = query tile rows): 16, 32 or 64";
    else if (hw->max_head_dim != 32 && hw->max_head_dim != 64 && hw->max_head_dim != 128)
        w = "max_head_dim: 32, 64 or 128";
    else if (hw->max_kv_blocks < 1 || hw->max_kv_blocks > 4096)
        w = "max_kv_blocks: 1..4096";
    else if (hw->rd_outstanding < 1 || hw->rd_outstanding > 64 ||
             (hw->rd_outstanding & (hw->rd_outstanding - 1)))
        w = "rd_outstanding: a power of two, 1..64";
    else if (hw->max_burst < 1 || hw->max_burst > 256)
        w = "max_burst: 1..256 beats";
    if (w && why)
        *why = w;
    return w ? AK_EINVAL : AK_OK;
}

ak_status ak_mem_timing_check(const ak_mem_timing *mem, const char **why)
{
    const char *w = NULL;
    if (mem->latency < 1 || mem->latency > 100000)
        w = "latency: 1..100000 cycles";
    else if (mem->bytes_per_cycle < 1 || mem->bytes_per_cycle > AK_BEAT_BYTES)
        w = "bytes_per_cycle (memory bandwidth): 1..64 bytes a cycle (zero bandwidth never "
            "finishes)";
    else if (mem->max_reads < 1 || mem->max_writes < 1 || mem->wbuf_beats < 1)
        w = "max_reads, max_writes, wbuf_beats: at least 1";
    if (w && why)
        *why = w;
    return w ? AK_EINVAL : AK_OK;
}

double ak_cycle_utilisation(const ak_hw_config *hw, const ak_cycle_report *r)
{
    const double pes = (double)hw->rows * AK_KEY_TILE + (double)AK_KEY_TILE * 16;
    return r->cycles ? (double)r->macs / (pes * (double)r->cycles) : 0.0;
}

/* Cycles from now in which nothing but counters and streaming bursts can change (0 if
 * something else may change this cycle): a slot runs past its first cycle (and its second, when
 * that starts a normalisation) and not into its last, no read or write command can be issued,
 * the iterator and the front end wait, no memory response, normalisation end or write
 * completion falls due, and a read or write burst, if one streams, is not at its last beat.
 * Skipping them in one step (skip()) is what makes a whole model's estimate take milliseconds;
 * the result is the same as stepping them (tests/test_cycle_skip.c). */
static uint64_t quiet_cycles(const model *M)
{
    const job_view *J = &M->j;
    const mem_state *m = &M->mem;
    /* slot cycle 0 starts P.V, cycle 1 a normalisation (after a context's last record) */
    if (m->t.jitter_seed || M->state != S_RUN || !M->run || M->slot_cycle == 0 ||
        (M->slot_cycle == 1 && M->pv.valid && M->pv.last) || M->slot_cycle + 1 >= J->slot_len ||
        M->want_k || M->want_v || M->rd.busy || M->wr.state == W_ADDR ||
        (M->wr.state == W_IDLE && (M->wr_req[M->wr_next] || M->ofx_pend)))
        return 0;
    switch (M->fe) {
    case FRONT_QUANT_WAIT: case FRONT_OFF_WAIT: case FRONT_END: break;
    case FRONT_Q_RD: /* waiting for its Q bank, which only an advance frees */
        if (ak_cm_q_bank_free(M))
            return 0;
        break;
    case FRONT_CTX:
        if (!M->ctx_used[M->front_ctx] &&
            (M->iter_ctx == M->front_ctx ||
             M->iter_ctx == (M->front_ctx + AK_QUERY_CONTEXTS - 1) % AK_QUERY_CONTEXTS))
            return 0;
        break;
    case FRONT_LAND:
        if ((M->list_done || M->count == 0) && (M->q_done || M->count == 0))
            return 0;
        break;
    default: return 0;
    }
    /* the iterator must be waiting: no block to skip, no context to leave */
    const context *ic = &M->ctx[M->iter_ctx];
    if (M->ctx_ready[M->iter_ctx]) {
        if (M->list_pos < ic->count) {
            const uint32_t t = (ak_cm_list_entry(M) << J->log2_block) + (M->block_tile << 4);
            if ((int64_t)t >= ic->key_limit)
                return 0; /* block_past_limit */
        } else if (M->ctx_has_record) {
            return 0; /* iter_done */
        }
    }
    uint64_t k = J->slot_len - 1 - M->slot_cycle;
    if (M->wr.state == W_DATA) {
        /* a write burst streaming at a beat a cycle, each beat taken by its burst at once:
           quiet until its last beat */
        const wr_state *W = &M->wr;
        if (m->t.bytes_per_cycle < AK_BEAT_BYTES || m->w_credit < AK_BEAT_BYTES || m->awq_n == 0 ||
            m->wb_n || W->bsent + 1 >= W->blen)
            return 0;
        const burst *b = &m->awq[m->awq_head];
        k = W->blen - W->bsent - 1 < k ? W->blen - W->bsent - 1 : k;
        k = b->len - b->beat < k ? b->len - b->beat : k;
    }
    if (m->rq_n) {
        const burst *b = &m->rq[m->rq_head];
        if (b->ready > m->now) {
            k = b->ready - m->now < k ? b->ready - m->now : k;
        } else {
            /* a burst streaming at a beat a cycle: quiet until its last beat */
            if (m->t.bytes_per_cycle < AK_BEAT_BYTES || b->beat == b->len)
                return 0;
            k = b->len - b->beat < k ? b->len - b->beat : k;
        }
    }
    if (m->bq_n) {
        const uint64_t b = m->bq[m->bq_head];
        if (b <= m->now)
            return 0;
        k = b - m->now < k ? b - m->now : k;
    }
    if (M->fin_q_n) {
        const uint64_t f = M->fin_done_at[M->fin_q_head];
        if (f <= m->now)
            return 0;
        k = f - m->now < k ? f - m->now : k;
    }
    return k;
}

/* Steps k quiet cycles at once: the counters as stepping would leave them. */
static void skip(model *M, uint64_t k)
{
    const job_view *J = &M->j;
    const uint32_t rows = M->hw.rows;
    uint64_t qk_cycles = 0;
    if (M->qk.valid && !M->qk.empty && M->slot_cycle < J->d)
        qk_cycles = J->d - M->slot_cycle < k ? J->d - M->slot_cycle : k;
    uint64_t pv_cycles = 0;
    if (M->pv_busy) { /* busy for pv_left more cycles */
        pv_cycles = M->pv_left < k ? M->pv_left : k;
        M->pv_busy = M->pv_left > k;
        M->pv_left -= (uint32_t)pv_cycles;
    }
    M->rep.cycles += k;
    M->rep.macs += qk_cycles * rows * AK_KEY_TILE + pv_cycles * AK_KEY_TILE * 16;
    M->slot_cycle += (uint32_t)k;
    mem_state *m = &M->mem;
    if (m->rq_n && m->rq[m->rq_head].ready <= m->now) { /* beats of a streaming burst */
        m->rq[m->rq_head].beat += (uint32_t)k;
        M->rep.read_bytes += k * AK_BEAT_BYTES;
    }
    if (M->wr.state == W_DATA) { /* beats of a streaming write burst */
        M->wr.left -= (uint32_t)k;
        M->wr.bsent += (uint32_t)k;
        m->awq[m->awq_head].beat += (uint32_t)k;
        M->rep.write_bytes += k * AK_BEAT_BYTES;
    }
    m->now += k;
    const uint64_t refill = k * m->t.bytes_per_cycle;
    m->r_credit = m->r_credit + refill > 2 * AK_BEAT_BYTES ? 2 * AK_BEAT_BYTES
                                                           : (uint32_t)(m->r_credit + refill);
    m->w_credit = m->w_credit + refill > 2 * AK_BEAT_BYTES ? 2 * AK_BEAT_BYTES
                                                           : (uint32_t)(m->w_credit + refill);
}

static ak_status run(model *M, int skip_quiet)
{
    M->state = S_DESC_RD;
    for (;;) {
        if (M->rep.cycles > (1ull << 40))
            return AK_EINVAL; /* cannot happen for a legal job: a model bug, not a hang */
        const uint64_t quiet = skip_quiet ? quiet_cycles(M) : 0;
        if (quiet > 1) {
            skip(M, quiet);
            continue;
        }
        /* ---- this cycle's outputs, part by part ---- */
        /* a copy of a zero record: GCC clears `cycle c = {0}` with rep stos, whose start-up
           cost was half of this loop's time */
        static const cycle zero;
        cycle c = zero;
        ak_cm_mem_comb(&M->mem, &c.mo);
        ak_cm_slots_comb(M, &c);
        ak_cm_read_comb(M, &c);
        ak_cm_prune_comb(M, &c);
        ak_cm_rd_comb(M, &c);
        ak_cm_prune_beat(M, &c);
        ak_cm_wr_comb(M, &c);
        ak_cm_out_comb(M, &c);
        ak_cm_front_comb(M, &c);
        /* everything done: every context freed, every normalisation written */
        c.all_done = M->fe == FRONT_END && !M->ctx_used[0] && !M->ctx_used[1] &&
                     !M->ctx_used[2] && !M->ctx_used[3] && !M->out_full[0] && !M->out_full[1] &&
                     M->fin_cnt == 0 && !M->wr_req[0] && !M->wr_req[1] && c.wr_cmd_ready;
        ak_cm_counters(M, &c);
        if (M->state == S_DONE)
            return AK_OK;

        /* ---- the clock edge ---- */
        /* the memory sees this cycle's master outputs */
        ak_cm_mem_clock(&M->mem, &c.mo, c.arvalid, c.blen - 1, c.awvalid, c.wblen - 1, c.wvalid);
        ak_cm_rd_clock(M, &c);
        ak_cm_wr_clock(M, &c);
        ak_cm_ctrl_clock(M, &c);
        ak_cm_prune_clock(M, &c);
        ak_cm_front_clock(M, &c);
        ak_cm_slots_clock(M, &c);
        ak_cm_out_clock(M, &c);
        ak_cm_pv_busy_clock(M, &c);
    }
}

ak_status ak_cycle_model_run(const ak_hw_config *hw, const ak_mem_timing *mem, uint32_t heads,
                             uint32_t nq, uint32_t nk, uint32_t d, const ak_mask *mask,
                             const ak_job_layout *lay, ak_cycle_report *out, uint64_t *head_end,
                             const char **why)
{
    return ak_cm_run(hw, mem, heads, nq, nk, d, mask, lay, out, head_end, why, 1);
}

ak_status ak_cm_run(const ak_hw_config *hw, const ak_mem_timing *mem, uint32_t heads, uint32_t nq,
                    uint32_t nk, uint32_t d, const ak_mask *mask, const ak_job_layout *lay,
                    ak_cycle_report *out, uint64_t *head_end, const char **why, int skip_quiet)
{
    const char *w = NULL;
    if (ak_hw_config_check(hw, why) != AK_OK || ak_mem_timing_check(mem, why) != AK_OK)
        return AK_EINVAL;
    if (!mask || !lay || !out)
        w = "mask, layout and report must be given";
    else if (heads < 1 || nq < 1 || nk < 1 || nq > AK_MAX_TOKENS || nk > AK_MAX_TOKENS)
        w = "heads >= 1, tokens 1..65536";
    else if (d != 32 && d != 64 && d != 128)
        w = "head dim: 32, 64 or 128";
    else if (d > hw->max_head_dim)
        w = "head dim: at most the hardware's max_head_dim";
    else if (mask->block != 16 && mask->block != 32 && mask->block != 64 && mask->block != 128)
        w = "block size: 16, 32, 64 or 128";
    else if (mask->block < hw->rows)
        w = "block size: a multiple of the hardware's rows, the query tile (a query tile must lie "
            "inside one query block)";
    else if (mask->nq != nq || mask->nk != nk || (mask->heads != 1 && mask->heads != heads))
        w = "mask: shape must match the job (tokens, heads 1 or the job's)";
    if (!w) {
        const uint64_t lists = (uint64_t)(mask->heads != 1 ? heads : 1) * mask->q_blocks;
        for (uint64_t x = 0; x < lists && !w; x++)
            if (mask->kv_off[x + 1] - mask->kv_off[x] > hw->max_kv_blocks)
                w = "mask: a kv-block list longer than the hardware's max_kv_blocks";
    }
    if (!w && ak_prune_job_check(&lay->prune, heads, nq, nk, AK_MAX_PROBE_ROWS,
                                         AK_MAX_PRUNE_TOKENS, &w) != AK_OK)
        w = w ? w : "the pruning spec";
    if (w) {
        if (why)
            *why = w;
        return AK_EINVAL;
    }

    model *M = calloc(1, sizeof *M);
    if (!M)
        return AK_ENOMEM;
    M->hw = *hw;
    M->head_end = head_end;
    ak_cm_job_init(M, heads, nq, nk, d, mask, lay);
    ak_cm_prune_init(M);
    M->mem.t = *mem;
    M->mem.r_credit = M->mem.w_credit = 2 * AK_BEAT_BYTES; /* an idle memory's full credit */
    ak_jitter_seed(&M->mem.jit, mem->jitter_seed);
    ak_cm_draw_jitter(&M->mem);
    M->mem.rq = calloc(mem->max_reads, sizeof *M->mem.rq);
    M->mem.awq = calloc(mem->max_writes, sizeof *M->mem.awq);
    M->mem.bq = calloc(mem->max_writes, sizeof *M->mem.bq);
    M->rd.f_tag = calloc(hw->rd_outstanding, sizeof *M->rd.f_tag);
    M->rd.f_end = calloc(hw->rd_outstanding, sizeof *M->rd.f_end);
    ak_status st = AK_ENOMEM;
    if (M->mem.rq && M->mem.awq && M->mem.bq && M->rd.f_tag && M->rd.f_end) {
        st = run(M, skip_quiet);
        if (st == AK_OK)
            *out = M->rep;
        else if (why)
            *why = "the model did not finish (a bug in the cycle model)";
    }
    free(M->mem.rq);
    free(M->mem.awq);
    free(M->mem.bq);
    free(M->rd.f_tag);
    free(M->rd.f_end);
    free(M);
    return st;
}

ak_status ak_cycle_model_expected(const ak_hw_config *hw, const ak_mem_timing *mem,
                                  unsigned draws, uint32_t heads, uint32_t nq, uint32_t nk,
                                  uint32_t d, const ak_mask *mask, const ak_job_layout *lay,
                                  ak_cycle_report *out, double *cycles_sd, const char **why)
{
    if (!mem || !mem->jitter_seed || draws == 0 || !out) {
        if (why)
            *why = "expected cycles: a jitter seed and at least one draw";
        return AK_EINVAL;
    }
    ak_cycle_report sum = {0};
    double sq = 0;
    ak_mem_timing m = *mem;
    for (unsigned i = 0; i < draws; i++) {
        ak_cycle_report r;
        m.jitter_seed = mem->jitter_seed + i ? mem->jitter_seed + i : 1;
        const ak_status st = ak_cycle_model_run(hw, &m, heads, nq, nk, d, mask, lay, &r, NULL, why);
        if (st != AK_OK)
            return st;
        sum.cycles += r.cycles;
        sq += (double)r.cycles * (double)r.cycles;
        sum.stall_cycles += r.stall_cycles;
        sum.macs += r.macs;
        sum.read_bytes += r.read_bytes;
        sum.write_bytes += r.write_bytes;
        sum.records += r.records;
        sum.slots += r.slots;
        sum.prune_cycles += r.prune_cycles;
    }
    if (cycles_sd) {
        const double mean = (double)sum.cycles / draws, var = sq / draws - mean * mean;
        *cycles_sd = var > 0 ? sqrt(var * draws / (draws > 1 ? draws - 1 : 1)) : 0;
    }
    *out = (ak_cycle_report){.cycles = (sum.cycles + draws / 2) / draws,
                             .stall_cycles = (sum.stall_cycles + draws / 2) / draws,
                             .macs = sum.macs / draws,
                             .read_bytes = sum.read_bytes / draws,
                             .write_bytes = sum.write_bytes / draws,
                             .records = sum.records / draws,
                             .slots = sum.slots / draws,
                             .prune_cycles = sum.prune_cycles / draws};
    return AK_OK;
}
