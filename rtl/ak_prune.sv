// ak_prune: the pruning unit (docs/numerics.md section 11; docs/architecture.md, "Token pruning
// and KV-cache eviction"). It runs after a job's attention, when the descriptor's PRUNE.mode asks
// for EViT pruning (1: the CLS row, query 0) or KV-cache eviction (2: the last WINDOW rows):
//  - during attention it keeps the final softmax state (m, l) of every probe row (heads x rows,
//    at most MaxProbeRows) from the softmax engine's row updates (cap_*; the last one wins);
//  - Probe: for each probe row it reads the row's Q, its head's quantisation entry, its kv_off
//    words and kv-block list, and the K rows of every listed block up to the row's key limit;
//    per key the logit (ak_logit), exp2neg(m 2^F - L) (ak_exp2) and the division by l
//    (ak_div_pipe) give P16 (section 11.1), summed per token into on-chip scores;
//  - Select: ak_topk over the scores held on chip (no reads), candidates 1..nk-1 (EViT) or
//    [sinks, nk - recent) (eviction), k from KEEP.ppm (the exact ceiling, found by a serial
//    division during the check) or BUDGET; the select pass stores a keep flag per token and the
//    sum S of the pruned scores;
//  - Emit: a token a cycle: kept tokens into the kept list, pruned ones (EViT) into the
//    divider for their fused weights (section 11.2); then DivLatency cycles for the last one;
//  - Write: the scores, the kept list and the weights, one write command each.
// Check: PRUNE.mode, KEEP, BUDGET, WINDOW and the capacities are checked with the descriptor
// (check_code_o, ERR.PRUNE); after the serial division the output regions are checked against
// the job's other regions (overlap_o, ERR.REGION_OVERLAP).
// Limits: nk <= MaxTokens for a pruning job (scores on chip); probe rows <= MaxProbeRows.
module ak_prune #(
  parameter int MaxProbeRows = ak_pkg::MaxProbeRows,
  parameter int MaxTokens    = ak_pkg::MaxPruneTokens,
  parameter int MaxKvBlocks  = ak_pkg::DefaultMaxKvBlocks
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  // the descriptor, in the controller's Check state
  input  logic                           check_i,
  input  logic [2*ak_pkg::BeatBits-1:0]  hdr_i,
  output logic [7:0]                     check_code_o,  // ErrNone, ErrMisaligned or ErrPrune
  output logic                           asks_o,        // the descriptor asks for pruning
  output logic                           enabled_o,     // the latched job prunes
  // the job, latched by ak_ctrl_desc in Check (valid from the cycle after)
  input  logic [63:0]                    desc_addr_i,
  input  logic [63:0]                    k_base_i,
  input  logic [63:0]                    v_base_i,
  input  logic [63:0]                    off_base_i,
  input  logic [63:0]                    idx_base_i,
  // kv_off[lists] as the front end read it at the start of Run: a list the probe pass re-reads
  // must end at or below it, as in the attention pass (the attention's output writes may have
  // changed the lists in memory when O overlaps them): else list_bad_o, ERR.INDEX_RANGE,
  // before any of it is read (docs/dma-safety.md)
  input  logic [31:0]                    idx_total_i,
  output logic                           list_bad_o,
  input  logic [31:0]                    heads_i,
  input  logic [ak_pkg::TokenBits-1:0]   nq_i,
  input  logic [ak_pkg::TokenBits-1:0]   nk_i,
  input  logic [2:0]                     lgd_i,
  input  logic [2:0]                     lgb_i,
  input  logic                           causal_i,
  input  logic                           per_head_i,
  input  logic [ak_pkg::TokenBits-1:0]   qblocks_i,
  input  logic [23:0]                    qstride_i,
  input  logic [23:0]                    kvstride_i,
  // the region check (after Check): start, then done with the verdict
  input  logic                           vcheck_i,
  output logic                           vcheck_done_o,
  output logic                           overlap_o,
  // the softmax engine's row updates during attention
  input  logic                           cap_valid_i,
  input  logic [ak_pkg::TokenBits-1:0]   cap_row_i,
  /* verilator lint_off UNUSEDSIGNAL */  // a probing job has at most MaxProbeRows heads
  input  logic [31:0]                    cap_head_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic signed [MBits-1:0]        cap_m_i,
  input  logic [ak_pkg::AccBits-1:0]     cap_l_i,
  // the pruning phase
  input  logic                           start_i,
  // an error or abort: stop issuing (the controller waits for the reads), stop the region
  // check's division and the top-k, so that nothing of the job runs on into the next
  input  logic                           abort_i,
  output logic                           busy_o,
  output logic                           done_o,
  // read commands and beats (tags TagBase.. are this unit's)
  output logic                           rd_valid_o,
  input  logic                           rd_ready_i,
  output logic [63:0]                    rd_addr_o,
  output logic [23:0]                    rd_bytes_o,
  output logic [3:0]                     rd_tag_o,
  input  logic                           beat_valid_i,
  input  logic [ak_pkg::BeatBits-1:0]    beat_data_i,
  input  logic [3:0]                     beat_tag_i,
  input  logic [15:0]                    beat_idx_i,
  input  logic                           beat_last_i,
  input  logic                           rd_idle_i,
  // write commands and their words
  output logic                           wr_valid_o,
  input  logic                           wr_ready_i,
  output logic [63:0]                    wr_addr_o,
  output logic [23:0]                    wr_bytes_o,
  input  logic                           wr_done_i,
  /* verilator lint_off UNUSEDSIGNAL */  // a write of at most MaxTokens / 16 beats
  input  logic [15:0]                    wr_word_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [ak_pkg::BeatBits-1:0]    wr_data_o
);
  localparam int MBits = ak_pkg::LogitBits - ak_pkg::LogitFrac + 1;
  localparam int AB = ak_pkg::AccBits;
  localparam int TB = ak_pkg::TokenBits;
  localparam int BeatBits = ak_pkg::BeatBits;
  localparam int BeatBytes = ak_pkg::BeatBytes;
  localparam int BeatLog2 = ak_pkg::BeatBytesLog2;
  localparam int PR = $clog2(MaxProbeRows);
  localparam int NT = $clog2(MaxTokens);
  localparam int SB = 16 + PR;                       // a score: the sum of up to MaxProbeRows P16
  localparam int SLanes = 16;                        // scores a beat (uint32 in memory)
  localparam int SBeats = MaxTokens / SLanes;
  localparam int CB = NT + 2;
  localparam int QuantMult = ak_desc_pkg::QuantLogitMultOffset - ak_desc_pkg::QuantOffset;
  localparam int QuantShift = ak_desc_pkg::QuantLogitShiftOffset - ak_desc_pkg::QuantOffset;                        // ak_topk counts
  localparam logic [3:0] TagQ = 4'd8, TagQHi = 4'd9, TagQnt = 4'd10, TagOff = 4'd11,
                         TagIdx = 4'd12, TagK = 4'd13;
  localparam int KFifo = 8;                          // K commands in flight
  localparam int DivLat = ak_pkg::DivLatency;

  // (the header is an argument: a function reading a port is not sensitive to it in Icarus)
  function automatic logic [31:0] hdr_word(input logic [2*BeatBits-1:0] h, input int offset);
    hdr_word = h[offset*8 +: 32];
  endfunction

  // ---- the PRUNE fields and their checks (Check state) ----
  logic [1:0] f_mode;
  /* verilator lint_off UNUSEDSIGNAL */  // PRUNE's bits above mode are reserved
  logic [31:0] f_prune, f_ppm, f_budget, f_sinks, f_recent, f_window, f_heads, f_nq, f_nk;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [63:0] f_score, f_kept, f_fused;
  assign f_prune = hdr_word(hdr_i, ak_desc_pkg::PruneOffset);
  assign f_mode = f_prune[ak_desc_pkg::PruneModeLsb +: 2];
  assign f_ppm = hdr_word(hdr_i, ak_desc_pkg::KeepOffset);
  assign f_budget = hdr_word(hdr_i, ak_desc_pkg::BudgetOffset);
  assign f_sinks = hdr_word(hdr_i, ak_desc_pkg::SinksOffset);
  assign f_recent = hdr_word(hdr_i, ak_desc_pkg::RecentOffset);
  assign f_window = hdr_word(hdr_i, ak_desc_pkg::WindowOffset);
  assign f_heads = hdr_word(hdr_i, ak_desc_pkg::HeadsOffset);
  assign f_nq = hdr_word(hdr_i, ak_desc_pkg::NqOffset);
  assign f_nk = hdr_word(hdr_i, ak_desc_pkg::NkOffset);
  assign f_score = {hdr_word(hdr_i, ak_desc_pkg::ScoreHiOffset), hdr_word(hdr_i, ak_desc_pkg::ScoreLoOffset)};
  assign f_kept = {hdr_word(hdr_i, ak_desc_pkg::KeptHiOffset), hdr_word(hdr_i, ak_desc_pkg::KeptLoOffset)};
  assign f_fused = {hdr_word(hdr_i, ak_desc_pkg::FusedHiOffset), hdr_word(hdr_i, ak_desc_pkg::FusedLoOffset)};
  assign asks_o = f_mode != 2'd0;
  // eviction: the sinks and recent keys, clipped as numerics.md 11.3 (prune.c) clips them
  logic [31:0] c_sinks, c_recent;
  assign c_sinks = f_sinks < f_nk ? f_sinks : f_nk;
  assign c_recent = f_recent < f_nk - c_sinks ? f_recent : f_nk - c_sinks;
  logic [63:0] probe_rows;
  // (heads and window above MaxProbeRows fail before their product matters: a narrow multiply)
  assign probe_rows = f_heads > 32'(MaxProbeRows) ? 64'(f_heads) :
                      f_mode != 2'd2 ? 64'(f_heads) :
                      f_window > 32'(MaxProbeRows) ? 64'(f_window) :
                      64'(f_heads[PR:0]) * 64'(f_window[PR:0]);
  always @* begin
    check_code_o = 8'(ak_csr_pkg::ErrNone);
    if (f_mode == 2'd3)
      check_code_o = 8'(ak_csr_pkg::ErrPrune);
    else if (f_mode != 2'd0) begin
      if (f_nk > 32'(MaxTokens) || probe_rows > 64'(MaxProbeRows))
        check_code_o = 8'(ak_csr_pkg::ErrPrune);
      else if (f_mode == 2'd1 && (f_ppm == 0 || f_ppm > 32'd1000000))
        check_code_o = 8'(ak_csr_pkg::ErrPrune);
      else if (f_mode == 2'd2 && (f_window == 0 || f_window > f_nq || f_budget == 0 ||
                                  f_budget < c_sinks + c_recent))
        check_code_o = 8'(ak_csr_pkg::ErrPrune);
      else if (((f_score | f_kept | (f_mode == 2'd1 ? f_fused : 64'd0)) &
                (64'(BeatBytes) - 64'd1)) != 0)
        check_code_o = 8'(ak_csr_pkg::ErrMisaligned);
    end
  end

  // the pruning job
  logic [1:0] mode_q;
  logic [19:0] ppm_q;                 // (checked: at most 10^6)
  logic [31:0] budget_q;
  logic [TB-1:0] sinks_q, recent_q, window_q;
  logic [63:0] score_addr_q, kept_addr_q, fused_addr_q;
  logic [63:0] q_addr_q, o_addr_q;    // Q and O (the controller keeps only its walk through them)
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) mode_q <= '0;
    else if (check_i) mode_q <= check_code_o == 8'(ak_csr_pkg::ErrNone) ? f_mode : 2'd0;
  end
  always_ff @(posedge clk_i) begin
    if (check_i) begin
      ppm_q <= f_ppm[19:0];
      budget_q <= f_budget;
      sinks_q <= TB'(c_sinks);
      recent_q <= TB'(c_recent);
      window_q <= f_mode == 2'd2 ? TB'(f_window) : TB'(1);
      score_addr_q <= f_score;
      q_addr_q <= {hdr_word(hdr_i, ak_desc_pkg::QHiOffset), hdr_word(hdr_i, ak_desc_pkg::QLoOffset)};
      o_addr_q <= {hdr_word(hdr_i, ak_desc_pkg::OHiOffset), hdr_word(hdr_i, ak_desc_pkg::OLoOffset)};
      kept_addr_q <= f_kept;
      fused_addr_q <= f_fused;
    end
  end
  assign enabled_o = mode_q != 2'd0;
  logic evit;
  assign evit = mode_q == 2'd1;
  // the probe rows: first_row .. first_row + window - 1 of every head
  logic [TB-1:0] first_row;
  assign first_row = evit ? '0 : nq_i - window_q;

  // ---- k, the kept count and the candidates ----
  // EViT: k = ceil(ppm (nk - 1) / 10^6) by a serial restoring division (numerics.md 11.2)
  localparam int NumBits = 37;
  logic [NumBits-1:0] num_q;          // the dividend, shifted out
  /* verilator lint_off UNUSEDSIGNAL */  // k < 2^17: the quotient's top bit and the remainder's are 0
  logic [NumBits-1:0] quo_q;
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_off UNUSEDSIGNAL */  // (as above)
  logic [21:0] rem_q;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [5:0] div_step_q;
  logic vdiv_run_q, vcmp_q;
  logic vstart_q;                     // vcheck_i a cycle ago: the job's fields are latched
  logic [TB-1:0] k_q;                 // candidates to keep
  logic [TB-1:0] cand_lo, cand_hi;    // candidates: [cand_lo, cand_hi)
  logic [TB-1:0] kept_n, pruned_n;
  assign cand_lo = evit ? TB'(1) : sinks_q;
  assign cand_hi = evit ? nk_i : nk_i - recent_q;
  assign kept_n = evit ? k_q + TB'(1) : (budget_q > 32'(nk_i) ? nk_i : TB'(budget_q));
  assign pruned_n = nk_i - kept_n;
  logic [21:0] rem_next;
  assign rem_next = {rem_q[20:0], num_q[NumBits-1]};
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      vdiv_run_q <= 1'b0;
      vcmp_q <= 1'b0;
      vstart_q <= 1'b0;
    end else if (abort_i) begin
      vdiv_run_q <= 1'b0;
      vcmp_q <= 1'b0;
      vstart_q <= 1'b0;
    end else begin
      vcmp_q <= 1'b0;
      vstart_q <= vcheck_i;
      if (vstart_q) begin
        vdiv_run_q <= 1'b1;
        num_q <= NumBits'(ppm_q) * NumBits'(TB'(nk_i - TB'(1))) + NumBits'(999999);
        rem_q <= '0;
        quo_q <= '0;
        div_step_q <= '0;
      end else if (vdiv_run_q) begin
        num_q <= num_q << 1;
        if (rem_next >= 22'd1000000) begin
          rem_q <= rem_next - 22'd1000000;
          quo_q <= {quo_q[NumBits-2:0], 1'b1};
        end else begin
          rem_q <= rem_next;
          quo_q <= {quo_q[NumBits-2:0], 1'b0};
        end
        div_step_q <= div_step_q + 6'd1;
        if (div_step_q == 6'(NumBits - 1)) begin
          vdiv_run_q <= 1'b0;
          vcmp_q <= 1'b1;
        end
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (vcmp_q)
      k_q <= evit ? TB'(quo_q) : (budget_q >= 32'(nk_i) ? cand_hi - cand_lo
                                                        : TB'(budget_q) - sinks_q - recent_q);
  end
  // the regions, once k is known: every output against the inputs and each other
  logic [TB-1:0] k_now;
  assign k_now = evit ? TB'(quo_q) : (budget_q >= 32'(nk_i) ? cand_hi - cand_lo
                                                            : TB'(budget_q) - sinks_q - recent_q);
  logic [63:0] r_lo [9], r_hi [9];
  logic [TB-1:0] kept_now;
  assign kept_now = evit ? k_now + TB'(1) : (budget_q > 32'(nk_i) ? nk_i : TB'(budget_q));
  always @* begin
    r_lo[0] = score_addr_q;  r_hi[0] = score_addr_q + (64'(nk_i) << 2);
    r_lo[1] = kept_addr_q;   r_hi[1] = kept_addr_q + (64'(kept_now) << 2);
    r_lo[2] = fused_addr_q;  r_hi[2] = fused_addr_q + (evit ? 64'(TB'(nk_i - kept_now)) << 1 : 64'd0);
    r_lo[3] = desc_addr_i;   r_hi[3] = desc_addr_i + 64'h80 + (64'(heads_i) << 4);
    r_lo[4] = q_addr_q;      r_hi[4] = q_addr_q + q_bytes;
    r_lo[5] = k_base_i;      r_hi[5] = k_base_i + kv_bytes;
    r_lo[6] = v_base_i;      r_hi[6] = v_base_i + kv_bytes;
    r_lo[7] = o_addr_q;      r_hi[7] = o_addr_q + q_bytes;
    r_lo[8] = off_base_i;
    r_hi[8] = off_base_i + (((per_head_i ? 64'(lists_all) : 64'(qblocks_i)) + 64'd1) << 2);
    // (kv_idx is not checked: its length, kv_off's last word, is data)
  end
  // (a pruning job has at most MaxProbeRows heads: narrow products)
  logic [PR:0] hn;
  assign hn = (PR+1)'(heads_i);
  logic [63:0] q_bytes, kv_bytes;
  logic [40:0] lists_all;
  assign q_bytes = 64'(hn) * 64'(qstride_i);
  assign kv_bytes = 64'(hn) * 64'(kvstride_i);
  assign lists_all = 41'(hn) * 41'(qblocks_i);
  // [a, b) and [c, d) overlap when both are non-empty and a < d and c < b; a region whose end
  // wraps past 2^64 overlaps everything
  function automatic logic overlaps(input logic [63:0] a, input logic [63:0] b,
                                    input logic [63:0] c, input logic [63:0] e);
    overlaps = (b < a) || (e < c) || (a != b && c != e && a < e && c < b);
  endfunction
  logic overlap;
  always @* begin
    overlap = 1'b0;
    for (int x = 0; x < 3; x++)
      for (int y = 0; y < 9; y++)
        if (x != y && overlaps(r_lo[x], r_hi[x], r_lo[y], r_hi[y])) overlap = 1'b1;
  end
  assign vcheck_done_o = vcmp_q;
  assign overlap_o = vcmp_q && overlap;

  // ---- the probe rows' final softmax state ----
  logic signed [MBits-1:0] st_m_q [MaxProbeRows];
  logic [AB-1:0] st_l_q [MaxProbeRows];
  logic [63:0] cap_off;
  logic cap_hit;
  logic [PR-1:0] cap_idx;
  assign cap_off = 64'(cap_row_i) - 64'(first_row);
  assign cap_hit = cap_valid_i && mode_q != 2'd0 && cap_row_i >= first_row &&
                   cap_off < 64'(window_q);
  assign cap_idx = PR'(cap_head_i) * PR'(window_q) + PR'(cap_off);
  always_ff @(posedge clk_i) begin
    if (cap_hit) begin
      st_m_q[cap_idx] <= cap_m_i;
      st_l_q[cap_idx] <= cap_l_i;
    end
  end

  // ---- the phases ----
  typedef enum logic [3:0] {
    Idle, RowQ, RowQnt, RowOff, OffWait, IdxRd, IdxWait, Entry, ProbeDrain, Select, Emit,
    EmitDrain, WrScore, WrKept, WrFused, Finish
  } phase_e;
  phase_e ph_q, ph_d;

  // issue side: the probe row r (head h, row i), its list walk
  logic [31:0] r_q, ih_q;             // probe row; its head
  logic [TB-1:0] iw_q;                // its place in the window
  logic [TB-1:0] irow;
  assign irow = first_row + iw_q;
  logic signed [TB+2:0] lim;          // the row's key limit (numerics.md 4)
  always @* begin
    lim = $signed((TB+3)'(nk_i));
    if (causal_i && $signed((TB+3)'(irow)) + 1 + $signed((TB+3)'(nk_i)) -
                    $signed((TB+3)'(nq_i)) < lim)
      lim = $signed((TB+3)'(irow)) + 1 + $signed((TB+3)'(nk_i)) - $signed((TB+3)'(nq_i));
  end
  logic [63:0] list_idx, off_addr;
  assign list_idx = (per_head_i ? (64'(ih_q[PR-1:0]) * 64'(qblocks_i)) : 64'd0) + 64'(TB'(irow >> lgb_i));
  assign off_addr = off_base_i + (list_idx << 2);
  logic [3:0] off_pos_q;              // kv_off[list]'s word in its beat
  logic [31:0] e_q, e_end_q;          // list entries to walk
  logic off_landed_q, idx_landed_q;
  assign list_bad_o = ph_q == OffWait && off_landed_q &&
                      (e_end_q < e_q || e_end_q - e_q > 32'(MaxKvBlocks) || e_end_q > idx_total_i);
  logic [BeatBits-1:0] idx_beat_q;
  /* verilator lint_off UNUSEDSIGNAL */  // a list entry below kblocks: its high bits are 0
  logic [31:0] entry;
  /* verilator lint_on UNUSEDSIGNAL */
  assign entry = idx_beat_q[32'(e_q[3:0]) * 32 +: 32];
  logic [TB+1:0] key0, key_end;
  assign key0 = (TB+2)'(entry) << lgb_i;
  always @* begin
    key_end = key0 + ((TB+2)'(1) << lgb_i);
    if ($signed({1'b0, key_end}) > lim) key_end = (TB+2)'(lim);
  end
  logic entry_reads;                  // the entry has keys below the limit
  assign entry_reads = $signed({1'b0, key0}) < lim;

  // K commands in flight: their first key, and (d = 32) whether their key count is odd, so
  // that their last beat holds one key
  logic [TB-1:0] kf_key [KFifo];
  logic kf_odd [KFifo];
  logic [$clog2(KFifo):0] kf_n_q;
  logic [$clog2(KFifo)-1:0] kf_wr_q, kf_rd_q;
  logic k_issue, k_pop;

  // ---- read commands ----
  logic [63:0] q_row_addr;
  assign q_row_addr = q_addr_q + 64'(ih_q[PR-1:0]) * 64'(qstride_i) + (64'(irow) << lgd_i);
  always @* begin
    rd_valid_o = 1'b0;
    rd_addr_o = '0;
    rd_bytes_o = 24'(BeatBytes);
    rd_tag_o = TagQ;
    k_issue = 1'b0;
    case (ph_q)
      RowQ: begin
        rd_valid_o = 1'b1;
        rd_addr_o = q_row_addr & ~(64'(BeatBytes) - 64'd1);
        rd_bytes_o = 24'(1) << lgd_i;
        if (lgd_i < 3'(BeatLog2)) rd_bytes_o = 24'(BeatBytes);
        rd_tag_o = lgd_i < 3'(BeatLog2) && q_row_addr[BeatLog2-1] ? TagQHi : TagQ;
      end
      RowQnt: begin
        rd_valid_o = 1'b1;
        rd_addr_o = (desc_addr_i + 64'h80 + (64'(ih_q) << 4)) & ~(64'(BeatBytes) - 64'd1);
        rd_tag_o = TagQnt;
      end
      RowOff: begin
        rd_valid_o = 1'b1;
        rd_addr_o = off_addr & ~(64'(BeatBytes) - 64'd1);
        rd_bytes_o = off_addr[BeatLog2-1:2] == '1 ? 24'(2 * BeatBytes) : 24'(BeatBytes);
        rd_tag_o = TagOff;
      end
      IdxRd: begin
        rd_valid_o = 1'b1;
        rd_addr_o = (idx_base_i + (64'(e_q) << 2)) & ~(64'(BeatBytes) - 64'd1);
        rd_tag_o = TagIdx;
      end
      Entry: if (idx_landed_q && entry_reads && kf_n_q != ($clog2(KFifo)+1)'(KFifo)) begin
        rd_valid_o = 1'b1;
        rd_addr_o = k_base_i + 64'(ih_q[PR-1:0]) * 64'(kvstride_i) + (64'(key0) << lgd_i);
        rd_bytes_o = 24'(TB'(key_end - key0)) << lgd_i;
        rd_tag_o = TagK;
        k_issue = rd_ready_i;
      end
      default: ;
    endcase
  end
  logic rd_go;
  assign rd_go = rd_valid_o && rd_ready_i;

  // ---- the land side: beats in command order ----
  logic [ak_pkg::MaxHeadDim*8-1:0] q_row_q;
  logic [ak_pkg::MultBits-1:0] mult_q;
  logic [ak_pkg::ShiftBits-1:0] shift_q;
  logic signed [MBits-1:0] m_q;
  logic [AB-1:0] l_q;
  // the row whose quant entry lands next, its head (below MaxProbeRows: only their low bits are
  // read), its place in the window (not needed)
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] lr_q, lh_q;
  logic [TB-1:0] lw_q;
  /* verilator lint_on UNUSEDSIGNAL */
  ak_probe_rows u_land_rows (
    .clk_i, .rst_ni, .clear_i(start_i), .step_i(b_qnt), .window_i(window_q), .row_o(lr_q),
    .head_o(lh_q), .place_o(lw_q)
  );
  logic b_q, b_qhi, b_qnt, b_off, b_idx, b_k;
  assign b_q = beat_valid_i && beat_tag_i == TagQ;
  assign b_qhi = beat_valid_i && beat_tag_i == TagQHi;
  assign b_qnt = beat_valid_i && beat_tag_i == TagQnt;
  assign b_off = beat_valid_i && beat_tag_i == TagOff;
  assign b_idx = beat_valid_i && beat_tag_i == TagIdx;
  assign b_k = beat_valid_i && beat_tag_i == TagK;
  assign k_pop = b_k && beat_last_i;
  /* verilator lint_off UNUSEDSIGNAL */  // the output scale is the normaliser's
  logic [127:0] qnt_entry;
  /* verilator lint_on UNUSEDSIGNAL */
  assign qnt_entry = beat_data_i[32'(lh_q[1:0]) * 128 +: 128];
  logic [PR-1:0] lr_idx;
  assign lr_idx = PR'(lr_q);

  always_ff @(posedge clk_i) begin
    if (b_q) q_row_q[32'(beat_idx_i[0]) * BeatBits +: BeatBits] <= beat_data_i;
    if (b_qhi) q_row_q[0 +: BeatBits/2] <= beat_data_i[BeatBits/2 +: BeatBits/2];
    if (b_qnt) begin
      mult_q <= qnt_entry[QuantMult*8 +: ak_pkg::MultBits];
      shift_q <= qnt_entry[QuantShift*8 +: ak_pkg::ShiftBits];
      m_q <= st_m_q[lr_idx];
      l_q <= st_l_q[lr_idx];
    end
    if (b_idx) idx_beat_q <= beat_data_i;
    if (b_off && beat_idx_i == 16'd0) begin
      e_q <= beat_data_i[32'(off_pos_q) * 32 +: 32];
      if (off_pos_q != 4'd15) e_end_q <= beat_data_i[(32'(off_pos_q) + 1) * 32 +: 32];
    end
    if (b_off && beat_idx_i == 16'd1) e_end_q <= beat_data_i[31:0];
    if (ph_q == RowOff) off_pos_q <= off_addr[BeatLog2-1:2];
    if (ph_q == Entry && (k_issue || !entry_reads) && idx_landed_q) e_q <= e_q + 32'd1;
    if (k_issue) begin
      kf_key[kf_wr_q] <= TB'(key0);
      kf_odd[kf_wr_q] <= key_end[0] != key0[0];
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      kf_n_q <= '0;
      kf_wr_q <= '0;
      kf_rd_q <= '0;
      off_landed_q <= 1'b0;
      idx_landed_q <= 1'b0;
    end else begin
      kf_n_q <= kf_n_q + ($clog2(KFifo)+1)'(k_issue) - ($clog2(KFifo)+1)'(k_pop);
      if (k_issue) kf_wr_q <= kf_wr_q + 1'b1;
      if (k_pop) kf_rd_q <= kf_rd_q + 1'b1;
      if (ph_q == RowOff) off_landed_q <= 1'b0;
      else if (b_off && beat_last_i) off_landed_q <= 1'b1;
      if (ph_q == IdxRd) idx_landed_q <= 1'b0;
      else if (b_idx) idx_landed_q <= 1'b1;
    end
  end

  // ---- P16 of every key a K beat carries: two lanes (d = 32 has two keys a beat) ----
  // stage A: the dot products, registered
  logic [TB-1:0] kb_key;              // the beat's first key
  always @* begin
    kb_key = kf_key[kf_rd_q];
    case (lgd_i)
      3'd5: kb_key = kf_key[kf_rd_q] + TB'(beat_idx_i) * TB'(2);
      3'd6: kb_key = kf_key[kf_rd_q] + TB'(beat_idx_i);
      default: kb_key = kf_key[kf_rd_q] + TB'(beat_idx_i[15:1]);
    endcase
  end
  logic signed [ak_pkg::ScoreBits-1:0] dot_lo, dot_hi;
  always @* begin
    dot_lo = '0;
    dot_hi = '0;
    for (int b = 0; b < BeatBytes; b++) begin
      logic signed [7:0] qb, kb;
      kb = $signed(beat_data_i[b*8 +: 8]);
      if (lgd_i == 3'd5) qb = $signed(q_row_q[(b % 32)*8 +: 8]);
      else if (lgd_i == 3'd7 && beat_idx_i[0]) qb = $signed(q_row_q[(BeatBytes + b)*8 +: 8]);
      else qb = $signed(q_row_q[b*8 +: 8]);
      // (both operands widened first: a product of two 8-bit operands is 8 bits wide)
      if (b < 32) dot_lo = dot_lo + ak_pkg::ScoreBits'(qb) * ak_pkg::ScoreBits'(kb);
      else dot_hi = dot_hi + ak_pkg::ScoreBits'(qb) * ak_pkg::ScoreBits'(kb);
    end
  end
  logic [1:0] a_valid_q;
  logic [TB-1:0] a_key_q;
  logic signed [ak_pkg::ScoreBits-1:0] a_s_q [2];
  logic signed [ak_pkg::ScoreBits-1:0] part_q;  // d = 128: the first beat's half
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) a_valid_q <= '0;
    else begin
      a_valid_q <= '0;
      if (b_k) begin
        case (lgd_i)
          3'd5: a_valid_q <= {!beat_last_i || !kf_odd[kf_rd_q], 1'b1};
          3'd6: a_valid_q <= 2'b01;
          default: a_valid_q <= {1'b0, beat_idx_i[0]};
        endcase
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (b_k) begin
      a_key_q <= kb_key;
      if (lgd_i == 3'd7 && !beat_idx_i[0]) part_q <= dot_lo + dot_hi;
      a_s_q[0] <= lgd_i == 3'd5 ? dot_lo : lgd_i == 3'd6 ? dot_lo + dot_hi
                                              : part_q + dot_lo + dot_hi;
      a_s_q[1] <= dot_hi;
    end
  end

  // stage B: logit, exp2, the division by l (ak_div_pipe: sat(round_div(e 2^16, l), 24))
  logic [1:0] d_valid;
  logic [2*ak_pkg::OutFxBits-1:0] d_q;   // lane x at [x*OutFxBits +: OutFxBits]
  for (genvar ln = 0; ln < 2; ln++) begin : g_lane
    logic signed [ak_pkg::LogitBits-1:0] lg;
  /* verilator lint_off UNUSEDSIGNAL */  // m 2^F - L of a valid key lies in [0, 2^25)
    logic signed [ak_pkg::LogitBits+1:0] arg;
  /* verilator lint_on UNUSEDSIGNAL */
    logic [ak_pkg::ProbFrac:0] e;
    logic dv;
    logic [ak_pkg::OutFxBits-1:0] dq;
    assign d_valid[ln] = dv;
    assign d_q[ln*ak_pkg::OutFxBits +: ak_pkg::OutFxBits] = dq;
    ak_logit u_logit (.s_i(a_s_q[ln]), .mult_i(mult_q), .shift_i(shift_q), .l_o(lg));
    assign arg = ($signed((ak_pkg::LogitBits+2)'(m_q)) <<< ak_pkg::LogitFrac) -
                 $signed((ak_pkg::LogitBits+2)'(lg));
    ak_exp2 u_exp2 (.a_i(arg[ak_pkg::LogitBits:0]), .p_o(e));
    // lane 0 also divides the fused weights in Emit
    logic wt, iv, iz;
    logic [AB-1:0] ia, is;
    assign wt = w_issue && ln == 0;
    assign iv = a_valid_q[ln] || wt;
    assign iz = wt ? 1'b0 : l_q == '0;
    assign ia = wt ? AB'(w_num) : AB'(e);
    assign is = wt ? AB'(w_den) : l_q;
    ak_div_pipe u_div (
      .clk_i, .rst_ni, .valid_i(iv), .zero_i(iz), .acc_i(ia), .sum_i(is),
      .valid_o(dv), .q_o(dq)
    );
  end
  // the keys beside the divider
  logic [TB-1:0] key_line [DivLat];
  always_ff @(posedge clk_i) begin
    key_line[0] <= a_key_q;
    for (int s = 1; s < DivLat; s++) key_line[s] <= key_line[s-1];
  end
  logic [15:0] p16 [2];
  for (genvar ln = 0; ln < 2; ln++) begin : g_p16
    logic [ak_pkg::OutFxBits-1:0] q;
    assign q = d_q[ln*ak_pkg::OutFxBits +: ak_pkg::OutFxBits];
    assign p16[ln] = q > ak_pkg::OutFxBits'(16'hFFFF) ? 16'hFFFF : q[15:0];
  end

  // ---- the scores ----
  logic [SB-1:0] score_q [MaxTokens];
  logic [MaxTokens-1:0] keep_q;
  logic [NT-1:0] acc_key [2];
  assign acc_key[0] = NT'(key_line[DivLat-1]);
  assign acc_key[1] = NT'(key_line[DivLat-1] + TB'(1));
  logic probing;
  assign probing = ph_q == RowQ || ph_q == RowQnt || ph_q == RowOff || ph_q == OffWait ||
                   ph_q == IdxRd || ph_q == IdxWait || ph_q == Entry || ph_q == ProbeDrain;
  logic [1:0] acc_add;                // a lane's P16 joins its token's score
  assign acc_add[0] = probing && d_valid[0] && !(evit && acc_key[0] == '0);
  assign acc_add[1] = probing && d_valid[1];
  // one adder a lane (a token's two additions are rows apart: no read after write in flight)
  logic [SB-1:0] acc_sum [2];
  assign acc_sum[0] = score_q[acc_key[0]] + SB'(p16[0]);
  assign acc_sum[1] = score_q[acc_key[1]] + SB'(p16[1]);
  for (genvar j = 0; j < MaxTokens; j++) begin : g_score
    always_ff @(posedge clk_i) begin
      if (start_i) score_q[j] <= '0;
      else if (acc_add[0] && acc_key[0] == NT'(j)) score_q[j] <= acc_sum[0];
      else if (acc_add[1] && acc_key[1] == NT'(j)) score_q[j] <= acc_sum[1];
    end
  end

  // ---- top-k over the scores on chip ----
  /* verilator lint_off UNUSEDSIGNAL */  // busy: the phase machine knows
  logic tk_start, tk_pass, tk_select, tk_done, tk_busy;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [SLanes-1:0] tk_keep, tk_elig;
  logic [SLanes*SB-1:0] tk_beat;
  logic [$clog2(SBeats):0] feed_q;    // the beat fed this cycle
  logic feeding_q;
  logic [TB-1:0] sbeats;
  assign sbeats = (nk_i + TB'(SLanes - 1)) >> 4;
  logic tk_valid;
  assign tk_valid = tk_pass || feeding_q;
  logic [$clog2(SBeats):0] feed_b;
  assign feed_b = tk_pass ? '0 : feed_q;
  always @* begin
    for (int l = 0; l < SLanes; l++) begin
      logic [TB-1:0] j;
      j = TB'(feed_b) * TB'(SLanes) + TB'(l);
      tk_beat[l*SB +: SB] = score_q[NT'(j)];
      tk_elig[l] = j >= cand_lo && j < cand_hi;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      feeding_q <= 1'b0;
      feed_q <= '0;
    end else if (abort_i) begin
      feeding_q <= 1'b0;
    end else if (tk_valid) begin
      feeding_q <= TB'(feed_b) + TB'(1) < sbeats;
      feed_q <= feed_b + 1'b1;
    end
  end
  assign tk_start = ph_q == ProbeDrain && ph_d == Select;
  ak_topk #(.ScoreBits(SB), .Lanes(SLanes), .CountBits(CB)) u_topk (
    .clk_i, .rst_ni, .start_i(tk_start), .abort_i, .k_i(CB'(k_q)), .n_i(CB'(nk_i)),
    .cand_i(CB'(cand_hi - cand_lo)), .elig_i(tk_elig), .top_bit_i(top_bit_w),
    .busy_o(tk_busy), .pass_o(tk_pass), .beat_valid_i(tk_valid), .beat_i(tk_beat),
    .select_o(tk_select), .keep_o(tk_keep), .done_o(tk_done)
  );
  // the highest score bit: scores are below 2^16 x probe rows
  logic [$clog2(SB+1)-1:0] top_bit_w;
  always @* begin
    top_bit_w = $clog2(SB+1)'(15);
    for (int b = 0; b < PR; b++)
      if (r_total > (32'd1 << b)) top_bit_w = $clog2(SB+1)'(16 + b);
  end
  logic [31:0] r_total;               // probe rows
  assign r_total = 32'(hn) * 32'(window_q);
  // the select pass: keep flags and S, the sum of the pruned candidates' scores
  logic [SB+NT-1:0] s_sum_q;
  always_ff @(posedge clk_i) begin
    if (tk_start) s_sum_q <= '0;
    else if (tk_select && tk_valid) begin
      logic [SB+NT-1:0] add;
      add = '0;
      for (int l = 0; l < SLanes; l++)
        if (tk_elig[l] && !tk_keep[l]) add = add + (SB+NT)'(tk_beat[l*SB +: SB]);
      s_sum_q <= s_sum_q + add;
    end
  end

  for (genvar b = 0; b < SBeats; b++) begin : g_keep
    always_ff @(posedge clk_i) begin
      if (tk_select && tk_valid && feed_b == ($clog2(SBeats)+1)'(b))
        keep_q[b*SLanes +: SLanes] <= tk_keep;
    end
  end

  // ---- emit: a token a cycle ----
  logic [TB-1:0] ej_q;                // the token
  logic [NT-1:0] kept_list_q [MaxTokens];
  logic [15:0] weight_q [MaxTokens];
  logic [TB-1:0] kc_q, wc_q;          // kept entries; weights out of the divider
  logic ej_kept, ej_pruned;
  assign ej_kept = (evit && ej_q == '0) || (!evit && (ej_q < sinks_q || ej_q >= cand_hi)) ||
                   keep_q[NT'(ej_q)];
  assign ej_pruned = evit && !ej_kept;
  logic w_issue;
  logic [SB+NT-1:0] w_num, w_den;
  assign w_issue = ph_q == Emit && ej_pruned;
  assign w_num = s_sum_q == '0 ? (SB+NT)'(1) : (SB+NT)'(score_q[NT'(ej_q)]);
  assign w_den = s_sum_q == '0 ? (SB+NT)'(pruned_n) : s_sum_q;
  always_ff @(posedge clk_i) begin
    if (tk_start) begin
      ej_q <= '0;
      kc_q <= '0;
      wc_q <= '0;
    end else begin
      if (ph_q == Emit) begin
        ej_q <= ej_q + TB'(1);
        if (ej_kept) begin
          kept_list_q[NT'(kc_q)] <= NT'(ej_q);
          kc_q <= kc_q + TB'(1);
        end
      end
      if (!probing && d_valid[0]) begin
        weight_q[NT'(wc_q)] <= p16[0];
        wc_q <= wc_q + TB'(1);
      end
    end
  end

  // ---- writes ----
  logic wr_has;                       // this write phase has bytes to write
  always @* begin
    wr_has = 1'b0;
    wr_addr_o = '0;
    wr_bytes_o = '0;
    case (ph_q)
      WrScore: begin
        wr_has = 1'b1;
        wr_addr_o = score_addr_q;
        wr_bytes_o = 24'(nk_i) << 2;
      end
      WrKept: begin
        wr_has = kept_n != '0;
        wr_addr_o = kept_addr_q;
        wr_bytes_o = 24'(kept_n) << 2;
      end
      WrFused: begin
        wr_has = evit && pruned_n != '0;
        wr_addr_o = fused_addr_q;
        wr_bytes_o = 24'(pruned_n) << 1;
      end
      default: ;
    endcase
  end
  logic wr_wait_q;                    // a write command given, not yet done
  assign wr_valid_o = wr_has && !wr_wait_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) wr_wait_q <= 1'b0;
    else if (wr_valid_o && wr_ready_i) wr_wait_q <= 1'b1;
    else if (wr_done_i) wr_wait_q <= 1'b0;
  end
  always @* begin
    wr_data_o = '0;
    for (int l = 0; l < SLanes; l++) begin
  /* verilator lint_off UNUSEDSIGNAL */  // a token below MaxTokens
      logic [NT+4:0] j;
  /* verilator lint_on UNUSEDSIGNAL */
      j = (NT+5)'(wr_word_i) * (NT+5)'(SLanes) + (NT+5)'(l);
      if (ph_q == WrScore) wr_data_o[l*32 +: 32] = 32'(score_q[NT'(j)]);
      else if (ph_q == WrKept) wr_data_o[l*32 +: 32] = 32'(kept_list_q[NT'(j)]);
    end
    if (ph_q == WrFused)
      for (int l = 0; l < 2 * SLanes; l++)
        wr_data_o[l*16 +: 16] = weight_q[NT'((NT+5)'(wr_word_i) * (NT+5)'(2 * SLanes) + (NT+5)'(l))];
  end

  // ---- the phase machine ----
  logic last_row;
  assign last_row = r_q + 32'd1 == r_total;
  logic row_next;                     // the issue side moves to the next row
  always @* begin
    ph_d = ph_q;
    case (ph_q)
      Idle: if (start_i) ph_d = RowQ;  // (heads >= 1, window >= 1)
      RowQ: if (rd_go) ph_d = RowQnt;
      RowQnt: if (rd_go) ph_d = RowOff;
      RowOff: if (rd_go) ph_d = OffWait;
      OffWait: if (off_landed_q) begin
        if (e_q != e_end_q) ph_d = IdxRd;
        else if (last_row) ph_d = ProbeDrain;
        else ph_d = RowQ;
      end
      IdxRd: if (rd_go) ph_d = IdxWait;
      IdxWait: if (idx_landed_q) ph_d = Entry;
      Entry: if (k_issue || !entry_reads) begin
        if (e_q + 32'd1 == e_end_q && last_row) ph_d = ProbeDrain;
        else if (e_q + 32'd1 == e_end_q) ph_d = RowQ;
        else if (e_q[3:0] == 4'd15) ph_d = IdxRd;
      end
      ProbeDrain: if (rd_idle_i && kf_n_q == '0 && a_valid_q == '0 && !div_busy) ph_d = Select;
      Select: if (tk_done) ph_d = Emit;
      Emit: if (ej_q + TB'(1) == nk_i) ph_d = EmitDrain;
      EmitDrain: if (drain_q == 5'(DivLat - 1)) ph_d = WrScore;
      WrScore: if (!wr_has || (wr_wait_q && wr_done_i)) ph_d = WrKept;
      WrKept: if (!wr_has || (wr_wait_q && wr_done_i)) ph_d = WrFused;
      WrFused: if (!wr_has || (wr_wait_q && wr_done_i)) ph_d = Finish;
      Finish: ph_d = Idle;
      default: ph_d = Idle;
    endcase
    if (abort_i && ph_q != Idle) ph_d = Idle;
  end
  assign row_next = (ph_q == OffWait && ph_d == RowQ) || (ph_q == Entry && ph_d == RowQ);
  // EmitDrain waits DivLat cycles, so that the last weight is out whatever token it was
  logic [4:0] drain_q;
  always_ff @(posedge clk_i) begin
    if (ph_q == EmitDrain) drain_q <= drain_q + 5'd1;
    else drain_q <= '0;
  end
  // divisions in flight
  logic [DivLat-1:0] div_line_q;
  logic div_busy;
  assign div_busy = div_line_q != '0;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) div_line_q <= '0;
    else div_line_q <= {div_line_q[DivLat-2:0], a_valid_q != '0 || w_issue};
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ph_q <= Idle;
    else ph_q <= ph_d;
  end
  ak_probe_rows u_issue_rows (
    .clk_i, .rst_ni, .clear_i(start_i), .step_i(row_next), .window_i(window_q), .row_o(r_q),
    .head_o(ih_q), .place_o(iw_q)
  );
  assign busy_o = ph_q != Idle;
  assign done_o = ph_q == Finish;

`ifndef SYNTHESIS
  // ---- assertions (simulation only; docs/assertions.md). chk_live_q: out of reset since the
  // last edge (rst_ni is only an asynchronous reset, never sampled) ----
  logic chk_live_q;
  always_ff @(posedge clk_i or negedge rst_ni) chk_live_q <= rst_ni;
  // the FIFO of K commands in flight
  always @(posedge clk_i)
    if (chk_live_q) begin
      if (k_pop && kf_n_q == '0)
        $fatal(1, "AK_ASSERT prune_kfifo_underflow: a K command's data with none in flight");
      if (k_issue && !k_pop && kf_n_q == ($clog2(KFifo)+1)'(KFifo))
        $fatal(1, "AK_ASSERT prune_kfifo_overflow: a K command issued with %0d in flight", kf_n_q);
    end
`endif
endmodule
