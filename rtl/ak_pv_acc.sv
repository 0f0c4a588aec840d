// ak_pv_acc: the accumulator update of docs/numerics.md section 6 (steps 3 and 5) for one
// query row and Cols value columns, one ak_pv_col each:
//   acc_o[c] = round_shift(acc_i[c], delta_i) + sum_{j < KeyTile} p_i[j] * v_i[j][c]
// Latency: combinational.
module ak_pv_acc #(
  parameter int Cols = 16
) (
  input  logic [Cols*ak_pkg::AccBits-1:0]                 acc_i,    // column c: [c*AB +: AB]
  input  logic [DeltaBits-1:0]                            delta_i,
  input  logic [ak_pkg::KeyTile*(ak_pkg::ProbFrac+1)-1:0] p_i,      // key j: [j*PB +: PB]
  input  logic [ak_pkg::KeyTile*Cols*8-1:0]               v_i,      // key j, column c: [(j*Cols+c)*8 +: 8]
  output logic [Cols*ak_pkg::AccBits-1:0]                 acc_o
);
  localparam int AB = ak_pkg::AccBits;
  localparam int KeyTile = ak_pkg::KeyTile;
  localparam int DeltaBits = $clog2(AB + 2);

  for (genvar c = 0; c < Cols; c++) begin : g_col
    logic [KeyTile*8-1:0] v_col;  // column c of the 16 value rows
    for (genvar j = 0; j < KeyTile; j++) begin : g_key
      assign v_col[j*8 +: 8] = v_i[(j*Cols+c)*8 +: 8];
    end
    ak_pv_col #(.DeltaBits(DeltaBits)) u_col (
      .acc_i(acc_i[c*AB +: AB]), .delta_i, .p_i, .v_i(v_col), .acc_o(acc_o[c*AB +: AB])
    );
  end
endmodule
