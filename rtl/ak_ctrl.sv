// ak_ctrl: the job controller and block-sparse scheduler (docs/architecture.md, "The order of
// work"). It reads the job descriptor, has it checked (ak_ctrl_desc), then runs two parts side
// by side:
//  - the front end (ak_ctrl_front) walks heads and query tiles and fills one of NCtx query-tile
//    contexts per tile: the head's quantisation entry, the tile's two kv_off words, its
//    kv-block list and its Q tile;
//  - the back end (ak_ctrl_slots) walks the filled contexts in order and runs every key tile of
//    their listed blocks through the three-stage Q.K^T / softmax / P.V pipeline in lock-step
//    slots of T cycles, with K and V fetched into the free halves of the double buffers; the
//    normaliser of a query tile starts one cycle into the slot that does P.V of its last record;
//  - ak_ctrl_out keeps the normalisations and the output writes (two output tile banks);
// and, for a job whose descriptor asks for pruning or eviction, the pruning unit (ak_prune):
// its region check after Check (PruneCheck) and its phase after the last output write (Pruning).
// This module holds the job's state machine and its errors, the header beats (descriptor,
// quant entries, kv_off words), the read command (descriptor; K, then V, then the front end's;
// byte counts cut into 64-byte beats), and the counters. Errors (descriptor checks, list
// entries, AXI responses) and aborts end the job once no read or write is in flight, with
// STATUS.error and ERR.code; the controller never waits without a way out but memory itself.
module ak_ctrl #(
  parameter int Rows        = ak_pkg::DefaultRows,
  parameter int MaxHeadDim  = ak_pkg::MaxHeadDim,
  parameter int MaxKvBlocks = ak_pkg::DefaultMaxKvBlocks,
  localparam int NCtx       = ak_pkg::QueryContexts  // query-tile contexts in flight (a power of 2)
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  // CSRs
  input  logic                           start_i,
  input  logic                           abort_i,
  input  logic [63:0]                    desc_addr_i,
  output logic                           busy_o,
  output logic                           done_o,       // pulse: the job ended
  output logic                           error_o,      // with done_o
  output logic [7:0]                     err_code_o,   // with done_o
  output logic [63:0]                    cycles_o,
  output logic [63:0]                    stalls_o,
  output logic [63:0]                    macs_o,
  // read master
  output logic                           rd_cmd_valid_o,
  input  logic                           rd_cmd_ready_i,
  output logic [63:0]                    rd_cmd_addr_o,
  output logic [15:0]                    rd_cmd_beats_o,
  output logic [3:0]                     rd_cmd_tag_o,
  input  logic                           beat_valid_i,
  input  logic [ak_pkg::BeatBits-1:0]    beat_data_i,
  input  logic [3:0]                     beat_tag_i,
  input  logic [15:0]                    beat_idx_i,
  input  logic                           beat_last_i,
  input  logic                           rd_err_i,
  input  logic                           rd_idle_i,
  // write master
  output logic                           wr_cmd_valid_o,
  input  logic                           wr_cmd_ready_i,
  output logic [63:0]                    wr_cmd_addr_o,
  output logic [15:0]                    wr_cmd_beats_o,
  output logic [ak_pkg::BeatBytesLog2:0] wr_cmd_last_bytes_o,
  input  logic                           wr_done_i,
  input  logic                           wr_err_i,
  output logic                           wr_bank_o,    // output tile bank the write master reads
  output logic                           wr_ofx_o,     // its o_fx words (debug mode)
  output logic                           prune_wr_o,   // the write master reads the pruning unit
  output logic [ak_pkg::BeatBits-1:0]    prune_word_o, // its word wr_word_i
  input  logic [15:0]                    wr_word_i,
  // the softmax engine's row updates (the pruning unit keeps its probe rows')
  input  logic                           st_valid_i,
  input  logic [ak_pkg::TokenBits-1:0]   st_row_i,
  input  logic signed [ak_pkg::LogitBits-ak_pkg::LogitFrac:0] st_m_i,
  input  logic [ak_pkg::AccBits-1:0]     st_l_i,
  // tile buffers (written with beat_idx_i as the word and beat_data_i as the data)
  output logic [1:0]                     q_we_o,       // per bank
  output logic [1:0]                     k_we_o,       // per half
  output logic [1:0]                     v_we_o,
  // the job's shape
  output logic [7:0]                     d_o,
  output logic [1:0]                     lg_groups_o,  // log2(d / 16)
  output logic [ak_pkg::TokenBits-1:0]   nq_o,
  output logic [ak_pkg::TokenBits-1:0]   nk_o,
  output logic                           causal_o,
  // engines
  output logic                           qk_en_o,
  output logic                           qk_clear_o,
  output logic                           qk_capture_o,
  output logic [$clog2(ak_pkg::MaxHeadDim)-1:0] qk_col_o,
  output logic                           qk_half_o,    // K buffer half Q.K^T reads
  output logic                           qk_bank_o,    // Q buffer bank Q.K^T reads
  output logic                           sm_start_o,
  output logic                           sm_half_o,    // P buffer half the softmax writes
  output logic                           sm_bank_o,    // row-state bank (query tile parity)
  // the query tile's first record: rows start afresh
  output logic                           sm_first_o,
  output logic                           sm_none_o,    // an empty record: no valid key
  output logic [ak_pkg::TokenBits-1:0]   sm_t_o,       // first key of the softmax's tile
  output logic [ak_pkg::TokenBits-1:0]   sm_r0_o,      // first row of its query tile
  output logic [ak_pkg::MultBits-1:0]    sm_mult_o,    // its head's logit scale
  output logic [ak_pkg::ShiftBits-1:0]   sm_shift_o,
  output logic                           pv_start_o,
  output logic                           pv_half_o,    // P and V buffer half P.V reads
  output logic                           pv_bank_o,    // accumulator bank
  output logic                           pv_first_o,   // accumulators start from 0
  output logic                           fin_start_o,
  output logic                           fin_bank_o,   // accumulator and row-sum bank it reads
  output logic                           fin_obank_o,  // output tile bank it fills
  output logic [2*ak_pkg::MultBits-1:0]  fin_mult_o,   // output scale of each output bank's tile
  output logic [2*ak_pkg::ShiftBits-1:0] fin_shift_o,
  input  logic                           fin_done_i
);
  localparam int KeyTile = ak_pkg::KeyTile;
  localparam int CtxBits = $clog2(NCtx);
  // read destinations
  // (tags from 8 are the pruning unit's)
  localparam logic [3:0] TagHdr = 4'd0, TagList = 4'd1, TagQ = 4'd2, TagK0 = 4'd3, TagK1 = 4'd4,
                         TagV0 = 4'd5, TagV1 = 4'd6;

  typedef enum logic [3:0] {
    Idle, DescRd, DescWait, Check, PruneCheck, Run, Pruning, Drain, Done
  } state_e;
  state_e state_q, state_d;
  logic run, fail;
  // (named, not written into the port connections: Icarus 11 then loses the enum's type)
  logic job_start, check, out_clear;
  assign job_start = state_q == Idle && start_i;
  assign check = state_q == Check;
  assign out_clear = state_q == Idle || state_q == Drain;
  logic pruning;
  assign pruning = state_q == Pruning;

  localparam int BeatBytes = ak_pkg::BeatBytes;
  localparam int BeatLog2 = ak_pkg::BeatBytesLog2;
  // beats holding `bytes` bytes
  function automatic logic [15:0] beats_of(input logic [23:0] bytes);
    beats_of = 16'((bytes + 24'(BeatBytes - 1)) >> BeatLog2);
  endfunction

  // ---- beats: the descriptor header, quant entries and kv_off words here; the tile buffers ----
  logic [2*ak_pkg::BeatBits-1:0] header_q;  // the last one or two header beats
  logic front_bank;        // the Q and list bank of the context the front end fills
  logic hdr_landed, list_landed, q_landed, k_landed, v_landed;
  assign hdr_landed = beat_valid_i && beat_last_i && beat_tag_i == TagHdr;
  assign list_landed = beat_valid_i && beat_last_i && beat_tag_i == TagList;
  assign q_landed = beat_valid_i && beat_last_i && beat_tag_i == TagQ;
  assign k_landed = beat_valid_i && beat_last_i && (beat_tag_i == TagK0 || beat_tag_i == TagK1);
  assign v_landed = beat_valid_i && beat_last_i && (beat_tag_i == TagV0 || beat_tag_i == TagV1);
  always_ff @(posedge clk_i) begin
    if (beat_valid_i && beat_tag_i == TagHdr)
      header_q[beat_idx_i[0]*ak_pkg::BeatBits +: ak_pkg::BeatBits] <= beat_data_i;
  end
  assign q_we_o = {beat_valid_i && beat_tag_i == TagQ && front_bank,
                   beat_valid_i && beat_tag_i == TagQ && !front_bank};
  assign k_we_o = {beat_valid_i && beat_tag_i == TagK1, beat_valid_i && beat_tag_i == TagK0};
  assign v_we_o = {beat_valid_i && beat_tag_i == TagV1, beat_valid_i && beat_tag_i == TagV0};

  // ---- the descriptor and the job ----
  logic [7:0] check_code;
  logic [63:0] desc_q, q_addr, o_addr, k_base, v_base, off_base, idx_base;
  logic [31:0] heads;
  logic [ak_pkg::TokenBits-1:0] qblocks, kblocks;
  logic [7:0] d, blk;
  logic [2:0] log2_d, log2_block;
  logic per_head;
  logic [23:0] qstride, kvstride;
  logic [15:0] slot_len;
  logic ofx_en;
  logic [63:0] ofx_base;
  logic [48:0] lists;
  ak_ctrl_desc #(.Rows(Rows), .MaxHeadDim(MaxHeadDim)) u_desc (
    .clk_i, .start_i(job_start), .desc_addr_i, .check_i(check),
    .hdr_i(header_q), .check_code_o(check_code), .desc_addr_o(desc_q), .q_addr_o(q_addr),
    .o_addr_o(o_addr), .heads_o(heads), .nq_o, .nk_o, .d_o(d), .blk_o(blk), .lgd_o(log2_d),
    .lgb_o(log2_block), .causal_o, .per_head_o(per_head), .qblocks_o(qblocks), .kblocks_o(kblocks),
    .qstride_o(qstride), .kvstride_o(kvstride), .slot_len_o(slot_len), .k_base_o(k_base),
    .v_base_o(v_base), .off_base_o(off_base), .idx_base_o(idx_base), .ofx_en_o(ofx_en),
    .ofx_base_o(ofx_base), .lists_o(lists)
  );

  // ---- the front end: query-tile contexts ----
  logic front_rd_valid, front_rd_list, front_rd_q, front_rd_go;
  logic [63:0] front_rd_addr;
  logic [23:0] front_rd_bytes;
  logic off_bad, idx_wrap, front_end, front_idle;
  logic [CtxBits-1:0] iter_ctx, fetch_ctx, qk_ctx, sm_ctx, pv_ctx;
  logic [31:0] list_pos, list_count, list_entry;
  logic iter_done, entry_bad, ctx_ready, fetch_valid, qk_valid;
  logic signed [ak_pkg::TokenBits+1:0] key_limit;
  logic [63:0] fetch_kv, sm_kv, pv_o_addr;
  logic [ak_pkg::TokenBits-1:0] pv_rows;
  logic [31:0] sm_head;
  logic [ak_pkg::MultBits-1:0] pv_mult;
  logic [ak_pkg::ShiftBits-1:0] pv_shift;
  ak_ctrl_front #(.Rows(Rows), .MaxKvBlocks(MaxKvBlocks), .NCtx(NCtx)) u_front (
    .clk_i, .rst_ni, .run_i(run), .check_i(check),
    .desc_addr_i(desc_q), .q_addr_i(q_addr), .o_addr_i(o_addr), .heads_i(heads), .nq_i(nq_o),
    .nk_i(nk_o), .lgd_i(log2_d), .lgb_i(log2_block), .causal_i(causal_o), .per_head_i(per_head),
    .qblocks_i(qblocks), .qstride_i(qstride), .kvstride_i(kvstride), .off_base_i(off_base),
    .idx_base_i(idx_base), .lists_i(lists),
    .rd_valid_o(front_rd_valid), .rd_addr_o(front_rd_addr), .rd_bytes_o(front_rd_bytes),
    .rd_list_o(front_rd_list), .rd_q_o(front_rd_q), .rd_go_i(front_rd_go), .hdr_i(header_q),
    .hdr_landed_i(hdr_landed), .list_we_i(beat_valid_i && beat_tag_i == TagList), .beat_idx_i,
    .beat_data_i, .list_landed_i(list_landed), .q_landed_i(q_landed), .bank_o(front_bank),
    .off_bad_o(off_bad), .idx_wrap_o(idx_wrap), .total_o(idx_total), .end_o(front_end), .idle_o(front_idle),
    .iter_ctx_i(iter_ctx), .list_pos_i(list_pos), .iter_done_i(iter_done), .ctx_ready_o(ctx_ready),
    .list_count_o(list_count), .key_limit_o(key_limit), .list_entry_o(list_entry),
    .fetch_valid_i(fetch_valid), .fetch_ctx_i(fetch_ctx), .qk_valid_i(qk_valid), .qk_ctx_i(qk_ctx),
    .fetch_kv_o(fetch_kv), .sm_ctx_i(sm_ctx), .sm_kv_o(sm_kv), .sm_r0_o, .sm_head_o(sm_head),
    .sm_mult_o, .sm_shift_o,
    .pv_ctx_i(pv_ctx), .release_i(fin_start_o), .pv_o_addr_o(pv_o_addr), .pv_rows_o(pv_rows),
    .pv_mult_o(pv_mult), .pv_shift_o(pv_shift)
  );

  // ---- the back end: the iterator and the slot pipeline ----
  logic kv_rd_valid, kv_rd_v, kv_rd_half, kv_rd_go;
  logic [63:0] kv_rd_addr;
  logic [23:0] kv_rd_bytes;
  logic out_bank_full, slot_run, advance;
  ak_ctrl_slots #(.NCtx(NCtx)) u_slots (
    .clk_i, .rst_ni, .run_i(run), .fail_i(fail),
    .nk_i(nk_o), .d_i(d), .blk_i(blk), .lgd_i(log2_d), .lgb_i(log2_block), .kblocks_i(kblocks),
    .slot_len_i(slot_len), .k_base_i(k_base), .v_base_i(v_base),
    .iter_ctx_o(iter_ctx), .list_pos_o(list_pos), .iter_done_o(iter_done), .entry_bad_o(entry_bad),
    .ctx_ready_i(ctx_ready), .list_count_i(list_count), .key_limit_i(key_limit),
    .list_entry_i(list_entry),
    .fetch_valid_o(fetch_valid), .fetch_ctx_o(fetch_ctx), .fetch_kv_i(fetch_kv),
    .qk_valid_o(qk_valid), .qk_ctx_o(qk_ctx), .sm_ctx_o(sm_ctx), .sm_kv_i(sm_kv),
    .pv_ctx_o(pv_ctx),
    .rd_valid_o(kv_rd_valid), .rd_addr_o(kv_rd_addr), .rd_bytes_o(kv_rd_bytes),
    .rd_v_o(kv_rd_v), .rd_half_o(kv_rd_half), .rd_go_i(kv_rd_go), .k_landed_i(k_landed),
    .v_landed_i(v_landed), .out_bank_full_i(out_bank_full), .run_o(slot_run),
    .advance_o(advance),
    .qk_en_o, .qk_clear_o, .qk_capture_o, .qk_col_o, .qk_half_o, .qk_bank_o,
    .sm_start_o, .sm_half_o, .sm_bank_o, .sm_first_o, .sm_none_o, .sm_t_o,
    .pv_start_o, .pv_half_o, .pv_bank_o, .pv_first_o, .fin_start_o, .fin_bank_o
  );

  // ---- normalisations and output writes ----
  logic [23:0] wr_bytes, out_wr_bytes;
  logic [63:0] out_wr_addr;
  logic out_wr_valid;
  logic fin_idle, out_idle;
  ak_ctrl_out u_out (
    .clk_i, .rst_ni, .clear_i(out_clear), .lgd_i(log2_d), .ofx_en_i(ofx_en),
    .ofx_base_i(ofx_base),
    .fin_start_i(fin_start_o), .tile_addr_i(pv_o_addr), .tile_rows_i(pv_rows),
    .tile_mult_i(pv_mult), .tile_shift_i(pv_shift), .fin_done_i, .fin_obank_o, .fin_mult_o,
    .fin_shift_o, .bank_full_o(out_bank_full), .fin_idle_o(fin_idle), .idle_o(out_idle),
    .wr_cmd_valid_o(out_wr_valid), .wr_cmd_ready_i(wr_cmd_ready_i && run),
    .wr_cmd_addr_o(out_wr_addr), .wr_cmd_bytes_o(out_wr_bytes), .wr_done_i, .wr_bank_o,
    .wr_ofx_o
  );
  // the write command: the output tiles', in Pruning the pruning unit's
  // output tiles are written in Run only: in Drain's first cycle ak_ctrl_out may still offer a
  // tile that out_clear drops at that cycle's edge, and a write master taking it then would
  // leave a burst under way after the job ended (test_abort)
  assign wr_cmd_valid_o = pruning ? prune_wr_valid : out_wr_valid && run;
  assign wr_cmd_addr_o = pruning ? prune_wr_addr : out_wr_addr;
  assign wr_bytes = pruning ? prune_wr_bytes : out_wr_bytes;
  assign wr_cmd_beats_o = beats_of(wr_bytes);
  assign wr_cmd_last_bytes_o = wr_bytes[BeatLog2-1:0] == 0 ? (BeatLog2+1)'(BeatBytes)
                                                        : {1'b0, wr_bytes[BeatLog2-1:0]};

  // ---- the pruning unit ----
  logic [7:0] prune_code;
  logic prune_asks, prune_en, vcheck_done, prune_overlap, prune_start, prune_busy, prune_done;
  logic prune_rd_valid, prune_wr_valid;
  logic [63:0] prune_rd_addr, prune_wr_addr;
  logic [23:0] prune_rd_bytes, prune_wr_bytes;
  logic [3:0] prune_rd_tag;
  logic vcheck, prune_abort;
  logic [31:0] idx_total;
  logic prune_list_bad;
  assign vcheck = state_q == Check && state_d == PruneCheck;
  assign prune_start = state_q == Run && state_d == Pruning;
  assign prune_abort = fail || state_q == Drain;
  ak_prune #(.MaxKvBlocks(MaxKvBlocks)) u_prune (
    .clk_i, .rst_ni, .check_i(check), .hdr_i(header_q), .check_code_o(prune_code),
    .asks_o(prune_asks), .enabled_o(prune_en), .desc_addr_i(desc_q), .k_base_i(k_base), .v_base_i(v_base),
    .off_base_i(off_base), .idx_base_i(idx_base), .idx_total_i(idx_total),
    .list_bad_o(prune_list_bad), .heads_i(heads), .nq_i(nq_o), .nk_i(nk_o), .lgd_i(log2_d), .lgb_i(log2_block),
    .causal_i(causal_o), .per_head_i(per_head), .qblocks_i(qblocks), .qstride_i(qstride),
    .kvstride_i(kvstride), .vcheck_i(vcheck), .vcheck_done_o(vcheck_done),
    .overlap_o(prune_overlap),
    .cap_valid_i(run && st_valid_i), .cap_row_i(st_row_i), .cap_head_i(sm_head),
    .cap_m_i(st_m_i), .cap_l_i(st_l_i),
    .start_i(prune_start), .abort_i(prune_abort), .busy_o(prune_busy), .done_o(prune_done),
    .rd_valid_o(prune_rd_valid), .rd_ready_i(rd_cmd_ready_i && pruning),
    .rd_addr_o(prune_rd_addr), .rd_bytes_o(prune_rd_bytes), .rd_tag_o(prune_rd_tag),
    .beat_valid_i, .beat_data_i, .beat_tag_i, .beat_idx_i, .beat_last_i, .rd_idle_i,
    .wr_valid_o(prune_wr_valid), .wr_ready_i(wr_cmd_ready_i && pruning),
    .wr_addr_o(prune_wr_addr), .wr_bytes_o(prune_wr_bytes), .wr_done_i, .wr_word_i,
    .wr_data_o(prune_word_o)
  );
  assign prune_wr_o = state_q == Pruning;

  // ---- the read command: the descriptor; in Run K, then V, then the front end's ----
  logic [23:0] rd_bytes;
  always @* begin
    rd_cmd_valid_o = 1'b0;
    rd_cmd_addr_o = '0;
    rd_bytes = 24'(BeatBytes);
    rd_cmd_tag_o = TagHdr;
    if (state_q == DescRd) begin
      rd_cmd_valid_o = 1'b1;
      rd_cmd_addr_o = desc_q;
      rd_bytes = 24'(2 * BeatBytes);
    end else if (state_q == Pruning) begin
      rd_cmd_valid_o = prune_rd_valid;
      rd_cmd_addr_o = prune_rd_addr;
      rd_bytes = prune_rd_bytes;
      rd_cmd_tag_o = prune_rd_tag;
    end else if (run) begin
      if (kv_rd_valid) begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o = kv_rd_addr;
        rd_bytes = kv_rd_bytes;
        rd_cmd_tag_o = kv_rd_v ? (kv_rd_half ? TagV1 : TagV0) : (kv_rd_half ? TagK1 : TagK0);
      end else begin
        rd_cmd_valid_o = front_rd_valid;
        rd_cmd_addr_o = front_rd_addr;
        rd_bytes = front_rd_bytes;
        rd_cmd_tag_o = front_rd_list ? TagList : front_rd_q ? TagQ : TagHdr;
      end
    end
  end
  assign rd_cmd_beats_o = beats_of(rd_bytes);
  logic rd_go;
  assign rd_go = rd_cmd_valid_o && rd_cmd_ready_i;
  assign kv_rd_go = rd_go && run && kv_rd_valid;
  assign front_rd_go = rd_go && run && !kv_rd_valid;

  // ---- the job's state machine ----
  logic [7:0] code_q, code_d;
  logic [7:0] fail_code;
  assign run = state_q == Run;
  always @* begin
    fail = 1'b0;
    fail_code = 8'(ak_csr_pkg::ErrNone);
    if (state_q != Idle && state_q != Drain && state_q != Done) begin
      if (abort_i) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrAborted);
      end else if (rd_err_i || (wr_done_i && wr_err_i)) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrMemResponse);
      end else if (state_q == Check && check_code != 8'(ak_csr_pkg::ErrNone)) begin
        fail = 1'b1;
        fail_code = check_code;
      end else if (state_q == Check && prune_code != 8'(ak_csr_pkg::ErrNone)) begin
        fail = 1'b1;
        fail_code = prune_code;
      end else if (prune_overlap) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrRegionOverlap);
      end else if (idx_wrap) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrAddressWrap);
      end else if (off_bad) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrIndexRange);
      end else if (run && entry_bad) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrIndexRange);
      end else if (prune_list_bad) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrIndexRange);
      end
    end
  end

  // everything done: every context freed, every normalisation written
  logic all_done;
  assign all_done = front_end && front_idle && out_idle && wr_cmd_ready_i;

  always @* begin
    state_d = state_q;
    code_d = code_q;
    if (fail) begin
      state_d = Drain;
      code_d = fail_code;
    end else begin
      case (state_q)
        Idle: if (start_i) begin
          code_d = 8'(ak_csr_pkg::ErrNone);
          state_d = DescRd;
          if (desc_addr_i[BeatLog2-1:0] != 0) begin
            state_d = Drain;
            code_d = 8'(ak_csr_pkg::ErrMisaligned);
          end
        end
        DescRd: if (rd_go) state_d = DescWait;
        DescWait: if (hdr_landed) state_d = Check;
        Check: if (prune_asks) state_d = PruneCheck;
               else state_d = Run;
        PruneCheck: if (vcheck_done) state_d = Run;
        Run: if (all_done && prune_en) state_d = Pruning;
             else if (all_done) state_d = Done;
        Pruning: if (prune_done) state_d = Done;
        Drain: if (rd_idle_i && wr_cmd_ready_i && fin_idle && !prune_busy) state_d = Done;
        Done: state_d = Idle;
        default: state_d = Idle;
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      code_q <= '0;
    end else begin
      state_q <= state_d;
      code_q <= code_d;
    end
  end

  // ---- counters and status ----
  logic [63:0] cycles_q, stalls_q, macs_q;
  logic stall;
  logic pv_busy_q;
  logic [15:0] pv_left_q;
  // P.V runs Rows * d/16 cycles from its start: the start cycle, then pv_busy_q while
  // pv_left_q (the cycles left after this one) counts down. A job aborted in the middle of a
  // P.V pass may go idle before the pass ends: its rest is not the next job's
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pv_busy_q <= 1'b0;
      pv_left_q <= '0;
    end else if (state_q == Idle) begin
      pv_busy_q <= 1'b0;
    end else if (pv_start_o) begin
      pv_busy_q <= Rows * 32'(d) / 16 > 1;
      pv_left_q <= 16'((Rows * 32'(d) / 16) - 1);
    end else if (pv_busy_q) begin
      pv_busy_q <= pv_left_q != 16'd1;
      pv_left_q <= pv_left_q - 1'b1;
    end
  end
  // waiting: for the descriptor, or with no slot running (for K/V, the front end, or at the
  // end of the job for the last normalisation and write)
  assign stall = state_q == DescWait || (run && !slot_run && !advance);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_q <= '0;
      stalls_q <= '0;
      macs_q <= '0;
    end else if (state_q == Idle && start_i) begin
      cycles_q <= '0;
      stalls_q <= '0;
      macs_q <= '0;
    end else if (busy_o) begin
      cycles_q <= cycles_q + 1;
      stalls_q <= stalls_q + 64'(stall);
      macs_q <= macs_q + (qk_en_o ? 64'(Rows * KeyTile) : 64'd0) +
                ((pv_start_o || pv_busy_q) ? 64'(KeyTile * 16) : 64'd0);
    end
  end

  assign busy_o = state_q != Idle;
  assign done_o = state_q == Done;
  assign error_o = code_q != 8'(ak_csr_pkg::ErrNone);
  assign err_code_o = code_q;
  assign cycles_o = cycles_q;
  assign stalls_o = stalls_q;
  assign macs_o = macs_q;
  assign d_o = d;
  assign lg_groups_o = 2'(log2_d - 3'd4);

`ifndef SYNTHESIS
  // ---- assertions (simulation only; docs/assertions.md). chk_live_q: out of reset since the
  // last edge (rst_ni is only an asynchronous reset, never sampled) ----
  logic chk_live_q;
  always_ff @(posedge clk_i or negedge rst_ni) chk_live_q <= rst_ni;
  // a legal state; during a job (busy since the last edge) CYCLES counts every cycle and
  // STALLS and MACS never decrease, STALLS never above CYCLES
  logic p_busy_q;
  logic [63:0] p_cycles_q, p_stalls_q, p_macs_q;
  always_ff @(posedge clk_i) begin
    p_busy_q <= busy_o;
    p_cycles_q <= cycles_q;
    p_stalls_q <= stalls_q;
    p_macs_q <= macs_q;
  end
  always @(posedge clk_i)
    if (chk_live_q) begin
      if (state_q > Done)
        $fatal(1, "AK_ASSERT ctrl_state_legal: state %0d is none of the controller's", state_q);
      if (p_busy_q && busy_o && (cycles_q != p_cycles_q + 1 || stalls_q < p_stalls_q ||
                                 macs_q < p_macs_q || stalls_q > cycles_q))
        $fatal(1, "AK_ASSERT ctrl_counters: CYCLES %0d -> %0d, STALLS %0d -> %0d, MACS %0d -> %0d during a job",
               p_cycles_q, cycles_q, p_stalls_q, stalls_q, p_macs_q, macs_q);
    end
`endif
endmodule
