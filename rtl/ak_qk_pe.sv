// ak_qk_pe: one processing element of ak_qk_array, output-stationary. Each enabled cycle it
// adds q * k (int8 x int8) to its accumulator (clear_i: starts a new sum with q * k);
// capture_i copies the accumulator to s_o on the same edge, so the next tile can start at once.
// One module per PE so that synthesis tools see (and build) the PE once, not Rows x 16 times.
module ak_qk_pe #(
  parameter int ScoreBits = ak_pkg::ScoreBits
) (
  input  logic             clk_i,
  input  logic             en_i,
  input  logic             clear_i,
  input  logic             capture_i,
  input  logic [7:0]       q_i,
  input  logic [7:0]       k_i,
  output logic [ScoreBits-1:0] s_o
);
  logic signed [ScoreBits-1:0] acc_q, acc_d, s_q;
  logic signed [15:0] prod;
  assign prod = $signed(q_i) * $signed(k_i);
  assign acc_d = (clear_i ? '0 : acc_q) + ScoreBits'(prod);
  always_ff @(posedge clk_i) begin
    if (en_i) acc_q <= acc_d;
    if (capture_i) s_q <= acc_q;
  end
  assign s_o = s_q;
endmodule
