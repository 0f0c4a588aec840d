// ak_softmax_tile: one key-tile step of the online softmax of docs/numerics.md section 6 for
// one query row. Given the row's state (has_max, m, l) and the base-2 logits of the tile's n
// valid keys (a prefix of the KeyTile slots), it returns the new state, the rescale shift the
// P.V accumulators must take (round_shift by delta_o; 0 = none), and the probabilities p_o of
// the valid keys (0 in the other slots). One ak_exp2 per key slot.
// Latency: combinational; the softmax stage registers around it.
module ak_softmax_tile (
  input  logic                                              has_max_i,
  input  logic signed [MBits-1:0]                           m_i,
  input  logic [ak_pkg::AccBits-1:0]                        l_i,
  input  logic [$clog2(ak_pkg::KeyTile):0]                  n_i,     // valid keys, 0..16
  input  logic [ak_pkg::KeyTile*ak_pkg::LogitBits-1:0]     logit_i,  // slot j: [j*LogitBits +:]
  output logic                                              has_max_o,
  output logic signed [MBits-1:0]                           m_o,
  output logic [ak_pkg::AccBits-1:0]                        l_o,
  output logic [DeltaBits-1:0]                              delta_o,
  output logic [ak_pkg::KeyTile*(ak_pkg::ProbFrac+1)-1:0]  p_o      // slot j: [j*PB +: PB]
);
  localparam int KeyTile = ak_pkg::KeyTile;
  localparam int LogitBits = ak_pkg::LogitBits;
  localparam int F  = ak_pkg::LogitFrac;
  localparam int MBits = LogitBits - F + 1;        // whole base-2 units, signed (13 bits)
  localparam int AB = ak_pkg::AccBits;
  // A rounding shift by AccBits + 1 or more takes any AccBits-bit value to 0, so the shift
  // the accumulators see is clamped there.
  localparam int DeltaBits = $clog2(AB + 2);
  localparam int ABits = LogitBits + 1;            // exp2 argument a = m 2^F - L >= 0 (25 bits)
  localparam int PB = ak_pkg::ProbFrac + 1;

  // slot j's logit (flat ports: Yosys 0.23 takes no multi-dimensional packed ports)
  logic signed [LogitBits-1:0] logit [KeyTile];
  logic [KeyTile-1:0] slot_valid;  // the first n_i slots
  for (genvar j = 0; j < KeyTile; j++) begin : g_unpack
    assign logit[j] = $signed(logit_i[j*LogitBits +: LogitBits]);
    assign slot_valid[j] = n_i > ($clog2(KeyTile)+1)'(j);
  end

  // the tile maximum over the valid slots
  logic signed [LogitBits-1:0] tmax;
  logic any;
  always @* begin
    tmax = '0;
    any = 1'b0;
    for (int j = 0; j < KeyTile; j++) begin
      if (slot_valid[j] && (!any || logit[j] > tmax)) begin
        tmax = logit[j];
        any = 1'b1;
      end
    end
  end

  // c_t = ceil(tmax / 2^F), the new maximum and the shift
  logic signed [MBits-1:0] ct, m_new;
  logic signed [LogitBits:0] tmax_up;
  logic [MBits:0] delta_full;
  assign tmax_up = $signed({tmax[LogitBits-1], tmax}) + (LogitBits+1)'((1 << F) - 1);
  assign ct = MBits'(tmax_up >>> F);

  always @* begin
    m_new = m_i;
    delta_full = '0;
    has_max_o = has_max_i;
    if (any) begin
      has_max_o = 1'b1;
      if (!has_max_i) m_new = ct;
      else if (ct > m_i) begin
        m_new = ct;
        delta_full = (MBits+1)'(ct) - (MBits+1)'(m_i);
      end
    end
  end
  assign m_o = m_new;
  assign delta_o = delta_full > (MBits+1)'(AB + 1) ? DeltaBits'(AB + 1) : DeltaBits'(delta_full);

  // l rescaled by round_shift(l, delta): floor plus the first dropped bit
  logic [AB-1:0] l_shift;
  logic l_half;
  always @* begin
    l_shift = '0;
    l_half = 1'b0;
    if (delta_o == '0) l_shift = l_i;
    else if (delta_o <= DeltaBits'(AB)) begin
      l_shift = l_i >> delta_o;
      l_half = l_i[delta_o - 1'b1];
    end
  end

  // probabilities and the new sum
  logic [ABits-1:0] a [KeyTile];
  logic [PB-1:0] p_raw [KeyTile];
  logic [PB-1:0] p [KeyTile];
  logic signed [ABits:0] m_scaled;
  assign m_scaled = $signed({m_new[MBits-1], m_new, {F{1'b0}}});
  for (genvar j = 0; j < KeyTile; j++) begin : g_exp
    assign a[j] = ABits'(m_scaled - (ABits+1)'(logit[j]));
    ak_exp2 u_exp2 (.a_i(a[j]), .p_o(p_raw[j]));
    assign p[j] = slot_valid[j] ? p_raw[j] : '0;
    assign p_o[j*PB +: PB] = p[j];
  end

  always @* begin
    l_o = l_shift + AB'(l_half);
    for (int j = 0; j < KeyTile; j++) l_o = l_o + AB'(p[j]);
  end
endmodule
