/* The cycle model's controller (cycle_model_int.h), in the parts of the RTL's ak_ctrl: the job
 * (ak_ctrl.sv and ak_ctrl_desc.sv), the front end (ak_ctrl_front.sv), the iterator and the slot
 * pipeline (ak_ctrl_slots.sv), the normalisations and writes (ak_ctrl_out.sv). Only what
 * decides when: no data, no descriptor decoding (the job comes from the caller), no errors. */
#include "attnkit/job_image.h"
#include "cycle_model_int.h"

#include "attnkit_desc.h"

static uint32_t log2u(uint32_t x)
{
    uint32_t l = 0;
    while ((1u << l) < x)
        l++;
    return l;
}

/* ---- the job (ak_ctrl_desc: what it latches in the Check state) ---- */

void ak_cm_job_init(model *M, uint32_t heads, uint32_t nq, uint32_t nk, uint32_t d,
                    const ak_mask *mask, const ak_job_layout *lay)
{
    job_view *J = &M->j;
    J->heads = heads;
    J->nq = nq;
    J->nk = nk;
    J->d = d;
    J->blk = mask->block;
    J->log2_d = log2u(d);
    J->log2_block = log2u(mask->block);
    J->qblocks = mask->q_blocks;
    J->causal = mask->token_causal;
    J->per_head = mask->heads != 1;
    J->qstride = lay->q_head_stride;
    J->kvstride = lay->kv_head_stride;
    J->mask = mask;
    J->lay = lay;
    const uint32_t a = M->hw.rows * d / 16, b = M->hw.rows + 2;
    const uint32_t t = d > a ? d : a;
    J->slot_len = t > b ? t : b;
}

/* ---- the iterator and the slot pipeline (ak_ctrl_slots) ---- */

static uint32_t tile_beats(const job_view *j, uint32_t t)
{
    const uint32_t keys = j->nk - t < AK_KEY_TILE ? j->nk - t : AK_KEY_TILE;
    return beats_of((uint64_t)keys << j->log2_d);
}

/* The current kv-block list entry of the iterator. */
uint32_t ak_cm_list_entry(const model *M)
{
    return M->j.mask->kv_idx[M->ctx[M->iter_ctx].list_start + M->list_pos];
}

void ak_cm_slots_comb(const model *M, cycle *c)
{
    const job_view *J = &M->j;
    const int iter_ctx_ready = M->ctx_ready[M->iter_ctx];
    const context *ic = &M->ctx[M->iter_ctx];
    const int list_left = iter_ctx_ready && M->list_pos < ic->count;
    if (list_left) {
        c->tile_key = (ak_cm_list_entry(M) << J->log2_block) + (M->block_tile << 4);
        c->tile_in_limit = (int64_t)c->tile_key < ic->key_limit;
        c->block_past_limit = !c->tile_in_limit;
    }
    c->ctx_no_tiles = iter_ctx_ready && !list_left && !M->ctx_has_record;
    c->iter_done = iter_ctx_ready && !list_left && M->ctx_has_record;

    c->slot_end = M->run && M->slot_cycle == J->slot_len - 1;
    const int sm_done_ctx = M->iter_ctx != M->sm.ctx || c->iter_done;
    c->sm_last = M->sm.valid && sm_done_ctx && !(M->qk.valid && M->qk.ctx == M->sm.ctx) &&
                 !(M->fetch.valid && M->fetch.ctx == M->sm.ctx);
    c->advance = M->state == S_RUN && (!M->run || c->slot_end) && !M->want_k && !M->want_v &&
                 !M->k_pending && !M->v_pending && !c->block_past_limit &&
                 !(c->sm_last && M->out_full[M->fin_obank]);
    c->take = c->advance && (c->tile_in_limit || c->ctx_no_tiles);
    c->any_next = M->fetch.valid || M->qk.valid || M->sm.valid;

    c->qk_en = M->run && M->qk.valid && !M->qk.empty && M->slot_cycle < J->d;
    c->pv_start = M->run && M->pv.valid && !M->pv.empty && M->slot_cycle == 0;
    c->fin_start = M->state == S_RUN && M->run && M->pv.valid && M->pv.last && M->slot_cycle == 1;
}

void ak_cm_slots_clock(model *M, const cycle *c)
{
    const job_view *J = &M->j;
    if (c->state != S_RUN)
        return;
    if (c->iter_done) {
        M->iter_ctx = (M->iter_ctx + 1) % AK_QUERY_CONTEXTS;
        M->list_pos = M->block_tile = 0;
        M->ctx_has_record = 0;
    } else if (c->take && c->ctx_no_tiles) {
        M->ctx_has_record = 1;
    } else if (c->block_past_limit || c->take) {
        if (c->take)
            M->ctx_has_record = 1;
        if (c->block_past_limit || (M->block_tile + 1) << 4 >= J->blk) {
            M->list_pos++;
            M->block_tile = 0;
        } else {
            M->block_tile++;
        }
    }
    if (c->rd_go && M->want_k)
        M->want_k = 0;
    else if (c->rd_go && M->want_v)
        M->want_v = 0;
    if (c->k_landed)
        M->k_pending = 0;
    if (c->v_landed)
        M->v_pending = 0;
    if (M->run) {
        M->slot_cycle++;
        if (c->slot_end)
            M->run = 0;
    }
    if (c->advance) {
        const record old_qk = M->qk;
        M->pv = M->sm;
        M->pv.last = c->sm_last;
        M->sm = M->qk;
        M->qk = M->fetch;
        M->fetch.valid = c->take;
        if (c->take) {
            M->fetch.key = c->tile_key;
            M->fetch.ctx = M->iter_ctx;
            M->fetch.first = !M->ctx_has_record;
            M->fetch.empty = c->ctx_no_tiles;
            M->fetch.half = M->next_half;
            M->next_half = !M->next_half;
            M->want_k = !c->ctx_no_tiles;
            M->k_pending = !c->ctx_no_tiles;
            M->rep.records++;
        }
        if (old_qk.valid && !old_qk.empty) {
            M->want_v = 1;
            M->v_pending = 1;
        }
        M->run = c->any_next;
        M->rep.slots += c->any_next;
        M->slot_cycle = 0;
    }
}

/* The front end may read the next context's Q into the bank of the context two before it
 * once no record of that context is still to be fetched or multiplied: it changes only when
 * the slot pipeline advances. */
int ak_cm_q_bank_free(const model *M)
{
    const uint32_t prev2 = (M->front_ctx + AK_QUERY_CONTEXTS - 2) % AK_QUERY_CONTEXTS;
    return !(M->fetch.valid && M->fetch.ctx == prev2) && !(M->qk.valid && M->qk.ctx == prev2);
}

/* ---- the read command (ak_ctrl): the descriptor; in Run K, then V, then the front end's
 * (ak_ctrl_front's request) ---- */

void ak_cm_read_comb(const model *M, cycle *c)
{
    const job_view *J = &M->j;
    const ak_job_layout *L = J->lay;
    c->list_x = M->list_base + (M->first_row >> J->log2_block);
    const uint64_t off_addr = L->kv_off + 4 * c->list_x;
    const uint64_t idx_word = (L->kv_idx + 4ull * M->list_start) >> 2;
    c->cmd_valid = 0;
    c->cmd_addr = 0;
    c->cmd_beats = 1;
    c->cmd_tag = TAG_HDR;
    if (M->state == S_DESC_RD) {
        c->cmd_valid = 1;
        c->cmd_addr = L->desc;
        c->cmd_beats = 2;
    } else if (M->state == S_RUN) {
        if (M->want_k) {
            const context *x = &M->ctx[M->fetch.ctx];
            c->cmd_valid = 1;
            c->cmd_addr =
                L->k + (uint64_t)x->head * J->kvstride + ((uint64_t)M->fetch.key << J->log2_d);
            c->cmd_beats = tile_beats(J, M->fetch.key);
            c->cmd_tag = TAG_K;
        } else if (M->want_v) {
            const context *x = &M->ctx[M->sm.ctx];
            c->cmd_valid = 1;
            c->cmd_addr =
                L->v + (uint64_t)x->head * J->kvstride + ((uint64_t)M->sm.key << J->log2_d);
            c->cmd_beats = tile_beats(J, M->sm.key);
            c->cmd_tag = TAG_V;
        } else {
            c->front_cmd = 1;
            switch (M->fe) {
            case FRONT_TOT_RD: { /* the beat holding kv_off[lists] */
                const uint64_t lists = (uint64_t)(J->per_head ? J->heads : 1) * J->qblocks;
                c->cmd_valid = 1;
                c->cmd_addr = (L->kv_off + 4 * lists) & ~63ull;
                break;
            }
            case FRONT_QUANT_RD:
                c->cmd_valid = 1;
                c->cmd_addr = M->quant_addr & ~63ull;
                break;
            case FRONT_OFF_RD:
                c->cmd_valid = 1;
                c->cmd_addr = off_addr & ~63ull;
                c->cmd_beats = (off_addr & 63) > 56 ? 2 : 1;
                break;
            case FRONT_LIST_RD:
                c->cmd_valid = 1;
                c->cmd_addr = (idx_word >> 4) << 6;
                c->cmd_beats = (uint32_t)(((idx_word & 15) + M->count + 15) >> 4);
                c->cmd_tag = TAG_LIST;
                break;
            case FRONT_Q_RD:
                c->cmd_valid = ak_cm_q_bank_free(M);
                c->cmd_addr = M->q_head + ((uint64_t)M->first_row << J->log2_d);
                c->cmd_beats = beats_of((uint64_t)M->ctx[M->front_ctx].rows << J->log2_d);
                c->cmd_tag = TAG_Q;
                break;
            default:
                break;
            }
        }
    }
}

/* ---- the front end (ak_ctrl_front) ---- */

void ak_cm_front_comb(const model *M, cycle *c)
{
    const job_view *J = &M->j;
    c->last_row_tile = M->first_row + M->hw.rows >= J->nq;
    c->last_head = M->head + 1 == J->heads;
    c->ctx_free = !M->ctx_used[M->front_ctx] &&
                  (M->iter_ctx == M->front_ctx ||
                   M->iter_ctx == (M->front_ctx + AK_QUERY_CONTEXTS - 1) % AK_QUERY_CONTEXTS);
    int front_d = M->fe;
    if (M->state == S_RUN) {
        switch (M->fe) {
        case FRONT_TOT_RD: if (c->front_rd_go) front_d = FRONT_TOT_WAIT; break;
        case FRONT_TOT_WAIT: if (c->hdr_landed) front_d = FRONT_TOT_USE; break;
        case FRONT_TOT_USE: front_d = FRONT_QUANT_RD; break;
        case FRONT_QUANT_RD: if (c->front_rd_go) front_d = FRONT_QUANT_WAIT; break;
        case FRONT_QUANT_WAIT: if (c->hdr_landed) front_d = FRONT_QUANT_USE; break;
        case FRONT_QUANT_USE: front_d = FRONT_CTX; break;
        case FRONT_CTX: if (c->ctx_free) front_d = FRONT_OFF_RD; break;
        case FRONT_OFF_RD: if (c->front_rd_go) front_d = FRONT_OFF_WAIT; break;
        case FRONT_OFF_WAIT: if (c->hdr_landed) front_d = FRONT_OFF_USE; break;
        case FRONT_OFF_USE:
            front_d = J->mask->kv_off[c->list_x + 1] == J->mask->kv_off[c->list_x] ? FRONT_LAND
                                                                                : FRONT_LIST_RD;
            break;
        case FRONT_LIST_RD: if (c->front_rd_go) front_d = FRONT_Q_RD; break;
        case FRONT_Q_RD: if (c->front_rd_go) front_d = FRONT_LAND; break;
        case FRONT_LAND:
            if ((M->list_done || c->list_landed || M->count == 0) &&
                (M->q_done || c->q_landed || M->count == 0))
                front_d = !c->last_row_tile ? FRONT_CTX
                          : !c->last_head   ? FRONT_QUANT_RD
                                            : FRONT_END;
            break;
        default: break;
        }
    } else {
        front_d = FRONT_TOT_RD;
    }
    c->front_d = front_d;
    c->front_ready = M->state == S_RUN && M->fe == FRONT_LAND && front_d != FRONT_LAND;
}

void ak_cm_front_clock(model *M, const cycle *c)
{
    const job_view *J = &M->j;
    const ak_job_layout *L = J->lay;
    const uint32_t rows = M->hw.rows;
    M->fe = c->front_d;
    if (c->fe == FRONT_OFF_USE) {
        M->list_done = M->q_done = 0;
    } else {
        M->list_done |= c->list_landed;
        M->q_done |= c->q_landed;
    }

    /* the walk */
    if (c->state == S_CHECK) {
        M->head = 0;
        M->quant_addr = L->desc + AK_DESC_QUANT_OFFSET;
        M->q_head = L->q;
        M->list_base = 0;
        M->first_row = 0;
    }
    if (c->state == S_RUN && c->fe == FRONT_OFF_USE) {
        context *x = &M->ctx[M->front_ctx];
        const uint32_t o0 = J->mask->kv_off[c->list_x], o1 = J->mask->kv_off[c->list_x + 1];
        M->list_start = o0;
        M->count = o1 - o0;
        x->count = o1 - o0;
        x->list_start = o0;
        x->first_row = M->first_row;
        x->rows = M->first_row + rows <= J->nq ? rows : J->nq - M->first_row;
        const uint32_t last_row_end = M->first_row + rows <= J->nq ? M->first_row + rows : J->nq;
        x->key_limit = J->causal ? (int64_t)last_row_end + J->nk - J->nq : (int64_t)J->nk;
        x->head = M->head;
    }
    if (c->front_ready) {
        if (c->last_row_tile) {
            M->head++;
            M->first_row = 0;
            M->quant_addr += AK_DESC_QUANT_SIZE;
            M->q_head += J->qstride;
            if (J->per_head)
                M->list_base += J->qblocks;
        } else {
            M->first_row += rows;
        }
    }

    /* contexts: taken here, ready when filled until the iterator leaves them, freed when the
     * normaliser starts */
    if (c->state == S_RUN) {
        if (c->fe == FRONT_CTX && c->ctx_free)
            M->ctx_used[M->front_ctx] = 1;
        if (c->front_ready) {
            M->ctx_ready[M->front_ctx] = 1;
            M->front_ctx = (M->front_ctx + 1) % AK_QUERY_CONTEXTS;
        }
        if (c->iter_done)
            M->ctx_ready[M->iter_ctx] = 0;
        if (c->fin_start)
            M->ctx_used[M->pv.ctx] = 0;
    }
}

/* ---- normalisations and writes (ak_ctrl_out; the normaliser's latency, ak_finish) ---- */

void ak_cm_out_comb(const model *M, cycle *c)
{
    c->fin_done = M->fin_q_n && M->fin_done_at[M->fin_q_head] == M->mem.now;
}

void ak_cm_out_clock(model *M, const cycle *c)
{
    const job_view *J = &M->j;
    const ak_job_layout *L = J->lay;
    M->fin_cnt = M->fin_cnt + (uint32_t)c->fin_start - (uint32_t)c->fin_done;
    if (c->fin_done) {
        M->fin_q_head = (M->fin_q_head + 1) % 4;
        M->fin_q_n--;
    }
    if (c->fin_start) {
        const context *x = &M->ctx[M->pv.ctx];
        const uint32_t n = M->hw.rows << (J->log2_d - 4);
        M->fin_done_at[(M->fin_q_head + M->fin_q_n++) % 4] =
            M->mem.now - 1 + n - 1 + AK_DIV_LATENCY;
        M->out_full[M->fin_obank] = 1;
        M->wr_addr[M->fin_obank] = L->o + (uint64_t)x->head * J->qstride +
                                   ((uint64_t)x->first_row << J->log2_d);
        M->wr_bytes[M->fin_obank] = (uint64_t)x->rows << J->log2_d;
        M->wr_head[M->fin_obank] = x->head;
        M->ofx_addr[M->fin_obank] = L->ofx + M->ofx_off;
        M->ofx_off += (uint64_t)x->rows << (J->log2_d + 2);
        M->fin_obank = !M->fin_obank;
    }
    if (c->fin_done) {
        M->wr_req[M->fin_done_bank] = 1;
        M->fin_done_bank = !M->fin_done_bank;
    }
    if (c->wr_cmd_valid && c->wr_cmd_ready) {
        M->out_wr = 1;
        M->ofx_wr = M->ofx_pend;
        if (M->ofx_pend) { /* the same bank's o_fx tile */
            M->ofx_pend = 0;
        } else {
            M->wr_req[M->wr_next] = 0;
            M->wr_bank = M->wr_next;
            M->wr_cur_head = M->wr_head[M->wr_next];
            M->wr_next = !M->wr_next;
        }
    }
    if (c->wr_done) {
        const int ofx_next = L->ofx_bytes && M->out_wr && !M->ofx_wr;
        M->out_wr = 0;
        if (ofx_next) {
            M->ofx_pend = 1;
        } else {
            M->out_full[M->wr_bank] = 0;
            if (M->head_end && c->state == S_RUN)
                M->head_end[M->wr_cur_head] = M->rep.cycles;
        }
    }
}

/* ---- the job's state machine and the counters (ak_ctrl) ---- */

/* The counters count while busy: every state but Idle. */
void ak_cm_counters(model *M, const cycle *c)
{
    const uint32_t rows = M->hw.rows;
    M->rep.cycles++;
    M->rep.prune_cycles += M->state == S_PRUNE_CHECK || M->state == S_PRUNE;
    M->rep.stall_cycles += M->state == S_DESC_WAIT || (M->state == S_RUN && !M->run && !c->advance);
    M->rep.macs += (c->qk_en ? (uint64_t)rows * AK_KEY_TILE : 0) +
                   ((c->pv_start || M->pv_busy) ? (uint64_t)AK_KEY_TILE * 16 : 0);
    M->rep.read_bytes += c->beat_valid ? AK_BEAT_BYTES : 0;
    M->rep.write_bytes += c->wvalid && c->mo.wready ? AK_BEAT_BYTES : 0;
}

/* The job's state at the clock edge; c->state and c->fe keep the values before it. */
void ak_cm_ctrl_clock(model *M, cycle *c)
{
    c->state = M->state;
    c->fe = M->fe;
    switch (M->state) {
    case S_DESC_RD: if (c->rd_go) M->state = S_DESC_WAIT; break;
    case S_DESC_WAIT: if (c->hdr_landed) M->state = S_CHECK; break;
    case S_CHECK: M->state = M->p.mode != AK_PRUNE_NONE ? S_PRUNE_CHECK : S_RUN; break;
    case S_PRUNE_CHECK: if (c->vcheck_done) M->state = S_RUN; break;
    case S_RUN:
        if (c->all_done)
            M->state = M->p.mode != AK_PRUNE_NONE ? S_PRUNE : S_DONE;
        break;
    case S_PRUNE: if (c->prune_done) M->state = S_DONE; break;
    default: break;
    }
}

/* P.V busy (the MAC counter): Rows * d / 16 cycles from its start. */
void ak_cm_pv_busy_clock(model *M, const cycle *c)
{
    const uint32_t n = M->hw.rows << (M->j.log2_d - 4);
    if (c->pv_start) {
        M->pv_busy = n > 1;
        M->pv_left = n - 1;
    } else if (M->pv_busy) {
        M->pv_busy = M->pv_left != 1;
        M->pv_left--;
    }
}
