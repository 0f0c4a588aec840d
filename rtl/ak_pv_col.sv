// ak_pv_col: the accumulator update of docs/numerics.md section 6 (steps 3 and 5) for one
// value column of one query row:
//   acc_o = round_shift(acc_i, delta_i) + sum_{j < KeyTile} p_i[j] * v_i[j]
// with p from ak_softmax_tile (0 for invalid keys) and delta its rescale shift (clamped to
// AccBits + 1, which takes any accumulator to 0). Products are 21 x 8-bit signed.
// One module per column so that synthesis tools see (and build) its 16 multipliers once.
// Latency: combinational.
module ak_pv_col #(
  parameter int DeltaBits = $clog2(ak_pkg::AccBits + 2)
) (
  input  logic [ak_pkg::AccBits-1:0]                      acc_i,
  input  logic [DeltaBits-1:0]                            delta_i,
  input  logic [ak_pkg::KeyTile*(ak_pkg::ProbFrac+1)-1:0] p_i,      // key j: [j*PB +: PB]
  input  logic [ak_pkg::KeyTile*8-1:0]                    v_i,      // key j: [j*8 +: 8]
  output logic [ak_pkg::AccBits-1:0]                      acc_o
);
  localparam int AB = ak_pkg::AccBits;
  localparam int PB = ak_pkg::ProbFrac + 1;
  localparam int KeyTile = ak_pkg::KeyTile;

  logic signed [AB-1:0] acc, shifted, floored, sum;
  logic half;
  assign acc = $signed(acc_i);
  // round_shift: floor (arithmetic shift) plus the first dropped bit; the shift stands alone
  // because an unsigned operand of ?: would make it a logical shift
  assign shifted = acc >>> delta_i;
  assign floored = delta_i > DeltaBits'(AB) ? '0 : shifted;  // beyond the width: 0, not -1
  assign half = (delta_i != '0) && (delta_i <= DeltaBits'(AB)) && acc[delta_i - 1'b1];
  // operands widened to AB bits first: a product is evaluated at its operands' width
  logic signed [AB-1:0] pw [KeyTile];
  logic signed [AB-1:0] vw [KeyTile];
  // a key with p = 0 (masked, or past the ragged edge) contributes 0 whatever its V row
  // holds; V is forced to 0 there, so a V row never loaded (X in a 4-state simulator, stale
  // data in silicon) cannot reach the sum
  for (genvar j = 0; j < KeyTile; j++) begin : g_key
    logic signed [7:0] v;
    assign v = p_i[j*PB +: PB] == '0 ? 8'sd0 : $signed(v_i[j*8 +: 8]);
    assign pw[j] = $signed({{(AB-PB){1'b0}}, p_i[j*PB +: PB]});
    assign vw[j] = $signed({{(AB-8){v[7]}}, v});
  end
  always @* begin
    sum = floored + (half ? AB'(1) : AB'(0));
    for (int j = 0; j < KeyTile; j++)
      sum = sum + pw[j] * vw[j];
  end
  assign acc_o = sum;
endmodule
