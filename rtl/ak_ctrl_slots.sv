// ak_ctrl_slots: the controller's back end (docs/architecture.md, "The order of work", 2): the
// iterator over the ready contexts' kv-block lists and the three-stage slot pipeline. The
// iterator gives the key tiles t = kb * B + 16 k of each listed block kb, in list order, while
// t is below the context's key limit (one empty record for a context without any), and checks
// each entry (below ceil(nk / B), strictly ascending: entry_bad_o, INDEX_RANGE). Its records go
// through the pipeline in lock-step slots of T = slot_len_i cycles: while slot s runs, the
// record in the fetch stage has its K fetched, Q.K^T runs record s, the softmax s-1, P.V s-2,
// and V of the softmax's record is fetched; at the slot boundary every record moves on. A slot
// starts when the last one has run its T cycles, its K and V have arrived, and, if it runs a
// context's last P.V, the output bank the normaliser will fill is free. The normaliser starts
// one cycle into that slot (fin_start_o).
// Latency: T cycles a slot; a slot boundary adds no cycle when K and V are in.
module ak_ctrl_slots #(
  parameter int NCtx = ak_pkg::QueryContexts,
  localparam int CtxBits = $clog2(NCtx)
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  // the Run state (the pipeline is empty outside it)
  input  logic                                run_i,
  input  logic                                fail_i,         // an error or abort this cycle
  // the job
  input  logic [ak_pkg::TokenBits-1:0]        nk_i,
  input  logic [7:0]                          d_i,
  input  logic [7:0]                          blk_i,
  input  logic [2:0]                          lgd_i,
  input  logic [2:0]                          lgb_i,
  input  logic [ak_pkg::TokenBits-1:0]        kblocks_i,
  input  logic [15:0]                         slot_len_i,
  input  logic [63:0]                         k_base_i,
  input  logic [63:0]                         v_base_i,
  // the context table (ak_ctrl_front)
  output logic [CtxBits-1:0]                       iter_ctx_o,
  output logic [31:0]                         list_pos_o,
  output logic                                iter_done_o,    // the iterator leaves its context
  output logic                                entry_bad_o,    // a bad list entry: INDEX_RANGE
  input  logic                                ctx_ready_i,    // iter_ctx_o is filled
  input  logic [31:0]                         list_count_i,   // entries of its list
  // keys below this may be valid for its rows
  input  logic signed [ak_pkg::TokenBits+1:0] key_limit_i,
  input  logic [31:0]                         list_entry_i,   // its list's entry at list_pos_o
  output logic                                fetch_valid_o,  // the fetch stage's record
  output logic [CtxBits-1:0]                       fetch_ctx_o,
  input  logic [63:0]                         fetch_kv_i,
  output logic                                qk_valid_o,     // the Q.K^T stage's record
  output logic [CtxBits-1:0]                       qk_ctx_o,
  output logic [CtxBits-1:0]                       sm_ctx_o,       // the softmax stage's record
  input  logic [63:0]                         sm_kv_i,
  output logic [CtxBits-1:0]                       pv_ctx_o,       // the P.V stage's record
  // K and V reads: the request (rd_v_o: V, else K; into buffer half rd_half_o), taken with
  // rd_go_i; their data landing
  output logic                                rd_valid_o,
  output logic [63:0]                         rd_addr_o,
  output logic [23:0]                         rd_bytes_o,
  output logic                                rd_v_o,
  output logic                                rd_half_o,
  input  logic                                rd_go_i,
  input  logic                                k_landed_i,
  input  logic                                v_landed_i,
  // the output bank the next normalisation fills is not written yet (ak_ctrl_out)
  input  logic                                out_bank_full_i,
  // slots, for the stall counter
  output logic                                run_o,          // a slot is running
  output logic                                advance_o,      // a slot boundary
  // engines
  output logic                                qk_en_o,
  output logic                                qk_clear_o,
  output logic                                qk_capture_o,
  output logic [$clog2(ak_pkg::MaxHeadDim)-1:0] qk_col_o,  // 0..d-1
  output logic                                qk_half_o,
  output logic                                qk_bank_o,
  output logic                                sm_start_o,
  output logic                                sm_half_o,
  output logic                                sm_bank_o,
  output logic                                sm_first_o,
  output logic                                sm_none_o,
  output logic [ak_pkg::TokenBits-1:0]        sm_t_o,
  output logic                                pv_start_o,
  output logic                                pv_half_o,
  output logic                                pv_bank_o,
  output logic                                pv_first_o,
  output logic                                fin_start_o,
  output logic                                fin_bank_o
);
  localparam int TokenBits = ak_pkg::TokenBits;
  localparam int ColBits = $clog2(ak_pkg::MaxHeadDim);  // a column of the head dim
  // bytes of the key tile from key t: min(16, nk - t) rows of 2^log2_d bytes
  function automatic logic [23:0] tile_bytes(input logic [TokenBits-1:0] nk,
                                             input logic [TokenBits-1:0] t,
                                             input logic [2:0] log2_d);
    logic [TokenBits-1:0] keys;
    keys = nk - t < TokenBits'(ak_pkg::KeyTile) ? nk - t : TokenBits'(ak_pkg::KeyTile);
    tile_bytes = 24'(keys) << log2_d;
  endfunction

  // ---- the iterator over the contexts' lists: context iter_ctx_q, its list's entry
  // list_pos_q (block kb), that block's key tile block_tile_q (t = kb * B + 16 block_tile_q) ----
  logic [CtxBits-1:0] iter_ctx_q;
  logic [31:0] list_pos_q;
  logic [3:0] block_tile_q;
  logic [15:0] prev_block_q;     // the previous block index (ascending check)
  logic ctx_has_record_q;        // a record of this context has been taken
  logic [TokenBits-1:0] list_block;       // the block kb of the current entry
  logic [TokenBits+1:0] tile_key;         // t: the first key of the current tile
  logic list_left, entry_bad, tile_in_limit, block_past_limit, ctx_no_tiles, iter_done;
  assign list_block = TokenBits'(list_entry_i);
  assign tile_key = ((TokenBits+2)'(list_block) << lgb_i) + ((TokenBits+2)'(block_tile_q) << 4);
  assign list_left = ctx_ready_i && list_pos_q < list_count_i;
  assign entry_bad = list_left && block_tile_q == 0 &&
                     (list_entry_i >= 32'(kblocks_i) ||
                      (list_pos_q != 0 && list_entry_i[15:0] <= prev_block_q));
  assign tile_in_limit = list_left && !entry_bad &&
                         $signed({1'b0, tile_key}) <
                         $signed({key_limit_i[TokenBits+1], key_limit_i});
  // the rest of this block is past the limit
  assign block_past_limit = list_left && !entry_bad && !tile_in_limit;
  // no key tiles: one empty record
  assign ctx_no_tiles = ctx_ready_i && !list_left && !ctx_has_record_q;
  assign iter_done = ctx_ready_i && !list_left && ctx_has_record_q;  // done with this context
  assign iter_ctx_o = iter_ctx_q;
  assign list_pos_o = list_pos_q;
  assign iter_done_o = iter_done;
  assign entry_bad_o = entry_bad;

  // ---- the slot pipeline: the record of each stage (fetch: its K being fetched) ----
  // (the cycle model's `record`, refmodel/src/cycle_model_int.h)
  typedef struct packed {
    logic valid;
    logic [TokenBits-1:0] key;  // the tile's first key
    logic [CtxBits-1:0] ctx;         // its context
    logic first;                // the context's first record
    logic empty;                // empty record: a context without key tiles
    logic half;                 // its K/V/P buffer half
  } record_t;
  record_t fetch_q, qk_q, sm_q;
  /* verilator lint_off UNUSEDSIGNAL */  // P.V does not need the key
  record_t pv_q;
  /* verilator lint_on UNUSEDSIGNAL */
  logic pv_last_q;                      // the context's last record
  logic next_half_q;                    // buffer half of the next record
  logic k_pending_q, v_pending_q;       // fetched data not yet landed
  logic want_k_q, want_v_q;             // fetch commands not yet taken by the read master
  logic run_q;                          // a slot is running
  logic [15:0] slot_cycle_q;            // cycles of the running slot so far
  logic slot_end;
  assign slot_end = run_q && slot_cycle_q == slot_len_i - 1;
  assign fetch_valid_o = fetch_q.valid;
  assign fetch_ctx_o = fetch_q.ctx;
  assign qk_valid_o = qk_q.valid;
  assign qk_ctx_o = qk_q.ctx;
  assign sm_ctx_o = sm_q.ctx;
  assign pv_ctx_o = pv_q.ctx;

  // the record moving into P.V at the next boundary is its context's last when the iterator
  // has left that context and no later stage holds another of its records
  logic sm_done_ctx, sm_last;
  assign sm_done_ctx = iter_ctx_q != sm_q.ctx || iter_done;
  assign sm_last = sm_q.valid && sm_done_ctx && !(qk_q.valid && qk_q.ctx == sm_q.ctx) &&
                   !(fetch_q.valid && fetch_q.ctx == sm_q.ctx);

  // a slot boundary: the running slot is in its last cycle (or none runs), the next one's K
  // and V are in, and a normaliser can start if the next slot does a context's last P.V
  logic advance, take, any_next;
  assign advance = run_i && (!run_q || slot_end) && !want_k_q && !want_v_q &&
                   !k_pending_q && !v_pending_q && !block_past_limit && !entry_bad &&
                   !(sm_last && out_bank_full_i);
  assign take = advance && (tile_in_limit || ctx_no_tiles);
  assign any_next = fetch_q.valid || qk_q.valid || sm_q.valid;  // after advancing, something runs
  assign run_o = run_q;
  assign advance_o = advance;

  // ---- K and V reads: K first ----
  assign rd_valid_o = want_k_q || want_v_q;
  assign rd_v_o = !want_k_q;
  assign rd_half_o = want_k_q ? fetch_q.half : sm_q.half;
  assign rd_addr_o = want_k_q ? fetch_kv_i + (64'(fetch_q.key) << lgd_i) + 64'(k_base_i)
                              : sm_kv_i + (64'(sm_q.key) << lgd_i) + 64'(v_base_i);
  assign rd_bytes_o = tile_bytes(nk_i, want_k_q ? fetch_q.key : sm_q.key, lgd_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      iter_ctx_q <= '0;
      list_pos_q <= '0;
      block_tile_q <= '0;
      prev_block_q <= '0;
      ctx_has_record_q <= 1'b0;
      fetch_q <= '0;
      qk_q <= '0;
      sm_q <= '0;
      pv_q <= '0;
      pv_last_q <= 1'b0;
      k_pending_q <= 1'b0;
      v_pending_q <= 1'b0;
      next_half_q <= 1'b0;
      want_k_q <= 1'b0;
      want_v_q <= 1'b0;
      run_q <= 1'b0;
      slot_cycle_q <= '0;
    end else if (!run_i) begin
      iter_ctx_q <= '0;
      list_pos_q <= '0;
      block_tile_q <= '0;
      prev_block_q <= '0;
      ctx_has_record_q <= 1'b0;
      fetch_q.valid <= 1'b0;
      qk_q.valid <= 1'b0;
      sm_q.valid <= 1'b0;
      pv_q.valid <= 1'b0;
      k_pending_q <= 1'b0;
      v_pending_q <= 1'b0;
      next_half_q <= 1'b0;
      want_k_q <= 1'b0;
      want_v_q <= 1'b0;
      run_q <= 1'b0;
      slot_cycle_q <= '0;
    end else begin
      // the iterator: skip a block past the limit, move on when a tile is taken, and to the
      // next context when this one is done
      if (iter_done) begin
        iter_ctx_q <= iter_ctx_q + 1'b1;
        list_pos_q <= '0;
        block_tile_q <= '0;
        prev_block_q <= '0;
        ctx_has_record_q <= 1'b0;
      end else if (take && ctx_no_tiles) begin
        ctx_has_record_q <= 1'b1;
      end else if (block_past_limit || take) begin
        if (take) ctx_has_record_q <= 1'b1;
        if (block_past_limit || (32'(block_tile_q) + 1) << 4 >= 32'(blk_i)) begin
          list_pos_q <= list_pos_q + 1;
          block_tile_q <= '0;
          prev_block_q <= list_entry_i[15:0];
        end else begin
          block_tile_q <= block_tile_q + 1'b1;
        end
      end
      // fetch commands taken by the read master, and their data landing
      if (rd_go_i && want_k_q) want_k_q <= 1'b0;
      else if (rd_go_i && want_v_q) want_v_q <= 1'b0;
      if (k_landed_i) k_pending_q <= 1'b0;
      if (v_landed_i) v_pending_q <= 1'b0;
      // the slot in progress
      if (run_q) begin
        slot_cycle_q <= slot_cycle_q + 1'b1;
        if (slot_end) run_q <= 1'b0;
      end
      // slot boundary: every record moves one stage on
      if (advance) begin
        pv_q <= sm_q;
        pv_last_q <= sm_last;
        sm_q <= qk_q;
        qk_q <= fetch_q;
        fetch_q.valid <= take;
        if (take) begin
          fetch_q.key <= TokenBits'(tile_key);
          fetch_q.ctx <= iter_ctx_q;
          fetch_q.first <= !ctx_has_record_q;
          fetch_q.empty <= ctx_no_tiles;
          fetch_q.half <= next_half_q;
          next_half_q <= !next_half_q;
          want_k_q <= !ctx_no_tiles;
          k_pending_q <= !ctx_no_tiles;
        end
        if (qk_q.valid && !qk_q.empty) begin
          want_v_q <= 1'b1;
          v_pending_q <= 1'b1;
        end
        run_q <= any_next;
        slot_cycle_q <= '0;
      end
    end
  end

  // engines: a slot that starts now runs QK on the fetch stage's record, SM on qk's, PV on
  // sm's; while it runs the records have moved, so QK is qk_q, SM sm_q, PV pv_q
  assign qk_en_o = run_q && qk_q.valid && !qk_q.empty && slot_cycle_q < 16'(d_i);
  assign qk_clear_o = slot_cycle_q == 0;
  assign qk_capture_o = run_q && slot_cycle_q == 0;
  assign qk_col_o = ColBits'(slot_cycle_q);
  assign qk_half_o = qk_q.half;
  assign qk_bank_o = qk_q.ctx[0];
  assign sm_start_o = run_q && sm_q.valid && slot_cycle_q == 1;
  assign sm_half_o = sm_q.half;
  assign sm_bank_o = sm_q.ctx[0];
  assign sm_first_o = sm_q.first;
  assign sm_none_o = sm_q.empty;
  assign sm_t_o = sm_q.key;
  assign pv_start_o = run_q && pv_q.valid && !pv_q.empty && slot_cycle_q == 0;
  assign pv_half_o = pv_q.half;
  assign pv_bank_o = pv_q.ctx[0];
  assign pv_first_o = pv_q.first;
  // the normaliser: one cycle into the slot with the context's last P.V, a step behind it
  assign fin_start_o = run_i && run_q && pv_q.valid && pv_last_q && slot_cycle_q == 1 && !fail_i;
  assign fin_bank_o = pv_q.ctx[0];

`ifndef SYNTHESIS
  // ---- assertions (simulation only; docs/assertions.md). chk_live_q: out of reset since the
  // last edge (rst_ni is only an asynchronous reset, never sampled) ----
  logic chk_live_q;
  always_ff @(posedge clk_i or negedge rst_ni) chk_live_q <= rst_ni;
  // the double-buffer halves: the record whose K is fetched and the one Q.K^T reads never share a
  // K half; the record whose V is fetched (softmax) and the one P.V reads never share a V half
  always @(posedge clk_i)
    if (chk_live_q && run_i) begin
      if (fetch_q.valid && !fetch_q.empty && qk_q.valid && !qk_q.empty &&
          fetch_q.half == qk_q.half)
        $fatal(1, "AK_ASSERT slots_k_half: K half %0d given to two records (fetch, Q.K^T)",
               fetch_q.half);
      if (sm_q.valid && !sm_q.empty && pv_q.valid && !pv_q.empty && sm_q.half == pv_q.half)
        $fatal(1, "AK_ASSERT slots_v_half: V half %0d given to two records (softmax, P.V)",
               sm_q.half);
    end
`endif
endmodule
