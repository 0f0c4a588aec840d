// ak_div_pipe: the normalisation of docs/numerics.md section 8 as a pipelined radix-2 restoring
// divider, one division accepted per cycle:
//   q_o = zero_i ? 0 : sat(round_div(acc_i * 2^OutFrac, sum_i), OutFxBits)
// round_div(n, l) = floor((2n + l) / 2l); a negative numerator N uses
// floor(N / D) = -floor((|N| + D - 1) / D); quotients of more than QBits bits saturate. One
// stage per quotient bit, most significant first. zero_i marks a row without valid keys
// (l = 0), whose output is 0 by the spec. Latency: Latency = QBits + 1 = 26 cycles from an
// accepted input (valid_i) to valid_o with its result; no stalls.
module ak_div_pipe (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          valid_i,
  input  logic                          zero_i,
  input  logic [ak_pkg::AccBits-1:0]    acc_i,   // signed P.V accumulator
  input  logic [ak_pkg::AccBits-1:0]    sum_i,   // running sum l (> 0 unless zero_i)
  output logic                          valid_o,
  output logic [ak_pkg::OutFxBits-1:0]  q_o      // signed o_fx
);
  localparam int AB    = ak_pkg::AccBits;
  localparam int QBits = ak_pkg::OutFxBits + 1;         // |q| < 2^24 needs 25 bits
  localparam int DBits = AB + 1;                        // D = 2 l
  localparam int NBits = AB + ak_pkg::OutFrac + 2;      // |N| = |2 acc 2^16 + l| and + D - 1
  localparam int WBits = DBits + QBits;                 // D << (QBits - 1), and the remainder
  localparam logic signed [ak_pkg::OutFxBits-1:0] QMax = {1'b0, {(ak_pkg::OutFxBits-1){1'b1}}};
  localparam logic signed [ak_pkg::OutFxBits-1:0] QMin = {1'b1, {(ak_pkg::OutFxBits-1){1'b0}}};

  // the operands of the input
  logic signed [NBits-1:0] num;
  logic num_neg;
  logic [NBits-1:0] mag;
  logic [DBits-1:0] den_in;
  assign den_in = {sum_i, 1'b0};
  assign num = ($signed({{(NBits-AB){acc_i[AB-1]}}, acc_i}) <<< (ak_pkg::OutFrac + 1))
             + $signed({{(NBits-AB){1'b0}}, sum_i});
  assign num_neg = num[NBits-1];
  assign mag = num_neg ? NBits'(-num) + NBits'(den_in) - 1'b1 : NBits'(num);

  // stage s (0..QBits) holds the state after deciding quotient bits QBits-1 .. QBits-s
  logic [QBits:0] valid_q;
  logic [WBits-1:0] rem_q [QBits+1];
  logic [DBits-1:0] den_q [QBits+1];
  logic [QBits-1:0] quo_q [QBits+1];
  logic [QBits:0] neg_q, ovf_q, zero_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q[0] <= 1'b0;
      rem_q[0] <= '0;
      den_q[0] <= '0;
      quo_q[0] <= '0;
      neg_q[0] <= 1'b0;
      ovf_q[0] <= 1'b0;
      zero_q[0] <= 1'b0;
    end else begin
      valid_q[0] <= valid_i;
      rem_q[0] <= WBits'(mag);
      den_q[0] <= den_in;
      quo_q[0] <= '0;
      neg_q[0] <= num_neg;
      // |N| >= D * 2^QBits: the quotient does not fit, saturate
      ovf_q[0] <= (WBits+1)'(mag) >= ((WBits+1)'(den_in) << QBits);
      zero_q[0] <= zero_i;
    end
  end

  for (genvar s = 1; s <= QBits; s++) begin : g_stage
    localparam int Bit = QBits - s;
    logic [WBits-1:0] shifted, rem_d;
    logic take;
    assign shifted = WBits'(den_q[s-1]) << Bit;
    assign take = rem_q[s-1] >= shifted;
    assign rem_d = take ? rem_q[s-1] - shifted : rem_q[s-1];
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        valid_q[s] <= 1'b0;
        rem_q[s] <= '0;
        den_q[s] <= '0;
        quo_q[s] <= '0;
        neg_q[s] <= 1'b0;
        ovf_q[s] <= 1'b0;
        zero_q[s] <= 1'b0;
      end else begin
        valid_q[s] <= valid_q[s-1];
        rem_q[s] <= rem_d;
        den_q[s] <= den_q[s-1];
        quo_q[s] <= quo_q[s-1] | (QBits'(take) << Bit);
        neg_q[s] <= neg_q[s-1];
        ovf_q[s] <= ovf_q[s-1];
        zero_q[s] <= zero_q[s-1];
      end
    end
  end

  // signed, saturated result
  logic signed [QBits:0] q_signed;
  assign q_signed = neg_q[QBits] ? -$signed({1'b0, quo_q[QBits]}) : $signed({1'b0, quo_q[QBits]});
  always @* begin
    if (zero_q[QBits]) q_o = '0;
    else if (ovf_q[QBits]) q_o = neg_q[QBits] ? QMin : QMax;
    else if (q_signed > $signed((QBits+1)'(QMax))) q_o = QMax;
    else if (q_signed < $signed({{(QBits+1-ak_pkg::OutFxBits){1'b1}}, QMin})) q_o = QMin;
    else q_o = ak_pkg::OutFxBits'(q_signed);
  end
  assign valid_o = valid_q[QBits];
endmodule
