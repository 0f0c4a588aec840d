// ak_ctrl: the job controller and block-sparse scheduler (docs/architecture.md, "The order of
// work"). It reads and checks the job descriptor, walks heads and query tiles, reads each
// tile's kv-block list and Q, and runs the key tiles of the listed blocks through the
// three-stage pipeline in lock-step slots of T cycles: slot s does Q.K^T of tile s, the
// softmax of tile s-1 and P.V of tile s-2 while the read master brings K of tile s+1 and V of
// tile s-1 into the free halves of the double buffers. A slot starts when the last one has
// run its T cycles and its K and V have arrived; masked blocks are never fetched. The first K
// fetch follows the Q read at once (the first Q.K^T waits for Q). The normaliser starts one
// cycle into the last slot, P.V of the last tile alone, a step behind P.V through the
// accumulators, and runs on its own (with the output scale latched) while the next tile's
// kv_off words, list and Q are read; that tile's key tiles start once it is done. The write
// master stores the output rows in the background; the next normalisation waits for it.
// Errors (descriptor checks, list entries, AXI responses) and aborts end the job once no read
// or write is in flight, with STATUS.error and ERR.code; the controller never waits without a
// way out but memory itself.
module ak_ctrl #(
  parameter int Rows        = 16,
  parameter int MaxHeadDim  = 128,
  parameter int MaxKvBlocks = 512
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
  // tile buffers (written with beat_idx_i as the word and beat_data_i as the data)
  output logic               q_we_o,
  output logic [1:0]         k_we_o,        // per half
  output logic [1:0]         v_we_o,
  // the job's shape and quantisation
  output logic [7:0]         d_o,
  output logic [1:0]         lg_groups_o,   // log2(d / 16)
  output logic [16:0]        nq_o,
  output logic [16:0]        nk_o,
  output logic               causal_o,
  output logic [30:0]        logit_mult_o,
  output logic [5:0]         logit_shift_o,
  output logic [30:0]        out_mult_o,
  output logic [5:0]         out_shift_o,
  output logic [16:0]        r0_o,          // first row of the query tile
  // engines
  output logic               qk_en_o,
  output logic               qk_clear_o,
  output logic               qk_capture_o,
  output logic [6:0]         qk_col_o,
  output logic               qk_half_o,     // K buffer half Q.K^T reads
  output logic               tile_clear_o,  // a query tile starts: softmax rows and accumulators reset
  output logic               sm_start_o,
  output logic               sm_half_o,     // P buffer half the softmax writes
  output logic [16:0]        sm_t_o,        // first key of the softmax's tile
  output logic               pv_start_o,
  output logic               pv_half_o,     // P and V buffer half P.V reads
  output logic               fin_start_o,
  input  logic               fin_done_i
);
  localparam int KT = ak_pkg::KeyTile;
  localparam int ListBeats = MaxKvBlocks / 16 + 1;
  localparam int LBBits = $clog2(ListBeats);
  // read destinations
  localparam logic [2:0] TagHdr = 3'd0, TagList = 3'd1, TagQ = 3'd2, TagK0 = 3'd3, TagK1 = 3'd4,
                         TagV0 = 3'd5, TagV1 = 3'd6;

  // *Wait states wait for a read to land; *Use states take its data from hdr_q a cycle later
  typedef enum logic [4:0] {
    Idle, DescRd, DescWait, Check, QuantRd, QuantWait, QuantUse, OffRd, OffWait, OffUse,
    ListQRd, ListQWait, Tiles, Flush, Drain, Done
  } state_e;
  state_e state_q, state_d;

  // ---- beats for the controller: descriptor header, quant entry, kv_off words ----
  logic [1023:0] hdr_q;    // the last one or two CTRL beats
  logic [511:0] lbuf_q [ListBeats];
  logic hdr_landed, list_landed, q_landed, k_landed, v_landed;
  assign hdr_landed = beat_valid_i && beat_last_i && beat_tag_i == TagHdr;
  assign list_landed = beat_valid_i && beat_last_i && beat_tag_i == TagList;
  assign q_landed = beat_valid_i && beat_last_i && beat_tag_i == TagQ;
  assign k_landed = beat_valid_i && beat_last_i && (beat_tag_i == TagK0 || beat_tag_i == TagK1);
  assign v_landed = beat_valid_i && beat_last_i && (beat_tag_i == TagV0 || beat_tag_i == TagV1);
  always_ff @(posedge clk_i) begin
    if (beat_valid_i && beat_tag_i == TagHdr) hdr_q[beat_idx_i[0]*512 +: 512] <= beat_data_i;
    if (beat_valid_i && beat_tag_i == TagList && 32'(beat_idx_i) < ListBeats)
      lbuf_q[LBBits'(beat_idx_i)] <= beat_data_i;
  end
  assign q_we_o = beat_valid_i && beat_tag_i == TagQ;
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

  // ---- walk position ----
  logic [31:0] head_q;
  logic [16:0] r0_q;
  logic [63:0] quant_addr_q, q_head_q, kv_head_q, o_head_q;
  logic [31:0] list_base_q;              // first list of this head
  logic [31:0] off0_q, count_q;          // the tile's list: kv_idx[off0 .. off0 + count)
  logic signed [18:0] klim_q;            // keys below this may be valid for the tile's rows
  logic [16:0] rows_q;                   // valid rows of the query tile

  // ---- the tile iterator: list position p, tile k of that block ----
  logic [31:0] it_p_q;
  logic [3:0] it_k_q;
  logic [15:0] it_prev_q;                // the previous block index (ascending check)
  logic [LBBits+4:0] it_pos;
  logic [31:0] it_entry;
  logic [16:0] it_kb;
  logic [18:0] it_t;
  logic it_more, it_bad, it_tile, it_skip;
  assign it_pos = (LBBits+5)'(idx_word[3:0]) + (LBBits+5)'(it_p_q);
  assign it_entry = lbuf_q[LBBits'(it_pos >> 4)][32'(it_pos[3:0])*32 +: 32];
  assign it_kb = 17'(it_entry);
  assign it_t = (19'(it_kb) << lgb_q) + (19'(it_k_q) << 4);
  assign it_more = it_p_q < count_q;
  assign it_bad = it_more && it_k_q == 0 &&
                  (it_entry >= 32'(kblocks_q) || (it_p_q != 0 && it_entry[15:0] <= it_prev_q));
  assign it_tile = it_more && !it_bad && $signed({1'b0, it_t}) < $signed({klim_q[18], klim_q});
  assign it_skip = it_more && !it_bad && !it_tile;  // the rest of this block is past the limit

  // ---- the slot pipeline: tile records of each stage ----
  logic kf_v_q, kf_in_q, qk_v_q, sm_v_q, pv_v_q, vf_in_q;
  logic [16:0] kf_t_q, qk_t_q, sm_t_q;
  logic kf_h_q, qk_h_q, sm_h_q, pv_h_q;  // parity of the tile's index: its buffer half
  logic tile_par_q;                      // parity of the next tile's index
  logic want_k_q, want_v_q;              // fetch commands not yet taken by the read master
  logic run_q;                           // a slot is running
  logic [15:0] slot_k_q;
  logic advance, take, any_next;
  logic list_done_q, q_done_q;           // the tile's list and Q have landed
  logic slot_end;
  assign slot_end = run_q && slot_k_q == slot_len_q - 1;
  logic [15:0] key_beats_kf, key_beats_sm;
  assign key_beats_kf = tile_beats(nk_q, kf_t_q, lgd_q);
  assign key_beats_sm = tile_beats(nk_q, sm_t_q, lgd_q);
  assign take = advance && it_tile;
  // a slot boundary: the running slot is in its last cycle (or none runs) and the next one's
  // K and V are in
  // and, when Q.K^T will run, Q is in
  assign advance = state_q == Tiles && (!run_q || slot_end) && !want_k_q && !want_v_q &&
                   !kf_in_q && !vf_in_q && !it_skip && !it_bad && (!kf_v_q || q_done_q);
  // the running slot does P.V of the query tile's last key tile and nothing else, and is past
  // its first cycle: the normaliser may start (it reads each accumulator a cycle after P.V
  // wrote it)
  logic pv_tail;
  assign pv_tail = run_q && pv_v_q && !sm_v_q && !qk_v_q && !kf_v_q && !it_more &&
                   slot_k_q != 16'd0;
  // the query tile's key tiles are done (or only the last P.V runs) and the normaliser's
  // output tile is free: the last tile's write has gone out
  logic tiles_end;
  logic fin_busy_q, wr_req_q;
  assign tiles_end = state_q == Tiles && ((advance && !it_more && !any_next) || pv_tail) &&
                     !wr_req_q && wr_cmd_ready_i;
  assign any_next = kf_v_q || qk_v_q || sm_v_q;  // after advancing, something runs

  // ---- read command of the current state ----
  logic [63:0] off_addr;
  logic [61:0] idx_word;   // word address of kv_idx[off0]; its low 4 bits: place in the beat
  assign off_addr = off_base_q + {30'd0, list_base_q + (32'(r0_q) >> lgb_q), 2'b00};
  assign idx_word = 62'((idx_base_q + {30'd0, off0_q, 2'b00}) >> 2);
  logic list_sent_q;
  always @* begin
    rd_cmd_valid_o = 1'b0;
    rd_cmd_addr_o = '0;
    rd_cmd_beats_o = 16'd1;
    rd_cmd_tag_o = TagHdr;
    case (state_q)
      DescRd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o = desc_q;
        rd_cmd_beats_o = 16'd2;
      end
      QuantRd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o = {quant_addr_q[63:6], 6'd0};
      end
      OffRd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o = {off_addr[63:6], 6'd0};
        rd_cmd_beats_o = off_addr[5:0] > 6'd56 ? 16'd2 : 16'd1;
      end
      ListQRd: begin
        rd_cmd_valid_o = 1'b1;
        if (!list_sent_q && count_q != 0) begin
          rd_cmd_addr_o = {idx_word[61:4], 6'd0};
          rd_cmd_beats_o = 16'((32'(idx_word[3:0]) + count_q + 32'd15) >> 4);
          rd_cmd_tag_o = TagList;
        end else begin
          rd_cmd_addr_o = q_head_q + (64'(r0_q) << lgd_q);
          rd_cmd_beats_o = beats_of(24'(rows_q) << lgd_q);
          rd_cmd_tag_o = TagQ;
        end
      end
      Tiles: if (want_k_q) begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o = kv_head_q + (64'(kf_t_q) << lgd_q) + 64'(k_base_q);
        rd_cmd_beats_o = key_beats_kf;
        rd_cmd_tag_o = kf_h_q ? TagK1 : TagK0;
      end else if (want_v_q) begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o = kv_head_q + (64'(sm_t_q) << lgd_q) + 64'(v_base_q);
        rd_cmd_beats_o = key_beats_sm;
        rd_cmd_tag_o = sm_h_q ? TagV1 : TagV0;
      end
      default: ;
    endcase
  end
  logic rd_go;
  assign rd_go = rd_cmd_valid_o && rd_cmd_ready_i;

  // the quant entry's 16 bytes and the two kv_off words inside the CTRL beats
  // (the entry's reserved bits above each field are not read)
  /* verilator lint_off UNUSEDSIGNAL */
  logic [127:0] quant_e;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] off_w0, off_w1;
  assign quant_e = hdr_q[32'(quant_addr_q[5:4])*128 +: 128];
  assign off_w0 = hdr_q[32'(off_addr[5:0])*8 +: 32];
  assign off_w1 = hdr_q[(32'(off_addr[5:0]) + 4)*8 +: 32];

  // ---- state machine ----
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
      end else if (state_q == OffUse &&
                   (off_w1 < off_w0 || off_w1 - off_w0 > 32'(MaxKvBlocks))) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrIndexRange);
      end else if (state_q == Tiles && it_bad) begin
        fail = 1'b1;
        fail_code = 8'(ak_csr_pkg::ErrIndexRange);
      end
    end
  end

  logic last_row_tile, last_head;
  assign last_row_tile = 32'(r0_q) + Rows >= 32'(nq_q);
  assign last_head = head_q + 1 == heads_q;

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
        Check: state_d = QuantRd;
        QuantRd: if (rd_go) state_d = QuantWait;
        QuantWait: if (hdr_landed) state_d = QuantUse;
        QuantUse: state_d = OffRd;
        OffRd: if (rd_go) state_d = OffWait;
        OffWait: if (hdr_landed) state_d = OffUse;
        OffUse: state_d = ListQRd;
        ListQRd: if (rd_go && rd_cmd_tag_o == TagQ) state_d = ListQWait;
        // the accumulators and row sums are free once the last tile's normaliser is done
        ListQWait: if ((list_done_q || list_landed || count_q == 0) && !fin_busy_q)
          state_d = Tiles;
        // the normaliser starts and the walk moves on
        Tiles: if (tiles_end) begin
          if (!last_row_tile) state_d = OffRd;
          else if (!last_head) state_d = QuantRd;
          else state_d = Flush;
        end
        // the last normalisation and write
        Flush: if (!fin_busy_q && !wr_req_q && wr_cmd_ready_i) state_d = Done;
        Drain: if (rd_idle_i && wr_cmd_ready_i && !fin_busy_q) state_d = Done;
        Done: state_d = Idle;
        default: state_d = Idle;
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      code_q <= '0;
      list_sent_q <= 1'b0;
      list_done_q <= 1'b0;
      q_done_q <= 1'b0;
    end else begin
      state_q <= state_d;
      code_q <= code_d;
      if (state_q == OffUse) begin
        list_sent_q <= 1'b0;
        list_done_q <= 1'b0;
        q_done_q <= 1'b0;
      end else begin
        if (rd_go && rd_cmd_tag_o == TagList) list_sent_q <= 1'b1;
        if (list_landed) list_done_q <= 1'b1;
        if (q_landed) q_done_q <= 1'b1;
      end
    end
  end

  // ---- the job and the walk position ----
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
    if (state_q == QuantUse) begin
      lmult_q <= quant_e[(ak_desc_pkg::QuantLogitMultOffset - ak_desc_pkg::QuantOffset)*8 +: 31];
      lshift_q <= quant_e[(ak_desc_pkg::QuantLogitShiftOffset - ak_desc_pkg::QuantOffset)*8 +: 6];
      omult_q <= quant_e[(ak_desc_pkg::QuantOutMultOffset - ak_desc_pkg::QuantOffset)*8 +: 31];
      oshift_q <= quant_e[(ak_desc_pkg::QuantOutShiftOffset - ak_desc_pkg::QuantOffset)*8 +: 6];
    end
    if (state_q == OffUse) begin
      off0_q <= off_w0;
      count_q <= off_w1 - off_w0;
      rows_q <= 32'(r0_q) + Rows <= 32'(nq_q) ? 17'(Rows) : nq_q - r0_q;
      // keys of the tile's last valid row: nk, or i + 1 + nk - nq when token-causal
      klim_q <= causal_q ?
                19'((32'(r0_q) + Rows <= 32'(nq_q) ? 32'(r0_q) + Rows : 32'(nq_q)) + 32'(nk_q) - 32'(nq_q)) :
                19'(nk_q);
    end
    if (tiles_end) begin
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

  // ---- the iterator and the slot pipeline ----
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      it_p_q <= '0;
      it_k_q <= '0;
      it_prev_q <= '0;
      kf_v_q <= 1'b0;
      kf_in_q <= 1'b0;
      qk_v_q <= 1'b0;
      sm_v_q <= 1'b0;
      pv_v_q <= 1'b0;
      vf_in_q <= 1'b0;
      kf_t_q <= '0;
      qk_t_q <= '0;
      sm_t_q <= '0;
      kf_h_q <= 1'b0;
      qk_h_q <= 1'b0;
      sm_h_q <= 1'b0;
      pv_h_q <= 1'b0;
      tile_par_q <= 1'b0;
      want_k_q <= 1'b0;
      want_v_q <= 1'b0;
      run_q <= 1'b0;
      slot_k_q <= '0;
    end else if (state_q != Tiles) begin
      it_p_q <= '0;
      it_k_q <= '0;
      it_prev_q <= '0;
      kf_v_q <= 1'b0;
      kf_in_q <= 1'b0;
      qk_v_q <= 1'b0;
      sm_v_q <= 1'b0;
      pv_v_q <= 1'b0;
      vf_in_q <= 1'b0;
      tile_par_q <= 1'b0;
      want_k_q <= 1'b0;
      want_v_q <= 1'b0;
      run_q <= 1'b0;
      slot_k_q <= '0;
    end else begin
      // the iterator: skip a block past the limit, or move on when a tile is taken
      if (it_skip || take) begin
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
        pv_h_q <= sm_h_q;
        sm_v_q <= qk_v_q;
        sm_t_q <= qk_t_q;
        sm_h_q <= qk_h_q;
        qk_v_q <= kf_v_q;
        qk_t_q <= kf_t_q;
        qk_h_q <= kf_h_q;
        kf_v_q <= it_tile;
        if (it_tile) begin
          kf_t_q <= 17'(it_t);
          kf_h_q <= tile_par_q;
          tile_par_q <= !tile_par_q;
          want_k_q <= 1'b1;
          kf_in_q <= 1'b1;
        end
        if (qk_v_q) begin
          want_v_q <= 1'b1;
          vf_in_q <= 1'b1;
        end
        run_q <= any_next;
        slot_k_q <= '0;
      end
    end
  end

  // engines: a slot that starts now runs QK on kf's tile, SM on qk's, PV on sm's; while it runs
  // the records have moved, so QK is qk_v_q, SM sm_v_q, PV pv_v_q
  assign qk_en_o = run_q && qk_v_q && slot_k_q < 16'(d_q);
  assign qk_clear_o = slot_k_q == 0;
  assign qk_capture_o = run_q && slot_k_q == 0;
  assign qk_col_o = 7'(slot_k_q);
  assign qk_half_o = qk_h_q;
  assign sm_start_o = run_q && sm_v_q && slot_k_q == 1;
  assign sm_half_o = sm_h_q;
  assign sm_t_o = sm_t_q;
  assign pv_start_o = run_q && pv_v_q && slot_k_q == 0;
  assign pv_half_o = pv_h_q;
  assign tile_clear_o = state_q == ListQWait && state_d == Tiles;
  assign fin_start_o = tiles_end && !fail;

  // ---- the normaliser and the output write, behind the walk ----
  // The tile's output address, size and scale are latched as the normaliser starts; its end
  // raises the write request, which the write master takes when idle. After an error the
  // request is dropped (Drain waits for the normaliser).
  logic [63:0] wr_addr_q;
  logic [23:0] wr_bytes_q;
  logic [30:0] fin_mult_q;
  logic [5:0] fin_shift_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fin_busy_q <= 1'b0;
      wr_req_q <= 1'b0;
    end else begin
      if (fin_start_o) fin_busy_q <= 1'b1;
      else if (fin_done_i) fin_busy_q <= 1'b0;
      if (state_q == Drain || state_q == Idle) wr_req_q <= 1'b0;
      else if (fin_done_i) wr_req_q <= 1'b1;
      else if (wr_req_q && wr_cmd_ready_i) wr_req_q <= 1'b0;  // taken
    end
  end
  always_ff @(posedge clk_i) begin
    if (fin_start_o) begin
      wr_addr_q <= o_head_q + (64'(r0_q) << lgd_q);
      wr_bytes_q <= 24'(rows_q) << lgd_q;
      fin_mult_q <= omult_q;
      fin_shift_q <= oshift_q;
    end
  end
  assign wr_cmd_valid_o = wr_req_q;
  assign wr_cmd_addr_o = wr_addr_q;
  assign wr_cmd_beats_o = beats_of(wr_bytes_q);
  assign wr_cmd_last_bytes_o = wr_bytes_q[5:0] == 0 ? 7'd64 : {1'b0, wr_bytes_q[5:0]};

  // ---- counters and status ----
  logic [63:0] cycles_q, stalls_q, macs_q;
  logic stall;
  logic pv_busy_q;
  logic [15:0] pv_left_q;
  // P.V runs Rows * d/16 cycles from its start
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pv_busy_q <= 1'b0;
      pv_left_q <= '0;
    end else if (pv_start_o) begin
      pv_busy_q <= 1'b1;
      pv_left_q <= 16'((Rows * 32'(d_q) / 16) - 1);
    end else if (pv_busy_q) begin
      pv_busy_q <= pv_left_q != 0;
      pv_left_q <= pv_left_q - 1'b1;
    end
  end
  assign stall = state_q == DescWait || state_q == QuantWait || state_q == OffWait ||
                 state_q == ListQWait || state_q == Flush ||
                 (state_q == Tiles && !run_q && !advance);
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
  assign logit_mult_o = lmult_q;
  assign logit_shift_o = lshift_q;
  assign out_mult_o = fin_mult_q;
  assign out_shift_o = fin_shift_q;
  assign r0_o = r0_q;
endmodule
