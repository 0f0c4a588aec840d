// ak_probe_rows: the pruning unit's walk over its probe rows (docs/architecture.md, "Token
// pruning and KV-cache eviction"): row r = head x window + place, heads in order, each head's
// window rows in order. ak_prune keeps two: its issue side (the row whose reads it issues)
// and its land side (the row whose data lands), which trail each other by the reads in flight.
module ak_probe_rows (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  input  logic                         clear_i,   // back to row 0
  input  logic                         step_i,    // to the next row
  input  logic [ak_pkg::TokenBits-1:0] window_i,  // probe rows of a head, >= 1
  output logic [31:0]                  row_o,
  output logic [31:0]                  head_o,
  output logic [ak_pkg::TokenBits-1:0] place_o    // the row's place in its head's window
);
  localparam int TB = ak_pkg::TokenBits;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      row_o <= '0;
      head_o <= '0;
      place_o <= '0;
    end else if (clear_i) begin
      row_o <= '0;
      head_o <= '0;
      place_o <= '0;
    end else if (step_i) begin
      row_o <= row_o + 32'd1;
      if (place_o + TB'(1) == window_i) begin
        place_o <= '0;
        head_o <= head_o + 32'd1;
      end else place_o <= place_o + TB'(1);
    end
  end
endmodule
