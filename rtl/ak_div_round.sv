// ak_div_round: the normalisation of docs/numerics.md section 8,
//   q_o = sat(round_div(acc_i * 2^OutFrac, sum_i), OutFxBits),  sum_i > 0,
// as a radix-2 restoring divider producing one quotient bit per cycle.
// round_div(n, l) = floor((2n + l) / 2l); a negative numerator N uses
// floor(N / D) = -floor((|N| + D - 1) / D). Quotients needing more than QBits bits saturate.
// Handshake: a request is taken when in_valid_i && in_ready_o; the result is offered with
// out_valid_o until out_ready_i. Latency: out_valid_o is high after exactly QBits = 25 rising
// edges following the accepting edge (that edge loads; each of the 25 decides one quotient
// bit), whatever the operands; one division at a time.
module ak_div_round (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          in_valid_i,
  output logic                          in_ready_o,
  input  logic [ak_pkg::AccBits-1:0]    acc_i,   // signed P.V accumulator
  input  logic [ak_pkg::AccBits-1:0]    sum_i,   // running sum l > 0
  output logic                          out_valid_o,
  input  logic                          out_ready_i,
  output logic [ak_pkg::OutFxBits-1:0]  q_o      // signed o_fx
);
  localparam int AB    = ak_pkg::AccBits;
  localparam int QBits = ak_pkg::OutFxBits + 1;         // |q| < 2^24 needs 25 bits
  localparam int DBits = AB + 1;                        // D = 2 l
  localparam int NBits = AB + ak_pkg::OutFrac + 2;      // |N| = |2 acc 2^16 + l| and + D - 1
  localparam int WBits = DBits + QBits;                 // D << (QBits - 1), and the remainder
  localparam logic signed [ak_pkg::OutFxBits-1:0] QMax = {1'b0, {(ak_pkg::OutFxBits-1){1'b1}}};
  localparam logic signed [ak_pkg::OutFxBits-1:0] QMin = {1'b1, {(ak_pkg::OutFxBits-1){1'b0}}};

  typedef enum logic [1:0] {Idle, Busy, Done} state_e;
  state_e state_q, state_d;
  logic [WBits-1:0] rem_q, rem_d;         // what is left of |N| (+ D - 1)
  logic [DBits-1:0] den_q, den_d;         // D
  logic [QBits-1:0] quo_q, quo_d;         // quotient magnitude, built MSB first
  logic [$clog2(QBits)-1:0] bit_q, bit_d; // bit decided this cycle
  logic neg_q, neg_d, ovf_q, ovf_d;

  // the request's operands
  logic signed [NBits-1:0] num;
  logic num_neg;
  logic [NBits-1:0] mag;
  logic [DBits-1:0] den_in;
  assign den_in = {sum_i, 1'b0};
  assign num = ($signed({{(NBits-AB){acc_i[AB-1]}}, acc_i}) <<< (ak_pkg::OutFrac + 1))
             + $signed({{(NBits-AB){1'b0}}, sum_i});
  assign num_neg = num[NBits-1];
  assign mag = num_neg ? NBits'(-num) + NBits'(den_in) - 1'b1 : NBits'(num);

  logic [WBits-1:0] shifted;  // D << bit_q
  assign shifted = WBits'(den_q) << bit_q;

  always @* begin
    state_d = state_q;
    rem_d = rem_q;
    den_d = den_q;
    quo_d = quo_q;
    bit_d = bit_q;
    neg_d = neg_q;
    ovf_d = ovf_q;
    case (state_q)
      Idle: if (in_valid_i) begin
        den_d = den_in;
        neg_d = num_neg;
        // |N| >= D * 2^QBits: the quotient does not fit, saturate without dividing
        ovf_d = (WBits+1)'(mag) >= ((WBits+1)'(den_in) << QBits);
        rem_d = WBits'(mag);
        quo_d = '0;
        bit_d = ($clog2(QBits))'(QBits - 1);
        state_d = Busy;
      end
      Busy: begin
        if (rem_q >= shifted) begin
          rem_d = rem_q - shifted;
          quo_d[bit_q] = 1'b1;
        end
        if (bit_q == '0) state_d = Done;
        else bit_d = bit_q - 1'b1;
      end
      Done: if (out_ready_i) state_d = Idle;
      default: state_d = Idle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      rem_q <= '0;
      den_q <= '0;
      quo_q <= '0;
      bit_q <= '0;
      neg_q <= 1'b0;
      ovf_q <= 1'b0;
    end else begin
      state_q <= state_d;
      rem_q <= rem_d;
      den_q <= den_d;
      quo_q <= quo_d;
      bit_q <= bit_d;
      neg_q <= neg_d;
      ovf_q <= ovf_d;
    end
  end

  // signed, saturated result
  logic signed [QBits:0] q_signed;
  assign q_signed = neg_q ? -$signed({1'b0, quo_q}) : $signed({1'b0, quo_q});
  always @* begin
    if (ovf_q) q_o = neg_q ? QMin : QMax;
    else if (q_signed > $signed((QBits+1)'(QMax))) q_o = QMax;
    else if (q_signed < $signed({{(QBits+1-ak_pkg::OutFxBits){1'b1}}, QMin})) q_o = QMin;
    else q_o = ak_pkg::OutFxBits'(q_signed);
  end

  assign in_ready_o  = state_q == Idle;
  assign out_valid_o = state_q == Done;
endmodule
