// ak_ctrl: the job controller and block-sparse scheduler (docs/architecture.md, "The order of
// work"). It reads and checks the job descriptor, then runs two parts side by side:
//  - the front end walks heads and query tiles and fills one of NCtx query-tile contexts per
//    tile: the head's quantisation entry, the tile's two kv_off words, its kv-block list and its
//    Q tile (list and Q in the buffer bank of the context's parity);
//  - the back end walks the filled contexts in order and runs every key tile of their listed
//    blocks (one empty record for a tile without any) through the three-stage pipeline in
//    lock-step slots of T cycles: slot s does Q.K^T of record s, the softmax of s-1 and P.V of
//    s-2 while the read master brings K of s+1 and V of s-1 into the free halves of the double
//    buffers. Records of consecutive query tiles follow each other without a gap: the softmax
//    row state and the accumulators have a bank per context parity, and the normaliser of a
//    query tile starts one cycle into the slot that does P.V of its last record, which also
//    frees its context. The normaliser's output tile is double-buffered; the write master
//    stores the output rows in the background, in order.
// A slot starts when the last one has run its T cycles and its K and V have arrived; masked
// blocks are never fetched. Errors (descriptor checks, list entries, AXI responses) and aborts
// end the job once no read or write is in flight, with STATUS.error and ERR.code; the
// controller never waits without a way out but memory itself.
module ak_ctrl #(
  parameter int Rows        = 16,
  parameter int MaxHeadDim  = 128,
  parameter int MaxKvBlocks = 512,
  localparam int NCtx       = 4    // query-tile contexts in flight (a power of two)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // CSRs
  input  logic               start_i,
  input  logic               abort_i,
  input  logic [63:0]        desc_addr_i,
  output logic               busy_o,
  output logic               done_o,        // pulse: the job ended
  output logic               error_o,       // with done_o
  output logic [7:0]         err_code_o,    // with done_o
  output logic [63:0]        cycles_o,
  output logic [63:0]        stalls_o,
  output logic [63:0]        macs_o,
  // read master
  output logic               rd_cmd_valid_o,
  input  logic               rd_cmd_ready_i,
  output logic [63:0]        rd_cmd_addr_o,
  output logic [15:0]        rd_cmd_beats_o,
  output logic [2:0]         rd_cmd_tag_o,
  input  logic               beat_valid_i,
  input  logic [511:0]       beat_data_i,
  input  logic [2:0]         beat_tag_i,
  input  logic [15:0]        beat_idx_i,
  input  logic               beat_last_i,
  input  logic               rd_err_i,
  input  logic               rd_idle_i,
  // write master
  output logic               wr_cmd_valid_o,
  input  logic               wr_cmd_ready_i,
  output logic [63:0]        wr_cmd_addr_o,
  output logic [15:0]        wr_cmd_beats_o,
  output logic [6:0]         wr_cmd_last_bytes_o,
  input  logic               wr_done_i,
  input  logic               wr_err_i,
  output logic               wr_bank_o,     // output tile bank the write master reads
  // tile buffers (written with beat_idx_i as the word and beat_data_i as the data)
  output logic [1:0]         q_we_o,        // per bank
  output logic [1:0]         k_we_o,        // per half
  output logic [1:0]         v_we_o,
  // the job's shape
  output logic [7:0]         d_o,
  output logic [1:0]         lg_groups_o,   // log2(d / 16)
  output logic [16:0]        nq_o,
  output logic [16:0]        nk_o,
  output logic               causal_o,
  // engines
  output logic               qk_en_o,
  output logic               qk_clear_o,
  output logic               qk_capture_o,
  output logic [6:0]         qk_col_o,
  output logic               qk_half_o,     // K buffer half Q.K^T reads
  output logic               qk_bank_o,     // Q buffer bank Q.K^T reads
  output logic               sm_start_o,
  output logic               sm_half_o,     // P buffer half the softmax writes
  output logic               sm_bank_o,     // row-state bank (query tile parity)
  output logic               sm_first_o,    // the query tile's first record: rows start afresh
  output logic               sm_none_o,     // an empty record: no valid key
  output logic [16:0]        sm_t_o,        // first key of the softmax's tile
  output logic [16:0]        sm_r0_o,       // first row of its query tile
  output logic [30:0]        sm_mult_o,     // its head's logit scale
  output logic [5:0]         sm_shift_o,
  output logic               pv_start_o,
  output logic               pv_half_o,     // P and V buffer half P.V reads
  output logic               pv_bank_o,     // accumulator bank
  output logic               pv_first_o,    // accumulators start from 0
  output logic               fin_start_o,
  output logic               fin_bank_o,    // accumulator and row-sum bank it reads
  output logic               fin_obank_o,   // output tile bank it fills
  output logic [2*ak_pkg::MultBits-1:0] fin_mult_o,  // output scale of each output bank's tile
  output logic [2*6-1:0]     fin_shift_o,
  input  logic               fin_done_i
);
  localparam int KT = ak_pkg::KeyTile;
  localparam int ListBeats = MaxKvBlocks / 16 + 1;
  localparam int LBBits = $clog2(ListBeats);
  localparam int CB = $clog2(NCtx);
  // read destinations
  localparam logic [2:0] TagHdr = 3'd0, TagList = 3'd1, TagQ = 3'd2, TagK0 = 3'd3, TagK1 = 3'd4,
                         TagV0 = 3'd5, TagV1 = 3'd6;

  typedef enum logic [2:0] {Idle, DescRd, DescWait, Check, Run, Drain, Done} state_e;
  state_e state_q, state_d;
  // the front end; *Wait states wait for a read to land, *Use states take its data from
  // hdr_q a cycle later
  typedef enum logic [3:0] {
    FeQuantRd, FeQuantWait, FeQuantUse, FeCtx, FeOffRd, FeOffWait, FeOffUse, FeListRd, FeQRd,
    FeLand, FeEnd
  } fe_e;
  fe_e fe_q, fe_d;

  // ---- beats for the controller: descriptor header, quant entry, kv_off words, lists ----
  logic [1023:0] hdr_q;    // the last one or two CTRL beats
  logic [511:0] lbuf_q [2*ListBeats];  // bank b, beat i at b * ListBeats + i
  logic fe_bank;           // the bank of the context the front end fills
  logic hdr_landed, list_landed, q_landed, k_landed, v_landed;
  assign hdr_landed = beat_valid_i && beat_last_i && beat_tag_i == TagHdr;
  assign list_landed = beat_valid_i && beat_last_i && beat_tag_i == TagList;
  assign q_landed = beat_valid_i && beat_last_i && beat_tag_i == TagQ;
  assign k_landed = beat_valid_i && beat_last_i && (beat_tag_i == TagK0 || beat_tag_i == TagK1);
  assign v_landed = beat_valid_i && beat_last_i && (beat_tag_i == TagV0 || beat_tag_i == TagV1);
  always_ff @(posedge clk_i) begin
    if (beat_valid_i && beat_tag_i == TagHdr) hdr_q[beat_idx_i[0]*512 +: 512] <= beat_data_i;
    if (beat_valid_i && beat_tag_i == TagList && 32'(beat_idx_i) < ListBeats)
      lbuf_q[32'(fe_bank) * ListBeats + 32'(beat_idx_i)] <= beat_data_i;
  end
  assign q_we_o = {beat_valid_i && beat_tag_i == TagQ && fe_bank,
                   beat_valid_i && beat_tag_i == TagQ && !fe_bank};
  assign k_we_o = {beat_valid_i && beat_tag_i == TagK1, beat_valid_i && beat_tag_i == TagK0};
  assign v_we_o = {beat_valid_i && beat_tag_i == TagV1, beat_valid_i && beat_tag_i == TagV0};

  function automatic logic [31:0] hdr_word(input logic [1023:0] h, input int offset);
    hdr_word = h[offset*8 +: 32];
  endfunction
  function automatic logic [63:0] hdr_addr(input logic [1023:0] h, input int lo, input int hi);
    hdr_addr = {h[hi*8 +: 32], h[lo*8 +: 32]};
  endfunction

  // ---- the job (latched in Check) ----
  logic [63:0] desc_q, k_base_q, v_base_q, off_base_q, idx_base_q;
  logic [31:0] heads_q;
  logic [16:0] nq_q, nk_q;
  logic [7:0] d_q, blk_q;
  logic causal_q, per_head_q;
  logic [2:0] lgd_q, lgb_q;            // log2 d, log2 B
  logic [16:0] qblocks_q, kblocks_q;
  logic [23:0] qstride_q, kvstride_q;  // bytes between heads
  logic [15:0] slot_len_q;             // T
  logic [30:0] lmult_q, omult_q;
  logic [5:0] lshift_q, oshift_q;

  // descriptor fields straight from the header beats (for the checks)
  logic [31:0] f_magic, f_version, f_heads, f_nq, f_nk, f_shape;
  logic [7:0] f_d, f_blk;
  logic [63:0] f_q, f_k, f_v, f_o, f_off, f_idx;
  assign f_magic = hdr_word(hdr_q, ak_desc_pkg::MagicOffset);
  assign f_version = hdr_word(hdr_q, ak_desc_pkg::VersionOffset);
  assign f_heads = hdr_word(hdr_q, ak_desc_pkg::HeadsOffset);
  assign f_nq = hdr_word(hdr_q, ak_desc_pkg::NqOffset);
  assign f_nk = hdr_word(hdr_q, ak_desc_pkg::NkOffset);
  assign f_shape = hdr_word(hdr_q, ak_desc_pkg::ShapeOffset);
  assign f_d = f_shape[ak_desc_pkg::ShapeHeadDimLsb +: 8];
  assign f_blk = f_shape[ak_desc_pkg::ShapeBlockLsb +: 8];
  assign f_q = hdr_addr(hdr_q, ak_desc_pkg::QLoOffset, ak_desc_pkg::QHiOffset);
  assign f_k = hdr_addr(hdr_q, ak_desc_pkg::KLoOffset, ak_desc_pkg::KHiOffset);
  assign f_v = hdr_addr(hdr_q, ak_desc_pkg::VLoOffset, ak_desc_pkg::VHiOffset);
  assign f_o = hdr_addr(hdr_q, ak_desc_pkg::OLoOffset, ak_desc_pkg::OHiOffset);
  assign f_off = hdr_addr(hdr_q, ak_desc_pkg::KvOffLoOffset, ak_desc_pkg::KvOffHiOffset);
  assign f_idx = hdr_addr(hdr_q, ak_desc_pkg::KvIdxLoOffset, ak_desc_pkg::KvIdxHiOffset);

  logic [7:0] check_code;
  always @* begin
    check_code = 8'(ak_csr_pkg::ErrNone);
    if (f_magic != ak_desc_pkg::MagicMagicReset || f_version != ak_desc_pkg::VersionVersionReset)
      check_code = 8'(ak_csr_pkg::ErrBadDesc);
    else if (f_heads == 0 || f_nq == 0 || f_nk == 0 || f_nq > 32'(ak_pkg::MaxTokens) ||
             f_nk > 32'(ak_pkg::MaxTokens))
      check_code = 8'(ak_csr_pkg::ErrZeroTokens);
    else if (!(f_d == 8'd32 || f_d == 8'd64 || f_d == 8'd128) || 32'(f_d) > MaxHeadDim)
      check_code = 8'(ak_csr_pkg::ErrHeadDim);
    else if (!(f_blk == 8'd16 || f_blk == 8'd32 || f_blk == 8'd64 || f_blk == 8'd128))
      check_code = 8'(ak_csr_pkg::ErrBlockSize);
    else if ((f_q[5:0] | f_k[5:0] | f_v[5:0] | f_o[5:0] | f_off[5:0] | f_idx[5:0]) != 6'd0)
      check_code = 8'(ak_csr_pkg::ErrMisaligned);
  end

  // log2 of a checked head dim or block size (16, 32, 64 or 128)
  function automatic logic [2:0] log2_8(input logic [7:0] x);
    case (x)
      8'd16: log2_8 = 3'd4;
      8'd32: log2_8 = 3'd5;
      8'd64: log2_8 = 3'd6;
      default: log2_8 = 3'd7;
    endcase
  endfunction
  function automatic logic [23:0] stride(input logic [16:0] n, input logic [2:0] lgd);
    logic [23:0] bytes;
    bytes = 24'(n) << lgd;
    stride = (bytes + 24'd63) & ~24'd63;
  endfunction
  // beats holding `bytes` bytes
  function automatic logic [15:0] beats_of(input logic [23:0] bytes);
    beats_of = 16'((bytes + 24'd63) >> 6);
  endfunction
  // beats of the key tile from key t: min(16, nk - t) rows of d bytes
  function automatic logic [15:0] tile_beats(input logic [16:0] nk, input logic [16:0] t,
                                             input logic [2:0] lgd);
    logic [16:0] keys;
    keys = nk - t < 17'(ak_pkg::KeyTile) ? nk - t : 17'(ak_pkg::KeyTile);
    tile_beats = beats_of(24'(keys) << lgd);
  endfunction


  // ---- query-tile contexts ----
  // A context is taken by the front end (ctx_used), is ready for the iterator from the
  // landing of its list and Q until the iterator leaves it, and is freed when its normaliser
  // starts. The list and Q buffers, the softmax row
  // state and the accumulators have two banks, by the context's parity.
  logic [NCtx-1:0] ctx_used_q, ctx_ready_q;
  logic [16:0] ctx_r0_q [NCtx];
  logic [16:0] ctx_rows_q [NCtx];        // valid rows of the query tile
  logic signed [18:0] ctx_klim_q [NCtx]; // keys below this may be valid for the tile's rows
  logic [31:0] ctx_count_q [NCtx];       // entries of the tile's list
  logic [3:0] ctx_lpos_q [NCtx];         // place of the list's first entry in its beat
  logic [63:0] ctx_kv_q [NCtx];          // the head's K/V offset from k_base / v_base
  logic [63:0] ctx_o_q [NCtx];           // output address of the tile's first row
  logic [30:0] ctx_lmult_q [NCtx], ctx_omult_q [NCtx];
  logic [5:0] ctx_lshift_q [NCtx], ctx_oshift_q [NCtx];

  // ---- the front end's walk position ----
  logic [31:0] head_q;
  logic [16:0] r0_q;
  logic [63:0] quant_addr_q, q_head_q, kv_head_q, o_head_q;
  logic [31:0] list_base_q;              // first list of this head
  logic [31:0] off0_q, count_q;          // the tile's list: kv_idx[off0 .. off0 + count)
  logic [CB-1:0] fe_ctx_q;
  logic list_done_q, q_done_q;
  assign fe_bank = fe_ctx_q[0];

  // ---- the back end: the iterator over the contexts' lists (context it_ctx, list position
  // it_p, tile it_k of that block) ----
  logic [CB-1:0] it_ctx_q;
  logic [31:0] it_p_q;
  logic [3:0] it_k_q;
  logic [15:0] it_prev_q;                // the previous block index (ascending check)
  logic it_made_q;                       // a record of this context has been taken
  logic it_rdy;
  logic [LBBits+4:0] it_pos;
  logic [31:0] it_entry;
  logic [16:0] it_kb;
  logic [18:0] it_t;
  logic it_more, it_bad, it_tile, it_skip, it_empty, it_next;
  logic [511:0] it_beat;
  assign it_rdy = ctx_ready_q[it_ctx_q];
  assign it_pos = (LBBits+5)'(ctx_lpos_q[it_ctx_q]) + (LBBits+5)'(it_p_q);
  assign it_beat = lbuf_q[32'(it_ctx_q[0]) * ListBeats + (32'(it_pos) >> 4)];
  assign it_entry = it_beat[32'(it_pos[3:0])*32 +: 32];
  assign it_kb = 17'(it_entry);
  assign it_t = (19'(it_kb) << lgb_q) + (19'(it_k_q) << 4);
  assign it_more = it_rdy && it_p_q < ctx_count_q[it_ctx_q];
  assign it_bad = it_more && it_k_q == 0 &&
                  (it_entry >= 32'(kblocks_q) || (it_p_q != 0 && it_entry[15:0] <= it_prev_q));
  assign it_tile = it_more && !it_bad &&
                   $signed({1'b0, it_t}) < $signed({ctx_klim_q[it_ctx_q][18], ctx_klim_q[it_ctx_q]});
  assign it_skip = it_more && !it_bad && !it_tile;  // the rest of this block is past the limit
  assign it_empty = it_rdy && !it_more && !it_made_q;  // a tile without key tiles: one empty record
  assign it_next = it_rdy && !it_more && it_made_q;    // done with this context

  // ---- the slot pipeline: the record of each stage (kf: K being fetched) ----
  logic kf_v_q, qk_v_q, sm_v_q, pv_v_q;
  logic [16:0] kf_t_q, qk_t_q, sm_t_q;
  logic [CB-1:0] kf_c_q, qk_c_q, sm_c_q, pv_c_q;     // context
  logic kf_f_q, qk_f_q, sm_f_q, pv_f_q;              // the context's first record
  logic kf_e_q, qk_e_q, sm_e_q, pv_e_q;              // empty record
  logic kf_h_q, qk_h_q, sm_h_q, pv_h_q;              // record parity: its K/V/P buffer half
  logic pv_last_q;                                   // the context's last record
  logic tile_par_q;                                  // parity of the next record
  logic kf_in_q, vf_in_q;                // fetched data not yet landed
  logic want_k_q, want_v_q;              // fetch commands not yet taken by the read master
  logic run_q;                           // a slot is running
  logic [15:0] slot_k_q;
  logic slot_end;
  assign slot_end = run_q && slot_k_q == slot_len_q - 1;
  logic [15:0] key_beats_kf, key_beats_sm;
  assign key_beats_kf = tile_beats(nk_q, kf_t_q, lgd_q);
  assign key_beats_sm = tile_beats(nk_q, sm_t_q, lgd_q);

  // the record moving into P.V at the next boundary is its context's last when the iterator
  // has left that context and no later stage holds another of its records
  logic sm_done_ctx, sm_last;
  assign sm_done_ctx = it_ctx_q != sm_c_q || it_next;
  assign sm_last = sm_v_q && sm_done_ctx && !(qk_v_q && qk_c_q == sm_c_q) &&
                   !(kf_v_q && kf_c_q == sm_c_q);

  // ---- the normaliser and the output tiles ----
  logic [1:0] out_full_q;      // output tile bank filled or being filled, not yet written
  logic fin_obank_q;           // the bank the next normalisation fills
  logic fin_done_bank_q;       // the bank of the next normalisation to end
  logic [1:0] fin_cnt_q;       // normalisations running
  logic [1:0] wr_req_q;        // bank written, waiting for the write master
  logic wr_next_q, wr_bank_q;  // next bank to write; bank being written
  logic [63:0] wr_addr_q [2];
  logic [23:0] wr_bytes_q [2];
  logic [30:0] fin_mult_q [2];
  logic [5:0] fin_shift_q [2];

  // a slot boundary: the running slot is in its last cycle (or none runs), the next one's K
  // and V are in, and a normaliser can start if the next slot does a context's last P.V
  logic advance, take, any_next;
  assign advance = state_q == Run && (!run_q || slot_end) && !want_k_q && !want_v_q &&
                   !kf_in_q && !vf_in_q && !it_skip && !it_bad &&
                   !(sm_last && out_full_q[fin_obank_q]);
  assign take = advance && (it_tile || it_empty);
  assign any_next = kf_v_q || qk_v_q || sm_v_q;  // after advancing, something runs

  // ---- read command: K, then V, then the front end's ----
  logic [63:0] off_addr;
  logic [61:0] idx_word;   // word address of kv_idx[off0]; its low 4 bits: place in the beat
  assign off_addr = off_base_q + {30'd0, list_base_q + (32'(r0_q) >> lgb_q), 2'b00};
  assign idx_word = 62'((idx_base_q + {30'd0, off0_q, 2'b00}) >> 2);
  // Q of the front end's context may be read once Q.K^T is done with the context two before
  // (same bank): none of its records is left in the fetch or Q.K^T stage
  logic [CB-1:0] prev2;
  logic q_bank_free;
  assign prev2 = fe_ctx_q - CB'(2);
  assign q_bank_free = !(kf_v_q && kf_c_q == prev2) && !(qk_v_q && qk_c_q == prev2);
  always @* begin
    rd_cmd_valid_o = 1'b0;
    rd_cmd_addr_o = '0;
    rd_cmd_beats_o = 16'd1;
    rd_cmd_tag_o = TagHdr;
    if (state_q == DescRd) begin
      rd_cmd_valid_o = 1'b1;
      rd_cmd_addr_o = desc_q;
      rd_cmd_beats_o = 16'd2;
    end else if (state_q == Run) begin
      if (want_k_q) begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o = ctx_kv_q[kf_c_q] + (64'(kf_t_q) << lgd_q) + 64'(k_base_q);
        rd_cmd_beats_o = key_beats_kf;
        rd_cmd_tag_o = kf_h_q ? TagK1 : TagK0;
      end else if (want_v_q) begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o = ctx_kv_q[sm_c_q] + (64'(sm_t_q) << lgd_q) + 64'(v_base_q);
        rd_cmd_beats_o = key_beats_sm;
        rd_cmd_tag_o = sm_h_q ? TagV1 : TagV0;
      end else begin
        case (fe_q)
          FeQuantRd: begin
            rd_cmd_valid_o = 1'b1;
            rd_cmd_addr_o = {quant_addr_q[63:6], 6'd0};
          end
          FeOffRd: begin
            rd_cmd_valid_o = 1'b1;
            rd_cmd_addr_o = {off_addr[63:6], 6'd0};
            rd_cmd_beats_o = off_addr[5:0] > 6'd56 ? 16'd2 : 16'd1;
          end
          FeListRd: begin
            rd_cmd_valid_o = 1'b1;
            rd_cmd_addr_o = {idx_word[61:4], 6'd0};
            rd_cmd_beats_o = 16'((32'(idx_word[3:0]) + count_q + 32'd15) >> 4);
            rd_cmd_tag_o = TagList;
          end
          FeQRd: begin
            rd_cmd_valid_o = q_bank_free;
            rd_cmd_addr_o = q_head_q + (64'(r0_q) << lgd_q);
            rd_cmd_beats_o = beats_of(24'(ctx_rows_q[fe_ctx_q]) << lgd_q);
            rd_cmd_tag_o = TagQ;
          end
          default: ;
        endcase
      end
    end
  end
  logic rd_go, fe_rd_go;
  assign rd_go = rd_cmd_valid_o && rd_cmd_ready_i;
  assign fe_rd_go = rd_go && state_q == Run && !want_k_q && !want_v_q;

  // the quant entry's 16 bytes and the two kv_off words inside the CTRL beats
  // (the entry's reserved bits above each field are not read)
  /* verilator lint_off UNUSEDSIGNAL */
  logic [127:0] quant_e;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] off_w0, off_w1;
  assign quant_e = hdr_q[32'(quant_addr_q[5:4])*128 +: 128];
  assign off_w0 = hdr_q[32'(off_addr[5:0])*8 +: 32];
  assign off_w1 = hdr_q[(32'(off_addr[5:0]) + 4)*8 +: 32];

  // ---- state machines ----
  logic [7:0] code_q, code_d;
  logic fail;                 // an error or abort this cycle
  logic [7:0] fail_code;
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
      end else if (state_q == Run && fe_q == FeOffUse &&
                   (off_w1 < off_w0 || off_w1 - off_w0 > 32'(MaxKvBlocks))) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrIndexRange);
      end else if (state_q == Run && it_bad) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrIndexRange);
      end
    end
  end

  logic last_row_tile, last_head;
  assign last_row_tile = 32'(r0_q) + Rows >= 32'(nq_q);
  assign last_head = head_q + 1 == heads_q;
  // the context the front end fills next is free, and its list bank too: the iterator has
  // left the context two before
  logic ctx_free;
  assign ctx_free = !ctx_used_q[fe_ctx_q] &&
                    (it_ctx_q == fe_ctx_q || it_ctx_q == fe_ctx_q - CB'(1));
  // everything done: every context freed, every normalisation written
  logic all_done;
  assign all_done = fe_q == FeEnd && ctx_used_q == '0 && out_full_q == '0 && fin_cnt_q == '0 &&
                    wr_req_q == '0 && wr_cmd_ready_i;

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
          if (desc_addr_i[5:0] != 0) begin
            state_d = Drain;
            code_d = 8'(ak_csr_pkg::ErrMisaligned);
          end
        end
        DescRd: if (rd_go) state_d = DescWait;
        DescWait: if (hdr_landed) state_d = Check;
        Check: state_d = Run;
        Run: if (all_done) state_d = Done;
        Drain: if (rd_idle_i && wr_cmd_ready_i && fin_cnt_q == '0) state_d = Done;
        Done: state_d = Idle;
        default: state_d = Idle;
      endcase
    end
  end

  always @* begin
    fe_d = fe_q;
    case (fe_q)
      FeQuantRd: if (fe_rd_go) fe_d = FeQuantWait;
      FeQuantWait: if (hdr_landed) fe_d = FeQuantUse;
      FeQuantUse: fe_d = FeCtx;
      FeCtx: if (ctx_free) fe_d = FeOffRd;
      FeOffRd: if (fe_rd_go) fe_d = FeOffWait;
      FeOffWait: if (hdr_landed) fe_d = FeOffUse;
      // no list, no Q: an empty tile
      FeOffUse: if (off_w1 == off_w0) fe_d = FeLand; else fe_d = FeListRd;
      FeListRd: if (fe_rd_go) fe_d = FeQRd;
      FeQRd: if (fe_rd_go) fe_d = FeLand;
      // the context is ready; on to the next tile
      FeLand: if ((list_done_q || list_landed || count_q == 0) &&
                  (q_done_q || q_landed || count_q == 0)) begin
        if (!last_row_tile) fe_d = FeCtx;
        else if (!last_head) fe_d = FeQuantRd;
        else fe_d = FeEnd;
      end
      default: ;
    endcase
    if (state_q != Run) fe_d = FeQuantRd;
  end
  logic fe_ready;   // the front end's context becomes ready this cycle
  assign fe_ready = state_q == Run && fe_q == FeLand && fe_d != FeLand;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      fe_q <= FeQuantRd;
      code_q <= '0;
      list_done_q <= 1'b0;
      q_done_q <= 1'b0;
    end else begin
      state_q <= state_d;
      fe_q <= fe_d;
      code_q <= code_d;
      if (fe_q == FeOffUse) begin
        list_done_q <= 1'b0;
        q_done_q <= 1'b0;
      end else begin
        if (list_landed) list_done_q <= 1'b1;
        if (q_landed) q_done_q <= 1'b1;
      end
    end
  end

  // ---- the job and the front end's walk position ----
  always_ff @(posedge clk_i) begin
    if (state_q == Idle && start_i) desc_q <= desc_addr_i;
    if (state_q == Check) begin
      heads_q <= f_heads;
      nq_q <= 17'(f_nq);
      nk_q <= 17'(f_nk);
      d_q <= f_d;
      blk_q <= f_blk;
      lgd_q <= log2_8(f_d);
      lgb_q <= log2_8(f_blk);
      causal_q <= f_shape[ak_desc_pkg::ShapeTokenCausalLsb];
      per_head_q <= f_shape[ak_desc_pkg::ShapeMaskPerHeadLsb];
      qblocks_q <= 17'((f_nq + 32'(f_blk) - 1) >> log2_8(f_blk));
      kblocks_q <= 17'((f_nk + 32'(f_blk) - 1) >> log2_8(f_blk));
      qstride_q <= stride(17'(f_nq), log2_8(f_d));
      kvstride_q <= stride(17'(f_nk), log2_8(f_d));
      // T = max(d, Rows * d / 16, Rows + 2)
      slot_len_q <= 16'(Rows * 32'(f_d) / 16) > 16'(f_d) ?
                    (16'(Rows * 32'(f_d) / 16) > 16'(Rows + 2) ? 16'(Rows * 32'(f_d) / 16) : 16'(Rows + 2)) :
                    (16'(f_d) > 16'(Rows + 2) ? 16'(f_d) : 16'(Rows + 2));
      k_base_q <= f_k;
      v_base_q <= f_v;
      off_base_q <= f_off;
      idx_base_q <= f_idx;
      head_q <= '0;
      quant_addr_q <= desc_q + 64'(ak_desc_pkg::QuantOffset);
      q_head_q <= f_q;
      o_head_q <= f_o;
      kv_head_q <= '0;  // offset from k_base / v_base
      list_base_q <= '0;
      r0_q <= '0;
    end
    if (state_q == Run && fe_q == FeQuantUse) begin
      lmult_q <= quant_e[(ak_desc_pkg::QuantLogitMultOffset - ak_desc_pkg::QuantOffset)*8 +: 31];
      lshift_q <= quant_e[(ak_desc_pkg::QuantLogitShiftOffset - ak_desc_pkg::QuantOffset)*8 +: 6];
      omult_q <= quant_e[(ak_desc_pkg::QuantOutMultOffset - ak_desc_pkg::QuantOffset)*8 +: 31];
      oshift_q <= quant_e[(ak_desc_pkg::QuantOutShiftOffset - ak_desc_pkg::QuantOffset)*8 +: 6];
    end
    if (state_q == Run && fe_q == FeOffUse) begin
      off0_q <= off_w0;
      count_q <= off_w1 - off_w0;
      ctx_count_q[fe_ctx_q] <= off_w1 - off_w0;
      ctx_r0_q[fe_ctx_q] <= r0_q;
      ctx_rows_q[fe_ctx_q] <= 32'(r0_q) + Rows <= 32'(nq_q) ? 17'(Rows) : nq_q - r0_q;
      // keys of the tile's last valid row: nk, or i + 1 + nk - nq when token-causal
      ctx_klim_q[fe_ctx_q] <= causal_q ?
                19'((32'(r0_q) + Rows <= 32'(nq_q) ? 32'(r0_q) + Rows : 32'(nq_q)) + 32'(nk_q) - 32'(nq_q)) :
                19'(nk_q);
      ctx_kv_q[fe_ctx_q] <= kv_head_q;
      ctx_o_q[fe_ctx_q] <= o_head_q + (64'(r0_q) << lgd_q);
      ctx_lmult_q[fe_ctx_q] <= lmult_q;
      ctx_lshift_q[fe_ctx_q] <= lshift_q;
      ctx_omult_q[fe_ctx_q] <= omult_q;
      ctx_oshift_q[fe_ctx_q] <= oshift_q;
    end
    if (state_q == Run && fe_q == FeListRd) ctx_lpos_q[fe_ctx_q] <= idx_word[3:0];
    if (fe_ready) begin
      if (last_row_tile) begin
        head_q <= head_q + 1;
        r0_q <= '0;
        quant_addr_q <= quant_addr_q + 64'(ak_desc_pkg::QuantSize);
        q_head_q <= q_head_q + 64'(qstride_q);
        o_head_q <= o_head_q + 64'(qstride_q);
        kv_head_q <= kv_head_q + 64'(kvstride_q);
        if (per_head_q) list_base_q <= list_base_q + 32'(qblocks_q);
      end else begin
        r0_q <= r0_q + 17'(Rows);
      end
    end
  end

  // contexts: taken by the front end, ready when filled until the iterator leaves them, freed
  // when the normaliser starts
  logic ctx_release;
  assign ctx_release = fin_start_o;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ctx_used_q <= '0;
      ctx_ready_q <= '0;
      fe_ctx_q <= '0;
    end else if (state_q != Run) begin
      ctx_used_q <= '0;
      ctx_ready_q <= '0;
      fe_ctx_q <= '0;
    end else begin
      if (fe_q == FeCtx && ctx_free) ctx_used_q[fe_ctx_q] <= 1'b1;
      if (fe_ready) begin
        ctx_ready_q[fe_ctx_q] <= 1'b1;
        fe_ctx_q <= fe_ctx_q + 1'b1;
      end
      if (it_next) ctx_ready_q[it_ctx_q] <= 1'b0;
      if (ctx_release) ctx_used_q[pv_c_q] <= 1'b0;
    end
  end

  // ---- the iterator and the slot pipeline ----
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      it_ctx_q <= '0;
      it_p_q <= '0;
      it_k_q <= '0;
      it_prev_q <= '0;
      it_made_q <= 1'b0;
      kf_v_q <= 1'b0;
      qk_v_q <= 1'b0;
      sm_v_q <= 1'b0;
      pv_v_q <= 1'b0;
      kf_in_q <= 1'b0;
      vf_in_q <= 1'b0;
      tile_par_q <= 1'b0;
      want_k_q <= 1'b0;
      want_v_q <= 1'b0;
      run_q <= 1'b0;
      slot_k_q <= '0;
    end else if (state_q != Run) begin
      it_ctx_q <= '0;
      it_p_q <= '0;
      it_k_q <= '0;
      it_prev_q <= '0;
      it_made_q <= 1'b0;
      kf_v_q <= 1'b0;
      qk_v_q <= 1'b0;
      sm_v_q <= 1'b0;
      pv_v_q <= 1'b0;
      kf_in_q <= 1'b0;
      vf_in_q <= 1'b0;
      tile_par_q <= 1'b0;
      want_k_q <= 1'b0;
      want_v_q <= 1'b0;
      run_q <= 1'b0;
      slot_k_q <= '0;
    end else begin
      // the iterator: skip a block past the limit, move on when a tile is taken, and to the
      // next context when this one is done
      if (it_next) begin
        it_ctx_q <= it_ctx_q + 1'b1;
        it_p_q <= '0;
        it_k_q <= '0;
        it_prev_q <= '0;
        it_made_q <= 1'b0;
      end else if (take && it_empty) begin
        it_made_q <= 1'b1;
      end else if (it_skip || take) begin
        if (take) it_made_q <= 1'b1;
        if (it_skip || (32'(it_k_q) + 1) << 4 >= 32'(blk_q)) begin
          it_p_q <= it_p_q + 1;
          it_k_q <= '0;
          it_prev_q <= it_entry[15:0];
        end else begin
          it_k_q <= it_k_q + 1'b1;
        end
      end
      // fetch commands taken by the read master, and their data landing
      if (rd_go && want_k_q) want_k_q <= 1'b0;
      else if (rd_go && want_v_q) want_v_q <= 1'b0;
      if (k_landed) kf_in_q <= 1'b0;
      if (v_landed) vf_in_q <= 1'b0;
      // the slot in progress
      if (run_q) begin
        slot_k_q <= slot_k_q + 1'b1;
        if (slot_end) run_q <= 1'b0;
      end
      // slot boundary: every record moves one stage on
      if (advance) begin
        pv_v_q <= sm_v_q;
        pv_c_q <= sm_c_q;
        pv_f_q <= sm_f_q;
        pv_e_q <= sm_e_q;
        pv_h_q <= sm_h_q;
        pv_last_q <= sm_last;
        sm_v_q <= qk_v_q;
        sm_t_q <= qk_t_q;
        sm_c_q <= qk_c_q;
        sm_f_q <= qk_f_q;
        sm_e_q <= qk_e_q;
        sm_h_q <= qk_h_q;
        qk_v_q <= kf_v_q;
        qk_t_q <= kf_t_q;
        qk_c_q <= kf_c_q;
        qk_f_q <= kf_f_q;
        qk_e_q <= kf_e_q;
        qk_h_q <= kf_h_q;
        kf_v_q <= take;
        if (take) begin
          kf_t_q <= 17'(it_t);
          kf_c_q <= it_ctx_q;
          kf_f_q <= !it_made_q;
          kf_e_q <= it_empty;
          kf_h_q <= tile_par_q;
          tile_par_q <= !tile_par_q;
          want_k_q <= !it_empty;
          kf_in_q <= !it_empty;
        end
        if (qk_v_q && !qk_e_q) begin
          want_v_q <= 1'b1;
          vf_in_q <= 1'b1;
        end
        run_q <= any_next;
        slot_k_q <= '0;
      end
    end
  end

  // engines: a slot that starts now runs QK on kf's record, SM on qk's, PV on sm's; while it
  // runs the records have moved, so QK is qk_*, SM sm_*, PV pv_*
  assign qk_en_o = run_q && qk_v_q && !qk_e_q && slot_k_q < 16'(d_q);
  assign qk_clear_o = slot_k_q == 0;
  assign qk_capture_o = run_q && slot_k_q == 0;
  assign qk_col_o = 7'(slot_k_q);
  assign qk_half_o = qk_h_q;
  assign qk_bank_o = qk_c_q[0];
  assign sm_start_o = run_q && sm_v_q && slot_k_q == 1;
  assign sm_half_o = sm_h_q;
  assign sm_bank_o = sm_c_q[0];
  assign sm_first_o = sm_f_q;
  assign sm_none_o = sm_e_q;
  assign sm_t_o = sm_t_q;
  assign sm_r0_o = ctx_r0_q[sm_c_q];
  assign sm_mult_o = ctx_lmult_q[sm_c_q];
  assign sm_shift_o = ctx_lshift_q[sm_c_q];
  assign pv_start_o = run_q && pv_v_q && !pv_e_q && slot_k_q == 0;
  assign pv_half_o = pv_h_q;
  assign pv_bank_o = pv_c_q[0];
  assign pv_first_o = pv_f_q;
  // the normaliser: one cycle into the slot with the context's last P.V, a step behind it
  assign fin_start_o = state_q == Run && run_q && pv_v_q && pv_last_q && slot_k_q == 1 && !fail;
  assign fin_bank_o = pv_c_q[0];
  assign fin_obank_o = fin_obank_q;

  // ---- normalisations and output writes, in order, behind the walk ----
  // A normalisation latches its tile's output address, size and scale as it starts and fills
  // output bank fin_obank; its end raises that bank's write request, which the write master
  // takes when idle; the bank is free again when the write has its response. After an error
  // the requests are dropped (Drain waits for the normaliser and the write master).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_full_q <= '0;
      fin_obank_q <= 1'b0;
      fin_done_bank_q <= 1'b0;
      fin_cnt_q <= '0;
      wr_req_q <= '0;
      wr_next_q <= 1'b0;
      wr_bank_q <= 1'b0;
    end else if (state_q == Idle || state_q == Drain) begin
      out_full_q <= '0;
      fin_obank_q <= 1'b0;
      fin_done_bank_q <= 1'b0;
      wr_req_q <= '0;
      wr_next_q <= 1'b0;
      if (fin_done_i) fin_cnt_q <= fin_cnt_q - 1'b1;
    end else begin
      fin_cnt_q <= fin_cnt_q + 2'(fin_start_o) - 2'(fin_done_i);
      if (fin_start_o) begin
        out_full_q[fin_obank_q] <= 1'b1;
        fin_obank_q <= !fin_obank_q;
      end
      if (fin_done_i) begin
        wr_req_q[fin_done_bank_q] <= 1'b1;
        fin_done_bank_q <= !fin_done_bank_q;
      end
      if (wr_cmd_valid_o && wr_cmd_ready_i) begin
        wr_req_q[wr_next_q] <= 1'b0;
        wr_bank_q <= wr_next_q;
        wr_next_q <= !wr_next_q;
      end
      if (wr_done_i) out_full_q[wr_bank_q] <= 1'b0;
    end
  end
  always_ff @(posedge clk_i) begin
    if (fin_start_o) begin
      wr_addr_q[fin_obank_q] <= ctx_o_q[pv_c_q];
      wr_bytes_q[fin_obank_q] <= 24'(ctx_rows_q[pv_c_q]) << lgd_q;
      fin_mult_q[fin_obank_q] <= ctx_omult_q[pv_c_q];
      fin_shift_q[fin_obank_q] <= ctx_oshift_q[pv_c_q];
    end
  end
  assign fin_mult_o = {fin_mult_q[1], fin_mult_q[0]};
  assign fin_shift_o = {fin_shift_q[1], fin_shift_q[0]};
  assign wr_cmd_valid_o = wr_req_q[wr_next_q];
  assign wr_cmd_addr_o = wr_addr_q[wr_next_q];
  assign wr_cmd_beats_o = beats_of(wr_bytes_q[wr_next_q]);
  assign wr_cmd_last_bytes_o = wr_bytes_q[wr_next_q][5:0] == 0 ? 7'd64 :
                               {1'b0, wr_bytes_q[wr_next_q][5:0]};
  assign wr_bank_o = wr_bank_q;

  // ---- counters and status ----
  logic [63:0] cycles_q, stalls_q, macs_q;
  logic stall;
  logic pv_busy_q;
  logic [15:0] pv_left_q;
  // P.V runs Rows * d/16 cycles from its start: the start cycle, then pv_busy_q while
  // pv_left_q (the cycles left after this one) counts down
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pv_busy_q <= 1'b0;
      pv_left_q <= '0;
    end else if (pv_start_o) begin
      pv_busy_q <= Rows * 32'(d_q) / 16 > 1;
      pv_left_q <= 16'((Rows * 32'(d_q) / 16) - 1);
    end else if (pv_busy_q) begin
      pv_busy_q <= pv_left_q != 16'd1;
      pv_left_q <= pv_left_q - 1'b1;
    end
  end
  // waiting: for the descriptor, or with no slot running (for K/V, the front end, or at the
  // end of the job for the last normalisation and write)
  assign stall = state_q == DescWait || (state_q == Run && !run_q && !advance);
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
      macs_q <= macs_q + (qk_en_o ? 64'(Rows * KT) : 64'd0) +
                ((pv_start_o || pv_busy_q) ? 64'(KT * 16) : 64'd0);
    end
  end

  assign busy_o = state_q != Idle;
  assign done_o = state_q == Done;
  assign error_o = code_q != 8'(ak_csr_pkg::ErrNone);
  assign err_code_o = code_q;
  assign cycles_o = cycles_q;
  assign stalls_o = stalls_q;
  assign macs_o = macs_q;
  assign d_o = d_q;
  assign lg_groups_o = 2'(lgd_q - 3'd4);
  assign nq_o = nq_q;
  assign nk_o = nk_q;
  assign causal_o = causal_q;
endmodule
