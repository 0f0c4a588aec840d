// ak_pv_row_acc: the P.V accumulators of one query row, MaxG groups of 16 columns, with one
// write port and two read ports (the P.V update and the normaliser). clear_i starts a query
// tile: every group then reads as 0 until it is written again.
// One module per row so that synthesis tools see (and build) the storage once, not Rows times.
module ak_pv_row_acc #(
  parameter int MaxG = 8
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          clear_i,
  input  logic                          we_i,
  input  logic [GBits-1:0]              wr_grp_i,
  input  logic [16*ak_pkg::AccBits-1:0] wr_acc_i,
  input  logic [GBits-1:0]              a_grp_i,
  output logic [16*ak_pkg::AccBits-1:0] a_acc_o,
  input  logic [GBits-1:0]              b_grp_i,
  output logic [16*ak_pkg::AccBits-1:0] b_acc_o
);
  localparam int GBits = MaxG > 1 ? $clog2(MaxG) : 1;

  logic [16*ak_pkg::AccBits-1:0] acc_q [MaxG];
  logic [MaxG-1:0] fresh_q;    // group not yet written in this query tile: reads as 0

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fresh_q <= '1;
    else if (clear_i) fresh_q <= '1;
    else if (we_i) fresh_q[wr_grp_i] <= 1'b0;
  end
  always_ff @(posedge clk_i) begin
    if (we_i) acc_q[wr_grp_i] <= wr_acc_i;
  end

  assign a_acc_o = fresh_q[a_grp_i] ? '0 : acc_q[a_grp_i];
  assign b_acc_o = fresh_q[b_grp_i] ? '0 : acc_q[b_grp_i];
endmodule
