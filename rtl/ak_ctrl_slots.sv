// ak_ctrl_slots: the controller's back end (docs/architecture.md, "The order of work", 2): the
// iterator over the ready contexts' kv-block lists and the three-stage slot pipeline. The
// iterator gives the key tiles t = kb * B + 16 k of each listed block kb, in list order, while
// t is below the context's key limit (one empty record for a context without any), and checks
// each entry (below ceil(nk / B), strictly ascending: it_bad_o, INDEX_RANGE). Its records go
// through the pipeline in lock-step slots of T = slot_len_i cycles: while slot s runs, the
// record in the fetch stage has its K fetched, Q.K^T runs record s, the softmax s-1, P.V s-2,
// and V of the softmax's record is fetched; at the slot boundary every record moves on. A slot
// starts when the last one has run its T cycles, its K and V have arrived, and, if it runs a
// context's last P.V, the output bank the normaliser will fill is free. The normaliser starts
// one cycle into that slot (fin_start_o).
// Latency: T cycles a slot; a slot boundary adds no cycle when K and V are in.
module ak_ctrl_slots #(
  parameter int NCtx = 4,
  localparam int CB  = $clog2(NCtx)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                run_i,          // the Run state (the pipeline is empty outside it)
  input  logic                fail_i,         // an error or abort this cycle
  // the job
  input  logic [16:0]         nk_i,
  input  logic [7:0]          d_i,
  input  logic [7:0]          blk_i,
  input  logic [2:0]          lgd_i,
  input  logic [2:0]          lgb_i,
  input  logic [16:0]         kblocks_i,
  input  logic [15:0]         slot_len_i,
  input  logic [63:0]         k_base_i,
  input  logic [63:0]         v_base_i,
  // the context table (ak_ctrl_front)
  output logic [CB-1:0]       it_ctx_o,
  output logic [31:0]         it_pos_o,
  output logic                it_next_o,      // the iterator leaves its context
  output logic                it_bad_o,       // a bad list entry: INDEX_RANGE
  input  logic                it_ready_i,
  input  logic [31:0]         it_count_i,
  input  logic signed [18:0]  it_klim_i,
  input  logic [31:0]         it_entry_i,
  output logic                fetch_valid_o,  // the fetch stage's record
  output logic [CB-1:0]       fetch_ctx_o,
  input  logic [63:0]         fetch_kv_i,
  output logic                qk_valid_o,     // the Q.K^T stage's record
  output logic [CB-1:0]       qk_ctx_o,
  output logic [CB-1:0]       sm_ctx_o,       // the softmax stage's record
  input  logic [63:0]         sm_kv_i,
  output logic [CB-1:0]       pv_ctx_o,       // the P.V stage's record
  // K and V reads: the request (rd_v_o: V, else K; into buffer half rd_half_o), taken with
  // rd_go_i; their data landing
  output logic                rd_valid_o,
  output logic [63:0]         rd_addr_o,
  output logic [23:0]         rd_bytes_o,
  output logic                rd_v_o,
  output logic                rd_half_o,
  input  logic                rd_go_i,
  input  logic                k_landed_i,
  input  logic                v_landed_i,
  // the output bank the next normalisation fills is not written yet (ak_ctrl_out)
  input  logic                out_bank_full_i,
  // slots, for the stall counter
  output logic                run_o,          // a slot is running
  output logic                advance_o,      // a slot boundary
  // engines
  output logic                qk_en_o,
  output logic                qk_clear_o,
  output logic                qk_capture_o,
  output logic [6:0]          qk_col_o,
  output logic                qk_half_o,
  output logic                qk_bank_o,
  output logic                sm_start_o,
  output logic                sm_half_o,
  output logic                sm_bank_o,
  output logic                sm_first_o,
  output logic                sm_none_o,
  output logic [16:0]         sm_t_o,
  output logic                pv_start_o,
  output logic                pv_half_o,
  output logic                pv_bank_o,
  output logic                pv_first_o,
  output logic                fin_start_o,
  output logic                fin_bank_o
);
  // bytes of the key tile from key t: min(16, nk - t) rows of 2^lgd bytes
  function automatic logic [23:0] tile_bytes(input logic [16:0] nk, input logic [16:0] t,
                                             input logic [2:0] lgd);
    logic [16:0] keys;
    keys = nk - t < 17'(ak_pkg::KeyTile) ? nk - t : 17'(ak_pkg::KeyTile);
    tile_bytes = 24'(keys) << lgd;
  endfunction

  // ---- the iterator over the contexts' lists (context it_ctx, list position it_p, tile it_k
  // of that block) ----
  logic [CB-1:0] it_ctx_q;
  logic [31:0] it_p_q;
  logic [3:0] it_k_q;
  logic [15:0] it_prev_q;                // the previous block index (ascending check)
  logic it_made_q;                       // a record of this context has been taken
  logic [16:0] it_kb;
  logic [18:0] it_t;
  logic it_more, it_bad, it_tile, it_skip, it_empty, it_next;
  assign it_kb = 17'(it_entry_i);
  assign it_t = (19'(it_kb) << lgb_i) + (19'(it_k_q) << 4);
  assign it_more = it_ready_i && it_p_q < it_count_i;
  assign it_bad = it_more && it_k_q == 0 &&
                  (it_entry_i >= 32'(kblocks_i) || (it_p_q != 0 && it_entry_i[15:0] <= it_prev_q));
  assign it_tile = it_more && !it_bad &&
                   $signed({1'b0, it_t}) < $signed({it_klim_i[18], it_klim_i});
  assign it_skip = it_more && !it_bad && !it_tile;  // the rest of this block is past the limit
  assign it_empty = it_ready_i && !it_more && !it_made_q;  // no key tiles: one empty record
  assign it_next = it_ready_i && !it_more && it_made_q;    // done with this context
  assign it_ctx_o = it_ctx_q;
  assign it_pos_o = it_p_q;
  assign it_next_o = it_next;
  assign it_bad_o = it_bad;

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
  assign slot_end = run_q && slot_k_q == slot_len_i - 1;
  assign fetch_valid_o = kf_v_q;
  assign fetch_ctx_o = kf_c_q;
  assign qk_valid_o = qk_v_q;
  assign qk_ctx_o = qk_c_q;
  assign sm_ctx_o = sm_c_q;
  assign pv_ctx_o = pv_c_q;

  // the record moving into P.V at the next boundary is its context's last when the iterator
  // has left that context and no later stage holds another of its records
  logic sm_done_ctx, sm_last;
  assign sm_done_ctx = it_ctx_q != sm_c_q || it_next;
  assign sm_last = sm_v_q && sm_done_ctx && !(qk_v_q && qk_c_q == sm_c_q) &&
                   !(kf_v_q && kf_c_q == sm_c_q);

  // a slot boundary: the running slot is in its last cycle (or none runs), the next one's K
  // and V are in, and a normaliser can start if the next slot does a context's last P.V
  logic advance, take, any_next;
  assign advance = run_i && (!run_q || slot_end) && !want_k_q && !want_v_q &&
                   !kf_in_q && !vf_in_q && !it_skip && !it_bad &&
                   !(sm_last && out_bank_full_i);
  assign take = advance && (it_tile || it_empty);
  assign any_next = kf_v_q || qk_v_q || sm_v_q;  // after advancing, something runs
  assign run_o = run_q;
  assign advance_o = advance;

  // ---- K and V reads: K first ----
  assign rd_valid_o = want_k_q || want_v_q;
  assign rd_v_o = !want_k_q;
  assign rd_half_o = want_k_q ? kf_h_q : sm_h_q;
  assign rd_addr_o = want_k_q ? fetch_kv_i + (64'(kf_t_q) << lgd_i) + 64'(k_base_i)
                              : sm_kv_i + (64'(sm_t_q) << lgd_i) + 64'(v_base_i);
  assign rd_bytes_o = tile_bytes(nk_i, want_k_q ? kf_t_q : sm_t_q, lgd_i);

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
    end else if (!run_i) begin
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
        if (it_skip || (32'(it_k_q) + 1) << 4 >= 32'(blk_i)) begin
          it_p_q <= it_p_q + 1;
          it_k_q <= '0;
          it_prev_q <= it_entry_i[15:0];
        end else begin
          it_k_q <= it_k_q + 1'b1;
        end
      end
      // fetch commands taken by the read master, and their data landing
      if (rd_go_i && want_k_q) want_k_q <= 1'b0;
      else if (rd_go_i && want_v_q) want_v_q <= 1'b0;
      if (k_landed_i) kf_in_q <= 1'b0;
      if (v_landed_i) vf_in_q <= 1'b0;
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
  assign qk_en_o = run_q && qk_v_q && !qk_e_q && slot_k_q < 16'(d_i);
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
  assign pv_start_o = run_q && pv_v_q && !pv_e_q && slot_k_q == 0;
  assign pv_half_o = pv_h_q;
  assign pv_bank_o = pv_c_q[0];
  assign pv_first_o = pv_f_q;
  // the normaliser: one cycle into the slot with the context's last P.V, a step behind it
  assign fin_start_o = run_i && run_q && pv_v_q && pv_last_q && slot_k_q == 1 && !fail_i;
  assign fin_bank_o = pv_c_q[0];
endmodule
