// ak_sm_engine: the online-softmax stage of one key tile for a query tile (docs/numerics.md
// sections 5 and 6). After start_i it walks the Rows rows, one per cycle, in two stages:
//   A (cycle e = row): the row's 16 base-2 logits (ak_logit) from the S buffer and its number
//     of valid keys n (ragged nk and the token-causal limit; rows past nq get 0);
//   B (cycle e = row + 1): ak_softmax_tile on the row's state (has_max, m, l): the new state,
//     the 16 probabilities and the accumulators' rescale shift, written to P buffer half half_i.
// The P buffer (2 halves x Rows) is read by the P.V engine through p_idx_i. The row state has
// two banks (bank_i), as consecutive query tiles overlap; first_i (a query tile's first key
// tile) starts every row afresh, without a maximum; none_i (a query tile without keys) makes
// every key invalid. t_i, r0_i, the scale, bank_i, first_i and none_i are held for the walk.
// Each stage-B update also leaves on the st_* ports (the row, its new max and sum), from
// which the pruning unit keeps its probe rows' final state.
// Latency: Rows + 1 cycles from start_i to the last write; the slot reserves Rows + 2.
module ak_sm_engine #(
  parameter int Rows = ak_pkg::DefaultRows
) (
  input  logic                                            clk_i,
  input  logic                                            rst_ni,
  input  logic                                            start_i,
  input  logic                                            half_i,
  input  logic                                            bank_i,
  input  logic                                            first_i,
  input  logic                                            none_i,
  input  logic [Rows*ak_pkg::KeyTile*ak_pkg::ScoreBits-1:0] s_i,
  input  logic [ak_pkg::TokenBits-1:0]                    t_i,      // first key of the tile
  input  logic [ak_pkg::TokenBits-1:0]                    r0_i,     // first query row of the tile
  input  logic [ak_pkg::TokenBits-1:0]                    nq_i,
  input  logic [ak_pkg::TokenBits-1:0]                    nk_i,
  input  logic                                            causal_i,
  input  logic [ak_pkg::MultBits-1:0]                     mult_i,   // M_l
  input  logic [ak_pkg::ShiftBits-1:0]                    shift_i,  // sh_l
  // P buffer read port (P.V engine): entry half * Rows + row
  input  logic [$clog2(2*Rows)-1:0]                       p_idx_i,
  output logic [ak_pkg::KeyTile*(ak_pkg::ProbFrac+1)-1:0] p_o,
  output logic [DeltaBits-1:0]                            delta_o,
  // row sums of bank l_bank_i for the normaliser: row r at [r*AccBits +: AccBits]; 0 for a
  // row without keys
  input  logic                                            l_bank_i,
  output logic [Rows*ak_pkg::AccBits-1:0]                 l_o,
  // a row's state update (stage B): the row (r0_i + row), its max m and sum l (0 without keys)
  output logic                                            st_valid_o,
  output logic [ak_pkg::TokenBits-1:0]                    st_row_o,
  output logic signed [ak_pkg::LogitBits-ak_pkg::LogitFrac:0] st_m_o,
  output logic [ak_pkg::AccBits-1:0]                      st_l_o
);
  localparam int KeyTile = ak_pkg::KeyTile;
  localparam int LogitBits = ak_pkg::LogitBits;
  localparam int AB = ak_pkg::AccBits;
  localparam int PB = ak_pkg::ProbFrac + 1;
  localparam int MBits = LogitBits - ak_pkg::LogitFrac + 1;
  localparam int DeltaBits = $clog2(AB + 2);
  localparam int RowBits = $clog2(Rows + 1);
  localparam int ScoreBits = ak_pkg::ScoreBits;
  localparam int RB = $clog2(Rows);

  // the walk: e counts 0..Rows after start
  logic run_q;
  logic [RowBits:0] e_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q <= 1'b0;
      e_q <= '0;
    end else if (start_i) begin
      run_q <= 1'b1;
      e_q <= (RowBits+1)'(1);
    end else if (run_q) begin
      run_q <= e_q != (RowBits+1)'(Rows);
      e_q <= e_q + 1'b1;
    end
  end
  logic a_go;                  // stage A works on row a_row this cycle
  logic [RowBits:0] a_row;
  assign a_go = start_i || (run_q && e_q < (RowBits+1)'(Rows));
  assign a_row = start_i ? '0 : e_q;

  // stage A: logits of row a_row and its valid-key count (the row picked first, one mux of
  // whole rows, then its 16 scores at constant offsets)
  logic [KeyTile*LogitBits-1:0] logit_d;
  logic [KeyTile*ScoreBits-1:0] s_row;
  assign s_row = s_i[32'(a_row[RB-1:0])*(KeyTile*ScoreBits) +: KeyTile*ScoreBits];
  for (genvar j = 0; j < KeyTile; j++) begin : g_logit
    logic signed [ScoreBits-1:0] s;
    logic signed [LogitBits-1:0] l;
    assign s = $signed(s_row[j*ScoreBits +: ScoreBits]);
    ak_logit u_logit (.s_i(s), .mult_i(mult_i), .shift_i(shift_i), .l_o(l));
    // (an empty record's S was never computed: 0, not stale data or X)
    assign logit_d[j*LogitBits +: LogitBits] = none_i ? '0 : l;
  end

  // n = clamp(min(nk, jlim) - t, 0, 16) with jlim = i + 1 + nk - nq (token-causal) or nk
  // (every operand signed: one unsigned operand would make the comparison unsigned, and a
  // negative jlim, a row before the first key, would then look larger than nk)
  logic signed [19:0] row, nk, jlim, lim, n_full;
  logic [$clog2(KeyTile):0] n_d;
  always @* begin
    row = $signed(20'(r0_i) + 20'(a_row));
    nk = $signed(20'(nk_i));
    jlim = causal_i ? row + 20'sd1 + nk - $signed(20'(nq_i)) : nk;
    lim = jlim < nk ? jlim : nk;
    n_full = lim - $signed(20'(t_i));
    if (none_i || row >= $signed(20'(nq_i)) || n_full <= 20'sd0) n_d = '0;
    else if (n_full >= $signed(20'(KeyTile))) n_d = ($clog2(KeyTile)+1)'(KeyTile);
    else n_d = ($clog2(KeyTile)+1)'(n_full);
  end

  logic b_go_q;
  logic [RB-1:0] b_row_q;
  logic [KeyTile*LogitBits-1:0] logit_q;
  logic [$clog2(KeyTile):0] n_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) b_go_q <= 1'b0;
    else b_go_q <= a_go;
  end
  always_ff @(posedge clk_i) begin
    if (a_go) begin
      b_row_q <= RB'(a_row);
      logit_q <= logit_d;
      n_q <= n_d;
    end
  end

  // stage B: the online-softmax step of row b_row_q; its state at {bank, row}
  logic [2*Rows-1:0] has_max_q;
  logic signed [MBits-1:0] m_q [2*Rows];
  logic [AB-1:0] l_q [2*Rows];
  logic [RB:0] s_idx;
  logic has_max_cur, has_max_new;
  logic signed [MBits-1:0] m_new;
  logic [AB-1:0] l_new, l_cur;
  logic [DeltaBits-1:0] delta_new;
  logic [KeyTile*PB-1:0] p_new;
  assign s_idx = {bank_i, b_row_q};
  assign has_max_cur = !first_i && has_max_q[s_idx];
  assign l_cur = has_max_cur ? l_q[s_idx] : '0;
  ak_softmax_tile u_tile (
    .has_max_i(has_max_cur), .m_i(m_q[s_idx]), .l_i(l_cur), .n_i(n_q),
    .logit_i(logit_q), .has_max_o(has_max_new), .m_o(m_new), .l_o(l_new),
    .delta_o(delta_new), .p_o(p_new)
  );

  logic [KeyTile*PB-1:0] p_q [2*Rows];
  logic [DeltaBits-1:0] delta_q [2*Rows];
  logic [$clog2(2*Rows)-1:0] w_idx;
  assign w_idx = {half_i, b_row_q};
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) has_max_q <= '0;
    else if (b_go_q) has_max_q[s_idx] <= has_max_new;
  end
  always_ff @(posedge clk_i) begin
    if (b_go_q) begin
      m_q[s_idx] <= m_new;
      l_q[s_idx] <= l_new;
      p_q[w_idx] <= p_new;
      delta_q[w_idx] <= delta_new;
    end
  end

  assign st_valid_o = b_go_q;
  assign st_row_o = r0_i + ak_pkg::TokenBits'(b_row_q);
  assign st_m_o = m_new;
  assign st_l_o = has_max_new ? l_new : '0;

  assign p_o = p_q[p_idx_i];
  assign delta_o = delta_q[p_idx_i];
  for (genvar r = 0; r < Rows; r++) begin : g_l
    assign l_o[r*AB +: AB] = has_max_q[{l_bank_i, RB'(r)}] ? l_q[{l_bank_i, RB'(r)}] : '0;
  end
endmodule
