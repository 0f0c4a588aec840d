// ak_ctrl_front: the controller's front end (docs/architecture.md, "The order of work", 1). It
// first reads kv_off[lists], the end of every kv-block list (a list ending past it is
// INDEX_RANGE, so no list read leaves kv_idx's region; kv_idx running past 2^64 is
// ADDRESS_WRAP: docs/dma-safety.md), then
// walks the heads and their query tiles of Rows rows and fills one of NCtx query-tile contexts
// per tile, in order: for a head's first tile the head's quantisation entry, then the tile's
// two kv_off words, its kv-block list and its Q tile (list and Q into the buffer bank of the
// context's parity; a tile with an empty list reads neither). Each read waits for the last
// one's data: the entry and the kv_off words come back in the controller's header beats
// (hdr_i), the list into the list buffer here, Q into ak_top's Q buffer. A context is taken
// when it and its list bank are free (the iterator has left the context two before), is
// ready for the iterator once its list and Q have landed until the iterator leaves it, and is
// freed when its normaliser starts. The context table is read here for the other parts
// (the iterator's, the fetching, softmax and P.V records' contexts).
// Latency: one read command in flight at a time; a context is ready the cycle its last read
// lands.
module ak_ctrl_front #(
  parameter int Rows        = ak_pkg::DefaultRows,
  parameter int MaxKvBlocks = ak_pkg::DefaultMaxKvBlocks,
  parameter int NCtx        = ak_pkg::QueryContexts,
  localparam int CtxBits     = $clog2(NCtx)
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic                                run_i,         // the Run state: the walk goes on
  input  logic                                check_i,       // the Check state: the walk starts
  // the job
  input  logic [63:0]                         desc_addr_i,
  input  logic [63:0]                         q_addr_i,      // header fields, in the Check state
  input  logic [63:0]                         o_addr_i,
  input  logic [31:0]                         heads_i,
  input  logic [ak_pkg::TokenBits-1:0]        nq_i,
  input  logic [ak_pkg::TokenBits-1:0]        nk_i,
  input  logic [2:0]                          lgd_i,
  input  logic [2:0]                          lgb_i,
  input  logic                                causal_i,
  input  logic                                per_head_i,
  input  logic [ak_pkg::TokenBits-1:0]        qblocks_i,
  input  logic [23:0]                         qstride_i,
  input  logic [23:0]                         kvstride_i,
  input  logic [63:0]                         off_base_i,
  input  logic [63:0]                         idx_base_i,
  input  logic [48:0]                         lists_i,       // kv-block lists of the job
  // reads: the request (beats of 64 bytes), taken with rd_go_i; their data
  output logic                                rd_valid_o,
  output logic [63:0]                         rd_addr_o,
  output logic [23:0]                         rd_bytes_o,
  output logic                                rd_list_o,     // into the list buffer
  // into the Q buffer (else: the header beats)
  output logic                                rd_q_o,
  input  logic                                rd_go_i,
  input  logic [2*ak_pkg::BeatBits-1:0]       hdr_i,
  input  logic                                hdr_landed_i,
  input  logic                                list_we_i,     // a list beat
  input  logic [15:0]                         beat_idx_i,
  input  logic [ak_pkg::BeatBits-1:0]         beat_data_i,
  input  logic                                list_landed_i,
  input  logic                                q_landed_i,
  // the list and Q bank of the context it fills
  output logic                                bank_o,
  // the kv_off words make no list: INDEX_RANGE
  output logic                                off_bad_o,
  // kv_idx's region (kv_off[lists] words) runs past 2^64: ADDRESS_WRAP
  output logic                                idx_wrap_o,
  // kv_off[lists], read first in Run: every list ends at or below it (the pruning unit's probe
  // pass holds the lists it re-reads to the same bound)
  output logic [31:0]                         total_o,
  output logic                                end_o,         // every tile of the job has a context
  output logic                                idle_o,        // every context free
  // the iterator
  input  logic [CtxBits-1:0]                       iter_ctx_i,
  /* verilator lint_off UNUSEDSIGNAL */  // a position below MaxKvBlocks: the high bits are 0
  input  logic [31:0]                         list_pos_i,    // position in the context's list
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic                                iter_done_i,   // it leaves its context
  output logic                                ctx_ready_o,   // its context is ready
  output logic [31:0]                         list_count_o,  // entries of the context's list
  // keys below this may be valid for the tile
  output logic signed [ak_pkg::TokenBits+1:0] key_limit_o,
  output logic [31:0]                         list_entry_o,  // the list entry at list_pos_i
  // the records in the fetch and Q.K^T stages (Q of the context two before is in use)
  input  logic                                fetch_valid_i,
  input  logic [CtxBits-1:0]                       fetch_ctx_i,
  input  logic                                qk_valid_i,
  input  logic [CtxBits-1:0]                       qk_ctx_i,
  // the head's K/V offset from k_base / v_base
  output logic [63:0]                         fetch_kv_o,
  input  logic [CtxBits-1:0]                       sm_ctx_i,
  output logic [63:0]                         sm_kv_o,
  // first row of the softmax record's tile
  output logic [ak_pkg::TokenBits-1:0]        sm_r0_o,
  output logic [31:0]                         sm_head_o,     // its head (the pruning unit's)
  output logic [ak_pkg::MultBits-1:0]         sm_mult_o,     // its head's logit scale
  output logic [ak_pkg::ShiftBits-1:0]        sm_shift_o,
  input  logic [CtxBits-1:0]                       pv_ctx_i,
  input  logic                                release_i,     // the normaliser of pv_ctx_i starts
  // output address of its tile's first row
  output logic [63:0]                         pv_o_addr_o,
  output logic [ak_pkg::TokenBits-1:0]        pv_rows_o,     // valid rows of its tile
  output logic [ak_pkg::MultBits-1:0]         pv_mult_o,     // its output scale
  output logic [ak_pkg::ShiftBits-1:0]        pv_shift_o
);
  localparam int TokenBits = ak_pkg::TokenBits;
  localparam int BeatBytes = ak_pkg::BeatBytes;
  localparam int BeatLog2 = ak_pkg::BeatBytesLog2;
  localparam logic [63:0] InBeat = 64'(BeatBytes) - 64'd1;  // an address's bits within its beat
  localparam int WordLog2 = BeatLog2 - 2;  // log2 of the 32-bit list entries a beat holds
  localparam int ListBeats = MaxKvBlocks / (BeatBytes / 4) + 1;
  localparam int ListBeatBits = $clog2(ListBeats);

  // *Wait states wait for a read to land, *Use states take its data from hdr_i a cycle later
  typedef enum logic [3:0] {
    FeTotRd, FeTotWait, FeTotUse, FeQuantRd, FeQuantWait, FeQuantUse, FeCtx, FeOffRd, FeOffWait, FeOffUse, FeListRd, FeQRd,
    FeLand, FeEnd
  } front_e;
  front_e front_q, front_d;

  // ---- query-tile contexts ----
  logic [NCtx-1:0] ctx_used_q, ctx_ready_q;
  logic [TokenBits-1:0] ctx_r0_q [NCtx];
  logic [31:0] ctx_head_q [NCtx];
  logic [TokenBits-1:0] ctx_rows_q [NCtx];  // valid rows of the query tile
  logic signed [TokenBits+1:0] ctx_key_limit_q [NCtx];  // keys below this may be valid
  logic [31:0] ctx_count_q [NCtx];       // entries of the tile's list
  logic [WordLog2-1:0] ctx_list_start_q [NCtx];  // place of the list's first entry in its beat
  logic [63:0] ctx_kv_q [NCtx];          // the head's K/V offset from k_base / v_base
  logic [63:0] ctx_o_q [NCtx];           // output address of the tile's first row
  logic [ak_pkg::MultBits-1:0] ctx_logit_mult_q [NCtx], ctx_out_mult_q [NCtx];
  logic [ak_pkg::ShiftBits-1:0] ctx_logit_shift_q [NCtx], ctx_out_shift_q [NCtx];

  // ---- the walk position ----
  logic [31:0] head_q;
  logic [TokenBits-1:0] r0_q;
  logic [63:0] quant_addr_q, q_head_q, kv_head_q, o_head_q;
  logic [31:0] list_base_q;              // first list of this head
  // the tile's list: kv_idx[list_start .. list_start + count)
  logic [31:0] list_start_q, count_q;
  logic [31:0] total_q;                  // kv_off[lists]: every list ends at or below it
  logic [CtxBits-1:0] front_ctx_q;
  logic list_done_q, q_done_q;
  logic [ak_pkg::MultBits-1:0] logit_mult_q, out_mult_q;  // the head's quantisation entry
  logic [ak_pkg::ShiftBits-1:0] logit_shift_q, out_shift_q;
  assign bank_o = front_ctx_q[0];

  // ---- the list buffer: bank b, beat i at b * ListBeats + i ----
  logic [ak_pkg::BeatBits-1:0] list_buf_q [2*ListBeats];
  always_ff @(posedge clk_i) begin
    if (list_we_i && 32'(beat_idx_i) < ListBeats)
      list_buf_q[32'(front_ctx_q[0]) * ListBeats + 32'(beat_idx_i)] <= beat_data_i;
  end
  logic [ListBeatBits+WordLog2:0] list_word;  // the entry's 32-bit word in its bank
  logic [ak_pkg::BeatBits-1:0] list_beat;
  assign list_word = (ListBeatBits+WordLog2+1)'(ctx_list_start_q[iter_ctx_i]) +
                     (ListBeatBits+WordLog2+1)'(list_pos_i);
  assign list_beat = list_buf_q[32'(iter_ctx_i[0]) * ListBeats + (32'(list_word) >> WordLog2)];
  assign list_entry_o = list_beat[32'(list_word[WordLog2-1:0])*32 +: 32];
  assign ctx_ready_o = ctx_ready_q[iter_ctx_i];
  assign list_count_o = ctx_count_q[iter_ctx_i];
  assign key_limit_o = ctx_key_limit_q[iter_ctx_i];
  assign fetch_kv_o = ctx_kv_q[fetch_ctx_i];
  assign sm_kv_o = ctx_kv_q[sm_ctx_i];
  assign sm_r0_o = ctx_r0_q[sm_ctx_i];
  assign sm_head_o = ctx_head_q[sm_ctx_i];
  assign sm_mult_o = ctx_logit_mult_q[sm_ctx_i];
  assign sm_shift_o = ctx_logit_shift_q[sm_ctx_i];
  assign pv_o_addr_o = ctx_o_q[pv_ctx_i];
  assign pv_rows_o = ctx_rows_q[pv_ctx_i];
  assign pv_mult_o = ctx_out_mult_q[pv_ctx_i];
  assign pv_shift_o = ctx_out_shift_q[pv_ctx_i];

  // ---- reads ----
  logic [63:0] off_addr, tot_addr;
  assign tot_addr = off_base_i + {13'd0, lists_i, 2'b00};
  // word address of kv_idx[list_start]; its low WordLog2 bits: its place in the beat
  logic [61:0] idx_word;
  assign off_addr = off_base_i + {30'd0, list_base_q + (32'(r0_q) >> lgb_i), 2'b00};
  assign idx_word = 62'((idx_base_i + {30'd0, list_start_q, 2'b00}) >> 2);
  // Q of this context may be read once Q.K^T is done with the context two before (same
  // bank): none of its records is left in the fetch or Q.K^T stage
  logic [CtxBits-1:0] prev2;
  logic q_bank_free;
  assign prev2 = front_ctx_q - CtxBits'(2);
  assign q_bank_free = !(fetch_valid_i && fetch_ctx_i == prev2) && !(qk_valid_i && qk_ctx_i == prev2);
  always @* begin
    rd_valid_o = 1'b0;
    rd_addr_o = '0;
    rd_bytes_o = 24'(BeatBytes);
    rd_list_o = 1'b0;
    rd_q_o = 1'b0;
    case (front_q)
      FeTotRd: begin
        rd_valid_o = 1'b1;
        rd_addr_o = tot_addr & ~InBeat;
      end
      FeQuantRd: begin
        rd_valid_o = 1'b1;
        rd_addr_o = quant_addr_q & ~InBeat;
      end
      FeOffRd: begin
        rd_valid_o = 1'b1;
        rd_addr_o = off_addr & ~InBeat;
        // the two 4-byte words cross into the next beat
        rd_bytes_o = 32'(off_addr[BeatLog2-1:0]) > BeatBytes - 8 ? 24'(2 * BeatBytes)
                                                                 : 24'(BeatBytes);
      end
      FeListRd: begin
        rd_valid_o = 1'b1;
        rd_addr_o = {idx_word, 2'b00} & ~InBeat;
        rd_bytes_o = 24'((32'(idx_word[WordLog2-1:0]) + count_q) << 2);
        rd_list_o = 1'b1;
      end
      FeQRd: begin
        rd_valid_o = q_bank_free;
        rd_addr_o = q_head_q + (64'(r0_q) << lgd_i);
        rd_bytes_o = 24'(ctx_rows_q[front_ctx_q]) << lgd_i;
        rd_q_o = 1'b1;
      end
      default: ;
    endcase
  end

  // the quant entry's 16 bytes and the two kv_off words inside the header beats
  // (the entry's reserved bits above each field are not read)
  /* verilator lint_off UNUSEDSIGNAL */
  logic [127:0] quant_e;  // the head's quantisation entry (fields from QuantBase on)
  localparam int QuantBase = ak_desc_pkg::QuantOffset;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] off_w0, off_w1, tot_w;
  assign quant_e = hdr_i[32'(quant_addr_q[BeatLog2-1:4])*128 +: 128];
  assign off_w0 = hdr_i[32'(off_addr[BeatLog2-1:0])*8 +: 32];
  assign off_w1 = hdr_i[(32'(off_addr[BeatLog2-1:0]) + 4)*8 +: 32];
  assign tot_w = hdr_i[32'(tot_addr[BeatLog2-1:0])*8 +: 32];
  assign off_bad_o = run_i && front_q == FeOffUse &&
                     (off_w1 < off_w0 || off_w1 - off_w0 > 32'(MaxKvBlocks) || off_w1 > total_q);
  assign total_o = total_q;
  assign idx_wrap_o = run_i && front_q == FeTotUse &&
                      65'(idx_base_i) + {31'd0, tot_w, 2'b00} > {1'b1, 64'd0};

  // ---- the state machine ----
  logic last_row_tile, last_head;
  assign last_row_tile = 32'(r0_q) + Rows >= 32'(nq_i);
  assign last_head = head_q + 1 == heads_i;
  // the context to fill is free, and its list bank too: the iterator has left the context
  // two before
  logic ctx_free;
  assign ctx_free = !ctx_used_q[front_ctx_q] &&
                    (iter_ctx_i == front_ctx_q || iter_ctx_i == front_ctx_q - CtxBits'(1));
  always @* begin
    front_d = front_q;
    case (front_q)
      FeTotRd: if (rd_go_i) front_d = FeTotWait;
      FeTotWait: if (hdr_landed_i) front_d = FeTotUse;
      FeTotUse: front_d = FeQuantRd;
      FeQuantRd: if (rd_go_i) front_d = FeQuantWait;
      FeQuantWait: if (hdr_landed_i) front_d = FeQuantUse;
      FeQuantUse: front_d = FeCtx;
      FeCtx: if (ctx_free) front_d = FeOffRd;
      FeOffRd: if (rd_go_i) front_d = FeOffWait;
      FeOffWait: if (hdr_landed_i) front_d = FeOffUse;
      // no list, no Q: an empty tile
      FeOffUse: if (off_w1 == off_w0) front_d = FeLand; else front_d = FeListRd;
      FeListRd: if (rd_go_i) front_d = FeQRd;
      FeQRd: if (rd_go_i) front_d = FeLand;
      // the context is ready; on to the next tile
      FeLand: if ((list_done_q || list_landed_i || count_q == 0) &&
                  (q_done_q || q_landed_i || count_q == 0)) begin
        if (!last_row_tile) front_d = FeCtx;
        else if (!last_head) front_d = FeQuantRd;
        else front_d = FeEnd;
      end
      default: ;
    endcase
    if (!run_i) front_d = FeTotRd;
  end
  logic front_ready;   // the context becomes ready this cycle
  assign front_ready = run_i && front_q == FeLand && front_d != FeLand;
  assign end_o = front_q == FeEnd;
  assign idle_o = ctx_used_q == '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      front_q <= FeTotRd;
      list_done_q <= 1'b0;
      q_done_q <= 1'b0;
    end else begin
      front_q <= front_d;
      if (front_q == FeOffUse) begin
        list_done_q <= 1'b0;
        q_done_q <= 1'b0;
      end else begin
        if (list_landed_i) list_done_q <= 1'b1;
        if (q_landed_i) q_done_q <= 1'b1;
      end
    end
  end

  // ---- the walk position and the contexts' fields ----
  always_ff @(posedge clk_i) begin
    if (check_i) begin
      head_q <= '0;
      quant_addr_q <= desc_addr_i + 64'(ak_desc_pkg::QuantOffset);
      q_head_q <= q_addr_i;
      o_head_q <= o_addr_i;
      kv_head_q <= '0;  // offset from k_base / v_base
      list_base_q <= '0;
      r0_q <= '0;
    end
    if (run_i && front_q == FeTotUse) total_q <= tot_w;
    if (run_i && front_q == FeQuantUse) begin
      logit_mult_q <=
          quant_e[(ak_desc_pkg::QuantLogitMultOffset - QuantBase)*8 +: ak_pkg::MultBits];
      logit_shift_q <=
          quant_e[(ak_desc_pkg::QuantLogitShiftOffset - QuantBase)*8 +: ak_pkg::ShiftBits];
      out_mult_q <=
          quant_e[(ak_desc_pkg::QuantOutMultOffset - QuantBase)*8 +: ak_pkg::MultBits];
      out_shift_q <=
          quant_e[(ak_desc_pkg::QuantOutShiftOffset - QuantBase)*8 +: ak_pkg::ShiftBits];
    end
    if (run_i && front_q == FeOffUse) begin
      list_start_q <= off_w0;
      count_q <= off_w1 - off_w0;
      ctx_count_q[front_ctx_q] <= off_w1 - off_w0;
      ctx_r0_q[front_ctx_q] <= r0_q;
      ctx_head_q[front_ctx_q] <= head_q;
      ctx_rows_q[front_ctx_q] <= 32'(r0_q) + Rows <= 32'(nq_i) ? TokenBits'(Rows) : nq_i - r0_q;
      // keys of the tile's last valid row: nk, or i + 1 + nk - nq when token-causal
      ctx_key_limit_q[front_ctx_q] <= causal_i ?
          (TokenBits+2)'((32'(r0_q) + Rows <= 32'(nq_i) ? 32'(r0_q) + Rows : 32'(nq_i)) +
                         32'(nk_i) - 32'(nq_i)) :
          (TokenBits+2)'(nk_i);
      ctx_kv_q[front_ctx_q] <= kv_head_q;
      ctx_o_q[front_ctx_q] <= o_head_q + (64'(r0_q) << lgd_i);
      ctx_logit_mult_q[front_ctx_q] <= logit_mult_q;
      ctx_logit_shift_q[front_ctx_q] <= logit_shift_q;
      ctx_out_mult_q[front_ctx_q] <= out_mult_q;
      ctx_out_shift_q[front_ctx_q] <= out_shift_q;
    end
    if (run_i && front_q == FeListRd) ctx_list_start_q[front_ctx_q] <= idx_word[WordLog2-1:0];
    if (front_ready) begin
      if (last_row_tile) begin
        head_q <= head_q + 1;
        r0_q <= '0;
        quant_addr_q <= quant_addr_q + 64'(ak_desc_pkg::QuantSize);
        q_head_q <= q_head_q + 64'(qstride_i);
        o_head_q <= o_head_q + 64'(qstride_i);
        kv_head_q <= kv_head_q + 64'(kvstride_i);
        if (per_head_i) list_base_q <= list_base_q + 32'(qblocks_i);
      end else begin
        r0_q <= r0_q + TokenBits'(Rows);
      end
    end
  end

  // contexts: taken here, ready when filled until the iterator leaves them, freed when the
  // normaliser starts
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ctx_used_q <= '0;
      ctx_ready_q <= '0;
      front_ctx_q <= '0;
    end else if (!run_i) begin
      ctx_used_q <= '0;
      ctx_ready_q <= '0;
      front_ctx_q <= '0;
    end else begin
      if (front_q == FeCtx && ctx_free) ctx_used_q[front_ctx_q] <= 1'b1;
      if (front_ready) begin
        ctx_ready_q[front_ctx_q] <= 1'b1;
        front_ctx_q <= front_ctx_q + 1'b1;
      end
      if (iter_done_i) ctx_ready_q[iter_ctx_i] <= 1'b0;
      if (release_i) ctx_used_q[pv_ctx_i] <= 1'b0;
    end
  end

`ifndef SYNTHESIS
  // ---- assertions (simulation only; docs/assertions.md). chk_live_q: out of reset since the
  // last edge (rst_ni is only an asynchronous reset, never sampled) ----
  logic chk_live_q;
  always_ff @(posedge clk_i or negedge rst_ni) chk_live_q <= rst_ni;
  // contexts: one made ready is not ready already (allocated twice), one freed was taken
  always @(posedge clk_i)
    if (chk_live_q && run_i) begin
      if (front_ready && ctx_ready_q[front_ctx_q])
        $fatal(1, "AK_ASSERT front_ctx_twice: context %0d made ready while still ready",
               front_ctx_q);
      if (release_i && !ctx_used_q[pv_ctx_i])
        $fatal(1, "AK_ASSERT front_ctx_free: context %0d freed while not taken", pv_ctx_i);
    end
`endif
endmodule
