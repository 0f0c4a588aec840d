// ak_group_walk: the walk over a query tile's (row, 16-column group) pairs that the P.V engine
// and the normaliser share, one pair a cycle in row-major order: step e = row * groups + group,
// e = 0 .. Rows * groups - 1 with groups = d / 16 = 2^lg_groups_i. start_i starts it (e = 0 in
// that cycle); go_o marks the cycles of a step. Because both units walk in this one order, the
// normaliser started a cycle after P.V reads each accumulator a cycle after its last update.
// Latency: Rows * groups cycles from start_i, one step in the start cycle.
module ak_group_walk #(
  parameter int Rows       = ak_pkg::DefaultRows,
  parameter int MaxHeadDim = ak_pkg::MaxHeadDim,
  localparam int EBits     = $clog2(Rows * (MaxHeadDim / 16) + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             start_i,
  input  logic [1:0]       lg_groups_i,
  output logic             go_o,     // a step this cycle
  output logic [EBits-1:0] e_o,      // its index
  output logic [EBits-1:0] row_o,
  output logic [EBits-1:0] grp_o,
  output logic             last_o    // the last step
);
  logic run_q;
  logic [EBits-1:0] e_q;
  assign go_o = start_i || run_q;
  assign e_o = start_i ? '0 : e_q;
  assign last_o = e_o == EBits'((Rows << lg_groups_i) - 1);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q <= 1'b0;
      e_q <= '0;
    end else if (go_o) begin
      run_q <= !last_o;
      e_q <= e_o + 1'b1;
    end
  end
  assign row_o = e_o >> lg_groups_i;
  assign grp_o = e_o & ((EBits'(1) << lg_groups_i) - 1'b1);
endmodule
