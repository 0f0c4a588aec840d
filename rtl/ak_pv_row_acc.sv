// ak_pv_row_acc: the P.V accumulators of one query row, NGroups groups of 16 columns, with one
// write port and two read ports (the P.V update and the normaliser).
// One module per row so that synthesis tools see (and build) the storage once, not Rows times.
module ak_pv_row_acc #(
  parameter int NGroups = 16
) (
  input  logic                          clk_i,
  input  logic                          we_i,
  input  logic [GBits-1:0]              wr_grp_i,
  input  logic [16*ak_pkg::AccBits-1:0] wr_acc_i,
  input  logic [GBits-1:0]              a_grp_i,
  output logic [16*ak_pkg::AccBits-1:0] a_acc_o,
  input  logic [GBits-1:0]              b_grp_i,
  output logic [16*ak_pkg::AccBits-1:0] b_acc_o
);
  localparam int GBits = NGroups > 1 ? $clog2(NGroups) : 1;

  logic [16*ak_pkg::AccBits-1:0] acc_q [NGroups];
  always_ff @(posedge clk_i) begin
    if (we_i) acc_q[wr_grp_i] <= wr_acc_i;
  end
  assign a_acc_o = acc_q[a_grp_i];
  assign b_acc_o = acc_q[b_grp_i];
endmodule
