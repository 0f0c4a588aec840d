// ak_logit: the base-2 logit of docs/numerics.md section 5,
//   l_o = sat(round_shift(s_i * mult_i, shift_i), LogitBits)
// round_shift(x, s) = floor(x / 2^s) + bit s-1 of x (round half up), an arithmetic shift.
// Latency: combinational (one 23 x 31-bit signed multiply).
module ak_logit (
  input  logic signed [ScoreBits-1:0]             s_i,      // Q.K dot product, |s| <= 2^21
  input  logic [ak_pkg::MultBits-1:0]         mult_i,   // M_l in [2^30, 2^31)
  input  logic [ak_pkg::ShiftBits-1:0]        shift_i,  // sh_l, 0..62
  output logic signed [ak_pkg::LogitBits-1:0] l_o
);
  localparam int ScoreBits = ak_pkg::ScoreBits;
  // The signed product needs 55 bits; it is held in MaxShift + 2 = 64 so that the rounding bit
  // s-1 of every allowed shift (up to 62) is a real bit of its sign extension.
  localparam int PBits = ak_pkg::MaxShift + 2;
  localparam int LogitBits = ak_pkg::LogitBits;
  localparam logic signed [PBits-1:0] LMax = PBits'((64'sd1 <<< (LogitBits - 1)) - 1);
  localparam logic signed [PBits-1:0] LMin = -PBits'(64'sd1 <<< (LogitBits - 1));

  // the multiply at its natural width (23 x 32 signed -> 55 bits), then sign-extended
  localparam int MBits = ak_pkg::MultBits + 1;
  logic signed [ScoreBits+MBits-1:0] prod_n;
  logic signed [PBits-1:0] prod, floored, rounded;
  logic half;
  assign prod_n = s_i * $signed({1'b0, mult_i});
  assign prod = PBits'(prod_n);
  assign floored = prod >>> shift_i;
  assign half = (shift_i != '0) && prod[shift_i - 1'b1];
  assign rounded = floored + (half ? PBits'(1) : PBits'(0));
  assign l_o = rounded > LMax ? LMax[LogitBits-1:0]
             : rounded < LMin ? LMin[LogitBits-1:0] : rounded[LogitBits-1:0];
endmodule
