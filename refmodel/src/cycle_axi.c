/* The cycle model's memory and AXI masters (cycle_model_int.h): sim/mem_model.c without data,
 * rtl/ak_axi_rd.sv and rtl/ak_axi_wr.sv, only the parts that decide when. */
#include "cycle_model_int.h"

/* ---- the memory (sim/mem_model.c without data) ---- */

void ak_cm_draw_jitter(mem_state *m)
{
    if (m->t.jitter_seed)
        ak_jitter_cycle(&m->jit);
}

static uint64_t extra_delay(mem_state *m)
{
    return m->t.jitter_seed ? ak_jitter_extra(&m->jit, m->t.latency) : 0;
}

void ak_cm_mem_comb(const mem_state *m, mem_out *o)
{
    o->arready = m->rq_n < m->t.max_reads;
    o->rvalid = o->rlast = 0;
    if (m->rq_n && m->now >= m->rq[m->rq_head].ready && m->r_credit >= AK_BEAT_BYTES &&
        !m->jit.drop_r) {
        o->rvalid = 1;
        o->rlast = m->rq[m->rq_head].beat == m->rq[m->rq_head].len;
    }
    o->awready = m->awq_n + m->bq_n < m->t.max_writes && !m->jit.drop_aw;
    o->wready = m->wb_n < m->t.wbuf_beats && m->w_credit >= AK_BEAT_BYTES && !m->jit.drop_w;
    o->bvalid = m->bq_n && m->now >= m->bq[m->bq_head];
}

void ak_cm_mem_clock(mem_state *m, const mem_out *o, int arvalid, uint32_t arlen, int awvalid,
                     uint32_t awlen, int wvalid)
{
    const unsigned nr = m->t.max_reads, nw = m->t.max_writes;
    if (o->rvalid) {
        m->r_credit -= AK_BEAT_BYTES;
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
        m->w_credit -= AK_BEAT_BYTES;
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
    m->r_credit = m->r_credit + m->t.bytes_per_cycle > 2 * AK_BEAT_BYTES ? 2 * AK_BEAT_BYTES
                                                               : m->r_credit + m->t.bytes_per_cycle;
    m->w_credit = m->w_credit + m->t.bytes_per_cycle > 2 * AK_BEAT_BYTES ? 2 * AK_BEAT_BYTES
                                                               : m->w_credit + m->t.bytes_per_cycle;
    m->now++;
    ak_cm_draw_jitter(m);
}

/* ---- the read master (ak_axi_rd) ---- */

static uint32_t burst_len(uint64_t addr, uint32_t left, uint32_t max_burst)
{
    const uint32_t to_4k = (uint32_t)((4096u - (addr & 4095u)) >> 6);
    uint32_t b = left < max_burst ? left : max_burst;
    return b < to_4k ? b : to_4k;
}

/* The read master's AR and the beats it delivers. */
void ak_cm_rd_comb(const model *M, cycle *c)
{
    const rd_state *R = &M->rd;
    c->rd_go = c->cmd_valid && !R->busy;
    c->front_rd_go = c->rd_go && c->front_cmd;
    c->arvalid = R->busy && R->count < M->hw.rd_outstanding;
    c->blen = R->busy ? burst_len(R->addr, R->left, M->hw.max_burst) : 1;
    c->push = c->arvalid && c->mo.arready;
    c->pop = c->mo.rvalid && c->mo.rlast;
    c->beat_valid = c->mo.rvalid;
    const uint32_t beat_tag = R->f_tag[R->rd];
    const int beat_last = c->mo.rlast && R->f_end[R->rd];
    const int landed = c->beat_valid && beat_last;
    c->hdr_landed = landed && beat_tag == TAG_HDR;
    c->list_landed = landed && beat_tag == TAG_LIST;
    c->q_landed = landed && beat_tag == TAG_Q;
    c->k_landed = landed && beat_tag == TAG_K;
    c->v_landed = landed && beat_tag == TAG_V;
}

void ak_cm_rd_clock(model *M, const cycle *c)
{
    rd_state *R = &M->rd;
    if (c->push) {
        R->f_tag[R->wr] = R->tag;
        R->f_end[R->wr] = R->left == c->blen;
        R->wr = (R->wr + 1) % M->hw.rd_outstanding;
    }
    if (c->pop)
        R->rd = (R->rd + 1) % M->hw.rd_outstanding;
    R->count = R->count + (unsigned)c->push - (unsigned)c->pop;
    if (!R->busy && c->cmd_valid) {
        R->busy = 1;
        R->addr = c->cmd_addr;
        R->left = c->cmd_beats;
        R->tag = c->cmd_tag;
    } else if (c->push) {
        R->addr += (uint64_t)c->blen << 6;
        R->busy = R->left != c->blen;
        R->left -= c->blen;
    }
}

/* ---- the write master (ak_axi_wr) ---- */

void ak_cm_wr_comb(const model *M, cycle *c)
{
    const wr_state *W = &M->wr;
    c->wr_cmd_valid = M->ofx_pend || M->wr_req[M->wr_next];
    c->wr_cmd_ready = W->state == W_IDLE;
    c->resps_d = W->resps + (uint32_t)c->mo.bvalid;
    c->wr_done = W->state == W_RESP && c->resps_d == W->bursts;
    c->wblen = burst_len(W->addr, W->left, M->hw.max_burst);
    c->awvalid = W->state == W_ADDR;
    c->wvalid = W->state == W_DATA;
}

void ak_cm_wr_clock(model *M, const cycle *c)
{
    wr_state *W = &M->wr;
    const uint32_t resps_now = c->resps_d;
    switch (W->state) {
    case W_IDLE:
        if (c->prune_wr_valid || c->wr_cmd_valid) { /* the pruning unit's, or an output tile */
            W->state = W_ADDR;
            W->addr = c->prune_wr_valid ? c->prune_wr_addr
                      : M->ofx_pend     ? M->ofx_addr[M->wr_bank]
                                        : M->wr_addr[M->wr_next];
            W->left = beats_of(c->prune_wr_valid ? c->prune_wr_bytes
                               : M->ofx_pend     ? M->wr_bytes[M->wr_bank] << 2
                                                 : M->wr_bytes[M->wr_next]);
            W->bursts = 0;
            W->resps = 0;
        } else {
            W->resps = resps_now;
        }
        break;
    case W_ADDR:
        W->resps = resps_now;
        if (c->mo.awready) {
            W->state = W_DATA;
            W->blen = c->wblen;
            W->bsent = 0;
            W->bursts++;
            W->addr += (uint64_t)c->wblen << 6;
        }
        break;
    case W_DATA:
        W->resps = resps_now;
        if (c->mo.wready) {
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
}
