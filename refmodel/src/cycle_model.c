/* The cycle model of cycle_model.h. One loop iteration is one clock cycle: the outputs of the
 * memory and of the two AXI masters, then the controller's decisions, then every register's
 * next value, in the same terms as the RTL (rtl/ak_ctrl.sv, ak_axi_rd.sv, ak_axi_wr.sv,
 * ak_finish.sv) and the memory model (sim/mem_model.c), but only the parts that decide *when*:
 * no data, no descriptor decoding (the job's fields come from the caller), no error paths.
 * Written by hand because it is the performance model of this particular design; its
 * equality with the RTL's cycle count is tested on every golden set and on random jobs
 * (tests/test_cycle_model.c), so a schedule change in the RTL that is not made here fails. */
#include "attnkit/cycle_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/mem_jitter.h"
#include "attnkit/numerics.h"
#include "attnkit_desc.h"

#define KT AK_KEY_TILE
#define NCTX 4u          /* ak_ctrl's query-tile contexts */
#define DIV_LAT (AK_OUT_FX_BITS + 2u) /* ak_div_pipe's latency */
#define BEAT 64u

void ak_hw_config_default(ak_hw_config *hw)
{
    *hw = (ak_hw_config){.rows = 16, .max_head_dim = 128, .max_kv_blocks = 512,
                         .rd_outstanding = 8, .max_burst = 64};
}

void ak_mem_timing_default(ak_mem_timing *mem)
{
    *mem = (ak_mem_timing){.latency = 20, .bytes_per_cycle = 64, .max_reads = 16,
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
    else if (mem->bytes_per_cycle < 1 || mem->bytes_per_cycle > BEAT)
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
    const double pes = (double)hw->rows * KT + (double)KT * 16;
    return r->cycles ? (double)r->macs / (pes * (double)r->cycles) : 0.0;
}

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

static void draw_jitter(mem_state *m)
{
    if (m->t.jitter_seed)
        ak_jitter_cycle(&m->jit);
}

static uint64_t extra_delay(mem_state *m)
{
    return m->t.jitter_seed ? ak_jitter_extra(&m->jit, m->t.latency) : 0;
}

static void mem_compute(const mem_state *m, mem_out *o)
{
    o->arready = m->rq_n < m->t.max_reads;
    o->rvalid = o->rlast = 0;
    if (m->rq_n && m->now >= m->rq[m->rq_head].ready && m->r_credit >= BEAT && !m->jit.drop_r) {
        o->rvalid = 1;
        o->rlast = m->rq[m->rq_head].beat == m->rq[m->rq_head].len;
    }
    o->awready = m->awq_n + m->bq_n < m->t.max_writes && !m->jit.drop_aw;
    o->wready = m->wb_n < m->t.wbuf_beats && m->w_credit >= BEAT && !m->jit.drop_w;
    o->bvalid = m->bq_n && m->now >= m->bq[m->bq_head];
}

static void mem_tick(mem_state *m, const mem_out *o, int arvalid, uint32_t arlen, int awvalid,
                     uint32_t awlen, int wvalid)
{
    const unsigned nr = m->t.max_reads, nw = m->t.max_writes;
    if (o->rvalid) {
        m->r_credit -= BEAT;
        if (m->rq[m->rq_head].beat++ == m->rq[m->rq_head].len) {
            m->rq_head = (m->rq_head + 1) % nr;
            m->rq_n--;
        }
    }
    if (arvalid && o->arready)
        m->rq[(m->rq_head + m->rq_n++) % nr] =
            (burst){.ready = m->now + m->t.latency + extra_delay(m), .len = arlen, .beat = 0};
    if (o->bvalid) {
        m->bq_head = (m->bq_head + 1) % nw;
        m->bq_n--;
    }
    if (awvalid && o->awready)
        m->awq[(m->awq_head + m->awq_n++) % nw] = (burst){.len = awlen, .beat = 0};
    if (wvalid && o->wready) {
        m->w_credit -= BEAT;
        m->wb_n++;
    }
    while (m->wb_n && m->awq_n) { /* buffered beats meet their bursts, in order */
        burst *b = &m->awq[m->awq_head];
        m->wb_n--;
        if (b->beat++ == b->len) {
            m->bq[(m->bq_head + m->bq_n++) % nw] = m->now + m->t.latency + extra_delay(m);
            m->awq_head = (m->awq_head + 1) % nw;
            m->awq_n--;
        }
    }
    /* the bandwidth credit refills by bytes_per_cycle, up to two beats */
    m->r_credit = m->r_credit + m->t.bytes_per_cycle > 2 * BEAT ? 2 * BEAT
                                                               : m->r_credit + m->t.bytes_per_cycle;
    m->w_credit = m->w_credit + m->t.bytes_per_cycle > 2 * BEAT ? 2 * BEAT
                                                               : m->w_credit + m->t.bytes_per_cycle;
    m->now++;
    draw_jitter(m);
}

/* ---- the read master (ak_axi_rd) ---- */

enum { TAG_HDR, TAG_LIST, TAG_Q, TAG_K, TAG_V };

typedef struct {
    int busy;
    uint64_t addr;
    uint32_t left, tag;
    uint32_t *f_tag;
    uint8_t *f_end;
    unsigned wr, rd, count;
} rd_state;

static uint32_t burst_len(uint64_t addr, uint32_t left, uint32_t max_burst)
{
    const uint32_t to_4k = (uint32_t)((4096u - (addr & 4095u)) >> 6);
    uint32_t b = left < max_burst ? left : max_burst;
    return b < to_4k ? b : to_4k;
}

/* ---- the write master (ak_axi_wr) ---- */

enum { W_IDLE, W_ADDR, W_DATA, W_RESP };

typedef struct {
    int state;
    uint64_t addr;
    uint32_t left, blen, bsent, bursts, resps;
} wr_state;

/* ---- the controller (ak_ctrl) ---- */

enum { S_IDLE, S_DESC_RD, S_DESC_WAIT, S_CHECK, S_RUN, S_DONE };
enum {
    FE_QUANT_RD, FE_QUANT_WAIT, FE_QUANT_USE, FE_CTX, FE_OFF_RD, FE_OFF_WAIT, FE_OFF_USE,
    FE_LIST_RD, FE_Q_RD, FE_LAND, FE_END
};

typedef struct {
    uint32_t r0, rows, count, off0, head;
    int64_t klim;
} context;

typedef struct {
    int v, f, e, h, last;
    uint32_t t, c;
} record;

/* The job as the controller sees it after Check. */
typedef struct {
    uint32_t heads, nq, nk, d, blk, lgd, lgb, qblocks, slot_len, per_head;
    int causal;
    uint64_t qstride, kvstride;
    const ak_mask *mask;
    const ak_job_layout *lay;
} job_view;

static uint32_t log2u(uint32_t x)
{
    uint32_t l = 0;
    while ((1u << l) < x)
        l++;
    return l;
}

static uint32_t beats_of(uint64_t bytes)
{
    return (uint32_t)((bytes + BEAT - 1) / BEAT);
}

static uint32_t tile_beats(const job_view *j, uint32_t t)
{
    const uint32_t keys = j->nk - t < KT ? j->nk - t : KT;
    return beats_of((uint64_t)keys << j->lgd);
}

typedef struct {
    ak_hw_config hw;
    job_view j;
    mem_state mem;
    rd_state rd;
    wr_state wr;
    /* controller */
    int state, fe;
    uint32_t head, r0, list_base, fe_ctx, off0, count;
    int list_done, q_done;
    uint64_t quant_addr, q_head;
    int ctx_used[NCTX], ctx_ready[NCTX];
    context ctx[NCTX];
    uint32_t it_ctx, it_p, it_k;
    int it_made;
    record kf, qk, sm, pv;
    int tile_par, kf_in, vf_in, want_k, want_v, run;
    uint32_t slot_k;
    /* normaliser and writes */
    int out_full[2], fin_obank, fin_done_bank, wr_req[2], wr_next, wr_bank;
    uint32_t fin_cnt;
    uint64_t fin_done_at[4]; /* cycles of the running normalisations' done pulses, in order */
    unsigned fin_q_head, fin_q_n;
    uint64_t wr_addr[2], wr_bytes[2];
    uint32_t wr_head[2], wr_cur_head;
    /* counters */
    uint32_t pv_left;
    int pv_busy;
    ak_cycle_report rep;
    uint64_t *head_end;
} model;

/* The current kv-block list entry of the iterator. */
static uint32_t it_entry(const model *M)
{
    return M->j.mask->kv_idx[M->ctx[M->it_ctx].off0 + M->it_p];
}

/* Cycles from now in which nothing but counters can change (0 if something may change this
 * cycle): a slot runs past its first cycles and not into its last, no read or write command
 * can be issued, the iterator and the front end wait, and no memory response, normalisation end
 * or write completion falls due. Skipping them in one step (skip()) is what makes a whole
 * model's estimate take milliseconds; the result is the same as stepping them. */
static uint64_t quiet_cycles(const model *M)
{
    const job_view *J = &M->j;
    if (M->mem.t.jitter_seed || M->state != S_RUN || !M->run || M->slot_k < 2 ||
        M->slot_k + 1 >= J->slot_len ||
        M->want_k || M->want_v || M->rd.busy || M->wr.state == W_ADDR || M->wr.state == W_DATA ||
        (M->wr.state == W_IDLE && M->wr_req[M->wr_next]))
        return 0;
    switch (M->fe) {
    case FE_QUANT_WAIT: case FE_OFF_WAIT: case FE_END: break;
    case FE_CTX:
        if (!M->ctx_used[M->fe_ctx] &&
            (M->it_ctx == M->fe_ctx || M->it_ctx == (M->fe_ctx + NCTX - 1) % NCTX))
            return 0;
        break;
    case FE_LAND:
        if ((M->list_done || M->count == 0) && (M->q_done || M->count == 0))
            return 0;
        break;
    default: return 0;
    }
    /* the iterator must be waiting: no block to skip, no context to leave */
    const context *ic = &M->ctx[M->it_ctx];
    if (M->ctx_ready[M->it_ctx]) {
        if (M->it_p < ic->count) {
            const uint32_t t = (it_entry(M) << J->lgb) + (M->it_k << 4);
            if ((int64_t)t >= ic->klim)
                return 0; /* it_skip */
        } else if (M->it_made) {
            return 0; /* it_next */
        }
    }
    uint64_t k = J->slot_len - 1 - M->slot_k;
    const mem_state *m = &M->mem;
    if (m->rq_n) {
        const burst *b = &m->rq[m->rq_head];
        if (b->ready > m->now) {
            k = b->ready - m->now < k ? b->ready - m->now : k;
        } else {
            /* a burst streaming at a beat a cycle: quiet until its last beat */
            if (m->t.bytes_per_cycle < BEAT || b->beat == b->len)
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
    if (M->qk.v && !M->qk.e && M->slot_k < J->d)
        qk_cycles = J->d - M->slot_k < k ? J->d - M->slot_k : k;
    uint64_t pv_cycles = 0;
    if (M->pv_busy) { /* busy for pv_left more cycles */
        pv_cycles = M->pv_left < k ? M->pv_left : k;
        M->pv_busy = M->pv_left > k;
        M->pv_left -= (uint32_t)pv_cycles;
    }
    M->rep.cycles += k;
    M->rep.macs += qk_cycles * rows * KT + pv_cycles * KT * 16;
    M->slot_k += (uint32_t)k;
    mem_state *m = &M->mem;
    if (m->rq_n && m->rq[m->rq_head].ready <= m->now) { /* beats of a streaming burst */
        m->rq[m->rq_head].beat += (uint32_t)k;
        M->rep.read_bytes += k * BEAT;
    }
    m->now += k;
    const uint64_t refill = k * m->t.bytes_per_cycle;
    m->r_credit = m->r_credit + refill > 2 * BEAT ? 2 * BEAT : (uint32_t)(m->r_credit + refill);
    m->w_credit = m->w_credit + refill > 2 * BEAT ? 2 * BEAT : (uint32_t)(m->w_credit + refill);
}

static ak_status run(model *M)
{
    const job_view *J = &M->j;
    const ak_job_layout *L = J->lay;
    const uint32_t rows = M->hw.rows;

    M->state = S_DESC_RD;
    for (;;) {
        const uint64_t quiet = quiet_cycles(M);
        if (quiet > 1) {
            skip(M, quiet);
            continue;
        }
        /* ---- outputs of the registers and the memory this cycle ---- */
        mem_out mo;
        mem_compute(&M->mem, &mo);

        /* the iterator */
        const int it_rdy = M->ctx_ready[M->it_ctx];
        const context *ic = &M->ctx[M->it_ctx];
        const int it_more = it_rdy && M->it_p < ic->count;
        uint32_t entry = 0, it_t = 0;
        int it_tile = 0, it_skip = 0;
        if (it_more) {
            entry = it_entry(M);
            it_t = (entry << J->lgb) + (M->it_k << 4);
            it_tile = (int64_t)it_t < ic->klim;
            it_skip = !it_tile;
        }
        const int it_empty = it_rdy && !it_more && !M->it_made;
        const int it_next = it_rdy && !it_more && M->it_made;

        const int slot_end = M->run && M->slot_k == J->slot_len - 1;
        const int sm_done_ctx = M->it_ctx != M->sm.c || it_next;
        const int sm_last = M->sm.v && sm_done_ctx && !(M->qk.v && M->qk.c == M->sm.c) &&
                            !(M->kf.v && M->kf.c == M->sm.c);
        const int advance = M->state == S_RUN && (!M->run || slot_end) && !M->want_k &&
                            !M->want_v && !M->kf_in && !M->vf_in && !it_skip &&
                            !(sm_last && M->out_full[M->fin_obank]);
        const int take = advance && (it_tile || it_empty);
        const int any_next = M->kf.v || M->qk.v || M->sm.v;

        /* the read command: K, then V, then the front end's */
        int cmd_valid = 0, fe_cmd = 0;
        uint64_t cmd_addr = 0;
        uint32_t cmd_beats = 1, cmd_tag = TAG_HDR;
        const uint32_t prev2 = (M->fe_ctx + NCTX - 2) % NCTX;
        const int q_bank_free = !(M->kf.v && M->kf.c == prev2) && !(M->qk.v && M->qk.c == prev2);
        const uint64_t list_x = M->list_base + (M->r0 >> J->lgb);
        const uint64_t off_addr = L->kv_off + 4 * list_x;
        const uint64_t idx_word = (L->kv_idx + 4ull * M->off0) >> 2;
        if (M->state == S_DESC_RD) {
            cmd_valid = 1;
            cmd_addr = L->desc;
            cmd_beats = 2;
        } else if (M->state == S_RUN) {
            if (M->want_k) {
                const context *c = &M->ctx[M->kf.c];
                cmd_valid = 1;
                cmd_addr = L->k + (uint64_t)c->head * J->kvstride + ((uint64_t)M->kf.t << J->lgd);
                cmd_beats = tile_beats(J, M->kf.t);
                cmd_tag = TAG_K;
            } else if (M->want_v) {
                const context *c = &M->ctx[M->sm.c];
                cmd_valid = 1;
                cmd_addr = L->v + (uint64_t)c->head * J->kvstride + ((uint64_t)M->sm.t << J->lgd);
                cmd_beats = tile_beats(J, M->sm.t);
                cmd_tag = TAG_V;
            } else {
                fe_cmd = 1;
                switch (M->fe) {
                case FE_QUANT_RD:
                    cmd_valid = 1;
                    cmd_addr = M->quant_addr & ~63ull;
                    break;
                case FE_OFF_RD:
                    cmd_valid = 1;
                    cmd_addr = off_addr & ~63ull;
                    cmd_beats = (off_addr & 63) > 56 ? 2 : 1;
                    break;
                case FE_LIST_RD:
                    cmd_valid = 1;
                    cmd_addr = (idx_word >> 4) << 6;
                    cmd_beats = (uint32_t)(((idx_word & 15) + M->count + 15) >> 4);
                    cmd_tag = TAG_LIST;
                    break;
                case FE_Q_RD:
                    cmd_valid = q_bank_free;
                    cmd_addr = M->q_head + ((uint64_t)M->r0 << J->lgd);
                    cmd_beats = beats_of((uint64_t)M->ctx[M->fe_ctx].rows << J->lgd);
                    cmd_tag = TAG_Q;
                    break;
                default:
                    break;
                }
            }
        }
        const int rd_go = cmd_valid && !M->rd.busy;
        const int fe_rd_go = rd_go && fe_cmd;

        /* the read master's AR and the beats it delivers */
        rd_state *R = &M->rd;
        const int arvalid = R->busy && R->count < M->hw.rd_outstanding;
        const uint32_t blen = R->busy ? burst_len(R->addr, R->left, M->hw.max_burst) : 1;
        const int push = arvalid && mo.arready;
        const int pop = mo.rvalid && mo.rlast;
        const int beat_valid = mo.rvalid;
        const uint32_t beat_tag = R->f_tag[R->rd];
        const int beat_last = mo.rlast && R->f_end[R->rd];
        const int landed = beat_valid && beat_last;
        const int hdr_landed = landed && beat_tag == TAG_HDR;
        const int list_landed = landed && beat_tag == TAG_LIST;
        const int q_landed = landed && beat_tag == TAG_Q;
        const int k_landed = landed && beat_tag == TAG_K;
        const int v_landed = landed && beat_tag == TAG_V;

        /* the write master */
        wr_state *W = &M->wr;
        const int wr_cmd_valid = M->wr_req[M->wr_next];
        const int wr_cmd_ready = W->state == W_IDLE;
        const int b_go = mo.bvalid;
        const uint32_t resps_d = W->resps + (uint32_t)b_go;
        const int wr_done = W->state == W_RESP && resps_d == W->bursts;
        const uint32_t wblen = burst_len(W->addr, W->left, M->hw.max_burst);
        const int awvalid = W->state == W_ADDR, wvalid = W->state == W_DATA;

        /* the normaliser */
        const int fin_start = M->state == S_RUN && M->run && M->pv.v && M->pv.last &&
                              M->slot_k == 1;
        const int fin_done = M->fin_q_n && M->fin_done_at[M->fin_q_head] == M->mem.now;

        /* the front end's next state */
        const int last_row_tile = M->r0 + rows >= J->nq;
        const int last_head = M->head + 1 == J->heads;
        const int ctx_free = !M->ctx_used[M->fe_ctx] &&
                             (M->it_ctx == M->fe_ctx || M->it_ctx == (M->fe_ctx + NCTX - 1) % NCTX);
        int fe_d = M->fe;
        if (M->state == S_RUN) {
            switch (M->fe) {
            case FE_QUANT_RD: if (fe_rd_go) fe_d = FE_QUANT_WAIT; break;
            case FE_QUANT_WAIT: if (hdr_landed) fe_d = FE_QUANT_USE; break;
            case FE_QUANT_USE: fe_d = FE_CTX; break;
            case FE_CTX: if (ctx_free) fe_d = FE_OFF_RD; break;
            case FE_OFF_RD: if (fe_rd_go) fe_d = FE_OFF_WAIT; break;
            case FE_OFF_WAIT: if (hdr_landed) fe_d = FE_OFF_USE; break;
            case FE_OFF_USE:
                fe_d = J->mask->kv_off[list_x + 1] == J->mask->kv_off[list_x] ? FE_LAND
                                                                              : FE_LIST_RD;
                break;
            case FE_LIST_RD: if (fe_rd_go) fe_d = FE_Q_RD; break;
            case FE_Q_RD: if (fe_rd_go) fe_d = FE_LAND; break;
            case FE_LAND:
                if ((M->list_done || list_landed || M->count == 0) &&
                    (M->q_done || q_landed || M->count == 0))
                    fe_d = !last_row_tile ? FE_CTX : !last_head ? FE_QUANT_RD : FE_END;
                break;
            default: break;
            }
        } else {
            fe_d = FE_QUANT_RD;
        }
        const int fe_ready = M->state == S_RUN && M->fe == FE_LAND && fe_d != FE_LAND;
        const int all_done = M->fe == FE_END && !M->ctx_used[0] && !M->ctx_used[1] &&
                             !M->ctx_used[2] && !M->ctx_used[3] && !M->out_full[0] &&
                             !M->out_full[1] && M->fin_cnt == 0 && !M->wr_req[0] &&
                             !M->wr_req[1] && wr_cmd_ready;

        /* ---- counters (they count while busy: every state but Idle) ---- */
        const int qk_en = M->run && M->qk.v && !M->qk.e && M->slot_k < J->d;
        const int pv_start = M->run && M->pv.v && !M->pv.e && M->slot_k == 0;
        M->rep.cycles++;
        M->rep.stall_cycles += M->state == S_DESC_WAIT || (M->state == S_RUN && !M->run && !advance);
        M->rep.macs += (qk_en ? (uint64_t)rows * KT : 0) +
                       ((pv_start || M->pv_busy) ? (uint64_t)KT * 16 : 0);
        M->rep.read_bytes += beat_valid ? BEAT : 0;
        M->rep.write_bytes += wvalid && mo.wready ? BEAT : 0;
        if (M->state == S_DONE)
            return AK_OK;

        /* ---- the clock edge ---- */
        /* the memory sees this cycle's master outputs */
        mem_tick(&M->mem, &mo, arvalid, blen - 1, awvalid, wblen - 1, wvalid);

        /* read master */
        if (push) {
            R->f_tag[R->wr] = R->tag;
            R->f_end[R->wr] = R->left == blen;
            R->wr = (R->wr + 1) % M->hw.rd_outstanding;
        }
        if (pop)
            R->rd = (R->rd + 1) % M->hw.rd_outstanding;
        R->count = R->count + (unsigned)push - (unsigned)pop;
        if (!R->busy && cmd_valid) {
            R->busy = 1;
            R->addr = cmd_addr;
            R->left = cmd_beats;
            R->tag = cmd_tag;
        } else if (push) {
            R->addr += (uint64_t)blen << 6;
            R->busy = R->left != blen;
            R->left -= blen;
        }

        /* write master */
        const uint32_t resps_now = resps_d;
        switch (W->state) {
        case W_IDLE:
            if (wr_cmd_valid) {
                W->state = W_ADDR;
                W->addr = M->wr_addr[M->wr_next];
                W->left = beats_of(M->wr_bytes[M->wr_next]);
                W->bursts = 0;
                W->resps = 0;
            } else {
                W->resps = resps_now;
            }
            break;
        case W_ADDR:
            W->resps = resps_now;
            if (mo.awready) {
                W->state = W_DATA;
                W->blen = wblen;
                W->bsent = 0;
                W->bursts++;
                W->addr += (uint64_t)wblen << 6;
            }
            break;
        case W_DATA:
            W->resps = resps_now;
            if (mo.wready) {
                const int final_beat = W->left == 1;
                W->left--;
                if (++W->bsent == W->blen)
                    W->state = final_beat ? W_RESP : W_ADDR;
            }
            break;
        default: /* W_RESP */
            W->resps = resps_now;
            if (resps_now == W->bursts)
                W->state = W_IDLE;
            break;
        }

        /* the controller's state */
        const int state = M->state, fe = M->fe;
        switch (state) {
        case S_DESC_RD: if (rd_go) M->state = S_DESC_WAIT; break;
        case S_DESC_WAIT: if (hdr_landed) M->state = S_CHECK; break;
        case S_CHECK: M->state = S_RUN; break;
        case S_RUN: if (all_done) M->state = S_DONE; break;
        default: break;
        }
        M->fe = fe_d;
        if (fe == FE_OFF_USE) {
            M->list_done = M->q_done = 0;
        } else {
            M->list_done |= list_landed;
            M->q_done |= q_landed;
        }

        /* the front end's walk */
        if (state == S_CHECK) {
            M->head = 0;
            M->quant_addr = L->desc + AK_DESC_QUANT_OFFSET;
            M->q_head = L->q;
            M->list_base = 0;
            M->r0 = 0;
        }
        if (state == S_RUN && fe == FE_OFF_USE) {
            context *c = &M->ctx[M->fe_ctx];
            const uint32_t o0 = J->mask->kv_off[list_x], o1 = J->mask->kv_off[list_x + 1];
            M->off0 = o0;
            M->count = o1 - o0;
            c->count = o1 - o0;
            c->off0 = o0;
            c->r0 = M->r0;
            c->rows = M->r0 + rows <= J->nq ? rows : J->nq - M->r0;
            const uint32_t last_row_end = M->r0 + rows <= J->nq ? M->r0 + rows : J->nq;
            c->klim = J->causal ? (int64_t)last_row_end + J->nk - J->nq : (int64_t)J->nk;
            c->head = M->head;
        }
        if (fe_ready) {
            if (last_row_tile) {
                M->head++;
                M->r0 = 0;
                M->quant_addr += AK_DESC_QUANT_SIZE;
                M->q_head += J->qstride;
                if (J->per_head)
                    M->list_base += J->qblocks;
            } else {
                M->r0 += rows;
            }
        }

        /* contexts */
        if (state == S_RUN) {
            if (fe == FE_CTX && ctx_free)
                M->ctx_used[M->fe_ctx] = 1;
            if (fe_ready) {
                M->ctx_ready[M->fe_ctx] = 1;
                M->fe_ctx = (M->fe_ctx + 1) % NCTX;
            }
            if (it_next)
                M->ctx_ready[M->it_ctx] = 0;
            if (fin_start)
                M->ctx_used[M->pv.c] = 0;
        }

        /* the iterator and the slot pipeline */
        if (state == S_RUN) {
            if (it_next) {
                M->it_ctx = (M->it_ctx + 1) % NCTX;
                M->it_p = M->it_k = 0;
                M->it_made = 0;
            } else if (take && it_empty) {
                M->it_made = 1;
            } else if (it_skip || take) {
                if (take)
                    M->it_made = 1;
                if (it_skip || (M->it_k + 1) << 4 >= J->blk) {
                    M->it_p++;
                    M->it_k = 0;
                } else {
                    M->it_k++;
                }
            }
            if (rd_go && M->want_k)
                M->want_k = 0;
            else if (rd_go && M->want_v)
                M->want_v = 0;
            if (k_landed)
                M->kf_in = 0;
            if (v_landed)
                M->vf_in = 0;
            if (M->run) {
                M->slot_k++;
                if (slot_end)
                    M->run = 0;
            }
            if (advance) {
                const record old_qk = M->qk;
                M->pv = M->sm;
                M->pv.last = sm_last;
                M->sm = M->qk;
                M->qk = M->kf;
                M->kf.v = take;
                if (take) {
                    M->kf.t = it_t;
                    M->kf.c = M->it_ctx;
                    M->kf.f = !M->it_made;
                    M->kf.e = it_empty;
                    M->kf.h = M->tile_par;
                    M->tile_par = !M->tile_par;
                    M->want_k = !it_empty;
                    M->kf_in = !it_empty;
                    M->rep.records++;
                }
                if (old_qk.v && !old_qk.e) {
                    M->want_v = 1;
                    M->vf_in = 1;
                }
                M->run = any_next;
                M->rep.slots += any_next;
                M->slot_k = 0;
            }
        }

        /* normalisations and writes */
        M->fin_cnt = M->fin_cnt + (uint32_t)fin_start - (uint32_t)fin_done;
        if (fin_done) {
            M->fin_q_head = (M->fin_q_head + 1) % 4;
            M->fin_q_n--;
        }
        if (fin_start) {
            const context *c = &M->ctx[M->pv.c];
            const uint32_t n = rows << (J->lgd - 4);
            M->fin_done_at[(M->fin_q_head + M->fin_q_n++) % 4] = M->mem.now - 1 + n - 1 + DIV_LAT;
            M->out_full[M->fin_obank] = 1;
            M->wr_addr[M->fin_obank] = L->o + (uint64_t)c->head * J->qstride +
                                       ((uint64_t)c->r0 << J->lgd);
            M->wr_bytes[M->fin_obank] = (uint64_t)c->rows << J->lgd;
            M->wr_head[M->fin_obank] = c->head;
            M->fin_obank = !M->fin_obank;
        }
        if (fin_done) {
            M->wr_req[M->fin_done_bank] = 1;
            M->fin_done_bank = !M->fin_done_bank;
        }
        if (wr_cmd_valid && wr_cmd_ready) {
            M->wr_req[M->wr_next] = 0;
            M->wr_bank = M->wr_next;
            M->wr_cur_head = M->wr_head[M->wr_next];
            M->wr_next = !M->wr_next;
        }
        if (wr_done) {
            M->out_full[M->wr_bank] = 0;
            if (M->head_end)
                M->head_end[M->wr_cur_head] = M->rep.cycles;
        }

        /* P.V busy (the MAC counter) */
        if (pv_start) {
            M->pv_busy = (rows << (J->lgd - 4)) > 1;
            M->pv_left = (rows << (J->lgd - 4)) - 1;
        } else if (M->pv_busy) {
            M->pv_busy = M->pv_left != 1;
            M->pv_left--;
        }
        if (M->rep.cycles > (1ull << 40))
            return AK_EINVAL; /* cannot happen for a legal job: a model bug, not a hang */
    }
}

ak_status ak_cycle_model_run(const ak_hw_config *hw, const ak_mem_timing *mem, uint32_t heads,
                             uint32_t nq, uint32_t nk, uint32_t d, const ak_mask *mask,
                             const ak_job_layout *lay, ak_cycle_report *out, uint64_t *head_end,
                             const char **why)
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
    job_view *J = &M->j;
    J->heads = heads;
    J->nq = nq;
    J->nk = nk;
    J->d = d;
    J->blk = mask->block;
    J->lgd = log2u(d);
    J->lgb = log2u(mask->block);
    J->qblocks = mask->q_blocks;
    J->causal = mask->token_causal;
    J->per_head = mask->heads != 1;
    J->qstride = lay->q_head_stride;
    J->kvstride = lay->kv_head_stride;
    J->mask = mask;
    J->lay = lay;
    {
        const uint32_t a = hw->rows * d / 16, b = hw->rows + 2;
        uint32_t t = d > a ? d : a;
        J->slot_len = t > b ? t : b;
    }
    M->mem.t = *mem;
    M->mem.r_credit = M->mem.w_credit = 2 * BEAT; /* an idle memory's full credit */
    ak_jitter_seed(&M->mem.jit, mem->jitter_seed);
    draw_jitter(&M->mem);
    M->mem.rq = calloc(mem->max_reads, sizeof *M->mem.rq);
    M->mem.awq = calloc(mem->max_writes, sizeof *M->mem.awq);
    M->mem.bq = calloc(mem->max_writes, sizeof *M->mem.bq);
    M->rd.f_tag = calloc(hw->rd_outstanding, sizeof *M->rd.f_tag);
    M->rd.f_end = calloc(hw->rd_outstanding, sizeof *M->rd.f_end);
    ak_status st = AK_ENOMEM;
    if (M->mem.rq && M->mem.awq && M->mem.bq && M->rd.f_tag && M->rd.f_end) {
        st = run(M);
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
                             .slots = sum.slots / draws};
    return AK_OK;
}
