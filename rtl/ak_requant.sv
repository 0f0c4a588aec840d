// ak_requant: the int8 requantisation of docs/numerics.md section 8,
//   out_o = sat(round_shift(o_fx_i * mult_i, shift_i), 8)
// round_shift(x, s) = floor(x / 2^s) + bit s-1 of x (round half up), an arithmetic shift.
// Latency: combinational (one 24 x 31-bit signed multiply).
module ak_requant (
  input  logic signed [ak_pkg::OutFxBits-1:0] o_fx_i,
  input  logic [ak_pkg::MultBits-1:0]         mult_i,   // M_o in [2^30, 2^31)
  input  logic [ak_pkg::ShiftBits-1:0]        shift_i,  // sh_o, 0..62
  output logic signed [7:0]                   out_o
);
  // The signed product needs 55 bits; held in MaxShift + 2 = 64 so that the rounding bit s-1
  // of every allowed shift is a real bit of its sign extension.
  localparam int PBits = ak_pkg::MaxShift + 2;
  localparam int IB = ak_pkg::OutFxBits;
  localparam logic signed [PBits-1:0] OMax = PBits'(127);
  localparam logic signed [PBits-1:0] OMin = -PBits'(128);

  // the multiply at its natural width (24 x 32 signed -> 56 bits), then sign-extended
  localparam int MBits = ak_pkg::MultBits + 1;
  logic signed [IB+MBits-1:0] prod_n;
  logic signed [PBits-1:0] prod, floored, rounded;
  logic half;
  assign prod_n = o_fx_i * $signed({1'b0, mult_i});
  assign prod = PBits'(prod_n);
  assign floored = prod >>> shift_i;
  assign half = (shift_i != '0) && prod[shift_i - 1'b1];
  assign rounded = floored + (half ? PBits'(1) : PBits'(0));
  assign out_o = rounded > OMax ? 8'sd127 : (rounded < OMin ? -8'sd128 : rounded[7:0]);
endmodule
