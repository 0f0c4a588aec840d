// ak_exp2: the exp2 unit of docs/numerics.md section 7.
//   p = round_shift(y, ip), y = T[k] - round_shift((T[k] - T[k+1]) * r, 6)
// with a = ip * 2^F + fr, fr = 64 k + r, and T the 65-entry table ak_pkg::Exp2Table
// (generated from refmodel/tables/exp2_frac.hex, the data the C model compiles in).
// Latency: combinational; the online-softmax unit registers around it.
module ak_exp2 (
  input  logic [ak_pkg::LogitBits:0]  a_i,  // a >= 0, 25 bits (numerics.md section 6)
  output logic [ak_pkg::ProbFrac:0]   p_o   // 0 .. 2^ProbFrac, 21 bits
);
  localparam int ABits  = ak_pkg::LogitBits + 1;
  localparam int F      = ak_pkg::LogitFrac;
  localparam int IBits  = ak_pkg::ExpIdxBits;
  localparam int RBits  = ak_pkg::ExpRemBits;
  localparam int PBits  = ak_pkg::ProbFrac + 1;
  localparam int IpBits = ABits - F;
  // A shift by more than PBits leaves nothing: round_shift(y, ip) = 0 for ip > PBits.
  localparam int MaxIp  = PBits;

  logic [IpBits-1:0] ip;
  logic [IBits-1:0]  k;
  logic [IBits:0]    k_next;     // k + 1, up to 64
  logic [RBits-1:0]  r;
  logic [PBits-1:0]  hi, lo, y;
  logic [PBits+RBits-1:0] step;   // (hi - lo) * r + 2^(RBits-1)
  logic [PBits:0]    rounded;     // y + 2^(ip-1): one bit of headroom

  assign ip = a_i[ABits-1:F];
  assign k  = a_i[F-1:RBits];
  assign r  = a_i[RBits-1:0];
  assign k_next = {1'b0, k} + 1'b1;

  always @* begin
    hi   = ak_pkg::Exp2Table[k * PBits +: PBits];
    lo   = ak_pkg::Exp2Table[k_next * PBits +: PBits];
    step = ((PBits+RBits)'(hi) - (PBits+RBits)'(lo)) * (PBits+RBits)'(r)
         + (PBits+RBits)'(1 << (RBits - 1));
    y    = hi - PBits'(step >> RBits);
    rounded = '0;
    if (ip == '0) begin
      p_o = y;
    end else if (ip > IpBits'(MaxIp)) begin
      p_o = '0;
    end else begin
      rounded = {1'b0, y} + ((PBits+1)'(1) << (ip - 1'b1));
      p_o = PBits'(rounded >> ip);
    end
  end
endmodule
